/* util: program name, fatal and warning messages, checked allocation,
 * growable buffers, checked close of output streams. */
#ifndef CONSENT_UTIL_H
#define CONSENT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdnoreturn.h>

/* Exit statuses every tool shares (SPEC.md, "Conventions"). */
enum {
	EXIT_OK = 0,	/* success */
	EXIT_NO = 1,	/* the tool's "no": nothing selected, rows rejected */
	EXIT_ERR = 2	/* usage or runtime error */
};

#define CONSENT_VERSION "0.1.0"

extern const char *argv0;

void setprogname(const char *argv0_);
/* Print "PROG: message" on stderr; a format ending in ':' appends
 * strerror(errno).  eprintf then exits with EXIT_ERR. */
noreturn void eprintf(const char *fmt, ...);
void weprintf(const char *fmt, ...);
void vweprintf(const char *fmt, va_list ap);

void *emalloc(size_t n);
void *ecalloc(size_t n, size_t size);
void *erealloc(void *p, size_t n);
/* Zeroed memory for a table of n entries of size bytes, in huge pages
 * when it is of megabytes; freed by free_table with the same n and
 * size. */
void *ecalloc_table(size_t n, size_t size);
/* The table p of oldn entries (NULL and 0: none) grown to newn, the new
 * entries unset. */
void *erealloc_table(void *p, size_t oldn, size_t newn, size_t size);
void free_table(void *p, size_t n, size_t size);
char *estrdup(const char *s);
char *estrndup(const char *s, size_t n);

/* Flush and check a stream; 0 on success, else a message and -1.
 * Every tool ends with fshut(stdout, "<stdout>") so that a full disk or a
 * closed pipe is an error rather than a silent success. */
int fshut(FILE *fp, const char *name);

/* A growable byte buffer, always NUL-terminated after buf_* calls. */
struct buf {
	char *s;
	size_t len, cap;
};

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Print the standard --version line and exit 0. */
noreturn void print_version(void);

#endif
