# shellcheck shell=bash
# vkms-selftest: prove the lab's display tools on a known-good display before
# the Xen backend relies on them. No domU: in dom0, vkms (built by
# tests/lab/host/images from linux-source) is loaded, zdispl-pattern flips
# numbered frames of the test pattern on it and holds the last one, and
# zdispl-capture reads the scanout back through GETFB2 while the client is
# still DRM master and checks it pixel by pixel against the same frame.
# Each format the tools support gets a run; the PNGs go to the host, whose
# host-check decodes them with its own PNG reader.
#
# The flip rate is recorded (fps.txt), never asserted: under TCG it is what
# vkms's simulated vblank and the emulated CPUs make of it.

PATTERN_TIMEOUT=90

# --- vkms --------------------------------------------------------------------
lab_step "modprobe vkms enable_writeback=1" 60 modprobe vkms enable_writeback=1
modinfo vkms 2>&1 | lab_save vkms-modinfo.txt
lab_check "vkms comes from updates/vkms" grep -q "^filename:.*/updates/vkms/vkms.ko" \
	"$RESULTS/vkms-modinfo.txt"
lab_check "vkms pulled in drm_kms_helper and drm_shmem_helper" bash -c \
	"grep -q '^drm_kms_helper ' /proc/modules && grep -q '^drm_shmem_helper ' /proc/modules"

# The vkms card: the DRM device whose sysfs device is the vkms platform device.
vkms_card() {
	local d
	for d in /sys/class/drm/card[0-9]*; do
		case ${d##*/} in *-*) continue ;; esac
		[ "$(basename "$(readlink -f "$d/device")")" = vkms ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}
lab_step "vkms card appears" 30 lab_wait 30 "vkms card in /sys/class/drm" vkms_card
CARD=$(vkms_card)
lab_log "vkms card: $CARD"
echo "$CARD" | lab_save vkms-card.txt
lab_check "$CARD has connector Virtual-1" test -e "/sys/class/drm/$CARD-Virtual-1"
lab_check "Virtual-1 is connected" grep -qx connected "/sys/class/drm/$CARD-Virtual-1/status"
lab_check "$CARD has a writeback connector (enable_writeback=1)" \
	test -e "/sys/class/drm/$CARD-Writeback-1"
lab_check "/dev/dri/$CARD exists" test -c "/dev/dri/$CARD"

# --- one pattern run + capture per format ---------------------------------------
# wait_holding OUT PID: until zdispl-pattern says it holds its last frame;
# fails at once if it exits, else after PATTERN_TIMEOUT seconds.
wait_holding() {
	local end=$((SECONDS + PATTERN_TIMEOUT))
	while [ $SECONDS -lt $end ]; do
		grep -q '^holding ' "$1" && return 0
		kill -0 "$2" 2>/dev/null || { lab_log "zdispl-pattern exited early"; return 1; }
		sleep 0.2
	done
	return 1
}

# field KEY FILE: the value of KEY=VALUE in the last line of FILE that has it.
field() { grep -o "\<$1=[^ ]*" "$2" | tail -n 1 | cut -d= -f2; }

# selftest FMT FRAMES [MODE]: the whole round trip for one pixel format and
# mode (default: the preferred one). Its files are named after "FMT[-MODE]".
selftest() {
	local fmt=$1 frames=$2 mode=${3:-} pid last size rc t0 t1
	local label=$1${3:+-$3}
	local out=$RESULTS/pattern-$label.out cap=$RESULTS/capture-$label
	local args=(--card "/dev/dri/$CARD" --connector Virtual-1 --format "$fmt"
		--frames "$frames" --hold inf)
	[ -n "$mode" ] && args+=(--mode "$mode")

	lab_log "zdispl-pattern ${args[*]}"
	zdispl-pattern "${args[@]}" >"$out" 2>"$RESULTS/pattern-$label.err" &
	pid=$!
	if ! lab_step "$label: zdispl-pattern flips $frames frames and holds the last" \
		$((PATTERN_TIMEOUT + 10)) wait_holding "$out" "$pid"; then
		return 1 # not reached: lab_step aborts the scenario
	fi
	last=$(field last_frame "$out")
	size=$(field WxH "$out")
	lab_check "$label: client reports $frames flips, last_frame=$frames" \
		test "$(field frames "$out")" = "$frames" -a "$last" = "$frames"
	[ -z "$mode" ] || lab_check "$label: client uses the asked mode $mode" test "$size" = "$mode"

	# Capture while the client is DRM master and still holds the frame.
	t0=$(date +%s%N)
	rc=0
	timeout 60 zdispl-capture --connector Virtual-1 -o "$cap.png" --verify-pattern "$last" \
		>"$cap.out" 2>"$cap.err" || rc=$?
	t1=$(date +%s%N)
	cat "$cap.out" "$cap.err" >&2
	lab_check "$label: capture of frame $last is pixel-exact (rc $rc)" \
		bash -c "[ $rc = 0 ] && grep -q '^match=yes frame=$last ' '$cap.out'"
	lab_check "$label: capture saw format $fmt at $size" \
		test "$(field format "$cap.out")" = "$fmt" -a "$(field WxH "$cap.out")" = "$size"
	lab_check "$label: the PNG was written" test -s "$cap.png"
	# The frame number read back from the picture itself.
	lab_check "$label: --verify-pattern auto reads frame $last" bash -c \
		"zdispl-capture --card /dev/dri/$CARD --verify-pattern auto | grep -q '^match=yes frame=$last '"
	# The comparison is not vacuous: the frame before differs.
	rc=0
	zdispl-capture --connector Virtual-1 --verify-pattern $((last - 1)) \
		>"$cap-wrong-frame.out" 2>&1 || rc=$?
	lab_check "$label: frame $((last - 1)) does not match (rc $rc = 1)" \
		bash -c "[ $rc = 1 ] && grep -q '^match=no ' '$cap-wrong-frame.out'"

	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	lab_check "$label: zdispl-pattern exits 0 on SIGTERM (rc $rc)" test "$rc" = 0
	printf '%s %s capture_ms=%s\n' "$label" "$(grep '^frames=' "$out")" \
		$(((t1 - t0) / 1000000)) >>"$RESULTS/fps.txt"
	# With the client gone, its framebuffers are gone too: the CRTC is off
	# or, as vkms sets up fbdev emulation, back on the console's buffer.
	rc=0
	zdispl-capture --connector Virtual-1 --verify-pattern "$last" >"$cap-after-exit.out" 2>&1 ||
		rc=$?
	lab_check "$label: frame $last is gone once the client exited (rc $rc != 0)" test "$rc" != 0
}

: >"$RESULTS/fps.txt"
# XR24 at vkms's preferred mode (1024x768) is the main case; the others cover
# RGB565's quantised comparison and --mode. AR24 is not among them: vkms in
# 6.1 offers ARGB8888 only on overlay and cursor planes, and its primary
# plane refuses it (drmModeSetCrtc: EINVAL).
selftest XR24 120
selftest RG16 60 640x480
selftest XR24 60 800x600
lab_log "flip rates: $(paste -sd ';' "$RESULTS/fps.txt")"

lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
