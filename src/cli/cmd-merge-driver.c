/*
 * mfa merge-driver O A B P (hidden): git's merge driver for the vault,
 * set up by `mfa sync init` as merge.mfa.driver. O, A and B are files
 * holding the common, our and their versions (git's temporary files,
 * readable by others: read into memory, never vault_open'd); the merged
 * vault goes to A, written atomically, and git takes it from there.
 *
 * The key comes from the unlock cache, else a passphrase (the usual
 * sources, the terminal last); a child of `mfa sync` never asks, as its
 * parent finishes a merge it cannot do. When the merge is not safe (no
 * key, a modified input, another vault or a newer format, the key slots
 * changed on both sides) A is left as it was, the reason goes to stderr
 * and the exit status is 1: git stops with a conflict that `mfa sync
 * resolve` finishes.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"

static int
cmd_merge_driver_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct sync_buf o = {0}, x = {0}, t = {0};
	struct vault_report rep;
	char cwd[PATH_MAX], vpath[PATH_MAX * 2];
	const char *path = ctx->vault_path, *fail = NULL;
	uint8_t *out = NULL;
	size_t len = 0;
	int rc;

	memset(&rep, 0, sizeof(rep));
	/* Without --vault: the file git is merging, in its work tree. */
	if (path == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return cli_fail(ctx, MFA_EIO, "current folder");
		snprintf(vpath, sizeof(vpath), "%s/%s", cwd, a->argv[3]);
		path = vpath;
	}
	if ((rc = sync_read_file(a->argv[0], &o)) != 0)
		fail = a->argv[0];
	else if ((rc = sync_read_file(a->argv[1], &x)) != 0)
		fail = a->argv[1];
	else if ((rc = sync_read_file(a->argv[2], &t)) != 0)
		fail = a->argv[2];
	if (fail != NULL) {
		rc = cli_fail(ctx, rc, "merge-driver: %s", fail);
		goto out;
	}
	rc = sync_merge_bytes(ctx, path, &o, &x, &t, NULL,
			      getenv("MFA_SYNC_PARENT") == NULL, &out, &len,
			      &rep);
	if (rc == 0 && (rc = vault_file_write(a->argv[1], out, len, 0600)) != 0)
		rc = cli_fail(ctx, rc, "merge-driver: %s", a->argv[1]);
	if (rc == 0) {
		/* What changed is for mfa sync (or git) to tell; the notes
		 * go to stderr, which git shows (stdout is git's). */
		sync_print_report(&rep, false);
	} else if (ctx->err.why[0] != '\0' && ctx->what[0] == '\0') {
		/* One line that says what is left and how to finish. */
		char why[MFA_ERR_MAX];

		snprintf(why, sizeof(why), "%s", ctx->err.why);
		cli_failx(ctx, rc,
			  "cannot merge %s: %s; git keeps the conflict: run "
			  "'mfa sync resolve'",
			  a->argv[3], why);
	}
out:
	if (out != NULL) {
		sodium_memzero(out, len);
		free(out);
	}
	vault_report_free(&rep);
	sync_buf_free(&o);
	sync_buf_free(&x);
	sync_buf_free(&t);
	return rc;
}

static const struct mfa_pos cmd_merge_driver_pos[] = {
    {"BASE", VAL_FILE, NULL, 0},
    {"OURS", VAL_FILE, NULL, 0},
    {"THEIRS", VAL_FILE, NULL, 0},
    {"PATH", VAL_TEXT, NULL, 0},
    POS_END,
};

const struct mfa_cmd cmd_merge_driver_entry = {
    .name = "merge-driver",
    .summary = "git's merge driver for the vault (set up by mfa sync init)",
    .pos = cmd_merge_driver_pos,
    .flags = CMD_HIDDEN,
    .exec = cmd_merge_driver_exec,
};
