/*
 * mfa completion bash|zsh|fish: print a completion script for the shell.
 *
 * The scripts are generated at run time from the command table: the command
 * names, each command's options and which of them take a value, and what its
 * positional arguments are (read from its usage string: QUERY is an account,
 * FILE and PATH a file, COMMAND a command, "a|b|c" literal words). A new
 * command or option therefore completes without anyone editing a script.
 * Only the shell logic around those lists is fixed text here.
 *
 * Account names come from the hidden `mfa list --names`, which reads only
 * the unlock cache and never prompts, so pressing Tab never asks for a
 * passphrase and completes nothing while the vault is locked.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/io.h"

#define COMP_POS_MAX 4
#define COMP_WORDS_MAX 512
#define COMP_TOK_MAX 64
#define COMP_TOK_LEN 96

enum comp_kind {
	COMP_NONE,  /* free text: nothing to offer */
	COMP_FILE,  /* a file name */
	COMP_NAME,  /* an account name (mfa list --names) */
	COMP_CMD,   /* an mfa command */
	COMP_WORDS, /* one of a fixed list of words */
};

struct comp_val {
	enum comp_kind kind;
	char what[32];		    /* "account", "file"...: for zsh */
	char words[COMP_WORDS_MAX]; /* COMP_WORDS: space separated */
};

struct comp_pos {
	struct comp_val v[COMP_POS_MAX];
	int n;	    /* positionals described */
	int repeat; /* index of the one that repeats (FILE...), or -1 */
};

/* A form "WORD [options]" of a command with subcommands (mfa aws enroll). */
#define COMP_FORMS_MAX 8
struct comp_form {
	char word[COMP_TOK_LEN];
	const struct mfa_opt *opt[CLI_MAX_OPTS];
	int nopt;
};

struct comp_forms {
	struct comp_form f[COMP_FORMS_MAX];
	int n; /* 0: the command has no subcommands */
};

struct comp_toks {
	char t[COMP_TOK_MAX][COMP_TOK_LEN];
	int n;
};

/* Options that serve the scripts themselves are not offered to people. */
static bool
completion_hidden_opt(const struct mfa_opt *o)
{
	return strncmp(o->help, "(for completion)", 16) == 0;
}

/* Words that can go into a script unquoted. */
static bool
completion_safe(const char *w)
{
	if (*w == '\0')
		return false;
	for (; *w != '\0'; w++)
		if (!isalnum((unsigned char)*w) && *w != '-' && *w != '_' &&
		    *w != '.')
			return false;
	return true;
}

static void
completion_add_word(struct comp_val *v, const char *w)
{
	size_t n = strlen(v->words), wl = strlen(w);
	char pad[COMP_TOK_LEN + 2];

	if (!completion_safe(w) || wl >= COMP_TOK_LEN)
		return;
	snprintf(pad, sizeof(pad), " %s ", w);
	if (n > 0) {
		char have[COMP_WORDS_MAX + 2];

		snprintf(have, sizeof(have), " %s ", v->words);
		if (strstr(have, pad) != NULL)
			return;
	}
	if (n + wl + 2 > sizeof(v->words))
		return;
	if (n > 0)
		v->words[n++] = ' ';
	memcpy(v->words + n, w, wl + 1);
	v->kind = COMP_WORDS;
}

/*
 * The usage string as tokens, brackets dropped: "[-a HASH]" -> "-a" "HASH".
 * A usage may go on over several lines; a line that starts again with
 * "mfa NAME" is another form of the command, which becomes a "|" token,
 * as " | " between two forms on one line does.
 */
static void
completion_tokens(const struct mfa_cmd *c, struct comp_toks *tk)
{
	const char *p = c->usage, *q;
	size_t len, nl = strlen(c->name);

	tk->n = 0;
	while (*p != '\0' && tk->n < COMP_TOK_MAX) {
		if (*p == '\n') {
			for (q = p + 1; *q == ' ' || *q == '\t'; q++)
				;
			if (strncmp(q, "mfa ", 4) == 0 &&
			    strncmp(q + 4, c->name, nl) == 0 &&
			    (q[4 + nl] == ' ' || q[4 + nl] == '\0')) {
				snprintf(tk->t[tk->n++], COMP_TOK_LEN, "|");
				p = q + 4 + nl;
				continue;
			}
		}
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		len = 0;
		for (; *p != '\0' && *p != ' ' && *p != '\n' && *p != '\t'; p++)
			if (*p != '[' && *p != ']' && len < COMP_TOK_LEN - 1)
				tk->t[tk->n][len++] = *p;
		tk->t[tk->n][len] = '\0';
		if (len > 0)
			tk->n++;
	}
}

/* The option a usage token names ("--format", "-f", "--png=FILE"). */
static const struct mfa_opt *
completion_find_opt(const struct mfa_cmd *c, const char *tok)
{
	const struct mfa_opt *o;
	char name[COMP_TOK_LEN];
	size_t n;
	int pass;

	snprintf(name, sizeof(name), "%s", tok);
	name[strcspn(name, "=")] = '\0';
	n = strlen(name);
	for (pass = 0; pass < 2; pass++) {
		o = pass == 0 ? c->opts : cmd_global_opts;
		for (; o != NULL && o->name != NULL; o++) {
			if (n > 2 && name[0] == '-' && name[1] == '-' &&
			    strcmp(name + 2, o->name) == 0)
				return o;
			if (n == 2 && name[0] == '-' && o->short_name != 0 &&
			    name[1] == o->short_name)
				return o;
		}
	}
	return NULL;
}

/* Does this option token ("--uri|--qr|--png") end with one taking a value? */
static bool
completion_tok_takes_value(const struct mfa_cmd *c, const char *tok)
{
	const char *last = strrchr(tok, '|');
	const struct mfa_opt *o;

	if (strchr(tok, '=') != NULL)
		return false;
	o = completion_find_opt(c, last != NULL ? last + 1 : tok);
	return o != NULL && o->arg != NULL;
}

static bool
completion_is_literal(const char *w)
{
	bool lower = false;

	for (; *w != '\0'; w++) {
		if (islower((unsigned char)*w))
			lower = true;
		else if (!isdigit((unsigned char)*w) && *w != '-' && *w != '_')
			return false;
	}
	return lower;
}

static bool
completion_is_placeholder(const char *w)
{
	if (*w == '\0')
		return false;
	for (; *w != '\0'; w++)
		if (!isupper((unsigned char)*w) &&
		    !isdigit((unsigned char)*w) && *w != '_')
			return false;
	return true;
}

/* What a placeholder stands for: QUERY an account, FILE a file... */
static void
completion_placeholder(const char *w, struct comp_val *v)
{
	size_t i;

	if (strcmp(w, "QUERY") == 0) {
		v->kind = COMP_NAME;
		snprintf(v->what, sizeof(v->what), "account");
	} else if (strcmp(w, "FILE") == 0 || strcmp(w, "PATH") == 0) {
		v->kind = COMP_FILE;
		snprintf(v->what, sizeof(v->what), "file");
	} else if (strcmp(w, "COMMAND") == 0) {
		v->kind = COMP_CMD;
		snprintf(v->what, sizeof(v->what), "command");
	} else {
		v->kind = COMP_NONE;
		for (i = 0; w[i] != '\0' && i < sizeof(v->what) - 1; i++)
			v->what[i] = (char)tolower((unsigned char)w[i]);
		v->what[i] = '\0';
	}
}

/*
 * The positionals from the usage string. Top-level " | " separates
 * alternative forms ("enroll ... | codes QUERY"): positions are counted
 * afresh in each and merged, literal words of one position joining a list.
 */
static void
completion_positionals(const struct mfa_cmd *c, struct comp_pos *p)
{
	static struct comp_toks tk;
	char alt[COMP_TOK_LEN], *a, *save = NULL;
	struct comp_val *v;
	size_t l;
	int i, k = 0;

	memset(p, 0, sizeof(*p));
	p->repeat = -1;
	completion_tokens(c, &tk);
	for (i = 0; i < tk.n; i++) {
		const char *t = tk.t[i];

		if (strcmp(t, "|") == 0) {
			k = 0;
			continue;
		}
		if (t[0] == '-' && t[1] != '\0') {
			if (completion_tok_takes_value(c, t))
				i++;
			continue;
		}
		if (k >= COMP_POS_MAX)
			continue;
		v = &p->v[k];
		snprintf(alt, sizeof(alt), "%s", t);
		for (a = strtok_r(alt, "|", &save); a != NULL;
		     a = strtok_r(NULL, "|", &save)) {
			l = strlen(a);
			if (l > 3 && strcmp(a + l - 3, "...") == 0) {
				a[l - 3] = '\0';
				p->repeat = k;
			}
			if (completion_is_literal(a)) {
				completion_add_word(v, a);
				if (v->what[0] == '\0')
					snprintf(v->what, sizeof(v->what), "%s",
						 strcmp(c->name, "completion")
						     ? "subcommand"
						     : "shell");
			} else if (completion_is_placeholder(a) &&
				   v->kind == COMP_NONE && v->what[0] == '\0') {
				completion_placeholder(a, v);
			}
		}
		if (v->what[0] == '\0')
			snprintf(v->what, sizeof(v->what), "argument");
		k++;
		if (k > p->n)
			p->n = k;
	}
	if (c->max_args >= 0 && p->n > c->max_args)
		p->n = c->max_args;
	if (p->repeat >= p->n)
		p->repeat = -1;
}

/*
 * The subcommands of a command whose usage forms each begin with a word
 * of their own ("enroll [--user-name U] ... | codes [QUERY] | session ..."),
 * with the options each form names, so that an option is only offered
 * where it is taken.
 */
static void
completion_forms(const struct mfa_cmd *c, struct comp_forms *fs)
{
	static struct comp_toks tk;
	char alt[COMP_TOK_LEN], *a, *save = NULL;
	struct comp_form *cur = NULL;
	const struct mfa_opt *o;
	bool start = true;
	int i, j;

	memset(fs, 0, sizeof(*fs));
	completion_tokens(c, &tk);
	for (i = 0; i < tk.n; i++) {
		const char *t = tk.t[i];

		if (strcmp(t, "|") == 0) {
			start = true;
			continue;
		}
		if (start) {
			start = false;
			if (!completion_is_literal(t) ||
			    fs->n >= COMP_FORMS_MAX)
				goto none;
			cur = &fs->f[fs->n++];
			snprintf(cur->word, sizeof(cur->word), "%s", t);
			continue;
		}
		if (t[0] != '-' || t[1] == '\0')
			continue;
		snprintf(alt, sizeof(alt), "%s", t);
		for (a = strtok_r(alt, "|", &save); a != NULL;
		     a = strtok_r(NULL, "|", &save)) {
			if ((o = completion_find_opt(c, a)) == NULL)
				continue;
			for (j = 0; j < cur->nopt && cur->opt[j] != o; j++)
				;
			if (j == cur->nopt && cur->nopt < CLI_MAX_OPTS)
				cur->opt[cur->nopt++] = o;
		}
		if (completion_tok_takes_value(c, t))
			i++;
	}
	if (fs->n >= 2)
		return;
none:
	fs->n = 0;
}

/* Is option o of command c taken by form f? Options no form names (and
 * the global ones) go with every form. */
static bool
completion_form_takes(const struct comp_forms *fs, const struct comp_form *f,
		      const struct mfa_opt *o)
{
	int i, j;
	bool named = false;

	for (i = 0; i < fs->n; i++)
		for (j = 0; j < fs->f[i].nopt; j++)
			if (fs->f[i].opt[j] == o) {
				named = true;
				if (&fs->f[i] == f)
					return true;
			}
	return !named;
}

/* What the value of option o of command c is. */
static void
completion_opt_value(const struct mfa_cmd *c, const struct mfa_opt *o,
		     struct comp_val *v)
{
	static struct comp_toks tk;
	char alt[COMP_TOK_LEN], *a, *save = NULL;
	const char *last;
	int i, f;

	memset(v, 0, sizeof(*v));
	if (o->arg == NULL)
		return;
	/* The usage may list the values: "[--format uri|json|google]". */
	completion_tokens(c, &tk);
	for (i = 0; i + 1 < tk.n; i++) {
		last = strrchr(tk.t[i], '|');
		last = last != NULL ? last + 1 : tk.t[i];
		if (last[0] != '-' || completion_find_opt(c, last) != o)
			continue;
		snprintf(alt, sizeof(alt), "%s", tk.t[i + 1]);
		for (a = strtok_r(alt, "|", &save); a != NULL;
		     a = strtok_r(NULL, "|", &save))
			if (completion_is_literal(a))
				completion_add_word(v, a);
	}
	if (v->kind == COMP_WORDS) {
		snprintf(v->what, sizeof(v->what), "%s", o->name);
		return;
	}
	completion_placeholder(o->arg, v);
	if (strcmp(o->arg, "HASH") == 0) {
		for (f = OTP_SHA1; strcmp(otp_hash_name(f), "?") != 0; f++)
			completion_add_word(v, otp_hash_name(f));
	} else if (strcmp(o->arg, "FORMAT") == 0 &&
		   strcmp(c->name, "import") == 0) {
		/* The importers' own names, so a new format completes too. */
		for (f = IO_AUTO + 1; strcmp(io_format_name(f), "unknown") != 0;
		     f++)
			completion_add_word(v, io_format_name(f));
	}
}

/* Every option of a command: its own, then the global ones. */
static int
completion_opts(const struct mfa_cmd *c, const struct mfa_opt **out, int max)
{
	const struct mfa_opt *o;
	int n = 0;

	for (o = c != NULL ? c->opts : NULL; o != NULL && o->name != NULL; o++)
		if (!completion_hidden_opt(o) && n < max)
			out[n++] = o;
	for (o = cmd_global_opts; o->name != NULL; o++)
		if (n < max)
			out[n++] = o;
	return n;
}

/* --- bash ---------------------------------------------------------------- */

static const char completion_bash_head[] =
    "# bash completion for mfa(1)                               -*- "
    "shell-script -*-\n"
    "#\n"
    "# Generated by 'mfa completion bash' from mfa's command table. Install "
    "it as\n"
    "# /usr/share/bash-completion/completions/mfa (or in\n"
    "# ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/), or "
    "put\n"
    "# 'source <(mfa completion bash)' in ~/.bashrc. Account names come "
    "from\n"
    "# 'mfa list --names', which reads only the unlock cache and never "
    "prompts:\n"
    "# while the vault is locked they complete to nothing.\n\n";

static const char completion_bash_body[] =
    "# Offer the lines of $1 that begin with the word being completed.\n"
    "_mfa_offer()\n"
    "{\n"
    "\tlocal w ucur=${cur//\\\\/}\n"
    "\tucur=${ucur#[\\\"\\']}\n"
    "\twhile IFS= read -r w; do\n"
    "\t\t[[ -n $w && $w == \"$ucur\"* ]] && COMPREPLY+=(\"$w\")\n"
    "\tdone <<<\"$1\"\n"
    "}\n"
    "\n"
    "_mfa_words()\n"
    "{\n"
    "\t_mfa_offer \"${1// /$'\\n'}\"\n"
    "}\n"
    "\n"
    "_mfa_files()\n"
    "{\n"
    "\tif declare -F _filedir >/dev/null; then\n"
    "\t\t_filedir\n"
    "\telse\n"
    "\t\tcompopt -o filenames 2>/dev/null\n"
    "\t\tmapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(compgen -f -- "
    "\"$cur\")\n"
    "\tfi\n"
    "}\n"
    "\n"
    "# Account names, quoted for the command line. Only the unlock cache is\n"
    "# used: no prompt, and nothing while the vault is locked.\n"
    "_mfa_names()\n"
    "{\n"
    "\tlocal -a vault=()\n"
    "\tlocal i\n"
    "\t[[ -n $_mfa_vault ]] && vault=(--vault \"$_mfa_vault\")\n"
    "\t_mfa_offer \"$(command mfa \"${vault[@]}\" list --names </dev/null "
    "2>/dev/null)\"\n"
    "\tfor i in \"${!COMPREPLY[@]}\"; do\n"
    "\t\tprintf -v 'COMPREPLY[i]' %q \"${COMPREPLY[i]}\"\n"
    "\tdone\n"
    "\t# readline completes only what follows the last ':' of the word.\n"
    "\tif [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then\n"
    "\t\tlocal pre=${cur%\"${cur##*:}\"}\n"
    "\t\tfor i in \"${!COMPREPLY[@]}\"; do\n"
    "\t\t\tCOMPREPLY[i]=${COMPREPLY[i]#\"$pre\"}\n"
    "\t\tdone\n"
    "\tfi\n"
    "}\n"
    "\n"
    "_mfa_complete_kind()\n"
    "{\n"
    "\tcase $1 in\n"
    "\t:file) _mfa_files ;;\n"
    "\t:name) _mfa_names ;;\n"
    "\t:command) _mfa_words \"$_mfa_commands\" ;;\n"
    "\t*) _mfa_words \"$1\" ;;\n"
    "\tesac\n"
    "}\n"
    "\n"
    "_mfa()\n"
    "{\n"
    "\tlocal cur prev words cword split\n"
    "\tif declare -F _init_completion >/dev/null; then\n"
    "\t\t_init_completion -s -n : || return\n"
    "\telse\n"
    "\t\t# Without bash-completion: rejoin what readline split at ':'\n"
    "\t\t# (\"issuer:name\"), and take --opt=value apart at '='.\n"
    "\t\tlocal w\n"
    "\t\twords=()\n"
    "\t\tfor w in \"${COMP_WORDS[@]:0:COMP_CWORD+1}\"; do\n"
    "\t\t\tif ((${#words[@]} > 1)) && [[ $w == : || ${words[-1]} == *: ]]; "
    "then\n"
    "\t\t\t\twords[-1]+=$w\n"
    "\t\t\telse\n"
    "\t\t\t\twords+=(\"$w\")\n"
    "\t\t\tfi\n"
    "\t\tdone\n"
    "\t\tcword=$((${#words[@]} - 1))\n"
    "\t\tcur=${words[cword]}\n"
    "\t\tprev=${words[cword - 1]}\n"
    "\t\tif [[ $cur == = ]]; then\n"
    "\t\t\tcur=\n"
    "\t\telif [[ $prev == = ]]; then\n"
    "\t\t\tprev=${words[cword - 2]}\n"
    "\t\t\tsplit=true\n"
    "\t\tfi\n"
    "\tfi\n"
    "\tCOMPREPLY=()\n"
    "\n"
    "\t# Find the command (prefixes resolved as mfa does), how many\n"
    "\t# positionals come before the cursor, and any --vault.\n"
    "\tlocal i w cmd= first= want= npos=0 noopts= _mfa_vault= kind\n"
    "\tfor ((i = 1; i < cword; i++)); do\n"
    "\t\tw=${words[i]}\n"
    "\t\tif [[ -n $want ]]; then\n"
    "\t\t\t[[ $want == --vault ]] && _mfa_vault=$w\n"
    "\t\t\twant=\n"
    "\t\telif [[ -n $cmd && -z $noopts && $w == -- ]]; then\n"
    "\t\t\tnoopts=1\n"
    "\t\telif [[ -z $noopts && $w == -?* ]]; then\n"
    "\t\t\tcase $w in\n"
    "\t\t\t--vault=*) _mfa_vault=${w#--vault=} ;;\n"
    "\t\t\t*=*) ;;\n"
    "\t\t\t*) _mfa_takes_value \"$cmd\" \"$w\" && want=$w ;;\n"
    "\t\t\tesac\n"
    "\t\telif [[ -z $cmd ]]; then\n"
    "\t\t\tcmd=$(_mfa_resolve \"$w\")\n"
    "\t\t\t[[ -z $cmd ]] && return 0\n"
    "\t\telse\n"
    "\t\t\t((npos++ == 0)) && first=$w\n"
    "\t\tfi\n"
    "\tdone\n"
    "\t_mfa_vault=${_mfa_vault/#\\~/$HOME}\n"
    "\t[[ ${split-} == true ]] && want=$prev\n"
    "\n"
    "\tif [[ -n $want ]]; then\n"
    "\t\tkind=$(_mfa_value \"$cmd\" \"$want\")\n"
    "\telif [[ -z $noopts && $cur == -* ]]; then\n"
    "\t\tkind=$(_mfa_opts \"$cmd\" \"$first\")\n"
    "\telif [[ -z $cmd ]]; then\n"
    "\t\tkind=:command\n"
    "\telse\n"
    "\t\tkind=$(_mfa_positional \"$cmd\" $((npos + 1)))\n"
    "\tfi\n"
    "\t[[ -n $kind ]] && _mfa_complete_kind \"$kind\"\n"
    "\treturn 0\n"
    "}\n"
    "complete -F _mfa mfa\n";

static const char *
completion_bash_kind(const struct comp_val *v)
{
	switch (v->kind) {
	case COMP_FILE:
		return ":file";
	case COMP_NAME:
		return ":name";
	case COMP_CMD:
		return ":command";
	case COMP_WORDS:
		return v->words;
	case COMP_NONE:
		break;
	}
	return NULL;
}

/* The options of c (NULL: none) and the global ones; with fs, only those
 * form f takes. */
static void
completion_bash_optlist(FILE *f, const struct mfa_cmd *c,
			const struct comp_forms *fs,
			const struct comp_form *form)
{
	const struct mfa_opt *opts[CLI_MAX_OPTS + 8];
	int i, n;

	n = completion_opts(c, opts, CLI_MAX_OPTS + 8);
	for (i = 0; i < n; i++) {
		if (fs != NULL && !completion_form_takes(fs, form, opts[i]))
			continue;
		fprintf(f, " --%s", opts[i]->name);
		if (opts[i]->short_name)
			fprintf(f, " -%c", opts[i]->short_name);
	}
}

static void
completion_bash(FILE *f)
{
	static struct comp_forms fs;
	const struct mfa_cmd *const *c;
	struct comp_val v;
	struct comp_pos p;
	const char *k;
	int i, n;

	fputs(completion_bash_head, f);
	fputs("_mfa_commands='", f);
	for (n = 0, c = cmd_table; *c != NULL; c++)
		if (!((*c)->flags & CMD_HIDDEN))
			fprintf(f, "%s%s", n++ ? " " : "", (*c)->name);
	fputs("'\n\n", f);

	fputs("# A command word as mfa reads it: a name, an alias or a unique "
	      "prefix.\n_mfa_resolve()\n{\n\tcase $1 in\n",
	      f);
	for (c = cmd_table; *c != NULL; c++) {
		fprintf(f, "\t%s) echo %s ;;\n", (*c)->name, (*c)->name);
		if ((*c)->alias != NULL)
			fprintf(f, "\t%s) echo %s ;;\n", (*c)->alias,
				(*c)->name);
	}
	fputs("\t?*)\n\t\tlocal c found= n=0\n"
	      "\t\tfor c in $_mfa_commands; do\n"
	      "\t\t\t[[ $c == \"$1\"* ]] && found=$c && ((n++))\n"
	      "\t\tdone\n"
	      "\t\t((n == 1)) && echo \"$found\"\n\t\t;;\n"
	      "\tesac\n}\n\n",
	      f);

	fputs("# The options of command $1 (none: before the command) whose "
	      "first\n# argument is $2.\n"
	      "_mfa_opts()\n{\n\tcase $1:$2 in\n",
	      f);
	fputs("\t:*) echo '-V --version", f);
	completion_bash_optlist(f, NULL, NULL, NULL);
	fputs("' ;;\n", f);
	for (c = cmd_table; *c != NULL; c++) {
		completion_forms(*c, &fs);
		for (i = 0; i < fs.n; i++) {
			fprintf(f, "\t%s:%s) echo '", (*c)->name, fs.f[i].word);
			completion_bash_optlist(f, *c, &fs, &fs.f[i]);
			fputs("' ;;\n", f);
		}
		fprintf(f, "\t%s:*) echo '", (*c)->name);
		completion_bash_optlist(f, *c, NULL, NULL);
		fputs("' ;;\n", f);
	}
	fputs("\tesac\n}\n\n", f);

	fputs("# Whether option $2 of command $1 takes a value.\n"
	      "_mfa_takes_value()\n{\n\tcase $1:$2 in\n",
	      f);
	for (i = 0; cmd_global_opts[i].name != NULL; i++)
		if (cmd_global_opts[i].arg != NULL) {
			fprintf(f, "\t*:--%s", cmd_global_opts[i].name);
			if (cmd_global_opts[i].short_name)
				fprintf(f, "|*:-%c",
					cmd_global_opts[i].short_name);
			fputs(") return 0 ;;\n", f);
		}
	for (c = cmd_table; *c != NULL; c++) {
		const struct mfa_opt *o;

		for (o = (*c)->opts; o != NULL && o->name != NULL; o++) {
			if (o->arg == NULL)
				continue;
			fprintf(f, "\t%s:--%s", (*c)->name, o->name);
			if (o->short_name)
				fprintf(f, "|%s:-%c", (*c)->name,
					o->short_name);
			fputs(") return 0 ;;\n", f);
		}
	}
	fputs("\tesac\n\treturn 1\n}\n\n", f);

	fputs("# What the value of option $2 of command $1 is: :file, :name, "
	      ":command,\n# a list of words, or nothing to offer.\n"
	      "_mfa_value()\n{\n\tcase $1:$2 in\n",
	      f);
	for (i = 0; cmd_global_opts[i].name != NULL; i++) {
		completion_opt_value(cmd_table[0], &cmd_global_opts[i], &v);
		if ((k = completion_bash_kind(&v)) == NULL)
			continue;
		fprintf(f, "\t*:--%s", cmd_global_opts[i].name);
		if (cmd_global_opts[i].short_name)
			fprintf(f, "|*:-%c", cmd_global_opts[i].short_name);
		fprintf(f, ") echo '%s' ;;\n", k);
	}
	for (c = cmd_table; *c != NULL; c++) {
		const struct mfa_opt *o;

		for (o = (*c)->opts; o != NULL && o->name != NULL; o++) {
			completion_opt_value(*c, o, &v);
			if ((k = completion_bash_kind(&v)) == NULL)
				continue;
			fprintf(f, "\t%s:--%s", (*c)->name, o->name);
			if (o->short_name)
				fprintf(f, "|%s:-%c", (*c)->name,
					o->short_name);
			fprintf(f, ") echo '%s' ;;\n", k);
		}
	}
	fputs("\tesac\n}\n\n", f);

	fputs("# What positional argument $2 (from 1) of command $1 is.\n"
	      "_mfa_positional()\n{\n\tcase $1:$2 in\n",
	      f);
	for (c = cmd_table; *c != NULL; c++) {
		completion_positionals(*c, &p);
		for (i = 0; i < p.n; i++) {
			if ((k = completion_bash_kind(&p.v[i])) == NULL)
				continue;
			if (i == p.repeat)
				fprintf(f, "\t%s:*) echo '%s' ;;\n", (*c)->name,
					k);
			else
				fprintf(f, "\t%s:%d) echo '%s' ;;\n",
					(*c)->name, i + 1, k);
		}
	}
	fputs("\tesac\n}\n\n", f);
	fputs(completion_bash_body, f);
}

/* --- zsh ----------------------------------------------------------------- */

static const char completion_zsh_head[] =
    "#compdef mfa\n"
    "# zsh completion for mfa(1).\n"
    "#\n"
    "# Generated by 'mfa completion zsh' from mfa's command table. Install "
    "it as\n"
    "# _mfa in a folder of $fpath (/usr/share/zsh/site-functions, or your "
    "own\n"
    "# before compinit), or put 'source <(mfa completion zsh)' after "
    "compinit\n"
    "# in ~/.zshrc. Account names come from 'mfa list --names', which "
    "reads only\n"
    "# the unlock cache and never prompts: while the vault is locked they\n"
    "# complete to nothing.\n\n";

static const char completion_zsh_body[] =
    "_mfa_names() {\n"
    "\tlocal vault=${opt_args[--vault]:-$_mfa_vault}\n"
    "\tlocal -a names vopt\n"
    "\tvault=${(Q)vault}\n"
    "\t[[ -n $vault ]] && vopt=(--vault \"${vault/#\\~/$HOME}\")\n"
    "\t# Only the unlock cache is used: no prompt, nothing when locked.\n"
    "\tnames=(${(f)\"$(_call_program accounts command mfa ${(q)vopt} list "
    "--names </dev/null 2>/dev/null)\"})\n"
    "\t_wanted accounts expl account compadd -a names\n"
    "}\n"
    "\n"
    "_mfa_commands() {\n"
    "\t_describe -t commands 'mfa command' _mfa_cmds\n"
    "}\n"
    "\n"
    "_mfa_resolve() {\n"
    "\tlocal c found n=0\n"
    "\tif (( ${+_mfa_alias[$1]} )); then\n"
    "\t\tprint -r -- $_mfa_alias[$1]\n"
    "\t\treturn\n"
    "\tfi\n"
    "\tfor c in $_mfa_all; do\n"
    "\t\t[[ $c == $1 ]] && { print -r -- $c; return }\n"
    "\tdone\n"
    "\tfor c in ${_mfa_cmds%%:*}; do\n"
    "\t\t[[ $c == ${(b)1}* ]] && { found=$c; (( n++ )) }\n"
    "\tdone\n"
    "\t(( n == 1 )) && print -r -- $found\n"
    "}\n"
    "\n"
    "_mfa() {\n"
    "\tlocal curcontext=$curcontext state state_descr line ret=1 cmd\n"
    "\tlocal -A opt_args\n"
    "\n"
    "\t_arguments -C : $_mfa_global \\\n"
    "\t\t'(- *)'{-V,--version}'[print the version]' \\\n"
    "\t\t'1: :_mfa_commands' \\\n"
    "\t\t'*:: :->args' && ret=0\n"
    "\n"
    "\tif [[ $state == args ]]; then\n"
    "\t\tlocal _mfa_vault=${opt_args[--vault]}\n"
    "\t\tcmd=$(_mfa_resolve $words[1])\n"
    "\t\t[[ -z $cmd ]] && return 1\n"
    "\t\tcurcontext=${curcontext%:*:*}:mfa-$cmd:\n"
    "\t\t# A subcommand (mfa aws session) has options of its own.\n"
    "\t\tlocal -a spec\n"
    "\t\tlocal v=_mfa_spec_${cmd//-/_}\n"
    "\t\tif (( CURRENT > 2 )) && (( ${+parameters[${v}__${words[2]//-/_}]} )); "
    "then\n"
    "\t\t\tv=${v}__${words[2]//-/_}\n"
    "\t\tfi\n"
    "\t\tspec=(\"${(@P)v}\")\n"
    "\t\t_arguments -s -S : $_mfa_global $spec && ret=0\n"
    "\tfi\n"
    "\treturn ret\n"
    "}\n"
    "\n"
    "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
    "\t_mfa \"$@\"\n"
    "else\n"
    "\tcompdef _mfa mfa\n"
    "fi\n";

/* Text inside '...' and inside an _arguments [description]. */
static void
completion_zsh_desc(FILE *f, const char *s)
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
completion_zsh_action(FILE *f, const struct comp_val *v)
{
	fprintf(f, ":%s:", v->what[0] ? v->what : "value");
	switch (v->kind) {
	case COMP_FILE:
		fputs("_files", f);
		break;
	case COMP_NAME:
		fputs("_mfa_names", f);
		break;
	case COMP_CMD:
		fputs("_mfa_commands", f);
		break;
	case COMP_WORDS:
		fprintf(f, "(%s)", v->words);
		break;
	case COMP_NONE:
		fputs(" ", f);
		break;
	}
}

static void
completion_zsh_opt(FILE *f, const struct mfa_cmd *c, const struct mfa_opt *o)
{
	struct comp_val v;

	fputs("\t", f);
	if (strcmp(o->name, "help") == 0)
		fputs("'(- *)'", f);
	else if (o->short_name)
		fprintf(f, "'(-%c --%s)'", o->short_name, o->name);
	if (o->short_name)
		fprintf(f, "{-%c%s,--%s%s}'", o->short_name, o->arg ? "+" : "",
			o->name, o->arg ? "=" : "");
	else
		fprintf(f, "'--%s%s", o->name, o->arg ? "=" : "");
	fputc('[', f);
	completion_zsh_desc(f, o->help);
	fputc(']', f);
	if (o->arg != NULL) {
		completion_opt_value(c, o, &v);
		completion_zsh_action(f, &v);
	}
	fputs("'\n", f);
}

static void
completion_zsh_spec(FILE *f, const struct mfa_cmd *c,
		    const struct comp_forms *fs, const struct comp_form *form)
{
	const struct mfa_opt *o;
	struct comp_pos p;
	char var[2 * COMP_TOK_LEN];
	int i;

	snprintf(var, sizeof(var), "_mfa_spec_%s%s%s", c->name,
		 form != NULL ? "__" : "", form != NULL ? form->word : "");
	for (i = 0; var[i] != '\0'; i++)
		if (var[i] == '-')
			var[i] = '_';
	fprintf(f, "typeset -ga %s\n%s=(\n", var, var);
	for (o = c->opts; o != NULL && o->name != NULL; o++)
		if (!completion_hidden_opt(o) &&
		    (fs == NULL || completion_form_takes(fs, form, o)))
			completion_zsh_opt(f, c, o);
	completion_positionals(c, &p);
	for (i = 0; i < p.n; i++) {
		if (i == p.repeat)
			fputs("\t'*", f);
		else
			fprintf(f, "\t'%d", i + 1);
		completion_zsh_action(f, &p.v[i]);
		fputs("'\n", f);
	}
	fputs(")\n", f);
}

static void
completion_zsh(FILE *f)
{
	static struct comp_forms fs;
	const struct mfa_cmd *const *c;
	const struct mfa_opt *o;
	int i;

	fputs(completion_zsh_head, f);
	fputs("typeset -ga _mfa_cmds _mfa_all _mfa_global\n"
	      "typeset -gA _mfa_alias\n"
	      "_mfa_cmds=(\n",
	      f);
	for (c = cmd_table; *c != NULL; c++)
		if (!((*c)->flags & CMD_HIDDEN)) {
			fprintf(f, "\t'%s:", (*c)->name);
			completion_zsh_desc(f, (*c)->summary);
			fputs("'\n", f);
		}
	fputs(")\n_mfa_all=(", f);
	for (c = cmd_table; *c != NULL; c++)
		fprintf(f, "%s%s", c == cmd_table ? "" : " ", (*c)->name);
	fputs(")\n_mfa_alias=(", f);
	for (i = 0, c = cmd_table; *c != NULL; c++)
		if ((*c)->alias != NULL)
			fprintf(f, "%s%s %s", i++ ? " " : "", (*c)->alias,
				(*c)->name);
	fputs(")\n_mfa_global=(\n", f);
	for (o = cmd_global_opts; o->name != NULL; o++)
		completion_zsh_opt(f, cmd_table[0], o);
	fputs(")\n\n", f);

	/* _mfa_spec_CMD, and _mfa_spec_CMD__WORD for each subcommand. */
	for (c = cmd_table; *c != NULL; c++) {
		completion_forms(*c, &fs);
		completion_zsh_spec(f, *c, NULL, NULL);
		for (i = 0; i < fs.n; i++)
			completion_zsh_spec(f, *c, &fs, &fs.f[i]);
	}
	fputs("\n", f);
	fputs(completion_zsh_body, f);
}

/* --- fish ---------------------------------------------------------------- */

static const char completion_fish_head[] =
    "# fish completion for mfa(1).\n"
    "#\n"
    "# Generated by 'mfa completion fish' from mfa's command table. Install "
    "it as\n"
    "# mfa.fish in ~/.config/fish/completions (or "
    "/usr/share/fish/vendor_completions.d).\n"
    "# Account names come from 'mfa list --names', which reads only the "
    "unlock\n"
    "# cache and never prompts: while the vault is locked they complete "
    "to\n"
    "# nothing.\n\n";

static const char completion_fish_body[] =
    "# The command (name, alias or unique prefix), the number of positionals\n"
    "# before the cursor, the --vault given, the option waiting for a value,\n"
    "# and the first positional, one a line.\n"
    "function __mfa_state\n"
    "\tset -l toks (commandline -opc)\n"
    "\tset -e toks[1]\n"
    "\tset -l cmd ''\n"
    "\tset -l npos 0\n"
    "\tset -l vault ''\n"
    "\tset -l want ''\n"
    "\tset -l noopts 0\n"
    "\tset -l first ''\n"
    "\tfor t in $toks\n"
    "\t\tif test -n \"$want\"\n"
    "\t\t\ttest \"x$want\" = x--vault; and set vault $t\n"
    "\t\t\tset want ''\n"
    "\t\telse if test -n \"$cmd\" -a $noopts = 0 -a \"x$t\" = x--\n"
    "\t\t\tset noopts 1\n"
    "\t\telse if test $noopts = 0; and string match -q -- '-?*' $t\n"
    "\t\t\tif string match -q -- '--vault=*' $t\n"
    "\t\t\t\tset vault (string replace -- '--vault=' '' $t)\n"
    "\t\t\telse if not string match -q -- '*=*' $t\n"
    "\t\t\t\t__mfa_takes_value \"$cmd\" $t; and set want $t\n"
    "\t\t\tend\n"
    "\t\telse if test -z \"$cmd\"\n"
    "\t\t\tset cmd (__mfa_resolve $t); or return 1\n"
    "\t\telse\n"
    "\t\t\ttest $npos = 0; and set first $t\n"
    "\t\t\tset npos (math $npos + 1)\n"
    "\t\tend\n"
    "\tend\n"
    "\tprintf '%s\\n' \"$cmd\" $npos \"$vault\" \"$want\" \"$first\"\n"
    "end\n"
    "\n"
    "# No command yet.\n"
    "function __mfa_none\n"
    "\tset -l s (__mfa_state); or return 1\n"
    "\ttest -z \"$s[1]\" -a -z \"$s[4]\"\n"
    "end\n"
    "\n"
    "# The command is $argv[1].\n"
    "function __mfa_is\n"
    "\tset -l s (__mfa_state); or return 1\n"
    "\ttest \"$s[1]\" = $argv[1]\n"
    "end\n"
    "\n"
    "# The command is $argv[1] and its subcommand one of $argv[2..], or not\n"
    "# given yet.\n"
    "function __mfa_sub\n"
    "\tset -l s (__mfa_state); or return 1\n"
    "\ttest \"$s[1]\" = $argv[1]; or return 1\n"
    "\ttest -z \"$s[5]\"; or contains -- $s[5] $argv[2..-1]\n"
    "end\n"
    "\n"
    "# The command is $argv[1] and the word at the cursor is its positional\n"
    "# $argv[2] (\"N+\": N or any later one).\n"
    "function __mfa_pos\n"
    "\tset -l s (__mfa_state); or return 1\n"
    "\ttest \"$s[1]\" = $argv[1] -a -z \"$s[4]\"; or return 1\n"
    "\tset -l n (math $s[2] + 1)\n"
    "\tif string match -q -- '*+' $argv[2]\n"
    "\t\ttest $n -ge (string trim -r -c + -- $argv[2])\n"
    "\telse\n"
    "\t\ttest $n -eq $argv[2]\n"
    "\tend\n"
    "end\n"
    "\n"
    "function __mfa_names\n"
    "\tset -l s (__mfa_state)\n"
    "\tset -l vault\n"
    "\tif test -n \"$s[3]\"\n"
    "\t\tset vault --vault (string replace -r '^~' $HOME -- $s[3])\n"
    "\tend\n"
    "\t# Only the unlock cache is used: no prompt, nothing when locked.\n"
    "\tcommand mfa $vault list --names </dev/null 2>/dev/null\n"
    "end\n"
    "\n";

static void
completion_fish_quote(FILE *f, const char *s)
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
completion_fish_value(FILE *f, const struct comp_val *v)
{
	switch (v->kind) {
	case COMP_FILE:
		fputs(" -r -F", f);
		break;
	case COMP_NAME:
		fputs(" -x -a '(__mfa_names)'", f);
		break;
	case COMP_CMD:
		fputs(" -x -a '(__mfa_commands)'", f);
		break;
	case COMP_WORDS:
		fprintf(f, " -x -a '%s'", v->words);
		break;
	case COMP_NONE:
		fputs(" -x", f);
		break;
	}
}

static void
completion_fish_opt(FILE *f, const char *cond, const struct mfa_cmd *c,
		    const struct mfa_opt *o)
{
	struct comp_val v;

	fputs("complete -c mfa", f);
	if (cond != NULL)
		fprintf(f, " -n '%s'", cond);
	if (o->short_name)
		fprintf(f, " -s %c", o->short_name);
	fprintf(f, " -l %s", o->name);
	if (o->arg != NULL) {
		completion_opt_value(c, o, &v);
		completion_fish_value(f, &v);
	}
	fputs(" -d ", f);
	completion_fish_quote(f, o->help);
	fputc('\n', f);
}

static void
completion_fish(FILE *f)
{
	static struct comp_forms fs;
	const struct mfa_cmd *const *c;
	const struct mfa_opt *o;
	struct comp_pos p;
	char cond[256];
	int i, n;

	fputs(completion_fish_head, f);
	fputs("function __mfa_resolve\n\tswitch $argv[1]\n", f);
	for (c = cmd_table; *c != NULL; c++) {
		fprintf(f, "\tcase %s\n\t\techo %s\n\t\treturn 0\n", (*c)->name,
			(*c)->name);
		if ((*c)->alias != NULL)
			fprintf(f, "\tcase %s\n\t\techo %s\n\t\treturn 0\n",
				(*c)->alias, (*c)->name);
	}
	fputs("\tend\n\tset -l found\n\tfor c in (__mfa_commands)\n"
	      "\t\tif test (string sub -l (string length -- $argv[1]) -- $c) "
	      "= $argv[1]\n"
	      "\t\t\tset -a found $c\n\t\tend\n\tend\n"
	      "\ttest (count $found) -eq 1; and echo $found\n"
	      "end\n\n",
	      f);

	fputs("function __mfa_commands\n\tprintf '%s\\n'", f);
	for (c = cmd_table; *c != NULL; c++)
		if (!((*c)->flags & CMD_HIDDEN))
			fprintf(f, " %s", (*c)->name);
	fputs("\nend\n\n", f);

	fputs("function __mfa_takes_value\n\tswitch $argv[1]:$argv[2]\n", f);
	for (o = cmd_global_opts; o->name != NULL; o++)
		if (o->arg != NULL) {
			fprintf(f, "\tcase '*:--%s'", o->name);
			if (o->short_name)
				fprintf(f, " '*:-%c'", o->short_name);
			fputs("\n\t\treturn 0\n", f);
		}
	for (c = cmd_table; *c != NULL; c++)
		for (o = (*c)->opts; o != NULL && o->name != NULL; o++) {
			if (o->arg == NULL)
				continue;
			fprintf(f, "\tcase %s:--%s", (*c)->name, o->name);
			if (o->short_name)
				fprintf(f, " %s:-%c", (*c)->name,
					o->short_name);
			fputs("\n\t\treturn 0\n", f);
		}
	fputs("\tend\n\treturn 1\nend\n\n", f);
	fputs(completion_fish_body, f);

	fputs("# Files only where a file is expected.\ncomplete -c mfa -f\n\n"
	      "# Commands, and what goes before them.\n",
	      f);
	for (c = cmd_table; *c != NULL; c++) {
		if ((*c)->flags & CMD_HIDDEN)
			continue;
		fprintf(f, "complete -c mfa -n __mfa_none -a %s -d ",
			(*c)->name);
		completion_fish_quote(f, (*c)->summary);
		fputc('\n', f);
	}
	fputs("complete -c mfa -n __mfa_none -s V -l version "
	      "-d 'print the version'\n",
	      f);
	for (o = cmd_global_opts; o->name != NULL; o++)
		completion_fish_opt(f, NULL, cmd_table[0], o);

	for (c = cmd_table; *c != NULL; c++) {
		fprintf(f, "\n# %s\n", (*c)->name);
		completion_forms(*c, &fs);
		for (o = (*c)->opts; o != NULL && o->name != NULL; o++) {
			if (completion_hidden_opt(o))
				continue;
			/* A subcommand's own options: only after it. */
			snprintf(cond, sizeof(cond), "__mfa_sub %s",
				 (*c)->name);
			for (i = 0, n = 0; i < fs.n; i++)
				if (completion_form_takes(&fs, &fs.f[i], o) &&
				    strlen(cond) + strlen(fs.f[i].word) + 2 <
					sizeof(cond)) {
					strcat(cond, " ");
					strcat(cond, fs.f[i].word);
					n++;
				}
			if (n == fs.n)
				snprintf(cond, sizeof(cond), "__mfa_is %s",
					 (*c)->name);
			completion_fish_opt(f, cond, *c, o);
		}
		completion_positionals(*c, &p);
		for (i = 0; i < p.n; i++) {
			if (p.v[i].kind == COMP_NONE)
				continue;
			fprintf(f, "complete -c mfa -n '__mfa_pos %s %d%s'",
				(*c)->name, i + 1, i == p.repeat ? "+" : "");
			if (p.v[i].kind == COMP_FILE)
				fputs(" -F", f);
			else
				completion_fish_value(f, &p.v[i]);
			fputc('\n', f);
		}
	}
}

static int
cmd_completion_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *sh = a->argv[0];

	if (strcmp(sh, "bash") == 0)
		completion_bash(stdout);
	else if (strcmp(sh, "zsh") == 0)
		completion_zsh(stdout);
	else if (strcmp(sh, "fish") == 0)
		completion_fish(stdout);
	else
		return cli_usage(ctx,
				 "no completion for shell '%s' (want "
				 "bash, zsh or fish)",
				 sh);
	return 0;
}

const struct mfa_cmd cmd_completion_entry = {
    .name = "completion",
    .usage = "bash|zsh|fish",
    .summary = "print a shell completion script",
    .help = "Completes commands, options, formats, files and account names "
	    "(from the\nunlock cache only: Tab never asks for the passphrase). "
	    "`make install` puts\nthe scripts where the shells look; or add to "
	    "~/.bashrc:\n  source <(mfa completion bash)\n"
	    "to ~/.zshrc (after compinit):\n  source <(mfa completion zsh)\n"
	    "or run:\n  mfa completion fish > "
	    "~/.config/fish/completions/mfa.fish",
    .min_args = 1,
    .max_args = 1,
    .exec = cmd_completion_exec,
};
