/* QUERY arguments, resolved the same way by every command. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
query_resolve(struct mfa_ctx *ctx, const struct vault_data *d,
	      const char *query, size_t *idx)
{
	size_t cand[8], ncand = 0, i, o;
	int rc;

	if (query == NULL) {
		if (d->n_entries == 1) {
			*idx = 0;
			return 0;
		}
		if (d->n_entries == 0)
			return cli_fail(ctx, MFA_ENOTFOUND,
					"vault %s is empty "
					"(add an account with 'mfa add')",
					ctx->vault_path);
		return cli_usage(ctx, "the vault holds %zu accounts: name one",
				 d->n_entries);
	}
	rc = vault_query(d, query, idx, cand, 8, &ncand);
	if (rc == MFA_EAMBIGUOUS) {
		o = (size_t)snprintf(
		    ctx->err.why, sizeof(ctx->err.why),
		    "account '%s' is ambiguous; candidates:", query);
		for (i = 0; i < ncand && i < 8 && o < sizeof(ctx->err.why); i++)
			o += (size_t)snprintf(
			    ctx->err.why + o, sizeof(ctx->err.why) - o, "%s %s",
			    i ? "," : "",
			    util_label(d->entries[cand[i]].issuer,
				       d->entries[cand[i]].name));
		if (ncand > 8 && o < sizeof(ctx->err.why))
			snprintf(ctx->err.why + o, sizeof(ctx->err.why) - o,
				 ", and %zu more", ncand - 8);
		ctx->what[0] = '\0';
		return rc;
	}
	if (rc != 0)
		return cli_fail(ctx, rc, "account '%s'", query);
	return 0;
}
