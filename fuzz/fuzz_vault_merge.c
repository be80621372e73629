/*
 * libFuzzer harness: the merge driver's work on an arbitrary "theirs".
 *
 * The first byte picks how the rest becomes their version of the vault:
 * 0, the whole file as given (header parser, authentication); otherwise
 * the payload plaintext, encrypted under the vault's own header and key as
 * a writer holding the key would (record and field parsers, then the merge
 * on whatever they accept). Base and ours are fixed vaults whose records
 * the seeds name by id. Whatever theirs is, the merge must succeed; every
 * account of ours must be in the result or have a tombstone there; a
 * counter or used step of ours must not fall while the seed is the same;
 * and the result must encode and decode back to as many accounts. The same
 * holds for the base's accounts.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "mfa/vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct vault_kdf tiny = {1, 8192};
static char vpath[64];
static struct vault *key_v;	      /* its header and key */
static struct vault *base_v, *ours_v; /* fixed versions, unlocked */

static void
add(struct vault_data *d, uint8_t idbyte, const char *name, enum otp_type t,
    uint64_t counter, uint64_t step)
{
	struct vault_entry e;

	if (vault_entry_init_in(d, &e, 1000 + idbyte) != 0)
		abort();
	memset(e.id, idbyte, VAULT_ID_BYTES);
	otp_params_default(&e.p, t);
	e.p.counter = counter;
	e.last_step = step;
	if (vault_entry_set_str(&e.name, name) != 0 ||
	    vault_entry_set_secret(&e, (const uint8_t *)"12345678901234567890",
				   20) != 0 ||
	    vault_entry_add(d, &e) != 0)
		abort();
}

static struct vault *
version(const struct vault_data *d)
{
	struct vault *v;
	uint8_t *buf;
	size_t len;

	if (vault_encode(key_v, NULL, d, &buf, &len) != 0 ||
	    vault_open_mem(vpath, buf, len, &v) != 0 ||
	    vault_unlock_key(v, vault_key(key_v)) != 0)
		abort();
	free(buf);
	return v;
}

static void
setup(void)
{
	static char dir[] = "/tmp/mfa-fuzz-merge-XXXXXX";
	struct vault_data b = {0}, o = {0};

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	strcpy(vpath, dir);
	strcat(vpath, "/vault");
	if (vault_create(vpath, "pw", 2, &tiny) != 0 ||
	    vault_open(vpath, &key_v) != 0 ||
	    vault_unlock_pass(key_v, "pw", 2) != 0)
		abort();
	/* Ids 0x11 to 0x16: what the seeds refer to. */
	add(&b, 0x11, "github", OTP_TOTP, 0, 5);
	add(&b, 0x12, "bank", OTP_HOTP, 3, 0);
	add(&b, 0x13, "gone", OTP_TOTP, 0, 0);
	add(&o, 0x11, "github", OTP_TOTP, 0, 9);
	add(&o, 0x12, "bank", OTP_HOTP, 7, 0);
	add(&o, 0x14, "ours", OTP_TOTP, 0, 0);
	/* The same in base and ours: theirs may remove it. */
	add(&b, 0x16, "same", OTP_HOTP, 2, 0);
	add(&o, 0x16, "same", OTP_HOTP, 2, 0);
	base_v = version(&b);
	ours_v = version(&o);
	vault_data_free(&b);
	vault_data_free(&o);
	(void)unlink(vpath);
	(void)rmdir(dir);
}

/* Theirs from the input: a whole file, or a payload sealed with the key. */
static uint8_t *
theirs_bytes(const uint8_t *data, size_t size, size_t *len)
{
	const uint8_t *hdr;
	uint8_t *f, *hdrbuf, *pt;
	size_t hlen, ptlen, flen;

	if (size == 0)
		return NULL;
	if (data[0] == 0) {
		if ((f = malloc(size)) == NULL)
			abort();
		memcpy(f, data + 1, size - 1);
		*len = size - 1;
		return f;
	}
	/* The header of ours, as vault_encode wrote it (man/mfa-vault.5). */
	if (vault_encode(key_v, NULL, vault_data(ours_v), &hdrbuf, &flen) != 0)
		abort();
	hdr = hdrbuf;
	hlen = (size_t)hdr[12] | (size_t)hdr[13] << 8 | (size_t)hdr[14] << 16 |
	       (size_t)hdr[15] << 24;
	ptlen = (size - 1 + 1023) / 1024 * 1024;
	if (ptlen == 0)
		ptlen = 1024;
	flen = hlen + ptlen + 16;
	if ((f = malloc(flen)) == NULL || (pt = calloc(1, ptlen)) == NULL)
		abort();
	memcpy(pt, data + 1, size - 1);
	memcpy(f, hdr, hlen);
	f[56] = (uint8_t)(ptlen + 16);
	f[57] = (uint8_t)((ptlen + 16) >> 8);
	f[58] = (uint8_t)((ptlen + 16) >> 16);
	f[59] = (uint8_t)((ptlen + 16) >> 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    f + hlen, NULL, pt, ptlen, f, hlen, NULL, f + 32, vault_key(key_v));
	free(pt);
	free(hdrbuf);
	*len = flen;
	return f;
}

static bool
has_tomb(const struct vault_data *d, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < d->n_tombstones; i++)
		if (memcmp(d->tombstones[i].id, id, VAULT_ID_BYTES) == 0)
			return true;
	return false;
}

static void
check(const struct vault_data *ours, const struct vault_data *out)
{
	size_t i;
	long k;

	for (i = 0; i < ours->n_entries; i++) {
		const struct vault_entry *e = &ours->entries[i], *r;

		/* A repeated id (a crafted vault): its first record counts. */
		if (vault_entry_find_id(ours, e->id) != (long)i)
			continue;
		if ((k = vault_entry_find_id(out, e->id)) < 0) {
			if (!has_tomb(out, e->id))
				abort();
			continue;
		}
		r = &out->entries[k];
		if (r->last_step < e->last_step ||
		    r->verify_step < e->verify_step)
			abort();
		if (r->secret_len == e->secret_len && r->p.type == e->p.type &&
		    r->p.hash == e->p.hash && r->p.digits == e->p.digits &&
		    r->p.period == e->p.period && r->p.t0 == e->p.t0 &&
		    memcmp(r->secret, e->secret, e->secret_len) == 0 &&
		    r->p.counter < e->p.counter)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct vault_data out;
	struct vault_report rep, diff;
	struct vault *t = NULL, *back = NULL;
	uint8_t *f, *enc = NULL;
	size_t len = 0, elen = 0;

	if (!ready) {
		setup();
		ready = 1;
	}
	if ((f = theirs_bytes(data, size, &len)) == NULL)
		return 0;
	if (vault_open_mem(vpath, f, len, &t) != 0 ||
	    vault_unlock_key(t, vault_key(key_v)) != 0) {
		vault_close(t);
		free(f);
		return 0;
	}
	free(f);
	/* Accepted: the merge must work, with a base and without one. */
	if (vault_merge(vault_data(base_v), vault_data(ours_v), vault_data(t),
			&out, &rep) != 0)
		abort();
	check(vault_data(base_v), &out);
	check(vault_data(ours_v), &out);
	check(vault_data(t), &out);
	if (vault_encode(ours_v, ours_v, &out, &enc, &elen) != 0 ||
	    vault_open_mem(vpath, enc, elen, &back) != 0 ||
	    vault_unlock_key(back, vault_key(key_v)) != 0 ||
	    vault_data(back)->n_entries != out.n_entries ||
	    vault_data(back)->n_tombstones != out.n_tombstones)
		abort();
	if (vault_diff(vault_data(ours_v), &out, &diff) != 0)
		abort();
	vault_report_free(&diff);
	vault_report_free(&rep);
	vault_data_free(&out);
	if (vault_merge(NULL, vault_data(ours_v), vault_data(t), &out, NULL) !=
	    0)
		abort();
	vault_data_free(&out);
	vault_close(back);
	free(enc);
	vault_close(t);
	return 0;
}
