#!/usr/bin/env python3
"""sms-gateway.py: a stand-in HTTP SMS gateway for the test suite.

usage: sms-gateway.py --dir DIR --port-file FILE [--key KEY]
           [--fail-first N:CODE] [--fail-to NUMBER:CODE]... [--drop-first N]

Listens on 127.0.0.1 on a port of the kernel's choosing and writes that
port to FILE (through FILE.tmp and a rename) once it accepts connections;
runs until SIGTERM or SIGINT, then exits 0.

Every POST, whatever its path, is recorded before it is answered, as
DIR/NNNNNN.json (from 000001, written through a rename):
  {"path", "headers": {lower-cased name: value}, "body": the body as text,
   "form": the application/x-www-form-urlencoded body as {name: value}
   (a list where a name is repeated; null for another content type),
   "status": the status answered, null when the connection was dropped}

Answers, the first that applies:
  --drop-first N        the first N requests: the connection is closed
                        without a response
  --key KEY             an Authorization header other than "Bearer KEY":
                        401 "bad key"
  --fail-first N:CODE   the first N requests that get this far: CODE,
                        "gateway says CODE"
  --fail-to NUMBER:CODE a form field "to" equal to NUMBER: CODE,
                        "rejected NUMBER"
  otherwise             200 {"id": NNNNNN, the request's number}
"""
import argparse
import http.server
import json
import os
import signal
import sys
import threading
import urllib.parse

FORM = 'application/x-www-form-urlencoded'


def pair(spec):
    """'X:CODE' as (X, CODE); X may itself hold a colon."""
    x, colon, code = spec.rpartition(':')
    if not colon or not x or not code.isdigit():
        raise argparse.ArgumentTypeError(f'not X:CODE: {spec!r}')
    return x, int(code)


def parse_args():
    p = argparse.ArgumentParser(
        description='A stand-in HTTP SMS gateway for the test suite.')
    p.add_argument('--dir', required=True)
    p.add_argument('--port-file', required=True)
    p.add_argument('--key')
    p.add_argument('--fail-first', type=pair, metavar='N:CODE')
    p.add_argument('--fail-to', type=pair, action='append', default=[],
                   metavar='NUMBER:CODE')
    p.add_argument('--drop-first', type=int, default=0, metavar='N')
    a = p.parse_args()
    if a.fail_first and not a.fail_first[0].isdigit():
        p.error(f'--fail-first: not N:CODE: {a.fail_first[0]!r}')
    return a


def write_atomic(path, data):
    """Write through a name no *.json glob matches, then rename."""
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def parse_form(body):
    fields = urllib.parse.parse_qs(body, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}


class State:
    """What the request threads share: the count and the quotas left."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.requests = 0
        self.drops = args.drop_first
        self.fails = int(args.fail_first[0]) if args.fail_first else 0


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so that a client may send many requests on one connection.
    protocol_version = 'HTTP/1.1'
    args = None
    state = None

    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(n)
        body = raw.decode('utf-8', 'replace')
        ctype = self.headers.get('Content-Type', '').split(';')[0].strip()
        form = parse_form(body) if ctype.lower() == FORM else None
        with self.state.lock:
            self.state.requests += 1
            number = self.state.requests
            status, text = self.answer(form)
        record = {
            'path': self.path,
            'headers': self.header_dict(),
            'body': body,
            'form': form,
            'status': status,
        }
        write_atomic(os.path.join(self.args.dir, f'{number:06d}.json'),
                     json.dumps(record).encode() + b'\n')
        if status is None:
            self.close_connection = True
            return
        if status == 200:
            self.reply(200, 'application/json', json.dumps({'id': number}))
        else:
            self.reply(status, 'text/plain', text)

    def answer(self, form):
        """The status and body for this request, None for a drop; called
        under the lock, as it uses up the quotas."""
        a, st = self.args, self.state
        if st.drops > 0:
            st.drops -= 1
            return None, None
        if a.key is not None and \
                self.headers.get('Authorization') != f'Bearer {a.key}':
            return 401, 'bad key'
        if st.fails > 0:
            st.fails -= 1
            return a.fail_first[1], f'gateway says {a.fail_first[1]}'
        to = form.get('to') if form else None
        for number, code in a.fail_to:
            if to == number:
                return code, f'rejected {number}'
        return 200, None

    def header_dict(self):
        h = {}
        for name, value in self.headers.items():
            name = name.lower()
            h[name] = f'{h[name]}, {value}' if name in h else value
        return h

    def reply(self, status, ctype, text):
        data = text.encode()
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        # A line per request would bury real problems on stderr.
        pass


def stop(signum, frame):
    raise KeyboardInterrupt


def main():
    args = parse_args()
    os.makedirs(args.dir, exist_ok=True)
    Handler.args, Handler.state = args, State(args)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    write_atomic(args.port_file, f'{server.server_address[1]}\n'.encode())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
