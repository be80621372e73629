/*
 * Private HMAC interface over OpenSSL, so the engine can be tested alone and
 * a verification scan can reuse one keyed state for many counters.
 */
#ifndef MFA_OTP_HMAC_H
#define MFA_OTP_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "mfa/otp.h"

#define HMAC_MAX_OUT 64

struct hmac_key;

/* Key an HMAC state once; caller must hmac_key_free() (which wipes it). */
int hmac_key_new(enum otp_hash hash, const uint8_t *key, size_t keylen,
		 struct hmac_key **out);
/* MAC of msg under a keyed state; *outlen receives the digest size. */
int hmac_key_mac(struct hmac_key *k, const uint8_t *msg, size_t msglen,
		 uint8_t out[HMAC_MAX_OUT], size_t *outlen);
void hmac_key_free(struct hmac_key *k);

/* One-shot MAC. */
int hmac_mac(enum otp_hash hash, const uint8_t *key, size_t keylen,
	     const uint8_t *msg, size_t msglen, uint8_t out[HMAC_MAX_OUT],
	     size_t *outlen);

#endif
