/*
 * Private HMAC interface (RFC 2104) over SHA-1 (src/otp/sha1.c) and
 * libsodium's SHA-256/SHA-512, so the engine can be tested alone and a
 * verification scan keys one state and reuses it for every counter.
 */
#ifndef MFA_OTP_HMAC_H
#define MFA_OTP_HMAC_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "mfa/otp.h"

#define HMAC_MAX_OUT 64

/*
 * A keyed state: the hash states after the inner and outer padded key.
 * They are as secret as the key itself: callers wipe them
 * (hmac_key_wipe) on every path.
 */
struct hmac_key {
	enum otp_hash hash;
	union {
		struct {
			uint32_t inner[5], outer[5];
		} sha1;
		struct {
			crypto_hash_sha256_state inner, outer;
		} sha256;
		struct {
			crypto_hash_sha512_state inner, outer;
		} sha512;
	} u;
};

/* Key *k in caller memory: 0 or MFA_EHASH. */
int hmac_key_init(struct hmac_key *k, enum otp_hash hash, const uint8_t *key,
		  size_t keylen);
void hmac_key_wipe(struct hmac_key *k);
/* The same on the heap; caller must hmac_key_free() (which wipes it). */
int hmac_key_new(enum otp_hash hash, const uint8_t *key, size_t keylen,
		 struct hmac_key **out);
void hmac_key_free(struct hmac_key *k);
/*
 * MAC of msg under a keyed state (not changed, so threads may share it);
 * *outlen receives the digest size. Always 0.
 */
int hmac_key_mac(const struct hmac_key *k, const uint8_t *msg, size_t msglen,
		 uint8_t out[HMAC_MAX_OUT], size_t *outlen);

/*
 * RFC 4226 section 5.3: the 31-bit dynamic truncation of the MAC of the
 * 8-byte big-endian counter.
 */
uint32_t hmac_otp_value(const struct hmac_key *k, uint64_t counter);

/* One-shot MAC. */
int hmac_mac(enum otp_hash hash, const uint8_t *key, size_t keylen,
	     const uint8_t *msg, size_t msglen, uint8_t out[HMAC_MAX_OUT],
	     size_t *outlen);

#endif
