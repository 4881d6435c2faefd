#!/bin/sh
# consent-sync --from: answers into the store (granted, denied, a "no"
# after a "yes" is a withdrawal), the request's status, the evidence in
# the audit events, idempotence, a strictly newer decision stands, the
# answers it refuses (cancelled, unknown, after expiry, a purpose not
# asked), a bad file changes nothing, and expiry after [landing] expire.
# Fetching from a running consent-landing is tested in 0420-loop.t.
. "${0%/*}/lib.sh"

# answers ROW...: an answers file as consent-landing's API gives it.
answers() {
	echo "seq,request,purpose,answer,at,ip,user_agent,text_sha256"
	for _a in "$@"; do echo "$_a"; done
}

state() {
	sql "SELECT state || '|' || source || '|' || at FROM consents
	     WHERE customer = (SELECT id FROM customers WHERE key = '$1')
	     AND purpose = (SELECT id FROM purposes WHERE name = '$2')"
}

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

cat >customers.csv <<'X'
id,name,email,mobile
1,Åse Bakke,ase@example.no,
2,Per Persson,per@example.se,
3,Kari Nordmann,kari@example.no,
4,Ola Dunk,ola@example.no,
5,Nils Nilsen,nils@example.no,
6,Eva Aas,eva@example.no,
X
check "the store is imported" consent-import -q customers.csv
check "requests 1-6 are printed (sent, with links)" \
    consent-request -p emarketing,partners --print customers.csv
is "six requests sent" "sent sent sent sent sent sent" \
    "$(sql "SELECT group_concat(status, ' ') FROM requests")"

# ---- usage ----

check "--help exits 0" consent-sync --help
grep_ok "--help names --from" "--from" "$T/out"
check "--version exits 0" consent-sync --version
expect_code 2 "a file argument is refused" consent-sync answers.csv
expect_code 2 "no store" consent-sync --db "$T/none.db" --from /dev/null
grep_ok "it says so" "none.db: no store here" "$T/err"

# ---- answers ----

answers "1,1,emarketing,granted,2026-12-01T13:00:00Z,192.0.2.7,Mozilla/5.0 (Android),$(printf %064d 0 | tr 0 a)" \
    "2,1,partners,denied,2026-12-01T13:00:00Z,192.0.2.7,Mozilla/5.0 (Android),$(printf %064d 0 | tr 0 a)" \
    "3,2,emarketing,denied,2026-12-01T14:00:00Z,192.0.2.8,\"Safari, iPhone\",$(printf %064d 0 | tr 0 b)" \
    "4,2,partners,denied,2026-12-01T14:00:00Z,192.0.2.8,\"Safari, iPhone\",$(printf %064d 0 | tr 0 b)" \
    >a1.csv
gives "the answers change the consents" 0 \
"id,purpose,old,new,at,source
1,emarketing,unknown,granted,2026-12-01T13:00:00Z,landing
1,partners,unknown,denied,2026-12-01T13:00:00Z,landing
2,emarketing,unknown,denied,2026-12-01T14:00:00Z,landing
2,partners,unknown,denied,2026-12-01T14:00:00Z,landing" \
    consent-sync --from a1.csv
same_text "the summary" \
"consent-sync: 4 answers: 4 applied, 0 already so, 0 overruled by a newer decision, 0 not applied; 0 requests expired" "$T/err"
is "a yes approves the request, a no denies it" "approved denied" \
    "$(status_of 1) $(status_of 2)"
is "the request keeps when it was answered" "2026-12-01T13:00:00Z" \
    "$(sql 'SELECT answered FROM requests WHERE id = 1')"
is "the consent is dated by the answer, from the landing page" \
    "granted|landing|2026-12-01T13:00:00Z" "$(state 1 emarketing)"
is "the evidence is in the audit event" \
    "consent-sync|consent|landing answer 1 to request 1 at 2026-12-01T13:00:00Z from 192.0.2.7, Mozilla/5.0 (Android); text sha256 $(printf %064d 0 | tr 0 a)" \
    "$(sql "SELECT r.tool, e.basis, e.evidence FROM events e JOIN runs r ON r.id = e.run WHERE e.customer = '1' AND e.purpose = 'emarketing' AND e.new = 'granted'" | tr -d '\n')"
is "the request's change is an event too" "sent|approved" \
    "$(sql "SELECT old, new FROM events WHERE request = 1 ORDER BY seq DESC LIMIT 1")"
check "1 now passes consent-filter --purpose emarketing" \
    sh -c 'printf "id\n1\n2\n" | consent-filter --purpose emarketing >pass.csv'
same_text "and 2 does not" "id
1" pass.csv

events=$(sql 'SELECT count(*) FROM events')
gives "the same answers again change nothing" 0 "id,purpose,old,new,at,source" \
    consent-sync --from a1.csv
is "not even an event" "$events" "$(sql 'SELECT count(*) FROM events')"

# ---- a second visit: a "no" after a "yes" ----

answers "5,1,emarketing,withdrawn,2026-12-02T08:00:00Z,192.0.2.7,Mozilla/5.0 (Android),x" >a2.csv
gives "withdrawn" 0 \
"id,purpose,old,new,at,source
1,emarketing,granted,withdrawn,2026-12-02T08:00:00Z,landing" \
    consent-sync --from a2.csv
run consent-sync --tsv --from a2.csv
same_text "--tsv writes tab-separated (nothing changed: the header)" \
"$(printf 'id\tpurpose\told\tnew\tat\tsource')" "$T/out"
is "the request is denied now" "denied" "$(status_of 1)"
answers "6,2,emarketing,denied,2026-12-03T08:00:00Z,192.0.2.8,x,x" \
    "7,3,emarketing,granted,2026-12-01T15:00:00Z,192.0.2.9,x,x" \
    "8,3,emarketing,denied,2026-12-01T15:05:00Z,192.0.2.9,x,x" >a3.csv
gives "a denied answer after a yes in the same file is a withdrawal" 0 \
"id,purpose,old,new,at,source
3,emarketing,unknown,granted,2026-12-01T15:00:00Z,landing
3,emarketing,granted,withdrawn,2026-12-01T15:05:00Z,landing" \
    consent-sync --from a3.csv

# ---- a strictly newer decision stands ----

printf 'id,em\n4,yes\n' >phone.csv
check "4 said yes on the phone on 3 December" env CONSENT_NOW=2026-12-03T09:00:00Z \
    consent-import -q -c emarketing=em --source phone --at 2026-12-03 phone.csv
answers "9,4,emarketing,denied,2026-12-02T10:00:00Z,192.0.2.10,x,x" >a4.csv
gives "an older answer does not overrule it" 0 "id,purpose,old,new,at,source" \
    consent-sync --from a4.csv
grep_ok "the summary counts it" "1 overruled by a newer decision" "$T/err"
is "the phone's yes stands" "granted|phone|2026-12-03T00:00:00Z" \
    "$(state 4 emarketing)"
is "the overruled answer still answers the request" "approved" \
    "$(status_of 4)"

# ---- answers it refuses ----

printf 'id\n5\n' | consent-request --cancel >/dev/null 2>&1
is "request 5 is cancelled" "cancelled" "$(status_of 5)"
answers "10,5,emarketing,granted,2026-12-02T10:00:00Z,x,x,x" \
    "11,99,emarketing,granted,2026-12-02T10:00:00Z,x,x,x" \
    "12,3,profiling,granted,2026-12-02T10:00:00Z,x,x,x" \
    "13,3,partners,granted,2026-12-09T10:00:00Z,x,x,x" >a5.csv
gives "nothing is applied" 1 "id,purpose,old,new,at,source" consent-sync --from a5.csv
same_text "each refusal is named, with its line" \
"consent-sync: a5.csv:2: answer 10: request 5 it is cancelled: not applied
consent-sync: a5.csv:3: answer 11: request 99 not in the store (erased, or another store's): not applied
consent-sync: a5.csv:4: answer 12: request 3 it did not ask for 'profiling': not applied
consent-sync: a5.csv:5: answer 13: request 3 answered after it expired (2026-12-08T12:00:00Z): not applied
consent-sync: 4 answers: 0 applied, 0 already so, 0 overruled by a newer decision, 4 not applied; 0 requests expired" "$T/err"

# ---- a bad file changes nothing ----

events=$(sql 'SELECT count(*) FROM events')
answers "14,4,partners,granted,2026-12-02T10:00:00Z,x,x,x" \
    "15,4,partners,maybe,2026-12-02T10:00:00Z,x,x,x" >bad.csv
expect_code 2 "a bad answer" consent-sync --from bad.csv
is "writes nothing on stdout" "" "$(cat "$T/out")"
same_text "names file and line" \
"consent-sync: bad.csv:3: answer: 'maybe' is not granted, denied or withdrawn" "$T/err"
answers "16,4,partners,granted,yesterday,x,x,x" >bad2.csv
expect_code 2 "a bad time" consent-sync --from bad2.csv
grep_ok "named" "bad2.csv:2: at: 'yesterday' is not an RFC 3339 time" "$T/err"
printf 'seq,request,answer\n1,1,granted\n' >bad3.csv
expect_code 2 "a missing column" consent-sync --from bad3.csv
grep_ok "named" "bad3.csv:1: no column 'purpose'" "$T/err"
is "the store is as it was" "$events" "$(sql 'SELECT count(*) FROM events')"
is "and 4's partners consent is not there" "" "$(state 4 partners)"

# ---- expiry ----

CONSENT_NOW=2026-12-08T12:00:01Z
export CONSENT_NOW
answers >none.csv
gives "unanswered requests expire; their open purposes become denied" 0 \
"id,purpose,old,new,at,source
6,emarketing,unknown,denied,2026-12-08T12:00:00Z,email
6,partners,unknown,denied,2026-12-08T12:00:00Z,email" \
    consent-sync --from none.csv
is "request 6 expired; the others keep their status" \
    "denied|denied|denied|approved|cancelled|expired" \
    "$(sql "SELECT group_concat(status, '|') FROM (SELECT status FROM requests ORDER BY id)")"
is "the phone's yes is not touched by the expiry" "granted|phone|2026-12-03T00:00:00Z" \
    "$(state 4 emarketing)"
grep_ok "the summary counts it" "1 request expired" "$T/err"
gives "a second run expires nothing more" 0 "id,purpose,old,new,at,source" \
    consent-sync --from none.csv
answers "17,6,emarketing,granted,2026-12-08T11:00:00Z,x,x,x" \
    "18,6,partners,denied,2026-12-08T11:00:00Z,x,x,x" >late.csv
gives "an answer given in time but synced late overrules the expiry's no" 0 \
"id,purpose,old,new,at,source
6,emarketing,denied,granted,2026-12-08T11:00:00Z,landing" \
    consent-sync --from late.csv
is "and answers the request" "approved" "$(status_of 6)"

# ---- fetching: the configuration, a service that is down ----

CONSENT_NOW=2026-12-01T12:00:00Z
expect_code 2 "no api_key_file" consent-sync
grep_ok "it names the key" "[landing] api_key_file is not set" "$T/err"
printf 'api-key-for-the-tests\n' >api.key
chmod 600 api.key
printf 'api_key_file = api.key\napi_url = http://127.0.0.1:9/\n' >>consent.conf
events=$(sql 'SELECT count(*) FROM events')
expect_code 2 "a landing service that is down" consent-sync
grep_ok "a clear message" \
    "consent-sync: http://127.0.0.1:9: Failed to connect to 127.0.0.1 port 9" "$T/err"
grep_ok "that says nothing changed" "; nothing changed" "$T/err"
is "and nothing changed" "$events" "$(sql 'SELECT count(*) FROM events')"

done_testing
