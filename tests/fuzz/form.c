/* Fuzz target: the landing service's form parser (cmd/consent-landing/
 * form.c), on a POST body as it arrives.  Decoding never makes a field
 * longer than its bytes in the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "landing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	size_t size, total;
};

static int
field(void *arg, const char *name, const char *value)
{
	struct seen *s = arg;

	s->total += strlen(name) + strlen(value);
	if (s->total > s->size)
		abort();
	/* The form's own checkboxes, as answer.c looks for them. */
	return !strcmp(name, "stop");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of just the body's bytes, as http.c gathers them, so that
	 * a read past its end is seen. */
	char *body = malloc(size ? size : 1);
	struct seen s = { size, 0 };

	if (!body)
		abort();
	memcpy(body, data, size);
	form_each(body, size, field, &s);
	free(body);
	return 0;
}
