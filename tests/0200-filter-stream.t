#!/bin/sh
# consent-filter on the stream alone, without a store: records pass byte
# for byte (CSV, ';'-CSV with CRLF, TSV, quoting, a byte-order mark,
# cp1252), the stream selectors (--codes, --channel, --contacted-within,
# --suppress, with --map and --key), -v and -c, the exit status as grep's,
# bad input reported as FILE:LINE and left out, several files and stdin,
# the options every tool has, and those that take one value.  No test
# imports: $CONSENT_DB does not exist, so the store selectors must fail
# naming it.
. "${0%/*}/lib.sh"

# out_is NAME FORMAT: the last run's stdout is exactly printf FORMAT.
out_is() {
	printf "$2" >"$T/want.out"
	check_same "$1" "$T/want.out" "$T/out"
}

# passed NAME FILE: the last run's stdout is FILE, byte for byte (cmp).
passed() {
	if cmp -s "$2" "$T/out"; then
		_ok "$1"
	else
		_not_ok "$1" "stdout is not $2 byte for byte:" \
		    "$(cmp "$2" "$T/out" 2>&1)" "$(od -c "$T/out" | head -8)"
	fi
}

nostore="consent-filter: $T/consent.db: no store (import customers first with consent-import, or give --db)"
quoting="bad quoting (a quote inside an unquoted field, or text after a closing quote)"

# ---- no selector: every record passes as it was read ----

printf 'id,name,email\n1,Ola Nordmann,ola@example.no\n2,Kari,kari@example.no\n' >plain.csv
expect_code 0 "plain CSV, no selector: exit 0" consent-filter plain.csv
passed "plain CSV passes byte for byte" plain.csv
check_same "nothing on stderr" /dev/null "$T/err"

printf 'Kundenr;Navn;Merknad\r\n1;"Linje1\r\nLinje2";x\r\n2;"a;b";"si ""hei"""\r\n3;Per;\r\n' >semi.csv
expect_code 0 "';'-CSV with CRLF: exit 0" consent-filter semi.csv
passed "';'-CSV with CRLF passes byte for byte (CRLF inside quotes too)" semi.csv

printf 'id\tname\tnote\n1\tOla\t"a\tb"\n2\tKari\t\n' >plain.tsv
expect_code 0 "TSV: exit 0" consent-filter plain.tsv
passed "TSV passes byte for byte" plain.tsv

printf 'id,name,note\n1,"Multi\nLine","say ""hi"", ok"\n2,"a,b",x\n3,plain,"last"' >quoted.csv
expect_code 0 "quoting and a last line without a line ending: exit 0" \
	consent-filter quoted.csv
passed "quoted newlines, doubled quotes, embedded delimiters and a missing last line ending pass as read" quoted.csv

printf '\357\273\277id,name\n1,Bom\n2,Other\n' >bom.csv
expect_code 0 "a UTF-8 byte-order mark: exit 0" consent-filter bom.csv
out_is "a byte-order mark is dropped on input; the header line is passed as read after it" \
	'id,name\n1,Bom\n2,Other\n'
printf '2\n' >bom.sup
expect_code 0 "a byte-order mark: the key column 'id' is still found" \
	consent-filter -s bom.sup bom.csv
out_is "a byte-order mark: key 2 suppressed" 'id,name\n1,Bom\n'

# Octal escapes: \370 is cp1252 ø, \345 å, \346 æ.
printf 'id;M\345lgruppe;Navn\r\n1;R;Bj\370rn\r\n2;F;\346\370\345\r\n' >cp.csv
expect_code 0 "--encoding cp1252, no selector: exit 0" consent-filter -e cp1252 cp.csv
passed "--encoding cp1252: the bytes stay cp1252 on output" cp.csv
expect_code 0 "--encoding cp1252: a column named in UTF-8 finds the converted header" \
	consent-filter --encoding cp1252 --codes 'Målgruppe:R' cp.csv
out_is "--encoding cp1252 --codes: the selected record in its cp1252 bytes" \
	'id;M\345lgruppe;Navn\r\n1;R;Bj\370rn\r\n'
expect_code 2 "cp1252 bytes without --encoding: exit 2" consent-filter cp.csv
err_is "cp1252 without --encoding: the header's line is named" \
	"consent-filter: cp.csv:1: invalid UTF-8 (is it another encoding? try --encoding cp1252)"
no_stdout "cp1252 without --encoding: a header that cannot be read gives nothing"
printf 'id;Navn\r\n1;Bj\370rn\r\n2;\201x\r\n3;Per\r\n' >cpbad.csv
expect_code 2 "a byte cp1252 does not have: exit 2" consent-filter -e cp1252 cpbad.csv
err_is "a byte cp1252 does not have: named by file and line" \
	"consent-filter: cpbad.csv:3: bytes not valid in the input encoding"
out_is "a byte cp1252 does not have: the other records pass" \
	'id;Navn\r\n1;Bj\370rn\r\n3;Per\r\n'
expect_code 2 "an unknown encoding: exit 2" consent-filter -e no-such-code plain.csv
err_is "an unknown encoding: named" "consent-filter: unknown encoding 'no-such-code'"

# ---- --codes COLUMN:LETTERS ----

cat >codes.csv <<'X'
id,name,status
1,Ola,RF
2,Kari,R
3,Per,F
4,Ane,
5,"Pål, jr.","S,R"
6,Liv,r
7,Tor,rf
X
expect_code 0 "--codes status:R: exit 0" consent-filter --codes status:R codes.csv
out_is "--codes status:R: the records holding R, quoting kept" \
	'id,name,status\n1,Ola,RF\n2,Kari,R\n5,"Pål, jr.","S,R"\n'
expect_code 0 "--codes status:RF: exit 0" consent-filter --codes status:RF codes.csv
out_is "--codes status:RF: every letter is needed" 'id,name,status\n1,Ola,RF\n'
expect_code 0 "--codes status:R,F: exit 0" consent-filter --codes status:R,F codes.csv
out_is "--codes status:R,F: the same as RF" 'id,name,status\n1,Ola,RF\n'
expect_code 0 "--codes status:rf: exit 0" consent-filter --codes status:rf codes.csv
out_is "--codes status:rf: letters are case-sensitive (as on import): only rf" \
	'id,name,status\n7,Tor,rf\n'
expect_code 0 "--codes status:r: exit 0" consent-filter --codes status:r codes.csv
out_is "--codes status:r: lowercase r in the data only" \
	'id,name,status\n6,Liv,r\n7,Tor,rf\n'
expect_code 0 "--any --codes status:RF: exit 0" consent-filter --any --codes status:RF codes.csv
out_is "--any: one of the letters is enough" \
	'id,name,status\n1,Ola,RF\n2,Kari,R\n3,Per,F\n5,"Pål, jr.","S,R"\n'
expect_code 0 "--codes STATUS:F: the column name matches without regard to case" \
	consent-filter --codes STATUS:F codes.csv
out_is "--codes STATUS:F: the records holding F" 'id,name,status\n1,Ola,RF\n3,Per,F\n'
expect_code 1 "--codes status:X: none selected, exit 1" consent-filter --codes status:X codes.csv
out_is "--codes: none selected, the header is still written" 'id,name,status\n'
expect_code 2 "--codes on a missing column: exit 2" consent-filter --codes Kode:R codes.csv
err_is "--codes on a missing column: the file and the column are named" \
	"consent-filter: codes.csv: --codes: no column 'Kode'"
expect_code 2 "--codes without a colon: exit 2" consent-filter --codes status codes.csv
err_is "--codes without a colon: the spec is named" \
	"consent-filter: --codes: expected COLUMN:LETTERS, not 'status'"
expect_code 2 "--codes without letters: exit 2" consent-filter --codes status: codes.csv
err_is "--codes without letters: the spec is named" \
	"consent-filter: --codes: expected COLUMN:LETTERS, not 'status:'"
expect_code 2 "--codes without a column: exit 2" consent-filter --codes :R codes.csv
err_is "--codes without a column: the spec is named" \
	"consent-filter: --codes: expected COLUMN:LETTERS, not ':R'"
expect_code 2 "--codes with a character that is no letter code: exit 2" \
	consent-filter --codes 'status:R%' codes.csv
err_is "--codes with a bad letter: it is named" \
	"consent-filter: --codes: '%' is not a letter code"
no_stdout "--codes bad spec: nothing on stdout"

# ---- --channel email|sms|any, from the stream's columns ----

cat >chan.csv <<'X'
id,name,email,mobile
1,A,ola@example.no,
2,B,,412 34 567
3,C,Kari@Example.NO,+47 912 34 567
4,D,not-an-address,12345
5,E,a@b,garbage
6,F,,
7,G, per@example.no ,0047 41234567
8,H,a..b@example.no,+47 1234 567
9,I,,+46 70 123 45 67
X
expect_code 0 "--channel email: exit 0" consent-filter --channel email chan.csv
out_is "--channel email: a valid e-mail address (any case, blanks around)" \
	'id,name,email,mobile\n1,A,ola@example.no,\n3,C,Kari@Example.NO,+47 912 34 567\n7,G, per@example.no ,0047 41234567\n'
expect_code 0 "--channel sms: exit 0" consent-filter --channel sms chan.csv
out_is "--channel sms: a plausible mobile (national NO by default, +47, 0047, +46)" \
	'id,name,email,mobile\n2,B,,412 34 567\n3,C,Kari@Example.NO,+47 912 34 567\n7,G, per@example.no ,0047 41234567\n9,I,,+46 70 123 45 67\n'
expect_code 0 "--channel any: exit 0" consent-filter --channel any chan.csv
out_is "--channel any: either address" \
	'id,name,email,mobile\n1,A,ola@example.no,\n2,B,,412 34 567\n3,C,Kari@Example.NO,+47 912 34 567\n7,G, per@example.no ,0047 41234567\n9,I,,+46 70 123 45 67\n'
expect_code 2 "--channel fax: exit 2" consent-filter --channel fax chan.csv
err_is "--channel fax: the value is named" \
	"consent-filter: --channel: expected email, sms or any, not 'fax'"
no_stdout "--channel fax: nothing on stdout"

# ---- --contacted-within DURATION, against CONSENT_NOW ----

export CONSENT_NOW=2026-12-01T12:00:00Z
cat >lc.csv <<'X'
id,name,last_contact
1,A,2026-11-01
2,B,31.10.2026
3,C,
4,D,01.11.2026
5,E,2020-01-01
6,F,31.02.2026
7,G,2026-12-24
8,H,2026-11-15T10:00:00Z
X
expect_code 2 "--contacted-within 30d with a bad date: exit 2 although records were selected" \
	consent-filter --contacted-within 30d lc.csv
out_is "--contacted-within 30d: from 2026-11-01 on, ISO and dd.mm.yyyy; empty and bad dates not passed" \
	'id,name,last_contact\n1,A,2026-11-01\n4,D,01.11.2026\n7,G,2026-12-24\n8,H,2026-11-15T10:00:00Z\n'
err_is "--contacted-within: the bad date is named by file and line" \
	"consent-filter: lc.csv:7: bad last contact date '31.02.2026'"
expect_code 2 "-v --contacted-within 30d: exit 2" consent-filter -v --contacted-within 30d lc.csv
out_is "-v --contacted-within: the old and the empty; the bad record is not passed either" \
	'id,name,last_contact\n2,B,31.10.2026\n3,C,\n5,E,2020-01-01\n'
grep -v '^6,' lc.csv >lc-good.csv
expect_code 0 "--contacted-within 1m, all dates good: exit 0" \
	consent-filter --contacted-within 1m lc-good.csv
out_is "--contacted-within 1m: a calendar month back is 2026-11-01" \
	'id,name,last_contact\n1,A,2026-11-01\n4,D,01.11.2026\n7,G,2026-12-24\n8,H,2026-11-15T10:00:00Z\n'
expect_code 0 "another CONSENT_NOW moves the window" \
	env CONSENT_NOW=2027-01-10T00:00:00Z consent-filter --contacted-within 30d lc-good.csv
out_is "CONSENT_NOW 2027-01-10, 30d: only 2026-12-24" 'id,name,last_contact\n7,G,2026-12-24\n'
expect_code 1 "--contacted-within, none recent: exit 1" \
	env CONSENT_NOW=2030-01-01T00:00:00Z consent-filter --contacted-within 1y lc-good.csv
out_is "--contacted-within, none recent: the header only" 'id,name,last_contact\n'
expect_code 2 "-c with a bad date: exit 2" consent-filter -c --contacted-within 30d lc.csv
out_is "-c with a bad date: the count of the good selected records" '4\n'
expect_code 2 "a bad duration: exit 2" consent-filter --contacted-within 7x lc.csv
err_is "a bad duration: named" \
	"consent-filter: --contacted-within: bad duration '7x' (e.g. 5y, 18m, 30d)"
expect_code 2 "a bad CONSENT_NOW: exit 2" \
	env CONSENT_NOW=tomorrow consent-filter --contacted-within 7d lc.csv
grep_ok "a bad CONSENT_NOW: named" "CONSENT_NOW" "$T/err"

# ---- --suppress FILE ----

cat >cust.csv <<'X'
id,name,email,mobile
10001,A,ola@example.no,
10002,B,KARI@example.NO,
10003,C,,412 34 567
10004,D,per@example.no,+47 900 00 000
10005,E,,
10006,F,ane@example.no,91234567
10007,G,,0047 412 34 567
X
# A bare list: a key, an e-mail in other case with CRLF, a mobile in E.164;
# blank lines.
printf '10001\n\nKari@Example.no\r\n+4741234567\n\n' >bare.txt
expect_code 0 "--suppress a bare list: exit 0" consent-filter --suppress bare.txt cust.csv
out_is "--suppress a bare list: by key, e-mail in other case, mobile in other formats" \
	'id,name,email,mobile\n10004,D,per@example.no,+47 900 00 000\n10005,E,,\n10006,F,ane@example.no,91234567\n'
printf 'name,email\nX,PER@EXAMPLE.NO\n' >mail.csv
expect_code 0 "--suppress twice (a bare list and a CSV naming email): exit 0" \
	consent-filter -s bare.txt -s mail.csv cust.csv
out_is "--suppress is repeatable; a CSV list with a header naming email" \
	'id,name,email,mobile\n10005,E,,\n10006,F,ane@example.no,91234567\n'
printf '"date";"mobile";"reason"\n\n2026-01-01;0047 912 34 567;stop\n\n' >dnc.csv
expect_code 0 "--suppress a ';'-CSV naming mobile among other columns: exit 0" \
	consent-filter -s dnc.csv cust.csv
out_is "--suppress a do-not-call CSV: 91234567 is 0047 912 34 567" \
	'id,name,email,mobile\n10001,A,ola@example.no,\n10002,B,KARI@example.NO,\n10003,C,,412 34 567\n10004,D,per@example.no,+47 900 00 000\n10005,E,,\n10007,G,,0047 412 34 567\n'
printf 'id,reason\n10005,complaint\n' >keys.csv
expect_code 0 "-v --codes with --suppress: exit 0" \
	consent-filter -v --codes name:A -s keys.csv -s bare.txt cust.csv
out_is "-v: suppressed records are still dropped" \
	'id,name,email,mobile\n10004,D,per@example.no,+47 900 00 000\n10006,F,ane@example.no,91234567\n'
expect_code 1 "-v with no selector and --suppress: nothing selected, exit 1" \
	consent-filter -v -s bare.txt cust.csv
out_is "-v with no selector: the header only" 'id,name,email,mobile\n'
expect_code 2 "--suppress a missing list: exit 2" consent-filter -s nosuch.txt cust.csv
err_is "--suppress a missing list: named" \
	"consent-filter: nosuch.txt: No such file or directory"
no_stdout "--suppress a missing list: nothing on stdout"
printf 'name,email\nA,ola@example.no\n' >nokey.csv
expect_code 2 "--suppress on a stream without a key column: exit 2" \
	consent-filter -s bare.txt nokey.csv
err_is "no key column: named with the file, and what to do" \
	"consent-filter: nokey.csv: no key column 'id' (give --key or --map id=COLUMN)"

# ---- --key and --map ----

printf 'Kundenr;Navn;E-post;Mobil\r\n10001;Ola;OLA@example.no;\r\n10002;Kari;kari@example.no;412 34 567\r\n10003;Per;per@example.no;\r\n10004;Ane;;+47 900 00 000\r\n' >kunder.csv
printf '10003\n+4741234567\n' >sk.txt
printf 'email\nola@EXAMPLE.no\n' >se.csv
expect_code 0 "--key Kundenr with --suppress: exit 0" \
	consent-filter --key Kundenr -s sk.txt -s se.csv kunder.csv
out_is "--key Kundenr: the key is suppressed; E-post and Mobil are not mapped" \
	'Kundenr;Navn;E-post;Mobil\r\n10001;Ola;OLA@example.no;\r\n10002;Kari;kari@example.no;412 34 567\r\n10004;Ane;;+47 900 00 000\r\n'
expect_code 0 "-k Kundenr: exit 0" consent-filter -k Kundenr -s sk.txt kunder.csv
out_is "-k Kundenr: the short form" \
	'Kundenr;Navn;E-post;Mobil\r\n10001;Ola;OLA@example.no;\r\n10002;Kari;kari@example.no;412 34 567\r\n10004;Ane;;+47 900 00 000\r\n'
expect_code 0 "--map id=Kundenr,email=E-post,mobile=Mobil with --suppress: exit 0" \
	consent-filter --map id=Kundenr,email=E-post,mobile=Mobil -s sk.txt -s se.csv kunder.csv
out_is "--map: key, e-mail and mobile suppressed, CRLF kept" \
	'Kundenr;Navn;E-post;Mobil\r\n10004;Ane;;+47 900 00 000\r\n'
expect_code 0 "--map with --channel sms: exit 0" \
	consent-filter -m id=Kundenr,mobile=Mobil --channel sms kunder.csv
out_is "--map mobile=Mobil: --channel sms reads the mapped column" \
	'Kundenr;Navn;E-post;Mobil\r\n10002;Kari;kari@example.no;412 34 567\r\n10004;Ane;;+47 900 00 000\r\n'
expect_code 2 "--key on a missing column: exit 2" consent-filter --key Nope -s sk.txt kunder.csv
err_is "--key on a missing column: the file and the column named once" \
	"consent-filter: kunder.csv: no key column 'Nope' in the header"
expect_code 2 "--map to a missing column: exit 2" consent-filter --map id=Nope kunder.csv
err_is "--map to a missing column: the file and the column named once" \
	"consent-filter: kunder.csv: no column 'Nope' in the header"
expect_code 2 "--map with an unknown field: exit 2" consent-filter --map foo=Kundenr kunder.csv
err_is "--map with an unknown field: named (a usage error: no file)" \
	"consent-filter: --map: unknown field 'foo' (id, name, email, mobile, lang, last_contact)"

# ---- -c, and selectors together (AND) ----

cat >combo.csv <<'X'
id,name,email,mobile,status,last_contact
1,A,a@example.no,,R,2026-11-20
2,B,b@example.no,,F,2026-11-20
3,C,,412 34 567,R,2026-11-20
4,D,d@example.no,,R,2019-01-01
5,E,e@example.no,,RF,30.11.2026
6,F,f@example.no,,R,
X
expect_code 0 "--codes, --channel and --contacted-within together: exit 0" \
	consent-filter --codes status:R --channel email --contacted-within 1y combo.csv
out_is "selectors together: every one must hold" \
	'id,name,email,mobile,status,last_contact\n1,A,a@example.no,,R,2026-11-20\n5,E,e@example.no,,RF,30.11.2026\n'
expect_code 0 "-c: exit 0" consent-filter -c --codes status:R --channel email combo.csv
out_is "-c: one number, no header" '4\n'
expect_code 0 "-v -c: exit 0" consent-filter -v -c --codes status:R --channel email combo.csv
out_is "-v -c: the count of the rest" '2\n'
expect_code 1 "-c with none selected: exit 1" consent-filter -c --codes status:X combo.csv
out_is "-c with none selected: 0" '0\n'
expect_code 0 "-c over two files and no selector: exit 0" consent-filter -c plain.csv plain.csv
out_is "-c over two files: the records of both" '4\n'

# ---- inputs that are not (all) records ----

: >empty.csv
expect_code 2 "an empty file: exit 2" consent-filter empty.csv
err_is "an empty file: named" "consent-filter: empty.csv: empty input: no header line"
no_stdout "an empty file: nothing on stdout"
expect_code 2 "empty stdin: exit 2" sh -c 'consent-filter </dev/null'
err_is "empty stdin: named <stdin>" "consent-filter: <stdin>: empty input: no header line"

printf 'id,name,status\n' >header.csv
expect_code 1 "a header and no rows: exit 1" consent-filter header.csv
out_is "a header and no rows: the header goes out" 'id,name,status\n'
expect_code 1 "a header and no rows, with a selector: exit 1" \
	consent-filter --codes status:R header.csv
out_is "a header and no rows, with a selector: the header goes out" 'id,name,status\n'

printf 'id,n\370me\n1,a\n' >badhead.csv
expect_code 2 "invalid UTF-8 in the header: exit 2" consent-filter badhead.csv
err_is "invalid UTF-8 in the header: FILE:LINE" \
	"consent-filter: badhead.csv:1: invalid UTF-8 (is it another encoding? try --encoding cp1252)"
no_stdout "invalid UTF-8 in the header: nothing on stdout"
printf 'id,name\n1,ok\n2,Bj\370rn\n3,fine\n' >badrow.csv
expect_code 2 "invalid UTF-8 in a record: exit 2" consent-filter badrow.csv
err_is "invalid UTF-8 in a record: FILE:LINE" \
	"consent-filter: badrow.csv:3: invalid UTF-8 (is it another encoding? try --encoding cp1252)"
out_is "invalid UTF-8 in a record: the others pass" 'id,name\n1,ok\n3,fine\n'

printf '10001,Ola Nordmann,ola@example.no\n10002,Kari,kari@example.no\n' >noheader.csv
printf 'ola@example.no\n' >ola.txt
expect_code 2 "no header, --suppress: exit 2 (no key column)" \
	consent-filter -s ola.txt noheader.csv
err_is "no header: the missing key column is named with the file" \
	"consent-filter: noheader.csv: no key column 'id' (give --key or --map id=COLUMN)"
# The columns are checked before the header goes out: a line that is not
# a header (a suppressed customer's record) must not leak.
no_stdout "no header, --suppress: no record of the refused file on stdout"
expect_code 2 "no header, --codes: exit 2" consent-filter --codes status:R noheader.csv
err_is "no header, --codes: the column is named" \
	"consent-filter: noheader.csv: --codes: no column 'status'"

printf 'id,name,email\n50,"Multi\nLine",\n\n51,Short\n52,Long,l@example.no,extra\n53,"bad"quote,\n54,Last,last@example.no\n55,O"Brien,\n56,End,\n' >ragged.csv
expect_code 2 "ragged rows and bad quoting: exit 2" consent-filter ragged.csv
err_is "ragged rows and bad quoting: each bad record as FILE:LINE: reason" \
"consent-filter: ragged.csv:5: 2 fields where the header has 3
consent-filter: ragged.csv:6: 4 fields where the header has 3
consent-filter: ragged.csv:7: $quoting
consent-filter: ragged.csv:9: $quoting"
out_is "ragged rows: the good records pass (a quoted newline kept, a blank line dropped)" \
	'id,name,email\n50,"Multi\nLine",\n54,Last,last@example.no\n56,End,\n'
printf 'id,name\n1,a\n2,"b\n' >unclosed.csv
expect_code 2 "a quote left open at the end: exit 2" consent-filter unclosed.csv
err_is "a quote left open: its line is named" "consent-filter: unclosed.csv:3: $quoting"
out_is "a quote left open: the records before it pass" 'id,name\n1,a\n'

# ---- several files, stdin ----

printf 'id,name\n1,a\n' >f1.csv
printf 'id,name\n2,b\n' >f2.csv
printf 'id;name\n3;c\n' >f3.csv
printf 'id,navn\n4,d\n' >f4.csv
expect_code 0 "two files with the same header: exit 0" consent-filter f1.csv f2.csv
out_is "two files: one header, the records of both" 'id,name\n1,a\n2,b\n'
expect_code 2 "a file in another format: exit 2" consent-filter f1.csv f3.csv
err_is "a file in another format: named with the first" \
	"consent-filter: f3.csv: its header differs from that of f1.csv"
expect_code 2 "a file with other columns: exit 2" consent-filter f1.csv f4.csv
err_is "a file with other columns: named with the first" \
	"consent-filter: f4.csv: its header differs from that of f1.csv"
expect_code 2 "a missing file among others: exit 2" consent-filter f1.csv missing.csv f2.csv
err_is "a missing file: named" "consent-filter: missing.csv: No such file or directory"
out_is "a missing file: the other files are still read" 'id,name\n1,a\n2,b\n'
printf 'id,name\n1,a' >f1-noeol.csv
expect_code 0 "a first file without a last line ending, then another: exit 0" \
	consent-filter f1-noeol.csv f2.csv
# A record that ends a file without a line ending gets one when more
# records follow (and only then: one file passes byte for byte).
out_is "a first file without a last line ending: the records stay apart" \
	'id,name\n1,a\n2,b\n'

# A selector with neither a column in the stream nor a store could only
# select no one: an error, before any output.
printf 'id,name\n1,a\n' >nocols.csv
for sel in "--channel email" "--channel sms" "--channel any" "--contacted-within"; do
	arg=; [ "$sel" = --contacted-within ] && arg=5y
	# shellcheck disable=SC2086
	expect_code 2 "$sel without its column and without a store: exit 2" \
		consent-filter $sel $arg nocols.csv
	err_is "$sel without a source: said so, with the file" \
		"consent-filter: nocols.csv: $sel: no such column and no store to look it up in (give --map, or --db)"
	no_stdout "$sel without a source: nothing on stdout"
done

expect_code 0 "stdin without FILE: exit 0" sh -c 'consent-filter --codes name:b <f2.csv'
out_is "stdin without FILE: filtered" 'id,name\n2,b\n'
expect_code 0 "'-' among the files reads stdin" sh -c 'consent-filter f1.csv - <f2.csv'
out_is "'-' among the files: one header, both records" 'id,name\n1,a\n2,b\n'
expect_code 2 "stdin is named <stdin> in diagnostics" \
	sh -c 'printf "id,last_contact\n1,yesterday\n" | consent-filter --contacted-within 5y'
err_is "stdin: <stdin>:LINE" "consent-filter: <stdin>:2: bad last contact date 'yesterday'"
printf 'id,name\n9,dash\n' >./-odd.csv
expect_code 0 "-- ends the options" consent-filter -- -odd.csv
out_is "-- ends the options: the file is read" 'id,name\n9,dash\n'

# ---- --help, --version, unknown options, store selectors without a store ----

expect_code 0 "--help exits 0" consent-filter --help
grep_ok "--help: usage on stdout" "usage: consent-filter" "$T/out"
check_same "--help: nothing on stderr" /dev/null "$T/err"
for opt in --purpose --codes --channel --contacted-within --suppress \
    --invert-match --count --map --key --encoding; do
	grep_ok "--help names $opt" "$opt" "$T/out"
done
expect_code 0 "--version exits 0" consent-filter --version
grep_ok "--version: the program on stdout" "consent-filter (consent) " "$T/out"
expect_code 0 "-V exits 0" consent-filter -V
grep_ok "-V: the program on stdout" "consent-filter (consent) " "$T/out"
expect_code 2 "an unknown option exits 2" consent-filter --frobnicate plain.csv
grep_ok "an unknown option is named" "frobnicate" "$T/err"
grep_ok "an unknown option: usage on stderr" "usage: consent-filter" "$T/err"
no_stdout "an unknown option: nothing on stdout"

expect_code 2 "--purpose without a store: exit 2" consent-filter --purpose emarketing plain.csv
err_is "--purpose without a store: the store path is named" "$nostore"
no_stdout "--purpose without a store: nothing on stdout"
expect_code 2 "--missing without a store: exit 2" consent-filter --missing emarketing plain.csv
err_is "--missing without a store: the store path is named" "$nostore"
expect_code 2 "--from-store without a store: exit 2" consent-filter --from-store
err_is "--from-store without a store: the store path is named" "$nostore"
expect_code 2 "--db names the store looked for" \
	consent-filter --db other.db --withdrawn emarketing plain.csv
err_is "--db: that path is named" \
	"consent-filter: other.db: no store (import customers first with consent-import, or give --db)"
ls consent.db other.db >created 2>/dev/null
check_same "the runs without a store created none" /dev/null created
expect_code 2 "--purpose with an unknown purpose: exit 2" consent-filter -p nosuch plain.csv
err_is "an unknown purpose: named" "consent-filter: --purpose: unknown purpose 'nosuch'"
expect_code 2 "--any without --purpose or --codes: exit 2" consent-filter --any plain.csv
err_is "--any alone: what it goes with" "consent-filter: --any goes with --purpose or --codes"
expect_code 2 "--include-denied without --missing: exit 2" \
	consent-filter --include-denied plain.csv
err_is "--include-denied alone: what it goes with" \
	"consent-filter: --include-denied goes with --missing"

# ---- options that take one value ----

printf '[company]\nname = Once AS\n' >once.conf
for opt in "--codes status:R" "--channel email" "--contacted-within 5y" \
    "--map id=id" "--key id" "--encoding latin1" "--db once.db" \
    "--config once.conf"; do
	# shellcheck disable=SC2086
	expect_code 2 "${opt%% *} twice: exit 2" consent-filter $opt $opt f1.csv
	err_is "${opt%% *} twice: said so" \
		"consent-filter: ${opt%% *} given twice: give it once"
	no_stdout "${opt%% *} twice: nothing on stdout"
done
expect_code 2 "-k, then --key: exit 2" consent-filter -k id --key id f1.csv
err_is "-k, then --key: the long form is named" \
	"consent-filter: --key given twice: give it once"
expect_code 2 "-m, then --map: exit 2" \
	consent-filter -m id=id --map id=id f1.csv
err_is "-m, then --map: the long form is named" \
	"consent-filter: --map given twice: give it once"
expect_code 2 "-e, then --encoding: exit 2" \
	consent-filter -e latin1 --encoding latin1 f1.csv
err_is "-e, then --encoding: the long form is named" \
	"consent-filter: --encoding given twice: give it once"
ls consent.db once.db >created 2>/dev/null
check_same "a repeated option made no store" /dev/null created

# Of -d, --csv and --tsv the last one counts.
printf 'id,status\n1,R;F\n2,F\n' >last.csv
expect_code 0 "-d ';' --csv: exit 0" \
	consent-filter -d ';' --csv --codes status:R last.csv
out_is "-d ';' --csv: the last one, ',', counts" 'id,status\n1,R;F\n'
expect_code 2 "--csv -d ';': exit 2" \
	consent-filter --csv -d ';' --codes status:R last.csv
err_is "--csv -d ';': the last one, ';', counts: the header is one column" \
	"consent-filter: last.csv: --codes: no column 'status'"
expect_code 0 "--tsv --csv: exit 0" \
	consent-filter --tsv --csv --codes status:R last.csv
out_is "--tsv --csv: the last one, ',', counts" 'id,status\n1,R;F\n'

done_testing
