/* template: the texts of consent requests, per language.  A text comes
 * from [template.LANG] in the configuration, else from the built-in
 * templates (nb, sv, da, fi, en), each key on its own.  Knows no store
 * and no network. */
#ifndef CONSENT_TEMPLATE_H
#define CONSENT_TEMPLATE_H

struct config;

/* The keys of [template.LANG]: subject, body, sms, and reminder (the word
 * put before the subject and the SMS text of a reminder). */
enum template_key { TPL_SUBJECT, TPL_BODY, TPL_SMS, TPL_REMINDER };

/* Is there a text for lang, configured or built in? */
int template_has_lang(const struct config *cfg, const char *lang);

/* The text of key in lang: [template.LANG] key, else the built-in one for
 * lang, else NULL (the caller picks another language).  The built-in body
 * links the privacy policy when [company] policy_url is set. */
const char *template_text(const struct config *cfg, const char *lang,
    enum template_key key);

struct template_vars {
	const char *name, *company, *link, *purposes, *policy;
};

/* Expand {name}, {company}, {link}, {purposes} and {policy} in text; other braces
 * stay as they are.  An empty {name} takes the blank before it along
 * ("Hello {name}," gives "Hello,").  Returns a malloc'd string. */
char *template_expand(const char *text, const struct template_vars *v);

#endif
