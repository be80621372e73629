/*
 * HKDF-SHA256 (RFC 5869) with libsodium: its own when it has one
 * (1.0.19 and later), else built on crypto_auth_hmacsha256. The PRK and
 * the HMAC states, which hold key material, live in sodium_malloc'd
 * memory.
 */
#include <sodium.h>
#include <string.h>

#include "fido/fido2.h"
#include "mfa/rc.h"

#ifdef crypto_kdf_hkdf_sha256_KEYBYTES
int
fido2_hkdf(uint8_t *out, size_t outlen, const uint8_t *salt, size_t saltlen,
	   const uint8_t *ikm, size_t ikmlen, const uint8_t *info,
	   size_t infolen)
{
	uint8_t *prk;
	int rc = 0;

	if (outlen == 0 || outlen > 255 * 32)
		return MFA_EINVAL;
	if ((prk = sodium_malloc(crypto_kdf_hkdf_sha256_KEYBYTES)) == NULL)
		return MFA_ENOMEM;
	if (crypto_kdf_hkdf_sha256_extract(prk, salt, saltlen, ikm, ikmlen) !=
		0 ||
	    crypto_kdf_hkdf_sha256_expand(out, outlen, (const char *)info,
					  infolen, prk) != 0)
		rc = MFA_ECRYPTO;
	sodium_free(prk);
	return rc;
}
#else
struct hkdf_work {
	crypto_auth_hmacsha256_state st;
	uint8_t prk[32];
	uint8_t t[32];
};

int
fido2_hkdf(uint8_t *out, size_t outlen, const uint8_t *salt, size_t saltlen,
	   const uint8_t *ikm, size_t ikmlen, const uint8_t *info,
	   size_t infolen)
{
	static const uint8_t zero[32];
	struct hkdf_work *w;
	size_t done = 0, n;
	uint8_t i = 0;

	if (outlen == 0 || outlen > 255 * 32)
		return MFA_EINVAL;
	if ((w = sodium_malloc(sizeof(*w))) == NULL)
		return MFA_ENOMEM;
	/* Extract: no salt means HashLen zero bytes. */
	if (salt == NULL || saltlen == 0) {
		salt = zero;
		saltlen = sizeof(zero);
	}
	crypto_auth_hmacsha256_init(&w->st, salt, saltlen);
	crypto_auth_hmacsha256_update(&w->st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&w->st, w->prk);
	/* Expand: T(i) = HMAC(PRK, T(i-1) | info | i). */
	while (done < outlen) {
		i++;
		crypto_auth_hmacsha256_init(&w->st, w->prk, sizeof(w->prk));
		if (i > 1)
			crypto_auth_hmacsha256_update(&w->st, w->t,
						      sizeof(w->t));
		if (infolen > 0)
			crypto_auth_hmacsha256_update(&w->st, info, infolen);
		crypto_auth_hmacsha256_update(&w->st, &i, 1);
		crypto_auth_hmacsha256_final(&w->st, w->t);
		n = outlen - done < sizeof(w->t) ? outlen - done : sizeof(w->t);
		memcpy(out + done, w->t, n);
		done += n;
	}
	sodium_free(w);
	return 0;
}
#endif
