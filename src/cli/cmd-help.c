/*
 * mfa help [COMMAND...]: the list of commands, or one command's usage and
 * options ("mfa help aws session"), generated from the command tree so help
 * never drifts from what the parser accepts.
 */
#include <stdio.h>

#include "cli/cli.h"

static int
cmd_help_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct mfa_cmd *path[CLI_DEPTH] = {&cmd_root};
	char why[256];
	int i, depth = 1;

	for (i = 0; i < a->argc; i++) {
		if (depth >= CLI_DEPTH || path[depth - 1]->subs == NULL)
			return cli_usage(ctx, "'%s' has no subcommands",
					 path[depth - 1]->name);
		path[depth] =
		    cmd_find(path[depth - 1], a->argv[i], why, sizeof(why));
		if (path[depth] == NULL)
			return cli_usage(ctx, "%s", why);
		depth++;
	}
	cmd_usage(path, depth, stdout, true);
	return 0;
}

static const struct mfa_pos cmd_help_pos[] = {
    {"COMMAND", VAL_COMMAND, NULL, POS_F_OPTIONAL | POS_F_REPEAT},
    POS_END,
};

const struct mfa_cmd cmd_help_entry = {
    .name = "help",
    .summary = "show the commands, or one command's options",
    .pos = cmd_help_pos,
    .exec = cmd_help_exec,
};
