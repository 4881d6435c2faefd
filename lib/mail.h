/* mail: the e-mail messages consent-request sends (RFC 5322, MIME UTF-8
 * text in quoted-printable, RFC 2047 encoded-words in the headers) and the
 * mbox that --dry-run writes them to.  Every line written is at most 76
 * characters and ends in CRLF (LF in the mbox).  Knows no store and no
 * network. */
#ifndef CONSENT_MAIL_H
#define CONSENT_MAIL_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* "Tue, 01 Dec 2026 12:00:00 +0000" is 31 characters and the NUL. */
#define MAIL_DATE_MAX 40

/* body: UTF-8 text whose lines end in "\n" (a missing last "\n" is
 * added).  message_id: without the angle brackets, e.g.
 * "r42.Ab3x@bil.example".  extra: NULL, or ready header lines
 * "Name: value\r\n" (ASCII) appended after the standard ones. */
struct mail {
	const char *from_name;	/* display name, UTF-8; NULL or "" for none */
	const char *from_addr;	/* addr-spec, ASCII, e.g. post@bil.example */
	const char *to_name;	/* NULL or "" for none */
	const char *to_addr;
	const char *subject;	/* UTF-8, one line */
	const char *body;
	const char *message_id;
	int64_t date;		/* Unix seconds; written in UTC as +0000 */
	const char *extra;
};

/* Append a complete RFC 5322 message: Date, From, To, Subject, Message-ID,
 * MIME-Version: 1.0, Content-Type: text/plain; charset=UTF-8,
 * Content-Transfer-Encoding: quoted-printable, extra, a blank line, the
 * body.  CRLF line endings everywhere, no line over 76 characters in the
 * headers (RFC 2047) and the body (quoted-printable).  A NULL subject or
 * body is taken as "". */
void mail_build(struct buf *out, const struct mail *m);

/* "Name: text\r\n".  Printable ASCII text that fits is written as it is;
 * otherwise RFC 2047 encoded-words (=?UTF-8?B?...?=) of at most 75
 * characters each, never splitting a UTF-8 multi-byte sequence across two
 * words, folded onto continuation lines (CRLF SP) so that no line exceeds
 * 76 characters.  Words end before one of the text's blanks where that
 * costs at most half a word, for decoders that wrongly show the folding
 * between words.  ASCII text is encoded too when it holds "=?" (a decoder
 * would take it for an encoded-word) or begins or ends with a blank (which
 * parsers strip); empty text is "Name:\r\n". */
void mail_header_text(struct buf *out, const char *name, const char *utf8);

/* "Name: display <addr>\r\n" with the display name as a quoted-string when
 * it is printable ASCII (escape " and \), as encoded-words (same rules)
 * when not, or "Name: addr" when display is NULL/"".  A printable name is
 * encoded as well when its quoted form would not fit the line or it holds
 * "=?"; "<addr>" goes onto a continuation line when it does not fit after
 * the name. */
void mail_header_address(struct buf *out, const char *name,
    const char *display, const char *addr);

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text whose lines end in "\n"
 * (or "\r\n"): CRLF hard line breaks, soft breaks "=" so no line exceeds
 * 76 characters, never splitting an =XX escape, '=' and non-ASCII bytes
 * and control characters escaped, a space or tab before a line end
 * escaped; lines that begin with "From " or "." get their first character
 * escaped too (safe for mbox and SMTP).  That holds for every line
 * written, a soft-broken one included.  A tab elsewhere is kept as it is
 * (RFC 2045 allows it).  A last line without "\n" is written without a
 * line break, its trailing blank escaped as well. */
void mail_qp(struct buf *out, const char *text, size_t len);

/* RFC 5322 date-time in UTC, e.g. "Tue, 01 Dec 2026 12:00:00 +0000"
 * (English day and month names, never the locale).  Times outside the
 * years 1900-9999 that RFC 5322 and four digits allow are clamped to
 * them. */
void mail_date(char out[MAIL_DATE_MAX], int64_t t);

/* Append one message (CRLF or LF line endings) to an mbox in mboxrd form:
 * the line "From SENDER Www Mmm dd hh:mm:ss yyyy\n" (asctime form, UTC,
 * the day padded with a space as asctime does; SENDER "MAILER-DAEMON"
 * when NULL or ""), the message with CRLF turned into LF, every line
 * matching ^>*From  prefixed with one more '>', then one empty line. */
void mail_mbox_append(struct buf *out, const char *msg, size_t len,
    const char *sender, int64_t t);

#endif
