/* smsgw: sending an SMS through an HTTP gateway with libcurl: a POST to
 * [sms] url whose form body is the [sms] body template ({mobile} and
 * {text}, URL-encoded; "to={mobile}&text={text}" by default), with
 * "Authorization: Bearer KEY" when [sms] key_file is set, certificates
 * verified ([sms] ca_file adds trusted ones).  One handle, so the
 * connection is kept between messages. */
#ifndef CONSENT_SMSGW_H
#define CONSENT_SMSGW_H

#include <stddef.h>

#include "send.h"

struct config;
struct smsgw;

/* Is [sms] configured (an url given)? */
int smsgw_configured(const struct config *cfg);
/* NULL and a message in err when a setting or the key is missing or
 * bad. */
struct smsgw *smsgw_open(const struct config *cfg, char *err, size_t errsz);
void smsgw_close(struct smsgw *g);

/* Send text to an E.164 number.  detail receives the gateway's status and
 * the first line of its answer, or libcurl's reason.  2xx is SEND_OK;
 * 408, 429 and 5xx are temporary; 401 and 403 fatal (the key is wrong for
 * every message); other 4xx permanent. */
enum send_result smsgw_send(struct smsgw *g, const char *mobile,
    const char *text, char *detail, size_t detailsz);

#endif
