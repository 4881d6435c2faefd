/* consent-landing: the web service behind the customers' links.  It shows
 * a request's page, records the answer with the text shown, and serves
 * the answers to consent-sync.  See consent-landing(8).
 *
 * Everything that can be wrong with the setup (the configuration, the
 * secret, the API key, the database, the address) is found before the
 * first connection is accepted, and stops the service with exit 2; once
 * it says "listening on", only SIGTERM or SIGINT stops it, and then
 * cleanly: the pool finishes its requests, the database is closed, exit
 * 0.  The signals are blocked before the pool starts, so that its
 * threads inherit the mask and only the main thread's sigwait sees
 * them. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>
#include <sodium.h>

#include "cli.h"
#include "config.h"
#include "landing.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_KEEP "30d"
#define DEFAULT_EXPIRE "7d"
#define THREADS_MAX 256
#define DEFAULT_TIMEOUT "30"
#define TIMEOUT_MAX 3600
#define DEFAULT_PER_IP "128"
#define DEFAULT_POST_RATE "30/min"
#define DEFAULT_BAD_RATE "30/min"

struct options {
	const char *listen, *db, *config, *threads;
};

struct run {
	struct options o;
	struct config *cfg;
	struct landing l;
	unsigned threads;
	char *dbpath;
	int fd;
	char where[128];
};

static noreturn void
usage(void)
{
	fprintf(stderr, "usage: %s [--listen addr:port] [--db file]"
	    " [--config file] [--threads n]\n", argv0);
	exit(EXIT_ERR);
}

static noreturn void
help(void)
{
	printf("usage: %s [--listen addr:port] [--db file] [--config file]"
	    " [--threads n]\n"
	    "The web service behind the links of consent-request: the pages,"
	    " the answers,\nand the answers API of consent-sync.\n\n"
	    "      --listen ADDR:PORT  where to listen ([landing] listen, else"
	    " " DEFAULT_LISTEN ")\n"
	    "      --db FILE           the landing database ([landing] db,"
	    " $CONSENT_LANDING_DB,\n"
	    "                          else landing.db)\n"
	    "      --config FILE       the configuration ($CONSENT_CONFIG)\n"
	    "      --threads N         threads of the pool (the number of"
	    " CPUs)\n"
	    "  -h, --help, -V, --version\n", argv0);
	exit(fshut(stdout, "<stdout>") ? EXIT_ERR : EXIT_OK);
}

enum { OPT_LISTEN = 256, OPT_DB, OPT_CONFIG, OPT_THREADS };

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "db", required_argument, NULL, OPT_DB },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
parse_options(struct options *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			o->listen = cli_once("--listen", o->listen, optarg);
			break;
		case OPT_DB: o->db = cli_once("--db", o->db, optarg); break;
		case OPT_CONFIG:
			o->config = cli_once("--config", o->config, optarg);
			break;
		case OPT_THREADS:
			o->threads = cli_once("--threads", o->threads, optarg);
			break;
		case 'h': help();
		case 'V': print_version();
		default: usage();
		}
	}
	if (optind < argc)
		usage();
}

int64_t
landing_now(void)
{
	int64_t t;

	/* CONSENT_NOW was checked at start; the clock cannot fail. */
	if (time_now(&t) < 0)
		t = (int64_t)time(NULL);
	return t;
}

static unsigned
parse_threads(const char *s)
{
	long n;
	char *end;

	if (!s) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		return n < 1 ? 1 : n > THREADS_MAX ? THREADS_MAX : (unsigned)n;
	}
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1 || n > THREADS_MAX)
		eprintf("--threads: '%s': want 1 to %d", s, THREADS_MAX);
	return (unsigned)n;
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

/* A whole number from lo to hi, or exit 2 with what the key wants. */
static unsigned
number_key(const struct config *cfg, const char *key, const char *dflt,
    unsigned lo, unsigned hi, const char *want)
{
	const char *v = config_get_or(cfg, "landing", key, dflt);
	unsigned long n;
	char *end;

	if (!*v)
		v = dflt;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || errno || *end || n < lo || n > hi)
		eprintf("[landing] %s: '%s': want %s", key, v, want);
	return (unsigned)n;
}

static void
rate_key(const struct config *cfg, const char *key, const char *dflt,
    struct rate *r)
{
	const char *v = config_get_or(cfg, "landing", key, dflt);

	if (!*v)
		v = dflt;
	if (rate_parse(v, r) < 0)
		eprintf("[landing] %s: bad rate '%s': want N/s, N/min or N/h"
		    " (such as %s, or 5/10s), or off", key, v, dflt);
}

/* The limits on what one client can take; see consent-landing(8). */
static void
read_limits(struct run *r)
{
	r->l.timeout = number_key(r->cfg, "timeout", DEFAULT_TIMEOUT, 1,
	    TIMEOUT_MAX, "seconds, 1 to 3600");
	r->l.per_ip = number_key(r->cfg, "per_ip_connections", DEFAULT_PER_IP,
	    0, CONN_MAX, "0 (no limit) to 1024");
	rate_key(r->cfg, "post_rate", DEFAULT_POST_RATE, &r->l.post_rate);
	rate_key(r->cfg, "bad_token_rate", DEFAULT_BAD_RATE, &r->l.bad_rate);
}

/* An answer purged while its link still works would make a revisit
 * look like a first visit; say so rather than let it happen. */
static void
check_keep(struct run *r)
{
	struct duration expire;
	int64_t now = landing_now();

	duration_key(r->cfg, "keep", DEFAULT_KEEP, &r->l.keep);
	duration_key(r->cfg, "expire", DEFAULT_EXPIRE, &expire);
	if (time_add(now, &r->l.keep, 1) < time_add(now, &expire, 1))
		weprintf("warning: [landing] keep is shorter than expire:"
		    " answers may be purged while their links still work");
}

static void
read_secrets(struct run *r)
{
	const char *v = config_get(r->cfg, "landing", "api_key_file");
	char err[512];
	char *key;
	size_t len;

	r->l.secret = (unsigned char *)config_read_landing_secret(r->cfg,
	    &r->l.secretlen, err, sizeof err);
	if (!r->l.secret)
		eprintf("%s", err);
	if (!v || !*v)
		return;	/* no key, no API */
	if (!(key = config_read_secret(r->cfg, "landing", "api_key_file",
	    &len, err, sizeof err)))
		eprintf("%s", err);
	crypto_generichash(r->l.apikey, sizeof r->l.apikey,
	    (unsigned char *)key, len, NULL, 0);
	sodium_memzero(key, len);
	free(key);
	r->l.api = 1;
}

static void
setup(struct run *r)
{
	const char *listen = r->o.listen, *what = "--listen";
	char err[512];

	if (sodium_init() < 0)
		eprintf("cannot start libsodium");
	r->cfg = cli_config(r->o.config);
	cli_now();
	r->threads = parse_threads(r->o.threads);
	r->l.cfg = r->cfg;
	r->l.company = config_get_or(r->cfg, "company", "name", "");
	r->l.policy = config_get_or(r->cfg, "company", "policy_url", "");
	check_keep(r);
	read_limits(r);
	read_secrets(r);
	r->dbpath = ldb_path(r->o.db, r->cfg);
	if (ldb_setup(r->dbpath, r->threads, err, sizeof err) < 0)
		eprintf("%s", err);
	if (!listen) {
		listen = config_get(r->cfg, "landing", "listen");
		what = "[landing] listen";
	}
	if (!listen || !*listen) {
		listen = DEFAULT_LISTEN;
		what = "the default address";
	}
	r->fd = listen_open(listen, what, r->where, sizeof r->where);
}

static void
block_signals(sigset_t *set)
{
	struct sigaction sa = { 0 };

	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	/* A shell starts a background job with SIGINT ignored, and an
	 * ignored signal never reaches sigwait. */
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A client gone mid-reply is libmicrohttpd's to notice. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if ((errno = pthread_sigmask(SIG_BLOCK, set, NULL)) != 0)
		eprintf("pthread_sigmask:");
}

static int
wait_signal(const sigset_t *set)
{
	int sig;

	while (sigwait(set, &sig) != 0)
		;
	return sig;
}

static void
teardown(struct run *r)
{
	ldb_shutdown();
	sodium_memzero(r->l.secret, r->l.secretlen);
	free(r->l.secret);
	free(r->dbpath);
	config_free(r->cfg);
}

int
main(int argc, char **argv)
{
	struct run r = { 0 };
	struct MHD_Daemon *d;
	sigset_t set;
	int sig;

	setprogname(argv[0]);
	parse_options(&r.o, argc, argv);
	setup(&r);
	block_signals(&set);
	if (!(d = http_start(&r.l, r.fd, r.threads)))
		eprintf("%s: libmicrohttpd would not start", r.where);
	weprintf("listening on %s", r.where);
	sig = wait_signal(&set);
	http_stop(d);
	weprintf("stopped by %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	teardown(&r);
	return fshut(stdout, "<stdout>") ? EXIT_ERR : EXIT_OK;
}
