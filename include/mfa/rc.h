/*
 * mfa return codes.
 *
 * Every library function returns 0 or a negative enum mfa_rc. The list below
 * is the one source of truth: it builds the enum and the mfa_strerror() table,
 * and a unit test walks every entry. Only main() prints errors.
 */
#ifndef MFA_RC_H
#define MFA_RC_H

#define MFA_RC_LIST(ERR)                                                       \
	ERR(MFA_OK, 0, "success")                                              \
	ERR(MFA_ENOMEM, -1, "out of memory")                                   \
	ERR(MFA_EINVAL, -2, "invalid argument")                                \
	ERR(MFA_EBASE32, -3, "invalid base32 character")                       \
	ERR(MFA_ESECRET_EMPTY, -4, "empty secret")                             \
	ERR(MFA_EDIGITS, -5, "digits must be between 1 and 10")                \
	ERR(MFA_EPERIOD, -6, "period must be at least 1 second")               \
	ERR(MFA_EHASH, -7, "unknown hash algorithm")                           \
	ERR(MFA_ECRYPTO, -8, "cryptographic library failure")                  \
	ERR(MFA_ETIME, -9, "time out of range")                                \
	ERR(MFA_EURI_SCHEME, -10, "not an otpauth:// URI")                     \
	ERR(MFA_EURI_TYPE, -11, "unknown OTP type (want totp, hotp or steam)") \
	ERR(MFA_EURI_NOSECRET, -12, "no secret in URI")                        \
	ERR(MFA_EURI_ENCODING, -13, "bad percent-encoding in URI")             \
	ERR(MFA_EURI_COUNTER, -14,                                             \
	    "HOTP needs a counter (a whole number up to 2^63 - 1)")            \
	ERR(MFA_EURI_NUMBER, -15, "parameter is not a valid number")           \
	ERR(MFA_ETOOLONG, -16, "input too long")                               \
	ERR(MFA_EIO, -17, "input/output error")                                \
	ERR(MFA_ENOENT, -18, "no such file")                                   \
	ERR(MFA_EVAULT_MAGIC, -19, "not an mfa vault")                         \
	ERR(MFA_EVAULT_VERSION, -20,                                           \
	    "vault format version is newer than this mfa understands")         \
	ERR(MFA_EVAULT_CORRUPT, -21, "vault file is corrupt or truncated")     \
	ERR(MFA_EVAULT_AUTH, -22,                                              \
	    "wrong passphrase, or the vault was modified")                     \
	ERR(MFA_EVAULT_PERM, -23,                                              \
	    "unsafe ownership or permissions (owned by another user, or "      \
	    "writable by others)")                                             \
	ERR(MFA_ELOCK, -24, "cannot lock the vault")                           \
	ERR(MFA_EEXIST, -25, "already exists")                                 \
	ERR(MFA_ENOTFOUND, -26, "no such account")                             \
	ERR(MFA_EAMBIGUOUS, -27, "ambiguous account query")                    \
	ERR(MFA_ENOTTY, -28, "no terminal to ask on")                          \
	ERR(MFA_ENOPASS, -29, "no passphrase given")                           \
	ERR(MFA_EPASS_MISMATCH, -30, "passphrases do not match")               \
	ERR(MFA_ETOOBIG, -31, "too large")                                     \
	ERR(MFA_EFORMAT, -32, "unrecognised format")                           \
	ERR(MFA_EDECRYPT, -33, "cannot decrypt (wrong password or damaged)")   \
	ERR(MFA_ENOQR, -34, "no QR code found")                                \
	ERR(MFA_EIMAGE, -35, "cannot read image")                              \
	ERR(MFA_EAWS, -36, "the AWS CLI failed")                               \
	ERR(MFA_ECANCELED, -37, "canceled")                                    \
	ERR(MFA_ENOSPC, -38, "no space left to write")                         \
	ERR(MFA_EKEYRING, -39, "kernel keyring unavailable")                   \
	ERR(MFA_EUNSUPPORTED, -40, "not supported")                            \
	ERR(MFA_EPARSE, -41, "malformed input")                                \
	ERR(MFA_ENOVAULT, -42, "no vault here (run 'mfa init' first)")         \
	ERR(MFA_EISDIR, -43, "is a directory")                                 \
	ERR(MFA_EURI_REPEAT, -44, "parameter given twice in URI")              \
	ERR(MFA_ENUL, -45, "NUL character in a name")                          \
	ERR(MFA_ECOUNTER_END, -46,                                             \
	    "HOTP counter at the end of its range (2^63 - 1): no more codes")  \
	ERR(MFA_EACCES, -47, "permission denied")                              \
	ERR(MFA_EROFS, -48, "read-only file system")                           \
	ERR(MFA_ENOTREG, -49, "not a regular file")                            \
	ERR(MFA_EVAULT_READABLE, -50, "readable by group or others")           \
	ERR(MFA_ENOTCACHED, -51, "nothing was cached here")                    \
	ERR(MFA_EKDF_LOWER, -52, "that would lower the KDF cost")              \
	ERR(MFA_EVAULT_SLOTS, -53,                                             \
	    "the vault has key slots of a newer mfa, which this one cannot "   \
	    "re-wrap")

enum mfa_rc {
#define MFA_RC_ENUM(name, value, desc) name = value,
	MFA_RC_LIST(MFA_RC_ENUM)
#undef MFA_RC_ENUM
	    MFA_RC_MIN = -53
};

/*
 * The one error channel: a code and one line saying why, filled by the
 * layer that knows ("line 3: bad base32 at column 7"), passed down from the
 * cli, and printed by main alone as "mfa: <what>: <why>", where <what> is
 * the cli's context (a file, an account) and <why> defaults to
 * mfa_strerror(rc). A NULL struct mfa_err * is allowed everywhere: the
 * detail is then dropped.
 */
#define MFA_ERR_MAX 512
struct mfa_err {
	int rc;		       /* 0 until set */
	char why[MFA_ERR_MAX]; /* "" when mfa_strerror(rc) says it all */
};
/* Set e's code and detail (printf-style); returns rc. */
int mfa_err_set(struct mfa_err *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set only the detail (the code is returned separately). */
void mfa_err_why(struct mfa_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* e's detail, or mfa_strerror(rc) when it has none. */
const char *mfa_err_text(const struct mfa_err *e, int rc);

/* Describe a return code; never NULL, static storage. */
const char *mfa_strerror(int rc);
/* The symbolic name ("MFA_EBASE32") of a return code; never NULL. */
const char *mfa_strerror_name(int rc);

#endif
