/*
 * Private helpers shared by the io format files (implemented in io.c):
 * wiping allocators for jansson and protobuf-c, JSON loading with safe error
 * text, base64, entry building and error reasons.
 */
#ifndef MFA_IO_IOJSON_H
#define MFA_IO_IOJSON_H

#include "lazy/jansson.h"

#include "io/io.h"

/*
 * Make jansson allocate with io_wipe_alloc/io_wipe_free, so secrets parsed
 * or serialised by jansson are wiped when freed. Idempotent. Must run before
 * jansson allocates anything (main() calls it first; io_import, io_detect
 * and io_export_json call it too, for programs that did not).
 */
void io_json_secure_init(void);

/*
 * malloc() that remembers the block's size; io_wipe_free() wipes the whole
 * block before freeing it. NULL on failure or overflow. Blocks from one must
 * only be freed by the other.
 */
void *io_wipe_alloc(size_t size);
void io_wipe_free(void *p);

/*
 * json_loadb() with io_json_secure_init() done first, on buf with every byte
 * that is not part of valid UTF-8 replaced by U+FFFD (jansson would refuse
 * the whole file; names are repaired at the door anyway). On failure returns
 * NULL and writes "JSON error at line L column C: <reason>" to why (when not
 * NULL); jansson's "near '...'" quote of the input is dropped, since it may
 * hold part of a secret.
 */
json_t *io_json_load(const uint8_t *buf, size_t len, size_t flags,
		     struct mfa_err *err);

/*
 * Load buf as JSON (no error text) and ask is() about the tree; false when
 * it does not parse. For the *_sniff functions of the formats.
 */
bool io_json_sniff(const uint8_t *buf, size_t len,
		   bool (*is)(const json_t *root));

/*
 * Base64 (RFC 4648, standard or URL-safe alphabet, '=' padding optional,
 * spaces and line breaks ignored) into a sodium_malloc'd *out of *outlen
 * bytes (the caller sodium_free()s it; never NULL on success, even for empty
 * input). MFA_EPARSE on bad input, MFA_ENOMEM.
 */
int io_base64_decode(const char *in, size_t inlen, uint8_t **out,
		     size_t *outlen);
/*
 * Standard padded base64 of in, NUL terminated, into a sodium_malloc'd *out
 * (*outlen excludes the NUL). MFA_ENOMEM.
 */
int io_base64_encode(const uint8_t *in, size_t inlen, char **out,
		     size_t *outlen);

/*
 * Fill *e with copies of the given values (NULL strings become ""; the
 * secret goes into fresh sodium_malloc'd memory). On error *e is left
 * cleared (MFA_ENOMEM).
 */
int io_entry_make(struct io_entry *e, const char *name, const char *issuer,
		  const struct otp_params *p, const uint8_t *secret,
		  size_t secret_len);

/*
 * Move every entry of src (and its skipped reasons) to the end of dst; the
 * secrets are copied into dst's arena. On success src is empty (freed); on
 * MFA_ENOMEM or MFA_ETOOBIG neither list changed.
 */
int io_list_move(struct io_list *dst, struct io_list *src);

/*
 * Room for a secret of up to cap bytes in l's arena (secret memory, freed
 * with the list); NULL when out of memory. io_secret_trim keeps the first
 * `used` bytes of what io_secret_alloc just returned and gives the rest back
 * (wiped); used 0 gives it all back. An entry whose secret came from here
 * is pushed onto the same list with in_arena set.
 */
uint8_t *io_secret_alloc(struct io_list *l, size_t cap);
void io_secret_trim(struct io_list *l, uint8_t *p, size_t cap, size_t used);

/*
 * One entry could not be imported for reason why (rc): with
 * l->skip_unsupported, keep the reason in l->skipped and return 0 (go on
 * with the next entry); else set l->entry_failed and return rc. Out of
 * memory and a full list are never skipped.
 */
int io_skip(struct io_list *l, int rc, const struct mfa_err *err);

/*
 * A format's private list: io_list_begin gives tmp out's settings;
 * io_list_end moves tmp onto out when rc is 0 (entries, skips and KDF
 * work), else carries back only what out must know (entry_failed, KDF
 * work); tmp is freed either way. Returns rc, or the move's error.
 */
void io_list_begin(struct io_list *tmp, const struct io_list *out);
int io_list_end(struct io_list *out, struct io_list *tmp, int rc,
		struct mfa_err *err);

#endif
