/*
 * Aegis, andOTP and 2FAS import (plain and encrypted) and Aegis export.
 *
 * Expected values come from outside this code: the vector table of Aegis'
 * DatabaseImporterTest (../shared/fixtures/aegis/PROVENANCE.md), the account
 * table of Stratum's converter tests (../shared/fixtures/stratum), OTPClient's
 * malformed inputs (../shared/fixtures/malformed), RFC 7914 / RFC 6070 /
 * NIST GCM vectors for the primitives, oathtool for the codes of imported
 * accounts, and /usr/bin/python3 + python3-cryptography to decrypt our own
 * encrypted Aegis export independently.
 *
 * Policy checked here (documented in aegis.c, andotp.c, twofas.c): an entry
 * of a type mfa cannot compute (mOTP, Yandex, unknown) or without a secret
 * fails the whole import with a reason naming it; OTPClient skips such
 * entries instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "io/formats.h"
#include "io/io.h"
#include "io/iocrypto.h"
#include "io/iojson.h"
#include "mfa/otp.h"

#include "fixtures.h"

#define AEGIS "/aegis/importers"
#define STRATUM "/stratum"

typedef int (*import_fn)(const uint8_t *, size_t, io_pass_fn, void *,
			 struct io_list *, struct mfa_err *);

struct vec {
	char type[8]; /* totp, hotp, steam */
	char name[64];
	char issuer[64];
	char secret[80]; /* base32 as published */
	char algo[8];
	unsigned digits;
	uint64_t pc; /* period, or counter for hotp */
};

/* Aegis VaultEntries.get() (PROVENANCE.md "vector table"). */
static const struct vec V[8] = {
    {"totp", "Mason", "Deno", "4SJHB4GSD43FZBAI7C2HLRJGPQ", "SHA1", 6, 30},
    {"totp", "James", "SPDX", "5OM4WOOGPLQEF6UGN3CPEOOLWU", "SHA256", 7, 20},
    {"totp", "Elijah", "Airbnb", "7ELGJSGXNCCTV3O6LKJWYFV2RA", "SHA512", 8, 50},
    {"hotp", "James", "Issuu", "YOOMIXWS5GN6RTBPUFFWKTW5M4", "SHA1", 6, 1},
    {"hotp", "Benjamin", "Air Canada", "KUVJJOM753IHTNDSZVCNKL7GII", "SHA256",
     7, 50},
    {"hotp", "Mason", "WWE", "5VAML3X35THCEBVRLV24CGBKOY", "SHA512", 8, 10300},
    {"steam", "Sophia", "Boeing", "JRZCL47CMXVOQMNPZR2F7J4RGI", "SHA1", 5, 30},
    {"totp", "US-2211-2050-3346", "Battle.net",
     "BMGRXPGFARQQF4GMT25JATL2VYLAHDBI", "SHA1", 8, 30},
};

/* Stratum's accounts (stratum/PROVENANCE.md), label Issuer:Name. */
static const struct vec S_LONG = {
    "totp", "Period", "Long", "JGRMXBLPPYQIFMRBFQDHNP3MPPYQYNUN",
    "SHA1", 6,	      60};
static const struct vec S_DIGITS = {
    "totp", "Digits", "Many", "WEV2GHDH4EAU7D5SZGCIQOFBNQ35EHBS",
    "SHA1", 9,	      30};
static const struct vec S_256 = {
    "totp", "256", "Sha", "RJNZJM7PAGJUBG32XHQWHFZVLYOMGIUQ", "SHA256", 6, 30};
static const struct vec S_512 = {
    "totp", "512", "Sha", "UW33SR5O4EKTDXNCBBS5FSPUKAYXIWOH", "SHA512", 6, 30};
static const struct vec S_HOTP = {
    "hotp", "Hotp", "Standard", "JOR2VZXMNHACFNLRAOACFFRDRYAOFMLB",
    "SHA1", 6,	    10};
static const struct vec S_TOTP = {
    "totp", "Totp", "Standard", "54VEGZFJHM3BGDONFERMPUOKNGDJETGM",
    "SHA1", 6,	    30};
static const struct vec S_NOISSUER = {
    "totp", "NoIssuer", "", "KY2QJPMNQLSGSZE2C5F7AYBLBVEEDHFX", "SHA1", 6, 30};

struct pw {
	const char *pass;
	int calls;
};

static int
pw_cb(void *arg, char **pass, size_t *len)
{
	struct pw *p = arg;
	size_t n = strlen(p->pass);

	p->calls++;
	if ((*pass = sodium_malloc(n + 1)) == NULL)
		return MFA_ENOMEM;
	memcpy(*pass, p->pass, n + 1);
	*len = n;
	return 0;
}

static int
pw_cancel(void *arg, char **pass, size_t *len)
{
	(void)arg;
	(void)pass;
	(void)len;
	return MFA_ECANCELED;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* RFC 4648 base32, written here so secrets are not checked with the code
 * under test. Padding and trailing partial bits are dropped. */
static size_t
t_b32(const char *s, uint8_t *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	const char *p;
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

	for (; *s != '\0' && *s != '='; s++) {
		p = strchr(a, *s);
		assert_non_null(p);
		acc = (acc << 5) | (uint32_t)(p - a);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

static void
check_entry(const struct io_entry *e, const struct vec *v, const char *ctx,
	    size_t i)
{
	enum otp_type t = strcmp(v->type, "hotp") == 0	  ? OTP_HOTP
			  : strcmp(v->type, "steam") == 0 ? OTP_STEAM
							  : OTP_TOTP;
	enum otp_hash h = strcmp(v->algo, "SHA256") == 0   ? OTP_SHA256
			  : strcmp(v->algo, "SHA512") == 0 ? OTP_SHA512
							   : OTP_SHA1;
	uint8_t sec[64];
	size_t n = t_b32(v->secret, sec);

	if (strcmp(e->name, v->name) != 0 || strcmp(e->issuer, v->issuer) != 0)
		fail_msg("%s entry %zu: got %s/%s want %s/%s", ctx, i,
			 e->issuer, e->name, v->issuer, v->name);
	if (e->p.type != t || e->p.hash != h || e->p.digits != v->digits)
		fail_msg(
		    "%s entry %zu (%s): got type %d hash %d digits %u, want "
		    "%s %s %u",
		    ctx, i, v->name, e->p.type, e->p.hash, e->p.digits, v->type,
		    v->algo, v->digits);
	if (t == OTP_HOTP && e->p.counter != v->pc)
		fail_msg("%s entry %zu (%s): counter %llu want %llu", ctx, i,
			 v->name, (unsigned long long)e->p.counter,
			 (unsigned long long)v->pc);
	if (t != OTP_HOTP && e->p.period != v->pc)
		fail_msg("%s entry %zu (%s): period %llu want %llu", ctx, i,
			 v->name, (unsigned long long)e->p.period,
			 (unsigned long long)v->pc);
	assert_int_equal(e->p.t0, 0);
	if (e->secret_len != n || memcmp(e->secret, sec, n) != 0)
		fail_msg("%s entry %zu (%s): secret differs", ctx, i, v->name);
	assert_non_null(e->serial);
	assert_non_null(e->note);
}

static void
check_list(const struct io_list *l, size_t from, const struct vec *v, size_t n,
	   const char *ctx)
{
	size_t i;

	if (l->n - from != n)
		fail_msg("%s: %zu entries, want %zu", ctx, l->n - from, n);
	for (i = 0; i < n; i++)
		check_entry(&l->v[from + i], &v[i], ctx, i + 1);
}

/* A list holding one sentinel, to see that failures append nothing. */
static void
sentinel(struct io_list *l)
{
	struct io_entry e;
	struct otp_params p;
	uint8_t s[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

	memset(l, 0, sizeof(*l));
	otp_params_default(&p, OTP_TOTP);
	assert_int_equal(io_entry_make(&e, "sentinel", "", &p, s, sizeof(s)),
			 0);
	assert_int_equal(io_list_push(l, &e), 0);
}

static void
check_sentinel(const struct io_list *l)
{
	assert_int_equal(l->n, 1);
	assert_string_equal(l->v[0].name, "sentinel");
}

/*
 * Import path with fn (and, when auto_too, again through io_import with
 * detection) and compare with want[0..n).
 */
static void
import_ok(import_fn fn, const char *path, const char *pass, bool auto_too,
	  enum io_format fmt, const struct vec *want, size_t n)
{
	struct io_list l;
	struct pw pw = {pass, 0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	uint8_t *buf;
	size_t len;
	int rc;

	buf = slurp(path, &len);
	sentinel(&l);
	rc = fn(buf, len, pass != NULL ? pw_cb : NULL, &pw, &l, &werr);
	if (rc != 0)
		fail_msg("%s: %s (%s)", path, mfa_strerror_name(rc), why);
	assert_int_equal(pw.calls, pass != NULL ? 1 : 0);
	check_list(&l, 1, want, n, path);
	io_list_free(&l);

	assert_int_equal(io_detect(buf, len), fmt);
	if (auto_too) {
		pw.calls = 0;
		rc = io_import(buf, len, IO_AUTO, pass != NULL ? pw_cb : NULL,
			       &pw, &l, &werr);
		if (rc != 0)
			fail_msg("%s (auto): %s (%s)", path,
				 mfa_strerror_name(rc), why);
		check_list(&l, 0, want, n, path);
		assert_int_equal(pw.calls, pass != NULL ? 1 : 0);
		io_list_free(&l);
	}
	free(buf);
}

/* Import fails with rc, appends nothing, and why contains needle. */
static void
import_fails_buf(import_fn fn, const uint8_t *buf, size_t len, const char *pass,
		 int want_rc, const char *needle, const char *ctx)
{
	struct io_list l;
	struct pw pw = {pass, 0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	int rc;

	sentinel(&l);
	rc = fn(buf, len, pass != NULL ? pw_cb : NULL, &pw, &l, &werr);
	if (rc >= 0)
		fail_msg("%s: import succeeded, want failure", ctx);
	if (want_rc != 0 && rc != want_rc)
		fail_msg("%s: got %s (%s), want %s", ctx, mfa_strerror_name(rc),
			 why, mfa_strerror_name(want_rc));
	if (why[0] == '\0')
		fail_msg("%s: no reason given", ctx);
	if (needle != NULL && strstr(why, needle) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", ctx, why, needle);
	check_sentinel(&l);
	io_list_free(&l);
}

static void
import_fails(import_fn fn, const char *path, const char *pass, int want_rc,
	     const char *needle)
{
	uint8_t *buf;
	size_t len;

	buf = slurp(path, &len);
	import_fails_buf(fn, buf, len, pass, want_rc, needle, path);
	free(buf);
}

static void
pick(struct vec *out, const int *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = V[idx[i] - 1];
}

/*
 * Primitives against published vectors.
 */
static void
unhex(const char *h, uint8_t *out, size_t n)
{
	assert_int_equal(iocrypto_hex_decode(h, out, n), 0);
}

static void
test_primitives(void **state)
{
	uint8_t k[64], want[64], zero[32] = {0}, ct[16], tag[16], pt[16];
	char hex[129];

	(void)state;
	/* RFC 7914 section 12, third vector. */
	assert_int_equal(iocrypto_scrypt("password", 8, (const uint8_t *)"NaCl",
					 4, 1024, 8, 16, k, 64),
			 0);
	unhex(
	    "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
	    "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
	    want, 64);
	assert_memory_equal(k, want, 64);
	/* Aegis SCryptTest.testTrailingNullCollision: N=2^15 r=1 p=8, no salt.
	 */
	assert_int_equal(iocrypto_scrypt("test\0\0", 6, (const uint8_t *)"", 0,
					 32768, 1, 8, k, 32),
			 0);
	iocrypto_hex_encode(k, 32, hex);
	assert_string_equal(hex, "41cd8110d0c66ede16f97ce84fd8e2bd2269c931853"
				 "2a01437789dfbadd1392e");
	/* Parameters a hostile file could choose. */
	assert_int_equal(iocrypto_scrypt_check(1000, 8, 1), MFA_EUNSUPPORTED);
	assert_int_equal(iocrypto_scrypt_check(1024, 8, 17), MFA_EUNSUPPORTED);
	assert_int_equal(iocrypto_scrypt_check(1024, 0, 1), MFA_EUNSUPPORTED);
	assert_int_equal(iocrypto_scrypt_check(1ULL << 40, 8, 1),
			 MFA_EUNSUPPORTED);
	assert_int_equal(iocrypto_scrypt_check(1ULL << 20, 8, 1),
			 MFA_EUNSUPPORTED);
	assert_int_equal(iocrypto_scrypt_check(32768, 8, 1), 0);
	/* RFC 6070 PBKDF2-HMAC-SHA1, c = 2. */
	assert_int_equal(iocrypto_pbkdf2(OTP_SHA1, "password", 8,
					 (const uint8_t *)"salt", 4, 2, k, 20),
			 0);
	iocrypto_hex_encode(k, 20, hex);
	assert_string_equal(hex, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
	assert_int_equal(iocrypto_pbkdf2(OTP_SHA1, "p", 1, (const uint8_t *)"s",
					 1, 0, k, 20),
			 MFA_EUNSUPPORTED);
	/* NIST GCM test case 14: AES-256, zero key/IV/plaintext. */
	assert_int_equal(
	    iocrypto_gcm_encrypt(zero, zero, 12, zero, 16, ct, tag), 0);
	iocrypto_hex_encode(ct, 16, hex);
	assert_string_equal(hex, "cea7403d4d606b6e074ec5d3baf39d18");
	iocrypto_hex_encode(tag, 16, hex);
	assert_string_equal(hex, "d0d1c8a799996bf0265b98b5d48ab919");
	assert_int_equal(iocrypto_gcm_decrypt(zero, zero, 12, ct, 16, tag, pt),
			 0);
	assert_memory_equal(pt, zero, 16);
	tag[0] ^= 1;
	assert_int_equal(iocrypto_gcm_decrypt(zero, zero, 12, ct, 16, tag, pt),
			 MFA_EDECRYPT);
	assert_memory_equal(pt, zero, 16); /* wiped, not half-decrypted */
	/* Hex must be exact. */
	assert_int_equal(iocrypto_hex_decode("0g", k, 1), MFA_EPARSE);
	assert_int_equal(iocrypto_hex_decode("00", k, 2), MFA_EPARSE);
	assert_int_equal(iocrypto_hex_decode("AbCd", k, 2), 0);
	assert_int_equal(k[0], 0xab);
}

/*
 * Aegis.
 */
static const int ALL7[] = {1, 2, 3, 4, 5, 6, 7};

static void
test_aegis_fixtures(void **state)
{
	struct vec w[7];

	(void)state;
	fixture_need("/aegis");
	pick(w, ALL7, 7);
	import_ok(aegis_import, fixture(AEGIS "/aegis_plain.json"), NULL, true,
		  IO_AEGIS, w, 7);
	import_ok(aegis_import, fixture(AEGIS "/aegis_encrypted.json"), "test",
		  true, IO_AEGIS, w, 7);
	import_ok(aegis_import,
		  fixture("/aegis/vault/aegis_plain_grouped_v2.json"), NULL,
		  true, IO_AEGIS, w, 7);
}

static void
test_aegis_wrong_password(void **state)
{
	struct io_list l;
	struct mfa_err werr = {0};
	uint8_t *buf;
	size_t len;

	(void)state;
	fixture_need("/aegis");
	import_fails(aegis_import, fixture(AEGIS "/aegis_encrypted.json"),
		     "tset", MFA_EDECRYPT, "wrong password or damaged file");
	import_fails(aegis_import, fixture(AEGIS "/aegis_encrypted.json"), "",
		     MFA_EDECRYPT, "wrong password");
	import_fails(aegis_import, fixture(AEGIS "/aegis_encrypted.json"), NULL,
		     MFA_ENOPASS, "password");
	buf = slurp(fixture(AEGIS "/aegis_encrypted.json"), &len);
	sentinel(&l);
	assert_int_equal(aegis_import(buf, len, pw_cancel, NULL, &l, &werr),
			 MFA_ECANCELED);
	check_sentinel(&l);
	io_list_free(&l);
	free(buf);
}

/* Stratum's Aegis files hold mOTP and Yandex entries (8 and 9). */
static void
test_aegis_stratum(void **state)
{
	const struct vec username = {
	    "totp", "Username", "", "BBBBBBBBBBBBBBBBBBBBBBBB", "SHA1", 6, 30};
	const struct vec steam = {
	    "steam", "Steam", "Steam", "CCCCCCCCCCCCCCCCCCCCCCCCCCCCC",
	    "SHA1",  5,	      30};
	struct vec w[9];
	struct io_list l = {0};
	char *txt;
	struct mfa_err werr = {0};
	char *why = werr.why;
	json_t *root, *entries, *e;
	uint8_t *buf;
	size_t len, i;
	const char *t;

	(void)state;
	fixture_need(STRATUM);
	import_fails(aegis_import, fixture(STRATUM "/aegis.unencrypted.json"),
		     NULL, MFA_EUNSUPPORTED,
		     "entry 8 (Motp:Motp): type motp is not supported");
	/* Same reason once decrypted: proves the password worked. */
	import_fails(aegis_import, fixture(STRATUM "/aegis.encrypted.json"),
		     "test", MFA_EUNSUPPORTED,
		     "entry 8 (Motp:Motp): type motp is not supported");
	import_fails(aegis_import, fixture(STRATUM "/aegis.encrypted.json"),
		     "test1", MFA_EDECRYPT, "wrong password");

	/* Without the entries mfa cannot compute, the rest imports. */
	buf = slurp(fixture(STRATUM "/aegis.unencrypted.json"), &len);
	root = json_loadb((const char *)buf, len, 0, NULL);
	assert_non_null(root);
	entries = json_object_get(json_object_get(root, "db"), "entries");
	for (i = 0; i < json_array_size(entries);) {
		e = json_array_get(entries, i);
		t = json_string_value(json_object_get(e, "type"));
		if (strcmp(t, "motp") == 0 || strcmp(t, "yandex") == 0)
			json_array_remove(entries, i);
		else
			i++;
	}
	txt = json_dumps(root, 0);
	assert_non_null(txt);
	w[0] = S_LONG;
	w[1] = S_DIGITS;
	w[2] = S_256;
	w[3] = S_512;
	w[4] = S_HOTP;
	w[5] = S_TOTP;
	w[6] = S_NOISSUER;
	/* Stratum's Aegis export repeats the name as issuer here. */
	strcpy(w[6].issuer, "NoIssuer");
	w[7] = username;
	w[8] = steam;
	if (aegis_import((const uint8_t *)txt, strlen(txt), NULL, NULL, &l,
			 &werr) != 0)
		fail_msg("filtered stratum aegis: %s", why);
	check_list(&l, 0, w, 9, "stratum aegis (filtered)");
	io_list_free(&l);
	io_wipe_free(txt);
	json_decref(root);

	/*
	 * skip_unsupported: the real file, plain and encrypted, gives the
	 * same nine accounts, and names the two it left out.
	 */
	for (i = 0; i < 2; i++) {
		struct pw pw = {"test", 0};
		uint8_t *f;
		size_t flen;

		f = slurp(i == 0 ? fixture(STRATUM "/aegis.unencrypted.json")
				 : fixture(STRATUM "/aegis.encrypted.json"),
			  &flen);
		memset(&l, 0, sizeof(l));
		l.skip_unsupported = true;
		if (io_import(f, flen, IO_AUTO, pw_cb, &pw, &l, &werr) != 0)
			fail_msg("stratum aegis with skips: %s", why);
		check_list(&l, 0, w, 9, "stratum aegis (skipped)");
		assert_int_equal(l.nskipped, 2);
		assert_string_equal(
		    l.skipped[0],
		    "entry 8 (Motp:Motp): type motp is not supported");
		assert_string_equal(
		    l.skipped[1],
		    "entry 9 (Yandex:Yandex): type yandex is not supported");
		assert_false(l.entry_failed);
		io_list_free(&l);
		free(f);
	}
	/* Without it: the first such entry fails the file, flagged so. */
	memset(&l, 0, sizeof(l));
	assert_int_equal(io_import(buf, len, IO_AUTO, NULL, NULL, &l, &werr),
			 MFA_EUNSUPPORTED);
	assert_true(l.entry_failed);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.nskipped, 0);
	io_list_free(&l);
	free(buf);
}

static void
test_aegis_notes_and_types(void **state)
{
	static const char *doc =
	    "{\"version\":1,\"header\":{\"slots\":null,\"params\":null},"
	    "\"db\":{\"version\":3,\"entries\":[{\"type\":\"TOTP\",\"uuid\":"
	    "\"x\",\"name\":\"n\",\"issuer\":\"i\",\"note\":\"a \\\"note\\\"\","
	    "\"info\":{\"secret\":\"jbsw y3dp ehpk 3pxp\",\"algo\":\"SHA1\","
	    "\"digits\":6,\"period\":30}}],\"groups\":[]}}";
	struct io_list l = {0};
	struct mfa_err werr = {0};

	(void)state;
	assert_int_equal(aegis_import((const uint8_t *)doc, strlen(doc), NULL,
				      NULL, &l, &werr),
			 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].note, "a \"note\"");
	assert_int_equal(l.v[0].secret_len, 10);
	assert_memory_equal(l.v[0].secret, "Hello!\xde\xad\xbe\xef", 10);
	io_list_free(&l);
}

/* OTPClient's malformed inputs that concern Aegis and 2FAS. */
static void
test_malformed_otpclient(void **state)
{
	json_t *root, *cases, *c;
	size_t i, n = 0;
	uint8_t zeros[256] = {0};
	char b32[64], b256[400], b12[32], tmpl[600];
	struct mfa_err werr = {0};
	char *why = werr.why;
	struct io_list l;
	struct pw pw;
	const char *id, *contents, *pass;
	import_fn fn;
	int rc;

	(void)state;
	fixture_need("/malformed");
	root = json_load_file(
	    fixture("/malformed/otpclient_malformed_inputs.json"), 0, NULL);
	assert_non_null(root);
	cases = json_object_get(root, "cases");
	json_array_foreach(cases, i, c)
	{
		id = json_string_value(json_object_get(c, "id"));
		contents = json_string_value(json_object_get(c, "contents"));
		pass = json_string_value(json_object_get(c, "password"));
		if (strncmp(id, "aegis/", 6) == 0)
			fn = aegis_import;
		else if (strncmp(id, "twofas/", 7) == 0)
			fn = twofas_import;
		else
			continue;
		if (json_is_true(json_object_get(c, "contents_is_template"))) {
			assert_string_equal(id, "twofas/bad-tag");
			sodium_bin2base64(b32, sizeof(b32), zeros, 32,
					  sodium_base64_VARIANT_ORIGINAL);
			sodium_bin2base64(b256, sizeof(b256), zeros, 256,
					  sodium_base64_VARIANT_ORIGINAL);
			sodium_bin2base64(b12, sizeof(b12), zeros, 12,
					  sodium_base64_VARIANT_ORIGINAL);
			snprintf(tmpl, sizeof(tmpl),
				 "{\"schemaVersion\":4,\"servicesEncrypted\":"
				 "\"%s:%s:%s\"}",
				 b32, b256, b12);
			contents = tmpl;
		}
		sentinel(&l);
		pw.pass = pass;
		pw.calls = 0;
		why[0] = '\0';
		rc = fn((const uint8_t *)contents, strlen(contents),
			pass != NULL ? pw_cb : NULL, &pw, &l, &werr);
		if (rc >= 0 || why[0] == '\0')
			fail_msg("%s: want a failure with a reason, got %s", id,
				 mfa_strerror_name(rc));
		print_message("%s: %s (%s)\n", id, mfa_strerror_name(rc), why);
		check_sentinel(&l);
		io_list_free(&l);
		/* Structural faults are found before asking for a password. */
		if (strcmp(id, "twofas/bad-tag") == 0)
			assert_int_equal(rc, MFA_EDECRYPT);
		else
			assert_int_equal(pw.calls, 0);
		n++;
	}
	assert_int_equal(n, 10);
	json_decref(root);
}

#define S(s) (const uint8_t *)(s), strlen(s)
#define K32 "00000000000000000000000000000000"
/* An encrypted vault with one password slot of the given cost and salt. */
#define SLOT(n, r, p, salt)                                                    \
	"{\"version\":1,\"header\":{\"slots\":[{\"type\":1,\"n\":" n           \
	",\"r\":" r ",\"p\":" p ",\"salt\":\"" salt "\",\"key\":\"" K32 K32    \
	"\",\"key_params\":{\"nonce\":\"000000000000000000000000\","           \
	"\"tag\":\"" K32 "\"}}],\"params\":{\"nonce\":"                        \
	"\"000000000000000000000000\",\"tag\":\"" K32 "\"}},\"db\":\"AAAA\"}"

static void
test_aegis_malformed_more(void **state)
{
	static const char *bad[] = {
	    "",
	    "[]",
	    "{\"version\":2,\"header\":{},\"db\":{\"entries\":[]}}",
	    "{\"header\":{},\"db\":{\"version\":4,\"entries\":[]}}",
	    "{\"header\":{},\"db\":{\"version\":1,\"entries\":{}}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"totp\",\"info\":"
	    "{\"secret\":\"\"}}]}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"totp\",\"info\":"
	    "{\"secret\":\"!!!!\"}}]}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"totp\",\"info\":"
	    "{\"secret\":\"JBSWY3DP\",\"digits\":11}}]}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"totp\",\"info\":"
	    "{\"secret\":\"JBSWY3DP\",\"period\":0}}]}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"totp\",\"info\":"
	    "{\"secret\":\"JBSWY3DP\",\"algo\":\"MD5\"}}]}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"hotp\",\"info\":"
	    "{\"secret\":\"JBSWY3DP\",\"counter\":-1}}]}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"yandex\",\"name\":"
	    "\"foo\",\"issuer\":\"Yandex\",\"info\":{\"secret\":\"JBSWY3DP\"}}"
	    "]}}",
	    "{\"header\":{},\"db\":{\"entries\":[{\"type\":\"totp\",\"info\":"
	    "{\"secret\":\"JBSWY3DP\"}}, 5]}}",
	    /* Encrypted db without slots, with only a biometric slot. */
	    "{\"header\":{\"slots\":null,\"params\":null},\"db\":\"AAAA\"}",
	    "{\"header\":{\"slots\":[{\"type\":2}],\"params\":{}},\"db\":"
	    "\"AA\"}",
	};
	size_t i;
	char ctx[32];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ctx, sizeof(ctx), "aegis bad[%zu]", i);
		import_fails_buf(aegis_import, (const uint8_t *)bad[i],
				 strlen(bad[i]), "x", 0, NULL, ctx);
	}
	import_fails_buf(aegis_import, (const uint8_t *)bad[11],
			 strlen(bad[11]), NULL, MFA_EUNSUPPORTED,
			 "entry 1 (Yandex:foo): type yandex is not supported",
			 "yandex");
	/* Hostile KDF costs and short salts are refused before asking. */
	import_fails_buf(aegis_import, S(SLOT("1073741824", "8", "1", K32)),
			 NULL, MFA_EUNSUPPORTED, "not accepted", "huge N");
	import_fails_buf(aegis_import, S(SLOT("32768", "8", "1", "00")), NULL,
			 MFA_EPARSE, "salt too short", "short salt");
	import_fails_buf(aegis_import, S(SLOT("32768", "8", "1", "0g" K32)),
			 NULL, MFA_EPARSE, "bad salt", "bad salt hex");
}

/*
 * A hostile file may ask for hours of scrypt: the cost is bounded before
 * any password is asked for, per slot and over one import.
 */
static void
test_aegis_kdf_budget(void **state)
{
	static const struct {
		const char *doc;
		uint64_t spent; /* KDF work already spent by the import */
		int rc;
		const char *why;
	} cases[] = {
	    /* RFC 7914 (and OpenSSL): N < 2^(16 r). */
	    {SLOT("65536", "1", "1", K32), 0, MFA_EUNSUPPORTED,
	     "key slot 1: scrypt N=65536 is not below 2^(16 r) = 65536, as "
	     "RFC 7914 requires"},
	    /* 2^18 * 8 * 16 = 2^25: more than one import may spend. */
	    {SLOT("262144", "8", "16", K32), 0, MFA_ETOOBIG,
	     "stopped before password slot 1 of 1 (scrypt N=262144 r=8 p=16): "
	     "one import spends at most 64 times Aegis' own key derivation "
	     "work"},
	    /* Affordable alone, not after what this import already spent. */
	    {SLOT("1024", "8", "1", K32), IOCRYPTO_SCRYPT_BUDGET - 8191,
	     MFA_ETOOBIG, "stopped before password slot 1 of 1"},
	};
	struct io_list l;
	struct pw pw;
	struct mfa_err werr = {0};
	char *why = werr.why;
	uint8_t *buf;
	size_t i, len;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&l, 0, sizeof(l));
		l.kdf_work = cases[i].spent;
		pw = (struct pw){"x", 0};
		why[0] = '\0';
		rc = io_import(S(cases[i].doc), IO_AUTO, pw_cb, &pw, &l, &werr);
		if (rc != cases[i].rc || strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: %s (%s)", i, mfa_strerror_name(rc),
				 why);
		/* Refused before the password prompt. */
		assert_int_equal(pw.calls, 0);
		assert_int_equal(l.n, 0);
		io_list_free(&l);
	}
	/* What a real file costs is counted: Aegis' own N 2^15, r 8, p 1. */
	fixture_need("/aegis");
	buf = slurp(fixture(AEGIS "/aegis_encrypted.json"), &len);
	memset(&l, 0, sizeof(l));
	pw = (struct pw){"test", 0};
	assert_int_equal(io_import(buf, len, IO_AUTO, pw_cb, &pw, &l, &werr),
			 0);
	assert_int_equal(l.kdf_work % (32768 * 8), 0);
	assert_true(l.kdf_work >= 32768 * 8);
	/* The budget carries over to the next file of the same import. */
	l.kdf_work = IOCRYPTO_SCRYPT_BUDGET - 1;
	pw.calls = 0;
	assert_int_equal(io_import(buf, len, IO_AUTO, pw_cb, &pw, &l, &werr),
			 MFA_ETOOBIG);
	assert_int_equal(pw.calls, 0);
	io_list_free(&l);
	free(buf);
}

/* Truncations and flipped bytes of every encrypted fixture. */
static void
test_truncated_and_garbled(void **state)
{
	static const struct {
		const char *path, *pass;
		import_fn fn;
		size_t flip; /* offset of a ciphertext byte to change */
	} f[] = {
	    {AEGIS "/aegis_encrypted.json", "test", aegis_import, 1000},
	    {AEGIS "/andotp_encrypted.bin", "test", andotp_import, 100},
	    {AEGIS "/andotp_encrypted_old.bin", "test", andotp_import, 100},
	    {AEGIS "/2fas_authenticator_encrypted_v4.2fas", "test",
	     twofas_import, 400},
	};
	size_t i, k, len, cut[5];
	uint8_t *buf, *copy;
	char ctx[300];

	(void)state;
	fixture_need("/aegis");
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		buf = slurp(fixture(f[i].path), &len);
		cut[0] = 0;
		cut[1] = 1;
		cut[2] = 27;
		cut[3] = len / 2;
		cut[4] = len - 1;
		for (k = 0; k < 5; k++) {
			copy = malloc(cut[k] + 1);
			memcpy(copy, buf, cut[k]);
			snprintf(ctx, sizeof(ctx), "%s cut at %zu", f[i].path,
				 cut[k]);
			import_fails_buf(f[i].fn, copy, cut[k], f[i].pass, 0,
					 NULL, ctx);
			free(copy);
		}
		/* One changed byte: the tag no longer verifies. */
		copy = malloc(len);
		memcpy(copy, buf, len);
		if (f[i].fn == andotp_import)
			copy[f[i].flip] ^= 0x40;
		else
			copy[f[i].flip] = copy[f[i].flip] == 'A' ? 'B' : 'A';
		snprintf(ctx, sizeof(ctx), "%s changed at %zu", f[i].path,
			 f[i].flip);
		import_fails_buf(f[i].fn, copy, len, f[i].pass, MFA_EDECRYPT,
				 "wrong password or damaged file", ctx);
		free(copy);
		free(buf);
	}
}

/*
 * andOTP.
 */
static void
test_andotp_fixtures(void **state)
{
	struct vec w[7];
	size_t i;

	(void)state;
	fixture_need("/aegis");
	pick(w, ALL7, 7);
	import_ok(andotp_import, fixture(AEGIS "/andotp_plain.json"), NULL,
		  true, IO_ANDOTP, w, 7);
	import_ok(andotp_import, fixture(AEGIS "/andotp_encrypted.bin"), "test",
		  true, IO_ANDOTP, w, 7);
	/*
	 * Old layout: label "Deno - Deno:Mason". It has no magic; detection
	 * takes a binary file of no other kind for one.
	 */
	for (i = 0; i < 6; i++) {
		snprintf(w[i].name, sizeof(w[i].name), "%s:%s", V[i].issuer,
			 V[i].name);
	}
	import_ok(andotp_import, fixture(AEGIS "/andotp_encrypted_old.bin"),
		  "test", true, IO_ANDOTP, w, 6);
	import_fails(andotp_import, fixture(AEGIS "/andotp_encrypted.bin"),
		     "tset", MFA_EDECRYPT, "wrong password or damaged file");
	import_fails(andotp_import, fixture(AEGIS "/andotp_encrypted_old.bin"),
		     "tset", MFA_EDECRYPT, "wrong password or damaged file");
	import_fails(andotp_import, fixture(AEGIS "/andotp_encrypted.bin"),
		     NULL, MFA_ENOPASS, NULL);
}

static void
test_andotp_stratum(void **state)
{
	const struct vec steam = {
	    "steam", "Steam", "Steam", "BBBBBBBBBBBBBBBBBA======",
	    "SHA1",  5,	      30};
	struct vec w[8];
	struct io_list l = {0};
	char *txt;
	struct mfa_err werr = {0};
	char *why = werr.why;
	json_t *root, *e;
	size_t i, len;
	uint8_t *buf;

	(void)state;
	fixture_need(STRATUM);
	import_fails(andotp_import, fixture(STRATUM "/andotp.unencrypted.json"),
		     NULL, MFA_EUNSUPPORTED,
		     "entry 8 (Motp:motp): type MOTP is not supported");
	import_fails(andotp_import, fixture(STRATUM "/andotp.encrypted.bin"),
		     "testtest", MFA_EUNSUPPORTED,
		     "entry 8 (Motp:motp): type MOTP is not supported");
	import_fails(andotp_import, fixture(STRATUM "/andotp.encrypted.bin"),
		     "test", MFA_EDECRYPT, "wrong password");
	buf = slurp(fixture(STRATUM "/andotp.encrypted.bin"), &len);
	assert_int_equal(io_detect(buf, len), IO_ANDOTP);
	free(buf);

	buf = slurp(fixture(STRATUM "/andotp.unencrypted.json"), &len);
	root = json_loadb((const char *)buf, len, 0, NULL);
	assert_non_null(root);
	for (i = 0; i < json_array_size(root);) {
		e = json_array_get(root, i);
		if (strcmp(json_string_value(json_object_get(e, "type")),
			   "MOTP") == 0)
			json_array_remove(root, i);
		else
			i++;
	}
	txt = json_dumps(root, 0);
	w[0] = S_LONG;
	w[1] = S_DIGITS;
	w[2] = S_NOISSUER;
	w[3] = S_256;
	w[4] = S_512;
	w[5] = S_HOTP;
	w[6] = S_TOTP;
	w[7] = steam;
	if (andotp_import((const uint8_t *)txt, strlen(txt), NULL, NULL, &l,
			  &werr) != 0)
		fail_msg("filtered stratum andotp: %s", why);
	check_list(&l, 0, w, 8, "stratum andotp (filtered)");
	io_list_free(&l);
	io_wipe_free(txt);
	json_decref(root);
	free(buf);
}

static void
test_andotp_malformed(void **state)
{
	static const char *bad[] = {
	    "{}",
	    "[1]",
	    "[{\"label\":\"x\"}]",
	    "[{\"label\":\"x\",\"secret\":\"JBSWY3DP\",\"type\":\"MOTP\"}]",
	    "[{\"label\":\"x\",\"secret\":\"JBSWY3DP\",\"digits\":0}]",
	    "[{\"label\":\"x\",\"secret\":\"JBSWY3DP\",\"algorithm\":\"MD5\"}]",
	    "[{\"label\":5,\"secret\":\"JBSWY3DP\"}]",
	    "[{\"label\":\"x\",\"secret\":\"JBSWY3DP\"",
	};
	size_t i;
	char ctx[32];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ctx, sizeof(ctx), "andotp bad[%zu]", i);
		import_fails_buf(andotp_import, (const uint8_t *)bad[i],
				 strlen(bad[i]), "x", 0, NULL, ctx);
	}
	/* Binary too short to be a backup: no password asked. */
	import_fails_buf(andotp_import, (const uint8_t *)"\x00\x01\x02", 3,
			 NULL, MFA_EPARSE, NULL, "andotp short binary");
}

/*
 * 2FAS.
 */
static void
test_twofas_fixtures(void **state)
{
	static const int s2[] = {1, 3, 4, 6};
	static const int s4[] = {1, 4, 5, 6, 7};
	struct vec w[7];
	size_t i;

	(void)state;
	fixture_need("/aegis");
	/* Schema 1: every account TOTP SHA1/6/30. */
	pick(w, ALL7, 6);
	for (i = 0; i < 6; i++) {
		strcpy(w[i].type, "totp");
		strcpy(w[i].algo, "SHA1");
		w[i].digits = 6;
		w[i].pc = 30;
	}
	import_ok(twofas_import, fixture(AEGIS "/2fas_authenticator.json"),
		  NULL, true, IO_TWOFAS, w, 6);
	/* Schema 2: TOTP with the vector's algorithm and digits. */
	pick(w, s2, 4);
	for (i = 0; i < 4; i++) {
		if (strcmp(w[i].type, "hotp") == 0)
			w[i].pc = 30;
		strcpy(w[i].type, "totp");
	}
	import_ok(twofas_import,
		  fixture(AEGIS "/2fas_authenticator_plain.2fas"), NULL, true,
		  IO_TWOFAS, w, 4);
	import_ok(twofas_import,
		  fixture(AEGIS "/2fas_authenticator_encrypted.2fas"), "test",
		  true, IO_TWOFAS, w, 4);
	/* Schema 3 and 4: exact. */
	pick(w, ALL7, 6);
	import_ok(twofas_import,
		  fixture(AEGIS "/2fas_authenticator_plain_v3.2fas"), NULL,
		  true, IO_TWOFAS, w, 6);
	import_ok(twofas_import,
		  fixture(AEGIS "/2fas_authenticator_encrypted_v3.2fas"),
		  "test", true, IO_TWOFAS, w, 6);
	pick(w, s4, 5);
	import_ok(twofas_import,
		  fixture(AEGIS "/2fas_authenticator_plain_v4.2fas"), NULL,
		  true, IO_TWOFAS, w, 5);
	import_ok(twofas_import,
		  fixture(AEGIS "/2fas_authenticator_encrypted_v4.2fas"),
		  "test", true, IO_TWOFAS, w, 5);
	import_fails(twofas_import,
		     fixture(AEGIS "/2fas_authenticator_encrypted_v4.2fas"),
		     "tset", MFA_EDECRYPT, "wrong password or damaged file");
	import_fails(twofas_import,
		     fixture(AEGIS "/2fas_authenticator_encrypted.2fas"), NULL,
		     MFA_ENOPASS, NULL);
}

static void
test_twofas_stratum(void **state)
{
	struct vec w[6];

	(void)state;
	fixture_need(STRATUM);
	/* File order; "algorithm": null on the first means SHA1. */
	w[0] = S_TOTP;
	w[1] = S_NOISSUER;
	w[2] = S_256;
	w[3] = S_512;
	w[4] = S_LONG;
	w[5] = S_HOTP;
	import_ok(twofas_import, fixture(STRATUM "/twofas.unencrypted.2fas"),
		  NULL, true, IO_TWOFAS, w, 6);
	import_ok(twofas_import, fixture(STRATUM "/twofas.encrypted.2fas"),
		  "test", true, IO_TWOFAS, w, 6);
	import_fails(twofas_import, fixture(STRATUM "/twofas.encrypted.2fas"),
		     "test1", MFA_EDECRYPT, "wrong password");
}

static void
test_twofas_malformed(void **state)
{
	static const char *bad[] = {
	    "{\"services\":[]}",
	    "{\"schemaVersion\":0,\"services\":[]}",
	    "{\"schemaVersion\":\"4\",\"services\":[]}",
	    "{\"schemaVersion\":4,\"services\":{}}",
	    "{\"schemaVersion\":4,\"services\":[{\"otp\":{}}]}",
	    "{\"schemaVersion\":4,\"services\":[{\"secret\":\"JBSWY3DP\","
	    "\"otp\":5}]}",
	    "{\"schemaVersion\":4,\"servicesEncrypted\":\"a:b:c:d\"}",
	    "{\"schemaVersion\":4,\"servicesEncrypted\":\"!!:AAAA:AAAA\"}",
	    "{\"schemaVersion\":4,\"servicesEncrypted\":\"AAAA:AAAA:AAAA\"}",
	};
	size_t i;
	char ctx[32];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(ctx, sizeof(ctx), "2fas bad[%zu]", i);
		import_fails_buf(twofas_import, (const uint8_t *)bad[i],
				 strlen(bad[i]), NULL, 0, NULL, ctx);
	}
}

static void
test_sniff(void **state)
{
	static const uint8_t png[] = {0x89, 'P',  'N', 'G', '\r', '\n',
				      0x1a, '\n', 0,   0,   0,	  13};
	uint8_t bin[64];

	(void)state;
	assert_false(aegis_sniff(png, sizeof(png)));
	assert_false(andotp_sniff(png, sizeof(png)));
	assert_false(twofas_sniff(png, sizeof(png)));
	assert_false(aegis_sniff((const uint8_t *)"{\"db\":{}}", 9));
	assert_true(
	    aegis_sniff(S("\xef\xbb\xbf {\"header\":null,\"db\":\"x\"}")));
	assert_false(aegis_sniff(S("{\"header\":null,\"db\":5}")));
	assert_false(twofas_sniff(S("{\"services\":[]}")));
	assert_true(twofas_sniff(S("{\"services\":[],\"schemaVersion\":4}")));
	assert_true(twofas_sniff(
	    S("{\"servicesEncrypted\":\"\",\"schemaVersion\":4}")));
	assert_false(andotp_sniff(S("[{\"secret\":\"A\"}]")));
	assert_false(andotp_sniff(S("[]")));
	assert_true(andotp_sniff(S("[{\"secret\":\"A\",\"label\":\"x\"}]")));
	/* Binary with andOTP's iteration band (150000 = 0x000249f0). */
	memset(bin, 0x5a, sizeof(bin));
	bin[0] = 0;
	bin[1] = 0x02;
	bin[2] = 0x49;
	bin[3] = 0xf0;
	assert_true(andotp_sniff(bin, sizeof(bin)));
	assert_false(andotp_sniff(bin, 40));
	bin[1] = 0x20;
	assert_false(andotp_sniff(bin, sizeof(bin)));
}

/*
 * Codes of imported accounts against oathtool (RFC 6238 / 4226 reference).
 */
static bool
run_line(const char *cmd, char *out, size_t outsz)
{
	FILE *p = popen(cmd, "r");
	bool ok;

	if (p == NULL)
		return false;
	ok = fgets(out, (int)outsz, p) != NULL;
	if (pclose(p) != 0)
		ok = false;
	out[strcspn(out, "\n")] = '\0';
	return ok;
}

static void
test_codes_oathtool(void **state)
{
	struct io_list l = {0};
	struct pw pw = {"test", 0};
	char cmd[256], want[32], got[OTP_CODE_MAX];
	struct mfa_err werr = {0};
	const struct vec *v;
	uint8_t *buf;
	size_t len, i;
	int64_t now = (int64_t)time(NULL);
	int checked = 0;

	(void)state;
	fixture_need("/aegis");
	if (system("oathtool --version >/dev/null 2>&1") != 0) {
		print_message("skipped: oathtool not found\n");
		skip();
	}
	buf = slurp(fixture(AEGIS "/aegis_encrypted.json"), &len);
	assert_int_equal(aegis_import(buf, len, pw_cb, &pw, &l, &werr), 0);
	free(buf);
	assert_int_equal(l.n, 7);
	for (i = 0; i < l.n; i++) {
		v = &V[i];
		if (strcmp(v->type, "totp") == 0)
			snprintf(cmd, sizeof(cmd),
				 "oathtool --totp=%s --digits=%u "
				 "--time-step-size=%llus --now=@%lld -b %s",
				 v->algo, v->digits, (unsigned long long)v->pc,
				 (long long)now, v->secret);
		else if (strcmp(v->type, "hotp") == 0 &&
			 strcmp(v->algo, "SHA1") == 0)
			snprintf(cmd, sizeof(cmd),
				 "oathtool --hotp -c %llu -d %u -b %s",
				 (unsigned long long)v->pc, v->digits,
				 v->secret);
		else
			continue; /* oathtool has no HOTP-SHA2 or Steam */
		assert_true(run_line(cmd, want, sizeof(want)));
		assert_int_equal(otp_code(&l.v[i].p, l.v[i].secret,
					  l.v[i].secret_len, now, got),
				 0);
		if (strcmp(got, want) != 0)
			fail_msg("%s: code %s, oathtool %s", v->name, got,
				 want);
		checked++;
	}
	assert_int_equal(checked, 4);
	io_list_free(&l);
}

/*
 * Aegis export.
 */
static void
make_entries(struct io_list *l)
{
	struct io_entry e;
	struct otp_params p;
	uint8_t sec[64];
	size_t i, n;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < 7; i++) {
		otp_params_default(&p, strcmp(V[i].type, "hotp") == 0 ? OTP_HOTP
				       : strcmp(V[i].type, "steam") == 0
					   ? OTP_STEAM
					   : OTP_TOTP);
		p.hash = strcmp(V[i].algo, "SHA256") == 0   ? OTP_SHA256
			 : strcmp(V[i].algo, "SHA512") == 0 ? OTP_SHA512
							    : OTP_SHA1;
		p.digits = V[i].digits;
		if (p.type == OTP_HOTP)
			p.counter = V[i].pc;
		else
			p.period = V[i].pc;
		n = t_b32(V[i].secret, sec);
		assert_int_equal(
		    io_entry_make(&e, V[i].name, V[i].issuer, &p, sec, n), 0);
		free(e.note);
		e.note = strdup(i == 0 ? "first \"note\"\n\\ ü" : "");
		free(e.serial);
		e.serial =
		    strdup(i == 1 ? "arn:aws:iam::123456789012:mfa/j" : "");
		assert_int_equal(io_list_push(l, &e), 0);
	}
}

static void
check_reimport(const char *buf, size_t len, const char *pass)
{
	struct io_list l = {0};
	struct pw pw = {pass, 0};
	struct vec w[7];
	struct mfa_err werr = {0};
	char *why = werr.why;

	pick(w, ALL7, 7);
	if (aegis_import((const uint8_t *)buf, len, pass ? pw_cb : NULL, &pw,
			 &l, &werr) != 0)
		fail_msg("re-import: %s", why);
	check_list(&l, 0, w, 7, "re-import");
	/* Lossless: the note in Aegis' note, the serial in mfa_serial. */
	assert_string_equal(l.v[0].note, "first \"note\"\n\\ ü");
	assert_string_equal(l.v[0].serial, "");
	assert_string_equal(l.v[1].serial, "arn:aws:iam::123456789012:mfa/j");
	assert_string_equal(l.v[1].note, "");
	assert_int_equal(io_detect((const uint8_t *)buf, len), IO_AEGIS);
	io_list_free(&l);
}

static void
test_export_plain(void **state)
{
	struct io_list l;
	char *out = NULL;
	size_t outlen = 0, i;
	json_t *root, *db, *e;
	const char *uuid;

	(void)state;
	make_entries(&l);
	assert_int_equal(io_export_aegis(l.v, l.n, NULL, 0, &out, &outlen), 0);
	assert_int_equal(strlen(out), outlen);
	root = json_loads(out, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "version")),
			 1);
	assert_true(json_is_null(
	    json_object_get(json_object_get(root, "header"), "slots")));
	db = json_object_get(root, "db");
	assert_int_equal(json_integer_value(json_object_get(db, "version")), 3);
	assert_true(json_is_array(json_object_get(db, "groups")));
	assert_int_equal(json_array_size(json_object_get(db, "entries")), 7);
	json_array_foreach(json_object_get(db, "entries"), i, e)
	{
		uuid = json_string_value(json_object_get(e, "uuid"));
		assert_non_null(uuid);
		assert_int_equal(strlen(uuid), 36);
		assert_int_equal(uuid[14], '4');
		assert_non_null(strchr("89ab", uuid[19]));
		assert_true(json_is_null(json_object_get(e, "icon")));
		assert_string_equal(json_string_value(json_object_get(
					json_object_get(e, "info"), "secret")),
				    V[i].secret);
	}
	json_decref(root);
	check_reimport(out, outlen, NULL);
	sodium_free(out);
	io_list_free(&l);
}

/* Decrypt with Python's hashlib.scrypt and python3-cryptography's AESGCM. */
static const char pydecrypt[] =
    "import sys, json, hashlib, base64\n"
    "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
    "v = json.load(open(sys.argv[1]))\n"
    "pw = open(sys.argv[2], 'rb').read()\n"
    "assert v['version'] == 1\n"
    "s = [s for s in v['header']['slots'] if s['type'] == 1]\n"
    "assert len(s) == 1\n"
    "s = s[0]\n"
    "print(s['n'], s['r'], s['p'], len(bytes.fromhex(s['salt'])))\n"
    "k = hashlib.scrypt(pw, salt=bytes.fromhex(s['salt']), n=s['n'], "
    "r=s['r'], p=s['p'], maxmem=1 << 30, dklen=32)\n"
    "kp = s['key_params']\n"
    "m = AESGCM(k).decrypt(bytes.fromhex(kp['nonce']), "
    "bytes.fromhex(s['key']) + bytes.fromhex(kp['tag']), None)\n"
    "p = v['header']['params']\n"
    "db = json.loads(AESGCM(m).decrypt(bytes.fromhex(p['nonce']), "
    "base64.b64decode(v['db']) + bytes.fromhex(p['tag']), None))\n"
    "print(db['version'])\n"
    "for e in db['entries']:\n"
    "    i = e['info']\n"
    "    print('|'.join(str(x) for x in [e['type'], e['name'], e['issuer'], "
    "i['secret'], i['algo'], i['digits'], i.get('period', "
    "i.get('counter')), json.dumps(e['note']), e.get('mfa_serial', '')]))\n";

static void
test_export_encrypted(void **state)
{
	static const char pass[] = "correct horse ✓ battery";
	struct io_list l;
	char *out = NULL, *out2 = NULL, line[2048], want[2048];
	char vpath[] = "/tmp/mfa-test-aegis-XXXXXX";
	char ppath[] = "/tmp/mfa-test-pass-XXXXXX";
	char spath[] = "/tmp/mfa-test-py-XXXXXX";
	char cmd[512];
	size_t outlen = 0, outlen2 = 0, i;
	json_t *root, *slot;
	FILE *p;
	int fd;

	(void)state;
	/* The independent decryption needs it: checked before anything. */
	if (system("/usr/bin/python3 -c 'import cryptography' "
		   ">/dev/null 2>&1") != 0) {
		print_message("skipped: /usr/bin/python3 lacks "
			      "python3-cryptography\n");
		skip();
	}
	make_entries(&l);
	assert_int_equal(
	    io_export_aegis(l.v, l.n, pass, strlen(pass), &out, &outlen), 0);
	assert_int_equal(strlen(out), outlen);
	root = json_loads(out, 0, NULL);
	assert_non_null(root);
	slot = json_array_get(
	    json_object_get(json_object_get(root, "header"), "slots"), 0);
	assert_int_equal(json_integer_value(json_object_get(slot, "type")), 1);
	assert_int_equal(json_integer_value(json_object_get(slot, "n")), 32768);
	assert_int_equal(json_integer_value(json_object_get(slot, "r")), 8);
	assert_int_equal(json_integer_value(json_object_get(slot, "p")), 1);
	assert_int_equal(
	    strlen(json_string_value(json_object_get(slot, "salt"))), 64);
	assert_true(json_is_string(json_object_get(root, "db")));
	/* No secret in the clear. */
	assert_null(strstr(out, V[0].secret));
	assert_null(strstr(out, "Mason"));
	json_decref(root);

	check_reimport(out, outlen, pass);
	import_fails_buf(aegis_import, (const uint8_t *)out, outlen,
			 "correct horse", MFA_EDECRYPT, "wrong password",
			 "export, wrong password");

	/* Fresh salt, key and nonces every time. */
	assert_int_equal(
	    io_export_aegis(l.v, l.n, pass, strlen(pass), &out2, &outlen2), 0);
	assert_true(outlen != outlen2 || memcmp(out, out2, outlen) != 0);
	sodium_free(out2);

	/* Independent decryption. */
	assert_true((fd = mkstemp(vpath)) >= 0);
	assert_int_equal(write(fd, out, outlen), (ssize_t)outlen);
	close(fd);
	assert_true((fd = mkstemp(ppath)) >= 0);
	assert_int_equal(write(fd, pass, strlen(pass)), (ssize_t)strlen(pass));
	close(fd);
	assert_true((fd = mkstemp(spath)) >= 0);
	assert_int_equal(write(fd, pydecrypt, strlen(pydecrypt)),
			 (ssize_t)strlen(pydecrypt));
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s %s", spath, vpath,
		 ppath);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	assert_string_equal(line, "32768 8 1 32\n");
	assert_non_null(fgets(line, sizeof(line), p));
	assert_string_equal(line, "3\n");
	for (i = 0; i < 7; i++) {
		assert_non_null(fgets(line, sizeof(line), p));
		snprintf(want, sizeof(want), "%s|%s|%s|%s|%s|%u|%llu|%s|%s\n",
			 V[i].type, V[i].name, V[i].issuer, V[i].secret,
			 V[i].algo, V[i].digits, (unsigned long long)V[i].pc,
			 i == 0 ? "\"first \\\"note\\\"\\n\\\\ \\u00fc\""
				: "\"\"",
			 i == 1 ? "arn:aws:iam::123456789012:mfa/j" : "");
		assert_string_equal(line, want);
	}
	assert_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	unlink(vpath);
	unlink(ppath);
	unlink(spath);
	sodium_free(out);
	io_list_free(&l);
}

static void
test_export_edges(void **state)
{
	struct io_list l = {0}, r = {0};
	char *out = NULL;
	struct mfa_err werr = {0};
	size_t outlen;

	(void)state;
	/* Nothing to export is still a vault. */
	assert_int_equal(io_export_aegis(NULL, 0, NULL, 0, &out, &outlen), 0);
	assert_int_equal(
	    aegis_import((const uint8_t *)out, outlen, NULL, NULL, &r, &werr),
	    0);
	assert_int_equal(r.n, 0);
	sodium_free(out);

	make_entries(&l);
	assert_int_equal(io_export_aegis(l.v, l.n, "", 0, &out, &outlen),
			 MFA_ENOPASS);
	assert_null(out);
	/* Aegis has no T0: refuse rather than change the codes. */
	l.v[1].p.t0 = 100;
	assert_int_equal(io_export_aegis(l.v, l.n, NULL, 0, &out, &outlen),
			 MFA_EUNSUPPORTED);
	l.v[1].p.t0 = 0;
	/* Names that need escaping, and bytes that are not UTF-8. */
	free(l.v[2].name);
	l.v[2].name = strdup("tab\there \"q\" back\\slash \x01 Zürich ✓");
	free(l.v[3].issuer);
	l.v[3].issuer = strdup("bad \xff\xfe utf8");
	assert_int_equal(io_export_aegis(l.v, l.n, NULL, 0, &out, &outlen), 0);
	assert_int_equal(
	    aegis_import((const uint8_t *)out, outlen, NULL, NULL, &r, &werr),
	    0);
	assert_int_equal(r.n, 7);
	assert_string_equal(r.v[2].name,
			    "tab\there \"q\" back\\slash \x01 Zürich ✓");
	assert_string_equal(r.v[3].issuer, "bad \xef\xbf\xbd\xef\xbf\xbd utf8");
	sodium_free(out);
	io_list_free(&r);
	io_list_free(&l);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	/* jansson then allocates with io_wipe_alloc: free dumps with
	 * io_wipe_free. */
	io_json_secure_init();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_primitives),
	    cmocka_unit_test(test_aegis_fixtures),
	    cmocka_unit_test(test_aegis_wrong_password),
	    cmocka_unit_test(test_aegis_stratum),
	    cmocka_unit_test(test_aegis_notes_and_types),
	    cmocka_unit_test(test_malformed_otpclient),
	    cmocka_unit_test(test_aegis_malformed_more),
	    cmocka_unit_test(test_aegis_kdf_budget),
	    cmocka_unit_test(test_truncated_and_garbled),
	    cmocka_unit_test(test_andotp_fixtures),
	    cmocka_unit_test(test_andotp_stratum),
	    cmocka_unit_test(test_andotp_malformed),
	    cmocka_unit_test(test_twofas_fixtures),
	    cmocka_unit_test(test_twofas_stratum),
	    cmocka_unit_test(test_twofas_malformed),
	    cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_codes_oathtool),
	    cmocka_unit_test(test_export_plain),
	    cmocka_unit_test(test_export_encrypted),
	    cmocka_unit_test(test_export_edges),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
