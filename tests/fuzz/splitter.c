/* Fuzz target: the splitter against its reference, on the input as a file
 * with each delimiter ',', ';' and tab.  The reference finds a record's
 * bytes by the reader's rule a byte at a time, as the rule is written down
 * (lib/splitter.h), and reads its fields with libcsv as the reader sets
 * it up: strict, a CR its only space, for a record with quotes; with no
 * space at all for one without, whose CR are data.  The splitter scans
 * each record twice: with the rest of the input at hand, and fed a few
 * bytes more at a time from a fresh copy, as the reader's refills do.
 * abort() on any difference in a record's bytes, lines or flags, in the
 * number or the bytes of its fields, and when the splitter declines a
 * record with quotes that libcsv reads and that holds no CR (the one
 * thing it leaves to libcsv on purpose). */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "splitter.h"
#include "util.h"

#include "../record_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t rows;	/* libcsv's rows of the record */

struct ref {
	size_t len;
	long lines;
	unsigned flags;
	size_t high;
};

/* The record at s: a quote opens a quoted field only at a field's start,
 * "" inside one is a quote, and a line feed outside quotes ends it. */
static void
ref_record(const char *s, size_t n, char delim, struct ref *rr)
{
	int inq = 0, closed = 0, fstart = 1;
	size_t i;

	memset(rr, 0, sizeof *rr);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '"')
			rr->flags |= SPLIT_QUOTE;
		if ((unsigned char)c >= 0x80 && !(rr->flags & SPLIT_HIGH)) {
			rr->flags |= SPLIT_HIGH;
			rr->high = i;
		}
		if (c == '\0')
			rr->flags |= SPLIT_NUL;
		if (c == '\n')
			rr->lines++;
		if (inq) {
			if (c == '"') {
				inq = 0;
				closed = 1;
			}
			continue;
		}
		if (closed && c == '"') {
			inq = 1;
			closed = 0;
			continue;
		}
		closed = 0;
		if (c == '\n') {
			rr->len = i + 1;
			return;
		}
		if (c == '"' && fstart)
			inq = 1;
		fstart = c == delim;
	}
	rr->len = n;
	if (n > 0 && s[n - 1] != '\n')
		rr->lines++;
}

static int
is_cr(unsigned char c)
{
	return c == '\r';
}

static int
is_none(unsigned char c)
{
	(void)c;
	return 0;
}

static int
is_lf(unsigned char c)
{
	return c == '\n';
}

static void
csv_field(void *s, size_t n, void *data)
{
	fields_add(data, s, n);
}

static void
csv_row(int c, void *data)
{
	(void)c;
	(void)data;
	rows++;
}

/* libcsv's fields of one record's text: 0, or -1 when it rejects it. */
static int
ref_fields(const char *s, size_t n, char delim, int quoted, struct fields *f)
{
	struct csv_parser p;
	int ok;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		abort();
	csv_set_delim(&p, (unsigned char)delim);
	csv_set_space_func(&p, quoted ? is_cr : is_none);
	csv_set_term_func(&p, is_lf);
	fields_reset(f);
	rows = 0;
	ok = csv_parse(&p, s, n, csv_field, csv_row, f) == n &&
	    csv_fini(&p, csv_field, csv_row, f) == 0 && rows == 1;
	csv_free(&p);
	return ok ? 0 : -1;
}

static int
same_fields(const struct fields *a, const struct fields *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] || memcmp(a->text.s + a->off[i],
		    b->text.s + b->off[i], a->len[i]) != 0 ||
		    a->text.s[a->off[i] + a->len[i]] != '\0')
			return 0;
	return 1;
}

static void
same_record(const struct splitter *sp, const struct ref *rr)
{
	if (sp->len != rr->len || sp->lines != rr->lines ||
	    sp->flags != rr->flags ||
	    ((sp->flags & SPLIT_HIGH) && sp->high != rr->high))
		abort();
}

/* The record at s, n bytes to the end of the input, fed step bytes more
 * at a time, each time from a fresh copy of exactly the bytes at hand. */
static void
scan_in_steps(struct splitter *sp, const char *s, size_t n, size_t step)
{
	size_t avail = 0;
	enum split_rc rc;

	split_start(sp);
	do {
		char *copy;

		avail = avail + step < n ? avail + step : n;
		copy = emalloc(avail ? avail : 1);
		memcpy(copy, s, avail);
		rc = split_scan(sp, copy, avail, avail == n);
		free(copy);
	} while (rc == SPLIT_MORE);
	if (rc != SPLIT_RECORD)
		abort();
}

/* A record the reader skips. */
static int
blank(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '\n') ||
	    (n == 2 && s[0] == '\r' && s[1] == '\n') ||
	    (n == 1 && s[0] == '\r');
}

static struct fields want, got;

static void
check_fields(const struct splitter *sp, const char *s, size_t len,
    char delim)
{
	size_t n = text_len(s, len);
	int quoted = (sp->flags & SPLIT_QUOTE) != 0;
	int ok = ref_fields(s, n, delim, quoted, &want);

	if (!quoted) {
		/* libcsv reads every record without quotes */
		if (ok != 0)
			abort();
		split_fields_scanned(sp, s, n, &got);
		if (!same_fields(&got, &want))
			abort();
		split_fields_plain(s, n, delim, &got);
		if (!same_fields(&got, &want))
			abort();
		return;
	}
	if (split_fields_quoted(s, n, delim, &got) == 0) {
		if (ok != 0 || !same_fields(&got, &want))
			abort();
	} else if (ok == 0 && !memchr(s, '\r', n)) {
		abort();
	}
}

static void
run(const char *s, size_t n, char delim, size_t step)
{
	struct splitter sp, steps;
	size_t at = 0;

	split_init(&sp, delim);
	split_init(&steps, delim);
	for (;;) {
		struct ref rr;
		enum split_rc rc;

		split_start(&sp);
		rc = split_scan(&sp, s + at, n - at, 1);
		if (at == n) {
			if (rc != SPLIT_END)
				abort();
			break;
		}
		ref_record(s + at, n - at, delim, &rr);
		if (rc != SPLIT_RECORD)
			abort();
		same_record(&sp, &rr);
		scan_in_steps(&steps, s + at, n - at, step);
		same_record(&steps, &rr);
		if (steps.ndelims != sp.ndelims || (sp.ndelims &&
		    memcmp(steps.delims, sp.delims,
		    sp.ndelims * sizeof *sp.delims) != 0))
			abort();
		if (!blank(s + at, sp.len))
			check_fields(&sp, s + at, sp.len, delim);
		at += sp.len;
	}
	split_free(&sp);
	split_free(&steps);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { ',', ';', '\t' };
	size_t i;

	for (i = 0; i < sizeof delims; i++)
		run((const char *)data, size, delims[i], 1 + size % 13);
	return 0;
}
