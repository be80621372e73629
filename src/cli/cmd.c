/*
 * The command tree and the one place command lines are parsed.
 *
 * Every command is described by a struct mfa_cmd: its options (by id), its
 * positional arguments and its subcommands. From that one description come
 * the parser below, the usage and help text, the completion scripts
 * (cmd-completion.c) and the tests that check the man page against the
 * program. Adding a command is one table entry and one function.
 *
 * Commands resolve by exact name, alias, or unique prefix (as tmux does).
 * An option may stand anywhere after the command it belongs to: options of
 * a command apply to its subcommands too, and the root's options (the global
 * ones) apply everywhere.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

extern const struct mfa_cmd cmd_add_entry;
extern const struct mfa_cmd cmd_aws_entry;
extern const struct mfa_cmd cmd_code_entry;
extern const struct mfa_cmd cmd_completion_entry;
extern const struct mfa_cmd cmd_doctor_entry;
extern const struct mfa_cmd cmd_edit_entry;
extern const struct mfa_cmd cmd_export_entry;
extern const struct mfa_cmd cmd_help_entry;
extern const struct mfa_cmd cmd_import_entry;
extern const struct mfa_cmd cmd_init_entry;
extern const struct mfa_cmd cmd_list_entry;
extern const struct mfa_cmd cmd_lock_entry;
extern const struct mfa_cmd cmd_parse_entry;
extern const struct mfa_cmd cmd_passwd_entry;
extern const struct mfa_cmd cmd_rename_entry;
extern const struct mfa_cmd cmd_rm_entry;
extern const struct mfa_cmd cmd_show_entry;
extern const struct mfa_cmd cmd_slot_entry;
extern const struct mfa_cmd cmd_sync_entry;
extern const struct mfa_cmd cmd_merge_driver_entry;
extern const struct mfa_cmd cmd_textconv_entry;
extern const struct mfa_cmd cmd_unlock_entry;
extern const struct mfa_cmd cmd_verify_entry;
extern const struct mfa_cmd cmd_watch_entry;

/* clang-format off */
static const struct mfa_cmd *const cmd_table[] = {
    &cmd_init_entry,	   &cmd_add_entry,
    &cmd_import_entry,	   &cmd_list_entry,
    &cmd_code_entry,	   &cmd_show_entry,
    &cmd_verify_entry,	   &cmd_watch_entry,
    &cmd_rm_entry,	   &cmd_rename_entry,
    &cmd_edit_entry,	   &cmd_export_entry,
    &cmd_passwd_entry,	   &cmd_unlock_entry,
    &cmd_lock_entry,	   &cmd_slot_entry,
    &cmd_aws_entry,	   &cmd_doctor_entry,
    &cmd_completion_entry, &cmd_help_entry,
    &cmd_parse_entry,
    &cmd_sync_entry, &cmd_merge_driver_entry, &cmd_textconv_entry,
    NULL,
};
/* clang-format on */

static const struct mfa_opt cmd_global_opts[] = {
    OPT_ARG(OPT_VAULT, "vault", 0, "PATH", VAL_FILE,
	    "vault file (default $MFA_VAULT, else "
	    "${XDG_DATA_HOME:-~/.local/share}/mfa/vault)"),
    OPT_FLAG(OPT_NO_CACHE, "no-cache", 0,
	     "neither use nor fill the unlock cache"),
    OPT_ARG(OPT_PASSPHRASE_FD, "passphrase-fd", 0, "N", VAL_NUMBER,
	    "read the passphrase from file descriptor N"),
    OPT_FLAG(OPT_HELP, "help", 'h', "show this help"),
    {.id = OPT_VERSION,
     .name = "version",
     .short_name = 'V',
     .help = "print mfa's version",
     .flags = OPT_F_HERE},
    OPT_END,
};

const struct mfa_cmd cmd_root = {
    .name = "mfa",
    .summary = "mfa keeps TOTP/HOTP secrets in an encrypted vault and prints "
	       "one-time codes.",
    .opts = cmd_global_opts,
    .subs = cmd_table,
};

static void cmd_sub_list(const struct mfa_cmd *c, char *buf, size_t len);

static bool
cmd_visible(const struct mfa_cmd *c)
{
	return !(c->flags & CMD_HIDDEN);
}

const struct mfa_cmd *
cmd_find(const struct mfa_cmd *parent, const char *name, char *why,
	 size_t whylen)
{
	const struct mfa_cmd *const *c, *found = NULL;
	size_t n = strlen(name), matches = 0, l = 0;
	char list[256] = "";

	for (c = parent->subs; c != NULL && *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0 ||
		    ((*c)->alias != NULL && strcmp((*c)->alias, name) == 0))
			return *c;
	for (c = parent->subs; c != NULL && *c != NULL && n > 0; c++) {
		if (!cmd_visible(*c) || strncmp((*c)->name, name, n) != 0)
			continue;
		found = *c;
		matches++;
		if (l + strlen((*c)->name) + 3 < sizeof(list))
			l +=
			    (size_t)snprintf(list + l, sizeof(list) - l, "%s%s",
					     l ? ", " : "", (*c)->name);
	}
	if (matches == 1)
		return found;
	if (matches > 1)
		snprintf(why, whylen, "ambiguous command '%s' (could be %s)",
			 name, list);
	else if (parent == &cmd_root)
		snprintf(why, whylen, "unknown command '%s'", name);
	else {
		cmd_sub_list(parent, list, sizeof(list));
		snprintf(why, whylen, "unknown %s subcommand '%s' (%s)",
			 parent->name, name, list);
	}
	return NULL;
}

/* Is option o of path[d] in scope at the end of the path? */
static bool
cmd_in_scope(const struct mfa_args *a, const struct mfa_opt *o, int d)
{
	return !(o->flags & OPT_F_HERE) || d == a->depth - 1;
}

/* The option called name (len bytes) in scope at path[0..depth): exact,
 * else a unique prefix of a long name. */
static const struct mfa_opt *
cmd_find_long(const struct mfa_args *a, const char *name, size_t len,
	      bool *ambiguous)
{
	const struct mfa_opt *o, *pre = NULL;
	int d, npre = 0;

	*ambiguous = false;
	for (d = a->depth - 1; d >= 0; d--)
		for (o = a->path[d]->opts; o != NULL && o->id != OPT_NONE; o++)
			if (strlen(o->name) == len &&
			    strncmp(o->name, name, len) == 0 &&
			    cmd_in_scope(a, o, d))
				return o;
	for (d = a->depth - 1; d >= 0; d--)
		for (o = a->path[d]->opts; o != NULL && o->id != OPT_NONE; o++)
			if (strncmp(o->name, name, len) == 0 &&
			    !(o->flags & OPT_F_HIDDEN) && o != pre &&
			    cmd_in_scope(a, o, d)) {
				pre = o;
				npre++;
			}
	*ambiguous = npre > 1;
	return npre == 1 ? pre : NULL;
}

static const struct mfa_opt *
cmd_find_short(const struct mfa_args *a, int ch)
{
	const struct mfa_opt *o;
	int d;

	for (d = a->depth - 1; d >= 0; d--)
		for (o = a->path[d]->opts; o != NULL && o->id != OPT_NONE; o++)
			if (o->short_name == ch && cmd_in_scope(a, o, d))
				return o;
	return NULL;
}

static void
cmd_record(struct mfa_args *a, const struct mfa_opt *o, const char *val)
{
	a->seen[a->nseen].id = o->id;
	a->seen[a->nseen].val = val;
	a->nseen++;
	a->last[o->id] = val;
}

/* The first command below c (path in buf) with a long option called name:
 * for the message about an option given to the wrong command. */
static bool
cmd_owner(const struct mfa_cmd *c, const char *name, size_t len, char *buf,
	  size_t cap)
{
	const struct mfa_cmd *const *s;
	const struct mfa_opt *o;
	size_t at = strlen(buf);

	for (o = c->opts; o != NULL && o->id != OPT_NONE; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return true;
	for (s = c->subs; s != NULL && *s != NULL; s++) {
		if (!cmd_visible(*s))
			continue;
		snprintf(buf + at, cap - at, " %s", (*s)->name);
		if (cmd_owner(*s, name, len, buf, cap))
			return true;
		buf[at] = '\0';
	}
	return false;
}

static int
cmd_unknown_long(struct mfa_ctx *ctx, const struct mfa_args *a,
		 const char *name, size_t len, bool ambiguous)
{
	char here[128], owner[128] = "mfa";
	size_t at = 0;
	int d;

	if (!ambiguous &&
	    cmd_owner(&cmd_root, name, len, owner, sizeof(owner))) {
		for (d = 0; d < a->depth; d++)
			at += (size_t)snprintf(here + at, sizeof(here) - at,
					       "%s%s", d ? " " : "",
					       a->path[d]->name);
		return cli_usage(ctx,
				 "%s takes no --%.*s (it is an option of "
				 "%s)",
				 here, (int)len, name, owner);
	}
	return cli_usage(ctx, "%s option '--%.*s'",
			 ambiguous ? "ambiguous" : "unknown", (int)len, name);
}

/* One option word at argv[*i]; *i moves past a value taken from the next
 * word. */
static int
cmd_parse_opt(struct mfa_ctx *ctx, struct mfa_args *a, int argc, char **argv,
	      int *i)
{
	const char *w = argv[*i], *eq, *v;
	const struct mfa_opt *o;
	bool amb;
	size_t k;

	if (w[1] == '-') {
		eq = strchr(w + 2, '=');
		k = eq != NULL ? (size_t)(eq - (w + 2)) : strlen(w + 2);
		if ((o = cmd_find_long(a, w + 2, k, &amb)) == NULL)
			return cmd_unknown_long(ctx, a, w + 2, k, amb);
		if (o->arg == NULL && eq != NULL)
			return cli_usage(ctx, "option '--%s' takes no value",
					 o->name);
		if (o->arg == NULL) {
			v = "";
		} else if (eq != NULL) {
			v = eq + 1;
		} else if (*i + 1 < argc) {
			v = argv[++*i];
		} else {
			return cli_usage(ctx, "option '--%s' needs a value",
					 o->name);
		}
		cmd_record(a, o, v);
		return 0;
	}
	/* A cluster of short options: -yf, -d8, -d 8. */
	for (k = 1; w[k] != '\0'; k++) {
		if ((o = cmd_find_short(a, (unsigned char)w[k])) == NULL)
			return cli_usage(ctx, "unknown option '-%c'", w[k]);
		if (o->arg == NULL) {
			cmd_record(a, o, "");
			continue;
		}
		if (w[k + 1] != '\0')
			v = w + k + 1;
		else if (*i + 1 < argc)
			v = argv[++*i];
		else
			return cli_usage(ctx, "option '-%c' needs a value",
					 w[k]);
		cmd_record(a, o, v);
		break;
	}
	return 0;
}

static int
cmd_count_pos(const struct mfa_cmd *c, int *min, int *max)
{
	const struct mfa_pos *p;

	*min = *max = 0;
	for (p = c->pos; p != NULL && p->name != NULL; p++) {
		if (!(p->flags & POS_F_OPTIONAL))
			(*min)++;
		if (p->flags & POS_F_REPEAT)
			*max = -1;
		else if (*max >= 0)
			(*max)++;
	}
	return 0;
}

/* The subcommands of c, "enroll, codes or session". */
static void
cmd_sub_list(const struct mfa_cmd *c, char *buf, size_t len)
{
	const struct mfa_cmd *const *s;
	size_t n = 0, i = 0, l = 0;

	for (s = c->subs; *s != NULL; s++)
		n += cmd_visible(*s);
	buf[0] = '\0';
	for (s = c->subs; *s != NULL && l < len; s++) {
		if (!cmd_visible(*s))
			continue;
		i++;
		l += (size_t)snprintf(buf + l, len - l, "%s%s",
				      i == 1   ? ""
				      : i == n ? " or "
					       : ", ",
				      (*s)->name);
	}
}

/* At most one option of each exclusive group. */
static int
cmd_check_groups(struct mfa_ctx *ctx, const struct mfa_args *a)
{
	const struct mfa_opt *o, *seen[8] = {NULL};
	int d, k;

	for (k = 0; k < a->nseen; k++)
		for (d = 0; d < a->depth; d++)
			for (o = a->path[d]->opts;
			     o != NULL && o->id != OPT_NONE; o++) {
				if (o->id != a->seen[k].id || o->group <= 0 ||
				    o->group >= 8)
					continue;
				if (seen[o->group] != NULL &&
				    seen[o->group] != o)
					return cli_usage(
					    ctx,
					    "--%s and --%s exclude each other",
					    seen[o->group]->name, o->name);
				seen[o->group] = o;
			}
	return 0;
}

int
cmd_parse(int argc, char **argv, struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct mfa_cmd *cur = &cmd_root, *sub;
	bool dashdash = false;
	char why[256];
	int i, rc, min, max;

	memset(a, 0, sizeof(*a));
	ctx->args = a;
	a->path[0] = cur;
	a->depth = 1;
	a->cmd = cur;
	a->argv = calloc((size_t)argc + 1, sizeof(*a->argv));
	a->seen = calloc((size_t)argc + 1, sizeof(*a->seen));
	if (a->argv == NULL || a->seen == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "command line");
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!dashdash && strcmp(w, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && w[0] == '-' && w[1] != '\0') {
			if ((rc = cmd_parse_opt(ctx, a, argc, argv, &i)) != 0)
				return rc;
			continue;
		}
		/* The first word after a command with subcommands picks one;
		 * one with positionals of its own takes it only when it names
		 * no subcommand. */
		if (cur->subs != NULL && a->argc == 0 && a->depth < CLI_DEPTH) {
			sub = cmd_find(cur, w, why, sizeof(why));
			if (sub != NULL) {
				cur = a->cmd = a->path[a->depth++] = sub;
				continue;
			}
			if (cur->pos == NULL)
				return cli_usage(ctx, "%s", why);
		}
		a->argv[a->argc++] = argv[i];
	}
	if (args_has(a, OPT_HELP) || args_has(a, OPT_VERSION))
		return 0;
	if (cur == &cmd_root)
		return cli_usage(ctx, "a command is needed");
	if (cur->exec == NULL) {
		cmd_sub_list(cur, why, sizeof(why));
		return cli_usage(ctx, "which one: mfa %s %s?", cur->name, why);
	}
	if ((rc = cmd_check_groups(ctx, a)) != 0)
		return rc;
	cmd_count_pos(cur, &min, &max);
	if (a->argc < min)
		return cli_usage(ctx, "too few arguments");
	if (max >= 0 && a->argc > max)
		return cli_usage(ctx, "unexpected argument '%s'", a->argv[max]);
	return 0;
}

void
args_free(struct mfa_args *a)
{
	free(a->argv);
	free(a->seen);
	a->argv = NULL;
	a->seen = NULL;
}

const char *
args_nth(const struct mfa_args *a, enum cli_opt_id id, int i)
{
	int k;

	for (k = 0; k < a->nseen; k++)
		if (a->seen[k].id == id && i-- == 0)
			return a->seen[k].val;
	return NULL;
}

/* Search the whole tree for an option's long name. */
static const char *
cmd_opt_name_in(const struct mfa_cmd *c, enum cli_opt_id id)
{
	const struct mfa_cmd *const *s;
	const struct mfa_opt *o;
	const char *n;

	for (o = c->opts; o != NULL && o->id != OPT_NONE; o++)
		if (o->id == id)
			return o->name;
	for (s = c->subs; s != NULL && *s != NULL; s++)
		if ((n = cmd_opt_name_in(*s, id)) != NULL)
			return n;
	return NULL;
}

const char *
args_opt_name(enum cli_opt_id id)
{
	const char *n = cmd_opt_name_in(&cmd_root, id);

	return n != NULL ? n : "?";
}

int
args_uint(struct mfa_ctx *ctx, const struct mfa_args *a, enum cli_opt_id id,
	  uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = args_get(a, id), *name = args_opt_name(id);
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

/* The one place an error is recorded for main to print. */
int
cli_fail(struct mfa_ctx *ctx, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->what, sizeof(ctx->what), fmt, ap);
	va_end(ap);
	/* A detail left by an earlier failure that was recovered from is
	 * not this one's. */
	if (ctx->err.rc != 0 && ctx->err.rc != rc)
		ctx->err.why[0] = '\0';
	ctx->err.rc = rc;
	return rc;
}

int
cli_failx(struct mfa_ctx *ctx, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err.why, sizeof(ctx->err.why), fmt, ap);
	va_end(ap);
	ctx->what[0] = '\0';
	ctx->err.rc = rc;
	return rc;
}

int
cli_usage(struct mfa_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err.why, sizeof(ctx->err.why), fmt, ap);
	va_end(ap);
	ctx->what[0] = '\0';
	ctx->err.rc = CLI_USAGE;
	return CLI_USAGE;
}

/* --- usage and help, from the tables ------------------------------------ */

struct cmd_buf {
	char *p;
	size_t len, at;
};

static void cmd_put(struct cmd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
cmd_put(struct cmd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->at >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->at, b->len - b->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->at += (size_t)n;
}

void
cmd_usage_args(const struct mfa_cmd *c, char *buf, size_t len)
{
	struct cmd_buf b = {buf, len, 0};
	const struct mfa_opt *o, *g;
	const struct mfa_pos *p;

	buf[0] = '\0';
	if (c->usage != NULL) {
		cmd_put(&b, "%s", c->usage);
		return;
	}
	for (p = c->pos; p != NULL && p->name != NULL; p++) {
		if (p->flags & POS_F_HIDDEN)
			continue;
		cmd_put(&b, "%s%s", b.at ? " " : "",
			p->flags & POS_F_OPTIONAL ? "[" : "");
		if (p->val == VAL_WORDS && p->words != NULL) {
			const char *w;

			for (w = p->words; *w != '\0'; w++)
				cmd_put(&b, "%c", *w == ' ' ? '|' : *w);
		} else {
			cmd_put(&b, "%s", p->name);
		}
		cmd_put(&b, "%s%s", p->flags & POS_F_REPEAT ? "..." : "",
			p->flags & POS_F_OPTIONAL ? "]" : "");
	}
	for (o = c->opts; o != NULL && o->id != OPT_NONE; o++) {
		if (o->flags & OPT_F_HIDDEN)
			continue;
		if (o->group > 0) {
			/* The group, once, at its first member. */
			for (g = c->opts; g != o && g->group != o->group; g++)
				;
			if (g != o)
				continue;
			cmd_put(&b, "%s[", b.at ? " " : "");
			for (g = o; g->id != OPT_NONE; g++)
				if (g->group == o->group)
					cmd_put(&b, "%s--%s%s%s",
						g == o ? "" : "|", g->name,
						g->arg ? " " : "",
						g->arg ? g->arg : "");
			cmd_put(&b, "]");
			continue;
		}
		if (o->short_name && o->arg != NULL)
			cmd_put(&b, "%s[-%c %s]", b.at ? " " : "",
				o->short_name, o->arg);
		else
			cmd_put(&b, "%s[--%s%s%s]%s", b.at ? " " : "", o->name,
				o->arg ? " " : "", o->arg ? o->arg : "",
				o->flags & OPT_F_REPEAT ? "..." : "");
	}
}

static void
cmd_path_name(const struct mfa_cmd *const *path, int depth, char *buf,
	      size_t len)
{
	struct cmd_buf b = {buf, len, 0};
	int d;

	buf[0] = '\0';
	for (d = 0; d < depth; d++)
		cmd_put(&b, "%s%s", d ? " " : "", path[d]->name);
}

/* lead + name + args, folded at 79 columns between bracketed words. */
static void
cmd_usage_wrap(FILE *f, const char *lead, const char *name, const char *args)
{
	size_t indent = strlen(lead) + strlen(name) + 1, col, n;
	const char *p = args, *q;
	int depth;

	fprintf(f, "%s%s", lead, name);
	col = indent - 1;
	while (*p != '\0') {
		for (depth = 0, q = p; *q != '\0' && (*q != ' ' || depth > 0);
		     q++)
			depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
		n = (size_t)(q - p);
		if (col + 1 + n > 79 && col > indent) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, n, f);
		col += n;
		p = *q == ' ' ? q + 1 : q;
	}
	fputc('\n', f);
}

/* "usage: mfa aws session ..." lines for c and its visible subcommands. */
static void
cmd_usage_lines(const struct mfa_cmd *const *path, int depth, FILE *f,
		bool *first)
{
	const struct mfa_cmd *c = path[depth - 1], *sub[CLI_DEPTH];
	const struct mfa_cmd *const *s;
	char name[128], args[1024];

	if (c->exec != NULL || c->subs == NULL) {
		cmd_path_name(path, depth, name, sizeof(name));
		cmd_usage_args(c, args, sizeof(args));
		cmd_usage_wrap(f, *first ? "usage: " : "       ", name, args);
		*first = false;
	}
	if (c->subs == NULL || depth >= CLI_DEPTH)
		return;
	memcpy(sub, path, (size_t)depth * sizeof(*path));
	for (s = c->subs; *s != NULL; s++) {
		if (!cmd_visible(*s))
			continue;
		sub[depth] = *s;
		cmd_usage_lines(sub, depth + 1, f, first);
	}
}

static void
cmd_print_opts(FILE *f, const struct mfa_opt *o, bool here)
{
	char left[64];

	for (; o != NULL && o->id != OPT_NONE; o++) {
		if ((o->flags & OPT_F_HIDDEN) ||
		    (!here && (o->flags & OPT_F_HERE)))
			continue;
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

static bool
cmd_has_opts(const struct mfa_opt *o)
{
	for (; o != NULL && o->id != OPT_NONE; o++)
		if (!(o->flags & OPT_F_HIDDEN))
			return true;
	return false;
}

void
cmd_usage(const struct mfa_cmd *const *path, int depth, FILE *f, bool full)
{
	const struct mfa_cmd *c = path[depth - 1];
	const struct mfa_cmd *const *s;
	bool first = true;
	char name[128];
	int d;

	if (depth <= 1) {
		if (full)
			cmd_usage_all(f);
		else
			fprintf(f, "usage: mfa [--vault PATH] [--no-cache] "
				   "COMMAND [ARGS] (see 'mfa help')\n");
		return;
	}
	cmd_usage_lines(path, depth, f, &first);
	if (!full)
		return;
	fprintf(f, "\n%s\n", c->summary);
	if (c->help != NULL)
		fprintf(f, "\n%s\n", c->help);
	if (c->alias != NULL)
		fprintf(f, "\nAlias: %s\n", c->alias);
	if (c->subs != NULL) {
		fprintf(f, "\nSubcommands:\n");
		for (s = c->subs; *s != NULL; s++)
			if (cmd_visible(*s))
				fprintf(f, "  %-12s %s\n", (*s)->name,
					(*s)->summary);
	}
	if (cmd_has_opts(c->opts)) {
		fprintf(f, "\nOptions:\n");
		cmd_print_opts(f, c->opts, true);
	}
	for (d = depth - 2; d >= 1; d--) {
		if (!cmd_has_opts(path[d]->opts))
			continue;
		cmd_path_name(path, d + 1, name, sizeof(name));
		fprintf(f, "\nOptions of '%s':\n", name);
		cmd_print_opts(f, path[d]->opts, false);
	}
	fprintf(f, "\nGlobal options:\n");
	cmd_print_opts(f, cmd_global_opts, false);
}

void
cmd_usage_all(FILE *f)
{
	const struct mfa_cmd *const *c;

	fprintf(f,
		"usage: mfa [--vault PATH] [--no-cache] COMMAND [ARGS]\n\n"
		"%s\n\nCommands:\n",
		cmd_root.summary);
	for (c = cmd_table; *c != NULL; c++) {
		if (cmd_visible(*c))
			fprintf(f, "  %-12s %s\n", (*c)->name, (*c)->summary);
	}
	fprintf(f, "\nRun 'mfa help COMMAND' for a command's options, "
		   "'man mfa' for everything.\n");
}
