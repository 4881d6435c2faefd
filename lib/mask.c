/* mask: the rules.  hash and fake each have their own key, derived from
 * the store's tombstone key with BLAKE2b, so that a pseudonym of one rule
 * says nothing about the other's, nor about the tombstones. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"
#include "timeutil.h"
#include "util.h"

const char *const mask_rule_names[MASK_NRULES] = {
	"blank", "hash", "partial", "year", "fake"
};

struct mask {
	/* the keyed BLAKE2b states, made once, copied for each value */
	crypto_generichash_state hash, fake;
	int keyed;
};

int
mask_rule_parse(const char *name, size_t len)
{
	int i;

	for (i = 0; i < MASK_NRULES; i++)
		if (strlen(mask_rule_names[i]) == len &&
		    memcmp(mask_rule_names[i], name, len) == 0)
			return i;
	return -1;
}

int
mask_rule_keyed(enum mask_rule rule)
{
	return rule == MASK_HASH || rule == MASK_FAKE;
}

static void
derive(crypto_generichash_state *st, const unsigned char *key,
    const char *label, size_t outlen)
{
	unsigned char sub[32];

	crypto_generichash(sub, sizeof sub, (const unsigned char *)label,
	    strlen(label), key, 32);
	crypto_generichash_init(st, sub, sizeof sub, outlen);
	sodium_memzero(sub, sizeof sub);
}

struct mask *
mask_new(const unsigned char *key)
{
	struct mask *m = ecalloc(1, sizeof *m);

	if (key) {
		derive(&m->hash, key, "consent-erase mask hash", 8);
		derive(&m->fake, key, "consent-erase mask fake", 8);
		m->keyed = 1;
	}
	return m;
}

void
mask_free(struct mask *m)
{
	if (!m)
		return;
	sodium_memzero(m, sizeof *m);
	free(m);
}

static void
keyed(const crypto_generichash_state *k, const char *v, size_t n,
    unsigned char out[8])
{
	crypto_generichash_state st = *k;

	crypto_generichash_update(&st, (const unsigned char *)v, n);
	crypto_generichash_final(&st, out, 8);
}

static void
rule_hash(const struct mask *m, const char *v, size_t n, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[8];
	int i;

	keyed(&m->hash, v, n, h);
	for (i = 0; i < 8; i++) {
		buf_addc(out, hex[h[i] >> 4]);
		buf_addc(out, hex[h[i] & 15]);
	}
}

/* Is name, whole, one of the words of v (runs between spaces, tabs,
 * commas, full stops and hyphens)? */
static int
is_word_of(const char *name, const char *v, size_t n)
{
	size_t len = strlen(name), i = 0, j;

	while (i < n) {
		for (j = i; j < n && !strchr(" \t,.-", v[j]); j++)
			;
		if (j - i == len && memcmp(v + i, name, len) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

/* The name at index i of a list, or the next one after it that is not a
 * word of v: a fake never repeats a part of the real name. */
static const char *
fresh_name(const char *const *list, size_t count, size_t i,
    const char *v, size_t n)
{
	size_t tries;

	for (tries = 0; tries < count; tries++, i = (i + 1) % count)
		if (!is_word_of(list[i], v, n))
			break;
	return list[i];
}

static void
rule_fake(const struct mask *m, const char *v, size_t n, struct buf *out)
{
	unsigned char h[8];
	uint64_t x = 0;
	int i;

	keyed(&m->fake, v, n, h);
	for (i = 0; i < 8; i++)
		x = x << 8 | h[i];
	buf_adds(out, fresh_name(fake_first_names, fake_nfirst,
	    (x >> 32) % fake_nfirst, v, n));
	buf_addc(out, ' ');
	buf_adds(out, fresh_name(fake_last_names, fake_nlast,
	    (x & 0xffffffffu) % fake_nlast, v, n));
}

/* The length of the UTF-8 character at v (1 for a stray byte). */
static size_t
utf8_len(const char *v, size_t n)
{
	unsigned char c = (unsigned char)v[0];
	size_t len = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	return len > n ? n : len;
}

/* A number: digits and the separators of phone and account numbers. */
static int
is_number(const char *v, size_t n, size_t *digits)
{
	size_t i;

	*digits = 0;
	for (i = 0; i < n; i++) {
		if (v[i] >= '0' && v[i] <= '9')
			(*digits)++;
		else if (!strchr(" +-./()", v[i]) || !v[i])
			return 0;
	}
	return *digits > 0;
}

static void
rule_partial(const char *v, size_t n, struct buf *out)
{
	const char *at = memchr(v, '@', n);
	size_t digits, i, seen = 0;

	if (at && at > v) {
		/* the first letter and the domain: k***@example.no */
		while (memchr(at + 1, '@', n - (size_t)(at + 1 - v)))
			at = memchr(at + 1, '@', n - (size_t)(at + 1 - v));
		buf_add(out, v, utf8_len(v, n));
		buf_adds(out, "***");
		buf_add(out, at, n - (size_t)(at - v));
	} else if (is_number(v, n, &digits)) {
		/* the last two digits; a number of two is hidden whole */
		for (i = 0; i < n; i++) {
			int digit = v[i] >= '0' && v[i] <= '9';

			seen += (size_t)digit;
			buf_addc(out, digit && (digits <= 2 ||
			    seen <= digits - 2) ? '*' : v[i]);
		}
	} else {
		buf_add(out, v, utf8_len(v, n));
		buf_adds(out, "***");
	}
}

static void
rule_year(const char *v, size_t n, struct buf *out)
{
	char tmp[64], date[TIME_DATE_LEN];
	int64_t t;
	size_t i;

	if (n == 4) {
		for (i = 0; i < 4 && v[i] >= '0' && v[i] <= '9'; i++)
			;
		if (i == 4) {
			buf_add(out, v, 4);
			return;
		}
	}
	if (n >= sizeof tmp)
		return;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (time_parse(tmp, &t) < 0)
		return;
	time_format_date(t, date);
	buf_add(out, date, 4);
}

void
mask_value(const struct mask *m, enum mask_rule rule, const char *v,
    size_t n, struct buf *out)
{
	buf_reset(out);
	buf_add(out, "", 0);	/* out->s is a string even when empty */
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0)
		return;
	switch (rule) {
	case MASK_BLANK:
		break;
	case MASK_HASH:
		if (m->keyed)
			rule_hash(m, v, n, out);
		break;
	case MASK_PARTIAL:
		rule_partial(v, n, out);
		break;
	case MASK_YEAR:
		rule_year(v, n, out);
		break;
	case MASK_FAKE:
		if (m->keyed)
			rule_fake(m, v, n, out);
		break;
	case MASK_NRULES:
		break;
	}
}
