/* smtp-sink --port-file FILE [--count-file FILE] [--quickack]: a minimal,
 * fast SMTP server on loopback that takes every message and keeps none,
 * for scripts/bench-request.
 *
 * Why: tests/tools/smtp-server.py (aiosmtpd, two files written per
 * message) is a real server for the tests, but at a few hundred messages a
 * second it is the bottleneck of a benchmark, both for consent-request's
 * one connection and for msmtp's connection per message.  This one costs
 * the clients next to nothing: one process, one thread, poll(2), no
 * allocation per message.
 *
 * It listens on 127.0.0.1 on a port of the kernel's choosing and writes
 * that port to FILE (through FILE.tmp and a rename, so that a reader never
 * sees half a number) once it accepts connections; it serves up to
 * MAXCLIENTS connections at a time and runs until SIGTERM or SIGINT, then
 * prints its counts on stderr and exits 0.
 *
 * The protocol: the greeting 220; EHLO (250-localhost, 250-PIPELINING,
 * 250 8BITMIME), HELO, MAIL, RCPT, DATA (354, then the data up to the line
 * "."; a dot-stuffed line is just counted), RSET, NOOP and QUIT (221).
 * Commands may be pipelined.  RCPT before MAIL and DATA before RCPT get
 * 503; any other command 502.  Addresses are not looked at.
 *
 * --count-file FILE holds one line
 *     MESSAGES CONNECTIONS RECIPIENTS BYTES QUICKACK
 * (space-padded to a fixed width, rewritten in place), updated when a
 * connection is accepted, after each message, before its 250 is sent (a
 * client that has seen its last 250 finds its messages counted), and when
 * QUICKACK changes.  BYTES counts the data lines as received, CRLF and
 * dot-stuffing included, without the final ".".
 *
 * QUICKACK is 1 when the server acknowledges every segment at once
 * (TCP_QUICKACK, set again after each read), 0 when it leaves that to
 * the kernel, which delays an ACK up to 40 ms in the hope of sending it
 * with a reply, as any server does.  A client that writes a message in
 * small pieces with Nagle's algorithm on (msmtp: one write a line, no
 * TCP_NODELAY) then waits for that delayed ACK before its last piece,
 * ".", goes out: about 40 ms a message.  --quickack starts with 1;
 * SIGUSR1 switches it on, SIGUSR2 off, for the connections to come and
 * those open.
 *
 * Exit 0 after a signal, 2 on a usage or setup error. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXCLIENTS 64
#define INSIZE 65536		/* longest line, and the read buffer */
#define OUTSIZE 8192
#define OUTROOM 512		/* reply room needed to go on reading */

enum state { CMD, DATA, CLOSING };

struct client {
	int fd;
	enum state st;
	int mail, rcpts;
	size_t inlen, outlen, outoff;
	int toolong;		/* discarding the rest of a long line */
	char in[INSIZE];
	char out[OUTSIZE];
};

static volatile sig_atomic_t stop, quickack_want;
static int quickack, sigpipe[2] = { -1, -1 };
static unsigned long long nmsg, nconn, nrcpt, nbytes;
static int countfd = -1;
static struct client *clients[MAXCLIENTS];

static void
onsignal(int sig)
{
	int e = errno;

	if (sig == SIGUSR1)
		quickack_want = 1;
	else if (sig == SIGUSR2)
		quickack_want = 0;
	else
		stop = 1;
	/* Wake poll(2): a flag set just before it would wait otherwise. */
	if (write(sigpipe[1], "", 1) < 0) {
		/* full: poll wakes anyway */
	}
	errno = e;
}

static noreturn void
die(const char *what)
{
	fprintf(stderr, "smtp-sink: %s: %s\n", what, strerror(errno));
	exit(2);
}

static noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: smtp-sink --port-file FILE [--count-file FILE] "
	    "[--quickack]\n");
	exit(2);
}

static void
write_counts(void)
{
	char line[112];
	int n;

	if (countfd < 0)
		return;
	n = snprintf(line, sizeof line, "%20llu %20llu %20llu %20llu %d\n",
	    nmsg, nconn, nrcpt, nbytes, quickack);
	if (n > 0 && pwrite(countfd, line, (size_t)n, 0) != n)
		die("count file");
}

static void
ack_now(int fd)
{
	int one = 1;

	if (quickack)
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

static void
reply(struct client *c, const char *s)
{
	size_t n = strlen(s);

	/* A client that pipelines more than OUTSIZE bytes of replies
	 * without reading them: handle_input stops at OUTROOM first. */
	if (c->outlen + n > OUTSIZE) {
		c->st = CLOSING;
		return;
	}
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
}

/* Send what is buffered; -1 when the connection is gone. */
static int
flush(struct client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->outoff += (size_t)w;
	}
	c->outoff = c->outlen = 0;
	return 0;
}

/* Is the line a command VERB, followed by a blank or nothing? */
static int
verb(const char *line, size_t len, const char *v)
{
	size_t n = strlen(v);

	return len >= n && strncasecmp(line, v, n) == 0 &&
	    (len == n || line[n] == ' ' || line[n] == '\t');
}

static void
command(struct client *c, const char *line, size_t len)
{
	if (verb(line, len, "EHLO")) {
		c->mail = c->rcpts = 0;
		reply(c, "250-localhost\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
	} else if (verb(line, len, "HELO")) {
		c->mail = c->rcpts = 0;
		reply(c, "250 localhost\r\n");
	} else if (verb(line, len, "MAIL")) {
		c->mail = 1;
		c->rcpts = 0;
		reply(c, "250 2.1.0 OK\r\n");
	} else if (verb(line, len, "RCPT")) {
		if (!c->mail) {
			reply(c, "503 5.5.1 MAIL first\r\n");
			return;
		}
		c->rcpts++;
		nrcpt++;
		reply(c, "250 2.1.5 OK\r\n");
	} else if (verb(line, len, "DATA")) {
		if (!c->rcpts) {
			reply(c, "503 5.5.1 RCPT first\r\n");
			return;
		}
		c->st = DATA;
		reply(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
	} else if (verb(line, len, "RSET")) {
		c->mail = c->rcpts = 0;
		reply(c, "250 2.0.0 OK\r\n");
	} else if (verb(line, len, "NOOP")) {
		reply(c, "250 2.0.0 OK\r\n");
	} else if (verb(line, len, "QUIT")) {
		reply(c, "221 2.0.0 Bye\r\n");
		c->st = CLOSING;
	} else {
		reply(c, "502 5.5.2 Command not recognized\r\n");
	}
}

/* One line of DATA, with its line end. */
static void
data_line(struct client *c, const char *line, size_t len)
{
	char buf[64];
	size_t n = len;

	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n == 1 && line[0] == '.') {
		nmsg++;
		write_counts();
		snprintf(buf, sizeof buf, "250 2.0.0 OK queued as %llu\r\n",
		    nmsg);
		reply(c, buf);
		c->st = CMD;
		c->mail = c->rcpts = 0;
		return;
	}
	nbytes += len;
}

/* Take every whole line of the input buffer, while replies fit. */
static void
handle_input(struct client *c)
{
	size_t off = 0;

	while (c->st != CLOSING && c->outlen + OUTROOM <= OUTSIZE) {
		char *nl = memchr(c->in + off, '\n', c->inlen - off);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - (c->in + off)) + 1;
		if (c->toolong) {
			c->toolong = 0;
			if (c->st == CMD)
				reply(c, "500 5.5.2 Line too long\r\n");
			else
				nbytes += len;
		} else if (c->st == CMD) {
			size_t n = len - 1;

			if (n > 0 && c->in[off + n - 1] == '\r')
				n--;
			command(c, c->in + off, n);
		} else {
			data_line(c, c->in + off, len);
		}
		off += len;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	if (c->inlen == INSIZE) {
		/* A line longer than the buffer: drop what there is of it,
		 * and the rest up to its newline. */
		if (c->st == DATA)
			nbytes += c->inlen;
		c->inlen = 0;
		c->toolong = 1;
	}
}

static void
drop(int i)
{
	close(clients[i]->fd);
	free(clients[i]);
	clients[i] = NULL;
}

/* Read, answer and send for client C; -1 when it is to be dropped. */
static int
serve(struct client *c, short revents)
{
	if (revents & (POLLERR | POLLNVAL))
		return -1;
	if (revents & (POLLIN | POLLHUP)) {
		ssize_t r;

		if (c->inlen == INSIZE || c->outlen + OUTROOM > OUTSIZE)
			r = -2;	/* not now: replies to drain first */
		else
			r = recv(c->fd, c->in + c->inlen, INSIZE - c->inlen, 0);
		if (r == 0)
			return -1;
		if (r == -1 && errno != EINTR && errno != EAGAIN &&
		    errno != EWOULDBLOCK)
			return -1;
		if (r > 0) {
			c->inlen += (size_t)r;
			ack_now(c->fd);
		}
	}
	/* Replies drained at once make room for more of the lines read:
	 * go on with them, as no new input may come to wake us. */
	do {
		size_t before = c->inlen;

		handle_input(c);
		if (flush(c) < 0)
			return -1;
		if (c->inlen == before)
			break;
	} while (c->st != CLOSING && c->outlen == 0 && c->inlen > 0);
	if (c->st == CLOSING && c->outlen == 0)
		return -1;
	return 0;
}

static void
accept_all(int lfd)
{
	for (;;) {
		struct client *c;
		int fd, i, one = 1;

		for (i = 0; i < MAXCLIENTS && clients[i]; i++)
			;
		if (i == MAXCLIENTS)
			return;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;	/* EAGAIN, or out of descriptors */
		}
		if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
		    !(c = calloc(1, sizeof *c))) {
			close(fd);
			continue;
		}
		/* Replies go out whole, one write per batch of commands:
		 * Nagle's algorithm would only hold one back for the ACK of
		 * the one before, which the client may delay 40 ms. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		ack_now(fd);
		c->fd = fd;
		c->st = CMD;
		clients[i] = c;
		nconn++;
		write_counts();
		reply(c, "220 localhost smtp-sink ESMTP\r\n");
		if (flush(c) < 0)
			drop(i);
	}
}

static void
write_port(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		die(path);
	}
	if (!(fp = fopen(tmp, "w")))
		die(tmp);
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0)
		die(tmp);
	if (rename(tmp, path) < 0)
		die(path);
}

int
main(int argc, char **argv)
{
	const char *portfile = NULL, *countfile = NULL;
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	struct sigaction act;
	struct pollfd pfd[MAXCLIENTS + 2];
	int map[MAXCLIENTS + 2];
	int lfd, i, one = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc)
			portfile = argv[++i];
		else if (strcmp(argv[i], "--count-file") == 0 && i + 1 < argc)
			countfile = argv[++i];
		else if (strcmp(argv[i], "--quickack") == 0)
			quickack_want = quickack = 1;
		else
			usage();
	}
	if (!portfile)
		usage();

	if (pipe(sigpipe) < 0 ||
	    fcntl(sigpipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(sigpipe[1], F_SETFL, O_NONBLOCK) < 0)
		die("pipe");
	memset(&act, 0, sizeof act);
	act.sa_handler = onsignal;
	act.sa_flags = SA_RESTART;
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGUSR1, &act, NULL);
	sigaction(SIGUSR2, &act, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (countfile) {
		countfd = open(countfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (countfd < 0)
			die(countfile);
		write_counts();
	}

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind");
	if (listen(lfd, SOMAXCONN) < 0)
		die("listen");
	if (fcntl(lfd, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
	if (getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0)
		die("getsockname");
	write_port(portfile, ntohs(sa.sin_port));

	while (!stop) {
		int n = 0, full = 1;

		if (quickack != quickack_want) {
			quickack = quickack_want;
			write_counts();
		}

		for (i = 0; i < MAXCLIENTS; i++) {
			struct client *c = clients[i];

			if (!c) {
				full = 0;
				continue;
			}
			pfd[n].fd = c->fd;
			pfd[n].events = 0;
			if (c->outlen > 0)
				pfd[n].events |= POLLOUT;
			if (c->inlen < INSIZE &&
			    c->outlen + OUTROOM <= OUTSIZE)
				pfd[n].events |= POLLIN;
			pfd[n].revents = 0;
			map[n++] = i;
		}
		pfd[n].fd = sigpipe[0];
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		map[n++] = -2;
		if (!full) {
			pfd[n].fd = lfd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			map[n++] = -1;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (map[i] == -2) {
				char b[64];

				while (read(sigpipe[0], b, sizeof b) > 0)
					;
			} else if (map[i] < 0)
				accept_all(lfd);
			else if (serve(clients[map[i]], pfd[i].revents) < 0)
				drop(map[i]);
		}
	}
	for (i = 0; i < MAXCLIENTS; i++)
		if (clients[i])
			drop(i);
	close(lfd);
	write_counts();
	fprintf(stderr, "smtp-sink: %llu messages, %llu connections, "
	    "%llu recipients, %llu bytes\n", nmsg, nconn, nrcpt, nbytes);
	return 0;
}
