/*
 * SHA-1 (FIPS 180-4), private to the engine.
 *
 * HOTP and TOTP are defined over HMAC-SHA-1 and libsodium has no SHA-1; a
 * local one keeps OpenSSL's libcrypto (thousands of relocations at every
 * start) out of the commands that only make codes. Checked against the
 * FIPS 180 examples and OpenSSL in tests/unit/test_otp_sha1.c.
 */
#ifndef MFA_OTP_SHA1_H
#define MFA_OTP_SHA1_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SHA1_BLOCK 64
#define SHA1_DIGEST 20

struct sha1_ctx {
	uint32_t h[5];
	uint64_t len; /* bytes absorbed so far */
	uint8_t buf[SHA1_BLOCK];
};

/*
 * Wipe a stack temporary without a call: the empty asm that reads p keeps
 * the compiler from dropping the memset as a dead store. Inline because a
 * scan wipes its blocks once per candidate code.
 */
static inline void
sha1_wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *p, size_t n);
/* Writes the digest and wipes the context. */
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST]);
/*
 * One compression of a 64-byte block into the chaining value h: with the
 * x86 SHA extensions where the processor has them, else in portable C
 * (sha1_compress_portable, public so the tests check both).
 */
void sha1_compress(uint32_t h[5], const uint8_t block[SHA1_BLOCK]);
void sha1_compress_portable(uint32_t h[5], const uint8_t block[SHA1_BLOCK]);
/* The chaining value as the big-endian digest. */
void sha1_store(const uint32_t h[5], uint8_t out[SHA1_DIGEST]);

#endif
