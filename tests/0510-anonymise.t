#!/bin/sh
# consent-erase --anonymise: the masking rules exactly (hash and fake
# recomputed here from the documented algorithm under a known key), rows of
# erased and restricted customers found by key, e-mail or mobile, every
# other row byte for byte, --all, --keep, '*', --map, --encoding, and the
# errors.
. "${0%/*}/lib.sh"

out_is() {
	same_text "$1" "$2" "$T/out"
}

# A known tombstone key: a 32-byte file where consent-erase makes its key
# is taken as it is (as after a run killed before its commit).
printf '0123456789abcdef0123456789abcdef' >"$CONSENT_DB-tombstone.key"
chmod 600 "$CONSENT_DB-tombstone.key"

cat >reg.csv <<'X'
id,name,email,mobile,last_contact
e1,Erla Slettmeg,erla.slett@example.no,912 34 567,2025-02-03
e2,Eirik Glemt,eirik.glemt@example.no,+47 413 57 913,
r1,Rolf Holdes,rolf.holdes@example.no,482 91 735,2024-05-06
a1,Anna Aktiv,anna.aktiv@example.no,+46 70 111 22 33,2026-01-01
X
printf 'id,Hold\nr1,2031-12-31\n' >hold.csv
check "four customers" consent-import reg.csv
check "r1 under a hold" consent-import --hold-column Hold hold.csv
printf 'e1\ne2\nr1\n' | consent-erase -q >/dev/null
sql "SELECT count(*) FROM customers" >n.out
same_text "e1 and e2 erased, r1 restricted" 2 n.out

# The expected masks, from the algorithm of consent-erase(1).
want() {
	printf '%s\n' "$@" | want_all
}
want_all() {
	python3 "$TOP/tests/tools/mask.py" "$CONSENT_DB-tombstone.key" "$TOP/lib/fakenames.c"
}

# ---- the rows of the erased, found by key, e-mail or mobile ----

printf 'id,name,email,mobile,amount,date\r\n' >export.csv
printf 'e1,Erla Slettmeg,erla.slett@example.no,91234567,100,03.02.2025\r\n' >>export.csv
printf 'x7,"Glemt, Eirik",EIRIK.Glemt@Example.no,,200,2025-02-04\r\n' >>export.csv
printf 'x8,Eirik G,,+47 413-57-913,300,2025-02-05\r\n' >>export.csv
printf 'r1,Rolf Holdes,rolf@other.example,,400,2024-05-06\r\n' >>export.csv
printf 'a1,"Anna ""Aktiv""",anna.aktiv@example.no,+46 70 111 22 33,500,2026-01-01\r\n' >>export.csv
printf 'x9,Ny Kunde,ny@example.no,,600,2026-02-02\r\n' >>export.csv

expect_code 0 "--anonymise: exit 0" consent-erase \
	--anonymise name:fake,email:hash,mobile:partial,date:year export.csv
set -- $(want "fake:Erla Slettmeg" "hash:erla.slett@example.no" \
    "fake:Glemt, Eirik" "hash:EIRIK.Glemt@Example.no" "fake:Eirik G" \
    "fake:Rolf Holdes" "hash:rolf@other.example" | tr ' ' '_')
fake_e1=$(echo "$1" | tr _ ' ') hash_e1=$2 fake_x7=$(echo "$3" | tr _ ' ')
hash_x7=$4 fake_x8=$(echo "$5" | tr _ ' ') fake_r1=$(echo "$6" | tr _ ' ')
hash_r1=$7
printf 'id,name,email,mobile,amount,date\r\n' >want.csv
printf 'e1,%s,%s,******67,100,2025\r\n' "$fake_e1" "$hash_e1" >>want.csv
printf 'x7,%s,%s,,200,2025\r\n' "$fake_x7" "$hash_x7" >>want.csv
printf 'x8,%s,,+** ***-**-*13,300,2025\r\n' "$fake_x8" >>want.csv
printf 'r1,%s,%s,,400,2024\r\n' "$fake_r1" "$hash_r1" >>want.csv
sed -n '6,7p' export.csv >>want.csv
check_same "the rows of e1 (key), x7 (e-mail, other case), x8 (mobile, other format) and restricted r1 masked; a1 and x9 byte for byte" \
	want.csv "$T/out"
err_is "the summary" "consent-erase: 6 rows, 4 masked"
expect_code 0 "--anonymise again gives the same masks (stable)" consent-erase -q \
	--anonymise name:fake,email:hash,mobile:partial,date:year export.csv
check_same "stable: the same output" want.csv "$T/out"
printf '%s\n' "$hash_e1" | grep -c '^[0-9a-f]\{16\}$' >nk
same_text "hash: 16 hex digits" 1 nk

# ---- the rules, exactly, on every row ----

cat >rules.csv <<'X'
id,a,b,c,d
1,kari.nordmann@example.no,+47 912 34 567,Åse Berg,2026-11-22
2,  padded@example.no  ,12,Ø,22.11.2026
3,not-an-email,1234,x,2026-11-22T23:30:00-02:00
4,,,,
5,@example.no,12-34,Ola,not a date
6,ø@example.no,(0)55 123,Zed,2026
X
expect_code 0 "--all: partial, partial, partial, year" consent-erase -q --all \
	--anonymise a:partial,b:partial,c:partial,d:year rules.csv
out_is "partial: e-mail first letter and domain, digits but the last two, a name's first letter; year" \
"id,a,b,c,d
1,k***@example.no,+** *** ** *67,Å***,2026
2,p***@example.no,**,Ø***,2026
3,n***,**34,x***,2026
4,,,,
5,@***,**-34,O***,
6,ø***@example.no,(*)** *23,Z***,2026"
expect_code 0 "--all: blank, hash" consent-erase -q --all \
	--anonymise a:blank,b:hash,c:hash rules.csv
set -- $(want "hash:+47 912 34 567" "hash:Åse Berg" "hash:12" "hash:Ø")
out_is "blank and hash (blanks around a value ignored, an empty cell stays empty)" \
"id,a,b,c,d
1,,$1,$2,2026-11-22
2,,$3,$4,22.11.2026
3,,$(want hash:1234),$(want hash:x),2026-11-22T23:30:00-02:00
4,,,,
5,,$(want hash:12-34),$(want hash:Ola),not a date
6,,$(want 'hash:(0)55 123'),$(want hash:Zed),2026"

# ---- fake never repeats a word of the real name ----

# Every pair of the bundled names as a real name, and a double surname:
# left to the hash alone, about one row in 24 would keep a part of it.
python3 - "$TOP/lib/fakenames.c" >names.csv <<'X'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
def names(var):
    body = re.search(var + r"\[\] = \{(.*?)\};", src, re.S).group(1)
    return re.findall(r'"([^"]*)"', body)
first, last = names("fake_first_names"), names("fake_last_names")
print("id,name")
for i, f in enumerate(first):
    for j, l in enumerate(last):
        print("%d,%s %s" % (i * 100 + j, f, l))
    print("%d,%s %s-%s" % (i * 100 + 99, f, last[i], last[-1 - i]))
X
expect_code 0 "--all name:fake over every pair of the bundled names" \
	consent-erase -q --all --anonymise name:fake names.csv
sed 1d names.csv | cut -d, -f2- | sed 's/^/fake:/' | want_all >want.txt
sed 1d "$T/out" | cut -d, -f2- >got.txt
check_same "each fake as the documented algorithm gives it" want.txt got.txt
sed 1d names.csv | cut -d, -f2- | paste -d'|' - got.txt | python3 -c '
import re, sys
n = 0
for line in sys.stdin:
    real, fake = line.rstrip("\n").split("|")
    if set(re.split(r"[ ,.-]", real)) & set(fake.split(" ")):
        n += 1
print(n)' >shared.txt
same_text "no fake shares a first or last name with the real name" 0 shared.txt

# ---- --keep, '*', --map ----

expect_code 0 "'*:blank' with --keep: only the kept columns stay" consent-erase -q \
	--all --anonymise '*:blank,c:partial' --keep id,d rules.csv
out_is "'*' and --keep" "id,a,b,c,d
1,,,Å***,2026-11-22
2,,,Ø***,22.11.2026
3,,,x***,2026-11-22T23:30:00-02:00
4,,,,
5,,,O***,not a date
6,,,Z***,2026"
expect_code 2 "a column both masked and kept exits 2" consent-erase \
	--all --anonymise a:blank --keep a rules.csv
err_is "masked and kept: said" "consent-erase: column 'a' is named twice in --anonymise and --keep"
printf 'Kundenr;Navn;Epost\ne1;Erla;x@example.no\nq1;Q;q@example.no\n' >no.csv
expect_code 0 "--map: columns by the toolkit's names, the key found by it" \
	consent-erase -q --map id=Kundenr,name=Navn --anonymise name:blank no.csv
out_is "--map: e1's name blanked, ';' kept" "Kundenr;Navn;Epost
e1;;x@example.no
q1;Q;q@example.no"
printf 'Navn;E-post\nErla;erla.slett@example.no\nQ;q@example.no\n' >noid.csv
expect_code 0 "no key column: found by e-mail alone" \
	consent-erase -q --map email=E-post --anonymise Navn:partial noid.csv
out_is "by e-mail: the row masked" "Navn;E-post
E***;erla.slett@example.no
Q;q@example.no"
printf 'Navn,Beløp\nErla,100\n' >nothing.csv
expect_code 2 "no key, e-mail or mobile column and no --all exits 2" \
	consent-erase --anonymise Navn:blank nothing.csv
err_is "nothing to match by: said" \
	"consent-erase: nothing.csv: no key, email or mobile column to find the erased by (give --key, --map, or --all)"

# ---- --encoding: masked rows go back into the input's encoding ----

printf 'id;name;x\r\ne1;Erla \370;1\r\na1;\305se;2\r\n' >cp.csv
expect_code 0 "--encoding latin1" consent-erase -q -e latin1 \
	--anonymise name:partial,x:blank cp.csv
printf 'id;name;x\r\ne1;E***;\r\na1;\305se;2\r\n' >want.cp
check_same "--encoding: the masked row and the passed one in latin1" want.cp "$T/out"
printf 'id;name\r\ne1;\370ystein\r\n' >cp2.csv
expect_code 0 "--encoding: a masked value with a non-ASCII letter" consent-erase -q \
	-e latin1 --anonymise name:partial cp2.csv
printf 'id;name\r\ne1;\370***\r\n' >want.cp
check_same "--encoding: the letter in latin1" want.cp "$T/out"

# ---- several files, errors ----

printf 'id,name\ne1,Erla\n' >f1.csv
printf 'id,name\na1,Anna' >f2.csv
printf 'id,name\ne2,Eirik\n' >f3.csv
expect_code 0 "several files: one header, a last line without its newline mended" \
	consent-erase -q --anonymise name:blank f1.csv f2.csv f3.csv
out_is "several files" "id,name
e1,
a1,Anna
e2,"
printf 'id,navn\ne1,x\n' >f4.csv
expect_code 2 "a file with another header exits 2" \
	consent-erase -q --anonymise name:blank f1.csv f4.csv
err_is "another header: said" "consent-erase: f4.csv: its header differs from that of f1.csv"
printf 'id,name\ne1,"Erla\nx1,Ok\n' >broken.csv
expect_code 2 "a record that cannot be read: exit 2" \
	consent-erase -q --anonymise name:blank broken.csv
out_is "an unreadable record is left out, never passed" "id,name"
expect_code 2 "a missing column exits 2" consent-erase --anonymise nope:blank f1.csv
err_is "a missing column: said" "consent-erase: f1.csv: no column 'nope'"
expect_code 2 "an unknown rule exits 2" consent-erase --anonymise name:scramble f1.csv
err_is "an unknown rule: said" \
	"consent-erase: --anonymise: unknown rule 'scramble' (blank, hash, partial, year, fake)"
expect_code 2 "no rule exits 2" consent-erase --anonymise name f1.csv
err_is "no rule: said" "consent-erase: --anonymise: expected COLUMN:RULE in 'name'"
expect_code 0 "--all without keyed rules needs no store" env CONSENT_DB="$T/none.db" \
	consent-erase -q --all --anonymise name:partial f1.csv
out_is "no store: masked all the same" "id,name
e1,E***"
check "... and made none" test ! -e none.db
expect_code 2 "hash without a store exits 2" env CONSENT_DB="$T/none.db" \
	consent-erase -q --all --anonymise name:hash f1.csv
err_is "hash without a store: said" \
	"consent-erase: $T/none.db: no store here (consent-import makes one)"

# A store no one was erased from has no key yet: a keyed mask makes it.
check "a fresh store" consent-import --db fresh.db f1.csv
expect_code 0 "a keyed mask on a store without a key" \
	consent-erase -q --db fresh.db --all --anonymise name:hash f1.csv
cp "$T/out" first.out
check "the key is made beside the store" test -s fresh.db-tombstone.key
stat -c %a fresh.db-tombstone.key >mode
same_text "... with mode 0600" 600 mode
expect_code 0 "the same mask again" \
	consent-erase -q --db fresh.db --all --anonymise name:hash f1.csv
check_same "stable across runs with the key made" first.out "$T/out"

done_testing
