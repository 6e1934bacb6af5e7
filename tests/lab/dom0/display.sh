# shellcheck shell=bash
# display.sh: helpers for display scenarios (sourced after lab.sh by a
# scenario's run.sh as `. /lab/display.sh`): the vkms card, zdispl-back,
# the guest pattern client and the pixel-exact capture.

PATTERN_TIMEOUT=${PATTERN_TIMEOUT:-150}
BACK_LOG=$RESULTS/zdispl-back.log
BACK_PID=""

# lab_field KEY FILE: the value of KEY=VALUE in the last line of FILE having it.
lab_field() { grep -o "\<$1=[^ ]*" "$2" | tail -n 1 | cut -d= -f2; }

# lab_vkms_card: cardN of the vkms platform device (waits for it).
_lab_vkms_card() {
	local d
	for d in /sys/class/drm/card[0-9]*; do
		case ${d##*/} in *-*) continue ;; esac
		[ "$(basename "$(readlink -f "$d/device")")" = vkms ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}
lab_vkms_card() {
	lab_wait 30 "vkms card" _lab_vkms_card && _lab_vkms_card
}

# lab_drm_card DRIVER: cardN whose device is bound to DRIVER (waits for it).
_lab_drm_card() {
	local d
	for d in /sys/class/drm/card[0-9]*; do
		case ${d##*/} in *-*) continue ;; esac
		[ "$(basename "$(readlink -f "$d/device/driver")")" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}
lab_drm_card() {
	lab_wait 30 "$1 card" _lab_drm_card "$1" && _lab_drm_card "$1"
}

# lab_card_connector CARD: the name of CARD's first connector (e.g. Virtual-2:
# connector numbers are global per type, so a second device's is not -1).
lab_card_connector() {
	local c
	for c in /sys/class/drm/"$1"-*; do
		[ -e "$c/status" ] || continue
		case ${c##*/} in *Writeback*) continue ;; esac
		echo "${c##*/$1-}"
		return 0
	done
	return 1
}

# lab_back_start ARGS...: start zdispl-back (debug log in $BACK_LOG), wait
# until it serves the backend directory.
lab_back_start() {
	zdispl-back --log-level debug "$@" >"$BACK_LOG" 2>&1 &
	BACK_PID=$!
	lab_step "zdispl-back serves vdispl" 30 lab_wait 30 "zdispl-back serving" \
		grep -q "serving /local/domain/0/backend/vdispl" "$BACK_LOG"
}

# lab_back_stop: SIGTERM; it must close every device and exit 0.
lab_back_stop() {
	local rc=0
	kill -TERM "$BACK_PID"
	lab_step "zdispl-back exits on SIGTERM" 30 lab_wait 30 "zdispl-back exit" \
		bash -c "! kill -0 $BACK_PID 2>/dev/null"
	wait "$BACK_PID" || rc=$?
	lab_check "zdispl-back exit status 0 (got $rc)" test "$rc" = 0
	lab_check "zdispl-back logged its shutdown" grep -q "shutting down" "$BACK_LOG"
}

# lab_zcopy_start [VKMS-PARAMS...]: vkms and the zero-copy helper loaded,
# zdispl-back on vkms and using the helper. Sets VKMS (cardN) and CONN (its
# connector's name).
lab_zcopy_start() {
	lab_step "modprobe vkms $*" 60 modprobe vkms "$@"
	lab_step "modprobe zdispl_zcopy" 30 modprobe zdispl_zcopy
	VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false
	CONN=$(lab_card_connector "$VKMS")
	lab_back_start --drm "/dev/dri/$VKMS"
	lab_check "backend chose the helper for zero-copy" grep -q "via the helper" "$BACK_LOG"
}

# lab_helper_idle: the helper holds no dma-buf, mapping, allocated page or grant.
lab_helper_idle() {
	local s=/sys/class/misc/zdispl-zcopy/stats
	grep -q '^exports_alive 0$' $s && grep -q '^pages_mapped 0$' $s &&
		grep -q '^allocs_alive 0$' $s && grep -q '^pages_allocated 0$' $s &&
		grep -q '^grants_alive 0$' $s
}

# lab_zcopy_status TAG DEV: save the status (TAG-status.txt and .raw) and
# check that device DEV (domN/vdispl/0) showed connector 0 zero-copy: it
# flipped with 0 bytes copied, and every buffer of DEV is zero-copy.
lab_zcopy_status() {
	local tag=$1 dev=$2 raw=$RESULTS/$1-status.raw
	zdispl-status >"$RESULTS/$tag-status.txt" 2>&1
	zdispl-status --raw >"$raw" 2>&1
	lab_check "$tag: connector 0 flipped and copied 0 bytes" bash -c \
		"grep '^conn name=$dev/0 ' '$raw' | grep -q 'flips=[1-9][0-9]* bytes-copied=0 '"
	lab_check "$tag: the device has buffers" grep -q "^buffer device=$dev " "$raw"
	lab_check "$tag: every buffer is zero-copy" bash -c \
		"! grep '^buffer device=$dev ' '$raw' | grep -v -q 'path=zero-copy '"
	lab_check "$tag: the status tool says zero-copy is on" grep -q "zero-copy: on" \
		"$RESULTS/$tag-status.txt"
}

# lab_guest_pattern NAME ARGS...: run zdispl-pattern in guest NAME until it
# holds its last frame; its output goes to $RESULTS/NAME-pattern.out.
# lab_guest_client NAME CMD...: the same for any client that prints
# "holding ..." once its frame is up and keeps it until SIGTERM.
# The wait's verdict goes to $PATTERN_STATE: "holding" once the client
# holds its frame, "exited" if it died first (the wait then ends early).
# The client is tracked by its pid, which exists from the fork on (its name
# only from its exec, which may come late under TCG); a zombie is gone.
PATTERN_STATE=/run/lab-pattern-state
_GUEST_ALIVE='alive() { s=$(sed -n "s/^State:[[:space:]]*\(.\).*/\1/p" /proc/$1/status 2>/dev/null);
	[ -n "$s" ] && [ "$s" != Z ]; }'
_lab_guest_holding() {
	local rc=0
	lab_guest_run "$1" "$_GUEST_ALIVE; grep -q '^holding ' /tmp/pattern.out && exit 0;
		alive \$(cat /tmp/pattern.pid) && exit 1; exit 2" 10 >/dev/null || rc=$?
	case $rc in
	0) echo holding >"$PATTERN_STATE" ;;
	2) echo exited >"$PATTERN_STATE" ;;
	*) return 1 ;;
	esac
}
_lab_guest_pattern_save() {
	lab_guest_run "$1" "cat /tmp/pattern.out" | lab_save "$1-pattern.out"
	lab_guest_run "$1" "cat /tmp/pattern.err" | lab_save "$1-pattern.err"
	lab_guest_run "$1" "dmesg | tail -n 20" | lab_save "$1-dmesg-tail.txt"
}
lab_guest_client() {
	local name=$1 prog=$2 state id0 id1
	shift
	rm -f "$PATTERN_STATE"
	id0=$(lab_domid "$name")
	# The frontend makes its DRM device once it sees the backend
	# Connected, a moment after the backend logs it: wait for a DRM
	# connector in the guest before the client looks for one (the client
	# probes it itself; its sysfs status is "unknown" until a probe).
	lab_step "$name: the guest has a DRM connector" 30 lab_wait 30 \
		"$name: a DRM connector" lab_guest_run "$name" \
		"ls /sys/class/drm/card*-*/status" 10
	lab_guest_run "$name" "$* >/tmp/pattern.out 2>/tmp/pattern.err &
		echo \$! >/tmp/pattern.pid" 10
	lab_wait "$PATTERN_TIMEOUT" "$name $prog holding" _lab_guest_holding "$name"
	state=$(cat "$PATTERN_STATE" 2>/dev/null || echo "not holding after ${PATTERN_TIMEOUT}s")
	_lab_guest_pattern_save "$name"
	# A guest that Xen restarted under the client (its reboot, or a crash
	# that on_reboot turned into one) has a new domain id: say so.
	id1=$(lab_domid "$name" || echo none)
	[ "$id0" = "$id1" ] || state="$state; guest $name restarted: domain $id0 -> $id1$(lab_xen_says "$id0")"
	[ "$state" = holding ] || lab_step "$name: $prog holds its last frame ($state)" 1 false
	lab_check "$name: $prog reports its last frame held" \
		grep -q '^holding last_frame=' "$RESULTS/$name-pattern.out"
}
lab_guest_pattern() {
	local name=$1
	shift
	lab_guest_client "$name" zdispl-pattern "$@" --hold inf
	lab_log "$name: $(grep '^frames=' "$RESULTS/$name-pattern.out")"
}

# lab_guest_pattern_stop NAME: SIGTERM the client, wait until it is gone.
lab_guest_pattern_stop() {
	lab_guest_run "$1" "kill -TERM \$(cat /tmp/pattern.pid)" 10 >/dev/null
	lab_step "$1: zdispl-pattern exits" 30 lab_wait 30 "$1 pattern gone" \
		lab_guest_run "$1" "$_GUEST_ALIVE; ! alive \$(cat /tmp/pattern.pid)" 10
}

# lab_capture_check TAG CARD CONNECTOR FRAME: capture what dom0 scans out
# on CONNECTOR of CARD and require it to be pattern frame FRAME, pixel-exact,
# and not frame FRAME-1 (the comparison can fail).
lab_capture_check() {
	local tag=$1 card=$2 conn=$3 frame=$4 rc=0 cap=$RESULTS/$1-capture
	timeout 60 zdispl-capture --card "$card" --connector "$conn" -o "$cap.png" \
		--verify-pattern "$frame" >"$cap.out" 2>"$cap.err" || rc=$?
	lab_check "$tag: dom0 scans out frame $frame pixel-exact (rc $rc)" \
		bash -c "[ $rc = 0 ] && grep -q '^match=yes frame=$frame ' '$cap.out'"
	rc=0
	timeout 60 zdispl-capture --card "$card" --connector "$conn" --verify-pattern $((frame - 1)) \
		>"$cap-wrong.out" 2>&1 || rc=$?
	lab_check "$tag: frame $((frame - 1)) does not match (rc $rc = 1)" test "$rc" = 1
}

# lab_front_cfg CFG FRONT [ARGS]: guest config CFG with frontend FRONT
# ("linux": Linux's drm_xen_front, "zdispl": ours; see tests/lab/domu/init)
# and ARGS added to the guest kernel's command line, as a file under /run.
# Prints its path.
lab_front_cfg() {
	local out=/run/lab-${1##*/}-$2.cfg args="lab.front=$2${3:+ $3}"
	sed "s/^extra *= *\"\(.*\)\"/extra = \"\1 $args\"/" "$1" >"$out"
	echo "$out"
}

# lab_guest_dmesg_clean NAME TAG: save guest NAME's kernel log as
# TAG-dmesg.txt and check it has no kernel warning, BUG or oops.
lab_guest_dmesg_clean() {
	lab_guest_run "$1" dmesg | lab_save "$2-dmesg.txt"
	lab_check "$2: guest kernel logged no WARNING, BUG or Oops" \
		bash -c "! grep -E -q 'WARNING:|BUG:|Oops|Call Trace' '$RESULTS/$2-dmesg.txt'"
}

# lab_be_alloc FRONT TYPE: zero-copy with backend-allocated buffers in one
# guest of TYPE (pv, pvh) with frontend FRONT, under lab_zcopy_start's
# backend (guest.cfg: name "bealloc", be-alloc=1). Tags are FRONT-TYPE.
lab_be_alloc() {
	local tag=$1-$2 cfg last DEV
	cfg=$(lab_front_cfg guest.cfg "$1")
	sed -i "s/^type = .*/type = \"$2\"/" "$cfg"
	lab_guest_create "$cfg"
	lab_step "$tag: backend Connected" 60 lab_wait 60 "bealloc connected" \
		grep -q "dom$(lab_domid bealloc)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
	DEV=dom$(lab_domid bealloc)/vdispl/0
	lab_check "$tag: backend sees be-alloc" bash -c "zdispl-status --raw | grep -q '^device name=$DEV .*be-alloc=1 '"

	lab_guest_pattern bealloc --connector 0 --frames 120
	cp "$RESULTS/bealloc-pattern.out" "$RESULTS/$tag-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$tag-pattern.out")
	lab_capture_check "$tag" "/dev/dri/$VKMS" "$CONN" "$last"
	lab_zcopy_status "$tag" "$DEV"
	cat /sys/class/misc/zdispl-zcopy/stats | lab_save "$tag-helper-stats-shown.txt"
	lab_check "$tag: the helper has granted pages while they are shown" \
		bash -c "! grep -q '^grants_alive 0$' $RESULTS/$tag-helper-stats-shown.txt"
	lab_check "$tag: they are the helper's own allocation" \
		bash -c "! grep -q '^allocs_alive 0$' $RESULTS/$tag-helper-stats-shown.txt"
	lab_guest_pattern_stop bealloc
	[ "$1" = zdispl ] && lab_guest_dmesg_clean bealloc "$tag"

	lab_guest_destroy bealloc
	lab_step "$tag: backend dropped the device" 30 lab_wait 30 "device gone from status" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"
	lab_step "$tag: nothing stays granted" 30 lab_wait 30 "helper idle" lab_helper_idle
	cat /sys/class/misc/zdispl-zcopy/stats | lab_save "$tag-helper-stats-after.txt"
}
