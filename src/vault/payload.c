/*
 * The decrypted payload: tagged, length-prefixed records, each a list of
 * tagged, length-prefixed fields, then an end marker and zero padding to a
 * multiple of 1 KiB (man/mfa-vault.5 has the byte layout).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

enum {
	F_ENTRY_ID = 1,
	F_ENTRY_NAME,
	F_ENTRY_ISSUER,
	F_ENTRY_TYPE,
	F_ENTRY_HASH,
	F_ENTRY_DIGITS,
	F_ENTRY_PERIOD,
	F_ENTRY_T0,
	F_ENTRY_COUNTER,
	F_ENTRY_SECRET,
	F_ENTRY_SERIAL,
	F_ENTRY_NOTE,
	F_ENTRY_CREATED,
	F_ENTRY_UPDATED,
	F_ENTRY_LAST_STEP,
};

enum { F_TOMB_ID = 1, F_TOMB_DELETED };
enum { F_KV_KEY = 1, F_KV_VALUE, F_KV_EXPIRES };

#define PAYLOAD_HEAD 5 /* tag u8, length u32 */

/* Writes when buf is set; always counts, so one pass sizes the next. */
struct payload_w {
	uint8_t *buf;
	size_t pos;
};

static void
payload_put(struct payload_w *w, const void *p, size_t n)
{
	if (w->buf != NULL && n > 0)
		memcpy(w->buf + w->pos, p, n);
	w->pos += n;
}

static void
payload_field(struct payload_w *w, uint8_t tag, const void *p, size_t n)
{
	uint8_t h[PAYLOAD_HEAD];

	h[0] = tag;
	vault_put32(h + 1, (uint32_t)n);
	payload_put(w, h, sizeof(h));
	payload_put(w, p, n);
}

static void
payload_u8(struct payload_w *w, uint8_t tag, unsigned v)
{
	uint8_t b = (uint8_t)v;

	payload_field(w, tag, &b, 1);
}

static void
payload_u64(struct payload_w *w, uint8_t tag, uint64_t v)
{
	uint8_t b[8];

	vault_put64(b, v);
	payload_field(w, tag, b, sizeof(b));
}

static void
payload_str(struct payload_w *w, uint8_t tag, const char *s)
{
	payload_field(w, tag, s, s != NULL ? strlen(s) : 0);
}

/* Record head now; its length is patched in by payload_record_end(). */
static size_t
payload_record_begin(struct payload_w *w, uint8_t tag)
{
	uint8_t h[PAYLOAD_HEAD] = {tag, 0, 0, 0, 0};
	size_t start = w->pos;

	payload_put(w, h, sizeof(h));
	return start;
}

static void
payload_record_end(struct payload_w *w, size_t start)
{
	if (w->buf != NULL)
		vault_put32(w->buf + start + 1,
			    (uint32_t)(w->pos - start - PAYLOAD_HEAD));
}

static void
payload_write(struct payload_w *w, const struct vault_data *d,
	      const struct vault_blobs *b)
{
	const struct vault_entry *e;
	const struct vault_tombstone *t;
	const struct vault_kv *kv;
	size_t i, r;

	for (i = 0; i < d->n_entries; i++) {
		e = &d->entries[i];
		r = payload_record_begin(w, PAYLOAD_ENTRY);
		payload_field(w, F_ENTRY_ID, e->id, VAULT_ID_BYTES);
		payload_str(w, F_ENTRY_NAME, e->name);
		payload_str(w, F_ENTRY_ISSUER, e->issuer);
		payload_u8(w, F_ENTRY_TYPE, (unsigned)e->p.type);
		payload_u8(w, F_ENTRY_HASH, (unsigned)e->p.hash);
		payload_u8(w, F_ENTRY_DIGITS, e->p.digits);
		payload_u64(w, F_ENTRY_PERIOD, e->p.period);
		payload_u64(w, F_ENTRY_T0, (uint64_t)e->p.t0);
		payload_u64(w, F_ENTRY_COUNTER, e->p.counter);
		payload_field(w, F_ENTRY_SECRET, e->secret, e->secret_len);
		payload_str(w, F_ENTRY_SERIAL, e->serial);
		payload_str(w, F_ENTRY_NOTE, e->note);
		payload_u64(w, F_ENTRY_CREATED, (uint64_t)e->created);
		payload_u64(w, F_ENTRY_UPDATED, (uint64_t)e->updated);
		payload_u64(w, F_ENTRY_LAST_STEP, e->last_step);
		payload_record_end(w, r);
	}
	for (i = 0; i < d->n_tombstones; i++) {
		t = &d->tombstones[i];
		r = payload_record_begin(w, PAYLOAD_TOMBSTONE);
		payload_field(w, F_TOMB_ID, t->id, VAULT_ID_BYTES);
		payload_u64(w, F_TOMB_DELETED, (uint64_t)t->deleted);
		payload_record_end(w, r);
	}
	for (i = 0; i < d->n_kv; i++) {
		kv = &d->kv[i];
		r = payload_record_begin(w, PAYLOAD_KV);
		payload_str(w, F_KV_KEY, kv->key);
		payload_field(w, F_KV_VALUE, kv->value, kv->value_len);
		payload_u64(w, F_KV_EXPIRES, (uint64_t)kv->expires);
		payload_record_end(w, r);
	}
	for (i = 0; b != NULL && i < b->n; i++) {
		r = payload_record_begin(w, b->v[i].tag);
		payload_put(w, b->v[i].body, b->v[i].len);
		payload_record_end(w, r);
	}
}

static bool
payload_too_long(const struct vault_data *d, const struct vault_blobs *b)
{
	size_t i;

	/* Every length must fit its u32; the file cap is far below that. */
	for (i = 0; i < d->n_entries; i++) {
		const struct vault_entry *e = &d->entries[i];

		if (e->secret_len > VAULT_FILE_MAX ||
		    (e->name && strlen(e->name) > VAULT_FILE_MAX) ||
		    (e->issuer && strlen(e->issuer) > VAULT_FILE_MAX) ||
		    (e->serial && strlen(e->serial) > VAULT_FILE_MAX) ||
		    (e->note && strlen(e->note) > VAULT_FILE_MAX))
			return true;
	}
	for (i = 0; i < d->n_kv; i++)
		if (d->kv[i].value_len > VAULT_FILE_MAX ||
		    strlen(d->kv[i].key) > VAULT_FILE_MAX)
			return true;
	for (i = 0; b != NULL && i < b->n; i++)
		if (b->v[i].len > VAULT_FILE_MAX)
			return true;
	return false;
}

int
payload_encode(const struct vault_data *d, const struct vault_blobs *b,
	       uint8_t **out, size_t *outlen)
{
	struct payload_w w = {NULL, 0};
	size_t padded;

	*out = NULL;
	*outlen = 0;
	if (payload_too_long(d, b))
		return MFA_ETOOBIG;
	payload_write(&w, d, b);
	if (w.pos >= VAULT_FILE_MAX)
		return MFA_ETOOBIG;
	/* The end marker, then padding so the size hides the account count. */
	padded = (w.pos + 1 + VAULT_PAD - 1) / VAULT_PAD * VAULT_PAD;
	if (padded > VAULT_FILE_MAX)
		return MFA_ETOOBIG;
	if ((w.buf = sodium_malloc(padded)) == NULL)
		return MFA_ENOMEM;
	memset(w.buf, 0, padded);
	w.pos = 0;
	payload_write(&w, d, b);
	w.buf[w.pos] = PAYLOAD_END;
	*out = w.buf;
	*outlen = padded;
	return 0;
}

/* A field cursor over one record body. */
struct payload_r {
	const uint8_t *p;
	size_t len, pos;
};

/* Next field: 1 with tag, value and length set, 0 at the end, or an error. */
static int
payload_next(struct payload_r *r, uint8_t *tag, const uint8_t **val,
	     size_t *vlen)
{
	size_t n;

	if (r->pos == r->len)
		return 0;
	if (r->len - r->pos < PAYLOAD_HEAD)
		return MFA_EVAULT_CORRUPT;
	*tag = r->p[r->pos];
	n = vault_get32(r->p + r->pos + 1);
	r->pos += PAYLOAD_HEAD;
	if (n > r->len - r->pos)
		return MFA_EVAULT_CORRUPT;
	*val = r->p + r->pos;
	*vlen = n;
	r->pos += n;
	return 1;
}

/* Tags below 32 may appear once; seen is a bit set of them. */
static int
payload_once(uint32_t *seen, uint8_t tag)
{
	if (tag >= 32)
		return 0;
	if (*seen & (UINT32_C(1) << tag))
		return MFA_EVAULT_CORRUPT;
	*seen |= UINT32_C(1) << tag;
	return 0;
}

static int
payload_get_str(const uint8_t *v, size_t n, char **out)
{
	char *s;

	if (memchr(v, '\0', n) != NULL)
		return MFA_EVAULT_CORRUPT;
	if ((s = malloc(n + 1)) == NULL)
		return MFA_ENOMEM;
	if (n > 0)
		memcpy(s, v, n);
	s[n] = '\0';
	free(*out);
	*out = s;
	return 0;
}

static int
payload_get_u64(const uint8_t *v, size_t n, uint64_t *out)
{
	if (n != 8)
		return MFA_EVAULT_CORRUPT;
	*out = vault_get64(v);
	return 0;
}

static int
payload_get_u8(const uint8_t *v, size_t n, unsigned max, unsigned *out)
{
	if (n != 1 || v[0] > max)
		return MFA_EVAULT_CORRUPT;
	*out = v[0];
	return 0;
}

static int
payload_fill_str(char **s)
{
	if (*s == NULL && (*s = strdup("")) == NULL)
		return MFA_ENOMEM;
	return 0;
}

static int
payload_entry(const uint8_t *body, size_t blen, struct vault_data *d)
{
	struct payload_r r = {body, blen, 0};
	struct vault_entry e, *grown;
	const uint8_t *v;
	size_t n;
	uint64_t period = 0, t0 = 0, counter = 0, created = 0;
	uint64_t updated = 0, last = 0;
	unsigned type = OTP_TOTP, hash = OTP_SHA1, digits = 0;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	memset(&e, 0, sizeof(e));
	while ((rc = payload_next(&r, &tag, &v, &n)) == 1) {
		if ((rc = payload_once(&seen, tag)) != 0)
			goto fail;
		switch (tag) {
		case F_ENTRY_ID:
			if (n != VAULT_ID_BYTES) {
				rc = MFA_EVAULT_CORRUPT;
				goto fail;
			}
			memcpy(e.id, v, n);
			break;
		case F_ENTRY_NAME:
			rc = payload_get_str(v, n, &e.name);
			break;
		case F_ENTRY_ISSUER:
			rc = payload_get_str(v, n, &e.issuer);
			break;
		case F_ENTRY_SERIAL:
			rc = payload_get_str(v, n, &e.serial);
			break;
		case F_ENTRY_NOTE:
			rc = payload_get_str(v, n, &e.note);
			break;
		case F_ENTRY_TYPE:
			rc = payload_get_u8(v, n, OTP_STEAM, &type);
			break;
		case F_ENTRY_HASH:
			rc = payload_get_u8(v, n, OTP_SHA512, &hash);
			break;
		case F_ENTRY_DIGITS:
			rc = payload_get_u8(v, n, OTP_DIGITS_MAX, &digits);
			if (rc == 0 && digits < OTP_DIGITS_MIN)
				rc = MFA_EVAULT_CORRUPT;
			break;
		case F_ENTRY_PERIOD:
			rc = payload_get_u64(v, n, &period);
			if (rc == 0 && period == 0)
				rc = MFA_EVAULT_CORRUPT;
			break;
		case F_ENTRY_T0:
			rc = payload_get_u64(v, n, &t0);
			break;
		case F_ENTRY_COUNTER:
			rc = payload_get_u64(v, n, &counter);
			break;
		case F_ENTRY_SECRET:
			if (n == 0 || n > OTP_SECRET_MAX) {
				rc = MFA_EVAULT_CORRUPT;
				break;
			}
			if ((e.secret = sodium_malloc(n)) == NULL) {
				rc = MFA_ENOMEM;
				break;
			}
			memcpy(e.secret, v, n);
			e.secret_len = n;
			break;
		case F_ENTRY_CREATED:
			rc = payload_get_u64(v, n, &created);
			break;
		case F_ENTRY_UPDATED:
			rc = payload_get_u64(v, n, &updated);
			break;
		case F_ENTRY_LAST_STEP:
			rc = payload_get_u64(v, n, &last);
			break;
		default:
			break; /* a newer writer's field */
		}
		if (rc != 0)
			goto fail;
	}
	if (rc != 0)
		goto fail;
	rc = MFA_EVAULT_CORRUPT;
	if (!(seen & (1U << F_ENTRY_ID)) || e.name == NULL || e.secret == NULL)
		goto fail;
	if ((rc = payload_fill_str(&e.issuer)) != 0 ||
	    (rc = payload_fill_str(&e.serial)) != 0 ||
	    (rc = payload_fill_str(&e.note)) != 0)
		goto fail;
	otp_params_default(&e.p, (enum otp_type)type);
	e.p.hash = (enum otp_hash)hash;
	if (digits != 0)
		e.p.digits = digits;
	if (period != 0)
		e.p.period = period;
	e.p.t0 = (int64_t)t0;
	e.p.counter = counter;
	e.created = (int64_t)created;
	e.updated = (int64_t)updated;
	e.last_step = last;
	grown = realloc(d->entries, (d->n_entries + 1) * sizeof(*grown));
	if (grown == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	d->entries = grown;
	d->entries[d->n_entries++] = e;
	return 0;
fail:
	vault_entry_clear(&e);
	return rc;
}

static int
payload_tombstone(const uint8_t *body, size_t blen, struct vault_data *d)
{
	struct payload_r r = {body, blen, 0};
	struct vault_tombstone t, *grown;
	const uint8_t *v;
	size_t n;
	uint64_t del = 0;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	memset(&t, 0, sizeof(t));
	while ((rc = payload_next(&r, &tag, &v, &n)) == 1) {
		if ((rc = payload_once(&seen, tag)) != 0)
			return rc;
		if (tag == F_TOMB_ID) {
			if (n != VAULT_ID_BYTES)
				return MFA_EVAULT_CORRUPT;
			memcpy(t.id, v, n);
		} else if (tag == F_TOMB_DELETED) {
			if ((rc = payload_get_u64(v, n, &del)) != 0)
				return rc;
		}
	}
	if (rc != 0)
		return rc;
	if (!(seen & (1U << F_TOMB_ID)))
		return MFA_EVAULT_CORRUPT;
	t.deleted = (int64_t)del;
	grown = realloc(d->tombstones, (d->n_tombstones + 1) * sizeof(*grown));
	if (grown == NULL)
		return MFA_ENOMEM;
	d->tombstones = grown;
	d->tombstones[d->n_tombstones++] = t;
	return 0;
}

static void
payload_kv_clear(struct vault_kv *kv)
{
	free(kv->key);
	sodium_free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

static int
payload_kv(const uint8_t *body, size_t blen, struct vault_data *d)
{
	struct payload_r r = {body, blen, 0};
	struct vault_kv kv, *grown;
	const uint8_t *v;
	size_t n;
	uint64_t exp = 0;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	memset(&kv, 0, sizeof(kv));
	while ((rc = payload_next(&r, &tag, &v, &n)) == 1) {
		if ((rc = payload_once(&seen, tag)) != 0)
			goto fail;
		if (tag == F_KV_KEY) {
			rc = payload_get_str(v, n, &kv.key);
		} else if (tag == F_KV_VALUE) {
			/* One byte at least: sodium_malloc(0) may be NULL. */
			if ((kv.value = sodium_malloc(n ? n : 1)) == NULL)
				rc = MFA_ENOMEM;
			else if (n > 0)
				memcpy(kv.value, v, n);
			kv.value_len = n;
		} else if (tag == F_KV_EXPIRES) {
			rc = payload_get_u64(v, n, &exp);
		}
		if (rc != 0)
			goto fail;
	}
	if (rc != 0)
		goto fail;
	rc = MFA_EVAULT_CORRUPT;
	if (kv.key == NULL || *kv.key == '\0' || kv.value == NULL)
		goto fail;
	kv.expires = (int64_t)exp;
	grown = realloc(d->kv, (d->n_kv + 1) * sizeof(*grown));
	if (grown == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	d->kv = grown;
	d->kv[d->n_kv++] = kv;
	return 0;
fail:
	payload_kv_clear(&kv);
	return rc;
}

static int
payload_blob(uint8_t tag, const uint8_t *body, size_t blen,
	     struct vault_blobs *b)
{
	struct vault_blob *grown;
	uint8_t *copy;

	if ((copy = sodium_malloc(blen ? blen : 1)) == NULL)
		return MFA_ENOMEM;
	if (blen > 0)
		memcpy(copy, body, blen);
	grown = realloc(b->v, (b->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		sodium_free(copy);
		return MFA_ENOMEM;
	}
	b->v = grown;
	b->v[b->n].tag = tag;
	b->v[b->n].body = copy;
	b->v[b->n].len = blen;
	b->n++;
	return 0;
}

void
payload_blobs_free(struct vault_blobs *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		sodium_free(b->v[i].body);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

int
payload_decode(const uint8_t *pt, size_t len, struct vault_data *d,
	       struct vault_blobs *b)
{
	size_t pos = 0, n;
	uint8_t tag;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	memset(b, 0, sizeof(*b));
	for (;;) {
		if (pos >= len) {
			rc = MFA_EVAULT_CORRUPT; /* no end marker */
			break;
		}
		tag = pt[pos++];
		if (tag == PAYLOAD_END)
			break;
		if (len - pos < 4) {
			rc = MFA_EVAULT_CORRUPT;
			break;
		}
		n = vault_get32(pt + pos);
		pos += 4;
		if (n > len - pos) {
			rc = MFA_EVAULT_CORRUPT;
			break;
		}
		switch (tag) {
		case PAYLOAD_ENTRY:
			rc = payload_entry(pt + pos, n, d);
			break;
		case PAYLOAD_TOMBSTONE:
			rc = payload_tombstone(pt + pos, n, d);
			break;
		case PAYLOAD_KV:
			rc = payload_kv(pt + pos, n, d);
			break;
		default:
			rc = payload_blob(tag, pt + pos, n, b);
			break;
		}
		if (rc != 0)
			break;
		pos += n;
	}
	if (rc != 0) {
		entry_data_free(d);
		payload_blobs_free(b);
	}
	return rc;
}
