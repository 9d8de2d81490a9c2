// encrypt.mjs -- secret-ballot benchmark (issue 8), the voter's side: how
// long the voting page's own code (static/js/secret_ballot.js encryptBallot,
// with the CSPRNG, on the noble bundle static/vendor/noble.js) takes to
// encrypt and prove one 6 × 5 ballot (0..2 selections per contest), in Node.
//
//   node bench/secret/encrypt.mjs [RECORD.jsonl] [N]
//
// Y and election_hash come from the record's key-ceremony events as the
// voting page gets them (static/js/election_key.js secretElection); without a
// readable record, from the spec's vectors (tests/spec/vectors.txt). The voter
// keys are the record's roll; the choices those of gen_secret_record.c.
// Two ballots are built first and not counted (JIT, Y's precomputed table);
// then N ballots (default 50, or BENCH_ENCRYPT_N) are timed one by one and
// the last is checked with verifyBallot. Prints `ours.node_encrypt_ms_per_ballot X`:
// the process's CPU time (user+sys) over the N ballots / N, which other work on
// a shared machine barely moves; and the wall times per ballot (median, mean),
// which it does (`ours.node_encrypt_wall_median_ms`, `..._wall_mean_ms`).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as sb from '../../static/js/secret_ballot.js';
import { secretElection } from '../../static/js/election_key.js';
import { fromHex, toHex } from '../../static/js/protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RECORD = process.argv[2] || path.join(ROOT, 'build/bench/secret-10000.jsonl');
const N = Number(process.argv[3] || process.env.BENCH_ENCRYPT_N || 50);
if (!Number.isInteger(N) || N < 1) throw new RangeError(`N must be a positive integer: ${process.argv[3]}`);

// The record up to its open event: manifest and key ceremony (the ballots
// after it are not read).
async function ceremonyOf(file) {
	const events = [];
	const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
	for await (const line of rl) {
		const l = JSON.parse(line);
		if (!l.type) continue;
		if (l.type === 'open') break;
		events.push({ type: l.type, data: l.data });
	}
	rl.close();
	if (events[0]?.type !== 'manifest') throw new Error(`${file}: no manifest event`);
	return secretElection(fromHex(events[0].data), events);
}

function fromVectors() {
	const V = Object.fromEntries(
		fs
			.readFileSync(path.join(ROOT, 'tests/spec/vectors.txt'), 'utf8')
			.split('\n')
			.filter((l) => l && !l.startsWith('#'))
			.map((l) => l.split(' = ')),
	);
	return { Y: fromHex(V['secret.dkg.Y']), electionHash: fromHex(V['secret.election.hash']), manifest: null };
}

// gen_secret_record.c's choices: MurmurHash3's finaliser per (voter, contest).
function mix32(x) {
	x = (x ^ (x >>> 16)) >>> 0;
	x = Math.imul(x, 0x85ebca6b) >>> 0;
	x = (x ^ (x >>> 13)) >>> 0;
	x = Math.imul(x, 0xc2b2ae35) >>> 0;
	return (x ^ (x >>> 16)) >>> 0;
}
function choicesOf(k, contests) {
	return contests.map((shape, c) => {
		const r = mix32((k * contests.length + c + 1) >>> 0);
		const count = r % 3;
		const a = Math.floor(r / 3) % 5;
		const z = Math.floor(r / 15) % 5;
		const m = new Array(shape.n).fill(0);
		if (count >= 1) m[a] = 1;
		if (count === 2) m[a === z ? (a + 1) % 5 : z] = 1;
		return m;
	});
}

let source = RECORD;
let e;
try {
	fs.accessSync(RECORD, fs.constants.R_OK);
	e = await ceremonyOf(RECORD);
} catch (err) {
	if (err.code !== 'ENOENT') throw err;
	source = 'tests/spec/vectors.txt (no record at ' + RECORD + ')';
	e = fromVectors();
}
const contests = e.manifest ? sb.ballotShape(e.manifest) : Array.from({ length: 6 }, () => ({ n: 5, min: 0, max: 2 }));
const roll = e.manifest ? e.manifest.voters.map((v) => v.pk) : [toHex(new Uint8Array(32).fill(7))];
const { Y, electionHash } = e;

const ballot = (k) =>
	sb.encryptBallot({ electionHash, Y, voterPk: fromHex(roll[k % roll.length], 32), seq: 1, contests, choices: choicesOf(k, contests) });

const t0 = performance.now();
ballot(0);
const cold = performance.now() - t0;
ballot(1);
const times = [];
const cpu0 = process.cpuUsage();
let body;
for (let k = 0; k < N; k++) {
	const t = performance.now();
	body = ballot(k + 2);
	times.push(performance.now() - t);
}
const cpu = process.cpuUsage(cpu0);
const check = sb.verifyBallot({ electionHash, Y, contests, roll: [roll[(N + 1) % roll.length]] }, body);
if (!check.ok) throw new Error(`the last ballot does not verify: ${check.error}`);

times.sort((a, b) => a - b);
const mean = times.reduce((s, x) => s + x, 0) / N;
const shape = contests.map((k) => `${k.n}:${k.min}..${k.max}`).join(' ');
console.log(`node ${process.version}; Y and election_hash from ${source}; contests ${shape}; body ${body.length} bytes`);
console.log(`encrypted ${N} ballots: mean ${mean.toFixed(1)} ms, median ${times[N >> 1].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[N - 1].toFixed(1)} ms; first (cold) ${cold.toFixed(0)} ms; CPU ${((cpu.user + cpu.system) / 1000 / N).toFixed(1)} ms per ballot`);
console.log(`ours.node_encrypt_ms_per_ballot ${((cpu.user + cpu.system) / 1000 / N).toFixed(1)}`);
console.log(`ours.node_encrypt_wall_median_ms ${times[N >> 1].toFixed(1)}`);
console.log(`ours.node_encrypt_wall_mean_ms ${mean.toFixed(1)}`);
