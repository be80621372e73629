/*
 * libqrencode, opened on first use: include this instead of <qrencode.h>.
 */
#ifndef MFA_QR_LAZY_QRENCODE_H
#define MFA_QR_LAZY_QRENCODE_H

#include <qrencode.h>

#include "lazy/lazy.h"

#define LAZY_QRENCODE_FNS(X)                                                   \
	X(QRcode_encodeData)                                                   \
	X(QRcode_free)

struct lazy_qrencode_api {
	LAZY_QRENCODE_FNS(LAZY_FIELD)
};

/*
 * Open libqrencode.so.4 and fill the table: 0, or MFA_EUNSUPPORTED with *why
 * (when not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_qrencode_load(const char **why);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_qrencode_api *lazy_qrencode(void);

/* From here on, calls go through the table. */
#undef QRcode_encodeData
#define QRcode_encodeData(...)                                                 \
	(lazy_qrencode()->p_QRcode_encodeData(__VA_ARGS__))
#undef QRcode_free
#define QRcode_free(...) (lazy_qrencode()->p_QRcode_free(__VA_ARGS__))

#endif
