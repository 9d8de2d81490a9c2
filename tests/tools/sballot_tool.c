/*
 * sballot_tool.c -- the C half of the cross-implementation test of secret
 * ballots (tests/e2e/secret-crypto.test.mjs): the browser's code builds
 * ballots that this tool checks with the core, and this tool builds
 * ballots that the browser's code checks.  Test tool only; links only
 * libcore.
 *
 *   sballot_tool verify RECORD   stdin: "<body-hex> <sig-hex>" per line;
 *                                prints "ok <ballot_hash>" or "error <NAME>"
 *   sballot_tool build RECORD SEED_HEX SEQ CHOICES
 *                                prints "<body-hex> <sig-hex>"; CHOICES is
 *                                "1,0,1/0,1" (contests separated by '/')
 * RECORD is an election record (spec §14) holding at least the manifest
 * and the whole key ceremony.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol_dkg.h"
#include "protocol_record.h"
#include "protocol_sballot.h"

struct election {
	struct protocol_manifest *m;
	uint8_t election_hash[PCRYPTO_HASH_BYTES];
	uint8_t y[PGROUP_BYTES];
};

static int
load_election(const char *path, struct election *e)
{
	FILE *f = fopen(path, "r");
	struct protocol_dkg *k = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 1;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		struct protocol_record_line l;
		const char *why = NULL;

		if (line[len - 1] == '\n')
			len--;
		if (!protocol_record_parse_line(line, (size_t)len, &l, &why)) {
			fprintf(stderr, "%s: %s\n", path, why);
			break;
		}
		if (l.kind == PROTOCOL_RECORD_EVENT && l.type == PROTOCOL_EVENT_MANIFEST) {
			uint8_t mh[PCRYPTO_HASH_BYTES];

			if (!protocol_manifest_decode(l.data, l.data_len, &e->m, &why)) {
				fprintf(stderr, "manifest: %s\n", why);
				protocol_record_line_clear(&l);
				break;
			}
			protocol_manifest_hash(l.data, l.data_len, mh);
			k = protocol_dkg_new(e->m, mh);
		} else if (l.kind == PROTOCOL_RECORD_EVENT && k != NULL &&
		           l.type >= PROTOCOL_EVENT_DKG_ROUND0 &&
		           l.type <= PROTOCOL_EVENT_DKG_ROUND3) {
			if (!protocol_dkg_add(k, (uint32_t)(l.type - PROTOCOL_EVENT_DKG_ROUND0),
			                      l.data, l.data_len, NULL, &why)) {
				fprintf(stderr, "event %u: %s\n", l.n, why);
				protocol_record_line_clear(&l);
				break;
			}
		}
		protocol_record_line_clear(&l);
		if (k != NULL && protocol_dkg_complete(k)) {
			protocol_dkg_election_hash(k, e->election_hash);
			memcpy(e->y, protocol_dkg_y(k), PGROUP_BYTES);
			rc = 0;
			break;
		}
	}
	if (rc != 0)
		fprintf(stderr, "%s: no complete secret-mode key ceremony\n", path);
	protocol_dkg_free(k);
	free(line);
	fclose(f);
	return rc;
}

static int
cmd_verify(struct election *e)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		char *sp = strchr(line, ' ');
		size_t body_len = 0, hex_len;
		uint8_t *body, sig[PCRYPTO_SIG_BYTES], hash[PCRYPTO_HASH_BYTES];
		char hex[2 * PCRYPTO_HASH_BYTES + 1];
		struct protocol_sballot b;
		enum protocol_ballot_error err;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (sp == NULL) {
			puts("error MALFORMED");
			continue;
		}
		hex_len = (size_t)(sp - line);
		body = encoding_hex_decode_alloc(line, hex_len, &body_len);
		if (body == NULL ||
		    !encoding_hex_decode(sp + 1, strlen(sp + 1), sig, sizeof(sig))) {
			free(body);
			puts("error MALFORMED");
			continue;
		}
		err = protocol_sballot_check(e->m, e->election_hash, e->y, body, body_len, sig, &b,
		                             hash, NULL);
		if (err == PROTOCOL_BALLOT_OK) {
			encoding_hex_encode(hash, sizeof(hash), hex);
			printf("ok %s\n", hex);
			protocol_sballot_clear(&b);
		} else {
			printf("error %s\n", protocol_ballot_error_name(err));
		}
		free(body);
		fflush(stdout);
	}
	free(line);
	return 0;
}

static int
cmd_build(struct election *e, const char *seed_hex, const char *seq_s, const char *choices_s)
{
	uint8_t seed[PCRYPTO_SEED_BYTES], pk[PCRYPTO_PK_BYTES], sk[PCRYPTO_SK_BYTES];
	uint8_t hash[PCRYPTO_HASH_BYTES], sig[PCRYPTO_SIG_BYTES];
	uint8_t **rows = calloc(e->m->n_contests, sizeof(*rows));
	const char *p = choices_s;
	struct encoding_buf out;
	char *hex;
	int rc = 1;

	if (rows == NULL || !encoding_hex_decode(seed_hex, strlen(seed_hex), seed, sizeof(seed))) {
		fprintf(stderr, "bad seed\n");
		free(rows);
		return 2;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	for (uint32_t c = 0; c < e->m->n_contests; c++) {
		rows[c] = calloc(e->m->contests[c].n_candidates + 1, 1);
		for (uint32_t i = 0; i < e->m->contests[c].n_candidates; i++) {
			if (*p != '0' && *p != '1')
				goto bad;
			rows[c][i] = (uint8_t)(*p++ == '1');
			if (i + 1 < e->m->contests[c].n_candidates && *p++ != ',')
				goto bad;
		}
		if (c + 1 < e->m->n_contests && *p++ != '/')
			goto bad;
	}
	if (*p != '\0')
		goto bad;
	encoding_buf_init(&out);
	if (!protocol_sballot_build(e->m, e->election_hash, e->y, pk, (uint32_t)atoi(seq_s),
	                            (const uint8_t *const *)rows, &pgroup_rng_system, "ballot",
	                            &out)) {
		fprintf(stderr, "choices outside [min, max]\n");
		encoding_buf_free(&out);
		goto out;
	}
	protocol_ballot_hash(out.data, out.len, hash);
	protocol_ballot_sign(sk, hash, sig);
	hex = encoding_hex_encode_alloc(out.data, out.len);
	printf("%s ", hex);
	free(hex);
	hex = encoding_hex_encode_alloc(sig, sizeof(sig));
	printf("%s\n", hex);
	free(hex);
	encoding_buf_free(&out);
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "CHOICES must be like 1,0,1/0,1 with one digit per candidate\n");
	rc = 2;
out:
	sodium_memzero(sk, sizeof(sk));
	for (uint32_t c = 0; c < e->m->n_contests; c++)
		free(rows[c]);
	free(rows);
	return rc;
}

int
main(int argc, char **argv)
{
	struct election e = {0};
	int rc;

	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && strcmp(argv[1], "verify") == 0) {
		if (load_election(argv[2], &e) != 0)
			return 1;
		rc = cmd_verify(&e);
	} else if (argc == 6 && strcmp(argv[1], "build") == 0) {
		if (load_election(argv[2], &e) != 0)
			return 1;
		rc = cmd_build(&e, argv[3], argv[4], argv[5]);
	} else {
		fprintf(stderr, "usage: sballot_tool verify RECORD | build RECORD SEED_HEX SEQ "
		                "CHOICES\n");
		return 2;
	}
	protocol_manifest_free(e.m);
	return rc;
}
