/* ldb: the landing database, the service's own SQLite file.  It holds the
 * answers (request number, purpose, answer, time, client address, user
 * agent, the hash of the text shown) and the texts shown, and nothing
 * that names a person: the service never learns a name, an address or a
 * number.
 *
 * Every thread of the pool has its own connection, with every statement
 * prepared once, so that a request costs no parse and no lock of ours;
 * SQLite's own locking (WAL, busy_timeout) serialises the writers.
 * Every write that reads first runs in BEGIN IMMEDIATE, so that two
 * answers to the same request at once cannot both see the old one. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "landing.h"

#define SCHEMA_VERSION 1
/* Texts a connection knows to be stored: a handful of languages times
 * the purpose sets in use. */
#define KNOWN_MAX 64

static const char schema_v1[] =
	"CREATE TABLE texts("
	" sha256 TEXT PRIMARY KEY,"
	" version INTEGER NOT NULL,"
	" lang TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" first_shown TEXT NOT NULL,"
	" UNIQUE (lang, version));"
	"CREATE TABLE answers("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" request INTEGER NOT NULL,"
	" purpose TEXT NOT NULL,"
	" answer TEXT NOT NULL"
	"  CHECK (answer IN ('granted', 'denied', 'withdrawn')),"
	" at TEXT NOT NULL,"
	" ip TEXT NOT NULL,"
	" user_agent TEXT NOT NULL,"
	" text_sha256 TEXT NOT NULL REFERENCES texts(sha256),"
	" fetched TEXT);"
	"CREATE INDEX answers_by_request ON answers(request, purpose, seq);"
	"CREATE INDEX answers_by_fetched ON answers(fetched)"
	" WHERE fetched IS NOT NULL;";

enum {
	S_BEGIN, S_COMMIT, S_ROLLBACK, S_CURRENT, S_ADD, S_TEXT, S_PURGE,
	S_FETCH, S_MARK, S_N
};

static const char *const sql[S_N] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_CURRENT] = "SELECT purpose, answer FROM answers WHERE request = ?1"
	    " ORDER BY seq",
	[S_ADD] = "INSERT INTO answers(request, purpose, answer, at, ip,"
	    " user_agent, text_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* One statement: it takes the write lock before it counts, so two
	 * new texts cannot get the same version. */
	[S_TEXT] = "INSERT INTO texts(sha256, version, lang, body, first_shown)"
	    " SELECT ?1, (SELECT count(*) + 1 FROM texts WHERE lang = ?2), ?2,"
	    " ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM texts WHERE sha256 = ?1)",
	[S_PURGE] = "DELETE FROM answers WHERE fetched IS NOT NULL AND"
	    " fetched < ?1",
	[S_FETCH] = "SELECT seq, request, purpose, answer, at, ip, user_agent,"
	    " text_sha256 FROM answers WHERE seq > ?1 ORDER BY seq LIMIT ?2",
	[S_MARK] = "UPDATE answers SET fetched = ?3 WHERE seq > ?1 AND"
	    " seq <= ?2 AND fetched IS NULL",
};

struct ldb {
	sqlite3 *db;
	sqlite3_stmt *st[S_N];
	char known[KNOWN_MAX][SHA256_HEX];
	unsigned nknown;
	char err[512];		/* the last failure, kept past a rollback */
	int writing;		/* holds write_lock */
	struct ldb *next;	/* every connection, to close them all */
	struct ldb *spare;	/* the ones no thread has taken yet */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* One writer at a time inside the process: a thread that lost the race
 * for SQLite's write lock would sleep in the busy handler, in growing
 * steps, with its connections unserved; waiting on a mutex wakes it as
 * soon as the lock is free. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ldb *all, *spares;
static char *dbpath;
static _Thread_local struct ldb *mine;

char *
ldb_path(const char *given, const struct config *cfg)
{
	const char *v = config_get(cfg, "landing", "db"), *cpath, *slash;
	struct buf b = { 0 };

	if (given && *given)
		return estrdup(given);
	if (v && *v) {
		/* Relative to the configuration, as the secret files are:
		 * a service's working folder is seldom anyone's choice. */
		cpath = config_path(cfg);
		slash = cpath ? strrchr(cpath, '/') : NULL;
		if (v[0] != '/' && slash)
			buf_add(&b, cpath, (size_t)(slash - cpath) + 1);
		buf_adds(&b, v);
		return b.s;
	}
	if ((v = getenv("CONSENT_LANDING_DB")) && *v)
		return estrdup(v);
	return estrdup("landing.db");
}

const char *
answer_name(enum answer a)
{
	switch (a) {
	case A_GRANTED: return "granted";
	case A_DENIED: return "denied";
	case A_WITHDRAWN: return "withdrawn";
	default: return "";
	}
}

static enum answer
answer_parse(const char *s)
{
	if (!s)
		return A_NONE;
	if (!strcmp(s, "granted"))
		return A_GRANTED;
	if (!strcmp(s, "denied"))
		return A_DENIED;
	if (!strcmp(s, "withdrawn"))
		return A_WITHDRAWN;
	return A_NONE;
}

static int
exec(sqlite3 *db, const char *q, char *err, size_t errsz)
{
	char *msg = NULL;

	if (sqlite3_exec(db, q, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errsz, "%s: %s", dbpath, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static int
user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Create the schema, in one exclusive transaction so that two services
 * started on a new file at once do not both create it. */
static int
migrate(sqlite3 *db, char *err, size_t errsz)
{
	char q[64];
	int v;

	if (exec(db, "BEGIN IMMEDIATE", err, errsz) < 0)
		return -1;
	v = user_version(db);
	if (v < 0) {
		snprintf(err, errsz, "%s: %s", dbpath, sqlite3_errmsg(db));
		goto fail;
	}
	if (v > SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: schema version %d is newer than this"
		    " service's (%d)", dbpath, v, SCHEMA_VERSION);
		goto fail;
	}
	snprintf(q, sizeof q, "PRAGMA user_version = %d", SCHEMA_VERSION);
	if (v < 1 && (exec(db, schema_v1, err, errsz) < 0 ||
	    exec(db, q, err, errsz) < 0))
		goto fail;
	return exec(db, "COMMIT", err, errsz);
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The answers are evidence: synchronous = FULL, so that an answer the
 * customer saw confirmed survives a power cut.  secure_delete, so that a
 * purged answer's address and user agent are gone from the file. */
static int
configure(sqlite3 *db, char *err, size_t errsz)
{
	sqlite3_busy_timeout(db, 5000);
	return exec(db, "PRAGMA synchronous = FULL;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA foreign_keys = ON", err, errsz);
}

static int
open_db(sqlite3 **db, char *err, size_t errsz)
{
	if (sqlite3_open_v2(dbpath, db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", dbpath, *db ?
		    sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	if (configure(*db, err, errsz) < 0) {
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

static void
conn_close(struct ldb *c)
{
	int i;

	for (i = 0; i < S_N; i++)
		sqlite3_finalize(c->st[i]);
	sqlite3_close(c->db);
	free(c);
}

/* A connection with its statements; the caller holds the lock. */
static struct ldb *
conn_open(char *err, size_t errsz)
{
	struct ldb *c = ecalloc(1, sizeof *c);
	int i;

	if (open_db(&c->db, err, errsz) < 0) {
		free(c);
		return NULL;
	}
	for (i = 0; i < S_N; i++)
		if (sqlite3_prepare_v3(c->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errsz, "%s: %s", dbpath,
			    sqlite3_errmsg(c->db));
			conn_close(c);
			return NULL;
		}
	c->next = all;
	all = c;
	return c;
}

/* Made by us with mode 0600 before SQLite sees it: the file holds client
 * addresses.  The -wal and -shm files follow its mode. */
static int
create_private(char *err, size_t errsz)
{
	int fd = open(dbpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", dbpath, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int
create(char *err, size_t errsz)
{
	sqlite3 *db;
	int rc;

	if (create_private(err, errsz) < 0 || open_db(&db, err, errsz) < 0)
		return -1;
	rc = exec(db, "PRAGMA journal_mode = WAL", err, errsz);
	if (rc == 0)
		rc = migrate(db, err, errsz);
	sqlite3_close(db);
	return rc;
}

int
ldb_setup(const char *path, unsigned n, char *err, size_t errsz)
{
	struct ldb *c;
	unsigned i;

	dbpath = estrdup(path);
	if (!sqlite3_threadsafe()) {
		snprintf(err, errsz, "SQLite was built without threads");
		return -1;
	}
	if (create(err, errsz) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(c = conn_open(err, errsz)))
			return -1;
		c->spare = spares;
		spares = c;
	}
	return 0;
}

struct ldb *
ldb_get(void)
{
	char err[512];
	struct ldb *c;

	if (mine)
		return mine;
	pthread_mutex_lock(&lock);
	if ((c = spares))
		spares = c->spare;
	else if (!(c = conn_open(err, sizeof err)))
		landing_warn("%s", err);
	pthread_mutex_unlock(&lock);
	mine = c;
	return c;
}

/* After the pool's threads are gone. */
void
ldb_shutdown(void)
{
	struct ldb *c, *next;

	for (c = all; c; c = next) {
		next = c->next;
		conn_close(c);
	}
	all = spares = NULL;
	free(dbpath);
	dbpath = NULL;
}

const char *
ldb_errmsg(struct ldb *db)
{
	return db->err;
}

static int
failed(struct ldb *db)
{
	snprintf(db->err, sizeof db->err, "%s: %s", dbpath,
	    sqlite3_errmsg(db->db));
	return -1;
}

static sqlite3_stmt *
stmt(struct ldb *db, int i)
{
	sqlite3_reset(db->st[i]);
	sqlite3_clear_bindings(db->st[i]);
	return db->st[i];
}

/* Run a statement that returns no rows. */
static int
run(struct ldb *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		failed(db);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
write_unlock(struct ldb *db)
{
	if (db->writing) {
		db->writing = 0;
		pthread_mutex_unlock(&write_lock);
	}
}

int
ldb_begin(struct ldb *db)
{
	pthread_mutex_lock(&write_lock);
	db->writing = 1;
	if (run(db, stmt(db, S_BEGIN)) == 0)
		return 0;
	write_unlock(db);
	return -1;
}

int
ldb_commit(struct ldb *db)
{
	if (run(db, stmt(db, S_COMMIT)) == 0) {
		write_unlock(db);
		return 0;
	}
	ldb_rollback(db);
	return -1;
}

void
ldb_rollback(struct ldb *db)
{
	if (!sqlite3_get_autocommit(db->db))
		run(db, stmt(db, S_ROLLBACK));
	write_unlock(db);
}

int
ldb_current(struct ldb *db, uint32_t request, const struct choice *c,
    size_t n, enum answer *out, int *any)
{
	sqlite3_stmt *st = stmt(db, S_CURRENT);
	const char *purpose;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		out[i] = A_NONE;
	*any = 0;
	sqlite3_bind_int64(st, 1, request);
	/* In order of seq: the last answer for a purpose is its current. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*any = 1;
		purpose = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; i < n; i++)
			if (purpose && !strcmp(purpose, c[i].name))
				out[i] = answer_parse((const char *)
				    sqlite3_column_text(st, 1));
	}
	if (rc != SQLITE_DONE)
		failed(db);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
known(struct ldb *db, const char *sha)
{
	unsigned i;

	for (i = 0; i < db->nknown && i < KNOWN_MAX; i++)
		if (!strcmp(db->known[i], sha))
			return 1;
	return 0;
}

/* Outside a transaction the text is stored for good once the statement
 * is done, so the connection may remember it and spare the next page a
 * write; inside one a rollback could still undo it. */
int
ldb_text(struct ldb *db, const char *sha, const char *lang,
    const char *body, const char *now)
{
	sqlite3_stmt *st;
	int alone = sqlite3_get_autocommit(db->db);

	if (alone && known(db, sha))
		return 0;
	st = stmt(db, S_TEXT);
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (run(db, st) < 0)
		return -1;
	if (alone)
		memcpy(db->known[db->nknown++ % KNOWN_MAX], sha, SHA256_HEX);
	return 0;
}

int
ldb_add(struct ldb *db, const struct answer_row *a)
{
	sqlite3_stmt *st = stmt(db, S_ADD);

	sqlite3_bind_int64(st, 1, a->request);
	sqlite3_bind_text(st, 2, a->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->answer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->user_agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->text_sha256, -1, SQLITE_STATIC);
	return run(db, st);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* Select the rows, handing each to fn; the last seq into *last. */
static int
select_rows(struct ldb *db, int64_t after, int64_t limit, int64_t *last,
    void (*fn)(void *arg, const struct answer_row *a), void *arg)
{
	sqlite3_stmt *st = stmt(db, S_FETCH);
	struct answer_row a;
	int rc;

	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a.seq = sqlite3_column_int64(st, 0);
		a.request = sqlite3_column_int64(st, 1);
		a.purpose = col(st, 2);
		a.answer = col(st, 3);
		a.at = col(st, 4);
		a.ip = col(st, 5);
		a.user_agent = col(st, 6);
		a.text_sha256 = col(st, 7);
		fn(arg, &a);
		*last = a.seq;
	}
	if (rc != SQLITE_DONE)
		failed(db);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
ldb_fetch(struct ldb *db, int64_t after, int64_t limit, const char *now,
    const char *cutoff, void (*fn)(void *arg, const struct answer_row *a),
    void *arg)
{
	sqlite3_stmt *st;
	int64_t last = after;

	if (!now)
		return select_rows(db, after, limit, &last, fn, arg);
	if (ldb_begin(db) < 0)
		return -1;
	/* Purge first, so that what is returned is what the file holds. */
	st = stmt(db, S_PURGE);
	sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_STATIC);
	if (run(db, st) < 0 || select_rows(db, after, limit, &last, fn,
	    arg) < 0)
		goto fail;
	if (last > after) {
		/* BEGIN IMMEDIATE holds the write lock: no answer can have
		 * come in between the rows selected. */
		st = stmt(db, S_MARK);
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int64(st, 2, last);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		if (run(db, st) < 0)
			goto fail;
	}
	return ldb_commit(db);
fail:
	ldb_rollback(db);
	return -1;
}
