/*
 * otpauth:// URIs: our policy case by case, every case of the third-party
 * fixture files in ../shared/fixtures/uris (JSON, loaded at run time), and
 * uri_format output read back by pyotp (Debian's python3-pyotp).
 *
 * The fixture projects disagree with each other (see that folder's
 * PROVENANCE.md, "Where the sources DISAGREE"). We follow Google's Key Uri
 * Format, as src/otp/uri.c and include/mfa/otp.h say; where a fixture
 * expects something else, the case is listed in `overrides` below with our
 * result and the reason, so no disagreement is hidden.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "mfa/otp.h"

#include "fixtures.h"

#define ANY_ERR 1 /* any negative code */

/* What a parse must give; NULL and 0 fields are not checked. */
struct want {
	int rc;
	const char *type, *name, *issuer, *alg, *errparam;
	const char *secret_b32, *secret_hex, *counter;
	unsigned digits;
	uint64_t period;
};

/*
 * Our policy, one line each. Each row is a decision; `why` says where it
 * comes from. The Key Uri Format is
 * https://github.com/google/google-authenticator/wiki/Key-Uri-Format
 */
static const struct policy_case {
	const char *uri;
	struct want w;
	const char *why;
} policy[] = {
    {"otpauth://totp/ACME%20Co:john@example.com?secret=GEZDGNBV&issuer=ACME%"
     "20Co&algorithm=SHA256&digits=8&period=60",
     {.type = "totp",
      .name = "john@example.com",
      .issuer = "ACME Co",
      .alg = "SHA256",
      .digits = 8,
      .period = 60,
      .secret_hex = "3132333435"},
     "the Key Uri Format example, every parameter"},
    {"otpauth://totp/ACME%3Abob?secret=GEZDGNBV",
     {.name = "bob", .issuer = "ACME"},
     "%3A separates issuer and account (Key Uri Format; pyotp disagrees)"},
    {"otpauth://totp/ACME%3abob?secret=GEZDGNBV",
     {.name = "bob", .issuer = "ACME"},
     "lower-case %3a too"},
    {"otpauth://totp/A:bob?secret=GEZDGNBV&issuer=B",
     {.name = "bob", .issuer = "B"},
     "issuer= wins over the label prefix (Key Uri Format: preferred)"},
    {"otpauth://totp/SomeIssuer:?secret=GEZDGNBV&issuer=AnotherIssuer",
     {.name = "", .issuer = "AnotherIssuer"},
     "pyotp's 'issuer mismatch' error case, with a secret: ACCEPTED, the "
     "parameter wins, because real exports (hectorm's test data) disagree "
     "and refusing would lose an account"},
    {"otpauth://totp/A:bob?secret=GEZDGNBV&issuer=",
     {.name = "bob", .issuer = "A"},
     "an empty issuer= keeps the label prefix (hectorm/otpauth)"},
    {"otpauth://totp/bob?secret=GEZDGNBV",
     {.name = "bob", .issuer = ""},
     "a label without ':' is the account name, issuer empty (pyotp, "
     "pquerna; Stratum takes it as the issuer)"},
    {"otpauth://totp/bob?secret=GEZDGNBV&issuer=X",
     {.name = "bob", .issuer = "X"},
     "account in the label, issuer from the parameter"},
    {"otpauth://totp/:bob?secret=GEZDGNBV",
     {.name = "bob", .issuer = ""},
     "an empty prefix is an empty issuer"},
    {"otpauth://totp/A:b:c?secret=GEZDGNBV",
     {.name = "b:c", .issuer = "A"},
     "split at the first ':' only"},
    {"otpauth://totp/Text%3A%20More:Secret?secret=GEZDGNBV&issuer=Text%3A%"
     "20More",
     {.name = "Secret", .issuer = "Text: More"},
     "an issuer= holding ':' that prefixes the label is split off whole"},
    {"otpauth://totp/ACME:%20%20bob?secret=GEZDGNBV",
     {.name = "bob", .issuer = "ACME"},
     "spaces after the separator are dropped (Key Uri Format)"},
    {"otpauth://totp/ACME:  bob?secret=GEZDGNBV",
     {.name = "bob", .issuer = "ACME"},
     "literal spaces after the separator too (hectorm test data)"},
    {"otpauth://totp/%20bob?secret=GEZDGNBV",
     {.name = " bob", .issuer = ""},
     "without a separator nothing is trimmed"},
    {"otpauth://totp/a+b?secret=GEZDGNBV",
     {.name = "a+b"},
     "'+' is literal in the label (a path)"},
    {"otpauth://totp/x?secret=GEZDGNBV&issuer=Big+Corp",
     {.issuer = "Big Corp"},
     "'+' is a space in the query (form encoding)"},
    {"otpauth://totp/x?secret=GEZDGNBV&issuer=A%2BB",
     {.issuer = "A+B"},
     "%2B is a plus"},
    {"otpauth://totp/x?secret=GEZDGNBV&amp;issuer=Amp&amp;digits=8",
     {.issuer = "Amp", .digits = 8},
     "\"&amp;\" from web pages separates like '&'"},
    {"otpauth://totp/x?&&secret=GEZDGNBV&&digits=7&",
     {.digits = 7},
     "empty query pieces are skipped"},
    {"otpauth://totp/x?digits=6&secret=GEZDGNBV&digits=8",
     {.rc = MFA_EURI_REPEAT, .errparam = "digits"},
     "a repeated parameter is refused, naming it: apps disagree on which "
     "copy wins (pyotp the first, others the last)"},
    {"otpauth://totp/x?secret=AAAAAAAA&secret=GEZDGNBV",
     {.rc = MFA_EURI_REPEAT, .errparam = "secret"},
     "two secrets: two different accounts to two apps"},
    {"otpauth://totp/x?issuer=A&secret=GEZDGNBV&issuer=B",
     {.rc = MFA_EURI_REPEAT, .errparam = "issuer"},
     "two issuers"},
    {"otpauth://totp/x?secret=GEZDGNBV&Digits=6&DIGITS=6",
     {.rc = MFA_EURI_REPEAT, .errparam = "digits"},
     "keys are case-insensitive, so these repeat; even the same value is "
     "refused (one rule, nothing to weigh)"},
    {"otpauth://totp/x?secret=GEZDGNBV&image=a&image=b",
     {.name = "x"},
     "parameters we do not read may repeat: they change nothing"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=9223372036854775807",
     {.counter = "9223372036854775807"},
     "the largest counter: 2^63 - 1"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=9223372036854775808",
     {.rc = MFA_EURI_COUNTER, .errparam = "counter"},
     "2^63 is refused at the door: no export format could carry it"},
    {"otpauth://totp/x?secret=GEZDGNBV&mfa-note=two%0Alines&mfa-serial=arn%"
     "3Aaws%3Aiam%3A%3A1%3Amfa%2Fx",
     {.name = "x"},
     "mfa's own note and serial parameters (checked in test_note_serial)"},
    {"otpauth://totp/x?secret=GEZDGNBV&mfa-note=a&mfa-note=b",
     {.rc = MFA_EURI_REPEAT, .errparam = "mfa-note"},
     "mfa's own parameters do not repeat either"},
    {"OTPAUTH://TOTP/x?SECRET=GEZDGNBV&ALGORITHM=sha512&DIGITS=7&PERIOD=45",
     {.type = "totp", .alg = "SHA512", .digits = 7, .period = 45},
     "upper-case scheme, type and keys (hectorm test data)"},
    {"OtpAuth://Hotp/x?Secret=GEZDGNBV&Counter=5",
     {.type = "hotp", .counter = "5"},
     "mixed case"},
    {"otpauth://totp/x?secret=gezd%20gnbv",
     {.secret_hex = "3132333435"},
     "the secret forgives case and spaces like the base32 decoder"},
    {"otpauth://totp/x?secret=GEZDGNBV%3D%3D%3D",
     {.secret_hex = "3132333435"},
     "percent-encoded padding"},
    {"otpauth://totp/x?secret=GEZDGNBV\n",
     {.secret_hex = "3132333435"},
     "a trailing newline is ignored (pquerna)"},
    {"otpauth://totp/x?secret=GEZDGNBV\r\n",
     {.secret_hex = "3132333435"},
     "and CRLF"},
    {"otpauth://totp/x?secret=GEZDGNBV&unknown=1&image=http%3A%2F%2Fx",
     {.secret_hex = "3132333435"},
     "unknown parameters are ignored"},
    {"otpauth://totp?secret=GEZDGNBV",
     {.name = "", .issuer = ""},
     "no label at all: empty name (pyotp parses it too)"},
    {"otpauth://totp/?secret=GEZDGNBV",
     {.name = "", .issuer = ""},
     "an empty label likewise (Stratum refuses; the cli asks for a name)"},
    {"otpauth://totp/x?secret=GEZDGNBV&algorithm=sha-256",
     {.alg = "SHA256"},
     "algorithm names as otp_hash_parse reads them"},
    {"otpauth://totp/x?secret=GEZDGNBV&algorithm=HmacSHA512",
     {.alg = "SHA512"},
     "HmacSHA512 (some Java exporters)"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=1",
     {.digits = 1},
     "digits 1 is the smallest"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=10",
     {.digits = 10},
     "digits 10 is the largest (a 31-bit value has 10 digits)"},
    {"otpauth://totp/x?secret=GEZDGNBV&period=1",
     {.period = 1},
     "period 1 is the smallest"},
    {"otpauth://totp/x?secret=GEZDGNBV&period=4294967295",
     {.period = 4294967295u},
     "period up to 2^32-1"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=0",
     {.type = "hotp", .counter = "0"},
     "counter 0"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=18446744073709551615",
     {.rc = MFA_EURI_COUNTER, .errparam = "counter"},
     "counters above 2^63 - 1 are refused (oathtool computes them, but "
     "Google, Aegis and JSON readers hold a signed 64-bit counter)"},
    {"otpauth://totp/x?secret=GEZDGNBV&counter=7",
     {.type = "totp"},
     "a counter on TOTP is harmless"},
    {"otpauth://steam/x?secret=GEZDGNBV",
     {.type = "steam", .digits = 5, .alg = "SHA1", .period = 30},
     "Steam as otpauth://steam/ (Aegis export)"},
    {"otpauth://totp/x?secret=GEZDGNBV&encoder=steam",
     {.type = "steam", .digits = 5},
     "Steam as encoder=steam (KeePassXC, pyotp)"},
    {"otpauth://totp/x?secret=GEZDGNBV&encoder=STEAM",
     {.type = "steam"},
     "encoder value case-insensitive"},
    {"otpauth://totp/x?secret=GEZDGNBV&encoder=other",
     {.type = "totp"},
     "other encoders are plain TOTP"},
    {"otpauth://totp/Steam:bob?secret=GEZDGNBV",
     {.type = "steam", .issuer = "Steam", .name = "bob"},
     "Steam as issuer Steam in the label (Stratum)"},
    {"otpauth://totp/bob?secret=GEZDGNBV&issuer=Steam",
     {.type = "steam", .issuer = "Steam"},
     "issuer Steam as a parameter"},
    {"otpauth://totp/bob?secret=GEZDGNBV&issuer=Steam&digits=5",
     {.type = "steam"},
     "issuer Steam with 5 digits"},
    {"otpauth://totp/bob?secret=GEZDGNBV&issuer=Steam&digits=6",
     {.type = "totp", .digits = 6},
     "issuer Steam with explicit 6 digits stays TOTP (a site named Steam)"},
    {"otpauth://hotp/bob?secret=GEZDGNBV&issuer=Steam&counter=1",
     {.type = "hotp"},
     "HOTP never turns into Steam"},
    {"otpauth://totp/x?secret=GEZDGNBV&encoder=steam&digits=8&period=15&"
     "algorithm=SHA256",
     {.type = "steam", .digits = 5, .period = 30, .alg = "SHA1"},
     "Steam ignores digits, period and algorithm (pyotp)"},
    {"otpauth://totp/x?secret=GEZDGNBV&encoder="
     "steamsteamsteamsteamsteamsteamsteamsteamsteamsteamsteamsteamsteamsteam",
     {.type = "totp", .errparam = NULL},
     "an over-long encoder is just not Steam"},

    /* Refusals. */
    {"http://example.com/?secret=GEZDGNBV",
     {.rc = MFA_EURI_SCHEME},
     "not otpauth"},
    {"otpauth:/totp/x?secret=GEZDGNBV", {.rc = MFA_EURI_SCHEME}, "one slash"},
    {"otpauth-migration://offline?data=AAAA",
     {.rc = MFA_EURI_SCHEME},
     "Google's export is another format (src/io)"},
    {"", {.rc = MFA_EURI_SCHEME}, "empty input"},
    {"otpauth://", {.rc = MFA_EURI_TYPE}, "no type"},
    {"otpauth://motp/x?secret=GEZDGNBV", {.rc = MFA_EURI_TYPE}, "mOTP"},
    {"otpauth://yaotp/x?secret=GEZDGNBV", {.rc = MFA_EURI_TYPE}, "Yandex"},
    {"otpauth://totpx/x?secret=GEZDGNBV", {.rc = MFA_EURI_TYPE}, "totpx"},
    {"otpauth://totp/x",
     {.rc = MFA_EURI_NOSECRET, .errparam = "secret"},
     "no query"},
    {"otpauth://totp/x?issuer=A",
     {.rc = MFA_EURI_NOSECRET, .errparam = "secret"},
     "no secret"},
    {"otpauth://totp/x?secret=",
     {.rc = MFA_ESECRET_EMPTY, .errparam = "secret"},
     "empty secret (Aegis)"},
    {"otpauth://totp/x?secret",
     {.rc = MFA_ESECRET_EMPTY, .errparam = "secret"},
     "secret without '='"},
    {"otpauth://totp/x?secret=A",
     {.rc = MFA_ESECRET_EMPTY, .errparam = "secret"},
     "one character is not a byte"},
    {"otpauth://totp/x?secret=%3D%3D",
     {.rc = MFA_ESECRET_EMPTY, .errparam = "secret"},
     "padding only"},
    {"otpauth://totp/x?secret=GEZDG0BV",
     {.rc = MFA_EBASE32, .errparam = "secret"},
     "'0' is not base32"},
    {"otpauth://totp/x?secret=GE=ZDGNBV",
     {.rc = MFA_EBASE32, .errparam = "secret"},
     "data after padding"},
    {"otpauth://totp/x?secret=GEZDGNBV&algorithm=MD5",
     {.rc = MFA_EHASH, .errparam = "algorithm"},
     "unknown algorithm (OTPClient would silently use SHA1: wrong codes)"},
    {"otpauth://totp/x?secret=GEZDGNBV&algorithm=SHA224",
     {.rc = MFA_EHASH, .errparam = "algorithm"},
     "SHA224 unsupported"},
    {"otpauth://totp/x?secret=GEZDGNBV&algorithm=",
     {.rc = MFA_EHASH, .errparam = "algorithm"},
     "empty algorithm"},
    {"otpauth://totp/x?secret=GEZDGNBV&algorithm="
     "SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1SHA1",
     {.rc = MFA_EHASH, .errparam = "algorithm"},
     "over-long algorithm"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=0",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "digits 0"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=11",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "digits 11"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=-1",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "negative digits"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=six",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "non-numeric digits"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "empty digits"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=6.0",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "fractional digits"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=%206",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "spaces in a number"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=99999999999999999999999",
     {.rc = MFA_EDIGITS, .errparam = "digits"},
     "overflowing digits"},
    {"otpauth://totp/x?secret=GEZDGNBV&period=0",
     {.rc = MFA_EPERIOD, .errparam = "period"},
     "period 0"},
    {"otpauth://totp/x?secret=GEZDGNBV&period=thirty",
     {.rc = MFA_EPERIOD, .errparam = "period"},
     "non-numeric period"},
    {"otpauth://totp/x?secret=GEZDGNBV&period=-30",
     {.rc = MFA_EPERIOD, .errparam = "period"},
     "negative period"},
    {"otpauth://totp/x?secret=GEZDGNBV&period=4294967296",
     {.rc = MFA_EPERIOD, .errparam = "period"},
     "period beyond 2^32-1"},
    {"otpauth://hotp/x?secret=GEZDGNBV",
     {.rc = MFA_EURI_COUNTER, .errparam = "counter"},
     "HOTP without a counter (pyotp, Stratum default to 0: we do not guess "
     "a counter that may be spent)"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=-1",
     {.rc = MFA_EURI_COUNTER, .errparam = "counter"},
     "negative counter"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=ten",
     {.rc = MFA_EURI_COUNTER, .errparam = "counter"},
     "non-numeric counter"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=",
     {.rc = MFA_EURI_COUNTER, .errparam = "counter"},
     "empty counter"},
    {"otpauth://hotp/x?secret=GEZDGNBV&counter=18446744073709551616",
     {.rc = MFA_EURI_COUNTER, .errparam = "counter"},
     "counter 2^64"},
    {"otpauth://totp/a%ZZb?secret=GEZDGNBV",
     {.rc = MFA_EURI_ENCODING, .errparam = "label"},
     "bad escape in the label"},
    {"otpauth://totp/a%4?secret=GEZDGNBV",
     {.rc = MFA_EURI_ENCODING, .errparam = "label"},
     "short escape in the label"},
    {"otpauth://totp/a%00b?secret=GEZDGNBV",
     {.rc = MFA_ENUL, .errparam = "label"},
     "%00 would cut a C string: refused as a NUL, naming where"},
    {"otpauth://totp/a?secret=GEZDGNBV&issuer=a%00b",
     {.rc = MFA_ENUL, .errparam = "issuer"},
     "a NUL in the issuer too"},
    {"otpauth://totp/x?secret=GEZDGNBV&issuer=%G1",
     {.rc = MFA_EURI_ENCODING, .errparam = "issuer"},
     "bad escape in the issuer"},
    {"otpauth://totp/x?secret=GEZDGNBV%",
     {.rc = MFA_EURI_ENCODING, .errparam = "secret"},
     "bad escape in the secret"},
    {"otpauth://totp/x?secret=GEZDGNBV&digits=%3",
     {.rc = MFA_EURI_ENCODING, .errparam = "digits"},
     "bad escape in a number"},
};

/*
 * Where a fixture expects what our policy does not do. Matched by file and
 * exact URI (hectorm's by case index, since its variants share a case).
 * Every entry must be used, so the table cannot go stale.
 */
/* pyotp's tests feed it repeated algorithm= parameters. */
#define PYOTP_REPEAT                                                           \
	"a repeated parameter is refused, naming it: apps disagree on which "  \
	"copy wins (pyotp the last, per these tests)"

static struct override {
	const char *file, *uri;
	int hectorm_case;
	struct want w;
	const char *reason;
	int used;
} overrides[] = {
    {"pyotp_parse_uri_cases.json",
     "otpauth://totp/Steam:?secret=SOME_SECRET&encoder=steam",
     -1,
     {.rc = MFA_EBASE32},
     "'_' is not base32: we decode the secret while parsing, pyotp later",
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://totp/Steam:?secret=SOME_SECRET",
     -1,
     {.rc = MFA_EBASE32},
     "same secret; with a valid one issuer Steam selects Steam for us "
     "(Stratum), not for pyotp",
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://totp?algorithm=SHA1&secret=GEZDGNBV&algorithm=SHA1",
     -1,
     {.rc = MFA_EURI_REPEAT, .errparam = "algorithm"},
     PYOTP_REPEAT,
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://totp?algorithm=SHA1&secret=GEZDGNBV&algorithm=SHA1&period=60",
     -1,
     {.rc = MFA_EURI_REPEAT, .errparam = "algorithm"},
     PYOTP_REPEAT,
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://hotp?algorithm=SHA1&secret=GEZDGNBV&algorithm=SHA1",
     -1,
     {.rc = MFA_EURI_REPEAT, .errparam = "algorithm"},
     PYOTP_REPEAT,
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://hotp?algorithm=SHA1&secret=GEZDGNBV&algorithm=SHA1&counter=1",
     -1,
     {.rc = MFA_EURI_REPEAT, .errparam = "algorithm"},
     PYOTP_REPEAT,
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://totp?algorithm=SHA1&secret=GEZDGNBV&algorithm=SHA256",
     -1,
     {.rc = MFA_EURI_REPEAT, .errparam = "algorithm"},
     PYOTP_REPEAT,
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://totp?algorithm=SHA1&secret=GEZDGNBV&algorithm=SHA512",
     -1,
     {.rc = MFA_EURI_REPEAT, .errparam = "algorithm"},
     PYOTP_REPEAT,
     0},
    {"pyotp_parse_uri_cases.json",
     "otpauth://totp/a%3Ab?secret=GEZDGNBV",
     -1,
     {.name = "b", .issuer = "a"},
     "%3A separates (Key Uri Format, hectorm, Stratum); pyotp keeps it",
     0},
    {"keepassxc_totp_cases.json",
     "otpauth://totp/ACME%20Co:john@example.com?secret="
     "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA512&"
     "digits=6&period=90000",
     -1,
     {.period = 90000},
     "periods up to 2^32-1 are kept; the 24 h clamp is KeePassXC's own",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/?secret=ABCDEFG",
     -1,
     {.name = "", .issuer = ""},
     "an empty label is accepted like a missing one (pyotp); the cli asks "
     "for a name",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/issuer:username?secret=ABCDEFG&issuer=something",
     -1,
     {.issuer = "something"},
     "the issuer parameter wins (Key Uri Format); Stratum lets the label win",
     0},
#define NOCOLON(u)                                                             \
	{                                                                      \
		"stratum_uri_parser_cases.json", u, -1,                        \
		    {.issuer = "", .name = "issuer"},                          \
		    "a label without ':' is the account name (pyotp, "         \
		    "pquerna, hectorm); "                                      \
		    "Stratum takes it as the issuer",                          \
		    0                                                          \
	}
    NOCOLON("otpauth://totp/issuer?secret=ABCDEFG"),
    NOCOLON("otpauth://hotp/issuer?secret=ABCDEFG&counter=10"),
    NOCOLON("otpauth://totp/issuer?secret=ABCDEFG&counter=10"),
    NOCOLON("otpauth://totp/issuer?secret=ABCDEFG&digits=7"),
    NOCOLON("otpauth://totp/issuer?secret=ABCDEFG&period=60"),
    NOCOLON("otpauth://totp/issuer?secret=ABCDEFG&algorithm=SHA1"),
    NOCOLON("otpauth://totp/issuer?secret=ABCDEFG&algorithm=SHA256"),
    NOCOLON("otpauth://totp/issuer?secret=ABCDEFG&algorithm=SHA512"),
#undef NOCOLON
    {"stratum_uri_parser_cases.json",
     "otpauth://hotp/issuer?secret=ABCDEFG",
     -1,
     {.rc = MFA_EURI_COUNTER},
     "HOTP without counter is refused; Stratum assumes 0",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?secret=ABCDEFG",
     -1,
     {.issuer = "", .name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
     "no truncation (Stratum cuts issuers at 32) and no ':' means account",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/issuer:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?secret="
     "ABCDEFG",
     -1,
     {.name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
     "no truncation (Stratum cuts account names at 40)",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/:username?secret=ABCDEFG",
     -1,
     {.issuer = "", .name = "username"},
     "':username' is an empty issuer and account username (hectorm)",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/Steam?secret=ABCDEFG",
     -1,
     {.type = "totp", .issuer = "", .name = "Steam", .digits = 6},
     "a label without ':' is an account named Steam, not issuer Steam",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/issuer:username?secret=ABCDEFG&steam",
     -1,
     {.type = "totp", .digits = 6},
     "a bare 'steam' key is Stratum's own; we know otpauth://steam/, "
     "encoder=steam and issuer Steam",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://yaotp/username?secret=ORSXG5DJNZTXIZLTORUW4ZZRGI&pin_length=4",
     -1,
     {.rc = MFA_EURI_TYPE},
     "Yandex OTP is not supported",
     0},
    {"stratum_uri_parser_cases.json",
     "motp://motp:username?secret=30edcc8edae50a60",
     -1,
     {.rc = MFA_EURI_SCHEME},
     "mOTP is not supported",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/issuer?secret=ABCDEFG&issuer=issuer",
     -1,
     {.name = "issuer"},
     "(generation) the label is the account name even when it repeats the "
     "issuer",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/Big%20Company?secret=ABCDEFG&issuer=Big%20Company",
     -1,
     {.name = "Big Company"},
     "(generation) likewise",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://totp/issuer%3Ausername?secret=ABCDEFG&issuer=issuer&steam",
     -1,
     {.type = "totp", .digits = 6},
     "(generation) bare 'steam' key, see above",
     0},
    {"stratum_uri_parser_cases.json",
     "otpauth://yaotp/Yandex%3Ausername?secret=ORSXG5DJNZTXIZLTORUW4ZZRGI&"
     "issuer=Yandex&pin_length=4",
     -1,
     {.rc = MFA_EURI_TYPE},
     "(generation) Yandex unsupported",
     0},
    {"otpclient_parse_uri_cases.json",
     "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&"
     "algorithm=MD5",
     -1,
     {.rc = MFA_EHASH},
     "an unknown algorithm is refused: OTPClient's SHA1 fallback gives wrong "
     "codes",
     0},
    {"otpclient_parse_uri_cases.json",
     "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&"
     "period=0",
     -1,
     {.rc = MFA_EPERIOD},
     "period 0 is refused, not reset to 30",
     0},
    {"otpclient_parse_uri_cases.json",
     "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&"
     "period=999",
     -1,
     {.period = 999},
     "any period >= 1 is kept (OTPClient caps at 120)",
     0},
    {"otpclient_parse_uri_cases.json",
     "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&"
     "period=150",
     -1,
     {.period = 150},
     "likewise",
     0},
    {"otpclient_parse_uri_cases.json",
     "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&"
     "digits=3",
     -1,
     {.digits = 3},
     "digits 1..10 are kept (OTPClient resets to 6)",
     0},
    {"otpclient_parse_uri_cases.json",
     "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&"
     "digits=11",
     -1,
     {.rc = MFA_EDIGITS},
     "digits above 10 are refused, not reset to 6",
     0},
#define HECTORM_HASH(n, a)                                                     \
	{                                                                      \
		"hectorm_otpauth_uri_cases.json", NULL, n, {.rc = MFA_EHASH},  \
		    a " is a hectorm/otpauth extension; we support "           \
		      "SHA1/256/512",                                          \
		    0                                                          \
	}
    HECTORM_HASH(12, "SHA224"),
    HECTORM_HASH(14, "SHA384"),
    HECTORM_HASH(16, "SHA3-224"),
    HECTORM_HASH(17, "SHA3-256"),
    HECTORM_HASH(18, "SHA3-384"),
    HECTORM_HASH(19, "SHA3-512"),
    HECTORM_HASH(20, "SHA3-512"),
    HECTORM_HASH(21, "CUSTOM (a callback)"),
#undef HECTORM_HASH
};
#define NOVERRIDES (sizeof(overrides) / sizeof(overrides[0]))

/* Fixture URIs that must fail: the exact code we give for each. */
static struct {
	const char *uri;
	int rc;
	int used;
} rejects[] = {
    {"http://hello.com", MFA_EURI_SCHEME, 0},
    {"otpauth://totp", MFA_EURI_NOSECRET, 0},
    {"otpauth://derp?secret=foo", MFA_EURI_TYPE, 0},
    {"otpauth://totp?digits=-1", MFA_EDIGITS, 0},
    /* pyotp fails it for the issuer mismatch; it has no secret either. */
    {"otpauth://totp/SomeIssuer:?issuer=AnotherIssuer", MFA_EURI_NOSECRET, 0},
    {"otpauth://totp?algorithm=aes", MFA_EHASH, 0},
    {"definitely not valid", MFA_EURI_SCHEME, 0},
    {"otpauth://fail", MFA_EURI_TYPE, 0},
    {"otpauth://totp/test:username?issuer=test", MFA_EURI_NOSECRET, 0},
    {"otpauth://test/issuer:username?secret=ABCDEFG", MFA_EURI_TYPE, 0},
    {"otpauth://totp/issuer:username?secret=ABCDEFG&algorithm=something",
     MFA_EHASH, 0},
    {"otpauth://totp/issuer:username?secret=ABCDEFG&digits=0", MFA_EDIGITS, 0},
    {"otpauth://totp/issuer:username?secret=ABCDEFG&digits=test", MFA_EDIGITS,
     0},
    {"otpauth://totp/issuer:username?secret=ABCDEFG&period=0", MFA_EPERIOD, 0},
    {"otpauth://totp/issuer:username?secret=ABCDEFG&period=test", MFA_EPERIOD,
     0},
    {"otpauth://hotp/issuer:username?secret=ABCDEFG&counter=test",
     MFA_EURI_COUNTER, 0},
    {"otpauth://hotp/issuer:username?secret=ABCDEFG&counter=-1",
     MFA_EURI_COUNTER, 0},
    {"motp://fail", MFA_EURI_SCHEME, 0},
    {"otpauth://yaotp/issuer:username?secret=ABCDEFG&pin_length=test",
     MFA_EURI_TYPE, 0},
    {"otpauth://totp/Example:alice?issuer=Example", MFA_EURI_NOSECRET, 0},
    {"otpauth://totp/Example%ZZalice?secret=JBSWY3DPEHPK3PXP",
     MFA_EURI_ENCODING, 0},
    {"notauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP", MFA_EURI_SCHEME,
     0},
    {"otpauth://totp/Example:alice?secret=0000&issuer=Example", MFA_EBASE32, 0},
    {"otpauth://totp/test:test?secret=&algo=SHA1&digits=6&period=30",
     MFA_ESECRET_EMPTY, 0},
    {"otpauth://bad", MFA_EURI_TYPE, 0},
};
#define NREJECTS (sizeof(rejects) / sizeof(rejects[0]))

/* Counts for the summary line and the sanity floor. */
static int n_checked, n_overridden, n_codes, n_skipped;

/* Parsing into a fresh secret buffer the size the header promises. */

static int
parse(const char *uri, size_t len, struct otp_uri *u, const char **errparam)
{
	memset(u, 0, sizeof(*u));
	u->secret_cap = len + 1;
	u->secret = malloc(u->secret_cap);
	assert_non_null(u->secret);
	return uri_parse(uri, len, u, errparam);
}

static void
release(struct otp_uri *u)
{
	uri_clear(u);
	assert_null(u->name);
	assert_null(u->issuer);
	assert_int_equal(u->secret_len, 0);
	free(u->secret);
	u->secret = NULL;
}

static size_t
hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex), i;
	unsigned v;

	assert_true(n % 2 == 0 && n / 2 <= cap);
	for (i = 0; i < n / 2; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n / 2;
}

static void
want_merge(struct want *w, const struct want *o)
{
	w->rc = o->rc;
	if (o->type != NULL)
		w->type = o->type;
	if (o->name != NULL)
		w->name = o->name;
	if (o->issuer != NULL)
		w->issuer = o->issuer;
	if (o->alg != NULL)
		w->alg = o->alg;
	if (o->digits != 0)
		w->digits = o->digits;
	if (o->period != 0)
		w->period = o->period;
}

/* Compare a finished parse with w; the message names where and what. */
static void
check_parsed(const char *where, const char *uri, int rc, const char *errparam,
	     const struct otp_uri *u, const struct want *w)
{
	uint8_t sec[1024];
	size_t slen = 0, errpos;

#define BAD(...)                                                               \
	do {                                                                   \
		print_error("%s: %s\n  ", where, uri);                         \
		fail_msg(__VA_ARGS__);                                         \
	} while (0)
	if (w->rc == ANY_ERR) {
		if (rc >= 0)
			BAD("parsed, but the fixture says it must fail");
		return;
	}
	if (rc != w->rc)
		BAD("rc %d (%s, at %s), want %d (%s)", rc,
		    mfa_strerror_name(rc), errparam ? errparam : "-", w->rc,
		    mfa_strerror_name(w->rc));
	if (w->errparam != NULL &&
	    (errparam == NULL || strcmp(errparam, w->errparam) != 0))
		BAD("errparam %s, want %s", errparam ? errparam : "NULL",
		    w->errparam);
	if (rc != 0)
		return;
	if (errparam != NULL)
		BAD("errparam %s set on success", errparam);
	assert_non_null(u->name);
	assert_non_null(u->issuer);
	if (w->type != NULL && strcmp(otp_type_name(u->p.type), w->type) != 0)
		BAD("type %s, want %s", otp_type_name(u->p.type), w->type);
	if (w->name != NULL && strcmp(u->name, w->name) != 0)
		BAD("name \"%s\", want \"%s\"", u->name, w->name);
	if (w->issuer != NULL && strcmp(u->issuer, w->issuer) != 0)
		BAD("issuer \"%s\", want \"%s\"", u->issuer, w->issuer);
	if (w->alg != NULL && strcmp(otp_hash_name(u->p.hash), w->alg) != 0)
		BAD("algorithm %s, want %s", otp_hash_name(u->p.hash), w->alg);
	if (w->digits != 0 && u->p.digits != w->digits)
		BAD("digits %u, want %u", u->p.digits, w->digits);
	if (w->period != 0 && u->p.period != w->period)
		BAD("period %llu, want %llu", (unsigned long long)u->p.period,
		    (unsigned long long)w->period);
	if (w->counter != NULL &&
	    u->p.counter != strtoull(w->counter, NULL, 10))
		BAD("counter %llu, want %s", (unsigned long long)u->p.counter,
		    w->counter);
	if (w->secret_b32 != NULL) {
		assert_int_equal(base32_decode(w->secret_b32,
					       strlen(w->secret_b32), sec,
					       sizeof(sec), &slen, &errpos),
				 0);
	} else if (w->secret_hex != NULL) {
		slen = hex_decode(w->secret_hex, sec, sizeof(sec));
	}
	if ((w->secret_b32 != NULL || w->secret_hex != NULL) &&
	    (u->secret_len != slen || memcmp(u->secret, sec, slen) != 0))
		BAD("secret differs (%zu bytes, want %zu)", u->secret_len,
		    slen);
	/* The parse gives parameters the engine accepts. */
	assert_int_equal(otp_params_check(&u->p), 0);
#undef BAD
}

/*
 * Check one fixture URI against the fixture's expectation w, after the
 * override table and the exact-rejection table. Returns the parse rc; on 0
 * the caller owns *u (release() it).
 */
static int
check_fixture(const char *file, int hcase, const char *where, const char *uri,
	      struct want w, struct otp_uri *u)
{
	const char *errparam = NULL;
	size_t i;
	int rc;

	for (i = 0; i < NOVERRIDES; i++) {
		if (strcmp(overrides[i].file, file) != 0)
			continue;
		if (overrides[i].uri != NULL
			? strcmp(overrides[i].uri, uri) == 0
			: overrides[i].hectorm_case == hcase) {
			want_merge(&w, &overrides[i].w);
			overrides[i].used++;
			n_overridden++;
			break;
		}
	}
	if (w.rc == ANY_ERR) {
		for (i = 0; i < NREJECTS; i++)
			if (strcmp(rejects[i].uri, uri) == 0) {
				w.rc = rejects[i].rc;
				rejects[i].used++;
				break;
			}
	}
	rc = parse(uri, strlen(uri), u, &errparam);
	check_parsed(where, uri, rc, errparam, u, &w);
	n_checked++;
	if (rc != 0)
		release(u);
	return rc;
}

static const char *
js(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static unsigned
ju(json_t *o, const char *k)
{
	return (unsigned)json_integer_value(json_object_get(o, k));
}

static json_t *
load(const char *file)
{
	char path[512];
	json_error_t err;
	json_t *root;

	snprintf(path, sizeof(path), "%s/%s", fixture("/uris"), file);
	root = json_load_file(path, 0, &err);
	if (root == NULL)
		fail_msg("%s: %s (line %d)", path, err.text, err.line);
	return root;
}

static void
need_fixtures(void)
{
	fixture_need("/uris");
}

/* The first word of a note such as "SHA256 (last duplicate wins)". */
static const char *
first_word(const char *s, char *buf, size_t cap)
{
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i + 1 < cap && s[i] != '\0' && s[i] != ' '; i++)
		buf[i] = s[i];
	buf[i] = '\0';
	return buf;
}

static void
expect_totp_at(const struct otp_uri *u, int64_t t, const char *code)
{
	char out[OTP_CODE_MAX];

	assert_int_equal(otp_code(&u->p, u->secret, u->secret_len, t, out), 0);
	if (strcmp(out, code) != 0)
		fail_msg("%s code at %lld: %s, want %s",
			 otp_type_name(u->p.type), (long long)t, out, code);
	n_codes++;
}

static void
expect_step(const struct otp_uri *u, uint64_t step, const char *code)
{
	char out[OTP_CODE_MAX];

	assert_int_equal(
	    otp_code_at_step(&u->p, u->secret, u->secret_len, step, out), 0);
	if (strcmp(out, code) != 0)
		fail_msg("code at step %llu: %s, want %s",
			 (unsigned long long)step, out, code);
	n_codes++;
}

static void
time_codes(const struct otp_uri *u, json_t *map)
{
	const char *k;
	json_t *v;

	json_object_foreach(map, k, v)
	    expect_totp_at(u, strtoll(k, NULL, 10), json_string_value(v));
}

/* Percent-encode a query value the way a URL builder would. */
static void
pct(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
	}
	out[o] = '\0';
}

static void
test_policy(void **state)
{
	struct otp_uri u;
	const char *errparam;
	char where[64];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(policy) / sizeof(policy[0]); i++) {
		snprintf(where, sizeof(where), "policy %zu (%.40s)", i,
			 policy[i].why);
		errparam = "unset";
		rc = parse(policy[i].uri, strlen(policy[i].uri), &u, &errparam);
		check_parsed(where, policy[i].uri, rc, errparam, &u,
			     &policy[i].w);
		release(&u);
	}
}

static void
test_parse_edges(void **state)
{
	static const char ok[] = "otpauth://totp/x?secret=GEZDGNBV";
	struct otp_uri u;
	const char *errparam;
	char *big;
	size_t n;

	(void)state;
	/* Only len bytes count: a URI need not be NUL terminated. */
	assert_int_equal(parse(ok, sizeof(ok) - 1 - 2, &u, NULL), 0);
	assert_int_equal(u.secret_len, 3); /* "GEZDGN" */
	release(&u);
	/* A NUL inside len is refused, not read as the end. */
	assert_int_equal(parse("otpauth://totp/x?secret=GEZDGNBV\0&digits=8",
			       42, &u, &errparam),
			 MFA_EURI_ENCODING);
	release(&u);
	/* errparam may be NULL. */
	assert_int_equal(parse("otpauth://totp/x?digits=0", 25, &u, NULL),
			 MFA_EDIGITS);
	release(&u);
	/* A secret buffer too small for the text. */
	memset(&u, 0, sizeof(u));
	{
		uint8_t small[4];

		u.secret = small;
		u.secret_cap = sizeof(small);
		errparam = NULL;
		assert_int_equal(uri_parse(ok, sizeof(ok) - 1, &u, &errparam),
				 MFA_ETOOLONG);
		assert_string_equal(errparam, "secret");
		uri_clear(&u);
	}
	/* More than 64 KiB is refused before any work. */
	n = 70 * 1024;
	big = malloc(n);
	assert_non_null(big);
	memcpy(big, ok, sizeof(ok) - 1);
	memset(big + sizeof(ok) - 1, 'A', n - (sizeof(ok) - 1));
	assert_int_equal(parse(big, n, &u, NULL), MFA_ETOOLONG);
	release(&u);
	/* Just under the limit is fine. */
	assert_int_equal(parse(big, 64 * 1024, &u, NULL), 0);
	assert_true(u.secret_len > 30000);
	release(&u);
	free(big);
	/* uri_clear wipes the secret bytes. */
	assert_int_equal(parse(ok, sizeof(ok) - 1, &u, NULL), 0);
	{
		size_t i;

		u.secret_len = 0;
		uri_clear(&u);
		for (i = 0; i < u.secret_cap; i++)
			assert_int_equal(u.secret[i], 0);
		free(u.secret);
	}
}

static void
test_fixture_pyotp(void **state)
{
	static const char file[] = "pyotp_parse_uri_cases.json";
	json_t *root, *c, *e, *m, *v, *q;
	struct otp_uri u;
	char where[96], buf[32], uri[1024], val[256], *p;
	const char *k, *obj, *s;
	size_t i;

	(void)state;
	need_fixtures();
	root = load(file);
	json_array_foreach(json_object_get(root, "invalid"), i, c)
	{
		snprintf(where, sizeof(where), "%s invalid[%zu]", file, i);
		if (check_fixture(file, -1, where, js(c, "uri"),
				  (struct want){.rc = ANY_ERR}, &u) == 0)
			release(&u);
	}
	json_array_foreach(json_object_get(root, "valid"), i, c)
	{
		struct want w = {0};

		e = json_object_get(c, "expect");
		snprintf(where, sizeof(where), "%s valid[%zu]", file, i);
		if ((s = js(e, "kind")) != NULL)
			w.type = strncmp(s, "steam", 5) == 0 ? "steam" : "totp";
		w.type = js(e, "type") ? js(e, "type") : w.type;
		w.alg = first_word(js(e, "algorithm"), buf, sizeof(buf));
		w.period = ju(e, "period");
		w.name = js(e, "name");
		if ((v = json_object_get(e, "issuer")) != NULL)
			w.issuer = json_is_null(v) ? "" : json_string_value(v);
		if (check_fixture(file, -1, where, js(c, "uri"), w, &u) != 0)
			continue;
		if ((m = json_object_get(e, "totp_at")) != NULL)
			time_codes(&u, m);
		if ((m = json_object_get(e, "steam_at")) != NULL)
			time_codes(&u, m);
		if ((m = json_object_get(e, "hotp_at")) != NULL)
			json_object_foreach(m, k, v)
			    expect_step(&u, u.p.counter + strtoull(k, NULL, 10),
					json_string_value(v));
		/* pyotp's at(n) is HOTP(counter + n). */
		if ((m = json_object_get(e, "pyotp_at(n)=HOTP(1+n)")) != NULL) {
			assert_int_equal(u.p.counter, ju(e, "initial_counter"));
			json_object_foreach(m, k, v)
			    expect_step(&u, u.p.counter + strtoull(k, NULL, 10),
					json_string_value(v));
		}
		release(&u);
	}
	/* URIs pyotp wrote: rebuilt from the path and query it asserts. */
	json_array_foreach(json_object_get(root, "generation"), i, c)
	{
		struct want w = {0};
		char name[128] = "Secret";

		snprintf(where, sizeof(where), "%s generation[%zu]", file, i);
		obj = js(c, "object");
		w.type = strncmp(obj, "HOTP", 4) == 0 ? "hotp" : "totp";
		if ((s = strstr(obj, "name='")) != NULL) {
			snprintf(name, sizeof(name), "%s", s + 6);
			*strchr(name, '\'') = '\0';
		}
		w.name = name;
		if (js(c, "uri") != NULL) {
			snprintf(uri, sizeof(uri), "%s", js(c, "uri"));
			w.issuer = "";
		} else {
			q = json_object_get(c, "query");
			p = uri + snprintf(uri, sizeof(uri), "otpauth://%s%s?",
					   w.type, js(c, "path"));
			json_object_foreach(q, k, v)
			{
				pct(val, sizeof(val), json_string_value(v));
				p += snprintf(
				    p, sizeof(uri) - (size_t)(p - uri),
				    "%s%s=%s", p[-1] == '?' ? "" : "&", k, val);
			}
			w.secret_b32 = js(q, "secret");
			w.issuer = js(q, "issuer") ? js(q, "issuer") : "";
			w.digits = js(q, "digits")
				       ? (unsigned)atoi(js(q, "digits"))
				       : 6;
			w.alg =
			    js(q, "algorithm") ? js(q, "algorithm") : "SHA1";
			w.period = js(q, "period")
				       ? strtoull(js(q, "period"), NULL, 10)
				       : 30;
			w.counter = js(q, "counter");
		}
		if (check_fixture(file, -1, where, uri, w, &u) == 0)
			release(&u);
	}
	json_decref(root);
}

static void
test_fixture_keepassxc(void **state)
{
	static const char file[] = "keepassxc_totp_cases.json";
	json_t *root, *c, *e, *m;
	struct otp_uri u;
	struct otp_params p;
	char where[96], out[OTP_CODE_MAX], *fmt;
	const char *s;
	uint8_t sec[128];
	size_t i, slen, errpos, cap;

	(void)state;
	need_fixtures();
	root = load(file);
	json_array_foreach(json_object_get(root, "parse"), i, c)
	{
		struct want w = {0};

		e = json_object_get(c, "expect");
		snprintf(where, sizeof(where), "%s parse[%zu]", file, i);
		w.secret_b32 = js(e, "secret");
		w.digits = ju(e, "digits");
		w.period = ju(e, "period");
		w.alg = js(e, "algorithm");
		if (js(e, "encoder") != NULL &&
		    strcmp(js(e, "encoder"), "steam") == 0)
			w.type = "steam";
		if (check_fixture(file, -1, where, js(c, "uri"), w, &u) != 0)
			continue;
		if ((m = json_object_get(e, "steam_codes")) != NULL)
			time_codes(&u, m);
		release(&u);
	}
	/* KeeOTP strings and legacy settings are not URIs. */
	json_array_foreach(json_object_get(root, "non_uri_inputs"), i, c)
	{
		snprintf(where, sizeof(where), "%s non_uri_inputs[%zu]", file,
			 i);
		if ((s = js(c, "input")) != NULL) {
			if (check_fixture(file, -1, where, s,
					  (struct want){.rc = MFA_EURI_SCHEME},
					  &u) == 0)
				release(&u);
			continue;
		}
		/* The seed alone, as `mfa add` would read it. */
		s = js(c, "seed");
		assert_int_equal(base32_decode(s, strlen(s), sec, sizeof(sec),
					       &slen, &errpos),
				 0);
		assert_int_equal(slen == 0,
				 json_is_string(json_object_get(c, "expect")));
		n_checked++;
	}
	/*
	 * What KeePassXC wrote must read back as the entry (its writer puts
	 * "KeePassXC" for an empty title and "none" for an empty user), and
	 * what we write for the same entry must read back too.
	 */
	json_array_foreach(json_object_get(root, "write"), i, c)
	{
		struct want w = {0};
		const char *title = js(c, "title"), *user = js(c, "username");

		snprintf(where, sizeof(where), "%s write[%zu]", file, i);
		w.secret_b32 = js(c, "secret");
		w.digits = ju(c, "digits") ? ju(c, "digits") : 6;
		w.period = ju(c, "period") ? ju(c, "period") : 30;
		w.issuer = title[0] != '\0' ? title : "KeePassXC";
		w.name = user[0] != '\0' ? user : "none";
		if (check_fixture(file, -1, where, js(c, "uri"), w, &u) == 0)
			release(&u);

		otp_params_default(&p, OTP_TOTP);
		p.digits = w.digits;
		p.period = w.period;
		assert_int_equal(base32_decode(w.secret_b32,
					       strlen(w.secret_b32), sec,
					       sizeof(sec), &slen, &errpos),
				 0);
		cap = uri_format_len(title, user, slen);
		fmt = malloc(cap);
		assert_non_null(fmt);
		assert_int_equal(
		    uri_format(&p, title, user, sec, slen, fmt, cap), 0);
		w.issuer = title;
		w.name = user;
		w.type = "totp";
		w.alg = "SHA1";
		if (check_fixture(file, -1, where, fmt, w, &u) == 0)
			release(&u);
		free(fmt);
	}
	json_array_foreach(json_object_get(root, "codes"), i, c)
	{
		s = js(c, "secret");
		assert_int_equal(base32_decode(s, strlen(s), sec, sizeof(sec),
					       &slen, &errpos),
				 0);
		otp_params_default(&p, OTP_TOTP);
		p.digits = ju(c, "digits");
		assert_int_equal(
		    otp_code(&p, sec, slen,
			     json_integer_value(json_object_get(c, "time")),
			     out),
		    0);
		assert_string_equal(out, js(c, "code"));
		n_codes++;
	}
	json_decref(root);
}

static void
test_fixture_pquerna(void **state)
{
	static const char file[] = "pquerna_otp_cases.json";
	json_t *root, *c, *e;
	struct otp_uri u;
	char where[96];
	size_t i;

	(void)state;
	need_fixtures();
	root = load(file);
	json_array_foreach(json_object_get(root, "valid"), i, c)
	{
		struct want w = {0};

		e = json_object_get(c, "expect");
		snprintf(where, sizeof(where), "%s valid[%zu]", file, i);
		w.type = js(e, "type");
		w.issuer = js(e, "issuer");
		w.name = js(e, "account");
		w.secret_b32 = js(e, "secret");
		if (check_fixture(file, -1, where, js(c, "uri"), w, &u) == 0)
			release(&u);
	}
	json_decref(root);
}

static struct want
stratum_want(json_t *e)
{
	struct want w = {0};
	json_t *v;

	w.type = js(e, "type");
	w.issuer = js(e, "issuer");
	v = json_object_get(e, "username");
	w.name = v == NULL || json_is_null(v) ? "" : json_string_value(v);
	w.secret_b32 = js(e, "secret");
	w.alg = js(e, "algorithm") ? js(e, "algorithm") : "SHA1";
	w.digits = ju(e, "digits") ? ju(e, "digits") : 6;
	w.period = ju(e, "period") ? ju(e, "period") : 30;
	if (w.type != NULL && strcmp(w.type, "hotp") == 0) {
		static char cbuf[24];

		snprintf(cbuf, sizeof(cbuf), "%u", ju(e, "counter"));
		w.counter = cbuf;
	}
	return w;
}

static void
test_fixture_stratum(void **state)
{
	static const char file[] = "stratum_uri_parser_cases.json";
	json_t *root, *c;
	struct otp_uri u, u2;
	char where[96], *fmt;
	const char *s;
	size_t i, cap;

	(void)state;
	need_fixtures();
	root = load(file);
	json_array_foreach(json_object_get(root, "invalid"), i, c)
	{
		snprintf(where, sizeof(where), "%s invalid[%zu]", file, i);
		if (check_fixture(file, -1, where, js(c, "uri"),
				  (struct want){.rc = ANY_ERR}, &u) == 0)
			release(&u);
	}
	json_array_foreach(json_object_get(root, "invalid_migration"), i, c)
	{
		snprintf(where, sizeof(where), "%s invalid_migration[%zu]",
			 file, i);
		if ((s = js(c, "input")) == NULL) {
			n_skipped++; /* a C# null: nothing to pass */
			continue;
		}
		if (check_fixture(file, -1, where, s,
				  (struct want){.rc = MFA_EURI_SCHEME},
				  &u) == 0)
			release(&u);
	}
	json_array_foreach(json_object_get(root, "valid"), i, c)
	{
		snprintf(where, sizeof(where), "%s valid[%zu]", file, i);
		if (check_fixture(file, -1, where, js(c, "uri"),
				  stratum_want(json_object_get(c, "expect")),
				  &u) == 0)
			release(&u);
	}
	/*
	 * Stratum writes these back byte for byte. We compare meaning, not
	 * text: our writer always spells out algorithm, digits and period.
	 */
	json_array_foreach(json_object_get(root, "roundtrip_exact"), i, c)
	{
		struct want w = {0};

		s = json_string_value(c);
		snprintf(where, sizeof(where), "%s roundtrip_exact[%zu]", file,
			 i);
		assert_int_equal(check_fixture(file, -1, where, s, w, &u), 0);
		cap = uri_format_len(u.issuer, u.name, u.secret_len);
		fmt = malloc(cap);
		assert_non_null(fmt);
		assert_int_equal(uri_format(&u.p, u.issuer, u.name, u.secret,
					    u.secret_len, fmt, cap),
				 0);
		assert_int_equal(parse(fmt, strlen(fmt), &u2, NULL), 0);
		assert_string_equal(u2.name, u.name);
		assert_string_equal(u2.issuer, u.issuer);
		assert_int_equal(u2.p.type, u.p.type);
		assert_int_equal(u2.p.hash, u.p.hash);
		assert_int_equal(u2.p.digits, u.p.digits);
		assert_int_equal(u2.p.period, u.p.period);
		if (u.p.type == OTP_HOTP)
			assert_int_equal(u2.p.counter, u.p.counter);
		assert_int_equal(u2.secret_len, u.secret_len);
		assert_memory_equal(u2.secret, u.secret, u.secret_len);
		release(&u2);
		release(&u);
		free(fmt);
	}
	json_array_foreach(json_object_get(root, "generation"), i, c)
	{
		snprintf(where, sizeof(where), "%s generation[%zu]", file, i);
		if (check_fixture(file, -1, where, js(c, "uri"),
				  stratum_want(c), &u) == 0)
			release(&u);
	}
	json_decref(root);
}

static void
test_fixture_otpclient(void **state)
{
	static const char file[] = "otpclient_parse_uri_cases.json";
	json_t *root, *c, *e;
	struct otp_uri u;
	char where[96], type[8], cbuf[24];
	const char *s;
	size_t i, j;

	(void)state;
	need_fixtures();
	root = load(file);
	json_array_foreach(json_object_get(root, "valid"), i, c)
	{
		struct want w = {0};

		e = json_object_get(c, "expect");
		snprintf(where, sizeof(where), "%s valid[%zu]", file, i);
		if ((s = js(e, "type")) != NULL) {
			for (j = 0; s[j] != '\0' && j + 1 < sizeof(type); j++)
				type[j] = (char)(s[j] | 0x20);
			type[j] = '\0';
			w.type = type;
		}
		w.name = js(e, "account");
		w.issuer = js(e, "issuer");
		w.secret_b32 = js(e, "secret");
		w.period = ju(e, "period");
		w.digits = ju(e, "digits");
		w.alg = js(e, "algorithm");
		if (json_object_get(e, "counter") != NULL) {
			snprintf(cbuf, sizeof(cbuf), "%u", ju(e, "counter"));
			w.counter = cbuf;
		}
		if (check_fixture(file, -1, where, js(c, "uri"), w, &u) == 0)
			release(&u);
	}
	json_array_foreach(json_object_get(root, "invalid"), i, c)
	{
		snprintf(where, sizeof(where), "%s invalid[%zu]", file, i);
		if (check_fixture(file, -1, where, js(c, "uri"),
				  (struct want){.rc = ANY_ERR}, &u) == 0)
			release(&u);
	}
	json_decref(root);
}

static void
test_fixture_aegis(void **state)
{
	static const char file[] = "aegis_uri_cases.json";
	json_t *root, *c;
	struct otp_uri u;
	char where[96];
	size_t i;

	(void)state;
	need_fixtures();
	root = load(file);
	json_array_foreach(json_object_get(root, "valid"), i, c)
	{
		snprintf(where, sizeof(where), "%s valid[%zu]", file, i);
		if (check_fixture(file, -1, where, js(c, "uri"),
				  (struct want){0}, &u) == 0)
			release(&u);
	}
	/* The camera-frame QR's URI, field by field (Aegis' own test). */
	{
		static const char qr[] =
		    "otpauth://totp/neo4j:Charlotte?secret="
		    "B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j&algorithm=SHA1&"
		    "digits=6&period=30";

		assert_int_equal(parse(qr, sizeof(qr) - 1, &u, NULL), 0);
	}
	assert_string_equal(u.name, "Charlotte");
	assert_string_equal(u.issuer, "neo4j");
	assert_int_equal(u.secret_len, 16);
	release(&u);
	/* 'AA' is a 1-byte secret. */
	assert_int_equal(
	    parse("otpauth://totp/test:test?secret=AA", 34, &u, NULL), 0);
	assert_int_equal(u.secret_len, 1);
	assert_int_equal(u.secret[0], 0);
	release(&u);
	json_array_foreach(json_object_get(root, "invalid"), i, c)
	{
		snprintf(where, sizeof(where), "%s invalid[%zu]", file, i);
		if (check_fixture(file, -1, where, js(c, "uri"),
				  (struct want){.rc = ANY_ERR}, &u) == 0)
			release(&u);
	}
	json_decref(root);
}

/* hectorm/otpauth's validate(): first step in [-window, window] matching. */
static void
hectorm_validate(const struct otp_uri *u, json_t *val, uint64_t base)
{
	json_t *in = json_object_get(val, "input");
	json_t *out = json_object_get(val, "output");
	json_t *wj = json_object_get(in, "window");
	int64_t window = wj != NULL ? json_integer_value(wj) : 1, d;
	char code[OTP_CODE_MAX];
	const char *token = js(in, "token");
	int found = 0;

	for (d = -window; d <= window && !found; d++) {
		if (d < 0 && base < (uint64_t)-d)
			continue;
		assert_int_equal(otp_code_at_step(&u->p, u->secret,
						  u->secret_len, base + d,
						  code),
				 0);
		if (strcmp(code, token) == 0) {
			found = 1;
			assert_true(json_is_integer(out));
			assert_int_equal(d, json_integer_value(out));
		}
	}
	if (!found)
		assert_true(json_is_null(out));
	n_codes++;
}

static void
test_fixture_hectorm(void **state)
{
	static const char file[] = "hectorm_otpauth_uri_cases.json";
	static const char *const kinds[] = {"hotp", "totp"};
	json_t *root, *c, *k, *ctor, *uri, *gen, *val;
	struct otp_uri u;
	char where[96], alg[16];
	const char *s;
	size_t i, j, kind;
	int hcase, generated;
	enum otp_hash h;

	(void)state;
	need_fixtures();
	root = load(file);
	json_array_foreach(json_object_get(root, "cases"), i, c)
	{
		hcase = (int)json_integer_value(json_object_get(c, "case"));
		for (kind = 0; kind < 2; kind++) {
			struct want w = {0};

			if ((k = json_object_get(c, kinds[kind])) == NULL)
				continue;
			ctor = json_object_get(k, "constructor");
			w.type = kinds[kind];
			w.secret_hex = js(c, "secret_hex");
			s = js(ctor, "algorithm") ? js(ctor, "algorithm")
						  : "SHA1";
			/* 'sha-512' and friends: spelled the way we print. */
			if (otp_hash_parse(s, &h) == 0)
				w.alg = otp_hash_name(h);
			else
				w.alg = first_word(s, alg, sizeof(alg));
			w.digits = ju(ctor, "digits") ? ju(ctor, "digits") : 6;
			w.name =
			    js(ctor, "label") ? js(ctor, "label") : "OTPAuth";
			w.issuer = js(ctor, "issuer") ? js(ctor, "issuer") : "";
			if (kind == 0)
				w.counter = "0";
			else
				w.period = ju(ctor, "period")
					       ? ju(ctor, "period")
					       : 30;
			generated = 0;
			json_array_foreach(json_object_get(k, "uris"), j, uri)
			{
				snprintf(where, sizeof(where),
					 "%s case %d %s uris[%zu]", file, hcase,
					 kinds[kind], j);
				if (check_fixture(file, hcase, where,
						  json_string_value(uri), w,
						  &u) != 0)
					continue;
				gen = json_object_get(
				    json_object_get(k, "generate"), "input");
				val = json_object_get(k, "validate");
				if (!generated && kind == 0) {
					expect_step(
					    &u,
					    json_integer_value(json_object_get(
						gen, "counter")),
					    js(json_object_get(k, "generate"),
					       "output"));
					hectorm_validate(
					    &u, val,
					    json_integer_value(json_object_get(
						json_object_get(val, "input"),
						"counter")));
				} else if (!generated) {
					uint64_t step;
					int64_t t =
					    json_integer_value(json_object_get(
						gen, "timestamp_ms"));

					expect_totp_at(
					    &u, t / 1000,
					    js(json_object_get(k, "generate"),
					       "output"));
					t = json_integer_value(json_object_get(
					    json_object_get(val, "input"),
					    "timestamp_ms"));
					assert_int_equal(otp_step(t / 1000, 0,
								  u.p.period,
								  &step),
							 0);
					hectorm_validate(&u, val, step);
				}
				generated = 1;
				release(&u);
			}
		}
	}
	json_decref(root);
}

/* Runs last: every override and exact rejection was met by a fixture. */
static void
test_tables_used(void **state)
{
	size_t i;
	int stale = 0;

	(void)state;
	need_fixtures();
	for (i = 0; i < NOVERRIDES; i++)
		if (overrides[i].used == 0) {
			print_error("override never used: %s %s\n",
				    overrides[i].file,
				    overrides[i].uri ? overrides[i].uri : "");
			stale++;
		}
	for (i = 0; i < NREJECTS; i++)
		if (rejects[i].used == 0) {
			print_error("rejection never used: %s\n",
				    rejects[i].uri);
			stale++;
		}
	assert_int_equal(stale, 0);
	print_message(
	    "uri fixtures: %d URIs checked, %d by override, %d codes, "
	    "%d skipped\n",
	    n_checked, n_overridden, n_codes, n_skipped);
	assert_true(n_checked >= 232); /* the 7 files hold 233, one a C# null */
}

/* Accounts for uri_format; pyotp_ok = 0 marks pyotp 2.6 parser limits. */
static const struct fmt_case {
	enum otp_type type;
	enum otp_hash hash;
	unsigned digits;
	uint64_t period, counter;
	const char *issuer, *name, *secret_hex;
	int pyotp_ok;
	const char *note;
} fmt_cases[] = {
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "ACME Co", "john.doe@example.com",
     "3132333435363738393031323334353637383930", 1, "spaces, '@'"},
    {OTP_TOTP, OTP_SHA256, 8, 60, 0, "", "alice@google.com",
     "3132333435363738393031323334353637383930313233343536373839303132", 1,
     "no issuer"},
    {OTP_HOTP, OTP_SHA512, 7, 30, 42, "Foo Corp", "bob", "00", 1,
     "HOTP, 1-byte key"},
    {OTP_HOTP, OTP_SHA1, 6, 30, 0, "Counter", "zero", "deadbeef", 1,
     "HOTP counter 0"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Example", "user:with:colons", "ff00ff", 1,
     "':' in the name"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "", "a:b", "0102030405", 1,
     "':' in the name, no issuer"},
    {OTP_TOTP, OTP_SHA1, 7, 45, 0,
     "\xc3\x9c"
     "n"
     "\xc3\xaf"
     "c"
     "\xc3\xb6"
     "d"
     "\xc3\xa9"
     " "
     "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe",
     "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe4\xb8\xad\xe5\x9b"
     "\xbd",
     "a1b2c3d4e5f60718293a4b5c6d7e8f90", 1, "unicode"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "\xf0\x9f\x98\x80", "x", "11", 1, "emoji"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Cartoon", "Tom & Jerry", "2233", 1,
     "'&' in the name"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Pct", "100% real", "4455", 1,
     "'%' in the name"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Plus", "a+b@example.com", "6677", 1,
     "'+' in the name"},
    {OTP_TOTP, OTP_SHA512, 8, 120, 0, "Big Corp Inc.", "first last",
     "8899aabbccddeeff", 1, "spaces both sides"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "AT&T", "me", "0a0b", 0,
     "'&' in the issuer: pyotp 2.6 unquotes the whole URI before splitting "
     "the query, so '&' ends its issuer"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Text: More Text", "Secret", "0c0d", 0,
     "':' in the issuer: pyotp 2.6 splits the unquoted label at it"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Hash", "user#1", "0e0f", 0,
     "'#' in the name: pyotp 2.6's unquoted URI has a fragment"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Plus", "x", "1f", 1, "plain"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "A+B", "x", "2f", 0,
     "'+' in the issuer: pyotp 2.6 decodes %2B, then reads '+' as space"},
    {OTP_STEAM, OTP_SHA1, 5, 30, 0, "Steam", "gamer", "3f4f", 0,
     "Steam: pyotp 2.6 refuses encoder=steam"},
    {OTP_STEAM, OTP_SHA1, 5, 30, 0, "", "gamer", "5f", 0,
     "Steam without issuer"},
    {OTP_STEAM, OTP_SHA1, 5, 30, 0, "", " 0   B", "6f", 0,
     "Steam without issuer, name starting with a space (fuzz_io_urilist)"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "Lead", "  spaces first", "7f", 1,
     "a name starting with spaces keeps them (no label prefix)"},
    {OTP_TOTP, OTP_SHA1, 6, 30, 0, "", " x", "8f", 1,
     "likewise without issuer"},
};
#define NFMT (sizeof(fmt_cases) / sizeof(fmt_cases[0]))

static char *
fmt_uri(const struct fmt_case *f, uint8_t *key, size_t *keylen)
{
	struct otp_params p;
	size_t cap;
	char *out;

	otp_params_default(&p, f->type);
	p.hash = f->hash;
	p.digits = f->digits;
	p.period = f->period;
	p.counter = f->counter;
	*keylen = hex_decode(f->secret_hex, key, 64);
	cap = uri_format_len(f->issuer, f->name, *keylen);
	out = malloc(cap);
	assert_non_null(out);
	assert_int_equal(
	    uri_format(&p, f->issuer, f->name, key, *keylen, out, cap), 0);
	assert_true(strlen(out) < cap);
	/* One byte less than the promised bound is refused, not cut. */
	assert_int_equal(
	    uri_format(&p, f->issuer, f->name, key, *keylen, out, cap - 1),
	    MFA_ETOOLONG);
	assert_int_equal(
	    uri_format(&p, f->issuer, f->name, key, *keylen, out, cap), 0);
	return out;
}

/* mfa-note and mfa-serial: read back, written only when set. */
static void
test_note_serial(void **state)
{
	static const char in[] = "otpauth://totp/x?secret=GEZDGNBV&mfa-note="
				 "two%0Alines+%26+more&MFA-SERIAL=arn%3Aaws%"
				 "3Aiam%3A%3A1%3Amfa%2Fx";
	uint8_t key[1] = {0x01};
	struct otp_uri u, v;
	struct otp_params p;
	char out[512];

	(void)state;
	assert_int_equal(parse(in, sizeof(in) - 1, &u, NULL), 0);
	assert_string_equal(u.note, "two\nlines & more");
	assert_string_equal(u.serial, "arn:aws:iam::1:mfa/x");
	assert_int_equal(uri_format_full(&u.p, u.issuer, u.name, u.serial,
					 u.note, u.secret, u.secret_len, out,
					 sizeof(out)),
			 0);
	assert_string_equal(out, "otpauth://totp/x?secret=GEZDGNBV&algorithm="
				 "SHA1&digits=6&period=30&mfa-serial=arn%3Aaws%"
				 "3Aiam%3A%3A1%3Amfa%2Fx&mfa-note=two%0Alines%"
				 "20%26%20more");
	assert_int_equal(parse(out, strlen(out), &v, NULL), 0);
	assert_string_equal(v.note, u.note);
	assert_string_equal(v.serial, u.serial);
	release(&v);
	release(&u);
	/* Absent: "", and nothing written. */
	assert_int_equal(parse("otpauth://totp/x?secret=AE", 26, &u, NULL), 0);
	assert_string_equal(u.note, "");
	assert_string_equal(u.serial, "");
	release(&u);
	otp_params_default(&p, OTP_TOTP);
	assert_int_equal(
	    uri_format_full(&p, "", "x", "", NULL, key, 1, out, sizeof(out)),
	    0);
	assert_null(strstr(out, "mfa-"));
	/* The length bound holds for the worst case. */
	assert_int_equal(
	    uri_format_full(
		&p, "", "x", "\xff\xff\xff", "%%%", key, 1, out,
		uri_format_full_len("", "x", "\xff\xff\xff", "%%%", 1)),
	    0);
}

/* Labels for the terminal, and UTF-8 repair at the door. */
static void
test_labels(void **state)
{
	static const struct {
		const char *in, *clean;
	} cases[] = {
	    {"plain", "plain"},
	    {"\x1b[31mred", "?[31mred"}, /* C0: ESC */
	    {"del\x7f", "del?"},	 /* DEL */
	    {"csi\xc2\x9b"
	     "2J",
	     "csi??2J"}, /* C1 as UTF-8 */
	    {"csi\x9b"
	     "2J",
	     "csi?2J"}, /* C1 raw: 8-bit CSI */
	    {"osc\x9d"
	     "52;c;x\x9c",
	     "osc?52;c;x?"},		   /* raw OSC ... ST */
	    {"bad\xff\xfe", "bad??"},	   /* not UTF-8 at all */
	    {"cut\xc3", "cut?"},	   /* truncated */
	    {"over\xc0\xaf", "over??"},	   /* overlong '/' */
	    {"sur\xed\xa0\x80", "sur???"}, /* surrogate */
	    {"\xc3\xa9l\xc3\xa8ve \xe6\x97\xa5 \xc2\xa0",
	     "\xc3\xa9l\xc3\xa8ve \xe6\x97\xa5 \xc2\xa0"}, /* kept */
	};
	char buf[64], *s;
	bool changed;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		otp_label_clean(buf);
		if (strcmp(buf, cases[i].clean) != 0)
			fail_msg("case %zu: \"%s\"", i, buf);
	}
	assert_true(otp_utf8_valid("\xc3\xa9t\xc3\xa9"));
	assert_false(otp_utf8_valid("\x9b"));
	assert_non_null(s = strdup("a\x9b"
				   "b\xc3"));
	assert_int_equal(otp_utf8_repair(&s, &changed), 0);
	assert_true(changed);
	assert_string_equal(s, "a\xef\xbf\xbd"
			       "b\xef\xbf\xbd");
	assert_int_equal(otp_utf8_repair(&s, &changed), 0);
	assert_false(changed);
	free(s);
}

static void
test_format_round_trip(void **state)
{
	uint8_t key[64];
	struct otp_uri u;
	size_t i, kl;
	char *s;

	(void)state;
	for (i = 0; i < NFMT; i++) {
		const struct fmt_case *f = &fmt_cases[i];

		s = fmt_uri(f, key, &kl);
		if (parse(s, strlen(s), &u, NULL) != 0)
			fail_msg("%s: our own URI does not parse", s);
		assert_int_equal(u.p.type, f->type);
		assert_int_equal(u.p.hash, f->hash);
		assert_int_equal(u.p.digits, f->digits);
		assert_int_equal(u.p.period, f->period);
		assert_int_equal(u.p.counter, f->counter);
		assert_string_equal(u.name, f->name);
		assert_string_equal(u.issuer,
				    f->type == OTP_STEAM && f->issuer[0] == '\0'
					? "Steam"
					: f->issuer);
		assert_int_equal(u.secret_len, kl);
		assert_memory_equal(u.secret, key, kl);
		/* Secrets go out unpadded upper case; Steam as the header
		 * says: TOTP with encoder=steam. */
		{
			const char *v = strstr(s, "?secret=") + 8;

			assert_true(strcspn(v, "&") == base32_encoded_len(kl));
			assert_true(
			    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") ==
			    base32_encoded_len(kl));
		}
		if (f->type == OTP_STEAM) {
			assert_int_equal(strncmp(s, "otpauth://totp/", 15), 0);
			assert_non_null(strstr(s, "&encoder=steam"));
		}
		release(&u);
		free(s);
	}
}

static void
test_format_errors(void **state)
{
	struct otp_params p;
	uint8_t key[1] = {1};
	char out[512];

	(void)state;
	otp_params_default(&p, OTP_TOTP);
	assert_int_equal(uri_format(&p, "", "x", key, 0, out, sizeof(out)),
			 MFA_ESECRET_EMPTY);
	p.digits = 0;
	assert_int_equal(uri_format(&p, "", "x", key, 1, out, sizeof(out)),
			 MFA_EDIGITS);
	otp_params_default(&p, OTP_TOTP);
	p.period = 0;
	assert_int_equal(uri_format(&p, "", "x", key, 1, out, sizeof(out)),
			 MFA_EPERIOD);
	otp_params_default(&p, OTP_TOTP);
	p.hash = (enum otp_hash)9;
	assert_int_equal(uri_format(&p, "", "x", key, 1, out, sizeof(out)),
			 MFA_EHASH);
	otp_params_default(&p, OTP_TOTP);
	assert_int_equal(uri_format(&p, "", "x", key, 1, out, 10),
			 MFA_ETOOLONG);
	assert_int_equal(uri_format(&p, "I", "x", key, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/I:x?secret=AE&issuer=I&"
				 "algorithm=SHA1&digits=6&period=30");
	otp_params_default(&p, OTP_HOTP);
	p.counter = UINT64_MAX;
	assert_int_equal(uri_format(&p, "", "x y", key, 1, out, sizeof(out)),
			 0);
	assert_string_equal(out, "otpauth://hotp/x%20y?secret=AE&algorithm="
				 "SHA1&digits=6&counter=18446744073709551615");
}

static const char pyotp_script[] =
    "import base64, json, sys\n"
    "import pyotp\n"
    "for line in open(sys.argv[1], encoding='utf-8'):\n"
    "    uri = line.rstrip('\\n')\n"
    "    try:\n"
    "        o = pyotp.parse_uri(uri)\n"
    "        s = o.secret.upper()\n"
    "        s += '=' * (-len(s) % 8)\n"
    "        r = {'ok': True,\n"
    "             'type': 'hotp' if isinstance(o, pyotp.HOTP) else 'totp',\n"
    "             'secret_hex': base64.b32decode(s).hex(),\n"
    "             'name': o.name, 'issuer': o.issuer or '',\n"
    "             'digits': o.digits,\n"
    "             'algorithm': o.digest().name.upper(),\n"
    "             'period': getattr(o, 'interval', 0),\n"
    "             'counter': getattr(o, 'initial_count', 0)}\n"
    "    except Exception as e:\n"
    "        r = {'ok': False, 'error': str(e)}\n"
    "    print(json.dumps(r), flush=True)\n";

static void
test_format_pyotp(void **state)
{
	char dir[] = "/tmp/mfa-test-uri-XXXXXX", script[64], list[64];
	char cmd[256], line[4096];
	uint8_t key[64];
	size_t i, kl;
	FILE *fp, *py;
	char *s;
	int compared = 0, limits = 0;

	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0 ||
	    system("/usr/bin/python3 -c 'import pyotp' 2>/dev/null") != 0) {
		print_message("skip: /usr/bin/python3 with pyotp not found\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/parse.py", dir);
	snprintf(list, sizeof(list), "%s/uris.txt", dir);
	fp = fopen(script, "w");
	assert_non_null(fp);
	fputs(pyotp_script, fp);
	fclose(fp);
	fp = fopen(list, "w");
	assert_non_null(fp);
	for (i = 0; i < NFMT; i++) {
		s = fmt_uri(&fmt_cases[i], key, &kl);
		fprintf(fp, "%s\n", s);
		free(s);
	}
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s", script, list);
	py = popen(cmd, "r");
	assert_non_null(py);
	for (i = 0; i < NFMT && fgets(line, sizeof(line), py) != NULL; i++) {
		const struct fmt_case *f = &fmt_cases[i];
		json_error_t err;
		json_t *r = json_loads(line, 0, &err);
		char hash[8];

		assert_non_null(r);
		if (!json_is_true(json_object_get(r, "ok"))) {
			if (f->pyotp_ok)
				fail_msg("pyotp refused our URI for \"%s\": %s",
					 f->note, js(r, "error"));
			print_message("pyotp limit (%s): %s\n", f->note,
				      js(r, "error"));
			limits++;
			json_decref(r);
			continue;
		}
		/* A newer pyotp may read what 2.6 could not: then it must
		 * agree like the others. */
		snprintf(hash, sizeof(hash), "%s", otp_hash_name(f->hash));
		if (strcmp(js(r, "type"), otp_type_name(f->type)) != 0 ||
		    strcmp(js(r, "secret_hex"), f->secret_hex) != 0 ||
		    strcmp(js(r, "name"), f->name) != 0 ||
		    strcmp(js(r, "issuer"), f->issuer) != 0 ||
		    ju(r, "digits") != f->digits ||
		    strcmp(js(r, "algorithm"), hash) != 0 ||
		    (f->type == OTP_TOTP && ju(r, "period") != f->period) ||
		    (f->type == OTP_HOTP && ju(r, "counter") != f->counter)) {
			if (f->pyotp_ok)
				fail_msg("pyotp reads \"%s\" as %s", f->note,
					 line);
			print_message("pyotp limit (%s): reads %s", f->note,
				      line);
			limits++;
		} else {
			compared++;
		}
		json_decref(r);
	}
	pclose(py);
	unlink(script);
	unlink(list);
	rmdir(dir);
	assert_int_equal(i, NFMT);
	print_message("pyotp agreed on %d of our URIs, %d hit pyotp limits\n",
		      compared, limits);
	assert_true(compared >= 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_parse_edges),
	    cmocka_unit_test(test_fixture_pyotp),
	    cmocka_unit_test(test_fixture_keepassxc),
	    cmocka_unit_test(test_fixture_pquerna),
	    cmocka_unit_test(test_fixture_stratum),
	    cmocka_unit_test(test_fixture_otpclient),
	    cmocka_unit_test(test_fixture_aegis),
	    cmocka_unit_test(test_fixture_hectorm),
	    cmocka_unit_test(test_tables_used),
	    cmocka_unit_test(test_format_round_trip),
	    cmocka_unit_test(test_note_serial),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_format_errors),
	    cmocka_unit_test(test_format_pyotp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
