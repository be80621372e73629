/* mfa rename: give an account a new name; the issuer, secret and id stay. */
#include "cli/cli.h"

static int
cmd_rename_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	return edit_run(ctx, a->argv[0], a->argv[1], NULL, NULL, NULL, NULL);
}

static const struct mfa_pos cmd_rename_pos[] = {
    {"QUERY", VAL_QUERY, NULL, 0},
    {"NEW", VAL_TEXT, NULL, 0},
    POS_END,
};

const struct mfa_cmd cmd_rename_entry = {
    .name = "rename",
    .summary = "rename an account",
    .pos = cmd_rename_pos,
    .exec = cmd_rename_exec,
};
