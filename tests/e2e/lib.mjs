// lib.mjs -- helpers for the browser tests: start the real daemon (or the
// in-memory mock with NGO_VOTE_E2E_SERVER=mock), launch Debian's Chromium
// through playwright-core, watch pages for CSP violations and script
// errors, run axe-core, and save screenshots under build/e2e/.

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = process.env.NGO_VOTE_BUILD ? path.resolve(ROOT, process.env.NGO_VOTE_BUILD) : path.join(ROOT, 'build');
export const DAEMON = path.join(BUILD, 'ngo-voted');
export const SHOTS = path.join(ROOT, 'build', 'e2e');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const USE_MOCK = process.env.NGO_VOTE_E2E_SERVER === 'mock';

// Page-weight budgets, uncompressed, fonts aside (the reasons are in
// static.test.mjs): every page of an open-ballot election, and what a
// page loads for a secret-ballot one.
export const BUDGET = 100 * 1024;
export const SECRET_BUDGET = 180 * 1024;

export function tmpDir(prefix = 'ngo-vote-e2e-') {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Extracts "#token=..." from whatever --create-admin printed.
export function setupFragment(text) {
	const m = /\/setup(#token=[^\s"'<>]+)/.exec(text);
	if (!m) throw new Error('no setup link in: ' + text);
	return m[1];
}

function runCli(args) {
	return new Promise((resolve, reject) => {
		execFile(DAEMON, args, { timeout: 30000 }, (err, stdout, stderr) => {
			if (err) reject(new Error(`${DAEMON} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
			else resolve(stdout + stderr);
		});
	});
}

// Starts ngo-voted on port 0 with a fresh database; resolves once the first
// stdout line "listening on http://127.0.0.1:PORT/" arrives.
// Returns {url, origin, db, tmp, createAdmin(email) → absolute setup URL, stop()}.
export async function startServer() {
	const tmp = tmpDir();
	const db = path.join(tmp, 'ngo-vote.sqlite');
	if (USE_MOCK) {
		const { startMock } = await import('./mock-server.mjs');
		const m = await startMock({ staticDir: path.join(ROOT, 'static') });
		return {
			url: m.url,
			origin: m.origin,
			db,
			tmp,
			mock: m,
			createAdmin: async (email) => m.origin + '/setup' + setupFragment(m.createAdmin(email)),
			stop: async () => {
				await m.close();
				fs.rmSync(tmp, { recursive: true, force: true });
			},
		};
	}
	if (!fs.existsSync(DAEMON)) throw new Error(`${DAEMON} is missing: run make first`);
	const child = spawn(DAEMON, ['--port', '0', '--db', db, '--static', path.join(ROOT, 'static'), '--threads', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
	let stderr = '';
	child.stderr.on('data', (d) => {
		stderr += d;
		if (process.env.NGO_VOTE_E2E_VERBOSE) process.stderr.write(d);
	});
	const url = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('ngo-voted did not start in 15 s\n' + stderr)), 15000);
		const rl = readline.createInterface({ input: child.stdout });
		rl.once('line', (line) => {
			clearTimeout(timer);
			const m = /listening on (http:\/\/\S+?)\/?$/.exec(line.trim());
			if (m) resolve(m[1] + '/');
			else reject(new Error('unexpected first line from ngo-voted: ' + line));
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`ngo-voted exited with ${code}\n${stderr}`));
		});
	});
	child.stdout.resume();
	const origin = new URL(url).origin;
	return {
		url,
		origin,
		db,
		tmp,
		child,
		stderr: () => stderr,
		// Works against the same database while the daemon runs.
		createAdmin: async (email) => origin + '/setup' + setupFragment(await runCli(['--db', db, '--create-admin', email])),
		stop: async () => {
			if (child.exitCode === null) {
				const done = new Promise((r) => child.once('exit', r));
				child.kill('SIGTERM');
				await done;
			}
			fs.rmSync(tmp, { recursive: true, force: true });
		},
	};
}

export async function launchBrowser() {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run deploy/install-e2e.sh`);
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
}

// A fresh profile per actor. Phone-sized by default (the delegates' case).
export async function newContext(browser, { width = 360, height = 780, ...rest } = {}) {
	const ctx = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, locale: 'en-GB', ...rest });
	ctx.setDefaultTimeout(Number(process.env.NGO_VOTE_E2E_TIMEOUT) || 15000);
	return ctx;
}

// Collects what must never happen on our pages: CSP violations, uncaught
// exceptions and console errors other than expected HTTP statuses.
export function watch(page, problems) {
	page.on('pageerror', (e) => problems.push(`pageerror on ${page.url()}: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() !== 'error' && m.type() !== 'warning') return;
		const text = m.text();
		// fetch() of an API answering 4xx (e.g. GET /api/session → 401 when
		// logged out) is logged by Chromium; that is the API working.
		if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
		if (m.type() === 'warning' && !/Content.Security.Policy|Refused/i.test(text)) return;
		problems.push(`console ${m.type()} on ${page.url()}: ${text}`);
	});
	return page;
}

let axeSource = null;

// Runs axe-core in the page (evaluated over CDP, so the page's CSP does not
// apply) and returns the serious and critical violations.
export async function axe(page, { exclude = [] } = {}) {
	if (!axeSource) axeSource = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
	const present = await page.evaluate(() => typeof window.axe === 'object');
	if (!present) await page.evaluate(axeSource);
	const result = await page.evaluate(
		async (excl) =>
			window.axe.run(excl.length ? { exclude: excl.map((s) => [s]) } : document, {
				runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
				resultTypes: ['violations'],
			}),
		exclude,
	);
	return result.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

export async function screenshot(page, name) {
	fs.mkdirSync(SHOTS, { recursive: true });
	const file = path.join(SHOTS, name.replace(/[^a-z0-9_.-]+/gi, '_') + '.png');
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

// Switches the page's language with the header's switch and waits until
// <html lang> follows.
export async function setLanguage(page, lang) {
	await page.selectOption('#lang-select', lang);
	await page.waitForFunction((l) => document.documentElement.lang === l && document.body.classList.contains('ready'), lang);
}

// Waits for the page's module to have rendered (header present, texts in).
export async function ready(page) {
	await page.waitForFunction(() => document.body.classList.contains('ready') && document.querySelector('#lang-select'));
}

// The page must not scroll sideways at its viewport width (360 px test).
export async function horizontalOverflow(page) {
	return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

// Screenshots of the page as it is, at 360 px and at 1280 px wide; the
// viewport is put back afterwards. Returns how far the page scrolls
// sideways at 360 px (0 when it does not).
export async function screenshotBoth(page, name) {
	const size = page.viewportSize();
	let over = 0;
	for (const width of [360, 1280]) {
		await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
		if (width === 360) over = await horizontalOverflow(page);
		await screenshot(page, `${name}-${width}`);
	}
	await page.setViewportSize(size);
	return over;
}

// Presses Tab until the focused element matches selector (keyboard-only use).
export async function tabTo(page, selector, max = 80) {
	for (let i = 0; i < max; i++) {
		if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
		await page.keyboard.press('Tab');
	}
	throw new Error(`Tab never reached ${selector}`);
}

// Runs a program and resolves with {code, stdout, stderr} (never rejects on
// a non-zero exit).
export function run(file, args, opts = {}) {
	return new Promise((resolve) => {
		execFile(file, args, { timeout: 60000, ...opts }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
	});
}

// The elements that stick out to the right of the viewport (to explain a
// horizontalOverflow), as short descriptions.
export async function overflowCulprits(page) {
	return page.evaluate(() => {
		const w = document.documentElement.clientWidth;
		const out = [];
		for (const e of document.querySelectorAll('body *')) {
			const r = e.getBoundingClientRect();
			if (r.width > 0 && r.right > w + 0.5 && !(e.parentElement && e.parentElement.closest('.table-wrap')) && !e.closest('.visually-hidden, [hidden]')) out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} (${Math.round(r.right - w)}px)`);
		}
		return out.slice(0, 5);
	});
}

// What a browser journey collects on its way, and the three ways it looks
// at a page (shared by journey.test.mjs and secret-journey.test.mjs):
// problems (CSP violations, script errors, alerts, untranslated keys),
// a11y (serious and critical axe violations), wide (pages that scroll
// sideways at 360 px).  keyWord finds i18n keys shown instead of their
// text; fileName spares file names that look like keys; shotPrefix keeps
// the journeys' screenshots apart.
export function journeyChecks({ shotPrefix = '', keyWord = /\b(?:[a-z]+\.){1,3}[a-z_]+[A-Z_]*\b/g, fileName = /\.(json|jsonl|csv|md)$/ } = {}) {
	const problems = [];
	const a11y = [];
	const wide = [];
	const checked = new Set(); // pages already checked with axe

	// axe in English and in Khmer, once per page name; leaves the page in lang.
	async function checkPage(page, name, lang = 'en') {
		await ready(page);
		if (!checked.has(name)) {
			checked.add(name);
			for (const l of ['en', 'km']) {
				await setLanguage(page, l);
				for (const v of await axe(page)) a11y.push(`${name} [${l}]: ${v}`);
				// A key shown instead of its text means a bundle lacks it.
				const raw = await page.evaluate(([src, flags]) => document.body.innerText.match(new RegExp(src, flags)) || [], [keyWord.source, keyWord.flags]);
				const keys = raw.filter((k) => /^(app|nav|page|common|error|election|vote|receipt|verdict|manage|problem|elections|results|minutes|board|verify|delegate|ngo|key|console)\./.test(k) && !fileName.test(k));
				if (keys.length) problems.push(`${name} [${l}]: untranslated ${keys.join(', ')}`);
				await screenshot(page, `${shotPrefix}lang-${name}-${l}`);
				if (page.viewportSize().width <= 360) {
					const over = await horizontalOverflow(page);
					if (over > 0) wide.push(`${name} [${l}]: ${over}px: ${(await overflowCulprits(page)).join(', ')}`);
				}
			}
		}
		await setLanguage(page, lang);
	}

	// A page of one actor: its errors and alerts are problems.
	function actor(page) {
		watch(page, problems);
		page.on('dialog', async (d) => {
			if (d.type() === 'alert') problems.push(`alert on ${page.url()}: ${d.message()}`);
			await d.accept();
		});
		return page;
	}

	// Screenshots at 360 and 1280 px; the page may not scroll sideways at 360.
	async function shots(page, name) {
		const over = await screenshotBoth(page, name);
		if (over > 0) {
			const size = page.viewportSize();
			await page.setViewportSize({ width: 360, height: 780 });
			wide.push(`${name} at 360 px: ${over}px: ${(await overflowCulprits(page)).join(', ')}`);
			await page.setViewportSize(size);
		}
	}

	return { problems, a11y, wide, checkPage, actor, shots };
}

// Waits until the element is shown (not [hidden]) and visible.
export async function visible(page, sel, opts = {}) {
	await page.waitForSelector(`${sel}:not([hidden])`, { state: 'visible', ...opts });
}
