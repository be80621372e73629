/*
 * What the `mfa aws` subcommands share (cmd-aws.c), for those that live in
 * files of their own (cmd-aws-*.c).
 */
#ifndef MFA_CLI_CMD_AWS_H
#define MFA_CLI_CMD_AWS_H

#include "aws/aws.h"
#include "cli/cli.h"

/* Said while working (a wait): on the terminal only. */
void cmd_aws_notice(void *arg, const char *msg);
/* Record "what: <the AWS CLI's reason>" (or what: strerror); rc. */
int cmd_aws_err(struct mfa_ctx *ctx, int rc, const struct aws_ctx *x,
		const char *what);
/* The AWS CLI found and its context set up (--profile, --region, the
 * clock with its offset); errors recorded. aws_ctx_free(). */
int cmd_aws_ctx(struct mfa_ctx *ctx, const struct mfa_args *a,
		struct aws_ctx *x);
/* QUERY, or the only account with an AWS serial; errors recorded. */
int cmd_aws_account(struct mfa_ctx *ctx, const struct vault_data *d,
		    const char *query, size_t *idx);

/* The options of every subcommand that calls AWS. */
#define AWS_PROFILE_OPTS                                                       \
	OPT_ARG(OPT_PROFILE, "profile", 0, "P", VAL_TEXT,                      \
		"the AWS CLI profile mfa calls AWS with"),                     \
	    OPT_ARG(OPT_REGION, "region", 0, "R", VAL_TEXT, "the AWS region")

/* cmd-aws-devices.c: for resync and deactivate, which act on the device
 * of a vault account (QUERY). */
#define AWS_DEVICE_USER_OPT                                                    \
	OPT_ARG(OPT_USER_NAME, "user-name", 0, "U", VAL_TEXT,                  \
		"the device's IAM user (default: the one AWS says it is "      \
		"assigned to)")
extern const struct mfa_pos cmd_aws_device_pos[];
/*
 * The IAM user of the device with this serial: --user-name, else the one
 * AWS says (*user NULL: assigned to no one; *exists false: the account has
 * no such virtual device). *user malloc'd. An AWS failure is recorded as
 * "listing the virtual MFA devices<note>: <why>".
 */
int cmd_aws_device_user(struct mfa_ctx *ctx, const struct mfa_args *a,
			struct aws_ctx *x, const char *serial, const char *note,
			char **user, bool *exists);

/*
 * The vault account QUERY (argv[0], or the only one with a serial) whose
 * device resync and deactivate act on: the vault unlocked, the account's
 * id, label ("issuer:name") and serial (malloc'd: free it). Errors
 * recorded.
 */
struct cmd_aws_device {
	struct vault *v;
	uint8_t id[VAULT_ID_BYTES];
	char label[512];
	char *serial;
};
int cmd_aws_device_account(struct mfa_ctx *ctx, const struct mfa_args *a,
			   struct cmd_aws_device *dev);

extern const struct mfa_cmd cmd_aws_audit_entry;
extern const struct mfa_cmd cmd_aws_devices_entry;
extern const struct mfa_cmd cmd_aws_resync_entry;
extern const struct mfa_cmd cmd_aws_deactivate_entry;

#endif
