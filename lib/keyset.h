/* keyset: a compact set of byte strings with a value each, for keys seen
 * in a stream (duplicate checks, consent sets).  Open addressing over one
 * arena of key bytes: about 16 bytes a slot plus the keys themselves. */
#ifndef CONSENT_KEYSET_H
#define CONSENT_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct keyset;

struct keyset *keyset_new(void);
/* Make room for n keys in all, so that adding them never rehashes. */
void keyset_reserve(struct keyset *ks, size_t n);
void keyset_free(struct keyset *ks);
size_t keyset_count(const struct keyset *ks);

/* Add key with val: 1 when added, 0 when it was there already (its
 * value is left as it was and stored in *old if old is not NULL). */
int keyset_add(struct keyset *ks, const char *key, size_t len, uint64_t val,
    uint64_t *old);
/* Start loading the memory that adding or finding key will touch: a
 * loop over many keys that prefetches a few keys ahead of its adds waits
 * for one cache miss at a time no longer. */
void keyset_prefetch(const struct keyset *ks, const char *key, size_t len);
/* 1 and the value in *val (if not NULL) when key is in the set, else 0. */
int keyset_find(const struct keyset *ks, const char *key, size_t len,
    uint64_t *val);

#endif
