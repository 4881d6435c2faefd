#!/bin/sh
# Crash points: consent-import, consent-request (asking and sending by
# e-mail to a real SMTP server and by SMS to the gateway stand-in,
# --queue, --send-queued over two batches), consent-sync (from a running
# consent-landing) and consent-erase, each stopped by CONSENT_CRASH_AFTER=N
# (abort() after the Nth store write: a statement that changed the store,
# or a commit) at every write of its run, or for the longer runs at a
# spread of them (the first three, the last three, 20 or so between).  After each crash: the tool died by a signal, SQLite's integrity
# check is ok, consent-log --verify passes, and the store is exactly as
# one of the run's transactions left it: before the run or after it, as
# these tools have one transaction a run, or for consent-request after
# one of its (the requests; then per batch "sending", and "sent").  Run
# again, the store is that of a run never interrupted, and the chain
# still verifies.
#
# What converging means for consent-request, which cannot take a message
# back: SPEC.md says that a "sending" request (a batch is committed as
# "sending" before the network) found by a later run is reported and not
# sent again unless --retry-uncertain.  So where the crash left requests
# "sending", the rerun reports each as uncertain (exit 1) and sends none
# of them (nobody gets a second message), and only --retry-uncertain then
# brings the customers, consents and requests to those of a clean run.
# Where it left none, the rerun alone gives the clean run's store, its
# history included, and every customer got exactly one message.
. "${0%/*}/lib.sh"
. "$TOP/tests/servers.sh"	# lib.sh went to $T: ${0%/*} may be relative

ulimit -c 0	# abort() must not leave a core per crash point

# ---- the store as the test compares it ----

# Every table a user reads, one row a line, in a fixed order, after
# SQLite's integrity check (the first line).  Left out: the events' hashes
# (consent-log --verify checks them, and they hash the servers' replies,
# see below) and the purposes (the configuration's, the same throughout).
# The times stay in: CONSENT_NOW fixes the clock of every run, so a time
# that differs (a request's expiry, a consent's date) is a real
# difference.  Customers, consents and requests come before the events so
# that "the store but its history" is the part above "-- events".
cat >state.sql <<'X'
PRAGMA integrity_check;
SELECT '-- settings';
SELECT key, value FROM settings ORDER BY key;
SELECT '-- customers';
SELECT * FROM customers ORDER BY id;
SELECT '-- consents';
SELECT c.key, p.name, k.state, k.basis, k.source, k.at, k.dated, k.event
    FROM consents k JOIN customers c ON c.id = k.customer
    JOIN purposes p ON p.id = k.purpose ORDER BY c.key, p.name;
SELECT '-- requests';
SELECT id, customer, channel, status, purposes, lang, created, sent,
    expires, reminded, answered, address, detail FROM requests ORDER BY id;
SELECT '-- tombstones';
SELECT kind, hex(hash), at FROM tombstones ORDER BY kind, hash;
SELECT '-- events';
SELECT e.seq, e.run, r.at, r.actor, r.tool, e.customer, e.purpose, e.old,
    e.new, e.basis, e.source, e.evidence, e.request
    FROM events e JOIN runs r ON r.id = e.run ORDER BY e.seq;
SELECT '-- runs', count(*) FROM runs;
X

# states DB...: DB.state for each, from one sqlite3.  The test servers
# number their replies ("queued as 000042", {"id": 42}) across the whole
# test, and a request keeps the reply as its detail: the numbers become N.
states() {
	for _d in "$@"; do
		printf '.open %s\n.output %s.state\n.read state.sql\n' "$_d" "$_d"
	done >"$T/states.cmd"
	sqlite3 -batch <"$T/states.cmd"
	for _d in "$@"; do echo "$_d.state"; done | xargs sed -i -E \
	    -e 's/queued as [0-9]+/queued as N/' -e 's/"id": [0-9]+/"id": N/'
}

# core STATE: the store but its history.
core() {
	sed '/^-- events$/,$d' "$1"
}

# same A B: are the files the same?  The first difference of a check is
# kept in $T/why for its diagnostics.
same() {
	cmp -s "$1" "$2" && return 0
	[ -e "$T/why" ] || diff -u "$1" "$2" | head -40 >"$T/why"
	return 1
}

# every NAME FN: ok when FN N holds at every crash point N ($POINTS); if
# not, the points where it fails are named.
every() {
	_e_bad=
	rm -f "$T/why"
	for _e_n in $POINTS; do
		"$2" "$_e_n" || _e_bad="$_e_bad $_e_n"
	done
	if [ -z "$_e_bad" ]; then
		_ok "$1"
	elif [ -e "$T/why" ]; then
		_not_ok "$1" "not at the crash points:$_e_bad" "$(cat "$T/why")"
	else
		_not_ok "$1" "not at the crash points:$_e_bad"
	fi
	rm -f "$T/why"
}

# val NAME N: the value NAME kept for crash point N, in V (no subshell:
# the checks ask for thousands).
val() {
	eval "V=\${$1_$2}"
}

# recipients: who got a message since the servers' folders were emptied,
# one line a message, sorted.
recipients() {
	cat "$T"/mail/*.json "$T"/sms/*.json 2>/dev/null |
	    grep -o '"rcpt_tos": \[[^]]*\]\|"to": "[^"]*"' | sort
}

clear_servers() {
	rm -f "$T"/mail/* "$T"/sms/*
}

# ---- running a tool at its crash points ----

# A scenario: S (its folder), BASE (the prepared store, one file), CMD
# (the command; it finds the store by CONSENT_DB), RERUN (the command run
# again after a crash, default CMD), RETRY (for consent-request: run after
# the rerun on a copy), SENDS (yes: it sends, count the messages).

# crashes N: does CMD, on a copy of BASE, die at write N?
crashes() {
	cp "$BASE" "$S/probe.db"
	rm -f "$S/probe.db-wal" "$S/probe.db-shm"	# or SQLite replays it
	CONSENT_DB=$T/$S/probe.db CONSENT_CRASH_AFTER=$1 $CMD \
	    >"$S/probe.out" 2>"$S/probe.err" </dev/null
	[ $? -gt 128 ]
}

# writes: how many store writes CMD makes on BASE, by bisection (a run
# that writes fewer than N times is not stopped).
writes() {
	_lo=0 _hi=1
	while crashes $_hi; do _lo=$_hi; _hi=$((_hi * 2)); done
	while [ $((_hi - _lo)) -gt 1 ]; do
		_mid=$(((_lo + _hi) / 2))
		if crashes $_mid; then _lo=$_mid; else _hi=$_mid; fi
	done
	echo $_lo
}

# spread W K: 1, 2, 3, then K points evenly between, then W-2, W-1, W.
spread() {
	awk -v w="$1" -v k="$2" 'BEGIN {
		for (i = 1; i <= 3; i++) p[i] = 1
		for (i = 1; i <= k; i++) p[int(3 + i * (w - 6) / (k + 1))] = 1
		for (i = w - 2; i <= w; i++) p[i] = 1
		for (i = 1; i <= w; i++) if (i in p) printf "%d ", i
	}'
}

# verify DB: consent-log --verify on it; its status.
verify() {
	CONSENT_DB=$T/$1 consent-log --verify >/dev/null 2>"$1.verify"
}

# keep DB COPY: a copy of a store that no process has open.
keep() {
	cp "$1" "$2"
	rm -f "$2-wal"
	if [ -e "$1-wal" ]; then cp "$1-wal" "$2-wal"; fi
}

# reference: the run of CMD on a copy of BASE, uninterrupted: S/ref.db
# and its status REF_RC; S/base.db, BASE as it is; the messages in
# S/ref.rcpt.
reference() {
	cp "$BASE" "$S/base.db"
	cp "$BASE" "$S/ref.db"
	clear_servers
	CONSENT_DB=$T/$S/ref.db $CMD >"$S/ref.out" 2>"$S/ref.err" </dev/null
	REF_RC=$?
	recipients >"$S/ref.rcpt"
	verify "$S/ref.db"
	REF_V=$?
}

# point N: CMD stopped at write N on S/pN.db; the crashed store kept as
# S/cN.db; then RERUN on S/pN.db, and where that reports requests
# uncertain, RETRY on S/qN.db, a copy of that.
# The statuses in rc_N, v1_N (the chain after the crash), rr_N, v2_N,
# rq_N, v3_N; the messages in S/pN.rcpt1 (the crash and the rerun) and
# S/pN.rcpt2 (and the retry).
point() {
	_p=$S/p$1.db
	cp "$BASE" "$_p"
	[ "$SENDS" = yes ] && clear_servers
	CONSENT_DB=$T/$_p CONSENT_CRASH_AFTER=$1 $CMD >"$_p.out" \
	    2>"$_p.err" </dev/null
	eval "rc_$1=$?"
	verify "$_p"
	eval "v1_$1=$?"
	keep "$_p" "$S/c$1.db"
	CONSENT_DB=$T/$_p ${RERUN:-$CMD} >"$_p.rerun" 2>"$_p.rerun.err" \
	    </dev/null
	eval "rr_$1=$?"
	verify "$_p"
	eval "v2_$1=$?"
	[ "$SENDS" = yes ] && recipients >"$_p.rcpt1"
	eval "rq_$1=0 v3_$1=0"
	if [ -n "$RETRY" ] && grep -q ',uncertain,' "$_p.rerun"; then
		keep "$_p" "$S/q$1.db"
		CONSENT_DB=$T/$S/q$1.db $RETRY >"$_p.retry" \
		    2>"$_p.retry.err" </dev/null
		eval "rq_$1=$?"
		verify "$S/q$1.db"
		eval "v3_$1=$?"
		recipients >"$_p.rcpt2"
	fi
}

# crash_all NAME TRANSACTIONS [SPREAD]: the reference, the number of
# writes W, the crash points (every write, or SPREAD of them), the
# states; then the checks that hold for every tool.  TRANSACTIONS is
# how many commits of the run change the store.
TRIED=0
crash_all() {
	_c_name=$1 _tx=$2
	mkdir -p "$S"
	reference
	is "$_c_name: the uninterrupted run's chain verifies" 0 "$REF_V"
	W=$(writes)
	if [ -n "${3:-}" ]; then POINTS=$(spread "$W" "$3"); else POINTS=$(seq 1 "$W"); fi
	_np=$(echo $POINTS | wc -w | tr -d ' ')
	TRIED=$((TRIED + _np))
	echo "# $_c_name: $W store writes, $_np crash points"
	for _k in $POINTS; do point "$_k"; done
	_dbs="$S/base.db $S/ref.db"
	for _k in $POINTS; do
		_dbs="$_dbs $S/c$_k.db $S/p$_k.db"
		[ -e "$S/q$_k.db" ] && _dbs="$_dbs $S/q$_k.db"
	done
	states $_dbs
	every "$_c_name: the run died by a signal" died
	every "$_c_name: after the crash SQLite's integrity check is ok" intact
	every "$_c_name: after the crash the audit chain verifies" chain1
	is "$_c_name: the crashed stores are, in order, the states of $_tx transaction(s), the last the uninterrupted run's" \
	    "$_tx transitions, no state twice, ends as the reference" \
	    "$(transitions)"
	every "$_c_name: after the rerun the audit chain verifies" chain2
	every "$_c_name: after the rerun SQLite's integrity check is ok" intact2
	# under check-sanitize an error report exits 1, which a rerun may
	# also exit for a good reason
	is "$_c_name: no sanitizer report on any stderr" "" \
	    "$(grep -l 'Sanitizer\|runtime error:' "$S"/*.err "$S"/*.verify)"
}

died() { val rc "$1"; [ "$V" -gt 128 ]; }
intact() { read -r _l <"$S/c$1.db.state"; [ "$_l" = ok ]; }
intact2() { read -r _l <"$S/p$1.db.state"; [ "$_l" = ok ]; }
chain1() { val v1 "$1"; [ "$V" -eq 0 ]; }
chain2() { val v2 "$1"; [ "$V" -eq 0 ]; }
rerun_converges() { same "$S/ref.db.state" "$S/p$1.db.state"; }
rerun_status() { val rr "$1"; [ "$V" -eq "$REF_RC" ]; }

# transitions: the crashed stores in the order of their points, the
# store before the run first: how often the state changes, whether one
# comes back after another, whether the last is the reference's.
transitions() {
	{
		echo "$S/base.db.state"
		for _k in $POINTS; do echo "$S/c$_k.db.state"; done
		echo "$S/ref.db.state"
	} | xargs md5sum | awk '{ h[NR] = $1 } END {
		prev = h[1]; seen[prev] = 1
		for (i = 2; i < NR; i++) {
			if (h[i] == prev) continue
			if (h[i] in seen) back++
			seen[h[i]] = 1; t++; prev = h[i]
		}
		printf "%d transitions, %s, %s\n", t,
		    back ? "a state came back" : "no state twice",
		    prev == h[NR] ? "ends as the reference" : "does not end as the reference"
	}'
}

at_last() {
	if [ "$1" -eq "$W" ]; then
		same "$S/ref.db.state" "$S/c$1.db.state"
	else
		same "$S/base.db.state" "$S/c$1.db.state"
	fi
}
# one_transaction NAME [FN TEXT]: the checks of a tool with one
# transaction a run: before it at every point but the last write (the
# commit), after it at the last; the rerun's status (FN N, if given,
# checks it instead, as TEXT says) and store those of the uninterrupted
# run.
one_transaction() {
	every "$1: the store is exactly as before the run, or at the last write (the commit) as after it" at_last
	every "$1: the rerun ${3:-exits as the uninterrupted run ($REF_RC)}" "${2:-rerun_status}"
	every "$1: the rerun converges: the store of the uninterrupted run" rerun_converges
}

# ---- the setting: servers, configuration, a register with history ----

printf 'landing secret for the crash tests, 32+ bytes long\n' >landing.key
printf 'api key of the crash tests\n' >api.key
printf 'gateway-key-710\n' >sms.key
chmod 600 landing.key api.key sms.key
start_smtp
start_sms --key gateway-key-710

conf() {
	cat >consent.conf <<X
[company]
name = Bil & Motor AS
lang = nb
info.nb = Vi sender tilbud på service og nye biler.

[smtp]
url = smtp://127.0.0.1:$SMTP
from = post@bilmotor.example
starttls = no
retry_wait = 0

[sms]
url = http://127.0.0.1:$SMS/send
key_file = sms.key
retry_wait = 0

[landing]
url = https://samtykke.bilmotor.example/
api_url = http://127.0.0.1:${LANDING:-1}/
db = landing.db
secret_file = landing.key
api_key_file = api.key

[retention]
tombstone_key_file = $T/tomb.key
X
}
conf
export CONSENT_CONFIG="$T/consent.conf"
CONSENT_NOW=2026-11-30T10:00:00Z
start_landing
CONSENT_NOW=2026-12-01T12:00:00Z
conf
check "the landing service runs" test -n "$LANDING"

{
	cat <<'X'
id,name,email,mobile,E,Hold
1,Åse Bakke,ase@example.no,,ja,
2,Per Persson,per@example.se,+46 70 111 22 33,,
3,Kari Nordmann,kari@example.no,,,
4,Ola Dunk,ola@example.no,912 34 567,,
5,Nils Nilsen,nils@example.no,,nei,
6,Eva Aas,eva@example.no,,,
7,Liv Berg,liv@example.no,,,
8,Tor Lie,tor@example.no,,,
9,Siri Dahl,siri@example.no,,,
10,Geir Moe,,412 34 567,,
11,Hilde Vik,,487 65 432,,
12,Arne Ask,,,,
13,Berit Bø,berit@example.no,,,31.12.2031
X
	for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18; do
		echo "b$i,Kunde $i,b$i@example.no,,,"
	done
} >reg.csv
check "the register: 13 customers and 18 more" env CONSENT_NOW=2026-11-20T09:00:00Z \
    consent-import -q -c emarketing=E --hold-column Hold reg.csv
check "20 November: requests printed for 1-3 (they expire unanswered)" \
    sh -c 'printf "id\n1\n2\n3\n" | CONSENT_NOW=2026-11-20T10:00:00Z consent-request -p emarketing,partners --print >old.csv'
check "29 November: requests printed for 4-8, with their links" \
    sh -c 'printf "id\n4\n5\n6\n7\n8\n" | CONSENT_NOW=2026-11-29T10:00:00Z consent-request -p emarketing,partners --print >new.csv'
# answer KEY FORM: the customer's answer on the landing page
answer() {
	_tok=$(awk -F, -v k="$1" '$1 == k { n = split($NF, a, "/"); print a[n] }' new.csv)
	curl -s -o /dev/null -w '%{http_code}\n' --data "$2" \
	    "http://127.0.0.1:$LANDING/c/$_tok"
}
is "4, 5, 6 and 7 answer on the landing page" "200 200 200 200" \
    "$(answer 4 'p=emarketing&p=partners') $(answer 5 'p=partners') $(answer 6 '') $(answer 7 'p=emarketing')"
is "8 answers nothing; no request is open but those" \
    "1|sent 2|sent 3|sent 4|sent 5|sent 6|sent 7|sent 8|sent" \
    "$(sql "SELECT c.key || '|' || r.status FROM requests r JOIN customers c ON c.id = r.customer ORDER BY r.id" | tr '\n' ' ' | sed 's/ $//')"
check "the store is one file (no process has it open)" test ! -e consent.db-wal
cp consent.db prepared.db

# ---- consent-import: one transaction ----

{
	echo "id,name,email,mobile,E,F"
	echo "1,Åse Bakke-Lie,ase@example.no,,,ja"	# a new name, partners yes
	echo "2,Per Persson,per.persson@example.se,,nei,"	# new e-mail, a no
	echo "5,Nils Nilsen,nils@example.no,,ja,"	# undated yes over a no: conflict
	echo "9,Siri Dahl,siri@example.no,,,"	# unchanged
	i=20
	while [ $i -lt 40 ]; do
		echo "$i,Ny Kunde $i,ny$i@example.no,9$i 00 000,ja,nei"
		i=$((i + 1))
	done
} >imp.csv
S=imp BASE=prepared.db CMD="consent-import -c emarketing=E,partners=F imp.csv" \
    RERUN= RETRY= SENDS=no
crash_all "consent-import" 1 24
is "consent-import: the uninterrupted run" \
    "consent-import: read 24, new 20, updated 2, unchanged 2, rejected 0, suppressed 0, conflicts 1 (exit 0)" \
    "$(cat imp/ref.err) (exit $REF_RC)"
one_transaction "consent-import"

# ---- consent-sync: the answers from the landing service, the expiry ----

S=sync BASE=prepared.db CMD="consent-sync" RERUN= RETRY= SENDS=no
crash_all "consent-sync" 1 20
is "consent-sync: the uninterrupted run applies the answers and expires 1-3" \
    "consent-sync: 8 answers: 7 applied, 1 already so, 0 overruled by a newer decision, 0 not applied; 3 requests expired" \
    "$(cat sync/ref.err)"
one_transaction "consent-sync"

# ---- consent-erase: two erased, one restricted (a hold), one unknown ----

printf '4\n10\n13\n99\n' >erase.keys
S=erase BASE=prepared.db CMD="consent-erase -q --reason crash-test erase.keys" \
    RERUN= RETRY= SENDS=no
crash_all "consent-erase" 1
is "consent-erase: the uninterrupted run" "id,action,detail
4,erased,
10,erased,
13,restricted,until 2031-12-31
99,not-found,not in the store
(exit 1)" "$(cat erase/ref.out; echo "(exit $REF_RC)")"
one_transaction "consent-erase"

# ---- consent-request: requests, then per batch "sending", then "sent" ----

# sending_counts: how many requests are "sending", as uc_N=COUNT after
# the crash at N and up_N=COUNT after the rerun, for eval.
sending_counts() {
	for _k in $POINTS; do echo "$S/c$_k.db.state $S/p$_k.db.state"; done |
	    xargs awk -F'|' '
		FNR == 1 {
			f = FILENAME; sub(/.*\//, "", f); n = f
			gsub(/[^0-9]/, "", n)
			key = (substr(f, 1, 1) == "c" ? "uc_" : "up_") n
			v[key] = 0; s = 0
		}
		/^-- requests$/ { s = 1; next }
		/^-- / { s = 0 }
		s && $4 == "sending" { v[key]++ }
		END { for (x in v) printf "%s=%d\n", x, v[x] }'
}
# where the crash left no request in doubt, the rerun gives the store of
# the uninterrupted run, history and all, and every message went once, to
# whom the uninterrupted run sent one
clean_rerun() {
	{ val uc "$1"; [ "$V" -eq 0 ]; } || return 0
	same "$S/ref.db.state" "$S/p$1.db.state" &&
	    same "$S/ref.rcpt" "$S/p$1.db.rcpt1"
}
# where it left some: the rerun says so (exit 1, a row "uncertain" each),
# changes none of them and sends nobody a second message
uncertain_rerun() {
	val uc "$1"
	_u=$V
	[ "$_u" -gt 0 ] || return 0
	{ val rr "$1"; [ "$V" -eq 1 ]; } &&
	    [ "$(grep -c ',uncertain,' "$S/p$1.db.rerun")" -eq "$_u" ] &&
	    { val up "$1"; [ "$V" -eq "$_u" ]; } &&
	    [ -z "$(uniq -d "$S/p$1.db.rcpt1")" ]
}
# then --retry-uncertain: exit 0, the customers, consents and requests of
# the uninterrupted run (the history differs: it tells of the retry), and
# everybody got a message (those whose message had gone out before the
# crash, two)
retried() {
	{ val uc "$1"; [ "$V" -gt 0 ]; } || return 0
	{ val rq "$1"; [ "$V" -eq 0 ]; } || return 1
	{ val v3 "$1"; [ "$V" -eq 0 ]; } || return 1
	[ -e "$S/q$1.db.state" ] || return 1	# no retry: not reported
	core "$S/ref.db.state" >"$T/a"
	core "$S/q$1.db.state" >"$T/b"
	same "$T/a" "$T/b" || return 1
	sort -u "$S/ref.rcpt" >"$T/a"
	sort -u "$S/p$1.db.rcpt2" >"$T/b"
	same "$T/a" "$T/b"
}
rerun_status_ok() { val rr "$1"; [ "$V" -le 1 ]; }
# in_doubt NAME: how many crash points left requests in doubt, and at how
# many of those the messages had gone out (the retry sent them twice).
in_doubt() {
	_d=0 _twice=0
	for _k in $POINTS; do
		{ val uc "$_k"; [ "$V" -gt 0 ]; } || continue
		_d=$((_d + 1))
		[ -n "$(uniq -d "$S/p$_k.db.rcpt2")" ] && _twice=$((_twice + 1))
	done
	echo "# $1: $_d crash points left requests in doubt; at $_twice the messages had gone out, and --retry-uncertain sent them again"
	check "$1: some crash points left requests in doubt, before and after the messages went" \
	    test "$_d" -gt "$_twice" -a "$_twice" -gt 0
}
request_checks() {
	eval "$(sending_counts)"
	every "$1: the rerun exits 0 or 1" rerun_status_ok
	every "$1: left nothing in doubt, the rerun converges (history too) and everyone got one message" clean_rerun
	every "$1: left requests \"sending\", the rerun reports them, sends them nobody twice, leaves them" uncertain_rerun
	if [ -n "$RETRY" ]; then
		every "$1: then --retry-uncertain converges (but for the history) and everyone got a message" retried
	fi
}

# 9 and 13 by e-mail, 10 and 11 by SMS, 12 has no address (error); 1
# allows it already and 8 has a request open: skipped.
printf 'id\n1\n8\n9\n10\n11\n12\n13\n' >ask.csv
S=ask BASE=prepared.db CMD="consent-request -p emarketing ask.csv" RERUN= \
    RETRY="consent-request --send-queued --retry-uncertain" SENDS=yes
crash_all "consent-request" 3
is "consent-request: the uninterrupted run" \
    "1  skipped|8 email skipped|9 email sent|10 sms sent|11 sms sent|12  error|13 email sent|(exit 1)" \
    "$(awk -F, 'NR > 1 { printf "%s %s %s|", $1, $3, $4 }' ask/ref.out; echo "(exit $REF_RC)")"
is "consent-request: it sent 2 e-mails and 2 SMS" 4 "$(wc -l <ask/ref.rcpt | tr -d ' ')"
request_checks "consent-request"
in_doubt "consent-request"

S=queue BASE=prepared.db CMD="consent-request -p emarketing --queue ask.csv" \
    RERUN= RETRY= SENDS=no
crash_all "consent-request --queue" 1
is "consent-request --queue: the uninterrupted run queues 4, sends nothing" \
    "4 0" "$(grep -c ',queued,' queue/ref.out) $(wc -l <queue/ref.rcpt | tr -d ' ')"
# committed, a rerun finds every request made: nothing to do, exit 0
rerun_status_queue() {
	if [ "$1" -eq "$W" ]; then
		{ val rr "$1"; [ "$V" -eq 0 ]; }
	else
		rerun_status "$1"
	fi
}
one_transaction "consent-request --queue" rerun_status_queue \
    "exits as the uninterrupted run ($REF_RC), or 0 where that had committed"

# --send-queued: 18 queued requests, two batches (16 and 2)
cp prepared.db queued.db
check "18 requests queued" sh -c 'awk -F, "NR == 1 || /^b/ { print \$1 }" reg.csv |
    CONSENT_DB=queued.db consent-request -p partners --queue >/dev/null'
S=sendq BASE=queued.db CMD="consent-request --send-queued" RERUN= \
    RETRY="consent-request --send-queued --retry-uncertain" SENDS=yes
crash_all "consent-request --send-queued" 4 20
is "consent-request --send-queued: the uninterrupted run sends 18 e-mails" \
    "18 0" "$(wc -l <sendq/ref.rcpt | tr -d ' ') $REF_RC"
request_checks "consent-request --send-queued"
in_doubt "consent-request --send-queued"

echo "# crash points tried: $TRIED"
done_testing
