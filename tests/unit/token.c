/* Unit tests of lib/token, as TAP on stdout.  The fixed tokens below were
 * computed independently of lib/token.c, with Python's hmac, hashlib and
 * base64 modules following the layout in token.h (version-and-kind byte,
 * subject and expiry big-endian, purposes big-endian, two language bytes,
 * then the first 16 bytes of HMAC-SHA-256 over those 13, all as unpadded
 * base64url), so that a change of format shows here:
 *
 *	body = bytes([1 << 4 | code]) + struct.pack('>IIH', subject,
 *	    expires, purposes) + lang.encode()
 *	mac = hmac.new(secret, body, hashlib.sha256).digest()[:16]
 *	base64.urlsafe_b64encode(body + mac).decode().rstrip('=')
 *
 * with code 1 for a request and 2 for a customer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "token.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define BIN_LEN 29
#define BODY_LEN 13
#define MAC_LEN 16

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const unsigned char secret[] = "consent test secret";
#define SECRET_LEN (sizeof secret - 1)

static struct token
mk(enum token_kind kind, uint32_t subject, int64_t expires,
    uint16_t purposes, const char *lang)
{
	struct token t;

	memset(&t, 0, sizeof t);
	t.kind = kind;
	t.subject = subject;
	t.expires = expires;
	t.purposes = purposes;
	memcpy(t.lang, lang, strlen(lang) < 2 ? strlen(lang) + 1 : 2);
	t.lang[2] = '\0';
	return t;
}

static int
same(const struct token *a, const struct token *b)
{
	return a->kind == b->kind && a->subject == b->subject &&
	    a->expires == b->expires && a->purposes == b->purposes &&
	    strcmp(a->lang, b->lang) == 0;
}

static int
b64url_only(const char *s)
{
	for (; *s != '\0'; s++)
		if (strchr(alphabet, *s) == NULL)
			return 0;
	return 1;
}

/* Make a token into a buffer with a canary past TOKEN_MAX: 0 when it was
 * made, is exactly TOKEN_LEN characters of base64url and left the canary
 * alone. */
static int
make_checked(const unsigned char *key, size_t keylen, const struct token *t,
    char out[TOKEN_MAX])
{
	char buf[TOKEN_MAX + 8];
	size_t i;

	memset(buf, 0x5a, sizeof buf);
	if (token_make(key, keylen, t, buf) != 0)
		return -1;
	for (i = TOKEN_MAX; i < sizeof buf; i++)
		if (buf[i] != 0x5a)
			return -1;
	if (buf[TOKEN_LEN] != '\0' || strlen(buf) != TOKEN_LEN ||
	    !b64url_only(buf))
		return -1;
	memcpy(out, buf, TOKEN_MAX);
	return 0;
}

static const char *
kindname(enum token_kind k)
{
	return k == TOKEN_REQUEST ? "request" : k == TOKEN_CUSTOMER ?
	    "customer" : "?";
}

/* --- round trips ---------------------------------------------------- */

static const enum token_kind kinds[] = { TOKEN_REQUEST, TOKEN_CUSTOMER };
static const uint32_t subjects[] = { 0, 1, UINT32_MAX };
static const int64_t expiries[] = { 0, UINT32_MAX };
static const uint16_t purposeses[] = { 0, 1, 0xffff };
static const char *const langs[] = { "nb", "sv", "en" };

#define NKINDS (sizeof kinds / sizeof kinds[0])
#define NSUBJECTS (sizeof subjects / sizeof subjects[0])
#define NEXPIRIES (sizeof expiries / sizeof expiries[0])
#define NPURPOSES (sizeof purposeses / sizeof purposeses[0])
#define NLANGS (sizeof langs / sizeof langs[0])
#define NROUND (NKINDS * NSUBJECTS * NEXPIRIES * NPURPOSES * NLANGS)

static char made[NROUND][TOKEN_MAX];

static void
test_roundtrip(void)
{
	size_t a, b, c, d, e, n = 0, i, j;
	int distinct = 1;

	for (a = 0; a < NKINDS; a++)
	for (b = 0; b < NSUBJECTS; b++)
	for (c = 0; c < NEXPIRIES; c++)
	for (d = 0; d < NPURPOSES; d++)
	for (e = 0; e < NLANGS; e++) {
		struct token t = mk(kinds[a], subjects[b], expiries[c],
		    purposeses[d], langs[e]), got;
		int r;

		memset(&got, 0x77, sizeof got);
		r = make_checked(secret, SECRET_LEN, &t, made[n]) == 0 &&
		    token_verify(secret, SECRET_LEN, made[n], &got) == 0 &&
		    same(&t, &got);
		ok(r, "round trip %s subject %lu expires %lld purposes %#x "
		    "lang %s: %s", kindname(t.kind), (unsigned long)t.subject,
		    (long long)t.expires, (unsigned)t.purposes, t.lang,
		    made[n]);
		n++;
	}
	/* Every combination above differs from every other in some field,
	 * so no two of their tokens may be equal. */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(made[i], made[j]) == 0) {
				printf("# same token %s for cases %zu and %zu\n",
				    made[i], i, j);
				distinct = 0;
			}
	ok(distinct, "the %zu round-trip tokens are all different", n);
}

/* --- fixed tokens --------------------------------------------------- */

static unsigned char long_secret[100];	/* 0, 1, ..., 99: past a block */

static const struct {
	const char *name;
	const unsigned char *key;
	size_t keylen;
	enum token_kind kind;
	uint32_t subject;
	int64_t expires;
	uint16_t purposes;
	const char *lang, *want;
} vectors[] = {
	{ "request", secret, SECRET_LEN, TOKEN_REQUEST, 0x01020304,
	    1796126400, 0x0005, "nb", "EQECAwRrDrbAAAVuYgtFErfSSw_8xlPVgmAVeP8" },
	{ "customer, all ones", secret, SECRET_LEN, TOKEN_CUSTOMER,
	    UINT32_MAX, UINT32_MAX, 0xffff, "sv",
	    "Ev____________9zduxY8EmkO1Y6rT3B-hMsdo0" },
	{ "request, all zeros", secret, SECRET_LEN, TOKEN_REQUEST, 0, 0, 0,
	    "en", "EQAAAAAAAAAAAABlbkYrsRGo6gzvsjD_6dx7F3M" },
	{ "customer, 100-byte secret", long_secret, sizeof long_secret,
	    TOKEN_CUSTOMER, 1, 1796126400, 1, "en",
	    "EgAAAAFrDrbAAAFlbkdTrnVYDuKg3sv37vyNK1Y" },
	{ "request, empty secret", secret, 0, TOKEN_REQUEST, 42, 1796126400,
	    3, "nb", "EQAAACprDrbAAANuYnlKMjoeSke9kXadCOPG_Rk" },
};

static void
test_vectors(void)
{
	size_t i;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		struct token t = mk(vectors[i].kind, vectors[i].subject,
		    vectors[i].expires, vectors[i].purposes, vectors[i].lang),
		    got;
		char out[TOKEN_MAX] = "";

		ok(make_checked(vectors[i].key, vectors[i].keylen, &t,
		    out) == 0 && strcmp(out, vectors[i].want) == 0,
		    "fixed token (%s): %s", vectors[i].name, out);
		memset(&got, 0, sizeof got);
		ok(token_verify(vectors[i].key, vectors[i].keylen,
		    vectors[i].want, &got) == 0 && same(&t, &got),
		    "fixed token (%s) verifies and decodes", vectors[i].name);
	}
}

/* --- determinism and sensitivity ------------------------------------ */

static void
test_differs(void)
{
	struct token base = mk(TOKEN_REQUEST, 1000, 1796126400, 0x0005, "nb");
	struct token copy, v[7];
	const char *what[7] = { "kind", "subject", "expiry", "purposes",
	    "first language letter", "second language letter",
	    "one purpose bit" };
	char b[TOKEN_MAX], b2[TOKEN_MAX], o[TOKEN_MAX];
	size_t i;

	ok(make_checked(secret, SECRET_LEN, &base, b) == 0 &&
	    make_checked(secret, SECRET_LEN, &base, b2) == 0 &&
	    strcmp(b, b2) == 0, "the same token twice is the same string");
	copy = mk(TOKEN_REQUEST, 1000, 1796126400, 0x0005, "nb");
	ok(make_checked(secret, SECRET_LEN, &copy, b2) == 0 &&
	    strcmp(b, b2) == 0, "an equal token made apart is the same string");

	for (i = 0; i < 7; i++)
		v[i] = base;
	v[0].kind = TOKEN_CUSTOMER;
	v[1].subject = 1001;
	v[2].expires = 1796126401;
	v[3].purposes = 0x0004;
	v[4].lang[0] = 'o';
	v[5].lang[1] = 'n';
	v[6].purposes = 0x8005;
	for (i = 0; i < 7; i++)
		ok(make_checked(secret, SECRET_LEN, &v[i], o) == 0 &&
		    strcmp(b, o) != 0, "a different %s gives another token",
		    what[i]);
}

/* --- secrets -------------------------------------------------------- */

static void
test_secret(void)
{
	struct token t = mk(TOKEN_CUSTOMER, 77, 1796126400, 0x0003, "sv"), got;
	char tok[TOKEN_MAX], o[TOKEN_MAX];
	unsigned char other[sizeof secret];
	const unsigned char longer[] = "consent test secretX";

	make_checked(secret, SECRET_LEN, &t, tok);
	ok(token_verify(secret, SECRET_LEN, tok, &got) == 0,
	    "the token verifies under its own secret");

	memcpy(other, secret, sizeof secret);
	other[0] ^= 0x01;
	ok(token_verify(other, SECRET_LEN, tok, &got) == -1,
	    "a secret differing in its first byte fails");
	memcpy(other, secret, sizeof secret);
	other[SECRET_LEN - 1] ^= 0x80;
	ok(token_verify(other, SECRET_LEN, tok, &got) == -1,
	    "a secret differing in its last byte fails");
	ok(token_verify(secret, SECRET_LEN - 1, tok, &got) == -1,
	    "a shorter prefix of the secret fails");
	ok(token_verify(longer, sizeof longer - 1, tok, &got) == -1,
	    "a longer secret with the same start fails");
	ok(token_verify(secret, 0, tok, &got) == -1,
	    "the empty secret fails");
	/* HMAC pads a short key with zero bytes, so a secret and the same
	 * secret followed by NULs are one key: not a "different" secret,
	 * and not tested as one. */
	ok(make_checked(other, SECRET_LEN, &t, o) == 0 && strcmp(o, tok) != 0,
	    "a different secret makes a different token");
}

/* --- tampering ------------------------------------------------------ */

static int
decodes(const char *s)
{
	unsigned char bin[BIN_LEN];
	size_t len;

	return sodium_base642bin(bin, sizeof bin, s, strlen(s), NULL, &len,
	    NULL, B64) == 0 && len == sizeof bin;
}

static void
test_flip(void)
{
	struct token t = mk(TOKEN_REQUEST, 0x01020304, 1796126400, 0x0005,
	    "nb"), got;
	char tok[TOKEN_MAX], bad[TOKEN_MAX];
	const char *p;
	size_t i, pos;
	int v, k, all;

	make_checked(secret, SECRET_LEN, &t, tok);
	/* Every position, every other character of the alphabet. */
	for (pos = 0; pos < TOKEN_LEN; pos++) {
		all = 1;
		for (i = 0; alphabet[i] != '\0'; i++) {
			if (alphabet[i] == tok[pos])
				continue;
			memcpy(bad, tok, TOKEN_MAX);
			bad[pos] = alphabet[i];
			if (token_verify(secret, SECRET_LEN, bad, &got) != -1) {
				printf("# accepted: %s\n", bad);
				all = 0;
			}
		}
		ok(all, "each other character at position %zu fails", pos);
	}

	/* 29 bytes are 232 bits and 39 characters 234: the last character
	 * carries 4 bits of the MAC and 2 bits that must be zero.  A change
	 * of its top 4 bits changes the MAC and is caught by the loop above;
	 * a change of only the bottom 2 leaves the bytes as they were, so it
	 * is refused only because libsodium rejects non-zero trailing bits.
	 * Check that explicitly, on every token made so far. */
	all = 1;
	for (i = 0; i < NROUND; i++) {
		p = strchr(alphabet, made[i][TOKEN_LEN - 1]);
		if (p == NULL || (p - alphabet) % 4 != 0) {
			printf("# non-canonical last character: %s\n", made[i]);
			all = 0;
		}
	}
	ok(all, "token_make leaves the 2 spare bits of the last character 0");
	p = strchr(alphabet, tok[TOKEN_LEN - 1]);
	v = p == NULL ? 0 : (int)(p - alphabet);
	for (k = 1; k < 4; k++) {
		memcpy(bad, tok, TOKEN_MAX);
		bad[TOKEN_LEN - 1] = alphabet[(v & ~3) | k];
		ok(!decodes(bad), "libsodium refuses spare bits %d in the last "
		    "character: %s", k, bad);
		ok(token_verify(secret, SECRET_LEN, bad, &got) == -1,
		    "so does token_verify: %s", bad);
	}
}

static void
test_malformed(void)
{
	struct token t = mk(TOKEN_REQUEST, 0x01020304, 1796126400, 0x0005,
	    "nb"), got;
	char tok[TOKEN_MAX], buf[3 * TOKEN_MAX], std[TOKEN_MAX];
	size_t i, n;
	int all, changed;

	make_checked(secret, SECRET_LEN, &t, tok);

	ok(token_verify(secret, SECRET_LEN, "", &got) == -1,
	    "the empty string fails");
	ok(token_verify(secret, SECRET_LEN, "%%%", &got) == -1,
	    "\"%%%%%%\" fails");
	all = 1;
	for (n = 0; n < TOKEN_LEN; n++) {
		memcpy(buf, tok, n);
		buf[n] = '\0';
		if (token_verify(secret, SECRET_LEN, buf, &got) != -1) {
			printf("# accepted: \"%s\"\n", buf);
			all = 0;
		}
	}
	ok(all, "every truncation (0 to %d characters) fails", TOKEN_LEN - 1);
	all = 1;
	for (i = 0; alphabet[i] != '\0'; i++) {
		snprintf(buf, sizeof buf, "%s%c", tok, alphabet[i]);
		if (token_verify(secret, SECRET_LEN, buf, &got) != -1) {
			printf("# accepted: %s\n", buf);
			all = 0;
		}
	}
	ok(all, "the token and any one more character fails");
	snprintf(buf, sizeof buf, "%s%s", tok, tok);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "the token twice fails");
	snprintf(buf, sizeof buf, "%sAAAA", tok);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "the token and a further 3 bytes of base64 fails");

	snprintf(buf, sizeof buf, "%s=", tok);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "the token with '=' padding fails: %s", buf);
	snprintf(buf, sizeof buf, "%.*s=", TOKEN_LEN - 1, tok);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "the token with its last character as '=' fails: %s", buf);
	snprintf(buf, sizeof buf, "%.*s==", TOKEN_LEN - 2, tok);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "the token ending in '==' fails: %s", buf);
	snprintf(buf, sizeof buf, "=%.*s", TOKEN_LEN - 1, tok + 1);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "the token starting with '=' fails: %s", buf);

	/* libsodium 1.0.18 decodes any byte over 0x7f as '_' (found by
	 * tests/fuzz/token): every '_' of the token as 0x80 and 0xff. */
	all = 1;
	changed = 0;
	for (i = 0; i < TOKEN_LEN; i++) {
		if (tok[i] != '_')
			continue;
		changed++;
		memcpy(buf, tok, TOKEN_MAX);
		buf[i] = (char)0x80;
		if (token_verify(secret, SECRET_LEN, buf, &got) != -1)
			all = 0;
		buf[i] = (char)0xff;
		if (token_verify(secret, SECRET_LEN, buf, &got) != -1)
			all = 0;
	}
	ok(changed > 0 && all,
	    "a byte over 0x7f in place of a '_' fails (%d tried)", changed * 2);

	/* This token has a '_'; in the standard alphabet it is a '/', and a
	 * lenient decoder would take the result as the same bytes. */
	memcpy(std, tok, TOKEN_MAX);
	changed = 0;
	for (i = 0; i < TOKEN_LEN; i++)
		if (std[i] == '_')
			std[i] = '/', changed++;
		else if (std[i] == '-')
			std[i] = '+', changed++;
	ok(changed > 0 && token_verify(secret, SECRET_LEN, std, &got) == -1,
	    "the token in the standard alphabet ('/' for '_') fails: %s",
	    std);
	memcpy(std, vectors[1].want, TOKEN_MAX);
	for (i = 0; i < TOKEN_LEN; i++)
		if (std[i] == '_')
			std[i] = '/';
		else if (std[i] == '-')
			std[i] = '+';
	ok(token_verify(secret, SECRET_LEN, vectors[1].want, &got) == 0 &&
	    token_verify(secret, SECRET_LEN, std, &got) == -1,
	    "a token with '-' and '_' in the standard alphabet fails: %s",
	    std);
	all = 1;
	for (i = 0; i < TOKEN_LEN; i++) {
		const char *c;

		for (c = "+/=%. \t\n*"; *c != '\0'; c++) {
			memcpy(buf, tok, TOKEN_MAX);
			buf[i] = *c;
			if (token_verify(secret, SECRET_LEN, buf, &got) != -1) {
				printf("# accepted: \"%s\"\n", buf);
				all = 0;
			}
		}
	}
	ok(all, "any one character as '+', '/', '=', '%%', '.', space, tab, "
	    "newline or '*' fails");
	snprintf(buf, sizeof buf, " %s", tok);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "a leading space fails");
	snprintf(buf, sizeof buf, "%s\n", tok);
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "a trailing newline fails");
	memset(buf, '%', TOKEN_LEN);
	buf[TOKEN_LEN] = '\0';
	ok(token_verify(secret, SECRET_LEN, buf, &got) == -1,
	    "%d '%%' characters fail", TOKEN_LEN);
}

/* --- forgeries ------------------------------------------------------ */

static void
body_of(const struct token *t, int version, int code, unsigned char *bin)
{
	bin[0] = (unsigned char)(version << 4 | code);
	bin[1] = (unsigned char)(t->subject >> 24);
	bin[2] = (unsigned char)(t->subject >> 16);
	bin[3] = (unsigned char)(t->subject >> 8);
	bin[4] = (unsigned char)t->subject;
	bin[5] = (unsigned char)((uint32_t)t->expires >> 24);
	bin[6] = (unsigned char)((uint32_t)t->expires >> 16);
	bin[7] = (unsigned char)((uint32_t)t->expires >> 8);
	bin[8] = (unsigned char)t->expires;
	bin[9] = (unsigned char)(t->purposes >> 8);
	bin[10] = (unsigned char)t->purposes;
	bin[11] = (unsigned char)t->lang[0];
	bin[12] = (unsigned char)t->lang[1];
}

/* A token of the given body signed properly under secret, built here with
 * libsodium's HMAC rather than token_make, so that bodies token_make will
 * not write can be tried. */
static void
sign_here(const unsigned char *bin13, char out[TOKEN_MAX])
{
	unsigned char bin[BIN_LEN], mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state h;

	memcpy(bin, bin13, BODY_LEN);
	crypto_auth_hmacsha256_init(&h, secret, SECRET_LEN);
	crypto_auth_hmacsha256_update(&h, bin, BODY_LEN);
	crypto_auth_hmacsha256_final(&h, mac);
	memcpy(bin + BODY_LEN, mac, MAC_LEN);
	sodium_bin2base64(out, TOKEN_MAX, bin, sizeof bin, B64);
}

static void
test_forged(void)
{
	struct token t = mk(TOKEN_REQUEST, 0x01020304, 1796126400, 0x0005,
	    "nb"), got;
	unsigned char bin[BIN_LEN], mac[crypto_auth_hmacsha256_BYTES];
	char tok[TOKEN_MAX], forged[TOKEN_MAX];
	crypto_auth_hmacsha256_state h;

	/* Computed with Python: the body of the first fixed token and 16
	 * zero bytes. */
	ok(token_verify(secret, SECRET_LEN,
	    "EQECAwRrDrbAAAVuYgAAAAAAAAAAAAAAAAAAAAA", &got) == -1,
	    "a forged token with a MAC of zeros fails");

	body_of(&t, 1, 1, bin);
	memset(bin + BODY_LEN, 0, MAC_LEN);
	sodium_bin2base64(forged, sizeof forged, bin, sizeof bin, B64);
	ok(strcmp(forged, "EQECAwRrDrbAAAVuYgAAAAAAAAAAAAAAAAAAAAA") == 0,
	    "the forgery built here is the one computed with Python");
	sign_here(bin, forged);
	make_checked(secret, SECRET_LEN, &t, tok);
	ok(strcmp(forged, tok) == 0, "the body signed here is token_make's");

	/* The other half of the full MAC. */
	crypto_auth_hmacsha256_init(&h, secret, SECRET_LEN);
	crypto_auth_hmacsha256_update(&h, bin, BODY_LEN);
	crypto_auth_hmacsha256_final(&h, mac);
	memcpy(bin + BODY_LEN, mac + MAC_LEN, MAC_LEN);
	sodium_bin2base64(forged, sizeof forged, bin, sizeof bin, B64);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a token with the last 16 bytes of the MAC fails");
	/* All ones. */
	memset(bin + BODY_LEN, 0xff, MAC_LEN);
	sodium_bin2base64(forged, sizeof forged, bin, sizeof bin, B64);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a forged token with a MAC of ones fails");
	/* A valid MAC moved onto another body. */
	make_checked(secret, SECRET_LEN, &t, tok);
	sodium_base642bin(bin, sizeof bin, tok, TOKEN_LEN, NULL, NULL, NULL,
	    B64);
	bin[4] ^= 0x01;
	sodium_bin2base64(forged, sizeof forged, bin, sizeof bin, B64);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a valid MAC on a changed subject fails");

	/* Properly signed, but not what token_make writes. */
	body_of(&t, 0, 1, bin);
	sign_here(bin, forged);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a signed token of version 0 fails");
	body_of(&t, 2, 1, bin);
	sign_here(bin, forged);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a signed token of version 2 fails");
	body_of(&t, 1, 0, bin);
	sign_here(bin, forged);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a signed token of kind 0 fails");
	body_of(&t, 1, 3, bin);
	sign_here(bin, forged);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a signed token of kind 3 fails");
	body_of(&t, 1, 1, bin);
	bin[11] = 'N';
	sign_here(bin, forged);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a signed token with language \"Nb\" fails");
	body_of(&t, 1, 1, bin);
	bin[12] = '\0';
	sign_here(bin, forged);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == -1,
	    "a signed token with language \"n\\0\" fails");
	body_of(&t, 1, 2, bin);
	sign_here(bin, forged);
	ok(token_verify(secret, SECRET_LEN, forged, &got) == 0 &&
	    got.kind == TOKEN_CUSTOMER && got.subject == t.subject,
	    "a body signed here of kind 2 verifies as a customer's");
}

/* --- refusals by token_make ------------------------------------------ */

static void
test_refuse(void)
{
	static const char *const badlangs[] = { "NB", "Nb", "nB", "n", "",
	    "1a", "a1", "n-", "\xe6\xf8" };
	static const int64_t badexp[] = { -1, INT64_MIN,
	    (int64_t)UINT32_MAX + 1, INT64_MAX };
	struct token t;
	char out[TOKEN_MAX];
	size_t i;

	for (i = 0; i < sizeof badlangs / sizeof badlangs[0]; i++) {
		t = mk(TOKEN_REQUEST, 1, 1796126400, 1, badlangs[i]);
		ok(token_make(secret, SECRET_LEN, &t, out) == -1,
		    "token_make refuses language \"%s\"", badlangs[i]);
	}
	/* "nbo" does not fit lang[3] with its NUL: three letters and no
	 * terminator. */
	t = mk(TOKEN_REQUEST, 1, 1796126400, 1, "nb");
	t.lang[2] = 'o';
	ok(token_make(secret, SECRET_LEN, &t, out) == -1,
	    "token_make refuses language \"nbo\"");
	for (i = 0; i < sizeof badexp / sizeof badexp[0]; i++) {
		t = mk(TOKEN_CUSTOMER, 1, badexp[i], 1, "nb");
		ok(token_make(secret, SECRET_LEN, &t, out) == -1,
		    "token_make refuses expiry %lld", (long long)badexp[i]);
	}
	t = mk(TOKEN_CUSTOMER, 1, 0, 1, "nb");
	ok(make_checked(secret, SECRET_LEN, &t, out) == 0,
	    "token_make takes expiry 0");
	t.expires = UINT32_MAX;
	ok(make_checked(secret, SECRET_LEN, &t, out) == 0,
	    "token_make takes expiry %lld", (long long)UINT32_MAX);
	t = mk((enum token_kind)'x', 1, 1796126400, 1, "nb");
	ok(token_make(secret, SECRET_LEN, &t, out) == -1,
	    "token_make refuses an unknown kind");
	t = mk((enum token_kind)0, 1, 1796126400, 1, "nb");
	ok(token_make(secret, SECRET_LEN, &t, out) == -1,
	    "token_make refuses kind 0");
}

int
main(void)
{
	size_t i;

	if (sodium_init() < 0) {
		printf("Bail out! sodium_init failed\n");
		return 1;
	}
	for (i = 0; i < sizeof long_secret; i++)
		long_secret[i] = (unsigned char)i;
	ok(sodium_base64_ENCODED_LEN(BIN_LEN, B64) == TOKEN_MAX &&
	    TOKEN_LEN == 39, "29 bytes are %d characters and a NUL",
	    TOKEN_LEN);
	test_roundtrip();
	test_vectors();
	test_differs();
	test_secret();
	test_flip();
	test_malformed();
	test_forged();
	test_refuse();
	return done_testing();
}
