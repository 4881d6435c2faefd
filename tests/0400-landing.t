#!/bin/sh
# consent-landing over real HTTP (curl) on loopback: the page in nb and sv
# (exact HTML, escaping, the inactive purpose left out, no script), the
# headers of every kind of response, the answers a POST records
# (granted, denied, withdrawn, nothing on a resubmission) with the text
# shown kept once, the revisit, bad, tampered and expired links, unknown
# paths, methods and bodies, the answers API (key, CSV, paging, fetched,
# purge after [landing] keep), the access log that never holds a whole
# token, X-Forwarded-For, the user agent cut short, the start-up errors
# and a clean stop on SIGTERM and SIGINT.
. "${0%/*}/lib.sh"

BIN=${CONSENT_BIN:-$TOP/bin}
TOOLS=${CONSENT_TEST_TOOLS:-$TOP/obj/tools}
LPID=
trap 'if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null; fi; rm -rf "$T"' EXIT

CSP="default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
UA=consent-test/1.0

# ---- helpers ----

# start CONFIG [ARGS...]: start the service from run/ on a port of the
# kernel's choosing; set LPID, PORT and URL.  Its stderr is landing.log.
start() {
	_conf=$1
	shift
	: >"$T/landing.log"
	(cd "$T/run" && exec "$BIN/consent-landing" --listen 127.0.0.1:0 \
	    --config "$T/$_conf" "$@" 2>>"$T/landing.log") &
	LPID=$!
	PORT=$(landing_port "$T/landing.log")
	URL=http://127.0.0.1:$PORT
}

# stop [SIGNAL]: stop the service and wait for it; its status in STOPPED.
stop() {
	kill -"${1:-TERM}" "$LPID"
	wait "$LPID"
	STOPPED=$?
	LPID=
}

# fetch PATH [CURL-ARGS...]: the response's headers in h (CR and Date
# dropped), its body in b, its status in CODE.
fetch() {
	_path=$1
	shift
	rm -f "$T/h.raw" "$T/b"
	curl -s -A "$UA" -D "$T/h.raw" -o "$T/b" "$@" "$URL$_path"
	tr -d '\r' <"$T/h.raw" | grep -v '^Date: ' >"$T/h"
	[ -e "$T/b" ] || : >"$T/b"
	CODE=$(sed -n '1s/^HTTP\/1\.1 \([0-9][0-9]*\) .*/\1/p' "$T/h")
}

# headers NAME STATUS-LINE TYPE CACHE [EXTRA-HEADER...]: h is exactly
# these headers, with the security headers and the body's length.
headers() {
	_h_name=$1 _h_status=$2 _h_type=$3 _h_cache=$4
	shift 4
	{
		echo "HTTP/1.1 $_h_status"
		for _x in "$@"; do case $_x in Connection:*) echo "$_x" ;; esac; done
		echo "Content-Type: $_h_type"
		echo "Content-Security-Policy: $CSP"
		echo "X-Content-Type-Options: nosniff"
		echo "Referrer-Policy: no-referrer"
		echo "Cache-Control: $_h_cache"
		for _x in "$@"; do case $_x in Connection:*) ;; *) echo "$_x" ;; esac; done
		echo "Content-Length: $(wc -c <"$T/b" | tr -d ' ')"
		echo
	} >"$T/h.want"
	check_same "$_h_name" "$T/h.want" "$T/h"
}

html_headers() {
	headers "$1" "$2" "text/html; charset=utf-8" no-store
}

text_headers() {
	_t_name=$1 _t_status=$2
	shift 2
	headers "$_t_name" "$_t_status" "text/plain; charset=utf-8" no-store "$@"
}

# answers: the answers as the landing database holds them.
answers() {
	sqlite3 -batch "$T/landing.db" "SELECT seq, request, purpose, answer,
	    at, ip, user_agent, substr(text_sha256, 1, 8), fetched
	    FROM answers ORDER BY seq"
}

nanswers() {
	sqlite3 -batch "$T/landing.db" "SELECT count(*) FROM answers"
}

api() {
	fetch "/api/v1/answers$1" -H "Authorization: Bearer api-key-0123456789"
}

token() {
	"$TOOLS/token-make" "$T/landing.key" "$@"
}

# ---- the configuration, the secrets, the tokens ----

mkdir run
printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
printf 'api-key-0123456789\n' >api.key
chmod 600 landing.key api.key
cat >consent.conf <<'X'
[company]
name = Bil & Motor Ærø AS
lang = nb
info.nb = Vi sender tilbud på service og nye biler.
  Du kan trekke samtykket når som helst.

  Les mer i personvernerklæringen.
info.sv = Vi skickar erbjudanden om service och nya bilar.
policy_url = https://bilmotor.example/personvern?a=1&b=2

[purpose.newsletter]
active = no

[purpose.club]
title.nb = Kundeklubb "Pluss" & <rabatter>
title.sv = Kundklubben

[landing]
db = landing.db
secret_file = landing.key
api_key_file = api.key
X

# Purposes by bit: service 1, emarketing 2, partners 4, profiling 8,
# newsletter 16 (inactive), club 32.
NB=$(token r 101 2026-12-08T12:00:00Z 54 nb)
SV=$(token r 102 2026-12-08T12:00:00Z 6 sv)
OLD=$(token r 103 2026-11-30T12:00:00Z 6 sv)
DE=$(token r 104 2026-12-08T12:00:00Z 6 de)
PREF=$(token p 105 2026-12-08T12:00:00Z 6 nb)
LONG=$(token r 106 2027-03-01T12:00:00Z 2 en)
# One character changed: the signature no longer matches.
case $NB in
?????????????????????A*) TAMPERED=$(echo "$NB" | sed 's/^\(.\{21\}\)./\1B/') ;;
*) TAMPERED=$(echo "$NB" | sed 's/^\(.\{21\}\)./\1A/') ;;
esac
NB8=$(printf '%.8s' "$NB")

# ---- usage and start-up errors ----

check "--help exits 0" "$BIN/consent-landing" --help
grep_ok "--help prints the usage on stdout" \
    "usage: consent-landing [--listen addr:port] [--db file] [--config file] [--threads n]" "$T/out"
check "--version exits 0" "$BIN/consent-landing" --version
is "--version names the tool" "consent-landing (consent) 0.1.0" "$(cat "$T/out")"
expect_code 2 "an unknown option is a usage error" "$BIN/consent-landing" --bogus
expect_code 2 "an argument is a usage error" "$BIN/consent-landing" extra

printf '[landing]\nsecret_file = missing.key\n' >nosecret.conf
expect_code 2 "a missing secret file stops it" \
    "$BIN/consent-landing" --config "$T/nosecret.conf" --listen 127.0.0.1:0
is "the message names the secret file" \
    "consent-landing: $T/nosecret.conf:2: $T/missing.key: No such file or directory" \
    "$(cat "$T/err")"
printf 'too short\n' >short.key
chmod 600 short.key
printf '[landing]\nsecret_file = short.key\n' >short.conf
expect_code 2 "a secret shorter than 32 bytes stops it" \
    "$BIN/consent-landing" --config "$T/short.conf" --listen 127.0.0.1:0
is "the message says how long it must be" \
    "consent-landing: [landing] secret_file: the secret is 9 bytes, and must be 32 or more (head -c 32 /dev/urandom | base64 makes one)" \
    "$(cat "$T/err")"
printf '[landing]\n' >nokey.conf
expect_code 2 "no secret_file stops it" \
    "$BIN/consent-landing" --config "$T/nokey.conf" --listen 127.0.0.1:0
is "the message names the key" \
    "consent-landing: $T/nokey.conf: [landing] secret_file is not set" \
    "$(cat "$T/err")"
expect_code 2 "a bad listen address stops it" \
    "$BIN/consent-landing" --config "$T/consent.conf" --db "$T/x.db" \
    --listen 127.0.0.1
is "the message says what is wanted" \
    "consent-landing: --listen: '127.0.0.1': want ADDR:PORT, such as 127.0.0.1:8080" \
    "$(cat "$T/err")"
expect_code 2 "a database that cannot be opened stops it" \
    "$BIN/consent-landing" --config "$T/consent.conf" \
    --db "$T/no/such/dir/landing.db" --listen 127.0.0.1:0
is "the message names the database" \
    "consent-landing: $T/no/such/dir/landing.db: No such file or directory" \
    "$(cat "$T/err")"
expect_code 2 "a bad --threads stops it" \
    "$BIN/consent-landing" --config "$T/consent.conf" --threads 0

# ---- the service starts ----

start consent.conf
is "it says where it listens" \
    "consent-landing: listening on 127.0.0.1:$PORT" "$(head -1 landing.log)"
is "the database is [landing] db, next to the configuration" yes \
    "$([ -e "$T/landing.db" ] && [ ! -e "$T/run/landing.db" ] && echo yes)"
is "the database is mode 0600" 600 "$(stat -c %a landing.db)"
is "the database is in WAL mode, schema 1" "wal 1" \
    "$(sqlite3 -batch landing.db 'PRAGMA journal_mode' 'PRAGMA user_version' | tr '\n' ' ' | sed 's/ $//')"
expect_code 2 "a port in use stops a second one" \
    "$BIN/consent-landing" --config "$T/consent.conf" --db "$T/y.db" \
    --listen "127.0.0.1:$PORT"
is "the message says why" \
    "consent-landing: 127.0.0.1:$PORT: cannot listen: Address already in use" \
    "$(cat "$T/err")"

# ---- the page ----

fetch "/c/$NB"
html_headers "the nb page: headers" "200 OK"
cat >page.want <<X
<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Bil &amp; Motor Ærø AS: samtykke</title>
<link rel="stylesheet" href="../style.css">
</head>
<body>
<main>
<h1>Bil &amp; Motor Ærø AS</h1>
<p class="info">Vi sender tilbud på service og nye biler.<br>
Du kan trekke samtykket når som helst.</p>
<p class="info">Les mer i personvernerklæringen.</p>
<form method="post" action="$NB">
<fieldset>
<legend>Kryss av for det du sier ja til:</legend>
<div class="purpose"><input type="checkbox" name="p" value="emarketing" id="p-emarketing"><label for="p-emarketing">E-post- og SMS-markedsføring</label></div>
<div class="purpose"><input type="checkbox" name="p" value="partners" id="p-partners"><label for="p-partners">Deling med utvalgte partnere</label></div>
<div class="purpose"><input type="checkbox" name="p" value="club" id="p-club"><label for="p-club">Kundeklubb &quot;Pluss&quot; &amp; &lt;rabatter&gt;</label></div>
</fieldset>
<p><button type="submit">Lagre svaret</button></p>
</form>
<p class="policy"><a href="https://bilmotor.example/personvern?a=1&amp;b=2">Personvernerklæring</a></p>
</main>
</body>
</html>
X
check_same "the nb page: the info text, one unticked box per active purpose, escaped" \
    page.want b
cp b nb.html
is "the page has no script" 0 "$(grep -ci '<script\|javascript:\| on[a-z]*=' b)"
is "the access log line cuts the token" \
    "consent-landing: 127.0.0.1 \"GET /c/$NB8… HTTP/1.1\" 200 $(wc -c <b | tr -d ' ')" \
    "$(tail -1 landing.log)"

fetch "/c/$SV"
html_headers "the sv page: headers" "200 OK"
cat >page.want <<X
<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Bil &amp; Motor Ærø AS: samtycke</title>
<link rel="stylesheet" href="../style.css">
</head>
<body>
<main>
<h1>Bil &amp; Motor Ærø AS</h1>
<p class="info">Vi skickar erbjudanden om service och nya bilar.</p>
<form method="post" action="$SV">
<fieldset>
<legend>Kryssa i det du säger ja till:</legend>
<div class="purpose"><input type="checkbox" name="p" value="emarketing" id="p-emarketing"><label for="p-emarketing">Marknadsföring via e-post och sms</label></div>
<div class="purpose"><input type="checkbox" name="p" value="partners" id="p-partners"><label for="p-partners">Delning med utvalda partner</label></div>
</fieldset>
<p><button type="submit">Spara svaret</button></p>
</form>
<p class="policy"><a href="https://bilmotor.example/personvern?a=1&amp;b=2">Integritetspolicy</a></p>
</main>
</body>
</html>
X
check_same "the sv page" page.want b

fetch "/c/$DE"
is "a language without words of its own gets the company's" \
    '200 <html lang="nb"> Lagre svaret' \
    "$CODE $(grep -o '<html lang="[a-z]*">' b) $(sed -n 's/.*<button type="submit">\(.*\)<\/button>.*/\1/p' b)"

fetch "/c/$NB" -I
cp nb.html b	# the length is the page's, the body is not sent
html_headers "HEAD gives the page's headers" "200 OK"

fetch /style.css
headers "the stylesheet: headers, cacheable" "200 OK" "text/css; charset=utf-8" \
    "public, max-age=86400"
grep_ok "the stylesheet keeps lines short on a phone" "max-width: 40em;" b

# ---- the text shown ----

cat >text.want <<'X'
Language: nb
Company: Bil & Motor Ærø AS

Vi sender tilbud på service og nye biler.
Du kan trekke samtykket når som helst.

Les mer i personvernerklæringen.

Kryss av for det du sier ja til:
[ ] E-post- og SMS-markedsføring
[ ] Deling med utvalgte partnere
[ ] Kundeklubb "Pluss" & <rabatter>

[Lagre svaret]

Personvernerklæring: https://bilmotor.example/personvern?a=1&b=2
X
SHA_NB=$(sha256sum text.want | cut -d' ' -f1)
SHA_NB8=$(printf '%.8s' "$SHA_NB")
sqlite3 -batch landing.db "SELECT writefile('$T/text.got', body) FROM texts
    WHERE sha256 = '$SHA_NB'" >/dev/null
check_same "the text shown is kept, as plain text, under its SHA-256" \
    text.want text.got
is "the texts: one per distinct text, numbered per language, dated when first shown" \
    "nb|1|2026-12-01T12:00:00Z
nb|2|2026-12-01T12:00:00Z
sv|1|2026-12-01T12:00:00Z" \
    "$(sqlite3 -batch landing.db 'SELECT lang, version, first_shown FROM texts ORDER BY lang, version')"
is "the nb page's text is version 1" 1 \
    "$(sqlite3 -batch landing.db "SELECT version FROM texts WHERE sha256 = '$SHA_NB'")"
is "showing pages records no answer" 0 "$(nanswers)"

# ---- answering ----

fetch "/c/$NB" -d p=emarketing
html_headers "the confirmation: headers" "200 OK"
cat >page.want <<X
<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Bil &amp; Motor Ærø AS: Takk for svaret</title>
<link rel="stylesheet" href="../style.css">
</head>
<body>
<main>
<h1>Bil &amp; Motor Ærø AS</h1>
<h2>Takk for svaret</h2>
<ul class="answers">
<li>E-post- og SMS-markedsføring: <strong>Ja</strong></li>
<li>Deling med utvalgte partnere: <strong>Nei</strong></li>
<li>Kundeklubb &quot;Pluss&quot; &amp; &lt;rabatter&gt;: <strong>Nei</strong></li>
</ul>
<p>Du kan endre svaret gjennom den samme lenken fram til 8.12.2026.</p>
<p class="again"><a href="$NB">Endre svaret</a></p>
<p class="policy"><a href="https://bilmotor.example/personvern?a=1&amp;b=2">Personvernerklæring</a></p>
</main>
</body>
</html>
X
check_same "the confirmation lists the answers and the date" page.want b
is "the first answer records every purpose: granted and denied" \
    "1|101|emarketing|granted|2026-12-01T12:00:00Z|127.0.0.1|$UA|$SHA_NB8|
2|101|partners|denied|2026-12-01T12:00:00Z|127.0.0.1|$UA|$SHA_NB8|
3|101|club|denied|2026-12-01T12:00:00Z|127.0.0.1|$UA|$SHA_NB8|" \
    "$(answers)"

fetch "/c/$NB"
is "the revisit says the customer answered" 1 \
    "$(grep -c '^<p class="earlier">Du har svart før. Her ser du svaret ditt, og du kan endre det.</p>$' b)"
is "the revisit shows the granted box ticked, the others not" \
    '<input type="checkbox" name="p" value="emarketing" id="p-emarketing" checked>
<input type="checkbox" name="p" value="partners" id="p-partners">
<input type="checkbox" name="p" value="club" id="p-club">' \
    "$(grep -o '<input type="checkbox"[^>]*>' b)"

fetch "/c/$NB" -d ''
is "unticking a granted purpose withdraws it, and only that is recorded" \
    "4|101|emarketing|withdrawn|2026-12-01T12:00:00Z|127.0.0.1|$UA|$SHA_NB8|" \
    "$(answers | sed -n '4,$p')"
grep_ok "the confirmation says no" \
    "<li>E-post- og SMS-markedsføring: <strong>Nei</strong></li>" b
fetch "/c/$NB" -d ''
is "sending the same choices again records nothing" "200 4" "$CODE $(nanswers)"
fetch "/c/$NB" -d 'p=newsletter&p=bogus&x=emarketing'
is "an inactive purpose, an unknown one and other fields are ignored" \
    "200 4" "$CODE $(nanswers)"

fetch "/c/$SV" -A 'Mozilla/5.0 (X11, "quoted")' \
    -H 'X-Forwarded-For: 10.9.9.9, 192.0.2.7' --data 'p=partners'
is "behind a local proxy the address is X-Forwarded-For's last" \
    "5|102|emarketing|denied|192.0.2.7|Mozilla/5.0 (X11, \"quoted\")
6|102|partners|granted|192.0.2.7|Mozilla/5.0 (X11, \"quoted\")" \
    "$(sqlite3 -batch landing.db 'SELECT seq, request, purpose, answer, ip, user_agent FROM answers WHERE seq > 4')"
SHA_SV=$(sqlite3 -batch landing.db "SELECT sha256 FROM texts WHERE lang = 'sv'")
is "the sv answers carry the sv text's hash" "$SHA_SV $SHA_SV" \
    "$(sqlite3 -batch landing.db 'SELECT text_sha256 FROM answers WHERE seq > 4' | tr '\n' ' ' | sed 's/ $//')"
grep_ok "the access log shows the client's address" \
    "consent-landing: 192.0.2.7 \"POST /c/$(printf '%.8s' "$SV")… HTTP/1.1\" 200" landing.log

fetch "/c/$NB" -d p=emarketing -H 'Content-Type: text/plain'
is "a body that is not a form is refused, and nothing recorded" "415 6" \
    "$CODE $(nanswers)"

# ---- bad and expired links ----

cat >bad.want <<'X'
<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Bil &amp; Motor Ærø AS: Ugyldig lenke</title>
<link rel="stylesheet" href="../style.css">
</head>
<body>
<main>
<h1>Bil &amp; Motor Ærø AS</h1>
<h2>Ugyldig lenke</h2>
<p>Lenken er ikke gyldig. Sjekk at hele lenken ble med, eller ta kontakt med oss.</p>
<p class="policy"><a href="https://bilmotor.example/personvern?a=1&amp;b=2">Personvernerklæring</a></p>
</main>
</body>
</html>
X
fetch "/c/$TAMPERED"
html_headers "a tampered token: headers" "404 Not Found"
check_same "a tampered token gets the bad-link page" bad.want b
fetch "/c/$TAMPERED" -d p=emarketing
is "a POST on a tampered token records nothing" "404 6" "$CODE $(nanswers)"
fetch /c/short
check_same "a short token gets the bad-link page" bad.want b
fetch "/c/$PREF"
is "a token of another kind is a bad link" 404 "$CODE"

fetch "/c/$OLD"
html_headers "an expired token: headers" "410 Gone"
cat >page.want <<'X'
<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Bil &amp; Motor Ærø AS: Länken har gått ut</title>
<link rel="stylesheet" href="../style.css">
</head>
<body>
<main>
<h1>Bil &amp; Motor Ærø AS</h1>
<h2>Länken har gått ut</h2>
<p>Den här länken kan inte användas längre. Kontakta oss om du vill svara.</p>
<p class="policy"><a href="https://bilmotor.example/personvern?a=1&amp;b=2">Integritetspolicy</a></p>
</main>
</body>
</html>
X
check_same "an expired token gets the expired page in its language, no form" \
    page.want b
fetch "/c/$OLD" -d p=emarketing
is "a POST on an expired token records nothing" "410 6" "$CODE $(nanswers)"

# ---- other paths, methods, bodies ----

fetch /nothing
text_headers "an unknown path: 404, headers" "404 Not Found"
fetch "/c/$NB" -X PUT
text_headers "PUT: 405, headers" "405 Method Not Allowed" "Allow: GET, HEAD, POST"
fetch /style.css -d x=1
text_headers "POST on the stylesheet: 405" "405 Method Not Allowed" "Allow: GET, HEAD"
head -c 9000 /dev/zero | tr '\0' x >big
fetch "/c/$NB" --data-binary @big
text_headers "a body over 8 KiB: 413, headers" "413 Content Too Large" \
    "Connection: close"
is "and nothing recorded" 6 "$(nanswers)"
fetch "/c/$NB" -H 'Transfer-Encoding: chunked' --data-binary @big
is "a chunked body over 8 KiB: 413, nothing recorded" "413 6" "$CODE $(nanswers)"

# ---- the answers API ----

fetch /api/v1/answers
text_headers "no key: 401, headers" "401 Unauthorized" "WWW-Authenticate: Bearer"
fetch /api/v1/answers -H 'Authorization: Bearer api-key-0123456788'
is "a wrong key: 401" 401 "$CODE"
fetch /api/v1/answers -H 'Authorization: Basic YXBpOmtleQ=='
is "another scheme: 401" 401 "$CODE"
fetch /api/v1/answers -I -H 'Authorization: Bearer api-key-0123456789'
is "HEAD on the API: 200" 200 "$CODE"
is "nothing fetched yet, not even by the HEAD" 0 \
    "$(sqlite3 -batch landing.db 'SELECT count(*) FROM answers WHERE fetched IS NOT NULL')"

api "?after=4&limit=1"
headers "the API: headers" "200 OK" "text/csv; charset=utf-8" no-store
same_text "after and limit page through the answers" \
"seq,request,purpose,answer,at,ip,user_agent,text_sha256
5,102,emarketing,denied,2026-12-01T12:00:00Z,192.0.2.7,\"Mozilla/5.0 (X11, \"\"quoted\"\")\",$SHA_SV" b
is "the rows returned are marked fetched" "5|2026-12-01T12:00:00Z" \
    "$(sqlite3 -batch landing.db 'SELECT seq, fetched FROM answers WHERE fetched IS NOT NULL')"
api ""
same_text "the right key gets every answer as CSV" \
"seq,request,purpose,answer,at,ip,user_agent,text_sha256
1,101,emarketing,granted,2026-12-01T12:00:00Z,127.0.0.1,$UA,$SHA_NB
2,101,partners,denied,2026-12-01T12:00:00Z,127.0.0.1,$UA,$SHA_NB
3,101,club,denied,2026-12-01T12:00:00Z,127.0.0.1,$UA,$SHA_NB
4,101,emarketing,withdrawn,2026-12-01T12:00:00Z,127.0.0.1,$UA,$SHA_NB
5,102,emarketing,denied,2026-12-01T12:00:00Z,192.0.2.7,\"Mozilla/5.0 (X11, \"\"quoted\"\")\",$SHA_SV
6,102,partners,granted,2026-12-01T12:00:00Z,192.0.2.7,\"Mozilla/5.0 (X11, \"\"quoted\"\")\",$SHA_SV" b
api "?after=6"
same_text "nothing after the last" "seq,request,purpose,answer,at,ip,user_agent,text_sha256" b
is "every row is fetched" 6 \
    "$(sqlite3 -batch landing.db "SELECT count(*) FROM answers WHERE fetched = '2026-12-01T12:00:00Z'")"
api "?after=-1"
is "a bad after: 400" 400 "$CODE"
api "?after=99999999999999999999"
is "an after too big: 400" 400 "$CODE"
api "?limit=0"
is "limit 0: 400" 400 "$CODE"
api "?limit=100001"
is "a limit over 100000: 400" 400 "$CODE"

# An answer after the fetch, with a user agent longer than 512 bytes and
# an X-Forwarded-For that is no address.
LONGUA=$(head -c 600 /dev/zero | tr '\0' a)
fetch "/c/$LONG" -A "$LONGUA" -H 'X-Forwarded-For: not-an-address' -d p=emarketing
is "the user agent is cut to 512 bytes; a bad X-Forwarded-For is ignored" \
    "7|106|emarketing|granted|127.0.0.1|512" \
    "$(sqlite3 -batch landing.db 'SELECT seq, request, purpose, answer, ip, length(user_agent) FROM answers WHERE seq = 7')"

is "the access log never holds a whole token" 0 \
    "$(grep -c -e "$NB" -e "$SV" -e "$TAMPERED" -e "$OLD" -e "$LONG" landing.log)"

stop TERM
is "SIGTERM stops it with exit 0" 0 "$STOPPED"
is "and it says so" "consent-landing: stopped by SIGTERM" "$(tail -1 landing.log)"
is "the landing database holds no e-mail address" 0 \
    "$(strings landing.db | grep -c '@')"

# ---- purging after [landing] keep (30 days after the fetch) ----

export CONSENT_NOW=2027-01-05T12:00:00Z
start consent.conf
api ""
same_text "after keep, fetched answers are purged; the others are returned" \
"seq,request,purpose,answer,at,ip,user_agent,text_sha256
7,106,emarketing,granted,2026-12-01T12:00:00Z,127.0.0.1,$(printf '%.512s' "$LONGUA"),$(sqlite3 -batch landing.db 'SELECT text_sha256 FROM answers WHERE seq = 7')" b
is "the database keeps only the unfetched answer, now fetched" \
    "7|2027-01-05T12:00:00Z" \
    "$(sqlite3 -batch landing.db 'SELECT seq, fetched FROM answers')"
is "the texts stay as evidence" 4 \
    "$(sqlite3 -batch landing.db 'SELECT count(*) FROM texts')"
fetch "/c/$NB"
is "a link past its expiry by the clock gets 410 in its language" \
    "410 <html lang=\"nb\"> 0" \
    "$CODE $(grep -o '<html lang="[a-z]*">' b) $(grep -c '<form' b)"
fetch "/c/$LONG" -d ''
is "a new answer after the purge gets a new number" \
    "8|106|emarketing|withdrawn" \
    "$(sqlite3 -batch landing.db 'SELECT seq, request, purpose, answer FROM answers WHERE seq > 7')"
stop TERM
is "stopped again" 0 "$STOPPED"
is "the purged answers are gone from the file" 0 \
    "$(cat landing.db landing.db-wal 2>/dev/null | grep -c 'quoted')"
export CONSENT_NOW=2026-12-01T12:00:00Z

# ---- no API key: no API; keep shorter than expire; SIGINT ----

grep -v '^api_key_file' consent.conf | sed 's/^\[landing\]$/[landing]\nkeep = 1d/' >noapi.conf
start noapi.conf --db "$T/noapi.db"
grep_ok "keep shorter than expire is warned of" \
    "consent-landing: warning: [landing] keep is shorter than expire" landing.log
fetch /api/v1/answers -H 'Authorization: Bearer api-key-0123456789'
text_headers "without api_key_file the API is not there" "404 Not Found"
fetch "/c/$NB"
is "the pages are" 200 "$CODE"
stop INT
is "SIGINT stops it with exit 0" 0 "$STOPPED"
is "and it says so" "consent-landing: stopped by SIGINT" "$(tail -1 landing.log)"

done_testing
