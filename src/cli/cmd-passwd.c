/*
 * mfa passwd: change the passphrase. Only the passphrase key slot is
 * rewritten; the vault key stays, so the unlock cache stays valid and the
 * accounts are never re-keyed.
 */
#include <stdio.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_passwd_opts[] = {
    OPT_ARG(OPT_NEW_PASSPHRASE_FD, "new-passphrase-fd", 0, "N", VAL_NUMBER,
	    "read the new passphrase from fd N"),
    OPT_ARG(OPT_KDF_OPS, "kdf-ops", 0, "N", VAL_NUMBER,
	    "Argon2id passes for the new slot"),
    OPT_ARG(OPT_KDF_MEM, "kdf-mem", 0, "MiB", VAL_NUMBER,
	    "Argon2id memory for the new slot"),
    OPT_END,
};

static int
cmd_passwd_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct vault_slot_info si;
	struct vault_kdf kdf;
	struct vault *v;
	size_t i;
	char *pass;
	size_t len;
	int rc;

	if ((rc = cmd_init_kdf(ctx, a, &kdf)) != 0)
		return rc;
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
	if ((rc = pass_get(ctx, PASS_NEW, "New passphrase: ", &pass, &len)))
		return rc;
	rc = vault_passwd(v, pass, len, &kdf);
	pass_free(pass, len);
	if (rc != 0)
		return cli_fail(ctx, rc, "vault %s", vault_path(v));
	printf("passphrase changed for %s\n", vault_path(v));
	return 0;
}

const struct mfa_cmd cmd_passwd_entry = {
    .name = "passwd",
    .summary = "change the vault passphrase",
    .opts = cmd_passwd_opts,
    .exec = cmd_passwd_exec,
};
