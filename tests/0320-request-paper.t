#!/bin/sh
# consent-request --channel paper: one A4 page per customer in one PDF
# (pdfinfo), the names, keys, purposes and information text in the
# customer's language (pdftotext), the QR code of a rendered page decodes
# (pdftoppm, zbarimg) to a link that verifies and that consent-landing
# accepts; the requests are stored as sent with channel paper, no address
# needed, never reminded; --output FILE with the rows on stdout; the
# options that do not go with it; and a signed form recorded with
# consent-import --source paper.
. "${0%/*}/lib.sh"

BIN=${CONSENT_BIN:-$TOP/bin}
TOOLS=${CONSENT_TEST_TOOLS:-$TOP/obj/tools}
for t in pdfinfo pdftotext pdftoppm zbarimg curl; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP no $t (scripts/install-deps)"
		exit 0
	fi
done
LPID=
trap 'if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null; fi; rm -rf "$T"' EXIT

# page N FILE: the text of page N of a PDF.
page() {
	pdftotext -f "$1" -l "$1" "$2" - 2>>"$T/pdf.err"
}

printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
printf 'api-key-for-the-tests\n' >api.key
chmod 600 landing.key api.key
cat >consent.conf <<X
[company]
name = Bil & Motor Ærø AS
lang = nb
info.nb = Vi bruker navnet ditt til å sende deg tilbud på service og
  nye biler, og vi deler det ikke uten samtykket ditt.
info.sv = Vi använder ditt namn för att skicka erbjudanden.
info.en = We use your name to send you offers on service and cars.

[purpose.emarketing]
title.nb = Nyheter og tilbud på e-post
title.sv = Nyheter och erbjudanden via e-post
title.en = News and offers by e-mail

[landing]
url = http://127.0.0.1:1/
api_url = http://127.0.0.1:1/
secret_file = landing.key
api_key_file = api.key
db = $T/landing.db
X
export CONSENT_CONFIG="$T/consent.conf"

# no e-mail address, no mobile number: paper needs none
cat >customers.csv <<'X'
id,name,email,mobile,lang
1,Åse Ørnulfsdottir Bæk,,,nb
2,Per Persson,per@example.se,,sv
3,John Smith,,,en
X
check "the store is imported" consent-import -q customers.csv

# ---- the forms ----

run sh -c 'consent-request -p emarketing,partners --channel paper customers.csv > forms.pdf'
is "three forms, exit 0" "0" "$?"
is "the summary" "consent-request: 3 printed, 0 queued, 0 errors, 0 skipped" "$(cat "$T/err")"
pdfinfo forms.pdf >info.txt 2>"$T/err"
is "pdfinfo: three pages" "Pages:           3" "$(grep '^Pages:' info.txt)"
is "pdfinfo: A4" "Page size:       595.276 x 841.89 pts (A4)" \
    "$(grep '^Page size:' info.txt)"
is "pdfinfo: the company is the title" "Title:           Bil & Motor Ærø AS" \
    "$(grep '^Title:' info.txt)"

page 1 forms.pdf >p1.txt
page 2 forms.pdf >p2.txt
page 3 forms.pdf >p3.txt
grep_ok "page 1: the company" "Bil & Motor Ærø AS" p1.txt
grep_ok "page 1: the name, æøå right" "Kunde: Åse Ørnulfsdottir Bæk" p1.txt
grep_ok "page 1: the key" "Kundenummer: 1" p1.txt
grep_ok "page 1: the information text, wrapped" "Vi bruker navnet ditt til å sende deg tilbud" p1.txt
grep_ok "page 1: emarketing in Norwegian" "Nyheter og tilbud på e-post" p1.txt
grep_ok "page 1: partners in Norwegian (built in)" "Deling med utvalgte partnere" p1.txt
grep_ok "page 1: date" "Dato" p1.txt
grep_ok "page 1: signature" "Signatur" p1.txt
grep_ok "page 1: the phone hint" "Du kan også svare på mobilen" p1.txt
grep_ok "page 2: Per, in Swedish" "Kund: Per Persson" p2.txt
grep_ok "page 2: the key" "Kundnummer: 2" p2.txt
grep_ok "page 2: the Swedish text" "Vi använder ditt namn" p2.txt
grep_ok "page 2: emarketing in Swedish" "Nyheter och erbjudanden via e-post" p2.txt
grep_ok "page 2: signature in Swedish" "Underskrift" p2.txt
grep_ok "page 3: John, in English" "Customer: John Smith" p3.txt
grep_ok "page 3: the key" "Customer number: 3" p3.txt
grep_ok "page 3: emarketing in English" "News and offers by e-mail" p3.txt
grep_ok "page 3: the English hint" "You may answer on your phone instead" p3.txt
is "page 3 holds no Norwegian" "0" "$(grep -c 'Kunde' p3.txt)"

link1=$(grep -o 'http://127\.0\.0\.1:1/c/[A-Za-z0-9_-]*' p1.txt)
is "page 1: the link in text, verified: request 1, 7 days, both purposes, nb" \
    "r 1 2026-12-08T12:00:00Z 6 nb" \
    "$(echo "$link1" | "$TOOLS/token-verify" landing.key)"

# ---- the rendered page: its size, and the QR code decodes ----

pdftoppm -r 100 -png -f 1 -l 1 forms.pdf page 2>"$T/err"
png=$(ls page*.png 2>/dev/null | head -1)
is "pdftoppm: page 1 at 100 dpi is A4, 827 x 1170 pixels" "827 1170" \
    "$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $3 * 256 + $4, $7 * 256 + $8 }')"
qr=$(zbarimg -q --raw "$png" 2>"$T/zbar.err")
is "zbarimg: the QR code is the link in text" "$link1" "$qr"
is "the code's link verifies" "r 1 2026-12-08T12:00:00Z 6 nb" \
    "$(echo "$qr" | "$TOOLS/token-verify" landing.key)"
page3=$(grep -o 'http://127\.0\.0\.1:1/c/[A-Za-z0-9_-]*' p3.txt)
is "page 3's link: request 3, in English" "r 3 2026-12-08T12:00:00Z 6 en" \
    "$(echo "$page3" | "$TOOLS/token-verify" landing.key)"

# ---- consent-landing accepts the link ----

mkdir run
: >landing.log
(cd run && exec "$BIN/consent-landing" --listen 127.0.0.1:0 \
    2>>"$T/landing.log") &
LPID=$!
PORT=$(landing_port landing.log)
is "consent-landing started" "yes" "$([ -n "$PORT" ] && echo yes || cat landing.log)"
is "the landing page of the QR code's link: 200" "200" \
    "$(curl -s -o landing.html -w '%{http_code}' "http://127.0.0.1:$PORT${qr#http://127.0.0.1:1}")"
grep_ok "it asks for the form's purposes" "Nyheter og tilbud på e-post" landing.html
kill "$LPID"
wait "$LPID" 2>/dev/null
LPID=

# ---- the store ----

is "the requests: channel paper, sent, no address, detail paper" \
"1|paper||sent|paper|nb
2|paper||sent|paper|sv
3|paper||sent|paper|en" \
    "$(sql "SELECT r.id, channel, address, status, detail, lang FROM requests r ORDER BY r.id")"
is "they expire in 7 days" "2026-12-08T12:00:00Z" \
    "$(sql 'SELECT DISTINCT expires FROM requests')"
expect_code 0 "a second run skips them: open" \
    sh -c 'consent-request -p emarketing --channel paper customers.csv > again.pdf'
is "no forms, no PDF" "0" "$(wc -c <again.pdf | tr -d ' ')"
grep_ok "the summary says so" "0 printed, 0 queued, 0 errors, 3 skipped" "$T/err"

# ---- never reminded ----

CONSENT_NOW=2026-12-06T12:00:00Z check "--remind after 5 days" consent-request --remind
same_text "paper requests are not reminded" "id,request,channel,status,detail" "$T/out"
is "none is marked reminded" "0" "$(sql 'SELECT count(*) FROM requests WHERE reminded > 0')"

# ---- --output FILE: the rows on stdout ----

check "--again --output forms2.pdf" \
    consent-request -p emarketing --channel paper --again --output forms2.pdf customers.csv
same_text "the rows name the pages" "id,request,channel,status,detail
1,4,paper,sent,page 1
2,5,paper,sent,page 2
3,6,paper,sent,page 3" "$T/out"
is "forms2.pdf has three pages" "Pages:           3" \
    "$(pdfinfo forms2.pdf 2>/dev/null | grep '^Pages:')"
is "the old requests are superseded" "cancelled cancelled cancelled" \
    "$(sql "SELECT group_concat(status, ' ') FROM requests WHERE id <= 3")"
page 1 forms2.pdf >q1.txt
is "only emarketing is asked now" "0" "$(grep -c 'Deling med' q1.txt)"
printf 'id\n9\n' >unknown.csv
expect_code 1 "a key not in the store: an error row, no page" \
    consent-request -p emarketing --channel paper --output none.pdf unknown.csv
same_text "its row" "id,request,channel,status,detail
9,,,error,not in the store (consent-import adds customers)" "$T/out"
is "no file for no forms" "no" "$([ -e none.pdf ] && echo yes || echo no)"

# ---- what does not go with it ----

expect_code 2 "--output without --channel paper" \
    consent-request -p emarketing --output x.pdf customers.csv
grep_ok "it says so" "consent-request: --output goes with --channel paper only" "$T/err"
expect_code 2 "--channel paper --queue" \
    consent-request -p emarketing --channel paper --queue --output x.pdf customers.csv
grep_ok "it says so" "--channel paper prints its forms at once" "$T/err"
is "nothing stored by the refused runs" "6" "$(sql 'SELECT count(*) FROM requests')"
expect_code 2 "an unwritable --output stores nothing" \
    consent-request -p emarketing --channel paper --again --output "$T/no/such/dir/f.pdf" customers.csv
grep_ok "it names the file" "no/such/dir/f.pdf" "$T/err"
is "still six requests" "6" "$(sql 'SELECT count(*) FROM requests')"
if [ -w /dev/full ]; then
	expect_code 2 "a full disk stores nothing" \
	    sh -c 'consent-request -p emarketing --channel paper --again customers.csv > /dev/full'
	grep_ok "it says so" "consent-request: the PDF: No space left on device" "$T/err"
	is "no new requests" "6" "$(sql 'SELECT count(*) FROM requests')"
	is "the device is left be" "yes" "$([ -c /dev/full ] && echo yes || echo no)"
fi

# ---- a signed form comes back ----

# Åse ticked the first box and left the second empty, and signed.
printf 'id,E,P\n1,ja,nei\n' >signed.csv
check "the signed form is recorded" \
    consent-import -q --source paper -c emarketing=E,partners=P \
    --evidence "signed form, request 4" signed.csv
is "emarketing granted, partners denied, source paper" \
"emarketing|granted|paper
partners|denied|paper" \
    "$(sql "SELECT p.name, c.state, c.source FROM consents c JOIN purposes p ON p.id = c.purpose
	    WHERE c.customer = (SELECT id FROM customers WHERE key = '1') AND p.name IN ('emarketing', 'partners') ORDER BY p.name")"

done_testing
