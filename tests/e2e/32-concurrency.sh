#!/bin/sh
# Twenty deliveries at once on one database: every filter exits 0, every
# message comes out unchanged, and every message is stored.
. "$(dirname "$0")/lib.sh"

printf '[identity]\naddresses = anna@studio.example\n' > "$T/config.ini"
# Under valgrind every filter is dozens of times slower: wait longer for the lock.
[ -n "${DUNMAIL_VALGRIND:-}" ] && printf '[store]\nbusy_timeout = 120000\n' >> "$T/config.ini"
dm init >/dev/null
dm client add "Acme" --email ap@acme.example >/dev/null
dm invoice add INV-1 --client Acme --amount 980 --currency GBP --issued 2026-11-01 --due 2026-11-15 >/dev/null
n=20
i=1
while [ $i -le $n ]; do
	printf 'From: ap@acme.example\nTo: anna@studio.example\nSubject: Re: Invoice INV-1 (%d)\nDate: Thu, 19 Nov 2026 10:00:00 +0000\nMessage-ID: <par-%d@acme.example>\n\nWe will pay by Friday. (%d)\n' $i $i $i > "$T/in.$i"
	i=$((i + 1))
done
i=1
while [ $i -le $n ]; do
	( dm filter < "$T/in.$i" > "$T/out.$i" 2>"$T/err.$i"; echo $? > "$T/rc.$i" ) &
	i=$((i + 1))
done
wait
fails="" diffs=""
i=1
while [ $i -le $n ]; do
	[ "$(cat "$T/rc.$i")" = 0 ] || fails="$fails $i"
	cmp -s "$T/in.$i" "$T/out.$i" || diffs="$diffs $i"
	i=$((i + 1))
done
expect_eq "all $n filters exit 0" "" "$fails"
expect_eq "all $n messages passed through unchanged" "" "$diffs"
expect_eq "all $n messages stored" "$n" "$(sqlite3 "$T/dunmail.db" "SELECT count(*) FROM messages WHERE message_id LIKE 'par-%'")"
expect_eq "no filter logged an error" "" "$(cat "$T"/err.* | grep -v '^$' | head -n 3)"
expect_eq "database intact" "ok" "$(sqlite3 "$T/dunmail.db" 'PRAGMA integrity_check')"
done_testing
