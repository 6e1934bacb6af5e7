# shellcheck shell=bash
# kmod: an out-of-tree module built by `make` loads and unloads cleanly in
# dom0 (installed with the run's build, loaded by modprobe) and in a PV domU
# (insmod from the guest's initramfs). The module reports the kind of
# domain it found; the host checks both reports.

mod=zdispl_labprobe
param=/sys/module/$mod/parameters/domain

# --- dom0 ---
lab_step "modprobe $mod in dom0" 30 modprobe $mod
cat $param | lab_save dom0-domain.txt
lab_check "dom0: module is listed" grep -q "^$mod " /proc/modules
lab_step "rmmod $mod in dom0" 30 rmmod $mod
lab_check "dom0: module is gone" test ! -e /sys/module/$mod
lab_check "dom0: load and unload logged" bash -c \
	"dmesg | grep -q '$mod: loaded in' && dmesg | grep -q '$mod: unloaded from'"
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"

# --- domU ---
lab_guest_create guest.cfg
lab_guest_run kmod "insmod /root/$mod.ko && cat $param" | lab_save domu-domain.txt
lab_check "domU: insmod succeeded" test "${PIPESTATUS[0]}" = 0
lab_check "domU: module is listed" lab_guest_run kmod "grep -q '^$mod ' /proc/modules"
lab_check "domU: rmmod succeeded" lab_guest_run kmod "rmmod $mod"
lab_check "domU: module is gone" lab_guest_run kmod "test ! -e /sys/module/$mod"
lab_guest_run kmod "dmesg" | lab_save domu-dmesg.txt
lab_check "domU: load and unload logged" bash -c \
	"grep -q '$mod: loaded in' $RESULTS/domu-dmesg.txt && grep -q '$mod: unloaded from' $RESULTS/domu-dmesg.txt"
lab_check "domU: no kernel warning" bash -c "! grep -E -q 'WARNING:|BUG:|Oops' $RESULTS/domu-dmesg.txt"
lab_guest_destroy kmod
