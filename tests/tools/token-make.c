/* token-make SECRET_FILE KIND SUBJECT EXPIRES PURPOSES LANG: for the
 * tests.  Writes the token that lib/token makes for the fields (KIND r
 * or p, EXPIRES as RFC 3339, PURPOSES as a bit mask in decimal, LANG two
 * letters), signed with the secret in SECRET_FILE (one trailing newline
 * dropped, as config_read_secret does).  Exit 0, or 2 on a usage error
 * or a field that does not fit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "token.h"

static int
usage(void)
{
	fprintf(stderr, "usage: token-make SECRET_FILE r|p SUBJECT EXPIRES"
	    " PURPOSES LANG\n");
	return 2;
}

int
main(int argc, char **argv)
{
	unsigned char secret[8192];
	char out[TOKEN_MAX];
	struct token t = { 0 };
	size_t n;
	FILE *fp;

	if (argc != 7 || strlen(argv[2]) != 1 || strlen(argv[6]) != 2 ||
	    !(fp = fopen(argv[1], "rb")))
		return usage();
	n = fread(secret, 1, sizeof secret, fp);
	fclose(fp);
	if (n > 0 && secret[n - 1] == '\n')
		n--;
	if (n > 0 && secret[n - 1] == '\r')
		n--;
	t.kind = (enum token_kind)argv[2][0];
	t.subject = (uint32_t)strtoul(argv[3], NULL, 10);
	if (time_parse(argv[4], &t.expires) < 0)
		return usage();
	t.purposes = (uint16_t)strtoul(argv[5], NULL, 10);
	memcpy(t.lang, argv[6], 3);
	if (token_make(secret, n, &t, out) < 0)
		return usage();
	puts(out);
	return 0;
}
