#!/bin/sh
# Payment plans, chasing overrides, early-payment discounts, and the
# promises and clients reports.
. "$(dirname "$0")/lib.sh"

printf '[identity]\naddresses = anna@studio.example\n' > "$T/config.ini"
dm init >/dev/null
dm client add "Nowak" --email billing@nowak.example.pl --currency PLN >/dev/null
dm client add "Acme" --email ap@acme.example --currency GBP >/dev/null
dm --now 2026-09-01 invoice add P-1 --client Nowak --amount 1000.00 --issued 2026-09-01 --due 2026-09-15 >/dev/null

# Plan: 1000.00 in three parts, the first carries the remainder.
expect_exit "plan" 0 dm --now 2026-11-22 plan P-1 --parts 3 --every 30 --first 2026-12-01
expect_contains "plan lists the instalments" "P-1/1  333.34 PLN  due 2026-12-01" "$LAST_OUTPUT"
expect_contains "the third instalment" "P-1/3  333.33 PLN  due 2027-01-30" "$LAST_OUTPUT"
expect_exit "a second plan is refused" 65 dm plan P-1 --parts 2 --every 10
expect_exit "too few parts" 64 dm plan P-1 --parts 1 --every 10
show=$(dm invoice show P-1)
expect_contains "invoice show lists the plan" "Payment plan:" "$show"
expect_contains "the plan event" "payment plan: 3 instalments every 30 days from 2026-12-01" "$show"
expect_eq "the instalments carry the balance (aging)" "TOTAL,PLN,1000.00,0.00,0.00,0.00,0.00,1000.00,3" \
	"$(dm --now 2026-11-22 report aging --format csv | tr -d '\r' | grep '^TOTAL')"
expect_exit "paying the planned invoice is refused" 65 dm invoice paid P-1
for i in 1 2 3; do dm --now 2026-12-0$i invoice paid "P-1/$i" >/dev/null; done
expect_contains "the last instalment settles the plan" "status" "$(dm invoice list --status paid --format csv)"
expect_eq "P-1 is paid" "paid" "$(dm invoice list --format json | tr -d ' \n' | sed 's/},{/}\n{/g' | grep '"number":"P-1"' | sed 's/.*"status":"\([a-z_]*\)".*/\1/')"

# Chasing overrides.
expect_exit "client set" 0 dm client set Acme --pause-until 2026-12-15 --never-chase --policy gentle
show=$(dm client show Acme)
expect_contains "pause shown" "Paused until:  2026-12-15" "$show"
expect_contains "never chase shown" "Never chase:   yes" "$show"
expect_contains "policy shown" "Policy:        gentle" "$show"
expect_exit "contradictory options" 64 dm client set Acme --chase --never-chase
expect_exit "a bad date" 65 dm client set Acme --pause-until 2026-13-01
expect_exit "chase again" 0 dm client set Acme --chase --no-pause --default-policy
expect_eq "overrides cleared" "" "$(dm client show Acme | grep -E 'Paused|Never|Policy')"

# Discounts.
expect_exit "invoice with an early-payment discount" 0 dm invoice add D-1 --client Acme --amount 500 --issued 2026-11-20 --due 2026-12-20 --discount 2 --discount-days 10
expect_contains "discount shown" "Discount: 2.00 % if paid within 10 days" "$(dm invoice show D-1)"
expect_exit "a discount needs days" 64 dm invoice add D-2 --client Acme --amount 500 --discount 2

# Promises and the clients report.
dm invoice add N-1 --client Nowak --amount 200 --issued 2026-10-01 --due 2026-10-15 >/dev/null
dm invoice add N-2 --client Nowak --amount 300 --issued 2026-10-01 --due 2026-10-15 >/dev/null
printf 'From: billing@nowak.example.pl\nTo: anna@studio.example\nSubject: Re: N-1\nDate: Mon, 16 Nov 2026 09:00:00 +0100\nMessage-ID: <p1@nowak.example.pl>\n\nZapłacimy do piątku.\n' | dm filter --observe
printf 'From: billing@nowak.example.pl\nTo: anna@studio.example\nSubject: Re: N-2\nDate: Mon, 16 Nov 2026 09:05:00 +0100\nMessage-ID: <p2@nowak.example.pl>\n\nZapłacimy do 18 listopada.\n' | dm filter --observe
dm --now 2026-11-19 invoice paid N-1 >/dev/null
promises=$(dm --now 2026-11-30 report promises --format csv | tr -d '\r')
expect_contains "a kept promise, made on the reply's day" "Nowak,N-1,2026-11-16,2026-11-20,kept,2026-11-19" "$promises"
expect_contains "an open promise" "Nowak,N-2,2026-11-16,2026-11-18,open," "$promises"
expect_exit "bad --state" 64 dm report promises --state lost
clients=$(dm --now 2026-11-30 report clients --format json)
expect_contains "clients report: grade" '"grade" : "' "$clients"
expect_contains "clients report: kept promise counted" '"promises_kept" : 1' "$clients"
expect_contains "clients report: open balance" '"open_balance" : "300.00"' "$clients"
done_testing
