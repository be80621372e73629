/*
 * vault internals shared by vault.c, payload.c, entry.c, file.c and cache.c.
 * The byte layout is documented in man/mfa-vault.5; keep both in step.
 */
#ifndef MFA_VAULT_INT_H
#define MFA_VAULT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Payload record and field tags. */
#define PAYLOAD_END 0
#define PAYLOAD_ENTRY 1
#define PAYLOAD_TOMBSTONE 2
#define PAYLOAD_KV 3

/* A payload record this version does not know, kept verbatim on rewrite. */
struct vault_blob {
	uint8_t tag;
	uint8_t *body; /* sodium_malloc'd */
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
	uint8_t *file; /* bytes of the file last read or written */
	size_t flen;
	struct vault_hdr hdr;
	uint8_t *key; /* sodium_malloc'd; NULL while locked */
	struct vault_data data;
	struct vault_blobs blobs;
};

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

/* payload.c: plaintext <-> data. */
int payload_encode(const struct vault_data *d, const struct vault_blobs *b,
		   uint8_t **out, size_t *outlen);
int payload_decode(const uint8_t *pt, size_t len, struct vault_data *d,
		   struct vault_blobs *b);
void payload_blobs_free(struct vault_blobs *b);

/* entry.c */
void entry_data_free(struct vault_data *d);
void entry_kv_prune(struct vault_data *d, int64_t now);

/* file.c */
int file_resolve(const char *path, bool create, char **real);
int file_read(const char *real, uint8_t **buf, size_t *len);
int file_check_dir(const char *real);
int file_mkdir_p(const char *path);
int file_lock(const char *real, int *fd);
void file_unlock(int fd);
int file_exists(const char *real);
int file_replace(const char *real, const uint8_t *buf, size_t len);

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
