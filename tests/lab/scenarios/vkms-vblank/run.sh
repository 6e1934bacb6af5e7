# shellcheck shell=bash
# vkms-vblank: the lab's vkms survives vblank being disabled while its
# vblank timer's callback runs. vkms as Linux 6.1 has it waits for that
# callback with hrtimer_cancel() under DRM's vblank locks, which the
# callback itself takes: dom0 deadlocks (the whole-machine hang of
# docs/lab.md). tests/lab/host/images builds vkms with the lab's fix.
# drm.vblankoffdelay=-1 makes DRM disable vblank the moment its last user
# lets go, which is inside that callback when a flip completes: without
# the fix the first flip hangs dom0 for good, with it every flip comes.

. /lab/display.sh

P=/sys/module/drm/parameters/vblankoffdelay
lab_step "modprobe vkms" 60 modprobe vkms
VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false
OLD=$(cat $P)
echo -1 >$P
lab_check "drm.vblankoffdelay is -1 (vblank off at once)" grep -qx -- -1 $P
lab_step "120 flips with vblank disabled after each" 60 \
	zdispl-pattern --card "/dev/dri/$VKMS" --frames 120 >"$RESULTS/pattern.out" 2>&1
cat "$RESULTS/pattern.out" >&2
lab_check "the flips completed: $(grep '^frames=' "$RESULTS/pattern.out" | cut -c1-80)" \
	grep -q '^frames=120 ' "$RESULTS/pattern.out"
echo "$OLD" >$P
dmesg | lab_save dmesg.txt
lab_check "no kernel warning, and vkms never failed to handle a vblank" bash -c \
	"! grep -E -q 'WARNING:|BUG:|Oops|vkms failure on handling vblank' $RESULTS/dmesg.txt"
