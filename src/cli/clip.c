/*
 * The clipboard, for `mfa code --copy` and the watch view.
 *
 * The text goes to wl-copy (WAYLAND_DISPLAY), xclip or xsel (DISPLAY) on
 * its stdin, never in argv or the environment; without any of them it is
 * sent to the terminal as OSC 52 on /dev/tty, which reaches the local
 * clipboard over ssh. Inside tmux, OSC 52 from a program only lands when
 * tmux has `set -g set-clipboard on` (its default, "external", drops it);
 * inside GNU screen the sequence is wrapped in a DCS so screen passes it on.
 *
 * As pass does, the clipboard is cleared after MFA_CLIP_TIME seconds
 * (default 45) unless it changed meanwhile. A detached helper (double fork,
 * setsid, every inherited descriptor closed so `$(mfa code --copy x)` does
 * not wait for it) does the clearing. It is forked in clip_open(), before
 * the vault is unlocked, so its memory never held a vault secret, and all it
 * is ever sent is a BLAKE2b hash of the copied text under a random key: it
 * reads the clipboard back and clears it only when the hash still matches.
 * OSC 52 cannot be read back: the helper just sends an empty OSC 52, and
 * inside tmux (which ignores an empty one) deletes tmux's paste buffer if
 * it still holds the code.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define CLIP_TIME_DEFAULT 45
#define CLIP_TEXT_MAX 1024
/* Longest a clipboard program may take before the helper gives up. */
#define CLIP_RUN_TIMEOUT 20

extern char **environ;

/* What the helper is sent: a keyed hash, never the text itself. */
struct clip_msg {
	uint8_t key[crypto_generichash_KEYBYTES];
	uint8_t hash[crypto_generichash_BYTES];
};

struct clip_prog {
	const char *copy, *paste;
	const char *copy_argv[4], *paste_argv[5], *clear_argv[5];
};

static const struct clip_prog clip_progs[] = {
    [CLIP_NONE] = {NULL, NULL, {NULL}, {NULL}, {NULL}},
    [CLIP_WAYLAND] = {"wl-copy",
		      "wl-paste",
		      {"wl-copy", NULL},
		      {"wl-paste", "--no-newline", NULL},
		      {"wl-copy", "--clear", NULL}},
    [CLIP_XCLIP] = {"xclip",
		    "xclip",
		    {"xclip", "-selection", "clipboard", NULL},
		    {"xclip", "-selection", "clipboard", "-o", NULL},
		    {"xclip", "-selection", "clipboard", NULL}},
    [CLIP_XSEL] = {"xsel",
		   "xsel",
		   {"xsel", "--clipboard", "--input", NULL},
		   {"xsel", "--clipboard", "--output", NULL},
		   {"xsel", "--clipboard", "--clear", NULL}},
    /* Inside tmux, OSC 52 lands in a paste buffer, which tmux can read. */
    [CLIP_OSC52] = {NULL,
		    "tmux",
		    {NULL},
		    {"tmux", "show-buffer", NULL},
		    {"tmux", "delete-buffer", NULL}},
};

unsigned
clip_time(void)
{
	const char *s = getenv("MFA_CLIP_TIME");
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return CLIP_TIME_DEFAULT;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 86400)
		return CLIP_TIME_DEFAULT;
	return (unsigned)v;
}

const char *
clip_name(const struct clip *c)
{
	switch (c->method) {
	case CLIP_WAYLAND:
		return "wl-copy";
	case CLIP_XCLIP:
		return "xclip";
	case CLIP_XSEL:
		return "xsel";
	case CLIP_OSC52:
		return "OSC 52";
	case CLIP_NONE:
		break;
	}
	return "no clipboard";
}

void
clip_message(const struct clip *c, char *buf, size_t len)
{
	if (c->delay == 0)
		snprintf(buf, len, "copied to the clipboard");
	else
		snprintf(buf, len, "copied to the clipboard; clears in %u s",
			 c->delay);
}

/* The executable called name on PATH, as execvp would find it. */
static bool
clip_which(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *p, *colon;
	struct stat st;
	size_t n;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = colon + 1) {
		colon = strchr(p, ':');
		n = colon != NULL ? (size_t)(colon - p) : strlen(p);
		/* An empty entry is the current folder, as for execvp. */
		if ((size_t)snprintf(out, outlen, "%.*s%s%s", (int)n,
				     n ? p : ".", n ? "/" : "/",
				     name) < outlen &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return true;
		if (colon == NULL)
			break;
	}
	out[0] = '\0';
	return false;
}

static bool
clip_env_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0';
}

static int
clip_choose(struct clip *c)
{
	if (clip_env_set("WAYLAND_DISPLAY") &&
	    clip_which("wl-copy", c->copy, sizeof(c->copy))) {
		c->method = CLIP_WAYLAND;
		clip_which("wl-paste", c->paste, sizeof(c->paste));
		return 0;
	}
	if (clip_env_set("DISPLAY")) {
		if (clip_which("xclip", c->copy, sizeof(c->copy)))
			c->method = CLIP_XCLIP;
		else if (clip_which("xsel", c->copy, sizeof(c->copy)))
			c->method = CLIP_XSEL;
		if (c->method != CLIP_NONE) {
			memcpy(c->paste, c->copy, sizeof(c->paste));
			return 0;
		}
	}
	c->tty = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (c->tty < 0)
		return MFA_EUNSUPPORTED;
	c->method = CLIP_OSC52;
	if (clip_env_set("TMUX"))
		clip_which("tmux", c->paste, sizeof(c->paste));
	return 0;
}

static int
clip_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return MFA_EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Close every descriptor from lowfd up. */
static void
clip_close_from(int lowfd)
{
	long max;
	int fd;

	if (close_range((unsigned)lowfd, ~0U, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		close(fd);
}

/*
 * Run a clipboard program with in on its stdin (NULL: /dev/null) and, when
 * out is given, its stdout read into out. Its stdout and stderr otherwise go
 * to /dev/null: xclip and wl-copy leave a process behind to serve the
 * selection, which must not hold our caller's pipes open. Returns 0 when it
 * exited with status 0.
 */
static int
clip_run(const char *path, const char *const argv[], const char *in,
	 size_t inlen, char *out, size_t outcap, size_t *outlen, bool *full)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, status, rc = 0, null;
	char **env, drain[256];
	ssize_t r;
	pid_t pid;

	if (in != NULL && pipe2(pin, O_CLOEXEC) != 0)
		return MFA_EIO;
	if (out != NULL && pipe2(pout, O_CLOEXEC) != 0) {
		if (in != NULL) {
			close(pin[0]);
			close(pin[1]);
		}
		return MFA_EIO;
	}
	env = util_child_env();
	pid = env != NULL ? fork() : -1;
	if (pid == 0) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(in != NULL ? pin[0] : null, STDIN_FILENO);
		dup2(out != NULL ? pout[1] : null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		clip_close_from(3);
		signal(SIGPIPE, SIG_DFL);
		execve(path, (char *const *)argv, env);
		_exit(127);
	}
	util_free_env(env);
	if (in != NULL)
		close(pin[0]);
	if (out != NULL)
		close(pout[1]);
	if (pid < 0) {
		if (in != NULL)
			close(pin[1]);
		if (out != NULL)
			close(pout[0]);
		return MFA_EIO;
	}
	if (in != NULL) {
		rc = clip_write_all(pin[1], in, inlen);
		close(pin[1]);
	}
	if (out != NULL) {
		*outlen = 0;
		*full = false;
		for (;;) {
			if (*outlen < outcap)
				r = read(pout[0], out + *outlen,
					 outcap - *outlen);
			else
				r = read(pout[0], drain, sizeof(drain));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (*outlen < outcap)
				*outlen += (size_t)r;
			else
				*full = true;
		}
		sodium_memzero(drain, sizeof(drain));
		close(pout[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return MFA_EIO;
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		rc = MFA_EIO;
	return rc;
}

/* OSC 52 to the terminal; GNU screen only passes it on wrapped in a DCS. */
static int
clip_osc52(int fd, const char *text, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(CLIP_TEXT_MAX,
					   sodium_base64_VARIANT_ORIGINAL)];
	char seq[sizeof(b64) + 32];
	bool screen = clip_env_set("STY") && !clip_env_set("TMUX");
	int n, rc;

	if (len > CLIP_TEXT_MAX)
		return MFA_ETOOLONG;
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)text, len,
			  sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(seq, sizeof(seq), "%s\033]52;c;%s\a%s",
		     screen ? "\033P" : "", b64, screen ? "\033\\" : "");
	rc = clip_write_all(fd, seq, (size_t)n);
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(seq, sizeof(seq));
	return rc;
}

/* Due: clear the clipboard if it still holds what was copied. */
static void
clip_helper_clear(const struct clip *c, const struct clip_msg *m)
{
	const struct clip_prog *cp = &clip_progs[c->method];
	uint8_t h[crypto_generichash_BYTES];
	char back[CLIP_TEXT_MAX];
	size_t n = 0;
	bool full = false;

	if (c->method == CLIP_OSC52)
		(void)clip_osc52(c->tty, "", 0);
	if (c->paste[0] == '\0')
		return;
	/* A clipboard program that hangs must not keep us alive forever. */
	alarm(CLIP_RUN_TIMEOUT);
	if (clip_run(c->paste, cp->paste_argv, NULL, 0, back, sizeof(back), &n,
		     &full) == 0 &&
	    !full) {
		while (n > 0 && (back[n - 1] == '\n' || back[n - 1] == '\r'))
			n--;
		crypto_generichash(h, sizeof(h), (const unsigned char *)back, n,
				   m->key, sizeof(m->key));
		if (sodium_memcmp(h, m->hash, sizeof(h)) == 0)
			(void)clip_run(
			    c->method == CLIP_WAYLAND ? c->copy : c->paste,
			    cp->clear_argv, "", 0, NULL, 0, NULL, NULL);
	}
	alarm(0);
	sodium_memzero(back, sizeof(back));
	sodium_memzero(h, sizeof(h));
}

static int64_t
clip_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The helper's life: wait for hashes; the latest one is due delay seconds
 * after it came (an older copy has been overwritten by it anyway). At EOF,
 * finish what is due and leave.
 */
static void
clip_helper_run(const struct clip *c, int rd)
{
	struct clip_msg m, cur;
	struct pollfd pfd;
	int64_t due = 0, now;
	bool pending = false, listening = true;
	ssize_t r;
	int timeout;

	for (;;) {
		now = clip_mono_ms();
		if (pending && now >= due) {
			clip_helper_clear(c, &cur);
			pending = false;
		}
		if (!listening && !pending)
			break;
		timeout = pending ? (int)(due - now) : -1;
		pfd.fd = listening ? rd : -1;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, timeout) <= 0 || pfd.revents == 0)
			continue;
		r = read(rd, &m, sizeof(m));
		if (r == (ssize_t)sizeof(m)) {
			memcpy(&cur, &m, sizeof(cur));
			pending = true;
			due = clip_mono_ms() + (int64_t)c->delay * 1000;
		} else if (r == 0 || (r < 0 && errno != EINTR)) {
			listening = false;
		}
		sodium_memzero(&m, sizeof(m));
	}
	sodium_memzero(&cur, sizeof(cur));
}

/*
 * Variables that may hold a passphrase were inherited too: blank their
 * values in place (util_child_env knows which ones).
 */
static void
clip_helper_scrub_env(void)
{
	char **keep = util_child_env(), **e, **k, *eq;
	bool kept;

	if (keep == NULL)
		return;
	for (e = environ; *e != NULL; e++) {
		kept = false;
		for (k = keep; *k != NULL && !kept; k++)
			kept = *k == *e;
		if (!kept && (eq = strchr(*e, '=')) != NULL)
			sodium_memzero(eq + 1, strlen(eq + 1));
	}
	util_free_env(keep);
}

/* In the detached helper: stdio on /dev/null, rd on 3, the tty on 4. */
static void
clip_helper(struct clip *c, int rd)
{
	int null, p, t = -1;

	/* Above 4 first, so that moving them to 3 and 4 clobbers nothing. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0)
		null = fcntl(null, F_DUPFD_CLOEXEC, 5);
	p = fcntl(rd, F_DUPFD_CLOEXEC, 5);
	if (c->tty >= 0)
		t = fcntl(c->tty, F_DUPFD_CLOEXEC, 5);
	if (null < 0 || p < 0 || (c->tty >= 0 && t < 0))
		_exit(1);
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	dup3(p, 3, O_CLOEXEC);
	if (t >= 0)
		dup3(t, 4, O_CLOEXEC);
	clip_close_from(t >= 0 ? 5 : 4);
	c->tty = t >= 0 ? 4 : -1;
	c->helper = -1;
	/* Not the cwd of the command: that folder may want unmounting. */
	if (chdir("/") != 0)
		_exit(1);
	/* "mfa-clip" in ps, not a copy of the command line's name. */
	prctl(PR_SET_NAME, "mfa-clip", 0, 0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGALRM, SIG_DFL);
	clip_helper_scrub_env();
	clip_helper_run(c, 3);
	_exit(0);
}

static int
clip_spawn_helper(struct clip *c)
{
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return MFA_EIO;
	/* The children must not flush our buffered output a second time. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return MFA_EIO;
	}
	if (pid == 0) {
		close(fds[1]);
		/* Own session, then a grandchild: never a terminal's again. */
		if (setsid() < 0)
			_exit(1);
		pid = fork();
		if (pid != 0)
			_exit(pid < 0 ? 1 : 0);
		clip_helper(c, fds[0]);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	c->helper = fds[1];
	return 0;
}

int
clip_open(struct clip *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->method = CLIP_NONE;
	c->tty = -1;
	c->helper = -1;
	c->delay = clip_time();
	if ((rc = clip_choose(c)) != 0)
		return rc;
	if (c->delay > 0 && (rc = clip_spawn_helper(c)) != 0) {
		clip_close(c);
		return rc;
	}
	return 0;
}

int
clip_copy(struct clip *c, const char *text, size_t len)
{
	const struct clip_prog *cp = &clip_progs[c->method];
	struct clip_msg m;
	int rc;

	if (len > CLIP_TEXT_MAX)
		return MFA_ETOOLONG;
	if (c->method == CLIP_NONE)
		return MFA_EUNSUPPORTED;
	if (c->method == CLIP_OSC52)
		rc = clip_osc52(c->tty, text, len);
	else
		rc = clip_run(c->copy, cp->copy_argv, text, len, NULL, 0, NULL,
			      NULL);
	if (rc != 0 || c->helper < 0)
		return rc;
	randombytes_buf(m.key, sizeof(m.key));
	crypto_generichash(m.hash, sizeof(m.hash), (const unsigned char *)text,
			   len, m.key, sizeof(m.key));
	/* Smaller than PIPE_BUF: written whole or not at all. */
	if (clip_write_all(c->helper, &m, sizeof(m)) != 0) {
		/* The helper is gone: the copy stands, the clearing is lost. */
		close(c->helper);
		c->helper = -1;
	}
	sodium_memzero(&m, sizeof(m));
	return 0;
}

void
clip_close(struct clip *c)
{
	if (c->helper >= 0)
		close(c->helper);
	if (c->tty >= 0)
		close(c->tty);
	c->helper = -1;
	c->tty = -1;
	c->method = CLIP_NONE;
}
