/* smstext: septets, UTF-16 units and segments of an SMS text.
 *
 * The GSM 03.38 (3GPP TS 23.038) default alphabet is written out in full,
 * in the order of its septet values, so that it can be checked line by
 * line against the standard; a character is looked up by searching it.
 * SMS texts are short, and a table that reads like the standard is worth
 * more here than a faster index. */
#include <stdint.h>

#include "smstext.h"

#define GSM7_SINGLE 160		/* septets in one 140-byte message */
#define GSM7_PART 153		/* a concatenated part loses 7 to its UDH */
#define UCS2_SINGLE 70
#define UCS2_PART 67

/* The default alphabet, septet 0x00 to 0x7f.  0x1b is the escape to the
 * extension table, not a character: it is 0 here so that no text
 * character matches it. */
static const uint16_t gsm7_basic[128] = {
	0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec,
	/* 00: @ £ $ ¥ è é ù ì */
	0x00f2, 0x00c7, 0x000a, 0x00d8, 0x00f8, 0x000d, 0x00c5, 0x00e5,
	/* 08: ò Ç LF Ø ø CR Å å */
	0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8,
	/* 10: Δ _ Φ Γ Λ Ω Π Ψ */
	0x03a3, 0x0398, 0x039e, 0x0000, 0x00c6, 0x00e6, 0x00df, 0x00c9,
	/* 18: Σ Θ Ξ ESC Æ æ ß É */
	0x0020, 0x0021, 0x0022, 0x0023, 0x00a4, 0x0025, 0x0026, 0x0027,
	/* 20: SP ! " # ¤ % & ' */
	0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
	/* 28: ( ) * + , - . / */
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	/* 30: 0 1 2 3 4 5 6 7 */
	0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f,
	/* 38: 8 9 : ; < = > ? */
	0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	/* 40: ¡ A B C D E F G */
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f,
	/* 48: H I J K L M N O */
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	/* 50: P Q R S T U V W */
	0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7,
	/* 58: X Y Z Ä Ö Ñ Ü § */
	0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	/* 60: ¿ a b c d e f g */
	0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f,
	/* 68: h i j k l m n o */
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	/* 70: p q r s t u v w */
	0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0
	/* 78: x y z ä ö ñ ü à */
};

/* The characters of the extension table, each sent as ESC and a second
 * septet (given after each); the table's other values are unassigned or
 * used by national shift tables, which a default-alphabet text never
 * has. */
static const uint16_t gsm7_ext[] = {
	0x000c,	/* 0x0a form feed */
	0x005e,	/* 0x14 ^ */
	0x007b,	/* 0x28 { */
	0x007d,	/* 0x29 } */
	0x005c,	/* 0x2f backslash */
	0x005b,	/* 0x3c [ */
	0x007e,	/* 0x3d ~ */
	0x005d,	/* 0x3e ] */
	0x007c,	/* 0x40 | */
	0x20ac	/* 0x65 euro sign */
};

/* Septets of a character in GSM-7: 1, 2 through the escape, or 0 when
 * the alphabet has no such character. */
static int
gsm7_septets(uint32_t cp)
{
	size_t i;

	if (cp == 0)
		return 0;
	for (i = 0; i < sizeof gsm7_basic / sizeof gsm7_basic[0]; i++)
		if (gsm7_basic[i] == cp)
			return 1;
	for (i = 0; i < sizeof gsm7_ext / sizeof gsm7_ext[0]; i++)
		if (gsm7_ext[i] == cp)
			return 2;
	return 0;
}

/* Decode one character at s[*i], strictly: the shortest form only, no
 * surrogates, nothing past U+10FFFF, so that one text has one count and a
 * gateway never gets bytes it would refuse or mangle. */
static int
utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	static const uint32_t min[4] = { 0, 0x80, 0x800, 0x10000 };
	unsigned char c = s[*i];
	size_t n, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if ((c & 0xe0) == 0xc0)
		n = 1, v = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 2, v = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 3, v = c & 0x07;
	else
		return -1;	/* a continuation byte, or 0xf8 and above */
	if (len - *i <= n)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		v = v << 6 | (s[*i + k] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*cp = v;
	*i += n + 1;
	return 0;
}

static size_t
segments(size_t units, size_t single, size_t part)
{
	if (units == 0)
		return 0;
	if (units <= single)
		return 1;
	return (units + part - 1) / part;
}

int
sms_count(const char *utf8, size_t len, struct sms_count *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t i = 0, septets = 0, utf16 = 0;
	uint32_t cp;
	int gsm = 1, n;

	while (i < len) {
		if (utf8_next(s, len, &i, &cp) == -1)
			return -1;
		utf16 += cp > 0xffff ? 2 : 1;
		/* Go on after the first non-GSM character: the rest must
		 * still be checked as UTF-8. */
		if (gsm) {
			if ((n = gsm7_septets(cp)) == 0)
				gsm = 0;
			septets += (size_t)n;
		}
	}
	if (gsm) {
		out->coding = SMS_GSM7;
		out->units = septets;
		out->segments = segments(septets, GSM7_SINGLE, GSM7_PART);
	} else {
		out->coding = SMS_UCS2;
		out->units = utf16;
		out->segments = segments(utf16, UCS2_SINGLE, UCS2_PART);
	}
	return 0;
}

const char *
sms_coding_name(enum sms_coding c)
{
	return c == SMS_GSM7 ? "GSM-7" : "UCS-2";
}
