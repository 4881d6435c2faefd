/* token: the signed tokens in the links the customers get.  A token says
 * what it is for (a request, or a customer's preference page), the number
 * of that request or customer in the store, when it expires, which
 * purposes it covers and in which language to speak, and nothing about the
 * person.  It is signed with HMAC-SHA-256 under the [landing] secret, so
 * the landing service can trust a link without a table of issued links.
 *
 * Layout (29 bytes, 39 characters of unpadded base64url, so it fits an
 * SMS and the 40 characters SPEC.md allows): version-and-kind (1), subject
 * (4, big-endian), expiry in Unix seconds (4), purpose bits (2: bit i is
 * the i-th purpose of the configuration), language (2 ASCII letters), the
 * first 16 bytes of the MAC over the 13 before it. */
#ifndef CONSENT_TOKEN_H
#define CONSENT_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_LEN 39
#define TOKEN_MAX (TOKEN_LEN + 1)
#define TOKEN_PURPOSES_MAX 16

enum token_kind {
	TOKEN_REQUEST = 'r',	/* subject: a request's number */
	TOKEN_CUSTOMER = 'p'	/* subject: a customer's number (the preference page) */
};

struct token {
	enum token_kind kind;
	uint32_t subject;
	int64_t expires;	/* Unix seconds */
	uint16_t purposes;
	char lang[3];		/* two lower-case letters */
};

/* Write the token into out.  0, or -1 when a field does not fit (an
 * expiry past 2106, a language that is not two letters). */
int token_make(const unsigned char *secret, size_t secretlen,
    const struct token *t, char out[TOKEN_MAX]);

/* Check a token's form and signature (in constant time) and decode it:
 * 0, or -1 when it is malformed or tampered with.  The expiry is the
 * caller's to check, so that an expired link can be told apart. */
int token_verify(const unsigned char *secret, size_t secretlen,
    const char *s, struct token *t);

#endif
