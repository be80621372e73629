/*
 * Sessions made from the vault's AWS keys: GetSessionToken with a fresh
 * code of the linked MFA device (the never-reuse-a-step record of step.c),
 * then a chain of roles, each cached in the vault's kv store like the
 * sessions of `mfa aws session`.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/keys.h"

/* AWS's cap on a session made by role chaining. */
#define KEYS_CHAIN_MAX 3600
#define KEYS_CONFIG_MAX (1024 * 1024)

static char *
keys_secret_dup(const uint8_t *s, size_t n)
{
	char *out;

	if ((out = sodium_malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

int
aws_key_load(const struct vault_data *d, const char *profile, struct aws_key *k)
{
	const struct vault_awskey *r;
	long i;

	memset(k, 0, sizeof(*k));
	if ((i = vault_awskey_find(d, profile)) < 0)
		return MFA_ENOTFOUND;
	r = &d->awskeys[i];
	memcpy(k->id, r->id, VAULT_ID_BYTES);
	k->secret_len = r->secret_len;
	if ((k->profile = strdup(r->profile)) == NULL ||
	    (k->akid = strdup(r->access_key_id)) == NULL ||
	    (k->serial = strdup(r->serial)) == NULL ||
	    (k->region = strdup(r->region)) == NULL ||
	    (k->arn = strdup(r->arn)) == NULL ||
	    (k->pending_id = strdup(r->pending_id)) == NULL ||
	    (k->secret = keys_secret_dup(r->secret, r->secret_len)) == NULL ||
	    (r->pending_secret != NULL &&
	     (k->pending_secret = keys_secret_dup(
		  r->pending_secret, r->pending_secret_len)) == NULL)) {
		aws_key_clear(k);
		return MFA_ENOMEM;
	}
	k->pending_secret_len = r->pending_secret ? r->pending_secret_len : 0;
	return 0;
}

void
aws_key_clear(struct aws_key *k)
{
	free(k->profile);
	free(k->akid);
	free(k->serial);
	free(k->region);
	free(k->arn);
	free(k->pending_id);
	if (k->secret != NULL)
		sodium_free(k->secret);
	if (k->pending_secret != NULL)
		sodium_free(k->pending_secret);
	memset(k, 0, sizeof(*k));
}

void
aws_key_signer(const struct aws_key *k, struct aws_signer *s)
{
	s->akid = k->akid;
	s->secret = (const uint8_t *)k->secret;
	s->secret_len = k->secret_len;
	s->token = NULL;
}

/* The profile's "region" in the AWS CLI's config file, into out. */
static bool
keys_config_region(const char *profile, char *out, size_t len)
{
	const char *f = getenv("AWS_CONFIG_FILE"), *home = getenv("HOME");
	char path[PATH_MAX], want[300], *text;
	struct aws_ini_line l;
	struct stat st;
	size_t pos = 0;
	ssize_t got;
	bool in = false, found = false;
	int fd;

	if (f != NULL && f[0] == '~' && f[1] == '/' && home != NULL)
		snprintf(path, sizeof(path), "%s%s", home, f + 1);
	else if (f != NULL && f[0] != '\0')
		snprintf(path, sizeof(path), "%s", f);
	else if (home != NULL)
		snprintf(path, sizeof(path), "%s/.aws/config", home);
	else
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > KEYS_CONFIG_MAX ||
	    (text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return false;
	}
	got = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (got < 0) {
		free(text);
		return false;
	}
	if (strcmp(profile, "default") == 0)
		snprintf(want, sizeof(want), "default");
	else
		snprintf(want, sizeof(want), "profile %s", profile);
	while (!found && aws_ini_next(text, (size_t)got, &pos, &l)) {
		if (l.kind == AWS_INI_SECTION)
			in = l.name_len == strlen(want) &&
			     memcmp(l.name, want, l.name_len) == 0;
		else if (in && l.kind == AWS_INI_KEY &&
			 aws_ini_is(l.name, l.name_len, "region") &&
			 l.val_len > 0 && l.val_len < len) {
			memcpy(out, l.val, l.val_len);
			out[l.val_len] = '\0';
			found = true;
		}
	}
	free(text);
	return found;
}

void
aws_keys_region(const char *explicit_region, const struct aws_key *k, char *out,
		size_t len)
{
	const char *r = explicit_region;

	if (r == NULL || r[0] == '\0')
		r = getenv("AWS_REGION");
	if (r == NULL || r[0] == '\0')
		r = getenv("AWS_DEFAULT_REGION");
	if ((r == NULL || r[0] == '\0') && k != NULL && k->region != NULL)
		r = k->region;
	if (r != NULL && r[0] != '\0') {
		snprintf(out, len, "%s", r);
		return;
	}
	if (k != NULL && keys_config_region(k->profile, out, len))
		return;
	snprintf(out, len, "us-east-1");
}

long
aws_keys_entry_by_serial(const struct vault_data *d, const char *serial)
{
	size_t i;

	if (serial == NULL || serial[0] == '\0')
		return -1;
	for (i = 0; i < d->n_entries; i++)
		if (strcmp(d->entries[i].serial, serial) == 0)
			return (long)i;
	return -1;
}

char *
aws_keys_cache_prefix(const uint8_t id[VAULT_ID_BYTES], const char *akid)
{
	char hex[2 * VAULT_ID_BYTES + 1], *out;

	sodium_bin2hex(hex, sizeof(hex), id, VAULT_ID_BYTES);
	if (asprintf(&out, "aws-keys:%s:%s:", hex, akid) < 0)
		return NULL;
	return out;
}

/* prefix + "roles:" + serial + every role: the chain's cache key. */
static char *
keys_chain_key(const char *prefix, const char *serial,
	       const struct aws_keys_req *r)
{
	size_t n = strlen(prefix) + strlen(serial) + 32, i;
	char *k;

	for (i = 0; i < r->n_roles; i++)
		n += strlen(r->roles[i]) + 1;
	if (r->role_session_name != NULL)
		n += strlen(r->role_session_name) + 1;
	if ((k = malloc(n)) == NULL)
		return NULL;
	snprintf(k, n, "%sroles:%s:", prefix, serial);
	for (i = 0; i < r->n_roles; i++) {
		if (i > 0)
			strcat(k, ",");
		strcat(k, r->roles[i]);
	}
	if (r->role_session_name != NULL) {
		strcat(k, "/");
		strcat(k, r->role_session_name);
	}
	return k;
}

static int
keys_from_value(const uint8_t *value, size_t len, struct aws_creds *c)
{
	json_t *o;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((o = json_loadb((const char *)value, len, 0, NULL)) == NULL)
		return MFA_EPARSE;
	rc = aws_creds_from_json(o, c);
	json_decref(o);
	return rc;
}

/* A valid cached session under key, copied out; false when none. */
static bool
keys_cached(struct aws_ctx *a, struct vault *v, const char *key,
	    struct aws_creds *c)
{
	const struct vault_kv *kv =
	    vault_kv_get(vault_data(v), key, aws_now(a));

	return kv != NULL && keys_from_value(kv->value, kv->value_len, c) == 0;
}

struct keys_store {
	const char *key;
	const char *value;
	size_t len;
	int64_t expires;
};

static int
keys_store_edit(struct vault_data *d, void *arg)
{
	struct keys_store *s = arg;

	return vault_kv_set(d, s->key, (const uint8_t *)s->value, s->len,
			    s->expires);
}

/* Cache c under key; a failure is said, not fatal. */
static void
keys_cache(struct aws_ctx *a, struct vault *v, const char *key,
	   const struct aws_creds *c)
{
	struct keys_store s;
	char *value = NULL, msg[AWS_ERR_MAX + 64];
	size_t len;
	int rc;

	s.expires = c->expiration - AWS_CACHE_MARGIN;
	if (s.expires <= aws_now(a))
		return;
	if ((rc = aws_format_creds(c, AWS_FMT_PROCESS, &value, &len)) == 0) {
		s.key = key;
		s.value = value;
		s.len = len;
		rc = vault_update(v, keys_store_edit, &s);
		sodium_free(value);
	}
	if (rc != 0 && a->notice != NULL) {
		snprintf(msg, sizeof(msg),
			 "could not cache the session in the vault: %s",
			 mfa_strerror(rc));
		a->notice(a->notice_arg, msg);
	}
}

/* mfa-<profile>-<unix time>, in the characters AWS allows, at most 64. */
static void
keys_session_name(const char *profile, int64_t now, char *out, size_t len)
{
	char name[44];
	size_t i;

	snprintf(name, sizeof(name), "%s", profile);
	for (i = 0; name[i] != '\0'; i++)
		if (strchr("_+=,.@-", name[i]) == NULL &&
		    !((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			name[i] = '-';
	snprintf(out, len, "mfa-%s-%lld", name, (long long)now);
}

static void
keys_signer_of(const struct aws_creds *c, struct aws_signer *s)
{
	s->akid = c->access_key_id;
	s->secret = (const uint8_t *)c->secret_access_key;
	s->secret_len = strlen(c->secret_access_key);
	s->token = c->session_token;
}

/* The base session: GetSessionToken with the key itself. */
static int
keys_base(struct aws_ctx *a, struct vault *v, const struct aws_key *k,
	  const struct aws_keys_req *r, const char *key,
	  struct aws_keys_res *res, struct aws_creds *base)
{
	const struct vault_data *d = vault_data(v);
	uint64_t dur = r->n_roles == 0 ? r->duration : 0;
	uint8_t id[VAULT_ID_BYTES];
	struct aws_signer s;
	struct aws_take t;
	long idx;
	int rc;

	memset(&t, 0, sizeof(t));
	aws_key_signer(k, &s);
	if (k->serial[0] == '\0') {
		if (!r->no_cache && keys_cached(a, v, key, base)) {
			res->cached = true;
			return 0;
		}
		if ((rc = aws_sts_session_token(a, &s, NULL, NULL, dur,
						base)) != 0)
			return rc;
		if (!r->no_cache)
			keys_cache(a, v, key, base);
		return 0;
	}
	if ((idx = aws_keys_entry_by_serial(d, k->serial)) < 0) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the MFA device %.200s linked to the key is not in "
			 "the vault",
			 k->serial);
		return MFA_ENOTFOUND;
	}
	snprintf(res->serial, sizeof(res->serial), "%s", k->serial);
	res->mfa = true;
	/* The vault's data is replaced by the update: keep the id apart. */
	memcpy(id, d->entries[idx].id, sizeof(id));
	t.id = id;
	t.count = 1;
	t.cache_key = r->no_cache ? NULL : key;
	/* Taken under the vault lock: a valid cached session, else a code of
	 * a step never sent before (recorded before AWS is called). */
	if ((rc = aws_step_take(a, v, &t)) != 0)
		return rc;
	if (t.cached) {
		rc = keys_from_value(t.value, t.value_len, base);
		aws_take_clear(&t);
		res->cached = rc == 0;
		return rc;
	}
	res->step = t.first;
	rc = aws_sts_session_token(a, &s, k->serial, t.code[0], dur, base);
	aws_take_clear(&t);
	if (rc != 0)
		return rc;
	if (!r->no_cache)
		keys_cache(a, v, key, base);
	return 0;
}

int
aws_keys_creds(struct aws_ctx *a, struct vault *v, const struct aws_keys_req *r,
	       struct aws_keys_res *res)
{
	struct aws_creds base, next;
	struct aws_signer s;
	struct aws_key k;
	char *prefix = NULL, *bkey = NULL, *ckey = NULL, name[80], msg[256];
	uint64_t dur;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&base, 0, sizeof(base));
	a->err.why[0] = '\0';
	if ((rc = aws_key_load(vault_data(v), r->profile, &k)) != 0) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "no AWS key for profile '%.200s' in the vault (mfa "
			 "aws keys add or import)",
			 r->profile);
		return rc;
	}
	if ((prefix = aws_keys_cache_prefix(k.id, k.akid)) == NULL ||
	    /* The device is part of the key: a session made before a device
	     * was linked is not an MFA session. */
	    asprintf(&bkey, "%sbase:%s", prefix, k.serial) < 0 ||
	    (r->n_roles > 0 &&
	     (ckey = keys_chain_key(prefix, k.serial, r)) == NULL)) {
		bkey = NULL;
		rc = MFA_ENOMEM;
		goto out;
	}
	if (r->n_roles > 0 && !r->no_cache &&
	    keys_cached(a, v, ckey, &res->creds)) {
		res->cached = true;
		res->mfa = k.serial[0] != '\0';
		goto out;
	}
	if ((rc = keys_base(a, v, &k, r, bkey, res, &base)) != 0)
		goto out;
	if (r->n_roles == 0) {
		res->creds = base;
		memset(&base, 0, sizeof(base));
		goto out;
	}
	res->cached = false;
	for (i = 0; i < r->n_roles; i++) {
		dur = r->duration;
		/* From the second role on it is role chaining. */
		if (i > 0 && dur > KEYS_CHAIN_MAX) {
			dur = KEYS_CHAIN_MAX;
			if (res->capped == 0 && a->notice != NULL) {
				snprintf(msg, sizeof(msg),
					 "AWS caps a chained role session at "
					 "one hour: --duration %llu is "
					 "lowered to %d for the roles after "
					 "the first",
					 (unsigned long long)r->duration,
					 KEYS_CHAIN_MAX);
				a->notice(a->notice_arg, msg);
			}
			res->capped = KEYS_CHAIN_MAX;
		}
		if (r->role_session_name != NULL)
			snprintf(name, sizeof(name), "%s",
				 r->role_session_name);
		else
			keys_session_name(r->profile, aws_now(a), name,
					  sizeof(name));
		keys_signer_of(&base, &s);
		rc = aws_sts_assume_role(a, &s, r->roles[i], name, NULL, NULL,
					 dur, &next);
		aws_creds_clear(&base);
		if (rc != 0)
			goto out;
		base = next;
	}
	res->creds = base;
	memset(&base, 0, sizeof(base));
	if (!r->no_cache)
		keys_cache(a, v, ckey, &res->creds);
out:
	aws_creds_clear(&base);
	if (rc != 0)
		aws_creds_clear(&res->creds);
	aws_key_clear(&k);
	free(prefix);
	free(bkey);
	free(ckey);
	return rc;
}
