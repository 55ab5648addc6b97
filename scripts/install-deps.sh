#!/usr/bin/env bash
# Installs what otpd needs to build and test on Debian 12, then the npm dependencies (which build the
# native addon and the TypeScript). Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# build: gcc, cmake, OpenSSL's libcrypto headers for the native addon, libpam headers for pam_otpd;
# tests: the real tools we cross-check against (oathtool, Heimdal's otpprint, pam_oath through
# pamtester), the real programs logins go through (sshd and ssh, su, OpenVPN with its auth-pam plugin
# and openssl to make its test certificates,
# expect to answer su's prompt in a pty) and valgrind for C;
# packaging: dpkg-deb, fakeroot and lintian for the Debian package, systemd for systemd-analyze and
# systemd-socket-activate, debootstrap and systemd-container to boot the package under a real systemd;
# fuzzing (npm run fuzz, docs/fuzz.md): clang with its libFuzzer, ASan and UBSan runtimes;
# lint: clang-format-14 for the C tree (scripts/lint-c.sh, .clang-format).
apt_packages=(build-essential cmake libssl-dev libpam0g-dev oathtool heimdal-clients libpam-oath pamtester valgrind util-linux
  openssh-server openssh-client openvpn openssl expect iproute2 dpkg-dev fakeroot lintian systemd
  debootstrap systemd-container clang libclang-rt-14-dev clang-format-14)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "otpd: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "otpd: needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "      Install it from https://nodejs.org or your distribution's backports, then run this again." >&2
  exit 1
fi

# npm ci runs `prepare`, which builds the native addon (cmake-js) and the TypeScript.
npm ci --no-audit --no-fund
