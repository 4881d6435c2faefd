/* pages: the HTML of the pages a customer sees.  Plain HTML without a
 * line of script, styled by the one stylesheet; every text from the
 * configuration is escaped, since a company name with an ampersand is
 * as likely as a purpose title with a quote.
 *
 * The links are relative ("../style.css", the form posting to the token
 * itself), so that the pages work under whatever path a reverse proxy
 * puts the service. */
#include <stdlib.h>
#include <string.h>

#include "landing.h"

void
html_escape(struct buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *e;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_adds(b, e);
		run = s + 1;
	}
	buf_adds(b, run);
}

/* The same for n bytes of s. */
static void
escape_n(struct buf *b, const char *s, size_t n)
{
	char *t = estrndup(s, n);

	html_escape(b, t);
	free(t);
}

static void
head(struct buf *b, const struct view *v, const char *what)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width,"
	    " initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
	    "<title>", v->ui->lang);
	if (*v->company) {
		html_escape(b, v->company);
		buf_adds(b, ": ");
	}
	html_escape(b, what);
	buf_adds(b, "</title>\n<link rel=\"stylesheet\" href=\"../style.css\">"
	    "\n</head>\n<body>\n<main>\n");
	if (*v->company) {
		buf_adds(b, "<h1>");
		html_escape(b, v->company);
		buf_adds(b, "</h1>\n");
	}
}

static void
tail(struct buf *b, const struct view *v)
{
	if (v->policy && *v->policy) {
		buf_adds(b, "<p class=\"policy\"><a href=\"");
		html_escape(b, v->policy);
		buf_adds(b, "\">");
		html_escape(b, v->ui->policy);
		buf_adds(b, "</a></p>\n");
	}
	buf_adds(b, "</main>\n</body>\n</html>\n");
}

/* A paragraph; its text as written: a line break in the configuration
 * is one on the page. */
static void
para(struct buf *b, const char *cls, const char *s, size_t n)
{
	const char *nl;

	buf_adds(b, cls ? "<p class=\"" : "<p>");
	if (cls) {
		buf_adds(b, cls);
		buf_adds(b, "\">");
	}
	while ((nl = memchr(s, '\n', n))) {
		escape_n(b, s, (size_t)(nl - s));
		buf_adds(b, "<br>\n");
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	escape_n(b, s, n);
	buf_adds(b, "</p>\n");
}

/* The information text: a blank line in it (a blank continuation line
 * in the configuration) starts a new paragraph. */
static void
info(struct buf *b, const char *s)
{
	const char *end;

	while (*s == '\n')
		s++;
	while (*s) {
		end = strstr(s, "\n\n");
		if (!end)
			end = s + strlen(s);
		para(b, "info", s, (size_t)(end - s));
		s = end;
		while (*s == '\n')
			s++;
	}
}

static void
checkbox(struct buf *b, const struct choice *c)
{
	buf_adds(b, "<div class=\"purpose\"><input type=\"checkbox\" name=\"p\""
	    " value=\"");
	html_escape(b, c->name);
	buf_adds(b, "\" id=\"p-");
	html_escape(b, c->name);
	buf_adds(b, c->ticked ? "\" checked>" : "\">");
	buf_adds(b, "<label for=\"p-");
	html_escape(b, c->name);
	buf_adds(b, "\">");
	html_escape(b, c->title);
	buf_adds(b, "</label></div>\n");
}

void
page_form(struct buf *b, const struct view *v)
{
	size_t i;

	head(b, v, v->ui->title);
	info(b, v->info);
	if (v->earlier)
		para(b, "earlier", v->ui->earlier, strlen(v->ui->earlier));
	buf_adds(b, "<form method=\"post\" action=\"");
	html_escape(b, v->token);
	buf_adds(b, "\">\n<fieldset>\n<legend>");
	html_escape(b, v->ui->choose);
	buf_adds(b, "</legend>\n");
	for (i = 0; i < v->n; i++)
		checkbox(b, &v->c[i]);
	buf_adds(b, "</fieldset>\n<p><button type=\"submit\">");
	html_escape(b, v->ui->button);
	buf_adds(b, "</button></p>\n</form>\n");
	tail(b, v);
}

/* "... until {date}." with the date put in. */
static void
until(struct buf *b, const struct view *v)
{
	const char *s = v->ui->until, *at = strstr(s, "{date}");
	char date[TIME_DATE_LEN];

	ui_date(v->ui, v->expires, date);
	buf_adds(b, "<p>");
	if (at) {
		escape_n(b, s, (size_t)(at - s));
		html_escape(b, date);
		html_escape(b, at + strlen("{date}"));
	} else
		html_escape(b, s);
	buf_adds(b, "</p>\n");
}

void
page_done(struct buf *b, const struct view *v)
{
	size_t i;

	head(b, v, v->ui->thanks);
	buf_adds(b, "<h2>");
	html_escape(b, v->ui->thanks);
	buf_adds(b, "</h2>\n<ul class=\"answers\">\n");
	for (i = 0; i < v->n; i++) {
		buf_adds(b, "<li>");
		html_escape(b, v->c[i].title);
		buf_adds(b, ": <strong>");
		html_escape(b, v->c[i].ticked ? v->ui->yes : v->ui->no);
		buf_adds(b, "</strong></li>\n");
	}
	buf_adds(b, "</ul>\n");
	until(b, v);
	buf_adds(b, "<p class=\"again\"><a href=\"");
	html_escape(b, v->token);
	buf_adds(b, "\">");
	html_escape(b, v->ui->again);
	buf_adds(b, "</a></p>\n");
	tail(b, v);
}

/* The error pages say what went wrong and nothing else: no form, and
 * nothing about the request. */
static void
notice(struct buf *b, const struct view *v, const char *title,
    const char *text)
{
	head(b, v, title);
	buf_adds(b, "<h2>");
	html_escape(b, title);
	buf_adds(b, "</h2>\n");
	para(b, NULL, text, strlen(text));
	tail(b, v);
}

void
page_bad(struct buf *b, const struct view *v)
{
	notice(b, v, v->ui->bad_title, v->ui->bad_text);
}

void
page_expired(struct buf *b, const struct view *v)
{
	notice(b, v, v->ui->expired_title, v->ui->expired_text);
}

void
page_failed(struct buf *b, const struct view *v)
{
	notice(b, v, v->ui->title, v->ui->failed);
}
