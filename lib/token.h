/* token: the signed tokens in the links the customers get.  A token names
 * what it is for (a kind letter: 'p' the preference page of a customer,
 * 'r' a consent request) and a subject (the customer key or the request
 * number), signed with HMAC-SHA-256 under the [landing] secret, so the
 * landing service can trust a link without a table of issued links.
 * Format: KIND BASE64URL(subject) "." BASE64URL(mac), unpadded. */
#ifndef CONSENT_TOKEN_H
#define CONSENT_TOKEN_H

#include <stddef.h>

#define TOKEN_SUBJECT_MAX 256
/* kind, subject, '.', 43 characters of MAC, NUL */
#define TOKEN_MAX (1 + (TOKEN_SUBJECT_MAX * 4 + 2) / 3 + 1 + 43 + 1)

/* Make the token of kind and subject into out (TOKEN_MAX bytes).  0, or
 * -1 when the subject is empty or longer than TOKEN_SUBJECT_MAX. */
int token_make(const unsigned char *secret, size_t secretlen, char kind,
    const char *subject, char out[TOKEN_MAX]);

/* Check a token: 0 with its kind in *kind and its subject in subject
 * (TOKEN_SUBJECT_MAX + 1 bytes), or -1 when it is malformed or its MAC
 * does not match (compared in constant time). */
int token_verify(const unsigned char *secret, size_t secretlen,
    const char *token, char *kind, char subject[TOKEN_SUBJECT_MAX + 1]);

#endif
