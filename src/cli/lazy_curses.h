/*
 * ncursesw, opened on first use: include this instead of <curses.h>. Only
 * `watch` draws with curses. Curses' own macros (attron, getch, ...) expand
 * to the w* functions and to stdscr, which go through the table; stdscr,
 * curscr, LINES and COLS are variables of libtinfo (a dependency of
 * libncursesw, so dlsym on its handle finds them).
 */
#ifndef MFA_CLI_LAZY_CURSES_H
#define MFA_CLI_LAZY_CURSES_H

#include <curses.h>

#include "lazy/lazy.h"

#define LAZY_CURSES_FNS(X)                                                     \
	X(cbreak)                                                              \
	X(clearok)                                                             \
	X(curs_set)                                                            \
	X(delscreen)                                                           \
	X(endwin)                                                              \
	X(has_colors)                                                          \
	X(init_pair)                                                           \
	X(keypad)                                                              \
	X(newterm)                                                             \
	X(noecho)                                                              \
	X(nonl)                                                                \
	X(set_escdelay)                                                        \
	X(set_term)                                                            \
	X(start_color)                                                         \
	X(tigetstr)                                                            \
	X(use_default_colors)                                                  \
	X(waddch)                                                              \
	X(waddnstr)                                                            \
	X(wattr_off)                                                           \
	X(wattr_on)                                                            \
	X(werase)                                                              \
	X(wgetch)                                                              \
	X(whline)                                                              \
	X(wmove)                                                               \
	X(wrefresh)                                                            \
	X(wtimeout)

#define LAZY_CURSES_VARS(X)                                                    \
	X(COLS)                                                                \
	X(LINES)                                                               \
	X(curscr)                                                              \
	X(stdscr)

struct lazy_curses_api {
	LAZY_CURSES_FNS(LAZY_FIELD)
	LAZY_CURSES_VARS(LAZY_FIELD)
};

/*
 * Open libncursesw.so.6 and fill the table: 0, or MFA_EUNSUPPORTED with *why
 * (when not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_curses_load(const char **why);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_curses_api *lazy_curses(void);

/* From here on, calls go through the table. */
#undef cbreak
#define cbreak(...) (lazy_curses()->p_cbreak(__VA_ARGS__))
#undef clearok
#define clearok(...) (lazy_curses()->p_clearok(__VA_ARGS__))
#undef curs_set
#define curs_set(...) (lazy_curses()->p_curs_set(__VA_ARGS__))
#undef delscreen
#define delscreen(...) (lazy_curses()->p_delscreen(__VA_ARGS__))
#undef endwin
#define endwin(...) (lazy_curses()->p_endwin(__VA_ARGS__))
#undef has_colors
#define has_colors(...) (lazy_curses()->p_has_colors(__VA_ARGS__))
#undef init_pair
#define init_pair(...) (lazy_curses()->p_init_pair(__VA_ARGS__))
#undef keypad
#define keypad(...) (lazy_curses()->p_keypad(__VA_ARGS__))
#undef newterm
#define newterm(...) (lazy_curses()->p_newterm(__VA_ARGS__))
#undef noecho
#define noecho(...) (lazy_curses()->p_noecho(__VA_ARGS__))
#undef nonl
#define nonl(...) (lazy_curses()->p_nonl(__VA_ARGS__))
#undef set_escdelay
#define set_escdelay(...) (lazy_curses()->p_set_escdelay(__VA_ARGS__))
#undef set_term
#define set_term(...) (lazy_curses()->p_set_term(__VA_ARGS__))
#undef start_color
#define start_color(...) (lazy_curses()->p_start_color(__VA_ARGS__))
#undef tigetstr
#define tigetstr(...) (lazy_curses()->p_tigetstr(__VA_ARGS__))
#undef use_default_colors
#define use_default_colors(...)                                                \
	(lazy_curses()->p_use_default_colors(__VA_ARGS__))
#undef waddch
#define waddch(...) (lazy_curses()->p_waddch(__VA_ARGS__))
#undef waddnstr
#define waddnstr(...) (lazy_curses()->p_waddnstr(__VA_ARGS__))
#undef wattr_off
#define wattr_off(...) (lazy_curses()->p_wattr_off(__VA_ARGS__))
#undef wattr_on
#define wattr_on(...) (lazy_curses()->p_wattr_on(__VA_ARGS__))
#undef werase
#define werase(...) (lazy_curses()->p_werase(__VA_ARGS__))
#undef wgetch
#define wgetch(...) (lazy_curses()->p_wgetch(__VA_ARGS__))
#undef whline
#define whline(...) (lazy_curses()->p_whline(__VA_ARGS__))
#undef wmove
#define wmove(...) (lazy_curses()->p_wmove(__VA_ARGS__))
#undef wrefresh
#define wrefresh(...) (lazy_curses()->p_wrefresh(__VA_ARGS__))
#undef wtimeout
#define wtimeout(...) (lazy_curses()->p_wtimeout(__VA_ARGS__))
#undef COLS
#define COLS (*lazy_curses()->p_COLS)
#undef LINES
#define LINES (*lazy_curses()->p_LINES)
#undef curscr
#define curscr (*lazy_curses()->p_curscr)
#undef stdscr
#define stdscr (*lazy_curses()->p_stdscr)

#endif
