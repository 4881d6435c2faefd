/* tests/unit/tap.h: the TAP harness of the unit tests, each of which is
 * one C file that includes it.
 *
 *	ok(cond, fmt, ...)	"ok N - description", or "not ok N - ..."
 *	diag(label, text)	a text of any lines as TAP comments
 *	return done_testing();	the plan at the end (nobody counts tests
 *				by hand) and the exit status: 1 when a
 *				test failed
 *
 * Static, and inline so that a test that calls no diag() is not warned
 * of an unused function. */
#ifndef CONSENT_TAP_H
#define CONSENT_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int ntest, nfailed;

/* Print s and a newline, control bytes as \xNN: a newline or a tab of an
 * input in a description would break the TAP line. */
static inline void
tap_line(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			printf("\\x%02x", (unsigned char)*p);
		else
			putchar(*p);
	putchar('\n');
}

static inline void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	char desc[512];

	ntest++;
	if (!cond)
		nfailed++;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	printf("%sok %d - ", cond ? "" : "not ", ntest);
	tap_line(desc);
}

/* Print a multi-line text as TAP comments. */
static inline void
diag(const char *label, const char *s)
{
	printf("# %s:\n#   ", label);
	for (; *s != '\0'; s++) {
		putchar(*s);
		if (*s == '\n')
			printf("#   ");
	}
	putchar('\n');
}

static inline int
done_testing(void)
{
	printf("1..%d\n", ntest);
	return nfailed != 0;
}

#endif
