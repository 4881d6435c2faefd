#!/bin/sh
# consent-request against a real SMTP server on loopback (aiosmtpd) and a
# real HTTP server standing in for the SMS gateway: the channel choice
# (e-mail, SMS fallback, error), the messages as a mail parser reads them
# (æøå in subject and names, the link verifies), one connection for the
# run, the store's requests and their audit events, the skip rules and
# --again, --queue and --send-queued, --dry-run as an mbox, --print,
# --cancel, --remind, usage errors and the missing information text.
. "${0%/*}/lib.sh"

TOOLS=${CONSENT_TEST_TOOLS:-$TOP/obj/tools}
# The servers need aiosmtpd (python3-aiosmtpd): Debian's python3 has it,
# a python3 of one's own earlier on PATH may not.
PY=python3
for _p in /usr/bin/python3 python3; do
	if "$_p" -c 'import aiosmtpd' 2>/dev/null; then PY=$_p; break; fi
done
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# ---- helpers ----

# config SMTP-PORT SMS-PORT [EXTRA-SMTP-LINES]: write the configuration.
config() {
	cat >consent.conf <<X
[company]
name = Bil & Motor Ærø AS
lang = nb
info.nb = Vi sender tilbud på service og nye biler.
info.sv = Vi skickar erbjudanden om service och nya bilar.

[smtp]
url = smtp://127.0.0.1:$1
from = post@bilmotor.example
starttls = no
retry_wait = 0
${3:-}

[sms]
url = http://127.0.0.1:$2/send
key_file = sms.key
retry_wait = 0

[landing]
url = https://samtykke.bilmotor.example/
secret_file = landing.key
X
}

# rows FILE: the output without its detail column (server answers vary).
rows() {
	mlr --icsv --ocsv --allow-ragged-csv-input cut -o -f \
	    id,request,channel,status "$1"
}

detail() {
	mlr --icsv --onidx --ifs , filter '$id == "'"$2"'"' then cut -f detail "$1"
}

nmail() {
	ls "$1"/*.eml 2>/dev/null | wc -l | tr -d ' '
}

nsms() {
	ls "$1"/*.json 2>/dev/null | wc -l | tr -d ' '
}

# mail_to DIR ADDRESS: the messages received for ADDRESS, by file name.
mail_to() {
	for _j in "$1"/*.json; do
		[ -e "$_j" ] || continue
		if python3 -c 'import json, sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1]))["rcpt_tos"] else 1)' "$_j" "$2"; then
			echo "${_j%.json}.eml"
		fi
	done
}

# ---- the store, the secrets, the servers ----

printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
printf 'gateway-key-123\n' >sms.key
chmod 600 landing.key sms.key
start_server mail smtp-server.py
SMTP=$PORT
start_server sms sms-gateway.py --key gateway-key-123
SMS=$PORT
config "$SMTP" "$SMS"
export CONSENT_CONFIG="$T/consent.conf"

cat >customers.csv <<'X'
id,name,email,mobile,lang
1001,Åse Ørnulfsdottir Bækkelund,ase@example.no,,nb
1002,Per Persson,,+46701234567,sv
1003,Nils Uten Adresse,,,
1004,Kari Nordmann,KARI@example.no,91234567,
1005,Erik Ja,erik@example.no,,
X
check "the store is imported" consent-import -q customers.csv
printf 'id,em\n1005,yes\n' >yes.csv
check "1005 allows emarketing" consent-import -q -c emarketing=em yes.csv

# ---- usage ----

check "--help exits 0" consent-request --help
grep_ok "--help names --purpose" "--purpose" "$T/out"
check "--version exits 0" consent-request --version
fails "no purpose" "consent-request: no purpose: give --purpose P[,P...]" \
    consent-request customers.csv
fails "an unknown purpose" \
    "consent-request: --purpose: unknown purpose 'spam'" \
    consent-request -p spam customers.csv
fails "an unknown channel" \
    "consent-request: --channel: 'fax': auto, email, sms or paper" \
    consent-request -p emarketing --channel fax customers.csv
fails "--send-queued reads no input" \
    "consent-request: --send-queued and --remind read no input" \
    consent-request --send-queued customers.csv
fails "--queue and --dry-run" \
    "consent-request: give one of --queue, --dry-run and --print" \
    consent-request -p emarketing --queue --dry-run customers.csv
fails "a bad --rate" \
    "consent-request: --rate: 'fast': messages a second, as N or N/s" \
    consent-request -p emarketing --rate fast customers.csv
fails "no store" \
    "consent-request: $T/none.db: no store here (consent-import makes one)" \
    consent-request -p emarketing --db "$T/none.db" customers.csv
is "no store was made" "no" "$([ -e none.db ] && echo yes || echo no)"
sql .dump >before.dump
for opt in "--channel email" "--rate 5" "--actor tester" "--map id=id" \
    "--key id" "--encoding latin1" "--db $CONSENT_DB" \
    "--config $CONSENT_CONFIG"; do
	# shellcheck disable=SC2086
	fails "${opt%% *} twice" \
	    "consent-request: ${opt%% *} given twice: give it once" \
	    consent-request -p emarketing $opt $opt customers.csv
done
fails "--output twice" "consent-request: --output given twice: give it once" \
    consent-request -p emarketing --channel paper --output a.pdf \
    --output b.pdf customers.csv
fails "-k, then --key" "consent-request: --key given twice: give it once" \
    consent-request -p emarketing -k id --key id customers.csv
sql .dump >after.dump
check_same "a repeated option stores nothing" before.dump after.dump
is "a repeated option sends nothing" "0 0" "$(nmail mail) $(nsms sms)"
# Of -d, --csv and --tsv the last one counts.
printf 'id,note\n1005,a;b\n' >last.csv
check "-d ';' --csv: the last one, ',', counts: the key is found" \
    consent-request -p emarketing --dry-run -d ';' --csv last.csv
fails "--csv -d ';': the last one, ';', counts: the header is one column" \
    "consent-request: last.csv: no key column 'id' (give --key or --map id=COLUMN)" \
    consent-request -p emarketing --dry-run --csv -d ';' last.csv

# ---- no information text: nothing is stored or sent ----

printf 'id,lang\n1002,sv\n1004,da\n' >da.csv
sed 's/^info.nb.*//' consent.conf >noinfo.conf
fails "no information text stops the run" \
    "consent-request: 1004: no information text ([company] info.da or info.nb)" \
    consent-request --config noinfo.conf -p emarketing da.csv
is "nothing stored" "0" "$(sql 'SELECT count(*) FROM requests')"
is "nothing sent" "0 0" "$(nmail mail) $(nsms sms)"

# ---- the first run ----

gives "e-mail first, SMS without e-mail, error without either" 1 \
"id,request,channel,status
1001,1,email,sent
1002,2,sms,sent
1003,3,,error
1004,4,email,sent
1005,,,skipped" \
    sh -c 'consent-request -p emarketing customers.csv >run1.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status run1.csv; exit $rc'
is "the error's reason" "no e-mail address or mobile number" \
    "$(detail run1.csv 1003)"
is "the skip's reason" "allows every purpose asked for" \
    "$(detail run1.csv 1005)"
is "the SMS detail counts segments and keeps the gateway's answer" \
    '2 segments GSM-7; HTTP 200: {"id": 1}' "$(detail run1.csv 1002)"
grep_ok "the summary line" "consent-request: 3 sent, 0 queued, 1 error, 1 skipped" "$T/err"
is "two messages arrived" "2" "$(nmail mail)"
is "one SMS was posted" "1" "$(nsms sms)"
is "one connection carried both" "1" "$(wc -l <mail/connections | tr -d ' ')"

ase=$(mail_to mail ase@example.no)
python3 "$TOP/tests/tools/mail-show.py" "$ase" >ase.txt
link=$(grep -o 'https://samtykke.bilmotor.example/c/[A-Za-z0-9_-]*' ase.txt)
sed "s#$link#LINK#; s/^message-id: <consent\.r1\.[A-Za-z0-9_-]*@bilmotor\.example>$/message-id: OK/" ase.txt >ase.seen
same_text "the message as a mail reader shows it" \
"form: ok
from: Bil & Motor Ærø AS <post@bilmotor.example>
to: Åse Ørnulfsdottir Bækkelund <ase@example.no>
subject: Bil & Motor Ærø AS: Vil du høre fra oss?
date: Tue, 01 Dec 2026 12:00:00 +0000
message-id: OK
content-type: text/plain; charset=UTF-8
transfer-encoding: quoted-printable
Hei Åse Ørnulfsdottir Bækkelund,

Bil & Motor Ærø AS ber om ditt samtykke til: E-post- og SMS-markedsføring.

Svar her:
LINK

Du velger selv, og du kan endre svaret når som helst via samme lenke.
Svarer du ikke, registrerer vi det som et nei.

Vennlig hilsen
Bil & Motor Ærø AS
--" ase.seen
is "the link is 39 characters of token" "39" \
    "$(printf '%s' "${link##*/}" | wc -c | tr -d ' ')"
is "the link verifies: request 1, expires in 7 days, emarketing, nb" \
    "r 1 2026-12-08T12:00:00Z 2 nb" \
    "$(echo "$link" | "$TOOLS/token-verify" landing.key)"
kari=$(mail_to mail kari@example.no)
is "the address is normalised for the envelope" "1" \
    "$(echo "$kari" | grep -c eml)"
python3 "$TOP/tests/tools/mail-show.py" "$kari" >kari.txt
grep_ok "a customer without a language gets the company's" \
    "Hei Kari Nordmann," kari.txt

python3 - sms/000001.json >sms1.txt <<'X'
import json, sys
r = json.load(open(sys.argv[1]))
print(r["path"], r["headers"]["authorization"], r["form"]["to"])
print(r["form"]["text"])
X
sed -E 's#/c/[A-Za-z0-9_-]{39}#/c/TOKEN#' sms1.txt >sms1.seen
same_text "the SMS: the gateway's form, the key, Swedish text" \
"/send Bearer gateway-key-123 +46701234567
Hej Per Persson! Bil & Motor Ærø AS ber om ditt samtycke till: Marknadsföring via e-post och sms. Svara här: https://samtykke.bilmotor.example/c/TOKEN" sms1.seen

same_text "the store's requests" \
"1|email|sent|emarketing|nb|ase@example.no|2026-12-01T12:00:00Z|2026-12-08T12:00:00Z
2|sms|sent|emarketing|sv|+46701234567|2026-12-01T12:00:00Z|2026-12-08T12:00:00Z
3||error|emarketing|nb|||
4|email|sent|emarketing|nb|kari@example.no|2026-12-01T12:00:00Z|2026-12-08T12:00:00Z" \
    "$(sql "SELECT id, channel, status, purposes, lang, address, sent, expires FROM requests ORDER BY id" >req.txt; echo req.txt)"
same_text "every state change is an audit event" \
"1||queued
1|queued|sending
1|sending|sent
2||queued
2|queued|sending
2|sending|sent
3||error
4||queued
4|queued|sending
4|sending|sent" \
    "$(sql "SELECT request, old, new FROM events WHERE request IS NOT NULL ORDER BY request, seq" >ev.txt; echo ev.txt)"

# ---- asking again ----

gives "a second run skips the open requests" 0 \
"id,request,channel,status
1001,1,email,skipped
1002,2,sms,skipped
1003,3,,skipped
1004,4,email,skipped
1005,,,skipped" \
    sh -c 'consent-request -p emarketing customers.csv >run2.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status run2.csv; exit $rc'
is "an open request is named" "request 1 is open (sent)" "$(detail run2.csv 1001)"
is "a failed one too" "request 3 ended: error (--again asks again)" \
    "$(detail run2.csv 1003)"
is "nothing more was sent" "2 1" "$(nmail mail) $(nsms sms)"

printf 'id\n1001\n' >ase.csv
gives "--again asks anew" 0 \
"id,request,channel,status
1001,5,email,sent" \
    sh -c 'consent-request -p emarketing --again ase.csv >run3.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status run3.csv; exit $rc'
is "the old request is superseded" "cancelled|superseded by request 5" \
    "$(sql 'SELECT status, detail FROM requests WHERE id = 1')"
is "a third message arrived" "3" "$(nmail mail)"

# ---- the input's own addresses, --channel ----

printf 'id,email,mobile\n1003,nils@example.no,\n1002,,\n' >own.csv
gives "an address on the input serves; --channel email fails without" 1 \
"id,request,channel,status
1003,6,email,sent
1002,7,email,error" \
    sh -c 'consent-request -p emarketing --again --channel email own.csv >run4.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status run4.csv; exit $rc'
is "the request keeps the address it was made for" "nils@example.no" \
    "$(sql 'SELECT address FROM requests WHERE id = 6')"
is "the store's master data is not changed" "" \
    "$(sql "SELECT email FROM customers WHERE key = '1003'")"

# ---- --dry-run: an mbox, nothing stored or sent ----

printf 'id\n1004\n1002\n' >two.csv
before=$(sql 'SELECT count(*), max(seq) FROM requests, events')
check "--dry-run" consent-request -p emarketing,partners --again --dry-run two.csv
python3 - "$T/out" >mbox.txt <<'X'
import mailbox, sys, email.header, email.utils
for m in mailbox.mbox(sys.argv[1]):
    s = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    n, a = email.utils.parseaddr(m["To"])
    print(f"{n} <{a}>" if n else a, "|", s, "|", m.get("X-Consent-Channel", "email"))
X
same_text "the mbox holds both messages" \
"Kari Nordmann <kari@example.no> | Bil & Motor Ærø AS: Vil du høre fra oss? | email
+46701234567 | SMS, 2 segments, GSM-7 | sms" mbox.txt
grep_ok "the summary counts what it showed" \
    "consent-request: 2 shown, 0 queued, 0 errors, 0 skipped" "$T/err"
python3 - "$T/out" >mids.txt <<'X'
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    print(m.get("X-Consent-Channel", "email"), m["Message-ID"])
X
sed -E 's/consent\.r[0-9]+\.[A-Za-z0-9_-]{12}@bilmotor\.example/OK/' mids.txt >mids.seen
same_text "each message of the mbox has a valid Message-ID" \
"email <OK>
sms <OK>" mids.seen
is "the store is as it was" "$before" \
    "$(sql 'SELECT count(*), max(seq) FROM requests, events')"
is "nothing was sent" "4 1" "$(nmail mail) $(nsms sms)"

# ---- [company] policy_url: the built-in e-mail links it, {policy} ----

# The built-in bodies as they are above (no policy_url); with one, a
# paragraph before the greeting, in the message's language; a template of
# one's own puts it where {policy} stands; the SMS stays as it is.
{ sed -n '/^\[company\]/,/^$/p' consent.conf | sed '/^$/d'
  echo 'policy_url = https://www.bilmotor.example/personvern'
  sed -n '/^$/,$p' consent.conf; } >policy.conf
printf '\n[template.en]\nbody = Hi {name}: {link} (policy: {policy})\n' >>policy.conf
printf 'id,email,lang\n1004,kari@example.no,\n1002,per@example.se,sv\n1003,nils@example.no,en\n' >pol.csv
check "--dry-run with policy_url" env CONSENT_CONFIG="$T/policy.conf" \
    consent-request -p emarketing --again --dry-run pol.csv
python3 - "$T/out" >pol.txt <<'X'
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    body = m.get_payload(decode=True).decode("utf-8")
    print(body.split("\n\n", 3)[-1].rstrip("\n"))
    print("--")
X
sed -E 's#/c/[A-Za-z0-9_-]{39}#/c/TOKEN#' pol.txt >pol.seen
same_text "nb and sv: the policy paragraph before the greeting; en: {policy} in a template of one's own" \
"Du velger selv, og du kan endre svaret når som helst via samme lenke.
Svarer du ikke, registrerer vi det som et nei.

Personvernerklæring: https://www.bilmotor.example/personvern

Vennlig hilsen
Bil & Motor Ærø AS
--
Du väljer själv och kan ändra ditt svar när som helst via samma länk.
Om du inte svarar registrerar vi det som ett nej.

Integritetspolicy: https://www.bilmotor.example/personvern

Vänliga hälsningar
Bil & Motor Ærø AS
--
Hi Nils Uten Adresse: https://samtykke.bilmotor.example/c/TOKEN (policy: https://www.bilmotor.example/personvern)
--" pol.seen
printf 'id\n1002\n' >polsms.csv
check "--dry-run of an SMS with policy_url" env CONSENT_CONFIG="$T/policy.conf" \
    consent-request -p emarketing --again --dry-run polsms.csv
python3 - "$T/out" >polsms.txt <<'X'
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    print(m.get_payload(decode=True).decode("utf-8").rstrip("\n"))
X
sed -E 's#/c/[A-Za-z0-9_-]{39}#/c/TOKEN#' polsms.txt >polsms.seen
same_text "the SMS does not carry it (every character counts)" \
"Hej Per Persson! Bil & Motor Ærø AS ber om ditt samtycke till: Marknadsföring via e-post och sms. Svara här: https://samtykke.bilmotor.example/c/TOKEN" polsms.seen
is "nothing was stored or sent" "4 1" "$(nmail mail) $(nsms sms)"

# ---- --queue, then --send-queued ----

gives "--queue creates, sends nothing" 0 \
"id,request,channel,status
1004,8,email,queued
1002,9,sms,queued" \
    sh -c 'consent-request -p partners --again --queue two.csv >q.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status q.csv; exit $rc'
is "nothing was sent yet" "4 1" "$(nmail mail) $(nsms sms)"
gives "--send-queued sends them" 0 \
"id,request,channel,status
1004,8,email,sent
1002,9,sms,sent" \
    sh -c 'consent-request --send-queued >sq.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status sq.csv; exit $rc'
is "they arrived" "5 2" "$(nmail mail) $(nsms sms)"
python3 "$TOP/tests/tools/mail-show.py" mail/000005.eml >partners.txt
is "the link names partners" "r 8 2026-12-08T12:00:00Z 4 nb" \
    "$(grep -o 'https://samtykke[^ ]*/c/[A-Za-z0-9_-]*' partners.txt | "$TOOLS/token-verify" landing.key)"
is "the superseded requests" "cancelled|superseded by request 8 cancelled|superseded by request 9" \
    "$(sql 'SELECT status, detail FROM requests WHERE id = 4') $(sql 'SELECT status, detail FROM requests WHERE id = 2')"

# ---- --print ----

printf 'id\n1005\n' >erik.csv
run consent-request -p profiling --print erik.csv
sed -E 's#/c/[A-Za-z0-9_-]{39}#/c/TOKEN#' "$T/out" >print.seen
same_text "--print writes the link" \
"id,request,channel,status,detail,link
1005,10,email,printed,,https://samtykke.bilmotor.example/c/TOKEN" print.seen
is "stored as sent, printed" "sent|printed|2026-12-08T12:00:00Z" \
    "$(sql 'SELECT status, detail, expires FROM requests WHERE id = 10')"
is "nothing was sent" "5 2" "$(nmail mail) $(nsms sms)"

# ---- --remind ----

CONSENT_NOW=2026-12-04T12:00:00Z
export CONSENT_NOW
gives "no reminder before 4 days" 0 "id,request,channel,status,detail" \
    consent-request --remind
CONSENT_NOW=2026-12-05T13:00:00Z
gives "--remind after 4 days, on the request's channel" 0 \
"id,request,channel,status
1001,5,email,reminded
1003,6,email,reminded
1004,8,email,reminded
1002,9,sms,reminded" \
    sh -c 'consent-request --remind >rem.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status rem.csv; exit $rc'
python3 "$TOP/tests/tools/mail-show.py" mail/000008.eml >rem.txt
grep_ok "the reminder's subject" \
    "subject: Påminnelse: Bil & Motor Ærø AS: Vil du høre fra oss?" rem.txt
is "the reminder has the first message's link" \
    "$(grep -o '/c/[A-Za-z0-9_-]*' partners.txt)" \
    "$(grep -o '/c/[A-Za-z0-9_-]*' rem.txt)"
gives "one reminder a request" 0 "id,request,channel,status,detail" \
    consent-request --remind
CONSENT_NOW=2026-12-01T12:00:00Z

# ---- --cancel ----

gives "--cancel the open requests" 0 \
"id,request,channel,status
1004,8,email,cancelled
1003,6,email,cancelled
1005,10,email,cancelled" \
    sh -c 'printf "id\n1004\n1003\n1005\n" | consent-request --cancel >c.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status c.csv; exit $rc'
is "cancelled in the store" "cancelled cancelled" \
    "$(status_of 8) $(status_of 6)"
gives "nothing left to cancel" 0 \
"id,request,channel,status
1004,8,email,skipped" \
    sh -c 'printf "id\n1004\n" | consent-request --cancel >c2.csv; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status c2.csv; exit $rc'

# ---- the same key twice with --again ----

printf 'id\n1004\n1004\n' >twice.csv
gives "the first row tells that the second request superseded it" 0 \
"id,request,channel,status,detail
1004,11,email,cancelled,superseded by request 12
1004,12,email,queued," \
    consent-request -p partners --again --queue twice.csv
consent-request --cancel twice.csv >/dev/null 2>&1

# ---- a configuration that cannot send stops before anything is stored ----

before=$(sql 'SELECT count(*), max(seq) FROM requests, events')
grep -v '^url = https' consent.conf >nolanding.conf
fails "no [landing] url" \
    "consent-request: no [landing] url in the configuration: the links need it" \
    consent-request --config nolanding.conf -p partners --again two.csv
sed 's/^retry_wait = 0$/retry_wait = soon/' consent.conf >badwait.conf
fails "a bad retry_wait" \
    "consent-request: [smtp] retry_wait: 'soon' is not a number of seconds" \
    consent-request --config badwait.conf -p partners --again two.csv
printf 'short secret\n' >short.key
chmod 600 short.key
sed 's/^secret_file = landing.key$/secret_file = short.key/' consent.conf >short.conf
fails "a landing secret shorter than 32 bytes" \
    "consent-request: [landing] secret_file: the secret is 12 bytes, and must be 32 or more (head -c 32 /dev/urandom | base64 makes one)" \
    consent-request --config short.conf -p partners --again two.csv
is "nothing was stored" "$before" \
    "$(sql 'SELECT count(*), max(seq) FROM requests, events')"

# ---- restricted and erased customers are never asked ----

sql "UPDATE customers SET status = 'restricted' WHERE key = '1004'"
printf 'id\n1004\n9999\n' >odd.csv
gives "restricted: skipped; unknown: an error" 1 \
"id,request,channel,status
1004,,,skipped
9999,,,error" \
    sh -c 'consent-request -p emarketing --again odd.csv >odd.out; rc=$?; mlr --icsv --ocsv cut -o -f id,request,channel,status odd.out; exit $rc'
is "the reasons" "restricted|not in the store (consent-import adds customers)" \
    "$(detail odd.out 1004)|$(detail odd.out 9999)"

done_testing
