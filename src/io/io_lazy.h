/*
 * The optional libraries each format needs (src/lazy), loaded before a
 * file is read or written, so that a missing one is a clear error
 * ("cannot load libcrypto.so.3: install the Debian package libssl3") rather
 * than a failure halfway.
 */
#ifndef MFA_IO_IO_LAZY_H
#define MFA_IO_IO_LAZY_H

#include "io/io.h"

/* 0, or MFA_EUNSUPPORTED with why naming the library and its package. */
int io_lazy_need(enum io_format fmt, struct mfa_err *err);

#endif
