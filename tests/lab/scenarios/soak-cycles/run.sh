# shellcheck shell=bash
# soak-cycles (make soak): SOAK_CYCLES (100) guest lifetimes against one
# zdispl-back with the zero-copy helper on vkms. Each cycle creates a PV
# guest with our frontend, flips 30 frames of the test pattern, checks the
# last one pixel-exact on vkms, destroys the guest and waits until the
# device is gone and the helper is idle. After each cycle it records the
# backend's open fds, grant mappings and resident memory and the helper's
# counters (soak.csv). Checks: every cycle showed its frames; the fds and
# mappings are the same after every cycle as after the first, the helper
# holds nothing after any cycle, and the backend's resident memory grew by
# less than 1 MiB from cycle 10 to the last (what malloc keeps is reached
# in the first cycles).

. /lab/display.sh

CYCLES=${SOAK_CYCLES:-100}
lab_zcopy_start
CSV=$RESULTS/soak.csv
echo "cycle,seconds,fds,gntdev_maps,rss_kib,exports_alive,pages_mapped,allocs_alive,pages_allocated,grants_alive,exports_total" >"$CSV"
stat_of() { sed -n "s/^$1 //p" /sys/class/misc/zdispl-zcopy/stats; }

record() {
	local st
	st=$(zdispl-status --raw | grep '^process ')
	echo "$1,$2,$(lab_field fds <(echo "$st")),$(grep -c /dev/xen/gntdev /proc/$BACK_PID/maps),$(lab_field rss-kib <(echo "$st")),$(stat_of exports_alive),$(stat_of pages_mapped),$(stat_of allocs_alive),$(stat_of pages_allocated),$(stat_of grants_alive),$(stat_of exports_total)" >>"$CSV"
}

bad=0
for i in $(seq 1 "$CYCLES"); do
	t0=$(date +%s)
	lab_guest_create guest.cfg
	lab_step "cycle $i: Connected" 60 lab_wait 60 "soak connected" \
		grep -q "dom$(lab_domid soak)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
	lab_guest_pattern soak --connector 0 --frames 30
	last=$(lab_field last_frame "$RESULTS/soak-pattern.out")
	rc=0
	timeout 60 zdispl-capture --card "/dev/dri/$VKMS" --connector "$CONN" \
		--verify-pattern "$last" >"$RESULTS/capture.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { bad=$((bad + 1)); lab_log "cycle $i: frame $last not on screen (rc $rc)"; }
	lab_guest_destroy soak
	lab_step "cycle $i: device gone" 30 lab_wait 30 "device gone" \
		bash -c "zdispl-status --raw | grep -q 'devices=0'"
	lab_step "cycle $i: helper idle" 30 lab_wait 30 "helper idle" lab_helper_idle
	record "$i" $(($(date +%s) - t0))
	lab_log "cycle $i: $(tail -n 1 "$CSV")"
done

lab_check "every cycle showed its last frame pixel-exact ($bad failed)" test "$bad" = 0
lab_check "fds and grant mappings the same after every cycle" bash -c \
	"[ \$(tail -n +2 '$CSV' | cut -d, -f3,4 | sort -u | wc -l) = 1 ]"
lab_check "the helper held nothing after any cycle" bash -c \
	"! tail -n +2 '$CSV' | cut -d, -f6-9 | grep -v -q '^0,0,0,0$'"
R10=$(awk -F, 'NR == 11 { print $5 }' "$CSV")
RN=$(tail -n 1 "$CSV" | cut -d, -f5)
lab_check "resident memory from cycle 10 to $CYCLES: $R10 -> $RN kB (< 1 MiB more)" \
	bash -c "[ -n '$R10' ] && [ \$(($RN - $R10)) -lt 1024 ]"
lab_back_stop
