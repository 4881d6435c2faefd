#!/usr/bin/env python3
"""man-script.py: a literal block of a subsection of an mdoc page, as a
reader copies it from the rendered page.

usage: man-script.py PAGE TITLE N     the Nth block (from 1)
       man-script.py PAGE TITLE       how many blocks there are

TITLE is the text of the subsection's .Ss line.  A block runs from
".Bd -literal" to ".Ed"; its lines are printed with the escapes the
pages use undone (\\e, \\&, \\(aq, \\(dq, \\-, \\(ha, \\(ti) and mdoc
comment lines (.\\") left out.  Exit 1 when the subsection or the block
is not there, 2 on a usage error.
"""
import sys

ESCAPES = [('\\&', ''), ('\\(aq', "'"), ('\\(dq', '"'), ('\\-', '-'),
           ('\\(ha', '^'), ('\\(ti', '~'), ('\\(ga', '`')]


def unescape(line):
    # \e last but protected: "\e(aq" is a backslash and "(aq"
    parts = line.split('\\e')
    out = []
    for p in parts:
        for a, b in ESCAPES:
            p = p.replace(a, b)
        out.append(p)
    return '\\'.join(out)


def blocks(page, title):
    inside = found = False
    block = None
    result = []
    with open(page, encoding='utf-8') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if line.startswith('.Ss ') or line.startswith('.Sh '):
                if found and not inside:
                    break
                inside = line[4:].strip().strip('"') == title
                found = found or inside
                continue
            if not inside:
                continue
            if block is None and line.startswith('.Bd -literal'):
                block = []
            elif block is not None and line == '.Ed':
                result.append(block)
                block = None
            elif block is not None and not line.startswith('.\\"'):
                block.append(unescape(line))
    return found, result


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    found, bl = blocks(sys.argv[1], sys.argv[2])
    if not found:
        print('man-script.py: %s: no subsection "%s"' % (sys.argv[1],
              sys.argv[2]), file=sys.stderr)
        return 1
    if len(sys.argv) == 3:
        print(len(bl))
        return 0
    n = int(sys.argv[3])
    if not 1 <= n <= len(bl):
        print('man-script.py: "%s" has %d blocks, not %d' % (sys.argv[2],
              len(bl), n), file=sys.stderr)
        return 1
    sys.stdout.write(''.join(l + '\n' for l in bl[n - 1]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
