# shellcheck shell=bash
# bench-zcopy: what zero-copy saves. For each mode, a guest with Linux's
# drm_xen_front flips FRAMES frames of the test pattern on vkms, once with
# zdispl-back copying every frame (--zcopy=off) and once zero-copy through
# the helper. Recorded per run, in results/bench.csv:
#   fps               the guest client's flips per second
#   back_cpu_ms       zdispl-back's CPU time (user + system) per flip
#   copied_per_flip   octets the backend copied per flip
# Numbers, not verdicts: the only checks are that each run happened.

. /lab/display.sh

FRAMES=${BENCH_FRAMES:-180}
MODES="640x480 1280x720 1920x1080"
HZ=$(getconf CLK_TCK)

lab_step "modprobe vkms" 60 modprobe vkms
lab_step "modprobe zdispl_zcopy" 30 modprobe zdispl_zcopy
VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
field() { grep -o "\<$1=[^ ]*" "$2" | tail -n 1 | cut -d= -f2; }

echo "mode,path,frames,fps,back_cpu_ms,copied_per_flip" >"$RESULTS/bench.csv"
for mode in $MODES; do
	for path in copy zero-copy; do
		tag=$mode-$path
		if [ $path = copy ]; then zc=off; else zc=helper; fi
		lab_back_start --zcopy=$zc --drm "/dev/dri/$VKMS"
		lab_guest_create "guest-$mode.cfg"
		lab_step "$tag: backend Connected" 60 lab_wait 60 "bench connected" \
			grep -q "dom$(lab_domid bench)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
		dev=dom$(lab_domid bench)/vdispl/0
		t0=$(cpu_ticks "$BACK_PID")
		lab_guest_pattern bench --connector 0 --frames "$FRAMES"
		t1=$(cpu_ticks "$BACK_PID")
		cp "$RESULTS/bench-pattern.out" "$RESULTS/$tag-pattern.out"
		zdispl-status --raw >"$RESULTS/$tag-status.raw"
		flips=$(grep "^conn name=$dev/0 " "$RESULTS/$tag-status.raw" | grep -o 'flips=[0-9]*' | cut -d= -f2)
		copied=$(grep "^conn name=$dev/0 " "$RESULTS/$tag-status.raw" | grep -o 'bytes-copied=[0-9]*' | cut -d= -f2)
		lab_check "$tag: $FRAMES frames flipped" test "$(field frames "$RESULTS/$tag-pattern.out")" = "$FRAMES"
		lab_check "$tag: path is $path" bash -c \
			"grep '^buffer device=$dev ' '$RESULTS/$tag-status.raw' | grep -q 'path=$path '"
		echo "$mode,$path,$FRAMES,$(field fps "$RESULTS/$tag-pattern.out")," \
			"$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v n="$flips" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')," \
			"$(( copied / flips ))" | tr -d ' ' >>"$RESULTS/bench.csv"
		lab_guest_pattern_stop bench
		lab_guest_destroy bench
		lab_back_stop
	done
done
cat "$RESULTS/bench.csv" >&2
