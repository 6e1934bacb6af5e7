# shellcheck shell=bash
# front-zdispl: what our frontend (zdispl_front) does that Linux's
# drm_xen_front does not, on one backend (zdispl-back, zero-copy on vkms):
#   edid     the connector's modes come from the backend's EDID (GET_EDID),
#            the preferred 800x600 first, then the smaller established modes;
#            a client sets the non-preferred 640x480 and dom0 shows it
#            pixel-exact in a 640x480 mode
#   fbdev    text written to the guest's console shows on dom0's display:
#            dom0's capture and the guest's own capture of its display have
#            the same checksum, and more than one colour
#   restart  zdispl-back is killed (SIGKILL) while the guest flips and
#            started again: the frontend goes Reconfiguring while the client
#            holds the old device, then Initialising and Connected once it
#            has let go; the same guest shows pixel-exact frames again, and
#            it holds exactly as many grants as after its first connect,
#            so nothing of the dead connection stays granted
#   unload   rmmod is refused while the device is bound (xenbus holds the
#            module) and while a client holds the unplugged device; the
#            device unbinds under a client; rmmod works once the client has
#            gone; insmod again connects again, pixel-exact
#   fences   an atomic flip's out-fence signals; an unsignaled in-fence
#            (vgem's) holds the flip until it signals (zdispl-kms-test)
#   formats  of the formats the plane lists, exactly those zdispl-back
#            takes are accepted, and AR24 and RG16 frames show pixel-exact
# The guest's kernel logs no warning throughout.

. /lab/display.sh

lab_zcopy_start
lab_guest_create "$(lab_front_cfg guest.cfg zdispl)"
DOMID=$(lab_domid zf)
DEV=dom$DOMID/vdispl/0
FE=/local/domain/$DOMID/device/vdispl/0
SYS=/sys/bus/xen/devices/vdispl-0
CONNDIR=/sys/class/drm/card0-Virtual-1
connected() {
	lab_step "$1: frontend and backend Connected" 60 lab_wait 60 "$1 connected" \
		bash -c "[ \"\$(xenstore-read $FE/state)\" = 4 ] &&
			zdispl-status --raw | grep -q '^device name=$DEV .*state=Connected'"
}
connected first
# The fbdev console claims the display right after connecting.
lab_step "guest: DRM device and fbdev up" 60 lab_wait 60 "card0 and fb0" \
	lab_guest_run zf "[ -e /dev/dri/card0 ] && [ -e /dev/fb0 ]"

# edid
lab_guest_run zf "cat $CONNDIR/modes; dmesg | grep EDID" |
	lab_save edid-guest.txt
lab_check "edid: the guest took the backend's EDID" grep -q "connector 0: EDID of 128 octets" \
	"$RESULTS/edid-guest.txt"
lab_check "edid: the preferred mode, the configured 800x600, comes first" \
	test "$(head -n 1 "$RESULTS/edid-guest.txt")" = 800x600
lab_check "edid: the EDID's smaller mode 640x480 is offered too" grep -qx "640x480" "$RESULTS/edid-guest.txt"
lab_guest_run zf "od -An -v -tx1 $CONNDIR/edid" | lab_save edid-guest-blob.txt
lab_check "edid: the connector's EDID property is the backend's 128 octets" bash -c \
	"[ \$(wc -w <'$RESULTS/edid-guest-blob.txt') = 128 ] &&
	 head -n 1 '$RESULTS/edid-guest-blob.txt' | grep -q '^ *00 ff ff ff ff ff ff 00'"

# fbdev
guest_sum() {
	lab_guest_run zf "zdispl-capture --card /dev/dri/card0 --connector Virtual-1 --checksum 2>&1" \
		>"$RESULTS/fbdev-guest-capture.out"
	lab_field checksum "$RESULTS/fbdev-guest-capture.out"
}
dom0_sum() {
	zdispl-capture --card "/dev/dri/$VKMS" --connector "$CONN" --checksum -o "$RESULTS/fbdev-capture.png" \
		>"$RESULTS/fbdev-capture.out" 2>&1 && lab_field checksum "$RESULTS/fbdev-capture.out"
}
same_text() {
	local g d
	d=$(dom0_sum) && g=$(guest_sum) && [ -n "$g" ] && [ "$g" = "$d" ] &&
		grep -q 'colours=many' "$RESULTS/fbdev-capture.out"
}
lab_guest_run zf "echo 0 >/sys/class/graphics/fbcon/cursor_blink; printf '\\033[2J\\033[Hzdispl fbdev console: text from the guest\\n' >/dev/tty1"
lab_wait 60 "fbdev text on dom0" same_text
lab_check "fbdev: dom0 shows the guest's console text, as the guest shows it" same_text
GRANTS0=$(lab_guest_run zf "cat $SYS/grants_alive")
lab_log "grants held after the first connect: $GRANTS0"

# edid: the non-preferred mode, set and shown
lab_guest_pattern zf --connector 0 --mode 640x480 --frames 30
cp "$RESULTS/zf-pattern.out" "$RESULTS/edid-pattern.out"
lab_check "edid: the client runs 640x480" grep -q "WxH=640x480" "$RESULTS/edid-pattern.out"
last=$(lab_field last_frame "$RESULTS/edid-pattern.out")
lab_capture_check edid "/dev/dri/$VKMS" "$CONN" "$last"
lab_check "edid: dom0 shows it in a 640x480 mode" grep -q "WxH=640x480 " "$RESULTS/edid-capture.out"
lab_guest_pattern_stop zf

# restart: a client flips, and another process holds the device open
lab_guest_run zf "zdispl-pattern --connector 0 --frames 1000000 >/tmp/pattern.out 2>&1 & echo \$! >/tmp/pattern.pid" 10
lab_guest_run zf "sh -c 'exec 3</dev/dri/card0; while :; do sleep 1; done' >/dev/null 2>&1 & echo \$! >/tmp/holder.pid" 10
flipping() { zdispl-status --raw | grep "^conn name=$DEV/0 " | grep -q 'flips=[3-9][0-9] \|flips=[1-9][0-9][0-9]'; }
lab_step "restart: the guest flips" 120 lab_wait 120 "30 flips" flipping
cp "$BACK_LOG" "$RESULTS/zdispl-back-killed.log"
kill -KILL "$BACK_PID"
lab_step "restart: zdispl-back is gone" 30 lab_wait 30 "backend gone" bash -c "! kill -0 $BACK_PID 2>/dev/null"
wait "$BACK_PID" 2>/dev/null
lab_back_start --drm "/dev/dri/$VKMS"
lab_step "restart: frontend Reconfiguring while a process holds the old device" 60 \
	lab_wait 60 "frontend Reconfiguring" bash -c "[ \"\$(xenstore-read $FE/state)\" = 7 ]"
lab_guest_run zf "tail -n 5 /tmp/pattern.out; dmesg | tail -n 30" | lab_save restart-guest-before.txt
lab_guest_pattern_stop zf
lab_check "restart: still Reconfiguring while the device is held" \
	bash -c "[ \"\$(xenstore-read $FE/state)\" = 7 ]"
lab_guest_run zf "kill \$(cat /tmp/holder.pid)" 10 >/dev/null
connected restart
lab_step "restart: fbdev back" 60 lab_wait 60 "fb0" lab_guest_run zf "[ -e /dev/fb0 ] && [ -e /dev/dri/card0 ]"
lab_guest_run zf "cat $SYS/grants_alive $SYS/grants_deferred" | lab_save restart-grants.txt
lab_check "restart: the guest holds $GRANTS0 grants, as after its first connect" \
	test "$(head -n 1 "$RESULTS/restart-grants.txt")" = "$GRANTS0"
lab_guest_pattern zf --connector 0 --frames 60
last=$(lab_field last_frame "$RESULTS/zf-pattern.out")
lab_capture_check restart "/dev/dri/$VKMS" "$CONN" "$last"
lab_zcopy_status restart "$DEV"
lab_guest_pattern_stop zf

# unload: xenbus holds the module while a device is bound to it, and an
# open DRM file holds it too. The device is unbound while a client holds
# it; the module goes once the client has gone.
lab_guest_pattern zf --connector 0 --frames 10
lab_guest_run zf "rmmod zdispl_front 2>&1" | lab_save unload-bound.txt
rc=${PIPESTATUS[0]}
lab_check "unload: rmmod refused while the device is bound (rc $rc)" test "$rc" != 0
lab_guest_run zf "echo vdispl-0 >/sys/bus/xen/drivers/vdispl/unbind" | lab_save unbind.txt
lab_step "unload: unbound while a client holds the device: frontend Closed" 30 \
	lab_wait 30 "frontend Closed" bash -c "[ \"\$(xenstore-read $FE/state)\" = 6 ]"
lab_guest_run zf "rmmod zdispl_front 2>&1" | lab_save unload-held.txt
rc=${PIPESTATUS[0]}
lab_check "unload: rmmod refused while a client holds the unplugged device (rc $rc)" test "$rc" != 0
lab_guest_pattern_stop zf
lab_guest_run zf "rmmod zdispl_front 2>&1" | lab_save unload.txt
rc=${PIPESTATUS[0]}
lab_check "unload: rmmod works once no client holds it (rc $rc)" test "$rc" = 0
lab_guest_run zf 'insmod /lib/modules/$(uname -r)/extra/zdispl_front.ko 2>&1' | lab_save reload.txt
connected reload
lab_guest_pattern zf --connector 0 --frames 30
last=$(lab_field last_frame "$RESULTS/zf-pattern.out")
lab_capture_check reload "/dev/dri/$VKMS" "$CONN" "$last"
lab_guest_pattern_stop zf

# fences: through the atomic helpers, on the reloaded module
lab_guest_run zf 'insmod $(find /lib/modules -name vgem.ko) 2>&1' | lab_save vgem-insmod.txt
lab_check "fences: vgem loaded in the guest" lab_guest_run zf "[ -d /sys/module/vgem ]"
lab_guest_client zf zdispl-kms-test fences
cp "$RESULTS/zf-pattern.out" "$RESULTS/fences.out"
lab_check "fences: every check of zdispl-kms-test passed" grep -qx "result=pass" "$RESULTS/fences.out"
lab_check "fences: the out-fence signaled" grep -q "^out_fence frame=1 signaled=1 status=1 " \
	"$RESULTS/fences.out"
lab_check "fences: the unsignaled in-fence held the flip, then let it go" \
	grep -q "^in_fence frame=2 held_ms=[0-9]* held=1 signaled=1 " "$RESULTS/fences.out"
lab_capture_check fences "/dev/dri/$VKMS" "$CONN" 2
lab_guest_pattern_stop zf

# formats: the plane offers what the frontend knows, the backend's FB_ATTACH
# answer decides. zdispl-back takes XR24, AR24 and RG16 (back/daemon/core/format.c).
lab_guest_run zf "zdispl-kms-test formats 2>&1" | lab_save formats.out
lab_check "formats: exactly the backend's formats are accepted" \
	grep -q "^formats listed=[0-9]* accepted=XR24,AR24,RG16 rejected=[A-Z0-9]" "$RESULTS/formats.out"
lab_check "formats: a framebuffer tells the backend its own bpp, not its dumb buffer's" \
	grep -q "^format XR24 on a bpp-16 dumb buffer accepted" "$RESULTS/formats.out"
for fmt in AR24 RG16; do
	lab_guest_pattern zf --connector 0 --format $fmt --frames 10
	cp "$RESULTS/zf-pattern.out" "$RESULTS/format-$fmt-pattern.out"
	lab_check "formats: the client shows $fmt" grep -q " format=$fmt last_frame=" \
		"$RESULTS/format-$fmt-pattern.out"
	lab_capture_check "format-$fmt" "/dev/dri/$VKMS" "$CONN" \
		"$(lab_field last_frame "$RESULTS/format-$fmt-pattern.out")"
	lab_guest_pattern_stop zf
done
lab_guest_dmesg_clean zf zf

lab_guest_destroy zf
lab_step "backend dropped the device" 30 lab_wait 30 "device gone from status" \
	bash -c "zdispl-status --raw | grep -q 'devices=0'"
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
