/* suppress: three keysets (keys, e-mail addresses, mobile numbers), filled
 * from list files and asked about each record. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "address.h"
#include "keyset.h"
#include "records.h"
#include "suppress.h"
#include "util.h"

struct suppress {
	struct keyset *keys, *emails, *mobiles;
	char country[3];
	size_t n;
};

struct suppress *
suppress_new(const char *country)
{
	struct suppress *sp = ecalloc(1, sizeof *sp);

	sp->keys = keyset_new();
	sp->emails = keyset_new();
	sp->mobiles = keyset_new();
	snprintf(sp->country, sizeof sp->country, "%s", country ? country : "");
	return sp;
}

void
suppress_free(struct suppress *sp)
{
	if (!sp)
		return;
	keyset_free(sp->keys);
	keyset_free(sp->emails);
	keyset_free(sp->mobiles);
	free(sp);
}

size_t
suppress_count(const struct suppress *sp)
{
	return sp->n;
}

/* The value without the blanks around it: start in *s, length returned. */
static size_t
trim(const char **s)
{
	const char *p = *s;
	size_t n = strlen(p);

	while (n > 0 && isspace((unsigned char)*p))
		p++, n--;
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	*s = p;
	return n;
}

/* The forms compared: a valid address normalised; anything else lower-
 * cased (e-mail) or as it is (mobile), trimmed, so that a value that is
 * not an address still matches the same bytes in a record. */
static size_t
email_form(const char *in, char *out, size_t outsz)
{
	size_t i, n;

	if (email_normalise(in, out, outsz) == 0)
		return strlen(out);
	n = trim(&in);
	if (n >= outsz)
		n = outsz - 1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return n;
}

static size_t
mobile_form(const char *in, const char *country, char *out, size_t outsz)
{
	size_t n;

	if (mobile_normalise(in, country, out, outsz) == 0)
		return strlen(out);
	n = trim(&in);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, in, n);
	out[n] = '\0';
	return n;
}

static void
add_key(struct suppress *sp, const char *v)
{
	size_t n = trim(&v);

	if (n > 0)
		sp->n += (size_t)keyset_add(sp->keys, v, n, 0, NULL);
}

static void
add_email(struct suppress *sp, const char *v)
{
	char e[EMAIL_MAX + 1];
	size_t n = email_form(v, e, sizeof e);

	if (n > 0)
		sp->n += (size_t)keyset_add(sp->emails, e, n, 0, NULL);
}

static void
add_mobile(struct suppress *sp, const char *v)
{
	char m[64];
	size_t n = mobile_form(v, sp->country, m, sizeof m);

	if (n > 0)
		sp->n += (size_t)keyset_add(sp->mobiles, m, n, 0, NULL);
}

/* A bare value: a key, and an address where it is one. */
static void
add_value(struct suppress *sp, const char *v)
{
	char buf[EMAIL_MAX + 1];

	add_key(sp, v);
	if (email_normalise(v, buf, sizeof buf) == 0)
		add_email(sp, v);
	else if (mobile_normalise(v, sp->country, buf, sizeof buf) == 0)
		add_mobile(sp, v);
}

/* Does this header line name id, email or mobile?  Split on the first
 * of tab, ';' and ',' that it holds; quotes around a name are allowed. */
static int
names_a_column(const char *line)
{
	const char *seps = strchr(line, '\t') ? "\t" :
	    strchr(line, ';') ? ";" : ",";
	char *copy = estrdup(line), *save = NULL, *f;
	int found = 0;

	for (f = strtok_r(copy, seps, &save); f && !found;
	    f = strtok_r(NULL, seps, &save)) {
		const char *v = f;
		size_t n = trim(&v);

		if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
			v++, n -= 2;
		found = (n == 2 && strncasecmp(v, "id", 2) == 0) ||
		    (n == 5 && strncasecmp(v, "email", 5) == 0) ||
		    (n == 6 && strncasecmp(v, "mobile", 6) == 0);
	}
	free(copy);
	return found;
}

static int
load_csv(struct suppress *sp, int fd, const char *path, char *err,
    size_t errsz)
{
	struct reader_opts opts = { 0, NULL, 0 };
	struct reader *r = reader_open(fd, path, &opts, err, errsz);
	struct record rec;
	int id, email, mobile, rc;

	if (!r)
		return -1;
	id = reader_column(r, "id");
	email = reader_column(r, "email");
	mobile = reader_column(r, "mobile");
	while ((rc = reader_next(r, &rec)) == 1) {
		add_key(sp, record_col(&rec, id));
		add_email(sp, record_col(&rec, email));
		add_mobile(sp, record_col(&rec, mobile));
	}
	if (rc < 0)
		snprintf(err, errsz, "%s:%s", path, reader_error(r));
	reader_close(r);
	return rc < 0 ? -1 : 0;
}

static int
load_lines(struct suppress *sp, FILE *fp, const char *path, char *err,
    size_t errsz)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;

	while ((n = getline(&line, &cap, fp)) > 0) {
		const char *v = line;

		lineno++;
		if (memchr(line, '\0', (size_t)n)) {
			snprintf(err, errsz, "%s:%ld: NUL byte", path, lineno);
			rc = -1;
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (lineno == 1 && strncmp(v, "\xEF\xBB\xBF", 3) == 0)
			v += 3;
		add_value(sp, v);
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

int
suppress_load(struct suppress *sp, const char *path, char *err,
    size_t errsz)
{
	FILE *fp = fopen(path, "rb");
	char *first = NULL;
	size_t cap = 0;
	int rc;

	if (!fp) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (getline(&first, &cap, fp) > 0 && names_a_column(first)) {
		/* The reader reads the descriptor from its start. */
		if (lseek(fileno(fp), 0, SEEK_SET) < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			rc = -1;
		} else
			rc = load_csv(sp, fileno(fp), path, err, errsz);
	} else {
		rewind(fp);
		rc = load_lines(sp, fp, path, err, errsz);
	}
	free(first);
	fclose(fp);
	return rc;
}

int
suppress_match(const struct suppress *sp, const char *key,
    const char *email, const char *mobile)
{
	char buf[EMAIL_MAX + 1];
	size_t n;

	n = trim(&key);
	if (n > 0 && keyset_find(sp->keys, key, n, NULL))
		return 1;
	if (*email && keyset_count(sp->emails) > 0) {
		n = email_form(email, buf, sizeof buf);
		if (n > 0 && keyset_find(sp->emails, buf, n, NULL))
			return 1;
	}
	if (*mobile && keyset_count(sp->mobiles) > 0) {
		n = mobile_form(mobile, sp->country, buf, sizeof buf);
		if (n > 0 && keyset_find(sp->mobiles, buf, n, NULL))
			return 1;
	}
	return 0;
}
