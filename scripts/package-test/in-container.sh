#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside the container that scripts/test-package-systemd.sh boots, as a oneshot service once
# systemd (PID 1) has started otpd.socket: checks otpd under its real, hardened unit, writes one
# "ok ..." or "FAIL ..." line per check to /root/results, then powers the container off.
set -u
KEY=3132333435363738393031323334353637383930
RESULTS=/root/results
: >"$RESULTS"
ok() { echo "ok $*" >>"$RESULTS"; }
bad() { echo "FAIL $*" >>"$RESULTS"; }
check() { # description, command...
	what=$1
	shift
	if "$@" >>/root/check.log 2>&1; then ok "$what"; else bad "$what"; fi
}
login() { oathtool --hotp -c "$1" "$KEY" | pamtester otpd-container-test alice authenticate; }
refused() { ! "$@"; }
main_pid() { systemctl show otpd.service -p MainPID --value; }
in_otpd_ns() { nsenter -t "$(main_pid)" -m -- "$@"; }
audited() { journalctl -t otpd -o verbose --no-pager | grep -q "$1"; }

check "otpctl enrols alice with an HOTP token" sh -c "otpctl user add alice && otpctl token add alice/hw --type hotp --no-qr --key $KEY"
check "otpd.socket is active at boot" systemctl is-active --quiet otpd.socket
check "the socket is root's, mode 0600" test "$(stat -c '%a %U' /run/otpd/otpd.sock)" = "600 root"
check "a pamtester login through pam_otpd.so starts otpd.service and succeeds" login 1
check "the replayed code is refused" refused login 1
check "otpd.service is active" systemctl is-active --quiet otpd.service
status_field() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$(main_pid)/status"; }
check "otpd runs with NoNewPrivileges" test "$(status_field NoNewPrivs)" = 1
check "otpd runs under a seccomp filter" test "$(status_field Seccomp)" = 2
check "otpd's bounding set is CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE" test "$(status_field CapBnd)" = 0000000000080004
check "ProtectSystem=strict: /usr is read-only for otpd" refused in_otpd_ns touch /usr/otpd-probe
check "ReadWritePaths: /etc/otpd is writable for otpd" in_otpd_ns sh -c ': >/etc/otpd/.probe && rm /etc/otpd/.probe'
check "ProtectHome: /root is hidden from otpd" refused in_otpd_ns test -e /root/results
check "audit lines reach the journal as authpriv (facility 10)" audited 'SYSLOG_FACILITY=10'
check "the accepted login is audited" audited 'code=AUTH_OK_OTP'
check "the replay is audited as one" audited 'code=AUTH_OTP_ALREADY_USED'
check "systemctl reload otpd" systemctl reload otpd.service
sleep 1
check "the reload is logged" sh -c 'journalctl -u otpd.service --no-pager | grep -q "configuration reloaded"'
check "a login after the reload succeeds" login 2
check "systemctl stop otpd.service" systemctl stop otpd.service
check "the next login starts otpd again through the socket" login 3
before_pid=$(main_pid)
before_store=$(sha256sum </etc/otpd/users.oath)
check "dpkg -i of a higher version (an upgrade) succeeds" dpkg -i /root/otpd-upgrade.deb
check "the upgrade restarted the running otpd.service onto the new files" sh -c "systemctl is-active --quiet otpd.service && test \"\$(systemctl show otpd.service -p MainPID --value)\" != $before_pid"
check "the upgrade kept the store byte for byte" test "$(sha256sum </etc/otpd/users.oath)" = "$before_store"
check "otpd.socket is still enabled and active after the upgrade" sh -c 'systemctl is-enabled --quiet otpd.socket && systemctl is-active --quiet otpd.socket'
check "after the upgrade the counter goes on: code 3 is refused, code 4 accepted" sh -c "! oathtool --hotp -c 3 $KEY | pamtester otpd-container-test alice authenticate && oathtool --hotp -c 4 $KEY | pamtester otpd-container-test alice authenticate"
check "apt-get remove stops the socket and the daemon" apt-get remove -y -q otpd
check "otpd.socket is inactive after remove" refused systemctl is-active --quiet otpd.socket
check "the socket file is gone after remove" test ! -e /run/otpd/otpd.sock
echo done >>"$RESULTS"
systemctl poweroff --no-block
