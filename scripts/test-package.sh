#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# End-to-end test of the Debian package ON THIS MACHINE: builds dist/otpd_*.deb, lints it, installs
# it with apt-get, checks the installed files, starts otpd the way otpd.socket + otpd.service do
# (systemd-socket-activate, since systemd need not be PID 1), enrols a user with an HOTP token, logs
# in with pamtester through the installed pam_otpd.so, checks a replay is refused, then removes and
# purges the package and checks what stays and what goes. Leaves the machine as it found it.
#
# It installs packages as root, so it refuses to run unless CI=true or OTPD_PACKAGE_TEST=1 (meant for
# throw-away machines such as CI's). Needs: the built tree (npm run build), dpkg-dev, fakeroot,
# lintian, pamtester, oathtool, systemd (systemd-socket-activate, systemd-analyze).
#
#   OTPD_PACKAGE_TEST=1 bash scripts/test-package.sh      # SKIP_BUILD=1: test the existing .deb
set -euo pipefail

if [ "${CI:-}" != true ] && [ "${OTPD_PACKAGE_TEST:-}" != 1 ]; then
  echo "test-package.sh: installs the otpd package on this machine; run it only on a throw-away machine," >&2
  echo "test-package.sh: with CI=true or OTPD_PACKAGE_TEST=1" >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || { echo "test-package.sh: must run as root (apt-get install)" >&2; exit 2; }

cd "$(dirname "$0")/.."
readonly SERVICE=otpd-package-test
readonly PAM_FILE=/etc/pam.d/$SERVICE
readonly TEST_USER=pkgtest
readonly KEY=3132333435363738393031323334353637383930   # RFC 4226 Appendix D
readonly MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
readonly WORK=$(mktemp -d /tmp/otpd-package-test.XXXXXX)
passed=0
daemon_pid=
other_user_pid=

fail() { echo "test-package.sh: FAIL: $*" >&2; exit 1; }
trap 'fail "line $LINENO: $BASH_COMMAND exited $?"' ERR
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }

# The machine must not have any of what the package (or this test) creates: we would clobber an
# administrator's files, and could not tell ours from theirs when cleaning up.
for path in /etc/otpd /var/lib/otpd /run/otpd /usr/lib/otpd "$PAM_FILE"; do
  [ ! -e "$path" ] && [ ! -L "$path" ] || fail "$path already exists; this test needs a machine without otpd"
done
# dpkg's status of otpd: empty when dpkg has never heard of it or it is purged.
package_status() {
  local status
  status=$(dpkg-query -W -f='${Status}' otpd 2>/dev/null || true)
  case $status in *not-installed) status= ;; esac
  echo "$status"
}
[ -z "$(package_status)" ] || fail "package otpd is already known to dpkg ($(package_status))"
# Enable links and deb-systemd-helper's records: the package's maintainer scripts write both.
systemd_state() {
  local dir
  for dir in /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked; do
    if [ -e "$dir" ]; then find "$dir"; else echo "absent: $dir"; fi
  done | LC_ALL=C sort
}
systemd_state >"$WORK/systemd.before"

stop_daemon() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"
    for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$daemon_pid" 2>/dev/null && fail "otpd did not stop within 5 s of SIGTERM"
  fi
  daemon_pid=
  rm -rf /run/otpd
}

cleanup() {
  local status=$?
  trap - EXIT
  if [ -n "$daemon_pid" ]; then kill -KILL "$daemon_pid" 2>/dev/null || true; fi
  if [ -n "$other_user_pid" ]; then kill "$other_user_pid" 2>/dev/null || true; fi
  if [ -n "$(package_status)" ]; then
    apt-get purge -y -q otpd >/dev/null 2>&1 || dpkg --purge otpd >/dev/null 2>&1 || true
  fi
  if [ "$status" != 0 ] && [ -s "$WORK/otpd.log" ]; then sed 's/^/otpd log: /' "$WORK/otpd.log" >&2; fi
  # Everything below was checked absent at the start, so it is this test's.
  rm -rf /etc/otpd /var/lib/otpd /run/otpd "$PAM_FILE" "$WORK"
  if [ "$status" = 0 ]; then echo "$passed passed, 0 failed"; else echo "$passed passed, 1 failed"; fi
  exit "$status"
}
trap cleanup EXIT

# --- build and lint ---------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-}" != 1 ]; then
  bash scripts/package.sh || fail "scripts/package.sh failed"
fi
mapfile -t debs < <(ls dist/otpd_*.deb 2>/dev/null)
[ "${#debs[@]}" = 1 ] || fail "expected exactly one dist/otpd_*.deb, found ${#debs[@]}"
readonly DEB=${debs[0]}
ok "built $DEB"

lintian --fail-on error,warning "$DEB" >"$WORK/lintian.out" 2>&1 || { cat "$WORK/lintian.out" >&2; fail "lintian reports errors or warnings"; }
ok "lintian: no errors, no warnings (overrides explained in docs/packaging.md)"

# --- install and check the files ------------------------------------------------------------------
apt-get install -y -q "./$DEB" >"$WORK/apt.out" 2>&1 || { cat "$WORK/apt.out" >&2; fail "apt-get install failed"; }
ok "apt-get install ./$DEB"

mode_of() { stat -c '%a %U:%G %F' "$1"; }
expect_mode() { # path, "mode owner:group type"
  [ -e "$1" ] || fail "$1 is missing"
  [ "$(mode_of "$1")" = "$2" ] || fail "$1 is $(mode_of "$1"), expected $2"
}
expect_mode /etc/otpd "755 root:root directory"
expect_mode /etc/otpd/otpd.conf "644 root:root regular file"
expect_mode /etc/otpd/users.oath "600 root:root regular empty file"
expect_mode /var/lib/otpd "700 root:root directory"
expect_mode "/lib/$MULTIARCH/security/pam_otpd.so" "644 root:root regular file"
expect_mode /usr/sbin/otpd "755 root:root regular file"
expect_mode /usr/bin/otpctl "755 root:root regular file"
expect_mode /usr/lib/otpd/bin/node "755 root:root regular file"
for f in /lib/systemd/system/otpd.socket /lib/systemd/system/otpd.service /usr/share/man/man8/otpd.8.gz \
  /usr/share/man/man8/otpctl.8.gz /usr/share/doc/otpd/copyright /usr/share/doc/otpd/changelog.Debian.gz \
  /usr/lib/otpd/native/build/Release/otpd_native.node; do
  [ -f "$f" ] || fail "$f is missing"
done
dpkg-query -W -f='${Conffiles}\n' otpd | grep -q '^ /etc/otpd/otpd.conf ' || fail "/etc/otpd/otpd.conf is not a conffile"
grep -qx 'store = "/etc/otpd/users.oath"' /etc/otpd/otpd.conf || fail "otpd.conf does not name /etc/otpd/users.oath"
for name in cmake-js node-addon-api typescript vitest fast-check @types; do
  [ ! -e "/usr/lib/otpd/node_modules/$name" ] || fail "build-only package $name is installed"
done
[ -n "$(ls -A /usr/share/doc/otpd/examples 2>/dev/null)" ] || fail "/usr/share/doc/otpd/examples is empty"
ok "installed files, owners and modes; empty root-only store; conffile; no build-only packages"

runtime=$(/usr/lib/otpd/bin/node --version)
[ "$(otpctl --version)" = "$(node -p 'require("./package.json").version')" ] || fail "otpctl --version does not match package.json"
otpctl gen hotp "$KEY" -c 1 -w 0 >"$WORK/gen.out" 2>"$WORK/gen.err" || fail "otpctl gen failed: $(cat "$WORK/gen.err")"
[ "$(cat "$WORK/gen.out")" = 287082 ] || fail "otpctl gen hotp printed $(cat "$WORK/gen.out"), expected 287082"
[ ! -s "$WORK/gen.err" ] || fail "otpctl complained (native addon not loaded?): $(cat "$WORK/gen.err")"
ok "otpctl runs on the shipped Node.js $runtime with the native addon"
# npm test runs on the build machine's node; the unit tests again on the one the package ships.
/usr/lib/otpd/bin/node node_modules/vitest/vitest.mjs run --project unit >"$WORK/vitest.out" 2>&1 ||
  { tail -n 40 "$WORK/vitest.out" >&2; fail "the unit tests fail on the shipped Node.js $runtime"; }
ok "the unit tests pass on the shipped Node.js $runtime"

analyze_man=--man=no
if command -v man >/dev/null; then analyze_man=--man=yes; fi
systemd-analyze verify "$analyze_man" /lib/systemd/system/otpd.socket /lib/systemd/system/otpd.service >"$WORK/verify.out" 2>&1 ||
  { cat "$WORK/verify.out" >&2; fail "systemd-analyze verify failed"; }
[ ! -s "$WORK/verify.out" ] || { cat "$WORK/verify.out" >&2; fail "systemd-analyze verify is not clean"; }
[ -L /etc/systemd/system/sockets.target.wants/otpd.socket ] || fail "otpd.socket was not enabled"
ok "systemd-analyze verify $analyze_man: clean; otpd.socket enabled"

# --- a user, the daemon as the units start it, a login ---------------------------------------------
otpctl user add "$TEST_USER" >/dev/null || fail "otpctl user add failed"
otpctl token add "$TEST_USER/hw" --type hotp --key "$KEY" --no-qr >/dev/null || fail "otpctl token add failed"
expect_mode /etc/otpd/users.oath "600 root:root regular file"
ok "user $TEST_USER with an HOTP token (otpctl user add, token add)"

unit_value() { sed -n "s/^$2=//p" "/lib/systemd/system/$1" | tail -n1; }
exec_start=$(unit_value otpd.service ExecStart)
listen=$(unit_value otpd.socket ListenStream)
[ -n "$exec_start" ] && [ -n "$listen" ] || fail "cannot read ExecStart/ListenStream from the units"
# As otpd.socket (DirectoryMode, SocketMode, root) and otpd.service would: its UMask, its
# NoNewPrivileges and its CapabilityBoundingSet (through setpriv), so a run that needs a capability
# the unit takes away fails here too. The namespace options (ProtectSystem...) need systemd itself.
[ "$(unit_value otpd.service NoNewPrivileges)" = yes ] || fail "otpd.service lost NoNewPrivileges=yes"
bounding=-all
for cap in $(unit_value otpd.service CapabilityBoundingSet); do
  cap=${cap,,}
  bounding+=",+${cap#cap_}"
done
install -d -m "$(unit_value otpd.socket DirectoryMode)" "$(dirname "$listen")"
(umask "$(unit_value otpd.service UMask)" &&
  exec setpriv --no-new-privs --bounding-set="$bounding" --inh-caps=-all -- systemd-socket-activate -l "$listen" $exec_start) \
  >"$WORK/otpd.log" 2>&1 </dev/null &
daemon_pid=$!
for _ in $(seq 50); do [ -S "$listen" ] && break; sleep 0.1; done
[ -S "$listen" ] || fail "systemd-socket-activate did not create $listen"
chmod "$(unit_value otpd.socket SocketMode)" "$listen"
ok "otpd socket-activated: setpriv --no-new-privs --bounding-set=$bounding systemd-socket-activate -l $listen $exec_start"

printf 'auth required pam_otpd.so\naccount required pam_permit.so\n' >"$PAM_FILE"
# A writer that died holding the store's lock, and a process of another user running: the first
# login must break that lock, which the unit's capabilities have to allow (reading the other
# user's /proc/PID/fd). With too few, otpd cannot prove the lock stale and the login fails.
: >/etc/otpd/users.oath.lock && touch -d '-1 minute' /etc/otpd/users.oath.lock
: >/etc/otpd/users.oath.new
setpriv --reuid=65534 --regid=65534 --clear-groups -- sleep 300 &
other_user_pid=$!
login() { echo "$1" | timeout 30 pamtester "$SERVICE" "$TEST_USER" authenticate >"$WORK/pamtester.out" 2>&1; }
code=$(oathtool --hotp -c 1 "$KEY")
login "$code" || { cat "$WORK/pamtester.out" >&2; fail "pamtester login with a fresh HOTP code was refused"; }
kill "$other_user_pid" 2>/dev/null || true
ok "pamtester login through the installed pam_otpd.so, breaking a dead writer's lock"
for _ in $(seq 50); do [ ! -e /etc/otpd/users.oath.new ] && break; sleep 0.1; done
[ ! -e /etc/otpd/users.oath.lock ] && [ ! -e /etc/otpd/users.oath.new ] || fail "the dead writer's .lock/.new are still beside the store"
ok "the dead writer's .lock and .new are gone"
[ "$(readlink "/proc/$daemon_pid/exe")" = /usr/lib/otpd/bin/node ] || fail "otpd does not run on /usr/lib/otpd/bin/node"
grep -q "listening on fd 3" "$WORK/otpd.log" || fail "otpd did not serve the passed socket (fd 3)"
expected_caps=$(setpriv --bounding-set="$bounding" -- grep '^CapBnd' /proc/self/status)
[ "$(grep '^CapBnd' "/proc/$daemon_pid/status")" = "$expected_caps" ] && [ "$expected_caps" != "$(grep '^CapBnd' /proc/self/status)" ] ||
  fail "otpd does not run with the unit's bounding set ($expected_caps)"
ok "the daemon is the shipped runtime serving the socket-activated fd 3, with the unit's capabilities"
if login "$code"; then fail "a replayed code was accepted"; fi
grep -q 'Authentication failure' "$WORK/pamtester.out" || { cat "$WORK/pamtester.out" >&2; fail "the replay failed for another reason"; }
ok "the same code again is refused (replay)"

# The other side of that capability set: a lock that another user's process holds open is live and
# must never be broken. The SIGHUP sweep judges locks stale after 2 s (logins after 30 s, counted
# from the file's ctime, which a test cannot backdate), so wait past that and send SIGHUP.
: >/etc/otpd/users.oath.lock
(exec 3</etc/otpd/users.oath.lock && exec setpriv --reuid=65534 --regid=65534 --clear-groups -- sleep 300) &
other_user_pid=$!
for _ in $(seq 50); do [ -e "/proc/$other_user_pid/fd/3" ] && break; sleep 0.1; done
[ "$(stat -L -c %i "/proc/$other_user_pid/fd/3")" = "$(stat -c %i /etc/otpd/users.oath.lock)" ] || fail "the lock holder did not start"
sleep 2.5
kill -HUP "$daemon_pid"
for _ in $(seq 100); do grep -q 'users.oath.lock is held by a live writer' "$WORK/otpd.log" && break; [ -e /etc/otpd/users.oath.lock ] || break; sleep 0.1; done
[ -e /etc/otpd/users.oath.lock ] || fail "otpd broke a lock that another user's live process held open"
grep -q 'users.oath.lock is held by a live writer' "$WORK/otpd.log" || fail "otpd's SIGHUP sweep did not report the live lock"
kill "$other_user_pid" && other_user_pid=
rm -f /etc/otpd/users.oath.lock
ok "a lock held open by another user's process is left alone (SIGHUP sweep)"
stop_daemon
ok "otpd stops on SIGTERM"

# --- reinstall, remove, purge ----------------------------------------------------------------------
store_before=$(sha256sum </etc/otpd/users.oath)
apt-get install -y -q --reinstall "./$DEB" >"$WORK/apt.out" 2>&1 || { cat "$WORK/apt.out" >&2; fail "reinstall failed"; }
[ "$(sha256sum </etc/otpd/users.oath)" = "$store_before" ] || fail "reinstalling changed the store"
ok "reinstall keeps the store byte for byte"

apt-get remove -y -q otpd >"$WORK/apt.out" 2>&1 || { cat "$WORK/apt.out" >&2; fail "apt-get remove failed"; }
for gone in /usr/lib/otpd /usr/sbin/otpd /usr/bin/otpctl "/lib/$MULTIARCH/security/pam_otpd.so" /lib/systemd/system/otpd.service; do
  [ ! -e "$gone" ] || fail "$gone is still there after remove"
done
[ "$(sha256sum </etc/otpd/users.oath)" = "$store_before" ] || fail "remove changed the store"
[ -f /etc/otpd/otpd.conf ] && [ -d /var/lib/otpd ] || fail "remove took the configuration or the state"
ok "apt-get remove: programs gone; store, configuration and state kept"

apt-get purge -y -q otpd >"$WORK/apt.out" 2>&1 || { cat "$WORK/apt.out" >&2; fail "apt-get purge failed"; }
[ ! -e /etc/otpd/otpd.conf ] && [ ! -e /var/lib/otpd ] || fail "purge left the configuration or the state"
[ "$(sha256sum </etc/otpd/users.oath)" = "$store_before" ] || fail "purge removed or changed a store that holds tokens"
[ -z "$(package_status)" ] || fail "dpkg still knows otpd after purge ($(package_status))"
ok "apt-get purge: configuration and state gone; a store holding tokens kept"

# A store that is still empty, as postinst made it, goes with the purge (and /etc/otpd with it).
rm -f /etc/otpd/users.oath && rmdir /etc/otpd
apt-get install -y -q "./$DEB" >"$WORK/apt.out" 2>&1 || { cat "$WORK/apt.out" >&2; fail "second install failed"; }
expect_mode /etc/otpd/users.oath "600 root:root regular empty file"
apt-get purge -y -q otpd >"$WORK/apt.out" 2>&1 || { cat "$WORK/apt.out" >&2; fail "second purge failed"; }
for gone in /etc/otpd /var/lib/otpd /usr/lib/otpd; do
  [ ! -e "$gone" ] || fail "$gone is still there after purge"
done
systemd_state >"$WORK/systemd.after"
diff "$WORK/systemd.before" "$WORK/systemd.after" >&2 || fail "purge left systemd links or deb-systemd-helper state behind"
ok "install + purge with the store still empty: nothing of otpd is left"
