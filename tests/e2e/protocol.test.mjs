// protocol.test.mjs -- static/js/protocol.js against the spec vectors
// (tests/spec/vectors.txt): H64, the signing rule (a ballot signature from
// the vectors verifies over signingMessage), STR/LE32, strict hex and the
// fingerprint format. Runs under node (WebCrypto is global in node 20).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { ROOT } from './lib.mjs';
import * as p from '../../static/js/protocol.js';

const vectors = Object.fromEntries(
	fs
		.readFileSync(path.join(ROOT, 'tests/spec/vectors.txt'), 'utf8')
		.split('\n')
		.filter((l) => l && !l.startsWith('#'))
		.map((l) => l.split(' = ')),
);

test('STR, DS and LE32 follow protocol §2', () => {
	assert.equal(p.toHex(p.str('abc')), '03000000616263');
	assert.equal(p.toHex(p.str('')), '00000000');
	assert.equal(p.toHex(p.str('ក')), '03000000e19e80'); // length in UTF-8 bytes
	assert.equal(p.toHex(p.ds('sig')), p.toHex(p.str('ngo-vote/v1/sig')));
	assert.throws(() => p.le32(-1));
	assert.throws(() => p.le32(2 ** 32));
});

test('H64 matches prim.H64_test_abc', async () => {
	assert.equal(p.toHex(await p.h64('test', p.utf8('abc'))), vectors['prim.H64_test_abc']);
});

test('a ballot signature from the vectors verifies over signingMessage("ballot", body)', async () => {
	const body = p.fromHex(vectors['open.ballot.ngo-a.s1.body']);
	const pk = p.fromHex(vectors['key.ngo-a.pk'], 32);
	const sig = p.fromHex(vectors['open.ballot.ngo-a.s1.sig'], 64);
	assert.equal(p.toHex(await p.h64('ballot', body)), vectors['open.ballot.ngo-a.s1.hash']);
	const key = await crypto.subtle.importKey('raw', pk, { name: 'Ed25519' }, false, ['verify']);
	assert.equal(await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, await p.signingMessage('ballot', body)), true);
	const other = await p.signingMessage('login', body);
	assert.equal(await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, other), false);
});

test('login message = DS("sig") ‖ STR("login") ‖ H64("login", nonce ‖ STR(origin))', async () => {
	const nonce = '00'.repeat(31) + '01';
	const origin = 'http://127.0.0.1:8080';
	const body = Buffer.concat([Buffer.from(nonce, 'hex'), Buffer.from([origin.length, 0, 0, 0]), Buffer.from(origin)]);
	const ds = (t) => Buffer.concat([Buffer.from([('ngo-vote/v1/' + t).length, 0, 0, 0]), Buffer.from('ngo-vote/v1/' + t)]);
	const h = crypto.createHash('sha512').update(ds('login')).update(body).digest();
	const want = Buffer.concat([ds('sig'), Buffer.from([5, 0, 0, 0]), Buffer.from('login'), h]);
	assert.equal(p.toHex(await p.loginMessage(nonce, origin)), want.toString('hex'));
	await assert.rejects(() => p.loginMessage('00', origin));
});

test('strict hex', () => {
	assert.deepEqual([...p.fromHex('00ff10')], [0, 255, 16]);
	assert.throws(() => p.fromHex('00FF'));
	assert.throws(() => p.fromHex('0'));
	assert.throws(() => p.fromHex('zz'));
	assert.throws(() => p.fromHex('0000', 3));
});

test('fingerprint: first 16 bytes of SHA-256, 8 groups of 4', async () => {
	const pk = p.fromHex(vectors['key.ngo-a.pk'], 32);
	const fp = await p.fingerprintHex(pk);
	assert.equal(fp, crypto.createHash('sha256').update(pk).digest().subarray(0, 16).toString('hex'));
	const g = p.groupFingerprint(fp);
	assert.match(g, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
	assert.ok(p.sameFingerprint(g, fp));
	assert.ok(!p.sameFingerprint(fp, null));
});

test('openBallotBody builds the vector ballot of ngo-a (seq 1) byte for byte', async () => {
	const body = p.openBallotBody(p.fromHex(vectors['open.election.hash'], 64), p.fromHex(vectors['key.ngo-a.pk'], 32), 1, [[1, 0], [0], [0]]);
	assert.equal(p.toHex(body), vectors['open.ballot.ngo-a.s1.body']);
	assert.equal(p.toHex(await p.h64('ballot', body)), vectors['open.ballot.ngo-a.s1.hash']);
	assert.throws(() => p.openBallotBody(body.subarray(0, 64), body.subarray(64, 96), 0, []));
	assert.throws(() => p.openBallotBody(body.subarray(0, 64), body.subarray(64, 96), 1, [[2, 2]]));
	assert.equal(p.trackingCode(vectors['open.ballot.ngo-a.s1.hash']), '738c 98ba b16f eef7');
});

test('the example receipt: its signature verifies under the server key, and any change breaks it', async () => {
	const receipt = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/spec/receipt-open.json'), 'utf8'));
	assert.ok(p.isReceipt(receipt));
	assert.equal(await p.receiptSignatureValid(vectors['key.server.pk'], receipt), true);
	assert.equal(await p.receiptSignatureValid(vectors['key.server.pk'], { ...receipt, n: receipt.n + 1 }), false);
	assert.equal(await p.receiptSignatureValid(vectors['key.ngo-a.pk'], receipt), false);
	assert.ok(!p.isReceipt({ ...receipt, extra: 1 }));
	assert.ok(!p.isReceipt({ ...receipt, n: -1 }));
});

test('manifest.js decodes the example manifest and recomputes the election hash', async () => {
	const m = await import('../../static/js/manifest.js');
	const bytes = p.fromHex(vectors['open.manifest.bytes']);
	const man = m.decodeManifest(bytes);
	assert.equal(man.id, 'assembly-2009');
	assert.equal(man.serverPk, vectors['key.server.pk']);
	assert.deepEqual(man.contests.map((c) => [c.id, c.seats, c.min, c.max, c.candidates.length]), [['board', 2, 0, 2, 4], ['forest-wg', 3, 0, 2, 4], ['chair', 1, 1, 1, 2]]);
	assert.equal(man.voters.length, 5);
	assert.equal(man.voters[0].pk, vectors['key.ngo-a.pk']);
	assert.match(man.contests[0].title.km, /[\u1780-\u17FF]/);
	assert.equal(p.toHex(await m.openElectionHash(bytes)), vectors['open.election.hash']);
	const trailing = new Uint8Array(bytes.length + 1);
	trailing.set(bytes);
	assert.throws(() => m.decodeManifest(trailing), /trailing/);
	assert.throws(() => m.decodeManifest(bytes.subarray(0, bytes.length - 1)), /truncated/);
	// The first line of the example record is this manifest.
	const ev0 = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/spec/record-open.jsonl'), 'utf8').split('\n')[1]);
	assert.equal(ev0.data, vectors['open.manifest.bytes']);
});
