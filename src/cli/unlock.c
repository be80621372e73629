/*
 * Opening and unlocking the vault for a command: the unlock cache first
 * (unless --no-cache or MFA_CACHE_TTL=0), then an enrolled security key
 * that is plugged in (FIDO2 slots: a touch), then the passphrase. A key
 * that came from a slot goes into the cache for MFA_CACHE_TTL seconds, so
 * a security key is touched once per TTL, not once per code.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli/cli.h"
#include "fido/fido2.h"

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

/* The FIDO2 slots this version can use, and their credential ids. */
struct unlock_keys {
	size_t n;
	size_t slot[32];
	const uint8_t *cred[32];
	size_t len[32];
	bool two_factor; /* some need the passphrase too */
};

static void
unlock_keys_of(const struct vault *v, struct unlock_keys *k)
{
	struct vault_slot_info si;
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < vault_slot_count(v) && k->n < 32; i++) {
		if (vault_slot_get(v, i, &si) != 0 ||
		    si.type != VAULT_SLOT_FIDO2 || !si.usable)
			continue;
		k->slot[k->n] = i;
		k->cred[k->n] = si.cred;
		k->len[k->n] = si.cred_len;
		k->two_factor |= (si.flags & VAULT_FIDO2_PASS) != 0;
		k->n++;
	}
}

static bool
unlock_has_pass_slot(const struct vault *v)
{
	struct vault_slot_info si;
	size_t i;

	for (i = 0; i < vault_slot_count(v); i++)
		if (vault_slot_get(v, i, &si) == 0 &&
		    si.type == VAULT_SLOT_PASSPHRASE)
			return true;
	return false;
}

/*
 * Open the vault with slot k->slot[j] and the key at path: its PIN and the
 * passphrase when the slot wants them, then a touch.
 */
static int
unlock_with_key(struct mfa_ctx *ctx, struct vault *v,
		const struct unlock_keys *k, size_t j, const char *path,
		char **pass, size_t *passlen)
{
	struct vault_slot_info si;
	char prompt[512], why[512], *pin = NULL;
	uint8_t *key = NULL;
	size_t pinlen = 0;
	int rc;

	if ((rc = vault_slot_get(v, k->slot[j], &si)) != 0)
		return cli_fail(ctx, rc, "vault %s", vault_path(v));
	if ((si.flags & VAULT_FIDO2_PASS) && *pass == NULL) {
		snprintf(prompt, sizeof(prompt),
			 "Passphrase for %s: ", vault_path(v));
		if ((rc = pass_get(ctx, PASS_CURRENT, prompt, pass, passlen)))
			return rc;
	}
	if (si.flags & VAULT_FIDO2_PIN) {
		snprintf(prompt, sizeof(prompt),
			 "PIN for security key %.256s: ", path);
		if ((rc = tty_read_secret(prompt, &pin, &pinlen)) != 0)
			return cli_failx(ctx, rc,
					 "security key %s: slot %zu needs the "
					 "key's PIN, asked on a terminal: %s",
					 path, k->slot[j] + 1,
					 mfa_strerror(rc));
	}
	if ((key = sodium_malloc(VAULT_KEY_BYTES)) == NULL) {
		pass_free(pin, pinlen);
		return cli_fail(ctx, MFA_ENOMEM, "security key");
	}
	tty_say("Touch your security key (%s)...",
		si.label[0] != '\0' ? util_clean(si.label) : path);
	rc = fido2_slot_key(path, si.cred, si.cred_len, si.salt, pin, key, why,
			    sizeof(why));
	pass_free(pin, pinlen);
	if (rc != 0) {
		sodium_free(key);
		return cli_failx(ctx, rc, "%s", why);
	}
	rc = vault_unlock_slot(v, k->slot[j], key, *pass, *passlen);
	sodium_free(key);
	if (rc != 0)
		return cli_fail(ctx, rc, "vault %s (slot %zu)", vault_path(v),
				k->slot[j] + 1);
	return 0;
}

/*
 * An enrolled key that is plugged in: 0 when it opened the vault,
 * MFA_ENOTFOUND when none could be used (*note says why, for the message
 * when no passphrase can be used either), else the error, recorded.
 */
static int
unlock_by_key(struct mfa_ctx *ctx, struct vault *v, char **pass,
	      size_t *passlen, char *note, size_t notelen)
{
	struct fido2_dev devs[FIDO2_DEVS_MAX];
	struct unlock_keys k;
	const char *why = NULL;
	char err[512];
	size_t n = 0, i, which;
	int rc;

	unlock_keys_of(v, &k);
	if (k.n == 0)
		return MFA_ENOTFOUND;
	if (fido2_load(&why) != 0) {
		snprintf(note, notelen,
			 "cannot load %s (%s): install the Debian package %s",
			 FIDO2_SONAME, why != NULL ? why : "?",
			 FIDO2_DEB_PACKAGE);
		return MFA_ENOTFOUND;
	}
	snprintf(note, notelen, "no enrolled security key is plugged in");
	if (fido2_devices(devs, FIDO2_DEVS_MAX, &n) != 0)
		n = 0;
	for (i = 0; i < n; i++) {
		rc = fido2_find(devs[i].path, k.cred, k.len, k.n, &which, err,
				sizeof(err));
		if (rc == MFA_ENOTFOUND)
			continue;
		/* A key that cannot answer without a touch: with one slot
		 * to try, the touch tells. */
		if (rc == MFA_EUNSUPPORTED && k.n == 1) {
			which = 0;
			rc = 0;
		}
		if (rc != 0) {
			/* One key that fails must not hide another. */
			snprintf(note, notelen, "%s", err);
			continue;
		}
		rc = unlock_with_key(ctx, v, &k, which, devs[i].path, pass,
				     passlen);
		/* Not touched: the passphrase as usual, where it is enough. */
		if (rc == MFA_ECANCELED && unlock_has_pass_slot(v)) {
			tty_say("%s: the passphrase then", ctx->what[0] != '\0'
							       ? ctx->what
							       : ctx->err.why);
			ctx->what[0] = '\0';
			ctx->err.why[0] = '\0';
			ctx->err.rc = 0;
			return MFA_ENOTFOUND;
		}
		return rc;
	}
	return MFA_ENOTFOUND;
}

static int
unlock_run(struct mfa_ctx *ctx, struct vault **out, const char *query,
	   char **keep, size_t *keeplen)
{
	const char *path = unlock_path(ctx), *where = NULL;
	uint8_t key[VAULT_KEY_BYTES];
	struct unlock_keys k;
	struct vault *v = NULL;
	char prompt[256], note[600], *pass = NULL;
	size_t len = 0;
	unsigned ttl = ctx->no_cache ? 0 : unlock_ttl();
	int rc;

	if (path == NULL)
		return cli_fail(ctx, MFA_EINVAL,
				"vault path (set HOME, "
				"MFA_VAULT or --vault)");
	if ((rc = vault_open(path, &v)) != 0)
		return unlock_open_fail(ctx, rc, path);
	if (query != NULL && (rc = vault_only_matching(v, query)) != 0) {
		cli_fail(ctx, rc, "vault %s", path);
		goto fail;
	}
	if (ttl > 0 && vault_cache_get(v, key) == 0) {
		rc = vault_unlock_key(v, key);
		sodium_memzero(key, sizeof(key));
		if (rc == 0)
			goto done;
		/* A stale key (vault replaced): fall back to asking. */
		(void)vault_cache_drop(v, NULL);
	}
	sodium_memzero(key, sizeof(key));
	note[0] = '\0';
	rc = unlock_by_key(ctx, v, &pass, &len, note, sizeof(note));
	if (rc == 0)
		goto cache;
	if (rc != MFA_ENOTFOUND)
		goto fail;
	if (!unlock_has_pass_slot(v)) {
		unlock_keys_of(v, &k);
		rc = k.n > 0 ? MFA_ENOTFOUND : MFA_EUNSUPPORTED;
		cli_failx(ctx, rc,
			  "vault %s opens only with one of its security "
			  "keys%s: %s",
			  path, k.two_factor ? " and the passphrase" : "",
			  k.n > 0 ? note : "it has no slot this mfa can use");
		goto fail;
	}
	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", path);
	if ((rc = pass_get(ctx, PASS_CURRENT, prompt, &pass, &len)) != 0)
		goto fail;
	if ((rc = vault_unlock_pass(v, pass, len)) != 0) {
		cli_fail(ctx, rc, "vault %s", path);
		goto fail;
	}
cache:
	if (ttl > 0)
		(void)vault_cache_put(v, ttl, &where);
done:
	if (keep != NULL) {
		*keep = pass;
		*keeplen = len;
	} else {
		pass_free(pass, len);
	}
	ctx->vault = v;
	*out = v;
	return 0;
fail:
	pass_free(pass, len);
	vault_close(v);
	return rc;
}

int
unlock_vault(struct mfa_ctx *ctx, struct vault **out)
{
	return unlock_run(ctx, out, NULL, NULL, NULL);
}

int
unlock_vault_query(struct mfa_ctx *ctx, const char *query, struct vault **out)
{
	return unlock_run(ctx, out, query, NULL, NULL);
}

int
unlock_vault_pass(struct mfa_ctx *ctx, struct vault **out, char **pass,
		  size_t *len)
{
	*pass = NULL;
	*len = 0;
	return unlock_run(ctx, out, NULL, pass, len);
}
