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
main_exit(struct mfa_ctx *ctx, const struct mfa_cmd *cmd, int rc)
{
	if (rc == 0 || rc == CLI_NOMATCH)
		return rc;
	/* Messages quote names from files: keep them one harmless line. */
	otp_label_clean(ctx->msg);
	if (rc == CLI_USAGE) {
		if (ctx->msg[0] != '\0')
			fprintf(stderr, "mfa: %s\n", ctx->msg);
		if (cmd != NULL)
			cmd_usage(cmd, stderr, false);
		else
			fprintf(stderr,
				"usage: mfa [--vault PATH] [--no-cache] "
				"COMMAND [ARGS] (see 'mfa help')\n");
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
	const struct mfa_cmd *cmd = NULL;
	char why[256];
	int i, rc;

	main_harden();
	memset(&ctx, 0, sizeof(ctx));
	if (sodium_init() < 0) {
		fprintf(stderr, "mfa: cannot initialise libsodium\n");
		return 1;
	}
	io_json_secure_init();

	/* Global options before the command. */
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("mfa %s\n", MFA_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cmd_usage_all(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--no-cache") == 0) {
			ctx.no_cache = true;
		} else if ((strcmp(argv[i], "--vault") == 0 ||
			    strcmp(argv[i], "--passphrase-fd") == 0) &&
			   i + 1 < argc) {
			if (strcmp(argv[i], "--vault") == 0)
				ctx.vault_path = argv[i + 1];
			else
				ctx.pass_fd = argv[i + 1];
			i++;
		} else if (strcmp(argv[i], "--vault") == 0 ||
			   strcmp(argv[i], "--passphrase-fd") == 0) {
			snprintf(ctx.msg, sizeof(ctx.msg),
				 "option '%s' needs a value", argv[i]);
			return main_exit(&ctx, NULL, CLI_USAGE);
		} else if (strncmp(argv[i], "--vault=", 8) == 0) {
			ctx.vault_path = argv[i] + 8;
		} else {
			snprintf(ctx.msg, sizeof(ctx.msg),
				 "unknown option '%s'", argv[i]);
			return main_exit(&ctx, NULL, CLI_USAGE);
		}
	}
	if (i >= argc) {
		cmd_usage_all(stderr);
		return 2;
	}
	if ((cmd = cmd_find(argv[i], why, sizeof(why))) == NULL) {
		snprintf(ctx.msg, sizeof(ctx.msg), "%s", why);
		return main_exit(&ctx, NULL, CLI_USAGE);
	}
	rc = cmd_parse(cmd, argc - i, argv + i, &ctx, &args);
	if (rc == 0 && args_has(&args, "help")) {
		cmd_usage(cmd, stdout, true);
		return 0;
	}
	if (rc == 0)
		rc = cmd->exec(&ctx, &args);
	if (ctx.vault != NULL)
		vault_close(ctx.vault);
	free(ctx.vault_path_alloc);
	main_memlock_warn();
	if (fflush(stdout) != 0 && rc == 0) {
		snprintf(ctx.msg, sizeof(ctx.msg), "cannot write output");
		rc = MFA_EIO;
	}
	return main_exit(&ctx, cmd, rc);
}
