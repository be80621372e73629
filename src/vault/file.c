/*
 * Vault files on disk: path resolution, permission checks, the lock file and
 * atomic replacement (temp file, fsync, PATH.bak, rename, fsync of the
 * folder), and the same atomic write for any file (vault_file_write). Every
 * system call's error is mapped to a code that names its cause.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define FILE_TMP ".tmp."
#define FILE_BAKTMP ".baktmp."
#define FILE_RAND_HEX 16

int
vault_file_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return MFA_ENOSPC;
	case ENOMEM:
		return MFA_ENOMEM;
	case EACCES:
	case EPERM:
		return MFA_EACCES;
	case EROFS:
		return MFA_EROFS;
	case EISDIR:
		return MFA_EISDIR;
	case ENOENT:
		return MFA_ENOENT;
	case ENAMETOOLONG:
		return MFA_ETOOLONG;
	case ELOOP: /* O_NOFOLLOW met a symbolic link */
		return MFA_ENOTREG;
	default:
		return MFA_EIO;
	}
}

/* Split a path into a malloc'd folder ("." when none) and its last part. */
static int
file_split(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = strdup(".");
		*base = path;
	} else if (slash == path) {
		*dir = strdup("/");
		*base = slash + 1;
	} else {
		*dir = strndup(path, (size_t)(slash - path));
		*base = slash + 1;
	}
	if (*dir == NULL)
		return MFA_ENOMEM;
	if (**base == '\0' || strcmp(*base, ".") == 0 ||
	    strcmp(*base, "..") == 0) {
		free(*dir);
		*dir = NULL;
		return MFA_EINVAL;
	}
	return 0;
}

int
vault_file_resolve(const char *path, bool create, char **real)
{
	char *dir, *rdir;
	const char *base;
	int rc;

	*real = NULL;
	if (path == NULL || *path == '\0')
		return MFA_EINVAL;
	if (!create) {
		if ((*real = realpath(path, NULL)) != NULL)
			return 0;
		if (errno == ENOENT || errno == ENOTDIR)
			return MFA_ENOVAULT;
		return vault_file_errno(errno);
	}
	if ((rc = file_split(path, &dir, &base)) != 0)
		return rc;
	rdir = realpath(dir, NULL);
	free(dir);
	if (rdir == NULL)
		return vault_file_errno(errno);
	if (asprintf(real, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base) <
	    0) {
		*real = NULL;
		rc = MFA_ENOMEM;
	}
	free(rdir);
	return rc;
}

/*
 * Ours and not writable by anyone else; the vault file not readable by
 * anyone else either (its folder may be: a home folder often is). Higher
 * folders are not our business.
 */
static int
file_check_stat(const struct stat *st, bool file)
{
	if (st->st_uid != geteuid() || (st->st_mode & (S_IWGRP | S_IWOTH)))
		return MFA_EVAULT_PERM;
	if (file && (st->st_mode & (S_IRGRP | S_IROTH)))
		return MFA_EVAULT_READABLE;
	return 0;
}

int
vault_file_check_dir(const char *real)
{
	struct stat st;
	char *dir;
	const char *base;
	int rc;

	if ((rc = file_split(real, &dir, &base)) != 0)
		return rc;
	if (stat(dir, &st) != 0)
		rc = errno == ENOENT ? MFA_ENOVAULT : vault_file_errno(errno);
	else if (!S_ISDIR(st.st_mode))
		rc = MFA_ENOTREG;
	else
		rc = file_check_stat(&st, false);
	free(dir);
	return rc;
}

int
vault_perm_fix(const char *path, char *buf, size_t n)
{
	struct stat st;
	char *real = NULL, *dir = NULL;
	const char *base;
	int rc = MFA_ENOTFOUND;

	if (path == NULL || buf == NULL || n == 0)
		return MFA_EINVAL;
	if ((real = realpath(path, NULL)) == NULL &&
	    vault_file_resolve(path, true, &real) != 0)
		return MFA_ENOTFOUND;
	if (file_split(real, &dir, &base) == 0 && stat(dir, &st) == 0 &&
	    st.st_uid == geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(buf, n, "chmod go-w %s", dir);
		rc = 0;
	} else if (stat(real, &st) == 0 && st.st_uid == geteuid() &&
		   (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(buf, n, "chmod 600 %s", real);
		rc = 0;
	}
	free(dir);
	free(real);
	return rc;
}

int
vault_file_read(const char *real, uint8_t **buf, size_t *len)
{
	return vault_file_load(real, buf, len, NULL);
}

void
vault_file_release(uint8_t *buf, size_t len, bool mapped)
{
	if (buf != NULL && mapped)
		munmap(buf, len);
	else
		free(buf);
}

int
vault_file_load(const char *real, uint8_t **buf, size_t *len, bool *mapped)
{
	struct stat st;
	uint8_t *b = NULL;
	size_t got = 0;
	ssize_t n;
	void *m;
	int fd, rc;

	*buf = NULL;
	*len = 0;
	if (mapped != NULL)
		*mapped = false;
	if ((rc = vault_file_check_dir(real)) != 0)
		return rc;
	/* O_NONBLOCK: a FIFO planted at the path must not hang us. */
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? MFA_ENOVAULT : vault_file_errno(errno);
	if (fstat(fd, &st) != 0) {
		rc = vault_file_errno(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? MFA_EISDIR : MFA_ENOTREG;
		goto out;
	}
	if ((rc = file_check_stat(&st, true)) != 0)
		goto out;
	if (st.st_size < 0 || (uint64_t)st.st_size > VAULT_FILE_MAX) {
		rc = MFA_ETOOBIG;
		goto out;
	}
	/*
	 * A large vault is mapped rather than copied: its pages come from the
	 * page cache as they are read, with no fresh pages to zero and fill
	 * (a third of `mfa code`'s time at 100,000 accounts). Writers never
	 * change a vault file in place (they rename a new one over it), so
	 * the mapping stays whole however long it is kept.
	 */
	if (mapped != NULL && (size_t)st.st_size >= VAULT_MAP_MIN) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
			 0);
		if (m != MAP_FAILED) {
			*buf = m;
			*len = (size_t)st.st_size;
			*mapped = true;
			goto out;
		}
	}
	if ((b = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	/* One byte more than stat said, to notice a file that grew. */
	while (got < (size_t)st.st_size + 1) {
		n = read(fd, b + got, (size_t)st.st_size + 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = vault_file_errno(errno);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > (size_t)st.st_size) {
		rc = MFA_EIO; /* it grew while we read: another writer */
		goto out;
	}
	*buf = b;
	*len = got;
	b = NULL;
out:
	free(b);
	close(fd);
	return rc;
}

/* mkdir -p of the vault's folder; every folder made is 0700. */
int
vault_file_mkdir_p(const char *path)
{
	struct stat st;
	char *p, *s;
	const char *base;
	int rc;

	if ((rc = file_split(path, &p, &base)) != 0)
		return rc;
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (s[-1] != '/') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				rc = vault_file_errno(errno);
				break;
			}
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	if (rc == 0 && stat(p, &st) != 0)
		rc = vault_file_errno(errno);
	else if (rc == 0 && !S_ISDIR(st.st_mode))
		rc = MFA_ENOTREG; /* "not a directory" would be ENOTDIR */
	free(p);
	return rc;
}

int
vault_file_lock(const char *real, int *fd)
{
	struct stat st;
	char *lp;
	int l, e;

	*fd = -1;
	if (asprintf(&lp, "%s.lock", real) < 0)
		return MFA_ENOMEM;
	l = open(lp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		 0600);
	e = errno;
	free(lp);
	/* A read-only file system or folder: say so, not "cannot lock". */
	if (l == -1)
		return e == EACCES || e == EPERM || e == EROFS || e == ENOSPC ||
			       e == EDQUOT
			   ? vault_file_errno(e)
			   : MFA_ELOCK;
	if (fstat(l, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		close(l);
		return MFA_ELOCK;
	}
	/* The lock dies with its holder: a killed writer never blocks us. */
	while (flock(l, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(l);
			return MFA_ELOCK;
		}
	}
	*fd = l;
	return 0;
}

void
vault_file_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}

int
vault_file_exists(const char *real)
{
	struct stat st;

	if (lstat(real, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : vault_file_errno(errno);
}

static bool
file_is_temp(const char *name, const char *base, size_t blen)
{
	const char *s;
	size_t i, plen;

	if (strncmp(name, base, blen) != 0)
		return false;
	s = name + blen;
	if (strncmp(s, FILE_TMP, strlen(FILE_TMP)) == 0)
		plen = strlen(FILE_TMP);
	else if (strncmp(s, FILE_BAKTMP, strlen(FILE_BAKTMP)) == 0)
		plen = strlen(FILE_BAKTMP);
	else
		return false;
	s += plen;
	for (i = 0; i < FILE_RAND_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[FILE_RAND_HEX] == '\0';
}

/*
 * Called with the lock held: any temp file of ours is a dead writer's, as
 * live writers hold the lock while their temp files exist.
 */
static void
file_clean(const char *dir, const char *base)
{
	struct dirent *de;
	DIR *d;
	size_t blen = strlen(base);

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (file_is_temp(de->d_name, base, blen))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

static int
file_tmpname(const char *real, const char *kind, char **out)
{
	uint8_t r[FILE_RAND_HEX / 2];
	char hex[FILE_RAND_HEX + 1];

	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	if (asprintf(out, "%s%s%s", real, kind, hex) < 0) {
		*out = NULL;
		return MFA_ENOMEM;
	}
	return 0;
}

static int
file_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return vault_file_errno(errno);
		if (n == 0)
			return MFA_EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The old file becomes PATH.bak without a moment in which PATH is missing. */
static void
file_keep_bak(const char *real)
{
	char *baktmp = NULL, *bak = NULL;

	if (vault_file_exists(real) != 1)
		return;
	if (file_tmpname(real, FILE_BAKTMP, &baktmp) != 0)
		return;
	if (asprintf(&bak, "%s.bak", real) < 0)
		bak = NULL;
	/*
	 * Best effort: a filesystem without hard links keeps no backup. The
	 * unlink is needed even after a successful rename: when PATH.bak is
	 * already a link to PATH (a writer died between its two renames),
	 * rename() does nothing and leaves the temporary name.
	 */
	if (bak != NULL && link(real, baktmp) == 0) {
		(void)rename(baktmp, bak);
		(void)unlink(baktmp);
	}
	free(baktmp);
	free(bak);
}

/*
 * The atomic write: temp file beside real, mode, every byte, fsync, rename,
 * fsync of the folder. For the vault (bak), stale temp files are removed
 * first and the old file kept as PATH.bak; a folder fsync the file system
 * refuses is not an error there, as the new vault is in place either way.
 */
static int
file_write_atomic(const char *real, const uint8_t *buf, size_t len,
		  unsigned mode, bool bak)
{
	char *dir = NULL, *tmp = NULL;
	const char *base;
	struct stat st;
	int fd = -1, dfd, rc;

	if ((rc = file_split(real, &dir, &base)) != 0)
		return rc;
	if (stat(real, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = MFA_EISDIR;
		goto out;
	}
	if (bak)
		file_clean(dir, base);
	if ((rc = file_tmpname(real, FILE_TMP, &tmp)) != 0)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd == -1) {
		rc = vault_file_errno(errno);
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) != 0) {
		rc = vault_file_errno(errno);
		goto fail;
	}
	if ((rc = file_write_all(fd, buf, len)) != 0)
		goto fail;
	if (fsync(fd) != 0) {
		rc = vault_file_errno(errno);
		goto fail;
	}
	rc = close(fd);
	fd = -1;
	if (rc != 0) {
		rc = vault_file_errno(errno);
		goto fail;
	}
	if (bak)
		file_keep_bak(real);
	if (rename(tmp, real) != 0) {
		rc = vault_file_errno(errno);
		goto fail;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		/* A folder we may write but not read: nothing to fsync with. */
		if (!bak && errno != EACCES)
			rc = vault_file_errno(errno);
		goto out;
	}
	/* EINVAL: a file system without folder fsync. */
	if (fsync(dfd) != 0 && !bak && errno != EINVAL)
		rc = vault_file_errno(errno);
	close(dfd);
	goto out;
fail:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
out:
	free(tmp);
	free(dir);
	return rc;
}

int
vault_file_replace(const char *real, const uint8_t *buf, size_t len)
{
	return file_write_atomic(real, buf, len, 0600, true);
}

int
vault_file_write(const char *path, const void *buf, size_t len, unsigned mode)
{
	int rc;

	if (path == NULL || *path == '\0' || (buf == NULL && len > 0) ||
	    (mode & ~07777u) != 0)
		return MFA_EINVAL;
	if ((rc = vault_sodium()) != 0) /* temp names are random */
		return rc;
	return file_write_atomic(path, buf, len, mode, false);
}
