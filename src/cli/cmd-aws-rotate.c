/*
 * mfa aws rotate PROFILE: replace the vault's access key for PROFILE with
 * a new one (src/aws/rotate.c). Whatever fails, a key that works stays in
 * the vault, and mfa says which keys exist in IAM and what to do.
 */
#include <stdio.h>
#include <string.h>

#include "cli/aws-keys.h"

/* "mfa aws exec work -- aws iam delete-access-key ...", for messages. */
static void
rotate_delete_cmd(const char *profile, const char *user, const char *akid,
		  char *out, size_t len)
{
	char *p = aws_format_shell_quote(profile);

	snprintf(out, len,
		 "mfa aws exec %s -- aws iam delete-access-key%s%s "
		 "--access-key-id %s",
		 p ? p : profile, user[0] ? " --user-name " : "", user, akid);
	free(p);
}

static int
cmd_rotate(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *profile = a->argv[0];
	struct aws_rotate_res res;
	struct aws_key k;
	struct aws_ctx x;
	struct vault *v;
	char region[64], cmd[600], what[300];
	int rc;

	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if (aws_key_load(vault_data(v), profile, &k) != 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "no AWS key for profile %s in the vault",
				 util_clean(profile));
	keys_ctx(&x, a, &k, region, sizeof(region));
	aws_key_clear(&k);
	rc = aws_rotate(&x, v, profile, &res);
	snprintf(what, sizeof(what), "rotate %s", util_clean(profile));
	switch (res.state) {
	case AWS_ROT_DONE:
		printf("rotated profile %s: the vault holds the new key %s "
		       "(it worked after %u tr%s); the old key %s is "
		       "deleted%s\n",
		       util_clean(profile), res.new_id, res.tries,
		       res.tries == 1 ? "y" : "ies", res.old_id,
		       res.resumed ? " (an interrupted rotation finished)"
				   : "");
		return 0;
	case AWS_ROT_NOTHING:
		if (rc != 0)
			fprintf(stderr,
				"mfa: nothing changed: the vault still holds "
				"%s; no new key was made in IAM\n",
				res.old_id);
		break;
	case AWS_ROT_UNDONE:
		fprintf(stderr,
			"mfa: the new key %s was deleted again: the vault "
			"still holds %s, the only key this rotation left in "
			"IAM\n",
			res.new_id, res.old_id);
		break;
	case AWS_ROT_ORPHAN:
		rotate_delete_cmd(profile, res.user, res.new_id, cmd,
				  sizeof(cmd));
		fprintf(stderr,
			"mfa: the new key %s exists in IAM but is saved "
			"nowhere, and deleting it failed; the vault still "
			"holds %s (it works). Delete the new key with:\n  "
			"%s\n",
			res.new_id, res.old_id, cmd);
		break;
	case AWS_ROT_PENDING:
		fprintf(stderr,
			"mfa: the vault still uses %s (it works) and keeps "
			"the new key %s as pending; both exist in IAM. 'mfa "
			"aws rotate %s' finishes the rotation\n",
			res.old_id, res.new_id, util_clean(profile));
		break;
	case AWS_ROT_OLD_LEFT:
		rotate_delete_cmd(profile, res.user, res.old_id, cmd,
				  sizeof(cmd));
		fprintf(stderr,
			"mfa: the vault now holds the new key %s (it works); "
			"the old key %s still exists in IAM. Delete it with:\n"
			"  %s\n",
			res.new_id, res.old_id, cmd);
		break;
	}
	if (rc == 0)
		return 0;
	return keys_fail(ctx, rc, &x, what);
}

static const struct mfa_pos rotate_pos[] = {
    {"PROFILE", VAL_TEXT, NULL, 0},
    POS_END,
};

static const struct mfa_opt rotate_opts[] = {
    OPT_ARG(OPT_REGION, "region", 0, "R", VAL_TEXT, "the AWS region to call"),
    OPT_END,
};

const struct mfa_cmd cmd_aws_rotate_entry = {
    .name = "rotate",
    .summary = "replace a vault key with a new access key",
    .help = "Creates a new access key for the key's IAM user, keeps it in the "
	    "vault as\npending, waits until it works (GetCallerIdentity; "
	    "$MFA_AWS_ROTATE_WAIT\nseconds at most, default 60), makes it "
	    "the vault's key and deletes the old\none. Refused when the user "
	    "already has two keys. IAM is called with an MFA\nsession. A "
	    "failure at any point leaves a working key in the vault and says\n"
	    "which keys exist in IAM.",
    .opts = rotate_opts,
    .pos = rotate_pos,
    .exec = cmd_rotate,
};
