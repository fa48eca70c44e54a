#!/bin/sh
# A final notice for several invoices at once (the consolidated "statement"
# draft) lists each invoice's late fee and interest, as a single one does.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.ini" <<'CONF'
[identity]
name = Anna Kowalska
addresses = anna@studio.example
payment_details = IBAN DE00 1234
[policy]
late_fee = 40.00
interest = fixed
interest_rate = 8.00
CONF
dm init >/dev/null
dm client add "Acme" --email ap@acme.example --lang en >/dev/null
# Both due on Monday 2026-10-05; the final notice (+45) falls on Thursday 2026-11-19.
dm invoice add S-1 --client Acme --amount 1000.00 --currency EUR --issued 2026-09-05 --due 2026-10-05 >/dev/null
dm invoice add S-2 --client Acme --amount 500.00 --currency EUR --issued 2026-09-05 --due 2026-10-05 >/dev/null
plan=$(dm --now 2026-11-19 followup --dry-run --format csv | tr -d '\r')
expect_contains "one consolidated final notice for both" "Acme,\"S-1, S-2\",5,email" "$plan"
expect_exit "followup writes it" 0 dm --now 2026-11-19 followup --drafts "maildir:$T/Drafts"
draft=$(ls "$T"/Drafts/cur/* 2>/dev/null | head -n 1)
body=$(python3 -c 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); print(m.get_payload(decode=True).decode("utf-8"))' "$draft")
expect_contains "S-1 with its late fee" "late fee €40.00" "$(printf '%s\n' "$body" | grep 'S-1')"
expect_contains "S-1 with its interest (1000 x 8% x 45/365 = 9.86)" "interest €9.86" "$(printf '%s\n' "$body" | grep 'S-1')"
expect_contains "S-2 with its own interest (4.93)" "interest €4.93" "$(printf '%s\n' "$body" | grep 'S-2')"
done_testing
