#!/bin/sh
# consent-import and the consent rules: "no" on a granted consent is a
# withdrawal; an import never turns withdrawn/denied back into granted
# unless its evidence is dated and strictly newer (otherwise a conflict:
# consent kept, master data updated); --reset; letter codes; the same state
# twice writes nothing.
. "${0%/*}/lib.sh"
. "$TOP/tests/import.sh"

# at TIME COMMAND...: run with the clock at TIME.
at() {
	_at=$1
	shift
	env CONSENT_NOW="$_at" "$@"
}

nevents() {
	sql "SELECT count(*) FROM events"
}

# ---- "no" on granted is a withdrawal; on unknown a denial ----

printf 'id,name,E\nk1,Ola,ja\nk2,Kari,nei\n' >s1.csv
expect_code 0 "a first import: yes and no" \
	at 2026-01-01T00:00:00Z consent-import -c emarketing=E s1.csv
shows "yes grants, no on an unknown consent denies" \
"k1|emarketing|granted|2026-01-01T00:00:00Z|0
k2|emarketing|denied|2026-01-01T00:00:00Z|0" \
	consents "key, purpose, state, at, dated" "purpose = 'emarketing'"

printf 'id,name,E\nk1,Ola,nei\nk2,Kari,nei\n' >s2.csv
expect_code 0 "no for a granted consent" \
	at 2026-06-01T00:00:00Z consent-import -c emarketing=E s2.csv
same_text "no for a granted consent: 1 updated, the same state 1 unchanged" \
	"$(summary 2 0 1 1 0 0 0)" "$T/err"
shows "no for a granted consent becomes withdrawn; a denied one stays as stored" \
"k1|emarketing|withdrawn|2026-06-01T00:00:00Z|s2.csv:2 E=nei
k2|emarketing|denied|2026-01-01T00:00:00Z|s1.csv:3 E=nei" \
	consents "key, purpose, state, at, evidence" "purpose = 'emarketing'"
shows "the withdrawal's event: granted -> withdrawn; none for the unchanged one" \
	"k1|emarketing|granted|withdrawn" \
	events "customer, purpose, old, new" "at = '2026-06-01T00:00:00Z'"

printf 'id,name,E\nk1,Ola,nei\n' >s2b.csv
expect_code 0 "no again for a withdrawn consent" \
	at 2026-06-02T00:00:00Z consent-import -c emarketing=E s2b.csv
shows "no on a withdrawn consent keeps the withdrawal, and writes nothing" \
	"k1|emarketing|withdrawn|2026-06-01T00:00:00Z|s2.csv:2 E=nei" \
	consents "key, purpose, state, at, evidence" "key = 'k1' AND purpose = 'emarketing'"

# ---- undated yes on withdrawn/denied: a conflict ----

consents "key, purpose, state, basis, source, at, dated, evidence" >c.before
n=$(nevents)
printf 'id,name,E\nk1,Ola Nordmann,ja\nk2,Kari Nordmann,yes\n' >s3.csv
expect_code 0 "an undated yes on withdrawn and denied: exit 0 (conflicts count as in)" \
	at 2026-07-01T00:00:00Z consent-import -c emarketing=E s3.csv
same_text "an undated yes: 2 conflicts, the rows updated (their names)" \
	"$(summary 2 0 2 0 0 0 2)" "$T/err"
consents "key, purpose, state, basis, source, at, dated, evidence" >c.after
check_same "an undated yes: the consents stay as stored" c.before c.after
shows "an undated yes: no consent event" "$n" nevents
shows "an undated yes: the master data is still updated" "k1|Ola Nordmann
k2|Kari Nordmann" customers "key, name"

printf 'id,name,E\nk1,Ola Nordmann,ja\n' >s4.csv
expect_code 0 "an undated yes with unchanged master data" \
	at 2026-07-02T00:00:00Z consent-import -c emarketing=E s4.csv
same_text "an undated yes, nothing else new: unchanged and a conflict" \
	"$(summary 1 0 0 1 0 0 1)" "$T/err"

printf 'id,S\nk1,R\n' >codes1.csv
expect_code 0 "an undated letter code on a withdrawn consent" \
	at 2026-07-03T00:00:00Z consent-import --codes S:R=emarketing codes1.csv
same_text "an undated letter code: a conflict" "$(summary 1 0 0 1 0 0 1)" "$T/err"
shows "an undated letter code: still withdrawn" "withdrawn" \
	consents state "key = 'k1' AND purpose = 'emarketing'"

# ---- dated yes: older or equal is a conflict, strictly newer wins ----

expect_code 0 "a yes dated before the withdrawal" \
	at 2026-08-01T00:00:00Z consent-import -c emarketing=E --at 2026-05-31 s4.csv
same_text "a yes dated before the withdrawal: a conflict" \
	"$(summary 1 0 0 1 0 0 1)" "$T/err"
shows "a yes dated before the withdrawal: still withdrawn" "withdrawn|2026-06-01T00:00:00Z" \
	consents "state, at" "key = 'k1' AND purpose = 'emarketing'"
expect_code 0 "a yes dated at the withdrawal's time" \
	at 2026-08-01T00:00:00Z consent-import -c emarketing=E \
	--at 2026-06-01T00:00:00Z s4.csv
same_text "a tie: a conflict" "$(summary 1 0 0 1 0 0 1)" "$T/err"
shows "a tie keeps what is stored" "withdrawn|2026-06-01T00:00:00Z" \
	consents "state, at" "key = 'k1' AND purpose = 'emarketing'"
shows "conflicts wrote no event" "$n" nevents
expect_code 0 "a yes dated a second after the withdrawal" \
	at 2026-08-01T00:00:00Z consent-import -c emarketing=E \
	--at 2026-06-01T00:00:01Z s4.csv
same_text "strictly newer: updated, no conflict" "$(summary 1 0 1 0 0 0 0)" "$T/err"
shows "strictly newer: granted, dated, at the evidence's time" \
	"granted|1|2026-06-01T00:00:01Z|s4.csv:2 E=ja" \
	consents "state, dated, at, evidence" "key = 'k1' AND purpose = 'emarketing'"
shows "strictly newer: one event withdrawn -> granted" \
	"k1|emarketing|withdrawn|granted|s4.csv:2 E=ja" \
	events "customer, purpose, old, new, evidence" "seq > $n"

# ---- --set is dated: newer than the stored denial wins ----

printf 'id\nk2\n' >k2.csv
n=$(nevents)
expect_code 0 "--set granted dated before a denial" \
	at 2026-09-01T00:00:00Z consent-import --set emarketing=granted \
	--at 2025-12-31 k2.csv
same_text "--set dated before the denial: a conflict" \
	"$(summary 1 0 0 1 0 0 1)" "$T/err"
shows "--set dated before the denial: still denied" "denied" \
	consents state "key = 'k2' AND purpose = 'emarketing'"
expect_code 0 "--set granted, dated now, after a denial" \
	at 2026-09-01T00:00:00Z consent-import --set emarketing=granted k2.csv
same_text "--set newer than the denial: updated" "$(summary 1 0 1 0 0 0 0)" "$T/err"
shows "--set newer than the denial: granted, dated now, source manual" \
	"granted|1|2026-09-01T00:00:00Z|manual" \
	consents "state, dated, at, source" "key = 'k2' AND purpose = 'emarketing'"
shows "--set newer than the denial: one event denied -> granted" \
	"k2|emarketing|denied|granted|manual" \
	events "customer, purpose, old, new, source" "seq > $n"

# ---- the same state twice writes nothing ----

n=$(nevents)
printf 'id,E\nk1,yes\nk2,J\n' >same.csv
expect_code 0 "yes on granted" \
	at 2026-10-01T00:00:00Z consent-import -c emarketing=E same.csv
same_text "yes on granted: unchanged" "$(summary 2 0 0 2 0 0 0)" "$T/err"
shows "yes on granted: no event" "$n" nevents
shows "yes on granted: the stored evidence stays" "k1|2026-06-01T00:00:01Z|1
k2|2026-09-01T00:00:00Z|1" consents "key, at, dated" "purpose = 'emarketing'"

# ---- new customers: default grants, unless the row records the purpose ----

printf 'id,Service\nn1,nei\nn2,\n' >svc.csv
expect_code 0 "a new customer whose row records service" \
	consent-import -c service=Service svc.csv
shows "the row's own answer for service wins over the default grant" \
"n1|service|denied|contract|import|0
n2|service|granted|contract|import|0" consents "" "key IN ('n1', 'n2')"

# ---- --reset ----

printf 'id,E,P\nr1,ja,ja\nr2,ja,\n' >r0.csv
check "customers for --reset" consent-import -c emarketing=E,partners=P r0.csv
printf 'id,P\nr1,nei\n' >r1.csv
check "r1 withdraws partners" consent-import -c partners=P r1.csv
printf 'id,S\nr1,ja\nr2,\nr3,\n' >reset.csv
expect_code 0 "--reset with a profiling column" \
	at 2026-12-02T00:00:00Z consent-import --reset -c profiling=S reset.csv
same_text "--reset: the summary" "$(summary 3 1 2 0 0 0 0)" "$T/err"
shows "--reset: what the row records stands, everything else denied, a withdrawal stays; a new customer gets no default grant" \
"r1|emarketing|denied|consent|import
r1|partners|withdrawn|consent|import
r1|profiling|granted|consent|import
r1|service|denied|contract|import
r2|emarketing|denied|consent|import
r2|partners|denied|consent|import
r2|profiling|denied|consent|import
r2|service|denied|contract|import
r3|emarketing|denied|consent|import
r3|partners|denied|consent|import
r3|profiling|denied|consent|import
r3|service|denied|contract|import" \
	consents "key, purpose, state, basis, source" "key LIKE 'r_'"
shows "--reset: events for the changes it made" \
"r1|service|granted|denied
r1|emarketing|granted|denied
r1|profiling|unknown|granted
r2|service|granted|denied
r2|emarketing|granted|denied
r2|partners|unknown|denied
r2|profiling|unknown|denied
r3|service|unknown|denied
r3|emarketing|unknown|denied
r3|partners|unknown|denied
r3|profiling|unknown|denied" \
	events "customer, purpose, old, new" "at = '2026-12-02T00:00:00Z'"
n=$(nevents)
expect_code 0 "--reset again" \
	at 2026-12-03T00:00:00Z consent-import --reset -c profiling=S reset.csv
same_text "--reset again: all unchanged" "$(summary 3 0 0 3 0 0 0)" "$T/err"
shows "--reset again: no event" "$n" nevents

# ---- letter codes ----

printf 'id,name,status\nq1,Rf,RF\nq2,Empty,\nq3,Unknown letters,SXZ\nq4,Lower case,rf\nq5,All,FSR\n' >codes.csv
expect_code 0 "--codes: a letter-code column" \
	consent-import --codes status:R=emarketing,F=partners,S=profiling codes.csv
same_text "--codes: the summary" "$(summary 5 5 0 0 0 0 0)" "$T/err"
shows "--codes: letters grant, missing letters say no, empty records nothing, unknown letters ignored, case counts" \
"q1|emarketing|granted
q1|partners|granted
q1|profiling|denied
q3|emarketing|denied
q3|partners|denied
q3|profiling|granted
q4|emarketing|denied
q4|partners|denied
q4|profiling|denied
q5|emarketing|granted
q5|partners|granted
q5|profiling|granted" consents "key, purpose, state" \
	"key LIKE 'q_' AND purpose <> 'service'"
shows "--codes: undated, source import, evidence FILE:LINE COLUMN=VALUE" \
"q1|emarketing|consent|import|0|codes.csv:2 status=RF
q1|partners|consent|import|0|codes.csv:2 status=RF
q1|profiling|consent|import|0|codes.csv:2 status=RF" \
	consents "key, purpose, basis, source, dated, evidence" \
	"key = 'q1' AND purpose <> 'service'"
shows "--codes: the empty cell wrote no consent event" "q2|service" \
	events "customer, purpose" "customer = 'q2'"

printf 'id,name,status\nq1,Rf,S\n' >codes2.csv
expect_code 0 "--codes again: S for a customer who had RF" \
	at 2026-12-05T00:00:00Z consent-import \
	--codes status:R=emarketing,F=partners,S=profiling codes2.csv
same_text "--codes again: updated, and a conflict for the denied profiling" \
	"$(summary 1 0 1 0 0 0 1)" "$T/err"
shows "--codes again: R and F withdrawn, the undated S cannot grant the denied profiling" \
"q1|emarketing|withdrawn
q1|partners|withdrawn
q1|profiling|denied" consents "key, purpose, state" \
	"key = 'q1' AND purpose <> 'service'"
expect_code 0 "--codes with --at after the denial" \
	at 2026-12-06T00:00:00Z consent-import --at 2026-12-05T12:00:00Z \
	--codes status:R=emarketing,F=partners,S=profiling codes2.csv
same_text "--codes with a newer --at: no conflict" "$(summary 1 0 1 0 0 0 0)" "$T/err"
shows "--codes with a newer --at: profiling granted, dated" "granted|1|2026-12-05T12:00:00Z" \
	consents "state, dated, at" "key = 'q1' AND purpose = 'profiling'"

sql .dump >before.dump
expect_code 2 "--codes naming a missing column exits 2" \
	consent-import --codes Statuskode:R=emarketing codes.csv
grep_ok "--codes naming a missing column: named" "'Statuskode'" "$T/err"
expect_code 2 "--codes with an unknown purpose exits 2" \
	consent-import --codes status:R=marketing codes.csv
grep_ok "--codes with an unknown purpose: named" "'marketing'" "$T/err"
expect_code 2 "--codes without letters exits 2" consent-import --codes status codes.csv
sql .dump >after.dump
check_same "bad --codes change nothing" before.dump after.dump

# ---- --set denied after a yes is a withdrawal ----

printf 'id\nk9\n' >k9.csv
expect_code 0 "--set granted for a new customer" \
	at 2026-10-01T00:00:00Z consent-import -q --set emarketing=granted k9.csv
expect_code 0 "--set denied after it" \
	at 2026-10-02T00:00:00Z consent-import -q --set emarketing=denied k9.csv
shows "--set denied on a granted consent: withdrawn" "withdrawn|manual" \
	consents "state, source" "key = 'k9' AND purpose = 'emarketing'"
expect_code 0 "--set denied again" \
	at 2026-10-03T00:00:00Z consent-import -q --set emarketing=denied k9.csv
shows "--set denied on a withdrawn consent: stays withdrawn" "withdrawn" \
	consents state "key = 'k9' AND purpose = 'emarketing'"
expect_code 0 "--set denied for a new customer" \
	consent-import -q --set partners=denied k9.csv
shows "--set denied on an unknown consent: denied" "denied" \
	consents state "key = 'k9' AND purpose = 'partners'"

done_testing
