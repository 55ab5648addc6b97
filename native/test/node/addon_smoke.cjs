// SPDX-License-Identifier: MIT
// CTest smoke test of the built addon inside Node (where OpenSSL symbols bind to node's own copy):
// usage: node addon_smoke.cjs path/to/otpd_native.node
'use strict';
const assert = require('node:assert/strict');

const addon = require(process.argv[2]);
assert.deepEqual(Object.keys(addon).sort(),
  ['fsRoom', 'hotpRange', 'hotpSearch', 'hotpSearchAsync', 'peerCredentials', 'peerGone', 'skeyChain', 'skeyChainAsync', 'skeyList', 'tryLockRange', 'unlockRange']);
assert.throws(() => addon.tryLockRange(0x7ffffff0, 0, 1), /F_OFD_SETLK\): Bad file descriptor/);
assert.throws(() => addon.tryLockRange(0, 0, 0), RangeError);
assert.throws(() => addon.fsRoom(0x7ffffff0), /fstatvfs: Bad file descriptor/);
{
  const fs = require('node:fs');
  const file = `${require('node:os').tmpdir()}/otpd-addon-smoke-${process.pid}`;
  const a = fs.openSync(file, 'w', 0o600);
  const b = fs.openSync(file, 'r+');
  assert.equal(addon.tryLockRange(a, 2 ** 52, 1), true);
  assert.equal(addon.tryLockRange(b, 2 ** 52, 1), false);
  addon.unlockRange(a, 2 ** 52, 1);
  assert.equal(addon.tryLockRange(b, 2 ** 52, 1), true);
  const room = addon.fsRoom(a);
  assert.equal(room.readOnly, false);
  assert.ok(room.freeBytes > 0 && room.freeInodes > 0);
  fs.closeSync(a);
  fs.closeSync(b);
  fs.unlinkSync(file);
}
assert.throws(() => addon.peerGone(0x7ffffff0), /poll: Bad file descriptor/);
assert.throws(() => addon.peerCredentials(0x7ffffff0), /SO_PEERCRED: Bad file descriptor/);
assert.throws(() => addon.peerCredentials(-1), RangeError);
const key = Buffer.from('12345678901234567890');
assert.deepEqual(Array.from(addon.hotpRange(key, 'sha1', 6, 0, 3)), [755224, 287082, 359152]);
assert.equal(addon.hotpSearch(key, 'sha1', 6, 0, 9, 162583), 7);
assert.equal(addon.hotpSearch(key, 'sha1', 6, 8, 1, 162583), -1);
assert.equal(addon.skeyChain('md4', Buffer.from('testThis is a test.'), 99).toString('hex'), 'c5e612776e6c237a');
assert.equal(addon.skeyChain('md5', Buffer.from('testThis is a test.'), 99).toString('hex'), '50fe1962c4965880');
assert.equal(addon.skeyChain('sha1', Buffer.from('testThis is a test.'), 99).toString('hex'), '87fec7768b73ccf9');
assert.throws(() => addon.hotpSearch('key', 'sha1', 6, 0, 9, 1), TypeError);
assert.throws(() => addon.hotpSearch(key, 'sha1', 9, 0, 9, 1), RangeError);
assert.throws(() => addon.skeyChain('md5', Buffer.alloc(257), 0), RangeError);
Promise.all([
  addon.hotpSearchAsync(key, 'sha1', 6, 0, 9, 162583),
  addon.skeyChainAsync('sha1', Buffer.from('testThis is a test.'), 99),
]).then(([counter, value]) => {
  assert.equal(counter, 7);
  assert.equal(value.toString('hex'), '87fec7768b73ccf9');
  console.log('addon_smoke: ok');
});
