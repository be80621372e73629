/*
 * mfa sync [init [REMOTE] | resolve]: the vault follows you through git.
 * The vault's folder is a git repository with any remote; mfa's merge
 * driver merges two machines' vaults entry by entry (src/vault/merge.c),
 * so concurrent changes never conflict and nothing is lost.
 *
 *   sync init [REMOTE]  make the folder a repository (or fetch REMOTE's
 *                       vault into it on another machine), set up the
 *                       driver, the textconv and the hooks, commit
 *   sync                commit what is pending, fetch, merge, push, and
 *                       say what changed in account terms
 *   sync resolve        finish a merge the driver refused (no key then,
 *                       or a copy re-keyed by `mfa passwd` elsewhere)
 *
 * mfa sync holds the vault lock while git works on the folder, so no
 * other mfa command writes the vault meanwhile; it merges with the
 * driver (which uses the cached key, never asking), and when the driver
 * could not, finishes the merge itself from git's index with the key it
 * unlocked. Nothing it gives git is plaintext.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"

#define SYNC_TRIES 3 /* fetch-merge-push rounds when a push is refused */

static int
sync_need_repo(struct mfa_ctx *ctx, struct sync_repo *r)
{
	const char *path = unlock_path(ctx);
	int rc;

	if (path == NULL)
		return cli_fail(ctx, MFA_EINVAL,
				"vault path (set HOME, MFA_VAULT or --vault)");
	if ((rc = sync_repo_of(path, r)) != 0)
		return cli_fail(ctx, rc, "vault %s", path);
	if (!sync_is_repo(r)) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "%s is not a sync repository: run 'mfa sync "
			       "init' first",
			       r->dir);
		sync_repo_free(r);
		return rc;
	}
	return 0;
}

/* Lines of git's stderr that the merge driver meant for the user. */
static void
sync_forward_notes(const struct sync_buf *err)
{
	const char *p, *end, *stop;

	if (err->p == NULL)
		return;
	stop = err->p + err->len;
	for (p = err->p; p < stop; p = end + 1) {
		end = memchr(p, '\n', (size_t)(stop - p));
		if (end == NULL)
			end = stop;
		if ((size_t)(end - p) > 11 &&
		    strncmp(p, "mfa: note: ", 11) == 0)
			fprintf(stderr, "%.*s\n", (int)(end - p), p);
	}
}

/* Is git in the middle of op (a ref such as MERGE_HEAD, or a folder of
 * the git dir such as rebase-merge)? */
static bool
sync_state(const struct sync_repo *r, const char *ref, const char *dir)
{
	struct sync_buf out = {0};
	char path[PATH_MAX * 2];
	struct stat st;
	int s;
	bool yes = false;

	if (ref != NULL)
		return sync_git(r, 0, NULL, NULL, &s, "rev-parse", "-q",
				"--verify", ref, NULL) == 0 &&
		       s == 0;
	if (sync_git(r, 0, &out, NULL, &s, "rev-parse", "--git-path", dir,
		     NULL) == 0 &&
	    s == 0 && out.p != NULL) {
		out.p[strcspn(out.p, "\n")] = '\0';
		if (out.p[0] == '/')
			snprintf(path, sizeof(path), "%s", out.p);
		else
			snprintf(path, sizeof(path), "%s/%s", r->dir, out.p);
		yes = stat(path, &st) == 0;
	}
	sync_buf_free(&out);
	return yes;
}

/* Which paths git left unmerged: *vault when the vault is one, *others
 * when anything else is. */
static int
sync_unmerged(struct mfa_ctx *ctx, const struct sync_repo *r, bool *vault,
	      bool *others)
{
	struct sync_buf out = {0};
	const char *p, *end, *tab;
	int s, rc;

	*vault = *others = false;
	if ((rc = sync_git(r, 0, &out, NULL, &s, "ls-files", "-u", "-z",
			   NULL)) != 0 ||
	    s != 0) {
		sync_buf_free(&out);
		return cli_fail(ctx, rc ? rc : MFA_EIO, "git ls-files in %s",
				r->dir);
	}
	for (p = out.p; p != NULL && p < out.p + out.len; p = end + 1) {
		end = memchr(p, '\0', (size_t)(out.p + out.len - p));
		if (end == NULL)
			break;
		if ((tab = memchr(p, '\t', (size_t)(end - p))) == NULL)
			continue;
		if (strcmp(tab + 1, r->name) == 0)
			*vault = true;
		else
			*others = true;
	}
	sync_buf_free(&out);
	return 0;
}

/*
 * The vault's conflict, from git's index stages (1 common, 2 ours, 3
 * theirs): merged with key (ours; NULL: cache or passphrase), written
 * (0600) and staged. rep receives the merge's report.
 */
static int
sync_resolve_index(struct mfa_ctx *ctx, const struct sync_repo *r,
		   const uint8_t *key, struct vault_report *rep)
{
	struct sync_buf b = {0}, o = {0}, t = {0};
	bool fb, fo, ft;
	uint8_t *out = NULL;
	size_t len = 0;
	int rc;

	if ((rc = sync_blob(r, ":1", &b, &fb)) != 0 ||
	    (rc = sync_blob(r, ":2", &o, &fo)) != 0 ||
	    (rc = sync_blob(r, ":3", &t, &ft)) != 0) {
		rc = cli_fail(ctx, rc, "git cat-file in %s", r->dir);
		goto out;
	}
	if (!fo || !ft) {
		rc =
		    cli_failx(ctx, MFA_EINVAL,
			      "one side removed the vault file %s: keep the "
			      "other with 'git -C %s checkout --%s -- %s'",
			      r->name, r->dir, fo ? "ours" : "theirs", r->name);
		goto out;
	}
	if ((rc = sync_merge_bytes(ctx, r->path, fb ? &b : NULL, &o, &t, key,
				   true, &out, &len, rep)) != 0)
		goto out;
	if ((rc = vault_file_write(r->path, out, len, 0600)) != 0) {
		rc = cli_fail(ctx, rc, "vault %s", r->path);
		goto out;
	}
	rc = sync_run(ctx, r, 0, "add", "add", "--", r->name, NULL);
out:
	if (out != NULL) {
		sodium_memzero(out, len);
		free(out);
	}
	sync_buf_free(&b);
	sync_buf_free(&o);
	sync_buf_free(&t);
	return rc;
}

/* The remote ref to merge: the upstream, else origin/BRANCH, else the
 * only branch origin has; "" when origin has none yet. */
static int
sync_upstream(struct mfa_ctx *ctx, const struct sync_repo *r, char *ref,
	      size_t n)
{
	struct sync_buf out = {0};
	char branch[256] = "";
	const char *p;
	int s, rc, count = 0;

	ref[0] = '\0';
	if ((rc = sync_git(r, 0, &out, NULL, &s, "rev-parse", "--abbrev-ref",
			   "--symbolic-full-name", "@{u}", NULL)) != 0)
		return cli_fail(ctx, rc, "git in %s", r->dir);
	if (s == 0 && out.p != NULL) {
		snprintf(ref, n, "%.*s", (int)strcspn(out.p, "\n"), out.p);
		sync_buf_free(&out);
		return 0;
	}
	sync_buf_free(&out);
	if (sync_git(r, 0, &out, NULL, &s, "symbolic-ref", "--short", "-q",
		     "HEAD", NULL) == 0 &&
	    s == 0 && out.p != NULL)
		snprintf(branch, sizeof(branch), "%.*s",
			 (int)strcspn(out.p, "\n"), out.p);
	sync_buf_free(&out);
	if (sync_git(r, 0, &out, NULL, &s, "for-each-ref",
		     "--format=%(refname:short)", "refs/remotes/origin/",
		     NULL) != 0 ||
	    s != 0) {
		sync_buf_free(&out);
		return 0;
	}
	for (p = out.p; p != NULL && *p != '\0'; p += strcspn(p, "\n") + 1) {
		size_t l = strcspn(p, "\n");

		if (l == 0 || (l == 11 && strncmp(p, "origin/HEAD", 11) == 0))
			continue;
		if (branch[0] != '\0' && l == 7 + strlen(branch) &&
		    strncmp(p + 7, branch, strlen(branch)) == 0) {
			snprintf(ref, n, "%.*s", (int)l, p);
			count = 1;
			break;
		}
		if (count++ == 0)
			snprintf(ref, n, "%.*s", (int)l, p);
	}
	if (count > 1)
		ref[0] = '\0';
	sync_buf_free(&out);
	return 0;
}

static bool
sync_has_origin(const struct sync_repo *r)
{
	int s;

	return sync_git(r, 0, NULL, NULL, &s, "remote", "get-url", "origin",
			NULL) == 0 &&
	       s == 0;
}

/* Merge ref into the work tree; a vault conflict is finished here with
 * key. */
static int
sync_merge_ref(struct mfa_ctx *ctx, const struct sync_repo *r,
	       const uint8_t *key, const char *ref)
{
	struct sync_buf err = {0};
	struct vault_report rep;
	const char *args[16];
	char line[400], name[300], email[300];
	bool vault, others;
	size_t n = 0;
	int s, rc;

	sync_identity(r, args, &n, name, email, sizeof(name));
	args[n++] = "merge";
	args[n++] = "-q";
	args[n++] = "--no-edit";
	args[n++] = "--allow-unrelated-histories";
	args[n++] = ref;
	args[n] = NULL;
	if ((rc = sync_gitv(r, SYNC_PARENT, NULL, &err, &s, args)) != 0) {
		sync_buf_free(&err);
		return cli_fail(ctx, rc, "git merge in %s", r->dir);
	}
	sync_forward_notes(&err);
	sync_last_line(&err, line, sizeof(line));
	sync_buf_free(&err);
	if (s == 0)
		return 0;
	if ((rc = sync_unmerged(ctx, r, &vault, &others)) != 0)
		return rc;
	if (!vault || others) {
		(void)sync_git(r, 0, NULL, NULL, &s, "merge", "--abort", NULL);
		if (others)
			return cli_failx(ctx, MFA_EIO,
					 "merging %s into %s stopped on "
					 "conflicts in files other than the "
					 "vault (nothing was changed): resolve "
					 "them with git",
					 ref, r->dir);
		return cli_failx(ctx, MFA_EIO, "git merge in %s failed: %s",
				 r->dir, line[0] ? line : "no reason given");
	}
	/* The driver could not (no cached key): finish it here. */
	if ((rc = sync_resolve_index(ctx, r, key, &rep)) != 0) {
		(void)sync_git(r, 0, NULL, NULL, &s, "merge", "--abort", NULL);
		return rc;
	}
	sync_print_report(&rep, false);
	vault_report_free(&rep);
	return sync_run_ident(ctx, r, 0, "commit", "commit", "-q", "--no-edit",
			      "--cleanup=strip", NULL);
}

/* The vault as it is now on disk, decrypted with v's key, against the one
 * v held: what changed here. */
static void
sync_report_changes(const struct sync_repo *r, const struct vault *v)
{
	struct vault_report rep;
	struct sync_buf now;
	struct vault *after = NULL;

	if (sync_read_file(r->path, &now) != 0)
		return;
	if (vault_open_mem(r->path, (const uint8_t *)now.p, now.len, &after) ==
		0 &&
	    vault_unlock_key(after, vault_key(v)) == 0 &&
	    vault_diff(vault_data(v), vault_data(after), &rep) == 0) {
		sync_print_report(&rep, true);
		vault_report_free(&rep);
	} else if (after != NULL && vault_key(after) == NULL) {
		fprintf(stderr, "mfa: note: the vault's passphrase was changed "
				"on another machine: it is that one now\n");
	}
	vault_close(after);
	sync_buf_free(&now);
}

/* The commit HEAD names, or "" (none yet). */
static void
sync_head(const struct sync_repo *r, char *buf, size_t n)
{
	struct sync_buf out = {0};
	int s;

	buf[0] = '\0';
	if (sync_git(r, 0, &out, NULL, &s, "rev-parse", "-q", "--verify",
		     "HEAD", NULL) == 0 &&
	    s == 0 && out.p != NULL)
		snprintf(buf, n, "%.*s", (int)strcspn(out.p, "\n"), out.p);
	sync_buf_free(&out);
}

/*
 * After a merge (a fast-forward above all, which no driver sees): the
 * vault must still open with our key, or be re-keyed by `mfa passwd`
 * elsewhere (other key slots). Otherwise it was modified: the merge is
 * undone and nothing is pushed.
 */
static int
sync_check_merged(struct mfa_ctx *ctx, const struct sync_repo *r,
		  const struct vault *v, const char *ref, const char *before)
{
	struct sync_buf now;
	struct vault *after = NULL;
	bool ok = false;
	int rc, s;

	if ((rc = sync_read_file(r->path, &now)) != 0)
		return cli_fail(ctx, rc, "vault %s", r->path);
	if (vault_open_mem(r->path, (const uint8_t *)now.p, now.len, &after) ==
	    0)
		ok = vault_unlock_key(after, vault_key(v)) == 0 ||
		     !vault_same_slots(after, v);
	vault_close(after);
	sync_buf_free(&now);
	if (ok)
		return 0;
	if (before[0] != '\0')
		(void)sync_git(r, 0, NULL, NULL, &s, "reset", "-q", "--keep",
			       before, NULL);
	return cli_failx(ctx, MFA_EVAULT_AUTH,
			 "the vault in %s does not open with this vault's "
			 "key: it was modified (tampered with or damaged); "
			 "nothing was merged",
			 ref);
}

/*
 * Commit, fetch, merge, push: the body of mfa sync. The vault lock is held
 * while git changes the folder (commit, merge), not while it talks to the
 * remote, which may take long or ask for a password: meanwhile other mfa
 * commands may write and commit, and the next round takes that in.
 */
static int
sync_exchange(struct mfa_ctx *ctx, const struct sync_repo *r, struct vault *v)
{
	struct sync_buf err = {0};
	char ref[300], line[400], head[64];
	int fd = -1, rc, s, round;

	if (sync_state(r, "MERGE_HEAD", NULL) ||
	    sync_state(r, NULL, "rebase-merge") ||
	    sync_state(r, NULL, "rebase-apply") ||
	    sync_state(r, "CHERRY_PICK_HEAD", NULL))
		return cli_failx(ctx, MFA_EINVAL,
				 "git is in the middle of a merge, rebase or "
				 "cherry-pick in %s: finish it first ('mfa "
				 "sync resolve' for the vault)",
				 r->dir);
	if ((rc = vault_lock(v, &fd)) != 0)
		return cli_fail(ctx, rc, "vault %s", vault_path(v));
	if ((rc = sync_install(ctx, r)) != 0 ||
	    (rc = sync_commit(ctx, r, v, "mfa sync", NULL)) != 0)
		goto out;
	vault_unlock(fd);
	fd = -1;
	if (!sync_has_origin(r)) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "%s has no remote to sync with: add one with "
			       "'mfa sync init REMOTE' (or 'git -C %s remote "
			       "add origin URL')",
			       r->dir, r->dir);
		goto out;
	}
	for (round = 0; round < SYNC_TRIES; round++) {
		if ((rc = sync_run(ctx, r, 0, "fetch", "fetch", "-q", "origin",
				   NULL)) != 0 ||
		    (rc = sync_upstream(ctx, r, ref, sizeof(ref))) != 0)
			goto out;
		if ((rc = vault_lock(v, &fd)) != 0) {
			rc = cli_fail(ctx, rc, "vault %s", vault_path(v));
			goto out;
		}
		/* What another command wrote since: committed first. */
		if ((rc = sync_commit(ctx, r, v, "mfa sync", NULL)) != 0)
			goto out;
		sync_head(r, head, sizeof(head));
		if (ref[0] != '\0' &&
		    ((rc = sync_merge_ref(ctx, r, vault_key(v), ref)) != 0 ||
		     (rc = sync_check_merged(ctx, r, v, ref, head)) != 0))
			goto out;
		vault_unlock(fd);
		fd = -1;
		if ((rc = sync_git(r, 0, NULL, &err, &s, "push", "-q", "-u",
				   "origin", "HEAD", NULL)) != 0) {
			rc = cli_fail(ctx, rc, "git push in %s", r->dir);
			goto out;
		}
		sync_last_line(&err, line, sizeof(line));
		sync_buf_free(&err);
		if (s == 0)
			break;
		/* Another machine pushed meanwhile: merge that too. */
		if (round == SYNC_TRIES - 1) {
			rc = cli_failx(ctx, MFA_EIO,
				       "git push in %s failed: %s", r->dir,
				       line[0] ? line : "no reason given");
			goto out;
		}
	}
	sync_report_changes(r, v);
	printf("in sync with origin\n");
out:
	sync_buf_free(&err);
	vault_unlock(fd);
	return rc;
}

static int
cmd_sync_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct sync_repo r;
	struct vault *v;
	int rc;

	(void)a;
	if ((rc = sync_need_repo(ctx, &r)) != 0)
		return rc;
	if ((rc = unlock_vault(ctx, &v)) == 0)
		rc = sync_exchange(ctx, &r, v);
	sync_repo_free(&r);
	return rc;
}

/* The folders of path, made 0700 where missing. */
static int
sync_mkdirs(const char *dir)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return MFA_ETOOLONG;
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return MFA_EIO;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return errno == EACCES ? MFA_EACCES : MFA_EIO;
	return 0;
}

/* r for a vault file that does not exist yet: its folder made (0700)
 * and resolved. */
static int
sync_repo_new(struct mfa_ctx *ctx, const char *path, struct sync_repo *r)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	memset(r, 0, sizeof(*r));
	if (slash == NULL)
		dir = strdup(".");
	else
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (dir == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "vault %s", path);
	if ((rc = sync_mkdirs(dir)) != 0) {
		rc = cli_fail(ctx, rc, "folder %s", dir);
		free(dir);
		return rc;
	}
	r->dir = realpath(dir, NULL);
	free(dir);
	r->name = strdup(slash != NULL ? slash + 1 : path);
	if (r->dir == NULL || r->name == NULL ||
	    asprintf(&r->path, "%s/%s", r->dir, r->name) < 0) {
		r->path = NULL;
		sync_repo_free(r);
		return cli_fail(ctx, MFA_EIO, "vault %s", path);
	}
	return 0;
}

/* Another machine: the vault comes from REMOTE. */
static int
sync_init_fetch(struct mfa_ctx *ctx, const char *path, const char *remote)
{
	struct sync_repo r;
	struct vault *v = NULL;
	char ref[300], branch[300];
	bool made;
	int rc;

	if ((rc = sync_repo_new(ctx, path, &r)) != 0)
		return rc;
	if (!sync_name_ok(r.name)) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "vault %s: mfa sync wants a file name of "
			       "letters, digits and ._-+",
			       r.path);
		goto out;
	}
	if (!sync_is_repo(&r) &&
	    (rc = sync_run(ctx, &r, 0, "init", "init", "-q", NULL)) != 0)
		goto out;
	if (sync_has_origin(&r))
		rc = sync_run(ctx, &r, 0, "remote", "remote", "set-url",
			      "origin", remote, NULL);
	else
		rc = sync_run(ctx, &r, 0, "remote", "remote", "add", "origin",
			      remote, NULL);
	if (rc != 0 ||
	    (rc = sync_run(ctx, &r, 0, "fetch", "fetch", "-q", "origin",
			   NULL)) != 0 ||
	    (rc = sync_upstream(ctx, &r, ref, sizeof(ref))) != 0)
		goto out;
	if (ref[0] == '\0') {
		rc = cli_failx(ctx, MFA_ENOVAULT,
			       "%s holds no vault yet: run 'mfa sync init "
			       "%s' on the machine that has one",
			       remote, remote);
		goto out;
	}
	snprintf(branch, sizeof(branch), "%s",
		 strchr(ref, '/') ? strchr(ref, '/') + 1 : ref);
	if ((rc = sync_run(ctx, &r, 0, "checkout", "checkout", "-q", "-B",
			   branch, "--track", ref, NULL)) != 0)
		goto out;
	if ((rc = vault_open(r.path, &v)) != 0) {
		rc = rc == MFA_ENOVAULT
			 ? cli_failx(ctx, rc, "%s has no file %s", remote,
				     r.name)
			 : cli_fail(ctx, rc, "vault %s", r.path);
		goto out;
	}
	vault_close(v);
	/* mfa's files, should the remote's repository lack them. */
	if ((rc = sync_install(ctx, &r)) != 0 ||
	    (rc = sync_commit(ctx, &r, NULL, "mfa sync init", &made)) != 0 ||
	    (made && (rc = sync_run(ctx, &r, 0, "push", "push", "-q", "-u",
				    "origin", "HEAD", NULL)) != 0))
		goto out;
	printf("fetched the vault from %s into %s: its passphrase is the one "
	       "set where it was made\n",
	       remote, r.dir);
out:
	sync_repo_free(&r);
	return rc;
}

static int
cmd_sync_init(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *path = unlock_path(ctx);
	const char *remote = a->argc > 0 ? a->argv[0] : NULL;
	struct sync_repo r;
	struct vault *v = NULL;
	struct stat st;
	bool made;
	int rc;

	if (path == NULL)
		return cli_fail(ctx, MFA_EINVAL,
				"vault path (set HOME, MFA_VAULT or --vault)");
	if (lstat(path, &st) != 0) {
		if (remote == NULL)
			return cli_failx(ctx, MFA_ENOVAULT,
					 "no vault at %s: run 'mfa init' "
					 "first, or 'mfa sync init REMOTE' to "
					 "fetch one",
					 path);
		return sync_init_fetch(ctx, path, remote);
	}
	/* The vault must be one, and safe, before it goes anywhere. */
	if ((rc = vault_open(path, &v)) != 0)
		return cli_fail(ctx, rc, "vault %s", path);
	vault_close(v);
	if ((rc = sync_repo_of(path, &r)) != 0)
		return cli_fail(ctx, rc, "vault %s", path);
	if (!sync_is_repo(&r) &&
	    (rc = sync_run(ctx, &r, 0, "init", "init", "-q", NULL)) != 0)
		goto out;
	if ((rc = sync_install(ctx, &r)) != 0 ||
	    (rc = sync_commit(ctx, &r, NULL, "mfa sync init", &made)) != 0)
		goto out;
	if (remote == NULL) {
		printf("%s is a git repository now%s; add a remote with "
		       "'mfa sync init REMOTE'\n",
		       r.dir, made ? " (committed)" : "");
		goto out;
	}
	rc = sync_has_origin(&r) ? sync_run(ctx, &r, 0, "remote", "remote",
					    "set-url", "origin", remote, NULL)
				 : sync_run(ctx, &r, 0, "remote", "remote",
					    "add", "origin", remote, NULL);
	if (rc != 0)
		goto out;
	/* The first exchange needs the key only if the remote has a vault
	 * to merge; mfa sync asks for it as it always does. */
	if ((rc = unlock_vault(ctx, &v)) == 0)
		rc = sync_exchange(ctx, &r, v);
out:
	sync_repo_free(&r);
	return rc;
}

static int
cmd_sync_resolve(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct vault_report rep;
	struct sync_repo r;
	struct vault *v;
	bool vault, others;
	int fd = -1, rc;

	(void)a;
	memset(&rep, 0, sizeof(rep));
	if ((rc = sync_need_repo(ctx, &r)) != 0)
		return rc;
	if ((rc = sync_unmerged(ctx, &r, &vault, &others)) != 0)
		goto out;
	if (!vault) {
		rc = cli_failx(ctx, MFA_ENOTFOUND,
			       "nothing to resolve: git has no conflict on %s",
			       r.path);
		goto out;
	}
	/* The work tree holds ours while git waits: its key is ours. */
	if ((rc = unlock_vault(ctx, &v)) != 0 ||
	    (rc = vault_lock(v, &fd)) != 0 ||
	    (rc = sync_resolve_index(ctx, &r, vault_key(v), &rep)) != 0)
		goto out;
	sync_print_report(&rep, true);
	if (others) {
		printf("resolved %s; other files still have conflicts: "
		       "resolve them with git, then commit\n",
		       r.name);
	} else if (sync_state(&r, "MERGE_HEAD", NULL)) {
		rc = sync_run_ident(ctx, &r, 0, "commit", "commit", "-q",
				    "--no-edit", "--cleanup=strip", NULL);
		if (rc == 0)
			printf("resolved %s and committed the merge\n", r.name);
	} else if (sync_state(&r, NULL, "rebase-merge") ||
		   sync_state(&r, NULL, "rebase-apply")) {
		rc = sync_run_ident(ctx, &r, 0, "rebase", "rebase",
				    "--continue", NULL);
		if (rc == 0)
			printf("resolved %s; the rebase went on\n", r.name);
	} else if (sync_state(&r, "CHERRY_PICK_HEAD", NULL)) {
		rc = sync_run_ident(ctx, &r, 0, "cherry-pick", "cherry-pick",
				    "--continue", NULL);
		if (rc == 0)
			printf("resolved %s; the cherry-pick went on\n",
			       r.name);
	} else {
		/* git stash pop: the stash stays until dropped. */
		printf("resolved %s (staged; 'git stash drop' if it came "
		       "from a stash)\n",
		       r.name);
	}
out:
	vault_unlock(fd);
	vault_report_free(&rep);
	sync_repo_free(&r);
	return rc;
}

static const struct mfa_pos cmd_sync_init_pos[] = {
    {"REMOTE", VAL_TEXT, NULL, POS_F_OPTIONAL},
    POS_END,
};

static const struct mfa_cmd cmd_sync_init_entry = {
    .name = "init",
    .summary = "make the vault's folder a git repository, or fetch a vault",
    .help = "Makes the vault's folder a git repository with mfa's merge "
	    "driver and commits.\nWith REMOTE (any git URL): on a machine "
	    "without a vault, fetches the vault\nfrom it; with one, adds it "
	    "as origin and syncs.",
    .pos = cmd_sync_init_pos,
    .exec = cmd_sync_init,
};

static const struct mfa_cmd cmd_sync_resolve_entry = {
    .name = "resolve",
    .summary = "finish a merge of the vault that git left in conflict",
    .help = "For a merge the driver refused (no cached key, or a copy "
	    "re-keyed by 'mfa\npasswd' elsewhere, whose passphrase it asks "
	    "for): merges the versions git\nkeeps, stages the vault and "
	    "continues the merge, rebase or cherry-pick.",
    .exec = cmd_sync_resolve,
};

static const struct mfa_cmd *const cmd_sync_subs[] = {
    &cmd_sync_init_entry,
    &cmd_sync_resolve_entry,
    NULL,
};

const struct mfa_cmd cmd_sync_entry = {
    .name = "sync",
    .summary = "sync the vault with other machines through git",
    .help = "Commits what is pending, fetches, merges entry by entry, pushes, "
	    "and says\nwhat changed. Every command that writes the vault "
	    "commits it too\n(MFA_SYNC_AUTOPUSH=1: and pushes).",
    .subs = cmd_sync_subs,
    .exec = cmd_sync_exec,
};
