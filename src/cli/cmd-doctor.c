/*
 * mfa doctor: the things that make codes fail or secrets leak without mfa
 * being at fault, one line each, with the fix: a clock that is not kept
 * in time (most "wrong code" reports are clocks), a vault that others can
 * read, an unlock cache the kernel refuses, a missing AWS CLI, a library
 * that does not load. Exit 0 when all is well, CLI_FINDINGS (4) when a
 * check failed. It needs no passphrase and changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include "lazy/jansson.h"
#include <keyutils.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/hygiene.h"
#include "cli/cli.h"
#include "cli/cmd-aws.h"
#include "cli/lazy_curses.h"
#include "fido/fido2.h"
#include "io/lazy_crypto.h"
#include "io/lazy_protobuf.h"
#include "qr/lazy_jpeg.h"
#include "qr/lazy_png.h"
#include "qr/lazy_qrencode.h"
#include "qr/zbarapi.h"

/* Seconds of difference with AWS's clock that do no harm yet. */
#define DOCTOR_SKEW_OK 10
/* How long timedatectl may take (it asks systemd over D-Bus). */
#define DOCTOR_TOOL_MS 5000

enum doc_status { DOC_OK, DOC_INFO, DOC_FAIL };

struct doctor {
	unsigned failed;
};

static const struct mfa_opt cmd_doctor_opts[] = {
    OPT_FLAG(OPT_AWS, "aws", 0,
	     "also compare the clock with AWS's (the Date of an STS answer)"),
    AWS_PROFILE_OPTS,
    OPT_END,
};

static void doctor_say(struct doctor *d, enum doc_status st, const char *what,
		       const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
doctor_say(struct doctor *d, enum doc_status st, const char *what,
	   const char *fix, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* Paths and the AWS CLI's words may hold anything. */
	otp_label_clean(text);
	if (st == DOC_FAIL)
		d->failed++;
	printf("%-4s  %-12s %s%s%s\n",
	       st == DOC_OK	? "ok"
	       : st == DOC_INFO ? "--"
				: "FAIL",
	       what, text, st == DOC_FAIL && fix ? "; fix: " : "",
	       st == DOC_FAIL && fix ? fix : "");
}

/* --- the clock ------------------------------------------------------------ */

static void
doctor_kernel_clock(struct doctor *d)
{
	struct timex tx;
	int st;

	memset(&tx, 0, sizeof(tx)); /* modes 0: read only */
	if ((st = adjtimex(&tx)) < 0) {
		doctor_say(d, DOC_INFO, "clock", NULL,
			   "cannot read the kernel's clock state (adjtimex: "
			   "%s)",
			   strerror(errno));
		return;
	}
	if (tx.status & STA_UNSYNC)
		doctor_say(d, DOC_FAIL, "clock",
			   "start a time service (timedatectl set-ntp true, "
			   "or install chrony or systemd-timesyncd)",
			   "the kernel says the system clock is not "
			   "synchronised (adjtimex: STA_UNSYNC, max error "
			   "%.1f s)",
			   (double)tx.maxerror / 1e6);
	else
		doctor_say(d, DOC_OK, "clock", NULL,
			   "the kernel says the system clock is synchronised "
			   "(max error %.3f s)",
			   (double)tx.maxerror / 1e6);
}

/*
 * Run argv (no shell) and keep the first line of its stdout; its exit
 * status in *status (-1 when it could not run or was stopped).
 */
static int
doctor_capture(char *const argv[], char *out, size_t len, int *status)
{
	posix_spawn_file_actions_t fa;
	struct pollfd pfd;
	size_t n = 0;
	char **env;
	ssize_t r;
	int p[2], st, rc = 0;
	pid_t pid;

	*status = -1;
	out[0] = '\0';
	if ((env = util_child_env()) == NULL)
		return MFA_ENOMEM;
	if (pipe2(p, O_CLOEXEC) != 0) {
		util_free_env(env);
		return MFA_EIO;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
					 O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	st = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	util_free_env(env);
	close(p[1]);
	if (st != 0) {
		close(p[0]);
		return st == ENOENT ? MFA_ENOENT : MFA_EIO;
	}
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (poll(&pfd, 1, DOCTOR_TOOL_MS) > 0 && n + 1 < len &&
	       (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(p[0]);
	/* Still running after the time given: stopped. */
	if (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		rc = MFA_ETIME;
	} else if (WIFEXITED(st)) {
		*status = WEXITSTATUS(st);
	}
	return rc;
}

static void
doctor_timedatectl(struct doctor *d)
{
	char *const argv[] = {(char *)"timedatectl", (char *)"show",
			      (char *)"-p",	     (char *)"NTPSynchronized",
			      (char *)"--value",     NULL};
	char out[64];
	int st, rc;

	rc = doctor_capture(argv, out, sizeof(out), &st);
	if (rc == MFA_ENOENT)
		return; /* no systemd tools: the kernel's word stands */
	if (rc != 0 || st != 0 || out[0] == '\0')
		doctor_say(d, DOC_INFO, "timedatectl", NULL,
			   "cannot ask systemd (not running here?): the "
			   "kernel's word above stands");
	else if (strcmp(out, "yes") == 0)
		doctor_say(d, DOC_OK, "timedatectl", NULL,
			   "NTPSynchronized=yes");
	else
		doctor_say(d, DOC_FAIL, "timedatectl",
			   "timedatectl set-ntp true (and see 'timedatectl "
			   "timesync-status')",
			   "NTPSynchronized=%s: no time service has set the "
			   "clock",
			   out);
}

static void
doctor_offset_var(struct doctor *d)
{
	const char *s = getenv("MFA_TIME_OFFSET");
	int64_t v;

	if (s == NULL || s[0] == '\0')
		return;
	if (!util_offset_parse(s, &v))
		doctor_say(d, DOC_FAIL, "time offset",
			   "unset MFA_TIME_OFFSET, or set it to a whole "
			   "number of seconds such as -90",
			   "MFA_TIME_OFFSET='%.40s' is not a number of "
			   "seconds: every other command refuses to run",
			   s);
	else
		doctor_say(d, DOC_INFO, "time offset", NULL,
			   "MFA_TIME_OFFSET=%+lld: codes use the system clock "
			   "%+lld s",
			   (long long)v, (long long)v);
}

static void
doctor_aws_clock(struct doctor *d, struct aws_ctx *x)
{
	struct aws_clock c;
	int64_t have = util_offset(), left;
	char fix[256];
	int rc;

	if ((rc = aws_clock(x, &c)) != 0) {
		doctor_say(d, DOC_FAIL, "AWS clock",
			   "check the network and the AWS CLI's settings, or "
			   "leave out --aws",
			   "cannot get the time from AWS: %s",
			   mfa_err_text(&x->err, rc));
		return;
	}
	left = c.offset - have;
	snprintf(fix, sizeof(fix),
		 "set the system clock right (timedatectl set-ntp true, or "
		 "chronyc makestep); until then export MFA_TIME_OFFSET=%lld",
		 (long long)c.offset);
	if (left <= -DOCTOR_SKEW_OK || left >= DOCTOR_SKEW_OK) {
		if (have != 0)
			doctor_say(d, DOC_FAIL, "AWS clock", fix,
				   "AWS's clock is %+lld s from ours; with "
				   "MFA_TIME_OFFSET=%+lld codes are still "
				   "%+lld s off",
				   (long long)c.offset, (long long)have,
				   (long long)left);
		else
			doctor_say(
			    d, DOC_FAIL, "AWS clock", fix,
			    "AWS's clock is %lld s %s ours: codes "
			    "will fail",
			    (long long)(c.offset < 0 ? -c.offset : c.offset),
			    c.offset < 0 ? "behind" : "ahead of");
	} else if (have != 0) {
		doctor_say(d, DOC_OK, "AWS clock", NULL,
			   "AWS's clock is %+lld s from ours, and "
			   "MFA_TIME_OFFSET=%+lld makes up for it",
			   (long long)c.offset, (long long)have);
	} else {
		doctor_say(d, DOC_OK, "AWS clock", NULL,
			   "AWS's clock and ours agree%s (%+lld s, the "
			   "Date of an STS answer)",
			   c.offset == 0 ? " within a second" : " closely",
			   (long long)c.offset);
	}
}

/* --- the vault ------------------------------------------------------------ */

static void
doctor_file(struct doctor *d, const char *what, const char *path, bool dir,
	    bool needed)
{
	char fix[PATH_MAX + 64];
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT && !needed)
			return;
		if (errno == ENOENT)
			doctor_say(d, DOC_FAIL, what,
				   "'mfa init' makes one (or name yours with "
				   "--vault or $MFA_VAULT)",
				   "no vault at %s", path);
		else
			doctor_say(d, DOC_FAIL, what, NULL, "%s: %s", path,
				   strerror(errno));
		return;
	}
	if (st.st_uid != geteuid()) {
		snprintf(fix, sizeof(fix),
			 "chown %ld '%s' (or use a vault of "
			 "your own)",
			 (long)geteuid(), path);
		doctor_say(d, DOC_FAIL, what, fix,
			   "%s belongs to uid %ld, not to you (uid %ld)", path,
			   (long)st.st_uid, (long)geteuid());
	} else if (st.st_mode & 077) {
		snprintf(fix, sizeof(fix), "chmod %s '%s'", dir ? "700" : "600",
			 path);
		doctor_say(d, DOC_FAIL, what, fix,
			   "%s is mode %04o: %s can %s it", path,
			   (unsigned)(st.st_mode & 07777),
			   (st.st_mode & 007) ? "everyone" : "your group",
			   (st.st_mode & 022)	? "change"
			   : (st.st_mode & 044) ? "read"
						: "enter");
	} else {
		doctor_say(d, DOC_OK, what, NULL, "%s is yours, mode %04o",
			   path, (unsigned)(st.st_mode & 07777));
	}
}

static void
doctor_vault(struct doctor *d, struct mfa_ctx *ctx)
{
	const char *path = unlock_path(ctx);
	char *copy, bak[PATH_MAX + 8];

	if (path == NULL) {
		doctor_say(d, DOC_FAIL, "vault",
			   "set HOME, or name the vault with --vault or "
			   "$MFA_VAULT",
			   "no vault path (no HOME, MFA_VAULT or --vault)");
		return;
	}
	doctor_file(d, "vault", path, false, true);
	if ((copy = strdup(path)) != NULL) {
		char *slash = strrchr(copy, '/');

		if (slash == copy)
			slash[1] = '\0';
		else if (slash != NULL)
			*slash = '\0';
		else
			snprintf(copy, strlen(copy) + 1, ".");
		doctor_file(d, "vault folder", copy, true, false);
		free(copy);
	}
	snprintf(bak, sizeof(bak), "%s.bak", path);
	doctor_file(d, "vault backup", bak, false, false);
}

static void
doctor_cache(struct doctor *d, const struct mfa_ctx *ctx)
{
	unsigned ttl = ctx->no_cache ? 0 : unlock_ttl();
	const char *where;
	int err;

	if (ttl == 0) {
		doctor_say(d, DOC_INFO, "unlock cache", NULL,
			   "off (MFA_CACHE_TTL=0 or --no-cache): every command "
			   "asks for the passphrase");
		return;
	}
	if (vault_cache_probe(&where, &err) != 0)
		doctor_say(d, DOC_FAIL, "unlock cache",
			   "run mfa in a session with a keyring (keyctl "
			   "session), allow keyctl in the container (Docker's "
			   "default seccomp profile denies it), or set "
			   "MFA_CACHE_TTL=0",
			   "the kernel refuses a key in the %s (%s): every "
			   "command will ask for the passphrase",
			   where != NULL ? where : "keyring", strerror(err));
	else
		doctor_say(d, DOC_OK, "unlock cache", NULL,
			   "the %s takes keys; a passphrase is good for %u s "
			   "(MFA_CACHE_TTL)",
			   where, ttl);
}

/* --- the AWS CLI and the libraries ---------------------------------------- */

static void
doctor_aws(struct doctor *d, const struct mfa_args *a, bool clock)
{
	const char *cli = getenv("MFA_AWS_CLI");
	struct aws_ctx x;
	char ver[256];
	char **env;
	int rc;

	if ((env = util_child_env()) == NULL)
		return;
	rc = aws_ctx_init(&x, cli, env);
	util_free_env(env);
	if (rc != 0) {
		if (cli != NULL && cli[0] != '\0')
			doctor_say(d, DOC_FAIL, "aws CLI",
				   "point MFA_AWS_CLI at the AWS CLI, or unset "
				   "it to use 'aws' in PATH",
				   "MFA_AWS_CLI: %s", x.err.why);
		else
			doctor_say(d, DOC_FAIL, "aws CLI",
				   "install it (Debian: apt install awscli) or "
				   "set MFA_AWS_CLI to its path",
				   "the AWS CLI ('aws') is not in PATH: the "
				   "mfa aws commands cannot work");
		if (clock)
			doctor_say(d, DOC_FAIL, "AWS clock",
				   "install the AWS CLI first",
				   "cannot ask AWS the time without the AWS "
				   "CLI");
		aws_ctx_free(&x);
		return;
	}
	x.profile = args_get(a, OPT_PROFILE);
	x.region = args_get(a, OPT_REGION);
	if ((rc = aws_cli_version(&x, ver, sizeof(ver))) != 0)
		doctor_say(d, DOC_FAIL, "aws CLI",
			   "reinstall it (Debian: apt install awscli), or set "
			   "MFA_AWS_CLI to one that works",
			   "%s does not run as the AWS CLI: %s", x.cli,
			   mfa_err_text(&x.err, rc));
	else
		doctor_say(d, DOC_OK, "aws CLI", NULL, "%s (%s)", x.cli, ver);
	if (clock && rc == 0)
		doctor_aws_clock(d, &x);
	aws_ctx_free(&x);
}

/* The libraries mfa opens on first use: each one loads, or the package
 * that brings it. */
static void
doctor_libs(struct doctor *d)
{
	static const struct {
		const char *name, *needed_by;
		int (*load)(const char **why);
	} libs[] = {
	    {"jansson", "JSON (list --json, imports, aws)", lazy_jansson_load},
	    {"libcrypto", "encrypted Aegis, andOTP and 2FAS files",
	     lazy_crypto_load},
	    {"protobuf-c", "Google Authenticator exports", lazy_protobuf_load},
	    {"libpng", "QR images and show --png", lazy_png_load},
	    {"libjpeg", "JPEG QR images", lazy_jpeg_load},
	    {"libqrencode", "show --qr/--png, export --qr", lazy_qrencode_load},
	    {"ncursesw", "watch", lazy_curses_load},
	    {"libfido2", "security keys (slot add --fido2)", fido2_load},
	};
	const char *why = NULL;
	size_t i;

	doctor_say(d, DOC_INFO, "libraries", NULL,
		   "linked: libsodium %s, libkeyutils %s",
		   sodium_version_string(), keyutils_version_string);
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		why = NULL;
		if (libs[i].load(&why) != 0)
			doctor_say(d, DOC_FAIL, libs[i].name,
				   "install the package the message names",
				   "needed for %s: %s", libs[i].needed_by,
				   why != NULL ? why : "cannot be loaded");
		else
			doctor_say(d, DOC_OK, libs[i].name, NULL,
				   "loads (for %s)", libs[i].needed_by);
	}
	why = NULL;
	if (zbarapi_load(&why) == NULL)
		doctor_say(d, DOC_FAIL, "libzbar",
			   "install it (Debian: apt install libzbar0)",
			   "cannot be loaded, so QR images cannot be "
			   "imported: %s",
			   why != NULL ? why : "unknown reason");
	else
		doctor_say(d, DOC_OK, "libzbar", NULL,
			   "loads (QR images can be imported)");
}

static int
cmd_doctor_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct doctor d = {0};

	/* A bad $MFA_TIME_OFFSET is reported below, not an error here. */
	ctx->what[0] = '\0';
	ctx->err.why[0] = '\0';
	ctx->err.rc = 0;
	doctor_kernel_clock(&d);
	doctor_timedatectl(&d);
	doctor_offset_var(&d);
	doctor_vault(&d, ctx);
	doctor_cache(&d, ctx);
	doctor_aws(&d, a, args_has(a, OPT_AWS));
	doctor_libs(&d);
	if (fflush(stdout) != 0)
		return cli_fail(ctx, MFA_EIO, "cannot write output");
	return d.failed > 0 ? CLI_FINDINGS : 0;
}

const struct mfa_cmd cmd_doctor_entry = {
    .name = "doctor",
    .summary = "check the clock, the vault's permissions, the keyring, aws",
    .help = "Checks, one line each with the fix: the system clock's "
	    "synchronisation (the\nkernel's adjtimex state, timedatectl's "
	    "NTPSynchronized where there is one),\nand with --aws its offset "
	    "from AWS's clock (the Date of an STS answer; no\ncredentials "
	    "needed); $MFA_TIME_OFFSET; the vault's and its folder's owner "
	    "and\npermissions; whether the unlock cache's keyring takes keys; "
	    "the AWS CLI and\nits version; the libraries in use. Needs no "
	    "passphrase. Exit 0 when all is\nwell, 4 when a check failed.",
    .opts = cmd_doctor_opts,
    .flags = CMD_CLOCK_CHECK,
    .exec = cmd_doctor_exec,
};
