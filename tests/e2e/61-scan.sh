#!/bin/sh
# dunmail scan against a private Dovecot: replies in INBOX and the user's
# own mail in Sent are recorded as the filter would; nothing is marked
# read; the next scan takes only new mail; a folder recreated under a new
# UIDVALIDITY is read again without duplicates; a dead server ends the scan
# with EX_TEMPFAIL and an intact database; the password rules ([imap]
# password only in a private file, password_command, never in output); and
# --idle picks up mail delivered while it waits and exits 0 on SIGTERM.
. "$(dirname "$0")/lib.sh"

idle_pid=
start_dovecot "scan" '[ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null'
set -- $DOVECOT_PORTS
PORT_TLS=$2

# write_config PORT [LINES...]: the [imap] section plus extra lines.
write_config() {
	port=$1
	shift
	{
		printf '[identity]\naddresses = anna@studio.example\n\n[imap]\n'
		printf 'host = 127.0.0.1\nport = %s\ntls = implicit\nuser = alice\n' "$port"
		printf 'ca_file = %s\ntimeout = 10\nfolders = Clients\nbatch = 2\n' "$D/ca.pem"
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$T/config.ini"
}
write_config "$PORT_TLS" "password_command = printf 'secret\\\\n'"
chmod 600 "$T/config.ini"
deliver() { sh "$SRC/tests/dovecot/deliver.sh" "$D" alice "$@"; }
q() { sqlite3 "$T/dunmail.db" "$1"; }

dm init >/dev/null
dm client add "Nowak" --email billing@nowak.example.pl >/dev/null
dm client add "Acme" --email ap@acme.example --domain acme.example --lang en >/dev/null
dm invoice add FV/2026/11/045 --client Nowak --amount 4800 --currency PLN --issued 2026-11-01 --due 2026-11-15 --message-id '<inv-045@studio.example>' >/dev/null
dm invoice add INV-2026-0142 --client Acme --amount 980 --currency GBP --issued 2026-11-01 --due 2026-11-15 >/dev/null

mail() { # FROM TO MESSAGE-ID DATE SUBJECT BODY [EXTRA-HEADER]
	printf 'From: %s\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s>\n%s\n\n%s\n' "$1" "$2" "$5" "$4" "$3" "${7:-X-Test: 1}" "$6"
}
mail billing@nowak.example.pl anna@studio.example r1@nowak.example.pl "Wed, 18 Nov 2026 09:12:00 +0100" "Re: Faktura" \
	"Dzień dobry, zapłacimy jutro. Pozdrawiam" "In-Reply-To: <inv-045@studio.example>" | deliver
mail ap@acme.example anna@studio.example d1@acme.example "Thu, 19 Nov 2026 10:00:00 +0000" "Re: Invoice INV-2026-0142" \
	"We dispute invoice INV-2026-0142: the amount is wrong, nobody agreed to the extra day." | deliver
mail "Anna <anna@studio.example>" billing@nowak.example.pl out-1@studio.example "Fri, 20 Nov 2026 10:00:00 +0100" "Re: FV/2026/11/045" \
	"Thank you!" "In-Reply-To: <r1@nowak.example.pl>" | deliver Sent
doveadm -c "$D/dovecot.conf" mailbox create -u alice Clients
mail ap@acme.example anna@studio.example c1@acme.example "Thu, 19 Nov 2026 11:00:00 +0000" "Hello" \
	"Just a note about the project." | deliver Clients

# The configuration check knows [imap].
check "config check accepts [imap]" dm config check
cp "$T/config.ini" "$T/good.ini"
sed 's/^tls = implicit$/tls = sometimes/' "$T/good.ini" >"$T/config.ini"
printf 'idle_restart = 40\n' >>"$T/config.ini"
expect_exit "config check refuses bad [imap] values" 78 dm config check
expect_contains "bad tls named with file:line" "config.ini:7: imap.tls" "$LAST_OUTPUT"
expect_contains "idle_restart range" "imap.idle_restart: 40 is out of range" "$LAST_OUTPUT"
cp "$T/good.ini" "$T/config.ini"

# First scan: everything recorded, nothing marked read.
expect_exit "first scan exits 0" 0 dm scan
out=$LAST_OUTPUT
expect_contains "summary names INBOX" "INBOX" "$out"
expect_eq "four messages stored" 4 "$(q "SELECT count(*) FROM messages")"
expect_eq "the promise is recorded" "promised|2026-11-19" \
	"$(q "SELECT status, promised_date FROM invoices WHERE number='FV/2026/11/045'")"
expect_eq "the dispute is recorded" "disputed" "$(q "SELECT status FROM invoices WHERE number='INV-2026-0142'")"
expect_eq "Sent mail is outgoing" "out|Sent" "$(q "SELECT direction, folder FROM messages WHERE message_id='out-1@studio.example'")"
expect_eq "the folder is the IMAP folder" "INBOX" "$(q "SELECT folder FROM messages WHERE message_id='r1@nowak.example.pl'")"
flags=$(doveadm -c "$D/dovecot.conf" fetch -u alice flags mailbox INBOX all 2>&1)
case "$flags" in
*Seen*) not_ok "fetched mail is not marked \\Seen" "$flags" ;;
*flags*) ok "fetched mail is not marked \\Seen" ;;
*) not_ok "fetched mail is not marked \\Seen" "doveadm said: $flags" ;;
esac
expect_eq "bookmarks for INBOX, Sent and Clients" 3 "$(q "SELECT count(*) FROM imap_folders")"

# Incremental: only the new message is processed.
events_old=$(q "SELECT count(*) FROM events e JOIN messages m ON m.id = e.message_row WHERE m.message_id IN ('r1@nowak.example.pl','d1@acme.example')")
if [ "$events_old" -ge 2 ]; then ok "events recorded for the replies"; else not_ok "events recorded for the replies" "$events_old"; fi
mail billing@nowak.example.pl anna@studio.example r2@nowak.example.pl "Sat, 21 Nov 2026 09:00:00 +0100" "Re: Faktura" \
	"Dzień dobry, przelew wyślemy w poniedziałek." "In-Reply-To: <inv-045@studio.example>" | deliver
expect_exit "second scan exits 0" 0 dm scan --format csv
expect_contains "only the new message fetched" "INBOX,3,1,1,0" "$LAST_OUTPUT"
expect_contains "nothing new in Sent" "Sent,1,0,0,0" "$LAST_OUTPUT"
expect_eq "five messages stored" 5 "$(q "SELECT count(*) FROM messages")"
expect_eq "old messages not re-processed" "$events_old" \
	"$(q "SELECT count(*) FROM events e JOIN messages m ON m.id = e.message_row WHERE m.message_id IN ('r1@nowak.example.pl','d1@acme.example')")"
expect_exit "a scan with nothing new" 0 dm scan --format csv
expect_contains "no new messages" "INBOX,3,0,0,0" "$LAST_OUTPUT"

# UIDVALIDITY change: the folder is deleted and recreated with the same mail.
validity_before=$(q "SELECT uidvalidity FROM imap_folders WHERE name='Clients'")
doveadm -c "$D/dovecot.conf" mailbox delete -u alice Clients
sleep 1 # Dovecot derives UIDVALIDITY from the clock
doveadm -c "$D/dovecot.conf" mailbox create -u alice Clients
mail ap@acme.example anna@studio.example c1@acme.example "Thu, 19 Nov 2026 11:00:00 +0000" "Hello" \
	"Just a note about the project." | deliver Clients
mail ap@acme.example anna@studio.example c2@acme.example "Thu, 19 Nov 2026 12:00:00 +0000" "Hello again" \
	"Another note about the project." | deliver Clients
expect_exit "scan after UIDVALIDITY change exits 0" 0 dm scan --folder Clients --format csv
expect_contains "the change is reported" "UIDVALIDITY changed" "$LAST_OUTPUT"
expect_contains "the folder was read again" "Clients,2,2,1,0" "$LAST_OUTPUT"
expect_eq "no duplicate message" 1 "$(q "SELECT count(*) FROM messages WHERE message_id='c1@acme.example'")"
expect_eq "six messages stored" 6 "$(q "SELECT count(*) FROM messages")"
validity_after=$(q "SELECT uidvalidity FROM imap_folders WHERE name='Clients'")
if [ "$validity_after" != "$validity_before" ]; then ok "new UIDVALIDITY saved"; else not_ok "new UIDVALIDITY saved" "$validity_after"; fi

# A change the invoice refuses (a second dispute of a disputed invoice) in
# the middle of a batch: that message and the one after it in the same
# batch are both stored; the refusal used to roll the batch back.
doveadm -c "$D/dovecot.conf" mailbox create -u alice Refused
mail ap@acme.example anna@studio.example x1@acme.example "Fri, 20 Nov 2026 09:00:00 +0000" "Re: Invoice INV-2026-0142" \
	"We dispute invoice INV-2026-0142 again: the amount is still wrong." | deliver Refused
mail ap@acme.example anna@studio.example x2@acme.example "Fri, 20 Nov 2026 09:05:00 +0000" "Re: Invoice INV-2026-0142" \
	"Could you send a copy of invoice INV-2026-0142?" | deliver Refused
expect_exit "scan with a refused change exits 0" 0 dm scan --folder Refused --format csv
expect_contains "both messages stored" "Refused,2,2,2,0" "$LAST_OUTPUT"
expect_eq "the refused dispute is recorded" "1|disputed" \
	"$(q "SELECT count(*), class FROM messages WHERE message_id='x1@acme.example'")"
expect_eq "the next message of the batch too, with its link" 1 \
	"$(q "SELECT count(*) FROM message_invoices mi JOIN messages m ON m.id = mi.message_row WHERE m.message_id='x2@acme.example'")"
expect_eq "eight messages stored" 8 "$(q "SELECT count(*) FROM messages")"

# A large message: only its first 256 KiB is fetched; the reply before the
# 1 MB attachment is still read and recorded.
doveadm -c "$D/dovecot.conf" mailbox create -u alice Large
{
	printf 'From: ap@acme.example\nTo: anna@studio.example\nSubject: Re: Invoice INV-2026-0142\n'
	printf 'Date: Fri, 20 Nov 2026 10:00:00 +0000\nMessage-ID: <big-1@acme.example>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n'
	printf 'Could you send a copy of invoice INV-2026-0142? Our copy is unreadable.\n\n'
	printf -- '--b\nContent-Type: application/pdf; name="scan.pdf"\nContent-Transfer-Encoding: base64\n\n'
	head -c 786432 /dev/zero | base64
	printf -- '--b--\n'
} | deliver Large
expect_exit "scan of a large message exits 0" 0 dm --verbose scan --folder Large --format csv
expect_contains "only its first 256 KiB is fetched" "Large UID 1: read the first 256 KiB of 10" "$LAST_OUTPUT"
expect_eq "the reply before the attachment is read" "copy_requested" \
	"$(q "SELECT class FROM messages WHERE message_id='big-1@acme.example'")"

# --since on a first scan: a folder never scanned, mail saved with old dates.
doveadm -c "$D/dovecot.conf" mailbox create -u alice Archive
mail ap@acme.example anna@studio.example a1@acme.example "Thu, 19 Nov 2026 12:00:00 +0000" "Archived" "Old note." | deliver Archive
expect_exit "--since in the future skips everything" 0 dm scan --folder Archive --since 2099-01-01 --format csv
expect_contains "nothing fetched before --since" "Archive,1,0,0,0" "$LAST_OUTPUT"
expect_eq "bookmark set past the skipped mail" 1 "$(q "SELECT last_uid FROM imap_folders WHERE name='Archive'")"
expect_exit "--since takes a date" 64 dm scan --since 22-11-2026

# A dead server: EX_TEMPFAIL, the database intact, and the next run completes.
mail ap@acme.example anna@studio.example p1@acme.example "Sun, 22 Nov 2026 09:00:00 +0000" "Re: Invoice INV-2026-0142" \
	"We will pay INV-2026-0142 on 30 November 2026." | deliver
sh "$SRC/tests/dovecot/stop.sh" --kill "$D"
expect_exit "scan against a dead server: EX_TEMPFAIL" 75 dm scan
expect_eq "database intact" ok "$(q "PRAGMA integrity_check")"
ports=$(sh "$SRC/tests/dovecot/start.sh" "$D" 2>"$T/start.err")
set -- $ports
PORT_TLS=$2
write_config "$PORT_TLS" "password_command = printf 'secret\\\\n'"
expect_exit "the next run completes" 0 dm scan --format csv
expect_contains "the waiting message is taken" "INBOX,4,1,1,0" "$LAST_OUTPUT"

# Many messages and a server killed in the middle of the fetch.
i=0
while [ $i -lt 300 ]; do
	mail "c$i@bulk.example" anna@studio.example "bulk-$i@bulk.example" "Sun, 22 Nov 2026 10:00:00 +0000" "Note $i" "Note number $i."
	i=$((i + 1))
done >/dev/null
i=0
while [ $i -lt 300 ]; do
	mail "c$i@bulk.example" anna@studio.example "bulk-$i@bulk.example" "Sun, 22 Nov 2026 10:00:00 +0000" "Note $i" "Note number $i." | deliver Archive
	i=$((i + 1))
done
dm scan --folder Archive >"$T/killed.out" 2>&1 &
scan_pid=$!
# Kill the server once the scan has recorded some of the mail.
i=0
while [ "$(q "SELECT count(*) FROM messages WHERE message_id LIKE 'bulk-%'" 2>/dev/null || echo 0)" -lt 20 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
sh "$SRC/tests/dovecot/stop.sh" --kill "$D"
wait "$scan_pid"
rc=$?
done_before=$(q "SELECT count(*) FROM messages WHERE message_id LIKE 'bulk-%'")
if [ $rc -eq 75 ] && [ "$done_before" -lt 300 ]; then
	ok "server killed mid-scan: EX_TEMPFAIL"
elif [ $rc -eq 0 ] && [ "$done_before" -eq 300 ]; then
	skip "server killed mid-scan: EX_TEMPFAIL" "the scan finished before the kill"
else
	not_ok "server killed mid-scan: EX_TEMPFAIL" "exit $rc, $done_before stored: $(cat "$T/killed.out")"
fi
expect_eq "database intact after the kill" ok "$(q "PRAGMA integrity_check")"
bookmark=$(q "SELECT last_uid FROM imap_folders WHERE name='Archive'")
if [ "$bookmark" -ge 1 ] && [ "$bookmark" -le $((done_before + 1)) ]; then
	ok "bookmark saved at the last finished batch"
else
	not_ok "bookmark saved at the last finished batch" "bookmark $bookmark, stored $done_before"
fi
ports=$(sh "$SRC/tests/dovecot/start.sh" "$D" 2>"$T/start.err")
set -- $ports
PORT_TLS=$2
write_config "$PORT_TLS" "password_command = printf 'secret\\\\n'"
expect_exit "the resumed scan completes" 0 dm scan --folder Archive --format csv
expect_contains "it resumed where it stopped" "Archive,301,$((300 - bookmark + 1))," "$LAST_OUTPUT"
expect_eq "all bulk mail stored, once each" "300|300" "$(q "SELECT count(*), count(DISTINCT message_id) FROM messages WHERE message_id LIKE 'bulk-%'")"

# Passwords: a literal one only in a private file, never printed.
write_config "$PORT_TLS" "password = secret"
chmod 644 "$T/config.ini"
expect_exit "literal password in a readable file refused" 77 dm scan
expect_contains "the refusal says how to fix it" "chmod 600" "$LAST_OUTPUT"
expect_contains "config check reports it too" "chmod 600" "$(dm config check 2>&1)"
chmod 600 "$T/config.ini"
expect_exit "literal password in a private file works" 0 dm scan
write_config "$PORT_TLS" "password = Wr0ngPassw0rd"
chmod 600 "$T/config.ini"
expect_exit "wrong password: a configuration error" 78 dm --verbose scan
expect_contains "wrong password: a clear error" "imap://alice@127.0.0.1" "$LAST_OUTPUT"
case "$LAST_OUTPUT" in
*Wr0ngPassw0rd*) not_ok "wrong password not in the output" "$LAST_OUTPUT" ;;
*) ok "wrong password not in the output" ;;
esac
write_config "$PORT_TLS" "password_command = echo Wr0ngPassw0rd"
expect_exit "wrong password from the command" 78 dm --verbose scan
case "$LAST_OUTPUT" in
*Wr0ngPassw0rd*) not_ok "command's password not in the output" "$LAST_OUTPUT" ;;
*) ok "command's password not in the output" ;;
esac
write_config "$PORT_TLS" "password_command = exit 3"
expect_exit "a failing password command" 78 dm scan
expect_contains "its failure is named" "config.ini:13: imap.password_command: the command failed (exit 3)" "$LAST_OUTPUT"

# --idle: mail delivered while it waits is taken; SIGTERM ends it with 0.
write_config "$PORT_TLS" "password_command = printf 'secret\\\\n'"
# Not through dm(): the signal must reach dunmail, not a subshell.
"$DUNMAIL" --config "$T/config.ini" --db "$T/dunmail.db" --verbose scan --idle >"$T/idle.out" 2>&1 &
idle_pid=$!
i=0
while ! grep -q "waiting" "$T/idle.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
# The first pass has nothing new; give it a moment to reach IDLE.
sleep 1
mail billing@nowak.example.pl anna@studio.example idle-1@nowak.example.pl "Sun, 22 Nov 2026 11:00:00 +0100" "Re: Faktura" \
	"Dzień dobry, zapłaciliśmy dzisiaj." "In-Reply-To: <inv-045@studio.example>" | deliver
i=0
while [ "$(q "SELECT count(*) FROM messages WHERE message_id='idle-1@nowak.example.pl'")" -ne 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_eq "--idle takes mail delivered while waiting" 1 "$(q "SELECT count(*) FROM messages WHERE message_id='idle-1@nowak.example.pl'")"
kill -TERM "$idle_pid"
wait "$idle_pid"
expect_eq "--idle exits 0 on SIGTERM" 0 $?
idle_pid=
if grep -q secret "$T/idle.out"; then not_ok "--verbose never shows the password" "$(cat "$T/idle.out")"; else ok "--verbose never shows the password"; fi
done_testing
