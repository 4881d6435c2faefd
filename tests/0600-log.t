#!/bin/sh
# consent-log: the history of customers across import, request, sync and
# erase (--since, --purpose, an unknown key), the subject-access export
# (JSON and CSV) of a customer with every kind of data, --status,
# --stats (checked against counts made here with sqlite3), --stats --by
# month, --receipt, and --verify: intact, after an erasure, and after an
# event is edited, deleted or inserted.
. "${0%/*}/lib.sh"

PY=/usr/bin/python3
VERIFY="$PY $TOP/tests/tools/audit-verify.py"
export LOGNAME=tester

# json FILE: the JSON in FILE, parsed and written again by Python, so
# that the comparison is of the data, and any syntax error shows.
json() {
	$PY -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1])), indent=2, ensure_ascii=False))' "$1" 2>&1
}

# same_json NAME EXPECTED-JSON FILE
same_json() {
	printf '%s\n' "$2" >"$T/want.json"
	json "$T/want.json" >"$T/want.norm"
	json "$3" >"$T/got.norm"
	check_same "$1" "$T/want.norm" "$T/got.norm"
}

printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
chmod 600 landing.key
cat >consent.conf <<'X'
[company]
name = Bil & Motor AS
lang = nb
country = NO
info.nb = Vi sender tilbud på service og nye biler.
policy_url = https://bilmotor.example/personvern
contact = Kari Personvern
address = Storgata 1, 0155 Oslo
email = personvern@bilmotor.example
phone = +4722000000
url = https://bilmotor.example/

[purpose.partners]
third_party = Dekkhotellet AS

[purpose.catalog]
active = no

[landing]
url = https://samtykke.bilmotor.example/
secret_file = landing.key
X
export CONSENT_CONFIG="$T/consent.conf"
SHA=$(printf %064d 0 | tr 0 a)

# ---- the store: import, request, sync, erase --------------------------

cat >customers.csv <<'X'
id,name,email,mobile,lang,katalog
1,Åse Bakke,ase@example.no,,nb,
2,Per Persson,per@example.se,,sv,ja
3,Kari Nordmann,kari@example.no,+4791234567,nb,
X
check "the customers are imported in November" env \
    CONSENT_NOW=2026-11-15T09:00:00Z consent-import -q -c catalog=katalog \
    --at 2026-11-14 customers.csv
check "requests 1-3 are printed on 1 December" \
    consent-request -p emarketing,partners --print customers.csv
{
	echo "seq,request,purpose,answer,at,ip,user_agent,text_sha256"
	echo "1,1,emarketing,granted,2026-12-01T13:00:00Z,192.0.2.7,Mozilla/5.0,$SHA"
	echo "2,1,partners,denied,2026-12-01T13:00:00Z,192.0.2.7,Mozilla/5.0,$SHA"
	echo "3,3,emarketing,granted,2026-12-01T13:30:00Z,192.0.2.8,Safari,$SHA"
} >a1.csv
check "the answers come home" env CONSENT_NOW=2026-12-01T14:00:00Z \
    consent-sync --from a1.csv
printf 'seq,request,purpose,answer,at,ip,user_agent,text_sha256\n4,1,emarketing,withdrawn,2026-12-02T08:00:00Z,192.0.2.7,Mozilla/5.0,%s\n' \
    "$SHA" >a2.csv
check "1 withdraws on 2 December" env CONSENT_NOW=2026-12-02T09:00:00Z \
    consent-sync --from a2.csv
printf 'seq,request,purpose,answer,at\n' >none.csv
check "2's request expires" env CONSENT_NOW=2026-12-08T12:00:01Z \
    consent-sync --from none.csv

# ---- usage ---------------------------------------------------------------

check "--help exits 0" consent-log --help
grep_ok "--help names --verify" "--verify" "$T/out"
check "--version exits 0" consent-log --version
expect_code 2 "no id and no mode" consent-log
grep_ok "says so" "consent-log: no customer: give an id, or a mode" "$T/err"
expect_code 2 "two modes" consent-log --verify --stats
err_is "named" "consent-log: --verify and --stats: give one of --export, --verify, --stats, --receipt and --status"
expect_code 2 "--by without --stats" consent-log --by month 1
expect_code 2 "--by week" consent-log --stats --by week
err_is "only month" "consent-log: --by: 'week': only month"
expect_code 2 "--verify takes no ids" consent-log --verify 1
expect_code 2 "--json with a history" consent-log --json 1
expect_code 2 "a bad --since" consent-log --since yesterday 1
err_is "named" "consent-log: --since: 'yesterday' is not a date (2026-12-01, 01.12.2026) or an RFC 3339 time"
expect_code 2 "an unknown --purpose" consent-log --purpose nope 1
err_is "named" "consent-log: --purpose: unknown purpose 'nope'"
expect_code 2 "no store" consent-log --db "$T/none.db" --verify
err_is "named" "consent-log: $T/none.db: no store here (consent-import makes one)"
is "and none is made" "no" "$(test -e "$T/none.db" && echo yes || echo no)"

# ---- history ---------------------------------------------------------------

H="id,at,actor,tool,purpose,old,new,basis,source,evidence"
EV1="landing answer 1 to request 1 at 2026-12-01T13:00:00Z from 192.0.2.7, Mozilla/5.0; text sha256 $SHA"
EV2="landing answer 2 to request 1 at 2026-12-01T13:00:00Z from 192.0.2.7, Mozilla/5.0; text sha256 $SHA"
EV4="landing answer 4 to request 1 at 2026-12-02T08:00:00Z from 192.0.2.7, Mozilla/5.0; text sha256 $SHA"
gives "the history of 1: import, request, answers, a withdrawal" 0 \
"$H
1,2026-11-15T09:00:00Z,tester,consent-import,service,unknown,granted,contract,import,new customer
1,2026-12-01T12:00:00Z,tester,consent-request,\"emarketing,partners\",,queued,,email,request 1
1,2026-12-01T12:00:00Z,tester,consent-request,\"emarketing,partners\",queued,sent,,email,request 1: printed
1,2026-12-01T14:00:00Z,tester,consent-sync,emarketing,unknown,granted,consent,landing,\"$EV1\"
1,2026-12-01T14:00:00Z,tester,consent-sync,partners,unknown,denied,consent,landing,\"$EV2\"
1,2026-12-01T14:00:00Z,tester,consent-sync,\"emarketing,partners\",sent,approved,,email,request 1: printed
1,2026-12-02T09:00:00Z,tester,consent-sync,emarketing,granted,withdrawn,consent,landing,\"$EV4\"
1,2026-12-02T09:00:00Z,tester,consent-sync,\"emarketing,partners\",approved,denied,,email,request 1: printed" \
    consent-log 1
is "and nothing on stderr" "" "$(cat "$T/err")"
gives "--purpose partners: its consent and the requests that asked for it" 0 \
"$H
1,2026-12-01T12:00:00Z,tester,consent-request,\"emarketing,partners\",,queued,,email,request 1
1,2026-12-01T12:00:00Z,tester,consent-request,\"emarketing,partners\",queued,sent,,email,request 1: printed
1,2026-12-01T14:00:00Z,tester,consent-sync,partners,unknown,denied,consent,landing,\"$EV2\"
1,2026-12-01T14:00:00Z,tester,consent-sync,\"emarketing,partners\",sent,approved,,email,request 1: printed
1,2026-12-02T09:00:00Z,tester,consent-sync,\"emarketing,partners\",approved,denied,,email,request 1: printed" \
    consent-log -p partners 1
gives "--since 2.12.2026 and --purpose emarketing" 0 \
"$H
1,2026-12-02T09:00:00Z,tester,consent-sync,emarketing,granted,withdrawn,consent,landing,\"$EV4\"
1,2026-12-02T09:00:00Z,tester,consent-sync,\"emarketing,partners\",approved,denied,,email,request 1: printed" \
    consent-log --since 02.12.2026 --purpose emarketing 1
gives "an inactive purpose, an expiry" 0 \
"$H
2,2026-11-15T09:00:00Z,tester,consent-import,service,unknown,granted,contract,import,new customer
2,2026-11-15T09:00:00Z,tester,consent-import,catalog,unknown,granted,consent,import,customers.csv:3 katalog=ja
2,2026-12-01T12:00:00Z,tester,consent-request,\"emarketing,partners\",,queued,,email,request 2
2,2026-12-01T12:00:00Z,tester,consent-request,\"emarketing,partners\",queued,sent,,email,request 2: printed
2,2026-12-08T12:00:01Z,tester,consent-sync,emarketing,unknown,denied,consent,email,request 2 expired unanswered
2,2026-12-08T12:00:01Z,tester,consent-sync,partners,unknown,denied,consent,email,request 2 expired unanswered
2,2026-12-08T12:00:01Z,tester,consent-sync,\"emarketing,partners\",sent,expired,,email,request 2: printed" \
    consent-log 2
gives "two customers, in the order given" 0 \
"$H
2,2026-11-15T09:00:00Z,tester,consent-import,service,unknown,granted,contract,import,new customer
1,2026-11-15T09:00:00Z,tester,consent-import,service,unknown,granted,contract,import,new customer" \
    consent-log --since 2026-11-01T00:00:00Z -p service 2 1
gives "an unknown key: nothing for it, exit 1" 1 \
"$H
1,2026-11-15T09:00:00Z,tester,consent-import,service,unknown,granted,contract,import,new customer" \
    consent-log -p service 9999 1
err_is "named" "consent-log: 9999: not in the store"
run consent-log --tsv -p service 1
same_text "--tsv" "$(printf 'id\tat\tactor\ttool\tpurpose\told\tnew\tbasis\tsource\tevidence\n1\t2026-11-15T09:00:00Z\ttester\tconsent-import\tservice\tunknown\tgranted\tcontract\timport\tnew customer')" "$T/out"

# ---- --export ------------------------------------------------------------------

run consent-log --export 1
same_json "the export of 1: master data, consents, requests, history" '{
  "id": "1",
  "exported": "2026-12-01T12:00:00Z",
  "tombstone": false,
  "customer": {
    "name": "Åse Bakke",
    "email": "ase@example.no",
    "mobile": null,
    "lang": "nb",
    "last_contact": null,
    "hold_until": null,
    "status": "active"
  },
  "consents": [
    {
      "purpose": "service",
      "title": "Salg og kundeservice",
      "state": "granted",
      "basis": "contract",
      "source": "import",
      "at": "2026-11-15T09:00:00Z"
    },
    {
      "purpose": "emarketing",
      "title": "E-post- og SMS-markedsføring",
      "state": "withdrawn",
      "basis": "consent",
      "source": "landing",
      "at": "2026-12-02T08:00:00Z"
    },
    {
      "purpose": "partners",
      "title": "Deling med utvalgte partnere",
      "state": "denied",
      "basis": "consent",
      "source": "landing",
      "at": "2026-12-01T13:00:00Z"
    }
  ],
  "requests": [
    {
      "request": 1,
      "purposes": [
        "emarketing",
        "partners"
      ],
      "channel": "email",
      "address": "ase@example.no",
      "lang": "nb",
      "status": "denied",
      "created": "2026-12-01T12:00:00Z",
      "sent": "2026-12-01T12:00:00Z",
      "expires": "2026-12-08T12:00:00Z",
      "reminded": null,
      "answered": "2026-12-02T08:00:00Z",
      "detail": "printed"
    }
  ],
  "history": [
    {
      "seq": 1,
      "at": "2026-11-15T09:00:00Z",
      "actor": "tester",
      "tool": "consent-import",
      "purpose": "service",
      "old": "unknown",
      "new": "granted",
      "basis": "contract",
      "source": "import",
      "evidence": "new customer",
      "request": null
    },
    {
      "seq": 5,
      "at": "2026-12-01T12:00:00Z",
      "actor": "tester",
      "tool": "consent-request",
      "purpose": "emarketing,partners",
      "old": null,
      "new": "queued",
      "basis": null,
      "source": "email",
      "evidence": null,
      "request": 1
    },
    {
      "seq": 8,
      "at": "2026-12-01T12:00:00Z",
      "actor": "tester",
      "tool": "consent-request",
      "purpose": "emarketing,partners",
      "old": "queued",
      "new": "sent",
      "basis": null,
      "source": "email",
      "evidence": "printed",
      "request": 1
    },
    {
      "seq": 11,
      "at": "2026-12-01T14:00:00Z",
      "actor": "tester",
      "tool": "consent-sync",
      "purpose": "emarketing",
      "old": "unknown",
      "new": "granted",
      "basis": "consent",
      "source": "landing",
      "evidence": "landing answer 1 to request 1 at 2026-12-01T13:00:00Z from 192.0.2.7, Mozilla/5.0; text sha256 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "request": null
    },
    {
      "seq": 12,
      "at": "2026-12-01T14:00:00Z",
      "actor": "tester",
      "tool": "consent-sync",
      "purpose": "partners",
      "old": "unknown",
      "new": "denied",
      "basis": "consent",
      "source": "landing",
      "evidence": "landing answer 2 to request 1 at 2026-12-01T13:00:00Z from 192.0.2.7, Mozilla/5.0; text sha256 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "request": null
    },
    {
      "seq": 13,
      "at": "2026-12-01T14:00:00Z",
      "actor": "tester",
      "tool": "consent-sync",
      "purpose": "emarketing,partners",
      "old": "sent",
      "new": "approved",
      "basis": null,
      "source": "email",
      "evidence": "printed",
      "request": 1
    },
    {
      "seq": 16,
      "at": "2026-12-02T09:00:00Z",
      "actor": "tester",
      "tool": "consent-sync",
      "purpose": "emarketing",
      "old": "granted",
      "new": "withdrawn",
      "basis": "consent",
      "source": "landing",
      "evidence": "landing answer 4 to request 1 at 2026-12-02T08:00:00Z from 192.0.2.7, Mozilla/5.0; text sha256 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "request": null
    },
    {
      "seq": 17,
      "at": "2026-12-02T09:00:00Z",
      "actor": "tester",
      "tool": "consent-sync",
      "purpose": "emarketing,partners",
      "old": "approved",
      "new": "denied",
      "basis": null,
      "source": "email",
      "evidence": "printed",
      "request": 1
    }
  ]
}' "$T/out"
is "nothing on stderr" "" "$(cat "$T/err")"
run consent-log --json --export 1
same_json "--json is the default" "$(cat "$T/want.json")" "$T/out"
gives "--export --csv: section,item,field,value" 0 \
"section,item,field,value
export,,id,2
export,,exported,2026-12-01T12:00:00Z
export,,tombstone,false
customer,,name,Per Persson
customer,,email,per@example.se
customer,,mobile,
customer,,lang,sv
customer,,last_contact,
customer,,hold_until,
customer,,status,active
consent,service,title,Försäljning och kundservice
consent,service,state,granted
consent,service,basis,contract
consent,service,source,import
consent,service,at,2026-11-15T09:00:00Z
consent,emarketing,title,Marknadsföring via e-post och sms
consent,emarketing,state,denied
consent,emarketing,basis,consent
consent,emarketing,source,email
consent,emarketing,at,2026-12-08T12:00:00Z
consent,partners,title,Delning med utvalda partner
consent,partners,state,denied
consent,partners,basis,consent
consent,partners,source,email
consent,partners,at,2026-12-08T12:00:00Z
consent,catalog,title,catalog
consent,catalog,state,granted
consent,catalog,basis,consent
consent,catalog,source,import
consent,catalog,at,2026-11-14T00:00:00Z
request,2,purposes,\"emarketing,partners\"
request,2,channel,email
request,2,address,per@example.se
request,2,lang,sv
request,2,status,expired
request,2,created,2026-12-01T12:00:00Z
request,2,sent,2026-12-01T12:00:00Z
request,2,expires,2026-12-08T12:00:00Z
request,2,reminded,
request,2,answered,
request,2,detail,printed
event,2,at,2026-11-15T09:00:00Z
event,2,actor,tester
event,2,tool,consent-import
event,2,purpose,service
event,2,old,unknown
event,2,new,granted
event,2,basis,contract
event,2,source,import
event,2,evidence,new customer
event,2,request,
event,3,at,2026-11-15T09:00:00Z
event,3,actor,tester
event,3,tool,consent-import
event,3,purpose,catalog
event,3,old,unknown
event,3,new,granted
event,3,basis,consent
event,3,source,import
event,3,evidence,customers.csv:3 katalog=ja
event,3,request,
event,6,at,2026-12-01T12:00:00Z
event,6,actor,tester
event,6,tool,consent-request
event,6,purpose,\"emarketing,partners\"
event,6,old,
event,6,new,queued
event,6,basis,
event,6,source,email
event,6,evidence,
event,6,request,2
event,9,at,2026-12-01T12:00:00Z
event,9,actor,tester
event,9,tool,consent-request
event,9,purpose,\"emarketing,partners\"
event,9,old,queued
event,9,new,sent
event,9,basis,
event,9,source,email
event,9,evidence,printed
event,9,request,2
event,18,at,2026-12-08T12:00:01Z
event,18,actor,tester
event,18,tool,consent-sync
event,18,purpose,emarketing
event,18,old,unknown
event,18,new,denied
event,18,basis,consent
event,18,source,email
event,18,evidence,request 2 expired unanswered
event,18,request,
event,19,at,2026-12-08T12:00:01Z
event,19,actor,tester
event,19,tool,consent-sync
event,19,purpose,partners
event,19,old,unknown
event,19,new,denied
event,19,basis,consent
event,19,source,email
event,19,evidence,request 2 expired unanswered
event,19,request,
event,20,at,2026-12-08T12:00:01Z
event,20,actor,tester
event,20,tool,consent-sync
event,20,purpose,\"emarketing,partners\"
event,20,old,sent
event,20,new,expired
event,20,basis,
event,20,source,email
event,20,evidence,printed
event,20,request,2" \
    consent-log --export 2 --csv
expect_code 1 "an unknown key exports nothing" consent-log --export 9999
is "not even a tombstone status" "" "$(cat "$T/out")"
err_is "and says so" "consent-log: 9999: not in the store"

# ---- --status --------------------------------------------------------------

S="id,purpose,state,basis,source,since,request,request_state,sent,expires"
gives "every customer, every active purpose, an inactive one with a consent" 0 \
"$S
1,service,granted,contract,import,2026-11-15T09:00:00Z,,,,
1,emarketing,withdrawn,consent,landing,2026-12-02T08:00:00Z,1,denied,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
1,partners,denied,consent,landing,2026-12-01T13:00:00Z,1,denied,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
1,profiling,unknown,,,,,,,
2,service,granted,contract,import,2026-11-15T09:00:00Z,,,,
2,emarketing,denied,consent,email,2026-12-08T12:00:00Z,2,expired,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
2,partners,denied,consent,email,2026-12-08T12:00:00Z,2,expired,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
2,profiling,unknown,,,,,,,
2,catalog,granted,consent,import,2026-11-14T00:00:00Z,,,,
3,service,granted,contract,import,2026-11-15T09:00:00Z,,,,
3,emarketing,granted,consent,landing,2026-12-01T13:30:00Z,3,approved,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
3,partners,unknown,,,,3,approved,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
3,profiling,unknown,,,,,,," \
    consent-log --status
check "a new request for 1's emarketing" env CONSENT_NOW=2026-12-09T10:00:00Z \
    consent-request -p emarketing --again --print customers.csv
expect_code 1 "--status 3 9 1: 9 is not in the store" consent-log --status 3 9 1
err_is "an unknown key is named" "consent-log: 9: not in the store"
grep -v -e ,service, -e ,profiling, "$T/out" >status.csv
same_text "the customers given, in that order; the newest request per purpose" \
"$S
3,emarketing,granted,consent,landing,2026-12-01T13:30:00Z,3,approved,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
3,partners,unknown,,,,3,approved,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z
1,emarketing,withdrawn,consent,landing,2026-12-02T08:00:00Z,4,sent,2026-12-09T10:00:00Z,2026-12-16T10:00:00Z
1,partners,denied,consent,landing,2026-12-01T13:00:00Z,1,denied,2026-12-01T12:00:00Z,2026-12-08T12:00:00Z" status.csv
run consent-log --status --tsv -p catalog 2 1
same_text "--tsv, --purpose of an inactive purpose: only where a consent is stored" \
"$(printf 'id\tpurpose\tstate\tbasis\tsource\tsince\trequest\trequest_state\tsent\texpires\n2\tcatalog\tgranted\tconsent\timport\t2026-11-14T00:00:00Z\t\t\t\t')" "$T/out"

# ---- --stats ---------------------------------------------------------------

# stats_sql: the counts of --stats, made here from the tables.
stats_sql() {
	echo "purpose,state,count"
	for _p in service emarketing partners profiling catalog; do
		for _s in unknown granted denied withdrawn; do
			if [ $_s = unknown ]; then
				_c=$(sql "SELECT (SELECT count(*) FROM customers) - count(*)
				    FROM consents WHERE purpose = (SELECT id FROM
				    purposes WHERE name = '$_p')")
			else
				_c=$(sql "SELECT count(*) FROM consents c JOIN purposes p
				    ON p.id = c.purpose WHERE p.name = '$_p' AND
				    c.state = '$_s'")
			fi
			echo "$_p,$_s,$_c"
		done
	done
}

# months_sql: the changes per month of --stats --by month, from the events.
months_sql() {
	echo "month,purpose,granted,denied,withdrawn"
	sql "SELECT substr(r.at, 1, 7), e.purpose, sum(e.new = 'granted'),
	    sum(e.new = 'denied'), sum(e.new = 'withdrawn') FROM events e
	    JOIN runs r ON r.id = e.run WHERE e.request IS NULL AND
	    e.purpose IS NOT NULL AND e.new IN ('granted', 'denied', 'withdrawn')
	    GROUP BY 1, 2 ORDER BY 1, 2" | tr '|' ,
}

gives "--stats: every purpose and state" 0 \
"purpose,state,count
service,unknown,0
service,granted,3
service,denied,0
service,withdrawn,0
emarketing,unknown,0
emarketing,granted,1
emarketing,denied,1
emarketing,withdrawn,1
partners,unknown,1
partners,granted,0
partners,denied,2
partners,withdrawn,0
profiling,unknown,3
profiling,granted,0
profiling,denied,0
profiling,withdrawn,0
catalog,unknown,2
catalog,granted,1
catalog,denied,0
catalog,withdrawn,0" \
    consent-log --stats
stats_sql >stats.csv
check_same "the counts are those of the tables" stats.csv "$T/out"
gives "--stats --purpose" 0 \
"purpose,state,count
partners,unknown,1
partners,granted,0
partners,denied,2
partners,withdrawn,0" \
    consent-log --stats -p partners
gives "--stats --by month: the changes made in each month" 0 \
"month,purpose,granted,denied,withdrawn
2026-11,catalog,1,0,0
2026-11,service,3,0,0
2026-12,emarketing,2,1,1
2026-12,partners,0,2,0" \
    consent-log --stats --by month
months_sql >months.csv
check_same "the counts are those of the events" months.csv "$T/out"
gives "--by month --since --purpose" 0 \
"month,purpose,granted,denied,withdrawn
2026-12,emarketing,0,1,1" \
    consent-log --stats --by month --since 2026-12-02 -p emarketing

# ---- --receipt -------------------------------------------------------------

run consent-log --receipt 1
# The receipt's ID is the stored hash of the latest answer's event as a
# UUID of version 8.
RID=$($PY -c 'import sys, uuid
b = bytearray.fromhex(sys.argv[1])
b[6] = b[6] & 0x0f | 0x80
b[8] = b[8] & 0x3f | 0x80
print(uuid.UUID(bytes=bytes(b)))' "$(sql "SELECT hex(hash) FROM events WHERE
    evidence LIKE 'landing answer % to request 1 at %' ORDER BY seq DESC LIMIT 1")")
same_json "a Kantara 1.1 receipt for request 1: the latest answer per purpose" \
'{
  "version": "KI-CR-v1.1.0",
  "jurisdiction": "NO",
  "consentTimestamp": 1796198400,
  "collectionMethod": "web form: the landing page of request 1, sent by email",
  "consentReceiptID": "'"$RID"'",
  "language": "nb",
  "piiPrincipalId": "1",
  "piiControllers": [
    {
      "piiController": "Bil & Motor AS",
      "onBehalf": false,
      "contact": "Kari Personvern",
      "address": "Storgata 1, 0155 Oslo",
      "email": "personvern@bilmotor.example",
      "phone": "+4722000000",
      "piiControllerUrl": "https://bilmotor.example/"
    }
  ],
  "policyUrl": "https://bilmotor.example/personvern",
  "services": [
    {
      "service": "Bil & Motor AS",
      "purposes": [
        {
          "purpose": "E-post- og SMS-markedsføring",
          "purposeCategory": [ "Marketing" ],
          "consentType": "EXPLICIT",
          "piiCategory": [ "Contact" ],
          "primaryPurpose": false,
          "termination": "until withdrawn: from the link of the request, or by asking the controller",
          "thirdPartyDisclosure": false,
          "purposeName": "emarketing",
          "consentState": "withdrawn",
          "legalBasis": "consent",
          "answeredAt": "2026-12-02T08:00:00Z",
          "noticeSha256": "'"$SHA"'"
        },
        {
          "purpose": "Deling med utvalgte partnere",
          "purposeCategory": [ "Marketing Third Parties" ],
          "consentType": "EXPLICIT",
          "piiCategory": [ "Contact" ],
          "primaryPurpose": false,
          "termination": "until withdrawn: from the link of the request, or by asking the controller",
          "thirdPartyDisclosure": true,
          "thirdPartyName": "Dekkhotellet AS",
          "purposeName": "partners",
          "consentState": "denied",
          "legalBasis": "consent",
          "answeredAt": "2026-12-01T13:00:00Z",
          "noticeSha256": "'"$SHA"'"
        }
      ]
    }
  ],
  "sensitive": false,
  "spiCat": [],
  "request": 1
}' "$T/out"
is "the timestamp is the latest answer's" "2026-12-02T08:00:00Z" \
    "$(date -u -d @1796198400 +%Y-%m-%dT%H:%M:%SZ)"
printf '[purpose.emarketing]\ncategory = Marketing,Contact Requested\npii_category = Contact,Biographical\ntermination = until 2027-12-31\n' >>consent.conf
run consent-log --receipt 3
$PY -c 'import json, sys
p = json.load(open(sys.argv[1]))["services"][0]["purposes"]
for x in p:
    print(x["purposeName"], x["purposeCategory"], x["piiCategory"], x["termination"], x["consentState"])' "$T/out" >r3.txt
same_text "[purpose.NAME] category, pii_category and termination; only the purposes answered" \
"emarketing ['Marketing', 'Contact Requested'] ['Contact', 'Biographical'] until 2027-12-31 granted" r3.txt
expect_code 1 "a request without an answer" consent-log --receipt 2
err_is "says so" "consent-log: request 2: no answer from the landing page"
is "and writes nothing" "" "$(cat "$T/out")"
expect_code 1 "a request not in the store" consent-log --receipt 99
err_is "says so" "consent-log: request 99: not in the store"
expect_code 2 "not a request number" consent-log --receipt 1x
err_is "says so" "consent-log: --receipt: '1x' is not a request number"

# ---- --verify --------------------------------------------------------------

head_hash() {
	sql "SELECT lower(hex(hash)) FROM events ORDER BY seq DESC LIMIT 1"
}

N=$(sql 'SELECT count(*) FROM events')
check "an intact chain" consent-log --verify
err_is "says so, with its head" "consent-log: $N events, chain intact; head $(head_hash)"
is "and nothing on stdout" "" "$(cat "$T/out")"

# ---- erasure: the chain still verifies, the export finds the tombstone ----

printf '3\n' >erase.txt
consent-log 1 >history-before.csv
sql ".backup before-erasure.db"
check "3 is erased" env CONSENT_NOW=2026-12-10T10:00:00Z \
    consent-erase -q --reason "asked by phone" erase.txt
R=$(sql "SELECT count(*) FROM events WHERE evidence LIKE 'redacted by event %'")
is "its events are redacted" 5 "$R"
check "the chain still verifies" consent-log --verify
err_is "the redacted events counted" \
    "consent-log: $((N + 1)) events ($R redacted by erasure), chain intact; head $(head_hash)"
check "as the Python verifier agrees" $VERIFY "$CONSENT_DB"
same_text "on the same counts" "ok $((N + 1)) events ($R redacted)" "$T/out"
run env CONSENT_NOW=2026-12-10T10:00:00Z consent-log --export 3
same_json "the export of the erased key: the tombstone alone" \
'{ "id": "3", "exported": "2026-12-10T10:00:00Z", "tombstone": true }' "$T/out"
expect_code 0 "exit 0" consent-log --export 3
is "nothing on stderr" "" "$(cat "$T/err")"
for _w in "Kari" "kari@example.no" "91234567"; do
	is "the export holds no '$_w'" 0 "$(grep -c -F -- "$_w" "$T/out")"
done
gives "its history: nothing names it" 1 "$H" consent-log 3
err_is "and it says why" "consent-log: 3: erased: only its tombstone is in the store"
gives "its status: nothing" 1 "$S" consent-log --status 3
expect_code 1 "its receipt: the request is gone" consent-log --receipt 3
consent-log 1 >history-after.csv
check_same "the others' history is as it was" history-before.csv history-after.csv

# ---- --verify finds an edit, a deletion, an insertion ----------------------

# tamper SQL: a copy of the store (of $FROM) with SQL run on it, as
# someone with the file and sqlite3 could.  Before the erasure first: an
# insertion that renumbers the events after it moves the erasure event
# too, and the first redacted event then names the wrong one.
FROM=before-erasure.db
tamper() {
	rm -f t.db t.db-wal t.db-shm
	cp "$FROM" t.db && sqlite3 -batch t.db "$1"
}

# broken NAME MESSAGE: consent-log --verify on t.db exits 1 with MESSAGE.
broken() {
	expect_code 1 "$1: exit 1" consent-log --db t.db --verify
	err_is "$1: named" "consent-log: $2"
}

tamper "UPDATE events SET evidence = 'new customer, phone' WHERE seq = 2"
broken "an edited event" \
    "event 2: hash does not match (changed, or an event before it removed or inserted)"
is "nothing on stdout" "" "$(cat "$T/out")"
tamper "UPDATE runs SET actor = 'mallory' WHERE id = (SELECT run FROM events WHERE seq = 11)"
broken "an edited run (time, actor, tool)" \
    "event 11: hash does not match (changed, or an event before it removed or inserted)"
tamper "DELETE FROM events WHERE seq = 6"
broken "a deleted event" "event 6: missing (removed)"
tamper "DELETE FROM events WHERE seq IN (6, 7, 8)"
broken "three deleted events" "events 6-8: missing (removed)"
tamper "DELETE FROM events WHERE seq = 1"
broken "the first event deleted" "event 1: missing (removed)"
tamper "UPDATE events SET seq = seq + 1000 WHERE seq >= 6;
    UPDATE events SET seq = seq - 999 WHERE seq >= 1006;
    INSERT INTO events(seq, run, customer, purpose, old, new, basis, source,
        evidence, request, hash)
    SELECT 6, run, '2', 'emarketing', 'unknown', 'granted', 'consent',
        'phone', 'said yes', NULL, hash FROM events WHERE seq = 5"
broken "an event inserted, the later ones renumbered" \
    "event 6: hash does not match (changed, or an event before it removed or inserted)"
tamper "INSERT INTO events(seq, run, customer, purpose, old, new, basis,
        source, evidence, request, hash)
    SELECT seq + 1, run, '2', 'emarketing', 'unknown', 'granted', 'consent',
        'phone', 'said yes', NULL, hash FROM events ORDER BY seq DESC LIMIT 1"
broken "an event appended" \
    "event $((N + 1)): hash does not match (changed, or an event before it removed or inserted)"
FROM=$CONSENT_DB
tamper "UPDATE events SET seq = seq + 1000 WHERE seq >= 20;
    UPDATE events SET seq = seq - 999 WHERE seq >= 1020;
    INSERT INTO events(seq, run, customer, purpose, old, new, basis, source,
        evidence, request, hash)
    SELECT 20, run, '2', 'emarketing', 'unknown', 'granted', 'consent',
        'phone', 'said yes', NULL, hash FROM events WHERE seq = 19"
broken "after an erasure, an insertion before its event" \
    "event 4: redacted, but event $((N + 1)) is no later erasure event that lists it"
tamper "UPDATE events SET evidence = 'redacted by event 99' WHERE seq = 4"
broken "a redacted event that names another erasure" \
    "event 4: redacted, but event 99 is no later erasure event that lists it"
tamper "UPDATE events SET customer = 'x', evidence = 'redacted by event $((N + 1))' WHERE seq = 2"
broken "a redaction that no erasure event lists" \
    "event 2: redacted, but event $((N + 1)) is no later erasure event that lists it"
tamper "UPDATE events SET customer = 'x', evidence = 'redacted by event $((N + 1))' WHERE seq = 2;
    UPDATE events SET evidence = 'redacted 2,' || substr(evidence, 10) WHERE seq = $((N + 1))"
broken "... and the erasure event's list changed to hold it" \
    "event $((N + 1)): hash does not match (changed, or an event before it removed or inserted)"
tamper "DELETE FROM runs WHERE id = 1"
broken "a deleted run" "event 1: its run is not in the store (removed)"
check "the store itself is untouched" consent-log --verify

done_testing
