# shellcheck shell=bash
# front-hostile: our frontend (zdispl_front) survives a hostile displif
# backend. dom0 runs no zdispl-back: zdispl-hostile-back
# (tests/lab/progs/hostile-back.c) is the backend, a new one per case. One
# PV guest (one connector 640x480, be-alloc=0) serves every case: it boots
# with no frontend loaded, and each case loads zdispl_front afresh
# (req_timeout_ms=1000, flip_timeout_ms=1000 and the case's own), so its
# counters start at 0. The guest runs `zdispl-pattern --connector 0
# --frames 30` under a bound, and then: the client exited by itself within
# the bound, the guest and its agent are alive, the case's counter or state
# moved, and the guest kernel logged no WARNING, BUG, Oops or Call Trace.
# Each case ends with the device unbound in the guest (the frontend writes
# Closed; a hostile backend still serving exits by itself, having written
# Closed) and the module unloaded; dom0 then puts the backend node back to
# Initialising, as the toolstack leaves a new device, for the next case.
#
# What the frontend does, per case (every case reaches Connected: the rings
# are published before any request, and the first request, GET_EDID while
# connecting, fails or times out without stopping the connection):
#   good               takes the EDID (640x480); the client shows 30 frames
#                      and exits 0; no timeout, drop or flip timeout counted
#   silent             GET_EDID times out (1 s): mode from "resolution"; the
#                      fbdev setup's buffer times out too; the client fails
#                      at CREATE_DUMB (ETIMEDOUT, rc 1) within ~2 s;
#                      timeouts > 0; stays Connected
#   bad-status         status +7 to GET_EDID is malformed: ring broken, error
#                      node, DRM device unplugged, Connected -> Reconfiguring
#                      (fbdev held it) -> Closing; the client finds no DRM
#                      card (rc 1)
#   unknown-id         every answer dropped (rsp_dropped > 0), every request
#                      times out (timeouts > 0); the client fails at
#                      CREATE_DUMB (rc 1); stays Connected
#   rsp-prod-overflow  as bad-status: "response producer index out of range"
#   evt-prod-overflow  the first flip (fbdev's console) breaks the event
#                      ring: "event producer index out of range", Closing;
#                      the client finds no DRM card (rc 1)
#   evt-prod-overflow-nofbdev  the same with fbdev=0: the client's own first
#                      flip breaks the ring under it; it fails (rc 1), the
#                      device goes Reconfiguring while it holds the DRM
#                      device, then Closing
#   unknown-cookie     every flip event dropped (evt_dropped > 0), each flip
#                      released after flip_timeout_ms (flip_timeouts > 0):
#                      the client shows its 30 frames in ~8 s, rc 0
#                      (flip_timeout_ms=250 in the three cases like this)
#   no-flip-event      each flip released after flip_timeout_ms, nothing
#                      dropped; the client shows its 30 frames, rc 0
#   edid-oversize      edid_sz 100000 is malformed: as bad-status
#   edid-bad-checksum  the EDID is rejected: mode 640x480 from "resolution";
#                      the client shows its 30 frames, rc 0
#   bad-event-type     as unknown-cookie ("dropped an unknown event (type 127)")
# In the broken cases the hostile backend stays Connected, so the frontend
# stays Closing; the scenario then stops the backend (it writes Closed) and
# the frontend must follow to Closed.

. /lab/display.sh

GUEST=hostile
CLIENT_BOUND=60 # s: 30 flips each released after at most flip_timeout_ms, and slack
ZFRONT=req_timeout_ms=1000,flip_timeout_ms=1000 # a case's own come after: they win
HB_PID=""

# ---- The hostile backend ---------------------------------------------------

# hb_start TAG CASE
hb_start() {
	zdispl-hostile-back --case "$2" --timeout 120 --lifetime 600 >"$RESULTS/$1-back.log" 2>&1 &
	HB_PID=$!
	lab_step "$1: hostile backend watches vdispl" 30 lab_wait 30 "hostile backend watching" \
		grep -q "watching /local/domain/0/backend/vdispl" "$RESULTS/$1-back.log"
}

# hb_stop TAG [now]: it exits by itself once the guest is gone, else (or
# with "now" at once) at SIGTERM; either way with status 0, having written
# Closed.
hb_stop() {
	local rc=0
	[ -n "$HB_PID" ] || return 0
	if [ "${2:-}" = now ] ||
		! lab_wait 10 "hostile backend exits by itself" bash -c "! kill -0 $HB_PID 2>/dev/null"; then
		kill -TERM "$HB_PID" 2>/dev/null
	fi
	lab_step "$1: hostile backend exits" 30 lab_wait 30 "hostile backend gone" \
		bash -c "! kill -0 $HB_PID 2>/dev/null"
	wait "$HB_PID" || rc=$?
	HB_PID=""
	lab_check "$1: hostile backend exit status 0 (got $rc)" test "$rc" = 0
	lab_check "$1: hostile backend wrote Closed" grep -q "backend state 6" "$RESULTS/$1-back.log"
}

# ---- The guest -------------------------------------------------------------

fe_dir() { echo "/local/domain/$(lab_domid $GUEST)/device/vdispl/0"; }
fe_state() { xenstore-read "$(fe_dir)/state" 2>/dev/null; }
fe_state_is() { [ "$(fe_state)" = "$1" ]; }
# The error node xenbus_dev_error() writes for the device.
fe_error() { xenstore-read "/local/domain/$(lab_domid $GUEST)/error/device/vdispl/0/error" 2>/dev/null; }
fe_error_has() { fe_error | grep -qF "$1"; }

# guest_dmesg_has TEXT: the guest kernel logged TEXT (no single quotes in it).
guest_dmesg_has() { lab_guest_run $GUEST "dmesg | grep -qF '$1'" 10 >/dev/null; }

# counter CASE NAME: a frontend counter as saved in CASE-counters.txt.
counter() { awk -F: -v n="$2" '$1 == n { print $2 }' "$RESULTS/$1-counters.txt"; }
counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; }
counter_above0() { local v; v=$(counter "$1" "$2"); [ -n "$v" ] && [ "$v" -gt 0 ]; }

# run_client CASE: the client in the guest, killed after CLIENT_BOUND s (the
# agent's own timeout is 30 s longer). Sets CLIENT_RC: 0 success, 1 a
# reported failure, anything else killed (137: by the bound) or crashed.
run_client() {
	local rc=0
	lab_guest_run $GUEST "t0=\$(date +%s)
		timeout -s KILL $CLIENT_BOUND zdispl-pattern --connector 0 --frames 30 \
			>/tmp/pattern.out 2>/tmp/pattern.err
		echo client_rc=\$? client_seconds=\$((\$(date +%s) - t0))" $((CLIENT_BOUND + 30)) \
		>"$RESULTS/$1-client.txt" || rc=$?
	lab_guest_run $GUEST "cat /tmp/pattern.out" 10 | lab_save "$1-pattern.out"
	lab_guest_run $GUEST "cat /tmp/pattern.err" 10 | lab_save "$1-pattern.err"
	CLIENT_RC=$(lab_field client_rc "$RESULTS/$1-client.txt")
	lab_log "$1: client rc ${CLIENT_RC:-none} after $(lab_field client_seconds "$RESULTS/$1-client.txt") s"
	lab_check "$1: the guest agent ran the client (rc $rc)" test "$rc" = 0
	lab_check "$1: the client exited by itself within ${CLIENT_BOUND}s (rc ${CLIENT_RC:-none})" \
		bash -c "[ '$CLIENT_RC' = 0 ] || [ '$CLIENT_RC' = 1 ]"
}

client_succeeded() {
	[ "$CLIENT_RC" = 0 ] && grep -q '^frames=30 .* last_frame=30' "$RESULTS/$1-pattern.out"
}
client_failed() { [ "$CLIENT_RC" = 1 ] && grep -q '^error:' "$RESULTS/$1-pattern.err"; }

save_counters() {
	lab_guest_run $GUEST "cd /sys/bus/xen/devices/vdispl-0 && grep . spurious rsp_dropped \
		evt_dropped timeouts grants_alive grants_deferred flip_timeouts" 10 |
		lab_save "$1-counters.txt"
	lab_log "$1: counters $(tr '\n' ' ' <"$RESULTS/$1-counters.txt")"
}

# The modes the guest's DRM connector lists (the client probed it).
save_modes() {
	lab_guest_run $GUEST "cat /sys/class/drm/card*-Virtual-*/modes" 10 | lab_save "$1-modes.txt"
}

# ---- What each case must show ----------------------------------------------

# A backend that broke the protocol: the device is Closing with an error node
# and its DRM device unplugged; WHY is what the frontend said of the ring.
# The hostile backend stays Connected; once it closes (SIGTERM), the
# frontend follows to Closed.
expect_broken() {
	local c=$1 why=$2
	lab_check "$c: the frontend goes to Closing (5)" lab_wait 10 "$c: frontend Closing" fe_state_is 5
	lab_log "$c: frontend state $(fe_state), error node: $(fe_error)"
	lab_check "$c: the frontend wrote an error node" fe_error_has "broke the displif protocol"
	lab_check "$c: the frontend said why ($why)" guest_dmesg_has "$why; the ring is closed"
	lab_check "$c: the DRM device was unplugged" guest_dmesg_has "DRM device unplugged"
	hb_stop "$c" now
	lab_check "$c: with the backend Closed, the frontend goes to Closed (6)" \
		lab_wait 10 "$c: frontend Closed" fe_state_is 6
}

expect_connected() { lab_check "$1: the frontend stays Connected (state $(fe_state))" fe_state_is 4; }

expect_good() {
	lab_check "good: the client showed all 30 frames" client_succeeded good
	expect_connected good
	lab_check "good: the frontend took the backend's EDID" guest_dmesg_has "EDID of 128 octets"
	lab_check "good: the connector lists 640x480" grep -qx 640x480 "$RESULTS/good-modes.txt"
	for n in timeouts rsp_dropped evt_dropped flip_timeouts; do
		lab_check "good: $n is 0 ($(counter good $n))" counter_is good $n 0
	done
}

expect_silent() {
	lab_check "silent: the client reported an error" client_failed silent
	lab_check "silent: requests timed out ($(counter silent timeouts))" counter_above0 silent timeouts
	lab_check "silent: the frontend logged the timeout" guest_dmesg_has "no response to request"
	expect_connected silent
}

expect_bad_status() { expect_broken bad-status "malformed response"; }

expect_unknown_id() {
	lab_check "unknown-id: the client reported an error" client_failed unknown-id
	lab_check "unknown-id: responses were dropped ($(counter unknown-id rsp_dropped))" \
		counter_above0 unknown-id rsp_dropped
	lab_check "unknown-id: their requests timed out ($(counter unknown-id timeouts))" \
		counter_above0 unknown-id timeouts
	expect_connected unknown-id
}

expect_rsp_prod_overflow() { expect_broken rsp-prod-overflow "response producer index out of range"; }
expect_evt_prod_overflow() { expect_broken evt-prod-overflow "event producer index out of range"; }

# Without fbdev the first flip is the client's: the ring breaks under it.
expect_evt_prod_overflow_nofbdev() {
	lab_check "evt-prod-overflow-nofbdev: the client's flip met the overflow" \
		grep -q "op=PG_FLIP.*status=0" "$RESULTS/evt-prod-overflow-nofbdev-back.log"
	expect_broken evt-prod-overflow-nofbdev "event producer index out of range"
}

# Flip events that are never right: the client is released by flip_timeout_ms.
expect_flips_released() {
	lab_check "$1: the client showed all 30 frames" client_succeeded "$1"
	lab_check "$1: flips were released by the timeout ($(counter "$1" flip_timeouts))" \
		counter_above0 "$1" flip_timeouts
	expect_connected "$1"
}

expect_unknown_cookie() {
	expect_flips_released unknown-cookie
	lab_check "unknown-cookie: events were dropped ($(counter unknown-cookie evt_dropped))" \
		counter_above0 unknown-cookie evt_dropped
}

expect_no_flip_event() {
	expect_flips_released no-flip-event
	lab_check "no-flip-event: no event was dropped ($(counter no-flip-event evt_dropped))" \
		counter_is no-flip-event evt_dropped 0
}

expect_edid_oversize() { expect_broken edid-oversize "malformed response"; }

expect_edid_bad_checksum() {
	lab_check "edid-bad-checksum: the client showed all 30 frames" client_succeeded edid-bad-checksum
	lab_check "edid-bad-checksum: the frontend rejected the EDID" \
		guest_dmesg_has "EDID (128 octets) is invalid; using the resolution node"
	lab_check "edid-bad-checksum: the connector lists 640x480 (the resolution node)" \
		grep -qx 640x480 "$RESULTS/edid-bad-checksum-modes.txt"
	expect_connected edid-bad-checksum
}

expect_bad_event_type() {
	expect_flips_released bad-event-type
	lab_check "bad-event-type: events were dropped ($(counter bad-event-type evt_dropped))" \
		counter_above0 bad-event-type evt_dropped
	lab_check "bad-event-type: the frontend logged the unknown event" \
		guest_dmesg_has "dropped an unknown event (type 127)"
}

# ---- One case --------------------------------------------------------------

KO='/lib/modules/$(uname -r)/extra/zdispl_front.ko'
be_dir() { echo "/local/domain/0/backend/vdispl/$(lab_domid $GUEST)/0"; }

# front_load TAG [ZFRONT-PARAMS]: zdispl_front into the guest, with a clean
# kernel log for the case. insmod returns once the device has connected
# (xenbus waits up to 30 s for a module's devices), so the backend is
# already there.
front_load() {
	local params="$ZFRONT${2:+,$2}" rc
	lab_guest_run $GUEST "dmesg -c >/dev/null; insmod $KO ${params//,/ } 2>&1" 60 |
		lab_save "$1-insmod.txt"
	rc=${PIPESTATUS[0]}
	lab_check "$1: zdispl_front loaded (${params//,/ }; rc $rc)" test "$rc" = 0
}

# front_unload TAG: the device unbound (the frontend writes Closed; a hostile
# backend still serving exits by itself), then the module out.
front_unload() {
	local rc
	lab_guest_run $GUEST "echo vdispl-0 >/sys/bus/xen/drivers/vdispl/unbind" | lab_save "$1-unbind.txt"
	lab_check "$1: unbound, the frontend is Closed (6)" lab_wait 10 "$1: frontend Closed" fe_state_is 6
	hb_stop "$1"
	lab_guest_run $GUEST "rmmod zdispl_front 2>&1" | lab_save "$1-rmmod.txt"
	rc=${PIPESTATUS[0]}
	lab_check "$1: zdispl_front unloaded (rc $rc)" test "$rc" = 0
	lab_guest_dmesg_clean $GUEST "$1"
}

# run_case TAG CASE [ZFRONT-PARAMS]: backend case CASE, checked by expect_TAG.
# The first case boots the guest under the waiting hostile backend. Later
# ones first make the device what the toolstack leaves a new one: both
# state nodes Initialising, no error node (the last case's is not this
# one's).
run_case() {
	local c=$1 out
	if [ -n "$(lab_domid $GUEST)" ]; then
		xenstore-write "$(fe_dir)/state" 1 "$(be_dir)/state" 1
		xenstore-rm "/local/domain/$(lab_domid $GUEST)/error/device/vdispl/0" 2>/dev/null || true
		hb_start "$c" "$2"
	else
		hb_start "$c" "$2"
		lab_guest_create "$(lab_front_cfg guest.cfg none)"
	fi
	front_load "$c" "${3:-}"
	lab_step "$c: hostile backend Connected" 60 lab_wait 60 "$c: backend Connected" \
		grep -q "backend state 4" "$RESULTS/$c-back.log"
	# Every case lets the frontend connect: the rings are published before any
	# request, and the first request (GET_EDID) fails or times out on its own.
	lab_check "$c: the frontend reached Connected" lab_wait 60 "$c: frontend Connected" \
		guest_dmesg_has "Initialised -> Connected"
	run_client "$c"
	save_counters "$c"
	save_modes "$c"
	out=$(lab_guest_run $GUEST "echo alive" 10)
	lab_check "$c: the guest and its agent are alive" test "$out" = alive
	xenstore-ls -f "$(fe_dir)" 2>&1 | lab_save "$c-frontend-xenstore.txt"
	"expect_${c//-/_}"
	front_unload "$c"
}

for c in good silent bad-status unknown-id rsp-prod-overflow evt-prod-overflow \
	edid-oversize edid-bad-checksum; do
	run_case "$c" "$c"
done
# Every flip of these waits for the flip timeout: 250 ms, not 30 x 1 s.
for c in unknown-cookie no-flip-event bad-event-type; do
	run_case "$c" "$c" flip_timeout_ms=250
done
run_case evt-prod-overflow-nofbdev evt-prod-overflow fbdev=0
lab_guest_destroy $GUEST
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
