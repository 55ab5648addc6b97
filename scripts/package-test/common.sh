# SPDX-License-Identifier: MIT
# Helpers of scripts/test-package.sh (sourced): reporting, the machine's otpd-related state, the
# units' settings, and the cleanup that leaves the machine as the test found it.

fail() { echo "test-package.sh: FAIL: $*" >&2; exit 1; }
trap 'fail "line $LINENO of ${BASH_SOURCE[0]##*/}: $BASH_COMMAND exited $?"' ERR
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }

# apt-get with its output kept for when it fails: apt_run "what failed" ARGS...
apt_run() {
  local what=$1
  shift
  apt-get "$@" >"$WORK/apt.out" 2>&1 || { cat "$WORK/apt.out" >&2; fail "$what"; }
}

# dpkg's status of otpd: empty when dpkg has never heard of it or it is purged.
package_status() {
  local status
  status=$(dpkg-query -W -f='${Status}' otpd 2>/dev/null || true)
  case $status in *not-installed) status= ;; esac
  echo "$status"
}

# Enable links and deb-systemd-helper's records: the package's maintainer scripts write both.
systemd_state() {
  local dir
  for dir in /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked; do
    if [ -e "$dir" ]; then find "$dir"; else echo "absent: $dir"; fi
  done | LC_ALL=C sort
}

mode_of() { stat -c '%a %U:%G %F' "$1"; }
expect_mode() { # path, "mode owner:group type"
  [ -e "$1" ] || fail "$1 is missing"
  [ "$(mode_of "$1")" = "$2" ] || fail "$1 is $(mode_of "$1"), expected $2"
}

# The last KEY= line of an installed unit: unit_value otpd.service ExecStart
unit_value() { sed -n "s/^$2=//p" "/lib/systemd/system/$1" | tail -n1; }

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
