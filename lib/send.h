/* send: what a delivery attempt (lib/smtp, lib/smsgw) can end in.  The
 * caller retries SEND_TEMP with back-off, records SEND_PERM on the
 * request, and stops the run on SEND_FATAL (a certificate that does not
 * verify, a refused login: no later message would fare better). */
#ifndef CONSENT_SEND_H
#define CONSENT_SEND_H

enum send_result {
	SEND_OK,
	SEND_TEMP,	/* a 4xx reply, a dropped connection, a time-out */
	SEND_DOWN,	/* the server cannot be reached: temporary, but the
			 * same for every message, so once the retries are
			 * spent the run stops and the rest stay queued */
	SEND_PERM,	/* a 5xx reply for this recipient */
	SEND_FATAL	/* TLS, authentication, configuration */
};

/* How long a connection attempt and a whole transfer may take. */
#define SEND_CONNECT_TIMEOUT 30L
#define SEND_TIMEOUT 120L

#endif
