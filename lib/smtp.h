/* smtp: sending prepared messages over SMTP with libcurl, one connection
 * kept open for the whole run (libcurl reuses it between transfers on the
 * same handle).  Settings from [smtp] of consent.conf(5): url (smtp:// or
 * smtps://), from, user, password_file, starttls (yes by default: an
 * smtp:// server must offer STARTTLS unless "starttls = no" says that
 * plain text is meant), ca_file (extra trusted certificates). */
#ifndef CONSENT_SMTP_H
#define CONSENT_SMTP_H

#include <stddef.h>

#include "send.h"

struct config;
struct smtp;

/* Read the settings and the password; NULL and a message in err when one
 * is missing or bad. */
struct smtp *smtp_open(const struct config *cfg, char *err, size_t errsz);
void smtp_close(struct smtp *m);
/* The envelope sender ([smtp] from). */
const char *smtp_from(const struct smtp *m);

/* Send one message (CRLF lines) to one recipient.  detail receives the
 * server's last reply or libcurl's reason, for the request's record. */
enum send_result smtp_send(struct smtp *m, const char *to, const char *msg,
    size_t len, char *detail, size_t detailsz);

#endif
