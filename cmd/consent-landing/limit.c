/* limit: the per-address rate limits, on POSTs ([landing] post_rate) and
 * on failed checks of a link or of the API key ([landing]
 * bad_token_rate).
 *
 * Each address has a token bucket per limit: it holds up to N tokens,
 * starts full, and gains N every period; a request takes one, and finds
 * none when the address went over its rate (429, with the seconds until
 * the next one in Retry-After).  The buckets live in a table of fixed
 * size, set-associative: an address hashes (SipHash under a key drawn at
 * the start, so that nobody can aim at a set) to a set of WAYS slots,
 * and when the set is full the slot seen least recently makes room.  So
 * the memory is bounded whatever the number of addresses; an address
 * pushed out comes back with full buckets.  An IPv6 address counts by
 * its /64, what one customer line usually gets; an IPv4-mapped one as
 * the IPv4 address.  The clock is the monotonic one, never CONSENT_NOW,
 * which stands still in the tests.
 *
 * One mutex guards the table: the pool's threads take it for a few
 * dozen instructions, and only on the requests that are limited. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "landing.h"

#define WAYS 8
#define SETS 512		/* 4096 addresses, about 200 KiB */
#define KEY_LEN 17		/* a family byte, 16 of the address */
#define RETRY_MAX 86400
#define RATE_N_MAX 1000000
#define PERIOD_MAX 86400

struct slot {
	unsigned char key[KEY_LEN];
	int used;
	double seen;			/* seconds, monotonic */
	double tokens[LIMIT_KINDS];
	double at[LIMIT_KINDS];		/* when tokens was right */
};

static struct rate rates[LIMIT_KINDS];
static struct slot table[SETS][WAYS];
static unsigned char hashkey[crypto_shorthash_KEYBYTES];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* "off", or N "/" [K] UNIT, UNIT one of s, min, h: N requests every K
 * units (K 1 by default). */
int
rate_parse(const char *s, struct rate *r)
{
	unsigned long n, k = 1, unit;
	char *end;

	if (!strcmp(s, "off")) {
		r->burst = r->per_sec = 0;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || n < 1 || n > RATE_N_MAX || *end != '/')
		return -1;
	s = end + 1;
	if (*s >= '0' && *s <= '9') {
		k = strtoul(s, &end, 10);
		if (errno || k < 1 || k > PERIOD_MAX)
			return -1;
		s = end;
	}
	if (!strcmp(s, "s"))
		unit = 1;
	else if (!strcmp(s, "min"))
		unit = 60;
	else if (!strcmp(s, "h"))
		unit = 3600;
	else
		return -1;
	if (k * unit > PERIOD_MAX)
		return -1;
	r->burst = (double)n;
	r->per_sec = (double)n / (double)(k * unit);
	return 0;
}

void
limit_init(const struct rate *post, const struct rate *bad)
{
	rates[LIMIT_POST] = *post;
	rates[LIMIT_BAD] = *bad;
	memset(table, 0, sizeof table);
	crypto_shorthash_keygen(hashkey);
}

static double
now_mono(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The address as the table knows it; an unknown one ("-") is all
 * zeros, one shared bucket. */
static void
make_key(const char *ip, unsigned char key[KEY_LEN])
{
	static const unsigned char v4mapped[12] = { [10] = 0xff, 0xff };
	unsigned char a[16];

	memset(key, 0, KEY_LEN);
	if (inet_pton(AF_INET, ip, a) == 1) {
		key[0] = 4;
		memcpy(key + 1, a, 4);
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		if (!memcmp(a, v4mapped, sizeof v4mapped)) {
			key[0] = 4;
			memcpy(key + 1, a + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a, 8);	/* the /64 */
		}
	}
}

static struct slot *
find(const unsigned char key[KEY_LEN], double now)
{
	unsigned char h[crypto_shorthash_BYTES];
	struct slot *set, *s, *old;
	uint64_t v = 0;
	size_t i;

	crypto_shorthash(h, key, KEY_LEN, hashkey);
	for (i = 0; i < sizeof v; i++)
		v = v << 8 | h[i];
	set = table[v % SETS];
	old = &set[0];
	for (i = 0; i < WAYS; i++) {
		s = &set[i];
		if (s->used && !memcmp(s->key, key, KEY_LEN))
			return s;
		if (!s->used || (old->used && s->seen < old->seen))
			old = s;
	}
	/* A new address, in a free slot or the least recently seen. */
	memcpy(old->key, key, KEY_LEN);
	old->used = 1;
	for (i = 0; i < LIMIT_KINDS; i++) {
		old->tokens[i] = rates[i].burst;
		old->at[i] = now;
	}
	return old;
}

unsigned
limit_take(enum limit_kind kind, const char *ip)
{
	const struct rate *r = &rates[kind];
	unsigned char key[KEY_LEN];
	unsigned wait = 0;
	double now, t, w;
	struct slot *s;

	if (r->burst <= 0)
		return 0;
	make_key(ip, key);
	now = now_mono();
	if ((errno = pthread_mutex_lock(&lock)) != 0)
		return 0;
	s = find(key, now);
	s->seen = now;
	t = s->tokens[kind] + (now - s->at[kind]) * r->per_sec;
	s->tokens[kind] = t > r->burst ? r->burst : t;
	s->at[kind] = now;
	if (s->tokens[kind] >= 1)
		s->tokens[kind] -= 1;
	else {
		w = ceil((1 - s->tokens[kind]) / r->per_sec);
		wait = w < 1 ? 1 : w > RETRY_MAX ? RETRY_MAX : (unsigned)w;
	}
	pthread_mutex_unlock(&lock);
	return wait;
}
