/*
 * A vault of 100,000 accounts: filled, reopened, queried, one account added
 * and one removed, every secret read back. Each scenario runs in a child
 * process with RLIMIT_MEMLOCK lowered (8 MiB, then 64 KiB) and, when the
 * test runs as root, as user nobody, so mlock is really limited: at 8 MiB
 * every secret is locked, at 64 KiB the refusal is reported.
 *
 * Also a fixture maker for the CLI tests and benchmarks:
 *   test_vault_scale --make PATH N PASSPHRASE   a vault of N accounts
 *   test_vault_scale --secret I                 account I's secret, hex
 *   test_vault_scale --mlock KIB                "refused" when mlock of
 *                     1 MiB fails under that RLIMIT_MEMLOCK, else "locked"
 *                     (root, or a sanitizer whose mlock does nothing)
 * (account I is "user%06d@example.com", issuer "Example").
 */
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "mfa/vault.h"

#define N 100000
#define NOBODY 65534

static const struct vault_kdf tiny = {1, 8192};
static char dir[64];
static char vpath[96];

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
	(void)state;
	strcpy(dir, "/tmp/mfa-vault-scale-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	if (geteuid() == 0 && chown(dir, NOBODY, NOBODY) != 0)
		return -1;
	snprintf(vpath, sizeof(vpath), "%s/vault", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* The scenario reports the first thing that went wrong, or NULL. */
static char why[256];

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			snprintf(why, sizeof(why), __VA_ARGS__);               \
			return why;                                            \
		}                                                              \
	} while (0)

static void
name_of(size_t i, char *buf, size_t n)
{
	snprintf(buf, n, "user%06zu@example.com", i);
}

/* 20 bytes that differ for every i. */
static void
secret_of(size_t i, uint8_t s[20])
{
	size_t k;

	for (k = 0; k < 20; k++)
		s[k] = (uint8_t)(i >> (8 * (k % 4))) ^ (uint8_t)(k * 37 + 11);
}

struct fill {
	size_t from, to;
	int rc;
};

static int
fill_cb(struct vault_data *d, void *arg)
{
	struct fill *f = arg;
	struct vault_entry e;
	uint8_t s[20];
	char name[64];
	size_t i;
	int rc;

	for (i = f->from; i < f->to; i++) {
		name_of(i, name, sizeof(name));
		secret_of(i, s);
		if ((rc = vault_entry_init_in(d, &e, 1000)) != 0 ||
		    (rc = vault_entry_set_str(&e.name, name)) != 0 ||
		    (rc = vault_entry_set_str(&e.issuer, "Example")) != 0 ||
		    (rc = vault_entry_set_secret(&e, s, sizeof(s))) != 0 ||
		    (rc = vault_entry_add(d, &e)) != 0) {
			vault_entry_clear(&e);
			return rc;
		}
	}
	return 0;
}

struct drop {
	char name[64];
};

static int
drop_cb(struct vault_data *d, void *arg)
{
	struct drop *x = arg;
	size_t idx;
	int rc;

	if ((rc = vault_query(d, x->name, &idx, NULL, 0, NULL)) != 0)
		return rc;
	return vault_entry_remove(d, idx, 2000);
}

/* Every entry but `gone` is there with its own secret; `extra` too. */
static const char *
check_all(const struct vault_data *d, size_t gone, size_t extra)
{
	uint8_t s[20];
	char name[64];
	size_t i, idx, seen = 0;
	int rc;

	CHECK(d != NULL, "no data");
	CHECK(d->n_entries == N, "%zu entries, want %d", d->n_entries, N);
	for (i = 0; i < d->n_entries; i++) {
		const struct vault_entry *e = &d->entries[i];
		size_t k;

		CHECK(sscanf(e->name, "user%zu@", &k) == 1, "name %s", e->name);
		CHECK(k != gone, "%s still there", e->name);
		secret_of(k, s);
		CHECK(e->secret_len == 20 && memcmp(e->secret, s, 20) == 0,
		      "%s: wrong secret", e->name);
		seen += k == extra;
	}
	CHECK(seen == 1, "%zu copies of the added account", seen);
	name_of(gone, name, sizeof(name));
	rc = vault_query(d, name, &idx, NULL, 0, NULL);
	CHECK(rc == MFA_ENOTFOUND, "query %s: %s", name, mfa_strerror(rc));
	name_of(extra, name, sizeof(name));
	rc = vault_query(d, name, &idx, NULL, 0, NULL);
	CHECK(rc == 0 && strcmp(d->entries[idx].name, name) == 0,
	      "query %s: %s", name, mfa_strerror(rc));
	CHECK(d->n_tombstones == 1, "%zu tombstones", d->n_tombstones);
	return NULL;
}

static const char *
scenario(void)
{
	struct fill f = {0, N, 0};
	struct drop x;
	struct vault *v;
	uint8_t key[VAULT_KEY_BYTES];
	const char *bad;
	int rc;

	CHECK((rc = vault_create(vpath, "pw", 2, &tiny)) == 0, "create: %s",
	      mfa_strerror(rc));
	CHECK((rc = vault_open(vpath, &v)) == 0, "open: %s", mfa_strerror(rc));
	CHECK((rc = vault_unlock_pass(v, "pw", 2)) == 0, "unlock: %s",
	      mfa_strerror(rc));
	rc = vault_update(v, fill_cb, &f);
	vault_close(v);
	CHECK(rc == 0, "filling %d accounts: %s", N, mfa_strerror(rc));

	/* Reopen: add one, remove one, each a locked read-modify-write. */
	CHECK(vault_open(vpath, &v) == 0, "reopen");
	CHECK((rc = vault_unlock_pass(v, "pw", 2)) == 0, "unlock %d: %s", N,
	      mfa_strerror(rc));
	CHECK(vault_data(v)->n_entries == N, "reopened: %zu entries",
	      vault_data(v)->n_entries);
	memcpy(key, vault_key(v), sizeof(key));
	f.from = N;
	f.to = N + 1;
	rc = vault_update(v, fill_cb, &f);
	CHECK(rc == 0, "add one: %s", mfa_strerror(rc));
	CHECK(vault_data(v)->n_entries == N + 1, "after add: %zu",
	      vault_data(v)->n_entries);
	name_of(4242, x.name, sizeof(x.name));
	rc = vault_update(v, drop_cb, &x);
	CHECK(rc == 0, "remove one: %s", mfa_strerror(rc));
	bad = check_all(vault_data(v), 4242, N);
	vault_close(v);
	if (bad != NULL)
		return bad;

	/* A fresh process view, unlocked with the key alone. */
	CHECK(vault_open(vpath, &v) == 0, "reopen");
	CHECK((rc = vault_unlock_key(v, key)) == 0, "unlock key: %s",
	      mfa_strerror(rc));
	bad = check_all(vault_data(v), 4242, N);
	vault_close(v);
	return bad;
}

/* Returns "locked" / "unlocked" as the scenario found mlock. */
static const char *
scenario_mem(rlim_t limit)
{
	size_t unlocked = vault_mem_unlocked(NULL);

	if (limit >= (8 << 20))
		CHECK(unlocked == 0, "%zu bytes not locked under 8 MiB",
		      unlocked);
#ifndef __SANITIZE_ADDRESS__
	/* ASan's mlock does nothing and never fails. */
	else
		CHECK(unlocked > 0, "64 KiB of mlock held %d accounts?", N);
#endif
	return NULL;
}

/* Runs the scenario in a child with RLIMIT_MEMLOCK at limit bytes. */
static const char *scenario_mem(rlim_t limit);

static void
run_limited(rlim_t limit)
{
	struct rlimit rl = {limit, limit};
	int fd[2], st;
	char msg[256];
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *bad;

		close(fd[0]);
		if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
			_exit(10);
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
		     setuid(NOBODY) != 0))
			_exit(11);
		bad = scenario();
		if (bad == NULL)
			bad = scenario_mem(limit);
		if (bad != NULL && write(fd[1], bad, strlen(bad)) < 0)
			_exit(12);
		_exit(bad != NULL);
	}
	close(fd[1]);
	n = read(fd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("memlock %llu KiB: %s (status %d)",
			 (unsigned long long)limit / 1024, msg, st);
}

static void
test_100k_memlock_8m(void **state)
{
	(void)state;
	run_limited(8 << 20);
}

static void
test_100k_memlock_64k(void **state)
{
	(void)state;
	run_limited(64 << 10);
}

static int
make_vault(const char *path, const char *n, const char *pass)
{
	struct fill f = {0, 0, 0};
	struct vault *v;
	int rc;

	f.to = (size_t)strtoul(n, NULL, 10);
	if ((rc = vault_create(path, pass, strlen(pass), &tiny)) != 0 ||
	    (rc = vault_open(path, &v)) != 0)
		return fprintf(stderr, "%s: %s\n", path, mfa_strerror(rc)), 1;
	if ((rc = vault_unlock_pass(v, pass, strlen(pass))) == 0)
		rc = vault_update(v, fill_cb, &f);
	vault_close(v);
	if (rc != 0)
		return fprintf(stderr, "%s: %s\n", path, mfa_strerror(rc)), 1;
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_100k_memlock_8m, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_100k_memlock_64k, setup,
					    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	if (argc == 5 && strcmp(argv[1], "--make") == 0)
		return make_vault(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "--mlock") == 0) {
		rlim_t kib = (rlim_t)strtoul(argv[2], NULL, 10);
		struct rlimit rl = {kib << 10, kib << 10};
		void *p = malloc(1 << 20);

		if (p == NULL || setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
			return 1;
		printf("%s\n", mlock(p, 1 << 20) != 0 ? "refused" : "locked");
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--secret") == 0) {
		uint8_t sec[20];
		char hex[41];

		secret_of((size_t)strtoul(argv[2], NULL, 10), sec);
		printf("%s\n", sodium_bin2hex(hex, sizeof(hex), sec, 20));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
