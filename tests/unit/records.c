/* Unit tests of lib/records, as TAP on stdout.  Most reader cases are a
 * table of input and transcript: the transcript is what the reader made of
 * the input (header, then per record its line, raw bytes and fields, or
 * its error), so that a new case is one entry.  Every case is read from a
 * temporary file and again from a pipe written one byte at a time, which
 * splits the input at arbitrary points between reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "records.h"
#include "tap.h"
#include "transcript.h"
#include "util.h"

/* --- feeding input ------------------------------------------------- */

static pid_t writers[16];
static size_t nwriters;

/* A temporary file holding data, positioned at its start. */
static int
feed_file(const void *data, size_t n)
{
	FILE *fp = tmpfile();
	int fd;

	if (fp == NULL || (n > 0 && fwrite(data, 1, n, fp) != n) ||
	    fflush(fp) != 0)
		eprintf("tmpfile:");
	fd = dup(fileno(fp));
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
		eprintf("dup:");
	fclose(fp);
	return fd;
}

/* The read end of a pipe that a child fills with data, chunk bytes per
 * write(), then closes. */
static int
feed_pipe(const void *data, size_t n, size_t chunk)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		eprintf("pipe:");
	(void)fflush(stdout);	/* so that the child repeats nothing */
	pid = fork();
	if (pid < 0)
		eprintf("fork:");
	if (pid == 0) {
		const char *s = data;
		size_t off = 0;

		close(p[0]);
		while (off < n) {
			size_t k = n - off < chunk ? n - off : chunk;
			ssize_t w = write(p[1], s + off, k);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	if (nwriters == sizeof writers / sizeof writers[0])
		eprintf("too many writers");
	writers[nwriters++] = pid;
	return p[0];
}

/* Close an input and reap its writer (which a closed pipe ends). */
static void
unfeed(int fd)
{
	close(fd);
	while (nwriters > 0)
		waitpid(writers[--nwriters], NULL, 0);
}

/* --- transcripts --------------------------------------------------- */

static int bad_invariants;

/* Fields are NUL-terminated, of their stated length, as many as the
 * header's; raw is non-empty. */
static void
check_record(const struct record *rec, size_t nfields)
{
	size_t i;

	if (rec->nfields != nfields || rec->raw == NULL || rec->rawlen == 0)
		bad_invariants++;
	for (i = 0; i < rec->nfields; i++)
		if (rec->fields[i][rec->lens[i]] != '\0' ||
		    strlen(rec->fields[i]) != rec->lens[i])
			bad_invariants++;
}

static void
add_fields(struct buf *b, const struct record *rec)
{
	size_t i;

	for (i = 0; i < rec->nfields; i++) {
		buf_addc(b, '[');
		esc(b, rec->fields[i], rec->lens[i]);
		buf_addc(b, ']');
	}
}

/* An error message up to " (", where the hints start. */
static void
add_error(struct buf *b, const char *msg)
{
	const char *hint = strstr(msg, " (");

	buf_add(b, msg, hint ? (size_t)(hint - msg) : strlen(msg));
}

/* What the reader makes of fd:
 *	open: MESSAGE			reader_open failed
 *	hLINE d=DELIM lf|crlf [f]...	the header
 *	LINE <RAW> [f]...		a record
 *	err MESSAGE			reader_next returned -1
 *	fatal MESSAGE			reader_next returned -2
 * one a line.  raw, if not NULL, collects the raw bytes of header and
 * records. */
static char *
transcript(int fd, const struct reader_opts *o, struct buf *raw)
{
	struct buf b = { 0 };
	char err[512];
	struct reader *r;
	const struct record *h;
	struct record rec;
	int rc;
	char d;

	r = reader_open(fd, "in", o, err, sizeof err);
	if (r == NULL) {
		buf_adds(&b, "open: ");
		add_error(&b, err);
		return b.s;
	}
	h = reader_header(r);
	check_record(h, h->nfields);
	d = reader_delim(r);
	buf_printf(&b, "h%ld d=", h->line);
	esc(&b, &d, 1);
	buf_adds(&b, reader_crlf(r) ? " crlf " : " lf ");
	add_fields(&b, h);
	if (raw)
		buf_add(raw, h->raw, h->rawlen);
	if (strcmp(reader_name(r), "in") != 0)
		bad_invariants++;
	while ((rc = reader_next(r, &rec)) != 0) {
		buf_addc(&b, '\n');
		if (rc == 1) {
			check_record(&rec, h->nfields);
			buf_printf(&b, "%ld <", rec.line);
			esc(&b, rec.raw, rec.rawlen);
			buf_adds(&b, "> ");
			add_fields(&b, &rec);
			if (raw)
				buf_add(raw, rec.raw, rec.rawlen);
		} else {
			buf_adds(&b, rc == -1 ? "err " : "fatal ");
			add_error(&b, reader_error(r));
			if (rc != -1)
				break;
		}
	}
	/* The end stays the end. */
	if (rc == 0 && reader_next(r, &rec) != 0)
		bad_invariants++;
	reader_close(r);
	return b.s;
}

static const struct rcase {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	char delim;
	const char *encoding;
	const char *want;
} rcases[] = {
	/* delimiters */
	{ "comma", "id,name\n1,Ola\n2,Kari Nordmann\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,Ola\\n> [1][Ola]\n"
	  "3 <2,Kari Nordmann\\n> [2][Kari Nordmann]" },
	{ "tab", "id\tname\temail\n1\tOla, Jr\tola@x.no\n", 0, 0, NULL,
	  "h1 d=\\t lf [id][name][email]\n"
	  "2 <1\\tOla, Jr\\tola@x.no\\n> [1][Ola, Jr][ola@x.no]" },
	{ "semicolon", "id;name\n1;Nordmann, Ola\n", 0, 0, NULL,
	  "h1 d=; lf [id][name]\n"
	  "2 <1;Nordmann, Ola\\n> [1][Nordmann, Ola]" },
	{ "more ';' than ',' is ';'", "id;name,first;email\n1;a,b;c\n", 0, 0,
	  NULL,
	  "h1 d=; lf [id][name,first][email]\n"
	  "2 <1;a,b;c\\n> [1][a,b][c]" },
	{ "more ',' than ';' is ','", "id,name;x,email\n1,a;b,c\n", 0, 0, NULL,
	  "h1 d=, lf [id][name;x][email]\n"
	  "2 <1,a;b,c\\n> [1][a;b][c]" },
	{ "as many ';' as ',' is ','", "a;b,c\n1;2,3\n", 0, 0, NULL,
	  "h1 d=, lf [a;b][c]\n"
	  "2 <1;2,3\\n> [1;2][3]" },
	{ "a tab wins over more commas", "a,b,c\td\n1,2,3\t4\n", 0, 0, NULL,
	  "h1 d=\\t lf [a,b,c][d]\n"
	  "2 <1,2,3\\t4\\n> [1,2,3][4]" },
	{ "quoted ';' in the header do not count", "\"x;y;z\",id\n1,2\n", 0,
	  0, NULL,
	  "h1 d=, lf [x;y;z][id]\n"
	  "2 <1,2\\n> [1][2]" },
	{ "quoted ',' in the header do not count",
	  "\"a,b,c\";id\n\"1,2\";3\n", 0, 0, NULL,
	  "h1 d=; lf [a,b,c][id]\n"
	  "2 <\"1,2\";3\\n> [1,2][3]" },
	{ "a quoted tab in the header does not count", "\"a\tb\",c\n1,2\n",
	  0, 0, NULL,
	  "h1 d=, lf [a\\tb][c]\n"
	  "2 <1,2\\n> [1][2]" },
	{ "a single column is ','", "id\n1\n", 0, 0, NULL,
	  "h1 d=, lf [id]\n"
	  "2 <1\\n> [1]" },
	{ "explicit ';' over a detected ','", "a,b,c;d\n1,2,3;4\n", 0, ';',
	  NULL,
	  "h1 d=; lf [a,b,c][d]\n"
	  "2 <1,2,3;4\\n> [1,2,3][4]" },
	{ "explicit ',' over a detected tab", "a\tb,c\n1\t2,3\n", 0, ',', NULL,
	  "h1 d=, lf [a\\tb][c]\n"
	  "2 <1\\t2,3\\n> [1\\t2][3]" },
	{ "explicit tab over a detected ','", "a,b\tc,d\n1,2\t3,4\n", 0, '\t',
	  NULL,
	  "h1 d=\\t lf [a,b][c,d]\n"
	  "2 <1,2\\t3,4\\n> [1,2][3,4]" },
	/* byte-order mark */
	{ "a UTF-8 BOM is dropped", "\xef\xbb\xbfid,name\n1,x\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,x\\n> [1][x]" },
	{ "a BOM before a tab header", "\xef\xbb\xbfid\tname\n1\tx\n", 0, 0,
	  NULL,
	  "h1 d=\\t lf [id][name]\n"
	  "2 <1\\tx\\n> [1][x]" },
	{ "a BOM before a quoted header", "\xef\xbb\xbf\"id\";\"a,b\"\n1;2\n",
	  0, 0, NULL,
	  "h1 d=; lf [id][a,b]\n"
	  "2 <1;2\\n> [1][2]" },
	{ "a BOM past the start is data", "id,name\n1,\xef\xbb\xbfx\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,\\xef\\xbb\\xbfx\\n> [1][\\xef\\xbb\\xbfx]" },
	/* header only, no header */
	{ "header only", "id,name\n", 0, 0, NULL, "h1 d=, lf [id][name]" },
	{ "header only, no newline", "id,name", 0, 0, NULL,
	  "h1 d=, lf [id][name]" },
	{ "header only, CRLF", "id,name\r\n", 0, 0, NULL,
	  "h1 d=, crlf [id][name]" },
	{ "header only, BOM and blank lines", "\xef\xbb\xbfid\n\n\r\n", 0, 0,
	  NULL, "h1 d=, lf [id]" },
	{ "empty input", "", 0, 0, NULL,
	  "open: in: empty input: no header line" },
	{ "only a BOM", "\xef\xbb\xbf", 0, 0, NULL,
	  "open: in: empty input: no header line" },
	{ "only blank lines", "\n\r\n\n", 0, 0, NULL,
	  "open: in: empty input: no header line" },
	/* line endings */
	{ "CRLF is kept in raw, not in fields",
	  "id,name\r\n1,Ola\r\n2,\r\n", 0, 0, NULL,
	  "h1 d=, crlf [id][name]\n"
	  "2 <1,Ola\\r\\n> [1][Ola]\n"
	  "3 <2,\\r\\n> [2][]" },
	{ "CRLF with quoted fields",
	  "id,note\r\n1,\"a\r\nb\"\r\n2,\"x\"\r\n\"3\",y\r\n", 0, 0, NULL,
	  "h1 d=, crlf [id][note]\n"
	  "2 <1,\"a\\r\\nb\"\\r\\n> [1][a\\r\\nb]\n"
	  "4 <2,\"x\"\\r\\n> [2][x]\n"
	  "5 <\"3\",y\\r\\n> [3][y]" },
	{ "a CRLF header with LF records", "a,b\r\n1,2\n", 0, 0, NULL,
	  "h1 d=, crlf [a][b]\n"
	  "2 <1,2\\n> [1][2]" },
	{ "a CR inside a line is data", "a,b\n1\r,2\n", 0, 0, NULL,
	  "h1 d=, lf [a][b]\n"
	  "2 <1\\r,2\\n> [1\\r][2]" },
	{ "last line without newline", "id,name\n1,x\n2,y", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,x\\n> [1][x]\n"
	  "3 <2,y> [2][y]" },
	{ "quoted last line without newline", "id,name\n1,\"x\ny\"", 0, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,\"x\\ny\"> [1][x\\ny]" },
	{ "last line ends in a bare CR", "id,name\n1,x\r", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,x\\r> [1][x]" },
	/* quoting */
	{ "embedded newlines shift line numbers",
	  "id,note\n1,\"line one\nline two\"\n2,x\n3,\"a\n\nb\n\"\n4,y\n",
	  0, 0, NULL,
	  "h1 d=, lf [id][note]\n"
	  "2 <1,\"line one\\nline two\"\\n> [1][line one\\nline two]\n"
	  "4 <2,x\\n> [2][x]\n"
	  "5 <3,\"a\\n\\nb\\n\"\\n> [3][a\\n\\nb\\n]\n"
	  "9 <4,y\\n> [4][y]" },
	{ "doubled quotes",
	  "id,q\n1,\"say \"\"hi\"\"\"\n2,\"\"\"\"\n3,\"\"\n", 0, 0, NULL,
	  "h1 d=, lf [id][q]\n"
	  "2 <1,\"say \"\"hi\"\"\"\\n> [1][say \"hi\"]\n"
	  "3 <2,\"\"\"\"\\n> [2][\"]\n"
	  "4 <3,\"\"\\n> [3][]" },
	{ "quoted delimiters", "id,q\n1,\"a,b\"\n\"2\",\"c,d,e\"\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][q]\n"
	  "2 <1,\"a,b\"\\n> [1][a,b]\n"
	  "3 <\"2\",\"c,d,e\"\\n> [2][c,d,e]" },
	{ "quoted ';'", "id;q\n1;\"a;b\"\n", 0, 0, NULL,
	  "h1 d=; lf [id][q]\n"
	  "2 <1;\"a;b\"\\n> [1][a;b]" },
	{ "quoted tab", "id\tq\n1\t\"a\tb\"\n", 0, 0, NULL,
	  "h1 d=\\t lf [id][q]\n"
	  "2 <1\\t\"a\\tb\"\\n> [1][a\\tb]" },
	{ "quoted empty fields", "a,b\n\"\",\"\"\n", 0, 0, NULL,
	  "h1 d=, lf [a][b]\n"
	  "2 <\"\",\"\"\\n> [][]" },
	{ "a quoted header", "\"id\",\"full name\"\n1,x\n", 0, 0, NULL,
	  "h1 d=, lf [id][full name]\n"
	  "2 <1,x\\n> [1][x]" },
	{ "a header with an embedded newline", "id,\"a\nb\"\n1,2\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][a\\nb]\n"
	  "3 <1,2\\n> [1][2]" },
	/* fields */
	{ "empty fields", "a,b,c\n,,\n1,,\n,,3\n", 0, 0, NULL,
	  "h1 d=, lf [a][b][c]\n"
	  "2 <,,\\n> [][][]\n"
	  "3 <1,,\\n> [1][][]\n"
	  "4 <,,3\\n> [][][3]" },
	{ "last field empty, CRLF", "a,b\r\n1,\r\n\"2\",\r\n", 0, 0, NULL,
	  "h1 d=, crlf [a][b]\n"
	  "2 <1,\\r\\n> [1][]\n"
	  "3 <\"2\",\\r\\n> [2][]" },
	{ "spaces are kept", "a,b\n 1 , x \n", 0, 0, NULL,
	  "h1 d=, lf [a][b]\n"
	  "2 < 1 , x \\n> [ 1 ][ x ]" },
	{ "UTF-8 fields", "id,name\n1,\xc3\x85se Bl\xc3\xa5\x62\xc3\xa6r\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,\\xc3\\x85se Bl\\xc3\\xa5\x62\\xc3\\xa6r\\n> "
	  "[1][\\xc3\\x85se Bl\\xc3\\xa5\x62\\xc3\\xa6r]" },
	/* bad records, and the reader goes on */
	{ "ragged rows", "id,name\n1\n2,x\n3,x,y\n4,z\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: 1 fields where the header has 2\n"
	  "3 <2,x\\n> [2][x]\n"
	  "err 4: 3 fields where the header has 2\n"
	  "5 <4,z\\n> [4][z]" },
	{ "a ragged multi-line record", "id,name\n1,\"a\nb\",c\n2,x\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: 3 fields where the header has 2\n"
	  "4 <2,x\\n> [2][x]" },
	{ "a line of spaces is a record", "a,b\n \n1,2\n", 0, 0, NULL,
	  "h1 d=, lf [a][b]\n"
	  "err 2: 1 fields where the header has 2\n"
	  "3 <1,2\\n> [1][2]" },
	{ "invalid UTF-8", "id,name\n1,\xe6\xf8\xe5\n2,ok\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: invalid UTF-8\n"
	  "3 <2,ok\\n> [2][ok]" },
	{ "an overlong '/'", "a\n\xc0\xaf\nb\n", 0, 0, NULL,
	  "h1 d=, lf [a]\n"
	  "err 2: invalid UTF-8\n"
	  "3 <b\\n> [b]" },
	{ "invalid UTF-8 in a multi-line record",
	  "id,q\n1,\"a\n\xff\"\n2,x\n", 0, 0, NULL,
	  "h1 d=, lf [id][q]\n"
	  "err 2: invalid UTF-8\n"
	  "4 <2,x\\n> [2][x]" },
	{ "invalid UTF-8 in the header", "id,n\xe6vn\n1,x\n", 0, 0, NULL,
	  "open: in:1: invalid UTF-8" },
	{ "a NUL byte", "id,name\n1,a\0b\n2,c\n", 18, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: NUL byte in record\n"
	  "3 <2,c\\n> [2][c]" },
	{ "a NUL byte in a quoted field", "id,name\n1,\"a\0b\"\n2,c\n", 20, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: NUL byte in record\n"
	  "3 <2,c\\n> [2][c]" },
	{ "a NUL byte in the header", "id,na\0me\n1,c\n", 13, 0, NULL,
	  "open: in:1: NUL byte in record" },
	{ "a quote inside an unquoted field",
	  "id,name\n1,O\"Brien\n2,x\n3,\"y\"\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: bad quoting\n"
	  "3 <2,x\\n> [2][x]\n"
	  "4 <3,\"y\"\\n> [3][y]" },
	{ "two quotes inside an unquoted field",
	  "id,name\n1,a\"b\"c\n2,x\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: bad quoting\n"
	  "3 <2,x\\n> [2][x]" },
	{ "text after a closing quote", "id,name\n1,\"ab\"c\n2,x\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: bad quoting\n"
	  "3 <2,x\\n> [2][x]" },
	{ "text and a quote after a closing quote",
	  "id,name\n1,\"ab\"c\"d\n2,x\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: bad quoting\n"
	  "3 <2,x\\n> [2][x]" },
	{ "a space before an opening quote", "a,b\n1, \"x\"\n2,y\n", 0, 0, NULL,
	  "h1 d=, lf [a][b]\n"
	  "err 2: bad quoting\n"
	  "3 <2,y\\n> [2][y]" },
	{ "a stray quote on a CRLF line", "a,b\r\n1,x\"y\r\n2,z\r\n", 0, 0,
	  NULL,
	  "h1 d=, crlf [a][b]\n"
	  "err 2: bad quoting\n"
	  "3 <2,z\\r\\n> [2][z]" },
	{ "an unterminated quote runs to the end",
	  "id,name\n1,x\n2,\"abc\n3,y\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "2 <1,x\\n> [1][x]\n"
	  "err 3: bad quoting" },
	{ "an unterminated quote at EOF, no newline", "id,name\n2,\"abc", 0, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: bad quoting" },
	{ "a stray quote in the header", "id,na\"me\n1,2\n", 0, 0, NULL,
	  "open: in:1: bad quoting" },
	/* blank lines: skipped, but counted in line numbers */
	{ "blank lines are skipped", "id,name\n\n1,x\n\r\n\n2,y\n\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][name]\n"
	  "3 <1,x\\n> [1][x]\n"
	  "6 <2,y\\n> [2][y]" },
	{ "blank lines in a one-column file are no records", "id\n1\n\n2\n",
	  0, 0, NULL,
	  "h1 d=, lf [id]\n"
	  "2 <1\\n> [1]\n"
	  "4 <2\\n> [2]" },
	{ "a blank line inside quotes is data", "id,q\n1,\"a\n\nb\"\n", 0, 0,
	  NULL,
	  "h1 d=, lf [id][q]\n"
	  "2 <1,\"a\\n\\nb\"\\n> [1][a\\n\\nb]" },
	{ "blank lines before the header", "\n\r\nid\tname\n1\tx\n", 0, 0,
	  NULL,
	  "h3 d=\\t lf [id][name]\n"
	  "4 <1\\tx\\n> [1][x]" },
	{ "blank lines before a ';' header", "\n\nid;name\n1;x,y\n", 0, 0,
	  NULL,
	  "h3 d=; lf [id][name]\n"
	  "4 <1;x,y\\n> [1][x,y]" },
	{ "a blank line at the end without newline", "id\n1\n\r", 0, 0, NULL,
	  "h1 d=, lf [id]\n"
	  "2 <1\\n> [1]" },
	/* --encoding */
	{ "cp1252: fields in UTF-8, raw as read", "id,name\n1,\xe6\xf8\xe5\n",
	  0, 0, "cp1252",
	  "h1 d=, lf [id][name]\n"
	  "2 <1,\\xe6\\xf8\\xe5\\n> [1][\\xc3\\xa6\\xc3\\xb8\\xc3\\xa5]" },
	{ "cp1252 header", "id;n\xe6vn\r\n1;\x80\r\n", 0, 0, "cp1252",
	  "h1 d=; crlf [id][n\\xc3\\xa6vn]\n"
	  "2 <1;\\x80\\r\\n> [1][\\xe2\\x82\\xac]" },
	{ "latin1, quoted and multi-line",
	  "id,q\n1,\"\xe6\n\xf8\"\"\"\n2,\xe5\n", 0, 0, "latin1",
	  "h1 d=, lf [id][q]\n"
	  "2 <1,\"\\xe6\\n\\xf8\"\"\"\\n> [1][\\xc3\\xa6\\n\\xc3\\xb8\"]\n"
	  "4 <2,\\xe5\\n> [2][\\xc3\\xa5]" },
	{ "cp1252: a byte it has no character for",
	  "id,name\n1,\x81\n2,x\n", 0, 0, "cp1252",
	  "h1 d=, lf [id][name]\n"
	  "err 2: bytes not valid in the input encoding\n"
	  "3 <2,x\\n> [2][x]" },
	{ "cp1252 after a BOM", "\xef\xbb\xbfid\n\xe6\n", 0, 0, "cp1252",
	  "h1 d=, lf [id]\n"
	  "2 <\\xe6\\n> [\\xc3\\xa6]" },
	{ "cp1252 without --encoding is invalid UTF-8",
	  "id,name\n1,\xe6\xf8\xe5\n", 0, 0, NULL,
	  "h1 d=, lf [id][name]\n"
	  "err 2: invalid UTF-8" },
	{ "an unknown encoding", "id\n1\n", 0, 0, "no-such-encoding",
	  "open: unknown encoding 'no-such-encoding'" },
};

static void
test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof rcases / sizeof rcases[0]; i++) {
		const struct rcase *c = &rcases[i];
		struct reader_opts o = { c->delim, c->encoding, 0 };
		size_t len = c->len ? c->len : strlen(c->in);
		char *got;
		int fd, pass;

		bad_invariants = 0;
		fd = feed_file(c->in, len);
		got = transcript(fd, &o, NULL);
		unfeed(fd);
		pass = strcmp(got, c->want) == 0 && bad_invariants == 0;
		ok(pass, "%s", c->name);
		if (!pass) {
			diag("got", got);
			diag("want", c->want);
		}
		free(got);

		bad_invariants = 0;
		fd = feed_pipe(c->in, len, 1);
		got = transcript(fd, &o, NULL);
		unfeed(fd);
		pass = strcmp(got, c->want) == 0 && bad_invariants == 0;
		ok(pass, "%s, through a pipe a byte at a time", c->name);
		if (!pass)
			diag("got", got);
		free(got);
	}
}

/* The messages in full: "LINE: reason", and the file named by
 * reader_open. */
static void
test_messages(void)
{
	static const char in[] = "id,name\n1,\xe6\n2\n";
	char err[512];
	struct reader *r;
	struct record rec;
	int fd;

	fd = feed_file(in, sizeof in - 1);
	r = reader_open(fd, "kunder.csv", NULL, err, sizeof err);
	ok(r != NULL, "reader_open");
	if (r) {
		ok(reader_next(r, &rec) == -1 && strcmp(reader_error(r),
		    "2: invalid UTF-8 (is it another encoding? try --encoding cp1252)")
		    == 0, "invalid UTF-8 message: %s", reader_error(r));
		ok(reader_next(r, &rec) == -1 && strcmp(reader_error(r),
		    "3: 1 fields where the header has 2") == 0,
		    "ragged row message: %s", reader_error(r));
		ok(reader_next(r, &rec) == 0, "then the end");
		ok(strcmp(reader_name(r), "kunder.csv") == 0, "reader_name");
		reader_close(r);
	}
	unfeed(fd);

	fd = feed_file("id,n\xe6vn\n", 9);
	ok(reader_open(fd, "kunder.csv", NULL, err, sizeof err) == NULL &&
	    strncmp(err, "kunder.csv:1: invalid UTF-8 (", 29) == 0,
	    "a bad header names file and line: %s", err);
	unfeed(fd);

	fd = feed_file("", 0);
	ok(reader_open(fd, "kunder.csv", NULL, err, sizeof err) == NULL &&
	    strcmp(err, "kunder.csv: empty input: no header line") == 0,
	    "empty input names the file: %s", err);
	unfeed(fd);

	/* A small err buffer is truncated, not overrun. */
	fd = feed_file("", 0);
	memset(err, 'x', sizeof err);
	ok(reader_open(fd, "kunder.csv", NULL, err, 8) == NULL &&
	    strcmp(err, "kunder.") == 0 && err[8] == 'x',
	    "the message fits errsz");
	unfeed(fd);

	/* reader_close(NULL) is harmless. */
	reader_close(NULL);
	ok(1, "reader_close(NULL)");
}

/* Read errors: -2 from reader_next, NULL from reader_open. */
static void
test_read_error(void)
{
	char err[512];
	struct reader *r;
	struct record rec;
	int p[2], dir;

	dir = open(".", O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		eprintf("open .:");
	ok(reader_open(dir, "dir", NULL, err, sizeof err) == NULL &&
	    strstr(err, "dir: read error: ") == err,
	    "reader_open on a directory: %s", err);

	/* A pipe holding only the header; then the fd turns into a
	 * directory, which read() refuses. */
	if (pipe(p) < 0)
		eprintf("pipe:");
	if (write(p[1], "id,name\n", 8) != 8)
		eprintf("write:");
	r = reader_open(p[0], "pipe", NULL, err, sizeof err);
	ok(r != NULL, "reader_open on a pipe with a header only");
	if (r) {
		if (dup2(dir, p[0]) < 0)
			eprintf("dup2:");
		ok(reader_next(r, &rec) == -2 &&
		    strstr(reader_error(r), "read error: ") == reader_error(r),
		    "reader_next on a read error is -2: %s", reader_error(r));
		reader_close(r);
	}
	close(p[0]);
	close(p[1]);
	close(dir);
}

/* --- big inputs ---------------------------------------------------- */

/* A 1 MB field, plain and quoted, from a file and from a pipe. */
static void
test_long(void)
{
	const size_t big = 1 << 20;
	struct buf in = { 0 }, want = { 0 };
	size_t i, nl = 0;
	int how;

	/* plain */
	buf_adds(&in, "id,data\n1,");
	for (i = 0; i < big; i++)
		buf_addc(&in, (char)('a' + i % 26));
	buf_adds(&in, "\n2,x\n");
	for (how = 0; how < 2; how++) {
		int fd = how ? feed_pipe(in.s, in.len, 65536) :
		    feed_file(in.s, in.len);
		struct reader *r = reader_open(fd, "in", NULL, NULL, 0);
		struct record rec;
		int rc1, rc2 = 0, rc3 = 0, good = 0;

		rc1 = r ? reader_next(r, &rec) : -9;
		if (rc1 == 1)
			good = rec.line == 2 && rec.rawlen == big + 3 &&
			    memcmp(rec.raw, in.s + 8, big + 3) == 0 &&
			    rec.lens[1] == big &&
			    memcmp(rec.fields[1], in.s + 10, big) == 0 &&
			    rec.fields[1][big] == '\0';
		if (rc1 == 1) {
			rc2 = reader_next(r, &rec);
			good = good && rc2 == 1 && rec.line == 3 &&
			    rec.rawlen == 4 && memcmp(rec.raw, "2,x\n", 4) == 0;
			rc3 = reader_next(r, &rec);
		}
		ok(good && rc3 == 0, "a 1 MB field%s",
		    how ? ", through a pipe" : "");
		reader_close(r);
		unfeed(fd);
	}

	/* quoted: doubled quotes, delimiters, newlines */
	buf_reset(&in);
	buf_adds(&in, "id,data\n1,\"");
	for (i = 0; buf_reset(&want), i < big / 8; i++)
		;
	buf_reset(&want);
	for (i = 0; i < big / 8; i++) {
		buf_adds(&in, "a\"\"b,c\n");	/* 8 bytes */
		buf_adds(&want, "a\"b,c\n");
		nl++;
	}
	buf_adds(&in, "\"\r\n2,x\r\n");
	for (how = 0; how < 2; how++) {
		int fd = how ? feed_pipe(in.s, in.len, 65536) :
		    feed_file(in.s, in.len);
		struct reader *r = reader_open(fd, "in", NULL, NULL, 0);
		struct record rec;
		int rc1, good = 0;

		rc1 = r ? reader_next(r, &rec) : -9;
		if (rc1 == 1)
			good = rec.line == 2 && rec.rawlen == in.len - 8 - 5 &&
			    memcmp(rec.raw, in.s + 8, rec.rawlen) == 0 &&
			    rec.lens[1] == want.len &&
			    memcmp(rec.fields[1], want.s, want.len) == 0;
		if (rc1 == 1)
			good = good && reader_next(r, &rec) == 1 &&
			    rec.line == 3 + (long)nl && rec.rawlen == 5 &&
			    strcmp(rec.fields[1], "x") == 0 &&
			    reader_next(r, &rec) == 0;
		ok(good, "a 1 MB quoted field of %zu lines%s", nl,
		    how ? ", through a pipe" : "");
		reader_close(r);
		unfeed(fd);
	}

	/* cp1252 where every byte becomes three */
	buf_reset(&in);
	buf_adds(&in, "id,data\n1,");
	for (i = 0; i < 100000; i++)
		buf_addc(&in, '\x80');
	buf_adds(&in, "\n");
	{
		struct reader_opts o = { 0, "cp1252", 0 };
		int fd = feed_file(in.s, in.len);
		struct reader *r = reader_open(fd, "in", &o, NULL, 0);
		struct record rec;
		int good = 0;

		if (r && reader_next(r, &rec) == 1) {
			good = rec.rawlen == 100003 && rec.lens[1] == 300000;
			for (i = 0; good && i < 300000; i += 3)
				good = memcmp(rec.fields[1] + i, "\xe2\x82\xac",
				    3) == 0;
		}
		ok(good, "cp1252: 100000 bytes 0x80 become 100000 euro signs");
		reader_close(r);
		unfeed(fd);
	}
	buf_free(&in);
	buf_free(&want);
}

/* Longer than the 16 MB a record may be: given up on (-2), whether it is
 * one line or an unclosed quote over many. */
static void
test_too_long(void)
{
	const size_t big = 17 << 20;
	struct buf in = { 0 };
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		int fd;
		struct reader *r;
		struct record rec;
		int rc1, rc2;

		buf_reset(&in);
		buf_adds(&in, "id,data\n1,x\n2,");
		if (k)
			buf_addc(&in, '"');
		for (i = 0; i < big; i++)
			buf_addc(&in, k && i % 80 == 79 ? '\n' : 'z');
		buf_adds(&in, "\n3,y\n");
		fd = feed_file(in.s, in.len);
		r = reader_open(fd, "in", NULL, NULL, 0);
		rc1 = r ? reader_next(r, &rec) : -9;
		rc2 = r ? reader_next(r, &rec) : -9;
		ok(rc1 == 1 && rc2 == -2 && strcmp(reader_error(r),
		    "3: record longer than 16 MB (an unclosed quote?)") == 0,
		    "a record of 17 MB%s is refused with -2: %s",
		    k ? " in an unclosed quote" : "",
		    r ? reader_error(r) : "no reader");
		reader_close(r);
		unfeed(fd);
	}
	buf_free(&in);
}

/* Row i of the generated input, and its fields. */
static void
gen_row(struct buf *b, size_t i, char f[3][64])
{
	snprintf(f[0], 64, "%zu", i);
	snprintf(f[1], 64, "Name %zu", i * 7919 % 100003);
	if (i % 7 == 0) {
		snprintf(f[2], 64, "a,\"%zu\"\nb", i);
		buf_printf(b, "%s,%s,\"a,\"\"%zu\"\"\nb\"", f[0], f[1], i);
	} else if (i % 5 == 0) {
		f[2][0] = '\0';
		buf_printf(b, "%s,\"%s\",", f[0], f[1]);
	} else {
		snprintf(f[2], 64, "x%zu@example.no", i);
		buf_printf(b, "%s,%s,%s", f[0], f[1], f[2]);
	}
	buf_adds(b, i % 11 == 0 ? "\r\n" : "\n");
}

/* 100000 rows over many buffer refills: count, lines, fields, and the raw
 * bytes of them all put together are the input. */
static void
test_many(void)
{
	const size_t nrows = 100000;
	struct buf in = { 0 }, raw = { 0 }, row = { 0 };
	size_t i, want[3] = { 0, 12345, 99999 };
	size_t wantoff[3], wantlen[3];
	char f[3][64];
	int how;

	buf_adds(&in, "id,name,email\n");
	for (i = 0; i < nrows; i++) {
		size_t k;

		for (k = 0; k < 3; k++)
			if (want[k] == i)
				wantoff[k] = in.len;
		gen_row(&in, i, f);
		for (k = 0; k < 3; k++)
			if (want[k] == i)
				wantlen[k] = in.len - wantoff[k];
	}
	for (how = 0; how < 2; how++) {
		int fd = how ? feed_pipe(in.s, in.len, 4096) :
		    feed_file(in.s, in.len);
		struct reader *r = reader_open(fd, "in", NULL, NULL, 0);
		struct record rec;
		size_t n = 0, badf = 0, badraw = 0, k;
		long line = 2;
		int rc = -9;

		buf_reset(&raw);
		if (r)
			buf_add(&raw, reader_header(r)->raw,
			    reader_header(r)->rawlen);
		while (r && (rc = reader_next(r, &rec)) == 1) {
			buf_reset(&row);
			gen_row(&row, n, f);
			if (rec.line != line || rec.nfields != 3 ||
			    strcmp(rec.fields[0], f[0]) != 0 ||
			    strcmp(rec.fields[1], f[1]) != 0 ||
			    strcmp(rec.fields[2], f[2]) != 0)
				badf++;
			for (k = 0; k < 3; k++)
				if (want[k] == n && (rec.rawlen != wantlen[k] ||
				    memcmp(rec.raw, in.s + wantoff[k],
				    wantlen[k]) != 0))
					badraw++;
			line += n % 7 == 0 ? 2 : 1;
			buf_add(&raw, rec.raw, rec.rawlen);
			n++;
		}
		ok(rc == 0 && n == nrows, "%zu rows read of %zu%s", n, nrows,
		    how ? ", through a pipe" : "");
		ok(badf == 0, "fields and lines of every row%s",
		    how ? ", through a pipe" : "");
		ok(badraw == 0, "raw bytes of rows 0, 12345, 99999%s",
		    how ? ", through a pipe" : "");
		ok(raw.len == in.len && memcmp(raw.s, in.s, in.len) == 0,
		    "header and records put together are the input%s",
		    how ? ", through a pipe" : "");
		reader_close(r);
		unfeed(fd);
	}
	buf_free(&in);
	buf_free(&raw);
	buf_free(&row);
}

/* Records that straddle the end of the first read, at every offset.  The
 * reader's first read() of a file is its buffer, 512 KiB, which this
 * assumes; with another size the cases still hold. */
static void
test_boundary(void)
{
	static const char tail[] =
	    "2,\"a\"\"b\nc\"\r\n"
	    "3,\xc3\xa6\xe2\x82\xac\xf0\x9f\x98\x80\n"
	    "4,plain\r\n"
	    "\n"
	    "5,\"\"\n";
	static const char want[] =
	    "L <2,\"a\"\"b\\nc\"\\r\\n> [2][a\"b\\nc]\n"
	    "L <3,\\xc3\\xa6\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80\\n> "
	    "[3][\\xc3\\xa6\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80]\n"
	    "L <4,plain\\r\\n> [4][plain]\n"
	    "L <5,\"\"\\n> [5][]";
	const size_t edge = 512 * 1024;
	struct buf in = { 0 }, got = { 0 };
	size_t k, nbad = 0, nfill;
	long lines;

	for (k = 0; k < sizeof tail; k++) {
		int fd;
		struct reader *r;
		struct record rec;
		size_t n = 0;
		int rc;

		buf_reset(&in);
		buf_reset(&got);
		buf_adds(&in, "id,q\n");
		/* filler rows up to edge - k */
		lines = 1;
		while (in.len + 16 < edge - k) {
			buf_adds(&in, "1,filler filler\n");
			lines++;
		}
		nfill = (size_t)lines - 1;
		buf_adds(&in, "1,");
		while (in.len < edge - k - 1)
			buf_addc(&in, 'f');
		buf_addc(&in, '\n');
		nfill++;
		buf_adds(&in, tail);
		fd = feed_file(in.s, in.len);
		r = reader_open(fd, "in", NULL, NULL, 0);
		while (r && (rc = reader_next(r, &rec)) == 1) {
			if (n++ < nfill)
				continue;
			if (got.len)
				buf_addc(&got, '\n');
			buf_adds(&got, "L <");
			esc(&got, rec.raw, rec.rawlen);
			buf_adds(&got, "> ");
			add_fields(&got, &rec);
		}
		if (r == NULL || rc != 0 || n != nfill + 4 ||
		    strcmp(got.s, want) != 0) {
			if (nbad++ == 0) {
				printf("# at %zu before the edge:\n", k);
				diag("got", got.s ? got.s : "");
			}
		}
		reader_close(r);
		unfeed(fd);
	}
	ok(nbad == 0, "records across the first read's end, at %zu offsets",
	    sizeof tail);
	buf_free(&in);
	buf_free(&got);
}

/* --- columns and fields -------------------------------------------- */

static struct reader *
open_str(const char *s, int *fd)
{
	char err[512];
	struct reader *r;

	*fd = feed_file(s, strlen(s));
	r = reader_open(*fd, "in.csv", NULL, err, sizeof err);
	if (r == NULL)
		eprintf("%s", err);
	return r;
}

static void
test_column(void)
{
	int fd;
	struct reader *r = open_str("id,Name,EMAIL,name,\xc3\x86vn,\n", &fd);

	ok(reader_column(r, "id") == 0, "reader_column id");
	ok(reader_column(r, "name") == 3, "reader_column: exact first");
	ok(reader_column(r, "Name") == 1, "reader_column: exact Name");
	ok(reader_column(r, "NAME") == 1,
	    "reader_column: then case-insensitive, the first");
	ok(reader_column(r, "email") == 2, "reader_column email ~ EMAIL");
	ok(reader_column(r, "ID") == 0, "reader_column ID ~ id");
	ok(reader_column(r, "\xc3\xa6vn") == -1,
	    "reader_column: case-insensitive for ASCII only");
	ok(reader_column(r, "\xc3\x86vn") == 4, "reader_column: UTF-8 name");
	ok(reader_column(r, "") == 5, "reader_column: an empty column name");
	ok(reader_column(r, "mobile") == -1, "reader_column: missing is -1");
	ok(reader_column(r, "nam") == -1, "reader_column: no prefix match");
	reader_close(r);
	unfeed(fd);
}

static void
test_fieldmap(void)
{
	static const struct {
		const char *map, *key;
		int col[F_NFIELDS];	/* -9: must fail */
		const char *err;
	} cases[] = {
		{ NULL, NULL, { -1, -1, -1, 3, 4, 5 }, NULL },
		{ "", NULL, { -1, -1, -1, 3, 4, 5 }, NULL },
		{ "id=Kundenr,name=Navn,email=E-post", NULL,
		  { 0, 1, 2, 3, 4, 5 }, NULL },
		{ "id=kundenr,name=NAVN", NULL, { 0, 1, -1, 3, 4, 5 }, NULL },
		{ "mobile=Navn", NULL, { -1, -1, -1, 1, 4, 5 }, NULL },
		{ "id=Kundenr,", NULL, { 0, -1, -1, 3, 4, 5 }, NULL },
		{ "email=a=b", NULL, { -1, -1, 6, 3, 4, 5 }, NULL },
		{ NULL, "Kundenr", { 0, -1, -1, 3, 4, 5 }, NULL },
		{ NULL, "kundenr", { 0, -1, -1, 3, 4, 5 }, NULL },
		{ "id=Kundenr", "E-post", { 2, -1, -1, 3, 4, 5 }, NULL },
		{ "id", NULL, { -9 }, "--map: expected field=Column, got 'id'" },
		{ "=Navn", NULL, { -9 },
		  "--map: expected field=Column, got '=Navn'" },
		{ "name=", NULL, { -9 },
		  "--map: expected field=Column, got 'name='" },
		{ "id=Kundenr,,name=Navn", NULL, { -9 },
		  "--map: expected field=Column, got ''" },
		{ "phone=mobile", NULL, { -9 },
		  "--map: unknown field 'phone' (id, name, email, mobile, lang, last_contact)" },
		{ "ID=Kundenr", NULL, { -9 },
		  "--map: unknown field 'ID' (id, name, email, mobile, lang, last_contact)" },
		{ "email=Epost", NULL, { -9 },
		  "in.csv: no column 'Epost' in the header" },
		{ NULL, "kundenummer", { -9 },
		  "in.csv: no key column 'kundenummer' in the header" },
	};
	int fd;
	struct reader *r = open_str(
	    "Kundenr,Navn,E-post,mobile,LANG,last_contact,a=b\n", &fd);
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fieldmap m;
		char err[512] = "";
		int rc, f, same = 1;

		rc = fieldmap_resolve(&m, r, cases[i].map, cases[i].key, err,
		    sizeof err);
		if (cases[i].col[0] == -9) {
			ok(rc == -1 && strcmp(err, cases[i].err) == 0,
			    "fieldmap_resolve --map '%s' --key '%s' fails: %s",
			    cases[i].map ? cases[i].map : "",
			    cases[i].key ? cases[i].key : "", err);
			continue;
		}
		for (f = 0; f < F_NFIELDS; f++)
			if (m.col[f] != cases[i].col[f])
				same = 0;
		ok(rc == 0 && same,
		    "fieldmap_resolve --map '%s' --key '%s' = %d %d %d %d %d %d",
		    cases[i].map ? cases[i].map : "",
		    cases[i].key ? cases[i].key : "", m.col[0], m.col[1],
		    m.col[2], m.col[3], m.col[4], m.col[5]);
	}
	{
		char longmap[400];
		struct fieldmap m;
		char err[512];

		snprintf(longmap, sizeof longmap, "name=%0300d", 0);
		ok(fieldmap_resolve(&m, r, longmap, NULL, err, sizeof err) ==
		    -1, "fieldmap_resolve: a 300-byte column name fails");
	}
	ok(strcmp(field_names[F_ID], "id") == 0 &&
	    strcmp(field_names[F_LAST_CONTACT], "last_contact") == 0,
	    "field_names");
	reader_close(r);
	unfeed(fd);
}

static void
test_get(void)
{
	int fd;
	struct reader *r = open_str("id,name,email\n7,Ola,o@x.no\n8,Kari\n",
	    &fd);
	struct fieldmap m;
	struct record rec;
	char *fields[1] = { "solo" };
	size_t lens[1] = { 4 };
	struct record shortrec = { 1, fields, lens, "solo\n", 5, 9 };
	int rc;

	ok(fieldmap_resolve(&m, r, "mobile=email", NULL, NULL, 0) == 0,
	    "fieldmap_resolve");
	ok(reader_next(r, &rec) == 1, "a record");
	ok(strcmp(record_get(&rec, &m, F_ID), "7") == 0 &&
	    strcmp(record_get(&rec, &m, F_NAME), "Ola") == 0 &&
	    strcmp(record_get(&rec, &m, F_MOBILE), "o@x.no") == 0 &&
	    strcmp(record_get(&rec, &m, F_EMAIL), "o@x.no") == 0 &&
	    strcmp(record_get(&rec, &m, F_LANG), "") == 0,
	    "record_get: mapped fields, a field's own column, \"\" for absent ones");
	ok(strcmp(record_col(&rec, 2), "o@x.no") == 0 &&
	    strcmp(record_col(&rec, 3), "") == 0 &&
	    strcmp(record_col(&rec, -1), "") == 0,
	    "record_col: \"\" past the end and for -1");
	rc = reader_next(r, &rec);
	ok(rc == -1, "a short record is -1");
	ok(strcmp(record_col(&shortrec, 0), "solo") == 0 &&
	    strcmp(record_col(&shortrec, 1), "") == 0 &&
	    strcmp(record_col(&shortrec, 1000), "") == 0 &&
	    strcmp(record_get(&shortrec, &m, F_ID), "solo") == 0 &&
	    strcmp(record_get(&shortrec, &m, F_NAME), "") == 0 &&
	    strcmp(record_get(&shortrec, &m, F_MOBILE), "") == 0,
	    "record_get and record_col on a short record");
	reader_close(r);
	unfeed(fd);
}

/* --- the writer ---------------------------------------------------- */

static char *
write_rows(char delim, int crlf, int excel, const char *const *rows,
    size_t n)
{
	char *s = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&s, &len);
	struct writer w;

	if (fp == NULL)
		eprintf("open_memstream:");
	writer_init(&w, fp, delim, crlf, excel);
	writer_row(&w, n, rows);
	for (i = 0; i < n; i++)
		writer_field(&w, i == 0, rows[i]);
	writer_end(&w);
	fclose(fp);
	return s;
}

static void
test_writer(void)
{
	static const struct {
		char delim;
		int crlf, excel;
		const char *f[4];
		const char *want;
	} cases[] = {
		{ ',', 0, 0, { "a", "b", NULL }, "a,b\n" },
		{ 0, 0, 0, { "a", "b", NULL }, "a,b\n" },
		{ ',', 1, 0, { "a", "b", NULL }, "a,b\r\n" },
		{ ',', 0, 0, { "", "", NULL }, ",\n" },
		{ ',', 0, 0, { "", NULL }, "\n" },
		{ ',', 0, 0, { "a,b", "c", NULL }, "\"a,b\",c\n" },
		{ ',', 0, 0, { "a;b", "c\td", NULL }, "a;b,c\td\n" },
		{ ';', 0, 0, { "a;b", "a,b", NULL }, "\"a;b\";a,b\n" },
		{ '\t', 0, 0, { "a\tb", "a,b", "a;b", NULL },
		  "\"a\tb\"\ta,b\ta;b\n" },
		{ ',', 0, 0, { "say \"hi\"", "\"", NULL },
		  "\"say \"\"hi\"\"\",\"\"\"\"\n" },
		{ ',', 0, 0, { "a\nb", "a\rb", "a\r\nb", NULL },
		  "\"a\nb\",\"a\rb\",\"a\r\nb\"\n" },
		{ ',', 1, 0, { "a\nb", NULL }, "\"a\nb\"\r\n" },
		{ ',', 0, 0, { " x ", "\xc3\xa6\xc3\xb8\xc3\xa5", NULL },
		  " x ,\xc3\xa6\xc3\xb8\xc3\xa5\n" },
		{ ',', 0, 0, { "=1+1", "-5", NULL }, "=1+1,-5\n" },
		{ ',', 0, 1, { "=1+1", "+4", "-5", "@SUM(A1)" },
		  "'=1+1,'+4,'-5,'@SUM(A1)\n" },
		{ ',', 0, 1, { "a=b", "", "5-", "'x" }, "a=b,,5-,'x\n" },
		{ ',', 0, 1, { "=a,b", "=\"x\"", NULL },
		  "\"'=a,b\",\"'=\"\"x\"\"\"\n" },
		{ '\t', 1, 1, { "@x", "y\tz", NULL }, "'@x\t\"y\tz\"\r\n" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 0;
		char *got, *want2;
		struct buf d = { 0 };

		while (n < 4 && cases[i].f[n])
			n++;
		got = write_rows(cases[i].delim, cases[i].crlf,
		    cases[i].excel, cases[i].f, n);
		/* writer_row, then the same by writer_field and writer_end */
		want2 = emalloc(2 * strlen(cases[i].want) + 1);
		strcpy(want2, cases[i].want);
		strcat(want2, cases[i].want);
		esc(&d, cases[i].want, strlen(cases[i].want));
		ok(strcmp(got, want2) == 0, "writer%s%s%s: %s",
		    cases[i].delim == '\t' ? " tab" :
		    cases[i].delim == ';' ? " ';'" : "",
		    cases[i].crlf ? " crlf" : "",
		    cases[i].excel ? " excel" : "", d.s);
		free(got);
		free(want2);
		buf_free(&d);
	}
}

/* What the writer writes, the reader reads back. */
static void
test_roundtrip(void)
{
	static const char *const rows[][4] = {
		{ "id", "name", "note", "x" },
		{ "1", "a,b;c\td", "say \"hi\"", "" },
		{ "2", "line\nbreak", "cr\rlf\r\n", "\"" },
		{ "3", " spaced ", "\xc3\xa6\xc3\xb8\xc3\xa5\xe2\x82\xac", "\"\"" },
		{ "", "", "", "" },
	};
	static const char delims[] = ",;\t";
	size_t nrows = sizeof rows / sizeof rows[0], i, j;
	int d, crlf;

	for (d = 0; d < 3; d++)
		for (crlf = 0; crlf < 2; crlf++) {
			char *s = NULL;
			size_t len = 0;
			FILE *fp = open_memstream(&s, &len);
			struct writer w;
			struct reader *r;
			struct record rec;
			char err[512];
			int fd, good = 1;

			writer_init(&w, fp, delims[d], crlf, 0);
			for (i = 0; i < nrows; i++)
				writer_row(&w, 4, rows[i]);
			fclose(fp);
			fd = feed_file(s, len);
			r = reader_open(fd, "rt", NULL, err, sizeof err);
			if (r == NULL || reader_delim(r) != delims[d] ||
			    reader_crlf(r) != crlf)
				good = 0;
			for (j = 0; good && j < 4; j++)
				good = strcmp(reader_header(r)->fields[j],
				    rows[0][j]) == 0;
			for (i = 1; good && i < nrows; i++) {
				good = reader_next(r, &rec) == 1;
				for (j = 0; good && j < 4; j++)
					good = strcmp(rec.fields[j],
					    rows[i][j]) == 0;
			}
			ok(good && reader_next(r, &rec) == 0,
			    "writer and reader round trip, delimiter '%s'%s",
			    d == 2 ? "\\t" : d ? ";" : ",",
			    crlf ? ", CRLF" : "");
			reader_close(r);
			unfeed(fd);
			free(s);
		}
}

/* --- utf8_valid ---------------------------------------------------- */

static const struct {
	const char *s;
	size_t n;	/* 0: strlen */
	int valid;
	const char *what;
} utf8_cases[] = {
	{ "", 0, 1, "empty" },
	{ "plain ASCII ~\x7f", 0, 1, "ASCII" },
	{ "a\0b", 3, 1, "a NUL" },
	{ "\xc2\x80", 0, 1, "U+0080" },
	{ "\xdf\xbf", 0, 1, "U+07FF" },
	{ "\xe0\xa0\x80", 0, 1, "U+0800" },
	{ "\xed\x9f\xbf", 0, 1, "U+D7FF" },
	{ "\xee\x80\x80", 0, 1, "U+E000" },
	{ "\xef\xbf\xbf", 0, 1, "U+FFFF" },
	{ "\xef\xbb\xbf", 0, 1, "U+FEFF" },
	{ "\xf0\x90\x80\x80", 0, 1, "U+10000" },
	{ "\xf0\x9f\x98\x80", 0, 1, "U+1F600" },
	{ "\xf4\x8f\xbf\xbf", 0, 1, "U+10FFFF" },
	{ "\xc3\xa6\xc3\xb8\xc3\xa5 \xe2\x82\xac", 0, 1, "æøå €" },
	{ "\xc0\x80", 0, 0, "overlong NUL" },
	{ "\xc0\xaf", 0, 0, "overlong '/' (C0)" },
	{ "\xc1\xbf", 0, 0, "overlong U+007F (C1)" },
	{ "\xe0\x80\x80", 0, 0, "overlong 3-byte NUL" },
	{ "\xe0\x9f\xbf", 0, 0, "overlong U+07FF in 3 bytes" },
	{ "\xf0\x80\x80\x80", 0, 0, "overlong 4-byte NUL" },
	{ "\xf0\x8f\xbf\xbf", 0, 0, "overlong U+FFFF in 4 bytes" },
	{ "\xed\xa0\x80", 0, 0, "surrogate U+D800" },
	{ "\xed\xaf\xbf", 0, 0, "surrogate U+DBFF" },
	{ "\xed\xb0\x80", 0, 0, "surrogate U+DC00" },
	{ "\xed\xbf\xbf", 0, 0, "surrogate U+DFFF" },
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, 0, "a surrogate pair (CESU-8)" },
	{ "\xf4\x90\x80\x80", 0, 0, "U+110000" },
	{ "\xf5\x80\x80\x80", 0, 0, "F5" },
	{ "\xf7\xbf\xbf\xbf", 0, 0, "F7" },
	{ "\xf8\x88\x80\x80\x80", 0, 0, "5 bytes" },
	{ "\xfc\x84\x80\x80\x80\x80", 0, 0, "6 bytes" },
	{ "\xfe", 0, 0, "FE" },
	{ "\xff", 0, 0, "FF" },
	{ "\x80", 0, 0, "a lone continuation byte" },
	{ "a\xbf", 0, 0, "a continuation byte after ASCII" },
	{ "\xc3", 0, 0, "truncated 2-byte at the end" },
	{ "\xe2\x82", 0, 0, "truncated 3-byte at the end" },
	{ "\xf0\x9f\x98", 0, 0, "truncated 4-byte at the end" },
	{ "\xc3" "a", 0, 0, "truncated 2-byte before ASCII" },
	{ "\xe2\x28\xa1", 0, 0, "a bad second byte" },
	{ "\xe2\x82\x28", 0, 0, "a bad third byte" },
	{ "\xf0\x9f\x98\x28", 0, 0, "a bad fourth byte" },
	{ "\xc3\xa6", 1, 0, "a sequence cut by n" },
	{ "\xf0\x9f\x98\x80", 3, 0, "a 4-byte sequence cut by n" },
	{ "ab\xc3\xa6", 2, 1, "n stops before a sequence" },
};

static void
test_utf8(void)
{
	size_t i;

	for (i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		size_t n = utf8_cases[i].n ? utf8_cases[i].n :
		    strlen(utf8_cases[i].s);

		ok(utf8_valid(utf8_cases[i].s, n) == utf8_cases[i].valid,
		    "utf8_valid: %s %s", utf8_cases[i].what,
		    utf8_cases[i].valid ? "is valid" : "is invalid");
	}
	/* Every code point, encoded here independently. */
	{
		uint32_t cp;
		size_t bad = 0;
		unsigned char s[4];

		for (cp = 0; cp <= 0x10ffff; cp++) {
			size_t n;
			int want = cp < 0xd800 || cp > 0xdfff;

			if (cp < 0x80) {
				s[0] = (unsigned char)cp;
				n = 1;
			} else if (cp < 0x800) {
				s[0] = (unsigned char)(0xc0 | cp >> 6);
				s[1] = (unsigned char)(0x80 | (cp & 0x3f));
				n = 2;
			} else if (cp < 0x10000) {
				s[0] = (unsigned char)(0xe0 | cp >> 12);
				s[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
				s[2] = (unsigned char)(0x80 | (cp & 0x3f));
				n = 3;
			} else {
				s[0] = (unsigned char)(0xf0 | cp >> 18);
				s[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
				s[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
				s[3] = (unsigned char)(0x80 | (cp & 0x3f));
				n = 4;
			}
			if (utf8_valid((const char *)s, n) != want ||
			    (n > 1 && utf8_valid((const char *)s, n - 1)))
				bad++;
		}
		ok(bad == 0, "utf8_valid on every code point and its cut form");
	}
}

/* The fast split of quoted records against libcsv: random records of
 * the bytes that matter (quotes, delimiters, CR, LF, a blank, a UTF-8
 * letter) must read the same, field for field and error for error,
 * with and without libcsv_only. */
static uint32_t rng = 2463534242u;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
random_input(struct buf *b)
{
	static const char *const atoms[] = { "x", "y", ",", ",", "\"", "\"",
	    "\"\"", "\n", "\r", " ", ";", "\xc3\xa9" };
	size_t nrec = 1 + next_rand() % 4, i, k, len;

	buf_reset(b);
	buf_adds(b, "a,b,c\n");
	for (i = 0; i < nrec; i++) {
		/* Mostly well-formed quoted fields, so that the fast path is
		 * taken often, with random bytes in between. */
		len = next_rand() % 10;
		for (k = 0; k < len; k++) {
			if (next_rand() % 4 == 0) {
				buf_adds(b, "\"q,\"\"w\"");
				continue;
			}
			buf_adds(b, atoms[next_rand() %
			    (sizeof atoms / sizeof atoms[0])]);
		}
		buf_adds(b, next_rand() % 3 ? "\n" : "\r\n");
	}
}

static void
test_fast_split(void)
{
	struct reader_opts fast = { ',', NULL, 0 }, slow = { ',', NULL, 1 };
	struct buf in = { 0 };
	int i, differ = 0;

	for (i = 0; i < 20000; i++) {
		char *a, *b;
		int fd;

		random_input(&in);
		fd = feed_file(in.s, in.len);
		a = transcript(fd, &fast, NULL);
		unfeed(fd);
		fd = feed_file(in.s, in.len);
		b = transcript(fd, &slow, NULL);
		unfeed(fd);
		if (strcmp(a, b) != 0 && differ++ == 0) {
			diag("input", in.s);
			diag("fast", a);
			diag("libcsv", b);
		}
		free(a);
		free(b);
	}
	ok(differ == 0, "fast quoted split equals libcsv on 20000 random"
	    " inputs (%d differ)", differ);
	buf_free(&in);
}

int
main(void)
{
	setprogname("records");
	test_cases();
	test_messages();
	test_read_error();
	test_column();
	test_fieldmap();
	test_get();
	test_writer();
	test_roundtrip();
	test_utf8();
	test_boundary();
	test_long();
	test_too_long();
	test_many();
	test_fast_split();
	return done_testing();
}
