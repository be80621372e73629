/*
 * mfa edit: change an account's name, issuer, AWS serial, note or code
 * parameters in place (the secret and the id stay). mfa rename is the
 * common case of it. A change that would make two accounts share a name
 * and issuer is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_edit_opts[] = {
    OPT_ARG(OPT_NAME, "name", 'n', "S", VAL_TEXT, "new account name"),
    OPT_ARG(OPT_ISSUER, "issuer", 'i', "S", VAL_TEXT,
	    "new issuer (\"\" for none)"),
    OPT_ARG(OPT_SERIAL, "serial", 0, "ARN", VAL_TEXT,
	    "AWS MFA device serial (\"\" to drop it)"),
    OPT_ARG(OPT_NOTE, "note", 0, "S", VAL_TEXT, "free-text note"),
    SECRET_OPTS,
    OPT_END,
};

struct edit_job {
	uint8_t id[VAULT_ID_BYTES];
	const struct mfa_args *a;
	struct mfa_ctx *ctx;
	const char *name, *issuer, *serial, *note;
	int64_t now;
};

static int
edit_apply(struct vault_data *d, void *arg)
{
	struct edit_job *j = arg;
	struct vault_entry *e;
	struct otp_params p;
	long i = vault_entry_find_id(d, j->id), other;
	int rc;

	if (i < 0)
		return MFA_ENOTFOUND;
	e = &d->entries[i];
	other = add_find_same(d, j->issuer ? j->issuer : e->issuer,
			      j->name ? j->name : e->name);
	if (other >= 0 && other != i)
		return MFA_EEXIST;
	p = e->p;
	if (j->a != NULL && (rc = secret_apply_opts(j->ctx, j->a, &p)) != 0)
		return rc;
	if ((rc = otp_params_check(&p)) != 0)
		return rc;
	if ((j->name && (rc = vault_entry_set_str(&e->name, j->name))) ||
	    (j->issuer && (rc = vault_entry_set_str(&e->issuer, j->issuer))) ||
	    (j->serial && (rc = vault_entry_set_str(&e->serial, j->serial))) ||
	    (j->note && (rc = vault_entry_set_str(&e->note, j->note))))
		return rc;
	e->p = p;
	e->updated = j->now;
	return 0;
}

int
edit_run(struct mfa_ctx *ctx, const char *query, const char *name,
	 const char *issuer, const char *serial, const char *note,
	 const struct mfa_args *a)
{
	const struct vault_data *d;
	struct edit_job j;
	struct vault *v;
	char label[512];
	size_t idx;
	int rc;

	if (name != NULL && name[0] == '\0')
		return cli_usage(ctx, "an account name cannot be empty");
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	d = vault_data(v);
	if ((rc = query_resolve(ctx, d, query, &idx)) != 0)
		return rc;
	snprintf(label, sizeof(label), "%s",
		 util_label(d->entries[idx].issuer, d->entries[idx].name));
	memset(&j, 0, sizeof(j));
	memcpy(j.id, d->entries[idx].id, sizeof(j.id));
	j.a = a;
	j.ctx = ctx;
	j.name = name;
	j.issuer = issuer;
	j.serial = serial;
	j.note = note;
	j.now = util_time();
	rc = vault_update(v, edit_apply, &j);
	if (rc == CLI_USAGE)
		return rc;
	if (rc == MFA_EEXIST)
		return cli_fail(
		    ctx, rc, "account %s",
		    util_label(issuer ? issuer : d->entries[idx].issuer,
			       name ? name : d->entries[idx].name));
	if (rc != 0)
		return cli_fail(ctx, rc, "account %s", label);
	d = vault_data(v);
	idx = (size_t)vault_entry_find_id(d, j.id);
	printf("updated %s", label);
	printf(" -> %s\n",
	       util_label(d->entries[idx].issuer, d->entries[idx].name));
	return 0;
}

static int
cmd_edit_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	return edit_run(ctx, a->argv[0], args_get(a, OPT_NAME),
			args_get(a, OPT_ISSUER), args_get(a, OPT_SERIAL),
			args_get(a, OPT_NOTE), a);
}

static const struct mfa_pos cmd_edit_pos[] = {
    {"QUERY", VAL_QUERY, NULL, 0},
    POS_END,
};

const struct mfa_cmd cmd_edit_entry = {
    .name = "edit",
    .summary = "change an account's details (not its secret)",
    .opts = cmd_edit_opts,
    .pos = cmd_edit_pos,
    .exec = cmd_edit_exec,
};
