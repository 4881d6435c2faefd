#!/bin/sh
# consent-import, the basics: a first import, the summary line, the store
# it leaves (customers, consents, audit events, file mode), re-imports that
# change nothing or only master data, several files, stdin, the actor, and
# the options every tool has (--help, --version, -q, --db, unknown option).
. "${0%/*}/lib.sh"
. "$TOP/tests/import.sh"

# ---- a first import ----

cat >reg.csv <<'EOF'
id,name,email,mobile,lang,last_contact
10001,Ola Nordmann,Ola.Nordmann@Example.NO,912 34 567,NB,01.02.2020
10002,Kari Holm,kari@example.no,+46 70 123 45 67,sv,2021-03-04
10003,Åse Berg,,,,
EOF

expect_code 0 "first import exits 0" env LOGNAME=tester consent-import reg.csv
same_text "first import: the summary is the only line on stderr" \
	"$(summary 3 3 0 0 0 0 0)" "$T/err"
no_stdout "first import: nothing on stdout"
shows "first import: customers with normalised e-mail, mobile, lang, dates" \
"10001|Ola Nordmann|ola.nordmann@example.no|+4791234567|nb|2020-02-01||active
10002|Kari Holm|kari@example.no|+46701234567|sv|2021-03-04||active
10003|Åse Berg||||||active" customers
stat -c %a "$CONSENT_DB" >mode
same_text "the store is created with mode 0600" 600 mode
shows "new customers get service (basis contract) granted, undated, source import; consent purposes stay unknown" \
"10001|service|granted|contract|import|0
10002|service|granted|contract|import|0
10003|service|granted|contract|import|0" consents
shows "undated consents are timestamped with the run's time" \
	"2026-12-01T12:00:00Z" consents "DISTINCT at"
shows "one audit event per consent written: unknown -> granted, actor from LOGNAME, tool consent-import" \
"1|tester|consent-import|10001|service|unknown|granted|contract|import
2|tester|consent-import|10002|service|unknown|granted|contract|import
3|tester|consent-import|10003|service|unknown|granted|contract|import" \
	events "seq, actor, tool, customer, purpose, old, new, basis, source"
shows "events carry the run's time" "2026-12-01T12:00:00Z" events "DISTINCT at"

# ---- an idempotent re-import ----

consents "key, purpose, state, basis, source, at, dated, evidence" >consents.1
customers >customers.1
expect_code 0 "re-import of the same file exits 0" consent-import reg.csv
same_text "re-import: all unchanged" "$(summary 3 0 0 3 0 0 0)" "$T/err"
shows "re-import: no new audit event" 3 sql "SELECT count(*) FROM events"
customers >customers.2
check_same "re-import: customers as before" customers.1 customers.2
consents "key, purpose, state, basis, source, at, dated, evidence" >consents.2
check_same "re-import: consents as before" consents.1 consents.2

# ---- a re-import with one name changed ----

sed 's/^10002,Kari Holm,/10002,Kari Holm-Berg,/' reg.csv >reg2.csv
expect_code 0 "re-import with a changed name exits 0" \
	env CONSENT_NOW=2026-12-02T08:00:00Z consent-import reg2.csv
same_text "changed name: updated 1, unchanged 2" "$(summary 3 0 1 2 0 0 0)" "$T/err"
shows "changed name: the name is updated" "Kari Holm-Berg" \
	customers name "key = '10002'"
consents "key, purpose, state, basis, source, at, dated, evidence" >consents.3
check_same "changed name: consents untouched (master data never touches consent)" \
	consents.1 consents.3
shows "changed name: no new audit event" 3 sql "SELECT count(*) FROM events"

# ---- master data: a column present is the truth, an absent one keeps ----

printf 'id,email\n10001,\n10003,ase@example.no\n' >mail.csv
expect_code 0 "an import of only id,email exits 0" consent-import mail.csv
same_text "only id,email: 2 updated" "$(summary 2 0 2 0 0 0 0)" "$T/err"
shows "an empty cell clears the field, absent columns keep what is stored" \
"10001|Ola Nordmann||+4791234567|nb|2020-02-01||active
10002|Kari Holm-Berg|kari@example.no|+46701234567|sv|2021-03-04||active
10003|Åse Berg|ase@example.no|||||active" customers

# ---- a second run keeps the audit chain growing ----

printf 'id,Epost\n10001,ja\n10002,nei\n10004,yes\n' >epost.csv
expect_code 0 "a second import with consents exits 0" \
	env LOGNAME=second consent-import -c emarketing=Epost epost.csv
same_text "second import: the summary" "$(summary 3 1 2 0 0 0 0)" "$T/err"
shows "the events' seq numbers are contiguous from 1" "7|1|7" \
	sql "SELECT count(*), min(seq), max(seq) FROM events"
shows "the second run's events follow the first's, with their own actor" \
"4|second|10001|emarketing|unknown|granted
5|second|10002|emarketing|unknown|denied
6|second|10004|service|unknown|granted
7|second|10004|emarketing|unknown|granted" \
	events "seq, actor, customer, purpose, old, new" "seq > 3"
shows "the consents record the column's evidence" \
"10001|emarketing|granted|consent|import|0|epost.csv:2 Epost=ja
10002|emarketing|denied|consent|import|0|epost.csv:3 Epost=nei
10004|emarketing|granted|consent|import|0|epost.csv:4 Epost=yes" \
	consents "key, purpose, state, basis, source, dated, evidence" \
	"purpose = 'emarketing'"
shows "earlier events are untouched by the second run" \
	"1|tester|10001|service|unknown|granted" \
	events "seq, actor, customer, purpose, old, new" "seq = 1"

# ---- the actor ----

printf 'id,E\n20001,yes\n' >a1.csv
printf 'id,E\n20002,yes\n' >a2.csv
printf 'id,E\n20003,yes\n' >a3.csv
check "--actor names who ran it" env LOGNAME=tester consent-import \
	--actor "Kari at the desk" -c emarketing=E a1.csv
shows "--actor is written to the run's events" "Kari at the desk" \
	events "DISTINCT actor" "customer = '20001'"
check "without --actor or LOGNAME, USER is the actor" \
	sh -c 'unset LOGNAME; USER=bob exec consent-import -c emarketing=E a2.csv'
shows "USER is written to the events" bob events "DISTINCT actor" \
	"customer = '20002'"
check "LOGNAME wins over USER" \
	env LOGNAME=alice USER=bob consent-import -c emarketing=E a3.csv
shows "LOGNAME is written to the events" alice events "DISTINCT actor" \
	"customer = '20003'"

# ---- several files, and stdin ----

printf 'id,name\n30001,Per\n30002,Pål\n' >f1.csv
printf 'id;name\r\n30003;Espen\r\n' >f2.csv
printf 'id\tname\n30004\tAskeladd\n' >f3.tsv
expect_code 0 "three files (CSV, ';' with CRLF, TSV) in one run" \
	consent-import f1.csv f2.csv f3.tsv
same_text "three files: one summary over all" "$(summary 4 4 0 0 0 0 0)" "$T/err"
shows "three files: every row imported with its delimiter" \
"30001|Per
30002|Pål
30003|Espen
30004|Askeladd" customers "key, name" "key LIKE '3%'"

printf 'id,name,E\n40001,Stdin,yes\n40002,,x\n' >in.csv
expect_code 1 "stdin without FILE: a bad row gives exit 1" \
	sh -c 'consent-import -c emarketing=E <in.csv'
same_text "stdin is named <stdin> in diagnostics" \
"consent-import: <stdin>:3: bad consent value 'x' in E
$(summary 2 1 0 0 1 0 0)" "$T/err"
shows "stdin is named <stdin> in evidence" "<stdin>:2 E=yes" \
	consents evidence "key = '40001' AND purpose = 'emarketing'"

printf 'id,name\n40003,Dash\n' >dash.csv
expect_code 0 "'-' among the files reads stdin" \
	sh -c 'consent-import f1.csv - <dash.csv'
same_text "'-' among the files: rows of both" "$(summary 3 1 0 2 0 0 0)" "$T/err"
shows "'-' among the files: the stdin row is imported" "40003|Dash" \
	customers "key, name" "key = '40003'"

printf 'id,name\n40004,Dashed name\n' >./-odd.csv
expect_code 0 "-- ends the options" consent-import -- -odd.csv
shows "-- ends the options: the file is imported" "40004|Dashed name" \
	customers "key, name" "key = '40004'"

# ---- -q ----

printf 'id,name\n50001,Quiet\n' >q.csv
expect_code 0 "-q: exit 0" consent-import -q q.csv
check_same "-q: no summary line" /dev/null "$T/err"
printf 'id,email\n50002,bad\n' >q2.csv
expect_code 1 "-q with a bad row: exit 1" consent-import --quiet q2.csv
same_text "-q still reports the rejected row, without the summary" \
	"consent-import: q2.csv:2: bad e-mail address 'bad'" "$T/err"

# ---- --db, and the default store ----

printf 'id,name\n60001,Elsewhere\n' >db.csv
expect_code 0 "--db FILE chooses the store" consent-import --db other.db db.csv
shows "--db: the row is in that store" "60001|Elsewhere" \
	sqlite3 -batch other.db "SELECT key, name FROM customers"
shows "--db: \$CONSENT_DB is not touched" 0 \
	sql "SELECT count(*) FROM customers WHERE key = '60001'"
stat -c %a other.db >mode
same_text "--db: the new store is mode 0600" 600 mode
mkdir sub
expect_code 0 "without --db or CONSENT_DB the store is ./consent.db" \
	sh -c 'cd sub && unset CONSENT_DB && exec consent-import ../db.csv'
shows "./consent.db holds the row" "60001" \
	sqlite3 -batch sub/consent.db "SELECT key FROM customers"

# ---- --help, --version, an unknown option ----

expect_code 0 "--help exits 0" consent-import --help
grep_ok "--help: usage on stdout" "usage: consent-import" "$T/out"
check_same "--help: nothing on stderr" /dev/null "$T/err"
for opt in --map --key --consent --codes --set --basis --source --at \
    --evidence --actor --reset --rejects --encoding --delimiter --csv \
    --tsv --allow-erased --hold-column --db --config --quiet --help \
    --version; do
	grep_ok "--help names $opt" "$opt" "$T/out"
done
expect_code 0 "-h exits 0" consent-import -h
grep_ok "-h: usage on stdout" "usage: consent-import" "$T/out"
expect_code 0 "--version exits 0" consent-import --version
grep_ok "--version names the program on stdout" "consent-import" "$T/out"
check_same "--version: nothing on stderr" /dev/null "$T/err"
expect_code 0 "-V exits 0" consent-import -V
grep_ok "-V: the version on stdout" "consent-import" "$T/out"

sql .dump >before.dump
expect_code 2 "an unknown option exits 2" consent-import --frobnicate q.csv
grep_ok "an unknown option: usage on stderr" "usage: consent-import" "$T/err"
grep_ok "an unknown option is named" "frobnicate" "$T/err"
no_stdout "an unknown option: nothing on stdout"
sql .dump >after.dump
check_same "an unknown option changes nothing" before.dump after.dump

done_testing
