#!/bin/sh
# The aging report on its day boundaries, per client and currency, as of --now.
. "$(dirname "$0")/lib.sh"

printf '[identity]\naddresses = me@studio.example\n' > "$T/config.ini"
dm init >/dev/null
dm client add "Alpha" --email a@alpha.example >/dev/null
dm client add "Beta" --email b@beta.example >/dev/null
# Today is 2026-11-22.  Each invoice is due N days before today.
add() { # number client amount currency due
	dm invoice add "$1" --client "$2" --amount "$3" --currency "$4" --issued 2026-01-01 --due "$5" >/dev/null ||
		not_ok "adding $1"
}
add A-0   Alpha 1.00   EUR 2026-11-22   # due today: not due
add A-M1  Alpha 2.00   EUR 2026-11-23   # due tomorrow: not due
add A-1   Alpha 10.00  EUR 2026-11-21   # 1 day: 1-30
add A-30  Alpha 20.00  EUR 2026-10-23   # 30 days: 1-30
add A-31  Alpha 40.00  EUR 2026-10-22   # 31 days: 31-60
add A-60  Alpha 80.00  EUR 2026-09-23   # 60 days: 31-60
add A-61  Alpha 160.00 EUR 2026-09-22   # 61 days: 61-90
add A-90  Alpha 320.00 EUR 2026-08-24   # 90 days: 61-90
add A-91  Alpha 640.00 EUR 2026-08-23   # 91 days: 90+
add A-GBP Alpha 5.00   GBP 2026-11-01   # 21 days, another currency
add B-1   Beta  7.00   EUR 2026-10-01   # 52 days: 31-60
add B-PD  Beta  9.00   EUR 2026-10-01
add B-WO  Beta  11.00  EUR 2026-10-01
dm invoice paid B-PD >/dev/null
dm invoice writeoff B-WO >/dev/null
add B-PT  Beta  100.00 EUR 2026-11-30
dm invoice paid B-PT --amount 60 >/dev/null   # partial: 40.00 left, not due

csv=$(dm report aging --now 2026-11-22 --format csv | tr -d '\r')
expect_eq "csv header" "client,currency,not_due,days_1_30,days_31_60,days_61_90,days_over_90,total,invoices" \
	"$(printf '%s\n' "$csv" | sed -n 1p)"
expect_eq "Alpha EUR: day boundaries" "Alpha,EUR,3.00,30.00,120.00,480.00,640.00,1273.00,9" \
	"$(printf '%s\n' "$csv" | grep '^Alpha,EUR')"
expect_eq "Alpha GBP kept apart" "Alpha,GBP,0.00,5.00,0.00,0.00,0.00,5.00,1" \
	"$(printf '%s\n' "$csv" | grep '^Alpha,GBP')"
expect_eq "Beta: paid and written off left out, partial balance counted" \
	"Beta,EUR,40.00,0.00,7.00,0.00,0.00,47.00,2" "$(printf '%s\n' "$csv" | grep '^Beta,EUR')"
expect_eq "total EUR" "TOTAL,EUR,43.00,30.00,127.00,480.00,640.00,1320.00,11" \
	"$(printf '%s\n' "$csv" | grep '^TOTAL,EUR')"
expect_eq "total GBP" "TOTAL,GBP,0.00,5.00,0.00,0.00,0.00,5.00,1" \
	"$(printf '%s\n' "$csv" | grep '^TOTAL,GBP')"

# A day later every boundary moves by one.
csv=$(dm report aging --now 2026-11-23 --format csv | tr -d '\r')
expect_eq "one day later" "Alpha,EUR,2.00,11.00,60.00,240.00,960.00,1273.00,9" \
	"$(printf '%s\n' "$csv" | grep '^Alpha,EUR')"

json=$(dm report aging --now 2026-11-22 --format json)
expect_contains "json total line has a null client" '"client" : null' "$json"
expect_contains "json amounts are decimal strings" '"days_over_90" : "640.00"' "$json"
table=$(dm report aging --now 2026-11-22)
expect_contains "table header" "Not due" "$table"
expect_contains "table total" "TOTAL" "$table"
expect_exit "unknown format" 64 dm report aging --format xml
done_testing
