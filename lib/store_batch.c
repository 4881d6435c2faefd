/* store_batch: new customers, audit events and new consents written up
 * to BATCH_ROWS at a time, each kind by one multi-row INSERT, for a run
 * that writes millions of them (an import into an empty store).  A
 * one-row statement costs about as much to run (reset, bindings, a write
 * cursor opened and closed) as its row costs to insert; one statement of
 * many rows pays that once.  The rows wait in memory until a kind's batch
 * is full, until the run reads customers or consents (store_customer_get,
 * store_consents_get, store_consent_put's update) or until store_commit,
 * which write all that waits first; a rollback drops it.  The chain is
 * not touched: each event is hashed and numbered when it is appended, as
 * without batching; and a customer's row number is the one SQLite would
 * give it (one more than the largest), given here so that its consents
 * can name it at once.
 *
 * The rows are written by a thread of their own, handed to it when a
 * kind has HANDOVER_ROWS of them, while the run fills the next ones:
 * SQLite's work on a batch (binding, stepping, the B-trees)
 * costs about as much as the run's on its rows (parsing, checking,
 * hashing), and the two need not wait for each other.  The connection is
 * the run's, so only one thread may use it at a time: the writer holds
 * it from the hand-over of a batch until it is written, and every other
 * use of the connection in a batching run first waits for that
 * (batch_wait, called by store_stmt, exec, store_pragma and the few
 * statements prepared in place).  The writer's first error is kept and
 * returned by the next wait, and the run is then rolled back as before. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

#define BATCH_ROWS 32
/* Rows of a kind handed to the writer at once: many statements' worth,
 * so that the two threads meet (a lock, a wake-up) rarely. */
#define HANDOVER_ROWS (16 * BATCH_ROWS)
#define NO_TEXT SIZE_MAX	/* a NULL text */

struct batch_customer {
	int64_t id;
	size_t text[CUSTOMER_TEXTS];	/* offsets in the arena */
	const char *status;
};

struct batch_event {
	int64_t seq, run, request;
	size_t text[EVENT_TEXTS];
	unsigned char hash[AUDIT_HASH_LEN];
};

struct batch_consent {
	int64_t customer, purpose, event;
	const char *state;	/* one of cstate_names */
	size_t basis, source, at;
	int dated;
};

/* The kinds in the order they are written: a consent names its customer
 * (and, by number only, its event). */
enum { K_CUSTOMER, K_EVENT, K_CONSENT, K_COUNT };

/* The columns as in ST_CUST_INSERT (with the row number),
 * ST_EVENT_INSERT and ST_CONSENT_INSERT (store.c). */
static const struct {
	const char *head, *what;
	int params;
} kinds[K_COUNT] = {
	[K_CUSTOMER] = { "INSERT INTO customers(id, key, name, email,"
	    " mobile, lang, last_contact, hold_until, status) VALUES ",
	    "insert customer", 9 },
	[K_EVENT] = { "INSERT INTO events(seq, run, customer, purpose, old,"
	    " new, basis, source, evidence, request, hash) VALUES ",
	    "audit event", 11 },
	[K_CONSENT] = { "INSERT INTO consents(customer, purpose, state,"
	    " basis, source, at, dated, event) VALUES ", "store consent", 8 },
};

/* The rows of one batch. */
struct rows {
	struct buf arena;	/* their texts */
	struct batch_customer cu[HANDOVER_ROWS];
	struct batch_event ev[HANDOVER_ROWS];
	struct batch_consent co[HANDOVER_ROWS];
	size_t n[K_COUNT];
};

struct batch {
	struct rows rows[2];
	struct rows *fill;	/* the one the run adds to */
	/* per kind, the statement of n rows in [n - 1], made when first
	 * wanted: the kinds fill at different paces (a customer has one to
	 * four events), and all that waits is written when one is full */
	sqlite3_stmt *st[K_COUNT][BATCH_ROWS];
	int64_t last_customer;	/* -1: not read yet */
	/* the writer thread; the fields under mu are shared with it */
	pthread_t writer;
	int started;
	int handed;		/* the run's view: rows were handed over
				 * and not waited for since */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rows *writing;	/* under mu: the rows being written */
	int failed;		/* under mu: the writer's first error */
	int quit;		/* under mu: the writer is to end */
	char err[sizeof ((struct store *)0)->err];	/* under mu */
};

int
store_batch_writes(struct store *s)
{
	if (!s->batch) {
		s->batch = ecalloc(1, sizeof *s->batch);
		s->batch->last_customer = -1;
		s->batch->fill = &s->batch->rows[0];
		pthread_mutex_init(&s->batch->mu, NULL);
		pthread_cond_init(&s->batch->cv, NULL);
	}
	s->batching = 1;
	return 0;
}

/* "INSERT ... VALUES (?,...),(?,...)...": rows rows of the kind's
 * parameters, all bound at each use. */
static sqlite3_stmt *
prepare_rows(struct store *s, int kind, int rows)
{
	struct buf sql = { 0 };
	sqlite3_stmt *st = NULL;
	int i, j;

	buf_adds(&sql, kinds[kind].head);
	for (i = 0; i < rows; i++) {
		buf_adds(&sql, i ? ",(" : "(");
		for (j = 0; j < kinds[kind].params; j++)
			buf_adds(&sql, j ? ",?" : "?");
		buf_addc(&sql, ')');
	}
	if (sqlite3_prepare_v3(s->db, sql.s, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK)
		st = NULL;
	buf_free(&sql);
	return st;
}

static size_t
keep_text(struct rows *b, const char *v)
{
	size_t off = b->arena.len;

	if (!v)
		return NO_TEXT;
	buf_add(&b->arena, v, strlen(v) + 1);
	return off;
}

static const char *
text_at(const struct rows *b, size_t off)
{
	return off == NO_TEXT ? NULL : b->arena.s + off;
}

static void
bind_customer(sqlite3_stmt *st, int base, const struct rows *b,
    const struct batch_customer *c)
{
	int i;

	sqlite3_bind_int64(st, base + 1, c->id);
	for (i = 0; i < CUSTOMER_TEXTS; i++)
		bind_text(st, base + 2 + i, text_at(b, c->text[i]), 0);
	bind_text(st, base + 9, c->status, 0);
}

static void
bind_event(sqlite3_stmt *st, int base, const struct rows *b,
    const struct batch_event *e)
{
	int i;

	sqlite3_bind_int64(st, base + 1, e->seq);
	sqlite3_bind_int64(st, base + 2, e->run);
	for (i = 0; i < EVENT_TEXTS; i++)
		bind_text(st, base + 3 + i, text_at(b, e->text[i]), 0);
	if (e->request)
		sqlite3_bind_int64(st, base + 10, e->request);
	else
		sqlite3_bind_null(st, base + 10);
	sqlite3_bind_blob(st, base + 11, e->hash, AUDIT_HASH_LEN,
	    SQLITE_STATIC);
}

static void
bind_consent(sqlite3_stmt *st, int base, const struct rows *b,
    const struct batch_consent *c)
{
	sqlite3_bind_int64(st, base + 1, c->customer);
	sqlite3_bind_int64(st, base + 2, c->purpose);
	bind_text(st, base + 3, c->state, 0);
	bind_text(st, base + 4, text_at(b, c->basis), 0);
	bind_text(st, base + 5, text_at(b, c->source), 0);
	bind_text(st, base + 6, text_at(b, c->at), 0);
	sqlite3_bind_int(st, base + 7, c->dated);
	sqlite3_bind_int64(st, base + 8, c->event);
}

/* Bind row i of a kind at parameter base + 1 on. */
static void
bind_row(sqlite3_stmt *st, int kind, int base, const struct rows *b,
    size_t i)
{
	switch (kind) {
	case K_CUSTOMER: bind_customer(st, base, b, &b->cu[i]); break;
	case K_EVENT: bind_event(st, base, b, &b->ev[i]); break;
	default: bind_consent(st, base, b, &b->co[i]); break;
	}
}

/* The rows' statement errors name the store as store_fail does, into
 * the writer's own buffer: the run's may be in use. */
static int
writer_fail(struct store *s, const char *what)
{
	snprintf(s->batch->err, sizeof s->batch->err, "%s: %s: %s", s->path,
	    what, sqlite3_errmsg(s->db));
	return -1;
}

/* One statement for rows from .. from + n - 1 of the kind. */
static int
run_rows(struct store *s, const struct rows *r, int kind, size_t from,
    int n)
{
	sqlite3_stmt **st = &s->batch->st[kind][n - 1];
	int i, rc;

	if (!*st && !(*st = prepare_rows(s, kind, n)))
		return writer_fail(s, "prepare");
	for (i = 0; i < n; i++)
		bind_row(*st, kind, i * kinds[kind].params, r, from + (size_t)i);
	rc = sqlite3_step(*st);
	sqlite3_reset(*st);
	return rc == SQLITE_DONE ? 0 : writer_fail(s, kinds[kind].what);
}

static int
write_kind(struct store *s, const struct rows *r, int kind)
{
	size_t from, left;
	int rc = 0;

	for (from = 0; from < r->n[kind] && rc == 0; from += BATCH_ROWS) {
		left = r->n[kind] - from;
		rc = run_rows(s, r, kind, from, left < BATCH_ROWS ? (int)left :
		    BATCH_ROWS);
	}
	return rc;
}

static void
drop_rows(struct rows *r)
{
	memset(r->n, 0, sizeof r->n);
	buf_reset(&r->arena);
}

/* Write the rows, customers first: a consent names its customer. */
static int
write_rows(struct store *s, struct rows *r)
{
	int kind, rc = 0;

	for (kind = 0; kind < K_COUNT && rc == 0; kind++)
		rc = write_kind(s, r, kind);
	drop_rows(r);
	return rc;
}

static void *
writer(void *arg)
{
	struct store *s = arg;
	struct batch *b = s->batch;
	struct rows *r;
	int rc, lost;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->writing && !b->quit)
			pthread_cond_wait(&b->cv, &b->mu);
		if (!(r = b->writing))
			break;
		lost = b->failed;
		pthread_mutex_unlock(&b->mu);
		/* after a failure the run is lost: rows are only dropped */
		if (lost) {
			drop_rows(r);
			rc = 0;
		} else {
			rc = write_rows(s, r);
		}
		pthread_mutex_lock(&b->mu);
		b->failed |= rc < 0;
		b->writing = NULL;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

int
batch_wait(struct store *s)
{
	struct batch *b = s->batch;
	int rc;

	if (!b || !b->handed)
		return 0;
	pthread_mutex_lock(&b->mu);
	while (b->writing)
		pthread_cond_wait(&b->cv, &b->mu);
	rc = b->failed ? -1 : 0;
	if (rc < 0)
		snprintf(s->err, sizeof s->err, "%s", b->err);
	pthread_mutex_unlock(&b->mu);
	b->handed = 0;
	return rc;
}

/* Give the rows that wait to the writer, once it is done with the ones
 * before; the run fills the other rows meanwhile.  Without a thread (it
 * could not be made) the rows are written here. */
static int
hand_over(struct store *s)
{
	struct batch *b = s->batch;
	struct rows *r = b->fill;

	if (batch_wait(s) < 0)
		return -1;
	if (!b->started && pthread_create(&b->writer, NULL, writer, s) == 0)
		b->started = 1;
	if (!b->started) {
		if (write_rows(s, r) < 0) {
			snprintf(s->err, sizeof s->err, "%s", b->err);
			return -1;
		}
		return 0;
	}
	b->fill = r == &b->rows[0] ? &b->rows[1] : &b->rows[0];
	pthread_mutex_lock(&b->mu);
	b->writing = r;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	b->handed = 1;
	return 0;
}

static int
waiting_rows(const struct rows *r)
{
	return r->n[K_CUSTOMER] || r->n[K_EVENT] || r->n[K_CONSENT];
}

int
store_batch_flush(struct store *s)
{
	if (!s->batch)
		return 0;
	if (waiting_rows(s->batch->fill) && hand_over(s) < 0)
		return -1;
	return batch_wait(s);
}

/* Room for one more row of the kind: when its batch is full, all that
 * waits is handed over. */
static int
room(struct store *s, int kind)
{
	return s->batch->fill->n[kind] == HANDOVER_ROWS ? hand_over(s) : 0;
}

/* The largest customer row number, read once a run: the rows this run
 * adds are numbered on from it. */
static int
last_customer(struct store *s, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if (s->batch->last_customer >= 0) {
		*id = s->batch->last_customer;
		return 0;
	}
	if (batch_wait(s) < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) FROM"
	    " customers", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "customers");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = s->batch->last_customer = sqlite3_column_int64(st, 0);
	else
		store_fail(s, "customers");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
batch_customer(struct store *s, struct customer *c)
{
	const char *text[CUSTOMER_TEXTS] = { c->key, c->name, c->email,
	    c->mobile, c->lang, c->last_contact, c->hold_until };
	struct rows *b;
	struct batch_customer *bc;
	int64_t id = 0;
	int i;

	if (room(s, K_CUSTOMER) < 0 || last_customer(s, &id) < 0)
		return -1;
	b = s->batch->fill;
	bc = &b->cu[b->n[K_CUSTOMER]++];
	bc->id = c->id = s->batch->last_customer = id + 1;
	/* as bind_master: an empty field is NULL, the key never */
	bc->text[0] = keep_text(b, c->key);
	for (i = 1; i < CUSTOMER_TEXTS; i++)
		bc->text[i] = keep_text(b, text[i] && *text[i] ? text[i] :
		    NULL);
	bc->status = c->status == CUST_RESTRICTED ? "restricted" : "active";
	return 0;
}

int
batch_event(struct store *s, int64_t seq, const char *const text[EVENT_TEXTS],
    int64_t request, const unsigned char hash[AUDIT_HASH_LEN])
{
	struct rows *b;
	struct batch_event *e;
	int i;

	if (room(s, K_EVENT) < 0)
		return -1;
	b = s->batch->fill;
	e = &b->ev[b->n[K_EVENT]++];
	e->seq = seq;
	e->run = s->run;
	e->request = request;
	for (i = 0; i < EVENT_TEXTS; i++)
		e->text[i] = keep_text(b, text[i]);
	memcpy(e->hash, hash, AUDIT_HASH_LEN);
	return 0;
}

int
batch_consent(struct store *s, int64_t customer, int64_t purpose,
    const char *state, const char *basis, const char *source,
    const char *at, int dated, int64_t event)
{
	struct rows *b;
	struct batch_consent *c;

	if (room(s, K_CONSENT) < 0)
		return -1;
	b = s->batch->fill;
	c = &b->co[b->n[K_CONSENT]++];
	c->customer = customer;
	c->purpose = purpose;
	c->state = state;
	c->basis = keep_text(b, basis);
	c->source = keep_text(b, source);
	c->at = keep_text(b, at);
	c->dated = dated;
	c->event = event;
	return 0;
}

void
batch_end(struct store *s)
{
	struct batch *b = s->batch;

	if (b) {
		(void)batch_wait(s);
		pthread_mutex_lock(&b->mu);
		b->failed = 0;
		pthread_mutex_unlock(&b->mu);
		drop_rows(&b->rows[0]);
		drop_rows(&b->rows[1]);
		/* another run may add customers before our next one */
		s->batch->last_customer = -1;
	}
	s->batching = 0;
}

void
batch_free(struct store *s)
{
	struct batch *b = s->batch;
	int kind, i;

	if (!b)
		return;
	(void)batch_wait(s);
	if (b->started) {
		pthread_mutex_lock(&b->mu);
		b->quit = 1;
		pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->writer, NULL);
	}
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	for (kind = 0; kind < K_COUNT; kind++)
		for (i = 0; i < BATCH_ROWS; i++)
			sqlite3_finalize(b->st[kind][i]);
	buf_free(&b->rows[0].arena);
	buf_free(&b->rows[1].arena);
	free(b);
	s->batch = NULL;
}
