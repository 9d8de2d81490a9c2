// journey.test.mjs -- the journey of issue 6 in headless Chromium against
// the real daemon, one browser context per actor:
//  1. the secretariat logs in, adds 6 NGOs (five by the form, one by CSV;
//     one named like an HTML injection, one with Khmer combining marks),
//     issues codes and opens the printable letters, creates the six
//     working groups from the template and nominates candidates;
//  2. five delegates enrol; one saves a backup and restores it in a fresh
//     context; the secretariat excludes the sixth NGO (no key) with a reason;
//  3. the secretariat opens the vote (a wrong confirmation first);
//  4. the delegates vote (one only with the keyboard, one in Khmer); one
//     votes again; one checks its receipt and downloads it;
//  5. the secretariat watches turnout rise without reloading, and closes;
//  6. the public results page shows the winners counted here independently;
//  7. the record downloaded from the console passes build/ngo-vote-verify,
//     with the receipts.
// axe-core (serious/critical) runs on every page in English and Khmer;
// screenshots of each step at 360 px and 1280 px go to build/e2e/; the
// voting page's weight is measured as the browser loads it.
//
// Run: node --test tests/e2e/

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, newContext, journeyChecks, visible, ready, setLanguage, screenshot, tmpDir, tabTo, run, BUILD, USE_MOCK, BUDGET } from './lib.mjs';

const ADMIN = 'secretariat@example.org';
const PASSWORD = 'correct horse battery staple';
const PASSPHRASE = 'ដំរី elephant river 2009';
const ELECTION = 'hlwg-2009';
const XSS = '<img src=x onerror=alert(1)>';
const KHMER_MARKS = 'សហគមន៍ស្ត្រីព្រះវិហារ ក្រុមញុំ៉ ឞ៊ុំ'; // coeng, vowel signs, a triisap and a muusikatoan
const NGOS = [
	{ id: 'ngo-a', name_en: 'Friends of Children', name_km: 'មិត្តកុមារ', province: 'Phnom Penh' },
	{ id: 'ngo-b', name_en: XSS, name_km: XSS + ' ខ្មែរ', province: 'Kandal' },
	{ id: 'ngo-c', name_en: "Preah Vihear Women's Community", name_km: KHMER_MARKS, province: 'Preah Vihear' },
	{ id: 'ngo-d', name_en: 'Legal Aid Cambodia', name_km: 'ជំនួយផ្លូវច្បាប់', province: 'Siem Reap' },
	{ id: 'ngo-e', name_en: 'Mekong Youth', name_km: 'យុវជនមេគង្គ', province: 'Kratie' },
];
const CSV = 'id,name_en,name_km,registration_no,contact_name,phone,email,province\r\nngo-f,Coastal Care,ការថែទាំឆ្នេរ,MOI-6,Chea Sok,012 000 111,sok@example.org,Kep\r\n';
const VOTERS = ['ngo-a', 'ngo-b', 'ngo-c', 'ngo-d', 'ngo-e'];
const CONTESTS = ['prevention', 'protection', 'mou-monitoring', 'rescue', 'prosecution', 'child-protection'];
// Contest i nominates three NGOs, starting at VOTERS[i % 5].
const candidatesOf = (i) => [0, 1, 2].map((k) => VOTERS[(i + k) % 5]);
// The ballot each NGO's counted ballot holds: per contest an index into
// candidatesOf(contest), or -1 for blank. ngo-d first votes otherwise,
// then again. (The ballot lists the candidates in the registry's order.)
const FINAL = { 'ngo-a': [0, 0, 0, 0, 0, 0], 'ngo-b': [0, 0, 0, 0, 0, 0], 'ngo-c': [0, 0, 0, 0, 0, 0], 'ngo-d': [1, 1, 1, 1, 1, 1], 'ngo-e': [2, -1, -1, -1, -1, 2] };
const FIRST_D = [2, 2, 2, 2, 2, 2];

let server, browser, tmp;
const { problems, a11y, wide, checkPage, actor, shots } = journeyChecks();

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

describe('issue 6: the vote in the browser, from registry to verified record', { timeout: 300000, skip: USE_MOCK ? 'the mock server has no elections' : false }, () => {
	let sec; // the secretariat's page (1280 px)
	const codes = {}; // enrolment codes by NGO
	const contexts = {}; // the delegates' contexts by NGO
	const receipts = {}; // downloaded receipt files by name
	let backupPath;

	test('1. the secretariat logs in, adds six NGOs (one by CSV) and prints their letters', async () => {
		const setupUrl = await server.createAdmin(ADMIN);
		const ctx = await newContext(browser, { width: 1280, height: 900 });
		sec = actor(await ctx.newPage());
		await sec.goto(setupUrl);
		await ready(sec);
		await sec.fill('#setup-password', PASSWORD);
		await sec.fill('#setup-password2', PASSWORD);
		await sec.click('#setup-form button[type=submit]');
		await visible(sec, '#setup-done');
		await sec.goto(server.origin + '/login');
		await ready(sec);
		await sec.fill('#login-email', ADMIN);
		await sec.fill('#login-password', PASSWORD);
		await sec.click('#login-form button[type=submit]');
		await sec.waitForURL('**/console');
		await visible(sec, '#console-body');
		for (const n of NGOS) {
			await sec.click('#ngo-add');
			await visible(sec, '#ngo-form');
			await sec.fill('#ngo-id', n.id);
			await sec.fill('#ngo-name-en', n.name_en);
			await sec.fill('#ngo-name-km', n.name_km);
			await sec.fill('#ngo-province', n.province);
			await sec.click('#ngo-form button[type=submit]');
			await sec.waitForSelector(`tr[data-ngo="${n.id}"]`);
		}
		await sec.setInputFiles('#import-file', { name: 'ngo-f.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
		await sec.click('#import-form button[type=submit]');
		await sec.waitForSelector('tr[data-ngo="ngo-f"]');
		// Names typed by users render as text.
		assert.equal(await sec.$('img[src="x"]'), null);
		assert.ok((await sec.textContent('tr[data-ngo="ngo-b"]')).includes(XSS));
		assert.ok((await sec.textContent('tr[data-ngo="ngo-c"]')).includes(KHMER_MARKS));
		for (const id of VOTERS) {
			await sec.click(`tr[data-ngo="${id}"] button:has([data-i18n="console.code.issue"])`);
			await visible(sec, '#code-panel');
			codes[id] = (await sec.textContent('#code-value')).trim();
			const href = await sec.getAttribute('#code-letter', 'href');
			const letter = actor(await ctx.newPage());
			await letter.goto(server.origin + href);
			await visible(letter, '#letter');
			assert.equal((await letter.textContent('#l-code')).trim(), codes[id]);
			assert.equal((await letter.textContent('#l-name-km')).trim(), NGOS.find((n) => n.id === id).name_km);
			if (id === 'ngo-b') {
				assert.equal(await letter.$('img[src="x"]'), null);
				await letter.emulateMedia({ media: 'print' });
				await screenshot(letter, 'j1-letter-print');
			}
			await letter.close();
			await sec.click('#code-close');
		}
		await shots(sec, 'j1-console-ngos');
	});

	test('1. ... creates the six working groups from the template and nominates candidates', async () => {
		await sec.goto(server.origin + '/manage');
		await visible(sec, '#list');
		await checkPage(sec, 'manage-list');
		// A Khmer title must be in Khmer script: the page says so before the server does.
		await sec.fill('#create-id', ELECTION);
		await sec.fill('#create-title-en', 'NGO co-chairs of the HLWG working groups 2009');
		await sec.fill('#create-title-km', 'HLWG 2009');
		await sec.click('#create-form button[type=submit]');
		await visible(sec, '#create-msg');
		assert.equal(await sec.getAttribute('#create-msg span', 'data-i18n'), 'manage.error.khmer');
		await sec.fill('#create-title-km', 'សហប្រធានអង្គការក្រៅរដ្ឋាភិបាល នៃក្រុមការងារ HLWG ២០០៩');
		await sec.check('#tpl-hlwg');
		await sec.click('#create-form button[type=submit]');
		await sec.waitForURL(`**/manage?election=${ELECTION}`);
		await visible(sec, '#draft-form');
		assert.equal(await sec.$$eval('#contests-edit fieldset', (f) => f.length), 6);
		assert.deepEqual(await sec.$$eval('#contests-edit fieldset', (f) => f.map((x) => x.getAttribute('data-contest'))), CONTESTS);
		// Nothing nominated yet: every contest has fewer candidates than seats.
		assert.equal(await sec.$$eval('#problems li[data-problem="FEWER_CANDIDATES_THAN_SEATS"]', (l) => l.length), 6);
		await shots(sec, 'j1-manage-template');
		for (let i = 0; i < CONTESTS.length; i++) for (const id of candidatesOf(i)) await sec.check(`#ce-${i} input.c-cand[value="${id}"]`);
		// The schedule: closing by the timer needs a time; tomorrow at 17:00 (local time).
		await sec.check('#d-auto-close');
		await sec.click('#draft-form button[type=submit]');
		await visible(sec, '#draft-msg');
		assert.equal(await sec.getAttribute('#draft-msg span', 'data-i18n'), 'error.ELECTION_FIELD_INVALID');
		assert.equal(await sec.getAttribute('#d-auto-close', 'aria-invalid'), 'true');
		const tomorrow = new Date(Date.now() + 86400000);
		const p2 = (n) => String(n).padStart(2, '0');
		const local = `${tomorrow.getFullYear()}-${p2(tomorrow.getMonth() + 1)}-${p2(tomorrow.getDate())}T17:00`;
		await sec.fill('#d-closes', local);
		await visible(sec, '#dirty-note');
		await sec.click('#draft-form button[type=submit]');
		await sec.waitForSelector('#detail-msg.msg-ok');
		// #detail-msg may still show the template's earlier success: wait for the
		// saved draft's problems to be drawn before counting them.
		await sec.waitForFunction(() => !document.querySelector('#problems li[data-problem="FEWER_CANDIDATES_THAN_SEATS"]'), null, { timeout: 10000 }).catch(() => {});
		assert.equal(await sec.$$eval('#problems li[data-problem="FEWER_CANDIDATES_THAN_SEATS"]', (l) => l.length), 0);
		const saved = await (await sec.request.get(`${server.origin}/api/admin/elections/${ELECTION}`)).json();
		assert.equal(saved.draft.closes_at, new Date(local).toISOString().replace(/\.\d{3}Z$/, 'Z'), 'local time sent as UTC');
		assert.equal(saved.draft.auto_close, true);
		assert.deepEqual(saved.draft.contests.map((c) => c.candidates.length), [3, 3, 3, 3, 3, 3]);
		// No NGO has a key yet: each blocks opening, by name.
		const blocked = await sec.$$eval('#problems li[data-problem="VOTER_WITHOUT_KEY"]', (l) => l.map((x) => x.textContent));
		assert.equal(blocked.length, 6);
		assert.ok(blocked.some((t) => t.includes(XSS)), 'the problem names the NGO, as text');
		assert.equal(await sec.$('img[src="x"]'), null);
		await checkPage(sec, 'manage-draft');
		await shots(sec, 'j1-manage-nominated');
	});

	test('2. five delegates enrol; one restores its backup in a fresh context', async () => {
		for (const id of VOTERS) {
			const ctx = await newContext(browser);
			const page = actor(await ctx.newPage());
			await page.goto(server.origin + '/enroll');
			await ready(page);
			if (id === 'ngo-b') await setLanguage(page, 'km');
			await page.fill('#enroll-code', codes[id]);
			await page.click('#code-form button[type=submit]');
			await visible(page, '#step-confirm');
			assert.equal((await page.textContent('#confirm-id')).trim(), id);
			await page.click('#confirm-yes');
			await visible(page, '#step-backup');
			if (id === 'ngo-c') {
				await page.fill('#backup-pass', PASSPHRASE);
				await page.fill('#backup-pass2', PASSPHRASE);
				const [download] = await Promise.all([page.waitForEvent('download'), page.click('#backup-save')]);
				backupPath = path.join(tmp, download.suggestedFilename());
				await download.saveAs(backupPath);
			} else {
				await page.check('#backup-decline');
			}
			await page.waitForSelector('#enrol-submit:not([disabled])');
			await page.click('#enrol-submit');
			await visible(page, '#step-done');
			assert.ok(await page.$('#done-check.msg-ok'));
			if (id === 'ngo-a') await shots(page, 'j2-enrolled');
			if (id === 'ngo-c') {
				await ctx.close();
				continue;
			}
			contexts[id] = ctx;
		}
		// ngo-c's delegate continues on another device: a fresh profile.
		const ctx = await newContext(browser);
		const page = actor(await ctx.newPage());
		await page.goto(server.origin + '/restore');
		await ready(page);
		await page.setInputFiles('#restore-file', backupPath);
		await page.fill('#restore-pass', PASSPHRASE);
		await page.click('#restore-form button[type=submit]');
		await visible(page, '#restore-done');
		assert.ok(await page.$('#restore-check.msg-ok'));
		await shots(page, 'j2-restored');
		contexts['ngo-c'] = ctx;
	});

	test('2. the secretariat excludes the NGO without a key, with a reason', async () => {
		await sec.reload();
		await visible(sec, '#draft-form');
		const blocked = await sec.$$eval('#problems li[data-problem="VOTER_WITHOUT_KEY"]', (l) => l.map((x) => x.textContent));
		assert.equal(blocked.length, 1);
		assert.match(blocked[0], /Coastal Care/);
		await sec.check('#ex-ngo-f');
		await sec.click('#draft-form button[type=submit]');
		await visible(sec, '#draft-msg');
		assert.equal(await sec.getAttribute('#draft-msg span', 'data-i18n'), 'manage.error.reason');
		assert.equal(await sec.getAttribute('#exr-ngo-f', 'aria-invalid'), 'true');
		await sec.fill('#exr-ngo-f', 'has not enrolled its key in time');
		await sec.click('#draft-form button[type=submit]');
		await visible(sec, '#problems-none');
		assert.equal(await sec.$$eval('#problems li', (l) => l.length), 0);
	});

	test('3. the secretariat opens the vote, typing the id to confirm', async () => {
		await sec.fill('#confirm-id', 'hlwg');
		await sec.click('#confirm-submit');
		await visible(sec, '#confirm-msg');
		assert.equal(await sec.getAttribute('#confirm-msg span', 'data-i18n'), 'error.CONFIRMATION_MISMATCH');
		await shots(sec, 'j3-open-confirm');
		await sec.fill('#confirm-id', ELECTION);
		await sec.click('#confirm-submit');
		await visible(sec, '#turnout');
		await sec.waitForSelector('#detail-status [data-i18n="election.status.open"]');
		assert.equal(await sec.getAttribute('#turnout-count', 'data-voted'), '0');
		assert.equal(await sec.$$eval('#turnout-table tbody tr', (r) => r.length), 5);
		await checkPage(sec, 'manage-open');
		// From here the page must refresh itself: a reload would drop this.
		await sec.evaluate(() => {
			window.__stillTheSamePage = true;
		});
		await shots(sec, 'j3-opened');
	});

	// The radio or checkbox for candidate k of candidatesOf(ci), or blank.
	const choice = (ci, k) => (k < 0 ? `#c${ci}-blank` : `input[name="contest-${ci}"][data-candidate="${candidatesOf(ci)[k]}"]`);

	// One delegate's ballot, through the page at the context's width.
	async function vote(page, choices, { keyboard = false } = {}) {
		await visible(page, '#ballot');
		const stepwise = await page.isVisible('#step-next');
		if (keyboard) {
			// Only Tab, arrows, Space and Enter: into each radio group (focus
			// lands on the checked "blank" option), arrow to the choice.
			for (let ci = 0; ci < choices.length; ci++) {
				await tabTo(page, `input[name="contest-${ci}"]`);
				const ids = await page.$$eval(`input[name="contest-${ci}"]`, (l) => l.map((x) => x.getAttribute('data-candidate')));
				const target = choices[ci] < 0 ? ids.length - 1 : ids.indexOf(candidatesOf(ci)[choices[ci]]);
				for (let k = 0; k < (target + 1) % ids.length; k++) await page.keyboard.press('ArrowDown');
				assert.ok(await page.isChecked(choice(ci, choices[ci])), `contest ${ci} by keyboard`);
				if (stepwise && ci < choices.length - 1) {
					await tabTo(page, '#step-next');
					await page.keyboard.press('Enter');
				}
			}
			await tabTo(page, '#to-review');
			await page.keyboard.press('Enter');
			await visible(page, '#review');
			await tabTo(page, '#sign');
			await page.keyboard.press('Enter');
		} else {
			for (let ci = 0; ci < choices.length; ci++) {
				await page.check(choice(ci, choices[ci]));
				if (stepwise && ci < choices.length - 1) await page.click('#step-next');
			}
			await page.click('#to-review');
			await visible(page, '#review');
			await page.click('#sign');
		}
		await visible(page, '#receipt');
		await page.waitForSelector('#receipt-sig .badge');
		assert.ok(await page.$('#receipt-sig .badge.ok'), 'the server signed the receipt');
		assert.ok(await page.$('#receipt-status.msg-ok'));
		return (await page.textContent('#receipt-code')).trim();
	}

	test('4. the voting page stays within its weight budget (100 KB, fonts aside)', async (t) => {
		// In Khmer, the heavier translation tables.
		const home = actor(await contexts['ngo-a'].newPage());
		await home.goto(server.origin + '/');
		await ready(home);
		await setLanguage(home, 'km');
		await home.close();
		const page = actor(await contexts['ngo-a'].newPage());
		const sizes = [];
		page.on('response', async (r) => {
			const url = new URL(r.url());
			if (url.origin !== server.origin) return sizes.push({ path: r.url(), bytes: Infinity, third: true });
			const body = await r.body().catch(() => Buffer.alloc(0));
			sizes.push({ path: url.pathname, bytes: body.length, api: url.pathname.startsWith('/api/'), font: /\.(woff2?|ttf|otf)$/.test(url.pathname) });
		});
		await page.goto(`${server.origin}/vote?election=${ELECTION}`);
		await visible(page, '#ballot');
		await page.waitForLoadState('networkidle');
		assert.equal(await page.getAttribute('html', 'lang'), 'km');
		page.removeAllListeners('response');
		await setLanguage(page, 'en');
		await page.close();
		assert.deepEqual(sizes.filter((s) => s.third), [], 'no third-party origin');
		const assets = sizes.filter((s) => !s.api && !s.font);
		const total = assets.reduce((n, s) => n + s.bytes, 0);
		const api = sizes.filter((s) => s.api).reduce((n, s) => n + s.bytes, 0);
		t.diagnostic(`vote page in Khmer: ${total} bytes of HTML, CSS, JS, icon and translation tables in ${assets.length} files; ${api} bytes of API answers for this election`);
		assert.ok(total <= BUDGET, `vote page assets: ${total} bytes: ${JSON.stringify(assets)}`);
	});

	test('4. the delegates vote: one with the keyboard only, one in Khmer, one again, one checks its receipt', async () => {
		// Without a key in the browser, the page says how to get one.
		const stranger = await newContext(browser);
		let page = actor(await stranger.newPage());
		await page.goto(`${server.origin}/vote`);
		await page.waitForSelector(`#vote-list a[href="/vote?election=${ELECTION}"]`);
		await checkPage(page, 'vote-list');
		await page.click(`#vote-list a[href="/vote?election=${ELECTION}"]`);
		await visible(page, '#vote-nokey');
		await checkPage(page, 'vote-nokey');
		await stranger.close();

		// ngo-a: from the delegate area, keyboard only, at desktop width
		// (all contests on one page).
		page = actor(await contexts['ngo-a'].newPage());
		await page.setViewportSize({ width: 1280, height: 900 });
		await page.goto(`${server.origin}/delegate`);
		await visible(page, '#keys-section');
		await page.click('li[data-ngo="ngo-a"] button');
		await visible(page, '#me-section');
		await page.waitForSelector(`li[data-election="${ELECTION}"] a[href="/vote?election=${ELECTION}"]`);
		await checkPage(page, 'delegate-elections');
		await page.click(`li[data-election="${ELECTION}"] a[href="/vote?election=${ELECTION}"]`);
		await visible(page, '#ballot');
		await checkPage(page, 'vote-ballot-desktop');
		assert.ok(await page.isHidden('#step-next'), 'all contests on one page');
		assert.ok(await page.isVisible('#el-verified.msg-ok'), 'the ballot paper matches the record');
		await shots(page, 'j4-ballot');
		await vote(page, FINAL['ngo-a'], { keyboard: true });
		await checkPage(page, 'vote-receipt');
		await shots(page, 'j4-receipt');

		// ngo-b: in Khmer, at 360 px (step by step); its name is the injection.
		page = actor(await contexts['ngo-b'].newPage());
		await page.goto(`${server.origin}/vote?election=${ELECTION}`);
		await ready(page);
		assert.equal(await page.getAttribute('html', 'lang'), 'km', 'the language chosen at enrolment persists');
		await visible(page, '#ballot');
		assert.ok(await page.isVisible('#step-next'), 'step by step on a small screen');
		assert.equal(await page.$('img[src="x"]'), null);
		assert.ok((await page.textContent('#el-voter')).includes(XSS));
		assert.match(await page.textContent('.rule'), /[\u1780-\u17FF]/);
		await checkPage(page, 'vote-ballot-phone', 'km');
		await vote(page, FINAL['ngo-b']);
		assert.match(await page.textContent('#receipt-status'), /[\u1780-\u17FF]/, 'the receipt speaks Khmer');
		await shots(page, 'j4-receipt-km');

		// ngo-c: on the device where it restored its key.
		page = actor(await contexts['ngo-c'].newPage());
		await page.goto(`${server.origin}/vote?election=${ELECTION}`);
		await vote(page, FINAL['ngo-c']);

		// ngo-d: votes, then again; the page says the last ballot counts.
		page = actor(await contexts['ngo-d'].newPage());
		await page.goto(`${server.origin}/vote?election=${ELECTION}`);
		await vote(page, FIRST_D);
		const [first] = await Promise.all([page.waitForEvent('download'), page.click('#receipt-download')]);
		receipts.d1 = path.join(tmp, 'receipt-d1.json');
		await first.saveAs(receipts.d1);
		// A new visit shows the kept receipt and the way to vote again.
		await page.goto(`${server.origin}/vote?election=${ELECTION}`);
		await visible(page, '#receipt');
		await visible(page, '#revote-box');
		await page.click('#revote');
		await visible(page, '#ballot-revote');
		for (let ci = 0; ci < 6; ci++) {
			await page.check(choice(ci, FINAL['ngo-d'][ci]));
			if (ci < 5) await page.click('#step-next');
		}
		await page.click('#to-review');
		await visible(page, '#review');
		await visible(page, '#review-revote');
		await checkPage(page, 'vote-review');
		await shots(page, 'j4-review-revote');
		await page.click('#sign');
		await visible(page, '#receipt');
		await page.waitForSelector('#receipt-status[class*="msg-ok"] [data-i18n="receipt.accepted_revote"]');
		assert.equal((await page.textContent('#receipt-seq')).trim(), '2');

		// ngo-e: votes, checks its receipt against the board, downloads it.
		page = actor(await contexts['ngo-e'].newPage());
		await page.goto(`${server.origin}/vote?election=${ELECTION}`);
		const code = await vote(page, FINAL['ngo-e']);
		await page.click('#receipt-check');
		await page.waitForSelector('#check-result[data-verdict="held"]');
		assert.ok(await page.$('#check-result.msg-ok'));
		const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#receipt-download')]);
		receipts.e = path.join(tmp, 'receipt-e.json');
		await dl.saveAs(receipts.e);
		const r = JSON.parse(fs.readFileSync(receipts.e, 'utf8'));
		assert.deepEqual(Object.keys(r).sort(), ['ballot_hash', 'election_hash', 'event_hash', 'n', 'signature']);
		assert.equal(code.replace(/\s+/g, ''), r.ballot_hash.slice(0, 16), 'the tracking code is the start of ballot_hash');
		await shots(page, 'j4-receipt-checked');
		// The browser keeps the receipt: a new visit shows it again.
		await page.goto(`${server.origin}/vote?election=${ELECTION}`);
		await visible(page, '#receipt');
		assert.equal((await page.textContent('#receipt-code')).trim(), code);
		await page.emulateMedia({ media: 'print' });
		await page.evaluate(() => document.body.classList.add('print-receipt'));
		await screenshot(page, 'j4-receipt-print');
	});

	test('5. the secretariat sees turnout rise without reloading, then closes the vote', async () => {
		await sec.waitForSelector('#turnout-count[data-voted="5"]', { timeout: 20000 });
		assert.equal(await sec.evaluate(() => window.__stillTheSamePage), true, 'no reload');
		assert.equal(await sec.$$eval('#turnout-table tr[data-voted="yes"]', (r) => r.length), 5);
		await shots(sec, 'j5-turnout');
		await sec.fill('#confirm-id', ELECTION);
		await sec.click('#confirm-submit');
		await sec.waitForSelector('#detail-status [data-i18n="election.status.closed"]');
		await visible(sec, '#export-csv');
		await checkPage(sec, 'manage-closed');
		await shots(sec, 'j5-closed');
	});

	test('6. the public results page shows the winners counted from the ballots cast', async () => {
		// Counted independently: each NGO's last ballot.
		const expected = CONTESTS.map((_, i) => {
			const counts = new Map(candidatesOf(i).map((id) => [id, 0]));
			for (const v of VOTERS) if (FINAL[v][i] >= 0) counts.set(candidatesOf(i)[FINAL[v][i]], counts.get(candidatesOf(i)[FINAL[v][i]]) + 1);
			return [...counts].sort((a, b) => b[1] - a[1]);
		});
		const ctx = await newContext(browser);
		const page = actor(await ctx.newPage());
		await page.goto(`${server.origin}/elections`);
		await page.waitForSelector(`li[data-election="${ELECTION}"]`);
		await checkPage(page, 'elections');
		await shots(page, 'j6-elections');
		await page.click(`li[data-election="${ELECTION}"] a[href^="/results"]`);
		await page.waitForSelector('.contest-result');
		for (let i = 0; i < CONTESTS.length; i++) {
			const sel = `.contest-result[data-contest="${CONTESTS[i]}"]`;
			assert.deepEqual(await page.$$eval(`${sel} li[data-elected="yes"]`, (l) => l.map((x) => x.getAttribute('data-candidate'))), [expected[i][0][0]], CONTESTS[i]);
			for (const [id, votes] of expected[i]) assert.match(await page.textContent(`${sel} li[data-candidate="${id}"] .votes`), new RegExp(`^${votes} vote`), `${CONTESTS[i]} ${id}`);
		}
		assert.equal(await page.$('img[src="x"]'), null);
		assert.ok((await page.textContent('.contest-result[data-contest="prevention"]')).includes(XSS));
		assert.equal(await page.$$eval('svg.bar rect', (r) => r.length), 36, 'an SVG bar (track and value) per candidate');
		await checkPage(page, 'results');
		await shots(page, 'j6-results');
		await setLanguage(page, 'km');
		assert.match(await page.textContent('.contest-result .votes'), /[០-៩]/, 'Khmer digits');
		await setLanguage(page, 'en');
		// The minutes print in both languages.
		await page.emulateMedia({ media: 'print' });
		assert.equal(await page.$$eval('#minutes article', (a) => a.map((x) => x.getAttribute('lang'))).then((l) => l.join()), 'en,km');
		assert.ok(await page.isVisible('#minutes'));
		assert.ok(await page.isHidden('#results-body'));
		await screenshot(page, 'j6-minutes-print');
		await page.emulateMedia({ media: 'screen' });
		// The other public pages of the election.
		await page.goto(`${server.origin}/election?election=${ELECTION}`);
		await page.waitForSelector('#e-verified.msg-ok');
		assert.equal(await page.$$eval('#roll-table tbody tr', (r) => r.length), 5);
		assert.ok((await page.textContent('#roll-table')).includes(KHMER_MARKS));
		await checkPage(page, 'election');
		await shots(page, 'j6-election');
		await page.goto(`${server.origin}/board?election=${ELECTION}`);
		await page.waitForSelector('#events li[data-type="result"]');
		assert.equal(await page.$$eval('#events li[data-type="ballot"]', (l) => l.length), 6, 'six ballots: ngo-d voted twice');
		assert.match(await page.textContent('#events li[data-type="result"] .hash'), /^[0-9a-f]{128}$/);
		await checkPage(page, 'board');
		await shots(page, 'j6-board');
		await page.goto(`${server.origin}/verify?election=${ELECTION}`);
		await page.setInputFiles('#receipt-file', receipts.e);
		await page.click('#receipt-form button[type=submit]');
		await page.waitForSelector('#check-result[data-verdict="held"]');
		// An altered receipt is not the server's.
		const altered = JSON.parse(fs.readFileSync(receipts.e, 'utf8'));
		altered.n += 1;
		await page.setInputFiles('#receipt-file', { name: 'altered.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(altered)) });
		await page.click('#receipt-form button[type=submit]');
		await page.waitForSelector('#check-result[data-verdict="not_signed_by_server"].msg-error');
		await page.setInputFiles('#receipt-file', { name: 'not-a-receipt.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
		await page.click('#receipt-form button[type=submit]');
		await page.waitForSelector('#check-result [data-i18n="verify.receipt.not_receipt"]');
		await checkPage(page, 'verify');
		await shots(page, 'j6-verify');
		await ctx.close();
	});

	test('7. the record downloaded from the console passes ngo-vote-verify, with the receipts', async () => {
		const [dl] = await Promise.all([sec.waitForEvent('download'), sec.click('#export-record')]);
		const record = path.join(tmp, 'record.jsonl');
		await dl.saveAs(record);
		const [csv] = await Promise.all([sec.waitForEvent('download'), sec.click('#export-csv')]);
		const text = fs.readFileSync(await csv.path(), 'utf8');
		assert.match(text, /^\uFEFFcontest_id,/);
		assert.match(text, /prevention,.*ngo-a,Friends of Children,មិត្តកុមារ,3,yes,1/);
		const v = await run(path.join(BUILD, 'ngo-vote-verify'), [record, '--receipt', receipts.e, '--receipt', receipts.d1]);
		assert.equal(v.code, 0, v.stdout + v.stderr);
		assert.match(v.stdout, /Record VERIFIED/);
		assert.match(v.stdout, /V10 receipts \.+ PASS/);
	});

	test('no CSP violation, script error or alert on any page', () => {
		assert.deepEqual(problems, []);
	});

	test('axe: no serious or critical violation on any page, in en and km', () => {
		assert.deepEqual(a11y, []);
	});

	test('no page scrolls sideways at 360 px', () => {
		assert.deepEqual(wide, []);
	});
});
