#!/bin/sh
# The foundation end to end: init, clients, invoices, CSV import, aging,
# config check, and every kind of bad input (clear error, nothing changed).
. "$(dirname "$0")/lib.sh"

# --- init and global options
expect_exit "--version" 0 "$DUNMAIL" --version
expect_contains "--version prints the version" "dunmail 0." "$LAST_OUTPUT"
expect_exit "--help" 0 "$DUNMAIL" --help
expect_exit "no command is a usage error (EX_USAGE)" 64 "$DUNMAIL"
expect_exit "unknown command" 64 "$DUNMAIL" frobnicate
expect_exit "init with defaults under XDG dirs" 0 "$DUNMAIL" init --name "Anna Kowalska" --address anna@studio.example
[ -f "$XDG_CONFIG_HOME/dunmail/config" ] && ok "config created under XDG_CONFIG_HOME" || not_ok "config created under XDG_CONFIG_HOME"
[ -f "$XDG_DATA_HOME/dunmail/dunmail.db" ] && ok "database created under XDG_DATA_HOME" || not_ok "database created under XDG_DATA_HOME"
expect_eq "database is private (0600)" "600" "$(stat -c %a "$XDG_DATA_HOME/dunmail/dunmail.db")"
expect_contains "identity written into the new config" "addresses = anna@studio.example" "$(cat "$XDG_CONFIG_HOME/dunmail/config")"
expect_exit "config check on the written config" 0 "$DUNMAIL" config check
expect_exit "init again keeps what exists" 0 "$DUNMAIL" init
expect_contains "init says it kept the config" "kept existing" "$LAST_OUTPUT"

# From here on, an explicit config and database.
cat > "$T/config.ini" <<'CONF'
[identity]
name = Anna Kowalska
addresses = anna@studio.example
CONF
expect_exit "init with --config and --db" 0 dm init
expect_exit "--now must be a date" 64 dm --now 2026-13-01 invoice list

# --- clients
expect_exit "client add" 0 dm client add "Nowak Sp. z o.o." --email billing@nowak.example.pl --lang pl --currency PLN --cc prezes@nowak.example.pl
expect_exit "client add with two addresses" 0 dm client add "Acme Ltd" --email ap@acme.example --email finance@acme.example --currency GBP --terms 30
expect_exit "client add without an address" 64 dm client add "Nobody"
expect_exit "client add with a bad address" 65 dm client add "Bad" --email "not an address"
expect_contains "the error names the option" "--email" "$LAST_OUTPUT"
expect_exit "client add with a bad language" 64 dm client add "Bad" --email x@bad.example --lang Polish
expect_exit "client add with a bad currency" 64 dm client add "Bad" --email x@bad.example --currency EURO
expect_exit "duplicate client name (any case)" 65 dm client add "NOWAK SP. Z O.O." --email other@x.example
expect_exit "address owned by another client" 65 dm client add "Thief" --email billing@nowak.example.pl
expect_eq "no half-added client" "2" "$(dm client list --format json | grep -c '"name"')"
expect_exit "client show" 0 dm client show "acme ltd"
expect_contains "client show lists the addresses" "ap@acme.example, finance@acme.example" "$LAST_OUTPUT"
expect_exit "client show unknown" 66 dm client show "Nobody"
expect_contains "the error names the client" 'no client named "Nobody"' "$LAST_OUTPUT"
csv=$(dm client list --format csv)
expect_contains "client list csv header" "name,emails,language,currency,open_invoices" "$csv"

# --- postal addresses (for letters): one --address per line
expect_exit "client add with a two-line postal address" 0 dm client add "Kowalski Druk" --email biuro@kowalski.example.pl --address "Kowalski Druk s.c." --address "  ul. Długa 5, 00-001 Warszawa  "
expect_eq "client show prints each line, the second under the first" "Address:       Kowalski Druk s.c.
               ul. Długa 5, 00-001 Warszawa" "$(dm client show "Kowalski Druk" | grep -A1 '^Address:')"
expect_contains "client show json: one string, the lines joined by newlines" '"postal_address" : "Kowalski Druk s.c.\nul. Długa 5, 00-001 Warszawa"' "$(dm client show "Kowalski Druk" --format json)"
expect_exit "client set --address replaces the address" 0 dm client set "Kowalski Druk" --address "Drukarnia Kowalski" --address "ul. Krótka 2" --address "00-002 Warszawa"
expect_eq "client show prints the new address only" "Address:       Drukarnia Kowalski
               ul. Krótka 2
               00-002 Warszawa
Terms (days):  0" "$(dm client show "Kowalski Druk" | grep -A3 '^Address:')"
expect_exit "an empty --address line is refused" 64 dm client add "Empty Line" --email x@empty.example --address "Empty Line Ltd" --address "  "
expect_contains "the error names --address" "--address" "$LAST_OUTPUT"
expect_exit "no client added with a refused address" 66 dm client show "Empty Line"
expect_exit "client set refuses an empty --address line too" 64 dm client set "Kowalski Druk" --address ""
expect_exit "--address with --no-address is contradictory" 64 dm client set "Kowalski Druk" --address x --no-address
expect_contains "refused changes leave the address" "Drukarnia Kowalski" "$(dm client show "Kowalski Druk")"
expect_exit "client set --no-address clears it" 0 dm client set "Kowalski Druk" --no-address
expect_eq "client show prints no address" "" "$(dm client show "Kowalski Druk" | grep '^Address:')"
expect_contains "client show json: null" '"postal_address" : null' "$(dm client show "Kowalski Druk" --format json)"
# Only changes are events: setting the address leaves the chasing as it was.
if command -v sqlite3 >/dev/null; then
	expect_eq "client set --address logs no chasing event" "0|2" \
		"$(sqlite3 "$T/dunmail.db" "SELECT sum(kind = 'chasing'), sum(kind = 'postal_address') FROM events e JOIN clients c ON c.id = e.client_id WHERE c.name = 'Kowalski Druk'")"
else
	skip "client set --address logs no chasing event" "no sqlite3"
fi

# --- invoices
expect_exit "invoice add" 0 dm invoice add FV/2026/10/031 --client "Nowak Sp. z o.o." --amount "4 800,00" --issued 2026-10-01 --due 2026-10-23
expect_exit "invoice add (currency from --currency)" 0 dm invoice add AC-1 --client "Acme Ltd" --amount 980.00 --currency GBP --issued 2026-10-01 --due 2026-11-22
expect_exit "invoice add (due from terms)" 0 dm invoice add AC-2 --client "Acme Ltd" --amount 100 --issued 2026-10-01
expect_exit "unknown client" 66 dm invoice add X-1 --client "Nobody" --amount 1 --currency EUR
expect_exit "malformed amount" 65 dm invoice add X-1 --client "Acme Ltd" --amount 12,3x4
expect_contains "the error names the amount" '"12,3x4" is not an amount' "$LAST_OUTPUT"
expect_exit "too many decimals" 65 dm invoice add X-1 --client "Acme Ltd" --amount 1.2345
expect_exit "negative amount" 64 dm invoice add X-1 --client "Acme Ltd" --amount -5
expect_exit "malformed date" 65 dm invoice add X-1 --client "Acme Ltd" --amount 1 --issued 2026-02-30
expect_contains "the error names the option and date" "--issued: \"2026-02-30\" is not a valid calendar date" "$LAST_OUTPUT"
expect_exit "due before issued" 64 dm invoice add X-1 --client "Acme Ltd" --amount 1 --issued 2026-02-03 --due 2026-02-01
expect_exit "duplicate invoice number" 65 dm invoice add AC-1 --client "Acme Ltd" --amount 1
expect_contains "the error names the invoice" "invoice AC-1 already exists" "$LAST_OUTPUT"
expect_exit "missing --amount" 64 dm invoice add X-1 --client "Acme Ltd"

json=$(dm --now 2026-11-22 invoice list --format json)
for field in '"number" : "FV/2026/10/031"' '"client" : "Nowak Sp. z o.o."' '"amount" : "4800.00"' \
	'"balance" : "4800.00"' '"currency" : "PLN"' '"issued" : "2026-10-01"' '"due" : "2026-10-23"' \
	'"status" : "open"' '"promised_date" : null' '"level" : 0' '"days_overdue" : 30'; do
	expect_contains "invoice list json has $field" "$field" "$json"
done
expect_contains "due from payment terms" '"due" : "2026-10-31"' "$json"
expect_eq "three invoices listed" "3" "$(printf '%s\n' "$json" | grep -c '"number"')"

# --- state changes and the timeline
expect_exit "partial payment" 0 dm --now 2026-11-22 invoice paid FV/2026/10/031 --amount "800,00"
expect_contains "partial leaves a balance" "partial, balance 4000.00 PLN" "$LAST_OUTPUT"
expect_exit "overpayment refused" 65 dm invoice paid FV/2026/10/031 --amount 5000
expect_exit "bad payment date" 65 dm invoice paid FV/2026/10/031 --on yesterday
expect_exit "dispute" 0 dm invoice dispute AC-1 --note "hours do not match"
expect_exit "dispute twice refused" 65 dm invoice dispute AC-1
expect_exit "status filter" 0 dm invoice list --status disputed --format csv
expect_eq "one disputed invoice" "2" "$(printf '%s\n' "$LAST_OUTPUT" | wc -l)"
expect_exit "bad status filter" 64 dm invoice list --status lost
expect_exit "client filter" 0 dm invoice list --client "Acme Ltd" --format json
expect_eq "two Acme invoices" "2" "$(printf '%s\n' "$LAST_OUTPUT" | grep -c '"number"')"
expect_exit "resolve" 0 dm invoice resolve AC-1
expect_contains "resolve restores the status" "AC-1: open" "$LAST_OUTPUT"
expect_exit "resolve an undisputed invoice" 65 dm invoice resolve AC-1
expect_exit "note" 0 dm invoice note AC-1 "called Tom, invoice resent"
expect_exit "writeoff" 0 dm invoice writeoff AC-2
expect_exit "pay a written-off invoice" 65 dm invoice paid AC-2
expect_exit "show unknown invoice" 66 dm invoice show NOPE
show=$(dm invoice show AC-1)
expect_contains "timeline: created" "created" "$show"
expect_contains "timeline: dispute with its note" "hours do not match" "$show"
expect_contains "timeline: resolved" "dispute resolved" "$show"
expect_contains "timeline: note" "called Tom, invoice resent" "$show"
expect_contains "timeline: source is the command" "command: invoice dispute" "$show"
show=$(dm invoice show FV/2026/10/031 --format json)
expect_contains "timeline json: payment event" '"detail" : "received 800.00 PLN on 2026-11-22"' "$show"

# --- CSV import
cat > "$T/good.csv" <<'CSV'
Invoice No.;Customer;E-mail;Total;Currency;Invoice Date;Due Date
DV-2026-044;De Vries BV;debiteuren@devries.example.nl;1.250,00;EUR;01.10.2026;31.10.2026
DV-2026-045;De Vries BV;debiteuren@devries.example.nl;"2.400,50";EUR;2026-11-01;2026-12-01
MU-2026-009;Müller GmbH;buchhaltung@mueller.example.de;3900;EUR;15.09.2026;15.10.2026
CSV
expect_exit "import a semicolon export with decimal commas" 0 dm invoice import "$T/good.csv"
expect_contains "import reports the count" "imported 3 invoices (2 new clients)" "$LAST_OUTPUT"
json=$(dm invoice list --client "De Vries BV" --format json)
expect_contains "imported amount with decimal comma" '"amount" : "2400.50"' "$json"
expect_contains "imported day-first date" '"issued" : "2026-10-01"' "$json"
# A postal address column: a new client gets it, over the lines of a quoted
# cell; a known client without one gets it; a known address is kept.
cat > "$T/address.csv" <<'CSV'
number,client,email,amount,currency,issued,due,Anschrift
AD-1,Schmidt AG,rechnung@schmidt.example.de,100.00,EUR,2026-10-01,2026-10-31,"Hauptstraße 1
10115 Berlin"
AD-2,Müller GmbH,,100.00,EUR,2026-10-01,2026-10-31,Marktplatz 3; 80331 München
AD-3,Schmidt AG,,100.00,EUR,2026-10-02,2026-11-01,Elsewhere 9
CSV
expect_exit "import with an address column" 0 dm invoice import "$T/address.csv"
expect_contains "a new client gets the address, line by line" '"postal_address" : "Hauptstraße 1\n10115 Berlin"' "$(dm client show "Schmidt AG" --format json)"
expect_contains "a known client without one gets it" '"postal_address" : "Marktplatz 3; 80331 München"' "$(dm client show "Müller GmbH" --format json)"
cat > "$T/bad.csv" <<'CSV'
number,client,amount,currency,issued,due
B-1,Acme Ltd,10.00,GBP,2026-10-01,2026-10-31
B-2,Acme Ltd,ten pounds,GBP,2026-10-01,2026-10-31
B-3,Acme Ltd,10.00,GBP,2026-10-01,31/02/2026
CSV
expect_exit "a CSV with bad lines is refused" 65 dm invoice import "$T/bad.csv"
expect_contains "error names line 3 and the amount column" 'bad.csv:3: column "amount": "ten pounds" is not an amount' "$LAST_OUTPUT"
expect_contains "error names line 4 and the due column" 'bad.csv:4: column "due"' "$LAST_OUTPUT"
expect_exit "nothing of the bad file was imported" 66 dm invoice show B-1
printf 'number,client,amount,currency,issued,due\nAC-1,Acme Ltd,1,GBP,2026-10-01,2026-10-31\nB-9,Acme Ltd,1,GBP,2026-10-01,2026-10-31\n' > "$T/dup.csv"
expect_exit "a CSV repeating a stored number is refused" 65 dm invoice import "$T/dup.csv"
expect_contains "names the line" "dup.csv:2:" "$LAST_OUTPUT"
expect_exit "and imports nothing" 66 dm invoice show B-9
printf 'number,customer\nX,Y\n' > "$T/nocols.csv"
expect_exit "a CSV without the needed columns" 65 dm invoice import "$T/nocols.csv"
expect_contains "names the missing column" 'no column for "amount"' "$LAST_OUTPUT"
expect_exit "a missing CSV file" 66 dm invoice import "$T/none.csv"

# --- a database that is not dunmail's
printf 'just text\n' > "$T/other.db"
expect_exit "a file that is not a database" 65 "$DUNMAIL" --config "$T/config.ini" --db "$T/other.db" invoice list
expect_contains "says it is not a dunmail database" "not a dunmail database" "$LAST_OUTPUT"
expect_exit "a missing database" 66 "$DUNMAIL" --config "$T/config.ini" --db "$T/missing.db" invoice list
expect_contains "and how to create one" "dunmail init" "$LAST_OUTPUT"
if command -v sqlite3 >/dev/null; then
	sqlite3 "$T/foreign.db" "CREATE TABLE x(y);"
	expect_exit "a foreign SQLite database" 65 "$DUNMAIL" --config "$T/config.ini" --db "$T/foreign.db" client list
	expect_contains "foreign db named" "not a dunmail database" "$LAST_OUTPUT"
else
	skip "a foreign SQLite database" "no sqlite3"
	skip "foreign db named" "no sqlite3"
fi

# --- config check
cat > "$T/broken.ini" <<'CONF'
[identity]
name = Anna
adresses = anna@studio.example
[filter]
max_size = huge
CONF
expect_exit "config check fails on errors (EX_CONFIG)" 78 "$DUNMAIL" --config "$T/broken.ini" config check
expect_contains "unknown key with file:line" "broken.ini:3: unknown key \"adresses\" in [identity]" "$LAST_OUTPUT"
expect_contains "bad value with file:line" "broken.ini:5: filter.max_size" "$LAST_OUTPUT"
expect_exit "a missing --config file" 66 "$DUNMAIL" --config "$T/none.ini" config check

done_testing
