/* store_request: the requests table and the audit events of its states.
 * A request's event names the customer by key, the purposes as the
 * request's list, the channel as its source and the detail (the address
 * it failed on, the server's reason) as its evidence. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "timeutil.h"
#include "util.h"

const char *const rstatus_names[] = {
	"queued", "sending", "sent", "approved", "denied", "expired", "error",
	"cancelled"
};

#define NSTATUS (sizeof rstatus_names / sizeof rstatus_names[0])

int
rstatus_parse(const char *s)
{
	size_t i;

	for (i = 0; i < NSTATUS; i++)
		if (strcmp(s, rstatus_names[i]) == 0)
			return (int)i;
	return -1;
}

int
rstatus_open(enum rstatus st)
{
	return st == RS_QUEUED || st == RS_SENDING || st == RS_SENT;
}

void
request_clear(struct request *r)
{
	free(r->key);
	free(r->channel);
	free(r->address);
	free(r->purposes);
	free(r->lang);
	free(r->detail);
	memset(r, 0, sizeof *r);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return estrdup(t ? (const char *)t : "");
}

static int64_t
col_time(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	int64_t v;

	return t && time_parse((const char *)t, &v) == 0 ? v : 0;
}

/* Read a row of REQUEST_COLUMNS. */
void
store_request_read(sqlite3_stmt *st, struct request *r)
{
	int status = rstatus_parse((const char *)sqlite3_column_text(st, 4));

	r->id = sqlite3_column_int64(st, 0);
	r->customer = sqlite3_column_int64(st, 1);
	r->key = col_dup(st, 2);
	r->channel = col_dup(st, 3);
	/* the CHECK constraint keeps status one of the names */
	r->status = status < 0 ? RS_ERROR : (enum rstatus)status;
	r->purposes = col_dup(st, 5);
	r->lang = col_dup(st, 6);
	r->created = col_time(st, 7);
	r->sent = col_time(st, 8);
	r->expires = col_time(st, 9);
	r->reminded = col_time(st, 10);
	r->answered = col_time(st, 11);
	r->address = col_dup(st, 12);
	r->detail = col_dup(st, 13);
}

static int
request_event(struct store *s, const struct request *r, const char *old)
{
	struct event e = {
		.customer = r->key,
		.purpose = r->purposes,
		.old = old,
		.new_ = rstatus_names[r->status],
		.source = r->channel,
		.evidence = r->detail,
		.request = r->id,
	};

	return audit_append(s, &e, NULL);
}

int
store_request_insert(struct store *s, struct request *r)
{
	sqlite3_stmt *st = store_stmt(s, ST_REQ_INSERT);

	if (!st)
		return -1;
	r->created = s->now;
	sqlite3_bind_int64(st, 1, r->customer);
	bind_text(st, 2, r->channel, 0);
	bind_text(st, 3, rstatus_names[r->status], 0);
	bind_text(st, 4, r->purposes, 0);
	bind_text(st, 5, r->lang, 1);
	bind_text(st, 6, s->nowtext, 0);
	bind_text(st, 7, r->address, 1);
	bind_text(st, 8, r->detail, 1);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "insert request");
	r->id = sqlite3_last_insert_rowid(s->db);
	store_count_write(s);
	return request_event(s, r, NULL);
}

/* Bind a time, NULL for 0; text lives in buf until the step. */
static void
bind_time(sqlite3_stmt *st, int i, int64_t t, char buf[TIME_RFC3339_LEN])
{
	if (!t) {
		sqlite3_bind_null(st, i);
		return;
	}
	time_format(t, buf);
	sqlite3_bind_text(st, i, buf, -1, SQLITE_STATIC);
}

int
store_request_update(struct store *s, struct request *r, enum rstatus old)
{
	sqlite3_stmt *st = store_stmt(s, ST_REQ_UPDATE);
	char t[4][TIME_RFC3339_LEN];

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	bind_text(st, 2, rstatus_names[r->status], 0);
	bind_time(st, 3, r->sent, t[0]);
	bind_time(st, 4, r->expires, t[1]);
	bind_time(st, 5, r->reminded, t[2]);
	bind_time(st, 6, r->answered, t[3]);
	bind_text(st, 7, r->detail, 1);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "update request");
	store_count_write(s);
	if (old == r->status)
		return 0;
	return request_event(s, r, rstatus_names[old]);
}

/* Step a statement that yields at most one request. */
static int
request_one(struct store *s, sqlite3_stmt *st, struct request *r)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_fail(s, "request");
	store_request_read(st, r);
	sqlite3_reset(st);
	return 1;
}

int
store_request_last(struct store *s, int64_t customer, struct request *r)
{
	sqlite3_stmt *st = store_stmt(s, ST_REQ_LAST);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, customer);
	return request_one(s, st, r);
}

int
store_request_get(struct store *s, int64_t id, struct request *r)
{
	sqlite3_stmt *st = store_stmt(s, ST_REQ_GET);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return request_one(s, st, r);
}

int
store_each_request(struct store *s, enum rstatus status,
    int (*fn)(void *arg, struct request *r), void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	/* its own statement: fn may use the shared ones (an update) */
	if (sqlite3_prepare_v2(s->db, "SELECT " REQUEST_COLUMNS " FROM"
	    " requests r JOIN customers c ON c.id = r.customer WHERE"
	    " r.status = ?1 ORDER BY r.id", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "requests");
	sqlite3_bind_text(st, 1, rstatus_names[status], -1, SQLITE_STATIC);
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
