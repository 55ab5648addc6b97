#!/usr/bin/env bash
# The first of README's two commands. Installs what is missing (Debian packages, npm dependencies),
# builds the native addon, the PAM module and the TypeScript, puts otpd and otpctl on PATH, then starts
# otpd in the foreground on a demo store (the embedded default: a users.oath file) with a demo user and
# a PAM service, and prints the line to try a login. Ctrl-C stops it.
#
#   bash scripts/quickstart.sh [--no-install]
#
# --no-install skips scripts/install-deps.sh (for a tree that is already built).
# Environment: OTPD_DEMO_DIR (default /var/lib/otpd-demo), OTPD_DEMO_SERVICE (default otpd-demo),
# OTPD_BIN_DIR (where the otpd and otpctl links go; default /usr/local/bin).
# Needs root: the PAM service goes into /etc/pam.d and pam_otpd.so only talks to a root daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

install=1
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    *) echo "quickstart: unknown option $arg (only --no-install)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "quickstart: run it as root (sudo bash scripts/quickstart.sh): it writes /etc/pam.d/ and starts a root daemon." >&2
  exit 2
fi
[ "$install" -eq 0 ] || bash scripts/install-deps.sh
for built in dist/src/daemon/otpd.js dist/src/cli/otpctl.js pam/build/pam_otpd.so; do
  [ -e "$built" ] || { echo "quickstart: $built is missing: run without --no-install, or npm run build" >&2; exit 1; }
done

# otpd and otpctl on PATH, as symlinks into this checkout.
bin_dir=${OTPD_BIN_DIR:-/usr/local/bin}
mkdir -p "$bin_dir"
chmod +x dist/src/cli/otpctl.js dist/src/daemon/otpd.js
ln -sf "$repo/dist/src/cli/otpctl.js" "$bin_dir/otpctl"
ln -sf "$repo/dist/src/daemon/otpd.js" "$bin_dir/otpd"

# A demo store with one TOTP user (a fresh random key), a configuration pointing at it, an audit
# log file, a state directory and a socket, all root-only, in one directory.
demo=${OTPD_DEMO_DIR:-/var/lib/otpd-demo}
service=${OTPD_DEMO_SERVICE:-otpd-demo}
case "$service" in
  *[!A-Za-z0-9_-]*|'') echo "quickstart: OTPD_DEMO_SERVICE must be a plain PAM service name" >&2; exit 2 ;;
esac
# Root writes keys here: the directory must be root's own, not a link someone else planted.
if [ -e "$demo" ] || [ -L "$demo" ]; then
  if [ -L "$demo" ] || [ ! -d "$demo" ] || [ "$(stat -c %u "$demo")" != 0 ]; then
    echo "quickstart: $demo exists and is not a directory owned by root; remove it or set OTPD_DEMO_DIR" >&2
    exit 2
  fi
  chmod 0700 "$demo"
else
  install -d -m 0700 "$demo"
fi
install -d -m 0700 "$demo/state"   # inside a root-only directory nobody else can plant a file
key_file=$demo/demo.key
if [ ! -s "$demo/users.oath" ]; then
  (umask 077; od -An -tx1 -N20 /dev/urandom | tr -d ' \n' > "$key_file")
  (umask 077; printf 'HOTP/T30 demo - %s\n' "$(cat "$key_file")" > "$demo/users.oath")
fi
cat > "$demo/otpd.conf" <<EOF
# Written by scripts/quickstart.sh: the demo's configuration (see packaging/otpd.conf for every key).
store = "$demo/users.oath"
state_dir = "$demo/state"
audit_log = "$demo/audit.log"
EOF
chmod 0600 "$demo/otpd.conf"

# The demo PAM service: only our module, so a login succeeds exactly when otpd says so.
cat > "/etc/pam.d/$service" <<EOF
# Written by otpd's scripts/quickstart.sh for the demo; remove it with: rm /etc/pam.d/$service
auth     required  $repo/pam/build/pam_otpd.so socket=$demo/otpd.sock timeout=10
account  required  pam_permit.so
EOF

cat <<EOF

otpd is starting in the foreground (Ctrl-C stops it) on the demo store $demo/users.oath,
with user "demo" holding a TOTP token. In another terminal, as root, try a login:

  otpctl gen totp \$(cat $key_file)         # prints the current code
  pamtester $service demo authenticate      # type it at "One-time password:"

A replayed or wrong code is refused; every decision is in $demo/audit.log.
Then run the tests: npm test

EOF
exec node "$repo/dist/src/daemon/otpd.js" --config "$demo/otpd.conf" --socket "$demo/otpd.sock"
