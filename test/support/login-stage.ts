/**
 * The stage for a login through a real program (pamtester, su, …): a store fixture, the built otpd
 * serving it on a temp socket, and the PAM service files the test installs in /etc/pam.d, all taken
 * down by one `close()` that tries every step even when an earlier one fails.
 */
import { auditCodesWhen, startDaemon, type Daemon } from './daemon.js';
import { requireBuiltModule } from './pam-module.js';
import { installPamService, makeFixture, type Fixture, type FixtureOptions, type PamService } from './store-fixture.js';

/** A running daemon on its fixture, and the PAM services pointing at it. */
export interface LoginStage {
  readonly fx: Fixture;
  readonly daemon: Daemon;
  /** Installs /etc/pam.d/otpd-test-<random> with these lines; removed by `close()`. */
  service(lines: readonly string[]): PamService;
  /** The audit codes of one user's decisions, in order. */
  auditOf(user: string): string[];
  /**
   * Waits (up to 5 s: audit lines are written after the verdict is sent) until the user has `count`
   * audit lines, and returns their codes.
   */
  auditWhen(user: string, count: number): Promise<string[]>;
  /** Stops the daemon (SIGCONT first, in case a test left it stopped), removes the services and the fixture. */
  close(): Promise<void>;
}

/** Starts otpd on a new fixture; needs root (the module trusts only a root daemon and root's socket). */
export async function startLoginStage(options: FixtureOptions, daemonArgs: readonly string[] = []): Promise<LoginStage> {
  requireBuiltModule();
  const fx = makeFixture(options);
  const services: PamService[] = [];
  let daemon: Daemon;
  try {
    daemon = await startDaemon(fx, daemonArgs);
  } catch (e) {
    fx.cleanup();
    throw e;
  }
  const auditOf = (user: string): string[] =>
    fx
      .auditText()
      .split('\n')
      .filter((l) => l.includes(` user=${JSON.stringify(user)} `))
      .map((l) => / code=(\w+) /.exec(l)?.[1] ?? '?');
  return {
    fx,
    daemon,
    service(lines) {
      const service = installPamService(lines.join('\n'));
      services.push(service);
      return service;
    },
    auditOf,
    async auditWhen(user, count) {
      await auditCodesWhen(fx, () => auditOf(user).length >= count);
      return auditOf(user);
    },
    async close() {
      const errors: unknown[] = [];
      for (const service of services.splice(0)) {
        try {
          service.remove();
        } catch (e) {
          errors.push(e);
        }
      }
      try {
        if (daemon.child.pid !== undefined && daemon.child.exitCode === null) daemon.child.kill('SIGCONT');
        await daemon.stop();
      } catch (e) {
        errors.push(e);
      }
      fx.cleanup();
      if (errors.length > 0) throw new AggregateError(errors, 'login stage teardown failed');
    },
  };
}
