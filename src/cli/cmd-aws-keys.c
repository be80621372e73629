/*
 * mfa aws keys add|import|list|show|rm: long-term AWS access keys in the
 * vault, instead of in plaintext in ~/.aws/credentials. Every key is
 * checked with GetCallerIdentity before it is kept, and linked to the MFA
 * device (an account's serial) its sessions will use.
 *
 * Also the helpers the other key commands share (aws-keys.h).
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

#include "cli/aws-keys.h"

#define KEYS_FILE_MAX (1024 * 1024)
#define KEYS_INPUT_MAX 4096

/* --- shared helpers --------------------------------------------------- */

static void
keys_notice(void *arg, const char *msg)
{
	char line[600];
	int fd, n;

	(void)arg;
	if ((fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return;
	n = snprintf(line, sizeof(line), "mfa: %s\n", msg);
	if (n > 0)
		(void)!write(fd, line,
			     (size_t)n < sizeof(line) ? (size_t)n
						      : sizeof(line) - 1);
	close(fd);
}

void
keys_ctx(struct aws_ctx *x, const struct mfa_args *a, const struct aws_key *k,
	 char *region, size_t len)
{
	memset(x, 0, sizeof(*x));
	x->notice = keys_notice;
	aws_keys_region(args_get(a, OPT_REGION), k, region, len);
	x->region = region;
}

int
keys_fail(struct mfa_ctx *ctx, int rc, const struct aws_ctx *x,
	  const char *what)
{
	if (x->err.why[0] != '\0')
		return cli_failx(ctx, rc, "%s: %s", what, x->err.why);
	return cli_fail(ctx, rc, "%s", what);
}

int
keys_write(struct mfa_ctx *ctx, const char *p, size_t len)
{
	ssize_t w;

	if (fflush(stdout) != 0)
		return cli_fail(ctx, MFA_EIO, "cannot write output");
	while (len > 0) {
		w = write(STDOUT_FILENO, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cli_fail(ctx, MFA_EIO, "cannot write output");
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
keys_session(struct mfa_ctx *ctx, const struct mfa_args *a, struct vault *v,
	     struct aws_ctx *x, const char *profile, struct aws_keys_res *res)
{
	const char *roles[16];
	struct aws_keys_req r;
	char what[300];
	int rc;

	memset(&r, 0, sizeof(r));
	r.profile = profile;
	while ((roles[r.n_roles] = args_nth(a, OPT_ROLE_ARN, (int)r.n_roles)) !=
	       NULL)
		if (++r.n_roles == sizeof(roles) / sizeof(roles[0]))
			return cli_usage(ctx, "at most %zu --role-arn",
					 r.n_roles - 1);
	r.roles = roles;
	if (args_has(a, OPT_ROLE_SESSION_NAME) && r.n_roles == 0)
		return cli_usage(ctx, "--role-session-name goes with "
				      "--role-arn");
	if ((rc = args_uint(ctx, a, OPT_DURATION, 900, 129600, &r.duration)) !=
	    0)
		return rc;
	r.role_session_name = args_get(a, OPT_ROLE_SESSION_NAME);
	r.no_cache = ctx->no_cache;
	snprintf(what, sizeof(what), "session for profile %s",
		 util_clean(profile));
	if ((rc = aws_keys_creds(x, v, &r, res)) != 0) {
		if (rc == MFA_EAWS &&
		    strstr(x->err.why, "MultiFactorAuthentication") != NULL)
			snprintf(x->err.why + strlen(x->err.why),
				 sizeof(x->err.why) - strlen(x->err.why),
				 " (is the device enabled for this IAM "
				 "user, and the system clock right?)");
		return keys_fail(ctx, rc, x, what);
	}
	return 0;
}

/* Is path the same file as the `mfa` that PATH finds? */
static bool
keys_in_path(const char *self)
{
	const char *path = getenv("PATH"), *p, *colon;
	char cand[PATH_MAX], real[PATH_MAX];
	size_t dl;

	for (p = path; p != NULL && *p != '\0'; p = colon ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		dl = colon ? (size_t)(colon - p) : strlen(p);
		if (dl == 0 || dl + 5 >= sizeof(cand))
			continue;
		snprintf(cand, sizeof(cand), "%.*s/mfa", (int)dl, p);
		if (access(cand, X_OK) == 0) {
			if (realpath(cand, real) != NULL &&
			    strcmp(real, self) == 0)
				return true;
			return false;
		}
	}
	return false;
}

int
keys_mfa_word(struct mfa_ctx *ctx, char *out, size_t len)
{
	char self[PATH_MAX], *q = NULL, *vq = NULL;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || keys_in_path((self[n] = '\0', self)))
		snprintf(self, sizeof(self), "mfa");
	if ((q = aws_format_shell_quote(self)) == NULL)
		return MFA_ENOMEM;
	/* A vault named on the command line is named in the config too. */
	if (ctx->vault_path != NULL && ctx->vault_path_alloc == NULL &&
	    (vq = aws_format_shell_quote(ctx->vault_path)) == NULL) {
		free(q);
		return MFA_ENOMEM;
	}
	snprintf(out, len, "%s%s%s", q, vq ? " --vault " : "", vq ? vq : "");
	free(q);
	free(vq);
	return 0;
}

/* --- linking a key to an MFA device -------------------------------------
 */

/*
 * The serial a key of user ARN arn goes with: --account QUERY's, else the
 * one device in the vault of the same AWS account (several: the one named
 * after the user). "" when none; *why says why none was taken.
 */
static int
keys_link(struct mfa_ctx *ctx, const struct mfa_args *a,
	  const struct vault_data *d, const char *arn, char *serial, size_t len,
	  const char **why)
{
	char acct[32], sacct[32], want[200];
	const char *user = aws_arn_user(arn), *dev;
	size_t i, idx, n = 0, named = 0, pick = 0, pick_named = 0;
	int rc;

	serial[0] = '\0';
	*why = NULL;
	if (args_has(a, OPT_ACCOUNT)) {
		if ((rc = query_resolve(ctx, d, args_get(a, OPT_ACCOUNT),
					&idx)) != 0)
			return rc;
		if (d->entries[idx].serial[0] == '\0')
			return cli_failx(
			    ctx, MFA_EINVAL,
			    "account %s has no AWS MFA serial (attach one "
			    "with 'mfa edit QUERY --serial ARN')",
			    util_label(d->entries[idx].issuer,
				       d->entries[idx].name));
		snprintf(serial, len, "%s", d->entries[idx].serial);
		return 0;
	}
	aws_arn_account(arn, acct, sizeof(acct));
	snprintf(want, sizeof(want), "mfa/%s", user ? user : "");
	for (i = 0; i < d->n_entries; i++) {
		if (d->entries[i].serial[0] == '\0')
			continue;
		aws_arn_account(d->entries[i].serial, sacct, sizeof(sacct));
		if (acct[0] == '\0' || strcmp(acct, sacct) != 0)
			continue;
		n++;
		pick = i;
		dev = strstr(d->entries[i].serial, ":mfa/");
		if (user != NULL && dev != NULL && strcmp(dev + 1, want) == 0) {
			named++;
			pick_named = i;
		}
	}
	if (n == 1)
		snprintf(serial, len, "%s", d->entries[pick].serial);
	else if (named == 1)
		snprintf(serial, len, "%s", d->entries[pick_named].serial);
	else if (n == 0)
		*why = "no MFA device of its AWS account is in the vault";
	else
		*why = "several MFA devices of its AWS account are in the "
		       "vault (choose one with --account)";
	return 0;
}

/* --- reading a key ------------------------------------------------------ */

static bool
keys_profile_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 200)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '[' || *s == ']' || (unsigned char)*s < 0x20 ||
		    *s == 0x7f)
			return false;
	return true;
}

/* Trim blanks at both ends of s in place; its new length. */
static size_t
keys_trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
			 s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
	return n - i;
}

/* The key id and secret: hidden prompts on a terminal, else two lines of
 * stdin. Both sodium_malloc'd. */
static int
keys_read(struct mfa_ctx *ctx, char **akid, char **secret)
{
	char *all = NULL, *nl;
	size_t len = 0, n;
	int rc;

	*akid = *secret = NULL;
	if (isatty(STDIN_FILENO)) {
		if ((rc = tty_read_secret("AWS access key id: ", akid, &n)) !=
			0 ||
		    (rc = tty_read_secret("AWS secret access key: ", secret,
					  &n)) != 0)
			goto fail;
	} else {
		if ((rc = secret_read_fd(STDIN_FILENO, KEYS_INPUT_MAX, &all,
					 &len)) != 0)
			goto fail;
		nl = memchr(all, '\n', len);
		if (nl == NULL) {
			rc = cli_failx(ctx, MFA_EPARSE,
				       "standard input: want two lines, the "
				       "access key id and the secret access "
				       "key");
			goto out;
		}
		n = (size_t)(nl - all);
		if ((*akid = sodium_malloc(n + 1)) == NULL ||
		    (*secret = sodium_malloc(len - n)) == NULL) {
			rc = MFA_ENOMEM;
			goto fail;
		}
		memcpy(*akid, all, n);
		(*akid)[n] = '\0';
		memcpy(*secret, nl + 1, len - n - 1);
		(*secret)[len - n - 1] = '\0';
		if ((nl = strchr(*secret, '\n')) != NULL)
			*nl = '\0';
	}
	keys_trim(*akid);
	keys_trim(*secret);
	if ((*akid)[0] == '\0' || (*secret)[0] == '\0') {
		rc = cli_failx(ctx, MFA_EPARSE,
			       "an access key id and a secret access key are "
			       "needed");
		goto out;
	}
	rc = 0;
	goto out;
fail:
	rc = cli_fail(ctx, rc, "reading the access key");
out:
	if (all != NULL)
		sodium_free(all);
	if (rc != 0) {
		if (*akid != NULL)
			sodium_free(*akid);
		if (*secret != NULL)
			sodium_free(*secret);
		*akid = *secret = NULL;
	}
	return rc;
}

/* Does the key work? Its caller's identity, or the error recorded. */
static int
keys_check(struct mfa_ctx *ctx, const struct mfa_args *a, const char *profile,
	   const char *akid, const char *secret, struct aws_identity *id)
{
	struct aws_signer s = {akid, (const uint8_t *)secret, strlen(secret),
			       NULL};
	char region[64], what[300];
	struct aws_ctx x;
	int rc;

	keys_ctx(&x, a, NULL, region, sizeof(region));
	if ((rc = aws_sts_identity(&x, &s, id)) != 0) {
		/* AWS's refusal says the key is bad; anything else only that
		 * it could not be checked. */
		snprintf(what, sizeof(what),
			 rc == MFA_EAWS ? "profile %s: the key %s does not work"
					: "profile %s: checking the key %s",
			 util_clean(profile), util_clean(akid));
		return keys_fail(ctx, rc, &x, what);
	}
	return 0;
}

/* --- storing ---------------------------------------------------------- */

struct keys_new {
	const char *profile, *akid, *secret, *serial, *region, *arn;
};

/* Drop every cached session of the key record id. */
static int
keys_drop_sessions(struct vault_data *d, const uint8_t id[VAULT_ID_BYTES])
{
	char hex[2 * VAULT_ID_BYTES + 1], prefix[64], *key;
	size_t i, plen;

	sodium_bin2hex(hex, sizeof(hex), id, VAULT_ID_BYTES);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "aws-keys:%s:", hex);
	for (i = d->n_kv; i > 0; i--) {
		if (strncmp(d->kv[i - 1].key, prefix, plen) != 0)
			continue;
		if ((key = strdup(d->kv[i - 1].key)) == NULL)
			return MFA_ENOMEM;
		vault_kv_del(d, key);
		free(key);
	}
	return 0;
}

struct keys_store {
	const struct keys_new *k;
	size_t n;
	bool force;
	int64_t now;
	const char *clash; /* out: a profile already in the vault */
};

static int
keys_store_edit(struct vault_data *d, void *arg)
{
	struct keys_store *s = arg;
	struct vault_awskey r;
	size_t i;
	long at;
	int rc;

	for (i = 0; i < s->n; i++) {
		const struct keys_new *k = &s->k[i];

		memset(&r, 0, sizeof(r));
		r.profile = (char *)k->profile;
		r.access_key_id = (char *)k->akid;
		r.secret = (uint8_t *)k->secret;
		r.secret_len = strlen(k->secret);
		r.serial = (char *)k->serial;
		r.region = (char *)k->region;
		r.arn = (char *)k->arn;
		r.created = r.updated = s->now;
		if ((at = vault_awskey_find(d, k->profile)) >= 0) {
			if (!s->force) {
				s->clash = k->profile;
				return MFA_EEXIST;
			}
			memcpy(r.id, d->awskeys[at].id, VAULT_ID_BYTES);
			r.created = d->awskeys[at].created;
			/* Sessions of the key it replaces go. */
			if ((rc = keys_drop_sessions(d, r.id)) != 0)
				return rc;
			rc = vault_awskey_set(d, (size_t)at, &r);
		} else {
			vault_awskey_new_id(r.id);
			rc = vault_awskey_add(d, &r);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
keys_store(struct mfa_ctx *ctx, struct vault *v, const struct keys_new *k,
	   size_t n, bool force)
{
	struct keys_store s = {k, n, force, util_now(), NULL};
	int rc;

	rc = vault_update(v, keys_store_edit, &s);
	if (rc == MFA_EEXIST && s.clash != NULL)
		return cli_failx(ctx, rc,
				 "profile %s already has a key in the vault "
				 "(--force replaces it)",
				 util_clean(s.clash));
	if (rc == MFA_EINVAL)
		return cli_failx(ctx, rc,
				 "not a usable key: an access key id is 16 to "
				 "128 letters and digits, a secret 1 to 256 "
				 "printable characters");
	if (rc != 0)
		return cli_fail(ctx, rc, "saving the key in the vault");
	return 0;
}

/* The lines that make the AWS CLI use the vault's key for profile. */
static int
keys_config_lines(struct mfa_ctx *ctx, const char *profile, const char *extra)
{
	char word[PATH_MAX + 64], *q;
	int rc;

	if ((rc = keys_mfa_word(ctx, word, sizeof(word))) != 0)
		return cli_fail(ctx, rc, "output");
	if ((q = aws_format_shell_quote(profile)) == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "output");
	if (strcmp(profile, "default") == 0)
		printf("[default]\n");
	else
		printf("[profile %s]\n", profile);
	printf("%scredential_process = %s aws creds %s\n", extra ? extra : "",
	       word, q);
	free(q);
	return 0;
}

static void
keys_say_link(const char *profile, const char *serial, const char *why)
{
	if (serial[0] != '\0')
		fprintf(stderr, "profile %s: sessions use the MFA device %s\n",
			util_clean(profile), util_clean(serial));
	else
		fprintf(stderr,
			"profile %s: sessions are NOT MFA-authenticated: %s\n",
			util_clean(profile), why ? why : "no MFA device");
}

/* --- keys add ------------------------------------------------------------
 */

static int
cmd_keys_add(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *profile = a->argv[0], *why = NULL;
	struct aws_identity id;
	struct keys_new k;
	struct vault *v;
	char *akid = NULL, *secret = NULL, serial[256];
	int rc;

	memset(&id, 0, sizeof(id));
	if (!keys_profile_ok(profile))
		return cli_usage(ctx,
				 "'%s' cannot be a profile name (no [, ] or "
				 "control characters, at most 200 bytes)",
				 util_clean(profile));
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if (vault_awskey_find(vault_data(v), profile) >= 0 &&
	    !args_has(a, OPT_FORCE))
		return cli_failx(ctx, MFA_EEXIST,
				 "profile %s already has a key in the vault "
				 "(--force replaces it)",
				 util_clean(profile));
	if ((rc = keys_read(ctx, &akid, &secret)) != 0)
		return rc;
	if ((rc = keys_check(ctx, a, profile, akid, secret, &id)) != 0 ||
	    (rc = keys_link(ctx, a, vault_data(v), id.arn, serial,
			    sizeof(serial), &why)) != 0)
		goto out;
	memset(&k, 0, sizeof(k));
	k.profile = profile;
	k.akid = akid;
	k.secret = secret;
	k.serial = serial;
	k.region = args_get(a, OPT_REGION);
	k.arn = id.arn;
	if ((rc = keys_store(ctx, v, &k, 1, args_has(a, OPT_FORCE))) != 0)
		goto out;
	fprintf(stderr, "stored the key %s of %s for profile %s\n",
		util_clean(akid), util_clean(id.arn), util_clean(profile));
	keys_say_link(profile, serial, why);
	fprintf(stderr, "in ~/.aws/config:\n");
	rc = keys_config_lines(ctx, profile, NULL);
out:
	aws_identity_clear(&id);
	sodium_free(akid);
	sodium_free(secret);
	return rc;
}

/* --- keys import ----------------------------------------------------------
 */

/* A profile of the credentials file. */
struct keys_section {
	char name[256];
	size_t start, end; /* its bytes, header to next header */
	const char *akid, *secret;
	size_t akid_len, secret_len;
	bool token; /* holds a session token: not long-term keys */
	bool selected;
	char *extra;		 /* its other settings, for ~/.aws/config */
	char *akid_s, *secret_s; /* NUL terminated copies (sodium) */
	struct aws_identity id;
	char serial[256];
	const char *why;
	char region[64];
};

static int
keys_credpath(struct mfa_ctx *ctx, const struct mfa_args *a, char *out,
	      size_t len)
{
	const char *f = args_get(a, OPT_FROM), *home = getenv("HOME");
	int n;

	if (f == NULL || f[0] == '\0')
		f = getenv("AWS_SHARED_CREDENTIALS_FILE");
	if (f != NULL && f[0] == '~' && f[1] == '/' && home != NULL)
		n = snprintf(out, len, "%s%s", home, f + 1);
	else if (f != NULL && f[0] != '\0')
		n = snprintf(out, len, "%s", f);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, len, "%s/.aws/credentials", home);
	else
		return cli_fail(ctx, MFA_EINVAL,
				"credentials file (set HOME, "
				"AWS_SHARED_CREDENTIALS_FILE or --from)");
	if (n < 0 || (size_t)n >= len)
		return cli_fail(ctx, MFA_ETOOLONG, "credentials file path");
	return 0;
}

/* All of path into sodium_malloc'd memory (it holds keys). */
static int
keys_slurp(const char *path, char **out, size_t *len)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT	 ? MFA_ENOENT
		       : errno == EACCES ? MFA_EACCES
					 : MFA_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return MFA_ENOTREG;
	}
	if (st.st_size > KEYS_FILE_MAX) {
		close(fd);
		return MFA_ETOOBIG;
	}
	if ((*out = sodium_malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return MFA_ENOMEM;
	}
	while (n < (size_t)st.st_size) {
		r = read(fd, *out + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	(*out)[n] = '\0';
	*len = n;
	return 0;
}

static void
keys_sections_free(struct keys_section *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].extra);
		if (s[i].akid_s != NULL)
			sodium_free(s[i].akid_s);
		if (s[i].secret_s != NULL)
			sodium_free(s[i].secret_s);
		aws_identity_clear(&s[i].id);
	}
	free(s);
}

/* Append a line to a section's other settings. */
static int
keys_extra_add(struct keys_section *s, const char *p, size_t n)
{
	size_t old = s->extra ? strlen(s->extra) : 0;
	char *grown = realloc(s->extra, old + n + 2);

	if (grown == NULL)
		return MFA_ENOMEM;
	memcpy(grown + old, p, n);
	grown[old + n] = '\0';
	if (n == 0 || p[n - 1] != '\n')
		strcat(grown, "\n");
	s->extra = grown;
	return 0;
}

static int
keys_parse(const char *text, size_t len, struct keys_section **out,
	   size_t *nout)
{
	struct keys_section *s = NULL, *grown, *cur = NULL;
	struct aws_ini_line l;
	size_t n = 0, pos = 0, at;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	for (;;) {
		at = pos;
		if (!aws_ini_next(text, len, &pos, &l))
			break;
		if (l.kind == AWS_INI_SECTION) {
			if (cur != NULL)
				cur->end = at;
			if ((grown = realloc(s, (n + 1) * sizeof(*s))) ==
			    NULL) {
				rc = MFA_ENOMEM;
				break;
			}
			s = grown;
			cur = &s[n++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%.*s",
				 (int)l.name_len, l.name);
			cur->start = at;
			continue;
		}
		if (cur == NULL || l.kind != AWS_INI_KEY)
			continue;
		if (aws_ini_is(l.name, l.name_len, "aws_access_key_id")) {
			cur->akid = l.val;
			cur->akid_len = l.val_len;
		} else if (aws_ini_is(l.name, l.name_len,
				      "aws_secret_access_key")) {
			cur->secret = l.val;
			cur->secret_len = l.val_len;
		} else if (aws_ini_is(l.name, l.name_len,
				      "aws_session_token") ||
			   aws_ini_is(l.name, l.name_len,
				      "aws_security_token")) {
			cur->token = true;
		} else {
			if (aws_ini_is(l.name, l.name_len, "region") &&
			    l.val_len < sizeof(cur->region))
				snprintf(cur->region, sizeof(cur->region),
					 "%.*s", (int)l.val_len, l.val);
			if ((rc = keys_extra_add(cur, l.p, l.n)) != 0)
				break;
		}
	}
	if (cur != NULL)
		cur->end = len;
	if (rc != 0) {
		keys_sections_free(s, n);
		return rc;
	}
	*out = s;
	*nout = n;
	return 0;
}

static bool
keys_has_keys(const struct keys_section *s)
{
	return s->akid != NULL && s->secret != NULL && !s->token;
}

/* Which sections go: the named ones, else every one with keys. */
static int
keys_select(struct mfa_ctx *ctx, const struct mfa_args *a, const char *path,
	    struct keys_section *s, size_t n, size_t *count)
{
	size_t i;
	int k;

	*count = 0;
	for (k = 0; k < a->argc; k++) {
		for (i = 0; i < n; i++)
			if (strcmp(s[i].name, a->argv[k]) == 0)
				break;
		if (i == n)
			return cli_failx(ctx, MFA_ENOTFOUND,
					 "%s has no profile [%s]", path,
					 util_clean(a->argv[k]));
		if (s[i].token)
			return cli_failx(ctx, MFA_EINVAL,
					 "profile [%s] in %s holds session "
					 "credentials (aws_session_token), "
					 "not long-term keys",
					 util_clean(s[i].name), path);
		if (!keys_has_keys(&s[i]))
			return cli_failx(ctx, MFA_EINVAL,
					 "profile [%s] in %s has no "
					 "aws_access_key_id and "
					 "aws_secret_access_key",
					 util_clean(s[i].name), path);
		if (!s[i].selected)
			(*count)++;
		s[i].selected = true;
	}
	if (a->argc > 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (keys_has_keys(&s[i])) {
			s[i].selected = true;
			(*count)++;
		} else if (s[i].token) {
			fprintf(stderr,
				"left [%s] in %s: it holds session "
				"credentials, not long-term keys\n",
				util_clean(s[i].name), path);
		}
	}
	if (*count == 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "%s holds no long-term keys "
				 "(aws_access_key_id and "
				 "aws_secret_access_key)",
				 path);
	return 0;
}

static char *
keys_copy(const char *p, size_t n)
{
	char *c = sodium_malloc(n + 1);

	if (c != NULL) {
		memcpy(c, p, n);
		c[n] = '\0';
	}
	return c;
}

/* The file without the selected sections: every other byte kept. Blank
 * lines and comments that end a removed section stay (they often belong to
 * the section after it). */
static int
keys_without(const char *text, size_t len, const struct keys_section *s,
	     size_t n, char **out, size_t *outlen)
{
	struct aws_ini_line l;
	size_t i, o = 0, pos, keep_from, at;
	char *buf;

	if ((buf = sodium_malloc(len + 1)) == NULL)
		return MFA_ENOMEM;
	pos = 0;
	for (i = 0; i < n; i++) {
		if (!s[i].selected)
			continue;
		memcpy(buf + o, text + pos, s[i].start - pos);
		o += s[i].start - pos;
		/* The blank and comment lines that end the section stay. */
		keep_from = s[i].end;
		at = s[i].start;
		for (;;) {
			size_t line = at;

			if (!aws_ini_next(text, s[i].end, &at, &l))
				break;
			if (l.kind != AWS_INI_OTHER)
				keep_from = s[i].end;
			else if (keep_from == s[i].end)
				keep_from = line;
		}
		memcpy(buf + o, text + keep_from, s[i].end - keep_from);
		o += s[i].end - keep_from;
		pos = s[i].end;
	}
	memcpy(buf + o, text + pos, len - pos);
	o += len - pos;
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
}

/* Does the AWS CLI's config file have this profile's section already? */
static bool
keys_config_has(const char *profile)
{
	const char *f = getenv("AWS_CONFIG_FILE"), *home = getenv("HOME");
	char path[PATH_MAX], want[300], *text = NULL;
	struct aws_ini_line l;
	size_t len = 0, pos = 0;
	bool found = false;

	if (f != NULL && f[0] != '\0')
		snprintf(path, sizeof(path), "%s", f);
	else if (home != NULL)
		snprintf(path, sizeof(path), "%s/.aws/config", home);
	else
		return false;
	if (keys_slurp(path, &text, &len) != 0)
		return false;
	snprintf(want, sizeof(want), "%s%s",
		 strcmp(profile, "default") == 0 ? "" : "profile ", profile);
	while (!found && aws_ini_next(text, len, &pos, &l))
		found = l.kind == AWS_INI_SECTION &&
			l.name_len == strlen(want) &&
			memcmp(l.name, want, l.name_len) == 0;
	sodium_free(text);
	return found;
}

static int
cmd_keys_import(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct keys_section *s = NULL;
	struct keys_new *k = NULL;
	struct vault *v;
	char path[PATH_MAX], real[PATH_MAX], *text = NULL, *out = NULL;
	size_t len = 0, outlen = 0, n = 0, count = 0, i, j;
	int rc;

	if ((rc = keys_credpath(ctx, a, path, sizeof(path))) != 0)
		return rc;
	/* Rewrite through a symlink (dotfile managers), not over it. */
	if (realpath(path, real) == NULL)
		snprintf(real, sizeof(real), "%s", path);
	if ((rc = keys_slurp(real, &text, &len)) != 0)
		return cli_fail(ctx, rc, "%s", path);
	if ((rc = keys_parse(text, len, &s, &n)) != 0) {
		rc = cli_fail(ctx, rc, "%s", path);
		goto out;
	}
	if ((rc = keys_select(ctx, a, path, s, n, &count)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (s[i].selected && !keys_profile_ok(s[i].name)) {
			rc = cli_failx(ctx, MFA_EINVAL,
				       "[%s] in %s cannot be a profile name",
				       util_clean(s[i].name), path);
			goto out;
		}
	if ((rc = unlock_vault(ctx, &v)) != 0)
		goto out;
	for (i = 0; i < n && !args_has(a, OPT_FORCE); i++)
		if (s[i].selected &&
		    vault_awskey_find(vault_data(v), s[i].name) >= 0) {
			rc = cli_failx(ctx, MFA_EEXIST,
				       "profile %s already has a key in the "
				       "vault (--force replaces it)",
				       util_clean(s[i].name));
			goto out;
		}
	/* Every key is checked before anything changes. */
	for (i = 0; i < n; i++) {
		if (!s[i].selected)
			continue;
		if ((s[i].akid_s = keys_copy(s[i].akid, s[i].akid_len)) ==
			NULL ||
		    (s[i].secret_s = keys_copy(s[i].secret, s[i].secret_len)) ==
			NULL) {
			rc = cli_fail(ctx, MFA_ENOMEM, "import");
			goto out;
		}
		if ((rc = keys_check(ctx, a, s[i].name, s[i].akid_s,
				     s[i].secret_s, &s[i].id)) != 0 ||
		    (rc = keys_link(ctx, a, vault_data(v), s[i].id.arn,
				    s[i].serial, sizeof(s[i].serial),
				    &s[i].why)) != 0)
			goto out;
	}
	if ((k = calloc(count, sizeof(*k))) == NULL) {
		rc = cli_fail(ctx, MFA_ENOMEM, "import");
		goto out;
	}
	for (i = 0, j = 0; i < n; i++) {
		if (!s[i].selected)
			continue;
		k[j].profile = s[i].name;
		k[j].akid = s[i].akid_s;
		k[j].secret = s[i].secret_s;
		k[j].serial = s[i].serial;
		k[j].region = args_has(a, OPT_REGION) ? args_get(a, OPT_REGION)
						      : s[i].region;
		k[j].arn = s[i].id.arn;
		j++;
	}
	if ((rc = keys_store(ctx, v, k, count, args_has(a, OPT_FORCE))) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (s[i].selected) {
			fprintf(stderr,
				"imported profile %s: the key %s of %s\n",
				util_clean(s[i].name), util_clean(s[i].akid_s),
				util_clean(s[i].id.arn));
			keys_say_link(s[i].name, s[i].serial, s[i].why);
		}
	if (args_has(a, OPT_REMOVE)) {
		if ((rc = keys_without(text, len, s, n, &out, &outlen)) != 0 ||
		    (rc = util_write_file(real, out, outlen)) != 0) {
			rc = cli_fail(ctx, rc,
				      "the keys are in the vault, but "
				      "removing them from %s failed",
				      real);
			goto out;
		}
		fprintf(stderr, "removed %zu profile%s from %s\n", count,
			count == 1 ? "" : "s", real);
	}
	fprintf(stderr, "in ~/.aws/config%s:\n",
		args_has(a, OPT_REMOVE) ? ""
					: " (and then mfa aws keys "
					  "import --remove)");
	for (i = 0; i < n; i++) {
		if (!s[i].selected)
			continue;
		if (keys_config_has(s[i].name))
			fprintf(stderr,
				"(~/.aws/config has [%s%s] already: add the "
				"credential_process line to it)\n",
				strcmp(s[i].name, "default") ? "profile " : "",
				util_clean(s[i].name));
		if ((rc = keys_config_lines(
			 ctx, s[i].name,
			 args_has(a, OPT_REMOVE) ? s[i].extra : NULL)) != 0)
			goto out;
	}
out:
	free(k);
	if (s != NULL)
		keys_sections_free(s, n);
	if (text != NULL)
		sodium_free(text);
	if (out != NULL)
		sodium_free(out);
	return rc;
}

/* --- keys list / show / rm ------------------------------------------------
 */

static const char *
keys_device_label(const struct vault_data *d, const char *serial)
{
	long i = aws_keys_entry_by_serial(d, serial);

	if (serial[0] == '\0')
		return "-";
	if (i < 0)
		return "(not in the vault)";
	return util_label(d->entries[i].issuer, d->entries[i].name);
}

static int
cmd_keys_list(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_data *d;
	struct vault *v;
	json_free_t jfree;
	json_t *arr, *o;
	char *text;
	size_t i;
	int rc;

	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	d = vault_data(v);
	if (!args_has(a, OPT_JSON)) {
		for (i = 0; i < d->n_awskeys; i++) {
			const struct vault_awskey *k = &d->awskeys[i];

			/* util_clean() has four buffers: two printfs. */
			printf("%s\t%s\t", util_clean(k->profile),
			       util_clean(k->access_key_id));
			printf("%s\t%s",
			       k->serial[0] ? util_clean(k->serial) : "-",
			       k->arn[0] ? util_clean(k->arn) : "-");
			printf("%s%s\n",
			       k->pending_id[0] ? "\trotation pending: " : "",
			       util_clean(k->pending_id));
		}
		return 0;
	}
	if ((arr = json_array()) == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "list");
	for (i = 0; i < d->n_awskeys; i++) {
		const struct vault_awskey *k = &d->awskeys[i];

		if ((o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}",
				   "profile", k->profile, "access_key_id",
				   k->access_key_id, "serial", k->serial,
				   "region", k->region, "arn", k->arn,
				   "pending_access_key_id", k->pending_id,
				   "created", (json_int_t)k->created, "updated",
				   (json_int_t)k->updated)) == NULL ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return cli_fail(ctx, MFA_ENOMEM, "list");
		}
	}
	/* As `mfa list --json`: \uXXXX on a terminal, so that no control
	 * character in a name acts there. */
	text = json_dumps(arr,
			  JSON_INDENT(2) |
			      (isatty(STDOUT_FILENO) ? JSON_ENSURE_ASCII : 0));
	json_decref(arr);
	if (text == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "list");
	printf("%s\n", text);
	/* Allocated by the wiping allocator main installed. */
	json_get_alloc_funcs(NULL, &jfree);
	jfree(text);
	return 0;
}

static int
cmd_keys_show(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *profile = a->argv[0];
	const struct vault_awskey *k;
	const struct vault_data *d;
	char c[AWS_TIME_MAX], u[AWS_TIME_MAX];
	struct vault *v;
	long i;
	int rc;

	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	d = vault_data(v);
	if ((i = vault_awskey_find(d, profile)) < 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "no AWS key for profile %s in the vault",
				 util_clean(profile));
	k = &d->awskeys[i];
	aws_format_time(k->created, c);
	aws_format_time(k->updated, u);
	printf("profile: %s\naccess key id: %s\n", util_clean(k->profile),
	       util_clean(k->access_key_id));
	if (args_has(a, OPT_SECRET)) {
		fputs("secret access key: ", stdout);
		if ((rc = keys_write(ctx, (const char *)k->secret,
				     k->secret_len)) != 0)
			return rc;
		putchar('\n');
	} else {
		printf("secret access key: (hidden; --secret shows it)\n");
	}
	printf("user: %s\n", k->arn[0] ? util_clean(k->arn) : "(unknown)");
	printf("mfa device: %s%s%s%s\n",
	       k->serial[0] ? util_clean(k->serial)
			    : "none (sessions are "
			      "not MFA-authenticated)",
	       k->serial[0] ? " (account " : "",
	       k->serial[0] ? keys_device_label(d, k->serial) : "",
	       k->serial[0] ? ")" : "");
	printf("region: %s\n", k->region[0] ? util_clean(k->region) : "-");
	printf("created: %s\nupdated: %s\n", c, u);
	if (k->pending_id[0] != '\0')
		printf("pending: %s (a rotation that did not finish: mfa aws "
		       "rotate %s finishes it)\n",
		       util_clean(k->pending_id), util_clean(k->profile));
	return 0;
}

struct keys_rm {
	const char *profile;
	int64_t now;
};

static int
keys_rm_edit(struct vault_data *d, void *arg)
{
	struct keys_rm *r = arg;
	long at;
	int rc;

	if ((at = vault_awskey_find(d, r->profile)) < 0)
		return MFA_ENOTFOUND;
	/* Its cached sessions go with it. */
	if ((rc = keys_drop_sessions(d, d->awskeys[at].id)) != 0)
		return rc;
	return vault_awskey_remove(d, (size_t)at, r->now);
}

static int
cmd_keys_rm(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *profile = a->argv[0];
	const struct vault_data *d;
	struct keys_rm r;
	struct vault *v;
	char akid[160], user[160], q[400];
	const char *u;
	long i;
	int rc;

	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	d = vault_data(v);
	if ((i = vault_awskey_find(d, profile)) < 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "no AWS key for profile %s in the vault",
				 util_clean(profile));
	snprintf(akid, sizeof(akid), "%s", d->awskeys[i].access_key_id);
	u = aws_arn_user(d->awskeys[i].arn);
	snprintf(user, sizeof(user), "%s", u ? u : "");
	if (!args_has(a, OPT_YES)) {
		if (!tty_available())
			return cli_usage(ctx,
					 "not removing the key of profile %s "
					 "without --yes (no terminal to ask "
					 "on)",
					 util_clean(profile));
		snprintf(q, sizeof(q),
			 "Remove the key %s of profile %s from the vault?",
			 akid, util_clean(profile));
		if ((rc = tty_confirm(q)) != 0)
			return cli_fail(ctx, rc, "removing profile %s",
					util_clean(profile));
	}
	memset(&r, 0, sizeof(r));
	r.profile = profile;
	r.now = util_now();
	rc = vault_update(v, keys_rm_edit, &r);
	if (rc != 0)
		return cli_fail(ctx, rc, "profile %s", util_clean(profile));
	if ((rc = vault_drop_backup(v)) != 0)
		return cli_fail(ctx, rc,
				"removed the key of %s, but its backup %s.bak",
				util_clean(profile), vault_path(v));
	printf("removed the key %s of profile %s from the vault\n", akid,
	       util_clean(profile));
	fprintf(stderr,
		"it still exists in IAM: delete it there with 'aws iam "
		"delete-access-key --access-key-id %s%s%s'\n",
		akid, user[0] ? " --user-name " : "", user);
	return 0;
}

/* --- export --include-aws-keys --------------------------------------------
 */

int
keys_export_json(const struct vault_data *d, char **out, size_t *len)
{
	json_t *root, *arr, *o;
	const size_t flags = JSON_INDENT(2);
	char *secret, *pending = NULL, *buf = NULL;
	size_t i, need;
	int rc = MFA_ENOMEM;

	if ((root = json_loadb(*out, *len, 0, NULL)) == NULL)
		return MFA_EPARSE;
	if ((arr = json_array()) == NULL ||
	    json_object_set_new(root, "aws_keys", arr) != 0)
		goto out;
	for (i = 0; i < d->n_awskeys; i++) {
		const struct vault_awskey *k = &d->awskeys[i];

		rc = MFA_ENOMEM;
		secret = pending = NULL;
		/* jansson copies them into blocks its wiping allocator
		 * frees. */
		if ((secret = sodium_malloc(k->secret_len + 1)) == NULL)
			goto out;
		memcpy(secret, k->secret, k->secret_len);
		secret[k->secret_len] = '\0';
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}",
			      "profile", k->profile, "access_key_id",
			      k->access_key_id, "secret_access_key", secret,
			      "serial", k->serial, "region", k->region, "arn",
			      k->arn, "created", (json_int_t)k->created,
			      "updated", (json_int_t)k->updated);
		sodium_free(secret);
		if (o == NULL)
			goto out;
		if (k->pending_secret != NULL) {
			if ((pending = sodium_malloc(k->pending_secret_len +
						     1)) == NULL) {
				json_decref(o);
				goto out;
			}
			memcpy(pending, k->pending_secret,
			       k->pending_secret_len);
			pending[k->pending_secret_len] = '\0';
			rc = json_object_set_new(o, "pending_access_key_id",
						 json_string(k->pending_id)) |
			     json_object_set_new(o, "pending_secret_access_key",
						 json_string(pending));
			sodium_free(pending);
			if (rc != 0) {
				rc = MFA_ENOMEM;
				json_decref(o);
				goto out;
			}
		}
		if (json_array_append_new(arr, o) != 0) {
			rc = MFA_ENOMEM;
			goto out;
		}
	}
	if ((need = json_dumpb(root, NULL, 0, flags)) == 0 ||
	    (buf = sodium_malloc(need + 2)) == NULL ||
	    json_dumpb(root, buf, need, flags) != need) {
		rc = MFA_ENOMEM;
		goto out;
	}
	buf[need] = '\n';
	buf[need + 1] = '\0';
	sodium_free(*out);
	*out = buf;
	*len = need + 1;
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL)
		sodium_free(buf);
	json_decref(root);
	return rc;
}

/* --- the table ------------------------------------------------------------
 */

static const struct mfa_pos keys_profile_pos[] = {
    {"PROFILE", VAL_TEXT, NULL, 0},
    POS_END,
};

static const struct mfa_pos keys_import_pos[] = {
    {"PROFILE", VAL_TEXT, NULL, POS_F_OPTIONAL | POS_F_REPEAT},
    POS_END,
};

static const struct mfa_opt keys_add_opts[] = {
    OPT_ARG(OPT_ACCOUNT, "account", 0, "QUERY", VAL_QUERY,
	    "the MFA account whose codes sessions use (default: the one "
	    "device of the key's AWS account)"),
    OPT_ARG(OPT_REGION, "region", 0, "R", VAL_TEXT,
	    "the region to keep with the key and check it in"),
    OPT_FLAG(OPT_FORCE, "force", 'f', "replace the profile's key"),
    OPT_END,
};

static const struct mfa_opt keys_import_opts[] = {
    OPT_ARG(OPT_FROM, "from", 0, "FILE", VAL_FILE,
	    "the credentials file (default $AWS_SHARED_CREDENTIALS_FILE, "
	    "else ~/.aws/credentials)"),
    OPT_FLAG(OPT_REMOVE, "remove", 0,
	     "rewrite the file without the imported profiles"),
    OPT_ARG(OPT_ACCOUNT, "account", 0, "QUERY", VAL_QUERY,
	    "the MFA account whose codes sessions use"),
    OPT_ARG(OPT_REGION, "region", 0, "R", VAL_TEXT,
	    "the region to keep with the keys and check them in"),
    OPT_FLAG(OPT_FORCE, "force", 'f', "replace keys already in the vault"),
    OPT_END,
};

static const struct mfa_opt keys_list_opts[] = {
    OPT_FLAG(OPT_JSON, "json", 0, "as JSON"),
    OPT_END,
};

static const struct mfa_opt keys_show_opts[] = {
    OPT_FLAG(OPT_SECRET, "secret", 0, "show the secret access key too"),
    OPT_END,
};

static const struct mfa_opt keys_rm_opts[] = {
    OPT_FLAG(OPT_YES, "yes", 'y', "do not ask for confirmation"),
    OPT_END,
};

static const struct mfa_cmd keys_add_entry = {
    .name = "add",
    .summary = "keep an access key in the vault (read from stdin or a "
	       "hidden prompt)",
    .help = "Reads an access key id and its secret access key (two lines "
	    "on stdin, or\nhidden prompts on a terminal), checks them with "
	    "GetCallerIdentity and keeps\nthem in the vault under PROFILE, "
	    "linked to the MFA device of the key's account.",
    .opts = keys_add_opts,
    .pos = keys_profile_pos,
    .exec = cmd_keys_add,
};

static const struct mfa_cmd keys_import_entry = {
    .name = "import",
    .summary = "move profiles' keys from ~/.aws/credentials into the vault",
    .help = "Takes the long-term keys of the named profiles (default: every "
	    "profile that\nhas some) from the credentials file, checks each "
	    "with GetCallerIdentity and\nkeeps them in the vault. --remove "
	    "then rewrites the file without those\nprofiles (atomically, "
	    "every other line kept). Prints the ~/.aws/config\nlines that "
	    "make the AWS CLI use them through mfa.",
    .opts = keys_import_opts,
    .pos = keys_import_pos,
    .exec = cmd_keys_import,
};

static const struct mfa_cmd keys_list_entry = {
    .name = "list",
    .alias = "ls",
    .summary = "the profiles with a key in the vault (never secrets)",
    .opts = keys_list_opts,
    .exec = cmd_keys_list,
};

static const struct mfa_cmd keys_show_entry = {
    .name = "show",
    .summary = "a profile's key (the secret only with --secret)",
    .opts = keys_show_opts,
    .pos = keys_profile_pos,
    .exec = cmd_keys_show,
};

static const struct mfa_cmd keys_rm_entry = {
    .name = "rm",
    .summary = "remove a profile's key from the vault (not from IAM)",
    .opts = keys_rm_opts,
    .pos = keys_profile_pos,
    .exec = cmd_keys_rm,
};

static const struct mfa_cmd *const keys_subs[] = {
    &keys_add_entry,  &keys_import_entry, &keys_list_entry,
    &keys_show_entry, &keys_rm_entry,	  NULL,
};

const struct mfa_cmd cmd_aws_keys_entry = {
    .name = "keys",
    .summary = "long-term access keys in the vault: add, import, list, "
	       "show, rm",
    .help = "The keys never leave mfa: requests made with them are signed "
	    "in mfa itself,\nand commands get session credentials only "
	    "(mfa aws creds, mfa aws exec).",
    .subs = keys_subs,
};
