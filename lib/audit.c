/* audit: append-only, hash-chained events.  Each event's hash is
 * BLAKE2b-128 over the previous event's hash and the event's fields, each
 * field length-prefixed so that no two different events serialise alike.
 * BLAKE2b rather than SHA-256 because an import of a million customers
 * writes millions of events and BLAKE2b is several times faster in
 * software.  audit_verify (consent-log --verify) recomputes the chain.
 *
 * Erasure (consent-erase(1)) rewrites the events of the people it erases
 * and re-anchors the chain rather than recomputing it:
 *
 *  1. Every event of the customer (those whose customer is its key) is
 *     redacted in place: customer becomes the pseudonym ("erased-" and the
 *     first 16 hex digits of the key's tombstone hash; the key itself while
 *     a bookkeeping hold keeps the customer restricted), evidence becomes
 *     "redacted by event N".  Time, run, purpose, states, basis, source and
 *     request number stay, and so does the stored hash: it is that of the
 *     original event, and every later hash builds on it.
 *  2. Then event N is appended as usual, fully hashed on the chain: the
 *     erasure event, with purpose and basis NULL, old the customer's
 *     status before ("active" or "restricted"), new "erased" or
 *     "restricted", and evidence "redacted LIST" where LIST names the seqs
 *     redacted in step 1 as ascending ranges ("3,7-9"; "none"), then
 *     "; until DATE" for a restriction and "; reason: TEXT" for --reason.
 *
 * Verifying: first collect the lists of the erasure events (purpose NULL,
 * new "erased" or "restricted", evidence "redacted ..."); then walk the
 * chain from the zero hash.  An event whose evidence is "redacted by event
 * N", where N is a later erasure event that lists its seq, is taken with
 * its stored hash as the link to the next event (its original content
 * cannot be checked any more, by design); every other event must hash to
 * its stored hash.  An event that fails, or claims to be redacted without
 * such an erasure event, is the break.
 *
 * Why not recompute the chain from the first redacted event to the head:
 * that rewrites every later event (an erasure of one customer imported
 * first rewrites the whole table, and the WAL with it) and makes every
 * head hash kept outside the store worthless, while re-anchoring touches
 * only the customer's events and leaves every earlier head a prefix of
 * the new chain.  What it costs: the stored hash of a redacted event is a
 * hash of its original content, so whoever holds the store could confirm
 * a complete guess of an erased event (key, evidence and all) against it;
 * it reveals nothing by itself.  The tombstones, which hold the addresses,
 * are keyed with a key outside the store for that reason. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

/* The length prefix of a field: 0 and 32 bits big-endian, or five 0xff
 * for NULL, which differs from "" and which no length can produce. */
static void
field_prefix(unsigned char len[5], const char *v, size_t n)
{
	if (!v) {
		memset(len, 0xff, 5);
		return;
	}
	len[0] = 0;
	len[1] = (unsigned char)(n >> 24);
	len[2] = (unsigned char)(n >> 16);
	len[3] = (unsigned char)(n >> 8);
	len[4] = (unsigned char)n;
}

/* Bytes an event serialises to up to which it is hashed in one call
 * from the stack; a longer one (a long evidence text) is fed in parts. */
#define HASH_INLINE 1024

/* The hash of an event given as its text fields in chain order. */
void audit_hash(const unsigned char prev[AUDIT_HASH_LEN], long long seq,
    const char *const fields[11], unsigned char out[AUDIT_HASH_LEN]);

/* One call of BLAKE2b over the serialised event rather than two updates
 * a field: an import hashes millions of events, and the updates cost
 * more than the compression of their few bytes. */
void
audit_hash(const unsigned char prev[AUDIT_HASH_LEN], long long seq,
    const char *const fields[11], unsigned char out[AUDIT_HASH_LEN])
{
	unsigned char inline_[HASH_INLINE], *p;
	crypto_generichash_state h;
	const char *v[12];
	size_t n[12], total = AUDIT_HASH_LEN;
	char seqtext[24];
	int i;

	snprintf(seqtext, sizeof seqtext, "%lld", seq);
	v[0] = seqtext;
	for (i = 0; i < 11; i++)
		v[i + 1] = fields[i];
	for (i = 0; i < 12; i++) {
		n[i] = v[i] ? strlen(v[i]) : 0;
		total += 5 + n[i];
	}
	if (total <= sizeof inline_) {
		memcpy(inline_, prev, AUDIT_HASH_LEN);
		p = inline_ + AUDIT_HASH_LEN;
		for (i = 0; i < 12; i++) {
			field_prefix(p, v[i], n[i]);
			if (n[i])
				memcpy(p + 5, v[i], n[i]);
			p += 5 + n[i];
		}
		crypto_generichash(out, AUDIT_HASH_LEN, inline_, total, NULL, 0);
		return;
	}
	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&h, prev, AUDIT_HASH_LEN);
	for (i = 0; i < 12; i++) {
		unsigned char len[5];

		field_prefix(len, v[i], n[i]);
		crypto_generichash_update(&h, len, sizeof len);
		if (n[i])
			crypto_generichash_update(&h,
			    (const unsigned char *)v[i], n[i]);
	}
	crypto_generichash_final(&h, out, AUDIT_HASH_LEN);
}

int
audit_load_head(struct store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT seq, hash FROM events ORDER BY"
	    " seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "events");
	memset(s->head, 0, sizeof s->head);
	s->headseq = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) ==
	    AUDIT_HASH_LEN) {
		s->headseq = sqlite3_column_int64(st, 0);
		memcpy(s->head, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    store_fail(s, "events");
}

/* The run's row, written with its first event so that a run that
 * changes nothing leaves no trace. */
static int
run_row(struct store *s)
{
	sqlite3_stmt *st;

	if (s->run)
		return 0;
	if (!(st = store_stmt(s, ST_RUN_INSERT)))
		return -1;
	bind_text(st, 1, s->nowtext, 0);
	bind_text(st, 2, s->actor, 0);
	bind_text(st, 3, s->tool, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "audit run");
	s->run = sqlite3_last_insert_rowid(s->db);
	store_count_write(s);
	return 0;
}

/* The event's row, by its own statement. */
static int
insert_event(struct store *s, int64_t seq, const char *const f[11],
    int64_t request, const unsigned char h[AUDIT_HASH_LEN])
{
	sqlite3_stmt *st;
	int i;

	if (!(st = store_stmt(s, ST_EVENT_INSERT)))
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, s->run);
	for (i = 3; i < 10; i++)
		bind_text(st, i, f[i], 0);
	if (request)
		sqlite3_bind_int64(st, 10, request);
	sqlite3_bind_blob(st, 11, h, AUDIT_HASH_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "audit event");
	return 0;
}

int
audit_append(struct store *s, const struct event *e, int64_t *seq)
{
	char reqtext[24];
	const char *f[11];
	unsigned char h[AUDIT_HASH_LEN];
	int64_t next = s->headseq + 1;

	if (run_row(s) < 0)
		return -1;
	if (e->request)
		snprintf(reqtext, sizeof reqtext, "%lld",
		    (long long)e->request);
	f[0] = s->nowtext;
	f[1] = s->actor;
	f[2] = s->tool;
	f[3] = e->customer;
	f[4] = e->purpose;
	f[5] = e->old;
	f[6] = e->new_;
	f[7] = e->basis;
	f[8] = e->source;
	f[9] = e->evidence && *e->evidence ? e->evidence : NULL;
	f[10] = e->request ? reqtext : NULL;
	audit_hash(s->head, (long long)next, f, h);
	/* f[3] to f[9] are the event's own texts, in the table's order */
	if ((s->batching ? batch_event(s, next, f + 3, e->request, h) :
	    insert_event(s, next, f, e->request, h)) < 0)
		return -1;
	store_count_write(s);
	s->headseq = next;
	memcpy(s->head, h, sizeof h);
	if (seq)
		*seq = s->headseq;
	return 0;
}

int
audit_redact(struct store *s, int64_t seq, const char *customer, int64_t by)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_REDACT);
	char ev[48];
	int rc;

	if (!st)
		return -1;
	snprintf(ev, sizeof ev, "redacted by event %lld", (long long)by);
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, customer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ev, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "redact an event");
	store_count_write(s);
	return 0;
}

void
audit_redacted_list(struct buf *out, const int64_t *seqs, size_t n)
{
	size_t i, j;

	buf_adds(out, "redacted ");
	if (n == 0) {
		buf_adds(out, "none");
		return;
	}
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j + 1 < n && seqs[j + 1] == seqs[j] + 1; j++)
			;
		buf_printf(out, "%s%lld", i ? "," : "", (long long)seqs[i]);
		if (j > i)
			buf_printf(out, "-%lld", (long long)seqs[j]);
	}
}

/* --- verifying (consent-log --verify) ------------------------------------ */

struct range {
	int64_t lo, hi;
};

/* An erasure event and the seqs it lists, as ranges. */
struct erasure {
	int64_t seq;
	struct range *r;
	size_t n;
};

struct erasures {
	struct erasure *v;
	size_t n, cap;
};

static void
erasures_free(struct erasures *es)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		free(es->v[i].r);
	free(es->v);
}

/* Parse "redacted LIST" (then ';' or the end), LIST "none" or ascending
 * ranges "3,7-9"; -1 when the text is not such a list. */
static int
parse_list(const char *ev, struct erasure *out)
{
	const char *p;
	size_t cap = 0;

	if (strncmp(ev, "redacted ", 9) != 0)
		return -1;
	p = ev + 9;
	if (strncmp(p, "none", 4) == 0 && (p[4] == ';' || !p[4]))
		return 0;
	for (;;) {
		struct range r;
		char *end;

		if (*p < '0' || *p > '9')
			return -1;
		r.lo = r.hi = strtoll(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -1;
			r.hi = strtoll(end + 1, &end, 10);
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 4;
			out->r = erealloc(out->r, cap * sizeof *out->r);
		}
		out->r[out->n++] = r;
		if (*end == ',') {
			p = end + 1;
			continue;
		}
		return *end == ';' || !*end ? 0 : -1;
	}
}

static int
is_erasure(const char *purpose, const char *new_, const char *ev)
{
	return !purpose && new_ && ev && (strcmp(new_, "erased") == 0 ||
	    strcmp(new_, "restricted") == 0) && strncmp(ev, "redacted ",
	    9) == 0;
}

/* The first pass: every erasure event's list. */
static int
collect_erasures(struct store *s, struct erasures *es)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT seq, purpose, new, evidence"
	    " FROM events WHERE purpose IS NULL AND evidence LIKE"
	    " 'redacted %' ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "events");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct erasure e = { sqlite3_column_int64(st, 0), NULL, 0 };

		if (!is_erasure((const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3)) ||
		    parse_list((const char *)sqlite3_column_text(st, 3),
		    &e) < 0) {
			free(e.r);
			continue;
		}
		if (es->n == es->cap) {
			es->cap = es->cap ? 2 * es->cap : 16;
			es->v = erealloc(es->v, es->cap * sizeof *es->v);
		}
		es->v[es->n++] = e;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "events");
}

/* Does erasure event by (later than seq) list seq? */
static int
listed(const struct erasures *es, int64_t by, int64_t seq)
{
	size_t lo = 0, hi = es->n, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (es->v[mid].seq < by)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (by <= seq || lo == es->n || es->v[lo].seq != by)
		return 0;
	for (i = 0; i < es->v[lo].n; i++)
		if (es->v[lo].r[i].lo <= seq && seq <= es->v[lo].r[i].hi)
			return 1;
	return 0;
}

/* "redacted by event N": N in *by, else 0. */
static int
redacted_by(const char *ev, int64_t *by)
{
	const char *p;
	char *end;

	if (!ev || strncmp(ev, "redacted by event ", 18) != 0)
		return 0;
	p = ev + 18;
	if (*p < '1' || *p > '9')
		return 0;
	*by = strtoll(p, &end, 10);
	return *end == '\0';
}

static int
broken(struct audit_check *c, int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
broken(struct audit_check *c, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	c->bad = seq;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
	return 1;
}

/* One event of the walk: 0 when it holds (prev moves on), 1 broken. */
static int
check_event(sqlite3_stmt *st, const struct erasures *es,
    unsigned char prev[AUDIT_HASH_LEN], int64_t *want,
    struct audit_check *c)
{
	int64_t seq = sqlite3_column_int64(st, 0), by;
	const char *f[11], *ev = (const char *)sqlite3_column_text(st, 10);
	unsigned char h[AUDIT_HASH_LEN];
	int i;

	if (seq != *want) {
		if (seq == *want + 1)
			return broken(c, *want, "event %lld: missing (removed)",
			    (long long)*want);
		return broken(c, *want, "events %lld-%lld: missing (removed)",
		    (long long)*want, (long long)seq - 1);
	}
	(*want)++;
	c->events++;
	if (sqlite3_column_type(st, 1) == SQLITE_NULL)
		return broken(c, seq, "event %lld: its run is not in the store"
		    " (removed)", (long long)seq);
	if (sqlite3_column_bytes(st, 12) != AUDIT_HASH_LEN)
		return broken(c, seq, "event %lld: hash does not match"
		    " (changed)", (long long)seq);
	if (redacted_by(ev, &by)) {
		if (!listed(es, by, seq))
			return broken(c, seq, "event %lld: redacted, but event"
			    " %lld is no later erasure event that lists it",
			    (long long)seq, (long long)by);
		c->redacted++;
		memcpy(prev, sqlite3_column_blob(st, 12), AUDIT_HASH_LEN);
		return 0;
	}
	for (i = 0; i < 10; i++)
		f[i] = (const char *)sqlite3_column_text(st, i + 1);
	if (f[9] && !*f[9])
		f[9] = NULL;
	f[10] = sqlite3_column_int64(st, 11) ?
	    (const char *)sqlite3_column_text(st, 11) : NULL;
	audit_hash(prev, (long long)seq, f, h);
	if (memcmp(h, sqlite3_column_blob(st, 12), AUDIT_HASH_LEN) != 0)
		return broken(c, seq, "event %lld: hash does not match (changed,"
		    " or an event before it removed or inserted)",
		    (long long)seq);
	memcpy(prev, h, sizeof h);
	return 0;
}

static int
walk(struct store *s, const struct erasures *es, struct audit_check *c)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char prev[AUDIT_HASH_LEN];
	int64_t want = 1;
	sqlite3_stmt *st;
	int rc, bad = 0, i;

	/* LEFT JOIN: an event whose run was deleted is reported, not
	 * silently left out of the walk */
	if (sqlite3_prepare_v2(s->db, "SELECT e.seq, r.at, r.actor, r.tool,"
	    " e.customer, e.purpose, e.old, e.new, e.basis, e.source,"
	    " e.evidence, e.request, e.hash FROM events e LEFT JOIN runs r ON"
	    " r.id = e.run ORDER BY e.seq", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "events");
	memset(prev, 0, sizeof prev);
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW)
		bad = check_event(st, es, prev, &want, c);
	sqlite3_finalize(st);
	if (bad)
		return 1;
	if (rc != SQLITE_DONE)
		return store_fail(s, "events");
	if (c->events)
		for (i = 0; i < AUDIT_HASH_LEN; i++) {
			c->head[2 * i] = hex[prev[i] >> 4];
			c->head[2 * i + 1] = hex[prev[i] & 15];
		}
	return 0;
}

int
audit_verify(struct store *s, struct audit_check *c)
{
	struct erasures es = { 0 };
	int rc;

	memset(c, 0, sizeof *c);
	/* one snapshot for both passes: an erasure committed between them
	 * would otherwise look like a break */
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "begin");
	rc = collect_erasures(s, &es);
	if (rc == 0)
		rc = walk(s, &es, c);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	erasures_free(&es);
	return rc;
}
