/* Unit tests of lib/mask and lib/tombset, as TAP on stdout.  The rules
 * that need no key are a table of input and output; the keyed ones are
 * checked for their form, their stability and their dependence on the
 * key; the tombset's hash must be the store's. */
#include <stdio.h>
#include <string.h>

#include "mask.h"
#include "store.h"
#include "tap.h"
#include "tombset.h"
#include "util.h"

static const struct {
	enum mask_rule rule;
	const char *in, *want;
} cases[] = {
	{ MASK_BLANK, "Ola Nordmann", "" },
	{ MASK_BLANK, "", "" },
	{ MASK_PARTIAL, "kari@example.no", "k***@example.no" },
	{ MASK_PARTIAL, " kari@example.no ", "k***@example.no" },
	{ MASK_PARTIAL, "\xc3\x98ystein@example.no", "\xc3\x98***@example.no" },
	{ MASK_PARTIAL, "a@b@example.no", "a***@example.no" },
	{ MASK_PARTIAL, "@example.no", "@***" },
	{ MASK_PARTIAL, "+47 912 34 567", "+** *** ** *67" },
	{ MASK_PARTIAL, "91234567", "******67" },
	{ MASK_PARTIAL, "12", "**" },
	{ MASK_PARTIAL, "7", "*" },
	{ MASK_PARTIAL, "123", "*23" },
	{ MASK_PARTIAL, "Storgata 12", "S***" },
	{ MASK_PARTIAL, "\xc3\x85se", "\xc3\x85***" },
	{ MASK_PARTIAL, "", "" },
	{ MASK_YEAR, "2026-11-22", "2026" },
	{ MASK_YEAR, "22.11.2026", "2026" },
	{ MASK_YEAR, "1.2.2026", "2026" },
	{ MASK_YEAR, "2026-12-31T23:30:00-02:00", "2027" },
	{ MASK_YEAR, "2026", "2026" },
	{ MASK_YEAR, "31.02.2026", "" },
	{ MASK_YEAR, "soon", "" },
	{ MASK_YEAR, "", "" },
};

static int
is_hex16(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return i == 16;
}

static int
is_fake(const char *s)
{
	size_t i, j;
	char buf[128];

	for (i = 0; i < fake_nfirst; i++)
		for (j = 0; j < fake_nlast; j++) {
			snprintf(buf, sizeof buf, "%s %s", fake_first_names[i],
			    fake_last_names[j]);
			if (strcmp(buf, s) == 0)
				return 1;
		}
	return 0;
}

static void
keyed_rules(void)
{
	unsigned char k1[32], k2[32];
	struct mask *m1, *m2, *none;
	struct buf a = { 0 }, b = { 0 };

	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	m1 = mask_new(k1);
	m2 = mask_new(k2);
	none = mask_new(NULL);
	mask_value(m1, MASK_HASH, "ola@example.no", 14, &a);
	ok(is_hex16(a.s), "hash: 16 hex digits (%s)", a.s);
	mask_value(m1, MASK_HASH, " ola@example.no\t", 16, &b);
	ok(strcmp(a.s, b.s) == 0, "hash: blanks around ignored, stable");
	mask_value(m2, MASK_HASH, "ola@example.no", 14, &b);
	ok(strcmp(a.s, b.s) != 0, "hash: another key, another hash");
	mask_value(m1, MASK_HASH, "kari@example.no", 15, &b);
	ok(strcmp(a.s, b.s) != 0, "hash: another value, another hash");
	mask_value(m1, MASK_FAKE, "Ola Nordmann", 12, &a);
	ok(is_fake(a.s), "fake: a first and a last name of the lists (%s)",
	    a.s);
	mask_value(m1, MASK_FAKE, "Ola Nordmann", 12, &b);
	ok(strcmp(a.s, b.s) == 0, "fake: stable");
	mask_value(m1, MASK_FAKE, "", 0, &b);
	ok(strcmp(b.s, "") == 0, "fake: empty stays empty");
	mask_value(none, MASK_HASH, "x", 1, &b);
	ok(strcmp(b.s, "") == 0, "hash without a key: blank, never clear");
	ok(fake_nfirst >= 32 && fake_nlast >= 32, "the lists: %zu first, %zu"
	    " last names", fake_nfirst, fake_nlast);
	buf_free(&a);
	buf_free(&b);
	mask_free(m1);
	mask_free(m2);
	mask_free(none);
}

static void
tombsets(void)
{
	unsigned char key[32], h1[32], h2[32];
	struct tombset *t;

	memset(key, 7, sizeof key);
	t = tombset_new(key);
	tombstone_hash(key, "email", "ola@example.no", h1);
	tombset_hash(t, "email", "ola@example.no", 14, h2);
	ok(memcmp(h1, h2, 32) == 0, "tombset_hash is the store's hash");
	ok(!tombset_match(t, "k1", "ola@example.no", ""),
	    "an empty set matches nothing");
	tombset_add(t, "email", h1);
	tombstone_hash(key, "key", "k9", h1);
	tombset_add(t, "key", h1);
	ok(tombset_count(t) == 2, "two tombstones");
	ok(tombset_match(t, "k1", "ola@example.no", NULL), "by e-mail");
	ok(tombset_match(t, "k9", "", ""), "by key");
	ok(!tombset_match(t, "k1", "kari@example.no", "+4791234567"),
	    "no match");
	ok(!tombset_match(t, "ola@example.no", "", ""),
	    "the kinds are kept apart");
	tombset_free(t);
}

int
main(void)
{
	struct mask *m = mask_new(NULL);
	struct buf out = { 0 };
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mask_value(m, cases[i].rule, cases[i].in, strlen(cases[i].in),
		    &out);
		ok(strcmp(out.s, cases[i].want) == 0, "%s '%s' -> '%s' (got"
		    " '%s')", mask_rule_names[cases[i].rule], cases[i].in,
		    cases[i].want, out.s);
	}
	ok(mask_rule_parse("fake", 4) == MASK_FAKE, "parse: fake");
	ok(mask_rule_parse("fak", 3) < 0, "parse: fak is no rule");
	buf_free(&out);
	mask_free(m);
	keyed_rules();
	tombsets();
	return done_testing();
}
