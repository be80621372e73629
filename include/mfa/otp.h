/*
 * mfa engine: HOTP (RFC 4226), TOTP (RFC 6238), Steam Guard, base32 (RFC 4648)
 * and otpauth:// URIs (Google's Key Uri Format).
 *
 * Pure functions over caller buffers: no I/O, no globals, no allocation of
 * secret memory. Callers own every secret buffer (sodium_malloc'd in mfa);
 * the engine wipes its own stack temporaries before returning, on every path.
 * All functions return 0 or a negative enum mfa_rc.
 */
#ifndef MFA_OTP_H
#define MFA_OTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfa/rc.h"

enum otp_type { OTP_TOTP = 0, OTP_HOTP = 1, OTP_STEAM = 2 };
enum otp_hash { OTP_SHA1 = 0, OTP_SHA256 = 1, OTP_SHA512 = 2 };

#define OTP_DIGITS_MIN 1
#define OTP_DIGITS_MAX 10
#define OTP_STEAM_DIGITS 5
/* Longest code plus its NUL. */
#define OTP_CODE_MAX 11
/* Longest secret we accept, in bytes (Aegis allows long ones; 1 KiB is ample).
 */
#define OTP_SECRET_MAX 1024
/*
 * Highest HOTP counter mfa keeps: 2^63 - 1, what signed 64-bit readers
 * (Google's protobuf, JSON parsers, Aegis) can hold.
 */
#define OTP_COUNTER_MAX ((uint64_t)INT64_MAX)
/* RFC 4226 section 4: a shared secret of at least 128 bits (160 advised). */
#define OTP_SECRET_MIN_BITS 128

/* How a code is made, without the secret. */
struct otp_params {
	enum otp_type type;
	enum otp_hash hash;
	unsigned digits;  /* 1..10; 5 for Steam */
	uint64_t period;  /* seconds, >= 1 (TOTP, Steam) */
	int64_t t0;	  /* TOTP epoch, unix seconds */
	uint64_t counter; /* HOTP: the next counter to use */
};

/* Defaults for a type: SHA1, 6 digits (5 for Steam), 30 s, T0 0, counter 0. */
void otp_params_default(struct otp_params *p, enum otp_type type);
/* Check ranges: MFA_EDIGITS, MFA_EPERIOD, MFA_EHASH, MFA_EINVAL. */
int otp_params_check(const struct otp_params *p);

/* HOTP value for counter, as `digits` decimal characters + NUL in out. */
int otp_hotp(const uint8_t *key, size_t keylen, enum otp_hash hash,
	     uint64_t counter, unsigned digits, char out[OTP_CODE_MAX]);
/* Steam Guard code (5 characters of 23456789BCDFGHJKMNPQRTVWXY) for counter. */
int otp_steam(const uint8_t *key, size_t keylen, uint64_t counter,
	      char out[OTP_CODE_MAX]);
/*
 * The time step of `now` (floor((now - t0) / period)); MFA_ETIME when now is
 * before t0.
 */
int otp_step(int64_t now, int64_t t0, uint64_t period, uint64_t *step);
/* Seconds left in the step that holds `now` (1..period). */
uint64_t otp_remaining(int64_t now, int64_t t0, uint64_t period);
/*
 * The code of params p at `now` (TOTP/Steam) or at p->counter (HOTP, now
 * ignored). Does not advance the counter.
 */
int otp_code(const struct otp_params *p, const uint8_t *key, size_t keylen,
	     int64_t now, char out[OTP_CODE_MAX]);
/* The code for an explicit step or counter, whatever the type. */
int otp_code_at_step(const struct otp_params *p, const uint8_t *key,
		     size_t keylen, uint64_t step, char out[OTP_CODE_MAX]);
/* Constant-time comparison of two NUL-terminated codes; true when equal. */
bool otp_code_equal(const char *a, const char *b);

/*
 * Verification over a window of steps (TOTP, Steam) or counters (HOTP).
 *
 * otp_verify_window compares `given` with the codes of every step from
 * center - before to center + after (clipped to 0 .. UINT64_MAX - 1), each
 * at most OTP_VERIFY_MAX. The HMAC key is hashed once; every candidate is
 * computed and compared the same way, with no early exit, so the time
 * taken tells neither whether nor where a code matched. Wide windows are
 * split over `threads` threads (0: one per available core; scans of fewer
 * than OTP_VERIFY_PARALLEL_MIN candidates run on the calling thread).
 * On a match, found is true and offset is the matching step minus center,
 * the one nearest center (the earlier of two at the same distance). A
 * `given` that cannot be a code of p (wrong length or characters) matches
 * nothing. Returns 0 (match or not), MFA_EINVAL (a side over
 * OTP_VERIFY_MAX) or what otp_params_check() returns. A thread that cannot
 * be started is no error: its share then runs on the calling thread.
 */
#define OTP_VERIFY_MAX 10000000ULL
#define OTP_VERIFY_PARALLEL_MIN 16384ULL
struct otp_verify {
	uint64_t center, before, after; /* in */
	unsigned threads;		/* in */
	bool found;			/* out */
	int64_t offset;			/* out */
};
int otp_verify_window(const struct otp_params *p, const uint8_t *key,
		      size_t keylen, const char *given, struct otp_verify *v);

/*
 * Replace what could drive a terminal in a label (name, issuer, note), in
 * place, with '?': C0 controls, DEL, C1 controls (U+0080-U+009F), and every
 * byte that is not part of valid UTF-8 (so a raw 0x9B, CSI on terminals
 * that read 8-bit controls, is caught too). A name from a hostile QR code
 * or file must never move a terminal's cursor or set its clipboard.
 */
void otp_label_clean(char *s);

/*
 * UTF-8 (RFC 3629). otp_utf8_len: the length of the valid sequence at s (1
 * to 4; s[0] == 0 counts as 1), or 0 when none starts there (a stray
 * continuation byte, an overlong form, a surrogate, a truncated sequence).
 * otp_utf8_repair: replace every byte of *s (malloc'd, NUL terminated) that
 * is not part of a valid sequence with U+FFFD; *s is then a new malloc'd
 * string when anything changed (*changed says so). 0 or MFA_ENOMEM (then *s
 * is untouched).
 */
size_t otp_utf8_len(const unsigned char *s);
bool otp_utf8_valid(const char *s);
int otp_utf8_repair(char **s, bool *changed);

const char *otp_type_name(enum otp_type t); /* "totp", "hotp", "steam" */
const char *otp_hash_name(enum otp_hash h); /* "SHA1", "SHA256", "SHA512" */
/* Case-insensitive; accepts "SHA1", "sha-256", "HmacSHA512"... */
int otp_hash_parse(const char *s, enum otp_hash *h);
int otp_type_parse(const char *s, enum otp_type *t);

/*
 * Base32 (RFC 4648).
 *
 * base32_decode forgives what people type: lower case, spaces, tabs, hyphens,
 * present or missing '=' padding. Anything else is MFA_EBASE32 with *errpos
 * set to the 0-based offset of the bad character in `in`. Decoding in place
 * (out == (uint8_t *)in) is allowed. *outlen receives the byte count;
 * outcap >= base32_decoded_max(inlen) is always enough.
 */
int base32_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap,
		  size_t *outlen, size_t *errpos);
size_t base32_decoded_max(size_t inlen);
/* Unpadded upper-case encoding + NUL; outcap >= base32_encoded_len(n) + 1. */
int base32_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap);
size_t base32_encoded_len(size_t n);

/*
 * otpauth:// URIs.
 *
 * uri_parse reads `uri` (len bytes; a trailing CR/LF is ignored) into *u.
 * The caller provides u->secret with u->secret_cap bytes (secret memory;
 * `len` bytes always suffice) before the call; name and issuer are malloc'd
 * (not secret) and released by uri_clear(), which also wipes the secret
 * bytes but does not free the caller's buffer.
 *
 * Policy (Key Uri Format first): scheme and type are case-insensitive;
 * label "issuer:name" split at the first ':' or "%3A", spaces after it
 * trimmed; an issuer= parameter wins over the label prefix; a label without
 * ':' is the account name; a parameter we read (secret, issuer, algorithm,
 * digits, period, counter, encoder, mfa-note, mfa-serial; any case) given
 * twice is MFA_EURI_REPEAT, since apps disagree on which copy wins; '+' is
 * a space; "&amp;" separates like '&'; unknown parameters are ignored. A
 * counter above OTP_COUNTER_MAX is refused. mfa-note and mfa-serial are
 * mfa's own parameters (the note and the AWS device serial), which other
 * readers ignore.
 * Errors: MFA_EURI_SCHEME, MFA_EURI_TYPE, MFA_EURI_NOSECRET, MFA_EBASE32,
 * MFA_EHASH, MFA_EDIGITS, MFA_EPERIOD, MFA_EURI_COUNTER, MFA_EURI_NUMBER,
 * MFA_EURI_ENCODING, MFA_ENUL, MFA_EURI_REPEAT, MFA_ETOOLONG. On error
 * *errparam names the parameter at fault when there is one ("secret", "digits",
 * ...), else NULL.
 */
struct otp_uri {
	struct otp_params p;
	char *name;   /* account name, may be "" */
	char *issuer; /* may be "" */
	char *note;   /* mfa-note, may be "" */
	char *serial; /* mfa-serial, may be "" */
	uint8_t *secret;
	size_t secret_len;
	size_t secret_cap;
};

int uri_parse(const char *uri, size_t len, struct otp_uri *u,
	      const char **errparam);
void uri_clear(struct otp_uri *u);
/*
 * Percent-decode s[0..n) into out (n + 1 bytes suffice), NUL terminated;
 * '+' becomes a space when plus_space (query values). MFA_EURI_ENCODING for
 * a bad or truncated escape, MFA_ENUL for %00 (it would cut a C string).
 */
int uri_unescape(const char *s, size_t n, bool plus_space, char *out,
		 size_t *outlen);
/*
 * Write an otpauth URI for the given account into out (outcap bytes, NUL
 * terminated). Steam is written as otpauth://totp/...&encoder=steam with
 * issuer Steam, which Aegis and Steam-aware apps read. The result holds the
 * secret: give it secret memory. uri_format_len() is an upper bound.
 * uri_format_full also writes a serial and a note (NULL or "": none) as
 * mfa-serial= and mfa-note=.
 */
int uri_format(const struct otp_params *p, const char *issuer, const char *name,
	       const uint8_t *secret, size_t secret_len, char *out,
	       size_t outcap);
size_t uri_format_len(const char *issuer, const char *name, size_t secret_len);
int uri_format_full(const struct otp_params *p, const char *issuer,
		    const char *name, const char *serial, const char *note,
		    const uint8_t *secret, size_t secret_len, char *out,
		    size_t outcap);
size_t uri_format_full_len(const char *issuer, const char *name,
			   const char *serial, const char *note,
			   size_t secret_len);

/*
 * Parse TIME for --at: unix seconds ("1111111109", may be negative) or
 * ISO-8601 UTC ("2005-03-18T01:58:29Z", also with a space, "+00:00", or
 * without the Z). MFA_EINVAL otherwise.
 */
int otp_time_parse(const char *s, int64_t *out);

#endif
