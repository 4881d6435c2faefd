#!/bin/sh
# consent(7), WORKFLOWS, "Dealer system switch-over": the recipe of that
# subsection run block by block as a reader copies it, against the real
# parts on loopback (the SMS gateway stand-in, an SMTP server that must get
# nothing, consent-landing, headless Chromium), with CONSENT_NOW stepping
# through the days:
#   day 0  the configuration and the secrets; the dealer system's export
#          (';', cp1252, CRLF, dd.mm.yyyy) imported with --reset: every
#          purpose denied but service; the landing service started by the
#          recipe's own line (its port and log moved into the scratch dir);
#          the SMS round: exactly the customers contacted within 5 years
#          who have a mobile number get an SMS (E.164, the gateway's key,
#          the text in their language, a link that verifies), nobody an
#          e-mail, nobody without a mobile or contacted longer ago; the
#          rows of consent-request; a yes and a no in Chromium; consent-sync
#          and consent-log --status
#   day 2  the SMS round again sends nothing
#   day 3  the counter: the form printed with --again (the open SMS request
#          is superseded), one page, the name and a link that verifies;
#          the signed form recorded (source paper, audit event); an answer
#          through the superseded SMS link is refused
#   day 5  the crontab's reminder line: one reminder, same link
#   day 8  the crontab's consent-sync line expires the unanswered: no
#          change rows, consent still denied; the campaign list holds the
#          rows of the export of the two who said yes, byte for byte
#   day 10 the form's request expires; the signed yes stands
# and the crontab block parses as crontab lines whose commands the recipe
# runs.  consent-landing takes the time of its answers from CONSENT_NOW at
# its start, so the test restarts it (start_landing) at the time customers
# answer.
. "${0%/*}/lib.sh"
. "$TOP/tests/workflow.sh"

W="Dealer system switch-over"
for t in pdfinfo pdftotext curl; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP no $t (scripts/install-deps)"
		exit 0
	fi
done
export LOGNAME=kontor USER=kontor
mkdir -p "$T/log" "$T/bin"

# sms_text N: the text of the Nth SMS the gateway got; sms_to N its number.
sms_field() {
	"$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["form"][sys.argv[2]])' "$(printf '%s/sms/%06d.json' "$T" "$1")" "$2"
}

# cron_command PATTERN: the command of the crontab line of block $CRON
# that holds PATTERN, its logs moved to $T/log.
cron_command() {
	recipe "$W" "$CRON" | grep -F -- "$1" |
	    sed -E -e '/^@reboot/{s/^@reboot[[:space:]]+//;b log' \
	        -e '}' -e 's/^([^[:space:]]+[[:space:]]+){5}//' \
	        -e ':log' -e "s#/var/log/consent/#$T/log/#g"
}

# recipe_gives NAME CODE TEXT N: ok when block N exits CODE with TEXT on
# stdout.
recipe_gives() {
	run_recipe "$W" "$4"
	_r_got=$?
	{ [ -z "$3" ] || printf '%s\n' "$3"; echo "(exit $2)"; } >"$T/want"
	{ cat "$T/out"; echo "(exit $_r_got)"; } >"$T/got"
	check_same "$1" "$T/want" "$T/got"
}

# run_cron PATTERN: run that command in $T as cron would (sh -c).
run_cron() {
	_c=$(cron_command "$1")
	(cd "$T" && sh -c "$_c") >"$T/out" 2>"$T/err"
}

is "the subsection has 11 blocks" "11" \
    "$("$PY" "$TOP/tests/tools/man-script.py" "$WORKFLOW_MAN" "$W")"
CRON=11

# ---- day 0: configuration and secrets -------------------------------------

day 2026-12-01T07:50:00Z
check "block 2: the secrets are made" run_recipe "$W" 2
is "the three secret files, mode 0600" \
    "-rw------- -rw------- -rw-------" \
    "$(ls -l secrets/landing-secret secrets/landing-api-key secrets/sms-key | cut -c1-10 | tr '\n' ' ' | sed 's/ $//')"
is "the landing secret is 64 characters of base64 (48 bytes)" "64" \
    "$(tr -d '\n' <secrets/landing-secret | wc -c | tr -d ' ')"
is "the gateway key is the provider's" "KEY-FROM-THE-SMS-PROVIDER" \
    "$(cat secrets/sms-key)"

start_smtp
start_sms --key "$(cat secrets/sms-key)"
is "the SMTP server and the SMS gateway are up" "yes yes" \
    "$([ -n "$SMTP" ] && echo yes) $([ -n "$SMS" ] && echo yes)"
recipe "$W" 1 >consent.conf
# What differs on loopback: the ports, plain SMTP, the landing database.
sed -i -e "s#^url = smtp://smtp.bilhusetnord.no:587\$#url = smtp://127.0.0.1:$SMTP\\
starttls = no#" \
    -e "s#^url = https://sms.example.no/#url = http://127.0.0.1:$SMS/#" \
    -e 's#^listen = 127.0.0.1:8080$#listen = 127.0.0.1:0#' \
    -e 's#^db = /var/lib/consent/landing.db$#db = landing.db#' consent.conf
is "the configuration adapted in five lines" "5" \
    "$(recipe "$W" 1 | diff - consent.conf | grep -c '^>')"
export CONSENT_CONFIG="$T/consent.conf"

# The dealer system's export: Excel's, ';', Windows-1252, CRLF.
#   20001 SMS, says yes in the browser     20005 contacted 30.11.2021: no
#   20002 SMS in Swedish, says no          20006 contacted 01.12.2021, the
#   20003 no e-mail: SMS, no answer, signs       last day of 5 years: SMS,
#         the form at the counter                reminded, expires
#   20004 no mobile: nothing               20007 no address at all: nothing
excel_export kunder.csv \
    'Kundenr;Navn;E-post;Mobil;Språk;Sist kontakt' \
    '20001;Ørnulfsdottir, Åse;ase.ornulfsdottir@gmail.com;912 34 567;nb;14.03.2025' \
    '20002;Per Persson;per.persson@telia.se;+46 70-123 45 67;sv;02.09.2024' \
    '20003;Kari Bråten;;476 82 329;nb;21.09.2023' \
    '20004;Jørgen Rønning;jorgen.ronning@online.no;;nb;18.12.2022' \
    '20005;Ola Eide;ola_eide@online.no;955 54 418;nb;30.11.2021' \
    '20006;Grete Sandvik;grete.sandvik@hotmail.no;0047 489 77 056;nb;01.12.2021' \
    '20007;Line Nordmann;;;nb;30.08.2024'

# ---- day 0, 08:00: the switch-over import ---------------------------------

day 2026-12-01T08:00:00Z
check "block 3: the export is imported with --reset" run_recipe "$W" 3
is "its summary" \
    "consent-import: read 7, new 7, updated 0, unchanged 0, rejected 0, suppressed 0, conflicts 0" \
    "$(cat "$T/err")"
is "no row rejected: avvist.csv is empty" "0" "$(wc -c <avvist.csv | tr -d ' ')"
is "the master data, numbers in E.164, dates as ISO" \
"20001|Ørnulfsdottir, Åse|ase.ornulfsdottir@gmail.com|+4791234567|nb|2025-03-14
20002|Per Persson|per.persson@telia.se|+46701234567|sv|2024-09-02
20003|Kari Bråten||+4747682329|nb|2023-09-21
20004|Jørgen Rønning|jorgen.ronning@online.no||nb|2022-12-18
20005|Ola Eide|ola_eide@online.no|+4795554418|nb|2021-11-30
20006|Grete Sandvik|grete.sandvik@hotmail.no|+4748977056|nb|2021-12-01
20007|Line Nordmann|||nb|2024-08-30" \
    "$(sql "SELECT key, name, email, mobile, lang, last_contact FROM customers ORDER BY key")"
gives "every purpose denied but service (contract), for every customer" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
20001,service,granted,contract,manual,2026-12-01T08:00:00Z,,,,
20001,emarketing,denied,consent,import,2026-12-01T08:00:00Z,,,,
20001,partners,denied,consent,import,2026-12-01T08:00:00Z,,,,
20001,profiling,denied,consent,import,2026-12-01T08:00:00Z,,,," \
    consent-log --status 20001
is "28 consents: 7 granted (service), 21 denied" "denied|21
granted|7" "$(sql "SELECT state, count(*) FROM consents GROUP BY state ORDER BY state")"
is "the granted ones are all service" "7" \
    "$(sql "SELECT count(*) FROM consents c JOIN purposes p ON p.id = c.purpose WHERE c.state = 'granted' AND p.name = 'service'")"
is "the audit events say --reset" "21" \
    "$(sql "SELECT count(*) FROM events WHERE old = 'unknown' AND new = 'denied' AND evidence = '--reset' AND source = 'import'")"

# ---- day 0, 08:05: the landing service, by the recipe's own line ----------

day 2026-12-01T08:05:00Z
recipe "$W" 4 >landing.sh
is "block 4 starts consent-landing in the background" \
    "consent-landing 2>>/var/log/consent/landing.log &" "$(cat landing.sh)"
sed -i -e "s#/var/log/consent/landing.log#$T/landing.err#" \
    -e 's#&$#\& echo $! >landing.pid#' landing.sh
: >landing.err
(cd "$T" && sh -e landing.sh) >/dev/null 2>&1
LPID=$(cat landing.pid)
PIDS="$PIDS $LPID"
LANDING=$(landing_port landing.err)
is "it listens (on the port of [landing] listen)" "yes" \
    "$([ -n "$LANDING" ] && echo yes || echo "no: $(cat landing.err)")"
# set_api_url: consent-sync fetches from the service's port of now.
set_api_url() {
	sed -i "s#^api_url = .*#api_url = http://127.0.0.1:$LANDING/#" consent.conf
}
set_api_url
is "a link it does not know: 404" "404" \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LANDING/c/EQAAAAFrF8cQAAJuYpAnUcCzt6GoAcdUZ_m-uac")"

# ---- day 0, 09:00: the SMS round ------------------------------------------

day 2026-12-01T09:00:00Z
check "block 5: the SMS round" run_recipe "$W" 5
is "its summary" "consent-request: 4 sent, 0 queued, 0 errors, 0 skipped" \
    "$(cat "$T/err")"
same_text "sms-runde.csv: the four contacted within 5 years with a mobile" \
'id,request,channel,status,detail
20001,1,sms,sent,"2 segments GSM-7; HTTP 200: {""id"": 1}"
20002,2,sms,sent,"2 segments GSM-7; HTTP 200: {""id"": 2}"
20003,3,sms,sent,"2 segments GSM-7; HTTP 200: {""id"": 3}"
20006,4,sms,sent,"2 segments GSM-7; HTTP 200: {""id"": 4}"' sms-runde.csv
is "four SMSes arrived" "4" "$(smses)"
is "no e-mail went out (the SMTP server got nothing)" "0" "$(mails)"
is "to whom, in E.164, in the order of the register" \
    "+4791234567 +46701234567 +4747682329 +4748977056" \
    "$(for n in 1 2 3 4; do sms_field $n to; done | tr '\n' ' ' | sed 's/ $//')"
is "each with the gateway's key" \
    "Bearer KEY-FROM-THE-SMS-PROVIDER" \
    "$(for n in 1 2 3 4; do "$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["headers"]["authorization"])' "$(printf '%s/sms/%06d.json' "$T" $n)"; done | sort -u)"
ase=$(sms_link +4791234567)
per=$(sms_link +46701234567)
kari=$(sms_link +4747682329)
grete=$(sms_link +4748977056)
is "Åse's SMS, in Norwegian" \
    "Hei Ørnulfsdottir, Åse! Bilhuset Nord AS ber om ditt samtykke til: Nyheter og tilbud på e-post og SMS. Svar her: $ase" \
    "$(sms_field 1 text)"
is "Per's SMS, in Swedish" \
    "Hej Per Persson! Bilhuset Nord AS ber om ditt samtycke till: Nyheter och erbjudanden via e-post och SMS. Svara här: $per" \
    "$(sms_field 2 text)"
is "the links are to the public address" \
    "https://samtykke.bilhusetnord.no/c/ x4" \
    "$(printf '%s\n' "$ase" "$per" "$kari" "$grete" | cut -c1-35 | uniq -c | awk '{ print $2 " x" $1 }')"
gives "each link verifies: its request, 7 days, emarketing, the language" 0 \
"r 1 2026-12-08T09:00:00Z 2 nb
r 2 2026-12-08T09:00:00Z 2 sv
r 3 2026-12-08T09:00:00Z 2 nb
r 4 2026-12-08T09:00:00Z 2 nb" \
    sh -c "printf '%s\n' '$ase' '$per' '$kari' '$grete' | '$TOOLS/token-verify' secrets/landing-secret"
is "the requests in the store" \
"1|20001|sms|+4791234567|sent|2026-12-08T09:00:00Z
2|20002|sms|+46701234567|sent|2026-12-08T09:00:00Z
3|20003|sms|+4747682329|sent|2026-12-08T09:00:00Z
4|20006|sms|+4748977056|sent|2026-12-08T09:00:00Z" \
    "$(sql "SELECT r.id, c.key, r.channel, r.address, r.status, r.expires FROM requests r JOIN customers c ON c.id = r.customer ORDER BY r.id")"

# ---- day 0, 18:30: a yes and a no, in the browser -------------------------

day 2026-12-01T18:30:00Z
stop_landing
start_landing
set_api_url
browse "$(relink "$ase")"
sed -n '/^status:/p; /^lang:/p; /^checkbox:/p; /^scripts:/p; /^width-overflow:/p' \
    "$T/browser.out" >page.txt
same_text "Åse's page: Norwegian, one unticked box, no script, fits a phone" \
"status: 200
lang: nb
checkbox: [ ] Nyheter og tilbud på e-post og SMS
scripts: 0
width-overflow: no" page.txt
grep_ok "with the information text" \
    "Vi bruker dem bare til formålene du velger nedenfor" "$T/browser.out"
browse "$(relink "$ase")" "tick:Nyheter og tilbud på e-post og SMS" submit
is "Åse ticks and saves" "status: 200" "$(grep '^status:' "$T/browser.out")"
browse "$(relink "$per")"
is "Per's page is in Swedish" "lang: sv
checkbox: [ ] Nyheter och erbjudanden via e-post och SMS" \
    "$(sed -n '/^lang:/p; /^checkbox:/p' "$T/browser.out")"
browse "$(relink "$per")" submit
is "Per saves with the box empty" "status: 200" "$(grep '^status:' "$T/browser.out")"

day 2026-12-01T18:45:00Z
recipe_gives "block 6: consent-sync brings the yes home; the no changes nothing" 0 \
"id,purpose,old,new,at,source
20001,emarketing,denied,granted,2026-12-01T18:30:00Z,landing" 6
recipe_gives "block 6 again: the same answers change nothing" 0 \
    "id,purpose,old,new,at,source" 6
is "the requests: approved, denied, and two open" \
    "approved denied sent sent" \
    "$(sql "SELECT group_concat(status, ' ') FROM (SELECT status FROM requests ORDER BY id)")"
is "Åse's evidence is the browser's answer" "1" \
    "$(sql "SELECT count(*) FROM events WHERE customer = '20001' AND purpose = 'emarketing' AND new = 'granted' AND source = 'landing' AND evidence LIKE 'landing answer 1 to request 1 at 2026-12-01T18:30:00Z from 127.0.0.1, %HeadlessChrome%; text sha256 %'")"
recipe_gives "block 7: where each customer stands" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
20001,emarketing,granted,consent,landing,2026-12-01T18:30:00Z,1,approved,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
20002,emarketing,denied,consent,import,2026-12-01T08:00:00Z,2,denied,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
20003,emarketing,denied,consent,import,2026-12-01T08:00:00Z,3,sent,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
20004,emarketing,denied,consent,import,2026-12-01T08:00:00Z,,,,
20005,emarketing,denied,consent,import,2026-12-01T08:00:00Z,,,,
20006,emarketing,denied,consent,import,2026-12-01T08:00:00Z,4,sent,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
20007,emarketing,denied,consent,import,2026-12-01T08:00:00Z,,,," 7

# ---- day 2: the round again sends nothing ---------------------------------

day 2026-12-02T09:00:00Z
# Åse is granted now, so not missing; Grete's last contact (01.12.2021) is
# more than 5 years before today; Per and Kari are skipped.
check "block 5 again, the next day" run_recipe "$W" 5
same_text "those asked and still selected are skipped, saying why" \
'id,request,channel,status,detail
20002,2,sms,skipped,request 2 ended: denied (--again asks again)
20003,3,sms,skipped,request 3 is open (sent)' sms-runde.csv
is "no SMS more, no e-mail" "4 0" "$(smses) $(mails)"

# ---- day 3: the counter ---------------------------------------------------

day 2026-12-03T11:00:00Z
cat >"$T/bin/lp" <<X
#!/bin/sh
# a stand-in printer: keeps what it was given
cp "\$1" "$T/printed.pdf"
X
chmod 755 "$T/bin/lp"
OLDPATH=$PATH
PATH=$T/bin:$PATH
run_recipe "$W" 8
is "block 8: the form is printed, exit 0" "0" "$?"
PATH=$OLDPATH
is "the summary" "consent-request: 1 printed, 0 queued, 0 errors, 0 skipped" \
    "$(cat "$T/err")"
same_text "skjema.csv: her form is page 1" \
"id,request,channel,status,detail
20003,5,paper,sent,page 1" skjema.csv
check "lp got skjema.pdf" cmp skjema.pdf printed.pdf
is "one page" "Pages:           1" "$(pdfinfo skjema.pdf 2>/dev/null | grep '^Pages:')"
pdftotext skjema.pdf form.txt 2>/dev/null
grep_ok "the form holds her name" "Kari Bråten" form.txt
grep_ok "and her customer number" "20003" form.txt
grep_ok "and the purpose" "Nyheter og tilbud på e-post og SMS" form.txt
form_link=$(tr -d '\n' <form.txt | grep -o 'https://samtykke\.bilhusetnord\.no/c/[A-Za-z0-9_-]\{39\}' | head -1)
gives "its link verifies: request 5, 7 days from now" 0 \
    "r 5 2026-12-10T11:00:00Z 2 nb" \
    sh -c "printf '%s\n' '$form_link' | '$TOOLS/token-verify' secrets/landing-secret"
is "the SMS request is superseded" "cancelled|superseded by request 5" \
    "$(sql "SELECT status, detail FROM requests WHERE id = 3")"

day 2026-12-03T11:10:00Z
check "block 9: the office records the signed form" run_recipe "$W" 9
gives "her consent: granted on paper; the form's request stays sent" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
20003,emarketing,granted,consent,paper,2026-12-03T11:10:00Z,5,sent,2026-12-03T11:00:00Z,2026-12-10T11:00:00Z" \
    consent-log --status -p emarketing 20003
run consent-log -p emarketing 20003
is "the audit event of the form" \
    "20003,2026-12-03T11:10:00Z,kontor,consent-import,emarketing,denied,granted,consent,paper,\"signed form at the counter, binder 2026-12\"" \
    "$(tail -1 "$T/out")"

# She then also taps the SMS link of day 0 and says no there.
day 2026-12-03T11:20:00Z
stop_landing
start_landing
set_api_url
browse "$(relink "$kari")" submit
is "the superseded link still shows a page (the service does not know)" \
    "status: 200" "$(grep '^status:' "$T/browser.out")"
day 2026-12-03T11:30:00Z
gives "consent-sync refuses the answer to the cancelled request" 1 \
    "id,purpose,old,new,at,source" consent-sync
grep_ok "saying why" "it is cancelled" "$T/err"
is "her signed yes stands" "granted|paper" \
    "$(sql "SELECT c.state, c.source FROM consents c JOIN customers u ON u.id = c.customer JOIN purposes p ON p.id = c.purpose WHERE u.key = '20003' AND p.name = 'emarketing'")"

# ---- the crontab ----------------------------------------------------------

recipe "$W" "$CRON" >crontab.txt
is "the crontab: an environment line and three jobs" "4" \
    "$(grep -c . crontab.txt)"
is "every line is an assignment, @reboot or five time fields and a command" "" \
    "$(grep -v -E -e '^[A-Z_]+=[^ ]+$' \
        -e '^@reboot[[:space:]]+[^[:space:]]' \
        -e '^([0-9*/,-]+[[:space:]]+){5}[a-z]' crontab.txt)"
is "the store it names is the one of the recipe's prose" \
    "CONSENT_DB=/var/lib/consent/consent.db" "$(head -1 crontab.txt)"
is "@reboot starts the landing service as block 4 does" \
    "$(recipe "$W" 4 | sed 's/ &$//')" \
    "$(sed -n 's/^@reboot[[:space:]]*//p' crontab.txt)"
is "the sync job is block 6's command" "consent-sync" \
    "$(cron_command consent-sync | awk '{ print $1 }')"

# ---- day 5: the reminder (cron) -------------------------------------------

day 2026-12-05T10:00:00Z
run_cron "consent-request --remind"
is "the crontab's reminder line exits 0" "0" "$?"
is "one reminder, to Grete only" "5 +4748977056" "$(smses) $(sms_field 5 to)"
is "it says so, with the same link" \
    "Påminnelse: Hei Grete Sandvik! Bilhuset Nord AS ber om ditt samtykke til: Nyheter og tilbud på e-post og SMS. Svar her: $grete" \
    "$(sms_field 5 text)"
is "its row in remind.csv" "20006,4,sms,reminded" \
    "$(sed -n 2p log/remind.csv | cut -d, -f1-4)"
is "nothing else in it" "2" "$(wc -l <log/remind.csv | tr -d ' ')"

# ---- day 8: expiry (cron) and the campaign list ---------------------------

day 2026-12-08T10:00:00Z
run_cron "consent-sync"
is "the crontab's sync line exits 0" "0" "$?"
same_text "expiry changes no consent: they were denied since day 0" \
    "id,purpose,old,new,at,source" log/changes.csv
is "Grete's request expired, the form's still sent" \
    "1|approved 2|denied 3|cancelled 4|expired 5|sent" \
    "$(sql "SELECT group_concat(id || '|' || status, ' ') FROM (SELECT id, status FROM requests ORDER BY id)")"
is "Grete: still denied since the switch-over" \
    "20006,emarketing,denied,consent,import,2026-12-01T08:00:00Z,4,expired" \
    "$(consent-log --status -p emarketing 20006 | sed -n 2p | cut -d, -f1-8)"

day 2026-12-08T10:30:00Z
check "block 10: the campaign list" run_recipe "$W" 10
sed -n '1p;2p;4p' kunder.csv >want.csv
check_same "kampanje.csv: the export's rows of the two who said yes, byte for byte" \
    want.csv kampanje.csv
is "in Windows-1252 with CRLF, as exported" \
    "Kundenr;Navn;E-post;Mobil;Språk;Sist kontakt
20001;Ørnulfsdottir, Åse;ase.ornulfsdottir@gmail.com;912 34 567;nb;14.03.2025
20003;Kari Bråten;;476 82 329;nb;21.09.2023" \
    "$(iconv -f CP1252 -t UTF-8 kampanje.csv | tr -d '\r')"
is "CRLF" "3" "$(grep -c "$(printf '\r')\$" kampanje.csv)"

# ---- day 10: the form's request expires; her yes stands -------------------

day 2026-12-10T12:00:00Z
run_cron "consent-sync"
same_text "no change (the job's log: a header per run)" \
"id,purpose,old,new,at,source
id,purpose,old,new,at,source" log/changes.csv
is "the form's request expired" "expired" "$(sql "SELECT status FROM requests WHERE id = 5")"
is "Kari still granted, on paper" \
    "20003,emarketing,granted,consent,paper,2026-12-03T11:10:00Z,5,expired" \
    "$(consent-log --status -p emarketing 20003 | sed -n 2p | cut -d, -f1-8)"
check "block 10 again" run_recipe "$W" 10
check_same "the campaign list is the same" want.csv kampanje.csv
check "the audit chain is intact" consent-log --verify

done_testing
