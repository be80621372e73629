# mfa — GNU Makefile. `make demo` and `make check` are the quick start.
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
DESTDIR ?=
CC ?= cc
BUILD ?= build
VERSION := 0.1.0

# pkg-config name : Debian package, for the clear error and for `make deps`.
PKGS := libcrypto:libssl-dev libsodium:libsodium-dev zbar:libzbar-dev \
	libqrencode:libqrencode-dev libpng:libpng-dev libkeyutils:libkeyutils-dev \
	jansson:libjansson-dev libprotobuf-c:libprotobuf-c-dev ncursesw:libncurses-dev \
	libfido2:libfido2-dev libcurl:libcurl4-openssl-dev
TEST_PKGS := cmocka:libcmocka-dev libcbor:libcbor-dev
# Debian packages needed beyond the libraries: tools for building, and every
# tool a test runs (the independent implementations it compares against, the
# shells and terminals it drives). tests/tools/test-tools checks each works.
DEB_TOOLS := pkg-config gcc make libc6-dev libjpeg-dev protobuf-c-compiler protobuf-compiler \
	libcmocka-dev bats git oathtool python3 python3-pyotp python3-cryptography zbar-tools \
	qrencode imagemagick awscli keyutils mandoc man-db groff-base bsdextrautils tmux \
	bash-completion zsh fish procps valgrind libfido2-dev libcbor-dev strace
DEB_PKGS := $(foreach p,$(PKGS),$(word 2,$(subst :, ,$(p)))) $(DEB_TOOLS)

# The libraries are looked for while make reads this file, so a plain `make`
# stops at once with one clear line. The set-up goals skip the look: they
# install what is missing (deps) and then build in a sub-make, which looks.
SETUP_GOALS := deps clean demo check asan
ifeq ($(MAKECMDGOALS),)
LIB_CHECK := y
else ifneq ($(filter-out $(SETUP_GOALS),$(MAKECMDGOALS)),)
LIB_CHECK := y
endif
ifeq ($(LIB_CHECK),y)
ifeq ($(shell command -v $(PKG_CONFIG) 2>/dev/null),)
$(error missing tool $(PKG_CONFIG): install the Debian package pkg-config (or run 'make deps'))
endif
define need_pkg
$(if $(shell $(PKG_CONFIG) --exists $(word 1,$(subst :, ,$(1))) 2>/dev/null && echo y),,\
  $(error missing library $(word 1,$(subst :, ,$(1))): install the Debian package $(word 2,$(subst :, ,$(1))) (or run 'make deps')))
endef
$(foreach p,$(PKGS),$(call need_pkg,$(p)))
LIBS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(foreach p,$(PKGS),$(word 1,$(subst :, ,$(p)))))
# Only libsodium and libkeyutils are linked: every other library is opened
# with dlopen() on first use (src/lazy/lazy.h, src/qr/zbarapi.h), so that
# `mfa code` does not pay their relocations at start-up. Those two are
# linked statically (their -dev packages ship the archives): loading them
# as shared objects was a third of what `mfa code` executes (733 k -> 497 k
# instructions); a libsodium fix then needs a rebuild, as for any static
# program. LINK=dynamic links them as shared libraries. Unit tests that
# call a library themselves (OpenSSL as a reference, libpng to make images)
# link it directly: TEST_LDLIBS.
LINK ?= static
ifeq ($(LINK),dynamic)
LIBS_LDLIBS := $(shell $(PKG_CONFIG) --libs libsodium libkeyutils) -ldl -lpthread
else
LIBS_LDLIBS := -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs libsodium libkeyutils) \
	-Wl,-Bdynamic -ldl -lpthread
endif
TEST_LDLIBS := $(filter-out -lzbar,$(shell $(PKG_CONFIG) --libs $(foreach p,$(PKGS),$(word 1,$(subst :, ,$(p)))))) -ljpeg
endif
# KEY:library:Debian package (the package is a fallback: sonames.sh asks
# dpkg which package owns the library found at build time).
LAZY_LIBS := JANSSON:jansson:libjansson4 CRYPTO:crypto:libssl3 PNG:png16:libpng16-16 \
	JPEG:jpeg:libjpeg62-turbo QRENCODE:qrencode:libqrencode4 \
	PROTOBUF:protobuf-c:libprotobuf-c1 CURSES:ncursesw:libncursesw6 ZBAR:zbar:libzbar0 \
	CURL:curl:libcurl4

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-format-nonliteral
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
OPT ?= -O2 -g
CFLAGS ?=
LDFLAGS ?=
SAN ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(SAN) -Iinclude -Isrc -I$(BUILD)/gen \
	$(LIBS_CFLAGS) -DMFA_VERSION='"$(VERSION)"' $(CFLAGS)
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now $(SAN) $(LDFLAGS)

# Objects go into one archive per layer (build/lib<layer>.a); ./mfa links
# every layer. There is no public library (see the README). A unit test
# tests/unit/test_<layer>_*.c links only its layer and the ones below it, so
# each layer is tested alone.
OUT ?= .
# lazy (src/lazy) is a base module below every layer: it opens the
# optional libraries and holds the jansson table that io, aws and cli share.
LAYERS := lazy otp vault fido io qr aws cli
DEPS_lazy := lazy
DEPS_otp := otp
DEPS_vault := vault otp
DEPS_fido := fido
DEPS_io := io otp lazy
DEPS_qr := qr otp lazy
DEPS_aws := aws vault otp lazy
DEPS_cli := cli aws io qr fido vault otp lazy
PROTO := $(wildcard src/io/*.proto)
PROTO_C := $(patsubst src/io/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTO))
COMP_TPL := contrib/completion/mfa.bash contrib/completion/_mfa contrib/completion/mfa.fish
COMP_C := $(BUILD)/gen/completion_tpl.c
layer_obj = $(patsubst %.c,$(BUILD)/%.o,$(filter-out src/cli/main.c,$(wildcard src/$(1)/*.c))) \
	$(if $(filter io,$(1)),$(PROTO_C:.c=.o)) $(if $(filter cli,$(1)),$(COMP_C:.c=.o))
ALL_OBJ := $(foreach l,$(LAYERS),$(call layer_obj,$(l)))
MAIN_OBJ := $(BUILD)/src/cli/main.o
layer_libs = $(foreach d,$(DEPS_$(1)),$(BUILD)/lib$(d).a)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)

.PHONY: all deps demo check unit bats asan valgrind bench fuzz install uninstall clean format

all: $(OUT)/mfa

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: src/io/%.proto
	@mkdir -p $(BUILD)/gen
	$(Q)protoc-c --c_out=$(BUILD)/gen --proto_path=src/io $<

# The completion scripts' shell parts, compiled in as C strings.
$(COMP_C): $(COMP_TPL) tests/tools/c-strings.sh
	@mkdir -p $(BUILD)/gen
	$(Q)sh tests/tools/c-strings.sh completion_tpl_bash contrib/completion/mfa.bash \
		completion_tpl_zsh contrib/completion/_mfa \
		completion_tpl_fish contrib/completion/mfa.fish > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/completion_tpl.o: $(COMP_C)
	$(Q)$(CC) $(filter-out -Wmissing-prototypes,$(ALL_CFLAGS)) -MMD -MP -c -o $@ $<

$(BUILD)/gen/lazy_sonames.h: src/lazy/sonames.sh
	@mkdir -p $(BUILD)/gen
	$(Q)sh src/lazy/sonames.sh "$(CC)" $(LAZY_LIBS) > $@.tmp && mv $@.tmp $@

# Generated headers must exist before anything includes them.
$(ALL_OBJ) $(MAIN_OBJ): | $(PROTO_C) $(BUILD)/gen/lazy_sonames.h

# V=1 shows the whole command lines.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The generated code calls protobuf-c through the lazy table too.
$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c src/io/lazy_protobuf.h
	$(Q)$(CC) $(filter-out -Wmissing-prototypes,$(ALL_CFLAGS)) -include io/lazy_protobuf.h \
		-MMD -MP -c -o $@ $<

define layer_rule
$(BUILD)/lib$(1).a: $(call layer_obj,$(1))
	@mkdir -p $(BUILD)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

$(OUT)/mfa: $(MAIN_OBJ) $(call layer_libs,cli)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(call layer_libs,cli) $(LIBS_LDLIBS)

test_layer = $(word 2,$(subst _, ,$(1)))
.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $$(call layer_libs,$$(call test_layer,$$*))
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null) -Wno-missing-prototypes -MMD -MP \
		$(ALL_LDFLAGS) -o $@ $< $(call layer_libs,$(call test_layer,$*)) $(LIBS_LDLIBS) \
		$(TEST_LDLIBS) -lcmocka

# The FIDO2 tests: a software security key (tests/tools/softfido) and an
# mfa that can reach it. Only these test binaries link its transport, so
# ./mfa has no code that reads MFA_TEST_FIDO2.
SOFTFIDO := $(BUILD)/tests/softfido
MFA_FIDO := $(BUILD)/tests/mfa-fido
$(SOFTFIDO): tests/tools/softfido/softfido.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $< -lcrypto -lcbor
$(BUILD)/tests/softfido-transport.o: tests/tools/softfido/transport.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DSOFTFIDO_BIN='"$(abspath $(SOFTFIDO))"' -MMD -MP -c -o $@ $<
$(MFA_FIDO): $(MAIN_OBJ) $(BUILD)/tests/softfido-transport.o $(call layer_libs,cli) | $(SOFTFIDO)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/tests/softfido-transport.o \
		$(call layer_libs,cli) $(LIBS_LDLIBS)
unit: $(SOFTFIDO) $(MFA_FIDO)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

deps:
	@MFA_BUILD=$(BUILD) sh tests/tools/deps.sh $(DEB_PKGS)

unit: $(UNIT_BIN)

# Every test: cmocka units, bats CLI tests, differential runs. The summary
# line "N passed, N failed" is printed by tests/tools/run-all.
check: deps
	@$(MAKE) --no-print-directory all unit
	@MFA_BUILD=$(BUILD) MFA_BIN=$(abspath $(OUT))/mfa sh tests/tools/run-all $(UNIT_BIN)

asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' \
		HARDEN='-fstack-protector-strong -fPIE' OUT=build/asan all unit
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		MFA_BUILD=build/asan MFA_BIN=$(abspath build/asan/mfa) \
		sh tests/tools/run-all $(patsubst $(BUILD)/%,build/asan/%,$(UNIT_BIN))

valgrind: all unit
	@MFA_VALGRIND=1 MFA_BUILD=$(BUILD) MFA_BIN=$(abspath $(OUT))/mfa sh tests/tools/run-all $(UNIT_BIN)

demo: deps
	@$(MAKE) -s --no-print-directory all
	@sh tests/tools/demo.sh

bench: all
	@sh bench/run.sh

fuzz:
	@sh fuzz/run.sh $(FUZZ_SRC)

install: all
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man5"
	install -m 0755 $(OUT)/mfa "$(DESTDIR)$(BINDIR)/mfa"
	install -m 0644 man/mfa.1 "$(DESTDIR)$(MANDIR)/man1/mfa.1"
	install -m 0644 man/mfa-vault.5 "$(DESTDIR)$(MANDIR)/man5/mfa-vault.5"
	install -d "$(DESTDIR)$(DATADIR)/bash-completion/completions" \
		"$(DESTDIR)$(DATADIR)/zsh/site-functions" "$(DESTDIR)$(DATADIR)/fish/vendor_completions.d"
	$(OUT)/mfa completion bash > "$(DESTDIR)$(DATADIR)/bash-completion/completions/mfa"
	$(OUT)/mfa completion zsh > "$(DESTDIR)$(DATADIR)/zsh/site-functions/_mfa"
	$(OUT)/mfa completion fish > "$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/mfa.fish"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/mfa" "$(DESTDIR)$(MANDIR)/man1/mfa.1" "$(DESTDIR)$(MANDIR)/man5/mfa-vault.5" \
		"$(DESTDIR)$(DATADIR)/bash-completion/completions/mfa" \
		"$(DESTDIR)$(DATADIR)/zsh/site-functions/_mfa" \
		"$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/mfa.fish"

format:
	clang-format -i $(shell find src include tests/unit fuzz -name '*.[ch]')

clean:
	rm -rf $(BUILD) build mfa
