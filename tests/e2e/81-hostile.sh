#!/bin/sh
# Regex-hostile mail against every rule pack: long runs of exactly what the
# patterns look for ("we will pay " 50000 times, in each language), deep
# parentheses, a megabyte of spaces, a megabyte of one word.  Each message
# must come out unchanged with exit 0 within a bounded time; the time of
# each is printed (as TAP comments) and the worst case is the last line, so
# that the lead can report it.  The bound is DUNMAIL_HOSTILE_MS (5000 ms;
# valgrind runs raise it).
. "$(dirname "$0")/lib.sh"

limit=${DUNMAIL_HOSTILE_MS:-5000}
# A user's pack with a pattern that scans a run of digits from each of its
# bytes: the engine, not the pack's author, keeps that from costing minutes.
mkdir -p "$T/rules/en"
cat >"$T/rules/en/mine.rules" <<'RULES'
rule en.disputed.amount-instead
  class disputed
  pattern \d[\d.,]*\s*(?:\p{L}+\s+){0,2}?instead\s+of\s+\d
RULES
cat >"$T/config.ini" <<CONF
[identity]
name = Anna Kowalska
addresses = anna@studio.example
[rules]
directories = $T/rules
CONF
dm init >/dev/null
printf 'Subject: Re: INV-7\n\nYou billed 500 hours instead of 400.\n' | dm classify >"$T/user-rule"
expect_contains "the user's pack is in force" "en.disputed.amount-instead" "$(cat "$T/user-rule")"
dm client add "Acme" --email ap@acme.example >/dev/null
dm invoice add INV-7 --client Acme --amount 980 --currency EUR --issued 2026-11-01 --due 2026-11-15 \
	--message-id '<inv-7@studio.example>' >/dev/null

# hostile NAME COUNT TEXT: a reply in the invoice's thread whose body is TEXT
# repeated COUNT times (no line breaks: the patterns stop at none).
hostile() {
	f=$T/$1.eml
	printf 'From: ap@acme.example\nTo: anna@studio.example\nSubject: Re: Invoice INV-7\n' >"$f"
	printf 'Date: Thu, 19 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@acme.example>\n' "$1" >>"$f"
	printf 'In-Reply-To: <inv-7@studio.example>\nContent-Type: text/plain; charset=utf-8\n\n' >>"$f"
	$PY -c 'import sys; sys.stdout.write(sys.argv[2] * int(sys.argv[1]) + "\n")' "$2" "$3" >>"$f"
}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # not a slow version-manager shim

# One promise phrase per shipped language, repeated 50000 times.
hostile en-pay 50000 'we will pay '
hostile pl-pay 50000 'zapłacimy do '
hostile de-pay 50000 'wir werden zahlen bis '
hostile fr-pay 50000 'nous allons payer le '
hostile nl-pay 50000 'we zullen betalen op '
hostile es-pay 50000 'pagaremos el '
hostile ro-pay 50000 'vom plăti până la '
hostile bg-pay 50000 'ще платим до '
hostile en-dispute 50000 'we dispute the invoice because '
hostile en-date 50000 'on 12.11.2026 '
hostile en-away 50000 'I am out of the office until '
hostile parens 200000 '(('
hostile nested 50000 '([{<'
hostile spaces 1048576 ' '
hostile word 1048576 'a'
hostile dots 1048576 '.'
hostile digits 1048576 '1'
hostile newlines 1048576 '
'

worst=0 worst_name="" slow=""
for f in "$T"/*.eml; do
	name=$(basename "$f" .eml)
	start=$(date +%s%N)
	dm filter <"$f" >"$T/out" 2>"$T/err"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "# $name: $ms ms ($(wc -c <"$f") bytes)"
	if [ $rc -eq 0 ] && cmp -s "$f" "$T/out"; then
		ok "$name: delivered unchanged"
	else
		not_ok "$name: delivered unchanged" "exit $rc: $(head -c 300 "$T/err")"
	fi
	[ $ms -gt $worst ] && worst=$ms worst_name=$name
	[ $ms -gt "$limit" ] && slow="$slow $name(${ms}ms)"
done
echo "# worst case: $worst_name, $worst ms"
expect_eq "every hostile message within $limit ms" "" "$slow"
expect_eq "database intact" "ok" "$(sqlite3 "$T/dunmail.db" 'PRAGMA integrity_check')"
done_testing
