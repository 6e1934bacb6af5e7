# shellcheck shell=bash
# copy: zdispl-back serves both frontends over the copy path, on two dom0
# KMS devices (vkms and bochs): Linux's drm_xen_front, then ours
# (zdispl_front), each in the same two guests. A guest client flips
# numbered frames of the test pattern on one connector; what dom0 scans
# out there is captured and compared pixel by pixel with the frame the
# guest says it showed last. The backend survives `xl destroy` of each
# guest, serves the next one, and exits cleanly on SIGTERM.

. /lab/display.sh

lab_step "modprobe vkms enable_writeback=1" 60 modprobe vkms enable_writeback=1
lab_step "modprobe bochs" 60 modprobe bochs
VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false
BOCHS=$(lab_drm_card bochs-drm) || lab_step "bochs card" 1 false
lab_log "vkms is $VKMS, bochs is $BOCHS"
# Outputs are taken in this order: Virtual-1 of vkms, then bochs's.
lab_back_start --drm "/dev/dri/$VKMS" --drm "/dev/dri/$BOCHS"
# No helper is loaded and Debian's gntdev has no dma-buf support: copy path.
lab_check "backend logged why every frame is copied" \
	grep -q "zero-copy: none, every frame is copied: no grant->dma-buf support" "$BACK_LOG"
lab_check "backend start-up logged no error" bash -c "! grep -q 'error' '$BACK_LOG'"

# conn_round GUEST IDX CARD WxH: connector IDX of the guest, shown on CARD.
conn_round() {
	local name=$1 idx=$2 card=$3 want=$4 tag=$FRONT-$1-$2 last size
	lab_guest_run "$name" 'for c in /sys/class/drm/card*-*; do
		echo "${c##*/} $(cat $c/status) $(cat $c/modes | tr "\n" " ")"; done' |
		lab_save "$tag-guest-connectors.txt"
	lab_guest_pattern "$name" --connector "$idx" --frames 120
	cp "$RESULTS/$name-pattern.out" "$RESULTS/$tag-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$tag-pattern.out")
	size=$(lab_field WxH "$RESULTS/$tag-pattern.out")
	lab_check "$tag: guest mode is the configured $want (got $size)" test "$size" = "$want"
	lab_capture_check "$tag" "/dev/dri/$card" "$(lab_card_connector "$card")" "$last"
	zdispl-status >"$RESULTS/$tag-status.txt" 2>&1
	zdispl-status --raw >"$RESULTS/$tag-status.raw" 2>&1
	lab_check "$tag: status: connector $idx at $want is on, has flipped and copied" bash -c \
		"grep 'conn name=dom$(lab_domid "$name")/vdispl/0/$idx resolution=$want ' '$RESULTS/$tag-status.raw' |
		 grep -q 'configured=1 flips=[1-9][0-9]* bytes-copied=[1-9]'"
	lab_check "$tag: status says why each buffer is copied" \
		grep -q 'zero-copy: off (' "$RESULTS/$tag-status.txt"
	lab_check "$tag: no flip event was dropped" bash -c \
		"! grep -q 'events-dropped=[1-9]' '$RESULTS/$tag-status.raw'"
	lab_guest_pattern_stop "$name"
}

connected() {
	lab_step "$1: backend Connected" 60 lab_wait 60 "$1 connected" \
		grep -q "dom$(lab_domid "$1")/vdispl/0: InitWait -> Connected" "$BACK_LOG"
}

# Both guests have the same two connectors. One DRM client runs per guest:
# guest 1 shows connector 1 (800x600, on bochs), guest 2 connector 0
# (640x480, on vkms), so together they cover both connectors and both
# resolutions, and guest 2 proves the backend serves a guest after
# `xl destroy` of another.
for FRONT in $LAB_FRONTS; do
	lab_guest_create "$(lab_front_cfg guest1.cfg $FRONT)"
	connected copy1
	conn_round copy1 1 "$BOCHS" 800x600
	[ $FRONT = zdispl ] && lab_guest_dmesg_clean copy1 $FRONT-copy1
	lab_guest_destroy copy1
	lab_check "$FRONT: backend survived xl destroy" kill -0 "$BACK_PID"
	lab_step "$FRONT: backend dropped the device" 30 lab_wait 30 "device gone from status" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"

	lab_guest_create "$(lab_front_cfg guest2.cfg $FRONT)"
	connected copy2
	conn_round copy2 0 "$VKMS" 640x480
	[ $FRONT = zdispl ] && lab_guest_dmesg_clean copy2 $FRONT-copy2
	lab_guest_destroy copy2
	lab_step "$FRONT: backend dropped the device" 30 lab_wait 30 "device gone from status" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"
done
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
