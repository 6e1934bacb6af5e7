# shellcheck shell=bash
# zcopy-be-alloc: zero-copy with buffers the backend allocates (be-alloc=1).
# For each DBUF_CREATE the helper allocates the pages itself, grants them
# to the guest and hands zdispl-back a dma-buf of them (ALLOC), which vkms
# imports; the refs go into the frontend's page directory, the frontend
# maps them and the guest draws straight into what vkms scans out. The capture must be
# pixel-exact with 0 bytes copied; after `xl destroy` nothing stays
# granted. Rounds (tags FRONT-TYPE):
#   linux-pvh    Linux's drm_xen_front in a PVH guest (in a PV guest its
#                mmap of the backend's pages kills the client)
#   zdispl-pv    ours in a PV guest: the grants are mapped into the
#                client's page tables (xen-interface/kernel/pv-umap.c)
#   hostile-pv   no kernel frontend: zdispl-hostile-front maps the pages of
#                a be-alloc buffer through gntdev, checks they came zeroed
#                and take writes, destroys the buffer and keeps them
#                mapped. Their grants cannot end: the helper defers them
#                and keeps the pages, the device counts them; `xl destroy`
#                takes the guest's mappings, and they end.
# Ours in a PVH guest is zcopy-be-alloc-pvh: one PVH guest per Xen boot
# (a second one in the same boot triple-faulted in early boot in the lab).

. /lab/display.sh

lab_zcopy_start

for FRONT in $LAB_FRONTS; do
	case $FRONT in
	linux) lab_be_alloc linux pvh ;;
	zdispl) lab_be_alloc zdispl pv ;;
	esac
done
# hostile-pv: a destroyed buffer's pages kept mapped, then the guest destroyed.
cfg=$(lab_front_cfg guest.cfg none)
sed -i 's/^type = .*/type = "pv"/' "$cfg"
lab_guest_create "$cfg"
DEV=dom$(lab_domid bealloc)/vdispl/0
NPAGES=$((640 * 480 * 4 / 4096))
lab_step "hostile-pv: device offered" 60 lab_wait 60 "bealloc offered" \
	grep -q "$DEV: Initialising -> InitWait" "$BACK_LOG"
lab_guest_run bealloc "zdispl-hostile-front --case hold-be-alloc-mapped --seconds 600 \
	>/tmp/h.out 2>&1 &" 10 >/dev/null
lab_step "hostile-pv: a destroyed buffer's pages held" 90 lab_wait 90 "holding" \
	lab_guest_run bealloc "grep -q '^holding ' /tmp/h.out" 10
lab_guest_file bealloc /tmp/h.out | lab_save hostile-pv-hostile.out
lab_check "hostile-pv: $(grep '^holding ' "$RESULTS/hostile-pv-hostile.out" | cut -c1-200)" \
	grep -q '^holding be-alloc-mapped: ok' "$RESULTS/hostile-pv-hostile.out"
S=$RESULTS/hostile-pv-helper-stats-held.txt
cat /sys/class/misc/zdispl-zcopy/stats | lab_save "${S##*/}"
zdispl-status --raw | lab_save hostile-pv-status-held.raw
lab_check "hostile-pv: the helper defers the $NPAGES grants still mapped" \
	grep -q "^grants_deferred $NPAGES$" "$S"
lab_check "hostile-pv: and keeps their pages, with no allocation alive" \
	bash -c "grep -q '^pages_allocated $NPAGES$' $S && grep -q '^allocs_alive 0$' $S"
lab_check "hostile-pv: the device counts them against its be-alloc limit" bash -c \
	"grep '^device name=$DEV ' $RESULTS/hostile-pv-status-held.raw | grep -q ' deferred-pages=$NPAGES '"
lab_guest_destroy bealloc
lab_step "hostile-pv: backend dropped the device" 30 lab_wait 30 "device gone from status" \
	bash -c "zdispl-status --raw | grep -q 'devices=0'"
lab_step "hostile-pv: the grants end once the guest is gone" 30 lab_wait 30 "helper idle" \
	lab_helper_idle
cat /sys/class/misc/zdispl-zcopy/stats | lab_save hostile-pv-helper-stats-after.txt

lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
