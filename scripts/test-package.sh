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
# throw-away machines such as CI's). Needs what scripts/install-deps.sh installs (dpkg-dev, fakeroot,
# lintian, pamtester, oathtool, systemd, npm ci's dev dependencies). Helpers and the daemon part are
# in scripts/package-test/.
#
#   OTPD_PACKAGE_TEST=1 bash scripts/test-package.sh      # SKIP_BUILD=1: test the existing .deb
set -Eeuo pipefail

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
passed=0
daemon_pid=
other_user_pid=

# shellcheck source=scripts/package-test/common.sh
. scripts/package-test/common.sh

# The machine must not have any of what the package (or this test) creates: we would clobber an
# administrator's files, and could not tell ours from theirs when cleaning up.
for path in /etc/otpd /var/lib/otpd /run/otpd /usr/lib/otpd "$PAM_FILE"; do
  [ ! -e "$path" ] && [ ! -L "$path" ] || fail "$path already exists; this test needs a machine without otpd"
done
[ -z "$(package_status)" ] || fail "package otpd is already known to dpkg ($(package_status))"
WORK=$(mktemp -d /tmp/otpd-package-test.XXXXXX)
readonly WORK
trap cleanup EXIT
systemd_state >"$WORK/systemd.before"

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
apt_run "apt-get install failed" install -y -q "./$DEB"
ok "apt-get install ./$DEB"

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

# shellcheck source=scripts/package-test/daemon.sh
. scripts/package-test/daemon.sh

# --- reinstall, remove, purge ----------------------------------------------------------------------
store_before=$(sha256sum </etc/otpd/users.oath)
apt_run "reinstall failed" install -y -q --reinstall "./$DEB"
[ "$(sha256sum </etc/otpd/users.oath)" = "$store_before" ] || fail "reinstalling changed the store"
ok "reinstall keeps the store byte for byte"

apt_run "apt-get remove failed" remove -y -q otpd
for gone in /usr/lib/otpd /usr/sbin/otpd /usr/bin/otpctl "/lib/$MULTIARCH/security/pam_otpd.so" /lib/systemd/system/otpd.service; do
  [ ! -e "$gone" ] || fail "$gone is still there after remove"
done
[ "$(sha256sum </etc/otpd/users.oath)" = "$store_before" ] || fail "remove changed the store"
[ -f /etc/otpd/otpd.conf ] && [ -d /var/lib/otpd ] || fail "remove took the configuration or the state"
ok "apt-get remove: programs gone; store, configuration and state kept"

apt_run "apt-get purge failed" purge -y -q otpd
[ ! -e /etc/otpd/otpd.conf ] && [ ! -e /var/lib/otpd ] || fail "purge left the configuration or the state"
[ "$(sha256sum </etc/otpd/users.oath)" = "$store_before" ] || fail "purge removed or changed a store that holds tokens"
[ -z "$(package_status)" ] || fail "dpkg still knows otpd after purge ($(package_status))"
ok "apt-get purge: configuration and state gone; a store holding tokens kept"

# A store that is still empty, as postinst made it, goes with the purge (and /etc/otpd with it).
rm -f /etc/otpd/users.oath && rmdir /etc/otpd
apt_run "second install failed" install -y -q "./$DEB"
expect_mode /etc/otpd/users.oath "600 root:root regular empty file"
apt_run "second purge failed" purge -y -q otpd
for gone in /etc/otpd /var/lib/otpd /usr/lib/otpd; do
  [ ! -e "$gone" ] || fail "$gone is still there after purge"
done
systemd_state >"$WORK/systemd.after"
diff "$WORK/systemd.before" "$WORK/systemd.after" >&2 || fail "purge left systemd links or deb-systemd-helper state behind"
ok "install + purge with the store still empty: nothing of otpd is left"
