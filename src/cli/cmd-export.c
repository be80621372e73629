/*
 * mfa export: take every account out again, in a form other tools read:
 * otpauth URIs, mfa's own JSON, Google Authenticator migration URIs (with
 * --qr, drawn for a phone to scan, at most 10 accounts a code) or an Aegis
 * vault (encrypted with a new passphrase unless --plain). No lock-in: a user
 * can always leave with their secrets. Files are written 0600, atomically.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/io.h"
#include "qr/encode.h"

static const struct mfa_opt cmd_export_opts[] = {
    OPT_WORDS(OPT_FORMAT, "format", 'f', "FORMAT", "uri json google aegis",
	      "uri (default), json, google or aegis"),
    OPT_ARG(OPT_OUTPUT, "output", 'o', "FILE", VAL_FILE,
	    "write to FILE (0600) instead of stdout"),
    OPT_FLAG(OPT_QR, "qr", 0, "google: draw each batch as a terminal QR code"),
    OPT_FLAG(OPT_PLAIN, "plain", 0, "aegis: do not encrypt"),
    OPT_ARG(OPT_NEW_PASSPHRASE_FD, "new-passphrase-fd", 0, "N", VAL_NUMBER,
	    "aegis: read its passphrase from fd N"),
    OPT_END,
};

/* Views of the vault's entries as io entries; nothing is copied. */
static struct io_entry *
export_entries(const struct vault_data *d)
{
	struct io_entry *v = calloc(d->n_entries + 1, sizeof(*v));
	size_t i;

	for (i = 0; v != NULL && i < d->n_entries; i++) {
		v[i].name = d->entries[i].name;
		v[i].issuer = d->entries[i].issuer;
		v[i].serial = d->entries[i].serial;
		v[i].note = d->entries[i].note;
		v[i].p = d->entries[i].p;
		v[i].secret = d->entries[i].secret;
		v[i].secret_len = d->entries[i].secret_len;
	}
	return v;
}

/* --qr: each migration URI as a terminal QR code, one after another. */
static int
export_qr(const char *text)
{
	char *line, *copy, *save = NULL, *art = NULL;
	size_t len = 0, n = 0, total = 0;
	const char *p;
	int rc = 0;

	for (p = text; *p != '\0'; p++)
		total += *p == '\n';
	if ((copy = sodium_malloc(strlen(text) + 1)) == NULL)
		return MFA_ENOMEM;
	memcpy(copy, text, strlen(text) + 1);
	for (line = strtok_r(copy, "\n", &save); line != NULL && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if ((rc = qr_render_terminal(line, getenv("NO_COLOR") == NULL,
					     &art, &len)) != 0)
			break;
		printf("Batch %zu of %zu: scan with Google Authenticator "
		       "(Transfer accounts > Import)\n%s\n",
		       ++n, total, art);
		sodium_free(art);
		art = NULL;
	}
	sodium_free(copy);
	return rc;
}

static int
cmd_export_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *fmt =
	    args_has(a, OPT_FORMAT) ? args_get(a, OPT_FORMAT) : "uri";
	const char *file = args_get(a, OPT_OUTPUT);
	const struct vault_data *d;
	struct io_entry *ents;
	struct vault *v;
	char *out = NULL, *pass = NULL, why[IO_WHY_MAX] = "";
	size_t outlen = 0, plen = 0, i;
	int rc;

	if (strcmp(fmt, "uri") && strcmp(fmt, "json") &&
	    strcmp(fmt, "google") && strcmp(fmt, "aegis"))
		return cli_usage(ctx,
				 "unknown export format '%s' (want uri, "
				 "json, google or aegis)",
				 fmt);
	if (args_has(a, OPT_QR) && strcmp(fmt, "google") != 0)
		return cli_usage(ctx, "--qr goes with --format google");
	if (args_has(a, OPT_PLAIN) && strcmp(fmt, "aegis") != 0)
		return cli_usage(ctx, "--plain goes with --format aegis");
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	d = vault_data(v);
	/* otpauth URIs and Aegis have no time origin: codes would change. */
	for (i = 0; i < d->n_entries; i++)
		if (d->entries[i].p.t0 != 0 &&
		    (strcmp(fmt, "uri") == 0 || strcmp(fmt, "aegis") == 0))
			return cli_failx(
			    ctx, MFA_EUNSUPPORTED,
			    "export %s: account %s has a time "
			    "origin (T0) that %s cannot carry; "
			    "use --format json",
			    fmt,
			    util_label(d->entries[i].issuer,
				       d->entries[i].name),
			    strcmp(fmt, "uri") == 0 ? "otpauth URIs" : "Aegis");
	if ((ents = export_entries(d)) == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "export");
	if (strcmp(fmt, "aegis") == 0 && !args_has(a, OPT_PLAIN)) {
		rc = pass_get(ctx, PASS_NEW,
			      "Passphrase for the Aegis file: ", &pass, &plen);
		if (rc != 0) {
			free(ents);
			return rc;
		}
	}
	if (strcmp(fmt, "uri") == 0)
		rc = io_export_uri(ents, d->n_entries, &out, &outlen);
	else if (strcmp(fmt, "json") == 0)
		rc = io_export_json(ents, d->n_entries, &out, &outlen);
	else if (strcmp(fmt, "google") == 0)
		rc = io_export_google(ents, d->n_entries, &out, &outlen, why);
	else
		rc = io_export_aegis(ents, d->n_entries, pass, plen, &out,
				     &outlen);
	free(ents);
	pass_free(pass, plen);
	if (rc != 0)
		return cli_fail(ctx, rc, "export %s%s%s", fmt,
				why[0] ? ": " : "", why);
	if (file != NULL && strcmp(file, "-") != 0) {
		rc = util_write_file(file, out, outlen);
		if (rc == 0)
			fprintf(stderr, "exported %zu accounts to %s\n",
				d->n_entries, file);
	} else if (args_has(a, OPT_QR)) {
		rc = export_qr(out);
	} else if (fwrite(out, 1, outlen, stdout) != outlen) {
		rc = MFA_EIO;
	}
	sodium_free(out);
	if (rc != 0)
		return cli_fail(ctx, rc, "file %s", file ? file : "(stdout)");
	return 0;
}

const struct mfa_cmd cmd_export_entry = {
    .name = "export",
    .summary = "export every account (reveals secrets)",
    .opts = cmd_export_opts,
    .exec = cmd_export_exec,
};
