// api.js -- fetch wrapper for the ngo-vote JSON API.
// Sends JSON (or CSV), adds X-CSRF-Token to every state-changing request
// once a session is known, and turns error replies into ApiError objects
// whose message is localized (error.<NAME>, else the server's hint).

import { t, has } from './i18n.js';

let csrfToken = null;

export function setCsrfToken(token) {
	csrfToken = typeof token === 'string' && token ? token : null;
}

export class ApiError extends Error {
	constructor(status, body, retryAfter) {
		const name = (body && typeof body.name === 'string' && body.name) || (status === 0 ? 'NETWORK_ERROR' : 'INTERNAL_ERROR');
		super(body && body.hint ? body.hint : name);
		this.status = status;
		this.errorName = name;
		this.code = body && body.code;
		this.hint = body && typeof body.hint === 'string' ? body.hint : '';
		this.field = body && typeof body.field === 'string' ? body.field : null;
		this.errors = body && Array.isArray(body.errors) ? body.errors : null;
		this.problems = body && Array.isArray(body.problems) ? body.problems : null;
		// BALLOT_DUPLICATE carries the receipt of the copy already stored.
		this.receipt = body && body.receipt && typeof body.receipt === 'object' ? body.receipt : null;
		this.retryAfter = retryAfter;
	}

	// The translation key and its arguments, so the page can re-render the
	// message when the language changes.
	get i18nKey() {
		if (this.errorName === 'RATE_LIMITED' && this.retryAfter) return 'error.RATE_LIMITED_WAIT';
		return 'error.' + this.errorName;
	}

	get i18nArgs() {
		return this.retryAfter ? { seconds: this.retryAfter } : undefined;
	}

	// The message in the current language: the table's, else the hint.
	localized() {
		if (has(this.i18nKey)) return t(this.i18nKey, this.i18nArgs);
		return this.hint || t('error.UNKNOWN', { name: this.errorName });
	}
}

function retryAfterSeconds(res) {
	const v = res.headers.get('Retry-After');
	if (!v) return undefined;
	const n = Number.parseInt(v, 10);
	if (Number.isFinite(n) && n >= 0) return n;
	const when = Date.parse(v);
	return Number.isNaN(when) ? undefined : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

// request('POST', '/api/login', {json: {...}}) → parsed JSON (or {} / text).
// Options: json (object body), csv (string body, text/csv), text (return text).
export async function request(method, path, opts = {}) {
	const headers = { Accept: 'application/json' };
	let body;
	if (opts.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.json);
	} else if (opts.csv !== undefined) {
		headers['Content-Type'] = 'text/csv';
		body = opts.csv;
	} else if (method !== 'GET' && method !== 'HEAD') {
		// Actions without a payload (logout, deactivate, revoke...) send an
		// empty body, still labelled JSON.
		headers['Content-Type'] = 'application/json';
	}
	if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
	let res;
	try {
		res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
	} catch {
		throw new ApiError(0, null);
	}
	const type = res.headers.get('Content-Type') || '';
	if (!res.ok) {
		let err = null;
		if (type.includes('application/json')) {
			try {
				err = await res.json();
			} catch {
				err = null;
			}
		}
		throw new ApiError(res.status, err, retryAfterSeconds(res));
	}
	if (opts.text) return res.text();
	if (res.status === 204) return {};
	const text = await res.text();
	if (!text) return {};
	try {
		return JSON.parse(text);
	} catch {
		throw new ApiError(res.status, { name: 'INTERNAL_ERROR' });
	}
}

export const get = (path, opts) => request('GET', path, opts);
// post(path) with no object sends an empty body (action endpoints).
export const post = (path, json, opts = {}) => request('POST', path, json === undefined ? opts : { ...opts, json });
export const put = (path, json, opts = {}) => request('PUT', path, { ...opts, json });

// The current session, or null when not logged in. Remembers its CSRF token.
export async function session() {
	try {
		const s = await get('/api/session');
		setCsrfToken(s.csrf_token);
		return s;
	} catch (e) {
		if (e instanceof ApiError && (e.status === 401 || e.errorName === 'NOT_LOGGED_IN')) {
			setCsrfToken(null);
			return null;
		}
		throw e;
	}
}

export async function logout() {
	try {
		await post('/api/logout');
	} finally {
		setCsrfToken(null);
	}
}

// Path segment for ids that come from users (NGO slugs, account ids).
export function seg(id) {
	return encodeURIComponent(String(id));
}
