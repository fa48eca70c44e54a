#!/bin/sh
# Runs every built libFuzzer target (build/fuzz/fuzz-*) for SECONDS each:
#
#   sh tests/fuzz/run.sh SECONDS          (make fuzz FUZZ_SECONDS=SECONDS)
#
# Corpora grow in build/fuzz-corpus/<target>/ and are kept between runs.
# Each run also reads, without writing to them, the checked-in seeds
# (tests/fuzz/seeds/<target>/), the regression inputs
# (tests/fuzz/regressions/<target>/), dunmail's own mail and quote cases,
# and ../shared/fixtures when it is there.  Crashes, leaks, UB, timeouts and
# out-of-memory inputs land in build/fuzz-artifacts/<target>/ and logs in
# build/fuzz-logs/<target>.log.  FUZZ_JOBS targets run at once (default:
# the number of CPUs).  The closing table gives per target the seconds
# run, executions, corpus size and findings; the exit status is non-zero
# when any target found something.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
seconds=${1:-600}
case $seconds in '' | *[!0-9]*) echo "usage: sh tests/fuzz/run.sh SECONDS" >&2; exit 64 ;; esac
jobs=${FUZZ_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
fixtures=$top/../shared/fixtures

. "$top/tests/fuzz/env.sh"

# Read-only seed directories for a target, those that exist.
seeds_of() {
	dirs="tests/fuzz/seeds/$1 tests/fuzz/regressions/$1"
	case $1 in
	fuzz-mime | fuzz-classify)
		dirs="$dirs tests/mail $fixtures/mimekit-messages $fixtures/sisimai-dsn-autoreply"
		dirs="$dirs $fixtures/talon-standard-replies" ;;
	fuzz-quote | fuzz-rules | fuzz-when)
		dirs="$dirs tests/quote $fixtures/crisp-email-reply-parser"
		dirs="$dirs $fixtures/github-email-reply-parser $fixtures/mail-parser-reply" ;;
	esac
	for d in $dirs; do [ -d "$d" ] && printf '%s ' "$d"; done
}

run_target() { # target
	t=$1
	corpus=build/fuzz-corpus/$t
	artifacts=build/fuzz-artifacts/$t
	mkdir -p "$corpus" "$artifacts" build/fuzz-logs
	# shellcheck disable=SC2046 # the seed list is split on purpose
	"build/fuzz/$t" -max_len="$(max_len_of "$t")" -timeout=10 -rss_limit_mb=2048 \
	    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
	    "$corpus" $(seeds_of "$t") >"build/fuzz-logs/$t.log" 2>&1
	echo $? >"build/fuzz-logs/$t.status"
}

targets=""
for f in build/fuzz/fuzz-*; do
	[ -x "$f" ] && targets="$targets $(basename "$f")"
done
if [ -z "$targets" ]; then
	echo "no fuzz targets built: run make fuzz-build" >&2
	exit 1
fi

echo "fuzzing$targets for ${seconds}s each, $jobs at a time"
running=0
for t in $targets; do
	run_target "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
printf '%-15s %8s %12s %8s %s\n' target seconds executions corpus findings
for t in $targets; do
	log=build/fuzz-logs/$t.log
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	corpus=$(find "build/fuzz-corpus/$t" -type f | wc -l)
	found=$(grep -o "Test unit written to .*" "$log" | sed 's/Test unit written to //' | tr '\n' ' ')
	if [ "$(cat "build/fuzz-logs/$t.status")" -ne 0 ] || [ -n "$found" ]; then
		status=1
		found="${found:-exit $(cat "build/fuzz-logs/$t.status"), see $log}"
	fi
	printf '%-15s %8s %12s %8s %s\n' "$t" "${took:-?}" "${runs:-?}" "$corpus" "${found:-none}"
done
exit $status
