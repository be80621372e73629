/*
 * The decrypted payload: tagged, length-prefixed records, each a list of
 * tagged, length-prefixed fields, then an end marker and zero padding to a
 * multiple of 1 KiB (man/mfa-vault.5 has the byte layout). It is encrypted
 * and decrypted a window at a time (stream.c), so its plaintext exists only
 * in that window and, decoded, in the data: secrets in the data's arena.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define STAMP_ITEM 25 /* group u8, when i64, digest 16 */

enum { F_TOMB_ID = 1, F_TOMB_DELETED };
enum { F_KV_KEY = 1, F_KV_VALUE, F_KV_EXPIRES };
enum {
	F_AWSKEY_ID = 1,
	F_AWSKEY_PROFILE,
	F_AWSKEY_KEY_ID,
	F_AWSKEY_SECRET,
	F_AWSKEY_SERIAL,
	F_AWSKEY_REGION,
	F_AWSKEY_ARN,
	F_AWSKEY_PENDING_ID,
	F_AWSKEY_PENDING_SECRET,
	F_AWSKEY_CREATED,
	F_AWSKEY_UPDATED,
};

#define PAYLOAD_HEAD 5 /* tag u8, length u32 */

/*
 * The encoder: plaintext goes into the stream's locked window, which is
 * encrypted into the file whenever it fills. When out is NULL nothing is
 * written and pos only counts, so the same code sizes what it will write.
 */
struct payload_out {
	struct vault_stream *s;
	uint8_t *ct; /* where the next ciphertext byte goes */
	size_t wlen; /* plaintext bytes waiting in the window */
};

struct payload_w {
	struct payload_out *o;
	size_t pos;
};

static void
payload_flush(struct payload_out *o)
{
	vault_stream_xor(o->s, o->ct, o->s->win, o->wlen);
	vault_stream_auth(o->s, o->ct, o->wlen);
	o->ct += o->wlen;
	o->wlen = 0;
}

static void
payload_put(struct payload_w *w, const void *p, size_t n)
{
	struct payload_out *o = w->o;
	const uint8_t *b = p;
	size_t k;

	w->pos += n;
	if (o == NULL)
		return;
	/* The usual field: it fits in the window as a whole. */
	if (b != NULL && n < VAULT_WIN - o->wlen) {
		memcpy(o->s->win + o->wlen, b, n);
		o->wlen += n;
		return;
	}
	while (n > 0) {
		k = VAULT_WIN - o->wlen < n ? VAULT_WIN - o->wlen : n;
		if (b != NULL) {
			memcpy(o->s->win + o->wlen, b, k);
			b += k;
		} else {
			memset(o->s->win + o->wlen, 0, k);
		}
		o->wlen += k;
		n -= k;
		if (o->wlen == VAULT_WIN)
			payload_flush(o);
	}
}

static void
payload_head(struct payload_w *w, uint8_t tag, size_t n)
{
	uint8_t h[PAYLOAD_HEAD];

	h[0] = tag;
	vault_put32(h + 1, (uint32_t)n);
	payload_put(w, h, sizeof(h));
}

static void
payload_field(struct payload_w *w, uint8_t tag, const void *p, size_t n)
{
	payload_head(w, tag, n);
	if (n > 0)
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

/* Fields at their documented default are left out: readers fill them in. */
static void
payload_str(struct payload_w *w, uint8_t tag, const char *s, bool always)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n > 0 || always)
		payload_field(w, tag, s, n);
}

static void
payload_u64_opt(struct payload_w *w, uint8_t tag, uint64_t v, uint64_t def)
{
	if (v != def)
		payload_u64(w, tag, v);
}

/* The fields of one history item (the group's own, and its time). */
static void
payload_hist_body(struct payload_w *w, const struct vault_hist *h)
{
	struct otp_params def;

	payload_u64_opt(w, F_ENTRY_UPDATED, (uint64_t)h->when, 0);
	switch (h->group) {
	case VAULT_GROUP_LABELS:
		payload_str(w, F_ENTRY_NAME, h->name, true);
		payload_str(w, F_ENTRY_ISSUER, h->issuer, false);
		payload_str(w, F_ENTRY_NOTE, h->note, false);
		break;
	case VAULT_GROUP_CREDENTIAL:
		otp_params_default(&def, h->p.type);
		if (h->p.type != OTP_TOTP)
			payload_u8(w, F_ENTRY_TYPE, (unsigned)h->p.type);
		if (h->p.hash != OTP_SHA1)
			payload_u8(w, F_ENTRY_HASH, (unsigned)h->p.hash);
		if (h->p.digits != def.digits)
			payload_u8(w, F_ENTRY_DIGITS, h->p.digits);
		payload_u64_opt(w, F_ENTRY_PERIOD, h->p.period, def.period);
		payload_u64_opt(w, F_ENTRY_T0, (uint64_t)h->p.t0, 0);
		payload_u64_opt(w, F_ENTRY_COUNTER, h->p.counter, 0);
		payload_field(w, F_ENTRY_SECRET, h->secret, h->secret_len);
		break;
	default:
		payload_str(w, F_ENTRY_SERIAL, h->serial, false);
		break;
	}
}

/* Field 17: one record-like item per history value, each sized first. */
static void
payload_hist_items(struct payload_w *w, const struct vault_entry *e)
{
	struct payload_w count;
	size_t i;

	for (i = 0; i < e->n_hist; i++) {
		count.o = NULL;
		count.pos = 0;
		payload_hist_body(&count, &e->hist[i]);
		payload_head(w, (uint8_t)(e->hist[i].group + 1), count.pos);
		payload_hist_body(w, &e->hist[i]);
	}
}

static void
payload_history(struct payload_w *w, const struct vault_entry *e)
{
	struct payload_w count = {NULL, 0};

	if (e->n_hist == 0)
		return;
	payload_hist_items(&count, e);
	payload_head(w, F_ENTRY_HISTORY, count.pos);
	payload_hist_items(w, e);
}

static void
payload_stamps(struct payload_w *w, const struct vault_entry *e)
{
	uint8_t item[STAMP_ITEM];
	size_t g, n = 0;

	for (g = 0; e->stamp != NULL && g < VAULT_GROUPS; g++)
		n += e->stamp[g].set;
	if (n == 0)
		return;
	payload_head(w, F_ENTRY_STAMPS, n * STAMP_ITEM);
	for (g = 0; g < VAULT_GROUPS; g++) {
		if (!e->stamp[g].set)
			continue;
		item[0] = (uint8_t)(g + 1);
		vault_put64(item + 1, (uint64_t)e->stamp[g].when);
		memcpy(item + 9, e->stamp[g].sum, 16);
		payload_put(w, item, sizeof(item));
	}
}

static void
payload_entry_body(struct payload_w *w, const struct vault_entry *e)
{
	struct otp_params def;

	otp_params_default(&def, e->p.type);
	payload_field(w, F_ENTRY_ID, e->id, VAULT_ID_BYTES);
	payload_str(w, F_ENTRY_NAME, e->name, true);
	payload_str(w, F_ENTRY_ISSUER, e->issuer, false);
	if (e->p.type != OTP_TOTP)
		payload_u8(w, F_ENTRY_TYPE, (unsigned)e->p.type);
	if (e->p.hash != OTP_SHA1)
		payload_u8(w, F_ENTRY_HASH, (unsigned)e->p.hash);
	if (e->p.digits != def.digits)
		payload_u8(w, F_ENTRY_DIGITS, e->p.digits);
	payload_u64_opt(w, F_ENTRY_PERIOD, e->p.period, def.period);
	payload_u64_opt(w, F_ENTRY_T0, (uint64_t)e->p.t0, 0);
	payload_u64_opt(w, F_ENTRY_COUNTER, e->p.counter, 0);
	payload_field(w, F_ENTRY_SECRET, e->secret, e->secret_len);
	payload_str(w, F_ENTRY_SERIAL, e->serial, false);
	payload_str(w, F_ENTRY_NOTE, e->note, false);
	payload_u64_opt(w, F_ENTRY_CREATED, (uint64_t)e->created, 0);
	payload_u64_opt(w, F_ENTRY_UPDATED, (uint64_t)e->updated, 0);
	payload_u64_opt(w, F_ENTRY_LAST_STEP, e->last_step, 0);
	payload_u64_opt(w, F_ENTRY_VERIFY_STEP, e->verify_step, 0);
	payload_history(w, e);
	payload_stamps(w, e);
}

static void
payload_tomb_body(struct payload_w *w, const struct vault_tombstone *t)
{
	payload_field(w, F_TOMB_ID, t->id, VAULT_ID_BYTES);
	payload_u64(w, F_TOMB_DELETED, (uint64_t)t->deleted);
}

static void
payload_kv_body(struct payload_w *w, const struct vault_kv *kv)
{
	payload_str(w, F_KV_KEY, kv->key, true);
	payload_field(w, F_KV_VALUE, kv->value, kv->value_len);
	payload_u64(w, F_KV_EXPIRES, (uint64_t)kv->expires);
}

static void
payload_awskey_body(struct payload_w *w, const struct vault_awskey *k)
{
	payload_field(w, F_AWSKEY_ID, k->id, VAULT_ID_BYTES);
	payload_str(w, F_AWSKEY_PROFILE, k->profile, true);
	payload_str(w, F_AWSKEY_KEY_ID, k->access_key_id, true);
	payload_field(w, F_AWSKEY_SECRET, k->secret, k->secret_len);
	payload_str(w, F_AWSKEY_SERIAL, k->serial, false);
	payload_str(w, F_AWSKEY_REGION, k->region, false);
	payload_str(w, F_AWSKEY_ARN, k->arn, false);
	if (k->pending_secret != NULL) {
		payload_str(w, F_AWSKEY_PENDING_ID, k->pending_id, true);
		payload_field(w, F_AWSKEY_PENDING_SECRET, k->pending_secret,
			      k->pending_secret_len);
	}
	payload_u64_opt(w, F_AWSKEY_CREATED, (uint64_t)k->created, 0);
	payload_u64_opt(w, F_AWSKEY_UPDATED, (uint64_t)k->updated, 0);
}

static void
payload_blob_body(struct payload_w *w, const struct vault_blob *b)
{
	if (b->len > 0)
		payload_put(w, b->body, b->len);
}

/*
 * Every record, in file order. A record's head carries its length and goes
 * out before its body: the sizing pass (w->o NULL) stores each record's
 * length in lens, the writing pass reads it back, so each body is walked
 * once per pass.
 */
static void
payload_write(struct payload_w *w, const struct vault_data *d,
	      const struct vault_blobs *b, size_t *lens)
{
	struct payload_w count;
	size_t i, r = 0;

#define PAYLOAD_RECORD(tag, body, x)                                           \
	do {                                                                   \
		if (w->o == NULL) {                                            \
			count.o = NULL;                                        \
			count.pos = 0;                                         \
			body(&count, x);                                       \
			lens[r] = count.pos;                                   \
		}                                                              \
		payload_head(w, tag, lens[r]);                                 \
		if (w->o == NULL)                                              \
			w->pos += lens[r];                                     \
		else                                                           \
			body(w, x);                                            \
		r++;                                                           \
	} while (0)

	for (i = 0; i < d->n_entries; i++)
		PAYLOAD_RECORD(PAYLOAD_ENTRY, payload_entry_body,
			       &d->entries[i]);
	for (i = 0; i < d->n_tombstones; i++)
		PAYLOAD_RECORD(PAYLOAD_TOMBSTONE, payload_tomb_body,
			       &d->tombstones[i]);
	for (i = 0; i < d->n_kv; i++)
		PAYLOAD_RECORD(PAYLOAD_KV, payload_kv_body, &d->kv[i]);
	for (i = 0; i < d->n_awskeys; i++)
		PAYLOAD_RECORD(PAYLOAD_AWSKEY, payload_awskey_body,
			       &d->awskeys[i]);
	for (i = 0; b != NULL && i < b->n; i++)
		PAYLOAD_RECORD(b->v[i].tag, payload_blob_body, &b->v[i]);
#undef PAYLOAD_RECORD
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
		    (e->note && strlen(e->note) > VAULT_FILE_MAX) ||
		    e->n_hist > VAULT_HIST_MAX)
			return true;
	}
	for (i = 0; i < d->n_kv; i++)
		if (d->kv[i].value_len > VAULT_FILE_MAX ||
		    strlen(d->kv[i].key) > VAULT_FILE_MAX)
			return true;
	for (i = 0; b != NULL && i < b->n; i++)
		if (b->v[i].len > VAULT_FILE_MAX)
			return true;
	/* Key records are checked whole when they are set: short fields. */
	return false;
}

int
vault_payload_size(const struct vault_data *d, const struct vault_blobs *b,
		   struct vault_plan *plan)
{
	struct payload_w w = {NULL, 0};
	size_t n = d->n_entries + d->n_tombstones + d->n_kv + d->n_awskeys +
		   (b ? b->n : 0);
	size_t padded;

	memset(plan, 0, sizeof(*plan));
	if (payload_too_long(d, b))
		return MFA_ETOOBIG;
	if ((plan->lens = calloc(n ? n : 1, sizeof(*plan->lens))) == NULL)
		return MFA_ENOMEM;
	payload_write(&w, d, b, plan->lens);
	/* The end marker, then padding so the size hides the account count. */
	padded = (w.pos + 1 + VAULT_PAD - 1) / VAULT_PAD * VAULT_PAD;
	if (w.pos >= VAULT_FILE_MAX || padded > VAULT_FILE_MAX) {
		vault_plan_free(plan);
		return MFA_ETOOBIG;
	}
	plan->ptlen = padded;
	return 0;
}

void
vault_plan_free(struct vault_plan *plan)
{
	free(plan->lens);
	memset(plan, 0, sizeof(*plan));
}

/*
 * Encrypt the payload of d and b into file + hlen: plan->ptlen bytes and
 * the tag. file[0..hlen) is the finished header, the associated data. d
 * and b must be as they were sized.
 */
int
vault_payload_encode(const struct vault_data *d, const struct vault_blobs *b,
		     const struct vault_plan *plan, const uint8_t *key,
		     uint8_t *file, size_t hlen)
{
	struct payload_out o;
	struct payload_w w;
	uint8_t end = PAYLOAD_END;
	int rc;

	if ((rc = vault_stream_open(&o.s, key, file + VAULT_OFF_NONCE, file,
				    hlen)) != 0)
		return rc;
	o.ct = file + hlen;
	o.wlen = 0;
	w.o = &o;
	w.pos = 0;
	payload_write(&w, d, b, plan->lens);
	payload_put(&w, &end, 1);
	if (w.pos > plan->ptlen) {
		/* d changed since it was sized: never write a short file. */
		vault_stream_close(o.s);
		return MFA_EINVAL;
	}
	payload_put(&w, NULL, plan->ptlen - w.pos);
	payload_flush(&o);
	vault_stream_tag(o.s, o.ct);
	vault_stream_close(o.s);
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

/* A string field, into the data's arena (a field appears once). */
static int
payload_get_str(struct vault_arena *a, const uint8_t *v, size_t n, char **out)
{
	if (memchr(v, '\0', n) != NULL)
		return MFA_EVAULT_CORRUPT;
	if ((*out = vault_arena_str(a, v, n)) == NULL)
		return MFA_ENOMEM;
	return 0;
}

/* A kv key: malloc'd, as vault_kv_del() frees it. */
static int
payload_get_key(const uint8_t *v, size_t n, char **out)
{
	if (memchr(v, '\0', n) != NULL)
		return MFA_EVAULT_CORRUPT;
	if ((*out = strndup((const char *)v, n)) == NULL)
		return MFA_ENOMEM;
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
payload_fill_str(struct vault_arena *a, char **s)
{
	if (*s == NULL && (*s = vault_arena_str(a, "", 0)) == NULL)
		return MFA_ENOMEM;
	return 0;
}

/* One history item's fields (group g) into h; strings into the arena. */
static int
payload_hist_item(struct vault_arena *a, enum vault_group g,
		  const uint8_t *body, size_t blen, struct vault_hist *h)
{
	struct payload_r r = {body, blen, 0};
	const uint8_t *v;
	size_t n;
	uint64_t period = 0, t0 = 0, when = 0, counter = 0;
	unsigned type = OTP_TOTP, hash = OTP_SHA1, digits = 0;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	h->group = g;
	while ((rc = payload_next(&r, &tag, &v, &n)) == 1) {
		if ((rc = payload_once(&seen, tag)) != 0)
			return rc;
		switch (tag) {
		case F_ENTRY_UPDATED:
			rc = payload_get_u64(v, n, &when);
			break;
		case F_ENTRY_NAME:
			rc = payload_get_str(a, v, n, &h->name);
			break;
		case F_ENTRY_ISSUER:
			rc = payload_get_str(a, v, n, &h->issuer);
			break;
		case F_ENTRY_NOTE:
			rc = payload_get_str(a, v, n, &h->note);
			break;
		case F_ENTRY_SERIAL:
			rc = payload_get_str(a, v, n, &h->serial);
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
			if ((h->secret = sodium_malloc(n)) == NULL) {
				rc = MFA_ENOMEM;
				break;
			}
			memcpy(h->secret, v, n);
			h->secret_len = n;
			break;
		default:
			break;
		}
		if (rc != 0)
			return rc;
	}
	if (rc != 0)
		return rc;
	h->when = (int64_t)when;
	otp_params_default(&h->p, (enum otp_type)type);
	h->p.hash = (enum otp_hash)hash;
	if (digits != 0)
		h->p.digits = digits;
	if (period != 0)
		h->p.period = period;
	h->p.t0 = (int64_t)t0;
	h->p.counter = counter;
	if (g == VAULT_GROUP_LABELS) {
		if (h->name == NULL)
			return MFA_EVAULT_CORRUPT;
		if ((rc = payload_fill_str(a, &h->issuer)) != 0 ||
		    (rc = payload_fill_str(a, &h->note)) != 0)
			return rc;
	} else if (g == VAULT_GROUP_CREDENTIAL) {
		if (h->secret == NULL)
			return MFA_EVAULT_CORRUPT;
	} else if ((rc = payload_fill_str(a, &h->serial)) != 0) {
		return rc;
	}
	return 0;
}

/* Field 17: items of groups this version does not know are skipped. */
static int
payload_history_get(struct vault_arena *a, const uint8_t *body, size_t blen,
		    struct vault_entry *e)
{
	struct payload_r r = {body, blen, 0};
	struct vault_hist h;
	const uint8_t *v;
	size_t n;
	uint8_t tag;
	int rc;

	while ((rc = payload_next(&r, &tag, &v, &n)) == 1) {
		/* More than this version keeps: the oldest are dropped. */
		if (tag == 0 || tag > VAULT_GROUPS ||
		    e->n_hist == VAULT_HIST_MAX)
			continue;
		if (e->hist == NULL &&
		    (e->hist = calloc(VAULT_HIST_MAX, sizeof(*e->hist))) ==
			NULL)
			return MFA_ENOMEM;
		memset(&h, 0, sizeof(h));
		rc =
		    payload_hist_item(a, (enum vault_group)(tag - 1), v, n, &h);
		e->hist[e->n_hist++] = h; /* cleared with e, even on error */
		if (rc != 0)
			return rc;
	}
	return rc;
}

/* Field 18: stamps of groups this version does not know are skipped. */
static int
payload_stamps_get(const uint8_t *v, size_t n, struct vault_entry *e)
{
	size_t i;
	unsigned g;

	if (n % STAMP_ITEM != 0)
		return MFA_EVAULT_CORRUPT;
	for (i = 0; i < n; i += STAMP_ITEM) {
		g = v[i];
		if (g == 0 || g > VAULT_GROUPS)
			continue;
		if (e->stamp != NULL && e->stamp[g - 1].set)
			return MFA_EVAULT_CORRUPT;
		if (vault_entry_stamp_set(e, (enum vault_group)(g - 1),
					  (int64_t)vault_get64(v + i + 1),
					  v + i + 9) != 0)
			return MFA_ENOMEM;
	}
	return 0;
}

static int
payload_entry(const uint8_t *body, size_t blen, struct vault_data *d)
{
	struct payload_r r = {body, blen, 0};
	struct vault_entry e;
	const uint8_t *v;
	size_t n;
	uint64_t period = 0, t0 = 0, counter = 0, created = 0;
	uint64_t updated = 0, last = 0, verify = 0;
	unsigned type = OTP_TOTP, hash = OTP_SHA1, digits = 0;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	memset(&e, 0, sizeof(e));
	e.arena = d->arena;
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
			rc = payload_get_str(d->arena, v, n, &e.name);
			break;
		case F_ENTRY_ISSUER:
			rc = payload_get_str(d->arena, v, n, &e.issuer);
			break;
		case F_ENTRY_SERIAL:
			rc = payload_get_str(d->arena, v, n, &e.serial);
			break;
		case F_ENTRY_NOTE:
			rc = payload_get_str(d->arena, v, n, &e.note);
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
			/* Straight from the window into the arena. */
			if ((e.secret = vault_arena_alloc(d->arena, n)) ==
			    NULL) {
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
		case F_ENTRY_VERIFY_STEP:
			rc = payload_get_u64(v, n, &verify);
			break;
		case F_ENTRY_HISTORY:
			rc = payload_history_get(d->arena, v, n, &e);
			break;
		case F_ENTRY_STAMPS:
			rc = payload_stamps_get(v, n, &e);
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
	if ((rc = payload_fill_str(d->arena, &e.issuer)) != 0 ||
	    (rc = payload_fill_str(d->arena, &e.serial)) != 0 ||
	    (rc = payload_fill_str(d->arena, &e.note)) != 0 ||
	    (rc = vault_data_grow(d)) != 0)
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
	e.verify_step = verify;
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

/* A copy in the arena; one byte at least, so it is never NULL. */
static uint8_t *
payload_keep(struct vault_arena *a, const uint8_t *v, size_t n)
{
	uint8_t *p = vault_arena_alloc(a, n ? n : 1);

	if (p != NULL && n > 0)
		memcpy(p, v, n);
	return p;
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
			rc = payload_get_key(v, n, &kv.key);
		} else if (tag == F_KV_VALUE) {
			if ((kv.value = payload_keep(d->arena, v, n)) == NULL)
				rc = MFA_ENOMEM;
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
	free(kv.key);
	return rc; /* the value's bytes go with the arena */
}

/* A secret field of a key record, into the arena. */
static int
payload_get_keysecret(struct vault_arena *a, const uint8_t *v, size_t n,
		      uint8_t **out, size_t *len)
{
	if (!vault_awskey_secret_ok(v, n))
		return MFA_EVAULT_CORRUPT;
	if ((*out = vault_arena_alloc(a, n)) == NULL)
		return MFA_ENOMEM;
	memcpy(*out, v, n);
	*len = n;
	return 0;
}

static int
payload_awskey(const uint8_t *body, size_t blen, struct vault_data *d)
{
	struct payload_r r = {body, blen, 0};
	struct vault_awskey k;
	const uint8_t *v;
	size_t n;
	uint64_t created = 0, updated = 0;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	memset(&k, 0, sizeof(k));
	while ((rc = payload_next(&r, &tag, &v, &n)) == 1) {
		if ((rc = payload_once(&seen, tag)) != 0)
			break;
		switch (tag) {
		case F_AWSKEY_ID:
			if (n != VAULT_ID_BYTES)
				rc = MFA_EVAULT_CORRUPT;
			else
				memcpy(k.id, v, n);
			break;
		case F_AWSKEY_PROFILE:
			rc = payload_get_str(d->arena, v, n, &k.profile);
			break;
		case F_AWSKEY_KEY_ID:
			rc = payload_get_str(d->arena, v, n, &k.access_key_id);
			break;
		case F_AWSKEY_SECRET:
			rc = payload_get_keysecret(d->arena, v, n, &k.secret,
						   &k.secret_len);
			break;
		case F_AWSKEY_SERIAL:
			rc = payload_get_str(d->arena, v, n, &k.serial);
			break;
		case F_AWSKEY_REGION:
			rc = payload_get_str(d->arena, v, n, &k.region);
			break;
		case F_AWSKEY_ARN:
			rc = payload_get_str(d->arena, v, n, &k.arn);
			break;
		case F_AWSKEY_PENDING_ID:
			rc = payload_get_str(d->arena, v, n, &k.pending_id);
			break;
		case F_AWSKEY_PENDING_SECRET:
			rc = payload_get_keysecret(d->arena, v, n,
						   &k.pending_secret,
						   &k.pending_secret_len);
			break;
		case F_AWSKEY_CREATED:
			rc = payload_get_u64(v, n, &created);
			break;
		case F_AWSKEY_UPDATED:
			rc = payload_get_u64(v, n, &updated);
			break;
		default:
			break; /* a newer writer's field */
		}
		if (rc != 0)
			break;
	}
	/* Strings and secrets are the arena's: nothing to free on error. */
	if (rc != 0)
		return rc;
	if (!(seen & (1U << F_AWSKEY_ID)) ||
	    !vault_awskey_profile_ok(k.profile) ||
	    !vault_awskey_id_ok(k.access_key_id) || k.secret == NULL ||
	    (k.pending_id != NULL) != (k.pending_secret != NULL) ||
	    (k.pending_id != NULL && !vault_awskey_id_ok(k.pending_id)) ||
	    vault_awskey_find(d, k.profile) >= 0 ||
	    vault_awskey_find_id(d, k.id) >= 0)
		return MFA_EVAULT_CORRUPT;
	if ((rc = payload_fill_str(d->arena, &k.serial)) != 0 ||
	    (rc = payload_fill_str(d->arena, &k.region)) != 0 ||
	    (rc = payload_fill_str(d->arena, &k.arn)) != 0 ||
	    (rc = payload_fill_str(d->arena, &k.pending_id)) != 0)
		return rc;
	k.created = (int64_t)created;
	k.updated = (int64_t)updated;
	if ((rc = vault_awskey_grow(d)) != 0)
		return rc;
	d->awskeys[d->n_awskeys++] = k;
	return 0;
}

static int
payload_blob(uint8_t tag, const uint8_t *body, size_t blen,
	     struct vault_data *d, struct vault_blobs *b)
{
	struct vault_blob *grown;
	uint8_t *copy;

	if ((copy = payload_keep(d->arena, body, blen)) == NULL)
		return MFA_ENOMEM;
	grown = realloc(b->v, (b->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return MFA_ENOMEM;
	b->v = grown;
	b->v[b->n].tag = tag;
	b->v[b->n].body = copy;
	b->v[b->n].len = blen;
	b->n++;
	return 0;
}

void
vault_blobs_free(struct vault_blobs *b)
{
	/* The bodies are in the data's arena, wiped with it. */
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

/* The decoder: plaintext at s->win[wpos..wlen), decrypted on demand. */
struct payload_in {
	struct vault_stream *s;
	const uint8_t *ct; /* the next ciphertext byte to decrypt */
	size_t left;	   /* ciphertext bytes not decrypted yet */
	size_t wpos, wlen;
	const struct payload_query *query; /* decode only what it may name */
};

/* The query, lower-cased once, for payload_wanted. */
struct payload_query {
	const unsigned char *q;
	size_t n;
};

/*
 * Whether q occurs in h (n bytes), case aside: strcasestr's rule (tolower
 * on each byte), without its per-call set-up, which cost more than the
 * search over 100,000 short labels.
 */
static bool
payload_has(const unsigned char *h, size_t n, const struct payload_query *q)
{
	size_t i, j;

	if (q->n == 0)
		return true;
	for (i = 0; i + q->n <= n; i++) {
		if (tolower(h[i]) != q->q[0])
			continue;
		for (j = 1; j < q->n && tolower(h[i + j]) == q->q[j]; j++)
			;
		if (j == q->n)
			return true;
	}
	return false;
}

/*
 * Whether the entry record may be one the query names: the query is in
 * "issuer:name" or in the serial, case aside, as every way a query
 * matches requires. A bad field or a long label says yes: the full
 * decode then judges it.
 */
static bool
payload_wanted(const uint8_t *body, size_t blen, const struct payload_query *q)
{
	struct payload_r r = {body, blen, 0};
	const uint8_t *v, *name = NULL, *issuer = NULL, *serial = NULL;
	size_t n, nlen = 0, ilen = 0, slen = 0;
	unsigned char buf[1024];
	uint8_t tag;
	int rc;

	while ((rc = payload_next(&r, &tag, &v, &n)) == 1) {
		if (tag == F_ENTRY_NAME) {
			name = v;
			nlen = n;
		} else if (tag == F_ENTRY_ISSUER) {
			issuer = v;
			ilen = n;
		} else if (tag == F_ENTRY_SERIAL) {
			serial = v;
			slen = n;
		}
	}
	if (rc != 0 || name == NULL || ilen + 1 + nlen > sizeof(buf))
		return true;
	if (ilen > 0) {
		memcpy(buf, issuer, ilen);
		buf[ilen] = ':';
		memcpy(buf + ilen + 1, name, nlen);
		if (payload_has(buf, ilen + 1 + nlen, q))
			return true;
	} else if (payload_has(name, nlen, q)) {
		return true;
	}
	return slen > 0 && payload_has(serial, slen, q);
}

/* Make n (<= VAULT_WIN) plaintext bytes available at s->win + wpos. */
static int
payload_need(struct payload_in *r, size_t n)
{
	size_t have = r->wlen - r->wpos, take;

	if (have >= n)
		return 0;
	if (n - have > r->left)
		return MFA_EVAULT_CORRUPT; /* runs past the end */
	memmove(r->s->win, r->s->win + r->wpos, have);
	r->wpos = 0;
	take = VAULT_WIN - have < r->left ? VAULT_WIN - have : r->left;
	vault_stream_xor(r->s, r->s->win + have, r->ct, take);
	r->ct += take;
	r->left -= take;
	r->wlen = have + take;
	return 0;
}

/* A record longer than the window: into a locked buffer of its own. */
static int
payload_big(struct payload_in *r, size_t n, uint8_t **out)
{
	size_t have = r->wlen - r->wpos;
	uint8_t *p;

	if (n - have > r->left)
		return MFA_EVAULT_CORRUPT;
	if ((p = vault_secmem_alloc(n)) == NULL)
		return MFA_ENOMEM;
	memcpy(p, r->s->win + r->wpos, have);
	vault_stream_xor(r->s, p + have, r->ct, n - have);
	r->ct += n - have;
	r->left -= n - have;
	r->wpos = r->wlen = 0;
	*out = p;
	return 0;
}

static int
payload_record(const struct payload_in *r, uint8_t tag, const uint8_t *body,
	       size_t n, struct vault_data *d, struct vault_blobs *b)
{
	switch (tag) {
	case PAYLOAD_ENTRY:
		if (r->query != NULL && !payload_wanted(body, n, r->query))
			return 0;
		return payload_entry(body, n, d);
	case PAYLOAD_TOMBSTONE:
		return payload_tombstone(body, n, d);
	case PAYLOAD_KV:
		return payload_kv(body, n, d);
	case PAYLOAD_AWSKEY:
		return payload_awskey(body, n, d);
	default:
		return payload_blob(tag, body, n, d, b);
	}
}

static int
payload_records(struct payload_in *r, struct vault_data *d,
		struct vault_blobs *b)
{
	uint8_t tag, *big;
	size_t n;
	int rc;

	for (;;) {
		/* No end marker: corrupt. The padding after it is never
		 * even decrypted. */
		if ((rc = payload_need(r, 1)) != 0)
			return rc;
		tag = r->s->win[r->wpos++];
		if (tag == PAYLOAD_END)
			return 0;
		if ((rc = payload_need(r, 4)) != 0)
			return rc;
		n = vault_get32(r->s->win + r->wpos);
		r->wpos += 4;
		if (n <= VAULT_WIN) {
			if ((rc = payload_need(r, n)) != 0)
				return rc;
			rc = payload_record(r, tag, r->s->win + r->wpos, n, d,
					    b);
			r->wpos += n;
		} else {
			if ((rc = payload_big(r, n, &big)) != 0)
				return rc;
			rc = payload_record(r, tag, big, n, d, b);
			vault_secmem_free(big, n);
		}
		if (rc != 0)
			return rc;
	}
}

/*
 * Authenticate the ciphertext of the file (header h), then decrypt and
 * decode it in one pass into d and b (both set up here; freed and wiped
 * on error). MFA_EVAULT_AUTH when the key is wrong or the file modified.
 * With a query, entries it cannot name are skipped (vault_only_matching).
 */
int
vault_payload_decode(const uint8_t *file, const struct vault_hdr *h,
		     const uint8_t *key, struct vault_data *d,
		     struct vault_blobs *b)
{
	return vault_payload_decode_query(file, h, key, NULL, d, b);
}

int
vault_payload_decode_query(const uint8_t *file, const struct vault_hdr *h,
			   const uint8_t *key, const char *query,
			   struct vault_data *d, struct vault_blobs *b)
{
	struct payload_in r;
	struct payload_query pq;
	unsigned char *lq = NULL;
	uint8_t tag[VAULT_TAG_BYTES];
	size_t ctlen = h->clen - VAULT_TAG_BYTES;
	int rc;

	memset(d, 0, sizeof(*d));
	memset(b, 0, sizeof(*b));
	if ((rc = vault_stream_open(&r.s, key, file + VAULT_OFF_NONCE, file,
				    h->hlen)) != 0)
		return rc;
	r.ct = file + h->hlen;
	r.left = ctlen;
	r.wpos = r.wlen = 0;
	r.query = NULL;
	if (query != NULL) {
		if ((lq = (unsigned char *)strdup(query)) == NULL) {
			vault_stream_close(r.s);
			return MFA_ENOMEM;
		}
		for (pq.n = 0; lq[pq.n] != '\0'; pq.n++)
			lq[pq.n] = (unsigned char)tolower(lq[pq.n]);
		pq.q = lq;
		r.query = &pq;
	}
	vault_stream_auth(r.s, r.ct, ctlen);
	vault_stream_tag(r.s, tag);
	if (crypto_verify_16(tag, r.ct + ctlen) != 0)
		rc = MFA_EVAULT_AUTH;
	else if ((rc = vault_data_arena(d)) == 0)
		rc = payload_records(&r, d, b);
	vault_stream_close(r.s);
	free(lq);
	if (rc != 0) {
		vault_data_free(d);
		vault_blobs_free(b);
	}
	return rc;
}
