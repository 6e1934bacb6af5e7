# shellcheck shell=bash
# back-hostile: zdispl-back against a hostile userspace frontend in a guest,
# beside a bystander guest; the scenario is tests/lab/dom0/hostile.sh.
. /lab/hostile.sh
