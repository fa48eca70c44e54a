#!/bin/sh
# make bench: every benchmark, with the numbers printed for the issue notes.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export DUNMAIL_RULES_DIR="$top/rules"
echo "== classification (issue: rules and replies)"
./build/bench/bench-classify tests/mail/replies 10000
echo
echo "== one filter process per message (what procmail pays), mean of 50"
t=$(mktemp -d)
./build/dunmail --db "$t/db" init >/dev/null 2>&1 || true
msg=$(ls tests/mail/replies/en/*.eml | head -n 1)
start=$(date +%s%N)
i=0
while [ $i -lt 50 ]; do
	./build/dunmail --db "$t/db" filter --observe < "$msg" >/dev/null 2>&1
	i=$((i + 1))
done
end=$(date +%s%N)
echo "filter process: $(( (end - start) / 50 / 1000 )) us per message (start-up, classify, store)"
rm -rf "$t"
for b in build/bench/bench-imap*; do
	[ -x "$b" ] || continue
	echo
	echo "== $(basename "$b")"
	"$b"
done
echo; echo "== dunmail scan over IMAP (20,000 messages)"; sh bench/bench-scan.sh
