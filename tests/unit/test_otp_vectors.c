/*
 * HOTP/TOTP/Steam codes against published vectors: RFC 4226 Appendix D and
 * RFC 6238 Appendix B kept here as tables (and checked against the copies in
 * ../shared/fixtures/rfc when present), the extra third-party vectors of
 * ../shared/fixtures/otp-vectors/otp_vectors.json, and the edges of the
 * engine API: digit and period ranges, steps around T0, code comparison,
 * name parsing and --at TIME parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "mfa/otp.h"
#include "otp/hmac.h"

#include "fixtures.h"

/* RFC 4226 Appendix D: secret "12345678901234567890", counters 0..9. */
static const char rfc4226_key[] = "12345678901234567890";
static const struct {
	const char *hmac_hex;
	uint32_t truncated;
	const char *hotp;
} rfc4226[10] = {
    {"cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 1284755224, "755224"},
    {"75a48a19d4cbe100644e8ac1397eea747a2d33ab", 1094287082, "287082"},
    {"0bacb7fa082fef30782211938bc1c5e70416ff44", 137359152, "359152"},
    {"66c28227d03a2d5529262ff016a1e6ef76557ece", 1726969429, "969429"},
    {"a904c900a64b35909874b33e61c5938a8e15ed1c", 1640338314, "338314"},
    {"a37e783d7b7233c083d4f62926c7a25f238d0316", 868254676, "254676"},
    {"bc9cd28561042c83f219324d3c607256c03272ae", 1918287922, "287922"},
    {"a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", 82162583, "162583"},
    {"1b3c89f65e6c9e883012052823443f048b4332db", 673399871, "399871"},
    {"1637409809a679dc698207310c8c7fc07290d9e5", 645520489, "520489"},
};

/* RFC 6238 Appendix B: 8 digits, X = 30, T0 = 0, per-hash seeds. */
static const char rfc6238_seed[] =
    "1234567890123456789012345678901234567890123456789012345678901234";
static const struct {
	int64_t t;
	uint64_t step;
	enum otp_hash hash;
	const char *totp;
} rfc6238[] = {
    {59, 0x1, OTP_SHA1, "94287082"},
    {59, 0x1, OTP_SHA256, "46119246"},
    {59, 0x1, OTP_SHA512, "90693936"},
    {1111111109, 0x23523EC, OTP_SHA1, "07081804"},
    {1111111109, 0x23523EC, OTP_SHA256, "68084774"},
    {1111111109, 0x23523EC, OTP_SHA512, "25091201"},
    {1111111111, 0x23523ED, OTP_SHA1, "14050471"},
    {1111111111, 0x23523ED, OTP_SHA256, "67062674"},
    {1111111111, 0x23523ED, OTP_SHA512, "99943326"},
    {1234567890, 0x273EF07, OTP_SHA1, "89005924"},
    {1234567890, 0x273EF07, OTP_SHA256, "91819424"},
    {1234567890, 0x273EF07, OTP_SHA512, "93441116"},
    {2000000000, 0x3F940AA, OTP_SHA1, "69279037"},
    {2000000000, 0x3F940AA, OTP_SHA256, "90698825"},
    {2000000000, 0x3F940AA, OTP_SHA512, "38618901"},
    {INT64_C(20000000000), 0x27BC86AA, OTP_SHA1, "65353130"},
    {INT64_C(20000000000), 0x27BC86AA, OTP_SHA256, "77737706"},
    {INT64_C(20000000000), 0x27BC86AA, OTP_SHA512, "47863826"},
};
#define NRFC6238 (sizeof(rfc6238) / sizeof(rfc6238[0]))

/* Codes made by the real Steam mobile app (KeePassXC and Stratum tests). */
static const struct {
	const char *b32;
	int64_t t;
	const char *code;
} steam_app[] = {
    {"63BEDWCQZKTQWPESARIERL5DTTQFCJTK", 1511200518, "FR8RV"},
    {"63BEDWCQZKTQWPESARIERL5DTTQFCJTK", 1511200714, "9P3VP"},
};

static size_t
rfc6238_seedlen(enum otp_hash h)
{
	return h == OTP_SHA1 ? 20 : h == OTP_SHA256 ? 32 : 64;
}

static size_t
hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex), i;
	unsigned v;

	assert_true(n % 2 == 0 && n / 2 <= cap);
	for (i = 0; i < n / 2; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n / 2;
}

static size_t
b32_key(const char *b32, uint8_t *out, size_t cap)
{
	size_t len = 0, errpos = 0;

	assert_int_equal(
	    base32_decode(b32, strlen(b32), out, cap, &len, &errpos), 0);
	return len;
}

static void
check_hotp(const uint8_t *key, size_t keylen, enum otp_hash h, uint64_t c,
	   const char *want)
{
	char out[OTP_CODE_MAX];

	memset(out, 'x', sizeof(out));
	assert_int_equal(
	    otp_hotp(key, keylen, h, c, (unsigned)strlen(want), out), 0);
	if (strcmp(out, want) != 0)
		fail_msg("HOTP %s counter %llu digits %zu: got %s want %s",
			 otp_hash_name(h), (unsigned long long)c, strlen(want),
			 out, want);
}

static void
check_totp(const uint8_t *key, size_t keylen, enum otp_hash h, uint64_t period,
	   int64_t t, const char *want)
{
	struct otp_params p;
	char out[OTP_CODE_MAX];

	otp_params_default(&p, OTP_TOTP);
	p.hash = h;
	p.period = period;
	p.digits = (unsigned)strlen(want);
	assert_int_equal(otp_code(&p, key, keylen, t, out), 0);
	if (strcmp(out, want) != 0)
		fail_msg("TOTP %s period %llu at %lld: got %s want %s",
			 otp_hash_name(h), (unsigned long long)period,
			 (long long)t, out, want);
}

static void
check_steam(const uint8_t *key, size_t keylen, int64_t t, const char *want)
{
	struct otp_params p;
	char out[OTP_CODE_MAX];

	otp_params_default(&p, OTP_STEAM);
	assert_int_equal(otp_code(&p, key, keylen, t, out), 0);
	if (strcmp(out, want) != 0)
		fail_msg("Steam at %lld: got %s want %s", (long long)t, out,
			 want);
}

static void
test_rfc4226_hmac(void **state)
{
	uint8_t mac[HMAC_MAX_OUT], want[20], msg[8];
	struct hmac_key *k = NULL;
	size_t maclen;
	int c, i;

	(void)state;
	assert_int_equal(
	    hmac_key_new(OTP_SHA1, (const uint8_t *)rfc4226_key, 20, &k), 0);
	for (c = 0; c < 10; c++) {
		memset(msg, 0, sizeof(msg));
		msg[7] = (uint8_t)c;
		hex_decode(rfc4226[c].hmac_hex, want, sizeof(want));
		maclen = 0;
		assert_int_equal(hmac_mac(OTP_SHA1,
					  (const uint8_t *)rfc4226_key, 20, msg,
					  8, mac, &maclen),
				 0);
		assert_int_equal(maclen, 20);
		assert_memory_equal(mac, want, 20);
		maclen = 0;
		assert_int_equal(hmac_key_mac(k, msg, 8, mac, &maclen), 0);
		assert_int_equal(maclen, 20);
		assert_memory_equal(mac, want, 20);
	}
	hmac_key_free(k);
	hmac_key_free(NULL);
	/* Other hashes report their own sizes. */
	for (i = OTP_SHA256; i <= OTP_SHA512; i++) {
		assert_int_equal(
		    hmac_mac((enum otp_hash)i, NULL, 0, msg, 8, mac, &maclen),
		    0);
		assert_int_equal(maclen, i == OTP_SHA256 ? 32 : 64);
	}
	assert_int_equal(
	    hmac_mac((enum otp_hash)7, NULL, 0, msg, 8, mac, &maclen),
	    MFA_EHASH);
}

static void
test_rfc4226_hotp(void **state)
{
	char want[OTP_CODE_MAX], full[16];
	unsigned d;
	int c;

	(void)state;
	for (c = 0; c < 10; c++) {
		check_hotp((const uint8_t *)rfc4226_key, 20, OTP_SHA1,
			   (uint64_t)c, rfc4226[c].hotp);
		/*
		 * Every digit count is the RFC's truncated value modulo 10^d,
		 * zero padded: 10 digits show the whole 31-bit value.
		 */
		snprintf(full, sizeof(full), "%010u", rfc4226[c].truncated);
		for (d = OTP_DIGITS_MIN; d <= OTP_DIGITS_MAX; d++) {
			snprintf(want, sizeof(want), "%s", full + 10 - d);
			check_hotp((const uint8_t *)rfc4226_key, 20, OTP_SHA1,
				   (uint64_t)c, want);
		}
	}
}

static void
test_rfc6238_totp(void **state)
{
	char out[OTP_CODE_MAX];
	struct otp_params p;
	uint64_t step;
	size_t i;

	(void)state;
	for (i = 0; i < NRFC6238; i++) {
		size_t kl = rfc6238_seedlen(rfc6238[i].hash);

		assert_int_equal(otp_step(rfc6238[i].t, 0, 30, &step), 0);
		assert_int_equal(step, rfc6238[i].step);
		check_totp((const uint8_t *)rfc6238_seed, kl, rfc6238[i].hash,
			   30, rfc6238[i].t, rfc6238[i].totp);
		/* The same code by explicit step, and as 6 digits. */
		otp_params_default(&p, OTP_TOTP);
		p.hash = rfc6238[i].hash;
		p.digits = 8;
		assert_int_equal(otp_code_at_step(&p,
						  (const uint8_t *)rfc6238_seed,
						  kl, rfc6238[i].step, out),
				 0);
		assert_string_equal(out, rfc6238[i].totp);
		check_totp((const uint8_t *)rfc6238_seed, kl, rfc6238[i].hash,
			   30, rfc6238[i].t, rfc6238[i].totp + 2);
	}
}

/* The fixture copies of the RFC tables must say what the tables above say. */
static void
test_rfc_fixture_files(void **state)
{
	char line[512], f1[128], f2[128], f3[128], f4[128], f5[128];
	FILE *fp;
	int rows2 = 0, rows4 = 0, rows5 = 0, n, c;
	size_t i;

	(void)state;
	fixture_need("/rfc");
	fp = fopen(fixture("/rfc/rfc4226_appendix_d.txt"), "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		n = sscanf(line, "%127[^\t\n]\t%127[^\t\n]\t%127[^\t\n]\t%127s",
			   f1, f2, f3, f4);
		c = atoi(f1);
		assert_true(c >= 0 && c < 10);
		if (n == 2) {
			assert_string_equal(f2, rfc4226[c].hmac_hex);
			rows2++;
		} else {
			assert_int_equal(n, 4);
			assert_int_equal(strtoul(f2, NULL, 16),
					 rfc4226[c].truncated);
			assert_int_equal(strtoul(f3, NULL, 10),
					 rfc4226[c].truncated);
			assert_string_equal(f4, rfc4226[c].hotp);
			rows4++;
		}
	}
	fclose(fp);
	assert_int_equal(rows2, 10);
	assert_int_equal(rows4, 10);

	fp = fopen(fixture("/rfc/rfc6238_appendix_b.txt"), "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		n = sscanf(line,
			   "%127[^\t\n]\t%127[^\t\n]\t%127[^\t\n]\t%127[^\t\n]"
			   "\t%127s",
			   f1, f2, f3, f4, f5);
		assert_int_equal(n, 5);
		for (i = 0; i < NRFC6238; i++)
			if (rfc6238[i].t == strtoll(f1, NULL, 10) &&
			    strcmp(otp_hash_name(rfc6238[i].hash), f5) == 0)
				break;
		if (i == NRFC6238)
			fail_msg("fixture row %s %s not in the table", f1, f5);
		assert_int_equal(strtoull(f3, NULL, 16), rfc6238[i].step);
		assert_string_equal(f4, rfc6238[i].totp);
		rows5++;
	}
	fclose(fp);
	assert_int_equal(rows5, (int)NRFC6238);
}

static void
test_steam_app_codes(void **state)
{
	uint8_t key[64];
	char out[OTP_CODE_MAX];
	size_t i, kl;
	uint64_t step;

	(void)state;
	for (i = 0; i < sizeof(steam_app) / sizeof(steam_app[0]); i++) {
		kl = b32_key(steam_app[i].b32, key, sizeof(key));
		check_steam(key, kl, steam_app[i].t, steam_app[i].code);
		assert_int_equal(otp_step(steam_app[i].t, 0, 30, &step), 0);
		assert_int_equal(otp_steam(key, kl, step, out), 0);
		assert_string_equal(out, steam_app[i].code);
	}
	/* Steam ignores digits and hash: always 5 characters of SHA-1. */
	{
		struct otp_params p;

		otp_params_default(&p, OTP_STEAM);
		assert_int_equal(p.digits, OTP_STEAM_DIGITS);
		p.digits = 8;
		p.hash = OTP_SHA512;
		kl = b32_key(steam_app[0].b32, key, sizeof(key));
		assert_int_equal(otp_code(&p, key, kl, steam_app[0].t, out), 0);
		assert_string_equal(out, steam_app[0].code);
	}
}

/* Extra vectors from ../shared/fixtures/otp-vectors/otp_vectors.json. */

struct vec_count {
	int hotp, totp, steam, skipped;
};

static size_t
vec_key(json_t *obj, uint8_t *key, size_t cap)
{
	json_t *h = json_object_get(obj, "key_hex");
	json_t *b = json_object_get(obj, "key_base32");

	if (json_is_string(h))
		return hex_decode(json_string_value(h), key, cap);
	assert_true(json_is_string(b));
	return b32_key(json_string_value(b), key, cap);
}

static int
vec_has_key(json_t *obj)
{
	return json_is_string(json_object_get(obj, "key_hex")) ||
	       json_is_string(json_object_get(obj, "key_base32"));
}

/* A JSON number or a string starting with one ("2^63" notes follow). */
static uint64_t
vec_u64(json_t *v)
{
	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	assert_true(json_is_string(v));
	return strtoull(json_string_value(v), NULL, 10);
}

static enum otp_hash
vec_hash(const char *s)
{
	enum otp_hash h;

	assert_int_equal(otp_hash_parse(s, &h), 0);
	return h;
}

/* oath-toolkit's tst_hotp_algo table: counters 0..19, 6/7/8 digits. */
static void
vec_oath_table(json_t *g, struct vec_count *n)
{
	static const char *const keys[] = {"hotp_6", "hotp_7", "hotp_8"};
	uint8_t key[128];
	size_t kl = vec_key(g, key, sizeof(key)), i, c;

	for (i = 0; i < 3; i++) {
		json_t *a = json_object_get(g, keys[i]);

		assert_true(json_is_array(a));
		assert_int_equal(json_array_size(a), 20);
		for (c = 0; c < json_array_size(a); c++) {
			check_hotp(key, kl, OTP_SHA1, c,
				   json_string_value(json_array_get(a, c)));
			n->hotp++;
		}
	}
}

/* One oathtool CLI case; returns 0 when it was not a code vector. */
static int
vec_oathtool_case(json_t *c, struct vec_count *n)
{
	uint8_t key[128];
	json_t *codes = json_object_get(c, "codes");
	json_t *code = json_object_get(c, "code");
	json_t *totp = json_object_get(c, "totp");
	json_t *dj = json_object_get(c, "digits");
	unsigned long long c0, c1;
	long long t0;
	int last;
	size_t kl, i;

	if (!vec_has_key(c) || (code == NULL && codes == NULL))
		return 0;
	kl = vec_key(c, key, sizeof(key));
	if (json_is_string(totp) && json_is_string(code)) {
		check_totp(key, kl, vec_hash(json_string_value(totp)), 30,
			   json_integer_value(json_object_get(c, "time")),
			   json_string_value(code));
		n->totp++;
	} else if (json_is_string(code)) {
		const char *w = json_string_value(code);

		if (dj != NULL)
			assert_int_equal(json_integer_value(dj), strlen(w));
		check_hotp(key, kl, OTP_SHA1,
			   json_object_get(c, "hotp_counter")
			       ? vec_u64(json_object_get(c, "hotp_counter"))
			       : 0,
			   w);
		n->hotp++;
	} else if (json_is_string(json_object_get(c, "hotp_counters"))) {
		assert_int_equal(sscanf(json_string_value(json_object_get(
					    c, "hotp_counters")),
					"%llu..%llu", &c0, &c1),
				 2);
		assert_int_equal(c1 - c0 + 1, json_array_size(codes));
		for (i = 0; i < json_array_size(codes); i++, n->hotp++)
			check_hotp(key, kl, OTP_SHA1, c0 + i,
				   json_string_value(json_array_get(codes, i)));
	} else {
		/* "1111111109 + 30*i, i=0..5": a TOTP window listing. */
		assert_int_equal(
		    sscanf(json_string_value(json_object_get(c, "times")),
			   "%lld + 30*i, i=0..%d", &t0, &last),
		    2);
		assert_int_equal(last + 1, json_array_size(codes));
		for (i = 0; i < json_array_size(codes); i++, n->totp++)
			check_totp(key, kl, kl == 32 ? OTP_SHA256 : OTP_SHA1,
				   30, t0 + 30 * (long long)i,
				   json_string_value(json_array_get(codes, i)));
	}
	return 1;
}

/* oath-toolkit tst_totp_validate: code at the matched step; step offset. */
static void
vec_totp_validate(json_t *g, struct vec_count *n)
{
	uint8_t key[128];
	size_t kl = vec_key(g, key, sizeof(key)), i;
	json_t *rows = json_object_get(g, "rows"), *r;
	struct otp_params p;
	char out[OTP_CODE_MAX];
	uint64_t step, counter;

	otp_params_default(&p, OTP_TOTP);
	p.digits = 8;
	json_array_foreach(rows, i, r)
	{
		counter = vec_u64(json_object_get(r, "counter"));
		assert_int_equal(otp_code_at_step(&p, key, kl, counter, out),
				 0);
		assert_string_equal(
		    out, json_string_value(json_object_get(r, "otp")));
		assert_int_equal(
		    otp_step(json_integer_value(json_object_get(r, "now")), 0,
			     30, &step),
		    0);
		assert_int_equal((int64_t)counter - (int64_t)step,
				 json_integer_value(json_object_get(r, "pos")));
		n->totp++;
	}
}

/* {"time": "code"} maps as pyotp's tests write them. */
static void
vec_time_map(json_t *m, const uint8_t *key, size_t kl, enum otp_hash h,
	     uint64_t period, int steam, struct vec_count *n)
{
	const char *k;
	json_t *v;

	json_object_foreach(m, k, v)
	{
		int64_t t = strtoll(k, NULL, 10);

		if (steam) {
			check_steam(key, kl, t, json_string_value(v));
			n->steam++;
		} else {
			check_totp(key, kl, h, period, t, json_string_value(v));
			n->totp++;
		}
	}
}

static void
vec_pyotp_case(json_t *c, struct vec_count *n)
{
	uint8_t key[128];
	size_t kl = vec_key(c, key, sizeof(key));
	json_t *m, *v;
	const char *k;
	char out[OTP_CODE_MAX];
	struct otp_params p;
	int64_t t;

	if ((m = json_object_get(c, "hotp")) != NULL) {
		json_object_foreach(m, k, v)
		{
			check_hotp(key, kl, OTP_SHA1, strtoull(k, NULL, 10),
				   json_string_value(v));
			n->hotp++;
		}
	}
	if ((m = json_object_get(c, "totp_6digits")) != NULL)
		vec_time_map(m, key, kl, OTP_SHA1, 30, 0, n);
	if ((m = json_object_get(c, "totp")) != NULL)
		vec_time_map(m, key, kl, OTP_SHA1, 30, 0, n);
	if ((m = json_object_get(c, "totp_period_60")) != NULL)
		vec_time_map(m, key, kl, OTP_SHA1, 60, 0, n);
	if ((m = json_object_get(c, "totp_sha256")) != NULL)
		vec_time_map(m, key, kl, OTP_SHA256, 30, 0, n);
	if ((m = json_object_get(c, "totp_sha512")) != NULL)
		vec_time_map(m, key, kl, OTP_SHA512, 30, 0, n);
	if ((m = json_object_get(c, "totp_before_epoch")) != NULL) {
		/*
		 * pyotp truncates -1/30 toward zero into step 0 and fails only
		 * from -30 on. Our documented rule is stricter: any time
		 * before T0 is MFA_ETIME. So every row here must fail.
		 */
		otp_params_default(&p, OTP_TOTP);
		json_object_foreach(m, k, v)
		{
			t = (int64_t)strtod(k, NULL);
			if (t == 0)
				t = -1; /* "-29.5" read as whole seconds */
			assert_int_equal(otp_code(&p, key, kl, t, out),
					 MFA_ETIME);
			n->skipped++;
		}
	}
	if ((m = json_object_get(c, "verify_window_1_at_200")) != NULL) {
		/* Steps 5..7 around t=200 hold the valid codes, in order. */
		uint64_t step = 5;

		otp_params_default(&p, OTP_TOTP);
		json_object_foreach(m, k, v)
		{
			const char *what = json_string_value(v);
			uint64_t s;
			int found = 0;

			for (s = 5; s <= 7; s++) {
				assert_int_equal(
				    otp_code_at_step(&p, key, kl, s, out), 0);
				if (strcmp(out, k) == 0) {
					found = 1;
					assert_int_equal(s, step);
				}
			}
			assert_int_equal(found, strncmp(what, "valid", 5) == 0);
			if (found)
				step++;
			n->totp++;
		}
	}
}

static void
test_otp_vectors_json(void **state)
{
	struct vec_count n = {0, 0, 0, 0};
	json_error_t err;
	json_t *root, *groups, *g, *cases, *c, *m;
	const char *src;
	size_t i, j;
	uint8_t key[128];
	size_t kl;

	(void)state;
	fixture_need("/otp-vectors");
	root =
	    json_load_file(fixture("/otp-vectors/otp_vectors.json"), 0, &err);
	if (root == NULL)
		fail_msg("otp_vectors.json: %s line %d", err.text, err.line);
	groups = json_object_get(root, "groups");
	assert_true(json_is_array(groups));
	json_array_foreach(groups, i, g)
	{
		src = json_string_value(json_object_get(g, "source"));
		assert_non_null(src);
		cases = json_object_get(g, "cases");
		if (json_object_get(g, "hotp_6") != NULL) {
			vec_oath_table(g, &n);
		} else if (json_object_get(g, "rows") != NULL) {
			vec_totp_validate(g, &n);
		} else if (strstr(src, "Yandex") != NULL ||
			   strstr(src, "mOTP") != NULL ||
			   strstr(src, "MobileOtp") != NULL ||
			   json_object_get(g, "see") != NULL) {
			/* Yandex and mOTP are not supported; hectorm's
			 * vectors are checked by test_otp_uri. */
			n.skipped++;
		} else if (strstr(src, "Steam Guard") != NULL) {
			json_array_foreach(cases, j, c)
			{
				kl = vec_key(c, key, sizeof(key));
				vec_time_map(json_object_get(c, "codes"), key,
					     kl, OTP_SHA1, 30, 1, &n);
			}
		} else if (strstr(src, "oathtool") != NULL) {
			json_array_foreach(cases, j, c)
			{
				/* Validation windows, oathtool's 6..8 digit
				 * limit and option errors are CLI matters. */
				if (!vec_oathtool_case(c, &n))
					n.skipped++;
			}
		} else if (strstr(src, "pyotp") != NULL) {
			json_array_foreach(cases, j, c) vec_pyotp_case(c, &n);
		} else if (vec_has_key(g)) {
			/* dim13 and KeePassXC: single-key TOTP maps. */
			kl = vec_key(g, key, sizeof(key));
			if ((m = json_object_get(g, "totp")) != NULL)
				vec_time_map(m, key, kl, OTP_SHA1, 30, 0, &n);
			if ((m = json_object_get(g, "totp_6")) != NULL)
				vec_time_map(m, key, kl, OTP_SHA1, 30, 0, &n);
			if ((m = json_object_get(g, "totp_8")) != NULL)
				vec_time_map(m, key, kl, OTP_SHA1, 30, 0, &n);
		} else {
			fail_msg("unknown vector group: %s", src);
		}
	}
	json_decref(root);
	print_message("otp_vectors.json: %d HOTP, %d TOTP, %d Steam checked, "
		      "%d skipped\n",
		      n.hotp, n.totp, n.steam, n.skipped);
	/* The file holds at least this many supported vectors. */
	assert_true(n.hotp >= 60 + 15);
	assert_true(n.totp >= 30);
	assert_true(n.steam >= 14);
}

static void
test_digits_range(void **state)
{
	struct otp_params p;
	char out[OTP_CODE_MAX];
	const uint8_t *k = (const uint8_t *)rfc4226_key;
	unsigned d;

	(void)state;
	otp_params_default(&p, OTP_HOTP);
	for (d = 0; d <= 12; d++) {
		int want = d >= 1 && d <= 10 ? 0 : MFA_EDIGITS;

		memset(out, 0, sizeof(out));
		assert_int_equal(otp_hotp(k, 20, OTP_SHA1, 0, d, out), want);
		if (want == 0)
			assert_int_equal(strlen(out), d);
		p.digits = d;
		assert_int_equal(otp_params_check(&p), want);
		assert_int_equal(otp_code(&p, k, 20, 0, out), want);
		assert_int_equal(otp_code_at_step(&p, k, 20, 0, out), want);
	}
	p.digits = UINT32_MAX;
	assert_int_equal(otp_params_check(&p), MFA_EDIGITS);
}

static void
test_params(void **state)
{
	struct otp_params p;
	char out[OTP_CODE_MAX];
	const uint8_t *k = (const uint8_t *)rfc4226_key;

	(void)state;
	otp_params_default(&p, OTP_TOTP);
	assert_int_equal(p.type, OTP_TOTP);
	assert_int_equal(p.hash, OTP_SHA1);
	assert_int_equal(p.digits, 6);
	assert_int_equal(p.period, 30);
	assert_int_equal(p.t0, 0);
	assert_int_equal(p.counter, 0);
	assert_int_equal(otp_params_check(&p), 0);
	otp_params_default(&p, OTP_HOTP);
	assert_int_equal(p.type, OTP_HOTP);
	assert_int_equal(p.digits, 6);
	assert_int_equal(otp_params_check(&p), 0);
	otp_params_default(&p, OTP_STEAM);
	assert_int_equal(p.type, OTP_STEAM);
	assert_int_equal(p.digits, 5);
	assert_int_equal(p.period, 30);

	/* Period 0 is refused for the time-based types. */
	otp_params_default(&p, OTP_TOTP);
	p.period = 0;
	assert_int_equal(otp_params_check(&p), MFA_EPERIOD);
	assert_int_equal(otp_code(&p, k, 20, 59, out), MFA_EPERIOD);
	p.type = OTP_STEAM;
	assert_int_equal(otp_params_check(&p), MFA_EPERIOD);
	p.type = OTP_HOTP; /* HOTP has no period */
	assert_int_equal(otp_params_check(&p), 0);

	otp_params_default(&p, OTP_TOTP);
	p.hash = (enum otp_hash)3;
	assert_int_equal(otp_params_check(&p), MFA_EHASH);
	assert_int_equal(otp_code(&p, k, 20, 59, out), MFA_EHASH);
	otp_params_default(&p, OTP_TOTP);
	p.type = (enum otp_type)3;
	assert_int_equal(otp_params_check(&p), MFA_EINVAL);

	/* A NULL key is fine only when it is empty. */
	assert_int_equal(otp_hotp(NULL, 1, OTP_SHA1, 0, 6, out), MFA_EINVAL);
	assert_int_equal(otp_steam(NULL, 1, 0, out), MFA_EINVAL);
	assert_int_equal(otp_hotp(NULL, 0, OTP_SHA1, 0, 6, out), 0);
	assert_int_equal(strlen(out), 6);
}

static void
test_hotp_ignores_time(void **state)
{
	struct otp_params p;
	char out[OTP_CODE_MAX];
	const uint8_t *k = (const uint8_t *)rfc4226_key;

	(void)state;
	otp_params_default(&p, OTP_HOTP);
	p.counter = 7;
	assert_int_equal(otp_code(&p, k, 20, 0, out), 0);
	assert_string_equal(out, "162583");
	/* Even a time before T0 does not matter for HOTP. */
	assert_int_equal(otp_code(&p, k, 20, -5, out), 0);
	assert_string_equal(out, "162583");
	assert_int_equal(otp_code_at_step(&p, k, 20, 9, out), 0);
	assert_string_equal(out, "520489");
	/* otp_code does not advance the counter. */
	assert_int_equal(p.counter, 7);
}

static void
test_step_and_remaining(void **state)
{
	static const struct {
		int64_t now, t0;
		uint64_t period;
		int rc;
		uint64_t step, left;
	} cases[] = {
	    {0, 0, 30, 0, 0, 30},
	    {29, 0, 30, 0, 0, 1},
	    {30, 0, 30, 0, 1, 30},
	    {59, 0, 30, 0, 1, 1},
	    {60, 0, 30, 0, 2, 30},
	    {1111111109, 0, 30, 0, 37037036, 1},
	    {INT64_C(20000000000), 0, 30, 0, UINT64_C(666666666), 10},
	    {5, 0, 1, 0, 5, 1},
	    {100, 100, 30, 0, 0, 30},
	    {159, 100, 30, 0, 1, 1},
	    {99, 100, 30, MFA_ETIME, 0, 0},
	    {-1, 0, 30, MFA_ETIME, 0, 0},
	    {-30, 0, 30, MFA_ETIME, 0, 0},
	    {-1, -30, 30, 0, 0, 1},
	    {-31, -60, 30, 0, 0, 1},
	    {-30, -60, 30, 0, 1, 30},
	    {0, -60, 30, 0, 2, 30},
	    {-61, -60, 30, MFA_ETIME, 0, 0},
	    {INT64_MAX, INT64_MIN, 1, 0, UINT64_MAX, 1},
	    {INT64_MAX, 0, UINT64_MAX, 0, 0, UINT64_MAX - (uint64_t)INT64_MAX},
	    {INT64_MIN, INT64_MIN, 30, 0, 0, 30},
	    {10, 0, 0, MFA_EPERIOD, 0, 0},
	};
	uint64_t step;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		step = 12345;
		assert_int_equal(
		    otp_step(cases[i].now, cases[i].t0, cases[i].period, &step),
		    cases[i].rc);
		if (cases[i].rc == 0) {
			if (step != cases[i].step)
				fail_msg("case %zu: step %llu want %llu", i,
					 (unsigned long long)step,
					 (unsigned long long)cases[i].step);
		}
		assert_int_equal(
		    otp_remaining(cases[i].now, cases[i].t0, cases[i].period),
		    cases[i].left);
	}
}

static void
test_totp_t0(void **state)
{
	struct otp_params p;
	char out[OTP_CODE_MAX];
	const uint8_t *k = (const uint8_t *)rfc6238_seed;

	(void)state;
	otp_params_default(&p, OTP_TOTP);
	p.digits = 8;
	/* Shifting T0 and now together gives the same step. */
	p.t0 = 1000;
	assert_int_equal(otp_code(&p, k, 20, 1059, out), 0);
	assert_string_equal(out, "94287082");
	p.t0 = -1000;
	assert_int_equal(otp_code(&p, k, 20, -941, out), 0);
	assert_string_equal(out, "94287082");
	assert_int_equal(otp_code(&p, k, 20, -1001, out), MFA_ETIME);
	p.t0 = -1111111109;
	assert_int_equal(otp_code(&p, k, 20, 0, out), 0);
	assert_string_equal(out, "07081804");
	/* A negative now is fine when T0 is earlier still. */
	p.t0 = INT64_MIN;
	p.period = UINT64_MAX;
	assert_int_equal(otp_code(&p, k, 20, -1, out), 0);
	/* (2^63 - 1) / (2^64 - 1) is step 0: RFC 4226 count 0, 8 digits. */
	assert_string_equal(out, "84755224");
	/* INT64_MAX - INT64_MIN is exactly one period: step 1. */
	assert_int_equal(otp_code(&p, k, 20, INT64_MAX, out), 0);
	assert_string_equal(out, "94287082");
}

static void
test_code_equal(void **state)
{
	char a[OTP_CODE_MAX], b[OTP_CODE_MAX];
	size_t i;

	(void)state;
	assert_true(otp_code_equal("", ""));
	assert_true(otp_code_equal("755224", "755224"));
	assert_true(otp_code_equal("FR8RV", "FR8RV"));
	assert_false(otp_code_equal("755224", "75522"));
	assert_false(otp_code_equal("75522", "755224"));
	assert_false(otp_code_equal("", "0"));
	assert_false(otp_code_equal("0755224", "755224"));
	assert_false(otp_code_equal("fr8rv", "FR8RV"));
	strcpy(a, "1234567890");
	for (i = 0; i < 10; i++) {
		strcpy(b, a);
		b[i] = b[i] == '9' ? '0' : (char)(b[i] + 1);
		assert_false(otp_code_equal(a, b));
		assert_false(otp_code_equal(b, a));
	}
	strcpy(b, a);
	assert_true(otp_code_equal(a, b));
}

static void
test_names(void **state)
{
	static const struct {
		const char *s;
		int rc;
		enum otp_hash h;
	} hashes[] = {
	    {"SHA1", 0, OTP_SHA1},
	    {"sha1", 0, OTP_SHA1},
	    {"Sha-1", 0, OTP_SHA1},
	    {"SHA256", 0, OTP_SHA256},
	    {"sha-256", 0, OTP_SHA256},
	    {"sha_256", 0, OTP_SHA256},
	    {"SHA512", 0, OTP_SHA512},
	    {"SHA-512", 0, OTP_SHA512},
	    {"HmacSHA1", 0, OTP_SHA1},
	    {"hmacsha256", 0, OTP_SHA256},
	    {"HMAC-SHA512", 0, OTP_SHA512},
	    {"", MFA_EHASH, 0},
	    {"SHA", MFA_EHASH, 0},
	    {"MD5", MFA_EHASH, 0},
	    {"SHA224", MFA_EHASH, 0},
	    {"SHA384", MFA_EHASH, 0},
	    {"SHA3-256", MFA_EHASH, 0},
	    {"SHA1 ", MFA_EHASH, 0},
	    {" SHA1", MFA_EHASH, 0},
	    {"SHA1x", MFA_EHASH, 0},
	    {"aes", MFA_EHASH, 0},
	    {"hmac", MFA_EHASH, 0},
	    {"CUSTOM", MFA_EHASH, 0},
	    {"SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1", MFA_EHASH, 0},
	    {"S-H-A-5-1-2", 0, OTP_SHA512},
	};
	static const struct {
		const char *s;
		int rc;
		enum otp_type t;
	} types[] = {
	    {"totp", 0, OTP_TOTP},	 {"TOTP", 0, OTP_TOTP},
	    {"hotp", 0, OTP_HOTP},	 {"Hotp", 0, OTP_HOTP},
	    {"steam", 0, OTP_STEAM},	 {"STEAM", 0, OTP_STEAM},
	    {"", MFA_EURI_TYPE, 0},	 {"motp", MFA_EURI_TYPE, 0},
	    {"yaotp", MFA_EURI_TYPE, 0}, {"totp ", MFA_EURI_TYPE, 0},
	    {"tot", MFA_EURI_TYPE, 0},	 {"totpx", MFA_EURI_TYPE, 0},
	};
	enum otp_hash h;
	enum otp_type t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		h = (enum otp_hash)99;
		if (otp_hash_parse(hashes[i].s, &h) != hashes[i].rc)
			fail_msg("otp_hash_parse(\"%s\") != %d", hashes[i].s,
				 hashes[i].rc);
		if (hashes[i].rc == 0)
			assert_int_equal(h, hashes[i].h);
		else
			assert_int_equal(h, 99);
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		t = (enum otp_type)99;
		if (otp_type_parse(types[i].s, &t) != types[i].rc)
			fail_msg("otp_type_parse(\"%s\") != %d", types[i].s,
				 types[i].rc);
		if (types[i].rc == 0)
			assert_int_equal(t, types[i].t);
	}
	assert_string_equal(otp_hash_name(OTP_SHA1), "SHA1");
	assert_string_equal(otp_hash_name(OTP_SHA256), "SHA256");
	assert_string_equal(otp_hash_name(OTP_SHA512), "SHA512");
	assert_string_equal(otp_type_name(OTP_TOTP), "totp");
	assert_string_equal(otp_type_name(OTP_HOTP), "hotp");
	assert_string_equal(otp_type_name(OTP_STEAM), "steam");
	/* Names round-trip through the parsers. */
	for (i = OTP_SHA1; i <= OTP_SHA512; i++) {
		assert_int_equal(otp_hash_parse(otp_hash_name(i), &h), 0);
		assert_int_equal(h, i);
	}
	for (i = OTP_TOTP; i <= OTP_STEAM; i++) {
		assert_int_equal(otp_type_parse(otp_type_name(i), &t), 0);
		assert_int_equal(t, i);
	}
}

static void
test_time_parse(void **state)
{
	/* Expected values from Python's calendar.timegm, not from us. */
	static const struct {
		const char *s;
		int ok;
		int64_t t;
	} cases[] = {
	    {"0", 1, 0},
	    {"59", 1, 59},
	    {"1111111109", 1, 1111111109},
	    {"20000000000", 1, INT64_C(20000000000)},
	    {"9223372036854775807", 1, INT64_MAX},
	    {"-1", 1, -1},
	    {"-0", 1, 0},
	    {"-9223372036854775808", 1, INT64_MIN},
	    {"-9223372036854775809", 0, 0},
	    {"0000000000000000000000000059", 1, 59},
	    {"-2208988800", 1, INT64_C(-2208988800)},
	    {"2005-03-18T01:58:29Z", 1, 1111111109},
	    {"2005-03-18T01:58:29z", 1, 1111111109},
	    {"2005-03-18t01:58:29Z", 1, 1111111109},
	    {"2005-03-18T01:58:29", 1, 1111111109},
	    {"2005-03-18 01:58:29", 1, 1111111109},
	    {"2005-03-18T01:58:29+00:00", 1, 1111111109},
	    {"2005-03-18T01:58:29+0000", 1, 1111111109},
	    {"2005-03-18T01:58Z", 1, 1111111080},
	    {"2009-02-13T23:31:30Z", 1, 1234567890},
	    {"1970-01-01T00:00:59Z", 1, 59},
	    {"1970-01-01T00:00:00Z", 1, 0},
	    {"1969-12-31T23:59:59Z", 1, -1},
	    {"1900-01-01T00:00:00Z", 1, INT64_C(-2208988800)},
	    {"0001-01-01T00:00:00Z", 1, INT64_C(-62135596800)},
	    {"2000-02-29T00:00:00Z", 1, 951782400},
	    {"2024-02-29T00:00:00Z", 1, 1709164800},
	    {"2024-02-28T23:59:59Z", 1, 1709164799},
	    {"2024-03-01T00:00:00Z", 1, 1709251200},
	    {"2100-02-28T00:00:00Z", 1, INT64_C(4107456000)},
	    {"2100-03-01T00:00:00Z", 1, INT64_C(4107542400)},
	    {"2400-02-29T12:00:00Z", 1, INT64_C(13574606400)},
	    {"2400-03-01T00:00:00Z", 1, INT64_C(13574649600)},
	    {"2038-01-19T03:14:08Z", 1, INT64_C(2147483648)},
	    {"2603-10-11T11:33:20Z", 1, INT64_C(20000000000)},
	    {"9999-12-31T23:59:59Z", 1, INT64_C(253402300799)},
	    {"2023-02-29T00:00:00Z", 0, 0},
	    {"2100-02-29T00:00:00Z", 0, 0},
	    {"1900-02-29T00:00:00Z", 0, 0},
	    {"2024-02-30T00:00:00Z", 0, 0},
	    {"2024-04-31T00:00:00Z", 0, 0},
	    {"2024-00-10T00:00:00Z", 0, 0},
	    {"2024-13-10T00:00:00Z", 0, 0},
	    {"2024-01-00T00:00:00Z", 0, 0},
	    {"2024-01-32T00:00:00Z", 0, 0},
	    {"2024-01-01T24:00:00Z", 0, 0},
	    {"2024-01-01T00:60:00Z", 0, 0},
	    {"2024-01-01T00:00:61Z", 0, 0},
	    {"2005-03-18T01:58:29+01:00", 0, 0},
	    {"2005-03-18T01:58:29-00:00", 0, 0},
	    {"2005-03-18T01:58:29ZZ", 0, 0},
	    {"2005-03-18T01:58:29Z ", 0, 0},
	    {"2005-03-18T01:58:29.5Z", 0, 0},
	    {"2005-03-18", 0, 0},
	    {"2005-03-18T", 0, 0},
	    {"2005-3-18T01:58:29Z", 0, 0},
	    {"05-03-18T01:58:29Z", 0, 0},
	    {"2005/03/18T01:58:29Z", 0, 0},
	    {"", 0, 0},
	    {"-", 0, 0},
	    {"--1", 0, 0},
	    {"+1", 0, 0},
	    {" 59", 0, 0},
	    {"59 ", 0, 0},
	    {"12a", 0, 0},
	    {"0x10", 0, 0},
	    {"1e9", 0, 0},
	    {"now", 0, 0},
	    {"yesterday", 0, 0},
	    {"99999999999999999999", 0, 0},
	    {"9223372036854775808", 0, 0},
	};
	int64_t t;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = 424242;
		rc = otp_time_parse(cases[i].s, &t);
		if (cases[i].ok && rc != 0)
			fail_msg("otp_time_parse(\"%s\") failed: %d",
				 cases[i].s, rc);
		if (!cases[i].ok && rc != MFA_EINVAL)
			fail_msg("otp_time_parse(\"%s\") = %d (%lld), want "
				 "MFA_EINVAL",
				 cases[i].s, rc, (long long)t);
		if (cases[i].ok && t != cases[i].t)
			fail_msg("otp_time_parse(\"%s\") = %lld, want %lld",
				 cases[i].s, (long long)t,
				 (long long)cases[i].t);
	}
}

/* Codes at times past 2038 and counters past 2^32 need 64 bits all along. */
static void
test_64bit(void **state)
{
	uint8_t k00 = 0, deadbeef[4] = {0xde, 0xad, 0xbe, 0xef};
	char out[OTP_CODE_MAX];
	struct otp_params p;
	int64_t t;

	(void)state;
	check_hotp(&k00, 1, OTP_SHA1, UINT64_C(1) << 40, "363425");
	check_hotp(deadbeef, 4, OTP_SHA1, UINT64_C(1) << 63, "657352");
	check_hotp(deadbeef, 4, OTP_SHA1, UINT64_MAX, "044040");
	assert_int_equal(otp_time_parse("2603-10-11T11:33:20Z", &t), 0);
	otp_params_default(&p, OTP_TOTP);
	p.digits = 8;
	assert_int_equal(
	    otp_code(&p, (const uint8_t *)rfc6238_seed, 20, t, out), 0);
	assert_string_equal(out, "65353130");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc4226_hmac),
	    cmocka_unit_test(test_rfc4226_hotp),
	    cmocka_unit_test(test_rfc6238_totp),
	    cmocka_unit_test(test_rfc_fixture_files),
	    cmocka_unit_test(test_steam_app_codes),
	    cmocka_unit_test(test_otp_vectors_json),
	    cmocka_unit_test(test_digits_range),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_hotp_ignores_time),
	    cmocka_unit_test(test_step_and_remaining),
	    cmocka_unit_test(test_totp_t0),
	    cmocka_unit_test(test_code_equal),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_time_parse),
	    cmocka_unit_test(test_64bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
