/*
 * io: format names, content detection, import dispatch, entry lists, and the
 * helpers the format files share (iojson.h).
 */
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "io/formats.h"
#include "io/io_lazy.h"
#include "io/iojson.h"

/*
 * Every block starts with a header holding its size, so free() can wipe a
 * block without being told how big it is; the header is a full max_align_t
 * so the user part stays suitably aligned.
 */
#define IO_WIPE_HDR sizeof(max_align_t)
_Static_assert(sizeof(max_align_t) >= sizeof(size_t), "header holds a size");

void *
io_wipe_alloc(size_t size)
{
	unsigned char *p;

	if (size > SIZE_MAX - IO_WIPE_HDR)
		return NULL;
	if ((p = malloc(IO_WIPE_HDR + size)) == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + IO_WIPE_HDR;
}

void
io_wipe_free(void *ptr)
{
	unsigned char *p;
	size_t size;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - IO_WIPE_HDR;
	memcpy(&size, p, sizeof(size));
	sodium_memzero(p, IO_WIPE_HDR + size);
	free(p);
}

void
io_json_secure_init(void)
{
	static int done;

	if (done)
		return;
	/* Registered, not applied: jansson is loaded on first use. */
	lazy_jansson_set_alloc(io_wipe_alloc, io_wipe_free);
	done = 1;
}

/*
 * A copy of buf with every byte that is not part of valid UTF-8 replaced by
 * U+FFFD (in wiping memory: it may hold secrets), or NULL when buf is valid
 * (or on no memory, *rc then says so).
 */
static char *
io_utf8_fix(const uint8_t *buf, size_t len, size_t *outlen, int *rc)
{
	uint8_t tail[4];
	size_t i, n, bad = 0, o = 0;
	char *out;

	*rc = 0;
	for (i = 0; i < len; i += n ? n : 1) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, buf + i, len - i < 4 ? len - i : 4);
		if ((n = otp_utf8_len(tail)) == 0 || n > len - i) {
			n = 0;
			bad++;
		}
	}
	if (bad == 0)
		return NULL;
	if ((out = io_wipe_alloc(len + 2 * bad)) == NULL) {
		*rc = MFA_ENOMEM;
		return NULL;
	}
	for (i = 0; i < len; i += n ? n : 1) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, buf + i, len - i < 4 ? len - i : 4);
		if ((n = otp_utf8_len(tail)) == 0 || n > len - i) {
			n = 0;
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else {
			memcpy(out + o, buf + i, n);
			o += n;
		}
	}
	sodium_memzero(tail, sizeof(tail));
	*outlen = o;
	return out;
}

json_t *
io_json_load(const uint8_t *buf, size_t len, size_t flags, struct mfa_err *err)
{
	json_error_t je;
	json_t *j;
	char *near, *fixed;
	size_t flen = 0;
	int rc;

	io_json_secure_init();
	/*
	 * jansson refuses a whole file for one byte that is not UTF-8: repair
	 * it first (U+FFFD), as every importer's door does for names.
	 */
	if ((fixed = io_utf8_fix(buf, len, &flen, &rc)) == NULL && rc != 0) {
		mfa_err_why(err, "%s", mfa_strerror(rc));
		return NULL;
	}
	j = json_loadb(fixed != NULL ? fixed : (const char *)buf,
		       fixed != NULL ? flen : len, flags, &je);
	io_wipe_free(fixed);
	if (j == NULL) {
		/* jansson quotes the input after " near "; it may be secret. */
		if ((near = strstr(je.text, " near ")) != NULL)
			*near = '\0';
		mfa_err_why(err, "JSON error at line %d column %d: %s", je.line,
			    je.column, je.text);
	}
	sodium_memzero(&err, sizeof(err));
	return j;
}

int
io_base64_decode(const char *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	const char *end;
	uint8_t *buf;
	size_t n = inlen, cap, i;
	int variant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;

	*out = NULL;
	*outlen = 0;
	/* libsodium wants exact padding or none: drop it, and trailing space.
	 */
	while (n > 0 &&
	       (in[n - 1] == '=' || in[n - 1] == ' ' || in[n - 1] == '\t' ||
		in[n - 1] == '\r' || in[n - 1] == '\n'))
		n--;
	for (i = 0; i < n; i++) {
		if (in[i] == '-' || in[i] == '_') {
			variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
			break;
		}
	}
	cap = n / 4 * 3 + 3;
	if ((buf = sodium_malloc(cap)) == NULL)
		return MFA_ENOMEM;
	if (n > 0 && sodium_base642bin(buf, cap, in, n, " \t\r\n", outlen, &end,
				       variant) != 0) {
		sodium_free(buf);
		*outlen = 0;
		return MFA_EPARSE;
	}
	if (n > 0 && end != in + n) {
		sodium_free(buf);
		*outlen = 0;
		return MFA_EPARSE;
	}
	*out = buf;
	return 0;
}

int
io_base64_encode(const uint8_t *in, size_t inlen, char **out, size_t *outlen)
{
	size_t cap =
	    sodium_base64_ENCODED_LEN(inlen, sodium_base64_VARIANT_ORIGINAL);
	char *buf;

	*out = NULL;
	if ((buf = sodium_malloc(cap)) == NULL)
		return MFA_ENOMEM;
	sodium_bin2base64(buf, cap, in, inlen, sodium_base64_VARIANT_ORIGINAL);
	*out = buf;
	if (outlen != NULL)
		*outlen = strlen(buf);
	return 0;
}

int
io_entry_make(struct io_entry *e, const char *name, const char *issuer,
	      const struct otp_params *p, const uint8_t *secret,
	      size_t secret_len)
{
	memset(e, 0, sizeof(*e));
	e->p = *p;
	e->name = strdup(name != NULL ? name : "");
	e->issuer = strdup(issuer != NULL ? issuer : "");
	e->serial = strdup("");
	e->note = strdup("");
	/* sodium_malloc(0) is legal, but keep one byte so secret is never NULL.
	 */
	e->secret = sodium_malloc(secret_len > 0 ? secret_len : 1);
	if (e->name == NULL || e->issuer == NULL || e->serial == NULL ||
	    e->note == NULL || e->secret == NULL) {
		io_entry_clear(e);
		return MFA_ENOMEM;
	}
	if (secret_len > 0)
		memcpy(e->secret, secret, secret_len);
	e->secret_len = secret_len;
	return 0;
}

/*
 * The secret arena: a chain of sodium_malloc'd chunks, the newest first,
 * each twice the size of the one before (up to IO_ARENA_MAX). One guarded,
 * locked block per chunk instead of one per secret keeps a large import far
 * from the kernel's limit on mappings, and from one mlock per account.
 */
struct io_arena {
	struct io_arena *next;
	uint8_t *mem;
	size_t used, cap;
};

#define IO_ARENA_MIN 4096
#define IO_ARENA_MAX (1024 * 1024)

uint8_t *
io_secret_alloc(struct io_list *l, size_t cap)
{
	struct io_arena *a = l->arena, *na;
	size_t size;

	if (cap == 0)
		cap = 1;
	if (a != NULL && a->cap - a->used >= cap) {
		a->used += cap;
		return a->mem + a->used - cap;
	}
	size = a != NULL ? a->cap : IO_ARENA_MIN / 2;
	size = size < IO_ARENA_MAX ? size * 2 : IO_ARENA_MAX;
	if (size < cap)
		size = cap;
	if ((na = calloc(1, sizeof(*na))) == NULL)
		return NULL;
	if ((na->mem = sodium_malloc(size)) == NULL) {
		free(na);
		return NULL;
	}
	na->cap = size;
	na->used = cap;
	na->next = a;
	l->arena = na;
	return na->mem;
}

void
io_secret_trim(struct io_list *l, uint8_t *p, size_t cap, size_t used)
{
	struct io_arena *a = l->arena;

	if (p == NULL)
		return;
	if (cap == 0)
		cap = 1;
	sodium_memzero(p + used, cap - used);
	/* Only the newest allocation can be given back. */
	if (a != NULL && p + cap == a->mem + a->used && used < cap)
		a->used -= cap - used;
}

static void
io_arena_free(struct io_arena *a)
{
	struct io_arena *next;

	for (; a != NULL; a = next) {
		next = a->next;
		sodium_free(a->mem); /* wipes */
		free(a);
	}
}

static int
io_list_reserve(struct io_list *l, size_t more)
{
	struct io_entry *v;
	size_t cap;

	if (more > IO_MAX_ENTRIES || l->n > IO_MAX_ENTRIES - more)
		return MFA_ETOOBIG;
	if (more <= l->cap - l->n)
		return 0;
	cap = l->cap > 0 ? l->cap : 8;
	while (cap < l->n + more)
		cap = cap > SIZE_MAX / sizeof(*v) / 2 ? l->n + more : cap * 2;
	if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
		return MFA_ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

/* Make *s valid UTF-8; true in *fixed when something was replaced. */
static int
io_repair(char **s, bool *fixed)
{
	bool changed = false;
	int rc;

	if (*s == NULL && (*s = strdup("")) == NULL)
		return MFA_ENOMEM;
	if ((rc = otp_utf8_repair(s, &changed)) != 0)
		return rc;
	*fixed = *fixed || changed;
	return 0;
}

int
io_list_add(struct io_list *l, struct io_entry *e, struct mfa_err *err)
{
	uint8_t *s;
	int rc;

	if ((rc = otp_params_check(&e->p)) != 0) {
		mfa_err_why(err, "%s", mfa_strerror(rc));
		goto fail;
	}
	if (e->p.type == OTP_HOTP && e->p.counter > OTP_COUNTER_MAX) {
		rc = MFA_EURI_COUNTER;
		mfa_err_why(err, "counter %llu is above 2^63 - 1",
			    (unsigned long long)e->p.counter);
		goto fail;
	}
	if (e->secret == NULL || e->secret_len == 0) {
		rc = MFA_ESECRET_EMPTY;
		mfa_err_why(err, "%s", mfa_strerror(rc));
		goto fail;
	}
	if (e->secret_len > OTP_SECRET_MAX) {
		rc = MFA_ETOOLONG;
		mfa_err_why(err, "secret longer than %d bytes", OTP_SECRET_MAX);
		goto fail;
	}
	if ((rc = io_repair(&e->name, &e->repaired)) != 0 ||
	    (rc = io_repair(&e->issuer, &e->repaired)) != 0 ||
	    (rc = io_repair(&e->serial, &e->repaired)) != 0 ||
	    (rc = io_repair(&e->note, &e->repaired)) != 0) {
		mfa_err_why(err, "%s", mfa_strerror(rc));
		goto fail;
	}
	if ((rc = io_list_reserve(l, 1)) != 0) {
		mfa_err_why(err, "%s",
			    rc == MFA_ETOOBIG ? "more than 1000000 accounts"
					      : mfa_strerror(rc));
		goto fail;
	}
	if (!e->in_arena) {
		if ((s = io_secret_alloc(l, e->secret_len)) == NULL) {
			rc = MFA_ENOMEM;
			mfa_err_why(err, "%s", mfa_strerror(rc));
			goto fail;
		}
		memcpy(s, e->secret, e->secret_len);
		sodium_free(e->secret);
		e->secret = s;
		e->in_arena = true;
	}
	l->v[l->n++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
fail:
	/* Ownership was handed over: do not leak it on failure. */
	io_entry_clear(e);
	return rc;
}

int
io_list_push(struct io_list *l, struct io_entry *e)
{
	return io_list_add(l, e, NULL);
}

int
io_skip(struct io_list *l, int rc, const struct mfa_err *err)
{
	char **v;

	if (rc == 0 || rc == MFA_ENOMEM || rc == MFA_ETOOBIG)
		return rc;
	if (!l->skip_unsupported) {
		l->entry_failed = true;
		return rc;
	}
	if ((v = reallocarray(l->skipped, l->nskipped + 1, sizeof(*v))) == NULL)
		return MFA_ENOMEM;
	l->skipped = v;
	if ((v[l->nskipped] = strdup(mfa_err_text(err, rc))) == NULL)
		return MFA_ENOMEM;
	l->nskipped++;
	return 0;
}

int
io_list_prefix_skips(struct io_list *l, size_t from, const char *prefix)
{
	char *s;
	size_t i;

	for (i = from; i < l->nskipped; i++) {
		if (asprintf(&s, "%s: %s", prefix, l->skipped[i]) < 0)
			return MFA_ENOMEM;
		free(l->skipped[i]);
		l->skipped[i] = s;
	}
	return 0;
}

int
io_list_move(struct io_list *dst, struct io_list *src)
{
	struct io_entry *e;
	struct io_arena *a;
	char **v;
	size_t i, bytes = 0;
	uint8_t *s;
	int rc;

	/* A running total handed down the chain of lists, not a sum. */
	if (src->kdf_work > dst->kdf_work)
		dst->kdf_work = src->kdf_work;
	if ((rc = io_list_reserve(dst, src->n)) != 0)
		return rc;
	if (src->nskipped > 0) {
		if ((v = reallocarray(dst->skipped,
				      dst->nskipped + src->nskipped,
				      sizeof(*v))) == NULL)
			return MFA_ENOMEM;
		dst->skipped = v;
	}
	/* Room for every secret in one go, so nothing can fail halfway. */
	for (i = 0; i < src->n; i++)
		bytes += src->v[i].secret_len > 0 ? src->v[i].secret_len : 1;
	a = dst->arena;
	if (bytes > 0 && (a == NULL || a->cap - a->used < bytes)) {
		if ((s = io_secret_alloc(dst, bytes)) == NULL)
			return MFA_ENOMEM;
		io_secret_trim(dst, s, bytes, 0);
	}
	for (i = 0; i < src->n; i++) {
		e = &src->v[i];
		s = io_secret_alloc(dst, e->secret_len);
		memcpy(s, e->secret, e->secret_len);
		sodium_memzero(e->secret, e->secret_len);
		e->secret = s;
		e->in_arena = true;
		dst->v[dst->n++] = *e;
	}
	for (i = 0; i < src->nskipped; i++)
		dst->skipped[dst->nskipped++] = src->skipped[i];
	free(src->v);
	free(src->skipped);
	io_arena_free(src->arena);
	memset(src, 0, sizeof(*src));
	return 0;
}

void
io_list_begin(struct io_list *tmp, const struct io_list *out)
{
	memset(tmp, 0, sizeof(*tmp));
	tmp->skip_unsupported = out->skip_unsupported;
	tmp->kdf_work = out->kdf_work;
}

int
io_list_end(struct io_list *out, struct io_list *tmp, int rc,
	    struct mfa_err *err)
{
	if (rc == 0 && (rc = io_list_move(out, tmp)) != 0)
		mfa_err_why(err, "%s", mfa_strerror(rc));
	if (rc != 0) {
		out->entry_failed = out->entry_failed || tmp->entry_failed;
		if (tmp->kdf_work > out->kdf_work)
			out->kdf_work = tmp->kdf_work;
	}
	io_list_free(tmp);
	return rc;
}

void
io_entry_clear(struct io_entry *e)
{
	free(e->name);
	free(e->issuer);
	free(e->serial);
	free(e->note);
	if (e->secret != NULL && e->in_arena)
		sodium_memzero(e->secret, e->secret_len); /* the arena frees */
	else if (e->secret != NULL)
		sodium_free(e->secret); /* wipes */
	memset(e, 0, sizeof(*e));
}

void
io_list_free(struct io_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		io_entry_clear(&l->v[i]);
	for (i = 0; i < l->nskipped; i++)
		free(l->skipped[i]);
	free(l->v);
	free(l->skipped);
	io_arena_free(l->arena);
	memset(l, 0, sizeof(*l));
}

static const struct {
	enum io_format f;
	const char *name;
} io_formats[] = {
    {IO_AUTO, "auto"},
    {IO_URI, "uri"},
    {IO_GOOGLE, "google"},
    {IO_AEGIS, "aegis"},
    {IO_ANDOTP, "andotp"},
    {IO_TWOFAS, "2fas"},
    {IO_AWS_SEED, "aws-seed"},
    {IO_IMAGE, "image"},
    {IO_JSON, "json"},
    /* Aliases people type; only the first name of a format is printed. */
    {IO_URI, "otpauth"},
    {IO_GOOGLE, "otpauth-migration"},
    {IO_TWOFAS, "twofas"},
    {IO_AWS_SEED, "aws"},
    {IO_AWS_SEED, "seed"},
    {IO_JSON, "mfa"},
};

const char *
io_format_name(enum io_format f)
{
	size_t i;

	for (i = 0; i < sizeof(io_formats) / sizeof(io_formats[0]); i++)
		if (io_formats[i].f == f)
			return io_formats[i].name;
	return "unknown";
}

int
io_format_parse(const char *s, enum io_format *f)
{
	size_t i;

	for (i = 0; i < sizeof(io_formats) / sizeof(io_formats[0]); i++) {
		if (strcasecmp(s, io_formats[i].name) == 0) {
			*f = io_formats[i].f;
			return 0;
		}
	}
	return MFA_EINVAL;
}

static bool
io_is_image(const uint8_t *b, size_t len)
{
	static const uint8_t png[] = {0x89, 'P',  'N',	'G',
				      '\r', '\n', 0x1a, '\n'};

	if (len >= sizeof(png) && memcmp(b, png, sizeof(png)) == 0)
		return true;
	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return true;
	/* Netpbm: P2/P3 (ASCII) and P5/P6 (binary) grey and colour maps. */
	if (len >= 3 && b[0] == 'P' &&
	    (b[1] == '2' || b[1] == '3' || b[1] == '5' || b[1] == '6') &&
	    (b[2] == ' ' || b[2] == '\t' || b[2] == '\r' || b[2] == '\n' ||
	     b[2] == '#'))
		return true;
	return false;
}

static bool
io_is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

/* Offset past a UTF-8 byte order mark (editors on Windows add one). */
static size_t
io_skip_bom(const uint8_t *b, size_t len)
{
	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		return 3;
	return 0;
}

static bool
io_prefix(const uint8_t *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && strncasecmp((const char *)s, prefix, pl) == 0;
}

/*
 * The first line that is neither blank nor a '#' comment starts with an
 * otpauth or otpauth-migration URI (zbarimg's "QR-Code:" prefix allowed).
 * A file of comments only is a URI list with nothing in it.
 */
static bool
io_is_urilist(const uint8_t *b, size_t len)
{
	size_t i = io_skip_bom(b, len), start;
	bool comments = false;

	while (i < len) {
		while (i < len && io_is_space(b[i]))
			i++;
		if (i == len)
			break;
		if (b[i] == '#') {
			comments = true;
			while (i < len && b[i] != '\n')
				i++;
			continue;
		}
		start = i;
		if (io_prefix(b + i, len - i, "QR-Code:"))
			start += strlen("QR-Code:");
		return io_prefix(b + start, len - start, "otpauth://") ||
		       io_prefix(b + start, len - start,
				 "otpauth-migration://");
	}
	return comments;
}

/*
 * AWS writes the Base32StringSeed as one line of upper-case base32. Allow
 * either case and groups split by spaces (as authenticators display
 * secrets), but not mixed case nor groups of uneven length, so a line of
 * ordinary words is not taken for a seed.
 */
static bool
io_is_awsseed(const uint8_t *b, size_t len)
{
	size_t i, n = 0, upper = 0, lower = 0, group = 0, width = 0;
	size_t last = 0, groups = 0;
	bool padding = false;

	for (i = io_skip_bom(b, len); i <= len; i++) {
		if (i == len || io_is_space(b[i])) {
			if (group == 0)
				continue;
			/* Every group but the last as wide as the first. */
			if (groups > 1 && last != width)
				return false;
			if (groups == 0)
				width = group;
			if (group > width)
				return false;
			last = group;
			groups++;
			group = 0;
			continue;
		}
		group++;
		if (b[i] == '=') {
			padding = true;
			continue;
		}
		if (padding)
			return false;
		if (b[i] >= 'A' && b[i] <= 'Z')
			upper++;
		else if (b[i] >= 'a' && b[i] <= 'z')
			lower++;
		else if (!(b[i] >= '2' && b[i] <= '7'))
			return false;
		n++;
	}
	return n >= 16 && (upper == 0 || lower == 0);
}

bool
io_json_sniff(const uint8_t *buf, size_t len, bool (*is)(const json_t *root))
{
	size_t skip = io_skip_bom(buf, len);
	json_t *root;
	bool yes;

	if ((root = io_json_load(buf + skip, len - skip, JSON_ALLOW_NUL,
				 NULL)) == NULL)
		return false;
	yes = is(root);
	json_decref(root);
	return yes;
}

static bool
io_is_mfajson(const json_t *root)
{
	const json_t *f = json_object_get(root, "format");

	return json_is_string(f) &&
	       strcmp(json_string_value(f), "mfa-export") == 0;
}

/* One parse of a JSON file, asked of every JSON format in turn. */
static enum io_format
io_detect_json(const uint8_t *buf, size_t len)
{
	size_t skip = io_skip_bom(buf, len);
	enum io_format f = IO_AUTO;
	json_t *root;

	if ((root = io_json_load(buf + skip, len - skip, JSON_ALLOW_NUL,
				 NULL)) == NULL)
		return IO_AUTO;
	if (io_is_mfajson(root))
		f = IO_JSON;
	else if (aegis_sniff_json(root))
		f = IO_AEGIS;
	else if (twofas_sniff_json(root))
		f = IO_TWOFAS;
	else if (andotp_sniff_json(root))
		f = IO_ANDOTP;
	json_decref(root);
	return f;
}

/*
 * Binary files of formats mfa does not read, named so that a user who
 * gives one hears what it is (and so they are not taken for an old
 * andOTP backup, which has no magic of its own).
 */
static const struct {
	const char *magic;
	size_t len;
	const char *what;
} io_foreign[] = {
    {"PK\3\4", 4, "a ZIP archive"},
    {"PK\5\6", 4, "an empty ZIP archive"},
    {"\x1f\x8b", 2, "a gzip file"},
    {"SQLite format 3", 16, "an SQLite database"},
    {"\xac\xed\x00\x05", 4, "a Java serialized object (FreeOTP?)"},
    {"AUTHENTICATORPRO", 16, "an Authenticator Pro (Stratum) backup"},
    {"AuthenticatorPro", 16, "an Authenticator Pro (Stratum) backup"},
    {"%PDF", 4, "a PDF document"},
    {"GIF8", 4, "a GIF image"},
    {"\x7f"
     "ELF",
     4, "a program"},
    {"BZh", 3, "a bzip2 file"},
    {"\xfd"
     "7zXZ",
     5, "an xz file"},
    {"7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive"},
    {"RIFF", 4, "a RIFF file"},
};

static const char *
io_foreign_what(const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(io_foreign) / sizeof(io_foreign[0]); i++)
		if (len >= io_foreign[i].len &&
		    memcmp(b, io_foreign[i].magic, io_foreign[i].len) == 0)
			return io_foreign[i].what;
	return NULL;
}

/* True when b is not UTF-8 text (what every text format would be). */
static bool
io_is_binary(const uint8_t *b, size_t len)
{
	uint8_t tail[4];
	size_t i = 0, n;

	while (i < len) {
		if (b[i] < 0x20 && b[i] != '\t' && b[i] != '\r' &&
		    b[i] != '\n' && b[i] != '\f' && b[i] != '\v')
			return true;
		if (b[i] >= 0x80 && len - i < 4) {
			memset(tail, 0, sizeof(tail));
			memcpy(tail, b + i, len - i);
			if ((n = otp_utf8_len(tail)) == 0 || n > len - i)
				return true;
		} else if ((n = otp_utf8_len(b + i)) == 0)
			return true;
		i += n;
	}
	return false;
}

/* The smallest old-layout andOTP backup: nonce, "[]" and the GCM tag. */
#define IO_ANDOTP_OLD_MIN (12 + 2 + 16)

enum io_format
io_detect(const uint8_t *buf, size_t len)
{
	size_t i;

	if (io_is_image(buf, len))
		return IO_IMAGE;
	io_json_secure_init();
	for (i = io_skip_bom(buf, len); i < len && io_is_space(buf[i]); i++)
		;
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		return io_detect_json(buf, len);
	if (io_is_urilist(buf, len))
		return IO_URI;
	if (io_is_awsseed(buf, len))
		return IO_AWS_SEED;
	/* andOTP's encrypted .bin is binary from its first byte. */
	if (andotp_sniff(buf, len))
		return IO_ANDOTP;
	/*
	 * The old andOTP layout is a random nonce, ciphertext and tag: no
	 * magic at all. Every other format mfa reads is text or has a magic,
	 * so a binary file of no known kind can only be one (the password
	 * then tells).
	 */
	if (len >= IO_ANDOTP_OLD_MIN && io_foreign_what(buf, len) == NULL &&
	    io_is_binary(buf, len))
		return IO_ANDOTP;
	return IO_AUTO;
}

static bool
io_is_blank(const uint8_t *b, size_t len)
{
	size_t i;

	for (i = io_skip_bom(b, len); i < len; i++)
		if (!io_is_space(b[i]))
			return false;
	return true;
}

int
io_import(const uint8_t *buf, size_t len, enum io_format fmt, io_pass_fn pass,
	  void *pass_arg, struct io_list *out, struct mfa_err *err)
{
	struct io_list tmp;
	const char *what;
	bool guessed = false;
	int rc;

	io_list_begin(&tmp, out);
	if (err != NULL)
		err->why[0] = '\0';
	io_json_secure_init();
	if (fmt == IO_AUTO && (fmt = io_detect(buf, len)) == IO_AUTO) {
		json_t *j;
		size_t i = 0;

		while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
				   buf[i] == '\r' || buf[i] == '\n'))
			i++;
		/* Broken JSON says where it broke, not "unrecognised". */
		if (i < len && (buf[i] == '{' || buf[i] == '[')) {
			if ((j = io_json_load(buf, len, JSON_ALLOW_NUL, err)) ==
			    NULL)
				return MFA_EPARSE;
			json_decref(j);
			mfa_err_why(err,
				    "JSON, but not from Aegis, andOTP, 2FAS "
				    "or mfa");
			return MFA_EFORMAT;
		}
		if ((what = io_foreign_what(buf, len)) != NULL)
			mfa_err_why(err, "unrecognised format (%s)", what);
		else
			mfa_err_why(err, "%s",
				    io_is_blank(buf, len)
					? "empty input"
					: "unrecognised format");
		return MFA_EFORMAT;
	}
	if ((rc = io_lazy_need(fmt, err)) != 0)
		return rc;
	guessed = fmt == IO_ANDOTP && !andotp_sniff(buf, len);
	switch (fmt) {
	case IO_URI:
	case IO_GOOGLE:
		/* One reader for both: a Google export is a list of URIs too.
		 */
		rc = urilist_import(buf, len, &tmp, err);
		break;
	case IO_AEGIS:
		rc = aegis_import(buf, len, pass, pass_arg, &tmp, err);
		break;
	case IO_ANDOTP:
		rc = andotp_import(buf, len, pass, pass_arg, &tmp, err);
		/* Only the password could tell the old layout from noise. */
		if (rc == MFA_EDECRYPT && guessed)
			mfa_err_why(err,
				    "wrong password, or not an andOTP backup "
				    "(a binary file of no format mfa "
				    "recognises; an old andOTP backup looks "
				    "like this)");
		break;
	case IO_TWOFAS:
		rc = twofas_import(buf, len, pass, pass_arg, &tmp, err);
		break;
	case IO_AWS_SEED:
		rc = awsseed_import(buf, len, &tmp, err);
		break;
	case IO_JSON:
		rc = mfajson_import(buf, len, &tmp, err);
		break;
	case IO_IMAGE:
		mfa_err_why(err, "an image: read its QR code first");
		return MFA_EFORMAT;
	default:
		mfa_err_why(err, "unknown format %d", (int)fmt);
		return MFA_EINVAL;
	}
	rc = io_list_end(out, &tmp, rc, err);
	if (rc != 0 && err != NULL && err->why[0] == '\0')
		mfa_err_why(err, "%s", mfa_strerror(rc));
	return rc;
}
