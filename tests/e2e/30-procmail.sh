#!/bin/sh
# Real procmail delivery with the recipes from contrib/procmail: the copy
# recipe and the filter recipe, and mail still delivered when the
# database is locked or missing.
. "$(dirname "$0")/lib.sh"

if ! command -v procmail >/dev/null; then
	skip "procmail delivery" "procmail is not installed"
	done_testing
	exit 0
fi
cat > "$T/config.ini" <<CONF
[identity]
addresses = anna@studio.example
[store]
busy_timeout = 300
CONF
dm init >/dev/null
dm client add "Acme" --email ap@acme.example >/dev/null
dm invoice add INV-2026-0142 --client Acme --amount 980 --currency GBP --issued 2026-11-01 --due 2026-11-15 >/dev/null

# rcfile MODE: a procmailrc using contrib's recipe with this binary.
rcfile() {
	mkdir -p "$T/Maildir/new" "$T/Maildir/cur" "$T/Maildir/tmp"
	{
		echo "MAILDIR=$T/Maildir"
		echo "DEFAULT=$T/Maildir/"
		echo "LOGFILE=$T/procmail.log"
		echo "SHELL=/bin/sh"
		sed 's/^#//' "$SRC/contrib/procmail/procmailrc" | sed -n "/^:0 $1\$/,/^|/p" |
			sed "s#| dunmail #| $DUNMAIL --config $T/config.ini --db ${2:-$T/dunmail.db} #"
	} > "$T/rc"
}
message() { # ID BODY
	printf 'From: Tom <ap@acme.example>\nTo: anna@studio.example\nSubject: Re: Invoice INV-2026-0142\nDate: Thu, 19 Nov 2026 10:00:00 +0000\nMessage-ID: <%s@acme.example>\n\n%s\n' "$1" "$2"
}
delivered() { # ID: the file holding that message in the Maildir
	grep -l "Message-ID: <$1@acme.example>" "$T"/Maildir/new/* 2>/dev/null | head -n 1
}

rcfile "Wc"
message copy-1 "We paid the invoice yesterday." > "$T/m1"
procmail -m "$T/rc" < "$T/m1"
expect_eq "copy recipe: procmail exit 0" "0" "$?"
f=$(delivered copy-1)
[ -n "$f" ] && cmp -s "$f" "$T/m1" && ok "copy recipe: delivered unchanged" || not_ok "copy recipe: delivered unchanged"
expect_eq "copy recipe: stored" "paid" "$(sqlite3 "$T/dunmail.db" "SELECT class FROM messages WHERE message_id='copy-1@acme.example'")"
expect_contains "copy recipe: the invoice now says paid" '"status" : "paid"' "$(dm invoice list --format json)"

rcfile "fw"
message filter-1 "Thanks, we will look at it." > "$T/m2"
procmail -m "$T/rc" < "$T/m2"
f=$(delivered filter-1)
expect_contains "filter recipe: annotated" "X-Dunmail-Invoice: INV-2026-0142" "$(cat "$f" 2>/dev/null)"
expect_contains "filter recipe: the body kept" "Thanks, we will look at it." "$(cat "$f" 2>/dev/null)"

# A database locked longer than the busy timeout: delivered all the same.
python3 - "$T/dunmail.db" > "$T/lock.out" 2>&1 <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(4)
c.execute("ROLLBACK")
PY
locker=$!
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q locked "$T/lock.out" 2>/dev/null && break; sleep 0.2; done
rcfile "fw"
message locked-1 "Zahlung folgt." > "$T/m3"
procmail -m "$T/rc" < "$T/m3"
f=$(delivered locked-1)
[ -n "$f" ] && ok "locked database: delivered" || not_ok "locked database: delivered"
expect_contains "locked database: marked unprocessed" "X-Dunmail-Class: unprocessed" "$(cat "$f" 2>/dev/null)"
expect_contains "locked database: the cause is in the log" "locked" "$(cat "$T/procmail.log")"
wait $locker

# A missing database.
rcfile "Wc" "$T/missing/dunmail.db"
message missing-1 "Hello" > "$T/m4"
procmail -m "$T/rc" < "$T/m4"
f=$(delivered missing-1)
[ -n "$f" ] && cmp -s "$f" "$T/m4" && ok "missing database: delivered unchanged" || not_ok "missing database: delivered unchanged"
done_testing
