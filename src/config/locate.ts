/**
 * Finds the line on which each key of a TOML text is defined, so schema errors can say `FILE:LINE`.
 * smol-toml reports positions for syntax errors only; this scan covers table headers (`[a.b]`,
 * `[[a]]`) and `key = value` lines (dotted and quoted keys included). Keys inside inline tables take
 * the line of the key that holds the inline table. Only ever used after smol-toml accepted the text.
 * @internal
 */

const KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const DOTTED_KEY = String.raw`${KEY_PART}(?:[ \t]*\.[ \t]*${KEY_PART})*`;
const HEADER = new RegExp(String.raw`^[ \t]*\[\[?[ \t]*(${DOTTED_KEY})[ \t]*\]\]?`);
const ASSIGNMENT = new RegExp(String.raw`^[ \t]*(${DOTTED_KEY})[ \t]*=`);
const PART = new RegExp(KEY_PART, 'g');

/** Line numbers by key path. @internal */
export interface KeyLines {
  /** The line of `path`, or of its nearest ancestor that has one; undefined for the top level. */
  lineOf(path: readonly string[]): number | undefined;
}

/**
 * Scans `text` for key definitions.
 *
 * @param text - a TOML document that smol-toml parsed
 * @returns a lookup from key path to 1-based line
 * @internal
 */
export function locateKeys(text: string): KeyLines {
  const lines = new Map<string, number>();
  const remember = (path: readonly string[], line: number): void => {
    for (let depth = 1; depth <= path.length; depth += 1) {
      const id = path.slice(0, depth).join('\u0000');
      if (!lines.has(id)) lines.set(id, line);
    }
  };
  let table: string[] = [];
  let inMultiline: '"""' | "'''" | undefined;
  text.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    if (inMultiline !== undefined) {
      if (countOf(raw, inMultiline) % 2 === 1) inMultiline = undefined;
      return;
    }
    const header = HEADER.exec(raw);
    if (header !== null) {
      table = splitKey(header[1] as string);
      remember(table, lineNumber);
      return;
    }
    const assignment = ASSIGNMENT.exec(raw);
    if (assignment !== null) remember([...table, ...splitKey(assignment[1] as string)], lineNumber);
    for (const fence of ['"""', "'''"] as const) {
      if (countOf(raw, fence) % 2 === 1) inMultiline = fence;
    }
  });
  return {
    lineOf(path) {
      for (let depth = path.length; depth > 0; depth -= 1) {
        const line = lines.get(path.slice(0, depth).join('\u0000'));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}

function splitKey(dotted: string): string[] {
  return (dotted.match(PART) ?? []).map(unquote);
}

function unquote(part: string): string {
  if (part.startsWith("'")) return part.slice(1, -1);
  if (part.startsWith('"')) {
    try {
      return JSON.parse(part) as string;
    } catch {
      return part.slice(1, -1);
    }
  }
  return part;
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
