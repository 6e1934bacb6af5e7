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
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
