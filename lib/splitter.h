/* splitter: the record reader's fast path.  It finds where a record ends
 * and where the delimiters between its fields are, sixteen bytes at a
 * time, and splits the record into fields: on those delimiters when it
 * holds no quote character, a memchr at a time when its quoting is plain.
 * Whatever else a record holds it declines, for the reader to hand to
 * libcsv; tests/fuzz/splitter.c holds the two equal on every input.
 *
 * The record's bytes are found by the reader's rule: a quote opens a
 * quoted field only at the start of a field ("" inside one is a quote),
 * and a line feed outside quotes ends the record, so that a stray quote
 * (O"Brien) spoils its own line and not the rest of the file. */
#ifndef CONSENT_SPLITTER_H
#define CONSENT_SPLITTER_H

#include <stddef.h>

#include "util.h"

/* What a scanned record holds. */
enum {
	SPLIT_QUOTE = 1,	/* a quote character */
	SPLIT_HIGH = 2,		/* a byte >= 0x80 (the first at high) */
	SPLIT_NUL = 4		/* a NUL byte */
};

enum split_rc {
	SPLIT_MORE,	/* the bytes end inside the record: call again */
	SPLIT_RECORD,	/* the record is len bytes */
	SPLIT_END	/* at the end of the input, no record left */
};

struct splitter {
	char delim;
	/* The record being scanned, kept from call to call. */
	size_t len;		/* bytes scanned; at the end, the record's
				 * length with its line ending */
	long lines;		/* lines it spans */
	unsigned flags;		/* SPLIT_* */
	size_t high;		/* offset of its first byte >= 0x80 */
	int inq;		/* inside a quoted field */
	size_t fstart;		/* a quote here opens a quoted field */
	size_t reopen;		/* a quote here follows a closing one: "" */
	size_t *delims;		/* offsets of the delimiters outside quotes */
	size_t ndelims, cap;
};

/* A record's fields, each NUL-terminated in text: field i is ptr[i],
 * len[i] bytes. */
struct fields {
	struct buf text;
	size_t *off, *len;
	char **ptr;
	size_t n, cap;
};

void split_init(struct splitter *sp, char delim);
void split_free(struct splitter *sp);
/* Start on the next record. */
void split_start(struct splitter *sp);
/* Scan the record that starts at s, of which n bytes are at hand (the
 * same bytes as at the last call, and perhaps more; they may have moved):
 * SPLIT_RECORD with sp->len, lines, flags, high and delims filled in;
 * SPLIT_MORE when the record goes on past n and eof is 0; SPLIT_END when
 * n is 0 and eof is 1.  At eof the bytes left are the last record. */
enum split_rc split_scan(struct splitter *sp, const char *s, size_t n,
    int eof);

void fields_reset(struct fields *f);
/* Append a field of n bytes. */
void fields_add(struct fields *f, const char *s, size_t n);
/* Point ptr at the fields, once they are all in. */
void fields_done(struct fields *f);
void fields_free(struct fields *f);

/* The fields of a record without quotes, n bytes at s (its line ending
 * left out), where split_scan found its delimiters. */
void split_fields_scanned(const struct splitter *sp, const char *s,
    size_t n, struct fields *f);
/* The same for bytes split_scan did not see (converted from another
 * encoding). */
void split_fields_plain(const char *s, size_t n, char delim,
    struct fields *f);
/* The fields of a record with quotes, n bytes at s without its line
 * ending: 0, or -1 when its reading is not plain (for libcsv to read or
 * to reject). */
int split_fields_quoted(const char *s, size_t n, char delim,
    struct fields *f);

#endif
