/* consent-request: create consent requests for the customers on the input
 * and send them: e-mail first, SMS when there is no e-mail; or print them
 * as consent forms (--channel paper).  See consent-request(1).
 *
 * A run has two halves.  First every record becomes a request (or a
 * reason not to ask), all in one transaction, so that a run refused for a
 * missing information text stores nothing.  Then every queued request is
 * sent, in small batches: a batch is marked "sending" and committed before
 * the network, and marked "sent" (or "error") after, so that a run killed
 * mid-send leaves at most one batch whose fate is unknown, and a later run
 * reports those instead of sending them twice. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "address.h"
#include "cli.h"
#include "config.h"
#include "keyset.h"
#include "mail.h"
#include "paper.h"
#include "records.h"
#include "smsgw.h"
#include "smstext.h"
#include "smtp.h"
#include "store.h"
#include "template.h"
#include "timeutil.h"
#include "token.h"
#include "util.h"
#include "values.h"

#define TOOL "consent-request"
#define DEFAULT_EXPIRE "7d"
#define DEFAULT_REMIND "4d"
/* Requests marked "sending" in one transaction: few enough that a crash
 * leaves little in doubt, enough that commits do not dominate. */
#define BATCH 16
#define RETRIES 3
#define DETAIL_MAX 512

enum mode { M_ASK, M_SEND_QUEUED, M_REMIND, M_CANCEL };
enum channel { CH_AUTO, CH_EMAIL, CH_SMS, CH_PAPER };

struct options {
	struct cli_records rec;
	char *purposes;		/* --purpose, joined with ',' */
	const char *channel, *actor;
	const char *rate;
	const char *output;	/* --output: the PDF of --channel paper */
	enum mode mode;
	int modes;		/* how many mode options were given */
	int queue, dry_run, print, again, retry_uncertain;
};

/* One line of the output. */
struct row {
	char *key, *channel, *status, *detail, *link;
	int64_t request;
	char *name;		/* the name to greet, from the input or store */
};

struct run {
	struct options o;
	struct config *cfg;
	struct store *st;
	int64_t now;
	const char *actor;
	const char *company;
	/* what is asked for */
	size_t *want;
	size_t nwant;
	enum channel channel;
	int sms_ok;		/* [sms] is configured */
	/* the output */
	struct row *rows;
	size_t nrows;
	struct keyset *row_of;	/* request id -> index of its first row */
	char delim;
	int crlf;
	long nsent, nqueued, nerror, nskipped, nuncertain, nother;
	int fatal;		/* a delivery problem that stops the run */
	/* sending */
	unsigned char *secret;
	size_t secretlen;
	char *link_base;
	struct duration expire, remind;
	struct smtp *smtp;
	struct smsgw *sms;
	double wait_smtp, wait_sms;	/* [smtp], [sms] retry_wait */
	double interval;	/* seconds between messages (--rate) */
	struct timespec last;
	int progress;		/* stderr is a terminal */
	long ntosend, ndone;
	/* --channel paper: the forms */
	struct paper *paper;
	FILE *pdf;
	int pdf_regular;	/* --output is a regular file: removed on error */
	/* --dry-run: the mbox */
	struct buf mbox;
	const char *fname;
};

static noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s -p P[,P...] [--channel auto|email|sms]"
	    " [--queue | --dry-run | --print]\n"
	    "       %s -p P[,P...] --channel paper [--output file]"
	    " [options] [file ...]\n"
	    "       [--again] [--retry-uncertain] [--rate N/s] [--actor NAME]\n"
	    "       [-m map] [-k column] [-e encoding] [-d delim | --csv |"
	    " --tsv]\n"
	    "       [--db file] [--config file] [file ...]\n"
	    "       %s --send-queued | --remind [--dry-run] [options]\n"
	    "       %s --cancel [options] [file ...]\n", argv0, argv0, argv0,
	    argv0);
	exit(EXIT_ERR);
}

static noreturn void
help(void)
{
	printf("usage: %s -p P[,P...] [options] [file ...]\n"
	    "Ask the customers on the input for consent, by e-mail or SMS.\n\n"
	    "  -p, --purpose P[,P...]     the purposes to ask for\n"
	    "      --channel auto|email|sms  e-mail, else SMS (auto)\n"
	    "      --channel paper        print consent forms, one PDF\n"
	    "      --output FILE          the PDF of --channel paper"
	    " (stdout)\n"
	    "      --queue                only create the requests\n"
	    "      --send-queued          send the queued requests (no input)\n"
	    "      --dry-run              write the messages as an mbox,"
	    " store nothing\n"
	    "      --print                store the requests, write their"
	    " links\n"
	    "      --remind               remind the unanswered (no input)\n"
	    "      --cancel               cancel the open requests of the"
	    " input\n"
	    "      --again                ask again after an open, denied,"
	    " expired or failed request\n"
	    "      --retry-uncertain      send again what a killed run may"
	    " have sent\n"
	    "      --rate N/s             at most N messages a second\n"
	    "      --actor NAME           who runs it (the login name)\n"
	    "  -m, --map FIELD=COLUMN,... map id name email mobile lang\n"
	    "  -k, --key COLUMN           the customer key column (id)\n"
	    "  -e, --encoding NAME        input encoding (cp1252, latin1,"
	    " ...)\n"
	    "  -d, --delimiter C, --csv, --tsv\n"
	    "      --db FILE, --config FILE\n"
	    "  -h, --help, -V, --version\n", argv0);
	exit(EXIT_OK);
}

enum {
	OPT_CHANNEL = 256, OPT_QUEUE, OPT_SEND_QUEUED, OPT_DRY_RUN, OPT_PRINT,
	OPT_REMIND, OPT_CANCEL, OPT_AGAIN, OPT_RETRY, OPT_RATE, OPT_ACTOR,
	OPT_OUTPUT
};

static const struct option longopts[] = {
	{ "purpose", required_argument, NULL, 'p' },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "queue", no_argument, NULL, OPT_QUEUE },
	{ "send-queued", no_argument, NULL, OPT_SEND_QUEUED },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "remind", no_argument, NULL, OPT_REMIND },
	{ "cancel", no_argument, NULL, OPT_CANCEL },
	{ "again", no_argument, NULL, OPT_AGAIN },
	{ "retry-uncertain", no_argument, NULL, OPT_RETRY },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	CLI_RECORD_LONGOPTS,
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
add_purposes(struct options *o, const char *arg)
{
	struct buf b = { 0 };

	if (o->purposes) {
		buf_adds(&b, o->purposes);
		buf_addc(&b, ',');
		free(o->purposes);
	}
	buf_adds(&b, arg);
	o->purposes = b.s;
}

static void
set_mode(struct options *o, enum mode m)
{
	o->mode = m;
	o->modes++;
}

static void
parse_options(struct options *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "p:" CLI_RECORD_SHORTOPTS "hV",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'p': add_purposes(o, optarg); break;
		case OPT_CHANNEL:
			o->channel = cli_once("--channel", o->channel, optarg);
			break;
		case OPT_QUEUE: o->queue = 1; break;
		case OPT_SEND_QUEUED: set_mode(o, M_SEND_QUEUED); break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_PRINT: o->print = 1; break;
		case OPT_REMIND: set_mode(o, M_REMIND); break;
		case OPT_CANCEL: set_mode(o, M_CANCEL); break;
		case OPT_AGAIN: o->again = 1; break;
		case OPT_RETRY: o->retry_uncertain = 1; break;
		case OPT_RATE:
			o->rate = cli_once("--rate", o->rate, optarg);
			break;
		case OPT_ACTOR:
			o->actor = cli_once("--actor", o->actor, optarg);
			break;
		case OPT_OUTPUT:
			o->output = cli_once("--output", o->output, optarg);
			break;
		case 'h': help();
		case 'V': print_version();
		default:
			if (!cli_record_option(&o->rec, c, optarg))
				usage();
		}
	}
}

/* Options that do not go together are usage errors, named. */
static void
check_options(const struct options *o, int nfiles)
{
	int paper = o->channel && !strcmp(o->channel, "paper");

	if (o->output && !paper)
		eprintf("--output goes with --channel paper only");
	if (paper && (o->queue || o->dry_run || o->print))
		eprintf("--channel paper prints its forms at once: --queue,"
		    " --dry-run and --print do not go with it");
	if (paper && !o->output && isatty(STDOUT_FILENO))
		eprintf("--channel paper: the PDF goes to a file: give"
		    " --output FILE or redirect the standard output");
	if (o->modes > 1)
		eprintf("give one of --send-queued, --remind and --cancel");
	if (o->queue + o->dry_run + o->print > 1)
		eprintf("give one of --queue, --dry-run and --print");
	if (o->mode == M_ASK && !o->purposes)
		eprintf("no purpose: give --purpose P[,P...]");
	if (o->mode != M_ASK && (o->purposes || o->channel || o->again ||
	    o->queue || o->print))
		eprintf("--purpose, --channel, --again, --queue and --print"
		    " go with asking only");
	if ((o->mode == M_SEND_QUEUED || o->mode == M_REMIND) && nfiles > 0)
		eprintf("--send-queued and --remind read no input");
	if (o->mode == M_CANCEL && (o->dry_run || o->retry_uncertain ||
	    o->rate))
		eprintf("--cancel sends nothing: --dry-run, --rate and"
		    " --retry-uncertain do not go with it");
}

/* --- the output ------------------------------------------------------ */

static struct row *
add_row(struct run *r, const char *key, int64_t request, const char *channel,
    const char *status, const char *detail)
{
	struct row *w;

	r->rows = erealloc(r->rows, (r->nrows + 1) * sizeof *r->rows);
	w = &r->rows[r->nrows++];
	memset(w, 0, sizeof *w);
	w->key = estrdup(key);
	w->request = request;
	w->channel = estrdup(channel ? channel : "");
	w->status = estrdup(status);
	w->detail = estrdup(detail ? detail : "");
	if (request)
		keyset_add(r->row_of, (const char *)&request, sizeof request,
		    r->nrows - 1, NULL);
	return w;
}

static void
row_set(struct row *w, const char *status, const char *detail)
{
	free(w->status);
	free(w->detail);
	w->status = estrdup(status);
	w->detail = estrdup(detail ? detail : "");
}

/* The first row of a request, through an index: a run may make and
 * send hundreds of thousands. */
static struct row *
row_of_request(struct run *r, int64_t id)
{
	uint64_t i;

	if (!keyset_find(r->row_of, (const char *)&id, sizeof id, &i))
		return NULL;
	return &r->rows[i];
}

static void
count_status(struct run *r, const char *status)
{
	if (!strcmp(status, "sent") || !strcmp(status, "printed") ||
	    !strcmp(status, "reminded") || !strcmp(status, "shown"))
		r->nsent++;
	else if (!strcmp(status, "queued"))
		r->nqueued++;
	else if (!strcmp(status, "error"))
		r->nerror++;
	else if (!strcmp(status, "skipped"))
		r->nskipped++;
	else if (!strcmp(status, "uncertain"))
		r->nuncertain++;
	else
		r->nother++;
}

static void
write_rows(struct run *r)
{
	static const char *const head[] = { "id", "request", "channel",
		"status", "detail", "link" };
	size_t ncol = r->o.print ? 6 : 5, i;
	struct writer w;

	writer_init(&w, stdout, r->delim ? r->delim : ',', r->crlf, 0);
	writer_row(&w, ncol, head);
	for (i = 0; i < r->nrows; i++) {
		struct row *x = &r->rows[i];
		char req[24] = "";
		const char *f[6];

		if (x->request)
			snprintf(req, sizeof req, "%lld",
			    (long long)x->request);
		f[0] = x->key;
		f[1] = req;
		f[2] = x->channel;
		f[3] = x->status;
		f[4] = x->detail;
		f[5] = x->link ? x->link : "";
		writer_row(&w, ncol, f);
		count_status(r, x->status);
	}
}

static void
summary(struct run *r)
{
	const char *verb = r->o.mode == M_REMIND ? "reminded" :
	    r->o.mode == M_CANCEL ? "cancelled" : r->o.print ||
	    r->channel == CH_PAPER ? "printed" :
	    r->o.dry_run ? "shown" : "sent";

	if (r->o.mode == M_CANCEL)
		r->nsent = r->nother;
	weprintf("%ld %s, %ld queued, %ld error%s, %ld skipped%s%.0ld%s",
	    r->nsent, verb, r->nqueued, r->nerror, r->nerror == 1 ? "" : "s",
	    r->nskipped, r->nuncertain ? ", " : "", r->nuncertain,
	    r->nuncertain ? " uncertain" : "");
}

/* --- setting up ------------------------------------------------------ */

static void
parse_purposes(struct run *r)
{
	char *list = estrdup(r->o.purposes), *p, *save = NULL;

	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",",
	    &save)) {
		int i = store_purpose_index(r->st, p);
		size_t k;

		if (i < 0)
			eprintf("--purpose: unknown purpose '%s'", p);
		if (!store_purpose_active(r->st, (size_t)i))
			eprintf("--purpose: purpose '%s' is inactive: it is no"
			    " longer asked for", p);
		if (i >= TOKEN_PURPOSES_MAX)
			eprintf("--purpose: '%s': a link can name only the"
			    " first %d purposes", p, TOKEN_PURPOSES_MAX);
		for (k = 0; k < r->nwant; k++)
			if (r->want[k] == (size_t)i)
				break;
		if (k < r->nwant)
			continue;
		r->want = erealloc(r->want, (r->nwant + 1) * sizeof *r->want);
		r->want[r->nwant++] = (size_t)i;
	}
	free(list);
	if (!r->nwant)
		eprintf("--purpose: no purpose named");
}

static void
parse_channel(struct run *r)
{
	const char *c = r->o.channel;

	if (!c || !strcmp(c, "auto"))
		r->channel = CH_AUTO;
	else if (!strcmp(c, "email"))
		r->channel = CH_EMAIL;
	else if (!strcmp(c, "sms"))
		r->channel = CH_SMS;
	else if (!strcmp(c, "paper"))
		r->channel = CH_PAPER;
	else
		eprintf("--channel: '%s': auto, email, sms or paper", c);
	if (r->channel == CH_SMS && !r->sms_ok)
		eprintf("--channel sms: no [sms] url in the configuration");
}

static void
parse_rate(struct run *r)
{
	char *end;
	double n;

	if (!r->o.rate)
		return;
	errno = 0;
	n = strtod(r->o.rate, &end);
	if (errno || end == r->o.rate || n <= 0 ||
	    (*end && strcmp(end, "/s")))
		eprintf("--rate: '%s': messages a second, as N or N/s",
		    r->o.rate);
	r->interval = 1.0 / n;
}

static void
duration_key(const struct config *cfg, const char *key, const char *dflt,
    struct duration *d)
{
	const char *v = config_get_or(cfg, "landing", key, dflt);

	if (!*v)
		v = dflt;
	if (duration_parse(v, d) < 0)
		eprintf("[landing] %s: bad duration '%s'", key, v);
}

/* The link needs [landing] url and secret_file; --queue runs without. */
static void
setup_links(struct run *r)
{
	const char *url = config_get(r->cfg, "landing", "url");
	char err[512];
	size_t n;

	if (r->link_base)
		return;
	if (!url || !*url)
		eprintf("no [landing] url in the configuration: the links"
		    " need it");
	r->secret = (unsigned char *)config_read_landing_secret(r->cfg,
	    &r->secretlen, err, sizeof err);
	if (!r->secret)
		eprintf("%s", err);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	r->link_base = estrndup(url, n);
}

static void
setup(struct run *r)
{
	char err[512];

	r->cfg = cli_config(r->o.rec.config);
	r->now = cli_now();
	r->actor = cli_actor(r->o.actor);
	if (access(store_resolve_path(r->o.rec.db), F_OK) < 0)
		eprintf("%s: no store here (consent-import makes one)",
		    store_resolve_path(r->o.rec.db));
	r->st = cli_store(r->o.rec.db, r->cfg);
	r->company = config_get_or(r->cfg, "company", "name", "");
	r->sms_ok = smsgw_configured(r->cfg);
	duration_key(r->cfg, "expire", DEFAULT_EXPIRE, &r->expire);
	duration_key(r->cfg, "remind", DEFAULT_REMIND, &r->remind);
	parse_rate(r);
	if (r->o.mode == M_ASK) {
		parse_purposes(r);
		parse_channel(r);
	}
	r->progress = isatty(STDERR_FILENO) && !r->o.dry_run;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		eprintf("cannot start libcurl");
	(void)err;
}

/* Does the run compose messages (or, with --print, links)? */
static int
sends(const struct run *r)
{
	return r->o.mode == M_SEND_QUEUED || r->o.mode == M_REMIND ||
	    (r->o.mode == M_ASK && !r->o.queue);
}

static double retry_wait(struct run *r, const char *section);

/* What sending needs from the configuration is checked before anything
 * is stored or marked: a mistake there must not leave requests in
 * doubt. */
static void
setup_sending(struct run *r)
{
	setup_links(r);
	r->wait_smtp = retry_wait(r, "smtp");
	r->wait_sms = retry_wait(r, "sms");
}

static void
begin(struct run *r)
{
	if (store_begin(r->st, TOOL, r->actor, r->now) < 0)
		eprintf("%s", store_errmsg(r->st));
}

static void
commit(struct run *r)
{
	if (r->o.dry_run) {
		store_rollback(r->st);
		return;
	}
	if (store_commit(r->st) < 0)
		eprintf("%s", store_errmsg(r->st));
}

static noreturn void
store_failed(struct run *r)
{
	eprintf("%s", store_errmsg(r->st));
}

/* --- asking ---------------------------------------------------------- */

/* What a record says of its customer, merged over the store's. */
struct target {
	const char *key;
	char name[512];
	char email[EMAIL_MAX + 1], mobile[E164_MAX];
	char lang[4];
};

/* An address on the input that is not valid is a warning and the store's
 * address is used, as if the column were empty. */
static void
merge_target(struct run *r, const struct record *rec,
    const struct fieldmap *fm, const struct customer *c, struct target *t)
{
	const char *name = record_get(rec, fm, F_NAME);
	const char *email = record_get(rec, fm, F_EMAIL);
	const char *mobile = record_get(rec, fm, F_MOBILE);
	const char *lang = record_get(rec, fm, F_LANG);

	snprintf(t->name, sizeof t->name, "%s", *name ? name : c->name);
	snprintf(t->email, sizeof t->email, "%s", c->email);
	snprintf(t->mobile, sizeof t->mobile, "%s", c->mobile);
	snprintf(t->lang, sizeof t->lang, "%s", c->lang);
	if (*email && email_normalise(email, t->email, sizeof t->email) < 0) {
		weprintf("%s:%ld: '%s' is not an e-mail address: the store's"
		    " is used", r->fname, rec->line, email);
		snprintf(t->email, sizeof t->email, "%s", c->email);
	}
	if (*mobile && mobile_normalise(mobile,
	    config_company_country(r->cfg), t->mobile, sizeof t->mobile) < 0) {
		weprintf("%s:%ld: '%s' is not a mobile number: the store's is"
		    " used", r->fname, rec->line, mobile);
		snprintf(t->mobile, sizeof t->mobile, "%s", c->mobile);
	}
	if (*lang && lang_normalise(lang, t->lang, sizeof t->lang) < 0)
		snprintf(t->lang, sizeof t->lang, "%s", c->lang);
}

/* The request's language: the customer's when there is a text for it,
 * else the company's, else English. */
static const char *
request_lang(struct run *r, const char *lang)
{
	if (*lang && strlen(lang) == 2 && template_has_lang(r->cfg, lang))
		return lang;
	lang = config_company_lang(r->cfg);
	return template_has_lang(r->cfg, lang) ? lang : "en";
}

/* Nobody is asked without being told what for (SPEC.md): no information
 * text for the request's language nor the default one stops the run
 * before anything is stored. */
static void
check_info(struct run *r, const char *key, const char *lang)
{
	const char *dflt = config_company_lang(r->cfg);
	char k[16];
	const char *v;

	snprintf(k, sizeof k, "info.%s", lang);
	if ((v = config_get(r->cfg, "company", k)) && *v)
		return;
	snprintf(k, sizeof k, "info.%s", dflt);
	if ((v = config_get(r->cfg, "company", k)) && *v)
		return;
	if (strcmp(lang, dflt))
		eprintf("%s: no information text ([company] info.%s or"
		    " info.%s)", key, lang, dflt);
	eprintf("%s: no information text ([company] info.%s)", key, lang);
}

/* The purposes of the request: those asked for that the customer does
 * not allow yet, as a comma list; NULL when none is left. */
static char *
missing_purposes(struct run *r, const struct customer *c)
{
	struct consent *cons = ecalloc(store_npurposes(r->st) + 1,
	    sizeof *cons);
	struct buf b = { 0 };
	size_t i;

	if (store_consents_get(r->st, c->id, cons) < 0)
		store_failed(r);
	for (i = 0; i < r->nwant; i++) {
		if (cons[r->want[i]].state == CS_GRANTED)
			continue;
		if (b.len)
			buf_addc(&b, ',');
		buf_adds(&b, store_purpose_name(r->st, r->want[i]));
	}
	free(cons);
	return b.s;
}

/* Pick the channel and the address; NULL and a reason when there is
 * none. */
static const char *
pick_channel(struct run *r, const struct target *t, const char **address,
    const char **why)
{
	*why = NULL;
	if (r->channel == CH_PAPER) {
		*address = "";
		return "paper";
	}
	if (r->channel != CH_SMS && *t->email) {
		*address = t->email;
		return "email";
	}
	if (r->channel == CH_EMAIL) {
		*why = "no e-mail address";
		return NULL;
	}
	if (*t->mobile && r->sms_ok) {
		*address = t->mobile;
		return "sms";
	}
	if (r->channel == CH_SMS)
		*why = "no mobile number";
	else if (*t->mobile)
		*why = "no e-mail address, and no [sms] gateway for the"
		    " mobile number";
	else
		*why = "no e-mail address or mobile number";
	return NULL;
}

/* Is there a reason not to ask (an open or a failed last request)?  With
 * --again an open request is cancelled, superseded by the new one. */
static const char *
last_request_bars(struct run *r, const struct customer *c,
    struct request *last, char *why, size_t whysz)
{
	int rc = store_request_last(r->st, c->id, last);

	if (rc < 0)
		store_failed(r);
	if (rc == 0 || r->o.again)
		return NULL;
	if (rstatus_open(last->status))
		snprintf(why, whysz, "request %lld is open (%s)",
		    (long long)last->id, rstatus_names[last->status]);
	else if (last->status == RS_DENIED || last->status == RS_EXPIRED ||
	    last->status == RS_ERROR)
		snprintf(why, whysz, "request %lld ended: %s (--again asks"
		    " again)", (long long)last->id,
		    rstatus_names[last->status]);
	else
		return NULL;
	return why;
}

static void
supersede(struct run *r, struct request *last, int64_t by)
{
	enum rstatus old = last->status;
	struct row *w;
	char d[64];

	if (!last->id || !rstatus_open(old))
		return;
	snprintf(d, sizeof d, "superseded by request %lld", (long long)by);
	free(last->detail);
	last->detail = estrdup(d);
	last->status = RS_CANCELLED;
	if (store_request_update(r->st, last, old) < 0)
		store_failed(r);
	/* the same key twice on the input: the first row tells what became
	 * of its request */
	if ((w = row_of_request(r, last->id)))
		row_set(w, "cancelled", d);
}

/* Is the person erased: a tombstone on the key or an address? */
static int
erased(struct run *r, const char *key, const struct target *t)
{
	int rc = store_tombstoned(r->st, key, t ? t->email : "",
	    t ? t->mobile : "");

	if (rc < 0)
		store_failed(r);
	return rc;
}

static void
create_request(struct run *r, const struct customer *c,
    const struct target *t, char *purposes)
{
	struct request last = { 0 }, q = { 0 };
	const char *address = "", *why, *channel;
	char barred[160];
	struct row *w;

	if (last_request_bars(r, c, &last, barred, sizeof barred)) {
		add_row(r, c->key, last.id, last.channel, "skipped", barred);
		request_clear(&last);
		free(purposes);
		return;
	}
	q.customer = c->id;
	q.key = estrdup(c->key);
	q.lang = estrdup(request_lang(r, t->lang));
	check_info(r, c->key, q.lang);
	channel = pick_channel(r, t, &address, &why);
	q.channel = estrdup(channel ? channel : r->channel == CH_SMS ?
	    "sms" : r->channel == CH_EMAIL ? "email" : "");
	q.address = estrdup(address);
	q.purposes = purposes;
	q.status = channel ? RS_QUEUED : RS_ERROR;
	q.detail = estrdup(why ? why : "");
	if (store_request_insert(r->st, &q) < 0)
		store_failed(r);
	/* a new request that could not be made leaves the open one be */
	if (q.status == RS_QUEUED)
		supersede(r, &last, q.id);
	w = add_row(r, c->key, q.id, q.channel, rstatus_names[q.status],
	    q.detail);
	w->name = estrdup(t->name);
	request_clear(&last);
	request_clear(&q);
}

static void
ask_record(struct run *r, const struct record *rec, const struct fieldmap *fm)
{
	const char *key = record_get(rec, fm, F_ID);
	struct customer c = { 0 };
	struct target t;
	char *purposes;
	int rc;

	if (!*key) {
		weprintf("%s:%ld: no key: record skipped", r->fname, rec->line);
		add_row(r, "", 0, "", "error", "no key");
		return;
	}
	if ((rc = store_customer_get(r->st, key, &c)) < 0)
		store_failed(r);
	if (rc == 0) {
		if (erased(r, key, NULL))
			add_row(r, key, 0, "", "skipped", "erased");
		else
			add_row(r, key, 0, "", "error", "not in the store"
			    " (consent-import adds customers)");
		return;
	}
	merge_target(r, rec, fm, &c, &t);
	if (c.status == CUST_RESTRICTED)
		add_row(r, key, 0, "", "skipped", "restricted");
	else if (erased(r, key, &t))
		add_row(r, key, 0, "", "skipped", "erased");
	else if (!(purposes = missing_purposes(r, &c)))
		add_row(r, key, 0, "", "skipped", "allows every purpose"
		    " asked for");
	else
		create_request(r, &c, &t, purposes);
	customer_clear(&c);
}

static void cancel_record(struct run *r, const char *key);

/* Open a file (or "-") and read its records; the output's format follows
 * the first input. */
static void
ask_file(struct run *r, const char *path)
{
	struct reader_opts ro = { r->o.rec.delim, r->o.rec.encoding, 0 };
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	const char *key = r->o.rec.key;
	struct reader *rd;
	struct fieldmap fm;
	struct record rec;
	char err[512];
	int rc;

	if (fd < 0)
		eprintf("%s:", path);
	if (!(rd = reader_open(fd, name, &ro, err, sizeof err)))
		eprintf("%s", err);
	if (fieldmap_resolve(&fm, rd, r->o.rec.map, key, err, sizeof err) < 0)
		eprintf("%s", err);
	if (fm.col[F_ID] < 0)
		eprintf("%s: no key column '%s' (give --key or --map"
		    " id=COLUMN)", name, key ? key : "id");
	if (!r->delim) {
		r->delim = reader_delim(rd);
		r->crlf = reader_crlf(rd);
	}
	r->fname = name;
	while ((rc = reader_next(rd, &rec)) != 0) {
		/* bad input loses nothing: the run stops before it commits */
		if (rc < 0)
			eprintf("%s:%s", name, reader_error(rd));
		if (r->o.mode == M_CANCEL)
			cancel_record(r, record_get(&rec, &fm, F_ID));
		else
			ask_record(r, &rec, &fm);
	}
	reader_close(rd);
	if (fd > 0)
		close(fd);
}

/* --- cancelling ------------------------------------------------------ */

static void
cancel_record(struct run *r, const char *key)
{
	struct customer c = { 0 };
	struct request q = { 0 };
	enum rstatus old;
	int rc;

	if (!*key) {
		weprintf("%s: a record without a key: skipped", r->fname);
		add_row(r, "", 0, "", "error", "no key");
		return;
	}
	if ((rc = store_customer_get(r->st, key, &c)) < 0)
		store_failed(r);
	if (rc == 0) {
		add_row(r, key, 0, "", "error", "not in the store");
		return;
	}
	if ((rc = store_request_last(r->st, c.id, &q)) < 0)
		store_failed(r);
	if (rc == 0 || !rstatus_open(q.status)) {
		add_row(r, key, q.id, q.channel, "skipped", "no open request");
	} else {
		old = q.status;
		q.status = RS_CANCELLED;
		free(q.detail);
		q.detail = estrdup("");
		if (store_request_update(r->st, &q, old) < 0)
			store_failed(r);
		add_row(r, key, q.id, q.channel, "cancelled",
		    old == RS_SENDING ? "it was being sent when a run"
		    " stopped" : "");
	}
	request_clear(&q);
	customer_clear(&c);
}

/* --- messages -------------------------------------------------------- */

/* A text of the request's language, else of the company's, else
 * English's (a configured language may lack a key). */
static const char *
text_of(struct run *r, const char *lang, enum template_key k)
{
	const char *t = template_text(r->cfg, lang, k);

	if (!t)
		t = template_text(r->cfg, config_company_lang(r->cfg), k);
	return t ? t : template_text(r->cfg, "en", k);
}

static uint16_t
purpose_bits(struct run *r, const char *list)
{
	char *l = estrdup(list), *p, *save = NULL;
	uint16_t bits = 0;

	for (p = strtok_r(l, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int i = store_purpose_index(r->st, p);

		if (i >= 0 && i < TOKEN_PURPOSES_MAX)
			bits |= (uint16_t)(1u << i);
	}
	free(l);
	return bits;
}

static char *
purpose_titles(struct run *r, const char *list, const char *lang)
{
	char *l = estrdup(list), *p, *save = NULL;
	struct buf b = { 0 };

	buf_adds(&b, "");
	for (p = strtok_r(l, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (b.len)
			buf_adds(&b, ", ");
		buf_adds(&b, config_purpose_title(r->cfg, p, lang));
	}
	free(l);
	return b.s;
}

static void
make_link(struct run *r, const struct request *q, char *out, size_t outsz)
{
	struct token t;
	char tok[TOKEN_MAX];

	setup_links(r);
	memset(&t, 0, sizeof t);
	if (q->id <= 0 || q->id > (int64_t)UINT32_MAX)
		eprintf("request %lld: too large a number for a link",
		    (long long)q->id);
	t.kind = TOKEN_REQUEST;
	t.subject = (uint32_t)q->id;
	t.expires = q->expires;
	t.purposes = purpose_bits(r, q->purposes);
	snprintf(t.lang, sizeof t.lang, "%s", q->lang);
	if (token_make(r->secret, r->secretlen, &t, tok) < 0)
		eprintf("request %lld: cannot make its link",
		    (long long)q->id);
	snprintf(out, outsz, "%s/c/%s", r->link_base, tok);
}

static const char *
from_address(struct run *r)
{
	const char *f;

	if (r->smtp)
		return smtp_from(r->smtp);
	f = config_get(r->cfg, "smtp", "from");
	return f && *f ? f : "consent-request@localhost";
}

/* A text with the variables filled in, prefixed "Reminder: " for a
 * reminder. */
static char *
expand(struct run *r, const struct request *q, enum template_key k,
    const struct template_vars *v, int reminder)
{
	char *t = template_expand(text_of(r, q->lang, k), v);
	struct buf b = { 0 };

	if (!reminder)
		return t;
	buf_printf(&b, "%s: %s", text_of(r, q->lang, TPL_REMINDER), t);
	free(t);
	return b.s;
}

/* A Message-ID that names the request and is unique across runs and
 * reminders: consent.rID.RANDOM@the sender's domain. */
static void
message_id(struct run *r, const struct request *q, char *out, size_t outsz)
{
	const char *domain = strchr(from_address(r), '@');
	unsigned char rnd[9];
	char rtext[16];

	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2base64(rtext, sizeof rtext, rnd, sizeof rnd,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, outsz, "consent.r%lld.%s@%s", (long long)q->id, rtext,
	    domain ? domain + 1 : "localhost");
}

static void
compose_email(struct run *r, const struct request *q,
    const struct template_vars *v, int reminder, struct buf *out)
{
	char *subject = expand(r, q, TPL_SUBJECT, v, reminder);
	char *body = expand(r, q, TPL_BODY, v, 0);
	const char *from = from_address(r);
	char mid[160];
	struct mail m;

	message_id(r, q, mid, sizeof mid);
	memset(&m, 0, sizeof m);
	m.from_name = r->company;
	m.from_addr = from;
	m.to_name = v->name;
	m.to_addr = q->address;
	m.subject = subject;
	m.body = body;
	m.message_id = mid;
	m.date = r->now;
	mail_build(out, &m);
	free(subject);
	free(body);
}

/* An SMS as a message of the dry run's mbox, so that one reader shows
 * both channels. */
static void
sms_as_mail(struct run *r, const struct request *q, const char *text,
    const struct sms_count *n, struct buf *out)
{
	char subject[64], extra[64], mid[160];
	struct mail m;

	message_id(r, q, mid, sizeof mid);
	snprintf(subject, sizeof subject, "SMS, %zu segment%s, %s",
	    n->segments, n->segments == 1 ? "" : "s",
	    sms_coding_name(n->coding));
	snprintf(extra, sizeof extra, "X-Consent-Channel: sms\r\n");
	memset(&m, 0, sizeof m);
	m.from_name = r->company;
	m.from_addr = from_address(r);
	m.to_addr = q->address;
	m.subject = subject;
	m.body = text;
	m.message_id = mid;
	m.date = r->now;
	m.extra = extra;
	mail_build(out, &m);
}

/* --- delivery -------------------------------------------------------- */

static double
retry_wait(struct run *r, const char *section)
{
	const char *v = config_get(r->cfg, section, "retry_wait");
	char *end;
	double d;

	if (!v || !*v)
		return 2.0;
	d = strtod(v, &end);
	if (end == v || *end || d < 0)
		eprintf("[%s] retry_wait: '%s' is not a number of seconds",
		    section, v);
	return d;
}

static void
sleep_seconds(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --rate: wait until the next message is due. */
static void
pace(struct run *r)
{
	struct timespec now;
	double since;

	if (r->interval <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	since = (double)(now.tv_sec - r->last.tv_sec) +
	    (double)(now.tv_nsec - r->last.tv_nsec) / 1e9;
	if (r->last.tv_sec && since < r->interval)
		sleep_seconds(r->interval - since);
	clock_gettime(CLOCK_MONOTONIC, &r->last);
}

/* Open the client a channel needs, before any request of the batch is
 * marked, so that a bad setting stops the run with nothing in doubt. */
static struct row *request_row(struct run *r, const struct request *q);

/* Open the client of a channel the first time it is needed.  A client
 * that cannot be set up (a missing [smtp] url, an unreadable password
 * file) stops the run, but through r->fatal rather than an exit, so
 * that the rows of this run are still written. */
static int
open_client(struct run *r, const char *channel, char *err, size_t errsz)
{
	if (r->o.dry_run)
		return 0;
	if (!strcmp(channel, "email") && !r->smtp &&
	    !(r->smtp = smtp_open(r->cfg, err, errsz)))
		return -1;
	if (!strcmp(channel, "sms") && !r->sms &&
	    !(r->sms = smsgw_open(r->cfg, err, errsz)))
		return -1;
	return 0;
}

/* Open the clients a batch needs before any of it is marked: 0, or -1
 * with every row of the batch left waiting and the run stopped. */
static int
open_clients(struct run *r, struct request *q, size_t n)
{
	char err[512];
	size_t i;

	for (i = 0; i < n; i++)
		if (open_client(r, q[i].channel, err, sizeof err) < 0)
			break;
	if (i == n)
		return 0;
	weprintf("%s", err);
	r->fatal = 1;
	for (i = 0; i < n; i++)
		row_set(request_row(r, &q[i]), r->o.mode == M_REMIND ? "queued"
		    : rstatus_names[q[i].status], err);
	return -1;
}

static enum send_result
send_once(struct run *r, const struct request *q, const struct buf *msg,
    const char *sms, char *detail)
{
	pace(r);
	if (!strcmp(q->channel, "email"))
		return smtp_send(r->smtp, q->address, msg->s, msg->len, detail,
		    DETAIL_MAX);
	return smsgw_send(r->sms, q->address, sms, detail, DETAIL_MAX);
}

/* Send with retries on temporary failures, waiting retry_wait, then
 * twice, then four times as long. */
static enum send_result
send_retrying(struct run *r, const struct request *q, const struct buf *msg,
    const char *sms, char *detail)
{
	double wait = strcmp(q->channel, "email") ? r->wait_sms :
	    r->wait_smtp;
	enum send_result res;
	int attempt;

	for (attempt = 0; ; attempt++) {
		res = send_once(r, q, msg, sms, detail);
		if ((res != SEND_TEMP && res != SEND_DOWN) ||
		    attempt == RETRIES)
			break;
		sleep_seconds(wait);
		wait *= 2;
	}
	if (res == SEND_TEMP || res == SEND_DOWN) {
		char last[DETAIL_MAX];

		snprintf(last, sizeof last, "%s", detail);
		snprintf(detail, DETAIL_MAX, "%d attempts failed: %.400s",
		    RETRIES + 1, last);
	}
	return res == SEND_DOWN ? SEND_FATAL : res;
}

/* Compose the request's message and send it (or, with --dry-run, add it
 * to the mbox).  detail receives the server's answer or the reason. */
static enum send_result
deliver(struct run *r, const struct request *q, const char *name,
    int reminder, char *detail)
{
	char link[512], *titles = purpose_titles(r, q->purposes, q->lang);
	struct template_vars v;
	struct buf msg = { 0 };
	char *sms = NULL;
	struct sms_count n;
	enum send_result res = SEND_OK;

	make_link(r, q, link, sizeof link);
	v.name = name;
	v.company = r->company;
	v.link = link;
	v.purposes = titles;
	v.policy = config_get_or(r->cfg, "company", "policy_url", "");
	if (!strcmp(q->channel, "email")) {
		compose_email(r, q, &v, reminder, &msg);
		snprintf(detail, DETAIL_MAX, "%s", "");
	} else {
		sms = expand(r, q, TPL_SMS, &v, reminder);
		if (sms_count(sms, strlen(sms), &n) < 0)
			eprintf("request %lld: the SMS text is not UTF-8",
			    (long long)q->id);
		if (r->o.dry_run)
			sms_as_mail(r, q, sms, &n, &msg);
	}
	if (r->o.dry_run)
		mail_mbox_append(&r->mbox, msg.s, msg.len, from_address(r),
		    r->now);
	else
		res = send_retrying(r, q, &msg, sms, detail);
	if (sms && res == SEND_OK) {
		char answer[DETAIL_MAX];

		snprintf(answer, sizeof answer, "%s", r->o.dry_run ? "" :
		    detail);
		snprintf(detail, DETAIL_MAX, "%zu segment%s %s%s%.400s",
		    n.segments, n.segments == 1 ? "" : "s",
		    sms_coding_name(n.coding), *answer ? "; " : "", answer);
	}
	free(sms);
	free(titles);
	buf_free(&msg);
	return res;
}

static void
show_progress(struct run *r)
{
	r->ndone++;
	if (r->progress)
		fprintf(stderr, "\r%s: %ld/%ld", argv0, r->ndone, r->ntosend);
}

/* --- sending in batches ---------------------------------------------- */

struct batch {
	struct request *q;
	size_t n, cap;
};

static int
collect(void *arg, struct request *q)
{
	struct batch *b = arg;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->q = erealloc(b->q, b->cap * sizeof *b->q);
	}
	b->q[b->n++] = *q;
	return 0;
}

static void
batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		request_clear(&b->q[i]);
	free(b->q);
	memset(b, 0, sizeof *b);
}

/* The output row of a request: the one made when it was created in this
 * run, else a new one (a request queued by an earlier run). */
static struct row *
request_row(struct run *r, const struct request *q)
{
	struct row *w = row_of_request(r, q->id);
	struct customer c = { 0 };

	if (w && w->name)
		return w;
	w = add_row(r, q->key, q->id, q->channel, rstatus_names[q->status],
	    "");
	if (store_customer_get(r->st, q->key, &c) < 0)
		store_failed(r);
	w->name = estrdup(c.name ? c.name : "");
	customer_clear(&c);
	return w;
}

/* Write a state of the batch, in one transaction. */
static void
store_batch(struct run *r, struct request *q, size_t n, const enum rstatus *old)
{
	size_t i;

	if (r->o.dry_run)
		return;
	begin(r);
	for (i = 0; i < n; i++)
		if (store_request_update(r->st, &q[i], old[i]) < 0)
			store_failed(r);
	commit(r);
}

/* The outcome of a send on the request and its row. */
static void
settle(struct run *r, struct request *q, struct row *w,
    enum send_result res, const char *detail)
{
	free(q->detail);
	q->detail = estrdup(detail);
	switch (res) {
	case SEND_OK:
		q->status = RS_SENT;
		q->sent = r->now;
		row_set(w, r->o.dry_run ? "shown" : "sent", detail);
		break;
	case SEND_TEMP:
	case SEND_DOWN:
	case SEND_PERM:
		q->status = RS_ERROR;
		row_set(w, "error", detail);
		break;
	case SEND_FATAL:
		/* nothing went out: the request waits for a run that can
		 * send it */
		q->status = RS_QUEUED;
		q->expires = 0;
		free(q->detail);
		q->detail = estrdup("");
		row_set(w, "queued", detail);
		break;
	}
}

static void
send_batch(struct run *r, struct request *q, size_t n)
{
	enum rstatus old[BATCH];
	char detail[DETAIL_MAX];
	size_t i;

	if (open_clients(r, q, n) < 0)
		return;
	for (i = 0; i < n; i++) {
		old[i] = q[i].status;
		q[i].status = RS_SENDING;
		q[i].expires = time_add(r->now, &r->expire, 1);
	}
	store_batch(r, q, n, old);
	for (i = 0; i < n; i++) {
		struct row *w = request_row(r, &q[i]);
		enum send_result res = SEND_FATAL;

		old[i] = RS_SENDING;
		if (!r->fatal) {
			res = deliver(r, &q[i], w->name, 0, detail);
			show_progress(r);
		} else
			snprintf(detail, sizeof detail, "not sent: the run"
			    " stopped");
		if (res == SEND_FATAL && !r->fatal) {
			weprintf("request %lld: %s: sending stopped",
			    (long long)q[i].id, detail);
			r->fatal = 1;
		}
		settle(r, &q[i], w, res, detail);
	}
	store_batch(r, q, n, old);
}

static void
send_all(struct run *r, struct batch *b)
{
	size_t i;

	r->ntosend += (long)b->n;
	for (i = 0; i < b->n && !r->fatal; i += BATCH)
		send_batch(r, &b->q[i], b->n - i < BATCH ? b->n - i : BATCH);
	if (r->progress && r->ndone)
		fputc('\n', stderr);
}

/* Requests left in "sending" by a run that was killed mid-send: whether
 * they went out is unknown, so they are reported and not sent again,
 * unless --retry-uncertain puts them back in the queue. */
static void
uncertain(struct run *r)
{
	struct batch b = { 0 };
	enum rstatus old = RS_SENDING;
	size_t i;

	if (store_each_request(r->st, RS_SENDING, collect, &b) < 0)
		store_failed(r);
	if (b.n && r->o.retry_uncertain && !r->o.dry_run)
		begin(r);
	for (i = 0; i < b.n; i++) {
		struct request *q = &b.q[i];

		if (!r->o.retry_uncertain) {
			weprintf("request %lld (customer %s) was being sent"
			    " when a run stopped: not sent again"
			    " (--retry-uncertain sends it)", (long long)q->id,
			    q->key);
			add_row(r, q->key, q->id, q->channel, "uncertain",
			    "was being sent when a run stopped");
			continue;
		}
		q->status = RS_QUEUED;
		free(q->detail);
		q->detail = estrdup("sent again after an interrupted run");
		if (!r->o.dry_run && store_request_update(r->st, q, old) < 0)
			store_failed(r);
	}
	if (b.n && r->o.retry_uncertain && !r->o.dry_run)
		commit(r);
	batch_free(&b);
}

static void
send_queued(struct run *r)
{
	struct batch b = { 0 };

	uncertain(r);
	if (store_each_request(r->st, RS_QUEUED, collect, &b) < 0)
		store_failed(r);
	send_all(r, &b);
	batch_free(&b);
}

/* --- --print ---------------------------------------------------------- */

/* Hand over the queued request of row w without sending it: stored as
 * sent now, with the usual expiry and detail (what --remind goes by),
 * its link in link.  q receives the request; the caller clears it. */
static void
hand_over(struct run *r, const struct row *w, const char *detail,
    struct request *q, char *link, size_t linksz)
{
	if (store_request_get(r->st, w->request, q) <= 0)
		store_failed(r);
	q->status = RS_SENT;
	q->sent = r->now;
	q->expires = time_add(r->now, &r->expire, 1);
	free(q->detail);
	q->detail = estrdup(detail);
	make_link(r, q, link, linksz);
	if (store_request_update(r->st, q, RS_QUEUED) < 0)
		store_failed(r);
}

/* Is row w a request that this run made and has not handed over? */
static int
is_queued_row(const struct row *w)
{
	return w->name && !strcmp(w->status, "queued");
}

/* The requests this run made are given out, not sent: stored as sent
 * (their expiry runs from now) with the detail "printed". */
static void
print_requests(struct run *r)
{
	char link[512];
	size_t i;

	for (i = 0; i < r->nrows; i++) {
		struct row *w = &r->rows[i];
		struct request q = { 0 };

		if (!is_queued_row(w))
			continue;
		hand_over(r, w, "printed", &q, link, sizeof link);
		row_set(w, "printed", "");
		w->link = estrdup(link);
		request_clear(&q);
	}
}

/* --- --channel paper -------------------------------------------------- */

/* A failure while the forms are written: the run stops before it
 * commits, and a half-written --output file is removed. */
static noreturn void
paper_failed(struct run *r, const char *err)
{
	char ignored[64];

	/* the paper and its fonts are freed, so that a leak checker sees
	 * only the message */
	paper_close(r->paper, ignored, sizeof ignored);
	r->paper = NULL;
	/* never a device or a pipe given as the file */
	if (r->o.output && r->pdf_regular)
		unlink(r->o.output);
	eprintf("%s", err);
}

/* Open the PDF (the standard output, or --output) and the paper on the
 * first form. */
static void
paper_start(struct run *r)
{
	char err[512];
	struct stat sb;

	r->pdf = stdout;
	if (r->o.output && !(r->pdf = fopen(r->o.output, "w")))
		eprintf("%s:", r->o.output);
	r->pdf_regular = r->o.output && fstat(fileno(r->pdf), &sb) == 0 &&
	    S_ISREG(sb.st_mode);
	if (!(r->paper = paper_open(r->pdf, r->cfg, err, sizeof err)))
		paper_failed(r, err);
}

/* Finish the paper and write the PDF out to the last byte. */
static void
paper_finish(struct run *r)
{
	struct paper *pp = r->paper;
	char err[512];

	r->paper = NULL;
	if (paper_close(pp, err, sizeof err) < 0)
		paper_failed(r, err);
	if (r->pdf != stdout ? fclose(r->pdf) == EOF : fflush(stdout) == EOF
	    || ferror(stdout)) {
		snprintf(err, sizeof err, "%s: %s", r->o.output ? r->o.output :
		    "<stdout>", strerror(errno));
		paper_failed(r, err);
	}
	r->pdf = NULL;
}

/* The requests this run made are handed over at the counter: stored as
 * sent with the detail "paper" (their expiry runs from now, and
 * --remind skips them), each a page of the PDF.  The PDF is complete
 * and flushed before the requests are committed; a run that cannot
 * write it stores nothing. */
static void
paper_requests(struct run *r)
{
	char link[512], err[512], page[32];
	size_t i;

	for (i = 0; i < r->nrows; i++) {
		struct row *w = &r->rows[i];
		struct request q = { 0 };
		struct paper_form f;

		if (!is_queued_row(w))
			continue;
		hand_over(r, w, "paper", &q, link, sizeof link);
		if (!r->paper)
			paper_start(r);
		f.lang = q.lang;
		f.name = w->name;
		f.key = w->key;
		f.link = link;
		f.purposes = q.purposes;
		if (paper_page(r->paper, &f, err, sizeof err) < 0)
			paper_failed(r, err);
		snprintf(page, sizeof page, "page %zu",
		    paper_pages(r->paper));
		row_set(w, "sent", page);
		request_clear(&q);
	}
	if (r->paper)
		paper_finish(r);
}

/* --- --remind --------------------------------------------------------- */

static int
remind_due(struct run *r, const struct request *q)
{
	return !q->reminded && q->sent && q->expires > r->now &&
	    time_add(q->sent, &r->remind, 1) <= r->now &&
	    strcmp(q->detail, "printed") &&
	    (!strcmp(q->channel, "email") || !strcmp(q->channel, "sms"));
}

/* A reminder is marked before it is sent, like a request: at most one
 * reminder a request, even across a crash. */
static void
remind_batch(struct run *r, struct request *q, size_t n)
{
	enum rstatus same[BATCH];
	char detail[DETAIL_MAX];
	size_t i;

	if (open_clients(r, q, n) < 0)
		return;
	for (i = 0; i < n; i++) {
		same[i] = q[i].status;
		q[i].reminded = r->now;
	}
	store_batch(r, q, n, same);
	for (i = 0; i < n; i++) {
		struct row *w = request_row(r, &q[i]);
		enum send_result res = SEND_FATAL;

		if (!r->fatal) {
			res = deliver(r, &q[i], w->name, 1, detail);
			show_progress(r);
		} else
			snprintf(detail, sizeof detail, "not sent: the run"
			    " stopped");
		if (res == SEND_FATAL && !r->fatal) {
			weprintf("request %lld: %s: sending stopped",
			    (long long)q[i].id, detail);
			r->fatal = 1;
		}
		if (res == SEND_OK) {
			row_set(w, r->o.dry_run ? "shown" : "reminded",
			    detail);
			continue;
		}
		/* not reminded: the next --remind tries again */
		q[i].reminded = 0;
		row_set(w, res == SEND_FATAL ? "queued" : "error", detail);
	}
	store_batch(r, q, n, same);
}

static void
remind(struct run *r)
{
	struct batch all = { 0 }, due = { 0 };
	size_t i;

	if (store_each_request(r->st, RS_SENT, collect, &all) < 0)
		store_failed(r);
	for (i = 0; i < all.n; i++)
		if (remind_due(r, &all.q[i])) {
			collect(&due, &all.q[i]);
			memset(&all.q[i], 0, sizeof all.q[i]);
		}
	batch_free(&all);
	r->ntosend = (long)due.n;
	for (i = 0; i < due.n && !r->fatal; i += BATCH)
		remind_batch(r, &due.q[i], due.n - i < BATCH ? due.n - i :
		    BATCH);
	if (r->progress && r->ndone)
		fputc('\n', stderr);
	batch_free(&due);
}

/* --- the run ----------------------------------------------------------- */

static void
read_input(struct run *r, int argc, char **argv)
{
	int i;

	begin(r);
	if (argc == 0)
		ask_file(r, "-");
	for (i = 0; i < argc; i++)
		ask_file(r, argv[i]);
	if (r->o.print)
		print_requests(r);
	if (r->channel == CH_PAPER)
		paper_requests(r);
	/* a dry run keeps its transaction open, so that the sending half
	 * sees the requests it would have made, and rolls it back at the
	 * end */
	if (!r->o.dry_run)
		commit(r);
}

static void
teardown(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nrows; i++) {
		free(r->rows[i].key);
		free(r->rows[i].channel);
		free(r->rows[i].status);
		free(r->rows[i].detail);
		free(r->rows[i].link);
		free(r->rows[i].name);
	}
	free(r->rows);
	keyset_free(r->row_of);
	free(r->want);
	free(r->link_base);
	if (r->secret) {
		sodium_memzero(r->secret, r->secretlen);
		free(r->secret);
	}
	buf_free(&r->mbox);
	smtp_close(r->smtp);
	smsgw_close(r->sms);
	store_close(r->st);
	config_free(r->cfg);
	free(r->o.purposes);
	curl_global_cleanup();
}

int
main(int argc, char **argv)
{
	struct run r;
	int bad = 0;
	size_t i;

	setprogname(argv[0]);
	memset(&r, 0, sizeof r);
	r.row_of = keyset_new();
	parse_options(&r.o, argc, argv);
	argc -= optind;
	argv += optind;
	check_options(&r.o, argc);
	setup(&r);
	if (sends(&r))
		setup_sending(&r);
	if (r.o.mode == M_ASK || r.o.mode == M_CANCEL)
		read_input(&r, argc, argv);
	if ((r.o.mode == M_ASK && !r.o.queue && !r.o.print &&
	    r.channel != CH_PAPER) || r.o.mode == M_SEND_QUEUED)
		send_queued(&r);
	if (r.o.mode == M_REMIND)
		remind(&r);
	if (r.o.dry_run) {
		store_rollback(r.st);
		fwrite(r.mbox.s ? r.mbox.s : "", 1, r.mbox.len, stdout);
		for (i = 0; i < r.nrows; i++)
			count_status(&r, r.rows[i].status);
	} else if (r.channel == CH_PAPER && !r.o.output) {
		/* the standard output is the PDF */
		for (i = 0; i < r.nrows; i++)
			count_status(&r, r.rows[i].status);
	} else
		write_rows(&r);
	if (fshut(stdout, "<stdout>") < 0)
		bad = 1;
	summary(&r);
	teardown(&r);
	if (bad || r.fatal)
		return EXIT_ERR;
	return r.nerror || r.nuncertain ? EXIT_NO : EXIT_OK;
}
