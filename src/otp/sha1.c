/*
 * SHA-1 (FIPS 180-4 section 6.1). Fully unrolled with a 16-word rolling
 * message schedule: a verification scan runs two compressions per
 * candidate code, so this loop is the scan's whole cost.
 */
#include "otp/sha1.h"

#include <string.h>

static inline uint32_t
sha1_rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static inline uint32_t
sha1_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

#define SHA1_F1(b, c, d) (d ^ (b & (c ^ d)))
#define SHA1_F2(b, c, d) (b ^ c ^ d)
#define SHA1_F3(b, c, d) ((b & c) | (d & (b | c)))
#define SHA1_W(i)                                                              \
	(w[(i)&15] = sha1_rol(w[((i) + 13) & 15] ^ w[((i) + 8) & 15] ^         \
				  w[((i) + 2) & 15] ^ w[(i)&15],               \
			      1))
#define SHA1_R(a, b, c, d, e, f, k, x)                                         \
	do {                                                                   \
		e += sha1_rol(a, 5) + f(b, c, d) + (k) + (x);                  \
		b = sha1_rol(b, 30);                                           \
	} while (0)
/* Five rounds rotate the roles of a..e back to where they started. */
#define SHA1_R5(f, k, x0, x1, x2, x3, x4)                                      \
	do {                                                                   \
		SHA1_R(a, b, c, d, e, f, k, x0);                               \
		SHA1_R(e, a, b, c, d, f, k, x1);                               \
		SHA1_R(d, e, a, b, c, f, k, x2);                               \
		SHA1_R(c, d, e, a, b, f, k, x3);                               \
		SHA1_R(b, c, d, e, a, f, k, x4);                               \
	} while (0)

void
sha1_compress_portable(uint32_t h[5], const uint8_t block[SHA1_BLOCK])
{
	uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = sha1_be32(block + 4 * i);
	SHA1_R5(SHA1_F1, 0x5a827999, w[0], w[1], w[2], w[3], w[4]);
	SHA1_R5(SHA1_F1, 0x5a827999, w[5], w[6], w[7], w[8], w[9]);
	SHA1_R5(SHA1_F1, 0x5a827999, w[10], w[11], w[12], w[13], w[14]);
	SHA1_R5(SHA1_F1, 0x5a827999, w[15], SHA1_W(16), SHA1_W(17), SHA1_W(18),
		SHA1_W(19));
	SHA1_R5(SHA1_F2, 0x6ed9eba1, SHA1_W(20), SHA1_W(21), SHA1_W(22),
		SHA1_W(23), SHA1_W(24));
	SHA1_R5(SHA1_F2, 0x6ed9eba1, SHA1_W(25), SHA1_W(26), SHA1_W(27),
		SHA1_W(28), SHA1_W(29));
	SHA1_R5(SHA1_F2, 0x6ed9eba1, SHA1_W(30), SHA1_W(31), SHA1_W(32),
		SHA1_W(33), SHA1_W(34));
	SHA1_R5(SHA1_F2, 0x6ed9eba1, SHA1_W(35), SHA1_W(36), SHA1_W(37),
		SHA1_W(38), SHA1_W(39));
	SHA1_R5(SHA1_F3, 0x8f1bbcdc, SHA1_W(40), SHA1_W(41), SHA1_W(42),
		SHA1_W(43), SHA1_W(44));
	SHA1_R5(SHA1_F3, 0x8f1bbcdc, SHA1_W(45), SHA1_W(46), SHA1_W(47),
		SHA1_W(48), SHA1_W(49));
	SHA1_R5(SHA1_F3, 0x8f1bbcdc, SHA1_W(50), SHA1_W(51), SHA1_W(52),
		SHA1_W(53), SHA1_W(54));
	SHA1_R5(SHA1_F3, 0x8f1bbcdc, SHA1_W(55), SHA1_W(56), SHA1_W(57),
		SHA1_W(58), SHA1_W(59));
	SHA1_R5(SHA1_F2, 0xca62c1d6, SHA1_W(60), SHA1_W(61), SHA1_W(62),
		SHA1_W(63), SHA1_W(64));
	SHA1_R5(SHA1_F2, 0xca62c1d6, SHA1_W(65), SHA1_W(66), SHA1_W(67),
		SHA1_W(68), SHA1_W(69));
	SHA1_R5(SHA1_F2, 0xca62c1d6, SHA1_W(70), SHA1_W(71), SHA1_W(72),
		SHA1_W(73), SHA1_W(74));
	SHA1_R5(SHA1_F2, 0xca62c1d6, SHA1_W(75), SHA1_W(76), SHA1_W(77),
		SHA1_W(78), SHA1_W(79));
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	sha1_wipe(w, sizeof(w));
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * The same compression with the SHA extensions (SHA1RNDS4 and friends),
 * about three times faster where the processor has them; chosen at run
 * time, so one binary runs everywhere.
 */
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("sha,sse4.1"))) static void
sha1_compress_ni(uint32_t h[5], const uint8_t block[SHA1_BLOCK])
{
	const __m128i swap =
	    _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
	__m128i abcd, abcd0, e0, e1, e00, m0, m1, m2, m3;

	abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
	e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
	abcd0 = abcd;
	e00 = e0;
	/* rounds 0-3 */
	m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 0)),
			      swap);
	e0 = _mm_add_epi32(e0, m0);
	e1 = abcd;
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
	/* rounds 4-7 */
	m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16)),
			      swap);
	e1 = _mm_sha1nexte_epu32(e1, m1);
	e0 = abcd;
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
	m0 = _mm_sha1msg1_epu32(m0, m1);
	/* rounds 8-11 */
	m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 32)),
			      swap);
	e0 = _mm_sha1nexte_epu32(e0, m2);
	e1 = abcd;
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
	m1 = _mm_sha1msg1_epu32(m1, m2);
	m0 = _mm_xor_si128(m0, m2);
	/* rounds 12-15 */
	m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 48)),
			      swap);
	e1 = _mm_sha1nexte_epu32(e1, m3);
	e0 = abcd;
	m0 = _mm_sha1msg2_epu32(m0, m3);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
	m2 = _mm_sha1msg1_epu32(m2, m3);
	m1 = _mm_xor_si128(m1, m3);
	/* rounds 16-19 */
	e0 = _mm_sha1nexte_epu32(e0, m0);
	e1 = abcd;
	m1 = _mm_sha1msg2_epu32(m1, m0);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
	m3 = _mm_sha1msg1_epu32(m3, m0);
	m2 = _mm_xor_si128(m2, m0);
	/* rounds 20-23 */
	e1 = _mm_sha1nexte_epu32(e1, m1);
	e0 = abcd;
	m2 = _mm_sha1msg2_epu32(m2, m1);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 1);
	m0 = _mm_sha1msg1_epu32(m0, m1);
	m3 = _mm_xor_si128(m3, m1);
	/* rounds 24-27 */
	e0 = _mm_sha1nexte_epu32(e0, m2);
	e1 = abcd;
	m3 = _mm_sha1msg2_epu32(m3, m2);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 1);
	m1 = _mm_sha1msg1_epu32(m1, m2);
	m0 = _mm_xor_si128(m0, m2);
	/* rounds 28-31 */
	e1 = _mm_sha1nexte_epu32(e1, m3);
	e0 = abcd;
	m0 = _mm_sha1msg2_epu32(m0, m3);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 1);
	m2 = _mm_sha1msg1_epu32(m2, m3);
	m1 = _mm_xor_si128(m1, m3);
	/* rounds 32-35 */
	e0 = _mm_sha1nexte_epu32(e0, m0);
	e1 = abcd;
	m1 = _mm_sha1msg2_epu32(m1, m0);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 1);
	m3 = _mm_sha1msg1_epu32(m3, m0);
	m2 = _mm_xor_si128(m2, m0);
	/* rounds 36-39 */
	e1 = _mm_sha1nexte_epu32(e1, m1);
	e0 = abcd;
	m2 = _mm_sha1msg2_epu32(m2, m1);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 1);
	m0 = _mm_sha1msg1_epu32(m0, m1);
	m3 = _mm_xor_si128(m3, m1);
	/* rounds 40-43 */
	e0 = _mm_sha1nexte_epu32(e0, m2);
	e1 = abcd;
	m3 = _mm_sha1msg2_epu32(m3, m2);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 2);
	m1 = _mm_sha1msg1_epu32(m1, m2);
	m0 = _mm_xor_si128(m0, m2);
	/* rounds 44-47 */
	e1 = _mm_sha1nexte_epu32(e1, m3);
	e0 = abcd;
	m0 = _mm_sha1msg2_epu32(m0, m3);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 2);
	m2 = _mm_sha1msg1_epu32(m2, m3);
	m1 = _mm_xor_si128(m1, m3);
	/* rounds 48-51 */
	e0 = _mm_sha1nexte_epu32(e0, m0);
	e1 = abcd;
	m1 = _mm_sha1msg2_epu32(m1, m0);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 2);
	m3 = _mm_sha1msg1_epu32(m3, m0);
	m2 = _mm_xor_si128(m2, m0);
	/* rounds 52-55 */
	e1 = _mm_sha1nexte_epu32(e1, m1);
	e0 = abcd;
	m2 = _mm_sha1msg2_epu32(m2, m1);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 2);
	m0 = _mm_sha1msg1_epu32(m0, m1);
	m3 = _mm_xor_si128(m3, m1);
	/* rounds 56-59 */
	e0 = _mm_sha1nexte_epu32(e0, m2);
	e1 = abcd;
	m3 = _mm_sha1msg2_epu32(m3, m2);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 2);
	m1 = _mm_sha1msg1_epu32(m1, m2);
	m0 = _mm_xor_si128(m0, m2);
	/* rounds 60-63 */
	e1 = _mm_sha1nexte_epu32(e1, m3);
	e0 = abcd;
	m0 = _mm_sha1msg2_epu32(m0, m3);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
	m2 = _mm_sha1msg1_epu32(m2, m3);
	m1 = _mm_xor_si128(m1, m3);
	/* rounds 64-67 */
	e0 = _mm_sha1nexte_epu32(e0, m0);
	e1 = abcd;
	m1 = _mm_sha1msg2_epu32(m1, m0);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 3);
	m3 = _mm_sha1msg1_epu32(m3, m0);
	m2 = _mm_xor_si128(m2, m0);
	/* rounds 68-71 */
	e1 = _mm_sha1nexte_epu32(e1, m1);
	e0 = abcd;
	m2 = _mm_sha1msg2_epu32(m2, m1);
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
	m3 = _mm_xor_si128(m3, m1);
	/* rounds 72-75 */
	e0 = _mm_sha1nexte_epu32(e0, m2);
	e1 = abcd;
	m3 = _mm_sha1msg2_epu32(m3, m2);
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 3);
	/* rounds 76-79 */
	e1 = _mm_sha1nexte_epu32(e1, m3);
	e0 = abcd;
	abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
	e0 = _mm_sha1nexte_epu32(e0, e00);
	abcd = _mm_add_epi32(abcd, abcd0);
	_mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
	h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
	/* m0..m3 held the message schedule: clear the vector registers. */
	m0 = m1 = m2 = m3 = _mm_setzero_si128();
	__asm__ __volatile__("" : : "x"(m0), "x"(m1), "x"(m2), "x"(m3));
}

static int
sha1_have_ni(void)
{
	static int have = -1; /* -1 not asked yet */
	unsigned a, b, c, d;
	int v = __atomic_load_n(&have, __ATOMIC_RELAXED);

	if (v < 0) {
		v = __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
		    (b & (1u << 29)) && __get_cpuid(1, &a, &b, &c, &d) &&
		    (c & (1u << 19));
		__atomic_store_n(&have, v, __ATOMIC_RELAXED);
	}
	return v;
}
#endif

void
sha1_compress(uint32_t h[5], const uint8_t block[SHA1_BLOCK])
{
#if defined(__x86_64__) || defined(__i386__)
	if (sha1_have_ni()) {
		sha1_compress_ni(h, block);
		return;
	}
#endif
	sha1_compress_portable(h, block);
}

void
sha1_store(const uint32_t h[5], uint8_t out[SHA1_DIGEST])
{
	unsigned i;

	for (i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

void
sha1_init(struct sha1_ctx *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe,
				       0x10325476, 0xc3d2e1f0};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
}

void
sha1_update(struct sha1_ctx *c, const void *p, size_t n)
{
	const uint8_t *in = p;
	size_t used = (size_t)(c->len % SHA1_BLOCK), take;

	c->len += n;
	if (used > 0) {
		take = SHA1_BLOCK - used < n ? SHA1_BLOCK - used : n;
		memcpy(c->buf + used, in, take);
		in += take;
		n -= take;
		if (used + take < SHA1_BLOCK)
			return;
		sha1_compress(c->h, c->buf);
	}
	for (; n >= SHA1_BLOCK; in += SHA1_BLOCK, n -= SHA1_BLOCK)
		sha1_compress(c->h, in);
	if (n > 0)
		memcpy(c->buf, in, n);
}

void
sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST])
{
	size_t used = (size_t)(c->len % SHA1_BLOCK);
	uint64_t bits = c->len * 8;
	int i;

	c->buf[used++] = 0x80;
	if (used > SHA1_BLOCK - 8) {
		memset(c->buf + used, 0, SHA1_BLOCK - used);
		sha1_compress(c->h, c->buf);
		used = 0;
	}
	memset(c->buf + used, 0, SHA1_BLOCK - 8 - used);
	for (i = 0; i < 8; i++)
		c->buf[SHA1_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha1_compress(c->h, c->buf);
	sha1_store(c->h, out);
	sha1_wipe(c, sizeof(*c));
}
