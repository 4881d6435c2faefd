/* consent-sync: bring the answers of the landing page home.  Fetches the
 * answers given after the last one it applied (or reads them from a file),
 * applies them to the requests and consents of the store in one
 * transaction, expires the requests left unanswered too long, and prints
 * every consent it changed as id,purpose,old,new,at,source.
 *
 * Everything is read before anything is written: a landing service that is
 * down or a bad answers file changes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cli.h"
#include "config.h"
#include "records.h"
#include "store.h"
#include "timeutil.h"
#include "util.h"

#define TOOL "consent-sync"
/* Answers a page of the API (the landing service's default page). */
#define PAGE 10000
#define SEQ_SETTING "landing_seq"

struct options {
	const char *from, *actor, *db, *config;
	char delim;
};

/* One answer as the landing service gives it (SPEC.md, consent-landing). */
struct answer {
	int64_t seq, request, at;
	char *purpose, *answer, *ip, *user_agent, *text_sha256;
	long line;		/* in the file it came from */
};

struct answers {
	struct answer *a;
	size_t n, cap;
};

/* One changed consent: a row of the output. */
struct change {
	char *key, *purpose, *source;
	enum cstate old, new_;
	int64_t at;
};

/* The request being answered, and its customer's consents. */
struct current {
	int64_t id;		/* 0: none loaded */
	int found;
	struct request q;
	struct customer c;
	struct consent *cons;
	int touched;		/* an answer of this run changed a consent */
};

struct run {
	struct options o;
	struct config *cfg;
	struct store *st;
	int64_t now;
	const char *actor;
	char *source_name;	/* where the answers came from, for messages */
	struct answers in;
	struct change *changes;
	size_t nchanges, capchanges;
	long napplied, nsame, nnewer, nrefused, nexpired;
	int64_t last_seq;
	struct current cur;
};

/* --- options ----------------------------------------------------------- */

static noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s [--from file] [--actor NAME]"
	    " [--csv | --tsv] [--db file] [--config file]\n", argv0);
	exit(EXIT_ERR);
}

static noreturn void
help(void)
{
	printf("usage: %s [options]\n"
	    "Apply the answers of the landing page to the store, expire the"
	    " unanswered\nrequests, and print the consents that changed.\n\n"
	    "      --from FILE            answers from a CSV file ('-': stdin),"
	    " not fetched\n"
	    "      --actor NAME           who runs it (the login name)\n"
	    "      --csv, --tsv           the output's format (CSV)\n"
	    "      --db FILE, --config FILE\n"
	    "  -h, --help, -V, --version\n", argv0);
	exit(EXIT_OK);
}

enum { OPT_FROM = 256, OPT_ACTOR, OPT_CSV, OPT_TSV, OPT_DB, OPT_CONFIG };

static const struct option longopts[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "tsv", no_argument, NULL, OPT_TSV },
	{ "db", required_argument, NULL, OPT_DB },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
parse_options(struct options *o, int argc, char **argv)
{
	int ch;

	o->delim = ',';
	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1)
		switch (ch) {
		case OPT_FROM:
			o->from = cli_once("--from", o->from, optarg);
			break;
		case OPT_ACTOR:
			o->actor = cli_once("--actor", o->actor, optarg);
			break;
		case OPT_CSV:
			o->delim = ',';
			break;
		case OPT_TSV:
			o->delim = '\t';
			break;
		case OPT_DB:
			o->db = cli_once("--db", o->db, optarg);
			break;
		case OPT_CONFIG:
			o->config = cli_once("--config", o->config, optarg);
			break;
		case 'h':
			help();
		case 'V':
			print_version();
		default:
			usage();
		}
	if (optind != argc) {
		weprintf("no file arguments: answers come from the landing"
		    " service or --from FILE");
		usage();
	}
}

/* --- reading answers ----------------------------------------------------- */

enum { A_SEQ, A_REQUEST, A_PURPOSE, A_ANSWER, A_AT, A_IP, A_UA, A_SHA,
	A_NCOLS };

static const char *const answer_columns[A_NCOLS] = {
	"seq", "request", "purpose", "answer", "at", "ip", "user_agent",
	"text_sha256"
};

/* The first five columns are needed; the evidence columns may be missing
 * from a file collected elsewhere. */
static void
answer_header(struct reader *rd, int *col)
{
	size_t i;

	for (i = 0; i < A_NCOLS; i++) {
		col[i] = reader_column(rd, answer_columns[i]);
		if (col[i] < 0 && i <= A_AT)
			eprintf("%s:1: no column '%s' (an answers file has"
			    " seq,request,purpose,answer,at,ip,user_agent,"
			    "text_sha256)", reader_name(rd), answer_columns[i]);
	}
}

static int
parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static struct answer *
answer_add(struct answers *as)
{
	if (as->n == as->cap) {
		as->cap = as->cap ? 2 * as->cap : 1024;
		as->a = erealloc(as->a, as->cap * sizeof *as->a);
	}
	memset(&as->a[as->n], 0, sizeof as->a[0]);
	return &as->a[as->n++];
}

/* One record into an answer; a bad one stops the run (exit 2): answers
 * are evidence, and half a file is not to be applied. */
static void
answer_parse(struct run *r, struct reader *rd, const struct record *rec,
    const int *col)
{
	struct answer *a = answer_add(&r->in);
	const char *v;

	a->line = rec->line;
	if (parse_id(record_col(rec, col[A_SEQ]), &a->seq) < 0)
		eprintf("%s:%ld: seq: '%s' is not a positive number",
		    reader_name(rd), rec->line, record_col(rec, col[A_SEQ]));
	if (parse_id(record_col(rec, col[A_REQUEST]), &a->request) < 0)
		eprintf("%s:%ld: request: '%s' is not a request number",
		    reader_name(rd), rec->line,
		    record_col(rec, col[A_REQUEST]));
	v = record_col(rec, col[A_ANSWER]);
	if (strcmp(v, "granted") && strcmp(v, "denied") &&
	    strcmp(v, "withdrawn"))
		eprintf("%s:%ld: answer: '%s' is not granted, denied or"
		    " withdrawn", reader_name(rd), rec->line, v);
	a->answer = estrdup(v);
	v = record_col(rec, col[A_AT]);
	if (time_parse(v, &a->at) < 0)
		eprintf("%s:%ld: at: '%s' is not an RFC 3339 time",
		    reader_name(rd), rec->line, v);
	v = record_col(rec, col[A_PURPOSE]);
	if (!*v)
		eprintf("%s:%ld: purpose: empty", reader_name(rd), rec->line);
	a->purpose = estrdup(v);
	a->ip = estrdup(record_col(rec, col[A_IP]));
	if (strlen(a->ip) > 64)
		eprintf("%s:%ld: ip: longer than an address", reader_name(rd),
		    rec->line);
	a->user_agent = estrdup(record_col(rec, col[A_UA]));
	a->text_sha256 = estrdup(record_col(rec, col[A_SHA]));
	if (strlen(a->text_sha256) > 64)
		eprintf("%s:%ld: text_sha256: longer than a SHA-256",
		    reader_name(rd), rec->line);
}

/* Read every answer of fd; the number read. */
static size_t
read_answers(struct run *r, int fd, const char *name)
{
	struct reader_opts ro = { 0 };
	struct reader *rd;
	struct record rec;
	char err[512];
	int col[A_NCOLS], rc;
	size_t before = r->in.n;

	if (!(rd = reader_open(fd, name, &ro, err, sizeof err)))
		eprintf("%s", err);
	answer_header(rd, col);
	while ((rc = reader_next(rd, &rec)) != 0) {
		if (rc == -2)
			eprintf("%s: %s", name, reader_error(rd));
		if (rc < 0)
			eprintf("%s:%s", name, reader_error(rd));
		answer_parse(r, rd, &rec, col);
	}
	reader_close(rd);
	return r->in.n - before;
}

static void
read_file(struct run *r)
{
	int fd = 0;

	r->source_name = estrdup(strcmp(r->o.from, "-") ? r->o.from :
	    "<stdin>");
	if (strcmp(r->o.from, "-") &&
	    (fd = open(r->o.from, O_RDONLY | O_CLOEXEC)) < 0)
		eprintf("%s:", r->o.from);
	read_answers(r, fd, r->source_name);
	if (fd)
		close(fd);
}

/* --- fetching answers ------------------------------------------------------ */

struct fetch {
	CURL *curl;
	struct curl_slist *headers;
	char *base;		/* the API's base URL, no trailing '/' */
	char errbuf[CURL_ERROR_SIZE];
	struct buf body;
};

static size_t
collect_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;

	buf_add(b, data, size * nmemb);
	return size * nmemb;
}

static void
fetch_open(struct run *r, struct fetch *f)
{
	const char *url = config_get(r->cfg, "landing", "api_url");
	const char *ca = config_get(r->cfg, "landing", "ca_file");
	char err[512], *key, *auth;
	size_t n, keylen;

	if (!url || !*url)
		url = config_get(r->cfg, "landing", "url");
	if (!url || !*url)
		eprintf("no [landing] url in the configuration: the answers"
		    " are fetched from there (or give --from FILE)");
	if (!(key = config_read_secret(r->cfg, "landing", "api_key_file",
	    &keylen, err, sizeof err)))
		eprintf("%s", err);
	if (strpbrk(key, "\r\n") || strlen(key) != keylen)
		eprintf("[landing] api_key_file: the key is one line of text");
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	f->base = estrndup(url, n);
	auth = emalloc(keylen + 32);
	snprintf(auth, keylen + 32, "Authorization: Bearer %s", key);
	f->headers = curl_slist_append(NULL, auth);
	sodium_memzero(auth, keylen + 32);
	sodium_memzero(key, keylen);
	free(auth);
	free(key);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(f->curl = curl_easy_init()))
		eprintf("cannot start libcurl");
	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, f->headers);
	curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, &f->body);
	curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(f->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(f->curl, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(f->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && *ca)
		curl_easy_setopt(f->curl, CURLOPT_CAINFO, ca);
	curl_easy_setopt(f->curl, CURLOPT_USERAGENT, TOOL "/" CONSENT_VERSION);
}

static void
fetch_close(struct fetch *f)
{
	if (f->curl)
		curl_easy_cleanup(f->curl);
	curl_slist_free_all(f->headers);
	free(f->base);
	buf_free(&f->body);
	curl_global_cleanup();
}

/* The first line of a refusal, for the message. */
static void
first_line(const struct buf *b, char *out, size_t outsz)
{
	size_t n = 0;

	while (n < b->len && b->s[n] != '\n' && b->s[n] != '\r' &&
	    n + 1 < outsz)
		n++;
	memcpy(out, b->s ? b->s : "", n);
	out[n] = '\0';
}

/* One page of answers after seq into a file that the reader can read. */
static size_t
fetch_page(struct run *r, struct fetch *f, int64_t after)
{
	char url[2048], text[200];
	long code = 0;
	CURLcode rc;
	FILE *tmp;
	size_t n;

	snprintf(url, sizeof url, "%s/api/v1/answers?after=%lld&limit=%d",
	    f->base, (long long)after, PAGE);
	buf_reset(&f->body);
	f->errbuf[0] = '\0';
	curl_easy_setopt(f->curl, CURLOPT_URL, url);
	rc = curl_easy_perform(f->curl);
	if (rc != CURLE_OK)
		eprintf("%s: %s; nothing changed", f->base, f->errbuf[0] ?
		    f->errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		first_line(&f->body, text, sizeof text);
		eprintf("%s: HTTP %ld%s%s%s; nothing changed", f->base, code,
		    *text ? " (" : "", text, *text ? ")" : "");
	}
	if (!(tmp = tmpfile()))
		eprintf("tmpfile:");
	if ((f->body.len && fwrite(f->body.s, 1, f->body.len, tmp) !=
	    f->body.len) || fflush(tmp) != 0)
		eprintf("tmpfile:");
	rewind(tmp);
	n = read_answers(r, fileno(tmp), f->base);
	fclose(tmp);
	return n;
}

static int64_t
stored_seq(struct run *r)
{
	char v[32];
	int64_t seq = 0;
	int rc = store_setting_get(r->st, SEQ_SETTING, v, sizeof v);

	if (rc < 0)
		eprintf("%s", store_errmsg(r->st));
	if (rc > 0 && parse_id(v, &seq) < 0)
		seq = 0;
	return seq;
}

/* Every answer after the last one applied, page by page. */
static void
fetch_answers(struct run *r)
{
	struct fetch f;
	int64_t after = stored_seq(r);

	memset(&f, 0, sizeof f);
	fetch_open(r, &f);
	r->source_name = estrdup(f.base);
	r->last_seq = after;
	for (;;) {
		size_t n = fetch_page(r, &f, after), i;

		/* a service that ignored after= would have us loop for ever */
		for (i = r->in.n - n; i < r->in.n; i++)
			if (r->in.a[i].seq <= after)
				eprintf("%s: answer %lld is not after %lld: not"
				    " the answers API; nothing changed", f.base,
				    (long long)r->in.a[i].seq,
				    (long long)after);
		if (n > 0)
			after = r->in.a[r->in.n - 1].seq;
		if (n < PAGE)
			break;
	}
	r->last_seq = after;
	fetch_close(&f);
}

/* --- applying answers ------------------------------------------------------ */

static noreturn void
store_failed(struct run *r)
{
	eprintf("%s", store_errmsg(r->st));
}

static void
add_change(struct run *r, const char *key, const char *purpose,
    enum cstate old, enum cstate new_, int64_t at, const char *source)
{
	struct change *c;

	if (r->nchanges == r->capchanges) {
		r->capchanges = r->capchanges ? 2 * r->capchanges : 256;
		r->changes = erealloc(r->changes, r->capchanges *
		    sizeof *r->changes);
	}
	c = &r->changes[r->nchanges++];
	c->key = estrdup(key);
	c->purpose = estrdup(purpose);
	c->source = estrdup(source);
	c->old = old;
	c->new_ = new_;
	c->at = at;
}

/* Is purpose a purpose of the request? */
static int
asked(const char *list, const char *purpose)
{
	size_t n = strlen(purpose);
	const char *p = list;

	while ((p = strstr(p, purpose))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* The request's status from the consents of its purposes: approved when
 * the customer allows any of them. */
static enum rstatus
answered_status(struct run *r, const struct current *k)
{
	size_t i;

	for (i = 0; i < store_npurposes(r->st); i++)
		if (k->cons[i].state == CS_GRANTED &&
		    asked(k->q.purposes, store_purpose_name(r->st, i)))
			return RS_APPROVED;
	return RS_DENIED;
}

/* Write what the answers did to the current request. */
static void
finish_request(struct run *r)
{
	struct current *k = &r->cur;
	enum rstatus old = k->q.status;

	if (k->found && k->touched) {
		k->q.status = answered_status(r, k);
		if (store_request_update(r->st, &k->q, old) < 0)
			store_failed(r);
	}
	request_clear(&k->q);
	customer_clear(&k->c);
	free(k->cons);
	memset(k, 0, sizeof *k);
}

static void
load_request(struct run *r, int64_t id)
{
	struct current *k = &r->cur;
	int rc;

	if (k->id == id)
		return;
	finish_request(r);
	k->id = id;
	if ((rc = store_request_get(r->st, id, &k->q)) < 0)
		store_failed(r);
	if (!(k->found = rc))
		return;
	if ((rc = store_customer_get(r->st, k->q.key, &k->c)) < 0)
		store_failed(r);
	k->cons = ecalloc(store_npurposes(r->st) + 1, sizeof *k->cons);
	if (store_consents_get(r->st, k->c.id, k->cons) < 0)
		store_failed(r);
}

/* Why the answer cannot be applied to its request, or NULL. */
static const char *
refusal(struct run *r, const struct answer *a, int purpose, char *why,
    size_t whysz)
{
	const struct request *q = &r->cur.q;

	if (!r->cur.found)
		return "not in the store (erased, or another store's)";
	if (q->status == RS_CANCELLED || q->status == RS_ERROR ||
	    q->status == RS_QUEUED) {
		snprintf(why, whysz, "it is %s", rstatus_names[q->status]);
		return why;
	}
	if (q->expires && a->at > q->expires) {
		char t[TIME_RFC3339_LEN];

		time_format(q->expires, t);
		snprintf(why, whysz, "answered after it expired (%s)", t);
		return why;
	}
	if (purpose < 0 || !asked(q->purposes, a->purpose)) {
		snprintf(why, whysz, "it did not ask for '%s'", a->purpose);
		return why;
	}
	return NULL;
}

/* The state an answer gives, from the state stored: a "no" after a "yes"
 * is a withdrawal. */
static enum cstate
answer_state(const struct answer *a, enum cstate old)
{
	if (!strcmp(a->answer, "granted"))
		return CS_GRANTED;
	/* "withdrawn" from the service on a yes the store never got (it
	 * was refused or overruled) is a plain no here */
	if (old == CS_GRANTED || old == CS_WITHDRAWN)
		return CS_WITHDRAWN;
	return CS_DENIED;
}

/* Does the stored decision overrule the answer?  Only a strictly newer
 * one does, and not the "no" that the request's own expiry wrote: an
 * answer given in time but synced late still counts. */
static int
overruled(const struct current *k, const struct consent *old,
    const struct answer *a)
{
	if (old->state == CS_UNKNOWN || old->at <= a->at)
		return 0;
	return !(k->q.status == RS_EXPIRED && old->state == CS_DENIED &&
	    old->at == k->q.expires && !strcmp(old->source, k->q.channel));
}

/* At most max bytes of s, not cutting a UTF-8 character. */
static int
utf8_cut(const char *s, int max)
{
	int n = (int)strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static void
evidence_of(const struct answer *a, char *out, size_t outsz)
{
	const char *ua = *a->user_agent ? a->user_agent : "-";
	char t[TIME_RFC3339_LEN];

	time_format(a->at, t);
	snprintf(out, outsz, "landing answer %lld to request %lld at %s from"
	    " %s, %.*s; text sha256 %s", (long long)a->seq,
	    (long long)a->request, t, *a->ip ? a->ip : "-", utf8_cut(ua, 300),
	    ua, *a->text_sha256 ? a->text_sha256 : "-");
}

static void
apply_answer(struct run *r, const struct answer *a)
{
	struct current *k = &r->cur;
	int p;
	const char *why;
	char whybuf[128], evidence[640];
	struct consent nc, *old;

	load_request(r, a->request);
	p = store_purpose_index(r->st, a->purpose);
	if ((why = refusal(r, a, p, whybuf, sizeof whybuf))) {
		if (r->o.from)
			weprintf("%s:%ld: answer %lld: request %lld %s: not"
			    " applied", r->source_name, a->line,
			    (long long)a->seq, (long long)a->request, why);
		else
			weprintf("%s: answer %lld: request %lld %s: not"
			    " applied", r->source_name, (long long)a->seq,
			    (long long)a->request, why);
		r->nrefused++;
		return;
	}
	old = &k->cons[p];
	memset(&nc, 0, sizeof nc);
	nc.state = answer_state(a, old->state);
	/* answered, even when overruled: the request is not to expire */
	k->touched = 1;
	if (k->q.answered < a->at)
		k->q.answered = a->at;
	if (overruled(k, old, a)) {
		r->nnewer++;
		return;
	}
	if (nc.state == old->state) {
		r->nsame++;
		return;
	}
	snprintf(nc.basis, sizeof nc.basis, "%s", store_purpose_basis(r->st,
	    (size_t)p));
	snprintf(nc.source, sizeof nc.source, "landing");
	nc.at = a->at;
	nc.dated = 1;
	evidence_of(a, evidence, sizeof evidence);
	if (store_consent_put(r->st, &k->c, (size_t)p, old, &nc,
	    evidence) < 0)
		store_failed(r);
	add_change(r, k->c.key, a->purpose, old->state, nc.state, a->at,
	    "landing");
	*old = nc;
	r->napplied++;
}

/* Answers in the order they were given; the landing service numbers them
 * so, and a file collected elsewhere may not be sorted. */
static int
by_time(const void *x, const void *y)
{
	const struct answer *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
apply_answers(struct run *r)
{
	size_t i;

	if (r->in.n)
		qsort(r->in.a, r->in.n, sizeof *r->in.a, by_time);
	for (i = 0; i < r->in.n; i++)
		apply_answer(r, &r->in.a[i]);
	finish_request(r);
}

/* --- expiring requests ---------------------------------------------------- */

struct overdue {
	struct request *q;
	size_t n, cap;
	int64_t now;
};

static int
collect_overdue(void *arg, struct request *q)
{
	struct overdue *o = arg;

	if (!q->expires || q->expires > o->now) {
		request_clear(q);
		return 0;
	}
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 256;
		o->q = erealloc(o->q, o->cap * sizeof *o->q);
	}
	o->q[o->n++] = *q;
	return 0;
}

/* No answer in time is a "no": the purposes never decided become denied;
 * a decision stored meanwhile (by any channel) stands. */
static void
expire_one(struct run *r, struct request *q)
{
	struct customer c = { 0 };
	struct consent *cons, nc;
	char evidence[128];
	size_t i, np = store_npurposes(r->st);
	int rc;

	if ((rc = store_customer_get(r->st, q->key, &c)) < 0)
		store_failed(r);
	cons = ecalloc(np + 1, sizeof *cons);
	if (rc && store_consents_get(r->st, c.id, cons) < 0)
		store_failed(r);
	snprintf(evidence, sizeof evidence, "request %lld expired"
	    " unanswered", (long long)q->id);
	for (i = 0; rc && i < np; i++) {
		if (cons[i].state != CS_UNKNOWN ||
		    !asked(q->purposes, store_purpose_name(r->st, i)))
			continue;
		memset(&nc, 0, sizeof nc);
		nc.state = CS_DENIED;
		snprintf(nc.basis, sizeof nc.basis, "%s",
		    store_purpose_basis(r->st, i));
		snprintf(nc.source, sizeof nc.source, "%s", *q->channel ?
		    q->channel : "landing");
		nc.at = q->expires;
		nc.dated = 1;
		if (store_consent_put(r->st, &c, i, &cons[i], &nc,
		    evidence) < 0)
			store_failed(r);
		add_change(r, c.key, store_purpose_name(r->st, i), CS_UNKNOWN,
		    CS_DENIED, q->expires, nc.source);
	}
	q->status = RS_EXPIRED;
	if (store_request_update(r->st, q, RS_SENT) < 0)
		store_failed(r);
	r->nexpired++;
	free(cons);
	customer_clear(&c);
}

static void
expire_overdue(struct run *r)
{
	struct overdue o = { 0 };
	size_t i;

	o.now = r->now;
	if (store_each_request(r->st, RS_SENT, collect_overdue, &o) < 0)
		store_failed(r);
	for (i = 0; i < o.n; i++) {
		expire_one(r, &o.q[i]);
		request_clear(&o.q[i]);
	}
	free(o.q);
}

/* --- the run ---------------------------------------------------------------- */

static void
save_seq(struct run *r)
{
	char v[32];

	if (r->o.from)
		return;
	snprintf(v, sizeof v, "%lld", (long long)r->last_seq);
	if (store_setting_put(r->st, SEQ_SETTING, v) < 0)
		store_failed(r);
}

static void
write_changes(struct run *r)
{
	static const char *const head[] = { "id", "purpose", "old", "new",
	    "at", "source" };
	struct writer w;
	size_t i;

	writer_init(&w, stdout, r->o.delim, 0, 0);
	writer_row(&w, 6, head);
	for (i = 0; i < r->nchanges; i++) {
		const struct change *c = &r->changes[i];
		char at[TIME_RFC3339_LEN];
		const char *f[6];

		time_format(c->at, at);
		f[0] = c->key;
		f[1] = c->purpose;
		f[2] = cstate_names[c->old];
		f[3] = cstate_names[c->new_];
		f[4] = at;
		f[5] = c->source;
		writer_row(&w, 6, f);
	}
}

static void
summary(struct run *r)
{
	weprintf("%zu answer%s: %ld applied, %ld already so, %ld overruled by"
	    " a newer decision, %ld not applied; %ld request%s expired",
	    r->in.n, r->in.n == 1 ? "" : "s", r->napplied, r->nsame,
	    r->nnewer, r->nrefused, r->nexpired, r->nexpired == 1 ? "" : "s");
}

static void
setup(struct run *r)
{
	r->cfg = cli_config(r->o.config);
	r->now = cli_now();
	r->actor = cli_actor(r->o.actor);
	if (access(store_resolve_path(r->o.db), F_OK) < 0)
		eprintf("%s: no store here (consent-import makes one)",
		    store_resolve_path(r->o.db));
	r->st = cli_store(r->o.db, r->cfg);
}

static void
teardown(struct run *r)
{
	size_t i;

	for (i = 0; i < r->in.n; i++) {
		struct answer *a = &r->in.a[i];

		free(a->purpose);
		free(a->answer);
		free(a->ip);
		free(a->user_agent);
		free(a->text_sha256);
	}
	free(r->in.a);
	for (i = 0; i < r->nchanges; i++) {
		free(r->changes[i].key);
		free(r->changes[i].purpose);
		free(r->changes[i].source);
	}
	free(r->changes);
	free(r->source_name);
	store_close(r->st);
	config_free(r->cfg);
}

int
main(int argc, char **argv)
{
	struct run r;
	int bad;

	setprogname(argv[0]);
	memset(&r, 0, sizeof r);
	parse_options(&r.o, argc, argv);
	setup(&r);
	if (r.o.from)
		read_file(&r);
	else
		fetch_answers(&r);
	if (store_begin(r.st, TOOL, r.actor, r.now) < 0)
		store_failed(&r);
	apply_answers(&r);
	expire_overdue(&r);
	save_seq(&r);
	if (store_commit(r.st) < 0)
		store_failed(&r);
	write_changes(&r);
	bad = fshut(stdout, "<stdout>") < 0;
	summary(&r);
	teardown(&r);
	if (bad)
		return EXIT_ERR;
	return r.nrefused ? EXIT_NO : EXIT_OK;
}
