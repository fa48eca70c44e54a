#!/bin/sh
# dunmail filter: byte-for-byte pass-through of every message we have and
# of garbage, --annotate and --observe, duplicates, and mail that is never
# lost when the configuration or the database is broken.
. "$(dirname "$0")/lib.sh"

cat > "$T/config.ini" <<'CONF'
[identity]
name = Anna Kowalska
addresses = anna@studio.example
CONF
dm init >/dev/null
dm client add "Nowak" --email billing@nowak.example.pl >/dev/null
dm invoice add FV/2026/11/045 --client Nowak --amount 4800 --currency PLN --issued 2026-11-01 --due 2026-11-15 --message-id '<inv-045@studio.example>' >/dev/null

# pass_through DESCRIPTION FILE [ARGS...]: output must equal input, exit 0.
pass_through() {
	d=$1 f=$2; shift 2
	if dm filter "$@" < "$f" > "$T/out" 2>"$T/err"; then
		if cmp -s "$f" "$T/out"; then ok "$d"; else not_ok "$d" "output differs from input"; fi
	else
		not_ok "$d" "exit $?: $(head -c 300 "$T/err")"
	fi
}

# Every message of the project's own corpus and of the shared fixtures.
count=0 bad=""
for f in "$SRC"/tests/mail/replies/*/*.eml "$SRC"/contrib/demo/mail/*.eml; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	if ! dm filter < "$f" > "$T/out" 2>/dev/null || ! cmp -s "$f" "$T/out"; then bad="$bad $f"; fi
done
[ -z "$bad" ] && ok "own corpus byte-identical ($count messages)" || not_ok "own corpus byte-identical" "$bad"
if [ -d "$SRC/../shared/fixtures" ]; then
	count=0 bad=""
	for f in $(find "$SRC/../shared/fixtures" -type f ! -name LICENSE ! -name COMMIT ! -name '*.md'); do
		count=$((count + 1))
		if ! dm filter < "$f" > "$T/out" 2>/dev/null || ! cmp -s "$f" "$T/out"; then bad="$bad $f"; fi
	done
	[ -z "$bad" ] && ok "shared fixtures byte-identical ($count files)" || not_ok "shared fixtures byte-identical" "$bad"
else
	skip "shared fixtures byte-identical" "../shared/fixtures is absent"
fi

# Garbage.
: > "$T/empty"
pass_through "empty input" "$T/empty"
head -c 200000 /dev/urandom > "$T/binary"
pass_through "binary garbage" "$T/binary"
printf 'From: a@b.example\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhalf a part' > "$T/truncated"
pass_through "truncated MIME" "$T/truncated"
printf 'From someone@example.com Sat Nov 21 10:00:00 2026\nFrom: a@b.example\nSubject: mbox\n\nbody\n' > "$T/mbox"
pass_through "leading mbox From line" "$T/mbox"
printf 'Subject: no end of line' > "$T/noeol"
pass_through "no final newline" "$T/noeol"
{ printf 'From: big@example.com\nSubject: big\n\n'; head -c 31457280 /dev/zero | tr '\0' 'a'; } > "$T/big"
pass_through "30 MB message (above the size cap)" "$T/big"
expect_contains "oversize is logged" "larger than max_size" "$(cat "$T/err")"

# A reply: annotate adds two headers and changes nothing else.
cat > "$T/reply.eml" <<'MAIL'
From: Jan Nowak <billing@nowak.example.pl>
To: anna@studio.example
Subject: Re: Faktura FV/2026/11/045
Date: Wed, 18 Nov 2026 09:12:00 +0100
Message-ID: <reply-1@nowak.example.pl>
In-Reply-To: <inv-045@studio.example>
References: <inv-045@studio.example>
Content-Type: text/plain; charset=utf-8

Dzień dobry,

zapłacimy do piątku.

Pozdrawiam
Jan
MAIL
dm filter --annotate < "$T/reply.eml" > "$T/annotated" 2>"$T/err"
expect_eq "annotate exit 0" "0" "$?"
expect_eq "annotate adds exactly two lines" "$(( $(wc -l < "$T/reply.eml") + 2 ))" "$(wc -l < "$T/annotated")"
expect_eq "annotate: invoice header" "X-Dunmail-Invoice: FV/2026/11/045" "$(sed -n 1p "$T/annotated")"
expect_eq "annotate: class header with the promised date" "X-Dunmail-Class: promised 2026-11-20" "$(sed -n 2p "$T/annotated")"
if tail -n +3 "$T/annotated" | cmp -s - "$T/reply.eml"; then ok "annotate: the rest unchanged"; else not_ok "annotate: the rest unchanged"; fi
expect_contains "the promise is recorded on the invoice" '"promised_date" : "2026-11-20"' "$(dm invoice list --format json)"
events=$(dm invoice show FV/2026/11/045)
expect_contains "the event names the message" "reply-1@nowak.example.pl" "$events"
expect_contains "the event names the rule" "rule pl.promise" "$events"

# The same message again: no second row, no second event.
before=$(dm invoice show FV/2026/11/045 --format csv | wc -l)
pass_through "a duplicate passes through" "$T/reply.eml"
expect_eq "a duplicate adds no event" "$before" "$(dm invoice show FV/2026/11/045 --format csv | wc -l)"
expect_eq "a duplicate adds no message row" "1" "$(sqlite3 "$T/dunmail.db" "SELECT count(*) FROM messages WHERE message_id='reply-1@nowak.example.pl'")"

# CRLF mail with --annotate keeps CRLF in the added headers.
sed 's/$/\r/' "$T/reply.eml" | sed 's/reply-1@/reply-2@/' > "$T/crlf.eml"
dm filter --annotate < "$T/crlf.eml" > "$T/annotated"
expect_eq "annotate uses the message's CRLF" "X-Dunmail-Invoice: FV/2026/11/045$(printf '\r')" "$(sed -n 1p "$T/annotated")"

# --observe writes nothing.
sed 's/reply-1@/reply-3@/' "$T/reply.eml" > "$T/r3.eml"
out=$(dm filter --observe < "$T/r3.eml")
expect_eq "--observe writes nothing" "" "$out"
expect_eq "--observe still records" "1" "$(sqlite3 "$T/dunmail.db" "SELECT count(*) FROM messages WHERE message_id='reply-3@nowak.example.pl'")"

# A change the invoice refuses (a second dispute) is logged, and the message
# is stored all the same, with its link: the refusal used to roll back the
# message's own transaction.
dm invoice add FV/2026/11/046 --client Nowak --amount 900 --currency PLN --issued 2026-11-01 --due 2026-11-15 >/dev/null
dm invoice dispute FV/2026/11/046 --note "wrong hours" >/dev/null
cat > "$T/dispute.eml" <<'MAIL'
From: Nowak <billing@nowak.example.pl>
To: anna@studio.example
Subject: Re: Faktura FV/2026/11/046
Message-ID: <dispute-2@nowak.example.pl>
Date: Fri, 20 Nov 2026 09:00:00 +0100

Kwestionujemy fakturę FV/2026/11/046, kwota jest błędna.
MAIL
dm filter < "$T/dispute.eml" > "$T/out" 2>"$T/err"
expect_eq "refused change: delivered" "0" "$?"
expect_eq "refused change: the message is stored, disputed, linked" "disputed|1" \
	"$(sqlite3 "$T/dunmail.db" "SELECT m.class, count(mi.invoice_id) FROM messages m LEFT JOIN message_invoices mi ON mi.message_row = m.id WHERE m.message_id='dispute-2@nowak.example.pl'")"

# Mail is never lost.
printf '[nonsense\n' > "$T/broken.ini"
if "$DUNMAIL" --config "$T/broken.ini" --db "$T/dunmail.db" filter < "$T/reply.eml" > "$T/out" 2>"$T/err" && cmp -s "$T/out" "$T/reply.eml"; then
	ok "broken config: delivered"; else not_ok "broken config: delivered"; fi
expect_contains "broken config: the cause is logged" "configuration" "$(cat "$T/err")"
if "$DUNMAIL" --config "$T/none.ini" --db "$T/dunmail.db" filter < "$T/reply.eml" > "$T/out" 2>"$T/err" && cmp -s "$T/out" "$T/reply.eml"; then
	ok "missing config: delivered"; else not_ok "missing config: delivered"; fi
if "$DUNMAIL" --config "$T/config.ini" --db "$T/nodir/none.db" filter < "$T/reply.eml" > "$T/out" 2>"$T/err" && cmp -s "$T/out" "$T/reply.eml"; then
	ok "missing database: delivered"; else not_ok "missing database: delivered"; fi
expect_contains "missing database: the cause is logged" "no such database" "$(cat "$T/err")"
printf 'garbage' > "$T/garbage.db"
if "$DUNMAIL" --config "$T/config.ini" --db "$T/garbage.db" filter --annotate < "$T/reply.eml" > "$T/out" 2>"$T/err"; then
	ok "corrupt database: exit 0"; else not_ok "corrupt database: exit 0"; fi
expect_contains "corrupt database: delivered, marked unprocessed" "X-Dunmail-Class: unprocessed" "$(cat "$T/out")"
if dm filter --no-such-option < "$T/reply.eml" > "$T/out" 2>/dev/null && cmp -s "$T/out" "$T/reply.eml"; then
	ok "a wrong option: delivered"; else not_ok "a wrong option: delivered"; fi
# Output that cannot be written is the one temporary failure.
dm filter < "$T/reply.eml" > /dev/full 2>/dev/null
expect_eq "unwritable output: EX_TEMPFAIL" "75" "$?"

done_testing
