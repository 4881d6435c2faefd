/* shown: the text a customer was shown, as evidence.  What the page says
 * is written out as plain text in one canonical form, the same bytes for
 * the same page whatever the answer or the visit; its SHA-256 goes with
 * every answer given on that page, and the text itself into the texts
 * table the first time it is seen.  The form (consent-landing(8)):
 *
 *	Language: nb
 *	Company: Bil & Motor AS
 *
 *	The information text, as configured.
 *
 *	Kryss av for det du sier ja til:
 *	[ ] The first purpose's title
 *	[ ] The second's
 *
 *	[Lagre svaret]
 *
 *	Personvernerklæring: https://example.no/personvern
 *
 * The last paragraph only when a policy is linked; every line ends in
 * LF.  The line saying that the customer answered before, and which
 * boxes were ticked, are the answer, not the text. */
#include <sodium.h>
#include <string.h>

#include "landing.h"

/* The information text without blank lines around it. */
static void
add_info(struct buf *b, const char *s)
{
	size_t n;

	while (*s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '\n')
		n--;
	if (n == 0)
		return;
	buf_add(b, s, n);
	buf_adds(b, "\n\n");
}

void
shown_text(struct buf *b, const struct view *v)
{
	size_t i;

	buf_printf(b, "Language: %s\nCompany: %s\n\n", v->ui->lang,
	    v->company);
	add_info(b, v->info);
	buf_printf(b, "%s\n", v->ui->choose);
	for (i = 0; i < v->n; i++)
		buf_printf(b, "[ ] %s\n", v->c[i].title);
	buf_printf(b, "\n[%s]\n", v->ui->button);
	if (v->policy && *v->policy)
		buf_printf(b, "\n%s: %s\n", v->ui->policy, v->policy);
}

void
shown_hash(const struct buf *text, char hex[SHA256_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)(text->s ? text->s : ""),
	    text->len);
	sodium_bin2hex(hex, SHA256_HEX, h, sizeof h);
}
