/* store_erase: erasure and restriction of customers (consent-erase(1)),
 * the tombstone key, the customers that are due, the WAL checkpoint.
 *
 * An erased customer leaves no row: its consents and requests are deleted,
 * then the customer, with secure_delete on so that the freed cells are
 * zeroed; its audit events are redacted (audit.c says how the chain stays
 * verifiable); tombstones, keyed hashes of its key and addresses, remain.
 * A restricted one (a bookkeeping hold runs) keeps its row with the key,
 * name and hold date, and loses the rest the same way. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "keyset.h"
#include "store_internal.h"
#include "util.h"

#define KEY_SETTING "tombstone_key_file"
/* A keyed hash of a fixed text, kept with the key's path: a key file
 * replaced by another would otherwise match no tombstone, silently, and
 * bring the erased back. */
#define CHECK_SETTING "tombstone_key_check"

struct seqs {
	int64_t *v;
	size_t n, cap;
};

/* The run's keys and the seqs of their audit events. */
struct erase_state {
	struct keyset *keys;	/* key -> index into ev */
	struct seqs *ev;
	size_t n;
};

static void
seqs_push(struct seqs *q, int64_t seq)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 8;
		q->v = erealloc(q->v, q->cap * sizeof *q->v);
	}
	q->v[q->n++] = seq;
}

void
erase_state_free(struct store *s)
{
	struct erase_state *e = s->erase;
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n; i++)
		free(e->ev[i].v);
	free(e->ev);
	keyset_free(e->keys);
	free(e);
	s->erase = NULL;
}

/* --- the tombstone key ------------------------------------------------- */

static int
key_error(struct store *s, const char *path, const char *what)
{
	snprintf(s->err, sizeof s->err, "%.300s: %.200s", path, what);
	return -1;
}

/* Compare the key with the store's check value, or (store) write it. */
static int
check_key(struct store *s, const char *path, const unsigned char key[32],
    int store)
{
	unsigned char h[32];
	char hex[65], stored[80];
	int rc;

	tombstone_hash(key, "check", "consent tombstone key", h);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	if (store)
		return store_setting_put(s, CHECK_SETTING, hex);
	if ((rc = store_setting_get(s, CHECK_SETTING, stored,
	    sizeof stored)) < 0)
		return -1;
	if (rc == 1 && strcmp(stored, hex) != 0)
		return key_error(s, path, "not the key of this store's"
		    " tombstones (was the file replaced?)");
	return 0;
}

int
store_read_tombkey(struct store *s, const char *path, unsigned char key[32])
{
	struct stat sb;
	char what[96];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return key_error(s, path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return key_error(s, path, "the tombstone key is not a regular"
		    " file");
	}
	if (sb.st_mode & 077) {
		close(fd);
		snprintf(what, sizeof what, "open to group or others (mode"
		    " %04o); chmod 600 it", (unsigned)(sb.st_mode & 07777));
		return key_error(s, path, what);
	}
	n = read(fd, key, 32);
	close(fd);
	if (n != 32 || sb.st_size != 32)
		return key_error(s, path, "not a tombstone key (32 bytes)");
	return check_key(s, path, key, 0);
}

/* The path made absolute, so that the setting holds wherever the next
 * tool runs. */
static int
absolute(struct store *s, const char *path, char *out, size_t outsz)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		if ((size_t)snprintf(out, outsz, "%s", path) >= outsz)
			return key_error(s, path, "path too long");
		return 0;
	}
	if (!getcwd(cwd, sizeof cwd))
		return key_error(s, path, strerror(errno));
	if ((size_t)snprintf(out, outsz, "%s/%s", cwd, path) >= outsz)
		return key_error(s, path, "path too long");
	return 0;
}

static void
sync_dir(const char *path)
{
	char *dir = estrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if ((fd = open(slash ? dir : ".", O_RDONLY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Write a new key next to the file under a temporary name, then link it
 * into place: a run killed halfway leaves no key file of the wrong size,
 * and a key already there (from a run killed after this step, before its
 * commit) is used as it is. */
static int
make_key_file(struct store *s, const char *path, unsigned char key[32])
{
	char tmp[PATH_MAX + 8];
	int fd, rc = 0;

	snprintf(tmp, sizeof tmp, "%s.new", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0)
		return key_error(s, tmp, strerror(errno));
	randombytes_buf(key, 32);
	if (fchmod(fd, 0600) < 0 || write(fd, key, 32) != 32 ||
	    fsync(fd) < 0)
		rc = key_error(s, tmp, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = key_error(s, tmp, strerror(errno));
	if (rc == 0 && link(tmp, path) < 0) {
		if (errno == EEXIST)
			rc = store_read_tombkey(s, path, key);
		else
			rc = key_error(s, path, strerror(errno));
	}
	unlink(tmp);
	if (rc == 0)
		sync_dir(path);
	return rc;
}

int
store_tombkey(struct store *s, const char *create, int ephemeral,
    unsigned char key[32])
{
	char path[PATH_MAX];
	int rc = store_setting_get(s, KEY_SETTING, path, sizeof path);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		if (store_read_tombkey(s, path, key) < 0)
			return -1;
	} else if (ephemeral)
		randombytes_buf(key, 32);
	else if (create) {
		if (absolute(s, create, path, sizeof path) < 0 ||
		    make_key_file(s, path, key) < 0 ||
		    store_setting_put(s, KEY_SETTING, path) < 0 ||
		    check_key(s, path, key, 1) < 0)
			return -1;
	} else
		return 0;
	memcpy(s->tombkey, key, sizeof s->tombkey);
	s->tombkey_loaded = 1;
	return 1;
}

/* --- finding the events -------------------------------------------------- */

int
store_erase_begin(struct store *s, char *const *keys, size_t n)
{
	struct erase_state *e;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	erase_state_free(s);
	e = s->erase = ecalloc(1, sizeof *e);
	e->keys = keyset_new();
	e->ev = ecalloc(n, sizeof *e->ev);
	e->n = n;
	for (i = 0; i < n; i++)
		keyset_add(e->keys, keys[i], strlen(keys[i]), i, NULL);
	/* One pass for all the keys: events have no index on customer (an
	 * index would slow every import for the sake of rare erasures). */
	if (sqlite3_prepare_v2(s->db, "SELECT seq, customer FROM events",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "events");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 1);
		uint64_t at;

		if (c && keyset_find(e->keys, c, (size_t)sqlite3_column_bytes(st,
		    1), &at))
			seqs_push(&e->ev[at], sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "events");
}

void
store_erase_end(struct store *s)
{
	erase_state_free(s);
}

/* --- one customer -------------------------------------------------------- */

static int
put_tomb(struct store *s, const char *kind, const char *value)
{
	sqlite3_stmt *st;
	unsigned char h[32];
	int rc;

	if (!value || !*value)
		return 0;
	if (!(st = store_stmt(s, ST_TOMB_PUT)))
		return -1;
	tombstone_hash(s->tombkey, kind, value, h);
	bind_text(st, 1, kind, 0);
	sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_STATIC);
	bind_text(st, 3, s->nowtext, 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "tombstone");
	store_count_write(s);
	s->tombstones = 1;
	return 0;
}

/* The addresses the customer's requests went to are the person's too,
 * even when the customer's own have changed since. */
static int
tomb_requests(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, ST_REQ_ADDRESSES);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ch = (const char *)sqlite3_column_text(st, 0);
		const char *a = (const char *)sqlite3_column_text(st, 1);
		char e[EMAIL_MAX + 1];

		if (!ch || !a || !*a)
			continue;
		if (strcmp(ch, "email") == 0 && email_normalise(a, e,
		    sizeof e) == 0) {
			if (put_tomb(s, "email", e) < 0)
				return -1;
		} else if (strcmp(ch, "sms") == 0 && a[0] == '+' &&
		    put_tomb(s, "mobile", a) < 0)
			return -1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "requests");
}

static int
tombstones(struct store *s, const struct customer *c)
{
	if (put_tomb(s, "key", c->key) < 0 || put_tomb(s, "email",
	    c->email) < 0 || put_tomb(s, "mobile", c->mobile) < 0)
		return -1;
	return tomb_requests(s, c->id);
}

/* Run a statement on the customer's row; the rows it changed in *n. */
static int
by_customer(struct store *s, enum stmt_id id, int64_t customer, long *n)
{
	sqlite3_stmt *st = store_stmt(s, id);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, customer);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "erase");
	if (n)
		*n = sqlite3_changes(s->db);
	store_count_write(s);
	return 0;
}

/* A restriction redacts what was not redacted yet, and leaves the
 * erasure events alone: their lists are what verification needs. */
static int
needs_redacting(struct store *s, int64_t seq)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_BRIEF);
	int rc, yes = 1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 1);
		const char *ev = (const char *)sqlite3_column_text(st, 2);

		if (ev && strncmp(ev, "redacted by event ", 18) == 0)
			yes = 0;
		if (sqlite3_column_type(st, 0) == SQLITE_NULL && n &&
		    (strcmp(n, "restricted") == 0 || strcmp(n, "erased") == 0))
			yes = 0;
	} else if (rc != SQLITE_DONE)
		yes = store_fail(s, "events");
	sqlite3_reset(st);
	return yes;
}

/* Redact the events in list as of the erasure event that comes next,
 * and append that event. */
static int
redact_and_record(struct store *s, const struct seqs *list,
    const char *customer, const char *old, const char *new_,
    const char *hold, const char *reason)
{
	struct event e = { 0 };
	struct buf ev = { 0 };
	int64_t by = s->headseq + 1, seq;
	size_t i;
	int rc = -1;

	for (i = 0; i < list->n; i++)
		if (audit_redact(s, list->v[i], customer, by) < 0)
			goto out;
	audit_redacted_list(&ev, list->v, list->n);
	if (hold)
		buf_printf(&ev, "; until %s", hold);
	if (reason && *reason)
		buf_printf(&ev, "; reason: %s", reason);
	e.customer = customer;
	e.old = old;
	e.new_ = new_;
	e.evidence = ev.s;
	if (audit_append(s, &e, &seq) < 0)
		goto out;
	rc = seq == by ? 0 : -1;
	if (rc < 0)
		snprintf(s->err, sizeof s->err, "%s: the erasure event is %lld,"
		    " not %lld", s->path, (long long)seq, (long long)by);
out:
	buf_free(&ev);
	return rc;
}

static void
pseudonym(const struct store *s, const char *key, char out[24])
{
	unsigned char h[32];
	static const char hex[] = "0123456789abcdef";
	int i;

	tombstone_hash(s->tombkey, "key", key, h);
	memcpy(out, "erased-", 7);
	for (i = 0; i < 8; i++) {
		out[7 + 2 * i] = hex[h[i] >> 4];
		out[8 + 2 * i] = hex[h[i] & 15];
	}
	out[23] = '\0';
}

static int
erase_customer(struct store *s, const struct customer *c,
    const struct seqs *ev, const char *reason, struct erase_result *res)
{
	char pseudo[24];

	res->action = ERASE_ERASED;
	pseudonym(s, c->key, pseudo);
	if (tombstones(s, c) < 0 ||
	    by_customer(s, ST_CONSENTS_DELETE, c->id, &res->consents) < 0 ||
	    by_customer(s, ST_REQS_DELETE, c->id, &res->requests) < 0 ||
	    by_customer(s, ST_CUST_DELETE, c->id, NULL) < 0)
		return -1;
	res->events = (long)ev->n;
	return redact_and_record(s, ev, pseudo, c->status == CUST_RESTRICTED ?
	    "restricted" : "active", "erased", NULL, reason);
}

static int
restrict_customer(struct store *s, const struct customer *c,
    const struct seqs *ev, const char *reason, struct erase_result *res)
{
	struct seqs todo = { 0 };
	size_t i;
	int contact = *c->email || *c->mobile || *c->lang || *c->last_contact;
	int rc = -1, y;

	res->action = ERASE_RESTRICTED;
	snprintf(res->hold, sizeof res->hold, "%s", c->hold_until);
	for (i = 0; i < ev->n; i++) {
		if ((y = needs_redacting(s, ev->v[i])) < 0)
			goto out;
		if (y)
			seqs_push(&todo, ev->v[i]);
	}
	if (tombstones(s, c) < 0 ||
	    by_customer(s, ST_CONSENTS_DELETE, c->id, &res->consents) < 0 ||
	    by_customer(s, ST_REQS_DELETE, c->id, &res->requests) < 0)
		goto out;
	res->events = (long)todo.n;
	if (c->status == CUST_RESTRICTED && !contact && !res->consents &&
	    !res->requests && !todo.n) {
		res->already = 1;
		rc = 0;
		goto out;
	}
	if (by_customer(s, ST_CUST_RESTRICT, c->id, NULL) < 0)
		goto out;
	rc = redact_and_record(s, &todo, c->key, c->status == CUST_RESTRICTED ?
	    "restricted" : "active", "restricted", c->hold_until, reason);
out:
	free(todo.v);
	return rc;
}

int
store_erase(struct store *s, const char *key, const char *today,
    const char *reason, struct erase_result *res)
{
	struct customer c = { 0 };
	static const struct seqs none;
	const struct seqs *ev = &none;
	uint64_t at;
	int rc;

	memset(res, 0, sizeof *res);
	if (!s->tombkey_loaded || !s->erase) {
		snprintf(s->err, sizeof s->err, "%s: store_erase before"
		    " store_tombkey and store_erase_begin", s->path);
		return -1;
	}
	if ((rc = store_customer_get(s, key, &c)) < 0)
		return -1;
	if (rc == 0) {
		/* erased before: the wanted state holds, a re-run converges */
		if ((rc = store_tomb_match(s, "key", key)) < 0)
			return -1;
		res->action = rc ? ERASE_ERASED : ERASE_NOT_FOUND;
		res->already = rc;
		return 0;
	}
	if (keyset_find(s->erase->keys, key, strlen(key), &at))
		ev = &s->erase->ev[at];
	/* The hold date is the last day the hold keeps the customer. */
	if (*c.hold_until && strcmp(c.hold_until, today) >= 0)
		rc = restrict_customer(s, &c, ev, reason, res);
	else
		rc = erase_customer(s, &c, ev, reason, res);
	customer_clear(&c);
	return rc;
}

/* --- the customers due --------------------------------------------------- */

struct due {
	char *key;
	char *why;		/* NULL: waits for its first event's date */
};

struct due_scan {
	const char *today, *before;
	struct due *v;
	size_t n, cap;
	struct keyset *pending;	/* keys without a contact date -> index */
};

static void
due_add(struct due_scan *d, const char *key, char *why)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = erealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n].key = estrdup(key);
	d->v[d->n++].why = why;
}

static char *
why(const char *fmt, const char *date)
{
	struct buf b = { 0 };

	buf_printf(&b, fmt, date);
	return b.s;
}

static int
due_customer(void *arg, const struct customer *c)
{
	struct due_scan *d = arg;

	if (c->status == CUST_RESTRICTED) {
		if (!*c->hold_until)
			due_add(d, c->key, estrdup("restricted without a hold"
			    " date"));
		else if (strcmp(c->hold_until, d->today) < 0)
			due_add(d, c->key, why("hold ended %s", c->hold_until));
		return 0;
	}
	if (!d->before)
		return 0;
	if (*c->last_contact) {
		if (strcmp(c->last_contact, d->before) < 0)
			due_add(d, c->key, why("no contact since %s",
			    c->last_contact));
		return 0;
	}
	keyset_add(d->pending, c->key, strlen(c->key), d->n, NULL);
	due_add(d, c->key, NULL);
	return 0;
}

/* A customer without a contact date counts from its first audit event:
 * the store keeps no date of a customer's first import. */
static int
first_events(struct store *s, struct due_scan *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT e.customer, r.at FROM events e"
	    " JOIN runs r ON r.id = e.run ORDER BY e.seq", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_fail(s, "events");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		const char *at = (const char *)sqlite3_column_text(st, 1);
		char date[11];
		uint64_t i;
		struct due *u;

		if (!c || !at || !keyset_find(d->pending, c,
		    (size_t)sqlite3_column_bytes(st, 0), &i))
			continue;
		u = &d->v[i];
		if (u->why)
			continue;	/* not its first event */
		snprintf(date, sizeof date, "%s", at);
		u->why = strcmp(date, d->before) < 0 ? why("first recorded"
		    " %s (no contact date)", date) : estrdup("");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, "events");
}

int
store_each_due(struct store *s, const char *today,
    const char *inactive_before,
    int (*fn)(void *arg, const char *key, const char *why), void *arg)
{
	struct due_scan d = { today, inactive_before, NULL, 0, 0, NULL };
	size_t i;
	int rc;

	d.pending = keyset_new();
	rc = store_each_customer(s, due_customer, &d);
	if (rc == 0 && keyset_count(d.pending) > 0)
		rc = first_events(s, &d);
	for (i = 0; i < d.n; i++) {
		/* no event at all: no date to count from, so not due */
		if (rc == 0 && d.v[i].why && *d.v[i].why)
			rc = fn(arg, d.v[i].key, d.v[i].why);
		free(d.v[i].key);
		free(d.v[i].why);
	}
	free(d.v);
	keyset_free(d.pending);
	return rc;
}

/* --- tombstones, the checkpoint ----------------------------------------- */

int
store_each_tombstone(struct store *s,
    int (*fn)(void *arg, const char *kind, const unsigned char *hash),
    void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT kind, hash FROM tombstones",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "tombstones");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 1) == 32)
			stop = fn(arg, (const char *)sqlite3_column_text(st, 0),
			    sqlite3_column_blob(st, 1));
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "tombstones");
}

int
store_checkpoint(struct store *s)
{
	int log = -1, done = -1;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, &log, &done);

	if (rc != SQLITE_OK) {
		snprintf(s->err, sizeof s->err, "%s: the WAL could not be"
		    " emptied (%s): another process still reads the store",
		    s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}
