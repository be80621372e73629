/*
 * libfido2, loaded on first use (like libzbar in src/qr/zbarapi.h): `mfa`
 * without it runs every other command, and only the commands that reach a
 * security key say which package to install. The types come from <fido.h>
 * itself.
 */
#ifndef MFA_FIDO_FIDOAPI_H
#define MFA_FIDO_FIDOAPI_H

#include <fido.h>

struct fidoapi {
	__typeof__(&fido_init) init;
	__typeof__(&fido_strerr) strerr;
	__typeof__(&fido_dev_new) dev_new;
	__typeof__(&fido_dev_free) dev_free;
	__typeof__(&fido_dev_open) dev_open;
	__typeof__(&fido_dev_close) dev_close;
	__typeof__(&fido_dev_set_io_functions) dev_set_io_functions;
	__typeof__(&fido_dev_is_fido2) dev_is_fido2;
	__typeof__(&fido_dev_has_pin) dev_has_pin;
	__typeof__(&fido_dev_supports_pin) dev_supports_pin;
	__typeof__(&fido_dev_get_retry_count) dev_get_retry_count;
	__typeof__(&fido_dev_info_new) dev_info_new;
	__typeof__(&fido_dev_info_free) dev_info_free;
	__typeof__(&fido_dev_info_manifest) dev_info_manifest;
	__typeof__(&fido_dev_info_ptr) dev_info_ptr;
	__typeof__(&fido_dev_info_path) dev_info_path;
	__typeof__(&fido_dev_info_manufacturer_string) dev_info_manufacturer;
	__typeof__(&fido_dev_info_product_string) dev_info_product;
	__typeof__(&fido_cbor_info_new) cbor_info_new;
	__typeof__(&fido_cbor_info_free) cbor_info_free;
	__typeof__(&fido_dev_get_cbor_info) dev_get_cbor_info;
	__typeof__(&fido_cbor_info_extensions_ptr) cbor_info_extensions_ptr;
	__typeof__(&fido_cbor_info_extensions_len) cbor_info_extensions_len;
	__typeof__(&fido_cred_new) cred_new;
	__typeof__(&fido_cred_free) cred_free;
	__typeof__(&fido_cred_set_type) cred_set_type;
	__typeof__(&fido_cred_set_clientdata_hash) cred_set_clientdata_hash;
	__typeof__(&fido_cred_set_rp) cred_set_rp;
	__typeof__(&fido_cred_set_user) cred_set_user;
	__typeof__(&fido_cred_set_extensions) cred_set_extensions;
	__typeof__(&fido_cred_set_rk) cred_set_rk;
	__typeof__(&fido_dev_make_cred) dev_make_cred;
	__typeof__(&fido_cred_id_ptr) cred_id_ptr;
	__typeof__(&fido_cred_id_len) cred_id_len;
	__typeof__(&fido_assert_new) assert_new;
	__typeof__(&fido_assert_free) assert_free;
	__typeof__(&fido_assert_set_rp) assert_set_rp;
	__typeof__(&fido_assert_set_clientdata_hash) assert_set_clientdata_hash;
	__typeof__(&fido_assert_allow_cred) assert_allow_cred;
	__typeof__(&fido_assert_set_extensions) assert_set_extensions;
	__typeof__(&fido_assert_set_hmac_salt) assert_set_hmac_salt;
	__typeof__(&fido_assert_set_up) assert_set_up;
	__typeof__(&fido_dev_get_assert) dev_get_assert;
	__typeof__(&fido_assert_count) assert_count;
	__typeof__(&fido_assert_id_ptr) assert_id_ptr;
	__typeof__(&fido_assert_id_len) assert_id_len;
	__typeof__(&fido_assert_hmac_secret_ptr) assert_hmac_secret_ptr;
	__typeof__(&fido_assert_hmac_secret_len) assert_hmac_secret_len;
};

/*
 * The loaded table (static, loaded once, never unloaded), or NULL when the
 * library cannot be opened; then *why names it and says why.
 */
const struct fidoapi *fidoapi_load(const char *soname, const char **why);

#endif
