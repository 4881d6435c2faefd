#!/usr/bin/env python3
"""audit-verify: check the audit chain of a store, as lib/audit.c says
consent-log --verify will (until that exists, for the tests).

Usage: audit-verify.py STORE

Walks the events in seq order from the zero hash.  An event whose evidence
is "redacted by event N", where N is a later erasure event (purpose NULL,
new "erased" or "restricted", evidence "redacted LIST...") whose LIST holds
its seq, is linked by its stored hash; every other event must hash to its
stored hash (BLAKE2b-128 over the previous hash, the seq and the fields,
each length-prefixed, NULL as five 0xff bytes).  Prints "ok N events (R
redacted)" and exits 0, or "break at event SEQ: WHY" and exits 1."""

import hashlib
import re
import sqlite3
import sys


def field(v):
    if v is None:
        return b"\xff" * 5
    b = v.encode() if isinstance(v, str) else v
    return b"\0" + len(b).to_bytes(4, "big") + b


def event_hash(prev, seq, fields):
    h = hashlib.blake2b(digest_size=16)
    h.update(prev)
    h.update(field(str(seq)))
    for f in fields:
        h.update(field(f))
    return h.digest()


def ranges(text):
    out = set()
    if text == "none":
        return out
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def main():
    con = sqlite3.connect(sys.argv[1])
    rows = con.execute(
        "SELECT e.seq, r.at, r.actor, r.tool, e.customer, e.purpose, e.old,"
        " e.new, e.basis, e.source, e.evidence, e.request, e.hash"
        " FROM events e JOIN runs r ON r.id = e.run ORDER BY e.seq").fetchall()
    lists = {}
    for r in rows:
        seq, purpose, new, ev = r[0], r[5], r[7], r[10]
        if purpose is None and new in ("erased", "restricted") and ev:
            m = re.match(r"redacted ([0-9,-]+|none)(;|$)", ev)
            if m:
                lists[seq] = ranges(m.group(1))
    prev = bytes(16)
    want = 1
    redacted = 0
    for r in rows:
        seq = r[0]
        if seq != want:
            print(f"break at event {want}: missing")
            return 1
        want += 1
        ev = r[10]
        m = re.fullmatch(r"redacted by event ([0-9]+)", ev or "")
        if m:
            by = int(m.group(1))
            if by <= seq or seq not in lists.get(by, ()):
                print(f"break at event {seq}: redacted, but event {by}"
                      " does not list it")
                return 1
            redacted += 1
            prev = r[12]
            continue
        fields = list(r[1:11])
        fields[9] = ev if ev else None
        fields.append(str(r[11]) if r[11] else None)
        h = event_hash(prev, seq, fields)
        if h != r[12]:
            print(f"break at event {seq}: hash differs")
            return 1
        prev = h
    print(f"ok {len(rows)} events ({redacted} redacted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
