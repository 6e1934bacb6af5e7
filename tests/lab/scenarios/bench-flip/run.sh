# shellcheck shell=bash
# bench-flip (make bench): what a flip costs, measured on the real
# hypervisor. zdispl-back runs at its default log level (info) throughout;
# the guest client is zdispl-pattern --static (no drawing: the flip path
# alone). Results, one CSV each, for tools/bench/run:
#   sweep.csv    per mode and path, per flip: fps, the backend's user and
#                system CPU ms, its system calls, octets copied
#   latency.csv  flip round trips (PG_FLIP to its event) on a display that
#                completes at once (--no-display) and on vkms, for both
#                frontends, and a raw event-channel round trip
#   create.csv   DBUF_CREATE as the backend timed it, and its map calls,
#                against one raw batched map of as many grant refs
#   steady.csv   STEADY flips per frontend: rate, guest and backend CPU per
#                flip, the backend's RSS and fds over the run (samples in
#                steady-samples.csv)
#   scale.csv    1, 2, 4 guests flipping at once, each on its own connector:
#                the backend's CPU per flip and each guest's flip rate
# Per-flip figures are differences between a run of LONG flips and one of
# SHORT flips with the same client, so what a client costs to start and end
# (buffers, fbs, the modeset) cancels out.

. /lab/display.sh

MODES=${BENCH_MODES:-640x480 1280x720 1920x1080 3840x2160}
SHORT=${BENCH_SHORT:-30}
LONG=${BENCH_LONG:-330}
PINGS=${BENCH_PINGS:-2000}
STEADY=${BENCH_STEADY:-10000}
SCALE=${BENCH_SCALE:-1 2 4}
SCALE_FRAMES=${BENCH_SCALE_FRAMES:-20000}
PARTS=${BENCH_PARTS:-sweep latency steady profile scale}
HZ=$(getconf CLK_TCK)
N=$((LONG - SHORT))
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

lab_step "modprobe vkms" 60 modprobe vkms
lab_step "modprobe zdispl_zcopy" 30 modprobe zdispl_zcopy
VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false

# cfg MODE FRONT [BE_ALLOC]: the guest config for that mode and frontend.
# Our frontend without its fbdev console: its buffer and its flips would
# count with the client's.
cfg() {
	local base=/run/bench-$1-${3:-0}.cfg
	sed -e "s/@RES@/$1/" -e "s/be-alloc=0/be-alloc=${3:-0}/" guest.cfg >"$base"
	if [ "$2" = zdispl ]; then
		lab_front_cfg "$base" zdispl lab.zfront=fbdev=0
	else
		lab_front_cfg "$base" "$2"
	fi
}

# back_on vkms|headless: zdispl-back on vkms, or with no display (a flip
# completes at once), at the default log level.
back_on() {
	if [ "$1" = headless ]; then
		lab_back_start --no-display --log-level info
	else
		lab_back_start --drm "/dev/dri/$VKMS" --log-level info
	fi
}

# guest_up CFG: create the guest, wait until the backend connected it; sets DEV.
guest_up() {
	lab_guest_create "$1"
	lab_step "bench: backend Connected" 60 lab_wait 60 "bench connected" \
		grep -q "dom$(lab_domid bench)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
	DEV=dom$(lab_domid bench)/vdispl/0
}

# The backend's user and system CPU ticks; a counter of connector 0.
ticks() { sed 's/^.*) //' "/proc/$BACK_PID/stat" | awk '{ print $12, $13 }'; }
conn_field() { zdispl-status --raw | grep "^conn name=$DEV/0 " | grep -o "\<$1=[0-9]*" | cut -d= -f2; }

# client TAG FRAMES [ARGS]: zdispl-pattern --static, FRAMES flips, to its
# end; its output in TAG.out. Fails the step if it fails.
client() {
	local rc=0
	lab_guest_run bench "zdispl-pattern --connector 0 --static --frames $2 ${3:-} \
		>/tmp/p.out 2>/tmp/p.err" 1200 >/dev/null || rc=$?
	lab_guest_run bench "cat /tmp/p.out /tmp/p.err" | lab_save "$1.out"
	lab_check "$1: $2 flips (rc $rc)" bash -c "[ $rc = 0 ] && grep -q '^frames=$2 ' '$RESULTS/$1.out'"
}

# measured TAG FRAMES: client, with the backend's CPU ticks, flips and
# octets copied over it: sets M_USER M_SYS M_FLIPS M_COPIED.
measured() {
	local t0 t1 f0 c0
	t0=$(ticks) f0=$(conn_field flips) c0=$(conn_field bytes-copied)
	client "$1" "$2"
	t1=$(ticks)
	M_USER=$((${t1% *} - ${t0% *})) M_SYS=$((${t1#* } - ${t0#* }))
	M_FLIPS=$(($(conn_field flips) - f0)) M_COPIED=$(($(conn_field bytes-copied) - c0))
}

# straced TAG FRAMES: client under strace -c -f on the backend; sets M_CALLS.
straced() {
	local spid
	strace -c -f -p "$BACK_PID" -o "$RESULTS/$1.strace" 2>"$RESULTS/$1.strace-err" &
	spid=$!
	lab_step "$1: strace attached" 30 lab_wait 30 "strace attached" \
		grep -q attached "$RESULTS/$1.strace-err"
	client "$1" "$2"
	kill -INT "$spid"
	wait "$spid" || true
	M_CALLS=$(awk '$NF == "total" { print $4 }' "$RESULTS/$1.strace")
	M_CALLS=${M_CALLS:-0}
}

per_flip_ms() { awk -v a="$1" -v b="$2" -v hz="$HZ" -v n="$N" 'BEGIN { printf "%.3f", (b - a) * 1000 / hz / n }'; }
per_flip() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN { printf "%.1f", (b - a) / n }'; }

# buffers_created TAG MODE WHAT: a client holds its buffers; their creation
# time and map calls, as the backend's status has them, go to create.csv.
buffers_created() {
	lab_guest_pattern bench --connector 0 --static --frames 2
	zdispl-status --raw | grep "^buffer device=$DEV " | lab_save "$1-buffers.raw"
	awk -v m="$2" -v w="$3" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		print m "," f["pages"] "," w "," f["create-us"] "," f["map-calls"]
	}' "$RESULTS/$1-buffers.raw" >>"$RESULTS/create.csv"
	lab_guest_pattern_stop bench
}

# raw_offer TAG ARGS: zdispl-bench-raw offer ARGS in the guest, until its
# port is published (its output in TAG-offer.out if not).
raw_offer() {
	lab_guest_run bench "echo 65536 >/sys/module/xen_gntalloc/parameters/limit;
		zdispl-bench-raw offer $2 --seconds 300 >/tmp/raw.out 2>&1 &" 10 >/dev/null
	if ! lab_wait 60 "$1 offered" \
		xenstore-read "/local/domain/$(lab_domid bench)/data/zdispl-bench/port"; then
		lab_guest_run bench "cat /tmp/raw.out" | lab_save "$1-offer.out"
		lab_step "$1: the guest offered (see $1-offer.out)" 1 false
	fi
}
raw_stop() { xenstore-write "/local/domain/$(lab_domid bench)/data/zdispl-bench/stop" 1; }

# raw_map MODE PAGES: the guest grants PAGES pages, dom0 maps them in one call.
raw_map() {
	local out
	raw_offer "raw-map-$1" "--pages $2"
	out=$(zdispl-bench-raw map --domid "$(lab_domid bench)" --rounds 20) ||
		lab_step "raw map of $2 pages" 1 false
	echo "$out" | lab_save "raw-map-$1.out"
	echo "$1,$2,raw-map,$(lab_field p50_us <(echo "$out") | cut -d. -f1),1" >>"$RESULTS/create.csv"
	raw_stop
}

echo "mode,path,flips,fps,user_ms,sys_ms,cpu_ms,syscalls,copied" >"$RESULTS/sweep.csv"
echo "mode,pages,what,create_us,map_calls" >"$RESULTS/create.csv"
echo "what,n,p50_us,p99_us,max_us,mean_us,back_cpu_us" >"$RESULTS/latency.csv"

# ---- Cost per flip against frame size ---------------------------------------
for mode in $MODES; do
	want sweep || break
	for path in copy zero-copy; do
		tag=$mode-$path
		if [ $path = copy ]; then zc=off; else zc=helper; fi
		# 4K be-alloc: two 33 MB buffers, over the default of 32 MiB
		lab_back_start --zcopy=$zc --drm "/dev/dri/$VKMS" --log-level info --max-be-alloc-mib 128
		guest_up "$(cfg "$mode" zdispl)"
		measured "$tag-short" "$SHORT"
		u0=$M_USER s0=$M_SYS c0=$M_COPIED
		measured "$tag-long" "$LONG"
		lab_check "$tag: the backend counted each flip ($M_FLIPS)" test "$M_FLIPS" = "$LONG"
		straced "$tag-strace-short" "$SHORT"
		k0=$M_CALLS
		straced "$tag-strace-long" "$LONG"
		cp "$RESULTS/$tag-strace-long.strace" "$RESULTS/syscalls-$tag.txt"
		echo "$mode,$path,$N,$(lab_field fps "$RESULTS/$tag-long.out"),$(per_flip_ms "$u0" "$M_USER")," \
			"$(per_flip_ms "$s0" "$M_SYS"),$(per_flip_ms $((u0 + s0)) $((M_USER + M_SYS)))," \
			"$(per_flip "$k0" "$M_CALLS"),$(per_flip "$c0" "$M_COPIED" | cut -d. -f1)" |
			tr -d ' ' >>"$RESULTS/sweep.csv"
		buffers_created "$tag" "$mode" "fe-alloc-$path"
		if [ $path = zero-copy ] && [ "$mode" = 1920x1080 -o "$mode" = 3840x2160 ]; then
			raw_map "$mode" "$(lab_field pages "$RESULTS/$tag-buffers.raw")"
		fi
		lab_guest_destroy bench
		if [ $path = zero-copy ] && [ "$mode" = 1920x1080 -o "$mode" = 3840x2160 ]; then
			guest_up "$(cfg "$mode" zdispl 1)"
			buffers_created "$mode-be-alloc" "$mode" "be-alloc-zero-copy"
			lab_guest_destroy bench
		fi
		lab_back_stop
	done
done
cat "$RESULTS/sweep.csv" "$RESULTS/create.csv" >&2

# ---- Flip round trip against a raw event-channel round trip ----------------
# latency TAG CPU_TICKS: the round trips of TAG.out's client, and the
# backend's CPU time per flip over its run, into latency.csv.
latency() {
	local l
	l=$(grep '^latency ' "$RESULTS/$1.out")
	echo "$1,$(lab_field flips <(echo "$l")),$(lab_field p50_us <(echo "$l")),$(lab_field p99_us <(echo "$l")),$(lab_field max_us <(echo "$l")),$(lab_field mean_us <(echo "$l")),$(awk -v t="$2" -v hz="$HZ" -v n="$PINGS" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')" \
		>>"$RESULTS/latency.csv"
}
for display in headless vkms; do
	want latency || break
	back_on $display
	for front in zdispl linux; do
		guest_up "$(cfg 640x480 "$front")"
		t0=$(ticks)
		client "flip-$display-$front" "$PINGS"
		t1=$(ticks)
		latency "flip-$display-$front" $((${t1% *} + ${t1#* } - ${t0% *} - ${t0#* }))
		if [ $display = headless ] && [ $front = zdispl ]; then
			raw_offer raw-ping ""
			out=$(zdispl-bench-raw ping --domid "$(lab_domid bench)" --rounds "$PINGS") ||
				lab_step "raw event-channel ping" 1 false
			echo "$out" | lab_save raw-ping.out
			echo "evtchn-raw,$(lab_field rounds <(echo "$out")),$(lab_field p50_us <(echo "$out")),$(lab_field p99_us <(echo "$out")),$(lab_field max_us <(echo "$out")),$(lab_field mean_us <(echo "$out"))," \
				>>"$RESULTS/latency.csv"
			raw_stop
		fi
		lab_guest_destroy bench
	done
	lab_back_stop
done
cat "$RESULTS/latency.csv" >&2

# ---- Steady state ------------------------------------------------------------
echo "front,t_s,flips,rss_kib,fds" >"$RESULTS/steady-samples.csv"
echo "front,flips,fps,guest_cpu_ms,back_cpu_ms,rss_first_kib,rss_last_kib,rss_max_kib,fds_first,fds_last,fds_max" \
	>"$RESULTS/steady.csv"
sample() {
	local t0
	t0=$(date +%s)
	while :; do
		zdispl-status --raw >/run/bench-sample 2>/dev/null || { sleep 2; continue; }
		echo "$1,$(($(date +%s) - t0)),$(grep "^conn name=$DEV/0 " /run/bench-sample | grep -o '\<flips=[0-9]*' | cut -d= -f2),$(lab_field rss-kib /run/bench-sample),$(lab_field fds /run/bench-sample)" \
			>>"$RESULTS/steady-samples.csv"
		sleep 2
	done
}
dom_cpu() { xl list bench | awk 'NR == 2 { print $6 }'; }
if want steady; then lab_back_start --drm "/dev/dri/$VKMS" --log-level info; fi
for front in zdispl linux; do
	want steady || break
	guest_up "$(cfg 640x480 "$front")"
	sample "$front" &
	spid=$!
	g0=$(dom_cpu) t0=$(ticks)
	client "steady-$front" "$STEADY"
	g1=$(dom_cpu) t1=$(ticks)
	kill "$spid"
	wait "$spid" 2>/dev/null || true
	awk -F, -v f="$front" -v n="$STEADY" -v fps="$(lab_field fps "$RESULTS/steady-$front.out")" \
		-v g="$(awk -v a="$g0" -v b="$g1" 'BEGIN { print b - a }')" \
		-v b="$(( ${t1% *} + ${t1#* } - ${t0% *} - ${t0#* } ))" -v hz="$HZ" '
		$1 == f && $4 != "" {
			if (!c++) { r0 = $4; d0 = $5 }
			r1 = $4; d1 = $5; if ($4 > rm) rm = $4; if ($5 > dm) dm = $5
		}
		END { printf "%s,%d,%s,%.3f,%.3f,%d,%d,%d,%d,%d,%d\n", f, n, fps, g * 1000 / n,
			b * 1000 / hz / n, r0, r1, rm, d0, d1, dm }' "$RESULTS/steady-samples.csv" \
		>>"$RESULTS/steady.csv"
	lab_guest_destroy bench
done
if want steady; then lab_back_stop; fi
cat "$RESULTS/steady.csv" >&2

# ---- Where the backend's time per flip goes ---------------------------------
# perf samples zdispl-back (cpu-clock, with call chains) while the guest
# flips LONG frames at 1920x1080, zero-copy on vkms and headless; the
# reports go to profile-*.txt.
profile() {
	local ppid
	rm -f "/run/perf-$1.data"
	perf record -q -e cpu-clock -F 2000 -g -p "$BACK_PID" -o "/run/perf-$1.data" \
		>"$RESULTS/profile-$1.err" 2>&1 &
	ppid=$!
	# perf writes its file's header once it has attached (seconds under TCG).
	lab_step "profile-$1: perf attached" 60 lab_wait 60 "perf attached" \
		test -s "/run/perf-$1.data"
	client "profile-$1" "$LONG"
	kill -INT "$ppid"
	wait "$ppid" || true
	perf report -q -i "/run/perf-$1.data" --stdio --no-children --sort dso \
		>"$RESULTS/profile-$1-dso.txt" 2>>"$RESULTS/profile-$1.err" || true
	perf report -q -i "/run/perf-$1.data" --stdio --no-children --sort dso,sym -g none \
		--percent-limit 0.5 >"$RESULTS/profile-$1.txt" 2>>"$RESULTS/profile-$1.err" || true
}
for display in vkms headless; do
	want profile || break
	back_on $display
	guest_up "$(cfg 1920x1080 zdispl)"
	profile "$display"
	lab_guest_destroy bench
	lab_back_stop
done

# ---- Scale ---------------------------------------------------------------------
# SCALE guests (1 2 4) flip at once, each on a connector of its own. The
# lab's vkms has one output, so the backend runs with no display: this is
# the protocol path (rings, event channels, the loop) as guests are added;
# a KMS commit costs the same per output whatever the number of guests.
# The window measured starts once every guest's flips are counted and ends
# when the first guest is 80% through: all of them flip inside it.
scale_cfg() {
	local base=/run/bench-scale-$1.cfg
	sed -e "s/@RES@/640x480/" -e "s/^name = .*/name = \"$1\"/" -e "s/^memory = .*/memory = 192/" \
		guest.cfg >"$base"
	lab_front_cfg "$base" zdispl lab.zfront=fbdev=0
}
# all_flips: "DEV=FLIPS ..." of every device's connector 0.
all_flips() {
	zdispl-status --raw | sed -n 's|^conn name=\(dom[0-9]*/vdispl/0\)/0 .* flips=\([0-9]*\) .*|\1=\2|p' | tr '\n' ' '
}
# flips_of DEV SNAPSHOT
flips_of() { echo "$2" | tr ' ' '\n' | sed -n "s|^$1=||p"; }
# all_moved N BASE: every one of the N devices flipped since BASE.
all_moved() {
	local now d k=0
	now=$(all_flips)
	for d in $DEVS; do
		[ "$(flips_of "$d" "$now")" -gt "$(flips_of "$d" "$1")" ] && k=$((k + 1))
	done
	[ "$k" = "$(echo $DEVS | wc -w)" ]
}
# one_near BASE: some device is 80% through SCALE_FRAMES since BASE.
one_near() {
	local now d
	now=$(all_flips)
	for d in $DEVS; do
		[ $(($(flips_of "$d" "$now") - $(flips_of "$d" "$1"))) -ge $((SCALE_FRAMES * 8 / 10)) ] &&
			return 0
	done
	return 1
}
scale_done() { lab_guest_run "$1" "grep -q '^frames=' /tmp/s.out || ! kill -0 \$(cat /tmp/s.pid)" 10 >/dev/null; }
if want scale; then
	echo "guests,flips,back_cpu_us,fps_min,fps_mean,fps_max" >"$RESULTS/scale.csv"
	lab_back_start --no-display --log-level info
	up=0 DEVS=""
	for n in $SCALE; do
		while [ $up -lt "$n" ]; do
			up=$((up + 1))
			lab_guest_create "$(scale_cfg "scale$up")"
			lab_step "scale$up: backend Connected" 60 lab_wait 60 "scale$up connected" \
				grep -q "dom$(lab_domid "scale$up")/vdispl/0: InitWait -> Connected" "$BACK_LOG"
			DEVS="$DEVS dom$(lab_domid "scale$up")/vdispl/0"
		done
		base=$(all_flips)
		for i in $(seq 1 "$n"); do
			lab_guest_run "scale$i" "zdispl-pattern --connector 0 --static --frames $SCALE_FRAMES \
				>/tmp/s.out 2>&1 & echo \$! >/tmp/s.pid" 10 >/dev/null
		done
		lab_step "scale-$n: every guest flips" 120 lab_wait 120 "all flipping" all_moved "$base"
		t0=$(date +%s.%N) k0=$(ticks) f0=$(all_flips)
		# Once a second: each look is a status request the daemon serves.
		end=$(($(date +%s) + 600))
		until one_near "$base"; do
			[ "$(date +%s)" -lt $end ] || lab_step "scale-$n: a guest 80% through" 1 false
			sleep 1
		done
		t1=$(date +%s.%N) k1=$(ticks) f1=$(all_flips)
		for i in $(seq 1 "$n"); do
			lab_step "scale-$n: scale$i's client ended" 600 lab_wait 600 "scale$i done" scale_done "scale$i"
			lab_guest_run "scale$i" "cat /tmp/s.out" | lab_save "scale-$n-scale$i.out"
			lab_check "scale-$n: scale$i flipped $SCALE_FRAMES" grep -q "^frames=$SCALE_FRAMES " \
				"$RESULTS/scale-$n-scale$i.out"
		done
		rates="" total=0
		for d in $DEVS; do
			df=$(($(flips_of "$d" "$f1") - $(flips_of "$d" "$f0")))
			total=$((total + df))
			rates="$rates $(awk -v f="$df" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", f / (b - a) }')"
		done
		echo "$n,$total,$(awk -v t=$((${k1% *} + ${k1#* } - ${k0% *} - ${k0#* })) -v hz="$HZ" -v n="$total" \
			'BEGIN { printf "%.0f", t * 1e6 / hz / n }'),$(echo "$rates" | tr ' ' '\n' | awk 'NF {
				s += $1; c++; if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
				END { printf "%s,%.1f,%s", min, s / c, max }')" >>"$RESULTS/scale.csv"
	done
	for i in $(seq 1 "$up"); do lab_guest_destroy "scale$i"; done
	lab_back_stop
	cat "$RESULTS/scale.csv" >&2
fi
