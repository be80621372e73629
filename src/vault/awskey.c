/*
 * AWS access keys kept in the vault (record 4 of man/mfa-vault.5): an id,
 * a profile name, the key pair, and what goes with it. The secrets live in
 * the data's arena, as entry secrets do; a removed record leaves a
 * tombstone in the list entries use (ids are random, so one list serves
 * every kind of record).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define AWSKEY_PROFILE_MAX 200
#define AWSKEY_ID_MIN 16
#define AWSKEY_ID_MAX 128
#define AWSKEY_SECRET_MAX 256

void
vault_awskey_new_id(uint8_t id[VAULT_ID_BYTES])
{
	if (vault_sodium() == 0)
		randombytes_buf(id, VAULT_ID_BYTES);
}

bool
vault_awskey_profile_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > AWSKEY_PROFILE_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '[' || *s == ']' || (unsigned char)*s < 0x20 ||
		    *s == 0x7f)
			return false;
	return true;
}

bool
vault_awskey_id_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < AWSKEY_ID_MIN || n > AWSKEY_ID_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

bool
vault_awskey_secret_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (s == NULL || n == 0 || n > AWSKEY_SECRET_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

static void
awskey_str_free(char *s)
{
	if (s != NULL && vault_arena_str_owner(s) == NULL)
		free(s);
}

/* Everything of k but its secrets, which go with the arena. */
static void
awskey_strs_free(struct vault_awskey *k)
{
	awskey_str_free(k->profile);
	awskey_str_free(k->access_key_id);
	awskey_str_free(k->serial);
	awskey_str_free(k->region);
	awskey_str_free(k->arn);
	awskey_str_free(k->pending_id);
}

static void
awskey_secrets_release(struct vault_data *d, struct vault_awskey *k)
{
	if (k->secret != NULL)
		vault_arena_release(d->arena, k->secret, k->secret_len);
	if (k->pending_secret != NULL)
		vault_arena_release(d->arena, k->pending_secret,
				    k->pending_secret_len);
	k->secret = k->pending_secret = NULL;
	k->secret_len = k->pending_secret_len = 0;
}

static int
awskey_check(const struct vault_awskey *k)
{
	bool pending = k->pending_id != NULL && k->pending_id[0] != '\0';

	if (!vault_awskey_profile_ok(k->profile) ||
	    !vault_awskey_id_ok(k->access_key_id) ||
	    !vault_awskey_secret_ok(k->secret, k->secret_len))
		return MFA_EINVAL;
	/* A pending key comes whole or not at all. */
	if (pending != (k->pending_secret != NULL) ||
	    (pending && (!vault_awskey_id_ok(k->pending_id) ||
			 !vault_awskey_secret_ok(k->pending_secret,
						 k->pending_secret_len))))
		return MFA_EINVAL;
	return 0;
}

static int
awskey_dup(const char *s, char **out)
{
	if ((*out = strdup(s != NULL ? s : "")) == NULL)
		return MFA_ENOMEM;
	return 0;
}

static int
awskey_secret_dup(struct vault_data *d, const uint8_t *s, size_t n,
		  uint8_t **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	if ((*out = vault_arena_alloc(d->arena, n)) == NULL)
		return MFA_ENOMEM;
	memcpy(*out, s, n);
	return 0;
}

/* A deep copy of k in d's memory, into *c; on error nothing is left. */
static int
awskey_copy(struct vault_data *d, const struct vault_awskey *k,
	    struct vault_awskey *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = awskey_check(k)) != 0 || (rc = vault_data_arena(d)) != 0)
		return rc;
	memcpy(c->id, k->id, VAULT_ID_BYTES);
	c->created = k->created;
	c->updated = k->updated;
	if ((rc = awskey_dup(k->profile, &c->profile)) != 0 ||
	    (rc = awskey_dup(k->access_key_id, &c->access_key_id)) != 0 ||
	    (rc = awskey_dup(k->serial, &c->serial)) != 0 ||
	    (rc = awskey_dup(k->region, &c->region)) != 0 ||
	    (rc = awskey_dup(k->arn, &c->arn)) != 0 ||
	    (rc = awskey_dup(k->pending_id, &c->pending_id)) != 0 ||
	    (rc = awskey_secret_dup(d, k->secret, k->secret_len, &c->secret)) !=
		0 ||
	    (rc = awskey_secret_dup(d, k->pending_secret, k->pending_secret_len,
				    &c->pending_secret)) != 0) {
		awskey_strs_free(c);
		c->secret_len = c->secret ? k->secret_len : 0;
		c->pending_secret_len =
		    c->pending_secret ? k->pending_secret_len : 0;
		awskey_secrets_release(d, c);
		memset(c, 0, sizeof(*c));
		return rc;
	}
	c->secret_len = k->secret_len;
	c->pending_secret_len = c->pending_secret ? k->pending_secret_len : 0;
	return 0;
}

long
vault_awskey_find(const struct vault_data *d, const char *profile)
{
	size_t i;

	if (d == NULL || profile == NULL)
		return -1;
	for (i = 0; i < d->n_awskeys; i++)
		if (strcmp(d->awskeys[i].profile, profile) == 0)
			return (long)i;
	return -1;
}

long
vault_awskey_find_id(const struct vault_data *d,
		     const uint8_t id[VAULT_ID_BYTES])
{
	size_t i;

	if (d == NULL || id == NULL)
		return -1;
	for (i = 0; i < d->n_awskeys; i++)
		if (memcmp(d->awskeys[i].id, id, VAULT_ID_BYTES) == 0)
			return (long)i;
	return -1;
}

/* Room for one more record. */
int
vault_awskey_grow(struct vault_data *d)
{
	struct vault_awskey *grown;

	grown = reallocarray(d->awskeys, d->n_awskeys + 1, sizeof(*grown));
	if (grown == NULL)
		return MFA_ENOMEM;
	d->awskeys = grown;
	return 0;
}

int
vault_awskey_add(struct vault_data *d, const struct vault_awskey *k)
{
	struct vault_awskey c;
	int rc;

	if (d == NULL || k == NULL)
		return MFA_EINVAL;
	if (vault_awskey_find_id(d, k->id) >= 0 ||
	    (k->profile != NULL && vault_awskey_find(d, k->profile) >= 0))
		return MFA_EEXIST;
	if ((rc = vault_awskey_grow(d)) != 0 ||
	    (rc = awskey_copy(d, k, &c)) != 0)
		return rc;
	d->awskeys[d->n_awskeys++] = c;
	return 0;
}

int
vault_awskey_set(struct vault_data *d, size_t idx, const struct vault_awskey *k)
{
	struct vault_awskey c;
	long other;
	int rc;

	if (d == NULL || k == NULL || idx >= d->n_awskeys)
		return MFA_EINVAL;
	other = k->profile != NULL ? vault_awskey_find(d, k->profile) : -1;
	if (other >= 0 && (size_t)other != idx)
		return MFA_EEXIST;
	/* Copy first: k may point into the record it replaces. */
	if ((rc = awskey_copy(d, k, &c)) != 0)
		return rc;
	awskey_strs_free(&d->awskeys[idx]);
	awskey_secrets_release(d, &d->awskeys[idx]);
	d->awskeys[idx] = c;
	return 0;
}

int
vault_awskey_remove(struct vault_data *d, size_t idx, int64_t now)
{
	struct vault_tombstone *grown;
	struct vault_awskey *k;
	size_t i;

	if (d == NULL || idx >= d->n_awskeys)
		return MFA_EINVAL;
	k = &d->awskeys[idx];
	for (i = 0; i < d->n_tombstones; i++)
		if (memcmp(d->tombstones[i].id, k->id, VAULT_ID_BYTES) == 0)
			break;
	if (i == d->n_tombstones) {
		grown = realloc(d->tombstones,
				(d->n_tombstones + 1) * sizeof(*grown));
		if (grown == NULL)
			return MFA_ENOMEM;
		d->tombstones = grown;
		memcpy(grown[i].id, k->id, VAULT_ID_BYTES);
		d->n_tombstones++;
	}
	d->tombstones[i].deleted = now;
	awskey_strs_free(k);
	awskey_secrets_release(d, k);
	sodium_memzero(k, sizeof(*k));
	memmove(&d->awskeys[idx], &d->awskeys[idx + 1],
		(d->n_awskeys - idx - 1) * sizeof(d->awskeys[0]));
	d->n_awskeys--;
	return 0;
}

void
vault_awskeys_forget_secrets(struct vault_data *d)
{
	size_t i;

	for (i = 0; i < d->n_awskeys; i++) {
		d->awskeys[i].secret = d->awskeys[i].pending_secret = NULL;
		d->awskeys[i].secret_len = d->awskeys[i].pending_secret_len = 0;
	}
}

void
vault_awskeys_free(struct vault_data *d)
{
	size_t i;

	/* The secrets go with the arena. */
	for (i = 0; i < d->n_awskeys; i++)
		awskey_strs_free(&d->awskeys[i]);
	free(d->awskeys);
	d->awskeys = NULL;
	d->n_awskeys = 0;
}
