/*
 * mfa completion bash|zsh|fish: print a completion script for the shell.
 *
 * A script is a template (contrib/completion/, compiled in) holding the
 * shell logic, and tables this file writes into it from the command tree:
 * each command path's subcommands, the options that may stand there and
 * what their values are, and what its positionals are. A new command,
 * subcommand or option therefore completes in every shell with no edit
 * here or in the templates.
 *
 * Account names come from the hidden `mfa list --names`, which reads only
 * the unlock cache and never prompts, so pressing Tab never asks for a
 * passphrase and completes nothing while the vault is locked.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* build/gen/completion_tpl.c, made from contrib/completion/ by make. */
extern const char completion_tpl_bash[];
extern const char completion_tpl_zsh[];
extern const char completion_tpl_fish[];

#define COMP_OPTS_MAX 96

/* A command path: the nodes from the root, and its names joined with sep. */
struct comp_node {
	const struct mfa_cmd *path[CLI_DEPTH];
	int depth;
};

static const struct mfa_cmd *
comp_cmd(const struct comp_node *n)
{
	return n->path[n->depth - 1];
}

/* "mfa/aws/session" (sep '/'), "mfa_aws_session" (sep '_', '-' too). */
static void
comp_key(const struct comp_node *n, char sep, char *buf, size_t len)
{
	size_t at = 0;
	int d;

	buf[0] = '\0';
	for (d = 0; d < n->depth && at < len; d++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       d ? (sep == '/' ? "/" : "_") : "",
				       n->path[d]->name);
	if (sep != '/')
		for (at = 0; buf[at] != '\0'; at++)
			if (buf[at] == '-')
				buf[at] = '_';
}

/* Words that can go into a script unquoted or in single quotes. */
static bool
comp_safe(const char *w)
{
	if (w == NULL || *w == '\0')
		return false;
	for (; *w != '\0'; w++)
		if (!isalnum((unsigned char)*w) && strchr("-_.: ", *w) == NULL)
			return false;
	return true;
}

/* The options that may stand at node n: its own, then its ancestors'
 * (the root's are the global options); hidden ones left out. */
static int
comp_opts(const struct comp_node *n, const struct mfa_opt **out)
{
	const struct mfa_opt *o;
	int d, k = 0;

	for (d = n->depth - 1; d >= 0; d--)
		for (o = n->path[d]->opts; o != NULL && o->id != OPT_NONE;
		     o++) {
			if (o->flags & OPT_F_HIDDEN)
				continue;
			if ((o->flags & OPT_F_HERE) && d != n->depth - 1)
				continue;
			if (k < COMP_OPTS_MAX)
				out[k++] = o;
		}
	return k;
}

static bool
comp_visible(const struct mfa_cmd *c)
{
	return !(c->flags & CMD_HIDDEN);
}

/* Call fn for n and every visible node below it, depth first. */
static void
comp_walk(struct comp_node *n, void (*fn)(FILE *, const struct comp_node *),
	  FILE *f)
{
	const struct mfa_cmd *const *s;

	fn(f, n);
	if (comp_cmd(n)->subs == NULL || n->depth >= CLI_DEPTH)
		return;
	for (s = comp_cmd(n)->subs; *s != NULL; s++) {
		if (!comp_visible(*s))
			continue;
		n->path[n->depth++] = *s;
		comp_walk(n, fn, f);
		n->depth--;
	}
}

/* The bash/fish name of a value kind, or NULL (free text). */
static const char *
comp_kind(enum cli_val v, const char *words)
{
	switch (v) {
	case VAL_FILE:
		return ":file";
	case VAL_QUERY:
		return ":name";
	case VAL_COMMAND:
		return ":command";
	case VAL_WORDS:
		return comp_safe(words) ? words : ":text";
	case VAL_TEXT:
	case VAL_NUMBER:
		break;
	}
	return ":text";
}

/* What a value is, in a word, for zsh's and fish's descriptions. */
static const char *
comp_what(enum cli_val v, const char *placeholder)
{
	switch (v) {
	case VAL_FILE:
		return "file";
	case VAL_QUERY:
		return "account";
	case VAL_COMMAND:
		return "command";
	default:
		break;
	}
	return placeholder;
}

/* The template up to @name@, then fn's tables, then the rest. */
static void
comp_fill(FILE *f, const char *tpl, const char *mark1,
	  void (*fn1)(FILE *, const struct comp_node *), const char *mark2,
	  void (*fn2)(FILE *, const struct comp_node *))
{
	struct comp_node root = {{&cmd_root}, 1};
	const char *p = tpl, *m;

	while (*p != '\0') {
		const char *m1 = strstr(p, mark1);
		const char *m2 = mark2 != NULL ? strstr(p, mark2) : NULL;

		m = m1 != NULL && (m2 == NULL || m1 < m2) ? m1 : m2;
		if (m == NULL) {
			fputs(p, f);
			return;
		}
		fwrite(p, 1, (size_t)(m - p), f);
		comp_walk(&root, m == m1 ? fn1 : fn2, f);
		p = m + strlen(m == m1 ? mark1 : mark2);
	}
}

/* --- bash ---------------------------------------------------------------- */

static void
comp_bash_node(FILE *f, const struct comp_node *n)
{
	const struct mfa_cmd *c = comp_cmd(n), *const * s;
	const struct mfa_opt *opts[COMP_OPTS_MAX];
	const struct mfa_pos *p;
	char key[128];
	int i, k, nopt = comp_opts(n, opts);

	comp_key(n, '/', key, sizeof(key));
	if (c->subs != NULL) {
		fprintf(f, "_mfa_subs[%s]='", key);
		for (k = 0, s = c->subs; *s != NULL; s++)
			if (comp_visible(*s))
				fprintf(f, "%s%s", k++ ? " " : "", (*s)->name);
		fputs("'\n", f);
		for (s = c->subs; *s != NULL; s++)
			if ((*s)->alias != NULL)
				fprintf(f, "_mfa_alias[%s/%s]=%s\n", key,
					(*s)->alias, (*s)->name);
	}
	fprintf(f, "_mfa_opts[%s]='", key);
	for (i = 0; i < nopt; i++) {
		fprintf(f, "%s--%s", i ? " " : "", opts[i]->name);
		if (opts[i]->short_name)
			fprintf(f, " -%c", opts[i]->short_name);
	}
	fputs("'\n", f);
	for (i = 0; i < nopt; i++) {
		const char *kind;

		if (opts[i]->arg == NULL)
			continue;
		kind = comp_kind(opts[i]->val, opts[i]->words);
		fprintf(f, "_mfa_arg['%s --%s']='%s'\n", key, opts[i]->name,
			kind);
		if (opts[i]->short_name)
			fprintf(f, "_mfa_arg['%s -%c']='%s'\n", key,
				opts[i]->short_name, kind);
	}
	for (k = 1, p = c->pos; p != NULL && p->name != NULL; p++, k++) {
		if (p->flags & POS_F_HIDDEN)
			break;
		fprintf(f, "_mfa_pos['%s %d']='%s'\n", key, k,
			comp_kind(p->val, p->words));
		if (p->flags & POS_F_REPEAT)
			fprintf(f, "_mfa_rep[%s]=%d\n", key, k);
	}
}

/* --- zsh ----------------------------------------------------------------- */

/* Text inside '...' and inside an _arguments [description]. */
static void
comp_zsh_desc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == '[' || *s == ']' || *s == '\\' || *s == ':')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

static void
comp_zsh_action(FILE *f, enum cli_val v, const char *words, const char *what)
{
	fprintf(f, ":%s:", comp_what(v, what));
	switch (v) {
	case VAL_FILE:
		fputs("_files", f);
		break;
	case VAL_QUERY:
		fputs("_mfa_names", f);
		break;
	case VAL_COMMAND:
		fputs("_mfa_commands", f);
		break;
	case VAL_WORDS:
		if (comp_safe(words)) {
			fprintf(f, "(%s)", words);
			break;
		}
		/* FALLTHROUGH */
	default:
		fputs(" ", f);
		break;
	}
}

static void
comp_zsh_node(FILE *f, const struct comp_node *n)
{
	const struct mfa_cmd *c = comp_cmd(n), *const * s;
	const struct mfa_opt *opts[COMP_OPTS_MAX], *o;
	const struct mfa_pos *p;
	char key[128], what[32];
	int i, k, nopt = comp_opts(n, opts);

	comp_key(n, '_', key, sizeof(key));
	fprintf(f, "typeset -ga _mfa_spec_%s\n_mfa_spec_%s=(\n", key, key);
	for (i = 0; i < nopt; i++) {
		o = opts[i];
		fputs("\t", f);
		if (o->id == OPT_HELP || o->id == OPT_VERSION)
			fputs("'(- *)'", f);
		else if (o->short_name)
			fprintf(f, "'(-%c --%s)'", o->short_name, o->name);
		if (o->short_name)
			fprintf(f, "{-%c%s,--%s%s}'", o->short_name,
				o->arg ? "+" : "", o->name, o->arg ? "=" : "");
		else
			fprintf(f, "'--%s%s", o->name, o->arg ? "=" : "");
		fputc('[', f);
		comp_zsh_desc(f, o->help);
		fputc(']', f);
		if (o->arg != NULL) {
			snprintf(what, sizeof(what), "%s", o->name);
			comp_zsh_action(f, o->val, o->words, what);
		}
		fputs("'\n", f);
	}
	for (k = 1, p = c->pos; p != NULL && p->name != NULL; p++, k++) {
		if (p->flags & POS_F_HIDDEN)
			break;
		for (i = 0; p->name[i] != '\0' && i < (int)sizeof(what) - 1;
		     i++)
			what[i] = (char)tolower((unsigned char)p->name[i]);
		what[i] = '\0';
		if (p->flags & POS_F_REPEAT)
			fputs("\t'*", f);
		else
			fprintf(f, "\t'%d", k);
		comp_zsh_action(f, p->val, p->words, what);
		fputs("'\n", f);
	}
	fputs(")\n", f);
	if (c->subs == NULL)
		return;
	fprintf(f, "typeset -ga _mfa_subs_%s\n_mfa_subs_%s=(\n", key, key);
	for (s = c->subs; *s != NULL; s++) {
		if (!comp_visible(*s))
			continue;
		fprintf(f, "\t'%s:", (*s)->name);
		comp_zsh_desc(f, (*s)->summary);
		fputs("'\n", f);
	}
	fputs(")\n", f);
	for (s = c->subs; *s != NULL; s++)
		if ((*s)->alias != NULL)
			fprintf(f, "_mfa_alias[%s:%s]=%s\n", key, (*s)->alias,
				(*s)->name);
}

/* --- fish ---------------------------------------------------------------- */

static void
comp_fish_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void
comp_fish_data(FILE *f, const struct comp_node *n)
{
	const struct mfa_cmd *c = comp_cmd(n), *const * s;
	const struct mfa_opt *opts[COMP_OPTS_MAX];
	char key[128];
	int i, nopt = comp_opts(n, opts);

	comp_key(n, '_', key, sizeof(key));
	if (c->subs != NULL) {
		fprintf(f, "set -g __mfa_subs_%s", key);
		for (s = c->subs; *s != NULL; s++)
			if (comp_visible(*s))
				fprintf(f, " %s", (*s)->name);
		fputs("\n", f);
		for (s = c->subs; *s != NULL; s++)
			if ((*s)->alias != NULL)
				fprintf(f, "set -ga __mfa_alias %s:%s %s\n",
					key, (*s)->alias, (*s)->name);
	}
	fprintf(f, "set -g __mfa_vals_%s", key);
	for (i = 0; i < nopt; i++) {
		if (opts[i]->arg == NULL)
			continue;
		fprintf(f, " --%s", opts[i]->name);
		if (opts[i]->short_name)
			fprintf(f, " -%c", opts[i]->short_name);
	}
	fputs("\n", f);
}

/* The value part of a `complete` line. */
static void
comp_fish_value(FILE *f, enum cli_val v, const char *words)
{
	switch (v) {
	case VAL_FILE:
		fputs(" -r -F", f);
		break;
	case VAL_QUERY:
		fputs(" -x -a '(__mfa_names)'", f);
		break;
	case VAL_COMMAND:
		fputs(" -x -a '$__mfa_subs_mfa'", f);
		break;
	case VAL_WORDS:
		if (comp_safe(words)) {
			fprintf(f, " -x -a '%s'", words);
			break;
		}
		/* FALLTHROUGH */
	default:
		fputs(" -x", f);
		break;
	}
}

static void
comp_fish_node(FILE *f, const struct comp_node *n)
{
	const struct mfa_cmd *c = comp_cmd(n), *const * s;
	const struct mfa_opt *opts[COMP_OPTS_MAX];
	const struct mfa_pos *p;
	char key[128];
	int i, k, nopt = comp_opts(n, opts);

	comp_key(n, '_', key, sizeof(key));
	for (s = c->subs; s != NULL && *s != NULL; s++) {
		if (!comp_visible(*s))
			continue;
		fprintf(f, "complete -c mfa -n '__mfa_at %s sub' -a %s -d ",
			key, (*s)->name);
		comp_fish_quote(f, (*s)->summary);
		fputs("\n", f);
	}
	for (i = 0; i < nopt; i++) {
		fprintf(f, "complete -c mfa -n '__mfa_at %s' -l %s", key,
			opts[i]->name);
		if (opts[i]->short_name)
			fprintf(f, " -s %c", opts[i]->short_name);
		if (opts[i]->arg != NULL)
			comp_fish_value(f, opts[i]->val, opts[i]->words);
		fputs(" -d ", f);
		comp_fish_quote(f, opts[i]->help);
		fputs("\n", f);
	}
	for (k = 1, p = c->pos; p != NULL && p->name != NULL; p++, k++) {
		if (p->flags & POS_F_HIDDEN)
			break;
		if (p->val == VAL_TEXT || p->val == VAL_NUMBER)
			continue;
		fprintf(f, "complete -c mfa -n '__mfa_at %s %d%s'", key, k,
			p->flags & POS_F_REPEAT ? "+" : "");
		comp_fish_value(f, p->val, p->words);
		fprintf(f, " -d '%s'\n", comp_what(p->val, "argument"));
	}
}

static int
cmd_completion_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *sh = a->argv[0];

	if (strcmp(sh, "bash") == 0)
		comp_fill(stdout, completion_tpl_bash, "@DATA@", comp_bash_node,
			  NULL, NULL);
	else if (strcmp(sh, "zsh") == 0)
		comp_fill(stdout, completion_tpl_zsh, "@DATA@", comp_zsh_node,
			  NULL, NULL);
	else if (strcmp(sh, "fish") == 0)
		comp_fill(stdout, completion_tpl_fish, "@DATA@", comp_fish_data,
			  "@COMPLETE@", comp_fish_node);
	else
		return cli_usage(ctx,
				 "no completion for the shell '%s' (bash, zsh "
				 "or fish)",
				 sh);
	return 0;
}

static const struct mfa_pos cmd_completion_pos[] = {
    {"SHELL", VAL_WORDS, "bash zsh fish", 0},
    POS_END,
};

const struct mfa_cmd cmd_completion_entry = {
    .name = "completion",
    .summary = "print a shell completion script",
    .help = "Completes commands, options, formats, files and account names "
	    "(from the\nunlock cache only: Tab never asks for the passphrase). "
	    "`make install` puts\nthe scripts where the shells look; or add to "
	    "~/.bashrc:\n  source <(mfa completion bash)\n"
	    "to ~/.zshrc (after compinit):\n  source <(mfa completion zsh)\n"
	    "or run:\n  mfa completion fish > "
	    "~/.config/fish/completions/mfa.fish",
    .pos = cmd_completion_pos,
    .exec = cmd_completion_exec,
};
