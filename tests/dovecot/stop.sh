#!/bin/sh
# Stops the Dovecot that tests/dovecot/start.sh started in DIR and waits
# until it is gone.  With --kill, kills it at once with SIGKILL, children
# first (the imap processes serving clients), to play a server that
# crashed.  Safe to call twice or when nothing runs.
set -u
signal=TERM
if [ "${1:-}" = "--kill" ]; then
	signal=KILL
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: $0 [--kill] DIR" >&2
	exit 2
fi
DIR=$1
pidfile=$DIR/run/master.pid
[ -s "$pidfile" ] || exit 0
master=$(cat "$pidfile")
case "$master" in '' | *[!0-9]*) exit 0 ;; esac
if [ ! -d "/proc/$master" ]; then
	rm -f "$pidfile"
	exit 0
fi
if [ "$signal" = KILL ]; then
	# Only the processes this master forked, by parent pid.
	for child in $(ps -o pid= --ppid "$master" 2>/dev/null); do
		kill -KILL "$child" 2>/dev/null
	done
fi
kill -"$signal" "$master" 2>/dev/null
# A test server needs no graceful goodbye: after 3 seconds, kill what is left.
i=0
while [ -d "/proc/$master" ] && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -d "/proc/$master" ]; then
	for child in $(ps -o pid= --ppid "$master" 2>/dev/null); do
		kill -KILL "$child" 2>/dev/null
	done
	kill -KILL "$master" 2>/dev/null
	while [ -d "/proc/$master" ]; do sleep 0.1; done
fi
rm -f "$pidfile"
exit 0
