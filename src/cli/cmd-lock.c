/*
 * mfa lock: drop the cached vault key from the kernel keyring now, rather
 * than when its TTL runs out (leaving the desk, ending a session). The key
 * is named after the vault's path and id, so a vault that was moved,
 * deleted or damaged while unlocked can no longer name its key: then, and
 * with --all, every mfa key goes from every keyring unlock may use. It
 * says what it dropped, and fails when nothing was cached where it looked.
 */
#include <stdio.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_lock_opts[] = {
    OPT_FLAG(OPT_ALL, "all", 'a',
	     "drop the cached keys of every vault, from every keyring"),
    OPT_END,
};

static int
cmd_lock_all(struct mfa_ctx *ctx, const char *why)
{
	unsigned n = 0;
	int rc;

	if ((rc = vault_cache_drop_all(&n)) != 0)
		return cli_fail(ctx, rc,
				"%sunlock cache (session and user-session "
				"keyrings)",
				why);
	printf("%sdropped %u cached vault key%s\n", why, n, n == 1 ? "" : "s");
	return 0;
}

static int
cmd_lock_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *path = unlock_path(ctx), *where;
	struct vault *v;
	int rc;

	if (args_has(a, OPT_ALL) || path == NULL)
		return cmd_lock_all(ctx, "");
	if ((rc = vault_open(path, &v)) != 0)
		return cmd_lock_all(ctx, rc == MFA_ENOVAULT
					     ? "no vault here any more; "
					     : "the vault cannot be read; ");
	ctx->vault = v;
	if ((rc = vault_cache_drop(v, &where)) != 0)
		return cli_fail(ctx, rc, "unlock cache for %s (%s)", path,
				where ? where : "no keyring");
	printf("locked %s (dropped its key from the %s)\n", path, where);
	return 0;
}

const struct mfa_cmd cmd_lock_entry = {
    .name = "lock",
    .summary = "forget the cached vault key",
    .opts = cmd_lock_opts,
    .exec = cmd_lock_exec,
};
