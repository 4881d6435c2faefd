/* Unit tests of lib/store and lib/audit where the tools cannot reach, as
 * TAP on stdout.
 *
 * The event hashes below were computed independently of lib/audit.c, with
 * Python's hashlib following the layout described there (the previous
 * hash, then the seq and the eleven fields, each prefixed by a zero byte
 * and its length in 32 bits big-endian, or by five 0xff bytes for NULL):
 *
 *	def field(v):
 *	    if v is None: return b'\xff' * 5
 *	    b = v.encode()
 *	    return b'\0' + len(b).to_bytes(4, 'big') + b
 *	hashlib.blake2b(prev + field(str(seq)) + b''.join(map(field,
 *	    fields)), digest_size=16).hexdigest()
 *
 * so that a change of the chain's format, which would make every stored
 * chain fail consent-log --verify, shows here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define HASH_LEN 16

/* lib/audit.c's, declared there for the store's files and for this test */
void audit_hash(const unsigned char prev[HASH_LEN], long long seq,
    const char *const fields[11], unsigned char out[HASH_LEN]);

static int ntest, nfailed;

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
hex(const unsigned char *h, char out[2 * HASH_LEN + 1])
{
	int i;

	for (i = 0; i < HASH_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void
check_hash(const char *name, const unsigned char prev[HASH_LEN],
    long long seq, const char *const f[11], const char *want)
{
	unsigned char h[HASH_LEN];
	char got[2 * HASH_LEN + 1];

	audit_hash(prev, seq, f, h);
	hex(h, got);
	ok(strcmp(got, want) == 0, "audit_hash: %s (%s)", name, got);
}

static void
test_hashes(void)
{
	static char long_evidence[1501];
	unsigned char zero[HASH_LEN] = { 0 }, prev[HASH_LEN];
	const char *import[11] = { "2026-01-01T00:00:00Z", "ola",
	    "consent-import", "10001", "emarketing", "unknown", "granted",
	    "consent", "import", "kunder.csv:2 status=R", NULL };
	const char *longer[11] = { "2026-01-01T00:00:00Z", "ola",
	    "consent-import", "10001", "emarketing", "unknown", "granted",
	    "consent", "import", long_evidence, "7" };
	const char *erasure[11] = { "2026-01-01T00:00:00Z", "ola",
	    "consent-erase", "erased-0123456789abcdef", NULL, "active",
	    "erased", NULL, NULL, "", NULL };
	int i;

	for (i = 0; i < HASH_LEN; i++)
		prev[i] = (unsigned char)i;
	memset(long_evidence, 'x', sizeof long_evidence - 1);
	check_hash("the first event", zero, 1, import,
	    "0fc919dee512b394426ba9f965aad9b5");
	/* longer than what is hashed from the stack in one call */
	check_hash("an event of 1.5 kB", prev, 123456789012LL, longer,
	    "a4350c58f38738def3ef38285d686182");
	check_hash("NULL differs from the empty string", prev, 2, erasure,
	    "39e9c60642b157bee4c32a9e37bce280");
}

int
main(void)
{
	test_hashes();
	printf("1..%d\n", ntest);
	return nfailed ? 1 : 0;
}
