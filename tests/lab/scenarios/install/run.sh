# shellcheck shell=bash
# install: the README's "Installing on a Xen host", step by step, in dom0.
#   package   apt-get installs zdispl-back from the .deb this tree builds
#             (make deb): its files, its conffile, its unit enabled
#   config    a bad line in /etc/zdispl/zdispl.conf is refused naming its
#             line, by --check-config and by the unit's start; a good one
#             (log-level = debug) is what the daemon then runs with
#   unit      systemd-journald runs (dom0's PID 1 is the lab's, not
#             systemd: zdispl-lab-unit starts the service from the
#             installed unit file as systemd does: its condition, its
#             ExecStartPre loading the modules, Type=notify, the journal
#             stream); the daemon reports READY=1 and logs to the journal,
#             each device's lines with ZDISPL_DOMID and ZDISPL_DEVICE
#   zdisplctl a PV guest with our frontend (fbdev off: the client's buffers
#             are the device's only ones) runs zdispl-pattern; the
#             installed zdisplctl's status, buffers, stats --json and
#             capture are checked against what the guest did: its device
#             Connected on vkms's connector, its 2 buffers zero-copy, as
#             many flips as it made, and the capture's PNG pixel-exact
#   stop      SIGTERM as systemctl stop sends it: STOPPING=1, exit 0
#   remove    apt-get remove leaves the changed conffile, purge removes it
# The zero-copy helper comes from this run's build (DKMS builds the same
# sources on the host: tests/modules/run); the unit's ExecStartPre loads it.

. /lab/display.sh

UNIT=/lib/systemd/system/zdispl-back.service
CONF=/etc/zdispl/zdispl.conf
CTL=/usr/sbin/zdisplctl
UNIT_OUT=$RESULTS/unit.out
deb=$(ls /lab/debs/zdispl-back_*.deb)

# journal_has MATCH PATTERN: an entry of the journal that MATCH selects
# (FIELD=VALUE, or "" for all) has PATTERN in its message.
journal_has() {
	# shellcheck disable=SC2086
	journalctl -q -o cat $1 2>/dev/null | grep -q -- "$2"
}

# --- the package ---------------------------------------------------------
# apt_get ARGS...: apt-get as a package's user runs it, its output in apt.log.
apt_get() {
	echo "# apt-get $*" >>"$RESULTS/apt.log"
	timeout -k 5 300 env DEBIAN_FRONTEND=noninteractive apt-get -y "$@" >>"$RESULTS/apt.log" 2>&1
}

lab_step "apt-get install ${deb##*/}" 180 apt_get install --no-install-recommends "$deb"
lab_check "package: zdispl-back is installed" \
	bash -c "[ \"\$(dpkg-query -W -f='\${Status}' zdispl-back)\" = 'install ok installed' ]"
for f in /usr/sbin/zdispl-back $CTL $UNIT $CONF; do
	lab_check "package: $f is there" test -e "$f"
done
# (The lab's dom0 image excludes /usr/share/man from what dpkg unpacks.)
lab_check "package: it holds the man pages" \
	grep -q '^/usr/share/man/man8/zdisplctl.8.gz$' <(dpkg -L zdispl-back)
lab_check "package: the config file is a conffile" grep -qx " $CONF [0-9a-f]*" \
	<(dpkg-query -W -f='${Conffiles}\n' zdispl-back)
lab_check "package: the unit is enabled (multi-user.target wants it)" \
	test -L /etc/systemd/system/multi-user.target.wants/zdispl-back.service

# --- the journal -----------------------------------------------------------
# journald wants a machine id and the cgroup2 hierarchy, as systemd gives it.
[ -s /etc/machine-id ] || systemd-machine-id-setup >/dev/null 2>&1
CGROUP_MOUNTED=0
mountpoint -q /sys/fs/cgroup || { mount -t cgroup2 cgroup2 /sys/fs/cgroup && CGROUP_MOUNTED=1; }
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald >"$RESULTS/journald.log" 2>&1 &
JOURNALD=$!
journal_takes() { echo probe | systemd-cat -t zdispl-lab && journal_has SYSLOG_IDENTIFIER=zdispl-lab probe; }
lab_step "systemd-journald takes entries" 60 lab_wait 60 "journald" journal_takes

# --- the config file ---------------------------------------------------------
cp "$CONF" /run/zdispl.conf.orig
echo "max-bufers = 8" >>"$CONF"
bad=$(wc -l <"$CONF")
rc=0
/usr/sbin/zdispl-back --check-config >"$RESULTS/check-config-bad.out" 2>&1 || rc=$?
lab_check "config: --check-config refuses line $bad, exit 2 (got $rc)" bash -c \
	"[ $rc = 2 ] && grep -q '^$CONF:$bad: unknown option .max-bufers.' '$RESULTS/check-config-bad.out'"
rc=0
timeout 120 zdispl-lab-unit -j -t 60 "$UNIT" >"$RESULTS/unit-bad.out" 2>&1 || rc=$?
lab_check "config: the unit does not start with it (got $rc: $(tail -n 1 "$RESULTS/unit-bad.out"))" \
	bash -c "[ $rc = 1 ] && grep -qx 'exited status=2' '$RESULTS/unit-bad.out' &&
		! grep -q '^ready' '$RESULTS/unit-bad.out'"
lab_check "config: the journal has the line it refused" \
	journal_has SYSLOG_IDENTIFIER=zdispl-back "^$CONF:$bad: unknown option"
cp /run/zdispl.conf.orig "$CONF"
echo "log-level = debug" >>"$CONF"
/usr/sbin/zdispl-back --check-config >"$RESULTS/check-config.out" 2>&1
lab_check "config: --check-config takes the good file" grep -qx "log-level = debug" \
	"$RESULTS/check-config.out"

# --- the service, as its unit runs it ------------------------------------
lab_step "modprobe vkms" 60 modprobe vkms
VKMS=$(lab_vkms_card) || lab_step "vkms card" 1 false
CONN=$(lab_card_connector "$VKMS")
zdispl-lab-unit -j "$UNIT" >"$UNIT_OUT" 2>&1 &
UNIT_PID=$!
lab_step "zdispl-back.service: READY=1" 90 lab_wait 90 "unit ready" grep -q '^ready pid=' "$UNIT_OUT"
BACK_PID=$(sed -n 's/^ready pid=//p' "$UNIT_OUT")
lab_check "unit: its condition held and ExecStartPre loaded the modules" bash -c \
	"grep -q '^pre -/sbin/modprobe .* status=0$' '$UNIT_OUT' && grep -q '^zdispl_zcopy ' /proc/modules"
lab_check "unit: the daemon is the installed one" \
	test "$(readlink "/proc/$BACK_PID/exe")" = /usr/sbin/zdispl-back
lab_check "journal: the daemon says it uses the helper" \
	journal_has SYSLOG_IDENTIFIER=zdispl-back "zero-copy: via the helper"

# --- a guest, and what zdisplctl says of it ----------------------------------
lab_guest_create "$(lab_front_cfg guest.cfg zdispl lab.zfront=fbdev=0)"
domid=$(lab_domid inst)
DEV=dom$domid/vdispl/0
lab_step "journal: $DEV Connected" 60 lab_wait 60 "$DEV connected" \
	journal_has "ZDISPL_DOMID=$domid" "^$DEV: InitWait -> Connected"
lab_guest_pattern inst --connector 0 --frames 60
frames=$(lab_field frames "$RESULTS/inst-pattern.out")
last=$(lab_field last_frame "$RESULTS/inst-pattern.out")

$CTL status >"$RESULTS/ctl-status.txt" 2>&1
lab_check "zdisplctl status: $DEV Connected" grep -q "^$DEV  Connected (frontend Connected)" \
	"$RESULTS/ctl-status.txt"
lab_check "zdisplctl status: its connector 640x480 on $CONN, on" \
	grep -qx "  connector 0  640x480 -> $CONN  on" "$RESULTS/ctl-status.txt"
$CTL buffers >"$RESULTS/ctl-buffers.txt" 2>&1
$CTL --json buffers >"$RESULTS/ctl-buffers.json" 2>&1
lab_check "zdisplctl buffers: the client's 2 buffers, each zero-copy on" bash -c \
	"[ \$(grep -c '^$DEV ' '$RESULTS/ctl-buffers.txt') = 2 ] &&
	 [ \$(grep '^$DEV ' '$RESULTS/ctl-buffers.txt' | grep -c '  on (') = 2 ]"
lab_check "zdisplctl --json buffers: 2 buffers, both zero-copy" bash -c \
	"[ \$(grep -o '\"path\": \"[a-z-]*\"' '$RESULTS/ctl-buffers.json' | wc -l) = 2 ] &&
	 [ \$(grep -o '\"path\": \"zero-copy\"' '$RESULTS/ctl-buffers.json' | wc -l) = 2 ]"
$CTL --json stats -i 0.5 >"$RESULTS/ctl-stats.json" 2>&1
conn=$RESULTS/ctl-stats-conn.json
grep -o "{\"name\": \"$DEV/0\"[^}]*}" "$RESULTS/ctl-stats.json" >"$conn"
lab_check "zdisplctl stats --json: $frames flips, as the client made" \
	grep -q "\"flips\": $frames[,}]" "$conn"
lab_check "zdisplctl stats --json: 0 bytes copied, 0 errors, no event dropped" bash -c \
	"grep -q '\"bytes-copied\": 0[,}]' '$conn' && grep -q '\"errors\": 0[,}]' '$conn' &&
	 grep -q '\"events-dropped\": 0[,}]' '$conn'"

rc=0
$CTL capture "$DEV/0" "$RESULTS/ctl-capture.png" >"$RESULTS/ctl-capture.out" 2>&1 || rc=$?
lab_check "zdisplctl capture $DEV/0: saved (rc $rc)" test "$rc" = 0
rc=0
zdispl-capture --input "$RESULTS/ctl-capture.png" --verify-pattern "$last" \
	>"$RESULTS/ctl-capture-check.out" 2>&1 || rc=$?
lab_check "zdisplctl capture: the PNG is frame $last, pixel-exact (rc $rc)" bash -c \
	"[ $rc = 0 ] && grep -q '^match=yes frame=$last ' '$RESULTS/ctl-capture-check.out'"
rc=0
zdispl-capture --input "$RESULTS/ctl-capture.png" --verify-pattern $((last - 1)) \
	>"$RESULTS/ctl-capture-wrong.out" 2>&1 || rc=$?
lab_check "zdisplctl capture: and not frame $((last - 1)) (rc $rc = 1)" test "$rc" = 1
rc=0
$CTL capture "$CONN" "$RESULTS/ctl-capture-by-output.png" >/dev/null 2>&1 || rc=$?
lab_check "zdisplctl capture by the output's name gives the same picture (rc $rc)" \
	cmp -s "$RESULTS/ctl-capture.png" "$RESULTS/ctl-capture-by-output.png"

# The journal's fields: this guest's lines by its domain, none by another's.
journalctl -q -o export "ZDISPL_DOMID=$domid" >"$RESULTS/journal-guest.export" 2>&1
lab_check "journal: entries of $DEV carry ZDISPL_DEVICE and ZDISPL_DEVID" bash -c \
	"grep -qx 'ZDISPL_DEVICE=$DEV' '$RESULTS/journal-guest.export' &&
	 grep -qx 'ZDISPL_DEVID=0' '$RESULTS/journal-guest.export'"
lab_check "journal: the connector's lines carry ZDISPL_CONNECTOR" \
	journal_has "ZDISPL_DOMID=$domid ZDISPL_CONNECTOR=0" "^$DEV/0: "
lab_check "journal: the config's debug level is in force" \
	journal_has "ZDISPL_DOMID=$domid PRIORITY=7" "^$DEV"
lab_check "journal: no entry for another domain" \
	bash -c "[ -z \"\$(journalctl -q -o cat ZDISPL_DOMID=$((domid + 1000)))\" ]"

lab_guest_pattern_stop inst
lab_guest_destroy inst
no_device() { $CTL status | grep -q '^zdispl-back: 0 device(s)'; }
lab_step "zdisplctl status: no device left" 30 lab_wait 30 "device gone" no_device
lab_step "helper: nothing exported or mapped is left" 30 lab_wait 30 "helper idle" lab_helper_idle

# --- stop, as systemctl stop does ----------------------------------------------
kill -TERM "$UNIT_PID"
lab_step "zdispl-back.service stops" 60 lab_wait 60 "unit stopped" grep -q '^exited ' "$UNIT_OUT"
wait "$UNIT_PID"
lab_check "unit: STOPPING=1, then exit status 0" bash -c \
	"grep -qx 'notify STOPPING=1' '$UNIT_OUT' && grep -qx 'exited status=0' '$UNIT_OUT'"
lab_check "journal: the daemon logged its shutdown" \
	journal_has SYSLOG_IDENTIFIER=zdispl-back "shutting down"
journalctl -q -o short-monotonic SYSLOG_IDENTIFIER=zdispl-back >"$RESULTS/journal-zdispl-back.txt" 2>&1

# --- remove, purge ------------------------------------------------------------------
lab_step "apt-get remove zdispl-back" 120 apt_get remove zdispl-back
lab_check "remove: the programs are gone, the changed config file stays" bash -c \
	"[ ! -e /usr/sbin/zdispl-back ] && [ ! -e $CTL ] && grep -qx 'log-level = debug' $CONF"
lab_step "apt-get purge zdispl-back" 120 apt_get purge zdispl-back
lab_check "purge: the config file and the unit's enablement are gone" bash -c \
	"[ ! -e $CONF ] && [ ! -L /etc/systemd/system/multi-user.target.wants/zdispl-back.service ]"

kill "$JOURNALD"
wait "$JOURNALD" 2>/dev/null
rm -rf /run/systemd/journal /run/log/journal
[ "$CGROUP_MOUNTED" = 0 ] || umount /sys/fs/cgroup
lab_check "dom0: no kernel warning" bash -c "! dmesg | grep -E -q 'WARNING:|BUG:|Oops'"
