/*
 * mfa aws keys|creds|exec|rotate|login: the vault's long-term AWS keys on
 * the command line (src/aws/keys.h does the work). The subcommands are
 * listed in cmd-aws.c through CMD_AWS_KEYS_SUBS; the helpers below are
 * shared by their files.
 */
#ifndef MFA_CLI_AWS_KEYS_H
#define MFA_CLI_AWS_KEYS_H

#include "aws/keys.h"
#include "cli/cli.h"

extern const struct mfa_cmd cmd_aws_keys_entry;
extern const struct mfa_cmd cmd_aws_creds_entry;
extern const struct mfa_cmd cmd_aws_exec_entry;
extern const struct mfa_cmd cmd_aws_rotate_entry;
extern const struct mfa_cmd cmd_aws_login_entry;

#define CMD_AWS_KEYS_SUBS                                                      \
	&cmd_aws_keys_entry, &cmd_aws_creds_entry, &cmd_aws_exec_entry,        \
	    &cmd_aws_rotate_entry, &cmd_aws_login_entry

/* The variable `mfa aws exec` sets in its command's environment. */
#define KEYS_EXEC_VAR "MFA_AWS_EXEC"

/* An aws_ctx for in-process calls: notices on /dev/tty, the region
 * resolved for key k (NULL: without one) into region. */
void keys_ctx(struct aws_ctx *x, const struct mfa_args *a,
	      const struct aws_key *k, char *region, size_t len);
/* Record x->err (else rc's text) as the error of what. */
int keys_fail(struct mfa_ctx *ctx, int rc, const struct aws_ctx *x,
	      const char *what);
/* Write len bytes straight to fd 1 (no stdio copy of a secret). */
int keys_write(struct mfa_ctx *ctx, const char *p, size_t len);
/*
 * Session credentials for profile from the options --role-arn (each, in
 * order), --role-session-name, --duration and the global --no-cache.
 * Errors recorded.
 */
int keys_session(struct mfa_ctx *ctx, const struct mfa_args *a, struct vault *v,
		 struct aws_ctx *x, const char *profile,
		 struct aws_keys_res *res);
/* The options keys_session() reads. */
#define KEYS_SESSION_OPTS                                                      \
	{.id = OPT_ROLE_ARN,                                                   \
	 .name = "role-arn",                                                   \
	 .arg = "ARN",                                                         \
	 .help = "assume this role on top (again: a chain, in order)",         \
	 .val = VAL_TEXT,                                                      \
	 .flags = OPT_F_REPEAT},                                               \
	    OPT_ARG(OPT_ROLE_SESSION_NAME, "role-session-name", 0, "S",        \
		    VAL_TEXT,                                                  \
		    "with --role-arn (default mfa-<profile>-<unix time>)"),    \
	    OPT_ARG(OPT_DURATION, "duration", 0, "SECONDS", VAL_NUMBER,        \
		    "lifetime, 900 to 129600 (chained roles: at most 3600)"),  \
	    OPT_ARG(OPT_REGION, "region", 0, "R", VAL_TEXT,                    \
		    "the AWS region to call")
/* The word that runs this mfa, for printed config lines ("mfa" when the
 * one in PATH is this one), with " --vault PATH" when one was named. */
int keys_mfa_word(struct mfa_ctx *ctx, char *out, size_t len);

/* export --include-aws-keys: add the vault's keys to mfa's JSON export
 * (*out, sodium_malloc'd, replaced). */
int keys_export_json(const struct vault_data *d, char **out, size_t *len);

#endif
