/*
 * mfa import: bring accounts in from QR images and other authenticators'
 * files. The format is found from the content, never the file name. One
 * import is one transaction: every file is read and decoded first, and the
 * vault changes only if all of them succeeded. With --skip-unsupported an
 * entry that cannot be imported (an mOTP account in an Aegis backup) is left
 * out and named instead of failing its file, and the exit status is 4.
 * An account whose type, secret, issuer and name are already in the vault is
 * skipped and reported, so running an import twice is harmless; the same
 * secret under another name is imported with a warning.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/io.h"
#include "qr/decode.h"

#define IMPORT_FILE_MAX (64u * 1024u * 1024u)

static const struct mfa_opt cmd_import_opts[] = {
    OPT_WORDS(OPT_FORMAT, "format", 'f', "FORMAT",
	      "uri google aegis andotp 2fas aws-seed json image",
	      "uri, google, aegis, andotp, 2fas, aws-seed, "
	      "json or image (default: detect)"),
    OPT_FLAG(OPT_DRY_RUN, "dry-run", 'n',
	     "show what would be imported; change nothing"),
    OPT_ARG(OPT_NAME, "name", 0, "NAME", VAL_TEXT,
	    "account name (needed for an AWS seed file)"),
    OPT_ARG(OPT_ISSUER, "issuer", 0, "S", VAL_TEXT,
	    "issuer for a single imported account"),
    OPT_ARG(OPT_SERIAL, "serial", 0, "ARN", VAL_TEXT,
	    "AWS MFA device serial for a single account"),
    OPT_ARG(OPT_IMPORT_PASSPHRASE_FD, "import-passphrase-fd", 0, "N",
	    VAL_NUMBER, "read the file's password from fd N"),
    OPT_FLAG(OPT_SKIP_UNSUPPORTED, "skip-unsupported", 0,
	     "leave out entries that cannot be imported, import the rest "
	     "(exit 4)"),
    OPT_END,
};

struct import_pass {
	struct mfa_ctx *ctx;
	const char *file;
};

/* What import_mark found for one imported entry. */
struct import_mark {
	char skip;   /* 0, 'v' already in the vault, 'i' twice in this import */
	char shares; /* 0, or 'v'/'i': another account has its secret... */
	char *with;  /* ...this one ("issuer:name", malloc'd) */
};

struct import_job {
	struct io_list *list;
	struct import_mark *mark;
	size_t added;
	int64_t now;
};

static int
import_read(const char *path, uint8_t **out, size_t *len)
{
	char *buf;
	int fd, rc;
	struct stat st;

	if (strcmp(path, "-") == 0)
		return secret_read_fd(STDIN_FILENO, IMPORT_FILE_MAX,
				      (char **)out, len);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? MFA_ENOENT : MFA_EIO;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return MFA_EISDIR;
	}
	rc = secret_read_fd(fd, IMPORT_FILE_MAX, &buf, len);
	close(fd);
	if (rc == 0)
		*out = (uint8_t *)buf;
	return rc;
}

static int
import_pass_cb(void *arg, char **pass, size_t *len)
{
	struct import_pass *p = arg;
	char prompt[512];

	snprintf(prompt, sizeof(prompt), "Password of %s: ", p->file);
	return pass_get(p->ctx, PASS_IMPORT, prompt, pass, len);
}

/* Every QR code of an image is a candidate; those that hold no account
 * (a web link next to the code) are passed over. */
static int
import_image(struct mfa_ctx *ctx, const char *file, const uint8_t *buf,
	     size_t len, struct io_list *out)
{
	struct qr_texts t;
	struct mfa_err e = {0}, qe = {0};
	size_t i, ok = 0;
	int rc, last = MFA_ENOQR;

	memset(&t, 0, sizeof(t));
	if ((rc = qr_decode_image(buf, len, &t, &qe)) != 0) {
		ctx->err = qe;
		return cli_fail(ctx, rc, "file %s", file);
	}
	for (i = 0; i < t.n; i++) {
		e.why[0] = '\0';
		rc = io_import((const uint8_t *)t.text[i], t.len[i], IO_AUTO,
			       NULL, NULL, out, &e);
		if (rc == 0)
			ok++;
		else
			last = rc;
	}
	qr_texts_free(&t);
	if (ok == 0) {
		if (last == MFA_EFORMAT)
			return cli_failx(ctx, MFA_ENOQR,
					 "file %s: its QR code "
					 "holds no otpauth or migration URI",
					 file);
		return cli_failx(ctx, last, "file %s: QR code: %s%s", file,
				 mfa_err_text(&e, last),
				 out->entry_failed ? " (--skip-unsupported "
						     "imports the others)"
						   : "");
	}
	return 0;
}

static int
import_file(struct mfa_ctx *ctx, const char *file, enum io_format fmt,
	    struct io_list *out)
{
	struct import_pass p = {ctx, file};
	struct mfa_err e = {0};
	uint8_t *buf = NULL;
	size_t len = 0, skipped = out->nskipped;
	int rc;

	if ((rc = import_read(file, &buf, &len)) != 0)
		return cli_fail(ctx, rc, "file %s", file);
	out->entry_failed = false;
	if (fmt == IO_IMAGE || (fmt == IO_AUTO && qr_is_image(buf, len)))
		rc = import_image(ctx, file, buf, len, out);
	else if ((rc = io_import(buf, len, fmt, import_pass_cb, &p, out, &e)))
		/* A failed password prompt has already said what failed. */
		rc = cli_failed(ctx) ? rc
		     : out->entry_failed
			 ? cli_failx(ctx, rc,
				     "file %s: %s (--skip-unsupported "
				     "imports the others)",
				     file, mfa_err_text(&e, rc))
			 : (ctx->err = e, cli_fail(ctx, rc, "file %s", file));
	sodium_free(buf);
	if (rc == 0 && (rc = io_list_prefix_skips(out, skipped, file)) != 0)
		rc = cli_fail(ctx, rc, "import");
	return rc;
}

/*
 * Duplicates in O(n log n): every account, in the vault and in the import,
 * gets a BLAKE2b hash of its type and secret under a key drawn for this run
 * alone (no value derived from a secret is kept, or could be compared with
 * another run's), and one sort by (hash, issuer, name, vault first) puts
 * the copies of an account next to each other.
 */
struct import_key {
	uint8_t h[16];
	const char *issuer, *name;
	const uint8_t *secret;
	size_t secret_len;
	size_t idx;
	bool vault;
};

static int
import_key_cmp(const void *a, const void *b)
{
	const struct import_key *x = a, *y = b;
	int c;

	if ((c = memcmp(x->h, y->h, sizeof(x->h))) != 0 ||
	    (c = strcmp(x->issuer, y->issuer)) != 0 ||
	    (c = strcmp(x->name, y->name)) != 0)
		return c;
	if (x->vault != y->vault)
		return x->vault ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
import_key_set(struct import_key *k, const uint8_t *key,
	       const struct otp_params *p, const uint8_t *secret, size_t len)
{
	crypto_generichash_state st;
	uint8_t type = (uint8_t)p->type;

	crypto_generichash_init(&st, key, crypto_generichash_KEYBYTES,
				sizeof(k->h));
	crypto_generichash_update(&st, &type, 1);
	crypto_generichash_update(&st, secret, len);
	crypto_generichash_final(&st, k->h, sizeof(k->h));
	sodium_memzero(&st, sizeof(st));
	k->secret = secret;
	k->secret_len = len;
}

/* The hash says so; the bytes confirm it (a collision would not). */
static bool
import_same_secret(const struct import_key *a, const struct import_key *b)
{
	return memcmp(a->h, b->h, sizeof(a->h)) == 0 &&
	       a->secret_len == b->secret_len &&
	       sodium_memcmp(a->secret, b->secret, a->secret_len) == 0;
}

static void
import_unmark(struct import_job *j)
{
	size_t i;

	for (i = 0; i < j->list->n; i++)
		free(j->mark[i].with);
	memset(j->mark, 0, (j->list->n + 1) * sizeof(*j->mark));
}

static int
import_mark(const struct vault_data *d, struct import_job *j)
{
	size_t nv = d != NULL ? d->n_entries : 0, n = j->list->n, i, g;
	struct import_key *k, *x, *o;
	uint8_t *key;
	int rc = 0;

	import_unmark(j);
	if (n == 0)
		return 0;
	if ((key = sodium_malloc(crypto_generichash_KEYBYTES)) == NULL)
		return MFA_ENOMEM;
	if ((k = calloc(nv + n, sizeof(*k))) == NULL) {
		sodium_free(key);
		return MFA_ENOMEM;
	}
	crypto_generichash_keygen(key);
	for (i = 0; i < nv; i++) {
		const struct vault_entry *e = &d->entries[i];

		import_key_set(&k[i], key, &e->p, e->secret, e->secret_len);
		k[i].issuer = e->issuer;
		k[i].name = e->name;
		k[i].idx = i;
		k[i].vault = true;
	}
	for (i = 0; i < n; i++) {
		const struct io_entry *e = &j->list->v[i];

		import_key_set(&k[nv + i], key, &e->p, e->secret,
			       e->secret_len);
		k[nv + i].issuer = e->issuer;
		k[nv + i].name = e->name;
		k[nv + i].idx = i;
	}
	sodium_free(key);
	qsort(k, nv + n, sizeof(*k), import_key_cmp);
	for (i = 0, g = 0; i < nv + n; i++) {
		x = &k[i];
		if (i > 0 && memcmp(k[i - 1].h, x->h, sizeof(x->h)) != 0)
			g = i; /* the first account with this secret */
		if (x->vault)
			continue;
		if (i > g && import_same_secret(&k[i - 1], x) &&
		    strcmp(k[i - 1].issuer, x->issuer) == 0 &&
		    strcmp(k[i - 1].name, x->name) == 0) {
			/* The same account: keep the vault's, or the first. */
			j->mark[x->idx].skip = k[i - 1].vault ? 'v' : 'i';
			continue;
		}
		/* Another account holds this secret: say which. */
		o = g != i && import_same_secret(&k[g], x) ? &k[g]
		    : i + 1 < nv + n && import_same_secret(&k[i + 1], x)
			? &k[i + 1]
			: NULL;
		if (o != NULL) {
			j->mark[x->idx].shares = o->vault ? 'v' : 'i';
			if (asprintf(&j->mark[x->idx].with, "%s%s%s", o->issuer,
				     o->issuer[0] ? ":" : "", o->name) < 0) {
				j->mark[x->idx].with = NULL;
				rc = MFA_ENOMEM;
				break;
			}
		}
	}
	sodium_memzero(k, (nv + n) * sizeof(*k));
	free(k);
	return rc;
}

static int
import_edit(struct vault_data *d, void *arg)
{
	struct import_job *j = arg;
	struct vault_entry ve;
	size_t i;
	int rc;

	/* Against the data as it is under the lock, and only here. */
	if ((rc = import_mark(d, j)) != 0)
		return rc;
	j->added = 0;
	for (i = 0; i < j->list->n; i++) {
		const struct io_entry *e = &j->list->v[i];

		if (j->mark[i].skip)
			continue;
		if ((rc = vault_entry_init_in(d, &ve, j->now)) != 0)
			return rc;
		if ((rc = vault_entry_set_str(&ve.name, e->name)) != 0 ||
		    (rc = vault_entry_set_str(&ve.issuer, e->issuer)) != 0 ||
		    (rc = vault_entry_set_str(&ve.serial, e->serial)) != 0 ||
		    (rc = vault_entry_set_str(&ve.note, e->note)) != 0 ||
		    (rc = vault_entry_set_secret(&ve, e->secret,
						 e->secret_len)) != 0) {
			vault_entry_clear(&ve);
			return rc;
		}
		ve.p = e->p;
		if ((rc = vault_entry_add(d, &ve)) != 0) {
			vault_entry_clear(&ve);
			return rc;
		}
		j->added++;
	}
	return 0;
}

/* --name/--issuer/--serial describe one account: refuse them otherwise. */
static int
import_overrides(struct mfa_ctx *ctx, const struct mfa_args *a,
		 struct io_list *l)
{
	struct io_entry *e;
	const char *s;
	int rc = 0;

	if (!args_has(a, OPT_NAME) && !args_has(a, OPT_ISSUER) &&
	    !args_has(a, OPT_SERIAL)) {
		if (l->n == 1 && l->v[0].name[0] == '\0')
			return cli_failx(ctx, MFA_EINVAL,
					 "file %s: the account has no name: "
					 "give --name NAME (an AWS seed file "
					 "holds only the secret)",
					 a->argv[0]);
		return 0;
	}
	if (l->n != 1)
		return cli_usage(ctx,
				 "--name, --issuer and --serial apply to "
				 "a single account; this import has %zu",
				 l->n);
	e = &l->v[0];
	if ((s = args_get(a, OPT_NAME)) != NULL)
		rc = vault_entry_set_str(&e->name, s);
	if (rc == 0 && (s = args_get(a, OPT_ISSUER)) != NULL)
		rc = vault_entry_set_str(&e->issuer, s);
	if (rc == 0 && (s = args_get(a, OPT_SERIAL)) != NULL) {
		rc = vault_entry_set_str(&e->serial, s);
		/* A device serial means an AWS account, whatever the file. */
		if (rc == 0 && e->issuer[0] == '\0')
			rc = vault_entry_set_str(&e->issuer,
						 "Amazon Web Services");
	}
	if (rc != 0)
		return cli_fail(ctx, rc, "import");
	if (e->name[0] == '\0')
		return cli_usage(ctx, "the account has no name: give --name");
	return 0;
}

/* One line on stderr, with whatever came from a file made harmless. */
static void import_note(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
import_note(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	otp_label_clean(line);
	fprintf(stderr, "%s\n", line);
}

/* What the user should hear about the accounts, once it is done. */
static size_t
import_report(const struct import_job *j, bool dry)
{
	const struct io_list *l = j->list;
	char label[512];
	size_t k, nskip = 0;

	for (k = 0; k < l->n; k++) {
		const struct io_entry *e = &l->v[k];
		const struct import_mark *m = &j->mark[k];

		snprintf(label, sizeof(label), "%s",
			 util_label(e->issuer, e->name));
		if (m->skip) {
			nskip++;
			fprintf(stderr, "skipped %s (%s)\n", label,
				m->skip == 'v' ? "already in the vault"
					       : "twice in this import");
			continue;
		}
		printf("%s %s (%s)\n", dry ? "would import" : "imported", label,
		       otp_type_name(e->p.type));
		if (m->shares)
			import_note("mfa: warning: %s has the same secret as "
				    "%s (%s); imported as another account",
				    label, m->with != NULL ? m->with : "?",
				    m->shares == 'v' ? "in the vault"
						     : "in this import");
		if (e->secret_len * 8 < OTP_SECRET_MIN_BITS)
			fprintf(stderr,
				"mfa: warning: %s: its secret has %zu bits, "
				"fewer than the %d RFC 4226 requires (160 "
				"advised)\n",
				label, e->secret_len * 8, OTP_SECRET_MIN_BITS);
		if (e->repaired)
			fprintf(stderr,
				"mfa: warning: %s: bytes that were not UTF-8 "
				"became U+FFFD\n",
				label);
	}
	for (k = 0; k < l->nskipped; k++)
		import_note("skipped %s", l->skipped[k]);
	return nskip;
}

static int
cmd_import_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct io_list list;
	struct import_job j;
	enum io_format fmt = IO_AUTO;
	struct vault *v = NULL;
	bool dry = args_has(a, OPT_DRY_RUN);
	int i, rc = 0;
	size_t k, nskip;

	if (args_has(a, OPT_FORMAT) &&
	    io_format_parse(args_get(a, OPT_FORMAT), &fmt) != 0)
		return cli_usage(ctx, "unknown format '%s'",
				 args_get(a, OPT_FORMAT));
	memset(&list, 0, sizeof(list));
	list.skip_unsupported = args_has(a, OPT_SKIP_UNSUPPORTED);
	for (i = 0; i < a->argc && rc == 0; i++)
		rc = import_file(ctx, a->argv[i], fmt, &list);
	if (rc == 0)
		rc = import_overrides(ctx, a, &list);
	for (k = 0; rc == 0 && k < list.n; k++)
		rc = secret_check_storable(
		    ctx, &list.v[k].p,
		    util_label(list.v[k].issuer, list.v[k].name));
	if (rc != 0) {
		io_list_free(&list);
		return rc;
	}
	memset(&j, 0, sizeof(j));
	j.list = &list;
	j.now = util_time();
	if ((j.mark = calloc(list.n + 1, sizeof(*j.mark))) == NULL) {
		io_list_free(&list);
		return cli_fail(ctx, MFA_ENOMEM, "import");
	}
	/* A dry run works without a vault too: then nothing is a duplicate. */
	if (!dry || access(unlock_path(ctx), F_OK) == 0)
		rc = unlock_vault(ctx, &v);
	if (rc == 0) {
		/* Duplicates are found once: under the lock, or for show. */
		if (dry)
			rc = import_mark(v ? vault_data(v) : NULL, &j);
		else
			rc = vault_update(v, import_edit, &j);
		if (rc != 0 && !cli_failed(ctx))
			rc = v != NULL
				 ? cli_fail(ctx, rc, "vault %s", vault_path(v))
				 : cli_fail(ctx, rc, "import");
	}
	if (rc == 0) {
		nskip = import_report(&j, dry);
		fflush(stdout);
		fprintf(stderr, "%s %zu account%s, skipped %zu",
			dry ? "would import" : "imported", list.n - nskip,
			list.n - nskip == 1 ? "" : "s", nskip + list.nskipped);
		if (list.nskipped > 0)
			fprintf(stderr, " (%zu could not be imported)",
				list.nskipped);
		fprintf(stderr, "\n");
		/* Scripts can tell "all of it" from "all it could". */
		if (list.nskipped > 0)
			rc = CLI_FINDINGS;
	}
	import_unmark(&j);
	free(j.mark);
	io_list_free(&list);
	return rc;
}

static const struct mfa_pos cmd_import_pos[] = {
    {"FILE", VAL_FILE, NULL, POS_F_REPEAT},
    POS_END,
};

const struct mfa_cmd cmd_import_entry = {
    .name = "import",
    .summary = "import QR images and other authenticators' exports",
    .help = "Formats, found from the content: QR images (PNG, JPEG, PPM/PGM)"
	    "; otpauth://\nURI lists; Google Authenticator "
	    "otpauth-migration:// exports; Aegis, andOTP\nand 2FAS backups, "
	    "plain or encrypted; AWS Base32StringSeed files (need --name);\n"
	    "mfa's own JSON export. Nothing is saved unless every file "
	    "imports;\n--skip-unsupported leaves out (and names) the entries "
	    "that cannot be, and\nexits 4 when it left any out.",
    .opts = cmd_import_opts,
    .pos = cmd_import_pos,
    .exec = cmd_import_exec,
};
