# shellcheck shell=bash
# zcopy-be-alloc: zero-copy with buffers the backend allocates (be-alloc=1).
# For each DBUF_CREATE zdispl-back allocates a dumb buffer on vkms, grants
# its pages to the guest through the helper (IMPORT) and writes the refs
# into the frontend's page directory; Linux's drm_xen_front maps them and
# the guest draws straight into dom0's scanout memory. The capture must be
# pixel-exact with 0 bytes copied; after `xl destroy` nothing stays
# granted.

. /lab/display.sh

lab_zcopy_start

lab_guest_create guest.cfg
lab_step "bealloc: backend Connected" 60 lab_wait 60 "bealloc connected" \
	grep -q "dom$(lab_domid bealloc)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
DEV=dom$(lab_domid bealloc)/vdispl/0
lab_check "backend sees be-alloc" bash -c "zdispl-status --raw | grep -q '^device name=$DEV .*be-alloc=1 '"

lab_guest_pattern bealloc --connector 0 --frames 120
last=$(lab_field last_frame "$RESULTS/bealloc-pattern.out")
lab_capture_check bealloc "/dev/dri/$VKMS" "$CONN" "$last"
lab_zcopy_status bealloc "$DEV"
cat /sys/class/misc/zdispl-zcopy/stats | lab_save helper-stats-shown.txt
lab_check "the helper has granted pages while they are shown" \
	bash -c "! grep -q '^grants_alive 0$' $RESULTS/helper-stats-shown.txt"

lab_guest_destroy bealloc
lab_step "backend dropped the device" 30 lab_wait 30 "device gone from status" \
	bash -c "zdispl-status --raw | grep -q 'devices=0'"
lab_step "nothing stays granted" 30 lab_wait 30 "helper idle" lab_helper_idle
cat /sys/class/misc/zdispl-zcopy/stats | lab_save helper-stats-after.txt
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
