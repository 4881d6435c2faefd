/* audit: append-only, hash-chained events.  Each event's hash is
 * BLAKE2b-128 over the previous event's hash and the event's fields, each
 * field length-prefixed so that no two different events serialise alike.
 * BLAKE2b rather than SHA-256 because an import of a million customers
 * writes millions of events and BLAKE2b is several times faster in
 * software.  consent-log --verify recomputes the chain.
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
#include <stdio.h>
#include <string.h>

#include "store_internal.h"
#include "util.h"

static void
hash_field(crypto_generichash_state *h, const char *v)
{
	unsigned char len[5];
	size_t n;

	if (!v) {
		/* NULL differs from "": a marker no length can produce */
		memset(len, 0xff, sizeof len);
		crypto_generichash_update(h, len, sizeof len);
		return;
	}
	n = strlen(v);
	len[0] = 0;
	len[1] = (unsigned char)(n >> 24);
	len[2] = (unsigned char)(n >> 16);
	len[3] = (unsigned char)(n >> 8);
	len[4] = (unsigned char)n;
	crypto_generichash_update(h, len, sizeof len);
	crypto_generichash_update(h, (const unsigned char *)v, n);
}

/* The hash of an event given as its text fields in chain order. */
void audit_hash(const unsigned char prev[AUDIT_HASH_LEN], long long seq,
    const char *const fields[11], unsigned char out[AUDIT_HASH_LEN]);

void
audit_hash(const unsigned char prev[AUDIT_HASH_LEN], long long seq,
    const char *const fields[11], unsigned char out[AUDIT_HASH_LEN])
{
	crypto_generichash_state h;
	char seqtext[24];
	int i;

	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&h, prev, AUDIT_HASH_LEN);
	snprintf(seqtext, sizeof seqtext, "%lld", seq);
	hash_field(&h, seqtext);
	for (i = 0; i < 11; i++)
		hash_field(&h, fields[i]);
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
	return 0;
}

int
audit_append(struct store *s, const struct event *e, int64_t *seq)
{
	sqlite3_stmt *st;
	char reqtext[24];
	const char *f[11];
	unsigned char h[AUDIT_HASH_LEN];
	int i;

	if (run_row(s) < 0 || !(st = store_stmt(s, ST_EVENT_INSERT)))
		return -1;
	snprintf(reqtext, sizeof reqtext, "%lld", (long long)e->request);
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
	audit_hash(s->head, (long long)(s->headseq + 1), f, h);
	sqlite3_bind_int64(st, 1, s->headseq + 1);
	sqlite3_bind_int64(st, 2, s->run);
	for (i = 3; i < 10; i++)
		bind_text(st, i, f[i], 0);
	if (e->request)
		sqlite3_bind_int64(st, 10, e->request);
	sqlite3_bind_blob(st, 11, h, sizeof h, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "audit event");
	store_count_write(s);
	s->headseq++;
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
