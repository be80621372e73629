/*
 * Running the AWS CLI: fork and exec, no shell, so no argument is ever
 * interpreted; stdin from /dev/null, so the CLI never eats ours; stdout
 * (which holds credentials) read into secret memory and parsed with
 * jansson; stderr kept for the one line that explains a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/hygiene.h"

#define RUN_ERR_MAX (64 * 1024)

struct run_buf {
	char *p; /* sodium_malloc'd (out) or malloc'd (err) */
	size_t len, cap, max;
	bool secret, overflow;
};

static bool
run_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

static const char *
run_env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* Look name up in the PATH the child will see, as execvp would. */
static int
run_resolve(struct aws_ctx *a, const char *name, char *const *env)
{
	const char *path, *p, *colon;
	size_t dlen;
	int n;

	if (strchr(name, '/') != NULL) {
		if (!run_executable(name)) {
			snprintf(a->err.why, sizeof(a->err.why),
				 "cannot run '%s': %s", name,
				 access(name, F_OK) == 0 ? "not an executable "
							   "file"
							 : strerror(errno));
			return MFA_ENOENT;
		}
		if ((size_t)snprintf(a->cli, sizeof(a->cli), "%s", name) >=
		    sizeof(a->cli))
			return MFA_ETOOLONG;
		return 0;
	}
	if ((path = run_env_get(env, "PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = colon + 1) {
		colon = strchr(p, ':');
		dlen = colon != NULL ? (size_t)(colon - p) : strlen(p);
		n = snprintf(a->cli, sizeof(a->cli), "%.*s%s%s", (int)dlen, p,
			     dlen > 0 ? "/" : "", name);
		if (n > 0 && (size_t)n < sizeof(a->cli) &&
		    run_executable(a->cli))
			return 0;
		if (colon == NULL)
			break;
	}
	a->cli[0] = '\0';
	snprintf(a->err.why, sizeof(a->err.why), "'%s' not found in PATH",
		 name);
	return MFA_ENOENT;
}

int
aws_ctx_init(struct aws_ctx *a, const char *cli, char *const *env)
{
	size_t n = 0, i, o = 0;
	int rc;

	memset(a, 0, sizeof(*a));
	if (cli == NULL || *cli == '\0')
		cli = "aws";
	if ((rc = run_resolve(a, cli, env)) != 0)
		return rc;
	while (env != NULL && env[n] != NULL)
		n++;
	if ((a->env = calloc(n + 3, sizeof(*a->env))) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < n; i++) {
		if (strncmp(env[i], "AWS_PAGER=", 10) == 0 ||
		    strncmp(env[i], AWS_NESTED_VAR "=",
			    sizeof(AWS_NESTED_VAR)) == 0)
			continue;
		a->env[o++] = env[i];
	}
	/* A pager would wait for a key press on output nobody sees. */
	a->env[o++] = (char *)"AWS_PAGER=";
	a->env[o++] = (char *)AWS_NESTED_VAR "=1";
	a->env[o] = NULL;
	return 0;
}

void
aws_ctx_free(struct aws_ctx *a)
{
	if (a == NULL)
		return;
	free(a->env);
	a->env = NULL;
}

static int
run_buf_add(struct run_buf *b, const char *p, size_t n)
{
	size_t cap;
	char *grown;

	if (b->overflow || b->len + n > b->max) {
		b->overflow = true;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		/* No sodium_realloc: copy into a fresh block, wipe the old. */
		grown = b->secret ? sodium_malloc(cap) : malloc(cap);
		if (grown == NULL)
			return MFA_ENOMEM;
		if (b->len > 0)
			memcpy(grown, b->p, b->len);
		if (b->secret)
			sodium_free(b->p);
		else
			free(b->p);
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void
run_buf_free(struct run_buf *b)
{
	if (b->secret)
		sodium_free(b->p);
	else
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static bool
run_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

void
aws_run_errline(const char *text, size_t len, char *out, size_t outlen)
{
	const char *line, *end, *best = NULL, *p = text, *stop = text + len;
	size_t best_len = 0, n, i;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (text == NULL)
		return;
	while (p < stop) {
		end = memchr(p, '\n', (size_t)(stop - p));
		if (end == NULL)
			end = stop;
		line = p;
		p = end + 1;
		while (line < end && (*line == ' ' || *line == '\t'))
			line++;
		n = (size_t)(end - line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
				 line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		/* botocore's "An error occurred (Code) when calling ..." is
		 * the message; otherwise the last line says most (the
		 * "aws: error:" of a usage error, a traceback's exception). */
		if (best != NULL && strncmp(best, "An error occurred", 17) == 0)
			continue;
		best = line;
		best_len = n;
	}
	if (best == NULL)
		return;
	for (i = 0; i < best_len && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)best[i];

		out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[i] = '\0';
	if (i < best_len && outlen > 4)
		memcpy(out + outlen - 4, "...", 4);
}

/* No descriptor of ours from lowfd up reaches the AWS CLI (one may be a
 * passphrase given with --passphrase-fd, or the vault's lock). */
static void
run_cloexec_from(int lowfd)
{
	long max;
	int fd;

	if (close_range((unsigned)lowfd, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/*
 * The child: never returns. Reports an exec failure's errno on fd st.
 * With file >= 0, that pipe is its AWS_RUN_OUTFILE_FD; shielded, it
 * ignores the signals of a terminal (see aws_run_shielded).
 */
static void
run_child(struct aws_ctx *a, char *const *argv, int out, int err, int st,
	  int file, bool shield)
{
	int null, e;

	/* Out of the way of the descriptors about to be set. */
	if ((st = fcntl(st, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (file >= 0 && (file = fcntl(file, F_DUPFD_CLOEXEC, 10)) < 0))
		_exit(127);
	if ((null = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(null, STDIN_FILENO);
		if (null != STDIN_FILENO)
			close(null);
	}
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	if (file >= 0 && dup2(file, AWS_RUN_OUTFILE_FD) < 0)
		_exit(127);
	if (shield) {
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
	}
	run_cloexec_from(file >= 0 ? AWS_RUN_OUTFILE_FD + 1 : 3);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	execve(a->cli, argv, a->env);
	e = errno;
	(void)!write(st, &e, sizeof(e));
	_exit(127);
}

/*
 * How long the AWS CLI may take: a hung CLI must not hang a
 * credential_process forever. $MFA_AWS_TIMEOUT seconds, default 120.
 */
static int64_t
run_deadline_ms(void)
{
	const char *s = getenv("MFA_AWS_TIMEOUT");
	struct timespec ts;
	long sec = 120;
	char *end;

	if (s != NULL && *s != '\0') {
		sec = strtol(s, &end, 10);
		if (*end != '\0' || sec < 1 || sec > 86400)
			sec = 120;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + sec * 1000;
}

/* Read every pipe (stdout, stderr, the file) into its buffer until all
 * are closed or the deadline passes. */
static int
run_collect(const int *fds, struct run_buf **bufs, int nfd, int64_t deadline)
{
	struct pollfd pfd[3];
	struct timespec ts;
	char buf[4096];
	int64_t now;
	ssize_t r;
	int open = nfd, i, rc = 0, n;

	for (i = 0; i < nfd; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	while (open > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (now >= deadline) {
			rc = MFA_ETIME;
			break;
		}
		if ((n = poll(pfd, (nfds_t)nfd, (int)(deadline - now))) < 0) {
			if (errno == EINTR)
				continue;
			rc = MFA_EIO;
			break;
		}
		if (n == 0)
			continue;
		for (i = 0; i < nfd; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				pfd[i].fd = -1;
				open--;
				continue;
			}
			if (rc == 0)
				rc = run_buf_add(bufs[i], buf, (size_t)r);
		}
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

static int
run_argv(struct aws_ctx *a, const char *const *args, const char ***argvp)
{
	const char **argv;
	size_t n = 0, o = 0, i;

	while (args[n] != NULL)
		n++;
	if ((argv = calloc(n + 8, sizeof(*argv))) == NULL)
		return MFA_ENOMEM;
	argv[o++] = a->cli;
	for (i = 0; i < n; i++)
		argv[o++] = args[i];
	/* After the operation, where both CLI v1 and v2 take them. */
	argv[o++] = "--output";
	argv[o++] = "json";
	if (a->profile != NULL) {
		argv[o++] = "--profile";
		argv[o++] = a->profile;
	}
	if (a->region != NULL) {
		argv[o++] = "--region";
		argv[o++] = a->region;
	}
	argv[o] = NULL;
	*argvp = argv;
	return 0;
}

/* aws_run, aws_run_shielded, or with raw: whatever the CLI printed and its
 * exit status. */
static int
run_exec(struct aws_ctx *a, const char *const *args, json_t **out,
	 struct aws_run_file *f, bool shield, struct aws_raw *raw)
{
	struct run_buf bout = {NULL, 0, 0, AWS_OUT_MAX, true, false};
	/* A raw stderr may be a --debug log, which quotes requests. */
	struct run_buf berr = {
	    NULL, 0, 0, raw ? AWS_OUT_MAX : RUN_ERR_MAX, raw != NULL, false};
	struct run_buf bfile = {NULL, 0, 0, AWS_RUN_FILE_MAX, true, false};
	struct run_buf *bufs[3] = {&bout, &berr, &bfile};
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, ps[2] = {-1, -1};
	int pf[2] = {-1, -1}, fds[3];
	const char **argv = NULL;
	json_error_t jerr;
	json_t *j;
	int rc, status = 0, e = 0;
	ssize_t r;
	pid_t pid;

	a->err.why[0] = '\0';
	if (out != NULL)
		*out = NULL;
	if (f != NULL) {
		f->data = NULL;
		f->len = 0;
	}
	if (a->cli[0] == '\0' || a->env == NULL)
		return MFA_EINVAL;
	if ((rc = run_argv(a, args, &argv)) != 0)
		return rc;
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0 ||
	    pipe2(ps, O_CLOEXEC) != 0 ||
	    (f != NULL && pipe2(pf, O_CLOEXEC) != 0)) {
		rc = MFA_EIO;
		goto close;
	}
	if ((pid = fork()) < 0) {
		rc = MFA_EIO;
		goto close;
	}
	if (pid == 0)
		run_child(a, (char *const *)argv, po[1], pe[1], ps[1], pf[1],
			  shield);
	close(po[1]);
	close(pe[1]);
	close(ps[1]);
	if (pf[1] >= 0)
		close(pf[1]);
	po[1] = pe[1] = ps[1] = pf[1] = -1;
	/* The status pipe closes on exec; data on it is exec's errno. */
	while ((r = read(ps[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (r == (ssize_t)sizeof(e)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		snprintf(a->err.why, sizeof(a->err.why),
			 "cannot run '%.300s': %s", a->cli, strerror(e));
		rc = MFA_ENOENT;
		goto close;
	}
	fds[0] = po[0];
	fds[1] = pe[0];
	fds[2] = pf[0];
	rc = run_collect(fds, bufs, f != NULL ? 3 : 2, run_deadline_ms());
	if (rc == MFA_ETIME) {
		kill(pid, SIGKILL);
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS CLI did not finish within the time allowed "
			 "($MFA_AWS_TIMEOUT, default 120 s)");
		rc = MFA_EAWS;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc != 0)
		goto close;
	if (raw != NULL) {
		raw->out = bout.p;
		raw->out_len = bout.len;
		raw->err = berr.p;
		raw->err_len = berr.len;
		raw->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		bout.p = berr.p = NULL;
		goto close;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		aws_run_errline(berr.p, berr.len, a->err.why,
				sizeof(a->err.why));
		if (a->err.why[0] == '\0' && WIFEXITED(status))
			snprintf(a->err.why, sizeof(a->err.why),
				 "the AWS CLI exited with status %d and "
				 "no message",
				 WEXITSTATUS(status));
		else if (a->err.why[0] == '\0')
			snprintf(a->err.why, sizeof(a->err.why),
				 "the AWS CLI was killed by signal %d",
				 WTERMSIG(status));
		rc = MFA_EAWS;
		goto close;
	}
	if (bfile.overflow) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS CLI wrote more than %d bytes to %s",
			 AWS_RUN_FILE_MAX, AWS_RUN_OUTFILE);
		rc = MFA_ETOOBIG;
		goto close;
	}
	if (f != NULL && bfile.len > 0) {
		/* Handed over: the caller frees it. */
		f->data = (uint8_t *)bfile.p;
		f->len = bfile.len;
		bfile.p = NULL;
		bfile.len = 0;
	}
	if (bout.overflow) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS CLI printed more than %d bytes", AWS_OUT_MAX);
		rc = MFA_ETOOBIG;
		goto close;
	}
	if (out == NULL || bout.len == 0 || run_blank(bout.p, bout.len))
		goto close;
	/* jansson's error text may quote the input: keep only where. */
	if ((j = json_loadb(bout.p, bout.len, 0, &jerr)) == NULL) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS CLI's output is not JSON (line %d, "
			 "column %d)",
			 jerr.line, jerr.column);
		sodium_memzero(&jerr, sizeof(jerr));
		rc = MFA_EPARSE;
		goto close;
	}
	*out = j;
close:
	if (po[0] >= 0)
		close(po[0]);
	if (po[1] >= 0)
		close(po[1]);
	if (pe[0] >= 0)
		close(pe[0]);
	if (pe[1] >= 0)
		close(pe[1]);
	if (ps[0] >= 0)
		close(ps[0]);
	if (ps[1] >= 0)
		close(ps[1]);
	if (pf[0] >= 0)
		close(pf[0]);
	if (pf[1] >= 0)
		close(pf[1]);
	run_buf_free(&bout);
	run_buf_free(&berr);
	run_buf_free(&bfile);
	free(argv);
	return rc;
}

int
aws_run(struct aws_ctx *a, const char *const *args, json_t **out)
{
	return run_exec(a, args, out, NULL, false, NULL);
}

int
aws_run_shielded(struct aws_ctx *a, const char *const *args, json_t **out,
		 struct aws_run_file *f)
{
	return run_exec(a, args, out, f, true, NULL);
}

int
aws_run_raw(struct aws_ctx *a, const char *const *args, struct aws_raw *r)
{
	memset(r, 0, sizeof(*r));
	return run_exec(a, args, NULL, NULL, false, r);
}

void
aws_raw_clear(struct aws_raw *r)
{
	if (r->out != NULL)
		sodium_free(r->out);
	if (r->err != NULL)
		sodium_free(r->err);
	memset(r, 0, sizeof(*r));
}
