// mock-server.mjs -- an in-memory stand-in for ngo-voted's accounts,
// registry and enrolment API, written from the contract in the issue-4
// brief (docs/api.md is authoritative). It exists so the browser client can
// be exercised before the daemon routes land; the e2e test runs against
// the real daemon unless NGO_VOTE_E2E_SERVER=mock.
//
// It serves static/ with the daemon's security headers (CSP
// default-src 'self') and clean URLs (/enroll → enroll.html), checks CSRF
// tokens, and verifies delegate login signatures with its own
// implementation of the signing rule (node:crypto), independent of
// static/js/protocol.js.

import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
const MIME = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml' };
const ERRORS = {
	NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, RATE_LIMITED: 429, JSON_MALFORMED: 400, JSON_MISSING_FIELD: 400, JSON_UNKNOWN_FIELD: 400, JSON_WRONG_TYPE: 400,
	UNSUPPORTED_MEDIA_TYPE: 415, BODY_NOT_ALLOWED: 400, NOT_LOGGED_IN: 401, FORBIDDEN: 403, CSRF_FAILED: 403, BAD_CREDENTIALS: 401, SETUP_TOKEN_INVALID: 400,
	PASSWORD_TOO_SHORT: 400, ACCOUNT_EXISTS: 409, ACCOUNT_NOT_FOUND: 404, EMAIL_INVALID: 400, ROLE_INVALID: 400, CANNOT_DEACTIVATE_SELF: 409,
	NGO_NOT_FOUND: 404, NGO_EXISTS: 409, NGO_FIELD_INVALID: 400, CSV_INVALID: 422, ENROL_CODE_INVALID: 400, ENROL_NOT_ALLOWED: 409, KEY_INVALID: 400,
	KEY_IN_USE: 409, NONCE_INVALID: 400, LOGIN_SIGNATURE_INVALID: 401, NGO_INACTIVE: 409, NO_CODE_OUTSTANDING: 409,
};
const NGO_FIELDS = ['name_en', 'name_km', 'registration_no', 'contact_name', 'phone', 'email', 'province'];
const CSV_HEADER = ['id', ...NGO_FIELDS];

class Fail extends Error {
	constructor(name, field, extra) {
		super(name);
		this.errName = name;
		this.field = field;
		this.extra = extra;
	}
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
const rand = (n) => crypto.randomBytes(n);
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function str(s) {
	const b = Buffer.from(s, 'utf8');
	const l = Buffer.alloc(4);
	l.writeUInt32LE(b.length);
	return Buffer.concat([l, b]);
}
const ds = (tag) => str('ngo-vote/v1/' + tag);
const h64 = (tag, m) => crypto.createHash('sha512').update(ds(tag)).update(m).digest();
const signingMessage = (type, body) => Buffer.concat([ds('sig'), str(type), h64(type, body)]);

function ed25519Verify(pkRaw, msg, sig) {
	try {
		const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pkRaw.toString('base64url') }, format: 'jwk' });
		return crypto.verify(null, msg, key, sig);
	} catch {
		return false;
	}
}

function parseCsv(text) {
	const rows = [];
	let row = [], field = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
			else if (c === '"') q = false;
			else field += c;
		} else if (c === '"') q = true;
		else if (c === ',') { row.push(field); field = ''; }
		else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(field); rows.push(row); row = []; field = '';
		} else field += c;
	}
	if (field !== '' || row.length) { row.push(field); rows.push(row); }
	return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const csvCell = (v) => (/[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);

export function startMock({ staticDir, port = 0 } = {}) {
	const st = { accounts: [], setupTokens: new Map(), sessions: new Map(), ngos: new Map(), codes: [], nonces: new Map(), audit: [], loginFails: new Map() };
	let origin = '';
	let nextAccount = 1;

	const audit = (actor, action, target, detail = '') => st.audit.unshift({ at: iso(Date.now()), actor, action, target, detail });
	const actorOf = (s) => (s ? (s.kind === 'account' ? st.accounts.find((a) => a.id === s.account_id)?.email : 'ngo:' + s.ngo_id) : 'anonymous');

	function createAdmin(email) {
		let a = st.accounts.find((x) => x.email === email);
		if (!a) {
			a = { id: nextAccount++, email, role: 'secretariat', active: true, password: null };
			st.accounts.push(a);
		}
		const token = rand(32).toString('hex');
		st.setupTokens.set(token, { account_id: a.id, expires: Date.now() + 86400e3 });
		audit('cli', 'account.create_admin', email);
		return `${origin || 'http://127.0.0.1:8080'}/setup#token=${token}`;
	}

	function ngoView(n, admin) {
		const pub = { id: n.id, name_en: n.name_en, name_km: n.name_km, active: n.active, enrolled: Boolean(n.key), fingerprint: n.key ? sha256(n.key).subarray(0, 16).toString('hex') : null };
		if (!admin) return pub;
		const c = st.codes.filter((x) => x.ngo_id === n.id).at(-1);
		let code_status = 'none';
		if (c) code_status = c.used ? 'used' : c.revoked ? 'revoked' : c.expires < Date.now() ? 'expired' : 'issued';
		return { ...pub, registration_no: n.registration_no, contact_name: n.contact_name, phone: n.phone, email: n.email, province: n.province, code_status, code_expires_at: c ? iso(c.expires) : null };
	}

	function checkNgo(f, withId) {
		if (withId && (typeof f.id !== 'string' || !/^[a-z0-9_-]{1,64}$/.test(f.id))) throw new Fail('NGO_FIELD_INVALID', 'id');
		for (const k of NGO_FIELDS) {
			if (typeof f[k] !== 'string') throw new Fail('NGO_FIELD_INVALID', k);
			if (f[k].length > 1024) throw new Fail('NGO_FIELD_INVALID', k);
		}
		if (!f.name_en.trim()) throw new Fail('NGO_FIELD_INVALID', 'name_en');
		if (!/[\u1780-\u17ff]/.test(f.name_km)) throw new Fail('NGO_FIELD_INVALID', 'name_km');
		if (f.email && !/^[^@\s]+@[^@\s]+$/.test(f.email)) throw new Fail('NGO_FIELD_INVALID', 'email');
	}

	function findCode(code) {
		const h = sha256(Buffer.from(String(code).replace(/[\s-]/g, '').toUpperCase())).toString('hex');
		const c = st.codes.find((x) => x.hash === h);
		if (!c || c.used || c.revoked || c.expires < Date.now()) throw new Fail('ENROL_CODE_INVALID', 'code');
		return c;
	}

	function needSession(s, roles) {
		if (!s) throw new Fail('NOT_LOGGED_IN');
		if (roles === 'delegate' ? s.kind !== 'delegate' : s.kind !== 'account' || !roles.includes(st.accounts.find((a) => a.id === s.account_id).role)) throw new Fail('FORBIDDEN');
	}

	function newSession(res, data) {
		const sid = rand(32).toString('hex');
		const csrf = rand(32).toString('hex');
		st.sessions.set(sid, { ...data, csrf });
		res.setHeader('Set-Cookie', `ngo_vote_session=${sid}; Path=/; HttpOnly; SameSite=Strict`);
		return csrf;
	}

	const routes = [
		['POST', /^\/api\/setup$/, (q) => {
			const { token, password } = q.json;
			const t = st.setupTokens.get(token);
			if (!t || t.expires < Date.now()) throw new Fail('SETUP_TOKEN_INVALID', 'token');
			if (typeof password !== 'string' || [...password].length < 12) throw new Fail('PASSWORD_TOO_SHORT', 'password');
			st.setupTokens.delete(token);
			const a = st.accounts.find((x) => x.id === t.account_id);
			a.password = password;
			audit(a.email, 'account.password_set', a.email);
			return [200, { email: a.email, role: a.role }];
		}, { public: true }],
		['POST', /^\/api\/login$/, (q, res) => {
			const { email, password } = q.json;
			const fails = st.loginFails.get(email) || 0;
			if (fails >= 5) throw new Fail('RATE_LIMITED', null, { retryAfter: 30 });
			const a = st.accounts.find((x) => x.email === email && x.active && x.password !== null);
			if (!a || a.password !== password) {
				st.loginFails.set(email, fails + 1);
				throw new Fail('BAD_CREDENTIALS');
			}
			st.loginFails.delete(email);
			if (q.sid) st.sessions.delete(q.sid);
			const csrf = newSession(res, { kind: 'account', account_id: a.id });
			audit(a.email, 'session.login', a.email);
			return [200, { kind: 'account', role: a.role, email: a.email, csrf_token: csrf }];
		}, { public: true }],
		['POST', /^\/api\/logout$/, (q, res) => {
			if (q.sid) st.sessions.delete(q.sid);
			res.setHeader('Set-Cookie', 'ngo_vote_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
			return [200, {}];
		}, { noBody: true }],
		['GET', /^\/api\/session$/, (q) => {
			const s = q.session;
			if (!s) throw new Fail('NOT_LOGGED_IN');
			if (s.kind === 'delegate') return [200, { kind: 'delegate', ngo_id: s.ngo_id, csrf_token: s.csrf }];
			const a = st.accounts.find((x) => x.id === s.account_id);
			return [200, { kind: 'account', role: a.role, email: a.email, csrf_token: s.csrf }];
		}],
		['GET', /^\/api\/accounts$/, (q) => {
			needSession(q.session, ['secretariat']);
			return [200, { accounts: st.accounts.map((a) => ({ id: a.id, email: a.email, role: a.role, active: a.active, has_password: a.password !== null })) }];
		}],
		['POST', /^\/api\/accounts$/, (q) => {
			needSession(q.session, ['secretariat']);
			const { email, role } = q.json;
			if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new Fail('EMAIL_INVALID', 'email');
			if (role !== 'secretariat' && role !== 'auditor') throw new Fail('ROLE_INVALID', 'role');
			if (st.accounts.some((a) => a.email === email)) throw new Fail('ACCOUNT_EXISTS', 'email');
			const a = { id: nextAccount++, email, role, active: true, password: null };
			st.accounts.push(a);
			const token = rand(32).toString('hex');
			st.setupTokens.set(token, { account_id: a.id, expires: Date.now() + 86400e3 });
			audit(actorOf(q.session), 'account.create', email, role);
			return [201, { id: a.id, setup_url: `${origin}/setup#token=${token}` }];
		}],
		['POST', /^\/api\/accounts\/([^/]+)\/deactivate$/, (q, res, m) => {
			needSession(q.session, ['secretariat']);
			const a = st.accounts.find((x) => String(x.id) === m[1]);
			if (!a) throw new Fail('ACCOUNT_NOT_FOUND');
			if (a.id === q.session.account_id) throw new Fail('CANNOT_DEACTIVATE_SELF');
			a.active = false;
			for (const [k, s] of st.sessions) if (s.account_id === a.id) st.sessions.delete(k);
			audit(actorOf(q.session), 'account.deactivate', a.email);
			return [200, {}];
		}, { noBody: true }],
		['GET', /^\/api\/audit-log$/, (q) => {
			needSession(q.session, ['secretariat', 'auditor']);
			const limit = Math.min(Number(q.query.get('limit')) || 100, 1000);
			return [200, { entries: st.audit.slice(0, limit) }];
		}],
		['GET', /^\/api\/ngos$/, () => [200, { ngos: [...st.ngos.values()].map((n) => ngoView(n, false)) }], { public: true }],
		['GET', /^\/api\/admin\/ngos$/, (q) => {
			needSession(q.session, ['secretariat', 'auditor']);
			return [200, { ngos: [...st.ngos.values()].map((n) => ngoView(n, true)) }];
		}],
		['POST', /^\/api\/admin\/ngos$/, (q) => {
			needSession(q.session, ['secretariat']);
			checkNgo(q.json, true);
			if (st.ngos.has(q.json.id)) throw new Fail('NGO_EXISTS', 'id');
			const n = { id: q.json.id, active: true, key: null };
			for (const k of NGO_FIELDS) n[k] = q.json[k];
			st.ngos.set(n.id, n);
			audit(actorOf(q.session), 'ngo.create', n.id);
			return [201, ngoView(n, true)];
		}],
		['GET', /^\/api\/admin\/ngos\/export$/, (q, res) => {
			needSession(q.session, ['secretariat', 'auditor']);
			const lines = [CSV_HEADER.join(',')];
			for (const n of st.ngos.values()) lines.push(CSV_HEADER.map((k) => csvCell(n[k] || '')).join(','));
			res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="ngos.csv"' });
			res.end(lines.join('\r\n') + '\r\n');
			return null;
		}],
		['POST', /^\/api\/admin\/ngos\/import$/, (q) => {
			needSession(q.session, ['secretariat']);
			const rows = parseCsv(q.body.toString('utf8'));
			const errors = [];
			if (!rows.length || rows[0].join(',') !== CSV_HEADER.join(',')) errors.push({ row: 1, field: '', error: 'CSV_HEADER', message: 'The first line must be the header ' + CSV_HEADER.join(',') });
			const seen = new Set();
			const parsed = [];
			rows.slice(1).forEach((r, i) => {
				const row = i + 2;
				if (r.length !== CSV_HEADER.length) return errors.push({ row, field: '', error: 'CSV_COLUMNS', message: `expected ${CSV_HEADER.length} columns, got ${r.length}` });
				const f = Object.fromEntries(CSV_HEADER.map((k, j) => [k, r[j]]));
				try {
					checkNgo(f, true);
					if (st.ngos.has(f.id) || seen.has(f.id)) throw new Fail('NGO_EXISTS', 'id');
				} catch (e) {
					return errors.push({ row, field: e.field || '', error: e.errName, message: `${e.errName} in ${e.field}` });
				}
				seen.add(f.id);
				parsed.push(f);
			});
			if (errors.length) throw new Fail('CSV_INVALID', null, { body: { errors } });
			for (const f of parsed) st.ngos.set(f.id, { ...f, active: true, key: null });
			audit(actorOf(q.session), 'ngo.import', '', String(parsed.length));
			return [200, { imported: parsed.length }];
		}, { csv: true }],
		['PUT', /^\/api\/admin\/ngos\/([^/]+)$/, (q, res, m) => {
			needSession(q.session, ['secretariat']);
			const n = st.ngos.get(decodeURIComponent(m[1]));
			if (!n) throw new Fail('NGO_NOT_FOUND');
			checkNgo(q.json, false);
			for (const k of NGO_FIELDS) n[k] = q.json[k];
			audit(actorOf(q.session), 'ngo.update', n.id);
			return [200, ngoView(n, true)];
		}],
		['POST', /^\/api\/admin\/ngos\/([^/]+)\/(activate|deactivate)$/, (q, res, m) => {
			needSession(q.session, ['secretariat']);
			const n = st.ngos.get(decodeURIComponent(m[1]));
			if (!n) throw new Fail('NGO_NOT_FOUND');
			n.active = m[2] === 'activate';
			audit(actorOf(q.session), 'ngo.' + m[2], n.id);
			return [200, {}];
		}, { noBody: true }],
		['POST', /^\/api\/admin\/ngos\/([^/]+)\/enrolment-code$/, (q, res, m) => {
			needSession(q.session, ['secretariat']);
			const n = st.ngos.get(decodeURIComponent(m[1]));
			if (!n) throw new Fail('NGO_NOT_FOUND');
			if (!n.active) throw new Fail('NGO_INACTIVE');
			for (const c of st.codes) if (c.ngo_id === n.id && !c.used) c.revoked = true;
			const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
			const raw = [...rand(22)].map((b) => alphabet[b % 32]).join('');
			const code = raw.match(/.{1,4}/g).join('-');
			const expires = Date.now() + 14 * 86400e3;
			st.codes.push({ ngo_id: n.id, hash: sha256(Buffer.from(raw)).toString('hex'), expires, used: false, revoked: false });
			audit(actorOf(q.session), 'enrolment_code.issue', n.id);
			return [201, { code, expires_at: iso(expires), enrol_url: `${origin}/enroll` }];
		}, { noBody: true }],
		['POST', /^\/api\/admin\/ngos\/([^/]+)\/enrolment-code\/revoke$/, (q, res, m) => {
			needSession(q.session, ['secretariat']);
			const id = decodeURIComponent(m[1]);
			const open = st.codes.filter((c) => c.ngo_id === id && !c.used && !c.revoked && c.expires > Date.now());
			if (!open.length) throw new Fail('NO_CODE_OUTSTANDING');
			for (const c of open) c.revoked = true;
			audit(actorOf(q.session), 'enrolment_code.revoke', id);
			return [200, {}];
		}, { noBody: true }],
		['POST', /^\/api\/enrol\/check$/, (q) => {
			const c = findCode(q.json.code);
			const n = st.ngos.get(c.ngo_id);
			return [200, { ngo_id: n.id, name_en: n.name_en, name_km: n.name_km }];
		}, { public: true }],
		['POST', /^\/api\/enrol$/, (q) => {
			const c = findCode(q.json.code);
			const pk = q.json.public_key;
			if (typeof pk !== 'string' || !/^[0-9a-f]{64}$/.test(pk)) throw new Fail('KEY_INVALID', 'public_key');
			const raw = Buffer.from(pk, 'hex');
			if ([...st.ngos.values()].some((n) => n.key && n.key.equals(raw))) throw new Fail('KEY_IN_USE', 'public_key');
			c.used = true;
			const n = st.ngos.get(c.ngo_id);
			n.key = raw;
			audit('ngo:' + n.id, 'ngo.enrol', n.id, sha256(raw).subarray(0, 16).toString('hex'));
			return [201, { ngo_id: n.id, fingerprint: sha256(raw).subarray(0, 16).toString('hex') }];
		}, { public: true }],
		['POST', /^\/api\/delegate\/nonce$/, (q) => {
			const n = st.ngos.get(q.json.ngo_id);
			if (!n) throw new Fail('NGO_NOT_FOUND', 'ngo_id');
			const nonce = rand(32).toString('hex');
			const expires = Date.now() + 120e3;
			st.nonces.set(nonce, { ngo_id: n.id, expires });
			return [200, { nonce, origin, expires_at: iso(expires) }];
		}, { public: true }],
		['POST', /^\/api\/delegate\/login$/, (q, res) => {
			const { ngo_id, nonce, signature } = q.json;
			const rec = st.nonces.get(nonce);
			st.nonces.delete(nonce);
			if (!rec || rec.ngo_id !== ngo_id || rec.expires < Date.now()) throw new Fail('NONCE_INVALID', 'nonce');
			const n = st.ngos.get(ngo_id);
			if (!n.key) throw new Fail('NGO_NOT_ENROLLED');
			const body = Buffer.concat([Buffer.from(nonce, 'hex'), str(origin)]);
			if (typeof signature !== 'string' || !/^[0-9a-f]{128}$/.test(signature) || !ed25519Verify(n.key, signingMessage('login', body), Buffer.from(signature, 'hex'))) throw new Fail('LOGIN_SIGNATURE_INVALID', 'signature');
			if (q.sid) st.sessions.delete(q.sid);
			const csrf = newSession(res, { kind: 'delegate', ngo_id });
			return [200, { kind: 'delegate', ngo_id, csrf_token: csrf }];
		}, { public: true }],
		['GET', /^\/api\/delegate\/me$/, (q) => {
			needSession(q.session, 'delegate');
			const n = st.ngos.get(q.session.ngo_id);
			const v = ngoView(n, false);
			return [200, { ngo: { id: v.id, name_en: v.name_en, name_km: v.name_km, active: v.active, fingerprint: v.fingerprint }, elections: [] }];
		}],
	];

	function sendJson(res, status, obj) {
		res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
		res.end(JSON.stringify(obj));
	}

	function serveStatic(req, res, url) {
		let p = decodeURIComponent(url.pathname);
		if (p.split('/').some((s) => s.startsWith('.'))) return sendJson(res, 404, { code: 1100, name: 'NOT_FOUND', hint: 'nothing here' });
		if (p.endsWith('/')) p += 'index.html';
		let file = path.join(staticDir, p);
		if (!fs.existsSync(file) && !path.extname(file)) file += '.html';
		if (!file.startsWith(staticDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return sendJson(res, 404, { code: 1100, name: 'NOT_FOUND', hint: 'nothing here' });
		res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' });
		res.end(fs.readFileSync(file));
	}

	const server = http.createServer((req, res) => {
		res.setHeader('Content-Security-Policy', CSP);
		res.setHeader('X-Content-Type-Options', 'nosniff');
		res.setHeader('Referrer-Policy', 'no-referrer');
		res.setHeader('X-Frame-Options', 'DENY');
		res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
		const url = new URL(req.url, origin);
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			if (!url.pathname.startsWith('/api/')) {
				if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { code: 1101, name: 'METHOD_NOT_ALLOWED', hint: '' });
				return serveStatic(req, res, url);
			}
			const cookie = /(?:^|;\s*)ngo_vote_session=([0-9a-f]+)/.exec(req.headers.cookie || '');
			const sid = cookie ? cookie[1] : null;
			const q = { sid, session: sid ? st.sessions.get(sid) || null : null, query: url.searchParams, body: Buffer.concat(chunks), json: null };
			try {
				let found = null, m = null, other = false;
				for (const r of routes) {
					const mm = r[1].exec(url.pathname);
					if (!mm) continue;
					if (r[0] === req.method) { found = r; m = mm; break; }
					other = true;
				}
				if (!found) throw new Fail(other ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND');
				const opts = found[3] || {};
				if (req.method !== 'GET') {
					// CSRF: same-origin fetch metadata and, with a session, the token.
					const site = req.headers['sec-fetch-site'];
					if (site && site !== 'same-origin') throw new Fail('CSRF_FAILED');
					if (q.session && !opts.public && req.headers['x-csrf-token'] !== q.session.csrf) throw new Fail('CSRF_FAILED');
					const type = req.headers['content-type'] || '';
					if (opts.csv) {
						if (!type.startsWith('text/csv')) throw new Fail('UNSUPPORTED_MEDIA_TYPE');
					} else if (opts.noBody) {
						if (q.body.length) throw new Fail('BODY_NOT_ALLOWED');
					} else {
						if (!type.startsWith('application/json')) throw new Fail('UNSUPPORTED_MEDIA_TYPE');
						try {
							q.json = JSON.parse(q.body.toString('utf8'));
						} catch {
							throw new Fail('JSON_MALFORMED');
						}
						if (!q.json || typeof q.json !== 'object' || Array.isArray(q.json)) throw new Fail('JSON_MALFORMED');
					}
				}
				const out = found[2](q, res, m);
				if (out) sendJson(res, out[0], out[1]);
			} catch (e) {
				if (!(e instanceof Fail)) {
					console.error(e);
					return sendJson(res, 500, { code: 1000, name: 'INTERNAL_ERROR', hint: 'mock failure' });
				}
				if (e.extra && e.extra.retryAfter) res.setHeader('Retry-After', String(e.extra.retryAfter));
				const body = { code: 0, name: e.errName, hint: `mock: ${e.errName}` };
				if (e.field) body.field = e.field;
				Object.assign(body, e.extra && e.extra.body);
				sendJson(res, ERRORS[e.errName] || 400, body);
			}
		});
	});

	return new Promise((resolve) => {
		server.listen(port, '127.0.0.1', () => {
			origin = `http://127.0.0.1:${server.address().port}`;
			resolve({ url: origin + '/', origin, createAdmin, state: st, close: () => new Promise((r) => server.close(r)) });
		});
	});
}

// `node tests/e2e/mock-server.mjs [port]` serves the mock for manual work.
if (import.meta.url === `file://${process.argv[1]}`) {
	const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../static');
	const m = await startMock({ staticDir: dir, port: Number(process.argv[2] || 8081) });
	console.log(`listening on ${m.url}`);
	console.log(`setup link: ${m.createAdmin('admin@example.org')}`);
}
