/* consent-landing: what the files of the service share.  See
 * consent-landing(8).
 *
 *   main.c     options, start-up, signals, shut-down
 *   listen.c   the listening socket
 *   http.c     libmicrohttpd: requests in, replies out with the headers
 *              every response carries, the access log
 *   answer.c   GET and POST /c/TOKEN: the page, the answer, the
 *              confirmation
 *   form.c     the fields of a submitted form
 *   pages.c    the HTML of the pages
 *   shown.c    the text shown, in its canonical form, and its hash
 *   strings.c  the pages' own words in each language
 *   style.c    the stylesheet
 *   api.c      GET /api/v1/answers: the answers as CSV for consent-sync
 *   limit.c    the per-address rate limits
 *   ldb.c      the landing database
 *
 * The service knows a customer only through the token in the link: a
 * request number, the purposes, the language.  Nothing here ever holds
 * a name, an address or a number. */
#ifndef CONSENT_LANDING_H
#define CONSENT_LANDING_H

#include <stddef.h>
#include <stdint.h>

#include "timeutil.h"
#include "token.h"
#include "util.h"

#define TOOL "consent-landing"
/* A form of a few checkboxes is far smaller; anything bigger is not ours. */
#define BODY_MAX 8192
#define CONN_MAX 1024		/* connections at once */
#define UA_MAX 512
#define IP_MAX 64
#define SHA256_HEX 65

/* A rate limit: at most burst requests at once, and per_sec more every
 * second; burst 0 is no limit. */
struct rate {
	double burst, per_sec;
};

/* Set up before the first request and never changed after, so that the
 * pool's threads read it without locks. */
struct landing {
	const struct config *cfg;
	unsigned char *secret;
	size_t secretlen;
	int api;			/* [landing] api_key_file is set */
	unsigned char apikey[32];	/* its BLAKE2b hash */
	struct duration keep;		/* [landing] keep */
	const char *company, *policy;
	unsigned timeout;		/* [landing] timeout; 0: 30 s */
	unsigned per_ip;		/* [landing] per_ip_connections; 0: none */
	struct rate post_rate;		/* [landing] post_rate */
	struct rate bad_rate;		/* [landing] bad_token_rate */
};

/* A request as the handlers see it; http.c fills it in. */
struct request {
	const char *method;		/* GET, HEAD or POST */
	const char *path;
	const char *body;
	size_t bodylen;
	char ip[IP_MAX];		/* the client, see client_ip() */
	void *conn;			/* http.c's, for req_header, req_arg */
};

/* What a handler answers; http.c adds the headers and sends it. */
struct reply {
	unsigned status;
	const char *type;		/* NULL: text/html; charset=utf-8 */
	struct buf body;
	const char *fixed;		/* a static body instead of body */
	size_t fixedlen;
	int cache;			/* may be cached (the stylesheet) */
	const char *allow;		/* the Allow header of a 405 */
	int challenge;			/* WWW-Authenticate: Bearer (401) */
	unsigned retry;			/* Retry-After of a 429, seconds */
};

/* main.c */
int64_t landing_now(void);

/* listen.c: bind and listen on ADDR:PORT (what names where it came
 * from, for messages), or exit 2.  The address bound goes into where,
 * "127.0.0.1:43127" or "[::1]:8080". */
int listen_open(const char *spec, const char *what, char *where,
    size_t wheresz);

/* http.c */
struct MHD_Daemon;
struct MHD_Daemon *http_start(struct landing *l, int fd, unsigned threads);
void http_stop(struct MHD_Daemon *d);
const char *req_header(const struct request *rq, const char *name);
/* weprintf for the pool's threads: the message in one piece. */
void landing_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *req_arg(const struct request *rq, const char *name);
void reply_text(struct reply *rp, unsigned status, const char *text);

/* limit.c */
enum limit_kind { LIMIT_POST, LIMIT_BAD, LIMIT_KINDS };

/* "off", or N/s, N/min, N/h, N/Ks, N/Kmin, N/Kh: 0, or -1. */
int rate_parse(const char *s, struct rate *r);
/* Before the pool starts: the rates, an empty table, a new hash key. */
void limit_init(const struct rate *post, const struct rate *bad);
/* Take one request from the bucket of the address (a client_ip()):
 * 0 when the rate allows it, else the seconds until it would (>= 1). */
unsigned limit_take(enum limit_kind kind, const char *ip);

/* answer.c */
void answer_get(const struct landing *l, const struct request *rq,
    const char *token, struct reply *rp);
void answer_post(const struct landing *l, const struct request *rq,
    const char *token, struct reply *rp);

/* api.c */
void api_answers(const struct landing *l, const struct request *rq,
    struct reply *rp);

/* form.c: call fn for every field of an x-www-form-urlencoded body,
 * name and value decoded; stops when fn returns non-zero. */
void form_each(const char *body, size_t len,
    int (*fn)(void *arg, const char *name, const char *value), void *arg);

/* strings.c */
struct ui {
	const char *lang;
	const char *title;	/* the page's title after the company name */
	const char *choose;	/* above the checkboxes */
	const char *button;
	const char *earlier;	/* on a revisit */
	const char *thanks;
	const char *yes, *no;
	const char *until;	/* the answer can be changed until {date} */
	const char *again;	/* the link back to the form */
	const char *policy;
	const char *bad_title, *bad_text;
	const char *expired_title, *expired_text;
	const char *failed;
	char datefmt;		/* 'd' 8.12.2026, 'i' 2026-12-08 */
};

/* The built-in words for lang, else for [company] lang, else English. */
const struct ui *ui_pick(const struct config *cfg, const char *lang);
/* A date as the language writes it. */
void ui_date(const struct ui *ui, int64_t t, char out[TIME_DATE_LEN]);

/* pages.c and shown.c: what a page says. */
struct choice {
	const char *name, *title;
	int ticked;
};

struct view {
	const struct ui *ui;
	const char *company, *info, *policy;
	const char *token;
	struct choice *c;
	size_t n;
	int earlier;		/* the customer answered before */
	int64_t expires;
};

void page_form(struct buf *b, const struct view *v);
void page_done(struct buf *b, const struct view *v);
void page_bad(struct buf *b, const struct view *v);
void page_expired(struct buf *b, const struct view *v);
void page_failed(struct buf *b, const struct view *v);
void html_escape(struct buf *b, const char *s);

void shown_text(struct buf *b, const struct view *v);
void shown_hash(const struct buf *text, char hex[SHA256_HEX]);

/* style.c */
extern const char style_css[];
extern const size_t style_css_len;

/* ldb.c: one SQLite connection per thread of the pool, each with its
 * statements prepared once. */
enum answer { A_NONE, A_GRANTED, A_DENIED, A_WITHDRAWN };

struct answer_row {
	int64_t seq, request;
	const char *purpose, *answer, *at, *ip, *user_agent, *text_sha256;
};

struct ldb;

/* --db, else [landing] db (relative to the configuration's folder),
 * else $CONSENT_LANDING_DB, else landing.db; malloc'd. */
char *ldb_path(const char *given, const struct config *cfg);
/* Create or open the database and its schema, then open n connections
 * for the pool; 0, or -1 with a message in err. */
int ldb_setup(const char *path, unsigned n, char *err, size_t errsz);
/* This thread's connection, or NULL with a message on stderr. */
struct ldb *ldb_get(void);
void ldb_shutdown(void);
const char *ldb_errmsg(struct ldb *db);
const char *answer_name(enum answer a);

int ldb_begin(struct ldb *db);
int ldb_commit(struct ldb *db);
void ldb_rollback(struct ldb *db);
/* The current answer of the request for each of the n purposes, and
 * whether it has any answer at all. */
int ldb_current(struct ldb *db, uint32_t request, const struct choice *c,
    size_t n, enum answer *out, int *any);
/* Keep the text shown if it is new. */
int ldb_text(struct ldb *db, const char *sha, const char *lang,
    const char *body, const char *now);
int ldb_add(struct ldb *db, const struct answer_row *a);
/* The answers after seq, at most limit, marked fetched at now, after
 * the answers fetched before cutoff are purged; fn gets each row.  With
 * now NULL (a HEAD) they are only read. */
int ldb_fetch(struct ldb *db, int64_t after, int64_t limit, const char *now,
    const char *cutoff, void (*fn)(void *arg, const struct answer_row *a),
    void *arg);

#endif
