# shellcheck shell=bash
# drm-xen-front-copy: zdispl-back serves Linux's drm_xen_front over the
# copy path. A guest client flips numbered frames of the test pattern;
# what dom0's vkms scans out is captured and compared pixel by pixel with
# the frame the guest says it showed last. The backend then survives
# `xl destroy` of that guest and serves a second one, and exits cleanly
# on SIGTERM.

. /lab/display.sh

lab_step "modprobe vkms enable_writeback=1" 60 modprobe vkms enable_writeback=1
CARD=$(lab_vkms_card) || lab_step "vkms card" 1 false
lab_back_start --drm "/dev/dri/$CARD"

# guest_round NAME CFG: one guest from create to a verified capture.
guest_round() {
	local name=$1 cfg=$2 last size
	lab_guest_create "$cfg"
	lab_step "$name: backend Connected" 60 lab_wait 60 "$name connected" \
		grep -q "dom$(lab_domid "$name")/vdispl/0: InitWait -> Connected" "$BACK_LOG"
	lab_guest_pattern "$name" --frames 120
	last=$(lab_field last_frame "$RESULTS/$name-pattern.out")
	size=$(lab_field WxH "$RESULTS/$name-pattern.out")
	lab_check "$name: guest mode is the configured 640x480 (got $size)" test "$size" = 640x480
	lab_capture_check "$name" Virtual-1 "$last"
	zdispl-status >"$RESULTS/$name-status.txt" 2>&1
	zdispl-status --raw >"$RESULTS/$name-status.raw" 2>&1
	lab_check "$name: status shows flips and copied bytes" bash -c \
		"grep -q 'conn name=dom$(lab_domid "$name")/vdispl/0/0 resolution=640x480 output=Virtual-1 configured=1' '$RESULTS/$name-status.raw' &&
		 ! grep -q 'bytes-copied=0 ' '$RESULTS/$name-status.raw'"
	lab_check "$name: status says why each buffer is copied" \
		grep -q 'path=copy why="' "$RESULTS/$name-status.raw"
}

guest_round copy1 guest1.cfg
lab_guest_pattern_stop copy1
lab_guest_destroy copy1
lab_check "backend survived xl destroy" kill -0 "$BACK_PID"
lab_step "backend dropped the device" 30 lab_wait 30 "device gone from status" \
	bash -c "zdispl-status --raw | grep -q 'devices=0'"

guest_round copy2 guest2.cfg
lab_guest_pattern_stop copy2
lab_guest_destroy copy2
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
