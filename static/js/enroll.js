// enroll.js -- /enroll: code → check → key pair → backup (or explicit
// decline) → enrol → fingerprint. The private key is extractable only
// between generation and the backup step; what is stored and used is a
// non-extractable re-import, and the PKCS#8 bytes are zeroed.

import { initPage, $, say, sayError, markField, busy, fragmentParams, dropFragment, downloadJson } from './ui.js';
import { post } from './api.js';
import { toHex, fingerprintHex, groupFingerprint, sameFingerprint } from './protocol.js';
import * as ks from './backup.js';

const MIN_PASSPHRASE = 10;

await initPage('delegate');

const msg = $('#enroll-msg');
const state = { code: null, ngo: null, publicRaw: null, pkcs8: null, privateKey: null, backupSaved: false, stored: null, done: false };

function showStep(name) {
	for (const s of document.querySelectorAll('.step')) s.hidden = s.id !== 'step-' + name;
	for (const li of document.querySelectorAll('.steps li')) {
		if (li.dataset.step === name) li.setAttribute('aria-current', 'step');
		else li.removeAttribute('aria-current');
	}
	const sec = $('#step-' + name);
	if (name !== 'code') sec.focus();
}

function wipeSecrets() {
	if (state.pkcs8) state.pkcs8.fill(0);
	state.pkcs8 = null;
}

window.addEventListener('beforeunload', (ev) => {
	if (state.pkcs8 || (state.privateKey && !state.done)) ev.preventDefault();
});
window.addEventListener('pagehide', wipeSecrets);

const unsupported = await ks.support();
const codeForm = $('#code-form');
if (unsupported) {
	say(msg, 'error.' + unsupported, undefined, 'error');
	for (const c of codeForm.elements) c.disabled = true;
}

const fromLink = fragmentParams().get('code');
if (fromLink) {
	codeForm.elements.code.value = fromLink;
	dropFragment();
}

function normalizeCode(s) {
	return s.replace(/\s+/g, '');
}

codeForm.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	markField(codeForm, null);
	const code = normalizeCode(codeForm.elements.code.value);
	if (!code) {
		say(msg, 'enroll.code.empty', undefined, 'error');
		markField(codeForm, { field: 'code' }, msg);
		return;
	}
	const button = codeForm.querySelector('button[type=submit]');
	busy(button, true);
	try {
		const r = await post('/api/enrol/check', { code });
		state.code = code;
		state.ngo = r;
		say(msg, null);
		$('#confirm-name-en').textContent = r.name_en || '';
		$('#confirm-name-km').textContent = r.name_km || '';
		$('#confirm-id').textContent = r.ngo_id;
		showStep('confirm');
	} catch (e) {
		sayError(msg, e);
		markField(codeForm, { field: 'code' }, msg);
	} finally {
		busy(button, false);
	}
});

$('#confirm-no').addEventListener('click', () => {
	state.code = null;
	state.ngo = null;
	codeForm.reset();
	say(msg, 'enroll.confirm.rejected', undefined, 'info');
	showStep('code');
	codeForm.elements.code.focus();
});

$('#confirm-yes').addEventListener('click', async (ev) => {
	const button = ev.currentTarget;
	busy(button, true);
	try {
		const k = await ks.generateExtractable();
		state.publicRaw = k.publicRaw;
		state.pkcs8 = await ks.exportPkcs8(k.privateKey);
		say(msg, null);
		showStep('backup');
	} catch (e) {
		sayError(msg, e);
	} finally {
		busy(button, false);
	}
});

const backupForm = $('#backup-form');
const decline = $('#backup-decline');
const submit = $('#enrol-submit');

function updateContinue() {
	submit.disabled = !(state.backupSaved || decline.checked);
}
decline.addEventListener('change', updateContinue);

backupForm.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const bmsg = $('#backup-msg');
	markField(backupForm, null);
	const pass = backupForm.elements.passphrase.value;
	if (pass.length < MIN_PASSPHRASE) {
		say(bmsg, 'backup.too_short', { n: MIN_PASSPHRASE }, 'error');
		markField(backupForm, { field: 'passphrase' }, bmsg);
		return;
	}
	if (pass !== backupForm.elements.passphrase2.value) {
		say(bmsg, 'backup.mismatch', undefined, 'error');
		markField(backupForm, { field: 'passphrase2' }, bmsg);
		return;
	}
	if (!state.pkcs8) return;
	const button = $('#backup-save');
	busy(button, true);
	say(bmsg, 'backup.working', undefined, 'info');
	try {
		const file = await ks.encryptBackup({ pkcs8: state.pkcs8, passphrase: pass, ngoId: state.ngo.ngo_id, publicRaw: state.publicRaw });
		downloadJson(`ngo-vote-key-${state.ngo.ngo_id}.json`, file);
		state.backupSaved = true;
		backupForm.reset();
		say(bmsg, 'backup.saved', undefined, 'ok');
		updateContinue();
	} catch (e) {
		sayError(bmsg, e);
	} finally {
		busy(button, false);
	}
});

submit.addEventListener('click', async () => {
	busy(submit, true);
	say(msg, null);
	try {
		if (!state.privateKey) {
			// From here on the key cannot be exported again.
			state.privateKey = await ks.importNonExtractable(state.pkcs8);
			state.pkcs8 = null;
		}
		if (!state.stored) state.stored = await ks.saveKey({ ngoId: state.ngo.ngo_id, privateKey: state.privateKey, publicRaw: state.publicRaw, source: 'generated' });
		const publicHex = toHex(state.publicRaw);
		let r;
		try {
			r = await post('/api/enrol', { code: state.code, public_key: publicHex });
		} catch (e) {
			// A refusal leaves no key on the roll: forget the local copy too.
			if (e.status && e.status < 500) {
				await ks.deleteKey(publicHex);
				state.stored = null;
			}
			throw e;
		}
		await ks.markEnrolled(publicHex);
		state.done = true;
		const local = await fingerprintHex(state.publicRaw);
		$('#done-id').textContent = r.ngo_id || state.ngo.ngo_id;
		$('#done-fp').textContent = groupFingerprint(local);
		const check = $('#done-check');
		if (sameFingerprint(local, r.fingerprint)) say(check, 'enroll.done.match', undefined, 'ok');
		else say(check, 'enroll.done.mismatch', undefined, 'error');
		showStep('done');
	} catch (e) {
		sayError(msg, e);
		msg.scrollIntoView({ block: 'nearest' });
	} finally {
		busy(submit, false);
		if (!state.done) updateContinue();
	}
});
