# tests/servers.sh: the test servers on loopback, for the tests that need
# them without a browser; sourced after lib.sh (workflow.sh sources it):
#
#   . "${0%/*}/lib.sh"
#   . "$TOP/tests/servers.sh"      # (lib.sh has moved into $T)
#
# Each server listens on a port of the kernel's choosing:
#   start_smtp                the SMTP server (tests/tools/smtp-server.py):
#                             SMTP (its port), messages in $T/mail/
#   start_sms [ARGS...]       the SMS gateway stand-in: SMS (its port),
#                             requests in $T/sms/
#   start_landing             consent-landing, run in $T: LANDING (its
#                             port); stop_landing stops it
#   mails, smses              how many arrived so far
# They are stopped when the script exits.  BIN and TOOLS are the built
# binaries and test tools.  A test without aiosmtpd skips (it comes with
# scripts/install-deps).

BIN=${CONSENT_BIN:-$TOP/bin}
TOOLS=${CONSENT_TEST_TOOLS:-$TOP/obj/tools}
PY=/usr/bin/python3
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
	echo "1..0 # SKIP no aiosmtpd (scripts/install-deps)"
	exit 0
fi
PIDS=
LPID=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# _wait_file FILE: up to 10 s for FILE to be there and not empty.
_wait_file() {
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}

start_smtp() {
	rm -rf "$T/mail" "$T/mail.port"
	"$PY" "$TOP/tests/tools/smtp-server.py" --dir "$T/mail" \
	    --port-file "$T/mail.port" 2>"$T/mail.log" &
	PIDS="$PIDS $!"
	_wait_file "$T/mail.port"
	SMTP=$(cat "$T/mail.port")
}

start_sms() {
	rm -rf "$T/sms" "$T/sms.port"
	"$PY" "$TOP/tests/tools/sms-gateway.py" --dir "$T/sms" \
	    --port-file "$T/sms.port" "$@" 2>"$T/sms.log" &
	PIDS="$PIDS $!"
	_wait_file "$T/sms.port"
	SMS=$(cat "$T/sms.port")
}

start_landing() {
	: >"$T/landing.err"
	(cd "$T" && exec "$BIN/consent-landing" --listen 127.0.0.1:0 \
	    2>"$T/landing.err") &
	LPID=$!
	PIDS="$PIDS $LPID"
	_i=0
	while ! grep -q 'listening on' "$T/landing.err" && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	LANDING=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/landing.err" | head -1)
}

stop_landing() {
	if [ -n "$LPID" ]; then
		kill "$LPID" 2>/dev/null
		wait "$LPID" 2>/dev/null
	fi
	LPID=
}

mails() {
	ls "$T"/mail/*.eml 2>/dev/null | wc -l | tr -d ' '
}

smses() {
	ls "$T"/sms/*.json 2>/dev/null | wc -l | tr -d ' '
}
