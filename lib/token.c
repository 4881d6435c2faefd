/* token: HMAC-SHA-256 signed link tokens, base64url through libsodium. */
#include <sodium.h>
#include <string.h>

#include "token.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define BODY_LEN 13
#define MAC_LEN 16
#define TOKEN_VERSION 1
#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789-_"

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The version sits in the high nibble, the kind in the low one. */
static int
kind_code(enum token_kind k)
{
	return k == TOKEN_REQUEST ? 1 : k == TOKEN_CUSTOMER ? 2 : -1;
}

static void
sign(const unsigned char *secret, size_t secretlen,
    const unsigned char body[BODY_LEN], unsigned char out[MAC_LEN])
{
	unsigned char full[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state h;

	crypto_auth_hmacsha256_init(&h, secret, secretlen);
	crypto_auth_hmacsha256_update(&h, body, BODY_LEN);
	crypto_auth_hmacsha256_final(&h, full);
	memcpy(out, full, MAC_LEN);
	sodium_memzero(full, sizeof full);
}

static int
is_lang(const char *s)
{
	return s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
}

int
token_make(const unsigned char *secret, size_t secretlen,
    const struct token *t, char out[TOKEN_MAX])
{
	unsigned char bin[BODY_LEN + MAC_LEN];
	int code = kind_code(t->kind);

	if (code < 0 || t->expires < 0 || t->expires > UINT32_MAX ||
	    !is_lang(t->lang) || t->lang[2] != '\0')
		return -1;
	bin[0] = (unsigned char)(TOKEN_VERSION << 4 | code);
	put32(bin + 1, t->subject);
	put32(bin + 5, (uint32_t)t->expires);
	bin[9] = (unsigned char)(t->purposes >> 8);
	bin[10] = (unsigned char)t->purposes;
	bin[11] = (unsigned char)t->lang[0];
	bin[12] = (unsigned char)t->lang[1];
	sign(secret, secretlen, bin, bin + BODY_LEN);
	sodium_bin2base64(out, TOKEN_MAX, bin, sizeof bin, B64);
	return 0;
}

int
token_verify(const unsigned char *secret, size_t secretlen, const char *s,
    struct token *t)
{
	unsigned char bin[BODY_LEN + MAC_LEN], want[MAC_LEN];
	size_t len;

	/* libsodium 1.0.18 decodes every byte over 0x7f as '_', so that one
	 * token would verify in many spellings: the alphabet is ours to
	 * check. */
	if (strlen(s) != TOKEN_LEN || strspn(s, ALPHABET) != TOKEN_LEN ||
	    sodium_base642bin(bin, sizeof bin, s, TOKEN_LEN, NULL, &len, NULL,
	    B64) != 0 || len != sizeof bin)
		return -1;
	sign(secret, secretlen, bin, want);
	if (sodium_memcmp(want, bin + BODY_LEN, MAC_LEN) != 0)
		return -1;
	if (bin[0] >> 4 != TOKEN_VERSION || !is_lang((char *)bin + 11))
		return -1;
	switch (bin[0] & 0x0f) {
	case 1:
		t->kind = TOKEN_REQUEST;
		break;
	case 2:
		t->kind = TOKEN_CUSTOMER;
		break;
	default:
		return -1;
	}
	t->subject = get32(bin + 1);
	t->expires = get32(bin + 5);
	t->purposes = (uint16_t)(bin[9] << 8 | bin[10]);
	t->lang[0] = (char)bin[11];
	t->lang[1] = (char)bin[12];
	t->lang[2] = '\0';
	return 0;
}
