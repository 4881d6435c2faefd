/* tests/unit/transcript.h: for the transcripts of the records and splitter
 * tests, which write a record's bytes the same way. */
#ifndef CONSENT_TEST_TRANSCRIPT_H
#define CONSENT_TEST_TRANSCRIPT_H

#include <stddef.h>

#include "util.h"

/* Bytes as C-like escapes: \n \r \t \\, and \xHH for the rest that is
 * not printable ASCII. */
static inline void
esc(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			buf_adds(b, "\\n");
		else if (c == '\r')
			buf_adds(b, "\\r");
		else if (c == '\t')
			buf_adds(b, "\\t");
		else if (c == '\\')
			buf_adds(b, "\\\\");
		else if (c < ' ' || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
}

#endif
