/*
 * Vault format: round trips, tamper detection, versioning, permissions,
 * the entries/kv/query API, and an independent reader written from
 * man/mfa-vault.5 (libsodium only, none of src/vault) that decrypts what
 * the vault writes and writes what the vault must read.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "mfa/vault.h"

static const struct vault_kdf tiny = {1, 8192};
static char dir[64];
static char vpath[160]; /* dir/sub/vault: create makes "sub" */
static char vdir[96];

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
	strcpy(dir, "/tmp/mfa-vault-fmt-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(vdir, sizeof(vdir), "%s/sub", dir);
	snprintf(vpath, sizeof(vpath), "%s/vault", vdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	chmod(dir, 0700);
	chmod(vdir, 0700);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static uint8_t *
slurp(const char *p, size_t *len)
{
	struct stat st;
	uint8_t *b;
	int fd = open(p, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void
spew(const char *p, const uint8_t *b, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	if (len > 0)
		assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
}

static struct vault *
open_unlocked(const char *pass)
{
	struct vault *v = NULL;

	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, pass, strlen(pass)), 0);
	return v;
}

/* --- building entries --- */

struct spec {
	const char *name, *issuer, *serial, *note;
	enum otp_type type;
	enum otp_hash hash;
	unsigned digits;
	uint64_t period, counter, last_step;
	int64_t t0, created, updated;
	uint8_t secret[40];
	size_t secret_len;
};

static const struct spec specs[] = {
    {"alice@example.com", "Example Co", "arn:aws:iam::123456789012:mfa/alice",
     "first note", OTP_HOTP, OTP_SHA512, 8, 60, 123456789012ULL, 0, -5, 1111,
     2222, "12345678901234567890", 20},
    {"steam-user", "Steam", "", "", OTP_STEAM, OTP_SHA1, 5, 30, 0, 0, 0, 10, 20,
     "\x01\x00\x02\x00\xff", 5},
    {"root", "", "arn:aws:iam::000000000000:mfa/root", "aws\nroot", OTP_TOTP,
     OTP_SHA256, 6, 30, 0, 56789, 0, 1700000000, 1700000001,
     "abcdefghijklmnopqrstuvwxyz0123456789ABCD", 40},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static void
entry_from(const struct spec *s, struct vault_entry *e)
{
	assert_int_equal(vault_entry_init(e, 42), 0);
	assert_int_equal(vault_entry_set_str(&e->name, s->name), 0);
	assert_int_equal(vault_entry_set_str(&e->issuer, s->issuer), 0);
	assert_int_equal(vault_entry_set_str(&e->serial, s->serial), 0);
	assert_int_equal(vault_entry_set_str(&e->note, s->note), 0);
	assert_int_equal(vault_entry_set_secret(e, s->secret, s->secret_len),
			 0);
	e->p.type = s->type;
	e->p.hash = s->hash;
	e->p.digits = s->digits;
	e->p.period = s->period;
	e->p.t0 = s->t0;
	e->p.counter = s->counter;
	e->created = s->created;
	e->updated = s->updated;
	e->last_step = s->last_step;
}

static void
entry_check(const struct vault_entry *e, const struct spec *s)
{
	assert_string_equal(e->name, s->name);
	assert_string_equal(e->issuer, s->issuer);
	assert_string_equal(e->serial, s->serial);
	assert_string_equal(e->note, s->note);
	assert_int_equal(e->p.type, s->type);
	assert_int_equal(e->p.hash, s->hash);
	assert_int_equal(e->p.digits, s->digits);
	assert_true(e->p.period == s->period);
	assert_true(e->p.t0 == s->t0);
	assert_true(e->p.counter == s->counter);
	assert_true(e->created == s->created);
	assert_true(e->updated == s->updated);
	assert_true(e->last_step == s->last_step);
	assert_int_equal(e->secret_len, s->secret_len);
	assert_memory_equal(e->secret, s->secret, s->secret_len);
}

struct fill {
	uint8_t ids[NSPECS + 1][VAULT_ID_BYTES];
	uint8_t gone[VAULT_ID_BYTES];
};

/* Adds every spec plus one entry that is then removed (a tombstone). */
static int
fill_cb(struct vault_data *d, void *arg)
{
	struct fill *f = arg;
	struct vault_entry e;
	size_t i;

	for (i = 0; i < NSPECS; i++) {
		entry_from(&specs[i], &e);
		memcpy(f->ids[i], e.id, VAULT_ID_BYTES);
		assert_int_equal(vault_entry_add(d, &e), 0);
	}
	entry_from(&specs[0], &e);
	assert_int_equal(vault_entry_set_str(&e.name, "doomed"), 0);
	memcpy(f->gone, e.id, VAULT_ID_BYTES);
	assert_int_equal(vault_entry_add(d, &e), 0);
	assert_int_equal(vault_entry_remove(d, d->n_entries - 1, 777), 0);
	assert_int_equal(vault_kv_set(d, "aws-session:x", (const uint8_t *)"v1",
				      2, INT64_MAX),
			 0);
	assert_int_equal(vault_kv_set(d, "old", (const uint8_t *)"gone", 4, 5),
			 0);
	assert_int_equal(vault_kv_set(d, "empty", NULL, 0, INT64_MAX - 1), 0);
	return 0;
}

static void
data_check(const struct vault_data *d, const struct fill *f)
{
	const struct vault_kv *kv;
	size_t i;
	long at;

	assert_non_null(d);
	assert_int_equal(d->n_entries, NSPECS);
	for (i = 0; i < NSPECS; i++) {
		at = vault_entry_find_id(d, f->ids[i]);
		assert_true(at >= 0);
		entry_check(&d->entries[at], &specs[i]);
	}
	assert_int_equal(vault_entry_find_id(d, f->gone), -1);
	assert_int_equal(d->n_tombstones, 1);
	assert_memory_equal(d->tombstones[0].id, f->gone, VAULT_ID_BYTES);
	assert_true(d->tombstones[0].deleted == 777);
	/* The expired record was dropped on save, not just hidden. */
	assert_int_equal(d->n_kv, 2);
	kv = vault_kv_get(d, "aws-session:x", time(NULL));
	assert_non_null(kv);
	assert_int_equal(kv->value_len, 2);
	assert_memory_equal(kv->value, "v1", 2);
	assert_true(kv->expires == INT64_MAX);
	kv = vault_kv_get(d, "empty", time(NULL));
	assert_non_null(kv);
	assert_int_equal(kv->value_len, 0);
	assert_null(vault_kv_get(d, "old", 0));
}

static int
noop_cb(struct vault_data *d, void *arg)
{
	(void)d;
	(void)arg;
	return 0;
}

static int
fail_cb(struct vault_data *d, void *arg)
{
	struct vault_entry e;

	(void)arg;
	entry_from(&specs[0], &e);
	assert_int_equal(vault_entry_add(d, &e), 0);
	return MFA_ECANCELED;
}

static void
test_round_trip(void **state)
{
	struct vault *v;
	struct fill f;
	struct stat st;
	uint8_t key[VAULT_KEY_BYTES], uuid[VAULT_ID_BYTES];
	uint8_t *before, *after;
	size_t blen, alen;
	char bak[200], lock[200];

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	assert_int_equal(stat(vdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(vpath, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), MFA_EEXIST);

	v = open_unlocked("pw");
	assert_string_equal(vault_path(v), vpath);
	assert_int_equal(vault_data(v)->n_entries, 0);
	memcpy(uuid, vault_uuid(v), sizeof(uuid));
	memcpy(key, vault_key(v), sizeof(key));
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	/* The in-memory view is the saved data. */
	data_check(vault_data(v), &f);
	assert_memory_equal(vault_uuid(v), uuid, sizeof(uuid));

	/* A failing edit writes nothing and keeps the view. */
	before = slurp(vpath, &blen);
	assert_int_equal(vault_update(v, fail_cb, NULL), MFA_ECANCELED);
	after = slurp(vpath, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	data_check(vault_data(v), &f);
	free(before);
	free(after);
	vault_close(v);

	v = open_unlocked("pw");
	data_check(vault_data(v), &f);
	assert_memory_equal(vault_uuid(v), uuid, sizeof(uuid));
	assert_memory_equal(vault_key(v), key, sizeof(key));
	vault_close(v);

	/* The cached key unlocks alone. */
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_null(vault_data(v));
	assert_null(vault_key(v));
	assert_int_equal(vault_update(v, noop_cb, NULL), MFA_EINVAL);
	assert_int_equal(vault_unlock_key(v, key), 0);
	data_check(vault_data(v), &f);
	vault_close(v);

	/* The previous version (empty) is PATH.bak; the lock file is 0600. */
	snprintf(bak, sizeof(bak), "%s.bak", vpath);
	snprintf(lock, sizeof(lock), "%s.lock", vpath);
	assert_int_equal(stat(lock, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(bak, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(vault_open(bak, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	assert_int_equal(vault_data(v)->n_entries, 0);
	vault_close(v);
}

static void
test_passwd(void **state)
{
	static const struct vault_kdf costly = {3, 16384};
	struct vault *v;
	struct fill f;
	uint8_t key[VAULT_KEY_BYTES], uuid[VAULT_ID_BYTES];
	struct vault_kdf bad = {1001, 0}, k, lower = {2, 0}, one = {4, 0};
	uint8_t *before, *after;
	size_t blen, alen;

	(void)state;
	assert_int_equal(vault_create(vpath, "old pass", 8, &costly), 0);
	v = open_unlocked("old pass");
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	memcpy(key, vault_key(v), sizeof(key));
	memcpy(uuid, vault_uuid(v), sizeof(uuid));
	assert_int_equal(vault_passwd(v, "new pass", 8, &bad, 0, NULL),
			 MFA_EINVAL);
	/* Lowering the cost takes the flag that says so, and writes nothing
	 * without it. */
	before = slurp(vpath, &blen);
	assert_int_equal(vault_kdf_resolve(v, &lower, 0, &k), MFA_EKDF_LOWER);
	assert_int_equal(vault_passwd(v, "new pass", 8, &lower, 0, NULL),
			 MFA_EKDF_LOWER);
	assert_int_equal(vault_passwd(v, "new pass", 8, &tiny, 0, NULL),
			 MFA_EKDF_LOWER);
	after = slurp(vpath, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(before);
	free(after);
	/* No cost given: the current one is kept. */
	assert_int_equal(vault_kdf_resolve(v, NULL, 0, &k), 0);
	assert_true(k.ops == 3 && k.mem == 16384);
	assert_int_equal(vault_passwd(v, "new pass", 8, NULL, 0, NULL), 0);
	data_check(vault_data(v), &f);
	/* A new vault key, the same id. */
	assert_memory_not_equal(vault_key(v), key, sizeof(key));
	assert_memory_equal(vault_uuid(v), uuid, sizeof(uuid));
	memcpy(key, vault_key(v), sizeof(key));
	vault_close(v);

	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "old pass", 8), MFA_EVAULT_AUTH);
	assert_null(vault_data(v));
	assert_int_equal(vault_unlock_pass(v, "new pass", 8), 0);
	assert_memory_equal(vault_key(v), key, sizeof(key));
	data_check(vault_data(v), &f);
	assert_int_equal(vault_kdf_resolve(v, NULL, 0, &k), 0);
	assert_true(k.ops == 3 && k.mem == 16384);
	/* One field given, the other kept. */
	assert_int_equal(vault_passwd(v, "pw 3", 4, &one, 0, NULL), 0);
	assert_int_equal(vault_kdf_resolve(v, NULL, 0, &k), 0);
	assert_true(k.ops == 4 && k.mem == 16384);
	/* Lower with the flag. */
	assert_int_equal(
	    vault_passwd(v, "pw 4", 4, &tiny, VAULT_KDF_WEAKER, NULL), 0);
	assert_int_equal(vault_kdf_resolve(v, NULL, 0, &k), 0);
	assert_true(k.ops == tiny.ops && k.mem == tiny.mem);
	vault_close(v);
	v = open_unlocked("pw 4");
	data_check(vault_data(v), &f);
	vault_close(v);
}

static void
test_wrong_pass_and_missing(void **state)
{
	struct vault *v = NULL;
	char p[200];

	(void)state;
	assert_int_equal(vault_open(vpath, &v), MFA_ENOVAULT);
	assert_null(v);
	snprintf(p, sizeof(p), "%s/nodir/vault", dir);
	assert_int_equal(vault_open(p, &v), MFA_ENOVAULT);
	assert_int_equal(vault_create(vpath, "right", 5, &tiny), 0);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "wrong", 5), MFA_EVAULT_AUTH);
	assert_int_equal(vault_unlock_pass(v, "righ", 4), MFA_EVAULT_AUTH);
	assert_int_equal(vault_unlock_pass(v, "", 0), MFA_EVAULT_AUTH);
	assert_null(vault_data(v));
	assert_int_equal(vault_unlock_pass(v, "right", 5), 0);
	vault_close(v);
}

/* A small vault with one entry; its bytes and key. */
static uint8_t *
small_vault(size_t *len, uint8_t key[VAULT_KEY_BYTES])
{
	struct vault *v;
	struct fill f;

	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	memcpy(key, vault_key(v), VAULT_KEY_BYTES);
	vault_close(v);
	return slurp(vpath, len);
}

static void
test_every_byte(void **state)
{
	static const uint8_t masks[] = {0x01, 0xff};
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v;
	uint8_t *orig, *mod;
	size_t len, i, m, opened = 0;
	int rc;

	(void)state;
	orig = small_vault(&len, key);
	mod = malloc(len);
	for (i = 0; i < len; i++) {
		for (m = 0; m < sizeof(masks); m++) {
			memcpy(mod, orig, len);
			mod[i] ^= masks[m];
			spew(vpath, mod, len);
			rc = vault_open(vpath, &v);
			if (rc != 0) {
				assert_true(rc == MFA_EVAULT_CORRUPT ||
					    rc == MFA_EVAULT_MAGIC ||
					    rc == MFA_EVAULT_VERSION);
				continue;
			}
			opened++;
			rc = vault_unlock_key(v, key);
			if (rc == 0)
				fail_msg("byte %zu ^ 0x%02x accepted (key)", i,
					 masks[m]);
			assert_null(vault_data(v));
			/*
			 * 0xff on a KDF cost byte may ask for ~4 GiB, which is
			 * within the limit; the passphrase path gets the
			 * one-bit changes only.
			 */
			if (masks[m] == 0x01) {
				rc = vault_unlock_pass(v, "pw", 2);
				if (rc == 0)
					fail_msg("byte %zu ^ 0x01 accepted "
						 "(passphrase)",
						 i);
			}
			vault_close(v);
		}
	}
	/* Most changes reach the AEAD check rather than the parser. */
	assert_true(opened > len);
	spew(vpath, orig, len);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_key(v, key), 0);
	vault_close(v);
	free(mod);
	free(orig);
}

static void
test_truncated(void **state)
{
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v;
	uint8_t *orig, *more;
	size_t len, i;

	(void)state;
	orig = small_vault(&len, key);
	for (i = 0; i < len; i++) {
		spew(vpath, orig, i);
		v = NULL;
		assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_CORRUPT);
		assert_null(v);
	}
	more = malloc(len + 1);
	memcpy(more, orig, len);
	more[len] = 0;
	spew(vpath, more, len + 1);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_CORRUPT);
	free(more);
	free(orig);
}

static void
test_version_magic(void **state)
{
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v;
	uint8_t *orig;
	size_t len;
	static const char text[] = "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n";

	(void)state;
	orig = small_vault(&len, key);
	/* Binary from the first bytes: a NUL within the 8-byte magic. */
	assert_memory_equal(orig, "\x89MFAV\0\r\n", 8);
	assert_int_equal(orig[8] | orig[9] << 8, 1);

	orig[8] = 2;
	spew(vpath, orig, len);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_VERSION);
	orig[8] = 0xff;
	orig[9] = 0xff;
	spew(vpath, orig, len);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_VERSION);
	/* Newer versions are refused on their version bytes alone. */
	spew(vpath, orig, 10);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_VERSION);
	orig[8] = 1;
	orig[9] = 0;
	orig[1] = 'X';
	spew(vpath, orig, len);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_MAGIC);
	spew(vpath, (const uint8_t *)text, sizeof(text) - 1);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_MAGIC);
	free(orig);
}

static void
test_no_plaintext(void **state)
{
	uint8_t key[VAULT_KEY_BYTES];
	uint8_t *b;
	size_t len, i;
	char bak[200];

	(void)state;
	b = small_vault(&len, key);
	for (i = 0; i < 2; i++) {
		size_t k;

		for (k = 0; k < NSPECS; k++) {
			const struct spec *s = &specs[k];

			assert_null(memmem(b, len, s->secret, s->secret_len));
			assert_null(memmem(b, len, s->name, strlen(s->name)));
			if (*s->issuer)
				assert_null(memmem(b, len, s->issuer,
						   strlen(s->issuer)));
			if (*s->serial)
				assert_null(memmem(b, len, s->serial,
						   strlen(s->serial)));
		}
		assert_null(memmem(b, len, "aws-session", 11));
		free(b);
		if (i == 0) {
			snprintf(bak, sizeof(bak), "%s.bak", vpath);
			b = slurp(bak, &len);
		}
	}
}

static void
test_padding(void **state)
{
	struct vault *v;
	struct fill f;
	uint8_t *b;
	size_t len0, len1;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	free(slurp(vpath, &len0));
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	vault_close(v);
	b = slurp(vpath, &len1);
	/* A few accounts fit in the first KiB: the size gives nothing away. */
	assert_int_equal(len0, len1);
	free(b);
}

static void
test_perms(void **state)
{
	struct vault *v, *w;
	char p[200];

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");

	assert_int_equal(chmod(vpath, 0620), 0);
	assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_PERM);
	assert_int_equal(vault_update(v, noop_cb, NULL), MFA_EVAULT_PERM);
	assert_int_equal(chmod(vpath, 0602), 0);
	assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_PERM);
	/* Readable by others: refused too, and the fix named. */
	assert_int_equal(chmod(vpath, 0644), 0);
	assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_READABLE);
	assert_int_equal(vault_update(v, noop_cb, NULL), MFA_EVAULT_READABLE);
	{
		char fix[256], want[256], *real = realpath(vpath, NULL);

		assert_int_equal(vault_perm_fix(vpath, fix, sizeof(fix)), 0);
		snprintf(want, sizeof(want), "chmod 600 %s", real);
		assert_string_equal(fix, want);
		free(real);
	}
	assert_int_equal(chmod(vpath, 0640), 0);
	assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_READABLE);
	assert_int_equal(chmod(vpath, 0604), 0);
	assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_READABLE);
	assert_int_equal(chmod(vpath, 0400), 0); /* read-only for us: fine */
	vault_close(open_unlocked("pw"));
	assert_int_equal(chmod(vpath, 0600), 0);
	vault_close(open_unlocked("pw"));

	assert_int_equal(chmod(vdir, 0770), 0);
	assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_PERM);
	{
		char fix[256], want[256], *real = realpath(vdir, NULL);

		assert_int_equal(vault_perm_fix(vpath, fix, sizeof(fix)), 0);
		snprintf(want, sizeof(want), "chmod go-w %s", real);
		assert_string_equal(fix, want);
		free(real);
	}
	assert_int_equal(vault_update(v, noop_cb, NULL), MFA_EVAULT_PERM);
	snprintf(p, sizeof(p), "%s/other", vdir);
	assert_int_equal(vault_create(p, "pw", 2, &tiny), MFA_EVAULT_PERM);
	assert_int_equal(chmod(vdir, 0757), 0);
	assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_PERM);
	assert_int_equal(chmod(vdir, 0700), 0);
	assert_int_equal(vault_update(v, noop_cb, NULL), 0);

	/* Owned by someone else: needs root to set up. */
	if (geteuid() == 0) {
		assert_int_equal(chown(vpath, 4242, 4242), 0);
		assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_PERM);
		assert_int_equal(chown(vpath, 0, 0), 0);
		assert_int_equal(chown(vdir, 4242, 4242), 0);
		assert_int_equal(vault_open(vpath, &w), MFA_EVAULT_PERM);
		assert_int_equal(chown(vdir, 0, 0), 0);
	}
	vault_close(v);
}

static void
test_symlink_and_size(void **state)
{
	struct vault *v;
	struct fill f;
	struct stat st;
	char link[200], big[200];
	int fd;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(vpath, link), 0);
	assert_int_equal(vault_open(link, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	vault_close(v);
	/* The link still points at the real file, which was updated. */
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	v = open_unlocked("pw");
	data_check(vault_data(v), &f);
	vault_close(v);

	snprintf(big, sizeof(big), "%s/big", vdir);
	fd = open(big, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x89MFAV\0\r\n\1\0", 10), 10);
	assert_int_equal(ftruncate(fd, (off_t)65 << 20), 0);
	close(fd);
	assert_int_equal(vault_open(big, &v), MFA_ETOOBIG);
}

static void
test_kdf(void **state)
{
	struct vault_kdf k, huge = {1, 8ULL << 30}, zero = {0, 8192};
	struct vault_kdf many = {1001, 8192}, work = {17, 4ULL << 30};

	(void)state;
	vault_kdf_default(&k);
	assert_true(k.ops == crypto_pwhash_argon2id_OPSLIMIT_MODERATE);
	assert_true(k.mem == crypto_pwhash_argon2id_MEMLIMIT_MODERATE);
	assert_false(vault_kdf_weak(&k));
	k.ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
	k.mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
	assert_false(vault_kdf_weak(&k));
	k.mem--;
	assert_true(vault_kdf_weak(&k));
	assert_true(vault_kdf_weak(&tiny));
	assert_int_equal(vault_create(vpath, "pw", 2, &huge), MFA_EINVAL);
	assert_int_equal(vault_create(vpath, "pw", 2, &zero), MFA_EINVAL);
	assert_int_equal(vault_create(vpath, "pw", 2, &many), MFA_EINVAL);
	assert_int_equal(vault_create(vpath, "pw", 2, &work), MFA_EINVAL);
	assert_int_equal(access(vpath, F_OK), -1);
}

static void
test_default_path(void **state)
{
	char *p;
	const char *home = getenv("HOME");
	char *save_home = home ? strdup(home) : NULL;

	(void)state;
	setenv("MFA_VAULT", "/x/y/v", 1);
	setenv("XDG_DATA_HOME", "/data", 1);
	p = vault_default_path();
	assert_string_equal(p, "/x/y/v");
	free(p);
	unsetenv("MFA_VAULT");
	p = vault_default_path();
	assert_string_equal(p, "/data/mfa/vault");
	free(p);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/someone", 1);
	p = vault_default_path();
	assert_string_equal(p, "/home/someone/.local/share/mfa/vault");
	free(p);
	if (save_home) {
		setenv("HOME", save_home, 1);
		free(save_home);
	}
}

static void
test_entries_api(void **state)
{
	struct vault_data d;
	struct vault_entry e, e2;
	const struct vault_kv *kv;
	uint8_t id[VAULT_ID_BYTES];

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(vault_entry_init(&e, 1234), 0);
	assert_int_equal(vault_entry_init(&e2, 1234), 0);
	assert_memory_not_equal(e.id, e2.id, VAULT_ID_BYTES);
	assert_string_equal(e.name, "");
	assert_string_equal(e.issuer, "");
	assert_string_equal(e.serial, "");
	assert_string_equal(e.note, "");
	assert_int_equal(e.p.type, OTP_TOTP);
	assert_int_equal(e.p.hash, OTP_SHA1);
	assert_int_equal(e.p.digits, 6);
	assert_true(e.p.period == 30);
	assert_true(e.created == 1234 && e.updated == 1234);
	assert_null(e.secret);
	assert_int_equal(vault_entry_set_secret(&e, (const uint8_t *)"", 0),
			 MFA_ESECRET_EMPTY);
	/* No secret yet: not a valid account. */
	assert_int_equal(vault_entry_add(&d, &e), MFA_EINVAL);
	assert_int_equal(vault_entry_set_secret(&e, (const uint8_t *)"k", 1),
			 0);
	assert_int_equal(vault_entry_set_secret(&e, (const uint8_t *)"key", 3),
			 0);
	assert_int_equal(e.secret_len, 3);
	assert_int_equal(vault_entry_set_str(&e.name, "n"), 0);
	memcpy(id, e.id, sizeof(id));
	assert_int_equal(vault_entry_add(&d, &e), 0);
	/* Ownership moved: the caller's struct is empty. */
	assert_null(e.name);
	assert_null(e.secret);
	assert_int_equal(d.n_entries, 1);
	assert_int_equal(vault_entry_find_id(&d, id), 0);
	assert_memory_equal(d.entries[0].secret, "key", 3);

	memcpy(e2.id, id, sizeof(id));
	assert_int_equal(vault_entry_set_secret(&e2, (const uint8_t *)"z", 1),
			 0);
	assert_int_equal(vault_entry_add(&d, &e2), MFA_EEXIST);
	vault_entry_clear(&e2);
	assert_null(e2.name);

	assert_int_equal(vault_entry_remove(&d, 1, 99), MFA_EINVAL);
	assert_int_equal(vault_entry_remove(&d, 0, 99), 0);
	assert_int_equal(d.n_entries, 0);
	assert_int_equal(d.n_tombstones, 1);
	assert_memory_equal(d.tombstones[0].id, id, sizeof(id));
	assert_true(d.tombstones[0].deleted == 99);
	assert_int_equal(vault_entry_find_id(&d, id), -1);

	assert_int_equal(vault_kv_set(&d, "a", (const uint8_t *)"1", 1, 100),
			 0);
	assert_int_equal(vault_kv_set(&d, "b", (const uint8_t *)"22", 2, 200),
			 0);
	assert_int_equal(vault_kv_set(&d, "a", (const uint8_t *)"333", 3, 300),
			 0);
	assert_int_equal(d.n_kv, 2);
	kv = vault_kv_get(&d, "a", 299);
	assert_non_null(kv);
	assert_int_equal(kv->value_len, 3);
	assert_memory_equal(kv->value, "333", 3);
	assert_null(vault_kv_get(&d, "a", 300)); /* expires <= now */
	assert_null(vault_kv_get(&d, "c", 0));
	vault_kv_del(&d, "a");
	vault_kv_del(&d, "nothing");
	assert_null(vault_kv_get(&d, "a", 0));
	assert_non_null(vault_kv_get(&d, "b", 0));
	vault_kv_del(&d, "b");
	assert_int_equal(d.n_kv, 0);
	assert_int_equal(vault_kv_set(&d, "", (const uint8_t *)"1", 1, 1),
			 MFA_EINVAL);
	vault_data_free(&d);
	assert_null(d.arena);
	assert_int_equal(d.n_tombstones, 0);
}

/* A forked child never draws the ids its parent draws next. */
static void
test_ids_after_fork(void **state)
{
	struct vault_entry e;
	uint8_t mine[VAULT_ID_BYTES], theirs[VAULT_ID_BYTES];
	int fd[2], st;
	pid_t pid;

	(void)state;
	assert_int_equal(vault_entry_init(&e, 0), 0); /* the pool is filled */
	vault_entry_clear(&e);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (vault_entry_init(&e, 0) != 0 ||
		    write(fd[1], e.id, VAULT_ID_BYTES) != VAULT_ID_BYTES)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	assert_int_equal(read(fd[0], theirs, sizeof(theirs)), sizeof(theirs));
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(vault_entry_init(&e, 0), 0);
	memcpy(mine, e.id, sizeof(mine));
	vault_entry_clear(&e);
	assert_memory_not_equal(mine, theirs, VAULT_ID_BYTES);
}

static void
add_named(struct vault_data *d, const char *issuer, const char *name)
{
	struct vault_entry e;

	assert_int_equal(vault_entry_init(&e, 0), 0);
	assert_int_equal(vault_entry_set_str(&e.issuer, issuer), 0);
	assert_int_equal(vault_entry_set_str(&e.name, name), 0);
	assert_int_equal(vault_entry_set_secret(&e, (const uint8_t *)"s", 1),
			 0);
	assert_int_equal(vault_entry_add(d, &e), 0);
}

static void
query_is(const struct vault_data *d, const char *q, size_t want)
{
	size_t idx = 999, n = 7;

	if (vault_query(d, q, &idx, NULL, 0, &n) != 0)
		fail_msg("query \"%s\" did not resolve", q);
	if (idx != want)
		fail_msg("query \"%s\": %zu, want %zu", q, idx, want);
}

static void
test_query(void **state)
{
	struct vault_data d;
	size_t idx, cand[4], n, i;

	(void)state;
	memset(&d, 0, sizeof(d));
	add_named(&d, "GitHub", "alice");  /* 0 */
	add_named(&d, "GitLab", "alice");  /* 1 */
	add_named(&d, "", "bob");	   /* 2 */
	add_named(&d, "AWS", "bob");	   /* 3 */
	add_named(&d, "", "GitHub:alice"); /* 4 */
	add_named(&d, "Example", "carol"); /* 5 */
	add_named(&d, "Twin", "dup");	   /* 6 */
	add_named(&d, "Twin", "dup");	   /* 7 */

	query_is(&d, "carol", 5);	 /* exact name */
	query_is(&d, "GitLab:alice", 1); /* issuer:name */
	query_is(&d, "GitHub:alice", 4); /* the exact name wins */
	query_is(&d, "bob", 2);		 /* two names; "bob" is 2's label */
	query_is(&d, "AWS:bob", 3);
	query_is(&d, "exam", 5); /* substring, any case */
	query_is(&d, "CAROL", 5);
	query_is(&d, "aws:BOB", 3);
	query_is(&d, "lab:al", 1);

	assert_int_equal(vault_query(&d, "alice", &idx, cand, 4, &n),
			 MFA_EAMBIGUOUS);
	assert_int_equal(n, 2);
	assert_true(cand[0] == 0 && cand[1] == 1);

	assert_int_equal(vault_query(&d, "Twin:dup", &idx, cand, 4, &n),
			 MFA_EAMBIGUOUS);
	assert_int_equal(n, 2);
	assert_true(cand[0] == 6 && cand[1] == 7);

	/* "git" is in 0, 1 and 4: three candidates, room for two. */
	cand[2] = 12345;
	assert_int_equal(vault_query(&d, "git", &idx, cand, 2, &n),
			 MFA_EAMBIGUOUS);
	assert_int_equal(n, 3);
	assert_true(cand[0] == 0 && cand[1] == 1 && cand[2] == 12345);

	assert_int_equal(vault_query(&d, "zzz", &idx, cand, 4, &n),
			 MFA_ENOTFOUND);
	assert_int_equal(n, 0);
	assert_int_equal(vault_query(&d, "alice:", &idx, cand, 4, &n),
			 MFA_ENOTFOUND);

	for (i = d.n_entries; i > 0; i--)
		assert_int_equal(vault_entry_remove(&d, i - 1, 1), 0);
	assert_int_equal(d.n_tombstones, 8);
	vault_data_free(&d);
}

/* The accounts of query_fill, by label; 2 answers to "DEV-7" by serial. */
static const char *const qf_issuer[] = {"Bench", "Bench", "", "Other", "Bench"};
static const char *const qf_name[] = {"acct7", "acct70", "laptop", "ACCT7x",
				      "acct8"};
#define QF_N 5

static int
query_fill(struct vault_data *d, void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < QF_N; i++)
		add_named(d, qf_issuer[i], qf_name[i]);
	return vault_entry_set_str(&d->entries[2].serial,
				   "arn:aws:iam::123456789012:mfa/dev-7");
}

static int
hotp_bump(struct vault_data *d, void *arg)
{
	(void)arg;
	d->entries[0].p.counter++;
	return 0;
}

/* The names in d, in order, joined by spaces. */
static void
names_are(const struct vault_data *d, const char *want)
{
	char got[256] = "";
	size_t i;

	for (i = 0; i < d->n_entries; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", d->entries[i].name);
	assert_string_equal(got, want);
}

/*
 * vault_only_matching: the data holds what the query may name (label or
 * serial, case aside), every rule of vault_query gives the same answer as
 * on the whole vault, and a write still saves every account.
 */
static void
test_only_matching(void **state)
{
	struct vault *v;
	size_t idx, n;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, query_fill, NULL), 0);
	vault_close(v);

	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_only_matching(v, "acct7"), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	names_are(vault_data(v), "acct7 acct70 ACCT7x");
	/* The exact name still wins over the substrings. */
	assert_int_equal(vault_query(vault_data(v), "acct7", &idx, NULL, 0, &n),
			 0);
	assert_string_equal(vault_data(v)->entries[idx].name, "acct7");

	/* A write from the partial view keeps every account. */
	assert_int_equal(vault_update(v, hotp_bump, NULL), 0);
	names_are(vault_data(v), "acct7 acct70 laptop ACCT7x acct8");
	assert_true(vault_data(v)->entries[0].p.counter == 1);
	vault_close(v);

	/* By "issuer:name", and by the serial (the device's name). */
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_only_matching(v, "bench:ACCT"), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	names_are(vault_data(v), "acct7 acct70 acct8");
	assert_int_equal(vault_only_matching(v, "DEV-7"), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	names_are(vault_data(v), "laptop");
	assert_int_equal(vault_only_matching(v, "nothing"), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	names_are(vault_data(v), "");
	assert_int_equal(vault_only_matching(v, NULL), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	names_are(vault_data(v), "acct7 acct70 laptop ACCT7x acct8");
	vault_close(v);

	v = open_unlocked("pw");
	names_are(vault_data(v), "acct7 acct70 laptop ACCT7x acct8");
	assert_true(vault_data(v)->entries[0].p.counter == 1);
	vault_close(v);
}

/* --- an independent reader/writer, from man/mfa-vault.5 --- */

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

struct doc {
	size_t hlen, clen, nslots;
	uint8_t key[32];
	uint8_t *pt;
	size_t ptlen;
};

/* Unwrap with the passphrase slot and decrypt, as the manual says. */
static void
doc_read(const uint8_t *f, size_t len, const char *pass, struct doc *d)
{
	size_t pos, i, n;
	int found = 0;

	assert_true(len >= 60);
	assert_memory_equal(f, "\x89MFAV\0\r\n", 8);
	assert_int_equal(f[8] | f[9] << 8, 1);
	d->nslots = f[10] | f[11] << 8;
	d->hlen = le32(f + 12);
	d->clen = le32(f + 56);
	assert_int_equal(d->hlen + d->clen, len);
	pos = 60;
	for (i = 0; i < d->nslots; i++) {
		const uint8_t *b = f + pos + 5;
		uint8_t kk[32], ad[16 + 5 + 57];

		n = le32(f + pos + 1);
		if (f[pos] == 1 && !found) {
			assert_int_equal(n, 105);
			assert_int_equal(b[0], 2);
			assert_int_equal(
			    crypto_pwhash(kk, 32, pass, strlen(pass), b + 17,
					  le64(b + 1), (size_t)le64(b + 9),
					  crypto_pwhash_ALG_ARGON2ID13),
			    0);
			memcpy(ad, f + 16, 16);
			memcpy(ad + 16, f + pos, 5 + 57);
			assert_int_equal(
			    crypto_aead_xchacha20poly1305_ietf_decrypt(
				d->key, NULL, NULL, b + 57, 48, ad, sizeof(ad),
				b + 33, kk),
			    0);
			found = 1;
		}
		pos += 5 + n;
	}
	assert_int_equal(pos, d->hlen);
	assert_true(found);
	d->ptlen = d->clen - 16;
	assert_int_equal(d->ptlen % 1024, 0);
	d->pt = malloc(d->ptlen);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
			     d->pt, NULL, NULL, f + d->hlen, d->clen, f,
			     d->hlen, f + 32, d->key),
			 0);
}

/* Find field `tag` of the first record `rtag` whose field 2 equals name. */
static const uint8_t *
doc_field(const struct doc *d, uint8_t rtag, const char *name, uint8_t tag,
	  size_t *flen)
{
	size_t pos = 0, rlen, fpos, n;

	while (pos < d->ptlen && d->pt[pos] != 0) {
		rlen = le32(d->pt + pos + 1);
		if (d->pt[pos] == rtag) {
			const uint8_t *r = d->pt + pos + 5, *want = NULL;
			size_t wlen = 0;
			int match = 0;

			for (fpos = 0; fpos < rlen; fpos += 5 + n) {
				n = le32(r + fpos + 1);
				if (r[fpos] == 2 && n == strlen(name) &&
				    memcmp(r + fpos + 5, name, n) == 0)
					match = 1;
				if (r[fpos] == tag) {
					want = r + fpos + 5;
					wlen = n;
				}
			}
			assert_int_equal(fpos, rlen);
			if (match) {
				if (want != NULL)
					*flen = wlen;
				return want;
			}
		}
		pos += 5 + rlen;
	}
	return NULL;
}

/* An integer field of the account named name, or the manual's default. */
static uint64_t
doc_int(const struct doc *d, const char *name, uint8_t tag, uint64_t def)
{
	const uint8_t *p;
	size_t n = 0;

	if ((p = doc_field(d, 1, name, tag, &n)) == NULL)
		return def;
	if (n == 1)
		return p[0];
	assert_int_equal(n, 8);
	return le64(p);
}

static int
set_verify_cb(struct vault_data *d, void *arg)
{
	size_t idx;

	(void)arg;
	assert_int_equal(vault_query(d, specs[0].name, &idx, NULL, 0, NULL), 0);
	d->entries[idx].verify_step = 56789012345ULL;
	return 0;
}

static void
test_independent_reader(void **state)
{
	uint8_t key[VAULT_KEY_BYTES];
	struct doc d, d2;
	struct vault *v;
	const uint8_t *p;
	uint8_t *f, *f2;
	size_t len, len2, n, i;
	uint64_t type;

	(void)state;
	f = small_vault(&len, key);
	doc_read(f, len, "pw", &d);
	assert_memory_equal(d.key, key, 32);
	for (i = 0; i < NSPECS; i++) {
		const struct spec *s = &specs[i];

		p = doc_field(&d, 1, s->name, 10, &n);
		assert_non_null(p);
		assert_int_equal(n, s->secret_len);
		assert_memory_equal(p, s->secret, n);
		/* Optional fields may be left out at their default. */
		n = 0;
		p = doc_field(&d, 1, s->name, 3, &n);
		assert_int_equal(n, strlen(s->issuer));
		if (n > 0)
			assert_memory_equal(p, s->issuer, n);
		type = doc_int(&d, s->name, 4, 0);
		assert_true(type == (uint64_t)s->type);
		assert_true(doc_int(&d, s->name, 5, 0) == (uint64_t)s->hash);
		assert_true(doc_int(&d, s->name, 6, type == 2 ? 5 : 6) ==
			    s->digits);
		assert_true(doc_int(&d, s->name, 7, 30) == s->period);
		assert_true((int64_t)doc_int(&d, s->name, 8, 0) == s->t0);
		assert_true(doc_int(&d, s->name, 9, 0) == s->counter);
		assert_true((int64_t)doc_int(&d, s->name, 13, 0) == s->created);
		assert_true((int64_t)doc_int(&d, s->name, 14, 0) == s->updated);
		assert_true(doc_int(&d, s->name, 15, 0) == s->last_step);
		assert_true(doc_int(&d, s->name, 16, 0) == 0);
	}
	/* Field 16, the last step a verify accepted: a u64 of its own. */
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, set_verify_cb, NULL), 0);
	vault_close(v);
	f2 = slurp(vpath, &len2);
	doc_read(f2, len2, "pw", &d2);
	assert_true(doc_int(&d2, specs[0].name, 16, 0) == 56789012345ULL);
	assert_true(doc_int(&d2, specs[0].name, 15, 0) == specs[0].last_step);
	assert_true(doc_int(&d2, specs[1].name, 16, 0) == 0);
	v = open_unlocked("pw");
	for (i = 0; i < vault_data(v)->n_entries; i++) {
		const struct vault_entry *e = &vault_data(v)->entries[i];

		assert_true(
		    e->verify_step ==
		    (strcmp(e->name, specs[0].name) == 0 ? 56789012345ULL : 0));
	}
	vault_close(v);
	free(d2.pt);
	free(f2);
	/* kv record: key is field 1, so look it up by hand. */
	{
		const char *needle = "\x01\x0d\x00\x00\x00"
				     "aws-session:x";

		assert_non_null(memmem(d.pt, d.ptlen, needle, 18));
	}
	free(d.pt);
	free(f);
}

static int
awskey_rm_cb(struct vault_data *d, void *arg)
{
	(void)arg;
	return vault_awskey_remove(d, 0, 1700000200);
}

/* --- AWS access keys (record 4) --- */

static const char aws_secret1[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
static const char aws_secret2[] = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";

static void
awskey_view(struct vault_awskey *k, const char *profile, const char *akid,
	    const char *secret)
{
	memset(k, 0, sizeof(*k));
	vault_awskey_new_id(k->id);
	k->profile = (char *)profile;
	k->access_key_id = (char *)akid;
	k->secret = (uint8_t *)secret;
	k->secret_len = strlen(secret);
	k->created = k->updated = 1700000000;
}

static int
awskeys_cb(struct vault_data *d, void *arg)
{
	struct vault_awskey k, bad;
	long i;

	(void)arg;
	awskey_view(&k, "work", "AKIAIOSFODNN7EXAMPLE", aws_secret1);
	k.serial = (char *)"arn:aws:iam::123456789012:mfa/alice";
	k.region = (char *)"eu-west-1";
	k.arn = (char *)"arn:aws:iam::123456789012:user/alice";
	assert_int_equal(vault_awskey_add(d, &k), 0);
	/* Profile and id are unique; malformed fields are refused. */
	assert_int_equal(vault_awskey_add(d, &k), MFA_EEXIST);
	awskey_view(&bad, "work", "AKIAIOSFODNN7EXAMPLF", aws_secret1);
	assert_int_equal(vault_awskey_add(d, &bad), MFA_EEXIST);
	awskey_view(&bad, "bad]name", "AKIAIOSFODNN7EXAMPLF", aws_secret1);
	assert_int_equal(vault_awskey_add(d, &bad), MFA_EINVAL);
	awskey_view(&bad, "other", "AKIA-short", aws_secret1);
	assert_int_equal(vault_awskey_add(d, &bad), MFA_EINVAL);
	awskey_view(&bad, "other", "AKIAIOSFODNN7EXAMPLF", "has space");
	assert_int_equal(vault_awskey_add(d, &bad), MFA_EINVAL);
	awskey_view(&bad, "other", "AKIAIOSFODNN7EXAMPLF", aws_secret1);
	bad.pending_id = (char *)"AKIAIOSFODNN7EXAMPLG"; /* no secret */
	assert_int_equal(vault_awskey_add(d, &bad), MFA_EINVAL);
	/* A rotation's pending key, set over the record itself. */
	awskey_view(&k, "gone", "AKIAIOSFODNN7EXAMPLH", aws_secret2);
	assert_int_equal(vault_awskey_add(d, &k), 0);
	i = vault_awskey_find(d, "gone");
	assert_true(i >= 0);
	assert_int_equal(vault_awskey_remove(d, (size_t)i, 1700000100), 0);
	assert_int_equal(vault_awskey_find(d, "gone"), -1);
	i = vault_awskey_find(d, "work");
	k = d->awskeys[i];
	k.pending_id = (char *)"AKIAI44QH8DHBEXAMPLE";
	k.pending_secret = (uint8_t *)aws_secret2;
	k.pending_secret_len = strlen(aws_secret2);
	k.updated = 1700000050;
	assert_int_equal(vault_awskey_set(d, (size_t)i, &k), 0);
	return 0;
}

static void
test_awskeys(void **state)
{
	struct vault *v;
	const struct vault_data *d;
	const struct vault_awskey *k;
	struct doc doc;
	const uint8_t *p;
	uint8_t *f;
	size_t len, n;
	uint8_t id[VAULT_ID_BYTES];
	long i;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, awskeys_cb, NULL), 0);
	vault_close(v);

	v = open_unlocked("pw");
	d = vault_data(v);
	assert_int_equal(d->n_awskeys, 1);
	k = &d->awskeys[0];
	assert_string_equal(k->profile, "work");
	assert_string_equal(k->access_key_id, "AKIAIOSFODNN7EXAMPLE");
	assert_int_equal(k->secret_len, strlen(aws_secret1));
	assert_memory_equal(k->secret, aws_secret1, k->secret_len);
	assert_string_equal(k->serial, "arn:aws:iam::123456789012:mfa/alice");
	assert_string_equal(k->region, "eu-west-1");
	assert_string_equal(k->arn, "arn:aws:iam::123456789012:user/alice");
	assert_string_equal(k->pending_id, "AKIAI44QH8DHBEXAMPLE");
	assert_memory_equal(k->pending_secret, aws_secret2,
			    strlen(aws_secret2));
	assert_true(k->created == 1700000000 && k->updated == 1700000050);
	memcpy(id, k->id, sizeof(id));
	assert_int_equal(vault_awskey_find_id(d, id), 0);
	/* The removed record left a tombstone. */
	assert_int_equal(d->n_tombstones, 1);
	assert_true(d->tombstones[0].deleted == 1700000100);
	vault_close(v);

	/* The manual's reader finds every field where the page says. */
	f = slurp(vpath, &len);
	doc_read(f, len, "pw", &doc);
	p = doc_field(&doc, 4, "work", 1, &n);
	assert_non_null(p);
	assert_int_equal(n, 16);
	assert_memory_equal(p, id, 16);
	p = doc_field(&doc, 4, "work", 3, &n);
	assert_true(p != NULL && n == 20 &&
		    memcmp(p, "AKIAIOSFODNN7EXAMPLE", 20) == 0);
	p = doc_field(&doc, 4, "work", 4, &n);
	assert_true(p != NULL && n == strlen(aws_secret1) &&
		    memcmp(p, aws_secret1, n) == 0);
	p = doc_field(&doc, 4, "work", 5, &n);
	assert_true(p != NULL && n == 35 &&
		    memcmp(p, "arn:aws:iam::123456789012:mfa/alice", n) == 0);
	p = doc_field(&doc, 4, "work", 6, &n);
	assert_true(p != NULL && n == 9 && memcmp(p, "eu-west-1", n) == 0);
	p = doc_field(&doc, 4, "work", 7, &n);
	assert_true(p != NULL && n == 36);
	p = doc_field(&doc, 4, "work", 8, &n);
	assert_true(p != NULL && n == 20 &&
		    memcmp(p, "AKIAI44QH8DHBEXAMPLE", n) == 0);
	p = doc_field(&doc, 4, "work", 9, &n);
	assert_true(p != NULL && n == strlen(aws_secret2) &&
		    memcmp(p, aws_secret2, n) == 0);
	p = doc_field(&doc, 4, "work", 10, &n);
	assert_true(p != NULL && n == 8 && le64(p) == 1700000000);
	p = doc_field(&doc, 4, "work", 11, &n);
	assert_true(p != NULL && n == 8 && le64(p) == 1700000050);
	/* The secret is nowhere in the file itself. */
	assert_null(memmem(f, len, aws_secret1, strlen(aws_secret1)));
	free(doc.pt);
	free(f);

	/* Removal wipes it from the payload; the tombstone names its id. */
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, awskey_rm_cb, NULL), 0);
	vault_close(v);
	f = slurp(vpath, &len);
	doc_read(f, len, "pw", &doc);
	assert_null(doc_field(&doc, 4, "work", 1, &n));
	assert_null(
	    memmem(doc.pt, doc.ptlen, aws_secret1, strlen(aws_secret1)));
	assert_non_null(memmem(doc.pt, doc.ptlen, id, 16));
	v = open_unlocked("pw");
	assert_int_equal(vault_data(v)->n_awskeys, 0);
	assert_int_equal(vault_data(v)->n_tombstones, 2);
	i = vault_awskey_find(vault_data(v), "work");
	assert_int_equal(i, -1);
	vault_close(v);
	free(doc.pt);
	free(f);
}

static const uint8_t unknown_slot[] = {0x7f, 3, 0, 0, 0, 'x', 'y', 'z'};
static const uint8_t unknown_rec[] = {0xc8, 4, 0, 0, 0, 1, 2, 3, 4};

/*
 * Rewrite a vault as a newer writer might: an extra slot of an unknown type
 * and an unknown payload record. Payload and padding are rebuilt from d.
 */
static uint8_t *
doc_extend(const uint8_t *f, const struct doc *d, size_t *outlen)
{
	size_t used = 0, pt2len, hlen2, len;
	uint8_t *pt2, *out;

	while (d->pt[used] != 0)
		used += 5 + le32(d->pt + used + 1);
	pt2len = (used + sizeof(unknown_rec) + 1 + 1023) / 1024 * 1024;
	pt2 = calloc(1, pt2len);
	memcpy(pt2, d->pt, used);
	memcpy(pt2 + used, unknown_rec, sizeof(unknown_rec));
	hlen2 = d->hlen + sizeof(unknown_slot);
	len = hlen2 + pt2len + 16;
	out = malloc(len);
	memcpy(out, f, d->hlen);
	memcpy(out + d->hlen, unknown_slot, sizeof(unknown_slot));
	out[10] = (uint8_t)(d->nslots + 1);
	put32(out + 12, (uint32_t)hlen2);
	randombytes_buf(out + 32, 24);
	put32(out + 56, (uint32_t)(pt2len + 16));
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    out + hlen2, NULL, pt2, pt2len, out, hlen2, NULL, out + 32, d->key);
	free(pt2);
	*outlen = len;
	return out;
}

static void
test_forward_compat(void **state)
{
	uint8_t key[VAULT_KEY_BYTES];
	struct vault *v;
	struct doc d, d2;
	struct fill f;
	uint8_t *orig, *ext, *again;
	size_t len, elen, alen;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	memcpy(key, vault_key(v), sizeof(key));
	vault_close(v);
	orig = slurp(vpath, &len);
	doc_read(orig, len, "pw", &d);
	ext = doc_extend(orig, &d, &elen);
	spew(vpath, ext, elen);

	/* Unknown slot skipped, unknown record ignored. */
	v = open_unlocked("pw");
	data_check(vault_data(v), &f);
	/* ... and both survive a rewrite by this version. */
	assert_int_equal(vault_update(v, noop_cb, NULL), 0);
	vault_close(v);
	again = slurp(vpath, &alen);
	doc_read(again, alen, "pw", &d2);
	assert_int_equal(d2.nslots, 2);
	assert_non_null(
	    memmem(again, d2.hlen, unknown_slot, sizeof(unknown_slot)));
	assert_non_null(
	    memmem(d2.pt, d2.ptlen, unknown_rec, sizeof(unknown_rec)));
	/* The payload nonce is fresh on every save. */
	assert_memory_not_equal(again + 32, ext + 32, 24);

	/* The slot's stored costs are checked before any work is done. */
	memcpy(ext, orig, len);
	ext[60 + 5 + 9 + 4] = 2; /* mem = 8 GiB + 8 KiB */
	spew(vpath, ext, len);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_CORRUPT);
	memcpy(ext, orig, len);
	ext[60 + 5 + 1] = 0; /* ops = 0 */
	spew(vpath, ext, len);
	assert_int_equal(vault_open(vpath, &v), MFA_EVAULT_CORRUPT);
	memcpy(ext, orig, len);
	ext[60] = 9; /* the only slot becomes unknown: no way in but the key */
	spew(vpath, ext, len);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), MFA_EVAULT_AUTH);
	vault_close(v);

	free(d.pt);
	free(d2.pt);
	free(orig);
	free(ext);
	free(again);
}

/* --- FIDO2 slots (type 2) --- */

static const uint8_t fido_cred[40] = "credential-id-of-a-security-key-0123456";
static const uint8_t fido_salt[32] = "hmac-secret-salt-32-bytes-long!";

/* A slot key, as src/fido would derive it, in locked memory. */
static uint8_t *
fido_key(uint8_t fill)
{
	uint8_t *k = sodium_malloc(32);

	assert_non_null(k);
	memset(k, fill, 32);
	return k;
}

static void
fido_new(struct vault_fido2_new *n, unsigned flags, const char *label)
{
	memset(n, 0, sizeof(*n));
	n->flags = flags;
	n->label = label;
	n->cred = fido_cred;
	n->cred_len = sizeof(fido_cred);
	n->salt = fido_salt;
	n->created = 1700000000;
}

static void
test_fido2_slot(void **state)
{
	struct vault_slot_info si;
	struct vault_fido2_new n;
	struct vault *v;
	uint8_t key[VAULT_KEY_BYTES], *k = fido_key(0x11), *k2 = fido_key(0x22);
	size_t idx = 99;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	memcpy(key, vault_key(v), sizeof(key));
	fido_new(&n, VAULT_FIDO2_PIN, "blue key");
	assert_int_equal(vault_slot_add_fido2(v, &n, k, NULL, 0, &idx), 0);
	assert_int_equal(idx, 1);
	/* Refused: too long a label, no credential, unknown flags. */
	n.label = "0123456789012345678901234567890123456789012345678901234567"
		  "890123456789";
	assert_int_equal(vault_slot_add_fido2(v, &n, k, NULL, 0, NULL),
			 MFA_EINVAL);
	fido_new(&n, 0x80, "x");
	assert_int_equal(vault_slot_add_fido2(v, &n, k, NULL, 0, NULL),
			 MFA_EINVAL);
	vault_close(v);

	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_slot_count(v), 2);
	assert_int_equal(vault_slot_get(v, 0, &si), 0);
	assert_int_equal(si.type, VAULT_SLOT_PASSPHRASE);
	assert_int_equal(vault_slot_get(v, 1, &si), 0);
	assert_int_equal(si.type, VAULT_SLOT_FIDO2);
	assert_int_equal(si.flags, VAULT_FIDO2_PIN);
	assert_true(si.created == 1700000000);
	assert_string_equal(si.label, "blue key");
	assert_int_equal(si.cred_len, sizeof(fido_cred));
	assert_memory_equal(si.cred, fido_cred, sizeof(fido_cred));
	assert_memory_equal(si.salt, fido_salt, sizeof(fido_salt));
	assert_true(si.usable);
	assert_int_equal(vault_slot_get(v, 2, &si), MFA_EINVAL);
	/* The right key opens it, another does not; the passphrase still
	 * does; a passphrase slot takes no key. */
	assert_int_equal(vault_unlock_slot(v, 1, k2, NULL, 0), MFA_EVAULT_AUTH);
	assert_null(vault_data(v));
	assert_int_equal(vault_unlock_slot(v, 0, k, NULL, 0), MFA_EINVAL);
	assert_int_equal(vault_unlock_slot(v, 1, k, NULL, 0), 0);
	assert_memory_equal(vault_key(v), key, sizeof(key));
	assert_non_null(vault_data(v));
	vault_close(v);
	v = open_unlocked("pw");
	assert_memory_equal(vault_key(v), key, sizeof(key));

	/* Removing: never the last slot. */
	assert_int_equal(vault_slot_remove(v, 0), 0);
	assert_int_equal(vault_slot_count(v), 1);
	assert_int_equal(vault_slot_remove(v, 0), MFA_EINVAL);
	vault_close(v);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), MFA_EVAULT_AUTH);
	assert_int_equal(vault_unlock_slot(v, 0, k, NULL, 0), 0);
	vault_close(v);
	sodium_free(k);
	sodium_free(k2);
}

static void
test_fido2_two_factor(void **state)
{
	struct vault_slot_info si;
	struct vault_fido2_new n;
	struct vault *v;
	uint8_t *k = fido_key(0x33), *k2 = fido_key(0x44);
	size_t idx;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	/* A key alone first: two factors cannot be had while it opens the
	 * vault by itself. */
	fido_new(&n, 0, "alone");
	assert_int_equal(vault_slot_add_fido2(v, &n, k2, NULL, 0, &idx), 0);
	fido_new(&n, VAULT_FIDO2_PASS, "both");
	assert_int_equal(vault_slot_add_fido2(v, &n, k, "pw", 2, &idx),
			 MFA_EEXIST);
	assert_int_equal(vault_slot_remove(v, 1), 0);
	assert_int_equal(vault_slot_add_fido2(v, &n, k, "pw", 2, &idx), 0);
	/* The passphrase-only slot went in the same save. */
	assert_int_equal(vault_slot_count(v), 1);
	assert_int_equal(idx, 0);
	assert_int_equal(vault_slot_get(v, 0, &si), 0);
	assert_int_equal(si.flags, VAULT_FIDO2_PASS);
	vault_close(v);

	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), MFA_EVAULT_AUTH);
	assert_int_equal(vault_unlock_slot(v, 0, k, "bad", 3), MFA_EVAULT_AUTH);
	assert_int_equal(vault_unlock_slot(v, 0, k, NULL, 0), MFA_EVAULT_AUTH);
	assert_int_equal(vault_unlock_slot(v, 0, k2, "pw", 2), MFA_EVAULT_AUTH);
	assert_null(vault_data(v));
	assert_int_equal(vault_unlock_slot(v, 0, k, "pw", 2), 0);
	/* A second key for the same two-factor vault. */
	fido_new(&n, VAULT_FIDO2_PASS, "spare");
	assert_int_equal(vault_slot_add_fido2(v, &n, k2, "pw", 2, &idx), 0);
	assert_int_equal(idx, 1);
	vault_close(v);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_slot(v, 1, k2, "pw", 2), 0);
	vault_close(v);
	sodium_free(k);
	sodium_free(k2);
}

/* Every byte of a FIDO2 slot is authenticated: changed, the file is
 * refused as corrupt, or neither the key nor the passphrase opens it. */
static void
test_fido2_tamper(void **state)
{
	struct vault_fido2_new n;
	struct vault *v;
	uint8_t *k = fido_key(0x55), *orig, *mod;
	size_t len, i, start, opened = 0;
	int rc;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	fido_new(&n, VAULT_FIDO2_PIN, "tamper");
	assert_int_equal(vault_slot_add_fido2(v, &n, k, NULL, 0, NULL), 0);
	vault_close(v);
	orig = slurp(vpath, &len);
	start = 60 + 110; /* after the passphrase slot */
	mod = malloc(len);
	for (i = start; i < start + 5 + 149 + 6 + sizeof(fido_cred); i++) {
		memcpy(mod, orig, len);
		mod[i] ^= 0x01;
		spew(vpath, mod, len);
		if ((rc = vault_open(vpath, &v)) != 0) {
			assert_int_equal(rc, MFA_EVAULT_CORRUPT);
			continue;
		}
		opened++;
		rc = vault_unlock_slot(v, 1, k, NULL, 0);
		assert_true(rc == MFA_EVAULT_AUTH || rc == MFA_EUNSUPPORTED ||
			    rc == MFA_EINVAL);
		assert_int_equal(vault_unlock_pass(v, "pw", 2),
				 MFA_EVAULT_AUTH);
		vault_close(v);
	}
	/* Most bytes (label, credential, salts, flags...) open and fail. */
	assert_true(opened > 100);
	spew(vpath, orig, len);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_slot(v, 1, k, NULL, 0), 0);
	vault_close(v);
	free(orig);
	free(mod);
	sodium_free(k);
}
/*
 * The FIDO2 slot at f + pos as the manual describes it: unwrap the vault
 * key with the slot key K (and the passphrase when the slot needs it).
 */
static void
doc_fido2(const uint8_t *f, size_t pos, const uint8_t *k, const char *pass,
	  uint8_t key[32])
{
	const uint8_t *b = f + pos + 5;
	uint8_t kek[32], p[32], ad[16 + 5 + 13 + 64 + 1023 + 88];
	size_t l, c, base, n = le32(f + pos + 1);

	assert_int_equal(f[pos], 2);
	assert_int_equal(b[0], 1);
	l = b[10];
	c = b[11 + l] | b[12 + l] << 8;
	base = 13 + l + c;
	assert_int_equal(n, 149 + l + c);
	if (b[1] & 0x02) {
		assert_int_equal(crypto_pwhash(p, 32, pass, strlen(pass),
					       b + base + 32,
					       le64(b + base + 48),
					       (size_t)le64(b + base + 56),
					       crypto_pwhash_ALG_ARGON2ID13),
				 0);
		crypto_generichash(kek, 32, p, 32, k, 32);
	} else {
		assert_true(le64(b + base + 48) == 0);
		memcpy(kek, k, 32);
	}
	memcpy(ad, f + 16, 16);
	memcpy(ad + 16, f + pos, 5 + base + 88);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
			     key, NULL, NULL, b + base + 88, 48, ad,
			     16 + 5 + base + 88, b + base + 64, kek),
			 0);
}

static void
test_fido2_independent_reader(void **state)
{
	static const char label[] = "written from the manual";
	struct vault_fido2_new n;
	struct vault *v;
	struct doc d;
	uint8_t key[32], got[32], *k = fido_key(0x66), *f, *out, *body;
	uint8_t *pt;
	size_t len, pos, i, slot, hlen2, olen;

	(void)state;
	/* What the vault writes, read from the manual: both variants. */
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	memcpy(key, vault_key(v), 32);
	fido_new(&n, 0, "plain");
	assert_int_equal(vault_slot_add_fido2(v, &n, k, NULL, 0, NULL), 0);
	vault_close(v);
	f = slurp(vpath, &len);
	doc_read(f, len, "pw", &d);
	assert_int_equal(d.nslots, 2);
	doc_fido2(f, 60 + 110, k, NULL, got);
	assert_memory_equal(got, key, 32);
	free(d.pt);
	v = open_unlocked("pw");
	fido_new(&n, VAULT_FIDO2_PASS, "both");
	assert_int_equal(vault_slot_add_fido2(v, &n, k, "pw", 2, NULL),
			 MFA_EEXIST);
	assert_int_equal(vault_slot_remove(v, 1), 0);
	assert_int_equal(vault_slot_add_fido2(v, &n, k, "pw", 2, NULL), 0);
	vault_close(v);
	free(f);
	f = slurp(vpath, &len);
	assert_int_equal(f[10], 1);
	doc_fido2(f, 60, k, "pw", got);
	assert_memory_equal(got, key, 32);
	free(f);
	teardown(state);
	setup(state);

	/* What the manual says, written by hand: the vault must read it. */
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	f = slurp(vpath, &len);
	doc_read(f, len, "pw", &d);
	slot = 5 + 149 + strlen(label) + sizeof(fido_cred);
	hlen2 = d.hlen + slot;
	olen = hlen2 + d.clen;
	out = calloc(1, olen);
	memcpy(out, f, d.hlen);
	pos = d.hlen;
	out[pos] = 2;
	put32(out + pos + 1, (uint32_t)(slot - 5));
	body = out + pos + 5;
	body[0] = 1;
	body[1] = 0;
	for (i = 0; i < 8; i++)
		body[2 + i] = (uint8_t)(1700000000ULL >> (8 * i));
	body[10] = (uint8_t)strlen(label);
	memcpy(body + 11, label, strlen(label));
	i = 11 + strlen(label);
	body[i] = sizeof(fido_cred);
	body[i + 1] = 0;
	memcpy(body + i + 2, fido_cred, sizeof(fido_cred));
	i += 2 + sizeof(fido_cred);
	memcpy(body + i, fido_salt, 32);
	randombytes_buf(body + i + 64, 24);
	{
		uint8_t ad[16 + 5 + 13 + 64 + 40 + 88];
		size_t adlen = 16 + 5 + i + 88;

		memcpy(ad, out + 16, 16);
		memcpy(ad + 16, out + pos, 5 + i + 88);
		crypto_aead_xchacha20poly1305_ietf_encrypt(
		    body + i + 88, NULL, d.key, 32, ad, adlen, NULL,
		    body + i + 64, k);
	}
	out[10] = 2;
	put32(out + 12, (uint32_t)hlen2);
	randombytes_buf(out + 32, 24);
	pt = d.pt;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    out + hlen2, NULL, pt, d.ptlen, out, hlen2, NULL, out + 32, d.key);
	spew(vpath, out, olen);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_slot_count(v), 2);
	{
		struct vault_slot_info si;

		assert_int_equal(vault_slot_get(v, 1, &si), 0);
		assert_string_equal(si.label, label);
		assert_true(si.created == 1700000000);
	}
	assert_int_equal(vault_unlock_slot(v, 1, k, NULL, 0), 0);
	assert_memory_equal(vault_key(v), d.key, 32);
	vault_close(v);
	free(d.pt);
	free(f);
	free(out);
	sodium_free(k);
}

/* Many windows' worth: records across window edges, one larger than a
 * window, a value larger still. */
#define BIG_N 3000
static int
big_cb(struct vault_data *d, void *arg)
{
	struct vault_entry e;
	uint8_t s[32], *val = arg;
	char name[32], *note;
	size_t i;

	for (i = 0; i < BIG_N; i++) {
		snprintf(name, sizeof(name), "big%04zu", i);
		memset(s, (int)(i % 251), sizeof(s));
		memcpy(s, &i, sizeof(i));
		assert_int_equal(vault_entry_init_in(d, &e, 7), 0);
		assert_int_equal(vault_entry_set_str(&e.name, name), 0);
		assert_int_equal(vault_entry_set_secret(&e, s, 7 + i % 25), 0);
		assert_int_equal(vault_entry_add(d, &e), 0);
	}
	note = malloc(20000);
	memset(note, 'n', 19999);
	note[19999] = '\0';
	assert_int_equal(vault_entry_set_str(&d->entries[17].note, note), 0);
	free(note);
	return vault_kv_set(d, "big", val, 40000, INT64_MAX);
}

static void
test_big_payload(void **state)
{
	struct vault *v;
	struct doc doc, doc2;
	uint8_t *val, *f, *ext, s[32];
	const uint8_t *p;
	size_t len, elen, n, i;
	char name[32];

	(void)state;
	val = malloc(40000);
	randombytes_buf(val, 40000);
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, big_cb, val), 0);
	vault_close(v);
	/* libsodium's one-shot decryption reads what the windows wrote. */
	f = slurp(vpath, &len);
	doc_read(f, len, "pw", &doc);
	for (i = 0; i < BIG_N; i += 97) {
		snprintf(name, sizeof(name), "big%04zu", i);
		memset(s, (int)(i % 251), sizeof(s));
		memcpy(s, &i, sizeof(i));
		p = doc_field(&doc, 1, name, 10, &n);
		assert_non_null(p);
		assert_int_equal(n, 7 + i % 25);
		assert_memory_equal(p, s, n);
	}
	assert_non_null(memmem(doc.pt, doc.ptlen, val, 40000));
	/* ... and the windows read what libsodium's one-shot wrote. */
	ext = doc_extend(f, &doc, &elen);
	spew(vpath, ext, elen);
	v = open_unlocked("pw");
	assert_int_equal(vault_data(v)->n_entries, BIG_N);
	for (i = 0; i < BIG_N; i++) {
		const struct vault_entry *e = &vault_data(v)->entries[i];
		size_t k;

		assert_int_equal(sscanf(e->name, "big%zu", &k), 1);
		memset(s, (int)(k % 251), sizeof(s));
		memcpy(s, &k, sizeof(k));
		assert_int_equal(e->secret_len, 7 + k % 25);
		assert_memory_equal(e->secret, s, e->secret_len);
	}
	assert_int_equal(strlen(vault_data(v)->entries[17].note), 19999);
	assert_memory_equal(vault_kv_get(vault_data(v), "big", 0)->value, val,
			    40000);
	/* A rewrite keeps the newer writer's record, and still reads back. */
	assert_int_equal(vault_update(v, noop_cb, NULL), 0);
	vault_close(v);
	free(f);
	f = slurp(vpath, &len);
	doc_read(f, len, "pw", &doc2);
	assert_non_null(
	    memmem(doc2.pt, doc2.ptlen, unknown_rec, sizeof(unknown_rec)));
	free(doc.pt);
	free(doc2.pt);
	free(ext);
	free(f);
	free(val);
}

/*
 * ASan maps memory of its own, so this check is built only without it: the
 * plain build (make check) runs it.
 */
#ifndef __SANITIZE_ADDRESS__
/* Inaccessible anonymous mappings: the guard pages every secret region
 * has (a heap that grows, under valgrind say, adds none). */
static size_t
count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perm[8], path[256];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		path[0] = '\0';
		if (sscanf(line, "%*s %7s %*s %*s %*s %255s", perm, path) >=
			1 &&
		    strcmp(perm, "---p") == 0 && path[0] == '\0')
			n++;
	}
	fclose(f);
	return n;
}

static void
cycle(void)
{
	struct vault *v;
	struct fill f;
	struct vault_data d;
	struct vault_entry e;

	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	assert_int_equal(vault_passwd(v, "pw", 2, NULL, 0, NULL), 0);
	vault_close(v);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "bad", 3), MFA_EVAULT_AUTH);
	vault_close(v);
	memset(&d, 0, sizeof(d));
	assert_int_equal(fill_cb(&d, &f), 0);
	entry_from(&specs[1], &e);
	vault_entry_clear(&e);
	vault_kv_del(&d, "aws-session:x");
	while (d.n_entries > 0)
		assert_int_equal(vault_entry_remove(&d, 0, 1), 0);
	vault_kv_del(&d, "old");
	vault_kv_del(&d, "empty");
	vault_data_free(&d);
}

static size_t count_maps(void);

static int
count_cb(struct vault_data *d, void *arg)
{
	(void)d;
	*(size_t *)arg = count_maps();
	return 0;
}

/*
 * A write holds one decrypted copy of the secrets: while the callback
 * runs there are no more secret regions (guard mappings) than before the
 * write, whether the file is as this vault last saw it or another writer
 * changed it meanwhile.
 */
static void
test_one_copy(void **state)
{
	struct vault *v, *w;
	struct fill f;
	size_t before, during = 0;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	v = open_unlocked("pw");
	assert_int_equal(vault_update(v, fill_cb, &f), 0);
	before = count_maps();
	assert_int_equal(vault_update(v, count_cb, &during), 0);
	assert_int_equal(during, before);
	/* Another writer changes the file: it is decrypted again. */
	w = open_unlocked("pw");
	assert_int_equal(vault_update(w, noop_cb, NULL), 0);
	vault_close(w);
	before = count_maps();
	assert_int_equal(vault_update(v, count_cb, &during), 0);
	assert_int_equal(during, before);
	data_check(vault_data(v), &f);
	vault_close(v);
}

/*
 * Secret memory is mmap'd with guard pages (arenas, sodium_malloc), out of
 * sight of ASan's leak checker: a leaked secret shows up as mappings left
 * over.
 */
static void
test_no_secret_leak(void **state)
{
	size_t n0, n1;
	int i;

	(void)state;
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	cycle();
	n0 = count_maps();
	for (i = 0; i < 3; i++)
		cycle();
	n1 = count_maps();
	assert_int_equal(n1, n0);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_passwd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_pass_and_missing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_every_byte, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_version_magic, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_no_plaintext, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_padding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_perms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_and_size, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kdf, setup, teardown),
	    cmocka_unit_test(test_default_path),
	    cmocka_unit_test(test_entries_api),
	    cmocka_unit_test(test_ids_after_fork),
	    cmocka_unit_test(test_query),
	    cmocka_unit_test_setup_teardown(test_only_matching, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_independent_reader, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_big_payload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_awskeys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forward_compat, setup,
					    teardown),
#ifndef __SANITIZE_ADDRESS__
	    cmocka_unit_test_setup_teardown(test_one_copy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_secret_leak, setup,
					    teardown),
#endif
	    cmocka_unit_test_setup_teardown(test_fido2_slot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fido2_two_factor, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_fido2_tamper, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fido2_independent_reader,
					    setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
