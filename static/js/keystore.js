// keystore.js -- the NGO's Ed25519 key in this browser: a non-extractable
// CryptoKey in IndexedDB (a CryptoKey is structured-cloneable), used to
// sign. Creating keys and the encrypted backup file are in backup.js, so
// that the voting page loads only this.

import { toHex } from './protocol.js';

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
