# shellcheck shell=bash
# zcopy-teardown: `xl destroy` of a guest whose buffers dom0 scans out
# zero-copy, with each frontend in turn (Linux's, then ours; tags start
# with linux- or zdispl-). Three guests in turn on one backend:
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
	lab_guest_create "$(lab_front_cfg guest.cfg "$FRONT")"
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

flipped() { zdispl-status --raw | grep "^conn name=$DEV/0 " | grep -q 'flips=[3-9][0-9] \|flips=[1-9][0-9][0-9]'; }

for FRONT in $LAB_FRONTS; do
	# shown: buffers on screen, nothing in flight.
	start_guest "$FRONT-shown"
	lab_guest_pattern teardown --connector 0 --frames 30
	zdispl-status --raw | lab_save "$FRONT-shown-status.raw"
	lab_check "$FRONT-shown: buffers are zero-copy" grep -q "^buffer device=$DEV .*path=zero-copy " \
		"$RESULTS/$FRONT-shown-status.raw"
	destroyed "$FRONT-shown"

	# flipping: destroy while the client flips without pause.
	start_guest "$FRONT-flipping"
	lab_guest_run teardown "zdispl-pattern --connector 0 --frames 1000000 >/tmp/pattern.out 2>&1 &" 10
	lab_step "$FRONT-flipping: at least 30 flips done" 120 lab_wait 120 "30 flips" flipped
	zdispl-status --raw | lab_save "$FRONT-flipping-status.raw"
	destroyed "$FRONT-flipping"

	# after: the display still works for the next guest.
	start_guest "$FRONT-after"
	lab_guest_pattern teardown --connector 0 --frames 60
	last=$(lab_field last_frame "$RESULTS/teardown-pattern.out")
	lab_capture_check "$FRONT-after" "/dev/dri/$VKMS" "$CONN" "$last"
	zdispl-status --raw | lab_save "$FRONT-after-status.raw"
	lab_check "$FRONT-after: 0 bytes copied" grep -q "^conn name=$DEV/0 .*bytes-copied=0 " \
		"$RESULTS/$FRONT-after-status.raw"
	destroyed "$FRONT-after"
done

lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
