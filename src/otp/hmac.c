/* HMAC-SHA1/256/512 through OpenSSL's EVP_MAC. */
#include "otp/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

struct hmac_key {
	EVP_MAC_CTX *ctx; /* keyed template; each MAC runs on a dup */
};

static const char *
hmac_digest_name(enum otp_hash hash)
{
	switch (hash) {
	case OTP_SHA1:
		return "SHA1";
	case OTP_SHA256:
		return "SHA256";
	case OTP_SHA512:
		return "SHA512";
	}
	return NULL;
}

static const EVP_MD *
hmac_md(enum otp_hash hash)
{
	switch (hash) {
	case OTP_SHA1:
		return EVP_sha1();
	case OTP_SHA256:
		return EVP_sha256();
	case OTP_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

int
hmac_mac(enum otp_hash hash, const uint8_t *key, size_t keylen,
	 const uint8_t *msg, size_t msglen, uint8_t out[HMAC_MAX_OUT],
	 size_t *outlen)
{
	const EVP_MD *md = hmac_md(hash);
	unsigned int len = 0;
	/* HMAC() rejects a NULL key even when its length is 0. */
	static const uint8_t empty[1];

	if (md == NULL)
		return MFA_EHASH;
	if (HMAC(md, keylen ? key : empty, (int)keylen, msg, msglen, out,
		 &len) == NULL)
		return MFA_ECRYPTO;
	*outlen = len;
	return 0;
}

int
hmac_key_new(enum otp_hash hash, const uint8_t *key, size_t keylen,
	     struct hmac_key **out)
{
	static const uint8_t empty[1];
	const char *name = hmac_digest_name(hash);
	struct hmac_key *k;
	EVP_MAC *mac;
	OSSL_PARAM params[2];

	if (name == NULL)
		return MFA_EHASH;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return MFA_ENOMEM;
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL) {
		free(k);
		return MFA_ECRYPTO;
	}
	k->ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (k->ctx == NULL) {
		free(k);
		return MFA_ECRYPTO;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(k->ctx, keylen ? key : empty, keylen, params)) {
		hmac_key_free(k);
		return MFA_ECRYPTO;
	}
	*out = k;
	return 0;
}

int
hmac_key_mac(struct hmac_key *k, const uint8_t *msg, size_t msglen,
	     uint8_t out[HMAC_MAX_OUT], size_t *outlen)
{
	EVP_MAC_CTX *c = EVP_MAC_CTX_dup(k->ctx);
	int rc = MFA_ECRYPTO;

	if (c == NULL)
		return MFA_ENOMEM;
	if (EVP_MAC_update(c, msg, msglen) &&
	    EVP_MAC_final(c, out, outlen, HMAC_MAX_OUT))
		rc = 0;
	EVP_MAC_CTX_free(c);
	return rc;
}

void
hmac_key_free(struct hmac_key *k)
{
	if (k == NULL)
		return;
	/* EVP_MAC_CTX_free cleanses the key material it holds. */
	EVP_MAC_CTX_free(k->ctx);
	free(k);
}
