/*
 * STS sessions: `sts get-session-token` or `sts assume-role` with the
 * account's serial and a fresh code, the result cached (encrypted, in the
 * vault's kv store) until shortly before it expires, so that every
 * credential_process call of a day costs one code, not one each.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

void
aws_creds_clear(struct aws_creds *c)
{
	if (c == NULL)
		return;
	if (c->access_key_id != NULL)
		sodium_free(c->access_key_id);
	if (c->secret_access_key != NULL)
		sodium_free(c->secret_access_key);
	if (c->session_token != NULL)
		sodium_free(c->session_token);
	memset(c, 0, sizeof(*c));
}

static int
session_str(const json_t *o, const char *name, char **out)
{
	const json_t *s = json_object_get(o, name);
	size_t n;

	if (!json_is_string(s) || (n = json_string_length(s)) == 0)
		return MFA_EPARSE;
	if ((*out = sodium_malloc(n + 1)) == NULL)
		return MFA_ENOMEM;
	memcpy(*out, json_string_value(s), n);
	(*out)[n] = '\0';
	/* An embedded NUL would cut a key short without anyone noticing. */
	if (strlen(*out) != n)
		return MFA_EPARSE;
	/* A newline would add lines to a credentials file (a hostile
	 * endpoint's "[base]" section), an escape would reach a terminal. */
	for (; n > 0; n--)
		if ((unsigned char)(*out)[n - 1] < 0x20 ||
		    (*out)[n - 1] == 0x7f)
			return MFA_EINVAL;
	return 0;
}

int
aws_creds_from_json(const json_t *o, struct aws_creds *c)
{
	const json_t *exp;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o))
		return MFA_EPARSE;
	if ((rc = session_str(o, "AccessKeyId", &c->access_key_id)) != 0 ||
	    (rc = session_str(o, "SecretAccessKey", &c->secret_access_key)) !=
		0 ||
	    (rc = session_str(o, "SessionToken", &c->session_token)) != 0)
		goto fail;
	exp = json_object_get(o, "Expiration");
	/* The CLI prints ISO-8601; cli_timestamp_format = none gives a
	 * number of seconds. */
	if (json_is_string(exp))
		rc = aws_format_time_parse(json_string_value(exp),
					   &c->expiration);
	else if (json_is_integer(exp))
		c->expiration = (int64_t)json_integer_value(exp);
	else if (json_is_real(exp) && json_real_value(exp) > 0 &&
		 json_real_value(exp) < 1e12)
		/* In range before the cast: out of range is undefined. */
		c->expiration = (int64_t)json_real_value(exp);
	else
		rc = MFA_EPARSE;
	if (rc == 0)
		return 0;
	rc = MFA_EPARSE;
fail:
	aws_creds_clear(c);
	return rc;
}

/* One field of a cache key: "-" when absent, else "<length>:<bytes>". */
static size_t
session_key_field(char *out, size_t cap, const char *v)
{
	int n;

	if (v == NULL)
		n = snprintf(out, cap, ":-");
	else
		n = snprintf(out, cap, ":%zu:%s", strlen(v), v);
	return n < 0 ? cap : (size_t)n;
}

/*
 * "aws-session2:<account id hex>" and the role, the role session name and
 * the profile, each length-prefixed: no two requests share a key, whatever
 * ':' or '/' their names hold. (The old "aws-session:" keys, which plain
 * concatenation made ambiguous, are never read again; they expire.)
 */
char *
aws_session_key(const uint8_t id[VAULT_ID_BYTES], const char *role_arn,
		const char *role_session_name, const char *profile)
{
	const char *f[3] = {role_arn, role_session_name, profile};
	char hex[2 * VAULT_ID_BYTES + 1], *key;
	size_t n = sizeof("aws-session2:") + sizeof(hex), o, i;

	sodium_bin2hex(hex, sizeof(hex), id, VAULT_ID_BYTES);
	for (i = 0; i < 3; i++)
		n += (f[i] != NULL ? strlen(f[i]) : 0) + 24;
	if ((key = malloc(n)) == NULL)
		return NULL;
	o = (size_t)snprintf(key, n, "aws-session2:%s", hex);
	for (i = 0; i < 3 && o < n; i++)
		o += session_key_field(key + o, n - o, f[i]);
	return key;
}

/* The profile the AWS CLI will use: --profile, else $AWS_PROFILE. */
static const char *
session_profile(const struct aws_ctx *a)
{
	char *const *e;

	if (a->profile != NULL)
		return a->profile;
	for (e = a->env; e != NULL && *e != NULL; e++)
		if (strncmp(*e, "AWS_PROFILE=", 12) == 0)
			return *e + 12;
	return "";
}

/* A cached session, and when its MFA authentication was (0: unknown,
 * as in sessions cached before it was kept). */
static int
session_from_value(const uint8_t *value, size_t len, struct aws_creds *c,
		   int64_t *mfa_time)
{
	const char *t;
	json_t *o;
	int rc;

	*mfa_time = 0;
	if ((o = json_loadb((const char *)value, len, 0, NULL)) == NULL)
		return MFA_EPARSE;
	rc = aws_creds_from_json(o, c);
	t = json_string_value(json_object_get(o, "MfaAuthTime"));
	if (t != NULL && aws_format_time_parse(t, mfa_time) != 0)
		*mfa_time = 0;
	json_decref(o);
	return rc;
}

int
aws_session_add_time(char **text, size_t *len, int64_t t)
{
	char iso[AWS_TIME_MAX], *end, *out;
	bool indented;
	size_t head, n;

	if (aws_format_time(t, iso) != 0 || (end = strrchr(*text, '}')) == NULL)
		return MFA_EINVAL;
	head = (size_t)(end - *text);
	/* JSON_INDENT(4) puts the closing brace on a line of its own. */
	indented = head > 0 && (*text)[head - 1] == '\n';
	if (indented)
		head--;
	n = head + strlen(iso) + 64;
	if ((out = sodium_malloc(n)) == NULL)
		return MFA_ENOMEM;
	memcpy(out, *text, head);
	snprintf(out + head, n - head, "%s\"MfaAuthTime\":%s\"%s\"%s%s",
		 indented ? ",\n    " : ",", indented ? " " : "", iso,
		 indented ? "\n}" : "}", end[1] == '\n' ? "\n" : "");
	sodium_free(*text);
	*text = out;
	*len = strlen(out);
	return 0;
}

/* mfa-<device>-<unix time>, in the characters AWS allows, at most 64. */
static void
session_default_name(const char *serial, int64_t now, char *out, size_t len)
{
	const char *dev = strrchr(serial, '/');
	char name[50];
	size_t i;

	dev = dev != NULL ? dev + 1 : serial;
	snprintf(name, sizeof(name), "%s", dev);
	for (i = 0; name[i] != '\0'; i++)
		if (strchr("_+=,.@-", name[i]) == NULL &&
		    !((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			name[i] = '-';
	snprintf(out, len, "mfa-%s-%lld", name, (long long)now);
}

struct session_store {
	const char *key;
	const char *value;
	size_t len;
	int64_t expires;
};

static int
session_store_edit(struct vault_data *d, void *arg)
{
	struct session_store *s = arg;

	return vault_kv_set(d, s->key, (const uint8_t *)s->value, s->len,
			    s->expires);
}

static void
session_cache(struct aws_ctx *a, struct vault *v, const char *key,
	      struct aws_session_res *res)
{
	struct session_store s;
	char *value = NULL, msg[AWS_ERR_MAX + 64];
	size_t len;
	int rc;

	s.expires = res->creds.expiration - AWS_CACHE_MARGIN;
	if (s.expires <= aws_now(a))
		return;
	if ((rc = aws_format_creds(&res->creds, AWS_FMT_PROCESS, &value,
				   &len)) == 0 &&
	    (rc = aws_session_add_time(&value, &len, res->mfa_time)) == 0) {
		s.key = key;
		s.value = value;
		s.len = len;
		rc = vault_update(v, session_store_edit, &s);
		sodium_free(value);
	}
	if (rc == 0) {
		res->cache_saved = true;
	} else if (a->notice != NULL) {
		snprintf(msg, sizeof(msg),
			 "could not cache the session in the vault: %s",
			 mfa_strerror(rc));
		a->notice(a->notice_arg, msg);
	}
}

/* Is a cached session's MFA authentication recent enough for r? */
static bool
session_young(struct aws_ctx *a, const struct aws_session_req *r,
	      int64_t mfa_time)
{
	return r->max_mfa_age == 0 ||
	       (mfa_time > 0 &&
		aws_now(a) - mfa_time <= (int64_t)r->max_mfa_age);
}

int
aws_session(struct aws_ctx *a, struct vault *v,
	    const uint8_t id[VAULT_ID_BYTES], const struct aws_session_req *r,
	    struct aws_session_res *res)
{
	const struct vault_data *d = vault_data(v);
	const struct vault_kv *kv;
	const struct vault_entry *e;
	const char *args[16];
	char dur[24], name[80], *key = NULL, *serial = NULL;
	struct aws_take t;
	json_t *out = NULL;
	size_t n = 0;
	long idx;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&t, 0, sizeof(t));
	a->err.why[0] = '\0';
	if (d == NULL)
		return MFA_EINVAL;
	if ((idx = vault_entry_find_id(d, id)) < 0)
		return MFA_ENOTFOUND;
	e = &d->entries[idx];
	if (e->serial[0] == '\0') {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the account has no AWS MFA serial");
		return MFA_EINVAL;
	}
	if ((serial = strdup(e->serial)) == NULL ||
	    (key = aws_session_key(id, r->role_arn, r->role_session_name,
				   session_profile(a))) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if (!r->no_cache && (kv = vault_kv_get(d, key, aws_now(a))) != NULL) {
		rc = session_from_value(kv->value, kv->value_len, &res->creds,
					&res->mfa_time);
		if (rc == 0 && session_young(a, r, res->mfa_time)) {
			res->cached = true;
			goto out;
		}
		aws_creds_clear(&res->creds);
	}
	t.id = id;
	t.count = 1;
	/* A cached session too old for max_mfa_age is replaced. */
	t.cache_key = r->no_cache || r->max_mfa_age > 0 ? NULL : key;
	if ((rc = aws_step_take(a, v, &t)) != 0)
		goto out;
	if (t.cached) {
		rc = session_from_value(t.value, t.value_len, &res->creds,
					&res->mfa_time);
		res->cached = rc == 0;
		goto out;
	}
	res->step = t.first;
	res->mfa_time = aws_now(a);
	if (r->role_arn != NULL) {
		if (r->role_session_name == NULL)
			session_default_name(serial, aws_now(a), name,
					     sizeof(name));
		args[n++] = "sts";
		args[n++] = "assume-role";
		args[n++] = "--role-arn";
		args[n++] = r->role_arn;
		args[n++] = "--role-session-name";
		args[n++] = r->role_session_name ? r->role_session_name : name;
	} else {
		args[n++] = "sts";
		args[n++] = "get-session-token";
	}
	args[n++] = "--serial-number";
	args[n++] = serial;
	/* The one secret-ish thing on argv: a one-time code, spent by this
	 * very call (its step is recorded, AWS refuses it a second time),
	 * and the AWS CLI takes --token-code nowhere else. */
	args[n++] = "--token-code";
	args[n++] = t.code[0];
	if (r->duration > 0) {
		snprintf(dur, sizeof(dur), "%llu",
			 (unsigned long long)r->duration);
		args[n++] = "--duration-seconds";
		args[n++] = dur;
	}
	args[n] = NULL;
	rc = aws_run(a, args, &out);
	aws_take_clear(&t);
	if (rc != 0)
		goto out;
	if ((rc = aws_creds_from_json(json_object_get(out, "Credentials"),
				      &res->creds)) != 0) {
		snprintf(
		    a->err.why, sizeof(a->err.why),
		    rc == MFA_EINVAL
			? "the AWS CLI returned credentials with a control "
			  "character in them: refused"
			: "the AWS CLI's output holds no usable "
			  "Credentials");
		rc = MFA_EPARSE;
		goto out;
	}
	if (!r->no_cache)
		session_cache(a, v, key, res);
out:
	aws_take_clear(&t);
	json_decref(out);
	free(key);
	free(serial);
	if (rc != 0)
		aws_creds_clear(&res->creds);
	return rc;
}
