# tests/import.sh: the store as a user reads it, for the tests of
# consent-import and consent-erase, sourced after lib.sh:
#
#   customers [COLUMNS [CONDITION]]   one row a customer, '|'-separated
#   consents [COLUMNS [CONDITION]]    one row a customer and purpose
#   events [COLUMNS [CONDITION]]      the audit events in chain order
#   summary READ NEW UPDATED UNCHANGED REJECTED SUPPRESSED CONFLICTS
#                                     consent-import's summary line
#   shows NAME EXPECTED COMMAND...    ok when the command prints EXPECTED
#                                     (stdout and stderr)

# customers [COLUMNS [CONDITION]]
customers() {
	sql "SELECT ${1:-key, name, email, mobile, lang, last_contact,
	    hold_until, status} FROM customers WHERE ${2:-1} ORDER BY key"
}

# consents [COLUMNS [CONDITION]]: key purpose state basis source at dated
# evidence, one row per customer and purpose
consents() {
	sql "SELECT ${1:-key, purpose, state, basis, source, dated} FROM (
	    SELECT c.key AS key, p.name AS purpose, k.state AS state,
	    k.basis AS basis, k.source AS source, k.at AS at, k.dated AS dated,
	    e.evidence AS evidence FROM consents k
	    JOIN customers c ON c.id = k.customer
	    JOIN purposes p ON p.id = k.purpose
	    LEFT JOIN events e ON e.seq = k.event)
	    WHERE ${2:-1} ORDER BY key, purpose"
}

# events [COLUMNS [CONDITION]]: seq actor tool at customer purpose old new
# basis source evidence, in chain order
events() {
	sql "SELECT ${1:-seq, actor, tool, customer, purpose, old, new, basis,
	    source, evidence} FROM (
	    SELECT e.seq AS seq, r.actor AS actor, r.tool AS tool, r.at AS at,
	    e.customer AS customer, e.purpose AS purpose, e.old AS old,
	    e.new AS new, e.basis AS basis, e.source AS source,
	    e.evidence AS evidence FROM events e JOIN runs r ON r.id = e.run)
	    WHERE ${2:-1} ORDER BY seq"
}

# shows NAME EXPECTED COMMAND...: ok when the command prints EXPECTED.
shows() {
	_shows_name=$1 _shows_want=$2
	shift 2
	"$@" >"$T/shows.out" 2>&1
	same_text "$_shows_name" "$_shows_want" "$T/shows.out"
}

# summary READ NEW UPDATED UNCHANGED REJECTED SUPPRESSED CONFLICTS: the
# summary line of consent-import.
summary() {
	echo "consent-import: read $1, new $2, updated $3, unchanged $4, rejected $5, suppressed $6, conflicts $7"
}
