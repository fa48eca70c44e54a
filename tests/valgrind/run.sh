#!/bin/sh
# The whole suite under valgrind memcheck (make check-valgrind): every unit
# test program build/tests/test-* and every end-to-end script, with the
# dunmail binary run through memcheck.  Any memcheck error (invalid access,
# use of uninitialised memory, a definite leak) makes that run exit 99 and
# fails the suite; each report is kept in build/valgrind/ for reading.
#
# The end-to-end scripts call "$DUNMAIL" as one word, so DUNMAIL points to a
# small wrapper script that execs valgrind with the options below.
# Suppressions (tests/valgrind/dunmail.supp) cover only one-time allocations
# inside libraries, each with its reason.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
out=$top/build/valgrind
rm -rf "$out"
mkdir -p "$out"
vg="valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --suppressions=$top/tests/valgrind/dunmail.supp --num-callers=30"
# GLib's slice allocator would hide leaks; gc-friendly clears freed memory.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
export DUNMAIL_SRCDIR="$top"
# The fault tests skip address-space limits and shorten their kill loop.
export DUNMAIL_VALGRIND=1 DUNMAIL_HOSTILE_MS=120000

# The Sieve test runs dunmail as the dovecot user: it must reach the binary,
# the wrapper and the log directory.
chmod 1777 "$out"
wrapper=$out/dunmail
cat >"$wrapper" <<WRAP
#!/bin/sh
exec $vg --log-file=$out/dunmail.%p.log "$top/build/dunmail" "\$@"
WRAP
chmod 755 "$wrapper"
export DUNMAIL="$wrapper"

passed=0 failed=0 failures=""
for t in build/tests/test-*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	# Unit tests fork helpers (a second writer, a process that drops root)
	# that _exit with the parent's test data still allocated; their exits
	# are test machinery, so only the test process itself is judged here.
	# dunmail's own forked child is judged in the end-to-end runs below.
	if $vg --child-silent-after-fork=yes --log-file="$out/$name.log" "$t" >"$out/$name.out" 2>&1; then
		passed=$((passed + 1))
		echo "ok - unit $name"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "not ok - unit $name (see $out/$name.log)"
		grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|.*definitely lost)' "$out/$name.log" | head -n 10 | sed 's/^/    /'
	fi
done
for t in tests/e2e/[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	sh "$t" >"$out/$name.tap" 2>&1
	bad=$(grep -c '^not ok ' "$out/$name.tap")
	echo "$name: $(grep -c '^ok ' "$out/$name.tap") ok, $bad failed"
	[ "$bad" -eq 0 ] || failures="$failures $name"
	failed=$((failed + bad))
done
# A run of dunmail killed on purpose (the fault tests) leaves a log without
# a summary; only logs that report errors count.
reports=$(grep -l -E 'ERROR SUMMARY: [1-9]' "$out"/dunmail.*.log 2>/dev/null)
if [ -n "$reports" ]; then
	failed=$((failed + 1))
	failures="$failures memcheck"
	echo "not ok - memcheck errors in dunmail runs:"
	for r in $reports; do
		echo "    $r"
		grep -E '^==[0-9]+== +(at|by) .*\((cli|common|store|filter|imap|draft|policy)/' "$r" | head -n 3 | sed 's/^/      /'
	done
else
	echo "ok - no memcheck error in $(ls "$out"/dunmail.*.log 2>/dev/null | wc -l) dunmail runs"
fi
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed unit programs passed, $failed failed"
[ "$failed" -eq 0 ]
