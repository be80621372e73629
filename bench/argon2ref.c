/*
 * The reference for the unlock target: one bare libsodium Argon2id call at
 * the MODERATE limits (mfa's default KDF), deriving a 32-byte key from a
 * passphrase, as a whole process.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
	unsigned char key[32], salt[crypto_pwhash_SALTBYTES] = {0};
	static const char pass[] = "bench";

	if (sodium_init() < 0)
		return 1;
	if (crypto_pwhash(key, sizeof(key), pass, strlen(pass), salt,
			  crypto_pwhash_OPSLIMIT_MODERATE,
			  crypto_pwhash_MEMLIMIT_MODERATE,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return 1;
	return 0;
}
