/* Unit tests of lib/util's tables (ecalloc_table, erealloc_table,
 * free_table) and of a keyset big enough to live in one, as TAP on
 * stdout.  The tables of megabytes are mapped, not taken from malloc, so
 * the suite's small stores never reach them. */
#include <stdint.h>
#include <string.h>

#include "keyset.h"
#include "util.h"
#include "tap.h"

#define MIB ((size_t)1 << 20)

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void
test_tables(void)
{
	unsigned char *small = ecalloc_table(1000, 1);
	unsigned char *big = ecalloc_table(3 * MIB + 5, 1);
	uint32_t *grown;
	size_t i;
	int same = 1;

	ok(small && all_zero(small, 1000), "a small table: zeroed");
	ok(big && all_zero(big, 3 * MIB + 5), "a table of 3 MiB: zeroed");
	ok((uintptr_t)big % (2 * MIB) == 0,
	    "and on a huge page boundary");
	if (!small || !big)
		return;
	memset(big, 0xab, 3 * MIB + 5);
	free_table(big, 3 * MIB + 5, 1);
	free_table(small, 1000, 1);
	free_table(NULL, 0, 1);

	grown = erealloc_table(NULL, 0, 1024, sizeof *grown);
	if (!grown)
		return;
	for (i = 0; i < 1024; i++)
		grown[i] = (uint32_t)i * 7;
	/* small to mapped, then mapped to a bigger mapping */
	grown = erealloc_table(grown, 1024, 1 << 20, sizeof *grown);
	for (i = 1024; i < 1 << 20; i++)
		grown[i] = (uint32_t)i * 7;
	grown = erealloc_table(grown, 1 << 20, 1 << 21, sizeof *grown);
	for (i = 0; i < 1 << 20; i++)
		same &= grown[i] == (uint32_t)i * 7;
	ok(same, "a table grown from the heap into mappings keeps its"
	    " entries");
	grown[(1 << 21) - 1] = 1;
	free_table(grown, 1 << 21, sizeof *grown);
}

/* 400000 keys: the slots (16 bytes each, at most 3/4 full) are 16 MiB. */
static void
test_big_keyset(void)
{
	struct keyset *ks = keyset_new();
	char key[32];
	uint64_t v;
	int i, n, found = 1, absent = 1;

	for (i = 0; i < 400000; i++) {
		n = snprintf(key, sizeof key, "K%d", i);
		keyset_add(ks, key, (size_t)n, (uint64_t)i, NULL);
	}
	for (i = 0; i < 400000; i++) {
		n = snprintf(key, sizeof key, "K%d", i);
		found &= keyset_find(ks, key, (size_t)n, &v) && v == (uint64_t)i;
		n = snprintf(key, sizeof key, "X%d", i);
		absent &= !keyset_find(ks, key, (size_t)n, NULL);
	}
	ok(keyset_count(ks) == 400000 && found, "a keyset grown to 400000"
	    " keys through mapped tables finds each with its value");
	ok(absent, "and none of 400000 others");
	keyset_free(ks);

	ks = keyset_new();
	keyset_reserve(ks, 300000);
	for (i = 0; i < 300000; i++) {
		n = snprintf(key, sizeof key, "%d", i);
		keyset_add(ks, key, (size_t)n, (uint64_t)i, NULL);
	}
	n = snprintf(key, sizeof key, "%d", 299999);
	ok(keyset_find(ks, key, (size_t)n, &v) && v == 299999,
	    "a keyset reserved for 300000 keys holds them");
	keyset_free(ks);
}

int
main(void)
{
	test_tables();
	test_big_keyset();
	return done_testing();
}
