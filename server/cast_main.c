/*
 * cast_main.c -- ngo-vote-cast: an NGO votes from the command line, for
 * delegates without a browser or on a bad connection.
 *
 * It downloads the election record, decodes the manifest and computes
 * the election hash itself (it does not take the server's word for what
 * it signs), finds the NGO's last seq on the board, builds and signs an
 * open ballot with the NGO's key (the browser's backup file, or a raw
 * seed), posts it, checks the server's receipt signature and saves it.
 * Links core, libsodium, jansson and libcurl (through cli.c) only.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
#include "crypto_backup.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_manifest.h"
#include "protocol_record.h"

#define MAX_CHOICES 64

struct choice {
	const char *contest;
	char *candidates; /* comma-separated ids, or "" for blank */
	char *owned;      /* what to free */
};

struct options {
	const char *server, *election, *key_file, *passphrase_file, *receipt_out;
	struct choice choices[MAX_CHOICES];
	unsigned n_choices;
	unsigned seq; /* 0: one more than the last on the board */
	bool dry_run;
};

static void
usage(FILE *out)
{
	fprintf(out,
	        "Usage: ngo-vote-cast --server URL --election ID --key FILE\n"
	        "                     [--choose CONTEST=CANDIDATE[,CANDIDATE...]]...\n"
	        "                     [--blank CONTEST]... [--passphrase-file FILE] [--seq N]\n"
	        "                     [--receipt-out FILE] [--dry-run]\n\n"
	        "Casts an open (roll-call) ballot: the NGO's choices will be public.\n"
	        "KEY is the backup file the browser saved at enrolment (its passphrase is\n"
	        "read from --passphrase-file, NGO_VOTE_PASSPHRASE, or asked for), or a file\n"
	        "holding the 32-byte Ed25519 seed as 64 hex digits.\n"
	        "Contests not named are cast blank (allowed when their minimum is 0).\n"
	        "The election hash is computed from the record, not taken from the server.\n"
	        "A later run votes again with the next seq (the last ballot counts).\n"
	        "The receipt is saved to --receipt-out (default receipt-ELECTION-N.json).\n"
	        "Exit: 0 cast, 1 refused by the server or failed, 2 usage.\n");
}

/* ---- the key ---- */

/* The key file or the passphrase file: a backup is a few KB. */
#define KEY_FILE_MAX 65536

/* Loads the key into sk (64 bytes, sodium memory). */
static bool
load_key(const struct options *o, uint8_t *sk, uint8_t pk[32])
{
	size_t len = 0;
	char *text = cli_read_file(o->key_file, KEY_FILE_MAX, &len), *pass = NULL, ngo[65];
	uint8_t *seed = sodium_malloc(32);
	const char *why = NULL;
	bool ok = false;

	if (text == NULL || seed == NULL)
		goto out;
	if (text[0] != '{') {
		size_t n = strcspn(text, "\r\n");

		if (!encoding_hex_decode(text, n, seed, 32)) {
			fprintf(stderr,
			        "ngo-vote-cast: %s is neither a backup file nor 64 hex "
			        "digits\n",
			        o->key_file);
			goto out;
		}
	} else {
		pass = sodium_malloc(1024);
		if (pass == NULL ||
		    !cli_passphrase(o->passphrase_file, KEY_FILE_MAX, "NGO_VOTE_PASSPHRASE",
		                    "Passphrase of the key backup: ", NULL, pass, 1024))
			goto out;
		if (!backup_decrypt(text, pass, seed, ngo, &why)) {
			fprintf(stderr, "ngo-vote-cast: %s: %s\n", o->key_file, why);
			goto out;
		}
	}
	ok = crypto_sign_seed_keypair(pk, sk, seed) == 0;
out:
	if (text != NULL) {
		sodium_memzero(text, len);
		free(text);
	}
	if (pass != NULL)
		sodium_free(pass);
	if (seed != NULL)
		sodium_free(seed);
	return ok;
}

/* ---- the record: manifest, election hash, our last seq ---- */

struct board_view {
	struct protocol_manifest *m;
	uint8_t election_hash[64];
	uint32_t last_seq;
	bool open_seen, closed;
};

static bool
read_record(const char *text, size_t len, const uint8_t pk[32], struct board_view *v)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct protocol_record_line l;
		const char *why = NULL;
		char *line = malloc(n + 1);

		if (line == NULL)
			return false;
		memcpy(line, p, n);
		line[n] = '\0';
		if (!protocol_record_parse_line(line, n, &l, &why)) {
			fprintf(stderr, "ngo-vote-cast: the record does not parse: %s\n", why);
			free(line);
			return false;
		}
		free(line);
		if (l.kind == PROTOCOL_RECORD_EVENT && l.type == PROTOCOL_EVENT_MANIFEST) {
			uint8_t mh[64];

			if (!protocol_manifest_decode(l.data, l.data_len, &v->m, &why)) {
				fprintf(stderr, "ngo-vote-cast: the manifest is not valid: %s\n",
				        why);
				protocol_record_line_clear(&l);
				return false;
			}
			protocol_manifest_hash(l.data, l.data_len, mh);
			protocol_election_hash_open(mh, v->election_hash);
		} else if (l.kind == PROTOCOL_RECORD_EVENT && l.type == PROTOCOL_EVENT_OPEN) {
			v->open_seen = true;
		} else if (l.kind == PROTOCOL_RECORD_EVENT && l.type == PROTOCOL_EVENT_CLOSE) {
			v->closed = true;
		} else if (l.kind == PROTOCOL_RECORD_EVENT && l.type == PROTOCOL_EVENT_BALLOT &&
		           l.data_len >= PROTOCOL_BALLOT_HEADER_BYTES + 64 &&
		           memcmp(l.data + 64, pk, 32) == 0) {
			uint32_t seq = encoding_le32_get(l.data + 96);

			if (seq > v->last_seq)
				v->last_seq = seq;
		}
		protocol_record_line_clear(&l);
		p = nl ? nl + 1 : end;
	}
	return v->m != NULL;
}

/* ---- the ballot ---- */

static bool
selections(const struct options *o, const struct protocol_manifest *m, uint32_t *counts,
           uint32_t **indices)
{
	for (uint32_t c = 0; c < m->n_contests; c++) {
		const struct protocol_contest *pc = &m->contests[c];
		const struct choice *ch = NULL;
		char *list, *save = NULL, *tok;

		counts[c] = 0;
		indices[c] = calloc(pc->n_candidates ? pc->n_candidates : 1, sizeof(uint32_t));
		if (indices[c] == NULL)
			return false;
		for (unsigned k = 0; k < o->n_choices; k++)
			if (strcmp(o->choices[k].contest, pc->id) == 0)
				ch = &o->choices[k];
		if (ch == NULL)
			continue;
		list = strdup(ch->candidates);
		if (list == NULL)
			return false;
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			uint32_t i;

			for (i = 0; i < pc->n_candidates; i++)
				if (strcmp(pc->candidates[i].id, tok) == 0)
					break;
			if (i == pc->n_candidates) {
				fprintf(stderr, "ngo-vote-cast: %s is not a candidate in %s\n", tok,
				        pc->id);
				free(list);
				return false;
			}
			if (counts[c] >= pc->n_candidates) {
				free(list);
				return false;
			}
			indices[c][counts[c]++] = i;
		}
		free(list);
		/* the protocol wants indices increasing, each once */
		for (uint32_t a = 1; a < counts[c]; a++)
			for (uint32_t b = a; b > 0 && indices[c][b - 1] > indices[c][b]; b--) {
				uint32_t t = indices[c][b];

				indices[c][b] = indices[c][b - 1];
				indices[c][b - 1] = t;
			}
	}
	for (unsigned k = 0; k < o->n_choices; k++) {
		bool known = false;

		for (uint32_t c = 0; c < m->n_contests; c++)
			known |= strcmp(o->choices[k].contest, m->contests[c].id) == 0;
		if (!known) {
			fprintf(stderr, "ngo-vote-cast: the election has no contest %s\n",
			        o->choices[k].contest);
			return false;
		}
	}
	return true;
}

static bool
parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a];
		const char *val = a + 1 < argc ? argv[a + 1] : NULL;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(arg, "--dry-run") == 0) {
			o->dry_run = true;
			continue;
		}
		if (val == NULL) {
			fprintf(stderr, "ngo-vote-cast: %s needs a value\n", arg);
			return false;
		}
		a++;
		if (strcmp(arg, "--server") == 0)
			o->server = val;
		else if (strcmp(arg, "--election") == 0)
			o->election = val;
		else if (strcmp(arg, "--key") == 0)
			o->key_file = val;
		else if (strcmp(arg, "--passphrase-file") == 0)
			o->passphrase_file = val;
		else if (strcmp(arg, "--receipt-out") == 0)
			o->receipt_out = val;
		else if (strcmp(arg, "--seq") == 0)
			o->seq = (unsigned)strtoul(val, NULL, 10);
		else if ((strcmp(arg, "--choose") == 0 || strcmp(arg, "--blank") == 0) &&
		         o->n_choices < MAX_CHOICES) {
			struct choice *ch = &o->choices[o->n_choices++];
			char *eq;

			ch->candidates = ch->owned = strdup(strcmp(arg, "--blank") == 0 ? "" : val);
			if (ch->candidates == NULL)
				return false;
			if (strcmp(arg, "--blank") == 0) {
				ch->contest = val;
				continue;
			}
			eq = strchr(ch->candidates, '=');
			if (eq == NULL) {
				fprintf(stderr, "ngo-vote-cast: --choose CONTEST=CANDIDATE,...\n");
				return false;
			}
			*eq = '\0';
			ch->contest = ch->candidates;
			ch->candidates = eq + 1;
		} else {
			fprintf(stderr, "ngo-vote-cast: unknown option %s\n", arg);
			return false;
		}
	}
	if (o->server == NULL || o->election == NULL || o->key_file == NULL) {
		usage(stderr);
		return false;
	}
	return protocol_id_valid(o->election, strlen(o->election));
}

int
main(int argc, char **argv)
{
	struct options o;
	struct board_view v = {0};
	struct cli_response r = {0};
	struct encoding_buf body;
	uint8_t *sk = NULL, pk[32], hash[64], sig[64];
	uint32_t counts[64] = {0}, *indices[64] = {NULL};
	char url[2048], *bhex = NULL, shex[129], *post = NULL;
	struct protocol_receipt rc;
	const char *why = NULL;
	int ret = 1;
	long status;

	encoding_buf_init(&body);
	if (!parse_args(argc, argv, &o))
		return 2;
	if (sodium_init() < 0 || !cli_init("ngo-vote-cast"))
		return 1;
	sk = sodium_malloc(64);
	if (sk == NULL || !load_key(&o, sk, pk))
		goto out;
	cli_election_url(o.server, o.election, "record", url, sizeof(url));
	status = cli_http(url, NULL, &r);
	if (status != 200) {
		fprintf(stderr, "ngo-vote-cast: cannot fetch the record (HTTP %ld): %.300s\n",
		        status, r.data ? r.data : "");
		goto out;
	}
	if (!read_record(r.data, r.len, pk, &v))
		goto out;
	if (!v.open_seen || v.closed) {
		fprintf(stderr, "ngo-vote-cast: voting is %s\n", v.closed ? "closed" : "not open");
		goto out;
	}
	if (protocol_manifest_voter_find(v.m, pk) < 0) {
		fprintf(stderr, "ngo-vote-cast: this key is not on the election's roll\n");
		goto out;
	}
	if (v.m->n_contests > 64 || !selections(&o, v.m, counts, indices))
		goto out;
	if (o.seq == 0)
		o.seq = v.last_seq + 1;
	protocol_ballot_build(v.election_hash, pk, o.seq, v.m->n_contests, counts,
	                      (const uint32_t *const *)indices, &body);
	if (body.failed)
		goto out;
	protocol_ballot_hash(body.data, body.len, hash);
	if (!protocol_ballot_sign(sk, hash, sig))
		goto out;
	bhex = encoding_hex_encode_alloc(body.data, body.len);
	encoding_hex_encode(sig, 64, shex);
	post = malloc(strlen(bhex) + 200);
	if (bhex == NULL || post == NULL)
		goto out;
	sprintf(post, "{\"body\":\"%s\",\"signature\":\"%s\"}", bhex, shex);
	encoding_hex_encode(hash, 16, url);
	printf("ballot seq %u, tracking code %s...\n", o.seq, url);
	if (o.dry_run) {
		printf("%s\n", post);
		ret = 0;
		goto out;
	}
	cli_response_free(&r);
	cli_election_url(o.server, o.election, "ballots", url, sizeof(url));
	status = cli_http(url, post, &r);
	if (status != 201) {
		fprintf(stderr, "ngo-vote-cast: the server refused the ballot (HTTP %ld): %.500s\n",
		        status, r.data ? r.data : "");
		goto out;
	}
	{
		json_t *j = json_loads(r.data, 0, NULL);
		char *rtext = j ? json_dumps(json_object_get(j, "receipt"), JSON_COMPACT) : NULL;
		char path[1100];
		FILE *f;

		json_decref(j);
		if (rtext == NULL || !protocol_receipt_from_json(rtext, strlen(rtext), &rc, &why) ||
		    !protocol_receipt_verify(v.m->server_pk, &rc) ||
		    memcmp(rc.ballot_hash, hash, 64) != 0 ||
		    memcmp(rc.election_hash, v.election_hash, 64) != 0) {
			fprintf(stderr,
			        "ngo-vote-cast: the server's receipt is not valid (%s); "
			        "keep this output as evidence\n",
			        why ? why : "bad signature or wrong ballot");
			free(rtext);
			goto out;
		}
		if (o.receipt_out != NULL)
			snprintf(path, sizeof(path), "%s", o.receipt_out);
		else
			snprintf(path, sizeof(path), "receipt-%s-%u.json", o.election, rc.n);
		free(rtext);
		rtext = protocol_receipt_to_json(&rc);
		f = fopen(path, "w");
		if (f == NULL || rtext == NULL || fputs(rtext, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "ngo-vote-cast: cannot save the receipt to %s\n", path);
			free(rtext);
			goto out;
		}
		free(rtext);
		printf("accepted as event %u; receipt saved to %s\n", rc.n, path);
	}
	ret = 0;
out:
	for (unsigned k = 0; k < 64; k++)
		free(indices[k]);
	for (unsigned k = 0; k < o.n_choices; k++)
		free(o.choices[k].owned);
	if (sk != NULL)
		sodium_free(sk);
	protocol_manifest_free(v.m);
	encoding_buf_free(&body);
	free(bhex);
	free(post);
	cli_response_free(&r);
	cli_cleanup();
	return ret;
}
