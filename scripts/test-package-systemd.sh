#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The package under a real systemd: debootstraps a minimal Debian 12 into a temporary directory,
# installs dist/otpd_*.deb there, boots it with systemd-nspawn (systemd as the container's PID 1)
# and runs scripts/package-test/in-container.sh there: socket activation, logins through the hardened
# otpd.service, its namespaces and capabilities as systemd applies them, the audit lines in the
# journal, reload, stop, an upgrade and remove. scripts/test-package.sh covers the rest on the host, where
# systemd is not PID 1.
#
# Needs root, debootstrap and systemd-container (systemd-nspawn), and Debian's package archive;
# refuses to run unless CI=true or OTPD_PACKAGE_TEST=1, like test-package.sh. Builds the package
# first unless SKIP_BUILD=1.
set -euo pipefail

fail() { echo "test-package-systemd.sh: FAIL: $*" >&2; exit 1; }
if [ "${CI:-}" != true ] && [ "${OTPD_PACKAGE_TEST:-}" != 1 ]; then
  echo "test-package-systemd.sh: run it with CI=true or OTPD_PACKAGE_TEST=1 (it needs root and the network to Debian)" >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || fail "must run as root (debootstrap, systemd-nspawn)"
for tool in debootstrap systemd-nspawn; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install debootstrap systemd-container)"
done
cd "$(dirname "$0")/.."

if [ "${SKIP_BUILD:-}" != 1 ]; then bash scripts/package.sh || fail "scripts/package.sh failed"; fi
mapfile -t debs < <(ls dist/otpd_*.deb 2>/dev/null)
[ "${#debs[@]}" = 1 ] || fail "expected exactly one dist/otpd_*.deb, found ${#debs[@]}"

WORK=$(mktemp -d /tmp/otpd-systemd-test.XXXXXX)
readonly WORK ROOT=$WORK/root
cleanup() {
  local status=$?
  # debootstrap mounts /proc and /sys in the root while it runs; never rm -rf through a mount.
  if ! grep -q " $ROOT/" /proc/mounts; then rm -rf "$WORK"; else echo "left $WORK (still mounted)" >&2; fi
  exit "$status"
}
trap cleanup EXIT

# The archive this machine's apt uses (Debian 12's deb822 sources); debootstrap's default otherwise.
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n1 || true)
echo "test-package-systemd.sh: debootstrap bookworm (minbase, systemd) from ${mirror:-the default mirror}"
# The package's dependencies come from the archive here, so that dpkg -i inside needs no network.
debootstrap --variant=minbase --include=systemd,dbus,procps,libssl3,pamtester,oathtool \
  bookworm "$ROOT" ${mirror:+"$mirror"} >"$WORK/debootstrap.log" 2>&1 ||
  { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }

cp "${debs[0]}" "$ROOT/root/otpd.deb"
# The same files under a higher version: what dpkg and the maintainer scripts do on an upgrade
# (prerm upgrade, postinst configure OLD-VERSION, the running daemon restarted onto the new files).
dpkg-deb -R "${debs[0]}" "$WORK/upgrade"
version=$(sed -n 's/^Version: //p' "$WORK/upgrade/DEBIAN/control")
sed -i "s/^Version: .*/Version: ${version}+upgradetest1/" "$WORK/upgrade/DEBIAN/control"
dpkg-deb --root-owner-group -b "$WORK/upgrade" "$ROOT/root/otpd-upgrade.deb" >/dev/null || fail "cannot build the upgrade package"
chroot "$ROOT" dpkg -i /root/otpd.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; fail "dpkg -i in the container root failed"; }
printf 'auth required pam_otpd.so\naccount required pam_permit.so\n' >"$ROOT/etc/pam.d/otpd-container-test"
install -m 0755 scripts/package-test/in-container.sh "$ROOT/root/in-container.sh"
cat >"$ROOT/etc/systemd/system/otpd-container-test.service" <<'EOF'
[Unit]
Description=otpd package checks under systemd
After=otpd.socket multi-user.target
[Service]
Type=oneshot
ExecStart=/root/in-container.sh
[Install]
WantedBy=multi-user.target
EOF
chroot "$ROOT" systemctl enable otpd-container-test.service >/dev/null 2>&1

echo "test-package-systemd.sh: booting the container"
# --register=no and --keep-unit: this host's systemd need not be running (it is not, in CI).
timeout 300 systemd-nspawn --quiet --register=no --keep-unit --directory="$ROOT" --boot --console=pipe \
  >"$WORK/boot.log" 2>&1 || true
[ -s "$ROOT/root/results" ] || { tail -n 40 "$WORK/boot.log" >&2; fail "the container ran no check"; }

passed=$(grep -c '^ok ' "$ROOT/root/results" || true)
failed=$(grep -c '^FAIL ' "$ROOT/root/results" || true)
sed -n 's/^\(ok\|FAIL\) /\1 - /p' "$ROOT/root/results"
if [ "$failed" != 0 ] || ! grep -qx done "$ROOT/root/results"; then
  sed 's/^/check log: /' "$ROOT/root/check.log" >&2 || true
  chroot "$ROOT" journalctl -u otpd.service -u otpd.socket --no-pager 2>/dev/null | tail -n 30 | sed 's/^/journal: /' >&2 || true
  [ "$failed" != 0 ] || failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
