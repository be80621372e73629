/*
 * mfa aws creds PROFILE: session credentials made from the vault's key for
 * PROFILE, for the AWS CLI's credential_process:
 *
 *   [profile work]
 *   credential_process = mfa aws creds work
 *
 * With an MFA device linked, each new session costs one fresh code (never
 * a time step used before); sessions are cached in the vault until shortly
 * before they expire, so a day of `aws` commands costs one code. The
 * long-term key itself is never printed.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/aws-keys.h"

static int
cmd_creds(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *profile = a->argv[0];
	enum aws_format f = AWS_FMT_PROCESS;
	struct aws_keys_res res;
	struct aws_key k;
	struct aws_ctx x;
	struct vault *v;
	char region[64], *text = NULL;
	size_t len = 0;
	int rc;

	if (args_has(a, OPT_FORMAT) &&
	    (aws_format_parse(args_get(a, OPT_FORMAT), &f) != 0 ||
	     f == AWS_FMT_FILE))
		return cli_usage(ctx,
				 "--format wants credential-process, json or "
				 "env, not '%s'",
				 args_get(a, OPT_FORMAT));
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
	if ((rc = aws_format_creds(&res.creds, f, &text, &len)) != 0) {
		rc = cli_fail(ctx, rc, "session for profile %s",
			      util_clean(profile));
	} else {
		rc = keys_write(ctx, text, len);
		sodium_free(text);
	}
	aws_creds_clear(&res.creds);
	return rc;
}

static const struct mfa_pos creds_pos[] = {
    {"PROFILE", VAL_TEXT, NULL, 0},
    POS_END,
};

static const struct mfa_opt creds_opts[] = {
    KEYS_SESSION_OPTS,
    OPT_WORDS(OPT_FORMAT, "format", 0, "F", "credential-process json env",
	      "credential-process (default), json or env"),
    OPT_END,
};

const struct mfa_cmd cmd_aws_creds_entry = {
    .name = "creds",
    .summary = "session credentials from a vault key, for credential_process",
    .help = "Prints the AWS CLI's credential_process JSON for an MFA session "
	    "made from the\nvault's key for PROFILE (GetSessionToken with a "
	    "fresh code), with --role-arn\nroles assumed on top, in order. "
	    "Cached until 5 minutes before expiry.\nIn ~/.aws/config:\n"
	    "  [profile work]\n"
	    "  credential_process = mfa aws creds work",
    .opts = creds_opts,
    .pos = creds_pos,
    .exec = cmd_creds,
};
