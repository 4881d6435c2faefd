/* consent-import: read customer records and consent evidence into the
 * store.  One transaction for the whole run; see consent-import(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "cli.h"
#include "config.h"
#include "keyset.h"
#include "records.h"
#include "store.h"
#include "timeutil.h"
#include "util.h"
#include "values.h"

#define KEY_MAX 256
#define TOOL "consent-import"

/* A consent source in the input: a column per purpose (--consent). */
struct column_rule {
	char *column;
	size_t purpose;
	int col;		/* in the current file */
};

/* A letter of the letter-code column (--codes). */
struct code_rule {
	char letter;
	size_t purpose;
};

/* A decision for every customer of the input (--set). */
struct set_rule {
	size_t purpose;
	enum cstate state;
};

struct options {
	struct cli_records rec;
	const char *codes, *set, *basis, *source, *at, *evidence;
	const char *actor, *rejects, *hold, *invoice;
	char **consent;
	size_t nconsent;
	int reset, allow_erased, quiet;
};

struct counts {
	long read, new_, updated, unchanged, rejected, suppressed, conflicts;
};

/* What one row of the input says, validated. */
struct row {
	const char *key, *name;
	char email[EMAIL_MAX + 1], mobile[E164_MAX], lang[4];
	char last_contact[TIME_DATE_LEN], hold[TIME_DATE_LEN];
	char reason[512];
};

/* What the row records for one purpose. */
struct decision {
	enum cstate state;	/* CS_UNKNOWN: nothing */
	int from_no;		/* a "no": withdrawn when it was granted */
	int dated;		/* the evidence carries its own date */
	const char *source;
	struct buf evidence;
};

struct run {
	struct options o;
	struct config *cfg;
	struct store *st;
	size_t np;
	struct column_rule *cols;
	size_t ncols;
	char *codes_column;
	struct code_rule *codes;
	size_t ncodes;
	struct set_rule *sets;
	size_t nsets;
	int64_t now, at;
	int dated;		/* --at was given */
	const char *country;
	struct keyset *keys;
	struct buf *files;	/* names of the files, for duplicate messages */
	size_t nfiles;
	int store_empty;	/* no customer at the start: skip look-ups */
	struct counts n;
	FILE *rejects;
	int rejects_header;
	struct consent *stored;
	struct decision *dec;
	/* the current file */
	struct reader *rd;
	const char *fname;
	struct fieldmap fm;
	int codes_col, hold_col, invoice_col;
	struct duration bookkeeping;	/* [retention] bookkeeping */
	/* progress on a terminal */
	int progress;
	time_t shown;
};

static noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s [-q] [-m map] [-k column] [-c P=COLUMN,...]"
	    " [--codes COLUMN:L=P,...]\n"
	    "       [--set P=STATE,...] [-b basis] [-s source] [--at date]"
	    " [--evidence text]\n"
	    "       [--actor name] [--reset] [-r rejects] [-e encoding]"
	    " [-d delim | --csv | --tsv]\n"
	    "       [--allow-erased] [--hold-column COLUMN]"
	    " [--invoice-column COLUMN] [--db file]"
	    " [--config file] [file ...]\n", argv0);
	exit(EXIT_ERR);
}

static noreturn void
help(void)
{
	printf("usage: %s [options] [file ...]\n"
	    "Read customer records and consent evidence into the store.\n\n"
	    "  -m, --map FIELD=COLUMN,...   map id name email mobile lang"
	    " last_contact\n"
	    "  -k, --key COLUMN             the customer key column (id)\n"
	    "  -c, --consent P=COLUMN,...   per-purpose consent columns\n"
	    "      --codes COLUMN:L=P,...   a letter-code column\n"
	    "      --set P=STATE,...        a decision for every customer\n"
	    "  -b, --basis BASIS            legal basis of what is recorded\n"
	    "  -s, --source SOURCE          where the evidence came from\n"
	    "      --at DATE                when the evidence was given\n"
	    "      --evidence TEXT          evidence text\n"
	    "      --actor NAME             who runs the import\n"
	    "      --reset                  set all other purposes to denied\n"
	    "  -r, --rejects FILE           write rejected rows to FILE\n"
	    "  -e, --encoding NAME          input encoding (cp1252, latin1,"
	    " ...)\n"
	    "  -d, --delimiter C, --csv, --tsv\n"
	    "      --allow-erased           import erased and restricted"
	    " customers\n"
	    "      --hold-column COLUMN     bookkeeping hold date column\n"
	    "      --invoice-column COLUMN  last invoice date column (hold:"
	    " + [retention] bookkeeping)\n"
	    "      --db FILE, --config FILE\n"
	    "  -q, --quiet                  no progress, no summary\n"
	    "  -h, --help, -V, --version\n", argv0);
	exit(EXIT_OK);
}

enum {
	OPT_CODES = 256, OPT_SET, OPT_AT, OPT_EVIDENCE, OPT_ACTOR, OPT_RESET,
	OPT_ALLOW_ERASED, OPT_HOLD, OPT_INVOICE
};

static const struct option longopts[] = {
	{ "consent", required_argument, NULL, 'c' },
	{ "codes", required_argument, NULL, OPT_CODES },
	{ "set", required_argument, NULL, OPT_SET },
	{ "basis", required_argument, NULL, 'b' },
	{ "source", required_argument, NULL, 's' },
	{ "at", required_argument, NULL, OPT_AT },
	{ "evidence", required_argument, NULL, OPT_EVIDENCE },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "reset", no_argument, NULL, OPT_RESET },
	{ "rejects", required_argument, NULL, 'r' },
	{ "allow-erased", no_argument, NULL, OPT_ALLOW_ERASED },
	{ "hold-column", required_argument, NULL, OPT_HOLD },
	{ "invoice-column", required_argument, NULL, OPT_INVOICE },
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

	while ((c = getopt_long(argc, argv, "c:b:s:r:" CLI_RECORD_SHORTOPTS
	    "qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': cli_push(&o->consent, &o->nconsent, optarg); break;
		case OPT_CODES:
			o->codes = cli_once("--codes", o->codes, optarg);
			break;
		case OPT_SET:
			o->set = cli_once("--set", o->set, optarg);
			break;
		case 'b':
			o->basis = cli_once("--basis", o->basis, optarg);
			break;
		case 's':
			o->source = cli_once("--source", o->source, optarg);
			break;
		case OPT_AT: o->at = cli_once("--at", o->at, optarg); break;
		case OPT_EVIDENCE:
			o->evidence = cli_once("--evidence", o->evidence,
			    optarg);
			break;
		case OPT_ACTOR:
			o->actor = cli_once("--actor", o->actor, optarg);
			break;
		case OPT_RESET: o->reset = 1; break;
		case 'r':
			o->rejects = cli_once("--rejects", o->rejects, optarg);
			break;
		case OPT_ALLOW_ERASED: o->allow_erased = 1; break;
		case OPT_HOLD:
			o->hold = cli_once("--hold-column", o->hold, optarg);
			break;
		case OPT_INVOICE:
			o->invoice = cli_once("--invoice-column", o->invoice,
			    optarg);
			break;
		case 'q': o->quiet = 1; break;
		case 'h': help();
		case 'V': print_version();
		default:
			if (!cli_record_option(&o->rec, c, optarg))
				usage();
		}
	}
}

/* Options that name purposes are checked against the configuration
 * before the store is opened, so that a usage error changes nothing
 * (opening brings the store's purposes in line with the configuration,
 * in the same order). */
static size_t
purpose_arg(struct run *r, const char *opt, const char *name, size_t len)
{
	char buf[128];
	size_t i;

	snprintf(buf, sizeof buf, "%.*s", (int)len, name);
	for (i = 0; i < r->np; i++)
		if (strcmp(config_purpose_at(r->cfg, i)->name, buf) == 0)
			break;
	if (i == r->np)
		eprintf("%s: unknown purpose '%s'", opt, buf);
	if (!config_purpose_at(r->cfg, i)->active)
		weprintf("purpose '%s' is inactive", buf);
	return i;
}

/* Split "a=b,c=d" and call fn on each pair. */
static void
each_pair(struct run *r, const char *opt, const char *list,
    void (*fn)(struct run *, const char *, const char *, size_t,
    const char *, size_t))
{
	const char *p = list;

	while (*p) {
		const char *end = p + strcspn(p, ","), *eq = memchr(p, '=',
		    (size_t)(end - p));

		if (!eq || eq == p || eq + 1 == end)
			eprintf("%s: expected NAME=VALUE in '%s'", opt, list);
		fn(r, opt, p, (size_t)(eq - p), eq + 1,
		    (size_t)(end - eq - 1));
		p = *end ? end + 1 : end;
	}
}

static void
add_column_rule(struct run *r, const char *opt, const char *name, size_t nlen,
    const char *val, size_t vlen)
{
	struct column_rule *c;

	r->cols = erealloc(r->cols, (r->ncols + 1) * sizeof *r->cols);
	c = &r->cols[r->ncols++];
	c->purpose = purpose_arg(r, opt, name, nlen);
	c->column = estrndup(val, vlen);
	c->col = -1;
}

static void
add_code_rule(struct run *r, const char *opt, const char *name, size_t nlen,
    const char *val, size_t vlen)
{
	if (nlen != 1)
		eprintf("%s: a code is one letter, not '%.*s'", opt, (int)nlen,
		    name);
	r->codes = erealloc(r->codes, (r->ncodes + 1) * sizeof *r->codes);
	r->codes[r->ncodes].letter = name[0];
	r->codes[r->ncodes++].purpose = purpose_arg(r, opt, val, vlen);
}

static void
add_set_rule(struct run *r, const char *opt, const char *name, size_t nlen,
    const char *val, size_t vlen)
{
	char state[16];
	int s;

	snprintf(state, sizeof state, "%.*s", (int)vlen, val);
	if ((s = cstate_parse(state)) <= CS_UNKNOWN)
		eprintf("%s: the state must be granted, denied or withdrawn,"
		    " not '%s'", opt, state);
	r->sets = erealloc(r->sets, (r->nsets + 1) * sizeof *r->sets);
	r->sets[r->nsets].purpose = purpose_arg(r, opt, name, nlen);
	r->sets[r->nsets++].state = (enum cstate)s;
}

static void
parse_codes(struct run *r)
{
	const char *colon = strchr(r->o.codes, ':');

	if (!colon || colon == r->o.codes || !colon[1])
		eprintf("--codes: expected COLUMN:L=PURPOSE,... not '%s'",
		    r->o.codes);
	r->codes_column = estrndup(r->o.codes, (size_t)(colon -
	    r->o.codes));
	each_pair(r, "--codes", colon + 1, add_code_rule);
}

/* A purpose may be recorded by one rule only: two would contradict. */
static void
check_one_rule_each(const struct run *r)
{
	size_t i, j;
	int *seen = ecalloc(r->np, sizeof *seen);

	for (i = 0; i < r->ncols; i++)
		seen[r->cols[i].purpose]++;
	for (i = 0; i < r->ncodes; i++)
		for (j = 0; j < i; j++)
			if (r->codes[j].purpose == r->codes[i].purpose ||
			    r->codes[j].letter == r->codes[i].letter)
				eprintf("--codes: letter or purpose given"
				    " twice");
	for (i = 0; i < r->ncodes; i++)
		seen[r->codes[i].purpose]++;
	for (i = 0; i < r->nsets; i++)
		seen[r->sets[i].purpose]++;
	for (i = 0; i < r->np; i++)
		if (seen[i] > 1)
			eprintf("purpose '%s' is recorded by more than one of"
			    " --consent, --codes and --set",
			    config_purpose_at(r->cfg, i)->name);
	free(seen);
}

static void
check_options(struct run *r)
{
	size_t i;

	if (r->o.basis && !basis_valid(r->o.basis))
		eprintf("--basis: unknown legal basis '%s'", r->o.basis);
	if (r->o.source && !source_valid(r->o.source))
		eprintf("--source: unknown source '%s'", r->o.source);
	r->at = r->now;
	if (r->o.at) {
		if (time_parse(r->o.at, &r->at) < 0)
			eprintf("--at: not a date: '%s'", r->o.at);
		if (r->at > r->now)
			eprintf("--at: %s is in the future", r->o.at);
		r->dated = 1;
	}
	for (i = 0; i < r->o.nconsent; i++)
		each_pair(r, "--consent", r->o.consent[i], add_column_rule);
	if (r->o.codes)
		parse_codes(r);
	if (r->o.set)
		each_pair(r, "--set", r->o.set, add_set_rule);
	check_one_rule_each(r);
}

/* ---- the current file's columns ---- */

static int
need_column(struct run *r, const char *opt, const char *name)
{
	int col = reader_column(r->rd, name);

	if (col < 0)
		eprintf("%s: %s: no column '%s'", r->fname, opt, name);
	return col;
}

static void
resolve_columns(struct run *r)
{
	char err[512];
	size_t i;

	if (fieldmap_resolve(&r->fm, r->rd, r->o.rec.map, r->o.rec.key, err,
	    sizeof err) < 0)
		eprintf("%s", err);
	if (r->fm.col[F_ID] < 0)
		eprintf("%s: no key column '%s'", r->fname,
		    r->o.rec.key ? r->o.rec.key : "id");
	for (i = 0; i < r->ncols; i++)
		r->cols[i].col = need_column(r, "--consent",
		    r->cols[i].column);
	r->codes_col = r->codes_column ? need_column(r, "--codes",
	    r->codes_column) : -1;
	r->hold_col = r->o.hold ? need_column(r, "--hold-column",
	    r->o.hold) : -1;
	r->invoice_col = r->o.invoice ? need_column(r, "--invoice-column",
	    r->o.invoice) : -1;
}

/* ---- one row ---- */

enum outcome {
	ROW_NEW, ROW_UPDATED, ROW_UNCHANGED, ROW_REJECTED, ROW_SUPPRESSED,
	ROW_FAILED
};

static int
reject(struct row *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
reject(struct row *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->reason, sizeof w->reason, fmt, ap);
	va_end(ap);
	return -1;
}

/* A mapped field's value, trimmed; NULL when the file has no such
 * column (the stored value then stays). */
static char *
field(struct run *r, struct record *rec, enum field f)
{
	int col = r->fm.col[f];

	if (col < 0)
		return NULL;
	if ((size_t)col >= rec->nfields)
		return (char *)"";
	return trim_blanks(rec->fields[col]);
}

static int
parse_date(struct row *w, const char *what, const char *s,
    char out[TIME_DATE_LEN])
{
	int64_t t;

	out[0] = '\0';
	if (!*s)
		return 0;
	if (time_parse(s, &t) < 0)
		return reject(w, "bad %s date '%s'", what, s);
	time_format_date(t, out);
	return 0;
}

/* The hold a last invoice gives: its date plus [retention] bookkeeping,
 * when that is later than the hold column's. */
static int
invoice_hold(struct run *r, struct row *w, const char *s)
{
	char invoice[TIME_DATE_LEN], until[TIME_DATE_LEN];
	int64_t t;

	if (parse_date(w, "last invoice", s, invoice) < 0)
		return -1;
	if (!*invoice || time_parse(invoice, &t) < 0)
		return 0;
	time_format_date(time_add(t, &r->bookkeeping, 1), until);
	if (strcmp(until, w->hold) > 0)
		memcpy(w->hold, until, sizeof until);
	return 0;
}

/* Check and normalise the master data of a row. */
static int
parse_master(struct run *r, struct record *rec, struct row *w)
{
	char *v;

	w->key = field(r, rec, F_ID);
	if (!*w->key)
		return reject(w, "no key");
	if (strlen(w->key) > KEY_MAX)
		return reject(w, "key longer than %d bytes", KEY_MAX);
	w->name = field(r, rec, F_NAME);
	if ((v = field(r, rec, F_EMAIL)) && *v &&
	    email_normalise(v, w->email, sizeof w->email) < 0)
		return reject(w, "bad e-mail address '%s'", v);
	if ((v = field(r, rec, F_MOBILE)) && *v &&
	    mobile_normalise(v, r->country, w->mobile, sizeof w->mobile) < 0)
		return reject(w, "bad mobile number '%s'", v);
	if ((v = field(r, rec, F_LANG)) &&
	    lang_normalise(v, w->lang, sizeof w->lang) < 0)
		return reject(w, "bad language '%s'", v);
	if ((v = field(r, rec, F_LAST_CONTACT)) &&
	    parse_date(w, "last contact", v, w->last_contact) < 0)
		return -1;
	if (r->hold_col >= 0 && parse_date(w, "hold",
	    trim_blanks((char *)record_col(rec, r->hold_col)), w->hold) < 0)
		return -1;
	if (r->invoice_col >= 0 && invoice_hold(r, w,
	    trim_blanks((char *)record_col(rec, r->invoice_col))) < 0)
		return -1;
	return 0;
}

/* "FILE:LINE COLUMN=CELL", the evidence of a cell, without printf: a
 * row with a letter-code column makes one for each letter. */
static void
cell_evidence(struct buf *b, const char *fname, long line,
    const char *column, const char *cell)
{
	char digits[24], *p = digits + sizeof digits;
	unsigned long n = line > 0 ? (unsigned long)line : 0;

	do
		*--p = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	buf_adds(b, fname);
	buf_addc(b, ':');
	buf_add(b, p, (size_t)(digits + sizeof digits - p));
	buf_addc(b, ' ');
	buf_adds(b, column);
	buf_addc(b, '=');
	buf_adds(b, cell);
}

static void
decide(struct run *r, struct record *rec, size_t purpose, int value,
    const char *column, const char *cell)
{
	struct decision *d = &r->dec[purpose];

	d->state = value == 2 ? CS_DENIED : (enum cstate)value;
	d->from_no = value == 2;
	d->dated = r->dated;
	d->source = r->o.source ? r->o.source : "import";
	buf_reset(&d->evidence);
	if (r->o.evidence)
		buf_adds(&d->evidence, r->o.evidence);
	else
		cell_evidence(&d->evidence, r->fname, rec->line, column,
		    cell);
}

/* --set is a decision taken now or at --at: always dated. */
static void
decide_set(struct run *r, const struct set_rule *rule)
{
	struct decision *d = &r->dec[rule->purpose];

	d->state = rule->state;
	/* --set P=denied is a "no" like any other: after a yes, a
	 * withdrawal. */
	d->from_no = rule->state == CS_DENIED;
	d->dated = 1;
	d->source = r->o.source ? r->o.source : "manual";
	buf_reset(&d->evidence);
	if (r->o.evidence)
		buf_adds(&d->evidence, r->o.evidence);
	else
		buf_printf(&d->evidence, "--set %s=%s",
		    store_purpose_name(r->st, rule->purpose),
		    cstate_names[rule->state]);
}

/* What the consent columns, the code column and --set record. */
static int
parse_decisions(struct run *r, struct record *rec, struct row *w)
{
	size_t i;

	for (i = 0; i < r->np; i++)
		r->dec[i].state = CS_UNKNOWN;
	for (i = 0; i < r->ncols; i++) {
		const char *cell = record_col(rec, r->cols[i].col);
		int v = consent_value_parse(cell);

		if (v < 0)
			return reject(w, "bad consent value '%s' in %s", cell,
			    r->cols[i].column);
		if (v > 0)
			decide(r, rec, r->cols[i].purpose, v,
			    r->cols[i].column, cell);
	}
	if (r->codes_col >= 0) {
		const char *cell = trim_blanks((char *)record_col(rec,
		    r->codes_col));

		for (i = 0; *cell && i < r->ncodes; i++)
			decide(r, rec, r->codes[i].purpose,
			    strchr(cell, r->codes[i].letter) ? 1 : 2,
			    r->codes_column, cell);
	}
	for (i = 0; i < r->nsets; i++)
		decide_set(r, &r->sets[i]);
	return 0;
}

static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The stored customer with the row's master data over it: a column in
 * the file is the truth for its field, an absent one keeps the store's. */
static int
merge_master(struct run *r, const struct row *w, struct customer *c)
{
	const char *v[6];
	char **dst[6] = { &c->name, &c->email, &c->mobile, &c->lang,
	    &c->last_contact, &c->hold_until };
	int changed = 0, i;

	v[0] = r->fm.col[F_NAME] >= 0 ? w->name : NULL;
	v[1] = r->fm.col[F_EMAIL] >= 0 ? w->email : NULL;
	v[2] = r->fm.col[F_MOBILE] >= 0 ? w->mobile : NULL;
	v[3] = r->fm.col[F_LANG] >= 0 ? w->lang : NULL;
	v[4] = r->fm.col[F_LAST_CONTACT] >= 0 ? w->last_contact : NULL;
	v[5] = w->hold[0] ? w->hold : NULL;
	for (i = 0; i < 6; i++) {
		if (!v[i] || same(*dst[i], v[i]))
			continue;
		free(*dst[i]);
		*dst[i] = estrdup(v[i]);
		changed = 1;
	}
	return changed;
}

static void
new_customer(const struct row *w, struct customer *c)
{
	memset(c, 0, sizeof *c);
	c->key = estrdup(w->key);
	c->name = estrdup(w->name ? w->name : "");
	c->email = estrdup(w->email);
	c->mobile = estrdup(w->mobile);
	c->lang = estrdup(w->lang);
	c->last_contact = estrdup(w->last_contact);
	c->hold_until = estrdup(w->hold);
}

/* strncpy that always ends the string, for the fixed fields of a
 * consent: snprintf("%s") costs a call of the printf machinery each, and
 * an import fills millions. */
static void
copy_field(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
fill_consent(struct run *r, struct consent *nc, size_t p, enum cstate state,
    int dated, const char *source, int own_basis)
{
	memset(nc, 0, sizeof *nc);
	nc->state = state;
	copy_field(nc->basis, sizeof nc->basis, own_basis && r->o.basis ?
	    r->o.basis : store_purpose_basis(r->st, p));
	copy_field(nc->source, sizeof nc->source, source);
	nc->dated = dated;
	nc->at = dated ? r->at : r->now;
}

/* The consent to store for purpose p, in nc with its evidence: 0 when
 * nothing is to be written.  Sets *conflict when the row would turn a
 * stored "no" into a "yes" without newer dated evidence. */
static int
next_consent(struct run *r, size_t p, int is_new, const struct consent *old,
    struct consent *nc, const char **evidence, int *conflict)
{
	const struct decision *d = &r->dec[p];

	if (d->state != CS_UNKNOWN) {
		/* A "no" after a "yes" is a withdrawal, and stays one. */
		int withdrawal = d->from_no && (old->state == CS_GRANTED ||
		    old->state == CS_WITHDRAWN);

		fill_consent(r, nc, p, withdrawal ? CS_WITHDRAWN : d->state,
		    d->dated, d->source, 1);
		*evidence = d->evidence.s;
	} else if (r->o.reset) {
		/* A withdrawal says more than the reset's "no": keep it. */
		if (old->state == CS_WITHDRAWN)
			return 0;
		fill_consent(r, nc, p, CS_DENIED, 1, r->o.source ?
		    r->o.source : "import", 0);
		*evidence = r->o.evidence ? r->o.evidence : "--reset";
	} else if (is_new && strcmp(store_purpose_basis(r->st, p),
	    "consent") != 0) {
		fill_consent(r, nc, p, CS_GRANTED, 0, "import", 0);
		*evidence = "new customer";
	} else
		return 0;
	if (nc->state == old->state)
		return 0;
	if (nc->state == CS_GRANTED && (old->state == CS_DENIED ||
	    old->state == CS_WITHDRAWN) && !(nc->dated && nc->at > old->at)) {
		*conflict = 1;
		return 0;
	}
	return 1;
}

/* Apply the row's decisions; the number of consents written, or -1 on a
 * store error. */
static int
apply_consents(struct run *r, const struct customer *c, int is_new,
    int *conflict)
{
	size_t p;
	int written = 0;

	for (p = 0; p < r->np; p++) {
		struct consent nc;
		const char *evidence = NULL;

		if (!next_consent(r, p, is_new, &r->stored[p], &nc, &evidence,
		    conflict))
			continue;
		if (store_consent_put(r->st, c, p, &r->stored[p], &nc,
		    evidence) < 0)
			return -1;
		written++;
	}
	return written;
}

/* The first occurrence of a key stands, even when that row is rejected:
 * what a later row says of the same customer is not to be trusted over
 * it. */
static int
check_duplicate(struct run *r, const struct record *rec, struct row *w)
{
	uint64_t first, here = (uint64_t)(r->nfiles - 1) << 40 |
	    (uint64_t)rec->line;
	size_t file;

	if (keyset_add(r->keys, w->key, strlen(w->key), here, &first))
		return 0;
	file = (size_t)(first >> 40);
	if (file == r->nfiles - 1)
		return reject(w, "duplicate key '%s' (first on line %llu)",
		    w->key, (unsigned long long)(first & 0xffffffffffULL));
	return reject(w, "duplicate key '%s' (first on %s:%llu)", w->key,
	    r->files[file].s, (unsigned long long)(first & 0xffffffffffULL));
}

/* Load the stored customer and consents; 1 found, 0 new, -1 error. */
static int
load_stored(struct run *r, const char *key, struct customer *c)
{
	int found = 0;
	size_t p;

	if (!r->store_empty && (found = store_customer_get(r->st, key, c)) < 0)
		return -1;
	if (found)
		return store_consents_get(r->st, c->id, r->stored) < 0 ? -1 : 1;
	for (p = 0; p < r->np; p++)
		memset(&r->stored[p], 0, sizeof r->stored[p]);
	return 0;
}

static enum outcome
store_row(struct run *r, const struct row *w, int *conflict)
{
	struct customer c = { 0 };
	int found, written, changed = 0, tomb;
	enum outcome out;

	if (!r->o.allow_erased && (tomb = store_tombstoned(r->st, w->key,
	    w->email, w->mobile)) != 0)
		return tomb < 0 ? ROW_FAILED : ROW_SUPPRESSED;
	if ((found = load_stored(r, w->key, &c)) < 0)
		return ROW_FAILED;
	if (found && c.status == CUST_RESTRICTED && !r->o.allow_erased) {
		customer_clear(&c);
		return ROW_SUPPRESSED;
	}
	if (!found) {
		new_customer(w, &c);
		if (store_customer_insert(r->st, &c) < 0)
			goto failed;
	} else if ((changed = merge_master(r, w, &c)) &&
	    store_customer_update(r->st, &c) < 0)
		goto failed;
	if ((written = apply_consents(r, &c, !found, conflict)) < 0)
		goto failed;
	out = !found ? ROW_NEW : changed || written ? ROW_UPDATED :
	    ROW_UNCHANGED;
	customer_clear(&c);
	return out;
failed:
	customer_clear(&c);
	return ROW_FAILED;
}

static enum outcome
import_row(struct run *r, struct record *rec, struct row *w, int *conflict)
{
	memset(w, 0, sizeof *w);
	if (parse_master(r, rec, w) < 0) {
		/* Still claim a key that a rejected row carries. */
		if (w->key && *w->key && strlen(w->key) <= KEY_MAX) {
			struct row dup;

			dup.key = w->key;
			check_duplicate(r, rec, &dup);
		}
		return ROW_REJECTED;
	}
	if (check_duplicate(r, rec, w) < 0 || parse_decisions(r, rec, w) < 0)
		return ROW_REJECTED;
	return store_row(r, w, conflict);
}

/* ---- rejects ---- */

static void
open_rejects(struct run *r)
{
	int fd;

	if (!r->o.rejects)
		return;
	/* Rejected rows are personal data: private like the store. */
	fd = open(r->o.rejects, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !(r->rejects = fdopen(fd, "w")))
		eprintf("%s:", r->o.rejects);
}

/* A raw record without its line ending, then the reason column. */
static void
write_reject_line(struct run *r, const char *raw, size_t len,
    const char *reason)
{
	struct writer wr;
	int crlf = len >= 2 && raw[len - 2] == '\r';

	while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
		len--;
	writer_init(&wr, r->rejects, reader_delim(r->rd),
	    crlf || reader_crlf(r->rd), 0);
	fwrite(raw, 1, len, r->rejects);
	writer_field(&wr, 0, reason);
	writer_end(&wr);
}

/* Rejected rows go out as they came in (same bytes, same encoding), so
 * that they can be mended and imported again with the same options. */
static void
write_reject(struct run *r, const struct record *rec, const char *reason)
{
	const struct record *h;

	if (!r->rejects)
		return;
	if (!r->rejects_header) {
		h = reader_header(r->rd);
		write_reject_line(r, h->raw, h->rawlen, "reason");
		r->rejects_header = 1;
	}
	write_reject_line(r, rec->raw, rec->rawlen, reason);
}

/* ---- the run ---- */

static void
show_progress(struct run *r, int done)
{
	time_t t;

	if (!r->progress)
		return;
	if (done) {
		fputs("\r\033[K", stderr);
		return;
	}
	if ((r->n.read & 4095) || (t = time(NULL)) == r->shown)
		return;
	r->shown = t;
	fprintf(stderr, "\r%s: %s: %ld rows", argv0, r->fname, r->n.read);
}

static void
count(struct run *r, enum outcome o, int conflict)
{
	switch (o) {
	case ROW_NEW: r->n.new_++; break;
	case ROW_UPDATED: r->n.updated++; break;
	case ROW_UNCHANGED: r->n.unchanged++; break;
	case ROW_REJECTED: r->n.rejected++; break;
	case ROW_SUPPRESSED: r->n.suppressed++; break;
	case ROW_FAILED: break;
	}
	if (conflict && o != ROW_REJECTED && o != ROW_SUPPRESSED)
		r->n.conflicts++;
}

static noreturn void
fail(struct run *r, const char *msg)
{
	show_progress(r, 1);
	store_rollback(r->st);
	eprintf("%s; nothing imported", msg);
}

static void
import_records(struct run *r)
{
	struct record rec;
	struct row w;
	int rc;

	while ((rc = reader_next(r->rd, &rec)) != 0) {
		enum outcome o;
		int conflict = 0;

		if (rc == -2)
			fail(r, reader_error(r->rd));
		r->n.read++;
		if (rc < 0) {
			const char *e = reader_error(r->rd), *sp = strchr(e,
			    ' ');

			weprintf("%s:%s", r->fname, e);
			write_reject(r, &rec, sp ? sp + 1 : e);
			o = ROW_REJECTED;
		} else if ((o = import_row(r, &rec, &w, &conflict)) ==
		    ROW_REJECTED) {
			weprintf("%s:%ld: %s", r->fname, rec.line, w.reason);
			write_reject(r, &rec, w.reason);
		} else if (o == ROW_FAILED)
			fail(r, store_errmsg(r->st));
		count(r, o, conflict);
		show_progress(r, 0);
	}
}

static void
import_file(struct run *r, const char *path)
{
	struct reader_opts ro = { r->o.rec.delim, r->o.rec.encoding, 0 };
	char err[512];
	int fd = 0;

	r->fname = strcmp(path, "-") == 0 ? "<stdin>" : path;
	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY)) < 0) {
		snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
		fail(r, err);
	}
	r->files = erealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
	memset(&r->files[r->nfiles], 0, sizeof r->files[r->nfiles]);
	buf_adds(&r->files[r->nfiles++], r->fname);
	if (!(r->rd = reader_open(fd, r->fname, &ro, err, sizeof err)))
		fail(r, err);
	resolve_columns(r);
	import_records(r);
	reader_close(r->rd);
	r->rd = NULL;
	if (fd > 0)
		close(fd);
}

/* --invoice-column needs to know how long bookkeeping law keeps. */
static void
read_bookkeeping(struct run *r)
{
	const char *v = config_get(r->cfg, "retention", "bookkeeping");

	if (!v || !*v)
		eprintf("--invoice-column: no [retention] bookkeeping in the"
		    " configuration (how long bookkeeping law keeps, e.g. 5y)");
	if (duration_parse(v, &r->bookkeeping) < 0)
		eprintf("[retention] bookkeeping: bad duration '%s'", v);
}

static void
setup(struct run *r)
{
	int any;

	r->cfg = cli_config(r->o.rec.config);
	r->now = cli_now();
	r->np = config_npurposes(r->cfg);
	check_options(r);
	if (r->o.invoice)
		read_bookkeeping(r);
	r->st = cli_store(r->o.rec.db, r->cfg);
	r->country = config_company_country(r->cfg);
	r->stored = ecalloc(r->np, sizeof *r->stored);
	r->dec = ecalloc(r->np, sizeof *r->dec);
	r->keys = keyset_new();
	if ((any = store_customer_any(r->st)) < 0)
		eprintf("%s", store_errmsg(r->st));
	/* Into an empty store, every row this run writes names a customer
	 * and a run row it made itself and a purpose of the store: checking
	 * the foreign keys once, at the commit, is enough, and nothing is
	 * read back, so events and consents can wait for a batch.  (Should
	 * another run fill the store before ours begins, both still hold:
	 * the check is over more rows, and reading consents writes what
	 * waits first.)  Such a run also writes its pages once, through a
	 * rollback journal, rather than twice through the WAL. */
	if (!any && (store_keys_at_commit(r->st) < 0 ||
	    store_batch_writes(r->st) < 0 ||
	    store_rollback_journal(r->st) < 0))
		eprintf("%s", store_errmsg(r->st));
	r->progress = !r->o.quiet && isatty(STDERR_FILENO);
}

/* The run's transaction.  Emptiness is asked again under the write lock:
 * another run may have filled the store since setup looked. */
static void
begin(struct run *r)
{
	int any;

	if (store_begin(r->st, TOOL, cli_actor(r->o.actor), r->now) < 0)
		eprintf("%s", store_errmsg(r->st));
	if ((any = store_customer_any(r->st)) < 0)
		fail(r, store_errmsg(r->st));
	r->store_empty = !any;
}

static void
teardown(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		free(r->cols[i].column);
	free(r->cols);
	free(r->codes);
	free(r->codes_column);
	free(r->sets);
	for (i = 0; i < r->np; i++)
		buf_free(&r->dec[i].evidence);
	free(r->dec);
	free(r->stored);
	for (i = 0; i < r->nfiles; i++)
		buf_free(&r->files[i]);
	free(r->files);
	keyset_free(r->keys);
	free(r->o.consent);
	store_close(r->st);
	config_free(r->cfg);
}

int
main(int argc, char **argv)
{
	struct run r;
	int i;

	setprogname(argv[0]);
	memset(&r, 0, sizeof r);
	parse_options(&r.o, argc, argv);
	argc -= optind;
	argv += optind;
	setup(&r);
	open_rejects(&r);
	begin(&r);
	if (argc == 0)
		import_file(&r, "-");
	for (i = 0; i < argc; i++)
		import_file(&r, argv[i]);
	show_progress(&r, 1);
	if (r.rejects && fshut(r.rejects, r.o.rejects) < 0)
		fail(&r, "cannot write the rejects");
	if (store_commit(r.st) < 0)
		fail(&r, store_errmsg(r.st));
	if (!r.o.quiet)
		fprintf(stderr, "%s: read %ld, new %ld, updated %ld, unchanged"
		    " %ld, rejected %ld, suppressed %ld, conflicts %ld\n",
		    argv0, r.n.read, r.n.new_, r.n.updated, r.n.unchanged,
		    r.n.rejected, r.n.suppressed, r.n.conflicts);
	teardown(&r);
	return r.n.rejected ? EXIT_NO : EXIT_OK;
}
