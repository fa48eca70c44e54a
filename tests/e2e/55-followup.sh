#!/bin/sh
# Follow-ups end to end: each scenario is a fresh store (clients, invoices),
# some mail fed through `dunmail filter --observe`, a day pinned with --now,
# and then what dunmail says: the invoices' statuses, the plan of
# `followup --dry-run --format json`, and the drafts `followup` writes into a
# Maildir.  The default ladder (rules/policy) is
#   prenote -7, reminder1 +1, reminder2 +14, reminder3 +30 (+cc),
#   final +45, call +52, letter +60.
# Most invoices fall due on Monday 2026-10-05, so that every rung of the
# ladder lands on a working day: -7 Mon 28 Sep, +1 Tue 6 Oct, +14 Mon 19 Oct,
# +30 Wed 4 Nov, +45 Thu 19 Nov, +52 Thu 26 Nov, +60 Fri 4 Dec.
. "$(dirname "$0")/lib.sh"

# JSON is read with jq, mail with python3's email module (a body may be
# quoted-printable), so that assertions compare plain lines.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # not a slow version-manager shim
cat > "$T/read.py" <<'PYTHON'
import email, email.policy, sys
with open(sys.argv[2], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
if sys.argv[1] == "body":
    sys.stdout.write(msg.get_content())
else:
    print(msg.get(sys.argv[3], ""))
PYTHON

# store NAME [CONFIG-LINE...]: a fresh store in $T/NAME; sdm runs dunmail on it.
store() {
	S=$T/$1
	shift
	mkdir -p "$S"
	{
		printf '[identity]\nname = Anna Kowalska\naddresses = anna@studio.example\n'
		printf 'payment_details = IBAN PL61 1090 1014 0000 0712 1981 2874\n'
		for line in "$@"; do printf '%s\n' "$line"; done
	} > "$S/config"
	sdm init >/dev/null
}
sdm() { "$DUNMAIL" --config "$S/config" --db "$S/db" "$@"; }
# plan_at DATE: the dry-run plan, one item a line:
# client|invoices|level|channel|to|cc|subject|reason
plan_at() {
	sdm --now "$1" followup --dry-run --format json |
		jq -r '.[] | [.client, .invoices, .level, .channel, .to, .cc, .subject, .reason]
			| map(. // "" | tostring) | join("|")'
}
# short_plan DATE: "invoices:level:channel" of each item, ";"-separated.
# "-" when nothing is planned.
short_plan() {
	plan_at "$1" | awk -F'|' '{ printf "%s%s:%s:%s", sep, $2, $3, $4; sep = ";" }
		END { if (NR == 0) printf "-" }'
}
# status NUMBER: the invoice's status from `invoice list --format json`.
status() { sdm invoice list --format json | jq -r --arg n "$1" '.[] | select(.number == $n) | .status'; }
# level NUMBER: the level `invoice show` reports.
level() { sdm invoice show "$1" | sed -n 's/^Level: *//p'; }
# followup_at DATE: writes the drafts into $S/Drafts.
followup_at() { sdm --now "$1" followup --drafts "maildir:$S/Drafts" --format csv | tr -d '\r'; }
drafts() { ls "$S"/Drafts/cur/ 2>/dev/null | grep -c ':2,D$'; }
# newest_draft: the newest draft file.
newest_draft() { ls -t "$S"/Drafts/cur/*:2,D | head -n 1; }
body() { "$PY" "$T/read.py" body "$1"; }
header() { "$PY" "$T/read.py" header "$1" "$2"; }
# mail FROM SUBJECT DATE MESSAGE-ID BODY [EXTRA-HEADER]: a message on stdout.
mail() {
	printf 'From: %s\nTo: anna@studio.example\nSubject: %s\nDate: %s\nMessage-ID: <%s>\n%s\n\n%s\n' \
		"$1" "$2" "$3" "$4" "${6:-X-Test: 1}" "$5"
}
# feed: mail on stdin through the filter.
feed() { sdm filter --observe; }
# outgoing TO SUBJECT DATE MESSAGE-ID [EXTRA-HEADER]: the user's own mail through the filter.
outgoing() {
	printf 'From: Anna Kowalska <anna@studio.example>\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s>\n%s\n\nHello again.\n' \
		"$1" "$2" "$3" "$4" "${5:-X-Test: 1}" | feed
}

# ---------------------------------------------------------------------------
# The ladder: every default level on its exact day, and not the day before.
store ladder
sdm client add Acme --email ap@acme.example --cc boss@acme.example --lang en --currency EUR >/dev/null
sdm invoice add L-1 --client Acme --amount 1250 --issued 2026-09-01 --due 2026-10-05 >/dev/null
while read -r day want what; do
	expect_eq "ladder: $day ($what)" "$want" "$(short_plan "$day")"
done <<'TABLE'
2026-09-25 -           the Friday before the prenote: nothing
2026-09-28 L-1:1:email prenote at -7
2026-10-05 L-1:1:email due date: still the prenote
2026-10-06 L-1:2:email reminder1 at +1
2026-10-16 L-1:2:email +11: still reminder1
2026-10-19 L-1:3:email reminder2 at +14
2026-11-03 L-1:3:email +29: still reminder2
2026-11-04 L-1:4:email reminder3 at +30
2026-11-18 L-1:4:email +44: still reminder3
2026-11-19 L-1:5:email final at +45
2026-11-25 L-1:5:email +51: still final
2026-11-26 L-1:6:call  call at +52
2026-12-03 L-1:6:call  +59: still the call
2026-12-04 L-1:7:letter letter at +60
2026-10-10 -           a Saturday: nothing
2026-10-11 -           a Sunday: nothing
TABLE
row=$(plan_at 2026-09-28)
expect_eq "prenote: whole row" "Acme|L-1|1|email|ap@acme.example||Invoice L-1 falls due on 5 October 2026|L-1 is due in 7 days: notice before the due date" "$row"
row=$(plan_at 2026-10-06)
expect_eq "reminder1: whole row" "Acme|L-1|2|email|ap@acme.example||Reminder: invoice L-1 is now due|L-1 is 1 day overdue: first reminder" "$row"
row=$(plan_at 2026-10-19)
expect_eq "reminder2: whole row" "Acme|L-1|3|email|ap@acme.example||Second reminder: invoice L-1, 14 days overdue|L-1 is 14 days overdue: second reminder" "$row"
row=$(plan_at 2026-11-04)
expect_eq "reminder3: copies the escalation contact" "Acme|L-1|4|email|ap@acme.example|boss@acme.example|Invoice L-1: 30 days overdue, can we agree a way forward?|L-1 is 30 days overdue: third reminder" "$row"
row=$(plan_at 2026-11-19)
expect_eq "final: whole row, no cc" "Acme|L-1|5|email|ap@acme.example||Final notice: invoice L-1|L-1 is 45 days overdue: final notice" "$row"
row=$(plan_at 2026-11-26)
expect_eq "call: a task without address or subject" "Acme|L-1|6|call||||L-1 is 52 days overdue: phone call" "$row"
expect_contains "tasks lists the call" "L-1 is 52 days overdue: phone call" "$(sdm --now 2026-11-26 tasks --format csv)"
expect_eq "tasks leaves e-mails out" "1" "$(sdm --now 2026-11-19 tasks --format csv | wc -l)"
# A call is recorded when followup plans it, and waits for `tasks done`.
followup_at 2026-11-26 >/dev/null
expect_eq "the planned call is not planned again" "-" "$(short_plan 2026-11-27)"
expect_contains "tasks keeps listing it" "not done yet (then: dunmail tasks done L-1)" "$(sdm --now 2026-11-27 tasks --format csv)"
expect_exit "tasks done" 0 sdm tasks done L-1
expect_eq "the call raised the level" "6" "$(level L-1)"
expect_eq "the letter follows on +60" "L-1:7:letter" "$(short_plan 2026-12-04)"
expect_exit "tasks done without a planned task" 66 sdm tasks done L-1

# ---------------------------------------------------------------------------
# Drafts in a Maildir: written once, replaced by a higher level, not made
# again after the user deleted one, and the sent copy raises the level.
store drafts
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm invoice add D-1 --client Acme --amount 1250 --issued 2026-09-01 --due 2026-10-05 >/dev/null
out=$(followup_at 2026-09-28)
expect_contains "followup lists the draft it wrote" "Acme,D-1,1,email,ap@acme.example,,Invoice D-1 falls due on 5 October 2026," "$out"
expect_eq "one draft in the Maildir, flagged D" "1" "$(drafts)"
f=$(newest_draft)
expect_eq "draft: To" "Acme <ap@acme.example>" "$(header "$f" To)"
expect_eq "draft: From" "Anna Kowalska <anna@studio.example>" "$(header "$f" From)"
expect_eq "draft: Subject" "Invoice D-1 falls due on 5 October 2026" "$(header "$f" Subject)"
expect_eq "draft: X-Dunmail-Invoice" "D-1" "$(header "$f" X-Dunmail-Invoice)"
expect_contains "draft: Date on the --now day" "28 Sep 2026" "$(header "$f" Date)"
expect_eq "draft: X-Dunmail-Draft is its Message-ID" "<$(header "$f" X-Dunmail-Draft)>" "$(header "$f" Message-ID)"
b=$(body "$f")
expect_contains "prenote body: amount in English" "€1,250.00" "$b"
expect_contains "prenote body: payment details" "IBAN PL61 1090 1014 0000 0712 1981 2874" "$b"
expect_contains "prenote body: signature" "Anna Kowalska" "$b"
out=$(followup_at 2026-09-28)
expect_eq "followup twice the same day: nothing planned" "client,invoices,level,channel,to,cc,subject,reason" "$out"
expect_eq "followup twice the same day: no new draft" "1" "$(drafts)"
followup_at 2026-10-06 >/dev/null
expect_eq "reminder1 replaces the unsent prenote" "1" "$(drafts)"
expect_eq "the remaining draft is reminder1" "Reminder: invoice D-1 is now due" "$(header "$(newest_draft)" Subject)"
expect_eq "the prenote is recorded replaced" "prenote|replaced" \
	"$(sqlite3 "$S/db" "SELECT kind, state FROM drafts WHERE level = 1")"
rm "$S"/Drafts/cur/*
# The deleted draft is of level 2 while the invoice's level is still 0 (the
# prenote was replaced, never sent): it must still block its level.
out=$(followup_at 2026-10-07)
expect_eq "a reminder1 deleted unsent is not drafted again" "0" "$(drafts)"
rm -f "$S"/Drafts/cur/*
followup_at 2026-10-19 >/dev/null
f=$(newest_draft)
expect_eq "reminder2 drafted on +14" "Second reminder: invoice D-1, 14 days overdue" "$(header "$f" Subject)"
expect_eq "level before sending" "0" "$(level D-1)"
# The user sends it: the sent copy comes back through the filter as outgoing mail.
outgoing ap@acme.example "$(header "$f" Subject)" "Tue, 20 Oct 2026 09:00:00 +0200" sent-1@studio.example \
	"X-Dunmail-Draft: $(header "$f" X-Dunmail-Draft)"
expect_eq "the sent copy raises the level (invoice show)" "3" "$(level D-1)"
expect_eq "the draft is recorded sent" "sent" "$(sqlite3 "$S/db" "SELECT state FROM drafts WHERE level = 3")"
expect_eq "nothing before reminder3" "-" "$(short_plan 2026-11-03)"
expect_eq "reminder3 follows the sent reminder2" "D-1:4:email" "$(short_plan 2026-11-04)"

# The simplest deletion: the only draft, the prenote, deleted unsent.
store deleted
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm invoice add E-1 --client Acme --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
followup_at 2026-09-28 >/dev/null
rm "$S"/Drafts/cur/*
followup_at 2026-09-29 >/dev/null
expect_eq "a prenote deleted unsent is not drafted again" "0" "$(drafts)"
expect_eq "it is recorded discarded" "discarded" "$(sqlite3 "$S/db" "SELECT state FROM drafts")"
followup_at 2026-10-06 >/dev/null
expect_eq "the next level still comes" "Reminder: invoice E-1 is now due" "$(header "$(newest_draft)" Subject)"

# ---------------------------------------------------------------------------
# The minimum interval: the user's own mail to the client counts as contact.
store interval
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm invoice add I-1 --client Acme --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
expect_eq "without mail from the user: the reminder" "I-1:2:email" "$(short_plan 2026-10-09)"
outgoing ap@acme.example "Invoice I-1" "Wed, 07 Oct 2026 16:00:00 +0200" own-1@studio.example
expect_eq "an outgoing mail 2 days ago: nothing" "-" "$(short_plan 2026-10-09)"
expect_eq "5 days after it (min_interval_days = 5): the reminder" "I-1:2:email" "$(short_plan 2026-10-12)"

# ---------------------------------------------------------------------------
# Promised: nothing before the promised date + 2 working days; then the
# promise is broken and the reminder says so.
store promise
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm invoice add P-1 --client Acme --amount 1250 --issued 2026-09-01 --due 2026-10-05 >/dev/null
mail ap@acme.example "Re: Invoice P-1" "Wed, 07 Oct 2026 10:00:00 +0000" p1@acme.example "We will pay on 20 October." | feed
expect_eq "promised: status" "promised" "$(status P-1)"
while read -r day want what; do
	expect_eq "promised: $day ($what)" "$want" "$(short_plan "$day")"
done <<'TABLE'
2026-10-08 -           after the promise: nothing
2026-10-20 -           the promised day: nothing
2026-10-22 -           promised + 2 working days: still nothing
2026-10-23 P-1:3:email the day after: the level due, reminder2
TABLE
expect_eq "promised: the reminder refers to the broken promise" "Acme|P-1|3|email|ap@acme.example||Invoice P-1: payment promised for 20 October 2026|P-1 is 18 days overdue: second reminder; promise of 2026-10-20 broken: reminder refers to it" "$(plan_at 2026-10-23)"
followup_at 2026-10-23 >/dev/null
expect_contains "promise-broken draft: the promised date and amount" "As agreed, payment of €1,250.00 was to reach us by 20 October 2026" "$(body "$(newest_draft)")"
expect_eq "report promises: broken" "Acme,P-1,2026-10-20,broken,2026-10-23" \
	"$(sdm --now 2026-10-23 report promises --state broken --format csv | tr -d '\r' | tail -n 1 | cut -d, -f1,2,4-)"
# The promise is made on the reply's Date, not on the day it was filtered.
expect_eq "report promises: made on the reply's day" "2026-10-07" \
	"$(sdm --now 2026-10-23 report promises --format csv | tr -d '\r' | tail -n 1 | cut -d, -f3)"
expect_eq "a broken promise leaves the invoice open" "open" "$(status P-1)"
clients=$(sdm --now 2026-10-23 report clients --format json)
expect_eq "report clients: the broken promise counted" "1" "$(printf '%s' "$clients" | jq -r '.[0].promises_broken')"

# ---------------------------------------------------------------------------
# The states a reply leaves, side by side: a dispute, a claimed payment, a
# partial payment, an auto-reply with a return date, a question waiting for
# the user.  All invoices are due on 2026-10-05; the mail arrives on the 7th.
store states
for c in Acme:A Beta:B Gamma:G Delta:D Eps:E; do
	sdm client add "${c%:*}" --email "ap@$(echo "${c%:*}" | tr A-Z a-z).example" --lang en --currency EUR >/dev/null
	sdm invoice add "${c#*:}-1" --client "${c%:*}" --amount 1250 --issued 2026-09-01 --due 2026-10-05 >/dev/null
done
mail ap@acme.example "Re: Invoice A-1" "Wed, 07 Oct 2026 10:00:00 +0000" a1@acme.example "We dispute this invoice, the work was not delivered." | feed
mail ap@beta.example "Re: Invoice B-1" "Wed, 07 Oct 2026 10:00:00 +0000" b1@beta.example "We have paid the invoice yesterday." | feed
sdm --now 2026-10-07 invoice paid G-1 --amount 1000 >/dev/null
mail ap@delta.example "Automatic reply: Invoice D-1" "Wed, 07 Oct 2026 10:00:00 +0000" ar@delta.example \
	"I am out of the office until 19 October 2026 with limited access to email." "Auto-Submitted: auto-replied" | feed
mail ap@eps.example "Re: Invoice E-1" "Wed, 07 Oct 2026 10:00:00 +0000" e1@eps.example "Could you send us a copy of the invoice?" | feed
while read -r number want; do
	expect_eq "states: $number is $want" "$want" "$(status "$number")"
done <<'TABLE'
A-1 disputed
B-1 paid
G-1 partial
D-1 open
E-1 open
TABLE
plan=$(plan_at 2026-10-08)
expect_eq "states: the whole plan of the 8th" "Acme|A-1|0|email|ap@acme.example||Re: invoice A-1|A-1 disputed: acknowledge the dispute
Acme|A-1|0|resolve_dispute||||A-1 is disputed: resolve the dispute
Beta|B-1|0|confirm_payment||||B-1: the client says it is paid; confirm the payment against the bank
Eps||0|reply_to_client||||the client's last message waits for your answer
Gamma|G-1|2|email|ap@gamma.example||Reminder: invoice G-1 is now due|G-1 is 3 days overdue: first reminder" "$plan"
skipped=$(sdm --now 2026-10-08 followup --dry-run)
expect_contains "states: why Delta waits" "Delta: away until 2026-10-19 (auto-reply) — no contact before then (waiting: D-1)" "$skipped"
expect_contains "states: why Eps waits" "Eps: reply owed — no reminder, answer the client first (waiting: E-1)" "$skipped"
expect_eq "auto-reply: nothing the day before the return" "" "$(plan_at 2026-10-16 | grep Delta)"
expect_eq "auto-reply: reminder2 on the return day" "Delta|D-1|3|email" "$(plan_at 2026-10-19 | grep Delta | cut -d'|' -f1-4)"
tasks=$(sdm --now 2026-10-08 tasks --format csv | tr -d '\r')
expect_eq "tasks: three, no e-mail" "client,invoices,level,channel,to,cc,subject,reason
Acme,A-1,0,resolve_dispute,,,,A-1 is disputed: resolve the dispute
Beta,B-1,0,confirm_payment,,,,B-1: the client says it is paid; confirm the payment against the bank
Eps,,0,reply_to_client,,,,the client's last message waits for your answer" "$tasks"
followup_at 2026-10-08 >/dev/null
expect_eq "states: two drafts written (dispute-ack, partial reminder)" "2" "$(drafts)"
for f in "$S"/Drafts/cur/*; do
	case $(header "$f" To) in
	*acme*) ack=$f ;;
	*gamma*) partial=$f ;;
	esac
done
expect_contains "dispute-ack: no further reminders promised" "We will not send any further reminders about this invoice until the matter is resolved." "$(body "$ack")"
expect_contains "partial: the draft shows the balance" "invoice G-1 for €250.00" "$(body "$partial")"
expect_eq "dispute: one acknowledgement only" "" "$(plan_at 2026-10-09 | grep 'Acme|A-1|0|email')"
expect_eq "dispute: the task stays" "Acme|A-1|0|resolve_dispute" "$(plan_at 2026-10-09 | grep Acme | cut -d'|' -f1-4)"
sdm invoice resolve A-1 >/dev/null
expect_eq "resolved: open again" "open" "$(status A-1)"
expect_eq "resolved: chasing resumes" "Acme|A-1|3|email" "$(plan_at 2026-10-19 | grep Acme | cut -d'|' -f1-4)"
sdm --now 2026-10-09 invoice paid B-1 >/dev/null
expect_eq "payment confirmed: no task, no reminder" "" "$(plan_at 2026-10-19 | grep Beta)"
expect_eq "partial: chasing continues for the balance" "Gamma|G-1|3|email" "$(plan_at 2026-10-19 | grep Gamma | cut -d'|' -f1-4)"
outgoing ap@eps.example "Re: Invoice E-1" "Thu, 08 Oct 2026 09:00:00 +0200" own-e1@studio.example "In-Reply-To: <e1@eps.example>"
expect_eq "answered: no task; reminder once the interval is over" "Eps|E-1|3|email" "$(plan_at 2026-10-19 | grep Eps | cut -d'|' -f1-4)"

# ---------------------------------------------------------------------------
# Bounces: the next level goes to another address when the client has one;
# with none left, a call to get a working address replaces the e-mail.
store bounce
sdm client add Two --email old@two.example --email new@two.example --lang en --currency EUR >/dev/null
sdm client add One --email only@one.example --lang en --currency EUR >/dev/null
sdm invoice add T-1 --client Two --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm invoice add O-1 --client One --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
bounce() { # FAILED-ADDRESS NUMBER ID
	printf 'From: MAILER-DAEMON@mx.studio.example\nTo: anna@studio.example\nSubject: Undelivered Mail Returned to Sender\nDate: Tue, 06 Oct 2026 10:00:00 +0200\nMessage-ID: <%s@mx.studio.example>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n--B\nContent-Type: text/plain\n\nThe mail system could not deliver your message.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.studio.example\n\nFinal-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\n\n--B\nContent-Type: text/rfc822-headers\n\nFrom: anna@studio.example\nTo: %s\nSubject: Invoice %s\nMessage-ID: <rem-%s@studio.example>\n\n--B--\n' \
		"$3" "$1" "$1" "$2" "$3" | feed
}
bounce old@two.example T-1 b1
bounce only@one.example O-1 b2
plan=$(plan_at 2026-10-19)
expect_eq "bounce: the reminder goes to the other address" "Two|T-1|3|email|new@two.example" "$(printf '%s\n' "$plan" | grep '^Two' | cut -d'|' -f1-5)"
expect_eq "bounce: no address left, a call for a working one" "One|O-1|3|fix_address||||O-1 is 14 days overdue: second reminder; every address bounced (only@one.example): call the client instead and ask for a working address" "$(printf '%s\n' "$plan" | grep '^One')"
expect_contains "bounce: the reason names the other address" "old@two.example bounced, to new@two.example instead" "$plan"

# ---------------------------------------------------------------------------
# The consolidated reminder: two invoices due at the same level, one draft.
store statement
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm invoice add S-1 --client Acme --amount 1250 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm invoice add S-2 --client Acme --amount 980.50 --issued 2026-09-02 --due 2026-10-05 >/dev/null
expect_eq "statement: one item for both" "S-1, S-2:2:email" "$(short_plan 2026-10-06)"
followup_at 2026-10-06 >/dev/null
expect_eq "statement: one draft" "1" "$(drafts)"
f=$(newest_draft)
expect_eq "statement: both numbers in X-Dunmail-Invoice" "S-1, S-2" "$(header "$f" X-Dunmail-Invoice)"
b=$(body "$f")
expect_contains "statement: lists S-1" "S-1" "$b"
expect_contains "statement: lists S-2 with its amount" "€980.50" "$b"
expect_contains "statement: the total" "€2,230.50" "$b"

# ---------------------------------------------------------------------------
# Holidays, the threshold, never-chase and a pause.
store calendar "[policy]" "holidays = 2026-10-06; 2026-12-25" "threshold = 50.00"
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm client add Small --email ap@small.example --lang en --currency EUR >/dev/null
sdm client add Never --email ap@never.example --lang en --currency EUR >/dev/null
sdm client add Later --email ap@later.example --lang en --currency EUR >/dev/null
sdm invoice add H-1 --client Acme --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm invoice add H-2 --client Small --amount 49.99 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm invoice add H-3 --client Never --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm invoice add H-4 --client Later --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm client set Never --never-chase >/dev/null
sdm client set Later --pause-until 2026-10-14 >/dev/null
expect_eq "a holiday: nothing" "-" "$(short_plan 2026-10-06)"
expect_eq "the next working day: reminder1, not the small balance, not never-chase, not paused" \
	"H-1:2:email" "$(short_plan 2026-10-07)"
expect_eq "a balance at the threshold is chased, the one below it not" "H-5" \
	"$(sdm invoice add H-5 --client Small --amount 50.00 --issued 2026-09-01 --due 2026-10-05 >/dev/null; plan_at 2026-10-07 | grep '^Small' | cut -d'|' -f2)"
expect_eq "paused: nothing the day before the pause ends" "" "$(plan_at 2026-10-13 | grep '^Later')"
expect_eq "paused: chasing on the day it ends" "Later|H-4|2|email" "$(plan_at 2026-10-14 | grep '^Later' | cut -d'|' -f1-4)"
expect_eq "never-chase: nothing, even at the final level" "" "$(plan_at 2026-11-19 | grep '^Never')"
sdm client set Never --chase >/dev/null
expect_eq "chase again: the highest level due" "Never|H-3|5|email" "$(plan_at 2026-11-19 | grep '^Never' | cut -d'|' -f1-4)"

# ---------------------------------------------------------------------------
# The final notice with charges: EU statutory interest on a worked example.
# 10 000.00 EUR due Monday 2026-06-01, final notice on +45 (2026-07-16):
# 29 days of June at 2.00 + 8.00 = 10 %, 16 days of July at 3.00 + 8.00 = 11 %,
# Actual/365: 1 000 000 cents x (29 x 1000 + 16 x 1100) / (10 000 x 365)
# = 12 767.12 cents = 127.67; plus the 25.00 late fee and 40.00 compensation.
store statutory "[policy]" "interest = statutory" "reference_rates = 2026-01-01=2.00; 2026-07-01=3.00" \
	"compensation = 40.00" "late_fee = 25.00"
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm invoice add F-1 --client Acme --amount 10000 --issued 2026-05-01 --due 2026-06-01 >/dev/null
expect_eq "statutory: the final notice on +45" "F-1:5:email" "$(short_plan 2026-07-16)"
followup_at 2026-07-16 >/dev/null
b=$(body "$(newest_draft)")
while IFS='|' read -r what line; do
	expect_contains "statutory: $what" "$line" "$b"
done <<'TABLE'
balance|Outstanding balance: €10,000.00
interest across two half-years|Late-payment interest: €127.67
late fee|Late-payment fee: €25.00
compensation|Fixed compensation for recovery costs (EU Late Payment Directive 2011/7/EU): €40.00
total|Total due: €10,192.67
TABLE
# The default policy has no charges: the final notice shows none.
store nocharges
sdm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
sdm invoice add F-2 --client Acme --amount 10000 --issued 2026-05-01 --due 2026-06-01 >/dev/null
followup_at 2026-07-16 >/dev/null
b=$(body "$(newest_draft)")
expect_eq "no charges: no interest line" "" "$(printf '%s\n' "$b" | grep -e 'interest:' -e 'fee:')"
expect_contains "no charges: the total is the balance" "Total due: €10,000.00" "$b"

# ---------------------------------------------------------------------------
# Reminder3 offers a payment plan; plan_offer = false leaves the offer out.
store offer "[policy:noplan]" "plan_offer = false"
sdm client add Acme --email ap@acme.example --cc boss@acme.example --lang en --currency EUR >/dev/null
sdm client add Firm --email ap@firm.example --lang en --currency EUR >/dev/null
sdm client set Firm --policy noplan >/dev/null
sdm invoice add R-1 --client Acme --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm invoice add R-2 --client Firm --amount 100 --issued 2026-09-01 --due 2026-10-05 >/dev/null
followup_at 2026-11-04 >/dev/null
for f in "$S"/Drafts/cur/*; do
	case $(header "$f" To) in
	*acme*) with=$f ;;
	*firm*) without=$f ;;
	esac
done
expect_eq "reminder3: Cc the escalation contact" "boss@acme.example" "$(header "$with" Cc)"
expect_contains "reminder3: the plan offer" "we are happy to agree a payment plan" "$(body "$with")"
expect_eq "plan_offer = false: no offer" "" "$(body "$without" | grep 'payment plan')"

# ---------------------------------------------------------------------------
# A payment plan: the instalments are chased on their own, the invoice not.
store instalments
sdm client add Nowak --email billing@nowak.example.pl --lang pl --currency PLN >/dev/null
sdm invoice add P-9 --client Nowak --amount 1000 --issued 2026-09-01 --due 2026-09-15 >/dev/null
sdm --now 2026-09-20 plan P-9 --parts 2 --every 30 --first 2026-10-05 >/dev/null
expect_eq "plan: the first instalment's reminder" "P-9/1:2:email" "$(short_plan 2026-10-06)"
sdm --now 2026-10-07 invoice paid P-9/1 >/dev/null
expect_eq "plan: the second instalment's prenote, the paid one not chased" "P-9/2:1:email" "$(short_plan 2026-10-28)"
expect_eq "plan: the second instalment's reminder" "P-9/2:2:email" "$(short_plan 2026-11-05)"

# ---------------------------------------------------------------------------
# A reminder in each of the eight languages: the amount and the due date
# written the client's way (locale.h).  In the table "~" stands for U+00A0
# (no-break space) and "^" for U+202F (narrow no-break space).
store languages
while read -r lang currency amount; do
	sdm client add "C-$lang" --email "ap@$lang.example" --lang "$lang" --currency "$currency" >/dev/null
	sdm invoice add "N-$lang" --client "C-$lang" --amount "$amount" --issued 2026-09-01 --due 2026-10-05 >/dev/null
done <<'TABLE'
en GBP 1250
pl PLN 1250
bg BGN 2400
nl EUR 1250
ro RON 1250
es EUR 1250
de EUR 1250
fr EUR 1250
TABLE
followup_at 2026-10-06 >/dev/null
expect_eq "languages: eight drafts" "8" "$(drafts)"
while IFS='|' read -r lang money date; do
	f=$(grep -l "^To: C-$lang " "$S"/Drafts/cur/*)
	b=$(body "$f")
	money=$(printf '%s' "$money" | sed 's/~/\xc2\xa0/g; s/\^/\xe2\x80\xaf/g')
	expect_contains "$lang: the amount" "$money" "$b"
	expect_contains "$lang: the due date" "$date" "$b"
done <<'TABLE'
en|£1,250.00|due on 5 October 2026
pl|1~250,00~zł|płatna do 5 października 2026
bg|2~400,00~лв.|с падеж 5 октомври 2026 г.
nl|€~1.250,00|met vervaldatum 5 oktober 2026
ro|1.250,00~lei|scadentă la 5 octombrie 2026
es|1.250,00~€|con vencimiento el 5 de octubre de 2026
de|1.250,00~€|fällig am 5. Oktober 2026
fr|1^250,00~€|échue le 5 octobre 2026
TABLE
# One message disputing two invoices: one acknowledgement that names both,
# in the plural.
store disputes
sdm client add Zeta --email ap@zeta.example --lang en --currency EUR >/dev/null
sdm invoice add Z-1 --client Zeta --amount 1250 --issued 2026-09-01 --due 2026-10-05 >/dev/null
sdm invoice add Z-2 --client Zeta --amount 800 --issued 2026-09-03 --due 2026-10-05 >/dev/null
sdm invoice add Z-3 --client Zeta --amount 300 --issued 2026-08-01 --due 2026-08-31 >/dev/null
mail ap@zeta.example "Re: Invoices Z-1 and Z-2" "Wed, 07 Oct 2026 10:00:00 +0000" z1@zeta.example \
	"We dispute invoices Z-1 and Z-2: the work was not delivered." | feed
expect_eq "two disputes: both invoices disputed" "disputed disputed" "$(status Z-1) $(status Z-2)"
followup_at 2026-10-08 >/dev/null
expect_eq "two disputes: one acknowledgement" "1" "$(drafts)"
f=$(newest_draft)
expect_eq "two disputes: the subject names both" "Re: invoices Z-1, Z-2" "$(header "$f" Subject)"
expect_contains "two disputes: the body names both, in the plural" "regarding invoices Z-1, Z-2." "$(body "$f")"
expect_contains "two disputes: no reminders for these invoices" "about these invoices until" "$(body "$f")"
# Z-3's reminder waited for the acknowledgement: one contact a day, also
# when followup runs again that day.
followup_at 2026-10-08 >/dev/null
expect_eq "a second run the same day adds no second contact" "1" "$(drafts)"
expect_contains "and says why" "Zeta: today's contact is already planned and waits for you (waiting: Z-3)" \
	"$(sdm --now 2026-10-08 followup --dry-run)"
# The client wrote on the 7th: like the user's own mail, its reply rests
# the reminders for min_interval_days (5).
followup_at 2026-10-09 >/dev/null
expect_eq "the next day the reminder still rests after the client's reply" "1" "$(drafts)"
expect_contains "and says why" "Zeta: the client wrote on 2026-10-07 — no reminder before 2026-10-12 (min_interval_days = 5) (waiting: Z-3)" \
	"$(sdm --now 2026-10-09 followup --dry-run)"
followup_at 2026-10-12 >/dev/null
expect_eq "the reminder follows once the rest is over" "2" "$(drafts)"

done_testing
