/* Unit tests of lib/config, as TAP on stdout.  Every promise of config.h
 * gets a case: the files go to a mkdtemp folder that is removed at the
 * end, and each case writes the file it needs, so that a failure names a
 * file one can look at while the test runs. */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

/* Two strings, either of which may be NULL, are the same. */
static int
same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
die(const char *what)
{
	fprintf(stderr, "config test: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The temporary folder and everything made in it, removed in reverse
 * order at the end (so a folder goes after its files). */
static char tmpdir[] = "/tmp/consent-config-test.XXXXXX";
static char *made[256];
static size_t nmade;

/* The path of name in the temporary folder; the same string for the same
 * name, remembered for the clean-up. */
static const char *
tpath(const char *name)
{
	char buf[1024];
	size_t i;

	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	for (i = 0; i < nmade; i++)
		if (strcmp(made[i], buf) == 0)
			return made[i];
	if (nmade == sizeof made / sizeof made[0]) {
		fprintf(stderr, "config test: too many files\n");
		exit(2);
	}
	if (!(made[nmade] = strdup(buf)))
		die("strdup");
	return made[nmade++];
}

static const char *
put_n(const char *name, const char *data, size_t n, mode_t mode)
{
	const char *path = tpath(name);
	FILE *fp;

	if (!(fp = fopen(path, "w")))
		die(path);
	if (n > 0 && fwrite(data, 1, n, fp) != n)
		die(path);
	if (fclose(fp) != 0)
		die(path);
	if (chmod(path, mode) < 0)
		die(path);
	return path;
}

static const char *
put(const char *name, const char *text)
{
	return put_n(name, text, strlen(text), 0644);
}

static const char *
put_dir(const char *name)
{
	const char *path = tpath(name);

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		die(path);
	return path;
}

static void
cleanup(void)
{
	while (nmade > 0) {
		nmade--;
		if (remove(made[nmade]) < 0 && errno != ENOENT)
			fprintf(stderr, "config test: remove %s: %s\n",
			    made[nmade], strerror(errno));
		free(made[nmade]);
	}
	if (rmdir(tmpdir) < 0)
		fprintf(stderr, "config test: rmdir %s: %s\n", tmpdir,
		    strerror(errno));
}

/* Write text to name and load it. */
static struct config *
load(const char *name, const char *text, char *err, size_t errsz)
{
	err[0] = '\0';
	return config_load(put(name, text), err, errsz);
}

/* err is "FILE:LINE: message" with a message. */
static int
err_at(const char *err, const char *file, int line)
{
	char want[1100];
	size_t n;

	n = (size_t)snprintf(want, sizeof want, "%s:%d: ", file, line);
	return strncmp(err, want, n) == 0 && strlen(err) > n;
}

/* err is "FILE: message", no line number. */
static int
err_file(const char *err, const char *file)
{
	size_t n = strlen(file);

	return strncmp(err, file, n) == 0 && strncmp(err + n, ": ", 2) == 0 &&
	    err[n + 2] != '\0' && !(err[n + 2] >= '0' && err[n + 2] <= '9');
}

static const struct {
	const char *name, *basis;
} default_purposes[] = {
	{ "service", "contract" },
	{ "emarketing", "consent" },
	{ "partners", "consent" },
	{ "profiling", "consent" },
};
#define NDEFAULT (sizeof default_purposes / sizeof default_purposes[0])

/* The four defaults, in order, untouched by any file. */
static int
has_defaults(const struct config *cfg)
{
	const struct purpose *p;
	size_t i;

	if (config_npurposes(cfg) != NDEFAULT)
		return 0;
	for (i = 0; i < NDEFAULT; i++) {
		p = config_purpose_at(cfg, i);
		if (!p || !same(p->name, default_purposes[i].name) ||
		    !same(p->basis, default_purposes[i].basis) || !p->active)
			return 0;
	}
	return 1;
}

static void
test_defaults(void)
{
	struct config *cfg;
	const struct purpose *p;
	char err[512];
	size_t i, len = 0;
	char *s;

	unsetenv("CONSENT_CONFIG");
	if (access("/etc/consent/consent.conf", F_OK) == 0) {
		ok(1, "defaults with no file # SKIP "
		    "/etc/consent/consent.conf exists");
		return;
	}
	err[0] = '\0';
	cfg = config_load(NULL, err, sizeof err);
	ok(cfg != NULL, "no file at all loads the defaults");
	if (!cfg)
		return;
	ok(config_path(cfg) == NULL, "config_path is NULL on defaults");
	ok(config_npurposes(cfg) == NDEFAULT, "four default purposes");
	for (i = 0; i < NDEFAULT; i++) {
		p = config_purpose_at(cfg, i);
		ok(p && same(p->name, default_purposes[i].name) &&
		    same(p->basis, default_purposes[i].basis) && p->active,
		    "default purpose %zu is %s/%s, active", i,
		    default_purposes[i].name, default_purposes[i].basis);
		ok(config_purpose(cfg, default_purposes[i].name) == p,
		    "config_purpose finds %s", default_purposes[i].name);
	}
	ok(config_purpose_at(cfg, NDEFAULT) == NULL,
	    "config_purpose_at past the end is NULL");
	ok(config_purpose(cfg, "newsletter") == NULL,
	    "config_purpose of an unknown purpose is NULL");
	ok(config_get(cfg, "company", "name") == NULL,
	    "config_get on defaults is NULL");
	ok(same(config_get_or(cfg, "company", "name", "fb"), "fb"),
	    "config_get_or on defaults is the fallback");
	ok(same(config_company_lang(cfg), "nb"), "default company lang nb");
	ok(same(config_company_country(cfg), "NO"),
	    "default company country NO");
	err[0] = '\0';
	s = config_read_secret(cfg, "smtp", "password_file", &len, err,
	    sizeof err);
	ok(s == NULL && err[0] != '\0',
	    "config_read_secret on defaults: no key, a message");
	free(s);
	config_free(cfg);

	setenv("CONSENT_CONFIG", "", 1);
	cfg = config_load(NULL, err, sizeof err);
	ok(cfg && config_path(cfg) == NULL && has_defaults(cfg),
	    "an empty $CONSENT_CONFIG counts as unset");
	config_free(cfg);
	unsetenv("CONSENT_CONFIG");
}

static void
test_paths(void)
{
	struct config *cfg;
	const char *a, *b, *missing, *dir;
	char err[512], small[8];

	a = put("a.conf", "[company]\nname = From A\n");
	b = put("b.conf", "[company]\nname = From B\n");
	missing = tpath("missing.conf");
	dir = put_dir("adir");

	unsetenv("CONSENT_CONFIG");
	cfg = config_load(a, err, sizeof err);
	ok(cfg && same(config_path(cfg), a) &&
	    same(config_get(cfg, "company", "name"), "From A"),
	    "config_load with a path loads it");
	ok(cfg && has_defaults(cfg),
	    "a file without purposes keeps the four defaults");
	config_free(cfg);

	setenv("CONSENT_CONFIG", b, 1);
	cfg = config_load(NULL, err, sizeof err);
	ok(cfg && same(config_path(cfg), b) &&
	    same(config_get(cfg, "company", "name"), "From B"),
	    "$CONSENT_CONFIG is loaded without a path");
	config_free(cfg);
	cfg = config_load(a, err, sizeof err);
	ok(cfg && same(config_path(cfg), a) &&
	    same(config_get(cfg, "company", "name"), "From A"),
	    "a path beats $CONSENT_CONFIG");
	config_free(cfg);

	err[0] = '\0';
	setenv("CONSENT_CONFIG", missing, 1);
	cfg = config_load(NULL, err, sizeof err);
	ok(cfg == NULL && err_file(err, missing),
	    "a missing $CONSENT_CONFIG is an error naming it (%s)", err);
	config_free(cfg);
	unsetenv("CONSENT_CONFIG");

	err[0] = '\0';
	cfg = config_load(missing, err, sizeof err);
	ok(cfg == NULL && err_file(err, missing),
	    "a missing given file is an error naming it (%s)", err);
	config_free(cfg);

	err[0] = '\0';
	cfg = config_load(dir, err, sizeof err);
	ok(cfg == NULL && err_file(err, dir),
	    "a folder as the file is an error naming it (%s)", err);
	config_free(cfg);

	memset(small, 'x', sizeof small);
	cfg = config_load(missing, small, sizeof small);
	ok(cfg == NULL && memchr(small, '\0', sizeof small) != NULL,
	    "a short err buffer is cut and terminated");
	config_free(cfg);
	cfg = config_load(missing, NULL, 0);
	ok(cfg == NULL, "an error without an err buffer");
	config_free(cfg);
}

/* A file and the line its error must name. */
static const struct {
	const char *text;
	int line;
	const char *what;
} error_cases[] = {
	{ "[company]\nname = x\n[purpose.Foo]\n", 3, "upper case purpose" },
	{ "[purpose.]\n", 1, "empty purpose name" },
	{ "[purpose.a b]\n", 1, "blank in purpose name" },
	{ "[purpose.a.b]\n", 1, "dot in purpose name" },
	{ "[purpose.blå]\n", 1, "non-ASCII purpose name" },
	{ "[purpose.x]\ntitle.nb = X\nbasis = opt-in\n", 3, "unknown basis" },
	{ "[purpose.x]\nbasis = Consent\n", 2, "basis in upper case" },
	{ "[purpose.x]\nbasis =\n", 2, "empty basis" },
	{ "[purpose.service]\nbasis = legitimate_interest\n", 2,
	    "bad basis of a default purpose" },
	{ "[purpose.x]\nactive = maybe\n", 2, "bad active" },
	{ "[purpose.x]\nactive =\n", 2, "empty active" },
	{ "[purpose.x]\nactive = on\n", 2, "active = on" },
	{ "[purpose.x]\nactive = 2\n", 2, "active = 2" },
	{ "[purpose.x]\nbasis = contract\nbasis = bogus\n", 3,
	    "a bad basis after a good one" },
	{ "[purpose.x]\nbasis = bogus\nbasis = contract\n", 2,
	    "a bad basis before a good one" },
	{ "[purpose.a]\nactive = perhaps\n[purpose.B]\n", 2,
	    "the first bad line: a value before a name" },
	{ "[purpose.B]\n[purpose.a]\nbasis = x\n", 1,
	    "the first bad line: a name before a value" },
	{ "[purpose.a]\nbasis = x\nnot a pair\n", 2,
	    "the first bad line: ours before a syntax error" },
	{ "not a pair\n[purpose.a]\nbasis = x\n", 1,
	    "the first bad line: a syntax error before ours" },
	{ "[company]\nname = x\n[smtp\n", 3, "header without ]" },
	{ "; comment\n\n[company]\njust words\n", 4, "line without =" },
};

static void
test_errors(void)
{
	struct config *cfg;
	const char *path;
	char err[512], line[300], text[400];
	size_t i;

	for (i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		cfg = load("bad.conf", error_cases[i].text, err, sizeof err);
		path = tpath("bad.conf");
		ok(cfg == NULL && err_at(err, path, error_cases[i].line),
		    "error at line %d: %s (%s)", error_cases[i].line,
		    error_cases[i].what, err);
		config_free(cfg);
	}

	/* 198 bytes is the longest line; the message must say so. */
	memset(line, 'v', sizeof line);
	snprintf(text, sizeof text, "[company]\nname = %.*s\n", 198 - 7, line);
	cfg = load("long.conf", text, err, sizeof err);
	ok(cfg && config_get(cfg, "company", "name") &&
	    strlen(config_get(cfg, "company", "name")) == 198 - 7,
	    "a line of 198 bytes is read whole");
	config_free(cfg);
	snprintf(text, sizeof text, "[company]\nname = %.*s\n", 199 - 7, line);
	cfg = load("long.conf", text, err, sizeof err);
	ok(cfg == NULL && err_at(err, tpath("long.conf"), 2),
	    "a line of 199 bytes is an error (%s)", err);
	config_free(cfg);
	snprintf(text, sizeof text, "[company]\nname = %.*s\r\n", 198 - 7,
	    line);
	cfg = load("long.conf", text, err, sizeof err);
	ok(cfg && config_get(cfg, "company", "name") &&
	    strlen(config_get(cfg, "company", "name")) == 198 - 7,
	    "a line of 198 bytes and CR LF is read whole");
	config_free(cfg);
}

static void
test_syntax(void)
{
	struct config *cfg;
	char err[512];

	cfg = load("syn.conf",
	    "; a comment\n"
	    "# another\n"
	    "[company]\n"
	    "name =   Acme AS   \n"
	    "lang:sv\n"
	    "country\t=\tSE\t\n"
	    "empty =\n"
	    "blank =    \n"
	    "policy_url = https://example.com/p ; inline comment\n"
	    "semi = a;b\n"
	    "hash = a # b\n"
	    "quoted = \"Acme\"\n"
	    "info.nb = Første\n"
	    "info.nb = Andre\n"
	    "Name = Upper\n"
	    "[Company]\n"
	    "name = Other\n"
	    "[nonsense]\n"
	    "foo = bar\n"
	    "[purpose.x]\n"
	    "colour = red\n"
	    "[Purpose.y]\n"
	    "basis = bogus\n",
	    err, sizeof err);
	ok(cfg != NULL, "a file of every syntax loads (%s)", err);
	if (!cfg)
		return;
	ok(same(config_get(cfg, "company", "name"), "Acme AS"),
	    "values are trimmed");
	ok(same(config_get(cfg, "company", "lang"), "sv"), "key: value");
	ok(same(config_get(cfg, "company", "country"), "SE"),
	    "tabs are trimmed");
	ok(same(config_get(cfg, "company", "empty"), ""), "\"key =\" is \"\"");
	ok(same(config_get(cfg, "company", "blank"), ""),
	    "\"key =   \" is \"\"");
	ok(same(config_get(cfg, "company", "policy_url"),
	    "https://example.com/p"), "an inline \" ;\" comment is dropped");
	ok(same(config_get(cfg, "company", "semi"), "a;b"),
	    "a ';' after no blank is kept");
	ok(same(config_get(cfg, "company", "hash"), "a # b"),
	    "an inline '#' is kept");
	ok(same(config_get(cfg, "company", "quoted"), "\"Acme\""),
	    "quotes are kept");
	ok(same(config_get(cfg, "company", "info.nb"), "Andre"),
	    "the last assignment wins");
	ok(same(config_get(cfg, "company", "Name"), "Upper") &&
	    same(config_get(cfg, "company", "name"), "Acme AS"),
	    "keys are case-sensitive");
	ok(same(config_get(cfg, "Company", "name"), "Other"),
	    "sections are case-sensitive");
	ok(config_get(cfg, "company", "nope") == NULL,
	    "config_get of a missing key is NULL");
	ok(config_get(cfg, "nope", "name") == NULL,
	    "config_get of a missing section is NULL");
	ok(same(config_get_or(cfg, "company", "nope", "fb"), "fb"),
	    "config_get_or of a missing key is the fallback");
	ok(same(config_get_or(cfg, "company", "name", "fb"), "Acme AS"),
	    "config_get_or of a set key is the value");
	ok(same(config_get_or(cfg, "company", "empty", "fb"), ""),
	    "config_get_or of \"key =\" is \"\"");
	ok(config_purpose(cfg, "x") != NULL && config_purpose(cfg, "y") == NULL,
	    "unknown keys and sections are ignored; [Purpose.y] is none");
	ok(config_npurposes(cfg) == NDEFAULT + 1, "one purpose added");
	config_free(cfg);

	cfg = load("bom.conf", "\xef\xbb\xbf[company]\nname = BOM\n", err,
	    sizeof err);
	ok(cfg && same(config_get(cfg, "company", "name"), "BOM"),
	    "a byte-order mark is dropped");
	config_free(cfg);
}

static void
test_continuation(void)
{
	struct config *cfg;
	char err[512];

	cfg = load("cont.conf",
	    "[template.nb]\n"
	    "body = Hei {name},\n"
	    "  first paragraph\n"
	    "\tgoes on\n"
	    "\n"
	    "  second paragraph\n"
	    "# a comment\n"
	    "  ; an indented comment\n"
	    "  last line ; inline comment\n"
	    "\n"
	    "subject = Samtykke\n"
	    "  x = 1\n"
	    "sms =\n"
	    "  after empty\n"
	    "tail = t\n"
	    "  more\n"
	    "\n"
	    "[company]\n"
	    "  name = Indented\n"
	    "  lang = sv\n"
	    "country = SE\n",
	    err, sizeof err);
	ok(cfg != NULL, "a file with continuations loads (%s)", err);
	if (!cfg)
		return;
	ok(same(config_get(cfg, "template.nb", "body"),
	    "Hei {name},\nfirst paragraph\ngoes on\n\nsecond paragraph\n"
	    "last line"),
	    "continuation lines joined with \\n, blank kept, comments skipped");
	ok(same(config_get(cfg, "template.nb", "subject"), "Samtykke\nx = 1") &&
	    config_get(cfg, "template.nb", "x") == NULL,
	    "an indented key = value after a value is a continuation");
	ok(same(config_get(cfg, "template.nb", "sms"), "\nafter empty"),
	    "a continuation of an empty value");
	ok(same(config_get(cfg, "template.nb", "tail"), "t\nmore"),
	    "blank lines before a section header are not kept");
	ok(config_get(cfg, "company", "name") != NULL &&
	    strncmp(config_get(cfg, "company", "name"), "Indented", 8) == 0,
	    "a section header ends the value; an indented first key is a key");
	ok(same(config_get(cfg, "company", "name"), "Indented\nlang = sv") &&
	    config_get(cfg, "company", "lang") == NULL,
	    "an indented key after it continues it");
	ok(same(config_get(cfg, "company", "country"), "SE"),
	    "an unindented key after a continuation is a key");
	config_free(cfg);

	cfg = load("cont2.conf",
	    "[purpose.a]\n"
	    "title.en = A\n"
	    "  [purpose.b]\n"
	    "active = no\n",
	    err, sizeof err);
	ok(cfg && same(config_get(cfg, "purpose.a", "title.en"),
	    "A\n[purpose.b]") && config_purpose(cfg, "b") == NULL &&
	    config_purpose(cfg, "a") && !config_purpose(cfg, "a")->active,
	    "an indented [header] after a value is a continuation (%s)", err);
	config_free(cfg);

	cfg = load("cont3.conf",
	    "[company]\n"
	    "info.nb = one\n"
	    "\n"
	    "\n"
	    "  three\n",
	    err, sizeof err);
	ok(cfg && same(config_get(cfg, "company", "info.nb"), "one\n\n\nthree"),
	    "two blank lines between continuations are both kept");
	config_free(cfg);
}

static const struct {
	const char *text;
	int active;
} active_cases[] = {
	{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
	{ "1", 1 }, { "0", 0 }, { "YES", 1 }, { "No", 0 }, { "TRUE", 1 },
	{ "False", 0 }, { "yEs", 1 }, { "nO", 0 },
};

static void
test_purposes(void)
{
	static const char *const order[] = {
		"service", "emarketing", "partners", "profiling",
		"newsletter", "sms-only", "old_one", "a1_b-c",
	};
	struct config *cfg;
	const struct purpose *p;
	char err[512], text[200];
	size_t i;

	cfg = load("purp.conf",
	    "[purpose.newsletter]\n"
	    "[purpose.sms-only]\n"
	    "title.nb = SMS\n"
	    "[purpose.service]\n"
	    "basis = legitimate-interest\n"
	    "active = no\n"
	    "[purpose.old_one]\n"
	    "active = no\n"
	    "basis = soft-opt-in\n"
	    "[purpose.newsletter]\n"
	    "basis = contract\n"
	    "basis = consent\n"
	    "[purpose.a1_b-c]\n"
	    "active = no\n"
	    "active = yes\n"
	    "[purpose.profiling]\n",
	    err, sizeof err);
	ok(cfg != NULL, "a file of purposes loads (%s)", err);
	if (!cfg)
		return;
	ok(config_npurposes(cfg) == sizeof order / sizeof order[0],
	    "four defaults and four new purposes, a repeated section once");
	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		p = config_purpose_at(cfg, i);
		ok(p && same(p->name, order[i]) &&
		    config_purpose(cfg, order[i]) == p,
		    "purpose %zu is %s", i, order[i]);
	}
	p = config_purpose(cfg, "service");
	ok(p && same(p->basis, "legitimate-interest") && !p->active,
	    "a configured default purpose takes the configured keys");
	p = config_purpose(cfg, "newsletter");
	ok(p && same(p->basis, "consent") && p->active,
	    "an empty section adds a consent, active purpose; last basis wins");
	p = config_purpose(cfg, "sms-only");
	ok(p && same(p->basis, "consent") && p->active,
	    "a new purpose with a title only is consent, active");
	p = config_purpose(cfg, "old_one");
	ok(p && same(p->basis, "soft-opt-in") && !p->active,
	    "an inactive purpose stays, with its basis");
	p = config_purpose(cfg, "a1_b-c");
	ok(p && p->active, "last active wins; digits, '_' and '-' in a name");
	p = config_purpose(cfg, "profiling");
	ok(p && same(p->basis, "consent") && p->active,
	    "an empty default section changes nothing");
	p = config_purpose(cfg, "emarketing");
	ok(p && same(p->basis, "consent") && p->active,
	    "an unconfigured default keeps its defaults");
	ok(config_purpose_at(cfg, sizeof order / sizeof order[0]) == NULL,
	    "config_purpose_at past the end is NULL");
	config_free(cfg);

	for (i = 0; i < sizeof active_cases / sizeof active_cases[0]; i++) {
		snprintf(text, sizeof text, "[purpose.x]\nactive = %s\n",
		    active_cases[i].text);
		cfg = load("active.conf", text, err, sizeof err);
		p = cfg ? config_purpose(cfg, "x") : NULL;
		ok(p && p->active == active_cases[i].active,
		    "active = %s is %d", active_cases[i].text,
		    active_cases[i].active);
		config_free(cfg);
	}
}

static const char *const bases[] = {
	"consent", "contract", "legal-obligation", "legitimate-interest",
	"soft-opt-in", "vital-interest", "public-task",
};

static const char *const sources[] = {
	"import", "landing", "email", "sms", "web-form", "portal", "paper",
	"phone", "chat", "manual",
};

static const char *const not_bases[] = {
	"", "Consent", "CONTRACT", " consent", "consent ", "opt-in",
	"legitimate_interest", "legitimate interest", "soft-optin",
	"vital", "public", "import", "consents", "con",
};

static const char *const not_sources[] = {
	"", "Import", "LANDING", " email", "email ", "e-mail", "web_form",
	"webform", "web", "telephone", "letter", "consent", "imports",
};

static void
test_bases(void)
{
	struct config *cfg;
	const struct purpose *p;
	char err[512], text[200];
	size_t i;

	for (i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		ok(basis_valid(bases[i]), "basis %s is valid", bases[i]);
		snprintf(text, sizeof text, "[purpose.x]\nbasis = %s\n",
		    bases[i]);
		cfg = load("basis.conf", text, err, sizeof err);
		p = cfg ? config_purpose(cfg, "x") : NULL;
		ok(p && same(p->basis, bases[i]),
		    "basis = %s in the file", bases[i]);
		config_free(cfg);
	}
	for (i = 0; i < sizeof not_bases / sizeof not_bases[0]; i++)
		ok(!basis_valid(not_bases[i]), "basis '%s' is not valid",
		    not_bases[i]);
	for (i = 0; i < sizeof sources / sizeof sources[0]; i++)
		ok(source_valid(sources[i]), "source %s is valid", sources[i]);
	for (i = 0; i < sizeof not_sources / sizeof not_sources[0]; i++)
		ok(!source_valid(not_sources[i]), "source '%s' is not valid",
		    not_sources[i]);
}

static void
test_company(void)
{
	struct config *cfg;
	char err[512];

	cfg = load("co1.conf", "[company]\nname = Acme\n", err, sizeof err);
	ok(cfg && same(config_company_lang(cfg), "nb") &&
	    same(config_company_country(cfg), "NO"),
	    "company lang and country default with a file");
	config_free(cfg);
	cfg = load("co2.conf", "[company]\nlang = sv\ncountry = SE\n", err,
	    sizeof err);
	ok(cfg && same(config_company_lang(cfg), "sv"),
	    "configured company lang");
	ok(cfg && same(config_company_country(cfg), "SE"),
	    "configured company country");
	config_free(cfg);
	cfg = load("co3.conf", "[company]\nlang =\ncountry =\n", err,
	    sizeof err);
	ok(cfg && same(config_company_lang(cfg), "nb") &&
	    same(config_get(cfg, "company", "lang"), ""),
	    "an empty company lang is the default");
	ok(cfg && same(config_company_country(cfg), "NO"),
	    "an empty company country is the default");
	config_free(cfg);
	cfg = load("co4.conf", "[company]\nlang = fi\nlang = da\n", err,
	    sizeof err);
	ok(cfg && same(config_company_lang(cfg), "da"),
	    "the last company lang wins");
	config_free(cfg);
}

static const struct {
	const char *purpose, *lang, *title;
} builtin_titles[] = {
	{ "service", "nb", "Salg og kundeservice" },
	{ "emarketing", "nb", "E-post- og SMS-markedsføring" },
	{ "partners", "nb", "Deling med utvalgte partnere" },
	{ "profiling", "nb", "Tilpassede tilbud" },
	{ "service", "sv", "Försäljning och kundservice" },
	{ "emarketing", "sv", "Marknadsföring via e-post och sms" },
	{ "partners", "sv", "Delning med utvalda partner" },
	{ "profiling", "sv", "Anpassade erbjudanden" },
	{ "service", "da", "Salg og kundeservice" },
	{ "emarketing", "da", "Markedsføring via e-mail og sms" },
	{ "partners", "da", "Deling med udvalgte samarbejdspartnere" },
	{ "profiling", "da", "Tilpassede tilbud" },
	{ "service", "fi", "Myynti ja asiakaspalvelu" },
	{ "emarketing", "fi", "Sähköposti- ja tekstiviestimarkkinointi" },
	{ "partners", "fi",
	    "Tietojen jakaminen valituille yhteistyökumppaneille" },
	{ "profiling", "fi", "Räätälöidyt tarjoukset" },
	{ "service", "en", "Sales and customer service" },
	{ "emarketing", "en", "E-mail and SMS marketing" },
	{ "partners", "en", "Sharing with selected partners" },
	{ "profiling", "en", "Tailored offers" },
};

/* The built-in title of purpose in lang. */
static const char *
builtin(const char *purpose, const char *lang)
{
	size_t i;

	for (i = 0; i < sizeof builtin_titles / sizeof builtin_titles[0]; i++)
		if (same(builtin_titles[i].purpose, purpose) &&
		    same(builtin_titles[i].lang, lang))
			return builtin_titles[i].title;
	return NULL;
}

static void
test_titles(void)
{
	struct config *cfg;
	char err[512];
	size_t i;

	cfg = load("t0.conf", "", err, sizeof err);
	ok(cfg != NULL, "an empty file loads");
	if (!cfg)
		return;
	for (i = 0; i < sizeof builtin_titles / sizeof builtin_titles[0];
	    i++)
		ok(same(config_purpose_title(cfg, builtin_titles[i].purpose,
		    builtin_titles[i].lang), builtin_titles[i].title),
		    "built-in title of %s in %s", builtin_titles[i].purpose,
		    builtin_titles[i].lang);
	ok(same(config_purpose_title(cfg, "service", "de"),
	    builtin("service", "nb")),
	    "no title in de: the company's language (nb)");
	ok(same(config_purpose_title(cfg, "partners", NULL),
	    builtin("partners", "nb")),
	    "no language: the company's language");
	ok(same(config_purpose_title(cfg, "partners", ""),
	    builtin("partners", "nb")),
	    "an empty language: the company's language");
	ok(same(config_purpose_title(cfg, "ghost", "nb"), "ghost"),
	    "an unknown purpose is titled by its name");
	config_free(cfg);

	cfg = load("t1.conf",
	    "[purpose.newsletter]\n"
	    "title.nb = Nyhetsbrev\n"
	    "title.en = Newsletter\n"
	    "[purpose.service]\n"
	    "title.en = Service desk\n"
	    "title.de = Kundendienst\n"
	    "[purpose.bare]\n"
	    "[purpose.english]\n"
	    "title.en = Only English\n",
	    err, sizeof err);
	ok(cfg != NULL, "a file of titles loads (%s)", err);
	if (!cfg)
		return;
	ok(same(config_purpose_title(cfg, "newsletter", "en"), "Newsletter"),
	    "configured title in en");
	ok(same(config_purpose_title(cfg, "newsletter", "nb"), "Nyhetsbrev"),
	    "configured title in nb");
	ok(same(config_purpose_title(cfg, "newsletter", "sv"), "Nyhetsbrev"),
	    "no configured title in sv: the company's language");
	ok(same(config_purpose_title(cfg, "service", "en"), "Service desk"),
	    "a configured title beats the built-in one");
	ok(same(config_purpose_title(cfg, "service", "de"), "Kundendienst"),
	    "a configured title in a language with no built-in one");
	ok(same(config_purpose_title(cfg, "service", "nb"),
	    builtin("service", "nb")),
	    "the built-in title where none is configured");
	ok(same(config_purpose_title(cfg, "bare", "nb"), "bare") &&
	    same(config_purpose_title(cfg, "bare", "en"), "bare"),
	    "a purpose without titles is titled by its name");
	ok(same(config_purpose_title(cfg, "english", "fi"), "Only English"),
	    "no title in fi nor nb: the one in en");
	config_free(cfg);

	cfg = load("t2.conf",
	    "[company]\n"
	    "lang = sv\n"
	    "[purpose.x]\n"
	    "title.en = X en\n"
	    "title.sv = X sv\n"
	    "[purpose.y]\n"
	    "title.en = Y en\n"
	    "title.nb = Y nb\n",
	    err, sizeof err);
	ok(cfg != NULL, "a file with company lang sv loads (%s)", err);
	if (!cfg)
		return;
	ok(same(config_purpose_title(cfg, "x", "de"), "X sv"),
	    "company lang sv: its title before en");
	ok(same(config_purpose_title(cfg, "y", "de"), "Y en"),
	    "company lang sv without a title: en, not nb");
	ok(same(config_purpose_title(cfg, "service", "de"),
	    builtin("service", "sv")),
	    "company lang sv: the built-in sv title");
	ok(same(config_purpose_title(cfg, "profiling", NULL),
	    builtin("profiling", "sv")),
	    "no language, company lang sv: the built-in sv title");
	config_free(cfg);

	cfg = load("t3.conf", "[company]\nlang = de\n", err, sizeof err);
	ok(cfg && same(config_purpose_title(cfg, "emarketing", "fr"),
	    builtin("emarketing", "en")),
	    "neither the language nor the company's: the built-in en title");
	ok(cfg && same(config_purpose_title(cfg, "emarketing", "da"),
	    builtin("emarketing", "da")),
	    "company lang de: a built-in da title in da");
	config_free(cfg);
}

/* Read [sec] key of cfg with err cleared and *len poisoned first. */
static char *
secret(const struct config *cfg, const char *sec, const char *key,
    size_t *len, char *err, size_t errsz)
{
	err[0] = '\0';
	*len = (size_t)-1;
	return config_read_secret(cfg, sec, key, len, err, errsz);
}

static void
test_secrets(void)
{
	static const struct {
		const char *key, *data;
		size_t n;
		const char *want;
		size_t wantlen;
	} reads[] = {
		{ "lf", "hunter2\n", 8, "hunter2", 7 },
		{ "crlf", "hunter2\r\n", 9, "hunter2", 7 },
		{ "bare", "hunter2", 7, "hunter2", 7 },
		{ "twolf", "hunter2\n\n", 9, "hunter2\n", 8 },
		{ "inner", "a\nb\n", 4, "a\nb", 3 },
		{ "spaces", " s p \n", 6, " s p ", 5 },
		{ "nul", "a\0b\n", 4, "a\0b", 3 },
		{ "one", "x", 1, "x", 1 },
	};
	static const struct {
		const char *key;
		mode_t mode;
		int good;
	} modes[] = {
		{ "m0600", 0600, 1 }, { "m0400", 0400, 1 },
		{ "m0640", 0640, 0 }, { "m0644", 0644, 0 },
		{ "m0604", 0604, 0 }, { "m0620", 0620, 0 },
		{ "m0601", 0601, 0 }, { "m0660", 0660, 0 },
		{ "m0440", 0440, 0 }, { "m0666", 0666, 0 },
	};
	struct config *cfg;
	const char *conf, *abs, *fifo, *big;
	char err[1024], text[4096], *s, *data, cwd[1024];
	size_t i, len, n;
	int good;

	put_dir("etc");
	put_dir("etc/secrets");
	put_dir("etc/secrets/adir");
	abs = put_n("abs.key", "absolute\n", 9, 0600);
	fifo = tpath("etc/secrets/fifo");
	if (mkfifo(fifo, 0600) < 0)
		die(fifo);
	data = malloc(8193);
	if (!data)
		die("malloc");
	memset(data, 'k', 8193);
	big = put_n("etc/secrets/big", data, 8192, 0600);
	put_n("etc/secrets/huge", data, 8193, 0600);
	put_n("etc/secrets/empty", "", 0, 0600);
	put_n("etc/secrets/nlonly", "\n", 1, 0600);

	n = (size_t)snprintf(text, sizeof text,
	    "[smtp]\n"
	    "password_file = secrets/lf\n"
	    "blank_file =\n"
	    "[sms]\n"
	    "key_file = %s\n"
	    "[landing]\n"
	    "secret_file = secrets/missing\n"
	    "api_key_file = secrets/adir\n"
	    "fifo_file = secrets/fifo\n"
	    "big_file = secrets/big\n"
	    "huge_file = secrets/huge\n"
	    "empty_file = secrets/empty\n"
	    "nlonly_file = secrets/nlonly\n"
	    "abs_file = %s\n"
	    "[read]\n", abs, big);
	for (i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		snprintf(text + n, sizeof text - n, "%s = secrets/%s\n",
		    reads[i].key, reads[i].key);
		n += strlen(text + n);
		snprintf(err, sizeof err, "etc/secrets/%s", reads[i].key);
		put_n(err, reads[i].data, reads[i].n, 0600);
	}
	snprintf(text + n, sizeof text - n, "[mode]\n");
	n += strlen(text + n);
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		snprintf(text + n, sizeof text - n, "%s = secrets/%s\n",
		    modes[i].key, modes[i].key);
		n += strlen(text + n);
		snprintf(err, sizeof err, "etc/secrets/%s", modes[i].key);
		put_n(err, "secret\n", 7, modes[i].mode);
	}
	conf = put("etc/consent.conf", text);
	/* The working folder is not the configuration's: a relative name
	 * must not be read from here. */
	cfg = config_load(conf, err, sizeof err);
	ok(cfg != NULL, "the secrets' configuration loads (%s)", err);
	if (!cfg) {
		free(data);
		return;
	}

	s = secret(cfg, "smtp", "password_file", &len, err, sizeof err);
	ok(s && len == 7 && same(s, "hunter2"),
	    "a relative secret is read from the configuration's folder (%s)",
	    err);
	free(s);
	s = secret(cfg, "sms", "key_file", &len, err, sizeof err);
	ok(s && len == 8 && same(s, "absolute"),
	    "an absolute secret path is taken as is (%s)", err);
	free(s);
	for (i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		s = secret(cfg, "read", reads[i].key, &len, err, sizeof err);
		ok(s && len == reads[i].wantlen &&
		    memcmp(s, reads[i].want, len) == 0 && s[len] == '\0',
		    "secret %s is read, one end of line dropped (%s)",
		    reads[i].key, err);
		free(s);
	}
	s = secret(cfg, "landing", "big_file", &len, err, sizeof err);
	ok(s && len == 8192 && s[8191] == 'k' && s[8192] == '\0',
	    "a secret of 8 KiB is read (%s)", err);
	free(s);
	s = secret(cfg, "landing", "abs_file", &len, err, sizeof err);
	ok(s && len == 8192, "an absolute path to 8 KiB (%s)", err);
	free(s);

	s = secret(cfg, "smtp", "user_file", &len, err, sizeof err);
	ok(!s && err[0] != '\0', "no key: an error (%s)", err);
	free(s);
	s = secret(cfg, "nosuch", "password_file", &len, err, sizeof err);
	ok(!s && err[0] != '\0', "no section: an error (%s)", err);
	free(s);
	s = secret(cfg, "smtp", "blank_file", &len, err, sizeof err);
	ok(!s && err[0] != '\0', "an empty key: an error (%s)", err);
	free(s);
	s = secret(cfg, "landing", "secret_file", &len, err, sizeof err);
	ok(!s && strstr(err, "secrets/missing"),
	    "a missing file: an error naming it (%s)", err);
	free(s);
	s = secret(cfg, "landing", "api_key_file", &len, err, sizeof err);
	ok(!s && strstr(err, "secrets/adir"),
	    "a folder: not a regular file (%s)", err);
	free(s);
	s = secret(cfg, "landing", "fifo_file", &len, err, sizeof err);
	ok(!s && strstr(err, "secrets/fifo"),
	    "a FIFO: not a regular file, and no hang (%s)", err);
	free(s);
	s = secret(cfg, "landing", "huge_file", &len, err, sizeof err);
	ok(!s && strstr(err, "secrets/huge"),
	    "a file over 8 KiB: an error (%s)", err);
	free(s);
	s = secret(cfg, "landing", "empty_file", &len, err, sizeof err);
	ok(!s && strstr(err, "secrets/empty"),
	    "an empty file: an error (%s)", err);
	free(s);
	s = secret(cfg, "landing", "nlonly_file", &len, err, sizeof err);
	ok(!s && strstr(err, "secrets/nlonly"),
	    "a file of one newline: empty, an error (%s)", err);
	free(s);
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		s = secret(cfg, "mode", modes[i].key, &len, err, sizeof err);
		if (modes[i].good)
			good = s && len == 6 && same(s, "secret");
		else
			good = !s && strstr(err, modes[i].key) != NULL;
		ok(good, "mode %04o is %s (%s)", (unsigned)modes[i].mode,
		    modes[i].good ? "accepted" : "refused", err);
		free(s);
	}
	config_free(cfg);

	/* A configuration given by a relative path: its folder is relative
	 * too, and still not the working folder. */
	if (!getcwd(cwd, sizeof cwd))
		die("getcwd");
	if (chdir(tmpdir) < 0)
		die(tmpdir);
	cfg = config_load("etc/consent.conf", err, sizeof err);
	s = cfg ? secret(cfg, "smtp", "password_file", &len, err, sizeof err) :
	    NULL;
	ok(s && same(s, "hunter2"),
	    "a relative configuration path: its folder (%s)", err);
	free(s);
	config_free(cfg);
	if (chdir("etc") < 0)
		die("etc");
	cfg = config_load("consent.conf", err, sizeof err);
	s = cfg ? secret(cfg, "smtp", "password_file", &len, err, sizeof err) :
	    NULL;
	ok(s && same(s, "hunter2"),
	    "a configuration in the working folder (%s)", err);
	free(s);
	config_free(cfg);
	if (chdir(cwd) < 0)
		die(cwd);
	free(data);
}

int
main(void)
{
	if (!mkdtemp(tmpdir))
		die("mkdtemp");
	test_defaults();
	test_paths();
	test_errors();
	test_syntax();
	test_continuation();
	test_purposes();
	test_bases();
	test_company();
	test_titles();
	test_secrets();
	unsetenv("CONSENT_CONFIG");
	cleanup();
	return done_testing();
}
