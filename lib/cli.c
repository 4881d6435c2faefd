/* cli: the start of every tool's run. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "store.h"
#include "timeutil.h"
#include "util.h"

struct config *
cli_config(const char *path)
{
	char err[512];
	struct config *cfg = config_load(path, err, sizeof err);

	if (!cfg)
		eprintf("%s", err);
	return cfg;
}

struct store *
cli_store(const char *path, const struct config *cfg)
{
	char err[512];
	struct store *s = store_open(path, cfg, err, sizeof err);

	if (!s)
		eprintf("%s", err);
	return s;
}

int64_t
cli_now(void)
{
	int64_t t;

	if (time_now(&t) < 0)
		eprintf("CONSENT_NOW: not an RFC 3339 time: %s",
		    getenv("CONSENT_NOW"));
	return t;
}

const char *
cli_actor(const char *given)
{
	static char uid[32];
	const char *s;
	struct passwd *pw;

	if (given && *given)
		return given;
	if ((s = getenv("LOGNAME")) && *s)
		return s;
	if ((s = getenv("USER")) && *s)
		return s;
	if ((pw = getpwuid(getuid())) && pw->pw_name && *pw->pw_name)
		return pw->pw_name;
	snprintf(uid, sizeof uid, "uid %ld", (long)getuid());
	return uid;
}

char
cli_delim(const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
		return '\t';
	if (strlen(arg) != 1 || strchr("\"\r\n", arg[0]))
		eprintf("-d: the delimiter must be one character, not '%s'",
		    arg);
	return arg[0];
}

const char *
cli_once(const char *opt, const char *given, const char *value)
{
	if (given)
		eprintf("%s given twice: give it once", opt);
	return value;
}

void
cli_push(char ***v, size_t *n, char *s)
{
	*v = erealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

int
cli_record_option(struct cli_records *o, int c, const char *arg)
{
	switch (c) {
	case 'm': o->map = cli_once("--map", o->map, arg); break;
	case 'k': o->key = cli_once("--key", o->key, arg); break;
	case 'e':
		o->encoding = cli_once("--encoding", o->encoding, arg);
		break;
	case 'd': o->delim = cli_delim(arg); break;
	case CLI_OPT_CSV: o->delim = ','; break;
	case CLI_OPT_TSV: o->delim = '\t'; break;
	case CLI_OPT_DB: o->db = cli_once("--db", o->db, arg); break;
	case CLI_OPT_CONFIG:
		o->config = cli_once("--config", o->config, arg);
		break;
	default: return 0;
	}
	return 1;
}
