#!/bin/sh
# consent-request when delivery goes wrong, against real servers on
# loopback: an SMTP server that refuses a recipient (550), refuses for a
# while (451), drops the connection; an SMS gateway that answers 503, 400
# or 401 or drops the connection; a server that is not there; STARTTLS
# required and refused, STARTTLS and SMTPS with a certificate that
# verifies and one that does not; SMTP AUTH from password_file; kill -9
# in the middle of a run, then reruns that send nothing twice.
. "${0%/*}/lib.sh"

PY=python3
for _p in /usr/bin/python3 python3; do
	if "$_p" -c 'import aiosmtpd' 2>/dev/null; then PY=$_p; break; fi
done
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# ---- helpers ----

# config SMTP-URL SMS-PORT [SMTP-LINES...]: write the configuration.
config() {
	_url=$1 _sms=$2
	shift 2
	{
		cat <<X
[company]
name = Verksted AS
info.nb = Vi sender tilbud.

[sms]
url = http://127.0.0.1:$_sms/send
key_file = sms.key
retry_wait = 0

[landing]
url = https://samtykke.example/
secret_file = landing.key

[smtp]
url = $_url
from = post@verksted.example
retry_wait = 0
X
		for _l in "$@"; do echo "$_l"; done
	} >consent.conf
}

# ask NAME CODE EXPECTED-ROWS ARGS...: consent-request ARGS exits CODE
# and writes these rows (id,request,channel,status,detail).
ask() {
	_a_name=$1 _a_code=$2 _a_rows=$3
	shift 3
	run consent-request "$@"
	_a_got=$?
	{ printf 'id,request,channel,status,detail\n%s\n' "$_a_rows"
	  echo "(exit $_a_code)"; } >"$T/want"
	{ cat "$T/out"; echo "(exit $_a_got)"; } >"$T/got"
	check_same "$_a_name" "$T/want" "$T/got"
}

nfiles() {
	ls "$1"/*."$2" 2>/dev/null | wc -l | tr -d ' '
}

# ---- the store ----

printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
printf 'gateway-key-123\n' >sms.key
printf 'hemmelig passord\n' >smtp.pass
chmod 600 landing.key sms.key smtp.pass
config smtp://127.0.0.1:1 1 "starttls = no"
export CONSENT_CONFIG="$T/consent.conf"
{
	echo id,name,email,mobile
	echo 1,Ola Ok,ola@example.no,
	echo 2,Ingen Slik,nobody@example.no,
	echo 3,Tregt Svar,slow@example.no,
	echo 4,Sms Kunde,,+4791111111
	echo 5,Feil Nummer,,+4792222222
} >customers.csv
check "the store is imported" consent-import -q customers.csv

# ---- SMTP refusals ----

start_server mail smtp-server.py --reject-rcpt nobody@ --tempfail-rcpt slow@:2
config "smtp://127.0.0.1:$PORT" 1 "starttls = no"
printf 'id\n1\n2\n3\n' >mail3.csv
ask "550 is an error with the server's reply; 451 twice, then sent" 1 \
"1,1,email,sent,250 2.0.0 OK queued as 000001
2,2,email,error,550 5.1.1 <nobody@example.no>: mailbox unavailable
3,3,email,sent,250 2.0.0 OK queued as 000002" -p emarketing mail3.csv
is "the store agrees" "sent error sent" \
    "$(status_of 1) $(status_of 2) $(status_of 3)"
is "the error's reason is kept" \
    "550 5.1.1 <nobody@example.no>: mailbox unavailable" \
    "$(sql 'SELECT detail FROM requests WHERE id = 2')"
is "two messages arrived" "2" "$(nfiles mail eml)"

start_server mail smtp-server.py --tempfail-rcpt slow@:9
config "smtp://127.0.0.1:$PORT" 1 "starttls = no"
printf 'id\n3\n' >slow.csv
ask "451 four times: an error after the retries" 1 \
"3,4,email,error,4 attempts failed: 451 4.3.0 try again later" \
    -p emarketing --again slow.csv

start_server mail smtp-server.py --drop-rcpt ola@:1
config "smtp://127.0.0.1:$PORT" 1 "starttls = no"
printf 'id\n1\n' >ola.csv
ask "a dropped connection is retried on a new one" 0 \
"1,5,email,sent,250 2.0.0 OK queued as 000001" -p emarketing --again ola.csv
is "it arrived once, on the second connection" "1 2" \
    "$(nfiles mail eml) $("$PY" -c 'import json; print(json.load(open("mail/000001.json"))["connection"])')"

# ---- no server: the run stops, the requests stay queued ----

stop_server mail
config "smtp://127.0.0.1:$PORT" 1 "starttls = no"
run consent-request -p emarketing --again ola.csv
is "a server that is not there stops the run (exit 2)" "2" "$?"
is "the request waits in the queue" "queued" "$(status_of 6)"
grep_ok "the reason names the server" "Couldn't connect to server" "$T/err"
start_server mail smtp-server.py
config "smtp://127.0.0.1:$PORT" 1 "starttls = no"
ask "--send-queued sends it once the server is back" 0 \
"1,6,email,sent,250 2.0.0 OK queued as 000001" --send-queued

# ---- TLS ----

sh "$TOP/tests/tools/make-cert.sh" "$T/pki" >/dev/null 2>&1
config "smtp://127.0.0.1:$PORT" 1
run consent-request -p emarketing --again ola.csv
is "starttls is required by default: a server without it stops the run" \
    "2" "$?"
is "the request is not sent in plain text (the one message is 6's)" \
    "queued 1" "$(status_of 7) $(nfiles mail eml)"
consent-request --cancel ola.csv >/dev/null 2>&1

start_server mail smtp-server.py --tls-cert pki/server.pem --tls-key pki/server.key --require-tls
config "smtp://127.0.0.1:$PORT" 1 "ca_file = $T/pki/ca.pem"
ask "STARTTLS with a certificate that verifies" 0 \
"1,8,email,sent,250 2.0.0 OK queued as 000001" -p emarketing --again ola.csv
is "the message came over TLS" "True" \
    "$("$PY" -c 'import json; print(json.load(open("mail/000001.json"))["tls"])')"
config "smtp://127.0.0.1:$PORT" 1
run consent-request -p emarketing --again ola.csv
is "a certificate that does not verify stops the run" "2" "$?"
consent-request --cancel ola.csv >/dev/null 2>&1

start_server mail smtp-server.py --tls-cert pki/server.pem --tls-key pki/server.key --smtps
config "smtps://127.0.0.1:$PORT" 1 "ca_file = $T/pki/ca.pem"
ask "SMTPS" 0 "1,10,email,sent,250 2.0.0 OK queued as 000001" -p emarketing --again ola.csv

# ---- AUTH from password_file ----

start_server mail smtp-server.py --auth "verksted:hemmelig passord"
config "smtp://127.0.0.1:$PORT" 1 "starttls = no" "user = verksted" \
    "password_file = smtp.pass"
ask "AUTH with the password from its file" 0 \
"1,11,email,sent,250 2.0.0 OK queued as 000001" -p emarketing --again ola.csv
is "the server saw the user" "verksted" \
    "$("$PY" -c 'import json; print(json.load(open("mail/000001.json"))["auth_user"])')"
printf 'feil\n' >smtp.pass
run consent-request -p emarketing --again ola.csv
is "a refused login stops the run" "2" "$?"
is "the password is not on the command line or in the output" "0" \
    "$(cat "$T/out" "$T/err" | grep -c feil)"
consent-request --cancel ola.csv >/dev/null 2>&1
chmod 644 smtp.pass
run consent-request -p emarketing --again ola.csv
is "a password file others can read is refused" "2" "$?"
grep_ok "naming the file" "smtp.pass" "$T/err"
grep_ok "the run still writes its row: the request waits" \
    ",email,queued," "$T/out"
chmod 600 smtp.pass
consent-request --cancel ola.csv >/dev/null 2>&1

# ---- the SMS gateway ----

start_server mail smtp-server.py
SMTP=$PORT
start_server sms sms-gateway.py --key gateway-key-123 --fail-first 2:503 --fail-to +4792222222:400
config "smtp://127.0.0.1:$SMTP" "$PORT" "starttls = no"
printf 'id\n4\n5\n' >sms2.csv
ask "503 is retried; 400 is an error with the gateway's answer" 1 \
"4,14,sms,sent,\"1 segment GSM-7; HTTP 200: {\"\"id\"\": 3}\"
5,15,sms,error,HTTP 400: rejected +4792222222" -p emarketing sms2.csv
is "the gateway saw four posts" "4" "$(nfiles sms json)"

start_server sms sms-gateway.py --key another-key
config "smtp://127.0.0.1:$SMTP" "$PORT" "starttls = no"
printf 'id\n4\n' >sms1.csv
run consent-request -p emarketing --again sms1.csv
is "a wrong key (401) stops the run" "2" "$?"
is "and the request waits" "queued" "$(status_of 16)"

start_server sms sms-gateway.py --key gateway-key-123 --drop-first 1
config "smtp://127.0.0.1:$SMTP" "$PORT" "starttls = no"
ask "a dropped connection to the gateway is retried" 0 \
"4,16,sms,sent,\"1 segment GSM-7; HTTP 200: {\"\"id\"\": 2}\"" --send-queued

# ---- kill -9 in the middle of a run ----

{
	echo id,name,email
	i=100
	while [ $i -lt 160 ]; do
		echo "$i,Kunde $i,k$i@example.no"
		i=$((i + 1))
	done
} >many.csv
check "60 more customers" consent-import -q many.csv
start_server mail smtp-server.py --delay 0.05
config "smtp://127.0.0.1:$PORT" 1 "starttls = no"
consent-request -p emarketing many.csv >/dev/null 2>&1 &
victim=$!
i=0
while [ "$(nfiles mail eml)" -lt 20 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 $victim
wait $victim 2>/dev/null
sent_before=$(nfiles mail eml)
is "the run was killed mid-send" "yes" \
    "$([ "$sent_before" -ge 20 ] && [ "$sent_before" -lt 60 ] && echo yes || echo "no: $sent_before")"
is "the store is intact" "ok" "$(sql 'PRAGMA integrity_check')"
uncertain=$(sql "SELECT count(*) FROM requests WHERE status = 'sending'")
is "at most one batch is in doubt" "yes" \
    "$([ "$uncertain" -le 16 ] && echo yes || echo "no: $uncertain")"
run consent-request --send-queued
is "the rerun reports the uncertain ones (exit 1)" "1" "$?"
is "one uncertain row each" "$uncertain" "$(grep -c ',uncertain,' "$T/out")"
"$PY" - mail "$uncertain" >dup.txt <<'X'
import json, glob, sys, collections
c = collections.Counter()
for j in glob.glob(sys.argv[1] + "/*.json"):
    c.update(json.load(open(j))["rcpt_tos"])
print(max(c.values()), "many" if len(c) >= 60 - int(sys.argv[2]) else len(c))
X
is "nobody got two messages; all but the doubtful got one" "1 many" \
    "$(cat dup.txt)"
is "and the store says sent for those that went, sending for the doubtful" \
    "$((60 - uncertain)) $uncertain" \
    "$(sql "SELECT count(*) FROM requests WHERE status = 'sent' AND customer IN (SELECT id FROM customers WHERE CAST(key AS INTEGER) >= 100)") $(sql "SELECT count(*) FROM requests WHERE status = 'sending'")"
got_before=$(nfiles mail eml)
run consent-request --send-queued
is "a third run sends nothing and still reports them" "1 $got_before" \
    "$? $(nfiles mail eml)"
run consent-request --send-queued --retry-uncertain
is "--retry-uncertain sends them again" "0" "$?"
is "no request is left in doubt" "0" \
    "$(sql "SELECT count(*) FROM requests WHERE status = 'sending'")"

done_testing
