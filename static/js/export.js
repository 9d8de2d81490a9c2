// export.js -- results as files made in the browser: the server's result
// object as JSON, and a CSV (one row per candidate) for spreadsheets.
import { el } from './ui.js';

function download(filename, type, text) {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const a = el('a', { href: url, download: filename, class: 'visually-hidden', text: filename });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// RFC 4180 quoting; a leading = + - @ is defused so that a spreadsheet
// never runs an NGO's name as a formula.
function cell(v) {
	let s = v === null || v === undefined ? '' : String(v);
	if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
	return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function resultCsv(result) {
	const rows = [['contest_id', 'contest_en', 'contest_km', 'seats', 'candidate_id', 'name_en', 'name_km', 'votes', 'elected', 'elected_rank', 'decided_by_lot', 'vacant_seats']];
	for (const c of result.contests || []) {
		const order = c.elected || [];
		for (const k of c.candidates || []) {
			const rank = order.indexOf(k.id);
			rows.push([c.id, c.title && c.title.en, c.title && c.title.km, c.seats, k.id, k.name && k.name.en, k.name && k.name.km, k.votes, k.elected ? 'yes' : 'no', rank >= 0 ? rank + 1 : '', c.lot ? 'yes' : 'no', c.vacant]);
		}
	}
	// UTF-8 with a BOM so that spreadsheet programs read the Khmer names right.
	return '\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function downloadResultJson(id, result) {
	download(`result-${id}.json`, 'application/json', JSON.stringify(result, null, 2) + '\n');
}

export function downloadResultCsv(id, result) {
	download(`result-${id}.csv`, 'text/csv;charset=utf-8', resultCsv(result));
}
