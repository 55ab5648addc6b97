/**
 * A `.lock` and a `.new` left beside the store by a writer that died make every pam_oath login on the
 * file fail (pam_oath creates both with O_EXCL and never removes a stale one). otpd sweeps them when it
 * starts (src/store/recover.ts): afterwards pam_oath, through the real pamtester, logs in again.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../support/daemon.js';
import { hotp, installPamService, makeFixture, RFC_KEY_HEX, type PamService } from '../support/store-fixture.js';

const fx = makeFixture({ name: 'daemon-sweep', store: `HOTP\talice\t-\t${RFC_KEY_HEX}\t0\n` });
let daemon: Daemon | undefined;
let pam: PamService | undefined;

afterAll(async () => {
  await daemon?.stop();
  pam?.remove();
  fx.cleanup();
});

describe('start-up sweep', () => {
  it("a dead writer's .lock and .new are removed, and pam_oath works on the file again", async () => {
    pam = installPamService(`auth required pam_oath.so usersfile=${fx.store} window=5\naccount required pam_permit.so\n`);
    // What a writer killed between creating the lock and renaming .new leaves behind (no process holds them).
    writeFileSync(`${fx.store}.lock`, '');
    writeFileSync(`${fx.store}.new`, 'HOTP\talice\t-\thalf-writ');
    expect(pam.login('alice', hotp(RFC_KEY_HEX, 0))).toBe(false); // pam_oath is locked out by them

    daemon = await startDaemon(fx);
    const deadline = Date.now() + 10_000;
    while ((existsSync(`${fx.store}.lock`) || existsSync(`${fx.store}.new`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(`${fx.store}.new`), daemon.stderr()).toBe(false);
    expect(existsSync(`${fx.store}.lock`)).toBe(false);
    expect(daemon.stderr()).toMatch(/removed .*users\.oath\.new left by a writer that died/);
    expect(pam.login('alice', hotp(RFC_KEY_HEX, 0))).toBe(true);
  });
});
