# tests/workflow.sh: what the workflow tests (tests/9NNN-workflow-*.t)
# share, sourced after lib.sh:
#
#   . "${0%/*}/lib.sh"
#   . "$TOP/tests/workflow.sh"     # (lib.sh has moved into $T)
#
# The real parts on loopback, from tests/servers.sh: start_smtp (SMTP,
# $T/mail/), start_sms (SMS, $T/sms/), start_landing and stop_landing
# (LANDING), mails and smses; and here:
#   browse URL ACTION...      headless Chromium (tests/tools/browser.py):
#                             what the page shows, in $T/browser.out
#   mail_link ADDRESS         the link in the mail the SMTP server got for
#                             ADDRESS (the newest, when there are several)
#   sms_link NUMBER           the link in the newest SMS to NUMBER (E.164)
#   relink URL                the link, to the landing service's port now
# The recipes of consent(7):
#   recipe TITLE [N]          the Nth literal block of the subsection TITLE
#                             of WORKFLOWS in $WORKFLOW_MAN (default
#                             man/consent.7), as a reader copies it;
#                             without N, how many blocks it has
#   run_recipe TITLE N        run that block with sh -e in $T, its stdout
#                             and stderr in $T/out and $T/err; returns its
#                             status
# And:
#   is NAME EXPECTED ACTUAL   ok when the two strings are the same
#   gives NAME CODE TEXT CMD...  ok when CMD exits CODE with TEXT on stdout
#
# A test without Chromium, ChromeDriver, selenium or aiosmtpd skips (they
# come with scripts/install-deps).

WORKFLOW_MAN=${WORKFLOW_MAN:-$TOP/man/consent.7}
if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ] ||
    ! /usr/bin/python3 -c 'import selenium, aiosmtpd' 2>/dev/null; then
	echo "1..0 # SKIP no chromium, chromedriver, selenium or aiosmtpd (scripts/install-deps)"
	exit 0
fi
. "$TOP/tests/servers.sh"

is() {
	if [ "$2" = "$3" ]; then _ok "$1"; else _not_ok "$1" "expected: $2" "got:      $3"; fi
}

gives() {
	_g_name=$1 _g_code=$2 _g_text=$3
	shift 3
	run "$@"
	_g_got=$?
	{ [ -z "$_g_text" ] || printf '%s\n' "$_g_text"
	  echo "(exit $_g_code)"; } >"$T/want"
	{ cat "$T/out"; echo "(exit $_g_got)"; } >"$T/got"
	check_same "$_g_name" "$T/want" "$T/got"
}

browse() {
	"$PY" "$TOP/tests/tools/browser.py" "$@" >"$T/browser.out" 2>"$T/browser.err"
}

relink() {
	printf '%s' "$1" | sed "s#^https\{0,1\}://[^/]*/#http://127.0.0.1:$LANDING/#"
}

mail_link() {
	for _j in $(ls "$T"/mail/*.json 2>/dev/null | sort -r); do
		if "$PY" -c 'import json, sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1]))["rcpt_tos"] else 1)' "$_j" "$1"; then
			"$PY" "$TOP/tests/tools/mail-show.py" "${_j%.json}.eml" |
			    grep -o 'https\{0,1\}://[^ ]*/c/[A-Za-z0-9_-]*' | head -1
			return
		fi
	done
}

sms_link() {
	for _j in $(ls "$T"/sms/*.json 2>/dev/null | sort -r); do
		_l=$("$PY" -c 'import json, sys
f = json.load(open(sys.argv[1]))["form"] or {}
if f.get("to") == sys.argv[2]:
    print(f.get("text", ""))' "$_j" "$1" | grep -o 'https\{0,1\}://[^ ]*/c/[A-Za-z0-9_-]*' | head -1)
		if [ -n "$_l" ]; then
			printf '%s\n' "$_l"
			return
		fi
	done
}

recipe() {
	"$PY" "$TOP/tests/tools/man-script.py" "$WORKFLOW_MAN" "$@"
}

run_recipe() {
	recipe "$1" "$2" >"$T/recipe.sh" || return 2
	(cd "$T" && sh -e "$T/recipe.sh") >"$T/out" 2>"$T/err"
}
