#!/bin/sh
# Fuzz smoke test: every built libFuzzer target (build/fuzz/fuzz-*, from
# `make fuzz-build`) first replays its regression inputs
# (tests/fuzz/regressions/<target>/: each a crash once found), then fuzzes
# for FUZZ_SMOKE_SECONDS (default 20) from its checked-in seeds
# (tests/fuzz/seeds/<target>/), in a scratch corpus so the seeds stay as
# they are.  Two targets run at a time to keep the whole test near a
# minute and a half.  One TAP line per target; any crash, leak, undefined
# behaviour, timeout (10 s for one input) or out-of-memory fails it.
. "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
seconds=${FUZZ_SMOKE_SECONDS:-20}
# The same sanitizer settings and input limits as tests/fuzz/run.sh.
top=$SRC
. "$SRC/tests/fuzz/env.sh"

# smoke TARGET: writes $T/TARGET.log and $T/TARGET.status ("ok" or why not).
smoke() {
	t=$1 fuzzer=build/fuzz/$1 log=$T/$1.log
	mkdir -p "$T/corpus-$t" "$T/artifacts-$t"
	set -- "$SRC"/tests/fuzz/regressions/"$t"/*
	if [ -e "$1" ]; then
		if ! "$fuzzer" -timeout=10 -rss_limit_mb=2048 \
		    -artifact_prefix="$T/artifacts-$t/" "$@" >"$log" 2>&1; then
			echo "a regression input crashes again: $(grep 'Running: ' "$log" | tail -n 1)" >"$T/$t.status"
			return
		fi
	fi
	set --
	[ -d "tests/fuzz/seeds/$t" ] && set -- "tests/fuzz/seeds/$t"
	if "$fuzzer" -max_len="$(max_len_of "$t")" -timeout=10 -rss_limit_mb=2048 \
	    -max_total_time="$seconds" -artifact_prefix="$T/artifacts-$t/" \
	    "$T/corpus-$t" "$@" >>"$log" 2>&1 && ! grep -q 'runtime error:' "$log"; then
		echo ok >"$T/$t.status"
	else
		echo "found: $(grep -m1 -E 'ERROR:|runtime error:|SUMMARY:' "$log")" >"$T/$t.status"
	fi
}

targets=""
for f in build/fuzz/fuzz-*; do
	[ -x "$f" ] && targets="$targets ${f##*/}"
done
if [ -z "$targets" ]; then
	skip "fuzz smoke" "no fuzz targets built (make fuzz-build, needs clang)"
	done_testing
	exit
fi

pending=""
for t in $targets; do
	smoke "$t" &
	pending="$pending $t"
	set -- $pending
	if [ $# -ge 2 ]; then
		wait
		pending=""
	fi
done
wait

for t in $targets; do
	result=$(cat "$T/$t.status" 2>/dev/null || echo "no result")
	# Keep what was found: the scratch directory is removed at exit.
	if [ "$result" != ok ] && [ -n "$(ls "$T/artifacts-$t")" ]; then
		mkdir -p "build/fuzz-artifacts/$t"
		cp "$T/artifacts-$t"/* "build/fuzz-artifacts/$t/"
		result="$result (input kept in build/fuzz-artifacts/$t/)"
	fi
	if [ "$result" = ok ]; then
		ok "$t: regressions replayed, ${seconds}s from seeds without a finding"
	else
		not_ok "$t: $result" "$(grep -v '^#\|^INFO\|^	NEW_FUNC' "$T/$t.log" | head -n 40)"
	fi
done
done_testing
