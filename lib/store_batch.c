/* store_batch: audit events and new consents written BATCH_ROWS at a
 * time, each kind by one multi-row INSERT, for a run that writes millions
 * of them (an import into an empty store).  A one-row statement costs
 * about as much to run (reset, bindings, a write cursor opened and closed)
 * as its row costs to insert; one statement of BATCH_ROWS rows pays that
 * once.  The rows wait in memory until a batch is full, until the run
 * reads consents (store_consents_get, store_consent_put's update) or
 * until store_commit, which write what waits first; a rollback drops it.
 * The chain is not touched: each event is hashed and numbered when it is
 * appended, as without batching. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

#define BATCH_ROWS 32
#define NO_TEXT SIZE_MAX	/* a NULL text */

struct batch_event {
	int64_t seq, run, request;
	size_t text[EVENT_TEXTS];	/* offsets in the arena */
	unsigned char hash[AUDIT_HASH_LEN];
};

struct batch_consent {
	int64_t customer, purpose, event;
	const char *state;	/* one of cstate_names */
	size_t basis, source, at;
	int dated;
};

struct batch {
	struct buf arena;	/* the texts of the waiting rows */
	struct batch_event ev[BATCH_ROWS];
	struct batch_consent co[BATCH_ROWS];
	size_t nev, nco;
	sqlite3_stmt *events, *consents;	/* of BATCH_ROWS rows each */
};

/* The columns as in ST_EVENT_INSERT and ST_CONSENT_INSERT (store.c). */
#define EVENT_COLUMNS "INSERT INTO events(seq, run, customer, purpose," \
	" old, new, basis, source, evidence, request, hash) VALUES "
#define EVENT_PARAMS 11
#define CONSENT_COLUMNS "INSERT INTO consents(customer, purpose, state," \
	" basis, source, at, dated, event) VALUES "
#define CONSENT_PARAMS 8

int
store_batch_writes(struct store *s)
{
	if (!s->batch)
		s->batch = ecalloc(1, sizeof *s->batch);
	s->batching = 1;
	return 0;
}

/* "INSERT ... VALUES (?,...),(?,...)...": BATCH_ROWS rows of n
 * parameters, all bound at each use. */
static sqlite3_stmt *
prepare_many(struct store *s, const char *head, int n)
{
	struct buf sql = { 0 };
	sqlite3_stmt *st = NULL;
	int i, j;

	buf_adds(&sql, head);
	for (i = 0; i < BATCH_ROWS; i++) {
		buf_adds(&sql, i ? ",(" : "(");
		for (j = 0; j < n; j++)
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

/* Bind an event's row at parameter base + 1 on. */
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

static int
step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, what);
}

/* A full batch by the statement of BATCH_ROWS rows, a part one by one. */
static int
flush_events(struct store *s, struct batch *b)
{
	sqlite3_stmt *st;
	size_t i;

	if (b->nev == BATCH_ROWS) {
		if (!b->events && !(b->events = prepare_many(s, EVENT_COLUMNS,
		    EVENT_PARAMS)))
			return -1;
		for (i = 0; i < b->nev; i++)
			bind_event(b->events, (int)i * EVENT_PARAMS, b,
			    &b->ev[i]);
		return step_done(s, b->events, "audit event");
	}
	for (i = 0; i < b->nev; i++) {
		if (!(st = store_stmt(s, ST_EVENT_INSERT)))
			return -1;
		bind_event(st, 0, b, &b->ev[i]);
		if (step_done(s, st, "audit event") < 0)
			return -1;
	}
	return 0;
}

static int
flush_consents(struct store *s, struct batch *b)
{
	sqlite3_stmt *st;
	size_t i;

	if (b->nco == BATCH_ROWS) {
		if (!b->consents && !(b->consents = prepare_many(s,
		    CONSENT_COLUMNS, CONSENT_PARAMS)))
			return -1;
		for (i = 0; i < b->nco; i++)
			bind_consent(b->consents, (int)i * CONSENT_PARAMS, b,
			    &b->co[i]);
		return step_done(s, b->consents, "store consent");
	}
	for (i = 0; i < b->nco; i++) {
		if (!(st = store_stmt(s, ST_CONSENT_INSERT)))
			return -1;
		bind_consent(st, 0, b, &b->co[i]);
		if (step_done(s, st, "store consent") < 0)
			return -1;
	}
	return 0;
}

int
store_batch_flush(struct store *s)
{
	struct batch *b = s->batch;
	int rc;

	if (!b || (b->nev == 0 && b->nco == 0))
		return 0;
	rc = flush_events(s, b) < 0 || flush_consents(s, b) < 0 ? -1 : 0;
	b->nev = b->nco = 0;
	buf_reset(&b->arena);
	return rc;
}

int
batch_event(struct store *s, int64_t seq, const char *const text[EVENT_TEXTS],
    int64_t request, const unsigned char hash[AUDIT_HASH_LEN])
{
	struct batch *b = s->batch;
	struct batch_event *e;
	int i;

	if (b->nev == BATCH_ROWS && store_batch_flush(s) < 0)
		return -1;
	e = &b->ev[b->nev++];
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

	if (b->nco == BATCH_ROWS && store_batch_flush(s) < 0)
		return -1;
	c = &b->co[b->nco++];
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
		s->batch->nev = s->batch->nco = 0;
		buf_reset(&s->batch->arena);
	}
	s->batching = 0;
}

void
batch_free(struct store *s)
{
	if (!s->batch)
		return;
	sqlite3_finalize(s->batch->events);
	sqlite3_finalize(s->batch->consents);
	buf_free(&s->batch->arena);
	free(s->batch);
	s->batch = NULL;
}
