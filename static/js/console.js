// console.js -- the secretariat console: NGO registry (create, edit,
// deactivate, enrolment codes), CSV import/export, accounts, audit log.
// Auditors get the same views read-only (.secretariat-only is removed).

import { initPage, $, el, clear, say, sayError, markField, busy, i18n } from './ui.js';
import { get, post, put, request, session, logout, seg, ApiError } from './api.js';
import { groupFingerprint } from './protocol.js';

const NGO_FIELDS = ['name_en', 'name_km', 'registration_no', 'contact_name', 'phone', 'email', 'province'];
const ID_RE = /^[a-z0-9_-]{1,64}$/;

await initPage('console');

const msg = $('#console-msg');
let me = null;
let ngos = [];
let editing = null; // id of the NGO in the form, or null when adding

try {
	me = await session();
} catch (e) {
	sayError(msg, e);
}
if (!me && !msg.classList.contains('msg-error')) {
	location.replace('/login');
} else if (me && me.kind !== 'account') {
	clear(msg);
	msg.hidden = false;
	msg.className = 'msg msg-info';
	msg.append(el('span', { i18n: 'console.delegate_session' }), ' ', el('a', { href: '/delegate', i18n: 'nav.delegate' }));
} else if (me) {
	start();
}

// A reload that works removes an earlier load error, not a success message.
function clearError(m) {
	if (m.classList.contains('msg-error')) say(m, null);
}

function isSecretariat() {
	return me && me.role === 'secretariat';
}

function start() {
	const whoami = clear($('#whoami'));
	whoami.append(el('span', { i18n: 'console.logged_in_as' }), ' ', el('strong', { text: me.email || '' }), ' (', el('span', { i18n: 'role.' + me.role }), ')');
	if (!isSecretariat()) {
		for (const n of document.querySelectorAll('.secretariat-only')) n.remove();
		$('#readonly-note').hidden = false;
	}
	$('#console-body').hidden = false;
	$('#logout').addEventListener('click', async () => {
		try {
			await logout();
		} finally {
			location.assign('/login');
		}
	});
	if (isSecretariat()) {
		setupNgoForm();
		setupImport();
		setupAccounts();
		loadAccounts();
	}
	$('#audit-refresh').addEventListener('click', loadAudit);
	loadNgos();
	loadAudit();
}

// --- NGOs ------------------------------------------------------------------

async function loadNgos() {
	const m = $('#ngos-msg');
	try {
		const r = await get('/api/admin/ngos');
		ngos = Array.isArray(r.ngos) ? r.ngos : [];
		clearError(m);
		renderNgos();
	} catch (e) {
		sayError(m, e);
	}
}

function nameCell(n) {
	return el('td', {}, el('span', { class: 'name-en', lang: 'en', text: n.name_en || '' }), el('br'), el('span', { class: 'name-km', lang: 'km', text: n.name_km || '' }));
}

function rowButton(key, id, onClick, cls = 'small') {
	// The NGO id in a visually hidden span gives each button a unique name.
	return el('button', { type: 'button', class: cls, on: { click: onClick } }, el('span', { i18n: key }), el('span', { class: 'visually-hidden', text: ' ' + id }));
}

function renderNgos() {
	const body = clear($('#ngo-table tbody'));
	$('#ngo-empty').hidden = ngos.length > 0;
	for (const n of ngos) {
		const code = n.code_status || 'none';
		const tr = el(
			'tr',
			{ attrs: { 'data-ngo': n.id } },
			el('td', { class: 'mono', text: n.id }),
			nameCell(n),
			el('td', { text: n.province || '' }),
			el('td', {}, el('span', { text: n.contact_name || '' }), el('br'), el('span', { text: n.phone || '' }), el('br'), el('span', { class: 'break', text: n.email || '' })),
			el('td', {}, el('span', { class: n.active ? 'badge ok' : 'badge off', i18n: n.active ? 'ngo.active' : 'ngo.inactive' })),
			el('td', {}, el('span', { i18n: n.enrolled ? 'ngo.enrolled' : 'ngo.not_enrolled' }), n.fingerprint ? el('span', { class: 'fingerprint', text: groupFingerprint(n.fingerprint) }) : null),
			el('td', {}, el('span', { i18n: 'code.' + code }), code === 'issued' && n.code_expires_at ? el('span', { class: 'sub' }, el('span', { i18n: 'console.code.until' }), ' ', el('span', { date: n.code_expires_at })) : null),
		);
		if (isSecretariat()) {
			tr.append(
				el(
					'td',
					{ class: 'row-actions' },
					rowButton('common.edit', n.id, () => openNgoForm(n)),
					n.active ? rowButton('console.ngos.deactivate', n.id, () => setActive(n, false)) : rowButton('console.ngos.activate', n.id, () => setActive(n, true)),
					n.active ? rowButton(code === 'issued' || n.enrolled ? 'console.code.reissue' : 'console.code.issue', n.id, () => issueCode(n)) : null,
					code === 'issued' ? rowButton('console.code.revoke', n.id, () => revokeCode(n)) : null,
				),
			);
		}
		body.append(tr);
	}
}

function setupNgoForm() {
	const form = $('#ngo-form');
	$('#ngo-add').addEventListener('click', () => openNgoForm(null));
	$('#ngo-cancel').addEventListener('click', closeNgoForm);
	form.addEventListener('submit', saveNgo);
}

function openNgoForm(n) {
	const form = $('#ngo-form');
	editing = n ? n.id : null;
	form.reset();
	say($('#ngo-form-msg'), null);
	markField(form, null);
	const h = $('#ngo-form-h');
	h.setAttribute('data-i18n', n ? 'console.ngos.form_edit' : 'console.ngos.form_add');
	i18n.apply(h);
	form.elements.id.readOnly = Boolean(n);
	if (n) {
		form.elements.id.value = n.id;
		for (const f of NGO_FIELDS) form.elements[f].value = n[f] ?? '';
	}
	form.hidden = false;
	(n ? form.elements.name_en : form.elements.id).focus();
}

function closeNgoForm() {
	$('#ngo-form').hidden = true;
	editing = null;
	$('#ngo-add').focus();
}

async function saveNgo(ev) {
	ev.preventDefault();
	const form = ev.currentTarget;
	const m = $('#ngo-form-msg');
	const data = {};
	for (const f of NGO_FIELDS) data[f] = form.elements[f].value.trim();
	markField(form, null);
	if (!editing) {
		data.id = form.elements.id.value.trim();
		if (!ID_RE.test(data.id)) {
			say(m, 'error.NGO_ID_INVALID', undefined, 'error');
			markField(form, { field: 'id' }, m);
			return;
		}
	}
	for (const f of ['name_en', 'name_km']) {
		if (!data[f]) {
			say(m, 'console.ngos.required', undefined, 'error');
			markField(form, { field: f }, m);
			return;
		}
	}
	const button = form.querySelector('button[type=submit]');
	busy(button, true);
	try {
		if (editing) await put('/api/admin/ngos/' + seg(editing), data);
		else await post('/api/admin/ngos', { id: data.id, ...data });
		const saved = editing || data.id;
		form.hidden = true;
		editing = null;
		say($('#ngos-msg'), 'console.ngos.saved', { id: saved }, 'ok');
		await loadNgos();
		loadAudit();
		$('#ngo-add').focus();
	} catch (e) {
		sayError(m, e);
		markField(form, e, m);
	} finally {
		busy(button, false);
	}
}

async function setActive(n, active) {
	if (!active && !confirm(i18n.t('console.ngos.confirm_deactivate', { id: n.id }))) return;
	const m = $('#ngos-msg');
	try {
		await post(`/api/admin/ngos/${seg(n.id)}/${active ? 'activate' : 'deactivate'}`);
		say(m, active ? 'console.ngos.activated' : 'console.ngos.deactivated', { id: n.id }, 'ok');
		await loadNgos();
		loadAudit();
	} catch (e) {
		sayError(m, e);
	}
}

async function issueCode(n) {
	if (n.enrolled && !confirm(i18n.t('console.code.confirm_replace', { id: n.id }))) return;
	if (!n.enrolled && n.code_status === 'issued' && !confirm(i18n.t('console.code.confirm_reissue', { id: n.id }))) return;
	const m = $('#ngos-msg');
	try {
		const r = await post(`/api/admin/ngos/${seg(n.id)}/enrolment-code`);
		showCode(n, r);
		say(m, null);
		await loadNgos();
		loadAudit();
	} catch (e) {
		sayError(m, e);
	}
}

function showCode(n, r) {
	const panel = $('#code-panel');
	$('#code-ngo').textContent = n.id;
	$('#code-value').textContent = r.code;
	clear($('#code-expires')).append(el('span', { date: r.expires_at }));
	const url = new URL(r.enrol_url || '/enroll', location.origin);
	url.hash = '';
	$('#code-url').textContent = url.href;
	const frag = new URLSearchParams({ ngo: n.id, code: r.code, expires: r.expires_at || '', url: url.href });
	$('#code-letter').href = '/letter#' + frag.toString();
	panel.hidden = false;
	$('#code-close').onclick = () => {
		// The code is shown once: forget it when the panel closes.
		$('#code-value').textContent = '';
		$('#code-letter').removeAttribute('href');
		panel.hidden = true;
	};
	panel.focus();
}

async function revokeCode(n) {
	if (!confirm(i18n.t('console.code.confirm_revoke', { id: n.id }))) return;
	const m = $('#ngos-msg');
	try {
		await post(`/api/admin/ngos/${seg(n.id)}/enrolment-code/revoke`);
		say(m, 'console.code.revoked', { id: n.id }, 'ok');
		await loadNgos();
		loadAudit();
	} catch (e) {
		sayError(m, e);
	}
}

// --- CSV import ------------------------------------------------------------

function setupImport() {
	const form = $('#import-form');
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const m = $('#import-msg');
		const box = $('#import-errors');
		box.hidden = true;
		const file = form.elements.file.files[0];
		if (!file) {
			say(m, 'console.import.choose', undefined, 'error');
			form.elements.file.focus();
			return;
		}
		const button = form.querySelector('button[type=submit]');
		busy(button, true);
		try {
			const text = (await file.text()).replace(/^\uFEFF/, '');
			const r = await request('POST', '/api/admin/ngos/import', { csv: text });
			say(m, 'console.import.done', { n: Number(r.imported) || 0 }, 'ok');
			form.reset();
			await loadNgos();
			loadAudit();
		} catch (e) {
			sayError(m, e);
			if (e instanceof ApiError && e.errors) showImportErrors(e.errors);
		} finally {
			busy(button, false);
		}
	});
}

function showImportErrors(errors) {
	const body = clear($('#import-errors-body'));
	for (const er of errors) {
		const name = typeof er.error === 'string' ? er.error : '';
		const problem = name && i18n.has('error.' + name) ? el('td', { i18n: 'error.' + name }) : el('td', { text: er.message || name });
		body.append(el('tr', {}, el('td', { text: er.row ?? '' }), el('td', { class: 'mono', text: er.field || '' }), problem));
	}
	$('#import-errors').hidden = errors.length === 0;
}

// --- accounts ---------------------------------------------------------------

async function loadAccounts() {
	const m = $('#accounts-msg');
	try {
		const r = await get('/api/accounts');
		renderAccounts(Array.isArray(r.accounts) ? r.accounts : []);
		clearError(m);
	} catch (e) {
		sayError(m, e);
	}
}

function renderAccounts(list) {
	const body = clear($('#account-table tbody'));
	for (const a of list) {
		const self = me && a.email === me.email;
		body.append(
			el(
				'tr',
				{},
				el('td', { class: 'break', text: a.email }),
				el('td', { i18n: 'role.' + a.role }),
				el('td', {}, el('span', { class: a.active ? 'badge ok' : 'badge off', i18n: a.active ? 'account.active' : 'account.inactive' })),
				el('td', { i18n: a.has_password ? 'account.password_set' : 'account.password_pending' }),
				el('td', {}, a.active && !self ? el('button', { type: 'button', class: 'small', on: { click: () => deactivateAccount(a) } }, el('span', { i18n: 'console.accounts.deactivate' }), el('span', { class: 'visually-hidden', text: ' ' + a.email })) : null),
			),
		);
	}
}

async function deactivateAccount(a) {
	if (!confirm(i18n.t('console.accounts.confirm_deactivate', { email: a.email }))) return;
	const m = $('#accounts-msg');
	try {
		await post(`/api/accounts/${seg(a.id)}/deactivate`);
		say(m, 'console.accounts.deactivated', { email: a.email }, 'ok');
		loadAccounts();
		loadAudit();
	} catch (e) {
		sayError(m, e);
	}
}

function setupAccounts() {
	const form = $('#account-form');
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const m = $('#account-form-msg');
		markField(form, null);
		const email = form.elements.email.value.trim();
		const role = form.elements.role.value;
		if (!email || !email.includes('@')) {
			say(m, 'error.EMAIL_INVALID', undefined, 'error');
			markField(form, { field: 'email' }, m);
			return;
		}
		const button = form.querySelector('button[type=submit]');
		busy(button, true);
		try {
			const r = await post('/api/accounts', { email, role });
			form.reset();
			say(m, null);
			showSetupLink(r.setup_url);
			loadAccounts();
			loadAudit();
		} catch (e) {
			sayError(m, e);
			markField(form, e, m);
		} finally {
			busy(button, false);
		}
	});
	$('#setup-copy').addEventListener('click', async () => {
		const m = $('#setup-copy-msg');
		try {
			await navigator.clipboard.writeText($('#setup-link').textContent);
			say(m, 'common.copied', undefined, 'ok');
		} catch {
			say(m, 'common.copy_failed', undefined, 'warn');
		}
	});
	$('#setup-close').addEventListener('click', () => {
		$('#setup-link').textContent = '';
		say($('#setup-copy-msg'), null);
		$('#setup-panel').hidden = true;
		$('#account-email').focus();
	});
}

function showSetupLink(url) {
	const panel = $('#setup-panel');
	$('#setup-link').textContent = url ? new URL(url, location.origin).href : '';
	panel.hidden = false;
	panel.focus();
}

// --- audit log -----------------------------------------------------------------

async function loadAudit() {
	const m = $('#audit-msg');
	try {
		const r = await get('/api/audit-log?limit=100');
		const entries = Array.isArray(r.entries) ? r.entries : [];
		const body = clear($('#audit-table tbody'));
		for (const a of entries) {
			const detail = a.detail === null || a.detail === undefined ? '' : typeof a.detail === 'string' ? a.detail : JSON.stringify(a.detail);
			body.append(el('tr', {}, el('td', {}, el('span', { date: a.at })), el('td', { class: 'break', text: a.actor ?? '' }), el('td', { class: 'mono', text: a.action ?? '' }), el('td', { class: 'break', text: a.target ?? '' }), el('td', { class: 'break', text: detail })));
		}
		$('#audit-empty').hidden = entries.length > 0;
		clearError(m);
	} catch (e) {
		sayError(m, e);
	}
}
