#!/bin/sh
# The workflow "Ask, remind, expire" of consent(7), run as a reader copies
# it: the configuration and the secrets of the recipe, the register from
# the invoicing program (cp1252, ';', CRLF), then day by day with
# CONSENT_NOW: nobody is asked before the information text is written;
# requests queued in office hours (e-mail first, SMS without e-mail, an
# error without either), sent by the evening cron job through a real SMTP
# server (with the login of the recipe's password file) and the SMS
# gateway stand-in; answers in headless Chromium (a yes by e-mail, a no by
# SMS) brought home by consent-sync; no reminder before 4 days, one
# reminder after, with the same link, never twice; expiry after 7 days
# (denied, request expired, the link 410); the office: a request called
# off (the answer that comes later is reported and not applied), a yes on
# the phone, a consent taken back, asking again only with --again; the
# register's consent column (consent-log --status), the audit chain, and
# the crontab lines.
. "${0%/*}/lib.sh"
. "$TOP/tests/workflow.sh"	# lib.sh went to $T: ${0%/*} may be relative

W="Ask, remind, expire"

# ---- helpers of this test ----

# start_smtp_auth USER:PASS: the SMTP server of workflow.sh, requiring
# that login (the recipe's [smtp] user and password_file).
start_smtp_auth() {
	start_server mail smtp-server.py --auth "$1"
	SMTP=$PORT
}

# conf: the recipe's configuration, with what must differ on loopback: the
# ports of the servers (plain SMTP there: no certificate for
# smtp.elektrosaether.no), and the landing database in $T.
conf() {
	recipe "$W" 1 | sed \
	    -e "s#^url = smtp://smtp\.elektrosaether\.no:587\$#url = smtp://127.0.0.1:$SMTP\\
starttls = no#" \
	    -e "s#^url = https://sms\.example\.no/#url = http://127.0.0.1:$SMS/#" \
	    -e "s#^api_url = http://127\.0\.0\.1:8080/\$#api_url = http://127.0.0.1:${LANDING:-1}/#" \
	    -e "s#^db = /var/lib/consent/landing\.db\$#db = landing.db#" \
	    >"$T/consent.conf"
}

# at TIME: the clock of the tools is TIME from now on; the landing
# service is started anew to see it (it reads CONSENT_NOW at start).
at() {
	CONSENT_NOW=$1
	export CONSENT_NOW
	stop_landing
	start_landing
	conf
}

# step N: run block N of the recipe; its status is returned.
step() {
	run_recipe "$W" "$1"
}

# block_ok NAME CODE N: block N exits CODE.
block_ok() {
	step "$3"
	_b=$?
	if [ "$_b" -eq "$2" ]; then _ok "$1"; else _not_ok "$1" "block $3 exited $_b, not $2" "$(cat "$T/recipe.sh")"; fi
}

# rows FILE: a CSV without its detail column (the servers' answers vary).
rows() {
	mlr --icsv --ocsv --allow-ragged-csv-input cut -o -f \
	    id,request,channel,status "$1"
}

detail() {
	mlr --icsv --onidx --ifs , filter '$id == "'"$2"'"' then cut -f detail "$1"
}

# state KEY: the emarketing consent of a customer, as state|source|at.
state() {
	sql "SELECT state || '|' || source || '|' || at FROM consents
	     WHERE customer = (SELECT id FROM customers WHERE key = '$1')
	     AND purpose = (SELECT id FROM purposes WHERE name = 'emarketing')"
}

# requests: the store's requests, one line each.
requests() {
	sql "SELECT r.id, c.key, coalesce(r.channel, ''), r.status,
	     coalesce(r.address, ''), coalesce(r.sent, ''), coalesce(r.expires, '')
	     FROM requests r JOIN customers c ON c.id = r.customer ORDER BY r.id"
}

# mail_to ADDRESS: how many messages the SMTP server got for ADDRESS.
mail_to() {
	_c=0
	for _j in "$T"/mail/*.json; do
		[ -e "$_j" ] || continue
		"$PY" -c 'import json, sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1]))["rcpt_tos"] else 1)' "$_j" "$1" && _c=$((_c + 1))
	done
	echo $_c
}

# sms_to NUMBER: how many SMS the gateway got for NUMBER.
sms_to() {
	_c=0
	for _j in "$T"/sms/*.json; do
		[ -e "$_j" ] || continue
		"$PY" -c 'import json, sys; sys.exit(0 if (json.load(open(sys.argv[1]))["form"] or {}).get("to") == sys.argv[2] else 1)' "$_j" "$1" && _c=$((_c + 1))
	done
	echo $_c
}

# subject N: the decoded subject of the Nth message the server got.
subject() {
	"$PY" "$TOP/tests/tools/mail-show.py" "$(printf '%s/mail/%06d.eml' "$T" "$1")" |
	    sed -n 's/^subject: //p'
}

# link_in_mail N, link_in_sms N: the link in the Nth message that arrived.
link_in_mail() {
	"$PY" "$TOP/tests/tools/mail-show.py" "$(printf '%s/mail/%06d.eml' "$T" "$1")" |
	    grep -o 'https\{0,1\}://[^ ]*/c/[A-Za-z0-9_-]*' | head -1
}

link_in_sms() {
	"$PY" -c 'import json, sys; print((json.load(open(sys.argv[1]))["form"] or {}).get("text", ""))' \
	    "$(printf '%s/sms/%06d.json' "$T" "$1")" |
	    grep -o 'https\{0,1\}://[^ ]*/c/[A-Za-z0-9_-]*' | head -1
}

# verify LINK: what the landing secret says of the link's token.
verify() {
	printf '%s\n' "$1" | "$TOOLS/token-verify" "$T/secrets/landing-secret"
}

# page: the lines of browser.out that a test compares.
page() {
	sed -n '/^status:/p; /^lang:/p; /^checkbox:/p; /^scripts:/p; /^width-overflow:/p' "$T/browser.out"
}

# ---- the configuration and the secrets ----

is "the recipe has 14 blocks" "14" "$("$PY" "$TOP/tests/tools/man-script.py" "$WORKFLOW_MAN" "$W")"
recipe "$W" 2 | sed "s#/etc/consent#$T#" >"$T/secrets.sh"
(cd "$T" && sh -e secrets.sh) >"$T/out" 2>"$T/err"
is "the secrets are made (block 2)" "0" "$?"
is "readable by their owner only" \
    "-rw------- -rw------- -rw------- -rw-------" \
    "$(cd secrets && ls -l landing-api-key landing-secret sms-key smtp-password | cut -c1-10 | tr '\n' ' ' | sed 's/ $//')"
is "the landing secret is 32 bytes in base64" "45" "$(wc -c <secrets/landing-secret | tr -d ' ')"
start_smtp_auth "post@elektrosaether.no:$(cat secrets/smtp-password)"
start_sms --key "$(cat secrets/sms-key)"
LANDING=
conf
export CONSENT_CONFIG="$T/consent.conf"
is "the configuration keeps the recipe's keys" \
    "$(recipe "$W" 1 | grep -c '=')" \
    "$(grep -v '^starttls = no$' consent.conf | grep -c '=')"

# ---- the register ----

# kunder.csv as the invoicing program writes it: Windows-1252, ';', CRLF,
# dd.mm.yyyy.  903 has neither e-mail nor mobile, 902 and 905 a mobile
# only, 902 is Swedish, 904 has no language, 908 was last invoiced in 2019.
register() {
	excel_export "$T/kunder.csv" \
	    'Kundenr;Navn;E-post;Mobil;Språk;Fakturert' \
	    '901;Åse Bråten;ase.braten@example.no;912 34 567;nb;14.11.2026' \
	    '902;Per Söderberg;;+46 70 123 45 67;sv;03.10.2026' \
	    "903;Nils Ødegård;$1;;nb;22.06.2025" \
	    '904;Kari Nordmann;kari.nordmann@example.no;;;02.02.2024' \
	    '905;Jørgen Hæstad;;48 12 34 56;nb;30.09.2026' \
	    '906;Marte Lie Økland;marte@example.no;998 87 766;nb;11.11.2026' \
	    '907;Eva Ås;eva.as@example.no;;nb;15.08.2023' \
	    '908;Ola Gammelsæter;ola@example.no;;nb;12.03.2019'
}
register ""
export CONSENT_NOW=2026-12-01T08:00:00Z
block_ok "the register is imported (block 3)" 0 3
grep_ok "the summary: 8 new" "read 8, new 8," "$T/err"
same_text "the store holds the register, in UTF-8 and E.164" \
"901|Åse Bråten|ase.braten@example.no|+4791234567|nb|2026-11-14
902|Per Söderberg||+46701234567|sv|2026-10-03
903|Nils Ødegård|||nb|2025-06-22
904|Kari Nordmann|kari.nordmann@example.no|||2024-02-02
905|Jørgen Hæstad||+4748123456|nb|2026-09-30
906|Marte Lie Økland|marte@example.no|+4799887766|nb|2026-11-11
907|Eva Ås|eva.as@example.no||nb|2023-08-15
908|Ola Gammelsæter|ola@example.no||nb|2019-03-12" \
    "$(sql "SELECT key, name, coalesce(email, ''), coalesce(mobile, ''), coalesce(lang, ''), coalesce(last_contact, '') FROM customers ORDER BY key" >cust.txt; echo cust.txt)"
is "nobody's marketing consent is recorded" "0" \
    "$(sql "SELECT count(*) FROM consents WHERE purpose = (SELECT id FROM purposes WHERE name = 'emarketing')")"

# ---- day 1, before the information text is written: nobody is asked ----

export CONSENT_NOW=2026-12-01T10:00:00Z
awk '/^info\./ { s = 1; next } s && (/^[ \t]/ || /^$/) { next } { s = 0; print }' \
    consent.conf >noinfo.conf
is "the configuration without its information texts" "0" "$(grep -c 'info\.\|Fjordgata' noinfo.conf)"
CONSENT_CONFIG="$T/noinfo.conf" step 4
is "consent-request refuses to start: exit 2" "2" "$?"
same_text "it names the customer and the key" \
    "consent-request: 901: no information text ([company] info.nb)" "$T/err"
is "no rows" "0" "$(wc -c <spurt.csv | tr -d ' ')"
is "nothing stored: no request" "0" "$(sql 'SELECT count(*) FROM requests')"
is "and no request event" "0" "$(sql 'SELECT count(*) FROM events WHERE request IS NOT NULL')"

# Without [sms], a customer with a mobile number only cannot be asked by
# message (tried on a copy of the store).
sql ".backup nosms.db"
awk '/^\[sms\]/ { s = 1; next } /^\[/ { s = 0 } !s' consent.conf >nosms.conf
is "the configuration without [sms]" "0" "$(grep -c 'sms\.example\|127\.0\.0\.1:'"$SMS" nosms.conf)"
gives "without [sms], e-mail or an error" 1 \
"id,request,channel,status,detail
901,1,email,queued,
902,2,,error,\"no e-mail address, and no [sms] gateway for the mobile number\"" \
    sh -c 'printf "id\n901\n902\n" | consent-request --db nosms.db --config nosms.conf -p emarketing --queue'
is "the store itself is untouched" "0" "$(sql 'SELECT count(*) FROM requests')"

# ---- day 1, office hours: the requests are queued ----

step 4
is "queued; the customer without an address is an error: exit 1" "1" "$?"
same_text "the rows kept in spurt.csv" \
"id,request,channel,status,detail
901,1,email,queued,
902,2,sms,queued,
903,3,,error,no e-mail address or mobile number
904,4,email,queued,
905,5,sms,queued,
906,6,email,queued,
907,7,email,queued," spurt.csv
grep_ok "the summary" "consent-request: 0 sent, 6 queued, 1 error, 0 skipped" "$T/err"
is "908, last invoiced in 2019, is not asked" "0" \
    "$(sql "SELECT count(*) FROM requests WHERE customer = (SELECT id FROM customers WHERE key = '908')")"
same_text "the store's requests: queued with their channel and address" \
"1|901|email|queued|ase.braten@example.no||
2|902|sms|queued|+46701234567||
3|903||error|||
4|904|email|queued|kari.nordmann@example.no||
5|905|sms|queued|+4748123456||
6|906|email|queued|marte@example.no||
7|907|email|queued|eva.as@example.no||" "$(requests >req.txt; echo req.txt)"
is "nothing is sent yet" "0 0" "$(mails) $(smses)"
gives "consent-log --status shows them queued" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
901,emarketing,unknown,,,,1,queued,,
902,emarketing,unknown,,,,2,queued,,
903,emarketing,unknown,,,,3,error,,
908,emarketing,unknown,,,,,,," consent-log --status -p emarketing 901 902 903 908

# ---- day 1, 17:00: cron sends them ----

at 2026-12-01T17:00:00Z
step 5
is "--send-queued: exit 0" "0" "$?"
rows out >sent.csv
same_text "sent: e-mail to those with an address, SMS to those with a mobile only" \
"id,request,channel,status
901,1,email,sent
902,2,sms,sent
904,4,email,sent
905,5,sms,sent
906,6,email,sent
907,7,email,sent" sent.csv
is "the SMS rows keep the gateway's answer" \
    '2 segments GSM-7; HTTP 200: {"id": 1}|2 segments GSM-7; HTTP 200: {"id": 2}' \
    "$(detail out 902)|$(detail out 905)"
is "4 mails and 2 SMS arrived" "4 2" "$(mails) $(smses)"
is "one mail each to those with an e-mail address" "1 1 1 1 0" \
    "$(mail_to ase.braten@example.no) $(mail_to kari.nordmann@example.no) $(mail_to marte@example.no) $(mail_to eva.as@example.no) $(mail_to ola@example.no)"
is "one SMS each to those with a mobile only, none to 901 and 906" "1 1 0 0" \
    "$(sms_to +46701234567) $(sms_to +4748123456) $(sms_to +4791234567) $(sms_to +4799887766)"
is "the mails were sent with the recipe's login" "post@elektrosaether.no" \
    "$("$PY" -c 'import json, sys; print(" ".join(sorted(set(json.load(open(f))["auth_user"] for f in sys.argv[1:]))))' mail/*.json)"
is "the gateway got the recipe's key" "Bearer the key of the SMS gateway" \
    "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["headers"]["authorization"])' sms/000001.json)"
ase=$(mail_link ase.braten@example.no)
per=$(sms_link +46701234567)
kari=$(mail_link kari.nordmann@example.no)
jorgen=$(sms_link +4748123456)
marte=$(mail_link marte@example.no)
eva=$(mail_link eva.as@example.no)
is "the links are the public address's" "yes" \
    "$(case $ase in https://samtykke.elektrosaether.no/c/*) echo yes ;; *) echo "no: $ase" ;; esac)"
same_text "each link verifies: its request, 7 days after sending, emarketing, the language" \
"r 1 2026-12-08T17:00:00Z 2 nb
r 2 2026-12-08T17:00:00Z 2 sv
r 4 2026-12-08T17:00:00Z 2 nb
r 5 2026-12-08T17:00:00Z 2 nb
r 6 2026-12-08T17:00:00Z 2 nb
r 7 2026-12-08T17:00:00Z 2 nb" "$(printf '%s\n' "$ase" "$per" "$kari" "$jorgen" "$marte" "$eva" |
    "$TOOLS/token-verify" secrets/landing-secret >links.txt; echo links.txt)"
"$PY" "$TOP/tests/tools/mail-show.py" mail/000001.eml >first.txt
grep_ok "the mail is well formed" "form: ok" first.txt
grep_ok "to Åse by name" "to: Åse Bråten <ase.braten@example.no>" first.txt
grep_ok "from the company" "from: Elektro Sæther AS <post@elektrosaether.no>" first.txt
grep_ok "the purpose's title in the mail" "Tilbud og nyheter på e-post og SMS" first.txt
grep_ok "the privacy policy linked from the built-in text" \
    "Personvernerklæring: https://www.elektrosaether.no/personvern" first.txt
is "the SMS to Per is in Swedish" "yes" \
    "$("$PY" -c 'import json, sys; t = json.load(open(sys.argv[1]))["form"]["text"]; print("yes" if "samtycke" in t and "Erbjudanden" in t else t)' sms/000001.json)"
same_text "the store: sent, and expiring in 7 days" \
"1|901|email|sent|ase.braten@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
2|902|sms|sent|+46701234567|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
3|903||error|||
4|904|email|sent|kari.nordmann@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
5|905|sms|sent|+4748123456|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
6|906|email|sent|marte@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
7|907|email|sent|eva.as@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z" "$(requests >req.txt; echo req.txt)"
gives "a second --send-queued has nothing to send" 0 \
    "id,request,channel,status,detail" consent-request --send-queued
is "nothing more arrived" "4 2" "$(mails) $(smses)"

# ---- day 1, evening: Åse says yes in the browser ----

at 2026-12-01T19:30:00Z
browse "$(relink "$ase")"
same_text "her page: Norwegian, one unticked box, no script, fits a phone" \
"status: 200
lang: nb
checkbox: [ ] Tilbud og nyheter på e-post og SMS
scripts: 0
width-overflow: no" "$(page >p.txt; echo p.txt)"
grep_ok "the information text is on the page" \
    "Elektro Sæther AS, Fjordgata 12, 6100 Volda, behandler" "$T/browser.out"
browse "$(relink "$ase")" "tick:Tilbud og nyheter på e-post og SMS" submit
is "the answer is taken" "status: 200" "$(grep '^status:' browser.out)"
export CONSENT_NOW=2026-12-01T19:40:00Z
step 6
is "consent-sync (block 6): exit 0" "0" "$?"
same_text "her yes comes home" \
"id,purpose,old,new,at,source
901,emarketing,unknown,granted,2026-12-01T19:30:00Z,landing" "$T/out"
is "her request is approved" "approved" "$(sql 'SELECT status FROM requests WHERE id = 1')"

# ---- day 2, morning: Per says no on his phone, Marte yes ----

at 2026-12-02T07:45:00Z
browse --width 360 "$(relink "$per")"
same_text "Per's page from the SMS link: Swedish" \
"status: 200
lang: sv
checkbox: [ ] Erbjudanden och nyheter via e-post och sms
scripts: 0
width-overflow: no" "$(page >p.txt; echo p.txt)"
grep_ok "with the Swedish information text" \
    "behandlar namn, e-post och mobilnummer" "$T/browser.out"
browse --width 360 "$(relink "$per")" submit
is "his no is taken" "status: 200" "$(grep '^status:' browser.out)"
browse "$(relink "$marte")" "tick:Tilbud og nyheter på e-post og SMS" submit
is "Marte's yes is taken" "status: 200" "$(grep '^status:' browser.out)"
export CONSENT_NOW=2026-12-02T07:50:00Z
step 6
is "consent-sync: exit 0" "0" "$?"
same_text "a no and a yes" \
"id,purpose,old,new,at,source
902,emarketing,unknown,denied,2026-12-02T07:45:00Z,landing
906,emarketing,unknown,granted,2026-12-02T07:45:00Z,landing" "$T/out"
is "requests 2 and 6: denied, approved" "denied approved" \
    "$(sql 'SELECT status FROM requests WHERE id = 2') $(sql 'SELECT status FROM requests WHERE id = 6')"
step 6
same_text "the same answers again change nothing" "id,purpose,old,new,at,source" "$T/out"

# ---- day 5: no reminder before 4 days ----

export CONSENT_NOW=2026-12-05T09:00:00Z
step 7
is "--remind (block 7) at 3 days 16 hours: exit 0" "0" "$?"
same_text "nobody is reminded yet" "id,request,channel,status,detail" "$T/out"
is "nothing arrived" "4 2" "$(mails) $(smses)"

# ---- day 6: one reminder for each unanswered request ----

export CONSENT_NOW=2026-12-06T09:00:00Z
step 7
is "--remind: exit 0" "0" "$?"
rows out >rem.csv
same_text "the three who have not answered are reminded, on their channel" \
"id,request,channel,status
904,4,email,reminded
905,5,sms,reminded
907,7,email,reminded" rem.csv
is "2 mails and 1 SMS more" "6 3" "$(mails) $(smses)"
is "to Kari, Eva and Jørgen" "2 2 2" \
    "$(mail_to kari.nordmann@example.no) $(mail_to eva.as@example.no) $(sms_to +4748123456)"
is "not to those who answered" "1 1 1" \
    "$(mail_to ase.braten@example.no) $(mail_to marte@example.no) $(sms_to +46701234567)"
is "the reminders (mails 5 and 6, SMS 3) carry the same links" "$kari $eva $jorgen" \
    "$(link_in_mail 5) $(link_in_mail 6) $(link_in_sms 3)"
is "the reminder's subject" \
    "Påminnelse: $(subject 2)" "$(subject 5)"
is "the reminder SMS" "yes" \
    "$("$PY" -c 'import json, sys; t = json.load(open(sys.argv[1]))["form"]["text"]; print("yes" if t.startswith("Påminnelse: ") else t)' sms/000003.json)"
is "the requests are still sent, with their reminded time" \
    "4|sent|2026-12-06T09:00:00Z 5|sent|2026-12-06T09:00:00Z 7|sent|2026-12-06T09:00:00Z" \
    "$(sql "SELECT group_concat(id || '|' || status || '|' || reminded, ' ') FROM (SELECT * FROM requests WHERE reminded IS NOT NULL ORDER BY id)")"
step 7
same_text "a second run the same morning sends none" "id,request,channel,status,detail" "$T/out"
export CONSENT_NOW=2026-12-07T09:00:00Z
step 7
same_text "nor does the next morning's" "id,request,channel,status,detail" "$T/out"
is "still 6 mails and 3 SMS" "6 3" "$(mails) $(smses)"

# ---- day 7: Jørgen phones from a new number; the old one answers ----

export CONSENT_NOW=2026-12-07T11:00:00Z
step 8
is "--cancel (block 8): exit 0" "0" "$?"
same_text "his open request is called off" \
"id,request,channel,status,detail
905,5,sms,cancelled," "$T/out"
is "request 5 is cancelled" "cancelled" "$(sql 'SELECT status FROM requests WHERE id = 5')"
step 8
same_text "cancelling again finds nothing open" \
"id,request,channel,status,detail
905,5,sms,skipped,no open request" "$T/out"
at 2026-12-07T12:00:00Z
browse --width 360 "$(relink "$jorgen")" "tick:Tilbud og nyheter på e-post og SMS" submit
is "the landing page takes the answer (it knows nothing of the cancel)" \
    "status: 200" "$(grep '^status:' browser.out)"
export CONSENT_NOW=2026-12-07T12:10:00Z
step 6
is "consent-sync reports the answer to a cancelled request: exit 1" "1" "$?"
same_text "and applies nothing" "id,purpose,old,new,at,source" "$T/out"
grep_ok "the warning names the request" "request 5" "$T/err"
grep_ok "and why" "it is cancelled" "$T/err"
is "Jørgen's consent is still not recorded" "" "$(state 905)"
is "his request is still cancelled" "cancelled" "$(sql 'SELECT status FROM requests WHERE id = 5')"
step 6
is "the refused answer is not fetched again: exit 0" "0" "$?"

# ---- day 8: a week without an answer is a no ----

export CONSENT_NOW=2026-12-08T16:50:00Z
step 6
same_text "ten minutes before the expiry, nothing expires yet" \
    "id,purpose,old,new,at,source" "$T/out"
is "Kari's and Eva's requests are still sent" "sent sent" \
    "$(sql 'SELECT status FROM requests WHERE id = 4') $(sql 'SELECT status FROM requests WHERE id = 7')"
export CONSENT_NOW=2026-12-08T17:00:00Z
step 6
is "consent-sync: exit 0" "0" "$?"
same_text "Kari and Eva: denied at the time of the expiry" \
"id,purpose,old,new,at,source
904,emarketing,unknown,denied,2026-12-08T17:00:00Z,email
907,emarketing,unknown,denied,2026-12-08T17:00:00Z,email" "$T/out"
grep_ok "the summary counts them" "2 requests expired" "$T/err"
same_text "the requests: approved, denied, error, expired, cancelled" \
"1|901|email|approved|ase.braten@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
2|902|sms|denied|+46701234567|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
3|903||error|||
4|904|email|expired|kari.nordmann@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
5|905|sms|cancelled|+4748123456|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
6|906|email|approved|marte@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z
7|907|email|expired|eva.as@example.no|2026-12-01T17:00:00Z|2026-12-08T17:00:00Z" "$(requests >req.txt; echo req.txt)"
at 2026-12-08T17:10:00Z
browse "$(relink "$kari")"
is "Kari's link has expired: 410" "status: 410" "$(grep '^status:' browser.out)"
is "with no form" "" "$(grep '^checkbox:' browser.out)"
gives "consent-log --status: denied, expired" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
904,emarketing,denied,consent,email,2026-12-08T17:00:00Z,4,expired,2026-12-01T17:00:00Z,2026-12-08T17:00:00Z
907,emarketing,denied,consent,email,2026-12-08T17:00:00Z,7,expired,2026-12-01T17:00:00Z,2026-12-08T17:00:00Z" \
    consent-log --status -p emarketing 904 907
step 6
same_text "expired once only" "id,purpose,old,new,at,source" "$T/out"
export CONSENT_NOW=2026-12-09T09:00:00Z
step 7
same_text "no reminder for what expired" "id,request,channel,status,detail" "$T/out"

# ---- day 9: the office ----

export CONSENT_NOW=2026-12-09T09:05:00Z
block_ok "Kari phones and says yes (block 9)" 0 9
is "granted, from the phone, dated now" \
    "granted|phone|2026-12-09T09:05:00Z" "$(state 904)"
consent-log -p emarketing 904 >kari.log
is "the audit event keeps the evidence" \
    "904,2026-12-09T09:05:00Z,consent-import,emarketing,denied,granted,consent,phone,\"phoned 9.12.2026, yes to offers (Lise)\"" \
    "$(mlr --icsv --ocsv --headerless-csv-output tail -n 1 then cut -o -f id,at,tool,purpose,old,new,basis,source,evidence kari.log)"
export CONSENT_NOW=2026-12-09T09:10:00Z
block_ok "Marte phones and takes her yes back (block 10)" 0 10
is "withdrawn, from the phone" "withdrawn|phone|2026-12-09T09:10:00Z" "$(state 906)"
consent-log -p emarketing 906 >marte.log
is "her history: granted on the landing page, withdrawn on the phone" \
"emarketing,unknown,granted,landing
emarketing,granted,withdrawn,phone" \
    "$(mlr --icsv --ocsv --headerless-csv-output filter '$old =~ "^(unknown|granted|denied|withdrawn)$"' then cut -o -f purpose,old,new,source marte.log)"
export CONSENT_NOW=2026-12-09T09:15:00Z
step 11
is "asking without --again (block 11): exit 0" "0" "$?"
same_text "an error and an expiry bar asking again" \
"id,request,channel,status,detail
903,3,,skipped,request 3 ended: error (--again asks again)
907,7,email,skipped,request 7 ended: expired (--again asks again)" "$T/out"
printf 'id\n902\n' | consent-request -p emarketing >per.csv 2>/dev/null
same_text "so does a no" \
"id,request,channel,status,detail
902,2,sms,skipped,request 2 ended: denied (--again asks again)" per.csv
is "nothing was stored or sent" "7 6 3" "$(sql 'SELECT count(*) FROM requests') $(mails) $(smses)"

# Nils comes by the shop with his e-mail address; the next export has it.
register nils.odegard@example.no
block_ok "the new export is imported (block 3)" 0 3
is "Nils has an e-mail address" "nils.odegard@example.no" \
    "$(sql "SELECT email FROM customers WHERE key = '903'")"
is "and the import left the consents as they were" \
    "granted|phone|2026-12-09T09:05:00Z withdrawn|phone|2026-12-09T09:10:00Z" \
    "$(state 904) $(state 906)"
step 12
is "asking again with --again (block 12): exit 0" "0" "$?"
rows out >again.csv
same_text "new requests, sent at once" \
"id,request,channel,status
903,8,email,sent
907,9,email,sent" again.csv
is "2 more mails" "8 3" "$(mails) $(smses)"
is "Nils's first mail, Eva's third" "1 3" \
    "$(mail_to nils.odegard@example.no) $(mail_to eva.as@example.no)"
is "their links: the new requests, a week from now" \
    "r 8 2026-12-16T09:15:00Z 2 nb|r 9 2026-12-16T09:15:00Z 2 nb" \
    "$(verify "$(mail_link nils.odegard@example.no)")|$(verify "$(mail_link eva.as@example.no)")"
is "the old requests stay as history" "error expired" \
    "$(sql 'SELECT status FROM requests WHERE id = 3') $(sql 'SELECT status FROM requests WHERE id = 7')"

# ---- the register's consent column ----

export CONSENT_NOW=2026-12-09T10:00:00Z
step 13
is "consent-log --status (block 13): exit 0" "0" "$?"
same_text "one row per customer, with the newest request" \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
901,emarketing,granted,consent,landing,2026-12-01T19:30:00Z,1,approved,2026-12-01T17:00:00Z,2026-12-08T17:00:00Z
902,emarketing,denied,consent,landing,2026-12-02T07:45:00Z,2,denied,2026-12-01T17:00:00Z,2026-12-08T17:00:00Z
903,emarketing,unknown,,,,8,sent,2026-12-09T09:15:00Z,2026-12-16T09:15:00Z
904,emarketing,granted,consent,phone,2026-12-09T09:05:00Z,4,expired,2026-12-01T17:00:00Z,2026-12-08T17:00:00Z
905,emarketing,unknown,,,,5,cancelled,2026-12-01T17:00:00Z,2026-12-08T17:00:00Z
906,emarketing,withdrawn,consent,phone,2026-12-09T09:10:00Z,6,approved,2026-12-01T17:00:00Z,2026-12-08T17:00:00Z
907,emarketing,denied,consent,email,2026-12-08T17:00:00Z,9,sent,2026-12-09T09:15:00Z,2026-12-16T09:15:00Z
908,emarketing,unknown,,,,,,," "$T/out"
check "the audit chain verifies" consent-log --verify
gives "who may get marketing now: Åse and Kari" 0 \
"id
901
904" sh -c 'consent-filter --purpose emarketing --from-store | mlr --icsv --ocsv cut -f id'

# ---- the crontab ----

recipe "$W" 14 >crontab.txt
is "the crontab: a variable and three jobs" "4" "$(grep -c . crontab.txt)"
is "every line is a variable or five time fields and a command" "" \
    "$(grep -v -E '^[A-Z_]+=[^ ]+$|^([0-9*/,-]+[[:blank:]]+){5}consent-[a-z]+( --?[a-z-]+)*( >>/var/log/consent/[a-z]+\.csv)?$' crontab.txt)"
is "the store is the one the recipe names" "CONSENT_DB=/var/lib/consent/consent.db" \
    "$(grep '^CONSENT_DB=' crontab.txt)"
for n in 5 6 7; do
	c=$(recipe "$W" $n)
	is "cron runs block $n: $c" "1" \
	    "$(sed -E 's/^([^ ]+[[:blank:]]+){5}//; s/ >>.*//' crontab.txt | grep -c -x -F -- "$c")"
done
is "send-queued at five on weekdays, sync every ten minutes, reminders at nine" \
    "0 17 * * 1-5|*/10 * * * *|0 9 * * *" \
    "$(grep -v = crontab.txt | awk '{ print $1, $2, $3, $4, $5 }' | paste -sd '|')"

done_testing
