/* Fuzz target: the token verifier.  The input is the token as it comes
 * in a path; one that verifies must decode to fields that make the same
 * token again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The valid seeds in corpus/token were made with this secret in a file
 * and tests/tools/token-make, e.g. "token-make FILE r 1
 * 2027-06-01T00:00:00Z 3 nb"; the service's target uses it too. */
static const unsigned char secret[] = "consent fuzz secret";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), again[TOKEN_MAX];
	struct token t;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (token_verify(secret, sizeof secret - 1, s, &t) == 0) {
		if (token_make(secret, sizeof secret - 1, &t, again) < 0 ||
		    strcmp(again, s) != 0)
			abort();
	}
	free(s);
	return 0;
}
