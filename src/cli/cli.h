/*
 * The cli layer: command table, option parsing, and the helpers commands
 * share (secret input, passphrases, vault unlock, output).
 *
 * A command's exec returns 0, a negative enum mfa_rc (exit 1), CLI_USAGE
 * (exit 2) or CLI_NOMATCH (exit 3). It never prints an error: it records
 * what failed with cli_fail()/cli_usage() and main prints the one line
 * "mfa: <what>: <why>".
 */
#ifndef MFA_CLI_H
#define MFA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "mfa/otp.h"
#include "mfa/vault.h"

#define CLI_USAGE 2
#define CLI_NOMATCH 3
#define CLI_FINDINGS 4
#define CLI_DEPTH 4

/*
 * Every option of every command has an id here; a command reads its options
 * by id (args_has(a, OPT_ISSUER)), so a misspelt option is a compile error,
 * not an option silently never seen. Options that mean the same in several
 * commands share an id.
 */
enum cli_opt_id {
	OPT_NONE = 0,
	/* global (the root of the command tree) */
	OPT_VAULT,
	OPT_NO_CACHE,
	OPT_PASSPHRASE_FD,
	OPT_HELP,
	OPT_VERSION,
	/* how codes are made (add, edit, code) */
	OPT_TOTP,
	OPT_HOTP,
	OPT_STEAM,
	OPT_ALGORITHM,
	OPT_DIGITS,
	OPT_PERIOD,
	OPT_COUNTER,
	/* account fields */
	OPT_NAME,
	OPT_ISSUER,
	OPT_SERIAL,
	OPT_NOTE,
	OPT_FORCE,
	/* code, verify, watch */
	OPT_SECRET_STDIN,
	OPT_AT,
	OPT_NEXT,
	OPT_FRESH,
	OPT_COPY,
	OPT_WINDOW,
	OPT_ALLOW_REUSE,
	OPT_OFFSET,
	/* list, show, rm, lock, unlock */
	OPT_JSON,
	OPT_CODES,
	OPT_NAMES,
	OPT_URI,
	OPT_QR,
	OPT_HISTORY,
	OPT_PNG,
	OPT_YES,
	OPT_ALL,
	OPT_TTL,
	/* init, passwd, import, export */
	OPT_KDF_OPS,
	OPT_KDF_MEM,
	OPT_WEAKER_KDF,
	OPT_NEW_PASSPHRASE_FD,
	OPT_IMPORT_PASSPHRASE_FD,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_PLAIN,
	OPT_DRY_RUN,
	OPT_SKIP_UNSUPPORTED,
	/* aws */
	OPT_PROFILE,
	OPT_REGION,
	OPT_USER_NAME,
	OPT_DEVICE_NAME,
	OPT_ROLE_ARN,
	OPT_ROLE_SESSION_NAME,
	OPT_DURATION,
	OPT_CREDENTIALS_PROFILE,
	/* slot */
	OPT_FIDO2,
	OPT_DEVICE,
	OPT_PIN,
	OPT_LABEL,
	OPT_REQUIRE_FIDO2,
	/* aws audit, devices, deactivate; doctor */
	OPT_MAX_KEY_AGE,
	OPT_MAX_IDLE,
	OPT_DELETE,
	OPT_AWS,
	OPT_MAX_MFA_AGE,
	OPT_SHOW_MFA_TIME,
	/* aws keys, creds, exec, rotate, login; export */
	OPT_ACCOUNT,
	OPT_FROM,
	OPT_REMOVE,
	OPT_SECRET,
	OPT_PRINT,
	OPT_INCLUDE_AWS_KEYS,
	OPT__COUNT
};

/* What an option's value or a positional argument is: for help and for the
 * completion scripts. */
enum cli_val {
	VAL_TEXT,    /* free text: nothing to offer */
	VAL_FILE,    /* a file name */
	VAL_QUERY,   /* an account (names from the unlock cache) */
	VAL_WORDS,   /* one of a fixed list (mfa_opt.words) */
	VAL_COMMAND, /* an mfa command */
	VAL_NUMBER,  /* a number */
};

struct mfa_opt {
	enum cli_opt_id id;
	const char *name; /* long name, "issuer" */
	int short_name;	  /* 'a', or 0 */
	const char *arg;  /* placeholder ("S") when it takes a value */
	const char *help;
	enum cli_val val;  /* what the value is */
	const char *words; /* VAL_WORDS: "uri json google aegis" */
	int group;	   /* >0: at most one option of the group */
	unsigned flags;
#define OPT_F_HIDDEN 0x1 /* serves scripts (completion): not in help */
#define OPT_F_REPEAT 0x2 /* may be given more than once, all kept */
#define OPT_F_HERE 0x4	 /* not inherited by subcommands (--version) */
};

/* Table entries. FLAG: no value. ARG: a value of kind V. */
#define OPT_FLAG(ID, NAME, SHORT, HELP)                                        \
	{                                                                      \
		.id = (ID), .name = (NAME), .short_name = (SHORT),             \
		.help = (HELP)                                                 \
	}
#define OPT_ARG(ID, NAME, SHORT, ARG, V, HELP)                                 \
	{                                                                      \
		.id = (ID), .name = (NAME), .short_name = (SHORT),             \
		.arg = (ARG), .help = (HELP), .val = (V)                       \
	}
/* A flag of an exclusive group G: at most one of the group is given. */
#define OPT_GROUP(ID, NAME, SHORT, G, HELP)                                    \
	{                                                                      \
		.id = (ID), .name = (NAME), .short_name = (SHORT),             \
		.help = (HELP), .group = (G)                                   \
	}
/* A value that is one of WORDS (space separated). */
#define OPT_WORDS(ID, NAME, SHORT, ARG, WORDS, HELP)                           \
	{                                                                      \
		.id = (ID), .name = (NAME), .short_name = (SHORT),             \
		.arg = (ARG), .help = (HELP), .val = VAL_WORDS,                \
		.words = (WORDS)                                               \
	}
#define OPT_END                                                                \
	{                                                                      \
		.id = OPT_NONE                                                 \
	}

struct mfa_pos {
	const char *name; /* "QUERY", "FILE" */
	enum cli_val val;
	const char *words; /* VAL_WORDS */
	unsigned flags;
#define POS_F_OPTIONAL 0x1
#define POS_F_REPEAT                                                           \
	0x2		 /* the last positional: any number (>= 1 unless       \
			    also optional) */
#define POS_F_HIDDEN 0x4 /* accepted for a better message; not shown */
};

#define POS_END                                                                \
	{                                                                      \
		.name = NULL                                                   \
	}

struct mfa_ctx;
struct mfa_args;

/*
 * A command of the tree. The root ("mfa") holds the global options and the
 * top-level commands as subcommands; `aws` holds enroll, codes, session.
 * Options of a command apply to its subcommands as well (aws --profile),
 * so global options stand anywhere on the line. A command with subcommands
 * and no exec needs one of them.
 */
struct mfa_cmd {
	const char *name;
	const char *alias;	    /* another exact name ("ls"), or NULL */
	const char *summary;	    /* one line for `mfa help` */
	const char *help;	    /* paragraph for `mfa help NAME`, or NULL */
	const struct mfa_opt *opts; /* OPT_END terminated, or NULL */
	const struct mfa_pos *pos;  /* POS_END terminated, or NULL */
	const struct mfa_cmd *const *subs; /* NULL terminated, or NULL */
	const char *usage; /* NULL: generated; else the arguments part */
	int flags;
#define CMD_HIDDEN 0x1 /* not listed, completed or prefix-matched */
#define CMD_CLOCK_CHECK                                                        \
	0x2 /* reports a bad $MFA_TIME_OFFSET itself (doctor): main lets it    \
	       run */
	int (*exec)(struct mfa_ctx *, struct mfa_args *);
};

struct mfa_args {
	/* The command run and the path to it from the root. */
	const struct mfa_cmd *cmd;
	const struct mfa_cmd *path[CLI_DEPTH];
	int depth;
	int argc; /* positionals */
	char **argv;
	/* Every option seen, in order (repeats kept): nseen entries. */
	struct {
		enum cli_opt_id id;
		const char *val; /* "" for a flag */
	} * seen;
	int nseen;
	const char *last[OPT__COUNT]; /* the last value of each, or NULL */
};

struct mfa_ctx {
	const char *vault_path; /* NULL until resolved */
	char *vault_path_alloc;
	bool no_cache;
	const struct mfa_args *args; /* the parsed command line */
	const char *prog;
	/*
	 * The error main prints, "mfa: <what>: <why>": what is the command's
	 * context (a file, an account), recorded by cli_fail(); err is the
	 * one channel the layers below fill (pass &ctx->err down), its why
	 * defaulting to mfa_strerror(rc). cli_failx() records a whole line.
	 */
	char what[256];
	struct mfa_err err;
	struct vault *vault; /* open vault, closed by main */
};

/* main.c: the umask mfa was started with (it runs with 077), for the
 * commands it hands the process to (aws exec). */
extern mode_t main_umask;

/* cmd.c */
extern const struct mfa_cmd cmd_root;
/*
 * Parse argv (argv[0] is the program) against the command tree: global and
 * command options anywhere ("--opt=value", "--opt value", "-o value",
 * "-ovalue", unique prefixes of long names), "--" ends options. 0, or
 * CLI_USAGE with the message recorded. a->argv/a->seen are malloc'd:
 * args_free().
 */
int cmd_parse(int argc, char **argv, struct mfa_ctx *ctx, struct mfa_args *a);
void args_free(struct mfa_args *a);
/* A command word under parent: exact name, alias or unique prefix. */
const struct mfa_cmd *cmd_find(const struct mfa_cmd *parent, const char *name,
			       char *why, size_t whylen);
/* "usage: mfa aws session ..." (full: summary, help and options too). */
void cmd_usage(const struct mfa_cmd *const *path, int depth, FILE *f,
	       bool full);
void cmd_usage_all(FILE *f);
/* The arguments part of a usage line, generated from the tables. */
void cmd_usage_args(const struct mfa_cmd *c, char *buf, size_t len);

static inline bool
args_has(const struct mfa_args *a, enum cli_opt_id id)
{
	return a->last[id] != NULL;
}

static inline const char *
args_get(const struct mfa_args *a, enum cli_opt_id id)
{
	return a->last[id];
}

/* The i-th value (from 0) of a repeatable option, or NULL. */
const char *args_nth(const struct mfa_args *a, enum cli_opt_id id, int i);
/* The long name of an option, for messages ("format"). */
const char *args_opt_name(enum cli_opt_id id);
/* Number option in [min, max]; CLI_USAGE with a message when malformed. */
int args_uint(struct mfa_ctx *ctx, const struct mfa_args *a, enum cli_opt_id id,
	      uint64_t min, uint64_t max, uint64_t *out);

/* Record an error for main to print; return rc. */
int cli_fail(struct mfa_ctx *ctx, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record an error whose message already says why (no strerror added). */
int cli_failx(struct mfa_ctx *ctx, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Has an error been recorded already? */
static inline bool
cli_failed(const struct mfa_ctx *ctx)
{
	return ctx->what[0] != '\0' || ctx->err.why[0] != '\0';
}
/* Record a usage error (printed with the command's usage); CLI_USAGE. */
int cli_usage(struct mfa_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The options that describe how codes are made (add, edit, code). */
#define SECRET_OPTS                                                            \
	OPT_GROUP(OPT_TOTP, "totp", 0, 1, "time-based codes (the default)"),   \
	    OPT_GROUP(OPT_HOTP, "hotp", 0, 1, "counter-based codes"),          \
	    OPT_GROUP(OPT_STEAM, "steam", 0, 1,                                \
		      "Steam Guard codes (5 characters)"),                     \
	    OPT_WORDS(OPT_ALGORITHM, "algorithm", 'a', "HASH",                 \
		      "SHA1 SHA256 SHA512",                                    \
		      "SHA1 (default), SHA256 or SHA512"),                     \
	    OPT_ARG(OPT_DIGITS, "digits", 'd', "N", VAL_NUMBER,                \
		    "code length, 1 to 10 (default 6)"),                       \
	    OPT_ARG(OPT_PERIOD, "period", 'p', "SECONDS", VAL_NUMBER,          \
		    "TOTP time step (default 30)"),                            \
	    OPT_ARG(OPT_COUNTER, "counter", 'c', "N", VAL_NUMBER,              \
		    "HOTP counter (default 0)")

/* secret.c: a secret (base32) or a whole otpauth URI from stdin or tty. */
struct cli_secret {
	struct otp_params p;
	char *name;   /* from a URI, else NULL */
	char *issuer; /* from a URI, else NULL */
	char *note;   /* from a URI's mfa-note, else NULL */
	char *serial; /* from a URI's mfa-serial, else NULL */
	bool from_uri;
	uint8_t *secret; /* sodium_malloc'd */
	size_t secret_len;
};
/* The add/code options (--totp, -a, -d, -p, -c...), applied over p. */
int secret_apply_opts(struct mfa_ctx *ctx, const struct mfa_args *a,
		      struct otp_params *p);
int secret_read(struct mfa_ctx *ctx, const struct mfa_args *a, const char *what,
		struct cli_secret *s);
void secret_clear(struct cli_secret *s);
/* Refuse parameters the vault could hold but no export could carry out. */
int secret_check_storable(struct mfa_ctx *ctx, const struct otp_params *p,
			  const char *label);
/* Read all of fd (at most max bytes) into sodium_malloc'd memory. */
int secret_read_fd(int fd, size_t max, char **out, size_t *len);

/* pass.c: passphrases from the sources mfa(1) lists under ENVIRONMENT. */
enum pass_kind { PASS_CURRENT, PASS_NEW, PASS_IMPORT };
int pass_get(struct mfa_ctx *ctx, enum pass_kind kind, const char *prompt,
	     char **pass, size_t *len);
void pass_free(char *pass, size_t len);
/* Ask on /dev/tty with echo off; MFA_ENOTTY without a terminal. */
int tty_read_secret(const char *prompt, char **out, size_t *len);
/* y/N question on /dev/tty. */
int tty_confirm(const char *question);
bool tty_available(void);
/* A line on /dev/tty ("Touch your security key..."); nothing without one. */
void tty_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * unlock.c: the open, unlocked vault for commands that need one: the
 * cache, else an enrolled security key that is plugged in (a touch, its
 * PIN, the passphrase too for a two-factor slot), else the passphrase.
 */
int unlock_vault(struct mfa_ctx *ctx, struct vault **out);
/* The same, for a command that reads only the account query names (NULL:
 * all): the data holds the accounts it may name (vault_only_matching). */
int unlock_vault_query(struct mfa_ctx *ctx, const char *query,
		       struct vault **out);
/* The same, keeping the passphrase it was given (*pass NULL when none:
 * a key alone or the cache); the caller pass_free()s it. */
int unlock_vault_pass(struct mfa_ctx *ctx, struct vault **out, char **pass,
		      size_t *len);
const char *unlock_path(struct mfa_ctx *ctx);
unsigned unlock_ttl(void);

/* query.c: QUERY (NULL: the only account) to an index, errors recorded. */
int query_resolve(struct mfa_ctx *ctx, const struct vault_data *d,
		  const char *query, size_t *idx);

/* cmd-init.c: --kdf-ops/--kdf-mem (also used by passwd). */
int cmd_init_kdf(struct mfa_ctx *ctx, const struct mfa_args *a,
		 struct vault_kdf *kdf);

/* cmd-add.c: the entry with exactly this issuer and name, or -1. */
long add_find_same(const struct vault_data *d, const char *issuer,
		   const char *name);

/* cmd-edit.c: change fields of the account QUERY (NULL: leave as is). */
int edit_run(struct mfa_ctx *ctx, const char *query, const char *name,
	     const char *issuer, const char *serial, const char *note,
	     const struct mfa_args *a);

/* cmd-show.c: the account's otpauth URI; caller must sodium_free(). */
int show_uri(const struct vault_entry *e, char **out);

/* clip.c */
/*
 * The clipboard for `code --copy` and watch: wl-copy (WAYLAND_DISPLAY),
 * xclip or xsel (DISPLAY), else an OSC 52 sequence on /dev/tty. The text
 * goes to the program on its stdin. After clip_time() seconds a detached
 * helper clears the clipboard if it still holds what was copied; the helper
 * is forked by clip_open(), which must run before any secret is in memory
 * (before the vault is unlocked), and it is only ever sent a keyed hash.
 */
enum clip_method { CLIP_NONE, CLIP_WAYLAND, CLIP_XCLIP, CLIP_XSEL, CLIP_OSC52 };
#define CLIP_PATH_MAX 4096
struct clip {
	enum clip_method method;
	char copy[CLIP_PATH_MAX];  /* the copy program's path, or "" */
	char paste[CLIP_PATH_MAX]; /* the program that reads it back, or "" */
	int tty;		   /* /dev/tty for OSC 52, or -1 */
	int helper;		   /* pipe to the clearing helper, or -1 */
	unsigned delay;		   /* seconds until cleared; 0 = never */
};
/* Choose a clipboard and start the helper: MFA_EUNSUPPORTED without one. */
int clip_open(struct clip *c);
/* Copy len bytes of text and arm the clearing: 0, MFA_EIO, MFA_ETOOLONG. */
int clip_copy(struct clip *c, const char *text, size_t len);
/* Close the helper's pipe: it clears when due, then exits. */
void clip_close(struct clip *c);
/* "wl-copy", "xclip", "xsel", "OSC 52". */
const char *clip_name(const struct clip *c);
/* "copied to the clipboard; clears in 45 s" into buf. */
void clip_message(const struct clip *c, char *buf, size_t len);
/* $MFA_CLIP_TIME, else 45; 0 keeps the clipboard as it is. */
unsigned clip_time(void);
/* end of clip.c */

/* hotp.c: the next code of HOTP entry id, its counter saved first. Any
 * vault_data() pointer taken before the call is stale after it. */
int hotp_take(struct vault *v, const uint8_t id[VAULT_ID_BYTES],
	      char code[OTP_CODE_MAX]);

/*
 * sync.c: the vault's folder as a git repository (mfa sync). git runs with
 * argv (no shell), stdin /dev/null, util_child_env(), umask 077; it sees
 * only ciphertext and messages in account terms.
 */
struct sync_repo {
	char *dir;  /* the vault file's real folder: git's work tree */
	char *name; /* the vault file's name in it */
	char *path; /* dir/name */
};
struct sync_buf {
	char *p; /* malloc'd, NUL-terminated; ciphertext or git's words */
	size_t len, cap;
};
#define SYNC_PARENT 0x1 /* tell the merge driver mfa sync is its parent */
int sync_repo_of(const char *vault_path, struct sync_repo *r);
bool sync_is_repo(const struct sync_repo *r);
void sync_repo_free(struct sync_repo *r);
bool sync_name_ok(const char *name);
/* git -C dir args... (NULL-terminated): 0 when it ran (*status: its exit
 * code); out/err (NULL: dropped) get its stdout/stderr. MFA_ENOENT: no git. */
int sync_git(const struct sync_repo *r, unsigned flags, struct sync_buf *out,
	     struct sync_buf *err, int *status, ...);
int sync_gitv(const struct sync_repo *r, unsigned flags, struct sync_buf *out,
	      struct sync_buf *err, int *status, const char *const *args);
/* The same, 0 only when git exits 0; else the error recorded in ctx with
 * git's own last line ("git what in DIR failed: ..."). */
int sync_run(struct mfa_ctx *ctx, const struct sync_repo *r, unsigned flags,
	     const char *what, ...);
void sync_buf_free(struct sync_buf *b);
void sync_last_line(const struct sync_buf *err, char *buf, size_t n);
/* .gitattributes, .gitignore, the driver, textconv, pull.rebase=false and
 * the hooks that keep the vault 0600, for the running mfa. */
int sync_install(struct mfa_ctx *ctx, const struct sync_repo *r);
/* The vault at rev ("HEAD", ":2" for a merge's stage 2): *found false when
 * there is none. */
int sync_blob(const struct sync_repo *r, const char *rev, struct sync_buf *out,
	      bool *found);
/* A commit message in account terms ("add github, rm bank"). */
void sync_message(const struct vault_report *rep, const char *fallback,
		  char *buf, size_t n);
int sync_since_head(const struct sync_repo *r, const struct vault *v,
		    struct vault_report *rep);
/* Commit the vault (and mfa's files) when they differ from HEAD, the
 * message from v (unlocked; NULL: fallback). */
int sync_commit(struct mfa_ctx *ctx, const struct sync_repo *r,
		const struct vault *v, const char *fallback, bool *made);
int sync_commit_msg(struct mfa_ctx *ctx, const struct sync_repo *r,
		    const char *msg);
/* "-c user.email=mfa@HOST" (and user.name) into args at *n when git has
 * no identity for commits; name and email (len bytes) hold the values. */
void sync_identity(const struct sync_repo *r, const char **args, size_t *n,
		   char *name, char *email, size_t len);
/* sync_run() for commands that commit: git is given an identity when it
 * has none (mfa@HOSTNAME). */
int sync_run_ident(struct mfa_ctx *ctx, const struct sync_repo *r,
		   unsigned flags, const char *what, ...);
int sync_push(struct mfa_ctx *ctx, const struct sync_repo *r);
bool sync_autopush(void);
int sync_read_file(const char *path, struct sync_buf *out);
/*
 * Merge the base (NULL or empty: none), ours and theirs file bytes of the
 * vault at path (which names it for the unlock cache) into a new file's
 * bytes (*out malloc'd; ciphertext). Our key: key, else the cache, else
 * (may_ask) a passphrase; a side re-keyed by `mfa passwd` elsewhere needs
 * its passphrase (may_ask: the import sources or the terminal). Refusals
 * (locked, modified, another vault or format, slots changed on both
 * sides) are recorded in ctx with what to do.
 */
int sync_merge_bytes(struct mfa_ctx *ctx, const char *path,
		     const struct sync_buf *base, const struct sync_buf *ours,
		     const struct sync_buf *theirs, const uint8_t *key,
		     bool may_ask, uint8_t **out, size_t *outlen,
		     struct vault_report *rep);
/* "added X", "renamed X -> Y"... on stdout (changes), and the merge's
 * notes ("kept X: removed on one machine...") on stderr. */
void sync_print_report(const struct vault_report *rep, bool changes);
/* main, after every command: commit a vault it wrote, when the folder is a
 * sync repository (push too with MFA_SYNC_AUTOPUSH=1); a failure is a
 * warning, never the command's error. */
void sync_after(struct mfa_ctx *ctx, const struct mfa_args *a);

/* util.c */
/* The clock for codes: time() plus the offset util_offset_init() set. */
/* The clock for records (created, updated, deleted): the system's. */
int64_t util_time(void);
int64_t util_now(void);
/* util_now() in the shape struct aws_ctx's clock hook takes. */
int64_t util_clock(void *arg);
/*
 * The clock's offset: --offset SECONDS, else $MFA_TIME_OFFSET, else 0.
 * CLI_USAGE for a bad --offset, MFA_EINVAL for a bad $MFA_TIME_OFFSET (a
 * message recorded either way; the offset stays 0).
 */
int util_offset_init(struct mfa_ctx *ctx, const struct mfa_args *a);
int64_t util_offset(void);
/* Parse a signed number of seconds (-90, +30, 0); false when malformed or
 * beyond UTIL_OFFSET_MAX either way. */
#define UTIL_OFFSET_MAX 10000000000LL
bool util_offset_parse(const char *s, int64_t *out);
/* The option that sets it, for code, list, watch and verify. */
#define OFFSET_OPT                                                             \
	OPT_ARG(OPT_OFFSET, "offset", 0, "SECONDS", VAL_TEXT,                  \
		"add SECONDS (may be negative) to the clock, for a clock "     \
		"known to be off ($MFA_TIME_OFFSET)")
/* Environment for child processes: ours minus every secret variable. */
char **util_child_env(void);
void util_free_env(char **env);
/* Write buf to path atomically (temp 0600 + fsync + rename). */
int util_write_file(const char *path, const void *buf, size_t len);
/*
 * A stored string made safe for a terminal (control characters as '?'),
 * in one of four rotating static buffers: up to four in one printf.
 */
const char *util_clean(const char *s);
/* "issuer:name" or "name", made safe the same way, for messages. */
const char *util_label(const char *issuer, const char *name);

#endif
