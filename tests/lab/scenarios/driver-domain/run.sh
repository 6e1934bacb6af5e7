# shellcheck shell=bash
# driver-domain: the backend in a PV driver domain. domd (driver_domain=1)
# loads vkms and the zero-copy helper and runs zdispl-back; a frontend
# guest (dfront) has `vdispl = [ 'backend=domd,...' ]`. dom0 runs no
# backend: it only creates and destroys the domains. Rounds (tags FRONT):
#   linux    Linux's drm_xen_front: frames scanned out in domd pixel-exact
#            and zero-copy; Xen's grant table dump shows every page dfront
#            granted is mapped by domd and none by dom0; dom0's helper maps
#            nothing. Then dfront is destroyed: domd's backend drops the
#            device, its helper holds nothing, the daemon goes on.
#   zdispl   ours, the same checks; then domd is destroyed under the
#            showing guest: dfront stays up with a clean kernel log, and
#            once it is destroyed too, no domain is left dying.

. /lab/display.sh

D0_STATS=/sys/class/misc/zdispl-zcopy/stats

# domd_run CMD [TIMEOUT]: CMD in the driver domain.
domd_run() { lab_guest_run domd "$@"; }

# domd_status TAG: domd's zdispl-status, as TAG-status.txt and .raw.
domd_status() {
	domd_run "zdispl-status" | lab_save "$1-status.txt"
	domd_run "zdispl-status --raw" | lab_save "$1-status.raw"
}

# grant_users DOMID TAG: from Xen's grant table dump (debug key g, saved as
# TAG-gnttab.txt), one line per grant of DOMID's that a domain has mapped:
# "REF MAPPER" (hex ref, domain id).
grant_users() {
	xl dmesg -c >/dev/null
	xl debug-keys g
	xl dmesg | lab_save "$2-gnttab.txt"
	awk -v d="d$1" '
		/grant-table for remote/ { on = ($NF == d || $(NF - 1) == d); next }
		/gnttab_usage_print_all \]/ { on = 0 }
		on && /\[0x[0-9a-f]+\]/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^\[0x/) { gsub(/[][]/, "", $i); print $i, $(i + 1); break }
		}' "$RESULTS/$2-gnttab.txt"
}

# none_mapped DOMID TAG: no grant of DOMID's is mapped but the reserved
# entries (refs 0-7; 0 is the console ring, which xenconsoled maps).
none_mapped() { [ -z "$(grant_users "$1" "$2" | awk '$1 !~ /^0x0*[0-7]$/')" ]; }

# dom0_maps_nothing TAG: dom0's helper has mapped and exported nothing.
dom0_maps_nothing() {
	lab_save "$1-dom0-helper-stats.txt" <$D0_STATS
	lab_check "$1: dom0's helper maps no page and exports nothing" bash -c \
		"grep -q '^pages_mapped 0$' $RESULTS/$1-dom0-helper-stats.txt &&
		 grep -q '^exports_alive 0$' $RESULTS/$1-dom0-helper-stats.txt"
}

# The helper in dom0 only to read its counters: no backend runs here.
lab_step "modprobe zdispl_zcopy (dom0, for its counters)" 30 modprobe zdispl_zcopy
lab_check "dom0 runs no zdispl-back" bash -c "! pgrep -x zdispl-back"

FREE0=$(xl info free_memory)
lab_guest_create domd.cfg
DOMD=$(lab_domid domd)
lab_check "domd is driver domain $DOMD (not dom0)" test "${DOMD:-0}" -gt 0
domd_run "insmod /root/vkms.ko && insmod /root/zdispl_zcopy.ko; lsmod" | lab_save domd-lsmod.txt
lab_check "domd: vkms and the helper are loaded" bash -c \
	"grep -q '^vkms ' $RESULTS/domd-lsmod.txt && grep -q '^zdispl_zcopy ' $RESULTS/domd-lsmod.txt"
CARD=$(domd_run 'for c in /sys/class/drm/card[0-9]; do
	[ "$(basename $(readlink -f $c/device))" = vkms ] && echo ${c##*/}; done')
lab_check "domd: a vkms card ($CARD)" test -n "$CARD"
CONN=$(domd_run "for c in /sys/class/drm/$CARD-*; do
	[ -e \$c/status ] && case \$c in *Writeback*) ;; *) echo \${c##*/$CARD-}; exit ;; esac; done")
domd_run "zdispl-back --log-level debug --drm /dev/dri/$CARD >/tmp/back.log 2>&1 &
	echo \$! >/tmp/back.pid" 10 >/dev/null
lab_step "domd: zdispl-back serves /local/domain/$DOMD/backend/vdispl" 30 lab_wait 30 "domd serving" \
	domd_run "grep -q 'serving /local/domain/$DOMD/backend/vdispl' /tmp/back.log" 10
lab_check "domd: zdispl-back chose the helper for zero-copy" \
	domd_run "grep -q 'via the helper' /tmp/back.log" 10
domd_status baseline
FDS0=$(lab_field fds "$RESULTS/baseline-status.raw")

for FRONT in $LAB_FRONTS; do
	lab_guest_create "$(lab_front_cfg front.cfg "$FRONT")"
	F=$(lab_domid dfront)
	DEV=dom$F/vdispl/0
	lab_check "$FRONT: dfront's device names domd as its backend" bash -c \
		"[ \"\$(xenstore-read /local/domain/$F/device/vdispl/0/backend-id)\" = $DOMD ]"
	lab_step "$FRONT: domd's backend Connected" 60 lab_wait 60 "$DEV connected in domd" \
		domd_run "grep -q '$DEV: InitWait -> Connected' /tmp/back.log" 10

	lab_guest_pattern dfront --connector 0 --frames 120
	cp "$RESULTS/dfront-pattern.out" "$RESULTS/$FRONT-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$FRONT-pattern.out")
	for f in "$last" $((last - 1)); do
		domd_run "zdispl-capture --card /dev/dri/$CARD --connector $CONN --verify-pattern $f \
			>/tmp/capture.out 2>&1; echo rc=\$?; cat /tmp/capture.out" 60 |
			lab_save "$FRONT-capture-$f.out"
	done
	lab_check "$FRONT: domd scans out frame $last pixel-exact" bash -c \
		"grep -qx rc=0 $RESULTS/$FRONT-capture-$last.out && grep -q '^match=yes frame=$last ' $RESULTS/$FRONT-capture-$last.out"
	lab_check "$FRONT: frame $((last - 1)) does not match (rc 1)" \
		grep -qx rc=1 "$RESULTS/$FRONT-capture-$((last - 1)).out"
	domd_status "$FRONT"
	raw=$RESULTS/$FRONT-status.raw
	lab_check "$FRONT: connector 0 flipped and copied 0 bytes in domd" bash -c \
		"grep '^conn name=$DEV/0 ' $raw | grep -q 'flips=[1-9][0-9]* bytes-copied=0 '"
	lab_check "$FRONT: domd has the device's buffers, every one zero-copy" bash -c \
		"grep -q '^buffer device=$DEV ' $raw && ! grep '^buffer device=$DEV ' $raw | grep -v -q 'path=zero-copy '"

	# Who maps dfront's pages: Xen's own view. Refs 0-7 are the reserved
	# entries: 0 is the console ring, which xenconsoled in dom0 maps.
	grant_users "$F" "$FRONT" | lab_save "$FRONT-grant-users.txt"
	users=$RESULTS/$FRONT-grant-users.txt
	PAGES=$(grep -o "^device name=$DEV .* pages=[0-9]*" "$raw" | sed 's/.*pages=//')
	lab_log "$FRONT: dfront grants mapped: $(wc -l <"$users") (its buffers have ${PAGES:-?} pages); by domain: $(awk '{ print $2 }' "$users" | sort | uniq -c | tr -s ' \n' ' ')"
	lab_check "$FRONT: Xen: domd maps dfront's buffer pages (at least ${PAGES:-?})" bash -c \
		"[ -n '$PAGES' ] && [ \$(awk '\$2 == $DOMD' $users | wc -l) -ge $PAGES ]"
	lab_check "$FRONT: Xen: no other domain maps any of them (dom0 only the reserved rings)" bash -c \
		"[ -z \"\$(awk '\$2 != $DOMD && \$1 !~ /^0x0*[0-7]\$/' $users)\" ]"
	dom0_maps_nothing "$FRONT"

	if [ "$FRONT" != zdispl ]; then
		lab_guest_pattern_stop dfront
		lab_guest_destroy dfront
		lab_step "$FRONT: domd's backend dropped the device" 30 lab_wait 30 "device gone in domd" \
			domd_run "zdispl-status --raw | grep -q 'devices=0'" 10
		lab_step "$FRONT: domd's helper holds nothing" 30 lab_wait 30 "domd helper idle" \
			domd_run "s=/sys/class/misc/zdispl-zcopy/stats; grep -q '^exports_alive 0$' \$s &&
				grep -q '^pages_mapped 0$' \$s && grep -q '^grants_alive 0$' \$s" 10
		domd_status "$FRONT-after"
		lab_check "$FRONT: domd's zdispl-back is back to its baseline fds ($FDS0)" \
			test "$(lab_field fds "$RESULTS/$FRONT-after-status.raw")" = "$FDS0"
		continue
	fi

	# The driver domain dies under a guest that shows frames.
	lab_guest_file domd /tmp/back.log | lab_save domd-zdispl-back.log
	lab_guest_destroy domd
	lab_check "$FRONT: dfront still answers" lab_guest_run dfront true 30
	lab_guest_run dfront dmesg | lab_save "$FRONT-dmesg-after-domd.txt"
	lab_check "$FRONT: dfront's kernel logged no WARNING, BUG or Oops" \
		bash -c "! grep -E -q 'WARNING:|BUG:|Oops|Call Trace' $RESULTS/$FRONT-dmesg-after-domd.txt"
	# The frontend ends its grants at once (grants_alive); ends that found
	# a page still mapped (domd was being torn down) are Linux's deferred
	# ones, counted in grants_deferred, which a timer retries. Xen then
	# shows no grant of dfront's mapped but the console ring.
	lab_guest_run dfront "cd /sys/bus/xen/devices/vdispl-0 && grep . grants_* timeouts" |
		lab_save "$FRONT-front-counters.txt"
	lab_check "$FRONT: dfront's frontend ended every grant it gave domd" \
		grep -qx grants_alive:0 "$RESULTS/$FRONT-front-counters.txt"
	lab_check "$FRONT: Xen: no page of dfront's stays mapped once domd is gone" lab_wait 30 \
		"dfront's pages unmapped" none_mapped "$F" "$FRONT-after-domd"
	lab_guest_destroy dfront
	lab_step "no domain is left dying" 30 lab_wait 30 "only dom0 left" \
		bash -c "[ \$(xl list | tail -n +2 | wc -l) = 1 ]"
	dom0_maps_nothing "$FRONT-end"
	lab_check "Xen's free memory is back to its $FREE0 MiB" lab_wait 30 "free memory back" \
		bash -c "[ \$(xl info free_memory) = $FREE0 ]"
done
lab_domid domd >/dev/null && lab_guest_file domd /tmp/back.log | lab_save domd-zdispl-back.log
xl list | lab_save xl-list-end.txt
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
