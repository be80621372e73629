/*
 * OpenSSL's libcrypto, opened on first use: include this instead of
 * <openssl/evp.h>. Only the encrypted foreign formats (Aegis, andOTP, 2FAS)
 * need its ciphers and KDFs; its thousands of relocations stay off every
 * other command's start-up.
 */
#ifndef MFA_IO_LAZY_CRYPTO_H
#define MFA_IO_LAZY_CRYPTO_H

#include <openssl/evp.h>

#include "lazy/lazy.h"

#define LAZY_CRYPTO_FNS(X)                                                     \
	X(EVP_CIPHER_CTX_ctrl)                                                 \
	X(EVP_CIPHER_CTX_free)                                                 \
	X(EVP_CIPHER_CTX_new)                                                  \
	X(EVP_CipherFinal_ex)                                                  \
	X(EVP_CipherInit_ex)                                                   \
	X(EVP_CipherUpdate)                                                    \
	X(EVP_PBE_scrypt)                                                      \
	X(EVP_aes_256_gcm)                                                     \
	X(EVP_sha1)                                                            \
	X(EVP_sha256)                                                          \
	X(EVP_sha512)                                                          \
	X(PKCS5_PBKDF2_HMAC)

struct lazy_crypto_api {
	LAZY_CRYPTO_FNS(LAZY_FIELD)
};

/*
 * Open libcrypto.so.3 and fill the table: 0, or MFA_EUNSUPPORTED with *why
 * (when not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_crypto_load(const char **err);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_crypto_api *lazy_crypto(void);

/* From here on, calls go through the table. */
#undef EVP_CIPHER_CTX_ctrl
#define EVP_CIPHER_CTX_ctrl(...)                                               \
	(lazy_crypto()->p_EVP_CIPHER_CTX_ctrl(__VA_ARGS__))
#undef EVP_CIPHER_CTX_free
#define EVP_CIPHER_CTX_free(...)                                               \
	(lazy_crypto()->p_EVP_CIPHER_CTX_free(__VA_ARGS__))
#undef EVP_CIPHER_CTX_new
#define EVP_CIPHER_CTX_new(...)                                                \
	(lazy_crypto()->p_EVP_CIPHER_CTX_new(__VA_ARGS__))
#undef EVP_CipherFinal_ex
#define EVP_CipherFinal_ex(...)                                                \
	(lazy_crypto()->p_EVP_CipherFinal_ex(__VA_ARGS__))
#undef EVP_CipherInit_ex
#define EVP_CipherInit_ex(...) (lazy_crypto()->p_EVP_CipherInit_ex(__VA_ARGS__))
#undef EVP_CipherUpdate
#define EVP_CipherUpdate(...) (lazy_crypto()->p_EVP_CipherUpdate(__VA_ARGS__))
#undef EVP_PBE_scrypt
#define EVP_PBE_scrypt(...) (lazy_crypto()->p_EVP_PBE_scrypt(__VA_ARGS__))
#undef EVP_aes_256_gcm
#define EVP_aes_256_gcm(...) (lazy_crypto()->p_EVP_aes_256_gcm(__VA_ARGS__))
#undef EVP_sha1
#define EVP_sha1(...) (lazy_crypto()->p_EVP_sha1(__VA_ARGS__))
#undef EVP_sha256
#define EVP_sha256(...) (lazy_crypto()->p_EVP_sha256(__VA_ARGS__))
#undef EVP_sha512
#define EVP_sha512(...) (lazy_crypto()->p_EVP_sha512(__VA_ARGS__))
#undef PKCS5_PBKDF2_HMAC
#define PKCS5_PBKDF2_HMAC(...) (lazy_crypto()->p_PKCS5_PBKDF2_HMAC(__VA_ARGS__))

#endif
