/* splitter: a record's end and its delimiters from one pass over its
 * bytes.  Each block of sixteen bytes becomes three bit masks, of the
 * bytes the scan must stop at (line feed, quote, delimiter), of bytes
 * >= 0x80 (so that only records that hold one are checked as UTF-8) and
 * of NUL bytes; only the stops are then looked at one by one.  libcsv
 * goes a byte at a time through a callback: for a file of short records
 * that was most of a filter's time.  The masks come from SSE2 where the
 * compiler has it, and a byte at a time elsewhere and for the last bytes
 * at hand. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "splitter.h"

#define BLOCK 16

struct masks {
	unsigned stop;	/* line feed, quote or delimiter */
	unsigned high;	/* >= 0x80 */
	unsigned nul;
};

static unsigned
lowest_bit(unsigned m)
{
	return (unsigned)__builtin_ctz(m);
}

static void
classify_bytes(const unsigned char *s, size_t k, unsigned char delim,
    struct masks *m)
{
	size_t i;

	m->stop = m->high = m->nul = 0;
	for (i = 0; i < k; i++) {
		if (s[i] == '\n' || s[i] == '"' || s[i] == delim)
			m->stop |= 1u << i;
		if (s[i] >= 0x80)
			m->high |= 1u << i;
		if (s[i] == '\0')
			m->nul |= 1u << i;
	}
}

/* The masks of k <= BLOCK bytes at s. */
static void
classify(const char *s, size_t k, char delim, struct masks *m)
{
#ifdef __SSE2__
	if (k == BLOCK) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
		__m128i lf = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
		__m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
		__m128i d = _mm_cmpeq_epi8(v, _mm_set1_epi8(delim));

		m->stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(lf,
		    _mm_or_si128(q, d)));
		m->high = (unsigned)_mm_movemask_epi8(v);
		m->nul = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
		    _mm_setzero_si128()));
		return;
	}
#endif
	classify_bytes((const unsigned char *)s, k, (unsigned char)delim, m);
}

void
split_init(struct splitter *sp, char delim)
{
	memset(sp, 0, sizeof *sp);
	sp->delim = delim;
	split_start(sp);
}

void
split_free(struct splitter *sp)
{
	free(sp->delims);
	sp->delims = NULL;
	sp->ndelims = sp->cap = 0;
}

void
split_start(struct splitter *sp)
{
	sp->len = 0;
	sp->lines = 0;
	sp->flags = 0;
	sp->high = 0;
	sp->inq = 0;
	sp->fstart = 0;
	sp->reopen = SIZE_MAX;
	sp->ndelims = 0;
}

static void
add_delim(struct splitter *sp, size_t at)
{
	if (sp->ndelims == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 32;
		sp->delims = erealloc(sp->delims, sp->cap * sizeof *sp->delims);
	}
	sp->delims[sp->ndelims++] = at;
}

/* The byte at s[at] is one to stop at: 1 when it ends the record. */
static int
take_stop(struct splitter *sp, const char *s, size_t at)
{
	if (s[at] == '\n') {
		sp->lines++;
		return !sp->inq;
	}
	if (s[at] == '"') {
		sp->flags |= SPLIT_QUOTE;
		if (sp->inq) {
			sp->inq = 0;
			sp->reopen = at + 1;
		} else if (at == sp->fstart || at == sp->reopen) {
			sp->inq = 1;
		}
		return 0;
	}
	if (!sp->inq) {
		add_delim(sp, at);
		sp->fstart = at + 1;
	}
	return 0;
}

/* What the bytes of the block at offset at under the bits in upto
 * hold, beside their stops. */
static void
note_bytes(struct splitter *sp, const struct masks *m, size_t at,
    unsigned upto)
{
	unsigned high = m->high & upto;

	if (high && !(sp->flags & SPLIT_HIGH)) {
		sp->flags |= SPLIT_HIGH;
		sp->high = at + lowest_bit(high);
	}
	if (m->nul & upto)
		sp->flags |= SPLIT_NUL;
}

enum split_rc
split_scan(struct splitter *sp, const char *s, size_t n, int eof)
{
	size_t at = sp->len;

	while (at < n) {
		size_t k = n - at < BLOCK ? n - at : BLOCK;
		struct masks m;
		unsigned stop;

		classify(s + at, k, sp->delim, &m);
		for (stop = m.stop; stop; stop &= stop - 1) {
			unsigned bit = lowest_bit(stop);

			if (take_stop(sp, s, at + bit)) {
				note_bytes(sp, &m, at, (2u << bit) - 1);
				sp->len = at + bit + 1;
				return SPLIT_RECORD;
			}
		}
		note_bytes(sp, &m, at, ~0u);
		at += k;
	}
	sp->len = at;
	if (!eof)
		return SPLIT_MORE;
	if (at == 0)
		return SPLIT_END;
	/* the last line, without its line feed */
	if (s[at - 1] != '\n')
		sp->lines++;
	return SPLIT_RECORD;
}

/* --- fields --------------------------------------------------------- */

void
fields_reset(struct fields *f)
{
	f->n = 0;
	buf_reset(&f->text);
}

/* The next field is len bytes at off in text (its NUL after them). */
static void
push_field(struct fields *f, size_t off, size_t len)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->off = erealloc(f->off, f->cap * sizeof *f->off);
		f->len = erealloc(f->len, f->cap * sizeof *f->len);
		f->ptr = erealloc(f->ptr, f->cap * sizeof *f->ptr);
	}
	f->off[f->n] = off;
	f->len[f->n] = len;
	f->n++;
}

/* End the field that began at off in text. */
static void
end_field(struct fields *f, size_t off)
{
	push_field(f, off, f->text.len - off);
	buf_addc(&f->text, '\0');
}

void
fields_add(struct fields *f, const char *s, size_t n)
{
	size_t off = f->text.len;

	buf_add(&f->text, s, n);
	end_field(f, off);
}

void
fields_done(struct fields *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		f->ptr[i] = f->text.s + f->off[i];
}

void
fields_free(struct fields *f)
{
	buf_free(&f->text);
	free(f->off);
	free(f->len);
	free(f->ptr);
	memset(f, 0, sizeof *f);
}

/* One copy of the record, its delimiters turned into NULs. */
void
split_fields_scanned(const struct splitter *sp, const char *s, size_t n,
    struct fields *f)
{
	size_t i, start = 0;

	fields_reset(f);
	buf_add(&f->text, s, n);
	for (i = 0; i < sp->ndelims; i++) {
		size_t d = sp->delims[i];

		f->text.s[d] = '\0';
		push_field(f, start, d - start);
		start = d + 1;
	}
	push_field(f, start, n - start);
}

void
split_fields_plain(const char *s, size_t n, char delim, struct fields *f)
{
	const char *p = s, *e = s + n, *d;

	fields_reset(f);
	while ((d = memchr(p, delim, (size_t)(e - p))) != NULL) {
		fields_add(f, p, (size_t)(d - p));
		p = d + 1;
	}
	fields_add(f, p, (size_t)(e - p));
}

/* One quoted field at s[*i], its opening quote: its text, the doubled
 * quotes undone, into f.  0, or -1 when it does not close, or what
 * follows the closing quote is neither the delimiter nor the end. */
static int
quoted_field(const char *s, size_t n, char delim, size_t *i,
    struct fields *f)
{
	size_t at = *i + 1;

	for (;;) {
		const char *q = memchr(s + at, '"', n - at);

		if (!q)
			return -1;
		buf_add(&f->text, s + at, (size_t)(q - (s + at)));
		at = (size_t)(q - s) + 1;
		if (at < n && s[at] == '"') {
			buf_addc(&f->text, '"');
			at++;
			continue;
		}
		break;
	}
	if (at < n && s[at] != delim)
		return -1;
	*i = at;
	return 0;
}

/* An unquoted field of a record with quotes: libcsv (strict, a CR its
 * only space) reads a quote in it as an error, a line feed as the end of
 * a row, and trims a CR at either end; it is left to libcsv with any of
 * them. */
static int
unquoted_field(const char *s, size_t end, size_t *i, struct fields *f)
{
	const char *p = s + *i;
	size_t n = end - *i;

	if (memchr(p, '"', n) || memchr(p, '\n', n) || memchr(p, '\r', n))
		return -1;
	buf_add(&f->text, p, n);
	*i = end;
	return 0;
}

int
split_fields_quoted(const char *s, size_t n, char delim, struct fields *f)
{
	size_t i = 0;

	fields_reset(f);
	for (;;) {
		size_t off = f->text.len;
		int rc;

		if (i < n && s[i] == '"') {
			rc = quoted_field(s, n, delim, &i, f);
		} else {
			const char *d = memchr(s + i, delim, n - i);

			rc = unquoted_field(s, d ? (size_t)(d - s) : n, &i, f);
		}
		if (rc < 0)
			return -1;
		end_field(f, off);
		if (i >= n)
			return 0;
		i++;		/* the delimiter */
	}
}
