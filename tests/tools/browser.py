#!/usr/bin/python3
"""browser.py: drive a real headless Chromium for the test suite.

usage: browser.py [--width 360] [--height 740] [--shot FILE.png]
                  [--show-first] URL [ACTION...]

Loads URL, runs the actions in order, then prints what a user sees of the
final page.  Actions:

  tick:LABEL     tick the checkbox whose <label> text (whitespace-normalised)
                 equals LABEL, or else contains it: an error when no
                 checkbox or more than one matches (an exact match wins over
                 ones that only contain LABEL); a ticked box stays ticked
  untick:LABEL   the same, unticking it
  submit         click the page's only submit button (button[type=submit],
                 input[type=submit], or a <button> with no type inside a
                 <form>) and wait for the next page to load
  submit:TEXT    click the submit button whose text equals or contains TEXT
                 (for pages with more than one)
  back           the browser's Back
  reload         the browser's Reload
  open:URL       load another URL

The page is shown as:

  status: 200              the HTTP status of the main document
  lang: nb                 document.documentElement.lang
  title: ...               document.title
  checkbox: [ ] LABEL      one line per checkbox, in document order; [x] when
                           checked; LABEL is its <label>s' text, else its
                           aria-label, else "(no label)"
  button: TEXT             one line per submit button
  scripts: 0               the number of <script> elements
  width-overflow: no       yes when documentElement.scrollWidth >
                           window.innerWidth: the page does not fit the width
  text:
  document.body.innerText, as is

A response with an empty body and an error status gets Chromium's own
page ("HTTP ERROR 404"), which is shown as the page; no response at all
(connection refused, a name that does not resolve) is an error (exit 1).

With --show-first the page is shown also once URL is loaded, before the
actions, followed by a line "---- after the actions ----".

The status comes from the Navigation Timing API: the responseStatus of
performance.getEntriesByType('navigation')[0] (Chromium 109 and later; it
works with Debian's chromium 156 and selenium 4.8 without turning on the
DevTools performance log).  It is the status of the response that made the
document: after a POST, the POST's; after back, the page gone back to.

The viewport is WIDTHxHEIGHT CSS pixels at device scale 1, set through the
DevTools Emulation.setDeviceMetricsOverride (a headless window is at least
500 px wide, so --window-size alone gives no 360 px viewport).  It is a
desktop viewport: <meta name=viewport> is not applied.

Chromium: /usr/bin/chromium through /usr/bin/chromedriver, --headless=new,
--disable-gpu, --disable-dev-shm-usage, --no-sandbox only when running as
root, a fresh user-data-dir removed at exit, background networking, sync,
component updates and extensions off, and host names other than those of
URL and of the open: actions resolve to nothing.  Page loads time out after
20 s.  --shot FILE saves a PNG of the final page's viewport.

Exit: 0 when it ran; 1 when an action could not be done (no such label, no
submit button, a page that did not load), with "browser.py: ..." on
stderr; 2 on usage error or when Chromium cannot start.
"""
import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse

PROG = 'browser.py'
CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
LOAD_TIMEOUT = 20

ACTIONS_WITH_ARG = ('tick', 'untick', 'open')
ACTIONS_BARE = ('submit', 'back', 'reload')


class Failed(Exception):
    """An action could not be done: exit 1."""


class Usage(Exception):
    """A usage error or a browser that does not start: exit 2."""


def norm(s):
    return ' '.join((s or '').split())


# One snapshot of the page, in one script so that it is consistent.
SNAPSHOT_JS = r"""
const norm = s => (s || '').replace(/\s+/g, ' ').trim();
const nav = performance.getEntriesByType('navigation')[0];
const boxes = [];
for (const cb of document.querySelectorAll('input[type=checkbox]')) {
    let label = Array.from(cb.labels || []).map(l => norm(l.textContent))
        .filter(t => t).join(' ');
    if (!label) label = norm(cb.getAttribute('aria-label'));
    boxes.push([label, cb.checked]);
}
const buttons = [];
for (const b of document.querySelectorAll(arguments[0]))
    buttons.push(norm(b.tagName === 'INPUT' ? (b.value || 'Submit')
                                             : b.textContent));
const root = document.documentElement;
return {
    status: nav && nav.responseStatus !== undefined ? nav.responseStatus : null,
    lang: root ? root.lang : '',
    title: document.title,
    boxes: boxes,
    buttons: buttons,
    scripts: document.getElementsByTagName('script').length,
    overflow: root ? root.scrollWidth > window.innerWidth : false,
    text: document.body ? document.body.innerText : ''
};
"""

SUBMIT_CSS = ('button[type=submit], input[type=submit], '
              'form button:not([type])')

# The checkboxes with their label text, and the label elements to click
# when the box itself is hidden (styled checkboxes).
BOXES_JS = r"""
const norm = s => (s || '').replace(/\s+/g, ' ').trim();
const out = [];
for (const cb of document.querySelectorAll('input[type=checkbox]')) {
    const labels = Array.from(cb.labels || []);
    let text = labels.map(l => norm(l.textContent)).filter(t => t).join(' ');
    if (!text) text = norm(cb.getAttribute('aria-label'));
    out.push([cb, text, labels[0] || null]);
}
return out;
"""


def show(driver, out):
    s = driver.execute_script(SNAPSHOT_JS, SUBMIT_CSS)
    status = s['status']
    lines = ['status: %s' % ('?' if status is None else status),
             'lang: %s' % s['lang'],
             'title: %s' % s['title']]
    for label, checked in s['boxes']:
        lines.append('checkbox: [%s] %s' % ('x' if checked else ' ',
                                            label or '(no label)'))
    for text in s['buttons']:
        lines.append('button: %s' % text)
    lines.append('scripts: %d' % s['scripts'])
    lines.append('width-overflow: %s' % ('yes' if s['overflow'] else 'no'))
    lines.append('text:')
    text = s['text'] or ''
    out.write('\n'.join(lines) + '\n' + text)
    if text and not text.endswith('\n'):
        out.write('\n')
    out.flush()


def pick(items, want, what):
    """The one item whose text equals want, or else contains it."""
    want = norm(want)
    exact = [i for i in items if i[1] == want]
    found = exact or [i for i in items if want in i[1]]
    if not found:
        raise Failed('no %s labelled "%s"' % (what, want))
    if len(found) > 1:
        raise Failed('%d %s match "%s": %s' % (
            len(found), 'checkboxes' if what == 'checkbox' else what + 's',
            want,
            ', '.join('"%s"' % i[1] for i in found)))
    return found[0]


def short(exc):
    """The first line of a WebDriver error, without the session info."""
    msg = getattr(exc, 'msg', None) or str(exc)
    msg = msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__
    return msg.replace('unknown error: ', '')


def wait_loaded(driver, old_root, what):
    """Wait for the document to be replaced and loaded."""
    from selenium.common.exceptions import (StaleElementReferenceException,
                                            WebDriverException)
    deadline = time.monotonic() + LOAD_TIMEOUT
    replaced_at = None
    while time.monotonic() < deadline:
        try:
            old_root.tag_name          # raises once the document is gone
        except StaleElementReferenceException:
            try:
                if driver.execute_script(
                        'return document.readyState') == 'complete':
                    return
            except WebDriverException:
                pass                   # between two documents
            replaced_at = replaced_at or time.monotonic()
        except WebDriverException:
            pass
        time.sleep(0.05)
    if replaced_at is None:
        raise Failed('%s: no new page within %d s' % (what, LOAD_TIMEOUT))
    raise Failed('%s: the new page did not finish loading within %d s'
                 % (what, LOAD_TIMEOUT))


def do_tick(driver, label, on):
    from selenium.common.exceptions import WebDriverException
    what = 'tick' if on else 'untick'
    boxes = driver.execute_script(BOXES_JS)
    cb, text, lab = pick(boxes, label, 'checkbox')
    if cb.is_selected() == on:
        return
    if not cb.is_enabled():
        raise Failed('%s: the checkbox "%s" is disabled' % (what, text))
    try:
        if cb.is_displayed() or lab is None:
            cb.click()
        else:
            lab.click()
    except WebDriverException as e:
        raise Failed('%s: cannot click "%s": %s' % (what, text, short(e)))
    if cb.is_selected() != on:
        raise Failed('%s: clicking "%s" did not %s it' % (what, text, what))


def do_submit(driver, want):
    from selenium.common.exceptions import (StaleElementReferenceException,
                                            WebDriverException)
    from selenium.webdriver.common.by import By
    els = driver.find_elements(By.CSS_SELECTOR, SUBMIT_CSS)
    items = []
    for e in els:
        t = e.get_attribute('value') if e.tag_name == 'input' else \
            e.get_attribute('textContent')
        items.append((e, norm(t)))
    if want is None:
        if not items:
            raise Failed('submit: no submit button on the page')
        if len(items) > 1:
            raise Failed('submit: %d submit buttons (%s): give submit:TEXT'
                         % (len(items), ', '.join('"%s"' % i[1]
                                                  for i in items)))
        button = items[0][0]
    else:
        button = pick(items, want, 'submit button')[0]
    root = driver.find_element(By.TAG_NAME, 'html')
    try:
        button.click()
    except WebDriverException as e:
        raise Failed('submit: cannot click the button: %s' % short(e))
    # A form that the browser does not send (a required box unticked, ...)
    # leaves the page as it was: say so at once rather than after 20 s.
    time.sleep(0.2)
    try:
        invalid = driver.execute_script(
            'const f = arguments[0].form;'
            'if (!f || f.checkValidity()) return null;'
            'const bad = f.querySelector(":invalid");'
            'return (bad && (bad.name || bad.id) || "?") + ": " +'
            '       (bad ? bad.validationMessage : "");', button)
    except (StaleElementReferenceException, WebDriverException):
        invalid = None
    if invalid:
        raise Failed('submit: the browser did not send the form (%s)'
                     % invalid)
    wait_loaded(driver, root, 'submit')
    not_an_error_page(driver, 'submit')


def not_an_error_page(driver, what):
    """Chromium shows its own page when a page cannot be had: fail there.

    An HTTP error with an empty body also gets Chromium's own page ("HTTP
    ERROR 404"), but the server did answer: that page is what the user
    sees, and it is shown with the status."""
    from selenium.common.exceptions import WebDriverException
    try:
        href, text, status = driver.execute_script(
            'const n = performance.getEntriesByType("navigation")[0];'
            'return [location.href, document.body ? document.body.innerText'
            '        : "", n ? n.responseStatus || 0 : 0];')
    except WebDriverException as e:
        raise Failed('%s: %s' % (what, short(e)))
    if href.startswith('chrome-error:') and not status:
        m = re.search(r'\bERR_[A-Z_]+', text)
        raise Failed('%s: %s' % (what, 'net::' + m.group(0) if m else
                                 'Chromium shows an error page'))


def load(driver, url, what):
    from selenium.common.exceptions import TimeoutException, WebDriverException
    try:
        driver.get(url)
    except TimeoutException:
        raise Failed('%s: %s did not load within %d s'
                     % (what, url, LOAD_TIMEOUT))
    except WebDriverException as e:
        raise Failed('%s: %s: %s' % (what, url, short(e)))
    not_an_error_page(driver, '%s: %s' % (what, url))


def run_action(driver, action):
    name, _, arg = action.partition(':')
    from selenium.common.exceptions import TimeoutException, WebDriverException
    if name == 'tick':
        do_tick(driver, arg, True)
    elif name == 'untick':
        do_tick(driver, arg, False)
    elif name == 'submit':
        do_submit(driver, arg if ':' in action else None)
    elif name == 'open':
        load(driver, arg, 'open')
    else:
        try:
            driver.back() if name == 'back' else driver.refresh()
        except TimeoutException:
            raise Failed('%s: the page did not load within %d s'
                         % (name, LOAD_TIMEOUT))
        except WebDriverException as e:
            raise Failed('%s: %s' % (name, short(e)))
        not_an_error_page(driver, name)


def check_action(action):
    name, colon, arg = action.partition(':')
    if name in ACTIONS_WITH_ARG:
        if not norm(arg):
            raise Usage('%s: needs %s' % (name, 'a URL' if name == 'open'
                                          else 'a label'))
    elif name == 'submit':
        if colon and not norm(arg):
            raise Usage('submit: needs a button text after the colon')
    elif name in ACTIONS_BARE:
        if colon:
            raise Usage('%s takes no argument' % name)
    else:
        raise Usage("unknown action '%s' (tick:LABEL, untick:LABEL, submit, "
                    "back, reload, open:URL)" % action)


def host_rules(urls):
    """Resolve no host name but those of the URLs (loopback in the tests)."""
    hosts = {'localhost'}
    for u in urls:
        h = urllib.parse.urlsplit(u).hostname
        if h:
            hosts.add(h)
    return 'MAP * ~NOTFOUND, ' + ', '.join(
        'EXCLUDE %s' % h for h in sorted(hosts))


def start(args, profile, urls):
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            raise Usage('%s: not installed (apt-get install chromium '
                        'chromium-driver)' % path)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        raise Usage('no selenium for %s (apt-get install python3-selenium):'
                    ' %s' % (sys.executable, e))
    from selenium.common.exceptions import WebDriverException
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    flags = ['--headless=new', '--disable-gpu', '--disable-dev-shm-usage',
             '--user-data-dir=' + profile,
             '--window-size=%d,%d' % (args.width, args.height),
             '--hide-scrollbars', '--no-first-run',
             '--no-default-browser-check', '--disable-background-networking',
             '--disable-component-update', '--disable-sync',
             '--disable-default-apps', '--disable-extensions',
             '--disable-client-side-phishing-detection',
             '--disable-domain-reliability', '--metrics-recording-only',
             '--disable-features=Translate,OptimizationHints,MediaRouter,'
             'AutofillServerCommunication,CertificateTransparencyComponentUpdater',
             '--host-resolver-rules=' + host_rules(urls),
             '--lang=en-US']
    if os.geteuid() == 0:
        flags.append('--no-sandbox')
    for f in flags:
        opts.add_argument(f)
    try:
        driver = webdriver.Chrome(
            service=Service(CHROMEDRIVER, log_path=os.devnull), options=opts)
    except WebDriverException as e:
        raise Usage('chromium did not start: %s' % short(e))
    try:
        driver.set_page_load_timeout(LOAD_TIMEOUT)
        driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {
            'width': args.width, 'height': args.height,
            'deviceScaleFactor': 1, 'mobile': False})
    except WebDriverException as e:
        driver.quit()
        raise Usage('chromium did not start: %s' % short(e))
    return driver


def positive(s):
    try:
        n = int(s)
    except ValueError:
        n = 0
    if n <= 0 or n > 10000:
        raise argparse.ArgumentTypeError("'%s' is not a size in pixels" % s)
    return n


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Usage(message)


def main(argv):
    p = Parser(prog=PROG, add_help=True,
               description='Drive headless Chromium; print the page a user '
                           'sees.',
               epilog='actions: tick:LABEL untick:LABEL submit[:TEXT] back '
                      'reload open:URL')
    p.add_argument('--width', type=positive, default=360)
    p.add_argument('--height', type=positive, default=740)
    p.add_argument('--shot', metavar='FILE.png')
    p.add_argument('--show-first', action='store_true')
    p.add_argument('url', metavar='URL', nargs='?')
    p.add_argument('actions', metavar='ACTION', nargs='*')
    args = p.parse_intermixed_args(argv)
    if args.url is None:
        raise Usage('no URL (usage: browser.py [--width N] [--height N] '
                    '[--shot FILE.png] [--show-first] URL [ACTION...])')
    for a in args.actions:
        check_action(a)
    urls = [args.url] + [a[5:] for a in args.actions if a.startswith('open:')]

    out = sys.stdout
    profile = tempfile.mkdtemp(prefix='browser-py.')
    driver = None
    try:
        driver = start(args, profile, urls)
        load(driver, args.url, 'load')
        if args.show_first:
            show(driver, out)
            out.write('---- after the actions ----\n')
        for a in args.actions:
            run_action(driver, a)
        show(driver, out)
        if args.shot and not driver.save_screenshot(args.shot):
            raise Failed('--shot: could not write %s' % args.shot)
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        for _ in range(20):            # the browser may still be closing
            shutil.rmtree(profile, ignore_errors=True)
            if not os.path.exists(profile):
                break
            time.sleep(0.1)
    return 0


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == '__main__':
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        sys.stdout.reconfigure(encoding='utf-8')
    except AttributeError:
        pass
    try:
        sys.exit(main(sys.argv[1:]))
    except Usage as e:
        print('%s: %s' % (PROG, e), file=sys.stderr)
        sys.exit(2)
    except Failed as e:
        print('%s: %s' % (PROG, e), file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
