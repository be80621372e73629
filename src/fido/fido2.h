/*
 * fido: FIDO2 security keys, through libfido2 (loaded on first use).
 *
 * This layer turns (device, credential id, salt) into the output of the
 * key's hmac-secret extension and derives from it the 32-byte wrapping key
 * of a vault key slot. It uses nothing above the engine: the cli asks it
 * for a key and hands that key to the vault, which never talks to devices.
 *
 * The hmac-secret output only ever exists in memory from sodium_malloc
 * (locked, guarded, wiped on free) on our side; libfido2 decrypts it into
 * a buffer of its own, which we copy from at once and which libfido2 wipes
 * when the assertion is freed.
 *
 * Functions return 0 or a negative enum mfa_rc; where they take why/whylen,
 * a failure also leaves there a sentence for the user ("wrong PIN (7
 * attempts left)").
 */
#ifndef MFA_FIDO2_H
#define MFA_FIDO2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FIDO2_RP_ID "mfa"
#define FIDO2_SALT_BYTES 32
#define FIDO2_KEY_BYTES 32
#define FIDO2_CRED_MAX 1023
#define FIDO2_PATH_MAX 256
#define FIDO2_DEVS_MAX 16
/* The run-time library and the Debian package that has it. */
#define FIDO2_SONAME "libfido2.so.1"
#define FIDO2_DEB_PACKAGE "libfido2-1"
/* HKDF info of a slot's wrapping key (documented in mfa-vault(5)). */
#define FIDO2_HKDF_INFO "mfa-vault fido2 slot"

struct fido2_dev {
	char path[FIDO2_PATH_MAX];
	char name[128]; /* "Yubico YubiKey OTP+FIDO+CCID", or "" */
};

/* What a key says of itself (authenticatorGetInfo). */
struct fido2_info {
	bool hmac_secret; /* supports the hmac-secret extension */
	bool pin_set;	  /* has a PIN */
	bool pin_support; /* can have one */
};

/*
 * Another way to reach keys than the USB HID devices, for tests: a list of
 * devices and libfido2 I/O functions (fido_dev_io_t's shape) for them, and
 * optionally another library name to load. Set before any other call.
 */
struct fido2_transport {
	const char *soname; /* NULL: FIDO2_SONAME */
	int (*devices)(struct fido2_dev *devs, size_t max, size_t *n);
	void *(*open)(const char *path);
	void (*close)(void *handle);
	int (*read)(void *handle, unsigned char *buf, size_t len, int ms);
	int (*write)(void *handle, const unsigned char *buf, size_t len);
};
void fido2_set_transport(const struct fido2_transport *t);

/*
 * Load libfido2 (once). 0, or MFA_EUNSUPPORTED when it cannot be loaded;
 * then *why (static) names the library and the reason.
 */
int fido2_load(const char **why);

/* The keys present, at most max of them. */
int fido2_devices(struct fido2_dev *devs, size_t max, size_t *n);

int fido2_info(const char *path, struct fido2_info *info, char *why,
	       size_t whylen);

/*
 * Create a credential for relying party FIDO2_RP_ID with hmac-secret
 * (makeCredential: one touch). user_id identifies the vault. pin: NULL, or
 * the key's PIN (the credential is then made with user verification).
 * The credential id goes to cred (FIDO2_CRED_MAX bytes), its length to
 * *cred_len.
 */
int fido2_enroll(const char *path, const uint8_t *user_id, size_t user_len,
		 const char *pin, uint8_t *cred, size_t *cred_len, char *why,
		 size_t whylen);

/*
 * Which of the credentials is on the key, without a touch (an assertion
 * with user presence off): *which is its index. MFA_ENOTFOUND when none.
 */
int fido2_find(const char *path, const uint8_t *const *creds,
	       const size_t *lens, size_t n, size_t *which, char *why,
	       size_t whylen);

/*
 * The hmac-secret output for salt (getAssertion: one touch), with the PIN
 * when pin is set (the key then answers with its user-verified secret).
 * out: FIDO2_KEY_BYTES of the caller's locked memory.
 */
int fido2_hmac_secret(const char *path, const uint8_t *cred, size_t cred_len,
		      const uint8_t salt[FIDO2_SALT_BYTES], const char *pin,
		      uint8_t *out, char *why, size_t whylen);

/*
 * A slot's wrapping key: HKDF-SHA256 of the hmac-secret output for salt,
 * with no HKDF salt and info FIDO2_HKDF_INFO. The output itself never
 * leaves this function. key: FIDO2_KEY_BYTES of locked memory.
 */
int fido2_slot_key(const char *path, const uint8_t *cred, size_t cred_len,
		   const uint8_t salt[FIDO2_SALT_BYTES], const char *pin,
		   uint8_t *key, char *why, size_t whylen);

/* hkdf.c: HKDF-SHA256 (RFC 5869); out at most 255 * 32 bytes. */
int fido2_hkdf(uint8_t *out, size_t outlen, const uint8_t *salt, size_t saltlen,
	       const uint8_t *ikm, size_t ikmlen, const uint8_t *info,
	       size_t infolen);

#endif
