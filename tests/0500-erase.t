#!/bin/sh
# consent-erase, the store: erasure of keys (bare, CSV, --key, --map), the
# rows and exit codes, what the store holds afterwards (no customer, no
# consents, no requests, tombstones, redacted audit events that still
# verify), the canary search of the raw database and WAL bytes, the
# suppression of a re-import, bookkeeping holds and --due, --dry-run, bad
# input, the tombstone key, and a crash halfway.
. "${0%/*}/lib.sh"
. "$TOP/tests/import.sh"

VERIFY="python3 $TOP/tests/tools/audit-verify.py"

out_is() {
	same_text "$1" "$2" "$T/out"
}

events() {
	sql "SELECT e.seq, r.tool, e.customer, e.purpose, e.old, e.new,
	    e.evidence FROM events e JOIN runs r ON r.id = e.run
	    WHERE ${1:-1} ORDER BY e.seq"
}

# canary FILE STRING...: how often each string occurs in the raw bytes.
canary() {
	_f=$1; shift
	for _s in "$@"; do
		if [ -e "$_f" ]; then
			printf '%s %s\n' "$_s" "$(LC_ALL=C grep -c -a -F -- "$_s" "$_f")"
		else
			printf '%s 0\n' "$_s"
		fi
	done
}

cat >consent.conf <<'X'
[company]
name = Bilhuset AS
info.nb = Vi ber om samtykke til nyhetsbrev.
info.sv = Vi ber om samtycke.

[landing]
url = https://samtykke.example
secret_file = landing.secret
X
head -c 32 /dev/urandom >landing.secret
chmod 600 landing.secret
export CONSENT_CONFIG="$T/consent.conf"

cat >reg.csv <<'X'
id,name,email,mobile,lang,last_contact,E
k1,Zorvald Kanarifugl,Zorvald.Kanari@Example.NO,912 34 567,nb,2026-01-05,ja
k2,Quirina Beholdsen,quirina.behold@example.no,+46 70 111 22 33,sv,2025-03-04,nei
k3,Hallvard Bokholder,hallvard.bok@example.no,413 57 913,nb,2026-02-01,ja
k4,Ymir Tohansen,ymir.tohansen@example.no,482 91 735,nb,2025-06-01,
X
printf 'id,Hold\nk3,31.12.2031\n' >hold.csv

check "a register of four" consent-import -c emarketing=E reg.csv
check "k3 under a bookkeeping hold" consent-import --hold-column Hold hold.csv
printf 'id\nk1\nk2\n' | consent-request --purpose partners --print >/dev/null 2>&1
shows "requests printed for k1 and k2 (their addresses in requests.address)" \
"k1|zorvald.kanari@example.no
k2|quirina.behold@example.no" sql "SELECT c.key, r.address FROM requests r
    JOIN customers c ON c.id = r.customer ORDER BY c.key"
nev=$(sql "SELECT count(*) FROM events")

# ---- usage ----

expect_code 0 "--help exits 0" consent-erase --help
grep_ok "--help: usage on stdout" "usage: consent-erase" "$T/out"
expect_code 0 "--version exits 0" consent-erase --version
out_is "--version" "consent-erase (consent) 0.1.0"
expect_code 2 "an unknown option exits 2" consent-erase --bogus
grep_ok "an unknown option: the usage on stderr" "usage: consent-erase" "$T/err"
expect_code 2 "--due with a file exits 2" consent-erase --due keys.txt
err_is "--due with a file: said" "consent-erase: --due reads no input files"
expect_code 2 "--all without --anonymise exits 2" consent-erase --all
err_is "--all: said" "consent-erase: --all goes with --anonymise"
expect_code 2 "--anonymise with --dry-run exits 2" \
	consent-erase --anonymise name:blank --dry-run
err_is "--anonymise --dry-run: said" \
	"consent-erase: --anonymise does not go with --dry-run: it changes no store"
expect_code 2 "--reason twice exits 2" consent-erase --reason a --reason b
err_is "--reason twice: said" "consent-erase: --reason given twice: give it once"
printf 'k1\n' >once.txt
sql .dump >before.dump
for opt in "--actor tester" "--map id=id" "--key id" "--encoding latin1" \
    "--db $CONSENT_DB" "--config $CONSENT_CONFIG"; do
	# shellcheck disable=SC2086
	expect_code 2 "${opt%% *} twice exits 2" consent-erase $opt $opt once.txt
	err_is "${opt%% *} twice: said" \
		"consent-erase: ${opt%% *} given twice: give it once"
	no_stdout "${opt%% *} twice: no rows"
done
expect_code 2 "-k, then --key exits 2" consent-erase -k id --key id once.txt
err_is "-k, then --key: the long form is named" \
	"consent-erase: --key given twice: give it once"
sql .dump >after.dump
check_same "a repeated option erases nothing" before.dump after.dump
check "a repeated option makes no tombstone key" \
	test ! -e "$CONSENT_DB-tombstone.key"
# Of -d, --csv and --tsv the last one counts: here, in the rows written.
printf 'id\nk9\n' >last.csv
expect_code 1 "-n -d ';' --csv: exit 1 (k9 not found)" \
	consent-erase -n -d ';' --csv last.csv
out_is "-d ';' --csv: the last one, ',', counts" "id,action,detail
k9,not-found,not in the store"
expect_code 1 "-n --csv -d ';': exit 1 (k9 not found)" \
	consent-erase -n --csv -d ';' last.csv
out_is "--csv -d ';': the last one, ';', counts" "id;action;detail
k9;not-found;not in the store"
expect_code 2 "no store exits 2" sh -c 'echo k1 | consent-erase --db none.db'
err_is "no store: said" "consent-erase: none.db: no store here (consent-import makes one)"
check "no store: none made" test ! -e none.db

# ---- --dry-run changes nothing, makes no key ----

sql .dump >before.dump
printf 'k1\nk3\nk9\n' >keys.txt
expect_code 1 "--dry-run: exit 1 (k9 not found)" consent-erase -n keys.txt
out_is "--dry-run: the rows it would write" "id,action,detail
k1,erased,
k3,restricted,until 2031-12-31
k9,not-found,not in the store"
err_is "--dry-run: the summary says so" \
	"consent-erase: 3 keys: 1 erased, 1 restricted, 1 not found (dry run: nothing changed)"
sql .dump >after.dump
check_same "--dry-run: the store is exactly as before" before.dump after.dump
check "--dry-run: no tombstone key made" test ! -e "$CONSENT_DB-tombstone.key"

# ---- erase k1 ----

printf 'k1\n' >keys1.txt
expect_code 0 "erase k1: exit 0" env LOGNAME=tester \
	consent-erase --reason "asked by phone 2026-11-22" keys1.txt
out_is "erase k1: the row" "id,action,detail
k1,erased,"
err_is "erase k1: the summary" "consent-erase: 1 key: 1 erased, 0 restricted, 0 not found"
shows "k1: no customer row" 0 sql "SELECT count(*) FROM customers WHERE key = 'k1'"
shows "k1: no consents, no requests left without a customer" "0|0" \
	sql "SELECT (SELECT count(*) FROM consents WHERE customer NOT IN
	    (SELECT id FROM customers)), (SELECT count(*) FROM requests
	    WHERE customer NOT IN (SELECT id FROM customers))"
shows "k1: tombstones of key, e-mail and mobile" "email|1
key|1
mobile|1" sql "SELECT kind, count(*) FROM tombstones GROUP BY kind"
stat -c %a "$CONSENT_DB-tombstone.key" >mode
same_text "the tombstone key is made with mode 0600" 600 mode
shows "the tombstone key: 32 bytes" 32 sh -c "wc -c <'$CONSENT_DB-tombstone.key' | tr -d ' '"
shows "the store names the key file by its absolute path" "$CONSENT_DB-tombstone.key" \
	sql "SELECT value FROM settings WHERE key = 'tombstone_key_file'"
ps=$(sql "SELECT customer FROM events WHERE customer LIKE 'erased-%' LIMIT 1")
shows "k1's pseudonym: erased- and 16 hex digits" 1 \
	sh -c "echo '$ps' | grep -c '^erased-[0-9a-f]\{16\}\$'"
e=$((nev + 1))
shows "k1's events: redacted, the erasure event last" \
"1|consent-import|$ps|service|unknown|granted|redacted by event $e
2|consent-import|$ps|emarketing|unknown|granted|redacted by event $e
8|consent-request|$ps|partners||queued|redacted by event $e
10|consent-request|$ps|partners|queued|sent|redacted by event $e
$e|consent-erase|$ps||active|erased|redacted 1-2,8,10; reason: asked by phone 2026-11-22" \
	events "e.customer = '$ps'"
shows "no event names k1" 0 sql "SELECT count(*) FROM events WHERE customer = 'k1'"
shows "the erasure event's run: actor and tool" "tester|consent-erase" \
	sql "SELECT r.actor, r.tool FROM events e JOIN runs r ON r.id = e.run
	    WHERE e.seq = $e"
shows "the chain verifies after the erasure" "ok $e events (4 redacted)" $VERIFY "$CONSENT_DB"
shows "the WAL is empty after the run" 0 sh -c "cat '$CONSENT_DB-wal' 2>/dev/null | wc -c | tr -d ' '"

# The verifier is not a yes-man: an edited event or a false claim breaks.
cp "$CONSENT_DB" tamper.db
sqlite3 tamper.db "UPDATE events SET evidence = 'reg.csv:3 E=ja' WHERE seq = 4"
shows "an edited event breaks the chain" "break at event 4: hash differs" $VERIFY tamper.db
cp "$CONSENT_DB" tamper.db
sqlite3 tamper.db "UPDATE events SET evidence = 'redacted by event $e' WHERE seq = 4"
shows "an event that claims a redaction no erasure event lists breaks it" \
	"break at event 4: redacted, but event $e does not list it" $VERIFY tamper.db

# ---- the canary: the bytes are gone ----

canary "$CONSENT_DB" Zorvald Kanarifugl zorvald.kanari Zorvald.Kanari \
	+4791234567 91234567 >db.canary
same_text "k1's name, e-mail and number are nowhere in the database file" \
"Zorvald 0
Kanarifugl 0
zorvald.kanari 0
Zorvald.Kanari 0
+4791234567 0
91234567 0" db.canary
canary "$CONSENT_DB-wal" Zorvald Kanarifugl zorvald.kanari +4791234567 >wal.canary
same_text "... nor in its WAL" \
"Zorvald 0
Kanarifugl 0
zorvald.kanari 0
+4791234567 0" wal.canary
canary "$CONSENT_DB" Quirina Beholdsen quirina.behold +46701112233 >kept.canary
same_text "k2, not erased, is still there" \
"Quirina 1
Beholdsen 1
quirina.behold 2
+46701112233 1" kept.canary

# ---- a re-import of the erased person is suppressed ----

cat >again.csv <<'X'
id,name,email,mobile,E
k1,Zorvald Kanarifugl,,,ja
n1,Z. K.,ZORVALD.kanari@example.NO,,ja
n2,Z K,,+47 912-34-567,ja
n3,Ny Kunde,ny.kunde@example.no,,ja
X
expect_code 0 "a re-import of k1 (key, e-mail in other case, mobile in other format)" \
	consent-import -c emarketing=E again.csv
err_is "the re-import: three rows suppressed" "$(summary 4 1 0 0 0 3 0)"
shows "the re-import: only the new customer is stored" "k2
k3
k4
n3" sql "SELECT key FROM customers ORDER BY key"
printf 'id,email\nk1,\nx1,zorvald.kanari@example.no\nk2,\n' >stream.csv
expect_code 0 "consent-filter leaves the erased out, by key and by e-mail" \
	consent-filter stream.csv
out_is "consent-filter: only k2" "id,email
k2,"
printf 'id\nk1\n' | consent-request --purpose emarketing --print >/dev/null 2>"$T/err"
grep_ok "consent-request skips k1 as erased" "1 skipped" "$T/err"

# ---- again, and not found ----

last=$(sql "SELECT max(seq) FROM events")
expect_code 0 "erasing k1 again: exit 0, already erased" consent-erase keys1.txt
out_is "erasing k1 again: the row" "id,action,detail
k1,erased,already erased"
shows "erasing k1 again writes no event" "$last" sql "SELECT max(seq) FROM events"
expect_code 1 "an unknown key: exit 1" sh -c 'echo nobody | consent-erase'
out_is "an unknown key: not-found" "id,action,detail
nobody,not-found,not in the store"

# ---- the input: bare keys, CSV, --key, --map ----

printf '\357\273\277  k4 \r\n\r\n\tk4\r\nzz\r\n' >bare.txt
expect_code 1 "bare keys: a BOM, blanks, CRLF, a blank line, a duplicate" \
	consent-erase -n bare.txt
printf 'id,action,detail\r\nk4,erased,\r\nzz,not-found,not in the store\r\n' >want
check_same "bare keys: one row a key, CRLF as the input" want "$T/out"
printf 'Navn;Kundenr\nYmir;k4\n' >kunder.csv
expect_code 0 "--key Kundenr: a ';' CSV" consent-erase -n --key Kundenr kunder.csv
out_is "--key: the rows in the input's format" "id;action;detail
k4;erased;"
expect_code 0 "--map id=Kundenr" consent-erase -n --map id=Kundenr kunder.csv
out_is "--map: the rows" "id;action;detail
k4;erased;"
expect_code 0 "--tsv: bare keys, the rows with tabs" sh -c 'echo k4 | consent-erase -n --tsv'
printf 'id\taction\tdetail\nk4\terased\t\n' >want
check_same "--tsv: the rows" want "$T/out"
expect_code 2 "--key naming a missing column exits 2" consent-erase -n --key Nr kunder.csv
err_is "--key missing: said" "consent-erase: kunder.csv: no key column 'Nr' in the header"
printf 'id,name\nk4,Ymir\n,Nobody\n' >nokey.csv
sql .dump >before.dump
expect_code 2 "a CSV row without a key exits 2" consent-erase nokey.csv
err_is "no key: file and line named" "consent-erase: nokey.csv:3: no key; nothing changed"
printf 'id,name\nk4,Ymir\n"k2,Q\n' >bad.csv
expect_code 2 "a bad CSV record exits 2" consent-erase bad.csv
grep_ok "a bad record: file and line named" "consent-erase: bad.csv:3:" "$T/err"
printf 'k4\n\377\n' >badutf.txt
expect_code 2 "invalid UTF-8 in bare keys exits 2" consent-erase badutf.txt
err_is "invalid UTF-8: file and line" \
	"consent-erase: badutf.txt:2: invalid UTF-8 (is it another encoding? try --encoding cp1252)"
sql .dump >after.dump
check_same "bad input: nothing changed (k4 not erased either)" before.dump after.dump
printf 'K\370llo\n' >latin1.txt
expect_code 1 "--encoding latin1 converts bare keys" consent-erase -n -e latin1 latin1.txt
out_is "--encoding: the key in UTF-8" "id,action,detail
Køllo,not-found,not in the store"
expect_code 0 "an empty input: a header, no rows" consent-erase </dev/null
out_is "an empty input: the header" "id,action,detail"

# ---- a bookkeeping hold ----

expect_code 0 "erase k3 under a hold: restricted" consent-erase --reason "kunden ba" <<X
k3
X
out_is "k3: restricted until the hold ends" "id,action,detail
k3,restricted,until 2031-12-31"
shows "k3: key, name and hold kept, contact data gone" \
	"k3|Hallvard Bokholder||||||2031-12-31|restricted" \
	sql "SELECT key, name, email, mobile, lang, last_contact, '', hold_until,
	    status FROM customers WHERE key = 'k3'"
shows "k3: no consents" 0 sql "SELECT count(*) FROM consents k JOIN customers c
    ON c.id = k.customer WHERE c.key = 'k3'"
r3=$(sql "SELECT max(seq) FROM events")
shows "k3's events: evidence redacted, key kept" \
"5|consent-import|k3|service|unknown|granted|redacted by event $r3
6|consent-import|k3|emarketing|unknown|granted|redacted by event $r3
$r3|consent-erase|k3||active|restricted|redacted 5-6; until 2031-12-31; reason: kunden ba" \
	events "e.customer = 'k3'"
shows "the chain verifies after the restriction" "ok $r3 events (6 redacted)" $VERIFY "$CONSENT_DB"
canary "$CONSENT_DB" hallvard.bok +4741357913 Hallvard >k3.canary
same_text "k3's e-mail and number are gone, the name stays" \
"hallvard.bok 0
+4741357913 0
Hallvard 1" k3.canary
expect_code 0 "k3 again: already restricted, nothing written" consent-erase <<X
k3
X
out_is "k3 again: the row" "id,action,detail
k3,restricted,already restricted until 2031-12-31"
shows "k3 again: no event" "$r3" sql "SELECT max(seq) FROM events"
printf 'id,email\nk9,hallvard.bok@example.no\nk3,\n' >k3.csv
expect_code 0 "a re-import of k3 (by key, by e-mail) is suppressed" consent-import k3.csv
err_is "k3's re-import: two suppressed" "$(summary 2 0 0 0 0 2 0)"
expect_code 1 "consent-filter never passes restricted k3" consent-filter k3.csv
out_is "consent-filter: the header alone" "id,email"

# ---- --due ----

expect_code 0 "--due while the hold runs: nothing due" consent-erase --due
out_is "--due: the header alone" "id,action,detail"
expect_code 0 "--due once the hold has ended" \
	env CONSENT_NOW=2032-01-01T08:00:00Z consent-erase --due
out_is "--due: k3 erased, why named" "id,action,detail
k3,erased,hold ended 2031-12-31"
shows "k3 is gone once the hold ended" 0 sql "SELECT count(*) FROM customers WHERE key = 'k3'"
shows "no event names k3 any more" 0 sql "SELECT count(*) FROM events WHERE customer = 'k3'"
e3=$(sql "SELECT max(seq) FROM events")
shows "k3's final erasure event lists every event, the restriction's too" \
	"restricted|erased|redacted 5-6,$r3" sql "SELECT old, new, evidence FROM
	    events WHERE seq = $e3"
shows "the chain verifies after --due" "ok $e3 events (7 redacted)" $VERIFY "$CONSENT_DB"
canary "$CONSENT_DB" Hallvard Bokholder >k3.canary
same_text "k3's name is gone now" "Hallvard 0
Bokholder 0" k3.canary

# [retention] inactive: k2's last contact 2025-03-04, k4's 2025-06-01; n3
# has none and counts from its first event (2026-12-01).
cat >>consent.conf <<'X'

[retention]
inactive = 1y
X
expect_code 0 "--due with [retention] inactive = 1y, a year and a half on" \
	env CONSENT_NOW=2026-12-10T00:00:00Z consent-erase -n --due
out_is "--due: the inactive" "id,action,detail
k2,erased,no contact since 2025-03-04
k4,erased,no contact since 2025-06-01"
expect_code 0 "--due three years on: n3 counts from its first event" \
	env CONSENT_NOW=2029-12-10T00:00:00Z consent-erase -n --due
out_is "--due: n3 by its first event" "id,action,detail
k2,erased,no contact since 2025-03-04
k4,erased,no contact since 2025-06-01
n3,erased,first recorded 2026-12-01 (no contact date)"
printf '[retention]\ninactive = soon\n' >bad.conf
expect_code 2 "a bad [retention] inactive exits 2" consent-erase --config bad.conf --due
err_is "a bad inactive: said" "consent-erase: [retention] inactive: bad duration 'soon' (e.g. 5y, 18m)"

# ---- the tombstone key ----

mkdir -p keys
printf '[retention]\ntombstone_key_file = keys/tomb.key\n' >keys.conf
printf 'id,name,email\na1,A,a1@example.no\na2,B,a2@example.no\n' >a.csv
check "a second store" consent-import --db two.db a.csv
expect_code 0 "an empty input on a store without a key" \
	consent-erase --db two.db --config keys.conf </dev/null
check "an empty input makes no key" test ! -e keys/tomb.key
expect_code 0 "[retention] tombstone_key_file: the key made there" \
	sh -c 'echo a1 | consent-erase --db two.db --config keys.conf'
check "the key file is where the configuration says" test -s keys/tomb.key
shows "the setting names it" "$T/keys/tomb.key" \
	sqlite3 two.db "SELECT value FROM settings WHERE key = 'tombstone_key_file'"
chmod 644 keys/tomb.key
expect_code 2 "a key file open to others exits 2" \
	sh -c 'echo a2 | consent-erase --db two.db'
err_is "a key file open to others: said" \
	"consent-erase: $T/keys/tomb.key: open to group or others (mode 0644); chmod 600 it; nothing changed"
chmod 600 keys/tomb.key
mv keys/tomb.key keys/gone.key
expect_code 2 "a missing key file exits 2 (no new key: the tombstones need the old)" \
	sh -c 'echo a2 | consent-erase --db two.db'
err_is "a missing key file: said" \
	"consent-erase: $T/keys/tomb.key: No such file or directory; nothing changed"
mv keys/gone.key keys/tomb.key

# ---- a crash halfway leaves the store as it was ----

python3 - >crash.csv <<'X'
print("id,name,email,mobile,E")
for i in range(2000):
    print(f"x{i},Krasj Person{i},krasj{i}@example.no,+479{i:07d},ja")
X
check "a store of 2000" consent-import --db crash.db -c emarketing=E crash.csv
awk -F, 'NR > 1 && NR % 2 == 0 { print $1 }' crash.csv >crash.keys
cp crash.db clean.db
sqlite3 crash.db .dump >crash.before
env CONSENT_CRASH_AFTER=3000 consent-erase --db crash.db crash.keys >crash.out 2>crash.err
rc=$?
check "CONSENT_CRASH_AFTER=3000: consent-erase dies by a signal" test "$rc" -gt 128
shows "after the crash: integrity ok" ok sqlite3 crash.db "PRAGMA integrity_check"
check "after the crash: the key file made before the commit is there" \
	test -s crash.db-tombstone.key
cksum <crash.db-tombstone.key >key.before
sqlite3 crash.db .dump >crash.after
check_same "after the crash: the store is exactly as before" crash.before crash.after
expect_code 0 "after the crash: running again completes" \
	consent-erase -q --db crash.db crash.keys
cksum <crash.db-tombstone.key >key.after
check_same "running again took the key file left by the crash" key.before key.after
shows "... and the store names it" "$T/crash.db-tombstone.key" \
	sqlite3 crash.db "SELECT value FROM settings WHERE key = 'tombstone_key_file'"
expect_code 0 "the same erasure on a copy that never crashed" \
	consent-erase -q --db clean.db crash.keys
shows "after the crash and a re-run: 1000 customers, 3000 tombstones" "1000|3000" \
	sqlite3 crash.db "SELECT (SELECT count(*) FROM customers),
	    (SELECT count(*) FROM tombstones)"
for t in customers consents requests; do
	sqlite3 clean.db "SELECT * FROM $t" >clean.$t
	sqlite3 crash.db "SELECT * FROM $t" >crash.$t
	check_same "after the crash and a re-run: $t as without the crash" \
		clean.$t crash.$t
done
shows "after the crash and a re-run: the chain verifies" \
	"ok $(sqlite3 crash.db 'SELECT count(*) FROM events') events (2000 redacted)" \
	$VERIFY crash.db

# ---- kill -9 in the middle of a run ----

python3 - >kill.csv <<'X'
print("id,name,email,mobile,E")
for i in range(20000):
    print(f"y{i},Drept Person{i},drept{i}@example.no,+478{i:07d},ja")
X
check "a store of 20000" consent-import -q --db kill.db -c emarketing=E kill.csv
awk -F, 'NR > 1 && NR % 2 == 0 { print $1 }' kill.csv >kill.keys
consent-erase --db kill.db kill.keys >kill.out 2>kill.err &
victim=$!
sleep 0.2
kill -9 $victim 2>/dev/null
wait $victim 2>/dev/null
# an erasure of 10000 takes about 0.5 s here; the note says which it was
[ -s kill.out ] && echo "# the run ended before the kill" ||
	echo "# the run was killed mid-run"
shows "the store is intact after kill -9" "ok" sqlite3 kill.db "PRAGMA integrity_check"
shows "all or nothing: 20000 customers and no tombstone, or 10000 and 30000" "yes" \
	sh -c 'r=$(sqlite3 kill.db "SELECT (SELECT count(*) FROM customers) || \" \" || (SELECT count(*) FROM tombstones)"); case $r in "20000 0"|"10000 30000") echo yes ;; *) echo "no: $r" ;; esac'
shows "the chain verifies after kill -9" \
	"ok $(sqlite3 kill.db 'SELECT count(*) FROM events') events" \
	sh -c "$VERIFY kill.db | sed 's/ (.*//'"
expect_code 0 "the run again finishes it" consent-erase -q --db kill.db kill.keys
shows "then 10000 customers and 30000 tombstones" "10000|30000" \
	sqlite3 kill.db "SELECT (SELECT count(*) FROM customers),
	    (SELECT count(*) FROM tombstones)"

# ---- every tool checks the tombstone key, not only consent-erase ----

printf 'id,name,email\nz1,Zara Glemt,zara@example.no\n' >z.csv
check "a store for the key checks" consent-import -q --db z.db z.csv
check "z1 is erased" sh -c 'echo z1 | consent-erase -q --db z.db >/dev/null'
chmod 644 z.db-tombstone.key
expect_code 2 "consent-import refuses a key file open to others" \
	consent-import -q --db z.db z.csv
err_is "and names it" \
	"consent-import: $T/z.db-tombstone.key: open to group or others (mode 0644); chmod 600 it; nothing imported"
chmod 600 z.db-tombstone.key
cp z.db-tombstone.key z.key.right
head -c 32 /dev/urandom >z.db-tombstone.key
expect_code 2 "a replaced key file stops consent-import (it would bring z1 back)" \
	consent-import -q --db z.db z.csv
err_is "and says so" \
	"consent-import: $T/z.db-tombstone.key: not the key of this store's tombstones (was the file replaced?); nothing imported"
expect_code 2 "and consent-filter" sh -c 'consent-filter --db z.db --purpose emarketing z.csv'
cp z.key.right z.db-tombstone.key
expect_code 0 "the right key: z1 is suppressed again" consent-import -q --db z.db z.csv
shows "z1 stays out" 0 sqlite3 z.db "SELECT count(*) FROM customers WHERE key = 'z1'"

done_testing
