/* suppress: lists of keys, e-mail addresses and mobile numbers not to
 * contact (bounces, complaints, a do-not-call register's export), loaded
 * from files and matched against records, compared normalised. */
#ifndef CONSENT_SUPPRESS_H
#define CONSENT_SUPPRESS_H

#include <stddef.h>

struct suppress;

/* country: the default country of national mobile numbers. */
struct suppress *suppress_new(const char *country);
void suppress_free(struct suppress *sp);

/* Add the values of a file.  A first line that names id, email or mobile
 * (alone or among other columns; CSV, ';' or TSV) makes it a CSV with a
 * header, whose named columns are read; otherwise every line is one value,
 * taken as a key, and also as an e-mail address or a mobile number where
 * it is one.  Blank lines are skipped.  0, or -1 with "FILE:LINE: message"
 * or "FILE: message" in err. */
int suppress_load(struct suppress *sp, const char *path, char *err,
    size_t errsz);

/* Is the key, e-mail or mobile (raw as in a record; any may be "") on a
 * list? */
int suppress_match(const struct suppress *sp, const char *key,
    const char *email, const char *mobile);

size_t suppress_count(const struct suppress *sp);

#endif
