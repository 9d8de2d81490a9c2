// setup.js -- first password of an account, through the one-time link
// /setup#token=... (the token stays in the fragment, out of server logs).
import { initPage, $, el, clear, say, sayError, markField, busy, fragmentParams, dropFragment } from './ui.js';
import { post } from './api.js';

const MIN_PASSWORD = 12;

await initPage('console');

const token = fragmentParams().get('token');
const form = $('#setup-form');
const msg = $('#setup-msg');
if (token) dropFragment();
else {
	say(msg, 'setup.no_token', undefined, 'error');
	form.hidden = true;
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const pw = form.password.value;
	markField(form, null);
	if (pw.length < MIN_PASSWORD) {
		say(msg, 'error.PASSWORD_TOO_SHORT', undefined, 'error');
		markField(form, { field: 'password' }, msg);
		return;
	}
	if (pw !== form.password2.value) {
		say(msg, 'setup.mismatch', undefined, 'error');
		markField(form, { field: 'password2' }, msg);
		return;
	}
	const button = form.querySelector('button[type=submit]');
	busy(button, true);
	try {
		const r = await post('/api/setup', { token, password: pw });
		form.reset();
		form.hidden = true;
		say(msg, null);
		const done = $('#setup-done');
		const text = clear($('#setup-done-text'));
		text.append(el('span', { i18n: 'setup.done_text', args: { email: r.email || '' } }), ' ', el('span', { i18n: 'role.' + r.role }));
		done.hidden = false;
		done.querySelector('a').focus();
	} catch (e) {
		sayError(msg, e);
		if (e.errorName === 'SETUP_TOKEN_INVALID') form.hidden = true;
		else markField(form, e, msg);
	} finally {
		busy(button, false);
	}
});
