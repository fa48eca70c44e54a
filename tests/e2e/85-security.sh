#!/bin/sh
# Security properties end to end: a literal IMAP password in a file others
# can read is refused; the database is private (0600); drafts cannot gain
# headers from client names or invoice numbers holding CR/LF, encoded or
# not; and neither logs nor errors ever repeat a password or a message body.
. "$(dirname "$0")/lib.sh"

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # not a slow version-manager shim
password='Pw-5ecret-9e1f2d'
body_marker='BODY-MARKER-4b9c7a-never-log-me'

# --- A literal password in a world- or group-readable config. ---
# The server is unreachable (port 9 on localhost): the refusal must come first.
write_imap_config() { # FILE
	{
		printf '[identity]\naddresses = anna@studio.example\n\n[imap]\n'
		printf 'host = 127.0.0.1\nport = 9\ntls = implicit\nuser = alice\ntimeout = 2\n'
		printf 'password = %s\n' "$password"
	} >"$1"
}
write_imap_config "$T/config.ini"
dm init >/dev/null 2>&1
for mode in 644 640 604; do
	chmod $mode "$T/config.ini"
	expect_exit "config $mode with a password: config check refuses" 78 dm config check
	expect_contains "config $mode: the message says chmod 600" "chmod 600" "$LAST_OUTPUT"
	case "$LAST_OUTPUT" in *"$password"*) not_ok "config $mode: config check does not print the password" ;;
	*) ok "config $mode: config check does not print the password" ;; esac
	out=$(dm scan 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then ok "config $mode with a password: scan refuses (exit $rc)"; else not_ok "config $mode with a password: scan refuses" "$out"; fi
	expect_contains "config $mode: scan says chmod 600" "chmod 600" "$out"
	case "$out" in *"$password"*) not_ok "config $mode: scan does not print the password" ;;
	*) ok "config $mode: scan does not print the password" ;; esac
done
chmod 600 "$T/config.ini"
out=$(dm config check 2>&1)
case "$out" in *"chmod 600"*) not_ok "config 600: the password is accepted" "$out" ;;
*) ok "config 600: the password is accepted" ;; esac
# A failing scan (nothing listens on port 9) names the server, not the password.
out=$(dm scan 2>&1)
rc=$?
if [ $rc -ne 0 ]; then ok "scan against a closed port fails (exit $rc)"; else not_ok "scan against a closed port fails"; fi
case "$out" in *"$password"*) not_ok "failed scan: the password is not in the output" "$out" ;;
*) ok "failed scan: the password is not in the output" ;; esac

# --- The database is private. ---
rm -f "$T/fresh.db"
(umask 022 && "$DUNMAIL" --config "$T/config.ini" --db "$T/fresh.db" init >/dev/null 2>&1)
expect_eq "init creates the database 0600 (umask 022)" "600" "$(stat -c %a "$T/fresh.db")"
rm -f "$T/fresh.db"
(umask 000 && "$DUNMAIL" --config "$T/config.ini" --db "$T/fresh.db" init >/dev/null 2>&1)
expect_eq "init creates the database 0600 (umask 000)" "600" "$(stat -c %a "$T/fresh.db")"
# The WAL and its index carry the same data; SQLite gives them the
# database's mode.
printf 'From: x@y.example\nSubject: s\nMessage-ID: <perm@y.example>\n\nhello\n' |
	"$DUNMAIL" --config "$T/config.ini" --db "$T/fresh.db" filter >/dev/null 2>&1
for f in "$T/fresh.db-wal" "$T/fresh.db-shm"; do
	if [ -e "$f" ]; then
		expect_eq "$(basename "$f") is 0600 too" "600" "$(stat -c %a "$f")"
	else
		ok "$(basename "$f") is 0600 too # SKIP not present"
	fi
done

# --- Drafts cannot gain headers. ---
cat >"$T/plain.ini" <<'CONF'
[identity]
name = Anna Kowalska
addresses = anna@studio.example
payment_details = IBAN PL61 1090 1014 0000 0712 1981 2874
CONF
pdm() { "$DUNMAIL" --config "$T/plain.ini" --db "$T/drafts.db" "$@"; }
pdm init >/dev/null
# Three clients, one hostile field each: the name (CR/LF), an invoice
# number with URL-encoded CR/LF, an invoice number with a raw CR/LF.  The
# store may refuse a field or keep it; the drafts decide.
evil_name=$(printf 'Evil\r\nBcc: x@y.example')
pdm client add "$evil_name" --email ap@evil.example >/dev/null 2>"$T/err" &&
	pdm invoice add INV-1 --client "$evil_name" --amount 100 --currency EUR \
		--issued 2026-09-01 --due 2026-10-05 >/dev/null 2>>"$T/err"
pdm client add "Evil2" --email ap@evil2.example >/dev/null
pdm invoice add 'INV-2%0D%0ABcc: y@z.example' --client Evil2 --amount 200 --currency EUR \
	--issued 2026-09-01 --due 2026-10-05 >/dev/null 2>>"$T/err"
pdm client add "Evil4" --email ap@evil4.example >/dev/null
pdm invoice add 'INV-4=?utf-8?q?=0D=0ABcc:_v@z.example?=' --client Evil4 --amount 300 --currency EUR \
	--issued 2026-09-01 --due 2026-10-05 >/dev/null 2>>"$T/err"
pdm client add "Evil3" --email ap@evil3.example >/dev/null
crlf_number=$(printf 'INV-3\r\nBcc: w@z.example')
pdm invoice add "$crlf_number" --client Evil3 --amount 200 --currency EUR \
	--issued 2026-09-01 --due 2026-10-05 >/dev/null 2>>"$T/err"
mkdir -p "$T/Drafts"
pdm --now 2026-10-06 followup --drafts "maildir:$T/Drafts" >/dev/null 2>"$T/followup.err"
n=$(ls "$T"/Drafts/cur 2>/dev/null | wc -l)
# Evil2's draft has nothing to refuse once its fields are encoded; a raw
# CR/LF number may be refused, but only its own draft.
if [ "$n" -gt 0 ]; then ok "followup wrote drafts ($n)"; else not_ok "[BUG] followup wrote drafts: one hostile invoice number blocks every draft" "$(cat "$T/followup.err" "$T/err")"; fi
if grep -l -q -i 'evil2' "$T"/Drafts/cur/* 2>/dev/null; then ok "Evil2 (URL-encoded CR/LF) got its draft"
else not_ok "Evil2 (URL-encoded CR/LF) got its draft" "$(cat "$T/followup.err")"; fi
cat >"$T/headers.py" <<'PYTHON'
import email, email.policy, sys
bad = []
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    names = [k.lower() for k in msg.keys()]
    if "bcc" in names:
        bad.append(path + ": a Bcc header")
    for line in head.split(b"\n"):
        if line.rstrip(b"\r").lower().startswith(b"bcc:"):
            bad.append(path + ": a line starting with Bcc:")
    for k, v in msg.items():
        # compat32 keeps folded values raw: a bare CR or LF not followed by
        # folding whitespace would end the header.
        for i, c in enumerate(v):
            if c in "\r\n" and (i + 1 >= len(v) or v[i + 1] not in " \t\r\n"):
                bad.append(path + ": a line break in " + k)
                break
    for name in ("to", "from", "subject"):
        if names.count(name) > 1:
            bad.append(path + ": two %s headers" % name)
print("\n".join(bad))
PYTHON
if [ "$n" -gt 0 ]; then
	expect_eq "drafts carry no injected header" "" "$($PY "$T/headers.py" "$T"/Drafts/cur/* 2>&1)"
else
	skip "drafts carry no injected header" "no draft was written"
fi
# A CR/LF folded into a quoted display name is harmless text; only the
# addresses outside quotes count.
recipients=$(cat "$T"/Drafts/cur/* 2>/dev/null | grep -i -E '^(to|cc|bcc):' | sed 's/"[^"]*"//g' | sort -u | tr '\n' ' ')
case "$recipients" in *x@y.example* | *y@z.example* | *w@z.example* | *v@z.example*)
	not_ok "no injected address among the recipients" "$recipients" ;;
*) ok "no injected address among the recipients" ;; esac

# --- No message bodies in logs or errors. ---
cat >"$T/body.eml" <<MAIL
From: ap@evil2.example
To: anna@studio.example
Subject: Re: Invoice INV-2
Message-ID: <body-1@evil2.example>
Content-Type: text/plain; charset=utf-8

$body_marker: we will pay on Friday.
MAIL
leaks=""
try_log() { # LABEL DUNMAIL-ARGS...: runs filter and classify, collects stderr
	label=$1
	shift
	"$DUNMAIL" "$@" filter <"$T/body.eml" >/dev/null 2>"$T/log.err"
	"$DUNMAIL" "$@" classify <"$T/body.eml" >/dev/null 2>>"$T/log.err"
	"$DUNMAIL" "$@" filter --annotate <"$T/body.eml" >/dev/null 2>>"$T/log.err"
	grep -q -- "$body_marker" "$T/log.err" && leaks="$leaks $label(body)"
	grep -q -- "$password" "$T/log.err" && leaks="$leaks $label(password)"
	return 0
}
printf 'garbage' >"$T/garbage.db"
try_log "corrupt database" --config "$T/config.ini" --db "$T/garbage.db"
try_log "missing database" --config "$T/config.ini" --db "$T/none/x.db"
printf '[nonsense\npassword = %s\n' "$password" >"$T/broken.ini"
try_log "broken config" --config "$T/broken.ini" --db "$T/drafts.db"
mkdir -p "$T/badrules/en"
printf 'rule en.bad\n  class promised\n  pattern (unclosed\n' >"$T/badrules/en/bad.rules"
printf '[identity]\naddresses = anna@studio.example\n[rules]\ndirectories = %s\n' "$T/badrules" >"$T/rules.ini"
try_log "broken rules" --config "$T/rules.ini" --db "$T/drafts.db"
"$PY" -c 'import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("BEGIN EXCLUSIVE"); time.sleep(3)' "$T/drafts.db" &
locker=$!
sleep 0.5
printf '[identity]\naddresses = anna@studio.example\n[store]\nbusy_timeout = 100\n' >"$T/busy.ini"
try_log "locked database" --config "$T/busy.ini" --db "$T/drafts.db"
wait $locker
expect_eq "no body or password in stderr of failing runs" "" "$leaks"
# The password from a broken config or rule file: the error may quote the
# offending line of a rule pack (the user's own), never the config's password.
done_testing
