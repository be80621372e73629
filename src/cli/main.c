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
#include "lazy/lazy.h"

mode_t main_umask = 022;

static void
main_harden(void)
{
	struct rlimit rl = {0, 0};

	/* No core dumps, no ptrace by other processes of the same user. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &rl);
	main_umask = umask(077);
	/* A write past `ulimit -f` must fail with EFBIG, not kill us midway. */
	signal(SIGXFSZ, SIG_IGN);
	/* A closed reader (`mfa code | head -c0`) is an error, not a death. */
	signal(SIGPIPE, SIG_IGN);
}

/* Once per command, and only the user can act on it: say what to raise. */
static void
main_memlock_warn(void)
{
	uint64_t limit;
	size_t n = vault_mem_unlocked(&limit);
	char lim[32];

	if (n == 0)
		return;
	if (limit == UINT64_MAX)
		snprintf(lim, sizeof(lim), "unlimited");
	else
		snprintf(lim, sizeof(lim), "%llu KiB",
			 (unsigned long long)(limit / 1024));
	fprintf(stderr,
		"mfa: warning: %zu KiB of secrets could not be locked in "
		"memory (RLIMIT_MEMLOCK is %s) and may be swapped out: raise "
		"it with 'ulimit -l' (KiB), or LimitMEMLOCK= for a service\n",
		(n + 1023) / 1024, lim);
}

static int
main_exit(struct mfa_ctx *ctx, const struct mfa_args *a, int rc)
{
	const char *why;

	if (rc == 0 || rc == CLI_NOMATCH || rc == CLI_FINDINGS)
		return rc;
	/* Messages quote names from files: keep them one harmless line. */
	otp_label_clean(ctx->what);
	otp_label_clean(ctx->err.why);
	if (rc == CLI_USAGE) {
		if (ctx->err.why[0] != '\0')
			fprintf(stderr, "mfa: %s\n", ctx->err.why);
		cmd_usage(a->path, a->depth, stderr, false);
		return 2;
	}
	why = mfa_err_text(&ctx->err, rc);
	if (ctx->what[0] == '\0')
		fprintf(stderr, "mfa: %s\n", why);
	else
		fprintf(stderr, "mfa: %s: %s\n", ctx->what, why);
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
		lazy_set_context(args.cmd->name);
		rc = util_offset_init(&ctx, &args);
		if (rc == 0 ||
		    (rc != CLI_USAGE && (args.cmd->flags & CMD_CLOCK_CHECK)))
			rc = args.cmd->exec(&ctx, &args);
	}
	/* A vault the command wrote is committed where it is synced. */
	if (ctx.vault != NULL) {
		sync_after(&ctx, &args);
		vault_close(ctx.vault);
	}
	free(ctx.vault_path_alloc);
	main_memlock_warn();
	if (fflush(stdout) != 0 && rc == 0) {
		rc = cli_fail(&ctx, MFA_EIO, "cannot write output");
	}
	rc = main_exit(&ctx, &args, rc);
	args_free(&args);
	return rc;
}
