/**
 * The layering of docs/architecture.md, checked on the import graph of src/: the table of layers is
 * read from that page, so the page and the check cannot disagree. Every import (type-only ones too:
 * a type names a dependency as much as a value does) between two folders goes to a strictly lower
 * layer; a top folder with an index.ts is entered from outside only through it; every folder (and file at
 * the root of src/) has a layer, so a new one has to be placed before it can be imported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared-data.js';

const SRC = path.join(repoRoot, 'src');

interface Import {
  readonly from: string;
  readonly line: number;
  readonly to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative specifiers of static imports and re-exports, and of dynamic import() with a literal. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)].map((match) => ({
    from: path.relative(SRC, file),
    line: text.slice(0, match.index).split('\n').length,
    to: path.relative(SRC, path.resolve(path.dirname(file), (match[2] ?? '').replace(/\.js$/, '.ts'))),
  }));
}

/** A file's unit of layering: its top folder under src/, or the file itself at the root. */
const unitOf = (relative: string): string => relative.split(path.sep)[0] ?? relative;

/** The layers table of docs/architecture.md: unit → layer number. */
function layers(): Map<string, number> {
  const page = readFileSync(path.join(repoRoot, 'docs', 'architecture.md'), 'utf8');
  const table = new Map<string, number>();
  for (const row of page.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)) {
    for (const unit of (row[2] ?? '').matchAll(/`([^`]+)`/g)) table.set((unit[1] ?? '').replace(/\/$/, ''), Number(row[1]));
  }
  return table;
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);
const table = layers();
const where = (i: Import): string => `src/${i.from}:${i.line} imports src/${i.to}`;

describe('the layers of docs/architecture.md', () => {
  it('reads a table of layers', () => {
    expect(table.size).toBeGreaterThan(5);
  });

  it('places every folder of src/ and every file at its root', () => {
    const units = [...new Set(files.map((f) => unitOf(path.relative(SRC, f))))].sort();
    expect(units.filter((u) => !table.has(u))).toEqual([]);
  });

  it('has every import go down a layer, or stay in its folder', () => {
    const upwards = imports.filter((i) => {
      const from = unitOf(i.from);
      const to = unitOf(i.to);
      return from !== to && !((table.get(from) ?? -1) > (table.get(to) ?? Infinity));
    });
    expect(upwards.map(where)).toEqual([]);
  });

  it('enters a folder that has an index.ts only through it', () => {
    // Top folders only: a nested index.ts (policy/verify, tokens/skey) groups files for their own folder.
    const barrels = new Set(
      files
        .map((f) => path.relative(SRC, f))
        .filter((f) => f.split(path.sep).length === 2 && path.basename(f) === 'index.ts')
        .map((f) => path.dirname(f)),
    );
    const past = imports.filter((i) => {
      const folder = [...barrels].find((b) => i.to.startsWith(`${b}${path.sep}`) && !i.from.startsWith(`${b}${path.sep}`));
      return folder !== undefined && i.to !== path.join(folder, 'index.ts');
    });
    expect(past.map(where)).toEqual([]);
  });

  it('sees the imports it checks (a sample known to exist)', () => {
    expect(imports.some((i) => i.from === path.join('policy', 'authenticate.ts') && unitOf(i.to) === 'store')).toBe(true);
  });
});
