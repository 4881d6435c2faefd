/* custset: what a stream filter needs to know about every customer of the
 * store, loaded once and held compactly (about 50 bytes a customer), so
 * that the records can then stream without a query each. */
#ifndef CONSENT_CUSTSET_H
#define CONSENT_CUSTSET_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Consent states of at most this many purposes are held. */
#define CUSTSET_PURPOSES 32

enum {
	CUST_F_RESTRICTED = 1,
	CUST_F_EMAIL = 2,	/* has an e-mail address */
	CUST_F_MOBILE = 4	/* has a mobile number */
};

struct cust {
	uint64_t states;	/* 2 bits a purpose: enum cstate */
	uint32_t id;		/* the customer's number in the store */
	int32_t last_contact;	/* days since 1970-01-01, INT32_MIN: none */
	uint8_t flags;
	char lang[3];
};

struct custset;

/* Load every customer, and their consent states of the purposes in the
 * mask (bit i: the purpose of index i; 0: none).  NULL and the store's
 * message on failure. */
struct custset *custset_load(struct store *s, uint32_t purposes);
void custset_free(struct custset *cs);
size_t custset_count(const struct custset *cs);
/* The customer with this key, or NULL.  Fastest when the keys come in
 * the order of the store's customers. */
const struct cust *custset_find(struct custset *cs, const char *key,
    size_t len);

static inline enum cstate
cust_state(const struct cust *c, size_t purpose)
{
	return (enum cstate)(c->states >> (2 * purpose) & 3);
}

#endif
