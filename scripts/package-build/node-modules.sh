# SPDX-License-Identifier: MIT
# Part of scripts/package.sh (sourced): the production node_modules in $STAGE/npm, exactly as
# package-lock.json has them, without what only builds the addon or only serves a package's own
# development, checked for anything the runtime must not carry.

step "production dependencies (npm ci --omit=dev)"
cp package.json package-lock.json "$STAGE/npm/"
(
  cd "$STAGE/npm"
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
  npm uninstall --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error "${BUILD_ONLY_PACKAGES[@]}"
)
for name in "${FORBIDDEN_AT_RUN_TIME[@]}"; do
  [ ! -e "$STAGE/npm/node_modules/$name" ] || die "node_modules still holds $name after pruning"
done
# Nothing in node_modules may be a native build of its own: the addon is the only one, built by us.
if find "$STAGE/npm/node_modules" -name '*.node' -o -name binding.gyp | grep -q .; then
  die "a production dependency carries native code: $(find "$STAGE/npm/node_modules" -name '*.node' -o -name binding.gyp | head -1)"
fi
# npm's bookkeeping, the dependencies' own command-line tools (otpd never runs them) and their
# development dotfiles (.npmignore, .eslintrc...) mean nothing at run time.
rm -rf "$STAGE/npm/node_modules/.bin" "$STAGE/npm/node_modules/.package-lock.json"
find "$STAGE/npm/node_modules" -mindepth 2 -type d \( -name .bin -o -name coverage \) -prune -exec rm -rf {} +
node -e '
  // Each dependency'"'"'s "bin" scripts: command-line tools of their own, never run by otpd.
  const fs = require("node:fs"), path = require("node:path");
  const walk = (dir) => { for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full);
    else if (e.name === "package.json") {
      const bin = JSON.parse(fs.readFileSync(full, "utf8")).bin;
      const files = typeof bin === "string" ? [bin] : Object.values(bin ?? {});
      for (const f of files) fs.rmSync(path.join(dir, f), { force: true });
    } } };
  walk(process.argv[1]);' "$STAGE/npm/node_modules"
find "$STAGE/npm/node_modules" -type f -name '.*' -delete
find "$STAGE/npm/node_modules" -type d -empty -delete
