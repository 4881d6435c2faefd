/* values: consent answers as Nordic registers write them, language codes. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "values.h"

static const struct {
	const char *word;
	int state;
} answers[] = {
	{ "yes", 1 }, { "ja", 1 }, { "j", 1 }, { "y", 1 }, { "1", 1 },
	{ "true", 1 }, { "granted", 1 }, { "kyllä", 1 }, { "KYLLÄ", 1 },
	{ "Kyllä", 1 },
	{ "no", 2 }, { "nei", 2 }, { "nej", 2 }, { "n", 2 }, { "ei", 2 },
	{ "0", 2 }, { "false", 2 }, { "denied", 2 },
	{ "withdrawn", 3 },
};

char *
trim_blanks(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

int
consent_value_parse(const char *s)
{
	size_t i, n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	/* strncasecmp folds ASCII only, hence the spelled-out "kyllä"s. */
	for (i = 0; i < sizeof answers / sizeof answers[0]; i++)
		if (strlen(answers[i].word) == n &&
		    strncasecmp(answers[i].word, s, n) == 0)
			return answers[i].state;
	return -1;
}

int
lang_normalise(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s), i;

	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	if (n < 2 || n > 3 || n >= outsz)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isascii((unsigned char)s[i]) ||
		    !isalpha((unsigned char)s[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[n] = '\0';
	return 0;
}
