/*
 * softfido: a software FIDO2 security key for mfa's tests.
 *
 * No hardware is available to the tests, so this program plays the key:
 * it speaks CTAPHID framing (64-byte reports) on a SOCK_SEQPACKET socket
 * given as fd 0, and answers the CTAP2 commands mfa's use of libfido2
 * needs: authenticatorGetInfo, authenticatorMakeCredential,
 * authenticatorGetAssertion with the hmac-secret extension (ECDH P-256 key
 * agreement, salts encrypted and authenticated with the shared secret as in
 * PIN/UV auth protocol 1), and authenticatorClientPIN (getRetries,
 * getKeyAgreement, getPINToken). It is written from the CTAP 2.0/2.1
 * specification with OpenSSL and libcbor.
 *
 * Credentials are not stored: as on most real keys, a credential id is a
 * random nonce and a tag made with the key's master secret, and the
 * credential's private key and its two CredRandom values (with and without
 * user verification) are derived from the master secret and the nonce.
 * Another key (another master secret) does not recognise the id.
 *
 *   softfido init STATE [--pin PIN] [--no-touch] [--no-hmac-secret]
 *   softfido serve STATE          (CTAPHID on fd 0, until EOF)
 *   softfido credrandom STATE CREDID-HEX uv|up   (CredRandom, hex)
 *   softfido get STATE FIELD      (touches, retries, counter...)
 *   softfido set STATE FIELD VALUE
 *
 * STATE is a small text file, "field value" per line: the master secret,
 * the AAGUID, the PIN hash, the retries left, whether a touch comes
 * ("touch yes|no"), and counters the tests read (touches).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdh.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define REPORT 64
#define CID_BROADCAST 0xffffffffu
#define HID_PING 0x81
#define HID_MSG 0x83
#define HID_INIT 0x86
#define HID_CBOR 0x90
#define HID_CANCEL 0x91
#define HID_KEEPALIVE 0xbb
#define HID_ERROR 0xbf
#define MSG_MAX 7609 /* 57 + 128 * 59: the most CTAPHID can carry */

#define ERR_INVALID_COMMAND 0x01
#define ERR_INVALID_PARAMETER 0x02
#define ERR_INVALID_LENGTH 0x03
#define ERR_INVALID_SEQ 0x04
#define ERR_INVALID_CBOR 0x12
#define ERR_MISSING_PARAMETER 0x14
#define ERR_CREDENTIAL_EXCLUDED 0x19
#define ERR_UNSUPPORTED_ALGORITHM 0x26
#define ERR_UNSUPPORTED_OPTION 0x2b
#define ERR_NO_CREDENTIALS 0x2e
#define ERR_USER_ACTION_TIMEOUT 0x2f
#define ERR_PIN_INVALID 0x31
#define ERR_PIN_BLOCKED 0x32
#define ERR_PIN_AUTH_INVALID 0x33
#define ERR_PIN_NOT_SET 0x35
#define ERR_PIN_REQUIRED 0x36
#define ERR_OTHER 0x7f
#define ERR_EXTENSION_FIRST 0xe0

#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_AT 0x40
#define FLAG_ED 0x80

#define NONCE 16
#define TAG 16
#define CRED_ID (NONCE + TAG)
#define PIN_RETRIES 8

struct state {
	char path[4096];
	uint8_t master[32];
	uint8_t aaguid[16];
	bool pin_set;
	uint8_t pin_hash[16]; /* LEFT(SHA-256(PIN), 16) */
	int retries;
	bool touch;
	bool hmac;
	unsigned long touches;	  /* user presence tests passed */
	unsigned long refused;	  /* ... and not passed (no touch) */
	unsigned long counter;	  /* signature counter */
	unsigned long assertions; /* getAssertion calls, silent ones too */
};

static struct state st;
static EC_KEY *agree;	  /* key agreement key, new at every power-up */
static uint8_t token[32]; /* pinToken, new at every power-up */
static uint32_t next_cid = 0x01020304;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "softfido: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* --- state file --- */

static void
hex_out(FILE *f, const char *name, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(f, "%s ", name);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fprintf(f, "\n");
}

static int
hex_in(const char *s, uint8_t *p, size_t n)
{
	size_t i;
	unsigned v;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		p[i] = (uint8_t)v;
	}
	return 0;
}

static void
state_save(void)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", st.path);
	if ((f = fopen(tmp, "w")) == NULL)
		die("%s: %s", tmp, strerror(errno));
	hex_out(f, "master", st.master, 32);
	hex_out(f, "aaguid", st.aaguid, 16);
	if (st.pin_set)
		hex_out(f, "pin", st.pin_hash, 16);
	else
		fprintf(f, "pin -\n");
	fprintf(f, "retries %d\ntouch %s\nhmac-secret %s\n", st.retries,
		st.touch ? "yes" : "no", st.hmac ? "yes" : "no");
	fprintf(f, "touches %lu\nrefused %lu\ncounter %lu\nassertions %lu\n",
		st.touches, st.refused, st.counter, st.assertions);
	if (fclose(f) != 0 || rename(tmp, st.path) != 0)
		die("%s: %s", st.path, strerror(errno));
}

static void
state_load(const char *path)
{
	char line[256], key[64], val[160];
	FILE *f;

	memset(&st, 0, sizeof(st));
	snprintf(st.path, sizeof(st.path), "%s", path);
	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %159s", key, val) != 2)
			continue;
		if (strcmp(key, "master") == 0) {
			if (hex_in(val, st.master, 32) != 0)
				die("bad master");
		} else if (strcmp(key, "aaguid") == 0) {
			if (hex_in(val, st.aaguid, 16) != 0)
				die("bad aaguid");
		} else if (strcmp(key, "pin") == 0) {
			st.pin_set = hex_in(val, st.pin_hash, 16) == 0;
		} else if (strcmp(key, "retries") == 0) {
			st.retries = atoi(val);
		} else if (strcmp(key, "touch") == 0) {
			st.touch = strcmp(val, "yes") == 0;
		} else if (strcmp(key, "hmac-secret") == 0) {
			st.hmac = strcmp(val, "yes") == 0;
		} else if (strcmp(key, "touches") == 0) {
			st.touches = strtoul(val, NULL, 10);
		} else if (strcmp(key, "refused") == 0) {
			st.refused = strtoul(val, NULL, 10);
		} else if (strcmp(key, "counter") == 0) {
			st.counter = strtoul(val, NULL, 10);
		} else if (strcmp(key, "assertions") == 0) {
			st.assertions = strtoul(val, NULL, 10);
		}
	}
	fclose(f);
}

static void
pin_hash(const char *pin, uint8_t out[16])
{
	uint8_t h[32];

	SHA256((const uint8_t *)pin, strlen(pin), h);
	memcpy(out, h, 16);
}

/* --- crypto --- */

static void
hmac256(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
	const uint8_t *b, size_t blen, uint8_t out[32])
{
	HMAC_CTX *c = HMAC_CTX_new();
	unsigned n = 32;

	if (c == NULL ||
	    HMAC_Init_ex(c, key, (int)klen, EVP_sha256(), NULL) != 1 ||
	    HMAC_Update(c, a, alen) != 1 ||
	    (blen > 0 && HMAC_Update(c, b, blen) != 1) ||
	    HMAC_Final(c, out, &n) != 1)
		die("HMAC");
	HMAC_CTX_free(c);
}

/* A value of the credential with this nonce: HMAC(master, what || nonce). */
static void
cred_derive(const char *what, const uint8_t nonce[NONCE], uint8_t out[32])
{
	hmac256(st.master, 32, (const uint8_t *)what, strlen(what), nonce,
		NONCE, out);
}

/* The id's tag binds it to this key and to the relying party. */
static void
cred_tag(const uint8_t rp_hash[32], const uint8_t nonce[NONCE],
	 uint8_t tag[TAG])
{
	uint8_t m[32 + NONCE], h[32];

	memcpy(m, rp_hash, 32);
	memcpy(m + 32, nonce, NONCE);
	hmac256(st.master, 32, (const uint8_t *)"id", 2, m, sizeof(m), h);
	memcpy(tag, h, TAG);
}

static bool
cred_ours(const uint8_t rp_hash[32], const uint8_t *id, size_t len)
{
	uint8_t tag[TAG];

	if (len != CRED_ID)
		return false;
	cred_tag(rp_hash, id, tag);
	return CRYPTO_memcmp(tag, id + NONCE, TAG) == 0;
}

static EC_KEY *
ec_from_scalar(const uint8_t seed[32])
{
	EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
	const EC_GROUP *g = EC_KEY_get0_group(k);
	BIGNUM *d = BN_bin2bn(seed, 32, NULL), *n1 = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	EC_POINT *p = EC_POINT_new(g);

	/* d in [1, n-1] */
	BN_copy(n1, EC_GROUP_get0_order(g));
	BN_sub_word(n1, 1);
	BN_mod(d, d, n1, ctx);
	BN_add_word(d, 1);
	if (EC_POINT_mul(g, p, d, NULL, NULL, ctx) != 1 ||
	    EC_KEY_set_private_key(k, d) != 1 ||
	    EC_KEY_set_public_key(k, p) != 1)
		die("EC key");
	EC_POINT_free(p);
	BN_clear_free(d);
	BN_free(n1);
	BN_CTX_free(ctx);
	return k;
}

static void
ec_xy(const EC_KEY *k, uint8_t x[32], uint8_t y[32])
{
	BIGNUM *bx = BN_new(), *by = BN_new();

	if (EC_POINT_get_affine_coordinates(EC_KEY_get0_group(k),
					    EC_KEY_get0_public_key(k), bx, by,
					    NULL) != 1 ||
	    BN_bn2binpad(bx, x, 32) != 32 || BN_bn2binpad(by, y, 32) != 32)
		die("EC point");
	BN_free(bx);
	BN_free(by);
}

/* COSE_Key of a P-256 public key, alg -7 (ES256) or -25 (ECDH-ES+HKDF). */
static cbor_item_t *
cose_key(const EC_KEY *k, int alg)
{
	uint8_t x[32], y[32];
	cbor_item_t *m = cbor_new_definite_map(5);

	ec_xy(k, x, y);
	cbor_map_add(m, (struct cbor_pair){cbor_move(cbor_build_uint8(1)),
					   cbor_move(cbor_build_uint8(2))});
	cbor_map_add(m, (struct cbor_pair){cbor_move(cbor_build_uint8(3)),
					   cbor_move(cbor_build_negint8(
					       (uint8_t)(-alg - 1)))});
	cbor_map_add(m, (struct cbor_pair){cbor_move(cbor_build_negint8(0)),
					   cbor_move(cbor_build_uint8(1))});
	cbor_map_add(
	    m, (struct cbor_pair){cbor_move(cbor_build_negint8(1)),
				  cbor_move(cbor_build_bytestring(x, 32))});
	cbor_map_add(
	    m, (struct cbor_pair){cbor_move(cbor_build_negint8(2)),
				  cbor_move(cbor_build_bytestring(y, 32))});
	return m;
}

/* PIN/UV auth protocol 1: SHA-256 of the x coordinate of the ECDH point. */
static int
shared_secret(const cbor_item_t *cose, uint8_t out[32])
{
	const EC_GROUP *g = EC_KEY_get0_group(agree);
	struct cbor_pair *p;
	uint8_t z[32];
	BIGNUM *bx = NULL, *by = NULL;
	EC_POINT *pt;
	size_t i;
	int ok = -1;

	if (!cbor_isa_map(cose))
		return -1;
	p = cbor_map_handle(cose);
	for (i = 0; i < cbor_map_size(cose); i++) {
		if (!cbor_isa_negint(p[i].key) ||
		    !cbor_isa_bytestring(p[i].value) ||
		    cbor_bytestring_length(p[i].value) != 32)
			continue;
		if (cbor_get_int(p[i].key) == 1)
			bx = BN_bin2bn(cbor_bytestring_handle(p[i].value), 32,
				       NULL);
		else if (cbor_get_int(p[i].key) == 2)
			by = BN_bin2bn(cbor_bytestring_handle(p[i].value), 32,
				       NULL);
	}
	pt = EC_POINT_new(g);
	if (bx != NULL && by != NULL &&
	    EC_POINT_set_affine_coordinates(g, pt, bx, by, NULL) == 1 &&
	    ECDH_compute_key(z, sizeof(z), pt, agree, NULL) == 32) {
		SHA256(z, sizeof(z), out);
		ok = 0;
	}
	OPENSSL_cleanse(z, sizeof(z));
	EC_POINT_free(pt);
	BN_free(bx);
	BN_free(by);
	return ok;
}

/* AES-256-CBC, IV 0, no padding (protocol 1). */
static int
aes_cbc(const uint8_t key[32], bool enc, const uint8_t *in, size_t len,
	uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[16] = {0};
	int n = 0, ok;

	if (len == 0 || len % 16 != 0)
		return -1;
	ok = c != NULL &&
	     EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv, enc) == 1 &&
	     EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
	     EVP_CipherUpdate(c, out, &n, in, (int)len) == 1 &&
	     (size_t)n == len;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static cbor_item_t *
sign(const EC_KEY *k, const uint8_t *a, size_t alen, const uint8_t *b,
     size_t blen)
{
	uint8_t dgst[32], sig[80];
	unsigned siglen = sizeof(sig);
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, a, alen);
	SHA256_Update(&c, b, blen);
	SHA256_Final(dgst, &c);
	if (ECDSA_sign(0, dgst, 32, sig, &siglen, (EC_KEY *)k) != 1)
		die("ECDSA");
	return cbor_build_bytestring(sig, siglen);
}

/* --- CBOR helpers --- */

static const cbor_item_t *
map_get(const cbor_item_t *m, int key)
{
	struct cbor_pair *p;
	size_t i;

	if (m == NULL || !cbor_isa_map(m))
		return NULL;
	p = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m); i++) {
		if (key >= 0 && cbor_isa_uint(p[i].key) &&
		    cbor_get_int(p[i].key) == (uint64_t)key)
			return p[i].value;
		if (key < 0 && cbor_isa_negint(p[i].key) &&
		    cbor_get_int(p[i].key) == (uint64_t)(-key - 1))
			return p[i].value;
	}
	return NULL;
}

static const cbor_item_t *
map_str(const cbor_item_t *m, const char *key)
{
	struct cbor_pair *p;
	size_t i, n = strlen(key);

	if (m == NULL || !cbor_isa_map(m))
		return NULL;
	p = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m); i++)
		if (cbor_isa_string(p[i].key) &&
		    cbor_string_length(p[i].key) == n &&
		    memcmp(cbor_string_handle(p[i].key), key, n) == 0)
			return p[i].value;
	return NULL;
}

static bool
is_bytes(const cbor_item_t *i, size_t len)
{
	return i != NULL && cbor_isa_bytestring(i) &&
	       cbor_bytestring_is_definite(i) &&
	       (len == 0 || cbor_bytestring_length(i) == len);
}

/* An option: -1 absent, 0 false, 1 true. */
static int
opt(const cbor_item_t *opts, const char *name)
{
	const cbor_item_t *v = map_str(opts, name);

	if (v == NULL || !cbor_is_bool(v))
		return -1;
	return cbor_get_bool(v) ? 1 : 0;
}

static void
put_str(cbor_item_t *m, const char *k, cbor_item_t *v)
{
	cbor_map_add(m, (struct cbor_pair){cbor_move(cbor_build_string(k)),
					   cbor_move(v)});
}

static void
put_int(cbor_item_t *m, unsigned k, cbor_item_t *v)
{
	cbor_map_add(m,
		     (struct cbor_pair){cbor_move(cbor_build_uint8((uint8_t)k)),
					cbor_move(v)});
}

/* --- CTAPHID --- */

static int sock = 0;

static void
hid_send(uint32_t cid, uint8_t cmd, const uint8_t *data, size_t len)
{
	uint8_t r[REPORT];
	size_t off = 0, n;
	uint8_t seq = 0;

	memset(r, 0, sizeof(r));
	memcpy(r, &cid, 4);
	r[4] = cmd;
	r[5] = (uint8_t)(len >> 8);
	r[6] = (uint8_t)len;
	n = len < REPORT - 7 ? len : REPORT - 7;
	if (n > 0)
		memcpy(r + 7, data, n);
	off = n;
	if (send(sock, r, sizeof(r), 0) != sizeof(r))
		exit(0);
	while (off < len) {
		memset(r, 0, sizeof(r));
		memcpy(r, &cid, 4);
		r[4] = seq++;
		n = len - off < REPORT - 5 ? len - off : REPORT - 5;
		memcpy(r + 5, data + off, n);
		off += n;
		if (send(sock, r, sizeof(r), 0) != sizeof(r))
			exit(0);
	}
}

static uint32_t cur_cid;

/* The user touches the key, or, with "touch no", never does: keepalives
 * first either way, as a key waiting for its touch sends them. */
static bool
user_present(void)
{
	uint8_t status = 2; /* UPNEEDED */

	hid_send(cur_cid, HID_KEEPALIVE, &status, 1);
	hid_send(cur_cid, HID_KEEPALIVE, &status, 1);
	if (!st.touch) {
		st.refused++;
		state_save();
		return false;
	}
	st.touches++;
	return true;
}

/* --- CTAP2 commands --- */

static int
reply(cbor_item_t *m, uint8_t **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	size_t cap = 0, n;

	n = cbor_serialize_alloc(m, &buf, &cap);
	cbor_decref(&m);
	if (n == 0)
		die("cbor serialize");
	*out = buf;
	*outlen = n;
	return 0;
}

static int
get_info(uint8_t **out, size_t *outlen)
{
	cbor_item_t *m = cbor_new_definite_map(6), *a, *o;

	a = cbor_new_definite_array(1);
	cbor_array_push(a, cbor_move(cbor_build_string("FIDO_2_0")));
	put_int(m, 1, a);
	a = cbor_new_definite_array(st.hmac ? 1 : 0);
	if (st.hmac)
		cbor_array_push(a, cbor_move(cbor_build_string("hmac-secret")));
	put_int(m, 2, a);
	put_int(m, 3, cbor_build_bytestring(st.aaguid, 16));
	o = cbor_new_definite_map(4);
	put_str(o, "rk", cbor_build_bool(false));
	put_str(o, "up", cbor_build_bool(true));
	put_str(o, "plat", cbor_build_bool(false));
	put_str(o, "clientPin", cbor_build_bool(st.pin_set));
	put_int(m, 4, o);
	put_int(m, 5, cbor_build_uint16(1200));
	a = cbor_new_definite_array(1);
	cbor_array_push(a, cbor_move(cbor_build_uint8(1)));
	put_int(m, 6, a);
	return reply(m, out, outlen);
}

/* pinAuth (protocol 1) over cdh: 0 absent, 1 valid, or an error. */
static int
check_pin_auth(const cbor_item_t *auth, const cbor_item_t *proto,
	       const uint8_t cdh[32])
{
	uint8_t h[32];

	if (auth == NULL)
		return 0;
	if (!is_bytes(auth, 0))
		return -ERR_INVALID_CBOR;
	if (cbor_bytestring_length(auth) == 0)
		return st.pin_set ? -ERR_PIN_INVALID : -ERR_PIN_NOT_SET;
	if (proto == NULL || !cbor_isa_uint(proto) || cbor_get_int(proto) != 1)
		return -ERR_INVALID_PARAMETER;
	if (!st.pin_set)
		return -ERR_PIN_NOT_SET;
	hmac256(token, sizeof(token), cdh, 32, NULL, 0, h);
	if (cbor_bytestring_length(auth) != 16 ||
	    CRYPTO_memcmp(h, cbor_bytestring_handle(auth), 16) != 0)
		return -ERR_PIN_AUTH_INVALID;
	return 1;
}

static int
make_credential(const cbor_item_t *req, uint8_t **out, size_t *outlen)
{
	const cbor_item_t *cdh = map_get(req, 1), *rp = map_get(req, 2),
			  *params = map_get(req, 4), *excl = map_get(req, 5),
			  *ext = map_get(req, 6), *opts = map_get(req, 7),
			  *rpid, *hs;
	uint8_t rp_hash[32], nonce[NONCE], seed[32], ad[512];
	cbor_item_t *m, *att, *ek, *exts;
	unsigned char *kbuf = NULL, *ebuf = NULL;
	size_t i, adlen = 0, klen, kcap = 0, elen = 0, ecap = 0;
	bool es256 = false, hmac = false, uv = false;
	EC_KEY *k;
	int r;

	if (!is_bytes(cdh, 32) || rp == NULL || map_get(req, 3) == NULL ||
	    params == NULL || !cbor_isa_array(params))
		return ERR_MISSING_PARAMETER;
	if ((rpid = map_str(rp, "id")) == NULL || !cbor_isa_string(rpid))
		return ERR_MISSING_PARAMETER;
	SHA256(cbor_string_handle(rpid), cbor_string_length(rpid), rp_hash);
	for (i = 0; i < cbor_array_size(params); i++) {
		const cbor_item_t *alg =
		    map_str(cbor_array_handle(params)[i], "alg");

		if (alg != NULL && cbor_isa_negint(alg) &&
		    cbor_get_int(alg) == 6)
			es256 = true;
	}
	if (!es256)
		return ERR_UNSUPPORTED_ALGORITHM;
	if (opt(opts, "rk") == 1 || opt(opts, "uv") == 1)
		return ERR_UNSUPPORTED_OPTION;
	hs = map_str(ext, "hmac-secret");
	hmac = st.hmac && hs != NULL && cbor_is_bool(hs) && cbor_get_bool(hs);
	r = check_pin_auth(map_get(req, 8), map_get(req, 9),
			   cbor_bytestring_handle(cdh));
	if (r < 0)
		return -r;
	if (r == 0 && st.pin_set)
		return ERR_PIN_REQUIRED;
	uv = r == 1;
	for (i = 0;
	     excl != NULL && cbor_isa_array(excl) && i < cbor_array_size(excl);
	     i++) {
		const cbor_item_t *id =
		    map_str(cbor_array_handle(excl)[i], "id");

		if (is_bytes(id, 0) &&
		    cred_ours(rp_hash, cbor_bytestring_handle(id),
			      cbor_bytestring_length(id))) {
			if (!user_present())
				return ERR_USER_ACTION_TIMEOUT;
			state_save();
			return ERR_CREDENTIAL_EXCLUDED;
		}
	}
	if (!user_present())
		return ERR_USER_ACTION_TIMEOUT;
	RAND_bytes(nonce, NONCE);
	cred_derive("key", nonce, seed);
	k = ec_from_scalar(seed);
	st.counter++;
	memcpy(ad, rp_hash, 32);
	ad[32] = FLAG_UP | FLAG_AT | (uv ? FLAG_UV : 0) | (hmac ? FLAG_ED : 0);
	ad[33] = (uint8_t)(st.counter >> 24);
	ad[34] = (uint8_t)(st.counter >> 16);
	ad[35] = (uint8_t)(st.counter >> 8);
	ad[36] = (uint8_t)st.counter;
	memcpy(ad + 37, st.aaguid, 16);
	ad[53] = 0;
	ad[54] = CRED_ID;
	memcpy(ad + 55, nonce, NONCE);
	cred_tag(rp_hash, nonce, ad + 55 + NONCE);
	adlen = 55 + CRED_ID;
	ek = cose_key(k, -7);
	klen = cbor_serialize_alloc(ek, &kbuf, &kcap);
	cbor_decref(&ek);
	memcpy(ad + adlen, kbuf, klen);
	adlen += klen;
	free(kbuf);
	if (hmac) {
		exts = cbor_new_definite_map(1);
		put_str(exts, "hmac-secret", cbor_build_bool(true));
		elen = cbor_serialize_alloc(exts, &ebuf, &ecap);
		cbor_decref(&exts);
		memcpy(ad + adlen, ebuf, elen);
		adlen += elen;
		free(ebuf);
	}
	m = cbor_new_definite_map(3);
	put_int(m, 1, cbor_build_string("packed"));
	put_int(m, 2, cbor_build_bytestring(ad, adlen));
	att = cbor_new_definite_map(2);
	put_str(att, "alg", cbor_build_negint8(6));
	put_str(att, "sig",
		sign(k, ad, adlen, cbor_bytestring_handle(cdh), 32));
	put_int(m, 3, att);
	EC_KEY_free(k);
	OPENSSL_cleanse(seed, sizeof(seed));
	state_save();
	return reply(m, out, outlen);
}

/* The hmac-secret extension's output, encrypted, or an error. */
static int
hmac_secret(const cbor_item_t *in, const uint8_t nonce[NONCE], bool uv,
	    cbor_item_t **out)
{
	const cbor_item_t *ka = map_get(in, 1), *enc = map_get(in, 2),
			  *auth = map_get(in, 3), *proto = map_get(in, 4);
	uint8_t shared[32], h[32], salts[64], cr[32], outs[64], encd[64];
	size_t n, i;

	if (ka == NULL || !is_bytes(enc, 0) || !is_bytes(auth, 0))
		return ERR_MISSING_PARAMETER;
	if (proto != NULL &&
	    (!cbor_isa_uint(proto) || cbor_get_int(proto) != 1))
		return ERR_INVALID_PARAMETER;
	n = cbor_bytestring_length(enc);
	if (n != 32 && n != 64)
		return ERR_INVALID_LENGTH;
	if (shared_secret(ka, shared) != 0)
		return ERR_INVALID_PARAMETER;
	hmac256(shared, 32, cbor_bytestring_handle(enc), n, NULL, 0, h);
	if (cbor_bytestring_length(auth) != 16 ||
	    CRYPTO_memcmp(h, cbor_bytestring_handle(auth), 16) != 0)
		return ERR_EXTENSION_FIRST;
	if (aes_cbc(shared, false, cbor_bytestring_handle(enc), n, salts) != 0)
		return ERR_OTHER;
	/* Two secrets per credential: one with user verification, one
	 * without (CTAP 2.1), so a PIN-less assertion gives another output. */
	cred_derive(uv ? "uv" : "up", nonce, cr);
	for (i = 0; i < n; i += 32)
		hmac256(cr, 32, salts + i, 32, NULL, 0, outs + i);
	if (aes_cbc(shared, true, outs, n, encd) != 0)
		return ERR_OTHER;
	*out = cbor_build_bytestring(encd, n);
	OPENSSL_cleanse(outs, sizeof(outs));
	OPENSSL_cleanse(cr, sizeof(cr));
	OPENSSL_cleanse(shared, sizeof(shared));
	return 0;
}

static int
get_assertion(const cbor_item_t *req, uint8_t **out, size_t *outlen)
{
	const cbor_item_t *rpid = map_get(req, 1), *cdh = map_get(req, 2),
			  *allow = map_get(req, 3), *ext = map_get(req, 4),
			  *opts = map_get(req, 5), *hs, *id = NULL;
	uint8_t rp_hash[32], seed[32], ad[256];
	cbor_item_t *m, *c, *hout = NULL, *exts;
	unsigned char *ebuf = NULL;
	size_t i, adlen, elen, ecap = 0;
	bool up, uv;
	EC_KEY *k;
	int r;

	st.assertions++;
	if (rpid == NULL || !cbor_isa_string(rpid) || !is_bytes(cdh, 32))
		return ERR_MISSING_PARAMETER;
	SHA256(cbor_string_handle(rpid), cbor_string_length(rpid), rp_hash);
	if (opt(opts, "uv") == 1 || opt(opts, "rk") != -1)
		return ERR_UNSUPPORTED_OPTION;
	up = opt(opts, "up") != 0;
	r = check_pin_auth(map_get(req, 6), map_get(req, 7),
			   cbor_bytestring_handle(cdh));
	if (r < 0)
		return -r;
	uv = r == 1;
	for (i = 0; allow != NULL && cbor_isa_array(allow) &&
		    i < cbor_array_size(allow) && id == NULL;
	     i++) {
		const cbor_item_t *d =
		    map_str(cbor_array_handle(allow)[i], "id");

		if (is_bytes(d, 0) &&
		    cred_ours(rp_hash, cbor_bytestring_handle(d),
			      cbor_bytestring_length(d)))
			id = d;
	}
	if (id == NULL) {
		state_save();
		return ERR_NO_CREDENTIALS;
	}
	if (up && !user_present())
		return ERR_USER_ACTION_TIMEOUT;
	hs = map_str(ext, "hmac-secret");
	if (hs != NULL && st.hmac &&
	    (r = hmac_secret(hs, cbor_bytestring_handle(id), uv, &hout)) != 0)
		return r;
	cred_derive("key", cbor_bytestring_handle(id), seed);
	k = ec_from_scalar(seed);
	OPENSSL_cleanse(seed, sizeof(seed));
	st.counter++;
	memcpy(ad, rp_hash, 32);
	ad[32] = (up ? FLAG_UP : 0) | (uv ? FLAG_UV : 0) |
		 (hout != NULL ? FLAG_ED : 0);
	ad[33] = (uint8_t)(st.counter >> 24);
	ad[34] = (uint8_t)(st.counter >> 16);
	ad[35] = (uint8_t)(st.counter >> 8);
	ad[36] = (uint8_t)st.counter;
	adlen = 37;
	if (hout != NULL) {
		exts = cbor_new_definite_map(1);
		put_str(exts, "hmac-secret", hout);
		elen = cbor_serialize_alloc(exts, &ebuf, &ecap);
		cbor_decref(&exts);
		memcpy(ad + adlen, ebuf, elen);
		adlen += elen;
		free(ebuf);
	}
	m = cbor_new_definite_map(3);
	c = cbor_new_definite_map(2);
	put_str(c, "id",
		cbor_build_bytestring(cbor_bytestring_handle(id),
				      cbor_bytestring_length(id)));
	put_str(c, "type", cbor_build_string("public-key"));
	put_int(m, 1, c);
	put_int(m, 2, cbor_build_bytestring(ad, adlen));
	put_int(m, 3, sign(k, ad, adlen, cbor_bytestring_handle(cdh), 32));
	EC_KEY_free(k);
	state_save();
	return reply(m, out, outlen);
}

static int
client_pin(const cbor_item_t *req, uint8_t **out, size_t *outlen)
{
	const cbor_item_t *proto = map_get(req, 1), *sub = map_get(req, 2),
			  *phe = map_get(req, 6);
	uint8_t shared[32], ph[16], enc[32];
	cbor_item_t *m;

	if (proto == NULL || !cbor_isa_uint(proto) || cbor_get_int(proto) != 1)
		return ERR_INVALID_PARAMETER;
	if (sub == NULL || !cbor_isa_uint(sub))
		return ERR_MISSING_PARAMETER;
	switch (cbor_get_int(sub)) {
	case 1: /* getRetries */
		m = cbor_new_definite_map(1);
		put_int(m, 3, cbor_build_uint8((uint8_t)st.retries));
		return reply(m, out, outlen);
	case 2: /* getKeyAgreement */
		m = cbor_new_definite_map(1);
		put_int(m, 1, cose_key(agree, -25));
		return reply(m, out, outlen);
	case 5: /* getPINToken */
		if (!st.pin_set)
			return ERR_PIN_NOT_SET;
		if (st.retries <= 0)
			return ERR_PIN_BLOCKED;
		if (!is_bytes(phe, 16) ||
		    shared_secret(map_get(req, 3), shared) != 0)
			return ERR_MISSING_PARAMETER;
		st.retries--;
		state_save();
		if (aes_cbc(shared, false, cbor_bytestring_handle(phe), 16,
			    ph) != 0)
			return ERR_OTHER;
		if (CRYPTO_memcmp(ph, st.pin_hash, 16) != 0) {
			/* A new key agreement key after a wrong PIN. */
			EC_KEY_free(agree);
			RAND_bytes(shared, 32);
			agree = ec_from_scalar(shared);
			return st.retries == 0 ? ERR_PIN_BLOCKED
					       : ERR_PIN_INVALID;
		}
		st.retries = PIN_RETRIES;
		state_save();
		if (aes_cbc(shared, true, token, 32, enc) != 0)
			return ERR_OTHER;
		m = cbor_new_definite_map(1);
		put_int(m, 2, cbor_build_bytestring(enc, 32));
		return reply(m, out, outlen);
	default:
		return ERR_INVALID_COMMAND;
	}
}

/* One CTAP2 request (command byte + CBOR) to its response. */
static void
ctap2(const uint8_t *msg, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *req = NULL;
	uint8_t *body = NULL, *resp;
	size_t blen = 0;
	int status;

	if (len == 0) {
		uint8_t e = ERR_INVALID_LENGTH;
		hid_send(cur_cid, HID_CBOR, &e, 1);
		return;
	}
	if (len > 1) {
		req = cbor_load(msg + 1, len - 1, &res);
		if (req == NULL || !cbor_isa_map(req)) {
			uint8_t e = ERR_INVALID_CBOR;
			if (req != NULL)
				cbor_decref(&req);
			hid_send(cur_cid, HID_CBOR, &e, 1);
			return;
		}
	}
	switch (msg[0]) {
	case 0x04:
		status = get_info(&body, &blen);
		break;
	case 0x01:
		status = req ? make_credential(req, &body, &blen)
			     : ERR_MISSING_PARAMETER;
		break;
	case 0x02:
		status = req ? get_assertion(req, &body, &blen)
			     : ERR_MISSING_PARAMETER;
		break;
	case 0x06:
		status =
		    req ? client_pin(req, &body, &blen) : ERR_MISSING_PARAMETER;
		break;
	default:
		status = ERR_INVALID_COMMAND;
	}
	if (req != NULL)
		cbor_decref(&req);
	resp = malloc(1 + blen);
	resp[0] = (uint8_t)status;
	if (status == 0 && blen > 0)
		memcpy(resp + 1, body, blen);
	hid_send(cur_cid, HID_CBOR, resp, status == 0 ? 1 + blen : 1);
	free(body);
	free(resp);
}

static void
hid_error(uint32_t cid, uint8_t code)
{
	hid_send(cid, HID_ERROR, &code, 1);
}

static void
serve(void)
{
	uint8_t r[REPORT + 1], msg[MSG_MAX];
	size_t want = 0, have = 0;
	uint32_t cid;
	uint8_t cmd = 0, seq = 0;
	ssize_t n;
	const uint8_t *p;

	RAND_bytes(token, sizeof(token));
	{
		uint8_t s[32];
		RAND_bytes(s, sizeof(s));
		agree = ec_from_scalar(s);
	}
	for (;;) {
		n = recv(sock, r, sizeof(r), 0);
		if (n <= 0)
			return;
		/* A host writes the report id (0) before the report. */
		if (n != REPORT + 1)
			continue;
		p = r + 1;
		memcpy(&cid, p, 4);
		if (p[4] & 0x80) {
			cmd = p[4];
			want = (size_t)p[5] << 8 | p[6];
			if (want > MSG_MAX) {
				hid_error(cid, ERR_INVALID_LENGTH);
				continue;
			}
			have = want < REPORT - 7 ? want : REPORT - 7;
			memcpy(msg, p + 7, have);
			seq = 0;
			cur_cid = cid;
		} else {
			if (cid != cur_cid || p[4] != seq++) {
				hid_error(cid, ERR_INVALID_SEQ);
				want = have = 0;
				continue;
			}
			n = (ssize_t)(want - have < REPORT - 5 ? want - have
							       : REPORT - 5);
			memcpy(msg + have, p + 5, (size_t)n);
			have += (size_t)n;
		}
		if (have < want)
			continue;
		switch (cmd) {
		case HID_INIT: {
			uint8_t a[17];

			if (want != 8) {
				hid_error(cid, ERR_INVALID_LENGTH);
				break;
			}
			memcpy(a, msg, 8);
			memcpy(a + 8, &next_cid, 4);
			a[12] = 2; /* CTAPHID protocol */
			a[13] = 1; /* device version */
			a[14] = 0;
			a[15] = 0;
			a[16] = 0x01 | 0x04 | 0x08; /* WINK, CBOR, NMSG */
			hid_send(cid, HID_INIT, a, sizeof(a));
			next_cid++;
			break;
		}
		case HID_PING:
			hid_send(cid, HID_PING, msg, want);
			break;
		case HID_CBOR:
			if (cid == CID_BROADCAST) {
				hid_error(cid, 0x0b); /* invalid channel */
				break;
			}
			ctap2(msg, want);
			break;
		case HID_CANCEL:
			break;
		default:
			hid_error(cid, ERR_INVALID_COMMAND);
		}
	}
}

static void
usage(void)
{
	die("usage: softfido init STATE [--pin PIN] [--no-touch] "
	    "[--no-hmac-secret] | serve STATE | credrandom STATE CREDID uv|up "
	    "| get STATE FIELD | set STATE FIELD VALUE");
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 3)
		usage();
	if (strcmp(argv[1], "init") == 0) {
		memset(&st, 0, sizeof(st));
		snprintf(st.path, sizeof(st.path), "%s", argv[2]);
		RAND_bytes(st.master, sizeof(st.master));
		RAND_bytes(st.aaguid, sizeof(st.aaguid));
		st.retries = PIN_RETRIES;
		st.touch = st.hmac = true;
		for (i = 3; i < argc; i++) {
			if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc) {
				st.pin_set = true;
				pin_hash(argv[++i], st.pin_hash);
			} else if (strcmp(argv[i], "--no-touch") == 0) {
				st.touch = false;
			} else if (strcmp(argv[i], "--no-hmac-secret") == 0) {
				st.hmac = false;
			} else {
				usage();
			}
		}
		state_save();
		return 0;
	}
	state_load(argv[2]);
	if (strcmp(argv[1], "serve") == 0) {
		serve();
		return 0;
	}
	if (strcmp(argv[1], "credrandom") == 0 && argc == 5) {
		uint8_t id[CRED_ID], cr[32];

		if (hex_in(argv[3], id, sizeof(id)) != 0)
			die("credential id: %d bytes of hex wanted", CRED_ID);
		cred_derive(strcmp(argv[4], "uv") == 0 ? "uv" : "up", id, cr);
		for (i = 0; i < 32; i++)
			printf("%02x", cr[i]);
		printf("\n");
		return 0;
	}
	if (strcmp(argv[1], "get") == 0 && argc == 4) {
		if (strcmp(argv[3], "touches") == 0)
			printf("%lu\n", st.touches);
		else if (strcmp(argv[3], "refused") == 0)
			printf("%lu\n", st.refused);
		else if (strcmp(argv[3], "retries") == 0)
			printf("%d\n", st.retries);
		else if (strcmp(argv[3], "counter") == 0)
			printf("%lu\n", st.counter);
		else if (strcmp(argv[3], "assertions") == 0)
			printf("%lu\n", st.assertions);
		else
			usage();
		return 0;
	}
	if (strcmp(argv[1], "set") == 0 && argc == 5) {
		if (strcmp(argv[3], "touch") == 0)
			st.touch = strcmp(argv[4], "yes") == 0;
		else if (strcmp(argv[3], "pin") == 0) {
			st.pin_set = true;
			pin_hash(argv[4], st.pin_hash);
		} else
			usage();
		state_save();
		return 0;
	}
	usage();
	return 1;
}
