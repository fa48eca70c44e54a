#!/bin/sh
# The private Dovecot harness (tests/dovecot/) that the IMAP tests use:
# start prints two ports and writes the test CA, an outside TLS client that
# trusts that CA reads mail delivered with deliver.sh, the SPECIAL-USE
# folders exist, and stop leaves no process behind.
. "$(dirname "$0")/lib.sh"

start_dovecot "dovecot harness"
ok "start.sh starts dovecot"
ports=$DOVECOT_PORTS
set -- $ports
PORT_PLAIN=$1 PORT_TLS=$2
case "$PORT_PLAIN$PORT_TLS" in
*[!0-9]* | '') not_ok "two numeric ports printed" "$ports" ;;
*) ok "two numeric ports printed" ;;
esac
expect_eq "ports file matches" "$ports" "$(cat "$D/ports")"
check "test CA written" test -s "$D/ca.pem"

printf 'From: client@example.org\nSubject: harness check 4711\nMessage-ID: <h4711@example.org>\n\nbody\n' |
	sh "$SRC/tests/dovecot/deliver.sh" "$D" alice
expect_eq "deliver.sh exits 0" 0 $?

# An independent client (openssl s_client) over implicit TLS with the test CA.
out=$(printf 'a LOGIN alice secret\r\nb LIST "" "*"\r\nc EXAMINE INBOX\r\nd FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\ne LOGOUT\r\n' |
	timeout 20 openssl s_client -connect "127.0.0.1:$PORT_TLS" -CAfile "$D/ca.pem" \
		-verify_return_error -verify_ip 127.0.0.1 -quiet -ign_eof 2>"$T/s_client.err")
expect_contains "TLS client logs in" "a OK" "$out"
expect_contains "Drafts carries \\Drafts" '\Drafts' "$out"
expect_contains "Sent carries \\Sent" '\Sent' "$out"
expect_contains "delivered message readable" "harness check 4711" "$out"

# Without the CA the same client must refuse the certificate.
if printf 'a LOGOUT\r\n' | timeout 20 openssl s_client -connect "127.0.0.1:$PORT_TLS" \
	-CApath /nonexistent -CAfile /dev/null -verify_return_error -quiet >/dev/null 2>&1; then
	not_ok "certificate untrusted without the test CA"
else
	ok "certificate untrusted without the test CA"
fi

master=$(cat "$D/run/master.pid")
sh "$SRC/tests/dovecot/stop.sh" "$D"
if [ -d "/proc/$master" ]; then not_ok "stop.sh stops the master"; else ok "stop.sh stops the master"; fi
left=$(ps -o pid= --ppid "$master" 2>/dev/null | wc -l)
expect_eq "no dovecot children left" 0 "$left"
done_testing
