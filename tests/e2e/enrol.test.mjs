// enrol.test.mjs -- the journey of issue 4 in headless Chromium against the
// real daemon: become the secretariat through the one-time setup link, log
// in, add an NGO by form and others by CSV (a bad file imports nothing),
// export, create an auditor, issue an enrolment code, open the letter; then
// as the delegate (a fresh profile, 360 px wide) enrol with the code and
// save the encrypted backup, compare the fingerprint with /api/ngos, reload
// and log in with the stored key; then in another fresh profile restore the
// backup and log in again. Every page is checked with axe-core in English
// and Khmer, and no page may log a CSP violation or a script error.
//
// Run: node --test tests/e2e/  (NGO_VOTE_E2E_SERVER=mock for the stand-in)

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, newContext, watch, axe, screenshot, setLanguage, ready, horizontalOverflow, tmpDir, visible } from './lib.mjs';

const ADMIN = 'admin@example.org';
const AUDITOR = 'auditor@example.org';
const PASSWORD = 'correct horse battery staple';
const PASSPHRASE = 'ស្វាយ mango rice 2009';
const NGO_A = { id: 'ngo-a', name_en: 'Friends of Children', name_km: 'មិត្តកុមារ', registration_no: 'MOI-1234', contact_name: 'Sok Dara', phone: '+855 12 345 678', email: 'dara@example.org', province: 'Phnom Penh' };
const CSV_HEADER = 'id,name_en,name_km,registration_no,contact_name,phone,email,province';
const CSV_GOOD = `${CSV_HEADER}\r\nngo-b,"Women's Shelter, Battambang",ជម្រកស្ត្រី,MOI-2,Chan Sopheap,012 222 333,sopheap@example.org,Battambang\r\nngo-c,Legal Aid Cambodia,ជំនួយផ្លូវច្បាប់,MOI-3,Keo Rith,012 444 555,rith@example.org,Siem Reap\r\n`;
const CSV_BAD = `${CSV_HEADER}\r\nngo-d,Good Row,ជួរល្អ,MOI-4,Meas Sophal,012 666 777,sophal@example.org,Kampot\r\nBad Id!,Bad Row,ជួរខុស,MOI-5,Heng Vibol,012 888 999,vibol@example.org,Kep\r\n`;

let server, browser, tmp;
const problems = []; // CSP violations and script errors, from every page
const a11y = []; // serious and critical axe violations, from every page
const wide = []; // pages that scroll sideways at 360 px

// axe in English and in Khmer; leaves the page in English.
async function checkPage(page, name, { narrow = true } = {}) {
	await ready(page);
	for (const lang of ['en', 'km']) {
		await setLanguage(page, lang);
		for (const v of await axe(page)) a11y.push(`${name} [${lang}]: ${v}`);
		await screenshot(page, `${name}-${lang}`);
		if (narrow) {
			const over = await horizontalOverflow(page);
			if (over > 0) wide.push(`${name} [${lang}]: ${over}px`);
		}
	}
	// The switch persists (localStorage) and the table is Khmer script.
	await setLanguage(page, 'km');
	assert.match(await page.textContent('.brand'), /[\u1780-\u17FF]/);
	await setLanguage(page, 'en');
}

before(async () => {
	tmp = tmpDir();
	server = await startServer();
	browser = await launchBrowser();
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.stop();
	if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('issue 4: accounts, registry and enrolment in the browser', { timeout: 240000 }, () => {
	let sec; // the secretariat's page
	let code; // the enrolment code of ngo-a
	let letterHref;
	let backupPath;
	let fingerprint; // as shown to the delegate

	test('public pages load and pass axe in en and km', async () => {
		const ctx = await newContext(browser);
		const page = watch(await ctx.newPage(), problems);
		for (const [p, name] of [['/', 'index'], ['/ngos', 'ngos'], ['/login', 'login'], ['/setup', 'setup-no-token'], ['/enroll', 'enroll'], ['/restore', 'restore'], ['/delegate', 'delegate-empty']]) {
			await page.goto(server.origin + p);
			await checkPage(page, name);
		}
		// Keyboard: the first Tab reaches the skip link, which leads to main;
		// the language switch is reachable and works from the keyboard.
		await page.goto(server.origin + '/login');
		await ready(page);
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
		await page.keyboard.press('Enter');
		assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
		await page.focus('#lang-select');
		await page.keyboard.press('ArrowDown');
		await page.waitForFunction(() => document.documentElement.lang === 'km');
		await page.focus('#login-email');
		await page.keyboard.type('nobody@example.org');
		await page.keyboard.press('Tab');
		await page.keyboard.type('not a password at all');
		await page.keyboard.press('Enter');
		await visible(page, '#login-msg');
		assert.equal(await page.getAttribute('#login-msg span', 'data-i18n'), 'error.BAD_CREDENTIALS');
		assert.match(await page.textContent('#login-msg'), /[\u1780-\u17FF]/, 'the error is in Khmer');
		await setLanguage(page, 'en');
		// The language choice survives navigation.
		await setLanguage(page, 'km');
		await page.goto(server.origin + '/ngos');
		await ready(page);
		assert.equal(await page.getAttribute('html', 'lang'), 'km');
		await ctx.close();
	});

	test('the first secretariat sets a password through the one-time link and logs in', async () => {
		const setupUrl = await server.createAdmin(ADMIN);
		const ctx = await newContext(browser, { width: 1280, height: 900 });
		sec = watch(await ctx.newPage(), problems);
		sec.on('dialog', (d) => d.accept());
		await sec.goto(setupUrl);
		await ready(sec);
		assert.ok(!sec.url().includes('token='), 'the token leaves the address bar');
		await sec.fill('#setup-password', 'too short');
		await sec.fill('#setup-password2', 'too short');
		await sec.click('#setup-form button[type=submit]');
		await visible(sec, '#setup-msg');
		assert.equal(await sec.getAttribute('#setup-msg span', 'data-i18n'), 'error.PASSWORD_TOO_SHORT');
		await sec.fill('#setup-password', PASSWORD);
		await sec.fill('#setup-password2', PASSWORD);
		await sec.click('#setup-form button[type=submit]');
		await visible(sec, '#setup-done');
		await checkPage(sec, 'setup-done', { narrow: false });
		await sec.click('#setup-done a');
		await sec.waitForURL('**/login');
		await ready(sec);
		await sec.fill('#login-email', ADMIN);
		await sec.fill('#login-password', 'wrong password!!');
		await sec.click('#login-form button[type=submit]');
		await visible(sec, '#login-msg');
		assert.equal(await sec.getAttribute('#login-msg span', 'data-i18n'), 'error.BAD_CREDENTIALS');
		await sec.fill('#login-email', ADMIN);
		await sec.fill('#login-password', PASSWORD);
		await sec.click('#login-form button[type=submit]');
		await sec.waitForURL('**/console');
		await visible(sec, '#console-body');
		assert.match(await sec.textContent('#whoami'), /admin@example\.org/);
	});

	test('the secretariat adds an NGO with the form', async () => {
		await sec.click('#ngo-add');
		await visible(sec, '#ngo-form');
		await sec.fill('#ngo-id', 'Not A Slug');
		await sec.fill('#ngo-name-en', NGO_A.name_en);
		await sec.fill('#ngo-name-km', NGO_A.name_km);
		await sec.click('#ngo-form button[type=submit]');
		await visible(sec, '#ngo-form-msg');
		assert.equal(await sec.getAttribute('#ngo-id', 'aria-invalid'), 'true');
		await sec.fill('#ngo-id', NGO_A.id);
		await sec.fill('#ngo-reg', NGO_A.registration_no);
		await sec.fill('#ngo-contact', NGO_A.contact_name);
		await sec.fill('#ngo-phone', NGO_A.phone);
		await sec.fill('#ngo-email', NGO_A.email);
		await sec.fill('#ngo-province', NGO_A.province);
		await sec.click('#ngo-form button[type=submit]');
		await sec.waitForSelector('tr[data-ngo="ngo-a"]');
		assert.ok(await sec.isHidden('#ngo-form'));
		assert.match(await sec.textContent('tr[data-ngo="ngo-a"]'), /មិត្តកុមារ/);
		// Edit: the id is fixed, the other fields change.
		await sec.click('tr[data-ngo="ngo-a"] button:has([data-i18n="common.edit"])');
		assert.equal(await sec.getAttribute('#ngo-id', 'readonly'), '');
		await sec.fill('#ngo-province', 'Kandal');
		await sec.click('#ngo-form button[type=submit]');
		await sec.waitForFunction(() => document.querySelector('tr[data-ngo="ngo-a"]')?.textContent.includes('Kandal'));
	});

	test('a CSV file with one bad row imports nothing and reports that row; a good one imports all', async () => {
		await sec.setInputFiles('#import-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV_BAD) });
		await sec.click('#import-form button[type=submit]');
		await visible(sec, '#import-errors');
		const rows = await sec.$$eval('#import-errors-body tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
		assert.equal(rows.length, 1, JSON.stringify(rows));
		// The bad record is line 3 of the file (the header is line 1), or
		// data row 2, depending on how the server counts; either names it.
		assert.ok(['2', '3'].includes(rows[0][0]), JSON.stringify(rows));
		assert.ok(rows[0][2].length > 0, 'a problem is described');
		assert.equal(await sec.$('tr[data-ngo="ngo-d"]'), null, 'nothing imported');
		await sec.setInputFiles('#import-file', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV_GOOD) });
		await sec.click('#import-form button[type=submit]');
		await sec.waitForSelector('tr[data-ngo="ngo-c"]');
		assert.ok(await sec.isHidden('#import-errors'));
		assert.match(await sec.textContent('tr[data-ngo="ngo-b"]'), /Women's Shelter, Battambang/);
		const [dl] = await Promise.all([sec.waitForEvent('download'), sec.click('#export-link')]);
		const csv = fs.readFileSync(await dl.path(), 'utf8');
		// The export starts with the import columns (it may add more, e.g. active, fingerprint).
		assert.match(csv, /^id,name_en,name_km,registration_no,contact_name,phone,email,province[,\r\n]/);
		for (const id of ['ngo-a', 'ngo-b', 'ngo-c']) assert.match(csv, new RegExp(`^${id},`, 'm'));
		assert.match(csv, /ជម្រកស្ត្រី/);
	});

	test('the secretariat creates an auditor, who sees the console read-only', async () => {
		await sec.fill('#account-email', AUDITOR);
		await sec.selectOption('#account-role', 'auditor');
		await sec.click('#account-form button[type=submit]');
		await visible(sec, '#setup-panel');
		const link = (await sec.textContent('#setup-link')).trim();
		assert.match(link, /\/setup#token=/);
		await sec.click('#setup-close');
		assert.equal((await sec.textContent('#setup-link')).trim(), '', 'the link is forgotten once closed');
		await sec.waitForFunction((e) => document.querySelector('#account-table tbody')?.textContent.includes(e), AUDITOR);

		// The auditor uses a phone: the console must work at 360 px too.
		const ctx = await newContext(browser);
		const page = watch(await ctx.newPage(), problems);
		await page.goto(server.origin + new URL(link).pathname + new URL(link).hash);
		await ready(page);
		await page.fill('#setup-password', PASSWORD);
		await page.fill('#setup-password2', PASSWORD);
		await page.click('#setup-form button[type=submit]');
		await visible(page, '#setup-done');
		await page.goto(server.origin + '/login');
		await ready(page);
		await page.fill('#login-email', AUDITOR);
		await page.fill('#login-password', PASSWORD);
		await page.click('#login-form button[type=submit]');
		await page.waitForURL('**/console');
		await visible(page, '#console-body');
		await page.waitForSelector('tr[data-ngo="ngo-a"]');
		await visible(page, '#readonly-note');
		assert.equal(await page.$('#ngo-add'), null);
		assert.equal(await page.$('#import-form'), null);
		assert.equal(await page.$('#accounts'), null);
		assert.equal(await page.$('tr[data-ngo="ngo-a"] button'), null);
		await page.waitForSelector('#audit-table tbody tr');
		await checkPage(page, 'console-auditor');
		await ctx.close();
	});

	test('the secretariat deactivates and reactivates an NGO, revokes a code and deactivates an account', async () => {
		const row = 'tr[data-ngo="ngo-c"]';
		await sec.click(`${row} button:has([data-i18n="console.ngos.deactivate"])`);
		await sec.waitForSelector(`${row} [data-i18n="ngo.inactive"]`);
		assert.equal(await sec.$(`${row} button:has([data-i18n="console.code.issue"])`), null, 'no code for an inactive NGO');
		await sec.click(`${row} button:has([data-i18n="console.ngos.activate"])`);
		await sec.waitForSelector(`${row} [data-i18n="ngo.active"]`);
		await sec.click(`${row} button:has([data-i18n="console.code.issue"])`);
		await visible(sec, '#code-panel');
		await sec.click('#code-close');
		assert.ok(await sec.isHidden('#code-panel'));
		await sec.waitForSelector(`${row} [data-i18n="code.issued"]`);
		await sec.click(`${row} button:has([data-i18n="console.code.revoke"])`);
		await sec.waitForSelector(`${row} [data-i18n="code.revoked"]`);
		const list = await (await sec.request.get(server.origin + '/api/ngos')).json();
		assert.equal(list.ngos.find((n) => n.id === 'ngo-c').active, true);
		const acc = `#account-table tbody tr:has-text("${AUDITOR}")`;
		await sec.click(`${acc} button`);
		await sec.waitForSelector(`${acc} [data-i18n="account.inactive"]`);
		await visible(sec, '#accounts-msg');
		assert.ok(await sec.$('#accounts-msg.msg-ok'));
	});

	test('the secretariat issues an enrolment code, shown once, and opens the letter', async (t) => {
		await sec.click('tr[data-ngo="ngo-a"] button:has([data-i18n="console.code.issue"])');
		await visible(sec, '#code-panel');
		code = (await sec.textContent('#code-value')).trim();
		assert.ok(code.length >= 16, `code "${code}"`);
		letterHref = await sec.getAttribute('#code-letter', 'href');
		assert.match(letterHref, /^\/letter#ngo=ngo-a&code=/);
		await sec.waitForFunction(() => document.querySelector('tr[data-ngo="ngo-a"]')?.querySelector('[data-i18n="code.issued"]'));
		await checkPage(sec, 'console', { narrow: false });
		await sec.waitForSelector('#audit-table tbody tr');

		const page = watch(await sec.context().newPage(), problems);
		await page.goto(server.origin + letterHref);
		await visible(page, '#letter');
		assert.equal((await page.textContent('#l-code')).trim(), code);
		assert.equal((await page.textContent('#l-name-en')).trim(), NGO_A.name_en);
		assert.equal((await page.textContent('#l-name-km')).trim(), NGO_A.name_km);
		// The letter prints the server's enrol_url (its --public-url).
		const enrolUrl = (await sec.textContent('#code-url')).trim();
		assert.equal((await page.textContent('#l-url')).trim(), enrolUrl);
		assert.equal(new URL(enrolUrl).pathname, '/enroll');
		if (new URL(enrolUrl).origin !== server.origin) t.diagnostic(`enrol_url ${enrolUrl} is not the address the daemon listens on (${server.origin})`);
		assert.match(await page.textContent('section[data-lang-fixed="km"]'), /មិត្តកុមារ/);
		assert.match(await page.textContent('section[data-lang-fixed="en"]'), /Friends of Children/);
		await checkPage(page, 'letter');
		await page.emulateMedia({ media: 'print' });
		assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).display), 'none');
		assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#letter-print')).display), 'none');
		await screenshot(page, 'letter-print');
		await page.close();
	});

	test('the delegate enrols with the code, saves the backup and sees the fingerprint', async () => {
		const ctx = await newContext(browser);
		const page = watch(await ctx.newPage(), problems);
		await page.goto(server.origin + '/enroll');
		await ready(page);
		await page.fill('#enroll-code', 'WRONG-CODE-0000-0000');
		await page.click('#code-form button[type=submit]');
		await visible(page, '#enroll-msg');
		assert.equal(await page.getAttribute('#enroll-msg span', 'data-i18n'), 'error.ENROL_CODE_INVALID');

		await page.fill('#enroll-code', code);
		await page.click('#code-form button[type=submit]');
		await visible(page, '#step-confirm');
		assert.equal((await page.textContent('#confirm-id')).trim(), 'ngo-a');
		assert.equal((await page.textContent('#confirm-name-km')).trim(), NGO_A.name_km);
		await checkPage(page, 'enroll-confirm');
		await page.click('#confirm-yes');
		await visible(page, '#step-backup');
		assert.ok(await page.isDisabled('#enrol-submit'), 'no enrolment before a backup or an explicit decline');
		await page.fill('#backup-pass', 'short');
		await page.fill('#backup-pass2', 'short');
		await page.click('#backup-save');
		await visible(page, '#backup-msg');
		assert.equal(await page.getAttribute('#backup-msg span', 'data-i18n'), 'backup.too_short');
		await page.fill('#backup-pass', PASSPHRASE);
		await page.fill('#backup-pass2', PASSPHRASE);
		const [download] = await Promise.all([page.waitForEvent('download'), page.click('#backup-save')]);
		backupPath = path.join(tmp, download.suggestedFilename());
		await download.saveAs(backupPath);
		assert.equal(download.suggestedFilename(), 'ngo-vote-key-ngo-a.json');
		const backup = JSON.parse(fs.readFileSync(backupPath, 'utf8'));
		assert.equal(backup.format, 'ngo-vote/key-backup/v1');
		assert.equal(backup.ngo_id, 'ngo-a');
		assert.equal(backup.kdf, 'PBKDF2-SHA256');
		assert.equal(backup.iterations, 600000);
		assert.match(backup.public_key, /^[0-9a-f]{64}$/);
		assert.match(backup.salt, /^[0-9a-f]{32}$/);
		assert.match(backup.iv, /^[0-9a-f]{24}$/);
		assert.match(backup.ciphertext, /^[0-9a-f]+$/);
		// Decrypted independently (as server/crypto_backup.c does): PBKDF2-
		// HMAC-SHA256 → AES-256-GCM → a 48-byte PKCS#8 v1 Ed25519 key whose
		// public key is the file's.
		const aesKey = crypto.pbkdf2Sync(Buffer.from(PASSPHRASE.normalize('NFC')), Buffer.from(backup.salt, 'hex'), backup.iterations, 32, 'sha256');
		const ct = Buffer.from(backup.ciphertext, 'hex');
		const dec = crypto.createDecipheriv('aes-256-gcm', aesKey, Buffer.from(backup.iv, 'hex'));
		dec.setAuthTag(ct.subarray(ct.length - 16));
		const pkcs8 = Buffer.concat([dec.update(ct.subarray(0, ct.length - 16)), dec.final()]);
		assert.equal(pkcs8.length, 48);
		assert.equal(pkcs8.subarray(0, 16).toString('hex'), '302e020100300506032b657004220420');
		const jwk = crypto.createPublicKey(crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
		assert.equal(Buffer.from(jwk.x, 'base64url').toString('hex'), backup.public_key);
		await checkPage(page, 'enroll-backup');
		await page.waitForSelector('#enrol-submit:not([disabled])');
		await page.click('#enrol-submit');
		await visible(page, '#step-done');
		fingerprint = (await page.textContent('#done-fp')).trim();
		assert.match(fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
		assert.ok(await page.$('#done-check.msg-ok'), 'the server reports the same fingerprint');
		await checkPage(page, 'enroll-done');

		// The private key is stored non-extractable in IndexedDB.
		const stored = await page.evaluate(
			() =>
				new Promise((resolve, reject) => {
					const rq = indexedDB.open('ngo-vote');
					rq.onerror = () => reject(rq.error);
					rq.onsuccess = () => {
						const g = rq.result.transaction('keys').objectStore('keys').getAll();
						g.onsuccess = () => resolve(g.result.map((r) => ({ ngo: r.ngo_id, pk: r.public_key, type: r.private_key.type, extractable: r.private_key.extractable, enrolled: Boolean(r.enrolled_at) })));
					};
				}),
		);
		assert.deepEqual(stored, [{ ngo: 'ngo-a', pk: backup.public_key, type: 'private', extractable: false, enrolled: true }]);

		// The public list shows the same fingerprint.
		const list = await (await page.request.get(server.origin + '/api/ngos')).json();
		const a = list.ngos.find((n) => n.id === 'ngo-a');
		assert.equal(a.enrolled, true);
		// The API may send the fingerprint plain or grouped; the hex is what counts.
		assert.equal(a.fingerprint.replace(/\s+/g, ''), fingerprint.replace(/\s+/g, ''));
		await page.goto(server.origin + '/ngos');
		await page.waitForSelector('tr[data-ngo="ngo-a"] .fingerprint');
		assert.equal((await page.textContent('tr[data-ngo="ngo-a"] .fingerprint')).trim(), fingerprint);
		await checkPage(page, 'ngos-enrolled');

		// The code was used: it cannot enrol again.
		await page.goto(server.origin + '/enroll');
		await ready(page);
		await page.fill('#enroll-code', code);
		await page.click('#code-form button[type=submit]');
		await visible(page, '#enroll-msg');
		assert.equal(await page.getAttribute('#enroll-msg span', 'data-i18n'), 'error.ENROL_CODE_INVALID');

		// Same device, after a reload: log in with the stored key.
		await page.goto(server.origin + '/delegate');
		await visible(page, '#keys-section');
		await checkPage(page, 'delegate-keys');
		await page.click('li[data-ngo="ngo-a"] button');
		await visible(page, '#me-section');
		assert.equal((await page.textContent('#me-id')).trim(), 'ngo-a');
		assert.equal((await page.textContent('#me-fp')).trim(), fingerprint);
		assert.ok(await page.$('#me-check.msg-ok'));
		await visible(page, '#me-no-elections');
		await page.reload();
		await visible(page, '#me-section');
		await checkPage(page, 'delegate-me');
		await page.click('#me-logout');
		await visible(page, '#keys-section');
		await ctx.close();
	});

	test('on a fresh profile the delegate restores the backup and logs in again', async () => {
		const ctx = await newContext(browser);
		const page = watch(await ctx.newPage(), problems);
		await page.goto(server.origin + '/delegate');
		await visible(page, '#no-keys');
		await page.goto(server.origin + '/restore');
		await ready(page);
		await page.setInputFiles('#restore-file', backupPath);
		await page.fill('#restore-pass', 'not the passphrase');
		await page.click('#restore-form button[type=submit]');
		await page.waitForSelector('#restore-msg.msg-error');
		assert.equal(await page.getAttribute('#restore-msg span', 'data-i18n'), 'error.BACKUP_PASSPHRASE_WRONG');
		await page.fill('#restore-pass', PASSPHRASE);
		await page.click('#restore-form button[type=submit]');
		await visible(page, '#restore-done');
		assert.equal((await page.textContent('#restore-fp')).trim(), fingerprint);
		assert.ok(await page.$('#restore-check.msg-ok'), 'the restored key is the one on the roll');
		await checkPage(page, 'restore-done');
		await page.click('#restore-done a');
		await page.waitForURL('**/delegate');
		await visible(page, '#keys-section');
		await page.click('li[data-ngo="ngo-a"] button');
		await visible(page, '#me-section');
		assert.equal((await page.textContent('#me-id')).trim(), 'ngo-a');
		assert.ok(await page.$('#me-check.msg-ok'));
		await ctx.close();
	});

	test('no CSP violation or script error on any page', () => {
		assert.deepEqual(problems, []);
	});

	test('axe: no serious or critical violation on any page, in en and km', () => {
		assert.deepEqual(a11y, []);
	});

	test('no page scrolls sideways at 360 px', () => {
		assert.deepEqual(wide, []);
	});
});
