/*
 * mfa list (ls): the accounts, as a table for people or JSON for scripts;
 * --codes adds the current codes and seconds left. Secrets never appear.
 * The hidden --names serves shell completion: it only ever uses the unlock
 * cache and prints nothing rather than prompting.
 */
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "cli/cli.h"
#include "lazy/jansson.h"

static const struct mfa_opt cmd_list_opts[] = {
    OPT_FLAG(OPT_JSON, "json", 'j', "JSON array of accounts (no secrets)"),
    OPT_FLAG(OPT_CODES, "codes", 'c', "add current codes and seconds left"),
    {.id = OPT_NAMES,
     .name = "names",
     .help = "names only, from the unlock cache (for completion)",
     .flags = OPT_F_HIDDEN},
    OFFSET_OPT,
    OPT_END,
};

/* The current code of a TOTP/Steam entry; HOTP shows none (it would burn
 * a counter). */
static bool
cmd_list_code(const struct vault_entry *e, int64_t now, char code[OTP_CODE_MAX],
	      uint64_t *left)
{
	if (e->p.type == OTP_HOTP ||
	    otp_code(&e->p, e->secret, e->secret_len, now, code) != 0)
		return false;
	*left = otp_remaining(now, e->p.t0, e->p.period);
	return true;
}

static int
cmd_list_json(struct mfa_ctx *ctx, const struct vault_data *d, bool codes)
{
	json_t *arr = json_array(), *o;
	char id[2 * VAULT_ID_BYTES + 1], code[OTP_CODE_MAX];
	int64_t now = util_now();
	uint64_t left;
	json_free_t jfree;
	size_t i;
	char *out;

	if (arr == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "list");
	for (i = 0; i < d->n_entries; i++) {
		const struct vault_entry *e = &d->entries[i];

		sodium_bin2hex(id, sizeof(id), e->id, sizeof(e->id));
		o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:s, "
		    "s:s, s:I, s:I}",
		    "id", id, "name", e->name, "issuer", e->issuer, "type",
		    otp_type_name(e->p.type), "algorithm",
		    otp_hash_name(e->p.hash), "digits", (int)e->p.digits,
		    "period", (json_int_t)e->p.period, "counter",
		    (json_int_t)e->p.counter, "serial", e->serial, "note",
		    e->note, "created", (json_int_t)e->created, "updated",
		    (json_int_t)e->updated);
		if (o == NULL) {
			json_decref(arr);
			return cli_fail(ctx, MFA_ENOMEM, "list");
		}
		if (codes && cmd_list_code(e, now, code, &left)) {
			json_object_set_new(o, "code", json_string(code));
			json_object_set_new(o, "remaining",
					    json_integer((json_int_t)left));
			sodium_memzero(code, sizeof(code));
		}
		json_array_append_new(arr, o);
	}
	/*
	 * On a terminal every non-ASCII character goes out as \uXXXX, so a
	 * C1 control in a name (U+009B, CSI) cannot act there; JSON readers
	 * get the same strings either way.
	 */
	out = json_dumps(arr,
			 JSON_INDENT(2) |
			     (isatty(STDOUT_FILENO) ? JSON_ENSURE_ASCII : 0));
	json_decref(arr);
	if (out == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "list");
	printf("%s\n", out);
	/* jansson allocated it with the wiping allocator main installed. */
	json_get_alloc_funcs(NULL, &jfree);
	jfree(out);
	return 0;
}

/*
 * The columns s takes on a terminal: wcwidth per character, so wide (CJK)
 * characters count 2 and combining ones 0; one for what it does not know.
 * s is UTF-8 already cleaned for the terminal (util_clean).
 */
static int
cmd_list_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n, i;
	int w = 0, cw;

	while (*p != '\0') {
		if ((n = otp_utf8_len(p)) == 0) {
			w++;
			p++;
			continue;
		}
		cp = n == 1   ? p[0]
		     : n == 2 ? p[0] & 0x1fu
		     : n == 3 ? p[0] & 0x0fu
			      : p[0] & 0x07u;
		for (i = 1; i < n; i++)
			cp = cp << 6 | (p[i] & 0x3fu);
		cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : cw;
		p += n;
	}
	return w;
}

/* s, then spaces up to `cols` columns. */
static void
cmd_list_cell(const char *s, int cols)
{
	int w = cmd_list_width(s);

	printf("%s%*s", s, w < cols ? cols - w : 0, "");
}

static void
cmd_list_table(const struct vault_data *d, bool codes)
{
	char code[OTP_CODE_MAX];
	int64_t now = util_now();
	int wi = 6, wn = 4, n;
	uint64_t left;
	size_t i;

	/* Names are UTF-8 whatever the locale: measure them as such. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	for (i = 0; i < d->n_entries; i++) {
		n = cmd_list_width(util_clean(d->entries[i].issuer));
		wi = n > wi ? (n > 30 ? 30 : n) : wi;
		n = cmd_list_width(util_clean(d->entries[i].name));
		wn = n > wn ? (n > 40 ? 40 : n) : wn;
	}
	printf("%-*s  %-*s  %s", wi, "ISSUER", wn, "NAME",
	       codes ? "TYPE   CODE        LEFT\n" : "TYPE\n");
	for (i = 0; i < d->n_entries; i++) {
		const struct vault_entry *e = &d->entries[i];

		cmd_list_cell(e->issuer[0] ? util_clean(e->issuer) : "-", wi);
		printf("  ");
		cmd_list_cell(util_clean(e->name), wn);
		printf("  %-*s", codes ? 5 : 0, otp_type_name(e->p.type));
		if (codes && cmd_list_code(e, now, code, &left)) {
			printf("  %-10s  %llus", code,
			       (unsigned long long)left);
			sodium_memzero(code, sizeof(code));
		} else if (codes) {
			printf("  %-10s  -", "-");
		}
		printf("\n");
	}
}

/* Completion: names from a cached key only; silence otherwise. */
static int
cmd_list_by_name(const void *a, const void *b)
{
	const struct vault_entry *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static int
cmd_list_names(struct mfa_ctx *ctx)
{
	uint8_t key[VAULT_KEY_BYTES];
	const struct vault_data *d;
	const char *path = unlock_path(ctx);
	const struct vault_entry **ord = NULL;
	struct vault *v;
	bool *dup = NULL;
	size_t i;
	int rc;

	if (ctx->no_cache || unlock_ttl() == 0 || path == NULL ||
	    vault_open(path, &v) != 0)
		return 0;
	ctx->vault = v;
	rc = vault_cache_get(v, key);
	if (rc == 0)
		rc = vault_unlock_key(v, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		return 0;
	d = vault_data(v);
	/* A name two accounts share is completed as issuer:name: found by
	 * sorting, so 100,000 names take a moment, not minutes. */
	if ((ord = calloc(d->n_entries + 1, sizeof(*ord))) == NULL ||
	    (dup = calloc(d->n_entries + 1, sizeof(*dup))) == NULL) {
		free(ord);
		return 0;
	}
	for (i = 0; i < d->n_entries; i++)
		ord[i] = &d->entries[i];
	qsort(ord, d->n_entries, sizeof(*ord), cmd_list_by_name);
	for (i = 1; i < d->n_entries; i++)
		if (strcmp(ord[i - 1]->name, ord[i]->name) == 0)
			dup[ord[i - 1] - d->entries] =
			    dup[ord[i] - d->entries] = true;
	for (i = 0; i < d->n_entries; i++)
		printf("%s\n", dup[i] ? util_label(d->entries[i].issuer,
						   d->entries[i].name)
				      : util_clean(d->entries[i].name));
	free(ord);
	free(dup);
	return 0;
}

static int
cmd_list_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct vault *v;
	int rc;

	if (args_has(a, OPT_NAMES))
		return cmd_list_names(ctx);
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if (args_has(a, OPT_JSON))
		return cmd_list_json(ctx, vault_data(v),
				     args_has(a, OPT_CODES));
	cmd_list_table(vault_data(v), args_has(a, OPT_CODES));
	return 0;
}

const struct mfa_cmd cmd_list_entry = {
    .name = "list",
    .alias = "ls",
    .summary = "list the accounts (no secrets)",
    .opts = cmd_list_opts,
    .exec = cmd_list_exec,
};
