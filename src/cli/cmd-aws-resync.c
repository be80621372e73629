/*
 * mfa aws resync: resync-mfa-device for a device AWS says is out of sync,
 * with two codes of consecutive time steps that were never sent before
 * (the account's last step sent is recorded in the vault first, as for
 * every code mfa sends to AWS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/hygiene.h"
#include "cli/cli.h"
#include "cli/cmd-aws.h"

static const struct mfa_opt cmd_aws_resync_opts[] = {
    AWS_DEVICE_USER_OPT,
    AWS_PROFILE_OPTS,
    OPT_END,
};

static int
cmd_aws_resync(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct cmd_aws_device d = {0};
	char what[1024], *user = NULL;
	uint64_t steps[2];
	struct aws_ctx x;
	bool exists;
	int rc;

	if ((rc = cmd_aws_ctx(ctx, a, &x)) != 0)
		return rc;
	if ((rc = cmd_aws_device_account(ctx, a, &d)) != 0)
		goto out;
	if (aws_device_kind(d.serial) == AWS_DEV_SECURITY_KEY) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "%s is a security key: it has no codes to "
			       "resync",
			       d.serial);
		goto out;
	}
	if ((rc = cmd_aws_device_user(ctx, a, &x, d.serial, "", &user,
				      &exists)) != 0)
		goto out;
	if (!exists || user == NULL) {
		rc = cli_failx(ctx, exists ? MFA_EINVAL : MFA_ENOTFOUND,
			       exists ? "%s is assigned to no IAM user: there "
					"is nothing to resync"
				      : "the AWS account has no virtual MFA "
					"device %s (see 'mfa aws devices')",
			       d.serial);
		goto out;
	}
	if ((rc = aws_resync(&x, d.v, d.id, user, steps)) != 0) {
		snprintf(what, sizeof(what),
			 "resyncing %s (account %s) for IAM user %s", d.serial,
			 d.label, user);
		rc = cmd_aws_err(ctx, rc, &x, what);
		goto out;
	}
	printf("resynced %s for IAM user %s (codes of time steps %llu and "
	       "%llu)\n",
	       util_clean(d.serial), util_clean(user),
	       (unsigned long long)steps[0], (unsigned long long)steps[1]);
out:
	free(d.serial);
	free(user);
	aws_ctx_free(&x);
	return rc;
}

const struct mfa_cmd cmd_aws_resync_entry = {
    .name = "resync",
    .summary = "resync a device AWS says is out of sync",
    .help = "Sends AWS (iam resync-mfa-device) two codes of consecutive "
	    "time steps of the\naccount QUERY (or of the only account with a "
	    "serial), both never sent before;\nmfa waits for fresh steps when "
	    "needed.",
    .opts = cmd_aws_resync_opts,
    .pos = cmd_aws_device_pos,
    .exec = cmd_aws_resync,
};
