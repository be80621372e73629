/*
 * mfa import: bring accounts in from QR images and other authenticators'
 * files. The format is found from the content, never the file name. One
 * import is one transaction: every file is read and decoded first, and the
 * vault changes only if all of them succeeded. Accounts whose type and
 * secret are already in the vault are skipped and reported, so running an
 * import twice is harmless.
 */
#include <errno.h>
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
    {"format", 'f', "FORMAT",
     "uri, google, aegis, andotp, 2fas, aws-seed, "
     "json or image (default: detect)"},
    {"dry-run", 'n', NULL, "show what would be imported; change nothing"},
    {"name", 0, "NAME", "account name (needed for an AWS seed file)"},
    {"issuer", 0, "S", "issuer for a single imported account"},
    {"serial", 0, "ARN", "AWS MFA device serial for a single account"},
    {"import-passphrase-fd", 0, "N", "read the file's password from fd N"},
    {NULL, 0, NULL, NULL},
};

struct import_pass {
	struct mfa_ctx *ctx;
	const char *file;
};

struct import_job {
	struct io_list *list;
	char *skip; /* per entry: 0, 'v' in the vault, 'i' twice in import */
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
	char why[IO_WHY_MAX], qwhy[128] = "";
	size_t i, ok = 0;
	int rc, last = MFA_ENOQR;

	memset(&t, 0, sizeof(t));
	if ((rc = qr_decode_image(buf, len, &t, qwhy)) != 0) {
		if (qwhy[0] != '\0')
			return cli_failx(ctx, rc, "file %s: %s", file, qwhy);
		return cli_fail(ctx, rc, "file %s", file);
	}
	for (i = 0; i < t.n; i++) {
		why[0] = '\0';
		rc = io_import((const uint8_t *)t.text[i], t.len[i], IO_AUTO,
			       NULL, NULL, out, why);
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
		return cli_failx(ctx, last, "file %s: QR code: %s", file,
				 why[0] ? why : mfa_strerror(last));
	}
	return 0;
}

static int
import_file(struct mfa_ctx *ctx, const char *file, enum io_format fmt,
	    struct io_list *out)
{
	struct import_pass p = {ctx, file};
	char why[IO_WHY_MAX] = "";
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = import_read(file, &buf, &len)) != 0)
		return cli_fail(ctx, rc, "file %s", file);
	if (fmt == IO_IMAGE || (fmt == IO_AUTO && qr_is_image(buf, len)))
		rc = import_image(ctx, file, buf, len, out);
	else if ((rc = io_import(buf, len, fmt, import_pass_cb, &p, out, why)))
		/* A failed password prompt has already said what failed. */
		rc = ctx->msg[0] != '\0' ? rc
		     : why[0] != '\0'
			 ? cli_failx(ctx, rc, "file %s: %s", file, why)
			 : cli_fail(ctx, rc, "file %s", file);
	sodium_free(buf);
	return rc;
}

static bool
import_same(const struct otp_params *p, const uint8_t *s, size_t n,
	    const struct otp_params *q, const uint8_t *t, size_t m)
{
	return p->type == q->type && n == m && sodium_memcmp(s, t, n) == 0;
}

static void
import_mark(const struct vault_data *d, struct import_job *j)
{
	size_t i, k;

	for (i = 0; i < j->list->n; i++) {
		const struct io_entry *e = &j->list->v[i];

		j->skip[i] = 0;
		for (k = 0; d != NULL && k < d->n_entries && !j->skip[i]; k++)
			if (import_same(&e->p, e->secret, e->secret_len,
					&d->entries[k].p, d->entries[k].secret,
					d->entries[k].secret_len))
				j->skip[i] = 'v';
		/* The same account twice in one import: keep the first. */
		for (k = 0; k < i && !j->skip[i]; k++)
			if (import_same(&e->p, e->secret, e->secret_len,
					&j->list->v[k].p, j->list->v[k].secret,
					j->list->v[k].secret_len))
				j->skip[i] = 'i';
	}
}

static int
import_edit(struct vault_data *d, void *arg)
{
	struct import_job *j = arg;
	struct vault_entry ve;
	size_t i;
	int rc;

	/* Re-check against the data as it is under the lock. */
	import_mark(d, j);
	j->added = 0;
	for (i = 0; i < j->list->n; i++) {
		const struct io_entry *e = &j->list->v[i];

		if (j->skip[i])
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

	if (!args_has(a, "name") && !args_has(a, "issuer") &&
	    !args_has(a, "serial")) {
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
	if ((s = args_get(a, "name")) != NULL)
		rc = vault_entry_set_str(&e->name, s);
	if (rc == 0 && (s = args_get(a, "issuer")) != NULL)
		rc = vault_entry_set_str(&e->issuer, s);
	if (rc == 0 && (s = args_get(a, "serial")) != NULL) {
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

static int
cmd_import_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct io_list list;
	struct import_job j;
	enum io_format fmt = IO_AUTO;
	struct vault *v = NULL;
	bool dry = args_has(a, "dry-run");
	int i, rc = 0;
	size_t k, nskip = 0;

	if (args_has(a, "format") &&
	    io_format_parse(args_get(a, "format"), &fmt) != 0)
		return cli_usage(ctx, "unknown format '%s'",
				 args_get(a, "format"));
	memset(&list, 0, sizeof(list));
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
	j.now = util_now();
	if ((j.skip = calloc(list.n + 1, 1)) == NULL) {
		io_list_free(&list);
		return cli_fail(ctx, MFA_ENOMEM, "import");
	}
	/* A dry run works without a vault too: then nothing is a duplicate. */
	if (!dry || access(unlock_path(ctx), F_OK) == 0)
		rc = unlock_vault(ctx, &v);
	if (rc == 0) {
		import_mark(v ? vault_data(v) : NULL, &j);
		if (!dry)
			rc = vault_update(v, import_edit, &j);
		if (rc != 0 && ctx->msg[0] == '\0')
			rc = cli_fail(ctx, rc, "vault %s", vault_path(v));
	}
	for (k = 0; rc == 0 && k < list.n; k++) {
		const struct io_entry *e = &list.v[k];

		if (j.skip[k]) {
			nskip++;
			fprintf(stderr, "skipped %s (%s)\n",
				util_label(e->issuer, e->name),
				j.skip[k] == 'v' ? "already in the vault"
						 : "twice in this import");
		} else {
			printf("%s %s (%s)\n",
			       dry ? "would import" : "imported",
			       util_label(e->issuer, e->name),
			       otp_type_name(e->p.type));
		}
	}
	fflush(stdout);
	if (rc == 0)
		fprintf(stderr, "%s %zu account%s, skipped %zu\n",
			dry ? "would import" : "imported", list.n - nskip,
			list.n - nskip == 1 ? "" : "s", nskip);
	free(j.skip);
	io_list_free(&list);
	return rc;
}

const struct mfa_cmd cmd_import_entry = {
    .name = "import",
    .usage = "[-f FORMAT] [--dry-run] [--name NAME] [--serial ARN] FILE...|-",
    .summary = "import QR images and other authenticators' exports",
    .help = "Formats, found from the content: QR images (PNG, JPEG, PPM/PGM)"
	    "; otpauth://\nURI lists; Google Authenticator "
	    "otpauth-migration:// exports; Aegis, andOTP\nand 2FAS backups, "
	    "plain or encrypted; AWS Base32StringSeed files (need --name);\n"
	    "mfa's own JSON export. Nothing is saved unless every file "
	    "imports.",
    .opts = cmd_import_opts,
    .min_args = 1,
    .max_args = -1,
    .exec = cmd_import_exec,
};
