/**
 * The built otpd under load and signals: 20 users at once ⇒ 20 accepted (pam_oath refuses 17–19 of
 * 20); one code sent by as many logins of one user as may be in flight (8) ⇒ exactly one accepted;
 * SIGTERM while a conversation waits for its answer ⇒ the answer is still verified, the store
 * updated, and otpd exits 0; SIGHUP reloads.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONVERSATIONS_PER_USER } from '../../src/frontends/pam/server.js';
import { WireErrorCode } from '../../src/protocol/index.js';
import { auditCodesWhen, login, startConversation, startDaemon, type Daemon } from '../support/daemon.js';
import { hotp, makeFixture, randomKeyHex, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
let daemon: Daemon | undefined;

afterEach(async () => {
  if (daemon !== undefined && daemon.child.exitCode === null && daemon.child.signalCode === null) await daemon.stop();
  daemon = undefined;
  fx?.cleanup();
  fx = undefined;
});

function users(n: number): Array<{ user: string; key: string }> {
  return Array.from({ length: n }, (_, i) => ({ user: `u${String(i).padStart(2, '0')}`, key: randomKeyHex() }));
}

describe('otpd concurrency and signals', () => {
  it('20 concurrent conversations for 20 users ⇒ 20 SUCCESS, 20 lines updated', async () => {
    const list = users(20);
    fx = makeFixture({ name: 'daemon-20', store: list.map((u) => `HOTP ${u.user} - ${u.key} 0\n`).join('') });
    daemon = await startDaemon(fx);
    const sock = daemon.socket;
    const results = await Promise.all(list.map((u) => login(sock, { service: 'sshd', user: u.user }, () => hotp(u.key, 0))));
    expect(results.map((r) => r.verdict)).toEqual(Array(20).fill('SUCCESS'));
    const text = fx.storeBytes().toString('latin1');
    for (const u of list) expect(text).toContain(`\t${hotp(u.key, 0)}\t`);
    const ok = (codes: string[]): string[] => codes.filter((c) => c === 'AUTH_OK_OTP');
    expect(ok(await auditCodesWhen(fx, (codes) => ok(codes).length >= 20))).toHaveLength(20);
  });

  it(`${MAX_CONVERSATIONS_PER_USER} concurrent conversations (the per-user cap) with one code ⇒ exactly 1 SUCCESS`, async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-1of20', store: `HOTP alice - ${key} 0\n` });
    daemon = await startDaemon(fx);
    const sock = daemon.socket;
    const code = hotp(key, 3);
    // One user's logins in flight are capped (docs/daemon.md, "Limits"): race as many as are admitted.
    const n = MAX_CONVERSATIONS_PER_USER;
    const results = await Promise.all(Array.from({ length: n }, () => login(sock, { service: 'sshd', user: 'alice' }, () => code)));
    const verdicts = results.map((r) => r.verdict);
    expect(
      verdicts.filter((v) => v === 'SUCCESS'),
      JSON.stringify(verdicts),
    ).toHaveLength(1);
    expect(
      verdicts.every((v) => v === 'SUCCESS' || v === 'AUTH_ERR' || v === 'MAXTRIES'),
      JSON.stringify(results),
    ).toBe(true);
    // every decision audited once, and only one of them an acceptance
    const codes = await auditCodesWhen(fx, (c) => c.filter((x) => x.startsWith('AUTH_') && x !== 'AUTH_SKEY_CHALLENGE').length >= n);
    expect(codes.filter((c) => c.startsWith('AUTH_OK'))).toHaveLength(1);
  });

  it('SIGTERM mid-conversation: no new connections, the pending answer is still verified and stored, exit 0', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-term', store: `HOTP alice - ${key} 0\n` });
    daemon = await startDaemon(fx);
    const { client: c } = await startConversation(daemon.socket, 'alice');
    daemon.child.kill('SIGTERM');
    // Stopping: the socket goes away (or refuses) for new clients.
    const deadline = Date.now() + 5_000;
    while (existsSync(daemon.socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(daemon.socket)).toBe(false);
    const code = hotp(key, 0);
    c.send({ type: 'ANSWER', response: code });
    expect(await c.next()).toEqual({ type: 'RESULT', verdict: 'SUCCESS' });
    const exit = await daemon.exited;
    expect(exit, daemon.stderr()).toEqual({ status: 0, signal: null });
    expect(fx.storeBytes().toString('latin1')).toContain(`\t${code}\t`);
    expect(await auditCodesWhen(fx, (c) => c.includes('AUTH_OK_OTP'))).toContain('AUTH_OK_OTP');
  });

  it('SIGTERM: a conversation whose client never answers gets ERROR UNAVAILABLE after the grace period', async () => {
    fx = makeFixture({ name: 'daemon-term2', store: `HOTP alice - ${randomKeyHex()} 0\n` });
    daemon = await startDaemon(fx);
    const { client: c } = await startConversation(daemon.socket, 'alice');
    const t0 = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await c.next(20_000)).toMatchObject({ type: 'ERROR', code: WireErrorCode.UNAVAILABLE });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await daemon.exited).status).toBe(0);
  }, 30_000);

  it('SIGHUP reloads the configuration (a new store path takes effect) and keeps serving', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-hup', store: `HOTP alice - ${key} 0\n` });
    const f = fx;
    // The store comes from the configuration here, not from $OTPD_STORE.
    delete f.env.OTPD_STORE;
    writeFileSync(f.config, `${readFileSync(f.config, 'utf8')}store = ${JSON.stringify(f.store)}\n`);
    daemon = await startDaemon(f);
    expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 0))).verdict).toBe('SUCCESS');
    const other = `${f.dir}/other.oath`;
    const key2 = randomKeyHex();
    writeFileSync(other, `HOTP zoe - ${key2} 0\n`, { mode: 0o600 });
    writeFileSync(f.config, readFileSync(f.config, 'utf8').replace(/^store = .*$/m, `store = ${JSON.stringify(other)}`));
    daemon.child.kill('SIGHUP');
    const deadline = Date.now() + 5_000;
    while (!/configuration reloaded/.test(daemon.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(daemon.stderr()).toMatch(/configuration reloaded/);
    expect((await login(daemon.socket, { service: 'sshd', user: 'zoe' }, () => hotp(key2, 0))).verdict).toBe('SUCCESS');
    expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 1))).verdict).toBe('USER_UNKNOWN');
    expect(readFileSync(other, 'latin1')).toContain(`\t${hotp(key2, 0)}\t`);
  });

  it('an unusable store (group-writable) ⇒ AUTHINFO_UNAVAIL, audited as AUTH_STORE_ERROR, and otpd keeps serving', async () => {
    const key = randomKeyHex();
    fx = makeFixture({ name: 'daemon-badstore', store: `HOTP alice - ${key} 0\n` });
    daemon = await startDaemon(fx);
    fx.writeStore(`HOTP alice - ${key} 0\n`, 0o664);
    const r = await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 0));
    expect(r).toEqual({ verdict: 'AUTHINFO_UNAVAIL', prompts: [], closed: true });
    expect(await auditCodesWhen(fx, (c) => c.includes('AUTH_STORE_ERROR'))).toContain('AUTH_STORE_ERROR');
    fx.writeStore(`HOTP alice - ${key} 0\n`, 0o600);
    expect((await login(daemon.socket, { service: 'sshd', user: 'alice' }, () => hotp(key, 0))).verdict).toBe('SUCCESS');
  });
});
