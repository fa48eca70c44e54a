#!/bin/sh
# Real delivery through Dovecot's LDA with Pigeonhole's extprograms: the
# Sieve script from contrib/sieve pipes each message to dunmail, the
# message lands in the Maildir unchanged, and the store has it.
. "$(dirname "$0")/lib.sh"

LDA=/usr/lib/dovecot/dovecot-lda
if [ ! -x "$LDA" ] || ! command -v sievec >/dev/null || [ "$(id -u)" -ne 0 ]; then
	skip "sieve delivery" "needs dovecot-lda, sievec (dovecot-sieve) and root"
	done_testing
	exit 0
fi
# Dovecot runs the delivery as the mail user, so the scratch space must be
# reachable by it.
chmod 755 "$T"
mkdir -p "$T/run" "$T/state" "$T/mail" "$T/home/alice" "$T/sieve-bin" "$T/sieve-before" "$T/db"
cat > "$T/config.ini" <<'CONF'
[identity]
addresses = anna@studio.example
CONF
dm --db "$T/db/dunmail.db" init >/dev/null
"$DUNMAIL" --config "$T/config.ini" --db "$T/db/dunmail.db" client add Acme --email ap@acme.example >/dev/null
"$DUNMAIL" --config "$T/config.ini" --db "$T/db/dunmail.db" invoice add INV-7 --client Acme --amount 100 --currency EUR --issued 2026-11-01 --due 2026-11-10 >/dev/null
chown -R dovecot:dovecot "$T/mail" "$T/home" "$T/db"
chmod 644 "$T/config.ini"
printf 'alice:{PLAIN}secret\n' > "$T/users"
# The mail user may not reach the source tree (a clone in a private
# directory): give it its own copy of the binary and the rules, laid out as
# in the tree so that the binary finds rules/ beside it.
mkdir -p "$T/app/build"
cp "$DUNMAIL" "$T/app/build/dunmail"
cp -R "$SRC/rules" "$T/app/rules"
: > "$T/app/Makefile"
chmod -R a+rX "$T/app"
cat > "$T/sieve-bin/dunmail-filter" <<SH
#!/bin/sh
exec "$T/app/build/dunmail" --config "$T/config.ini" --db "$T/db/dunmail.db" "\$@"
SH
chmod 755 "$T/sieve-bin/dunmail-filter"
cp "$SRC/contrib/sieve/dunmail.sieve" "$T/sieve-before/dunmail.sieve"
cat > "$T/dovecot.conf" <<CONF
base_dir = $T/run
state_dir = $T/state
log_path = $T/dovecot.log
protocols =
ssl = no
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 100
mail_location = maildir:$T/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $T/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$T/home/%u
}
CONF
# The plugin settings of contrib, with this test's paths.
sed -e "s#/usr/local/lib/dunmail/sieve-bin#$T/sieve-bin#" \
    -e "s#/etc/dovecot/sieve/dunmail.sieve#$T/sieve-before/dunmail.sieve#" \
    -e '/^protocol lmtp/,/^}/d' "$SRC/contrib/sieve/90-dunmail.conf" >> "$T/dovecot.conf"
if ! sievec -c "$T/dovecot.conf" "$T/sieve-before/dunmail.sieve" 2>"$T/sievec.err"; then
	not_ok "sievec compiles contrib/sieve/dunmail.sieve" "$(cat "$T/sievec.err")"
	done_testing
	exit 1
fi
ok "sievec compiles contrib/sieve/dunmail.sieve"
# The LDA asks the auth service for the user, so Dovecot runs (no listeners).
# Its daemon keeps stdout open: never pipe it.
dovecot -c "$T/dovecot.conf" >/dev/null 2>&1 </dev/null
trap 'kill $(cat "$T/run/master.pid" 2>/dev/null) 2>/dev/null; sleep 0.3; rm -rf "$T"' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$T/run/auth-userdb" ] && break; sleep 0.3; done

printf 'From: ap@acme.example\r\nTo: alice@studio.example\r\nSubject: Re: Invoice INV-7\r\nDate: Fri, 20 Nov 2026 08:00:00 +0000\r\nMessage-ID: <sieve-1@acme.example>\r\n\r\nThe amount is wrong, we do not agree with this invoice.\r\n' > "$T/m1"
"$LDA" -c "$T/dovecot.conf" -d alice < "$T/m1"
expect_eq "dovecot-lda exit 0" "0" "$?"
f=$(ls "$T"/mail/alice/new/* 2>/dev/null | head -n 1)
[ -n "$f" ] && ok "delivered into the Maildir" || not_ok "delivered into the Maildir" "$(cat "$T/dovecot.log" 2>/dev/null)"
if [ -n "$f" ] && tr -d '\r' < "$T/m1" | cmp -s - "$(echo "$f")"; then ok "delivered unchanged"
elif [ -n "$f" ] && cmp -s "$T/m1" "$f"; then ok "delivered unchanged"
else not_ok "delivered unchanged"; fi
expect_eq "stored by the Sieve filter" "disputed" "$(sqlite3 "$T/db/dunmail.db" "SELECT class FROM messages WHERE message_id='sieve-1@acme.example'")"
expect_contains "the invoice is disputed" '"status" : "disputed"' "$("$DUNMAIL" --config "$T/config.ini" --db "$T/db/dunmail.db" invoice list --format json)"

# dunmail failing inside Sieve (no database) must not stop delivery.
mv "$T/db/dunmail.db" "$T/db/moved.db"
sed 's/sieve-1@/sieve-2@/' "$T/m1" > "$T/m2"
"$LDA" -c "$T/dovecot.conf" -d alice < "$T/m2"
expect_eq "dovecot-lda exit 0 without a database" "0" "$?"
expect_eq "both messages delivered" "2" "$(ls "$T"/mail/alice/new | wc -l)"
done_testing
