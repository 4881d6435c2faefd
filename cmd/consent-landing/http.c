/* http: the service's side of libmicrohttpd.  Requests come in on the
 * daemon's thread pool; a body is gathered (at most BODY_MAX bytes, 413
 * beyond), the path routed to its handler, and the reply sent with the
 * headers that every response carries whatever it is: a policy that
 * allows no script, no framing, no sniffing, no referrer, no caching of
 * a customer's page, and never a cookie.
 *
 * What one client can take is bounded: connections per address and an
 * idle timeout (libmicrohttpd's, from [landing]), and the rates of
 * limit.c, a POST's before its body is read and a failed check's (404,
 * 410, 401) after it, answered 429 with Retry-After when over.
 *
 * One access-log line per request goes to stderr.  A token in a path is
 * a capability, so the log keeps only its first 8 characters; the same
 * holds for libmicrohttpd's own messages, which may quote the path. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "landing.h"

#define CSP "default-src 'none'; style-src 'self'; img-src 'self';" \
	" form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
#define TIMEOUT 30		/* seconds a connection may idle, by default */
#define TOKEN_SHOWN 8		/* characters of a token the log keeps */
#define LOG_PATH_MAX 160
/* A body of unannounced length (chunked) over BODY_MAX is read on to
 * this, to answer 413 at its end; beyond it the connection is closed. */
#define DISCARD_MAX (64 * 1024)

/* One request's state between libmicrohttpd's calls. */
struct exchange {
	struct buf body;
	size_t seen;		/* body bytes received */
	int replied;		/* a reply was queued before the body came */
};

const char *
req_header(const struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *
req_arg(const struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

void
landing_warn(const char *fmt, ...)
{
	va_list ap;

	flockfile(stderr);
	va_start(ap, fmt);
	vweprintf(fmt, ap);
	va_end(ap);
	funlockfile(stderr);
}

void
reply_text(struct reply *rp, unsigned status, const char *text)
{
	rp->status = status;
	rp->type = "text/plain; charset=utf-8";
	buf_reset(&rp->body);
	buf_adds(&rp->body, text);
}

/* --- the client's address -------------------------------------------- */

static int
is_loopback(const struct sockaddr *sa)
{
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;

	if (sa->sa_family == AF_INET) {
		memcpy(&v4, sa, sizeof v4);
		return ntohl(v4.sin_addr.s_addr) >> 24 == 127;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(&v6, sa, sizeof v6);
		return IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr) &&
		    v6.sin6_addr.s6_addr[12] == 127);
	}
	return 0;
}

/* The last address of X-Forwarded-For, the one our own proxy added,
 * when it is an address; the others are the client's word. */
static void
forwarded(const char *xff, char out[IP_MAX])
{
	const char *s = strrchr(xff, ',');
	unsigned char bin[sizeof(struct in6_addr)];
	char ip[IP_MAX];
	size_t n;

	s = s ? s + 1 : xff;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t");
	if (n == 0 || n >= sizeof ip)
		return;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, bin) == 1 ||
	    inet_pton(AF_INET6, ip, bin) == 1)
		memcpy(out, ip, n + 1);
}

/* The peer's address; behind a reverse proxy on the same machine (a
 * loopback peer), the client's as the proxy tells it. */
static void
client_ip(struct MHD_Connection *c, char out[IP_MAX])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const char *xff;
	socklen_t len;

	snprintf(out, IP_MAX, "-");
	if (!sa)
		return;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, out, IP_MAX, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(out, IP_MAX, "-");
	if (is_loopback(sa) && (xff = MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, "X-Forwarded-For")))
		forwarded(xff, out);
}

/* --- the log --------------------------------------------------------- */

/* Bytes a terminal or a log parser could trip on are written as \xHH. */
static void
log_bytes(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

#define ELLIPSIS "\xe2\x80\xa6"

/* A path: under /c/ only TOKEN_SHOWN bytes of what follows, the rest of
 * the path by its first LOG_PATH_MAX. */
static void
log_path(struct buf *b, const char *p)
{
	size_t n = strlen(p), max = LOG_PATH_MAX;

	if (!strncmp(p, "/c/", 3))
		max = 3 + TOKEN_SHOWN;
	log_bytes(b, p, n > max ? max : n);
	if (n > max)
		buf_adds(b, ELLIPSIS);
}

/* A message of libmicrohttpd's: every word after a "/c/" cut short. */
static void
redact(struct buf *b, const char *s)
{
	const char *c;
	size_t n;

	while ((c = strstr(s, "/c/"))) {
		log_bytes(b, s, (size_t)(c - s) + 3);
		s = c + 3;
		n = strcspn(s, " \t'\"`");
		log_bytes(b, s, n > TOKEN_SHOWN ? TOKEN_SHOWN : n);
		if (n > TOKEN_SHOWN)
			buf_adds(b, ELLIPSIS);
		s += n;
	}
	buf_adds(b, s);
}

static void
log_request(const struct request *rq, const char *version,
    unsigned status, size_t size)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s: %s \"", argv0, rq->ip);
	log_bytes(&b, rq->method, strlen(rq->method));
	buf_addc(&b, ' ');
	log_path(&b, rq->path);
	buf_addc(&b, ' ');
	log_bytes(&b, version, strlen(version));
	buf_printf(&b, "\" %u %zu\n", status, size);
	/* One write, so that the pool's lines do not interleave. */
	fwrite(b.s, 1, b.len, stderr);
	buf_free(&b);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];
	struct buf b = { 0 };

	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	redact(&b, msg);
	landing_warn("libmicrohttpd: %s", b.s ? b.s : "");
	buf_free(&b);
}

/* --- replies --------------------------------------------------------- */

static int
headers(struct MHD_Response *r, const struct reply *rp)
{
	const char *type = rp->type ? rp->type : "text/html; charset=utf-8";
	const char *cache = rp->cache ? "public, max-age=86400" : "no-store";
	char retry[16];

	if (MHD_add_response_header(r, "Content-Type", type) != MHD_YES ||
	    MHD_add_response_header(r, "Content-Security-Policy", CSP) !=
	    MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") !=
	    MHD_YES ||
	    MHD_add_response_header(r, "Referrer-Policy", "no-referrer") !=
	    MHD_YES ||
	    MHD_add_response_header(r, "Cache-Control", cache) != MHD_YES)
		return -1;
	if (rp->allow && MHD_add_response_header(r, "Allow", rp->allow) !=
	    MHD_YES)
		return -1;
	if (rp->challenge && MHD_add_response_header(r, "WWW-Authenticate",
	    "Bearer") != MHD_YES)
		return -1;
	snprintf(retry, sizeof retry, "%u", rp->retry);
	if (rp->retry && MHD_add_response_header(r, "Retry-After", retry) !=
	    MHD_YES)
		return -1;
	return 0;
}

/* Queue the reply; its body goes to libmicrohttpd, which frees it. */
static enum MHD_Result
send_reply(struct MHD_Connection *c, const struct request *rq,
    const char *version, struct reply *rp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len;

	if (rp->fixed) {
		len = rp->fixedlen;
		r = MHD_create_response_from_buffer(len, (void *)rp->fixed,
		    MHD_RESPMEM_PERSISTENT);
	} else if (rp->body.s) {
		len = rp->body.len;
		r = MHD_create_response_from_buffer(len, rp->body.s,
		    MHD_RESPMEM_MUST_FREE);
		if (r)
			rp->body.s = NULL;
	} else {
		len = 0;
		r = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
	}
	buf_free(&rp->body);
	if (!r || headers(r, rp) < 0) {
		if (r)
			MHD_destroy_response(r);
		return MHD_NO;
	}
	log_request(rq, version, rp->status, len);
	ret = MHD_queue_response(c, rp->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* --- routing --------------------------------------------------------- */

static void
not_allowed(struct reply *rp, const char *allow)
{
	reply_text(rp, 405, "method not allowed\n");
	rp->allow = allow;
}

static void
stylesheet(struct reply *rp)
{
	rp->status = 200;
	rp->type = "text/css; charset=utf-8";
	rp->fixed = style_css;
	rp->fixedlen = style_css_len;
	rp->cache = 1;
}

static void
too_many(struct reply *rp, unsigned wait)
{
	reply_text(rp, 429, "too many requests\n");
	rp->retry = wait;
	rp->challenge = 0;
	rp->allow = NULL;
}

/* A failed check of a link (404, 410) or of the API key (401) costs the
 * address one of its bad_token_rate; over it, the answer is 429. */
static void
failed_check(const struct request *rq, struct reply *rp)
{
	unsigned wait;

	if ((wait = limit_take(LIMIT_BAD, rq->ip)) != 0)
		too_many(rp, wait);
}

static void
route(const struct landing *l, const struct request *rq, struct reply *rp)
{
	const char *p = rq->path;
	int get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
	int post = !strcmp(rq->method, "POST");

	if (!strncmp(p, "/c/", 3)) {
		if (get)
			answer_get(l, rq, p + 3, rp);
		else if (post)
			answer_post(l, rq, p + 3, rp);
		else
			not_allowed(rp, "GET, HEAD, POST");
		if (rp->status == 404 || rp->status == 410)
			failed_check(rq, rp);
	} else if (!strcmp(p, "/style.css")) {
		if (get)
			stylesheet(rp);
		else
			not_allowed(rp, "GET, HEAD");
	} else if (!strcmp(p, "/api/v1/answers")) {
		if (get)
			api_answers(l, rq, rp);
		else
			not_allowed(rp, "GET, HEAD");
		if (rp->status == 401)
			failed_check(rq, rp);
	} else
		reply_text(rp, 404, "not found\n");
}

static void
make_request(struct request *rq, struct MHD_Connection *c, const char *url,
    const char *method, const struct exchange *x)
{
	rq->method = method;
	rq->path = url;
	rq->body = x->body.s ? x->body.s : "";
	rq->bodylen = x->body.len;
	rq->conn = c;
	client_ip(c, rq->ip);
}

static enum MHD_Result
too_big(struct MHD_Connection *c, const char *url, const char *method,
    const char *version, struct exchange *x)
{
	struct request rq;
	struct reply rp = { 0 };

	make_request(&rq, c, url, method, x);
	reply_text(&rp, 413, "request body too large\n");
	return send_reply(c, &rq, version, &rp);
}

/* No reply can be queued while a body comes in: log the refusal and
 * close the connection. */
static enum MHD_Result
too_much(struct MHD_Connection *c, const char *url, const char *method,
    const char *version, struct exchange *x)
{
	struct request rq;

	make_request(&rq, c, url, method, x);
	log_request(&rq, version, 413, 0);
	x->replied = 1;
	return MHD_NO;
}

/* A POST takes one of the address's post_rate; over it, the answer is
 * 429 before a byte of the body is read.  0, or -1 with the reply
 * queued (its result in ret). */
static int
post_limited(struct MHD_Connection *c, const char *url, const char *method,
    const char *version, struct exchange *x, enum MHD_Result *ret)
{
	struct request rq;
	struct reply rp = { 0 };
	unsigned wait;

	make_request(&rq, c, url, method, x);
	if ((wait = limit_take(LIMIT_POST, rq.ip)) == 0)
		return 0;
	x->replied = 1;
	too_many(&rp, wait);
	*ret = send_reply(c, &rq, version, &rp);
	return -1;
}

static int
declared_too_big(struct MHD_Connection *c)
{
	const char *s = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);

	return s && strtoull(s, NULL, 10) > BODY_MAX;
}

/* libmicrohttpd calls this once with the headers, once for every piece
 * of the body, and once more when the body is complete: only the first
 * and the last may queue a reply. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	struct exchange *x = *ctx;
	struct request rq;
	struct reply rp = { 0 };
	size_t n = *upload_size;
	enum MHD_Result ret;

	if (!x) {
		/* Refuse a body announced too big before a byte of it is
		 * read (and before "100 Continue"). */
		*ctx = x = ecalloc(1, sizeof *x);
		if (!strcmp(method, "POST") &&
		    post_limited(c, url, method, version, x, &ret) < 0)
			return ret;
		if (declared_too_big(c)) {
			x->replied = 1;
			return too_big(c, url, method, version, x);
		}
		return MHD_YES;
	}
	if (n) {
		*upload_size = 0;
		x->seen = n > DISCARD_MAX - x->seen ? DISCARD_MAX + 1 :
		    x->seen + n;
		if (x->seen > DISCARD_MAX)
			return too_much(c, url, method, version, x);
		if (x->seen <= BODY_MAX && !strcmp(method, "POST"))
			buf_add(&x->body, upload, n);
		return MHD_YES;
	}
	if (x->replied)
		return MHD_YES;
	if (x->seen > BODY_MAX)
		return too_big(c, url, method, version, x);
	make_request(&rq, c, url, method, x);
	route(cls, &rq, &rp);
	return send_reply(c, &rq, version, &rp);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_RequestTerminationCode why)
{
	struct exchange *x = *ctx;

	if (!x)
		return;
	buf_free(&x->body);
	free(x);
	*ctx = NULL;
}

struct MHD_Daemon *
http_start(struct landing *l, int fd, unsigned threads)
{
	/* MHD_USE_AUTO: epoll on Linux, poll or select elsewhere. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG;

	limit_init(&l->post_rate, &l->bad_rate);
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, l->timeout ? l->timeout :
	    (unsigned)TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, l->per_ip,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
}

void
http_stop(struct MHD_Daemon *d)
{
	MHD_stop_daemon(d);
}
