// delegate.js -- the delegate area. Login is by signature: the server
// issues a nonce, the browser signs DS("sig") ‖ STR("login") ‖
// H64("login", nonce ‖ STR(origin)) with the NGO's stored key.
import { initPage, $, el, clear, say, sayError, busy } from './ui.js';
import { get, post, session, logout, setCsrfToken } from './api.js';
import { toHex, loginMessage, fingerprintHex, groupFingerprint, sameFingerprint, fromHex } from './protocol.js';
import * as ks from './keystore.js';

await initPage('delegate');

const msg = $('#delegate-msg');
let publicNgos = [];

async function loadPublic() {
	try {
		const r = await get('/api/ngos');
		publicNgos = Array.isArray(r.ngos) ? r.ngos : [];
	} catch {
		publicNgos = [];
	}
}

function showOnly(id) {
	for (const s of ['keys-section', 'no-keys', 'me-section']) $('#' + s).hidden = s !== id;
}

async function localKeys() {
	try {
		return await ks.listKeys();
	} catch (e) {
		sayError(msg, e);
		return [];
	}
}

async function renderKeys() {
	const keys = await localKeys();
	if (keys.length === 0) {
		showOnly('no-keys');
		return;
	}
	await loadPublic();
	const list = clear($('#key-list'));
	for (const k of keys) {
		const fp = await fingerprintHex(fromHex(k.public_key, 32));
		const ngo = publicNgos.find((n) => n.id === k.ngo_id);
		const onRoll = ngo && sameFingerprint(fp, ngo.fingerprint);
		const button = el('button', { type: 'button', class: 'primary' }, el('span', { i18n: 'delegate.keys.login' }), el('span', { class: 'visually-hidden', text: ' ' + k.ngo_id }));
		button.addEventListener('click', () => login(k, button));
		list.append(
			el(
				'li',
				{ class: 'key-item', attrs: { 'data-ngo': k.ngo_id } },
				el('p', { class: 'ngo-name' }, el('span', { lang: 'en', text: ngo ? ngo.name_en : k.ngo_id }), ngo && ngo.name_km ? el('span', { class: 'name-km', lang: 'km', text: ngo.name_km }) : null),
				el('p', {}, el('span', { i18n: 'ngo.id' }), ': ', el('span', { class: 'mono', text: k.ngo_id })),
				el('p', {}, el('span', { i18n: 'key.fingerprint' }), ': ', el('span', { class: 'fingerprint', text: groupFingerprint(fp) })),
				el('p', { class: onRoll ? 'msg msg-ok' : 'msg msg-warn', i18n: onRoll ? 'key.on_roll' : 'key.not_on_roll' }),
				button,
			),
		);
	}
	showOnly('keys-section');
}

// The origin the server binds into the signed body must be this page's.
function checkedOrigin(serverOrigin) {
	let o;
	try {
		o = new URL(serverOrigin).origin;
	} catch {
		throw new ks.KeyError('ORIGIN_MISMATCH');
	}
	if (o !== location.origin) throw new ks.KeyError('ORIGIN_MISMATCH');
	return serverOrigin;
}

async function login(k, button) {
	busy(button, true);
	say(msg, null);
	try {
		const n = await post('/api/delegate/nonce', { ngo_id: k.ngo_id });
		const message = await loginMessage(n.nonce, checkedOrigin(n.origin));
		const signature = toHex(await ks.sign(k.private_key, message));
		const r = await post('/api/delegate/login', { ngo_id: k.ngo_id, nonce: n.nonce, signature });
		setCsrfToken(r.csrf_token);
		await renderMe();
	} catch (e) {
		sayError(msg, e);
	} finally {
		busy(button, false);
	}
}

async function renderMe() {
	const r = await get('/api/delegate/me');
	const ngo = r.ngo || {};
	$('#me-name-en').textContent = ngo.name_en || ngo.id || '';
	$('#me-name-km').textContent = ngo.name_km || '';
	$('#me-id').textContent = ngo.id || '';
	clear($('#me-status')).append(el('span', { class: ngo.active ? 'badge ok' : 'badge off', i18n: ngo.active ? 'ngo.active' : 'ngo.inactive' }));
	$('#me-fp').textContent = ngo.fingerprint ? groupFingerprint(ngo.fingerprint) : '';
	const keys = (await localKeys()).filter((k) => k.ngo_id === ngo.id);
	let local = null;
	for (const k of keys) {
		const fp = await fingerprintHex(fromHex(k.public_key, 32));
		if (sameFingerprint(fp, ngo.fingerprint)) local = fp;
	}
	const localNode = clear($('#me-local-fp'));
	if (local) localNode.textContent = groupFingerprint(local);
	else localNode.append(el('span', { i18n: 'common.none' }));
	say($('#me-check'), local ? 'key.on_roll' : 'delegate.me.no_local_key', undefined, local ? 'ok' : 'warn');
	const elections = Array.isArray(r.elections) ? r.elections : [];
	const ul = clear($('#me-elections'));
	for (const e of elections) {
		// {id, status: draft|open|closed, title: {en, km}, last_seq, voted}
		const title = e.title && typeof e.title === 'object' ? e.title : {};
		const status = ['draft', 'open', 'closed'].includes(e.status) ? e.status : null;
		ul.append(
			el(
				'li',
				{ class: 'election', attrs: { 'data-election': e.id } },
				el('p', { class: 'ngo-name' }, el('span', { lang: 'en', text: title.en || e.id || '' }), title.km ? el('span', { class: 'name-km', lang: 'km', text: title.km }) : null),
				el('p', {}, status ? el('span', { class: status === 'open' ? 'badge ok' : 'badge', i18n: 'election.status.' + status }) : null, ' ', el('span', { i18n: e.voted ? 'election.voted' : 'election.not_voted' })),
				el(
					'p',
					{ class: 'actions' },
					status === 'open' ? el('a', { class: 'button primary', href: '/vote?election=' + encodeURIComponent(e.id), i18n: e.voted ? 'delegate.elections.revote' : 'delegate.elections.vote' }) : null,
					status === 'closed' ? el('a', { class: 'button', href: '/results?election=' + encodeURIComponent(e.id), i18n: 'delegate.elections.results' }) : null,
					status === 'closed' && e.voted ? el('a', { href: '/vote?election=' + encodeURIComponent(e.id), i18n: 'delegate.elections.receipt' }) : null,
				),
			),
		);
	}
	$('#me-no-elections').hidden = elections.length > 0;
	showOnly('me-section');
	$('#me-section').focus();
}

$('#me-logout').addEventListener('click', async () => {
	try {
		await logout();
	} catch (e) {
		sayError(msg, e);
	}
	await renderKeys();
});

const unsupported = await ks.support();
let s = null;
try {
	s = await session();
} catch (e) {
	sayError(msg, e);
}
if (s && s.kind === 'delegate') {
	try {
		await renderMe();
	} catch (e) {
		sayError(msg, e);
		await renderKeys();
	}
} else if (unsupported) {
	say(msg, 'error.' + unsupported, undefined, 'error');
} else {
	await renderKeys();
}
