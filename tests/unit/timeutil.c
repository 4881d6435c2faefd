/* Unit tests of lib/timeutil, as TAP on stdout.  The cases are tables, so
 * that a new case is one line; gmtime_r(), which depends on no TZ or
 * locale, is the independent oracle for the calendar arithmetic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "timeutil.h"

/* Input and the time it means, written back by time_format; NULL when the
 * input must be refused. */
static const struct {
	const char *in, *want;
} parse_cases[] = {
	{ "2026-12-05T20:42:44Z", "2026-12-05T20:42:44Z" },
	{ "2026-12-05t20:42:44z", "2026-12-05T20:42:44Z" },
	{ "2026-12-05 20:42:44Z", "2026-12-05T20:42:44Z" },
	{ "2026-12-05T20:42:44", "2026-12-05T20:42:44Z" },
	{ "2026-12-05T20:42", "2026-12-05T20:42:00Z" },
	{ "2026-12-05T20:42Z", "2026-12-05T20:42:00Z" },
	{ "2026-12-05T20:42+01:00", "2026-12-05T19:42:00Z" },
	{ "2026-12-05T20:42:44.123Z", "2026-12-05T20:42:44Z" },
	{ "2026-12-05T20:42:44.999999999+00:00", "2026-12-05T20:42:44Z" },
	{ "2026-12-05T20:42:44+01:00", "2026-12-05T19:42:44Z" },
	{ "2026-12-05T20:42:44-05:30", "2026-12-06T02:12:44Z" },
	{ "2026-12-05T20:42:44-00:00", "2026-12-05T20:42:44Z" },
	{ "2026-12-06T00:30:00+02:00", "2026-12-05T22:30:00Z" },
	{ "2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z" },
	{ "2027-01-01T00:30:00+01:00", "2026-12-31T23:30:00Z" },
	{ "2024-03-01T00:00:00+01:00", "2024-02-29T23:00:00Z" },
	{ "2023-03-01T00:00:00+01:00", "2023-02-28T23:00:00Z" },
	{ "2026-12-05T00:00:00+23:59", "2026-12-04T00:01:00Z" },
	{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
	{ "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z" },
	{ "1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z" },
	{ "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z" },
	{ "2026-12-05", "2026-12-05T00:00:00Z" },
	{ "2024-02-29", "2024-02-29T00:00:00Z" },
	{ "2000-02-29", "2000-02-29T00:00:00Z" },
	{ "05.12.2026", "2026-12-05T00:00:00Z" },
	{ "5.12.2026", "2026-12-05T00:00:00Z" },
	{ "05.1.2026", "2026-01-05T00:00:00Z" },
	{ "5.1.2026", "2026-01-05T00:00:00Z" },
	{ "29.02.2024", "2024-02-29T00:00:00Z" },
	{ "31.12.1999", "1999-12-31T00:00:00Z" },
	{ "  2026-12-05  ", "2026-12-05T00:00:00Z" },
	{ "\t05.12.2026\t", "2026-12-05T00:00:00Z" },
	{ " 2026-12-05T20:42:44Z ", "2026-12-05T20:42:44Z" },
	{ "", NULL },
	{ "   ", NULL },
	{ "garbage", NULL },
	{ "2026", NULL },
	{ "2026-12", NULL },
	{ "2026-1-05", NULL },
	{ "2026-12-5", NULL },
	{ "26-12-05", NULL },
	{ "+2026-12-05", NULL },
	{ "2026/12/05", NULL },
	{ "2026-12-05x", NULL },
	{ "2026-12-05T", NULL },
	{ "2026-12-05T20", NULL },
	{ "2026-12-05T20:4", NULL },
	{ "2026-12-05T20:42:4", NULL },
	{ "2026-12-05T20:42:44.", NULL },
	{ "2026-12-05T20:42:44.Z", NULL },
	{ "2026-12-05T20:42.5", NULL },
	{ "2026-12-05T20:42:44ZZ", NULL },
	{ "2026-12-05T20:42:44+01", NULL },
	{ "2026-12-05T20:42:44+0100", NULL },
	{ "2026-12-05T20:42:44+1:00", NULL },
	{ "2026-12-05T20:42:44+24:00", NULL },
	{ "2026-12-05T20:42:44+01:60", NULL },
	{ "2026-12-05T20:42:44 Z", NULL },
	{ "2026-12-05  20:42:44", NULL },
	{ "2026-12-05X20:42:44", NULL },
	{ "2026-12-05T24:00:00Z", NULL },
	{ "2026-12-05T23:60:00Z", NULL },
	{ "2026-12-05T23:59:60Z", NULL },
	{ "2026-02-29", NULL },
	{ "1900-02-29", NULL },
	{ "2100-02-29", NULL },
	{ "2026-02-31", NULL },
	{ "2026-04-31", NULL },
	{ "2026-00-10", NULL },
	{ "2026-13-10", NULL },
	{ "2026-12-00", NULL },
	{ "2026-12-32", NULL },
	{ "1899-12-31", NULL },
	{ "0000-01-01", NULL },
	{ "1900-01-01T00:00:00+00:01", NULL },
	{ "9999-12-31T23:59:59-00:01", NULL },
	{ "31.02.2026", NULL },
	{ "29.02.2026", NULL },
	{ "31.04.2026", NULL },
	{ "00.12.2026", NULL },
	{ "32.12.2026", NULL },
	{ "05.13.2026", NULL },
	{ "05.00.2026", NULL },
	{ "05.12.26", NULL },
	{ "05.12.02026", NULL },
	{ "005.12.2026", NULL },
	{ "05.012.2026", NULL },
	{ "05-12-2026", NULL },
	{ "05.12.2026.", NULL },
	{ ".12.2026", NULL },
	{ "05..2026", NULL },
	{ "05.12.1899", NULL },
	{ "05.12.2026 20:42", NULL },
	{ "2026-12-05T20:42:44\xc2\xa0", NULL },
};

/* A duration and its parse; unit 0 when it must be refused. */
static const struct {
	const char *in;
	int64_t n;
	char unit;
} duration_cases[] = {
	{ "7d", 7, 'd' },
	{ "2w", 2, 'w' },
	{ "18m", 18, 'm' },
	{ "5y", 5, 'y' },
	{ "12h", 12, 'h' },
	{ "0d", 0, 'd' },
	{ "0h", 0, 'h' },
	{ "007d", 7, 'd' },
	{ "100000000h", 100000000, 'h' },
	{ "", 0, 0 },
	{ "d", 0, 0 },
	{ "7", 0, 0 },
	{ "7x", 0, 0 },
	{ "7D", 0, 0 },
	{ "7M", 0, 0 },
	{ "7s", 0, 0 },
	{ "7dd", 0, 0 },
	{ "7d5", 0, 0 },
	{ "30min", 0, 0 },
	{ "-7d", 0, 0 },
	{ "+7d", 0, 0 },
	{ " 7d", 0, 0 },
	{ "7d ", 0, 0 },
	{ "7 d", 0, 0 },
	{ "1.5y", 0, 0 },
	{ "100000001h", 0, 0 },
	{ "99999999999999999999999d", 0, 0 },
};

/* start + sign * duration = want, all on the calendar. */
static const struct {
	const char *start, *dur;
	int sign;
	const char *want;
} add_cases[] = {
	{ "2026-12-05T20:42:44Z", "12h", 1, "2026-12-06T08:42:44Z" },
	{ "2026-12-05T20:42:44Z", "12h", -1, "2026-12-05T08:42:44Z" },
	{ "2026-12-05T20:42:44Z", "0d", 1, "2026-12-05T20:42:44Z" },
	{ "2026-12-05T20:42:44Z", "0m", -1, "2026-12-05T20:42:44Z" },
	{ "2026-12-01T12:00:00Z", "7d", 1, "2026-12-08T12:00:00Z" },
	{ "2026-12-30T12:00:00Z", "7d", 1, "2027-01-06T12:00:00Z" },
	{ "2026-01-06T12:00:00Z", "7d", -1, "2025-12-30T12:00:00Z" },
	{ "2024-02-28T00:00:00Z", "1d", 1, "2024-02-29T00:00:00Z" },
	{ "2023-02-28T00:00:00Z", "1d", 1, "2023-03-01T00:00:00Z" },
	{ "2024-03-01T00:00:00Z", "1d", -1, "2024-02-29T00:00:00Z" },
	{ "2026-12-01T00:00:00Z", "2w", 1, "2026-12-15T00:00:00Z" },
	{ "2026-12-15T00:00:00Z", "2w", -1, "2026-12-01T00:00:00Z" },
	{ "2026-01-31T10:00:00Z", "1m", 1, "2026-02-28T10:00:00Z" },
	{ "2024-01-31T10:00:00Z", "1m", 1, "2024-02-29T10:00:00Z" },
	{ "2026-03-31T10:00:00Z", "1m", 1, "2026-04-30T10:00:00Z" },
	{ "2026-03-31T10:00:00Z", "1m", -1, "2026-02-28T10:00:00Z" },
	{ "2024-03-31T10:00:00Z", "1m", -1, "2024-02-29T10:00:00Z" },
	{ "2026-01-15T00:00:00Z", "1m", -1, "2025-12-15T00:00:00Z" },
	{ "2026-12-15T00:00:00Z", "1m", 1, "2027-01-15T00:00:00Z" },
	{ "2026-06-15T00:00:00Z", "18m", 1, "2027-12-15T00:00:00Z" },
	{ "2026-06-15T00:00:00Z", "18m", -1, "2024-12-15T00:00:00Z" },
	{ "2026-08-31T00:00:00Z", "18m", -1, "2025-02-28T00:00:00Z" },
	{ "2026-05-31T00:00:00Z", "12m", 1, "2027-05-31T00:00:00Z" },
	{ "2026-05-31T00:00:00Z", "24m", -1, "2024-05-31T00:00:00Z" },
	{ "2024-02-29T08:00:00Z", "1y", 1, "2025-02-28T08:00:00Z" },
	{ "2024-02-29T08:00:00Z", "4y", 1, "2028-02-29T08:00:00Z" },
	{ "2024-02-29T08:00:00Z", "1y", -1, "2023-02-28T08:00:00Z" },
	{ "2096-02-29T08:00:00Z", "4y", 1, "2100-02-28T08:00:00Z" },
	{ "2026-12-05T20:42:44Z", "5y", 1, "2031-12-05T20:42:44Z" },
	{ "2026-12-05T20:42:44Z", "5y", -1, "2021-12-05T20:42:44Z" },
	{ "1970-01-01T00:00:00Z", "1d", -1, "1969-12-31T00:00:00Z" },
	{ "1969-12-31T23:59:59Z", "1m", -1, "1969-11-30T23:59:59Z" },
	{ "1900-03-31T00:00:00Z", "1m", -1, "1900-02-28T00:00:00Z" },
};

static void
test_parse(void)
{
	size_t i;
	int64_t t;
	char got[TIME_RFC3339_LEN];
	int r;

	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		t = 42;
		r = time_parse(parse_cases[i].in, &t);
		if (parse_cases[i].want == NULL) {
			ok(r == -1 && t == 42, "time_parse refuses \"%s\"",
			    parse_cases[i].in);
			continue;
		}
		time_format(t, got);
		ok(r == 0 && strcmp(got, parse_cases[i].want) == 0,
		    "time_parse \"%s\" = %s (got %s)", parse_cases[i].in,
		    parse_cases[i].want, r == 0 ? got : "error");
	}
	ok(time_parse(NULL, &t) == -1, "time_parse refuses NULL");
	ok(time_parse("1970-01-01T00:00:00Z", &t) == 0 && t == 0,
	    "time_parse: the epoch is 0");
	ok(time_parse("2026-12-05T20:42:44Z", &t) == 0 && t == 1796503364,
	    "time_parse: 2026-12-05T20:42:44Z is 1796503364");
	ok(time_parse("1900-01-01", &t) == 0 && t == INT64_C(-2208988800),
	    "time_parse: 1900-01-01 is -2208988800");
}

/* Every day from 1900 to 9999 at a time of day that moves, formatted and
 * parsed back and compared with gmtime_r. */
static void
test_calendar(void)
{
	int64_t t, back, bad = 0, checked = 0;
	char s[TIME_RFC3339_LEN], d[TIME_DATE_LEN], want[64];
	struct tm tm;
	time_t tt;

	for (t = INT64_C(-2208988800); t <= INT64_C(253402300799);
	    t += 86400 + 7) {
		time_format(t, s);
		time_format_date(t, d);
		tt = (time_t)t;
		if (gmtime_r(&tt, &tm) == NULL) {
			bad++;
			break;
		}
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		if (strcmp(s, want) != 0 || strncmp(d, want, 10) != 0 ||
		    d[10] != '\0' || time_parse(s, &back) != 0 || back != t ||
		    time_parse(d, &back) != 0 || back != t - (t % 86400 +
		    86400) % 86400) {
			if (bad++ < 5)
				printf("# %lld: %s %s, want %s\n",
				    (long long)t, s, d, want);
		}
		checked++;
	}
	ok(bad == 0 && checked > 2900000,
	    "format/parse round trip agrees with gmtime_r on %lld days",
	    (long long)checked);
}

static void
test_format(void)
{
	char s[TIME_RFC3339_LEN], d[TIME_DATE_LEN];

	time_format(0, s);
	ok(strcmp(s, "1970-01-01T00:00:00Z") == 0, "time_format 0");
	time_format(-1, s);
	ok(strcmp(s, "1969-12-31T23:59:59Z") == 0, "time_format -1");
	time_format_date(-1, d);
	ok(strcmp(d, "1969-12-31") == 0, "time_format_date -1");
	time_format_date(1796503364, d);
	ok(strcmp(d, "2026-12-05") == 0, "time_format_date 1796503364");
	time_format(INT64_MAX, s);
	ok(strcmp(s, "9999-12-31T23:59:59Z") == 0,
	    "time_format clamps INT64_MAX to 9999");
	time_format(INT64_MIN, s);
	ok(strcmp(s, "0000-01-01T00:00:00Z") == 0,
	    "time_format clamps INT64_MIN to 0000");
	time_format_date(INT64_MAX, d);
	ok(strcmp(d, "9999-12-31") == 0,
	    "time_format_date clamps INT64_MAX to 9999");
	time_format(INT64_C(-62167219200), s);
	ok(strcmp(s, "0000-01-01T00:00:00Z") == 0, "time_format year 0");
	ok(strlen(s) == TIME_RFC3339_LEN - 1, "time_format length");
}

static void
test_duration(void)
{
	size_t i;
	struct duration d;
	int r;

	for (i = 0; i < sizeof duration_cases / sizeof duration_cases[0];
	    i++) {
		d.n = -1;
		d.unit = '?';
		r = duration_parse(duration_cases[i].in, &d);
		if (duration_cases[i].unit == 0)
			ok(r == -1, "duration_parse refuses \"%s\"",
			    duration_cases[i].in);
		else
			ok(r == 0 && d.n == duration_cases[i].n &&
			    d.unit == duration_cases[i].unit,
			    "duration_parse \"%s\" = %lld%c",
			    duration_cases[i].in,
			    (long long)duration_cases[i].n,
			    duration_cases[i].unit);
	}
	ok(duration_parse(NULL, &d) == -1, "duration_parse refuses NULL");
}

static void
test_add(void)
{
	size_t i;
	struct duration d;
	int64_t t;
	char got[TIME_RFC3339_LEN];
	int r;

	for (i = 0; i < sizeof add_cases / sizeof add_cases[0]; i++) {
		r = time_parse(add_cases[i].start, &t) == 0 &&
		    duration_parse(add_cases[i].dur, &d) == 0;
		if (r)
			time_format(time_add(t, &d, add_cases[i].sign), got);
		ok(r && strcmp(got, add_cases[i].want) == 0,
		    "%s %c %s = %s (got %s)", add_cases[i].start,
		    add_cases[i].sign > 0 ? '+' : '-', add_cases[i].dur,
		    add_cases[i].want, r ? got : "error");
	}
	/* Garbage from a caller must neither crash nor overflow (the
	 * sanitizer build checks the latter). */
	d.n = INT64_MAX;
	d.unit = 'y';
	time_add(INT64_MAX, &d, 1);
	time_add(INT64_MIN, &d, -1);
	d.n = INT64_MIN;
	d.unit = 'w';
	time_add(INT64_MIN, &d, 1);
	time_add(INT64_MAX, &d, -1);
	d.n = 3;
	d.unit = 'x';
	ok(time_add(1000, &d, 1) == 1000, "time_add of an unknown unit is t");
	d.n = -3;
	d.unit = 'd';
	ok(time_add(0, &d, 1) == -3 * 86400, "time_add of a negative n");
}

static void
test_now(void)
{
	int64_t t, before;

	setenv("CONSENT_NOW", "2026-12-01T12:00:00Z", 1);
	ok(time_now(&t) == 0 && t == 1796126400,
	    "time_now follows CONSENT_NOW");
	setenv("CONSENT_NOW", "2026-12-01T13:00:00+01:00", 1);
	ok(time_now(&t) == 0 && t == 1796126400,
	    "time_now follows CONSENT_NOW with an offset");
	setenv("CONSENT_NOW", "01.12.2026", 1);
	ok(time_now(&t) == 0 && t == 1796083200,
	    "time_now takes a date in CONSENT_NOW");
	t = 42;
	setenv("CONSENT_NOW", "yesterday", 1);
	ok(time_now(&t) == -1 && t == 42, "time_now refuses a bad CONSENT_NOW");
	setenv("CONSENT_NOW", "2026-02-30T12:00:00Z", 1);
	ok(time_now(&t) == -1, "time_now refuses an impossible CONSENT_NOW");
	setenv("CONSENT_NOW", "", 1);
	ok(time_now(&t) == -1, "time_now refuses an empty CONSENT_NOW");
	unsetenv("CONSENT_NOW");
	before = (int64_t)time(NULL);
	ok(time_now(&t) == 0 && t >= before && t <= (int64_t)time(NULL),
	    "time_now without CONSENT_NOW is the clock");
}

int
main(void)
{
	test_parse();
	test_calendar();
	test_format();
	test_duration();
	test_add();
	test_now();
	return done_testing();
}
