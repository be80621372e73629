/*
 * mfa aws deactivate: take a virtual MFA device out of use in AWS
 * (deactivate-mfa-device, and delete-virtual-mfa-device with --delete),
 * then, after a confirmation, remove its account from the vault. Each step
 * is said as it is done; a failure stops there, so the seed stays in the
 * vault for as long as AWS may still ask for its codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/hygiene.h"
#include "cli/cli.h"
#include "cli/cmd-aws.h"

static const struct mfa_opt cmd_aws_deactivate_opts[] = {
    OPT_FLAG(OPT_DELETE, "delete", 0, "delete the device in AWS too"),
    OPT_FLAG(OPT_YES, "yes", 'y',
	     "remove the account from the vault without asking"),
    AWS_DEVICE_USER_OPT,
    AWS_PROFILE_OPTS,
    OPT_END,
};

struct deactivate_job {
	uint8_t id[VAULT_ID_BYTES];
	int64_t now;
};

static int
deactivate_edit(struct vault_data *d, void *arg)
{
	struct deactivate_job *j = arg;
	long i = vault_entry_find_id(d, j->id);

	if (i < 0)
		return MFA_ENOTFOUND;
	return vault_entry_remove(d, (size_t)i, j->now);
}

/* The steps in AWS; errors recorded, naming what stays in the vault. */
static int
deactivate_aws(struct mfa_ctx *ctx, const struct mfa_args *a, struct aws_ctx *x,
	       const char *serial, const char *label)
{
	char *user = NULL, what[1024];
	bool exists = true;
	int rc;

	snprintf(what, sizeof(what),
		 " (nothing was changed; the seed stays in the vault as %s)",
		 label);
	if ((rc = cmd_aws_device_user(ctx, a, x, serial, what, &user,
				      &exists)) != 0)
		return rc;
	if (!exists) {
		printf("the AWS account has no virtual MFA device %s (deleted "
		       "already): nothing to deactivate\n",
		       util_clean(serial));
		return 0;
	}
	if (user == NULL) {
		printf("%s is assigned to no IAM user: nothing to deactivate\n",
		       util_clean(serial));
	} else if ((rc = aws_device_deactivate(x, user, serial)) != 0) {
		snprintf(what, sizeof(what),
			 "deactivating %s for IAM user %s (the seed stays in "
			 "the vault as %s)",
			 serial, user, label);
		free(user);
		return cmd_aws_err(ctx, rc, x, what);
	} else {
		printf("deactivated %s for IAM user %s\n", util_clean(serial),
		       util_clean(user));
	}
	free(user);
	if (!args_has(a, OPT_DELETE))
		return 0;
	if ((rc = aws_device_delete(x, serial)) != 0) {
		snprintf(what, sizeof(what),
			 "deleting %s (it is deactivated; the seed stays in "
			 "the vault as %s)",
			 serial, label);
		return cmd_aws_err(ctx, rc, x, what);
	}
	printf("deleted the virtual MFA device %s\n", util_clean(serial));
	return 0;
}

static int
cmd_aws_deactivate(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct cmd_aws_device d = {0};
	struct deactivate_job j;
	struct aws_ctx x;
	char q[700];
	int rc;

	/* Asked now, not after AWS was changed. */
	if (!args_has(a, OPT_YES) && !tty_available())
		return cli_usage(ctx, "deactivate asks before it removes the "
				      "account from the vault: give --yes (no "
				      "terminal to ask on)");
	if ((rc = cmd_aws_ctx(ctx, a, &x)) != 0)
		return rc;
	if ((rc = cmd_aws_device_account(ctx, a, &d)) != 0)
		goto out;
	if (aws_device_kind(d.serial) != AWS_DEV_VIRTUAL) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "%s is not a virtual MFA device: deactivate it "
			       "in the IAM console",
			       d.serial);
		goto out;
	}
	if ((rc = deactivate_aws(ctx, a, &x, d.serial, d.label)) != 0)
		goto out;
	if (!args_has(a, OPT_YES)) {
		snprintf(q, sizeof(q),
			 "Remove %s and its seed from the vault for good?",
			 d.label);
		if ((rc = tty_confirm(q)) == MFA_ECANCELED) {
			printf("kept %s in the vault\n", d.label);
			rc = 0;
			goto out;
		}
		if (rc != 0) {
			rc = cli_fail(ctx, rc, "asking to remove %s", d.label);
			goto out;
		}
	}
	memcpy(j.id, d.id, sizeof(j.id));
	j.now = util_time();
	if ((rc = vault_update(d.v, deactivate_edit, &j)) != 0) {
		rc = cli_fail(ctx, rc, "removing %s from the vault", d.label);
		goto out;
	}
	/* The previous version must not keep the seed either. */
	if ((rc = vault_drop_backup(d.v)) != 0) {
		rc = cli_fail(ctx, rc, "removed %s, but its backup %s.bak",
			      d.label, vault_path(d.v));
		goto out;
	}
	printf("removed %s from the vault\n", d.label);
out:
	free(d.serial);
	aws_ctx_free(&x);
	return rc;
}

const struct mfa_cmd cmd_aws_deactivate_entry = {
    .name = "deactivate",
    .summary = "deactivate (and delete) a device in AWS, then drop its seed",
    .help = "Deactivates the virtual MFA device of the account QUERY in AWS "
	    "(iam\ndeactivate-mfa-device; with --delete, iam "
	    "delete-virtual-mfa-device too),\nsaying each step, then asks "
	    "before removing the account from the vault\n(--yes: without "
	    "asking, for scripts). A failure in AWS stops there and\nleaves "
	    "the seed in the vault.",
    .opts = cmd_aws_deactivate_opts,
    .pos = cmd_aws_device_pos,
    .exec = cmd_aws_deactivate,
};
