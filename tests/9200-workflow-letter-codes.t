#!/bin/sh
# consent(7), WORKFLOWS, "Letter codes": the recipe of that subsection run
# block by block as a reader copies it, against the real parts on loopback
# (the SMTP server, consent-landing, headless Chromium), with CONSENT_NOW
# stepping through the days and the years:
#   day 0  the configuration and the secrets; the old register's export
#          (';', cp1252, CRLF, dd.mm.yyyy, a Status column of letter codes:
#          RF, FSR, S, R, empty, lower-case rf) imported with --codes and
#          --invoice-column: the consents each code gives, the holds (last
#          invoice + 5y); the campaign lists on the codes alone (also with
#          no store at all) and from the store agree, byte for byte; the
#          landing service started by the recipe's own line; the customers
#          with an empty code and an e-mail address asked by e-mail: the
#          mails that arrived, to whom, their links verify
#   day 1  one of them answers in Chromium; consent-sync; the two lists now
#          differ as the recipe says (the store knows more); a customer
#          with no invoice in 5 years is erased: the row, the store, the
#          tombstones, and his name, e-mail and number gone from the bytes
#          of consent.db and consent.db-wal
#   day 2  the night's import (the crontab's line) suppresses him; a code
#          changed in the register from R to S: a withdrawal of emarketing,
#          and a conflict for profiling (the codes are undated), settled
#          by the recipe's dated --set; neither
#          list passes him although his code still says FSR; a customer
#          with a recent invoice is restricted: the row, the store, the
#          export of consent-log, --status, her contact data gone from the
#          bytes but her name kept; the invoicing export anonymised: the
#          rows of the two masked exactly (hash and fake recomputed from
#          the tombstone key the run made), the other rows byte for byte
#   day 3  the night's import suppresses both
#   day 7  the crontab's consent-sync expires the request not answered
#   2031   the crontab's consent-erase --due: nothing the Sunday before
#          the hold ends, the restricted customer erased the Sunday after
#          (her name gone from the bytes too); the audit chain verifies
# and the crontab block parses as crontab lines whose commands are the
# recipe's.  consent-landing takes the time of its answers from
# CONSENT_NOW at its start, so the test restarts it (block 6) when the
# customer answers.
. "${0%/*}/lib.sh"
. "$TOP/tests/workflow.sh"

W="Letter codes"
export LOGNAME=kontor USER=kontor
mkdir -p "$T/log"

# recipe_gives NAME CODE TEXT N: ok when block N exits CODE with TEXT on
# stdout.
recipe_gives() {
	run_recipe "$W" "$4"
	_r_got=$?
	{ [ -z "$3" ] || printf '%s\n' "$3"; echo "(exit $2)"; } >"$T/want"
	{ cat "$T/out"; echo "(exit $_r_got)"; } >"$T/got"
	check_same "$1" "$T/want" "$T/got"
}

# cron_command PATTERN: the command of the crontab line that holds
# PATTERN, with the folders of the recipe moved into $T.
cron_command() {
	recipe "$W" "$CRON" | grep -F -- "$1" |
	    sed -E -e '/^@reboot/{s/^@reboot[[:space:]]+//;b dirs' \
	        -e '}' -e 's/^([^[:space:]]+[[:space:]]+){5}//' \
	        -e ':dirs' -e "s#/var/log/consent/#$T/log/#g" \
	        -e "s#/srv/kunderegister#$T#g"
}

# run_cron PATTERN: run that command in $T as cron would (sh -c).
run_cron() {
	_c=$(cron_command "$1")
	(cd "$T" && sh -c "$_c") >"$T/out" 2>"$T/err"
}

# joined N: block N as one line, its continuation lines joined.
joined() {
	recipe "$W" "$1" | sed -e ':a' -e '/\\$/{N;s/ *\\\n */ /;ba' -e '}'
}

# canary FILE STRING: how often STRING occurs in the raw bytes of FILE
# (0 when there is no such file).
canary() {
	if [ -e "$1" ]; then LC_ALL=C grep -c -a -F -- "$2" "$1"; else echo 0; fi
}

# in_store STRING: how often STRING occurs in consent.db and its WAL.
in_store() {
	echo $(($(canary consent.db "$1") + $(canary consent.db-wal "$1")))
}

# utf8 FILE: the file, from Windows-1252, without its CRs.
utf8() {
	iconv -f CP1252 -t UTF-8 "$1" | tr -d '\r'
}

# rows LINE...: those lines of kunder.csv (1 is the header), as they are.
rows() {
	for _l in "$@"; do sed -n "${_l}p" kunder.csv; done
}

# start_block5: consent-landing by block 6's own line, its log in $T;
# sets LANDING and LPID, and points [landing] api_url at its port.
start_block5() {
	stop_landing
	recipe "$W" 6 >landing.sh
	sed -i -e "s#/var/log/consent/landing.log#$T/landing.err#" \
	    -e 's#&$#\& echo $! >landing.pid#' landing.sh
	: >landing.err
	(cd "$T" && sh -e landing.sh) >/dev/null 2>&1
	LPID=$(cat landing.pid)
	PIDS="$PIDS $LPID"
	LANDING=$(landing_port landing.err)
	sed -i "s#^api_url = .*#api_url = http://127.0.0.1:$LANDING/#" consent.conf
}

is "the subsection has 13 blocks" "13" \
    "$("$PY" "$TOP/tests/tools/man-script.py" "$WORKFLOW_MAN" "$W")"
CRON=13

# ---- day 0: configuration and secrets -------------------------------------

day 2026-12-01T07:50:00Z
check "block 2: the secrets are made" run_recipe "$W" 2
is "the two secret files, mode 0600" "-rw------- -rw-------" \
    "$(ls -l secrets/landing-secret secrets/landing-api-key | cut -c1-10 | tr '\n' ' ' | sed 's/ $//')"
is "the landing secret is 64 characters of base64 (48 bytes)" "64" \
    "$(tr -d '\n' <secrets/landing-secret | wc -c | tr -d ' ')"

start_smtp
is "the SMTP server is up" "yes" "$([ -n "$SMTP" ] && echo yes)"
recipe "$W" 1 >consent.conf
# What differs on loopback: the SMTP port and plain SMTP, the landing
# service's port and database.
sed -i -e "s#^url = smtp://smtp.elektronordheim.no:587\$#url = smtp://127.0.0.1:$SMTP\\
starttls = no#" \
    -e 's#^listen = 127.0.0.1:8080$#listen = 127.0.0.1:0#' \
    -e 's#^db = /var/lib/consent/landing.db$#db = landing.db#' consent.conf
is "the configuration adapted in four lines" "4" \
    "$(recipe "$W" 1 | diff - consent.conf | grep -c '^>')"
export CONSENT_CONFIG="$T/consent.conf"

# The old register's export: ';', Windows-1252, CRLF, dd.mm.yyyy.
#   line 2  1001 RF, invoice 03/2026: restricted on day 2, erased in 2031
#        3  1002 FSR, invoice 2019 (hold over): erased on day 1
#        4  1003 S, no e-mail            7  1006 R, hold over in 01/2026
#        5  1004 empty code: asked,      8  1007 "rf": no to all three
#           says yes to R and F          9  1008 empty code: asked, silent
#        6  1005 RF, no mobile          10  1009 empty code, no e-mail
excel_export kunder.csv \
    'Kundenr;Navn;E-post;Mobil;Status;Siste faktura' \
    '1001;Åse Bråten;ase.braten@gmail.com;912 34 567;RF;14.03.2026' \
    '1002;Bjørn Ødegård;bjorn.odegard@online.no;977 65 432;FSR;02.11.2019' \
    '1003;Kari Nordmann;;48 12 34 56;S;' \
    '1004;Per Ærlig;per.aerlig@hotmail.com;93 45 67 89;;20.08.2025' \
    '1005;Siv Løvås;siv.lovas@gmail.com;;RF;' \
    '1006;Ola Dahl;ola.dahl@online.no;41 11 22 33;R;05.01.2021' \
    '1007;Jon Strøm;jon.strom@yahoo.no;;rf;' \
    '1008;Ingrid Sæther;ingrid.saether@gmail.com;;;' \
    '1009;Tor Bakke;;955 54 418;;'

# ---- day 0, 08:00: the import ---------------------------------------------

day 2026-12-01T08:00:00Z
check "block 3: the export is imported" run_recipe "$W" 3
is "its summary" \
    "consent-import: read 9, new 9, updated 0, unchanged 0, rejected 0, suppressed 0, conflicts 0" \
    "$(cat "$T/err")"
is "the master data, numbers in E.164; the holds: last invoice + 5y" \
"1001|Åse Bråten|ase.braten@gmail.com|+4791234567|2031-03-14|active
1002|Bjørn Ødegård|bjorn.odegard@online.no|+4797765432|2024-11-02|active
1003|Kari Nordmann||+4748123456||active
1004|Per Ærlig|per.aerlig@hotmail.com|+4793456789|2030-08-20|active
1005|Siv Løvås|siv.lovas@gmail.com|||active
1006|Ola Dahl|ola.dahl@online.no|+4741112233|2026-01-05|active
1007|Jon Strøm|jon.strom@yahoo.no|||active
1008|Ingrid Sæther|ingrid.saether@gmail.com|||active
1009|Tor Bakke||+4795554418||active" \
    "$(sql "SELECT key, name, email, mobile, hold_until, status FROM customers ORDER BY key")"
# consents KEY...: emarketing, partners, profiling of each, one line each.
consents() {
	for _k in "$@"; do
		printf '%s %s\n' "$_k" "$(consent-log --status "$_k" |
		    awk -F, '$2 != "purpose" && $2 != "service" { printf "%s%s", s, ($3 == "" ? "unknown" : $3); s = " " }')"
	done
}
is "the codes as consents: a letter yes, a mapped letter missing no, empty nothing, lower case no" \
"1001 granted granted denied
1002 granted granted granted
1003 denied denied granted
1004 unknown unknown unknown
1005 granted granted denied
1006 granted denied denied
1007 denied denied denied
1008 unknown unknown unknown
1009 unknown unknown unknown" \
    "$(consents 1001 1002 1003 1004 1005 1006 1007 1008 1009)"
gives "consent-log --status: basis consent, source import, service by contract" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
1002,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1002,emarketing,granted,consent,import,2026-12-01T08:00:00Z,,,,
1002,partners,granted,consent,import,2026-12-01T08:00:00Z,,,,
1002,profiling,granted,consent,import,2026-12-01T08:00:00Z,,,," \
    consent-log --status 1002
is "the evidence names the file, the line and the code" \
    "kunder.csv:3 Status=FSR" \
    "$(sql "SELECT DISTINCT evidence FROM events WHERE customer = '1002' AND purpose = 'partners'")"

# ---- day 0, 08:10: the campaign lists -------------------------------------

day 2026-12-01T08:10:00Z
check "block 5: the two campaign lists" run_recipe "$W" 5
rows 1 2 3 6 >want.csv
check_same "partnere-koder.csv: the rows whose code holds R and F (1001 RF, 1002 FSR, 1005 RF), byte for byte" \
    want.csv partnere-koder.csv
check_same "partnere.csv, from the store: the same rows" want.csv partnere.csv
is "in Windows-1252 with CRLF, as exported" \
"Kundenr;Navn;E-post;Mobil;Status;Siste faktura
1001;Åse Bråten;ase.braten@gmail.com;912 34 567;RF;14.03.2026
1002;Bjørn Ødegård;bjorn.odegard@online.no;977 65 432;FSR;02.11.2019
1005;Siv Løvås;siv.lovas@gmail.com;;RF;" "$(utf8 partnere.csv)"
is "CRLF line ends" "4" "$(grep -c "$(printf '\r')\$" partnere.csv)"
# The codes alone need no store: the first command with none at all.
rm -f partnere-koder.csv
recipe "$W" 5 | sed -n '1,2p' | sed 's/ --map id=Kundenr//' >nostore.sh
(cd "$T" && CONSENT_DB="$T/none.db" sh -e nostore.sh) >/dev/null 2>"$T/err"
is "without a store (and without --map) the codes give the same rows" \
    "$(cat want.csv)" "$(cat partnere-koder.csv)"
is "and no store was made" "no" "$([ -e none.db ] && echo yes || echo no)"

# ---- day 0, 08:50: the landing service ------------------------------------

day 2026-12-01T08:50:00Z
start_block5
is "block 6: consent-landing listens (on the port of [landing] listen)" "yes" \
    "$([ -n "$LANDING" ] && echo yes || echo "no: $(cat landing.err)")"

# ---- day 0, 09:00: asking the empty codes ---------------------------------

day 2026-12-01T09:00:00Z
check "block 7: the customers with an empty code are asked" run_recipe "$W" 7
is "two e-mails (1009 has no e-mail address, 1007's rf is a no)" "2" "$(mails)"
is "to Per and Ingrid" \
"per.aerlig@hotmail.com
ingrid.saether@gmail.com" \
    "$(for f in mail/*.json; do "$PY" -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["rcpt_tos"]))' "$f"; done)"
same_text "forespurt.csv: one row each, sent by e-mail, the server's reply as the detail" \
"id,request,channel,status,detail
1004,1,email,sent,250 2.0.0 OK queued as 000001
1008,2,email,sent,250 2.0.0 OK queued as 000002" forespurt.csv
per=$(mail_link per.aerlig@hotmail.com)
ingrid=$(mail_link ingrid.saether@gmail.com)
is "the links point at the public address" "yes yes" \
    "$(for l in "$per" "$ingrid"; do case $l in https://samtykke.elektronordheim.no/c/*) printf yes ;; *) printf "no:$l" ;; esac; done | sed 's/yesyes/yes yes/')"
is "they verify: requests 1 and 2, for emarketing, partners and profiling (bits 1-3), nb, expiring in 7 days" \
"r 1 2026-12-08T09:00:00Z 14 nb
r 2 2026-12-08T09:00:00Z 14 nb" \
    "$(printf '%s\n%s\n' "$per" "$ingrid" | "$TOOLS/token-verify" secrets/landing-secret)"
"$PY" "$TOP/tests/tools/mail-show.py" mail/000001.eml >mail1.txt
grep_ok "the mail names the three purposes" \
    "Nyheter og tilbud fra Elektro Nordheim, Navn og adresse til Nordheim Forsikring og Lys & Varme AS, Tilbud tilpasset det du har kjøpt" \
    mail1.txt
is "the requests are sent" "1004|sent 1008|sent" \
    "$(sql "SELECT group_concat(c.key || '|' || r.status, ' ') FROM requests r JOIN customers c ON c.id = r.customer")"

# ---- day 1, 10:00: Per answers ----------------------------------------------

day 2026-12-02T10:00:00Z
start_block5
browse "$(relink "$per")"
sed -n '/^status:/p; /^lang:/p; /^checkbox:/p' browser.out >page.txt
same_text "the landing page: Norwegian, three unticked boxes" \
"status: 200
lang: nb
checkbox: [ ] Nyheter og tilbud fra Elektro Nordheim
checkbox: [ ] Navn og adresse til Nordheim Forsikring og Lys & Varme AS
checkbox: [ ] Tilbud tilpasset det du har kjøpt" page.txt
grep_ok "with the information text" "Elektro Nordheim AS, Storgata 12, 8006 Bodø," browser.out
browse "$(relink "$per")" "tick:Nyheter og tilbud fra Elektro Nordheim" \
    "tick:Navn og adresse til Nordheim Forsikring" submit
is "the answer is taken" "status: 200" "$(grep '^status:' browser.out)"
day 2026-12-02T10:05:00Z
recipe_gives "block 8: consent-sync brings it home" 0 \
"id,purpose,old,new,at,source
1004,emarketing,unknown,granted,2026-12-02T10:00:00Z,landing
1004,partners,unknown,granted,2026-12-02T10:00:00Z,landing
1004,profiling,unknown,denied,2026-12-02T10:00:00Z,landing" 8
is "his request is approved" "approved" \
    "$(sql "SELECT status FROM requests WHERE id = 1")"
check "block 5 again" run_recipe "$W" 5
rows 1 2 3 6 >want.csv
check_same "the codes' list: still 1001, 1002, 1005 (Per's code is empty in the register)" \
    want.csv partnere-koder.csv
rows 1 2 3 5 6 >want.csv
check_same "the store's list: Per too, who said yes on the landing page" \
    want.csv partnere.csv

# ---- day 1, 14:00: 1002 asks to be forgotten --------------------------------

day 2026-12-02T14:00:00Z
for s in 'Bjørn Ødegård' bjorn.odegard@online.no +4797765432; do
	is "before: '$s' is in the store's bytes" "yes" \
	    "$([ "$(in_store "$s")" -gt 0 ] && echo yes || echo no)"
done
recipe_gives "block 9: 1002 is erased" 0 "id,action,detail
1002,erased," 9
is "its summary" "consent-erase: 1 key: 1 erased, 0 restricted, 0 not found" \
    "$(cat "$T/err")"
is "no customer 1002, no consent or request of his" "0|0|0" \
    "$(sql "SELECT (SELECT count(*) FROM customers WHERE key = '1002'), (SELECT count(*) FROM consents WHERE customer NOT IN (SELECT id FROM customers)), (SELECT count(*) FROM requests WHERE customer NOT IN (SELECT id FROM customers))")"
is "tombstones of his key, e-mail address and number" "email|1 key|1 mobile|1" \
    "$(sql "SELECT group_concat(kind || '|' || n, ' ') FROM (SELECT kind, count(*) n FROM tombstones GROUP BY kind ORDER BY kind)")"
is "the erasure event, with the reason" "1" \
    "$(sql "SELECT count(*) FROM events WHERE customer LIKE 'erased-%' AND new = 'erased' AND evidence LIKE '%; reason: asked by phone 2026-12-02'")"
is "the WAL is emptied (or gone)" "0" "$(cat consent.db-wal 2>/dev/null | wc -c | tr -d ' ')"
for s in 'Bjørn Ødegård' Ødegård bjorn.odegard@online.no +4797765432 97765432; do
	is "after: '$s' is in neither consent.db nor consent.db-wal" "0 0" \
	    "$(canary consent.db "$s") $(canary consent.db-wal "$s")"
done
gives "consent-log --export 1002: only that he is tombstoned" 0 \
"section,item,field,value
export,,id,1002
export,,exported,2026-12-02T14:00:00Z
export,,tombstone,true" consent-log --export 1002 --csv

# ---- day 2, 02:30: the night's import -------------------------------------

# The register's staff changed 1006's code from R to S.
utf8 kunder.csv | sed 's/^1006;\(.*\);R;/1006;\1;S;/' | sed 's/$/\r/' |
    iconv -f UTF-8 -t CP1252 >kunder.new
is "the export of day 2 differs in 1006's code alone" \
"7c7
< 1006;Ola Dahl;ola.dahl@online.no;41 11 22 33;R;05.01.2021
---
> 1006;Ola Dahl;ola.dahl@online.no;41 11 22 33;S;05.01.2021" \
    "$(diff kunder.csv kunder.new | iconv -f CP1252 -t UTF-8 | tr -d '\r')"
mv kunder.new kunder.csv
day 2026-12-03T02:30:00Z
run_cron "consent-import"
is "the crontab's import line exits 0" "0" "$?"
is "its summary in import.log: 1002 suppressed, 1006 updated, and a conflict" \
    "consent-import: read 9, new 0, updated 1, unchanged 7, rejected 0, suppressed 1, conflicts 1" \
    "$(cat log/import.log)"
is "1006: the R gone is a withdrawal; the S added does not undo the no of day 0" \
    "1006 withdrawn denied denied" "$(consents 1006)"
day 2026-12-03T07:30:00Z
check "block 4: his yes at the counter is recorded" run_recipe "$W" 4
is "its summary" \
    "consent-import: read 1, new 0, updated 1, unchanged 0, rejected 0, suppressed 0, conflicts 0" \
    "$(cat "$T/err")"
gives "1006: profiling granted, dated now, source manual" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
1006,service,granted,contract,import,2026-12-01T08:00:00Z,,,,
1006,emarketing,withdrawn,consent,import,2026-12-03T02:30:00Z,,,,
1006,partners,denied,consent,import,2026-12-01T08:00:00Z,,,,
1006,profiling,granted,consent,manual,2026-12-03T07:30:00Z,,,," \
    consent-log --status 1006
is "with the evidence and the actor" "kontor|asked for tailored offers at the counter" \
    "$(sql "SELECT r.actor, e.evidence FROM events e JOIN runs r ON r.id = e.run WHERE e.customer = '1006' AND e.purpose = 'profiling' AND e.new = 'granted'")"
is "1002 is not back" "0" "$(sql "SELECT count(*) FROM customers WHERE key = '1002'")"
is "Per's yes from the landing page stands (his empty code records nothing)" \
    "1004 granted granted denied" "$(consents 1004)"
is "and its source is the landing page" "landing landing landing" \
    "$(consent-log --status 1004 | awk -F, '$2 != "purpose" && $2 != "service" { printf "%s%s", s, $5; s = " " }')"
is "his name is still not in the store's bytes" "0" "$(in_store 'Bjørn Ødegård')"

day 2026-12-03T08:00:00Z
check "block 5 on day 2" run_recipe "$W" 5
rows 1 2 6 >want.csv
check_same "the codes' list leaves 1002 out, although his code still holds F and R" \
    want.csv partnere-koder.csv
rows 1 2 5 6 >want.csv
check_same "the store's list too" want.csv partnere.csv

# ---- day 2, 11:00: 1001 asks; her invoice is recent ------------------------

day 2026-12-03T11:00:00Z
recipe_gives "block 10: 1001 is restricted, until the hold ends" 0 \
"id,action,detail
1001,restricted,until 2031-03-14" 10
is "its summary" "consent-erase: 1 key: 0 erased, 1 restricted, 0 not found" \
    "$(cat "$T/err")"
is "her key, name and hold stay; her addresses go" \
    "1001|Åse Bråten|||||2031-03-14|restricted" \
    "$(sql "SELECT key, name, email, mobile, lang, last_contact, hold_until, status FROM customers WHERE key = '1001'")"
is "her consents go" "0" \
    "$(sql "SELECT count(*) FROM consents WHERE customer = (SELECT id FROM customers WHERE key = '1001')")"
gives "consent-log --export: restricted, no addresses, no consents" 0 \
"customer,,name,Åse Bråten
customer,,email,
customer,,mobile,
customer,,lang,
customer,,last_contact,
customer,,hold_until,2031-03-14
customer,,status,restricted" \
    sh -c 'consent-log --export 1001 --csv | grep "^customer,\|^consent,"'
gives "consent-log --status: nothing recorded, nothing asked" 0 \
"id,purpose,state,basis,source,since,request,request_state,sent,expires
1001,service,unknown,,,,,,,
1001,emarketing,unknown,,,,,,,
1001,partners,unknown,,,,,,,
1001,profiling,unknown,,,,,,," consent-log --status 1001
for s in ase.braten@gmail.com +4791234567 91234567; do
	is "'$s' is in neither consent.db nor consent.db-wal" "0 0" \
	    "$(canary consent.db "$s") $(canary consent.db-wal "$s")"
done
is "her name is kept, for the bookkeeping" "yes" \
    "$([ "$(in_store 'Åse Bråten')" -gt 0 ] && echo yes || echo no)"
check "block 5 after the restriction" run_recipe "$W" 5
rows 1 6 >want.csv
check_same "the codes' list leaves 1001 out too" want.csv partnere-koder.csv
rows 1 5 6 >want.csv
check_same "and the store's" want.csv partnere.csv

# ---- day 2, 11:30: the invoicing export, anonymised -----------------------

day 2026-12-03T11:30:00Z
excel_export fakturaer.csv \
    'Fakturanr;Dato;Kundenr;Navn;Adresse;E-post;Mobil;Beløp' \
    '20191102-17;02.11.2019;1002;Bjørn Ødegård;Havnegata 3, 8006 Bodø;bjorn.odegard@online.no;977 65 432;12 490,00' \
    '20250820-11;20.08.2025;1004;Per Ærlig;Storgata 7, 8006 Bodø;per.aerlig@hotmail.com;93 45 67 89;4 350,00' \
    '20260314-04;14.03.2026;1001;Åse Bråten;"Sjøgata 21; 2. etg";ase.braten@gmail.com;912 34 567;8 990,00' \
    '20260405-02;05.04.2026;;B. Ødegård;;BJORN.Odegard@online.no;;990,00' \
    '20260406-01;06.04.2026;1005;Siv Løvås;"Sjøgata 21; 2. etg";siv.lovas@gmail.com;;1 290,00'
check "block 11: the export is anonymised" run_recipe "$W" 11
is "its summary: the rows of 1002 (by key, and by e-mail in another case) and 1001 masked" \
    "consent-erase: 5 rows, 3 masked" "$(cat "$T/err")"
# The expected masks, from the algorithm of consent-erase(1), under the
# tombstone key that the erasure of day 1 made beside the store.
mask() {
	printf '%s\n' "$1" | "$PY" "$TOP/tests/tools/mask.py" "$CONSENT_DB-tombstone.key" "$TOP/lib/fakenames.c"
}
is "the tombstone key is there, mode 0600" "-rw-------" \
    "$(ls -l "$CONSENT_DB-tombstone.key" | cut -c1-10)"
{
	sed -n 1p fakturaer.csv | iconv -f CP1252 -t UTF-8 | tr -d '\r'
	printf '20191102-17;02.11.2019;%s;%s;;%s;*** ** *32;12 490,00\n' \
	    "$(mask hash:1002)" "$(mask 'fake:Bjørn Ødegård')" "$(mask hash:bjorn.odegard@online.no)"
	sed -n 3p fakturaer.csv | iconv -f CP1252 -t UTF-8 | tr -d '\r'
	printf '20260314-04;14.03.2026;%s;%s;;%s;*** ** *67;8 990,00\n' \
	    "$(mask hash:1001)" "$(mask 'fake:Åse Bråten')" "$(mask hash:ase.braten@gmail.com)"
	printf '20260405-02;05.04.2026;;%s;;%s;;990,00\n' \
	    "$(mask 'fake:B. Ødegård')" "$(mask hash:BJORN.Odegard@online.no)"
	sed -n 6p fakturaer.csv | iconv -f CP1252 -t UTF-8 | tr -d '\r'
} | sed 's/$/\r/' | iconv -f UTF-8 -t CP1252 >want.csv
check_same "fakturaer-anonym.csv: the three rows masked exactly (key and e-mail hashed, fake name, the number's last two digits, the address blanked, invoice, date and amount kept), the others byte for byte, in Windows-1252 with CRLF" \
    want.csv fakturaer-anonym.csv
is "the pseudonyms are 16 hex digits" "3" \
    "$(utf8 fakturaer-anonym.csv | cut -d';' -f6 | grep -c '^[0-9a-f]\{16\}$')"
is "no name, e-mail address or number of the two is left in it" "0" \
    "$(utf8 fakturaer-anonym.csv | grep -c -e 'Ødegård' -e 'Bråten' -e 'bjorn' -e 'BJORN' -e 'ase.braten' -e '977 65' -e '912 34' -e Havnegata)"

# ---- day 3, 02:30: the night's import -------------------------------------

day 2026-12-04T02:30:00Z
: >log/import.log
run_cron "consent-import"
is "the night's import: 1001 and 1002 suppressed; the code and the store agree on 1006" \
    "consent-import: read 9, new 0, updated 0, unchanged 7, rejected 0, suppressed 2, conflicts 0" \
    "$(cat log/import.log)"
is "1001 holds no address again" "1001||" \
    "$(sql "SELECT key, email, mobile FROM customers WHERE key = '1001'")"

# ---- day 7: the crontab's consent-sync expires Ingrid's request -----------

day 2026-12-08T09:15:00Z
run_cron "consent-sync"
is "the crontab's sync line exits 0" "0" "$?"
same_text "changes.csv: her purposes become denied, at the time of the expiry" \
"id,purpose,old,new,at,source
1008,emarketing,unknown,denied,2026-12-08T09:00:00Z,email
1008,partners,unknown,denied,2026-12-08T09:00:00Z,email
1008,profiling,unknown,denied,2026-12-08T09:00:00Z,email" log/changes.csv
is "her request expired" "expired" "$(sql "SELECT status FROM requests WHERE id = 2")"
check "block 7 again: nobody left to ask" run_recipe "$W" 7
is "no new mail" "2" "$(mails)"

# ---- 2031: consent-erase --due from cron ----------------------------------

stop_landing
day 2031-03-09T03:00:00Z
run_cron "consent-erase --due"
is "the Sunday before her hold ends: exit 0" "0" "$?"
same_text "erased.csv: nothing due yet" "id,action,detail" log/erased.csv
is "1001 still restricted" "restricted" \
    "$(sql "SELECT status FROM customers WHERE key = '1001'")"
day 2031-03-16T03:00:00Z
run_cron "consent-erase --due"
is "the Sunday after: exit 0" "0" "$?"
same_text "erased.csv: 1001 erased, her hold ended; 1004 and 1006, with holds but not restricted, stay" \
"id,action,detail
id,action,detail
1001,erased,hold ended 2031-03-14" log/erased.csv
is "the customers left" "1003 1004 1005 1006 1007 1008 1009" \
    "$(sql "SELECT group_concat(key, ' ') FROM (SELECT key FROM customers ORDER BY key)")"
for s in 'Åse Bråten' Bråten; do
	is "'$s' is in neither consent.db nor consent.db-wal" "0 0" \
	    "$(canary consent.db "$s") $(canary consent.db-wal "$s")"
done
check "block 12 by hand after it: nothing more is due" run_recipe "$W" 12
is "the header only" "id,action,detail" "$(cat "$T/out")"
day 2031-03-17T02:30:00Z
: >log/import.log
run_cron "consent-import"
is "the night's import still suppresses both" \
    "consent-import: read 9, new 0, updated 0, unchanged 7, rejected 0, suppressed 2, conflicts 0" \
    "$(cat log/import.log)"
check "the audit chain verifies" consent-log --verify
grep_ok "with the redacted events" "redacted by erasure" "$T/err"

# ---- the crontab ----------------------------------------------------------

recipe "$W" "$CRON" >crontab.txt
is "every line is an assignment, @reboot or five time fields and a command" "" \
    "$(grep -v -E -e '^[A-Z_]+=[^ ]+$' \
        -e '^@reboot[[:space:]]+[^[:space:]]' \
        -e '^([0-9*/,-]+[[:space:]]+){5}[a-z]' crontab.txt)"
is "no % in a command (cron would cut it there)" "0" "$(grep -c % crontab.txt)"
is "the store it names" "CONSENT_DB=/var/lib/consent/consent.db" "$(head -1 crontab.txt)"
is "@reboot starts the landing service as block 6 does" \
    "$(recipe "$W" 6 | sed 's/ &$//')" \
    "$(sed -n 's/^@reboot[[:space:]]*//p' crontab.txt)"
is "the night's import is block 3, in the register's folder" \
    "cd /srv/kunderegister && $(joined 3) 2>>/var/log/consent/import.log" \
    "$(grep -F consent-import crontab.txt | sed -E 's/^([^[:space:]]+[[:space:]]+){5}//')"
is "the nightly one at 02:30" "30 2 * * *" \
    "$(grep -F consent-import crontab.txt | awk '{ print $1, $2, $3, $4, $5 }')"
is "the sync is block 8" "$(joined 8) >>/var/log/consent/changes.csv" \
    "$(grep -F consent-sync crontab.txt | sed -E 's/^([^[:space:]]+[[:space:]]+){5}//')"
is "the retention is block 12, Sundays at 03:00" \
    "0 3 * * 0 $(joined 12) >>/var/log/consent/erased.csv" \
    "$(grep -F 'consent-erase' crontab.txt | sed -E 's/[[:space:]]+/ /g')"

done_testing
