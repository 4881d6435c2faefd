/* address: e-mail syntax and mobile numbers normalised to E.164.
 * Knows no store and no network. */
#ifndef CONSENT_ADDRESS_H
#define CONSENT_ADDRESS_H

#include <stddef.h>

#define EMAIL_MAX 255
#define E164_MAX 17	/* '+', at most 15 digits, NUL */

/* Normalise an e-mail address: blanks trimmed, the whole address
 * lower-cased (ASCII only; UTF-8 bytes kept as they are).  Checks the
 * syntax a mail system accepts in practice: one '@', a non-empty local
 * part of atext and dots (no leading, trailing or double dot), a domain of
 * at least two labels of letters, digits, hyphens (no leading/trailing
 * hyphen), top label not all digits.  Returns 0, or -1 when invalid or
 * longer than outsz-1. */
int email_normalise(const char *in, char *out, size_t outsz);

/* Normalise a phone number to E.164 ("+4791234567").  Blanks, hyphens,
 * dots and parentheses are dropped; "+CC..." and "00CC..." are
 * international; anything else is national in the default country
 * (ISO 3166 alpha-2: NO, SE, DK, FI, IS, DE, GB, ... ; the Nordic ones
 * and a handful of others know their calling code and national number
 * length, a trunk '0' is dropped where the country uses one).  Length
 * rules: NO 8, DK 8, SE 7-9, FI 5-10 (after the trunk 0), IS 7; other
 * known countries use a plausible range; any number with an unknown
 * calling code must have 8-15 digits in all.  Returns 0, or -1 when not
 * plausible or country is unknown. */
int mobile_normalise(const char *in, const char *country, char *out,
    size_t outsz);

/* Is this two-letter code a country mobile_normalise() knows? */
int country_known(const char *country);

#endif
