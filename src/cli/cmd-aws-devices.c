/*
 * mfa aws devices: the MFA devices of the caller (or of --user-name) and
 * every virtual MFA device of the account, each with its kind, its user and
 * the vault account that holds its seed; then the vault accounts whose
 * device the AWS account no longer has.
 */
#include "lazy/jansson.h"
#include <stdio.h>
#include <string.h>

#include "aws/hygiene.h"
#include "cli/cli.h"
#include "cli/cmd-aws.h"

#define DEVICES_SERIAL_MAX 64

static const struct mfa_opt cmd_aws_devices_opts[] = {
    OPT_ARG(OPT_USER_NAME, "user-name", 0, "U", VAL_TEXT,
	    "whose devices (default: the caller)"),
    OPT_FLAG(OPT_JSON, "json", 'j', "the devices as JSON"),
    AWS_PROFILE_OPTS,
    OPT_END,
};

static const char *
devices_vault_label(const struct vault_data *d, long idx)
{
	if (idx < 0)
		return "-";
	return util_label(d->entries[idx].issuer, d->entries[idx].name);
}

static int
devices_json(struct mfa_ctx *ctx, const struct vault_data *d,
	     const struct aws_devices *ds)
{
	json_t *o, *arr, *st, *e;
	json_free_t jfree;
	char *out;
	size_t i;

	o = json_pack("{s:s, s:s}", "account", ds->account, "caller",
		      ds->caller_arn);
	arr = json_array();
	st = json_array();
	if (o == NULL || arr == NULL || st == NULL)
		goto nomem;
	json_object_set_new(o, "user",
			    ds->user ? json_string(ds->user) : json_null());
	json_object_set_new(o, "devices", arr);
	json_object_set_new(o, "stale", st);
	arr = st = NULL;
	for (i = 0; i < ds->n; i++) {
		const struct aws_device *x = &ds->dev[i];

		e = json_pack("{s:s, s:s, s:b, s:b}", "serial", x->serial,
			      "kind", aws_device_kind_name(x->kind), "of_user",
			      x->of_user, "cli_usable",
			      x->kind != AWS_DEV_SECURITY_KEY);
		if (e == NULL)
			goto nomem;
		json_object_set_new(e, "assigned_to",
				    x->user ? json_string(x->user)
					    : json_null());
		json_object_set_new(
		    e, "vault",
		    x->vault_idx >= 0
			? json_string(devices_vault_label(d, x->vault_idx))
			: json_null());
		json_array_append_new(json_object_get(o, "devices"), e);
	}
	for (i = 0; i < ds->n_stale; i++) {
		const struct vault_entry *v = &d->entries[ds->stale[i]];

		e = json_pack("{s:s, s:s}", "vault",
			      util_label(v->issuer, v->name), "serial",
			      v->serial);
		if (e == NULL)
			goto nomem;
		json_array_append_new(json_object_get(o, "stale"), e);
	}
	if ((out = json_dumps(o, JSON_INDENT(2))) == NULL)
		goto nomem;
	json_decref(o);
	printf("%s\n", out);
	json_get_alloc_funcs(NULL, &jfree);
	jfree(out);
	return 0;
nomem:
	json_decref(o);
	json_decref(arr);
	json_decref(st);
	return cli_fail(ctx, MFA_ENOMEM, "devices");
}

static void
devices_row(const struct vault_data *d, const struct aws_device *x, int ws)
{
	printf("%-*s  %-13s  %-16s  %s\n", ws, util_clean(x->serial),
	       aws_device_kind_name(x->kind),
	       x->user ? util_clean(x->user) : "(no one)",
	       devices_vault_label(d, x->vault_idx));
}

static void
devices_table(const struct vault_data *d, const struct aws_devices *ds)
{
	bool key = false;
	size_t i, mine = 0;
	int ws = 6, n;

	for (i = 0; i < ds->n; i++) {
		n = (int)strlen(ds->dev[i].serial);
		ws = n > ws ? (n > DEVICES_SERIAL_MAX ? DEVICES_SERIAL_MAX : n)
			    : ws;
	}
	printf("account %s, asked as %s\n", util_clean(ds->account),
	       util_clean(ds->caller_arn));
	if (ds->n > 0)
		printf("\n%-*s  %-13s  %-16s  %s\n", ws, "SERIAL", "KIND",
		       "ASSIGNED TO", "IN THE VAULT");
	/* The user's own first, then the rest of the account's. */
	for (i = 0; i < ds->n; i++)
		if (ds->dev[i].of_user)
			devices_row(d, &ds->dev[i], ws);
	for (i = 0; i < ds->n; i++)
		if (!ds->dev[i].of_user)
			devices_row(d, &ds->dev[i], ws);
	for (i = 0; i < ds->n; i++) {
		key |= ds->dev[i].kind == AWS_DEV_SECURITY_KEY;
		mine += ds->dev[i].of_user;
	}
	printf("\n");
	if (ds->no_user[0] == '\0')
		printf("%s has %zu MFA device%s\n",
		       ds->user ? util_clean(ds->user) : "the root user", mine,
		       mine == 1 ? "" : "s");
	else
		printf("note: %s\n", util_clean(ds->no_user));
	if (ds->no_virtual[0] != '\0')
		printf("note: the account's virtual MFA devices could not be "
		       "listed: %s\n",
		       util_clean(ds->no_virtual));
	if (key)
		printf(
		    "note: a security key (FIDO) signs in to the AWS console "
		    "only; AWS takes no\ncode from it for CLI or API calls "
		    "(sts, mfa aws session): use a virtual device\n");
	if (ds->n_stale == 0)
		return;
	printf("\nvault accounts whose device this AWS account no longer "
	       "has:\n");
	for (i = 0; i < ds->n_stale; i++) {
		const struct vault_entry *v = &d->entries[ds->stale[i]];

		printf("  %s  %s\n", util_label(v->issuer, v->name),
		       util_clean(v->serial));
	}
	printf("(remove them with 'mfa rm QUERY' once you are sure)\n");
}

static int
cmd_aws_devices(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct aws_devices ds;
	struct aws_ctx x;
	struct vault *v;
	int rc;

	if ((rc = cmd_aws_ctx(ctx, a, &x)) != 0)
		return rc;
	if ((rc = unlock_vault(ctx, &v)) != 0) {
		aws_ctx_free(&x);
		return rc;
	}
	rc = aws_devices(&x, vault_data(v), args_get(a, OPT_USER_NAME), &ds);
	if (rc != 0) {
		rc = cmd_aws_err(ctx, rc, &x, "devices");
		aws_ctx_free(&x);
		return rc;
	}
	aws_ctx_free(&x);
	if (args_has(a, OPT_JSON))
		rc = devices_json(ctx, vault_data(v), &ds);
	else
		devices_table(vault_data(v), &ds);
	aws_devices_free(&ds);
	return rc;
}

const struct mfa_pos cmd_aws_device_pos[] = {
    {"QUERY", VAL_QUERY, NULL, POS_F_OPTIONAL},
    POS_END,
};

int
cmd_aws_device_account(struct mfa_ctx *ctx, const struct mfa_args *a,
		       struct cmd_aws_device *dev)
{
	const struct vault_entry *e;
	size_t idx;
	int rc;

	memset(dev, 0, sizeof(*dev));
	if ((rc = unlock_vault(ctx, &dev->v)) != 0 ||
	    (rc = cmd_aws_account(ctx, vault_data(dev->v),
				  a->argc > 0 ? a->argv[0] : NULL, &idx)) != 0)
		return rc;
	e = &vault_data(dev->v)->entries[idx];
	memcpy(dev->id, e->id, sizeof(dev->id));
	snprintf(dev->label, sizeof(dev->label), "%s",
		 util_label(e->issuer, e->name));
	if ((dev->serial = strdup(e->serial)) == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "account %s", dev->label);
	return 0;
}

int
cmd_aws_device_user(struct mfa_ctx *ctx, const struct mfa_args *a,
		    struct aws_ctx *x, const char *serial, const char *note,
		    char **user, bool *exists)
{
	char what[1024];
	int rc;

	*exists = true;
	if (args_has(a, OPT_USER_NAME))
		return (*user = strdup(args_get(a, OPT_USER_NAME))) != NULL
			   ? 0
			   : cli_fail(ctx, MFA_ENOMEM, "%s", serial);
	if ((rc = aws_device_user(x, serial, user, exists)) == 0)
		return 0;
	snprintf(what, sizeof(what), "listing the virtual MFA devices%s", note);
	return cmd_aws_err(ctx, rc, x, what);
}

const struct mfa_cmd cmd_aws_devices_entry = {
    .name = "devices",
    .summary = "the MFA devices in AWS, and which the vault holds",
    .help =
	"Lists the MFA devices of the caller (or of --user-name) and every "
	"virtual MFA\ndevice of the account: its kind read from the serial "
	"(mfa/ virtual, u2f/ a\nsecurity key, which signs in to the console "
	"only and never serves CLI or API\ncalls), the user it is assigned "
	"to, and the vault account holding its seed.\nThen the vault "
	"accounts whose serial this AWS account no longer has.",
    .opts = cmd_aws_devices_opts,
    .exec = cmd_aws_devices,
};
