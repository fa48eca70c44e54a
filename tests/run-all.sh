#!/bin/sh
# Runs every dunmail test and prints one closing line "N passed, N failed".
#
#   unit tests     build/tests/test-*        (cmocka, one program per module)
#   sanitized      build/san-tests/test-*    (the same under ASan + UBSan)
#   end to end     tests/e2e/*.sh            (TAP, running the real binary)
#
# A unit program counts once; an end-to-end script counts each "ok" line.
# Any sanitizer report makes the program exit non-zero and so fails the run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export DUNMAIL_SRCDIR="$top"
export DUNMAIL="$top/build/dunmail"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"
# GLib's slice allocator hides leaks from the sanitizers and valgrind.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
unit_only=no
[ "${1:-}" = "--unit-only" ] && unit_only=yes

passed=0 failed=0 skipped=0
failures=""
log=$(mktemp)

run_program() { # label program
	if "$2" >"$log" 2>&1; then
		passed=$((passed + 1))
		if grep -q '^\[  SKIPPED \]' "$log"; then
			skipped=$((skipped + $(grep -c '^\[  SKIPPED \]' "$log")))
		fi
		echo "ok - $1"
	else
		failed=$((failed + 1))
		failures="$failures $1"
		echo "not ok - $1"
		sed 's/^/    /' "$log" | tail -n 60
	fi
}

for t in build/tests/test-*; do
	[ -x "$t" ] || continue
	run_program "unit $(basename "$t")" "$t"
done
if [ $unit_only = no ]; then
	for t in build/san-tests/test-*; do
		[ -x "$t" ] || continue
		run_program "asan+ubsan $(basename "$t")" "$t"
	done
	for t in tests/e2e/[0-9]*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		start=$(date +%s)
		if sh "$t" >"$log" 2>&1; then status=0; else status=$?; fi
		ok=$(grep -c '^ok ' "$log")
		bad=$(grep -c '^not ok ' "$log")
		skip=$(grep -c '^ok .*# SKIP' "$log")
		passed=$((passed + ok))
		skipped=$((skipped + skip))
		failed=$((failed + bad))
		if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
			failed=$((failed + 1))
			bad=1
		fi
		echo "$name: $ok ok, $bad failed, $skip skipped ($(( $(date +%s) - start ))s)"
		if [ "$bad" -ne 0 ]; then
			failures="$failures $name"
			grep -v '^ok ' "$log" | sed 's/^/    /' | tail -n 80
		fi
	done
fi
rm -f "$log"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
