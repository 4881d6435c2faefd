/* keyset: open addressing with linear probing; a slot holds the key's
 * hash, its offset in the arena (0: empty) and its value.  Keys are stored
 * in the arena as a 32-bit length followed by the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
#include "util.h"

struct slot {
	uint32_t hash;
	uint32_t off;	/* offset of the key in the arena; 0: empty */
	uint64_t val;
};

/* Beside the slots, a Bloom filter of 8 bits a slot (11 to 21 bits a
 * key, two bits each): it fits in the L2 cache where the slots do not, so
 * that a key that is not in the set (most keys of a stream of exports
 * when the store holds a part of them) costs no cache miss. */
struct keyset {
	struct slot *slots;
	size_t nslots, count;
	uint64_t *bloom;	/* nslots * 8 bits */
	struct buf arena;
};

static uint32_t
bloom_second(uint32_t h)
{
	h *= 0x9e3779b1u;
	return h >> 15 | h << 17;
}

static void
bloom_set(struct keyset *ks, uint32_t h)
{
	size_t mask = ks->nslots * 8 - 1, a = h & mask,
	    b = bloom_second(h) & mask;

	ks->bloom[a >> 6] |= UINT64_C(1) << (a & 63);
	ks->bloom[b >> 6] |= UINT64_C(1) << (b & 63);
}

static int
bloom_maybe(const struct keyset *ks, uint32_t h)
{
	size_t mask = ks->nslots * 8 - 1, a = h & mask,
	    b = bloom_second(h) & mask;

	return (ks->bloom[a >> 6] >> (a & 63) & 1) &&
	    (ks->bloom[b >> 6] >> (b & 63) & 1);
}

/* FNV-1a, then MurmurHash3's finaliser: the keys are short customer
 * numbers that differ in their last digits, and FNV-1a alone leaves the
 * low bits (the slot index) clustered, so that linear probing walks long
 * runs. */
static uint32_t
hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

struct keyset *
keyset_new(void)
{
	struct keyset *ks = ecalloc(1, sizeof *ks);

	ks->nslots = 1024;
	ks->slots = ecalloc_table(ks->nslots, sizeof *ks->slots);
	ks->bloom = ecalloc_table(ks->nslots / 8, sizeof *ks->bloom);
	buf_addc(&ks->arena, 0);	/* offset 0 means an empty slot */
	return ks;
}

void
keyset_free(struct keyset *ks)
{
	if (!ks)
		return;
	free_table(ks->slots, ks->nslots, sizeof *ks->slots);
	free_table(ks->bloom, ks->nslots / 8, sizeof *ks->bloom);
	buf_free(&ks->arena);
	free(ks);
}

size_t
keyset_count(const struct keyset *ks)
{
	return ks->count;
}

static int
slot_is(const struct keyset *ks, const struct slot *sl, uint32_t h,
    const char *key, size_t len)
{
	uint32_t klen;

	if (sl->hash != h)
		return 0;
	memcpy(&klen, ks->arena.s + sl->off, sizeof klen);
	return klen == len &&
	    memcmp(ks->arena.s + sl->off + sizeof klen, key, len) == 0;
}

/* The slot holding key, or the empty slot where it would go. */
static struct slot *
probe(const struct keyset *ks, uint32_t h, const char *key, size_t len)
{
	size_t mask = ks->nslots - 1, i = h & mask;

	while (ks->slots[i].off && !slot_is(ks, &ks->slots[i], h, key, len))
		i = (i + 1) & mask;
	return &ks->slots[i];
}

/* Rehash into newslots slots (a power of two). */
static void
rehash(struct keyset *ks, size_t newslots)
{
	struct slot *old = ks->slots;
	size_t n = ks->nslots, i;

	ks->nslots = newslots;
	ks->slots = ecalloc_table(ks->nslots, sizeof *ks->slots);
	free_table(ks->bloom, n / 8, sizeof *ks->bloom);
	ks->bloom = ecalloc_table(ks->nslots / 8, sizeof *ks->bloom);
	for (i = 0; i < n; i++) {
		size_t mask = ks->nslots - 1, j = old[i].hash & mask;

		if (!old[i].off)
			continue;
		bloom_set(ks, old[i].hash);
		while (ks->slots[j].off)
			j = (j + 1) & mask;
		ks->slots[j] = old[i];
	}
	free_table(old, n, sizeof *old);
}

/* Slots stay at most three quarters full. */
static int
too_full(size_t count, size_t nslots)
{
	return count * 4 > nslots * 3;
}

void
keyset_reserve(struct keyset *ks, size_t n)
{
	size_t want = ks->nslots;

	while (too_full(n, want))
		want *= 2;
	if (want > ks->nslots)
		rehash(ks, want);
}

int
keyset_add(struct keyset *ks, const char *key, size_t len, uint64_t val,
    uint64_t *old)
{
	uint32_t h = hash_bytes(key, len), klen = (uint32_t)len;
	struct slot *sl = probe(ks, h, key, len);

	bloom_set(ks, h);
	if (sl->off) {
		if (old)
			*old = sl->val;
		return 0;
	}
	if (ks->arena.len + len + sizeof klen > UINT32_MAX)
		eprintf("keyset: more than 4 GiB of keys");
	sl->hash = h;
	sl->off = (uint32_t)ks->arena.len;
	sl->val = val;
	buf_add(&ks->arena, &klen, sizeof klen);
	buf_add(&ks->arena, key, len);
	if (too_full(++ks->count, ks->nslots))
		rehash(ks, ks->nslots * 2);
	return 1;
}

void
keyset_prefetch(const struct keyset *ks, const char *key, size_t len)
{
	uint32_t h = hash_bytes(key, len);
	size_t mask = ks->nslots * 8 - 1;

	__builtin_prefetch(&ks->slots[h & (ks->nslots - 1)], 1);
	__builtin_prefetch(&ks->bloom[(h & mask) >> 6], 1);
	__builtin_prefetch(&ks->bloom[(bloom_second(h) & mask) >> 6], 1);
}

int
keyset_find(const struct keyset *ks, const char *key, size_t len,
    uint64_t *val)
{
	uint32_t h = hash_bytes(key, len);
	const struct slot *sl;

	if (!bloom_maybe(ks, h))
		return 0;
	sl = probe(ks, h, key, len);
	if (!sl->off)
		return 0;
	if (val)
		*val = sl->val;
	return 1;
}
