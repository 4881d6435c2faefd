/* Unit tests of lib/smstext, as TAP on stdout.  The alphabet below is
 * typed in again from 3GPP TS 23.038, apart from the table in smstext.c,
 * so that a slip in one shows against the other; the other cases are
 * tables of text, coding, units and segments. */
#include <stdio.h>
#include <string.h>

#include "smstext.h"
#include "tap.h"

/* Does the text count as wanted?  A difference is shown as a comment. */
static int
counts(const char *s, size_t len, enum sms_coding coding, size_t units,
    size_t segments)
{
	struct sms_count c;

	if (sms_count(s, len, &c) != 0) {
		printf("# refused as UTF-8\n");
		return 0;
	}
	if (c.coding == coding && c.units == units && c.segments == segments)
		return 1;
	printf("# got %s, %zu units, %zu segments; want %s, %zu, %zu\n",
	    sms_coding_name(c.coding), c.units, c.segments,
	    sms_coding_name(coding), units, segments);
	return 0;
}

/* --- the alphabet ---------------------------------------------------- */

/* The default alphabet in septet order, without 0x1b (the escape). */
static const char basic[] =
    "@£$¥èéùìòÇ\nØø\rÅå" "Δ_ΦΓΛΩΠΨΣΘΞ" "ÆæßÉ"
    " !\"#¤%&'()*+,-./" "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà";
static const char ext[] = "\f^{}\\[~]|€";

static void
test_alphabet(void)
{
	static const char *const near[] = { "ç", "`", "ð", "Ð", "þ", "Þ",
	    "á", "í", "ó", "ú", "Á", "ã", "õ", "ê", "ô", "ë", "ï", "ý",
	    "\t", "\xc2\xa0", "’", "“", "–", "«", "¢", "©", "€\xcc\x81",
	    "e\xcc\x81", "\x1b", "ς", "α", "Β" };
	char one[5];
	const char *p;
	size_t i, n;
	int all;

	ok(counts(basic, strlen(basic), SMS_GSM7, 127, 1),
	    "the 127 characters of the default alphabet are 127 septets");
	ok(counts(ext, strlen(ext), SMS_GSM7, 20, 1),
	    "the 10 characters of the extension table are 20 septets");
	/* One at a time, so that a character counted as two is caught
	 * even where another counted as none would hide it in the sum. */
	all = 1;
	for (p = basic; *p != '\0'; p += n) {
		for (n = 1; ((unsigned char)p[n] & 0xc0) == 0x80; n++)
			;
		memcpy(one, p, n);
		one[n] = '\0';
		if (!counts(one, n, SMS_GSM7, 1, 1)) {
			printf("# the character \"%s\"\n", one);
			all = 0;
		}
	}
	ok(all, "each character of the default alphabet is 1 septet");
	all = 1;
	for (p = ext; *p != '\0'; p += n) {
		for (n = 1; ((unsigned char)p[n] & 0xc0) == 0x80; n++)
			;
		memcpy(one, p, n);
		one[n] = '\0';
		if (!counts(one, n, SMS_GSM7, 2, 1)) {
			printf("# the character \"%s\"\n", one);
			all = 0;
		}
	}
	ok(all, "each character of the extension table is 2 septets");
	for (i = 0; i < sizeof near / sizeof near[0]; i++) {
		n = strlen(near[i]);
		/* A combining accent is a UTF-16 unit of its own. */
		ok(counts(near[i], n, SMS_UCS2, n > 1 &&
		    (unsigned char)near[i][n - 2] == 0xcc ? 2 : 1, 1),
		    "\"%s\" is not in GSM-7", near[i]);
	}
}

/* --- whole texts ------------------------------------------------------ */

static const struct {
	const char *text;
	enum sms_coding coding;
	size_t units, segments;
} texts[] = {
	{ "", SMS_GSM7, 0, 0 },
	{ "Hello, world!", SMS_GSM7, 13, 1 },
	{ "Ja takk: https://example.no/s/abc_DEF-123?x=1&y=2", SMS_GSM7, 49,
	    1 },
	{ "Blåbærsyltetøy på skiva", SMS_GSM7, 23, 1 },
	{ "ÆØÅ æøå", SMS_GSM7, 7, 1 },
	{ "Smörgåsbord i Göteborg, ÄÖÅ", SMS_GSM7, 27, 1 },
	{ "Rødgrød med fløde", SMS_GSM7, 17, 1 },
	{ "Hyvää päivää, Åbo", SMS_GSM7, 17, 1 },
	{ "Straße, Müller, España", SMS_GSM7, 22, 1 },
	{ "Ñandù", SMS_GSM7, 5, 1 },
	{ "Ñandú", SMS_UCS2, 5, 1 },		/* ù is, ú is not */
	{ "Pris: 100 €", SMS_GSM7, 12, 1 },
	{ "[ok]", SMS_GSM7, 6, 1 },
	{ "a|b~c^d{e}f\\g", SMS_GSM7, 19, 1 },
	{ "£5, ¥7, ¿qué? ¡sí!", SMS_UCS2, 18, 1 },	/* é is, í is not */
	{ "£5, ¥7, ¿qué? ¡si!", SMS_GSM7, 18, 1 },
	{ "Ça va", SMS_GSM7, 5, 1 },
	{ "ça va", SMS_UCS2, 5, 1 },
	{ "Garçon", SMS_UCS2, 6, 1 },
	{ "`code`", SMS_UCS2, 6, 1 },
	{ "Ísland, Þórður, Guðrún", SMS_UCS2, 22, 1 },
	{ "Hei 😀", SMS_UCS2, 6, 1 },
	{ "😀", SMS_UCS2, 2, 1 },
	{ "€😀", SMS_UCS2, 3, 1 },
	{ "\xf4\x8f\xbf\xbf", SMS_UCS2, 2, 1 },	/* U+10FFFF */
	{ "\xed\x9f\xbf\xee\x80\x80", SMS_UCS2, 2, 1 },	/* U+D7FF, U+E000 */
	{ "\xc2\x80", SMS_UCS2, 1, 1 },		/* U+0080 */
	{ "Привет", SMS_UCS2, 6, 1 },
	{ "ΔΦΓ and αβγ", SMS_UCS2, 11, 1 },
	{ "ΔΦΓ ΛΩΠ ΨΣΘ Ξ", SMS_GSM7, 13, 1 },
};

static void
test_texts(void)
{
	size_t i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		ok(counts(texts[i].text, strlen(texts[i].text), texts[i].coding,
		    texts[i].units, texts[i].segments), "\"%s\": %s, %zu, %zu",
		    texts[i].text, sms_coding_name(texts[i].coding),
		    texts[i].units, texts[i].segments);
	ok(counts("abcdef", 3, SMS_GSM7, 3, 1),
	    "the length given is counted, not up to a NUL");
	ok(counts("ab\xc3\xa7", 2, SMS_GSM7, 2, 1),
	    "a 'ç' past the length given is not looked at");
	ok(strcmp(sms_coding_name(SMS_GSM7), "GSM-7") == 0 &&
	    strcmp(sms_coding_name(SMS_UCS2), "UCS-2") == 0,
	    "the codings are named GSM-7 and UCS-2");
}

/* --- segments --------------------------------------------------------- */

/* n copies of s, then tail. */
static size_t
fill(char *buf, size_t bufsz, const char *s, size_t n, const char *tail)
{
	size_t len = 0, sl = strlen(s), tl = strlen(tail);

	if (sl * n + tl >= bufsz)
		return 0;
	/* no NUL after each copy: the tail's ends the string */
	for (; n > 0; n--, len += sl)
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
		memcpy(buf + len, s, sl);
	memcpy(buf + len, tail, tl + 1);
	return len + tl;
}

static const struct {
	const char *unit;
	size_t n;
	const char *tail;
	enum sms_coding coding;
	size_t units, segments;
} lengths[] = {
	{ "a", 1, "", SMS_GSM7, 1, 1 },
	{ "a", 159, "", SMS_GSM7, 159, 1 },
	{ "a", 160, "", SMS_GSM7, 160, 1 },
	{ "a", 161, "", SMS_GSM7, 161, 2 },
	{ "ø", 160, "", SMS_GSM7, 160, 1 },
	{ "ø", 161, "", SMS_GSM7, 161, 2 },
	{ "a", 158, "€", SMS_GSM7, 160, 1 },
	{ "a", 159, "€", SMS_GSM7, 161, 2 },
	{ "€", 80, "", SMS_GSM7, 160, 1 },
	{ "[", 80, "a", SMS_GSM7, 161, 2 },
	{ "a", 306, "", SMS_GSM7, 306, 2 },
	{ "a", 307, "", SMS_GSM7, 307, 3 },
	{ "a", 459, "", SMS_GSM7, 459, 3 },
	{ "a", 460, "", SMS_GSM7, 460, 4 },
	{ "]", 153, "", SMS_GSM7, 306, 2 },
	{ "]", 153, "a", SMS_GSM7, 307, 3 },
	{ "a", 69, "ç", SMS_UCS2, 70, 1 },
	{ "a", 70, "ç", SMS_UCS2, 71, 2 },
	{ "ç", 70, "", SMS_UCS2, 70, 1 },
	{ "ç", 71, "", SMS_UCS2, 71, 2 },
	{ "a", 133, "ç", SMS_UCS2, 134, 2 },
	{ "a", 134, "ç", SMS_UCS2, 135, 3 },
	{ "a", 200, "ç", SMS_UCS2, 201, 3 },
	{ "a", 201, "ç", SMS_UCS2, 202, 4 },
	{ "€", 69, "ç", SMS_UCS2, 70, 1 },	/* € is one UTF-16 unit */
	{ "😀", 35, "", SMS_UCS2, 70, 1 },
	{ "😀", 35, "a", SMS_UCS2, 71, 2 },
	{ "😀", 67, "", SMS_UCS2, 134, 2 },
	{ "😀", 67, "a", SMS_UCS2, 135, 3 },
};

static void
test_lengths(void)
{
	static char buf[4096];
	size_t i, len;

	for (i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		len = fill(buf, sizeof buf, lengths[i].unit, lengths[i].n,
		    lengths[i].tail);
		ok(len > 0 && counts(buf, len, lengths[i].coding,
		    lengths[i].units, lengths[i].segments),
		    "%zu \"%s\" and \"%s\": %s, %zu units, %zu segments",
		    lengths[i].n, lengths[i].unit, lengths[i].tail,
		    sms_coding_name(lengths[i].coding), lengths[i].units,
		    lengths[i].segments);
	}
}

/* --- invalid UTF-8 ---------------------------------------------------- */

static const struct {
	const char *bytes, *what;
} invalid[] = {
	{ "\x80", "a lone continuation byte" },
	{ "abc\xbf", "a continuation byte after ASCII" },
	{ "\xc3\xa5\xa5", "a continuation byte after 'å'" },
	{ "\xc0\xaf", "overlong '/' in 2 bytes" },
	{ "\xc1\xbf", "overlong U+007F in 2 bytes" },
	{ "\xe0\x80\xaf", "overlong '/' in 3 bytes" },
	{ "\xe0\x9f\xbf", "overlong U+07FF in 3 bytes" },
	{ "\xf0\x80\x80\xaf", "overlong '/' in 4 bytes" },
	{ "\xf0\x8f\xbf\xbf", "overlong U+FFFF in 4 bytes" },
	{ "\xc3", "a truncated 2-byte sequence at the end" },
	{ "\xe2\x82", "a truncated 3-byte sequence at the end" },
	{ "\xf0\x9f\x98", "a truncated 4-byte sequence at the end" },
	{ "\xc3" "a", "a truncated 2-byte sequence before ASCII" },
	{ "\xe2\x82" "a", "a truncated 3-byte sequence before ASCII" },
	{ "\xf0\x9f\x98" "abc", "a truncated 4-byte sequence before ASCII" },
	{ "\xed\xa0\x80", "the surrogate U+D800" },
	{ "\xed\xbf\xbf", "the surrogate U+DFFF" },
	{ "\xed\xa0\xbd\xed\xb8\x80", "a surrogate pair (CESU-8)" },
	{ "\xf4\x90\x80\x80", "U+110000" },
	{ "\xf5\x80\x80\x80", "a 0xf5 lead byte" },
	{ "\xf8\x88\x80\x80\x80", "a 5-byte sequence" },
	{ "\xfe", "the byte 0xfe" },
	{ "\xff", "the byte 0xff" },
	{ "\xc3\xa7\x80", "a bad byte after a non-GSM character" },
	{ "Ola \xe5 Kari", "Latin-1 'å'" },
};

static void
test_invalid(void)
{
	struct sms_count c;
	size_t i;

	for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
		ok(sms_count(invalid[i].bytes, strlen(invalid[i].bytes),
		    &c) == -1, "%s is refused", invalid[i].what);
	ok(sms_count("\xc3\xa5", 1, &c) == -1,
	    "'å' cut by the length given is refused");
}

int
main(void)
{
	test_alphabet();
	test_texts();
	test_lengths();
	test_invalid();
	return done_testing();
}
