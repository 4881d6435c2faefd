/* tombset: one keyset of hashes per kind.  The HMAC states after the key
 * are made once and copied for each value: that saves two of the four
 * SHA-256 blocks of every hash, and a stream hashes up to three values a
 * record. */
#include <sodium.h>
#include <string.h>

#include "keyset.h"
#include "tombset.h"
#include "util.h"

enum { K_KEY, K_EMAIL, K_MOBILE, K_N };

static const char *const kinds[K_N] = { "key", "email", "mobile" };

struct tombset {
	crypto_auth_hmacsha256_state keyed;
	struct keyset *set[K_N];
	size_t n;
};

static int
kind_index(const char *kind)
{
	int i;

	for (i = 0; i < K_N; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return i;
	return -1;
}

struct tombset *
tombset_new(const unsigned char key[32])
{
	struct tombset *t = ecalloc(1, sizeof *t);
	int i;

	crypto_auth_hmacsha256_init(&t->keyed, key, 32);
	for (i = 0; i < K_N; i++)
		t->set[i] = keyset_new();
	return t;
}

void
tombset_free(struct tombset *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < K_N; i++)
		keyset_free(t->set[i]);
	sodium_memzero(&t->keyed, sizeof t->keyed);
	free(t);
}

void
tombset_add(struct tombset *t, const char *kind, const unsigned char h[32])
{
	int k = kind_index(kind);

	if (k >= 0)
		t->n += (size_t)keyset_add(t->set[k], (const char *)h, 32, 0,
		    NULL);
}

size_t
tombset_count(const struct tombset *t)
{
	return t->n;
}

void
tombset_hash(const struct tombset *t, const char *kind, const char *value,
    size_t n, unsigned char out[32])
{
	crypto_auth_hmacsha256_state h = t->keyed;

	crypto_auth_hmacsha256_update(&h, (const unsigned char *)kind,
	    strlen(kind) + 1);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)value, n);
	crypto_auth_hmacsha256_final(&h, out);
}

static int
has(const struct tombset *t, int k, const char *v)
{
	unsigned char h[32];

	if (!v || !*v || keyset_count(t->set[k]) == 0)
		return 0;
	tombset_hash(t, kinds[k], v, strlen(v), h);
	return keyset_find(t->set[k], (const char *)h, sizeof h, NULL);
}

int
tombset_match(const struct tombset *t, const char *key, const char *email,
    const char *mobile)
{
	return has(t, K_KEY, key) || has(t, K_EMAIL, email) ||
	    has(t, K_MOBILE, mobile);
}
