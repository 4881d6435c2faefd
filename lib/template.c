/* template: built-in request texts and their expansion.  The built-in
 * texts say who asks, for what, how to answer, that the choice is free and
 * can be changed through the same link, and that no answer counts as no:
 * what a person needs to give informed consent (GDPR art. 4(11), 7). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "template.h"
#include "util.h"

struct builtin {
	const char *lang;
	const char *text[4];	/* by enum template_key */
	const char *body_policy; /* the body with the policy paragraph */
};

/* Each body twice: as it is, and with the paragraph that links the
 * privacy policy before the greeting, for when [company] policy_url is
 * set. */
#define BODY_NB_HEAD \
	"Hei {name},\n\n" \
	"{company} ber om ditt samtykke til: {purposes}.\n\n" \
	"Svar her:\n{link}\n\n" \
	"Du velger selv, og du kan endre svaret når som helst via samme" \
	" lenke.\nSvarer du ikke, registrerer vi det som et nei.\n\n"
#define BODY_NB_TAIL "Vennlig hilsen\n{company}\n"
#define BODY_SV_HEAD \
	"Hej {name},\n\n" \
	"{company} ber om ditt samtycke till: {purposes}.\n\n" \
	"Svara här:\n{link}\n\n" \
	"Du väljer själv och kan ändra ditt svar när som helst via samma" \
	" länk.\nOm du inte svarar registrerar vi det som ett nej.\n\n"
#define BODY_SV_TAIL "Vänliga hälsningar\n{company}\n"
#define BODY_DA_HEAD \
	"Hej {name},\n\n" \
	"{company} beder om dit samtykke til: {purposes}.\n\n" \
	"Svar her:\n{link}\n\n" \
	"Du bestemmer selv og kan ændre dit svar når som helst via samme" \
	" link.\nSvarer du ikke, registrerer vi det som et nej.\n\n"
#define BODY_DA_TAIL "Venlig hilsen\n{company}\n"
#define BODY_FI_HEAD \
	"Hei {name},\n\n" \
	"{company} pyytää suostumustasi: {purposes}.\n\n" \
	"Vastaa tästä:\n{link}\n\n" \
	"Päätät itse, ja voit muuttaa vastaustasi milloin tahansa saman" \
	" linkin kautta.\nJos et vastaa, kirjaamme vastaukseksi ei.\n\n"
#define BODY_FI_TAIL "Ystävällisin terveisin\n{company}\n"
#define BODY_EN_HEAD \
	"Hello {name},\n\n" \
	"{company} asks for your consent to: {purposes}.\n\n" \
	"Answer here:\n{link}\n\n" \
	"The choice is yours, and you can change your answer at any time" \
	" through the same link.\nIf you do not answer, we record it as" \
	" a no.\n\n"
#define BODY_EN_TAIL "Kind regards\n{company}\n"

static const struct builtin builtins[] = {
	{ "nb", {
	    "{company}: Vil du høre fra oss?",
	    BODY_NB_HEAD BODY_NB_TAIL,
	    "Hei {name}! {company} ber om ditt samtykke til: {purposes}."
	    " Svar her: {link}",
	    "Påminnelse" },
	    BODY_NB_HEAD "Personvernerklæring: {policy}\n\n" BODY_NB_TAIL },
	{ "sv", {
	    "{company}: Vill du höra från oss?",
	    BODY_SV_HEAD BODY_SV_TAIL,
	    "Hej {name}! {company} ber om ditt samtycke till: {purposes}."
	    " Svara här: {link}",
	    "Påminnelse" },
	    BODY_SV_HEAD "Integritetspolicy: {policy}\n\n" BODY_SV_TAIL },
	{ "da", {
	    "{company}: Vil du høre fra os?",
	    BODY_DA_HEAD BODY_DA_TAIL,
	    "Hej {name}! {company} beder om dit samtykke til: {purposes}."
	    " Svar her: {link}",
	    "Påmindelse" },
	    BODY_DA_HEAD "Privatlivspolitik: {policy}\n\n" BODY_DA_TAIL },
	{ "fi", {
	    "{company}: Saammeko olla yhteydessä?",
	    BODY_FI_HEAD BODY_FI_TAIL,
	    "Hei {name}! {company} pyytää suostumustasi: {purposes}."
	    " Vastaa tästä: {link}",
	    "Muistutus" },
	    BODY_FI_HEAD "Tietosuojaseloste: {policy}\n\n" BODY_FI_TAIL },
	{ "en", {
	    "{company}: May we keep in touch?",
	    BODY_EN_HEAD BODY_EN_TAIL,
	    "Hello {name}! {company} asks for your consent to: {purposes}."
	    " Answer here: {link}",
	    "Reminder" },
	    BODY_EN_HEAD "Privacy policy: {policy}\n\n" BODY_EN_TAIL },
};

static const char *const key_names[] = { "subject", "body", "sms",
	"reminder" };

static const struct builtin *
builtin(const char *lang)
{
	size_t i;

	for (i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i].lang, lang) == 0)
			return &builtins[i];
	return NULL;
}

static const char *
configured(const struct config *cfg, const char *lang, enum template_key k)
{
	char section[32];
	const char *v;

	snprintf(section, sizeof section, "template.%s", lang);
	v = config_get(cfg, section, key_names[k]);
	return v && *v ? v : NULL;
}

int
template_has_lang(const struct config *cfg, const char *lang)
{
	int k;

	if (builtin(lang))
		return 1;
	for (k = TPL_SUBJECT; k <= TPL_SMS; k++)
		if (!configured(cfg, lang, (enum template_key)k))
			return 0;
	return 1;
}

const char *
template_text(const struct config *cfg, const char *lang,
    enum template_key k)
{
	const char *v = configured(cfg, lang, k);
	const struct builtin *b;

	if (v)
		return v;
	b = builtin(lang);
	if (!b)
		return NULL;
	if (k == TPL_BODY && (v = config_get(cfg, "company", "policy_url")) &&
	    *v)
		return b->body_policy;
	return b->text[k];
}

static const char *
var_value(const char *name, size_t n, const struct template_vars *v)
{
	static const struct { const char *name; size_t off; } vars[] = {
		{ "name", offsetof(struct template_vars, name) },
		{ "company", offsetof(struct template_vars, company) },
		{ "link", offsetof(struct template_vars, link) },
		{ "purposes", offsetof(struct template_vars, purposes) },
		{ "policy", offsetof(struct template_vars, policy) },
	};
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if (strlen(vars[i].name) == n &&
		    memcmp(vars[i].name, name, n) == 0) {
			const char *val = *(const char *const *)
			    ((const char *)v + vars[i].off);

			return val ? val : "";
		}
	return NULL;
}

char *
template_expand(const char *text, const struct template_vars *v)
{
	struct buf out = { 0 };
	const char *p = text;

	buf_adds(&out, "");
	while (*p) {
		const char *close, *val;

		if (*p != '{' || !(close = strchr(p + 1, '}')) ||
		    !(val = var_value(p + 1, (size_t)(close - p - 1), v))) {
			buf_addc(&out, *p++);
			continue;
		}
		if (!*val && strncmp(p, "{name}", 6) == 0 && out.len > 0 &&
		    out.s[out.len - 1] == ' ')
			out.s[--out.len] = '\0';
		buf_adds(&out, val);
		p = close + 1;
	}
	return out.s;
}
