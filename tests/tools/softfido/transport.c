/*
 * The test transport: lets an mfa built for the tests (build/tests/mfa-fido)
 * and the fido unit tests reach software keys (softfido) instead of USB
 * devices. Linked only into those test binaries, never into ./mfa, so a
 * release mfa has no code that reads these variables:
 *
 *   MFA_TEST_FIDO2      colon-separated softfido state files: the keys
 *                       "plugged in" (a missing file is an absent key);
 *                       each is its own device path
 *   MFA_TEST_FIDO2_LIB  another library name to load instead of libfido2
 *                       (a missing one plays a machine without libfido2)
 *   MFA_SOFTFIDO        the softfido program (default: next to this binary's
 *                       build, SOFTFIDO_BIN)
 *
 * Opening a device starts `softfido serve STATE` on one end of a
 * SOCK_SEQPACKET socket pair: one packet is one HID report, as on hidraw.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fido/fido2.h"

#ifndef SOFTFIDO_BIN
#define SOFTFIDO_BIN "build/tests/softfido"
#endif

struct softfido_dev {
	int fd;
	pid_t pid;
};

static const char *
softfido_bin(void)
{
	const char *b = getenv("MFA_SOFTFIDO");

	return b != NULL && b[0] != '\0' ? b : SOFTFIDO_BIN;
}

static int
softfido_devices(struct fido2_dev *devs, size_t max, size_t *n)
{
	const char *list = getenv("MFA_TEST_FIDO2"), *p, *e;
	struct stat sb;
	size_t len;

	*n = 0;
	for (p = list; p != NULL && *p != '\0' && *n < max; p = e) {
		e = strchr(p, ':');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (e != NULL)
			e++;
		else
			e = p + len;
		if (len == 0 || len >= sizeof(devs[*n].path))
			continue;
		memcpy(devs[*n].path, p, len);
		devs[*n].path[len] = '\0';
		if (stat(devs[*n].path, &sb) != 0)
			continue; /* not plugged in */
		snprintf(devs[*n].name, sizeof(devs[*n].name),
			 "softfido test key");
		(*n)++;
	}
	return 0;
}

static void *
softfido_open(const char *path)
{
	static char *const noenv[] = {NULL};
	struct softfido_dev *d;
	int sv[2];

	if (access(path, R_OK | W_OK) != 0)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		free(d);
		return NULL;
	}
	if ((d->pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		free(d);
		return NULL;
	}
	if (d->pid == 0) {
		/* The key gets nothing of ours: no environment, fd 0 only. */
		if (dup2(sv[1], 0) < 0)
			_exit(127);
		execle(softfido_bin(), "softfido", "serve", path, (char *)NULL,
		       noenv);
		_exit(127);
	}
	close(sv[1]);
	d->fd = sv[0];
	return d;
}

static void
softfido_close(void *h)
{
	struct softfido_dev *d = h;
	int status;

	close(d->fd);
	while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR)
		;
	free(d);
}

static int
softfido_read(void *h, unsigned char *buf, size_t len, int ms)
{
	struct softfido_dev *d = h;
	struct pollfd p = {.fd = d->fd, .events = POLLIN};
	unsigned char r[64];
	ssize_t n;
	int k;

	while ((k = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	if (k <= 0)
		return -1;
	if ((n = recv(d->fd, r, sizeof(r), 0)) != (ssize_t)sizeof(r) ||
	    len < sizeof(r))
		return -1;
	memcpy(buf, r, sizeof(r));
	return (int)sizeof(r);
}

static int
softfido_write(void *h, const unsigned char *buf, size_t len)
{
	struct softfido_dev *d = h;
	ssize_t n = send(d->fd, buf, len, MSG_NOSIGNAL);

	return n == (ssize_t)len ? (int)n : -1;
}

static struct fido2_transport softfido_transport = {
    .devices = softfido_devices,
    .open = softfido_open,
    .close = softfido_close,
    .read = softfido_read,
    .write = softfido_write,
};

/* Use the software keys when MFA_TEST_FIDO2 is set. */
void softfido_register(void);

void
softfido_register(void)
{
	const char *lib = getenv("MFA_TEST_FIDO2_LIB");

	if (getenv("MFA_TEST_FIDO2") == NULL)
		return;
	softfido_transport.soname = lib != NULL && lib[0] != '\0' ? lib : NULL;
	fido2_set_transport(&softfido_transport);
}

__attribute__((constructor)) static void
softfido_init(void)
{
	softfido_register();
}
