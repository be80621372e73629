/*
 * Can the unlock cache work here? For mfa doctor: the keyring the cache
 * would use, and whether the kernel lets a key be put there.
 */
#ifndef MFA_VAULT_PROBE_H
#define MFA_VAULT_PROBE_H

/*
 * Resolve the keyring as cache_put() does (never creating a session
 * keyring), add a throw-away key with a short timeout and remove it again.
 * *where: "session keyring", "user-session keyring" or "user keyring" (the
 * one that was tried, or NULL when none could be had). 0 when a key could
 * be added; MFA_EKEYRING otherwise, with *err the errno.
 */
int cache_probe(const char **where, int *err);

#endif
