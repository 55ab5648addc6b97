# SPDX-License-Identifier: MIT
# Part of scripts/test-package.sh (sourced, with the package installed): enrols a user, starts otpd
# the way otpd.socket + otpd.service would, logs in through the installed pam_otpd.so, and checks
# the daemon's runtime, capabilities and lock handling, a replay, and SIGTERM.

# --- a user, the daemon as the units start it, a login ---------------------------------------------
otpctl user add "$TEST_USER" >/dev/null || fail "otpctl user add failed"
otpctl token add "$TEST_USER/hw" --type hotp --key "$KEY" --no-qr >/dev/null || fail "otpctl token add failed"
expect_mode /etc/otpd/users.oath "600 root:root regular file"
ok "user $TEST_USER with an HOTP token (otpctl user add, token add)"

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
environment=$(unit_value otpd.service Environment)
environment_args=()
[ -z "$environment" ] || environment_args=(-E "$environment")
(umask "$(unit_value otpd.service UMask)" &&
  exec setpriv --no-new-privs --bounding-set="$bounding" --inh-caps=-all -- \
    systemd-socket-activate "${environment_args[@]}" -l "$listen" $exec_start) \
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
[ -z "$environment" ] || tr '\0' '\n' <"/proc/$daemon_pid/environ" | grep -qxF "$environment" || fail "otpd does not run with the unit's $environment"
ok "the daemon is the shipped runtime serving the socket-activated fd 3, with the unit's capabilities${environment:+ and $environment}"
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
reload=$(unit_value otpd.service ExecReload)   # as systemctl reload otpd would run it
${reload//\$MAINPID/$daemon_pid}
for _ in $(seq 100); do grep -q 'users.oath.lock is held by a live writer' "$WORK/otpd.log" && break; [ -e /etc/otpd/users.oath.lock ] || break; sleep 0.1; done
[ -e /etc/otpd/users.oath.lock ] || fail "otpd broke a lock that another user's live process held open"
grep -q 'users.oath.lock is held by a live writer' "$WORK/otpd.log" || fail "otpd's SIGHUP sweep did not report the live lock"
kill "$other_user_pid" && other_user_pid=
rm -f /etc/otpd/users.oath.lock
ok "a lock held open by another user's process is left alone (sweep on ExecReload's SIGHUP)"
stop_daemon
ok "otpd stops on SIGTERM"
