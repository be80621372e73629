/*
 * The command table and the one place options are parsed.
 *
 * Commands resolve by exact name, alias, or unique prefix (as tmux does).
 * Options are parsed with getopt_long from each command's own table plus the
 * global options, so `mfa --vault X code` and `mfa code --vault X` agree,
 * and usage text is generated from the same tables.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

extern const struct mfa_cmd cmd_add_entry;
extern const struct mfa_cmd cmd_aws_entry;
extern const struct mfa_cmd cmd_code_entry;
extern const struct mfa_cmd cmd_completion_entry;
extern const struct mfa_cmd cmd_edit_entry;
extern const struct mfa_cmd cmd_export_entry;
extern const struct mfa_cmd cmd_help_entry;
extern const struct mfa_cmd cmd_import_entry;
extern const struct mfa_cmd cmd_init_entry;
extern const struct mfa_cmd cmd_list_entry;
extern const struct mfa_cmd cmd_lock_entry;
extern const struct mfa_cmd cmd_passwd_entry;
extern const struct mfa_cmd cmd_rename_entry;
extern const struct mfa_cmd cmd_rm_entry;
extern const struct mfa_cmd cmd_show_entry;
extern const struct mfa_cmd cmd_unlock_entry;
extern const struct mfa_cmd cmd_verify_entry;
extern const struct mfa_cmd cmd_watch_entry;

const struct mfa_cmd *const cmd_table[] = {
    &cmd_init_entry,
    &cmd_add_entry,
    &cmd_import_entry,
    &cmd_list_entry,
    &cmd_code_entry,
    &cmd_show_entry,
    &cmd_verify_entry,
    &cmd_watch_entry,
    &cmd_rm_entry,
    &cmd_rename_entry,
    &cmd_edit_entry,
    &cmd_export_entry,
    &cmd_passwd_entry,
    &cmd_unlock_entry,
    &cmd_lock_entry,
    &cmd_aws_entry,
    &cmd_completion_entry,
    &cmd_help_entry,
    NULL,
};

const struct mfa_opt cmd_global_opts[] = {
    {"vault", 0, "PATH",
     "vault file (default $MFA_VAULT, else "
     "${XDG_DATA_HOME:-~/.local/share}/mfa/vault)"},
    {"no-cache", 0, NULL, "neither use nor fill the unlock cache"},
    {"passphrase-fd", 0, "N", "read the passphrase from file descriptor N"},
    {"help", 'h', NULL, "show this help"},
    {NULL, 0, NULL, NULL},
};

const struct mfa_cmd *
cmd_find(const char *name, char *why, size_t whylen)
{
	const struct mfa_cmd *const *c, *found = NULL;
	size_t n = strlen(name), matches = 0;
	char list[256] = "";

	for (c = cmd_table; *c != NULL; c++) {
		if (strcmp((*c)->name, name) == 0 ||
		    ((*c)->alias != NULL && strcmp((*c)->alias, name) == 0))
			return *c;
	}
	for (c = cmd_table; *c != NULL && n > 0; c++) {
		if ((*c)->flags & CMD_HIDDEN)
			continue;
		if (strncmp((*c)->name, name, n) == 0) {
			found = *c;
			matches++;
			if (strlen(list) + strlen((*c)->name) + 3 <
			    sizeof(list)) {
				if (list[0] != '\0')
					strcat(list, ", ");
				strcat(list, (*c)->name);
			}
		}
	}
	if (matches == 1)
		return found;
	if (matches > 1)
		snprintf(why, whylen, "ambiguous command '%s' (could be %s)",
			 name, list);
	else
		snprintf(why, whylen, "unknown command '%s'", name);
	return NULL;
}

static const struct mfa_opt *
cmd_opt_at(const struct mfa_cmd *cmd, int i)
{
	int n = 0;

	if (cmd->opts != NULL)
		while (cmd->opts[n].name != NULL)
			n++;
	return i < n ? &cmd->opts[i] : &cmd_global_opts[i - n];
}

int
cmd_parse(const struct mfa_cmd *cmd, int argc, char **argv, struct mfa_ctx *ctx,
	  struct mfa_args *a)
{
	struct option lopts[CLI_MAX_OPTS + 1];
	char sopts[2 * CLI_MAX_OPTS + 3] = ":";
	const struct mfa_opt *o;
	size_t sl = 1;
	int n = 0, c, idx, i;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	/* GNU getopt permutes: options may follow the arguments. */
	for (i = 0;; i++) {
		o = cmd_opt_at(cmd, i);
		if (o->name == NULL)
			break;
		if (n >= CLI_MAX_OPTS)
			break;
		lopts[n].name = o->name;
		lopts[n].has_arg = o->arg ? required_argument : no_argument;
		lopts[n].flag = NULL;
		lopts[n].val = 1000 + n;
		n++;
		if (o->short_name) {
			sopts[sl++] = (char)o->short_name;
			if (o->arg)
				sopts[sl++] = ':';
		}
	}
	sopts[sl] = '\0';
	memset(&lopts[n], 0, sizeof(lopts[n]));

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, &idx)) != -1) {
		if (c == '?') {
			if (optopt != 0 && optopt < 1000)
				return cli_usage(ctx, "unknown option '-%c'",
						 optopt);
			return cli_usage(ctx, "unknown option '%s'",
					 argv[optind - 1]);
		}
		if (c == ':')
			return cli_usage(ctx, "option '%s' needs a value",
					 argv[optind - 1]);
		o = NULL;
		if (c >= 1000)
			o = cmd_opt_at(cmd, c - 1000);
		else
			for (i = 0; i < n; i++)
				if (cmd_opt_at(cmd, i)->short_name == c)
					o = cmd_opt_at(cmd, i);
		if (o == NULL)
			return cli_usage(ctx, "unknown option");
		if (a->nopt >= CLI_MAX_OPTS)
			return cli_usage(ctx, "too many options");
		a->opt[a->nopt] = o;
		a->val[a->nopt] = o->arg ? optarg : "";
		a->nopt++;
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	if (args_has(a, "help"))
		return 0;
	if (args_has(a, "vault"))
		ctx->vault_path = args_get(a, "vault");
	if (args_has(a, "no-cache"))
		ctx->no_cache = true;
	if (args_has(a, "passphrase-fd"))
		ctx->pass_fd = args_get(a, "passphrase-fd");
	if (args_has(a, "new-passphrase-fd"))
		ctx->new_pass_fd = args_get(a, "new-passphrase-fd");
	if (args_has(a, "import-passphrase-fd"))
		ctx->import_pass_fd = args_get(a, "import-passphrase-fd");
	if (a->argc < cmd->min_args)
		return cli_usage(ctx, "too few arguments");
	if (cmd->max_args >= 0 && a->argc > cmd->max_args)
		return cli_usage(ctx, "unexpected argument '%s'",
				 a->argv[cmd->max_args]);
	return 0;
}

bool
args_has(const struct mfa_args *a, const char *name)
{
	return args_get(a, name) != NULL;
}

const char *
args_get(const struct mfa_args *a, const char *name)
{
	const char *v = NULL;
	int i;

	/* The last occurrence wins, as with most tools. */
	for (i = 0; i < a->nopt; i++)
		if (strcmp(a->opt[i]->name, name) == 0)
			v = a->val[i];
	return v;
}

int
args_uint(struct mfa_ctx *ctx, const struct mfa_args *a, const char *name,
	  uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = args_get(a, name);
	char *end;
	unsigned long long v;

	if (s == NULL)
		return 0;
	errno = 0;
	if (*s < '0' || *s > '9')
		return cli_usage(ctx, "--%s wants a number, not '%s'", name, s);
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return cli_usage(ctx, "--%s must be a number from %llu to %llu",
				 name, (unsigned long long)min,
				 (unsigned long long)max);
	*out = v;
	return 0;
}

/* The one place an error message is recorded for main to print. */
#define CLI_RECORD(ctx, whole, fmt)                                            \
	do {                                                                   \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		vsnprintf((ctx)->msg, sizeof((ctx)->msg), fmt, ap);            \
		va_end(ap);                                                    \
		(ctx)->msg_is_whole = (whole);                                 \
	} while (0)

int
cli_fail(struct mfa_ctx *ctx, int rc, const char *fmt, ...)
{
	CLI_RECORD(ctx, false, fmt);
	return rc;
}

int
cli_failx(struct mfa_ctx *ctx, int rc, const char *fmt, ...)
{
	CLI_RECORD(ctx, true, fmt);
	return rc;
}

int
cli_usage(struct mfa_ctx *ctx, const char *fmt, ...)
{
	CLI_RECORD(ctx, true, fmt);
	return CLI_USAGE;
}

static void
cmd_print_opts(FILE *f, const struct mfa_opt *o)
{
	char left[64];

	for (; o != NULL && o->name != NULL; o++) {
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 o->short_name, o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
}

void
cmd_usage(const struct mfa_cmd *cmd, FILE *f, bool full)
{
	fprintf(f, "usage: mfa %s%s%s\n", cmd->name, cmd->usage[0] ? " " : "",
		cmd->usage);
	if (!full)
		return;
	fprintf(f, "\n%s\n", cmd->summary);
	if (cmd->help != NULL)
		fprintf(f, "\n%s\n", cmd->help);
	if (cmd->alias != NULL)
		fprintf(f, "\nAlias: %s\n", cmd->alias);
	if (cmd->opts != NULL && cmd->opts[0].name != NULL) {
		fprintf(f, "\nOptions:\n");
		cmd_print_opts(f, cmd->opts);
	}
	fprintf(f, "\nGlobal options:\n");
	cmd_print_opts(f, cmd_global_opts);
}

void
cmd_usage_all(FILE *f)
{
	const struct mfa_cmd *const *c;

	fprintf(f, "usage: mfa [--vault PATH] [--no-cache] COMMAND [ARGS]\n\n"
		   "mfa keeps TOTP/HOTP secrets in an encrypted vault and "
		   "prints one-time codes.\n\nCommands:\n");
	for (c = cmd_table; *c != NULL; c++) {
		if ((*c)->flags & CMD_HIDDEN)
			continue;
		fprintf(f, "  %-12s %s\n", (*c)->name, (*c)->summary);
	}
	fprintf(f, "\nRun 'mfa help COMMAND' for a command's options, "
		   "'man mfa' for everything.\n");
}
