// backup.js -- creating the NGO's key and its encrypted backup file.
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
import { KeyError, importNonExtractable, sign } from './keystore.js';

export * from './keystore.js';

export const BACKUP_FORMAT = 'ngo-vote/key-backup/v1';
export const PBKDF2_ITERATIONS = 600000;
const MAX_ITERATIONS = 10000000; // refuse files that would hang the page
const ED = { name: 'Ed25519' };

export async function generateExtractable() {
	const pair = await crypto.subtle.generateKey(ED, true, ['sign', 'verify']);
	const publicRaw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
	return { privateKey: pair.privateKey, publicRaw };
}

export async function exportPkcs8(privateKey) {
	return new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey));
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

