/*
 * The unlock cache: the vault key as a "user" key in the kernel keyring,
 * expired by the kernel.
 *
 * Possession (finding a key through one's own session keyring) grants a
 * key's possessor permissions whatever the uid, and the session keyring
 * outlives su, setpriv and sudo without pam_keyinit: a key readable by its
 * possessor is readable by any uid that inherits the session. So the key
 * sits in a keyring of ours, "mfa:cache:<uid>", whose permissions give
 * nothing to possessors, groups or others and search, read and write to
 * our uid only. The kernel descends into a nested keyring during a search
 * only with search permission, so another uid can neither possess the key
 * nor reach it by id. A keyring of that name owned by someone else, or with
 * other permissions, is never used (and is replaced on the next put).
 *
 * Keys are added to a keyring's numeric id, never to
 * KEY_SPEC_SESSION_KEYRING itself: a process without a session keyring
 * would otherwise get a fresh anonymous one that dies with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <keyutils.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define CACHE_PREFIX "mfa:vault:"
#define CACHE_HASH 16
#define CACHE_DESC (sizeof(CACHE_PREFIX) - 1 + 2 * CACHE_HASH + 1)
#define CACHE_RING_PREFIX "mfa:cache:"
/* Our keyring: view, read, write, search, setattr for our uid; no link (so
 * another of our processes cannot attach it to a keyring it possesses),
 * nothing for possessors, group or others. */
#define CACHE_RING_PERM                                                        \
	(KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE | KEY_USR_SEARCH |        \
	 KEY_USR_SETATTR)
/* The key: everything for a possessor (only our uid can be one), only
 * "view" for our other processes. */
#define CACHE_KEY_PERM (KEY_POS_ALL | KEY_USR_VIEW)

static const char cache_session[] = "session keyring";
static const char cache_user_session[] = "user-session keyring";

/*
 * The keyring a put uses, resolved without creating a session keyring: the
 * session keyring, or the user-session keyring the kernel lends a process
 * that has none. Nothing else will do: only keys found through these are
 * possessed, and a key nobody possesses cannot even be given its
 * permissions (a revoked session keyring leaves no usable keyring).
 */
static int
cache_ring(key_serial_t *ring, const char **where)
{
	key_serial_t id, us;

	if ((id = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0)) < 0)
		return MFA_EKEYRING;
	us = keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0);
	*ring = id;
	*where = id == us ? cache_user_session : cache_session;
	return 0;
}

static void
cache_ring_name(char name[32])
{
	snprintf(name, 32, CACHE_RING_PREFIX "%lu", (unsigned long)geteuid());
}

/* Whether key id is a keyring of ours as made by cache_box_make(). */
static bool
cache_is_box(key_serial_t id)
{
	char *desc = NULL, want[96], name[32];
	bool ok;

	if (keyctl_describe_alloc(id, &desc) < 0)
		return false;
	cache_ring_name(name);
	/* "type;uid;gid;perm;description" */
	snprintf(want, sizeof(want), "keyring;%lu;", (unsigned long)geteuid());
	ok = strncmp(desc, want, strlen(want)) == 0;
	if (ok) {
		const char *p = strchr(desc + strlen(want), ';');

		snprintf(want, sizeof(want), ";%08x;%s", CACHE_RING_PERM, name);
		ok = p != NULL && strcmp(p, want) == 0;
	}
	free(desc);
	return ok;
}

/* Our keyring directly in ring: MFA_ENOTFOUND when there is none. */
static int
cache_box_find(key_serial_t ring, key_serial_t *box)
{
	key_serial_t *ids = NULL;
	long len, i;
	int rc = MFA_ENOTFOUND;

	/*
	 * ring's own links only: a search would descend into nested keyrings
	 * (the user-session keyring holds the user keyring) and could come
	 * back with a keyring other than the one named.
	 */
	if ((len = keyctl_read_alloc(ring, (void **)&ids)) < 0)
		return errno == EACCES ? MFA_ENOTFOUND : MFA_EKEYRING;
	for (i = 0; i < len / (long)sizeof(key_serial_t); i++)
		if (cache_is_box(ids[i])) {
			*box = ids[i];
			rc = 0;
			break;
		}
	free(ids);
	return rc;
}

/* A new keyring of ours in ring (replacing any link of the same name). */
static int
cache_box_make(key_serial_t ring, key_serial_t *box)
{
	char name[32];
	key_serial_t k;

	cache_ring_name(name);
	if ((k = add_key("keyring", name, NULL, 0, ring)) < 0)
		return MFA_EKEYRING;
	/* Nothing is in it before its permissions are ours alone. */
	if (keyctl_setperm(k, CACHE_RING_PERM) != 0) {
		if (keyctl_invalidate(k) != 0)
			(void)keyctl_unlink(k, ring);
		return MFA_EKEYRING;
	}
	*box = k;
	return 0;
}

/* Path and uuid together: two vaults never share a cache entry. */
static int
cache_desc(const struct vault *v, char desc[CACHE_DESC])
{
	crypto_generichash_state st;
	uint8_t h[CACHE_HASH];
	int rc;

	if (v == NULL || v->real == NULL)
		return MFA_EINVAL;
	if ((rc = vault_sodium()) != 0)
		return rc;
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

/* This vault's key in our keyring inside ring. */
static int
cache_find_in(key_serial_t ring, const char *desc, key_serial_t *key)
{
	key_serial_t box;
	long id;
	int rc;

	if ((rc = cache_box_find(ring, &box)) != 0)
		return rc;
	if ((id = keyctl_search(box, "user", desc, 0)) < 0) {
		if (errno == ENOKEY || errno == EKEYEXPIRED ||
		    errno == EKEYREVOKED)
			return MFA_ENOTFOUND;
		return MFA_EKEYRING;
	}
	*key = (key_serial_t)id;
	return 0;
}

int
vault_cache_put(const struct vault *v, unsigned ttl, const char **where)
{
	char desc[CACHE_DESC];
	key_serial_t ring, box, k;
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
	if ((rc = cache_box_find(ring, &box)) == MFA_ENOTFOUND)
		rc = cache_box_make(ring, &box);
	if (rc != 0)
		return rc;
	if ((k = add_key("user", desc, v->key, VAULT_KEY_BYTES, box)) < 0)
		return MFA_EKEYRING;
	if (keyctl_setperm(k, CACHE_KEY_PERM) != 0 ||
	    keyctl_set_timeout(k, ttl) != 0) {
		/* Never leave a key without its timeout behind. */
		if (keyctl_invalidate(k) != 0)
			(void)keyctl_unlink(k, box);
		return MFA_EKEYRING;
	}
	if (where != NULL)
		*where = w;
	return 0;
}

int
vault_cache_get(const struct vault *v, uint8_t key[VAULT_KEY_BYTES])
{
	char desc[CACHE_DESC];
	const char *where;
	key_serial_t ring, k;
	long n;
	int rc;

	if (key == NULL)
		return MFA_EINVAL;
	if ((rc = cache_desc(v, desc)) != 0 ||
	    (rc = cache_ring(&ring, &where)) != 0 ||
	    (rc = cache_find_in(ring, desc, &k)) != 0)
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

static bool
cache_kill(key_serial_t k, key_serial_t from)
{
	return keyctl_invalidate(k) == 0 || keyctl_revoke(k) == 0 ||
	       keyctl_unlink(k, from) == 0;
}

int
vault_cache_drop(const struct vault *v, const char **where)
{
	char desc[CACHE_DESC];
	key_serial_t ring, k;
	const char *w;
	int rc;

	if (where != NULL)
		*where = NULL;
	if ((rc = cache_desc(v, desc)) != 0 ||
	    (rc = cache_ring(&ring, &w)) != 0)
		return rc;
	if (where != NULL)
		*where = w;
	if ((rc = cache_find_in(ring, desc, &k)) != 0)
		return rc == MFA_ENOTFOUND ? MFA_ENOTCACHED : rc;
	if (keyctl_invalidate(k) != 0 && keyctl_revoke(k) != 0)
		return MFA_EKEYRING;
	return 0;
}

/* The distinct keyrings a put may use that this process reaches: its
 * session keyring and the user-session keyring. */
static size_t
cache_rings(key_serial_t rings[2])
{
	static const int spec[] = {KEY_SPEC_SESSION_KEYRING,
				   KEY_SPEC_USER_SESSION_KEYRING};
	size_t i, j, n = 0;
	key_serial_t id;

	for (i = 0; i < 2; i++) {
		if ((id = keyctl_get_keyring_ID(spec[i], 0)) < 0)
			continue;
		for (j = 0; j < n && rings[j] != id; j++)
			;
		if (j == n)
			rings[n++] = id;
	}
	return n;
}

void
vault_cache_forget(const struct vault *v)
{
	char desc[CACHE_DESC];
	key_serial_t rings[2], k;
	size_t i, n;

	if (cache_desc(v, desc) != 0)
		return;
	n = cache_rings(rings);
	for (i = 0; i < n; i++)
		if (cache_find_in(rings[i], desc, &k) == 0)
			(void)cache_kill(k, rings[i]);
}

/* Our mfa keys in one keyring: those in our keyring, and any left directly
 * in it by an mfa before that keyring existed. */
static unsigned
cache_drop_ring(key_serial_t ring)
{
	key_serial_t *ids = NULL, *inner = NULL, box;
	char *desc = NULL, mine[48];
	long len, i, m, j;
	unsigned n = 0;

	snprintf(mine, sizeof(mine), "user;%lu;", (unsigned long)geteuid());

	if (cache_box_find(ring, &box) == 0) {
		if ((m = keyctl_read_alloc(box, (void **)&inner)) > 0)
			for (j = 0; j < m / (long)sizeof(key_serial_t); j++)
				if (cache_kill(inner[j], box))
					n++;
		free(inner);
		/* The keyring goes too: nothing of ours stays behind. */
		(void)cache_kill(box, ring);
	}
	if ((len = keyctl_read_alloc(ring, (void **)&ids)) < 0)
		return n;
	for (i = 0; i < len / (long)sizeof(key_serial_t); i++) {
		if (keyctl_describe_alloc(ids[i], &desc) < 0)
			continue;
		/* "user;uid;gid;perm;mfa:vault:...", ours only */
		if (strncmp(desc, mine, strlen(mine)) == 0 &&
		    strstr(desc, ";" CACHE_PREFIX) != NULL &&
		    cache_kill(ids[i], ring))
			n++;
		free(desc);
		desc = NULL;
	}
	free(ids);
	return n;
}

int
vault_cache_drop_all(unsigned *n)
{
	key_serial_t rings[2];
	size_t i, nr;

	*n = 0;
	if ((nr = cache_rings(rings)) == 0)
		return MFA_EKEYRING;
	for (i = 0; i < nr; i++)
		*n += cache_drop_ring(rings[i]);
	return *n > 0 ? 0 : MFA_ENOTCACHED;
}

/*
 * A dry run of vault_cache_put() for mfa doctor: the keyring a put would
 * use, and whether a key can be added to it there. A container whose
 * seccomp profile denies keyctl (Docker's default does), or a session
 * keyring without write permission, shows up as the errno the kernel gave.
 */
int
vault_cache_probe(const char **where, int *err)
{
	key_serial_t ring, k;
	char desc[64];

	/* The keyring a put would use, even when it cannot be resolved. */
	*where = cache_session;
	*err = 0;
	if (cache_ring(&ring, where) != 0) {
		*err = errno;
		return MFA_EKEYRING;
	}
	snprintf(desc, sizeof(desc), "mfa:probe:%ld", (long)getpid());
	if ((k = add_key("user", desc, "probe", 5, ring)) < 0) {
		*err = errno;
		return MFA_EKEYRING;
	}
	/* Gone in seconds even if the removal below fails. */
	if (keyctl_set_timeout(k, 5) != 0)
		*err = errno;
	if (keyctl_invalidate(k) != 0 && keyctl_unlink(k, ring) != 0 &&
	    *err == 0)
		*err = errno;
	return *err == 0 ? 0 : MFA_EKEYRING;
}
