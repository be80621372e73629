/*
 * mfa rm: delete an account. It asks first on a terminal; scripts must say
 * --yes, because a lost secret can lock someone out of an account for good.
 * The deletion leaves a tombstone so a later merge of two vault copies does
 * not bring the account back.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_rm_opts[] = {
    OPT_FLAG(OPT_YES, "yes", 'y', "do not ask for confirmation"),
    OPT_END,
};

struct rm_job {
	uint8_t id[VAULT_ID_BYTES];
	int64_t now;
};

static int
cmd_rm_edit(struct vault_data *d, void *arg)
{
	struct rm_job *j = arg;
	long i = vault_entry_find_id(d, j->id);

	if (i < 0)
		return MFA_ENOTFOUND;
	return vault_entry_remove(d, (size_t)i, j->now);
}

static int
cmd_rm_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_data *d;
	struct vault *v;
	struct rm_job j;
	char label[512], q[600];
	size_t idx;
	int rc;

	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	d = vault_data(v);
	if ((rc = query_resolve(ctx, d, a->argv[0], &idx)) != 0)
		return rc;
	snprintf(label, sizeof(label), "%s",
		 util_label(d->entries[idx].issuer, d->entries[idx].name));
	if (!args_has(a, OPT_YES)) {
		if (!tty_available())
			return cli_usage(ctx,
					 "not removing %s without --yes "
					 "(no terminal to ask on)",
					 label);
		snprintf(q, sizeof(q), "Remove %s and its secret for good?",
			 label);
		if ((rc = tty_confirm(q)) != 0)
			return cli_fail(ctx, rc, "removing %s", label);
	}
	memcpy(j.id, d->entries[idx].id, sizeof(j.id));
	j.now = util_time();
	if ((rc = vault_update(v, cmd_rm_edit, &j)) != 0)
		return cli_fail(ctx, rc, "account %s", label);
	/* "For good": the previous version must not keep the secret. */
	if ((rc = vault_drop_backup(v)) != 0)
		return cli_fail(ctx, rc, "removed %s, but its backup %s.bak",
				label, vault_path(v));
	printf("removed %s\n", label);
	return 0;
}

static const struct mfa_pos cmd_rm_pos[] = {
    {"QUERY", VAL_QUERY, NULL, 0},
    POS_END,
};

const struct mfa_cmd cmd_rm_entry = {
    .name = "rm",
    .summary = "remove an account",
    .opts = cmd_rm_opts,
    .pos = cmd_rm_pos,
    .exec = cmd_rm_exec,
};
