#!/bin/sh
# make demo: dunmail's main job on bundled sample data, no server needed.
# A design studio's invoices are imported, its mailbox (contrib/demo/mail)
# flows through `dunmail filter` as procmail would deliver it, and the demo
# shows what dunmail understood and where every invoice stands.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/demo"
rm -rf "$out"
mkdir -p "$out"
DUNMAIL="$top/build/dunmail"
NOW=2026-11-22
cat > "$out/config" <<CONF
[identity]
name = Anna Kowalska
addresses = anna@studio-kowalska.example
signature = Anna Kowalska\nStudio Kowalska, ul. Mokotowska 12, 00-640 Warszawa
payment_details = Studio Kowalska, IBAN PL61 1090 1014 0000 0712 1981 2874, BIC WBKPPLPP
company = Studio Kowalska
postal_address = ul. Mokotowska 12\n00-640 Warszawa
[followup]
drafts = maildir:$out/Drafts
CONF
dm() { "$DUNMAIL" --config "$out/config" --db "$out/dunmail.db" --now "$NOW" "$@"; }

echo "== dunmail demo: Studio Kowalska's mailbox, as of $NOW"
dm init >/dev/null
dm invoice import "$top/contrib/demo/invoices.csv"
echo
echo "== The mailbox, delivered through 'dunmail filter --annotate'"
for message in "$top"/contrib/demo/mail/*.eml; do
	dm filter --annotate < "$message" > "$out/delivered.eml" 2>>"$out/filter.log"
	class=$(sed -n 's/^X-Dunmail-Class: //p' "$out/delivered.eml" | head -n 1 | tr -d '\r')
	invoice=$(sed -n 's/^X-Dunmail-Invoice: //p' "$out/delivered.eml" | head -n 1 | tr -d '\r')
	printf '  %-34s %-22s %s\n' "$(basename "$message")" "$class" "$invoice"
done
echo
echo "== Invoices"
dm invoice list
echo
echo "== Aging report"
dm report aging
echo
echo "== Why is MU-2026-009 disputed?"
dm invoice show MU-2026-009 | sed -n '/^Timeline/,$p'
echo
echo "== Promises"
dm report promises
echo
# 2026-11-22 is a Sunday: reminders are for working days.
MORNING=2026-11-23
echo "== Monday morning ($MORNING): follow-ups, drafts written into $out/Drafts"
dm --now $MORNING followup
echo
echo "== Tasks for Monday"
dm --now $MORNING tasks
echo
draft=$(ls "$out"/Drafts/cur/* 2>/dev/null | head -n 1)
if [ -n "$draft" ]; then
	echo "== One of the drafts, as your mail client will show it"
	cat "$draft"
	echo
fi
letter=$(ls "$out"/letters/*.txt 2>/dev/null | head -n 1)
if [ -n "$letter" ]; then
	echo "== A letter of the last level, ready to print ($letter)"
	cat "$letter"
	echo
fi
echo "Everything is in $out (dunmail.db, config, Drafts/, letters/). Try:"
echo "  $DUNMAIL --db $out/dunmail.db --now $NOW invoice show FV/2026/10/031"
echo "  $DUNMAIL --db $out/dunmail.db classify --explain < contrib/demo/mail/10-reply-nowak-promise.eml"
