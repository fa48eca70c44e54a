#!/bin/sh
# Starts a private Dovecot for tests in DIR (created if missing) and prints
# "PORT_PLAIN PORT_TLS" on stdout: PORT_PLAIN speaks plain IMAP and offers
# STARTTLS, PORT_TLS is implicit TLS.  Both listen on 127.0.0.1 and
# 127.0.0.2; the server certificate names only "localhost" and 127.0.0.1, so
# a client connecting to 127.0.0.2 must see a host name mismatch.
#
# Writes into DIR: ca.pem (the test CA to trust), ports ("PORT_PLAIN
# PORT_TLS"), addresses (where it listens), dovecot.conf, dovecot.log,
# users (alice, bob and carol, all with password "secret"), mail/<user>/
# (Maildir).  Folders Drafts (\Drafts) and Sent (\Sent) exist for every user.
# Put mail into a folder with tests/dovecot/deliver.sh.
#
# In an end-to-end test (lib.sh already traps EXIT to remove $T):
#   ports=$(sh "$SRC/tests/dovecot/start.sh" "$T/dovecot"); rc=$?
#   [ $rc -eq 77 ] && { skip "imap" "dovecot not installed"; done_testing; exit; }
#   trap 'sh "$SRC/tests/dovecot/stop.sh" "$T/dovecot"; rm -rf "$T"' EXIT
#   set -- $ports; PORT_PLAIN=$1 PORT_TLS=$2
#
# Environment:
#   DOVECOT_TEST_CAPABILITY  replaces the capabilities announced after login
#                            (e.g. "IMAP4rev1 IDLE" to play a server without
#                            UIDPLUS); unset: Dovecot's own list.
#
# Stop with tests/dovecot/stop.sh DIR (always, e.g. from a trap).  Exits 77
# (the automake "skip" code) when Dovecot is not installed, 1 on failure with
# the cause on stderr.  Never pipe this script's output into a command that
# waits for end of file: the daemon inherits no stdout from here (it is
# redirected), but keep it that way when editing.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
DIR=$1
for p in dovecot openssl doveadm; do
	if ! command -v "$p" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$p" ]; then
		echo "$0: $p is not installed" >&2
		exit 77
	fi
done
PATH=$PATH:/usr/sbin:/sbin

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
# The mail processes run as the dovecot user (or the caller when not root)
# and must reach DIR/mail.
chmod 755 "$DIR"
mkdir -p "$DIR/run" "$DIR/state" "$DIR/mail" "$DIR/home"

if [ "$(id -u)" -eq 0 ]; then
	# The auth and mail processes run as the dovecot user and must traverse
	# every folder above DIR; say so plainly instead of failing at login.
	up=$(dirname "$DIR")
	command -v su >/dev/null 2>&1 || up=/
	while [ "$up" != / ]; do
		if ! su -s /bin/sh dovecot -c "test -x '$up'" 2>/dev/null; then
			echo "$0: the dovecot user cannot enter $up; make it searchable (chmod o+x)" >&2
			exit 1
		fi
		up=$(dirname "$up")
	done
	# imap-login refuses to run as root and mail processes refuse uid 0.
	MAIL_USER=dovecot MAIL_GROUP=dovecot LOGIN_USER=dovenull FIRST_UID=100
	chown -R dovecot:dovecot "$DIR/mail" "$DIR/home"
else
	MAIL_USER=$(id -un) MAIL_GROUP=$(id -gn) LOGIN_USER=$(id -un) FIRST_UID=$(id -u)
fi

# A test CA and a server certificate signed by it.
if [ ! -f "$DIR/ca.pem" ]; then
	(
		cd "$DIR"
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
			-subj "/CN=dunmail test CA" >/dev/null 2>&1
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
			-subj "/CN=localhost" >/dev/null 2>&1
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out srv.pem -days 30 -extfile san.ext >/dev/null 2>&1
		chmod 644 srv.key
	) || { echo "$0: could not create the test certificates" >&2; exit 1; }
fi

cat >"$DIR/users" <<USERS
alice:{PLAIN}secret
bob:{PLAIN}secret
carol:{PLAIN}secret
USERS
chmod 644 "$DIR/users"

write_config() { # PORT_PLAIN PORT_TLS
	cat >"$DIR/dovecot.conf" <<CONF
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$DIR/srv.pem
ssl_key = <$DIR/srv.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
# Tests log in wrongly on purpose; Dovecot would then slow every later
# login from 127.0.0.1 by seconds (failure delay, and the anvil auth penalty
# switched off below).
auth_failure_delay = 0
default_internal_user = $MAIL_USER
default_internal_group = $MAIL_GROUP
default_login_user = $LOGIN_USER
first_valid_uid = $FIRST_UID
mail_location = maildir:$DIR/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/users
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_GROUP home=$DIR/home/%u
}
service imap-login {
  inet_listener imap {
    address = $ADDRESSES
    port = $1
  }
  inet_listener imaps {
    address = $ADDRESSES
    port = $2
    ssl = yes
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
}
CONF
	if [ -n "${DOVECOT_TEST_CAPABILITY:-}" ]; then
		printf 'imap_capability = %s\n' "$DOVECOT_TEST_CAPABILITY" >>"$DIR/dovecot.conf"
	fi
}

# Random high ports, retried when taken, so parallel test runs do not clash.
# Where 127.0.0.2 cannot be bound (some sandboxes), listen on 127.0.0.1 only;
# DIR/addresses tells the tests which.
ADDRESSES="127.0.0.1, 127.0.0.2"
tries=0
while :; do
	tries=$((tries + 1))
	seed=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	PORT_PLAIN=$((20000 + seed % 20000))
	PORT_TLS=$((PORT_PLAIN + 20000))
	write_config "$PORT_PLAIN" "$PORT_TLS"
	: >"$DIR/dovecot.log"
	# The daemon must not keep our stdout: callers read it with $(...).
	if dovecot -c "$DIR/dovecot.conf" </dev/null >>"$DIR/start.out" 2>&1; then
		break
	fi
	if [ "$ADDRESSES" != 127.0.0.1 ] &&
		grep -q "assign requested address" "$DIR/start.out" "$DIR/dovecot.log" 2>/dev/null; then
		ADDRESSES=127.0.0.1
		: >"$DIR/start.out"
		continue
	fi
	if [ $tries -ge 20 ] || ! grep -q "in use" "$DIR/start.out" "$DIR/dovecot.log" 2>/dev/null; then
		echo "$0: dovecot did not start:" >&2
		cat "$DIR/start.out" "$DIR/dovecot.log" >&2 2>/dev/null || true
		exit 1
	fi
	: >"$DIR/start.out"
done

# The master binds its listeners before it detaches, so the ports accept
# connections once it returned; master.pid appears right after.
i=0
while [ ! -s "$DIR/run/master.pid" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "$PORT_PLAIN $PORT_TLS" >"$DIR/ports"
echo "$ADDRESSES" >"$DIR/addresses"
echo "$PORT_PLAIN $PORT_TLS"
