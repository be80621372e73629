/*
 * Passphrases, from the first source that is set:
 * --passphrase-fd N, $MFA_PASSPHRASE_FILE (first line),
 * $MFA_PASSPHRASE_COMMAND (first line of its output, run by sh),
 * $MFA_PASSPHRASE (the weakest: visible in /proc/PID/environ to the same
 * user), else /dev/tty with echo off. New passphrases have their own
 * sources and are asked twice on the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"

#define PASS_MAX 4096

void
pass_free(char *pass, size_t len)
{
	(void)len;
	if (pass != NULL)
		sodium_free(pass);
}

bool
tty_available(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Keep the first line only, in place. */
static size_t
pass_first_line(char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\n' || p[i] == '\r')
			break;
	sodium_memzero(p + i, n - i);
	return i;
}

static int
pass_from_fd(int fd, char **out, size_t *len)
{
	int rc = secret_read_fd(fd, PASS_MAX, out, len);

	if (rc == 0)
		*len = pass_first_line(*out, *len);
	return rc;
}

static int
pass_from_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return errno == ENOENT ? MFA_ENOENT : MFA_EIO;
	rc = pass_from_fd(fd, out, len);
	close(fd);
	return rc;
}

/*
 * The command's child: stdout into our pipe, stderr ours (a helper may
 * have something to say), stdin from /dev/null (ours may hold a secret
 * piped to mfa, e.g. `... | mfa add`), and no other descriptor of ours.
 */
static void
pass_command_child(const char *cmd, char **env, int out)
{
	int null, fd;
	long max;

	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
		max = sysconf(_SC_OPEN_MAX);
		for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	signal(SIGPIPE, SIG_DFL);
	execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, env);
	_exit(127);
}

static int
pass_from_command(const char *cmd, char **out, size_t *len)
{
	int fds[2], status, rc;
	char **env;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return MFA_EIO;
	if ((env = util_child_env()) == NULL) {
		close(fds[0]);
		close(fds[1]);
		return MFA_ENOMEM;
	}
	pid = fork();
	if (pid < 0) {
		util_free_env(env);
		close(fds[0]);
		close(fds[1]);
		return MFA_EIO;
	}
	if (pid == 0)
		pass_command_child(cmd, env, fds[1]);
	util_free_env(env);
	close(fds[1]);
	rc = pass_from_fd(fds[0], out, len);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		sodium_free(*out);
		*out = NULL;
		return MFA_ENOPASS;
	}
	return rc;
}

static int
pass_from_string(const char *s, char **out, size_t *len)
{
	size_t n = strlen(s);

	if ((*out = sodium_malloc(n + 1)) == NULL)
		return MFA_ENOMEM;
	memcpy(*out, s, n + 1);
	*len = n;
	return 0;
}

/*
 * Echo is restored whatever ends us at the prompt: a signal from outside
 * (Ctrl-C, kill, a hang-up) or a crash of our own (SIGSEGV, abort()). The
 * handler does only async-signal-safe things (tcsetattr, sigaction, raise)
 * and then lets the signal do what it would have done. Ctrl-Z stops with
 * echo on, and turns it off again when the prompt is resumed.
 */
static struct termios tty_saved, tty_noecho;
static volatile sig_atomic_t tty_saved_fd = -1;
static const int tty_signals[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
				  SIGTSTP, SIGSEGV, SIGBUS,  SIGFPE,
				  SIGILL,  SIGABRT, SIGTRAP, SIGSYS};
#define TTY_NSIG (sizeof(tty_signals) / sizeof(tty_signals[0]))

static void tty_on_signal(int sig);

static void
tty_catch(int sig, struct sigaction *old)
{
	struct sigaction sa, prev;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	/* Once only, and the signal raised again from inside the handler
	 * takes effect at once (a fault would otherwise recur on return). */
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigaction(sig, &sa, &prev);
	/* Ignored by whoever started us (nohup, a background job): it stays
	 * so. */
	if (prev.sa_handler == SIG_IGN)
		sigaction(sig, &prev, NULL);
	if (old != NULL)
		*old = prev;
}

static void
tty_on_signal(int sig)
{
	int saved_errno = errno, fd = tty_saved_fd;

	if (fd >= 0)
		tcsetattr(fd, TCSAFLUSH, &tty_saved);
	/* SA_RESETHAND made the action the default one again. */
	raise(sig);
	/* Only a stop returns here, when we are continued: back to the
	 * prompt, echo off again. */
	if (sig == SIGTSTP && fd >= 0 && tty_saved_fd == fd) {
		tcsetattr(fd, TCSAFLUSH, &tty_noecho);
		tty_catch(SIGTSTP, NULL);
	}
	errno = saved_errno;
}

static void
tty_guard(int fd, struct sigaction old[TTY_NSIG])
{
	size_t i;

	tty_saved_fd = fd;
	for (i = 0; i < TTY_NSIG; i++)
		tty_catch(tty_signals[i], &old[i]);
}

static void
tty_unguard(struct sigaction old[TTY_NSIG])
{
	size_t i;

	for (i = 0; i < TTY_NSIG; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	tty_saved_fd = -1;
}

int
tty_read_secret(const char *prompt, char **out, size_t *len)
{
	struct sigaction oldsig[TTY_NSIG];
	struct termios old, noecho;
	char *buf;
	size_t n = 0;
	ssize_t r;
	char c;
	int fd, echo_off = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return MFA_ENOTTY;
	if ((buf = sodium_malloc(PASS_MAX + 1)) == NULL) {
		close(fd);
		return MFA_ENOMEM;
	}
	if (tcgetattr(fd, &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		noecho.c_lflag |= ICANON;
		tty_saved = old;
		tty_noecho = noecho;
		tty_guard(fd, oldsig);
		echo_off = tcsetattr(fd, TCSAFLUSH, &noecho) == 0;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		/* Nothing to do: the read below still works. */
	}
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if (n < PASS_MAX)
			buf[n++] = c;
	}
	c = 0;
	buf[n] = '\0';
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (tty_saved_fd >= 0)
		tty_unguard(oldsig);
	if (write(fd, "\n", 1) < 0) {
		/* The newline is cosmetic. */
	}
	close(fd);
	if (r < 0) {
		sodium_free(buf);
		return MFA_EIO;
	}
	*out = buf;
	*len = n;
	return 0;
}

void
tty_say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int fd, n;

	if ((fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > 0) {
		if ((size_t)n > sizeof(line) - 2)
			n = sizeof(line) - 2;
		line[n++] = '\n';
		if (write(fd, line, (size_t)n) < 0) {
			/* A notice only: the work goes on without it. */
		}
	}
	close(fd);
}

int
tty_confirm(const char *question)
{
	char ans[16];
	size_t n = 0;
	ssize_t r;
	char c;
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return MFA_ENOTTY;
	if (write(fd, question, strlen(question)) < 0 ||
	    write(fd, " [y/N] ", 7) < 0) {
		close(fd);
		return MFA_EIO;
	}
	while ((r = read(fd, &c, 1)) == 1 && c != '\n')
		if (n < sizeof(ans) - 1)
			ans[n++] = c;
	ans[n] = '\0';
	close(fd);
	return (ans[0] == 'y' || ans[0] == 'Y') ? 0 : MFA_ECANCELED;
}

static int
pass_ask_new(const char *prompt, char **pass, size_t *len)
{
	char *again = NULL;
	size_t alen = 0;
	int rc;

	if ((rc = tty_read_secret(prompt, pass, len)) != 0)
		return rc;
	if ((rc = tty_read_secret("Repeat it: ", &again, &alen)) != 0) {
		sodium_free(*pass);
		return rc;
	}
	if (alen != *len || sodium_memcmp(again, *pass, alen) != 0) {
		sodium_free(again);
		sodium_free(*pass);
		*pass = NULL;
		return MFA_EPASS_MISMATCH;
	}
	sodium_free(again);
	return 0;
}

static const char *
pass_env(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

int
pass_get(struct mfa_ctx *ctx, enum pass_kind kind, const char *prompt,
	 char **pass, size_t *len)
{
	const char *fdstr = NULL, *file, *cmd = NULL, *plain, *v;
	char *end;
	long fd;
	int rc;

	*pass = NULL;
	*len = 0;
	if (kind == PASS_CURRENT) {
		fdstr = args_get(ctx->args, OPT_PASSPHRASE_FD);
		file = pass_env("MFA_PASSPHRASE_FILE");
		cmd = pass_env("MFA_PASSPHRASE_COMMAND");
		plain = pass_env("MFA_PASSPHRASE");
	} else if (kind == PASS_NEW) {
		fdstr = args_get(ctx->args, OPT_NEW_PASSPHRASE_FD);
		file = pass_env("MFA_NEW_PASSPHRASE_FILE");
		plain = pass_env("MFA_NEW_PASSPHRASE");
	} else {
		fdstr = args_get(ctx->args, OPT_IMPORT_PASSPHRASE_FD);
		file = pass_env("MFA_IMPORT_PASSPHRASE_FILE");
		plain = pass_env("MFA_IMPORT_PASSPHRASE");
	}
	if (fdstr != NULL) {
		fd = strtol(fdstr, &end, 10);
		if (*fdstr == '\0' || *end != '\0' || fd < 0 || fd > 65535)
			return cli_usage(ctx,
					 "passphrase fd '%s' is not a "
					 "file descriptor",
					 fdstr);
		if ((rc = pass_from_fd((int)fd, pass, len)) != 0)
			return cli_fail(ctx, rc, "passphrase from fd %ld", fd);
	} else if (file != NULL) {
		if ((rc = pass_from_file(file, pass, len)) != 0)
			return cli_fail(ctx, rc, "passphrase file %s", file);
	} else if (cmd != NULL) {
		if ((rc = pass_from_command(cmd, pass, len)) != 0)
			return cli_fail(ctx, rc,
					"passphrase command "
					"$MFA_PASSPHRASE_COMMAND");
	} else if (plain != NULL) {
		if ((rc = pass_from_string(plain, pass, len)) != 0)
			return cli_fail(ctx, rc, "passphrase");
	} else {
		v = kind == PASS_NEW	  ? "$MFA_NEW_PASSPHRASE_FILE"
		    : kind == PASS_IMPORT ? "$MFA_IMPORT_PASSPHRASE_FILE"
					  : "$MFA_PASSPHRASE_FILE";
		if (!tty_available()) {
			ctx->what[0] = '\0';
			snprintf(ctx->err.why, sizeof(ctx->err.why),
				 "no passphrase: no terminal to ask on and "
				 "none given (use %s, a --*passphrase-fd "
				 "option or the other sources in mfa(1))",
				 v);
			return MFA_ENOPASS;
		}
		rc = kind == PASS_NEW ? pass_ask_new(prompt, pass, len)
				      : tty_read_secret(prompt, pass, len);
		if (rc != 0)
			return cli_fail(ctx, rc, "passphrase");
	}
	if (*len == 0) {
		sodium_free(*pass);
		*pass = NULL;
		return cli_fail(ctx, MFA_ENOPASS, "empty passphrase");
	}
	return 0;
}
