/*
 * mfa lock: drop the cached vault key from the kernel keyring now, rather
 * than when its TTL runs out (leaving the desk, ending a session). The key
 * is named after the vault's path and id, so a vault that was moved,
 * deleted or damaged while unlocked can no longer name its key: then, and
 * with --all, every mfa key in the keyring goes.
 */
#include <stdio.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_lock_opts[] = {
    OPT_FLAG(OPT_ALL, "all", 'a', "drop the cached keys of every vault"),
    OPT_END,
};

static int
cmd_lock_all(struct mfa_ctx *ctx, const char *why)
{
	unsigned n = 0;
	int rc;

	if ((rc = cache_drop_all(&n)) != 0)
		return cli_fail(ctx, rc, "unlock cache");
	printf("%sdropped %u cached vault key%s\n", why, n, n == 1 ? "" : "s");
	return 0;
}

static int
cmd_lock_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *path = unlock_path(ctx);
	struct vault *v;
	int rc;

	if (args_has(a, OPT_ALL) || path == NULL)
		return cmd_lock_all(ctx, "");
	if ((rc = vault_open(path, &v)) != 0)
		return cmd_lock_all(ctx, rc == MFA_ENOVAULT
					     ? "no vault here any more; "
					     : "the vault cannot be read; ");
	ctx->vault = v;
	if ((rc = cache_drop(v)) != 0)
		return cli_fail(ctx, rc, "unlock cache for %s", path);
	printf("locked %s\n", path);
	return 0;
}

const struct mfa_cmd cmd_lock_entry = {
    .name = "lock",
    .summary = "forget the cached vault key",
    .opts = cmd_lock_opts,
    .exec = cmd_lock_exec,
};
