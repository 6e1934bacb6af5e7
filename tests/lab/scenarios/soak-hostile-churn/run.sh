# shellcheck shell=bash
# soak-hostile-churn (make soak): back-hostile's setup and checks
# (tests/lab/dom0/hostile.sh), with only the connect-and-drop load cases,
# state-flap and churn, each run SOAK_CYCLES / 10 times (10 by default)
# while the bystander flips; before each state-flap, node-flap, its
# reference: the same writes to a node no backend watches.
# In one of three back-hostile runs the lab machine hung around state-flap;
# this runs that load long enough to see it again, with the hang
# diagnostics of tests/lab/run.
n=$(((${SOAK_CYCLES:-100} + 9) / 10))
BACK_HOSTILE_LOAD=$(for i in $(seq 1 "$n"); do printf 'node-flap state-flap churn '; done)
. /lab/hostile.sh
