/*
 * The aws layer: enrolling a virtual MFA device and getting STS sessions,
 * always through the real AWS CLI so that every credential source, profile,
 * SSO and region setting the user has keeps working.
 *
 * It uses the vault (the account, the last time step sent to AWS, the
 * session cache) and the engine, never the cli: the caller hands in the
 * environment for the AWS CLI (without secret variables) and a notice
 * callback for the few things said while working (waiting for a fresh time
 * step), which the cli writes on /dev/tty.
 *
 * The rule this layer exists to keep: never send AWS a code from a time step
 * already used for that account (AWS refuses reused codes). The step is
 * recorded in the vault before the AWS CLI runs, since a code sent is spent
 * even when the call fails.
 *
 * Every function returns 0 or a negative enum mfa_rc. On MFA_EAWS (the AWS
 * CLI failed) and on most other failures ctx->err.why holds one line saying
 * why, for the caller to show; it never holds a secret.
 */
#ifndef MFA_AWS_AWS_H
#define MFA_AWS_AWS_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lazy/jansson.h"

#include "mfa/otp.h"
#include "mfa/vault.h"

#define AWS_ISSUER "Amazon Web Services"
#define AWS_ERR_MAX MFA_ERR_MAX
/* Cached sessions are dropped this long before AWS says they expire. */
#define AWS_CACHE_MARGIN 300
/* Longest stdout we accept from the AWS CLI. */
#define AWS_OUT_MAX (1024 * 1024)
/* Set in the AWS CLI's environment, so a credential_process that calls mfa
 * again (a loop) is caught. */
#define AWS_NESTED_VAR "MFA_AWS_NESTED"

typedef void (*aws_notice_fn)(void *arg, const char *msg);

struct aws_ctx {
	char cli[PATH_MAX];  /* the AWS CLI, resolved to a path */
	char **env;	     /* its environment (owned by the ctx) */
	const char *profile; /* --profile, or NULL */
	const char *region;  /* --region, or NULL */
	aws_notice_fn notice;
	void *notice_arg;
	/* For tests: the clock and the wait (NULL: time() and sleeping). */
	int64_t (*now)(void *arg);
	void (*sleep_until)(void *arg, int64_t when);
	void *clock_arg;
	/* Set (by a signal handler) when the user wants us to stop: the
	 * enrolment stops at its next safe point. NULL: never. */
	volatile sig_atomic_t *stop;
	struct mfa_err err; /* why a call failed, for the caller to show */
};

/*
 * run.c: find the AWS CLI (cli: a path, or a name looked up in PATH; NULL
 * means "aws") and prepare its environment from env (copied; AWS_PAGER is
 * emptied and AWS_NESTED_VAR set). MFA_ENOENT when it cannot be found or
 * run, MFA_ENOMEM. Free with aws_ctx_free().
 */
int aws_ctx_init(struct aws_ctx *a, const char *cli, char *const *env);
void aws_ctx_free(struct aws_ctx *a);

/*
 * Run the AWS CLI with args (NULL terminated, e.g. {"sts",
 * "get-caller-identity", NULL}) plus "--output json" and the ctx's
 * --profile/--region, without a shell, stdin from /dev/null. On success
 * *out is its parsed stdout (NULL when it printed nothing; json_decref()).
 * MFA_EAWS with err = the CLI's own message (one line, trimmed) when it
 * fails; MFA_EPARSE when stdout is not JSON; MFA_EIO, MFA_ENOMEM.
 * args must hold no secret: the one-time codes are the only exception.
 */
int aws_run(struct aws_ctx *a, const char *const *args, json_t **out);
/*
 * aws_run for a call that must not be cut short: the CLI ignores SIGINT
 * and SIGHUP (a Ctrl-C at the terminal reaches every process of the
 * job), so it cannot die between AWS's answer and ours; the caller stops
 * at its own next safe point instead (ctx->stop). With f, the call writes
 * a file (--outfile): give it AWS_RUN_OUTFILE as the path, a pipe (the
 * CLI's descriptor AWS_RUN_OUTFILE_FD) that mfa reads into f->data
 * (sodium_malloc'd, the caller frees it; NULL when nothing was written),
 * so what it holds never touches a disk.
 */
#define AWS_RUN_OUTFILE_FD 3
#define AWS_RUN_OUTFILE "/dev/fd/3"
#define AWS_RUN_FILE_MAX 4096
struct aws_run_file {
	uint8_t *data;
	size_t len;
};
int aws_run_shielded(struct aws_ctx *a, const char *const *args, json_t **out,
		     struct aws_run_file *f);
/* The line of a failed CLI's stderr worth showing (trimmed, printable). */
void aws_run_errline(const char *text, size_t len, char *out, size_t outlen);

/* step.c: the ctx's clock (time() unless a test replaced it). */
int64_t aws_now(struct aws_ctx *a);

/*
 * Which time steps to send: count codes (1 or 2) from consecutive
 * steps ending at the current one, all after last_step, with at least
 * min_left seconds left in the current step. *ready tells whether they can
 * be sent at `now` (then *first is the first step); otherwise *wait_until
 * is the unix time at which they can. MFA_ETIME when now is before p->t0.
 */
int aws_step_pick(int64_t now, const struct otp_params *p, uint64_t last_step,
		  unsigned count, uint64_t min_left, bool *ready,
		  uint64_t *first, int64_t *wait_until);

/*
 * Take count fresh codes of the account with this id: waits (saying so)
 * until steps after its last_step are current, records the last of them as
 * last_step in the vault, and only then returns the codes. With cache_key,
 * a valid cached value found under the vault lock is returned instead
 * (*cached, the value copied into sodium_malloc'd *value) and no step is
 * used.
 */
struct aws_new_account {
	const char *name;
	const char *serial;
	const uint8_t *secret;
	size_t secret_len;
};
struct aws_take {
	const uint8_t *id; /* the account; NULL with add */
	unsigned count;	   /* 1 or 2 */
	uint64_t min_left; /* seconds that must be left in the last step */
	const char *cache_key;
	/* Enrolment: create this account in the same write (NULL: none). */
	const struct aws_new_account *add;
	/* out */
	uint64_t first;
	char code[2][OTP_CODE_MAX];
	bool cached;
	uint8_t *value; /* sodium_malloc'd when cached */
	size_t value_len;
	uint8_t new_id[VAULT_ID_BYTES]; /* with add: the new account's id */
};
int aws_step_take(struct aws_ctx *a, struct vault *v, struct aws_take *t);
/* Wipe the codes and free a cached value. */
void aws_take_clear(struct aws_take *t);

/*
 * Two consecutive codes for enrolling (or resyncing) a device by hand, e.g.
 * in the web console: steps first and first + 1, the later one current,
 * both after the account's last_step (recorded), and valid_for seconds left
 * in which to type them.
 */
struct aws_codes {
	uint64_t step[2];
	char code[2][OTP_CODE_MAX];
	uint64_t valid_for;
};
int aws_codes(struct aws_ctx *a, struct vault *v,
	      const uint8_t id[VAULT_ID_BYTES], struct aws_codes *out);

/* Session credentials; the strings are sodium_malloc'd. */
struct aws_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;
	int64_t expiration; /* unix seconds */
};
void aws_creds_clear(struct aws_creds *c);
/* From an STS Credentials object (or our cached copy of one): MFA_EPARSE
 * when malformed, MFA_EINVAL when a value holds a control character. */
int aws_creds_from_json(const json_t *o, struct aws_creds *c);

/*
 * session.c: credentials for the account with this id, from the vault's
 * session cache when allowed and valid, else from `sts get-session-token`
 * (or `sts assume-role` with role_arn) with a fresh code; then cached until
 * AWS_CACHE_MARGIN seconds before they expire.
 */
struct aws_session_req {
	const char *role_arn;	       /* NULL: get-session-token */
	const char *role_session_name; /* NULL: mfa-<device>-<unix time> */
	uint64_t duration;	       /* seconds, 0 = AWS's default */
	bool no_cache;		       /* neither read nor fill the cache */
	/* Refuse a cached session whose MFA authentication is older than
	 * this many seconds (or not known); 0: any age. */
	uint64_t max_mfa_age;
};
struct aws_session_res {
	struct aws_creds creds;
	bool cached;   /* came from the cache: no code was used */
	uint64_t step; /* the step sent, when not cached */
	bool cache_saved;
	int64_t mfa_time; /* when the code behind them was sent; 0: unknown */
};
int aws_session(struct aws_ctx *a, struct vault *v,
		const uint8_t id[VAULT_ID_BYTES],
		const struct aws_session_req *r, struct aws_session_res *res);
/*
 * Add the member "MfaAuthTime": "<ISO time>" to the JSON object text
 * *text (sodium_malloc'd, NUL terminated, compact or indented): replaced
 * by a new sodium_malloc'd text. The cache keeps it with each session.
 */
int aws_session_add_time(char **text, size_t *len, int64_t t);
/* The cache key for (account, role, session name, profile); malloc'd. */
char *aws_session_key(const uint8_t id[VAULT_ID_BYTES], const char *role_arn,
		      const char *role_session_name, const char *profile);

/*
 * enroll.c: create a virtual MFA device, save its seed and serial in the
 * vault, then enable it with two fresh codes. The fields left NULL are
 * filled in: user from `iam get-user`, device from user, name from device.
 * On failure *state says how far it got, for the caller to explain.
 * With *ctx->stop set it stops at the next whole state: MFA_ECANCELED
 * with state NONE (nothing made) or SAVED (not enabled, seed saved).
 */
enum aws_enroll_state {
	AWS_ENROLL_NONE,    /* nothing exists in AWS */
	AWS_ENROLL_CREATED, /* the device exists, the seed is NOT saved */
	AWS_ENROLL_SAVED,   /* the device exists and the seed is saved */
	AWS_ENROLL_ENABLED  /* done */
};
struct aws_enroll {
	const char *user, *device, *name; /* in: NULL = default */
	/* out (malloc'd) */
	char *user_out, *device_out, *name_out, *serial;
	uint64_t steps[2];
	enum aws_enroll_state state;
	bool undone; /* the device was deleted again after a failure */
};
int aws_enroll(struct aws_ctx *a, struct vault *v, struct aws_enroll *e);
void aws_enroll_clear(struct aws_enroll *e);

/*
 * format.c: output formats, times, and the shared credentials file.
 */
enum aws_format {
	AWS_FMT_ENV,
	AWS_FMT_JSON,
	AWS_FMT_PROCESS, /* credential_process */
	AWS_FMT_FILE	 /* credentials-file */
};
int aws_format_parse(const char *s, enum aws_format *f);
/* "2026-01-02T03:04:05Z" into out (AWS_TIME_MAX bytes). */
#define AWS_TIME_MAX 32
int aws_format_time(int64_t t, char out[AWS_TIME_MAX]);
/* ISO-8601 as AWS prints it: fractions of a second and offsets allowed. */
int aws_format_time_parse(const char *s, int64_t *t);
/*
 * The credentials as env (export lines), json (the Credentials object) or
 * credential-process text, NUL terminated, into sodium_malloc'd *out.
 */
int aws_format_creds(const struct aws_creds *c, enum aws_format f, char **out,
		     size_t *len);
/*
 * The shared credentials file `old` (len bytes, may be NULL/0) with the
 * profile `section` set to c: its key lines (and their continuation lines)
 * dropped, the new ones put right after its header, every other line,
 * section and comment kept; the profile appended when missing. The file is
 * read as botocore reads it (Python's configparser). sodium_malloc'd *out.
 * MFA_EINVAL for a section name a credentials file cannot hold, MFA_EEXIST
 * when the profile holds long-term keys, MFA_EPARSE when a value holds a
 * control character, MFA_EFORMAT when configparser could not read the file
 * (*errline: the first line it would refuse).
 */
int aws_format_credfile(const char *old, size_t len, const char *section,
			const struct aws_creds *c, char **out, size_t *outlen,
			size_t *errline);
/* 0, or MFA_EPARSE when a credential holds a control character (a newline
 * would add lines to a credentials file), MFA_EINVAL when one is missing. */
int aws_creds_check(const struct aws_creds *c);
/* Shell word for value: as is when safe, else single-quoted. malloc'd. */
char *aws_format_shell_quote(const char *value);

/*
 * The 12-digit account of an ARN ("arn:aws:iam::123456789012:mfa/x") into
 * out (at least 13 bytes); false, and out "", when there is none.
 */
bool aws_arn_account(const char *arn, char *out, size_t len);

#endif
