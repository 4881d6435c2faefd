/* records: the reader finds each record's bytes with the splitter (a
 * quote opens a quoted field only at a field's start, so a stray one
 * spoils one line) and splits it: a record without a quote character on
 * the delimiters the splitter found, one with quotes by the splitter when
 * its quoting is plain, else by libcsv in strict mode, so that stray
 * quotes are reported rather than guessed at.  Blank lines are
 * skipped. */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "records.h"
#include "splitter.h"
#include "util.h"

#define READ_CHUNK (256 * 1024)
#define RECORD_MAX (16 * 1024 * 1024)

const char *const field_names[F_NFIELDS] = {
	"id", "name", "email", "mobile", "lang", "last_contact"
};

struct reader {
	int fd;
	char *name;
	char delim;
	int crlf;
	iconv_t cd;
	char *buf;
	size_t cap, pos, end;
	int eof;
	long line;		/* line number of buf[pos] */
	struct record hdr;
	struct buf hdrraw;
	struct buf conv;	/* the record converted to UTF-8 */
	struct splitter sp;	/* the record at buf[pos] */
	struct fields f;
	int csv_rows;
	int libcsv_only;	/* opts->libcsv_only: no fast quoted split */
	struct csv_parser csv;
	char err[512];
};

int
utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c;
		size_t len, k;
		uint32_t cp;
		uint64_t w;

		/* Most of a Nordic export is ASCII: skip it a word at a
		 * time. */
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates and values past U+10FFFF */
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

/* Read more input into the buffer; 0 at EOF, -1 on error. */
static int
fill(struct reader *r)
{
	ssize_t n;

	if (r->pos > 0 && r->pos == r->end) {
		r->pos = r->end = 0;
	} else if (r->pos > r->cap / 2) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->end < READ_CHUNK) {
		r->cap = r->cap ? r->cap * 2 : 2 * READ_CHUNK;
		r->buf = erealloc(r->buf, r->cap);
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(r->err, sizeof r->err, "read error: %s",
		    strerror(errno));
		return -1;
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return n > 0;
}

/* Find the next record's bytes at r->pos (r->sp describes them).
 * Returns 1, 0 at the end, -1 when too long, -2 on a read error. */
static int
next_raw(struct reader *r)
{
	split_start(&r->sp);
	for (;;) {
		size_t avail = r->end - r->pos;

		switch (split_scan(&r->sp, r->buf + r->pos, avail, r->eof)) {
		case SPLIT_END:
			return 0;
		case SPLIT_RECORD:
			return r->sp.len > RECORD_MAX ? -1 : 1;
		case SPLIT_MORE:
			break;
		}
		if (avail > RECORD_MAX)
			return -1;
		if (fill(r) < 0)
			return -2;
	}
}

static void
field_cb(void *s, size_t n, void *data)
{
	struct reader *r = data;

	fields_add(&r->f, s, n);
}

static void
row_cb(int c, void *data)
{
	struct reader *r = data;

	(void)c;
	r->csv_rows++;
}

/* libcsv trims "space" characters around unquoted fields; RFC 4180 keeps
 * them, so only a CR (of a CRLF) counts as space. */
static int
is_cr(unsigned char c)
{
	return c == '\r';
}

static int
is_lf(unsigned char c)
{
	return c == '\n';
}

/* A record with quotes: by the splitter when its reading is plain, else
 * by libcsv, which reads it or names the error, so that the two agree on
 * every input (tests/fuzz/splitter.c compares them). */
static int
split_quoted(struct reader *r, const char *s, size_t n)
{
	int ok;

	if (!r->libcsv_only && split_fields_quoted(s, n, r->delim, &r->f) == 0)
		return 0;
	fields_reset(&r->f);
	r->csv_rows = 0;
	ok = csv_parse(&r->csv, s, n, field_cb, row_cb, r) == n &&
	    csv_fini(&r->csv, field_cb, row_cb, r) == 0;
	if (!ok || r->csv_rows != 1) {
		/* csv_fini leaves the parser ready for the next record, but
		 * not after an error: start it afresh */
		csv_free(&r->csv);
		csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI);
		csv_set_delim(&r->csv, (unsigned char)r->delim);
		csv_set_space_func(&r->csv, is_cr);
		csv_set_term_func(&r->csv, is_lf);
		return -1;
	}
	return 0;
}

/* Turn the raw bytes at r->pos, as r->sp found them, into rec.  Returns
 * 1 or -1 (bad). */
static int
make_record(struct reader *r, struct record *rec)
{
	const struct splitter *sp = &r->sp;
	const char *raw = r->buf + r->pos, *text = raw;
	size_t len = sp->len, tlen = len;
	int converted = r->cd != (iconv_t)-1, quoted = sp->flags & SPLIT_QUOTE;

	rec->raw = raw;
	rec->rawlen = len;
	if (converted) {
		char *in = (char *)raw, *out;
		size_t inleft = len, outleft;

		buf_reset(&r->conv);
		iconv(r->cd, NULL, NULL, NULL, NULL);
		while (inleft > 0) {
			buf_grow(&r->conv, inleft * 2 + 16);
			out = r->conv.s + r->conv.len;
			outleft = r->conv.cap - r->conv.len - 1;
			if (iconv(r->cd, &in, &inleft, &out, &outleft) ==
			    (size_t)-1 && errno != E2BIG) {
				r->conv.len = (size_t)(out - r->conv.s);
				snprintf(r->err, sizeof r->err,
				    "%ld: bytes not valid in the input encoding",
				    rec->line);
				return -1;
			}
			r->conv.len = (size_t)(out - r->conv.s);
		}
		text = r->conv.s;
		tlen = r->conv.len;
	} else if ((sp->flags & SPLIT_HIGH) &&
	    !utf8_valid(raw + sp->high, len - sp->high)) {
		/* what comes before the first byte >= 0x80 is ASCII */
		snprintf(r->err, sizeof r->err,
		    "%ld: invalid UTF-8 (is it another encoding? try --encoding cp1252)",
		    rec->line);
		return -1;
	}
	if (tlen > 0 && text[tlen - 1] == '\n')
		tlen--;
	if (tlen > 0 && text[tlen - 1] == '\r')
		tlen--;
	if (converted ? memchr(text, '\0', tlen) != NULL :
	    (sp->flags & SPLIT_NUL) != 0) {
		snprintf(r->err, sizeof r->err, "%ld: NUL byte in record",
		    rec->line);
		return -1;
	}
	if (!quoted && converted) {
		split_fields_plain(text, tlen, r->delim, &r->f);
	} else if (!quoted) {
		split_fields_scanned(sp, text, tlen, &r->f);
	} else if (split_quoted(r, text, tlen) < 0) {
		snprintf(r->err, sizeof r->err,
		    "%ld: bad quoting (a quote inside an unquoted field, or text after a closing quote)",
		    rec->line);
		return -1;
	}
	fields_done(&r->f);
	rec->nfields = r->f.n;
	rec->fields = r->f.ptr;
	rec->lens = r->f.len;
	return 1;
}

/* Is the line blank (nothing but its line ending)? */
static int
blank(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '\n') ||
	    (n == 2 && s[0] == '\r' && s[1] == '\n') ||
	    (n == 1 && s[0] == '\r');
}

/* The raw record scanner shared by the header and the records. */
static int
read_record(struct reader *r, struct record *rec)
{
	int rc;

	for (;;) {
		rc = next_raw(r);
		if (rc == 0)
			return 0;
		if (rc == -2)
			return -2;
		rec->line = r->line;
		if (rc == -1) {
			snprintf(r->err, sizeof r->err,
			    "%ld: record longer than %d MB (an unclosed quote?)",
			    r->line, RECORD_MAX >> 20);
			return -2;
		}
		if (!blank(r->buf + r->pos, r->sp.len))
			break;
		r->pos += r->sp.len;
		r->line += r->sp.lines;
	}
	rc = make_record(r, rec);
	r->pos += r->sp.len;
	r->line += r->sp.lines;
	return rc;
}

static char
detect_delim(const char *s, size_t n)
{
	size_t tabs = 0, semis = 0, commas = 0, i;
	int inq = 0;

	for (i = 0; i < n && s[i] != '\n'; i++) {
		if (s[i] == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (s[i] == '\t')
			tabs++;
		else if (s[i] == ';')
			semis++;
		else if (s[i] == ',')
			commas++;
	}
	if (tabs)
		return '\t';
	return semis > commas ? ';' : ',';
}

static void
copy_header(struct reader *r, const struct record *rec)
{
	size_t i;
	struct record *h = &r->hdr;

	buf_add(&r->hdrraw, rec->raw, rec->rawlen);
	h->nfields = rec->nfields;
	h->fields = emalloc((rec->nfields ? rec->nfields : 1) *
	    sizeof *h->fields);
	h->lens = emalloc((rec->nfields ? rec->nfields : 1) * sizeof *h->lens);
	for (i = 0; i < rec->nfields; i++) {
		h->fields[i] = estrndup(rec->fields[i], rec->lens[i]);
		h->lens[i] = rec->lens[i];
	}
	h->raw = r->hdrraw.s;
	h->rawlen = r->hdrraw.len;
	h->line = rec->line;
	r->crlf = rec->rawlen >= 2 && rec->raw[rec->rawlen - 2] == '\r';
}

/* Skip blank lines before the header, so that the delimiter is detected
 * on the header itself; leaves a whole line (or the rest) in the buffer. */
static int
skip_blank_lines(struct reader *r)
{
	for (;;) {
		char *nl;

		while (!(nl = memchr(r->buf + r->pos, '\n', r->end - r->pos)) &&
		    !r->eof)
			if (fill(r) < 0)
				return -1;
		if (!nl || !blank(r->buf + r->pos,
		    (size_t)(nl - (r->buf + r->pos)) + 1))
			return 0;
		r->pos = (size_t)(nl - r->buf) + 1;
		r->line++;
	}
}

static int
open_header(struct reader *r, const struct reader_opts *opts)
{
	struct record rec;
	int rc;

	while (r->end - r->pos < 3 && !r->eof)
		if (fill(r) < 0)
			return -1;
	if (r->end - r->pos >= 3 && memcmp(r->buf + r->pos, "\xef\xbb\xbf",
	    3) == 0)
		r->pos += 3;
	if (skip_blank_lines(r) < 0)
		return -1;
	r->delim = opts && opts->delim ? opts->delim :
	    detect_delim(r->buf + r->pos, r->end - r->pos);
	csv_set_delim(&r->csv, (unsigned char)r->delim);
	split_init(&r->sp, r->delim);
	rc = read_record(r, &rec);
	if (rc == 0) {
		snprintf(r->err, sizeof r->err,
		    "empty input: no header line");
		return -1;
	}
	if (rc < 0)
		return -1;
	copy_header(r, &rec);
	return 0;
}

struct reader *
reader_open(int fd, const char *name, const struct reader_opts *opts,
    char *err, size_t errsz)
{
	struct reader *r = ecalloc(1, sizeof *r);

	r->fd = fd;
	r->name = estrdup(name);
	r->line = 1;
	r->cd = (iconv_t)-1;
	r->libcsv_only = opts && opts->libcsv_only;
	if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
		eprintf("csv_init: out of memory");
	csv_set_space_func(&r->csv, is_cr);
	csv_set_term_func(&r->csv, is_lf);
	if (opts && opts->encoding) {
		r->cd = iconv_open("UTF-8", opts->encoding);
		if (r->cd == (iconv_t)-1) {
			snprintf(err, errsz, "unknown encoding '%s'",
			    opts->encoding);
			reader_close(r);
			return NULL;
		}
	}
	if (open_header(r, opts) < 0) {
		/* "FILE:LINE: message" when the message names a line. */
		snprintf(err, errsz, "%s:%s%s", name,
		    r->err[0] >= '0' && r->err[0] <= '9' ? "" : " ", r->err);
		reader_close(r);
		return NULL;
	}
	return r;
}

void
reader_close(struct reader *r)
{
	size_t i;

	if (!r)
		return;
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	for (i = 0; i < r->hdr.nfields; i++)
		free(r->hdr.fields[i]);
	free(r->hdr.fields);
	free(r->hdr.lens);
	buf_free(&r->hdrraw);
	buf_free(&r->conv);
	split_free(&r->sp);
	fields_free(&r->f);
	csv_free(&r->csv);
	free(r->buf);
	free(r->name);
	free(r);
}

int
reader_next(struct reader *r, struct record *rec)
{
	int rc = read_record(r, rec);

	if (rc == 1 && rec->nfields != r->hdr.nfields) {
		snprintf(r->err, sizeof r->err,
		    "%ld: %zu fields where the header has %zu", rec->line,
		    rec->nfields, r->hdr.nfields);
		return -1;
	}
	return rc;
}

const struct record *
reader_header(const struct reader *r)
{
	return &r->hdr;
}

const char *
reader_error(const struct reader *r)
{
	return r->err;
}

const char *
reader_name(const struct reader *r)
{
	return r->name;
}

char
reader_delim(const struct reader *r)
{
	return r->delim;
}

int
reader_crlf(const struct reader *r)
{
	return r->crlf;
}

int
reader_column(const struct reader *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->hdr.nfields; i++)
		if (strcmp(r->hdr.fields[i], name) == 0)
			return (int)i;
	for (i = 0; i < r->hdr.nfields; i++)
		if (strcasecmp(r->hdr.fields[i], name) == 0)
			return (int)i;
	return -1;
}

static int
field_index(const char *name, size_t n)
{
	int f;

	for (f = 0; f < F_NFIELDS; f++)
		if (strlen(field_names[f]) == n &&
		    strncmp(field_names[f], name, n) == 0)
			return f;
	return -1;
}

/* Apply one "field=Column" of --map. */
static int
map_one(struct fieldmap *m, const struct reader *r, const char *s,
    size_t n, char *err, size_t errsz)
{
	const char *eq = memchr(s, '=', n);
	char col[256];
	int f;

	if (!eq || eq == s || (size_t)(s + n - eq - 1) >= sizeof col ||
	    eq + 1 == s + n) {
		snprintf(err, errsz, "--map: expected field=Column, got '%.*s'",
		    (int)n, s);
		return -1;
	}
	f = field_index(s, (size_t)(eq - s));
	if (f < 0) {
		snprintf(err, errsz,
		    "--map: unknown field '%.*s' (id, name, email, mobile, lang, last_contact)",
		    (int)(eq - s), s);
		return -1;
	}
	memcpy(col, eq + 1, (size_t)(s + n - eq - 1));
	col[s + n - eq - 1] = '\0';
	m->col[f] = reader_column(r, col);
	if (m->col[f] < 0) {
		snprintf(err, errsz, "%s: no column '%s' in the header",
		    reader_name(r), col);
		return -1;
	}
	return 0;
}

int
fieldmap_resolve(struct fieldmap *m, const struct reader *r, const char *map,
    const char *key, char *err, size_t errsz)
{
	int f;

	for (f = 0; f < F_NFIELDS; f++)
		m->col[f] = reader_column(r, field_names[f]);
	while (map && *map) {
		size_t n = strcspn(map, ",");

		if (map_one(m, r, map, n, err, errsz) < 0)
			return -1;
		map += n + (map[n] == ',');
	}
	if (key) {
		m->col[F_ID] = reader_column(r, key);
		if (m->col[F_ID] < 0) {
			snprintf(err, errsz,
			    "%s: no key column '%s' in the header",
			    reader_name(r), key);
			return -1;
		}
	}
	return 0;
}

const char *
record_col(const struct record *rec, int col)
{
	if (col < 0 || (size_t)col >= rec->nfields)
		return "";
	return rec->fields[col];
}

const char *
record_get(const struct record *rec, const struct fieldmap *m, enum field f)
{
	return record_col(rec, m->col[f]);
}

void
writer_init(struct writer *w, FILE *fp, char delim, int crlf, int excel)
{
	w->fp = fp;
	w->delim = delim ? delim : ',';
	w->crlf = crlf;
	w->excel = excel;
}

void
writer_field(struct writer *w, int first, const char *s)
{
	static const char special[] = "\"\r\n";
	int formula = w->excel && strchr("=+-@", s[0]) && s[0];

	if (!first)
		fputc(w->delim, w->fp);
	if (strpbrk(s, special) || strchr(s, w->delim)) {
		fputc('"', w->fp);
		if (formula)
			fputc('\'', w->fp);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', w->fp);
			fputc(*s, w->fp);
		}
		fputc('"', w->fp);
		return;
	}
	if (formula)
		fputc('\'', w->fp);
	fputs(s, w->fp);
}

void
writer_end(struct writer *w)
{
	fputs(w->crlf ? "\r\n" : "\n", w->fp);
}

void
writer_row(struct writer *w, size_t n, const char *const *fields)
{
	size_t i;

	for (i = 0; i < n; i++)
		writer_field(w, i == 0, fields[i]);
	writer_end(w);
}
