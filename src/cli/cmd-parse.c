/*
 * mfa parse -- ARGS...: how the parser reads a command line, without
 * running it (hidden; for the tests that hold the parser to the command
 * tree). Prints the command path, then each option as "--name=value" in
 * the order given, then each positional as "arg=VALUE".
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static int
cmd_parse_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct mfa_ctx sub = {0};
	struct mfa_args b;
	char **argv;
	int i, rc;

	if ((argv = calloc((size_t)a->argc + 2, sizeof(*argv))) == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "parse");
	argv[0] = "mfa";
	for (i = 0; i < a->argc; i++)
		argv[i + 1] = a->argv[i];
	rc = cmd_parse(a->argc + 1, argv, &sub, &b);
	ctx->args = a;
	if (rc != 0) {
		rc = cli_failx(ctx, rc, "%s", sub.err.why);
		goto out;
	}
	printf("command=");
	for (i = 1; i < b.depth; i++)
		printf("%s%s", i > 1 ? " " : "", b.path[i]->name);
	printf("\n");
	for (i = 0; i < b.nseen; i++)
		printf("--%s=%s\n", args_opt_name(b.seen[i].id), b.seen[i].val);
	for (i = 0; i < b.argc; i++)
		printf("arg=%s\n", b.argv[i]);
out:
	args_free(&b);
	free(argv);
	return rc;
}

static const struct mfa_pos cmd_parse_pos[] = {
    {"ARGS", VAL_TEXT, NULL, POS_F_OPTIONAL | POS_F_REPEAT},
    POS_END,
};

const struct mfa_cmd cmd_parse_entry = {
    .name = "parse",
    .summary = "show how a command line is parsed (for tests)",
    .pos = cmd_parse_pos,
    .flags = CMD_HIDDEN,
    .exec = cmd_parse_exec,
};
