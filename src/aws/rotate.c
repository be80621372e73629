/*
 * Rotating a vault key: a new access key in IAM, checked, swapped in, the
 * old one deleted. Each step that changes IAM is followed by a save of
 * what it made, so that whatever fails -- AWS, the network, the vault's
 * disk, mfa itself -- a key that works stays in the vault and the user is
 * told exactly which keys exist in IAM. The new key waits in the record's
 * pending fields until it has been seen to work; a later rotate finishes
 * (or cleans up) a rotation that was cut short.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/keys.h"

#define ROT_WAIT_DEFAULT 60
#define ROT_RETRY_EVERY 2

enum rot_op { ROT_SET_PENDING, ROT_PROMOTE, ROT_CLEAR_PENDING };

struct rot_edit {
	const char *profile;
	enum rot_op op;
	const char *akid; /* the new key */
	const char *secret;
	size_t secret_len;
	const char *arn;
	const char *old_prefix; /* cache keys of the old key's sessions */
	int64_t now;
};

static int
rot_edit_fn(struct vault_data *d, void *arg)
{
	struct rot_edit *e = arg;
	struct vault_awskey k;
	size_t i, plen;
	char *key;
	long idx;

	if ((idx = vault_awskey_find(d, e->profile)) < 0)
		return MFA_ENOTFOUND;
	k = d->awskeys[idx];
	switch (e->op) {
	case ROT_SET_PENDING:
		k.pending_id = (char *)e->akid;
		k.pending_secret = (uint8_t *)e->secret;
		k.pending_secret_len = e->secret_len;
		break;
	case ROT_PROMOTE:
		k.access_key_id = (char *)e->akid;
		k.secret = (uint8_t *)e->secret;
		k.secret_len = e->secret_len;
		if (e->arn != NULL)
			k.arn = (char *)e->arn;
		/* fall through */
	case ROT_CLEAR_PENDING:
		k.pending_id = (char *)"";
		k.pending_secret = NULL;
		k.pending_secret_len = 0;
		break;
	}
	k.updated = e->now;
	if (e->op == ROT_PROMOTE && e->old_prefix != NULL) {
		/* The old key's sessions go with it. */
		plen = strlen(e->old_prefix);
		for (i = d->n_kv; i > 0; i--) {
			if (strncmp(d->kv[i - 1].key, e->old_prefix, plen) != 0)
				continue;
			if ((key = strdup(d->kv[i - 1].key)) == NULL)
				return MFA_ENOMEM;
			vault_kv_del(d, key);
			free(key);
		}
	}
	return vault_awskey_set(d, (size_t)idx, &k);
}

static int
rot_save(struct aws_ctx *a, struct vault *v, struct rot_edit *e)
{
	e->now = aws_now(a);
	return vault_update(v, rot_edit_fn, e);
}

static unsigned
rot_wait_max(void)
{
	const char *s = getenv("MFA_AWS_ROTATE_WAIT");
	char *end;
	unsigned long n;

	if (s == NULL || *s == '\0')
		return ROT_WAIT_DEFAULT;
	errno = 0;
	n = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && n <= 3600 ? (unsigned)n
						       : ROT_WAIT_DEFAULT;
}

static void
rot_sleep(struct aws_ctx *a, unsigned seconds)
{
	struct timespec ts = {(time_t)seconds, 0};

	if (a->sleep_until != NULL) {
		a->sleep_until(a->clock_arg, aws_now(a) + seconds);
		return;
	}
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* GetCallerIdentity with the new key until it works (IAM is eventually
 * consistent), at most rot_wait_max() seconds; its ARN into *arn. */
static int
rot_wait_works(struct aws_ctx *a, const char *akid, const char *secret,
	       size_t len, struct aws_rotate_res *res, char **arn)
{
	struct aws_signer s = {akid, (const uint8_t *)secret, len, NULL};
	struct aws_identity id;
	int64_t until = aws_now(a) + rot_wait_max();
	int rc;

	*arn = NULL;
	for (;;) {
		res->tries++;
		if ((rc = aws_sts_identity(a, &s, &id)) == 0) {
			*arn = id.arn;
			id.arn = NULL;
			aws_identity_clear(&id);
			return 0;
		}
		if (rc != MFA_EAWS && rc != MFA_EIO)
			return rc;
		if (aws_now(a) + ROT_RETRY_EVERY > until)
			return rc;
		rot_sleep(a, ROT_RETRY_EVERY);
	}
}

static void
rot_fail(struct aws_ctx *a, struct aws_rotate_res *res, const char *what)
{
	size_t n;

	n = (size_t)snprintf(res->step_err, sizeof(res->step_err),
			     "%s: ", what);
	if (n < sizeof(res->step_err))
		memcpy(res->step_err + n,
		       a->err.why[0] != '\0' ? a->err.why : "failed",
		       strnlen(a->err.why[0] != '\0' ? a->err.why : "failed",
			       sizeof(res->step_err) - n - 1) +
			   1);
	res->step_err[sizeof(res->step_err) - 1] = '\0';
}

int
aws_rotate(struct aws_ctx *a, struct vault *v, const char *profile,
	   struct aws_rotate_res *res)
{
	struct aws_key_meta keys[AWS_KEYS_MAX_LISTED];
	struct aws_keys_req req;
	struct aws_keys_res sess;
	struct aws_identity id;
	struct aws_signer iam, old;
	struct rot_edit e;
	struct aws_key k;
	char *new_id = NULL, *new_secret = NULL, *new_arn = NULL;
	char *prefix = NULL;
	const char *user;
	size_t n = 0, i, new_len = 0;
	bool have_pending = false, pending_saved = false;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&sess, 0, sizeof(sess));
	memset(&id, 0, sizeof(id));
	memset(&e, 0, sizeof(e));
	res->state = AWS_ROT_NOTHING;
	a->err.why[0] = '\0';
	if ((rc = aws_key_load(vault_data(v), profile, &k)) != 0) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "no AWS key for profile '%.200s' in the vault",
			 profile);
		return rc;
	}
	snprintf(res->old_id, sizeof(res->old_id), "%s", k.akid);
	aws_key_signer(&k, &old);
	/* Who the key belongs to: IAM calls name the user. */
	if ((rc = aws_sts_identity(a, &old, &id)) != 0) {
		rot_fail(a, res, "checking the current key");
		goto out;
	}
	user = aws_arn_user(id.arn);
	snprintf(res->user, sizeof(res->user), "%s", user ? user : "");
	/* IAM wants MFA when the user's policies do: a session of the old
	 * key with a fresh code, or the key itself without a device. */
	if (k.serial[0] != '\0') {
		memset(&req, 0, sizeof(req));
		req.profile = profile;
		if ((rc = aws_keys_creds(a, v, &req, &sess)) != 0) {
			rot_fail(a, res, "an MFA session for IAM");
			goto out;
		}
		iam.akid = sess.creds.access_key_id;
		iam.secret = (const uint8_t *)sess.creds.secret_access_key;
		iam.secret_len = strlen(sess.creds.secret_access_key);
		iam.token = sess.creds.session_token;
	} else {
		iam = old;
	}
	if ((rc = aws_iam_list_keys(a, &iam, user, keys, AWS_KEYS_MAX_LISTED,
				    &n)) != 0) {
		rot_fail(a, res, "listing the user's access keys");
		goto out;
	}
	e.profile = profile;
	if (k.pending_id[0] != '\0') {
		for (i = 0; i < n && i < AWS_KEYS_MAX_LISTED; i++)
			have_pending |= strcmp(keys[i].id, k.pending_id) == 0;
		if (have_pending) {
			/* A rotation was cut short: finish it. */
			res->resumed = pending_saved = true;
			new_len = k.pending_secret_len;
			if ((new_id = strdup(k.pending_id)) == NULL ||
			    (new_secret = sodium_malloc(new_len + 1)) == NULL) {
				rc = MFA_ENOMEM;
				goto out;
			}
			memcpy(new_secret, k.pending_secret, new_len + 1);
		} else {
			/* Gone from IAM: forget it. */
			e.op = ROT_CLEAR_PENDING;
			(void)rot_save(a, v, &e);
		}
	}
	if (new_id == NULL) {
		if (n >= 2) {
			snprintf(res->step_err, sizeof(res->step_err),
				 "IAM user %s already has %zu access keys "
				 "(AWS allows two): delete the one the vault "
				 "does not hold (it holds %s) and rotate "
				 "again",
				 res->user[0] ? res->user : "(the caller)", n,
				 k.akid);
			rc = MFA_EEXIST;
			goto out;
		}
		if ((rc = aws_iam_create_key(a, &iam, user, &new_id,
					     &new_secret, &new_len)) != 0) {
			rot_fail(a, res, "creating a new access key");
			goto out;
		}
		snprintf(res->new_id, sizeof(res->new_id), "%s", new_id);
		e.op = ROT_SET_PENDING;
		e.akid = new_id;
		e.secret = new_secret;
		e.secret_len = new_len;
		if ((rc = rot_save(a, v, &e)) != 0) {
			snprintf(res->step_err, sizeof(res->step_err),
				 "saving the new key %s in the vault: %s",
				 new_id, mfa_strerror(rc));
			goto undo;
		}
		pending_saved = true;
	}
	snprintf(res->new_id, sizeof(res->new_id), "%s", new_id);
	if ((rc = rot_wait_works(a, new_id, new_secret, new_len, res,
				 &new_arn)) != 0) {
		rot_fail(a, res, "the new key did not work");
		goto undo;
	}
	if ((prefix = aws_keys_cache_prefix(k.id, k.akid)) == NULL) {
		rc = MFA_ENOMEM;
		goto undo;
	}
	e.op = ROT_PROMOTE;
	e.akid = new_id;
	e.secret = new_secret;
	e.secret_len = new_len;
	e.arn = new_arn;
	e.old_prefix = prefix;
	if ((rc = rot_save(a, v, &e)) != 0) {
		snprintf(res->step_err, sizeof(res->step_err),
			 "making %s the vault's key: %s", new_id,
			 mfa_strerror(rc));
		goto undo;
	}
	/* The vault uses the new key now: the old one may go. */
	res->state = AWS_ROT_OLD_LEFT;
	if ((rc = aws_iam_delete_key(a, &iam, user, k.akid)) != 0) {
		rot_fail(a, res, "deleting the old key");
		goto out;
	}
	res->state = AWS_ROT_DONE;
	goto out;
undo:
	/* Take the new key back out of IAM; the vault keeps the old. */
	res->state = pending_saved ? AWS_ROT_PENDING : AWS_ROT_ORPHAN;
	if (aws_iam_delete_key(a, &iam, user, new_id) == 0) {
		res->state = AWS_ROT_UNDONE;
		if (pending_saved) {
			e.op = ROT_CLEAR_PENDING;
			(void)rot_save(a, v, &e);
		}
	}
out:
	aws_identity_clear(&id);
	aws_creds_clear(&sess.creds);
	aws_key_clear(&k);
	free(new_id);
	free(new_arn);
	free(prefix);
	if (new_secret != NULL)
		sodium_free(new_secret);
	if (rc != 0 && res->step_err[0] != '\0')
		snprintf(a->err.why, sizeof(a->err.why), "%s", res->step_err);
	return rc;
}
