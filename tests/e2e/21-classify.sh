#!/bin/sh
# dunmail classify: the JSON contract, dates resolved from the message's
# own Date header, --explain, and that nothing in the store changes.
# Then the filter's matching: thread, invoice number, sender, several
# invoices, outgoing mail, bounces.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.ini" <<'CONF'
[identity]
addresses = anna@studio.example
CONF
dm init >/dev/null
dm client add "Nowak" --email billing@nowak.example.pl >/dev/null
dm client add "Acme" --email ap@acme.example --domain acme.example --lang en >/dev/null
dm invoice add FV/2026/11/045 --client Nowak --amount 4800 --currency PLN --issued 2026-11-01 --due 2026-11-15 --message-id '<inv-045@studio.example>' >/dev/null
dm invoice add INV-2026-0142 --client Acme --amount 980 --currency GBP --issued 2026-11-01 --due 2026-11-15 >/dev/null
dm invoice add INV-2026-0150 --client Acme --amount 120 --currency GBP --issued 2026-11-02 --due 2026-11-16 >/dev/null

mail() { # FROM MESSAGE-ID DATE SUBJECT BODY [EXTRA-HEADER]
	printf 'From: %s\nTo: anna@studio.example\nSubject: %s\nDate: %s\nMessage-ID: <%s>\n%s\n\n%s\n' "$1" "$4" "$3" "$2" "${6:-X-Test: 1}" "$5"
}
mail billing@nowak.example.pl r1@nowak.example.pl "Wed, 18 Nov 2026 09:12:00 +0100" "Re: Faktura" \
	"Dzień dobry, zapłacimy jutro. Pozdrawiam" "In-Reply-To: <inv-045@studio.example>" > "$T/promise.eml"
events_before=$(sqlite3 "$T/dunmail.db" "SELECT count(*) FROM events")
json=$(dm classify --json < "$T/promise.eml")
expect_contains "json: direction" '"direction" : "in"' "$json"
expect_contains "json: class" '"class" : "promised"' "$json"
expect_contains "json: tomorrow from the Date header" '"date" : "2026-11-19"' "$json"
expect_contains "json: language" '"language" : "pl"' "$json"
expect_contains "json: invoices by thread" '"invoices" : [
    "FV/2026/11/045"
  ]' "$json"
expect_contains "json: client" '"client" : "Nowak"' "$json"
expect_contains "json: rule" '"rule" : "pl.promise' "$json"
expect_contains "json: reply_text" '"reply_text" : "Dzień dobry, zapłacimy jutro.' "$json"
expect_eq "classify changes nothing" "$events_before" "$(sqlite3 "$T/dunmail.db" "SELECT count(*) FROM events")"
expect_eq "classify stores no message" "0" "$(sqlite3 "$T/dunmail.db" "SELECT count(*) FROM messages")"
explain=$(dm classify --explain < "$T/promise.eml")
expect_contains "--explain names the winning rule" "won on body" "$explain"
expect_contains "--explain shows the date resolution" '"jutro"' "$explain"
text=$(dm classify < "$T/promise.eml")
expect_contains "text output" "class:     promised" "$text"

# A promise that points back at a date named in the sentence before it.
mail ap@acme.example back@acme.example "Wed, 18 Nov 2026 09:12:00 +0000" "Re: Invoice INV-2026-0142" \
	"Our next payment run is on 26 November. On that day we will pay your invoice." > "$T/back.eml"
expect_contains "a date in the sentence before the promise" '"date" : "2026-11-26"' "$(dm classify --json < "$T/back.eml")"

# The quoted reminder must never make a reply count as paid.
printf 'From: ap@acme.example\nTo: anna@studio.example\nSubject: Re: Invoice INV-2026-0142\nDate: Thu, 19 Nov 2026 10:00:00 +0000\nMessage-ID: <q1@acme.example>\n\nThanks, noted.\n\nOn Mon, 16 Nov 2026 at 09:00, Anna <anna@studio.example> wrote:\n> Invoice INV-2026-0142 is overdue.\n> If you have already paid, please ignore this message.\n' > "$T/quoted.eml"
expect_contains "quoted 'already paid' is not a payment" '"class" : "none"' "$(dm classify --json < "$T/quoted.eml")"

# Matching by number (no thread), tolerant of spacing, and by several numbers.
mail ap@acme.example n1@acme.example "Thu, 19 Nov 2026 10:00:00 +0000" "Question" \
	"About invoice nr INV-2026-0142 and INV-2026-0150: we paid both yesterday." > "$T/two.eml"
json=$(dm classify --json < "$T/two.eml")
expect_contains "two numbers: both invoices" '"INV-2026-0142",
    "INV-2026-0150"' "$json"
expect_contains "matched by number" '"matched_by" : "number"' "$json"
# By sender: Nowak has one open invoice.
mail billing@nowak.example.pl s1@nowak.example.pl "Thu, 19 Nov 2026 10:00:00 +0100" "Płatność" \
	"Nie zgadzamy się z kwotą." > "$T/sender.eml"
json=$(dm classify --json < "$T/sender.eml")
expect_contains "by sender: the one open invoice" '"matched_by" : "sender"' "$json"
expect_contains "by sender: disputed" '"class" : "disputed"' "$json"
# Acme has two open invoices: a message without number or thread links the client only.
mail someone@acme.example d1@acme.example "Thu, 19 Nov 2026 10:00:00 +0000" "Hello" "We will pay next week." > "$T/ambiguous.eml"
json=$(dm classify --json < "$T/ambiguous.eml")
expect_contains "ambiguous: client by domain" '"client" : "Acme"' "$json"
expect_contains "ambiguous: no invoice" '"invoices" : []' "$json"

# Filtering applies it: the events name the message and the rule.
dm filter --observe < "$T/two.eml"
expect_contains "both invoices say paid" '"status" : "paid"' "$(dm invoice list --client Acme --status paid --format json)"
expect_eq "two paid" "2" "$(dm invoice list --client Acme --status paid --format csv | tail -n +2 | wc -l)"
# Outgoing mail is contact, not a reply.
printf 'From: Anna <anna@studio.example>\nTo: billing@nowak.example.pl\nSubject: Re: FV/2026/11/045\nDate: Fri, 20 Nov 2026 10:00:00 +0100\nMessage-ID: <out-1@studio.example>\nIn-Reply-To: <r1@nowak.example.pl>\nX-Dunmail-Draft: draft-7@studio.example\n\nThank you!\n' > "$T/out.eml"
json=$(dm classify --json < "$T/out.eml")
expect_contains "outgoing: direction" '"direction" : "out"' "$json"
dm filter --observe < "$T/promise.eml"
dm filter --observe < "$T/out.eml"
expect_eq "outgoing stored as out, in the client's thread" "out|Nowak|draft-7@studio.example" \
	"$(sqlite3 "$T/dunmail.db" "SELECT m.direction, c.name, m.draft_message_id FROM messages m JOIN clients c ON c.id = m.client_id WHERE message_id='out-1@studio.example'")"
expect_eq "same thread as the reply" "1" \
	"$(sqlite3 "$T/dunmail.db" "SELECT count(DISTINCT thread_id) FROM messages WHERE message_id IN ('out-1@studio.example','r1@nowak.example.pl')")"
expect_eq "the reply's language is stored on the client that had none" "pl" \
	"$(sqlite3 "$T/dunmail.db" "SELECT language FROM clients WHERE name='Nowak'")"
expect_eq "a known language is kept" "en" \
	"$(sqlite3 "$T/dunmail.db" "SELECT language FROM clients WHERE name='Acme'")"
expect_eq "the promise is on the invoice" "promised|2026-11-19" \
	"$(sqlite3 "$T/dunmail.db" "SELECT status, promised_date FROM invoices WHERE number='FV/2026/11/045'")"

# A bounce flags the failed address.
cat > "$T/bounce.eml" <<'MAIL'
From: Mail Delivery System <MAILER-DAEMON@mx.studio.example>
To: anna@studio.example
Subject: Undelivered Mail Returned to Sender
Date: Fri, 20 Nov 2026 10:00:00 +0100
Message-ID: <bounce-1@mx.studio.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system could not deliver your message.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.studio.example

Final-Recipient: rfc822; ap@acme.example
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

From: anna@studio.example
To: ap@acme.example
Subject: Invoice INV-2026-0142
Message-ID: <rem-1@studio.example>

--B--
MAIL
json=$(dm classify --json < "$T/bounce.eml")
expect_contains "bounce class" '"class" : "bounce"' "$json"
expect_contains "bounce: failed recipient" '"ap@acme.example"' "$json"
dm filter --observe < "$T/bounce.eml"
expect_contains "bounce: address flagged on the client" "Bounced:       ap@acme.example" "$(dm client show Acme)"
# A delivery report that is no failure (delivered, relayed, delayed) is not
# a bounce, not an auto-reply, and no person wrote it: none, not unrecognised.
for action in delivered relayed delayed; do
	printf 'From: MAILER-DAEMON@mx.nowak.example.pl\nTo: anna@studio.example\nSubject: Delivery Status Notification\nMessage-ID: <dsn-%s@mx.nowak.example.pl>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\nA report.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.nowak.example.pl\n\nFinal-Recipient: rfc822; billing@nowak.example.pl\nAction: %s\nStatus: 4.4.7\n\n--b--\n' "$action" "$action" > "$T/dsn.eml"
	json=$(dm classify --json < "$T/dsn.eml")
	expect_contains "DSN $action: class none" '"class" : "none"' "$json"
	expect_contains "DSN $action: read as a delivery report" '"rule" : "detector.delivery-report"' "$json"
done
# Bare CR line ends are read.
printf 'From: billing@nowak.example.pl\rTo: anna@studio.example\rSubject: Re: Faktura FV/2026/11/045\rDate: Wed, 18 Nov 2026 09:12:00 +0100\rMessage-ID: <cr-1@nowak.example.pl>\r\rZapłaciliśmy wczoraj.\r' > "$T/cr.eml"
json=$(dm classify --json < "$T/cr.eml")
expect_contains "bare CR: the subject's invoice" '"FV/2026/11/045"' "$json"
expect_contains "bare CR: the text is read" '"reply_text" : "Zapłaciliśmy wczoraj."' "$json"
# Every control character is escaped in JSON (0x1f broke it).
printf 'From: billing@nowak.example.pl\nTo: anna@studio.example\nSubject: Re: x\037y\nMessage-ID: <ctl\037@nowak.example.pl>\n\nOK\033[31m\n' > "$T/ctl.eml"
if dm classify --json < "$T/ctl.eml" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; then
	ok "classify --json is valid JSON with control characters"
else
	not_ok "classify --json is valid JSON with control characters"
fi
done_testing
