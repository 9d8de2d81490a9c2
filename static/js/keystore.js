// keystore.js -- the NGO's Ed25519 key in this browser.
//
// Life of a key: generated extractable only long enough to export PKCS#8
// for the encrypted backup file; then re-imported NON-extractable, stored
// in IndexedDB (a CryptoKey is structured-cloneable), and the PKCS#8 bytes
// are overwritten with zeros.
//
// Backup file (JSON):
//   {"format":"ngo-vote/key-backup/v1","ngo_id","public_key":hex(32),
//    "kdf":"PBKDF2-SHA256","iterations":600000,"salt":hex(16),"iv":hex(12),
//    "ciphertext":hex}
// ciphertext = AES-256-GCM(key = PBKDF2-HMAC-SHA256(NFC(passphrase), salt,
// iterations), iv, PKCS#8 private key), no additional data. On restore the
// decrypted key must sign something that public_key verifies.

import { toHex, fromHex, utf8 } from './protocol.js';

export const BACKUP_FORMAT = 'ngo-vote/key-backup/v1';
export const PBKDF2_ITERATIONS = 600000;
const MAX_ITERATIONS = 10000000; // refuse files that would hang the page
const DB_NAME = 'ngo-vote';
const DB_VERSION = 1;
const STORE = 'keys';
const ED = { name: 'Ed25519' };

export class KeyError extends Error {
	constructor(name) {
		super(name);
		this.errorName = name;
	}

	get i18nKey() {
		return 'error.' + this.errorName;
	}
}

// WebCrypto needs a secure context (https or 127.0.0.1/localhost) and a
// browser with Ed25519 (Chromium 137+, Firefox 129+, Safari 17+).
export async function support() {
	if (!globalThis.isSecureContext || !globalThis.crypto || !crypto.subtle) return 'INSECURE_CONTEXT';
	if (!globalThis.indexedDB) return 'NO_INDEXEDDB';
	try {
		await crypto.subtle.generateKey(ED, false, ['sign', 'verify']);
	} catch {
		return 'NO_ED25519';
	}
	return null;
}

export async function generateExtractable() {
	const pair = await crypto.subtle.generateKey(ED, true, ['sign', 'verify']);
	const publicRaw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
	return { privateKey: pair.privateKey, publicRaw };
}

export async function exportPkcs8(privateKey) {
	return new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey));
}

// Imports PKCS#8 as a non-extractable signing key and wipes the bytes.
export async function importNonExtractable(pkcs8) {
	try {
		return await crypto.subtle.importKey('pkcs8', pkcs8, ED, false, ['sign']);
	} catch {
		throw new KeyError('BACKUP_INVALID');
	} finally {
		pkcs8.fill(0);
	}
}

export async function sign(privateKey, message) {
	return new Uint8Array(await crypto.subtle.sign(ED, privateKey, message));
}

// Does privateKey belong to publicRaw? Signs a random challenge and verifies.
export async function matches(privateKey, publicRaw) {
	const challenge = crypto.getRandomValues(new Uint8Array(32));
	const pub = await crypto.subtle.importKey('raw', publicRaw, ED, false, ['verify']);
	return crypto.subtle.verify(ED, pub, await sign(privateKey, challenge), challenge);
}

async function passphraseKey(passphrase, salt, iterations) {
	const pw = utf8(String(passphrase).normalize('NFC'));
	const base = await crypto.subtle.importKey('raw', pw, 'PBKDF2', false, ['deriveKey']);
	pw.fill(0);
	return crypto.subtle.deriveKey(
		{ name: 'PBKDF2', salt, iterations, hash: 'SHA-256' },
		base,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt'],
	);
}

export async function encryptBackup({ pkcs8, passphrase, ngoId, publicRaw }) {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const key = await passphraseKey(passphrase, salt, PBKDF2_ITERATIONS);
	const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, pkcs8));
	return {
		format: BACKUP_FORMAT,
		ngo_id: ngoId,
		public_key: toHex(publicRaw),
		kdf: 'PBKDF2-SHA256',
		iterations: PBKDF2_ITERATIONS,
		salt: toHex(salt),
		iv: toHex(iv),
		ciphertext: toHex(ct),
	};
}

// Parses and checks the shape of a backup file's text.
export function parseBackup(text) {
	let b;
	try {
		b = JSON.parse(text);
	} catch {
		throw new KeyError('BACKUP_INVALID');
	}
	const hex = (v, len) => {
		try {
			return fromHex(v, len);
		} catch {
			throw new KeyError('BACKUP_INVALID');
		}
	};
	if (!b || typeof b !== 'object' || b.format !== BACKUP_FORMAT || b.kdf !== 'PBKDF2-SHA256') throw new KeyError('BACKUP_INVALID');
	if (typeof b.ngo_id !== 'string' || !/^[a-z0-9_-]{1,64}$/.test(b.ngo_id)) throw new KeyError('BACKUP_INVALID');
	if (!Number.isInteger(b.iterations) || b.iterations < PBKDF2_ITERATIONS || b.iterations > MAX_ITERATIONS) throw new KeyError('BACKUP_INVALID');
	const ct = hex(b.ciphertext);
	if (ct.length < 17) throw new KeyError('BACKUP_INVALID');
	return {
		ngoId: b.ngo_id,
		publicRaw: hex(b.public_key, 32),
		iterations: b.iterations,
		salt: hex(b.salt),
		iv: hex(b.iv, 12),
		ciphertext: ct,
	};
}

// Decrypts a parsed backup: the non-extractable private key, checked
// against the file's public key.
export async function restoreBackup(parsed, passphrase) {
	const key = await passphraseKey(passphrase, parsed.salt, parsed.iterations);
	let pkcs8;
	try {
		pkcs8 = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: parsed.iv }, key, parsed.ciphertext));
	} catch {
		throw new KeyError('BACKUP_PASSPHRASE_WRONG');
	}
	const privateKey = await importNonExtractable(pkcs8);
	if (!(await matches(privateKey, parsed.publicRaw))) throw new KeyError('BACKUP_KEY_MISMATCH');
	return privateKey;
}

// --- IndexedDB -----------------------------------------------------------
// Records: {public_key (hex, the key path), ngo_id, private_key (CryptoKey),
//           created_at, enrolled_at (ISO or null), source}

function openDb() {
	return new Promise((resolve, reject) => {
		const req = indexedDB.open(DB_NAME, DB_VERSION);
		req.onupgradeneeded = () => {
			const db = req.result;
			if (!db.objectStoreNames.contains(STORE)) {
				const st = db.createObjectStore(STORE, { keyPath: 'public_key' });
				st.createIndex('ngo_id', 'ngo_id', { unique: false });
			}
		};
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(new KeyError('KEYSTORE_UNAVAILABLE'));
		req.onblocked = () => reject(new KeyError('KEYSTORE_UNAVAILABLE'));
	});
}

async function tx(mode, fn) {
	const db = await openDb();
	try {
		return await new Promise((resolve, reject) => {
			const t = db.transaction(STORE, mode);
			const st = t.objectStore(STORE);
			let result;
			const req = fn(st);
			if (req) req.onsuccess = () => (result = req.result);
			t.oncomplete = () => resolve(result);
			t.onerror = () => reject(new KeyError('KEYSTORE_UNAVAILABLE'));
			t.onabort = () => reject(new KeyError('KEYSTORE_UNAVAILABLE'));
		});
	} finally {
		db.close();
	}
}

export async function saveKey({ ngoId, privateKey, publicRaw, source, enrolledAt = null }) {
	if (privateKey.extractable) throw new KeyError('KEY_EXTRACTABLE');
	const rec = {
		public_key: toHex(publicRaw),
		ngo_id: ngoId,
		private_key: privateKey,
		created_at: new Date().toISOString(),
		enrolled_at: enrolledAt,
		source,
	};
	await tx('readwrite', (st) => st.put(rec));
	return rec;
}

export async function markEnrolled(publicHex) {
	await tx('readwrite', (st) => {
		const req = st.get(publicHex);
		req.onsuccess = () => {
			if (req.result) st.put({ ...req.result, enrolled_at: new Date().toISOString() });
		};
		return null;
	});
}

export async function listKeys() {
	const all = (await tx('readonly', (st) => st.getAll())) || [];
	return all.sort((a, b) => String(b.enrolled_at || b.created_at).localeCompare(String(a.enrolled_at || a.created_at)));
}

export async function deleteKey(publicHex) {
	await tx('readwrite', (st) => st.delete(publicHex));
}
