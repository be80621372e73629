/*
 * mfa passwd: change the passphrase, and the vault key with it, so that an
 * old copy of the vault and the old passphrase open nothing written since.
 * The KDF cost stays as it is unless --kdf-ops/--kdf-mem say otherwise, and
 * is never lowered without --weaker-kdf.
 */
#include <stdio.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_passwd_opts[] = {
    OPT_ARG(OPT_NEW_PASSPHRASE_FD, "new-passphrase-fd", 0, "N", VAL_NUMBER,
	    "read the new passphrase from fd N"),
    OPT_ARG(OPT_KDF_OPS, "kdf-ops", 0, "N", VAL_NUMBER,
	    "Argon2id passes (default: as now)"),
    OPT_ARG(OPT_KDF_MEM, "kdf-mem", 0, "MiB", VAL_NUMBER,
	    "Argon2id memory (default: as now)"),
    OPT_FLAG(OPT_WEAKER_KDF, "weaker-kdf", 0,
	     "allow a lower KDF cost than now"),
    OPT_END,
};

static int
cmd_passwd_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct vault_kdf want = {0, 0}, kdf;
	unsigned flags = args_has(a, OPT_WEAKER_KDF) ? VAULT_KDF_WEAKER : 0;
	uint64_t mib = 0;
	struct vault_slot_info si;
	bool rekeyed = false;
	struct vault *v;
	size_t i;
	char *pass;
	size_t len;
	int rc;

	if ((rc = args_uint(ctx, a, OPT_KDF_OPS, 1, 1000, &want.ops)) != 0 ||
	    (rc = args_uint(ctx, a, OPT_KDF_MEM, 1, 4096, &mib)) != 0)
		return rc;
	want.mem = mib << 20;
	/* Always prove the old passphrase, even with a cached key. */
	ctx->no_cache = true;
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	/* A new passphrase-only slot would undo --require-fido2. */
	for (i = 0; i < vault_slot_count(v); i++)
		if (vault_slot_get(v, i, &si) == 0 &&
		    si.type == VAULT_SLOT_FIDO2 &&
		    (si.flags & VAULT_FIDO2_PASS))
			return cli_failx(ctx, MFA_EUNSUPPORTED,
					 "passwd: the passphrase of %s is "
					 "bound to its security keys "
					 "(--require-fido2, slot %zu): remove "
					 "those slots and enrol the keys again "
					 "after the change",
					 vault_path(v), i + 1);
	/* Refused before the new passphrase is asked for. */
	if ((rc = vault_kdf_resolve(v, &want, flags, &kdf)) == MFA_EKDF_LOWER)
		return cli_usage(ctx,
				 "--kdf-ops/--kdf-mem would lower the KDF cost "
				 "of %s: add --weaker-kdf to allow it",
				 vault_path(v));
	if (rc != 0)
		return cli_fail(ctx, rc, "vault %s", vault_path(v));
	if (vault_kdf_weak(&kdf))
		fprintf(stderr, "mfa: warning: KDF cost below libsodium's "
				"INTERACTIVE level; fine for tests, weak for "
				"real secrets\n");
	if ((rc = pass_get(ctx, PASS_NEW, "New passphrase: ", &pass, &len)))
		return rc;
	rc = vault_passwd(v, pass, len, &kdf, flags, &rekeyed);
	pass_free(pass, len);
	if (rc != 0)
		return cli_fail(ctx, rc, "vault %s", vault_path(v));
	printf("passphrase changed for %s\n", vault_path(v));
	if (!rekeyed)
		fprintf(stderr,
			"mfa: note: the vault key stays (its security-key "
			"slots wrap it): copies of the vault made before "
			"still open with the old passphrase\n");
	return 0;
}

const struct mfa_cmd cmd_passwd_entry = {
    .name = "passwd",
    .summary = "change the vault passphrase",
    .opts = cmd_passwd_opts,
    .exec = cmd_passwd_exec,
};
