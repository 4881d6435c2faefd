/* consent-filter: pass through only the records that meet a consent rule.
 * The store's customers are loaded once into a compact set, then the
 * records stream; a selected record is written exactly as it was read.
 * See consent-filter(1). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "address.h"
#include "cli.h"
#include "config.h"
#include "custset.h"
#include "records.h"
#include "store.h"
#include "suppress.h"
#include "timeutil.h"
#include "token.h"
#include "util.h"
#include "values.h"

#define DEFAULT_LINK_EXPIRE "1y"

enum channel { CH_NONE, CH_EMAIL, CH_SMS, CH_ANY };

struct options {
	struct cli_records rec;
	char **purposes, **suppress;
	size_t npurposes, nsuppress;
	const char *codes, *missing, *withdrawn, *channel, *within;
	const char *add_link;
	int any, include_denied, invert, count, from_store, excel;
};

/* A purpose selector: the purpose's index, or inactive (selects no one). */
struct psel {
	size_t index;
	int inactive;
};

struct run {
	struct options o;
	struct config *cfg;
	int64_t now;
	const char *country;
	/* selectors */
	struct psel *want;
	size_t nwant;
	char *codes_column, letters[64];
	struct psel missing, withdrawn;
	int has_missing, has_withdrawn;
	enum channel channel;
	int32_t within_day;	/* --contacted-within: the first day that counts */
	int has_within;
	struct suppress *sp;
	/* the store, when there is one */
	struct store *st;
	struct custset *cs;
	int tombstones;		/* the store holds some */
	/* --add-link */
	unsigned char *secret;
	size_t secretlen;
	char *link_base;
	int64_t link_expires;
	uint16_t link_purposes;
	/* the current file */
	struct reader *rd;
	const char *fname;
	struct fieldmap fm;
	int codes_col;
	/* the output */
	char *first_name;
	char **header_fields;
	size_t nheader;
	char out_delim;
	struct writer excel;	/* --from-store --excel: fields rewritten */
	int rewrite;
	long selected;
	int eol_owed;		/* the last line written had no line ending */
	int bad;		/* a bad record or file: exit 2 at the end */
};

static noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s [-vc] [-p P[,P...]] [--any] [--codes"
	    " COLUMN:LETTERS]\n"
	    "       [--missing P [--include-denied]] [--withdrawn P]"
	    " [--channel email|sms|any]\n"
	    "       [--contacted-within DURATION] [--suppress FILE]"
	    " [--from-store]\n"
	    "       [--add-link COLUMN] [-m map] [-k column] [-e encoding]"
	    " [-d delim | --csv | --tsv]\n"
	    "       [--excel] [--db file] [--config file] [file ...]\n",
	    argv0);
	exit(EXIT_ERR);
}

static noreturn void
help(void)
{
	printf("usage: %s [options] [file ...]\n"
	    "Pass through the records whose customers meet a consent rule.\n\n"
	    "  -p, --purpose P[,P...]       every purpose allowed (--any: one)\n"
	    "      --any                    one purpose or letter is enough\n"
	    "      --codes COLUMN:LETTERS   the letter-code column holds the"
	    " letters\n"
	    "      --missing P              consent for P is unknown\n"
	    "      --include-denied         ... or denied\n"
	    "      --withdrawn P            consent for P is withdrawn\n"
	    "      --channel email|sms|any  a usable address for it\n"
	    "      --contacted-within DUR   last contact within DUR (5y, 18m,"
	    " 30d)\n"
	    "  -s, --suppress FILE          drop keys, e-mails, mobiles on a"
	    " list\n"
	    "      --from-store             read the customers of the store\n"
	    "      --add-link COLUMN        append the preference link\n"
	    "  -v, --invert-match           the records that do not meet the"
	    " rule\n"
	    "  -c, --count                  print only the number selected\n"
	    "  -m, --map FIELD=COLUMN,...   map id name email mobile lang"
	    " last_contact\n"
	    "  -k, --key COLUMN             the customer key column (id)\n"
	    "  -e, --encoding NAME          input encoding (cp1252, latin1,"
	    " ...)\n"
	    "  -d, --delimiter C, --csv, --tsv\n"
	    "      --excel                  quote formula-like fields"
	    " (--from-store)\n"
	    "      --db FILE, --config FILE\n"
	    "  -h, --help, -V, --version\n", argv0);
	exit(EXIT_OK);
}

enum {
	OPT_ANY = 256, OPT_CODES, OPT_MISSING, OPT_INCLUDE_DENIED,
	OPT_WITHDRAWN, OPT_CHANNEL, OPT_WITHIN, OPT_FROM_STORE, OPT_ADD_LINK,
	OPT_EXCEL
};

static const struct option longopts[] = {
	{ "purpose", required_argument, NULL, 'p' },
	{ "any", no_argument, NULL, OPT_ANY },
	{ "codes", required_argument, NULL, OPT_CODES },
	{ "missing", required_argument, NULL, OPT_MISSING },
	{ "include-denied", no_argument, NULL, OPT_INCLUDE_DENIED },
	{ "withdrawn", required_argument, NULL, OPT_WITHDRAWN },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "contacted-within", required_argument, NULL, OPT_WITHIN },
	{ "suppress", required_argument, NULL, 's' },
	{ "from-store", no_argument, NULL, OPT_FROM_STORE },
	{ "add-link", required_argument, NULL, OPT_ADD_LINK },
	{ "invert-match", no_argument, NULL, 'v' },
	{ "count", no_argument, NULL, 'c' },
	{ "excel", no_argument, NULL, OPT_EXCEL },
	CLI_RECORD_LONGOPTS,
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
parse_options(struct options *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "p:s:vc" CLI_RECORD_SHORTOPTS "hV",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'p': cli_push(&o->purposes, &o->npurposes, optarg); break;
		case OPT_ANY: o->any = 1; break;
		case OPT_CODES:
			o->codes = cli_once("--codes", o->codes, optarg);
			break;
		case OPT_MISSING:
			o->missing = cli_once("--missing", o->missing, optarg);
			break;
		case OPT_INCLUDE_DENIED: o->include_denied = 1; break;
		case OPT_WITHDRAWN:
			o->withdrawn = cli_once("--withdrawn", o->withdrawn,
			    optarg);
			break;
		case OPT_CHANNEL:
			o->channel = cli_once("--channel", o->channel, optarg);
			break;
		case OPT_WITHIN:
			o->within = cli_once("--contacted-within", o->within,
			    optarg);
			break;
		case 's': cli_push(&o->suppress, &o->nsuppress, optarg); break;
		case OPT_FROM_STORE: o->from_store = 1; break;
		case OPT_ADD_LINK:
			o->add_link = cli_once("--add-link", o->add_link,
			    optarg);
			break;
		case 'v': o->invert = 1; break;
		case 'c': o->count = 1; break;
		case OPT_EXCEL: o->excel = 1; break;
		case 'h': help();
		case 'V': print_version();
		default:
			if (!cli_record_option(&o->rec, c, optarg))
				usage();
		}
	}
}

/* A purpose named on the command line: unknown is a usage error, an
 * inactive one selects no one (SPEC.md) and says so. */
static struct psel
purpose_arg(struct run *r, const char *opt, const char *name, size_t len)
{
	struct psel ps = { 0, 0 };
	char *n = estrndup(name, len);
	size_t i, np = config_npurposes(r->cfg);

	for (i = 0; i < np; i++)
		if (strcmp(config_purpose_at(r->cfg, i)->name, n) == 0)
			break;
	if (i == np)
		eprintf("%s: unknown purpose '%s'", opt, n);
	ps.index = i;
	if (!config_purpose_at(r->cfg, i)->active) {
		weprintf("%s: purpose '%s' is inactive: it selects no one",
		    opt, n);
		ps.inactive = 1;
	}
	if (i >= CUSTSET_PURPOSES)
		eprintf("%s: purpose '%s': at most %d purposes can be"
		    " selected on", opt, n, CUSTSET_PURPOSES);
	free(n);
	return ps;
}

static void
parse_purposes(struct run *r)
{
	size_t i;

	for (i = 0; i < r->o.npurposes; i++) {
		const char *s = r->o.purposes[i], *comma;

		for (;; s = comma + 1) {
			comma = strchr(s, ',');
			if (!comma)
				comma = s + strlen(s);
			if (comma == s)
				eprintf("--purpose: empty purpose name in '%s'",
				    r->o.purposes[i]);
			r->want = erealloc(r->want, (r->nwant + 1) *
			    sizeof *r->want);
			r->want[r->nwant++] = purpose_arg(r, "--purpose", s,
			    (size_t)(comma - s));
			if (!*comma)
				break;
		}
	}
}

/* --codes COLUMN:LETTERS, the letters written together ("RF") or with
 * commas ("R,F").  Case counts, as it does for consent-import --codes, so
 * that a letter means the same to both. */
static void
parse_codes(struct run *r)
{
	const char *spec = r->o.codes, *colon = strrchr(spec, ':'), *p;
	size_t n = 0;

	if (!colon || colon == spec || !colon[1])
		eprintf("--codes: expected COLUMN:LETTERS, not '%s'", spec);
	r->codes_column = estrndup(spec, (size_t)(colon - spec));
	for (p = colon + 1; *p; p++) {
		char c = *p;

		if (c == ',')
			continue;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9')))
			eprintf("--codes: '%c' is not a letter code", c);
		if (!memchr(r->letters, c, n)) {
			if (n + 1 >= sizeof r->letters)
				eprintf("--codes: too many letters");
			r->letters[n++] = c;
		}
	}
	if (n == 0)
		eprintf("--codes: no letters in '%s'", spec);
}

static void
parse_channel(struct run *r)
{
	const char *c = r->o.channel;

	if (!c)
		r->channel = CH_NONE;
	else if (strcmp(c, "email") == 0)
		r->channel = CH_EMAIL;
	else if (strcmp(c, "sms") == 0)
		r->channel = CH_SMS;
	else if (strcmp(c, "any") == 0)
		r->channel = CH_ANY;
	else
		eprintf("--channel: expected email, sms or any, not '%s'", c);
}

static void
parse_within(struct run *r)
{
	struct duration d;

	if (!r->o.within)
		return;
	if (duration_parse(r->o.within, &d) < 0)
		eprintf("--contacted-within: bad duration '%s' (e.g. 5y,"
		    " 18m, 30d)", r->o.within);
	r->has_within = 1;
	r->within_day = (int32_t)(time_add(r->now, &d, -1) / 86400);
}

/* Does the run need the store's consents, or the store at all? */
/* The purposes whose consents the selectors ask about, as a mask of
 * their indexes (purpose_arg keeps them below CUSTSET_PURPOSES): only
 * those are loaded. */
static uint32_t
consents_wanted(const struct run *r)
{
	uint32_t mask = 0;
	size_t i;

	for (i = 0; i < r->nwant; i++)
		mask |= UINT32_C(1) << r->want[i].index;
	if (r->has_missing)
		mask |= UINT32_C(1) << r->missing.index;
	if (r->has_withdrawn)
		mask |= UINT32_C(1) << r->withdrawn.index;
	return mask;
}

static int
needs_consents(const struct run *r)
{
	return r->nwant > 0 || r->has_missing || r->has_withdrawn;
}

static int
needs_store(const struct run *r)
{
	return needs_consents(r) || r->o.from_store || r->o.add_link;
}

static void
check_options(struct run *r)
{
	if (r->o.missing) {
		r->missing = purpose_arg(r, "--missing", r->o.missing,
		    strlen(r->o.missing));
		r->has_missing = 1;
	}
	if (r->o.withdrawn) {
		r->withdrawn = purpose_arg(r, "--withdrawn", r->o.withdrawn,
		    strlen(r->o.withdrawn));
		r->has_withdrawn = 1;
	}
	if (r->o.include_denied && !r->o.missing)
		eprintf("--include-denied goes with --missing");
	if (r->o.any && r->nwant == 0 && !r->o.codes)
		eprintf("--any goes with --purpose or --codes");
	if (r->o.add_link && !*r->o.add_link)
		eprintf("--add-link: the column needs a name");
	if (r->o.from_store && r->o.rec.encoding)
		eprintf("--encoding does not go with --from-store (the store"
		    " is UTF-8)");
}

/* The link: [landing] url and secret_file are needed, a missing one is an
 * error naming the key. */
static void
setup_links(struct run *r)
{
	const char *url = config_get(r->cfg, "landing", "url");
	const char *exp = config_get_or(r->cfg, "landing", "link_expire",
	    DEFAULT_LINK_EXPIRE);
	struct duration d;
	char err[512];
	size_t n, i;

	if (!url || !*url)
		eprintf("--add-link: no [landing] url in the configuration");
	if (!*exp)
		exp = DEFAULT_LINK_EXPIRE;
	if (duration_parse(exp, &d) < 0)
		eprintf("[landing] link_expire: bad duration '%s'", exp);
	r->secret = (unsigned char *)config_read_landing_secret(r->cfg,
	    &r->secretlen, err, sizeof err);
	if (!r->secret)
		eprintf("--add-link: %s", err);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	r->link_base = estrndup(url, n);
	r->link_expires = time_add(r->now, &d, 1);
	/* The preference page covers every active purpose a token can
	 * name. */
	for (i = 0; i < config_npurposes(r->cfg) && i < TOKEN_PURPOSES_MAX; i++)
		if (config_purpose_at(r->cfg, i)->active)
			r->link_purposes |= (uint16_t)(1u << i);
}

static int
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Open the store if there is one: a run that needs it fails without it;
 * any other run still leaves out erased and restricted customers when it
 * exists. */
static void
setup_store(struct run *r)
{
	const char *path = store_resolve_path(r->o.rec.db);

	if (!file_exists(path)) {
		if (needs_store(r))
			eprintf("%s: no store (import customers first with"
			    " consent-import, or give --db)", path);
		return;
	}
	r->st = cli_store(path, r->cfg);
	if (!(r->cs = custset_load(r->st, consents_wanted(r))) ||
	    (r->tombstones = store_has_tombstones(r->st)) < 0)
		eprintf("%s", store_errmsg(r->st));
}

static void
setup(struct run *r)
{
	size_t i;
	char err[1024];

	r->cfg = cli_config(r->o.rec.config);
	r->now = cli_now();
	r->country = config_company_country(r->cfg);
	parse_purposes(r);
	if (r->o.codes)
		parse_codes(r);
	parse_channel(r);
	parse_within(r);
	check_options(r);
	if (r->o.nsuppress > 0) {
		r->sp = suppress_new(r->country);
		for (i = 0; i < r->o.nsuppress; i++)
			if (suppress_load(r->sp, r->o.suppress[i], err,
			    sizeof err) < 0)
				eprintf("%s", err);
	}
	if (r->o.add_link)
		setup_links(r);
	setup_store(r);
}

/* --- selection ------------------------------------------------------ */

/* A record's mapped field, trimmed in place, or NULL when the stream has
 * no such column. */
static char *
field(const struct run *r, const struct record *rec, enum field f)
{
	int col = r->fm.col[f];

	if (col < 0)
		return NULL;
	if ((size_t)col >= rec->nfields)
		return (char *)"";
	return trim_blanks(rec->fields[col]);
}

static const char *
field_or_empty(const struct run *r, const struct record *rec, enum field f)
{
	const char *v = field(r, rec, f);

	return v ? v : "";
}

static int
allowed(const struct cust *c, const struct psel *ps)
{
	return c && !ps->inactive && cust_state(c, ps->index) == CS_GRANTED;
}

static int
match_purposes(const struct run *r, const struct cust *c)
{
	size_t i;

	for (i = 0; i < r->nwant; i++)
		if (allowed(c, &r->want[i]) == r->o.any)
			return r->o.any;
	return !r->o.any;
}

static int
match_codes(const struct run *r, const struct record *rec)
{
	const char *v = record_col(rec, r->codes_col);
	const char *l;

	for (l = r->letters; *l; l++) {
		if ((strchr(v, *l) != NULL) == r->o.any)
			return r->o.any;
	}
	return !r->o.any;
}

/* Whom to ask: never recorded (a customer the store does not know has
 * recorded nothing either), or denied with --include-denied.  A record
 * without a key is no one to ask. */
static int
match_missing(const struct run *r, const struct record *rec,
    const struct cust *c)
{
	enum cstate s;

	if (r->missing.inactive || (!c && !*field_or_empty(r, rec, F_ID)))
		return 0;
	s = c ? cust_state(c, r->missing.index) : CS_UNKNOWN;
	return s == CS_UNKNOWN || (r->o.include_denied && s == CS_DENIED);
}

static int
match_withdrawn(const struct run *r, const struct cust *c)
{
	return c && !r->withdrawn.inactive &&
	    cust_state(c, r->withdrawn.index) == CS_WITHDRAWN;
}

/* A usable address: the stream's column when it has one, else what the
 * store holds. */
static int
usable(const char *v, int kind, const struct run *r, const struct cust *c)
{
	char buf[EMAIL_MAX + 1];

	if (v)
		return kind == CUST_F_EMAIL ?
		    email_normalise(v, buf, sizeof buf) == 0 :
		    mobile_normalise(v, r->country, buf, sizeof buf) == 0;
	return c && (c->flags & kind);
}

static int
match_channel(const struct run *r, const struct record *rec,
    const struct cust *c)
{
	int email = 0, sms = 0;

	if (r->channel != CH_SMS)
		email = usable(field(r, rec, F_EMAIL), CUST_F_EMAIL, r, c);
	if (r->channel != CH_EMAIL)
		sms = usable(field(r, rec, F_MOBILE), CUST_F_MOBILE, r, c);
	return r->channel == CH_EMAIL ? email : r->channel == CH_SMS ? sms :
	    email || sms;
}

/* 1 recent, 0 not (or no contact known), -1 a date that does not parse
 * (a bad record). */
static int
match_within(struct run *r, const struct record *rec, const struct cust *c)
{
	const char *v = field(r, rec, F_LAST_CONTACT);
	int64_t t;

	if (!v)
		return c && c->last_contact != INT32_MIN &&
		    c->last_contact >= r->within_day;
	if (!*v)
		return 0;
	if (time_parse(v, &t) < 0) {
		weprintf("%s:%ld: bad last contact date '%s'", r->fname,
		    rec->line, v);
		r->bad = 1;
		return -1;
	}
	return t / 86400 >= r->within_day;
}

/* The consent rule, before -v: 1, 0, or -1 for a bad record. */
static int
match_rule(struct run *r, const struct record *rec, const struct cust *c)
{
	int m = 1;

	/* First, so that a bad date is reported whatever else the record
	 * holds (with -v too). */
	if (r->has_within && (m = match_within(r, rec, c)) != 1)
		return m;
	if (r->nwant && !match_purposes(r, c))
		return 0;
	if (r->o.codes && !match_codes(r, rec))
		return 0;
	if (r->has_missing && !match_missing(r, rec, c))
		return 0;
	if (r->has_withdrawn && !match_withdrawn(r, c))
		return 0;
	if (r->channel != CH_NONE && !match_channel(r, rec, c))
		return 0;
	return 1;
}

/* Erased: a record whose key the store does not hold (or that has none)
 * and that a tombstone matches, by key, e-mail or mobile. */
static int
erased(struct run *r, const char *key, const struct record *rec)
{
	char email[EMAIL_MAX + 1] = "", mobile[E164_MAX] = "";
	int rc;

	if (email_normalise(field_or_empty(r, rec, F_EMAIL), email,
	    sizeof email) < 0)
		email[0] = '\0';
	if (mobile_normalise(field_or_empty(r, rec, F_MOBILE), r->country,
	    mobile, sizeof mobile) < 0)
		mobile[0] = '\0';
	if ((rc = store_tombstoned(r->st, key, email, mobile)) < 0)
		eprintf("%s", store_errmsg(r->st));
	return rc;
}

/* Is the record selected?  1, 0, or -1 for a bad record.  Erased,
 * restricted and suppressed customers are never selected, -v or not. */
static int
select_record(struct run *r, const struct record *rec,
    const struct cust **cp)
{
	/* Only the store and the lists need the key: a stream selection
	 * alone spends nothing on it. */
	const char *key = r->cs || r->sp ? field_or_empty(r, rec, F_ID) : "";
	const struct cust *c = NULL;
	int m;

	if (r->cs) {
		c = custset_find(r->cs, key, strlen(key));
		if (c && (c->flags & CUST_F_RESTRICTED))
			return 0;
		if (!c && r->tombstones && erased(r, key, rec))
			return 0;
	}
	*cp = c;
	if ((m = match_rule(r, rec, c)) < 0)
		return -1;
	if (r->o.invert)
		m = !m;
	if (m && r->sp && suppress_match(r->sp, key,
	    field_or_empty(r, rec, F_EMAIL), field_or_empty(r, rec, F_MOBILE)))
		m = 0;
	return m;
}

/* --- output --------------------------------------------------------- */

/* The length of a record without its line ending. */
static size_t
without_eol(const char *raw, size_t len)
{
	if (len > 0 && raw[len - 1] == '\n')
		len--;
	if (len > 0 && raw[len - 1] == '\r')
		len--;
	return len;
}

static const char *
eol(const struct run *r)
{
	return reader_crlf(r->rd) ? "\r\n" : "\n";
}

/* A record as read.  The last line of a file may lack its line ending:
 * it is owed, and paid only when something follows (the next file), so
 * that one file passes byte for byte and two do not run together. */
static void
write_raw(struct run *r, const char *raw, size_t len)
{
	if (r->eol_owed)
		fputs(eol(r), stdout);
	fwrite(raw, 1, len, stdout);
	r->eol_owed = len > 0 && raw[len - 1] != '\n';
}

/* Write a record, with the extra field before its line ending; a
 * record without one (the last line of a file) gets the header's. */
static void
write_with(struct run *r, const struct record *rec, const char *extra)
{
	size_t body = without_eol(rec->raw, rec->rawlen);

	if (r->eol_owed)
		fputs(eol(r), stdout);
	r->eol_owed = 0;
	fwrite(rec->raw, 1, body, stdout);
	putchar(r->out_delim);
	fputs(extra, stdout);
	if (body < rec->rawlen)
		fwrite(rec->raw + body, 1, rec->rawlen - body, stdout);
	else
		fputs(eol(r), stdout);
}

/* The customer's preference link, "" for a customer the store does not
 * hold (there is no page to link to). */
static void
make_link(const struct run *r, const struct record *rec,
    const struct cust *c, struct buf *out)
{
	struct token t;
	char tok[TOKEN_MAX], lang[4];
	const char *rl = field(r, rec, F_LANG);

	buf_reset(out);
	if (!c)
		return;
	memset(&t, 0, sizeof t);
	t.kind = TOKEN_CUSTOMER;
	t.subject = c->id;
	t.expires = r->link_expires;
	t.purposes = r->link_purposes;
	if (c->lang[0])
		memcpy(t.lang, c->lang, 3);
	else if (rl && lang_normalise(rl, lang, sizeof lang) == 0 &&
	    strlen(lang) == 2)
		memcpy(t.lang, lang, 3);
	else
		snprintf(t.lang, sizeof t.lang, "%s",
		    config_company_lang(r->cfg));
	if (token_make(r->secret, r->secretlen, &t, tok) < 0) {
		snprintf(t.lang, sizeof t.lang, "en");
		if (token_make(r->secret, r->secretlen, &t, tok) < 0)
			eprintf("cannot make a link for customer %u", c->id);
	}
	buf_printf(out, "%s/c/%s", r->link_base, tok);
}

static void
write_record(struct run *r, const struct record *rec, const struct cust *c,
    struct buf *link)
{
	size_t i;

	if (r->o.count)
		return;
	if (r->rewrite) {
		/* --excel changes what is written, never what is selected. */
		for (i = 0; i < rec->nfields; i++)
			writer_field(&r->excel, i == 0, rec->fields[i]);
		if (r->o.add_link) {
			make_link(r, rec, c, link);
			writer_field(&r->excel, 0, link->len ? link->s : "");
		}
		writer_end(&r->excel);
		return;
	}
	if (!r->o.add_link) {
		write_raw(r, rec->raw, rec->rawlen);
		return;
	}
	make_link(r, rec, c, link);
	write_with(r, rec, link->len ? link->s : "");
}

/* The add-link column's name, quoted when the delimiter or a quote is in
 * it. */
static void
link_header(const struct run *r, struct buf *out)
{
	const char *p, *name = r->o.add_link;

	buf_reset(out);
	if (!strpbrk(name, "\"\r\n") && !strchr(name, r->out_delim)) {
		buf_adds(out, name);
		return;
	}
	buf_addc(out, '"');
	for (p = name; *p; p++) {
		if (*p == '"')
			buf_addc(out, '"');
		buf_addc(out, *p);
	}
	buf_addc(out, '"');
}

/* The first file's header goes out; a later file must have the same
 * columns in the same format, so that the output stays one table. */
static void
take_header(struct run *r)
{
	const struct record *h = reader_header(r->rd);
	struct buf name = { 0 };
	size_t i;

	if (!r->header_fields) {
		r->out_delim = reader_delim(r->rd);
		r->nheader = h->nfields;
		r->header_fields = ecalloc(h->nfields + 1, sizeof (char *));
		for (i = 0; i < h->nfields; i++)
			r->header_fields[i] = estrdup(h->fields[i]);
		r->first_name = estrdup(r->fname);
		if (r->o.count)
			return;
		if (r->o.add_link) {
			link_header(r, &name);
			write_with(r, h, name.s);
			buf_free(&name);
		} else
			write_raw(r, h->raw, h->rawlen);
		return;
	}
	if (reader_delim(r->rd) != r->out_delim || h->nfields != r->nheader)
		eprintf("%s: its header differs from that of %s", r->fname,
		    r->first_name);
	for (i = 0; i < h->nfields; i++)
		if (strcmp(h->fields[i], r->header_fields[i]) != 0)
			eprintf("%s: its header differs from that of %s",
			    r->fname, r->first_name);
}

/* --- input ---------------------------------------------------------- */

/* A selector on the stream's column or, without one, the store's value:
 * with neither it could only select no one, which is not what was meant. */
static void
need_source(const struct run *r, const char *opt, int has_col)
{
	if (!has_col && !r->cs)
		eprintf("%s: %s: no such column and no store to look it up in"
		    " (give --map, or --db)", r->fname, opt);
}

static void
check_sources(const struct run *r)
{
	const int *col = r->fm.col;

	if (r->channel == CH_EMAIL)
		need_source(r, "--channel email", col[F_EMAIL] >= 0);
	else if (r->channel == CH_SMS)
		need_source(r, "--channel sms", col[F_MOBILE] >= 0);
	else if (r->channel == CH_ANY)
		need_source(r, "--channel any", col[F_EMAIL] >= 0 ||
		    col[F_MOBILE] >= 0);
	if (r->has_within)
		need_source(r, "--contacted-within", col[F_LAST_CONTACT] >= 0);
}

static void
resolve_columns(struct run *r)
{
	const char *key = r->o.rec.key;
	char err[512];

	/* The message names the file where it concerns the file. */
	if (fieldmap_resolve(&r->fm, r->rd, r->o.rec.map, key, err,
	    sizeof err) < 0)
		eprintf("%s", err);
	if ((r->cs || r->sp) && r->fm.col[F_ID] < 0)
		eprintf("%s: no key column '%s' (give --key or --map"
		    " id=COLUMN)", r->fname, key ? key : "id");
	check_sources(r);
	r->codes_col = -1;
	if (r->o.codes && (r->codes_col = reader_column(r->rd,
	    r->codes_column)) < 0)
		eprintf("%s: --codes: no column '%s'", r->fname,
		    r->codes_column);
}

static void
filter_records(struct run *r)
{
	struct record rec;
	struct buf link = { 0 };
	int rc, m;

	while ((rc = reader_next(r->rd, &rec)) != 0) {
		const struct cust *c = NULL;

		if (rc == -2)
			eprintf("%s:%s%s", r->fname,
			    isdigit((unsigned char)*reader_error(r->rd)) ? "" : " ",
			    reader_error(r->rd));
		if (rc < 0) {
			weprintf("%s:%s", r->fname, reader_error(r->rd));
			r->bad = 1;
			continue;
		}
		if ((m = select_record(r, &rec, &c)) <= 0)
			continue;
		r->selected++;
		write_record(r, &rec, c, &link);
	}
	buf_free(&link);
}

static void
filter_fd(struct run *r, int fd, const char *name, const char *encoding)
{
	struct reader_opts ro = { r->o.rec.delim, encoding, 0 };
	char err[512];

	r->fname = name;
	if (!(r->rd = reader_open(fd, name, &ro, err, sizeof err))) {
		/* A file that is not a table: the others are still read. */
		weprintf("%s", err);
		r->bad = 1;
		return;
	}
	resolve_columns(r);
	take_header(r);
	filter_records(r);
	reader_close(r->rd);
	r->rd = NULL;
}

static void
filter_file(struct run *r, const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0) {
		filter_fd(r, STDIN_FILENO, "<stdin>", r->o.rec.encoding);
		return;
	}
	if ((fd = open(path, O_RDONLY)) < 0) {
		weprintf("%s: %s", path, strerror(errno));
		r->bad = 1;
		return;
	}
	filter_fd(r, fd, path, r->o.rec.encoding);
	close(fd);
}

/* --from-store: the store's customers as a table in a temporary file (in
 * the format asked for, CSV by default), read back like any input, so that
 * every selector works the same on it. */
static int
dump_customer(void *arg, const struct customer *c)
{
	const char *f[] = { c->key, c->name, c->email, c->mobile, c->lang,
	    c->last_contact };

	writer_row(arg, sizeof f / sizeof *f, f);
	return 0;
}

static void
filter_store(struct run *r)
{
	static const char *const header[] = { "id", "name", "email", "mobile",
	    "lang", "last_contact" };
	char delim = r->o.rec.delim ? r->o.rec.delim : ',';
	FILE *tmp = tmpfile();
	struct writer w;

	if (!tmp)
		eprintf("cannot make a temporary file: %s", strerror(errno));
	writer_init(&w, tmp, delim, 0, 0);
	writer_row(&w, 6, header);
	if (store_each_customer(r->st, dump_customer, &w) != 0)
		eprintf("%s", store_errmsg(r->st));
	if (fflush(tmp) != 0 || ferror(tmp))
		eprintf("cannot write the temporary file: %s",
		    strerror(errno));
	rewind(tmp);
	writer_init(&r->excel, stdout, delim, 0, 1);
	r->rewrite = r->o.excel;
	filter_fd(r, fileno(tmp), store_path(r->st), NULL);
	fclose(tmp);
}

static void
teardown(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nheader; i++)
		free(r->header_fields[i]);
	free(r->header_fields);
	free(r->first_name);
	free(r->want);
	free(r->codes_column);
	free(r->link_base);
	if (r->secret) {
		sodium_memzero(r->secret, r->secretlen);
		free(r->secret);
	}
	suppress_free(r->sp);
	custset_free(r->cs);
	store_close(r->st);
	config_free(r->cfg);
	free(r->o.purposes);
	free(r->o.suppress);
}

int
main(int argc, char **argv)
{
	struct run r;
	static char obuf[1 << 16];
	int i;

	setprogname(argv[0]);
	memset(&r, 0, sizeof r);
	parse_options(&r.o, argc, argv);
	argc -= optind;
	argv += optind;
	if (r.o.from_store && argc > 0)
		eprintf("--from-store reads no input files");
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	setup(&r);
	if (r.o.from_store)
		filter_store(&r);
	else if (argc == 0)
		filter_file(&r, "-");
	for (i = 0; i < argc; i++)
		filter_file(&r, argv[i]);
	if (r.o.count)
		printf("%ld\n", r.selected);
	if (fshut(stdout, "<stdout>") < 0)
		r.bad = 1;
	teardown(&r);
	return r.bad ? EXIT_ERR : r.selected ? EXIT_OK : EXIT_NO;
}
