/* smstext: how many septets or UTF-16 units an SMS text takes, and in how
 * many segments it goes, so that a template's length can be checked and
 * the cost of a mailing told before it is sent.  Knows no network. */
#ifndef CONSENT_SMSTEXT_H
#define CONSENT_SMSTEXT_H

#include <stddef.h>

enum sms_coding { SMS_GSM7, SMS_UCS2 };

struct sms_count {
	enum sms_coding coding;
	/* Septets for GSM-7 (an extension-table character counts 2),
	 * UTF-16 code units for UCS-2 (a character outside the BMP
	 * counts 2). */
	size_t units;
	/* GSM-7: 1 when units <= 160, else ceil(units / 153); UCS-2: 1 when
	 * units <= 70, else ceil(units / 67); 0 for an empty text. */
	size_t segments;
};

/* Count an SMS text given as UTF-8: GSM-7 when every character is in the
 * GSM 03.38 basic character set or its extension table (^ { } \ [ ~ ] |
 * the euro sign, and form feed), else UCS-2.  Returns 0, or -1 when the
 * text is not valid UTF-8 (overlong forms, surrogates and code points past
 * U+10FFFF are refused). */
int sms_count(const char *utf8, size_t len, struct sms_count *out);

/* "GSM-7", "UCS-2" */
const char *sms_coding_name(enum sms_coding c);

#endif
