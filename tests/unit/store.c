/* Unit tests of lib/store and lib/audit where the tools cannot reach, as
 * TAP on stdout.
 *
 * The event hashes below were computed independently of lib/audit.c, with
 * Python's hashlib following the layout described there (the previous
 * hash, then the seq and the eleven fields, each prefixed by a zero byte
 * and its length in 32 bits big-endian, or by five 0xff bytes for NULL):
 *
 *	def field(v):
 *	    if v is None: return b'\xff' * 5
 *	    b = v.encode()
 *	    return b'\0' + len(b).to_bytes(4, 'big') + b
 *	hashlib.blake2b(prev + field(str(seq)) + b''.join(map(field,
 *	    fields)), digest_size=16).hexdigest()
 *
 * so that a change of the chain's format, which would make every stored
 * chain fail consent-log --verify, shows here. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "store.h"
#include "tap.h"

#define HASH_LEN 16

/* lib/audit.c's, declared there for the store's files and for this test */
void audit_hash(const unsigned char prev[HASH_LEN], long long seq,
    const char *const fields[11], unsigned char out[HASH_LEN]);

static void
hex(const unsigned char *h, char out[2 * HASH_LEN + 1])
{
	int i;

	for (i = 0; i < HASH_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void
check_hash(const char *name, const unsigned char prev[HASH_LEN],
    long long seq, const char *const f[11], const char *want)
{
	unsigned char h[HASH_LEN];
	char got[2 * HASH_LEN + 1];

	audit_hash(prev, seq, f, h);
	hex(h, got);
	ok(strcmp(got, want) == 0, "audit_hash: %s (%s)", name, got);
}

static void
test_hashes(void)
{
	static char long_evidence[1501];
	unsigned char zero[HASH_LEN] = { 0 }, prev[HASH_LEN];
	const char *import[11] = { "2026-01-01T00:00:00Z", "ola",
	    "consent-import", "10001", "emarketing", "unknown", "granted",
	    "consent", "import", "kunder.csv:2 status=R", NULL };
	const char *longer[11] = { "2026-01-01T00:00:00Z", "ola",
	    "consent-import", "10001", "emarketing", "unknown", "granted",
	    "consent", "import", long_evidence, "7" };
	const char *erasure[11] = { "2026-01-01T00:00:00Z", "ola",
	    "consent-erase", "erased-0123456789abcdef", NULL, "active",
	    "erased", NULL, NULL, "", NULL };
	int i;

	for (i = 0; i < HASH_LEN; i++)
		prev[i] = (unsigned char)i;
	memset(long_evidence, 'x', sizeof long_evidence - 1);
	check_hash("the first event", zero, 1, import,
	    "0fc919dee512b394426ba9f965aad9b5");
	/* longer than what is hashed from the stack in one call */
	check_hash("an event of 1.5 kB", prev, 123456789012LL, longer,
	    "a4350c58f38738def3ef38285d686182");
	check_hash("NULL differs from the empty string", prev, 2, erasure,
	    "39e9c60642b157bee4c32a9e37bce280");
}

static struct store *
open_store(const char *dir, struct config **cfg)
{
	char path[512], err[512];
	struct store *st;
	FILE *fp;

	snprintf(path, sizeof path, "%s/consent.conf", dir);
	if (!(fp = fopen(path, "w")) || fclose(fp) != 0)
		return NULL;
	if (!(*cfg = config_load(path, err, sizeof err)))
		return NULL;
	snprintf(path, sizeof path, "%s/store.db", dir);
	if (!(st = store_open(path, *cfg, err, sizeof err)))
		fprintf(stderr, "%s\n", err);
	return st;
}

static int
count_customer(void *arg, const struct customer *c)
{
	(*(int *)arg)++;
	return 0;
}

/* store_keys_at_commit: an insert naming no parent passes, the commit
 * finds it and rolls the whole run back; the next run checks per insert
 * again. */
static void
test_keys_at_commit(const char *dir)
{
	struct config *cfg = NULL;
	struct store *st = open_store(dir, &cfg);
	struct customer c = { 0 }, ghost = { 0 };
	struct consent none = { 0 }, yes = { 0 };
	int n = 0, rc;

	ok(st != NULL, "store_open");
	if (!st)
		return;
	yes.state = CS_GRANTED;
	strcpy(yes.basis, "consent");
	strcpy(yes.source, "import");
	c.key = "k1";
	ghost.key = "k2";
	ghost.id = 999;
	ok(store_keys_at_commit(st) == 0, "store_keys_at_commit");
	ok(store_begin(st, "test", "tester", 1767225600) == 0, "store_begin");
	ok(store_customer_insert(st, &c) == 0, "a customer");
	ok(store_consent_put(st, &c, 1, &none, &yes, "e") == 0,
	    "its consent");
	ok(store_consent_put(st, &ghost, 1, &none, &yes, "e") == 0,
	    "a consent of no customer passes the insert");
	ok(store_commit(st) < 0, "and fails the commit");
	ok(strstr(store_errmsg(st), "FOREIGN KEY constraint failed") != NULL,
	    "saying why: %s", store_errmsg(st));
	rc = store_each_customer(st, count_customer, &n);
	ok(rc == 0 && n == 0, "the run is rolled back (%d customers)", n);
	ok(store_begin(st, "test", "tester", 1767225600) == 0,
	    "store_begin again");
	ok(store_consent_put(st, &ghost, 1, &none, &yes, "e") < 0,
	    "the next run checks each insert");
	store_rollback(st);
	ok(store_keys_at_commit(st) == 0 && store_begin(st, "test",
	    "tester", 1767225600) == 0 && store_customer_insert(st, &c) == 0 &&
	    store_consent_put(st, &c, 1, &none, &yes, "e") == 0 &&
	    store_commit(st) == 0, "a run whose keys hold commits");
	n = 0;
	rc = store_each_customer(st, count_customer, &n);
	ok(rc == 0 && n == 1, "with its customer (%d)", n);
	ok(store_begin(st, "test", "tester", 1767225600) == 0 &&
	    store_keys_at_commit(st) < 0, "not inside a run");
	store_rollback(st);
	store_close(st);
	config_free(cfg);
}

static int
count_consent(void *arg, int64_t customer, size_t purpose,
    enum cstate state)
{
	(*(int *)arg)++;
	return 0;
}

/* store_walk's callbacks: customers counted, and whether any came
 * after a consent; consents counted, and whether in customer order. */
struct walk_seen {
	int customers, consents, late_customer, unordered;
	int64_t last;
};

static int
walk_customer(void *arg, const struct customer *c)
{
	struct walk_seen *w = arg;

	w->customers++;
	w->late_customer |= w->consents > 0;
	return 0;
}

static int
walk_consent(void *arg, int64_t customer, size_t purpose, enum cstate state)
{
	struct walk_seen *w = arg;

	w->consents++;
	w->unordered |= customer < w->last;
	w->last = customer;
	return 0;
}

static void
test_walk(struct store *st)
{
	struct walk_seen w = { 0 };
	struct customer extra = { 0 };
	struct consent none = { 0 }, yes = { 0 };
	int rc;

	rc = store_walk(st, UINT32_C(1) << 1 | UINT32_C(1) << 2,
	    walk_customer, walk_consent, &w);
	ok(rc == 0 && w.customers == 50 && w.consents == 100 &&
	    !w.late_customer && !w.unordered, "store_walk: the 50 customers,"
	    " then their 100 consents in customer order (%d, %d)",
	    w.customers, w.consents);
	memset(&w, 0, sizeof w);
	rc = store_walk(st, 0, walk_customer, walk_consent, &w);
	ok(rc == 0 && w.customers == 50 && w.consents == 0,
	    "store_walk of no purpose: no consents (%d)", w.consents);
	yes.state = CS_GRANTED;
	strcpy(yes.basis, "consent");
	strcpy(yes.source, "import");
	extra.key = "walk-extra";
	memset(&w, 0, sizeof w);
	rc = store_begin(st, "test", "tester", 1767225600) < 0 ||
	    store_customer_insert(st, &extra) < 0 ||
	    store_consent_put(st, &extra, 1, &none, &yes, "e") < 0 ||
	    store_walk(st, UINT32_C(1) << 1, walk_customer, walk_consent,
	    &w) != 0;
	ok(!rc && w.customers == 51 && w.consents == 51, "store_walk in a"
	    " run sees the run's own writes (%d, %d)", w.customers,
	    w.consents);
	store_rollback(st);
}

/* store_batch_writes: rows wait for a batch, a read of consents in the
 * run sees them, the commit writes the rest, and the chain holds. */
static void
test_batch(const char *dir)
{
	struct config *cfg = NULL;
	struct store *st = open_store(dir, &cfg);
	struct consent none = { 0 }, yes = { 0 }, got[4];
	struct audit_check chk;
	struct customer c[50], found = { 0 };
	char keys[50][16];
	int i, n = 0, rc;

	ok(st != NULL && store_npurposes(st) == 4, "store_open");
	if (!st)
		return;
	yes.state = CS_GRANTED;
	strcpy(yes.basis, "consent");
	strcpy(yes.source, "import");
	ok(store_batch_writes(st) == 0 && store_begin(st, "test", "tester",
	    1767225600) == 0, "store_batch_writes, store_begin");
	rc = 0;
	for (i = 0; i < 50; i++) {
		memset(&c[i], 0, sizeof c[i]);
		snprintf(keys[i], sizeof keys[i], "b%d", i);
		c[i].key = keys[i];
		if (store_customer_insert(st, &c[i]) < 0 ||
		    store_consent_put(st, &c[i], 1, &none, &yes, "e") < 0 ||
		    store_consent_put(st, &c[i], 2, &none, &yes, "e") < 0)
			rc = -1;
	}
	ok(rc == 0, "100 consents of 50 customers");
	ok(store_consents_get(st, c[49].id, got) == 0 &&
	    got[1].state == CS_GRANTED && got[2].state == CS_GRANTED &&
	    got[3].state == CS_UNKNOWN, "the last customer's, read in the"
	    " run");
	rc = store_customer_get(st, "b49", &found);
	ok(rc == 1 && found.id == c[49].id, "the last customer, read in the"
	    " run, has the row number its consents name (%lld)",
	    (long long)found.id);
	customer_clear(&found);
	ok(store_commit(st) == 0, "store_commit");
	rc = store_each_consent(st, UINT32_MAX, count_consent, &n);
	ok(rc == 0 && n == 100, "all of them stored (%d)", n);
	n = 0;
	rc = store_each_consent(st, UINT32_C(1) << 2, count_consent, &n);
	ok(rc == 0 && n == 50, "a walk of one purpose: its 50 (%d)", n);
	n = 0;
	rc = store_each_consent(st, UINT32_C(1) << 3, count_consent, &n);
	ok(rc == 0 && n == 0, "of a purpose nobody has: none (%d)", n);
	test_walk(st);
	rc = audit_verify(st, &chk);
	ok(rc == 0 && chk.events == 100, "100 events, the chain intact"
	    " (%lld)", (long long)chk.events);
	store_close(st);
	config_free(cfg);
}

/* A batch that fails in the writer thread (a key given twice breaks the
 * customers' UNIQUE): the failure reaches the run, with SQLite's reason,
 * and the run is rolled back whole; the next run writes as before. */
static void
test_batch_failure(const char *dir)
{
	struct config *cfg = NULL;
	struct store *st = open_store(dir, &cfg);
	struct customer c = { 0 };
	char key[16];
	int i, rc = 0, n = 0;

	ok(st != NULL, "store_open");
	if (!st)
		return;
	ok(store_batch_writes(st) == 0 && store_begin(st, "test", "tester",
	    1767225600) == 0, "store_batch_writes, store_begin");
	/* 2000 customers, handed to the writer 512 at a time, the 600th
	 * with the key of the first again: the failure comes back by a
	 * later insert, or else by the commit */
	for (i = 0; i < 2000 && rc == 0; i++) {
		memset(&c, 0, sizeof c);
		snprintf(key, sizeof key, "f%d", i == 600 ? 0 : i);
		c.key = key;
		rc = store_customer_insert(st, &c);
	}
	if (rc == 0)
		rc = store_commit(st);
	else
		store_rollback(st);
	ok(rc < 0 && strstr(store_errmsg(st), "insert customer: UNIQUE"
	    " constraint failed") != NULL, "the run fails, saying why: %s",
	    store_errmsg(st));
	rc = store_each_customer(st, count_customer, &n);
	ok(rc == 0 && n == 0, "and none of it is stored (%d)", n);
	ok(store_batch_writes(st) == 0 && store_begin(st, "test", "tester",
	    1767225600) == 0, "the next run");
	for (i = 0, rc = 0; i < 100 && rc == 0; i++) {
		memset(&c, 0, sizeof c);
		snprintf(key, sizeof key, "g%d", i);
		c.key = key;
		rc = store_customer_insert(st, &c);
	}
	ok(rc == 0 && store_commit(st) == 0, "writes its 100 customers");
	n = 0;
	rc = store_each_customer(st, count_customer, &n);
	ok(rc == 0 && n == 100, "all of them (%d)", n);
	store_close(st);
	config_free(cfg);
}

/* Does dir/store.db<suffix> exist? */
static int
store_file(const char *dir, const char *suffix)
{
	char path[600];

	snprintf(path, sizeof path, "%s/store.db%s", dir, suffix);
	return access(path, F_OK) == 0;
}

/* The journal mode the store's file records, as a new connection reads
 * it ("wal" or "delete"), into mode. */
static void
file_journal_mode(const char *dir, char mode[16])
{
	char path[600];
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(mode, 16, "?");
	snprintf(path, sizeof path, "%s/store.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1,
	    &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(mode, 16, "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* One run of a customer and a consent; in_run is called after its
 * writes, before the commit.  0 when every step succeeded. */
static int
one_run(struct store *st, const char *key, void (*in_run)(const char *),
    const char *dir)
{
	struct customer c = { 0 };
	struct consent none = { 0 }, yes = { 0 };

	yes.state = CS_GRANTED;
	strcpy(yes.basis, "consent");
	strcpy(yes.source, "import");
	c.key = (char *)key;
	if (store_begin(st, "test", "tester", 1767225600) < 0 ||
	    store_customer_insert(st, &c) < 0 ||
	    store_consent_put(st, &c, 1, &none, &yes, "e") < 0)
		return -1;
	in_run(dir);
	return store_commit(st);
}

static int journal_seen, wal_seen;

static void
see_files(const char *dir)
{
	journal_seen = store_file(dir, "-journal");
	wal_seen = store_file(dir, "-wal");
}

/* store_rollback_journal: the run writes through a rollback journal and
 * the store is in WAL again after it; with another connection holding
 * the store open, the run keeps the WAL. */
static void
test_rollback_journal(const char *dir)
{
	struct config *cfg = NULL;
	struct store *st = open_store(dir, &cfg);
	char mode[16], path[600];
	sqlite3 *other;

	ok(st != NULL, "store_open");
	if (!st)
		return;
	file_journal_mode(dir, mode);
	ok(strcmp(mode, "wal") == 0, "a new store is in WAL mode (%s)",
	    mode);
	ok(store_rollback_journal(st) == 0, "store_rollback_journal");
	ok(one_run(st, "j1", see_files, dir) == 0, "a run");
	ok(journal_seen && !wal_seen, "wrote through a rollback journal,"
	    " with no WAL (journal %d, WAL %d)", journal_seen, wal_seen);
	file_journal_mode(dir, mode);
	ok(strcmp(mode, "wal") == 0 && !store_file(dir, "-journal"),
	    "after the commit, the store is in WAL mode again (%s)", mode);
	ok(one_run(st, "j2", see_files, dir) == 0 && wal_seen &&
	    !journal_seen, "the next run writes through the WAL");

	snprintf(path, sizeof path, "%s/store.db", dir);
	ok(sqlite3_open(path, &other) == SQLITE_OK && sqlite3_exec(other,
	    "SELECT count(*) FROM customers", NULL, NULL, NULL) == SQLITE_OK,
	    "another connection holds the store open");
	ok(store_rollback_journal(st) == 0, "store_rollback_journal then"
	    " is no error");
	ok(one_run(st, "j3", see_files, dir) == 0 && wal_seen &&
	    !journal_seen, "and the run keeps the WAL");
	sqlite3_close(other);
	ok(store_begin(st, "test", "tester", 1767225600) == 0 &&
	    store_rollback_journal(st) < 0, "not inside a run");
	store_rollback(st);
	store_close(st);
	config_free(cfg);
}

static void
remove_file(const char *dir, const char *name)
{
	char path[600];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

int
main(void)
{
	char dir[] = "/tmp/consent-unit-store.XXXXXX";

	test_hashes();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_keys_at_commit(dir);
	remove_file(dir, "store.db");
	test_batch(dir);
	remove_file(dir, "store.db");
	test_batch_failure(dir);
	remove_file(dir, "store.db");
	test_rollback_journal(dir);
	remove_file(dir, "store.db");
	remove_file(dir, "store.db-wal");
	remove_file(dir, "store.db-shm");
	remove_file(dir, "consent.conf");
	rmdir(dir);
	return done_testing();
}
