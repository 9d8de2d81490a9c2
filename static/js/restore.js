// restore.js -- restores the NGO key on a new device from the backup file
// and its passphrase: decrypt, import non-extractable, check it matches the
// file's public key, store it, and compare with the public roll.
import { initPage, $, say, sayError, markField, busy } from './ui.js';
import { get } from './api.js';
import { fingerprintHex, groupFingerprint, sameFingerprint } from './protocol.js';
import * as ks from './backup.js';

const MAX_FILE = 64 * 1024;

await initPage('delegate');

const msg = $('#restore-msg');
const form = $('#restore-form');
const unsupported = await ks.support();
if (unsupported) {
	say(msg, 'error.' + unsupported, undefined, 'error');
	for (const c of form.elements) c.disabled = true;
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	markField(form, null);
	const file = form.elements.file.files[0];
	const pass = form.elements.passphrase.value;
	if (!file) {
		say(msg, 'restore.choose', undefined, 'error');
		markField(form, { field: 'file' }, msg);
		return;
	}
	if (!pass) {
		say(msg, 'restore.need_pass', undefined, 'error');
		markField(form, { field: 'passphrase' }, msg);
		return;
	}
	const button = form.querySelector('button[type=submit]');
	busy(button, true);
	say(msg, 'restore.working', undefined, 'info');
	try {
		if (file.size > MAX_FILE) throw new ks.KeyError('BACKUP_INVALID');
		const parsed = ks.parseBackup(await file.text());
		const privateKey = await ks.restoreBackup(parsed, pass);
		await ks.saveKey({ ngoId: parsed.ngoId, privateKey, publicRaw: parsed.publicRaw, source: 'restored', enrolledAt: new Date().toISOString() });
		form.reset();
		form.hidden = true;
		say(msg, null);
		const fp = await fingerprintHex(parsed.publicRaw);
		$('#restore-id').textContent = parsed.ngoId;
		$('#restore-fp').textContent = groupFingerprint(fp);
		const check = $('#restore-check');
		try {
			const r = await get('/api/ngos');
			const ngo = (r.ngos || []).find((n) => n.id === parsed.ngoId);
			if (ngo) {
				$('#restore-name-en').textContent = ngo.name_en || '';
				$('#restore-name-km').textContent = ngo.name_km || '';
			}
			if (ngo && sameFingerprint(fp, ngo.fingerprint)) say(check, 'key.on_roll', undefined, 'ok');
			else say(check, 'key.not_on_roll', undefined, 'warn');
		} catch (e) {
			sayError(check, e);
		}
		const done = $('#restore-done');
		done.hidden = false;
		done.focus();
	} catch (e) {
		sayError(msg, e);
		if (e.errorName === 'BACKUP_PASSPHRASE_WRONG') markField(form, { field: 'passphrase' }, msg);
	} finally {
		busy(button, false);
	}
});
