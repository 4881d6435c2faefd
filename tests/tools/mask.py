#!/usr/bin/env python3
# mask.py KEY-FILE FAKENAMES-C: the masks of consent-erase --anonymise
# recomputed from the algorithm in consent-erase(1), for the tests to
# compare with: one RULE:VALUE a line in (rule hash or fake), the mask
# out.  KEY-FILE is the store's tombstone key, FAKENAMES-C lib/fakenames.c
# (the name lists are read from it).
import hashlib, re, sys
key = open(sys.argv[1], "rb").read()
src = open(sys.argv[2], encoding="utf-8").read()
def names(var):
    body = re.search(var + r"\[\] = \{(.*?)\};", src, re.S).group(1)
    return re.findall(r'"([^"]*)"', body)
first, last = names("fake_first_names"), names("fake_last_names")
def sub(label):
    return hashlib.blake2b(label.encode(), key=key, digest_size=32).digest()
hk, fk = sub("consent-erase mask hash"), sub("consent-erase mask fake")
def h(v):
    return hashlib.blake2b(v.encode(), key=hk, digest_size=8).hexdigest()
def fake(v):
    x = int.from_bytes(hashlib.blake2b(v.encode(), key=fk, digest_size=8).digest(), "big")
    words = set(re.split(r"[ \t,.-]", v))
    def fresh(names, i):
        for _ in names:
            if names[i] not in words:
                break
            i = (i + 1) % len(names)
        return names[i]
    return fresh(first, (x >> 32) % len(first)) + " " + fresh(last, (x & 0xffffffff) % len(last))
for line in sys.stdin:
    rule, v = line.rstrip("\n").split(":", 1)
    print(h(v) if rule == "hash" else fake(v))
