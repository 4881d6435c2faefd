#!/bin/sh
# consent-landing under abuse, on loopback and in a few seconds: the
# start-up errors of the limit keys; slow clients cut off after
# [landing] timeout; more connections from one address than
# per_ip_connections refused while other addresses are served, and that
# address served again once they go; a body over 8 KiB refused (413);
# POSTs over post_rate and failed link and API key checks over
# bad_token_rate answered 429 with Retry-After and the usual headers,
# per address, while good GETs of the same address get 200, and a good
# POST accepted again after Retry-After; nothing recorded by a refused
# POST; the service up at the end, its answers API working, a clean stop.
# Throughout, a good client on another address (127.0.0.2) fetches a page
# and the stylesheet; what it was served is printed as
#   # served N good requests under abuse
. "${0%/*}/lib.sh"

BIN=${CONSENT_BIN:-$TOP/bin}
TOOLS=${CONSENT_TEST_TOOLS:-$TOP/obj/tools}
ABUSE="$TOP/tests/tools/landing-abuse.py"
LPID= GPID= HPID= SPID=
trap 'for _p in $LPID $GPID $HPID $SPID; do kill "$_p" 2>/dev/null; done; rm -rf "$T"' EXIT

CSP="default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
KEY="api-key-0123456789"

# start CONFIG: the service on a port of the kernel's choosing, its
# stderr in landing.log; PORT, URL.
start() {
	: >"$T/landing.log"
	(cd "$T/run" && exec "$BIN/consent-landing" --listen 127.0.0.1:0 \
	    --config "$T/$1" 2>>"$T/landing.log") &
	LPID=$!
	PORT=$(landing_port "$T/landing.log")
	URL=http://127.0.0.1:$PORT
}

# code PATH [CURL-ARGS...]: the status of one request ("000": no reply).
code() {
	_path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$URL$_path"
}

# codes N PATH [CURL-ARGS...]: the statuses of N requests, made by one
# curl on one connection where the server keeps it, so in a blink.
codes() {
	_n=$1 _path=$2
	shift 2
	_urls=
	_i=0
	while [ $_i -lt "$_n" ]; do
		_urls="$_urls -o /dev/null $URL$_path"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086
	curl -s -w '%{http_code} ' --max-time 10 "$@" $_urls |
	    sed 's/ $//'
}

# fetch PATH [CURL-ARGS...]: the headers in h (CR and Date dropped), the
# body in b.
fetch() {
	_path=$1
	shift
	rm -f "$T/h.raw" "$T/b"
	curl -s -D "$T/h.raw" -o "$T/b" --max-time 10 "$@" "$URL$_path"
	tr -d '\r' <"$T/h.raw" | grep -v '^Date: ' >"$T/h"
	[ -e "$T/b" ] || : >"$T/b"
}

# limited NAME [EXTRA-HEADER...]: h and b are a 429, exactly.
limited() {
	_l_name=$1
	shift
	{
		echo "HTTP/1.1 429 Too Many Requests"
		for _x in "$@"; do echo "$_x"; done
		echo "Content-Type: text/plain; charset=utf-8"
		echo "Content-Security-Policy: $CSP"
		echo "X-Content-Type-Options: nosniff"
		echo "Referrer-Policy: no-referrer"
		echo "Cache-Control: no-store"
		echo "Retry-After: 1"
		echo "Content-Length: 18"
		echo
	} >"$T/h.want"
	check_same "$_l_name: 429, the headers" "$T/h.want" "$T/h"
	same_text "$_l_name: 429, the body" "too many requests" "$T/b"
}

answers() {
	sqlite3 -batch "$T/landing.db" \
	    "SELECT request, purpose, answer, ip FROM answers ORDER BY seq"
}

token() {
	"$TOOLS/token-make" "$T/landing.key" "$@"
}

# ---- the configuration, the tokens ----

mkdir run
printf 'landing secret for the tests, 32+ bytes long\n' >landing.key
printf '%s\n' "$KEY" >api.key
chmod 600 landing.key api.key
cat >base.conf <<'X'
[company]
name = Bil & Motor AS
lang = nb

[landing]
db = landing.db
secret_file = landing.key
api_key_file = api.key
X
{
	cat base.conf
	cat <<'X'
timeout = 2
per_ip_connections = 4
post_rate = 3/3s
bad_token_rate = 3/3s
X
} >consent.conf

# emarketing is bit 2.
GOOD=$(token r 201 2026-12-08T12:00:00Z 2 nb)
OTHER=$(token r 202 2026-12-08T12:00:00Z 2 nb)
OLD=$(token r 203 2026-11-30T12:00:00Z 2 nb)
case $GOOD in
?????????????????????A*) BAD=$(echo "$GOOD" | sed 's/^\(.\{21\}\)./\1B/') ;;
*) BAD=$(echo "$GOOD" | sed 's/^\(.\{21\}\)./\1A/') ;;
esac

# ---- the keys' start-up errors ----

# bad KEY VALUE MESSAGE: the service refuses to start, exit 2.
bad() {
	{ cat base.conf; printf '%s = %s\n' "$1" "$2"; } >bad.conf
	expect_code 2 "[landing] $1 = $2 stops it" \
	    "$BIN/consent-landing" --config "$T/bad.conf" --listen 127.0.0.1:0
	is "[landing] $1 = $2: the message" "consent-landing: $3" \
	    "$(cat "$T/err")"
}
bad timeout 0 "[landing] timeout: '0': want seconds, 1 to 3600"
bad timeout 30s "[landing] timeout: '30s': want seconds, 1 to 3600"
bad per_ip_connections 1025 \
    "[landing] per_ip_connections: '1025': want 0 (no limit) to 1024"
bad per_ip_connections -1 \
    "[landing] per_ip_connections: '-1': want 0 (no limit) to 1024"
bad post_rate 20/m \
    "[landing] post_rate: bad rate '20/m': want N/s, N/min or N/h (such as 30/min, or 5/10s), or off"
bad bad_token_rate 0/min \
    "[landing] bad_token_rate: bad rate '0/min': want N/s, N/min or N/h (such as 30/min, or 5/10s), or off"
bad bad_token_rate 5/0s \
    "[landing] bad_token_rate: bad rate '5/0s': want N/s, N/min or N/h (such as 30/min, or 5/10s), or off"

# ---- under abuse ----

: >"$T/err"

start consent.conf
is "the service starts with the limits" "200" "$(code /style.css)"

# The good client, on its own address, all along.
rm -f stop
python3 "$ABUSE" good "$PORT" "$T/stop" 127.0.0.2 "/c/$OTHER" /style.css \
    >good.out 2>good.err &
GPID=$!

# Slow clients: half a request line, then nothing.
python3 "$ABUSE" slow "$PORT" 3 1.5 6 127.0.0.3 >slow.out &
SPID=$!
sleep 0.5
is "a good GET is answered while slow clients wait" "200" "$(code "/c/$GOOD")"
wait "$SPID"
SPID=
is "slow clients are cut off after the 2 s timeout, without a reply" \
    "cut off" "$(cat slow.out)"

# More connections from one address than per_ip_connections, each
# sending a header a byte at a time.
python3 "$ABUSE" hold "$PORT" 6 3 "$T/hold" 127.0.0.1 &
HPID=$!
_i=0
while [ ! -e hold ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
is "of 6 connections from one address, 4 stay and 2 are refused" \
    "open 4 refused 2" "$(head -1 hold)"
is "a request of that address is refused meanwhile" "000" \
    "$(code /style.css)"
is "a request of another address is served meanwhile" "200" \
    "$(code /style.css --interface 127.0.0.4)"
wait "$HPID"
HPID=
is "the holder went" "done" "$(sed -n 2p hold)"
_i=0
while [ "$(code "/c/$GOOD")" != 200 ] && [ $_i -lt 20 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
is "once they go, that address is served again" "200" "$(code "/c/$GOOD")"

# A body over BODY_MAX (from another address, to leave the POST rate of
# 127.0.0.1 whole).
head -c 9000 /dev/zero | tr '\0' a >big
is "a body over 8 KiB gets 413" "413" \
    "$(code "/c/$GOOD" -H 'X-Forwarded-For: 198.51.100.1' \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary @big)"

# POSTs over the rate: 3 at once, then one a second.
is "POSTs over post_rate get 429" "200 200 200 429 429" \
    "$(codes 5 "/c/$GOOD" -d p=emarketing)"
fetch "/c/$GOOD" -d p=emarketing
limited "a POST over the rate" "Connection: close"
is "a good GET of that address is answered meanwhile" "200" \
    "$(code "/c/$GOOD")"
is "the stylesheet of that address is answered meanwhile" "200" \
    "$(code /style.css)"
is "a POST of another address is accepted meanwhile" "200" \
    "$(code "/c/$GOOD" -H 'X-Forwarded-For: 192.0.2.7' -d '')"
sleep 1
is "after Retry-After, a good POST of that address is accepted" "200" \
    "$(code "/c/$GOOD" -d p=emarketing)"
is "the refused POSTs recorded nothing" "201|emarketing|granted|127.0.0.1
201|emarketing|withdrawn|192.0.2.7
201|emarketing|granted|127.0.0.1" "$(answers)"

# Failed link checks over the rate: tampered and expired alike.
is "bad and expired links over bad_token_rate get 429" \
    "404 410 404 429 429" \
    "$(code "/c/$BAD") $(code "/c/$OLD") $(codes 3 "/c/$BAD")"
fetch "/c/$BAD"
limited "a bad link over the rate"
is "a good GET of that address is answered meanwhile" "200" \
    "$(code "/c/$GOOD")"
is "a bad link of another address gets its 404" "404" \
    "$(code "/c/$BAD" -H 'X-Forwarded-For: 192.0.2.8')"
fetch "/api/v1/answers" -H "Authorization: Bearer wrong-key"
limited "a wrong API key of that address, over the rate"
is "the right API key of that address is answered meanwhile" "200" \
    "$(code /api/v1/answers -H "Authorization: Bearer $KEY")"
sleep 1
# (A loaded machine may take longer than the second, and the bucket then
# holds more than one: the rate shows in a burst of four right after.)
is "after Retry-After, a bad link gets its 404 again" "404" "$(code "/c/$BAD")"
burst=$(codes 4 "/c/$BAD")
is "and over the rate again, 429 again" "yes" \
    "$(case " $burst " in *" 429 "*) echo yes ;; *) echo "no: $burst" ;; esac)"
is "a wrong API key of another address gets its 401" "401" \
    "$(code /api/v1/answers -H 'X-Forwarded-For: 192.0.2.8' \
    -H 'Authorization: Bearer wrong-key')"

# ---- afterwards ----

: >stop
wait "$GPID"
GPID=
SERVED=$(sed -n 's/^served \([0-9]*\) failed \([0-9]*\)$/\1/p' good.out)
FAILED=$(sed -n 's/^served \([0-9]*\) failed \([0-9]*\)$/\2/p' good.out)
is "the good client on another address: no request failed" "0" "$FAILED"
if [ "${SERVED:-0}" -ge 20 ]; then
	_ok "the good client was served all along ($SERVED requests)"
else
	_not_ok "the good client was served all along" "served: ${SERVED:-none}" \
	    "$(cat good.err)"
fi
echo "# served $SERVED good requests under abuse"

fetch "/api/v1/answers?after=0" -H "Authorization: Bearer $KEY"
is "the service is up at the end: its answers API works" "HTTP/1.1 200 OK
4" "$(head -1 h)
$(wc -l <b | tr -d ' ')"
grep_ok "the access log holds the 429 of a POST" \
    '"POST /c/'"$(printf '%.8s' "$GOOD")"'… HTTP/1.1" 429 18' landing.log
kill -TERM "$LPID"
wait "$LPID"
is "a clean stop on SIGTERM" "0" "$?"
LPID=

done_testing
