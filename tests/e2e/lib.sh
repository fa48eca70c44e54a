# Helpers for the end-to-end tests: TAP output, a scratch directory, and a
# dunmail runner that pins the configuration and database into it.
# Source it: . "$(dirname "$0")/lib.sh"
set -u
: "${DUNMAIL:=$(cd "$(dirname "$0")/../.." && pwd)/build/dunmail}"
: "${DUNMAIL_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
SRC=$DUNMAIL_SRCDIR
T=$(mktemp -d "${TMPDIR:-/tmp}/dunmail-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$HOME"
tap_n=0
tap_failed=0

ok() { # description
	tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"
}
not_ok() { # description [detail]
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'
	return 0
}
skip() { # description reason
	tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"
}
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	d=$1; shift
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}
# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $3"; fi
}
# expect_contains DESCRIPTION NEEDLE HAYSTACK
expect_contains() {
	case "$3" in *"$2"*) ok "$1" ;; *) not_ok "$1" "missing: $2
in: $3" ;; esac
}
# expect_exit DESCRIPTION CODE COMMAND...: runs the command, compares the exit code.
expect_exit() {
	d=$1 want=$2; shift 2
	out=$("$@" 2>&1); got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else not_ok "$d" "exit $got, wanted $want: $out"; fi
	LAST_OUTPUT=$out
}
dm() { "$DUNMAIL" --config "$T/config.ini" --db "$T/dunmail.db" "$@"; }
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
# start_dovecot NAME [CLEANUP]: a private Dovecot in $D ($T/dovecot) for the
# rest of the script, its two ports (plain, TLS) in DOVECOT_PORTS.  Without
# Dovecot the script is skipped as NAME; when it does not start, the script
# fails.  CLEANUP (shell code) runs at exit, before Dovecot is stopped.
start_dovecot() {
	D=$T/dovecot
	# Dovecot's own processes (user dovecot when run as root) must enter $T.
	chmod 711 "$T"
	DOVECOT_PORTS=$(sh "$SRC/tests/dovecot/start.sh" "$D" 2>"$T/start.err")
	dovecot_rc=$?
	if [ $dovecot_rc -eq 77 ]; then
		skip "$1" "dovecot is not installed"
		done_testing
		exit 0
	fi
	trap "${2:-:}; sh \"\$SRC/tests/dovecot/stop.sh\" \"\$D\"; rm -rf \"\$T\"" EXIT
	if [ $dovecot_rc -ne 0 ]; then
		not_ok "dovecot starts" "$(cat "$T/start.err")"
		done_testing
		exit 1
	fi
}
