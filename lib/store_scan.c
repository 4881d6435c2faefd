/* store_scan: whole-table walks for the tools that stream (filters load
 * the consent set once, then read their input). */
#include <sqlite3.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

/* A walk reads each page once, so a big page cache only costs it: the
 * memory, faulted in page by page, and the time that takes (--purpose on
 * 200000 customers loaded in 0.76 s with the usual 32 MiB, 0.38 s with
 * 2 MiB).  The small one is for the walk outside a transaction only: in
 * one, dirty pages would spill to the WAL early. */
#define WALK_CACHE_KIB 2048

static void
set_cache(struct store *s, int kib)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kib);
	(void)sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

static void
walk_cache(struct store *s, int kib)
{
	if (sqlite3_get_autocommit(s->db))
		set_cache(s, kib);
}

void
store_walk_cache(struct store *s, int walking)
{
	set_cache(s, walking ? WALK_CACHE_KIB : STORE_CACHE_KIB);
}

static const char *
text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

int
store_each_customer(struct store *s,
    int (*fn)(void *arg, const struct customer *c), void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT id, key, name, email, mobile,"
	    " lang, last_contact, hold_until, status FROM customers ORDER BY"
	    " id", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "customers");
	walk_cache(s, WALK_CACHE_KIB);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct customer c;

		c.id = sqlite3_column_int64(st, 0);
		c.key = (char *)text(st, 1);
		c.name = (char *)text(st, 2);
		c.email = (char *)text(st, 3);
		c.mobile = (char *)text(st, 4);
		c.lang = (char *)text(st, 5);
		c.last_contact = (char *)text(st, 6);
		c.hold_until = (char *)text(st, 7);
		c.status = strcmp(text(st, 8), "restricted") == 0 ?
		    CUST_RESTRICTED : CUST_ACTIVE;
		stop = fn(arg, &c);
	}
	sqlite3_finalize(st);
	walk_cache(s, STORE_CACHE_KIB);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "customers");
}

/* The consents of the wanted purposes only: a walk delivers a row in
 * about the time it reads three, so "WHERE purpose IN" halves the walk
 * of --purpose on three purposes (the rows are still read in the order
 * of the table, the customers', without an index).  The values are bound;
 * only the number of placeholders is written into the statement. */
static int
consents_query(struct store *s, uint32_t purposes, sqlite3_stmt **st)
{
	struct buf sql = { 0 };
	size_t i, n = 0;
	int rc;

	buf_adds(&sql, "SELECT customer, purpose, state FROM consents");
	for (i = 0; i < s->npurposes && i < 32; i++)
		if (purposes >> i & 1)
			buf_adds(&sql, n++ ? ", ?" : " WHERE purpose IN (?");
	if (n == 0)
		buf_adds(&sql, " WHERE 0");
	else
		buf_adds(&sql, ")");
	buf_addc(&sql, 0);
	rc = sqlite3_prepare_v2(s->db, sql.s, -1, st, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK)
		return -1;
	for (i = 0, n = 0; i < s->npurposes && i < 32; i++)
		if (purposes >> i & 1)
			sqlite3_bind_int64(*st, (int)++n, s->purposes[i].id);
	return 0;
}

int
store_each_consent(struct store *s, uint32_t purposes,
    int (*fn)(void *arg, int64_t customer, size_t purpose,
    enum cstate state), void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (consents_query(s, purposes, &st) < 0)
		return store_fail(s, "consents");
	walk_cache(s, WALK_CACHE_KIB);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int p = store_purpose_by_id(s, sqlite3_column_int64(st, 1));
		int state = cstate_parse(text(st, 2));

		if (p >= 0 && state > 0)
			stop = fn(arg, sqlite3_column_int64(st, 0), (size_t)p,
			    (enum cstate)state);
	}
	sqlite3_finalize(st);
	walk_cache(s, STORE_CACHE_KIB);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "consents");
}
