# shellcheck shell=bash
# zcopy-fe-alloc: zero-copy with buffers the frontend allocates. Linux's
# drm_xen_front grants its dumb buffers; zdispl-back maps them through the
# helper (zdispl_zcopy) as dma-bufs, imports them into vkms and flips them
# there. Three rounds on the guest's 640x480 connector, each captured in
# dom0 pixel-exact, each with 0 bytes copied and every buffer zero-copy:
#   flips    120 frames of the test pattern
#   noflip   then the client draws the next frame into the buffer on
#            screen and does NOT flip: only a display reading the guest's
#            memory itself can show it (the zero-copy proof)
#   reflip   the same, then a page flip to that same buffer (no new
#            DBUF_CREATE: the device's buffer count stays the same)
#   prime    buffers allocated on another DRM driver in the guest (vkms),
#            imported into drm_xen_front through PRIME
# At the end the helper has nothing mapped.

. /lab/display.sh

lab_zcopy_start

lab_guest_create guest.cfg
lab_step "zcopy: backend Connected" 60 lab_wait 60 "zcopy connected" \
	grep -q "dom$(lab_domid zcopy)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
DEV=dom$(lab_domid zcopy)/vdispl/0

buffers() { grep -o "^device name=$DEV .* buffers=[0-9]*" "$RESULTS/$1-status.raw" | sed 's/.*buffers=//'; }

# Round 1 and the no-flip proof: one client run.
lab_guest_pattern zcopy --connector 0 --frames 120 --rewrite noflip
cp "$RESULTS/zcopy-pattern.out" "$RESULTS/noflip-pattern.out"
last=$(lab_field last_frame "$RESULTS/noflip-pattern.out")
lab_check "noflip: the client rewrote the shown buffer without a flip" \
	grep -q "^rewrote frame=$last flipped=0" "$RESULTS/noflip-pattern.out"
lab_capture_check noflip "/dev/dri/$VKMS" "$CONN" "$last"
lab_zcopy_status noflip "$DEV"
lab_guest_pattern_stop zcopy

# Re-flip to the same buffer.
lab_guest_pattern zcopy --connector 0 --frames 30 --rewrite flip
cp "$RESULTS/zcopy-pattern.out" "$RESULTS/reflip-pattern.out"
last=$(lab_field last_frame "$RESULTS/reflip-pattern.out")
lab_check "reflip: the client rewrote the shown buffer and flipped to it" \
	grep -q "^rewrote frame=$last flipped=1" "$RESULTS/reflip-pattern.out"
lab_capture_check reflip "/dev/dri/$VKMS" "$CONN" "$last"
lab_zcopy_status reflip "$DEV"
lab_check "reflip: no buffer was created for the rewrite (2 buffers)" test "$(buffers reflip)" = 2
lab_guest_pattern_stop zcopy

# PRIME: buffers from the guest's own vkms, shown through drm_xen_front.
lab_guest_run zcopy "insmod /root/vkms.ko" | lab_save guest-vkms-insmod.txt
lab_step "guest: vkms card appears" 30 lab_wait 30 "guest vkms card" lab_guest_run zcopy \
	'for c in /sys/class/drm/card[0-9]; do [ "$(basename $(readlink -f $c/device))" = vkms ] && exit 0; done; exit 1'
cards=$(lab_guest_run zcopy 'for c in /sys/class/drm/card[0-9]; do
	echo "${c##*/} $(basename $(readlink -f $c/device))"; done')
lab_log "guest cards: $(echo "$cards" | tr '\n' ' ')"
GVKMS=/dev/dri/$(echo "$cards" | awk '$2 == "vkms" { print $1 }')
GXEN=/dev/dri/$(echo "$cards" | awk '$2 != "vkms" { print $1; exit }')
lab_guest_pattern zcopy --card "$GXEN" --connector 0 --alloc-card "$GVKMS" --frames 60
cp "$RESULTS/zcopy-pattern.out" "$RESULTS/prime-pattern.out"
last=$(lab_field last_frame "$RESULTS/prime-pattern.out")
lab_capture_check prime "/dev/dri/$VKMS" "$CONN" "$last"
lab_zcopy_status prime "$DEV"
lab_guest_pattern_stop zcopy

lab_guest_destroy zcopy
lab_step "backend dropped the device" 30 lab_wait 30 "device gone from status" \
	bash -c "zdispl-status --raw | grep -q 'devices=0'"
lab_step "helper: nothing exported or mapped is left" 30 lab_wait 30 "helper idle" lab_helper_idle
cat /sys/class/misc/zdispl-zcopy/stats | lab_save helper-stats.txt
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
