/* cli: what every tool's main does the same way: the options the
 * record-reading tools share, the configuration, the store, the clock and
 * the actor, each failing with exit 2 and a message in the shared
 * format. */
#ifndef CONSENT_CLI_H
#define CONSENT_CLI_H

#include <stddef.h>
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

/* Append s to the growable array *v of *n strings (a repeatable option). */
void cli_push(char ***v, size_t *n, char *s);

/* The options of every tool that reads customer records: where its
 * fields are, how it is encoded and split, the store and the
 * configuration.  NULL or 0: not given. */
struct cli_records {
	const char *map, *key, *encoding, *db, *config;
	char delim;		/* 0: detected from each file's header */
};

/* Their codes, where there is no short letter: far above a tool's own
 * codes (from 256), so that the two never meet in one switch. */
enum {
	CLI_OPT_CSV = 0x1000,
	CLI_OPT_TSV,
	CLI_OPT_DB,
	CLI_OPT_CONFIG
};

/* For a tool's getopt_long: its own letters around CLI_RECORD_SHORTOPTS,
 * CLI_RECORD_LONGOPTS among its struct option entries (<getopt.h>). */
#define CLI_RECORD_SHORTOPTS "m:k:e:d:"
#define CLI_RECORD_LONGOPTS \
	{ "map", required_argument, NULL, 'm' }, \
	{ "key", required_argument, NULL, 'k' }, \
	{ "encoding", required_argument, NULL, 'e' }, \
	{ "delimiter", required_argument, NULL, 'd' }, \
	{ "csv", no_argument, NULL, CLI_OPT_CSV }, \
	{ "tsv", no_argument, NULL, CLI_OPT_TSV }, \
	{ "db", required_argument, NULL, CLI_OPT_DB }, \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }

/* Take option c with its argument into o and return 1, or return 0 when
 * c is none of these.  A second --map, --key, --encoding, --db or
 * --config exits 2 (cli_once); of -d, --csv and --tsv the last counts. */
int cli_record_option(struct cli_records *o, int c, const char *arg);

#endif
