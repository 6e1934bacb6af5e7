# zdispl top-level build.
#
#   make            userspace programs (build/bin) and kernel modules (build/modules)
#   make deps       install build and test dependencies from Debian's packages
#   make check      deps, build, host unit tests (plain + ASan/UBSan), every lab scenario
#   make demo       deps, build, boot the lab and run the main job
#   make unit       host unit tests only;  make unit-asan: the same under ASan+UBSan
#   make lab SCENARIO=smoke   one lab scenario on the real hypervisor
#   make bench      deps, build, the lab's benchmarks (tools/bench); numbers, no verdicts
#   make soak       deps, build, 100 guest lifetimes with leak counts (SOAK_CYCLES)
#   make fuzz       the libFuzzer targets for a while each (see Fuzzing below)
#   make dkms-src   the modules' DKMS source trees ($(BUILD)/dkms)
#   make install    daemon, status tool, systemd unit, man pages, DKMS sources
#                   (DESTDIR=, PREFIX=/usr/local); make uninstall removes them
#
# All output goes to $(BUILD) (gitignored).

.DEFAULT_GOAL := all

BUILD   ?= build
CC      ?= cc
SHELL   := /bin/bash

# The kernel the lab boots; modules are built against its headers by default.
LAB_KVER ?= $(shell tools/dev/lab-kver 2>/dev/null)
KDIR     ?= /usr/src/linux-headers-$(LAB_KVER)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wformat=2 -Wvla
CFLAGS   ?= -O2 -g
# Xen's public headers: the current interface (io/ring.h then wants xen_mb()
# and friends from us; xen-interface/zdispl/displif-use.h provides them).
XENIF    := -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__
ZCFLAGS  := -std=c11 -D_GNU_SOURCE $(WARN) $(XENIF) -Ixen-interface $(CFLAGS)
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer

pkg_cflags = $(if $(strip $(1)),$(shell pkg-config --cflags $(1)))
pkg_libs   = $(if $(strip $(1)),$(shell pkg-config --libs $(1)))

# ---------------------------------------------------------------------------
# Userspace programs: NAME_SRCS, NAME_PKGS.
PROGRAMS :=

# The daemon (back/daemon): main.c wires base/ (log, poll loop), core/ (the
# protocol: host-testable, no libdrm and no kernel facility), kms/ (the
# display on libdrm) and xen/ (the grant <-> dma-buf kernel facilities).
DAEMON_BASE := $(sort $(wildcard back/daemon/base/*.c))
DAEMON_CORE := $(sort $(wildcard back/daemon/core/*.c))
DAEMON_KMS := $(sort $(wildcard back/daemon/kms/*.c))
DAEMON_XEN := $(sort $(wildcard back/daemon/xen/*.c))
# wl/: the display on a Wayland compositor; its protocols' client code is
# generated from Debian's wayland-protocols by wayland-scanner.
DAEMON_WL := $(sort $(wildcard back/daemon/wl/*.c))
WL_GEN := $(BUILD)/gen/wl
WL_PROTOCOLS := stable/xdg-shell/xdg-shell.xml unstable/linux-dmabuf/linux-dmabuf-unstable-v1.xml
WL_GEN_SRCS := $(foreach x,$(WL_PROTOCOLS),$(WL_GEN)/$(basename $(notdir $(x)))-protocol.c)
WL_GEN_HDRS := $(foreach x,$(WL_PROTOCOLS),$(WL_GEN)/$(basename $(notdir $(x)))-client-protocol.h)
DAEMON_HDRS := $(wildcard back/daemon/*.h back/daemon/*/*.h tools/ctl/*.h)

PROGRAMS += zdispl-back
zdispl-back_SRCS := back/daemon/main.c back/daemon/options.c $(DAEMON_BASE) $(DAEMON_CORE) $(DAEMON_KMS) \
	$(DAEMON_XEN) $(DAEMON_WL) $(WL_GEN_SRCS)
zdispl-back_PKGS := xenstore xengnttab xenevtchn xentoollog libdrm wayland-client
$(BUILD)/bin/zdispl-back: CPPFLAGS += -I$(WL_GEN)
$(BUILD)/bin/zdispl-back: $(WL_GEN_HDRS)

WL_XML = $(shell pkg-config --variable=pkgdatadir wayland-protocols)/$(filter %/$(1).xml,$(WL_PROTOCOLS))
WL_SCANNER = $(shell pkg-config --variable=wayland_scanner wayland-scanner)
$(WL_GEN)/%-client-protocol.h:
	@mkdir -p $(WL_GEN)
	$(WL_SCANNER) client-header $(call WL_XML,$*) $@
$(WL_GEN)/%-server-protocol.h:
	@mkdir -p $(WL_GEN)
	$(WL_SCANNER) server-header $(call WL_XML,$*) $@
$(WL_GEN)/%-protocol.c:
	@mkdir -p $(WL_GEN)
	$(WL_SCANNER) private-code $(call WL_XML,$*) $@

PROGRAMS += zdispl-status
zdispl-status_SRCS := tools/status/zdispl-status.c tools/ctl/snapshot.c
zdispl-status_PKGS :=

# zdisplctl's capture reads the scanout as zdispl-capture does (tools/common).
PROGRAMS += zdisplctl
ZDISPLCTL_SRCS := tools/ctl/snapshot.c tools/ctl/render.c
zdisplctl_SRCS := tools/ctl/zdisplctl.c $(ZDISPLCTL_SRCS) tools/common/scanout.c \
	tools/common/drmcard.c tools/common/pixfmt.c tools/common/png.c
zdisplctl_PKGS := libdrm

PROGRAMS += zdispl-lab-agent
zdispl-lab-agent_SRCS := tests/lab/agent/agent.c
zdispl-lab-agent_PKGS := xenstore

# Lab display tools: a DRM client drawing the test pattern, and a dom0
# scanout capture that checks it (tools/common is shared between them).
ZD_TOOLS_COMMON := tools/common/pixfmt.c tools/common/pattern.c tools/common/drmcard.c

PROGRAMS += zdispl-pattern
zdispl-pattern_SRCS := $(ZD_TOOLS_COMMON) $(sort $(wildcard tools/pattern/*.c))
zdispl-pattern_PKGS := libdrm
$(BUILD)/bin/zdispl-pattern: $(wildcard tools/common/*.h tools/pattern/*.h)

PROGRAMS += zdispl-capture
zdispl-capture_SRCS := $(ZD_TOOLS_COMMON) tools/common/patcheck.c tools/common/png.c \
	tools/common/scanout.c $(sort $(wildcard tools/capture/*.c))
zdispl-capture_PKGS := libdrm
$(BUILD)/bin/zdispl-capture: $(wildcard tools/common/*.h tools/capture/*.h)

# Lab test of the backend's KMS display (kms*.c) on vkms in dom0.
PROGRAMS += zdispl-display-test
zdispl-display-test_SRCS := tests/lab/progs/display-test.c $(DAEMON_KMS) back/daemon/core/format.c \
	$(DAEMON_BASE) tools/common/pattern.c tools/common/pixfmt.c
zdispl-display-test_PKGS := libdrm
$(BUILD)/bin/zdispl-display-test: $(DAEMON_HDRS) $(wildcard tools/common/*.h)

# Lab test of the dom0 helper (back/zcopy) through its ioctl ABI.
PROGRAMS += zdispl-zcopy-test
zdispl-zcopy-test_SRCS := tests/lab/progs/zcopy-test.c tools/common/drmcard.c
zdispl-zcopy-test_PKGS := libdrm

# Lab test of a frontend against a hostile displif backend (one case at a time).
PROGRAMS += zdispl-hostile-back
zdispl-hostile-back_SRCS := tests/lab/progs/hostile-back.c tests/lab/progs/say.c \
	back/daemon/core/edid.c back/daemon/core/xsutil.c
zdispl-hostile-back_PKGS := xenstore xengnttab xenevtchn

# Lab test of the backend against a hostile displif frontend, run in a guest.
PROGRAMS += zdispl-hostile-front
zdispl-hostile-front_SRCS := tests/lab/progs/hostile-front.c tests/lab/progs/say.c \
	back/daemon/core/xsutil.c
zdispl-hostile-front_PKGS := xenstore xengnttab xenevtchn

# Benchmarks (make bench): what Xen itself costs, event channels and grant maps.
PROGRAMS += zdispl-bench-raw
zdispl-bench-raw_SRCS := tools/bench/xen-raw.c
zdispl-bench-raw_PKGS := xenstore xengnttab xenevtchn

# Lab: runs a service from its systemd unit as systemd does (dom0's PID 1 is not systemd).
PROGRAMS += zdispl-lab-unit
zdispl-lab-unit_SRCS := tests/lab/progs/unit-run.c
zdispl-lab-unit_PKGS :=

# Lab test of a frontend's fences and formats, run in the guest.
PROGRAMS += zdispl-kms-test
zdispl-kms-test_SRCS := tests/lab/progs/kms-test.c $(ZD_TOOLS_COMMON) tools/pattern/dumb.c \
	tools/pattern/output.c
zdispl-kms-test_PKGS := libdrm

define program_rules
$(BUILD)/bin/$(1): $$($(1)_SRCS) $$(wildcard xen-interface/*/*.h $$(dir $$($(1)_SRCS))*.h) | $(BUILD)/bin
	$$(CC) $$(CPPFLAGS) $$(ZCFLAGS) $$(call pkg_cflags,$$($(1)_PKGS)) $$(LDFLAGS) -o $$@ \
		$$($(1)_SRCS) $$(call pkg_libs,$$($(1)_PKGS))
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))

# ---------------------------------------------------------------------------
# Kernel modules, built out of tree.  Kbuild writes objects next to the
# sources, so each module's sources are copied to $(BUILD)/kmod/<name> first.
# front: the guest's frontend (zdispl_front); back/zcopy: dom0's helper.
KMODS := front back/zcopy tests/lab/modules/labprobe

define kmod_rules
$(BUILD)/modules/$(notdir $(1)).stamp: $$(shell find $(1) -name '*.[ch]' -o -name Kbuild) \
		$$(wildcard xen-interface/*/*.h xen-interface/kernel/*.c) | $(BUILD)/modules
	@test -d "$(KDIR)" || { echo "error: kernel headers not found at KDIR=$(KDIR)" \
		"(run 'make deps' or pass KDIR=)" >&2; exit 1; }
	rm -rf $(BUILD)/kmod/$(notdir $(1)) && mkdir -p $(BUILD)/kmod/$(notdir $(1))
	cp -r $(1)/. $(BUILD)/kmod/$(notdir $(1))/
	$$(MAKE) -C $(KDIR) M=$(CURDIR)/$(BUILD)/kmod/$(notdir $(1)) \
		ZDISPL_INC=$(CURDIR)/xen-interface modules
	cp $(BUILD)/kmod/$(notdir $(1))/*.ko $(BUILD)/modules/
	touch $$@
endef
$(foreach m,$(KMODS),$(eval $(call kmod_rules,$(m))))

# The DKMS source trees of the shipped modules, as a package installs them
# in /usr/src: $(BUILD)/dkms/zdispl-<front|zcopy>-$(ZDISPL_VERSION)/, each
# the module's directory with its dkms.conf's version filled in and
# xen-interface/ beside the sources.
ZDISPL_VERSION := 0.1.0
DKMS_MODS := front back/zcopy
dkms-src:
	rm -rf $(BUILD)/dkms
	set -e; for m in $(DKMS_MODS); do \
		d=$(BUILD)/dkms/zdispl-$${m##*/}-$(ZDISPL_VERSION); \
		mkdir -p $$d && cp -r $$m/. xen-interface $$d/; \
		sed -i 's/@VERSION@/$(ZDISPL_VERSION)/' $$d/dkms.conf; \
	done
print-version:
	@echo $(ZDISPL_VERSION)

# ---------------------------------------------------------------------------
# make install / make uninstall [DESTDIR=] [PREFIX=/usr/local]: the daemon
# and its tools (zdisplctl, zdispl-status), the systemd unit, the man pages, the default config
# file (/etc/zdispl/zdispl.conf, never over an existing one), and the
# modules' DKMS sources (in /usr/src, where DKMS looks; `dkms add` then
# builds them).
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DKMSDIR ?= /usr/src
SYSCONFDIR ?= /etc
CONF := $(SYSCONFDIR)/zdispl/zdispl.conf
INSTALL_FILES := $(SBINDIR)/zdispl-back $(SBINDIR)/zdispl-status $(SBINDIR)/zdisplctl \
	$(UNITDIR)/zdispl-back.service $(MANDIR)/man8/zdispl-back.8 $(MANDIR)/man8/zdispl-status.8 \
	$(MANDIR)/man8/zdisplctl.8 $(MANDIR)/man5/zdispl.conf.5
DKMS_TREES := $(foreach m,$(DKMS_MODS),$(DKMSDIR)/zdispl-$(notdir $(m))-$(ZDISPL_VERSION))
# What the packages ship: the daemon and the operator's tools.
SHIPPED := zdispl-back zdisplctl zdispl-status
shipped: $(addprefix $(BUILD)/bin/,$(SHIPPED))
install: shipped dkms-src
	install -D -m 0755 $(BUILD)/bin/zdispl-back $(DESTDIR)$(SBINDIR)/zdispl-back
	install -D -m 0755 $(BUILD)/bin/zdispl-status $(DESTDIR)$(SBINDIR)/zdispl-status
	install -D -m 0755 $(BUILD)/bin/zdisplctl $(DESTDIR)$(SBINDIR)/zdisplctl
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DKMSDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|' back/daemon/zdispl-back.service \
		>$(DESTDIR)$(UNITDIR)/zdispl-back.service
	install -m 0644 docs/man/zdispl-back.8 docs/man/zdispl-status.8 docs/man/zdisplctl.8 \
		$(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 docs/man/zdispl.conf.5 $(DESTDIR)$(MANDIR)/man5/zdispl.conf.5
	@# An operator's config file stays as it is.
	test -e $(DESTDIR)$(CONF) || install -D -m 0644 back/daemon/zdispl.conf $(DESTDIR)$(CONF)
	$(foreach t,$(DKMS_TREES),rm -rf $(DESTDIR)$(t) && \
		cp -r $(BUILD)/dkms/$(notdir $(t)) $(DESTDIR)$(t);)
# make deb: the Debian packages (zdispl-back, zdispl-zcopy-dkms,
# zdispl-front-dkms) in $(BUILD)/deb, built with debhelper from a copy of
# the tree (tools/deb/debian/ becomes its debian/).
DEB_TREE := $(BUILD)/deb/zdispl-$(ZDISPL_VERSION)
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(DEB_TREE)
	cp -r Makefile README.md front back xen-interface tools docs $(DEB_TREE)/
	cp -r tools/deb/debian $(DEB_TREE)/debian
	@# The package builds its copy as a fresh make would: nothing of this
	@# make's command line or environment (BUILD=, MAKEFLAGS) reaches it,
	@# or its clean step would empty this tree's $(BUILD).
	cd $(DEB_TREE) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD dpkg-buildpackage -b -us -uc
	@ls $(BUILD)/deb/*.deb

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	rm -rf $(addprefix $(DESTDIR),$(DKMS_TREES))
	@# The config file goes only as it was installed; a changed one stays.
	if cmp -s back/daemon/zdispl.conf $(DESTDIR)$(CONF); then rm -f $(DESTDIR)$(CONF); \
	elif [ -e $(DESTDIR)$(CONF) ]; then echo "uninstall: keeping $(DESTDIR)$(CONF): changed"; fi

# ---------------------------------------------------------------------------
# Host unit tests: one runner; the daemon's core linked with the fake Xen
# seam (tests/fakexen) instead of libxen* and the kernel's grant/dma-buf
# facilities (xen/grant-dmabuf.c), and a fake display instead of KMS.
# The frontend's protocol logic (front/proto) builds on the host as well.
FRONT_PROTO := $(sort $(wildcard front/proto/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c tests/fakexen/*.c) $(DAEMON_BASE) $(DAEMON_CORE) \
	back/daemon/options.c $(ZDISPLCTL_SRCS) $(FRONT_PROTO) tools/common/png.c \
	tools/common/pattern.c tools/common/patcheck.c tools/common/pixfmt.c) \
	$(DAEMON_WL) $(WL_GEN_SRCS)
# wl/ is tested against a fake compositor on libwayland-server (tests/unit).
WL_GEN_SERVER_HDRS := $(foreach x,$(WL_PROTOCOLS),$(WL_GEN)/$(basename $(notdir $(x)))-server-protocol.h)
UNIT_HDRS := $(wildcard tests/unit/*.h tests/fakexen/*.h xen-interface/*/*.h front/proto/*.h tools/common/*.h) \
	$(DAEMON_HDRS) $(WL_GEN_HDRS) $(WL_GEN_SERVER_HDRS)
UNIT_CFLAGS = $(ZCFLAGS) -Itests -Itools/ctl -Iback/daemon -Iback/daemon/core -Iback/daemon/base -Ifront/proto \
	-I$(WL_GEN) $(call pkg_cflags,xenstore xengnttab xenevtchn libdrm wayland-client wayland-server)
UNIT_LIBS = $(call pkg_libs,wayland-client wayland-server) -lpthread

$(BUILD)/tests/unit-tests: $(UNIT_SRCS) $(UNIT_HDRS) | $(BUILD)/tests
	$(CC) $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS) $(UNIT_LIBS)

$(BUILD)/tests-asan/unit-tests: $(UNIT_SRCS) $(UNIT_HDRS) | $(BUILD)/tests-asan
	$(CC) $(UNIT_CFLAGS) $(SANFLAGS) -o $@ $(UNIT_SRCS) $(UNIT_LIBS)

# ---------------------------------------------------------------------------
# Userspace C follows .clang-format: "make format" applies it, and make
# check runs "make format-check", which fails on any file that differs.
# Kernel code (front/, back/zcopy/, xen-interface/, tests/lab/modules/)
# follows the kernel's style and is checked by checkpatch instead.
FORMAT_DIRS := back/daemon tools tests/unit tests/fakexen tests/fuzz tests/lab/agent tests/lab/progs
FORMAT_SRCS = $(sort $(shell find $(FORMAT_DIRS) -name '*.[ch]'))

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && \
		echo "format: $(words $(FORMAT_SRCS)) files follow .clang-format" || \
		{ echo "format: the files above differ from .clang-format; run 'make format'" >&2; exit 1; }

# ---------------------------------------------------------------------------
.PHONY: all programs shipped modules dkms-src print-version install uninstall deb deps check demo bench soak unit unit-asan lab lab-images clean \
	format format-check

all: programs modules
programs: $(addprefix $(BUILD)/bin/,$(PROGRAMS))
modules: $(foreach m,$(KMODS),$(BUILD)/modules/$(notdir $(m)).stamp)

deps:
	tools/dev/install-deps

unit: $(BUILD)/tests/unit-tests
	$(BUILD)/tests/unit-tests

unit-asan: $(BUILD)/tests-asan/unit-tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(BUILD)/tests-asan/unit-tests

lab-images: all
	tests/lab/host/images

lab: all
	@test -n "$(SCENARIO)" || { echo "usage: make lab SCENARIO=<name>" >&2; exit 2; }
	tests/lab/run $(SCENARIO)

check: deps
	$(MAKE) all $(BUILD)/tests/unit-tests $(BUILD)/tests-asan/unit-tests
	tests/check

demo: deps
	$(MAKE) all
	tests/lab/demo

# make soak: guest create/destroy cycles (SOAK_CYCLES, default 100) against
# one backend, with leak counts per cycle; figures in docs/reliability.md.
soak: deps
	$(MAKE) all
	tests/lab/run $$(tests/lab/run --soak)

bench: deps
	$(MAKE) all
	tools/bench/run

clean:
	rm -rf $(BUILD)/bin $(BUILD)/modules $(BUILD)/kmod $(BUILD)/tests $(BUILD)/tests-asan

$(BUILD)/bin $(BUILD)/modules $(BUILD)/tests $(BUILD)/tests-asan:
	mkdir -p $@

# ---------------------------------------------------------------------------
# Fuzzing (libFuzzer; clang from Debian's clang and libclang-rt-14-dev).
# fuzz_requests plays scripts (tests/fuzz/script.h) against the daemon core
# through the fake Xen seam and the simulated frontend of the unit tests;
# fuzz_front plays a hostile backend against the frontend's protocol logic
# (front/proto).
#   make fuzz         build and run fuzz_requests for FUZZ_SECONDS (default 60),
#                     then fuzz_front for FUZZ_FRONT_SECONDS (default 30),
#                     fuzz_xsparse for FUZZ_XS_SECONDS (default 30)
#                     and fuzz_device for FUZZ_DEVICE_SECONDS (default 30);
#                     FUZZ_RUNS=N: N executions of each instead, in
#                     FUZZ_JOBS (default 1) processes at once, each
#                     handing over to a fresh one every FUZZ_CHUNK
#                     (default 250000) executions;
#                     FUZZ_MAX_LEN=N: inputs of at most N octets
#   make fuzz-smoke   the same for FUZZ_SMOKE_SECONDS (default 20),
#                     FUZZ_FRONT_SMOKE_SECONDS (default 10) and
#                     FUZZ_XS_SMOKE_SECONDS (default 5); for make check
# The corpora live in $(BUILD)/fuzz/corpus and corpus-front (kept by make
# clean), seeds are generated into $(BUILD)/fuzz/seeds, crashes land in
# $(BUILD)/fuzz/artifacts.
FUZZ_CC                  ?= clang
FUZZ_SECONDS             ?= 60
FUZZ_SMOKE_SECONDS       ?= 20
FUZZ_FRONT_SECONDS       ?= 30
FUZZ_FRONT_SMOKE_SECONDS ?= 10
FUZZ_XS_SECONDS          ?= 30
FUZZ_XS_SMOKE_SECONDS    ?= 5
FUZZ_DEVICE_SECONDS      ?= 30
FUZZ_DEVICE_SMOKE_SECONDS ?= 5
FUZZ_RUNS                ?=
FUZZ_JOBS                ?= 1
FUZZ_CHUNK               ?= 250000
FUZZ_MAX_LEN             ?=
# log.c is replaced by a quiet, clock-free one: the fuzzer must be fast and
# deterministic.
FUZZ_SRCS := tests/fuzz/fuzz_requests.c tests/fuzz/quiet_log.c tests/unit/fe_sim.c \
	     tests/unit/fake_display.c $(sort $(wildcard tests/fakexen/*.c)) \
	     $(filter-out back/daemon/base/log.c,$(DAEMON_BASE)) $(DAEMON_CORE)
FUZZ_HDRS := $(wildcard tests/fuzz/*.h) $(UNIT_HDRS) tests/fuzz/coverage-ignore.txt
FUZZ_CFLAGS = $(UNIT_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=all -fno-omit-frame-pointer \
	      -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt
# The closing of the grant and event channel handles and writable buffer
# mappings (the fake Xen seam's) pass through checks in fuzz_requests.c
# first; images and layouts handed to the display are checked by its
# display ops.
FUZZ_WRAP := -Wl,--wrap=xengnttab_close,--wrap=xenevtchn_close \
	     -Wl,--wrap=xengnttab_map_domain_grant_refs,--wrap=xengnttab_map_grant_ref

$(BUILD)/fuzz/fuzz_requests: $(FUZZ_SRCS) $(FUZZ_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WRAP) -o $@ $(FUZZ_SRCS)

FUZZ_FRONT_SRCS := tests/fuzz/fuzz_front.c $(FRONT_PROTO)

$(BUILD)/fuzz/fuzz_front: $(FUZZ_FRONT_SRCS) $(FUZZ_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_FRONT_SRCS)

# fuzz_xsparse: the parsers of values another domain writes (xsutil.c,
# policy.c) against what they promise; the fake Xen only links xsutil.c.
FUZZ_XS_SRCS := tests/fuzz/fuzz_xsparse.c back/daemon/core/xsutil.c back/daemon/core/policy.c \
	$(sort $(wildcard tests/fakexen/*.c))

$(BUILD)/fuzz/fuzz_xsparse: $(FUZZ_XS_SRCS) $(FUZZ_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_XS_SRCS)

# fuzz_device: the device state machine against xenstore writes by the
# frontend and the toolstack (the daemon core through the fake Xen seam).
FUZZ_DEVICE_SRCS := tests/fuzz/fuzz_device.c $(filter-out tests/fuzz/fuzz_requests.c,$(FUZZ_SRCS))

$(BUILD)/fuzz/fuzz_device: $(FUZZ_DEVICE_SRCS) $(FUZZ_HDRS) | $(BUILD)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_DEVICE_SRCS)

$(BUILD)/fuzz/gen-seeds: tests/fuzz/gen_seeds.c tests/fuzz/script.h | $(BUILD)/fuzz
	$(CC) $(UNIT_CFLAGS) -o $@ tests/fuzz/gen_seeds.c

$(BUILD)/fuzz/seeds.stamp: $(BUILD)/fuzz/gen-seeds
	rm -rf $(BUILD)/fuzz/seeds && mkdir -p $(BUILD)/fuzz/seeds
	$(BUILD)/fuzz/gen-seeds $(BUILD)/fuzz/seeds
	touch $@

.PHONY: fuzz fuzz-smoke
FUZZ_TARGETS := $(addprefix $(BUILD)/fuzz/,fuzz_requests fuzz_front fuzz_xsparse fuzz_device)

fuzz: $(FUZZ_TARGETS) $(BUILD)/fuzz/seeds.stamp
	BUILD=$(BUILD) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_CHUNK=$(FUZZ_CHUNK) \
		FUZZ_MAX_LEN=$(FUZZ_MAX_LEN) tests/fuzz/run $(FUZZ_SECONDS) fuzz_front:$(FUZZ_FRONT_SECONDS) \
		fuzz_xsparse:$(FUZZ_XS_SECONDS) fuzz_device:$(FUZZ_DEVICE_SECONDS)

fuzz-smoke: $(FUZZ_TARGETS) $(BUILD)/fuzz/seeds.stamp
	BUILD=$(BUILD) tests/fuzz/run $(FUZZ_SMOKE_SECONDS) fuzz_front:$(FUZZ_FRONT_SMOKE_SECONDS) \
		fuzz_xsparse:$(FUZZ_XS_SMOKE_SECONDS) fuzz_device:$(FUZZ_DEVICE_SMOKE_SECONDS)

$(BUILD)/fuzz:
	mkdir -p $@
