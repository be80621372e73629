/*
 * Vault writes under concurrency, SIGKILL and a full disk (fork-based).
 * Children report each save they saw succeed through a pipe; the parent
 * checks that nothing reported is ever lost, that the vault always opens,
 * that the lock is never stale, and that no temp file outlives a write.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "mfa/vault.h"

#define KILLS 100
#define PER_CHILD 50

static const struct vault_kdf tiny = {1, 8192};
static char dir[64];
static char vpath[96];
static uint8_t key[VAULT_KEY_BYTES];

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
setup(void **state)
{
	struct vault *v;

	(void)state;
	strcpy(dir, "/tmp/mfa-vault-crash-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(vpath, sizeof(vpath), "%s/vault", dir);
	if (vault_create(vpath, "pw", 2, &tiny) != 0 ||
	    vault_open(vpath, &v) != 0)
		return -1;
	if (vault_unlock_pass(v, "pw", 2) != 0) {
		vault_close(v);
		return -1;
	}
	memcpy(key, vault_key(v), sizeof(key));
	vault_close(v);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct vault *
open_key(void)
{
	struct vault *v = NULL;

	if (vault_open(vpath, &v) != 0)
		return NULL;
	if (vault_unlock_key(v, key) != 0) {
		vault_close(v);
		return NULL;
	}
	return v;
}

struct add {
	const char *name;
	size_t note_len;
	uint8_t id[VAULT_ID_BYTES];
};

static int
add_cb(struct vault_data *d, void *arg)
{
	struct add *a = arg;
	struct vault_entry e;
	char *note = NULL;
	int rc;

	if ((rc = vault_entry_init(&e, time(NULL))) != 0)
		return rc;
	if (a->note_len > 0) {
		note = malloc(a->note_len + 1);
		memset(note, 'n', a->note_len);
		note[a->note_len] = '\0';
	}
	if ((rc = vault_entry_set_str(&e.name, a->name)) != 0 ||
	    (note && (rc = vault_entry_set_str(&e.note, note)) != 0) ||
	    (rc = vault_entry_set_secret(&e, (const uint8_t *)"0123456789",
					 10)) != 0) {
		free(note);
		vault_entry_clear(&e);
		return rc;
	}
	free(note);
	memcpy(a->id, e.id, VAULT_ID_BYTES);
	if ((rc = vault_entry_add(d, &e)) != 0)
		vault_entry_clear(&e);
	return rc;
}

static int
noop_cb(struct vault_data *d, void *arg)
{
	(void)d;
	(void)arg;
	return 0;
}

/* Names in the folder that look like our temp files. */
static int
count_temps(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp.") != NULL ||
		    strstr(de->d_name, ".baktmp.") != NULL) {
			print_message("left behind: %s\n", de->d_name);
			n++;
		}
	closedir(d);
	return n;
}

static void
on_alarm(int sig)
{
	static const char msg[] = "test_vault_crash: timed out (stale lock?)\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(99);
}

static void
guard(unsigned seconds)
{
	signal(SIGALRM, on_alarm);
	alarm(seconds);
}

static void
test_two_writers(void **state)
{
	struct vault *v;
	pid_t pid[2];
	int c, i, st;
	char name[32];

	(void)state;
	guard(60);
	for (c = 0; c < 2; c++) {
		pid[c] = fork();
		assert_true(pid[c] >= 0);
		if (pid[c] == 0) {
			struct add a = {name, 0, {0}};

			if ((v = open_key()) == NULL)
				_exit(2);
			for (i = 0; i < PER_CHILD; i++) {
				snprintf(name, sizeof(name), "w%d-%d", c, i);
				if (vault_update(v, add_cb, &a) != 0)
					_exit(3);
			}
			vault_close(v);
			_exit(0);
		}
	}
	for (c = 0; c < 2; c++) {
		assert_int_equal(waitpid(pid[c], &st, 0), pid[c]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	alarm(0);
	v = open_key();
	assert_non_null(v);
	assert_int_equal(vault_data(v)->n_entries, 2 * PER_CHILD);
	for (c = 0; c < 2; c++)
		for (i = 0; i < PER_CHILD; i++) {
			size_t idx;

			snprintf(name, sizeof(name), "w%d-%d", c, i);
			assert_int_equal(vault_query(vault_data(v), name, &idx,
						     NULL, 0, NULL),
					 0);
		}
	vault_close(v);
	assert_int_equal(count_temps(), 0);
}

/* Writes forever, reporting each saved entry's id, until killed. */
static void
writer_child(int out)
{
	struct add a = {"crash", 0, {0}};
	struct vault *v;
	int rc;

	if ((v = open_key()) == NULL)
		_exit(2);
	for (;;) {
		if ((rc = vault_update(v, add_cb, &a)) != 0)
			_exit(3);
		if (write(out, a.id, sizeof(a.id)) != sizeof(a.id))
			_exit(4);
	}
}

static void
test_sigkill(void **state)
{
	uint8_t *ids = NULL;
	size_t nids = 0, i;
	struct vault *v;
	int k, fd[2], st;
	struct timespec t0, t1;
	unsigned delay, span;
	ssize_t n;
	pid_t pid;

	(void)state;
	/*
	 * Scale the kill delays to the time a writer takes to open the vault
	 * and save once (fsyncs dominate on a disk, decryption under
	 * valgrind), so kills land before, during and between writes on any
	 * machine.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < 5; k++) {
		struct add a = {"calibrate", 0, {0}};

		v = open_key();
		assert_non_null(v);
		assert_int_equal(vault_update(v, add_cb, &a), 0);
		vault_close(v);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	span = (unsigned)(((t1.tv_sec - t0.tv_sec) * 1000000000L +
			   (t1.tv_nsec - t0.tv_nsec)) /
			  1000 / 5 * 3) +
	       2000;
	if (span > 200000)
		span = 200000; /* keeps the run short on a very slow disk */
	for (k = 0; k < KILLS; k++) {
		assert_int_equal(pipe(fd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fd[0]);
			writer_child(fd[1]);
		}
		close(fd[1]);
		/* Random moments: before, during and between writes. */
		delay = randombytes_uniform(span);
		usleep(delay);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (!WIFSIGNALED(st))
			fail_msg("writer %d exited with %d", k,
				 WEXITSTATUS(st));
		for (;;) {
			ids = realloc(ids, (nids + 64) * VAULT_ID_BYTES);
			n = read(fd[0], ids + nids * VAULT_ID_BYTES,
				 64 * VAULT_ID_BYTES);
			if (n <= 0)
				break;
			assert_int_equal(n % VAULT_ID_BYTES, 0);
			nids += (size_t)n / VAULT_ID_BYTES;
		}
		close(fd[0]);

		/* Readable at once, and never missing a reported save. */
		v = open_key();
		if (v == NULL)
			fail_msg("vault unreadable after kill %d", k);
		for (i = 0; i < nids; i++)
			if (vault_entry_find_id(vault_data(v),
						ids + i * VAULT_ID_BYTES) < 0)
				fail_msg("kill %d: reported save %zu lost", k,
					 i);
		/* The lock is free: a new write goes through now. */
		guard(20);
		assert_int_equal(vault_update(v, noop_cb, NULL), 0);
		alarm(0);
		assert_int_equal(count_temps(), 0);
		vault_close(v);
	}
	/* Not vacuous: many saves were made and checked. */
	assert_true(nids > KILLS / 10);
	print_message("%d kills within %u us, %zu reported saves kept\n", KILLS,
		      span, nids);
	free(ids);
}

static void
test_stale_temps(void **state)
{
	struct vault *v;
	char p[3][160];
	struct stat st;
	int i, fd;

	(void)state;
	snprintf(p[0], sizeof(p[0]), "%s.tmp.0123456789abcdef", vpath);
	snprintf(p[1], sizeof(p[1]), "%s.baktmp.fedcba9876543210", vpath);
	snprintf(p[2], sizeof(p[2]), "%s.tmp.notours", vpath);
	for (i = 0; i < 3; i++) {
		fd = open(p[i], O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	v = open_key();
	assert_non_null(v);
	assert_int_equal(vault_update(v, noop_cb, NULL), 0);
	vault_close(v);
	assert_int_equal(stat(p[0], &st), -1);
	assert_int_equal(stat(p[1], &st), -1);
	/* Only names of the exact temp pattern are removed. */
	assert_int_equal(stat(p[2], &st), 0);
	unlink(p[2]);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *b;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void
test_no_space(void **state)
{
	struct add a = {"first", 0, {0}};
	struct vault *v;
	uint8_t *before, *after, *bak0, *bak1;
	size_t blen, alen, bk0, bk1;
	char bak[160];
	pid_t pid;
	int st;

	(void)state;
	v = open_key();
	assert_int_equal(vault_update(v, add_cb, &a), 0);
	assert_int_equal(vault_update(v, noop_cb, NULL), 0);
	vault_close(v);
	before = slurp(vpath, &blen);
	snprintf(bak, sizeof(bak), "%s.bak", vpath);
	bak0 = slurp(bak, &bk0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {4096, 4096};
		struct add big = {"big", 200000, {0}};
		int rc;

		signal(SIGXFSZ, SIG_IGN);
		if ((v = open_key()) == NULL)
			_exit(2);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		rc = vault_update(v, add_cb, &big);
		if (rc != MFA_ENOSPC)
			_exit(10);
		/* The view is still the data on disk. */
		if (vault_data(v)->n_entries != 1)
			_exit(11);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	after = slurp(vpath, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	bak1 = slurp(bak, &bk1);
	assert_int_equal(bk0, bk1);
	assert_memory_equal(bak0, bak1, bk0);
	assert_int_equal(count_temps(), 0);
	v = open_key();
	assert_non_null(v);
	assert_int_equal(vault_data(v)->n_entries, 1);
	a.name = "second";
	assert_int_equal(vault_update(v, add_cb, &a), 0);
	assert_int_equal(vault_data(v)->n_entries, 2);
	vault_close(v);
	free(before);
	free(after);
	free(bak0);
	free(bak1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sigkill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_temps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_space, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	/* As mfa's main does: a too-large write fails with EFBIG instead. */
	signal(SIGXFSZ, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
