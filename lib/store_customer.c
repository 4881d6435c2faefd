/* store_customer: customers, their consents, and the tombstone check. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "timeutil.h"
#include "util.h"

const char *const cstate_names[] = {
	"unknown", "granted", "denied", "withdrawn"
};

int
cstate_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, cstate_names[i]) == 0)
			return i;
	return -1;
}

void
customer_clear(struct customer *c)
{
	free(c->key);
	free(c->name);
	free(c->email);
	free(c->mobile);
	free(c->lang);
	free(c->last_contact);
	free(c->hold_until);
	memset(c, 0, sizeof *c);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return estrdup(t ? (const char *)t : "");
}

int
store_customer_get(struct store *s, const char *key, struct customer *c)
{
	sqlite3_stmt *st = store_stmt(s, ST_CUST_GET);
	int rc;

	if (!st || store_batch_flush(s) < 0)
		return -1;
	bind_text(st, 1, key, 0);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_fail(s, "customer");
	c->id = sqlite3_column_int64(st, 0);
	c->key = estrdup(key);
	c->name = col_dup(st, 1);
	c->email = col_dup(st, 2);
	c->mobile = col_dup(st, 3);
	c->lang = col_dup(st, 4);
	c->last_contact = col_dup(st, 5);
	c->hold_until = col_dup(st, 6);
	c->status = strcmp((const char *)sqlite3_column_text(st, 7),
	    "restricted") == 0 ? CUST_RESTRICTED : CUST_ACTIVE;
	sqlite3_reset(st);
	return 1;
}

int
store_customer_any(struct store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (batch_wait(s) < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM"
	    " customers)", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "customers");
	rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return rc < 0 ? store_fail(s, "customers") : rc;
}

static void
bind_master(sqlite3_stmt *st, const struct customer *c)
{
	bind_text(st, 2, c->name, 1);
	bind_text(st, 3, c->email, 1);
	bind_text(st, 4, c->mobile, 1);
	bind_text(st, 5, c->lang, 1);
	bind_text(st, 6, c->last_contact, 1);
	bind_text(st, 7, c->hold_until, 1);
}

int
store_customer_insert(struct store *s, struct customer *c)
{
	sqlite3_stmt *st;

	if (s->batching) {
		if (batch_customer(s, c) < 0)
			return -1;
		store_count_write(s);
		return 0;
	}
	if (!(st = store_stmt(s, ST_CUST_INSERT)))
		return -1;
	bind_text(st, 1, c->key, 0);
	bind_master(st, c);
	bind_text(st, 8, c->status == CUST_RESTRICTED ? "restricted" :
	    "active", 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "insert customer");
	c->id = sqlite3_last_insert_rowid(s->db);
	store_count_write(s);
	return 0;
}

int
store_customer_update(struct store *s, const struct customer *c)
{
	sqlite3_stmt *st = store_stmt(s, ST_CUST_UPDATE);

	if (!st || store_batch_flush(s) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	bind_master(st, c);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "update customer");
	store_count_write(s);
	return 0;
}

int
store_purpose_by_id(const struct store *s, int64_t id)
{
	size_t i;

	for (i = 0; i < s->npurposes; i++)
		if (s->purposes[i].id == id)
			return (int)i;
	return -1;
}

int
store_consents_get(struct store *s, int64_t customer, struct consent *out)
{
	sqlite3_stmt *st = store_stmt(s, ST_CONSENTS_GET);
	size_t i;
	int rc;

	for (i = 0; i < s->npurposes; i++)
		memset(&out[i], 0, sizeof out[i]);
	if (!st || store_batch_flush(s) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, customer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int p = store_purpose_by_id(s, sqlite3_column_int64(st, 0));
		struct consent *c;

		if (p < 0)
			continue;
		c = &out[p];
		c->state = cstate_parse((const char *)
		    sqlite3_column_text(st, 1));
		snprintf(c->basis, sizeof c->basis, "%s",
		    (const char *)sqlite3_column_text(st, 2));
		snprintf(c->source, sizeof c->source, "%s",
		    (const char *)sqlite3_column_text(st, 3));
		if (time_parse((const char *)sqlite3_column_text(st, 4),
		    &c->at) < 0)
			c->at = 0;
		c->dated = sqlite3_column_int(st, 5);
	}
	if (rc != SQLITE_DONE)
		return store_fail(s, "consents");
	return 0;
}

/* The consent's row, by its own statement: an update, or a new row. */
static int
write_consent(struct store *s, const struct customer *c, size_t purpose,
    int update, const struct consent *new_, const char *at, int64_t seq)
{
	sqlite3_stmt *st = store_stmt(s, update ? ST_CONSENT_UPDATE :
	    ST_CONSENT_INSERT);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, s->purposes[purpose].id);
	bind_text(st, 3, cstate_names[new_->state], 0);
	bind_text(st, 4, new_->basis, 0);
	bind_text(st, 5, new_->source, 0);
	bind_text(st, 6, at, 0);
	sqlite3_bind_int(st, 7, new_->dated);
	sqlite3_bind_int64(st, 8, seq);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, "store consent");
	return 0;
}

int
store_consent_put(struct store *s, const struct customer *c, size_t purpose,
    const struct consent *old, const struct consent *new_,
    const char *evidence)
{
	char at[TIME_RFC3339_LEN];
	struct event e = { 0 };
	int64_t seq;
	int update = old && old->state != CS_UNKNOWN, rc;

	/* The event first: the consent row names it as its evidence. */
	e.customer = c->key;
	e.purpose = s->purposes[purpose].name;
	e.old = cstate_names[old ? old->state : CS_UNKNOWN];
	e.new_ = cstate_names[new_->state];
	e.basis = new_->basis;
	e.source = new_->source;
	e.evidence = evidence;
	if (audit_append(s, &e, &seq) < 0)
		return -1;
	time_format(new_->at, at);
	/* an update may be of a row that still waits in the batch */
	if (s->batching && !update)
		rc = batch_consent(s, c->id, s->purposes[purpose].id,
		    cstate_names[new_->state], new_->basis, new_->source, at,
		    new_->dated, seq);
	else if (s->batching && store_batch_flush(s) < 0)
		rc = -1;
	else
		rc = write_consent(s, c, purpose, update, new_, at, seq);
	if (rc < 0)
		return -1;
	store_count_write(s);
	return 0;
}

/* The tombstone key lives in a file outside the database (its path in
 * the settings), so that a copy of the store alone cannot be used to
 * test guessed phone numbers against the tombstones. */
static int
load_tombkey(struct store *s)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (batch_wait(s) < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM settings WHERE"
	    " key = 'tombstone_key_file'", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "settings");
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(s->err, sizeof s->err,
		    "%s: tombstones without a tombstone_key_file setting",
		    s->path);
		goto out;
	}
	/* the checks consent-erase makes: mode 0600, 32 bytes, this
	 * store's key */
	if (store_read_tombkey(s, (const char *)sqlite3_column_text(st, 0),
	    s->tombkey) < 0)
		goto out;
	s->tombkey_loaded = 1;
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
count_tombstones(struct store *s)
{
	sqlite3_stmt *st;

	if (batch_wait(s) < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM"
	    " tombstones)", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "tombstones");
	s->tombstones = sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

void
tombstone_hash(const unsigned char key[32], const char *kind,
    const char *value, unsigned char out[32])
{
	crypto_auth_hmacsha256_state h;

	crypto_auth_hmacsha256_init(&h, key, 32);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)kind,
	    strlen(kind) + 1);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)value,
	    strlen(value));
	crypto_auth_hmacsha256_final(&h, out);
}

int
store_tomb_match(struct store *s, const char *kind, const char *value)
{
	sqlite3_stmt *st;
	unsigned char h[32];
	int rc;

	if (!*value)
		return 0;
	if (!(st = store_stmt(s, ST_TOMB_GET)))
		return -1;
	tombstone_hash(s->tombkey, kind, value, h);
	bind_text(st, 1, kind, 0);
	sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, "tombstones");
}

int
store_has_tombstones(struct store *s)
{
	if (s->tombstones < 0 && count_tombstones(s) < 0)
		return -1;
	return s->tombstones;
}

int
store_tombstoned(struct store *s, const char *key, const char *email,
    const char *mobile)
{
	int rc;

	if (s->tombstones < 0 && count_tombstones(s) < 0)
		return -1;
	if (!s->tombstones)
		return 0;
	if (!s->tombkey_loaded && load_tombkey(s) < 0)
		return -1;
	if ((rc = store_tomb_match(s, "key", key)) != 0)
		return rc;
	if ((rc = store_tomb_match(s, "email", email)) != 0)
		return rc;
	return store_tomb_match(s, "mobile", mobile);
}
