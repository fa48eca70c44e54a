#!/bin/sh
# Puts the message on stdin into USER's FOLDER (default INBOX) of the test
# Dovecot in DIR, as a delivery would (doveadm save: no IMAP client, no
# flags).  Usage: tests/dovecot/deliver.sh DIR USER [FOLDER] < message.eml
set -eu
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 DIR USER [FOLDER] < message" >&2
	exit 2
fi
PATH=$PATH:/usr/sbin:/sbin
exec doveadm -c "$1/dovecot.conf" save -u "$2" -m "${3:-INBOX}"
