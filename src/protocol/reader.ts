/**
 * The daemon's frame reader: bytes from a socket in, one decoded message at a time out. It knows
 * framing only; what may follow what is the conversation's business (docs/protocol.md).
 *
 * It never holds more than one frame (at most `maxFrame` bytes): the start marker is checked byte by
 * byte, the total length as soon as the first 8 bytes are in, and a frame that started must complete
 * within `partialFrameMs`. Errors are reported to `onError` listeners, once; after that the reader
 * drops all input and the caller sends ERROR (`err.wireCode`) and closes. Nothing is thrown into the
 * caller of `push`, so it is safe as a socket's `data` handler.
 */
import { Deadlines, Limits } from './constants.js';
import { decodeFrame, peekFrameLength } from './codec.js';
import { ProtocolError } from './errors.js';
import type { Message } from './messages.js';

export interface FrameReaderOptions {
  /** A started frame must be complete within this many milliseconds (default 2000; 0 disables). */
  readonly partialFrameMs?: number;
  /** Largest frame accepted, at most (and by default) `Limits.MAX_FRAME`. */
  readonly maxFrame?: number;
}

type Listener<T> = (value: T) => void;

/**
 * @example
 * const reader = new FrameReader();
 * reader.onMessage((m) => conversation.handle(m));
 * reader.onError((err) => { socket.end(encodeFrame({ type: 'ERROR', code: err.wireCode })); });
 * socket.on('data', (chunk) => reader.push(chunk));
 * socket.on('end', () => reader.end());
 * socket.on('close', () => reader.dispose());
 */
export class FrameReader {
  readonly #partialFrameMs: number;
  readonly #maxFrame: number;
  readonly #buf: Uint8Array;
  #filled = 0;
  #want: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #state: 'reading' | 'failed' | 'disposed' = 'reading';
  readonly #onMessage = new Set<Listener<Message>>();
  readonly #onError = new Set<Listener<ProtocolError>>();

  /** @throws {RangeError} for options out of range. */
  constructor(options: FrameReaderOptions = {}) {
    const partial = options.partialFrameMs ?? Deadlines.PARTIAL_FRAME_MS;
    const max = options.maxFrame ?? Limits.MAX_FRAME;
    if (!Number.isInteger(partial) || partial < 0) throw new RangeError(`partialFrameMs: want a whole number >= 0, got ${partial}`);
    if (!Number.isInteger(max) || max < 16 || max > Limits.MAX_FRAME) throw new RangeError(`maxFrame: want 16 .. ${Limits.MAX_FRAME}, got ${max}`);
    this.#partialFrameMs = partial;
    this.#maxFrame = max;
    this.#buf = new Uint8Array(max);
  }

  /** Adds a listener for decoded messages; returns a function that removes it. */
  onMessage(listener: Listener<Message>): () => void {
    this.#onMessage.add(listener);
    return () => this.#onMessage.delete(listener);
  }

  /** Adds a listener for the (single) error; returns a function that removes it. */
  onError(listener: Listener<ProtocolError>): () => void {
    this.#onError.add(listener);
    return () => this.#onError.delete(listener);
  }

  /** Bytes of a frame that has started and not completed. */
  get pending(): number {
    return this.#filled;
  }

  /** True once an error was reported (the reader then ignores input). */
  get failed(): boolean {
    return this.#state === 'failed';
  }

  /** Feeds bytes; decoded messages go to the listeners in order, synchronously. Never throws. */
  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length && this.#state === 'reading') {
      const need = (this.#want ?? 8) - this.#filled;
      const take = Math.min(need, chunk.length - off);
      this.#buf.set(chunk.subarray(off, off + take), this.#filled);
      this.#filled += take;
      off += take;
      try {
        if (this.#want === undefined) {
          this.#want = peekFrameLength(this.#buf.subarray(0, this.#filled), this.#maxFrame);
          continue;
        }
        if (this.#filled < this.#want) continue;
        const message = decodeFrame(this.#buf.subarray(0, this.#want));
        this.#buf.fill(0, 0, this.#want); // may hold an authtok
        this.#filled = 0;
        this.#want = undefined;
        this.#clearTimer();
        this.#emitMessage(message);
      } catch (err) {
        this.#fail(err instanceof ProtocolError ? err : new ProtocolError('internal', 'decoding failed', { cause: err }));
      }
    }
    if (this.#state === 'reading' && this.#filled > 0 && this.#timer === undefined && this.#partialFrameMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#fail(new ProtocolError('timeout', `a frame stayed incomplete for ${this.#partialFrameMs} ms (${this.#filled} bytes)`));
      }, this.#partialFrameMs);
      this.#timer.unref();
    }
  }

  /** The peer finished sending: an incomplete frame is an error (`truncated`). */
  end(): void {
    if (this.#state === 'reading' && this.#filled > 0) this.#fail(new ProtocolError('truncated', `stream ended ${this.#filled} bytes into a frame`));
  }

  /** Stops the timer and drops buffered bytes and listeners; later input is ignored. */
  dispose(): void {
    this.#state = 'disposed';
    this.#clearTimer();
    this.#buf.fill(0, 0, this.#filled);
    this.#filled = 0;
    this.#want = undefined;
    this.#onMessage.clear();
    this.#onError.clear();
  }

  #emitMessage(message: Message): void {
    for (const listener of [...this.#onMessage]) {
      try {
        listener(message);
      } catch (cause) {
        this.#fail(new ProtocolError('internal', 'a message listener threw', { cause }));
        return;
      }
      if (this.#state !== 'reading') return;
    }
  }

  #fail(err: ProtocolError): void {
    if (this.#state !== 'reading') return;
    this.#state = 'failed';
    this.#clearTimer();
    this.#buf.fill(0, 0, this.#filled); // may hold an authtok
    this.#filled = 0;
    this.#want = undefined;
    for (const listener of [...this.#onError]) {
      try {
        listener(err);
      } catch {
        // an error listener's own failure has nowhere better to go; the reader is already closed
      }
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
