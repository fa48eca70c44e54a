#!/bin/sh
# dunmail followup --drafts imap against a private Dovecot: the draft is
# APPENDed to Drafts with \Draft and recorded with its UID; a second run
# adds nothing; a higher level replaces the old draft (only its UID goes);
# a draft the user deleted is not made again; one whose copy reached Sent
# raises the invoice's level; a run that died before or after its APPEND
# leaves exactly one draft; a run that died between appending a new draft
# and deleting the old one is finished by the next; a server that is down
# ends the run with EX_TEMPFAIL and changes nothing; the password is never
# printed.  The ladder is the default one (see 55-followup.sh): invoices
# due Monday 2026-10-05, prenote 2026-09-28, reminder1 2026-10-06,
# reminder2 2026-10-19.
. "$(dirname "$0")/lib.sh"

start_dovecot "imap drafts"
set -- $DOVECOT_PORTS
PORT_TLS=$2

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # not a slow version-manager shim

# write_config PORT [LINES...]: identity, [imap], then extra lines.
write_config() {
	port=$1
	shift
	{
		printf '[identity]\nname = Anna Kowalska\naddresses = anna@studio.example\n'
		printf 'payment_details = IBAN PL61 1090 1014 0000 0712 1981 2874\n\n[imap]\n'
		printf 'host = 127.0.0.1\nport = %s\ntls = implicit\nuser = alice\n' "$port"
		printf 'ca_file = %s\ntimeout = 10\n' "$D/ca.pem"
		printf "password_command = printf 'secret\\\\\\\\n'\n"
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$T/config.ini"
	chmod 600 "$T/config.ini"
}
write_config "$PORT_TLS"
q() { sqlite3 "$T/dunmail.db" "$1"; }
doveadm() { command doveadm -c "$D/dovecot.conf" "$@"; }
deliver() { sh "$SRC/tests/dovecot/deliver.sh" "$D" alice "$@"; }
# in_drafts [HEADER VALUE]: how many messages Drafts holds (with that header).
in_drafts() {
	if [ $# -eq 0 ]; then
		doveadm search -u alice mailbox Drafts all | wc -l
	else
		doveadm search -u alice mailbox Drafts header "$1" "$2" | wc -l
	fi
}
# followup DATE [ARGS...]: the followup of that morning, drafts to IMAP.
followup() {
	day=$1
	shift
	dm --now "$day" followup --format csv "$@"
}
level() { dm invoice show "$1" | sed -n 's/^Level: *//p'; }

# A real IMAP client's view (Python's imaplib over verified TLS): the
# flags and the headers of every message in Drafts, "UID|FLAGS|header: value..."
cat >"$T/imap-view.py" <<'PYTHON'
import email, email.policy, imaplib, re, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
imap.login("alice", "secret")
imap.select("Drafts", readonly=True)
typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER])")
for item in data:
    if not isinstance(item, tuple):
        continue
    meta = item[0].decode()
    uid = re.search(r"UID (\d+)", meta).group(1)
    flags = re.search(r"FLAGS \(([^)]*)\)", meta).group(1)
    msg = email.message_from_bytes(item[1], policy=email.policy.default)
    fields = ["%s: %s" % (h, msg.get(h, "")) for h in
              ("Subject", "From", "To", "Message-ID", "X-Dunmail-Draft", "In-Reply-To")]
    print("|".join([uid, flags] + fields))
imap.logout()
PYTHON
imap_view() { "$PY" "$T/imap-view.py" "$PORT_TLS" "$D/ca.pem"; }

dm init >/dev/null
dm client add Acme --email ap@acme.example --lang en --currency EUR >/dev/null
dm client add Beta --email ap@beta.example --lang en --currency EUR >/dev/null
dm client add Gamma --email ap@gamma.example --lang en --currency EUR >/dev/null
dm client add Delta --email ap@delta.example --lang en --currency EUR >/dev/null
dm invoice add A-1 --client Acme --amount 1250 --issued 2026-09-01 --due 2026-10-05 \
	--message-id '<inv-a1@studio.example>' >/dev/null

# ---------------------------------------------------------------------------
# Settings: the new key is known, a value that is neither yes nor no is named.
write_config "$PORT_TLS" "drafts = yes"
check "config check accepts [imap] drafts" dm config check
write_config "$PORT_TLS" "drafts = maybe"
expect_exit "[imap] drafts = maybe is refused" 78 dm --now 2026-09-28 followup
expect_contains "... with file:line" "config.ini:$(grep -n '^drafts' "$T/config.ini" | cut -d: -f1): imap.drafts" "$LAST_OUTPUT"
write_config "$PORT_TLS" "drafts = yes" "" "[followup]" "drafts = maildir:$T/Maildir"
expect_exit "[imap] drafts = yes against [followup] drafts = maildir: refused" 78 \
	dm --now 2026-09-28 followup
expect_exit "--drafts imap:Folder is refused" 64 dm --now 2026-09-28 followup --drafts imap:Other
expect_eq "nothing recorded by refused runs" 0 "$(q "SELECT count(*) FROM drafts")"

# ---------------------------------------------------------------------------
# The first draft: appended with \Draft, recorded with its UID.
write_config "$PORT_TLS" "drafts = yes"
expect_exit "followup ([imap] drafts = yes) exits 0" 0 followup 2026-09-28
out=$LAST_OUTPUT
expect_contains "the plan row names the draft" "Acme,A-1,1,email,ap@acme.example,,Invoice A-1 falls due on 5 October 2026" "$out"
case "$out" in
*secret*) not_ok "the password is never printed" "$out" ;;
*) ok "the password is never printed" ;;
esac
expect_eq "one message in Drafts" 1 "$(in_drafts)"
flags=$(doveadm fetch -u alice flags mailbox Drafts all)
expect_contains "doveadm: flagged \\Draft" "\\Draft" "$flags"
row=$(q "SELECT state, location, uidvalidity > 0, uid FROM drafts")
uid1=$(q "SELECT uid FROM drafts")
expect_eq "recorded written in imap:Drafts with its UID" "written|imap:Drafts|1|$uid1" "$row"
if [ "${uid1:-0}" -gt 0 ]; then ok "the UID is a real one"; else not_ok "the UID is a real one" "$uid1"; fi
mid=$(q "SELECT message_id FROM drafts")
view=$(imap_view)
expect_eq "an IMAP client sees one message" 1 "$(printf '%s\n' "$view" | grep -c .)"
expect_contains "IMAP: the UID and \\Draft" "$uid1|\\Draft" "$view"
expect_contains "IMAP: Subject" "Subject: Invoice A-1 falls due on 5 October 2026" "$view"
expect_contains "IMAP: From" "From: Anna Kowalska <anna@studio.example>" "$view"
expect_contains "IMAP: To" "To: Acme <ap@acme.example>" "$view"
expect_contains "IMAP: Message-ID is the recorded one" "Message-ID: <$mid>" "$view"
expect_contains "IMAP: X-Dunmail-Draft" "X-Dunmail-Draft: $mid" "$view"
expect_contains "IMAP: In-Reply-To the invoice mail" "In-Reply-To: <inv-a1@studio.example>" "$view"
# Mutt as the user would open it, when it can run without a terminal.
if command -v mutt >/dev/null 2>&1 && command -v script >/dev/null 2>&1; then
	cat >"$T/muttrc" <<MUTTRC
set imap_user = alice
set imap_pass = secret
set ssl_ca_certificates_file = $D/ca.pem
set certificate_file = $T/mutt-certs
set ssl_verify_host = yes
set header_cache = ""
set message_cachedir = ""
set index_format = "MUTT|%Z|%s"
set pipe_decode = no
set wait_key = no
set quit = yes
MUTTRC
	# A pseudo-terminal from script(1); the index is written through a
	# pipe of every message's headers into a file, then mutt quits.
	TERM=dumb timeout 20 script -qec "mutt -n -F '$T/muttrc' -f 'imaps://alice@127.0.0.1:$PORT_TLS/Drafts' -e 'push <tag-pattern>~A<enter><tag-prefix><pipe-entry>cat>>$T/mutt.out<enter><quit>'" /dev/null \
		>/dev/null 2>&1 </dev/null
	if [ -s "$T/mutt.out" ]; then
		expect_contains "mutt reads the draft's Subject" "Subject: Invoice A-1 falls due on 5 October 2026" "$(cat "$T/mutt.out")"
		expect_contains "mutt reads X-Dunmail-Draft" "X-Dunmail-Draft: $mid" "$(cat "$T/mutt.out")"
	else
		skip "mutt reads the draft" "mutt did not run without a terminal here"
	fi
else
	skip "mutt reads the draft" "mutt or script(1) is not installed"
fi

# ---------------------------------------------------------------------------
# Twice the same morning ([followup] drafts = imap this time): nothing new.
write_config "$PORT_TLS" "" "[followup]" "drafts = imap"
expect_exit "second run exits 0" 0 followup 2026-09-28
expect_eq "second run plans nothing" "client,invoices,level,channel,to,cc,subject,reason" \
	"$(printf '%s\n' "$LAST_OUTPUT" | tr -d '\r')"
expect_eq "still one message in Drafts" 1 "$(in_drafts)"
expect_eq "still one draft recorded" 1 "$(q "SELECT count(*) FROM drafts")"

# ---------------------------------------------------------------------------
# A higher level the next week: appended, then the old UID deleted.
write_config "$PORT_TLS"
expect_exit "reminder1 with --drafts imap" 0 followup 2026-10-06 --drafts imap
expect_eq "one message in Drafts after the replacement" 1 "$(in_drafts)"
expect_eq "it is reminder1" 1 "$(in_drafts Subject "Reminder: invoice A-1 is now due")"
expect_eq "the old UID is gone" 0 "$(doveadm search -u alice mailbox Drafts uid "$uid1" | wc -l)"
expect_eq "the prenote is recorded replaced" "prenote|replaced" "$(q "SELECT kind, state FROM drafts WHERE level = 1")"
uid2=$(q "SELECT uid FROM drafts WHERE level = 2")
if [ "${uid2:-0}" -gt "$uid1" ]; then ok "reminder1 has a new UID"; else not_ok "reminder1 has a new UID" "$uid1 -> $uid2"; fi
# Only that UID: a message of the user's own in Drafts is left alone.
printf 'From: anna@studio.example\nTo: friend@example.org\nSubject: My own draft\nMessage-ID: <own-draft@studio.example>\n\nNot dunmail.\n' |
	deliver Drafts

# ---------------------------------------------------------------------------
# The user deletes the draft unsent: it is not made again.
doveadm expunge -u alice mailbox Drafts header Subject "Reminder: invoice A-1"
expect_exit "followup after the deletion" 0 followup 2026-10-07 --drafts imap
expect_eq "reminder1 deleted unsent is recorded discarded" "discarded" "$(q "SELECT state FROM drafts WHERE level = 2")"
expect_eq "and not drafted again" 0 "$(in_drafts Subject "Reminder: invoice A-1")"
expect_eq "the user's own draft stays" 1 "$(in_drafts Subject "My own draft")"
expect_eq "the level did not move" 0 "$(level A-1)"

# ---------------------------------------------------------------------------
# Sent: the user sends reminder2; the client files the copy into Sent (a
# new Message-ID, X-Dunmail-Draft kept) and removes it from Drafts.
expect_exit "reminder2 on +14" 0 followup 2026-10-19 --drafts imap
mid3=$(q "SELECT message_id FROM drafts WHERE level = 3")
expect_eq "reminder2 appended" 1 "$(in_drafts X-Dunmail-Draft "$mid3")"
printf 'From: Anna Kowalska <anna@studio.example>\nTo: Acme <ap@acme.example>\nSubject: Second reminder: invoice A-1, 14 days overdue\nDate: Tue, 20 Oct 2026 09:00:00 +0200\nMessage-ID: <sent-copy-1@studio.example>\nX-Dunmail-Draft: %s\n\nSent.\n' "$mid3" |
	deliver Sent
doveadm expunge -u alice mailbox Drafts header X-Dunmail-Draft "$mid3"
expect_eq "level before the followup sees it" 0 "$(level A-1)"
expect_exit "followup after sending" 0 followup 2026-10-20 --drafts imap
expect_eq "the draft is recorded sent" "sent" "$(q "SELECT state FROM drafts WHERE level = 3")"
expect_eq "the level rose (invoice show)" 3 "$(level A-1)"
expect_eq "nothing drafted in its place" 0 "$(in_drafts Subject "invoice A-1")"

# The same by Message-ID: a client that keeps the Message-ID and drops
# unknown headers.
dm invoice add B-1 --client Beta --amount 500 --issued 2026-09-01 --due 2026-10-05 >/dev/null
expect_exit "Beta's reminder2" 0 followup 2026-10-19 --drafts imap
mid_b=$(q "SELECT d.message_id FROM drafts d JOIN clients c ON c.id = d.client_id WHERE c.name = 'Beta'")
printf 'From: Anna Kowalska <anna@studio.example>\nTo: Beta <ap@beta.example>\nSubject: Second reminder\nDate: Tue, 20 Oct 2026 09:00:00 +0200\nMessage-ID: <%s>\n\nSent.\n' "$mid_b" |
	deliver Sent
doveadm expunge -u alice mailbox Drafts header Message-ID "$mid_b"
expect_exit "followup after sending Beta's" 0 followup 2026-10-20 --drafts imap
expect_eq "found in Sent by Message-ID: sent" "sent" "$(q "SELECT state FROM drafts WHERE message_id = '$mid_b'")"
expect_eq "Beta's level rose" 3 "$(level B-1)"

# ---------------------------------------------------------------------------
# Crash (a): an intended draft that never reached the server.
dm invoice add G-1 --client Gamma --amount 700 --issued 2026-09-01 --due 2026-10-05 >/dev/null
q "INSERT INTO drafts (client_id, kind, level, message_id, planned_on, state, location, subject, created)
   SELECT id, 'reminder2', 3, 'dunmail.crash-a@studio.example', '2026-10-19', 'intended', 'imap:Drafts', 'crash a', '2026-10-19T08:00:00Z'
   FROM clients WHERE name = 'Gamma';
   INSERT INTO draft_invoices (draft_id, invoice_id)
   SELECT d.id, i.id FROM drafts d, invoices i WHERE d.message_id = 'dunmail.crash-a@studio.example' AND i.number = 'G-1';"
expect_exit "followup after crash (a)" 0 followup 2026-10-21 --drafts imap
expect_eq "the lost draft is recorded replaced" "replaced" "$(q "SELECT state FROM drafts WHERE message_id = 'dunmail.crash-a@studio.example'")"
expect_eq "exactly one draft for Gamma in Drafts" 1 "$(in_drafts To ap@gamma.example)"
expect_eq "and one written draft for Gamma in the store" 1 \
	"$(q "SELECT count(*) FROM drafts d JOIN clients c ON c.id = d.client_id WHERE c.name = 'Gamma' AND d.state = 'written'")"

# Crash (b): appended, and the run died before recording it.
dm invoice add E-1 --client Delta --amount 900 --issued 2026-09-01 --due 2026-10-05 >/dev/null
printf 'From: Anna Kowalska <anna@studio.example>\nTo: Delta <ap@delta.example>\nSubject: Second reminder: invoice E-1, 14 days overdue\nDate: Mon, 19 Oct 2026 08:00:00 +0200\nMessage-ID: <dunmail.crash-b@studio.example>\nX-Dunmail-Draft: dunmail.crash-b@studio.example\n\nReminder.\n' |
	deliver Drafts
q "INSERT INTO drafts (client_id, kind, level, message_id, planned_on, state, location, subject, created)
   SELECT id, 'reminder2', 3, 'dunmail.crash-b@studio.example', '2026-10-19', 'intended', 'imap:Drafts', 'crash b', '2026-10-19T08:00:00Z'
   FROM clients WHERE name = 'Delta';
   INSERT INTO draft_invoices (draft_id, invoice_id)
   SELECT d.id, i.id FROM drafts d, invoices i WHERE d.message_id = 'dunmail.crash-b@studio.example' AND i.number = 'E-1';"
crash_b_uid=$(doveadm search -u alice mailbox Drafts header Message-ID dunmail.crash-b@studio.example | awk '{ print $2 }')
expect_exit "followup after crash (b)" 0 followup 2026-10-21 --drafts imap
expect_eq "the appended draft is recorded written with its UID" "written|$crash_b_uid" \
	"$(q "SELECT state, uid FROM drafts WHERE message_id = 'dunmail.crash-b@studio.example'")"
expect_eq "no second copy for Delta" 1 "$(in_drafts To ap@delta.example)"
expect_eq "one draft recorded for Delta" 1 \
	"$(q "SELECT count(*) FROM drafts d JOIN clients c ON c.id = d.client_id WHERE c.name = 'Delta'")"

# Crash (c): the newer draft was appended and recorded, the run died before
# deleting the older one.  Gamma's reminder2 is the older one here.
old_g=$(q "SELECT message_id FROM drafts d JOIN clients c ON c.id = d.client_id WHERE c.name = 'Gamma' AND d.state = 'written'")
printf 'From: Anna Kowalska <anna@studio.example>\nTo: Gamma <ap@gamma.example>\nSubject: Invoice G-1: 30 days overdue\nDate: Wed, 04 Nov 2026 08:00:00 +0100\nMessage-ID: <dunmail.crash-c@studio.example>\nX-Dunmail-Draft: dunmail.crash-c@studio.example\n\nReminder.\n' |
	deliver Drafts
crash_c_uid=$(doveadm search -u alice mailbox Drafts header Message-ID dunmail.crash-c@studio.example | awk '{ print $2 }')
validity=$(q "SELECT uidvalidity FROM drafts WHERE message_id = '$old_g'")
q "INSERT INTO drafts (client_id, kind, level, message_id, planned_on, state, location, uidvalidity, uid, subject, created)
   SELECT id, 'reminder3', 4, 'dunmail.crash-c@studio.example', '2026-11-04', 'written', 'imap:Drafts', $validity, $crash_c_uid, 'crash c', '2026-11-04T08:00:00Z'
   FROM clients WHERE name = 'Gamma';
   INSERT INTO draft_invoices (draft_id, invoice_id)
   SELECT d.id, i.id FROM drafts d, invoices i WHERE d.message_id = 'dunmail.crash-c@studio.example' AND i.number = 'G-1';"
expect_exit "followup after crash (c)" 0 followup 2026-11-05 --drafts imap
expect_eq "the older draft is recorded replaced" "replaced" "$(q "SELECT state FROM drafts WHERE message_id = '$old_g'")"
expect_eq "only the newer one stays in Drafts" "1|0" \
	"$(in_drafts To ap@gamma.example)|$(in_drafts X-Dunmail-Draft "$old_g")"

# ---------------------------------------------------------------------------
# A stopped server: EX_TEMPFAIL with the cause, nothing recorded.
before=$(q "SELECT count(*) || '/' || group_concat(state) FROM drafts")
messages=$(in_drafts)
sh "$SRC/tests/dovecot/stop.sh" "$D"
expect_exit "followup against a stopped server: EX_TEMPFAIL" 75 followup 2026-11-19 --drafts imap
expect_contains "the cause names the server" "imap://alice@127.0.0.1:$PORT_TLS" "$LAST_OUTPUT"
case "$LAST_OUTPUT" in
*secret*) not_ok "no password in the failure" "$LAST_OUTPUT" ;;
*) ok "no password in the failure" ;;
esac
expect_eq "nothing recorded" "$before" "$(q "SELECT count(*) || '/' || group_concat(state) FROM drafts")"
ports=$(sh "$SRC/tests/dovecot/start.sh" "$D" 2>"$T/start.err")
set -- $ports
PORT_TLS=$2
write_config "$PORT_TLS"
expect_eq "the server kept every draft" "$messages" "$(in_drafts)"
expect_exit "the next run completes" 0 followup 2026-11-19 --drafts imap
expect_contains "final notices drafted" "Final notice: invoice" "$LAST_OUTPUT"
expect_eq "one waiting draft per client, plus the user's own" 5 "$(in_drafts)"
done_testing
