/*
 * The unlock cache: the vault key as a "user" key in the kernel keyring,
 * expired by the kernel. Keys are added to the session keyring's numeric id,
 * never to KEY_SPEC_SESSION_KEYRING itself: a process without a session
 * keyring would otherwise get a fresh anonymous one that dies with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define CACHE_PREFIX "mfa:vault:"
#define CACHE_HASH 16
#define CACHE_DESC (sizeof(CACHE_PREFIX) - 1 + 2 * CACHE_HASH + 1)

/* The keyring to use, resolved without creating a session keyring. */
static int
cache_ring(key_serial_t *ring, const char **where)
{
	key_serial_t id;

	if ((id = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0)) >= 0) {
		*ring = id;
		*where = "session";
		return 0;
	}
	/* The per-user keyring persists on its own, so creating it is fine. */
	if ((id = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1)) >= 0) {
		*ring = id;
		*where = "user";
		return 0;
	}
	return MFA_EKEYRING;
}

/* Path and uuid together: two vaults never share a cache entry. */
static int
cache_desc(const struct vault *v, char desc[CACHE_DESC])
{
	crypto_generichash_state st;
	uint8_t h[CACHE_HASH];

	if (v == NULL || v->real == NULL)
		return MFA_EINVAL;
	if (vault_sodium() != 0)
		return MFA_ECRYPTO;
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, v->uuid, VAULT_ID_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)v->real,
				  strlen(v->real));
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(desc, CACHE_PREFIX, sizeof(CACHE_PREFIX) - 1);
	sodium_bin2hex(desc + sizeof(CACHE_PREFIX) - 1, 2 * CACHE_HASH + 1, h,
		       sizeof(h));
	return 0;
}

static int
cache_find(const struct vault *v, key_serial_t *key)
{
	char desc[CACHE_DESC];
	const char *where;
	key_serial_t ring;
	long id;
	int rc;

	if ((rc = cache_desc(v, desc)) != 0 ||
	    (rc = cache_ring(&ring, &where)) != 0)
		return rc;
	if ((id = keyctl_search(ring, "user", desc, 0)) < 0) {
		if (errno == ENOKEY || errno == EKEYEXPIRED ||
		    errno == EKEYREVOKED)
			return MFA_ENOTFOUND;
		return MFA_EKEYRING;
	}
	*key = (key_serial_t)id;
	return 0;
}

int
cache_put(const struct vault *v, unsigned ttl, const char **where)
{
	char desc[CACHE_DESC];
	key_serial_t ring, k;
	const char *w;
	int rc;

	if (where != NULL)
		*where = NULL;
	if (v == NULL || v->key == NULL)
		return MFA_EINVAL;
	if (ttl == 0)
		return 0;
	if ((rc = cache_desc(v, desc)) != 0 ||
	    (rc = cache_ring(&ring, &w)) != 0)
		return rc;
	if ((k = add_key("user", desc, v->key, VAULT_KEY_BYTES, ring)) < 0)
		return MFA_EKEYRING;
	/*
	 * Only a possessor (a process that finds it through its session
	 * keyring) may read or change it; other processes of the user may
	 * see that it exists.
	 */
	if (keyctl_setperm(k, KEY_POS_ALL | KEY_USR_VIEW) != 0 ||
	    keyctl_set_timeout(k, ttl) != 0) {
		/* Never leave a key without its timeout behind. */
		if (keyctl_invalidate(k) != 0)
			(void)keyctl_unlink(k, ring);
		return MFA_EKEYRING;
	}
	if (where != NULL)
		*where = w;
	return 0;
}

int
cache_get(const struct vault *v, uint8_t key[VAULT_KEY_BYTES])
{
	key_serial_t k;
	long n;
	int rc;

	if (key == NULL)
		return MFA_EINVAL;
	if ((rc = cache_find(v, &k)) != 0)
		return rc;
	n = keyctl_read(k, (char *)key, VAULT_KEY_BYTES);
	if (n != VAULT_KEY_BYTES) {
		sodium_memzero(key, VAULT_KEY_BYTES);
		if (n < 0 && errno != ENOKEY && errno != EKEYEXPIRED &&
		    errno != EKEYREVOKED)
			return MFA_EKEYRING;
		return MFA_ENOTFOUND;
	}
	return 0;
}

int
cache_drop(const struct vault *v)
{
	key_serial_t k;
	int rc;

	if ((rc = cache_find(v, &k)) != 0)
		return rc == MFA_ENOTFOUND ? 0 : rc;
	if (keyctl_invalidate(k) != 0 && keyctl_revoke(k) != 0)
		return MFA_EKEYRING;
	return 0;
}

int
cache_drop_all(unsigned *n)
{
	key_serial_t ring, *ids = NULL;
	const char *where;
	char *desc = NULL;
	long len, i;
	int rc;

	*n = 0;
	if ((rc = cache_ring(&ring, &where)) != 0)
		return rc;
	if ((len = keyctl_read_alloc(ring, (void **)&ids)) < 0)
		return MFA_EKEYRING;
	for (i = 0; i < len / (long)sizeof(key_serial_t); i++) {
		if (keyctl_describe_alloc(ids[i], &desc) < 0)
			continue;
		/* "user;uid;gid;perm;mfa:vault:..." */
		if (strncmp(desc, "user;", 5) == 0 &&
		    strstr(desc, ";" CACHE_PREFIX) != NULL &&
		    (keyctl_invalidate(ids[i]) == 0 ||
		     keyctl_revoke(ids[i]) == 0))
			(*n)++;
		free(desc);
		desc = NULL;
	}
	free(ids);
	return 0;
}
