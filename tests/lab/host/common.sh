# shellcheck shell=bash
# Shared settings and helpers for the lab's host-side scripts.
# Sourced, never run. Every failure names the step that failed.

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
LAB_DIR=$LAB_TOP/tests/lab
BUILD=${BUILD:-$LAB_TOP/build}
case $BUILD in /*) ;; *) BUILD=$LAB_TOP/$BUILD ;; esac
LAB_CACHE=$BUILD/lab/cache
LAB_RUNS=$BUILD/lab/runs

XEN_SERIES=4.17
XEN_HV_PKG=xen-hypervisor-$XEN_SERIES-amd64
XEN_UTILS_PKG=xen-utils-$XEN_SERIES

# Packages of the dom0 root filesystem (on top of Debian's minbase).
# systemd: its journald and journalctl, and the helpers a package's
# maintainer scripts call (deb-systemd-helper); PID 1 stays the lab's.
# weston with Mesa's EGL and GL drivers: the compositor of the wayland
# scenario (its DRM backend with the GL renderer imports dma-bufs on vkms).
DOM0_PKGS="$XEN_UTILS_PKG xenstore-utils kmod procps libdrm2 systemd strace linux-perf weston libgl1-mesa-dri libegl-mesa0"

lab_msg() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# lab_need CMD... : fail clearly when a host tool is missing.
lab_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			lab_die "missing host tool '$c' (run 'make deps')"
	done
}

lab_kver() {
	"$LAB_TOP/tools/dev/lab-kver" || lab_die "cannot resolve the lab kernel version"
}

# Candidate version of a package from this machine's apt configuration.
lab_pkg_version() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$v" ] && [ "$v" != "(none)" ] ||
		lab_die "package $1 has no candidate in apt (run 'apt-get update' / 'make deps')"
	echo "$v"
}
