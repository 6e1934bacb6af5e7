# shellcheck shell=bash
# zcopy-helper: the dom0 helper module (back/zcopy) on the real hypervisor,
# without a guest. The helper allocates pages granted to dom0 itself
# (ALLOC) and dom0 maps them back as a dma-buf (EXPORT); zdispl-zcopy-test
# checks pixels through both mmaps, the allocation's import into vkms,
# every refused argument, the deferred end of busy grants and the
# counters. The module must refuse to
# unload while a dma-buf of it is alive, and unload once it is gone.

. /lab/display.sh

mod=zdispl_zcopy
lab_step "modprobe vkms" 60 modprobe vkms
lab_step "modprobe $mod" 30 modprobe $mod
lab_step "/dev/zdispl-zcopy appears" 10 lab_wait 10 /dev/zdispl-zcopy test -c /dev/zdispl-zcopy
CARD=/dev/dri/$(lab_vkms_card)

for c in perm args loop deferred remap; do
	zdispl-zcopy-test --card "$CARD" $c >"$RESULTS/zcopy-$c.txt" 2>&1
	rc=$?
	cat "$RESULTS/zcopy-$c.txt" >&2
	while read -r st what; do
		case $st in
		ok) lab_check "$c: $what" true ;;
		FAIL) lab_check "$c: $what" false ;;
		esac
	done <"$RESULTS/zcopy-$c.txt"
	lab_check "$c: exit status 0 (rc $rc)" test "$rc" = 0
done
lab_check "sysfs stats readable" grep -q '^exports_alive 0$' /sys/class/misc/zdispl-zcopy/stats
cat /sys/class/misc/zdispl-zcopy/stats | lab_save zcopy-stats.txt

# Unload with a dma-buf alive: refused; after its release: fine.
rm -f /run/zcopy-hold
zdispl-zcopy-test --card "$CARD" hold /run/zcopy-hold >"$RESULTS/zcopy-hold.txt" 2>&1 &
HOLD=$!
lab_step "a dma-buf of the helper is held" 30 lab_wait 30 "hold ready" test -e /run/zcopy-hold
lab_check "rmmod refused while a dma-buf is alive" bash -c "! rmmod $mod 2>/dev/null"
lab_check "module still loaded" test -e /sys/module/$mod
kill -TERM $HOLD
lab_step "holder exits" 30 lab_wait 30 "holder exit" bash -c "! kill -0 $HOLD 2>/dev/null"
lab_step "rmmod $mod" 30 lab_wait 10 "rmmod $mod" rmmod $mod
lab_check "module is gone" test ! -e /sys/module/$mod
dmesg | lab_save dmesg.txt
lab_check "no kernel warning" bash -c "! grep -E -q 'WARNING:|BUG:|Oops|general protection' $RESULTS/dmesg.txt"
