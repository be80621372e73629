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
    OPT_ARG(OPT_USER_NAME, "user-name", 0, "U", VAL_TEXT,
	    "the device's IAM user (default: the one AWS says it is "
	    "assigned to)"),
    AWS_PROFILE_OPTS,
    OPT_END,
};

static const struct mfa_pos cmd_aws_resync_pos[] = {
    {"QUERY", VAL_QUERY, NULL, POS_F_OPTIONAL},
    POS_END,
};

/*
 * The IAM user the account's device is assigned to: --user-name, else
 * what AWS says. Errors recorded; *user malloc'd.
 */
static int
resync_user(struct mfa_ctx *ctx, const struct mfa_args *a, struct aws_ctx *x,
	    const char *serial, char **user)
{
	bool exists;
	int rc;

	if (args_has(a, OPT_USER_NAME))
		return (*user = strdup(args_get(a, OPT_USER_NAME))) != NULL
			   ? 0
			   : cli_fail(ctx, MFA_ENOMEM, "resync");
	if ((rc = aws_device_user(x, serial, user, &exists)) != 0)
		return cmd_aws_err(ctx, rc, x,
				   "listing the virtual MFA devices");
	if (!exists)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "the AWS account has no virtual MFA device "
				 "%s (see 'mfa aws devices')",
				 serial);
	if (*user == NULL)
		return cli_failx(ctx, MFA_EINVAL,
				 "%s is assigned to no IAM user: there is "
				 "nothing to resync",
				 serial);
	return 0;
}

static int
cmd_aws_resync(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_entry *e;
	uint8_t id[VAULT_ID_BYTES];
	char label[512], what[1024], *serial = NULL, *user = NULL;
	uint64_t steps[2];
	struct aws_ctx x;
	struct vault *v;
	size_t idx;
	int rc;

	if ((rc = cmd_aws_ctx(ctx, a, &x)) != 0)
		return rc;
	if ((rc = unlock_vault(ctx, &v)) != 0 ||
	    (rc = cmd_aws_account(ctx, vault_data(v),
				  a->argc > 0 ? a->argv[0] : NULL, &idx)) != 0)
		goto out;
	e = &vault_data(v)->entries[idx];
	memcpy(id, e->id, sizeof(id));
	snprintf(label, sizeof(label), "%s", util_label(e->issuer, e->name));
	if ((serial = strdup(e->serial)) == NULL) {
		rc = cli_fail(ctx, MFA_ENOMEM, "resync");
		goto out;
	}
	if (aws_device_kind(serial) == AWS_DEV_SECURITY_KEY) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "%s is a security key: it has no codes to "
			       "resync",
			       serial);
		goto out;
	}
	if ((rc = resync_user(ctx, a, &x, serial, &user)) != 0)
		goto out;
	/* e is stale after this: the vault was re-read. */
	if ((rc = aws_resync(&x, v, id, user, steps)) != 0) {
		snprintf(what, sizeof(what),
			 "resyncing %s (account %s) for IAM user %s", serial,
			 label, user);
		rc = cmd_aws_err(ctx, rc, &x, what);
		goto out;
	}
	printf("resynced %s for IAM user %s (codes of time steps %llu and "
	       "%llu)\n",
	       util_clean(serial), util_clean(user),
	       (unsigned long long)steps[0], (unsigned long long)steps[1]);
out:
	free(serial);
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
    .pos = cmd_aws_resync_pos,
    .exec = cmd_aws_resync,
};
