/* smsgw: the HTTP SMS gateway client. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "smsgw.h"
#include "util.h"

#define DEFAULT_BODY "to={mobile}&text={text}"
/* What is kept of the gateway's answer: its first line, for the detail. */
#define ANSWER_MAX 256

struct smsgw {
	CURL *curl;
	struct curl_slist *headers;
	char *body;		/* the template */
	char answer[ANSWER_MAX];
	size_t answerlen;
	char errbuf[CURL_ERROR_SIZE];
};

int
smsgw_configured(const struct config *cfg)
{
	const char *url = config_get(cfg, "sms", "url");

	return url && *url;
}

static size_t
keep_answer(char *data, size_t size, size_t nmemb, void *arg)
{
	struct smsgw *g = arg;
	size_t n = size * nmemb, room = sizeof g->answer - 1 - g->answerlen;

	memcpy(g->answer + g->answerlen, data, n < room ? n : room);
	g->answerlen += n < room ? n : room;
	g->answer[g->answerlen] = '\0';
	return n;
}

static int
auth_header(struct smsgw *g, const struct config *cfg, char *err,
    size_t errsz)
{
	const char *kf = config_get(cfg, "sms", "key_file");
	struct buf h = { 0 };
	size_t len;
	char *key;

	if (!kf || !*kf)
		return 0;
	if (!(key = config_read_secret(cfg, "sms", "key_file", &len, err,
	    errsz)))
		return -1;
	buf_printf(&h, "Authorization: Bearer %s", key);
	g->headers = curl_slist_append(g->headers, h.s);
	memset(h.s, 0, h.len);
	memset(key, 0, len);
	buf_free(&h);
	free(key);
	return 0;
}

struct smsgw *
smsgw_open(const struct config *cfg, char *err, size_t errsz)
{
	const char *url = config_get(cfg, "sms", "url");
	const char *body = config_get(cfg, "sms", "body");
	const char *ca = config_get(cfg, "sms", "ca_file");
	struct smsgw *g = ecalloc(1, sizeof *g);

	if (!url || (strncasecmp(url, "https://", 8) &&
	    strncasecmp(url, "http://", 7))) {
		snprintf(err, errsz, "[sms] url: %s", url ?
		    "neither http:// nor https://" : "missing");
		goto fail;
	}
	g->body = estrdup(body && *body ? body : DEFAULT_BODY);
	if (auth_header(g, cfg, err, errsz) < 0)
		goto fail;
	if (!(g->curl = curl_easy_init())) {
		snprintf(err, errsz, "cannot start libcurl");
		goto fail;
	}
	curl_easy_setopt(g->curl, CURLOPT_URL, url);
	curl_easy_setopt(g->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(g->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(g->curl, CURLOPT_CONNECTTIMEOUT,
	    SEND_CONNECT_TIMEOUT);
	curl_easy_setopt(g->curl, CURLOPT_TIMEOUT, SEND_TIMEOUT);
	curl_easy_setopt(g->curl, CURLOPT_ERRORBUFFER, g->errbuf);
	curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, g->headers);
	curl_easy_setopt(g->curl, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(g->curl, CURLOPT_WRITEDATA, g);
	curl_easy_setopt(g->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(g->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && *ca)
		curl_easy_setopt(g->curl, CURLOPT_CAINFO, ca);
	return g;
fail:
	smsgw_close(g);
	return NULL;
}

void
smsgw_close(struct smsgw *g)
{
	if (!g)
		return;
	if (g->curl)
		curl_easy_cleanup(g->curl);
	curl_slist_free_all(g->headers);
	free(g->body);
	free(g);
}

/* The form body: the template with {mobile} and {text} URL-encoded. */
static void
form_body(struct smsgw *g, const char *mobile, const char *text,
    struct buf *out)
{
	const char *p = g->body;

	buf_adds(out, "");
	while (*p) {
		const char *val = NULL;
		size_t skip = 0;

		if (!strncmp(p, "{mobile}", 8)) {
			val = mobile;
			skip = 8;
		} else if (!strncmp(p, "{text}", 6)) {
			val = text;
			skip = 6;
		}
		if (val) {
			char *esc = curl_easy_escape(g->curl, val, 0);

			buf_adds(out, esc ? esc : "");
			curl_free(esc);
			p += skip;
		} else
			buf_addc(out, *p++);
	}
}

static enum send_result
classify(CURLcode rc, long status)
{
	if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE ||
	    rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
		return SEND_FATAL;
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		return SEND_DOWN;
	if (rc != CURLE_OK)
		return SEND_TEMP;
	if (status >= 200 && status < 300)
		return SEND_OK;
	if (status == 401 || status == 403)
		return SEND_FATAL;
	if (status == 408 || status == 429 || status >= 500)
		return SEND_TEMP;
	return SEND_PERM;
}

enum send_result
smsgw_send(struct smsgw *g, const char *mobile, const char *text,
    char *detail, size_t detailsz)
{
	struct buf body = { 0 };
	CURLcode rc;
	long status = 0;
	size_t n;

	form_body(g, mobile, text, &body);
	curl_easy_setopt(g->curl, CURLOPT_POSTFIELDS, body.s);
	curl_easy_setopt(g->curl, CURLOPT_POSTFIELDSIZE, (long)body.len);
	g->answerlen = 0;
	g->answer[0] = g->errbuf[0] = '\0';
	rc = curl_easy_perform(g->curl);
	buf_free(&body);
	if (rc != CURLE_OK) {
		snprintf(detail, detailsz, "%s", g->errbuf[0] ? g->errbuf :
		    curl_easy_strerror(rc));
		return classify(rc, 0);
	}
	curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &status);
	n = strcspn(g->answer, "\r\n");
	snprintf(detail, detailsz, "HTTP %ld%s%.*s", status, n ? ": " : "",
	    (int)n, g->answer);
	return classify(rc, status);
}
