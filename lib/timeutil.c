/* timeutil: the clock, date parsing and calendar durations.
 *
 * The calendar is our own days-from-civil arithmetic (proleptic Gregorian,
 * H. Hinnant's algorithm) rather than mktime(), timegm() or strptime():
 * mktime() follows TZ, timegm() is not standard and strptime() follows the
 * locale, and a consent record must mean the same instant on every host.
 * Every time is UTC seconds since the epoch; input is limited to the years
 * 1900-9999 so that a formatted time always has four year digits. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "timeutil.h"

#define DAY_SECS INT64_C(86400)
/* 1900-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what time_parse takes. */
#define PARSE_MIN INT64_C(-2208988800)
#define PARSE_MAX INT64_C(253402300799)
/* 0000-01-01T00:00:00Z: time_format clamps to what four digits can say. */
#define FORMAT_MIN INT64_C(-62167219200)
/* Far beyond any real time or duration (about a million years and 1e8
 * units), and small enough that time_add's arithmetic cannot overflow for
 * any input, which a caller's garbage must not turn into undefined
 * behaviour. */
#define ADD_T_MAX (INT64_C(1) << 45)
#define DURATION_MAX INT64_C(100000000)

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

static int
isblnk(char c)
{
	return c == ' ' || c == '\t';
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of y-m-d; the year is shifted to start in March
 * so that the leap day falls at the end. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Split t into its day number and second of that day, rounding towards
 * the past so that times before 1970 land on the right day. */
static void
split_day(int64_t t, int64_t *days, int64_t *secs)
{
	*days = t / DAY_SECS;
	*secs = t % DAY_SECS;
	if (*secs < 0) {
		*secs += DAY_SECS;
		(*days)--;
	}
}

/* Read exactly n digits at *p (not beyond e). */
static int
num(const char **p, const char *e, int n, int *v)
{
	int x = 0;

	if (e - *p < n)
		return -1;
	for (; n > 0; n--, (*p)++) {
		if (!isdig(**p))
			return -1;
		x = x * 10 + (**p - '0');
	}
	*v = x;
	return 0;
}

/* Read one or two digits, for the d.m.yyyy form. */
static int
num12(const char **p, const char *e, int *v)
{
	if (*p < e && isdig(**p) && (e - *p < 2 || !isdig((*p)[1])))
		return num(p, e, 1, v);
	return num(p, e, 2, v);
}

static int
date_ok(int y, int m, int d)
{
	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= month_days(y, m);
}

/* "dd.mm.yyyy" or "d.m.yyyy", as Nordic registers write dates. */
static int
parse_nordic(const char *p, const char *e, int64_t *out)
{
	int y, m, d;

	if (num12(&p, e, &d) < 0 || p == e || *p++ != '.' ||
	    num12(&p, e, &m) < 0 || p == e || *p++ != '.' ||
	    num(&p, e, 4, &y) < 0 || p != e || !date_ok(y, m, d))
		return -1;
	*out = days_from_civil(y, m, d) * DAY_SECS;
	return 0;
}

/* The zone of an RFC 3339 time: nothing (UTC, as ISO 8601 local time is
 * meaningless to us), Z, or +hh:mm / -hh:mm; returns seconds east. */
static int
parse_zone(const char *p, const char *e, int64_t *east)
{
	int sign, h, m;

	*east = 0;
	if (p == e)
		return 0;
	if (*p == 'Z' || *p == 'z')
		return p + 1 == e ? 0 : -1;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '+' ? 1 : -1;
	if (num(&p, e, 2, &h) < 0 || p == e || *p++ != ':' ||
	    num(&p, e, 2, &m) < 0 || p != e || h > 23 || m > 59)
		return -1;
	*east = sign * (h * INT64_C(3600) + m * INT64_C(60));
	return 0;
}

/* "YYYY-MM-DD", optionally followed by T (or a space) and hh:mm[:ss[.f]]
 * and a zone. */
static int
parse_iso(const char *p, const char *e, int64_t *out)
{
	int y, mo, d, h, mi, s = 0;
	int64_t east, t;

	if (num(&p, e, 4, &y) < 0 || p == e || *p++ != '-' ||
	    num(&p, e, 2, &mo) < 0 || p == e || *p++ != '-' ||
	    num(&p, e, 2, &d) < 0 || !date_ok(y, mo, d))
		return -1;
	t = days_from_civil(y, mo, d) * DAY_SECS;
	if (p == e) {
		*out = t;
		return 0;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (num(&p, e, 2, &h) < 0 || p == e || *p++ != ':' ||
	    num(&p, e, 2, &mi) < 0)
		return -1;
	if (p < e && *p == ':') {
		p++;
		if (num(&p, e, 2, &s) < 0)
			return -1;
		/* Fractions are dropped: we store whole seconds. */
		if (p < e && *p == '.') {
			p++;
			if (p == e || !isdig(*p))
				return -1;
			while (p < e && isdig(*p))
				p++;
		}
	}
	/* A leap second (:60) is refused rather than folded into the next
	 * minute: no source of consent evidence produces one. */
	if (h > 23 || mi > 59 || s > 59 || parse_zone(p, e, &east) < 0)
		return -1;
	t += h * INT64_C(3600) + mi * INT64_C(60) + s - east;
	/* An offset can push the first or last day out of range. */
	if (t < PARSE_MIN || t > PARSE_MAX)
		return -1;
	*out = t;
	return 0;
}

int
time_parse(const char *s, int64_t *out)
{
	const char *p, *e, *q;

	if (s == NULL)
		return -1;
	for (p = s; isblnk(*p); p++)
		;
	for (e = p; *e != '\0'; e++)
		;
	while (e > p && isblnk(e[-1]))
		e--;
	/* The Nordic form has its dot within the first three characters, the
	 * ISO form none before its year's four digits. */
	for (q = p; q < e && q < p + 3 && isdig(*q); q++)
		;
	if (q < e && *q == '.')
		return parse_nordic(p, e, out);
	return parse_iso(p, e, out);
}

int
time_now(int64_t *out)
{
	const char *env = getenv("CONSENT_NOW");
	time_t now;

	/* Set but empty is a mistake in a test or a job, not "no override". */
	if (env != NULL)
		return time_parse(env, out);
	now = time(NULL);
	if (now == (time_t)-1)
		return -1;
	*out = (int64_t)now;
	return 0;
}

/* Write v as exactly w digits; snprintf would do, but compilers then warn
 * about truncations that the clamping already rules out. */
static char *
put(char *p, int64_t v, int w)
{
	int i;

	for (i = w - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + w;
}

static void
format(int64_t t, char *out, int with_time)
{
	int64_t days, secs, y;
	int m, d;
	char *p = out;

	/* A time outside 0000-9999 cannot be written in the fixed width
	 * callers size their buffers for; clamp rather than overflow. */
	if (t < FORMAT_MIN)
		t = FORMAT_MIN;
	if (t > PARSE_MAX)
		t = PARSE_MAX;
	split_day(t, &days, &secs);
	civil_from_days(days, &y, &m, &d);
	p = put(p, y, 4);
	*p++ = '-';
	p = put(p, m, 2);
	*p++ = '-';
	p = put(p, d, 2);
	if (with_time) {
		*p++ = 'T';
		p = put(p, secs / 3600, 2);
		*p++ = ':';
		p = put(p, secs / 60 % 60, 2);
		*p++ = ':';
		p = put(p, secs % 60, 2);
		*p++ = 'Z';
	}
	*p = '\0';
}

void
time_format(int64_t t, char out[TIME_RFC3339_LEN])
{
	format(t, out, 1);
}

void
time_format_date(int64_t t, char out[TIME_DATE_LEN])
{
	format(t, out, 0);
}

int
duration_parse(const char *s, struct duration *d)
{
	int64_t n = 0;

	if (s == NULL || !isdig(*s))
		return -1;
	for (; isdig(*s); s++) {
		n = n * 10 + (*s - '0');
		if (n > DURATION_MAX)
			return -1;
	}
	switch (*s) {
	case 'h': case 'd': case 'w': case 'm': case 'y':
		break;
	default:
		return -1;
	}
	if (s[1] != '\0')
		return -1;
	d->n = n;
	d->unit = *s;
	return 0;
}

int64_t
time_add(int64_t t, const struct duration *d, int sign)
{
	int64_t n = d->n, days, secs, y, months;
	int m, day, last;

	if (t > ADD_T_MAX)
		t = ADD_T_MAX;
	if (t < -ADD_T_MAX)
		t = -ADD_T_MAX;
	if (n > DURATION_MAX)
		n = DURATION_MAX;
	if (n < -DURATION_MAX)
		n = -DURATION_MAX;
	if (sign < 0)
		n = -n;
	switch (d->unit) {
	case 'h':
		return t + n * 3600;
	case 'd':
		return t + n * DAY_SECS;
	case 'w':
		return t + n * 7 * DAY_SECS;
	case 'm':
		months = n;
		break;
	case 'y':
		months = n * 12;
		break;
	default:
		return t;
	}
	split_day(t, &days, &secs);
	civil_from_days(days, &y, &m, &day);
	months += y * 12 + (m - 1);
	y = months / 12;
	m = (int)(months % 12);
	if (m < 0) {
		m += 12;
		y--;
	}
	m++;
	last = month_days(y, m);
	if (day > last)
		day = last;
	return days_from_civil(y, m, day) * DAY_SECS + secs;
}
