/**
 * How every otpctl command reports: plain lines for people and pipes, or one JSON document with
 * `--json`; errors as one line naming the field, and the exit codes scripts rely on.
 */
import { escapeText } from '../encoding/log-text.js';
import { ErrorCodes, InvalidInputError, OtpdError, messageOf } from '../errors.js';
import type { CliDeps } from './deps.js';

/** otpctl's exit codes. 1 is oathtool's "no match" (Reject, for verify); 2 is bad input or usage. */
export const ExitCodes = Object.freeze({
  OK: 0,
  NO_MATCH: 1,
  BAD_INPUT: 2,
  INTERNAL: 3,
} as const);

export class Output {
  constructor(
    private readonly deps: CliDeps,
    readonly json: boolean,
  ) {}

  /** Writes text to stdout, waiting when the pipe is full so huge listings do not pile up in memory. */
  async write(text: string): Promise<void> {
    if (this.deps.stdout.write(text)) return;
    await new Promise<void>((resolve) => this.deps.stdout.once('drain', () => resolve()));
  }

  /** One result: `text` for people, `document` for `--json`. */
  async result(text: string, document: unknown): Promise<void> {
    await this.write(this.json ? `${JSON.stringify(document)}\n` : `${text}\n`);
  }

  /**
   * A diagnostic line on stderr (never a secret). Escaped as explain lines are (format.ts
   * `escapeText`): messages name users, and `verify` and `challenge` take any name, as a login does.
   */
  note(text: string): void {
    this.deps.stderr.write(`otpctl: ${escapeText(text)}\n`);
  }

  /** Reports an error as one line (and a JSON document with `--json`) and sets the exit code. */
  fail(error: unknown): void {
    const known = error instanceof OtpdError;
    const message = messageOf(error);
    // Anything otpd refused on purpose (bad input, an unusable store, config or state) is the
    // caller's to fix: exit 2. Only the unexpected is internal.
    process.exitCode = known && error.code !== ErrorCodes.NATIVE_FAILURE ? ExitCodes.BAD_INPUT : ExitCodes.INTERNAL;
    this.note(known ? message : `internal error: ${message}`);
    if (this.json) {
      const field = error instanceof InvalidInputError ? { field: error.field } : {};
      const code = known ? error.code : 'INTERNAL';
      this.deps.stdout.write(`${JSON.stringify({ error: { code, ...field, message } })}\n`);
    }
  }
}

/**
 * Runs a command body with uniform error handling; the body returns the exit code it wants.
 * @internal
 */
export async function runCommand(deps: CliDeps, json: boolean, body: (out: Output) => Promise<number>): Promise<void> {
  const out = new Output(deps, json);
  try {
    process.exitCode = await body(out);
  } catch (error) {
    out.fail(error);
  }
}
