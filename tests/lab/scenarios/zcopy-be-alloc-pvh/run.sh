# shellcheck shell=bash
# zcopy-be-alloc-pvh: zcopy-be-alloc's round for our frontend in a PVH guest
# (tag zdispl-pvh), in a Xen boot of its own: in the lab a second PVH guest
# in one boot triple-faulted in early boot, before any of our code ran
# (see docs/lab.md). The grants are mapped into the guest's physical memory
# and from there into the client with vm_map_pages().

. /lab/display.sh

lab_zcopy_start
lab_be_alloc zdispl pvh
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
