#!/usr/bin/env python3
"""smtp-server.py: a real SMTP server on loopback for the test suite.

usage: smtp-server.py --dir DIR --port-file FILE [--reject-rcpt SUBSTR]...
           [--tempfail-rcpt SUBSTR:N]... [--drop-rcpt SUBSTR:N]...
           [--delay SECONDS] [--auth USER:PASS]
           [--tls-cert CERT --tls-key KEY [--smtps] [--require-tls]]

Listens on 127.0.0.1 on a port of the kernel's choosing and writes that
port to FILE (through FILE.tmp and a rename, so that a reader never sees
half a number) once it accepts connections; runs until SIGTERM or SIGINT,
then exits 0.  The protocol is aiosmtpd's, so what a client meets is a real
SMTP server, not a script of canned replies.

What it keeps, in DIR:
  NNNNNN.json   {"mail_from", "rcpt_tos", "connection", "auth_user", "tls"}
                of the NNNNNN-th message (from 000001)
  NNNNNN.eml    that message's bytes as received in DATA (CRLF line ends,
                dot-stuffing undone), written after the .json, so that a
                test counting *.eml sees only complete messages
  connections   one line per accepted TCP connection, its number from 1,
                appended when it opens

Options:
  --reject-rcpt SUBSTR     a RCPT TO address containing SUBSTR gets
                           "550 5.1.1 <ADDR>: mailbox unavailable"
  --tempfail-rcpt SUBSTR:N the first N such RCPT TO get
                           "451 4.3.0 try again later", later ones pass
  --drop-rcpt SUBSTR:N     the first N such RCPT TO get no answer: the
                           connection is closed at once
  --delay SECONDS          wait that long before answering each DATA
  --auth USER:PASS         offer AUTH PLAIN and LOGIN (without TLS too)
                           and require it before MAIL; only USER:PASS passes
  --tls-cert, --tls-key    offer STARTTLS with this certificate
  --smtps                  TLS from the first byte instead of STARTTLS
  --require-tls            refuse AUTH and MAIL before STARTTLS with
                           "530 5.7.0 Must issue a STARTTLS command first"

An address matching several options meets --drop-rcpt first, then
--tempfail-rcpt, then --reject-rcpt.
"""
import argparse
import asyncio
import functools
import json
import logging
import os
import signal
import ssl
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, TLSSetupException
except ImportError:
    # The python3 first on PATH may be a pyenv or venv interpreter that
    # does not see Debian's python3-aiosmtpd; the system one does.
    if (os.path.exists('/usr/bin/python3') and
            os.path.realpath(sys.executable) !=
            os.path.realpath('/usr/bin/python3')):
        os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
    sys.exit('smtp-server.py: aiosmtpd not found: '
             'install python3-aiosmtpd (scripts/install-deps)')

TLS_FIRST = '530 5.7.0 Must issue a STARTTLS command first'

# Auth without TLS is what a loopback test wants, and aiosmtpd 1.4 sets
# its own deprecated Session.login_data on every login; it warns of both
# each time, which would only bury real messages on stderr.
warnings.filterwarnings('ignore', 'Requiring AUTH while not requiring TLS')
logging.getLogger('mail.log').addFilter(
    lambda r: 'auth_require_tls == False' not in r.getMessage() and
    'login_data is deprecated' not in r.getMessage())


def counted(spec):
    """'SUBSTR:N' as (SUBSTR, N); SUBSTR may itself hold a colon."""
    substr, colon, n = spec.rpartition(':')
    if not colon or not substr or not n.isdigit():
        raise argparse.ArgumentTypeError(f'not SUBSTR:N: {spec!r}')
    return [substr, int(n)]


def credentials(spec):
    user, colon, password = spec.partition(':')
    if not colon or not user:
        raise argparse.ArgumentTypeError(f'not USER:PASS: {spec!r}')
    return user.encode(), password.encode()


def parse_args():
    p = argparse.ArgumentParser(
        description='A real SMTP server on loopback for the test suite.')
    p.add_argument('--dir', required=True)
    p.add_argument('--port-file', required=True)
    p.add_argument('--reject-rcpt', action='append', default=[])
    p.add_argument('--tempfail-rcpt', action='append', default=[],
                   type=counted)
    p.add_argument('--drop-rcpt', action='append', default=[], type=counted)
    p.add_argument('--delay', type=float, default=0.0)
    p.add_argument('--auth', type=credentials)
    p.add_argument('--tls-cert')
    p.add_argument('--tls-key')
    p.add_argument('--smtps', action='store_true')
    p.add_argument('--require-tls', action='store_true')
    a = p.parse_args()
    if (a.smtps or a.require_tls or a.tls_key) and not a.tls_cert:
        p.error('--smtps, --require-tls and --tls-key need --tls-cert')
    return a


def write_atomic(path, data):
    """Write through a temporary name that no *.eml or *.json glob
    matches, so a reader sees the whole file or none of it."""
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def use_up(counters, address):
    """Take one from the first counter whose substring is in address;
    True when one was left."""
    for c in counters:
        if c[0] in address and c[1] > 0:
            c[1] -= 1
            return True
    return False


class Handler:
    """The hooks aiosmtpd calls; the state shared by all connections."""

    def __init__(self, args):
        self.args = args
        self.messages = 0
        self.connections = 0

    def open_connection(self):
        self.connections += 1
        with open(os.path.join(self.args.dir, 'connections'), 'a') as f:
            f.write(f'{self.connections}\n')
        return self.connections

    def authenticate(self, server, session, envelope, mechanism, data):
        """aiosmtpd's authenticator: data is the login and password of
        AUTH PLAIN or LOGIN, as bytes; the login is kept in the session."""
        if (data.login, data.password) == self.args.auth:
            return AuthResult(success=True, auth_data=data.login)
        # handled=False has aiosmtpd answer 535; its default, True, means
        # the answer was sent already, and the client would wait forever.
        return AuthResult(success=False, handled=False)

    async def handle_RCPT(self, server, session, envelope, address,
                          options):
        if use_up(self.args.drop_rcpt, address):
            server.transport.abort()
            return '421 never sent'
        if use_up(self.args.tempfail_rcpt, address):
            return '451 4.3.0 try again later'
        if any(s in address for s in self.args.reject_rcpt):
            return f'550 5.1.1 <{address}>: mailbox unavailable'
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.args.delay > 0:
            await asyncio.sleep(self.args.delay)
        self.messages += 1
        base = os.path.join(self.args.dir, f'{self.messages:06d}')
        user = session.auth_data if session.authenticated else None
        meta = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'connection': server.number,
            'auth_user': user.decode('utf-8', 'replace') if user else None,
            'tls': server.over_tls(),
        }
        write_atomic(base + '.json', json.dumps(meta).encode() + b'\n')
        write_atomic(base + '.eml', envelope.original_content)
        return f'250 2.0.0 OK queued as {self.messages:06d}'


class Server(SMTP):
    """aiosmtpd's protocol, numbering its connection and, for
    --require-tls, refusing AUTH and MAIL in clear with the reply the
    tests expect (aiosmtpd's own require_starttls gives no enhanced status
    code, and refuses HELO and RSET as well)."""

    def __init__(self, handler, implicit_tls, require_tls, **kw):
        super().__init__(handler, **kw)
        self.implicit_tls = implicit_tls
        self.require_tls = require_tls
        self.number = None

    def connection_made(self, transport):
        # Called again after STARTTLS, on the same connection.
        if self.number is None:
            self.number = self.event_handler.open_connection()
        super().connection_made(transport)

    def over_tls(self):
        return self.implicit_tls or self.session.ssl is not None

    # wraps() keeps the attributes aiosmtpd's HELP reads from its methods.
    @functools.wraps(SMTP.smtp_AUTH)
    async def smtp_AUTH(self, arg):
        if self.require_tls and not self.over_tls():
            return await self.push(TLS_FIRST)
        return await super().smtp_AUTH(arg)

    @functools.wraps(SMTP.smtp_MAIL)
    async def smtp_MAIL(self, arg):
        if self.require_tls and not self.over_tls():
            return await self.push(TLS_FIRST)
        return await super().smtp_MAIL(arg)

    async def handle_exception(self, error):
        # A client refusing the certificate is a line, not a traceback.
        if isinstance(error, TLSSetupException):
            print(f'smtp-server.py: connection {self.number}: STARTTLS '
                  f'failed: {error.__cause__}', file=sys.stderr)
            return None
        return await super().handle_exception(error)


def make_factory(args):
    """The protocol factory, and the TLS context for --smtps or None."""
    handler = Handler(args)
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    kw = dict(hostname='localhost', decode_data=False, enable_SMTPUTF8=True,
              tls_context=None if args.smtps else tls)
    if args.auth:
        kw.update(auth_required=True, auth_require_tls=False,
                  authenticator=handler.authenticate)
    else:
        # Nothing to log in to: do not offer it.
        kw.update(auth_exclude_mechanism=['LOGIN', 'PLAIN'])

    def factory():
        return Server(handler, args.smtps, args.require_tls, **kw)
    return factory, tls if args.smtps else None


async def serve(args):
    factory, implicit = make_factory(args)
    loop = asyncio.get_running_loop()
    # Served here rather than by aiosmtpd's Controller, whose readiness
    # check connects to its own port and goes wrong with port 0.
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(factory, '127.0.0.1', 0, ssl=implicit)
    port = server.sockets[0].getsockname()[1]
    write_atomic(args.port_file, f'{port}\n'.encode())
    await stop.wait()
    # Not wait_closed(): from Python 3.12 it waits for the clients too.
    server.close()


def main():
    args = parse_args()
    os.makedirs(args.dir, exist_ok=True)
    asyncio.run(serve(args))
    return 0


if __name__ == '__main__':
    sys.exit(main())
