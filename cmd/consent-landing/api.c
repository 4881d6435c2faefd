/* api: GET /api/v1/answers?after=SEQ[&limit=N], the answers for
 * consent-sync, as CSV (RFC 4180, LF line ends):
 *
 *	seq,request,purpose,answer,at,ip,user_agent,text_sha256
 *
 * Only for a caller with the key of [landing] api_key_file as a Bearer
 * token; without that key configured the API does not exist (404).  The
 * rows returned are marked fetched, and answers fetched longer than
 * [landing] keep ago are purged, all in one transaction: the service
 * keeps client addresses no longer than it must. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "landing.h"
#include "records.h"

#define LIMIT_DEFAULT 10000
#define LIMIT_MAX 100000

/* Compared as hashes, so that the time taken says nothing about how
 * much of a guessed key was right, whatever its length. */
static int
authorized(const struct landing *l, const char *h)
{
	unsigned char got[sizeof l->apikey];
	size_t n;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	while (*h == ' ')
		h++;
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	crypto_generichash(got, sizeof got, (const unsigned char *)h, n, NULL,
	    0);
	return sodium_memcmp(got, l->apikey, sizeof got) == 0;
}

/* A count in decimal digits, at most max; -1 for anything else. */
static int
parse_count(const char *s, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

static int
parse_args(const struct request *rq, int64_t *after, int64_t *limit,
    struct reply *rp)
{
	const char *a = req_arg(rq, "after"), *n = req_arg(rq, "limit");

	*after = 0;
	*limit = LIMIT_DEFAULT;
	if (a && parse_count(a, INT64_MAX, after) < 0) {
		reply_text(rp, 400, "after: want a sequence number\n");
		return -1;
	}
	if (n && (parse_count(n, LIMIT_MAX, limit) < 0 || *limit == 0)) {
		reply_text(rp, 400, "limit: want 1 to 100000\n");
		return -1;
	}
	return 0;
}

static void
write_row(void *arg, const struct answer_row *a)
{
	char seq[24], req[24];
	const char *f[8];

	snprintf(seq, sizeof seq, "%lld", (long long)a->seq);
	snprintf(req, sizeof req, "%lld", (long long)a->request);
	f[0] = seq;
	f[1] = req;
	f[2] = a->purpose;
	f[3] = a->answer;
	f[4] = a->at;
	f[5] = a->ip;
	f[6] = a->user_agent;
	f[7] = a->text_sha256;
	writer_row(arg, 8, f);
}

static int
fetch(const struct landing *l, struct ldb *db, const char *method,
    int64_t after, int64_t limit, FILE *fp)
{
	static const char *const head[] = { "seq", "request", "purpose",
		"answer", "at", "ip", "user_agent", "text_sha256" };
	char now[TIME_RFC3339_LEN], cutoff[TIME_RFC3339_LEN];
	int64_t t = landing_now();
	struct writer w;

	time_format(t, now);
	time_format(time_add(t, &l->keep, -1), cutoff);
	writer_init(&w, fp, ',', 0, 0);
	writer_row(&w, 8, head);
	/* HEAD is to be safe: it marks and purges nothing. */
	return ldb_fetch(db, after, limit, strcmp(method, "HEAD") ? now : NULL,
	    cutoff, write_row, &w);
}

void
api_answers(const struct landing *l, const struct request *rq,
    struct reply *rp)
{
	struct ldb *db;
	int64_t after, limit;
	char *csv = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	if (!l->api) {
		reply_text(rp, 404, "not found\n");
		return;
	}
	if (!authorized(l, req_header(rq, "Authorization"))) {
		reply_text(rp, 401, "unauthorized: send the API key as"
		    " Authorization: Bearer KEY\n");
		rp->challenge = 1;
		return;
	}
	if (parse_args(rq, &after, &limit, rp) < 0)
		return;
	if (!(db = ldb_get()) || !(fp = open_memstream(&csv, &len))) {
		reply_text(rp, 500, "internal error\n");
		return;
	}
	rc = fetch(l, db, rq->method, after, limit, fp);
	if (fclose(fp) != 0 || rc < 0) {
		if (rc < 0)
			landing_warn("%s", ldb_errmsg(db));
		free(csv);
		reply_text(rp, 500, "internal error\n");
		return;
	}
	rp->status = 200;
	rp->type = "text/csv; charset=utf-8";
	rp->body.s = csv;
	rp->body.len = len;
	rp->body.cap = len + 1;
}
