/*
 * mfa watch [QUERY]: a live full-screen view like an authenticator app's.
 * One row per account with its code, a bar and the seconds left in its own
 * period, redrawn on every second boundary; Enter copies the selected code.
 *
 * ncurses rather than hand-written escape sequences: it knows each
 * terminal's capabilities (alternate screen, colours, keys) from terminfo,
 * handles resizes and suspend, and restores the terminal on the way out.
 *
 * Codes are made from the secrets in the vault's own sodium memory and
 * wiped once drawn. HOTP rows show no code until Enter is pressed on them:
 * then the counter is advanced and saved (vault_update) before the code is
 * shown and copied, as `mfa code` does.
 */
#include "cli/lazy_curses.h"
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

/* Seconds left at which the code turns yellow, then red. */
#define WATCH_WARN 10
#define WATCH_ALERT 5
/* How long a message stays in the status line. */
#define WATCH_STATUS_MS 5000
#define WATCH_SEARCH_MAX 64
#define WATCH_BAR_MAX 20

enum watch_pair { WATCH_OK = 1, WATCH_YELLOW, WATCH_RED };

/* The last HOTP code made here, shown on its row (sodium_malloc'd). */
struct watch_hotp {
	uint8_t id[VAULT_ID_BYTES];
	char code[OTP_CODE_MAX];
	bool set;
	int64_t now;
};

struct watch {
	struct mfa_ctx *ctx;
	struct vault *v;
	struct clip clip;
	bool clip_ok;
	const char *query;
	char search[WATCH_SEARCH_MAX];
	size_t searchlen;
	bool searching;
	size_t *rows; /* indexes into vault_data(v), for this frame */
	size_t nrows, cap;
	size_t sel;
	uint8_t sel_id[VAULT_ID_BYTES];
	bool has_sel;
	size_t top;	 /* first row on screen */
	unsigned number; /* row number being typed */
	char status[256];
	int64_t status_until;
	bool color, utf8;
	struct watch_hotp *hotp;
};

static volatile sig_atomic_t watch_signal;

static void
watch_on_signal(int sig)
{
	watch_signal = sig;
}

static int64_t
watch_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds to the next second boundary, when every count changes. */
static int
watch_tick_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return 1000 - (int)(ts.tv_nsec / 1000000) + 5;
}

static void watch_say(struct watch *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
watch_say(struct watch *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->status, sizeof(w->status), fmt, ap);
	va_end(ap);
	w->status_until = watch_mono_ms() + WATCH_STATUS_MS;
}

static bool
watch_matches(const struct vault_entry *e, const char *needle)
{
	return needle == NULL || needle[0] == '\0' ||
	       strcasestr(util_label(e->issuer, e->name), needle) != NULL;
}

/* The rows of this frame; the selection follows its account by id. */
static int
watch_filter(struct watch *w)
{
	const struct vault_data *d = vault_data(w->v);
	size_t i, *n;

	if (d->n_entries > w->cap) {
		if ((n = reallocarray(w->rows, d->n_entries, sizeof(*n))) ==
		    NULL)
			return MFA_ENOMEM;
		w->rows = n;
		w->cap = d->n_entries;
	}
	w->nrows = 0;
	for (i = 0; i < d->n_entries; i++)
		if (watch_matches(&d->entries[i], w->query) &&
		    watch_matches(&d->entries[i], w->search))
			w->rows[w->nrows++] = i;
	for (i = 0; w->has_sel && i < w->nrows; i++)
		if (memcmp(d->entries[w->rows[i]].id, w->sel_id,
			   VAULT_ID_BYTES) == 0) {
			w->sel = i;
			return 0;
		}
	w->sel = w->sel < w->nrows ? w->sel : 0;
	w->has_sel = w->nrows > 0;
	if (w->has_sel)
		memcpy(w->sel_id, d->entries[w->rows[w->sel]].id,
		       VAULT_ID_BYTES);
	return 0;
}

static void
watch_select(struct watch *w, long to)
{
	const struct vault_data *d = vault_data(w->v);

	if (w->nrows == 0)
		return;
	if (to < 0)
		to = 0;
	if ((size_t)to >= w->nrows)
		to = (long)w->nrows - 1;
	w->sel = (size_t)to;
	memcpy(w->sel_id, d->entries[w->rows[w->sel]].id, VAULT_ID_BYTES);
	w->has_sel = true;
}

/* "123 456", "123 4567", "1234 5678"; Steam and short codes as they are. */
static void
watch_group(const char *code, enum otp_type type, char out[OTP_CODE_MAX + 1])
{
	size_t n = strlen(code), h = n / 2;

	if (type == OTP_STEAM || n < 5) {
		memcpy(out, code, n + 1);
		return;
	}
	memcpy(out, code, h);
	out[h] = ' ';
	memcpy(out + h + 1, code + h, n - h + 1);
}

/* Bytes of s that fill at most cols columns, whole UTF-8 sequences only
 * (one column each: good enough for names). */
static int
watch_fit(const char *s, int cols)
{
	int used = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (used == cols)
			break;
		used++;
	}
	return i;
}

/* At most cols columns of s at (y, x), and never past the right edge,
 * where curses would wrap to the next line. */
static void
watch_field(int y, int x, const char *s, int cols)
{
	if (cols > COLS - x)
		cols = COLS - x;
	if (cols > 0)
		mvaddnstr(y, x, s, watch_fit(s, cols));
}

static int
watch_pair(uint64_t left)
{
	if (left <= WATCH_ALERT)
		return WATCH_RED;
	if (left <= WATCH_WARN)
		return WATCH_YELLOW;
	return WATCH_OK;
}

static void
watch_color_on(const struct watch *w, int pair, attr_t extra)
{
	attr_t a = extra;

	if (w->color)
		a |= (attr_t)COLOR_PAIR(pair);
	if (a != 0)
		attron(a);
}

static void
watch_color_off(const struct watch *w, int pair, attr_t extra)
{
	attr_t a = extra;

	if (w->color)
		a |= (attr_t)COLOR_PAIR(pair);
	if (a != 0)
		attroff(a);
}

static void
watch_bar(const struct watch *w, int y, int x, int width, uint64_t left,
	  uint64_t period)
{
	int full = (int)((left * (uint64_t)width + period / 2) / period), i;

	for (i = 0; i < width && x + i < COLS; i++) {
		if (w->utf8)
			mvaddstr(y, x + i, i < full ? "\u2588" : "\u00b7");
		else
			mvaddch(y, x + i, i < full ? '#' : '.');
	}
}

struct watch_cols {
	int num, issuer, name, code, bar, left;
};

/* Column widths for this screen: the bar gives way first, then names. */
static void
watch_layout(const struct watch *w, struct watch_cols *c)
{
	const struct vault_data *d = vault_data(w->v);
	int rest, n;
	size_t i;

	c->num = 3;
	c->code = 11;
	c->left = 5;
	c->issuer = 6;
	c->name = 4;
	for (i = 0; i < w->nrows; i++) {
		n = watch_fit(d->entries[w->rows[i]].issuer, 1 << 20);
		c->issuer = n > c->issuer ? n : c->issuer;
		n = watch_fit(d->entries[w->rows[i]].name, 1 << 20);
		c->name = n > c->name ? n : c->name;
	}
	c->issuer = c->issuer > 24 ? 24 : c->issuer;
	c->name = c->name > 32 ? 32 : c->name;
	/* Two spaces between the six columns and one at the left edge. */
	rest = COLS - 1 - 10 - c->num - c->code - c->left;
	c->bar = rest - c->issuer - c->name;
	if (c->bar > WATCH_BAR_MAX)
		c->bar = WATCH_BAR_MAX;
	if (c->bar < 5)
		c->bar = 0;
	/* The wider of the two loses a column at a time. */
	while (c->issuer + c->name + c->bar > rest &&
	       (c->name > 4 || c->issuer > 4)) {
		if (c->name >= c->issuer && c->name > 4)
			c->name--;
		else if (c->issuer > 4)
			c->issuer--;
		else
			c->name--;
	}
}

static void
watch_draw_row(struct watch *w, const struct watch_cols *c, int y, size_t r,
	       int64_t now)
{
	const struct vault_entry *e = &vault_data(w->v)->entries[w->rows[r]];
	char code[OTP_CODE_MAX], shown[OTP_CODE_MAX + 1], num[24];
	bool sel = r == w->sel;
	uint64_t left = 0;
	int x = 1, pair;

	if (sel) {
		attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
	}
	snprintf(num, sizeof(num), "%*zu", c->num, r + 1);
	watch_field(y, x, num, c->num);
	x += c->num + 2;
	watch_field(y, x, e->issuer[0] ? e->issuer : "-", c->issuer);
	x += c->issuer + 2;
	watch_field(y, x, e->name, c->name);
	x += c->name + 2;
	if (e->p.type == OTP_HOTP) {
		if (w->hotp->set &&
		    memcmp(w->hotp->id, e->id, VAULT_ID_BYTES) == 0) {
			watch_group(w->hotp->code, e->p.type, shown);
			attron(A_BOLD);
			watch_field(y, x, shown, c->code);
			attroff(A_BOLD);
		} else {
			watch_field(y, x, "[Enter]", c->code);
		}
		x += c->code + 2;
		snprintf(num, sizeof(num), "counter %llu",
			 (unsigned long long)e->p.counter);
		if (c->bar > 0)
			watch_field(y, x, num, c->bar);
	} else if (otp_code(&e->p, e->secret, e->secret_len, now, code) == 0) {
		left = otp_remaining(now, e->p.t0, e->p.period);
		pair = watch_pair(left);
		watch_group(code, e->p.type, shown);
		watch_color_on(w, pair, A_BOLD);
		watch_field(y, x, shown, c->code);
		watch_color_off(w, pair, A_BOLD);
		x += c->code + 2;
		watch_color_on(w, pair, 0);
		if (c->bar > 0) {
			watch_bar(w, y, x, c->bar, left, e->p.period);
			x += c->bar + 2;
		}
		snprintf(num, sizeof(num), "%3llus", (unsigned long long)left);
		watch_field(y, x, num, c->left);
		watch_color_off(w, pair, 0);
	} else {
		watch_field(y, x, "error", c->code);
	}
	if (sel)
		attroff(A_REVERSE);
	sodium_memzero(code, sizeof(code));
	sodium_memzero(shown, sizeof(shown));
}

static void
watch_draw(struct watch *w)
{
	const struct vault_data *d = vault_data(w->v);
	struct watch_cols c;
	int64_t now = util_now();
	int y, x, body;
	size_t r;
	char line[WATCH_SEARCH_MAX + 64];

	erase();
	body = LINES - 3;
	watch_layout(w, &c);
	/* Everything is clipped to the width: curses would wrap it. */
	attron(A_BOLD);
	watch_field(0, 1, "mfa watch", COLS - 2);
	attroff(A_BOLD);
	snprintf(line, sizeof(line), "%zu of %zu accounts%s%s", w->nrows,
		 d->n_entries, w->query != NULL ? " matching " : "",
		 w->query != NULL ? w->query : "");
	watch_field(0, 12, line, COLS - 13);
	if (body > 0) {
		attron(A_UNDERLINE);
		x = 1;
		watch_field(1, x, "  #", c.num);
		x += c.num + 2;
		watch_field(1, x, "ISSUER", c.issuer);
		x += c.issuer + 2;
		watch_field(1, x, "NAME", c.name);
		x += c.name + 2;
		watch_field(1, x, "CODE", c.code);
		x += c.code + 2 + (c.bar > 0 ? c.bar + 2 : 0);
		watch_field(1, x, "LEFT", c.left);
		attroff(A_UNDERLINE);
	}
	/* Keep the selection on screen. */
	if (body > 0) {
		if (w->sel < w->top)
			w->top = w->sel;
		if (w->sel >= w->top + (size_t)body)
			w->top = w->sel - (size_t)body + 1;
		if (w->top + (size_t)body > w->nrows)
			w->top = w->nrows > (size_t)body
				     ? w->nrows - (size_t)body
				     : 0;
	}
	for (y = 2, r = w->top; body > 0 && r < w->nrows && y < 2 + body;
	     y++, r++)
		watch_draw_row(w, &c, y, r, now);
	if (w->nrows == 0 && body > 0)
		mvaddstr(2, 1, "no account matches");
	y = LINES - 1;
	if (w->searching) {
		snprintf(line, sizeof(line), "/%s", w->search);
		watch_field(y, 0, line, COLS - 1);
	} else if (w->status_until > watch_mono_ms()) {
		attron(A_BOLD);
		watch_field(y, 1, w->status, COLS - 2);
		attroff(A_BOLD);
	} else if (w->searchlen > 0) {
		snprintf(line, sizeof(line),
			 "filter '%s' (Esc clears)  Enter copy  q quit",
			 w->search);
		watch_field(y, 1, line, COLS - 2);
	} else {
		watch_field(y, 1,
			    w->utf8 ? "\u2191\u2193/jk/1-9 select  Enter copy  "
				      "/ search  q quit"
				    : "j/k/1-9 select  Enter copy  / search  "
				      "q quit",
			    COLS - 2);
	}
	if (w->searching)
		move(y, watch_fit(line, COLS - 1));
	refresh();
}

static void
watch_copy(struct watch *w)
{
	const struct vault_data *d = vault_data(w->v);
	const struct vault_entry *e;
	char code[OTP_CODE_MAX], label[256], msg[128];
	int rc;

	if (w->nrows == 0)
		return;
	e = &d->entries[w->rows[w->sel]];
	snprintf(label, sizeof(label), "%s", util_label(e->issuer, e->name));
	if (e->p.type == OTP_HOTP) {
		sodium_memzero(w->hotp, sizeof(*w->hotp));
		memcpy(w->hotp->id, e->id, VAULT_ID_BYTES);
		/* The counter is saved before the code is shown or copied. */
		if ((rc = hotp_take(w->v, w->hotp->id, w->hotp->code)) != 0) {
			sodium_memzero(w->hotp, sizeof(*w->hotp));
			watch_say(w, "%s: %s", label, mfa_strerror(rc));
			return;
		}
		w->hotp->set = true;
		memcpy(code, w->hotp->code, sizeof(code));
		/* e is stale now: the vault was re-read. */
		if ((rc = watch_filter(w)) != 0) {
			sodium_memzero(code, sizeof(code));
			watch_say(w, "%s", mfa_strerror(rc));
			return;
		}
	} else if ((rc = otp_code(&e->p, e->secret, e->secret_len, util_now(),
				  code)) != 0) {
		watch_say(w, "%s: %s", label, mfa_strerror(rc));
		return;
	}
	if (!w->clip_ok)
		watch_say(w, "%s: no clipboard to copy to", label);
	else if ((rc = clip_copy(&w->clip, code, strlen(code))) != 0)
		watch_say(w, "%s: %s: %s", label, clip_name(&w->clip),
			  mfa_strerror(rc));
	else {
		clip_message(&w->clip, msg, sizeof(msg));
		watch_say(w, "%s: %s", label, msg);
	}
	sodium_memzero(code, sizeof(code));
}

/* Digits pick a row by number; a second digit extends it while it can. */
static void
watch_digit(struct watch *w, int ch)
{
	unsigned n = w->number * 10 + (unsigned)(ch - '0');

	if (n == 0 || n > w->nrows)
		n = (unsigned)(ch - '0');
	w->number = n * 10 <= w->nrows ? n : 0;
	if (n >= 1 && n <= w->nrows)
		watch_select(w, (long)n - 1);
}

static void
watch_search_key(struct watch *w, int ch)
{
	switch (ch) {
	case 27: /* Esc */
		w->searchlen = 0;
		w->search[0] = '\0';
		w->searching = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		w->searching = false;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* On an empty search it leaves, as in less and vi. */
		if (w->searchlen == 0) {
			w->searching = false;
			break;
		}
		do
			w->searchlen--;
		while (w->searchlen > 0 &&
		       ((unsigned char)w->search[w->searchlen] & 0xc0) == 0x80);
		w->search[w->searchlen] = '\0';
		break;
	case KEY_UP:
		watch_select(w, (long)w->sel - 1);
		break;
	case KEY_DOWN:
		watch_select(w, (long)w->sel + 1);
		break;
	default:
		if (ch >= 32 && ch < 256 && ch != 127 &&
		    w->searchlen + 1 < sizeof(w->search)) {
			w->search[w->searchlen++] = (char)ch;
			w->search[w->searchlen] = '\0';
		}
		break;
	}
}

/* One key; false when it is time to leave. */
static bool
watch_key(struct watch *w, int ch)
{
	if (ch < '0' || ch > '9')
		w->number = 0;
	if (w->searching) {
		watch_search_key(w, ch);
		return true;
	}
	switch (ch) {
	case 'q':
	case 'Q':
	case 3: /* Ctrl-C, should the terminal deliver it as a key */
		return false;
	case '/':
		w->searching = true;
		w->searchlen = 0;
		w->search[0] = '\0';
		break;
	case 27:
		w->searchlen = 0;
		w->search[0] = '\0';
		break;
	case KEY_UP:
	case 'k':
		watch_select(w, (long)w->sel - 1);
		break;
	case KEY_DOWN:
	case 'j':
		watch_select(w, (long)w->sel + 1);
		break;
	case KEY_HOME:
	case 'g':
		watch_select(w, 0);
		break;
	case KEY_END:
	case 'G':
		watch_select(w, (long)w->nrows - 1);
		break;
	case KEY_PPAGE:
		watch_select(w, (long)w->sel - (LINES > 4 ? LINES - 3 : 1));
		break;
	case KEY_NPAGE:
		watch_select(w, (long)w->sel + (LINES > 4 ? LINES - 3 : 1));
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		watch_copy(w);
		break;
	case 12: /* Ctrl-L */
	case KEY_RESIZE:
		clearok(curscr, TRUE);
		break;
	default:
		if (ch >= '0' && ch <= '9')
			watch_digit(w, ch);
		break;
	}
	return true;
}

static bool
watch_want_color(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc != NULL && nc[0] != '\0')
		return false;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return false;
	return has_colors();
}

static void
watch_colors(struct watch *w)
{
	w->color = watch_want_color();
	if (!w->color || start_color() == ERR) {
		w->color = false;
		return;
	}
	use_default_colors();
	init_pair(WATCH_OK, COLOR_GREEN, -1);
	init_pair(WATCH_YELLOW, COLOR_YELLOW, -1);
	init_pair(WATCH_RED, COLOR_RED, -1);
}

/* The screen's life: every way out goes back through endwin. */
static int
watch_run(struct watch *w)
{
	struct sigaction sa, old[4];
	static const int sigs[4] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	SCREEN *scr;
	char *cup;
	int ch, i, rc = 0;

	/* Ours before ncurses starts, so it leaves these signals to us. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	watch_signal = 0;
	setlocale(LC_CTYPE, "");
	w->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		for (i = 0; i < 4; i++)
			sigaction(sigs[i], &old[i], NULL);
		return cli_failx(w->ctx, MFA_EUNSUPPORTED,
				 "watch: cannot use terminal type '%s'",
				 getenv("TERM") ? getenv("TERM") : "(unset)");
	}
	set_term(scr);
	/* A dumb terminal cannot place text: a full screen is impossible. */
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		endwin();
		delscreen(scr);
		for (i = 0; i < 4; i++)
			sigaction(sigs[i], &old[i], NULL);
		return cli_failx(w->ctx, MFA_EUNSUPPORTED,
				 "watch: terminal type '%s' cannot move the "
				 "cursor (try 'mfa list --codes')",
				 getenv("TERM") ? getenv("TERM") : "(unset)");
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	watch_colors(w);
	while (watch_signal == 0) {
		if ((rc = watch_filter(w)) != 0)
			break;
		curs_set(w->searching ? 1 : 0);
		watch_draw(w);
		timeout(watch_tick_ms());
		ch = getch();
		if (ch == ERR)
			continue;
		if (!watch_key(w, ch))
			break;
	}
	endwin();
	delscreen(scr);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (rc != 0)
		return cli_fail(w->ctx, rc, "watch");
	if (watch_signal != 0 && watch_signal != SIGINT)
		return cli_failx(w->ctx, MFA_ECANCELED, "watch: %s",
				 strsignal(watch_signal));
	return 0;
}

static int
cmd_watch_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_data *d;
	const char *lw = NULL;
	struct watch w;
	size_t i, n = 0;
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_failx(ctx, MFA_ENOTTY,
				 "watch needs a terminal on stdin and stdout "
				 "(scripts want 'mfa code' or 'mfa list "
				 "--codes')");
	if (lazy_curses_load(&lw) != 0)
		return cli_failx(ctx, MFA_EUNSUPPORTED, "watch: %s", lw);
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.query = a->argc > 0 ? a->argv[0] : NULL;
	/* Before the unlock: the clipboard helper forks here, secret-free. */
	w.clip_ok = clip_open(&w.clip) == 0;
	if ((rc = unlock_vault(ctx, &w.v)) != 0)
		goto out;
	d = vault_data(w.v);
	for (i = 0; i < d->n_entries; i++)
		if (watch_matches(&d->entries[i], w.query))
			n++;
	if (n == 0) {
		if (d->n_entries == 0)
			rc = cli_fail(ctx, MFA_ENOTFOUND,
				      "vault %s is empty (add an account "
				      "with 'mfa add')",
				      unlock_path(ctx));
		else
			rc = cli_fail(ctx, MFA_ENOTFOUND, "account '%s'",
				      w.query);
		goto out;
	}
	if ((w.hotp = sodium_malloc(sizeof(*w.hotp))) == NULL) {
		rc = cli_fail(ctx, MFA_ENOMEM, "watch");
		goto out;
	}
	sodium_memzero(w.hotp, sizeof(*w.hotp));
	rc = watch_run(&w);
out:
	if (w.hotp != NULL)
		sodium_free(w.hotp);
	free(w.rows);
	if (w.clip_ok)
		clip_close(&w.clip);
	return rc;
}

static const struct mfa_opt cmd_watch_opts[] = {
    OFFSET_OPT,
    OPT_END,
};

static const struct mfa_pos cmd_watch_pos[] = {
    {"QUERY", VAL_QUERY, NULL, POS_F_OPTIONAL},
    POS_END,
};

const struct mfa_cmd cmd_watch_entry = {
    .name = "watch",
    .summary = "live view of the codes, with countdown bars",
    .help = "A full-screen view of every account (or those whose issuer:name "
	    "contains QUERY)\nwith its code, a bar and the seconds left in "
	    "its own period, refreshed each\nsecond; codes turn yellow, then "
	    "red, near the end (no colours with NO_COLOR).\n"
	    "Keys: arrows, j/k or a row number select; Enter copies the code "
	    "(an HOTP\nrow makes and saves its next code first); / searches, "
	    "Esc clears the search;\nq or Ctrl-C leaves. Copies go to the "
	    "clipboard as with 'mfa code --copy'\n(wl-copy, xclip, xsel, "
	    "else OSC 52: in tmux set 'set -g set-clipboard on')\nand are "
	    "cleared after $MFA_CLIP_TIME seconds (default 45).",
    .opts = cmd_watch_opts,
    .pos = cmd_watch_pos,
    .exec = cmd_watch_exec,
};
