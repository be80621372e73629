/*
 * HMAC (RFC 2104) with the inner and outer states kept after the padded
 * key, so a key is hashed once per secret, not once per code.
 *
 * SHA-1 is ours (src/otp/sha1.c), SHA-256/512 are libsodium's: linking
 * OpenSSL's libcrypto for three hash functions cost every command about
 * 2.5 million instructions of relocation at start-up. Checked against
 * OpenSSL's HMAC() in tests/unit/test_otp_hmac.c.
 */
#include "otp/hmac.h"

#include <stdlib.h>
#include <string.h>

#include "otp/sha1.h"

#define HMAC_MAX_BLOCK 128

static size_t
hmac_block_size(enum otp_hash hash)
{
	return hash == OTP_SHA512 ? 128 : 64;
}

/* Hash a key longer than a block down to a digest (RFC 2104 section 2). */
static void
hmac_key_shorten(enum otp_hash hash, const uint8_t *key, size_t keylen,
		 uint8_t *block)
{
	struct sha1_ctx c1;
	crypto_hash_sha256_state c256;
	crypto_hash_sha512_state c512;

	if (hash == OTP_SHA1) {
		sha1_init(&c1);
		sha1_update(&c1, key, keylen);
		sha1_final(&c1, block);
	} else if (hash == OTP_SHA256) {
		crypto_hash_sha256_init(&c256);
		crypto_hash_sha256_update(&c256, key, keylen);
		crypto_hash_sha256_final(&c256, block);
		sodium_memzero(&c256, sizeof(c256));
	} else {
		crypto_hash_sha512_init(&c512);
		crypto_hash_sha512_update(&c512, key, keylen);
		crypto_hash_sha512_final(&c512, block);
		sodium_memzero(&c512, sizeof(c512));
	}
}

/* Absorb one padded key block into a fresh state of k's hash. */
static void
hmac_key_absorb(struct hmac_key *k, const uint8_t *pad, bool outer)
{
	struct sha1_ctx c1;
	crypto_hash_sha256_state *s256;
	crypto_hash_sha512_state *s512;

	if (k->hash == OTP_SHA1) {
		sha1_init(&c1);
		sha1_compress(c1.h, pad);
		memcpy(outer ? k->u.sha1.outer : k->u.sha1.inner, c1.h,
		       sizeof(c1.h));
		sodium_memzero(&c1, sizeof(c1));
	} else if (k->hash == OTP_SHA256) {
		s256 = outer ? &k->u.sha256.outer : &k->u.sha256.inner;
		crypto_hash_sha256_init(s256);
		crypto_hash_sha256_update(s256, pad, 64);
	} else {
		s512 = outer ? &k->u.sha512.outer : &k->u.sha512.inner;
		crypto_hash_sha512_init(s512);
		crypto_hash_sha512_update(s512, pad, 128);
	}
}

int
hmac_key_init(struct hmac_key *k, enum otp_hash hash, const uint8_t *key,
	      size_t keylen)
{
	uint8_t block[HMAC_MAX_BLOCK], pad[HMAC_MAX_BLOCK];
	size_t bs = hmac_block_size(hash), i;

	memset(k, 0, sizeof(*k));
	if (hash != OTP_SHA1 && hash != OTP_SHA256 && hash != OTP_SHA512)
		return MFA_EHASH;
	k->hash = hash;
	memset(block, 0, sizeof(block));
	if (keylen > bs)
		hmac_key_shorten(hash, key, keylen, block);
	else if (keylen > 0)
		memcpy(block, key, keylen);
	for (i = 0; i < bs; i++)
		pad[i] = block[i] ^ 0x36;
	hmac_key_absorb(k, pad, false);
	for (i = 0; i < bs; i++)
		pad[i] = block[i] ^ 0x5c;
	hmac_key_absorb(k, pad, true);
	sodium_memzero(block, sizeof(block));
	sodium_memzero(pad, sizeof(pad));
	return 0;
}

void
hmac_key_wipe(struct hmac_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

/*
 * SHA-1 HMAC. A message of up to 55 bytes (every OTP counter) fits the
 * inner hash's one block with its padding, and the digest fits the outer
 * one: two compressions and no buffering.
 */
static void
hmac_sha1_run(const struct hmac_key *k, const uint8_t *msg, size_t msglen,
	      uint8_t out[SHA1_DIGEST])
{
	uint8_t block[SHA1_BLOCK];
	uint32_t h[5];
	struct sha1_ctx c;
	uint64_t bits;
	int i;

	if (msglen <= SHA1_BLOCK - 9) {
		memcpy(h, k->u.sha1.inner, sizeof(h));
		memcpy(block, msg, msglen);
		block[msglen] = 0x80;
		memset(block + msglen + 1, 0, SHA1_BLOCK - 9 - msglen);
		bits = (SHA1_BLOCK + (uint64_t)msglen) * 8;
		for (i = 0; i < 8; i++)
			block[SHA1_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
		sha1_compress(h, block);
		sha1_store(h, block);
	} else {
		memcpy(c.h, k->u.sha1.inner, sizeof(c.h));
		c.len = SHA1_BLOCK;
		sha1_update(&c, msg, msglen);
		sha1_final(&c, block);
	}
	/* Outer: the inner digest, padding, length 64 + 20 bytes. */
	memcpy(h, k->u.sha1.outer, sizeof(h));
	block[SHA1_DIGEST] = 0x80;
	memset(block + SHA1_DIGEST + 1, 0, SHA1_BLOCK - 2 - SHA1_DIGEST - 1);
	block[SHA1_BLOCK - 2] =
	    (uint8_t)(((SHA1_BLOCK + SHA1_DIGEST) * 8) >> 8);
	block[SHA1_BLOCK - 1] = (uint8_t)((SHA1_BLOCK + SHA1_DIGEST) * 8);
	sha1_compress(h, block);
	sha1_store(h, out);
	sodium_memzero(h, sizeof(h));
	sodium_memzero(block, sizeof(block));
}

int
hmac_key_mac(const struct hmac_key *k, const uint8_t *msg, size_t msglen,
	     uint8_t out[HMAC_MAX_OUT], size_t *outlen)
{
	crypto_hash_sha256_state s256;
	crypto_hash_sha512_state s512;
	uint8_t ih[HMAC_MAX_OUT];

	if (k->hash == OTP_SHA1) {
		hmac_sha1_run(k, msg, msglen, out);
		*outlen = SHA1_DIGEST;
	} else if (k->hash == OTP_SHA256) {
		s256 = k->u.sha256.inner;
		crypto_hash_sha256_update(&s256, msg, msglen);
		crypto_hash_sha256_final(&s256, ih);
		s256 = k->u.sha256.outer;
		crypto_hash_sha256_update(&s256, ih, 32);
		crypto_hash_sha256_final(&s256, out);
		sodium_memzero(&s256, sizeof(s256));
		*outlen = 32;
	} else {
		s512 = k->u.sha512.inner;
		crypto_hash_sha512_update(&s512, msg, msglen);
		crypto_hash_sha512_final(&s512, ih);
		s512 = k->u.sha512.outer;
		crypto_hash_sha512_update(&s512, ih, 64);
		crypto_hash_sha512_final(&s512, out);
		sodium_memzero(&s512, sizeof(s512));
		*outlen = 64;
	}
	sodium_memzero(ih, sizeof(ih));
	return 0;
}

/* The RFC 4226 truncation of a big-endian MAC. */
static uint32_t
hmac_truncate(const uint8_t *mac, size_t maclen)
{
	size_t off = mac[maclen - 1] & 0x0f;

	return ((uint32_t)(mac[off] & 0x7f) << 24) |
	       ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	       mac[off + 3];
}

uint32_t
hmac_otp_value(const struct hmac_key *k, uint64_t counter)
{
	uint8_t msg[8], mac[HMAC_MAX_OUT];
	uint32_t h[5], v;
	size_t maclen = 0;
	int i;

	for (i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	if (k->hash != OTP_SHA1) {
		hmac_key_mac(k, msg, sizeof(msg), mac, &maclen);
		v = hmac_truncate(mac, maclen);
		sodium_memzero(mac, sizeof(mac));
		sodium_memzero(msg, sizeof(msg));
		return v;
	}
	/*
	 * The scan's hot path: both blocks laid out in place, inner length
	 * (64 + 8) * 8 bits, outer (64 + 20) * 8 bits.
	 */
	memcpy(mac, msg, 8);
	mac[8] = 0x80;
	memset(mac + 9, 0, SHA1_BLOCK - 9);
	mac[SHA1_BLOCK - 2] = 0x02;
	mac[SHA1_BLOCK - 1] = 0x40;
	memcpy(h, k->u.sha1.inner, sizeof(h));
	sha1_compress(h, mac);
	sha1_store(h, mac);
	mac[SHA1_DIGEST] = 0x80;
	memset(mac + SHA1_DIGEST + 1, 0, SHA1_BLOCK - SHA1_DIGEST - 1);
	mac[SHA1_BLOCK - 2] = 0x02;
	mac[SHA1_BLOCK - 1] = 0xa0;
	memcpy(h, k->u.sha1.outer, sizeof(h));
	sha1_compress(h, mac);
	sha1_store(h, mac);
	v = hmac_truncate(mac, SHA1_DIGEST);
	sha1_wipe(mac, sizeof(mac));
	sha1_wipe(msg, sizeof(msg));
	sha1_wipe(h, sizeof(h));
	return v;
}

int
hmac_mac(enum otp_hash hash, const uint8_t *key, size_t keylen,
	 const uint8_t *msg, size_t msglen, uint8_t out[HMAC_MAX_OUT],
	 size_t *outlen)
{
	struct hmac_key k;
	int rc;

	if ((rc = hmac_key_init(&k, hash, key, keylen)) == 0)
		rc = hmac_key_mac(&k, msg, msglen, out, outlen);
	hmac_key_wipe(&k);
	return rc;
}

int
hmac_key_new(enum otp_hash hash, const uint8_t *key, size_t keylen,
	     struct hmac_key **out)
{
	struct hmac_key *k;
	int rc;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return MFA_ENOMEM;
	if ((rc = hmac_key_init(k, hash, key, keylen)) != 0) {
		hmac_key_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

void
hmac_key_free(struct hmac_key *k)
{
	if (k == NULL)
		return;
	hmac_key_wipe(k);
	free(k);
}
