/**
 * The floor of a login through pam_otpd with a Node.js daemon: a responder that speaks the protocol
 * (HELLO, the prompt, RESULT) over the same kind of socket and makes one in-place write durable with
 * `fdatasync`, as otpd does for an accepted code, and checks nothing. bench/pam.ts times pamtester
 * through it beside otpd and pam_oath, to show what the second process alone costs.
 *
 * Never a server to deploy: it accepts every answer. Run by bench/pam.ts only:
 * `node dist/bench/pam-floor.js SOCKET FILE`.
 */
import { fdatasync, openSync, unlinkSync, writeSync } from 'node:fs';
import net from 'node:net';
import { encodeFrame, FrameReader, type Message } from '../src/protocol/index.js';

const [socketPath, dataPath] = process.argv.slice(2);
if (socketPath === undefined || dataPath === undefined) throw new Error('usage: pam-floor SOCKET FILE');

/** The size of a users.oath line after a login: the write otpd makes in place. */
const LINE = Buffer.from(`HOTP\tseq\t-\t${'31'.repeat(20)}\t101\t329376\t2026-11-29T09:18:19L\n`);
const fd = openSync(dataPath, 'w', 0o600);

const server = net.createServer((socket) => {
  const reader = new FrameReader({ partialFrameMs: 1_000 });
  const send = (message: Message): boolean => socket.write(encodeFrame(message));
  reader.onMessage((message) => {
    if (message.type === 'HELLO') send({ type: 'HELLO', version: message.version });
    else if (message.type === 'AUTH_START') send({ type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'One-time password: ' });
    else if (message.type === 'ANSWER') {
      writeSync(fd, LINE, 0, LINE.length, 0);
      fdatasync(fd, () => socket.end(encodeFrame({ type: 'RESULT', verdict: 'SUCCESS' })));
    }
  });
  reader.onError(() => socket.destroy());
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('error', () => undefined);
});

try {
  unlinkSync(socketPath);
} catch {
  // not there: fine
}
process.umask(0o177);
server.listen(socketPath, () => process.stderr.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
