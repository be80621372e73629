/*
 * The vault's folder as a git repository: running git, setting up the
 * repository for mfa's merge driver and textconv, and the commit every
 * command that writes the vault makes there (main calls sync_after()).
 *
 * git runs as a child: argv without a shell, stdin from /dev/null, the
 * environment without secret variables (util_child_env), umask 077 (so
 * the files it writes are 0600, as the vault must be), its output
 * captured. It only ever sees ciphertext: the vault file, and commit
 * messages in account terms (names, never secrets).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"

#define SYNC_ARGS_MAX 32
#define SYNC_OUT_MAX ((size_t)80 << 20) /* a vault is at most 64 MiB */
#define SYNC_HOOK_MARK "# written by mfa sync"

void
sync_buf_free(struct sync_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
sync_repo_free(struct sync_repo *r)
{
	free(r->dir);
	free(r->name);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

/* The vault's real folder and name: a symbolic link to a vault in a
 * repository leads to that repository. */
int
sync_repo_of(const char *vault_path, struct sync_repo *r)
{
	char *real, *slash;

	memset(r, 0, sizeof(*r));
	if (vault_path == NULL)
		return MFA_EINVAL;
	if ((real = realpath(vault_path, NULL)) == NULL)
		return errno == ENOENT ? MFA_ENOVAULT : MFA_EIO;
	slash = strrchr(real, '/');
	if (slash == NULL || slash[1] == '\0') {
		free(real);
		return MFA_EINVAL;
	}
	r->path = real;
	r->name = strdup(slash + 1);
	r->dir = strndup(real, slash == real ? 1 : (size_t)(slash - real));
	if (r->name == NULL || r->dir == NULL) {
		sync_repo_free(r);
		return MFA_ENOMEM;
	}
	return 0;
}

bool
sync_is_repo(const struct sync_repo *r)
{
	char p[PATH_MAX];
	struct stat st;

	if (r->dir == NULL ||
	    (size_t)snprintf(p, sizeof(p), "%s/.git", r->dir) >= sizeof(p))
		return false;
	return lstat(p, &st) == 0;
}

/* --- running git -------------------------------------------------------- */

static int
sync_read_into(int fd, struct sync_buf *b, bool *open_)
{
	char tmp[65536];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	size_t cap;
	char *grown;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		*open_ = false;
		return 0;
	}
	if (b == NULL)
		return 0;
	if (b->len + (size_t)n > SYNC_OUT_MAX)
		return MFA_ETOOBIG;
	/* Doubling: a vault of many MiB comes in 64 KiB reads. */
	if (b->len + (size_t)n + 1 > b->cap) {
		cap = b->cap ? b->cap : 65536;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		if ((grown = realloc(b->p, cap)) == NULL)
			return MFA_ENOMEM;
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, tmp, (size_t)n);
	b->len += (size_t)n;
	b->p[b->len] = '\0';
	return 0;
}

static char **
sync_env(unsigned flags)
{
	char **base = util_child_env(), **env;
	size_t n = 0, i, o = 0;

	if (base == NULL)
		return NULL;
	while (base[n] != NULL)
		n++;
	if ((env = calloc(n + 4, sizeof(*env))) == NULL) {
		util_free_env(base);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (strncmp(base[i], "MFA_SYNC_PARENT=", 16) != 0 &&
		    strncmp(base[i], "GIT_EDITOR=", 11) != 0)
			env[o++] = base[i];
	/* A merge, rebase or commit that wants a message takes git's. */
	env[o++] = (char *)"GIT_EDITOR=true";
	if (flags & SYNC_PARENT)
		env[o++] = (char *)"MFA_SYNC_PARENT=1";
	env[o] = NULL;
	free(base); /* the array only: the strings are environ's */
	return env;
}

int
sync_gitv(const struct sync_repo *r, unsigned flags, struct sync_buf *out,
	  struct sync_buf *err, int *status, const char *const *args)
{
	const char *argv[SYNC_ARGS_MAX + 4];
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, ws, rc = 0, nul;
	struct pollfd pf[2];
	bool oo = true, eo = true;
	char **env;
	size_t n = 0;
	pid_t pid;

	*status = -1;
	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = r->dir;
	for (; *args != NULL && n < SYNC_ARGS_MAX + 3; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if ((env = sync_env(flags)) == NULL)
		return MFA_ENOMEM;
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		rc = MFA_EIO;
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		rc = MFA_EIO;
		goto out;
	}
	if (pid == 0) {
		umask(077);
		nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(po[1], 1) < 0 ||
		    dup2(pe[1], 2) < 0)
			_exit(127);
		execvpe("git", (char *const *)argv, env);
		dprintf(2, "cannot run git: %s\n", strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	while (oo || eo) {
		pf[0].fd = oo ? po[0] : -1;
		pf[0].events = POLLIN;
		pf[1].fd = eo ? pe[0] : -1;
		pf[1].events = POLLIN;
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (rc == 0 && oo && (pf[0].revents & (POLLIN | POLLHUP)))
			rc = sync_read_into(po[0], out, &oo);
		if (rc == 0 && eo && (pf[1].revents & (POLLIN | POLLHUP)))
			rc = sync_read_into(pe[0], err, &eo);
		if (rc != 0) {
			/* Too much output: stop it rather than hang. */
			kill(pid, SIGTERM);
			break;
		}
	}
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (rc == 0) {
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
		if (*status == 127)
			rc = MFA_ENOENT; /* no git */
	}
out:
	if (po[0] >= 0)
		close(po[0]);
	if (po[1] >= 0)
		close(po[1]);
	if (pe[0] >= 0)
		close(pe[0]);
	if (pe[1] >= 0)
		close(pe[1]);
	free(env);
	return rc;
}

int
sync_git(const struct sync_repo *r, unsigned flags, struct sync_buf *out,
	 struct sync_buf *err, int *status, ...)
{
	const char *args[SYNC_ARGS_MAX + 1];
	va_list ap;
	size_t n = 0;
	const char *a;

	va_start(ap, status);
	while ((a = va_arg(ap, const char *)) != NULL && n < SYNC_ARGS_MAX)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	return sync_gitv(r, flags, out, err, status, args);
}

/* The last non-empty line of git's stderr, for a message. */
void
sync_last_line(const struct sync_buf *err, char *buf, size_t n)
{
	const char *p, *end, *start = NULL, *stop;

	buf[0] = '\0';
	if (err == NULL || err->p == NULL)
		return;
	stop = err->p + err->len;
	for (p = err->p; p < stop; p = end + 1) {
		end = memchr(p, '\n', (size_t)(stop - p));
		if (end == NULL)
			end = stop;
		if (end > p)
			start = p;
		if (end == stop)
			break;
	}
	if (start == NULL)
		return;
	end = memchr(start, '\n', (size_t)(stop - start));
	snprintf(buf, n, "%.*s", (int)((end ? end : stop) - start), start);
	otp_label_clean(buf);
}

/* git args...: 0 when it ran and exited 0; else an error recorded in ctx
 * with git's own last line. */
int
sync_run(struct mfa_ctx *ctx, const struct sync_repo *r, unsigned flags,
	 const char *what, ...)
{
	const char *args[SYNC_ARGS_MAX + 1];
	struct sync_buf err = {0};
	char line[400];
	va_list ap;
	size_t n = 0;
	const char *a;
	int st, rc;

	va_start(ap, what);
	while ((a = va_arg(ap, const char *)) != NULL && n < SYNC_ARGS_MAX)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	rc = sync_gitv(r, flags, NULL, &err, &st, args);
	if (rc == MFA_ENOENT) {
		sync_buf_free(&err);
		return cli_failx(ctx, rc,
				 "git is not installed (Debian: apt install "
				 "git)");
	}
	if (rc != 0) {
		sync_buf_free(&err);
		return cli_fail(ctx, rc, "git %s in %s", what, r->dir);
	}
	if (st != 0) {
		sync_last_line(&err, line, sizeof(line));
		sync_buf_free(&err);
		return cli_failx(ctx, MFA_EIO, "git %s in %s failed: %s", what,
				 r->dir, line[0] ? line : "no reason given");
	}
	sync_buf_free(&err);
	return 0;
}

/* --- setting the repository up ----------------------------------------- */

/* s in single quotes for sh, as git runs the driver and textconv. */
static char *
sync_sh_quote(const char *s)
{
	size_t n = 3, i;
	char *q, *p;

	for (i = 0; s[i] != '\0'; i++)
		n += s[i] == '\'' ? 4 : 1;
	if ((q = malloc(n)) == NULL)
		return NULL;
	p = q;
	*p++ = '\'';
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = s[i];
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

/* A vault name a .gitattributes pattern holds as it is. */
bool
sync_name_ok(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') ||
		      strchr("._-+", name[i]) != NULL))
			return false;
	return i > 0 && name[0] != '.';
}

/* Add each line of want that path lacks (0600, atomically). */
static int
sync_ensure_lines(const char *path, const char *want)
{
	char *old = NULL, *buf = NULL, *line, *copy, *save = NULL;
	size_t len = 0, cap;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "re")) != NULL) {
		old = calloc(1, 65537);
		if (old != NULL)
			len = fread(old, 1, 65536, f);
		fclose(f);
		if (old == NULL)
			return MFA_ENOMEM;
	}
	cap = len + strlen(want) + 2;
	if ((buf = calloc(1, cap)) == NULL || (copy = strdup(want)) == NULL) {
		free(old);
		free(buf);
		return MFA_ENOMEM;
	}
	if (len > 0) {
		memcpy(buf, old, len);
		if (buf[len - 1] != '\n')
			buf[len++] = '\n';
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		const char *hit = old;
		bool have = false;

		while (hit != NULL && (hit = strstr(hit, line)) != NULL) {
			if ((hit == old || hit[-1] == '\n') &&
			    (hit[l] == '\n' || hit[l] == '\0')) {
				have = true;
				break;
			}
			hit += l;
		}
		if (have)
			continue;
		memcpy(buf + len, line, l);
		len += l;
		buf[len++] = '\n';
	}
	free(copy);
	if (old == NULL || strlen(old) != len || memcmp(old, buf, len) != 0)
		rc = vault_file_write(path, buf, len, 0600);
	free(old);
	free(buf);
	return rc;
}

/* git writes what it checks out with the user's umask (0644 with 022),
 * and mfa refuses a vault others may read: these hooks put it back. */
static int
sync_hooks(const struct sync_repo *r)
{
	/* post-index-change runs after most commands that touch the work
	 * tree (stash, reset, merge); the others for older git. */
	static const char *const names[] = {
	    "post-checkout", "post-merge", "post-rewrite", "post-index-change"};
	char dir[PATH_MAX], path[PATH_MAX + 32], body[PATH_MAX + 256];
	char cur[256];
	size_t i;
	ssize_t n;
	int fd, rc;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/.git/hooks", r->dir) >=
	    sizeof(dir))
		return MFA_ETOOLONG;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return 0; /* a .git file (worktree): no hooks of its own */
	/* Only when needed: a chmod changes the file's ctime, which makes
	 * git look at it again while it works. */
	snprintf(body, sizeof(body),
		 "#!/bin/sh\n" SYNC_HOOK_MARK
		 ": git checks files out with the user's umask;\n"
		 "# the vault must not be readable by others.\n"
		 "case $(ls -ld -- '%s' 2>/dev/null) in\n"
		 "-rw-------*|'') ;;\n"
		 "*) chmod 600 -- '%s' ;;\n"
		 "esac\nexit 0\n",
		 r->name, r->name);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, cur, sizeof(cur) - 1);
			close(fd);
			cur[n > 0 ? n : 0] = '\0';
			/* Someone else's hook: left alone. */
			if (strstr(cur, SYNC_HOOK_MARK) == NULL)
				continue;
		}
		if ((rc = vault_file_write(path, body, strlen(body), 0700)) !=
		    0)
			return rc;
	}
	return 0;
}

/* The running mfa, for git's config: the driver must be this program. */
static int
sync_self(char *buf, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", buf, n - 1);

	if (k <= 0 || (size_t)k >= n - 1)
		return MFA_EIO;
	buf[k] = '\0';
	return 0;
}

int
sync_install(struct mfa_ctx *ctx, const struct sync_repo *r)
{
	char self[PATH_MAX], path[PATH_MAX], attrs[600], ign[800];
	char *qself = NULL, *qvault = NULL, *driver = NULL, *conv = NULL;
	int rc, st;

	if (!sync_name_ok(r->name))
		return cli_failx(ctx, MFA_EINVAL,
				 "vault %s: mfa sync wants a file name of "
				 "letters, digits and ._-+ (rename it)",
				 r->path);
	if ((rc = sync_self(self, sizeof(self))) != 0)
		return cli_fail(ctx, rc, "the path of mfa (/proc/self/exe)");
	if ((qself = sync_sh_quote(self)) == NULL ||
	    (qvault = sync_sh_quote(r->path)) == NULL ||
	    asprintf(&driver, "%s --vault %s merge-driver %%O %%A %%B %%P",
		     qself, qvault) < 0 ||
	    asprintf(&conv, "%s --vault %s textconv", qself, qvault) < 0) {
		free(qself);
		free(qvault);
		return cli_fail(ctx, MFA_ENOMEM, "git config");
	}
	snprintf(attrs, sizeof(attrs), "/%s -text merge=mfa diff=mfa\n",
		 r->name);
	snprintf(ign, sizeof(ign),
		 "/%s.bak\n/%s.lock\n/%s.tmp.*\n/%s.baktmp.*\n", r->name,
		 r->name, r->name, r->name);
	snprintf(path, sizeof(path), "%s/.gitattributes", r->dir);
	if ((rc = sync_ensure_lines(path, attrs)) != 0) {
		rc = cli_fail(ctx, rc, "%s", path);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/.gitignore", r->dir);
	if ((rc = sync_ensure_lines(path, ign)) != 0) {
		rc = cli_fail(ctx, rc, "%s", path);
		goto out;
	}
	if ((rc = sync_run(ctx, r, 0, "config", "config", "merge.mfa.name",
			   "mfa vault, entry by entry", NULL)) != 0 ||
	    (rc = sync_run(ctx, r, 0, "config", "config", "merge.mfa.driver",
			   driver, NULL)) != 0 ||
	    (rc = sync_run(ctx, r, 0, "config", "config", "diff.mfa.textconv",
			   conv, NULL)) != 0 ||
	    (rc = sync_run(ctx, r, 0, "config", "config", "pull.rebase",
			   "false", NULL)) != 0)
		goto out;
	/* Never diff.mfa.cachetextconv: it would keep plaintext in .git.
	 * (Unsetting what is not set exits 5: nothing to do.) */
	if ((rc = sync_git(r, 0, NULL, NULL, &st, "config", "--unset-all",
			   "diff.mfa.cachetextconv", NULL)) != 0) {
		rc = cli_fail(ctx, rc, "git config in %s", r->dir);
		goto out;
	}
	if ((rc = sync_hooks(r)) != 0)
		rc = cli_fail(ctx, rc, "git hooks in %s/.git/hooks", r->dir);
out:
	free(qself);
	free(qvault);
	free(driver);
	free(conv);
	return rc;
}

/* --- commits ------------------------------------------------------------ */

int
sync_blob(const struct sync_repo *r, const char *rev, struct sync_buf *out,
	  bool *found)
{
	char spec[PATH_MAX + 64];
	int st, rc;

	*found = false;
	memset(out, 0, sizeof(*out));
	snprintf(spec, sizeof(spec), "%s:%s", rev, r->name);
	if ((rc = sync_git(r, 0, out, NULL, &st, "cat-file", "blob", spec,
			   NULL)) != 0)
		return rc;
	if (st != 0) {
		sync_buf_free(out);
		return 0;
	}
	*found = true;
	return 0;
}

/* What a commit message says of one change: the first that applies. */
static void
sync_phrase(const struct vault_change *c, char *buf, size_t n)
{
	char label[256], old[256];

	snprintf(label, sizeof(label), "%s", util_clean(c->label));
	snprintf(old, sizeof(old), "%s",
		 util_clean(c->old_label ? c->old_label : ""));
	if (c->what & VAULT_CH_ADDED)
		snprintf(buf, n, "add %s", label);
	else if (c->what & VAULT_CH_REMOVED)
		snprintf(buf, n, "rm %s", label);
	else if (c->what & VAULT_CH_RENAMED)
		snprintf(buf, n, "rename %s -> %s", old, label);
	else if (c->what & VAULT_CH_EDITED)
		snprintf(buf, n, "edit %s", label);
	else if (c->what & VAULT_CH_COUNTER)
		snprintf(buf, n, "hotp counter %s", label);
	else if (c->what & VAULT_CH_STEP)
		snprintf(buf, n, "aws step %s", label);
	else if (c->what & VAULT_CH_VERIFIED)
		snprintf(buf, n, "verify %s", label);
	else
		buf[0] = '\0';
}

/* "add github", "rm bank, add gitlab", "add a, add b, add c and 4 more";
 * fallback when nothing a user would name changed. */
void
sync_message(const struct vault_report *rep, const char *fallback, char *buf,
	     size_t n)
{
	char phrase[600];
	size_t i, used = 0, shown = 0, more = 0;

	buf[0] = '\0';
	for (i = 0; rep != NULL && i < rep->n; i++) {
		sync_phrase(&rep->v[i], phrase, sizeof(phrase));
		if (phrase[0] == '\0')
			continue;
		if (shown == 3) {
			more++;
			continue;
		}
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 shown ? ", " : "", phrase);
		if (used >= n)
			used = n - 1;
		shown++;
	}
	if (more > 0 && used < n)
		snprintf(buf + used, n - used, " and %zu more", more);
	if (shown == 0)
		snprintf(buf, n, "%s",
			 rep != NULL && rep->kv ? "aws session cache"
						: fallback);
}

/* "-c user.name=... -c user.email=..." when git knows no identity: a
 * commit must not fail for that on a fresh machine. */
void
sync_identity(const struct sync_repo *r, const char **args, size_t *n,
	      char *name, char *email, size_t len)
{
	struct sync_buf out = {0};
	char host[256] = "localhost";
	bool have_name = false, have_email = false;
	const char *p;
	int st;

	/* One git for both: this runs before every commit. */
	if (sync_git(r, 0, &out, NULL, &st, "config", "--get-regexp",
		     "^user\\.(name|email)$", NULL) == 0 &&
	    st == 0 && out.p != NULL)
		for (p = out.p; *p != '\0';
		     p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0')) {
			have_name |= strncmp(p, "user.name ", 10) == 0;
			have_email |= strncmp(p, "user.email ", 11) == 0;
		}
	sync_buf_free(&out);
	(void)gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	if (!have_email) {
		snprintf(email, len, "user.email=mfa@%s", host);
		args[(*n)++] = "-c";
		args[(*n)++] = email;
	}
	if (!have_name) {
		snprintf(name, len, "user.name=mfa");
		args[(*n)++] = "-c";
		args[(*n)++] = name;
	}
}

/* Stage the vault and mfa's files; *changed when that differs from HEAD. */
static int
sync_stage(struct mfa_ctx *ctx, const struct sync_repo *r, bool *changed)
{
	static const char *const extra[] = {".gitattributes", ".gitignore"};
	char p[PATH_MAX];
	struct stat st;
	bool have[2];
	size_t i;
	int rc, s;

	*changed = false;
	/* Only the files that are there: git refuses a path it cannot
	 * find. */
	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", r->dir, extra[i]);
		have[i] = stat(p, &st) == 0;
	}
	if ((rc = sync_run(ctx, r, 0, "add", "add", "--", r->name,
			   have[0] ? extra[0] : r->name,
			   have[1] ? extra[1] : r->name, NULL)) != 0)
		return rc;
	if ((rc = sync_git(r, 0, NULL, NULL, &s, "diff", "--cached", "--quiet",
			   "--", r->name, extra[0], extra[1], NULL)) != 0)
		return cli_fail(ctx, rc, "git diff in %s", r->dir);
	*changed = s != 0;
	return 0;
}

/* git args... as a committer: sync_run() with an identity when git knows
 * none. */
int
sync_run_ident(struct mfa_ctx *ctx, const struct sync_repo *r, unsigned flags,
	       const char *what, ...)
{
	const char *args[SYNC_ARGS_MAX + 1];
	char name[300], email[300], line[400];
	struct sync_buf err = {0};
	va_list ap;
	size_t n = 0;
	const char *a;
	int st, rc;

	sync_identity(r, args, &n, name, email, sizeof(name));
	va_start(ap, what);
	while ((a = va_arg(ap, const char *)) != NULL && n < SYNC_ARGS_MAX)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	if ((rc = sync_gitv(r, flags, NULL, &err, &st, args)) != 0) {
		sync_buf_free(&err);
		return cli_fail(ctx, rc, "git %s in %s", what, r->dir);
	}
	if (st != 0) {
		sync_last_line(&err, line, sizeof(line));
		sync_buf_free(&err);
		return cli_failx(ctx, MFA_EIO, "git %s in %s failed: %s", what,
				 r->dir, line[0] ? line : "no reason given");
	}
	sync_buf_free(&err);
	return 0;
}

int
sync_commit_msg(struct mfa_ctx *ctx, const struct sync_repo *r, const char *msg)
{
	static const char *const extra[] = {".gitattributes", ".gitignore"};
	const char *args[SYNC_ARGS_MAX];
	char name[300], email[300], line[400], p[PATH_MAX];
	struct sync_buf err = {0};
	struct stat sb;
	size_t n = 0, i;
	int st, rc;

	sync_identity(r, args, &n, name, email, sizeof(name));
	args[n++] = "commit";
	args[n++] = "-q";
	args[n++] = "-m";
	args[n++] = msg;
	args[n++] = "--";
	args[n++] = r->name;
	/* Only paths git knows may be named: these two may be absent. */
	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", r->dir, extra[i]);
		if (stat(p, &sb) == 0)
			args[n++] = extra[i];
	}
	args[n] = NULL;
	if ((rc = sync_gitv(r, 0, NULL, &err, &st, args)) != 0) {
		sync_buf_free(&err);
		return cli_fail(ctx, rc, "git commit in %s", r->dir);
	}
	if (st != 0) {
		sync_last_line(&err, line, sizeof(line));
		sync_buf_free(&err);
		return cli_failx(ctx, MFA_EIO, "git commit in %s failed: %s",
				 r->dir, line);
	}
	sync_buf_free(&err);
	return 0;
}

/*
 * What changed since HEAD, in account terms: HEAD's vault decrypted with
 * v's key (in memory; never vault_open'd). MFA_EVAULT_AUTH when HEAD's is
 * under another key (passwd since).
 */
int
sync_since_head(const struct sync_repo *r, const struct vault *v,
		struct vault_report *rep)
{
	struct sync_buf blob;
	struct vault *h = NULL;
	bool found;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if ((rc = sync_blob(r, "HEAD", &blob, &found)) != 0)
		return rc;
	if (!found)
		return vault_diff(NULL, vault_data(v), rep);
	rc = vault_open_mem(r->path, (const uint8_t *)blob.p, blob.len, &h);
	sync_buf_free(&blob);
	if (rc == 0)
		rc = vault_unlock_key(h, vault_key(v));
	if (rc == 0)
		rc = vault_diff(vault_data(h), vault_data(v), rep);
	vault_close(h);
	return rc;
}

int
sync_commit(struct mfa_ctx *ctx, const struct sync_repo *r,
	    const struct vault *v, const char *fallback, bool *made)
{
	struct vault_report rep;
	char msg[1024];
	bool changed;
	int rc;

	if (made != NULL)
		*made = false;
	if ((rc = sync_stage(ctx, r, &changed)) != 0 || !changed)
		return rc;
	if (v != NULL && vault_data(v) != NULL &&
	    sync_since_head(r, v, &rep) == 0) {
		sync_message(&rep, fallback, msg, sizeof(msg));
		vault_report_free(&rep);
	} else {
		snprintf(msg, sizeof(msg), "%s", fallback);
	}
	if ((rc = sync_commit_msg(ctx, r, msg)) == 0 && made != NULL)
		*made = true;
	return rc;
}

bool
sync_autopush(void)
{
	const char *s = getenv("MFA_SYNC_AUTOPUSH");

	return s != NULL && strcmp(s, "1") == 0;
}

/* The remote and branch a push goes to; 0 and a remote, or MFA_ENOENT. */
int
sync_push(struct mfa_ctx *ctx, const struct sync_repo *r)
{
	struct sync_buf out = {0};
	int st, rc;

	/* With an upstream, that; else origin, setting it. */
	if ((rc = sync_git(r, 0, &out, NULL, &st, "rev-parse", "--abbrev-ref",
			   "--symbolic-full-name", "@{u}", NULL)) != 0)
		return cli_fail(ctx, rc, "git in %s", r->dir);
	sync_buf_free(&out);
	if (st == 0)
		return sync_run(ctx, r, 0, "push", "push", "-q", NULL);
	return sync_run(ctx, r, 0, "push", "push", "-q", "-u", "origin", "HEAD",
			NULL);
}

/* The command line's command path, for a commit message. */
static void
sync_cmd_name(const struct mfa_args *a, char *buf, size_t n)
{
	size_t used = 0;
	int d;

	buf[0] = '\0';
	for (d = 1; d < a->depth && used < n; d++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 d > 1 ? " " : "", a->path[d]->name);
}

void
sync_after(struct mfa_ctx *ctx, const struct mfa_args *a)
{
	struct mfa_ctx sub;
	struct sync_repo r;
	struct vault *v = ctx->vault;
	char name[128];
	bool made = false;
	int fd = -1, rc;

	if (v == NULL || vault_saves(v) == 0)
		return;
	if (sync_repo_of(vault_path(v), &r) != 0)
		return;
	if (!sync_is_repo(&r)) {
		sync_repo_free(&r);
		return;
	}
	/* The command's own error, if any, stays what main prints. */
	memset(&sub, 0, sizeof(sub));
	sub.args = a;
	sync_cmd_name(a, name, sizeof(name));
	/* One committer at a time, and no vault write during it; the push
	 * (the network) after. */
	(void)vault_lock(v, &fd);
	rc = sync_commit(&sub, &r, v, name, &made);
	vault_unlock(fd);
	if (rc == 0 && made && sync_autopush())
		(void)sync_push(&sub, &r);
	if (cli_failed(&sub)) {
		otp_label_clean(sub.what);
		otp_label_clean(sub.err.why);
		fprintf(stderr,
			"mfa: warning: the vault was saved, but %s%s%s (run "
			"'mfa sync' to finish)\n",
			sub.what, sub.what[0] ? ": " : "",
			mfa_err_text(&sub.err, sub.err.rc));
	}
	sync_repo_free(&r);
}

/* --- merging three versions of the vault --------------------------------- */

int
sync_read_file(const char *path, struct sync_buf *out)
{
	struct stat st;
	ssize_t k;
	size_t n = 0;
	int fd;

	memset(out, 0, sizeof(*out));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? MFA_ENOENT : MFA_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return MFA_ENOTREG;
	}
	if ((size_t)st.st_size > SYNC_OUT_MAX) {
		close(fd);
		return MFA_ETOOBIG;
	}
	out->cap = (size_t)st.st_size + 1;
	if ((out->p = malloc(out->cap)) == NULL) {
		close(fd);
		return MFA_ENOMEM;
	}
	while (n < (size_t)st.st_size) {
		k = read(fd, out->p + n, (size_t)st.st_size - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	out->len = n;
	out->p[n] = '\0';
	return 0;
}

static int
sync_side_open(struct mfa_ctx *ctx, const char *path, const char *which,
	       const struct sync_buf *b, struct vault **v)
{
	int rc = vault_open_mem(path, (const uint8_t *)b->p, b->len, v);

	if (rc == MFA_EVAULT_VERSION)
		return cli_failx(ctx, rc,
				 "%s version of the vault is of a newer format "
				 "than this mfa reads: update mfa on this "
				 "machine",
				 which);
	if (rc != 0)
		return cli_failx(ctx, rc, "%s version of the vault: %s", which,
				 mfa_strerror(rc));
	return 0;
}

/* Unlock v with one of the keys already known; MFA_EVAULT_AUTH if none. */
static int
sync_try_keys(struct vault *v, const uint8_t *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i] != NULL && vault_unlock_key(v, keys[i]) == 0)
			return 0;
	return MFA_EVAULT_AUTH;
}

static const char sync_rekeyed[] =
    "is under another vault key ('mfa passwd' on the other machine)";

/* The passphrase of a copy re-keyed elsewhere: the import sources, else
 * the terminal. */
static int
sync_ask_other(struct mfa_ctx *ctx, struct vault *v, const char *which)
{
	char prompt[300], *pass = NULL;
	size_t len = 0;
	int rc;

	snprintf(prompt, sizeof(prompt),
		 "Passphrase of the %s version (its key was changed by 'mfa "
		 "passwd' elsewhere): ",
		 which);
	if ((rc = pass_get(ctx, PASS_IMPORT, prompt, &pass, &len)) != 0) {
		if (rc != MFA_ENOPASS)
			return rc;
		return cli_failx(ctx, rc,
				 "the %s version of the vault %s, and no "
				 "passphrase for it was given "
				 "($MFA_IMPORT_PASSPHRASE_FILE, or a "
				 "terminal to ask on)",
				 which, sync_rekeyed);
	}
	rc = vault_unlock_pass(v, pass, len);
	pass_free(pass, len);
	if (rc != 0)
		return cli_failx(ctx, rc,
				 "the %s version of the vault: wrong "
				 "passphrase, or it was modified",
				 which);
	return 0;
}

int
sync_merge_bytes(struct mfa_ctx *ctx, const char *path,
		 const struct sync_buf *base, const struct sync_buf *ours,
		 const struct sync_buf *theirs, const uint8_t *key,
		 bool may_ask, uint8_t **out, size_t *outlen,
		 struct vault_report *rep)
{
	struct vault *b = NULL, *o = NULL, *t = NULL;
	const struct vault *keyv;
	const uint8_t *keys[2];
	struct vault_data merged;
	uint8_t cached[VAULT_KEY_BYTES];
	char prompt[PATH_MAX + 32], *pass = NULL;
	size_t len;
	bool same_key, nobase = base == NULL || base->len == 0;
	int rc;

	*out = NULL;
	*outlen = 0;
	memset(&merged, 0, sizeof(merged));
	if ((rc = sync_side_open(ctx, path, "our", ours, &o)) != 0 ||
	    (rc = sync_side_open(ctx, path, "their", theirs, &t)) != 0 ||
	    (!nobase &&
	     (rc = sync_side_open(ctx, path, "common", base, &b)) != 0))
		goto out;
	/* Our key: given, cached, or asked for (not by a child of mfa sync,
	 * which finishes the merge itself). */
	if (key != NULL) {
		rc = vault_unlock_key(o, key);
	} else if (!ctx->no_cache && unlock_ttl() > 0 &&
		   vault_cache_get(o, cached) == 0 &&
		   vault_unlock_key(o, cached) == 0) {
		rc = 0;
	} else if (may_ask) {
		snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", path);
		if ((rc = pass_get(ctx, PASS_CURRENT, prompt, &pass, &len)) !=
		    0)
			goto out;
		rc = vault_unlock_pass(o, pass, len);
		pass_free(pass, len);
	} else {
		rc = cli_failx(ctx, MFA_ENOPASS,
			       "the vault is locked (no cached key)");
		goto out;
	}
	sodium_memzero(cached, sizeof(cached));
	if (rc != 0) {
		rc = cli_failx(ctx, rc,
			       "our version of the vault: wrong passphrase, "
			       "or it was modified");
		goto out;
	}
	keys[0] = vault_key(o);
	keys[1] = NULL;
	if (memcmp(vault_uuid(o), vault_uuid(t), VAULT_ID_BYTES) != 0 ||
	    (b != NULL &&
	     memcmp(vault_uuid(o), vault_uuid(b), VAULT_ID_BYTES) != 0)) {
		rc = cli_failx(
		    ctx, MFA_EVAULT_AUTH,
		    "the versions belong to different vaults (made by separate "
		    "'mfa init's): move the accounts with 'mfa export' and "
		    "'mfa import' instead");
		goto out;
	}
	same_key = sync_try_keys(t, keys, 1) == 0;
	if (!same_key && vault_same_slots(o, t)) {
		rc = cli_failx(ctx, MFA_EVAULT_AUTH,
			       "their version of the vault does not "
			       "authenticate: it was modified (tampered with "
			       "or damaged)");
		goto out;
	}
	if (!same_key && nobase) {
		rc = cli_failx(ctx, MFA_EVAULT_AUTH,
			       "the versions share no history and no vault "
			       "key: move the accounts with 'mfa export' and "
			       "'mfa import' instead");
		goto out;
	}
	/*
	 * Whose header (key slots, vault key) the result takes: the side
	 * that changed it. Both changed it: no safe choice (decided from the
	 * headers alone, before any other passphrase is asked for).
	 */
	if (vault_same_slots(o, t))
		keyv = o;
	else if (b != NULL && vault_same_slots(b, o))
		keyv = t;
	else if (b != NULL && vault_same_slots(b, t))
		keyv = o;
	else {
		rc = cli_failx(ctx, MFA_EVAULT_SLOTS,
			       "the key slots (passphrase) changed on both "
			       "sides: run 'mfa passwd' on one machine only, "
			       "then take its version (git checkout --theirs "
			       "or --ours)");
		goto out;
	}
	if (!same_key && !may_ask) {
		rc = cli_failx(ctx, MFA_EVAULT_AUTH, "their version %s",
			       sync_rekeyed);
		goto out;
	}
	if (!same_key && (rc = sync_ask_other(ctx, t, "their")) != 0)
		goto out;
	keys[1] = vault_key(t);
	if (b != NULL && sync_try_keys(b, keys, 2) != 0) {
		if (vault_same_slots(b, o) || vault_same_slots(b, t)) {
			rc = cli_failx(ctx, MFA_EVAULT_AUTH,
				       "the common version of the vault does "
				       "not authenticate: it was modified");
			goto out;
		}
		if (!may_ask) {
			rc = cli_failx(ctx, MFA_EVAULT_AUTH,
				       "the common version %s", sync_rekeyed);
			goto out;
		}
		if ((rc = sync_ask_other(ctx, b, "common")) != 0)
			goto out;
	}
	if (!same_key && b != NULL &&
	    memcmp(vault_key(b), vault_key(keyv), VAULT_KEY_BYTES) == 0) {
		/* The side keeping the base's key cannot be the one that
		 * changed its slots: something else went on. */
		rc = cli_failx(ctx, MFA_EVAULT_SLOTS,
			       "the vault keys and key slots do not tell "
			       "which side changed the passphrase");
		goto out;
	}
	if ((rc = vault_merge(b != NULL ? vault_data(b) : NULL, vault_data(o),
			      vault_data(t), &merged, rep)) != 0 ||
	    (rc = vault_encode(keyv, o, &merged, out, outlen)) != 0)
		rc = cli_fail(ctx, rc, "merging %s", path);
out:
	sodium_memzero(cached, sizeof(cached));
	vault_data_free(&merged);
	vault_close(b);
	vault_close(o);
	vault_close(t);
	return rc;
}

void
sync_print_report(const struct vault_report *rep, bool changes)
{
	static const char *const gname[VAULT_GROUPS] = {"note", "credential",
							"serial"};
	char label[300], old[300], groups[64];
	size_t i, k;

	for (i = 0; rep != NULL && i < rep->n; i++) {
		const struct vault_change *c = &rep->v[i];

		snprintf(label, sizeof(label), "%s", util_clean(c->label));
		snprintf(old, sizeof(old), "%s",
			 util_clean(c->old_label ? c->old_label : ""));
		groups[0] = '\0';
		for (k = 1; k < VAULT_GROUPS + 1; k++) {
			unsigned g = (unsigned)(k % VAULT_GROUPS);

			if (c->groups & (1u << g))
				snprintf(groups + strlen(groups),
					 sizeof(groups) - strlen(groups),
					 "%s%s", groups[0] ? ", " : "",
					 gname[g]);
		}
		if (!changes)
			goto notes;
		if (c->what & VAULT_CH_ADDED)
			printf("added %s\n", label);
		if (c->what & VAULT_CH_REMOVED)
			printf("removed %s\n", label);
		if (c->what & VAULT_CH_RENAMED)
			printf("renamed %s -> %s\n", old, label);
		if ((c->what & VAULT_CH_EDITED) && !(c->what & VAULT_CH_ADDED))
			printf("changed %s (%s)\n", label, groups);
		if (c->what & VAULT_CH_COUNTER)
			printf("hotp counter %s\n", label);
		if (c->what & VAULT_CH_STEP)
			printf("aws step %s\n", label);
		if (c->what & VAULT_CH_VERIFIED)
			printf("verify step %s\n", label);
		fflush(stdout);
	notes:
		if (c->what & VAULT_CH_KEPT)
			fprintf(stderr,
				"mfa: note: kept %s: removed on one machine, "
				"changed on the other\n",
				label);
		if (c->what & VAULT_CH_CONFLICT)
			fprintf(stderr,
				"mfa: note: %s: both machines changed it; the "
				"newer is kept, the other in 'mfa show %s "
				"--history'\n",
				label, label);
		if (c->what & VAULT_CH_CLASH)
			fprintf(stderr,
				"mfa: note: another account is called %s too: "
				"rename one ('mfa rename')\n",
				label);
	}
}
