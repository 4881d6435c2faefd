/* store: the SQLite file of consent work.  Opening creates it (mode 0600,
 * WAL, busy_timeout, foreign keys, secure_delete), upgrades its schema and
 * brings the purposes table in line with the configuration.  Every change
 * happens between store_begin and store_commit: one transaction a run. */
#ifndef CONSENT_STORE_H
#define CONSENT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

#define STORE_SCHEMA_VERSION 2

/* path NULL: $CONSENT_DB, else ./consent.db.  NULL and a message in err
 * on failure. */
struct store *store_open(const char *path, const struct config *cfg,
    char *err, size_t errsz);
void store_close(struct store *s);
/* The store a tool uses: given (--db), else $CONSENT_DB, else
 * ./consent.db.  Tools that only read check that it exists first. */
const char *store_resolve_path(const char *given);
const char *store_path(const struct store *s);
const char *store_errmsg(const struct store *s);

/* Start the run's transaction; tool and actor go into every audit event
 * and now is the run's time. */
int store_begin(struct store *s, const char *tool, const char *actor,
    int64_t now);
int store_commit(struct store *s);
void store_rollback(struct store *s);
/* For a run that adds many rows whose parents it made itself or read
 * from the store (an import into a store without customers): the
 * foreign keys are checked once, by PRAGMA foreign_key_check before the
 * commit, rather than by each insert.  A violation fails store_commit
 * and the run is rolled back, as an insert's failure would.  Call it
 * before store_begin; the run's end turns the per-insert checks on
 * again. */
int store_keys_at_commit(struct store *s);
/* For the same kind of run: until its end, new customers, audit events
 * and new consents are written a batch at a time, by one statement each,
 * rather than one statement a row, and by a thread of their own while
 * the run goes on.  Reading customers or consents in the
 * run (store_customer_get, store_consents_get) and store_commit write
 * what waits first; nothing else may read customers, events or consents
 * in such a run. */
int store_batch_writes(struct store *s);
/* For the same kind of run: its transaction goes through a rollback
 * journal instead of the WAL, which writes each page twice (into the WAL,
 * then into the file when the WAL is checkpointed).  A store that holds
 * nothing yet has no pages for the journal to save, so each new page is
 * written once.  A killed run is still undone: by the journal, when the
 * store is next opened.  Other connections wait while the run writes, as
 * they would for any writer without WAL; and when one holds the store
 * open at the call, the run keeps the WAL.  Call it before store_begin;
 * the run's end puts the store back in WAL. */
int store_rollback_journal(struct store *s);

/* Purposes, in the order of the configuration. */
size_t store_npurposes(const struct store *s);
const char *store_purpose_name(const struct store *s, size_t i);
const char *store_purpose_basis(const struct store *s, size_t i);
int store_purpose_active(const struct store *s, size_t i);
/* Index of a purpose by name, or -1. */
int store_purpose_index(const struct store *s, const char *name);

enum cstatus { CUST_ACTIVE, CUST_RESTRICTED };

struct customer {
	int64_t id;		/* 0 for a customer not yet stored */
	char *key, *name, *email, *mobile, *lang, *last_contact, *hold_until;
	enum cstatus status;
};

void customer_clear(struct customer *c);

/* 1 found, 0 not, -1 error. */
int store_customer_get(struct store *s, const char *key,
    struct customer *c);
/* Does the store hold any customer?  1 yes, 0 no, -1 error.  A run into
 * an empty store can skip the look-up of every key. */
int store_customer_any(struct store *s);
int store_customer_insert(struct store *s, struct customer *c);
int store_customer_update(struct store *s, const struct customer *c);

enum cstate { CS_UNKNOWN, CS_GRANTED, CS_DENIED, CS_WITHDRAWN };
extern const char *const cstate_names[];
/* Parse a state name; -1 when unknown. */
int cstate_parse(const char *s);

struct consent {
	enum cstate state;
	char basis[24], source[16];
	int64_t at;		/* when the decision was made */
	int dated;		/* at came from evidence, not the run's clock */
};

/* Load the consents of a customer, one per purpose index (CS_UNKNOWN
 * where none is stored).  out has store_npurposes() entries. */
int store_consents_get(struct store *s, int64_t customer,
    struct consent *out);
/* Store a consent and write its audit event (old -> new). */
int store_consent_put(struct store *s, const struct customer *c,
    size_t purpose, const struct consent *old, const struct consent *new_,
    const char *evidence);

/* Call fn for every customer, in the order they were added; the
 * customer's strings are valid during the call only.  fn returns 0 to go
 * on, else the scan stops and returns that.  -1 on a store error. */
int store_each_customer(struct store *s,
    int (*fn)(void *arg, const struct customer *c), void *arg);
/* Call fn for every stored consent (state granted, denied or withdrawn)
 * of the purposes in the mask (bit i: the purpose of index i, below 32),
 * with the customer's id (struct customer's id) and the purpose's index;
 * as above.  The ids save a join and a look-up by key per consent. */
int store_each_consent(struct store *s, uint32_t purposes,
    int (*fn)(void *arg, int64_t customer, size_t purpose,
    enum cstate state), void *arg);

/* store_each_customer, then store_each_consent of the purposes in the
 * mask (0: no consents), both from one snapshot of the store: in a read
 * transaction of their own when none is open, the consents then read in
 * a second thread while the customers are (lib/store_walk.c).  As
 * above; -1 on a store error. */
int store_walk(struct store *s, uint32_t purposes,
    int (*customer_fn)(void *arg, const struct customer *c),
    int (*consent_fn)(void *arg, int64_t customer, size_t purpose,
    enum cstate state), void *arg);

/* Does a tombstone match this key, e-mail or E.164 mobile (any may be
 * "")?  1 yes, 0 no, -1 error. */
int store_tombstoned(struct store *s, const char *key, const char *email,
    const char *mobile);
/* Does the store hold any tombstone?  1 yes, 0 no, -1 error.  A stream
 * can then skip normalising the addresses of every unknown key. */
int store_has_tombstones(struct store *s);

/* Requests (SPEC.md "Consent and request states"). */
enum rstatus {
	RS_QUEUED, RS_SENDING, RS_SENT, RS_APPROVED, RS_DENIED, RS_EXPIRED,
	RS_ERROR, RS_CANCELLED
};
extern const char *const rstatus_names[];
/* Parse a status name; -1 when unknown. */
int rstatus_parse(const char *s);
/* queued, sending and sent: the request still waits for an answer. */
int rstatus_open(enum rstatus st);

struct request {
	int64_t id;		/* 0 before it is stored */
	int64_t customer;	/* the customer's row */
	char *key;		/* the customer's key */
	char *channel;		/* email, sms, paper */
	char *address;		/* the e-mail address or E.164 number, "" for none */
	char *purposes;		/* purpose names, comma-separated */
	char *lang;
	char *detail;		/* why it failed, where it went; "" for none */
	enum rstatus status;
	/* Unix seconds, 0 when not yet */
	int64_t created, sent, expires, reminded, answered;
};

void request_clear(struct request *r);
/* Store a new request (id and created are set here: created is the run's
 * time) and write its audit event (none -> status). */
int store_request_insert(struct store *s, struct request *r);
/* Write the request's status, times and detail, and an audit event when
 * the status changes (old -> new, the detail as evidence). */
int store_request_update(struct store *s, struct request *r,
    enum rstatus old);
/* The request that speaks for the customer: the open one (queued,
 * sending, sent) if there is one, else the latest.  1 found, 0 none,
 * -1 error. */
int store_request_last(struct store *s, int64_t customer,
    struct request *r);
/* A request by number: 1 found, 0 none, -1 error. */
int store_request_get(struct store *s, int64_t id, struct request *r);
/* Call fn for every request in status st, oldest first; the request is
 * the callee's to keep (request_clear it).  fn returns 0 to go on. */
int store_each_request(struct store *s, enum rstatus st,
    int (*fn)(void *arg, struct request *r), void *arg);

/* Settings: what a tool keeps between runs (consent-sync's last answer
 * number).  get: 1 and the value in out, 0 none, -1 error. */
int store_setting_get(struct store *s, const char *key, char *out,
    size_t outsz);
int store_setting_put(struct store *s, const char *key, const char *value);

/* --- erasure (consent-erase(1), lib/store_erase.c) --------------------- */

/* The tombstone key, which keys the tombstones' hashes and the masks of
 * consent-erase --anonymise: read from the file that the store's
 * tombstone_key_file setting names.  When the store has no such setting:
 * with create not NULL, the file create names is made with a new random
 * key (mode 0600; a file of 32 bytes already there, left by a run that
 * was killed, is taken as it is) and the setting written, in the run's
 * transaction; with ephemeral, a random key that lives in memory only
 * (a dry run stores nothing); else 0.  1 with the key in key, or -1
 * with a message. */
int store_tombkey(struct store *s, const char *create, int ephemeral,
    unsigned char key[32]);

enum erase_action { ERASE_ERASED, ERASE_RESTRICTED, ERASE_NOT_FOUND };

struct erase_result {
	enum erase_action action;
	int already;		/* it was so before: nothing changed */
	char hold[11];		/* restricted: the last day of the hold */
	long consents, requests, events;	/* removed, redacted */
};

/* Erasing the keys of a run: store_erase_begin finds the audit events of
 * all of them in one pass over the events, then store_erase erases or
 * restricts each (today: the run's date, YYYY-MM-DD; reason: kept in the
 * erasure event, NULL for none).  Inside the run's transaction, after
 * store_tombkey.  0, or -1 with a message. */
int store_erase_begin(struct store *s, char *const *keys, size_t n);
int store_erase(struct store *s, const char *key, const char *today,
    const char *reason, struct erase_result *res);
void store_erase_end(struct store *s);

/* The customers that are due (consent-erase --due): restricted ones whose
 * hold ended before today, and, with inactive_before (YYYY-MM-DD, NULL
 * for none), those whose last contact, or first audit event when they
 * have none, is before that day.  fn gets each key and why, in the order
 * of the customers; it returns 0 to go on.  0, or -1 with a message. */
int store_each_due(struct store *s, const char *today,
    const char *inactive_before,
    int (*fn)(void *arg, const char *key, const char *why), void *arg);

/* Call fn for every tombstone: its kind ("key", "email", "mobile") and
 * its 32-byte hash.  fn returns 0 to go on. */
int store_each_tombstone(struct store *s,
    int (*fn)(void *arg, const char *kind, const unsigned char *hash),
    void *arg);

/* PRAGMA wal_checkpoint(TRUNCATE): every page into the database file and
 * the -wal emptied, so that what a run deleted is in neither.  0, or -1
 * with a message (another process still reads an older snapshot). */
int store_checkpoint(struct store *s);

/* The keyed hash of a tombstone: HMAC-SHA-256 under the tombstone key of
 * the kind, a NUL, and the value (the key as stored, the normalised
 * e-mail address, the E.164 number). */
void tombstone_hash(const unsigned char key[32], const char *kind,
    const char *value, unsigned char out[32]);

/* --- the audit log (consent-log(1): lib/store_log.c, lib/audit.c) ---- */

/* An audit event as stored, with the time, actor and tool of its run.
 * The strings are valid during the call only; NULL where the column is
 * NULL.  hash is the stored hash (hashlen bytes). */
struct log_event {
	int64_t seq;
	int64_t request;	/* 0: not a request's event */
	const char *at, *actor, *tool, *customer, *purpose, *old, *new_,
	    *basis, *source, *evidence;
	const unsigned char *hash;
	size_t hashlen;
};

/* Call fn for every event of customer (every event when NULL), oldest
 * first.  since (RFC 3339 UTC; NULL: all): only the events of runs at or
 * after it.  purpose (NULL: all): only the events for that purpose, and
 * the events of requests whose list names it.  fn returns 0 to go on,
 * else the walk stops and returns that; -1 on a store error. */
int store_each_event(struct store *s, const char *customer,
    const char *since, const char *purpose,
    int (*fn)(void *arg, const struct log_event *e), void *arg);

/* Call fn for every request of a customer (its row id), oldest first;
 * the request is the callee's to keep (request_clear it). */
int store_each_request_of(struct store *s, int64_t customer,
    int (*fn)(void *arg, struct request *r), void *arg);

/* The customers in the store, and the stored consents per purpose and
 * state: counts[4 * i + state] for purpose index i (the CS_UNKNOWN
 * entries are left 0).  counts has 4 * store_npurposes() entries. */
int store_consent_counts(struct store *s, int64_t *ncustomers,
    int64_t *counts);

/* The consent changes of the audit events per month of their run
 * ("YYYY-MM"), purpose name and new state, ordered by month and purpose
 * name; since and purpose narrow them as for store_each_event.  A
 * request's events are not consent changes.  fn returns 0 to go on. */
int store_each_month_change(struct store *s, const char *since,
    const char *purpose, int (*fn)(void *arg, const char *month,
    const char *purpose, enum cstate st, int64_t n), void *arg);

/* The check of the audit chain (audit.c says how erasure keeps it
 * verifiable). */
struct audit_check {
	int64_t events, redacted;
	int64_t bad;		/* the first event that breaks it; 0: none */
	char why[200];		/* "event 17: hash does not match (...)" */
	char head[33];		/* the last event's hash in hex, "" if none */
};

/* Walk the chain from the zero hash, in one read transaction.  0 intact,
 * 1 broken (bad and why say where), -1 on a store error. */
int audit_verify(struct store *s, struct audit_check *out);

#endif
