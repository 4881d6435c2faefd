#!/bin/sh
# consent-import options: --map, --key, --consent with every value word,
# --set, --basis, --source, --at, --evidence, --rejects, --encoding,
# -d/--csv/--tsv, --allow-erased, --hold-column, --invoice-column,
# --config, and a second value of an option that takes one.  (--codes and
# --reset are in 0130, --actor, --db and -q in 0100.)
. "${0%/*}/lib.sh"
. "$TOP/tests/import.sh"

# ---- --map and --key ----

cat >kunder.csv <<'X'
Kundenr;Navn;E-post;Mobil;Språk;Sist kontakt;Poststed
1001;Ola Nordmann;OLA@EXAMPLE.NO;+47 912 34 567;NB;24.12.2019;Bergen
1002;Kari Nordmann;kari@example.no;0047 41234567;nn;2020-01-31;Oslo
X
expect_code 0 "--map maps every field; the key follows id" consent-import \
	--map 'id=Kundenr,name=Navn,email=E-post,mobile=Mobil,lang=Språk,last_contact=Sist kontakt' \
	kunder.csv
same_text "--map: the summary" "$(summary 2 2 0 0 0 0 0)" "$T/err"
shows "--map: every mapped field is stored, normalised" \
"1001|Ola Nordmann|ola@example.no|+4791234567|nb|2019-12-24||active
1002|Kari Nordmann|kari@example.no|+4741234567|nn|2020-01-31||active" customers

sql .dump >before.dump
expect_code 2 "--map of an unknown field exits 2" \
	consent-import --map id=Kundenr,town=Poststed kunder.csv
grep_ok "--map of an unknown field: named" "'town'" "$T/err"
expect_code 2 "--map to a column the file lacks exits 2" \
	consent-import --map id=Kundenr,name=Fornavn kunder.csv
same_text "--map to a missing column: one diagnostic naming the file once" \
	"consent-import: kunder.csv: no column 'Fornavn' in the header" "$T/err"
sql .dump >after.dump
check_same "--map errors change nothing" before.dump after.dump

printf 'id,Kundenr,name\nx1,2001,Per\nx2,2002,Pål\n' >key.csv
expect_code 0 "--key names the key column" consent-import --key Kundenr key.csv
shows "--key: customers keyed by that column, not by id" "2001|Per
2002|Pål" customers "key, name" "key LIKE '200_'"
shows "--key: the id column is ignored" 0 \
	sql "SELECT count(*) FROM customers WHERE key LIKE 'x%'"
printf 'id,Kundenr,name\nx1,2003,Espen\n' >key2.csv
expect_code 0 "-k is --key" consent-import -k Kundenr key2.csv
shows "-k: keyed by that column" "2003|Espen" customers "key, name" "key = '2003'"
expect_code 2 "--key naming a missing column exits 2" \
	consent-import --key Kundenummer key.csv
same_text "--key naming a missing column: one diagnostic naming the file once" \
	"consent-import: key.csv: no key column 'Kundenummer' in the header" "$T/err"
printf 'Kundenr,Navn\n3001,Ola\n' >nokey.csv
expect_code 2 "no id column and no --key/--map exits 2" consent-import nokey.csv
same_text "no id column: the diagnostic" \
	"consent-import: nokey.csv: no key column 'id'" "$T/err"

# ---- --consent: every value word, any case ----

{
	echo "id,Samtykke"
	n=0
	for v in yes YES ja Ja kyllä KYLLÄ Kyllä kYLLÄ 1 true TRUE granted Granted y Y j J; do
		n=$((n + 1))
		echo "g$n,$v"
	done
	n=0
	for v in no NO nei Nei nej NEJ ei EI 0 false False denied DENIED n N; do
		n=$((n + 1))
		echo "d$n,$v"
	done
	echo "w1,withdrawn"
	echo "w2,Withdrawn"
	echo "e1,"
} >words.csv
expect_code 0 "--consent: every value word is taken" \
	consent-import --consent emarketing=Samtykke words.csv
same_text "--consent: no row rejected" "$(summary 35 35 0 0 0 0 0)" "$T/err"
shows "--consent: yes ja kyllä 1 true granted y j (any case) grant" "17|granted" \
	consents "count(*), group_concat(DISTINCT state)" \
	"purpose = 'emarketing' AND key LIKE 'g%'"
shows "--consent: no nei nej ei 0 false denied n (any case) deny" "15|denied" \
	consents "count(*), group_concat(DISTINCT state)" \
	"purpose = 'emarketing' AND key LIKE 'd%'"
shows "--consent: withdrawn (any case) records withdrawn" "w1|withdrawn
w2|withdrawn" consents "key, state" "purpose = 'emarketing' AND key LIKE 'w%'"
shows "--consent: an empty cell records nothing" "" \
	consents "group_concat(purpose)" "key = 'e1' AND purpose <> 'service'"
shows "--consent: column consents are undated, basis from the purpose, source import, evidence FILE:LINE COLUMN=VALUE" \
"g1|consent|import|0|2026-12-01T12:00:00Z|words.csv:2 Samtykke=yes
g8|consent|import|0|2026-12-01T12:00:00Z|words.csv:9 Samtykke=kYLLÄ" \
	consents "key, basis, source, dated, at, evidence" \
	"purpose = 'emarketing' AND key IN ('g1', 'g8')"

printf 'id,E,P,S\n4001,ja,nei,1\n4002,,0,true\n' >multi.csv
expect_code 0 "--consent is repeatable and takes lists" consent-import \
	-c emarketing=E -c partners=P,profiling=S multi.csv
shows "--consent lists: each purpose from its column" \
"4001|emarketing|granted
4001|partners|denied
4001|profiling|granted
4002|partners|denied
4002|profiling|granted" consents "key, purpose, state" \
	"key LIKE '400_' AND purpose <> 'service'"
sql .dump >before.dump
expect_code 2 "--consent with an unknown purpose exits 2" \
	consent-import -c marketing=E multi.csv
grep_ok "--consent with an unknown purpose: named" "'marketing'" "$T/err"
expect_code 2 "--consent naming a missing column exits 2" \
	consent-import -c emarketing=Epost multi.csv
grep_ok "--consent naming a missing column: file and column named" \
	"consent-import: multi.csv: " "$T/err"
grep_ok "--consent naming a missing column: the column" "'Epost'" "$T/err"
expect_code 2 "--consent without =COLUMN exits 2" \
	consent-import -c emarketing multi.csv
sql .dump >after.dump
check_same "--consent errors change nothing" before.dump after.dump

# ---- --basis, --source, --at, --evidence ----

printf 'id,E\n5001,yes\n' >b1.csv
expect_code 0 "--basis and --source apply to what the run records" \
	consent-import -c emarketing=E --basis soft-opt-in --source paper b1.csv
shows "--basis/--source: the column's consent carries them; the new customer's service grant keeps contract/import" \
"5001|emarketing|granted|soft-opt-in|paper|0
5001|service|granted|contract|import|0" consents "" "key = '5001'"
printf 'id,E\n5002,yes\n' >b2.csv
expect_code 0 "-b and -s are --basis and --source" \
	consent-import -c emarketing=E -b legitimate-interest -s web-form b2.csv
shows "-b/-s: recorded" "5002|emarketing|granted|legitimate-interest|web-form|0" \
	consents "" "key = '5002' AND purpose = 'emarketing'"
for b in consent contract legal-obligation legitimate-interest soft-opt-in \
    vital-interest public-task; do
	printf 'id,E\nb-%s,yes\n' "$b" >basis.csv
	check "--basis $b is a legal basis" \
		consent-import -c emarketing=E --basis "$b" basis.csv
done
shows "--basis: each basis is stored as given" \
"consent
contract
legal-obligation
legitimate-interest
public-task
soft-opt-in
vital-interest" consents basis "key LIKE 'b-%' AND purpose = 'emarketing'"
for s in import landing email sms web-form portal paper phone chat manual; do
	printf 'id,E\ns-%s,yes\n' "$s" >source.csv
	check "--source $s is a source" \
		consent-import -c emarketing=E --source "$s" source.csv
done
shows "--source: each source is stored as given" "10" \
	consents "count(*)" "purpose = 'emarketing' AND key = 's-' || source"
sql .dump >before.dump
expect_code 2 "an unknown --basis exits 2" \
	consent-import -c emarketing=E --basis because b1.csv
grep_ok "an unknown --basis is named" "'because'" "$T/err"
expect_code 2 "an unknown --source exits 2" \
	consent-import -c emarketing=E --source fax b1.csv
grep_ok "an unknown --source is named" "'fax'" "$T/err"
sql .dump >after.dump
check_same "bad --basis/--source change nothing" before.dump after.dump

printf 'id,E\n5101,yes\n' >at1.csv
printf 'id,E\n5102,yes\n' >at2.csv
printf 'id,E\n5103,yes\n' >at3.csv
check "--at with an ISO date" consent-import -c emarketing=E --at 2026-11-15 at1.csv
check "--at with dd.mm.yyyy" consent-import -c emarketing=E --at 16.11.2026 at2.csv
check "--at with an RFC 3339 time and offset" \
	consent-import -c emarketing=E --at 2026-11-17T10:30:00+01:00 at3.csv
shows "--at makes the evidence dated, at the given time (UTC)" \
"5101|1|2026-11-15T00:00:00Z
5102|1|2026-11-16T00:00:00Z
5103|1|2026-11-17T09:30:00Z" consents "key, dated, at" \
	"key LIKE '510_' AND purpose = 'emarketing'"
sql .dump >before.dump
expect_code 2 "--at with 31.02.2020 exits 2" \
	consent-import -c emarketing=E --at 31.02.2020 b1.csv
grep_ok "--at with a bad date: the date is named" "31.02.2020" "$T/err"
expect_code 2 "--at with garbage exits 2" \
	consent-import -c emarketing=E --at yesterday b1.csv
sql .dump >after.dump
check_same "a bad --at changes nothing" before.dump after.dump

printf 'id,E\n5201,yes\n' >ev.csv
expect_code 0 "--evidence sets the evidence text" \
	consent-import -c emarketing=E --evidence "signed form 2026/17" ev.csv
shows "--evidence: stored with the consent" "signed form 2026/17" \
	consents evidence "key = '5201' AND purpose = 'emarketing'"
shows "--evidence: and in its audit event" "signed form 2026/17" \
	events evidence "customer = '5201' AND purpose = 'emarketing'"

# ---- --set ----

printf 'id\n6001\n6002\n' >ids.csv
expect_code 0 "--set records a decision for every customer of the input" \
	consent-import --set emarketing=granted,partners=denied ids.csv
same_text "--set: the summary" "$(summary 2 2 0 0 0 0 0)" "$T/err"
shows "--set: dated now, source manual, evidence '--set P=STATE'" \
"6001|emarketing|granted|consent|manual|2026-12-01T12:00:00Z|1|--set emarketing=granted
6001|partners|denied|consent|manual|2026-12-01T12:00:00Z|1|--set partners=denied
6002|emarketing|granted|consent|manual|2026-12-01T12:00:00Z|1|--set emarketing=granted
6002|partners|denied|consent|manual|2026-12-01T12:00:00Z|1|--set partners=denied" \
	consents "key, purpose, state, basis, source, at, dated, evidence" \
	"key LIKE '600_' AND purpose <> 'service'"
expect_code 0 "--set emarketing=withdrawn cancels a given consent" \
	env CONSENT_NOW=2026-12-03T09:00:00Z consent-import \
	--set emarketing=withdrawn --source phone --at 2026-12-02 \
	--evidence "called in" --basis consent ids.csv
same_text "--set withdrawn: 2 updated" "$(summary 2 0 2 0 0 0 0)" "$T/err"
shows "--set with --source, --at, --evidence" \
"6001|emarketing|withdrawn|consent|phone|2026-12-02T00:00:00Z|1|called in
6002|emarketing|withdrawn|consent|phone|2026-12-02T00:00:00Z|1|called in" \
	consents "key, purpose, state, basis, source, at, dated, evidence" \
	"key LIKE '600_' AND purpose = 'emarketing'"
shows "--set withdrawn: events granted -> withdrawn" \
"6001|emarketing|granted|withdrawn|phone|called in
6002|emarketing|granted|withdrawn|phone|called in" \
	events "customer, purpose, old, new, source, evidence" \
	"customer LIKE '600_' AND new = 'withdrawn'"
sql .dump >before.dump
expect_code 2 "--set with a bad state exits 2" \
	consent-import --set emarketing=maybe ids.csv
grep_ok "--set with a bad state: named" "'maybe'" "$T/err"
expect_code 2 "--set with an unknown purpose exits 2" \
	consent-import --set newsletter=granted ids.csv
grep_ok "--set with an unknown purpose: named" "'newsletter'" "$T/err"
sql .dump >after.dump
check_same "bad --set changes nothing" before.dump after.dump

# ---- --rejects ----

printf 'id;name;email;E\r\n7001;Ola;ola@example.no;ja\r\n7002;Kari;kari@;ja\r\n7003;"Per; Pål";per@example.no;"kanskje;nei"\r\n7004;Espen\r\n' >rej-in.csv
expect_code 1 "--rejects: a file with bad rows exits 1" \
	consent-import -c emarketing=E --rejects rejects.csv rej-in.csv
same_text "--rejects: the diagnostics and the summary" \
"consent-import: rej-in.csv:3: bad e-mail address 'kari@'
consent-import: rej-in.csv:4: bad consent value 'kanskje;nei' in E
consent-import: rej-in.csv:5: 2 fields where the header has 4
$(summary 4 1 0 0 3 0 0)" "$T/err"
printf 'id;name;email;E;reason\r\n7002;Kari;kari@;ja;bad e-mail address '"'"'kari@'"'"'\r\n7003;"Per; Pål";per@example.no;"kanskje;nei";"bad consent value '"'"'kanskje;nei'"'"' in E"\r\n7004;Espen;2 fields where the header has 4\r\n' >rejects.want
check_same "--rejects: header + reason column, rows as read, ';' and CRLF kept" \
	rejects.want rejects.csv
stat -c %a rejects.csv >mode
same_text "--rejects: the file is mode 0600" 600 mode
shows "--rejects: the good row is imported" "7001|emarketing|granted" \
	consents "key, purpose, state" "key LIKE '700_' AND purpose <> 'service'"
printf 'id,email\n7101,x@\n' >rej2.csv
expect_code 1 "-r is --rejects" consent-import -r rejects2.csv rej2.csv
printf 'id,email,reason\n7101,x@,bad e-mail address '"'"'x@'"'"'\n' >rejects2.want
check_same "-r: comma and LF kept" rejects2.want rejects2.csv

# ---- --encoding ----

# Octal escapes: the printf of a POSIX sh need not know \\x.
printf 'id;name;email\r\n8001;Bl\345b\346r \330st \200;\346@example.no\r\n' >cp1252.csv
sql .dump >before.dump
expect_code 1 "cp1252 input without --encoding: the row is rejected (exit 1)" \
	consent-import cp1252.csv
grep_ok "cp1252 input without --encoding: invalid UTF-8 named with file and line" \
	"consent-import: cp1252.csv:2: invalid UTF-8" "$T/err"
expect_code 0 "--encoding cp1252 converts the input" \
	consent-import --encoding cp1252 cp1252.csv
shows "--encoding cp1252: names and e-mail stored as UTF-8" \
	"8001|Blåbær Øst €|æ@example.no" customers "key, name, email" "key = '8001'"
printf 'id,name\n8002,J\370rgen M\374ller\n' >latin1.csv
expect_code 0 "-e latin1 converts the input" consent-import -e latin1 latin1.csv
shows "-e latin1: stored as UTF-8" "8002|Jørgen Müller" \
	customers "key, name" "key = '8002'"
sql .dump >before.dump
expect_code 2 "an unknown encoding exits 2" \
	consent-import --encoding klingon latin1.csv
grep_ok "an unknown encoding is named" "'klingon'" "$T/err"
sql .dump >after.dump
check_same "an unknown encoding changes nothing" before.dump after.dump

# ---- -d, --csv, --tsv ----

printf 'id;name,first\n9001;Nordmann, Ola\n' >semi.csv
sql .dump >before.dump
expect_code 2 "detection takes ',' for a header with as many ',' as ';'" \
	consent-import semi.csv
sql .dump >after.dump
check_same "... and changes nothing" before.dump after.dump
expect_code 0 "-d ';' sets the delimiter" consent-import -d ';' semi.csv
shows "-d ';': the row is imported" 9001 customers key "key = '9001'"
printf 'id|name\n9002|Pipe\n' >pipe.csv
expect_code 0 "--delimiter '|' sets the delimiter" \
	consent-import --delimiter '|' pipe.csv
shows "--delimiter '|': fields split on it" "9002|Pipe" \
	customers "key, name" "key = '9002'"
printf 'id,name;x;y\n9003,A;B;C\n' >comma.csv
expect_code 2 "detection takes ';' when the header has more of them" \
	consent-import comma.csv
expect_code 0 "--csv forces ','" consent-import --csv comma.csv
shows "--csv: the row is imported" 9003 customers key "key = '9003'"
printf 'id\n9004,5\n' >tab.tsv
expect_code 1 "a one-column header is read as ','" consent-import tab.tsv
expect_code 0 "--tsv forces tab" consent-import --tsv tab.tsv
shows "--tsv: the comma is part of the key" "9004,5" customers key "key LIKE '9004%'"
# Of -d, --csv and --tsv the last one counts.
printf 'id,name\n9005,Semi;kolon\n' >last.csv
expect_code 0 "-d ';' --csv: the last one, ',', counts" \
	consent-import -d ';' --csv last.csv
shows "-d ';' --csv: split on ','" "9005|Semi;kolon" \
	customers "key, name" "key = '9005'"
expect_code 2 "--csv -d ';': the last one, ';', counts" \
	consent-import --csv -d ';' last.csv
same_text "--csv -d ';': the header is one column, without a key" \
	"consent-import: last.csv: no key column 'id'" "$T/err"

# ---- --hold-column ----

printf 'id,name,Oppbevar\nh1,Hold A,31.12.2031\nh2,Hold B,\n' >hold.csv
expect_code 0 "--hold-column reads the hold date" \
	consent-import --hold-column Oppbevar hold.csv
shows "--hold-column: dd.mm.yyyy stored as YYYY-MM-DD, empty stores none" \
"h1|2031-12-31
h2|" customers "key, hold_until" "key LIKE 'h_'"
printf 'id,name,Oppbevar\nh1,Hold A,\nh2,Hold B,2030-06-30\n' >hold2.csv
expect_code 0 "--hold-column again" consent-import --hold-column Oppbevar hold2.csv
shows "--hold-column: an empty cell keeps what is stored, a date sets it" \
"h1|2031-12-31
h2|2030-06-30" customers "key, hold_until" "key LIKE 'h_'"
printf 'id,name,Oppbevar\nh3,Hold C,31.02.2031\n' >hold3.csv
expect_code 1 "--hold-column: a bad date rejects the row" \
	consent-import --hold-column Oppbevar hold3.csv
same_text "--hold-column: the bad date diagnostic" \
"consent-import: hold3.csv:2: bad hold date '31.02.2031'
$(summary 1 0 0 0 1 0 0)" "$T/err"
sql .dump >before.dump
expect_code 2 "--hold-column naming a missing column exits 2" \
	consent-import --hold-column Hold hold.csv
grep_ok "--hold-column naming a missing column: named" "'Hold'" "$T/err"
sql .dump >after.dump
check_same "--hold-column missing: nothing changed" before.dump after.dump

# ---- --invoice-column: the hold from the last invoice ----

printf 'id,name,Faktura,Oppbevar\nh4,Hold D,15.03.2024,\nh5,Hold E,2020-01-10,31.12.2026\nh6,Hold F,,\n' >inv.csv
expect_code 2 "--invoice-column without [retention] bookkeeping exits 2" \
	consent-import --invoice-column Faktura inv.csv
same_text "--invoice-column: the missing key is named" \
"consent-import: --invoice-column: no [retention] bookkeeping in the configuration (how long bookkeeping law keeps, e.g. 5y)" "$T/err"
printf '[retention]\nbookkeeping = 5y\n' >books.conf
expect_code 0 "--invoice-column with bookkeeping = 5y" \
	consent-import --config books.conf --invoice-column Faktura \
	--hold-column Oppbevar inv.csv
shows "--invoice-column: the hold is the invoice plus 5 years, or the later hold date" \
"h4|2029-03-15
h5|2026-12-31
h6|" customers "key, hold_until" "key IN ('h4', 'h5', 'h6')"
printf '[retention]\nbookkeeping = soon\n' >books2.conf
expect_code 2 "a bad bookkeeping duration exits 2" \
	consent-import --config books2.conf --invoice-column Faktura inv.csv
grep_ok "and says so" "[retention] bookkeeping: bad duration 'soon'" "$T/err"

# ---- --allow-erased: a restricted customer ----

printf 'id,name,E\nr1,Restricted,yes\nr2,Active,yes\n' >restr.csv
check "two customers for the restriction test" \
	consent-import -c emarketing=E restr.csv
sql "UPDATE customers SET status = 'restricted' WHERE key = 'r1'"
consents "key, purpose, state, at, evidence" "key = 'r1'" >r1.before
nev=$(sql "SELECT count(*) FROM events WHERE customer = 'r1'")
printf 'id,name,E\nr1,Changed,no\nr2,Active 2,no\n' >restr2.csv
expect_code 0 "a restricted customer's row is suppressed (exit 0)" \
	consent-import -c emarketing=E restr2.csv
same_text "restricted: counted as suppressed" "$(summary 2 0 1 0 0 1 0)" "$T/err"
shows "restricted: master data unchanged" "r1|Restricted|restricted" \
	customers "key, name, status" "key = 'r1'"
consents "key, purpose, state, at, evidence" "key = 'r1'" >r1.after
check_same "restricted: consents unchanged" r1.before r1.after
shows "restricted: no event written" "$nev" \
	sql "SELECT count(*) FROM events WHERE customer = 'r1'"
shows "restricted: the other row's master data is imported" "r2|Active 2" \
	customers "key, name" "key = 'r2'"
shows "restricted: the other row's consent is recorded" "r2|withdrawn" \
	consents "key, state" "key = 'r2' AND purpose = 'emarketing'"
printf 'id,name,E\nr1,Changed,no\n' >restr3.csv
expect_code 0 "--allow-erased imports a restricted customer's row" \
	consent-import --allow-erased -c emarketing=E restr3.csv
same_text "--allow-erased: updated, not suppressed" "$(summary 1 0 1 0 0 0 0)" "$T/err"
shows "--allow-erased: master data updated" "r1|Changed" \
	customers "key, name" "key = 'r1'"
shows "--allow-erased: the consent is recorded" "r1|emarketing|withdrawn" \
	consents "key, purpose, state" "key = 'r1' AND purpose = 'emarketing'"

# ---- --allow-erased: a tombstone (consent-erase makes it) ----

printf 'id,name,email\ne1,Erik Glemt,erik.glemt@example.no\n' >gone.csv
check "a customer to forget" consent-import gone.csv
check "consent-erase forgets e1" sh -c 'echo e1 | consent-erase >/dev/null'
printf 'id,name,email\ne9,Erik G,ERIK.GLEMT@example.no\n' >back.csv
expect_code 0 "a row matching the tombstone by e-mail is suppressed (exit 0)" \
	consent-import back.csv
same_text "tombstone: counted as suppressed" "$(summary 1 0 0 0 0 1 0)" "$T/err"
shows "tombstone: nothing stored" "0" sql "SELECT count(*) FROM customers WHERE key IN ('e1', 'e9')"
expect_code 0 "--allow-erased imports it all the same" \
	consent-import --allow-erased back.csv
same_text "--allow-erased: new, not suppressed" "$(summary 1 1 0 0 0 0 0)" "$T/err"
shows "--allow-erased: the row is stored" "e9|Erik G|erik.glemt@example.no" \
	customers "key, name, email" "key = 'e9'"

# ---- --config ----

cat >consent.conf <<'X'
[company]
name = Bilhuset AS
country = SE

[purpose.newsletter]
title.en = Newsletter
basis = consent

[purpose.warranty]
title.en = Warranty recalls
basis = legal-obligation

[purpose.profiling]
active = no
X
printf 'id,mobile,N,P,W\nc1,070-123 45 67,ja,ja,\nc2,,,nei,\nc3,,,,nei\n' >conf.csv
expect_code 0 "--config: an import with an extra, an inactive and a legal-obligation purpose" \
	consent-import --config consent.conf -c newsletter=N,profiling=P,warranty=W conf.csv
same_text "--config: one warning for the inactive purpose, then the summary" \
"consent-import: purpose 'profiling' is inactive
$(summary 3 3 0 0 0 0 0)" "$T/err"
shows "--config: the extra purpose is recorded; the inactive one too; warranty granted for new customers unless the row records it" \
"c1|newsletter|granted|consent|import|0
c1|profiling|granted|consent|import|0
c1|service|granted|contract|import|0
c1|warranty|granted|legal-obligation|import|0
c2|profiling|denied|consent|import|0
c2|service|granted|contract|import|0
c2|warranty|granted|legal-obligation|import|0
c3|service|granted|contract|import|0
c3|warranty|denied|legal-obligation|import|0" consents "" "key LIKE 'c_'"
shows "--config: [company] country is the mobile numbers' default" "+46701234567" \
	customers mobile "key = 'c1'"
printf 'id,name\n1001,Ola Nordmann\nc4,New\n' >conf2.csv
expect_code 0 "CONSENT_CONFIG names the configuration" \
	env CONSENT_CONFIG=consent.conf consent-import conf2.csv
same_text "CONSENT_CONFIG: one existing (from before the configuration), one new" \
	"$(summary 2 1 0 1 0 0 0)" "$T/err"
shows "a non-consent purpose is granted for new customers only" \
	"c4|warranty|granted|legal-obligation|import|0" consents "" \
	"purpose = 'warranty' AND key IN ('c4', '1001')"
printf 'id,P\nc5,ja\nc6,nei\n' >conf3.csv
expect_code 0 "-q with an inactive purpose" \
	consent-import -q --config consent.conf -c profiling=P conf3.csv
same_text "-q: the inactive purpose's warning stays (it is neither progress nor summary)" \
	"consent-import: purpose 'profiling' is inactive" "$T/err"
sql .dump >before.dump
expect_code 2 "a purpose of a configuration not given is unknown: exit 2" \
	consent-import -c newsletter=N conf.csv
grep_ok "the unknown purpose is named" "'newsletter'" "$T/err"
sql .dump >after.dump
check_same "an unknown purpose (exit 2) changes nothing, not even the purposes" \
	before.dump after.dump
sql .dump >before.dump
printf '[purpose.x\n' >bad.conf
expect_code 2 "a configuration with a syntax error exits 2" \
	consent-import --config bad.conf conf2.csv
grep_ok "the bad configuration is named with its line" "bad.conf:1:" "$T/err"
expect_code 2 "a missing configuration file exits 2" \
	consent-import --config nosuch.conf conf2.csv
grep_ok "the missing configuration is named" "nosuch.conf" "$T/err"
sql .dump >after.dump
check_same "configuration errors change nothing" before.dump after.dump

# --codes and --set take one list each: a second would replace the first.
expect_code 2 "--codes twice is a usage error" \
	consent-import --codes S:R=emarketing --codes S:F=partners conf2.csv
same_text "--codes twice: the message says what to do" \
	"consent-import: --codes given twice: give it once" "$T/err"
expect_code 2 "--set twice is a usage error" \
	consent-import --set emarketing=denied --set partners=denied conf2.csv
sql .dump >after.dump
check_same "a repeated list option changes nothing" before.dump after.dump

# So do the other options that take one value.  twice LONG SHORT VALUE:
# the option given twice, the second time in its short form where it has
# one (SHORT -: none), exits 2, and the message names the long form.
twice() {
	_second=$1 _how="$1 twice"
	[ "$2" = - ] || _second=$2 _how="$1, then $2"
	expect_code 2 "$_how: exit 2" \
		consent-import "$1" "$3" "$_second" "$3" once.csv
	same_text "$_how: the message says what to do" \
		"consent-import: $1 given twice: give it once" "$T/err"
}
printf 'id,name,Faktura,Oppbevar\nonce1,Once,15.03.2024,31.12.2031\n' >once.csv
sql .dump >before.dump
twice --map -m id=id
twice --key -k id
twice --encoding -e latin1
twice --db - once.db
twice --config - books.conf
twice --basis -b consent
twice --source -s paper
twice --at - 2026-11-01
twice --evidence - form
twice --actor - tester
twice --rejects -r once-rejects.csv
twice --hold-column - Oppbevar
twice --invoice-column - Faktura
sql .dump >after.dump
check_same "a repeated option changes nothing" before.dump after.dump
check "a repeated --db makes no store" test ! -e once.db
check "a repeated --rejects makes no file" test ! -e once-rejects.csv

done_testing
