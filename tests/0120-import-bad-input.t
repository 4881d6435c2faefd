#!/bin/sh
# consent-import and bad input: every class of rejected row (reported as
# "consent-import: FILE:LINE: reason", counted, written to --rejects, the
# good rows imported, exit 1), and the inputs that stop the run (exit 2,
# the store left as it was).
. "${0%/*}/lib.sh"
. "$TOP/tests/import.sh"

# unchanged_since NAME DUMP: the store is as it was dumped.
unchanged_since() {
	sql .dump >"$T/now.dump"
	check_same "$1" "$2" "$T/now.dump"
}

# A store with something in it, so that "unchanged" means something.
printf 'id,name,email,E\n1,Ola,ola@example.no,ja\n2,Kari,kari@example.no,nei\n' >seed.csv
check "a first import to start from" consent-import -c emarketing=E seed.csv

# ---- rejected rows, one class each ----

cat >bad.csv <<'X'
id,name,email,mobile,lang,last_contact
10,Good One,good@example.no,+47 912 34 567,nb,01.02.2020
11,No Domain,a@b,,,
12,No At,a.example.no,,,
13,Two Ats,a@@example.no,,,
14,Double Dot,a..b@example.no,,,
15,Space,a b@example.no,,,
16,Short Mobile,,+47 1234 567,,
17,Long Mobile,,912345678,,
18,Letters,,abc,,
19,Language,,,english,
20,Feb 31,,,,31.02.2020
21,Month 13,,,,2020-13-01
22,Not Leap,,,,29.02.2021
23,Words,,,,yesterday
24,Leap,,,,29.02.2024
X
sql .dump >before.dump
expect_code 1 "bad master data: exit 1" consent-import bad.csv
same_text "bad master data: one diagnostic per row, FILE:LINE: reason, then the summary" \
"consent-import: bad.csv:3: bad e-mail address 'a@b'
consent-import: bad.csv:4: bad e-mail address 'a.example.no'
consent-import: bad.csv:5: bad e-mail address 'a@@example.no'
consent-import: bad.csv:6: bad e-mail address 'a..b@example.no'
consent-import: bad.csv:7: bad e-mail address 'a b@example.no'
consent-import: bad.csv:8: bad mobile number '+47 1234 567'
consent-import: bad.csv:9: bad mobile number '912345678'
consent-import: bad.csv:10: bad mobile number 'abc'
consent-import: bad.csv:11: bad language 'english'
consent-import: bad.csv:12: bad last contact date '31.02.2020'
consent-import: bad.csv:13: bad last contact date '2020-13-01'
consent-import: bad.csv:14: bad last contact date '29.02.2021'
consent-import: bad.csv:15: bad last contact date 'yesterday'
$(summary 15 2 0 0 13 0 0)" "$T/err"
no_stdout "bad master data: nothing on stdout"
shows "bad master data: only the good rows are imported" \
"10|Good One|good@example.no|+4791234567|nb|2020-02-01||active
24|Leap||||2024-02-29||active" customers "" "CAST(key AS INTEGER) BETWEEN 10 AND 24"
shows "bad master data: no rejected row is stored" 0 \
	sql "SELECT count(*) FROM customers WHERE CAST(key AS INTEGER) BETWEEN 11 AND 23"

# ---- the key: missing, duplicate ----

cat >keys.csv <<'X'
id,name,email
30,First,first@example.no
,No Key,nokey@example.no
30,Second,second@example.no
31,Bad Mail,bad@
31,Good Mail,good31@example.no
32,Once,once@example.no
X
expect_code 1 "key problems: exit 1" consent-import keys.csv
same_text "key problems: no key, duplicate of a good row, duplicate of a rejected row" \
"consent-import: keys.csv:3: no key
consent-import: keys.csv:4: duplicate key '30' (first on line 2)
consent-import: keys.csv:5: bad e-mail address 'bad@'
consent-import: keys.csv:6: duplicate key '31' (first on line 5)
$(summary 6 2 0 0 4 0 0)" "$T/err"
shows "key problems: the first occurrence stands; a key first seen on a rejected row is not imported at all" \
"30|First|first@example.no
32|Once|once@example.no" customers "key, name, email" "key BETWEEN '30' AND '39'"

printf 'id,name\n33,In A\n' >dupa.csv
printf 'id,name\n34,In B\n33,Again in B\n' >dupb.csv
expect_code 1 "a key seen in an earlier file of the run is a duplicate" \
	consent-import dupa.csv dupb.csv
grep_ok "a duplicate across files is reported on the later file" \
	"consent-import: dupb.csv:3: duplicate key '33' (first on " "$T/err"
shows "a duplicate across files: the first stands" "33|In A
34|In B" customers "key, name" "key IN ('33', '34')"

# ---- consent values ----

printf 'id,E,P\n40,ja,nei\n41,kanskje,ja\n42, ,\n43,JA,2\n' >vals.csv
expect_code 1 "bad consent values: exit 1" \
	consent-import -c emarketing=E,partners=P vals.csv
same_text "bad consent values: the value and the column are named" \
"consent-import: vals.csv:3: bad consent value 'kanskje' in E
consent-import: vals.csv:5: bad consent value '2' in P
$(summary 4 2 0 0 2 0 0)" "$T/err"
shows "bad consent values: a row with one bad value records nothing" 0 \
	sql "SELECT count(*) FROM customers WHERE key IN ('41', '43')"
shows "bad consent values: good rows recorded, a blank cell records nothing" \
"40|emarketing|granted
40|partners|denied" consents "key, purpose, state" \
	"key IN ('40', '42') AND purpose <> 'service'"

# ---- ragged rows, quoting, line numbers ----

printf 'id,name,email\n50,"Multi\nLine",\n\n51,Short\n52,Long,l@example.no,extra\n53,"bad"quote,\n54,Last,last@example.no\n' >ragged.csv
expect_code 1 "ragged rows: exit 1" consent-import --rejects ragged.rej ragged.csv
same_text "ragged rows: counted fields named, lines counted over quoted newlines and blank lines" \
"consent-import: ragged.csv:5: 2 fields where the header has 3
consent-import: ragged.csv:6: 4 fields where the header has 3
consent-import: ragged.csv:7: bad quoting (a quote inside an unquoted field, or text after a closing quote)
$(summary 5 2 0 0 3 0 0)" "$T/err"
printf 'id,name,email,reason\n51,Short,2 fields where the header has 3\n52,Long,l@example.no,extra,4 fields where the header has 3\n53,"bad"quote,,"bad quoting (a quote inside an unquoted field, or text after a closing quote)"\n' >ragged.want
check_same "ragged rows: written to --rejects as read, with the reason" \
	ragged.want ragged.rej
shows "ragged rows: the good rows are imported, a quoted newline kept" \
"50|Multi
Line
54|Last" customers "key, name" "key IN ('50', '51', '52', '53', '54')"

# ---- encodings ----

# Octal escapes: the printf of a POSIX sh need not know \x.
printf 'id,name\n60,Bj\370rn\n61,Plain\n' >latin.csv
expect_code 1 "invalid UTF-8 without --encoding: exit 1" \
	consent-import --rejects latin.rej latin.csv
same_text "invalid UTF-8: named with file and line" \
"consent-import: latin.csv:2: invalid UTF-8 (is it another encoding? try --encoding cp1252)
$(summary 2 1 0 0 1 0 0)" "$T/err"
printf 'id,name,reason\n60,Bj\370rn,invalid UTF-8 (is it another encoding? try --encoding cp1252)\n' >latin.want
check_same "invalid UTF-8: the row goes to --rejects with its bytes" latin.want latin.rej
shows "invalid UTF-8: the other row is imported" "61" \
	customers key "key IN ('60', '61')"

printf '\357\273\277id,name\n62,Bom\n' >bom.csv
expect_code 0 "a UTF-8 byte-order mark is dropped" consent-import bom.csv
shows "a byte-order mark: the id column is found" "62|Bom" \
	customers "key, name" "key = '62'"

sql .dump >before.dump
expect_code 2 "an unknown encoding exits 2" consent-import -e no-such-code latin.csv
grep_ok "an unknown encoding: named" "'no-such-code'" "$T/err"
unchanged_since "an unknown encoding: the store is unchanged" before.dump

# ---- inputs that stop the run ----

: >empty.csv
sql .dump >before.dump
expect_code 2 "an empty file exits 2" consent-import empty.csv
grep_ok "an empty file: named" "consent-import: empty.csv: " "$T/err"
unchanged_since "an empty file: the store is unchanged" before.dump
expect_code 2 "empty stdin exits 2" sh -c 'consent-import </dev/null'
grep_ok "empty stdin: named <stdin>" "consent-import: <stdin>: " "$T/err"

printf 'id,name,email\n' >header.csv
expect_code 0 "a header and no rows: exit 0" consent-import header.csv
same_text "a header and no rows: read 0" "$(summary 0 0 0 0 0 0 0)" "$T/err"
unchanged_since "a header and no rows: the store is unchanged" before.dump

printf '70,Ola Nordmann,ola@example.no\n71,Kari Nordmann,kari@example.no\n' >noheader.csv
expect_code 2 "a file without a header exits 2" consent-import noheader.csv
same_text "no header: the missing key column is named" \
	"consent-import: noheader.csv: no key column 'id'" "$T/err"
unchanged_since "no header: the store is unchanged" before.dump

printf 'Kundenr,name\n72,Per\n' >nokey.csv
expect_code 2 "a file without the key column exits 2" consent-import seed.csv nokey.csv
same_text "no key column: named with the file" \
	"consent-import: nokey.csv: no key column 'id'" "$T/err"
unchanged_since "no key column: the earlier file of the run is not imported either" before.dump

printf 'id,name\n73,Per\n' >good.csv
expect_code 2 "a missing file exits 2" consent-import good.csv missing.csv
grep_ok "a missing file: named" "consent-import: missing.csv: " "$T/err"
unchanged_since "a missing file: the store is unchanged (the good file is not imported)" before.dump
mkdir adir
expect_code 2 "a directory as input exits 2" consent-import good.csv adir
grep_ok "a directory as input: named" "consent-import: adir: " "$T/err"
unchanged_since "a directory as input: the store is unchanged" before.dump
printf 'id,name\n74,Per\n' >locked.csv
chmod 000 locked.csv
if [ -r locked.csv ]; then
	echo "# skipped: a mode 000 file is readable (running as root)"
else
	expect_code 2 "an unreadable file exits 2" consent-import good.csv locked.csv
	grep_ok "an unreadable file: named" "consent-import: locked.csv: " "$T/err"
	unchanged_since "an unreadable file: the store is unchanged" before.dump
fi

expect_code 2 "a bad CONSENT_NOW exits 2" env CONSENT_NOW=tomorrow consent-import good.csv
grep_ok "a bad CONSENT_NOW: named" "CONSENT_NOW" "$T/err"
unchanged_since "a bad CONSENT_NOW: the store is unchanged" before.dump

echo "not a database, just text" >notdb
cp notdb notdb.orig
expect_code 2 "a store that is not a database exits 2" consent-import --db notdb good.csv
grep_ok "a store that is not a database: named" "notdb" "$T/err"
check_same "a store that is not a database: left as it was" notdb.orig notdb
unchanged_since "a store error: \$CONSENT_DB is untouched" before.dump

done_testing
