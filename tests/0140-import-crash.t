#!/bin/sh
# consent-import killed halfway: one transaction for the whole run, so a
# killed import leaves the store as it was (or, had it finished, complete),
# never between; and running it again converges to what a clean import of
# the same file gives.
. "${0%/*}/lib.sh"
. "$TOP/tests/import.sh"

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
shows "big.csv: a header and $ROWS rows" $((ROWS + 1)) sh -c 'wc -l <big.csv | tr -d " "'

# ---- the reference: a clean import into a fresh store ----

expect_code 0 "a clean import of $ROWS rows into a fresh store" \
	consent-import --db clean.db --codes "$CODES" big.csv
same_text "the clean import: the summary" "$(summary $ROWS $ROWS 0 0 0 0 0)" "$T/err"
snapshot clean.db clean
shows "the clean import: every customer is stored" $ROWS count clean.db customers
shows "the clean import leaves the store in WAL mode, with no journal" \
	"wal no" sh -c "sqlite3 -batch clean.db 'PRAGMA journal_mode' | tr -d '\n';
	test -e clean.db-journal && echo ' journal' || echo ' no'"

# ---- kill -9 about a second into the run ----

# An import into an empty store writes through a rollback journal
# (consent-import(1)), which appears with its first write.
consent-import --db kill.db --codes "$CODES" big.csv >kill.out 2>kill.err &
pid=$!
i=0
while [ ! -e kill.db-journal ] && [ $i -lt 300 ]; do
	sleep 0.1 2>/dev/null || sleep 1
	i=$((i + 1))
done
sleep 1
if kill -9 "$pid" 2>/dev/null; then killed=yes; else killed=no; fi
wait "$pid" 2>kill.wait  # the shell's own "Killed" notice
rc=$?
if [ "$killed" = yes ]; then
	shows "kill -9: the import died by SIGKILL" 137 echo "$rc"
	check "kill -9: the run's rollback journal is left behind" \
		test -e kill.db-journal
else
	echo "# the import finished before the kill came"
	shows "the import that was not killed exited 0" 0 echo "$rc"
fi
shows "kill -9: the store passes SQLite's integrity check" ok integrity kill.db
n=$(count kill.db customers)
echo "# customers after the kill: $n"
check "kill -9: all or nothing ($n of $ROWS customers)" \
	test "$n" -eq 0 -o "$n" -eq "$ROWS"
if [ "$n" -eq 0 ]; then
	shows "kill -9 with nothing committed: no consents" 0 count kill.db consents
	shows "kill -9 with nothing committed: no events" 0 count kill.db events
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
shows "after the crash: the store passes SQLite's integrity check" ok integrity crash.db
shows "after the crash: no customer" 0 count crash.db customers
shows "after the crash: no consent" 0 count crash.db consents
shows "after the crash: no event" 0 count crash.db events
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
shows "a crash into a store with data: integrity ok" ok integrity pre.db
sqlite3 -batch pre.db .dump >pre.after
check_same "a crash into a store with data: the store is exactly as before" \
	pre.before pre.after

done_testing
