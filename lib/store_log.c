/* store_log: the reading side of the audit events and the requests, for
 * consent-log(1): a customer's history, its requests, the counts of the
 * consents and of the changes per month.  Nothing here writes.
 *
 * Events carry no index on customer (an index would slow every import
 * for the sake of rare look-ups, store_erase.c says the same), so a
 * customer's history is one pass over the events table. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

static const char *
text_or_null(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The event walk: the run's columns first, then the event's, by the
 * column numbers read_event expects.  ?1 customer, ?2 since, ?3 purpose,
 * each NULL for all; a request's purposes are a comma-separated list. */
static const char event_sql[] =
	"SELECT e.seq, r.at, r.actor, r.tool, e.customer, e.purpose, e.old,"
	" e.new, e.basis, e.source, e.evidence, e.request, e.hash"
	" FROM events e JOIN runs r ON r.id = e.run"
	" WHERE (?1 IS NULL OR e.customer = ?1)"
	" AND (?2 IS NULL OR r.at >= ?2)"
	" AND (?3 IS NULL OR e.purpose = ?3 OR (e.request IS NOT NULL AND"
	" instr(',' || e.purpose || ',', ',' || ?3 || ',') > 0))"
	" ORDER BY e.seq";

static void
read_event(sqlite3_stmt *st, struct log_event *e)
{
	e->seq = sqlite3_column_int64(st, 0);
	e->at = text_or_null(st, 1);
	e->actor = text_or_null(st, 2);
	e->tool = text_or_null(st, 3);
	e->customer = text_or_null(st, 4);
	e->purpose = text_or_null(st, 5);
	e->old = text_or_null(st, 6);
	e->new_ = text_or_null(st, 7);
	e->basis = text_or_null(st, 8);
	e->source = text_or_null(st, 9);
	e->evidence = text_or_null(st, 10);
	e->request = sqlite3_column_int64(st, 11);
	e->hash = sqlite3_column_blob(st, 12);
	e->hashlen = (size_t)sqlite3_column_bytes(st, 12);
}

int
store_each_event(struct store *s, const char *customer, const char *since,
    const char *purpose, int (*fn)(void *arg, const struct log_event *e),
    void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(s->db, event_sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "events");
	bind_text(st, 1, customer, 0);
	bind_text(st, 2, since, 0);
	bind_text(st, 3, purpose, 0);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct log_event e;

		read_event(st, &e);
		stop = fn(arg, &e);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "events");
}

int
store_each_request_of(struct store *s, int64_t customer,
    int (*fn)(void *arg, struct request *r), void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT " REQUEST_COLUMNS " FROM"
	    " requests r JOIN customers c ON c.id = r.customer WHERE"
	    " r.customer = ?1 ORDER BY r.id", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "requests");
	sqlite3_bind_int64(st, 1, customer);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct request r;

		memset(&r, 0, sizeof r);
		store_request_read(st, &r);
		stop = fn(arg, &r);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "requests");
}

int
store_consent_counts(struct store *s, int64_t *ncustomers, int64_t *counts)
{
	sqlite3_stmt *st;
	int rc;

	memset(counts, 0, 4 * s->npurposes * sizeof *counts);
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM customers", -1,
	    &st, NULL) != SQLITE_OK)
		return store_fail(s, "customers");
	*ncustomers = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s->db, "SELECT purpose, state, count(*) FROM"
	    " consents GROUP BY purpose, state", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "consents");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int p = store_purpose_by_id(s, sqlite3_column_int64(st, 0));
		const char *state = text_or_null(st, 1);
		int c = state ? cstate_parse(state) : -1;

		/* a purpose no longer configured is not counted */
		if (p >= 0 && c > 0)
			counts[4 * p + c] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "consents");
}

int
store_each_month_change(struct store *s, const char *since,
    const char *purpose, int (*fn)(void *arg, const char *month,
    const char *purpose, enum cstate st, int64_t n), void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* a consent's event has no request; a request's "denied" is the
	 * request's status, not a consent */
	if (sqlite3_prepare_v2(s->db, "SELECT substr(r.at, 1, 7) AS month,"
	    " e.purpose, e.new, count(*) FROM events e JOIN runs r ON"
	    " r.id = e.run WHERE e.request IS NULL AND e.purpose IS NOT NULL"
	    " AND (e.new = 'granted' OR e.new = 'denied' OR"
	    " e.new = 'withdrawn') AND (?1 IS NULL OR r.at >= ?1)"
	    " AND (?2 IS NULL OR e.purpose = ?2)"
	    " GROUP BY month, e.purpose, e.new ORDER BY month, e.purpose",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "events");
	bind_text(st, 1, since, 0);
	bind_text(st, 2, purpose, 0);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *m = text_or_null(st, 0), *p = text_or_null(st, 1);
		int c = cstate_parse(text_or_null(st, 2));

		if (m && p && c > 0)
			stop = fn(arg, m, p, (enum cstate)c,
			    sqlite3_column_int64(st, 3));
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "events");
}
