# shellcheck shell=bash
# lab.sh: helpers for lab scenarios, sourced in dom0 before a scenario's run.sh.
#
# A scenario is a directory tests/lab/scenarios/NAME/ with:
#   run.sh      dom0 script (bash), run from the scenario directory
#   guest.conf  optional: what the domU initramfs holds (see docs/lab.md)
#   *.cfg       optional: xl domain configs
#   host-check  optional: run on the host on the results directory
#
# Conventions: lab_step aborts the scenario when its command fails (later
# steps depend on it); lab_check records a failed assertion and goes on, so
# one run reports every broken assertion. Every wait has a timeout.
# Files written to $RESULTS come back to the host.

set -u
LAB_GUEST_SEQ_DIR=/run/lab-seq
mkdir -p "$LAB_GUEST_SEQ_DIR"
: >"$RESULTS/failures"
: >"$RESULTS/steps.txt"

lab_log() { echo "[$(date +%T)] $*" >&2; }

_lab_record() { printf '%s\t%s\n' "$1" "$2" >>"$RESULTS/steps.txt"; }

# lab_fail MSG: record a failure, go on.
lab_fail() {
	lab_log "FAIL: $*"
	echo "$*" >>"$RESULTS/failures"
}

# lab_step NAME TIMEOUT CMD...: run CMD with a timeout; abort the scenario on
# failure. A shell function as CMD must bound its own time (lab_wait does).
lab_step() {
	local name=$1 t=$2 rc=0
	shift 2
	lab_log "step: $name"
	if declare -F "$1" >/dev/null; then
		"$@" || rc=$?
	else
		timeout -k 5 "$t" "$@" || rc=$?
	fi
	if [ $rc != 0 ]; then
		[ $rc = 124 ] && name="$name (timed out after ${t}s)"
		_lab_record FAIL "$name"
		lab_fail "step '$name' failed (rc $rc)"
		exit 1
	fi
	_lab_record ok "$name"
}

# lab_check DESC CMD...: assert that CMD succeeds.
lab_check() {
	local desc=$1
	shift
	if "$@"; then
		lab_log "ok: $desc"
		_lab_record ok "$desc"
	else
		_lab_record FAIL "$desc"
		lab_fail "check '$desc'"
	fi
}

# lab_wait TIMEOUT DESC CMD...: poll CMD (every 0.2 s) until it succeeds.
lab_wait() {
	local t=$1 desc=$2 end
	shift 2
	end=$(($(date +%s%N) / 1000000 + t * 1000))
	until "$@" >/dev/null 2>&1; do
		if [ $(($(date +%s%N) / 1000000)) -ge $end ]; then
			lab_log "timed out after ${t}s waiting for: $desc"
			return 1
		fi
		sleep 0.2
	done
	lab_log "reached: $desc"
}

# lab_save FILE: stdin to $RESULTS/FILE.
lab_save() { mkdir -p "$(dirname "$RESULTS/$1")" && cat >"$RESULTS/$1"; }

lab_domid() { xl domid "$1" 2>/dev/null; }

# lab_xen_says ID: ", Xen: LINE" for the last line Xen logged about domain
# ID's end (a triple fault, a crash, a shutdown), else nothing.
lab_xen_says() {
	local l
	l=$(timeout 10 xl dmesg 2>/dev/null | grep -E "(d$1v[0-9]+|[Dd]omain $1|dom$1)[ :].*([Tt]riple|crash|shut)" | tail -n 1)
	[ -z "$l" ] || printf ', Xen: %s' "$l"
}

# lab_guest_create CFG [TIMEOUT]: xl create, then wait for the guest's agent.
lab_guest_create() {
	local cfg=$1 t=${2:-120} name
	name=$(sed -n 's/^ *name *= *"\([^"]*\)".*/\1/p' "$cfg")
	[ -n "$name" ] || { lab_fail "no name in $cfg"; return 1; }
	lab_step "xl create $cfg" 60 xl create "$cfg"
	lab_step "guest $name ready" "$t" lab_wait "$t" "agent of $name ready" \
		_lab_guest_is_ready "$name"
}

_lab_guest_is_ready() {
	local id
	id=$(lab_domid "$1") && [ "$(xenstore-read "/local/domain/$id/data/lab/ready" 2>/dev/null)" = 1 ]
}

# lab_guest_run NAME CMD [TIMEOUT]: run CMD with /bin/sh in guest NAME through
# its agent; prints the output (the last 2 KiB), returns CMD's exit status.
lab_guest_run() {
	local name=$1 cmd=$2 t=${3:-30} id base n rc
	id=$(lab_domid "$name") || { lab_log "no guest $name"; return 1; }
	base=/local/domain/$id/data/lab
	n=$(($(cat "$LAB_GUEST_SEQ_DIR/$id" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$LAB_GUEST_SEQ_DIR/$id"
	xenstore-write -R "$base/cmd/$n" "$t $cmd" || return 1
	if ! lab_wait $((t + 10)) "$name: $cmd" xenstore-read "$base/rc/$n"; then
		return 124
	fi
	xenstore-read -R "$base/out/$n"
	rc=$(xenstore-read "$base/rc/$n")
	return "$rc"
}

# lab_guest_file NAME FILE: print all of FILE in guest NAME (lab_guest_run
# returns the last 2 KiB of the output only), in 2000-octet pieces.
lab_guest_file() {
	local k=0 piece
	while :; do
		piece=$(lab_guest_run "$1" "dd if='$2' bs=2000 skip=$k count=1 2>/dev/null; echo ." 10) ||
			return 1
		piece=${piece%.}
		[ -n "$piece" ] || return 0
		printf '%s' "$piece"
		k=$((k + 1))
	done
}

# lab_guest_destroy NAME: xl destroy and wait until the domain is gone.
lab_guest_destroy() {
	lab_step "xl destroy $1" 60 xl destroy "$1"
	lab_step "guest $1 gone" 30 lab_wait 30 "$1 gone" _lab_guest_gone "$1"
}
_lab_guest_gone() { ! xl domid "$1" >/dev/null 2>&1; }

# Called after run.sh: the scenario fails if any check failed.
lab_finish() {
	if [ -s "$RESULTS/failures" ]; then
		lab_log "scenario failed: $(wc -l <"$RESULTS/failures") failure(s)"
		return 1
	fi
	lab_log "scenario passed"
}
