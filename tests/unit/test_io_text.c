/*
 * io text formats: otpauth URI lists, Google migration URIs, AWS seeds,
 * mfa JSON, and their exporters.
 *
 * Expectations come from the fixtures' PROVENANCE.md tables and decodes made
 * by other implementations (migration_cases.json), from oathtool run as a
 * subprocess, and from `protoc --decode_raw` for the Google export, never
 * from our own output alone. Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "google_auth.pb-c.h"
#include "io/formats.h"
#include "io/iojson.h"

#include "fixtures.h"

#define AEGIS "/aegis/importers"
#define STRATUM "/stratum"
#define GMIG "/google-migration"
#define SCITO GMIG "/scito"
#define OWN_DIR "tests/fixtures/io"

/* ---- helpers ---- */

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Base32 of the entry's secret, unpadded upper case (static buffer). */
static const char *
b32_of(const struct io_entry *e)
{
	static char out[2 * OTP_SECRET_MAX];

	assert_int_equal(
	    base32_encode(e->secret, e->secret_len, out, sizeof(out)), 0);
	return out;
}

/* Fixture base32 without '=' padding, for comparison with b32_of(). */
static const char *
b32_norm(const char *s)
{
	static char out[2 * OTP_SECRET_MAX];
	size_t n = strlen(s);

	assert_true(n < sizeof(out));
	memcpy(out, s, n + 1);
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	return out;
}

struct want {
	enum otp_type type;
	const char *name, *issuer, *b32;
	enum otp_hash hash;
	unsigned digits;
	uint64_t period;  /* checked for TOTP/Steam */
	uint64_t counter; /* checked for HOTP */
};

static void
check_entry(const struct io_entry *e, const struct want *w)
{
	assert_non_null(e->serial);
	assert_non_null(e->note);
	assert_string_equal(e->name, w->name);
	assert_string_equal(e->issuer, w->issuer);
	assert_string_equal(b32_of(e), b32_norm(w->b32));
	assert_int_equal(e->p.type, w->type);
	assert_int_equal(e->p.hash, w->hash);
	assert_int_equal(e->p.digits, w->digits);
	if (w->type == OTP_HOTP)
		assert_int_equal(e->p.counter, w->counter);
	else
		assert_int_equal(e->p.period, w->period);
}

/* Same account: everything but serial/note (formats that drop them). */
static void
check_same(const struct io_entry *a, const struct io_entry *b, bool all)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->issuer, b->issuer);
	assert_int_equal(a->secret_len, b->secret_len);
	assert_memory_equal(a->secret, b->secret, a->secret_len);
	assert_int_equal(a->p.type, b->p.type);
	assert_int_equal(a->p.hash, b->p.hash);
	assert_int_equal(a->p.digits, b->p.digits);
	if (a->p.type == OTP_HOTP)
		assert_int_equal(a->p.counter, b->p.counter);
	else
		assert_int_equal(a->p.period, b->p.period);
	if (all) {
		assert_int_equal(a->p.t0, b->p.t0);
		assert_int_equal(a->p.counter, b->p.counter);
		assert_int_equal(a->p.period, b->p.period);
		assert_string_equal(a->serial, b->serial);
		assert_string_equal(a->note, b->note);
	}
}

static int
import_file(const char *path, enum io_format fmt, struct io_list *l,
	    struct mfa_err *werr)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);
	int rc;

	rc = io_import(buf, len, fmt, NULL, NULL, l, werr);
	free(buf);
	return rc;
}

static void
import_ok(const char *path, struct io_list *l, size_t n)
{
	struct mfa_err werr = {0};
	char *why = werr.why;
	int rc = import_file(path, IO_AUTO, l, &werr);

	if (rc != 0)
		fail_msg("%s: %s (%s)", path, mfa_strerror(rc), why);
	assert_int_equal(l->n, n);
}

/* A list holding one sentinel entry, to prove failures append nothing. */
static void
sentinel(struct io_list *l)
{
	struct otp_params p;
	struct io_entry e;

	memset(l, 0, sizeof(*l));
	otp_params_default(&p, OTP_TOTP);
	assert_int_equal(
	    io_entry_make(&e, "sentinel", "", &p, (const uint8_t *)"x", 1), 0);
	assert_int_equal(io_list_push(l, &e), 0);
}

/* Import must fail, append nothing, and say why with `needle` in it. */
static void
import_fails(const uint8_t *buf, size_t len, enum io_format fmt,
	     const char *needle)
{
	struct io_list l;
	struct mfa_err werr = {0};
	char *why = werr.why;
	int rc;

	sentinel(&l);
	rc = io_import(buf, len, fmt, NULL, NULL, &l, &werr);
	if (rc == 0)
		fail_msg("import of \"%.60s\" succeeded", (const char *)buf);
	assert_true(rc < 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "sentinel");
	assert_true(why[0] != '\0');
	if (needle != NULL && strstr(why, needle) == NULL)
		fail_msg("why \"%s\" lacks \"%s\"", why, needle);
	io_list_free(&l);
}

static void
import_str_fails(const char *s, enum io_format fmt, const char *needle)
{
	import_fails((const uint8_t *)s, strlen(s), fmt, needle);
}

/* oathtool's code for e at time t (TOTP) or at e's counter (HOTP). */
static void
oathtool_code(const struct io_entry *e, int64_t t, char *out, size_t outsz)
{
	char keyfile[] = "/tmp/mfa-test-key-XXXXXX", cmd[512];
	const char *b32 = b32_of(e);
	FILE *f;
	int fd;

	/* The key goes through a 0600 file, never argv. */
	fd = mkstemp(keyfile);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b32, strlen(b32)), (ssize_t)strlen(b32));
	close(fd);
	if (e->p.type == OTP_HOTP && e->p.hash == OTP_SHA1)
		snprintf(cmd, sizeof(cmd),
			 "oathtool --hotp -b -d %u -c %llu @%s 2>/dev/null",
			 e->p.digits, (unsigned long long)e->p.counter,
			 keyfile);
	else if (e->p.type == OTP_HOTP)
		/* oathtool's HOTP is SHA1 only; TOTP with a 1 s step at
		 * time=counter is HOTP of that counter. */
		snprintf(cmd, sizeof(cmd),
			 "oathtool --totp=%s -b -d %u -s 1s -N @%llu @%s "
			 "2>/dev/null",
			 otp_hash_name(e->p.hash), e->p.digits,
			 (unsigned long long)e->p.counter, keyfile);
	else
		snprintf(cmd, sizeof(cmd),
			 "oathtool --totp=%s -b -d %u -s %llus -N @%lld @%s "
			 "2>/dev/null",
			 otp_hash_name(e->p.hash), e->p.digits,
			 (unsigned long long)e->p.period, (long long)t,
			 keyfile);
	f = popen(cmd, "r");
	assert_non_null(f);
	out[0] = '\0';
	if (fgets(out, (int)outsz, f) == NULL)
		out[0] = '\0';
	pclose(f);
	unlink(keyfile);
	out[strcspn(out, "\r\n")] = '\0';
	if (out[0] == '\0')
		fail_msg("oathtool gave no code (is it installed?)");
}

static void
check_oathtool(const struct io_entry *e, int64_t t)
{
	char ours[OTP_CODE_MAX], theirs[64];

	assert_int_equal(otp_code(&e->p, e->secret, e->secret_len, t, ours), 0);
	oathtool_code(e, t, theirs, sizeof(theirs));
	assert_string_equal(ours, theirs);
}

/* ---- fixture tables ---- */

/* ../shared/fixtures/aegis/PROVENANCE.md "vector table", rows 1-7. */
static const struct want aegis_vec[7] = {
    {OTP_TOTP, "Mason", "Deno", "4SJHB4GSD43FZBAI7C2HLRJGPQ", OTP_SHA1, 6, 30,
     0},
    {OTP_TOTP, "James", "SPDX", "5OM4WOOGPLQEF6UGN3CPEOOLWU", OTP_SHA256, 7, 20,
     0},
    {OTP_TOTP, "Elijah", "Airbnb", "7ELGJSGXNCCTV3O6LKJWYFV2RA", OTP_SHA512, 8,
     50, 0},
    {OTP_HOTP, "James", "Issuu", "YOOMIXWS5GN6RTBPUFFWKTW5M4", OTP_SHA1, 6, 0,
     1},
    {OTP_HOTP, "Benjamin", "Air Canada", "KUVJJOM753IHTNDSZVCNKL7GII",
     OTP_SHA256, 7, 0, 50},
    {OTP_HOTP, "Mason", "WWE", "5VAML3X35THCEBVRLV24CGBKOY", OTP_SHA512, 8, 0,
     10300},
    {OTP_STEAM, "Sophia", "Boeing", "JRZCL47CMXVOQMNPZR2F7J4RGI", OTP_SHA1, 5,
     30, 0},
};

/* ../shared/fixtures/stratum/PROVENANCE.md "Accounts used throughout". */
enum { ST_LONG, ST_MANY, ST_SHA256, ST_SHA512, ST_HOTP, ST_TOTP, ST_NOISS };
static const struct want stratum_vec[7] = {
    {OTP_TOTP, "Period", "Long", "JGRMXBLPPYQIFMRBFQDHNP3MPPYQYNUN", OTP_SHA1,
     6, 60, 0},
    {OTP_TOTP, "Digits", "Many", "WEV2GHDH4EAU7D5SZGCIQOFBNQ35EHBS", OTP_SHA1,
     9, 30, 0},
    {OTP_TOTP, "256", "Sha", "RJNZJM7PAGJUBG32XHQWHFZVLYOMGIUQ", OTP_SHA256, 6,
     30, 0},
    {OTP_TOTP, "512", "Sha", "UW33SR5O4EKTDXNCBBS5FSPUKAYXIWOH", OTP_SHA512, 6,
     30, 0},
    {OTP_HOTP, "Hotp", "Standard", "JOR2VZXMNHACFNLRAOACFFRDRYAOFMLB", OTP_SHA1,
     6, 0, 10},
    {OTP_TOTP, "Totp", "Standard", "54VEGZFJHM3BGDONFERMPUOKNGDJETGM", OTP_SHA1,
     6, 30, 0},
    /* The URI lists carry issuer=NoIssuer; the Google export has none. */
    {OTP_TOTP, "NoIssuer", "NoIssuer", "KY2QJPMNQLSGSZE2C5F7AYBLBVEEDHFX",
     OTP_SHA1, 6, 30, 0},
};

/* ---- URI lists ---- */

static void
test_aegis_plain_txt(void **state)
{
	struct io_list l = {0};
	size_t i, len;
	uint8_t *buf;

	(void)state;
	fixture_need(AEGIS);
	buf = slurp(fixture(AEGIS "/plain.txt"), &len);
	assert_int_equal(io_detect(buf, len), IO_URI);
	free(buf);
	import_ok(fixture(AEGIS "/plain.txt"), &l, 7);
	for (i = 0; i < 7; i++)
		check_entry(&l.v[i], &aegis_vec[i]);
	/* Codes against an independent implementation. */
	check_oathtool(&l.v[0], 1111111109);
	check_oathtool(&l.v[1], 1234567890);
	check_oathtool(&l.v[2], 2000000000);
	check_oathtool(&l.v[3], 0);
	check_oathtool(&l.v[4], 0);
	check_oathtool(&l.v[5], 0);
	io_list_free(&l);
}

static void
test_aegis_ente_auth(void **state)
{
	/* File order: vectors 5, 3, 7, 1, 4, 2, 6. */
	static const int order[7] = {4, 2, 6, 0, 3, 1, 5};
	struct io_list l = {0};
	size_t i;

	(void)state;
	fixture_need(AEGIS);
	import_ok(fixture(AEGIS "/ente_auth.txt"), &l, 7);
	for (i = 0; i < 7; i++)
		check_entry(&l.v[i], &aegis_vec[order[i]]);
	io_list_free(&l);
}

static void
test_stratum_urilists(void **state)
{
	static const int uri_order[7] = {ST_LONG, ST_MANY, ST_SHA256, ST_SHA512,
					 ST_HOTP, ST_TOTP, ST_NOISS};
	static const int ente_order[7] = {
	    ST_LONG, ST_MANY, ST_NOISS, ST_SHA256, ST_SHA512, ST_HOTP, ST_TOTP};
	struct io_list l = {0};
	size_t i;

	(void)state;
	fixture_need(STRATUM);
	import_ok(fixture(STRATUM "/urilist.txt"), &l, 7);
	for (i = 0; i < 7; i++)
		check_entry(&l.v[i], &stratum_vec[uri_order[i]]);
	check_oathtool(&l.v[0], 1700000000); /* 60 s period */
	check_oathtool(&l.v[2], 1700000000); /* SHA256 */
	check_oathtool(&l.v[4], 0);	     /* HOTP counter 10 */
	io_list_free(&l);

	import_ok(fixture(STRATUM "/ente.unencrypted.txt"), &l, 7);
	for (i = 0; i < 7; i++)
		check_entry(&l.v[i], &stratum_vec[ente_order[i]]);
	io_list_free(&l);
}

static void
test_stratum_google(void **state)
{
	static const int order[6] = {ST_SHA512, ST_SHA256, ST_TOTP,
				     ST_HOTP,	ST_NOISS,  ST_LONG};
	struct io_list l = {0};
	struct want w;
	size_t i, len;
	uint8_t *buf;

	(void)state;
	fixture_need(STRATUM);
	buf = slurp(fixture(STRATUM "/googleauthenticator.txt"), &len);
	assert_int_equal(io_detect(buf, len), IO_URI);
	free(buf);
	import_ok(fixture(STRATUM "/googleauthenticator.txt"), &l, 6);
	for (i = 0; i < 6; i++) {
		w = stratum_vec[order[i]];
		if (order[i] == ST_NOISS)
			w.issuer = ""; /* no issuer field in the payload */
		if (order[i] == ST_LONG)
			w.period = 30; /* Google has no period field */
		check_entry(&l.v[i], &w);
	}
	io_list_free(&l);
}

static void
test_own_urilists(void **state)
{
	struct io_list l = {0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	struct want w;

	(void)state;
	/* CRLF, comments, blank lines, a zbarimg prefix, an upper-case
	 * migration URI. */
	import_ok(OWN_DIR "/mixed_crlf.txt", &l, 3);
	check_entry(&l.v[0], &aegis_vec[0]);
	check_entry(&l.v[1], &aegis_vec[3]);
	w = (struct want){OTP_TOTP,  "alice@google.com",
			  "Example", "JBSWY3DPEHPK3PXP",
			  OTP_SHA1,  6,
			  30,	     0};
	check_entry(&l.v[2], &w);
	io_list_free(&l);

	sentinel(&l);
	assert_int_equal(
	    import_file(OWN_DIR "/bad_digits_line5.txt", IO_AUTO, &l, &werr),
	    MFA_EDIGITS);
	assert_string_equal(why, "line 5 (SPDX:James): digits must be between "
				 "1 and 10 (parameter digits)");
	assert_int_equal(l.n, 1);
	io_list_free(&l);
}

static void
test_urilist_errors(void **state)
{
	(void)state;
	import_str_fails("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n"
			 "otpauth://totp/b?secret=JBSWY3DPEHPK3PX1\n",
			 IO_URI,
			 "line 2 (b): invalid base32 character "
			 "(parameter secret)");
	import_str_fails("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n"
			 "\n# c\nhttps://example.com/\n",
			 IO_URI, "line 4: not an otpauth:// URI");
	import_str_fails("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP\n", IO_URI,
			 "line 1 (a): HOTP needs a counter");
	import_str_fails("otpauth://totp/a?issuer=x\n", IO_URI,
			 "line 1 (a): no secret in URI");
	import_str_fails("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"
			 "&algorithm=MD5\n",
			 IO_URI, "line 1 (a): unknown hash algorithm");
	import_str_fails("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0\n",
			 IO_AUTO,
			 "line 1 (a): period must be at least 1 second");
	import_str_fails("otpauth://yotp/a?secret=JBSWY3DPEHPK3PXP\n", IO_AUTO,
			 "line 1 (a): unknown OTP type");
	import_str_fails("otpauth://totp/a%ZZ?secret=JBSWY3DPEHPK3PXP\n",
			 IO_AUTO, "line 1 (a%ZZ): bad percent-encoding");
	import_str_fails("\r\n\r\notpauth://totp/a?secret=JBSWY3DPEHPK3PXP"
			 "&digits=x\r\n",
			 IO_AUTO,
			 "line 3 (a): digits must be between 1 and 10");
	/* Repeated parameters and NULs are refused, naming the line. */
	import_str_fails("otpauth://totp/Acme:bob?secret=JBSWY3DPEHPK3PXP"
			 "&secret=GEZDGNBV\n",
			 IO_AUTO,
			 "line 1 (Acme:bob): parameter secret given twice");
	import_str_fails("otpauth://totp/Acme:b%00ob?secret=JBSWY3DPEHPK3PXP\n",
			 IO_AUTO,
			 "line 1 (Acme:b%00ob): NUL character in a name "
			 "(parameter label)");
	import_str_fails(
	    "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter="
	    "9223372036854775808\n",
	    IO_AUTO,
	    "line 1 (a): HOTP needs a counter (a whole number up to "
	    "2^63 - 1) (parameter counter)");
	/* A migration line's failure is named by its line too. */
	import_str_fails("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n"
			 "otpauth-migration://offline?data=XXXX\n",
			 IO_AUTO,
			 "line 2: cannot decode the migration payload");
}

/* ---- Google migration: scito's files ---- */

/* scito PROVENANCE table; row 6's name splits like a label (no issuer). */
static const struct want scito_vec[6] = {
    {OTP_TOTP, "pi@raspberrypi", "raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY",
     OTP_SHA1, 6, 30, 0},
    {OTP_TOTP, "pi@raspberrypi", "", "7KSQL2JTUDIS5EF65KLMRQIIGY", OTP_SHA1, 6,
     30, 0},
    {OTP_TOTP, "pi@raspberrypi", "", "7KSQL2JTUDIS5EF65KLMRQIIGY", OTP_SHA1, 6,
     30, 0},
    {OTP_TOTP, "pi@raspberrypi", "raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY",
     OTP_SHA1, 6, 30, 0},
    {OTP_HOTP, "hotp demo", "", "7KSQL2JTUDIS5EF65KLMRQIIGY", OTP_SHA1, 6, 0,
     4},
    {OTP_TOTP, "\xc2\xbf\xc3\xa4\xc3\x84\xc3\xa9\xc3\x89? (demo)", "encoding",
     "7KSQL2JTUDIS5EF65KLMRQIIGY", OTP_SHA1, 6, 30, 0},
};

/*
 * Mirror of the label rule for names from other tools' outputs: strip an
 * "issuer:" prefix, or split at the first ':' when there is no issuer.
 */
static void
split_label(const char *name, const char *issuer, char *oname, char *oissuer,
	    size_t sz)
{
	const char *colon;
	size_t il = strlen(issuer);

	if (il > 0) {
		if (strncmp(name, issuer, il) == 0 && name[il] == ':')
			name += il + 1;
		snprintf(oissuer, sz, "%s", issuer);
	} else if ((colon = strchr(name, ':')) != NULL) {
		snprintf(oissuer, sz, "%.*s", (int)(colon - name), name);
		name = colon + 1;
	} else {
		oissuer[0] = '\0';
	}
	while (*name == ' ')
		name++;
	snprintf(oname, sz, "%s", name);
}

static void
test_scito_example_export(void **state)
{
	struct io_list l = {0}, u = {0};
	json_t *root, *o;
	char name[256], issuer[256];
	const char *type;
	size_t i, len;
	uint8_t *buf;

	(void)state;
	fixture_need(SCITO);
	buf = slurp(fixture(SCITO "/example_export.txt"), &len);
	assert_int_equal(io_detect(buf, len), IO_URI);
	free(buf);
	import_ok(fixture(SCITO "/example_export.txt"), &l, 6);
	for (i = 0; i < 6; i++)
		check_entry(&l.v[i], &scito_vec[i]);

	/* scito's own JSON rendering of the same file. */
	buf = slurp(fixture(SCITO "/example_output.json"), &len);
	root = json_loadb((const char *)buf, len, 0, NULL);
	free(buf);
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 6);
	json_array_foreach(root, i, o)
	{
		split_label(json_string_value(json_object_get(o, "name")),
			    json_string_value(json_object_get(o, "issuer")),
			    name, issuer, sizeof(name));
		assert_string_equal(l.v[i].name, name);
		assert_string_equal(l.v[i].issuer, issuer);
		assert_string_equal(
		    b32_of(&l.v[i]),
		    json_string_value(json_object_get(o, "secret")));
		type = json_string_value(json_object_get(o, "type"));
		assert_int_equal(l.v[i].p.type, strcmp(type, "hotp") == 0
						    ? OTP_HOTP
						    : OTP_TOTP);
		if (l.v[i].p.type == OTP_HOTP)
			assert_int_equal(
			    l.v[i].p.counter,
			    json_integer_value(json_object_get(o, "counter")));
	}
	json_decref(root);

	/* scito's re-encoded otpauth list must give the same accounts. */
	import_ok(fixture(SCITO "/url_list_output.txt"), &u, 6);
	for (i = 0; i < 6; i++)
		check_same(&l.v[i], &u.v[i], false);
	io_list_free(&u);
	io_list_free(&l);

	import_ok(fixture(SCITO "/example_export_only_totp.txt"), &l, 5);
	for (i = 0; i < 5; i++)
		check_entry(&l.v[i], &scito_vec[i < 4 ? i : 5]);
	io_list_free(&l);
}

static void
test_scito_special(void **state)
{
	static const char *const plus_b32[4] = {
	    "A4RFDYMF4GSLUIBQV4ZP67OJEZ2XUQVM",
	    "SCDDZ7PW5MOZLE3PQCAZM7L4S35K3UDX",
	    "TR76272RVYO6EAEY2FX7W7R7KUDEGPJ4",
	    "N2ILWSXSJUQUB7S6NONPJSC62NPG7EXN"};
	struct io_list l = {0};
	char name[64];
	struct want w;
	size_t i, len;
	uint8_t *buf;

	(void)state;
	fixture_need(SCITO);
	/* Raw '+' and '/' in data= must survive. */
	import_ok(fixture(SCITO "/test_plus_problem_export.txt"), &l, 4);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "test%zu@serenitylabs.co.uk",
			 i + 1);
		w = (struct want){OTP_TOTP,    name,	 "SerenityLabs",
				  plus_b32[i], OTP_SHA1, 6,
				  30,	       0};
		check_entry(&l.v[i], &w);
	}
	io_list_free(&l);
	/* A copy that went through form decoding has spaces for '+'. */
	buf = slurp(fixture(SCITO "/test_plus_problem_export.txt"), &len);
	for (i = 0; i < len; i++)
		if (buf[i] == '+')
			buf[i] = ' ';
	assert_int_equal(io_import(buf, len, IO_AUTO, NULL, NULL, &l, NULL), 0);
	free(buf);
	assert_int_equal(l.n, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(b32_of(&l.v[i]), plus_b32[i]);
	io_list_free(&l);

	/* zbarimg's "QR-Code:" prefix. */
	import_ok(fixture(SCITO "/test_export_wrong_prefix.txt"), &l, 1);
	check_entry(&l.v[0], &scito_vec[0]);
	io_list_free(&l);

	/* Comments only: nothing, and no error. */
	import_ok(fixture(SCITO "/only_comments.txt"), &l, 0);
	io_list_free(&l);

	buf = slurp(fixture(SCITO "/test_export_wrong_data.txt"), &len);
	import_fails(buf, len, IO_AUTO,
		     "line 1: cannot decode the migration payload");
	free(buf);

	buf = slurp(fixture(SCITO "/test_export_wrong_content.txt"), &len);
	assert_int_equal(io_detect(buf, len), IO_AUTO);
	import_fails(buf, len, IO_AUTO, "unrecognised format");
	import_fails(buf, len, IO_URI, "line 1: not an otpauth:// URI");
	free(buf);

	buf = slurp(fixture(SCITO "/empty_file.txt"), &len);
	assert_int_equal(len, 0);
	import_fails(buf, len, IO_AUTO, "empty input");
	free(buf);
}

/* ---- Google migration: migration_cases.json ---- */

static enum otp_hash
want_hash(const char *s)
{
	if (s == NULL || strcmp(s, "SHA1") == 0)
		return OTP_SHA1;
	if (strcmp(s, "SHA256") == 0)
		return OTP_SHA256;
	assert_string_equal(s, "SHA512");
	return OTP_SHA512;
}

static void
check_case_accounts(const char *id, json_t *params, struct io_list *l)
{
	char name[256], issuer[256];
	const char *s;
	json_t *o;
	struct want w;
	size_t i;

	if (l->n != json_array_size(params))
		fail_msg("%s: %zu accounts, want %zu", id, l->n,
			 json_array_size(params));
	json_array_foreach(params, i, o)
	{
		s = json_string_value(json_object_get(o, "issuer"));
		split_label(json_string_value(json_object_get(o, "name")),
			    s != NULL ? s : "", name, issuer, sizeof(name));
		s = json_string_value(json_object_get(o, "type"));
		w.type =
		    s != NULL && strcmp(s, "HOTP") == 0 ? OTP_HOTP : OTP_TOTP;
		w.name = name;
		w.issuer = issuer;
		w.b32 = json_string_value(json_object_get(o, "secret_base32"));
		w.hash = want_hash(
		    json_string_value(json_object_get(o, "algorithm")));
		w.digits = json_object_get(o, "digits") != NULL
			       ? (unsigned)json_integer_value(
				     json_object_get(o, "digits"))
			       : 6;
		w.period = 30;
		w.counter =
		    (uint64_t)json_integer_value(json_object_get(o, "counter"));
		assert_int_equal(
		    l->v[i].secret_len,
		    json_integer_value(json_object_get(o, "secret_len")));
		check_entry(&l->v[i], &w);
	}
}

static void
test_migration_cases(void **state)
{
	json_t *root, *cases, *c, *dec, *exp;
	struct io_list l;
	struct mfa_err werr = {0};
	char *why = werr.why;
	const char *id, *uri;
	char code[OTP_CODE_MAX];
	size_t i, len, ok = 0, failed = 0;
	uint8_t *buf;
	int rc;

	(void)state;
	fixture_need(GMIG);
	buf = slurp(fixture(GMIG "/migration_cases.json"), &len);
	root = json_loadb((const char *)buf, len, 0, NULL);
	free(buf);
	assert_non_null(root);
	cases = json_object_get(root, "cases");
	assert_int_equal(json_array_size(cases), 23);
	json_array_foreach(cases, i, c)
	{
		id = json_string_value(json_object_get(c, "id"));
		uri = json_string_value(json_object_get(c, "uri"));
		dec = json_object_get(c, "independent_decode");
		exp = json_object_get(c, "expected_by_source");
		sentinel(&l);
		why[0] = '\0';
		rc = io_import((const uint8_t *)uri, strlen(uri), IO_AUTO, NULL,
			       NULL, &l, &werr);
		if (strcmp(id, "jc-fail-scheme-uppercase") == 0) {
			/*
			 * Schemes are case-insensitive (RFC 3986); mfa reads
			 * it, unlike that library: jc-string2's account.
			 */
			assert_int_equal(rc, 0);
			assert_int_equal(l.n, 2);
			assert_string_equal(l.v[1].name, "My Test Account");
			assert_string_equal(b32_of(&l.v[1]),
					    "ZEBIZQGVMZJ5LXHE");
			ok++;
		} else if (json_is_object(dec)) {
			if (rc != 0)
				fail_msg("%s: %s", id, why);
			/* Drop the sentinel, then compare field by field. */
			io_entry_clear(&l.v[0]);
			memmove(l.v, l.v + 1, (l.n - 1) * sizeof(*l.v));
			l.n--;
			check_case_accounts(
			    id, json_object_get(dec, "otp_parameters"), &l);
			if (json_is_array(json_object_get(exp, "decoded_list")))
				assert_int_equal(
				    l.n, json_array_size(json_object_get(
					     exp, "decoded_list")));
			ok++;
		} else {
			if (rc == 0)
				fail_msg("%s: accepted", id);
			assert_int_equal(l.n, 1);
			assert_true(why[0] != '\0');
			failed++;
		}
		if (strcmp(id, "dim13-convert") == 0) {
			/* dim13's evaluate_test: 528064 at 2009-11-10 23:00. */
			assert_int_equal(otp_code(&l.v[0].p, l.v[0].secret,
						  l.v[0].secret_len, 1257894000,
						  code),
					 0);
			assert_string_equal(code, "528064");
			check_oathtool(&l.v[0], 1257894000);
		}
		io_list_free(&l);
	}
	assert_int_equal(ok, 18);
	assert_int_equal(failed, 5);
	json_decref(root);
}

/* The three parts of the Google app's real batch, in one file. */
static void
test_migration_batches_in_one_file(void **state)
{
	json_t *root, *cases, *c;
	struct io_list l = {0};
	char *text = NULL;
	struct mfa_err werr = {0};
	size_t i, len, tlen = 0;
	uint8_t *buf;
	FILE *f;

	(void)state;
	fixture_need(GMIG);
	buf = slurp(fixture(GMIG "/migration_cases.json"), &len);
	root = json_loadb((const char *)buf, len, 0, NULL);
	free(buf);
	assert_non_null(root);
	cases = json_object_get(root, "cases");
	f = open_memstream(&text, &tlen);
	assert_non_null(f);
	fprintf(f, "# Google Authenticator, 3 QR codes\n");
	json_array_foreach(cases, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));

		if (strncmp(id, "jc-batch-", 9) == 0 &&
		    strstr(id, "-urlencoded") != NULL)
			fprintf(f, "%s\r\n",
				json_string_value(json_object_get(c, "uri")));
	}
	fclose(f);
	assert_int_equal(io_detect((const uint8_t *)text, tlen), IO_URI);
	assert_int_equal(io_import((const uint8_t *)text, tlen, IO_GOOGLE, NULL,
				   NULL, &l, &werr),
			 0);
	assert_int_equal(l.n, 22);
	assert_string_equal(l.v[0].name, "one@example.com");
	assert_string_equal(l.v[0].issuer, "ACME");
	assert_string_equal(b32_of(&l.v[0]),
			    "IAGLPK22QIFXMRGJOI5KOP4AVK4KZMA5");
	assert_string_equal(l.v[21].name, "twenty-two@example.com");
	assert_string_equal(b32_of(&l.v[21]),
			    "M6KEUVYSKYX3H6KFYYAYOLTNIC7TJSOC");
	io_list_free(&l);
	free(text);
	json_decref(root);
}

/* Payloads Google would not write, built with protobuf-c. */
static char *
craft_uri(OtpParameters *op)
{
	MigrationPayload mp = MIGRATION_PAYLOAD__INIT;
	OtpParameters *opp[1] = {op};
	uint8_t pb[512];
	char *b64, *uri;
	size_t n;

	mp.n_otp_parameters = 1;
	mp.otp_parameters = opp;
	mp.version = 1;
	n = migration_payload__pack(&mp, pb);
	assert_true(n < sizeof(pb));
	b64 = malloc(sodium_base64_ENCODED_LEN(
	    n, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	assert_non_null(b64);
	sodium_bin2base64(b64,
			  sodium_base64_ENCODED_LEN(
			      n, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
			  pb, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_true(asprintf(&uri, "otpauth-migration://offline?data=%s", b64) >
		    0);
	free(b64);
	return uri;
}

static void
test_google_bad_accounts(void **state)
{
	static uint8_t key[10] = "0123456789";
	OtpParameters op;
	struct io_list l = {0};
	struct mfa_err werr = {0};
	char *uri;

	(void)state;
	otp_parameters__init(&op);
	op.secret.data = key;
	op.secret.len = sizeof(key);
	op.name.data = (uint8_t *)"Acme:bob";
	op.name.len = 8;
	op.issuer.data = (uint8_t *)"Acme";
	op.issuer.len = 4;
	op.type = OTP_PARAMETERS__OTP_TYPE__OTP_TYPE_TOTP;

	/* Sanity: the crafted URI (URL-safe base64 even) imports. */
	uri = craft_uri(&op);
	assert_int_equal(google_import_uri(uri, strlen(uri), &l, &werr), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "bob");
	assert_string_equal(l.v[0].issuer, "Acme");
	io_list_free(&l);
	free(uri);

	op.algorithm = OTP_PARAMETERS__ALGORITHM__ALGORITHM_MD5;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO,
			 "line 1: account 1 (Acme:bob): MD5 is not supported");
	free(uri);
	op.algorithm = 9;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO,
			 "account 1 (Acme:bob): unknown algorithm");
	free(uri);
	op.algorithm = OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA1;
	op.digits = 3;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO, "unknown digit count");
	free(uri);
	op.digits = OTP_PARAMETERS__DIGIT_COUNT__DIGIT_COUNT_EIGHT;
	op.type = 7;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO, "unknown OTP type");
	free(uri);
	op.type = OTP_PARAMETERS__OTP_TYPE__OTP_TYPE_HOTP;
	op.counter = -1;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO, "negative counter");
	free(uri);
	op.counter = 5;
	op.secret.len = 0;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO, "account 1 (Acme:bob): empty secret");
	free(uri);

	/* Default type is TOTP; digits EIGHT and HOTP counters carry over. */
	op.secret.len = sizeof(key);
	uri = craft_uri(&op);
	assert_int_equal(google_import_uri(uri, strlen(uri), &l, &werr), 0);
	assert_int_equal(l.v[0].p.type, OTP_HOTP);
	assert_int_equal(l.v[0].p.counter, 5);
	assert_int_equal(l.v[0].p.digits, 8);
	io_list_free(&l);
	free(uri);

	/* An embedded NUL is refused, naming the account, not cut short. */
	op.name.data = (uint8_t *)"Acme:bob\0evil";
	op.name.len = 13;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO,
			 "account 1 (Acme:bob): its name holds a NUL byte");
	free(uri);
	op.name.len = 8;
	op.issuer.data = (uint8_t *)"Ac\0me";
	op.issuer.len = 5;
	uri = craft_uri(&op);
	import_str_fails(uri, IO_AUTO,
			 "account 1 (Acme:bob): its issuer holds a NUL byte");
	free(uri);
	/* Invalid UTF-8 is repaired at the door: U+FFFD per bad byte. */
	op.issuer.data = (uint8_t *)"Acme";
	op.issuer.len = 4;
	op.name.data = (uint8_t *)"Acme:b\xff"
				  "b\xc3";
	op.name.len = 9;
	uri = craft_uri(&op);
	assert_int_equal(google_import_uri(uri, strlen(uri), &l, &werr), 0);
	assert_string_equal(l.v[0].name, "b\xef\xbf\xbd"
					 "b\xef\xbf\xbd");
	assert_true(l.v[0].repaired);
	io_list_free(&l);
	free(uri);

	import_str_fails("otpauth-migration://online?data=CgA", IO_URI,
			 "without \"offline\"");
	import_str_fails("otpauth-migration://offline?data=Cg%G0", IO_URI,
			 "bad percent-encoding");
	import_str_fails("otpauth-migration://offline?data=C!gA", IO_URI,
			 "not base64");
	import_str_fails("otpauth-migration://offline?foo=1", IO_URI,
			 "no data parameter");
	assert_int_equal(google_import_uri("otpauth://totp/x", 16, &l, &werr),
			 MFA_EURI_SCHEME);
	assert_int_equal(l.n, 0);
}

/* ---- AWS seed ---- */

static void
test_aws_seed(void **state)
{
	struct io_list l = {0};
	struct want w = {OTP_TOTP, "", "", NULL, OTP_SHA1, 6, 30, 0};
	size_t len;
	uint8_t *buf;

	(void)state;
	buf = slurp(OWN_DIR "/aws_seed.txt", &len);
	assert_int_equal(io_detect(buf, len), IO_AWS_SEED);
	w.b32 = (const char *)buf;
	import_ok(OWN_DIR "/aws_seed.txt", &l, 1);
	check_entry(&l.v[0], &w);
	assert_int_equal(l.v[0].secret_len, 40);
	check_oathtool(&l.v[0], 1700000000);
	import_ok(OWN_DIR "/aws_seed_spaced.txt", &l, 2);
	check_entry(&l.v[1], &w);
	io_list_free(&l);
	free(buf);

	import_str_fails("JBSWY3DPEHPK3PX1", IO_AWS_SEED,
			 "not a base32 seed: bad character at offset 15");
	import_str_fails("  \n", IO_AWS_SEED, "no seed");
	import_str_fails("JBSWY3DP EHPK3PXP jbswy3dp", IO_AUTO,
			 "unrecognised format"); /* mixed case: not a seed */
}

/* ---- mfa JSON ---- */

static void
test_mfajson_fixture(void **state)
{
	struct io_list l = {0};
	struct want w;
	size_t len;
	uint8_t *buf;

	(void)state;
	buf = slurp(OWN_DIR "/mfa_export.json", &len);
	assert_int_equal(io_detect(buf, len), IO_JSON);
	free(buf);
	import_ok(OWN_DIR "/mfa_export.json", &l, 4);
	buf = slurp(OWN_DIR "/aws_seed.txt", &len);
	w = (struct want){OTP_TOTP,
			  "alice",
			  "Amazon Web Services",
			  (const char *)buf,
			  OTP_SHA1,
			  6,
			  30,
			  0};
	check_entry(&l.v[0], &w);
	free(buf);
	assert_string_equal(l.v[0].serial,
			    "arn:aws:iam::123456789012:mfa/alice");
	assert_string_equal(l.v[0].note, "enrolled by mfa aws enroll");
	w = (struct want){OTP_HOTP,   "bob@example.com",
			  "Example",  "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
			  OTP_SHA256, 8,
			  0,	      42};
	check_entry(&l.v[1], &w);
	assert_string_equal(l.v[1].serial, "");
	check_oathtool(&l.v[1], 0);
	check_entry(&l.v[2], &aegis_vec[6]);
	w = (struct want){OTP_TOTP,   "late start", "", NULL,
			  OTP_SHA512, 10,	    60, 0};
	w.b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3T"
		"QOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNB"
		"VGY3TQOJQGEZDGNA";
	check_entry(&l.v[3], &w);
	assert_int_equal(l.v[3].p.t0, 1000000000);
	io_list_free(&l);
}

static void
test_mfajson_errors(void **state)
{
#define HEAD "{\"format\":\"mfa-export\",\"version\":1,\"entries\":["
#define GOOD "{\"name\":\"a\",\"secret\":\"JBSWY3DPEHPK3PXP\"}"
	(void)state;
	import_str_fails(HEAD GOOD "," GOOD ",{\"secret\":\"JBSWY3DP\"}]}",
			 IO_JSON, "entry 3: no \"name\" string");
	import_str_fails(HEAD GOOD ",{\"name\":\"b\"}]}", IO_JSON,
			 "entry 2: no \"secret\" string");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW1\"}]}",
			 IO_JSON,
			 "entry 1: secret is not base32 (character 5)");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"\"}]}", IO_JSON,
			 "entry 1: empty secret");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"type\":\"motp\"}]}",
			 IO_JSON, "entry 1: unknown type");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"algorithm\":\"MD5\"}]}",
			 IO_JSON, "entry 1: unknown algorithm");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"digits\":11}]}",
			 IO_JSON,
			 "entry 1: \"digits\" must be between 1 and 10");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"digits\":\"6\"}]}",
			 IO_JSON, "entry 1: \"digits\" is not a whole number");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"period\":0}]}",
			 IO_JSON, "entry 1: \"period\" must be between 1");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"counter\":-1}]}",
			 IO_JSON, "entry 1: \"counter\" must be between 0");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"type\":\"steam\",\"digits\":6}]}",
			 IO_JSON,
			 "entry 1: Steam codes are SHA1 with 5 digits");
	import_str_fails(HEAD "{\"name\":\"b\",\"secret\":\"JBSW\","
			      "\"note\":7}]}",
			 IO_JSON, "entry 1: \"note\" is not a string");
	import_str_fails(HEAD "7]}", IO_JSON, "entry 1: not an object");
	import_str_fails(HEAD GOOD, IO_JSON, "JSON error at line 1");
	import_str_fails("{\"format\":\"mfa-export\",\"version\":2,"
			 "\"entries\":[]}",
			 IO_JSON, "export version 2 is newer");
	import_str_fails("{\"format\":\"mfa-export\",\"entries\":[]}", IO_JSON,
			 "\"version\"");
	import_str_fails("{\"format\":\"mfa-export\",\"version\":1}", IO_JSON,
			 "no \"entries\" array");
	import_str_fails("{\"format\":\"other\",\"version\":1,\"entries\":[]}",
			 IO_JSON, "not an mfa export");
	import_str_fails(HEAD "{\"name\":\"a\",\"name\":\"b\",\"secret\":"
			      "\"JBSW\"}]}",
			 IO_JSON, "JSON error");
	/* jansson's "near '...'" quote of the input is not repeated. */
	import_str_fails(HEAD "{\"name\":\"a\",\"secret\":JBSWY3DPSECRET}]}",
			 IO_JSON, "JSON error at line 1 column");
	{
		const char *s =
		    HEAD "{\"name\":\"a\",\"secret\":JBSWY3DPSECRET}]}";
		struct io_list l = {0};
		struct mfa_err werr = {0};
		char *why = werr.why;

		assert_true(io_import((const uint8_t *)s, strlen(s), IO_JSON,
				      NULL, NULL, &l, &werr) < 0);
		assert_null(strstr(why, "JBSWY3DP"));
	}
#undef HEAD
#undef GOOD
}

/* ---- round trips ---- */

/* The Aegis vectors plus fields only JSON keeps. */
static void
sample_entries(struct io_list *l)
{
	uint8_t key[64];
	size_t i, n;
	struct otp_params p;
	struct io_entry e;
	int rc;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < 7; i++) {
		otp_params_default(&p, aegis_vec[i].type);
		p.hash = aegis_vec[i].hash;
		p.digits = aegis_vec[i].digits;
		if (aegis_vec[i].type == OTP_HOTP)
			p.counter = aegis_vec[i].counter;
		else
			p.period = aegis_vec[i].period;
		rc = base32_decode(aegis_vec[i].b32, strlen(aegis_vec[i].b32),
				   key, sizeof(key), &n, NULL);
		assert_int_equal(rc, 0);
		assert_int_equal(io_entry_make(&e, aegis_vec[i].name,
					       aegis_vec[i].issuer, &p, key, n),
				 0);
		assert_int_equal(io_list_push(l, &e), 0);
	}
	free(l->v[0].serial);
	l->v[0].serial = strdup("arn:aws:iam::123456789012:mfa/mason");
	free(l->v[1].note);
	l->v[1].note = strdup("line one\nline \"two\" \xc3\xa9");
	l->v[2].p.t0 = -86400;
}

static void
test_roundtrip_uri(void **state)
{
	struct io_list a, b = {0};
	char *out;
	struct mfa_err werr = {0};
	size_t outlen, i;

	(void)state;
	sample_entries(&a);
	/* otpauth has no T0: refused, never written as something else. */
	assert_int_equal(io_export_uri(a.v, a.n, &out, &outlen),
			 MFA_EUNSUPPORTED);
	assert_null(out);
	a.v[2].p.t0 = 0;
	assert_int_equal(io_export_uri(a.v, a.n, &out, &outlen), 0);
	assert_int_equal(strlen(out), outlen);
	assert_int_equal(io_detect((uint8_t *)out, outlen), IO_URI);
	/* The serial and the note travel as mfa's own parameters. */
	assert_non_null(strstr(out, "&mfa-serial=arn%3Aaws%3Aiam%3A%3A"
				    "123456789012%3Amfa%2Fmason\n"));
	assert_non_null(
	    strstr(out, "&mfa-note=line%20one%0Aline%20%22two%22%20%C3%A9\n"));
	assert_int_equal(
	    io_import((uint8_t *)out, outlen, IO_AUTO, NULL, NULL, &b, &werr),
	    0);
	sodium_free(out);
	assert_int_equal(b.n, a.n);
	/* Every field an otpauth URI carries comes back. */
	for (i = 0; i < a.n; i++)
		check_same(&a.v[i], &b.v[i], true);
	io_list_free(&b);
	assert_int_equal(io_export_uri(a.v, 0, &out, &outlen), 0);
	assert_int_equal(outlen, 0);
	assert_string_equal(out, "");
	sodium_free(out);
	io_list_free(&a);
}

static void
test_roundtrip_json(void **state)
{
	struct io_list a, b = {0};
	char *out;
	struct mfa_err werr = {0};
	size_t outlen, i;
	json_t *j;

	(void)state;
	sample_entries(&a);
	assert_int_equal(io_export_json(a.v, a.n, &out, &outlen), 0);
	assert_int_equal(strlen(out), outlen);
	assert_int_equal(out[outlen - 1], '\n');
	/* Pretty-printed with two spaces, and the documented members. */
	assert_non_null(
	    strstr(out, "\n  \"entries\": [\n    {\n      \"name\""));
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "format")),
			    "mfa-export");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(j, "entries"), 6), "type")),
	    "steam");
	json_decref(j);
	assert_int_equal(io_detect((uint8_t *)out, outlen), IO_JSON);
	assert_int_equal(
	    io_import((uint8_t *)out, outlen, IO_AUTO, NULL, NULL, &b, &werr),
	    0);
	sodium_free(out);
	assert_int_equal(b.n, a.n);
	for (i = 0; i < a.n; i++)
		check_same(&a.v[i], &b.v[i], true);
	io_list_free(&b);
	io_list_free(&a);
}

static void
test_json_secure_alloc(void **state)
{
	json_malloc_t m;
	json_free_t f;
	unsigned char *p;

	(void)state;
	json_get_alloc_funcs(&m, &f);
	assert_ptr_equal(m, io_wipe_alloc);
	assert_ptr_equal(f, io_wipe_free);
	p = io_wipe_alloc(33);
	assert_non_null(p);
	memset(p, 0xaa, 33);
	io_wipe_free(p);
	io_wipe_free(NULL);
	assert_null(io_wipe_alloc(SIZE_MAX - 4));
}

/* Undo protoc's C escaping of a bytes field. */
static size_t
unescape_c(const char *s, uint8_t *out)
{
	size_t o = 0;

	while (*s != '\0' && *s != '"') {
		if (*s != '\\') {
			out[o++] = (uint8_t)*s++;
			continue;
		}
		s++;
		if (*s >= '0' && *s <= '7') {
			out[o++] = (uint8_t)((s[0] - '0') * 64 +
					     (s[1] - '0') * 8 + (s[2] - '0'));
			s += 3;
			continue;
		}
		switch (*s) {
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		default:
			out[o++] = (uint8_t)*s;
			break;
		}
		s++;
	}
	return o;
}

/*
 * Decode one migration URI with coreutils and `protoc --decode_raw`, and
 * collect the top-level fields and the accounts' secrets.
 */
struct rawdecode {
	long version, batch_size, batch_index, batch_id;
	size_t nsecrets;
	uint8_t secrets[10][64];
	size_t secret_len[10];
	char names[10][64];
};

static void
protoc_decode(const char *line, struct rawdecode *r)
{
	char path[] = "/tmp/mfa-test-mig-XXXXXX", cmd[256], buf[1024];
	const char *data = strstr(line, "?data=");
	int fd, depth = 0;
	FILE *f;

	memset(r, 0, sizeof(*r));
	assert_non_null(data);
	data += 6;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, data, strcspn(data, "\n")) > 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "sed -e 's/%%2B/+/g; s/%%2F/\\//g; s/%%3D/=/g' %s | "
		 "base64 -d | protoc --decode_raw",
		 path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		const char *s = buf + strspn(buf, " ");

		if (strcmp(s, "1 {\n") == 0) {
			depth++;
			continue;
		}
		if (strcmp(s, "}\n") == 0) {
			depth--;
			r->nsecrets++;
			continue;
		}
		if (depth == 1 && strncmp(s, "1: \"", 4) == 0) {
			assert_true(r->nsecrets < 10);
			r->secret_len[r->nsecrets] =
			    unescape_c(s + 4, r->secrets[r->nsecrets]);
		} else if (depth == 1 && strncmp(s, "2: \"", 4) == 0) {
			snprintf(r->names[r->nsecrets], 64, "%.*s",
				 (int)strcspn(s + 4, "\""), s + 4);
		} else if (depth == 0) {
			if (strncmp(s, "2: ", 3) == 0)
				r->version = atol(s + 3);
			else if (strncmp(s, "3: ", 3) == 0)
				r->batch_size = atol(s + 3);
			else if (strncmp(s, "4: ", 3) == 0)
				r->batch_index = atol(s + 3);
			else if (strncmp(s, "5: ", 3) == 0)
				r->batch_id = atol(s + 3);
		}
	}
	assert_int_equal(pclose(f), 0);
	unlink(path);
}

/* n Google-compatible accounts with random secrets. */
static void
google_entries(struct io_list *l, size_t n)
{
	struct otp_params p;
	struct io_entry e;
	uint8_t key[20];
	char name[32];
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < n; i++) {
		otp_params_default(&p, i % 5 == 3 ? OTP_HOTP : OTP_TOTP);
		p.hash = (enum otp_hash)(i % 3);
		p.digits = i % 2 ? 8 : 6;
		p.counter = i * 1000;
		randombytes_buf(key, sizeof(key));
		/* A first byte no protobuf tag starts with (wire type 7), so
		 * protoc prints the secret as bytes, not as a message. */
		key[0] |= 7;
		snprintf(name, sizeof(name), "user%02zu@example.com", i);
		assert_int_equal(io_entry_make(&e, name, i % 4 ? "ACME Co" : "",
					       &p, key, sizeof(key)),
				 0);
		assert_int_equal(io_list_push(l, &e), 0);
	}
}

static void
test_roundtrip_google(void **state)
{
	struct io_list a, b = {0};
	struct rawdecode r;
	char *out, *line, *save = NULL;
	struct mfa_err werr = {0};
	char gname[128];
	size_t outlen, i, k = 0, lines = 0;
	long batch_id = -1;

	(void)state;
	google_entries(&a, 25);
	assert_int_equal(io_export_google(a.v, a.n, &out, &outlen, &werr), 0);
	assert_int_equal(strlen(out), outlen);
	assert_int_equal(io_detect((uint8_t *)out, outlen), IO_URI);
	assert_int_equal(
	    io_import((uint8_t *)out, outlen, IO_AUTO, NULL, NULL, &b, &werr),
	    0);
	assert_int_equal(b.n, 25);
	for (i = 0; i < 25; i++)
		check_same(&a.v[i], &b.v[i], false);
	io_list_free(&b);

	for (line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		assert_true(strncmp(line, "otpauth-migration://offline?data=",
				    33) == 0);
		assert_null(strpbrk(line + 33, "+/= "));
		protoc_decode(line, &r);
		assert_int_equal(r.version, 1);
		assert_int_equal(r.batch_size, 3);
		assert_int_equal(r.batch_index, (long)lines);
		if (batch_id == -1)
			batch_id = r.batch_id;
		assert_int_equal(r.batch_id, batch_id);
		assert_int_equal(r.nsecrets, lines < 2 ? 10 : 5);
		for (i = 0; i < r.nsecrets; i++, k++) {
			assert_int_equal(r.secret_len[i], a.v[k].secret_len);
			assert_memory_equal(r.secrets[i], a.v[k].secret,
					    a.v[k].secret_len);
			if (a.v[k].issuer[0] != '\0')
				snprintf(gname, sizeof(gname), "%s:%s",
					 a.v[k].issuer, a.v[k].name);
			else
				snprintf(gname, sizeof(gname), "%s",
					 a.v[k].name);
			assert_string_equal(r.names[i], gname);
		}
	}
	assert_int_equal(lines, 3);
	assert_int_equal(k, 25);
	sodium_free(out);
	io_list_free(&a);
}

static void
test_export_google_refusals(void **state)
{
	struct io_list a, b = {0};
	char *out;
	struct mfa_err werr = {0};
	char *why = werr.why;
	size_t outlen;

	(void)state;
	sample_entries(&a);
	/* SPDX:James has 7 digits (and a 20 s period). */
	assert_int_equal(io_export_google(a.v, a.n, &out, &outlen, &werr),
			 MFA_EUNSUPPORTED);
	assert_null(out);
	assert_string_equal(why, "Google Authenticator cannot hold 7-digit "
				 "codes: SPDX:James");
	a.v[1].p.digits = 8;
	assert_int_equal(io_export_google(a.v, a.n, &out, &outlen, &werr),
			 MFA_EUNSUPPORTED);
	assert_string_equal(why, "Google Authenticator cannot hold a 20-second "
				 "period: SPDX:James");
	/* Steam (index 6) is refused, never converted to 6-digit TOTP. */
	assert_int_equal(io_export_google(a.v + 6, 1, &out, &outlen, &werr),
			 MFA_EUNSUPPORTED);
	assert_null(out);
	assert_string_equal(why, "Google Authenticator has no Steam codes: "
				 "Boeing:Sophia");
	(void)b;
	/* HOTP accounts, whatever their stored period. */
	assert_int_equal(io_export_google(a.v + 3, 1, &out, &outlen, &werr), 0);
	sodium_free(out);
	a.v[0].p.t0 = 5;
	assert_int_equal(io_export_google(a.v, 1, &out, &outlen, &werr),
			 MFA_EUNSUPPORTED);
	assert_non_null(strstr(why, "(T0): Deno:Mason"));
	io_list_free(&a);

	assert_int_equal(io_export_google(NULL, 0, &out, &outlen, &werr), 0);
	assert_int_equal(outlen, 0);
	sodium_free(out);
}

/* ---- one door for every importer ---- */

/* Import s (whole), expect one account named `name`, repaired or not. */
static void
door_ok(const char *s, const char *name, bool repaired)
{
	struct io_list l = {0};
	struct mfa_err werr = {0};
	char *why = werr.why;

	if (io_import((const uint8_t *)s, strlen(s), IO_AUTO, NULL, NULL, &l,
		      &werr) != 0)
		fail_msg("%.40s: %s", s, why);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, name);
	assert_int_equal(l.v[0].repaired, repaired);
	assert_true(otp_utf8_valid(l.v[0].name));
	io_list_free(&l);
}

#define AEGIS_ONE(name)                                                        \
	"{\"version\":1,\"header\":{\"slots\":null,\"params\":null},\"db\":"   \
	"{\"version\":3,\"entries\":[{\"type\":\"totp\",\"name\":\"" name      \
	"\",\"issuer\":\"\",\"note\":\"\",\"info\":{\"secret\":"               \
	"\"JBSWY3DPEHPK3PXP\"}}]}}"
#define ANDOTP_ONE(name)                                                       \
	"[{\"secret\":\"JBSWY3DPEHPK3PXP\",\"label\":\"" name                  \
	"\",\"issuer\":\"\",\"type\":\"TOTP\"}]"
#define TWOFAS_ONE(name)                                                       \
	"{\"schemaVersion\":4,\"services\":[{\"name\":\"x\",\"secret\":"       \
	"\"JBSWY3DPEHPK3PXP\",\"otp\":{\"account\":\"" name                    \
	"\",\"issuer\":\"\",\"tokenType\":\"TOTP\"}}]}"
#define MFA_ONE(name)                                                          \
	"{\"format\":\"mfa-export\",\"version\":1,\"entries\":[{\"name\":"     \
	"\"" name "\",\"secret\":\"JBSWY3DPEHPK3PXP\"}]}"

static void
test_door(void **state)
{
	static const char *const fixed = "b\xef\xbf\xbd"
					 "b";
	struct io_list l = {0};
	struct io_entry e;
	struct otp_params p;
	struct mfa_err werr = {0};
	char *why = werr.why;

	(void)state;
	/* Invalid UTF-8 becomes U+FFFD, the same in every importer. */
	door_ok("otpauth://totp/b%FFb?secret=JBSWY3DPEHPK3PXP", fixed, true);
	door_ok("otpauth://totp/b\xff"
		"b?secret=JBSWY3DPEHPK3PXP",
		fixed, true);
	/* JSON files are repaired as a whole before parsing (jansson would
	 * refuse them), so their entries arrive valid. */
	door_ok(AEGIS_ONE("b\xff"
			  "b"),
		fixed, false);
	door_ok(ANDOTP_ONE("b\xff"
			   "b"),
		fixed, false);
	door_ok(TWOFAS_ONE("b\xff"
			   "b"),
		fixed, false);
	door_ok(MFA_ONE("b\xff"
			"b"),
		fixed, false);
	door_ok(MFA_ONE("\xc3\xa9l\xc3\xa8ve"), "\xc3\xa9l\xc3\xa8ve", false);
	/* A NUL in a name is refused, naming the entry. */
	import_str_fails(AEGIS_ONE("b\\u0000b"), IO_AUTO,
			 "entry 1: \"name\" holds a NUL character");
	import_str_fails(ANDOTP_ONE("b\\u0000b"), IO_AUTO,
			 "entry 1: \"label\" holds a NUL character");
	import_str_fails(TWOFAS_ONE("b\\u0000b"), IO_AUTO,
			 "entry 1: \"account\" holds a NUL character");
	import_str_fails(MFA_ONE("b\\u0000b"), IO_AUTO,
			 "entry 1: \"name\" holds a NUL character");
	/* Counters stop at 2^63 - 1, whoever builds the entry. */
	otp_params_default(&p, OTP_HOTP);
	p.counter = OTP_COUNTER_MAX + 1;
	assert_int_equal(
	    io_entry_make(&e, "h", "", &p, (const uint8_t *)"0123456789", 10),
	    0);
	assert_int_equal(io_list_add(&l, &e, &werr), MFA_EURI_COUNTER);
	assert_string_equal(why, "counter 9223372036854775808 is above "
				 "2^63 - 1");
	assert_null(e.secret); /* handed over and freed */
	p.counter = OTP_COUNTER_MAX;
	assert_int_equal(
	    io_entry_make(&e, "h", "", &p, (const uint8_t *)"0123456789", 10),
	    0);
	assert_int_equal(io_list_add(&l, &e, &werr), 0);
	assert_int_equal(l.n, 1);
	io_list_free(&l);
	import_str_fails(
	    "[{\"secret\":\"JBSWY3DPEHPK3PXP\",\"label\":\"h\",\"type\":"
	    "\"HOTP\",\"counter\":9223372036854775808}]",
	    IO_AUTO, NULL);
}

/* ---- partial imports ---- */

static void
test_skip_unsupported(void **state)
{
	OtpParameters op[2], *opp[2];
	MigrationPayload mp;
	static uint8_t key[10] = "0123456789";
	struct io_list l;
	char *mig, *doc;
	struct mfa_err werr = {0};
	char *why = werr.why;
	uint8_t pb[256];
	char *b64 = NULL;
	size_t i, pblen, b64len;

	(void)state;
	/* A Google payload: one MD5 account (no app computes it), one good. */
	migration_payload__init(&mp);
	for (i = 0; i < 2; i++) {
		otp_parameters__init(&op[i]);
		op[i].secret.data = key;
		op[i].secret.len = sizeof(key);
		op[i].name.data = (uint8_t *)(i == 0 ? "Md5:x" : "Good:y");
		op[i].name.len = strlen((const char *)op[i].name.data);
		op[i].algorithm =
		    i == 0 ? OTP_PARAMETERS__ALGORITHM__ALGORITHM_MD5
			   : OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA1;
		opp[i] = &op[i];
	}
	mp.n_otp_parameters = 2;
	mp.otp_parameters = opp;
	pblen = migration_payload__pack(&mp, pb);
	assert_int_equal(io_base64_encode(pb, pblen, &b64, &b64len), 0);
	assert_true(asprintf(&mig, "otpauth-migration://offline?data=%s", b64) >
		    0);
	sodium_free(b64);
	assert_true(asprintf(&doc,
			     "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\n"
			     "otpauth://motp/M:m?secret=JBSWY3DPEHPK3PXP\n"
			     "%s\n"
			     "otpauth://totp/R:r?secret=JBSWY3DP&digits=6&"
			     "digits=8\n"
			     "otpauth://hotp/B:b?secret=JBSWY3DPEHPK3PXP&"
			     "counter=3\n",
			     mig) > 0);

	/* Without skipping: the first bad entry fails, and says it could. */
	memset(&l, 0, sizeof(l));
	assert_int_equal(io_import((const uint8_t *)doc, strlen(doc), IO_AUTO,
				   NULL, NULL, &l, &werr),
			 MFA_EURI_TYPE);
	assert_string_equal(why, "line 2 (M:m): unknown OTP type (want totp, "
				 "hotp or steam)");
	assert_true(l.entry_failed);
	assert_int_equal(l.n, 0);
	io_list_free(&l);

	/* With it: every other entry, and a reason for each one left out. */
	memset(&l, 0, sizeof(l));
	l.skip_unsupported = true;
	assert_int_equal(io_import((const uint8_t *)doc, strlen(doc), IO_AUTO,
				   NULL, NULL, &l, &werr),
			 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].issuer, "A");
	assert_string_equal(l.v[1].issuer, "Good");
	assert_string_equal(l.v[2].issuer, "B");
	assert_int_equal(l.v[2].p.counter, 3);
	assert_int_equal(l.nskipped, 3);
	assert_string_equal(l.skipped[0], "line 2 (M:m): unknown OTP type "
					  "(want totp, hotp or steam)");
	assert_string_equal(l.skipped[1], "line 3: account 1 (Md5:x): MD5 is "
					  "not supported");
	assert_string_equal(l.skipped[2],
			    "line 4 (R:r): parameter digits given twice");
	assert_false(l.entry_failed);
	io_list_free(&l);
	free(doc);
	free(mig);

	/* mfa's own JSON: a bad entry among good ones. */
	doc = "{\"format\":\"mfa-export\",\"version\":1,\"entries\":["
	      "{\"name\":\"a\",\"secret\":\"JBSWY3DPEHPK3PXP\"},"
	      "{\"name\":\"b\",\"type\":\"motp\",\"secret\":\"JBSWY3DP\"},"
	      "{\"name\":\"c\",\"secret\":\"JBSWY3DPEHPK3PXQ\"}]}";
	memset(&l, 0, sizeof(l));
	l.skip_unsupported = true;
	assert_int_equal(io_import((const uint8_t *)doc, strlen(doc), IO_AUTO,
				   NULL, NULL, &l, &werr),
			 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.nskipped, 1);
	assert_string_equal(l.skipped[0], "entry 2: unknown type \"motp\" "
					  "(want totp, hotp or steam)");
	io_list_free(&l);
	/* A file that is broken as a whole still fails. */
	memset(&l, 0, sizeof(l));
	l.skip_unsupported = true;
	assert_int_not_equal(io_import((const uint8_t *)"{\"format\":", 10,
				       IO_AUTO, NULL, NULL, &l, &werr),
			     0);
	io_list_free(&l);
}

/* ---- what each export format carries ---- */

static void
test_export_check(void **state)
{
	static const struct {
		enum io_format f;
		int entry; /* index in sample_entries, after the changes */
		int rc;
		const char *why, *lost;
	} cases[] = {
	    {IO_JSON, 0, 0, "", NULL},
	    {IO_JSON, 2, 0, "", NULL}, /* T0 */
	    {IO_URI, 0, 0, "", NULL},  /* serial as mfa-serial */
	    {IO_URI, 1, 0, "", NULL},  /* note as mfa-note */
	    {IO_URI, 2, MFA_EUNSUPPORTED,
	     "an otpauth URI cannot carry a time origin (T0)", NULL},
	    {IO_AEGIS, 2, MFA_EUNSUPPORTED,
	     "Aegis cannot carry a time origin (T0)", NULL},
	    {IO_AEGIS, 0, 0, "", NULL},
	    {IO_GOOGLE, 0, 0, "", "serial"},
	    {IO_GOOGLE, 1, MFA_EUNSUPPORTED,
	     "Google Authenticator cannot hold 7-digit codes", NULL},
	    {IO_GOOGLE, 2, MFA_EUNSUPPORTED,
	     "Google Authenticator cannot hold a time origin (T0)", NULL},
	    {IO_GOOGLE, 3, 0, "", NULL}, /* HOTP */
	    {IO_GOOGLE, 5, 0, "", "note and serial"},
	    {IO_GOOGLE, 6, MFA_EUNSUPPORTED,
	     "Google Authenticator has no Steam codes", NULL},
	};
	struct io_list a;
	struct mfa_err werr = {0};
	char *why = werr.why;
	const char *lost;
	size_t i;

	(void)state;
	sample_entries(&a);
	a.v[2].p.period = 30;
	free(a.v[5].note);
	a.v[5].note = strdup("n");
	free(a.v[5].serial);
	a.v[5].serial = strdup("s");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = io_export_check(cases[i].f, &a.v[cases[i].entry],
					 &lost, &werr);

		if (rc != cases[i].rc || strcmp(why, cases[i].why) != 0)
			fail_msg("case %zu: %s \"%s\"", i,
				 mfa_strerror_name(rc), why);
		if ((lost == NULL) != (cases[i].lost == NULL) ||
		    (lost != NULL && strcmp(lost, cases[i].lost) != 0))
			fail_msg("case %zu: lost %s", i, lost ? lost : "-");
	}
	io_list_free(&a);
}

/* ---- detection and names ---- */

static void
test_detect(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		enum io_format f;
	} cases[] = {
	    {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, IO_IMAGE},
	    {"\xff\xd8\xff\xe0\0\x10JFIF", 10, IO_IMAGE},
	    {"P6\n2 2\n255\n", 11, IO_IMAGE},
	    {"P5 1 1 255 x", 12, IO_IMAGE},
	    {"P2\n# c\n1 1\n", 11, IO_IMAGE},
	    {"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", 0, IO_URI},
	    {"OTPAUTH://TOTP/a?secret=JBSWY3DPEHPK3PXP", 0, IO_URI},
	    {"\xef\xbb\xbf# hi\n\n  otpauth-migration://offline?data=x", 0,
	     IO_URI},
	    {"# only a comment\n", 0, IO_URI},
	    {"QR-Code:otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n", 0, IO_URI},
	    {"JBSWY3DPEHPK3PXP\n", 0, IO_AWS_SEED},
	    {"jbsw y3dp ehpk 3pxp", 0, IO_AWS_SEED},
	    {"JBSWY3DPEHPK3PX", 0, IO_AUTO}, /* too short */
	    {"JBSWY3DPEHPK3PX=A", 0, IO_AUTO},
	    {"hello world this is text", 0, IO_AUTO},
	    {"{\"format\":\"mfa-export\",\"version\":1,\"entries\":[]}", 0,
	     IO_JSON},
	    {"{\"something\":\"else\"}", 0, IO_AUTO},
	    {"", 0, IO_AUTO},
	    {"  \n", 0, IO_AUTO},
	    {"Pxyz", 0, IO_AUTO},
	    {"https://otpauth.example/", 0, IO_AUTO},
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].s);
		if (io_detect((const uint8_t *)cases[i].s, len) != cases[i].f)
			fail_msg("case %zu (%.20s): got %s", i, cases[i].s,
				 io_format_name(io_detect(
				     (const uint8_t *)cases[i].s, len)));
	}
	import_fails((const uint8_t *)cases[0].s, cases[0].len, IO_AUTO,
		     "an image");
	import_fails((const uint8_t *)"x", 1, IO_IMAGE, "an image");

	/*
	 * Binary files: an old andOTP backup has no magic, so binary of no
	 * known kind is one (the password tells); known kinds are named.
	 */
	{
		uint8_t bin[64];
		size_t k;

		for (k = 0; k < sizeof(bin); k++)
			bin[k] = (uint8_t)(k * 37 + 0x81);
		assert_int_equal(io_detect(bin, sizeof(bin)), IO_ANDOTP);
		import_fails(bin, sizeof(bin), IO_AUTO,
			     "no password was given");
		assert_int_equal(io_detect(bin, 29), IO_AUTO); /* too short */
		memcpy(bin, "PK\3\4", 4);
		assert_int_equal(io_detect(bin, sizeof(bin)), IO_AUTO);
		import_fails(bin, sizeof(bin), IO_AUTO,
			     "unrecognised format (a ZIP archive)");
		memcpy(bin, "SQLite format 3", 16);
		import_fails(bin, sizeof(bin), IO_AUTO,
			     "unrecognised format (an SQLite database)");
	}
}

static void
test_format_names(void **state)
{
	static const char *const names[] = {"uri",    "google", "aegis",
					    "andotp", "2fas",	"aws-seed",
					    "image",  "json"};
	enum io_format f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(io_format_parse(names[i], &f), 0);
		assert_int_equal(f, (enum io_format)(IO_URI + i));
		assert_string_equal(io_format_name(f), names[i]);
	}
	assert_int_equal(io_format_parse("GOOGLE", &f), 0);
	assert_int_equal(f, IO_GOOGLE);
	assert_int_equal(io_format_parse("twofas", &f), 0);
	assert_int_equal(f, IO_TWOFAS);
	assert_int_equal(io_format_parse("auto", &f), 0);
	assert_int_equal(f, IO_AUTO);
	assert_int_equal(io_format_parse("csv", &f), MFA_EINVAL);
}

static void
test_list_ops(void **state)
{
	struct io_list a = {0}, b = {0};
	struct otp_params p;
	struct io_entry e;
	size_t i;

	(void)state;
	otp_params_default(&p, OTP_TOTP);
	for (i = 0; i < 20; i++) {
		assert_int_equal(
		    io_entry_make(&e, NULL, NULL, &p, (const uint8_t *)"k", 1),
		    0);
		assert_string_equal(e.name, "");
		assert_int_equal(io_list_push(i < 5 ? &a : &b, &e), 0);
		assert_null(e.secret); /* ownership moved */
	}
	assert_int_equal(io_list_move(&a, &b), 0);
	assert_int_equal(a.n, 20);
	assert_int_equal(b.n, 0);
	assert_null(b.v);
	io_list_free(&a);
	io_list_free(&a); /* idempotent */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_secure_alloc),
	    cmocka_unit_test(test_format_names),
	    cmocka_unit_test(test_list_ops),
	    cmocka_unit_test(test_detect),
	    cmocka_unit_test(test_aegis_plain_txt),
	    cmocka_unit_test(test_aegis_ente_auth),
	    cmocka_unit_test(test_stratum_urilists),
	    cmocka_unit_test(test_stratum_google),
	    cmocka_unit_test(test_own_urilists),
	    cmocka_unit_test(test_urilist_errors),
	    cmocka_unit_test(test_scito_example_export),
	    cmocka_unit_test(test_scito_special),
	    cmocka_unit_test(test_migration_cases),
	    cmocka_unit_test(test_migration_batches_in_one_file),
	    cmocka_unit_test(test_google_bad_accounts),
	    cmocka_unit_test(test_aws_seed),
	    cmocka_unit_test(test_mfajson_fixture),
	    cmocka_unit_test(test_mfajson_errors),
	    cmocka_unit_test(test_roundtrip_uri),
	    cmocka_unit_test(test_roundtrip_json),
	    cmocka_unit_test(test_roundtrip_google),
	    cmocka_unit_test(test_export_google_refusals),
	    cmocka_unit_test(test_door),
	    cmocka_unit_test(test_skip_unsupported),
	    cmocka_unit_test(test_export_check),
	};

	if (sodium_init() < 0)
		return 1;
	io_json_secure_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
