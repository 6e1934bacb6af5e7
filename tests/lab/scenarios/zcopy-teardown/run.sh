# shellcheck shell=bash
# zcopy-teardown: `xl destroy` of a guest whose buffers dom0 scans out
# zero-copy. Three guests in turn on one backend:
#   shown     destroyed while its last frame is on screen
#   flipping  destroyed while its client flips as fast as it can, so flips
#             are in flight in the backend and in KMS
#   after     a new guest still gets a working display, pixel-exact
# After each destroy the backend lives on and, once it has dropped the
# device, the helper reports 0 exported buffers, 0 mapped pages and 0
# grants; dom0 logs no kernel warning.

. /lab/display.sh

lab_zcopy_start

start_guest() {
	lab_guest_create guest.cfg
	lab_step "$1: backend Connected" 60 lab_wait 60 "teardown connected" \
		grep -q "dom$(lab_domid teardown)/vdispl/0: .* -> Connected" "$BACK_LOG"
	DEV=dom$(lab_domid teardown)/vdispl/0
}

# destroyed TAG: destroy the guest; the backend survives and cleans up.
destroyed() {
	local tag=$1
	lab_step "$tag: xl destroy" 60 xl destroy teardown
	lab_check "$tag: backend survived xl destroy" kill -0 "$BACK_PID"
	lab_step "$tag: backend dropped the device" 30 lab_wait 30 "device gone from status" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"
	lab_step "$tag: helper has nothing left" 30 lab_wait 30 "helper idle" lab_helper_idle
	cat /sys/class/misc/zdispl-zcopy/stats | lab_save "$tag-helper-stats.txt"
	lab_check "$tag: 0 exports, 0 mapped pages, 0 grants" lab_helper_idle
}

# shown: buffers on screen, nothing in flight.
start_guest shown
lab_guest_pattern teardown --connector 0 --frames 30
zdispl-status --raw | lab_save shown-status.raw
lab_check "shown: buffers are zero-copy" grep -q "^buffer device=$DEV .*path=zero-copy " \
	"$RESULTS/shown-status.raw"
destroyed shown

# flipping: destroy while the client flips without pause.
start_guest flipping
lab_guest_run teardown "zdispl-pattern --connector 0 --frames 1000000 >/tmp/pattern.out 2>&1 &" 10
flipped() { zdispl-status --raw | grep "^conn name=$DEV/0 " | grep -q 'flips=[3-9][0-9] \|flips=[1-9][0-9][0-9]'; }
lab_step "flipping: at least 30 flips done" 120 lab_wait 120 "30 flips" flipped
zdispl-status --raw | lab_save flipping-status.raw
destroyed flipping

# after: the display still works for the next guest.
start_guest after
lab_guest_pattern teardown --connector 0 --frames 60
last=$(lab_field last_frame "$RESULTS/teardown-pattern.out")
lab_capture_check after "/dev/dri/$VKMS" "$CONN" "$last"
zdispl-status --raw | lab_save after-status.raw
lab_check "after: 0 bytes copied" grep -q "^conn name=$DEV/0 .*bytes-copied=0 " "$RESULTS/after-status.raw"
destroyed after

lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
