/* cli: what every tool's main does the same way: the configuration, the
 * store, the clock and the actor, each failing with exit 2 and a message
 * in the shared format. */
#ifndef CONSENT_CLI_H
#define CONSENT_CLI_H

#include <stdint.h>

struct config;
struct store;

/* Load the configuration (--config path or NULL) or exit 2. */
struct config *cli_config(const char *path);
/* Open the store (--db path or NULL) or exit 2. */
struct store *cli_store(const char *path, const struct config *cfg);
/* The run's time ($CONSENT_NOW or the clock) or exit 2. */
int64_t cli_now(void);
/* --actor if given, else the login name ($LOGNAME, $USER, the password
 * entry), else "uid N". */
const char *cli_actor(const char *given);

/* -d's argument: one character, or "\\t" / "tab" for a tab; else exit 2. */
char cli_delim(const char *arg);
/* An option that takes one value: the value, or exit 2 when the option
 * was given before (given not NULL), since a second would silently
 * replace the first. */
const char *cli_once(const char *opt, const char *given, const char *value);

#endif
