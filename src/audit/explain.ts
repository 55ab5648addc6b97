/**
 * Explain mode (`otpctl verify -d`): every step of a decision as a human-readable line, like
 * `otpme-auth -d verify`. The orchestration passes one {@link Explain} everywhere; outside explain
 * mode it is {@link NO_EXPLAIN}, whose `step` does nothing (pass a function to skip even building the
 * text). Steps name tokens, windows, counters and outcomes — never an answer, key, PIN or pass phrase.
 */
import { escapeText } from '../encoding/log-text.js';

/** Collects the steps of one decision. */
export interface Explain {
  /** False for {@link NO_EXPLAIN}: callers may skip expensive descriptions. */
  readonly enabled: boolean;
  /**
   * Records one step. Control characters are escaped so a user name cannot start a fake line.
   *
   * @param text - the step, or a function computing it (called only when enabled)
   * @example
   * explain.step('token alice/phone (HOTP/T30): checking steps 1699..1701');
   * explain.step(() => `window ${describeWindow(state)}`);
   */
  step(text: string | (() => string)): void;
  /** The steps so far, in order. */
  readonly lines: readonly string[];
}

/** The no-op collector used when not explaining. Frozen, shared. */
export const NO_EXPLAIN: Explain = Object.freeze({
  enabled: false,
  step: () => undefined,
  lines: Object.freeze([]),
});

/**
 * A collector for one decision.
 *
 * @returns an enabled {@link Explain}
 */
export function createExplain(): Explain {
  const lines: string[] = [];
  return {
    enabled: true,
    step(text) {
      lines.push(escapeText(typeof text === 'function' ? text() : text));
    },
    get lines() {
      return Object.freeze([...lines]);
    },
  };
}

/**
 * Formats the steps for a terminal: one per line, numbered.
 *
 * @param explain - a collector
 * @returns `"  1. first\n  2. second"`, or the empty string
 */
export function formatExplain(explain: Explain): string {
  const width = String(explain.lines.length).length;
  return explain.lines.map((line, index) => `  ${String(index + 1).padStart(width)}. ${line}`).join('\n');
}
