/*
 * HMAC (RFC 2104) over OpenSSL's SHA-1/SHA-256/SHA-512 block functions.
 *
 * Why not EVP_MAC or HMAC(): in OpenSSL 3 the first EVP fetch builds the
 * provider's algorithm tables, about 5 million instructions, which made a
 * one-shot `mfa code` several times slower than oathtool. The hash
 * functions themselves are OpenSSL's; only the two-line HMAC construction
 * is ours, checked against OpenSSL's HMAC() in tests/unit/test_otp_hmac.c.
 * Keyed states (inner and outer hash after the padded key) are kept so a
 * verification scan hashes the key once, not once per candidate.
 */
/* SHA1_Init and friends are deprecated in OpenSSL 3, not removed. */
#define OPENSSL_API_COMPAT 0x10100000L

#include "otp/hmac.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define HMAC_MAX_BLOCK 128

union hmac_hash_ctx {
	SHA_CTX sha1;
	SHA256_CTX sha256;
	SHA512_CTX sha512;
};

struct hmac_key {
	enum otp_hash hash;
	union hmac_hash_ctx inner, outer;
};

static size_t
hmac_block_size(enum otp_hash hash)
{
	return hash == OTP_SHA512 ? 128 : 64;
}

static size_t
hmac_digest_size(enum otp_hash hash)
{
	switch (hash) {
	case OTP_SHA1:
		return SHA_DIGEST_LENGTH;
	case OTP_SHA256:
		return SHA256_DIGEST_LENGTH;
	case OTP_SHA512:
		return SHA512_DIGEST_LENGTH;
	}
	return 0;
}

static void
hmac_hash_init(enum otp_hash hash, union hmac_hash_ctx *c)
{
	if (hash == OTP_SHA1)
		SHA1_Init(&c->sha1);
	else if (hash == OTP_SHA256)
		SHA256_Init(&c->sha256);
	else
		SHA512_Init(&c->sha512);
}

static void
hmac_hash_update(enum otp_hash hash, union hmac_hash_ctx *c, const void *p,
		 size_t n)
{
	if (hash == OTP_SHA1)
		SHA1_Update(&c->sha1, p, n);
	else if (hash == OTP_SHA256)
		SHA256_Update(&c->sha256, p, n);
	else
		SHA512_Update(&c->sha512, p, n);
}

static void
hmac_hash_final(enum otp_hash hash, union hmac_hash_ctx *c, uint8_t *out)
{
	if (hash == OTP_SHA1)
		SHA1_Final(out, &c->sha1);
	else if (hash == OTP_SHA256)
		SHA256_Final(out, &c->sha256);
	else
		SHA512_Final(out, &c->sha512);
}

/* Absorb the padded key into the inner and outer states. */
static int
hmac_key_setup(struct hmac_key *k, enum otp_hash hash, const uint8_t *key,
	       size_t keylen)
{
	uint8_t block[HMAC_MAX_BLOCK], pad[HMAC_MAX_BLOCK];
	union hmac_hash_ctx c;
	size_t bs = hmac_block_size(hash), i;

	if (hmac_digest_size(hash) == 0)
		return MFA_EHASH;
	k->hash = hash;
	memset(block, 0, sizeof(block));
	if (keylen > bs) {
		/* Keys longer than a block are hashed first (RFC 2104). */
		hmac_hash_init(hash, &c);
		hmac_hash_update(hash, &c, key, keylen);
		hmac_hash_final(hash, &c, block);
		OPENSSL_cleanse(&c, sizeof(c));
	} else if (keylen > 0) {
		memcpy(block, key, keylen);
	}
	for (i = 0; i < bs; i++)
		pad[i] = block[i] ^ 0x36;
	hmac_hash_init(hash, &k->inner);
	hmac_hash_update(hash, &k->inner, pad, bs);
	for (i = 0; i < bs; i++)
		pad[i] = block[i] ^ 0x5c;
	hmac_hash_init(hash, &k->outer);
	hmac_hash_update(hash, &k->outer, pad, bs);
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(pad, sizeof(pad));
	return 0;
}

static void
hmac_key_run(const struct hmac_key *k, const uint8_t *msg, size_t msglen,
	     uint8_t out[HMAC_MAX_OUT], size_t *outlen)
{
	union hmac_hash_ctx c;
	uint8_t ih[HMAC_MAX_OUT];
	size_t ds = hmac_digest_size(k->hash);

	c = k->inner;
	hmac_hash_update(k->hash, &c, msg, msglen);
	hmac_hash_final(k->hash, &c, ih);
	c = k->outer;
	hmac_hash_update(k->hash, &c, ih, ds);
	hmac_hash_final(k->hash, &c, out);
	*outlen = ds;
	OPENSSL_cleanse(&c, sizeof(c));
	OPENSSL_cleanse(ih, sizeof(ih));
}

int
hmac_mac(enum otp_hash hash, const uint8_t *key, size_t keylen,
	 const uint8_t *msg, size_t msglen, uint8_t out[HMAC_MAX_OUT],
	 size_t *outlen)
{
	struct hmac_key k;
	int rc;

	if ((rc = hmac_key_setup(&k, hash, key, keylen)) == 0)
		hmac_key_run(&k, msg, msglen, out, outlen);
	OPENSSL_cleanse(&k, sizeof(k));
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
	if ((rc = hmac_key_setup(k, hash, key, keylen)) != 0) {
		hmac_key_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

int
hmac_key_mac(struct hmac_key *k, const uint8_t *msg, size_t msglen,
	     uint8_t out[HMAC_MAX_OUT], size_t *outlen)
{
	hmac_key_run(k, msg, msglen, out, outlen);
	return 0;
}

void
hmac_key_free(struct hmac_key *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}
