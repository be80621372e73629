/*
 * qr encoding: show a secret's otpauth URI as a QR code, on a terminal or as
 * a PNG. Codes are made by libqrencode in 8-bit mode with error correction
 * level M. Every output draws the secret, so it is returned in
 * sodium_malloc'd memory that the caller releases with sodium_free().
 *
 * Errors: MFA_EINVAL (NULL or empty text, scale 0), MFA_ETOOLONG (text too
 * long for any QR version at level M, ~2300 bytes), MFA_ETOOBIG (PNG side
 * over 20000 pixels), MFA_ENOMEM, MFA_ECRYPTO (libsodium cannot start),
 * MFA_EIO (libpng failed for another reason).
 * On error *out is NULL.
 */
#ifndef MFA_QR_ENCODE_H
#define MFA_QR_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Modules of light border around the code, per side. */
#define QR_TERMINAL_QUIET 2
#define QR_PNG_QUIET 4

/*
 * Render text for a terminal with UTF-8 half blocks (U+2580 '▀', U+2584
 * '▄', U+2588 '█' and space), one character per module column and two
 * module rows per line, with QR_TERMINAL_QUIET modules of quiet zone.
 *
 * ansi true: every line starts with "\033[38;5;16;48;5;231m" (256-colour
 * palette black on white, which themes do not remap the way they remap the
 * 16 basic colours) and ends with "\033[0m\n". Blocks draw the dark
 * modules, so the code reads the same on dark and light terminals.
 *
 * ansi false: no escape sequences, lines end with "\n". Blocks draw the
 * LIGHT modules in the terminal's foreground colour and dark modules are
 * spaces, so the code is correct on the usual light-on-dark terminal (as
 * `qrencode -t UTF8` does). On a dark-on-light terminal it shows inverted,
 * which most phone scanners also accept; use ansi when in doubt.
 *
 * When the number of module rows is odd, the lower half of the last line is
 * outside the code: blank in plain mode, white in ansi mode.
 * *out is NUL-terminated, *outlen excludes the NUL.
 */
int qr_render_terminal(const char *text, bool ansi, char **out, size_t *outlen);

/*
 * Render text as an 8-bit greyscale PNG, black on white, `scale` pixels per
 * module (>= 1, e.g. 8) and a QR_PNG_QUIET-module quiet zone, into a
 * sodium_malloc'd buffer (*out, *outlen). The CLI writes it to a file
 * atomically itself.
 */
int qr_render_png(const char *text, unsigned scale, uint8_t **out,
		  size_t *outlen);

#endif
