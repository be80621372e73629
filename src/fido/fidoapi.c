/* Loading libfido2 on first use; see fidoapi.h for why. */
#include "fido/fidoapi.h"

#include <dlfcn.h>
#include <stdio.h>

const struct fidoapi *
fidoapi_load(const char *soname, const char **why)
{
	static struct fidoapi api;
	static int loaded; /* 0 not tried, 1 ok, -1 failed */
	static char err[512];
	void *h;

	if (loaded == 0) {
		loaded = -1;
		if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
			snprintf(err, sizeof(err), "%s", dlerror());
			goto out;
		}
#define FIDOAPI_SYM(field, name)                                               \
	if ((api.field = (__typeof__(api.field))dlsym(h, name)) == NULL) {     \
		snprintf(err, sizeof(err), "%s lacks %s (too old?)", soname,   \
			 name);                                                \
		goto out;                                                      \
	}
		FIDOAPI_SYM(init, "fido_init")
		FIDOAPI_SYM(strerr, "fido_strerr")
		FIDOAPI_SYM(dev_new, "fido_dev_new")
		FIDOAPI_SYM(dev_free, "fido_dev_free")
		FIDOAPI_SYM(dev_open, "fido_dev_open")
		FIDOAPI_SYM(dev_close, "fido_dev_close")
		FIDOAPI_SYM(dev_set_io_functions, "fido_dev_set_io_functions")
		FIDOAPI_SYM(dev_is_fido2, "fido_dev_is_fido2")
		FIDOAPI_SYM(dev_has_pin, "fido_dev_has_pin")
		FIDOAPI_SYM(dev_supports_pin, "fido_dev_supports_pin")
		FIDOAPI_SYM(dev_get_retry_count, "fido_dev_get_retry_count")
		FIDOAPI_SYM(dev_info_new, "fido_dev_info_new")
		FIDOAPI_SYM(dev_info_free, "fido_dev_info_free")
		FIDOAPI_SYM(dev_info_manifest, "fido_dev_info_manifest")
		FIDOAPI_SYM(dev_info_ptr, "fido_dev_info_ptr")
		FIDOAPI_SYM(dev_info_path, "fido_dev_info_path")
		FIDOAPI_SYM(dev_info_manufacturer,
			    "fido_dev_info_manufacturer_string")
		FIDOAPI_SYM(dev_info_product, "fido_dev_info_product_string")
		FIDOAPI_SYM(cbor_info_new, "fido_cbor_info_new")
		FIDOAPI_SYM(cbor_info_free, "fido_cbor_info_free")
		FIDOAPI_SYM(dev_get_cbor_info, "fido_dev_get_cbor_info")
		FIDOAPI_SYM(cbor_info_extensions_ptr,
			    "fido_cbor_info_extensions_ptr")
		FIDOAPI_SYM(cbor_info_extensions_len,
			    "fido_cbor_info_extensions_len")
		FIDOAPI_SYM(cred_new, "fido_cred_new")
		FIDOAPI_SYM(cred_free, "fido_cred_free")
		FIDOAPI_SYM(cred_set_type, "fido_cred_set_type")
		FIDOAPI_SYM(cred_set_clientdata_hash,
			    "fido_cred_set_clientdata_hash")
		FIDOAPI_SYM(cred_set_rp, "fido_cred_set_rp")
		FIDOAPI_SYM(cred_set_user, "fido_cred_set_user")
		FIDOAPI_SYM(cred_set_extensions, "fido_cred_set_extensions")
		FIDOAPI_SYM(cred_set_rk, "fido_cred_set_rk")
		FIDOAPI_SYM(dev_make_cred, "fido_dev_make_cred")
		FIDOAPI_SYM(cred_id_ptr, "fido_cred_id_ptr")
		FIDOAPI_SYM(cred_id_len, "fido_cred_id_len")
		FIDOAPI_SYM(assert_new, "fido_assert_new")
		FIDOAPI_SYM(assert_free, "fido_assert_free")
		FIDOAPI_SYM(assert_set_rp, "fido_assert_set_rp")
		FIDOAPI_SYM(assert_set_clientdata_hash,
			    "fido_assert_set_clientdata_hash")
		FIDOAPI_SYM(assert_allow_cred, "fido_assert_allow_cred")
		FIDOAPI_SYM(assert_set_extensions, "fido_assert_set_extensions")
		FIDOAPI_SYM(assert_set_hmac_salt, "fido_assert_set_hmac_salt")
		FIDOAPI_SYM(assert_set_up, "fido_assert_set_up")
		FIDOAPI_SYM(dev_get_assert, "fido_dev_get_assert")
		FIDOAPI_SYM(assert_count, "fido_assert_count")
		FIDOAPI_SYM(assert_id_ptr, "fido_assert_id_ptr")
		FIDOAPI_SYM(assert_id_len, "fido_assert_id_len")
		FIDOAPI_SYM(assert_hmac_secret_ptr,
			    "fido_assert_hmac_secret_ptr")
		FIDOAPI_SYM(assert_hmac_secret_len,
			    "fido_assert_hmac_secret_len")
#undef FIDOAPI_SYM
		/* No debug flag: libfido2 logs protocol bytes only when the
		 * user asks with FIDO_DEBUG. */
		api.init(0);
		loaded = 1;
	}
out:
	if (why != NULL)
		*why = loaded > 0 ? NULL : err;
	return loaded > 0 ? &api : NULL;
}
