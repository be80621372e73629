/*
 * Account hygiene and the clock, in the aws layer: the IAM credential
 * report read and judged (audit.c), the MFA devices of an account and what
 * can be done to one (devices.c), and what the AWS CLI says about time and
 * itself (clock.c). The rules of aws.h hold: everything goes through the
 * real AWS CLI, a code's time step is never sent twice, and on failure
 * ctx->err holds one line saying why.
 *
 * Every function returns 0 or a negative enum mfa_rc.
 */
#ifndef MFA_AWS_HYGIENE_H
#define MFA_AWS_HYGIENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"

/*
 * run.c: run the AWS CLI as aws_run does, but keep whatever it printed,
 * JSON or not, and its exit status: 0 whenever the CLI ran to its end
 * (whatever its status); MFA_ENOENT when it cannot be started, MFA_EAWS
 * when it overran $MFA_AWS_TIMEOUT. out and err are sodium_malloc'd and
 * NUL terminated, or NULL when nothing was printed (stderr may be a
 * --debug log that quotes requests): aws_raw_clear().
 */
struct aws_raw {
	char *out, *err;
	size_t out_len, err_len;
	int status; /* exit status, -1 when killed by a signal */
};
int aws_run_raw(struct aws_ctx *a, const char *const *args, struct aws_raw *r);
void aws_raw_clear(struct aws_raw *r);

/*
 * audit.c: CSV as IAM writes the credential report (RFC 4180): fields
 * separated by commas, records by LF or CRLF; a field in double quotes may
 * hold commas, line breaks and doubled quotes. A quote inside an unquoted
 * field, text after a closing quote, an unterminated quote or a NUL byte is
 * MFA_EPARSE with the line in err. Every string is malloc'd and owned by
 * the struct: aws_csv_free().
 */
struct aws_csv_row {
	char **f;
	size_t n;
	size_t line; /* where the record starts, from 1 */
};
struct aws_csv {
	struct aws_csv_row *rows;
	size_t n;
};
int aws_csv_parse(const char *text, size_t len, struct aws_csv *out, char *err,
		  size_t errlen);
void aws_csv_free(struct aws_csv *c);

/* What the audit finds, most urgent first (the table's order). */
enum aws_finding_kind {
	AWS_F_ROOT_NO_MFA,
	AWS_F_ROOT_KEY,
	AWS_F_PASSWORD_NO_MFA,
	AWS_F_KEY_OLD,
	AWS_F_KEY_IDLE,
	AWS_F_KEY_NEVER_USED,
	AWS_F_PASSWORD_IDLE,
	AWS_F_PASSWORD_NEVER_USED,
	AWS_F_TWO_KEYS,
	AWS_F_DEVICE_UNASSIGNED,
	AWS_F__COUNT
};

struct aws_finding {
	enum aws_finding_kind kind;
	char *who;    /* the user ("<root_account>"), or the device's serial */
	char *arn;    /* the user's ARN, or "" */
	int key;      /* access key 1 or 2; 0 when not about a key */
	int64_t days; /* age or idle time in whole days; -1 when none */
};

struct aws_audit_limits {
	uint64_t max_key_age; /* days */
	uint64_t max_idle;    /* days */
};

struct aws_audit {
	struct aws_finding *f;
	size_t n;
	size_t users;	/* rows of the report, the root's included */
	size_t devices; /* virtual MFA devices looked at */
	bool root_row;	/* the report had a <root_account> row */
	char generated[AWS_TIME_MAX]; /* when IAM made the report, or "" */
};

/*
 * Judge a credential report (CSV text) as of now: every finding of
 * enum aws_finding_kind but AWS_F_DEVICE_UNASSIGNED, appended to out
 * (zeroed by the caller first, or holding earlier findings). Columns are
 * found by their header names; a value that is neither a date nor one of
 * true, false, N/A, no_information, not_supported is MFA_EPARSE, with the
 * row and column in err.
 */
int aws_audit_report(const char *csv, size_t len, int64_t now,
		     const struct aws_audit_limits *lim, struct aws_audit *out,
		     char *err, size_t errlen);
/* Add a finding (strings copied); sorts nothing. */
int aws_audit_add(struct aws_audit *au, enum aws_finding_kind kind,
		  const char *who, const char *arn, int key, int64_t days);
/* Order the findings: kind, then who, then key. */
void aws_audit_sort(struct aws_audit *au);
void aws_audit_free(struct aws_audit *au);
/* "root-no-mfa", ... (for --json), and the fix, one line. */
const char *aws_finding_name(enum aws_finding_kind k);
const char *aws_finding_fix(enum aws_finding_kind k);
/* What was found, for a person: "access key 1 is 200 days old (limit 90)". */
void aws_finding_text(const struct aws_finding *f,
		      const struct aws_audit_limits *lim, char *buf,
		      size_t len);

/*
 * The whole audit against AWS: generate-credential-report, polled until
 * COMPLETE (at most about a minute), get-credential-report, judged as
 * above as of aws_now(); then list-virtual-mfa-devices, each device
 * assigned to no one an AWS_F_DEVICE_UNASSIGNED. Sorted.
 */
int aws_audit(struct aws_ctx *a, const struct aws_audit_limits *lim,
	      struct aws_audit *out);

/*
 * devices.c: the kind of an MFA device, read from its serial: ...:mfa/...
 * is a virtual device, ...:u2f/... a security key (FIDO: console sign-in
 * only, never CLI or API calls), ...:sms-mfa/... SMS, a serial that is no
 * ARN a hardware TOTP token.
 */
enum aws_dev_kind {
	AWS_DEV_VIRTUAL,
	AWS_DEV_SECURITY_KEY,
	AWS_DEV_HARDWARE,
	AWS_DEV_SMS,
	AWS_DEV_OTHER
};
enum aws_dev_kind aws_device_kind(const char *serial);
const char *aws_device_kind_name(enum aws_dev_kind k);

struct aws_device {
	char *serial;
	char *user;	 /* the user it is assigned to, or NULL */
	int64_t enabled; /* when it was enabled, 0 when not known */
	enum aws_dev_kind kind;
	bool of_user; /* listed by list-mfa-devices for the user asked about */
	long vault_idx; /* the vault account with this serial, or -1 */
};

struct aws_devices {
	char *account;	  /* the caller's account id */
	char *caller_arn; /* who asked */
	char *user;	  /* whose devices list-mfa-devices gave, or NULL */
	struct aws_device *dev;
	size_t n;
	/* Vault accounts whose serial is of this account but not in it. */
	size_t *stale;
	size_t n_stale;
	/* Why a part is missing ("" when complete): the user's devices (the
	 * caller is a role and no user was named), the account's virtual
	 * devices (not allowed to list them). */
	char no_user[AWS_ERR_MAX];
	char no_virtual[AWS_ERR_MAX];
};
/*
 * The devices of user (NULL: the caller) and every virtual device of the
 * account, each matched by serial against the vault data d (may be NULL).
 */
int aws_devices(struct aws_ctx *a, const struct vault_data *d, const char *user,
		struct aws_devices *out);
void aws_devices_free(struct aws_devices *ds);

/*
 * The IAM user a virtual MFA device is assigned to: *user malloc'd, NULL
 * when it is assigned to no one; *exists false when the account has no
 * such virtual device.
 */
int aws_device_user(struct aws_ctx *a, const char *serial, char **user,
		    bool *exists);

/*
 * resync-mfa-device for the vault account with this id (its serial) and
 * IAM user user, with two codes of consecutive time steps both after the
 * account's last step sent, recorded before AWS is called (aws_step_take).
 * steps receives them.
 */
int aws_resync(struct aws_ctx *a, struct vault *v,
	       const uint8_t id[VAULT_ID_BYTES], const char *user,
	       uint64_t steps[2]);

/* deactivate-mfa-device, delete-virtual-mfa-device. */
int aws_device_deactivate(struct aws_ctx *a, const char *user,
			  const char *serial);
int aws_device_delete(struct aws_ctx *a, const char *serial);

/*
 * clock.c: the AWS CLI's version line ("aws-cli/2.9.19 Python/3.11.2 ..."),
 * the first line `aws --version` prints, into out.
 */
int aws_cli_version(struct aws_ctx *a, char *out, size_t len);

/*
 * Our clock against AWS's: an unsigned `sts get-caller-identity` (no
 * credentials are needed or sent: AWS answers an unsigned request with an
 * error, and with its Date header) run with --debug, whose log shows the
 * response headers, each log line stamped with our clock (local time, in
 * milliseconds) when the answer came. offset is AWS's time minus ours in
 * whole seconds, good to about a second (the Date header's resolution);
 * without a stamp the time around the whole call (before, after) is used,
 * and the offset is 0 when the Date falls within it.
 */
struct aws_clock {
	int64_t date;	       /* the Date header, unix seconds */
	int64_t received_ms;   /* our clock when it came, or -1 */
	int64_t before, after; /* our clock around the call */
	int64_t offset;
};
int aws_clock(struct aws_ctx *a, struct aws_clock *c);
/* The last response's Date header in a botocore --debug log, and the
 * local time its log line was stamped with (ms; -1 when unreadable). */
int aws_clock_date_from_log(const char *log, size_t len, int64_t *date,
			    int64_t *received_ms);
/* An HTTP date ("Sun, 29 Nov 2026 13:55:41 GMT") to unix seconds. */
int aws_http_date_parse(const char *s, int64_t *t);

#endif
