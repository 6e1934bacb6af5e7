# shellcheck shell=bash
# smoke: dom0's Xen services run, a PV domU boots with xl create, runs a
# command whose output comes back to the host, and xl destroy removes it.

lab_check "xenstored runs" pgrep -x "o?xenstored" >/dev/null
lab_check "xenconsoled runs" pgrep -x xenconsoled >/dev/null
lab_check "dom0 is the control domain" grep -qx control_d /proc/xen/capabilities
xl info >"$RESULTS/xl-info.txt"

lab_guest_create guest.cfg
domid=$(lab_domid smoke)
echo "$domid" | lab_save dom0-sees-domid.txt

# What the guest says about itself goes to the host, which checks it.
lab_guest_run smoke 'uname -r; cat /sys/hypervisor/type /sys/hypervisor/guest_type' |
	lab_save guest-says.txt
lab_check "guest command exit status is 0" test "${PIPESTATUS[0]}" = 0
rc=0
lab_guest_run smoke 'echo about to fail; exit 3' >/dev/null || rc=$?
lab_check "a failing guest command reports its status (got $rc)" test "$rc" = 3

lab_guest_destroy smoke
lab_check "only dom0 is left" test "$(xl list | awk 'NR > 1' | wc -l)" = 1
