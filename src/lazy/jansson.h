/*
 * jansson, opened on first use: include this instead of <jansson.h>.
 *
 * JSON is read and written by io (foreign formats), aws (the AWS CLI's
 * output) and the cli (list --json), so its one table lives in this base
 * module. json_decref() is an inline function in <jansson.h> that calls
 * json_delete(); it is redefined below so that it calls through the table.
 */
#ifndef MFA_LAZY_JANSSON_H
#define MFA_LAZY_JANSSON_H

#include <jansson.h>

#include "lazy/lazy.h"

#define LAZY_JANSSON_FNS(X)                                                    \
	X(json_array)                                                          \
	X(json_array_append_new)                                               \
	X(json_array_get)                                                      \
	X(json_array_size)                                                     \
	X(json_delete)                                                         \
	X(json_dumpb)                                                          \
	X(json_dumps)                                                          \
	X(json_false)                                                          \
	X(json_get_alloc_funcs)                                                \
	X(json_integer)                                                        \
	X(json_integer_value)                                                  \
	X(json_loadb)                                                          \
	X(json_null)                                                           \
	X(json_object)                                                         \
	X(json_object_get)                                                     \
	X(json_object_set_new)                                                 \
	X(json_pack)                                                           \
	X(json_real_value)                                                     \
	X(json_set_alloc_funcs)                                                \
	X(json_string)                                                         \
	X(json_string_length)                                                  \
	X(json_string_value)                                                   \
	X(json_true)

struct lazy_jansson_api {
	LAZY_JANSSON_FNS(LAZY_FIELD)
};

/*
 * Open libjansson.so.4 and fill the table: 0, or MFA_EUNSUPPORTED with *why
 * (when not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_jansson_load(const char **why);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_jansson_api *lazy_jansson(void);
/*
 * The allocator jansson must use (jansson's json_set_alloc_funcs), set
 * when the library is loaded, or at once if it already is: registering it
 * does not load jansson.
 */
void lazy_jansson_set_alloc(json_malloc_t m, json_free_t f);

/* From here on, calls go through the table. */
#undef json_array
#define json_array(...) (lazy_jansson()->p_json_array(__VA_ARGS__))
#undef json_array_append_new
#define json_array_append_new(...)                                             \
	(lazy_jansson()->p_json_array_append_new(__VA_ARGS__))
#undef json_array_get
#define json_array_get(...) (lazy_jansson()->p_json_array_get(__VA_ARGS__))
#undef json_array_size
#define json_array_size(...) (lazy_jansson()->p_json_array_size(__VA_ARGS__))
#undef json_delete
#define json_delete(...) (lazy_jansson()->p_json_delete(__VA_ARGS__))
#undef json_dumpb
#define json_dumpb(...) (lazy_jansson()->p_json_dumpb(__VA_ARGS__))
#undef json_dumps
#define json_dumps(...) (lazy_jansson()->p_json_dumps(__VA_ARGS__))
#undef json_false
#define json_false(...) (lazy_jansson()->p_json_false(__VA_ARGS__))
#undef json_null
#define json_null(...) (lazy_jansson()->p_json_null(__VA_ARGS__))
#undef json_true
#define json_true(...) (lazy_jansson()->p_json_true(__VA_ARGS__))
#undef json_get_alloc_funcs
#define json_get_alloc_funcs(...)                                              \
	(lazy_jansson()->p_json_get_alloc_funcs(__VA_ARGS__))
#undef json_integer
#define json_integer(...) (lazy_jansson()->p_json_integer(__VA_ARGS__))
#undef json_integer_value
#define json_integer_value(...)                                                \
	(lazy_jansson()->p_json_integer_value(__VA_ARGS__))
#undef json_loadb
#define json_loadb(...) (lazy_jansson()->p_json_loadb(__VA_ARGS__))
#undef json_object
#define json_object(...) (lazy_jansson()->p_json_object(__VA_ARGS__))
#undef json_object_get
#define json_object_get(...) (lazy_jansson()->p_json_object_get(__VA_ARGS__))
#undef json_object_set_new
#define json_object_set_new(...)                                               \
	(lazy_jansson()->p_json_object_set_new(__VA_ARGS__))
#undef json_pack
#define json_pack(...) (lazy_jansson()->p_json_pack(__VA_ARGS__))
#undef json_real_value
#define json_real_value(...) (lazy_jansson()->p_json_real_value(__VA_ARGS__))
#undef json_set_alloc_funcs
#define json_set_alloc_funcs(...)                                              \
	(lazy_jansson()->p_json_set_alloc_funcs(__VA_ARGS__))
#undef json_string
#define json_string(...) (lazy_jansson()->p_json_string(__VA_ARGS__))
#undef json_string_length
#define json_string_length(...)                                                \
	(lazy_jansson()->p_json_string_length(__VA_ARGS__))
#undef json_string_value
#define json_string_value(...)                                                 \
	(lazy_jansson()->p_json_string_value(__VA_ARGS__))

/* <jansson.h>'s inline reference counting, calling through the table. */
static inline void
lazy_json_decref(json_t *json)
{
	if (json != NULL && json->refcount != (size_t)-1 &&
	    JSON_INTERNAL_DECREF(json) == 0)
		json_delete(json);
}

static inline json_t *
lazy_json_incref(json_t *json)
{
	if (json != NULL && json->refcount != (size_t)-1)
		JSON_INTERNAL_INCREF(json);
	return json;
}

#undef json_decref
#define json_decref(j) lazy_json_decref(j)
#undef json_incref
#define json_incref(j) lazy_json_incref(j)

#endif
