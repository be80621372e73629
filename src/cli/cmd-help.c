/*
 * mfa help [COMMAND]: the list of commands, or one command's usage and
 * options, generated from the command table so help never drifts from what
 * the parser accepts.
 */
#include <stdio.h>

#include "cli/cli.h"

static int
cmd_help_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct mfa_cmd *cmd;
	char why[256];

	if (a->argc == 0) {
		cmd_usage_all(stdout);
		return 0;
	}
	if ((cmd = cmd_find(a->argv[0], why, sizeof(why))) == NULL)
		return cli_usage(ctx, "%s", why);
	cmd_usage(cmd, stdout, true);
	return 0;
}

const struct mfa_cmd cmd_help_entry = {
    .name = "help",
    .usage = "[COMMAND]",
    .summary = "show the commands, or one command's options",
    .min_args = 0,
    .max_args = 1,
    .exec = cmd_help_exec,
};
