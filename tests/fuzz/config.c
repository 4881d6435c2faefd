/* Fuzz target: the INI parser of consent.conf(5).  config_load reads a
 * path, so the input goes into a memfd opened again by its /proc name;
 * then everything a tool asks of a loaded configuration. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const langs[] = { "nb", "sv", "da", "fi", "en", "xx" };

static int fd = -1;
static char path[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct purpose *p;
	struct config *cfg;
	char err[512];
	size_t i, k;

	if (fd < 0) {
		if ((fd = memfd_create("consent.conf", 0)) < 0)
			eprintf("memfd_create:");
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		eprintf("memfd:");
	if (!(cfg = config_load(path, err, sizeof err))) {
		if (!memchr(err, '\0', sizeof err))
			abort();
		return 0;
	}
	(void)config_company_lang(cfg);
	(void)config_company_country(cfg);
	(void)config_get_or(cfg, "landing", "keep", "30d");
	(void)config_get(cfg, "company", "info.nb");
	for (i = 0; i < config_npurposes(cfg); i++) {
		p = config_purpose_at(cfg, i);
		if (!p->name || !basis_valid(p->basis) ||
		    config_purpose(cfg, p->name) == NULL)
			abort();
		for (k = 0; k < sizeof langs / sizeof *langs; k++)
			if (!config_purpose_title(cfg, p->name, langs[k]))
				abort();
	}
	config_free(cfg);
	return 0;
}
