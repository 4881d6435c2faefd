/* Fuzz target: the record reader.  The first byte chooses the options
 * (delimiter, --encoding, libcsv for every quoted record); the rest is
 * the file, read through a memfd as a tool reads its input.  Every
 * record read is written out again with the writer, so that the
 * writer's quoting is fuzzed too. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "records.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char delims[] = { 0, ',', ';', '\t' };
static const char *const encodings[] = {
	NULL, "CP1252", "ISO-8859-1", "UTF-16", "UTF-16LE", "ISO-8859-15",
	"UTF-8", "CP865"
};

static int fd = -1;
static FILE *devnull;

static void
setup(void)
{
	if ((fd = memfd_create("records", 0)) < 0)
		eprintf("memfd_create:");
	if (!(devnull = fopen("/dev/null", "w")))
		eprintf("/dev/null:");
}

static void
put(int wfd, const uint8_t *p, size_t n)
{
	ssize_t w;

	if (ftruncate(wfd, 0) < 0 || lseek(wfd, 0, SEEK_SET) < 0)
		eprintf("memfd:");
	while (n > 0) {
		if ((w = write(wfd, p, n)) < 0)
			eprintf("memfd:");
		p += w;
		n -= (size_t)w;
	}
	if (lseek(wfd, 0, SEEK_SET) < 0)
		eprintf("memfd:");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader_opts o = { 0 };
	struct fieldmap m;
	struct writer w;
	struct record rec;
	struct reader *r;
	char err[512];
	size_t i;
	int rc, n = 0;

	if (fd < 0)
		setup();
	if (size < 1)
		return 0;
	o.delim = delims[data[0] & 3];
	o.encoding = encodings[data[0] >> 2 & 7];
	o.libcsv_only = data[0] >> 5 & 1;
	put(fd, data + 1, size - 1);
	if (!(r = reader_open(fd, "fuzz", &o, err, sizeof err)))
		return 0;
	writer_init(&w, devnull, reader_delim(r), reader_crlf(r),
	    data[0] >> 6 & 1);
	if (fieldmap_resolve(&m, r, data[0] & 0x80 ? "id=1,email=2" : NULL,
	    NULL, err, sizeof err) < 0)
		memset(&m, 0xff, sizeof m);
	while ((rc = reader_next(r, &rec)) != 0 && rc != -2 && n++ < 100000) {
		if (rc < 0)
			continue;
		/* What records.h promises of every field. */
		for (i = 0; i < rec.nfields; i++)
			if (rec.fields[i][rec.lens[i]] != '\0' ||
			    !utf8_valid(rec.fields[i], rec.lens[i]))
				abort();
		(void)record_get(&rec, &m, F_EMAIL);
		(void)record_col(&rec, (int)rec.nfields);
		writer_row(&w, rec.nfields, (const char *const *)rec.fields);
	}
	reader_close(r);
	return 0;
}
