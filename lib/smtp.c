/* smtp: SMTP delivery through libcurl's easy interface.  The server's
 * replies are caught through the debug callback: libcurl reports only the
 * code of the last one, and the text ("550 5.1.1 <x@y>: no such user")
 * is what the office needs to see in the request's detail. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "smtp.h"
#include "util.h"

struct smtp {
	CURL *curl;
	char *url, *from, *user, *password, *ca_file;
	int starttls;
	/* the message being uploaded */
	const char *msg;
	size_t len, off;
	char reply[512];	/* the server's last reply line */
	/* its first reply with a 4xx or 5xx code: after it libcurl says
	 * RSET or QUIT, and "221 Bye" would hide why the message failed */
	char failure[512];
	char errbuf[CURL_ERROR_SIZE];
};

static size_t
read_message(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct smtp *m = arg;
	size_t n = size * nmemb;

	if (n > m->len - m->off)
		n = m->len - m->off;
	memcpy(dst, m->msg + m->off, n);
	m->off += n;
	return n;
}

static void
keep_line(char *dst, size_t dstsz, const char *data, size_t n)
{
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, data, n);
	dst[n] = '\0';
}

/* Keep the last line the server sent, and its first failure. */
static int
catch_reply(CURL *c, curl_infotype type, char *data, size_t n, void *arg)
{
	struct smtp *m = arg;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	keep_line(m->reply, sizeof m->reply, data, n);
	if (!m->failure[0] && n > 0 && (data[0] == '4' || data[0] == '5'))
		keep_line(m->failure, sizeof m->failure, data, n);
	return 0;
}

static int
yes_no(const char *v, int fallback, int *out)
{
	if (!v || !*v) {
		*out = fallback;
		return 0;
	}
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	    !strcmp(v, "1")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
	    !strcmp(v, "0")) {
		*out = 0;
		return 0;
	}
	return -1;
}

static const char *
setting(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, "smtp", key);

	return v && *v ? v : NULL;
}

static int
read_settings(struct smtp *m, const struct config *cfg, char *err,
    size_t errsz)
{
	const char *url = setting(cfg, "url"), *from = setting(cfg, "from");
	const char *user = setting(cfg, "user");
	size_t len;

	if (!url) {
		snprintf(err, errsz, "no [smtp] url in the configuration");
		return -1;
	}
	if (strncasecmp(url, "smtp://", 7) && strncasecmp(url, "smtps://", 8)) {
		snprintf(err, errsz, "[smtp] url: '%s' is neither smtp:// nor"
		    " smtps://", url);
		return -1;
	}
	if (!from || !strchr(from, '@') || strpbrk(from, "<> \t\r\n")) {
		snprintf(err, errsz, "[smtp] from: %s", from ?
		    "not an e-mail address" : "missing");
		return -1;
	}
	if (yes_no(config_get(cfg, "smtp", "starttls"), 1, &m->starttls) < 0) {
		snprintf(err, errsz, "[smtp] starttls: yes or no");
		return -1;
	}
	m->url = estrdup(url);
	m->from = estrdup(from);
	if (setting(cfg, "ca_file"))
		m->ca_file = estrdup(setting(cfg, "ca_file"));
	if (user) {
		m->user = estrdup(user);
		m->password = config_read_secret(cfg, "smtp", "password_file",
		    &len, err, errsz);
		if (!m->password)
			return -1;
	}
	return 0;
}

static void
set_options(struct smtp *m)
{
	CURL *c = m->curl;

	curl_easy_setopt(c, CURLOPT_URL, m->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, SEND_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, SEND_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, m->errbuf);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, m);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, catch_reply);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, m);
	/* smtps:// is TLS from the first byte; for smtp:// this makes
	 * STARTTLS a must, so that a server (or a man in the middle) that
	 * does not offer it fails the run instead of getting plain text */
	if (m->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (m->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, m->ca_file);
	if (m->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
	}
}

struct smtp *
smtp_open(const struct config *cfg, char *err, size_t errsz)
{
	struct smtp *m = ecalloc(1, sizeof *m);

	if (read_settings(m, cfg, err, errsz) < 0) {
		smtp_close(m);
		return NULL;
	}
	if (!(m->curl = curl_easy_init())) {
		snprintf(err, errsz, "cannot start libcurl");
		smtp_close(m);
		return NULL;
	}
	set_options(m);
	return m;
}

void
smtp_close(struct smtp *m)
{
	if (!m)
		return;
	if (m->curl)
		curl_easy_cleanup(m->curl);
	if (m->password) {
		memset(m->password, 0, strlen(m->password));
		free(m->password);
	}
	free(m->url);
	free(m->from);
	free(m->user);
	free(m->ca_file);
	free(m);
}

const char *
smtp_from(const struct smtp *m)
{
	return m->from;
}

/* What a failed transfer means for this message and for the run. */
static enum send_result
classify(CURLcode rc, long code)
{
	switch (rc) {
	case CURLE_LOGIN_DENIED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return SEND_FATAL;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return SEND_DOWN;
	default:
		break;
	}
	if (code >= 500 && code < 600)
		return code == 530 || code == 535 ? SEND_FATAL : SEND_PERM;
	return SEND_TEMP;
}

enum send_result
smtp_send(struct smtp *m, const char *to, const char *msg, size_t len,
    char *detail, size_t detailsz)
{
	struct curl_slist *rcpt;
	char addr[512];
	CURLcode rc;
	long code = 0;

	snprintf(addr, sizeof addr, "<%s>", to);
	rcpt = curl_slist_append(NULL, addr);
	snprintf(addr, sizeof addr, "<%s>", m->from);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(m->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	m->msg = msg;
	m->len = len;
	m->off = 0;
	m->reply[0] = m->failure[0] = m->errbuf[0] = '\0';
	rc = curl_easy_perform(m->curl);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		snprintf(detail, detailsz, "%s", m->reply);
		return SEND_OK;
	}
	/* a reply with a code says more than libcurl's summary of it */
	if (code >= 400 && (m->failure[0] || m->reply[0]))
		snprintf(detail, detailsz, "%s", m->failure[0] ? m->failure :
		    m->reply);
	else
		snprintf(detail, detailsz, "%s", m->errbuf[0] ? m->errbuf :
		    curl_easy_strerror(rc));
	return classify(rc, code);
}
