#!/bin/sh
# The workflow "Purposes with legal bases" of consent(7), as a reader
# copies it: a CRM export with a legal basis and a source per person;
# service granted on its default basis (contract) to every new customer;
# the newsletter subscription as a purpose of its own; the consent to
# e-mail marketing imported once per source; a request by e-mail through
# a real SMTP server, answered in headless Chromium on the landing page
# (the privacy policy linked from the mail and the page); the mailing
# list (e-marketing OR newsletter) and the lenient list (everyone except
# those who withdrew), with erased and restricted customers never on
# either; a withdrawal by phone and one on a second visit to the page;
# a purpose deactivated (history kept, never asked for, not shown on the
# page of an older request, selecting no one, still recorded on import
# with a warning); the night's re-import that must not resubscribe; the
# status of the register at the end, and the crontab lines.
. "${0%/*}/lib.sh"
. "$TOP/tests/workflow.sh"

S="Purposes with legal bases"
DEACTIVATED=no

# conf: the configuration of the recipe (block 2), with what must differ
# on loopback: the SMTP server's port (plain text, no login, no waiting
# between retries), the landing service's address, its database here;
# and, once the surveys end, the section of block 11 in place of its own.
conf() {
	recipe "$S" 2 | sed \
	    -e "s#^url = smtp://smtp\.nordlyskontor\.no:587\$#url = smtp://127.0.0.1:$SMTP\\
starttls = no\\
retry_wait = 0#" \
	    -e '/^user = post@nordlyskontor\.no$/d' \
	    -e '/^password_file = secrets\/smtp-password$/d' \
	    -e "s#^url = https://samtykke\.nordlyskontor\.no\$#url = http://127.0.0.1:$LANDING#" \
	    -e 's#^db = /var/lib/consent/landing\.db$#db = landing.db#' \
	    >"$T/conf.new"
	if [ "$DEACTIVATED" = yes ]; then
		recipe "$S" 11 >"$T/section.new"
		awk -v file="$T/section.new" '
		    /^\[purpose\.surveys\]$/ {
			while ((getline l < file) > 0) print l
			print ""; skip = 1; next }
		    /^\[/ { skip = 0 }
		    !skip { print }' "$T/conf.new" >"$T/conf.new2"
		mv "$T/conf.new2" "$T/conf.new"
	fi
	mv "$T/conf.new" "$T/consent.conf"
}

# rows KEY...: the header and the rows of kunder.csv of those customers,
# as they are in the file (CRLF and all), in the file's order.
rows() {
	awk -F';' -v keys=" $* " 'NR == 1 || index(keys, " " $1 " ")' kunder.csv
}

# list NAME FILE KEY...: FILE holds exactly those rows of kunder.csv.
list() {
	_l_name=$1 _l_file=$2
	shift 2
	rows "$@" >"$T/rows.want"
	check_same "$_l_name" "$T/rows.want" "$_l_file"
}

# consents: the consents in the store, one line each.
consents() {
	sql "SELECT c.key, p.name, s.state, s.basis, s.source
	    FROM consents s JOIN customers c ON c.id = s.customer
	    JOIN purposes p ON p.id = s.purpose ORDER BY c.key, p.id"
}

# body ADDRESS: the newest mail to ADDRESS as mail-show.py shows it.
body() {
	for _j in $(ls "$T"/mail/*.json 2>/dev/null | sort -r); do
		if "$PY" -c 'import json, sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1]))["rcpt_tos"] else 1)' "$_j" "$1"; then
			"$PY" "$TOP/tests/tools/mail-show.py" "${_j%.json}.eml"
			return
		fi
	done
}

# page: the lines of the page shown in browser.out that tell its form.
page() {
	sed -n '/^status:/p; /^lang:/p; /^checkbox:/p; /^scripts:/p' "$T/browser.out"
}

# day TIME: the clock at TIME, for the tools and for the landing service
# (which reads CONSENT_NOW and the configuration when it starts: it is
# started again, on a new port, and the configuration follows).
day() {
	export CONSENT_NOW="$1"
	stop_landing
	conf
	start_landing
	conf
}

export CONSENT_CONFIG="$T/consent.conf"
export CONSENT_NOW=2026-12-01T08:00:00Z

# ---- the register, the configuration, the secrets ----

printf '%s\r\n' \
    'Kundenr;Navn;E-post;Mobil;Språk;Sist kontakt;Siste faktura;E-markedsføring;Kilde;Nyhetsbrev' \
    '1001;Åse Ødegård;ase@odegard.no;912 34 567;nb;12.11.2026;12.11.2026;ja;web-form;ja' \
    '1002;Bjørn Ærlig;bjorn.aerlig@fjordpost.no;;nb;03.10.2026;;nei;phone;' \
    '1003;Märta Söderström;marta@soderstrom.se;+46 70 123 45 67;sv;20.09.2026;;;;ja' \
    '1004;Kåre Løvås;;48 12 34 56;nb;01.06.2025;01.06.2025;ja;paper;' \
    '1005;Øystein Brå;oystein@bra.no;934 56 789;nb;15.11.2026;;;;' \
    '1006;Liv Fjære;liv.fjaere@epost.no;;nb;30.11.2026;;;;nei' \
    '1007;Jørn Åsheim;jorn@asheim.no;41 23 45 67;nb;02.11.2026;02.11.2026;ja;web-form;' \
    '1008;Siri Øverli;siri@overli.no;99 88 77 66;nb;14.03.2024;;ja;phone;ja' \
    >kunder.csv
recipe "$S" 1 >sample.txt
head -3 kunder.csv | tr -d '\r' >head.txt
check_same "the sample of consent(7) is the head of the export" head.txt sample.txt

SMTP=25 LANDING=8080
conf
is "the configuration is adapted to loopback" "3 1 1 0" \
    "$(grep -c -e '^url = smtp://127\.0\.0\.1:25$' -e '^url = http://127\.0\.0\.1:8080$' -e '^db = landing\.db$' consent.conf) $(grep -c '^starttls = no$' consent.conf) $(grep -c '^retry_wait = 0$' consent.conf) $(grep -c -e '^user = ' -e 'password_file' consent.conf)"
check "the secrets are made (block 3)" run_recipe "$S" 3
is "readable by the owner only" "-rw------- -rw------- -rw-------" \
    "$(ls -l secrets/landing-secret secrets/landing-api-key secrets/smtp-password | cut -c1-10 | tr '\n' ' ' | sed 's/ $//')"
start_landing
is "consent-landing started" "yes" "$([ -n "$LANDING" ] && echo yes || cat landing.err)"
start_smtp
conf

# ---- the night's import ----

check "the import runs (block 4)" run_recipe "$S" 4
is "quiet" "" "$(cat "$T/err")"
consents >c.txt
same_text "service granted to every new customer on its basis; the rest per source" \
"1001|service|granted|contract|import
1001|emarketing|granted|consent|web-form
1001|newsletter|granted|consent|web-form
1002|service|granted|contract|import
1002|emarketing|denied|consent|phone
1003|service|granted|contract|import
1003|newsletter|granted|consent|web-form
1004|service|granted|contract|import
1004|emarketing|granted|consent|paper
1005|service|granted|contract|import
1006|service|granted|contract|import
1006|newsletter|denied|consent|web-form
1007|service|granted|contract|import
1007|emarketing|granted|consent|web-form
1008|service|granted|contract|import
1008|emarketing|granted|consent|phone
1008|newsletter|granted|consent|web-form" c.txt
consent-log 1003 1004 | awk -F, 'NR > 1 { print $1 "|" $5 "|" $10 }' >ev.txt
same_text "the evidence names the export's line and cell" \
"1003|service|new customer
1003|newsletter|kunder.csv:4 Nyhetsbrev=ja
1004|service|new customer
1004|emarketing|kunder-paper.csv:5 E-markedsføring=ja" ev.txt
same_text "the master data: E.164 numbers, dates, the hold of the last invoice" \
"1001|Åse Ødegård|ase@odegard.no|+4791234567|nb|2026-11-12|2031-11-12
1002|Bjørn Ærlig|bjorn.aerlig@fjordpost.no||nb|2026-10-03|
1003|Märta Söderström|marta@soderstrom.se|+46701234567|sv|2026-09-20|
1004|Kåre Løvås||+4748123456|nb|2025-06-01|2030-06-01
1005|Øystein Brå|oystein@bra.no|+4793456789|nb|2026-11-15|
1006|Liv Fjære|liv.fjaere@epost.no||nb|2026-11-30|
1007|Jørn Åsheim|jorn@asheim.no|+4741234567|nb|2026-11-02|2031-11-02
1008|Siri Øverli|siri@overli.no|+4799887766|nb|2024-03-14|" \
    "$(sql 'SELECT key, name, email, mobile, lang, last_contact, hold_until FROM customers ORDER BY key' >m.txt; echo m.txt)"
is "the copies keep the export's lines" "9 9 9 9" \
    "$(for k in web-form paper phone portal; do wc -l <kunder-$k.csv; done | tr '\n' ' ' | sed 's/ $//')"
same_text "a copy empties the consent cells of the other sources" \
"Kundenr;Navn;E-post;Mobil;Språk;Sist kontakt;Siste faktura;E-markedsføring;Kilde;Nyhetsbrev
1001;Åse Ødegård;ase@odegard.no;912 34 567;nb;12.11.2026;12.11.2026;;web-form;ja
1002;Bjørn Ærlig;bjorn.aerlig@fjordpost.no;;nb;03.10.2026;;nei;phone;" \
    "$(head -3 kunder-phone.csv | tr -d '\r' >p.txt; echo p.txt)"

# ---- the request: e-mail marketing and the surveys ----

export CONSENT_NOW=2026-12-01T09:00:00Z
check "the request goes out (block 5)" run_recipe "$S" 5
cp "$T/out" request.out
same_text "those with an e-mail address whom nobody asked, by e-mail" \
"id,request,channel,status,detail
1003,1,email,sent,250 2.0.0 OK queued as 000001
1005,2,email,sent,250 2.0.0 OK queued as 000002
1006,3,email,sent,250 2.0.0 OK queued as 000003" request.out
is "three mails arrived" "3" "$(mails)"
# mailtext ADDRESS: the newest mail to ADDRESS, its link as LINK, without
# the Message-ID (random).
mailtext() {
	body "$1" | sed -e '/^message-id: /d' \
	    -e 's#http://127\.0\.0\.1:[0-9]*/c/[A-Za-z0-9_-]*#LINK#'
}
mailtext oystein@bra.no >oystein.mail
same_text "Øystein's mail: the purposes' titles, his link, the privacy policy" \
"form: ok
from: \"Nordlys Kontor AS\" <post@nordlyskontor.no>
to: Øystein Brå <oystein@bra.no>
subject: Nordlys Kontor AS: Vil du høre fra oss?
date: Tue, 01 Dec 2026 09:00:00 +0000
content-type: text/plain; charset=UTF-8
transfer-encoding: quoted-printable
Hei Øystein Brå,

Nordlys Kontor AS ber om ditt samtykke til: Nyheter og tilbud på e-post og SMS, Kundeundersøkelser.

Svar her:
LINK

Du velger selv, og du kan endre svaret når som helst via samme
lenke. Svarer du ikke, registrerer vi det som et nei.

Personvernerklæring: https://www.nordlyskontor.no/personvern

Vennlig hilsen
Nordlys Kontor AS
--" oystein.mail
mailtext marta@soderstrom.se >marta.mail
same_text "Märta's mail is in Swedish, with the policy too" \
"subject: Nordlys Kontor AS: Vill du höra från oss?
Nordlys Kontor AS ber om ditt samtycke till: Nyheter och erbjudanden via e-post och sms, Kundundersökningar.
Integritetspolicy: https://www.nordlyskontor.no/personvern" \
    "$(grep -e '^subject:' -e 'samtycke till' -e '^Integritetspolicy' marta.mail >m2.txt; echo m2.txt)"
grep_ok "Liv's mail links the policy" \
    "Personvernerklæring: https://www.nordlyskontor.no/personvern" \
    "$(mailtext liv.fjaere@epost.no >liv.mail; echo liv.mail)"
oystein=$(mail_link oystein@bra.no)
marta=$(mail_link marta@soderstrom.se)
liv=$(mail_link liv.fjaere@epost.no)
same_text "the links: requests 1 to 3, e-marketing and surveys (bits 1 and 5), 7 days" \
"r 1 2026-12-08T09:00:00Z 34 sv
r 2 2026-12-08T09:00:00Z 34 nb
r 3 2026-12-08T09:00:00Z 34 nb" \
    "$(printf '%s\n' "$marta" "$oystein" "$liv" | "$TOOLS/token-verify" secrets/landing-secret >tok.txt; echo tok.txt)"
same_text "the requests in the store" \
"1|1003|sent|email
2|1005|sent|email
3|1006|sent|email" \
    "$(sql 'SELECT r.id, c.key, r.status, r.channel FROM requests r JOIN customers c ON c.id = r.customer ORDER BY r.id' >rq.txt; echo rq.txt)"

# ---- the answers, in the browser ----

day 2026-12-02T10:00:00Z
oystein=$(relink "$oystein")
marta=$(relink "$marta")
browse "$oystein"
page >page.txt
same_text "Øystein's page: Norwegian, the two purposes unticked, no script" \
"status: 200
lang: nb
checkbox: [ ] Nyheter og tilbud på e-post og SMS
checkbox: [ ] Kundeundersøkelser
scripts: 0" page.txt
grep_ok "the information text is on the page" \
    "Nordlys Kontor AS, Sjøgata 12, 8006 Bodø, behandler navn," browser.out
grep_ok "and the link to the privacy policy" "Personvernerklæring" browser.out
curl -s "$oystein" >page.html
grep_ok "which leads to [company] policy_url" \
    '<a href="https://www.nordlyskontor.no/personvern">Personvernerklæring</a>' page.html
browse "$oystein" "tick:Nyheter og tilbud på e-post og SMS" "tick:Kundeundersøkelser" submit
is "Øystein says yes to both" "status: 200" "$(grep '^status:' browser.out)"
browse "$marta" submit
is "Märta says no, in Swedish" "status: 200 lang: sv" \
    "$(grep -e '^status:' -e '^lang:' browser.out | tr '\n' ' ' | sed 's/ $//')"

day 2026-12-02T10:15:00Z
check "the answers come home (block 6)" run_recipe "$S" 6
same_text "consent-sync prints the changes, source landing" \
"id,purpose,old,new,at,source
1005,emarketing,unknown,granted,2026-12-02T10:00:00Z,landing
1005,surveys,unknown,granted,2026-12-02T10:00:00Z,landing
1003,emarketing,unknown,denied,2026-12-02T10:00:00Z,landing
1003,surveys,unknown,denied,2026-12-02T10:00:00Z,landing" "$T/out"
same_text "the requests: approved, denied, Liv's still open" \
"1|denied
2|approved
3|sent" "$(sql 'SELECT id, status FROM requests ORDER BY id' >rq.txt; echo rq.txt)"

# ---- the mailing list and the lenient list ----

check "the mailing list (block 7)" run_recipe "$S" 7
list "e-marketing or the newsletter: the rows as exported" utsendelse.csv \
    1001 1003 1004 1005 1007 1008
check "the lenient list (block 8)" run_recipe "$S" 8
list "lenient: everyone, since nobody withdrew (a no is not a withdrawal)" \
    utsendelse-mild.csv 1001 1002 1003 1004 1005 1006 1007 1008

# ---- two customers ask to be forgotten ----

day 2026-12-03T09:00:00Z
check "the erasure (block 9)" run_recipe "$S" 9
same_text "one is restricted by the hold of her invoice, one erased" \
"id,action,detail
1007,restricted,until 2031-11-02
1008,erased," "$T/out"
run_recipe "$S" 7
list "neither is on the mailing list" utsendelse.csv 1001 1003 1004 1005
run_recipe "$S" 8
list "nor, with -v, on the lenient list" utsendelse-mild.csv \
    1001 1002 1003 1004 1005 1006
is "the store: Jørn restricted without consents, Siri gone" "restricted|0 0" \
    "$(sql "SELECT status, (SELECT count(*) FROM consents WHERE customer = c.id) FROM customers c WHERE key = '1007'") $(sql "SELECT count(*) FROM customers WHERE key = '1008'")"
gives "erased and restricted never pass -v, whatever the selector" 0 \
"$(rows 1002 1003 1006)" \
    consent-filter -v --purpose emarketing --map id=Kundenr,email=E-post,mobile=Mobil kunder.csv

# ---- withdrawals: Åse by phone, Øystein on the page ----

day 2026-12-04T09:00:00Z
check "Åse's call is recorded (block 10)" run_recipe "$S" 10
is "as a withdrawal by phone, dated, with the evidence" \
    "withdrawn|consent|phone|2026-12-04T09:00:00Z|1|called 2026-12-04, spoke to Kari" \
    "$(sql "SELECT s.state, s.basis, s.source, s.at, s.dated, e.evidence FROM consents s
	JOIN customers c ON c.id = s.customer JOIN purposes p ON p.id = s.purpose
	JOIN events e ON e.seq = s.event WHERE c.key = '1001' AND p.name = 'emarketing'")"
oystein=$(relink "$oystein")
browse --show-first "$oystein" "untick:Nyheter og tilbud på e-post og SMS" submit
sed -n '/^checkbox:/p; /^---- after/q' browser.out >revisit.txt
same_text "Øystein's second visit shows his answer" \
"checkbox: [x] Nyheter og tilbud på e-post og SMS
checkbox: [x] Kundeundersøkelser" revisit.txt
is "and takes the withdrawal" "status: 200" "$(grep '^status:' browser.out | tail -1)"
day 2026-12-04T09:15:00Z
check "consent-sync (block 6)" run_recipe "$S" 6
same_text "his withdrawal comes home; the surveys stay granted" \
"id,purpose,old,new,at,source
1005,emarketing,granted,withdrawn,2026-12-04T09:00:00Z,landing" "$T/out"
run_recipe "$S" 7
list "Åse stays on the mailing list by her newsletter; Øystein is off" \
    utsendelse.csv 1001 1003 1004
run_recipe "$S" 8
list "both are off the lenient list" utsendelse-mild.csv 1002 1003 1004 1006
gives "the two who withdrew" 0 "$(rows 1001 1005)" \
    consent-filter --withdrawn emarketing --map id=Kundenr kunder.csv

# ---- the surveys end: the purpose is deactivated ----

DEACTIVATED=yes
liv=$(mail_link liv.fjaere@epost.no)
day 2026-12-05T09:00:00Z
same_text "the configuration now holds block 11 for the surveys" \
"[purpose.surveys]
title.nb = Kundeundersøkelser
title.sv = Kundundersökningar
basis = consent
active = no" "$(sed -n '/^\[purpose\.surveys\]/,/^$/p' consent.conf | sed '/^$/d' >sv.txt; echo sv.txt)"
mails_before=$(mails)
requests_before=$(sql 'SELECT count(*) FROM requests')
printf 'id\n1002\n' >bjorn.csv
expect_code 2 "consent-request -p surveys refuses it" \
    consent-request --purpose surveys bjorn.csv
same_text "saying why" \
    "consent-request: --purpose: purpose 'surveys' is inactive: it is no longer asked for" "$T/err"
expect_code 2 "also among other purposes" \
    consent-request --purpose emarketing,surveys bjorn.csv
is "nothing stored, nothing sent" "$requests_before $mails_before" \
    "$(sql 'SELECT count(*) FROM requests') $(mails)"
is "the store knows the purpose is inactive" "surveys|0" \
    "$(sql "SELECT name, active FROM purposes WHERE name = 'surveys'")"
gives "consent-filter -p surveys selects no one, though Øystein granted it" 1 \
    "$(rows)" consent-filter --purpose surveys --map id=Kundenr kunder.csv
same_text "with a warning" \
    "consent-filter: --purpose: purpose 'surveys' is inactive: it selects no one" "$T/err"
is "the grant is still stored" "granted|landing" \
    "$(sql "SELECT s.state, s.source FROM consents s JOIN customers c ON c.id = s.customer
	JOIN purposes p ON p.id = s.purpose WHERE c.key = '1005' AND p.name = 'surveys'")"

# Liv answers the request of 1 December, made before the deactivation.
liv=$(relink "$liv")
browse "$liv"
page >page.txt
same_text "her page no longer shows the surveys" \
"status: 200
lang: nb
checkbox: [ ] Nyheter og tilbud på e-post og SMS
scripts: 0" page.txt
browse "$liv" "tick:Nyheter og tilbud på e-post og SMS" submit
is "her yes is taken" "status: 200" "$(grep '^status:' browser.out)"
day 2026-12-05T09:15:00Z
check "consent-sync (block 6)" run_recipe "$S" 6
same_text "her yes comes home, and nothing for the surveys" \
"id,purpose,old,new,at,source
1006,emarketing,unknown,granted,2026-12-05T09:00:00Z,landing" "$T/out"
is "her request is approved" "approved" "$(sql 'SELECT status FROM requests WHERE id = 3')"

# the columns id, at, purpose, old, new, basis and source of a history
consent-log 1005 | "$PY" -c 'import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
for r in csv.reader(sys.stdin):
    w.writerow(r[0:2] + r[4:9])' >hist.txt
same_text "the history of the surveys is kept" \
"id,at,purpose,old,new,basis,source
1005,2026-12-01T08:00:00Z,service,unknown,granted,contract,import
1005,2026-12-01T09:00:00Z,\"emarketing,surveys\",,queued,,email
1005,2026-12-01T09:00:00Z,\"emarketing,surveys\",queued,sending,,email
1005,2026-12-01T09:00:00Z,\"emarketing,surveys\",sending,sent,,email
1005,2026-12-02T10:15:00Z,emarketing,unknown,granted,consent,landing
1005,2026-12-02T10:15:00Z,surveys,unknown,granted,consent,landing
1005,2026-12-02T10:15:00Z,\"emarketing,surveys\",sent,approved,,email
1005,2026-12-04T09:15:00Z,emarketing,granted,withdrawn,consent,landing" hist.txt

consent-log --status 1005 1006 >st.txt
same_text "--status: the surveys only where a consent is stored" \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
1005,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1005,emarketing,withdrawn,consent,landing,2026-12-04T09:00:00Z,2,approved,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1005,partners,unknown,,,,,,,
1005,profiling,unknown,,,,,,,
1005,newsletter,unknown,,,,,,,
1005,surveys,granted,consent,landing,2026-12-02T10:00:00Z,2,approved,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1006,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1006,emarketing,granted,consent,landing,2026-12-05T09:00:00Z,3,approved,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1006,partners,unknown,,,,,,,
1006,profiling,unknown,,,,,,,
1006,newsletter,denied,consent,web-form,2026-12-01T08:00:00Z,,,," st.txt

check "a withdrawal for the retired purpose is recorded (block 12)" \
    run_recipe "$S" 12
same_text "with a warning" \
"consent-import: purpose 'surveys' is inactive
consent-import: read 1, new 0, updated 1, unchanged 0, rejected 0, suppressed 0, conflicts 0" "$T/err"
is "Øystein's surveys: withdrawn by phone" "withdrawn|phone|2026-12-05T09:15:00Z" \
    "$(sql "SELECT s.state, s.source, s.at FROM consents s JOIN customers c ON c.id = s.customer
	JOIN purposes p ON p.id = s.purpose WHERE c.key = '1005' AND p.name = 'surveys'")"
gives "--withdrawn surveys selects no one either" 1 "$(rows)" \
    consent-filter --withdrawn surveys --map id=Kundenr kunder.csv
run_recipe "$S" 7
list "the mailing list: Liv joins" utsendelse.csv 1001 1003 1004 1006
run_recipe "$S" 8
list "the lenient list" utsendelse-mild.csv 1002 1003 1004 1006

# ---- the next night's import must not resubscribe ----

day 2026-12-06T05:30:00Z
consents >before.txt
events=$(sql 'SELECT count(*) FROM events')
check "the night's import (block 4) runs again" run_recipe "$S" 4
consents >after.txt
check_same "nothing changes: Åse's ja does not undo her withdrawal, empty cells keep what the page recorded" \
    before.txt after.txt
is "no event written" "$events" "$(sql 'SELECT count(*) FROM events')"
is "the erased and the restricted are not imported again" "0 restricted" \
    "$(sql "SELECT count(*) FROM customers WHERE key = '1008'") $(sql "SELECT status FROM customers WHERE key = '1007'")"
map='id=Kundenr,name=Navn,email=E-post,mobile=Mobil,lang=Språk,last_contact=Sist kontakt'
awk -F';' -v OFS=';' 'NR > 1 && $9 != "web-form" { $8 = "" } { print }' \
    kunder.csv >web.csv
check "without -q, the web-form pass" consent-import --map id=Kundenr \
    -c emarketing=E-markedsføring --source web-form web.csv
same_text "counts Åse's row as a conflict, the two erased ones as suppressed" \
    "consent-import: read 8, new 0, updated 0, unchanged 6, rejected 0, suppressed 2, conflicts 1" "$T/err"

# ---- the register at the end ----

check "the status (block 13)" run_recipe "$S" 13
same_text "the consent column of the register: every active purpose, the surveys where stored" \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
1001,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1001,emarketing,withdrawn,consent,phone,2026-12-04T09:00:00Z,,,,
1001,partners,unknown,,,,,,,
1001,profiling,unknown,,,,,,,
1001,newsletter,granted,consent,web-form,2026-12-01T08:00:00Z,,,,
1002,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1002,emarketing,denied,consent,phone,2026-12-01T08:00:00Z,,,,
1002,partners,unknown,,,,,,,
1002,profiling,unknown,,,,,,,
1002,newsletter,unknown,,,,,,,
1003,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1003,emarketing,denied,consent,landing,2026-12-02T10:00:00Z,1,denied,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1003,partners,unknown,,,,,,,
1003,profiling,unknown,,,,,,,
1003,newsletter,granted,consent,web-form,2026-12-01T08:00:00Z,,,,
1003,surveys,denied,consent,landing,2026-12-02T10:00:00Z,1,denied,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1004,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1004,emarketing,granted,consent,paper,2026-12-01T08:00:00Z,,,,
1004,partners,unknown,,,,,,,
1004,profiling,unknown,,,,,,,
1004,newsletter,unknown,,,,,,,
1005,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1005,emarketing,withdrawn,consent,landing,2026-12-04T09:00:00Z,2,approved,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1005,partners,unknown,,,,,,,
1005,profiling,unknown,,,,,,,
1005,newsletter,unknown,,,,,,,
1005,surveys,withdrawn,consent,phone,2026-12-05T09:15:00Z,2,approved,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1006,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1006,emarketing,granted,consent,landing,2026-12-05T09:00:00Z,3,approved,2026-12-01T09:00:00Z,2026-12-08T09:00:00Z
1006,partners,unknown,,,,,,,
1006,profiling,unknown,,,,,,,
1006,newsletter,denied,consent,web-form,2026-12-01T08:00:00Z,,,,
1007,service,unknown,,,,,,,
1007,emarketing,unknown,,,,,,,
1007,partners,unknown,,,,,,,
1007,profiling,unknown,,,,,,,
1007,newsletter,unknown,,,,,,," status.csv
check "the audit chain holds" consent-log --verify

# ---- the crontab ----

recipe "$S" 14 >crontab.txt
is "every line sets a variable or is a job of five time fields" "" \
    "$(grep -v -E -e '^[A-Z_]+=[^ ]+$' \
	-e '^([0-9*/,-]+[[:space:]]+){5}[^[:space:]]' crontab.txt)"
sed -n -E 's/^([0-9*\/,-]+[[:space:]]+){5}//p' crontab.txt >jobs.txt
same_text "the jobs: the sync, the night's import" \
"consent-sync
cd /srv/crm/eksport && sh /etc/consent/kundeimport.sh" jobs.txt
is "the sync job is block 6" "$(recipe "$S" 6)" "$(sed -n 1p jobs.txt)"
is "the variables name the configuration and the store" \
    "CONSENT_CONFIG=/etc/consent/consent.conf CONSENT_DB=/var/lib/consent/consent.db" \
    "$(grep '^CONSENT_' crontab.txt | tr '\n' ' ' | sed 's/ $//')"
# The import script is block 4, run as cron runs it: with sh, from the
# folder of the export, the day after.
recipe "$S" 4 >kundeimport.sh
mkdir eksport && cp kunder.csv eksport/
day 2026-12-07T05:30:00Z
events=$(sql 'SELECT count(*) FROM events')
check "block 4 runs as the script of the crontab" \
    sh -c "cd '$T/eksport' && sh '$T/kundeimport.sh'"
is "and changes nothing on an unchanged export" "$events" \
    "$(sql 'SELECT count(*) FROM events')"

done_testing
