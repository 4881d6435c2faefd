/* config: the INI file of consent.conf(5) and the secrets it names.
 * Knows no store and no network. */
#ifndef CONSENT_CONFIG_H
#define CONSENT_CONFIG_H

#include <stddef.h>

struct config;

/* A purpose: the four defaults of SPEC.md (service/contract,
 * emarketing/consent, partners/consent, profiling/consent) plus every
 * [purpose.NAME] section, in that order (a configured default purpose
 * keeps its place and takes the configured keys). */
struct purpose {
	const char *name;
	const char *basis;	/* one of the legal bases of SPEC.md */
	int active;		/* 0 when "active = no" */
};

/* Load the configuration: path if not NULL, else $CONSENT_CONFIG if set,
 * else /etc/consent/consent.conf if it exists, else defaults only.  A
 * given file (by path or $CONSENT_CONFIG) that cannot be read is an error.
 * On error returns NULL and writes "FILE:LINE: message" (or "FILE:
 * message") into err.  Unknown sections/keys are ignored; a purpose name
 * must match [a-z0-9_-]+; basis must be a known legal basis; active must
 * be yes/no/true/false/1/0; otherwise an error naming file and line. */
struct config *config_load(const char *path, char *err, size_t errsz);
void config_free(struct config *cfg);

/* The path actually loaded, or NULL when running on defaults. */
const char *config_path(const struct config *cfg);

/* The value of key in [section], or NULL.  Values are trimmed; the last
 * assignment wins.  For example config_get(cfg, "company", "info.nb"). */
const char *config_get(const struct config *cfg, const char *section,
    const char *key);
/* The same with a fallback. */
const char *config_get_or(const struct config *cfg, const char *section,
    const char *key, const char *fallback);

/* Defaults applied by config_get_or callers are documented in
 * consent.conf(5); the ones the library itself knows: */
const char *config_company_lang(const struct config *cfg);	/* "nb" */
const char *config_company_country(const struct config *cfg);	/* "NO" */

size_t config_npurposes(const struct config *cfg);
const struct purpose *config_purpose_at(const struct config *cfg, size_t i);
const struct purpose *config_purpose(const struct config *cfg,
    const char *name);
/* Title of a purpose in a language: [purpose.NAME] title.LANG, else
 * built-in titles of the four defaults in nb, sv, da, fi, en, else
 * title.en, else the name. */
const char *config_purpose_title(const struct config *cfg, const char *name,
    const char *lang);

/* Is s one of the legal bases of SPEC.md? */
int basis_valid(const char *s);
/* Is s one of the sources of SPEC.md? */
int source_valid(const char *s);

/* Read the secret in the file named by [section] key (a relative path is
 * taken relative to the configuration file's folder).  The trailing
 * newline is dropped.  Returns a malloc'd NUL-terminated string with its
 * length in *len, or NULL with a message in err (no key, unreadable,
 * empty). A file readable by group or others is an error too: secrets
 * must be mode 0600 or 0400. */
char *config_read_secret(const struct config *cfg, const char *section,
    const char *key, size_t *len, char *err, size_t errsz);

#endif
