/* Unit tests of lib/mail, as TAP on stdout.  What the encoders write is
 * read back here by decoders of the test's own (base64 by libsodium,
 * quoted-printable, unfolding and encoded-words below), and the fixed
 * dates and the one fixed encoded-word were computed with Python's
 * datetime and base64. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "mail.h"
#include "tap.h"
#include "util.h"

#define LINE 76
#define WORD 75

/* A text as one TAP comment, control bytes escaped (tap.h's diag() keeps
 * a text's lines as they are). */
static void
diag_line(const char *what, const char *s)
{
	fputs("# ", stdout);
	fputs(what, stdout);
	fputs(": ", stdout);
	tap_line(s);
}

static void __attribute__((format(printf, 3, 4)))
is(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	char desc[512];

	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	ok(strcmp(got, want) == 0, "%s", desc);
	if (strcmp(got, want) != 0) {
		diag_line("got ", got);
		diag_line("want", want);
	}
}

/* --- decoders of the test's own ------------------------------------- */

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF,
 * no sequence cut short. */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	uint32_t c;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, c = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, c = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, c = s[i] & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

/* Every line ends in CRLF (the last one too when crlf_end), no CR or LF
 * stands alone, and no line is longer than max. */
static int
lines_ok(const char *s, size_t n, size_t max, int crlf_end)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n') {
				printf("# bare CR at byte %zu\n", i);
				return 0;
			}
			i++;
			col = 0;
		} else if (s[i] == '\n') {
			printf("# bare LF at byte %zu\n", i);
			return 0;
		} else if (++col > max) {
			printf("# line longer than %zu at byte %zu\n", max, i);
			return 0;
		}
	}
	if (crlf_end && (n < 2 || s[n - 1] != '\n')) {
		printf("# no CRLF at the end\n");
		return 0;
	}
	return 1;
}

/* Decode one "=?UTF-8?B?...?=" of n characters onto out: 0, or -1 when
 * it is not one, is longer than WORD or is not whole UTF-8 on its own. */
static int
decode_word(const char *w, size_t n, struct buf *out)
{
	unsigned char bin[WORD];
	size_t binlen;

	if (n > WORD || n < 12 || strncmp(w, "=?UTF-8?B?", 10) != 0 ||
	    strncmp(w + n - 2, "?=", 2) != 0) {
		printf("# not an encoded-word of at most %d: %.*s\n", WORD,
		    (int)n, w);
		return -1;
	}
	if (sodium_base642bin(bin, sizeof bin, w + 10, n - 12, NULL, &binlen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		printf("# bad base64: %.*s\n", (int)n, w);
		return -1;
	}
	if (!utf8_valid(bin, binlen)) {
		printf("# a word is not whole UTF-8 on its own: %.*s\n",
		    (int)n, w);
		return -1;
	}
	buf_add(out, bin, binlen);
	return 0;
}

/* Check a header field written for name: lines, the "Name:" start, SP at
 * the start of every continuation line, and decode its value when it is
 * encoded-words.  *words gets their number, and *rest points past the
 * last word in the unfolded text (the "<addr>" of an address).  0 or -1;
 * the unfolded field is left in unfolded. */
static int
decode_field(const char *field, const char *name, struct buf *out,
    int *words, struct buf *unfolded, const char **rest)
{
	size_t n = strlen(field), nlen = strlen(name), i;
	const char *p, *q;

	*words = 0;
	if (!lines_ok(field, n, LINE, 1))
		return -1;
	if (strncmp(field, name, nlen) != 0 || field[nlen] != ':') {
		diag_line("does not begin with the name", field);
		return -1;
	}
	buf_reset(unfolded);
	buf_adds(unfolded, "");
	for (i = nlen + 1; i < n - 2; i++) {
		if (field[i] == '\r') {
			if (field[i + 2] != ' ' || field[i + 3] == ' ') {
				diag_line("bad continuation line", field);
				return -1;
			}
			i++;
			continue;
		}
		buf_addc(unfolded, field[i]);
	}
	for (p = unfolded->s; *p == ' '; p++)
		;
	while (strncmp(p, "=?", 2) == 0) {
		for (q = p; *q != '\0' && *q != ' '; q++)
			;
		if (decode_word(p, (size_t)(q - p), out) != 0)
			return -1;
		++*words;
		for (p = q; *p == ' '; p++)
			;
	}
	*rest = p;
	return 0;
}

/* Check that field is name's header holding text as encoded-words. */
static int
text_decodes(const char *field, const char *name, const char *text,
    int *words)
{
	struct buf dec = { 0 }, unf = { 0 };
	const char *rest;
	int r;

	buf_adds(&dec, "");
	r = decode_field(field, name, &dec, words, &unf, &rest) == 0 &&
	    *rest == '\0' && strcmp(dec.s, text) == 0;
	if (!r)
		diag_line("field", field);
	buf_free(&dec);
	buf_free(&unf);
	return r;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode quoted-printable onto out: CRLF is a hard break ("\n"), "="
 * before CRLF a soft one.  Besides the decoding, check what the encoder
 * promises: lines of at most LINE, "=" only as =XX (upper-case hex) or a
 * soft break, literal characters printable ASCII or a tab, no blank
 * before a line end and no line that begins "." or "From ".  0 or -1. */
static int
qp_decode(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, bol = 0;
	int hi, lo;

	buf_adds(out, "");
	if (!lines_ok(s, n, LINE, 0))
		return -1;
	for (i = 0; i < n; i++) {
		if (i == bol && (s[i] == '.' ||
		    (n - i >= 5 && memcmp(s + i, "From ", 5) == 0))) {
			printf("# a line begins with \".\" or \"From \"\n");
			return -1;
		}
		if (s[i] == '\r') {
			if (i > bol && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
				printf("# a blank before a line end\n");
				return -1;
			}
			buf_addc(out, '\n');
			bol = ++i + 1;
		} else if (s[i] == '=' && n - i >= 3 && s[i + 1] == '\r') {
			i += 2;
			bol = i + 1;
		} else if (s[i] == '=') {
			if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				printf("# a bad escape at byte %zu\n", i);
				return -1;
			}
			buf_addc(out, (char)(hi << 4 | lo));
			i += 2;
		} else if ((s[i] < ' ' && s[i] != '\t') || s[i] > '~') {
			printf("# a literal byte %#x\n", (unsigned char)s[i]);
			return -1;
		} else
			buf_addc(out, s[i]);
	}
	if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
		printf("# a blank at the end\n");
		return -1;
	}
	return 0;
}

/* mail_qp of text decodes back to text with its CRLFs as LFs. */
static int
qp_round(const char *text, size_t n)
{
	struct buf enc = { 0 }, dec = { 0 }, want = { 0 };
	size_t i;
	int r;

	buf_adds(&enc, "");
	buf_adds(&want, "");
	for (i = 0; i < n; i++)
		if (!(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n'))
			buf_addc(&want, text[i]);
	mail_qp(&enc, text, n);
	r = qp_decode(enc.s, enc.len, &dec) == 0 && dec.len == want.len &&
	    memcmp(dec.s, want.s, want.len) == 0;
	if (!r)
		diag_line("qp", enc.s);
	buf_free(&enc);
	buf_free(&dec);
	buf_free(&want);
	return r;
}

/* --- dates ---------------------------------------------------------- */

static void
test_date(void)
{
	static const struct {
		int64_t t;
		const char *want;
	} v[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ -1, "Wed, 31 Dec 1969 23:59:59 +0000" },
		{ 1796126400, "Tue, 01 Dec 2026 12:00:00 +0000" },
		{ 1709251199, "Thu, 29 Feb 2024 23:59:59 +0000" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ -2203891201, "Wed, 28 Feb 1900 23:59:59 +0000" },
		{ -2203891200, "Thu, 01 Mar 1900 00:00:00 +0000" },
		{ 2147483648, "Tue, 19 Jan 2038 03:14:08 +0000" },
		{ -2208988800, "Mon, 01 Jan 1900 00:00:00 +0000" },
		{ 253402300799, "Fri, 31 Dec 9999 23:59:59 +0000" },
		{ INT64_MIN, "Mon, 01 Jan 1900 00:00:00 +0000" },
		{ INT64_MAX, "Fri, 31 Dec 9999 23:59:59 +0000" },
	};
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char got[MAIL_DATE_MAX], want[64];
	size_t i;
	int64_t t;
	time_t tt;
	struct tm tm;
	int all = 1;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		memset(got, 'x', sizeof got);
		mail_date(got, v[i].t);
		is(got, v[i].want, "mail_date(%lld)", (long long)v[i].t);
	}
	/* Against the C library's calendar, with names of our own, over
	 * 1900-9999 in steps that land on every time of day. */
	if (sizeof(time_t) < 8) {
		ok(1, "# SKIP 32-bit time_t");
		return;
	}
	for (t = -2208988800; t <= 253402300799; t += 9999991) {
		tt = (time_t)t;
		gmtime_r(&tt, &tm);
		snprintf(want, sizeof want, "%s, %02d %s %04d %02d:%02d:%02d "
		    "+0000", wd[tm.tm_wday], tm.tm_mday, mo[tm.tm_mon],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		mail_date(got, t);
		if (strcmp(got, want) != 0) {
			printf("# %lld: %s, gmtime says %s\n", (long long)t,
			    got, want);
			all = 0;
		}
	}
	ok(all, "mail_date agrees with gmtime_r over 1900-9999");
}

/* --- unstructured headers ------------------------------------------- */

static void
test_text(void)
{
	static const char nordic[] = "Samtykke: bl\xc3\xa5\x62\xc3\xa6rsyltet"
	    "\xc3\xb8y p\xc3\xa5 \xc3\x85land, \xc3\x86r\xc3\xb8 og "
	    "\xc3\x98land \xe2\x80\x93 sm\xc3\xb6rg\xc3\xa5sbord i "
	    "\xc3\x84ngelholm och \xc3\x96rebro, p\xc3\xa4\xc3\xa4sy "
	    "\xc3\xa4\xc3\xb6\xc3\x84\xc3\x96\xc3\x86\xc3\x98\xc3\x85 "
	    "\xf0\x9f\xab\x90\xf0\x9f\x8d\x93 takk!";
	struct buf b = { 0 };
	char longascii[120];
	int words, r;

	mail_header_text(&b, "Subject", "Hello world");
	is(b.s, "Subject: Hello world\r\n", "short ASCII subject unencoded");
	buf_reset(&b);
	mail_header_text(&b, "Subject", "Samtykke (sv. samtycke) - 1/2 "
	    "<post@bil.example> & \"oss\"");
	is(b.s, "Subject: Samtykke (sv. samtycke) - 1/2 "
	    "<post@bil.example> & \"oss\"\r\n",
	    "ASCII with specials that fits is unencoded");
	buf_reset(&b);
	mail_header_text(&b, "Subject", "");
	is(b.s, "Subject:\r\n", "empty subject");

	buf_reset(&b);
	mail_header_text(&b, "Subject", "see =?UTF-8?B?QQ==?= here");
	ok(strncmp(b.s, "Subject: =?UTF-8?B?", 19) == 0 &&
	    text_decodes(b.s, "Subject", "see =?UTF-8?B?QQ==?= here", &words),
	    "ASCII holding \"=?\" is encoded and decodes back");
	buf_reset(&b);
	mail_header_text(&b, "Subject", " padded ");
	ok(text_decodes(b.s, "Subject", " padded ", &words),
	    "leading and trailing blanks kept by encoding");
	buf_reset(&b);
	mail_header_text(&b, "Subject", "trailing ");
	ok(text_decodes(b.s, "Subject", "trailing ", &words),
	    "a trailing blank alone is kept by encoding too");

	memset(longascii, 'a', sizeof longascii - 1);
	longascii[sizeof longascii - 1] = '\0';
	longascii[40] = ' ';
	buf_reset(&b);
	mail_header_text(&b, "Subject", longascii);
	r = text_decodes(b.s, "Subject", longascii, &words);
	ok(r && words >= 2, "ASCII too long for the line is encoded in %d "
	    "words", words);
	/* The longest that fits: 76 - strlen("Subject: "). */
	longascii[67] = '\0';
	buf_reset(&b);
	mail_header_text(&b, "Subject", longascii);
	ok(strlen(b.s) == 78 && strchr(b.s, '?') == NULL,
	    "ASCII of 67 characters fits Subject's line unencoded");
	longascii[67] = 'a';
	longascii[68] = '\0';
	buf_reset(&b);
	mail_header_text(&b, "Subject", longascii);
	ok(text_decodes(b.s, "Subject", longascii, &words),
	    "ASCII of 68 characters is encoded");

	buf_reset(&b);
	mail_header_text(&b, "Subject", nordic);
	r = text_decodes(b.s, "Subject", nordic, &words);
	ok(r && words >= 3,
	    "Nordic letters and emoji: lines <= 76, %d words <= 75, each "
	    "whole UTF-8, decoding to the subject", words);
	buf_reset(&b);
	mail_header_text(&b, "Subject", "\xc3\xa6\xc3\xb8\xc3\xa5");
	is(b.s, "Subject: =?UTF-8?B?w6bDuMOl?=\r\n", "\"\xc3\xa6\xc3\xb8"
	    "\xc3\xa5\" is one word");
	/* The first word could take 39 bytes; the blank at 30 is in its
	 * second half. */
	buf_reset(&b);
	mail_header_text(&b, "Subject", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
	    "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
	    "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
	    "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6");
	is(b.s, "Subject: "
	    "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh?=\r\n "
	    "=?UTF-8?B?IMOmw6bDpsOmw6bDpsOmw6bDpsOmw6bDps"
	    "Omw6bDpsOmw6bDpsOmw6Y=?=\r\n",
	    "words are cut before a blank of the text, the blank going with "
	    "the second");
	buf_reset(&b);
	mail_header_text(&b, "Subject", "line\r\nBcc: x@y.example");
	ok(text_decodes(b.s, "Subject", "line\r\nBcc: x@y.example", &words),
	    "a CRLF in the text stays inside a word (no header injection)");
	buf_free(&b);
}

/* Letters of 2, 3 and 4 bytes, in an order whose period is not a
 * multiple of 3, so that the words' 3-byte groups meet every kind of
 * cut. */
static const char *const letters[] = {
	"\xc3\xa6", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3\xb8",
	"\xc3\xa5", "\xe1\xba\x9e", "\xf0\x9d\x84\x9e", "\xc3\x84",
	"\xe2\x9c\x93", "\xc3\x96", "\xf0\x9f\xab\x90"
};
#define NLETTERS (sizeof letters / sizeof letters[0])

/* Header names that leave the first line room for words of 39 bytes
 * (Subject), 45 (X), 6, 3 and none: a 4-byte letter fits the line of
 * the third, only a shorter one that of the fourth. */
static const size_t namelens[] = { 7, 1, 54, 57, 62 };
#define NNAMES (sizeof namelens / sizeof namelens[0])

static void
test_text_lengths(void)
{
	char names[NNAMES][64];
	struct buf text = { 0 }, b = { 0 };
	size_t len, pad, k, i;
	int all, words;

	for (k = 0; k < NNAMES; k++) {
		memset(names[k], 'a', namelens[k]);
		memcpy(names[k], "X-", 2);
		names[k][namelens[k]] = '\0';
	}
	strcpy(names[0], "Subject");
	strcpy(names[1], "X");
	for (len = 1; len <= 200; len++) {
		all = 1;
		for (pad = 0; pad < 3; pad++) {
			buf_reset(&text);
			buf_adds(&text, "");
			for (i = 0; i < pad; i++)
				buf_addc(&text, 'a');
			for (i = 0; i < len; i++)
				buf_adds(&text, letters[i % NLETTERS]);
			for (k = 0; k < NNAMES; k++) {
				buf_reset(&b);
				mail_header_text(&b, names[k], text.s);
				if (!text_decodes(b.s, names[k], text.s,
				    &words))
					all = 0;
			}
		}
		ok(all, "a subject of %zu letters (and 1, 2 more bytes), "
		    "%zu header names: limits hold, decodes back", len,
		    NNAMES);
	}
	buf_free(&text);
	buf_free(&b);
}

/* --- address headers ------------------------------------------------ */

static void
test_address(void)
{
	static const char blue[] = "Bj\xc3\xb8rn \xc3\x86r\xc3\xb8";
	struct buf b = { 0 }, dec = { 0 }, unf = { 0 }, name = { 0 };
	const char *rest;
	int words, i, r;

	mail_header_address(&b, "From", "Kari \"Kula\" Nord\\mann",
	    "kari@example.no");
	is(b.s,
	    "From: \"Kari \\\"Kula\\\" Nord\\\\mann\" <kari@example.no>\r\n",
	    "ASCII name with a quote and a backslash as a quoted-string");
	buf_reset(&b);
	mail_header_address(&b, "From", "Bil AS", "post@bil.example");
	is(b.s, "From: \"Bil AS\" <post@bil.example>\r\n", "plain ASCII name");
	buf_reset(&b);
	mail_header_address(&b, "To", blue, "bjorn@example.no");
	is(b.s, "To: =?UTF-8?B?QmrDuHJuIMOGcsO4?= <bjorn@example.no>\r\n",
	    "non-ASCII name as an encoded-word");
	buf_reset(&b);
	mail_header_address(&b, "To", NULL, "kari@example.no");
	is(b.s, "To: kari@example.no\r\n", "no name (NULL)");
	buf_reset(&b);
	mail_header_address(&b, "To", "", "kari@example.no");
	is(b.s, "To: kari@example.no\r\n", "no name (\"\")");

	buf_adds(&name, "");
	for (i = 0; i < 60; i++)
		buf_adds(&name, letters[i % NLETTERS]);
	buf_reset(&b);
	buf_adds(&dec, "");
	mail_header_address(&b, "To", name.s,
	    "a.rather.long.address.of.someone@subdomain.example.no");
	r = decode_field(b.s, "To", &dec, &words, &unf, &rest);
	ok(r == 0 && strcmp(dec.s, name.s) == 0 && words >= 3 && strcmp(rest,
	    "<a.rather.long.address.of.someone@subdomain.example.no>") == 0,
	    "a long non-ASCII name: %d words, lines <= 76, then the address",
	    words);

	buf_reset(&name);
	for (i = 0; i < 70; i++)
		buf_addc(&name, (char)('a' + i % 26));
	buf_reset(&b);
	buf_reset(&dec);
	mail_header_address(&b, "From", name.s, "post@bil.example");
	ok(decode_field(b.s, "From", &dec, &words, &unf, &rest) == 0 &&
	    strcmp(dec.s, name.s) == 0 && words >= 1 &&
	    strcmp(rest, "<post@bil.example>") == 0,
	    "an ASCII name too long to quote on the line is encoded");
	buf_reset(&b);
	buf_reset(&dec);
	mail_header_address(&b, "From", "=?UTF-8?B?QQ==?=", "p@b.example");
	ok(decode_field(b.s, "From", &dec, &words, &unf, &rest) == 0 &&
	    strcmp(dec.s, "=?UTF-8?B?QQ==?=") == 0,
	    "a name that looks like an encoded-word is encoded");
	buf_free(&b);
	buf_free(&dec);
	buf_free(&unf);
	buf_free(&name);
}

/* --- quoted-printable ----------------------------------------------- */

static void
qp_is(const char *text, const char *want, const char *desc)
{
	struct buf b = { 0 };

	buf_adds(&b, "");
	mail_qp(&b, text, strlen(text));
	is(b.s, want, "qp: %s", desc);
	buf_free(&b);
}

static void
test_qp(void)
{
	struct buf line = { 0 }, b = { 0 };
	size_t len, i, k, nl;
	int all;

	qp_is("a=b\n", "a=3Db\r\n", "'=' escaped");
	qp_is("trailing \n", "trailing=20\r\n", "a trailing space escaped");
	qp_is("tab\t\nmid\tdle\n", "tab=09\r\nmid\tdle\r\n",
	    "a trailing tab escaped, another kept");
	qp_is("mid space ok\n", "mid space ok\r\n", "inner blanks kept");
	qp_is("end ", "end=20", "a blank at the end of the text escaped");
	qp_is("\xc3\xa6\xc3\xb8\xc3\xa5 \xc3\x86\xc3\x98\xc3\x85 "
	    "\xc3\xa4\xc3\xb6\n", "=C3=A6=C3=B8=C3=A5 =C3=86=C3=98=C3=85 "
	    "=C3=A4=C3=B6\r\n", "multi-byte letters escaped");
	qp_is("From here\nFromage\n>From x\nFrom\n",
	    "=46rom here\r\nFromage\r\n>From x\r\nFrom\r\n",
	    "\"From \" at a line's start escaped, nothing else");
	qp_is(".\n..x\na.\n", "=2E\r\n=2E.x\r\na.\r\n",
	    "'.' at a line's start escaped");
	qp_is("a\nb\n", "a\r\nb\r\n", "LF turned into CRLF");
	qp_is("a\r\nb\r\n", "a\r\nb\r\n", "CRLF kept");
	qp_is("a\n\nb", "a\r\n\r\nb", "an empty line; no break added");
	qp_is("bell\a\x7f a\rb\n", "bell=07=7F a=0Db\r\n",
	    "control characters and a lone CR escaped");
	qp_is("", "", "empty text");

	buf_adds(&line, "");
	for (i = 0; i < 200; i++)
		buf_addc(&line, 'a');
	buf_addc(&line, '\n');
	buf_adds(&b, "");
	mail_qp(&b, line.s, line.len);
	for (i = nl = 0; i < b.len; i++)
		nl += b.s[i] == '\n';
	ok(qp_round(line.s, line.len) && nl == 3 &&
	    strncmp(b.s + 75, "=\r\n", 3) == 0,
	    "a 200-character line: soft-broken after 75, 3 lines <= 76, "
	    "decodes back");
	buf_reset(&line);
	for (i = 0; i < 200; i++)
		buf_adds(&line, letters[i % NLETTERS]);
	ok(qp_round(line.s, line.len), "200 letters of 2-4 bytes on a line: "
	    "no =XX split, decodes back");

	/* Every alignment of a soft break against ".", "From ", '=', blanks
	 * and letters. */
	all = 1;
	for (len = 0; len <= 200; len++) {
		static const char *const tails[] = { ".x", "From x", "=",
		    " ", "\t", " x", "\xc3\xa6", "\xf0\x9f\x98\x80", "" };

		for (k = 0; k < sizeof tails / sizeof tails[0]; k++) {
			buf_reset(&line);
			for (i = 0; i < len; i++)
				buf_addc(&line, i % 7 == 6 ? '=' : 'a');
			buf_adds(&line, tails[k]);
			buf_adds(&line, tails[k]);
			buf_addc(&line, '\n');
			if (!qp_round(line.s, line.len))
				all = 0;
			/* The same without a last newline. */
			if (!qp_round(line.s, line.len - 1))
				all = 0;
		}
	}
	ok(all, "lines of 0-200 characters and every awkward tail: lines "
	    "<= 76, nothing split, no line starting \".\" or \"From \", "
	    "decode back");
	buf_free(&line);
	buf_free(&b);
}

/* --- whole messages ------------------------------------------------- */

static const char *const order[] = { "Date", "From", "To", "Subject",
    "Message-ID", "MIME-Version", "Content-Type",
    "Content-Transfer-Encoding", "X-Consent-Request", "List-Id" };
#define NORDER (sizeof order / sizeof order[0])

/* The fields of a message's header, each with its continuation lines,
 * into f[]; the body's start in *body.  The number of fields, or -1. */
static int
split_header(const char *msg, char f[][1024], int max, const char **body)
{
	const char *p = msg, *e;
	int n = -1;

	while ((e = strstr(p, "\r\n")) != NULL && e != p) {
		if (*p != ' ' && ++n >= max)
			return -1;
		if (n < 0 || strlen(f[n]) + (size_t)(e - p) + 3 > 1024)
			return -1;
		strncat(f[n], p, (size_t)(e - p) + 2);
		p = e + 2;
	}
	if (e == NULL)
		return -1;
	*body = e + 2;
	return n + 1;
}

static void
test_build(void)
{
	static const char subject[] = "Kan vi sende deg nyhetsbrev? Svar "
	    "gjerne, bl\xc3\xa5\x62\xc3\xa6rsyltet\xc3\xb8y og sm\xc3\xb6rg"
	    "\xc3\xa5s \xf0\x9f\xab\x90";
	static const char body[] = "Hei Bj\xc3\xb8rn,\n\nFrom now on we ask "
	    "first.\n.\nA line with a trailing space \n"
	    "A very long line that goes on and on about consent, purposes, "
	    "newsletters, SMS and what not, and past 76 columns =) "
	    "\xc3\xa6\xc3\xb8\xc3\xa5\n-- \nBil AS";
	struct mail m = {
		"Bil AS \xe2\x80\x93 Kundeservice", "post@bil.example",
		"Bj\xc3\xb8rn \xc3\x86r\xc3\xb8", "bjorn@example.no", subject,
		body, "r42.Ab3x@bil.example", 1796126400,
		"X-Consent-Request: 42\r\nList-Id: <nyhetsbrev.bil.example>\r\n"
	};
	struct buf b = { 0 }, dec = { 0 }, want = { 0 };
	static char f[16][1024];
	const char *bodyp = NULL;
	int n, i, inorder, words;
	size_t len;

	mail_build(&b, &m);
	ok(lines_ok(b.s, b.len, LINE, 1), "mail_build: CRLF everywhere, "
	    "no bare CR or LF, no line over 76");
	n = split_header(b.s, f, 16, &bodyp);
	inorder = n == (int)NORDER;
	for (i = 0; inorder && i < n; i++) {
		len = strlen(order[i]);
		if (strncmp(f[i], order[i], len) != 0 || f[i][len] != ':')
			inorder = 0;
	}
	ok(inorder, "mail_build: %d header fields, in the order Date, From, "
	    "To, Subject, Message-ID, MIME-Version, Content-Type, "
	    "Content-Transfer-Encoding, extra", n);
	if (!inorder)
		diag_line("message", b.s);
	if (n != (int)NORDER)
		return;
	is(f[0], "Date: Tue, 01 Dec 2026 12:00:00 +0000\r\n", "Date");
	ok(text_decodes(f[3], "Subject", subject, &words),
	    "Subject decodes back");
	is(f[4], "Message-ID: <r42.Ab3x@bil.example>\r\n", "Message-ID");
	is(f[5], "MIME-Version: 1.0\r\n", "MIME-Version");
	is(f[6], "Content-Type: text/plain; charset=UTF-8\r\n",
	    "Content-Type");
	is(f[7], "Content-Transfer-Encoding: quoted-printable\r\n",
	    "Content-Transfer-Encoding");
	is(f[8], "X-Consent-Request: 42\r\n", "extra, first line");
	is(f[9], "List-Id: <nyhetsbrev.bil.example>\r\n", "extra, second line");
	ok(strstr(b.s, "\r\n\r\n") == bodyp - 4,
	    "one blank line between header and body");
	buf_adds(&want, body);
	buf_addc(&want, '\n');
	ok(qp_decode(bodyp, strlen(bodyp), &dec) == 0 &&
	    strcmp(dec.s, want.s) == 0,
	    "the body decodes to the text and its added last newline");

	buf_reset(&b);
	m.body = NULL;
	m.subject = NULL;
	m.extra = NULL;
	m.from_name = NULL;
	mail_build(&b, &m);
	len = strlen(b.s);
	ok(len > 4 && strcmp(b.s + len - 4, "\r\n\r\n") == 0 &&
	    strstr(b.s, "\r\nSubject:\r\n") != NULL &&
	    strstr(b.s, "\r\nFrom: post@bil.example\r\n") != NULL &&
	    lines_ok(b.s, b.len, LINE, 1),
	    "no body, subject, extra or sender's name");
	buf_free(&b);
	buf_free(&dec);
	buf_free(&want);
}

/* --- mbox ----------------------------------------------------------- */

static void
test_mbox(void)
{
	static const char crlf[] = "Subject: x\r\n\r\nFrom here\r\n>From "
	    "there\r\n>>From far\r\nFromage\r\nFrom\r\n> From\r\n\r\nend\r\n";
	static const char lf[] = "Subject: x\n\nFrom here\n>From there\n"
	    ">>From far\nFromage\nFrom\n> From\n\nend\n";
	static const char want[] = "From post@bil.example Thu Jan  1 "
	    "00:00:00 1970\nSubject: x\n\n>From here\n>>From there\n"
	    ">>>From far\nFromage\nFrom\n> From\n\nend\n\n";
	struct buf b = { 0 };

	mail_mbox_append(&b, crlf, strlen(crlf), "post@bil.example", 0);
	is(b.s, want, "mbox: From_ line, CRLF to LF, >From quoting, "
	    "an empty line after");
	buf_reset(&b);
	mail_mbox_append(&b, lf, strlen(lf), "post@bil.example", 0);
	is(b.s, want, "mbox: the same from LF lines");
	buf_reset(&b);
	mail_mbox_append(&b, "a: b\r\n\r\nno end", 14, NULL, 1709251199);
	mail_mbox_append(&b, "a: c\n\nFrom x", 12, "", 1796126400);
	is(b.s, "From MAILER-DAEMON Thu Feb 29 23:59:59 2024\na: b\n\nno end\n"
	    "\nFrom MAILER-DAEMON Tue Dec  1 12:00:00 2026\na: c\n\n>From x\n"
	    "\n", "mbox: two messages, no last newline, no sender");
	buf_free(&b);
}

int
main(void)
{
	if (sodium_init() < 0) {
		printf("Bail out! sodium_init failed\n");
		return 1;
	}
	test_date();
	test_text();
	test_text_lengths();
	test_address();
	test_qp();
	test_build();
	test_mbox();
	return done_testing();
}
