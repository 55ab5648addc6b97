/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, for tests that start real servers (sshd,
 * OpenVPN). The kernel picks it (bind to port 0), so parallel test files do not collide the way fixed
 * ports would; the small window between closing the probe and the server's bind is acceptable here.
 */
import net from 'node:net';

/** Resolves with a free TCP port on 127.0.0.1. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from the kernel'))));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:PORT; rejects after `timeoutMs`. */
export async function waitForTcpPort(port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (!alive()) throw new Error(`the server for port ${port} exited before listening`);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
