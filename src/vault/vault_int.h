/*
 * vault internals shared by vault.c, payload.c, entry.c, file.c and cache.c.
 * The byte layout is documented in man/mfa-vault.5; keep both in step.
 */
#ifndef MFA_VAULT_INT_H
#define MFA_VAULT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "mfa/vault.h"

#define VAULT_MAGIC "\x89MFAV\0\r\n"
#define VAULT_MAGIC_LEN 8
#define VAULT_VERSION 1

/* Fixed part of the header: magic .. ciphertext length. */
#define VAULT_HDR_FIXED 60
#define VAULT_OFF_VERSION 8
#define VAULT_OFF_NSLOTS 10
#define VAULT_OFF_HLEN 12
#define VAULT_OFF_UUID 16
#define VAULT_OFF_NONCE 32
#define VAULT_OFF_CLEN 56
#define VAULT_NONCE_BYTES 24
#define VAULT_TAG_BYTES 16
#define VAULT_SLOTS_MAX 32
#define VAULT_SLOT_HEAD 5 /* type u8, length u32 */

/* Passphrase slot (type 1) body. */
#define VAULT_SLOT_PASS 1
#define VAULT_KDF_ARGON2ID13 2
#define VAULT_PASS_OFF_ALG 0
#define VAULT_PASS_OFF_OPS 1
#define VAULT_PASS_OFF_MEM 9
#define VAULT_PASS_OFF_SALT 17
#define VAULT_PASS_OFF_NONCE 33
#define VAULT_PASS_OFF_WRAP 57
#define VAULT_SALT_BYTES 16
#define VAULT_PASS_BODY 105 /* 57 + 32 + 16 */

/* Refused on open: keeps a crafted slot from costing hours or all memory. */
#define VAULT_KDF_OPS_MAX 1000ULL
#define VAULT_KDF_MEM_MAX (4ULL << 30)
#define VAULT_KDF_WORK_MAX (64ULL << 30) /* ops * mem */

#define VAULT_FILE_MAX (64UL << 20)
#define VAULT_PAD 1024

/* Payload record tags. */
#define PAYLOAD_END 0
#define PAYLOAD_ENTRY 1
#define PAYLOAD_TOMBSTONE 2
#define PAYLOAD_KV 3
#define PAYLOAD_AWSKEY 4

/* Field tags of the account record (man/mfa-vault.5). */
enum {
	F_ENTRY_ID = 1,
	F_ENTRY_NAME,
	F_ENTRY_ISSUER,
	F_ENTRY_TYPE,
	F_ENTRY_HASH,
	F_ENTRY_DIGITS,
	F_ENTRY_PERIOD,
	F_ENTRY_T0,
	F_ENTRY_COUNTER,
	F_ENTRY_SECRET,
	F_ENTRY_SERIAL,
	F_ENTRY_NOTE,
	F_ENTRY_CREATED,
	F_ENTRY_UPDATED,
	F_ENTRY_LAST_STEP,
	F_ENTRY_VERIFY_STEP,
	F_ENTRY_HISTORY,
	F_ENTRY_STAMPS,
};

/* A payload record this version does not know, kept verbatim on rewrite. */
struct vault_blob {
	uint8_t tag;
	uint8_t *body; /* in the data's arena */
	size_t len;
};

struct vault_blobs {
	struct vault_blob *v;
	size_t n;
};

struct vault_slot {
	uint8_t type;
	size_t off; /* of the slot head inside the header */
	size_t len; /* body length */
};

/* A parsed header; offsets point into the file buffer it came from. */
struct vault_hdr {
	unsigned version;
	size_t hlen;
	size_t clen;
	size_t nslots;
	struct vault_slot slots[VAULT_SLOTS_MAX];
};

struct vault {
	char *path; /* as given */
	char *real; /* resolved: all file operations use this */
	uint8_t uuid[VAULT_ID_BYTES];
	uint8_t *file;	  /* bytes of the file last read or written */
	bool file_mapped; /* file is a mapping (vault_file_release) */
	size_t flen;
	struct vault_hdr hdr;
	uint8_t *key; /* sodium_malloc'd; NULL while locked */
	struct vault_data data;
	struct vault_blobs blobs; /* bodies in data's arena */
	bool mem;		  /* vault_open_mem(): never written */
	char *query;		  /* vault_only_matching(), else NULL */
	bool partial;		  /* data holds only the query's entries */
	unsigned saves;		  /* successful writes of the file */
};

/* arena.c: the locked, guarded memory behind a vault_data. */
struct arena_chunk;
struct arena_strs;
struct vault_arena {
	struct arena_chunk *top; /* newest chunk, the one allocated from */
	struct arena_strs *strs; /* strings decoded from the file */
	size_t size;		 /* bytes usable over all chunks */
	size_t live;		 /* handed out and not released */
	size_t released;	 /* released (wiped), not reusable */
	/* Bookkeeping of the vault_data that owns the arena. */
	size_t entries_cap;
	uint64_t *ids; /* open-addressing set of entry id hashes, 0 = free */
	size_t ids_cap, ids_n;
	bool ids_valid;
};
int vault_arena_new(struct vault_arena **out);
void vault_arena_free(struct vault_arena *a);
/* Wipe and unmap every secret, keeping the strings and the bookkeeping. */
void vault_arena_wipe(struct vault_arena *a);
/* n bytes (n > 0), NULL when out of memory. */
uint8_t *vault_arena_alloc(struct vault_arena *a, size_t n);
/* Wipe n bytes at p, handed out by a; the space is reused only by a new
 * arena (the next decode), so a long edit does not fragment it. */
void vault_arena_release(struct vault_arena *a, uint8_t *p, size_t n);
/* A copy of n bytes as a string (NUL added) among the arena's strings, or
 * NULL. Such strings are freed with the arena, never with free(). */
char *vault_arena_str(struct vault_arena *a, const void *s, size_t n);
/* The arena whose strings hold p, or NULL (p is malloc'd or NULL). */
struct vault_arena *vault_arena_str_owner(const char *p);
/* A region of its own, locked and guarded like an arena chunk. */
void *vault_secmem_alloc(size_t n);
void vault_secmem_free(void *p, size_t n);

/* stream.c: XChaCha20-Poly1305 (IETF) a piece at a time, byte for byte
 * what crypto_aead_xchacha20poly1305_ietf_encrypt() makes. */
#define VAULT_WIN 16384 /* the plaintext window; a multiple of 64 */
struct vault_stream {
	uint8_t win[VAULT_WIN];
	uint8_t k2[32]; /* HChaCha20 subkey */
	uint8_t n2[12]; /* 4 zero bytes, then nonce bytes 16..23 */
	uint8_t ks[64]; /* keystream block being used up */
	size_t ks_left;
	uint32_t block; /* next ChaCha20 block counter */
	uint64_t adlen, ctlen;
	crypto_onetimeauth_poly1305_state mac;
};
int vault_stream_open(struct vault_stream **out, const uint8_t *key,
		      const uint8_t *nonce, const uint8_t *ad, size_t adlen);
void vault_stream_xor(struct vault_stream *s, uint8_t *dst, const uint8_t *src,
		      size_t n);
void vault_stream_auth(struct vault_stream *s, const uint8_t *ct, size_t n);
void vault_stream_tag(struct vault_stream *s, uint8_t tag[VAULT_TAG_BYTES]);
void vault_stream_close(struct vault_stream *s);

/* vault.c */
int vault_sodium(void);
int vault_hdr_parse(const uint8_t *buf, size_t len, struct vault_hdr *h);
bool vault_kdf_ok(uint64_t ops, uint64_t mem);
/* Adopt key (sodium_malloc'd, taken in every case) as the vault key. */
int vault_unlock_with(struct vault *v, uint8_t *key);
/*
 * A save whose slot area is made by fn from the header h of the file as
 * read under the lock: *out (malloc'd, *len bytes, *n slots).
 */
typedef int (*vault_slots_fn)(const uint8_t *file, const struct vault_hdr *h,
			      uint8_t **out, size_t *len, size_t *n, void *arg);
int vault_save_slots(struct vault *v, vault_slots_fn fn, void *arg);

/* slot.c */
int vault_slot_fido2_check(const uint8_t *body, size_t len);

/* payload.c: the encrypted payload <-> data, one pass each way. */
struct vault_plan {
	size_t ptlen; /* the padded plaintext */
	size_t *lens; /* each record's body length, in file order */
};
int vault_payload_size(const struct vault_data *d, const struct vault_blobs *b,
		       struct vault_plan *plan);
int vault_payload_encode(const struct vault_data *d,
			 const struct vault_blobs *b,
			 const struct vault_plan *plan, const uint8_t *key,
			 uint8_t *file, size_t hlen);
void vault_plan_free(struct vault_plan *plan);
int vault_payload_decode(const uint8_t *file, const struct vault_hdr *h,
			 const uint8_t *key, struct vault_data *d,
			 struct vault_blobs *b);
int vault_payload_decode_query(const uint8_t *file, const struct vault_hdr *h,
			       const uint8_t *key, const char *query,
			       struct vault_data *d, struct vault_blobs *b);
void vault_blobs_free(struct vault_blobs *b);

/* entry.c */
void vault_kv_prune(struct vault_data *d, int64_t now);
/* Free a history item's strings and wipe its secret; all of e's history. */
void vault_hist_clear(struct vault_hist *h);
void vault_entry_hist_free(struct vault_entry *e);
int vault_data_arena(struct vault_data *d);
int vault_data_grow(struct vault_data *d);

/* awskey.c */
bool vault_awskey_profile_ok(const char *s);
bool vault_awskey_id_ok(const char *s);
bool vault_awskey_secret_ok(const uint8_t *s, size_t n);
/* Room for one more record in d->awskeys. */
int vault_awskey_grow(struct vault_data *d);
/* Drop the pointers to secrets about to be wiped with the arena. */
void vault_awskeys_forget_secrets(struct vault_data *d);
/* Free the records' strings and the array (secrets go with the arena). */
void vault_awskeys_free(struct vault_data *d);

/* file.c */
int vault_file_errno(int e);
int vault_file_resolve(const char *path, bool create, char **real);
int vault_file_read(const char *real, uint8_t **buf, size_t *len);
/* vault_file_read, or for a file of VAULT_MAP_MIN bytes or more a
 * read-only mapping of it (*mapped true); free with vault_file_release. */
#define VAULT_MAP_MIN (1u << 20)
int vault_file_load(const char *real, uint8_t **buf, size_t *len, bool *mapped);
void vault_file_release(uint8_t *buf, size_t len, bool mapped);
int vault_file_check_dir(const char *real);
int vault_file_mkdir_p(const char *path);
int vault_file_lock(const char *real, int *fd);
void vault_file_unlock(int fd);
int vault_file_exists(const char *real);
int vault_file_replace(const char *real, const uint8_t *buf, size_t len);

/* cache.c */
void vault_cache_forget(const struct vault *v);

static inline uint16_t
vault_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t
vault_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t
vault_get64(const uint8_t *p)
{
	return (uint64_t)vault_get32(p) | (uint64_t)vault_get32(p + 4) << 32;
}

static inline void
vault_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
vault_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
vault_put64(uint8_t *p, uint64_t v)
{
	vault_put32(p, (uint32_t)v);
	vault_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
