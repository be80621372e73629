/*
 * mfa init: create an empty vault. The passphrase comes from the NEW
 * sources, else from the plain ones (so MFA_PASSPHRASE_FILE alone sets up a
 * scripted vault), else it is asked twice on the terminal. The KDF cost
 * defaults to libsodium's MODERATE; cheaper costs are allowed (tests) with a
 * warning.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_init_opts[] = {
    OPT_ARG(OPT_KDF_OPS, "kdf-ops", 0, "N", VAL_NUMBER,
	    "Argon2id passes (default 3, libsodium MODERATE)"),
    OPT_ARG(OPT_KDF_MEM, "kdf-mem", 0, "MiB", VAL_NUMBER,
	    "Argon2id memory in MiB (default 256)"),
    OPT_ARG(OPT_NEW_PASSPHRASE_FD, "new-passphrase-fd", 0, "N", VAL_NUMBER,
	    "read the new passphrase from fd N"),
    OPT_END,
};

/* Is any source of a new passphrase given, as opposed to the plain ones? */
static bool
cmd_init_new_source(struct mfa_ctx *ctx)
{
	return args_get(ctx->args, OPT_NEW_PASSPHRASE_FD) != NULL ||
	       getenv("MFA_NEW_PASSPHRASE_FILE") ||
	       getenv("MFA_NEW_PASSPHRASE");
}

static bool
cmd_init_plain_source(struct mfa_ctx *ctx)
{
	return args_get(ctx->args, OPT_PASSPHRASE_FD) != NULL ||
	       getenv("MFA_PASSPHRASE_FILE") ||
	       getenv("MFA_PASSPHRASE_COMMAND") || getenv("MFA_PASSPHRASE");
}

int
cmd_init_kdf(struct mfa_ctx *ctx, const struct mfa_args *a,
	     struct vault_kdf *kdf)
{
	uint64_t mib;
	int rc;

	vault_kdf_default(kdf);
	mib = kdf->mem >> 20;
	if ((rc = args_uint(ctx, a, OPT_KDF_OPS, 1, 1000, &kdf->ops)) != 0)
		return rc;
	if ((rc = args_uint(ctx, a, OPT_KDF_MEM, 1, 4096, &mib)) != 0)
		return rc;
	kdf->mem = mib << 20;
	if (vault_kdf_weak(kdf))
		fprintf(stderr, "mfa: warning: KDF cost below libsodium's "
				"INTERACTIVE level; fine for tests, weak for "
				"real secrets\n");
	return 0;
}

static int
cmd_init_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *path = unlock_path(ctx);
	struct vault_kdf kdf;
	enum pass_kind kind = PASS_NEW;
	char *pass;
	size_t len;
	int rc;

	if (path == NULL)
		return cli_fail(ctx, MFA_EINVAL,
				"vault path (set HOME, "
				"MFA_VAULT or --vault)");
	if ((rc = cmd_init_kdf(ctx, a, &kdf)) != 0)
		return rc;
	if (!cmd_init_new_source(ctx) && cmd_init_plain_source(ctx))
		kind = PASS_CURRENT;
	if ((rc = pass_get(ctx, kind, "New passphrase: ", &pass, &len)) != 0)
		return rc;
	rc = vault_create(path, pass, len, &kdf);
	pass_free(pass, len);
	if (rc != 0)
		return cli_fail(ctx, rc, "vault %s", path);
	printf("created vault %s\n", path);
	return 0;
}

const struct mfa_cmd cmd_init_entry = {
    .name = "init",
    .summary = "create an empty vault",
    .help = "Creates the vault (folder 0700, file 0600). Refuses to "
	    "overwrite an existing one.",
    .opts = cmd_init_opts,
    .exec = cmd_init_exec,
};
