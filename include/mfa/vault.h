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
 * Memory: the secrets of a vault's data (entry secrets, kv values, records
 * of a newer format) live in one arena per vault_data: locked (mlock),
 * guarded (an inaccessible page at each end of every chunk), left out of
 * core dumps and of forked children, growing in steps that double it (up
 * to 1 MiB a step), and wiped and unmapped as one by vault_close() /
 * vault_data_free(). The payload is decrypted and encrypted a small locked
 * window at a time, straight between the file's bytes and the arena, so no
 * other decrypted copy of it exists. The vault key has a sodium_malloc'd
 * page of its own.
 * An entry that is not (yet) in a vault's data keeps its secret in its own
 * sodium_malloc'd buffer, unless it was made with vault_entry_init_in().
 * Strings (name, issuer, serial, note, kv keys) are plain memory owned by the
 * vault once added: malloc'd, or for those read from the file, in plain
 * blocks of the data's arena. Replace them with vault_entry_set_str() and
 * never free() them. All functions return 0 or a negative enum mfa_rc
 * unless said otherwise.
 */
#ifndef MFA_VAULT_H
#define MFA_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfa/otp.h"

#define VAULT_KEY_BYTES 32
#define VAULT_ID_BYTES 16

struct vault_arena; /* private: see "Memory" above */

struct vault_kdf {
	uint64_t ops; /* Argon2id passes (crypto_pwhash opslimit) */
	uint64_t mem; /* bytes (crypto_pwhash memlimit) */
};

/*
 * The field groups of an account that a merge (vault_merge) takes as a
 * whole from one side: labels (name, issuer, note), credential (secret,
 * type, hash, digits, period, T0) and the AWS serial.
 */
enum vault_group {
	VAULT_GROUP_LABELS,
	VAULT_GROUP_CREDENTIAL,
	VAULT_GROUP_SERIAL,
	VAULT_GROUPS
};

/*
 * A group value an account lost when two copies of the vault both changed
 * it (a merge keeps the newer one): that group's fields as they were, the
 * others NULL or zero. Strings are owned like the entry's; secret has a
 * sodium_malloc'd buffer of its own.
 */
struct vault_hist {
	enum vault_group group;
	int64_t when;		    /* when the losing value was set */
	char *name, *issuer, *note; /* VAULT_GROUP_LABELS */
	char *serial;		    /* VAULT_GROUP_SERIAL */
	struct otp_params p;	    /* VAULT_GROUP_CREDENTIAL */
	uint8_t *secret;
	size_t secret_len;
};
#define VAULT_HIST_MAX 4 /* per account; the oldest go first */

/*
 * When a merge found a group last changed, with a digest of its value
 * then (BLAKE2b-128 of the group's canonical encoding, man/mfa-vault.5):
 * once the value changes, the stamp is stale and the group dates from the
 * entry's updated time, as one that never had a stamp.
 */
struct vault_stamp {
	bool set;
	int64_t when;
	uint8_t sum[16];
};

struct vault_entry {
	uint8_t id[VAULT_ID_BYTES]; /* random, stable for the entry's life */
	char *name;		    /* never NULL once in a vault */
	char *issuer;		    /* "" when none */
	char *serial;		    /* AWS MFA serial ARN, "" when none */
	char *note;		    /* "" when none */
	struct otp_params p;
	uint8_t *secret; /* locked memory (see above); never NULL in a vault */
	size_t secret_len;
	int64_t created; /* unix seconds */
	int64_t updated;
	uint64_t last_step;   /* last TOTP step sent out (AWS), 0 = none */
	uint64_t verify_step; /* last TOTP step `verify` accepted, 0 = none */
	/* Set only by merges: values lost to the other side (newest first,
	 * at most VAULT_HIST_MAX), and when each group last changed. */
	struct vault_hist *hist; /* malloc'd array, NULL when none */
	size_t n_hist;
	/* VAULT_GROUPS stamps, malloc'd; NULL while none is set (most
	 * accounts: kept out of line, as 100,000 entries are held at once). */
	struct vault_stamp *stamp;
	/* Private: the arena secret lives in; NULL when it has its own. */
	struct vault_arena *arena;
};

struct vault_tombstone {
	uint8_t id[VAULT_ID_BYTES];
	int64_t deleted;
};

/* A small encrypted key/value cache (AWS session credentials). */
struct vault_kv {
	char *key;	/* e.g. "aws-session:<entry id hex>:<role>:<profile>" */
	uint8_t *value; /* in the data's arena */
	size_t value_len;
	int64_t expires; /* unix seconds; expired records are dropped on save */
};

/*
 * An AWS access key (an IAM user's long-term credentials) kept for a
 * profile. The secret access keys live in the data's arena like account
 * secrets; the strings are owned like an entry's. While a rotation is under
 * way the key it created waits in pending_id/pending_secret, so that no
 * failure or crash loses it. Removal leaves a tombstone (same id space as
 * entries: ids are random).
 */
struct vault_awskey {
	uint8_t id[VAULT_ID_BYTES]; /* random, stable for the record's life */
	char *profile;		    /* unique among keys, never "" */
	char *access_key_id;	    /* "AKIA..." */
	uint8_t *secret;	    /* secret access key (arena) */
	size_t secret_len;
	char *serial;	  /* the MFA device it signs in with, "" none */
	char *region;	  /* "" none */
	char *arn;	  /* the IAM user the key belongs to, "" unknown */
	char *pending_id; /* a rotation's new key, "" none */
	uint8_t *pending_secret; /* NULL when none (arena) */
	size_t pending_secret_len;
	int64_t created; /* unix seconds */
	int64_t updated;
};

struct vault_data {
	struct vault_entry *entries;
	size_t n_entries;
	struct vault_tombstone *tombstones;
	size_t n_tombstones;
	struct vault_kv *kv;
	size_t n_kv;
	struct vault_awskey *awskeys;
	size_t n_awskeys;
	/* Private: the locked arena of the secrets above (NULL until the
	 * first one), and bookkeeping. A vault_data set up by the caller
	 * starts all zero and ends with vault_data_free(). */
	struct vault_arena *arena;
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
 * Secret memory the kernel refused to lock in this process, in bytes (0
 * when every secret is locked): mlock fails past RLIMIT_MEMLOCK (`ulimit
 * -l`, often 8 MiB, sometimes 64 KiB for an ordinary user). The vault works
 * on regardless: that memory is still guarded, kept out of core dumps and
 * wiped, but it may be swapped out. *limit (when not NULL) receives the
 * soft RLIMIT_MEMLOCK in bytes, UINT64_MAX when unlimited. Only the caller
 * can tell the user what to raise, once.
 */
size_t vault_mem_unlocked(uint64_t *limit);

/*
 * Create a new empty vault at path (folder created 0700 if missing, file
 * 0600). MFA_EEXIST when a vault is already there, MFA_EISDIR when path is
 * a folder, MFA_EACCES or MFA_EROFS when it cannot be written there. The
 * vault key is random.
 */
int vault_create(const char *path, const char *pass, size_t passlen,
		 const struct vault_kdf *kdf);

/*
 * Read the vault file and check its header (magic, version, permissions);
 * nothing is decrypted yet. MFA_ENOVAULT when path does not exist,
 * MFA_EISDIR, MFA_ENOTREG, MFA_EACCES, MFA_EVAULT_PERM (owned by another
 * user, or the file or its folder writable by others), MFA_EVAULT_READABLE
 * (the file readable by group or others), MFA_EVAULT_MAGIC,
 * MFA_EVAULT_VERSION, MFA_EVAULT_CORRUPT. Caller must vault_close().
 */
int vault_open(const char *path, struct vault **out);
void vault_close(struct vault *v);
/*
 * After vault_open() or vault_create() failed with MFA_EVAULT_PERM or
 * MFA_EVAULT_READABLE: the command that fixes it, such as "chmod 600
 * /real/path/vault" or "chmod go-w /real/path", into buf (n bytes).
 * MFA_ENOTFOUND when no chmod fixes it (owned by another user).
 */
int vault_perm_fix(const char *path, char *buf, size_t n);
const char *vault_path(const struct vault *v);
/* The vault's random id from its header (stable across saves and passwd). */
const uint8_t *vault_uuid(const struct vault *v);

/*
 * Before unlocking, for a command that reads one account out of many:
 * decode only the accounts whose "issuer:name" or serial contains query,
 * case aside (every way vault_query() or a serial can name an account
 * needs that), so vault_data() holds those alone; the rest is never
 * copied out of the file. Writes are unaffected: vault_update() decodes
 * the whole file first. query is copied; NULL decodes all again. 0 or
 * MFA_ENOMEM.
 */
int vault_only_matching(struct vault *v, const char *query);
/* Unlock with a passphrase (MFA_EVAULT_AUTH when wrong) or a cached key. */
int vault_unlock_pass(struct vault *v, const char *pass, size_t passlen);
int vault_unlock_key(struct vault *v, const uint8_t key[VAULT_KEY_BYTES]);
/* The unlocked vault key, to put into the unlock cache. NULL when locked. */
const uint8_t *vault_key(const struct vault *v);
/* The decrypted data (read-only view). NULL when locked. */
const struct vault_data *vault_data(const struct vault *v);

/*
 * The one way to change a vault: take the exclusive lock, re-read the file
 * (so concurrent writers never lose each other's changes), call fn on the
 * data as it is on disk, and when fn returns 0 write the result atomically;
 * otherwise write nothing and return fn's code. Only one decrypted copy
 * exists meanwhile: when the file is still what this vault last read or
 * wrote, fn edits the in-memory data itself; when another writer changed
 * it, the old data's secrets are wiped before the new ones are decrypted.
 * Either way, pointers into vault_data() taken before the call are stale
 * after it, whatever it returns (ids fn looks up stay valid while fn runs).
 * The in-memory view is then the data as saved, or after a failure the
 * data as it is on disk (empty only if it could not even be read back).
 * MFA_EACCES, MFA_EROFS, MFA_ENOSPC, MFA_ELOCK name why a write failed.
 */
typedef int (*vault_edit_fn)(struct vault_data *d, void *arg);
int vault_update(struct vault *v, vault_edit_fn fn, void *arg);

/*
 * Remove PATH.bak, the previous version: after an account is removed it
 * would still hold the secret. MFA_EACCES, MFA_EROFS or MFA_EIO when it
 * cannot be removed.
 */
int vault_drop_backup(struct vault *v);

/*
 * The KDF cost a passphrase change would use: want's non-zero fields, the
 * current passphrase slot's cost for the others (want NULL: both current).
 * A cost lower than the current one in either field is MFA_EKDF_LOWER
 * unless flags has VAULT_KDF_WEAKER; costs out of bounds are MFA_EINVAL.
 */
#define VAULT_KDF_WEAKER 1u
int vault_kdf_resolve(const struct vault *v, const struct vault_kdf *want,
		      unsigned flags, struct vault_kdf *out);

/*
 * Change the passphrase, and the vault key with it: a new random vault key
 * re-encrypts the payload and is wrapped by a new passphrase slot (cost as
 * vault_kdf_resolve() gives it), which replaces every passphrase slot. An
 * old copy of the file still opens with the old passphrase, but its key
 * opens nothing written after. When the vault has other slots (security
 * keys, slots of a newer mfa), which wrap the vault key and cannot be
 * wrapped again without their keys, the vault key stays and only the
 * passphrase slot is rewritten; *rekeyed (when not NULL) says which
 * happened. After a re-key the unlock cache's old key is dropped from every
 * keyring this process reaches. PATH.bak, which would still open with the
 * old passphrase, is removed.
 */
int vault_passwd(struct vault *v, const char *newpass, size_t newlen,
		 const struct vault_kdf *kdf, unsigned flags, bool *rekeyed);

/*
 * Entries, for use inside an edit callback. vault_entry_init() fills in an
 * entry with a fresh id, created/updated = now and "" strings; the caller
 * fills it and passes ownership to vault_entry_add(). vault_entry_init_in()
 * does the same for an entry meant for d: its secret then goes straight
 * into d's arena (no sodium_malloc of its own, the way to add many).
 * vault_entry_set_secret() copies the secret (into the entry's arena when it
 * has one: the old bytes are wiped); vault_entry_clear() frees the strings
 * and wipes the secret (freeing it when it has its own buffer).
 * vault_entry_add() moves the entry into d (its secret into d's arena) and
 * leaves the caller's struct empty; on error the caller still owns it.
 * vault_entry_remove() clears it and leaves a tombstone.
 * vault_data_free() frees and wipes a whole vault_data the caller set up.
 */
int vault_entry_init(struct vault_entry *e, int64_t now);
int vault_entry_init_in(struct vault_data *d, struct vault_entry *e,
			int64_t now);
int vault_entry_set_secret(struct vault_entry *e, const uint8_t *s, size_t n);
int vault_entry_set_str(char **field, const char *value);
void vault_entry_clear(struct vault_entry *e);
int vault_entry_add(struct vault_data *d, struct vault_entry *e);
int vault_entry_remove(struct vault_data *d, size_t idx, int64_t now);
void vault_data_free(struct vault_data *d);
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

/* kv cache: set (copies value into d's arena), get (view; NULL when absent
 * or expired), del (wipes it). */
int vault_kv_set(struct vault_data *d, const char *key, const uint8_t *value,
		 size_t len, int64_t expires);
const struct vault_kv *vault_kv_get(const struct vault_data *d, const char *key,
				    int64_t now);
void vault_kv_del(struct vault_data *d, const char *key);

/*
 * AWS access keys, for use inside an edit callback (except the finds).
 * vault_awskey_add() copies k into d (strings and secrets; a NULL string is
 * ""), keeping k->id: a new record takes vault_awskey_new_id(), a merge the
 * id it has. MFA_EEXIST when the id or the profile is taken, MFA_EINVAL for
 * a profile, key id or secret missing or malformed (profile: no '[', ']'
 * or control characters, at most 200 bytes; key ids: 16 to 128 letters and
 * digits; secrets 1 to 256 bytes of printable ASCII).
 * vault_awskey_set() replaces record idx with a copy of k, which may point
 * into the record itself; on error the record is as it was.
 * vault_awskey_remove() wipes record idx and leaves a tombstone.
 * The finds return an index or -1.
 */
void vault_awskey_new_id(uint8_t id[VAULT_ID_BYTES]);
int vault_awskey_add(struct vault_data *d, const struct vault_awskey *k);
int vault_awskey_set(struct vault_data *d, size_t idx,
		     const struct vault_awskey *k);
int vault_awskey_remove(struct vault_data *d, size_t idx, int64_t now);
long vault_awskey_find(const struct vault_data *d, const char *profile);
long vault_awskey_find_id(const struct vault_data *d,
			  const uint8_t id[VAULT_ID_BYTES]);

/*
 * Unlock cache: the vault key in the kernel keyring, named after the
 * vault's path and uuid, expired by the kernel. It sits in a keyring of
 * ours ("mfa:cache:<uid>") inside the session keyring, which only our uid
 * may search: another uid that shares the session keyring (su, setpriv,
 * sudo without pam_keyinit) can neither find nor read it.
 *
 * The keyring used is the process's session keyring; a process without
 * one gets the user-session keyring (shared by all the user's processes
 * that have none). *where receives its name, "session keyring" or
 * "user-session keyring" (static strings). A revoked session keyring leaves
 * none: MFA_EKEYRING.
 *
 * vault_cache_put: ttl seconds (0 = do nothing, *where NULL).
 * vault_cache_get: MFA_ENOTFOUND when absent or expired, MFA_EKEYRING when
 * the keyring is unavailable.
 * vault_cache_drop: 0 when this vault's key was dropped from the keyring a
 * put would use, MFA_ENOTCACHED when nothing was cached there.
 */
int vault_cache_put(const struct vault *v, unsigned ttl, const char **where);
int vault_cache_get(const struct vault *v, uint8_t key[VAULT_KEY_BYTES]);
int vault_cache_drop(const struct vault *v, const char **where);
/*
 * Drop every mfa vault key, whatever vault it belongs to, from every
 * keyring a put may use and this process reaches: its session keyring and
 * the user-session keyring (for `mfa lock --all`, and for
 * a vault that was moved or destroyed while its key was cached). *n
 * receives how many were dropped; MFA_ENOTCACHED when none.
 */
int vault_cache_drop_all(unsigned *n);
/*
 * A dry run of vault_cache_put() (for mfa doctor): *where receives the
 * keyring a put would use; 0 when a key can be added there, else
 * MFA_EKEYRING with the kernel's errno in *err.
 */
int vault_cache_probe(const char **where, int *err);

/*
 * Merging two copies of a vault that both changed since a common version
 * (git's three-way merge; rules in man/mfa-vault.5, MERGING). A pure
 * function of its inputs: no clock, no randomness that shows (a record's
 * id comes from its inputs), so every machine that merges the same three
 * versions gets the same data, whichever side is "ours".
 *
 * The report says what changed in ours, in account terms, and what the
 * merge had to decide; it holds labels (names), never a secret.
 */
enum vault_change_bits {
	VAULT_CH_ADDED = 1u << 0,    /* in the result, not in ours */
	VAULT_CH_REMOVED = 1u << 1,  /* in ours, not in the result */
	VAULT_CH_RENAMED = 1u << 2,  /* name or issuer */
	VAULT_CH_EDITED = 1u << 3,   /* groups: which ones changed */
	VAULT_CH_COUNTER = 1u << 4,  /* the HOTP counter moved on */
	VAULT_CH_STEP = 1u << 5,     /* the last step sent to AWS moved on */
	VAULT_CH_VERIFIED = 1u << 6, /* the last step verify took moved on */
	VAULT_CH_KEPT = 1u << 7,     /* removed on one side, changed on the
				      * other: kept */
	VAULT_CH_CONFLICT = 1u << 8, /* conflicts: groups changed on both
				      * sides (the older value is in the
				      * history) */
	VAULT_CH_CLASH = 1u << 9,    /* shares its label with another */
};
struct vault_change {
	unsigned what;	    /* VAULT_CH_* bits */
	unsigned groups;    /* bits 1 << enum vault_group, EDITED */
	unsigned conflicts; /* the same, CONFLICT */
	const char *noun;   /* "account" (static) */
	uint8_t id[VAULT_ID_BYTES];
	char *label;	 /* "issuer:name" or "name" (malloc'd) */
	char *old_label; /* RENAMED: the label before, else NULL */
};
struct vault_report {
	struct vault_change *v; /* in the order of the records */
	size_t n;
	bool kv; /* the cache (kv) differs */
};
void vault_report_free(struct vault_report *r);

/*
 * What changed from `from` to `to`, one item per record that changed.
 * MFA_ENOMEM.
 */
int vault_diff(const struct vault_data *from, const struct vault_data *to,
	       struct vault_report *rep);

/*
 * Merge ours and theirs, both changed since base (NULL: no common version,
 * as after two separate `mfa init`s: an empty one), into out (set up here,
 * vault_data_free() it). The kv cache is ours'. rep (NULL: none) receives
 * what changed in ours and what was decided. MFA_ENOMEM; out is empty on
 * error.
 */
int vault_merge(const struct vault_data *base, const struct vault_data *ours,
		const struct vault_data *theirs, struct vault_data *out,
		struct vault_report *rep);

/* Set stamp g of e (allocating e->stamp): 0 or MFA_ENOMEM. */
int vault_entry_stamp_set(struct vault_entry *e, enum vault_group g,
			  int64_t when, const uint8_t sum[16]);
/* When group g of e last changed, as merges see it: its stamp's time
 * while the stamp is current, else e->updated. */
int64_t vault_group_time(const struct vault_entry *e, enum vault_group g);

/*
 * Versions of a vault that are not its file (git's merge inputs, an old
 * commit): vault_open_mem() reads one from buf (copied; header checked as
 * vault_open() does, but no file and no permission), to unlock like any
 * other; path names the vault file it is a version of, which the unlock
 * cache knows it by. Such a vault is never written: vault_update(),
 * vault_passwd() and vault_drop_backup() refuse it (MFA_EINVAL).
 */
int vault_open_mem(const char *path, const uint8_t *buf, size_t len,
		   struct vault **out);
/* Whether a and b hold the same key slots, byte for byte. */
bool vault_same_slots(const struct vault *a, const struct vault *b);
/*
 * The bytes of a vault file holding d: keyv's uuid, key slots and vault
 * key (unlocked), a fresh nonce, and after d's records the records of a
 * newer format that recv (unlocked; NULL: none) holds. *out is malloc'd
 * (ciphertext only). MFA_ETOOBIG.
 */
int vault_encode(const struct vault *keyv, const struct vault *recv,
		 const struct vault_data *d, uint8_t **out, size_t *len);
/* How many times this process wrote v's file (vault_update, passwd). */
unsigned vault_saves(const struct vault *v);
/*
 * Hold the vault's write lock (PATH.lock, as vault_update() takes it)
 * while something else replaces the file, so no write of mfa's is lost
 * meanwhile; vault_update() on the same vault would wait for it. *fd is -1
 * on error. MFA_ELOCK.
 */
int vault_lock(const struct vault *v, int *fd);
void vault_unlock(int fd);

/*
 * Write a file atomically: a temp file (O_CREAT|O_EXCL|O_NOFOLLOW, 0600)
 * in the same folder, mode set, written, fsync'd, renamed over path, and
 * the folder fsync'd; a symbolic link at path is replaced, not followed.
 * mode is the file's final mode (0600 for secrets). MFA_EISDIR, MFA_EACCES,
 * MFA_EROFS, MFA_ENOSPC, MFA_ENOENT (no such folder), MFA_EIO; on error
 * path is as it was and no temp file is left.
 */
int vault_file_write(const char *path, const void *buf, size_t len,
		     unsigned mode);

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
