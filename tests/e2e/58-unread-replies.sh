#!/bin/sh
# Replies dunmail could not read, and what the user records that dunmail
# missed.  A client's reply no rule reads is "unrecognised": it holds the
# reminders to that client and `tasks` lists it to be read, until the user
# says what it means (`message set`), records a promise, a dispute or a
# payment, or says it needs nothing (`tasks done MESSAGE-ID`).  Any reply by
# a person ("thanks, forwarded to accounts" too) rests the reminders for
# min_interval_days (5), as the user's own mail does.
# Invoices fall due on Monday 2026-10-05; reminder1 is due from Tuesday
# 2026-10-06, reminder2 from Monday 2026-10-19.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.ini" <<'CONF'
[identity]
name = Anna Kowalska
addresses = anna@studio.example
payment_details = IBAN PL61 1090 1014 0000 0712 1981 2874
CONF
dm init >/dev/null

# reply FROM SUBJECT DATE MESSAGE-ID BODY: a client's message on stdout.
reply() {
	printf 'From: %s\nTo: anna@studio.example\nSubject: %s\nDate: %s\nMessage-ID: <%s>\n\n%s\n' \
		"$1" "$2" "$3" "$4" "$5"
}
# A reply no rule can read: site logistics, nothing about paying, no question.
unreadable="The drawings for the north wing are ready. Tom brings them to the site meeting on Thursday, and the parking is behind the warehouse now."
# plan DATE: "client|invoices|level|channel" of each planned row, one a line.
plan() {
	dm --now "$1" followup --dry-run --format json |
		jq -r '.[] | [.client, .invoices, .level, .channel] | map(. // "" | tostring) | join("|")'
}
# tasks_of DATE CLIENT: that client's task rows as "channel|reason".
tasks_of() {
	dm --now "$1" tasks --format json |
		jq -r --arg c "$2" '.[] | select(.client == $c) | [.channel, .reason] | join("|")'
}
status() { dm invoice list --format json | jq -r --arg n "$1" '.[] | select(.number == $n) | .status'; }
unread() { dm message list --unread --client "$1" --format csv | tail -n +2 | wc -l; }

for c in Acme Beta Gamma Delta Eps; do
	lower=$(echo "$c" | tr A-Z a-z)
	dm client add "$c" --email "ap@$lower.example" --lang en --currency EUR >/dev/null
done
dm invoice add A-1 --client Acme --amount 1250 --issued 2026-09-01 --due 2026-10-05 >/dev/null
dm invoice add B-1 --client Beta --amount 1000 --issued 2026-09-01 --due 2026-10-05 >/dev/null
dm invoice add G-1 --client Gamma --amount 800 --issued 2026-09-01 --due 2026-10-05 >/dev/null
dm invoice add D-1 --client Delta --amount 500 --issued 2026-09-01 --due 2026-10-05 >/dev/null
dm invoice add E-1 --client Eps --amount 700 --issued 2026-09-01 --due 2026-10-05 >/dev/null

# ---------------------------------------------------------------------------
# An unread reply holds the reminders and becomes a task, for as long as it
# stays unread.
reply ap@acme.example "Re: Invoice A-1" "Wed, 07 Oct 2026 10:00:00 +0000" u1@acme.example "$unreadable" > "$T/u1.eml"
expect_contains "no rule reads the reply: unrecognised" "class:     unrecognised" "$(dm classify < "$T/u1.eml")"
dm filter --observe < "$T/u1.eml"
expect_eq "message list: the reply is unread" "1" "$(unread Acme)"
expect_eq "the next working day: a task to read it, no reminder" "Acme|A-1|0|read_reply" "$(plan 2026-10-08 | grep '^Acme')"
expect_eq "tasks: read the reply, with its subject and the command" \
	"read_reply|read the reply of 2026-10-07 from ap@acme.example (\"Re: Invoice A-1\"): no rule could read it; record what it says with dunmail message set u1@acme.example --class CLASS" \
	"$(tasks_of 2026-10-08 Acme)"
expect_eq "tasks: the subject column is the reply's" "Re: Invoice A-1" \
	"$(dm --now 2026-10-08 tasks --format json | jq -r '.[] | select(.channel == "read_reply") | .subject')"
expect_contains "dry run: why no reminder goes" \
	"Acme: unread reply of 2026-10-07 — no reminder until you read it and record what it says (waiting: A-1)" \
	"$(dm --now 2026-10-08 followup --dry-run)"
# Long after the rest of a reply, reminder2 is due: still nothing.
expect_eq "twelve days later: still only the task" "Acme|A-1|0|read_reply" "$(plan 2026-10-19 | grep '^Acme')"
# Another client's reminder still goes.
expect_eq "another client is chased" "Beta|B-1|3|email" "$(plan 2026-10-19 | grep '^Beta')"

# The user reads it: a promise.  The invoice is promised, the event names
# the command, the task is gone.
expect_exit "message set: promised with a date" 0 dm --now 2026-10-19 message set '<u1@acme.example>' --class promised --date 2026-10-23
expect_contains "message set says what changed" "invoice A-1: promised until 2026-10-23" "$LAST_OUTPUT"
expect_eq "the invoice is promised" "promised" "$(status A-1)"
# timeline NUMBER: the invoice's events as CSV (when,event,from,to,detail,source).
timeline() { dm invoice show "$1" --format csv | tr -d '\r'; }
show=$(timeline A-1)
expect_contains "timeline: the reading, by the command" \
	",class,unrecognised,promised,message <u1@acme.example> of 2026-10-07 read as promised 2026-10-23,command: message set" "$show"
expect_contains "timeline: the promise, by the command" ",promise,open,promised,promised to pay by 2026-10-23,command: message set" "$show"
expect_eq "the task is gone" "" "$(tasks_of 2026-10-19 Acme)"
expect_eq "message list: read, with its class" "promised,2026-10-23,,2026-10-19" \
	"$(dm message list --client Acme --format csv | tail -n 1 | cut -d, -f6-8,10)"
expect_eq "no reminder while promised" "" "$(plan 2026-10-22 | grep '^Acme')"
expect_eq "after the promise and its grace: the reminder" "Acme|A-1|3|email" "$(plan 2026-10-28 | grep '^Acme')"
# What cannot be set by hand, and a message that is not there.
expect_exit "message set: unrecognised is refused" 65 dm message set u1@acme.example --class unrecognised
expect_contains "... and says why" "cannot be set by hand" "$LAST_OUTPUT"
expect_exit "message set: an unknown class" 64 dm message set u1@acme.example --class maybe
expect_contains "... and lists the classes" '"maybe" is not a class (none, promised' "$LAST_OUTPUT"
expect_exit "message set: an unknown message" 66 dm message set nobody@acme.example --class none
expect_contains "... and names it" "no message <nobody@acme.example>" "$LAST_OUTPUT"
expect_exit "message set: a date with a question" 65 dm message set u1@acme.example --class question --date 2026-10-30
expect_contains "... and names the place" "a date goes with promised" "$LAST_OUTPUT"

# ---------------------------------------------------------------------------
# invoice promise: a promise made on the phone; it also reads the client's
# unread reply.
reply ap@beta.example "Re: Invoice B-1" "Thu, 08 Oct 2026 10:00:00 +0000" u2@beta.example "$unreadable" | dm filter --observe
expect_eq "Beta: the task to read" "read_reply" "$(tasks_of 2026-10-19 Beta | cut -d'|' -f1)"
expect_exit "invoice promise: an unknown number" 66 dm --now 2026-10-19 invoice promise B-9 --date 2026-10-30
expect_contains "... names the number" 'no invoice numbered "B-9"' "$LAST_OUTPUT"
expect_exit "invoice promise: a bad date" 65 dm --now 2026-10-19 invoice promise B-1 --date 2026-10-32
expect_contains "... names the option" '--date: "2026-10-32" is not a valid calendar date' "$LAST_OUTPUT"
expect_exit "invoice promise: a date before today" 65 dm --now 2026-10-19 invoice promise B-1 --date 2026-10-16
expect_contains "... names the option and the invoice" "--date: 2026-10-16 is before today (2026-10-19): invoice B-1" "$LAST_OUTPUT"
expect_exit "invoice promise: no date" 64 dm --now 2026-10-19 invoice promise B-1
expect_eq "nothing recorded by the refusals" "open 1" "$(status B-1) $(unread Beta)"
expect_exit "invoice promise" 0 dm --now 2026-10-19 invoice promise B-1 --date 2026-10-30 --note "on the phone with Tom"
expect_contains "... says the reply is read" "Beta: 1 unread reply marked read" "$LAST_OUTPUT"
expect_eq "promised" "promised" "$(status B-1)"
expect_eq "the promised date" "2026-10-30" "$(dm invoice list --format json | jq -r '.[] | select(.number == "B-1") | .promised_date')"
show=$(timeline B-1)
expect_contains "timeline: the promise by the command" ",promise,open,promised,promised to pay by 2026-10-30,command: invoice promise" "$show"
expect_contains "timeline: the note" ",note,,,on the phone with Tom,command: invoice promise" "$show"
expect_eq "the reply is read: no task" "" "$(tasks_of 2026-10-19 Beta)"
expect_eq "report promises lists it, made today" "Beta,B-1,2026-10-19,2026-10-30,open" \
	"$(dm report promises --format csv | tr -d '\r' | grep '^Beta' | cut -d, -f1-5)"
dm --now 2026-10-21 invoice paid B-1 >/dev/null
expect_exit "invoice promise: a paid invoice is refused" 65 dm --now 2026-10-21 invoice promise B-1 --date 2026-10-30
expect_contains "... naming it" "invoice B-1 is already paid" "$LAST_OUTPUT"

# ---------------------------------------------------------------------------
# invoice dispute --amount --reason: a part of the invoice; never more than
# the balance; --note is still the reason's other name.
reply ap@gamma.example "Re: Invoice G-1" "Thu, 08 Oct 2026 10:00:00 +0000" u3@gamma.example "$unreadable" | dm filter --observe
expect_exit "invoice dispute: an unknown number" 66 dm invoice dispute G-9 --amount 100 --reason "hours"
expect_contains "... names the number" 'no invoice numbered "G-9"' "$LAST_OUTPUT"
expect_exit "invoice dispute: more than the balance" 65 dm invoice dispute G-1 --amount 800.01 --reason "hours"
expect_contains "... names the option, the invoice and the balance" \
	"--amount: invoice G-1: the disputed amount 800.01 EUR exceeds its balance of 800.00 EUR" "$LAST_OUTPUT"
expect_exit "invoice dispute: not an amount" 65 dm invoice dispute G-1 --amount 1x --reason "hours"
expect_contains "... names the option" "--amount: \"1x\" is not an amount" "$LAST_OUTPUT"
expect_exit "invoice dispute: --note and --reason disagree" 64 dm invoice dispute G-1 --reason a --note b
expect_eq "nothing recorded by the refusals" "open 1" "$(status G-1) $(unread Gamma)"
expect_exit "invoice dispute --amount --reason" 0 dm --now 2026-10-19 invoice dispute G-1 --amount 300 --reason "two days too many"
expect_contains "... reads the client's reply" "Gamma: 1 unread reply marked read" "$LAST_OUTPUT"
expect_eq "disputed" "disputed" "$(status G-1)"
expect_eq "invoice list json: the disputed amount" "300.00" \
	"$(dm invoice list --format json | jq -r '.[] | select(.number == "G-1") | .disputed_amount')"
show=$(dm invoice show G-1)
expect_contains "invoice show: the disputed amount" "Disputed: 300.00" "$show"
expect_contains "invoice show: the reason" "Dispute:  two days too many" "$show"
expect_contains "timeline: by the command" ",status,open,disputed,disputes 300.00 EUR: two days too many,command: invoice dispute" "$(timeline G-1)"
expect_eq "a dispute task, no read task, no reminder" "resolve_dispute" "$(tasks_of 2026-10-19 Gamma | cut -d'|' -f1)"
# Paying the rest keeps the contested part in dispute.
dm --now 2026-10-20 invoice paid G-1 --amount 500 >/dev/null
expect_eq "paid the undisputed part: still disputed" "disputed 300.00" \
	"$(dm invoice list --format json | jq -r '.[] | select(.number == "G-1") | "\(.status) \(.balance)"')"
dm invoice resolve G-1 >/dev/null
expect_eq "resolved: partial, no disputed amount" "partial null" \
	"$(dm invoice list --format json | jq -r '.[] | select(.number == "G-1") | "\(.status) \(.disputed_amount)"')"
expect_exit "invoice dispute --note still works" 0 dm invoice dispute G-1 --note "still too many days"
expect_contains "... as the reason" "Dispute:  still too many days" "$(dm invoice show G-1)"

# ---------------------------------------------------------------------------
# invoice paid reads the client's reply; tasks done MESSAGE-ID reads one
# that needs nothing recorded.
reply ap@delta.example "Re: Invoice D-1" "Thu, 08 Oct 2026 10:00:00 +0000" u4@delta.example "$unreadable" | dm filter --observe
reply ap@eps.example "Re: Invoice E-1" "Thu, 08 Oct 2026 10:00:00 +0000" u5@eps.example "$unreadable" | dm filter --observe
expect_eq "two more replies to read" "Delta|D-1|0|read_reply
Eps|E-1|0|read_reply" "$(plan 2026-10-19 | grep -e '^Delta' -e '^Eps')"
expect_exit "invoice paid, partly" 0 dm --now 2026-10-19 invoice paid D-1 --amount 100
expect_contains "... reads the reply" "Delta: 1 unread reply marked read" "$LAST_OUTPUT"
expect_eq "Delta is chased for the rest" "Delta|D-1|3|email" "$(plan 2026-10-19 | grep '^Delta')"
expect_exit "tasks done MESSAGE-ID" 0 dm --now 2026-10-19 tasks done '<u5@eps.example>'
expect_contains "... says so" "Eps: 1 unread reply marked read" "$LAST_OUTPUT"
expect_eq "Eps is chased again" "Eps|E-1|3|email" "$(plan 2026-10-19 | grep '^Eps')"
expect_exit "tasks done: a reply already read" 66 dm tasks done u5@eps.example
expect_exit "tasks done: neither an invoice nor a message" 66 dm tasks done nothing-here
expect_contains "... says both" 'no invoice numbered "nothing-here" and no message <nothing-here>' "$LAST_OUTPUT"
expect_eq "an event on the client names the command" "read|tasks done|1 unread reply marked read" \
	"$(sqlite3 "$T/dunmail.db" "SELECT e.kind, e.command, e.detail FROM events e JOIN clients c ON c.id = e.client_id WHERE c.name = 'Eps' AND e.kind = 'read'")"

# ---------------------------------------------------------------------------
# A reply a rule reads as nothing to act on rests the reminders too: the
# reminder of Monday 2026-10-19 waits after a "thanks" of the Sunday before,
# until min_interval_days have passed.
dm client add Zeta --email ap@zeta.example --lang en --currency EUR >/dev/null
dm invoice add Z-1 --client Zeta --amount 900 --issued 2026-09-01 --due 2026-10-05 >/dev/null
dm invoice add Z-2 --client Zeta --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
dm --now 2026-10-06 invoice paid Z-2 >/dev/null
expect_eq "before the reply: the reminder is due" "Zeta|Z-1|3|email" "$(plan 2026-10-19 | grep '^Zeta')"
reply ap@zeta.example "Re: Invoice Z-1" "Sun, 18 Oct 2026 18:00:00 +0000" n1@zeta.example "Thank you, forwarded to accounts." > "$T/n1.eml"
expect_contains "the reply reads as none" "class:     none" "$(dm classify < "$T/n1.eml")"
dm filter --observe < "$T/n1.eml"
expect_eq "the day after a none reply: no reminder" "" "$(plan 2026-10-19 | grep '^Zeta')"
expect_contains "... and why" "Zeta: the client wrote on 2026-10-18 — no reminder before 2026-10-23 (min_interval_days = 5) (waiting: Z-1)" \
	"$(dm --now 2026-10-19 followup --dry-run)"
expect_eq "no task for a none reply" "" "$(tasks_of 2026-10-19 Zeta)"
expect_eq "still resting on the 22nd" "" "$(plan 2026-10-22 | grep '^Zeta')"
expect_eq "min_interval_days after it: the reminder" "Zeta|Z-1|3|email" "$(plan 2026-10-23 | grep '^Zeta')"

done_testing
