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
cores=$(getconf _NPROCESSORS_ONLN)
# timed_scan DB: one first scan of INBOX into DB; prints its rate, the ratio
# to the bare fetch, and where the CPU went: the scan's own user+system time
# against the whole machine's busy time meanwhile (the rest is Dovecot, TLS
# on its side and the system).  When the machine is saturated the server
# and dunmail share the cores, and the rate dunmail could sustain with the
# cores to itself (its CPU time spread over them) measures its processing.
timed_scan() {
	busy_before=$(machine_busy)
	start=$(now)
	/usr/bin/time -f "%U %S" -o "$T/scan.cpu" ./build/dunmail --config "$T/config" --db "$1" \
		scan --folder INBOX --format csv >"$T/scan.out" 2>"$T/scan.err" || {
		echo "bench-scan: dunmail scan failed:"
		cat "$T/scan.err"
		exit 1
	}
	end=$(now)
	busy_after=$(machine_busy)
	read -r user sys <"$T/scan.cpu"
	awk -v n="$n" -v u="$user" -v s="$sys" -v b0="$busy_before" -v b1="$busy_after" \
	    -v t0="$start" -v t1="$end" -v c="$cores" -v bare="$bare" 'BEGIN {
		a = t1 - t0; own = u + s; all = b1 - b0; rest = all - own
		printf "    %.0f msgs/s (%.1f s), ratio scan / bare fetch %.2f\n", n / a, a, (n / a) / bare
		printf "    CPU: dunmail %.1f s (%.0f us per message), server and rest %.1f s (%.0f us per message)\n", own, own / n * 1e6, rest, rest / n * 1e6
		printf "    machine busy: %.0f%% of %d cores\n", all / (a * c) * 100, c
		if (own > 0) printf "    dunmail processing capacity on %d cores: %.0f msgs/s (%.2f x the bare fetch)\n", c, n / (own / c), n / (own / c) / bare
		# To keep pace with the bare fetch, dunmail and the server share
		# c cores for 1/bare seconds per message.
		printf "    budget at the bare fetch rate: %.0f us of CPU per message on %d cores, %.0f us left for dunmail after the server\n", c / bare * 1e6, c, c / bare * 1e6 - rest / n * 1e6
	}'
	echo "    summary: $(tail -n 1 "$T/scan.out")"
}
dm() { ./build/dunmail --config "$T/config" --db "$T/dunmail.db" "$@"; }

# A store as a user's would be: the corpus senders are clients with the
# invoices their replies name, and 200 other clients bring the total to
# 2,000 invoices.  Every message of the INBOX then comes from a client:
# the store's heaviest path (matching, promises, disputes, events).
populated_csv() {
	echo "number,client,email,language,amount,currency,issued,due"
	for f in tests/mail/replies/*/*.eml; do
		lang=$(basename "$(dirname "$f")")
		from=$(sed -n 's/^From:.*<\([^>]*\)>.*/\1/p' "$f" | head -n 1)
		[ -n "$from" ] && [ "$from" != "emma@clarke-studio.example" ] || continue
		grep -aoE '[A-Z]{1,4}[-/][0-9]{4}[-/][0-9][0-9/]*[0-9]' "$f" | sort -u |
			while read -r number; do
				echo "$number,${from#*@},$from,$lang,\"1 000,00\",EUR,2026-09-01,2026-10-01"
			done
	done | awk -F, '!seen[$1]++'
} 
filler_csv() { # COUNT
	awk -v count="$1" 'BEGIN {
		for (i = 0; i < count; i++)
			printf "BENCH-2026-%05d,Client %03d,billing@client%03d.example,en,\"2 500,00\",EUR,2026-09-15,2026-10-15\n", i, i % 200, i % 200
	}'
}

echo "INBOX of $n messages ($(ls tests/mail/replies/*/*.eml | wc -l) corpus replies repeated), implicit TLS:"
echo "  bare fetch (openssl s_client, UID FETCH 1:*): $bare msgs/s"

dm init >/dev/null 2>&1
echo "  dunmail scan, empty store (no message concerns a client):"
timed_scan "$T/dunmail.db"
start=$(now)
dm scan --folder INBOX --format csv >/dev/null 2>&1
end=$(now)
echo "  dunmail scan again, nothing new: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms"

populated_csv >"$T/invoices.csv"
corpus=$(($(wc -l <"$T/invoices.csv") - 1))
filler_csv $((2000 - corpus)) >>"$T/invoices.csv"
./build/dunmail --config "$T/config" --db "$T/populated.db" init >/dev/null 2>&1
./build/dunmail --config "$T/config" --db "$T/populated.db" invoice import "$T/invoices.csv" \
	>/dev/null 2>"$T/import.err" || { echo "bench-scan: import failed:"; cat "$T/import.err"; exit 1; }
echo "  dunmail scan, store of 2,000 invoices ($corpus named by the corpus), every message from a client:"
timed_scan "$T/populated.db"
