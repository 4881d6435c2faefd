/* Unit tests of lib/splitter, as TAP on stdout.  A table of inputs and
 * transcripts: what the splitter made of each record (its bytes, lines,
 * flags and fields, or "libcsv" where it declines the fields), so that a
 * new case is one entry.  Every input is scanned with all of it at hand,
 * then again fed n bytes at a time for every n from 1 to its length, each
 * time from a fresh copy of just those bytes, as the reader's refills
 * present it; the transcripts must be the same.  tests/fuzz/splitter.c
 * compares the splitter with libcsv on any input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "splitter.h"
#include "tap.h"
#include "transcript.h"
#include "util.h"

#include "../record_text.h"

/* One record: <RAW> LINES [q] [h@OFFSET] [z] then its fields, or
 * "libcsv". */
static void
add_record(struct buf *b, const struct splitter *sp, const char *s)
{
	struct fields f = { 0 };
	size_t n = text_len(s, sp->len), i;
	int rc = 0;

	buf_addc(b, '<');
	esc(b, s, sp->len);
	buf_printf(b, "> %ld", sp->lines);
	if (sp->flags & SPLIT_QUOTE)
		buf_adds(b, " q");
	if (sp->flags & SPLIT_HIGH)
		buf_printf(b, " h@%zu", sp->high);
	if (sp->flags & SPLIT_NUL)
		buf_adds(b, " z");
	buf_addc(b, ' ');
	if (sp->flags & SPLIT_QUOTE)
		rc = split_fields_quoted(s, n, sp->delim, &f);
	else
		split_fields_scanned(sp, s, n, &f);
	if (rc < 0) {
		buf_adds(b, "libcsv");
	} else {
		fields_done(&f);
		for (i = 0; i < f.n; i++) {
			buf_addc(b, '[');
			esc(b, f.ptr[i], f.len[i]);
			buf_addc(b, ']');
		}
	}
	fields_free(&f);
}

/* The record at s, n bytes to the end, step bytes more at a time (0:
 * all at once). */
static enum split_rc
scan(struct splitter *sp, const char *s, size_t n, size_t step)
{
	size_t avail = step ? 0 : n;
	enum split_rc rc;

	split_start(sp);
	for (;;) {
		char *copy;

		if (step)
			avail = avail + step < n ? avail + step : n;
		copy = emalloc(avail + 1);
		memcpy(copy, s, avail);
		rc = split_scan(sp, copy, avail, avail == n);
		free(copy);
		if (rc != SPLIT_MORE)
			return rc;
	}
}

static char *
transcript(const char *s, size_t n, char delim, size_t step)
{
	struct splitter sp;
	struct buf b = { 0 };
	size_t at = 0;
	enum split_rc rc;

	split_init(&sp, delim);
	buf_adds(&b, "");
	while ((rc = scan(&sp, s + at, n - at, step)) == SPLIT_RECORD) {
		if (b.len)
			buf_addc(&b, '\n');
		add_record(&b, &sp, s + at);
		at += sp.len;
		if (sp.len == 0) {
			buf_adds(&b, "\nempty record");
			break;
		}
	}
	if (rc != SPLIT_END)
		buf_adds(&b, "\nno end");
	split_free(&sp);
	return b.s;
}

static const struct scase {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	char delim;
	const char *want;
} cases[] = {
	{ "empty input", "", 0, ',', "" },
	{ "plain records", "id,name\n1,Ola\n", 0, ',',
	  "<id,name\\n> 1 [id][name]\n"
	  "<1,Ola\\n> 1 [1][Ola]" },
	{ "the last line without its line feed", "a,b\n1,", 0, ',',
	  "<a,b\\n> 1 [a][b]\n"
	  "<1,> 1 [1][]" },
	{ "CRLF: the fields leave it out", "a;b\r\n;\r\n", 0, ';',
	  "<a;b\\r\\n> 1 [a][b]\n"
	  "<;\\r\\n> 1 [][]" },
	{ "blank lines are records (the reader skips them)", "\n\r\na\n\r", 0,
	  ',',
	  "<\\n> 1 []\n"
	  "<\\r\\n> 1 []\n"
	  "<a\\n> 1 [a]\n"
	  "<\\r> 1 []" },
	{ "a CR inside a line without quotes is data", "1\r,2\r\r\n", 0, ',',
	  "<1\\r,2\\r\\r\\n> 1 [1\\r][2\\r]" },
	{ "tab: a comma is data", "a\tb,c\n", 0, '\t',
	  "<a\\tb,c\\n> 1 [a][b,c]" },
	{ "quoted delimiters and a doubled quote", "1,\"a,b\",\"say \"\"hi\"\"\"\n",
	  0, ',',
	  "<1,\"a,b\",\"say \"\"hi\"\"\"\\n> 1 q [1][a,b][say \"hi\"]" },
	{ "a quoted line break: one record of two lines",
	  "1,\"x\ny\"\n2,z\n", 0, ',',
	  "<1,\"x\\ny\"\\n> 2 q [1][x\\ny]\n"
	  "<2,z\\n> 1 [2][z]" },
	{ "CRLF inside quotes", "\"a\r\nb\"\r\n", 0, ',',
	  "<\"a\\r\\nb\"\\r\\n> 2 q [a\\r\\nb]" },
	{ "a stray quote spoils its own line only", "O\"Brien,x\n2,y\n", 0,
	  ',',
	  "<O\"Brien,x\\n> 1 q libcsv\n"
	  "<2,y\\n> 1 [2][y]" },
	{ "a stray quote then a quoted field", "a\"b,\"c\nd\"\n", 0, ',',
	  "<a\"b,\"c\\nd\"\\n> 2 q libcsv" },
	{ "text after a closing quote", "\"a\"b,c\nx\n", 0, ',',
	  "<\"a\"b,c\\n> 1 q libcsv\n"
	  "<x\\n> 1 [x]" },
	{ "a quote after a CR does not open a field", "a,\r\"b\nc\"\n", 0,
	  ',',
	  "<a,\\r\"b\\n> 1 q libcsv\n"
	  "<c\"\\n> 1 q libcsv" },
	{ "a CR after a closing quote is for libcsv", "\"a\"\r,b\n", 0, ',',
	  "<\"a\"\\r,b\\n> 1 q libcsv" },
	{ "a quote left open runs to the end", "1,\"open\n2,x\n", 0, ',',
	  "<1,\"open\\n2,x\\n> 2 q libcsv" },
	{ "... with the last line unended", "\"a\nb", 0, ',',
	  "<\"a\\nb> 2 q libcsv" },
	{ "\"\" at the start of a field is empty", "\"\",\"\"\"\"\n", 0, ',',
	  "<\"\",\"\"\"\"\\n> 1 q [][\"]" },
	{ "quotes and delimiters across blocks of sixteen",
	  "0123456789abcd,\"efghijklmnopqrs,tuvwxyz\"\"0123456789\",z\n", 0,
	  ',',
	  "<0123456789abcd,\"efghijklmnopqrs,tuvwxyz\"\"0123456789\",z\\n> "
	  "1 q [0123456789abcd][efghijklmnopqrs,tuvwxyz\"0123456789][z]" },
	{ "a line feed at the sixteenth byte", "0123456789abcde\nx\n", 0, ',',
	  "<0123456789abcde\\n> 1 [0123456789abcde]\n"
	  "<x\\n> 1 [x]" },
	{ "a line feed at the seventeenth byte", "0123456789abcdef\nx\n", 0,
	  ',',
	  "<0123456789abcdef\\n> 1 [0123456789abcdef]\n"
	  "<x\\n> 1 [x]" },
	{ "bytes >= 0x80: the first is noted",
	  "id,name\n1,\xc3\x85se\n0123456789abcdefghij,\xe6\n", 0, ',',
	  "<id,name\\n> 1 [id][name]\n"
	  "<1,\\xc3\\x85se\\n> 1 h@2 [1][\\xc3\\x85se]\n"
	  "<0123456789abcdefghij,\\xe6\\n> 1 h@21 "
	  "[0123456789abcdefghij][\\xe6]" },
	{ "a byte >= 0x80 of the next record is not this one's",
	  "a\n\xc3\xa6\n", 0, ',',
	  "<a\\n> 1 [a]\n"
	  "<\\xc3\\xa6\\n> 1 h@0 [\\xc3\\xa6]" },
	{ "NUL bytes", "a\0b,c\n\"\0\"\nd\n", 12, ',',
	  "<a\\x00b,c\\n> 1 z [a\\x00b][c]\n"
	  "<\"\\x00\"\\n> 1 q z [\\x00]\n"
	  "<d\\n> 1 [d]" },
	{ "a delimiter >= 0x80", "a\xa7" "b\n", 0, '\xa7',
	  "<a\\xa7b\\n> 1 h@1 [a][b]" },
	{ "a line feed inside quotes of a later block",
	  "\"0123456789abcdefghij\n0123456789abcdefghij\"\n", 0, ',',
	  "<\"0123456789abcdefghij\\n0123456789abcdefghij\"\\n> 2 q "
	  "[0123456789abcdefghij\\n0123456789abcdefghij]" },
};

static void
test_cases(void)
{
	size_t i, step;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct scase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char *got = transcript(c->in, len, c->delim, 0);
		int pass = strcmp(got, c->want) == 0, steps_differ = 0;

		ok(pass, "%s", c->name);
		if (!pass) {
			diag("got", got);
			diag("want", c->want);
		}
		for (step = 1; step <= len; step++) {
			char *g = transcript(c->in, len, c->delim, step);

			if (strcmp(g, got) != 0 && steps_differ++ == 0) {
				printf("# %zu bytes at a time:\n", step);
				diag("got", g);
			}
			free(g);
		}
		ok(steps_differ == 0, "%s, fed 1 to %zu bytes at a time",
		    c->name, len);
		free(got);
	}
}

/* split_fields_plain, for text the scan did not see, against the
 * scanned split. */
static void
test_plain(void)
{
	static const char *const texts[] = { "", ",", "a", "a,b,,c,",
	    ",,,,,,,,,,,,,,,,,,,,", "\r,\r", "x y, z " };
	size_t i, k;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct splitter sp;
		struct fields a = { 0 }, b = { 0 };
		size_t n = strlen(texts[i]);
		int same;

		split_init(&sp, ',');
		(void)split_scan(&sp, texts[i], n, 1);
		split_fields_scanned(&sp, texts[i], n, &a);
		split_fields_plain(texts[i], n, ',', &b);
		same = a.n == b.n;
		for (k = 0; same && k < a.n; k++)
			same = a.len[k] == b.len[k] && memcmp(a.text.s +
			    a.off[k], b.text.s + b.off[k], a.len[k] + 1) == 0;
		ok(same, "split_fields_plain is the scanned split: '%s'",
		    texts[i]);
		fields_free(&a);
		fields_free(&b);
		split_free(&sp);
	}
}

/* A long record of many fields: the delimiters' array grows. */
static void
test_many_fields(void)
{
	struct buf in = { 0 };
	struct splitter sp;
	struct fields f = { 0 };
	size_t i, bad = 0;

	for (i = 0; i < 5000; i++)
		buf_printf(&in, "%s%zu", i ? ";" : "", i);
	buf_addc(&in, '\n');
	split_init(&sp, ';');
	ok(split_scan(&sp, in.s, in.len, 0) == SPLIT_RECORD &&
	    sp.len == in.len && sp.ndelims == 4999,
	    "5000 fields: one record, 4999 delimiters");
	split_fields_scanned(&sp, in.s, in.len - 1, &f);
	fields_done(&f);
	for (i = 0; i < f.n; i++)
		if (strtoul(f.ptr[i], NULL, 10) != i)
			bad++;
	ok(f.n == 5000 && bad == 0, "5000 fields read back");
	fields_free(&f);
	split_free(&sp);
	buf_free(&in);
}

int
main(void)
{
	setprogname("splitter");
	test_cases();
	test_plain();
	test_many_fields();
	return done_testing();
}
