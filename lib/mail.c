/* mail: RFC 5322 messages with RFC 2047 headers and a quoted-printable
 * body, and the mboxrd form of them.
 * Base64 is libsodium's (DEVELOPERS.md names it for base64); the
 * calendar is timeutil's. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "mail.h"
#include "timeutil.h"
#include "util.h"

#define MAIL_LINE 76		/* RFC 2045 and 2047: characters a line */
#define WORD_MAX 75		/* RFC 2047: characters an encoded-word */
#define WORD_OVERHEAD 12	/* "=?UTF-8?B?" and "?=" */
#define UTF8_SEQ_MAX 4
#define DAY_SECS INT64_C(86400)
/* 1900-01-01T00:00:00Z and 9999-12-31T23:59:59Z: RFC 5322 wants a year
 * of 1900 or later, and the formats here have four digits for it. */
#define DATE_MIN INT64_C(-2208988800)
#define DATE_MAX INT64_C(253402300799)

static const char hex[] = "0123456789ABCDEF";
static const char wdays[] = "SunMonTueWedThuFriSat";
static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

struct civil {
	int year, mon, day, hour, min, sec, wday;
};

static int
digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Read timeutil's RFC 3339 form back rather than keep a second calendar
 * here. */
static void
civil(int64_t t, struct civil *c)
{
	char s[TIME_RFC3339_LEN];
	int64_t days;

	if (t < DATE_MIN)
		t = DATE_MIN;
	if (t > DATE_MAX)
		t = DATE_MAX;
	time_format(t, s);
	c->year = digits(s, 4);
	c->mon = digits(s + 5, 2);
	c->day = digits(s + 8, 2);
	c->hour = digits(s + 11, 2);
	c->min = digits(s + 14, 2);
	c->sec = digits(s + 17, 2);
	days = t / DAY_SECS - (t % DAY_SECS < 0);
	/* 1 January 1970, day 0, was a Thursday. */
	c->wday = (int)((days % 7 + 11) % 7);
}

void
mail_date(char out[MAIL_DATE_MAX], int64_t t)
{
	struct civil c;

	civil(t, &c);
	snprintf(out, MAIL_DATE_MAX,
	    "%.3s, %02d %.3s %04d %02d:%02d:%02d +0000", wdays + 3 * c.wday,
	    c.day, months + 3 * (c.mon - 1), c.year, c.hour, c.min, c.sec);
}

static void
add_base64(struct buf *out, const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL);

	buf_grow(out, len);
	sodium_bin2base64(out->s + out->len, len, p, n,
	    sodium_base64_VARIANT_ORIGINAL);
	out->len += len - 1;
}

static int
continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* How many of the n bytes at s go into an encoded-word of at most width
 * characters: whole groups of 3 bytes (4 base64 characters, so no padding
 * is wasted in the middle), cut back to the start of a character so that
 * every word decodes to whole characters on its own, as RFC 2047 6.3
 * asks, and back to a blank when there is one in the second half.  0
 * when not even one character fits. */
static size_t
word_take(const char *s, size_t n, size_t width)
{
	size_t max, k, j;

	if (width > WORD_MAX)
		width = WORD_MAX;
	max = width < WORD_OVERHEAD ? 0 : (width - WORD_OVERHEAD) / 4 * 3;
	if (n <= max)
		return n;
	for (k = max; k > 0 && max - k < UTF8_SEQ_MAX && continuation(s[k]);
	    k--)
		;
	/* More continuation bytes than a character has is not UTF-8: cut
	 * anywhere rather than refuse. */
	if (continuation(s[k]))
		return max;
	/* Some decoders keep the folding white space between two words,
	 * against RFC 2047 6.2 (Python's email in display names before
	 * gh-128110); cut before one of the text's own blanks, so that they
	 * show a doubled blank rather than a blank inside a word. */
	for (j = k; j > k / 2; j--)
		if (s[j] == ' ')
			return j;
	return k;
}

/* Write the n bytes at s as encoded-words after "Name:", which ends at
 * column col: the first on that line when one fits, each further one on
 * a continuation line of its own.  Returns the column after the last.
 * Only folding white space comes between two words, and decoders drop
 * it, so the text's own blanks travel inside the words. */
static size_t
add_words(struct buf *out, const char *s, size_t n, size_t col)
{
	size_t take;
	int first;

	for (first = 1; n > 0; first = 0) {
		take = first && col + 1 < MAIL_LINE ?
		    word_take(s, n, MAIL_LINE - col - 1) : 0;
		if (take > 0) {
			buf_addc(out, ' ');
			col++;
		} else {
			buf_adds(out, "\r\n ");
			col = 1;
			take = word_take(s, n, WORD_MAX);
		}
		buf_adds(out, "=?UTF-8?B?");
		add_base64(out, (const unsigned char *)s, take);
		buf_adds(out, "?=");
		col += WORD_OVERHEAD + (take + 2) / 3 * 4;
		s += take;
		n -= take;
	}
	return col;
}

/* Printable ASCII that a reader takes as it is: no "=?", which a decoder
 * might take for the start of an encoded-word. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~' || (s[0] == '=' && s[1] == '?'))
			return 0;
	return 1;
}

void
mail_header_text(struct buf *out, const char *name, const char *utf8)
{
	size_t n = strlen(utf8), col = strlen(name) + 1;

	buf_adds(out, name);
	buf_addc(out, ':');
	/* Parsers strip the blanks around a value, so text that begins or
	 * ends with one is encoded to keep them. */
	if (n > 0 && printable(utf8) && utf8[0] != ' ' &&
	    utf8[n - 1] != ' ' && col + 1 + n <= MAIL_LINE) {
		buf_addc(out, ' ');
		buf_add(out, utf8, n);
	} else
		add_words(out, utf8, n, col);
	buf_adds(out, "\r\n");
}

static size_t
quoted_len(const char *s)
{
	size_t n = 2;

	for (; *s != '\0'; s++)
		n += *s == '"' || *s == '\\' ? 2 : 1;
	return n;
}

static void
add_quoted(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(out, '\\');
		buf_addc(out, *s);
	}
	buf_addc(out, '"');
}

void
mail_header_address(struct buf *out, const char *name, const char *display,
    const char *addr)
{
	size_t col = strlen(name) + 1, alen = strlen(addr) + 2;

	buf_adds(out, name);
	buf_addc(out, ':');
	if (display == NULL || *display == '\0') {
		buf_printf(out, " %s\r\n", addr);
		return;
	}
	/* A quoted-string is not folded inside; one too long for the line
	 * is encoded instead, which folds between words. */
	if (printable(display) && col + 1 + quoted_len(display) <= MAIL_LINE) {
		buf_addc(out, ' ');
		add_quoted(out, display);
		col += 1 + quoted_len(display);
	} else
		col = add_words(out, display, strlen(display), col);
	buf_adds(out, col + 1 + alen <= MAIL_LINE ? " " : "\r\n ");
	buf_printf(out, "<%s>\r\n", addr);
}

/* Whether byte i of a line of n bytes goes out as =XX at column col. */
static int
qp_escape(const char *line, size_t n, size_t i, size_t col)
{
	unsigned char c = (unsigned char)line[i];

	if (c == '=' || c >= 0x7f || (c < ' ' && c != '\t'))
		return 1;
	/* Transports may strip a blank at the end of a line. */
	if ((c == ' ' || c == '\t') && i + 1 == n)
		return 1;
	/* An mbox reader would quote a line that begins "From " and SMTP
	 * stuff one that begins "."; escaped, neither changes the text. */
	if (col == 0 && (c == '.' ||
	    (n - i >= 5 && memcmp(line + i, "From ", 5) == 0)))
		return 1;
	return 0;
}

static void
qp_line(struct buf *out, const char *line, size_t n)
{
	size_t i, col = 0, w;
	int esc;

	for (i = 0; i < n; i++) {
		esc = qp_escape(line, n, i, col);
		w = esc ? 3 : 1;
		/* A soft break's "=" takes a column of the line, except after
		 * the last character, which has a hard break after it. */
		if (col + w > (i + 1 == n ? MAIL_LINE : MAIL_LINE - 1)) {
			buf_adds(out, "=\r\n");
			col = 0;
			esc = qp_escape(line, n, i, col);
			w = esc ? 3 : 1;
		}
		if (esc) {
			buf_addc(out, '=');
			buf_addc(out, hex[(unsigned char)line[i] >> 4]);
			buf_addc(out, hex[(unsigned char)line[i] & 15]);
		} else
			buf_addc(out, line[i]);
		col += w;
	}
}

void
mail_qp(struct buf *out, const char *text, size_t len)
{
	const char *p = text, *e = text + len, *nl;
	size_t n;

	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL) {
			qp_line(out, p, (size_t)(e - p));
			break;
		}
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		qp_line(out, p, n);
		buf_adds(out, "\r\n");
		p = nl + 1;
	}
}

void
mail_build(struct buf *out, const struct mail *m)
{
	char date[MAIL_DATE_MAX];
	const char *body = m->body != NULL ? m->body : "";
	size_t n = strlen(body);

	mail_date(date, m->date);
	buf_printf(out, "Date: %s\r\n", date);
	mail_header_address(out, "From", m->from_name, m->from_addr);
	mail_header_address(out, "To", m->to_name, m->to_addr);
	mail_header_text(out, "Subject", m->subject != NULL ? m->subject : "");
	buf_printf(out, "Message-ID: <%s>\r\n", m->message_id);
	buf_adds(out, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n");
	if (m->extra != NULL)
		buf_adds(out, m->extra);
	buf_adds(out, "\r\n");
	mail_qp(out, body, n);
	if (n > 0 && body[n - 1] != '\n')
		buf_adds(out, "\r\n");
}

/* ^>*From : the lines mboxrd quotes with one more '>'. */
static int
from_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '>')
		i++;
	return n - i >= 5 && memcmp(s + i, "From ", 5) == 0;
}

void
mail_mbox_append(struct buf *out, const char *msg, size_t len,
    const char *sender, int64_t t)
{
	const char *p = msg, *e = msg + len, *nl;
	struct civil c;
	size_t n;

	civil(t, &c);
	buf_printf(out, "From %s %.3s %.3s %2d %02d:%02d:%02d %04d\n",
	    sender != NULL && *sender != '\0' ? sender : "MAILER-DAEMON",
	    wdays + 3 * c.wday, months + 3 * (c.mon - 1), c.day, c.hour,
	    c.min, c.sec, c.year);
	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		n = (size_t)((nl != NULL ? nl : e) - p);
		if (nl != NULL && n > 0 && p[n - 1] == '\r')
			n--;
		if (from_line(p, n))
			buf_addc(out, '>');
		buf_add(out, p, n);
		buf_addc(out, '\n');
		p = nl != NULL ? nl + 1 : e;
	}
	buf_addc(out, '\n');
}
