#!/usr/bin/env python3
# landing-abuse.py: the abusive and the good clients of
# tests/0430-landing-abuse.t, on loopback.
#
#   landing-abuse.py slow PORT N MIN MAX [SOURCE]
#       N connections from SOURCE (default 127.0.0.1), each sending half
#       a request line and then nothing; prints "cut off" when the server
#       closed every one of them, without a byte of reply, between MIN
#       and MAX seconds after it was opened, else what happened.
#   landing-abuse.py hold PORT N SECONDS STATUS [SOURCE]
#       N connections from SOURCE that keep sending a header a byte at a
#       time (every 0.25 s, so that no idle time-out cuts them off); after
#       0.5 s writes "open K refused M" to STATUS (M: closed by the
#       server at once), holds the open ones until SECONDS have passed,
#       closes them and appends "done".
#   landing-abuse.py good PORT STOPFILE SOURCE PATH...
#       GETs of the PATHs in turn, each on a new connection from SOURCE,
#       until STOPFILE exists; prints "served N failed M" (served: a 200).
import http.client
import os
import socket
import sys
import time


def connect(port, source):
    s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                 source_address=(source, 0))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def closed(s, wait):
    """Whether the peer closed s within wait seconds (b"" or a reset),
    and the bytes it sent first."""
    s.settimeout(wait)
    got = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                return True, got
            got += b
    except socket.timeout:
        return False, got
    except (ConnectionResetError, BrokenPipeError):
        return True, got


def slow(port, n, lo, hi, source="127.0.0.1"):
    socks = []
    for _ in range(int(n)):
        s = connect(int(port), source)
        s.sendall(b"GET /c/AAAA")
        socks.append((s, time.monotonic()))
    bad = []
    for s, t0 in socks:
        left = float(hi) - (time.monotonic() - t0)
        ok, got = closed(s, max(left, 0.01))
        took = time.monotonic() - t0
        if not ok:
            bad.append("still open after %.1f s" % took)
        elif got:
            bad.append("got %r" % got[:40])
        elif took < float(lo):
            bad.append("closed after %.1f s only" % took)
        s.close()
    print("; ".join(bad) if bad else "cut off")


def hold(port, n, seconds, status, source="127.0.0.1"):
    t0 = time.monotonic()
    socks = []
    for _ in range(int(n)):
        s = connect(int(port), source)
        s.sendall(b"GET /style.css HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        socks.append(s)
    time.sleep(0.5)
    live, refused = [], 0
    for s in socks:
        ok, _ = closed(s, 0.01)
        if ok:
            refused += 1
            s.close()
        else:
            live.append(s)
    with open(status + ".tmp", "w") as f:
        f.write("open %d refused %d\n" % (len(live), refused))
    os.rename(status + ".tmp", status)
    while time.monotonic() - t0 < float(seconds):
        for s in live:
            try:
                s.sendall(b"x")
            except OSError:
                pass
        time.sleep(0.25)
    for s in live:
        s.close()
    with open(status, "a") as f:
        f.write("done\n")


def good(port, stopfile, source, *paths):
    served = failed = 0
    i = 0
    while not os.path.exists(stopfile):
        path = paths[i % len(paths)]
        i += 1
        try:
            c = http.client.HTTPConnection("127.0.0.1", int(port),
                                           timeout=10,
                                           source_address=(source, 0))
            c.request("GET", path, headers={"User-Agent": "good/1.0"})
            r = c.getresponse()
            r.read()
            if r.status == 200:
                served += 1
            else:
                failed += 1
                print("# %s: %d" % (path[:11], r.status), file=sys.stderr)
            c.close()
        except OSError as e:
            failed += 1
            print("# %s: %s" % (path[:11], e), file=sys.stderr)
        time.sleep(0.02)
    print("served %d failed %d" % (served, failed))


if __name__ == "__main__":
    cmds = {"slow": slow, "hold": hold, "good": good}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit("usage: landing-abuse.py slow|hold|good ...")
    cmds[sys.argv[1]](*sys.argv[2:])
