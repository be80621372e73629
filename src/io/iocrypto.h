/*
 * Private helpers for the encrypted foreign formats (Aegis, andOTP, 2FAS):
 * key derivation, AES-256-GCM, hex, the password callback, JSON members,
 * and building entries from decoded fields. Base64, JSON loading and list
 * moves are io.c's (iojson.h).
 *
 * Every function returns 0 or a negative enum mfa_rc. Buffers said to be
 * secret are sodium_malloc'd and must be released with sodium_free(), which
 * wipes them.
 */
#ifndef MFA_IO_IOCRYPTO_H
#define MFA_IO_IOCRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lazy/jansson.h"

#include "io/io.h"

#define IOCRYPTO_KEY_LEN 32
#define IOCRYPTO_GCM_NONCE_LEN 12
#define IOCRYPTO_GCM_TAG_LEN 16

/* Upper bounds on attacker-chosen KDF costs, so a hostile file cannot make
 * us allocate gigabytes or spin for hours. */
#define IOCRYPTO_SCRYPT_MAXMEM (1024ULL * 1024 * 1024)
/*
 * scrypt work (N * r * p) one import may spend over all the key slots it
 * tries: 64 times Aegis' own cost (N 2^15, r 8, p 1). A file of many
 * costly slots (64 of N 2^19, r 8: hours of work) stops at the cap.
 */
#define IOCRYPTO_SCRYPT_BUDGET (64ULL << 18)
#define IOCRYPTO_PBKDF2_MAX_ITER 10000000U

/*
 * scrypt parameters we agree to run: N a power of two above 1 and below
 * 2^(16 r) (RFC 7914, which OpenSSL enforces), 1 <= r <= 32, 1 <= p <= 16,
 * and at most IOCRYPTO_SCRYPT_MAXMEM of memory. 0 or MFA_EUNSUPPORTED.
 */
int iocrypto_scrypt_check(uint64_t n, uint64_t r, uint64_t p);
/* scrypt (RFC 7914) of pass/salt into key; parameters as checked above. */
int iocrypto_scrypt(const char *pass, size_t passlen, const uint8_t *salt,
		    size_t saltlen, uint64_t n, uint64_t r, uint64_t p,
		    uint8_t *key, size_t keylen);

/* PBKDF2-HMAC with hash (SHA1/SHA256/SHA512); 1..IOCRYPTO_PBKDF2_MAX_ITER. */
int iocrypto_pbkdf2(enum otp_hash hash, const char *pass, size_t passlen,
		    const uint8_t *salt, size_t saltlen, uint32_t iter,
		    uint8_t *key, size_t keylen);

/*
 * AES-256-GCM, no associated data. Decryption writes ctlen bytes to pt and
 * returns MFA_EDECRYPT when the tag does not verify (pt is then wiped).
 */
int iocrypto_gcm_decrypt(const uint8_t key[IOCRYPTO_KEY_LEN],
			 const uint8_t *nonce, size_t noncelen,
			 const uint8_t *ct, size_t ctlen,
			 const uint8_t tag[IOCRYPTO_GCM_TAG_LEN], uint8_t *pt);
int iocrypto_gcm_encrypt(const uint8_t key[IOCRYPTO_KEY_LEN],
			 const uint8_t *nonce, size_t noncelen,
			 const uint8_t *pt, size_t ptlen, uint8_t *ct,
			 uint8_t tag[IOCRYPTO_GCM_TAG_LEN]);

/* Exactly outlen bytes from a hex string of 2 * outlen digits (any case). */
int iocrypto_hex_decode(const char *hex, uint8_t *out, size_t outlen);
/* Variable-length hex: *out is malloc'd (not secret), 1..maxlen bytes. */
int iocrypto_hex_decode_alloc(const char *hex, size_t maxlen, uint8_t **out,
			      size_t *outlen);
/* Lower-case hex of n bytes + NUL into out (2 * n + 1 bytes). */
void iocrypto_hex_encode(const uint8_t *in, size_t n, char *out);

/* n random bytes (libsodium's CSPRNG). */
void iocrypto_random(uint8_t *buf, size_t n);
/* A random RFC 4122 version 4 UUID, lower case, into out[37]. */
void iocrypto_uuid4(char out[37]);

/*
 * Ask for the file's password. MFA_ENOPASS (with err) when fn is NULL or
 * hands back nothing; otherwise the callback's return code. Release *pass
 * with sodium_free().
 */
int iocrypto_pass_get(io_pass_fn fn, void *arg, char **pass, size_t *len,
		      struct mfa_err *err);

/* A name for messages: "issuer:name" or "name", written into buf. */
const char *iocrypto_label(const char *issuer, const char *name, char *buf,
			   size_t bufsz);

/*
 * Build one entry from decoded fields (NULL strings become "") and push it
 * onto out. The base32 secret is decoded into sodium_malloc'd memory and
 * params are checked. On error nothing is pushed and `why` names the entry
 * as "entry <idx> (<label>): ...".
 */
int iocrypto_entry_push(struct io_list *out, size_t idx, const char *name,
			const char *issuer, const char *note,
			const char *serial, const struct otp_params *p,
			const char *b32, size_t b32len, struct mfa_err *err);

/*
 * Optional JSON members of object o: *out is NULL (string) or *present is
 * false (number) when the member is absent or null; MFA_EPARSE when it has
 * another type, MFA_ENUL when a string holds a NUL character (files are
 * loaded with JSON_ALLOW_NUL so that this names the entry), MFA_EINVAL when
 * a number is not a whole number in [0, max]. iocrypto_json_field is
 * iocrypto_json_str with the reason written to err, naming entry idx.
 */
int iocrypto_json_str(const json_t *o, const char *key, const char **out);
int iocrypto_json_field(const json_t *o, const char *key, const char **out,
			size_t idx, struct mfa_err *err);
/*
 * The "digits", and "counter" (HOTP) or "period" (TOTP, Steam) members of
 * o over p's defaults, with reasons naming entry idx (label); Steam is
 * always 5 characters of SHA-1, whatever the file says.
 */
int iocrypto_json_params(const json_t *o, enum otp_type t, size_t idx,
			 const char *label, struct otp_params *p,
			 struct mfa_err *err);
int iocrypto_json_uint(const json_t *o, const char *key, uint64_t max,
		       uint64_t *out, bool *present);

/*
 * Skip a UTF-8 byte order mark and leading whitespace; returns the first
 * significant byte (or -1 when none is left).
 */
int iocrypto_trim(const uint8_t **buf, size_t *len);

#endif
