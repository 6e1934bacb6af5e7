# shellcheck shell=bash
# zcopy-fallback: zero-copy where the display can import, the copy path
# where it cannot, chosen per buffer and output. The helper is loaded and
# zdispl-back drives vkms and bochs; bochs refuses PRIME imports. Each of
# the guest's buffers is imported into both outputs at FB_ATTACH:
#   bochs  (connector 1): the import is refused, the backend logs why and
#          copies the frames there: pixel-exact, bytes copied > 0, and the
#          status calls each buffer partly zero-copy, naming the refusal
#          and the output
#   vkms   (connector 0): the same buffers are shown zero-copy: pixel-exact
#          with 0 bytes copied on that connector

. /lab/display.sh

lab_step "modprobe vkms" 60 modprobe vkms
lab_step "modprobe bochs" 60 modprobe bochs
lab_step "modprobe zdispl_zcopy" 30 modprobe zdispl_zcopy
VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false
BOCHS=$(lab_drm_card bochs-drm) || lab_step "bochs card" 1 false
lab_back_start --drm "/dev/dri/$VKMS" --drm "/dev/dri/$BOCHS"
lab_check "backend chose the helper for zero-copy" grep -q "via the helper" "$BACK_LOG"

lab_guest_create guest.cfg
lab_step "fallback: backend Connected" 60 lab_wait 60 "fallback connected" \
	grep -q "dom$(lab_domid fallback)/vdispl/0: InitWait -> Connected" "$BACK_LOG"
DEV=dom$(lab_domid fallback)/vdispl/0

# round TAG IDX CARD: connector IDX shown on CARD, captured; status saved.
round() {
	local tag=$1 idx=$2 card=$3 last
	lab_guest_pattern fallback --connector "$idx" --frames 60
	cp "$RESULTS/fallback-pattern.out" "$RESULTS/$tag-pattern.out"
	last=$(lab_field last_frame "$RESULTS/$tag-pattern.out")
	lab_capture_check "$tag" "/dev/dri/$card" "$(lab_card_connector "$card")" "$last"
	zdispl-status >"$RESULTS/$tag-status.txt" 2>&1
	zdispl-status --raw >"$RESULTS/$tag-status.raw" 2>&1
	lab_guest_pattern_stop fallback
}

round bochs 1 "$BOCHS"
lab_check "bochs: connector 1 copied its frames" bash -c \
	"grep '^conn name=$DEV/1 ' '$RESULTS/bochs-status.raw' | grep -q 'bytes-copied=[1-9]'"
lab_check "bochs: every buffer is partly zero-copy: refused on bochs, and why" bash -c \
	"grep '^buffer device=$DEV ' '$RESULTS/bochs-status.raw' >/tmp/fb-bufs && [ -s /tmp/fb-bufs ] &&
	 ! grep -v -q 'path=partial why=\"display refused the import: .*(output $BOCHS:' /tmp/fb-bufs"
lab_check "bochs: the status tool says zero-copy is partial and why" \
	grep -q 'zero-copy: partial (display refused the import' "$RESULTS/bochs-status.txt"
lab_check "bochs: the backend logged the refusal" \
	grep -q "$DEV/1: fb .*display refused the import" "$BACK_LOG"

round vkms 0 "$VKMS"
lab_check "vkms: connector 0 showed its flips with 0 bytes copied" bash -c \
	"grep '^conn name=$DEV/0 ' '$RESULTS/vkms-status.raw' | grep -q 'flips=[1-9][0-9]* bytes-copied=0 '"

lab_guest_destroy fallback
lab_step "backend dropped the device" 30 lab_wait 30 "device gone from status" \
	bash -c "zdispl-status --raw | grep -q 'devices=0'"
lab_step "helper has nothing left" 30 lab_wait 30 "helper idle" lab_helper_idle
lab_back_stop
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
