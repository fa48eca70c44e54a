#!/bin/sh
# How fast `dunmail scan` reads a large INBOX: a private Dovecot
# (tests/dovecot/start.sh) gets MESSAGES messages (default 20000), copies of
# the reply corpus (tests/mail/replies) with unique Message-IDs, written as
# a Maildir before the first login so the setup costs seconds, not one
# doveadm process per message.  Then it times
#   - the bare fetch: one UID FETCH 1:* BODY.PEEK[] over implicit TLS with
#     openssl s_client, i.e. what the server and TLS cost without dunmail;
#   - the first `dunmail scan` (fetch, classify, match, store every message);
#   - a second scan with nothing new (the incremental path: SEARCH only);
# and prints messages per second, the ratio scan / bare fetch, and where
# the CPU went (dunmail's own time against the whole machine's).
#
# Usage: bench/bench-scan.sh [MESSAGES]   (run from anywhere; exits 77
# without Dovecot)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
n=${1:-20000}
PATH=$PATH:/usr/sbin:/sbin
if ! command -v dovecot >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
	echo "bench-scan: dovecot or openssl not installed; skipped"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/dunmail-bench-scan.XXXXXX")
# Dovecot's processes (user dovecot when run as root) must enter $T.
chmod 711 "$T"
D=$T/dovecot
trap 'sh "$top/tests/dovecot/stop.sh" "$D"; rm -rf "$T"' EXIT
ports=$(sh tests/dovecot/start.sh "$D" 2>"$T/start.err") || {
	echo "bench-scan: dovecot did not start:"
	cat "$T/start.err"
	exit 1
}
set -- $ports
port_tls=$2

# The Maildir, written in one awk process: message i is corpus file
# i mod N with its Message-ID replaced.
maildir=$D/mail/alice
mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
ls tests/mail/replies/*/*.eml | awk -v n="$n" -v dir="$maildir/cur" '
{ files[count++] = $0 }
END {
	for (f = 0; f < count; f++) {
		body[f] = ""
		while ((getline line < files[f]) > 0) body[f] = body[f] line "\n"
		close(files[f])
	}
	for (i = 0; i < n; i++) {
		text = body[i % count]
		sub(/\n[Mm][Ee][Ss][Ss][Aa][Gg][Ee]-[Ii][Dd]:[^\n]*\n/, "\nMessage-ID: <bench-" i "@bench.example>\n", text)
		out = sprintf("%s/%d.bench%06d.localhost:2,", dir, 1700000000 + i, i)
		printf "%s", text > out
		close(out)
	}
}'
[ "$(id -u)" -eq 0 ] && chown -R dovecot:dovecot "$maildir"

now() { date +%s.%N; }
# CPU seconds the whole machine spent busy (all cores, every process), from /proc/stat.
machine_busy() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { t = b - a; printf "%.0f", (t > 0 ? n / t : 0) }'; }

# Let Dovecot build its index first, so neither measurement pays for it.
printf 'a LOGIN alice secret\r\nb EXAMINE INBOX\r\nc LOGOUT\r\n' |
	timeout 600 openssl s_client -connect "127.0.0.1:$port_tls" -CAfile "$D/ca.pem" -quiet \
		-ign_eof >/dev/null 2>&1

start=$(now)
printf 'a LOGIN alice secret\r\nb EXAMINE INBOX\r\nc UID FETCH 1:* BODY.PEEK[]\r\nd LOGOUT\r\n' |
	timeout 600 openssl s_client -connect "127.0.0.1:$port_tls" -CAfile "$D/ca.pem" -quiet \
		-ign_eof 2>/dev/null | tail -n 3 >"$T/fetch.tail"
end=$(now)
grep -q '^c OK' "$T/fetch.tail" || { echo "bench-scan: bare fetch failed:"; cat "$T/fetch.tail"; exit 1; }
bare=$(rate "$n" "$start" "$end")

cat >"$T/config" <<CONF
[identity]
addresses = emma@clarke-studio.example

[imap]
host = 127.0.0.1
port = $port_tls
tls = implicit
user = alice
password_command = echo secret
ca_file = $D/ca.pem
CONF
dm() { ./build/dunmail --config "$T/config" --db "$T/dunmail.db" "$@"; }
dm init >/dev/null 2>&1
busy_before=$(machine_busy)
start=$(now)
/usr/bin/time -f "%U %S" -o "$T/scan.cpu" ./build/dunmail --config "$T/config" --db "$T/dunmail.db" \
	scan --folder INBOX --format csv >"$T/scan.out" 2>"$T/scan.err" || {
	echo "bench-scan: dunmail scan failed:"
	cat "$T/scan.err"
	exit 1
}
end=$(now)
busy_after=$(machine_busy)
scan_wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
scan=$(rate "$n" "$start" "$end")
scan_seconds=$(awk -v t="$scan_wall" "BEGIN { printf \"%.1f\", t }")
start=$(now)
dm scan --folder INBOX --format csv >/dev/null 2>&1
end=$(now)
again=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", (b - a) * 1000 }')

echo "INBOX of $n messages ($(ls tests/mail/replies/*/*.eml | wc -l) corpus replies repeated), implicit TLS:"
echo "  bare fetch (openssl s_client, UID FETCH 1:*): $bare msgs/s"
echo "  dunmail scan, first run:                     $scan msgs/s ($scan_seconds s)"
echo "  dunmail scan, nothing new:                   $again ms"
awk -v s="$scan" -v b="$bare" 'BEGIN { if (b > 0) printf "  ratio scan / bare fetch:                     %.2f\n", s / b }'
# Where the CPU went: the scan's own user+system time against the whole
# machine's busy time meanwhile (the rest is Dovecot, TLS on its side and
# the system).  When the machine is saturated, the server and dunmail
# share the cores, and the rate dunmail could sustain with the cores to
# itself (its CPU time spread over them) is the measure of its processing.
cores=$(getconf _NPROCESSORS_ONLN)
read -r user sys <"$T/scan.cpu"
awk -v n="$n" -v u="$user" -v s="$sys" -v b0="$busy_before" -v b1="$busy_after" \
    -v a="$scan_wall" -v c="$cores" -v bare="$bare" 'BEGIN {
	own = u + s; all = b1 - b0; rest = all - own
	printf "  CPU: dunmail %.1f s (%.0f us per message), server and rest %.1f s (%.0f us per message)\n", own, own / n * 1e6, rest, rest / n * 1e6
	printf "  machine busy during the scan: %.0f%% of %d cores\n", (a > 0 ? all / (a * c) * 100 : 0), c
	if (own > 0) printf "  dunmail processing capacity on %d cores: %.0f msgs/s (%.2f x the bare fetch)\n", c, n / (own / c), (bare > 0 ? n / (own / c) / bare : 0)
}'
echo "  summary: $(tail -n 1 "$T/scan.out")"
