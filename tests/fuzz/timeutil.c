/* Fuzz target: dates and durations as the tools take them from options,
 * records and CONSENT_NOW.  A time that parses must come back the same
 * from its RFC 3339 form; a duration must add and subtract without
 * overflow (the sanitizers see to that). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), f[TIME_RFC3339_LEN], dt[TIME_DATE_LEN];
	struct duration d;
	int64_t t, again;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (time_parse(s, &t) == 0) {
		time_format(t, f);
		time_format_date(t, dt);
		if (strlen(f) != TIME_RFC3339_LEN - 1 ||
		    strlen(dt) != TIME_DATE_LEN - 1 ||
		    time_parse(f, &again) < 0 || again != t)
			abort();
	} else
		t = INT64_C(1796126400);	/* 2026-12-01T12:00:00Z */
	if (duration_parse(s, &d) == 0) {
		if (d.n < 0)
			abort();
		time_format(time_add(t, &d, 1), f);
		time_format(time_add(t, &d, -1), f);
		time_format(time_add(INT64_MAX, &d, 1), f);
		time_format(time_add(INT64_MIN, &d, -1), f);
	}
	free(s);
	return 0;
}
