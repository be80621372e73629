/*
 * mfa add: put one account into the vault. The secret (base32) or a whole
 * otpauth:// URI comes from stdin or the terminal with echo off, never from
 * the command line, where any user could read it in ps. A URI brings its
 * own name, issuer and parameters; options given here win over them.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_add_opts[] = {
    OPT_ARG(OPT_ISSUER, "issuer", 'i', "S", VAL_TEXT,
	    "the service (e.g. \"Amazon Web Services\")"),
    SECRET_OPTS,
    OPT_ARG(OPT_SERIAL, "serial", 0, "ARN", VAL_TEXT,
	    "AWS MFA device serial (ARN) to keep with it"),
    OPT_ARG(OPT_NOTE, "note", 0, "S", VAL_TEXT, "a free-text note"),
    OPT_FLAG(OPT_FORCE, "force", 'f',
	     "replace an account of the same name and issuer"),
    OPT_END,
};

struct add_job {
	struct vault_entry e;
	bool force;
};

/* Index of the entry with exactly this name and issuer, or -1. */
long
add_find_same(const struct vault_data *d, const char *issuer, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_entries; i++)
		if (strcmp(d->entries[i].name, name) == 0 &&
		    strcmp(d->entries[i].issuer, issuer) == 0)
			return (long)i;
	return -1;
}

static int
cmd_add_edit(struct vault_data *d, void *arg)
{
	struct add_job *j = arg;
	long i = add_find_same(d, j->e.issuer, j->e.name);
	int rc;

	if (i >= 0) {
		if (!j->force)
			return MFA_EEXIST;
		if ((rc = vault_entry_remove(d, (size_t)i, j->e.created)) != 0)
			return rc;
	}
	return vault_entry_add(d, &j->e);
}

static int
cmd_add_repair(struct vault_entry *e, bool *repaired)
{
	bool a = false, b = false, c = false, d = false;
	int rc;

	if ((rc = otp_utf8_repair(&e->name, &a)) != 0 ||
	    (rc = otp_utf8_repair(&e->issuer, &b)) != 0 ||
	    (rc = otp_utf8_repair(&e->serial, &c)) != 0 ||
	    (rc = otp_utf8_repair(&e->note, &d)) != 0)
		return rc;
	*repaired = a || b || c || d;
	return 0;
}

static bool
cmd_add_looks_secret(const char *s)
{
	size_t i, n = 0;

	if (strncasecmp(s, "otpauth", 7) == 0)
		return true;
	for (i = 0; s[i] != '\0'; i++) {
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=", s[i]) == NULL)
			return false;
		n++;
	}
	return n >= 16;
}

static int
cmd_add_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct cli_secret s;
	struct add_job j;
	struct vault *v;
	const char *name, *issuer;
	char label[512];
	bool repaired = false;
	size_t bits;
	int rc;

	if (a->argc > 1 || (a->argc == 1 && cmd_add_looks_secret(a->argv[0])))
		return cli_usage(ctx,
				 "secrets are never taken from the command "
				 "line (other users can read it in ps); "
				 "give it on stdin or at the prompt");
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if ((rc = secret_read(ctx, a, "secret from stdin", &s)) != 0)
		return rc;
	name = a->argc ? a->argv[0] : s.name;
	issuer = args_has(a, OPT_ISSUER) ? args_get(a, OPT_ISSUER)
		 : s.issuer != NULL	 ? s.issuer
					 : "";
	if (name == NULL || name[0] == '\0') {
		secret_clear(&s);
		return cli_usage(ctx, "an account NAME is needed (the secret "
				      "did not come with one)");
	}
	if ((rc = otp_params_check(&s.p)) != 0) {
		secret_clear(&s);
		return cli_fail(ctx, rc, "account %s",
				util_label(issuer, name));
	}
	memset(&j, 0, sizeof(j));
	j.force = args_has(a, OPT_FORCE);
	rc = vault_entry_init(&j.e, util_time());
	if (rc == 0)
		rc = vault_entry_set_str(&j.e.name, name);
	if (rc == 0)
		rc = vault_entry_set_str(&j.e.issuer, issuer);
	if (rc == 0 && (args_has(a, OPT_SERIAL) || s.serial != NULL))
		rc = vault_entry_set_str(&j.e.serial,
					 args_has(a, OPT_SERIAL)
					     ? args_get(a, OPT_SERIAL)
					     : s.serial);
	if (rc == 0 && (args_has(a, OPT_NOTE) || s.note != NULL))
		rc = vault_entry_set_str(&j.e.note, args_has(a, OPT_NOTE)
							? args_get(a, OPT_NOTE)
							: s.note);
	/* The same door as every importer's: bad bytes become U+FFFD. */
	if (rc == 0)
		rc = cmd_add_repair(&j.e, &repaired);
	if (rc == 0)
		rc = vault_entry_set_secret(&j.e, s.secret, s.secret_len);
	j.e.p = s.p;
	snprintf(label, sizeof(label), "%s",
		 util_label(j.e.issuer ? j.e.issuer : issuer,
			    j.e.name ? j.e.name : name));
	bits = s.secret_len * 8;
	secret_clear(&s);
	if (rc == 0)
		rc = vault_update(v, cmd_add_edit, &j);
	vault_entry_clear(&j.e);
	if (rc == MFA_EEXIST)
		return cli_fail(ctx, rc,
				"account %s (use --force to replace "
				"it)",
				label);
	if (rc != 0)
		return cli_fail(ctx, rc, "account %s", label);
	printf("added %s\n", label);
	if (bits < OTP_SECRET_MIN_BITS)
		fprintf(stderr,
			"mfa: warning: %s: its secret has %zu bits, fewer than "
			"the %d RFC 4226 requires (160 advised)\n",
			label, bits, OTP_SECRET_MIN_BITS);
	if (repaired)
		fprintf(stderr,
			"mfa: warning: %s: bytes that were not UTF-8 became "
			"U+FFFD\n",
			label);
	return 0;
}

static const struct mfa_pos cmd_add_pos[] = {
    {"NAME", VAL_TEXT, NULL, POS_F_OPTIONAL},
    /* A secret given here is refused with a reason, not as a usage error. */
    {"SECRET", VAL_TEXT, NULL, POS_F_OPTIONAL | POS_F_REPEAT | POS_F_HIDDEN},
    POS_END,
};

const struct mfa_cmd cmd_add_entry = {
    .name = "add",
    .summary = "add an account (secret on stdin or at the prompt)",
    .help = "Reads a base32 secret, or a whole otpauth:// URI, from stdin "
	    "(or asks on the\nterminal with echo off). NAME may be left out "
	    "when a URI names the account.\nSecrets are never taken from "
	    "the command line.",
    .opts = cmd_add_opts,
    .pos = cmd_add_pos,
    .exec = cmd_add_exec,
};
