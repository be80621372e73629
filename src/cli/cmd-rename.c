/* mfa rename: give an account a new name; the issuer, secret and id stay. */
#include "cli/cli.h"

static int
cmd_rename_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	return edit_run(ctx, a->argv[0], a->argv[1], NULL, NULL, NULL, NULL);
}

const struct mfa_cmd cmd_rename_entry = {
    .name = "rename",
    .usage = "QUERY NEW",
    .summary = "rename an account",
    .min_args = 2,
    .max_args = 2,
    .exec = cmd_rename_exec,
};
