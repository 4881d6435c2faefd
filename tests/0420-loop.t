#!/bin/sh
# The whole consent loop with real parts: consent-request mails the link
# to a real SMTP server on loopback; the test opens the link from the mail
# in headless Chromium, ticks a box and submits; consent-sync fetches the
# answer from consent-landing's API; the customer then passes
# consent-filter --purpose.  Also: a refusal, a withdrawal on a second
# visit, the same answers synced twice, expiry after 7 days, tampered,
# expired and foreign links, a wrong API key, the landing service down
# during a sync, and no personal data in the landing database file.
. "${0%/*}/lib.sh"

BIN=${CONSENT_BIN:-$TOP/bin}
PY=/usr/bin/python3
if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ] ||
    ! "$PY" -c 'import selenium, aiosmtpd' 2>/dev/null; then
	echo "1..0 # SKIP no chromium, chromedriver, selenium or aiosmtpd (scripts/install-deps)"
	exit 0
fi
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

start_smtp() {
	start_server mail smtp-server.py
	SMTP=$PORT
}

# start_landing: consent-landing on a port of the kernel's choosing; sets
# LANDING (its port) and LPID.
start_landing() {
	: >landing.err
	"$BIN/consent-landing" --listen 127.0.0.1:0 2>landing.err &
	LPID=$!
	PIDS="$PIDS $LPID"
	LANDING=$(landing_port landing.err)
}

stop_landing() {
	kill "$LPID" 2>/dev/null
	wait "$LPID" 2>/dev/null
}

# config LANDING-PORT: the configuration, with the links to the service.
config() {
	cat >consent.conf <<X
[company]
name = Bil & Motor Ærø AS
lang = nb
info.nb = Vi bruker navn og e-post til å sende deg tilbud.
info.sv = Vi använder namn och e-post för att skicka erbjudanden.

[purpose.emarketing]
title.nb = Nyheter og tilbud på e-post
title.sv = Nyheter och erbjudanden via e-post

[purpose.partners]
title.nb = Deling med forsikringspartnere
title.sv = Delning med försäkringspartner

[smtp]
url = smtp://127.0.0.1:$SMTP
from = post@bilmotor.example
starttls = no
retry_wait = 0

[landing]
url = http://127.0.0.1:$1/
api_url = http://127.0.0.1:$1/
secret_file = landing.key
api_key_file = api.key
db = $T/landing.db
X
}

# browse URL ACTION...: the page as headless Chromium shows it, in FILE
# browser.out.
browse() {
	"$PY" "$TOP/tests/tools/browser.py" "$@" >browser.out 2>browser.err
}

# relink URL: the link, to the service's port of now (it gets a new one
# each time it starts).
relink() {
	printf '%s' "$1" | sed "s#127\.0\.0\.1:[0-9]*#127.0.0.1:$LANDING#"
}

# link_of ADDRESS: the link in the message the SMTP server got for it.
link_of() {
	for _j in mail/*.json; do
		if "$PY" -c 'import json, sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1]))["rcpt_tos"] else 1)' "$_j" "$1"; then
			"$PY" "$TOP/tests/tools/mail-show.py" "${_j%.json}.eml" |
			    grep -o 'http://127\.0\.0\.1:[0-9]*/c/[A-Za-z0-9_-]*'
		fi
	done
}

printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
printf 'api-key-for-the-tests\n' >api.key
chmod 600 landing.key api.key
SMTP=0
config 0
export CONSENT_CONFIG="$T/consent.conf"
start_landing
is "consent-landing started" "yes" "$([ -n "$LANDING" ] && echo yes || echo "no: $(cat landing.err)")"
start_smtp
config "$LANDING"

cat >customers.csv <<'X'
id,name,email,mobile,lang
1,Åse Ørnulfsdottir,ase@example.no,+4791234567,nb
2,Per Persson,per@example.se,+46701234567,sv
3,Kari Nordmann,kari@example.no,+4792345678,nb
X
check "the store is imported" consent-import -q customers.csv
check "the requests go out" consent-request -p emarketing,partners customers.csv
is "three messages arrived" "3" "$(ls mail/*.eml | wc -l | tr -d ' ')"

# ---- a yes ----

ase=$(link_of ase@example.no)
is "Åse's mail holds a link to the service" "yes" \
    "$(case $ase in http://127.0.0.1:$LANDING/c/*) echo yes ;; *) echo "no: $ase" ;; esac)"
browse "$ase"
sed -n '/^checkbox:/p; /^lang:/p; /^scripts:/p; /^width-overflow:/p; /^status:/p' browser.out >first.txt
same_text "the page: Norwegian, two unticked boxes, no script, fits a phone" \
"status: 200
lang: nb
checkbox: [ ] Nyheter og tilbud på e-post
checkbox: [ ] Deling med forsikringspartnere
scripts: 0
width-overflow: no" first.txt
grep_ok "the information text is on the page" \
    "Vi bruker navn og e-post til å sende deg tilbud." browser.out
browse "$ase" "tick:Nyheter og tilbud på e-post" submit
is "the answer is taken" "status: 200" "$(grep '^status:' browser.out)"
is "the landing database has the two answers" "granted denied" \
    "$(sqlite3 landing.db "SELECT group_concat(answer, ' ') FROM (SELECT answer FROM answers ORDER BY seq)")"

gives "consent-sync brings the answer home" 0 \
"id,purpose,old,new,at,source
1,emarketing,unknown,granted,2026-12-01T12:00:00Z,landing
1,partners,unknown,denied,2026-12-01T12:00:00Z,landing" consent-sync
is "the request is approved" "approved" \
    "$(sql 'SELECT status FROM requests WHERE id = 1')"
is "the evidence names the browser's answer" "1" \
    "$(sql "SELECT count(*) FROM events WHERE customer = '1' AND purpose = 'emarketing' AND evidence LIKE 'landing answer 1 to request 1 at 2026-12-01T12:00:00Z from 127.0.0.1, %HeadlessChrome%; text sha256 %'")"
printf 'id\n1\n2\n3\n' >all.csv
gives "Åse now passes consent-filter --purpose emarketing" 0 "id
1" consent-filter --purpose emarketing all.csv
gives "the same answers synced twice change nothing" 0 \
    "id,purpose,old,new,at,source" consent-sync

# ---- a no, in Swedish ----

per=$(link_of per@example.se)
browse "$per" submit
grep_ok "the confirmation is in Swedish" "lang: sv" browser.out
gives "a refusal" 0 \
"id,purpose,old,new,at,source
2,emarketing,unknown,denied,2026-12-01T12:00:00Z,landing
2,partners,unknown,denied,2026-12-01T12:00:00Z,landing" consent-sync
is "the request is denied" "denied" "$(sql 'SELECT status FROM requests WHERE id = 2')"

# ---- a second visit: the yes is shown, and taken back ----

CONSENT_NOW=2026-12-03T09:00:00Z
export CONSENT_NOW
stop_landing
start_landing
config "$LANDING"
ase=$(relink "$ase")
browse --show-first "$ase" "untick:Nyheter og tilbud på e-post" submit
sed -n '/^checkbox:/p; /^---- after/q' browser.out >revisit.txt
same_text "the second visit shows the answer given" \
"checkbox: [x] Nyheter og tilbud på e-post
checkbox: [ ] Deling med forsikringspartnere" revisit.txt
gives "withdrawal as easy as consent" 0 \
"id,purpose,old,new,at,source
1,emarketing,granted,withdrawn,2026-12-03T09:00:00Z,landing" consent-sync
gives "Åse no longer passes" 1 "id" consent-filter --purpose emarketing all.csv

# ---- links that do not work ----

tampered=$(printf '%s' "$ase" | sed 's/.$/A/; t; s/$//')
[ "$tampered" = "$ase" ] && tampered=$(printf '%s' "$ase" | sed 's/.$/B/')
browse "$tampered"
is "a tampered link: 404" "status: 404" "$(grep '^status:' browser.out)"
is "and no form" "" "$(grep '^checkbox:' browser.out)"
printf 'another secret, not the landing service one\n' >other.key
chmod 600 other.key
foreign=$("$CONSENT_TEST_TOOLS/token-make" other.key r 1 2026-12-08T12:00:00Z 1 nb 2>/dev/null ||
    "$TOP/obj/tools/token-make" other.key r 1 2026-12-08T12:00:00Z 1 nb)
browse "http://127.0.0.1:$LANDING/c/$foreign"
is "a link signed with another secret: 404" "status: 404" "$(grep '^status:' browser.out)"

# ---- expiry: Kari never answers ----

CONSENT_NOW=2026-12-08T12:00:01Z
export CONSENT_NOW
stop_landing
start_landing
config "$LANDING"
kari=$(relink "$(link_of kari@example.no)")
browse "$kari"
is "her link has expired: 410" "status: 410" "$(grep '^status:' browser.out)"
is "with no form" "" "$(grep '^checkbox:' browser.out)"
gives "consent-sync expires her request after 7 days" 0 \
"id,purpose,old,new,at,source
3,emarketing,unknown,denied,2026-12-08T12:00:00Z,email
3,partners,unknown,denied,2026-12-08T12:00:00Z,email" consent-sync
is "the request is expired" "expired" "$(sql 'SELECT status FROM requests WHERE id = 3')"

# ---- the API's key; the service down ----

cp api.key api.right
printf 'not-the-key\n' >api.key
events=$(sql 'SELECT count(*) FROM events')
expect_code 2 "a wrong API key stops consent-sync" consent-sync
grep_ok "with the service's answer" "HTTP 401" "$T/err"
cp api.right api.key
stop_landing
expect_code 2 "the landing service down: exit 2" consent-sync
grep_ok "a clear message" "Couldn't connect to server; nothing changed" "$T/err"
is "nothing changed" "$events" "$(sql 'SELECT count(*) FROM events')"

# ---- no personal data in the landing database ----

found=0
for s in Åse Ørnulfsdottir ase@example.no per@example.se Persson Kari \
    91234567 701234567 92345678; do
	if LC_ALL=C grep -q -F "$s" landing.db landing.db-wal 2>/dev/null; then
		found="$found $s"
	fi
done
is "the landing database file holds no name, address or number" "0" "$found"

done_testing
