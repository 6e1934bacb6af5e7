# shellcheck shell=bash
# tools-bench: the tools behind make bench (docs/performance.md), checked
# against what they measure.
#   zdispl-pattern --static: as many flips as asked, and as many round
#     trips timed, in order (p50 <= p99 <= max); the daemon counted exactly
#     those flips, copied nothing, and its status gives each buffer's
#     creation time and map calls (a 640x480 buffer: 300 pages, one
#     directory page and one export)
#   zdispl-bench-raw: dom0 maps the guest's granted pages in one call and
#     reads back what the guest wrote (map checks it); 50 event-channel
#     round trips, and the guest echoed exactly 50

. /lab/display.sh

lab_zcopy_start
lab_guest_create "$(lab_front_cfg guest.cfg zdispl lab.zfront=fbdev=0)"
lab_step "tools: backend Connected" 60 lab_wait 60 "tools connected" \
	grep -q "dom$(lab_domid tools)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
DEV=dom$(lab_domid tools)/vdispl/0
flips() { zdispl-status --raw | grep "^conn name=$DEV/0 " | grep -o '\<flips=[0-9]*' | cut -d= -f2; }

# ---- The flip client and the daemon's counters --------------------------------
f0=$(flips)
lab_guest_pattern tools --connector 0 --static --frames 60
zdispl-status --raw | lab_save status.raw
lab_check "client: 60 flips" grep -q '^frames=60 ' "$RESULTS/tools-pattern.out"
lab_check "client: 60 round trips timed, p50 <= p99 <= max" bash -c "
	l=\$(grep '^latency ' '$RESULTS/tools-pattern.out') &&
	echo \"\$l\" | grep -q ' flips=60 ' &&
	echo \"\$l\" | sed 's/[a-z0-9_]*=//g' | awk '{ exit !(\$3 > 0 && \$3 <= \$4 && \$4 <= \$5) }'"
lab_check "daemon: exactly 60 flips counted ($(($(flips) - f0)))" test $(($(flips) - f0)) = 60
lab_check "daemon: nothing copied" bash -c \
	"grep '^conn name=$DEV/0 ' '$RESULTS/status.raw' | grep -q ' bytes-copied=0 '"
lab_check "status: the client's 2 buffers, 300 pages each, created in some time, 2 map calls" \
	bash -c "[ \$(grep '^buffer device=$DEV ' '$RESULTS/status.raw' |
		grep -c ' pages=300 create-us=[1-9][0-9]* map-calls=2 path=zero-copy ') = 2 ]"
lab_guest_pattern_stop tools

# ---- zdispl-bench-raw ---------------------------------------------------------------
ID=$(lab_domid tools)
lab_guest_run tools "echo 65536 >/sys/module/xen_gntalloc/parameters/limit;
	zdispl-bench-raw offer --pages 300 --seconds 120 >/tmp/raw.out 2>&1 &" 10 >/dev/null
lab_step "raw: the guest offered" 60 lab_wait 60 "offered" \
	xenstore-read "/local/domain/$ID/data/zdispl-bench/port"
zdispl-bench-raw map --domid "$ID" --rounds 3 >"$RESULTS/raw-map.out" 2>&1
lab_check "raw map: 300 pages mapped 3 times, the guest's bytes read back" \
	grep -q '^gntmap pages=300 rounds=3 calls_per_map=1 p50_us=' "$RESULTS/raw-map.out"
zdispl-bench-raw ping --domid "$ID" --rounds 50 >"$RESULTS/raw-ping.out" 2>&1
lab_check "raw ping: 50 round trips" grep -q '^evtchn rounds=50 p50_us=' "$RESULTS/raw-ping.out"
xenstore-write "/local/domain/$ID/data/zdispl-bench/stop" 1
lab_step "raw: the guest's offer ended" 30 lab_wait 30 "offer ended" \
	lab_guest_run tools "grep -q '^offer echoed=' /tmp/raw.out"
lab_guest_run tools "cat /tmp/raw.out" | lab_save raw-offer.out
lab_check "raw offer: the guest echoed exactly 50" grep -q '^offer echoed=50$' "$RESULTS/raw-offer.out"
lab_check "raw offer: its nodes are gone" bash -c "! xenstore-read /local/domain/$ID/data/zdispl-bench/port"

lab_guest_destroy tools
lab_back_stop
