/* paper: consent forms as one PDF, a page per customer.
 *
 * The page is laid out top down (the company, the information text, the
 * customer, the boxes) and bottom up (the link, the QR code with the hint
 * beside it, the date and signature lines), so that the parts a customer
 * writes on and scans are always in the same place.  When the top part
 * would run into them, the information text is set smaller, down to a
 * size still readable; a text too long even then is an error rather than
 * a form that says less than the customer is to be told.
 *
 * The layouts and the font map are made once, for the whole document:
 * fonts are looked up once, and a thousand forms take about a second. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "config.h"
#include "paper.h"
#include "token.h"
#include "util.h"

/* A4 in PostScript points, and the margins. */
#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN 56.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define QR_SIZE 116.0		/* the code with its quiet zone */
#define QR_QUIET 4		/* modules of white around it */
#define BOX 12.0		/* the side of a check box */
#define FONT "DejaVu Sans,sans-serif"
#define MONO "DejaVu Sans Mono,monospace"

/* The printed words per language. */
enum word {
	W_TITLE, W_CUSTOMER, W_KEY, W_TICK, W_FREE, W_DATE, W_SIGNATURE,
	W_PHONE, W_NWORDS
};

static const struct {
	const char *lang;
	const char *w[W_NWORDS];
} words[] = {
	{ "nb", { "Samtykke", "Kunde", "Kundenummer",
	    "Kryss av for det du samtykker til:",
	    "Du velger selv, og du kan endre svaret når som helst via lenken"
	    " nedenfor. Et felt uten kryss er et nei.",
	    "Dato", "Signatur",
	    "Du kan også svare på mobilen i stedet: skann koden eller åpne"
	    " lenken." } },
	{ "sv", { "Samtycke", "Kund", "Kundnummer",
	    "Kryssa för det du samtycker till:",
	    "Du väljer själv och kan ändra ditt svar när som helst via länken"
	    " nedan. En ruta utan kryss är ett nej.",
	    "Datum", "Underskrift",
	    "Du kan också svara i mobilen i stället: skanna koden eller öppna"
	    " länken." } },
	{ "da", { "Samtykke", "Kunde", "Kundenummer",
	    "Sæt kryds ved det, du giver samtykke til:",
	    "Du bestemmer selv og kan ændre dit svar når som helst via linket"
	    " nedenfor. Et felt uden kryds er et nej.",
	    "Dato", "Underskrift",
	    "Du kan også svare på mobilen i stedet: scan koden eller åbn"
	    " linket." } },
	{ "fi", { "Suostumus", "Asiakas", "Asiakasnumero",
	    "Rastita kohdat, joihin annat suostumuksesi:",
	    "Päätät itse, ja voit muuttaa vastaustasi milloin tahansa alla"
	    " olevan linkin kautta. Rastittamaton ruutu on ei.",
	    "Päivämäärä", "Allekirjoitus",
	    "Voit myös vastata puhelimella: skannaa koodi tai avaa"
	    " linkki." } },
	{ "en", { "Consent", "Customer", "Customer number",
	    "Tick what you consent to:",
	    "The choice is yours, and you can change your answer at any time"
	    " through the link below. A box left empty is a no.",
	    "Date", "Signature",
	    "You may answer on your phone instead: scan the code or open the"
	    " link." } },
};
#define NLANGS (sizeof words / sizeof words[0])

/* The layouts of a page, each with its font and width.  Every text has
 * a layout of its own, kept from page to page: a text that is the same
 * as on the page before (all but the customer and the link, as long as
 * the language is) is not shaped again. */
enum part {
	P_HEAD, P_TITLE, P_INFO, P_CUST, P_TICK, P_FREE, P_DATE, P_SIGN,
	P_PHONE, P_LINK, P_PURPOSE, P_NPARTS = P_PURPOSE + TOKEN_PURPOSES_MAX
};

/* The hint is set beside the code. */
#define HINT_X (MARGIN + QR_SIZE + 4)

static const struct {
	const char *family;
	PangoWeight weight;
	double size, width;
} faces[P_PURPOSE + 1] = {
	[P_HEAD] = { FONT, PANGO_WEIGHT_BOLD, 20, TEXT_W },
	[P_TITLE] = { FONT, PANGO_WEIGHT_NORMAL, 14, TEXT_W },
	[P_INFO] = { FONT, PANGO_WEIGHT_NORMAL, 10.5, TEXT_W },
	[P_CUST] = { FONT, PANGO_WEIGHT_NORMAL, 11, TEXT_W },
	[P_TICK] = { FONT, PANGO_WEIGHT_BOLD, 11, TEXT_W },
	[P_FREE] = { FONT, PANGO_WEIGHT_NORMAL, 9, TEXT_W },
	[P_DATE] = { FONT, PANGO_WEIGHT_NORMAL, 9, TEXT_W },
	[P_SIGN] = { FONT, PANGO_WEIGHT_NORMAL, 9, TEXT_W },
	[P_PHONE] = { FONT, PANGO_WEIGHT_NORMAL, 9, PAGE_W - MARGIN - HINT_X },
	[P_LINK] = { MONO, PANGO_WEIGHT_NORMAL, 8.5, TEXT_W },
	[P_PURPOSE] = { FONT, PANGO_WEIGHT_NORMAL, 11, TEXT_W - BOX - 10 },
};

/* The information text is set smaller until the page holds it. */
static const double info_sizes[] = { 10.5, 9.5, 8.5, 7.5, 7 };

struct paper {
	FILE *out;
	const struct config *cfg;
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoFontMap *fontmap;
	PangoContext *ctx;
	PangoLayout *l[P_NPARTS];
	double info_size;	/* of the information text now */
	size_t pages;
	int write_errno;	/* errno of a failed write, or 0 */
};

static cairo_status_t
write_out(void *closure, const unsigned char *data, unsigned int len)
{
	struct paper *p = closure;

	if (fwrite(data, 1, len, p->out) != len) {
		p->write_errno = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void
set_size(PangoLayout *l, const char *family, PangoWeight weight, double pt)
{
	PangoFontDescription *fd = pango_font_description_new();

	pango_font_description_set_family(fd, family);
	pango_font_description_set_weight(fd, weight);
	pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
}

struct paper *
paper_open(FILE *out, const struct config *cfg, char *err, size_t errsz)
{
	struct paper *p = ecalloc(1, sizeof *p);
	cairo_font_options_t *fo;
	const char *company = config_get_or(cfg, "company", "name", "");
	int i;

	p->out = out;
	p->cfg = cfg;
	p->surface = cairo_pdf_surface_create_for_stream(write_out, p, PAGE_W,
	    PAGE_H);
	if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errsz, "cannot start the PDF: %s",
		    cairo_status_to_string(cairo_surface_status(p->surface)));
		cairo_surface_destroy(p->surface);
		free(p);
		return NULL;
	}
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE,
	    *company ? company : "Consent forms");
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR,
	    "consent-request");
	p->cr = cairo_create(p->surface);
	/* a font map of our own, so that closing frees all it cached */
	p->fontmap = pango_cairo_font_map_new();
	p->ctx = pango_font_map_create_context(p->fontmap);
	/* metrics that do not depend on a resolution: the same layout on
	 * paper as in any viewer */
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(p->ctx, fo);
	cairo_font_options_destroy(fo);
	pango_cairo_update_context(p->cr, p->ctx);
	for (i = 0; i < P_NPARTS; i++) {
		int f = i < P_PURPOSE ? i : P_PURPOSE;

		p->l[i] = pango_layout_new(p->ctx);
		set_size(p->l[i], faces[f].family, faces[f].weight,
		    faces[f].size);
		pango_layout_set_width(p->l[i], (int)(faces[f].width *
		    PANGO_SCALE));
		pango_layout_set_wrap(p->l[i], PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_wrap(p->l[P_LINK], PANGO_WRAP_CHAR);
	p->info_size = faces[P_INFO].size;
	return p;
}

static const char *
word(const struct paper *p, const char *lang, enum word w)
{
	const char *company = config_company_lang(p->cfg);
	size_t i;

	for (i = 0; i < NLANGS; i++)
		if (!strcmp(words[i].lang, lang))
			return words[i].w[w];
	for (i = 0; i < NLANGS; i++)
		if (!strcmp(words[i].lang, company))
			return words[i].w[w];
	return words[NLANGS - 1].w[w];
}

/* [company] info.LANG, else that of the default language. */
static const char *
info_text(const struct paper *p, const char *lang)
{
	char k[32];
	const char *v;

	snprintf(k, sizeof k, "info.%s", lang);
	if ((v = config_get(p->cfg, "company", k)) && *v)
		return v;
	snprintf(k, sizeof k, "info.%s", config_company_lang(p->cfg));
	if ((v = config_get(p->cfg, "company", k)) && *v)
		return v;
	return NULL;
}

/* Set a layout's text and give its height in points.  The same text
 * again keeps the lines laid out before. */
static double
set(PangoLayout *l, const char *text)
{
	int w, h;

	if (strcmp(pango_layout_get_text(l), text))
		pango_layout_set_text(l, text, -1);
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void
show(struct paper *p, PangoLayout *l, double x, double y)
{
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
}

static void
hline(struct paper *p, double x0, double x1, double y)
{
	cairo_move_to(p->cr, x0, y);
	cairo_line_to(p->cr, x1, y);
	cairo_stroke(p->cr);
}

/* The QR code with its quiet zone in a square of side QR_SIZE at (x, y),
 * as one path filled once: no seams between modules when rasterised. */
static void
draw_qr(struct paper *p, const QRcode *q, double x, double y)
{
	double m = QR_SIZE / (q->width + 2 * QR_QUIET);
	int r, c, run;

	cairo_new_path(p->cr);
	for (r = 0; r < q->width; r++)
		for (c = 0; c < q->width; c += run) {
			run = 1;
			if (!(q->data[r * q->width + c] & 1))
				continue;
			while (c + run < q->width &&
			    (q->data[r * q->width + c + run] & 1))
				run++;
			cairo_rectangle(p->cr, x + (c + QR_QUIET) * m,
			    y + (r + QR_QUIET) * m, run * m, m);
		}
	cairo_fill(p->cr);
}

/* The height of the top part: the info text at its current size. */
static double
top_height(struct paper *p, const struct paper_form *f, const char *lang,
    const char *info)
{
	char *list = estrdup(f->purposes), *pp, *save = NULL;
	struct buf b = { 0 };
	double h = 0;
	int n;

	h += set(p->l[P_HEAD], config_get_or(p->cfg, "company", "name", ""))
	    + 4;
	h += set(p->l[P_TITLE], word(p, lang, W_TITLE)) + 14;
	h += set(p->l[P_INFO], info) + 16;
	buf_printf(&b, "%s: %s\n%s: %s", word(p, lang, W_CUSTOMER), f->name,
	    word(p, lang, W_KEY), f->key);
	h += set(p->l[P_CUST], b.s) + 18;
	h += set(p->l[P_TICK], word(p, lang, W_TICK)) + 10;
	for (pp = strtok_r(list, ",", &save), n = 0; pp && n <
	    TOKEN_PURPOSES_MAX; pp = strtok_r(NULL, ",", &save), n++)
		h += set(p->l[P_PURPOSE + n], config_purpose_title(p->cfg, pp,
		    lang)) + 10;
	h += 6 + set(p->l[P_FREE], word(p, lang, W_FREE));
	free(list);
	buf_free(&b);
	return h;
}

static void
draw_top(struct paper *p, const struct paper_form *f, const char *lang,
    const char *info)
{
	char *list = estrdup(f->purposes), *pp, *save = NULL;
	struct buf b = { 0 };
	double y = MARGIN, h;
	int n;

	h = set(p->l[P_HEAD], config_get_or(p->cfg, "company", "name", ""));
	show(p, p->l[P_HEAD], MARGIN, y);
	y += h + 4;
	h = set(p->l[P_TITLE], word(p, lang, W_TITLE));
	show(p, p->l[P_TITLE], MARGIN, y);
	y += h + 14;
	h = set(p->l[P_INFO], info);
	show(p, p->l[P_INFO], MARGIN, y);
	y += h + 16;
	buf_printf(&b, "%s: %s\n%s: %s", word(p, lang, W_CUSTOMER), f->name,
	    word(p, lang, W_KEY), f->key);
	h = set(p->l[P_CUST], b.s);
	show(p, p->l[P_CUST], MARGIN, y);
	y += h + 18;
	h = set(p->l[P_TICK], word(p, lang, W_TICK));
	show(p, p->l[P_TICK], MARGIN, y);
	y += h + 10;
	cairo_set_line_width(p->cr, 1.0);
	for (pp = strtok_r(list, ",", &save), n = 0; pp && n <
	    TOKEN_PURPOSES_MAX; pp = strtok_r(NULL, ",", &save), n++) {
		h = set(p->l[P_PURPOSE + n], config_purpose_title(p->cfg, pp,
		    lang));
		cairo_rectangle(p->cr, MARGIN + 0.5, y + 1.5, BOX, BOX);
		cairo_stroke(p->cr);
		show(p, p->l[P_PURPOSE + n], MARGIN + BOX + 10, y);
		y += h + 10;
	}
	set(p->l[P_FREE], word(p, lang, W_FREE));
	show(p, p->l[P_FREE], MARGIN, y + 6);
	free(list);
	buf_free(&b);
}

/* The bottom part; returns its top edge. */
static double
bottom_top(void)
{
	return PAGE_H - MARGIN - 24 - QR_SIZE - 20 - 60;
}

static void
draw_bottom(struct paper *p, const struct paper_form *f, const char *lang,
    const QRcode *q)
{
	double ylink = PAGE_H - MARGIN - 24, yqr = ylink - 4 - QR_SIZE;
	double ysign = yqr - 30, m = QR_SIZE / (q->width + 2 * QR_QUIET);

	/* date and signature: lines to write on, the words under them */
	cairo_set_line_width(p->cr, 0.8);
	hline(p, MARGIN, MARGIN + 140, ysign);
	hline(p, MARGIN + 170, PAGE_W - MARGIN, ysign);
	set(p->l[P_DATE], word(p, lang, W_DATE));
	show(p, p->l[P_DATE], MARGIN, ysign + 3);
	set(p->l[P_SIGN], word(p, lang, W_SIGNATURE));
	show(p, p->l[P_SIGN], MARGIN + 170, ysign + 3);
	/* the code, the hint beside it, the link under it */
	draw_qr(p, q, MARGIN - m * QR_QUIET, yqr);
	set(p->l[P_PHONE], word(p, lang, W_PHONE));
	show(p, p->l[P_PHONE], HINT_X, yqr + QR_SIZE / 2 - 12);
	set(p->l[P_LINK], f->link);
	show(p, p->l[P_LINK], MARGIN, ylink);
}

int
paper_page(struct paper *p, const struct paper_form *f, char *err,
    size_t errsz)
{
	const char *info = info_text(p, f->lang);
	const char *lang = f->lang;
	cairo_status_t st;
	QRcode *q;
	size_t i;

	if (!info) {
		snprintf(err, errsz, "%s: no information text ([company]"
		    " info.%s)", f->key, lang);
		return -1;
	}
	for (i = 0; i < sizeof info_sizes / sizeof info_sizes[0]; i++) {
		if (p->info_size != info_sizes[i]) {
			set_size(p->l[P_INFO], FONT, PANGO_WEIGHT_NORMAL,
			    info_sizes[i]);
			p->info_size = info_sizes[i];
		}
		if (MARGIN + top_height(p, f, lang, info) <= bottom_top())
			break;
	}
	if (i == sizeof info_sizes / sizeof info_sizes[0]) {
		snprintf(err, errsz, "%s: the form does not fit on one page:"
		    " shorten [company] info.%s or the purposes' titles",
		    f->key, lang);
		return -1;
	}
	errno = 0;
	if (!(q = QRcode_encodeString(f->link, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1))) {
		snprintf(err, errsz, "%s: no QR code for the link: %s", f->key,
		    errno == ERANGE ? "too long" : strerror(errno));
		return -1;
	}
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	draw_top(p, f, lang, info);
	draw_bottom(p, f, lang, q);
	QRcode_free(q);
	cairo_show_page(p->cr);
	if ((st = cairo_status(p->cr)) != CAIRO_STATUS_SUCCESS ||
	    (st = cairo_surface_status(p->surface)) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errsz, "the PDF: %s", p->write_errno ?
		    strerror(p->write_errno) : cairo_status_to_string(st));
		return -1;
	}
	p->pages++;
	return 0;
}

size_t
paper_pages(const struct paper *p)
{
	return p->pages;
}

int
paper_close(struct paper *p, char *err, size_t errsz)
{
	cairo_status_t st;
	int i, rc = 0;

	if (!p)
		return 0;
	for (i = 0; i < P_NPARTS; i++)
		g_object_unref(p->l[i]);
	g_object_unref(p->ctx);
	cairo_destroy(p->cr);
	cairo_surface_finish(p->surface);
	st = cairo_surface_status(p->surface);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errsz, "the PDF: %s", p->write_errno ?
		    strerror(p->write_errno) : cairo_status_to_string(st));
		rc = -1;
	}
	cairo_surface_destroy(p->surface);
	g_object_unref(p->fontmap);
	free(p);
	/* Not cairo_debug_reset_static_data() nor FcFini(): what cairo and
	 * fontconfig cache for the process stays reachable until exit, and
	 * the reset asserts (and aborts the run) while pango's font map
	 * still holds a font, which happened now and then under load. */
	return rc;
}
