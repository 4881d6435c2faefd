/* Fuzz target: e-mail and mobile numbers.  The first byte chooses the
 * default country and how small the output buffer is; a normalised
 * address must be a fixed point (normalising it again gives itself), and
 * a mobile number must be E.164. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const countries[] = {
	"NO", "SE", "DK", "FI", "IS", "DE", "GB", "XX"
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[EMAIL_MAX + 1], again[EMAIL_MAX + 1], *s, *o;
	const char *cc;
	size_t outsz, i;

	if (size < 1)
		return 0;
	cc = countries[data[0] & 7];
	/* Mostly the real size, sometimes a short one. */
	outsz = data[0] & 0x80 ? (size_t)(data[0] >> 3 & 0x0f) + 1 :
	    sizeof out;
	if (!(s = malloc(size)) || !(o = malloc(outsz)))
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (email_normalise(s, o, outsz) == 0) {
		if (strlen(o) >= outsz || email_normalise(o, out,
		    sizeof out) < 0 || strcmp(o, out) != 0)
			abort();
	}
	if (mobile_normalise(s, cc, o, outsz) == 0) {
		if (strlen(o) >= outsz || o[0] != '+' || strlen(o) > 16)
			abort();
		for (i = 1; o[i]; i++)
			if (o[i] < '0' || o[i] > '9')
				abort();
		/* E.164 in, the same out, whatever the default country. */
		if (mobile_normalise(o, "NO", again, sizeof again) < 0 ||
		    strcmp(o, again) != 0)
			abort();
	}
	(void)country_known(s);
	free(o);
	free(s);
	return 0;
}
