# tests/lib.sh: the TAP helpers every test script sources.
#
#   . "${0%/*}/lib.sh"
#   check "name" command...        # ok when the command exits 0
#   check_same "name" expected actual   # files; shows diff -u on a difference
#   expect_code N "name" command...     # ok when the command exits N (a
#                                       # signal is always a failure)
#   must_fail "name" command...    # ok on exit 1..125 (never a signal)
#   is "name" expected actual      # ok when two strings are equal
#   gives "name" N expected command... # exits N, stdout is expected
#   no_stdout "name"               # the last run wrote nothing on stdout
#   err_is "name" text             # the last run's stderr is exactly text
#   fails "name" message command...    # exit 2, only message on stderr
#   done_testing                   # prints the plan; call at the end
#
# The test servers on loopback, each on a port of the kernel's choosing:
#   start_server NAME SCRIPT [ARGS...]  tests/tools/SCRIPT run by $PY
#                                  (python3 if unset), its records in
#                                  $T/NAME/, its stderr in $T/NAME.log, its
#                                  pid in $T/NAME.pid and PIDS (for the
#                                  test's trap to kill); sets PORT.
#                                  One of that NAME still running is
#                                  stopped first.
#   stop_server NAME               stops it and waits for it
#   landing_port LOG               up to 10 s for consent-landing's
#                                  "listening on" line in LOG; prints the
#                                  port (nothing when it never came)
#
# Every script runs in its own scratch folder ($T), removed on exit.  The
# command's stdout and stderr of the last run are kept in $T/out and $T/err
# so that a test can look at them.

set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/consent-test.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
TOP=${CONSENT_TOP:-$(cd "${0%/*}/.." && pwd)}
cd "$T" || exit 2
unset CONSENT_DB CONSENT_CONFIG CONSENT_NOW
export CONSENT_NOW=2026-12-01T12:00:00Z
export CONSENT_DB="$T/consent.db"
export LC_ALL=C.UTF-8
_n=0
_failed=0

_ok() {
	_n=$((_n + 1))
	echo "ok $_n - $1"
}

_not_ok() {
	_n=$((_n + 1))
	_failed=$((_failed + 1))
	echo "not ok $_n - $1"
	_not_ok_name=$1
	shift
	# the why on stderr, so that prove shows it without -v (in CI)
	{
		echo "# not ok $_n - $_not_ok_name"
		for _line in "$@"; do printf '#   %s\n' "$_line"; done
		if [ -s "$T/err" ]; then
			echo "# stderr:"
			sed 's/^/#   /' "$T/err" | head -20
		fi
	} >&2
}

# run CMD...: run it, keep stdout in $T/out and stderr in $T/err, return
# its status.
run() {
	"$@" >"$T/out" 2>"$T/err"
}

check() {
	_name=$1; shift
	if run "$@"; then _ok "$_name"; else _not_ok "$_name" "exit $?: $*"; fi
}

expect_code() {
	_want=$1 _name=$2; shift 2
	run "$@"
	_got=$?
	if [ "$_got" -eq "$_want" ]; then
		_ok "$_name"
	else
		_not_ok "$_name" "expected exit $_want, got $_got: $*"
	fi
}

must_fail() {
	_name=$1; shift
	run "$@"
	_got=$?
	if [ "$_got" -ge 1 ] && [ "$_got" -le 125 ]; then
		_ok "$_name"
	else
		_not_ok "$_name" "expected failure, got exit $_got: $*"
	fi
}

check_same() {
	_name=$1
	if diff -u "$2" "$3" >"$T/diff" 2>&1; then
		_ok "$_name"
	else
		_not_ok "$_name" "$(cat "$T/diff")"
	fi
}

# same_text NAME EXPECTED-STRING FILE: compare a file with a string.
same_text() {
	printf '%s\n' "$2" >"$T/expected"
	check_same "$1" "$T/expected" "$3"
}

# grep_ok NAME PATTERN FILE: ok when the fixed string occurs in the file.
grep_ok() {
	if grep -qF -- "$2" "$3"; then _ok "$1"; else _not_ok "$1" "'$2' not in $3" "$(head -5 "$3")"; fi
}

# is NAME EXPECTED ACTUAL: ok when the two strings are equal.  (The
# import and erase tests have an is of their own that runs a command.)
is() {
	if [ "$2" = "$3" ]; then _ok "$1"; else _not_ok "$1" "expected: $2" "got:      $3"; fi
}

# gives NAME CODE EXPECTED COMMAND...: the command exits CODE and writes
# EXPECTED on stdout (nothing when EXPECTED is empty).
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

# no_stdout NAME: the last run wrote nothing on stdout.
no_stdout() {
	check_same "$1" /dev/null "$T/out"
}

# err_is NAME TEXT: the last run's stderr is exactly TEXT (and a newline).
err_is() {
	same_text "$1" "$2" "$T/err"
}

# fails NAME MESSAGE COMMAND...: ok when the command exits 2 with nothing
# on stdout and MESSAGE (and a newline) on stderr.
fails() {
	_f_name=$1 _f_msg=$2
	shift 2
	run "$@"
	_f_got=$?
	{ echo "(exit 2)"; printf '%s\n' "$_f_msg"; } >"$T/want"
	{ echo "(exit $_f_got)"; cat "$T/out" "$T/err"; } >"$T/got"
	check_same "$_f_name" "$T/want" "$T/got"
}

# sql QUERY: the result of a query on the store, '|'-separated.
sql() {
	sqlite3 -batch "$CONSENT_DB" "$1"
}

# status_of ID: the status of request ID in the store.
status_of() {
	sql "SELECT status FROM requests WHERE id = $1"
}

# _wait_file FILE: up to 10 s for FILE to be there and not empty.
_wait_file() {
	_w=0
	while [ ! -s "$1" ] && [ $_w -lt 100 ]; do sleep 0.1; _w=$((_w + 1)); done
}

start_server() {
	_s_name=$1 _s_script=$2
	shift 2
	[ -s "$T/$_s_name.pid" ] && stop_server "$_s_name"
	rm -rf "$T/$_s_name" "$T/$_s_name.port"
	mkdir -p "$T/$_s_name"
	"${PY:-python3}" "$TOP/tests/tools/$_s_script" --dir "$T/$_s_name" \
	    --port-file "$T/$_s_name.port" "$@" 2>"$T/$_s_name.log" &
	PIDS="${PIDS:-} $!"
	echo $! >"$T/$_s_name.pid"
	_wait_file "$T/$_s_name.port"
	PORT=$(cat "$T/$_s_name.port" 2>/dev/null)
}

stop_server() {
	kill "$(cat "$T/$1.pid")" 2>/dev/null
	wait "$(cat "$T/$1.pid")" 2>/dev/null
	rm -f "$T/$1.pid"
}

landing_port() {
	_w=0
	while ! grep -q '^consent-landing: listening on ' "$1" 2>/dev/null &&
	    [ $_w -lt 100 ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
	sed -n 's/^consent-landing: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null | head -1
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
	exit $?
}
