/* paper: printable consent forms, one A4 page per customer, all in one
 * PDF (cairo and pango, the QR code with libqrencode).  A page holds the
 * company's name, the information text in the form's language, the
 * customer's name and key, an empty box per purpose with its title, date
 * and signature lines, and the QR code of the customer's link with the
 * link under it.  Knows no store and no network; never prints. */
#ifndef CONSENT_PAPER_H
#define CONSENT_PAPER_H

#include <stddef.h>
#include <stdio.h>

struct config;
struct paper;

struct paper_form {
	const char *lang;	/* the request's language: texts, titles */
	const char *name;	/* the customer's name, "" for none */
	const char *key;	/* the customer's key */
	const char *link;	/* the personal landing link */
	const char *purposes;	/* purpose names, comma-separated */
};

/* Start a PDF that is written to out as the pages are made.  The
 * configuration must outlive the paper.  NULL with a message in err. */
struct paper *paper_open(FILE *out, const struct config *cfg, char *err,
    size_t errsz);

/* Add the page of one form: 0, or -1 with a message in err (no
 * information text, a link too long for a QR code, a form that does not
 * fit on the page, an error writing). */
int paper_page(struct paper *p, const struct paper_form *f, char *err,
    size_t errsz);

/* The number of pages made so far. */
size_t paper_pages(const struct paper *p);

/* Finish the PDF and free everything (out is flushed, not closed): 0, or
 * -1 with a message in err when the PDF could not be written.  NULL is
 * a no-op. */
int paper_close(struct paper *p, char *err, size_t errsz);

#endif
