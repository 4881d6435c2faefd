/* mask: the anonymisation rules of consent-erase --anonymise.  Stable
 * rules (hash, fake) are keyed, so that the same value always gives the
 * same pseudonym under one store and no one without the key can test a
 * guess against it.  Knows no store and no network. */
#ifndef CONSENT_MASK_H
#define CONSENT_MASK_H

#include <stddef.h>

#include "util.h"

enum mask_rule {
	MASK_BLANK,	/* "" */
	MASK_HASH,	/* 16 hex digits of a keyed BLAKE2b of the value */
	MASK_PARTIAL,	/* k***@example.no, ******67, O*** */
	MASK_YEAR,	/* a date to its year: 2026 */
	MASK_FAKE,	/* a stable fake Nordic name: "Sigrid Haugen" */
	MASK_NRULES
};

extern const char *const mask_rule_names[MASK_NRULES];

/* A rule by name; -1 when unknown. */
int mask_rule_parse(const char *name, size_t len);
/* Does the rule need the key? */
int mask_rule_keyed(enum mask_rule rule);

struct mask;

/* key: 32 bytes (the store's tombstone key), or NULL when no keyed rule
 * is used.  The keys of the rules are derived from it. */
struct mask *mask_new(const unsigned char *key);
void mask_free(struct mask *m);

/* The value (n bytes of UTF-8; blanks around it ignored) masked by rule,
 * into out (reset first).  An empty value stays empty under every rule;
 * year gives "" for a value that is not a date. */
void mask_value(const struct mask *m, enum mask_rule rule, const char *v,
    size_t n, struct buf *out);

/* The bundled names the fake rule picks from (lib/fakenames.c). */
extern const char *const fake_first_names[];
extern const char *const fake_last_names[];
extern const size_t fake_nfirst, fake_nlast;

#endif
