/* records: CSV (RFC 4180), ';'-CSV and TSV records with a header row.
 * Every record keeps the exact bytes it was read as, so that filters can
 * pass it through unchanged; its fields are UTF-8 (converted through
 * iconv with --encoding).  Knows no store and no network. */
#ifndef CONSENT_RECORDS_H
#define CONSENT_RECORDS_H

#include <stddef.h>
#include <stdio.h>

struct record {
	size_t nfields;
	char **fields;		/* NUL-terminated UTF-8 */
	size_t *lens;
	const char *raw;	/* the bytes as read, line ending included */
	size_t rawlen;
	long line;		/* the record's first line in its file */
};

struct reader_opts {
	char delim;		/* 0: detect from the header line */
	const char *encoding;	/* NULL: UTF-8, checked */
	int libcsv_only;	/* every quoted record through libcsv (tests) */
};

struct reader;

/* Open a reader on fd (not closed by the reader); name is used in
 * messages.  Reads and checks the header row: NULL and a message in err
 * when the input is empty, has no header, or is not valid. */
struct reader *reader_open(int fd, const char *name,
    const struct reader_opts *opts, char *err, size_t errsz);
void reader_close(struct reader *r);

/* The header row. */
const struct record *reader_header(const struct reader *r);
/* The next record: 1 and rec filled (valid until the next call), 0 at the
 * end, -1 on a bad record (message "LINE: reason" in reader_error; the
 * reader stays usable and goes on with the record after it) or -2 on a
 * read error (message in reader_error; give up). */
int reader_next(struct reader *r, struct record *rec);
const char *reader_error(const struct reader *r);
const char *reader_name(const struct reader *r);
char reader_delim(const struct reader *r);
/* Did the header end in CRLF?  Tools write CRLF then too. */
int reader_crlf(const struct reader *r);
/* Index of a header column (exact, then ASCII case-insensitive), or -1. */
int reader_column(const struct reader *r, const char *name);

/* The toolkit's field names and where they are in a stream. */
enum field {
	F_ID, F_NAME, F_EMAIL, F_MOBILE, F_LANG, F_LAST_CONTACT, F_NFIELDS
};
extern const char *const field_names[F_NFIELDS];

struct fieldmap {
	int col[F_NFIELDS];	/* column index, or -1 when absent */
};

/* Resolve --map "field=Column,..." and --key NAME (either may be NULL)
 * against the header: a field maps to its --map column, else to a
 * column of its own name.  Returns 0, or -1 with a message in err (bad
 * --map syntax, unknown field name, a named column that is missing). */
int fieldmap_resolve(struct fieldmap *m, const struct reader *r,
    const char *map, const char *key, char *err, size_t errsz);
/* The value of a mapped field in a record, "" when absent or short. */
const char *record_get(const struct record *rec, const struct fieldmap *m,
    enum field f);
/* The value of column col, "" when col < 0 or the record is short. */
const char *record_col(const struct record *rec, int col);

/* Writing records the tools make themselves. */
struct writer {
	FILE *fp;
	char delim;
	int crlf;
	int excel;	/* prefix formula-like fields with ' (--excel) */
};

void writer_init(struct writer *w, FILE *fp, char delim, int crlf,
    int excel);
/* Write one row of n fields. */
void writer_row(struct writer *w, size_t n, const char *const *fields);
/* Write one field; end the row with writer_end. */
void writer_field(struct writer *w, int first, const char *s);
void writer_end(struct writer *w);

/* Is the buffer valid UTF-8? */
int utf8_valid(const char *s, size_t n);

#endif
