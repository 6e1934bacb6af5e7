# shellcheck shell=bash
# wayland: zdispl-back --output=wayland --fullscreen shows guests as windows
# of Weston 10 (Debian 12's), running with its DRM backend on dom0's vkms
# and its desktop shell; a fullscreen 640x480 window fills the 640x480
# output. (Weston 10's kiosk-shell shows no window at all without a seat,
# and the lab has no input device.) Rounds (tags):
#   FRONT-shm     Weston's pixman renderer, which offers no linux-dmabuf:
#                 frames are copied into wl_shm buffers, for each frontend.
#                 vkms scans out the guest's frame pixel-exact; the status
#                 says every buffer is copied, and why.
#   gone          Weston stopped under a flipping guest: the daemon runs on
#                 headless, the guest's flips keep completing, none times
#                 out, and the daemon exits 0 at the end.
#   FRONT-dmabuf  Weston's GL renderer (Mesa's llvmpipe through GBM on vkms,
#                 the only GL in the lab), which offers linux-dmabuf, for
#                 each frontend: each display buffer goes to Weston as a
#                 linear dma-buf of the guest's pages, and Weston puts the
#                 fullscreen window's buffer on vkms's primary plane
#                 (direct scanout, its drm-backend log says so): vkms scans
#                 out the guest's frame pixel-exact, the status shows every
#                 buffer zero-copy with 0 bytes copied, every flip completed
#                 on Weston's frame callback and its release of the buffer
#                 the flip replaced (none on the daemon's 1 s timeout), and
#                 Weston is still running. (With the implicit modifier Weston composited
#                 the buffer instead, and llvmpipe crashed doing it; see
#                 docs/deployments.md.)

. /lab/display.sh

export XDG_RUNTIME_DIR=/run/wl WAYLAND_DISPLAY=wl-zdispl
WPID=""

# weston_start TAG ARGS...: Weston on vkms, fullscreen windows, 640x480.
weston_start() {
	local tag=$1
	shift
	mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
	cat >/run/weston.ini <<-EOT
		[core]
		require-input=false
		idle-time=0
		[shell]
		locking=false
		panel-position=none
		animation=none
		close-animation=none
		startup-animation=none
		focus-animation=none
		background-color=0xff000000
		[output]
		name=$CONN
		mode=640x480
	EOT
	weston --config=/run/weston.ini --socket="$WAYLAND_DISPLAY" --backend=drm-backend.so \
		--drm-device="$VKMS" --tty=1 --debug --logger-scopes=log,drm-backend \
		--log="$RESULTS/$tag-weston.log" "$@" >"$RESULTS/$tag-weston.out" 2>&1 &
	WPID=$!
	lab_step "$tag: weston up" 60 lab_wait 60 "weston socket" test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY"
}

weston_stop() {
	kill -TERM "$WPID" 2>/dev/null
	lab_step "weston exits" 30 lab_wait 30 "weston gone" bash -c "! kill -0 $WPID 2>/dev/null"
	wait "$WPID" 2>/dev/null
	rm -f "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY"
}

# guest_round TAG FRONT [PATTERN-ARGS...]: a guest with FRONT flips 120
# frames in a window; vkms must scan out its last frame pixel-exact.
# Leaves the guest running.
guest_round() {
	local tag=$1 last
	lab_guest_create "$(lab_front_cfg guest.cfg "$2")"
	DEV=dom$(lab_domid wlg)/vdispl/0
	lab_step "$tag: backend Connected" 60 lab_wait 60 "wlg connected" \
		grep -q "$DEV: InitWait -> Connected" "$BACK_LOG"
	lab_guest_pattern wlg --connector 0 --frames 120 "${@:3}"
	cp "$RESULTS/wlg-pattern.out" "$RESULTS/$tag-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$tag-pattern.out")
	lab_capture_check "$tag" "/dev/dri/$VKMS" "$CONN" "$last"
	zdispl-status >"$RESULTS/$tag-status.txt" 2>&1
	zdispl-status --raw >"$RESULTS/$tag-status.raw" 2>&1
	lab_check "$tag: the connector is shown in a window (output wayland-N)" bash -c \
		"grep '^conn name=$DEV/0 ' '$RESULTS/$tag-status.raw' | grep -q ' output=wayland-[0-9]* '"
	# Weston's own view: the window is titled with the domain's name.
	timeout 10 weston-debug scene-graph >"$RESULTS/$tag-scene-graph.txt" 2>&1
	lab_check "$tag: Weston shows the window titled 'wlg: main ($DEV/0)'" \
		grep -qF "top-level window 'wlg: main ($DEV/0)'" "$RESULTS/$tag-scene-graph.txt"
}

guest_end() {
	lab_guest_pattern_stop wlg
	lab_guest_destroy wlg
	lab_step "$1: backend dropped the device" 30 lab_wait 30 "device gone from status" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"
}

lab_step "modprobe vkms" 60 modprobe vkms
lab_step "modprobe zdispl_zcopy" 30 modprobe zdispl_zcopy
VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false
CONN=$(lab_card_connector "$VKMS")

# --- wl_shm: Weston's pixman renderer takes no dma-buf --------------------------
weston_start shm --use-pixman
BACK_LOG=$RESULTS/shm-zdispl-back.log
lab_back_start --output=wayland --fullscreen
lab_check "shm: zdispl-back says frames are copied into wl_shm" \
	grep -q "offers no zwp_linux_dmabuf_v1" "$BACK_LOG"
for FRONT in $LAB_FRONTS; do
	guest_round "$FRONT-shm" "$FRONT"
	raw=$RESULTS/$FRONT-shm-status.raw
	lab_check "$FRONT-shm: the connector copied its frames" bash -c \
		"grep '^conn name=$DEV/0 ' '$raw' | grep -q 'flips=[1-9][0-9]* bytes-copied=[1-9]'"
	lab_check "$FRONT-shm: every buffer is copied, and the status says why" bash -c \
		"grep -q '^buffer device=$DEV ' '$raw' && ! grep '^buffer device=$DEV ' '$raw' | grep -v -q 'path=copy .*display refused the import'"
	guest_end "$FRONT-shm"
done

# --- the compositor goes away under a flipping guest ---------------------------
lab_guest_create "$(lab_front_cfg guest.cfg zdispl)"
DEV=dom$(lab_domid wlg)/vdispl/0
lab_step "gone: backend Connected" 60 lab_wait 60 "wlg connected" \
	grep -q "$DEV: InitWait -> Connected" "$BACK_LOG"
lab_step "gone: the guest has a DRM connector" 30 lab_wait 30 "a DRM connector" \
	lab_guest_run wlg "ls /sys/class/drm/card*-*/status" 10
lab_guest_run wlg "zdispl-pattern --connector 0 --frames 1000000 >/tmp/flips.out 2>&1 &
	echo \$! >/tmp/pattern.pid" 10 >/dev/null
lab_step "gone: the guest flips" 60 lab_wait 60 "flips counted" bash -c \
	"zdispl-status --raw | grep '^conn name=$DEV/0 ' | grep -q 'flips=[1-9][0-9][0-9]'"
weston_stop
lab_step "gone: zdispl-back runs on headless" 30 lab_wait 30 "lost logged" \
	grep -q "connection to the compositor lost" "$BACK_LOG"
F1=$(zdispl-status --raw | grep "^conn name=$DEV/0 " | grep -o 'flips=[0-9]*' | cut -d= -f2)
lab_step "gone: the guest's flips still complete" 30 lab_wait 30 "more flips" bash -c \
	"[ \$(zdispl-status --raw | grep '^conn name=$DEV/0 ' | grep -o 'flips=[0-9]*' | cut -d= -f2) -gt $((F1 + 100)) ]"
lab_guest_pattern_stop wlg
lab_guest_run wlg "cat /tmp/flips.out" 10 | lab_save gone-pattern.out
lab_check "gone: no flip of the guest timed out" \
	bash -c "! grep -q 'no page flip event' '$RESULTS/gone-pattern.out'"
lab_guest_destroy wlg
lab_back_stop

# --- dma-bufs: Weston's GL renderer takes them ----------------------------------
weston_start dmabuf
BACK_LOG=$RESULTS/dmabuf-zdispl-back.log
lab_back_start --output=wayland --fullscreen
lab_check "dmabuf: zdispl-back found linux-dmabuf with XR24" \
	grep -q "zero-copy through zwp_linux_dmabuf_v1 .*XR24" "$BACK_LOG"
WLOG=$RESULTS/dmabuf-weston.log
for FRONT in $LAB_FRONTS; do
	tag=$FRONT-dmabuf
	from=$(($(wc -l <"$WLOG") + 1))
	# Weston's GL renderer composites the first frame, before it has a
	# plane state to build on, and takes seconds to under TCG: the client
	# waits up to 30 s for a flip.
	guest_round "$tag" "$FRONT" --flip-timeout 30000 --frames 30
	raw=$RESULTS/$tag-status.raw
	lab_check "$tag: the guest's flips completed, 0 bytes copied" bash -c \
		"grep '^conn name=$DEV/0 ' '$raw' | grep -q 'flips=[1-9][0-9]* bytes-copied=0 '"
	lab_check "$tag: every buffer went to Weston as a dma-buf (zero-copy)" bash -c \
		"grep -q '^buffer device=$DEV ' '$raw' && ! grep '^buffer device=$DEV ' '$raw' | grep -v -q 'path=zero-copy '"
	tail -n +"$from" "$WLOG" >"$RESULTS/$tag-weston-repaints.log"
	lab_check "$tag: Weston scanned the guest's buffer out on the primary plane" \
		grep -q 'on Primary plane' "$RESULTS/$tag-weston-repaints.log"
	lab_log "$tag: Weston's repaints: $(grep -c 'Using plane-only state composition' "$RESULTS/$tag-weston-repaints.log") on planes only, $(grep -c -E 'Using (mixed|render-only) state composition' "$RESULTS/$tag-weston-repaints.log") composited"
	# A flip waits for its frame callback and for Weston to release the
	# buffer it replaced; after 1 s without both it completes anyway.
	lab_check "$tag: Weston released each replaced buffer: no flip needed the 1 s timeout" \
		bash -c "! grep -q 'flips complete after that long' '$BACK_LOG'"
	lab_check "$tag: Weston is still running" kill -0 "$WPID"
	guest_end "$tag"
done
lab_back_stop
kill -0 "$WPID" 2>/dev/null && weston_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
