#!/usr/bin/env bats
# Import and export, lossless or loud: real backups with entries
# mfa cannot compute, round trips through every format checked field by
# field against independent readers (/usr/bin/python3 with pyotp and
# cryptography, protoc --decode_raw, oathtool), names and numbers at the
# door, and what reaches the terminal.
load helpers
bats_require_minimum_version 1.5.0

F=${MFA_FIXTURES:-../shared/fixtures}

# 160-bit secrets whose first byte is 0, so protoc --decode_raw can never
# take one for a nested message.
S1=ABXDIC4476ZXVGE4UVCONO3YBIWHREA5
S2=ABF7KERPGRCVJRJ33YXLXDGSW7R5CYAK
S3=ADN4DNGJAD76JDKXLNO2LRRYAQASL5S5
S4=AAEE73IIXF4K6TL5DFVHIRVINNMABHTD
S5=ADSS3HCQRRICGRZUJWGAPLMRZPLANCX4
S6=ADTXXGU25HRQWDN5W32RBITE56O6PAKQ
ARN=arn:aws:iam::123456789012:mfa/alice

setup() {
	mfa_setup
	mfa_init
}

teardown() {
	mfa_teardown
}

need_shared() {
	[ -d "$F" ] || skip "$F is absent"
}

count() {
	mfa list --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

# A second, empty vault: mfa2 runs mfa on it.
mfa2() {
	MFA_VAULT="$T/w/vault" "$MFA_BIN" "$@"
}

init2() {
	MFA_VAULT="$T/w/vault" "$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
}

# Accounts of every kind mfa holds, with a note, a serial and names that
# need care.
diverse() {
	echo "$S1" | mfa add alice@example.com --issuer "ACME Co" \
		--note "$(printf 'line 1\nline "2" \303\251')" --serial "$ARN" > /dev/null
	echo "$S2" | mfa add "bob: the builder" -a SHA256 -d 8 -p 60 > /dev/null
	echo "$S3" | mfa add h --issuer Counter --hotp -c 42 -a SHA512 > /dev/null
	echo "$S4" | mfa add "$(printf '\303\251l\303\250ve \346\227\245\346\234\254')" \
		--issuer "$(printf 'Z\303\274rich')" > /dev/null
	echo "$S5" | mfa add gabe --issuer Steam --steam > /dev/null
	echo "$S6" | mfa add seven --issuer X -d 7 > /dev/null
}

# Compare the entries of two mfa JSON exports, field by field; $3 lists the
# fields, $4 (optional) the names of the entries to compare.
same_entries() {
	/usr/bin/python3 - "$@" << 'EOF'
import json, sys
a = json.load(open(sys.argv[1]))["entries"]
b = json.load(open(sys.argv[2]))["entries"]
fields = sys.argv[3].split(",")
if len(sys.argv) > 4:
    keep = sys.argv[4].split("|")
    a = [e for e in a if e["name"] in keep]
    assert [e["name"] for e in a] == keep, [e["name"] for e in a]
assert len(a) == len(b), (len(a), len(b))
for x, y in zip(a, b):
    for f in fields:
        assert x.get(f) == y.get(f), (x["name"], f, x.get(f), y.get(f))
EOF
}

ALL=name,issuer,type,algorithm,digits,period,counter,secret,serial,note

@test "a real Aegis backup with mOTP and Yandex entries: --skip-unsupported imports the other nine, names the two, exits 4" {
	need_shared
	f=$F/stratum/aegis.unencrypted.json
	before=$(sha "$MFA_VAULT")
	run mfa import "$f"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file $f: entry 8 (Motp:Motp): type motp is not supported (--skip-unsupported imports the others)" ]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	run --separate-stderr mfa import --skip-unsupported "$f"
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"skipped $f: entry 8 (Motp:Motp): type motp is not supported"* ]]
	[[ "$stderr" == *"skipped $f: entry 9 (Yandex:Yandex): type yandex is not supported"* ]]
	[[ "$stderr" == *"imported 9 accounts, skipped 2 (2 could not be imported)"* ]]
	[ "$(echo "$output" | grep -c '^imported ')" = 9 ]
	[ "$(count)" = 9 ]
	# Standard:Totp from the file, against oathtool.
	s=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["db"]["entries"]; print([e for e in d if e["name"]=="Totp"][0]["info"]["secret"])' "$f")
	[ "$(mfa code Standard:Totp --at 1234567)" = "$(oathtool --totp -N @1234567 "$(b32hex "$s")")" ]
	# The encrypted copy: same nine, all already there, still exit 4.
	MFA_IMPORT_PASSPHRASE=test run mfa import --skip-unsupported "$F/stratum/aegis.encrypted.json"
	[ "$status" -eq 4 ]
	[[ "$output" == *"imported 0 accounts, skipped 11 (2 could not be imported)"* ]]
}

@test "a partial import is still one transaction, and a whole one exits 0" {
	need_shared
	before=$(sha "$MFA_VAULT")
	run mfa import --skip-unsupported "$F/stratum/andotp.unencrypted.json" tests/fixtures/qr/noise.png
	[ "$status" -eq 1 ]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	run mfa import --skip-unsupported "$F/stratum/andotp.unencrypted.json"
	[ "$status" -eq 4 ]
	[[ "$output" == *"entry 8 (Motp:motp): type MOTP is not supported"* ]]
	run mfa import --skip-unsupported "$F/aegis/importers/plain.txt"
	[ "$status" -eq 0 ]
	[[ "$output" != *"could not be imported"* ]]
}

@test "every importable format is detected without -f, old andOTP too" {
	need_shared
	I=$F/aegis/importers
	export MFA_IMPORT_PASSPHRASE=test
	for f in "$I/plain.txt" "$F/google-migration/scito/example_export.txt" \
		"$I/aegis_plain.json" "$I/aegis_encrypted.json" "$I/andotp_plain.json" \
		"$I/andotp_encrypted.bin" "$I/andotp_encrypted_old.bin" \
		"$I/2fas_authenticator_plain_v4.2fas" "$I/2fas_authenticator_encrypted_v4.2fas" \
		"$F/qr/scito_example_export.png" tests/fixtures/io/mfa_export.json; do
		run mfa import --dry-run "$f"
		[ "$status" -eq 0 ] || { echo "$f: $output"; false; }
		[[ "$output" == *"would import "* ]]
	done
	run mfa import --dry-run tests/fixtures/io/aws_seed.txt --name x
	[ "$status" -eq 0 ]
	# The old layout, without -f: Deno's account from Aegis' vector table.
	run mfa import "$I/andotp_encrypted_old.bin"
	[ "$status" -eq 0 ]
	[ "$(mfa code Deno --at 1000)" = "$(oathtool --totp -N @1000 "$(b32hex 4SJHB4GSD43FZBAI7C2HLRJGPQ)")" ]
	MFA_IMPORT_PASSPHRASE=wrong run mfa import "$I/andotp_encrypted_old.bin"
	[ "$status" -eq 1 ]
	[[ "$output" == *"wrong password, or not an andOTP backup"* ]]
	run mfa import "$I/authenticator_plus.zip"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unrecognised format (a ZIP archive)"* ]]
}

@test "duplicates are the same type, secret, issuer and name; the same secret under another name is imported with a warning" {
	echo "$S1" | mfa add a --issuer X > /dev/null
	cat > "$T/l.txt" <<- EOF
		otpauth://totp/X:a?secret=$S1&issuer=X
		otpauth://totp/X:b?secret=$S1&issuer=X
		otpauth://totp/Y:a?secret=$S1&issuer=Y
		otpauth://totp/Z:c?secret=$S2&issuer=Z
		otpauth://totp/Z:c?secret=$S2&issuer=Z
		otpauth://hotp/X:a?secret=$S1&issuer=X&counter=0
	EOF
	run --separate-stderr mfa import "$T/l.txt"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"skipped X:a (already in the vault)"* ]]
	[[ "$stderr" == *"skipped Z:c (twice in this import)"* ]]
	[[ "$stderr" == *"mfa: warning: X:b has the same secret as X:a (in the vault); imported as another account"* ]]
	[[ "$stderr" == *"mfa: warning: Y:a has the same secret as X:a (in the vault)"* ]]
	[[ "$stderr" == *"imported 4 accounts, skipped 2"* ]]
	[ "$(count)" = 5 ]
	# Another type is another account: HOTP X:a came in, silently.
	[[ "$output" == *"imported X:a (hotp)"* ]]
	[[ "$stderr" != *"X:a has the same"* ]]
	# Again: everything is already there.
	run mfa import "$T/l.txt"
	[[ "$output" == *"imported 0 accounts, skipped 6"* ]]
}

@test "export uri carries the note and serial as mfa-note/mfa-serial; pyotp reads the rest; lossless round trip" {
	diverse
	mfa export -o "$T/u.txt"
	grep -q "mfa-serial=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice" "$T/u.txt"
	grep -q "mfa-note=line%201%0Aline%20%222%22%20%C3%A9" "$T/u.txt"
	# pyotp gives mfa's codes. It refuses every parameter it does not
	# know (Google Authenticator, Aegis and KeePassXC ignore them), so
	# mfa's own are taken off first.
	for q in alice "bob: the builder" "$(printf 'Z\303\274rich')"; do
		line=$(grep -m1 "$(printf '%s' "$q" | /usr/bin/python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe="@"))')" "$T/u.txt")
		want=$(printf '%s' "$line" | sed 's/&mfa-[a-z]*=[^&]*//g' | /usr/bin/python3 -c 'import pyotp,sys; print(pyotp.parse_uri(sys.stdin.read().strip()).at(1234567))')
		[ "$(mfa code "$q" --at 1234567)" = "$want" ]
	done
	init2
	mfa2 import "$T/u.txt" > /dev/null 2>&1
	mfa export --format json -o "$T/a.json" 2> /dev/null
	mfa2 export --format json -o "$T/b.json" 2> /dev/null
	same_entries "$T/a.json" "$T/b.json" "$ALL"
}

@test "export json and aegis (plain) round trips keep every field" {
	diverse
	mfa export --format json -o "$T/a.json" 2> /dev/null
	init2
	mfa2 import "$T/a.json" > /dev/null 2>&1
	mfa2 export --format json -o "$T/b.json" 2> /dev/null
	same_entries "$T/a.json" "$T/b.json" "$ALL"
	mfa export --format aegis --plain -o "$T/p.json" 2> /dev/null
	/usr/bin/python3 -c '
import json,sys
e = json.load(open(sys.argv[1]))["db"]["entries"]
assert e[0]["note"] == "line 1\nline \"2\" \u00e9", e[0]["note"]
assert e[0]["mfa_serial"] == sys.argv[2], e[0]
assert "mfa_serial" not in e[1]' "$T/p.json" "$ARN"
	rm -rf "$T/w"
	init2
	mfa2 import "$T/p.json" > /dev/null 2>&1
	mfa2 export --format json -o "$T/c.json" 2> /dev/null
	same_entries "$T/a.json" "$T/c.json" "$ALL"
}

@test "export aegis (encrypted): decrypted independently with python's cryptography, every field there; re-import lossless" {
	/usr/bin/python3 -c 'import cryptography' 2> /dev/null || skip "python3-cryptography missing"
	diverse
	mfa export --format json -o "$T/a.json" 2> /dev/null
	echo "aegis pass" > "$T/ap"
	MFA_NEW_PASSPHRASE_FILE="$T/ap" mfa export --format aegis -o "$T/e.json"
	! grep -q "$S1" "$T/e.json" || false
	/usr/bin/python3 - "$T/e.json" "$T/ap" "$T/a.json" << 'EOF'
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
v = json.load(open(sys.argv[1]))
pw = open(sys.argv[2], "rb").read().rstrip(b"\n")
s = [s for s in v["header"]["slots"] if s["type"] == 1][0]
k = hashlib.scrypt(pw, salt=bytes.fromhex(s["salt"]), n=s["n"], r=s["r"],
                   p=s["p"], maxmem=1 << 30, dklen=32)
kp = s["key_params"]
m = AESGCM(k).decrypt(bytes.fromhex(kp["nonce"]),
                      bytes.fromhex(s["key"]) + bytes.fromhex(kp["tag"]), None)
p = v["header"]["params"]
db = json.loads(AESGCM(m).decrypt(bytes.fromhex(p["nonce"]),
                base64.b64decode(v["db"]) + bytes.fromhex(p["tag"]), None))
want = json.load(open(sys.argv[3]))["entries"]
assert len(db["entries"]) == len(want)
for e, w in zip(db["entries"], want):
    i = e["info"]
    got = {"name": e["name"], "issuer": e["issuer"], "type": e["type"],
           "algorithm": i["algo"], "digits": i["digits"],
           "secret": i["secret"], "note": e["note"],
           "serial": e.get("mfa_serial", "")}
    got["counter" if e["type"] == "hotp" else "period"] = \
        i["counter" if e["type"] == "hotp" else "period"]
    for f in got:
        assert got[f] == w[f], (w["name"], f, got[f], w[f])
EOF
	init2
	MFA_IMPORT_PASSPHRASE_FILE="$T/ap" mfa2 import "$T/e.json" > /dev/null 2>&1
	mfa2 export --format json -o "$T/b.json" 2> /dev/null
	same_entries "$T/a.json" "$T/b.json" "$ALL"
}

@test "export google: Steam and 7-digit accounts refused by name, never converted; --skip-unsupported leaves them out (exit 4); protoc reads the rest" {
	command -v protoc > /dev/null || skip "protoc missing"
	diverse
	before=$(sha "$MFA_VAULT")
	run mfa export --format google
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "mfa: export google: cannot carry 3 accounts: bob: the builder (Google Authenticator cannot hold a 60-second period), Steam:gabe (Google Authenticator has no Steam codes), X:seven (Google Authenticator cannot hold 7-digit codes); --skip-unsupported leaves them out" ]
	run --separate-stderr mfa export --format google --skip-unsupported
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"left out Steam:gabe: Google Authenticator has no Steam codes"* ]]
	[[ "$stderr" == *"left out X:seven: Google Authenticator cannot hold 7-digit codes"* ]]
	[[ "$stderr" == *"mfa: warning: ACME Co:alice@example.com: its note and serial are not carried"* ]]
	printf '%s\n' "$output" > "$T/g.txt"
	# protoc's view: three accounts, no Steam, nothing turned into TOTP-6.
	/usr/bin/python3 - "$T/g.txt" > "$T/raw" << 'EOF'
import base64, codecs, subprocess, sys, urllib.parse
for line in open(sys.argv[1]):
    data = urllib.parse.unquote(line.strip().split("data=", 1)[1])
    out = subprocess.run(["protoc", "--decode_raw"], check=True,
                         input=base64.b64decode(data),
                         capture_output=True).stdout.decode()
    cur = None
    for l in out.splitlines():
        s = l.strip()
        if s == "1 {":
            cur = {}
        elif s == "}":
            print("|".join(str(cur.get(k, "")) for k in (1, 2, 3, 4, 5, 6, 7)))
            cur = None
        elif cur is not None:
            k, v = s.split(": ", 1)
            if v.startswith('"'):
                v = codecs.escape_decode(v[1:-1].encode())[0]
                v = base64.b32encode(v).decode() if k == "1" else v.decode()
            cur[int(k)] = v
EOF
	[ "$(wc -l < "$T/raw")" = 3 ]
	grep -qx "$S1|ACME Co:alice@example.com|ACME Co|1|1|2|" "$T/raw"
	grep -qx "$S3|Counter:h|Counter|3|1|1|42" "$T/raw"
	grep -qx "$S4|$(printf 'Z\303\274rich:\303\251l\303\250ve \346\227\245\346\234\254')|$(printf 'Z\303\274rich')|1|1|2|" "$T/raw"
	! grep -q "$S5\|$S6\|$S2" "$T/raw" || false
	# Round trip: the fields Google carries come back.
	init2
	mfa2 import "$T/g.txt" > /dev/null 2>&1
	mfa export --format json -o "$T/a.json" 2> /dev/null
	mfa2 export --format json -o "$T/b.json" 2> /dev/null
	same_entries "$T/a.json" "$T/b.json" name,issuer,type,algorithm,digits,period,counter,secret \
		"alice@example.com|h|$(printf '\303\251l\303\250ve \346\227\245\346\234\254')"
	[ "$(sha "$MFA_VAULT")" = "$before" ]
}

@test "a time origin (T0) is refused by uri and aegis naming the account, left out with --skip-unsupported; json keeps it" {
	cat > "$T/t0.json" <<- EOF
		{"format": "mfa-export", "version": 1, "entries": [
		 {"name": "t0", "issuer": "Old", "secret": "$S1", "t0": 1000},
		 {"name": "plain", "secret": "$S2"}]}
	EOF
	mfa import "$T/t0.json" > /dev/null 2>&1
	for fmt in uri aegis; do
		run mfa export --format $fmt --plain
		[ "$fmt" = aegis ] || run mfa export --format $fmt
		[ "$status" -eq 1 ]
		[[ "$output" == "mfa: export $fmt: cannot carry 1 account: Old:t0 ("*"cannot carry a time origin (T0)); --skip-unsupported leaves it out" ]]
	done
	run --separate-stderr mfa export --skip-unsupported
	[ "$status" -eq 4 ]
	[ "$stderr" = "left out Old:t0: an otpauth URI cannot carry a time origin (T0)" ]
	[[ "$output" == "otpauth://totp/plain?secret=$S2&"* ]]
	[ "${#lines[@]}" -eq 1 ]
	mfa export --format json | grep -q '"t0": 1000'
}

@test "invalid UTF-8 is repaired at the door for every importer and add; list --json and export json work" {
	printf 'otpauth://totp/Acme:b%%FFb?secret=%s\n' "$S1" > "$T/u.txt"
	run mfa import "$T/u.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"bytes that were not UTF-8 became U+FFFD"* ]]
	printf '{"format":"mfa-export","version":1,"entries":[{"name":"j\377j","secret":"%s"}]}' "$S2" > "$T/j.json"
	mfa import "$T/j.json" > /dev/null 2>&1
	echo "$S3" | mfa add "$(printf 'a\377a')" > /dev/null 2>&1
	run mfa list --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | /usr/bin/python3 -c '
import json,sys
n = sorted(a["name"] for a in json.load(sys.stdin))
assert n == ["a\ufffda", "b\ufffdb", "j\ufffdj"], n'
	run mfa export --format json
	[ "$status" -eq 0 ]
}

@test "a NUL in a name is refused, naming the entry (URI, Aegis, Google)" {
	printf 'otpauth://totp/Acme:b%%00b?secret=%s\n' "$S1" > "$T/u.txt"
	run mfa import "$T/u.txt"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file $T/u.txt: line 1 (Acme:b%00b): NUL character in a name (parameter label) (--skip-unsupported imports the others)" ]
	printf '{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,"entries":[{"type":"totp","name":"b\\u0000evil","issuer":"","info":{"secret":"%s"}}]}}' "$S1" > "$T/a.json"
	run mfa import "$T/a.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *'entry 1: "name" holds a NUL character'* ]]
	# A Google payload built by hand: name "Acme:bob\0evil".
	/usr/bin/python3 - > "$T/g.txt" << 'EOF'
import base64, urllib.parse
def field(n, b):
    return bytes([n << 3 | 2, len(b)]) + b
acct = field(1, b"\x00" * 10) + field(2, b"Acme:bob\x00evil") + field(3, b"Acme")
payload = field(1, acct) + bytes([2 << 3, 1])
print("otpauth-migration://offline?data=" +
      urllib.parse.quote(base64.b64encode(payload).decode(), safe=""))
EOF
	run mfa import "$T/g.txt"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file $T/g.txt: line 1: account 1 (Acme:bob): its name holds a NUL byte (--skip-unsupported imports the others)" ]
	[ "$(count)" = 0 ]
}

# True when stdin holds no C0 control (but newline), DEL, C1 control (raw
# or UTF-8 encoded), or byte that is not UTF-8.
terminal_safe() {
	/usr/bin/python3 -c '
import sys
b = sys.stdin.buffer.read()
s = b.decode("utf-8")
bad = [c for c in s if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
assert not bad, bad'
}

@test "C0 and C1 controls, raw or encoded, never reach the terminal (add, list, show, import)" {
	# ESC [2J, CSI as UTF-8 (C2 9B), and raw CSI (9B) bytes.
	printf 'otpauth://totp/E%%1B%%5B2J:x%%C2%%9By%%9B31m?secret=%s\n' "$S1" > "$T/u.txt"
	run mfa import "$T/u.txt"
	[ "$status" -eq 0 ]
	printf '%s' "$output" | terminal_safe
	[[ "$output" == *"imported E?[2J:x??y"* ]]
	run mfa add "$(printf 'raw\2335m\033]52;c;eA==\a')" <<< "$S2"
	[ "$status" -eq 0 ]
	printf '%s' "$output" | terminal_safe
	for cmd in "list" "list --codes" "show x" "show raw"; do
		run mfa $cmd
		[ "$status" -eq 0 ]
		printf '%s' "$output" | terminal_safe
	done
	# list --json on a terminal escapes them (\u009b); piped it is plain
	# UTF-8 for scripts, and the same strings to a JSON reader.
	if command -v script > /dev/null; then
		script -qec "$MFA_BIN list --json" /dev/null < /dev/null | tr -d '\r' > "$T/tty"
		grep -qi '\\u009b' "$T/tty"
		terminal_safe < "$T/tty"
	fi
	# An error quoting such a name, too.
	printf 'otpauth://totp/a%%1Bb?secret=%s&digits=99\n' "$S1" > "$T/bad.txt"
	run mfa import "$T/bad.txt"
	[ "$status" -eq 1 ]
	printf '%s' "$output" | terminal_safe
	[[ "$output" == *"line 1 (a?b)"* ]]
}

@test "list columns line up for wide and combining characters" {
	echo "$S1" | mfa add "$(printf '\303\251l\303\250ve')" --issuer plain > /dev/null
	echo "$S2" | mfa add "$(printf 'e\314\201cole')" --issuer "$(printf '\346\227\245\346\234\254\350\252\236')" > /dev/null
	echo "$S3" | mfa add ascii --issuer x > /dev/null
	mfa list > "$T/list"
	/usr/bin/python3 - "$T/list" << 'EOF'
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
cols = set()
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    i = line.rfind("totp") if "totp" in line else line.rfind("TYPE")
    cols.add(width(line[:i]))
assert len(cols) == 1, cols
EOF
}

@test "HOTP counters: above 2^63-1 refused at the door; code stops at the end of the range with a clear error" {
	run mfa add h --hotp -c 9223372036854775808 <<< "$S1"
	[ "$status" -eq 2 ]
	[[ "$output" == "mfa: --counter must be a number from 0 to 9223372036854775807"* ]]
	run mfa import - <<< "otpauth://hotp/h?secret=$S1&counter=9223372036854775808"
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: file -: line 1 (h): HOTP needs a counter (a whole number up to 2^63 - 1) (parameter counter)"* ]]
	printf '[{"secret":"%s","label":"h","type":"HOTP","counter":9223372036854775808}]' "$S1" > "$T/a.json"
	run mfa import "$T/a.json"
	[ "$status" -eq 1 ]
	echo "$S1" | mfa add h --hotp -c 9223372036854775806 > /dev/null
	[ "$(mfa code h)" = "$(oathtool --hotp -c 9223372036854775806 "$(b32hex "$S1")")" ]
	before=$(sha "$MFA_VAULT")
	run mfa code h
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: account h: HOTP counter at the end of its range (2^63 - 1): no more codes" ]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	mfa list --json | grep -q '"counter": 9223372036854775807'
	run mfa edit h -c 9223372036854775808
	[ "$status" -eq 2 ]
	# Without a vault the whole 64-bit range stays, as with oathtool.
	[ "$(echo "$S1" | mfa code --secret-stdin --hotp -c 18446744073709551615)" = "$(oathtool --hotp -c 18446744073709551615 "$(b32hex "$S1")")" ]
}

@test "a repeated URI parameter is an error naming it" {
	run mfa import - <<< "otpauth://totp/Acme:bob?secret=$S1&issuer=Acme&secret=$S2"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file -: line 1 (Acme:bob): parameter secret given twice (--skip-unsupported imports the others)" ]
	run mfa add <<< "otpauth://totp/x?secret=$S1&digits=6&DIGITS=8"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: secret from stdin: otpauth URI parameter 'digits': parameter given twice in URI" ]
	[ "$(count)" = 0 ]
}

@test "a secret shorter than 128 bits is accepted with a warning naming RFC 4226's minimum" {
	run --separate-stderr mfa add short <<< JBSWY3DPEHPK3PXP
	[ "$status" -eq 0 ]
	[ "$output" = "added short" ]
	[ "$stderr" = "mfa: warning: short: its secret has 80 bits, fewer than the 128 RFC 4226 requires (160 advised)" ]
	run --separate-stderr mfa add long <<< "$S1"
	[ -z "$stderr" ]
	run mfa import - <<< "otpauth://totp/i?secret=JBSWY3DPEHPK3PXQ"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mfa: warning: i: its secret has 80 bits, fewer than the 128 RFC 4226 requires"* ]]
	[ "$(mfa code short --at 59)" = "$(oathtool --totp -N @59 "$(b32hex JBSWY3DPEHPK3PXP)")" ]
}

# An encrypted Aegis vault with one password slot of the given scrypt cost.
aegis_slot() {
	printf '{"version":1,"header":{"slots":[{"type":1,"n":%s,"r":%s,"p":%s,"salt":"%064d","key":"%064d","key_params":{"nonce":"%024d","tag":"%032d"}}],"params":{"nonce":"%024d","tag":"%032d"}},"db":"AAAA"}' \
		"$1" "$2" "$3" 0 0 0 0 0 0
}

@test "a hostile Aegis file: OpenSSL's N < 2^(16r) rule and the KDF budget, both before any password is asked" {
	aegis_slot 65536 1 1 > "$T/n.json"
	run notty "$MFA_BIN" import "$T/n.json"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file $T/n.json: key slot 1: scrypt N=65536 is not below 2^(16 r) = 65536, as RFC 7914 requires" ]
	aegis_slot 262144 8 16 > "$T/b.json"
	run notty "$MFA_BIN" import "$T/b.json"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file $T/b.json: stopped before password slot 1 of 1 (scrypt N=262144 r=8 p=16): one import spends at most 64 times Aegis' own key derivation work" ]
}
