# tests/servers.sh: the real parts on loopback, for the tests that run the
# tools against them; sourced after lib.sh (workflow.sh sources it):
#
#   . "${0%/*}/lib.sh"
#   . "$TOP/tests/servers.sh"      # (lib.sh has moved into $T)
#
# Each server listens on a port of the kernel's choosing (lib.sh's
# start_server and landing_port):
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

start_smtp() {
	start_server mail smtp-server.py
	SMTP=$PORT
}

start_sms() {
	start_server sms sms-gateway.py "$@"
	SMS=$PORT
}

start_landing() {
	: >"$T/landing.err"
	(cd "$T" && exec "$BIN/consent-landing" --listen 127.0.0.1:0 \
	    2>"$T/landing.err") &
	LPID=$!
	PIDS="$PIDS $LPID"
	LANDING=$(landing_port "$T/landing.err")
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
