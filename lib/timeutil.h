/* timeutil: the clock (CONSENT_NOW), RFC 3339 and Nordic date input,
 * calendar durations such as 7d, 18m, 5y.  All times are UTC seconds since
 * the epoch.  Knows no store and no network. */
#ifndef CONSENT_TIMEUTIL_H
#define CONSENT_TIMEUTIL_H

#include <stdint.h>

/* "2026-12-05T20:42:44Z": 20 characters and the NUL. */
#define TIME_RFC3339_LEN 21
/* "2026-12-05" and the NUL. */
#define TIME_DATE_LEN 11

/* The current time: $CONSENT_NOW (RFC 3339) when set, else the clock.
 * Returns 0, or -1 when CONSENT_NOW is set but does not parse. */
int time_now(int64_t *out);

/* Parse a point in time.  Accepts RFC 3339 / ISO 8601 date-times
 * ("2026-12-05T20:42:44Z", "...+01:00", fractional seconds dropped, a
 * space instead of T, no zone meaning UTC), an ISO date "2026-12-05" and
 * a Nordic date "05.12.2026" (both midnight UTC).  Surrounding blanks are
 * ignored.  Validates the calendar (no 31.02.).  Returns 0 or -1. */
int time_parse(const char *s, int64_t *out);

/* Write t as RFC 3339 UTC with a Z, or as YYYY-MM-DD. */
void time_format(int64_t t, char out[TIME_RFC3339_LEN]);
void time_format_date(int64_t t, char out[TIME_DATE_LEN]);

/* A calendar duration: "7d", "2w", "18m", "5y", "12h" (m is months, never
 * minutes).  Exactly one number (0 or more) and one unit letter. */
struct duration {
	int64_t n;
	char unit;	/* 'h', 'd', 'w', 'm' (months), 'y' */
};

/* Parse "7d" etc.  Returns 0 or -1. */
int duration_parse(const char *s, struct duration *d);

/* t plus (sign = +1) or minus (sign = -1) the duration, on the calendar:
 * months and years keep the day of month, clamped to the month's last day
 * (31 Jan + 1m = 28/29 Feb). */
int64_t time_add(int64_t t, const struct duration *d, int sign);

#endif
