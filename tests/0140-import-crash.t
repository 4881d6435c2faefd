#!/bin/sh
# consent-import killed halfway: one transaction for the whole run, so a
# killed import leaves the store as it was (or, had it finished, complete),
# never between; and running it again converges to what a clean import of
# the same file gives.
. "${0%/*}/lib.sh"

# ---- the store as a user reads it: one row a line, '|'-separated ----

# customers [COLUMNS [CONDITION]]
customers() {
	sql "SELECT ${1:-key, name, email, mobile, lang, last_contact,
	    hold_until, status} FROM customers WHERE ${2:-1} ORDER BY key"
}

# consents [COLUMNS [CONDITION]]: key purpose state basis source at dated
# evidence, one row per customer and purpose
consents() {
	sql "SELECT ${1:-key, purpose, state, basis, source, dated} FROM (
	    SELECT c.key AS key, p.name AS purpose, k.state AS state,
	    k.basis AS basis, k.source AS source, k.at AS at, k.dated AS dated,
	    e.evidence AS evidence FROM consents k
	    JOIN customers c ON c.id = k.customer
	    JOIN purposes p ON p.id = k.purpose
	    LEFT JOIN events e ON e.seq = k.event)
	    WHERE ${2:-1} ORDER BY key, purpose"
}

# events [COLUMNS [CONDITION]]: seq actor tool at customer purpose old new
# basis source evidence, in chain order
events() {
	sql "SELECT ${1:-seq, actor, tool, customer, purpose, old, new, basis,
	    source, evidence} FROM (
	    SELECT e.seq AS seq, r.actor AS actor, r.tool AS tool, r.at AS at,
	    e.customer AS customer, e.purpose AS purpose, e.old AS old,
	    e.new AS new, e.basis AS basis, e.source AS source,
	    e.evidence AS evidence FROM events e JOIN runs r ON r.id = e.run)
	    WHERE ${2:-1} ORDER BY seq"
}

# is NAME EXPECTED COMMAND...: ok when the command prints EXPECTED.
is() {
	_is_name=$1 _is_want=$2
	shift 2
	"$@" >"$T/is.out" 2>&1
	same_text "$_is_name" "$_is_want" "$T/is.out"
}

# no_stdout NAME: the last run wrote nothing on stdout.
no_stdout() {
	check_same "$1" /dev/null "$T/out"
}

summary() {
	echo "consent-import: read $1, new $2, updated $3, unchanged $4, rejected $5, suppressed $6, conflicts $7"
}

ROWS=300000
CODES=status:R=emarketing,F=partners,S=profiling

# snapshot DB NAME: the customers, consents and counts of a store, as files
# NAME.customers, NAME.consents and NAME.counts.
snapshot() {
	_db_saved=$CONSENT_DB
	CONSENT_DB=$1
	customers >"$2.customers"
	consents "key, purpose, state, basis, source, at, dated, evidence" \
	    >"$2.consents"
	sql "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM
	    consents), (SELECT count(*) FROM events), (SELECT max(seq) FROM
	    events)" >"$2.counts"
	CONSENT_DB=$_db_saved
}

# count DB TABLE
count() {
	sqlite3 -batch "$1" "SELECT count(*) FROM $2"
}

# integrity DB: what SQLite says of the file.
integrity() {
	sqlite3 -batch "$1" "PRAGMA integrity_check"
}

check "gen-customers writes $ROWS rows" sh -c \
	"'$TOP/scripts/gen-customers' $ROWS >big.csv"
is "big.csv: a header and $ROWS rows" $((ROWS + 1)) sh -c 'wc -l <big.csv | tr -d " "'

# ---- the reference: a clean import into a fresh store ----

expect_code 0 "a clean import of $ROWS rows into a fresh store" \
	consent-import --db clean.db --codes "$CODES" big.csv
same_text "the clean import: the summary" "$(summary $ROWS $ROWS 0 0 0 0 0)" "$T/err"
snapshot clean.db clean
is "the clean import: every customer is stored" $ROWS count clean.db customers

# ---- kill -9 about a second into the run ----

consent-import --db kill.db --codes "$CODES" big.csv >kill.out 2>kill.err &
pid=$!
i=0
while [ ! -e kill.db-wal ] && [ $i -lt 300 ]; do
	sleep 0.1 2>/dev/null || sleep 1
	i=$((i + 1))
done
sleep 1
if kill -9 "$pid" 2>/dev/null; then killed=yes; else killed=no; fi
wait "$pid" 2>kill.wait  # the shell's own "Killed" notice
rc=$?
if [ "$killed" = yes ]; then
	is "kill -9: the import died by SIGKILL" 137 echo "$rc"
else
	echo "# the import finished before the kill came"
	is "the import that was not killed exited 0" 0 echo "$rc"
fi
is "kill -9: the store passes SQLite's integrity check" ok integrity kill.db
n=$(count kill.db customers)
echo "# customers after the kill: $n"
check "kill -9: all or nothing ($n of $ROWS customers)" \
	test "$n" -eq 0 -o "$n" -eq "$ROWS"
if [ "$n" -eq 0 ]; then
	is "kill -9 with nothing committed: no consents" 0 count kill.db consents
	is "kill -9 with nothing committed: no events" 0 count kill.db events
fi
expect_code 0 "after the kill: running again completes" \
	consent-import --db kill.db --codes "$CODES" big.csv
if [ "$n" -eq 0 ]; then
	same_text "running again: all new, as in the clean import" \
		"$(summary $ROWS $ROWS 0 0 0 0 0)" "$T/err"
else
	same_text "running again: all unchanged" \
		"$(summary $ROWS 0 0 $ROWS 0 0 0)" "$T/err"
fi
snapshot kill.db kill
check_same "after the kill and a re-run: the counts of a clean import" \
	clean.counts kill.counts
check_same "after the kill and a re-run: the customers of a clean import" \
	clean.customers kill.customers
check_same "after the kill and a re-run: the consents of a clean import" \
	clean.consents kill.consents

# ---- deterministic: the store aborts after 5000 writes ----

env CONSENT_CRASH_AFTER=5000 consent-import --db crash.db --codes "$CODES" \
	big.csv >crash.out 2>crash.err
rc=$?
echo "# exit status of the crashed run: $rc"
check "CONSENT_CRASH_AFTER=5000: the import dies by a signal" test "$rc" -gt 128
is "after the crash: the store passes SQLite's integrity check" ok integrity crash.db
is "after the crash: no customer" 0 count crash.db customers
is "after the crash: no consent" 0 count crash.db consents
is "after the crash: no event" 0 count crash.db events
expect_code 0 "after the crash: running again completes" \
	consent-import --db crash.db --codes "$CODES" big.csv
same_text "after the crash, running again: all new" \
	"$(summary $ROWS $ROWS 0 0 0 0 0)" "$T/err"
snapshot crash.db crash
check_same "after the crash and a re-run: the counts of a clean import" \
	clean.counts crash.counts
check_same "after the crash and a re-run: the customers of a clean import" \
	clean.customers crash.customers
check_same "after the crash and a re-run: the consents of a clean import" \
	clean.consents crash.consents

# ---- a crash into a store that holds data leaves it as it was ----

head -n 1001 big.csv >first1000.csv
expect_code 0 "a store with 1000 customers" \
	consent-import --db pre.db --codes "$CODES" first1000.csv
sqlite3 -batch pre.db .dump >pre.before
env CONSENT_CRASH_AFTER=5000 consent-import --db pre.db --codes "$CODES" \
	big.csv >crash.out 2>crash.err
rc=$?
check "a crash into a store with data: dies by a signal" test "$rc" -gt 128
is "a crash into a store with data: integrity ok" ok integrity pre.db
sqlite3 -batch pre.db .dump >pre.after
check_same "a crash into a store with data: the store is exactly as before" \
	pre.before pre.after

done_testing
