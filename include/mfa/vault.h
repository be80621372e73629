/*
 * mfa vault: the encrypted account store (format in man/mfa-vault.5).
 *
 * A vault file is a plaintext header (magic, version, key slots) and an
 * XChaCha20-Poly1305 payload under a random 256-bit vault key; the whole
 * header is the associated data. Key slots wrap the vault key (a passphrase
 * slot: Argon2id). Writes are atomic and serialized (flock on PATH.lock, temp
 * file, fsync, rename, fsync of the folder, previous version kept as
 * PATH.bak).
 *
 * Memory: every secret (vault key, entry secrets, kv values) lives in
 * sodium_malloc'd memory owned by the vault and wiped by vault_close().
 * Strings (name, issuer, serial, note) are plain malloc'd and owned by the
 * vault once added. All functions return 0 or a negative enum mfa_rc.
 */
#ifndef MFA_VAULT_H
#define MFA_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfa/otp.h"

#define VAULT_KEY_BYTES 32
#define VAULT_ID_BYTES 16

struct vault_kdf {
	uint64_t ops; /* Argon2id passes (crypto_pwhash opslimit) */
	uint64_t mem; /* bytes (crypto_pwhash memlimit) */
};

struct vault_entry {
	uint8_t id[VAULT_ID_BYTES]; /* random, stable for the entry's life */
	char *name;		    /* never NULL once in a vault */
	char *issuer;		    /* "" when none */
	char *serial;		    /* AWS MFA serial ARN, "" when none */
	char *note;		    /* "" when none */
	struct otp_params p;
	uint8_t *secret; /* sodium_malloc'd */
	size_t secret_len;
	int64_t created; /* unix seconds */
	int64_t updated;
	uint64_t last_step; /* last TOTP step sent out (AWS), 0 = none */
};

struct vault_tombstone {
	uint8_t id[VAULT_ID_BYTES];
	int64_t deleted;
};

/* A small encrypted key/value cache (AWS session credentials). */
struct vault_kv {
	char *key;	/* e.g. "aws-session:<entry id hex>:<role>:<profile>" */
	uint8_t *value; /* sodium_malloc'd */
	size_t value_len;
	int64_t expires; /* unix seconds; expired records are dropped on save */
};

struct vault_data {
	struct vault_entry *entries;
	size_t n_entries;
	struct vault_tombstone *tombstones;
	size_t n_tombstones;
	struct vault_kv *kv;
	size_t n_kv;
};

struct vault; /* opaque: path, header, vault key, decrypted data */

/* The default vault path: $MFA_VAULT, else
 * ${XDG_DATA_HOME:-~/.local/share}/mfa/vault. Returns a malloc'd string (caller
 * frees) or NULL. */
char *vault_default_path(void);

/* libsodium's MODERATE (the default) and INTERACTIVE costs. */
void vault_kdf_default(struct vault_kdf *k);
bool vault_kdf_weak(const struct vault_kdf *k); /* below INTERACTIVE */

/*
 * Create a new empty vault at path (folder created 0700 if missing, file
 * 0600). MFA_EEXIST when a vault is already there. The vault key is random.
 */
int vault_create(const char *path, const char *pass, size_t passlen,
		 const struct vault_kdf *kdf);

/*
 * Read the vault file and check its header (magic, version, permissions);
 * nothing is decrypted yet. MFA_ENOVAULT when path does not exist,
 * MFA_EVAULT_PERM, MFA_EVAULT_MAGIC, MFA_EVAULT_VERSION, MFA_EVAULT_CORRUPT.
 * Caller must vault_close().
 */
int vault_open(const char *path, struct vault **out);
void vault_close(struct vault *v);
const char *vault_path(const struct vault *v);
/* The vault's random id from its header (stable across saves and passwd). */
const uint8_t *vault_uuid(const struct vault *v);

/* Unlock with a passphrase (MFA_EVAULT_AUTH when wrong) or a cached key. */
int vault_unlock_pass(struct vault *v, const char *pass, size_t passlen);
int vault_unlock_key(struct vault *v, const uint8_t key[VAULT_KEY_BYTES]);
/* The unlocked vault key, to put into the unlock cache. NULL when locked. */
const uint8_t *vault_key(const struct vault *v);
/* The decrypted data (read-only view). NULL when locked. */
const struct vault_data *vault_data(const struct vault *v);

/*
 * The one way to change a vault: take the exclusive lock, re-read and
 * decrypt the file with the vault key (so concurrent writers never lose each
 * other's changes), call fn on the fresh data, and when fn returns 0 write
 * the result atomically; otherwise write nothing and return fn's code. The
 * in-memory view (vault_data) is then the data as saved.
 */
typedef int (*vault_edit_fn)(struct vault_data *d, void *arg);
int vault_update(struct vault *v, vault_edit_fn fn, void *arg);

/*
 * Remove PATH.bak, the previous version: after an account is removed it
 * would still hold the secret. MFA_EIO when it cannot be removed.
 */
int vault_drop_backup(struct vault *v);

/*
 * Change the passphrase: rewrites the passphrase slot only (the vault key
 * stays, so the unlock cache stays valid), then drops PATH.bak, which would
 * still open with the old passphrase. Copies of the file made elsewhere
 * still do: the old passphrase unlocks them for good.
 */
int vault_passwd(struct vault *v, const char *newpass, size_t newlen,
		 const struct vault_kdf *kdf);

/*
 * Entries, for use inside an edit callback. vault_entry_init() fills in an
 * entry with a fresh id, created/updated = now and "" strings; the caller
 * fills it and passes ownership to vault_entry_add(). vault_entry_remove()
 * frees it and leaves a tombstone.
 */
int vault_entry_init(struct vault_entry *e, int64_t now);
int vault_entry_set_secret(struct vault_entry *e, const uint8_t *s, size_t n);
int vault_entry_set_str(char **field, const char *value);
void vault_entry_clear(struct vault_entry *e);
int vault_entry_add(struct vault_data *d, struct vault_entry *e);
int vault_entry_remove(struct vault_data *d, size_t idx, int64_t now);
/* Index of the entry with this id, or -1. */
long vault_entry_find_id(const struct vault_data *d,
			 const uint8_t id[VAULT_ID_BYTES]);

/*
 * QUERY resolution shared by every command: exact name, else exact
 * "issuer:name", else a unique case-insensitive substring of "issuer:name".
 * MFA_ENOTFOUND, or MFA_EAMBIGUOUS with the candidates' indexes in cand (up
 * to ncand_max; *ncand receives the full count).
 */
int vault_query(const struct vault_data *d, const char *query, size_t *idx,
		size_t *cand, size_t ncand_max, size_t *ncand);

/* kv cache: set (copies value), get (view; NULL when absent or expired). */
int vault_kv_set(struct vault_data *d, const char *key, const uint8_t *value,
		 size_t len, int64_t expires);
const struct vault_kv *vault_kv_get(const struct vault_data *d, const char *key,
				    int64_t now);
void vault_kv_del(struct vault_data *d, const char *key);

/*
 * Unlock cache in the kernel keyring, keyed by the vault's path and uuid.
 * cache_put: ttl seconds (0 = do nothing); *where receives "session" or
 * "user" (the keyring used). cache_get: MFA_ENOTFOUND when absent or expired,
 * MFA_EKEYRING when the keyring is unavailable.
 */
int cache_put(const struct vault *v, unsigned ttl, const char **where);
int cache_get(const struct vault *v, uint8_t key[VAULT_KEY_BYTES]);
int cache_drop(const struct vault *v);
/*
 * Drop every mfa vault key from the keyring, whatever vault it belongs to
 * (for `mfa lock --all`, and for a vault that was moved or destroyed while
 * its key was cached). *n receives how many were dropped.
 */
int cache_drop_all(unsigned *n);

/*
 * Key slots beyond the passphrase (slot.c; layout in mfa-vault(5)). A
 * FIDO2 slot wraps the vault key with a 32-byte key that the caller
 * derives from a security key's hmac-secret output (src/fido): the vault
 * itself never talks to devices. With VAULT_FIDO2_PASS the slot needs the
 * passphrase as well (Argon2id, combined with that key). Slots are
 * numbered from 0 in file order.
 */
#define VAULT_SLOT_PASSPHRASE 1
#define VAULT_SLOT_FIDO2 2
#define VAULT_FIDO2_PIN 0x01  /* the key is used with its PIN */
#define VAULT_FIDO2_PASS 0x02 /* the passphrase is needed too */
#define VAULT_FIDO2_SALT 32
#define VAULT_FIDO2_CRED_MAX 1023
#define VAULT_LABEL_MAX 64

struct vault_slot_info {
	unsigned type;	 /* VAULT_SLOT_*, or a type this version ignores */
	unsigned flags;	 /* VAULT_FIDO2_* */
	int64_t created; /* unix seconds; 0 when the slot does not say */
	char label[VAULT_LABEL_MAX + 1];
	const uint8_t *cred; /* credential id, a view into the vault */
	size_t cred_len;
	const uint8_t *salt; /* VAULT_FIDO2_SALT bytes, a view */
	bool usable;	     /* this version can open it */
};

size_t vault_slot_count(const struct vault *v);
/* Slot i of the header as last read or written. MFA_EINVAL when none. */
int vault_slot_get(const struct vault *v, size_t i,
		   struct vault_slot_info *out);

/*
 * Unlock with FIDO2 slot i: key is the 32-byte key from the security key,
 * pass the passphrase when the slot has VAULT_FIDO2_PASS (else ignored).
 * MFA_EVAULT_AUTH when they do not open it (or the header was modified).
 */
int vault_unlock_slot(struct vault *v, size_t i, const uint8_t *key,
		      const char *pass, size_t passlen);

struct vault_fido2_new {
	unsigned flags; /* VAULT_FIDO2_* */
	const char *label;
	const uint8_t *cred; /* credential id */
	size_t cred_len;
	const uint8_t *salt; /* VAULT_FIDO2_SALT bytes */
	int64_t created;
};

/*
 * Add a FIDO2 slot to the unlocked vault, wrapping the vault key with key
 * (and, with VAULT_FIDO2_PASS, pass under the Argon2id costs of the
 * vault's passphrase slot). With VAULT_FIDO2_PASS the passphrase-only
 * slots go in the same save, and a FIDO2 slot without it is refused
 * (MFA_EEXIST): it would still open the vault without the passphrase.
 * *idx receives the new slot's number.
 */
int vault_slot_add_fido2(struct vault *v, const struct vault_fido2_new *n,
			 const uint8_t *key, const char *pass, size_t passlen,
			 size_t *idx);

/*
 * Remove slot i (as last read) from the unlocked vault. MFA_EINVAL when it
 * is the last one; MFA_ENOTFOUND when the file no longer has it.
 */
int vault_slot_remove(struct vault *v, size_t i);

#endif
