/* config: the INI file of consent.conf(5) and the secrets it names.
 * Knows no store and no network.
 *
 * The syntax is inih's: "[section]", "key = value" (or "key: value"),
 * whole-line comments starting with ';' or '#', and an inline comment
 * after " ;" (a ';' preceded by a blank).  Section and key names are
 * case-sensitive; quotes are kept as part of the value.  A line of at most
 * 198 bytes; a longer value continues on following lines that start with a
 * blank (Python configparser style).  Such continuation lines are joined
 * to the value with "\n", their leading blanks dropped; a blank line
 * between two of them is kept (so a text can have paragraphs), comment
 * lines are skipped, and a section header ends the value.  Beware that an
 * indented "key = value" after a value is a continuation, not a key. */
#ifndef CONSENT_CONFIG_H
#define CONSENT_CONFIG_H

#include <stddef.h>

struct config;

/* A purpose: the four defaults of SPEC.md (service/contract,
 * emarketing/consent, partners/consent, profiling/consent) plus every
 * [purpose.NAME] section, in that order (a configured default purpose
 * keeps its place and takes the configured keys).  A new purpose has basis
 * consent and is active unless its section says otherwise; an empty
 * section is enough to add one. */
struct purpose {
	const char *name;
	const char *basis;	/* one of the legal bases of SPEC.md */
	int active;		/* 0 when "active = no" */
};

/* Load the configuration: path if not NULL, else $CONSENT_CONFIG if set
 * and not empty, else /etc/consent/consent.conf if it exists, else
 * defaults only.  A given file (by path or $CONSENT_CONFIG) that cannot be
 * read is an error.  On error returns NULL and writes "FILE:LINE: message"
 * (or "FILE: message") into err, naming the first bad line.  Unknown
 * sections/keys are ignored; a purpose name must match [a-z0-9_-]+; basis
 * must be a known legal basis; active must be yes/no/true/false/1/0 (any
 * case); otherwise an error naming file and line. */
struct config *config_load(const char *path, char *err, size_t errsz);
void config_free(struct config *cfg);

/* The path actually loaded, or NULL when running on defaults. */
const char *config_path(const struct config *cfg);

/* The value of key in [section], or NULL.  Values are trimmed ("key ="
 * gives ""); the last assignment wins.  For example config_get(cfg,
 * "company", "info.nb"). */
const char *config_get(const struct config *cfg, const char *section,
    const char *key);
/* The same with a fallback. */
const char *config_get_or(const struct config *cfg, const char *section,
    const char *key, const char *fallback);

/* Defaults applied by config_get_or callers are documented in
 * consent.conf(5); the ones the library itself knows (an empty value
 * means the default here too): */
const char *config_company_lang(const struct config *cfg);	/* "nb" */
const char *config_company_country(const struct config *cfg);	/* "NO" */

size_t config_npurposes(const struct config *cfg);
const struct purpose *config_purpose_at(const struct config *cfg, size_t i);
const struct purpose *config_purpose(const struct config *cfg,
    const char *name);
/* Title of a purpose in a language: [purpose.NAME] title.LANG, else the
 * built-in title (the four defaults have them in nb, sv, da, fi, en);
 * failing both, the same in the company's language, then in en; else the
 * name itself. */
const char *config_purpose_title(const struct config *cfg, const char *name,
    const char *lang);

/* Is s one of the legal bases of SPEC.md? */
int basis_valid(const char *s);
/* Is s one of the sources of SPEC.md? */
int source_valid(const char *s);

/* Read the secret in the file named by [section] key (a relative path is
 * taken relative to the configuration file's folder).  One trailing "\n"
 * or "\r\n" is dropped.  Returns a malloc'd NUL-terminated string with
 * its length in *len, or NULL with a message in err (no key, unreadable,
 * not a regular file, empty, over 8 KiB).  A file with any permission bit
 * for group or others is an error too: secrets must be mode 0600 or
 * 0400. */
char *config_read_secret(const struct config *cfg, const char *section,
    const char *key, size_t *len, char *err, size_t errsz);

/* The landing secret, which signs every link: config_read_secret of
 * [landing] secret_file, refused when shorter than LANDING_SECRET_MIN
 * bytes, since a short HMAC key can be guessed from a link. */
#define LANDING_SECRET_MIN 32
char *config_read_landing_secret(const struct config *cfg, size_t *len,
    char *err, size_t errsz);

#endif
