/* store: open, schema and migrations, purposes, transactions.  All SQL
 * goes through prepared statements; the only literal statements are the
 * fixed schema and pragmas below. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "timeutil.h"
#include "store_internal.h"
#include "util.h"

/* Version 1 of the schema.  Times are RFC 3339 UTC text.  Events name
 * customers by key (not by row) because erasure rewrites them and the
 * chain must outlive the customer rows.  The time, actor and tool of an
 * event are those of its run (one row in runs), and a consent names the
 * event that set it for its evidence: an import of a million customers
 * writes millions of events, and each byte repeated in them is paid for
 * twice (WAL, then checkpoint).  CHECKs are chains of OR, not IN
 * lists: an IN list builds a temporary table at every insert, which
 * doubles the cost of a bulk import. */
static const char schema_v1[] =
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE purposes(id INTEGER PRIMARY KEY, name TEXT NOT NULL"
	" UNIQUE, basis TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE customers(id INTEGER PRIMARY KEY, key TEXT NOT NULL"
	" UNIQUE, name TEXT, email TEXT, mobile TEXT, lang TEXT,"
	" last_contact TEXT, hold_until TEXT,"
	" status TEXT NOT NULL DEFAULT 'active'"
	" CHECK (status = 'active' OR status = 'restricted'));"
	"CREATE TABLE consents(customer INTEGER NOT NULL REFERENCES"
	" customers(id) ON DELETE CASCADE, purpose INTEGER NOT NULL"
	" REFERENCES purposes(id), state TEXT NOT NULL CHECK (state ="
	" 'granted' OR state = 'denied' OR state = 'withdrawn'),"
	" basis TEXT NOT NULL,"
	" source TEXT NOT NULL, at TEXT NOT NULL, dated INTEGER NOT NULL,"
	" event INTEGER NOT NULL, PRIMARY KEY (customer, purpose))"
	" WITHOUT ROWID;"
	"CREATE TABLE requests(id INTEGER PRIMARY KEY, customer INTEGER NOT"
	" NULL REFERENCES customers(id) ON DELETE CASCADE, channel TEXT NOT"
	" NULL, status TEXT NOT NULL CHECK (status = 'queued' OR"
	" status = 'sending' OR status = 'sent' OR status = 'approved' OR"
	" status = 'denied' OR status = 'expired' OR status = 'error' OR"
	" status = 'cancelled'),"
" purposes TEXT NOT NULL, lang TEXT, created TEXT NOT NULL,"
	" sent TEXT, expires TEXT, reminded TEXT, answered TEXT, detail TEXT);"
	"CREATE INDEX requests_customer ON requests(customer);"
	"CREATE INDEX requests_status ON requests(status);"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
	" actor TEXT NOT NULL, tool TEXT NOT NULL);"
	"CREATE TABLE events(seq INTEGER PRIMARY KEY, run INTEGER NOT NULL"
	" REFERENCES runs(id), customer TEXT, purpose TEXT, old TEXT,"
	" new TEXT, basis TEXT, source TEXT, evidence TEXT, request INTEGER,"
	" hash BLOB NOT NULL);"
	"CREATE TABLE tombstones(kind TEXT NOT NULL, hash BLOB NOT NULL,"
	" at TEXT NOT NULL, PRIMARY KEY (kind, hash)) WITHOUT ROWID;";

static const char *const stmt_sql[ST_COUNT] = {
	[ST_CUST_GET] = "SELECT id, name, email, mobile, lang, last_contact,"
	    " hold_until, status FROM customers WHERE key = ?1",
	[ST_CUST_INSERT] = "INSERT INTO customers(key, name, email, mobile,"
	    " lang, last_contact, hold_until, status)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_CUST_UPDATE] = "UPDATE customers SET name = ?2, email = ?3,"
	    " mobile = ?4, lang = ?5, last_contact = ?6, hold_until = ?7"
	    " WHERE id = ?1",
	[ST_CONSENTS_GET] = "SELECT purpose, state, basis, source, at, dated"
	    " FROM consents WHERE customer = ?1",
	/* Two statements rather than one upsert: an upsert opens a statement
	 * journal each time, which costs more than the insert itself. */
	[ST_CONSENT_INSERT] = "INSERT INTO consents(customer, purpose, state,"
	    " basis, source, at, dated, event) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8)",
	[ST_CONSENT_UPDATE] = "UPDATE consents SET state = ?3, basis = ?4,"
	    " source = ?5, at = ?6, dated = ?7, event = ?8"
	    " WHERE customer = ?1 AND purpose = ?2",
	[ST_EVENT_INSERT] = "INSERT INTO events(seq, run, customer, purpose,"
	    " old, new, basis, source, evidence, request, hash)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_RUN_INSERT] = "INSERT INTO runs(at, actor, tool) VALUES (?1, ?2,"
	    " ?3)",
	[ST_TOMB_GET] = "SELECT 1 FROM tombstones WHERE kind = ?1 AND"
	    " hash = ?2",
	[ST_REQ_INSERT] = "INSERT INTO requests(customer, channel, status,"
	    " purposes, lang, created, address, detail) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6, ?7, ?8)",
	[ST_REQ_UPDATE] = "UPDATE requests SET status = ?2, sent = ?3,"
	    " expires = ?4, reminded = ?5, answered = ?6, detail = ?7"
	    " WHERE id = ?1",
	[ST_REQ_LAST] = "SELECT " REQUEST_COLUMNS " FROM requests r JOIN"
	    " customers c ON c.id = r.customer WHERE r.customer = ?1"
	    " ORDER BY r.status IN ('queued', 'sending', 'sent') DESC,"
	    " r.id DESC LIMIT 1",
	[ST_REQ_GET] = "SELECT " REQUEST_COLUMNS " FROM requests r JOIN"
	    " customers c ON c.id = r.customer WHERE r.id = ?1",
	[ST_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
	[ST_SETTING_PUT] = "INSERT INTO settings(key, value) VALUES (?1, ?2)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[ST_EVENT_REDACT] = "UPDATE events SET customer = ?2, evidence = ?3"
	    " WHERE seq = ?1",
	[ST_EVENT_BRIEF] = "SELECT purpose, new, evidence FROM events"
	    " WHERE seq = ?1",
	[ST_TOMB_PUT] = "INSERT OR IGNORE INTO tombstones(kind, hash, at)"
	    " VALUES (?1, ?2, ?3)",
	[ST_CONSENTS_DELETE] = "DELETE FROM consents WHERE customer = ?1",
	[ST_REQ_ADDRESSES] = "SELECT channel, address FROM requests"
	    " WHERE customer = ?1",
	[ST_REQS_DELETE] = "DELETE FROM requests WHERE customer = ?1",
	[ST_CUST_DELETE] = "DELETE FROM customers WHERE id = ?1",
	/* a restricted customer keeps its key, name and hold date */
	[ST_CUST_RESTRICT] = "UPDATE customers SET email = NULL, mobile ="
	    " NULL, lang = NULL, last_contact = NULL, status = 'restricted'"
	    " WHERE id = ?1",
};

int
store_fail(struct store *s, const char *what)
{
	snprintf(s->err, sizeof s->err, "%s: %s: %s", s->path, what,
	    sqlite3_errmsg(s->db));
	return -1;
}

sqlite3_stmt *
store_stmt(struct store *s, enum stmt_id id)
{
	if (batch_wait(s) < 0)
		return NULL;
	if (!s->stmt[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL) != SQLITE_OK) {
		store_fail(s, "prepare");
		return NULL;
	}
	sqlite3_reset(s->stmt[id]);
	sqlite3_clear_bindings(s->stmt[id]);
	return s->stmt[id];
}

int
bind_text(sqlite3_stmt *st, int i, const char *v, int empty_null)
{
	if (!v || (empty_null && !*v))
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

void
store_count_write(struct store *s)
{
	static long limit = -1;

	if (limit < 0) {
		const char *e = getenv("CONSENT_CRASH_AFTER");

		/* a test hook: anything but a number is 0, off */
		/* NOLINTNEXTLINE(cert-err34-c) */
		limit = e && *e ? atol(e) : 0;
	}
	if (limit > 0 && ++s->writes >= limit)
		abort();
}

static int
exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (batch_wait(s) < 0)
		return -1;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof s->err, "%s: %s", s->path,
		    msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int64_t
store_pragma(struct store *s, const char *pragma)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (batch_wait(s) < 0 ||
	    sqlite3_prepare_v2(s->db, pragma, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
user_version(struct store *s)
{
	int64_t v = store_pragma(s, "PRAGMA user_version");

	return v < 0 ? store_fail(s, "schema version") : (int)v;
}

/* Create or upgrade the schema, in one exclusive transaction so that two
 * tools opening a new store at once do not both create it. */
static int
migrate(struct store *s)
{
	int v;

	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	v = user_version(s);
	if (v < 0)
		goto fail;
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(s->err, sizeof s->err,
		    "%s: schema version %d is newer than this tool's (%d)",
		    s->path, v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (v < 1) {
		if (exec(s, schema_v1) < 0 ||
		    exec(s, "PRAGMA user_version = 1") < 0)
			goto fail;
		store_count_write(s);
	}
	/* Version 2: a request keeps the address it was made for, since the
	 * channel is chosen when the request is created and a queued request
	 * keeps it, even when the record on the input named another
	 * address than the store's. */
	if (v < 2) {
		if (exec(s, "ALTER TABLE requests ADD COLUMN address"
		    " TEXT") < 0 || exec(s, "PRAGMA user_version = 2") < 0)
			goto fail;
		store_count_write(s);
	}
	if (exec(s, "COMMIT") < 0)
		return -1;
	if (v < STORE_SCHEMA_VERSION)
		store_count_write(s);
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* *changed is set when the row was written: the upsert changes nothing
 * when the purpose is as configured, and that is no write to count. */
static int
sync_purpose(struct store *s, sqlite3_stmt *up, sqlite3_stmt *get,
    const struct purpose *p, struct spurpose *out, int *changed)
{
	sqlite3_reset(up);
	sqlite3_bind_text(up, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 2, p->basis, -1, SQLITE_STATIC);
	sqlite3_bind_int(up, 3, p->active);
	if (sqlite3_step(up) != SQLITE_DONE)
		return store_fail(s, "purposes");
	if (sqlite3_changes(s->db) > 0) {
		store_count_write(s);
		*changed = 1;
	}
	sqlite3_reset(get);
	sqlite3_bind_text(get, 1, p->name, -1, SQLITE_STATIC);
	if (sqlite3_step(get) != SQLITE_ROW)
		return store_fail(s, "purposes");
	out->id = sqlite3_column_int64(get, 0);
	out->name = estrdup(p->name);
	out->basis = estrdup(p->basis);
	out->active = p->active;
	return 0;
}

/* Bring the purposes table in line with the configuration.  A purpose no
 * longer configured keeps its row (and its consents), inactive. */
static int
sync_purposes(struct store *s, const struct config *cfg)
{
	sqlite3_stmt *up = NULL, *get = NULL;
	size_t i, n = config_npurposes(cfg);
	int rc = -1, changed = 0;

	s->purposes = ecalloc(n, sizeof *s->purposes);
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO purposes(name, basis,"
	    " active) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET"
	    " basis = ?2, active = ?3 WHERE basis <> ?2 OR active <> ?3",
	    -1, &up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT id FROM purposes WHERE"
	    " name = ?1", -1, &get, NULL) != SQLITE_OK) {
		store_fail(s, "purposes");
		goto out;
	}
	for (i = 0; i < n; i++, s->npurposes++)
		if (sync_purpose(s, up, get, config_purpose_at(cfg, i),
		    &s->purposes[i], &changed) < 0)
			goto out;
	rc = exec(s, "COMMIT");
	if (rc == 0 && changed)
		store_count_write(s);
out:
	sqlite3_finalize(up);
	sqlite3_finalize(get);
	if (rc < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Create the file ourselves so that it is 0600 from the first byte: the
 * store holds personal data.  The -wal and -shm files follow its mode. */
static int
create_private(struct store *s)
{
	int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(s->err, sizeof s->err, "%s: %s", s->path,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int
configure(struct store *s)
{
	char sql[256];

	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	snprintf(sql, sizeof sql, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA cache_size = -%d;"
	    "PRAGMA temp_store = MEMORY", STORE_CACHE_KIB);
	return exec(s, sql);
}

const char *
store_resolve_path(const char *given)
{
	if (!given || !*given)
		given = getenv("CONSENT_DB");
	if (!given || !*given)
		given = "consent.db";
	return given;
}

struct store *
store_open(const char *path, const struct config *cfg, char *err,
    size_t errsz)
{
	struct store *s = ecalloc(1, sizeof *s);

	path = store_resolve_path(path);
	s->path = estrdup(path);
	s->tombstones = -1;
	if (create_private(s) < 0)
		goto fail;
	/* No count of SQLite's memory: it is never asked for, and keeping it
	 * takes a mutex around every allocation, which the two threads of
	 * store_walk then wait on.  Only the first call, before SQLite is
	 * initialised, counts; a later one fails, harmlessly. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_fail(s, "open");
		goto fail;
	}
	if (configure(s) < 0 || migrate(s) < 0 || sync_purposes(s, cfg) < 0)
		goto fail;
	return s;
fail:
	snprintf(err, errsz, "%s", s->err);
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	erase_state_free(s);
	batch_free(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (i = 0; i < s->npurposes; i++) {
		free(s->purposes[i].name);
		free(s->purposes[i].basis);
	}
	free(s->purposes);
	sqlite3_close(s->db);
	free(s->tool);
	free(s->actor);
	free(s->path);
	free(s);
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

const char *
store_errmsg(const struct store *s)
{
	return s->err;
}

int
store_begin(struct store *s, const char *tool, const char *actor,
    int64_t now)
{
	free(s->tool);
	free(s->actor);
	s->tool = estrdup(tool);
	s->actor = estrdup(actor);
	s->now = now;
	time_format(now, s->nowtext);
	/* IMMEDIATE: take the write lock now, so that a concurrent writer
	 * waits on busy_timeout instead of failing halfway through a run */
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	s->in_tx = 1;
	s->run = 0;
	if (audit_load_head(s) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int
store_keys_at_commit(struct store *s)
{
	/* a no-op inside a transaction, hence before store_begin */
	if (s->in_tx) {
		snprintf(s->err, sizeof s->err, "%s: foreign keys: a run is"
		    " open", s->path);
		return -1;
	}
	if (exec(s, "PRAGMA foreign_keys = OFF") < 0)
		return -1;
	s->keys_at_commit = 1;
	return 0;
}

/* What each insert would have checked, for the whole store at once:
 * with a million rows, one pass costs a fraction of a million checks,
 * each of which opens and closes a cursor on the parent table. */
static int
check_keys(struct store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, "foreign keys");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(s->err, sizeof s->err, "%s: FOREIGN KEY constraint"
		    " failed (a row of %s names no row of %s)", s->path,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 2));
	else if (rc != SQLITE_DONE)
		store_fail(s, "foreign keys");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_rollback_journal(struct store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (s->in_tx) {
		snprintf(s->err, sizeof s->err, "%s: journal: a run is open",
		    s->path);
		return -1;
	}
	/* Leaving WAL needs the file to ourselves.  Another connection
	 * holding it open is no error, and not worth waiting for: the run
	 * keeps the WAL. */
	sqlite3_busy_timeout(s->db, 0);
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = DELETE", -1,
	    &st, NULL) != SQLITE_OK) {
		sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
		return store_fail(s, "journal");
	}
	rc = sqlite3_step(st);
	s->rollback_journal = rc == SQLITE_ROW && strcmp((const char *)
	    sqlite3_column_text(st, 0), "delete") == 0;
	sqlite3_finalize(st);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (rc != SQLITE_ROW && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		return store_fail(s, "journal");
	return 0;
}

/* Back to WAL after a run on the rollback journal.  A failure here (a
 * reader that outlasts the busy timeout) leaves the committed run as it
 * is, and every store_open asks for WAL again, so it is not reported. */
static void
journal_back_to_wal(struct store *s)
{
	if (!s->rollback_journal)
		return;
	sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	s->rollback_journal = 0;
}

static void
keys_per_insert(struct store *s)
{
	if (!s->keys_at_commit)
		return;
	sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	s->keys_at_commit = 0;
}

int
store_commit(struct store *s)
{
	if (store_batch_flush(s) < 0 ||
	    (s->keys_at_commit && check_keys(s) < 0) ||
	    exec(s, "COMMIT") < 0) {
		store_rollback(s);
		return -1;
	}
	s->in_tx = 0;
	keys_per_insert(s);
	journal_back_to_wal(s);
	batch_end(s);
	/* a crash test may stop the run just after its commit: between
	 * transactions, or before the work that follows one (consent-erase's
	 * checkpoint) */
	store_count_write(s);
	return 0;
}

void
store_rollback(struct store *s)
{
	(void)batch_wait(s);
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
	keys_per_insert(s);
	journal_back_to_wal(s);
	batch_end(s);
}

size_t
store_npurposes(const struct store *s)
{
	return s->npurposes;
}

const char *
store_purpose_name(const struct store *s, size_t i)
{
	return s->purposes[i].name;
}

const char *
store_purpose_basis(const struct store *s, size_t i)
{
	return s->purposes[i].basis;
}

int
store_purpose_active(const struct store *s, size_t i)
{
	return s->purposes[i].active;
}

int
store_purpose_index(const struct store *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->npurposes; i++)
		if (strcmp(s->purposes[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* --- settings ---------------------------------------------------------- */

int
store_setting_get(struct store *s, const char *key, char *out, size_t outsz)
{
	sqlite3_stmt *st = store_stmt(s, ST_SETTING_GET);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, key, 0);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out, outsz, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "read a setting");
	return 0;
}

int
store_setting_put(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = store_stmt(s, ST_SETTING_PUT);
	int rc;

	if (!st)
		return -1;
	bind_text(st, 1, key, 0);
	bind_text(st, 2, value, 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "write a setting");
	store_count_write(s);
	return 0;
}
