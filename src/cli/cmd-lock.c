/*
 * mfa lock: drop the cached vault key from the kernel keyring now, rather
 * than when its TTL runs out (leaving the desk, ending a session).
 */
#include <stdio.h>

#include "cli/cli.h"

static int
cmd_lock_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *path = unlock_path(ctx);
	struct vault *v;
	int rc;

	(void)a;
	if ((rc = vault_open(path, &v)) != 0)
		return cli_fail(ctx, rc, "vault %s", path);
	ctx->vault = v;
	rc = cache_drop(v);
	if (rc != 0 && rc != MFA_ENOTFOUND)
		return cli_fail(ctx, rc, "unlock cache for %s", path);
	printf("locked %s\n", path);
	return 0;
}

const struct mfa_cmd cmd_lock_entry = {
    .name = "lock",
    .usage = "",
    .summary = "forget the cached vault key",
    .min_args = 0,
    .max_args = 0,
    .exec = cmd_lock_exec,
};
