#!/bin/sh
# make lint: cppcheck and clang-tidy over the library and the command line,
# with the checked-in configuration (.clang-tidy, tests/cppcheck.supp).
# Exits non-zero on any finding, so it can gate a merge.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
dirs="common store filter imap draft policy cli"
srcs=$(for d in $dirs; do ls "$d"/*.c 2>/dev/null; done)
pkgs="gmime-3.0 glib-2.0 libetpan sqlite3 libpcre2-8 gnutls libxml-2.0 json-glib-1.0"
flags="-std=c17 -D_GNU_SOURCE -I. $(pkg-config --cflags $pkgs) -DDUNMAIL_VERSION=\"lint\" -DDUNMAIL_DATADIR=\"/usr/share/dunmail\""
status=0

echo "cppcheck"
# --inline-suppr lets a reviewed false alarm be silenced at its line with a
# comment saying why.
if ! cppcheck --quiet --std=c11 --enable=warning,portability,performance \
	--error-exitcode=1 --inline-suppr --suppressions-list=tests/cppcheck.supp \
	-D_GNU_SOURCE -I. $srcs; then
	status=1
fi

echo "clang-tidy"
for f in $srcs; do
	if ! clang-tidy --quiet "$f" -- $flags >"${TMPDIR:-/tmp}/lint.$$" 2>&1; then
		status=1
		grep -E 'warning:|error:' "${TMPDIR:-/tmp}/lint.$$"
	fi
done
rm -f "${TMPDIR:-/tmp}/lint.$$"
[ $status -eq 0 ] && echo "lint: clean" || echo "lint: findings above"
exit $status
