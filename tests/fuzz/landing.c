/* Fuzz target: the landing service's request handling, whole.  The
 * input is what a client sends on a connection (request line, headers,
 * body); it goes over loopback TCP to the service's own libmicrohttpd
 * daemon (http.c), started as main.c starts it, so that the path, the
 * query, X-Forwarded-For, the body limits, the routing, the token check,
 * the form and the API with its database all see it.
 *
 * The setup is a scratch folder with a configuration, the landing
 * database and the fixed time below, so that the tokens of the seeds
 * (made by tests/tools/token-make with the secret below, as in token.c)
 * stay valid; the API's key is the one below. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "config.h"
#include "landing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1796126400)		/* 2026-12-01T12:00:00Z */

static const char secret[] = "consent fuzz secret";
static const char apikey[] = "fuzz-api-key";
static const char conf[] =
    "[company]\n"
    "name = Fuzz AS\n"
    "policy_url = https://example.com/personvern\n"
    "info.nb = Vi sp\xc3\xb8r om samtykke.\n"
    "[purpose.newsletter]\n"
    "title.nb = Nyhetsbrev\n"
    "[purpose.profiling]\n"
    "active = no\n";

static struct MHD_Daemon *daemon_;
static struct sockaddr_in addr;
static struct landing l;
static char dir[] = "/tmp/consent-fuzz-landing.XXXXXX";

/* main.c's, which is not linked in. */
int64_t
landing_now(void)
{
	return NOW;
}

/* The scratch folder goes at exit; the service is left running.  Stopping
 * it here raced with its thread, which may still be answering the last
 * input's connection when libFuzzer exits: libmicrohttpd once crashed
 * inside MHD_stop_daemon under load.  Its stop is consent-landing's, and
 * tests/0400 and 0430 stop it by SIGTERM. */
static void
cleanup(void)
{
	char cmd[64];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* What makes an input fail that is not the service's crash goes to
 * stdout: libFuzzer closes the target's stderr (-close_fd_mask=2). */
static void
harness_fail(const char *what)
{
	printf("fuzz/landing: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	abort();
}

static void
setup(void)
{
	char path[256], err[512];
	socklen_t len = sizeof addr;
	struct config *cfg;
	FILE *fp;
	int fd;

	if (sodium_init() < 0 || !mkdtemp(dir))
		eprintf("setup:");
	snprintf(path, sizeof path, "%s/consent.conf", dir);
	if (!(fp = fopen(path, "w")) || fputs(conf, fp) == EOF || fclose(fp))
		eprintf("%s:", path);
	if (!(cfg = config_load(path, err, sizeof err)))
		eprintf("%s", err);
	l.cfg = cfg;
	l.secret = (unsigned char *)secret;
	l.secretlen = sizeof secret - 1;
	l.api = 1;
	/* A connection whose end of input libmicrohttpd missed (see below)
	 * idles until this timeout: at a few hundred inputs a second, 30 s
	 * of them would fill its connection limit, and connect would time
	 * out. */
	l.timeout = 2;
	crypto_generichash(l.apikey, sizeof l.apikey,
	    (const unsigned char *)apikey, sizeof apikey - 1, NULL, 0);
	if (duration_parse("30d", &l.keep) < 0)
		abort();
	l.company = config_get_or(cfg, "company", "name", "");
	l.policy = config_get_or(cfg, "company", "policy_url", "");
	snprintf(path, sizeof path, "%s/landing.db", dir);
	if (ldb_setup(path, 1, err, sizeof err) < 0)
		eprintf("%s", err);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		eprintf("listen:");
	if (!(daemon_ = http_start(&l, fd, 1)))
		eprintf("libmicrohttpd would not start");
	atexit(cleanup);
}

/* Has the reply in b[0, n) come in whole?  The service keeps a
 * connection open after a reply, even when the client has shut down its
 * side, so the reply's end is found from its Content-Length (none after
 * HEAD), past any "100 Continue". */
static int
whole(const char *b, size_t n, int head)
{
	const char *end, *cl;
	size_t hlen;

	for (;;) {
		if (!(end = memmem(b, n, "\r\n\r\n", 4)))
			return 0;
		hlen = (size_t)(end - b) + 4;
		if (n < 12 || memcmp(b + 8, " 100", 4) != 0)
			break;
		b += hlen;
		n -= hlen;
	}
	if (head)
		return 1;
	if (!(cl = memmem(b, hlen, "\r\nContent-Length: ", 18)))
		return 0;	/* read on until the service closes */
	return n - hlen >= strtoul(cl + 18, NULL, 10);
}

/* A connection to the service, its reads and writes timed out after tv.
 * A connect that times out (the service's backlog full while the machine
 * is loaded) is tried twice more before it fails the run. */
static int
connect_service(const struct timeval *tv)
{
	int fd, try;

	for (try = 0;; try++) {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			harness_fail("socket");
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof *tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, sizeof *tv);
		if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
			return fd;
		if (try == 2 || (errno != EINPROGRESS && errno != EAGAIN &&
		    errno != ETIMEDOUT && errno != EINTR))
			harness_fail("connect");
		close(fd);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeval tv = { 5, 0 };
	struct linger lg = { 1, 0 };
	static char reply[256 * 1024];
	size_t off = 0, got = 0;
	int head = size >= 5 && !memcmp(data, "HEAD ", 5);
	struct pollfd pfd = { 0 };
	ssize_t n;
	int fd;

	if (!daemon_)
		setup();
	fd = connect_service(&tv);
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* The service may close early (a body too big): stop writing. */
	while (off < size && (n = send(fd, data + off, size - off,
	    MSG_NOSIGNAL)) > 0)
		off += (size_t)n;
	/* libmicrohttpd (epoll, edge-triggered) misses an end of input that
	 * comes with the last bytes of an unfinished request and waits for
	 * its timeout; one that comes after they were read closes the
	 * connection at once. */
	if (poll(&pfd, 1, 2) == 0)
		shutdown(fd, SHUT_WR);
	while (got < sizeof reply - 1 && (n = read(fd, reply + got,
	    sizeof reply - 1 - got)) > 0) {
		got += (size_t)n;
		if (whole(reply, got, head))
			break;
	}
	/* A reset rather than a FIN: thousands of connections a second
	 * must not leave as many ports in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
	return 0;
}
