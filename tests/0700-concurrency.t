#!/bin/sh
# Concurrency on one store: consent-import (consent columns that change at
# every run), consent-sync --from (answers to requests printed beforehand),
# consent-filter (--from-store and on a stream, --purpose), consent-request
# --queue --again and consent-erase (distinct keys) run at the same time,
# each in a loop, for a bounded time.  Every tool takes SQLite's write lock
# with BEGIN IMMEDIATE and waits on busy_timeout (30 s, lib/store.c), so no
# run may fail: no exit 2, no "database is locked" or "busy" on stderr.
# Then nothing is lost: each customer holds what the last import or the
# last answer said, every erased key is gone and tombstoned, every queued
# request is in the store (the last one per customer queued, the earlier
# ones superseded), every good run left its run row; PRAGMA
# integrity_check is ok and the audit chain verifies.  The number of runs
# of each loop is printed as # lines.  Before the loops, a lock held by
# another connection (a writer; a reader, for consent-erase's WAL
# checkpoint) shows that the tools wait for it rather than fail.
#
# CONSENT_CONCURRENCY_SECONDS sets how long the loops run (6).
. "${0%/*}/lib.sh"

PY=/usr/bin/python3
VERIFY="$PY $TOP/tests/tools/audit-verify.py"
SECONDS_=${CONSENT_CONCURRENCY_SECONDS:-6}
NI=20		# customers the import loop changes: i01..i20
NS=20		# customers the sync loop answers for: s01..s20
NQ=5		# customers the request loop asks again: q01..q05
# customers the erase loop may erase, two a run (e001..), 100 a second of
# the loops: more than it gets through; the last one goes before the loops
NE=$((SECONDS_ * 100))

printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
chmod 600 landing.key
cat >consent.conf <<'X'
[company]
name = Bil & Motor AS
lang = nb
info.nb = Vi sender tilbud på service og nye biler.

[landing]
url = https://samtykke.bilmotor.example/
secret_file = landing.key
X
export CONSENT_CONFIG="$T/consent.conf"

# ---- the store before the loops ----

{
	echo "id,name,email,mobile,E"
	i=1; while [ $i -le $NI ]; do
		printf 'i%02d,Import Kunde %d,i%02d@example.no,,ja\n' $i $i $i
		i=$((i + 1))
	done
	i=1; while [ $i -le $NS ]; do
		printf 's%02d,Sync Kunde %d,s%02d@example.no,,ja\n' $i $i $i
		i=$((i + 1))
	done
	i=1; while [ $i -le $NQ ]; do
		printf 'q%02d,Spør Kunde %d,q%02d@example.no,,\n' $i $i $i
		i=$((i + 1))
	done
	i=1; while [ $i -le $NE ]; do
		printf 'e%03d,Slett Kunde %d,e%03d@example.no,4%07d,ja\n' $i $i $i $i
		i=$((i + 1))
	done
} >reg.csv
check "a register of $((NI + NS + NQ + NE)), emarketing granted on 1 October" \
    consent-import -q -c emarketing=E --at 2026-10-01 reg.csv
{
	echo id
	i=1; while [ $i -le $NS ]; do printf 's%02d\n' $i; i=$((i + 1)); done
} >sync-keys.csv
check "partners requests printed for s01..s$NS" \
    sh -c 'consent-request -p partners --print sync-keys.csv >printed.csv'
# id,request,channel,status,detail,link: the request of each customer
sed 1d printed.csv | cut -d, -f1,2 >sync-requests.txt
is "$NS requests, all sent" "$NS" "$(sql "SELECT count(*) FROM requests WHERE status = 'sent'")"
{
	echo id
	i=1; while [ $i -le $NQ ]; do printf 'q%02d\n' $i; i=$((i + 1)); done
} >queue-keys.csv

# ---- a lock held by another process: the tools wait for it ----

# hold KIND SECONDS: another connection holds the write lock (write) or a
# read snapshot (read) for SECONDS; returns once it is held.
hold() {
	rm -f held
	$PY - "$CONSENT_DB" "$1" "$2" <<'X' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "write":
    con.execute("BEGIN IMMEDIATE")
else:
    con.execute("BEGIN")
    con.execute("SELECT count(*) FROM events").fetchall()
open("held", "w").close()
time.sleep(float(sys.argv[3]))
con.execute("COMMIT")
X
	_h=0
	while [ ! -e held ] && [ $_h -lt 100 ]; do sleep 0.05; _h=$((_h + 1)); done
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

# waits NAME MIN-MS COMMAND...: the command exits 0, took at least MIN-MS
# and said nothing of a lock.
waits() {
	_w_name=$1 _w_min=$2
	shift 2
	_w_t0=$(ms)
	run "$@"
	_w_rc=$?
	_w_ms=$(($(ms) - _w_t0))
	if [ $_w_rc -eq 0 ] && [ $_w_ms -ge "$_w_min" ] &&
	    ! grep -qi 'locked\|busy' "$T/err"; then
		_ok "$_w_name (waited $_w_ms ms)"
	else
		_not_ok "$_w_name" "exit $_w_rc after $_w_ms ms: $*"
	fi
}

hold write 1.2
waits "consent-import waits for another writer's lock" 300 \
    consent-import -q -c emarketing=E --at 2026-10-01 reg.csv
wait
hold write 1.2
waits "consent-filter --from-store waits for it too (it opens with BEGIN IMMEDIATE)" 300 \
    consent-filter --from-store -c
wait
printf 'e%03d\n' $NE >last.txt
hold read 1.2
waits "consent-erase waits for a reader to leave the WAL before emptying it" 300 \
    consent-erase -q last.txt
wait
NE=$((NE - 1))

# ---- one run of each tool; $1 is the run's number ----

# at N: an RFC 3339 time N seconds after midnight of DAY ($2).
at() {
	printf '%sT%02d:%02d:%02dZ' "$2" $(($1 / 3600)) $(($1 / 60 % 60)) $(($1 % 60))
}

# consent-import: customer i gets "ja" when i + N is even, else "nei",
# dated N seconds after midnight of 1 November, and a name that says N.
import_once() {
	{
		echo "id,name,E"
		_i=1; while [ $_i -le $NI ]; do
			if [ $(((_i + $1) % 2)) -eq 0 ]; then _v=ja; else _v=nei; fi
			printf 'i%02d,Import Kunde %d run %d,%s\n' $_i $_i $1 $_v
			_i=$((_i + 1))
		done
	} >import.csv
	consent-import -q -c emarketing=E --at "$(at "$1" 2026-11-01)" import.csv
}

# consent-sync --from: an answer to every request printed above, granted
# when i + N is even, else denied, at N seconds after midnight of
# 2 December (within the week before the requests expire).
sync_once() {
	_at=$(at "$1" 2026-12-02)
	{
		echo "seq,request,purpose,answer,at,ip,user_agent,text_sha256"
		_i=0
		while IFS=, read -r _key _req; do
			_i=$((_i + 1))
			if [ $(((_i + $1) % 2)) -eq 0 ]; then _v=granted; else _v=denied; fi
			printf '%d,%s,partners,%s,%s,192.0.2.%d,loop,%064d\n' \
			    $(($1 * 100 + _i)) "$_req" $_v "$_at" $_i 0
		done <sync-requests.txt
	} >answers.csv
	consent-sync --from answers.csv
}

filter_once() {
	if [ $(($1 % 2)) -eq 0 ]; then
		consent-filter --from-store --purpose emarketing
	else
		consent-filter --purpose emarketing reg.csv
	fi
	# 0: some selected, 1: none; both are answers
	_rc=$?
	[ $_rc -le 1 ] || return $_rc
}

request_once() {
	consent-request -p profiling --queue --again queue-keys.csv
}

# consent-erase: the next two keys, e001 and e002 in the first run.
erase_once() {
	printf 'e%03d\ne%03d\n' $((2 * $1 - 1)) $((2 * $1)) |
	    consent-erase -q --reason "loop run $1"
}

# loop NAME: run NAME_once until the deadline; count the runs and the
# failures (an exit that is not 0, or "locked" or "busy" on stderr); keep
# the stdout of every run in NAME.out, the failures in NAME.failures and
# the numbers of the good runs in NAME.good.
loop() {
	_ln=0 _fail=0
	: >"$1.out"
	: >"$1.failures"
	: >"$1.good"
	while [ "$(date +%s)" -lt "$END" ]; do
		_ln=$((_ln + 1))
		if [ "$1" = erase ] && [ $((2 * _ln)) -gt $NE ]; then
			_ln=$((_ln - 1))
			break
		fi
		"$1_once" $_ln >"$1.run" 2>"$1.err"
		_rc=$?
		cat "$1.run" >>"$1.out"
		if [ $_rc -ne 0 ] || grep -qi 'locked\|busy' "$1.err"; then
			_fail=$((_fail + 1))
			printf 'run %d: exit %d: %s\n' $_ln $_rc \
			    "$(tr '\n' ' ' <"$1.err")" >>"$1.failures"
		else
			echo $_ln >>"$1.good"
		fi
	done
	echo "$_ln $_fail" >"$1.count"
}

# ---- the loops ----

END=$(($(date +%s) + SECONDS_))
for l in import sync filter request erase; do
	loop $l &
done
wait

: >"$T/err"
for l in import sync filter request erase; do
	read -r runs fails <$l.count
	echo "# $l: $runs runs, $fails failed"
	is "$l: runs in the loop" yes "$([ "$runs" -gt 0 ] && echo yes || echo no)"
	if [ "$fails" -eq 0 ]; then
		_ok "$l: no run failed"
	else
		head -5 $l.failures | sed 's/^/# /'
		_not_ok "$l: no run failed" "$fails of $runs failed (the first above)"
	fi
done

# ---- nothing lost ----

# What the store must hold follows from the good runs of each loop, in
# their order: the last one's name; the consent of the last run that
# changed it, dated by that run (a run that says what is stored already
# changes nothing, not even the date: that happens after a failed run).
# The import starts from "granted" (1 October), a "no" after a "yes" is
# a withdrawal; the sync from nothing, its first "no" is a denial.
awk -v n=$NI '
function at(k) {
	return sprintf("2026-11-01T%02d:%02d:%02dZ", int(k / 3600),
	    int(k / 60) % 60, k % 60)
}
BEGIN { for (i = 1; i <= n; i++) { cur[i] = "granted"; when[i] = "2026-10-01T00:00:00Z" } }
{
	k = $1; last = k
	for (i = 1; i <= n; i++) {
		v = (i + k) % 2 == 0 ? "granted" : "withdrawn"
		if (v != cur[i]) { cur[i] = v; when[i] = at(k) }
	}
}
END {
	for (i = 1; i <= n; i++)
		printf "i%02d|Import Kunde %d run %d|%s|%s\n", i, i, last, cur[i], when[i]
}' import.good >import.want
sql "SELECT c.key, c.name, s.state, s.at FROM customers c
     JOIN consents s ON s.customer = c.id
     JOIN purposes p ON p.id = s.purpose AND p.name = 'emarketing'
     WHERE c.key LIKE 'i%' ORDER BY c.key" >import.got
check_same "import: every customer holds the last import's name and consent (run $(tail -1 import.good))" \
    import.want import.got

awk -F, '
function at(k) {
	return sprintf("2026-12-02T%02d:%02d:%02dZ", int(k / 3600),
	    int(k / 60) % 60, k % 60)
}
NR == FNR { n++; key[n] = $1; req[n] = $2; cur[n] = ""; next }
{
	k = $1
	for (i = 1; i <= n; i++) {
		if ((i + k) % 2 == 0) {
			if (cur[i] != "granted") { cur[i] = "granted"; when[i] = at(k) }
		} else if (cur[i] == "granted") {
			cur[i] = "withdrawn"; when[i] = at(k)
		} else if (cur[i] == "") {
			cur[i] = "denied"; when[i] = at(k)
		}
	}
}
END {
	for (i = 1; i <= n; i++)
		printf "%s|%s|%s|%s|%s\n", key[i], req[i],
		    cur[i] == "granted" ? "approved" : "denied", cur[i], when[i]
}' sync-requests.txt sync.good >sync.want
sql "SELECT c.key, r.id, r.status, s.state, s.at FROM customers c
     JOIN requests r ON r.customer = c.id
     JOIN consents s ON s.customer = c.id
     JOIN purposes p ON p.id = s.purpose AND p.name = 'partners'
     WHERE c.key LIKE 's%' ORDER BY c.key" >sync.got
check_same "sync: every request and consent holds the last answer (run $(tail -1 sync.good))" \
    sync.want sync.got

# id,request,channel,status,detail per customer and run
grep -v '^id,' request.out >request.rows
is "request: every row printed says queued" "" \
    "$(awk -F, '$4 != "queued"' request.rows)"
cut -d, -f2 request.rows | sort -n >request.ids
sql "SELECT r.id FROM requests r JOIN customers c ON c.id = r.customer
     WHERE c.key LIKE 'q%' ORDER BY r.id" >request.stored
check_same "request: every request printed is in the store, and no other" \
    request.ids request.stored
awk -F, '{ last[$1] = $2 } END { for (k in last) print k "|" last[k] }' \
    request.rows | sort >request.want
sql "SELECT c.key, r.id FROM requests r JOIN customers c ON c.id = r.customer
     WHERE c.key LIKE 'q%' AND r.status = 'queued' ORDER BY c.key" >request.got
check_same "request: the last request of each customer is the queued one" \
    request.want request.got
is "request: the earlier ones are cancelled, superseded" 0 \
    "$(sql "SELECT count(*) FROM requests r JOIN customers c ON c.id = r.customer
       WHERE c.key LIKE 'q%' AND r.status <> 'queued' AND NOT
       (r.status = 'cancelled' AND r.detail LIKE 'superseded by request %')")"

# id,action,detail per key
grep -v '^id,' erase.out >erase.rows
ne=$(wc -l <erase.rows)
echo "# erase: $ne keys erased"
is "erase: every key given says erased" "" \
    "$(awk -F, '$2 != "erased"' erase.rows)"
cut -d, -f1 erase.rows | sort >erase.keys
is "erase: none of them is still a customer" 0 \
    "$(sql "SELECT count(*) FROM customers WHERE key IN
       ($(sed "s/.*/'&'/" erase.keys | paste -sd, -))")"
is "erase: and the others are all there" $((NE - ne)) \
    "$(sql "SELECT count(*) FROM customers WHERE key LIKE 'e%'")"
is "erase: no event names an erased key" 0 \
    "$(sql "SELECT count(*) FROM events WHERE customer IN
       ($(sed "s/.*/'&'/" erase.keys | paste -sd, -))")"
# the tombstones, recomputed with the key (HMAC-SHA-256 over kind, NUL,
# value): key, e-mail and mobile of each erased customer
$PY - "$CONSENT_DB" erase.keys >tomb.out 2>&1 <<'X'
import hashlib, hmac, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
path = con.execute("SELECT value FROM settings"
                   " WHERE key = 'tombstone_key_file'").fetchone()[0]
key = open(path, "rb").read()
have = set(con.execute("SELECT kind, hash FROM tombstones"))
missing = 0
for k in open(sys.argv[2]).read().split():
    i = int(k[1:])
    for kind, v in (("key", k), ("email", "%s@example.no" % k),
                    ("mobile", "+474%07d" % i)):
        h = hmac.new(key, kind.encode() + b"\0" + v.encode(),
                     hashlib.sha256).digest()
        if (kind, h) not in have:
            print("no tombstone:", kind, v)
            missing += 1
print("missing", missing, "of", len(have))
X
grep_ok "erase: every erased key, e-mail and mobile is tombstoned" "missing 0 " tomb.out
{ echo id; cut -d, -f1 erase.rows; } >again.csv
run consent-import again.csv
grep_ok "erase: a re-import of the erased keys is suppressed" \
    "read $ne, new 0, updated 0, unchanged 0, rejected 0, suppressed $ne," "$T/err"

# ---- the store itself ----

# The runs that wrote (import, sync, request, erase) took turns: a run of
# one tool between two of another's, many times.
sw=$(sql "SELECT count(*) FROM runs a JOIN runs b ON b.id = a.id + 1
    WHERE a.tool <> b.tool")
echo "# runs that wrote: $(sql "SELECT count(*) FROM runs"), a change of tool $sw times"
is "the loops' writes interleaved" yes "$([ "$sw" -ge 10 ] && echo yes || echo no)"
# Every run of a loop changed something when the run before it went in,
# so each wrote its run row: one more for import, request and erase
# (their runs before the loops).  (After a failed run, the next import or
# sync may find nothing to change: then the count says nothing.)
for l in import sync request erase; do
	read -r runs fails <$l.count
	want=$((runs - fails))
	[ $l = sync ] || want=$((want + 1))
	if [ "$fails" -eq 0 ]; then
		is "$l: the store has a run for each run of the loop" $want \
		    "$(sql "SELECT count(*) FROM runs WHERE tool = 'consent-$l'")"
	else
		_ok "$l: the store has a run for each run of the loop # SKIP runs failed"
	fi
done

is "PRAGMA integrity_check" ok "$(sql 'PRAGMA integrity_check')"
run $VERIFY "$CONSENT_DB"
grep_ok "the audit chain verifies" "ok " "$T/out"
echo "# audit: $(cat "$T/out")"

done_testing
