/*
 * mfa aws login PROFILE [--role-arn ARN...] [--print]: a sign-in URL for
 * the AWS console, opened with xdg-open or printed. With roles, from the
 * role session (MFA-authenticated like every session made from the vault's
 * key); without, from GetFederationToken with the key itself, as aws-vault
 * does for a plain IAM user (AWS takes no MFA code there).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/aws-keys.h"

/* Open url with xdg-open; 0 when it said it did. */
static int
login_open(const char *url)
{
	char *argv[3] = {(char *)"xdg-open", (char *)url, NULL};
	char **env = util_child_env();
	pid_t pid;
	int st;

	if (env == NULL)
		return MFA_ENOMEM;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		execvpe(argv[0], argv, env);
		_exit(127);
	}
	util_free_env(env);
	if (pid < 0)
		return MFA_EIO;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return MFA_EIO;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : MFA_EIO;
}

/* mfa-<profile>: a federated user's name, 2 to 32 of AWS's characters. */
static void
login_fed_name(const char *profile, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "mfa-%.28s", profile);
	for (i = 0; out[i] != '\0'; i++)
		if (strchr("_+=,.@-", out[i]) == NULL &&
		    !((out[i] >= 'a' && out[i] <= 'z') ||
		      (out[i] >= 'A' && out[i] <= 'Z') ||
		      (out[i] >= '0' && out[i] <= '9')))
			out[i] = '-';
}

static int
cmd_login(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *profile = a->argv[0];
	struct aws_keys_res res;
	struct aws_signer s;
	struct aws_key k;
	struct aws_ctx x;
	struct vault *v;
	char region[64], name[40], what[300], *url = NULL;
	uint64_t dur = 0;
	int rc;

	memset(&res, 0, sizeof(res));
	if ((rc = args_uint(ctx, a, OPT_DURATION, 900, 129600, &dur)) != 0)
		return rc;
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if (aws_key_load(vault_data(v), profile, &k) != 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "no AWS key for profile %s in the vault",
				 util_clean(profile));
	keys_ctx(&x, a, &k, region, sizeof(region));
	snprintf(what, sizeof(what), "login %s", util_clean(profile));
	if (args_has(a, OPT_ROLE_ARN)) {
		aws_key_clear(&k);
		if ((rc = keys_session(ctx, a, v, &x, profile, &res)) != 0)
			return rc;
	} else {
		if (args_has(a, OPT_ROLE_SESSION_NAME)) {
			aws_key_clear(&k);
			return cli_usage(ctx, "--role-session-name goes with "
					      "--role-arn");
		}
		login_fed_name(profile, name, sizeof(name));
		aws_key_signer(&k, &s);
		rc = aws_sts_federation_token(&x, &s, name, dur, &res.creds);
		aws_key_clear(&k);
		if (rc != 0)
			return keys_fail(ctx, rc, &x, what);
	}
	rc = aws_login_url(&x, &res.creds, region,
			   args_has(a, OPT_ROLE_ARN) ? dur : 0, NULL, &url);
	aws_creds_clear(&res.creds);
	if (rc != 0)
		return keys_fail(ctx, rc, &x, what);
	if (args_has(a, OPT_PRINT)) {
		printf("%s\n", url);
	} else if (login_open(url) != 0) {
		fprintf(stderr, "mfa: xdg-open could not open the URL; here "
				"it is (valid for 15 minutes):\n");
		printf("%s\n", url);
	}
	sodium_memzero(url, strlen(url));
	free(url);
	return 0;
}

static const struct mfa_pos login_pos[] = {
    {"PROFILE", VAL_TEXT, NULL, 0},
    POS_END,
};

static const struct mfa_opt login_opts[] = {
    KEYS_SESSION_OPTS,
    OPT_FLAG(OPT_PRINT, "print", 0, "print the URL instead of opening it"),
    OPT_END,
};

const struct mfa_cmd cmd_aws_login_entry = {
    .name = "login",
    .summary = "a console sign-in URL from a vault key (xdg-open, or "
	       "--print)",
    .help = "Asks AWS's federation endpoint for a sign-in token for a "
	    "session of the\nvault's key: the --role-arn role's "
	    "(MFA-authenticated), or without one a\nGetFederationToken "
	    "session with the user's permissions (AWS takes no MFA\ncode for "
	    "that). Opens the URL with xdg-open, or prints it (--print).",
    .opts = login_opts,
    .pos = login_pos,
    .exec = cmd_login,
};
