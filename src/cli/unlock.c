/*
 * Opening and unlocking the vault for a command: the unlock cache first
 * (unless --no-cache or MFA_CACHE_TTL=0), then a passphrase. A key that
 * came from a passphrase goes into the cache for MFA_CACHE_TTL seconds.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli/cli.h"

#define UNLOCK_TTL_DEFAULT 300

const char *
unlock_path(struct mfa_ctx *ctx)
{
	if (ctx->vault_path == NULL) {
		ctx->vault_path_alloc = vault_default_path();
		ctx->vault_path = ctx->vault_path_alloc;
	}
	return ctx->vault_path;
}

unsigned
unlock_ttl(void)
{
	const char *s = getenv("MFA_CACHE_TTL");
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return UNLOCK_TTL_DEFAULT;
	/* Anything but a number of seconds means "off": never cache by
	 * accident when someone wrote MFA_CACHE_TTL=off. */
	if (*s < '0' || *s > '9')
		return 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return 0;
	if (v > 7 * 86400)
		v = 7 * 86400;
	return (unsigned)v;
}

/* vault_open failed: for unsafe permissions, also the chmod that fixes them. */
static int
unlock_open_fail(struct mfa_ctx *ctx, int rc, const char *path)
{
	char fix[256];

	if ((rc == MFA_EVAULT_PERM || rc == MFA_EVAULT_READABLE) &&
	    vault_perm_fix(path, fix, sizeof(fix)) == 0)
		return cli_failx(ctx, rc, "vault %s: %s: run %s", path,
				 mfa_strerror(rc), fix);
	return cli_fail(ctx, rc, "vault %s", path);
}

int
unlock_vault(struct mfa_ctx *ctx, struct vault **out)
{
	const char *path = unlock_path(ctx), *where = NULL;
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v = NULL;
	char prompt[256], *pass = NULL;
	size_t len = 0;
	unsigned ttl = ctx->no_cache ? 0 : unlock_ttl();
	int rc;

	if (path == NULL)
		return cli_fail(ctx, MFA_EINVAL,
				"vault path (set HOME, "
				"MFA_VAULT or --vault)");
	if ((rc = vault_open(path, &v)) != 0)
		return unlock_open_fail(ctx, rc, path);
	if (ttl > 0 && vault_cache_get(v, key) == 0) {
		rc = vault_unlock_key(v, key);
		sodium_memzero(key, sizeof(key));
		if (rc == 0)
			goto done;
		/* A stale key (vault replaced): fall back to asking. */
		(void)vault_cache_drop(v, NULL);
	}
	sodium_memzero(key, sizeof(key));
	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", path);
	if ((rc = pass_get(ctx, PASS_CURRENT, prompt, &pass, &len)) != 0) {
		vault_close(v);
		return rc;
	}
	rc = vault_unlock_pass(v, pass, len);
	pass_free(pass, len);
	if (rc != 0) {
		vault_close(v);
		return cli_fail(ctx, rc, "vault %s", path);
	}
	if (ttl > 0)
		(void)vault_cache_put(v, ttl, &where);
done:
	ctx->vault = v;
	*out = v;
	return 0;
}
