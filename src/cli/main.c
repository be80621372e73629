/*
 * mfa: a virtual MFA device for the terminal.
 *
 * main sets up the process so secrets cannot leak through core dumps or
 * group-readable files, finds the command, and is the only place that
 * prints errors.
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/iojson.h"

static void
main_harden(void)
{
	struct rlimit rl = {0, 0};

	/* No core dumps, no ptrace by other processes of the same user. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &rl);
	umask(077);
	/* A write past `ulimit -f` must fail with EFBIG, not kill us midway. */
	signal(SIGXFSZ, SIG_IGN);
	/* A closed reader (`mfa code | head -c0`) is an error, not a death. */
	signal(SIGPIPE, SIG_IGN);
}

static int
main_exit(struct mfa_ctx *ctx, const struct mfa_args *a, int rc)
{
	if (rc == 0 || rc == CLI_NOMATCH || rc == CLI_FINDINGS)
		return rc;
	/* Messages quote names from files: keep them one harmless line. */
	otp_label_clean(ctx->msg);
	if (rc == CLI_USAGE) {
		if (ctx->msg[0] != '\0')
			fprintf(stderr, "mfa: %s\n", ctx->msg);
		cmd_usage(a->path, a->depth, stderr, false);
		return 2;
	}
	if (ctx->msg[0] == '\0')
		fprintf(stderr, "mfa: %s\n", mfa_strerror(rc));
	else if (ctx->msg_is_whole)
		fprintf(stderr, "mfa: %s\n", ctx->msg);
	else
		fprintf(stderr, "mfa: %s: %s\n", ctx->msg, mfa_strerror(rc));
	return 1;
}

int
main(int argc, char **argv)
{
	struct mfa_ctx ctx;
	struct mfa_args args;
	int rc;

	main_harden();
	memset(&ctx, 0, sizeof(ctx));
	if (sodium_init() < 0) {
		fprintf(stderr, "mfa: cannot initialise libsodium\n");
		return 1;
	}
	io_json_secure_init();

	if (argc < 2) {
		cmd_usage_all(stderr);
		return 2;
	}
	rc = cmd_parse(argc, argv, &ctx, &args);
	if (rc == 0 && args_has(&args, OPT_VERSION)) {
		printf("mfa %s\n", MFA_VERSION);
	} else if (rc == 0 && args_has(&args, OPT_HELP)) {
		cmd_usage(args.path, args.depth, stdout, true);
	} else if (rc == 0) {
		ctx.vault_path = args_get(&args, OPT_VAULT);
		ctx.no_cache = args_has(&args, OPT_NO_CACHE);
		rc = util_offset_init(&ctx, &args);
		if (rc == 0 ||
		    (rc != CLI_USAGE && (args.cmd->flags & CMD_CLOCK_CHECK)))
			rc = args.cmd->exec(&ctx, &args);
	}
	if (ctx.vault != NULL)
		vault_close(ctx.vault);
	free(ctx.vault_path_alloc);
	if (fflush(stdout) != 0 && rc == 0) {
		snprintf(ctx.msg, sizeof(ctx.msg), "cannot write output");
		rc = MFA_EIO;
	}
	rc = main_exit(&ctx, &args, rc);
	args_free(&args);
	return rc;
}
