#!/usr/bin/env bash
# The first of README's two commands: installs what is missing (Debian packages, npm dependencies),
# builds the native addon and the TypeScript, puts otpctl on PATH, and shows it working.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Put otpctl on PATH as a symlink into this checkout (root: /usr/local/bin; otherwise ~/.local/bin).
bin_dir=/usr/local/bin
[ "$(id -u)" -eq 0 ] || { bin_dir="$HOME/.local/bin"; mkdir -p "$bin_dir"; }
chmod +x dist/src/cli/otpctl.js
ln -sf "$PWD/dist/src/cli/otpctl.js" "$bin_dir/otpctl"
export PATH="$bin_dir:$PATH"

demo_key=3132333435363738393031323334353637383930   # the RFC 4226 test key: never use it for real
echo
echo "otpctl is ready ($(command -v otpctl)). A few things to try:"
set -x
otpctl gen hotp "$demo_key" -c 0 -w 2
otpctl gen totp "$demo_key" --now 59 -d 8
otpctl gen hotp "$demo_key" 520489 -w 100
otpctl key convert "$demo_key"
echo 'This is a test.' | otpctl gen skey --md5 -n 3 99 TeSt
