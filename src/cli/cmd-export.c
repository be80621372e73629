/*
 * mfa export: take every account out again, in a form other tools read:
 * otpauth URIs, mfa's own JSON, Google Authenticator migration URIs (with
 * --qr, drawn for a phone to scan, at most 10 accounts a code) or an Aegis
 * vault (encrypted with a new passphrase unless --plain). No lock-in: a user
 * can always leave with their secrets. Files are written 0600, atomically.
 *
 * Nothing is lost without a word: an account a format cannot carry without
 * changing its codes (Steam or 7 digits for Google, a T0 for URIs and
 * Aegis) fails the export, naming every such account, or with
 * --skip-unsupported is left out with one line each (exit 4); a field a
 * format has no place for (Google: note, serial) is named on stderr.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/aws-keys.h"
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
    OPT_FLAG(OPT_SKIP_UNSUPPORTED, "skip-unsupported", 0,
	     "leave out accounts the format cannot carry (exit 4)"),
    OPT_FLAG(OPT_INCLUDE_AWS_KEYS, "include-aws-keys", 0,
	     "json: the vault's AWS access keys too (secrets)"),
    OPT_END,
};

/* A view of a vault entry as an io entry; nothing is copied. */
static void
export_view(struct io_entry *v, const struct vault_entry *e)
{
	memset(v, 0, sizeof(*v));
	v->name = e->name;
	v->issuer = e->issuer;
	v->serial = e->serial;
	v->note = e->note;
	v->p = e->p;
	v->secret = e->secret;
	v->secret_len = e->secret_len;
}

/*
 * The entries format f carries, into *out (views, *n of them). What it
 * cannot carry fails the export naming every such account, or is left out
 * with a line each (*left counts them); lost fields are named.
 */
static int
export_select(struct mfa_ctx *ctx, const struct vault_data *d, enum io_format f,
	      const char *fmt, bool skip, struct io_entry **out, size_t *n,
	      size_t *left)
{
	struct io_entry *v;
	struct mfa_err er = {0};
	char list[384] = "";
	const char *lost;
	size_t i, bad = 0, o = 0;
	int rc, w, pass;

	*n = *left = 0;
	if ((v = calloc(d->n_entries + 1, sizeof(*v))) == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "export");
	/* First what cannot go at all, then (when it all can) the losses. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0, *n = 0; i < d->n_entries; i++) {
			const struct vault_entry *e = &d->entries[i];
			char label[512];

			export_view(&v[*n], e);
			snprintf(label, sizeof(label), "%s",
				 util_label(e->issuer, e->name));
			rc = io_export_check(f, &v[*n], &lost, &er);
			if (rc == MFA_EUNSUPPORTED && skip) {
				if (pass == 1) {
					fprintf(stderr, "left out %s: %s\n",
						label, mfa_err_text(&er, rc));
					(*left)++;
				}
				continue;
			}
			if (rc == MFA_EUNSUPPORTED && pass == 0) {
				/* All named, as far as one line goes. */
				w = o < sizeof(list)
					? snprintf(list + o, sizeof(list) - o,
						   "%s%s (%s)",
						   bad > 0 ? ", " : "", label,
						   mfa_err_text(&er, rc))
					: 0;
				o += w > 0 ? (size_t)w : 0;
				bad++;
				continue;
			}
			if (rc != 0) {
				free(v);
				return cli_failx(
				    ctx, rc, "export %s: account %s: %s", fmt,
				    label, mfa_err_text(&er, rc));
			}
			if (lost != NULL && pass == 1)
				fprintf(
				    stderr,
				    "mfa: warning: %s: its %s %s not "
				    "carried (the %s format has no place "
				    "for %s)\n",
				    label, lost,
				    strchr(lost, ' ') != NULL ? "are" : "is",
				    fmt,
				    strchr(lost, ' ') != NULL ? "them" : "it");
			(*n)++;
		}
		if (bad > 0) {
			free(v);
			if (o >= sizeof(list))
				memcpy(list + sizeof(list) - 4, "...", 4);
			return cli_failx(ctx, MFA_EUNSUPPORTED,
					 "export %s: cannot carry %zu "
					 "account%s: %s; --skip-unsupported "
					 "leaves %s out",
					 fmt, bad, bad == 1 ? "" : "s", list,
					 bad == 1 ? "it" : "them");
		}
	}
	*out = v;
	return 0;
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
	struct io_entry *ents = NULL;
	struct vault *v;
	enum io_format f = IO_URI;
	char *out = NULL, *pass = NULL;
	size_t outlen = 0, plen = 0, n, left;
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
	if (args_has(a, OPT_INCLUDE_AWS_KEYS) && strcmp(fmt, "json") != 0)
		return cli_usage(ctx,
				 "--include-aws-keys goes with --format json");
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	d = vault_data(v);
	io_format_parse(fmt, &f);
	if ((rc = export_select(ctx, d, f, fmt,
				args_has(a, OPT_SKIP_UNSUPPORTED), &ents, &n,
				&left)) != 0)
		return rc;
	if (strcmp(fmt, "aegis") == 0 && !args_has(a, OPT_PLAIN)) {
		rc = pass_get(ctx, PASS_NEW,
			      "Passphrase for the Aegis file: ", &pass, &plen);
		if (rc != 0) {
			free(ents);
			return rc;
		}
	}
	if (strcmp(fmt, "uri") == 0)
		rc = io_export_uri(ents, n, &out, &outlen);
	else if (strcmp(fmt, "json") == 0)
		rc = io_export_json(ents, n, &out, &outlen);
	else if (strcmp(fmt, "google") == 0)
		rc = io_export_google(ents, n, &out, &outlen, &ctx->err);
	else
		rc = io_export_aegis(ents, n, pass, plen, &out, &outlen);
	if (rc == 0 && args_has(a, OPT_INCLUDE_AWS_KEYS))
		rc = keys_export_json(d, &out, &outlen);
	free(ents);
	pass_free(pass, plen);
	if (rc != 0)
		return cli_fail(ctx, rc, "export %s", fmt);
	if (file != NULL && strcmp(file, "-") != 0) {
		rc = util_write_file(file, out, outlen);
		if (rc == 0)
			fprintf(stderr, "exported %zu account%s to %s\n", n,
				n == 1 ? "" : "s", file);
	} else if (args_has(a, OPT_QR)) {
		rc = export_qr(out);
	} else if (fwrite(out, 1, outlen, stdout) != outlen) {
		rc = MFA_EIO;
	}
	sodium_free(out);
	if (rc != 0)
		return cli_fail(ctx, rc, "file %s", file ? file : "(stdout)");
	return left > 0 ? CLI_FINDINGS : 0;
}

const struct mfa_cmd cmd_export_entry = {
    .name = "export",
    .summary = "export every account (reveals secrets)",
    .opts = cmd_export_opts,
    .exec = cmd_export_exec,
};
