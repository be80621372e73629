/*
 * mfa textconv FILE (hidden): the vault as text for `git diff` and `git log
 * -p` (diff.mfa.textconv, set up by `mfa sync init`): accounts by id with
 * their names and fields, secrets redacted. The key comes only from the
 * unlock cache: git runs this once per version shown, so no passphrase
 * is asked; without a key it prints "<vault locked>" and succeeds, as it
 * does for a version it cannot read, so that git goes on. Never to be
 * cached by git (diff.mfa.cachetextconv would keep this text in .git).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli.h"

static void
tc_time(const char *label, int64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	else
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("  %-11s %s\n", label, buf);
}

static void
tc_hex(const uint8_t *p, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, p, n);
}

/* A secret shown as a fingerprint keyed with the vault key: it changes
 * when the secret does and tells nothing without the key. */
static void
tc_secret(const struct vault *v, const uint8_t *s, size_t n)
{
	uint8_t fp[8];
	char hex[17];

	crypto_generichash(fp, sizeof(fp), s, n, vault_key(v), VAULT_KEY_BYTES);
	tc_hex(fp, sizeof(fp), hex);
	printf("  %-11s <redacted> (%zu bytes, fingerprint %s)\n", "secret", n,
	       hex);
}

static void
tc_params(const struct otp_params *p)
{
	if (p->type == OTP_HOTP)
		printf("  %-11s hotp %s, %u digits\n", "type",
		       otp_hash_name(p->hash), p->digits);
	else
		printf("  %-11s %s %s, %u digits, %llus\n", "type",
		       otp_type_name(p->type), otp_hash_name(p->hash),
		       p->digits, (unsigned long long)p->period);
	if (p->t0 != 0)
		printf("  %-11s %lld\n", "T0", (long long)p->t0);
}

static int
tc_by_id(const void *a, const void *b)
{
	const struct vault_entry *const *x = a, *const *y = b;

	return memcmp((*x)->id, (*y)->id, VAULT_ID_BYTES);
}

static int
tc_tomb_by_id(const void *a, const void *b)
{
	return memcmp(a, b, VAULT_ID_BYTES);
}

static void
tc_entry(const struct vault *v, const struct vault_entry *e)
{
	static const char *const gname[VAULT_GROUPS] = {"labels", "credential",
							"serial"};
	char id[2 * VAULT_ID_BYTES + 1], when[64];
	size_t i;

	tc_hex(e->id, VAULT_ID_BYTES, id);
	printf("account %s\n", util_label(e->issuer, e->name));
	printf("  %-11s %s\n", "id", id);
	printf("  %-11s %s\n", "name", util_clean(e->name));
	if (e->issuer[0] != '\0')
		printf("  %-11s %s\n", "issuer", util_clean(e->issuer));
	tc_params(&e->p);
	tc_secret(v, e->secret, e->secret_len);
	if (e->p.type == OTP_HOTP)
		printf("  %-11s %llu\n", "counter",
		       (unsigned long long)e->p.counter);
	if (e->serial[0] != '\0')
		printf("  %-11s %s\n", "serial", util_clean(e->serial));
	if (e->note[0] != '\0')
		printf("  %-11s %s\n", "note", util_clean(e->note));
	if (e->last_step != 0)
		printf("  %-11s %llu\n", "aws step",
		       (unsigned long long)e->last_step);
	if (e->verify_step != 0)
		printf("  %-11s %llu\n", "verify step",
		       (unsigned long long)e->verify_step);
	tc_time("created", e->created);
	tc_time("updated", e->updated);
	for (i = 0; i < e->n_hist; i++) {
		const struct vault_hist *h = &e->hist[i];
		time_t tt = (time_t)h->when;
		struct tm tm;

		if (gmtime_r(&tt, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		else
			snprintf(when, sizeof(when), "%lld",
				 (long long)h->when);
		printf("  %-11s %s of %s lost in a merge:", "history",
		       gname[h->group], when);
		if (h->group == VAULT_GROUP_LABELS)
			printf(" %s%s%s\n", util_label(h->issuer, h->name),
			       h->note[0] ? ", note " : "",
			       h->note[0] ? util_clean(h->note) : "");
		else if (h->group == VAULT_GROUP_SERIAL)
			printf(" %s\n",
			       h->serial[0] ? util_clean(h->serial) : "(none)");
		else
			printf(" another secret (%zu bytes)\n", h->secret_len);
	}
}

static void
tc_print(const struct vault *v)
{
	const struct vault_data *d = vault_data(v);
	const struct vault_entry **es;
	struct vault_tombstone *ts;
	char hex[2 * VAULT_ID_BYTES + 1];
	size_t i;

	tc_hex(vault_uuid(v), VAULT_ID_BYTES, hex);
	printf("mfa vault %s: %zu account%s\n", hex, d->n_entries,
	       d->n_entries == 1 ? "" : "s");
	es = calloc(d->n_entries + 1, sizeof(*es));
	ts = calloc(d->n_tombstones + 1, sizeof(*ts));
	if (es == NULL || ts == NULL) {
		free(es);
		free(ts);
		printf("<out of memory>\n");
		return;
	}
	for (i = 0; i < d->n_entries; i++)
		es[i] = &d->entries[i];
	qsort(es, d->n_entries, sizeof(*es), tc_by_id);
	for (i = 0; i < d->n_entries; i++)
		tc_entry(v, es[i]);
	if (d->n_tombstones > 0)
		memcpy(ts, d->tombstones, d->n_tombstones * sizeof(*ts));
	qsort(ts, d->n_tombstones, sizeof(*ts), tc_tomb_by_id);
	for (i = 0; i < d->n_tombstones; i++) {
		tc_hex(ts[i].id, VAULT_ID_BYTES, hex);
		printf("removed %s\n", hex);
		tc_time("at", ts[i].deleted);
	}
	/* The cache is this machine's: how much, never what. */
	if (d->n_kv > 0)
		printf("cache: %zu session%s <redacted>\n", d->n_kv,
		       d->n_kv == 1 ? "" : "s");
	free(es);
	free(ts);
}

static int
cmd_textconv_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *path = unlock_path(ctx), *why = NULL;
	uint8_t key[VAULT_KEY_BYTES];
	struct sync_buf b = {0};
	struct vault *v = NULL;
	int rc;

	if ((rc = sync_read_file(a->argv[0], &b)) != 0)
		return cli_fail(ctx, rc, "textconv: %s", a->argv[0]);
	if (path == NULL)
		path = a->argv[0];
	rc = vault_open_mem(path, (const uint8_t *)b.p, b.len, &v);
	sync_buf_free(&b);
	if (rc == MFA_EVAULT_MAGIC)
		why = "<not an mfa vault>";
	else if (rc == MFA_EVAULT_VERSION)
		why = "<vault of a newer format>";
	else if (rc != 0)
		why = "<vault corrupt or truncated>";
	else if (ctx->no_cache || unlock_ttl() == 0 ||
		 vault_cache_get(v, key) != 0)
		why = "<vault locked>";
	else if (vault_unlock_key(v, key) != 0)
		why = "<vault under another key, or modified>";
	sodium_memzero(key, sizeof(key));
	if (why != NULL)
		printf("%s\n", why);
	else
		tc_print(v);
	vault_close(v);
	return 0;
}

static const struct mfa_pos cmd_textconv_pos[] = {
    {"FILE", VAL_FILE, NULL, 0},
    POS_END,
};

const struct mfa_cmd cmd_textconv_entry = {
    .name = "textconv",
    .summary = "the vault as redacted text, for git diff (set up by mfa sync "
	       "init)",
    .pos = cmd_textconv_pos,
    .flags = CMD_HIDDEN,
    .exec = cmd_textconv_exec,
};
