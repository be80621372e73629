/*
 * qr decoding: find the QR codes in a PNG, JPEG or Netpbm image.
 *
 * Images are untrusted input (a file someone sent, a screenshot): they are
 * decoded from memory with hard limits on size, and the texts found, which
 * usually hold an OTP secret, live in sodium_malloc'd memory.
 */
#ifndef MFA_QR_DECODE_H
#define MFA_QR_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfa/rc.h"

/* Memory guards: larger images and files are refused. */
#define QR_MAX_PIXELS (40u * 1000u * 1000u)
#define QR_MAX_FILE (64u * 1024u * 1024u)

struct qr_texts {
	/* Each sodium_malloc'd, NUL-terminated: QR payloads hold secrets. */
	char **text;
	size_t *len;
	size_t n;
};

/*
 * True when buf starts like PNG, JPEG, binary PPM/PGM (P6/P5) or plain
 * PPM/PGM (P3/P2), the formats qr_decode_image() reads.
 */
bool qr_is_image(const uint8_t *buf, size_t len);

/*
 * Decode the image in buf and scan it with zbar for QR codes (no other
 * symbology). Appends one text per QR symbol found, in zbar's order, to out,
 * which must be zeroed or hold earlier results. A text is the code's bytes
 * as encoded (zbar's charset guessing is off: UTF-8 stays UTF-8); it may
 * contain NUL bytes, len says how long it is. Returns 0 with out->n >= 1,
 * MFA_ENOQR when the image holds no QR code, MFA_EIMAGE when it cannot be
 * decoded (truncated, corrupt, not an image; err->why gets a short reason such
 * as "truncated PNG"), MFA_ETOOBIG past QR_MAX_FILE or QR_MAX_PIXELS (or a side
 * over 20000 pixels), MFA_ENOMEM, MFA_ECRYPTO when libsodium cannot start.
 * On error nothing is appended. err may be NULL; it is only set on error
 * otherwise. The caller must qr_texts_free() in every case.
 */
int qr_decode_image(const uint8_t *buf, size_t len, struct qr_texts *out,
		    struct mfa_err *err);

/* Wipe and free every text and the arrays; leaves *t zeroed. NULL is fine. */
void qr_texts_free(struct qr_texts *t);

#endif
