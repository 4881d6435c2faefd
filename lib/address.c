/* address: e-mail syntax and mobile numbers in E.164.
 *
 * Both checks are what a mail system or an SMS gateway accepts in
 * practice, not the full grammars: quoted local parts, domain literals and
 * comments are refused because no customer register holds them on
 * purpose, and a number is checked for the length its country allows, not
 * for the ranges its operators own. */
#include <stddef.h>
#include <string.h>

#include "address.h"

/* RFC 5321 limits; longer parts are refused by real servers. */
#define LOCAL_MAX 64
#define LABEL_MAX 63
#define E164_DIGITS 15

static int
isblnk(char c)
{
	return c == ' ' || c == '\t';
}

static int
isdig(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
isalnum_ascii(unsigned char c)
{
	return isdig(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Is [s, s+n) well-formed UTF-8?  Non-ASCII bytes are allowed in both
 * parts (RFC 6531 and IDN as UTF-8), but a broken byte is a bad import,
 * not an address. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned long cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2, cp = s[i] & 0x1f, min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3, cp = s[i] & 0x0f, min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4, cp = s[i] & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static int
atext(unsigned char c)
{
	return isalnum_ascii(c) || c >= 0x80 ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int
local_ok(const unsigned char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!atext(s[i])) {
			return 0;
		}
	}
	return 1;
}

static int
domain_ok(const unsigned char *s, size_t n)
{
	size_t i, start = 0, labels = 0;
	int alldigits = 1;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			/* An empty label is a leading, trailing or double dot. */
			if (i == start || i - start > LABEL_MAX ||
			    s[start] == '-' || s[i - 1] == '-')
				return 0;
			labels++;
			if (i < n)
				alldigits = 1;
			start = i + 1;
			continue;
		}
		if (!isalnum_ascii(s[i]) && s[i] != '-' && s[i] < 0x80)
			return 0;
		if (!isdig(s[i]))
			alldigits = 0;
	}
	/* A numeric top label would be an IP address, not a domain. */
	return labels >= 2 && !alldigits;
}

int
email_normalise(const char *in, char *out, size_t outsz)
{
	const unsigned char *p, *e, *at;
	size_t len, i;

	if (in == NULL)
		return -1;
	p = (const unsigned char *)in;
	while (isblnk((char)*p))
		p++;
	e = p + strlen((const char *)p);
	while (e > p && isblnk((char)e[-1]))
		e--;
	len = (size_t)(e - p);
	/* EMAIL_MAX counts the NUL, as E164_MAX does: 254 characters is
	 * also RFC 5321's limit on a path. */
	if (len == 0 || len >= EMAIL_MAX || len >= outsz)
		return -1;
	at = memchr(p, '@', len);
	if (at == NULL || memchr(at + 1, '@', (size_t)(e - at - 1)) != NULL)
		return -1;
	if (!local_ok(p, (size_t)(at - p)) ||
	    !domain_ok(at + 1, (size_t)(e - at - 1)) || !utf8_ok(p, len))
		return -1;
	for (i = 0; i < len; i++)
		out[i] = lower((char)p[i]);
	out[len] = '\0';
	return 0;
}

/* A national significant number of min..max digits after the calling
 * code; trunk is the national prefix dropped before it, or 0. */
struct country {
	char iso[3];
	const char *code;
	char trunk;
	int min, max;
};

/* Calling codes are prefix-free (ITU-T E.164), so the first code that
 * starts a number is its code. */
static const struct country countries[] = {
	{ "NO", "47", 0, 8, 8 },
	{ "SE", "46", '0', 7, 9 },
	{ "DK", "45", 0, 8, 8 },
	{ "FI", "358", '0', 5, 10 },
	{ "IS", "354", 0, 7, 7 },
	{ "DE", "49", '0', 6, 13 },
	{ "GB", "44", '0', 10, 10 },
	/* North American area codes never start with 1, so a leading 1 is
	 * always the trunk prefix of "1-555-123-4567". */
	{ "US", "1", '1', 10, 10 },
	{ "NL", "31", '0', 9, 9 },
	{ "PL", "48", 0, 9, 9 },
	{ "EE", "372", 0, 7, 8 },
	{ "LT", "370", 0, 8, 8 },
	{ "LV", "371", 0, 8, 8 },
};

#define NCOUNTRIES (sizeof countries / sizeof countries[0])

static const struct country *
country_by_iso(const char *iso)
{
	size_t i;

	if (iso == NULL || iso[0] == '\0' || iso[1] == '\0' || iso[2] != '\0')
		return NULL;
	for (i = 0; i < NCOUNTRIES; i++)
		if ((iso[0] & ~0x20) == countries[i].iso[0] &&
		    (iso[1] & ~0x20) == countries[i].iso[1])
			return &countries[i];
	return NULL;
}

static const struct country *
country_by_code(const char *digits)
{
	size_t i, n;

	for (i = 0; i < NCOUNTRIES; i++) {
		n = strlen(countries[i].code);
		if (strncmp(digits, countries[i].code, n) == 0)
			return &countries[i];
	}
	return NULL;
}

int
country_known(const char *country)
{
	return country_by_iso(country) != NULL;
}

int
mobile_normalise(const char *in, const char *country, char *out,
    size_t outsz)
{
	/* One more than E.164 allows, plus a trunk digit and "00", so that
	 * a long number is refused by its length rule, not silently cut. */
	char digits[E164_DIGITS + 4];
	const char *nat, *code;
	const struct country *c;
	size_t n = 0, natlen, codelen;
	int intl = 0, paren = 0;

	if (in == NULL)
		return -1;
	while (isblnk(*in))
		in++;
	if (*in == '+') {
		intl = 1;
		in++;
	}
	for (; *in != '\0'; in++) {
		if (isdig((unsigned char)*in)) {
			if (n == sizeof digits - 1)
				return -1;
			digits[n++] = *in;
		} else if (*in == '(') {
			if (paren)
				return -1;
			paren = 1;
		} else if (*in == ')') {
			if (!paren)
				return -1;
			paren = 0;
		} else if (!isblnk(*in) && *in != '-' && *in != '.') {
			return -1;
		}
	}
	digits[n] = '\0';
	if (paren || n == 0)
		return -1;
	nat = digits;
	if (!intl && n >= 2 && digits[0] == '0' && digits[1] == '0') {
		intl = 1;
		nat += 2;
	}
	/* No calling code starts with 0: "+0..." and "000..." are typing
	 * errors. */
	if (intl && (*nat == '\0' || *nat == '0'))
		return -1;
	if (intl && (c = country_by_code(nat)) == NULL) {
		code = "";
	} else if (!intl && (c = country_by_iso(country)) == NULL) {
		return -1;
	} else {
		code = c->code;
		if (intl)
			nat += strlen(code);
		/* "+46 (0)70..." and "+46 070..." carry the trunk 0 too. */
		if (c->trunk != 0 && *nat == c->trunk)
			nat++;
		/* A second one is no number: "+49 0012..." would come out
		 * as "+49012...", which is not the same number read again
		 * (found by tests/fuzz/address). */
		if (c->trunk != 0 && *nat == c->trunk)
			return -1;
	}
	natlen = strlen(nat);
	if (c == NULL ? natlen < 8 || natlen > E164_DIGITS :
	    natlen < (size_t)c->min || natlen > (size_t)c->max)
		return -1;
	codelen = strlen(code);
	if (codelen + natlen > E164_DIGITS || 1 + codelen + natlen >= outsz)
		return -1;
	out[0] = '+';
	memcpy(out + 1, code, codelen);
	memcpy(out + 1 + codelen, nat, natlen + 1);
	return 0;
}
