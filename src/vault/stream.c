/*
 * XChaCha20-Poly1305 (IETF), a piece at a time.
 *
 * libsodium's crypto_aead_xchacha20poly1305_ietf_* need the whole
 * plaintext in one buffer: a second decrypted copy of the vault beside the
 * decoded data, larger than RLIMIT_MEMLOCK for a big vault. This is the
 * same construction (and the same bytes) from libsodium's parts, so that
 * the payload is decrypted and encrypted through one small locked window:
 *
 *   k2 = HChaCha20(key, nonce[0..15]); n2 = 0^4 || nonce[16..23]
 *   block 0 of ChaCha20-IETF(k2, n2) keys Poly1305;
 *   ciphertext = plaintext XOR ChaCha20-IETF(k2, n2) from block 1;
 *   tag = Poly1305(ad || pad16 || ciphertext || pad16 ||
 *                  le64(adlen) || le64(ctlen)).
 *
 * A reader authenticates the whole ciphertext before decrypting any of it.
 */
#include <string.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

static const uint8_t stream_zero[64];

static void
stream_pad16(struct vault_stream *s, uint64_t len)
{
	crypto_onetimeauth_poly1305_update(&s->mac, stream_zero,
					   (0x10 - len) & 0xf);
}

int
vault_stream_open(struct vault_stream **out, const uint8_t *key,
		  const uint8_t *nonce, const uint8_t *ad, size_t adlen)
{
	struct vault_stream *s;
	uint8_t block0[64];

	*out = NULL;
	if ((s = vault_secmem_alloc(sizeof(*s))) == NULL)
		return MFA_ENOMEM;
	crypto_core_hchacha20(s->k2, nonce, key, NULL);
	memset(s->n2, 0, 4);
	memcpy(s->n2 + 4, nonce + crypto_core_hchacha20_INPUTBYTES, 8);
	crypto_stream_chacha20_ietf(block0, sizeof(block0), s->n2, s->k2);
	crypto_onetimeauth_poly1305_init(&s->mac, block0);
	sodium_memzero(block0, sizeof(block0));
	s->block = 1;
	s->ks_left = 0;
	s->ctlen = 0;
	s->adlen = adlen;
	crypto_onetimeauth_poly1305_update(&s->mac, ad, adlen);
	stream_pad16(s, adlen);
	*out = s;
	return 0;
}

void
vault_stream_xor(struct vault_stream *s, uint8_t *dst, const uint8_t *src,
		 size_t n)
{
	size_t k, full;

	/* The rest of a keystream block a previous call started. */
	k = n < s->ks_left ? n : s->ks_left;
	for (size_t i = 0; i < k; i++)
		dst[i] = src[i] ^ s->ks[64 - s->ks_left + i];
	s->ks_left -= k;
	dst += k;
	src += k;
	n -= k;
	if (n == 0)
		return;
	full = n / 64 * 64;
	if (full > 0) {
		crypto_stream_chacha20_ietf_xor_ic(dst, src, full, s->n2,
						   s->block, s->k2);
		s->block += (uint32_t)(full / 64);
		dst += full;
		src += full;
		n -= full;
	}
	if (n > 0) {
		crypto_stream_chacha20_ietf_xor_ic(s->ks, stream_zero, 64,
						   s->n2, s->block, s->k2);
		s->block++;
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i] ^ s->ks[i];
		s->ks_left = 64 - n;
	}
}

void
vault_stream_auth(struct vault_stream *s, const uint8_t *ct, size_t n)
{
	crypto_onetimeauth_poly1305_update(&s->mac, ct, n);
	s->ctlen += n;
}

void
vault_stream_tag(struct vault_stream *s, uint8_t tag[VAULT_TAG_BYTES])
{
	uint8_t len[8];

	stream_pad16(s, s->ctlen);
	vault_put64(len, s->adlen);
	crypto_onetimeauth_poly1305_update(&s->mac, len, sizeof(len));
	vault_put64(len, s->ctlen);
	crypto_onetimeauth_poly1305_update(&s->mac, len, sizeof(len));
	crypto_onetimeauth_poly1305_final(&s->mac, tag);
}

void
vault_stream_close(struct vault_stream *s)
{
	vault_secmem_free(s, sizeof(*s));
}
