/*
 * protobuf-c, opened on first use: included before "google_auth.pb-c.h"
 * (and forced into the generated google_auth.pb-c.c by the Makefile), so the
 * generated code calls the library through the table too.
 *
 * The generated descriptors take the address of protobuf_c_empty_string in
 * static initialisers, which a dlsym() result cannot be; it is renamed to a
 * copy of our own. protobuf-c compares string fields only with each field's
 * default_value pointer (the same way Windows builds get a copy per file),
 * never with its own empty string, so the copy is safe.
 */
#ifndef MFA_IO_LAZY_PROTOBUF_H
#define MFA_IO_LAZY_PROTOBUF_H

#include <protobuf-c/protobuf-c.h>

#include "lazy/lazy.h"

#define LAZY_PROTOBUF_FNS(X)                                                   \
	X(protobuf_c_message_free_unpacked)                                    \
	X(protobuf_c_message_get_packed_size)                                  \
	X(protobuf_c_message_pack)                                             \
	X(protobuf_c_message_pack_to_buffer)                                   \
	X(protobuf_c_message_unpack)

struct lazy_protobuf_api {
	LAZY_PROTOBUF_FNS(LAZY_FIELD)
};

/*
 * Open libprotobuf-c.so.1 and fill the table: 0, or MFA_EUNSUPPORTED with *why
 * (when not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_protobuf_load(const char **err);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_protobuf_api *lazy_protobuf(void);

/* From here on, calls go through the table. */
#undef protobuf_c_message_free_unpacked
#define protobuf_c_message_free_unpacked(...)                                  \
	(lazy_protobuf()->p_protobuf_c_message_free_unpacked(__VA_ARGS__))
#undef protobuf_c_message_get_packed_size
#define protobuf_c_message_get_packed_size(...)                                \
	(lazy_protobuf()->p_protobuf_c_message_get_packed_size(__VA_ARGS__))
#undef protobuf_c_message_pack
#define protobuf_c_message_pack(...)                                           \
	(lazy_protobuf()->p_protobuf_c_message_pack(__VA_ARGS__))
#undef protobuf_c_message_pack_to_buffer
#define protobuf_c_message_pack_to_buffer(...)                                 \
	(lazy_protobuf()->p_protobuf_c_message_pack_to_buffer(__VA_ARGS__))
#undef protobuf_c_message_unpack
#define protobuf_c_message_unpack(...)                                         \
	(lazy_protobuf()->p_protobuf_c_message_unpack(__VA_ARGS__))

#define protobuf_c_empty_string lazy_protobuf_empty_string
extern const char lazy_protobuf_empty_string[];

#endif
