/* consent-erase: forget customers, keep what bookkeeping law requires.
 *
 * Erasure: the keys on the input (bare, one a line, or a CSV column), or
 * the customers due (--due), are erased or restricted in one transaction;
 * the input is read whole before the store is touched, so that bad input
 * changes nothing.  After the commit the WAL is checkpointed and emptied,
 * so that the erased bytes are in neither file, and a row id,action,detail
 * per key is written.
 *
 * --anonymise: a CSV stream whose rows of erased customers (every row with
 * --all) get the named columns masked; every other row passes byte for
 * byte.  The tombstones are loaded once: no query per row.
 *
 * See consent-erase(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "cli.h"
#include "config.h"
#include "keyset.h"
#include "mask.h"
#include "records.h"
#include "store.h"
#include "timeutil.h"
#include "tombset.h"
#include "util.h"
#include "values.h"

#define TOOL "consent-erase"

struct options {
	struct cli_records rec;
	const char *reason, *actor;
	char **anon, **keep;
	size_t nanon, nkeep;
	int due, dry_run, all, quiet;
};

/* A row of the erasure's output. */
struct row {
	char *key, *why;	/* why: --due's reason, or NULL */
	struct erase_result res;
};

struct run {
	struct options o;
	struct config *cfg;
	struct store *st;
	int64_t now;
	char today[TIME_DATE_LEN];
	const char *country;
	/* erasure */
	struct row *rows;
	size_t nrows, caprows;
	struct keyset *seen;
	char out_delim;		/* 0: not known yet */
	int crlf;
	/* --anonymise */
	struct mask *mask;
	struct tombset *ts;
	int star;		/* the rule of '*', or -1 */
	long nread, nmasked;
	int bad;
};

/* --- options ----------------------------------------------------------- */

static noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s [-nq] [--reason text] [--actor name]"
	    " [-m map] [-k column] [-e encoding]\n"
	    "       [-d delim | --csv | --tsv] [--db file] [--config file]"
	    " [file ...]\n"
	    "       %s --due [-nq] [--reason text] [--actor name] [--csv |"
	    " --tsv] [--db file]\n"
	    "       [--config file]\n"
	    "       %s --anonymise COLUMN:RULE,... [--all] [--keep"
	    " COLUMN,...] [-q] [-m map]\n"
	    "       [-k column] [-e encoding] [-d delim | --csv | --tsv]"
	    " [--db file]\n"
	    "       [--config file] [file ...]\n", argv0, argv0, argv0);
	exit(EXIT_ERR);
}

static noreturn void
help(void)
{
	printf("usage: %s [options] [file ...]\n"
	    "Erase or restrict the customers on the input; or anonymise a CSV"
	    " stream.\n\n"
	    "      --due                    erase the customers due (reads no"
	    " input)\n"
	    "  -n, --dry-run                report, change nothing\n"
	    "      --reason TEXT            kept in the erasure event\n"
	    "      --actor NAME             who runs it (the login name)\n"
	    "  -a, --anonymise COL:RULE,... mask columns: blank hash partial"
	    " year fake\n"
	    "      --all                    ... in every row, not only the"
	    " erased\n"
	    "      --keep COL,...           columns that stay as they are\n"
	    "  -m, --map FIELD=COLUMN,...   map id name email mobile lang"
	    " last_contact\n"
	    "  -k, --key COLUMN             the customer key column (id)\n"
	    "  -e, --encoding NAME          input encoding (cp1252, latin1,"
	    " ...)\n"
	    "  -d, --delimiter C, --csv, --tsv\n"
	    "      --db FILE, --config FILE\n"
	    "  -q, --quiet                  no summary\n"
	    "  -h, --help, -V, --version\n", argv0);
	exit(EXIT_OK);
}

enum {
	OPT_DUE = 256, OPT_REASON, OPT_ACTOR, OPT_ALL, OPT_KEEP
};

static const struct option longopts[] = {
	{ "due", no_argument, NULL, OPT_DUE },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "anonymise", required_argument, NULL, 'a' },
	{ "anonymize", required_argument, NULL, 'a' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "keep", required_argument, NULL, OPT_KEEP },
	CLI_RECORD_LONGOPTS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
parse_options(struct options *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "na:" CLI_RECORD_SHORTOPTS "qhV",
	    longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DUE: o->due = 1; break;
		case 'n': o->dry_run = 1; break;
		case OPT_REASON:
			o->reason = cli_once("--reason", o->reason, optarg);
			break;
		case OPT_ACTOR:
			o->actor = cli_once("--actor", o->actor, optarg);
			break;
		case 'a': cli_push(&o->anon, &o->nanon, optarg); break;
		case OPT_ALL: o->all = 1; break;
		case OPT_KEEP: cli_push(&o->keep, &o->nkeep, optarg); break;
		case 'q': o->quiet = 1; break;
		case 'h': help();
		case 'V': print_version();
		default:
			if (!cli_record_option(&o->rec, c, optarg))
				usage();
		}
	}
}

/* Options that belong to one mode only are refused in the other, so that
 * an option that would do nothing is not silently taken. */
static void
check_options(const struct options *o, int nfiles)
{
	int anon = o->nanon > 0;

	if (anon && (o->due || o->dry_run || o->reason || o->actor))
		eprintf("--anonymise does not go with %s: it changes no store",
		    o->due ? "--due" : o->dry_run ? "--dry-run" : o->reason ?
		    "--reason" : "--actor");
	if (!anon && (o->all || o->nkeep))
		eprintf("%s goes with --anonymise", o->all ? "--all" :
		    "--keep");
	if (o->due && nfiles > 0)
		eprintf("--due reads no input files");
	if (o->due && (o->rec.key || o->rec.map || o->rec.encoding))
		eprintf("--due reads no input: %s does not go with it",
		    o->rec.key ? "--key" : o->rec.map ? "--map" :
		    "--encoding");
	if (o->reason && strpbrk(o->reason, "\r\n"))
		eprintf("--reason: one line of text");
}

/* --- the store and its key ----------------------------------------------- */

static void
open_store(struct run *r)
{
	const char *path = store_resolve_path(r->o.rec.db);

	if (access(path, F_OK) < 0)
		eprintf("%s: no store here (consent-import makes one)", path);
	r->st = cli_store(path, r->cfg);
}

/* Where a new tombstone key goes: [retention] tombstone_key_file (a
 * relative path from the configuration's folder), else beside the
 * store.  The store's setting names it from then on. */
static char *
key_path(const struct run *r)
{
	const char *v = config_get(r->cfg, "retention", "tombstone_key_file");
	const char *cp = config_path(r->cfg), *slash;
	struct buf b = { 0 };

	if (v && *v) {
		if (v[0] != '/' && cp && (slash = strrchr(cp, '/')))
			buf_add(&b, cp, (size_t)(slash - cp + 1));
		buf_adds(&b, v);
	} else
		buf_printf(&b, "%s-tombstone.key", store_path(r->st));
	return b.s;
}

static void
store_failed(struct run *r)
{
	store_rollback(r->st);
	eprintf("%s; nothing changed", store_errmsg(r->st));
}

/* --- erasure: the input ---------------------------------------------------- */

static void
add_key(struct run *r, const char *key, const char *why)
{
	struct row *w;

	if (!keyset_add(r->seen, key, strlen(key), 0, NULL))
		return;		/* a key given twice is erased once */
	if (r->nrows == r->caprows) {
		r->caprows = r->caprows ? r->caprows * 2 : 64;
		r->rows = erealloc(r->rows, r->caprows * sizeof *r->rows);
	}
	w = &r->rows[r->nrows++];
	memset(w, 0, sizeof *w);
	w->key = estrdup(key);
	w->why = why ? estrdup(why) : NULL;
}

static void
slurp(int fd, const char *name, struct buf *b)
{
	char tmp[65536];
	ssize_t n;

	while ((n = read(fd, tmp, sizeof tmp)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			eprintf("%s:", name);
		}
		buf_add(b, tmp, (size_t)n);
	}
	buf_add(b, "", 0);
}

/* One line of bare keys in UTF-8, converted with --encoding. */
static void
bare_line(struct run *r, const char *name, long line, char *s, size_t n,
    iconv_t cd, struct buf *conv)
{
	char *key;

	if (memchr(s, '\0', n))
		eprintf("%s:%ld: NUL byte", name, line);
	if (cd != (iconv_t)-1) {
		char *in = s, *out;
		size_t inleft = n, outleft;

		buf_reset(conv);
		iconv(cd, NULL, NULL, NULL, NULL);
		while (inleft > 0) {
			buf_grow(conv, inleft * 4 + 16);
			out = conv->s + conv->len;
			outleft = conv->cap - conv->len - 1;
			if (iconv(cd, &in, &inleft, &out, &outleft) ==
			    (size_t)-1 && errno != E2BIG)
				eprintf("%s:%ld: bytes not valid in the input"
				    " encoding", name, line);
			conv->len = (size_t)(out - conv->s);
		}
		buf_add(conv, "", 0);
		s = conv->s;
	} else if (!utf8_valid(s, n))
		eprintf("%s:%ld: invalid UTF-8 (is it another encoding? try"
		    " --encoding cp1252)", name, line);
	key = trim_blanks(s);
	if (*key)
		add_key(r, key, NULL);
}

/* Bare keys: one a line, blanks around them and blank lines ignored. */
static void
read_bare(struct run *r, const char *name, struct buf *b)
{
	char *p = b->s, *end = b->s + b->len, *nl;
	const char *enc = r->o.rec.encoding;
	struct buf conv = { 0 };
	iconv_t cd = (iconv_t)-1;
	long line = 0;

	if (enc && (cd = iconv_open("UTF-8", enc)) == (iconv_t)-1)
		eprintf("--encoding: unknown encoding '%s'", enc);
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (; p < end; p = nl + 1) {
		size_t n;

		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		n = (size_t)(nl - p);
		if (line++ == 0 && !r->out_delim)
			r->crlf = n > 0 && p[n - 1] == '\r';
		if (n > 0 && p[n - 1] == '\r')
			n--;
		p[n] = '\0';
		bare_line(r, name, line, p, n, cd, &conv);
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	buf_free(&conv);
}

static void
read_csv(struct run *r, struct reader *rd, const struct fieldmap *fm)
{
	struct record rec;
	int rc;

	if (!r->out_delim) {
		r->out_delim = reader_delim(rd);
		r->crlf = reader_crlf(rd);
	}
	while ((rc = reader_next(rd, &rec)) != 0) {
		char *key;

		if (rc < 0)
			eprintf("%s:%s; nothing changed", reader_name(rd),
			    reader_error(rd));
		key = trim_blanks((char *)record_get(&rec, fm, F_ID));
		if (!*key)
			eprintf("%s:%ld: no key; nothing changed",
			    reader_name(rd), rec.line);
		add_key(r, key, NULL);
	}
}

/* A file of keys: CSV when its first line names the key column (and
 * then it must, with --key or --map), else bare keys.  Read whole into a
 * temporary file, since the first line decides how to read it. */
static void
read_keys(struct run *r, const char *path)
{
	struct reader_opts ro = { r->o.rec.delim, r->o.rec.encoding, 0 };
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct buf b = { 0 };
	struct reader *rd;
	struct fieldmap fm;
	char err[512];
	FILE *tmp;
	int fd = 0, named = r->o.rec.key || r->o.rec.map;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY)) < 0)
		eprintf("%s:", path);
	slurp(fd, name, &b);
	if (fd > 0)
		close(fd);
	if (!(tmp = tmpfile()))
		eprintf("cannot make a temporary file:");
	if (fwrite(b.s, 1, b.len, tmp) != b.len || fflush(tmp) != 0)
		eprintf("cannot write the temporary file:");
	rewind(tmp);
	rd = b.len ? reader_open(fileno(tmp), name, &ro, err, sizeof err) :
	    NULL;
	if (rd && fieldmap_resolve(&fm, rd, r->o.rec.map, r->o.rec.key, err,
	    sizeof err) < 0) {
		if (named)
			eprintf("%s", err);
		fm.col[F_ID] = -1;
	}
	if (rd && fm.col[F_ID] >= 0)
		read_csv(r, rd, &fm);
	else if (named)
		eprintf("%s: %s", name, rd ? "no key column" : err);
	else
		read_bare(r, name, &b);
	reader_close(rd);
	fclose(tmp);
	buf_free(&b);
}

static int
due_key(void *arg, const char *key, const char *why)
{
	add_key(arg, key, why);
	return 0;
}

/* --- erasure: the store ---------------------------------------------------- */

static const char *
inactive_before(struct run *r, char out[TIME_DATE_LEN])
{
	const char *v = config_get(r->cfg, "retention", "inactive");
	struct duration d;

	if (!v || !*v)
		return NULL;
	if (duration_parse(v, &d) < 0)
		eprintf("[retention] inactive: bad duration '%s' (e.g. 5y, 18m)",
		    v);
	time_format_date(time_add(r->now, &d, -1), out);
	return out;
}

static void
erase_all(struct run *r)
{
	char before[TIME_DATE_LEN], *path;
	unsigned char key[32];
	char **keys;
	size_t i;

	if (store_begin(r->st, TOOL, cli_actor(r->o.actor), r->now) < 0)
		eprintf("%s", store_errmsg(r->st));
	if (r->o.due && store_each_due(r->st, r->today, inactive_before(r,
	    before), due_key, r) != 0)
		store_failed(r);
	if (r->nrows == 0) {
		/* nothing to erase: no key made either */
		store_rollback(r->st);
		return;
	}
	path = key_path(r);
	if (store_tombkey(r->st, path, r->o.dry_run, key) < 0)
		store_failed(r);
	free(path);
	memset(key, 0, sizeof key);
	keys = ecalloc(r->nrows + 1, sizeof *keys);
	for (i = 0; i < r->nrows; i++)
		keys[i] = r->rows[i].key;
	if (store_erase_begin(r->st, keys, r->nrows) < 0)
		store_failed(r);
	free(keys);
	for (i = 0; i < r->nrows; i++)
		if (store_erase(r->st, r->rows[i].key, r->today, r->o.reason,
		    &r->rows[i].res) < 0)
			store_failed(r);
	store_erase_end(r->st);
	if (r->o.dry_run) {
		store_rollback(r->st);
		return;
	}
	if (store_commit(r->st) < 0)
		eprintf("%s; nothing changed", store_errmsg(r->st));
}

static void
row_text(const struct row *w, const char **action, struct buf *detail)
{
	const struct erase_result *e = &w->res;

	buf_reset(detail);
	buf_add(detail, "", 0);
	switch (e->action) {
	case ERASE_ERASED:
		*action = "erased";
		if (e->already)
			buf_adds(detail, "already erased");
		else if (w->why)
			buf_adds(detail, w->why);
		break;
	case ERASE_RESTRICTED:
		*action = "restricted";
		buf_printf(detail, "%suntil %s", e->already ?
		    "already restricted " : "", e->hold);
		break;
	case ERASE_NOT_FOUND:
		*action = "not-found";
		buf_adds(detail, "not in the store");
		break;
	}
}

static int
write_rows(struct run *r)
{
	static const char *const header[] = { "id", "action", "detail" };
	struct writer w;
	struct buf detail = { 0 };
	long n[3] = { 0, 0, 0 };
	size_t i;

	writer_init(&w, stdout, r->o.rec.delim ? r->o.rec.delim :
	    r->out_delim ? r->out_delim : ',', r->crlf, 0);
	writer_row(&w, 3, header);
	for (i = 0; i < r->nrows; i++) {
		const char *f[3];

		row_text(&r->rows[i], &f[1], &detail);
		f[0] = r->rows[i].key;
		f[2] = detail.s;
		writer_row(&w, 3, f);
		n[r->rows[i].res.action]++;
	}
	buf_free(&detail);
	if (!r->o.quiet)
		fprintf(stderr, "%s: %zu key%s: %ld erased, %ld restricted, %ld"
		    " not found%s\n", argv0, r->nrows, r->nrows == 1 ? "" : "s",
		    n[ERASE_ERASED], n[ERASE_RESTRICTED], n[ERASE_NOT_FOUND],
		    r->o.dry_run ? " (dry run: nothing changed)" : "");
	return n[ERASE_NOT_FOUND] ? EXIT_NO : EXIT_OK;
}

static int
run_erase(struct run *r, int argc, char **argv)
{
	int i, status, ckpt = 0;

	r->seen = keyset_new();
	if (!r->o.due) {
		if (argc == 0)
			read_keys(r, "-");
		for (i = 0; i < argc; i++)
			read_keys(r, argv[i]);
	}
	open_store(r);
	erase_all(r);
	/* The WAL still holds the pages as they were: empty it, so that
	 * the erased bytes are in neither file. */
	if (!r->o.dry_run && (ckpt = store_checkpoint(r->st)) < 0)
		weprintf("%s; the erasure is committed, run consent-erase"
		    " again to finish", store_errmsg(r->st));
	status = write_rows(r);
	if (fshut(stdout, "<stdout>") < 0 || ckpt < 0)
		status = EXIT_ERR;
	return status;
}

/* --- --anonymise ----------------------------------------------------------- */

/* A column's rule as the command line names it. */
struct spec {
	char *column;
	int rule;		/* enum mask_rule; -1: --keep */
};

struct stream {
	struct spec *specs;
	size_t nspecs;
	int keyed;		/* a rule needs the key */
	/* the current file */
	struct reader *rd;
	struct fieldmap fm;
	int *rules;		/* per column: enum mask_rule, or -1 */
	size_t nrules;
	char *first_name;
	char **header;
	size_t nheader;
	char delim;
	iconv_t back;		/* UTF-8 to --encoding, for masked rows */
	struct buf row, conv, val;
	int eol_owed;
};

static void
add_spec(struct stream *sm, const char *col, size_t n, int rule)
{
	size_t i;

	for (i = 0; i < sm->nspecs; i++)
		if (strlen(sm->specs[i].column) == n &&
		    memcmp(sm->specs[i].column, col, n) == 0)
			eprintf("column '%.*s' is named twice in --anonymise"
			    " and --keep", (int)n, col);
	sm->specs = erealloc(sm->specs, (sm->nspecs + 1) * sizeof *sm->specs);
	sm->specs[sm->nspecs].column = estrndup(col, n);
	sm->specs[sm->nspecs++].rule = rule;
}

static void
parse_anon(struct stream *sm, const char *arg)
{
	const char *p = arg;

	while (*p) {
		const char *end = p + strcspn(p, ","), *colon = p;
		int rule;

		/* the last ':' of the item: a column name may hold one */
		while (memchr(colon, ':', (size_t)(end - colon)))
			colon = (const char *)memchr(colon, ':',
			    (size_t)(end - colon)) + 1;
		if (colon == p || colon - 1 == p || colon == end)
			eprintf("--anonymise: expected COLUMN:RULE in '%s'",
			    arg);
		if ((rule = mask_rule_parse(colon, (size_t)(end - colon))) < 0)
			eprintf("--anonymise: unknown rule '%.*s' (blank, hash,"
			    " partial, year, fake)", (int)(end - colon), colon);
		add_spec(sm, p, (size_t)(colon - 1 - p), rule);
		sm->keyed |= mask_rule_keyed((enum mask_rule)rule);
		p = *end ? end + 1 : end;
	}
}

static void
parse_keep(struct stream *sm, const char *arg)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 0)
			eprintf("--keep: empty column name in '%s'", arg);
		if (n == 1 && *p == '*')
			eprintf("--keep: '*' keeps every column; name them");
		add_spec(sm, p, n, -1);
		p += n + (p[n] == ',');
	}
}

/* The key: needed for a keyed rule, and to match the tombstones (none
 * without it: no one was erased yet). */
static int
load_key(struct run *r, const struct stream *sm, unsigned char key[32])
{
	char *path;
	int rc = store_tombkey(r->st, NULL, 0, key);

	if (rc < 0)
		eprintf("%s", store_errmsg(r->st));
	if (rc == 1 || !sm->keyed)
		return rc;
	/* the first keyed mask of a store makes its key */
	if (store_begin(r->st, TOOL, cli_actor(NULL), r->now) < 0)
		eprintf("%s", store_errmsg(r->st));
	path = key_path(r);
	if (store_tombkey(r->st, path, 0, key) < 0 || store_commit(r->st) < 0)
		store_failed(r);
	free(path);
	return 1;
}

static int
add_tomb(void *arg, const char *kind, const unsigned char *hash)
{
	tombset_add(arg, kind, hash);
	return 0;
}

static void
setup_stream(struct run *r, struct stream *sm)
{
	unsigned char key[32];
	int have = 0;

	if (r->o.all && !sm->keyed) {
		/* blank, partial and year need no store at all */
		r->mask = mask_new(NULL);
		return;
	}
	open_store(r);
	have = load_key(r, sm, key);
	r->mask = mask_new(have ? key : NULL);
	if (!r->o.all && have) {
		r->ts = tombset_new(key);
		if (store_each_tombstone(r->st, add_tomb, r->ts) != 0)
			eprintf("%s", store_errmsg(r->st));
	}
	memset(key, 0, sizeof key);
}

/* The column a spec names: a field name that --map maps, else a column
 * of the header. */
static int
spec_column(const struct stream *sm, const char *name)
{
	int f;

	for (f = 0; f < F_NFIELDS; f++)
		if (strcmp(name, field_names[f]) == 0 && sm->fm.col[f] >= 0)
			return sm->fm.col[f];
	return reader_column(sm->rd, name);
}

static void
resolve_stream(struct run *r, struct stream *sm)
{
	const struct record *h = reader_header(sm->rd);
	const char *name = reader_name(sm->rd);
	char err[512];
	size_t i;

	if (fieldmap_resolve(&sm->fm, sm->rd, r->o.rec.map, r->o.rec.key, err,
	    sizeof err) < 0)
		eprintf("%s", err);
	if (!r->o.all && sm->fm.col[F_ID] < 0 && sm->fm.col[F_EMAIL] < 0 &&
	    sm->fm.col[F_MOBILE] < 0)
		eprintf("%s: no key, email or mobile column to find the erased"
		    " by (give --key, --map, or --all)", name);
	free(sm->rules);
	sm->nrules = h->nfields;
	sm->rules = emalloc(sm->nrules * sizeof *sm->rules);
	for (i = 0; i < sm->nrules; i++)
		sm->rules[i] = -2;	/* not named */
	for (i = 0; i < sm->nspecs; i++) {
		int col;

		if (strcmp(sm->specs[i].column, "*") == 0)
			continue;
		if ((col = spec_column(sm, sm->specs[i].column)) < 0)
			eprintf("%s: no column '%s'", name,
			    sm->specs[i].column);
		if (sm->rules[col] != -2)
			eprintf("%s: column '%s' is named twice in"
			    " --anonymise and --keep", name,
			    h->fields[col]);
		sm->rules[col] = sm->specs[i].rule;
	}
	for (i = 0; i < sm->nrules; i++)
		if (sm->rules[i] == -2)
			sm->rules[i] = r->star;
}

static const char *
eol_of(const struct stream *sm)
{
	return reader_crlf(sm->rd) ? "\r\n" : "\n";
}

/* The last line of a file may lack its line ending: it is owed, and
 * paid only when something follows, as consent-filter does. */
static void
write_raw(struct stream *sm, const char *raw, size_t len)
{
	if (sm->eol_owed)
		fputs(eol_of(sm), stdout);
	fwrite(raw, 1, len, stdout);
	sm->eol_owed = len > 0 && raw[len - 1] != '\n';
}

static void
put_field(struct buf *b, char delim, int first, const char *s, size_t n)
{
	size_t i;

	if (!first)
		buf_addc(b, delim);
	if (!memchr(s, delim, n) && !memchr(s, '"', n) && !memchr(s, '\r',
	    n) && !memchr(s, '\n', n)) {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

/* Back into the input's encoding; a character it lacks becomes '?'. */
static void
encode_back(struct stream *sm)
{
	char *in = sm->row.s, *out;
	size_t inleft = sm->row.len, outleft;

	buf_reset(&sm->conv);
	iconv(sm->back, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		buf_grow(&sm->conv, inleft * 2 + 16);
		out = sm->conv.s + sm->conv.len;
		outleft = sm->conv.cap - sm->conv.len - 1;
		if (iconv(sm->back, &in, &inleft, &out, &outleft) ==
		    (size_t)-1 && errno != E2BIG) {
			/* skip the character: one UTF-8 sequence */
			size_t skip = 1;

			while (skip < inleft && ((unsigned char)in[skip] &
			    0xc0) == 0x80)
				skip++;
			in += skip;
			inleft -= skip;
			*out++ = '?';
			outleft--;
		}
		sm->conv.len = (size_t)(out - sm->conv.s);
	}
}

static void
write_masked(struct run *r, struct stream *sm, const struct record *rec)
{
	size_t i, body = rec->rawlen;

	buf_reset(&sm->row);
	for (i = 0; i < rec->nfields; i++) {
		int rule = i < sm->nrules ? sm->rules[i] : r->star;

		if (rule < 0) {
			put_field(&sm->row, sm->delim, i == 0, rec->fields[i],
			    rec->lens[i]);
			continue;
		}
		mask_value(r->mask, (enum mask_rule)rule, rec->fields[i],
		    rec->lens[i], &sm->val);
		put_field(&sm->row, sm->delim, i == 0, sm->val.s, sm->val.len);
	}
	if (body > 0 && rec->raw[body - 1] == '\n')
		buf_adds(&sm->row, body > 1 && rec->raw[body - 2] == '\r' ?
		    "\r\n" : "\n");
	if (sm->back != (iconv_t)-1) {
		encode_back(sm);
		write_raw(sm, sm->conv.s, sm->conv.len);
	} else
		write_raw(sm, sm->row.s, sm->row.len);
}

static const char *
field_norm(const struct stream *sm, const struct record *rec, enum field f,
    char *buf, size_t bufsz, const char *country)
{
	char *v;

	if (sm->fm.col[f] < 0)
		return "";
	v = trim_blanks((char *)record_col(rec, sm->fm.col[f]));
	if (f == F_ID || !*v)
		return v;
	if (f == F_EMAIL)
		return email_normalise(v, buf, bufsz) == 0 ? buf : "";
	return mobile_normalise(v, country, buf, bufsz) == 0 ? buf : "";
}

/* Is the row an erased (or restricted) person's? */
static int
erased_row(struct run *r, struct stream *sm, const struct record *rec)
{
	char email[EMAIL_MAX + 1], mobile[E164_MAX];
	const char *k, *e, *m;

	if (!r->ts || tombset_count(r->ts) == 0)
		return 0;
	/* the key first: it needs no normalising */
	k = field_norm(sm, rec, F_ID, NULL, 0, r->country);
	e = field_norm(sm, rec, F_EMAIL, email, sizeof email, r->country);
	m = field_norm(sm, rec, F_MOBILE, mobile, sizeof mobile, r->country);
	return tombset_match(r->ts, k, e, m);
}

static void
take_header(struct stream *sm)
{
	const struct record *h = reader_header(sm->rd);
	size_t i;

	if (!sm->header) {
		sm->delim = reader_delim(sm->rd);
		sm->nheader = h->nfields;
		sm->header = ecalloc(h->nfields + 1, sizeof *sm->header);
		for (i = 0; i < h->nfields; i++)
			sm->header[i] = estrdup(h->fields[i]);
		sm->first_name = estrdup(reader_name(sm->rd));
		write_raw(sm, h->raw, h->rawlen);
		return;
	}
	if (reader_delim(sm->rd) != sm->delim || h->nfields != sm->nheader)
		eprintf("%s: its header differs from that of %s",
		    reader_name(sm->rd), sm->first_name);
	for (i = 0; i < h->nfields; i++)
		if (strcmp(h->fields[i], sm->header[i]) != 0)
			eprintf("%s: its header differs from that of %s",
			    reader_name(sm->rd), sm->first_name);
}

static void
anonymise_fd(struct run *r, struct stream *sm, int fd, const char *name)
{
	struct reader_opts ro = { r->o.rec.delim, r->o.rec.encoding, 0 };
	struct record rec;
	char err[512];
	int rc;

	if (!(sm->rd = reader_open(fd, name, &ro, err, sizeof err))) {
		weprintf("%s", err);
		r->bad = 1;
		return;
	}
	take_header(sm);
	resolve_stream(r, sm);
	while ((rc = reader_next(sm->rd, &rec)) != 0) {
		if (rc == -2)
			eprintf("%s:%s", name, reader_error(sm->rd));
		if (rc < 0) {
			/* a row that cannot be read cannot be masked: it
			 * is left out, never passed on */
			weprintf("%s:%s: row left out", name,
			    reader_error(sm->rd));
			r->bad = 1;
			continue;
		}
		r->nread++;
		if (r->o.all || erased_row(r, sm, &rec)) {
			r->nmasked++;
			write_masked(r, sm, &rec);
		} else
			write_raw(sm, rec.raw, rec.rawlen);
	}
	reader_close(sm->rd);
	sm->rd = NULL;
}

static void
anonymise_file(struct run *r, struct stream *sm, const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0) {
		anonymise_fd(r, sm, STDIN_FILENO, "<stdin>");
		return;
	}
	if ((fd = open(path, O_RDONLY)) < 0) {
		weprintf("%s:", path);
		r->bad = 1;
		return;
	}
	anonymise_fd(r, sm, fd, path);
	close(fd);
}

static void
free_stream(struct stream *sm)
{
	size_t i;

	for (i = 0; i < sm->nspecs; i++)
		free(sm->specs[i].column);
	free(sm->specs);
	for (i = 0; i < sm->nheader; i++)
		free(sm->header[i]);
	free(sm->header);
	free(sm->first_name);
	free(sm->rules);
	buf_free(&sm->row);
	buf_free(&sm->conv);
	buf_free(&sm->val);
	if (sm->back != (iconv_t)-1)
		iconv_close(sm->back);
}

static int
run_anonymise(struct run *r, int argc, char **argv)
{
	struct stream sm;
	size_t i;
	int j;

	memset(&sm, 0, sizeof sm);
	sm.back = (iconv_t)-1;
	r->star = -1;
	for (i = 0; i < r->o.nanon; i++)
		parse_anon(&sm, r->o.anon[i]);
	for (i = 0; i < r->o.nkeep; i++)
		parse_keep(&sm, r->o.keep[i]);
	for (i = 0; i < sm.nspecs; i++)
		if (strcmp(sm.specs[i].column, "*") == 0)
			r->star = sm.specs[i].rule;
	if (r->o.rec.encoding) {
		char to[80];

		snprintf(to, sizeof to, "%s", r->o.rec.encoding);
		if ((sm.back = iconv_open(to, "UTF-8")) == (iconv_t)-1)
			eprintf("--encoding: unknown encoding '%s'",
			    r->o.rec.encoding);
	}
	setup_stream(r, &sm);
	if (argc == 0)
		anonymise_file(r, &sm, "-");
	for (j = 0; j < argc; j++)
		anonymise_file(r, &sm, argv[j]);
	free_stream(&sm);
	if (fshut(stdout, "<stdout>") < 0)
		r->bad = 1;
	if (!r->o.quiet)
		fprintf(stderr, "%s: %ld row%s, %ld masked\n", argv0, r->nread,
		    r->nread == 1 ? "" : "s", r->nmasked);
	return r->bad ? EXIT_ERR : EXIT_OK;
}

/* --- main ------------------------------------------------------------------ */

static void
teardown(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nrows; i++) {
		free(r->rows[i].key);
		free(r->rows[i].why);
	}
	free(r->rows);
	keyset_free(r->seen);
	tombset_free(r->ts);
	mask_free(r->mask);
	store_close(r->st);
	config_free(r->cfg);
	free(r->o.anon);
	free(r->o.keep);
}

int
main(int argc, char **argv)
{
	static char obuf[1 << 16];
	struct run r;
	int status;

	setprogname(argv[0]);
	memset(&r, 0, sizeof r);
	parse_options(&r.o, argc, argv);
	argc -= optind;
	argv += optind;
	check_options(&r.o, argc);
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	r.cfg = cli_config(r.o.rec.config);
	r.now = cli_now();
	time_format_date(r.now, r.today);
	r.country = config_company_country(r.cfg);
	status = r.o.nanon ? run_anonymise(&r, argc, argv) :
	    run_erase(&r, argc, argv);
	teardown(&r);
	return status;
}
