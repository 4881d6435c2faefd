/* custset: a keyset from customer key to an index into one array of
 * struct cust. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "custset.h"
#include "keyset.h"
#include "timeutil.h"
#include "util.h"

struct custset {
	struct keyset *keys;
	struct cust *v;
	size_t n, cap;
	size_t hint;		/* where the last consent's customer was */
	size_t found;		/* the customer custset_find found last */
	int in_order;		/* ... was the one after the one before */
	struct buf keybytes;	/* each customer's key: its length, bytes */
	size_t *keyat;		/* where customer i's key is in keybytes */
};

static int32_t
day_of(const char *date)
{
	int64_t t;

	if (!*date || time_parse(date, &t) < 0)
		return INT32_MIN;
	return (int32_t)(t / 86400);
}

/* Each customer's key is kept in the order of the customers, for
 * custset_find to try the next customer's first.  The keys go into the
 * keyset once their number is known: a keyset grown a doubling at a time
 * took a fifth of the load, rehashing. */
static void
keep_key(struct custset *cs, const char *key)
{
	size_t len = strlen(key);

	cs->keyat[cs->n] = cs->keybytes.len;
	buf_add(&cs->keybytes, &len, sizeof len);
	buf_add(&cs->keybytes, key, len);
}

static int
key_is(const struct custset *cs, size_t i, const char *key, size_t len)
{
	const char *p = cs->keybytes.s + cs->keyat[i];
	size_t klen;

	memcpy(&klen, p, sizeof klen);
	return klen == len && memcmp(p + sizeof klen, key, len) == 0;
}

/* How many keys ahead index_keys prefetches: enough misses in flight to
 * fill the memory system, few enough that they are still cached when
 * their turn comes. */
#define PREFETCH_AHEAD 16

static const char *
key_at(const struct custset *cs, size_t i, size_t *len)
{
	const char *p = cs->keybytes.s + cs->keyat[i];

	memcpy(len, p, sizeof *len);
	return p + sizeof *len;
}

/* The keys are known before they are added, so each add's cache miss
 * in the slots (megabytes, in random order) is started PREFETCH_AHEAD
 * adds early. */
static void
index_keys(struct custset *cs)
{
	size_t i, len;
	const char *key;

	keyset_reserve(cs->keys, cs->n);
	for (i = 0; i < cs->n; i++) {
		if (i + PREFETCH_AHEAD < cs->n) {
			key = key_at(cs, i + PREFETCH_AHEAD, &len);
			keyset_prefetch(cs->keys, key, len);
		}
		key = key_at(cs, i, &len);
		keyset_add(cs->keys, key, len, i, NULL);
	}
}

static int
add_customer(void *arg, const struct customer *c)
{
	struct custset *cs = arg;
	struct cust *k;

	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 1024;

		cs->v = erealloc_table(cs->v, cs->cap, cap, sizeof *cs->v);
		cs->keyat = erealloc_table(cs->keyat, cs->cap, cap,
		    sizeof *cs->keyat);
		cs->cap = cap;
	}
	k = &cs->v[cs->n];
	memset(k, 0, sizeof *k);
	k->id = (uint32_t)c->id;
	k->last_contact = day_of(c->last_contact);
	k->flags = (c->status == CUST_RESTRICTED ? CUST_F_RESTRICTED : 0) |
	    (*c->email ? CUST_F_EMAIL : 0) | (*c->mobile ? CUST_F_MOBILE : 0);
	if (strlen(c->lang) == 2)
		memcpy(k->lang, c->lang, 3);
	keep_key(cs, c->key);
	cs->n++;
	return 0;
}

/* The customer with this store id: the customers were loaded in the
 * order of their ids, so a binary search finds it.  The consents come in
 * that order too, most of a customer's together: the one found last, or
 * the next, is tried first. */
static struct cust *
by_id(struct custset *cs, int64_t id)
{
	size_t lo = 0, hi = cs->n, h = cs->hint;

	if (h < cs->n && cs->v[h].id == id)
		return &cs->v[h];
	if (h + 1 < cs->n && cs->v[h + 1].id == id)
		return &cs->v[cs->hint = h + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cs->v[mid].id == id)
			return &cs->v[cs->hint = mid];
		if (cs->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
add_consent(void *arg, int64_t customer, size_t purpose, enum cstate state)
{
	struct custset *cs = arg;
	struct cust *c;

	if (purpose >= CUSTSET_PURPOSES || !(c = by_id(cs, customer)))
		return 0;
	c->states |= (uint64_t)state << (2 * purpose);
	return 0;
}

struct custset *
custset_load(struct store *s, uint32_t purposes)
{
	struct custset *cs = ecalloc(1, sizeof *cs);

	cs->keys = keyset_new();
	cs->found = SIZE_MAX;
	cs->in_order = 1;
	if (store_walk(s, purposes, add_customer, add_consent, cs) != 0) {
		custset_free(cs);
		return NULL;
	}
	index_keys(cs);
	return cs;
}

void
custset_free(struct custset *cs)
{
	if (!cs)
		return;
	keyset_free(cs->keys);
	buf_free(&cs->keybytes);
	free_table(cs->keyat, cs->cap, sizeof *cs->keyat);
	free_table(cs->v, cs->cap, sizeof *cs->v);
	free(cs);
}

size_t
custset_count(const struct custset *cs)
{
	return cs->n;
}

/* An export is often in the order of the store's customers, both by
 * customer number: while the customers found come in that order, the one
 * after the one found last is tried before the hash, which costs a cache
 * miss or two in a table of megabytes.  In any other order that try would
 * be a cache miss of its own (--purpose on a shuffled file 15% slower),
 * so it is made only while the order holds; a key the store does not
 * hold says nothing of the order. */
const struct cust *
custset_find(struct custset *cs, const char *key, size_t len)
{
	size_t next = cs->found + 1;
	uint64_t i;

	if (cs->in_order && next < cs->n && key_is(cs, next, key, len)) {
		i = next;
	} else if (keyset_find(cs->keys, key, len, &i)) {
		cs->in_order = i == next;
	} else {
		return NULL;
	}
	cs->found = (size_t)i;
	return &cs->v[i];
}
