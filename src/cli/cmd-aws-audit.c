/*
 * mfa aws audit: the account's credential hygiene from the IAM credential
 * report, as a table a person reads at a glance or as JSON for scripts.
 * Exit 0 when nothing was found and CLI_FINDINGS (4) otherwise, so that a
 * CI job fails on findings and still tells them from errors (1).
 */
#include "lazy/jansson.h"
#include <stdio.h>
#include <string.h>

#include "aws/hygiene.h"
#include "cli/cli.h"
#include "cli/cmd-aws.h"

#define AUDIT_DEFAULT_DAYS 90
#define AUDIT_MAX_DAYS 36500
#define AUDIT_WHO_MAX 48

static const struct mfa_opt cmd_aws_audit_opts[] = {
    OPT_ARG(OPT_MAX_KEY_AGE, "max-key-age", 0, "DAYS", VAL_NUMBER,
	    "access keys older than this are findings (default 90)"),
    OPT_ARG(OPT_MAX_IDLE, "max-idle", 0, "DAYS", VAL_NUMBER,
	    "keys and passwords unused this long are findings (default 90)"),
    OPT_FLAG(OPT_JSON, "json", 'j', "the findings as JSON"),
    AWS_PROFILE_OPTS,
    OPT_END,
};

static int
audit_json(struct mfa_ctx *ctx, const struct aws_audit *au,
	   const struct aws_audit_limits *lim)
{
	json_t *o, *arr, *f;
	json_free_t jfree;
	char text[256], *out;
	size_t i;

	if ((o = json_object()) == NULL || (arr = json_array()) == NULL) {
		json_decref(o);
		return cli_fail(ctx, MFA_ENOMEM, "audit");
	}
	json_object_set_new(o, "generated", json_string(au->generated));
	json_object_set_new(o, "max_key_age_days",
			    json_integer((json_int_t)lim->max_key_age));
	json_object_set_new(o, "max_idle_days",
			    json_integer((json_int_t)lim->max_idle));
	json_object_set_new(o, "users", json_integer((json_int_t)au->users));
	json_object_set_new(o, "root_checked", json_boolean(au->root_row));
	json_object_set_new(o, "virtual_mfa_devices",
			    json_integer((json_int_t)au->devices));
	json_object_set_new(o, "findings", arr);
	for (i = 0; i < au->n; i++) {
		const struct aws_finding *x = &au->f[i];

		aws_finding_text(x, lim, text, sizeof(text));
		f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind",
			      aws_finding_name(x->kind), "who", x->who, "arn",
			      x->arn, "message", text, "fix",
			      aws_finding_fix(x->kind));
		if (f == NULL) {
			json_decref(o);
			return cli_fail(ctx, MFA_ENOMEM, "audit");
		}
		json_object_set_new(
		    f, "key", x->key ? json_integer(x->key) : json_null());
		json_object_set_new(f, "days",
				    x->days >= 0
					? json_integer((json_int_t)x->days)
					: json_null());
		json_array_append_new(arr, f);
	}
	out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (out == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "audit");
	printf("%s\n", out);
	json_get_alloc_funcs(NULL, &jfree);
	jfree(out);
	return 0;
}

static void
audit_table(const struct aws_audit *au, const struct aws_audit_limits *lim)
{
	bool seen[AWS_F__COUNT] = {false};
	char text[256];
	int w = 4, n;
	size_t i;

	for (i = 0; i < au->n; i++) {
		n = (int)strlen(au->f[i].who);
		w = n > w ? (n > AUDIT_WHO_MAX ? AUDIT_WHO_MAX : n) : w;
	}
	if (au->n > 0)
		printf("%-*s  %s\n", w, "WHO", "FINDING");
	for (i = 0; i < au->n; i++) {
		aws_finding_text(&au->f[i], lim, text, sizeof(text));
		printf("%-*s  %s\n", w, util_clean(au->f[i].who), text);
		seen[au->f[i].kind] = true;
	}
	if (au->n > 0) {
		printf("\nTo fix:\n");
		for (i = 0; i < AWS_F__COUNT; i++)
			if (seen[i])
				printf(
				    "  %s: %s\n",
				    aws_finding_name((enum aws_finding_kind)i),
				    aws_finding_fix((enum aws_finding_kind)i));
		printf("\n");
	}
	printf("%zu finding%s: %zu user%s and %zu virtual MFA device%s "
	       "checked (report of %s)\n",
	       au->n, au->n == 1 ? "" : "s", au->users,
	       au->users == 1 ? "" : "s", au->devices,
	       au->devices == 1 ? "" : "s",
	       au->generated[0] ? util_clean(au->generated) : "unknown time");
	if (!au->root_row)
		printf("the report has no <root_account> row: the root user "
		       "was not checked\n");
}

static int
cmd_aws_audit(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct aws_audit_limits lim = {AUDIT_DEFAULT_DAYS, AUDIT_DEFAULT_DAYS};
	struct aws_audit au;
	struct aws_ctx x;
	int rc;

	if ((rc = args_uint(ctx, a, OPT_MAX_KEY_AGE, 0, AUDIT_MAX_DAYS,
			    &lim.max_key_age)) != 0 ||
	    (rc = args_uint(ctx, a, OPT_MAX_IDLE, 0, AUDIT_MAX_DAYS,
			    &lim.max_idle)) != 0)
		return rc;
	if ((rc = cmd_aws_ctx(ctx, a, &x)) != 0)
		return rc;
	rc = aws_audit(&x, &lim, &au);
	if (rc != 0) {
		rc = cmd_aws_err(ctx, rc, &x, "audit");
		aws_ctx_free(&x);
		return rc;
	}
	aws_ctx_free(&x);
	if (args_has(a, OPT_JSON))
		rc = audit_json(ctx, &au, &lim);
	else
		audit_table(&au, &lim);
	if (rc == 0 && au.n > 0)
		rc = CLI_FINDINGS;
	aws_audit_free(&au);
	return rc;
}

const struct mfa_cmd cmd_aws_audit_entry = {
    .name = "audit",
    .summary = "check the account's credentials (IAM credential report)",
    .help =
	"Fetches the IAM credential report (generating it first) and lists, "
	"most urgent\nfirst: the root user without MFA or with access keys; "
	"users with a console\npassword and no MFA; access keys older than "
	"--max-key-age; keys and passwords\nunused for longer than "
	"--max-idle, or never used; users with two active keys;\nvirtual MFA "
	"devices assigned to no one. Exit 0 when nothing was found, 4 when\n"
	"something was (1 on errors), so it fits a CI job.",
    .opts = cmd_aws_audit_opts,
    .exec = cmd_aws_audit,
};
