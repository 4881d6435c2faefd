/* store_internal: what the store's own files (store*.c, audit.c) share.
 * Nothing outside lib/store*.c and lib/audit.c includes this. */
#ifndef CONSENT_STORE_INTERNAL_H
#define CONSENT_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

/* The page cache of a store connection, in KiB (PRAGMA cache_size). */
#define STORE_CACHE_KIB 32768
#define STORE_BUSY_MS 30000

/* Bytes of an event's hash: BLAKE2b-128 is ample against editing, and
 * events are many. */
#define AUDIT_HASH_LEN 16

struct spurpose {
	int64_t id;
	char *name, *basis;
	int active;
};

enum stmt_id {
	ST_CUST_GET, ST_CUST_INSERT, ST_CUST_UPDATE,
	ST_CONSENTS_GET, ST_CONSENT_INSERT, ST_CONSENT_UPDATE,
	ST_EVENT_INSERT, ST_RUN_INSERT, ST_TOMB_GET,
	ST_REQ_INSERT, ST_REQ_UPDATE, ST_REQ_LAST, ST_REQ_GET,
	ST_SETTING_GET, ST_SETTING_PUT,
	/* erasure: store_erase.c, audit_redact */
	ST_EVENT_REDACT, ST_EVENT_BRIEF, ST_TOMB_PUT, ST_CONSENTS_DELETE,
	ST_REQ_ADDRESSES, ST_REQS_DELETE, ST_CUST_DELETE, ST_CUST_RESTRICT,
	ST_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_COUNT];
	struct spurpose *purposes;
	size_t npurposes;
	/* the run */
	char *tool, *actor;
	int64_t now;
	char nowtext[24];
	int in_tx;
	int keys_at_commit;	/* foreign keys off: checked by store_commit */
	int batching;		/* store_batch_writes until the run's end */
	int rollback_journal;	/* store_rollback_journal until the run's end */
	struct batch *batch;	/* store_batch.c */
	int64_t run;		/* the runs row, made with the first event */
	/* the audit chain's head while a transaction is open */
	unsigned char head[AUDIT_HASH_LEN];
	int64_t headseq;
	int tombstones;		/* -1: not counted yet */
	unsigned char tombkey[32];
	int tombkey_loaded;
	long writes;		/* for CONSENT_CRASH_AFTER */
	struct erase_state *erase;	/* store_erase.c, during an erasure */
	char err[512];
};

/* The columns store_request.c reads a request from, in its order. */
#define REQUEST_COLUMNS "r.id, r.customer, c.key, r.channel, r.status," \
	" r.purposes, r.lang, r.created, r.sent, r.expires, r.reminded," \
	" r.answered, r.address, r.detail"

/* Read a row of REQUEST_COLUMNS into r (store_request.c). */
void store_request_read(sqlite3_stmt *st, struct request *r);
/* The prepared statement for id, prepared on first use. */
sqlite3_stmt *store_stmt(struct store *s, enum stmt_id id);
/* Record sqlite's message for the failed call what. */
int store_fail(struct store *s, const char *what);
/* Read a tombstone key file: a regular file of 32 bytes, mode 0600, that
 * matches the store's check value when it has one; -1 and a message. */
int store_read_tombkey(struct store *s, const char *path,
    unsigned char key[32]);
/* Count a write: a statement step that changed the store, or a commit
 * (counted once it is done).  abort() after $CONSENT_CRASH_AFTER of them:
 * the crash tests (tests/0140, 0500, 0710) stop a tool at each. */
void store_count_write(struct store *s);
/* The page cache of a walk (walking 1: small, since a walk reads each
 * page once) or the usual one (0); store_scan.c.  Set by store_walk
 * before its read transaction, which holds no dirty pages. */
void store_walk_cache(struct store *s, int walking);
/* The value of a PRAGMA that gives one number (PRAGMA user_version,
 * data_version), or -1 when it could not be read. */
int64_t store_pragma(struct store *s, const char *pragma);
/* The index of the purpose with this row id, or -1. */
int store_purpose_by_id(const struct store *s, int64_t id);
/* Bind text, NULL for "" when empty_null. */
int bind_text(sqlite3_stmt *st, int i, const char *v, int empty_null);

/* store_batch.c.  The texts of an event, in ST_EVENT_INSERT's order:
 * customer, purpose, old, new, basis, source, evidence. */
#define EVENT_TEXTS 7
/* The texts of a customer: key, name, email, mobile, lang, last_contact,
 * hold_until. */
#define CUSTOMER_TEXTS 7
/* Keep a new customer, an event or a new consent for the next batch
 * (texts are copied); the customer's row number is set in c->id. */
int batch_customer(struct store *s, struct customer *c);
int batch_event(struct store *s, int64_t seq,
    const char *const text[EVENT_TEXTS], int64_t request,
    const unsigned char hash[AUDIT_HASH_LEN]);
int batch_consent(struct store *s, int64_t customer, int64_t purpose,
    const char *state, const char *basis, const char *source,
    const char *at, int dated, int64_t event);
/* Write what waits; before anything reads customers, events or
 * consents. */
int store_batch_flush(struct store *s);
/* Wait until the writer thread has written the rows handed to it, and
 * say whether it failed (the message then in s->err).  Any use of the
 * connection outside store_batch.c's writer comes after it: the writer
 * uses the connection while it writes. */
int batch_wait(struct store *s);
/* The run's end: what waits is dropped (store_commit flushed it). */
void batch_end(struct store *s);
void batch_free(struct store *s);

/* store_erase.c: free what store_erase_begin made (store_close calls it). */
void erase_state_free(struct store *s);
/* store_customer.c: does a tombstone of this kind match value? */
int store_tomb_match(struct store *s, const char *kind, const char *value);

/* audit.c */
struct event {
	const char *customer, *purpose, *old, *new_, *basis, *source,
	    *evidence;
	int64_t request;	/* 0 when none */
};
int audit_load_head(struct store *s);
/* Append an event; its seq in *seq when seq is not NULL. */
int audit_append(struct store *s, const struct event *e, int64_t *seq);
/* Redact the event seq for erasure event by: its customer becomes
 * customer and its evidence "redacted by event BY"; its hash stays (see
 * audit.c). */
int audit_redact(struct store *s, int64_t seq, const char *customer,
    int64_t by);
/* The start of an erasure event's evidence: "redacted LIST", the seqs
 * (ascending) as ranges ("3,7-9"; "none"). */
void audit_redacted_list(struct buf *out, const int64_t *seqs, size_t n);

#endif
