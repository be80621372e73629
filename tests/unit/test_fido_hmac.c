/*
 * The fido layer against a software security key (tests/tools/softfido,
 * reached through the test transport): credentials, the hmac-secret output
 * checked against HMAC-SHA256(CredRandom, salt) computed here with
 * libsodium, the PIN, a wrong key, no touch, HKDF against RFC 5869's
 * vectors, and a scan of this process's memory showing the output only in
 * locked pages while held, and nowhere once freed.
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
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "fido/fido2.h"
#include "mfa/rc.h"

/* The transport the test binaries link; it registers when asked. */
#include "../tools/softfido/transport.c"

static char dir[64], key1[128], key2[128], keypin[128], softfido[512];

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* A line of a softfido command's output. */
static void
sh_read(char *out, size_t len, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(out, (int)len, p));
	assert_int_equal(pclose(p), 0);
	out[strcspn(out, "\n")] = '\0';
}

static void
plug(const char *a, const char *b)
{
	char list[300];

	snprintf(list, sizeof(list), "%s%s%s", a, b != NULL ? ":" : "",
		 b != NULL ? b : "");
	setenv("MFA_TEST_FIDO2", list, 1);
}

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/mfa-fido-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(key1, sizeof(key1), "%s/key1", dir);
	snprintf(key2, sizeof(key2), "%s/key2", dir);
	snprintf(keypin, sizeof(keypin), "%s/keypin", dir);
	sh("%s init %s", softfido, key1);
	sh("%s init %s", softfido, key2);
	sh("%s init %s --pin 1234", softfido, keypin);
	plug(key1, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* HMAC-SHA256(CredRandom, salt), the output the specification defines,
 * into locked memory. */
static uint8_t *
expected(const char *key, const uint8_t *cred, size_t clen,
	 const uint8_t salt[32], bool uv)
{
	char idhex[2 * FIDO2_CRED_MAX + 1], crhex[80];
	uint8_t *cr = sodium_malloc(32), *out = sodium_malloc(32);

	assert_non_null(cr);
	assert_non_null(out);
	hex(cred, clen, idhex);
	sh_read(crhex, sizeof(crhex), "%s credrandom %s %s %s", softfido, key,
		idhex, uv ? "uv" : "up");
	assert_int_equal(
	    sodium_hex2bin(cr, 32, crhex, strlen(crhex), NULL, NULL, NULL), 0);
	sodium_memzero(crhex, sizeof(crhex));
	crypto_auth_hmacsha256(out, salt, 32, cr);
	sodium_free(cr);
	return out;
}

static void
enroll(const char *key, const char *pin, uint8_t *cred, size_t *clen)
{
	static const uint8_t user[16] = "vault-uuid-0001";
	char why[256];

	assert_int_equal(fido2_enroll(key, user, sizeof(user), pin, cred, clen,
				      why, sizeof(why)),
			 0);
	assert_true(*clen > 0);
}

static void
test_hkdf_rfc5869(void **state)
{
	/* RFC 5869 A.1 and A.3 (SHA-256). */
	uint8_t ikm[22], salt[13], info[10], okm[42], want[42];
	size_t i;

	(void)state;
	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	assert_int_equal(sodium_hex2bin(want, sizeof(want),
					"3cb25f25faacd57a90434f64d0362f2a"
					"2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
					"34007208d5b887185865",
					84, NULL, NULL, NULL),
			 0);
	assert_int_equal(fido2_hkdf(okm, sizeof(okm), salt, sizeof(salt), ikm,
				    sizeof(ikm), info, sizeof(info)),
			 0);
	assert_memory_equal(okm, want, sizeof(want));
	assert_int_equal(sodium_hex2bin(want, sizeof(want),
					"8da4e775a563c18f715f802a063c5a31"
					"b8a11f5c5ee1879ec3454e5f3c738d2d"
					"9d201395faa4b61a96c8",
					84, NULL, NULL, NULL),
			 0);
	assert_int_equal(
	    fido2_hkdf(okm, sizeof(okm), NULL, 0, ikm, sizeof(ikm), NULL, 0),
	    0);
	assert_memory_equal(okm, want, sizeof(want));
	assert_int_equal(fido2_hkdf(okm, 0, NULL, 0, ikm, 1, NULL, 0),
			 MFA_EINVAL);
}

static void
test_enroll_and_hmac(void **state)
{
	struct fido2_dev devs[4];
	struct fido2_info info;
	uint8_t cred[FIDO2_CRED_MAX], salt[32], salt2[32], *s, *s2, *want, *k,
	    *k2;
	char why[256], touches[32];
	size_t clen, n;

	(void)state;
	assert_int_equal(fido2_devices(devs, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(devs[0].path, key1);
	assert_int_equal(fido2_info(key1, &info, why, sizeof(why)), 0);
	assert_true(info.hmac_secret);
	assert_false(info.pin_set);
	enroll(key1, NULL, cred, &clen);
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(salt2, sizeof(salt2));
	assert_non_null(s = sodium_malloc(32));
	assert_non_null(s2 = sodium_malloc(32));
	assert_int_equal(fido2_hmac_secret(key1, cred, clen, salt, NULL, s, why,
					   sizeof(why)),
			 0);
	want = expected(key1, cred, clen, salt, false);
	assert_memory_equal(s, want, 32);
	/* Stable for a salt, another for another salt. */
	assert_int_equal(fido2_hmac_secret(key1, cred, clen, salt, NULL, s2,
					   why, sizeof(why)),
			 0);
	assert_memory_equal(s, s2, 32);
	assert_int_equal(fido2_hmac_secret(key1, cred, clen, salt2, NULL, s2,
					   why, sizeof(why)),
			 0);
	assert_memory_not_equal(s, s2, 32);
	/* The slot key is HKDF of the output, with mfa's info. */
	assert_non_null(k = sodium_malloc(32));
	assert_non_null(k2 = sodium_malloc(32));
	assert_int_equal(
	    fido2_slot_key(key1, cred, clen, salt, NULL, k, why, sizeof(why)),
	    0);
	assert_int_equal(fido2_hkdf(k2, 32, NULL, 0, want, 32,
				    (const uint8_t *)"mfa-vault fido2 slot",
				    20),
			 0);
	assert_memory_equal(k, k2, 32);
	/* One touch to enrol, one per output. */
	sh_read(touches, sizeof(touches), "%s get %s touches", softfido, key1);
	assert_string_equal(touches, "5");
	sodium_free(s);
	sodium_free(s2);
	sodium_free(want);
	sodium_free(k);
	sodium_free(k2);
}

static void
test_find_and_wrong_key(void **state)
{
	uint8_t c1[FIDO2_CRED_MAX], c2[FIDO2_CRED_MAX], bogus[32], salt[32], *s;
	const uint8_t *creds[3];
	size_t lens[3], l1, l2, which = 99;
	char why[256], touches[32];

	(void)state;
	plug(key1, key2);
	enroll(key1, NULL, c1, &l1);
	enroll(key2, NULL, c2, &l2);
	randombytes_buf(bogus, sizeof(bogus));
	creds[0] = bogus;
	lens[0] = sizeof(bogus);
	creds[1] = c1;
	lens[1] = l1;
	assert_int_equal(
	    fido2_find(key1, creds, lens, 2, &which, why, sizeof(why)), 0);
	assert_int_equal(which, 1);
	/* The other key does not know key1's credential... */
	assert_int_equal(
	    fido2_find(key2, creds, lens, 2, &which, why, sizeof(why)),
	    MFA_ENOTFOUND);
	creds[2] = c2;
	lens[2] = l2;
	assert_int_equal(
	    fido2_find(key2, creds, lens, 3, &which, why, sizeof(why)), 0);
	assert_int_equal(which, 2);
	/* ...nor gives an output for it. */
	randombytes_buf(salt, sizeof(salt));
	assert_non_null(s = sodium_malloc(32));
	assert_int_equal(
	    fido2_hmac_secret(key2, c1, l1, salt, NULL, s, why, sizeof(why)),
	    MFA_ENOTFOUND);
	assert_non_null(strstr(why, "holds no credential"));
	sodium_free(s);
	/* Finding is silent: no touch beyond the enrolment. */
	sh_read(touches, sizeof(touches), "%s get %s touches", softfido, key1);
	assert_string_equal(touches, "1");
}

static void
test_pin(void **state)
{
	struct fido2_info info;
	uint8_t cred[FIDO2_CRED_MAX], salt[32], *uv, *up, *w;
	char why[256], left[32];
	size_t clen;

	(void)state;
	plug(keypin, NULL);
	assert_int_equal(fido2_info(keypin, &info, why, sizeof(why)), 0);
	assert_true(info.pin_set);
	/* A key with a PIN makes no credential without it. */
	assert_int_equal(fido2_enroll(keypin, (const uint8_t *)"u", 1, NULL,
				      cred, &clen, why, sizeof(why)),
			 MFA_EINVAL);
	assert_non_null(strstr(why, "has a PIN"));
	assert_int_equal(fido2_enroll(keypin, (const uint8_t *)"u", 1, "9999",
				      cred, &clen, why, sizeof(why)),
			 MFA_EVAULT_AUTH);
	assert_string_equal(strstr(why, "wrong PIN"),
			    "wrong PIN (7 attempts left)");
	enroll(keypin, "1234", cred, &clen);
	sh_read(left, sizeof(left), "%s get %s retries", softfido, keypin);
	assert_string_equal(left, "8");
	randombytes_buf(salt, sizeof(salt));
	assert_non_null(uv = sodium_malloc(32));
	assert_non_null(up = sodium_malloc(32));
	assert_int_equal(fido2_hmac_secret(keypin, cred, clen, salt, "1234", uv,
					   why, sizeof(why)),
			 0);
	w = expected(keypin, cred, clen, salt, true);
	assert_memory_equal(uv, w, 32);
	sodium_free(w);
	/* Without the PIN the key answers with its other secret: a slot
	 * made with the PIN cannot be opened without it. */
	assert_int_equal(fido2_hmac_secret(keypin, cred, clen, salt, NULL, up,
					   why, sizeof(why)),
			 0);
	assert_memory_not_equal(uv, up, 32);
	w = expected(keypin, cred, clen, salt, false);
	assert_memory_equal(up, w, 32);
	sodium_free(w);
	assert_int_equal(fido2_hmac_secret(keypin, cred, clen, salt, "0000", up,
					   why, sizeof(why)),
			 MFA_EVAULT_AUTH);
	assert_non_null(strstr(why, "wrong PIN (7 attempts left)"));
	sodium_free(uv);
	sodium_free(up);
}

static void
test_no_touch_no_extension(void **state)
{
	struct fido2_info info;
	uint8_t cred[FIDO2_CRED_MAX], salt[32], *s;
	char why[256], nohmac[160];
	size_t clen;

	(void)state;
	enroll(key1, NULL, cred, &clen);
	sh("%s set %s touch no", softfido, key1);
	randombytes_buf(salt, sizeof(salt));
	assert_non_null(s = sodium_malloc(32));
	assert_int_equal(fido2_hmac_secret(key1, cred, clen, salt, NULL, s, why,
					   sizeof(why)),
			 MFA_ECANCELED);
	assert_non_null(strstr(why, "not touched"));
	assert_int_equal(fido2_enroll(key1, (const uint8_t *)"u", 1, NULL, cred,
				      &clen, why, sizeof(why)),
			 MFA_ECANCELED);
	sodium_free(s);
	snprintf(nohmac, sizeof(nohmac), "%s/nohmac", dir);
	sh("%s init %s --no-hmac-secret", softfido, nohmac);
	assert_int_equal(fido2_info(nohmac, &info, why, sizeof(why)), 0);
	assert_false(info.hmac_secret);
	/* An absent key cannot be opened. */
	snprintf(nohmac, sizeof(nohmac), "%s/absent", dir);
	assert_int_equal(fido2_info(nohmac, &info, why, sizeof(why)), MFA_EIO);
}

/* --- memory scan --- */

struct hits {
	size_t locked, unlocked;
};

/*
 * Every copy of needle in this process's readable memory, sorted by
 * whether its mapping is locked (VmFlags "lo" in /proc/self/smaps). Pages
 * are read through /proc/self/mem (an unreadable page is an error there,
 * not a signal) into a locked buffer, wiped after; hits in that buffer and
 * the needle itself do not count.
 */
#define SCAN_PAGE 4096

static struct hits
scan(const uint8_t *needle, size_t n)
{
	struct hits h = {0, 0};
	char line[512], perms[8], path[256];
	unsigned long lo = 0, hi = 0, a, b, addr, hit;
	bool readable = false, locked;
	size_t carry, i;
	ssize_t got;
	uint8_t *buf = sodium_malloc(SCAN_PAGE + 64);
	FILE *f = fopen("/proc/self/smaps", "r");
	int fd = open("/proc/self/mem", O_RDONLY);

	assert_non_null(buf);
	assert_non_null(f);
	assert_true(fd >= 0);
	assert_true(n < 64);
	while (fgets(line, sizeof(line), f) != NULL) {
		path[0] = '\0';
		/* A mapping's first line: "lo-hi perms offset dev inode path".
		 */
		if (strchr(line, '-') != NULL &&
		    strchr(line, '-') < strchr(line, ' ') &&
		    sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &a, &b, perms,
			   path) >= 3) {
			lo = a;
			hi = b;
			readable = perms[0] == 'r';
			continue;
		}
		if (strncmp(line, "VmFlags:", 8) != 0 || !readable)
			continue;
		locked = strstr(line, " lo") != NULL;
		carry = 0;
		for (addr = lo; addr < hi; addr += SCAN_PAGE) {
			got = pread(fd, buf + carry, SCAN_PAGE, (off_t)addr);
			if (got <= 0) {
				carry = 0;
				continue;
			}
			for (i = 0; i + n <= carry + (size_t)got; i++) {
				if (memcmp(buf + i, needle, n) != 0)
					continue;
				hit = addr - carry + i;
				if (hit == (unsigned long)needle ||
				    (hit >= (unsigned long)buf &&
				     hit < (unsigned long)buf + SCAN_PAGE + 64))
					continue;
				if (locked)
					h.locked++;
				else
					h.unlocked++;
			}
			i = carry + (size_t)got;
			carry = n - 1 < i ? n - 1 : i;
			memmove(buf, buf + i - carry, carry);
		}
	}
	close(fd);
	fclose(f);
	sodium_free(buf);
	return h;
}

static void
test_output_only_in_locked_memory(void **state)
{
	uint8_t cred[FIDO2_CRED_MAX], salt[32], *s, *want;
	struct hits h;
	char why[256];
	size_t clen;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	/* ASan's shadow and quarantine keep copies of their own. */
	skip();
#endif
	enroll(key1, NULL, cred, &clen);
	randombytes_buf(salt, sizeof(salt));
	want = expected(key1, cred, clen, salt, false);
	/* Nothing holds the output yet. */
	h = scan(want, 32);
	assert_int_equal(h.locked + h.unlocked, 0);
	assert_non_null(s = sodium_malloc(32));
	assert_int_equal(fido2_hmac_secret(key1, cred, clen, salt, NULL, s, why,
					   sizeof(why)),
			 0);
	assert_memory_equal(s, want, 32);
	/* While held: in our locked buffer only (libfido2 wiped its own). */
	h = scan(want, 32);
	assert_int_equal(h.unlocked, 0);
	assert_int_equal(h.locked, 1);
	sodium_free(s);
	/* The slot key path: the output never leaves fido2_slot_key. */
	assert_non_null(s = sodium_malloc(32));
	assert_int_equal(
	    fido2_slot_key(key1, cred, clen, salt, NULL, s, why, sizeof(why)),
	    0);
	h = scan(want, 32);
	assert_int_equal(h.locked + h.unlocked, 0);
	h = scan(s, 32);
	assert_int_equal(h.unlocked, 0);
	sodium_free(s);
	sodium_free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hkdf_rfc5869),
	    cmocka_unit_test_setup_teardown(test_enroll_and_hmac, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_find_and_wrong_key, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_touch_no_extension, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_output_only_in_locked_memory,
					    setup, teardown),
	};
	const char *b = getenv("MFA_SOFTFIDO"), *build = getenv("MFA_BUILD");
	const char *why = NULL;

	if (b != NULL && b[0] != '\0')
		snprintf(softfido, sizeof(softfido), "%s", b);
	else
		snprintf(softfido, sizeof(softfido), "%s/tests/softfido",
			 build != NULL && build[0] != '\0' ? build : "build");
	setenv("MFA_SOFTFIDO", softfido, 1);
	if (access(softfido, X_OK) != 0) {
		fprintf(stderr, "%s: %s (make unit builds it)\n", softfido,
			strerror(errno));
		return 1;
	}
	if (sodium_init() < 0)
		return 1;
	setenv("MFA_TEST_FIDO2", "", 1);
	softfido_register();
	if (fido2_load(&why) != 0) {
		fprintf(stderr, "libfido2: %s\n", why);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
