/*
 * Private interface between io.c (detection, dispatch, shared helpers) and
 * one file per foreign format. Same conventions as io.h: append to `out`
 * only on success, `why` gets a short reason on failure.
 */
#ifndef MFA_IO_FORMATS_H
#define MFA_IO_FORMATS_H

#include "lazy/jansson.h"

#include "io/io.h"

/* uri_list.c: otpauth:// and otpauth-migration:// lines. */
int urilist_import(const uint8_t *buf, size_t len, struct io_list *out,
		   struct mfa_err *err);
/* google.c: one otpauth-migration://offline?data=... URI. */
int google_import_uri(const char *uri, size_t len, struct io_list *out,
		      struct mfa_err *err);
/* aws_seed.c: bare base32 (needs a name given later by the cli). */
int awsseed_import(const uint8_t *buf, size_t len, struct io_list *out,
		   struct mfa_err *err);
/* json.c: mfa's own JSON export. */
int mfajson_import(const uint8_t *buf, size_t len, struct io_list *out,
		   struct mfa_err *err);

/* aegis.c, andotp.c, twofas.c: plain or encrypted. */
int aegis_import(const uint8_t *buf, size_t len, io_pass_fn pass,
		 void *pass_arg, struct io_list *out, struct mfa_err *err);
int andotp_import(const uint8_t *buf, size_t len, io_pass_fn pass,
		  void *pass_arg, struct io_list *out, struct mfa_err *err);
int twofas_import(const uint8_t *buf, size_t len, io_pass_fn pass,
		  void *pass_arg, struct io_list *out, struct mfa_err *err);

/*
 * Content sniffing (each: true when buf looks like it). io_detect parses a
 * JSON file once and asks the *_json forms; the buffer forms load it
 * themselves (through io_json_sniff) for other callers.
 */
bool aegis_sniff_json(const json_t *root);
bool andotp_sniff_json(const json_t *root);
bool twofas_sniff_json(const json_t *root);
bool aegis_sniff(const uint8_t *buf, size_t len);
bool andotp_sniff(const uint8_t *buf, size_t len);
bool twofas_sniff(const uint8_t *buf, size_t len);

#endif
