/* Small helpers the commands share. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

extern char **environ;

/* Seconds added to the system clock for codes: --offset or
 * $MFA_TIME_OFFSET, for a clock known to be off that cannot be fixed. */
static int64_t util_clock_offset;

int64_t
util_now(void)
{
	return (int64_t)time(NULL) + util_clock_offset;
}

int64_t
util_clock(void *arg)
{
	(void)arg;
	return util_now();
}

int64_t
util_offset(void)
{
	return util_clock_offset;
}

bool
util_offset_parse(const char *s, int64_t *out)
{
	const char *p = s;
	long long v;
	char *end;

	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UTIL_OFFSET_MAX ||
	    v < -UTIL_OFFSET_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

int
util_offset_init(struct mfa_ctx *ctx, const struct mfa_args *a)
{
	const char *s = args_get(a, OPT_OFFSET);

	util_clock_offset = 0;
	if (s != NULL) {
		if (!util_offset_parse(s, &util_clock_offset))
			return cli_usage(ctx,
					 "--offset wants a whole number of "
					 "seconds such as -90 or +30, not '%s'",
					 s);
		return 0;
	}
	if ((s = getenv("MFA_TIME_OFFSET")) == NULL || s[0] == '\0')
		return 0;
	if (!util_offset_parse(s, &util_clock_offset)) {
		util_clock_offset = 0;
		return cli_failx(ctx, MFA_EINVAL,
				 "MFA_TIME_OFFSET must be a whole number of "
				 "seconds such as -90 or +30, not '%.40s'",
				 s);
	}
	return 0;
}

/* Variables that may hold a secret and so never reach a child. */
static bool
util_secret_var(const char *kv)
{
	static const char *const names[] = {
	    "MFA_PASSPHRASE=",
	    "MFA_NEW_PASSPHRASE=",
	    "MFA_IMPORT_PASSPHRASE=",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(kv, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

char **
util_child_env(void)
{
	size_t n = 0, i, o = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 1, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (!util_secret_var(environ[i]))
			env[o++] = environ[i];
	env[o] = NULL;
	return env;
}

void
util_free_env(char **env)
{
	free(env);
}

int
util_write_file(const char *path, const void *buf, size_t len)
{
	char *copy, *dir, tmp[4096];
	const char *p = buf;
	ssize_t w;
	int fd, dfd, rc = 0;

	if ((copy = strdup(path)) == NULL)
		return MFA_ENOMEM;
	dir = dirname(copy);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.mfa-tmp-XXXXXX", dir) >=
	    sizeof(tmp)) {
		free(copy);
		return MFA_ETOOLONG;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? MFA_ENOENT : MFA_EIO;
		free(copy);
		return rc;
	}
	fchmod(fd, 0600);
	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = (errno == ENOSPC || errno == EFBIG ||
			      errno == EDQUOT)
				 ? MFA_ENOSPC
				 : MFA_EIO;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = MFA_EIO;
	if (close(fd) != 0 && rc == 0)
		rc = MFA_EIO;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = MFA_EIO;
	if (rc != 0)
		unlink(tmp);
	else if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(copy);
	return rc;
}

const char *
util_label(const char *issuer, const char *name)
{
	static char buf[512];

	if (issuer != NULL && issuer[0] != '\0')
		snprintf(buf, sizeof(buf), "%s:%s", issuer, name);
	else
		snprintf(buf, sizeof(buf), "%s", name);
	otp_label_clean(buf);
	return buf;
}

const char *
util_clean(const char *s)
{
	static char buf[4][512];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s", s);
	otp_label_clean(b);
	return b;
}
