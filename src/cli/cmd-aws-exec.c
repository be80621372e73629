/*
 * mfa aws exec PROFILE [--role-arn ARN...] -- CMD [ARGS]: run CMD with
 * session credentials made from the vault's key for PROFILE in its
 * environment, and nothing else that names credentials: the long-term key
 * stays in the vault. mfa becomes CMD (execve), so CMD's exit status is
 * mfa's and signals reach it as they would. Without CMD: $SHELL.
 *
 * The variables that would make an AWS SDK look elsewhere (AWS_PROFILE,
 * other keys, web identity, container credentials) are removed;
 * MFA_AWS_EXEC marks the environment so that a second exec inside it is
 * refused rather than mixing two sessions.
 */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/aws-keys.h"

/* What the command must not see: any other source of credentials. */
static const char *const exec_drop[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    KEYS_EXEC_VAR,
};

static bool
exec_dropped(const char *kv, bool region)
{
	size_t i, n;

	for (i = 0; i < sizeof(exec_drop) / sizeof(exec_drop[0]); i++) {
		n = strlen(exec_drop[i]);
		if (strncmp(kv, exec_drop[i], n) == 0 && kv[n] == '=')
			return true;
	}
	/* --region wins over the region variables. */
	return region && (strncmp(kv, "AWS_REGION=", 11) == 0 ||
			  strncmp(kv, "AWS_DEFAULT_REGION=", 19) == 0);
}

/* "NAME=value" in locked memory. */
static char *
exec_var(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = sodium_malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

static int
cmd_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *profile = a->argv[0], *shell = getenv("SHELL");
	char **child = NULL, **base = NULL, *own[8] = {NULL}, region[64];
	char exp[AWS_TIME_MAX];
	char *sh[2];
	char **cmd = a->argv + 1;
	struct aws_keys_res res;
	struct aws_key k;
	struct aws_ctx x;
	struct vault *v;
	size_t n = 0, o = 0, i, nown = 0;
	bool set_region;
	int rc, e;

	if (getenv(KEYS_EXEC_VAR) != NULL)
		return cli_failx(ctx, MFA_EINVAL,
				 "already inside 'mfa aws exec %s' "
				 "(" KEYS_EXEC_VAR " is set): a nested session "
				 "would mix two; leave that one first",
				 util_clean(getenv(KEYS_EXEC_VAR)));
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if (aws_key_load(vault_data(v), profile, &k) != 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "no AWS key for profile %s in the vault (mfa "
				 "aws keys add or import)",
				 util_clean(profile));
	keys_ctx(&x, a, &k, region, sizeof(region));
	aws_key_clear(&k);
	if ((rc = keys_session(ctx, a, v, &x, profile, &res)) != 0)
		return rc;
	set_region =
	    args_has(a, OPT_REGION) || (getenv("AWS_REGION") == NULL &&
					getenv("AWS_DEFAULT_REGION") == NULL);
	aws_format_time(res.creds.expiration, exp);
	if ((own[nown++] = exec_var("AWS_ACCESS_KEY_ID",
				    res.creds.access_key_id)) == NULL ||
	    (own[nown++] = exec_var("AWS_SECRET_ACCESS_KEY",
				    res.creds.secret_access_key)) == NULL ||
	    (own[nown++] = exec_var("AWS_SESSION_TOKEN",
				    res.creds.session_token)) == NULL ||
	    (own[nown++] = exec_var("AWS_CREDENTIAL_EXPIRATION", exp)) ==
		NULL ||
	    (own[nown++] = exec_var(KEYS_EXEC_VAR, profile)) == NULL ||
	    (set_region &&
	     ((own[nown++] = exec_var("AWS_REGION", region)) == NULL ||
	      (own[nown++] = exec_var("AWS_DEFAULT_REGION", region)) ==
		  NULL))) {
		rc = cli_fail(ctx, MFA_ENOMEM, "environment");
		goto out;
	}
	aws_creds_clear(&res.creds);
	/* Ours minus every secret variable mfa reads, as for any child. */
	if ((base = util_child_env()) == NULL) {
		rc = cli_fail(ctx, MFA_ENOMEM, "environment");
		goto out;
	}
	while (base[n] != NULL)
		n++;
	if ((child = calloc(n + nown + 1, sizeof(*child))) == NULL) {
		rc = cli_fail(ctx, MFA_ENOMEM, "environment");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!exec_dropped(base[i], set_region))
			child[o++] = base[i];
	for (i = 0; i < nown; i++)
		child[o++] = own[i];
	child[o] = NULL;
	if (a->argc < 2) {
		sh[0] = (char *)(shell != NULL && shell[0] != '\0' ? shell
								   : "/bin/sh");
		sh[1] = NULL;
		cmd = sh;
	}
	/* Every secret of the vault is wiped before the command runs. */
	vault_close(ctx->vault);
	ctx->vault = NULL;
	fflush(stdout);
	fflush(stderr);
	/* As the user had them: mfa's own settings stay mfa's. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	umask(main_umask);
	execvpe(cmd[0], cmd, child);
	e = errno;
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	rc = cli_failx(ctx, MFA_ENOENT, "cannot run '%s': %s",
		       util_clean(cmd[0]), strerror(e));
out:
	aws_creds_clear(&res.creds);
	for (i = 0; i < nown; i++)
		if (own[i] != NULL)
			sodium_free(own[i]);
	free(child);
	util_free_env(base);
	return rc;
}

static const struct mfa_pos exec_pos[] = {
    {"PROFILE", VAL_TEXT, NULL, 0},
    {"COMMAND", VAL_TEXT, NULL, POS_F_OPTIONAL | POS_F_REPEAT},
    POS_END,
};

static const struct mfa_opt exec_opts[] = {
    KEYS_SESSION_OPTS,
    OPT_END,
};

const struct mfa_cmd cmd_aws_exec_entry = {
    .name = "exec",
    .summary = "run a command with session credentials from a vault key",
    .help = "Runs COMMAND (after '--'; default $SHELL) with only session "
	    "credentials in its\nenvironment: AWS_ACCESS_KEY_ID, "
	    "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,\nAWS_CREDENTIAL_"
	    "EXPIRATION and the region. AWS_PROFILE and other credential\n"
	    "variables are removed; MFA_AWS_EXEC marks the environment and "
	    "a nested exec\nis refused. The exit status is the command's.",
    .usage = "PROFILE [--role-arn ARN]... [--role-session-name S] "
	     "[--duration SECONDS] [--region R] [-- COMMAND [ARGS]...]",
    .opts = exec_opts,
    .pos = exec_pos,
    .exec = cmd_exec,
};
