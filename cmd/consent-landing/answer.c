/* answer: the page behind a customer's link, GET and POST /c/TOKEN.
 *
 * The token is the only thing the service learns: the request's number,
 * its purposes, its language and when it expires.  A token that does
 * not verify gets the bad-link page (404), an expired one the expired
 * page (410); neither records anything.  A POST records, per purpose of
 * the token still active in the configuration, the answer that differs
 * from the current one: ticked is granted; unticked is withdrawn after a
 * grant, denied when there was no answer, and no change after a denial
 * or a withdrawal, so that sending the same choices again records
 * nothing.  The confirmation is the POST's own answer (200), not a
 * redirect: one round trip less on a phone, and nothing to lose between
 * the two. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "landing.h"
#include "records.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

/* One exchange on a link. */
struct page {
	struct token t;
	struct view v;
	struct choice c[TOKEN_PURPOSES_MAX];
	enum answer cur[TOKEN_PURPOSES_MAX];
	struct buf text;
	char sha[SHA256_HEX];
	char now[TIME_RFC3339_LEN];
};

/* [company] info.LANG, else the company language's. */
static const char *
info_text(const struct config *cfg, const char *lang)
{
	char key[32];
	const char *v;

	snprintf(key, sizeof key, "info.%s", lang);
	if ((v = config_get(cfg, "company", key)) && *v)
		return v;
	snprintf(key, sizeof key, "info.%s", config_company_lang(cfg));
	if ((v = config_get(cfg, "company", key)) && *v)
		return v;
	return "";
}

static void
set_view(const struct landing *l, struct page *pg, const char *lang)
{
	pg->v.ui = ui_pick(l->cfg, lang);
	pg->v.company = l->company;
	pg->v.policy = l->policy;
	pg->v.info = info_text(l->cfg, pg->v.ui->lang);
	pg->v.c = pg->c;
}

/* The token's purposes that the configuration still asks for, in the
 * configuration's order. */
static void
set_choices(const struct landing *l, struct page *pg)
{
	size_t i, n = config_npurposes(l->cfg);
	const struct purpose *p;

	for (i = 0; i < n && i < TOKEN_PURPOSES_MAX; i++) {
		p = config_purpose_at(l->cfg, i);
		if (!(pg->t.purposes & 1u << i) || !p->active)
			continue;
		pg->c[pg->v.n].name = p->name;
		pg->c[pg->v.n].title = config_purpose_title(l->cfg, p->name,
		    pg->v.ui->lang);
		pg->v.n++;
	}
}

/* 0 for a good token; else the reply is the bad-link or expired page. */
static int
open_link(const struct landing *l, const char *tok, struct page *pg,
    struct reply *rp)
{
	int64_t now = landing_now();

	time_format(now, pg->now);
	if (token_verify(l->secret, l->secretlen, tok, &pg->t) < 0 ||
	    pg->t.kind != TOKEN_REQUEST) {
		/* Nothing in it can be trusted, the language neither. */
		set_view(l, pg, NULL);
		page_bad(&rp->body, &pg->v);
		rp->status = 404;
		return -1;
	}
	set_view(l, pg, pg->t.lang);
	if (now > pg->t.expires) {
		page_expired(&rp->body, &pg->v);
		rp->status = 410;
		return -1;
	}
	pg->v.token = tok;
	pg->v.expires = pg->t.expires;
	set_choices(l, pg);
	shown_text(&pg->text, &pg->v);
	shown_hash(&pg->text, pg->sha);
	return 0;
}

static void
failed(struct page *pg, struct ldb *db, struct reply *rp)
{
	if (db)
		landing_warn("%s", ldb_errmsg(db));
	buf_reset(&rp->body);
	page_failed(&rp->body, &pg->v);
	rp->status = 500;
}

static void
page_free(struct page *pg)
{
	buf_free(&pg->text);
}

void
answer_get(const struct landing *l, const struct request *rq,
    const char *tok, struct reply *rp)
{
	struct page pg = { 0 };
	struct ldb *db;
	size_t i;

	if (open_link(l, tok, &pg, rp) < 0)
		goto out;
	if (!(db = ldb_get()) || ldb_current(db, pg.t.subject, pg.c, pg.v.n,
	    pg.cur, &pg.v.earlier) < 0) {
		failed(&pg, db, rp);
		goto out;
	}
	for (i = 0; i < pg.v.n; i++)
		pg.c[i].ticked = pg.cur[i] == A_GRANTED;
	/* Kept when first shown; an answer keeps it again in its own
	 * transaction, so a failure here loses no evidence. */
	if (ldb_text(db, pg.sha, pg.v.ui->lang, pg.text.s, pg.now) < 0)
		landing_warn("%s", ldb_errmsg(db));
	page_form(&rp->body, &pg.v);
	rp->status = 200;
out:
	page_free(&pg);
}

static int
tick(void *arg, const char *name, const char *value)
{
	struct page *pg = arg;
	size_t i;

	if (strcmp(name, "p") != 0)
		return 0;
	for (i = 0; i < pg->v.n; i++)
		if (!strcmp(pg->c[i].name, value))
			pg->c[i].ticked = 1;
	return 0;
}

static enum answer
decide(int ticked, enum answer cur)
{
	if (ticked)
		return A_GRANTED;
	if (cur == A_GRANTED)
		return A_WITHDRAWN;
	return cur == A_NONE ? A_DENIED : cur;
}

/* The user agent as evidence: at most UA_MAX bytes, cut between
 * characters; control characters and bytes that are not UTF-8 become
 * '?' so that the CSV of the API stays text. */
static void
clean_ua(const char *s, char out[UA_MAX + 1])
{
	size_t n = s ? strlen(s) : 0, i;
	int utf8;

	if (n > UA_MAX) {
		n = UA_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
	utf8 = utf8_valid(out, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			out[i] = '?';
	}
}

/* Record what changed, in one transaction. */
static int
record(const struct request *rq, struct ldb *db, struct page *pg)
{
	char ua[UA_MAX + 1];
	struct answer_row a = { 0 };
	enum answer now;
	size_t i;
	int any, n = 0;

	clean_ua(req_header(rq, "User-Agent"), ua);
	a.request = pg->t.subject;
	a.at = pg->now;
	a.ip = rq->ip;
	a.user_agent = ua;
	a.text_sha256 = pg->sha;
	if (ldb_begin(db) < 0)
		return -1;
	if (ldb_current(db, pg->t.subject, pg->c, pg->v.n, pg->cur, &any) < 0)
		goto fail;
	for (i = 0; i < pg->v.n; i++) {
		now = decide(pg->c[i].ticked, pg->cur[i]);
		if (now == pg->cur[i])
			continue;
		if (n++ == 0 && ldb_text(db, pg->sha, pg->v.ui->lang,
		    pg->text.s, pg->now) < 0)
			goto fail;
		a.purpose = pg->c[i].name;
		a.answer = answer_name(now);
		if (ldb_add(db, &a) < 0)
			goto fail;
	}
	return ldb_commit(db);
fail:
	ldb_rollback(db);
	return -1;
}

void
answer_post(const struct landing *l, const struct request *rq,
    const char *tok, struct reply *rp)
{
	const char *type = req_header(rq, "Content-Type");
	struct page pg = { 0 };
	struct ldb *db = NULL;

	if (open_link(l, tok, &pg, rp) < 0)
		goto out;
	if (rq->bodylen > 0 && (!type || strncasecmp(type, FORM_TYPE,
	    strlen(FORM_TYPE)) != 0)) {
		reply_text(rp, 415, "want " FORM_TYPE "\n");
		goto out;
	}
	form_each(rq->body, rq->bodylen, tick, &pg);
	if (!(db = ldb_get()) || record(rq, db, &pg) < 0) {
		failed(&pg, db, rp);
		goto out;
	}
	page_done(&rp->body, &pg.v);
	rp->status = 200;
out:
	page_free(&pg);
}
