/*
 * The vault merge as a pure function (vault_merge, vault_diff): a table of
 * every rule of man/mfa-vault.5's MERGING, with the edits' clock set by
 * each case (skewed, equal, backwards), then properties over random vaults
 * edited at random: swapping ours and theirs gives the same data,
 * merge(b,x,x) = x, merge(b,b,y) = y, counters and used steps never fall,
 * nothing disappears without a tombstone, no time is made up, and replicas
 * converge whatever the order of merges. Copies go through the file format
 * (vault_encode, vault_open_mem), and the history and stamp fields are read
 * back by a reader written from the manual page alone.
 */
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

#include "mfa/rc.h"
#include "mfa/vault.h"

static const struct vault_kdf tiny = {1, 8192};
static char dir[64];
static char vpath[160];
static struct vault *kv; /* its key encrypts every copy */

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	strcpy(dir, "/tmp/mfa-merge-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(vpath, sizeof(vpath), "%s/vault", dir);
	if (vault_create(vpath, "pw", 2, &tiny) != 0 ||
	    vault_open(vpath, &kv) != 0 || vault_unlock_pass(kv, "pw", 2) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	vault_close(kv);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* --- building and editing vaults ------------------------------------- */

static uint8_t next_id = 1;

static void
fresh_id(uint8_t id[VAULT_ID_BYTES])
{
	memset(id, 0, VAULT_ID_BYTES);
	id[0] = 0xa0;
	id[15] = next_id++;
}

static struct vault_entry *
find(struct vault_data *d, const uint8_t *id)
{
	long i = vault_entry_find_id(d, id);

	return i >= 0 ? &d->entries[i] : NULL;
}

static const struct vault_entry *
cfind(const struct vault_data *d, const uint8_t *id)
{
	long i = vault_entry_find_id(d, id);

	return i >= 0 ? &d->entries[i] : NULL;
}

static void
ed_add(struct vault_data *d, const uint8_t *id, const char *name,
       const char *issuer, const char *secret, enum otp_type type, int64_t t)
{
	struct vault_entry e;

	assert_int_equal(vault_entry_init_in(d, &e, t), 0);
	memcpy(e.id, id, VAULT_ID_BYTES);
	otp_params_default(&e.p, type);
	assert_int_equal(vault_entry_set_str(&e.name, name), 0);
	assert_int_equal(vault_entry_set_str(&e.issuer, issuer), 0);
	assert_int_equal(
	    vault_entry_set_secret(&e, (const uint8_t *)secret, strlen(secret)),
	    0);
	assert_int_equal(vault_entry_add(d, &e), 0);
}

static void
ed_rm(struct vault_data *d, const uint8_t *id, int64_t t)
{
	long i = vault_entry_find_id(d, id);

	assert_true(i >= 0);
	assert_int_equal(vault_entry_remove(d, (size_t)i, t), 0);
}

static void
ed_rename(struct vault_data *d, const uint8_t *id, const char *name, int64_t t)
{
	struct vault_entry *e = find(d, id);

	assert_int_equal(vault_entry_set_str(&e->name, name), 0);
	e->updated = t;
}

static void
ed_note(struct vault_data *d, const uint8_t *id, const char *note, int64_t t)
{
	struct vault_entry *e = find(d, id);

	assert_int_equal(vault_entry_set_str(&e->note, note), 0);
	e->updated = t;
}

static void
ed_serial(struct vault_data *d, const uint8_t *id, const char *s, int64_t t)
{
	struct vault_entry *e = find(d, id);

	assert_int_equal(vault_entry_set_str(&e->serial, s), 0);
	e->updated = t;
}

static void
ed_secret(struct vault_data *d, const uint8_t *id, const char *s, int64_t t)
{
	struct vault_entry *e = find(d, id);

	assert_int_equal(
	    vault_entry_set_secret(e, (const uint8_t *)s, strlen(s)), 0);
	e->p.counter = 0; /* a new seed starts its own count */
	e->updated = t;
}

static void
ed_hotp(struct vault_data *d, const uint8_t *id, int64_t t)
{
	struct vault_entry *e = find(d, id);

	e->p.counter++;
	e->updated = t;
}

static void
ed_step(struct vault_data *d, const uint8_t *id, uint64_t k, int64_t t)
{
	struct vault_entry *e = find(d, id);

	e->last_step += k;
	e->updated = t;
}

static void
ed_verify(struct vault_data *d, const uint8_t *id, uint64_t k, int64_t t)
{
	struct vault_entry *e = find(d, id);

	e->verify_step += k;
	e->updated = t;
}

/* An independent deep copy, through the public entry API. */
static void
data_copy(const struct vault_data *s, struct vault_data *d)
{
	size_t i, j;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < s->n_entries; i++) {
		const struct vault_entry *x = &s->entries[i];
		struct vault_entry e;

		assert_int_equal(vault_entry_init_in(d, &e, x->created), 0);
		memcpy(e.id, x->id, VAULT_ID_BYTES);
		assert_int_equal(vault_entry_set_str(&e.name, x->name), 0);
		assert_int_equal(vault_entry_set_str(&e.issuer, x->issuer), 0);
		assert_int_equal(vault_entry_set_str(&e.note, x->note), 0);
		assert_int_equal(vault_entry_set_str(&e.serial, x->serial), 0);
		assert_int_equal(
		    vault_entry_set_secret(&e, x->secret, x->secret_len), 0);
		e.p = x->p;
		e.updated = x->updated;
		e.last_step = x->last_step;
		e.verify_step = x->verify_step;
		if (x->stamp != NULL) {
			e.stamp = malloc(VAULT_GROUPS * sizeof(*e.stamp));
			assert_non_null(e.stamp);
			memcpy(e.stamp, x->stamp,
			       VAULT_GROUPS * sizeof(*e.stamp));
		}
		if (x->n_hist > 0) {
			e.hist = calloc(VAULT_HIST_MAX, sizeof(*e.hist));
			assert_non_null(e.hist);
		}
		for (j = 0; j < x->n_hist; j++) {
			const struct vault_hist *h = &x->hist[j];
			struct vault_hist *c = &e.hist[j];

			*c = *h;
			c->name = h->name ? strdup(h->name) : NULL;
			c->issuer = h->issuer ? strdup(h->issuer) : NULL;
			c->note = h->note ? strdup(h->note) : NULL;
			c->serial = h->serial ? strdup(h->serial) : NULL;
			if (h->secret != NULL) {
				c->secret = sodium_malloc(h->secret_len);
				memcpy(c->secret, h->secret, h->secret_len);
			}
			e.n_hist++;
		}
		assert_int_equal(vault_entry_add(d, &e), 0);
	}
	if (s->n_tombstones > 0) {
		d->tombstones = calloc(s->n_tombstones, sizeof(*d->tombstones));
		memcpy(d->tombstones, s->tombstones,
		       s->n_tombstones * sizeof(*d->tombstones));
		d->n_tombstones = s->n_tombstones;
	}
	for (i = 0; i < s->n_kv; i++)
		assert_int_equal(vault_kv_set(d, s->kv[i].key, s->kv[i].value,
					      s->kv[i].value_len,
					      s->kv[i].expires),
				 0);
}

/* d through the file format and back: a vault to read it from. */
static struct vault *
roundtrip(const struct vault_data *d)
{
	struct vault *v;
	uint8_t *buf;
	size_t len;

	assert_int_equal(vault_encode(kv, NULL, d, &buf, &len), 0);
	assert_int_equal(vault_open_mem(vpath, buf, len, &v), 0);
	assert_int_equal(vault_unlock_key(v, vault_key(kv)), 0);
	free(buf);
	return v;
}

/* --- a canonical text of a vault, to compare ------------------------- */

static int
by_id(const void *a, const void *b)
{
	return memcmp(((const struct vault_entry *const *)a)[0]->id,
		      ((const struct vault_entry *const *)b)[0]->id,
		      VAULT_ID_BYTES);
}

static int
tomb_by_id(const void *a, const void *b)
{
	return memcmp(a, b, VAULT_ID_BYTES);
}

static void
hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* Entries and tombstones by id, group times as merges see them, and the
 * kv cache when asked: what two vaults must agree on. */
static char *
canon(const struct vault_data *d, bool with_kv)
{
	const struct vault_entry **es;
	struct vault_tombstone *ts;
	char *out = NULL;
	size_t len = 0, i, j;
	unsigned g;
	FILE *f = open_memstream(&out, &len);

	es = calloc(d->n_entries + 1, sizeof(*es));
	for (i = 0; i < d->n_entries; i++)
		es[i] = &d->entries[i];
	qsort(es, d->n_entries, sizeof(*es), by_id);
	for (i = 0; i < d->n_entries; i++) {
		const struct vault_entry *e = es[i];

		fprintf(f, "E ");
		hex(f, e->id, VAULT_ID_BYTES);
		fprintf(f, " [%s] [%s] [%s] [%s] %d %d %u %llu %lld %llu ",
			e->name, e->issuer, e->note, e->serial, e->p.type,
			e->p.hash, e->p.digits, (unsigned long long)e->p.period,
			(long long)e->p.t0, (unsigned long long)e->p.counter);
		hex(f, e->secret, e->secret_len);
		fprintf(f, " c%lld u%lld l%llu v%llu", (long long)e->created,
			(long long)e->updated, (unsigned long long)e->last_step,
			(unsigned long long)e->verify_step);
		for (g = 0; g < VAULT_GROUPS; g++)
			fprintf(f, " g%lld",
				(long long)vault_group_time(
				    e, (enum vault_group)g));
		for (j = 0; j < e->n_hist; j++) {
			const struct vault_hist *h = &e->hist[j];

			fprintf(
			    f,
			    "\n  H%d %lld [%s] [%s] [%s] [%s] %d %d %u %llu ",
			    h->group, (long long)h->when,
			    h->name ? h->name : "-",
			    h->issuer ? h->issuer : "-",
			    h->note ? h->note : "-",
			    h->serial ? h->serial : "-", h->p.type, h->p.hash,
			    h->p.digits, (unsigned long long)h->p.counter);
			if (h->secret != NULL)
				hex(f, h->secret, h->secret_len);
		}
		fprintf(f, "\n");
	}
	ts = calloc(d->n_tombstones + 1, sizeof(*ts));
	if (d->n_tombstones > 0)
		memcpy(ts, d->tombstones, d->n_tombstones * sizeof(*ts));
	qsort(ts, d->n_tombstones, sizeof(*ts), tomb_by_id);
	for (i = 0; i < d->n_tombstones; i++) {
		fprintf(f, "T ");
		hex(f, ts[i].id, VAULT_ID_BYTES);
		fprintf(f, " %lld\n", (long long)ts[i].deleted);
	}
	for (i = 0; with_kv && i < d->n_kv; i++) {
		fprintf(f, "K %s %lld ", d->kv[i].key,
			(long long)d->kv[i].expires);
		hex(f, d->kv[i].value, d->kv[i].value_len);
		fprintf(f, "\n");
	}
	fclose(f);
	free(es);
	free(ts);
	return out;
}

static void
same_at(const struct vault_data *a, const struct vault_data *b, bool with_kv,
	int line)
{
	char *x = canon(a, with_kv), *y = canon(b, with_kv);

	if (strcmp(x, y) != 0)
		fail_msg("vaults differ (line %d):\n--- a\n%s--- b\n%s", line,
			 x, y);
	free(x);
	free(y);
}
#define assert_same(a, b, kv) same_at((a), (b), (kv), __LINE__)

static void
mrg(const struct vault_data *b, const struct vault_data *o,
    const struct vault_data *t, struct vault_data *out,
    struct vault_report *rep)
{
	struct vault_data sw;
	struct vault_report r2;

	assert_int_equal(vault_merge(b, o, t, out, rep), 0);
	/* Every merge of the table is checked for symmetry too. */
	assert_int_equal(vault_merge(b, t, o, &sw, &r2), 0);
	assert_same(out, &sw, false);
	vault_data_free(&sw);
	vault_report_free(&r2);
}

static const struct vault_change *
change_of(const struct vault_report *r, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (memcmp(r->v[i].id, id, VAULT_ID_BYTES) == 0)
			return &r->v[i];
	return NULL;
}

static bool
has_tomb(const struct vault_data *d, const uint8_t *id, int64_t *when)
{
	size_t i;

	for (i = 0; i < d->n_tombstones; i++)
		if (memcmp(d->tombstones[i].id, id, VAULT_ID_BYTES) == 0) {
			if (when != NULL)
				*when = d->tombstones[i].deleted;
			return true;
		}
	return false;
}

/* --- the table: one function a rule ---------------------------------- */

/* A base with three accounts, and two copies of it. */
struct trio {
	struct vault_data b, o, t, out;
	struct vault_report rep;
	uint8_t gh[VAULT_ID_BYTES], bank[VAULT_ID_BYTES], hotp[VAULT_ID_BYTES];
};

static void
trio_make(struct trio *x)
{
	memset(x, 0, sizeof(*x));
	fresh_id(x->gh);
	fresh_id(x->bank);
	fresh_id(x->hotp);
	ed_add(&x->b, x->gh, "alice", "GitHub", "12345678901234567890",
	       OTP_TOTP, 1000);
	ed_add(&x->b, x->bank, "bob", "Bank", "abcdefghijabcdefghij", OTP_TOTP,
	       1000);
	ed_add(&x->b, x->hotp, "carol", "GitLab", "ABCDEFGHIJABCDEFGHIJ",
	       OTP_HOTP, 1000);
	find(&x->b, x->hotp)->p.counter = 3;
	data_copy(&x->b, &x->o);
	data_copy(&x->b, &x->t);
}

static void
trio_free(struct trio *x)
{
	vault_data_free(&x->b);
	vault_data_free(&x->o);
	vault_data_free(&x->t);
	vault_data_free(&x->out);
	vault_report_free(&x->rep);
}

static void
test_one_side(void **state)
{
	struct trio x;
	const struct vault_change *c;
	uint8_t neu[VAULT_ID_BYTES];

	(void)state;
	trio_make(&x);
	fresh_id(neu);
	ed_add(&x.t, neu, "dave", "AWS", "zzzzzzzzzzzzzzzzzzzz", OTP_TOTP,
	       1100);
	ed_rename(&x.t, x.gh, "alice2", 1200);
	ed_note(&x.o, x.bank, "ours", 1300);
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	assert_int_equal(x.out.n_entries, 4);
	assert_string_equal(cfind(&x.out, x.gh)->name, "alice2");
	assert_int_equal(cfind(&x.out, x.gh)->updated, 1200);
	assert_string_equal(cfind(&x.out, x.bank)->note, "ours");
	assert_non_null(cfind(&x.out, neu));
	/* One side's changes are no conflict: no history. */
	assert_int_equal(cfind(&x.out, x.gh)->n_hist, 0);
	/* The report, in ours' terms. */
	c = change_of(&x.rep, neu);
	assert_non_null(c);
	assert_int_equal(c->what, VAULT_CH_ADDED);
	assert_string_equal(c->label, "AWS:dave");
	c = change_of(&x.rep, x.gh);
	assert_int_equal(c->what, VAULT_CH_RENAMED);
	assert_string_equal(c->old_label, "GitHub:alice");
	assert_string_equal(c->label, "GitHub:alice2");
	assert_null(change_of(&x.rep, x.bank)); /* ours already had it */
	trio_free(&x);
}

static void
test_same_change(void **state)
{
	struct trio x;

	(void)state;
	trio_make(&x);
	ed_rename(&x.o, x.gh, "same", 1500);
	ed_rename(&x.t, x.gh, "same", 1400);
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	assert_string_equal(cfind(&x.out, x.gh)->name, "same");
	assert_int_equal(cfind(&x.out, x.gh)->n_hist, 0);
	assert_int_equal(cfind(&x.out, x.gh)->updated, 1500);
	assert_int_equal(x.rep.n, 0);
	trio_free(&x);
}

static void
test_groups_apart(void **state)
{
	struct trio x;
	const struct vault_entry *e;

	(void)state;
	trio_make(&x);
	ed_rename(&x.o, x.gh, "ours-name", 2000);
	ed_secret(&x.t, x.gh, "NEWSECRETNEWSECRET00", 1900);
	ed_serial(&x.t, x.gh, "arn:aws:iam::1:mfa/x", 1950);
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	e = cfind(&x.out, x.gh);
	assert_string_equal(e->name, "ours-name");
	assert_memory_equal(e->secret, "NEWSECRETNEWSECRET00", 20);
	assert_string_equal(e->serial, "arn:aws:iam::1:mfa/x");
	assert_int_equal(e->n_hist, 0);
	assert_int_equal(e->updated, 2000);
	/* The groups keep their own times. */
	assert_int_equal(vault_group_time(e, VAULT_GROUP_LABELS), 2000);
	assert_int_equal(vault_group_time(e, VAULT_GROUP_CREDENTIAL), 1950);
	assert_int_equal(vault_group_time(e, VAULT_GROUP_SERIAL), 1950);
	assert_int_equal(change_of(&x.rep, x.gh)->what, VAULT_CH_EDITED);
	assert_int_equal(change_of(&x.rep, x.gh)->groups,
			 1u << VAULT_GROUP_CREDENTIAL |
			     1u << VAULT_GROUP_SERIAL);
	trio_free(&x);
}

/* Both changed one group: the later wins whatever the clocks did. */
static void
conflict_case(int64_t to, int64_t tt, const char *want, const char *lost,
	      int64_t lost_when)
{
	struct trio x;
	const struct vault_entry *e;
	const struct vault_change *c;

	trio_make(&x);
	ed_rename(&x.o, x.gh, "from-ours", to);
	ed_rename(&x.t, x.gh, "from-theirs", tt);
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	e = cfind(&x.out, x.gh);
	assert_string_equal(e->name, want);
	assert_int_equal(e->n_hist, 1);
	assert_int_equal(e->hist[0].group, VAULT_GROUP_LABELS);
	assert_string_equal(e->hist[0].name, lost);
	assert_string_equal(e->hist[0].issuer, "GitHub");
	assert_int_equal(e->hist[0].when, lost_when);
	assert_null(e->hist[0].secret);
	c = change_of(&x.rep, x.gh);
	assert_non_null(c);
	assert_true(c->what & VAULT_CH_CONFLICT);
	assert_int_equal(c->conflicts, 1u << VAULT_GROUP_LABELS);
	trio_free(&x);
}

static void
test_conflict_clocks(void **state)
{
	(void)state;
	/* Skewed: theirs is ahead. */
	conflict_case(1100, 5000, "from-theirs", "from-ours", 1100);
	conflict_case(5000, 1100, "from-ours", "from-theirs", 1100);
	/* Backwards: both before the base's own time; still the later. */
	conflict_case(500, 400, "from-ours", "from-theirs", 400);
	/* Equal: the greater canonical encoding wins (the name's length
	 * comes first: 11 > 9). */
	conflict_case(1500, 1500, "from-theirs", "from-ours", 1500);
}

static void
test_credential_conflict(void **state)
{
	struct trio x;
	const struct vault_entry *e;

	(void)state;
	trio_make(&x);
	/* Theirs re-seeded the HOTP account and used it twice; ours used
	 * the old seed up to counter 20. */
	ed_secret(&x.t, x.hotp, "SECONDSEEDSECONDSEED", 3000);
	ed_hotp(&x.t, x.hotp, 3001);
	ed_hotp(&x.t, x.hotp, 3002);
	while (find(&x.o, x.hotp)->p.counter < 20)
		ed_hotp(&x.o, x.hotp, 2000);
	ed_secret(&x.o, x.hotp, "OURSEEDOURSEEDOURSEE", 2500);
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	e = cfind(&x.out, x.hotp);
	assert_memory_equal(e->secret, "SECONDSEEDSECONDSEED", 20);
	/* The counter of the seed kept, not the other seed's. */
	assert_int_equal(e->p.counter, 2);
	assert_int_equal(e->n_hist, 1);
	assert_int_equal(e->hist[0].group, VAULT_GROUP_CREDENTIAL);
	assert_int_equal(e->hist[0].secret_len, 20);
	assert_memory_equal(e->hist[0].secret, "OURSEEDOURSEEDOURSEE", 20);
	assert_int_equal(e->hist[0].p.type, OTP_HOTP);
	assert_null(e->hist[0].name);
	trio_free(&x);
}

static void
test_counters_max(void **state)
{
	struct trio x;
	const struct vault_entry *e;
	const struct vault_change *c;

	(void)state;
	trio_make(&x);
	ed_hotp(&x.o, x.hotp, 1100); /* 4 */
	ed_hotp(&x.t, x.hotp, 1050);
	ed_hotp(&x.t, x.hotp, 1060);
	ed_hotp(&x.t, x.hotp, 1070); /* 6 */
	ed_step(&x.o, x.gh, 7, 1200);
	ed_step(&x.t, x.gh, 3, 1300);
	ed_verify(&x.o, x.bank, 2, 900); /* a clock gone backwards */
	ed_verify(&x.t, x.bank, 9, 800);
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	e = cfind(&x.out, x.hotp);
	assert_int_equal(e->p.counter, 6);
	assert_int_equal(e->updated, 1100);
	assert_int_equal(e->n_hist, 0);
	assert_int_equal(cfind(&x.out, x.gh)->last_step, 7);
	assert_int_equal(cfind(&x.out, x.bank)->verify_step, 9);
	assert_int_equal(cfind(&x.out, x.bank)->updated, 900);
	c = change_of(&x.rep, x.hotp);
	assert_int_equal(c->what, VAULT_CH_COUNTER);
	assert_null(change_of(&x.rep, x.gh));
	assert_int_equal(change_of(&x.rep, x.bank)->what, VAULT_CH_VERIFIED);
	trio_free(&x);
}

static void
test_delete_rules(void **state)
{
	struct trio x;
	const struct vault_change *c;
	int64_t when;

	(void)state;
	trio_make(&x);
	/* Removed by theirs, unchanged here: removed. */
	ed_rm(&x.t, x.bank, 1500);
	/* Removed by theirs, used here: kept, and said so. */
	ed_rm(&x.t, x.hotp, 1600);
	ed_hotp(&x.o, x.hotp, 1400);
	/* Removed by ours, renamed by theirs: kept. */
	ed_rm(&x.o, x.gh, 1700);
	ed_rename(&x.t, x.gh, "renamed", 1200);
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	assert_null(cfind(&x.out, x.bank));
	assert_true(has_tomb(&x.out, x.bank, &when));
	assert_int_equal(when, 1500);
	assert_non_null(cfind(&x.out, x.hotp));
	assert_int_equal(cfind(&x.out, x.hotp)->p.counter, 4);
	assert_non_null(cfind(&x.out, x.gh));
	assert_string_equal(cfind(&x.out, x.gh)->name, "renamed");
	/* Tombstones stay, even of what was kept. */
	assert_true(has_tomb(&x.out, x.hotp, NULL));
	assert_true(has_tomb(&x.out, x.gh, NULL));
	c = change_of(&x.rep, x.bank);
	assert_int_equal(c->what, VAULT_CH_REMOVED);
	assert_string_equal(c->label, "Bank:bob");
	c = change_of(&x.rep, x.hotp);
	assert_int_equal(c->what, VAULT_CH_KEPT);
	c = change_of(&x.rep, x.gh);
	assert_int_equal(c->what, VAULT_CH_ADDED | VAULT_CH_KEPT);
	trio_free(&x);
}

static void
test_tombstones_and_times(void **state)
{
	struct trio x;
	int64_t when;

	(void)state;
	trio_make(&x);
	ed_rm(&x.o, x.bank, 2000);
	ed_rm(&x.t, x.bank, 2500);
	/* Different creation times of one record (a copy made by hand). */
	find(&x.o, x.gh)->created = 900;
	find(&x.t, x.gh)->created = 950;
	mrg(&x.b, &x.o, &x.t, &x.out, &x.rep);
	assert_true(has_tomb(&x.out, x.bank, &when));
	assert_int_equal(when, 2500);
	assert_int_equal(x.out.n_tombstones, 1);
	assert_int_equal(cfind(&x.out, x.gh)->created, 900);
	assert_int_equal(x.rep.n, 0);
	trio_free(&x);
}

static void
test_kv_is_ours(void **state)
{
	struct trio x;

	(void)state;
	trio_make(&x);
	assert_int_equal(vault_kv_set(&x.o, "aws-session:ours",
				      (const uint8_t *)"O", 1, 99999),
			 0);
	assert_int_equal(vault_kv_set(&x.t, "aws-session:theirs",
				      (const uint8_t *)"T", 1, 99999),
			 0);
	assert_int_equal(vault_merge(&x.b, &x.o, &x.t, &x.out, &x.rep), 0);
	assert_int_equal(x.out.n_kv, 1);
	assert_string_equal(x.out.kv[0].key, "aws-session:ours");
	assert_false(x.rep.kv);
	trio_free(&x);
}

static void
test_no_base(void **state)
{
	struct vault_data o = {0}, t = {0}, out = {0};
	struct vault_report rep;
	uint8_t a[VAULT_ID_BYTES], b[VAULT_ID_BYTES], c[VAULT_ID_BYTES];
	const struct vault_change *ch;

	(void)state;
	fresh_id(a);
	fresh_id(b);
	fresh_id(c);
	ed_add(&o, a, "github", "", "1111111111aaaaaaaaaa", OTP_TOTP, 100);
	ed_add(&t, b, "github", "", "2222222222bbbbbbbbbb", OTP_TOTP, 200);
	/* The same record on both (a copy of one file), changed apart. */
	ed_add(&o, c, "shared", "", "3333333333cccccccccc", OTP_TOTP, 50);
	ed_add(&t, c, "shared", "", "3333333333cccccccccc", OTP_TOTP, 50);
	ed_note(&t, c, "theirs", 300);
	mrg(NULL, &o, &t, &out, &rep);
	assert_int_equal(out.n_entries, 3);
	assert_string_equal(cfind(&out, c)->note, "theirs");
	/* Two accounts now share a name: said, on both. */
	ch = change_of(&rep, b);
	assert_int_equal(ch->what, VAULT_CH_ADDED | VAULT_CH_CLASH);
	ch = change_of(&rep, a);
	assert_int_equal(ch->what, VAULT_CH_CLASH);
	/* Sorted by creation time, then id: the same on both machines. */
	assert_memory_equal(out.entries[0].id, c, VAULT_ID_BYTES);
	assert_memory_equal(out.entries[1].id, a, VAULT_ID_BYTES);
	vault_data_free(&o);
	vault_data_free(&t);
	vault_data_free(&out);
	vault_report_free(&rep);
}

/* A record the base never saw that the other side has removed since. */
static void
test_removed_unseen(void **state)
{
	struct vault_data b = {0}, o = {0}, t = {0}, out = {0};
	struct vault_report rep;
	uint8_t a[VAULT_ID_BYTES], k[VAULT_ID_BYTES];

	(void)state;
	fresh_id(a);
	fresh_id(k);
	ed_add(&o, a, "gone", "", "1111111111aaaaaaaaaa", OTP_TOTP, 100);
	ed_add(&t, a, "gone", "", "1111111111aaaaaaaaaa", OTP_TOTP, 100);
	ed_rm(&t, a, 150);
	ed_add(&o, k, "kept", "", "2222222222bbbbbbbbbb", OTP_TOTP, 100);
	ed_add(&t, k, "kept", "", "2222222222bbbbbbbbbb", OTP_TOTP, 100);
	ed_rm(&t, k, 150);
	ed_note(&o, k, "changed after", 200);
	mrg(&b, &o, &t, &out, &rep);
	assert_null(cfind(&out, a));
	assert_non_null(cfind(&out, k));
	assert_true(change_of(&rep, k)->what & VAULT_CH_KEPT);
	vault_data_free(&o);
	vault_data_free(&t);
	vault_data_free(&out);
	vault_report_free(&rep);
}

/* Three copies change one group: whatever order they meet in, the same
 * value wins and the others end in its history, newest first, at most
 * VAULT_HIST_MAX. */
static void
test_history_order(void **state)
{
	struct vault_data b = {0}, r[6], m1, m2, m3, m4;
	uint8_t a[VAULT_ID_BYTES];
	const struct vault_entry *e;
	char name[16];
	int i;

	(void)state;
	fresh_id(a);
	ed_add(&b, a, "base", "", "1111111111aaaaaaaaaa", OTP_TOTP, 100);
	for (i = 0; i < 6; i++) {
		data_copy(&b, &r[i]);
		snprintf(name, sizeof(name), "name%d", i);
		/* Times 200, 250, 240, 230, 220, 210: name1 is newest. */
		ed_rename(&r[i], a, name, 200 + 10 * ((i * 5) % 6));
	}
	/* ((0 1) (2 3)) (4 5) against 5 (4 (3 (2 (1 0)))). */
	assert_int_equal(vault_merge(&b, &r[0], &r[1], &m1, NULL), 0);
	assert_int_equal(vault_merge(&b, &r[2], &r[3], &m2, NULL), 0);
	assert_int_equal(vault_merge(&b, &m1, &m2, &m3, NULL), 0);
	vault_data_free(&m1);
	assert_int_equal(vault_merge(&b, &r[4], &r[5], &m1, NULL), 0);
	vault_data_free(&m2);
	assert_int_equal(vault_merge(&b, &m3, &m1, &m2, NULL), 0);
	vault_data_free(&m1);
	vault_data_free(&m3);
	data_copy(&r[0], &m1);
	for (i = 1; i < 6; i++) {
		assert_int_equal(vault_merge(&b, &r[i], &m1, &m4, NULL), 0);
		vault_data_free(&m1);
		m1 = m4;
	}
	assert_same(&m1, &m2, false);
	e = cfind(&m2, a);
	assert_string_equal(e->name, "name1");
	/* name0, the oldest loser, fell out. */
	assert_int_equal(e->n_hist, VAULT_HIST_MAX);
	for (i = 0; i < VAULT_HIST_MAX; i++) {
		snprintf(name, sizeof(name), "name%d", 2 + i);
		assert_string_equal(e->hist[i].name, name);
		assert_int_equal(e->hist[i].when, 240 - 10 * i);
	}
	vault_data_free(&m1);
	vault_data_free(&m2);
	vault_data_free(&b);
	for (i = 0; i < 6; i++)
		vault_data_free(&r[i]);
}

/*
 * Groups keep their own times through merges: the labels of X (t 10) and
 * the credential of Y (t 20) merged first must not make X's labels beat
 * Z's (t 15) later; merged in any order, Z's labels win.
 */
static void
test_group_times_converge(void **state)
{
	struct vault_data b = {0}, x, y, z, xy, xyz, xz, xzy;
	uint8_t a[VAULT_ID_BYTES];

	(void)state;
	fresh_id(a);
	ed_add(&b, a, "base", "", "1111111111aaaaaaaaaa", OTP_TOTP, 1);
	data_copy(&b, &x);
	data_copy(&b, &y);
	data_copy(&b, &z);
	ed_rename(&x, a, "x", 10);
	ed_secret(&y, a, "2222222222bbbbbbbbbb", 20);
	ed_rename(&z, a, "z", 15);
	assert_int_equal(vault_merge(&b, &x, &y, &xy, NULL), 0);
	assert_int_equal(vault_merge(&b, &xy, &z, &xyz, NULL), 0);
	assert_int_equal(vault_merge(&b, &x, &z, &xz, NULL), 0);
	assert_int_equal(vault_merge(&b, &xz, &y, &xzy, NULL), 0);
	assert_string_equal(cfind(&xyz, a)->name, "z");
	assert_same(&xyz, &xzy, false);
	/* And through the file: the stamps are saved. */
	{
		struct vault *v = roundtrip(&xy);

		assert_int_equal(vault_group_time(&vault_data(v)->entries[0],
						  VAULT_GROUP_LABELS),
				 10);
		assert_int_equal(vault_data(v)->entries[0].updated, 20);
		vault_close(v);
	}
	vault_data_free(&b);
	vault_data_free(&x);
	vault_data_free(&y);
	vault_data_free(&z);
	vault_data_free(&xy);
	vault_data_free(&xyz);
	vault_data_free(&xz);
	vault_data_free(&xzy);
}

static void
test_diff(void **state)
{
	struct trio x;
	struct vault_report r;
	const struct vault_change *c;

	(void)state;
	trio_make(&x);
	ed_rm(&x.o, x.bank, 10);
	ed_hotp(&x.o, x.hotp, 11);
	ed_step(&x.o, x.gh, 1, 12);
	assert_int_equal(vault_kv_set(&x.o, "k", (const uint8_t *)"v", 1, 5),
			 0);
	assert_int_equal(vault_diff(&x.b, &x.o, &r), 0);
	assert_int_equal(r.n, 3);
	assert_true(r.kv);
	/* By label: Bank:bob, GitHub:alice, GitLab:carol. */
	assert_int_equal(r.v[0].what, VAULT_CH_REMOVED);
	assert_string_equal(r.v[0].label, "Bank:bob");
	assert_int_equal(r.v[1].what, VAULT_CH_STEP);
	assert_int_equal(r.v[2].what, VAULT_CH_COUNTER);
	c = change_of(&r, x.gh);
	assert_string_equal(c->noun, "account");
	vault_report_free(&r);
	trio_free(&x);
}

/* --- the history and stamp fields, read from the manual alone -------- */

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The value of field tag in a TLV body, or NULL. */
static const uint8_t *
tlv(const uint8_t *p, size_t len, uint8_t tag, size_t *n)
{
	size_t pos = 0, k;

	while (pos + 5 <= len) {
		k = le32(p + pos + 1);
		assert_true(k <= len - pos - 5);
		if (p[pos] == tag) {
			*n = k;
			return p + pos + 5;
		}
		pos += 5 + k;
	}
	assert_int_equal(pos, len);
	return NULL;
}

static void
test_fields_from_manual(void **state)
{
	struct trio x;
	const struct vault_entry *e;
	uint8_t *f, *pt, sum[16];
	const uint8_t *rec = NULL, *hv, *it, *v, *sv;
	size_t flen, hlen, clen, pos, rlen = 0, hn, n, sn, ip;
	unsigned found = 0;

	(void)state;
	trio_make(&x);
	/* Ours wins both conflicts (3000 > 2000); theirs' serial is taken
	 * and keeps its own time, 2000, in a stamp. */
	ed_rename(&x.o, x.gh, "o", 3000);
	ed_secret(&x.o, x.gh, "OURSOWNSEEDOURSOWNSE", 3000);
	ed_secret(&x.t, x.gh, "THEIRSEEDTHEIRSEEDTH", 2000);
	ed_rename(&x.t, x.gh, "t", 2000);
	ed_serial(&x.t, x.gh, "arn:t", 2000);
	assert_int_equal(vault_merge(&x.b, &x.o, &x.t, &x.out, NULL), 0);
	e = cfind(&x.out, x.gh);
	assert_int_equal(e->n_hist, 2);
	assert_int_equal(vault_encode(kv, NULL, &x.out, &f, &flen), 0);
	/* HEADER: hlen at 12, clen at 56, nonce at 32; PAYLOAD
	 * ENCRYPTION: the header is the associated data. */
	hlen = le32(f + 12);
	clen = le32(f + 56);
	assert_int_equal(hlen + clen, flen);
	pt = malloc(clen);
	assert_int_equal(
	    crypto_aead_xchacha20poly1305_ietf_decrypt(
		pt, NULL, NULL, f + hlen, clen, f, hlen, f + 32, vault_key(kv)),
	    0);
	/* PAYLOAD: records until tag 0; the account whose id field (1) is
	 * ours. */
	for (pos = 0; pt[pos] != 0; pos += 5 + le32(pt + pos + 1)) {
		if (pt[pos] != 1)
			continue;
		v = tlv(pt + pos + 5, le32(pt + pos + 1), 1, &n);
		if (n == 16 && memcmp(v, x.gh, 16) == 0) {
			rec = pt + pos + 5;
			rlen = le32(pt + pos + 1);
		}
	}
	assert_non_null(rec);
	/* Field 17: items of group u8, length u32, then account fields. */
	hv = tlv(rec, rlen, 17, &hn);
	assert_non_null(hv);
	for (ip = 0; ip < hn; ip += 5 + le32(hv + ip + 1)) {
		it = hv + ip + 5;
		n = le32(hv + ip + 1);
		if (hv[ip] == 1) { /* labels */
			v = tlv(it, n, 2, &sn);
			assert_int_equal(sn, 1);
			assert_memory_equal(v, "t", 1);
			v = tlv(it, n, 3, &sn);
			assert_memory_equal(v, "GitHub", 6);
			v = tlv(it, n, 14, &sn);
			assert_int_equal(le64(v), 2000);
			assert_null(tlv(it, n, 10, &sn));
			found |= 1;
		} else if (hv[ip] == 2) { /* credential */
			v = tlv(it, n, 10, &sn);
			assert_int_equal(sn, 20);
			assert_memory_equal(v, "THEIRSEEDTHEIRSEEDTH", 20);
			v = tlv(it, n, 14, &sn);
			assert_int_equal(le64(v), 2000);
			assert_null(tlv(it, n, 2, &sn));
			found |= 2;
		}
	}
	assert_int_equal(found, 3);
	/* Field 18: 25-byte stamps. The digest is BLAKE2b-128 of the
	 * group's canonical encoding: for the serial, field 11. */
	sv = tlv(rec, rlen, 18, &sn);
	assert_non_null(sv);
	assert_int_equal(sn, 25);
	assert_int_equal(sv[0], 3);
	assert_int_equal(le64(sv + 1), 2000);
	crypto_generichash(sum, 16, (const uint8_t *)"\x0b\x05\0\0\0arn:t", 10,
			   NULL, 0);
	assert_memory_equal(sv + 9, sum, 16);
	v = tlv(rec, rlen, 14, &n);
	assert_int_equal(le64(v), 3000);
	sodium_memzero(pt, clen);
	free(pt);
	free(f);
	trio_free(&x);
}

/* --- properties over random vaults ------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned
rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* A clock that wanders: skewed, repeated, backwards. */
static int64_t
rtime(void)
{
	return 1000 + (int64_t)rn(60) - 20;
}

static void
random_base(struct vault_data *d)
{
	static const char *const names[] = {"a", "b", "c", "d"};
	char secret[21];
	uint8_t id[VAULT_ID_BYTES];
	unsigned i, n = rn(5);

	memset(d, 0, sizeof(*d));
	for (i = 0; i < n; i++) {
		fresh_id(id);
		snprintf(secret, sizeof(secret), "seed%016llx",
			 (unsigned long long)rnd());
		ed_add(d, id, names[rn(4)], rn(2) ? "X" : "", secret,
		       rn(2) ? OTP_HOTP : OTP_TOTP, 1000 + (int64_t)rn(10));
	}
}

static void
random_edit(struct vault_data *d)
{
	static const char *const names[] = {"a", "b", "c", "d", "e"};
	char secret[21];
	uint8_t id[VAULT_ID_BYTES];
	unsigned op = rn(10), pick;

	if (d->n_entries == 0 || op == 0) {
		fresh_id(id);
		snprintf(secret, sizeof(secret), "new%017llx",
			 (unsigned long long)rnd());
		ed_add(d, id, names[rn(5)], "", secret, OTP_HOTP, rtime());
		return;
	}
	pick = rn((unsigned)d->n_entries);
	memcpy(id, d->entries[pick].id, VAULT_ID_BYTES);
	switch (op) {
	case 1:
		ed_rm(d, id, rtime());
		break;
	case 2:
		ed_rename(d, id, names[rn(5)], rtime());
		break;
	case 3:
		ed_note(d, id, names[rn(5)], rtime());
		break;
	case 4:
		ed_serial(d, id, names[rn(5)], rtime());
		break;
	case 5:
		snprintf(secret, sizeof(secret), "re%018llx",
			 (unsigned long long)(rnd() % 4));
		ed_secret(d, id, secret, rtime());
		break;
	case 6:
	case 7:
		ed_hotp(d, id, rtime());
		break;
	case 8:
		ed_step(d, id, 1 + rn(3), rtime());
		break;
	default:
		ed_verify(d, id, 1 + rn(3), rtime());
		break;
	}
}

static void
edited_copy(const struct vault_data *b, struct vault_data *x)
{
	unsigned i, n = rn(5);

	data_copy(b, x);
	for (i = 0; i < n; i++)
		random_edit(x);
}

/* Counters never fall (for the same seed), used steps never fall, and
 * no record disappears without a tombstone. */
static void
check_monotone(const struct vault_data *in, const struct vault_data *out)
{
	const struct vault_entry *r;
	size_t i;

	for (i = 0; i < in->n_entries; i++) {
		const struct vault_entry *e = &in->entries[i];

		if ((r = cfind(out, e->id)) == NULL) {
			assert_true(has_tomb(out, e->id, NULL));
			continue;
		}
		assert_true(r->last_step >= e->last_step);
		assert_true(r->verify_step >= e->verify_step);
		if (r->secret_len == e->secret_len &&
		    memcmp(r->secret, e->secret, e->secret_len) == 0)
			assert_true(r->p.counter >= e->p.counter);
	}
	for (i = 0; i < in->n_tombstones; i++)
		assert_true(has_tomb(out, in->tombstones[i].id, NULL));
}

/* Every time in out comes from an input: a merge never stamps "now". */
static bool
time_in(const struct vault_data *const *in, size_t nin, int64_t t)
{
	size_t i, j;
	unsigned g;

	for (i = 0; i < nin; i++) {
		for (j = 0; j < in[i]->n_entries; j++) {
			const struct vault_entry *e = &in[i]->entries[j];

			if (e->created == t || e->updated == t)
				return true;
			for (g = 0; g < VAULT_GROUPS; g++)
				if (vault_group_time(e, (enum vault_group)g) ==
				    t)
					return true;
		}
		for (j = 0; j < in[i]->n_tombstones; j++)
			if (in[i]->tombstones[j].deleted == t)
				return true;
	}
	return false;
}

static void
check_times(const struct vault_data *const *in, size_t nin,
	    const struct vault_data *out)
{
	size_t i, j;
	unsigned g;

	for (i = 0; i < out->n_entries; i++) {
		const struct vault_entry *e = &out->entries[i];

		assert_true(time_in(in, nin, e->created));
		assert_true(time_in(in, nin, e->updated));
		for (g = 0; g < VAULT_GROUPS; g++)
			assert_true(time_in(
			    in, nin, vault_group_time(e, (enum vault_group)g)));
		for (j = 0; j < e->n_hist; j++)
			assert_true(time_in(in, nin, e->hist[j].when));
	}
	for (i = 0; i < out->n_tombstones; i++)
		assert_true(time_in(in, nin, out->tombstones[i].deleted));
}

static void
test_properties(void **state)
{
	struct vault_data b, x, y, z, m, m2, xy, yz, xz, r1, r2, r3;
	struct vault_report rep;
	int round;

	(void)state;
	for (round = 0; round < 400; round++) {
		random_base(&b);
		edited_copy(&b, &x);
		edited_copy(&b, &y);
		edited_copy(&b, &z);
		/* Symmetry (mrg checks it) and monotonicity. */
		mrg(&b, &x, &y, &m, &rep);
		check_monotone(&b, &m);
		check_monotone(&x, &m);
		check_monotone(&y, &m);
		{
			const struct vault_data *in[3] = {&b, &x, &y};

			check_times(in, 3, &m);
		}
		vault_report_free(&rep);
		/* The report is what vault_diff says of ours, plus notes. */
		vault_data_free(&m);
		/* merge(b,x,x) = x, kv included; merge(b,b,y) = y. */
		assert_int_equal(vault_merge(&b, &x, &x, &m, NULL), 0);
		assert_same(&m, &x, true);
		vault_data_free(&m);
		assert_int_equal(vault_merge(&b, &b, &y, &m, NULL), 0);
		assert_same(&m, &y, false);
		/* Through the file and back it is the same data. */
		{
			struct vault *v = roundtrip(&m);

			assert_same(vault_data(v), &m, true);
			vault_close(v);
		}
		vault_data_free(&m);
		/* Convergence: three replicas, three orders. */
		assert_int_equal(vault_merge(&b, &x, &y, &xy, NULL), 0);
		assert_int_equal(vault_merge(&b, &xy, &z, &r1, NULL), 0);
		assert_int_equal(vault_merge(&b, &y, &z, &yz, NULL), 0);
		assert_int_equal(vault_merge(&b, &yz, &x, &r2, NULL), 0);
		assert_int_equal(vault_merge(&b, &x, &z, &xz, NULL), 0);
		assert_int_equal(vault_merge(&b, &y, &xz, &r3, NULL), 0);
		assert_same(&r1, &r2, false);
		assert_same(&r1, &r3, false);
		/* A merged replica merged again with a part: nothing new. */
		assert_int_equal(vault_merge(&b, &r1, &x, &m2, NULL), 0);
		assert_same(&m2, &r1, false);
		vault_data_free(&m2);
		vault_data_free(&xy);
		vault_data_free(&yz);
		vault_data_free(&xz);
		vault_data_free(&r1);
		vault_data_free(&r2);
		vault_data_free(&r3);
		vault_data_free(&b);
		vault_data_free(&x);
		vault_data_free(&y);
		vault_data_free(&z);
	}
}

/* --- vaults in memory: the driver's building blocks ------------------- */

static void
test_mem_vaults(void **state)
{
	struct vault_data d = {0};
	struct vault *v, *w;
	uint8_t id[VAULT_ID_BYTES], *buf, *buf2;
	size_t len, len2;

	(void)state;
	fresh_id(id);
	ed_add(&d, id, "mem", "", "1111111111aaaaaaaaaa", OTP_TOTP, 5);
	assert_int_equal(vault_encode(kv, NULL, &d, &buf, &len), 0);
	assert_int_equal(vault_encode(kv, NULL, &d, &buf2, &len2), 0);
	/* A fresh nonce each time. */
	assert_int_equal(len, len2);
	assert_memory_not_equal(buf + 32, buf2 + 32, 24);
	assert_int_equal(vault_open_mem(vpath, buf, len, &v), 0);
	/* Locked until unlocked; the passphrase works as on the file. */
	assert_null(vault_data(v));
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	assert_int_equal(vault_data(v)->n_entries, 1);
	assert_true(vault_same_slots(v, kv));
	assert_memory_equal(vault_uuid(v), vault_uuid(kv), VAULT_ID_BYTES);
	/* Never written. */
	assert_int_equal(vault_drop_backup(v), MFA_EINVAL);
	assert_int_equal(vault_passwd(v, "x", 1, &tiny, VAULT_KDF_WEAKER, NULL),
			 MFA_EINVAL);
	/* A modified byte, a newer version: refused. */
	buf2[len2 - 1] ^= 1;
	assert_int_equal(vault_open_mem(vpath, buf2, len2, &w), 0);
	assert_int_equal(vault_unlock_key(w, vault_key(kv)), MFA_EVAULT_AUTH);
	vault_close(w);
	buf2[8] = 2;
	assert_int_equal(vault_open_mem(vpath, buf2, len2, &w),
			 MFA_EVAULT_VERSION);
	assert_int_equal(vault_open_mem(vpath, buf2, 0, &w),
			 MFA_EVAULT_CORRUPT);
	vault_close(v);
	free(buf);
	free(buf2);
	vault_data_free(&d);
}

/* AWS access keys: a record kind of their own, merged whole. */
static void
key_add(struct vault_data *d, const uint8_t *id, const char *profile,
	const char *region, int64_t t)
{
	struct vault_awskey k;

	memset(&k, 0, sizeof(k));
	memcpy(k.id, id, VAULT_ID_BYTES);
	k.profile = (char *)profile;
	k.access_key_id = "AKIAEXAMPLEEXAMPLE";
	k.secret = (uint8_t *)"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";
	k.secret_len = 38;
	k.region = (char *)region;
	k.created = k.updated = t;
	assert_int_equal(vault_awskey_add(d, &k), 0);
}

static void
key_region(struct vault_data *d, const uint8_t *id, const char *region,
	   int64_t t)
{
	long i = vault_awskey_find_id(d, id);
	struct vault_awskey k;

	assert_true(i >= 0);
	k = d->awskeys[i];
	k.region = (char *)region;
	k.updated = t;
	assert_int_equal(vault_awskey_set(d, (size_t)i, &k), 0);
}

static const struct vault_awskey *
key_of(const struct vault_data *d, const uint8_t *id)
{
	long i = vault_awskey_find_id(d, id);

	return i >= 0 ? &d->awskeys[i] : NULL;
}

static void
test_awskeys(void **state)
{
	struct vault_data b = {0}, o = {0}, t = {0}, out[2] = {{0}};
	uint8_t one[VAULT_ID_BYTES], two[VAULT_ID_BYTES], gone[VAULT_ID_BYTES];
	uint8_t wo[VAULT_ID_BYTES], wt[VAULT_ID_BYTES];
	const uint8_t *hi, *lo;
	char want[64], hx[2 * VAULT_ID_BYTES + 1];
	int side;

	(void)state;
	fresh_id(one);
	fresh_id(two);
	fresh_id(gone);
	fresh_id(wo);
	fresh_id(wt);
	key_add(&b, one, "default", "", 1000);
	key_add(&b, two, "ci", "", 1000);
	key_add(&b, gone, "old", "", 1000);
	key_add(&o, one, "default", "", 1000);
	key_add(&o, two, "ci", "", 1000);
	key_add(&o, gone, "old", "", 1000);
	key_add(&t, one, "default", "", 1000);
	key_add(&t, two, "ci", "", 1000);
	key_add(&t, gone, "old", "", 1000);
	/* one: changed on theirs only; two: on both, ours later. */
	key_region(&t, one, "eu-west-1", 1200);
	key_region(&o, two, "us-east-2", 1400);
	key_region(&t, two, "ap-south-1", 1300);
	/* gone: removed on ours, unchanged on theirs. */
	assert_int_equal(vault_awskey_remove(
			     &o, (size_t)vault_awskey_find_id(&o, gone), 1500),
			 0);
	/* Both machines added a key named "work". */
	key_add(&o, wo, "work", "", 1600);
	key_add(&t, wt, "work", "", 1600);
	for (side = 0; side < 2; side++) {
		struct vault_report rep = {0};

		assert_int_equal(vault_merge(&b, side ? &t : &o, side ? &o : &t,
					     &out[side], &rep),
				 0);
		vault_report_free(&rep);
		assert_int_equal(out[side].n_awskeys, 4);
		assert_string_equal(key_of(&out[side], one)->region,
				    "eu-west-1");
		assert_string_equal(key_of(&out[side], two)->region,
				    "us-east-2");
		assert_int_equal(key_of(&out[side], two)->updated, 1400);
		assert_null(key_of(&out[side], gone));
		assert_true(has_tomb(&out[side], gone, NULL));
		/* Both keys kept; the later id renamed, the same on both. */
		hi = memcmp(wo, wt, VAULT_ID_BYTES) > 0 ? wo : wt;
		lo = hi == wo ? wt : wo;
		sodium_bin2hex(hx, sizeof(hx), hi, VAULT_ID_BYTES);
		snprintf(want, sizeof(want), "work~%.8s", hx);
		assert_string_equal(key_of(&out[side], lo)->profile, "work");
		assert_string_equal(key_of(&out[side], hi)->profile, want);
		assert_memory_equal(key_of(&out[side], hi)->secret,
				    "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
				    38);
	}
	/* The merged vault is one the file format takes. */
	vault_close(roundtrip(&out[0]));
	vault_data_free(&b);
	vault_data_free(&o);
	vault_data_free(&t);
	vault_data_free(&out[0]);
	vault_data_free(&out[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_side),
	    cmocka_unit_test(test_same_change),
	    cmocka_unit_test(test_groups_apart),
	    cmocka_unit_test(test_conflict_clocks),
	    cmocka_unit_test(test_credential_conflict),
	    cmocka_unit_test(test_counters_max),
	    cmocka_unit_test(test_delete_rules),
	    cmocka_unit_test(test_tombstones_and_times),
	    cmocka_unit_test(test_kv_is_ours),
	    cmocka_unit_test(test_no_base),
	    cmocka_unit_test(test_removed_unseen),
	    cmocka_unit_test(test_history_order),
	    cmocka_unit_test(test_group_times_converge),
	    cmocka_unit_test(test_diff),
	    cmocka_unit_test(test_fields_from_manual),
	    cmocka_unit_test(test_properties),
	    cmocka_unit_test(test_mem_vaults),
	    cmocka_unit_test(test_awskeys),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
