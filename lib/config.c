/* config: consent.conf(5) read with inih, plus the secret files it names.
 *
 * inih does the INI syntax; this file keeps every assignment with its line
 * number and checks the purpose sections after the parse, so that one
 * message names the first problem in the file, whether inih or we found
 * it.  inih's handler gets no line number in Debian's build
 * (INI_HANDLER_LINENO is 0), so the lines reach inih through our own
 * reader, which counts them and remembers what the current one looked
 * like: that is also how a continuation line is told from a repeated key,
 * which inih reports the same way. */
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

#define DEFAULT_PATH "/etc/consent/consent.conf"
#define PURPOSE_PREFIX "purpose."
/* A password or an API key; anything bigger is a mistake in the path. */
#define SECRET_MAX 8192

struct entry {
	char *section, *key, *value;
	int line;
};

struct config {
	char *path;
	struct entry *e;
	size_t ne, cape;
	struct purpose *p;
	size_t np, capp;
};

/* Where the parse stands.  The reader fills in what it saw of the current
 * line before inih calls the handler for it. */
struct parse {
	struct config *cfg;
	FILE *fp;
	char *line;
	size_t linecap;
	int lineno;
	int indented;		/* the current line starts with a blank */
	int blanks;		/* blank lines just before the current one */
	int pending;		/* blank lines since the last other line */
	int cont;		/* a continuation would extend the last entry */
	/* The first problem found by us, by line; inih keeps its own. */
	int errline;
	char errmsg[256];
	/* Purpose sections in the order their headers appear. */
	char **sect;
	int *sectline;
	size_t nsect, capsect;
};

static const struct {
	const char *name, *basis;
} default_purposes[] = {
	{ "service", "contract" },
	{ "emarketing", "consent" },
	{ "partners", "consent" },
	{ "profiling", "consent" },
};

static const struct {
	const char *lang, *purpose, *title;
} builtin_titles[] = {
	{ "nb", "service", "Salg og kundeservice" },
	{ "nb", "emarketing", "E-post- og SMS-markedsføring" },
	{ "nb", "partners", "Deling med utvalgte partnere" },
	{ "nb", "profiling", "Tilpassede tilbud" },
	{ "sv", "service", "Försäljning och kundservice" },
	{ "sv", "emarketing", "Marknadsföring via e-post och sms" },
	{ "sv", "partners", "Delning med utvalda partner" },
	{ "sv", "profiling", "Anpassade erbjudanden" },
	{ "da", "service", "Salg og kundeservice" },
	{ "da", "emarketing", "Markedsføring via e-mail og sms" },
	{ "da", "partners", "Deling med udvalgte samarbejdspartnere" },
	{ "da", "profiling", "Tilpassede tilbud" },
	{ "fi", "service", "Myynti ja asiakaspalvelu" },
	{ "fi", "emarketing", "Sähköposti- ja tekstiviestimarkkinointi" },
	{ "fi", "partners", "Tietojen jakaminen valituille yhteistyökumppaneille" },
	{ "fi", "profiling", "Räätälöidyt tarjoukset" },
	{ "en", "service", "Sales and customer service" },
	{ "en", "emarketing", "E-mail and SMS marketing" },
	{ "en", "partners", "Sharing with selected partners" },
	{ "en", "profiling", "Tailored offers" },
};

static const char *const bases[] = {
	"consent", "contract", "legal-obligation", "legitimate-interest",
	"soft-opt-in", "vital-interest", "public-task",
};

static const char *const sources[] = {
	"import", "landing", "email", "sms", "web-form", "portal", "paper",
	"phone", "chat", "manual",
};

static int
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int
basis_valid(const char *s)
{
	return in_list(s, bases, sizeof bases / sizeof bases[0]);
}

int
source_valid(const char *s)
{
	return in_list(s, sources, sizeof sources / sizeof sources[0]);
}

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* Keep the problem if it comes before every one seen so far, so that the
 * message names the first bad line whatever order the checks ran in. */
static void
parse_err(struct parse *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
parse_err(struct parse *ps, int line, const char *fmt, ...)
{
	va_list ap;

	if (ps->errline && ps->errline <= line)
		return;
	ps->errline = line;
	va_start(ap, fmt);
	vsnprintf(ps->errmsg, sizeof ps->errmsg, fmt, ap);
	va_end(ap);
}

static int
name_valid(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
		    *s != '_' && *s != '-')
			return 0;
	return 1;
}

static void
note_section(struct parse *ps, const char *name, size_t n)
{
	if (ps->nsect == ps->capsect) {
		ps->capsect = ps->capsect ? 2 * ps->capsect : 8;
		ps->sect = erealloc(ps->sect, ps->capsect * sizeof *ps->sect);
		ps->sectline = erealloc(ps->sectline,
		    ps->capsect * sizeof *ps->sectline);
	}
	ps->sect[ps->nsect] = estrndup(name, n);
	ps->sectline[ps->nsect] = ps->lineno;
	ps->nsect++;
}

/* A section header, read the way inih reads it (the name is everything
 * between '[' and the first ']', blanks included).  The reader sees it
 * because inih calls the handler for keys only, and an empty
 * [purpose.NAME] still declares a purpose; a long name would also be cut
 * short by inih without a word. */
static void
saw_header(struct parse *ps, const char *s)
{
	const char *end = strchr(s + 1, ']');
	size_t n;

	if (!end)
		return;	/* inih reports it */
	ps->cont = 0;
	n = (size_t)(end - (s + 1));
	if (n >= 50) {
		parse_err(ps, ps->lineno, "section name longer than 49 bytes");
		return;
	}
	note_section(ps, s + 1, n);
}

/* inih's fgets-style reader.  One call is one line of the file, so inih's
 * line numbers stay ours even for a line too long for its buffer, which
 * inih would otherwise split in two without a word. */
static char *
reader(char *str, int num, void *arg)
{
	struct parse *ps = arg;
	ssize_t n;
	size_t len, max;
	const char *s;

	n = getline(&ps->line, &ps->linecap, ps->fp);
	if (n < 0)
		return NULL;
	ps->lineno++;
	len = (size_t)n;
	if (strlen(ps->line) != len) {
		parse_err(ps, ps->lineno, "NUL byte in line");
		len = strlen(ps->line);
	}
	/* inih strips the end of line itself; ours goes back on below. */
	if (len > 0 && ps->line[len - 1] == '\n')
		len--;
	if (len > 0 && ps->line[len - 1] == '\r')
		len--;
	max = num > 2 ? (size_t)num - 2 : 0;
	if (len > max) {
		parse_err(ps, ps->lineno, "line longer than %zu bytes; "
		    "continue a long value on indented lines", max);
		len = max;
	}
	memcpy(str, ps->line, len);
	str[len] = '\n';
	str[len + 1] = '\0';

	s = ps->line;
	if (ps->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;	/* inih drops a byte-order mark */
	/* inih's test for a continuation: any isspace() byte first. */
	ps->indented = isspace((unsigned char)*s);
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0') {
		ps->pending++;
	} else if (*s != ';' && *s != '#') {
		ps->blanks = ps->pending;
		ps->pending = 0;
		/* An indented "[...]" after a key is, to inih, one more
		 * continuation line, not a header: the section goes on. */
		if (*s == '[' && !(ps->indented && ps->cont))
			saw_header(ps, s);
	}
	return str;
}

static void
add_entry(struct config *cfg, const char *section, const char *key,
    const char *value, int line)
{
	struct entry *e;

	if (cfg->ne == cfg->cape) {
		cfg->cape = cfg->cape ? 2 * cfg->cape : 32;
		cfg->e = erealloc(cfg->e, cfg->cape * sizeof *cfg->e);
	}
	e = &cfg->e[cfg->ne++];
	e->section = estrdup(section);
	e->key = estrdup(key);
	e->value = estrdup(value);
	e->line = line;
}

/* The length of a continuation line without its inline comment (from a
 * ';' after a blank) and the blanks before it: older inih, Debian's among
 * them, leave the comment on a continuation line, newer ones strip it as
 * on a key's own line. */
static size_t
cont_len(const char *value)
{
	size_t i, n = strlen(value);

	for (i = 1; i < n; i++)
		if (value[i] == ';' && isspace((unsigned char)value[i - 1])) {
			n = i;
			break;
		}
	while (n > 0 && isspace((unsigned char)value[n - 1]))
		n--;
	return n;
}

/* inih calls this once for "key = value" and once more for every
 * indented line that continues it, with the same key: the reader's note
 * of the line's indent tells which.  Continuation lines are joined with
 * newlines, keeping the blank lines between them, so that a template
 * body can have paragraphs. */
static int
handler(void *arg, const char *section, const char *key, const char *value)
{
	struct parse *ps = arg;
	struct config *cfg = ps->cfg;
	struct entry *last;
	struct buf b = { 0 };
	int i;

	if (ps->indented && ps->cont && cfg->ne > 0) {
		last = &cfg->e[cfg->ne - 1];
		buf_adds(&b, last->value);
		for (i = 0; i <= ps->blanks; i++)
			buf_addc(&b, '\n');
		buf_add(&b, value, cont_len(value));
		free(last->value);
		last->value = b.s;
		return 1;
	}
	add_entry(cfg, section, key, value, ps->lineno);
	ps->cont = 1;
	return 1;
}

static struct purpose *
add_purpose(struct config *cfg, const char *name, const char *basis)
{
	struct purpose *p;

	if (cfg->np == cfg->capp) {
		cfg->capp = cfg->capp ? 2 * cfg->capp : 8;
		cfg->p = erealloc(cfg->p, cfg->capp * sizeof *cfg->p);
	}
	p = &cfg->p[cfg->np++];
	p->name = estrdup(name);
	p->basis = basis;
	p->active = 1;
	return p;
}

static struct purpose *
find_purpose(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->np; i++)
		if (strcmp(cfg->p[i].name, name) == 0)
			return &cfg->p[i];
	return NULL;
}

/* yes/no and the other spellings consent.conf(5) allows, in any case. */
static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "1" };
	static const char *const no[] = { "no", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* The purposes: the defaults, then the new sections in file order, then
 * their keys in file order so that the last assignment wins. */
static void
build_purposes(struct config *cfg, struct parse *ps)
{
	const char *name;
	struct purpose *p;
	struct entry *e;
	size_t i;
	int v;

	for (i = 0; i < sizeof default_purposes / sizeof default_purposes[0];
	    i++)
		add_purpose(cfg, default_purposes[i].name,
		    default_purposes[i].basis);
	for (i = 0; i < ps->nsect; i++) {
		if (strncmp(ps->sect[i], PURPOSE_PREFIX,
		    strlen(PURPOSE_PREFIX)) != 0)
			continue;
		name = ps->sect[i] + strlen(PURPOSE_PREFIX);
		if (!name_valid(name)) {
			parse_err(ps, ps->sectline[i], "bad purpose name '%s' "
			    "(want lower-case letters, digits, '_', '-')",
			    name);
			continue;
		}
		/* A new purpose asks for consent unless told otherwise:
		 * the basis that needs the customer's word is the safe one. */
		if (!find_purpose(cfg, name))
			add_purpose(cfg, name, "consent");
	}
	for (i = 0; i < cfg->ne; i++) {
		e = &cfg->e[i];
		if (strncmp(e->section, PURPOSE_PREFIX,
		    strlen(PURPOSE_PREFIX)) != 0)
			continue;
		p = find_purpose(cfg, e->section + strlen(PURPOSE_PREFIX));
		if (!p)
			continue;	/* a bad name, reported above */
		if (strcmp(e->key, "basis") == 0) {
			if (basis_valid(e->value))
				p->basis = e->value;
			else
				parse_err(ps, e->line, "[%s] basis: unknown "
				    "legal basis '%s'", e->section, e->value);
		} else if (strcmp(e->key, "active") == 0) {
			if (parse_bool(e->value, &v) == 0)
				p->active = v;
			else
				parse_err(ps, e->line, "[%s] active: want yes "
				    "or no, not '%s'", e->section, e->value);
		}
	}
}

static void
parse_free(struct parse *ps)
{
	size_t i;

	for (i = 0; i < ps->nsect; i++)
		free(ps->sect[i]);
	free(ps->sect);
	free(ps->sectline);
	free(ps->line);
}

static int
parse_file(struct config *cfg, FILE *fp, const char *file, char *err,
    size_t errsz)
{
	struct parse ps = { 0 };
	int rc, ret = 0;

	ps.cfg = cfg;
	ps.fp = fp;
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	if (ferror(fp)) {
		seterr(err, errsz, "%s: %s", file, strerror(errno));
		ret = -1;
		goto out;
	}
	if (rc < 0) {
		seterr(err, errsz, "%s: out of memory", file);
		ret = -1;
		goto out;
	}
	build_purposes(cfg, &ps);
	/* The earlier of inih's first error and ours; on the same line ours
	 * says more. */
	if (rc > 0 && (!ps.errline || rc < ps.errline)) {
		seterr(err, errsz, "%s:%d: syntax error: want [section], "
		    "key = value or an indented continuation", file, rc);
		ret = -1;
	} else if (ps.errline) {
		seterr(err, errsz, "%s:%d: %s", file, ps.errline, ps.errmsg);
		ret = -1;
	}
out:
	parse_free(&ps);
	return ret;
}

struct config *
config_load(const char *path, char *err, size_t errsz)
{
	struct config *cfg = ecalloc(1, sizeof *cfg);
	FILE *fp = NULL;
	int given = 1;

	if (!path) {
		path = getenv("CONSENT_CONFIG");
		/* An empty variable is the usual way to say "unset" in a
		 * script; reading "" would only fail. */
		if (path && !*path)
			path = NULL;
	}
	if (!path) {
		path = DEFAULT_PATH;
		given = 0;
	}
	fp = fopen(path, "r");
	if (!fp) {
		if (!given && (errno == ENOENT || errno == ENOTDIR)) {
			/* No system file: the defaults of SPEC.md. */
			build_purposes(cfg, &(struct parse){ .cfg = cfg });
			return cfg;
		}
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		free(cfg);
		return NULL;
	}
	cfg->path = estrdup(path);
	if (parse_file(cfg, fp, path, err, errsz) < 0) {
		fclose(fp);
		config_free(cfg);
		return NULL;
	}
	fclose(fp);
	return cfg;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->ne; i++) {
		free(cfg->e[i].section);
		free(cfg->e[i].key);
		free(cfg->e[i].value);
	}
	free(cfg->e);
	for (i = 0; i < cfg->np; i++)
		free((char *)cfg->p[i].name);
	free(cfg->p);
	free(cfg->path);
	free(cfg);
}

const char *
config_path(const struct config *cfg)
{
	return cfg->path;
}

static const struct entry *
find_entry(const struct config *cfg, const char *section, const char *key)
{
	size_t i;

	for (i = cfg->ne; i-- > 0;)
		if (strcmp(cfg->e[i].section, section) == 0 &&
		    strcmp(cfg->e[i].key, key) == 0)
			return &cfg->e[i];
	return NULL;
}

const char *
config_get(const struct config *cfg, const char *section, const char *key)
{
	const struct entry *e = find_entry(cfg, section, key);

	return e ? e->value : NULL;
}

const char *
config_get_or(const struct config *cfg, const char *section,
    const char *key, const char *fallback)
{
	const char *v = config_get(cfg, section, key);

	return v ? v : fallback;
}

/* "lang =" left empty means the default, not a language called "". */
static const char *
get_nonempty(const struct config *cfg, const char *section, const char *key,
    const char *fallback)
{
	const char *v = config_get(cfg, section, key);

	return v && *v ? v : fallback;
}

const char *
config_company_lang(const struct config *cfg)
{
	return get_nonempty(cfg, "company", "lang", "nb");
}

const char *
config_company_country(const struct config *cfg)
{
	return get_nonempty(cfg, "company", "country", "NO");
}

size_t
config_npurposes(const struct config *cfg)
{
	return cfg->np;
}

const struct purpose *
config_purpose_at(const struct config *cfg, size_t i)
{
	return i < cfg->np ? &cfg->p[i] : NULL;
}

const struct purpose *
config_purpose(const struct config *cfg, const char *name)
{
	return find_purpose(cfg, name);
}

/* A title from the file or, for a default purpose, the built-in one. */
static const char *
title_in(const struct config *cfg, const char *name, const char *lang)
{
	char section[128], key[64];
	const char *v;
	size_t i;

	snprintf(section, sizeof section, PURPOSE_PREFIX "%s", name);
	snprintf(key, sizeof key, "title.%s", lang);
	v = config_get(cfg, section, key);
	if (v && *v)
		return v;
	for (i = 0; i < sizeof builtin_titles / sizeof builtin_titles[0]; i++)
		if (strcmp(builtin_titles[i].lang, lang) == 0 &&
		    strcmp(builtin_titles[i].purpose, name) == 0)
			return builtin_titles[i].title;
	return NULL;
}

const char *
config_purpose_title(const struct config *cfg, const char *name,
    const char *lang)
{
	const char *t;

	if (lang && *lang && (t = title_in(cfg, name, lang)))
		return t;
	/* The company's own language next: a firm that titles a new purpose
	 * only in Norwegian would rather show that than its name. */
	if ((t = title_in(cfg, name, config_company_lang(cfg))))
		return t;
	if ((t = title_in(cfg, name, "en")))
		return t;
	return name;
}

char *
config_read_secret(const struct config *cfg, const char *section,
    const char *key, size_t *len, char *err, size_t errsz)
{
	const struct entry *e = find_entry(cfg, section, key);
	const char *slash;
	struct stat st;
	struct buf path = { 0 };
	char *s = NULL;
	size_t n = 0;
	ssize_t r;
	int fd = -1;

	if (!e || !*e->value) {
		if (cfg->path)
			seterr(err, errsz, "%s: [%s] %s is not set",
			    cfg->path, section, key);
		else
			seterr(err, errsz, "[%s] %s is not set (no "
			    "configuration file)", section, key);
		return NULL;
	}
	/* Relative to the configuration, not to wherever cron started us. */
	slash = strrchr(cfg->path, '/');
	if (e->value[0] != '/' && slash)
		buf_add(&path, cfg->path, (size_t)(slash - cfg->path) + 1);
	buf_adds(&path, e->value);

	/* O_NONBLOCK so that a FIFO named by mistake cannot hang us before
	 * fstat turns it down. */
	fd = open(path.s, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, errsz, "%s:%d: %s: %s", cfg->path, e->line, path.s,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		seterr(err, errsz, "%s:%d: %s: %s", cfg->path, e->line, path.s,
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errsz, "%s:%d: %s: not a regular file", cfg->path,
		    e->line, path.s);
		goto fail;
	}
	if (st.st_mode & 077) {
		seterr(err, errsz, "%s:%d: %s: open to group or others (mode "
		    "%04o); chmod 600 it", cfg->path, e->line, path.s,
		    (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	s = emalloc(SECRET_MAX + 2);
	while (n <= SECRET_MAX) {
		r = read(fd, s + n, SECRET_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			seterr(err, errsz, "%s:%d: %s: %s", cfg->path, e->line,
			    path.s, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > SECRET_MAX) {
		seterr(err, errsz, "%s:%d: %s: longer than %d bytes",
		    cfg->path, e->line, path.s, SECRET_MAX);
		goto fail;
	}
	/* Editors end the file with a newline that is no part of the
	 * secret; only one goes, in case the secret itself ends in one. */
	if (n > 0 && s[n - 1] == '\n') {
		n--;
		if (n > 0 && s[n - 1] == '\r')
			n--;
	}
	if (n == 0) {
		seterr(err, errsz, "%s:%d: %s: empty", cfg->path, e->line,
		    path.s);
		goto fail;
	}
	s[n] = '\0';
	close(fd);
	buf_free(&path);
	if (len)
		*len = n;
	return s;
fail:
	if (s) {
		explicit_bzero(s, SECRET_MAX + 2);
		free(s);
	}
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	return NULL;
}

char *
config_read_landing_secret(const struct config *cfg, size_t *len, char *err,
    size_t errsz)
{
	char *s = config_read_secret(cfg, "landing", "secret_file", len, err,
	    errsz);

	if (s && *len < LANDING_SECRET_MIN) {
		seterr(err, errsz, "[landing] secret_file: the secret is %zu"
		    " bytes, and must be %d or more (head -c 32 /dev/urandom |"
		    " base64 makes one)", *len, LANDING_SECRET_MIN);
		explicit_bzero(s, *len);
		free(s);
		return NULL;
	}
	return s;
}
