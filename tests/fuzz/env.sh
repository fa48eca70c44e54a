# Sourced by tests/fuzz/run.sh and tests/e2e/70-fuzz-smoke.sh with $top set
# to the project root: the sanitizer settings and input limits every fuzz
# run uses, so that a smoke run and a long run fuzz the same way.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
# GLib's slice allocator would hide leaks from LeakSanitizer.
export G_SLICE=always-malloc

# max_len in bytes: whole messages and reply texts get 64 KB (the date
# resolver reads no more), configuration and CSV a few KB.
max_len_of() {
	case $1 in
	fuzz-mime | fuzz-classify | fuzz-quote) echo 65536 ;;
	fuzz-rules) echo 16384 ;;
	fuzz-csv) echo 8192 ;;
	*) echo 4096 ;;
	esac
}
