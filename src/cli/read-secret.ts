/**
 * Reads one secret line. From a terminal: prompt on stderr, no echo (raw mode), Ctrl-C or Ctrl-D
 * aborts. From a pipe or file: the first line, without prompting, as opiekey and otpprint do.
 */
import { InvalidInputError } from '../errors.js';

/** No pass phrase is longer than this; more input is refused rather than buffered. */
const MAX_SECRET_CHARS = 1024;

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

function readFromTerminal(stdin: Input, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      stdin.setRawMode?.(false);
      stdin.removeListener('data', onData);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new InvalidInputError('pass phrase', 'input aborted'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
        if (typed.length > MAX_SECRET_CHARS) return finish(new InvalidInputError('pass phrase', `longer than ${MAX_SECRET_CHARS} characters`));
      }
    };
    stderr.write(prompt);
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

function readFirstLine(stdin: Input): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const done = (result: string | Error): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.pause();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      const newline = buffered.search(/\r?\n/);
      if (newline >= 0) done(buffered.slice(0, newline));
      else if (buffered.length > MAX_SECRET_CHARS) done(new InvalidInputError('pass phrase', `longer than ${MAX_SECRET_CHARS} characters`));
    };
    const onEnd = (): void => {
      done(buffered.length > 0 ? buffered : new InvalidInputError('pass phrase', 'none given on standard input'));
    };
    const onError = (error: Error): void => done(error);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

/**
 * @param stdin - process.stdin or a test stream
 * @param stderr - where the prompt goes (never stdout, which scripts capture)
 * @param prompt - e.g. `Pass phrase: `
 * @returns the line typed, without its line ending
 * @throws InvalidInputError when input ends empty, is aborted or is too long
 */
export function readSecret(stdin: Input, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  return stdin.isTTY === true ? readFromTerminal(stdin, stderr, prompt) : readFirstLine(stdin);
}
