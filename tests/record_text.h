/* tests/record_text.h: a record's text, the same for the splitter's unit
 * test (tests/unit/splitter.c) and its fuzz target (tests/fuzz/). */
#ifndef CONSENT_TEST_RECORD_TEXT_H
#define CONSENT_TEST_RECORD_TEXT_H

#include <stddef.h>

/* The text of a record: its bytes without the line ending. */
static inline size_t
text_len(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	return n;
}

#endif
