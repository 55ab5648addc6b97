// SPDX-License-Identifier: MIT
//
// Writes the package's machine-readable debian/copyright (DEP-5) on standard output: otpd itself
// (packaging/debian/copyright), then the Node.js runtime and every package under node_modules, each
// with the full text of its own LICENSE file. Generated at build time because the shipped
// node_modules is whatever package-lock.json resolves to.
//
//   node packaging/debian/copyright.mjs NODE_MODULES_DIR NODE_LICENSE_FILE NODE_VERSION
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [modulesDir, nodeLicense, nodeVersion] = process.argv.slice(2);
if (!modulesDir || !nodeLicense || !nodeVersion) {
  process.stderr.write('usage: copyright.mjs NODE_MODULES_DIR NODE_LICENSE_FILE NODE_VERSION\n');
  process.exit(2);
}

// DEP-5 short names for the SPDX identifiers npm packages use.
const DEP5_NAMES = { MIT: 'Expat', ISC: 'ISC', 'BSD-3-Clause': 'BSD-3-clause', 'BSD-2-Clause': 'BSD-2-clause', 'Apache-2.0': 'Apache-2.0' };

/** A license text as a DEP-5 field continuation: each line indented, blank lines as " .". */
function continuation(text) {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    .map((line) => (line.trim() === '' ? ' .' : ` ${line.replace(/\t/g, '    ').trimEnd()}`))
    .join('\n');
}

/** Every package directory under node_modules, nested ones and scopes included, sorted. */
function packageDirs(dir) {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      found.push(...packageDirs(full));
    } else if (existsSync(path.join(full, 'package.json'))) {
      found.push(full, ...packageDirs(path.join(full, 'node_modules')));
    }
  }
  return found.sort();
}

function licenseFile(dir) {
  const name = readdirSync(dir).find((file) => /^(licen[cs]e|copying)([-.][a-z0-9]+)*$/i.test(file));
  return name === undefined ? undefined : path.join(dir, name);
}

const paragraphs = [readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'copyright'), 'utf8').trimEnd()];

paragraphs.push(
  [
    'Files: usr/lib/otpd/bin/node',
    'Copyright: Node.js contributors, and the authors of the libraries built into Node.js',
    `Comment: Node.js ${nodeVersion}, the runtime otpd ships (docs/packaging.md). Its LICENSE,`,
    ' which also covers the libraries built into the binary (V8, OpenSSL, ICU, libuv and',
    ' others), follows in full.',
    'License: Expat and others',
    continuation(readFileSync(nodeLicense, 'utf8')),
  ].join('\n'),
);

const root = path.resolve(modulesDir, '..');
for (const dir of packageDirs(modulesDir)) {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const spdx = typeof pkg.license === 'string' ? pkg.license : undefined;
  const short = spdx === undefined ? undefined : DEP5_NAMES[spdx];
  const file = licenseFile(dir);
  if (short === undefined) throw new Error(`${pkg.name}: license ${JSON.stringify(pkg.license)} has no DEP-5 name here; add it`);
  if (file === undefined) throw new Error(`${pkg.name}: no LICENSE file to quote`);
  const text = readFileSync(file, 'utf8');
  const holders = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => /^(copyright\b|\(c\)|©)/i.test(line) && !/^copyright (notice|holders?)\b/i.test(line))
    .map((line) => line.replace(/^copyright\s*(\(c\)|©)?\s*/i, '').replace(/^(\(c\)|©)\s*/, ''));
  const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
  const copyright = holders.length > 0 ? holders : [author ?? `the authors of ${pkg.name}`];
  paragraphs.push(
    [
      `Files: ${path.join('usr/lib/otpd', path.relative(root, dir))}/*`,
      `Copyright: ${copyright.join('\n ')}`,
      `Comment: ${pkg.name} ${pkg.version}, from the npm registry.`,
      `License: ${short}`,
      continuation(text),
    ].join('\n'),
  );
}

process.stdout.write(`${paragraphs.join('\n\n')}\n`);
