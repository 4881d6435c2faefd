#!/bin/sh
# tests/tools/browser.py, the headless Chromium driver of the suite, against
# a small HTTP server on loopback: what it shows of a page (status, lang,
# title, checkboxes, buttons, scripts, width overflow, the text), tick and
# untick by label, submit of a POST form and the answer, back, open:, the
# viewport size, --show-first, --shot, its exit codes and messages, and
# that it leaves no profile behind.
. "${0%/*}/lib.sh"

# Debian's python3 has selenium; a python3 of one's own earlier on PATH may
# not.  scripts/install-deps installs chromium, chromium-driver and
# python3-selenium.
PY=/usr/bin/python3
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] ||
    ! "$PY" -c 'import selenium' 2>/dev/null; then
	echo "1..0 # SKIP no chromium"
	exit 0
fi
BROWSER="$TOP/tests/tools/browser.py"
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# ---- the server: files from site/, POST /echo answers with the body ----

mkdir site
cat >server.py <<'X'
import html, http.server, os, sys

class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == '/empty404':
            return self.answer(404, '')
        if self.path == '/missing':
            return self.answer(404, '<!doctype html><html lang="en">'
                               '<title>Not found</title><p>No such page.')
        super().do_GET()

    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n).decode()
        if self.path != '/echo':
            return self.answer(404, '<title>Not found</title>')
        self.answer(200, '<!doctype html><html lang="nb"><title>Takk</title>'
                    '<p>Mottatt:<p>%s' % html.escape(body or '(empty)'))

os.chdir(sys.argv[1])
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
with open(sys.argv[2] + '.tmp', 'w') as f:
    f.write('%d\n' % s.server_address[1])
os.rename(sys.argv[2] + '.tmp', sys.argv[2])
s.serve_forever()
X
"$PY" server.py "$T/site" "$T/port" 2>"$T/server.log" &
PIDS="$PIDS $!"
_i=0
while [ ! -s port ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
PORT=$(cat port)
U=http://127.0.0.1:$PORT

cat >site/form.html <<'X'
<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><title>Samtykke – Bil &amp; Motor</title></head>
<body>
<h1>Hva vil du høre om?</h1>
<form method="post" action="/echo">
<p><label><input type="checkbox" name="p" value="emarketing"> E-post og
   SMS  om tilbud</label>
<p><input type="checkbox" id="pa" name="p" value="partners" checked>
   <label for="pa">Tilbud fra partnere</label>
<p><button type="submit">Lagre valget</button>
</form>
</body>
</html>
X
cat >site/wide.html <<'X'
<!doctype html>
<html lang="sv"><meta charset="utf-8"><title>Bred</title>
<script>var a = 1;</script>
<body><div style="width: 1000px">En tabell som inte får plats.</div>
<script src="data:text/javascript,"></script>
<form>Skjema:<input type="submit" value="Skicka"><input type="submit" value="Avbryt"></form>
</body></html>
X
cat >site/fluid.html <<'X'
<!doctype html>
<html lang="en"><title>Fluid</title>
<body><p style="max-width: 40em">A long paragraph of text that wraps
within the width of the screen however narrow the screen is, as text
does when nothing forces it to be wider than the screen it is on.</p>
</body></html>
X
cat >site/size.html <<'X'
<!doctype html>
<html><title>Size</title><body>
<script>document.body.textContent = innerWidth + 'x' + innerHeight;</script>
</body></html>
X

# shows NAME EXPECTED-CODE EXPECTED-STDOUT ARGS...: browser.py ARGS exits
# CODE and prints EXPECTED-STDOUT.
shows() {
	_s_name=$1 _s_code=$2 _s_text=$3
	shift 3
	run "$PY" "$BROWSER" "$@"
	_s_got=$?
	{ printf '%s\n' "$_s_text"; echo "(exit $_s_code)"; } >"$T/want"
	{ cat "$T/out"; echo "(exit $_s_got)"; } >"$T/got"
	check_same "$_s_name" "$T/want" "$T/got"
}

# fails NAME CODE MESSAGE ARGS...: browser.py ARGS exits CODE with MESSAGE
# on stderr and nothing on stdout.
fails() {
	_f_name=$1 _f_code=$2 _f_msg=$3
	shift 3
	run "$PY" "$BROWSER" "$@"
	_f_got=$?
	{ echo "(exit $_f_code)"; printf '%s\n' "$_f_msg"; } >"$T/want"
	{ echo "(exit $_f_got)"; cat "$T/out" "$T/err"; } >"$T/got"
	check_same "$_f_name" "$T/want" "$T/got"
}

# ---- what a page shows ----

mkdir tmp
_t0=$(date +%s.%N)
TMPDIR=$T/tmp shows "the form page: checkboxes by label, in order, the button" 0 \
"status: 200
lang: nb
title: Samtykke – Bil & Motor
checkbox: [ ] E-post og SMS om tilbud
checkbox: [x] Tilbud fra partnere
button: Lagre valget
scripts: 0
width-overflow: no
text:
Hva vil du høre om?

 E-post og SMS om tilbud

 Tilbud fra partnere

Lagre valget" "$U/form.html"
_t1=$(date +%s.%N)
awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "# one browser.py call took %.1f s\n", b - a }'
is "the temporary profile is removed" "" "$(ls -A tmp)"

shows "a page wider than 360 px: overflow, two scripts, two buttons" 0 \
"status: 200
lang: sv
title: Bred
button: Skicka
button: Avbryt
scripts: 2
width-overflow: yes
text:
En tabell som inte får plats.
Skjema:" "$U/wide.html"

run "$PY" "$BROWSER" "$U/fluid.html"
is "a fluid page fits" "lang: en|scripts: 0|width-overflow: no" \
    "$(grep -E '^(lang|scripts|width-overflow):' "$T/out" | paste -sd'|' -)"
run "$PY" "$BROWSER" --width 1200 "$U/wide.html"
is "the wide page fits a 1200 px screen" "width-overflow: no" \
    "$(grep '^width-overflow:' "$T/out")"

shows "a 404 page: its status and its own text" 0 \
"status: 404
lang: en
title: Not found
scripts: 0
width-overflow: no
text:
No such page." "$U/missing"

run "$PY" "$BROWSER" "$U/empty404"
is "a 404 without a body: Chromium's own page, with the status" \
    "status: 404|HTTP ERROR 404" \
    "$(grep -E '^status:|^HTTP ERROR' "$T/out" | paste -sd'|' -)"

run "$PY" "$BROWSER" "$U/size.html"
is "the viewport is 360 x 740" "360x740" "$(sed -n '/^text:$/{n;p;}' "$T/out")"
run "$PY" "$BROWSER" --height 600 --width 800 "$U/size.html"
is "--width and --height" "800x600" "$(sed -n '/^text:$/{n;p;}' "$T/out")"

# ---- tick, untick, submit ----
# (The text is innerText as is: the space after a checkbox stays.)

shows "tick, untick and submit: the answer to the POST" 0 \
"status: 200
lang: nb
title: Takk
scripts: 0
width-overflow: no
text:
Mottatt:

p=emarketing" "$U/form.html" "tick:E-post og SMS" \
    "untick:Tilbud fra partnere" submit

run "$PY" "$BROWSER" "$U/form.html" "tick:SMS" submit
is "a label is found by a part of it; the ticked box stays" \
    "p=emarketing&p=partners" "$(tail -1 "$T/out")"
run "$PY" "$BROWSER" "$U/form.html" "untick:partnere" submit
is "nothing ticked: an empty form" "(empty)" "$(tail -1 "$T/out")"
run "$PY" "$BROWSER" "$U/form.html" "tick:  E-post   og SMS om  tilbud " submit
is "the label's whitespace is normalised" "p=emarketing&p=partners" \
    "$(tail -1 "$T/out")"

shows "--show-first; back after the submit: the form as it was left" 0 \
"status: 200
lang: nb
title: Samtykke – Bil & Motor
checkbox: [ ] E-post og SMS om tilbud
checkbox: [x] Tilbud fra partnere
button: Lagre valget
scripts: 0
width-overflow: no
text:
Hva vil du høre om?

 E-post og SMS om tilbud

 Tilbud fra partnere

Lagre valget
---- after the actions ----
status: 200
lang: nb
title: Samtykke – Bil & Motor
checkbox: [ ] E-post og SMS om tilbud
checkbox: [ ] Tilbud fra partnere
button: Lagre valget
scripts: 0
width-overflow: no
text:
Hva vil du høre om?

 E-post og SMS om tilbud

 Tilbud fra partnere

Lagre valget" --show-first "$U/form.html" untick:partnere submit back

run "$PY" "$BROWSER" "$U/form.html" "open:$U/missing" reload
is "open: then reload" "status: 404|title: Not found" \
    "$(grep -E '^(status|title):' "$T/out" | paste -sd'|' -)"
run "$PY" "$BROWSER" "$U/wide.html" "submit:Skicka"
is "submit:TEXT picks one of two buttons" "status: 200|title: Bred" \
    "$(grep -E '^(status|title):' "$T/out" | paste -sd'|' -)"

# ---- what cannot be done: exit 1 ----

fails "no such label" 1 'browser.py: no checkbox labelled "Sport"' \
    "$U/form.html" tick:Sport submit
fails "a label that matches two boxes" 1 \
    'browser.py: 2 checkboxes match "ilbu": "E-post og SMS om tilbud", "Tilbud fra partnere"' \
    "$U/form.html" tick:ilbu
fails "no submit button" 1 'browser.py: submit: no submit button on the page' \
    "$U/fluid.html" submit
fails "two submit buttons" 1 \
    'browser.py: submit: 2 submit buttons ("Skicka", "Avbryt"): give submit:TEXT' \
    "$U/wide.html" submit
fails "a server that is not there" 1 \
    "browser.py: load: http://127.0.0.1:9/: net::ERR_UNSAFE_PORT" \
    "http://127.0.0.1:9/"

# ---- usage: exit 2 ----

fails "an unknown action" 2 \
    "browser.py: unknown action 'press' (tick:LABEL, untick:LABEL, submit, back, reload, open:URL)" \
    "$U/form.html" press
fails "tick: without a label" 2 "browser.py: tick: needs a label" \
    "$U/form.html" tick:
fails "no URL" 2 \
    "browser.py: no URL (usage: browser.py [--width N] [--height N] [--shot FILE.png] [--show-first] URL [ACTION...])" \
    --width 300
fails "a bad width" 2 \
    "browser.py: argument --width: 'wide' is not a size in pixels" \
    --width wide "$U/form.html"

# ---- --shot ----

check "--shot writes a PNG" "$PY" "$BROWSER" --shot "$T/form.png" "$U/form.html"
is "the PNG is 360 x 740" "360 740" "$("$PY" -c '
import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n", d
print(*struct.unpack(">II", d[16:24]))' "$T/form.png")"

done_testing
