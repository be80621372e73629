/*
 * mfa unlock: fill the unlock cache ahead of time (mfa lock drops it). The
 * vault key sits in the kernel keyring, which expires it by itself after the
 * TTL; nothing of ours has to stay running.
 */
#include <sodium.h>
#include <stdio.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_unlock_opts[] = {
    OPT_ARG(OPT_TTL, "ttl", 't', "S", VAL_TEXT,
	    "seconds to keep the key (default $MFA_CACHE_TTL "
	    "or 300)"),
    OPT_END,
};

static int
cmd_unlock_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	uint64_t ttl = unlock_ttl();
	const char *where = NULL;
	struct vault *v;
	int rc;

	if ((rc = args_uint(ctx, a, OPT_TTL, 1, 7 * 86400, &ttl)) != 0)
		return rc;
	if (ttl == 0)
		return cli_usage(ctx, "MFA_CACHE_TTL is 0 (cache off); give "
				      "--ttl S");
	/* Prove the passphrase now, so the cache holds a checked key. */
	ctx->no_cache = true;
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if ((rc = vault_cache_put(v, (unsigned)ttl, &where)) != 0)
		return cli_fail(ctx, rc, "unlock cache for %s", vault_path(v));
	printf("unlocked %s for %llus (%s)\n", vault_path(v),
	       (unsigned long long)ttl, where);
	return 0;
}

const struct mfa_cmd cmd_unlock_entry = {
    .name = "unlock",
    .summary = "keep the vault key in the kernel keyring for a while",
    .opts = cmd_unlock_opts,
    .exec = cmd_unlock_exec,
};
