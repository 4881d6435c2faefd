/* token: HMAC-SHA-256 signed link tokens, base64url through libsodium. */
#include <sodium.h>
#include <string.h>

#include "token.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void
mac(const unsigned char *secret, size_t secretlen, char kind,
    const char *subject, size_t len, unsigned char out[32])
{
	crypto_auth_hmacsha256_state h;
	unsigned char k = (unsigned char)kind;

	crypto_auth_hmacsha256_init(&h, secret, secretlen);
	crypto_auth_hmacsha256_update(&h, &k, 1);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)subject,
	    len);
	crypto_auth_hmacsha256_final(&h, out);
}

int
token_make(const unsigned char *secret, size_t secretlen, char kind,
    const char *subject, char out[TOKEN_MAX])
{
	size_t len = strlen(subject), n;
	unsigned char m[32];

	if (len == 0 || len > TOKEN_SUBJECT_MAX)
		return -1;
	out[0] = kind;
	sodium_bin2base64(out + 1, TOKEN_MAX - 1, (const unsigned char *)
	    subject, len, B64);
	n = strlen(out);
	out[n++] = '.';
	mac(secret, secretlen, kind, subject, len, m);
	sodium_bin2base64(out + n, TOKEN_MAX - n, m, sizeof m, B64);
	return 0;
}

int
token_verify(const unsigned char *secret, size_t secretlen,
    const char *token, char *kind, char subject[TOKEN_SUBJECT_MAX + 1])
{
	const char *dot = strchr(token, '.');
	unsigned char want[32], got[32];
	size_t len, glen;

	if (!dot || dot == token || dot == token + 1)
		return -1;
	if (sodium_base642bin((unsigned char *)subject, TOKEN_SUBJECT_MAX,
	    token + 1, (size_t)(dot - token - 1), NULL, &len, NULL, B64) != 0 ||
	    len == 0)
		return -1;
	subject[len] = '\0';
	if (memchr(subject, '\0', len))
		return -1;
	if (sodium_base642bin(got, sizeof got, dot + 1, strlen(dot + 1), NULL,
	    &glen, NULL, B64) != 0 || glen != sizeof got)
		return -1;
	mac(secret, secretlen, token[0], subject, len, want);
	if (sodium_memcmp(want, got, sizeof got) != 0)
		return -1;
	*kind = token[0];
	return 0;
}
