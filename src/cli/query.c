/*
 * QUERY arguments, resolved the same way by every command: vault_query's
 * rules (exact name, exact "issuer:name", unique case-insensitive
 * substring of "issuer:name"), with one more before the substring: an
 * account with an AWS MFA serial also answers to its device's name (the
 * serial's last part, "alice" in arn:aws:iam::123456789012:mfa/alice,
 * which is the IAM user's name unless the device was named otherwise),
 * its path after "mfa/", and the whole serial, case aside for the names.
 * So the name a person knows the device by works, whatever the account
 * was called in the vault.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

#define QUERY_CAND 8

/* The query names some account exactly ("name" or "issuer:name"). */
static bool
query_exact(const struct vault_data *d, const char *q)
{
	const struct vault_entry *e;
	size_t i, n;

	for (i = 0; i < d->n_entries; i++) {
		e = &d->entries[i];
		if (strcmp(e->name, q) == 0)
			return true;
		n = strlen(e->issuer);
		if (n > 0 && strncmp(q, e->issuer, n) == 0 && q[n] == ':' &&
		    strcmp(q + n + 1, e->name) == 0)
			return true;
	}
	return false;
}

/* The serial, its path after ":mfa/", or that path's last part. */
static bool
query_device(const char *serial, const char *q)
{
	const char *path = strstr(serial, ":mfa/"), *last;

	if (serial[0] == '\0')
		return false;
	if (strcmp(serial, q) == 0)
		return true;
	if (path == NULL || path[5] == '\0')
		return false;
	path += 5;
	last = strrchr(path, '/');
	last = last != NULL ? last + 1 : path;
	return strcasecmp(path, q) == 0 || strcasecmp(last, q) == 0;
}

/* Accounts whose AWS device the query names; the first ones to cand. */
static size_t
query_devices(const struct vault_data *d, const char *q, size_t *cand)
{
	size_t i, n = 0;

	for (i = 0; i < d->n_entries; i++)
		if (query_device(d->entries[i].serial, q)) {
			if (n < QUERY_CAND)
				cand[n] = i;
			n++;
		}
	return n;
}

int
query_resolve(struct mfa_ctx *ctx, const struct vault_data *d,
	      const char *query, size_t *idx)
{
	size_t cand[QUERY_CAND], dcand[QUERY_CAND], ncand = 0, ndev, i, o;
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
	rc = vault_query(d, query, idx, cand, QUERY_CAND, &ncand);
	/* Device names come after exact names, before substrings. */
	if (!query_exact(d, query) &&
	    (ndev = query_devices(d, query, dcand)) > 0) {
		if (ndev == 1) {
			*idx = dcand[0];
			return 0;
		}
		rc = MFA_EAMBIGUOUS;
		memcpy(cand, dcand, sizeof(cand));
		ncand = ndev;
	}
	if (rc == MFA_EAMBIGUOUS) {
		o = (size_t)snprintf(
		    ctx->err.why, sizeof(ctx->err.why),
		    "account '%s' is ambiguous; candidates:", query);
		for (i = 0;
		     i < ncand && i < QUERY_CAND && o < sizeof(ctx->err.why);
		     i++)
			o += (size_t)snprintf(
			    ctx->err.why + o, sizeof(ctx->err.why) - o, "%s %s",
			    i ? "," : "",
			    util_label(d->entries[cand[i]].issuer,
				       d->entries[cand[i]].name));
		if (ncand > QUERY_CAND && o < sizeof(ctx->err.why))
			snprintf(ctx->err.why + o, sizeof(ctx->err.why) - o,
				 ", and %zu more", ncand - QUERY_CAND);
		ctx->what[0] = '\0';
		return rc;
	}
	if (rc != 0)
		return cli_fail(ctx, rc, "account '%s'", query);
	return 0;
}
