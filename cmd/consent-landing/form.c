/* form: the fields of an application/x-www-form-urlencoded body, the
 * way browsers write them: name=value pairs joined by '&', '+' for a
 * space, %XX for other bytes.  A broken escape is kept as it stands, as
 * browsers do with what they do not understand, rather than failing the
 * customer's answer. */
#include <stdlib.h>
#include <string.h>

#include "landing.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode n bytes of s into out, which has room for n + 1. */
static void
decode(const char *s, size_t n, char *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			*out++ = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			*out++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*out++ = s[i];
	}
	*out = '\0';
}

void
form_each(const char *body, size_t len,
    int (*fn)(void *arg, const char *name, const char *value), void *arg)
{
	const char *p = body, *end = body + len, *amp, *eq, *val;
	char *name = emalloc(len + 1), *value = emalloc(len + 1);

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		/* A field without '=' is a name with an empty value. */
		eq = memchr(p, '=', (size_t)(amp - p));
		val = eq ? eq + 1 : amp;
		decode(p, (size_t)((eq ? eq : amp) - p), name);
		decode(val, (size_t)(amp - val), value);
		if (fn(arg, name, value))
			break;
		p = amp + 1;
	}
	free(name);
	free(value);
}
