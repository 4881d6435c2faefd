/* store_walk: every customer, then the consents of some purposes, from
 * one snapshot of the store: the filters' consent set.  The consents are
 * read in a second thread, on a read-only connection of its own, while
 * this one reads the customers, so that on two cores the load takes about
 * as long as the customers' walk alone.
 *
 * The two connections must see the same snapshot, and this SQLite has no
 * sqlite3_snapshot_open.  PRAGMA data_version, read twice on the second
 * connection, changes when another connection committed in between; this
 * connection's snapshot is taken between the two reads, so when the value
 * did not change, the three moments saw one store.  When it changed, or
 * the second connection cannot be had, the consents are read here, in the
 * same transaction as the customers. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

struct held_consent {
	int64_t customer;
	uint8_t purpose, state;
};

struct consent_walk {
	struct store *rd;	/* the second connection */
	uint32_t purposes;
	struct held_consent *v;
	size_t n, cap;
	int rc;
	pthread_t thread;
};

static int64_t
data_version(struct store *s)
{
	return store_pragma(s, "PRAGMA data_version");
}

/* A connection for reading only, with s's purposes (store_each_consent
 * maps their row ids to indexes). */
static struct store *
open_reader(const struct store *s)
{
	struct store *rd = ecalloc(1, sizeof *rd);
	size_t i;

	rd->path = estrdup(s->path);
	rd->tombstones = -1;
	if (sqlite3_open_v2(s->path, &rd->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_close(rd);
		return NULL;
	}
	sqlite3_busy_timeout(rd->db, 30000);
	store_walk_cache(rd, 1);
	rd->purposes = ecalloc(s->npurposes + 1, sizeof *rd->purposes);
	for (i = 0; i < s->npurposes; i++) {
		rd->purposes[i].id = s->purposes[i].id;
		rd->purposes[i].name = estrdup(s->purposes[i].name);
		rd->purposes[i].basis = estrdup(s->purposes[i].basis);
		rd->purposes[i].active = s->purposes[i].active;
	}
	rd->npurposes = s->npurposes;
	return rd;
}

static int
exec_quietly(struct store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1;
}

/* Begin the reader's transaction: 1 when its snapshot is the one it saw
 * when data_version was before (and so the one taken in between), else 0
 * and no transaction. */
static int
same_snapshot(struct store *rd, int64_t before)
{
	if (before < 0 || exec_quietly(rd, "BEGIN") < 0)
		return 0;
	if (data_version(rd) == before)
		return 1;
	(void)exec_quietly(rd, "ROLLBACK");
	return 0;
}

static int
hold_consent(void *arg, int64_t customer, size_t purpose, enum cstate state)
{
	struct consent_walk *w = arg;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;

		w->v = erealloc_table(w->v, w->cap, cap, sizeof *w->v);
		w->cap = cap;
	}
	w->v[w->n].customer = customer;
	w->v[w->n].purpose = (uint8_t)purpose;
	w->v[w->n].state = (uint8_t)state;
	w->n++;
	return 0;
}

static void *
walk_consents(void *arg)
{
	struct consent_walk *w = arg;

	w->rc = store_each_consent(w->rd, w->purposes, hold_consent, w);
	return NULL;
}

/* Hand the consents the thread held to fn, in the order it read them. */
static int
deliver(struct store *s, struct consent_walk *w,
    int (*fn)(void *arg, int64_t customer, size_t purpose,
    enum cstate state), void *arg)
{
	size_t i;
	int stop;

	if (w->rc != 0) {
		snprintf(s->err, sizeof s->err, "%s", w->rd->err);
		return -1;
	}
	for (i = 0; i < w->n; i++)
		if ((stop = fn(arg, w->v[i].customer, w->v[i].purpose,
		    (enum cstate)w->v[i].state)) != 0)
			return stop;
	return 0;
}

/* All in this thread, in a transaction already open: a run's, which is
 * one snapshot already (and may hold writes the other connection would
 * not see), or store_walk's own when the second connection cannot share
 * its snapshot. */
static int
walk_here(struct store *s, uint32_t purposes,
    int (*customer_fn)(void *arg, const struct customer *c),
    int (*consent_fn)(void *arg, int64_t customer, size_t purpose,
    enum cstate state), void *arg)
{
	int rc = store_each_customer(s, customer_fn, arg);

	if (rc == 0 && purposes)
		rc = store_each_consent(s, purposes, consent_fn, arg);
	return rc;
}

int
store_walk(struct store *s, uint32_t purposes,
    int (*customer_fn)(void *arg, const struct customer *c),
    int (*consent_fn)(void *arg, int64_t customer, size_t purpose,
    enum cstate state), void *arg)
{
	struct consent_walk w = { 0 };
	int64_t before;
	int rc, apart = 0;

	if (!sqlite3_get_autocommit(s->db))
		return walk_here(s, purposes, customer_fn, consent_fn, arg);
	w.rd = purposes ? open_reader(s) : NULL;
	before = w.rd ? data_version(w.rd) : -1;
	store_walk_cache(s, 1);
	if (exec_quietly(s, "BEGIN") < 0 || data_version(s) < 0) {
		rc = store_fail(s, "begin");
		goto out;
	}
	if (w.rd && !same_snapshot(w.rd, before)) {
		store_close(w.rd);
		w.rd = NULL;
	}
	w.purposes = purposes;
	apart = w.rd && pthread_create(&w.thread, NULL, walk_consents,
	    &w) == 0;
	if (!apart) {
		rc = walk_here(s, purposes, customer_fn, consent_fn, arg);
	} else {
		rc = store_each_customer(s, customer_fn, arg);
		pthread_join(w.thread, NULL);
		if (rc == 0)
			rc = deliver(s, &w, consent_fn, arg);
	}
out:
	if (w.rd)
		(void)exec_quietly(w.rd, "ROLLBACK");
	if (!sqlite3_get_autocommit(s->db))
		(void)exec_quietly(s, "COMMIT");
	store_walk_cache(s, 0);
	store_close(w.rd);
	free_table(w.v, w.cap, sizeof *w.v);
	return rc;
}
