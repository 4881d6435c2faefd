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

struct keyset {
	struct slot *slots;
	size_t nslots, count;
	struct buf arena;
};

/* FNV-1a: the keys are short customer numbers, for which it spreads
 * well enough and costs next to nothing. */
static uint32_t
hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct keyset *
keyset_new(void)
{
	struct keyset *ks = ecalloc(1, sizeof *ks);

	ks->nslots = 1024;
	ks->slots = ecalloc(ks->nslots, sizeof *ks->slots);
	buf_addc(&ks->arena, 0);	/* offset 0 means an empty slot */
	return ks;
}

void
keyset_free(struct keyset *ks)
{
	if (!ks)
		return;
	free(ks->slots);
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

static void
grow(struct keyset *ks)
{
	struct slot *old = ks->slots;
	size_t n = ks->nslots, i;

	ks->nslots *= 2;
	ks->slots = ecalloc(ks->nslots, sizeof *ks->slots);
	for (i = 0; i < n; i++) {
		size_t mask = ks->nslots - 1, j = old[i].hash & mask;

		if (!old[i].off)
			continue;
		while (ks->slots[j].off)
			j = (j + 1) & mask;
		ks->slots[j] = old[i];
	}
	free(old);
}

int
keyset_add(struct keyset *ks, const char *key, size_t len, uint64_t val,
    uint64_t *old)
{
	uint32_t h = hash_bytes(key, len), klen = (uint32_t)len;
	struct slot *sl = probe(ks, h, key, len);

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
	if (++ks->count * 4 > ks->nslots * 3)
		grow(ks);
	return 1;
}

int
keyset_find(const struct keyset *ks, const char *key, size_t len,
    uint64_t *val)
{
	const struct slot *sl = probe(ks, hash_bytes(key, len), key, len);

	if (!sl->off)
		return 0;
	if (val)
		*val = sl->val;
	return 1;
}
