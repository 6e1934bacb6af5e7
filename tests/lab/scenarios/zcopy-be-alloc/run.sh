# shellcheck shell=bash
# zcopy-be-alloc: zero-copy with buffers the backend allocates (be-alloc=1).
# For each DBUF_CREATE zdispl-back allocates a dumb buffer on vkms, grants
# its pages to the guest through the helper (IMPORT) and writes the refs
# into the frontend's page directory; the frontend maps them and the guest
# draws straight into dom0's scanout memory. The capture must be
# pixel-exact with 0 bytes copied; after `xl destroy` nothing stays
# granted. Rounds (tags FRONT-TYPE):
#   linux-pvh    Linux's drm_xen_front in a PVH guest (in a PV guest its
#                mmap of the backend's pages kills the client)
#   zdispl-pv    ours in a PV guest: the grants are mapped into the
#                client's page tables (xen-interface/kernel/pv-umap.c)
#   zdispl-pvh   ours in a PVH guest

. /lab/display.sh

lab_zcopy_start

# be_alloc FRONT TYPE: one guest of TYPE (pv, pvh) with frontend FRONT.
be_alloc() {
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
	lab_guest_pattern_stop bealloc
	[ "$1" = zdispl ] && lab_guest_dmesg_clean bealloc "$tag"

	lab_guest_destroy bealloc
	lab_step "$tag: backend dropped the device" 30 lab_wait 30 "device gone from status" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"
	lab_step "$tag: nothing stays granted" 30 lab_wait 30 "helper idle" lab_helper_idle
	cat /sys/class/misc/zdispl-zcopy/stats | lab_save "$tag-helper-stats-after.txt"
}

for FRONT in $LAB_FRONTS; do
	case $FRONT in
	linux) be_alloc linux pvh ;;
	zdispl) be_alloc zdispl pv; be_alloc zdispl pvh ;;
	esac
done
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
