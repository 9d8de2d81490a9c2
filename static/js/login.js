// login.js -- secretariat and auditor login with email and password.
import { initPage, $, say, sayError, markField, busy } from './ui.js';
import { post, session, setCsrfToken } from './api.js';

await initPage('console');

const form = $('#login-form');
const msg = $('#login-msg');

try {
	const s = await session();
	if (s && s.kind === 'account') location.replace('/console');
} catch {
	/* server unreachable: the form reports it on submit */
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	markField(form, null);
	const email = form.email.value.trim();
	const password = form.password.value;
	if (!email || !password) {
		say(msg, 'login.fill_both', undefined, 'error');
		markField(form, { field: email ? 'password' : 'email' }, msg);
		return;
	}
	const button = form.querySelector('button[type=submit]');
	busy(button, true);
	try {
		const r = await post('/api/login', { email, password });
		setCsrfToken(r.csrf_token);
		location.assign('/console');
	} catch (e) {
		form.password.value = '';
		sayError(msg, e);
		if (!markField(form, e, msg)) form.password.focus();
	} finally {
		busy(button, false);
	}
});
