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
 * json_loadb() with io_json_secure_init() done first. On failure returns NULL
 * and writes "JSON error at line L column C: <reason>" to why (when not
 * NULL); jansson's "near '...'" quote of the input is dropped, since it may
 * hold part of a secret.
 */
json_t *io_json_load(const uint8_t *buf, size_t len, size_t flags,
		     char why[IO_WHY_MAX]);

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
 * Move every entry of src to the end of dst. On success src is empty (its
 * array freed); on MFA_ENOMEM neither list changed.
 */
int io_list_move(struct io_list *dst, struct io_list *src);

/* snprintf into why when why is not NULL (IO_WHY_MAX bytes, truncated). */
void io_why(char *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
