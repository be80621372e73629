/*
 * The unlock cache's dry run, for mfa doctor. It resolves the keyring the
 * way cache.c does, so the answer is about the keyring a real unlock would
 * use; a container whose seccomp profile denies keyctl (Docker's default
 * does) or a session keyring without write permission shows up here as the
 * errno the kernel gave.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <keyutils.h>

#include "mfa/rc.h"
#include "vault/probe.h"

int
cache_probe(const char **where, int *err)
{
	key_serial_t ring, us, k;
	char desc[64];

	*where = NULL;
	*err = 0;
	/* As cache_ring(): the session keyring without creating one, else
	 * the per-user keyring. */
	if ((ring = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0)) >= 0) {
		us = keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0);
		*where =
		    ring == us ? "user-session keyring" : "session keyring";
	} else if ((ring = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1)) >=
		   0) {
		*where = "user keyring";
	} else {
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
