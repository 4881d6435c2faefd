/* listen: the listening socket, made here rather than by libmicrohttpd so
 * that a bad address or a port in use is reported with its reason, and
 * so that port 0 (a port of the kernel's choosing) can be told back. */
#include <sys/socket.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "landing.h"

/* "ADDR:PORT" or "[V6ADDR]:PORT" into host and port; 0 or -1. */
static int
split(const char *spec, char *host, size_t hostsz, char *port,
    size_t portsz)
{
	const char *colon, *h = spec, *end;
	size_t n;

	if (*spec == '[') {
		h = spec + 1;
		if (!(end = strchr(h, ']')) || end[1] != ':')
			return -1;
		colon = end + 1;
	} else {
		if (!(colon = strrchr(spec, ':')))
			return -1;
		end = colon;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hostsz || strlen(colon + 1) >= portsz)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	if (!*port || strspn(port, "0123456789") != strlen(port) ||
	    /* NOLINTNEXTLINE(cert-err34-c): all digits, 5 at most */
	    strlen(port) > 5 || atoi(port) > 65535)
		return -1;
	return 0;
}

/* The address the socket is bound to, as ADDR:PORT. */
static void
bound(int fd, char *where, size_t wheresz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port,
	    sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(where, wheresz, "?");
		return;
	}
	snprintf(where, wheresz, ss.ss_family == AF_INET6 ? "[%s]:%s" :
	    "%s:%s", host, port);
}

static int
bind_first(const struct addrinfo *ai, const char *spec)
{
	int fd, on = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		eprintf("%s: socket:", spec);
	/* A restart must not wait for the old connections' TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, SOMAXCONN) < 0)
		eprintf("%s: cannot listen:", spec);
	return fd;
}

int
listen_open(const char *spec, const char *what, char *where,
    size_t wheresz)
{
	struct addrinfo hints = { 0 }, *ai;
	char host[256], port[8];
	int fd, rc;

	if (split(spec, host, sizeof host, port, sizeof port) < 0)
		eprintf("%s: '%s': want ADDR:PORT, such as 127.0.0.1:8080",
		    what, spec);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		eprintf("%s: '%s': %s", what, spec, gai_strerror(rc));
	fd = bind_first(ai, spec);
	freeaddrinfo(ai);
	bound(fd, where, wheresz);
	return fd;
}
