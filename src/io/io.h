/*
 * io: other authenticators' formats, in and out.
 *
 * Importers turn a file's bytes into a plain list of entries; they never
 * touch the vault (the cli decides what goes in). Exporters turn entries into
 * bytes. Secrets (entry secrets, decrypted plaintexts, output buffers holding
 * secrets) live in sodium_malloc'd memory and are wiped on every path.
 * Functions return 0 or a negative enum mfa_rc; on error `why` (when not
 * NULL) receives a short human reason such as "entry 3: bad base32 secret".
 */
#ifndef MFA_IO_H
#define MFA_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfa/otp.h"

struct io_entry {
	char *name;   /* malloc'd, never NULL ("" allowed) */
	char *issuer; /* malloc'd, never NULL */
	char *serial; /* malloc'd, never NULL (AWS ARN or "") */
	char *note;   /* malloc'd, never NULL */
	struct otp_params p;
	/*
	 * sodium_malloc'd for an entry of its own; once pushed onto a list it
	 * lives in the list's secret arena (in_arena), freed with the list.
	 */
	uint8_t *secret;
	size_t secret_len;
	bool in_arena;
	bool repaired; /* a string held invalid UTF-8, now U+FFFD */
};

struct io_arena; /* io.c: chunks of secret memory, freed as one */

struct io_list {
	struct io_entry *v;
	size_t n, cap;
	/*
	 * In: leave out an entry that cannot be imported (a type mfa cannot
	 * compute, a bad secret or parameter) and go on with the others,
	 * instead of failing the whole import. Files that cannot be read at
	 * all (not JSON, wrong password) still fail.
	 */
	bool skip_unsupported;
	/* Out: one malloc'd reason per entry left out, naming the entry. */
	char **skipped;
	size_t nskipped;
	/* Out: the import failed on one entry, which skip_unsupported skips. */
	bool entry_failed;
	/* In/out: key derivation work spent on this list's files (N*r*p). */
	uint64_t kdf_work;
	struct io_arena *arena;
};

enum io_format {
	IO_AUTO = 0,
	IO_URI,	     /* otpauth:// lines (and otpauth-migration:// lines) */
	IO_GOOGLE,   /* otpauth-migration://offline?data=... */
	IO_AEGIS,    /* Aegis vault JSON, plain or encrypted */
	IO_ANDOTP,   /* andOTP JSON, or its encrypted .bin (new and old) */
	IO_TWOFAS,   /* 2FAS .2fas, plain or encrypted */
	IO_AWS_SEED, /* bare base32 text (AWS Base32StringSeed) */
	IO_IMAGE,    /* PNG/JPEG/PPM/PGM: the cli sends these to qr */
	IO_JSON,     /* mfa's own export JSON */
};

/*
 * At most this many accounts in one list (one import): a bound on memory
 * for a hostile file, far above any real backup. Secrets share one arena of
 * a few large locked blocks, so the bound is not set by the kernel's limit
 * on mappings.
 */
#define IO_MAX_ENTRIES 1000000

/* "uri", "google", "aegis", "andotp", "2fas", "aws-seed", "image", "json". */
const char *io_format_name(enum io_format f);
int io_format_parse(const char *s, enum io_format *f);

/* Guess the format from the content (never from a file name). */
enum io_format io_detect(const uint8_t *buf, size_t len);

/*
 * Password callback for encrypted files: called at most once per file and
 * only when the file is encrypted. Fills *pass (sodium_malloc'd, NUL
 * terminated; the importer sodium_free()s it) and *len.
 */
typedef int (*io_pass_fn)(void *arg, char **pass, size_t *len);

/*
 * Append the entries found in buf (a whole file) to out. fmt IO_AUTO
 * detects; IO_IMAGE is refused (MFA_EFORMAT: images go through qr first).
 * On error nothing is appended.
 */
int io_import(const uint8_t *buf, size_t len, enum io_format fmt,
	      io_pass_fn pass, void *pass_arg, struct io_list *out,
	      struct mfa_err *err);

/*
 * Append e to l, taking ownership (e is cleared, also on error). Every
 * entry passes the same door: parameters in range (otp_params_check, a
 * counter at most OTP_COUNTER_MAX), a secret of 1 to OTP_SECRET_MAX bytes,
 * and strings made valid UTF-8 (bad bytes become U+FFFD, e->repaired set).
 * io_list_add writes the reason for a refusal into why (when not NULL).
 */
int io_list_push(struct io_list *l, struct io_entry *e);
int io_list_add(struct io_list *l, struct io_entry *e, struct mfa_err *err);
void io_entry_clear(struct io_entry *e);
void io_list_free(struct io_list *l);
/* Put "prefix: " before the skipped reasons from index `from` on. */
int io_list_prefix_skips(struct io_list *l, size_t from, const char *prefix);

/*
 * Exporters write into a sodium_malloc'd buffer *out of *outlen bytes (plus
 * a NUL); caller must sodium_free(). Google: the URIs of batches of at most
 * 10 accounts, one a line. Aegis: encrypted with pass (scrypt + AES-256-GCM
 * as Aegis does) or plain when pass is NULL.
 */
int io_export_uri(const struct io_entry *e, size_t n, char **out,
		  size_t *outlen);
int io_export_json(const struct io_entry *e, size_t n, char **out,
		   size_t *outlen);
/*
 * Google refuses (MFA_EUNSUPPORTED, `why` naming the account) what Google
 * Authenticator cannot hold: Steam, digits other than 6 or 8, a period other
 * than 30 s, a T0. Nothing is ever converted into something else.
 */
int io_export_google(const struct io_entry *e, size_t n, char **out,
		     size_t *outlen, struct mfa_err *err);
int io_export_aegis(const struct io_entry *e, size_t n, const char *pass,
		    size_t passlen, char **out, size_t *outlen);

/*
 * What export format f (IO_URI, IO_JSON, IO_GOOGLE, IO_AEGIS) does with e:
 * MFA_EUNSUPPORTED when it cannot carry the account without changing its
 * codes (why: the reason, without the account's name), else 0; *lost then
 * gets the fields it leaves out ("note and serial"), or NULL when none.
 */
int io_export_check(enum io_format f, const struct io_entry *e,
		    const char **lost, struct mfa_err *err);

#endif
