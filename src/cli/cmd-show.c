/*
 * mfa show: one account's details, and on request its secret in a form
 * another authenticator takes: --uri (otpauth://), --qr (drawn in the
 * terminal for a phone to scan) or --png FILE. Secrets leave only when one
 * of those is named.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "qr/encode.h"

static const struct mfa_opt cmd_show_opts[] = {
    OPT_GROUP(OPT_URI, "uri", 0, 1,
	      "print the otpauth:// URI (reveals the secret)"),
    OPT_GROUP(OPT_QR, "qr", 0, 1, "draw the URI as a QR code in the terminal"),
    {.id = OPT_PNG,
     .name = "png",
     .arg = "FILE",
     .val = VAL_FILE,
     .group = 1,
     .help = "write the URI as a QR code PNG (0600)"},
    OPT_FLAG(OPT_HISTORY, "history", 0,
	     "values lost in merges of two machines' changes (with --uri: "
	     "their secrets too)"),
    OPT_END,
};

/* The account's URI in secret memory; caller must sodium_free(). */
int
show_uri(const struct vault_entry *e, char **out)
{
	size_t cap = uri_format_len(e->issuer, e->name, e->secret_len);
	int rc;

	if ((*out = sodium_malloc(cap)) == NULL)
		return MFA_ENOMEM;
	rc = uri_format(&e->p, e->issuer, e->name, e->secret, e->secret_len,
			*out, cap);
	if (rc != 0) {
		sodium_free(*out);
		*out = NULL;
	}
	return rc;
}

static void
cmd_show_time(const char *label, int64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		return;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%-10s %s\n", label, buf);
}

static void
cmd_show_details(const struct vault_entry *e)
{
	char id[2 * VAULT_ID_BYTES + 1];

	sodium_bin2hex(id, sizeof(id), e->id, sizeof(e->id));
	printf("%-10s %s\n", "name", util_clean(e->name));
	printf("%-10s %s\n", "issuer",
	       e->issuer[0] ? util_clean(e->issuer) : "-");
	printf("%-10s %s\n", "type", otp_type_name(e->p.type));
	printf("%-10s %s\n", "algorithm", otp_hash_name(e->p.hash));
	printf("%-10s %u\n", "digits", e->p.digits);
	if (e->p.type == OTP_HOTP)
		printf("%-10s %llu\n", "counter",
		       (unsigned long long)e->p.counter);
	else
		printf("%-10s %llus\n", "period",
		       (unsigned long long)e->p.period);
	if (e->serial[0] != '\0')
		printf("%-10s %s\n", "serial", util_clean(e->serial));
	if (e->note[0] != '\0')
		printf("%-10s %s\n", "note", util_clean(e->note));
	printf("%-10s %s\n", "id", id);
	cmd_show_time("created", e->created);
	cmd_show_time("updated", e->updated);
}

/* What merges of two machines' changes took from this account (the
 * older of two values), newest first; with uri, old secrets as URIs. */
static int
cmd_show_history(const struct vault_entry *e, bool uri)
{
	static const char *const gname[VAULT_GROUPS] = {"labels", "credential",
							"serial"};
	struct vault_entry old;
	char when[64], *u;
	time_t tt;
	struct tm tm;
	size_t i;
	int rc;

	if (e->n_hist == 0)
		printf("%-10s none\n", "history");
	for (i = 0; i < e->n_hist; i++) {
		const struct vault_hist *h = &e->hist[i];

		tt = (time_t)h->when;
		if (gmtime_r(&tt, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		else
			snprintf(when, sizeof(when), "%lld",
				 (long long)h->when);
		printf("%-10s %s %s: ", "history", when, gname[h->group]);
		if (h->group == VAULT_GROUP_LABELS) {
			printf("%s", util_label(h->issuer, h->name));
			if (h->note[0] != '\0')
				printf(", note %s", util_clean(h->note));
			printf("\n");
		} else if (h->group == VAULT_GROUP_SERIAL) {
			printf("%s\n",
			       h->serial[0] ? util_clean(h->serial) : "(none)");
		} else {
			printf("%s %s, %u digits\n", otp_type_name(h->p.type),
			       otp_hash_name(h->p.hash), h->p.digits);
			if (!uri)
				continue;
			/* The old seed, under the account's present name. */
			old = *e;
			old.p = h->p;
			old.secret = h->secret;
			old.secret_len = h->secret_len;
			if ((rc = show_uri(&old, &u)) != 0)
				return rc;
			printf("%-10s %s\n", "", u);
			sodium_free(u);
		}
	}
	return 0;
}

static int
cmd_show_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_entry *e;
	struct vault *v;
	char *uri = NULL, *art = NULL, label[512];
	uint8_t *png = NULL;
	size_t idx, len = 0;
	int rc, forms = args_has(a, OPT_URI) + args_has(a, OPT_QR) +
			args_has(a, OPT_PNG);

	if (forms > 1)
		return cli_usage(ctx, "choose one of --uri, --qr and --png");
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if ((rc = query_resolve(ctx, vault_data(v), a->argv[0], &idx)) != 0)
		return rc;
	e = &vault_data(v)->entries[idx];
	snprintf(label, sizeof(label), "%s", util_label(e->issuer, e->name));
	if (args_has(a, OPT_HISTORY)) {
		if (args_has(a, OPT_QR) || args_has(a, OPT_PNG))
			return cli_usage(ctx, "--history goes with --uri only");
		cmd_show_details(e);
		if ((rc = cmd_show_history(e, args_has(a, OPT_URI))) != 0)
			return cli_fail(ctx, rc, "account %s", label);
		return 0;
	}
	if (forms == 0) {
		cmd_show_details(e);
		return 0;
	}
	if ((rc = show_uri(e, &uri)) != 0)
		return cli_fail(ctx, rc, "account %s", label);
	if (args_has(a, OPT_URI)) {
		printf("%s\n", uri);
	} else if (args_has(a, OPT_QR)) {
		rc = qr_render_terminal(uri, getenv("NO_COLOR") == NULL, &art,
					&len);
		if (rc == 0)
			fputs(art, stdout);
	} else {
		rc = qr_render_png(uri, 8, &png, &len);
		if (rc == 0)
			rc = util_write_file(args_get(a, OPT_PNG), png, len);
		if (rc == 0)
			fprintf(stderr, "wrote %s\n", args_get(a, OPT_PNG));
		else
			snprintf(label, sizeof(label), "%s",
				 args_get(a, OPT_PNG));
	}
	if (art != NULL)
		sodium_free(art);
	if (png != NULL)
		sodium_free(png);
	sodium_free(uri);
	if (rc != 0)
		return cli_fail(ctx, rc, "%s %s",
				args_has(a, OPT_PNG) ? "file" : "account",
				label);
	return 0;
}

static const struct mfa_pos cmd_show_pos[] = {
    {"QUERY", VAL_QUERY, NULL, 0},
    POS_END,
};

const struct mfa_cmd cmd_show_entry = {
    .name = "show",
    .summary = "show an account; --uri/--qr/--png reveal its secret",
    .opts = cmd_show_opts,
    .pos = cmd_show_pos,
    .exec = cmd_show_exec,
};
