/* tombset: the tombstones of a store held in memory, for a stream that
 * asks about every record (consent-erase --anonymise): the hashes are
 * loaded once, and each record's key and addresses are hashed with the
 * tombstone key (HMAC-SHA-256 of kind, NUL, value, as the store makes
 * them) and looked up.  Knows no store. */
#ifndef CONSENT_TOMBSET_H
#define CONSENT_TOMBSET_H

#include <stddef.h>

struct tombset;

struct tombset *tombset_new(const unsigned char key[32]);
void tombset_free(struct tombset *t);
/* kind: "key", "email" or "mobile"; others are ignored. */
void tombset_add(struct tombset *t, const char *kind,
    const unsigned char hash[32]);
size_t tombset_count(const struct tombset *t);
/* The tombstone hash of value under the set's key. */
void tombset_hash(const struct tombset *t, const char *kind,
    const char *value, size_t n, unsigned char out[32]);
/* Does a tombstone match the key (as it is), the e-mail address
 * (normalised) or the E.164 number?  Any may be NULL or "". */
int tombset_match(const struct tombset *t, const char *key,
    const char *email, const char *mobile);

#endif
