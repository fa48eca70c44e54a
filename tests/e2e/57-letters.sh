#!/bin/sh
# The letter level of the ladder: followup renders the letter into a file
# to print and post (both postal addresses, the date, every invoice with
# its charges, in the client's language), records it as a task that
# `tasks` lists with the file, and without a postal address it says what
# is missing and still records the task.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.ini" <<'CONF'
[identity]
name = Anna Kowalska
addresses = anna@studio.example
payment_details = IBAN DE00 1234
company = Studio Kowalska
postal_address = Hauptstraße 1\n10115 Berlin
[policy]
late_fee = 40.00
interest = fixed
interest_rate = 8.00
CONF
dm init >/dev/null
dm client add Acme --email ap@acme.example --lang en --address "1 High Street" --address "London EC1A 1AA" >/dev/null
# Due on Monday 2026-10-05: the letter (+60) falls on Friday 2026-12-04.
dm invoice add L-1 --client Acme --amount 1000.00 --currency EUR --issued 2026-09-05 --due 2026-10-05 >/dev/null
dm invoice add L-2 --client Acme --amount 500.00 --currency EUR --issued 2026-09-05 --due 2026-10-05 >/dev/null

plan=$(dm --now 2026-12-04 followup --dry-run --format csv 2>&1 | tr -d '\r')
expect_contains "the dry run plans one letter for both invoices" 'Acme,"L-1, L-2",7,letter,,,"Final notice: invoices L-1, L-2","L-1, L-2 are due: letter, one letter for 2 invoices"' "$plan"
expect_eq "the dry run writes no letter" "" "$(ls "$T/letters" 2>/dev/null)"

out=$(dm --now 2026-12-04 followup --drafts "maildir:$T/Drafts" --format csv 2>&1 | tr -d '\r')
letter="$T/letters/2026-12-04-acme-l-1-l-2.txt"
expect_contains "followup names the letter's file, beside the database" "Acme,\"L-1, L-2\",7,letter,$letter,,\"Final notice: invoices L-1, L-2\"," "$out"
if [ -f "$letter" ]; then ok "the letter is written"; else not_ok "the letter is written" "$(ls -R "$T")"; fi
text=$(cat "$letter" 2>/dev/null)
expect_contains "sender: company" "Studio Kowalska" "$text"
expect_contains "sender: postal address, line by line" "Hauptstraße 1
10115 Berlin" "$text"
expect_contains "client: name, then the postal address line by line" "Acme
1 High Street
London EC1A 1AA" "$text"
expect_contains "the letter's date" "4 December 2026" "$text"
expect_contains "the title names both invoices" "FINAL NOTICE: INVOICES L-1, L-2" "$text"
expect_contains "L-1 with its own charges" "L-1: €1,000.00; late-payment interest €13.15; late-payment fee €40.00" "$text"
expect_contains "L-2 with its own charges" "L-2: €500.00; late-payment interest €6.58; late-payment fee €40.00" "$text"
expect_contains "the total of both" "Total due: €1,599.73" "$text"
expect_contains "how to pay" "IBAN DE00 1234" "$text"

tasks=$(dm --now 2026-12-07 tasks --format csv | tr -d '\r')
expect_contains "tasks lists the letter with its file" "Acme,\"L-1, L-2\",7,letter,$letter,," "$tasks"
expect_eq "the letter is not made again" "" "$(dm --now 2026-12-07 followup --drafts "maildir:$T/Drafts" --format csv | tr -d '\r' | grep letter)"
expect_exit "tasks done L-1: posted" 0 dm tasks done L-1

# The client's language; --letters chooses the directory.
dm client add Nowak --email biuro@nowak.example.pl --lang pl --address "ul. Długa 5" --address "00-001 Warszawa" >/dev/null
dm invoice add FV/1 --client Nowak --amount 2000.00 --currency PLN --issued 2026-09-05 --due 2026-10-05 >/dev/null
expect_exit "followup --letters" 0 dm --now 2026-12-04 followup --drafts "maildir:$T/Drafts" --letters "$T/out"
pl="$T/out/2026-12-04-nowak-fv-1.txt"
text=$(cat "$pl" 2>/dev/null)
expect_contains "a Polish letter" "OSTATECZNE WEZWANIE DO ZAPŁATY" "$text"
expect_contains "one invoice: the singular" "faktury nr FV/1 z dnia" "$text"
expect_contains "the Polish date" "4 grudnia 2026" "$text"

# No postal address: the warning says what to add; the task still waits.
dm client add Beta --email ap@beta.example --lang en >/dev/null
dm invoice add B-1 --client Beta --amount 300.00 --currency EUR --issued 2026-09-05 --due 2026-10-05 >/dev/null
out=$(dm --now 2026-12-04 followup --drafts "maildir:$T/Drafts" --format csv 2>&1 | tr -d '\r')
expect_contains "without an address: what to do" 'Beta: the letter cannot be made: Beta has no postal address: dunmail client set "Beta" --address LINE' "$out"
expect_contains "without an address: the task is recorded" "Beta,B-1,7,letter,,,," "$out"
expect_contains "tasks lists it, without a file" "Beta,B-1,7,letter,,,," "$(dm --now 2026-12-07 tasks --format csv | tr -d '\r')"

# Bad configuration: an empty [followup] letters names the line.
printf '[followup]\nletters =\n' >> "$T/config.ini"
dm invoice add B-2 --client Beta --amount 300.00 --currency EUR --issued 2026-09-05 --due 2026-10-05 >/dev/null
expect_exit "an empty [followup] letters is a config error" 78 dm --now 2026-12-04 followup --drafts "maildir:$T/Drafts"
expect_contains "the error names the line" "config.ini:" "$LAST_OUTPUT"
done_testing
