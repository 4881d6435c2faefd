/* consent-log: what the store holds and did about customers.  Without a
 * mode, the audit history of the customers named (CSV); --export, all
 * that is held about one (JSON or CSV); --verify, the audit chain;
 * --stats, counts of the consents or of their changes per month;
 * --receipt, a Kantara consent receipt for the landing answer to one
 * request; --status, the consent and the newest request per customer and
 * purpose.
 *
 * It only reads: the store is opened as every tool opens it (the schema
 * and the purposes brought up to date), and no event is written, so that
 * looking at the history never changes it. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "records.h"
#include "store.h"
#include "timeutil.h"
#include "util.h"

enum mode { M_HISTORY, M_EXPORT, M_VERIFY, M_STATS, M_RECEIPT, M_STATUS };

static const char *const mode_opts[] = {
	"ID", "--export", "--verify", "--stats", "--receipt", "--status"
};

struct options {
	const char *db, *config, *since, *purpose, *by, *export_id, *receipt;
	enum mode mode;
	int nmodes, json, csv, tsv, excel;
};

struct run {
	struct options o;
	struct config *cfg;
	struct store *st;
	int64_t now;
	char sincebuf[TIME_RFC3339_LEN];
	const char *since;	/* --since as RFC 3339, or NULL */
	struct writer w;
	char **ids;
	int nids;
	int status;
};

/* --- options ----------------------------------------------------------- */

static noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s [-p purpose] [-s date] [--csv | --tsv]"
	    " [--db file] [--config file] id ...\n"
	    "       %s --export id [--json | --csv | --tsv]\n"
	    "       %s --verify\n"
	    "       %s --stats [--by month [-s date]] [-p purpose]"
	    " [--csv | --tsv]\n"
	    "       %s --receipt request\n"
	    "       %s --status [-p purpose] [--csv | --tsv] [id ...]\n",
	    argv0, argv0, argv0, argv0, argv0, argv0);
	exit(EXIT_ERR);
}

static noreturn void
help(void)
{
	printf("usage: %s [options] id ...\n"
	    "The audit history of customers, subject-access exports, the"
	    " audit chain,\nstatistics, consent receipts and the consent"
	    " status of a register.\n\n"
	    "      --export ID            all that is held about a customer"
	    " (JSON)\n"
	    "      --verify               check the audit chain\n"
	    "      --stats                consents per purpose and state\n"
	    "      --by month             ... changes per month instead\n"
	    "      --receipt REQUEST      a consent receipt for an answer"
	    " (JSON)\n"
	    "      --status               consent and request per customer"
	    " and purpose\n"
	    "  -p, --purpose P            only purpose P\n"
	    "  -s, --since DATE           only events from DATE on\n"
	    "      --json, --csv, --tsv   the output's format\n"
	    "      --excel                quote formula-like fields with '\n"
	    "      --db FILE, --config FILE\n"
	    "  -h, --help, -V, --version\n", argv0);
	exit(EXIT_OK);
}

enum {
	OPT_EXPORT = 256, OPT_VERIFY, OPT_STATS, OPT_BY, OPT_RECEIPT,
	OPT_STATUS, OPT_JSON, OPT_CSV, OPT_TSV, OPT_EXCEL, OPT_DB, OPT_CONFIG
};

static const struct option longopts[] = {
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "by", required_argument, NULL, OPT_BY },
	{ "receipt", required_argument, NULL, OPT_RECEIPT },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "purpose", required_argument, NULL, 'p' },
	{ "since", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "tsv", no_argument, NULL, OPT_TSV },
	{ "excel", no_argument, NULL, OPT_EXCEL },
	{ "db", required_argument, NULL, OPT_DB },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
set_mode(struct options *o, enum mode m)
{
	if (o->nmodes++ && o->mode != m)
		eprintf("%s and %s: give one of --export, --verify, --stats,"
		    " --receipt and --status", mode_opts[o->mode],
		    mode_opts[m]);
	o->mode = m;
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "p:s:hV", longopts, NULL)) != -1)
		switch (ch) {
		case OPT_EXPORT:
			o->export_id = cli_once("--export", o->export_id,
			    optarg);
			set_mode(o, M_EXPORT);
			break;
		case OPT_VERIFY: set_mode(o, M_VERIFY); break;
		case OPT_STATS: set_mode(o, M_STATS); break;
		case OPT_BY: o->by = cli_once("--by", o->by, optarg); break;
		case OPT_RECEIPT:
			o->receipt = cli_once("--receipt", o->receipt, optarg);
			set_mode(o, M_RECEIPT);
			break;
		case OPT_STATUS: set_mode(o, M_STATUS); break;
		case 'p':
			o->purpose = cli_once("--purpose", o->purpose, optarg);
			break;
		case 's': o->since = cli_once("--since", o->since, optarg); break;
		case OPT_JSON: o->json = 1; o->csv = o->tsv = 0; break;
		case OPT_CSV: o->csv = 1; o->json = o->tsv = 0; break;
		case OPT_TSV: o->tsv = 1; o->json = o->csv = 0; break;
		case OPT_EXCEL: o->excel = 1; break;
		case OPT_DB: o->db = cli_once("--db", o->db, optarg); break;
		case OPT_CONFIG:
			o->config = cli_once("--config", o->config, optarg);
			break;
		case 'h': help();
		case 'V': print_version();
		default: usage();
		}
}

/* An option that would do nothing in the mode is refused rather than
 * silently ignored. */
static void
check_options(const struct options *o, int nids)
{
	enum mode m = o->mode;

	if (m == M_HISTORY && nids == 0) {
		weprintf("no customer: give an id, or a mode");
		usage();
	}
	if (nids && m != M_HISTORY && m != M_STATUS)
		eprintf("%s takes no id arguments", mode_opts[m]);
	if (o->by && m != M_STATS)
		eprintf("--by goes with --stats");
	if (o->by && strcmp(o->by, "month") != 0)
		eprintf("--by: '%s': only month", o->by);
	if (o->since && m != M_HISTORY && !(m == M_STATS && o->by))
		eprintf("--since goes with a history and --stats --by month");
	if (o->purpose && m != M_HISTORY && m != M_STATS && m != M_STATUS)
		eprintf("--purpose does not go with %s", mode_opts[m]);
	if (o->json && m != M_EXPORT && m != M_RECEIPT)
		eprintf("--json goes with --export and --receipt");
	if ((o->csv || o->tsv || o->excel) && (m == M_VERIFY ||
	    m == M_RECEIPT))
		eprintf("%s writes no records", mode_opts[m]);
}

/* --- shared -------------------------------------------------------------- */

static noreturn void
store_failed(struct run *r)
{
	eprintf("%s", store_errmsg(r->st));
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static void
time_text(int64_t t, char out[TIME_RFC3339_LEN])
{
	if (t)
		time_format(t, out);
	else
		out[0] = '\0';
}

/* Is name one of the comma-separated list? */
static int
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* Why a key has no customer row: erased (a tombstone matches it), or
 * never in the store.  Makes the exit status 1. */
static void
not_held(struct run *r, const char *key)
{
	int rc = store_tombstoned(r->st, key, "", "");

	if (rc < 0)
		store_failed(r);
	weprintf("%s: %s", key, rc ? "erased: only its tombstone is in the"
	    " store" : "not in the store");
	r->status = EXIT_NO;
}

static void
row(struct run *r, size_t n, const char *const *f)
{
	writer_row(&r->w, n, f);
}

/* --- history ------------------------------------------------------------- */

static const char *const history_head[] = {
	"id", "at", "actor", "tool", "purpose", "old", "new", "basis",
	"source", "evidence"
};

/* A request's event names its request in the evidence, which holds the
 * request's detail (where it went, why it failed) alone in the store. */
static void
evidence_text(const struct log_event *e, struct buf *b)
{
	buf_reset(b);
	buf_add(b, "", 0);
	if (e->request)
		buf_printf(b, "request %lld%s%s", (long long)e->request,
		    e->evidence && *e->evidence ? ": " : "", nz(e->evidence));
	else
		buf_adds(b, nz(e->evidence));
}

struct history {
	struct run *r;
	struct buf ev;
	long n;
};

static int
history_row(void *arg, const struct log_event *e)
{
	struct history *h = arg;
	const char *f[10];

	evidence_text(e, &h->ev);
	f[0] = nz(e->customer);
	f[1] = nz(e->at);
	f[2] = nz(e->actor);
	f[3] = nz(e->tool);
	f[4] = nz(e->purpose);
	f[5] = nz(e->old);
	f[6] = nz(e->new_);
	f[7] = nz(e->basis);
	f[8] = nz(e->source);
	f[9] = h->ev.s;
	row(h->r, 10, f);
	h->n++;
	return 0;
}

static void
run_history(struct run *r)
{
	struct history h = { r, { 0 }, 0 };
	struct customer c = { 0 };
	int i, rc;

	row(r, 10, history_head);
	for (i = 0; i < r->nids; i++) {
		h.n = 0;
		if (store_each_event(r->st, r->ids[i], r->since, r->o.purpose,
		    history_row, &h) < 0)
			store_failed(r);
		if (h.n)
			continue;
		if ((rc = store_customer_get(r->st, r->ids[i], &c)) < 0)
			store_failed(r);
		if (!rc)
			not_held(r, r->ids[i]);
		customer_clear(&c);
	}
	buf_free(&h.ev);
}

/* --- JSON ---------------------------------------------------------------- */

/* A string, or null for none; the store holds UTF-8 only (the tools
 * check their input), so a string jansson refuses is not expected. */
static json_t *
jstr(const char *s)
{
	json_t *j;

	if (!s || !*s)
		return json_null();
	return (j = json_string(s)) ? j : json_null();
}

static json_t *
jtime(int64_t t)
{
	char buf[TIME_RFC3339_LEN];

	time_text(t, buf);
	return jstr(buf);
}

/* The names of a comma-separated list as an array. */
static json_t *
jlist(const char *list)
{
	json_t *a = json_array();
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return a;
}

static void
set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v ? v : json_null());
}

static void
json_out(json_t *root)
{
	if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) <
	    0)
		eprintf("<stdout>: cannot write the JSON");
	putchar('\n');
}

/* --- export -------------------------------------------------------------- */

static json_t *
customer_json(const struct customer *c)
{
	json_t *o = json_object();

	set(o, "name", jstr(c->name));
	set(o, "email", jstr(c->email));
	set(o, "mobile", jstr(c->mobile));
	set(o, "lang", jstr(c->lang));
	set(o, "last_contact", jstr(c->last_contact));
	set(o, "hold_until", jstr(c->hold_until));
	set(o, "status", json_string(c->status == CUST_RESTRICTED ?
	    "restricted" : "active"));
	return o;
}

static json_t *
consents_json(struct run *r, const struct customer *c)
{
	size_t i, np = store_npurposes(r->st);
	struct consent *cons = ecalloc(np + 1, sizeof *cons);
	json_t *a = json_array();

	if (store_consents_get(r->st, c->id, cons) < 0)
		store_failed(r);
	for (i = 0; i < np; i++) {
		const char *name = store_purpose_name(r->st, i);
		json_t *o;

		if (cons[i].state == CS_UNKNOWN)
			continue;
		o = json_object();
		set(o, "purpose", json_string(name));
		set(o, "title", jstr(config_purpose_title(r->cfg, name,
		    *c->lang ? c->lang : config_company_lang(r->cfg))));
		set(o, "state", json_string(cstate_names[cons[i].state]));
		set(o, "basis", jstr(cons[i].basis));
		set(o, "source", jstr(cons[i].source));
		set(o, "at", jtime(cons[i].at));
		json_array_append_new(a, o);
	}
	free(cons);
	return a;
}

static int
request_json(void *arg, struct request *q)
{
	json_t *o = json_object();

	set(o, "request", json_integer(q->id));
	set(o, "purposes", jlist(q->purposes));
	set(o, "channel", jstr(q->channel));
	set(o, "address", jstr(q->address));
	set(o, "lang", jstr(q->lang));
	set(o, "status", json_string(rstatus_names[q->status]));
	set(o, "created", jtime(q->created));
	set(o, "sent", jtime(q->sent));
	set(o, "expires", jtime(q->expires));
	set(o, "reminded", jtime(q->reminded));
	set(o, "answered", jtime(q->answered));
	set(o, "detail", jstr(q->detail));
	json_array_append_new(arg, o);
	request_clear(q);
	return 0;
}

static int
event_json(void *arg, const struct log_event *e)
{
	json_t *o = json_object();

	set(o, "seq", json_integer(e->seq));
	set(o, "at", jstr(e->at));
	set(o, "actor", jstr(e->actor));
	set(o, "tool", jstr(e->tool));
	set(o, "purpose", jstr(e->purpose));
	set(o, "old", jstr(e->old));
	set(o, "new", jstr(e->new_));
	set(o, "basis", jstr(e->basis));
	set(o, "source", jstr(e->source));
	set(o, "evidence", jstr(e->evidence));
	set(o, "request", e->request ? json_integer(e->request) :
	    json_null());
	json_array_append_new(arg, o);
	return 0;
}

/* Everything held about key: for an erased one, its tombstone alone;
 * NULL when the store holds nothing at all. */
static json_t *
export_json(struct run *r, const char *key)
{
	struct customer c = { 0 };
	json_t *o = json_object(), *a;
	char now[TIME_RFC3339_LEN];
	int rc, tomb;

	time_format(r->now, now);
	set(o, "id", json_string(key));
	set(o, "exported", json_string(now));
	if ((rc = store_customer_get(r->st, key, &c)) < 0 ||
	    (tomb = store_tombstoned(r->st, key, rc ? c.email : "",
	    rc ? c.mobile : "")) < 0)
		store_failed(r);
	set(o, "tombstone", json_boolean(tomb));
	if (!rc && !tomb) {
		not_held(r, key);
		json_decref(o);
		return NULL;
	}
	if (!rc)
		return o;
	set(o, "customer", customer_json(&c));
	set(o, "consents", consents_json(r, &c));
	a = json_array();
	if (store_each_request_of(r->st, c.id, request_json, a) < 0)
		store_failed(r);
	set(o, "requests", a);
	a = json_array();
	if (store_each_event(r->st, key, NULL, NULL, event_json, a) < 0)
		store_failed(r);
	set(o, "history", a);
	customer_clear(&c);
	return o;
}

/* The JSON's text for a CSV field: strings as they are, an array of
 * names comma-separated, null empty. */
static void
scalar_text(const json_t *v, struct buf *b)
{
	size_t i;

	buf_reset(b);
	buf_add(b, "", 0);
	if (json_is_string(v))
		buf_adds(b, json_string_value(v));
	else if (json_is_integer(v))
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_boolean(v))
		buf_adds(b, json_is_true(v) ? "true" : "false");
	else if (json_is_array(v))
		for (i = 0; i < json_array_size(v); i++)
			buf_printf(b, "%s%s", i ? "," : "",
			    nz(json_string_value(json_array_get(v, i))));
}

static void
csv4(struct run *r, const char *section, const char *item,
    const char *field, const json_t *v, struct buf *b)
{
	const char *f[4];

	scalar_text(v, b);
	f[0] = section;
	f[1] = item;
	f[2] = field;
	f[3] = b->s;
	row(r, 4, f);
}

/* The export as CSV: one row section,item,field,value a value, from the
 * same tree as the JSON so that both say the same. */
static void
export_csv(struct run *r, json_t *o)
{
	static const struct { const char *key, *section, *item; } lists[] = {
		{ "consents", "consent", "purpose" },
		{ "requests", "request", "request" },
		{ "history", "event", "seq" },
	};
	static const char *const head[] = { "section", "item", "field",
	    "value" };
	struct buf b = { 0 }, item = { 0 };
	const char *k;
	json_t *v, *e;
	size_t i, j;

	row(r, 4, head);
	json_object_foreach(o, k, v)
		if (!json_is_object(v) && !json_is_array(v))
			csv4(r, "export", "", k, v, &b);
	if ((v = json_object_get(o, "customer")))
		json_object_foreach(v, k, e)
			csv4(r, "customer", "", k, e, &b);
	for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		json_t *a = json_object_get(o, lists[i].key), *x;

		json_array_foreach(a, j, e) {
			scalar_text(json_object_get(e, lists[i].item), &item);
			json_object_foreach(e, k, x)
				if (strcmp(k, lists[i].item) != 0)
					csv4(r, lists[i].section, item.s, k, x,
					    &b);
		}
	}
	buf_free(&b);
	buf_free(&item);
}

static void
run_export(struct run *r)
{
	json_t *o = export_json(r, r->o.export_id);

	if (!o)
		return;
	if (r->o.csv || r->o.tsv)
		export_csv(r, o);
	else
		json_out(o);
	json_decref(o);
}

/* --- verify -------------------------------------------------------------- */

static void
run_verify(struct run *r)
{
	struct audit_check c;
	int rc = audit_verify(r->st, &c);

	if (rc < 0)
		store_failed(r);
	if (rc > 0) {
		weprintf("%s", c.why);
		r->status = EXIT_NO;
		return;
	}
	if (c.redacted)
		weprintf("%lld event%s (%lld redacted by erasure), chain intact;"
		    " head %s", (long long)c.events, c.events == 1 ? "" : "s",
		    (long long)c.redacted, c.head);
	else if (c.events)
		weprintf("%lld event%s, chain intact; head %s",
		    (long long)c.events, c.events == 1 ? "" : "s", c.head);
	else
		weprintf("0 events, chain intact");
}

/* --- stats --------------------------------------------------------------- */

static void
check_purpose(struct run *r)
{
	if (r->o.purpose && store_purpose_index(r->st, r->o.purpose) < 0)
		eprintf("--purpose: unknown purpose '%s'", r->o.purpose);
}

static void
run_stats(struct run *r)
{
	static const char *const head[] = { "purpose", "state", "count" };
	size_t i, np = store_npurposes(r->st);
	int64_t *n = ecalloc(4 * np + 1, sizeof *n), customers;
	int s;

	if (store_consent_counts(r->st, &customers, n) < 0)
		store_failed(r);
	row(r, 3, head);
	for (i = 0; i < np; i++) {
		const char *name = store_purpose_name(r->st, i);
		int64_t *c = &n[4 * i];

		if (r->o.purpose && strcmp(name, r->o.purpose) != 0)
			continue;
		if (!store_purpose_active(r->st, i) && !c[1] && !c[2] && !c[3])
			continue;
		c[CS_UNKNOWN] = customers - c[1] - c[2] - c[3];
		for (s = 0; s < 4; s++) {
			char count[24];
			const char *f[3] = { name, cstate_names[s], count };

			snprintf(count, sizeof count, "%lld", (long long)c[s]);
			row(r, 3, f);
		}
	}
	free(n);
}

/* A row of --by month is written when its month or purpose ends. */
struct months {
	struct run *r;
	char month[8], purpose[64];
	int64_t n[4];
	int have;
};

static void
month_flush(struct months *m)
{
	char c[3][24];
	const char *f[5] = { m->month, m->purpose, c[0], c[1], c[2] };
	int i;

	if (!m->have)
		return;
	for (i = 0; i < 3; i++)
		snprintf(c[i], sizeof c[i], "%lld", (long long)m->n[i + 1]);
	row(m->r, 5, f);
	memset(m->n, 0, sizeof m->n);
	m->have = 0;
}

static int
month_change(void *arg, const char *month, const char *purpose,
    enum cstate st, int64_t n)
{
	struct months *m = arg;

	if (m->have && (strcmp(m->month, month) || strcmp(m->purpose,
	    purpose)))
		month_flush(m);
	snprintf(m->month, sizeof m->month, "%s", month);
	snprintf(m->purpose, sizeof m->purpose, "%s", purpose);
	m->n[st] += n;
	m->have = 1;
	return 0;
}

static void
run_stats_by_month(struct run *r)
{
	static const char *const head[] = { "month", "purpose", "granted",
	    "denied", "withdrawn" };
	struct months m;

	memset(&m, 0, sizeof m);
	m.r = r;
	row(r, 5, head);
	if (store_each_month_change(r->st, r->since, r->o.purpose,
	    month_change, &m) < 0)
		store_failed(r);
	month_flush(&m);
}

/* --- receipt ------------------------------------------------------------- */

/* One purpose's answer on the landing page, from its audit event:
 * "landing answer SEQ to request N at AT from IP, UA; text sha256 HASH"
 * (consent-sync writes it). */
struct answer {
	int found;
	char state[16], basis[24];
	int64_t at, seq;
	char sha[65];
	unsigned char hash[16];
};

struct receipt {
	struct run *r;
	const struct request *q;
	struct answer *a;	/* per purpose index */
	int64_t last;		/* seq of the latest answer */
};

static int
parse_answer(const char *ev, int64_t request, struct answer *a)
{
	char prefix[64], at[TIME_RFC3339_LEN];
	const char *p, *sha;
	size_t n;

	n = (size_t)snprintf(prefix, sizeof prefix, " to request %lld at ",
	    (long long)request);
	if (!ev || strncmp(ev, "landing answer ", 15) != 0 ||
	    !(p = strstr(ev, prefix)))
		return -1;
	p += n;
	if (strlen(p) < 20)
		return -1;
	memcpy(at, p, 20);
	at[20] = '\0';
	if (time_parse(at, &a->at) < 0)
		return -1;
	a->sha[0] = '\0';
	if ((sha = strstr(p, "; text sha256 ")) && strcmp(sha + 14, "-") != 0)
		snprintf(a->sha, sizeof a->sha, "%s", sha + 14);
	return 0;
}

static int
answer_event(void *arg, const struct log_event *e)
{
	struct receipt *rc = arg;
	struct answer a;
	int p;

	memset(&a, 0, sizeof a);
	if (e->request || !e->purpose || !e->source ||
	    strcmp(e->source, "landing") != 0 ||
	    parse_answer(e->evidence, rc->q->id, &a) < 0 ||
	    (p = store_purpose_index(rc->r->st, e->purpose)) < 0)
		return 0;
	/* the latest answer for a purpose is what holds */
	a.found = 1;
	a.seq = e->seq;
	snprintf(a.state, sizeof a.state, "%s", nz(e->new_));
	snprintf(a.basis, sizeof a.basis, "%s", nz(e->basis));
	if (e->hashlen == sizeof a.hash)
		memcpy(a.hash, e->hash, sizeof a.hash);
	rc->a[p] = a;
	if (e->seq > rc->last)
		rc->last = e->seq;
	return 0;
}

/* The receipt's ID: the stored hash of the latest answer's audit event
 * as a UUID (version 8, RFC 9562): the same receipt each time, and
 * another one once the customer answers again. */
static void
receipt_id(const unsigned char h[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char u[16];
	int i, o = 0;

	memcpy(u, h, sizeof u);
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x80);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

static const char *
company(const struct run *r, const char *key)
{
	const char *v = config_get(r->cfg, "company", key);

	return v && *v ? v : NULL;
}

static const char *
purpose_key(const struct run *r, const char *name, const char *key)
{
	char sect[80];
	const char *v;

	snprintf(sect, sizeof sect, "purpose.%s", name);
	v = config_get(r->cfg, sect, key);
	return v && *v ? v : NULL;
}

static json_t *
controller_json(const struct run *r)
{
	static const char *const keys[][2] = {
		{ "contact", "contact" }, { "address", "address" },
		{ "email", "email" }, { "phone", "phone" },
		{ "piiControllerUrl", "url" },
	};
	json_t *o = json_object(), *a = json_array();
	size_t i;

	set(o, "piiController", jstr(company(r, "name")));
	set(o, "onBehalf", json_false());
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (company(r, keys[i][1]))
			set(o, keys[i][0], jstr(company(r, keys[i][1])));
	json_array_append_new(a, o);
	return a;
}

/* The Kantara purpose category of the default purposes; another purpose
 * names its own ([purpose.NAME] category). */
static const char *
default_category(const char *name)
{
	static const char *const cat[][2] = {
		{ "service", "Core Function" },
		{ "emarketing", "Marketing" },
		{ "partners", "Marketing Third Parties" },
		{ "profiling", "Personalized Experience" },
	};
	size_t i;

	for (i = 0; i < sizeof cat / sizeof cat[0]; i++)
		if (strcmp(name, cat[i][0]) == 0)
			return cat[i][1];
	return "Other";
}

static json_t *
purpose_json(const struct run *r, size_t i, const struct answer *a,
    const char *lang)
{
	const char *name = store_purpose_name(r->st, i);
	const char *third = purpose_key(r, name, "third_party");
	const char *v;
	json_t *o = json_object();

	set(o, "purpose", jstr(config_purpose_title(r->cfg, name, lang)));
	v = purpose_key(r, name, "category");
	set(o, "purposeCategory", jlist(v ? v : default_category(name)));
	set(o, "consentType", json_string("EXPLICIT"));
	v = purpose_key(r, name, "pii_category");
	set(o, "piiCategory", jlist(v ? v : "Contact"));
	set(o, "primaryPurpose", json_boolean(strcmp(a->basis,
	    "consent") != 0));
	v = purpose_key(r, name, "termination");
	set(o, "termination", json_string(v ? v : "until withdrawn: from"
	    " the link of the request, or by asking the controller"));
	set(o, "thirdPartyDisclosure", json_boolean(third ||
	    strcmp(name, "partners") == 0));
	if (third)
		set(o, "thirdPartyName", jstr(third));
	/* beyond Kantara 1.1: what the store knows of the answer */
	set(o, "purposeName", json_string(name));
	set(o, "consentState", jstr(a->state));
	set(o, "legalBasis", jstr(a->basis));
	set(o, "answeredAt", jtime(a->at));
	set(o, "noticeSha256", jstr(a->sha));
	return o;
}

static json_t *
receipt_json(struct run *r, const struct request *q, const struct answer *a,
    int64_t at, const unsigned char *idhash)
{
	const char *lang = *q->lang ? q->lang : config_company_lang(r->cfg);
	json_t *o = json_object(), *svc = json_object(), *ps = json_array();
	char id[37], method[160];
	size_t i;

	receipt_id(idhash, id);
	snprintf(method, sizeof method, "web form: the landing page of"
	    " request %lld, sent by %s", (long long)q->id, *q->channel ?
	    q->channel : "email");
	set(o, "version", json_string("KI-CR-v1.1.0"));
	set(o, "jurisdiction", json_string(config_company_country(r->cfg)));
	set(o, "consentTimestamp", json_integer(at));
	set(o, "collectionMethod", json_string(method));
	set(o, "consentReceiptID", json_string(id));
	if (company(r, "public_key"))
		set(o, "publicKey", jstr(company(r, "public_key")));
	set(o, "language", jstr(lang));
	set(o, "piiPrincipalId", jstr(q->key));
	set(o, "piiControllers", controller_json(r));
	set(o, "policyUrl", jstr(company(r, "policy_url")));
	for (i = 0; i < store_npurposes(r->st); i++)
		if (a[i].found)
			json_array_append_new(ps, purpose_json(r, i, &a[i],
			    lang));
	set(svc, "service", jstr(company(r, "name")));
	set(svc, "purposes", ps);
	set(o, "services", json_pack("[o]", svc));
	set(o, "sensitive", json_false());
	set(o, "spiCat", json_array());
	set(o, "request", json_integer(q->id));
	return o;
}

static void
run_receipt(struct run *r)
{
	struct request q = { 0 };
	struct receipt rc;
	char *end;
	long long id;
	size_t i, np = store_npurposes(r->st);
	int64_t at = 0;
	const unsigned char *idhash = NULL;
	int found;

	errno = 0;
	id = strtoll(r->o.receipt, &end, 10);
	if (errno || *end || id <= 0 || !*r->o.receipt)
		eprintf("--receipt: '%s' is not a request number",
		    r->o.receipt);
	if ((found = store_request_get(r->st, id, &q)) < 0)
		store_failed(r);
	if (!found) {
		weprintf("request %lld: not in the store", id);
		r->status = EXIT_NO;
		return;
	}
	memset(&rc, 0, sizeof rc);
	rc.r = r;
	rc.q = &q;
	rc.a = ecalloc(np + 1, sizeof *rc.a);
	if (store_each_event(r->st, q.key, NULL, NULL, answer_event, &rc) < 0)
		store_failed(r);
	for (i = 0; i < np; i++)
		if (rc.a[i].found) {
			if (rc.a[i].at > at)
				at = rc.a[i].at;
			if (rc.a[i].seq == rc.last)
				idhash = rc.a[i].hash;
		}
	if (!idhash) {
		weprintf("request %lld: no answer from the landing page", id);
		r->status = EXIT_NO;
	} else {
		json_t *o = receipt_json(r, &q, rc.a, at, idhash);

		json_out(o);
		json_decref(o);
	}
	free(rc.a);
	request_clear(&q);
}

/* --- status -------------------------------------------------------------- */

static const char *const status_head[] = {
	"id", "purpose", "state", "basis", "source", "since", "request",
	"request_state", "sent", "expires"
};

struct reqs {
	struct request *v;
	size_t n, cap;
};

static int
keep_request(void *arg, struct request *q)
{
	struct reqs *rs = arg;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 8;
		rs->v = erealloc(rs->v, rs->cap * sizeof *rs->v);
	}
	rs->v[rs->n++] = *q;
	return 0;
}

static void
status_row(struct run *r, const struct customer *c, size_t i,
    const struct consent *k, const struct request *q)
{
	char since[TIME_RFC3339_LEN], sent[TIME_RFC3339_LEN],
	    exp[TIME_RFC3339_LEN], num[24];
	const char *f[10];
	int known = k->state != CS_UNKNOWN;

	time_text(known ? k->at : 0, since);
	time_text(q ? q->sent : 0, sent);
	time_text(q ? q->expires : 0, exp);
	snprintf(num, sizeof num, "%lld", q ? (long long)q->id : 0LL);
	f[0] = c->key;
	f[1] = store_purpose_name(r->st, i);
	f[2] = cstate_names[k->state];
	f[3] = known ? k->basis : "";
	f[4] = known ? k->source : "";
	f[5] = since;
	f[6] = q ? num : "";
	f[7] = q ? rstatus_names[q->status] : "";
	f[8] = sent;
	f[9] = exp;
	row(r, 10, f);
}

static int
status_customer(void *arg, const struct customer *c)
{
	struct run *r = arg;
	size_t i, j, np = store_npurposes(r->st);
	struct consent *k = ecalloc(np + 1, sizeof *k);
	struct reqs rs = { 0 };

	if (store_consents_get(r->st, c->id, k) < 0 ||
	    store_each_request_of(r->st, c->id, keep_request, &rs) < 0)
		store_failed(r);
	for (i = 0; i < np; i++) {
		const char *name = store_purpose_name(r->st, i);
		const struct request *q = NULL;

		if (r->o.purpose && strcmp(name, r->o.purpose) != 0)
			continue;
		if (!store_purpose_active(r->st, i) && k[i].state ==
		    CS_UNKNOWN)
			continue;
		for (j = rs.n; j-- > 0 && !q;)
			if (in_list(rs.v[j].purposes, name))
				q = &rs.v[j];
		status_row(r, c, i, &k[i], q);
	}
	for (j = 0; j < rs.n; j++)
		request_clear(&rs.v[j]);
	free(rs.v);
	free(k);
	return 0;
}

static void
run_status(struct run *r)
{
	struct customer c = { 0 };
	int i, rc;

	row(r, 10, status_head);
	if (r->nids == 0) {
		if (store_each_customer(r->st, status_customer, r) < 0)
			store_failed(r);
		return;
	}
	for (i = 0; i < r->nids; i++) {
		if ((rc = store_customer_get(r->st, r->ids[i], &c)) < 0)
			store_failed(r);
		if (rc)
			status_customer(r, &c);
		else
			not_held(r, r->ids[i]);
		customer_clear(&c);
	}
}

/* --- main ---------------------------------------------------------------- */

static void
setup(struct run *r)
{
	const char *path = store_resolve_path(r->o.db);

	r->cfg = cli_config(r->o.config);
	r->now = cli_now();
	if (r->o.since) {
		int64_t t;

		if (time_parse(r->o.since, &t) < 0)
			eprintf("--since: '%s' is not a date (2026-12-01,"
			    " 01.12.2026) or an RFC 3339 time", r->o.since);
		time_format(t, r->sincebuf);
		r->since = r->sincebuf;
	}
	if (access(path, F_OK) < 0)
		eprintf("%s: no store here (consent-import makes one)", path);
	r->st = cli_store(path, r->cfg);
	check_purpose(r);
	writer_init(&r->w, stdout, r->o.tsv ? '\t' : ',', 0, r->o.excel);
}

int
main(int argc, char **argv)
{
	static char obuf[1 << 16];
	struct run r;

	setprogname(argv[0]);
	memset(&r, 0, sizeof r);
	parse_options(&r.o, argc, argv);
	r.ids = argv + optind;
	r.nids = argc - optind;
	check_options(&r.o, r.nids);
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	setup(&r);
	switch (r.o.mode) {
	case M_HISTORY: run_history(&r); break;
	case M_EXPORT: run_export(&r); break;
	case M_VERIFY: run_verify(&r); break;
	case M_STATS:
		if (r.o.by)
			run_stats_by_month(&r);
		else
			run_stats(&r);
		break;
	case M_RECEIPT: run_receipt(&r); break;
	case M_STATUS: run_status(&r); break;
	}
	store_close(r.st);
	config_free(r.cfg);
	if (fshut(stdout, "<stdout>") < 0)
		return EXIT_ERR;
	return r.status;
}
