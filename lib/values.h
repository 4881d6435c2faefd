/* values: the small value syntaxes of input columns: consent answers and
 * language codes.  Knows no store and no network. */
#ifndef CONSENT_VALUES_H
#define CONSENT_VALUES_H

#include <stddef.h>

/* A consent cell, any case, blanks around ignored: yes/ja/j/y/1/true/
 * granted/kyllä give 1 (granted); no/nei/nej/n/ei/0/false/denied give 2
 * (denied); withdrawn gives 3; an empty cell gives 0 (nothing recorded);
 * anything else -1.  The numbers are those of enum cstate. */
int consent_value_parse(const char *s);

/* A language code: 2 or 3 ASCII letters, lower-cased into out (at least 4
 * bytes); "" stays "".  0, or -1 when not a language code. */
int lang_normalise(const char *s, char *out, size_t outsz);

/* Trim blanks (space, tab) at both ends, in place; returns s moved past
 * the leading ones. */
char *trim_blanks(char *s);

#endif
