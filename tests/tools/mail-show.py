#!/usr/bin/env python3
"""mail-show.py FILE...: for the tests, parse each message (raw RFC 5322,
as an SMTP server received it) with Python's e-mail parser and print what
a reader sees, one field a line:

    form: ok | LINE: what is wrong   (CRLF only, no line over 76 or 998)
    from: the decoded From
    to: the decoded To
    subject: the decoded Subject
    date, message-id, content-type: as given
    the decoded body, its CRLF turned into LF
    --

Python 3.11's address parser keeps a space between two encoded-words in a
display name (gh-128110), so To and From are decoded with
email.header.decode_header, which follows RFC 2047."""
import email
import email.header
import email.policy
import sys


def form(raw):
    lines = raw.split(b"\r\n")
    for n, line in enumerate(lines[:-1], 1):
        if b"\n" in line or b"\r" in line:
            return "%d: a bare CR or LF" % n
        if len(line) > 998:
            return "%d: longer than 998" % n
    if lines[-1] != b"":
        return "the last line does not end in CRLF"
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    for n, line in enumerate(head, 1):
        if len(line) > 76:
            return "%d: a header line longer than 76" % n
    return "ok"


def decoded(value):
    parts = email.header.decode_header(str(value))
    return str(email.header.make_header(parts))


def show(path):
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    print("form:", form(raw))
    print("from:", decoded(msg["From"]))
    print("to:", decoded(msg["To"]))
    print("subject:", decoded(msg["Subject"]))
    print("date:", msg["Date"])
    print("message-id:", msg["Message-ID"])
    print("content-type:", msg["Content-Type"])
    print("transfer-encoding:", msg["Content-Transfer-Encoding"])
    body = msg.get_payload(decode=True).decode("utf-8")
    sys.stdout.write(body.replace("\r\n", "\n"))
    print("--")


for p in sys.argv[1:]:
    show(p)
