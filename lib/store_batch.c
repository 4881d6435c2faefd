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
 * can name it at once. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

#define BATCH_ROWS 32
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

struct batch {
	struct buf arena;	/* the texts of the waiting rows */
	struct batch_customer cu[BATCH_ROWS];
	struct batch_event ev[BATCH_ROWS];
	struct batch_consent co[BATCH_ROWS];
	size_t n[K_COUNT];
	/* per kind, the statement of n rows in [n - 1], made when first
	 * wanted: the kinds fill at different paces (a customer has one to
	 * four events), and all that waits is written when one is full */
	sqlite3_stmt *st[K_COUNT][BATCH_ROWS];
	int64_t last_customer;	/* -1: not read yet */
};

int
store_batch_writes(struct store *s)
{
	if (!s->batch) {
		s->batch = ecalloc(1, sizeof *s->batch);
		s->batch->last_customer = -1;
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
	    &st, NULL) != SQLITE_OK) {
		store_fail(s, "prepare");
		st = NULL;
	}
	buf_free(&sql);
	return st;
}

static size_t
keep_text(struct batch *b, const char *v)
{
	size_t off = b->arena.len;

	if (!v)
		return NO_TEXT;
	buf_add(&b->arena, v, strlen(v) + 1);
	return off;
}

static const char *
text_at(const struct batch *b, size_t off)
{
	return off == NO_TEXT ? NULL : b->arena.s + off;
}

static void
bind_customer(sqlite3_stmt *st, int base, const struct batch *b,
    const struct batch_customer *c)
{
	int i;

	sqlite3_bind_int64(st, base + 1, c->id);
	for (i = 0; i < CUSTOMER_TEXTS; i++)
		bind_text(st, base + 2 + i, text_at(b, c->text[i]), 0);
	bind_text(st, base + 9, c->status, 0);
}

static void
bind_event(sqlite3_stmt *st, int base, const struct batch *b,
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
bind_consent(sqlite3_stmt *st, int base, const struct batch *b,
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
bind_row(sqlite3_stmt *st, int kind, int base, const struct batch *b,
    size_t i)
{
	switch (kind) {
	case K_CUSTOMER: bind_customer(st, base, b, &b->cu[i]); break;
	case K_EVENT: bind_event(st, base, b, &b->ev[i]); break;
	default: bind_consent(st, base, b, &b->co[i]); break;
	}
}

static int
run_rows(struct store *s, sqlite3_stmt **st, int kind, int rows)
{
	struct batch *b = s->batch;
	int i, rc;

	if (!*st && !(*st = prepare_rows(s, kind, rows)))
		return -1;
	for (i = 0; i < rows; i++)
		bind_row(*st, kind, i * kinds[kind].params, b, (size_t)i);
	rc = sqlite3_step(*st);
	sqlite3_reset(*st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, kinds[kind].what);
}

static int
flush_kind(struct store *s, int kind)
{
	struct batch *b = s->batch;
	int n = (int)b->n[kind];

	return n ? run_rows(s, &b->st[kind][n - 1], kind, n) : 0;
}

static void
drop_rows(struct batch *b)
{
	memset(b->n, 0, sizeof b->n);
	buf_reset(&b->arena);
}

int
store_batch_flush(struct store *s)
{
	int kind, rc = 0;

	if (!s->batch)
		return 0;
	for (kind = 0; kind < K_COUNT && rc == 0; kind++)
		rc = flush_kind(s, kind);
	drop_rows(s->batch);
	return rc;
}

/* Room for one more row of the kind: when its batch is full, all that
 * waits is written, customers first. */
static int
room(struct store *s, int kind)
{
	return s->batch->n[kind] == BATCH_ROWS ? store_batch_flush(s) : 0;
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
	struct batch *b = s->batch;
	struct batch_customer *bc;
	int64_t id = 0;
	int i;

	if (room(s, K_CUSTOMER) < 0 || last_customer(s, &id) < 0)
		return -1;
	bc = &b->cu[b->n[K_CUSTOMER]++];
	bc->id = c->id = b->last_customer = id + 1;
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
	struct batch *b = s->batch;
	struct batch_event *e;
	int i;

	if (room(s, K_EVENT) < 0)
		return -1;
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
	struct batch *b = s->batch;
	struct batch_consent *c;

	if (room(s, K_CONSENT) < 0)
		return -1;
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
	if (s->batch) {
		drop_rows(s->batch);
		/* another run may add customers before our next one */
		s->batch->last_customer = -1;
	}
	s->batching = 0;
}

void
batch_free(struct store *s)
{
	int kind, i;

	if (!s->batch)
		return;
	for (kind = 0; kind < K_COUNT; kind++)
		for (i = 0; i < BATCH_ROWS; i++)
			sqlite3_finalize(s->batch->st[kind][i]);
	buf_free(&s->batch->arena);
	free(s->batch);
	s->batch = NULL;
}
