/*
 * Unlock cache in the kernel keyring. The key must outlive the process that
 * stored it and be found by another, freshly exec'd process: this binary
 * re-executes itself ("--get PATH" / "--put PATH HEXKEY TTL") for that. It
 * must be out of reach of every other uid, even one that shares the session
 * keyring. The tests run in a session keyring of their own, so they never
 * see or drop another test's keys. Skipped with a message when the keyring
 * is unavailable (containers).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <keyutils.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "mfa/vault.h"

static const struct vault_kdf tiny = {1, 8192};
static char dir[64];
static char vpath[2][96];
static int keyring_ok = -1;
static const char *self = "/proc/self/exe";

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static struct vault *
open_unlocked(const char *path)
{
	struct vault *v = NULL;

	assert_int_equal(vault_open(path, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	return v;
}

static int
setup(void **state)
{
	int i;

	(void)state;
	strcpy(dir, "/tmp/mfa-vault-cache-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(vpath[i], sizeof(vpath[i]), "%s/v%d/vault", dir, i);
		if (vault_create(vpath[i], "pw", 2, &tiny) != 0)
			return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct vault *v;
	int i;

	(void)state;
	for (i = 0; i < 2; i++)
		if (vault_open(vpath[i], &v) == 0) {
			(void)vault_cache_drop(v, NULL);
			vault_close(v);
		}
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/*
 * Whether the kernel keyring takes a key here, probed with keyutils itself,
 * not with cache_put(): a broken cache must fail the tests, not skip them.
 */
static bool
need_keyring(void)
{
	key_serial_t k;

	if (keyring_ok == -1) {
		k = add_key("user", "mfa-test-probe", "x", 1,
			    KEY_SPEC_USER_KEYRING);
		keyring_ok = k >= 0;
		if (k >= 0)
			(void)keyctl_unlink(k, KEY_SPEC_USER_KEYRING);
		else
			print_message("kernel keyring unavailable (%s): "
				      "skipping\n",
				      strerror(errno));
	}
	return keyring_ok == 1;
}

/* Run this binary again; its stdout goes to out (up to cap bytes). */
static int
self_exec(char *const argv[], char *out, size_t cap)
{
	int fd[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(self, argv);
		_exit(127);
	}
	close(fd[1]);
	while (got + 1 < cap && (n = read(fd[0], out + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Exit 0 with the key in hex, 1 when absent, 2 when no keyring. */
static int
child_get(const char *path)
{
	uint8_t key[VAULT_KEY_BYTES];
	char hex[2 * VAULT_KEY_BYTES + 1];
	struct vault *v;
	int rc;

	if (vault_open(path, &v) != 0)
		return 3;
	rc = vault_cache_get(v, key);
	vault_close(v);
	if (rc == MFA_ENOTFOUND)
		return 1;
	if (rc != 0)
		return 2;
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	printf("%s", hex);
	return 0;
}

static int
child_put(const char *path, const char *hex, const char *ttl)
{
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v;
	const char *where;
	size_t n;
	int rc;

	if (sodium_hex2bin(key, sizeof(key), hex, strlen(hex), NULL, &n,
			   NULL) != 0 ||
	    n != sizeof(key))
		return 4;
	if (vault_open(path, &v) != 0)
		return 3;
	if (vault_unlock_key(v, key) != 0) {
		vault_close(v);
		return 5;
	}
	rc = vault_cache_put(v, (unsigned)atoi(ttl), &where);
	vault_close(v);
	if (rc != 0)
		return 2;
	printf("%s", where);
	return 0;
}

static int
get_elsewhere(const char *path, char hex[2 * VAULT_KEY_BYTES + 1])
{
	char *argv[] = {"test_vault_cache", "--get", (char *)path, NULL};
	char out[128];
	int rc = self_exec(argv, out, sizeof(out));

	if (rc == 0) {
		assert_int_equal(strlen(out), 2 * VAULT_KEY_BYTES);
		memcpy(hex, out, 2 * VAULT_KEY_BYTES + 1);
	}
	return rc;
}

static void
key_hex(const struct vault *v, char hex[2 * VAULT_KEY_BYTES + 1])
{
	sodium_bin2hex(hex, 2 * VAULT_KEY_BYTES + 1, vault_key(v),
		       VAULT_KEY_BYTES);
}

static void
test_put_get_drop(void **state)
{
	char want[2 * VAULT_KEY_BYTES + 1], got[2 * VAULT_KEY_BYTES + 1];
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v, *w;
	const char *where = "x";

	(void)state;
	if (!need_keyring())
		skip();
	v = open_unlocked(vpath[0]);
	key_hex(v, want);
	assert_int_equal(vault_cache_get(v, key), MFA_ENOTFOUND);
	assert_int_equal(vault_cache_put(v, 0, &where), 0); /* ttl 0: nothing */
	assert_null(where);
	assert_int_equal(vault_cache_get(v, key), MFA_ENOTFOUND);
	assert_int_equal(vault_cache_put(v, 60, &where), 0);
	assert_non_null(where);
	/* main() gave this process a session keyring of its own. */
	assert_string_equal(where, "session keyring");

	/* Another process finds it, and it unlocks a locked vault. */
	assert_int_equal(get_elsewhere(vpath[0], got), 0);
	assert_string_equal(got, want);
	assert_int_equal(vault_open(vpath[0], &w), 0);
	assert_int_equal(vault_cache_get(w, key), 0);
	assert_int_equal(vault_unlock_key(w, key), 0);
	assert_non_null(vault_data(w));
	vault_close(w);

	where = NULL;
	assert_int_equal(vault_cache_drop(v, &where), 0);
	assert_string_equal(where, "session keyring");
	assert_int_equal(vault_cache_get(v, key), MFA_ENOTFOUND);
	assert_int_equal(get_elsewhere(vpath[0], got), 1);
	/* Nothing left: said so, not "dropped". */
	assert_int_equal(vault_cache_drop(v, &where), MFA_ENOTCACHED);
	assert_string_equal(where, "session keyring");
	vault_close(v);
}

static void
test_outlives_writer(void **state)
{
	char want[2 * VAULT_KEY_BYTES + 1], got[2 * VAULT_KEY_BYTES + 1];
	char out[64];
	char *argv[] = {
	    "test_vault_cache", "--put", vpath[1], want, "60", NULL};
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v;

	(void)state;
	if (!need_keyring())
		skip();
	v = open_unlocked(vpath[1]);
	key_hex(v, want);
	vault_close(v);
	/* Stored by a process that is gone by the time we look. */
	assert_int_equal(self_exec(argv, out, sizeof(out)), 0);
	assert_string_equal(out, "session keyring");
	assert_int_equal(get_elsewhere(vpath[1], got), 0);
	assert_string_equal(got, want);
	assert_int_equal(vault_open(vpath[1], &v), 0);
	assert_int_equal(vault_cache_get(v, key), 0);
	sodium_bin2hex(got, sizeof(got), key, sizeof(key));
	assert_string_equal(got, want);
	assert_int_equal(vault_cache_drop(v, NULL), 0);
	vault_close(v);
}

static void
test_two_vaults(void **state)
{
	uint8_t k0[VAULT_KEY_BYTES], k1[VAULT_KEY_BYTES];
	struct vault *v0, *v1;

	(void)state;
	if (!need_keyring())
		skip();
	v0 = open_unlocked(vpath[0]);
	v1 = open_unlocked(vpath[1]);
	assert_memory_not_equal(vault_key(v0), vault_key(v1), VAULT_KEY_BYTES);
	assert_int_equal(vault_cache_put(v0, 60, NULL), 0);
	assert_int_equal(vault_cache_get(v1, k1), MFA_ENOTFOUND);
	assert_int_equal(vault_cache_put(v1, 60, NULL), 0);
	assert_int_equal(vault_cache_get(v0, k0), 0);
	assert_int_equal(vault_cache_get(v1, k1), 0);
	assert_memory_equal(k0, vault_key(v0), VAULT_KEY_BYTES);
	assert_memory_equal(k1, vault_key(v1), VAULT_KEY_BYTES);
	assert_int_equal(vault_cache_drop(v0, NULL), 0);
	assert_int_equal(vault_cache_get(v0, k0), MFA_ENOTFOUND);
	assert_int_equal(vault_cache_get(v1, k1), 0);
	assert_int_equal(vault_cache_drop(v1, NULL), 0);
	vault_close(v0);
	vault_close(v1);
}

/* The description of this vault's key, as man/mfa-vault.5 states it. */
static void
desc_of(const struct vault *v, const char *path, char desc[64])
{
	crypto_generichash_state st;
	uint8_t h[16];
	char *real = realpath(path, NULL);

	assert_non_null(real);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, vault_uuid(v), VAULT_ID_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)real, strlen(real));
	crypto_generichash_final(&st, h, sizeof(h));
	strcpy(desc, "mfa:vault:");
	sodium_bin2hex(desc + 10, 33, h, sizeof(h));
	free(real);
}

/* The id of the keyring "mfa:cache:<uid>" linked directly in ring, or 0. */
static key_serial_t
box_in(key_serial_t ring, char **info)
{
	key_serial_t *ids = NULL, box = 0;
	char want[48], *d = NULL;
	long len, i;

	snprintf(want, sizeof(want), ";mfa:cache:%lu",
		 (unsigned long)geteuid());
	len = keyctl_read_alloc(ring, (void **)&ids);
	assert_true(len >= 0);
	for (i = 0; i < len / (long)sizeof(key_serial_t) && box == 0; i++) {
		if (keyctl_describe_alloc(ids[i], &d) < 0)
			continue;
		if (strncmp(d, "keyring;", 8) == 0 &&
		    strlen(d) > strlen(want) &&
		    strcmp(d + strlen(d) - strlen(want), want) == 0) {
			box = ids[i];
			*info = d;
			d = NULL;
		}
		free(d);
		d = NULL;
	}
	free(ids);
	return box;
}

/* Description and permissions of the key and of its keyring, as
 * man/mfa-vault.5 states them. */
static void
test_description(void **state)
{
	char desc[64], *info = NULL, *binfo = NULL, want[64];
	struct vault *v;
	key_serial_t ring, box;
	long id;

	(void)state;
	if (!need_keyring())
		skip();
	v = open_unlocked(vpath[0]);
	assert_int_equal(vault_cache_put(v, 60, NULL), 0);
	desc_of(v, vpath[0], desc);
	ring = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0);
	assert_true(ring > 0);
	/* Not in the session keyring itself: in our keyring inside it. */
	assert_true(keyctl_search(ring, "user", desc, 0) > 0);
	box = box_in(ring, &binfo);
	assert_true(box > 0);
	/* "keyring;uid;gid;perm;name": our uid only, no possessor bits. */
	snprintf(want, sizeof(want), "keyring;%lu;", (unsigned long)geteuid());
	assert_int_equal(strncmp(binfo, want, strlen(want)), 0);
	assert_non_null(strstr(binfo, ";002f0000;mfa:cache:"));
	id = keyctl_search(box, "user", desc, 0);
	assert_true(id > 0);
	assert_true(keyctl_describe_alloc((key_serial_t)id, &info) > 0);
	/* "type;uid;gid;perm;description": possessor all, user view. */
	assert_non_null(strstr(info, ";3f010000;mfa:vault:"));
	free(info);
	free(binfo);
	assert_int_equal(vault_cache_drop(v, NULL), 0);
	assert_true(keyctl_search(ring, "user", desc, 0) < 0);
	vault_close(v);
}

/*
 * Another uid that shares this session keyring (as after su, setpriv or a
 * sudo without pam_keyinit) can neither read the key by its id nor find
 * it: the child runs as nobody.
 */
static void
test_other_uid(void **state)
{
	char desc[64];
	struct vault *v;
	long id;
	int st;
	pid_t pid;

	(void)state;
	if (!need_keyring())
		skip();
	if (geteuid() != 0) {
		print_message("not root: cannot become another uid\n");
		skip();
	}
	v = open_unlocked(vpath[0]);
	assert_int_equal(vault_cache_put(v, 60, NULL), 0);
	desc_of(v, vpath[0], desc);
	id = keyctl_search(KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
	assert_true(id > 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[64];

		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0)
			_exit(10);
		if (keyctl_read((key_serial_t)id, buf, sizeof(buf)) >= 0)
			_exit(11); /* read by id */
		if (keyctl_search(KEY_SPEC_SESSION_KEYRING, "user", desc, 0) >=
		    0)
			_exit(12); /* found by a search */
		if (keyctl_invalidate((key_serial_t)id) == 0)
			_exit(13);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* Still there for us. */
	assert_int_equal(vault_cache_drop(v, NULL), 0);
	vault_close(v);
}

/*
 * A keyring of our name planted in the session keyring with other
 * permissions (as another uid sharing it could) is never used: the key
 * goes into a keyring of ours, which replaces it.
 */
static void
test_impostor(void **state)
{
	key_serial_t ring, fake, *ids = NULL;
	uint8_t key[VAULT_KEY_BYTES];
	char name[48], *binfo = NULL;
	struct vault *v;
	long len;

	(void)state;
	if (!need_keyring())
		skip();
	ring = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0);
	snprintf(name, sizeof(name), "mfa:cache:%lu", (unsigned long)geteuid());
	fake = add_key("keyring", name, NULL, 0, ring);
	assert_true(fake > 0);
	assert_int_equal(
	    keyctl_setperm(fake, KEY_POS_ALL | KEY_USR_ALL | KEY_OTH_ALL), 0);
	v = open_unlocked(vpath[0]);
	/* Not ours: nothing is read from it ... */
	assert_int_equal(vault_cache_get(v, key), MFA_ENOTFOUND);
	assert_int_equal(vault_cache_put(v, 60, NULL), 0);
	/* ... and nothing is put into it. */
	len = keyctl_read_alloc(fake, (void **)&ids);
	assert_int_equal(len, 0);
	free(ids);
	assert_true(box_in(ring, &binfo) != fake);
	assert_non_null(strstr(binfo, ";002f0000;"));
	free(binfo);
	assert_int_equal(vault_cache_get(v, key), 0);
	assert_memory_equal(key, vault_key(v), VAULT_KEY_BYTES);
	assert_int_equal(vault_cache_drop(v, NULL), 0);
	(void)keyctl_unlink(fake, ring);
	vault_close(v);
}

/*
 * --all: every key of every vault, from the session and user-session
 * keyrings, then nothing left to drop. The user-session keyring is shared by
 * every process of the uid, so as root this runs as a uid of its own
 * (other tests' keys are neither counted nor dropped).
 */
static int
drop_all_child(void)
{
	char d[64], p[2][96];
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v[2];
	const char *where = NULL;
	unsigned n = 99;
	bool lent;
	int i;

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) != 0 || setgid(4243) != 0 || setuid(4243) != 0))
		return 10;
	/* Without a session keyring of its own, the kernel lends this
	 * process the user-session keyring. */
	lent = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0) ==
	       keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0);
	strcpy(d, "/tmp/mfa-vault-cache-all-XXXXXX");
	if (mkdtemp(d) == NULL)
		return 12;
	(void)vault_cache_drop_all(&n); /* a run killed before */
	for (i = 0; i < 2; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/v%d", d, i);
		if (vault_create(p[i], "pw", 2, &tiny) != 0 ||
		    vault_open(p[i], &v[i]) != 0 ||
		    vault_unlock_pass(v[i], "pw", 2) != 0)
			return 13;
	}
	/* One in the user-session keyring when this process has none of its
	 * own, then one in a session keyring of its own. */
	if (lent && vault_cache_put(v[1], 60, &where) != 0)
		return 14;
	if (lent && strcmp(where, "user-session keyring") != 0)
		return 19;
	if (keyctl_join_session_keyring(NULL) < 0 ||
	    vault_cache_put(v[0], 60, &where) != 0)
		return 15;
	if (strcmp(where, "session keyring") != 0)
		return 19;
	if (vault_cache_drop_all(&n) != 0 || n != (lent ? 2u : 1u))
		return 20 + (int)(n > 9 ? 9 : n);
	if (vault_cache_get(v[0], key) != MFA_ENOTFOUND ||
	    vault_cache_get(v[1], key) != MFA_ENOTFOUND)
		return 16;
	if (vault_cache_drop_all(&n) != MFA_ENOTCACHED || n != 0)
		return 17;
	/* And a put afterwards works again. */
	if (vault_cache_put(v[0], 60, NULL) != 0 ||
	    vault_cache_get(v[0], key) != 0 ||
	    vault_cache_drop(v[0], NULL) != 0)
		return 18;
	for (i = 0; i < 2; i++) {
		vault_close(v[i]);
		unlink(p[i]);
		strcat(p[i], ".lock");
		unlink(p[i]);
	}
	rmdir(d);
	return 0;
}

static void
test_drop_all(void **state)
{
	int st;
	pid_t pid;

	(void)state;
	if (!need_keyring())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(drop_all_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_ttl(void **state)
{
	uint8_t key[VAULT_KEY_BYTES];
	char got[2 * VAULT_KEY_BYTES + 1];
	struct vault *v;
	int i, rc = 0;

	(void)state;
	if (!need_keyring())
		skip();
	v = open_unlocked(vpath[0]);
	assert_int_equal(vault_cache_put(v, 1, NULL), 0);
	/* Eventually gone, as the kernel expires it; no timing asserted. */
	for (i = 0; i < 40; i++) {
		if ((rc = vault_cache_get(v, key)) == MFA_ENOTFOUND)
			break;
		assert_int_equal(rc, 0);
		usleep(100000);
	}
	assert_int_equal(rc, MFA_ENOTFOUND);
	assert_int_equal(get_elsewhere(vpath[0], got), 1);
	vault_close(v);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_put_get_drop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outlives_writer, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_two_vaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_description, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_uid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_impostor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drop_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ttl, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	/* Under valgrind /proc/self/exe is valgrind itself: use argv[0]. */
	if (argc > 0 && strchr(argv[0], '/') != NULL)
		self = argv[0];
	if (argc == 3 && strcmp(argv[1], "--get") == 0)
		return child_get(argv[2]);
	if (argc == 5 && strcmp(argv[1], "--put") == 0)
		return child_put(argv[2], argv[3], argv[4]);
	/* A session keyring of our own: other tests' keys stay out of
	 * sight and out of reach of --all. Failing, the tests skip. */
	(void)keyctl_join_session_keyring(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
