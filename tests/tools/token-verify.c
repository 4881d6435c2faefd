/* token-verify SECRET_FILE: for the tests.  Reads links or bare tokens,
 * one a line, on stdin and verifies each with lib/token under the secret
 * in SECRET_FILE (one trailing newline dropped, as config_read_secret
 * does).  Writes "KIND SUBJECT EXPIRES PURPOSES LANG" for a good token
 * (KIND r or p, EXPIRES as RFC 3339, PURPOSES as a bit mask in decimal)
 * and "bad" for any other line.  Exit 0 when every line was good, 1 when
 * one was bad, 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "token.h"

int
main(int argc, char **argv)
{
	unsigned char secret[8192];
	char *line = NULL, when[TIME_RFC3339_LEN];
	size_t cap = 0, n;
	ssize_t len;
	FILE *fp;
	int bad = 0;

	if (argc != 2 || !(fp = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: token-verify SECRET_FILE < tokens\n");
		return 2;
	}
	n = fread(secret, 1, sizeof secret, fp);
	fclose(fp);
	if (n > 0 && secret[n - 1] == '\n')
		n--;
	if (n > 0 && secret[n - 1] == '\r')
		n--;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		struct token t;
		char *tok;

		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		/* A link: the token is what follows the last '/'. */
		tok = strrchr(line, '/');
		tok = tok ? tok + 1 : line;
		if (token_verify(secret, n, tok, &t) < 0) {
			puts("bad");
			bad = 1;
			continue;
		}
		time_format(t.expires, when);
		printf("%c %u %s %u %s\n", (char)t.kind, t.subject, when,
		    t.purposes, t.lang);
	}
	free(line);
	return bad;
}
