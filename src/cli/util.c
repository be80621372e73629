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
util_time(void)
{
	return (int64_t)time(NULL);
}

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

/*
 * Variables no child needs: every MFA_*PASSPHRASE* one. The values are
 * secrets; the files and the command lead to them (a child that learns
 * $MFA_PASSPHRASE_FILE can read the passphrase as easily as we can).
 */
static bool
util_secret_var(const char *kv)
{
	const char *eq = strchr(kv, '='), *p;

	if (strncmp(kv, "MFA_", 4) != 0 || eq == NULL)
		return false;
	for (p = kv + 4; p + 10 <= eq; p++)
		if (strncmp(p, "PASSPHRASE", 10) == 0)
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
	/* One atomic writer for every file mfa writes: the vault's. */
	return vault_file_write(path, buf, len, 0600);
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
