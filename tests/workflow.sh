# tests/workflow.sh: what the workflow tests (tests/9NNN-workflow-*.t)
# share, sourced after lib.sh:
#
#   . "${0%/*}/lib.sh"
#   . "$TOP/tests/workflow.sh"     # (lib.sh has moved into $T)
#
# The real parts on loopback: start_smtp, start_sms, start_landing,
# stop_landing, mails and smses of tests/servers.sh, and:
#   browse URL ACTION...      headless Chromium (tests/tools/browser.py):
#                             what the page shows, in $T/browser.out
#   mail_link ADDRESS         the link in the mail the SMTP server got for
#                             ADDRESS (the newest, when there are several)
#   sms_link NUMBER           the link in the newest SMS to NUMBER (E.164)
#   relink URL                the link, to the landing service's port now
#   day TIME                  CONSENT_NOW for the steps that follow
#   excel_export FILE ROW...  the rows as Excel writes them (cp1252, CRLF)
# The recipes of consent(7):
#   recipe TITLE [N]          the Nth literal block of the subsection TITLE
#                             of WORKFLOWS in $WORKFLOW_MAN (default
#                             man/consent.7), as a reader copies it;
#                             without N, how many blocks it has
#   run_recipe TITLE N        run that block with sh -e in $T, its stdout
#                             and stderr in $T/out and $T/err; returns its
#                             status
#
# A test without Chromium, ChromeDriver, selenium or aiosmtpd skips (they
# come with scripts/install-deps).

PY=/usr/bin/python3
WORKFLOW_MAN=${WORKFLOW_MAN:-$TOP/man/consent.7}
if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ] ||
    ! "$PY" -c 'import selenium, aiosmtpd' 2>/dev/null; then
	echo "1..0 # SKIP no chromium, chromedriver, selenium or aiosmtpd (scripts/install-deps)"
	exit 0
fi
. "$TOP/tests/servers.sh"

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

# day TIME: the clock of the steps that follow.
day() {
	CONSENT_NOW=$1
	export CONSENT_NOW
}

# excel_export FILE ROW...: the rows (UTF-8, ';' between the fields) as
# Excel writes them: Windows-1252, CRLF.
excel_export() {
	_x_file=$1
	shift
	printf '%s\r\n' "$@" | iconv -f UTF-8 -t CP1252 >"$_x_file"
}
