# shellcheck shell=bash
# zcopy-fe-alloc: zero-copy with buffers the frontend allocates, for each
# frontend in turn (Linux's drm_xen_front, then ours: tags start with
# linux- or zdispl-). The frontend grants its dumb buffers; zdispl-back maps
# them through the helper (zdispl_zcopy) as dma-bufs, imports them into vkms
# and flips them there. Four rounds on the guest's 640x480 connector, each
# captured in dom0 pixel-exact, each with 0 bytes copied and every buffer
# zero-copy:
#   flips    120 frames of the test pattern
#   noflip   then the client draws the next frame into the buffer on
#            screen and does NOT flip: only a display reading the guest's
#            memory itself can show it (the zero-copy proof)
#   reflip   the same, then a page flip to that same buffer (no new
#            DBUF_CREATE: the device's buffer count stays the same)
#   prime    buffers allocated on another DRM driver in the guest (vkms),
#            imported into the frontend through PRIME
#   export   the other way: the frontend's buffers exported through PRIME
#            to the guest's vkms, which shows them; the guest captures its
#            vkms output pixel-exact (this round does not involve dom0)
# At the end the helper has nothing mapped.

. /lab/display.sh

lab_zcopy_start

# guest_capture_check TAG CARD CONNECTOR FRAME: in the guest, CARD's
# CONNECTOR scans out pattern frame FRAME pixel-exact, and not FRAME-1.
guest_capture_check() {
	local f
	for f in "$4" $(($4 - 1)); do
		lab_guest_run zcopy "zdispl-capture --card $2 --connector $3 --verify-pattern $f \
			>/tmp/capture.out 2>&1; echo rc=\$?; cat /tmp/capture.out" | lab_save "$1-capture-$f.out"
	done
	lab_check "$1: the guest's vkms scans out frame $4 pixel-exact" \
		bash -c "grep -qx rc=0 '$RESULTS/$1-capture-$4.out' && grep -q '^match=yes frame=$4 ' '$RESULTS/$1-capture-$4.out'"
	lab_check "$1: frame $(($4 - 1)) does not match (rc 1)" grep -qx rc=1 "$RESULTS/$1-capture-$(($4 - 1)).out"
}

# fe_alloc FRONT: the rounds with frontend FRONT in a fresh guest.
fe_alloc() {
	local F=$1 last cards GVKMS GXEN DEV
	lab_guest_create "$(lab_front_cfg guest.cfg "$F")"
	lab_step "$F: backend Connected" 60 lab_wait 60 "zcopy connected" \
		grep -q "dom$(lab_domid zcopy)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
	DEV=dom$(lab_domid zcopy)/vdispl/0

	# Round 1 and the no-flip proof: one client run.
	lab_guest_pattern zcopy --connector 0 --frames 120 --rewrite noflip
	cp "$RESULTS/zcopy-pattern.out" "$RESULTS/$F-noflip-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$F-noflip-pattern.out")
	lab_check "$F-noflip: the client rewrote the shown buffer without a flip" \
		grep -q "^rewrote frame=$last flipped=0" "$RESULTS/$F-noflip-pattern.out"
	lab_capture_check "$F-noflip" "/dev/dri/$VKMS" "$CONN" "$last"
	lab_zcopy_status "$F-noflip" "$DEV"
	lab_guest_pattern_stop zcopy

	# Re-flip to the same buffer.
	lab_guest_pattern zcopy --connector 0 --frames 30 --rewrite flip
	cp "$RESULTS/zcopy-pattern.out" "$RESULTS/$F-reflip-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$F-reflip-pattern.out")
	lab_check "$F-reflip: the client rewrote the shown buffer and flipped to it" \
		grep -q "^rewrote frame=$last flipped=1" "$RESULTS/$F-reflip-pattern.out"
	lab_capture_check "$F-reflip" "/dev/dri/$VKMS" "$CONN" "$last"
	lab_zcopy_status "$F-reflip" "$DEV"
	# Each client run makes its own two buffers; the rewrite makes none.
	lab_check "$F-reflip: no buffer was created for the rewrite ($(buffers "$F-noflip") buffers)" \
		test "$(buffers "$F-reflip")" = "$(buffers "$F-noflip")"
	lab_guest_pattern_stop zcopy

	# PRIME: buffers from the guest's own vkms, shown through the frontend.
	lab_guest_run zcopy "insmod /root/vkms.ko" | lab_save "$F-guest-vkms-insmod.txt"
	lab_step "$F: guest vkms card appears" 30 lab_wait 30 "guest vkms card" lab_guest_run zcopy \
		'for c in /sys/class/drm/card[0-9]; do [ "$(basename $(readlink -f $c/device))" = vkms ] && exit 0; done; exit 1'
	cards=$(lab_guest_run zcopy 'for c in /sys/class/drm/card[0-9]; do
		echo "${c##*/} $(basename $(readlink -f $c/device))"; done')
	lab_log "$F: guest cards: $(echo "$cards" | tr '\n' ' ')"
	GVKMS=/dev/dri/$(echo "$cards" | awk '$2 == "vkms" { print $1 }')
	GXEN=/dev/dri/$(echo "$cards" | awk '$2 != "vkms" { print $1; exit }')
	lab_guest_pattern zcopy --card "$GXEN" --connector 0 --alloc-card "$GVKMS" --frames 60
	cp "$RESULTS/zcopy-pattern.out" "$RESULTS/$F-prime-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$F-prime-pattern.out")
	lab_capture_check "$F-prime" "/dev/dri/$VKMS" "$CONN" "$last"
	lab_zcopy_status "$F-prime" "$DEV"
	lab_guest_pattern_stop zcopy

	lab_guest_pattern zcopy --card "$GVKMS" --alloc-card "$GXEN" --frames 30
	cp "$RESULTS/zcopy-pattern.out" "$RESULTS/$F-export-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$F-export-pattern.out")
	guest_capture_check "$F-export" "$GVKMS" \
		"$(lab_field connector "$RESULTS/$F-export-pattern.out")" "$last"
	lab_guest_pattern_stop zcopy
	[ "$F" = zdispl ] && lab_guest_dmesg_clean zcopy "$F"

	lab_guest_destroy zcopy
	lab_step "$F: backend dropped the device" 30 lab_wait 30 "device gone from status" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"
	lab_step "$F: helper: nothing exported or mapped is left" 30 lab_wait 30 "helper idle" lab_helper_idle
	cat /sys/class/misc/zdispl-zcopy/stats | lab_save "$F-helper-stats.txt"
}

buffers() { grep -o "^device name=$DEV .* buffers=[0-9]*" "$RESULTS/$1-status.raw" | sed 's/.*buffers=//'; }

for FRONT in $LAB_FRONTS; do
	fe_alloc "$FRONT"
done
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
