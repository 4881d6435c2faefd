/* util: the helpers every tool and module leans on.  Messages always start
 * with the program name; allocation failure is fatal (exit 2) because no
 * tool can do anything useful without memory. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"

const char *argv0 = "consent";

void
setprogname(const char *name)
{
	const char *slash = strrchr(name, '/');

	argv0 = slash ? slash + 1 : name;
}

void
vweprintf(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t len = strlen(fmt);

	fprintf(stderr, "%s: ", argv0);
	vfprintf(stderr, fmt, ap);
	if (len > 0 && fmt[len - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void
weprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vweprintf(fmt, ap);
	va_end(ap);
}

noreturn void
eprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vweprintf(fmt, ap);
	va_end(ap);
	exit(EXIT_ERR);
}

void *
emalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		eprintf("malloc:");
	return p;
}

void *
ecalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		eprintf("calloc:");
	return p;
}

/* Huge pages are 2 MiB on x86-64 and arm64 (with 4 KiB pages). */
#define HUGE_PAGE ((size_t)2 << 20)

static size_t
table_bytes(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size - HUGE_PAGE)
		eprintf("calloc: %zu x %zu bytes", n, size);
	return (n * size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

/* A table of megabytes is touched all over at once (a hash table), and a
 * fault a page costs: 8 MiB in 4 KiB pages took 22 ms, in huge pages under
 * 1 ms.  So it is mapped on a huge page boundary and the kernel asked for
 * huge pages (it may say no: then it is an ordinary mapping).  A smaller
 * one comes from calloc. */
void *
ecalloc_table(size_t n, size_t size)
{
	size_t len, lead;
	char *p;

	if (n * size < HUGE_PAGE)
		return ecalloc(n, size);
	len = table_bytes(n, size);
	/* a huge page more than needed, and the ends around the aligned
	 * table given back */
	p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		eprintf("mmap:");
	lead = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	if (lead)
		munmap(p, lead);
	munmap(p + lead + len, HUGE_PAGE - lead);
	p += lead;
	(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}

void
free_table(void *p, size_t n, size_t size)
{
	if (!p)
		return;
	if (n * size < HUGE_PAGE)
		free(p);
	else
		munmap(p, table_bytes(n, size));
}

/* Grown by doubling, a table is copied into its new place: a copy costs
 * less than the faults of its pages would (and mremap would not keep it
 * on a huge page boundary). */
void *
erealloc_table(void *p, size_t oldn, size_t newn, size_t size)
{
	void *q;

	if (newn * size < HUGE_PAGE)
		return erealloc(p, newn * size);
	q = ecalloc_table(newn, size);
	if (p)
		memcpy(q, p, (oldn < newn ? oldn : newn) * size);
	free_table(p, oldn, size);
	return q;
}

void *
erealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		eprintf("realloc:");
	return p;
}

char *
estrdup(const char *s)
{
	return estrndup(s, strlen(s));
}

char *
estrndup(const char *s, size_t n)
{
	char *p = emalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
fshut(FILE *fp, const char *name)
{
	int ret = 0;

	/* fflush first: fclose's error on a closed pipe is less reliable */
	if (fflush(fp) == EOF || ferror(fp)) {
		weprintf("%s: write error:", name);
		ret = -1;
	}
	if (fp != stdout && fp != stderr && fclose(fp) == EOF && ret == 0) {
		weprintf("%s: close:", name);
		ret = -1;
	}
	return ret;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = erealloc(b->s, b->cap);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

noreturn void
print_version(void)
{
	printf("%s (consent) %s\n", argv0, CONSENT_VERSION);
	exit(fshut(stdout, "<stdout>") ? EXIT_ERR : EXIT_OK);
}
