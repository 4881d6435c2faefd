/* cli: the start of every tool's run. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
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
