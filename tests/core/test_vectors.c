/*
 * test_vectors.c -- every open-mode value of tests/spec/vectors.txt, and
 * the secret-mode values that exercise shared primitives, reproduced byte
 * for byte by building them with the core (spec §17).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_helpers.h"
#include "crypto.h"
#include "protocol_ballot.h"
#include "protocol_board.h"
#include "protocol_manifest.h"
#include "protocol_record.h"
#include "protocol_tally.h"

Suite *vectors_suite(void);

START_TEST(prim_values)
{
	uint8_t g[32], five[32] = {5}, p[32], h[64], s[32], *tb;
	size_t tl;
	struct encoding_buf b;
	struct protocol_manifest *m = NULL;
	const char *why = NULL;
	uint8_t *mb;
	size_t ml;

	ck_assert_int_eq(crypto_scalarmult_ristretto255_base(p, five), 0);
	th_assert_vector("prim.5G", p, 32);
	memset(five, 0, 32);
	five[0] = 1;
	ck_assert_int_eq(crypto_scalarmult_ristretto255_base(g, five), 0);
	th_assert_vector("prim.G", g, 32);
	pcrypto_h64("test", "abc", 3, h);
	th_assert_vector("prim.H64_test_abc", h, 64);
	pcrypto_hs("test", "abc", 3, s);
	th_assert_vector("prim.Hs_test_abc", s, 32);

	/* TEXT of the board title, encoded from the decoded open manifest. */
	mb = th_vector_bytes("open.manifest.bytes", &ml);
	ck_assert_msg(protocol_manifest_decode(mb, ml, &m, &why), "%s", why);
	encoding_buf_init(&b);
	protocol_text_encode(&m->contests[0].title, &b);
	th_assert_vector("prim.TEXT_board_title", b.data, b.len);
	tb = th_vector_bytes("prim.TEXT_board_title", &tl);
	ck_assert_uint_eq(tl, b.len);
	free(tb);
	encoding_buf_free(&b);
	protocol_manifest_free(m);
	free(mb);
}
END_TEST

START_TEST(key_values)
{
	static const char *const who[] = {"server", "ngo-a",     "ngo-b",     "ngo-c",    "ngo-d",
	                                  "ngo-e",  "trustee-1", "trustee-2", "trustee-3"};

	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		char label[64], name[64];
		uint8_t pk[32], sk[64];

		if (strcmp(who[i], "server") == 0)
			snprintf(label, sizeof(label), "server");
		else if (strncmp(who[i], "ngo", 3) == 0)
			snprintf(label, sizeof(label), "voter/%s", who[i]);
		else
			snprintf(label, sizeof(label), "trustee/%s", who[i]);
		th_keypair(label, pk, sk);
		snprintf(name, sizeof(name), "key.%s.pk", who[i]);
		th_assert_vector(name, pk, 32);
		ck_assert(pcrypto_ed25519_pk_valid(pk));
	}
}
END_TEST

/* Both example manifests round-trip exactly through decode and encode. */
static void
roundtrip(const char *mode)
{
	char name[64];
	uint8_t *mb, mh[64];
	size_t ml;
	struct protocol_manifest *m = NULL;
	struct encoding_buf b;
	const char *why = NULL;

	snprintf(name, sizeof(name), "%s.manifest.bytes", mode);
	mb = th_vector_bytes(name, &ml);
	ck_assert_msg(protocol_manifest_decode(mb, ml, &m, &why), "%s", why);
	encoding_buf_init(&b);
	ck_assert_msg(protocol_manifest_encode(m, &b, &why), "%s", why);
	th_assert_vector(name, b.data, b.len);
	protocol_manifest_hash(b.data, b.len, mh);
	snprintf(name, sizeof(name), "%s.manifest.hash", mode);
	th_assert_vector(name, mh, 64);
	encoding_buf_free(&b);
	protocol_manifest_free(m);
	free(mb);
}

START_TEST(manifests)
{
	uint8_t *mb, mh[64], eh[64];
	size_t ml;

	roundtrip("open");
	roundtrip("secret");
	mb = th_vector_bytes("open.manifest.bytes", &ml);
	protocol_manifest_hash(mb, ml, mh);
	protocol_election_hash_open(mh, eh);
	th_assert_vector("open.election.hash", eh, 64);
	free(mb);
}
END_TEST

struct sel {
	const char *voter;
	uint32_t seq;
	uint32_t counts[3];
	uint32_t idx[3][2];
};

/* The six ballots of assembly-2009, in board order (events 2..7). */
static const struct sel open_ballots[] = {
    {"ngo-a", 1, {2, 1, 1}, {{0, 1}, {0}, {0}}}, {"ngo-b", 1, {2, 2, 1}, {{0, 2}, {0, 1}, {1}}},
    {"ngo-c", 1, {2, 1, 1}, {{2, 3}, {2}, {1}}}, {"ngo-d", 1, {2, 1, 1}, {{0, 2}, {1}, {1}}},
    {"ngo-c", 2, {1, 0, 1}, {{1}, {0}, {0}}},    {"ngo-e", 1, {1, 1, 1}, {{3}, {0}, {0}}},
};

START_TEST(open_election)
{
	uint8_t *mb, mh[64], eh[64], spk[32], ssk[64], prev[64], h[64];
	size_t ml;
	struct protocol_manifest *m = NULL;
	struct protocol_tally *t;
	struct protocol_result *res = NULL;
	struct th_record rec;
	struct encoding_buf b;
	const char *why = NULL;
	char name[128];
	uint8_t ballot_data[6][512];
	size_t ballot_len[6];
	uint8_t ballot_hashes[6][64];

	mb = th_vector_bytes("open.manifest.bytes", &ml);
	ck_assert(protocol_manifest_decode(mb, ml, &m, &why));
	protocol_manifest_hash(mb, ml, mh);
	protocol_election_hash_open(mh, eh);
	t = protocol_tally_new(m);
	ck_assert_ptr_nonnull(t);

	for (size_t k = 0; k < 6; k++) {
		const struct sel *s = &open_ballots[k];
		const uint32_t *ix[3] = {s->idx[0], s->idx[1], s->idx[2]};
		uint8_t pk[32], sk[64], sig[64];
		char label[64];
		struct protocol_ballot bal, bal2;
		int64_t v;

		snprintf(label, sizeof(label), "voter/%s", s->voter);
		th_keypair(label, pk, sk);
		encoding_buf_init(&b);
		protocol_ballot_build(eh, pk, s->seq, 3, s->counts, ix, &b);
		snprintf(name, sizeof(name), "open.ballot.%s.s%u.body", s->voter, s->seq);
		th_assert_vector(name, b.data, b.len);
		protocol_ballot_hash(b.data, b.len, h);
		snprintf(name, sizeof(name), "open.ballot.%s.s%u.hash", s->voter, s->seq);
		th_assert_vector(name, h, 64);
		ck_assert(protocol_ballot_sign(sk, h, sig));
		snprintf(name, sizeof(name), "open.ballot.%s.s%u.sig", s->voter, s->seq);
		th_assert_vector(name, sig, 64);
		snprintf(name, sizeof(name), "open.ballot.%s.s%u.sig_verify_strict", s->voter,
		         s->seq);
		ck_assert_str_eq(th_vector(name), "true");
		ck_assert_int_eq(
		    protocol_ballot_check(m, eh, b.data, b.len, sig, &bal, ballot_hashes[k], &v),
		    PROTOCOL_BALLOT_OK);
		ck_assert_str_eq(m->voters[v].id, s->voter);
		ck_assert_mem_eq(ballot_hashes[k], h, 64);
		ck_assert_int_eq(protocol_ballot_parse(m, b.data, b.len, &bal2),
		                 PROTOCOL_BALLOT_OK);
		protocol_ballot_clear(&bal2);
		protocol_tally_add(t, (uint32_t)v, (uint32_t)k + 2, &bal, h);
		protocol_ballot_clear(&bal);
		memcpy(ballot_data[k], b.data, b.len);
		memcpy(ballot_data[k] + b.len, sig, 64);
		ballot_len[k] = b.len + 64;
		encoding_buf_free(&b);
	}

	/* Tally, tie-break and result. */
	encoding_buf_init(&b);
	ck_assert(protocol_tally_body(t, eh, &b));
	th_assert_vector("open.tally.body", b.data, b.len);
	pcrypto_h64("tally", b.data, b.len, h);
	th_assert_vector("open.tally.hash", h, 64);
	encoding_buf_free(&b);
	ck_assert(protocol_tally_finish(t, eh, &res));
	ck_assert_uint_eq(res->n_counted, (uint32_t)atoi(th_vector("open.tally.N")));
	th_assert_vector("open.tally.hash", res->tally_hash, 64);
	th_assert_vector("open.tiebreak.seed", res->seed, 64);
	for (uint32_t c = 0; c < m->n_contests; c++) {
		char want[256], got[256];
		size_t off = 0;

		for (uint32_t i = 0; i < m->contests[c].n_candidates; i++) {
			protocol_tiebreak_key(res->seed, c, i, h);
			snprintf(name, sizeof(name), "open.tiebreak.c%u.i%u.key", c, i);
			th_assert_vector(name, h, 64);
			off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%u", i ? "," : "",
			                        res->contests[c].counts[i]);
		}
		snprintf(name, sizeof(name), "open.result.c%u.counts", c);
		ck_assert_str_eq(got, th_vector(name));
		off = 0;
		got[0] = '\0';
		for (uint32_t e = 0; e < res->contests[c].n_elected; e++)
			off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%u", e ? "," : "",
			                        res->contests[c].elected[e]);
		snprintf(name, sizeof(name), "open.result.c%u.elected", c);
		snprintf(want, sizeof(want), "%s", th_vector(name));
		ck_assert_str_eq(got[0] ? got : "none", want);
		snprintf(name, sizeof(name), "open.result.c%u.lot", c);
		ck_assert_uint_eq(res->contests[c].lot, (uint32_t)atoi(th_vector(name)));
	}
	th_assert_vector("open.result.body", res->body, res->body_len);

	/* The board: rebuild every event's data and hash; `at` from the record. */
	th_record_load(TH_SPEC_DIR "record-open.jsonl", &rec);
	ck_assert_uint_eq(rec.n_events, 10);
	th_keypair("server", spk, ssk);
	for (size_t i = 0; i < rec.n_events; i++) {
		const uint8_t *d;
		size_t dl;

		encoding_buf_init(&b);
		switch (rec.ev[i].type) {
		case PROTOCOL_EVENT_MANIFEST:
			encoding_buf_append(&b, mb, ml);
			break;
		case PROTOCOL_EVENT_OPEN:
			protocol_board_open_data(eh, &b);
			break;
		case PROTOCOL_EVENT_BALLOT:
			encoding_buf_append(&b, ballot_data[i - 2], ballot_len[i - 2]);
			break;
		case PROTOCOL_EVENT_CLOSE:
			protocol_board_close_data(eh, 6, &b);
			break;
		case PROTOCOL_EVENT_RESULT:
			encoding_buf_append(&b, res->body, res->body_len);
			break;
		default:
			ck_abort_msg("unexpected event");
		}
		d = b.data;
		dl = b.len;
		ck_assert_uint_eq(dl, rec.ev[i].len);
		ck_assert_mem_eq(d, rec.ev[i].data, dl);
		protocol_event_hash(i == 0 ? NULL : prev, (uint32_t)i, rec.ev[i].type, rec.ev[i].at,
		                    d, dl, h);
		snprintf(name, sizeof(name), "open.event.%zu.%s.hash", i,
		         protocol_event_type_name(rec.ev[i].type));
		th_assert_vector(name, h, 64);
		if (rec.ev[i].type == PROTOCOL_EVENT_BALLOT && i == 6) {
			struct protocol_receipt r;
			char *json;
			size_t fl;
			char *file = th_read_file(TH_SPEC_DIR "receipt-open.json", &fl);

			memcpy(r.election_hash, eh, 64);
			r.n = 6;
			memcpy(r.event_hash, h, 64);
			memcpy(r.ballot_hash, ballot_hashes[4], 64);
			ck_assert(protocol_receipt_sign(ssk, &r));
			th_assert_vector("open.receipt.6.sig", r.signature, 64);
			ck_assert(protocol_receipt_verify(spk, &r));
			json = protocol_receipt_to_json(&r);
			ck_assert_uint_eq(strlen(json) + 1, fl);
			ck_assert(memcmp(json, file, fl - 1) == 0 && file[fl - 1] == '\n');
			free(json);
			free(file);
		}
		memcpy(prev, h, 64);
		encoding_buf_free(&b);
	}
	{
		uint8_t sig[64];

		ck_assert(protocol_head_sign(ssk, eh, 9, prev, sig));
		th_assert_vector("open.head.9.sig", sig, 64);
		ck_assert(protocol_head_verify(spk, eh, 9, prev, sig));
		ck_assert_str_eq(th_vector("open.head.9.sig_verify_strict"), "true");
	}
	th_record_free(&rec);
	protocol_result_free(res);
	protocol_tally_free(t);
	protocol_manifest_free(m);
	free(mb);
}
END_TEST

/* Shared code on the secret example: event chain, receipt, head, seed. */
START_TEST(secret_shared)
{
	struct th_record rec;
	uint8_t prev[64], h[64], eh[64], spk[32], ssk[64], sig[64];
	char name[128];
	struct protocol_receipt r;
	char *text;
	size_t tl;
	const char *why = NULL;

	th_record_load(TH_SPEC_DIR "record-secret.jsonl", &rec);
	for (size_t i = 0; i < rec.n_events; i++) {
		protocol_event_hash(i == 0 ? NULL : prev, (uint32_t)i, rec.ev[i].type, rec.ev[i].at,
		                    rec.ev[i].data, rec.ev[i].len, h);
		snprintf(name, sizeof(name), "secret.event.%zu.%s.hash", i,
		         protocol_event_type_name(rec.ev[i].type));
		th_assert_vector(name, h, 64);
		memcpy(prev, h, 64);
	}
	free(th_vector_bytes("secret.election.hash", &tl));
	{
		uint8_t *e = th_vector_bytes("secret.election.hash", &tl);

		memcpy(eh, e, 64);
		free(e);
	}
	th_keypair("server", spk, ssk);
	ck_assert(protocol_head_sign(ssk, eh, (uint32_t)rec.n_events - 1, prev, sig));
	th_assert_vector("secret.head.23.sig", sig, 64);

	text = th_read_file(TH_SPEC_DIR "receipt-secret.json", &tl);
	ck_assert_msg(protocol_receipt_from_json(text, tl, &r, &why), "%s", why);
	ck_assert_uint_eq(r.n, 17);
	ck_assert(protocol_receipt_verify(spk, &r));
	th_assert_vector("secret.receipt.17.sig", r.signature, 64);
	ck_assert(protocol_receipt_sign(ssk, &r));
	th_assert_vector("secret.receipt.17.sig", r.signature, 64);
	free(text);

	/* Tie-break seed over the counted ballot hashes, sorted ascending. */
	{
		static const char *const counted[] = {"ngo-a.s2", "ngo-b.s1", "ngo-c.s1",
		                                      "ngo-d.s1"};
		uint8_t hs[4][64], seed[64];
		struct pcrypto_h64 st;

		for (int i = 0; i < 4; i++) {
			uint8_t *v;

			snprintf(name, sizeof(name), "secret.ballot.%s.hash", counted[i]);
			v = th_vector_bytes(name, &tl);
			memcpy(hs[i], v, 64);
			free(v);
		}
		for (int i = 0; i < 4; i++)
			for (int j = i + 1; j < 4; j++)
				if (memcmp(hs[i], hs[j], 64) > 0) {
					uint8_t tmp[64];

					memcpy(tmp, hs[i], 64);
					memcpy(hs[i], hs[j], 64);
					memcpy(hs[j], tmp, 64);
				}
		pcrypto_h64_init(&st, "tiebreak-seed");
		pcrypto_h64_update(&st, eh, 64);
		for (int i = 0; i < 4; i++)
			pcrypto_h64_update(&st, hs[i], 64);
		pcrypto_h64_final(&st, seed);
		th_assert_vector("secret.tiebreak.seed", seed, 64);
		protocol_tiebreak_key(seed, 1, 0, h);
		th_assert_vector("secret.tiebreak.c1.i0.key", h, 64);
	}
	th_record_free(&rec);
}
END_TEST

/* Points, scalars and keys of the secret example pass the strict decoders;
 * edge.alpha_bit255_rejected: setting bit 255 of a valid alpha is refused. */
START_TEST(secret_canonical)
{
	static const char *const points[] = {
	    "secret.dkg.T1.C0", "secret.dkg.T1.C1",     "secret.dkg.T1.E",
	    "secret.dkg.Y",     "secret.dkg.Z1",        "secret.dkg.Z2",
	    "secret.dkg.Z3",    "secret.tally.c0.i0.A", "secret.pdec.T3.c0.i0.D"};
	static const char *const scalars[] = {"secret.dkg.T1.pok.c",    "secret.dkg.T1.pok.z0",
	                                      "secret.lagrange.Q13.T1", "secret.lagrange.Q13.T3",
	                                      "edge.c0zero.c0",         "edge.c0zero.z0",
	                                      "edge.idpdec.c"};
	uint8_t *b, a[32];
	size_t l;

	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		b = th_vector_bytes(points[i], &l);
		ck_assert_uint_eq(l, 32);
		ck_assert_msg(pcrypto_point_decode_not_identity(b), "%s", points[i]);
		free(b);
	}
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		b = th_vector_bytes(scalars[i], &l);
		ck_assert_msg(pcrypto_scalar_decode(b), "%s", scalars[i]);
		free(b);
	}
	/* The first alpha of ngo-a's secret ballot sits after eh, pk, seq, #contests, n_c. */
	b = th_vector_bytes("secret.ballot.ngo-a.s1.body", &l);
	memcpy(a, b + 64 + 32 + 4 + 4 + 4, 32);
	free(b);
	ck_assert(pcrypto_point_decode_not_identity(a));
	a[31] |= 0x80;
	ck_assert_str_eq(th_vector("edge.alpha_bit255_rejected"), "true");
	ck_assert(!pcrypto_point_decode(a));
	ck_assert(crypto_core_ristretto255_is_valid_point(a) == 1); /* P1: sodium alone accepts */
}
END_TEST

Suite *
vectors_suite(void)
{
	Suite *s = suite_create("vectors");
	TCase *tc = tcase_create("vectors");

	if (sodium_init() < 0)
		abort();
	tcase_add_test(tc, prim_values);
	tcase_add_test(tc, key_values);
	tcase_add_test(tc, manifests);
	tcase_add_test(tc, open_election);
	tcase_add_test(tc, secret_shared);
	tcase_add_test(tc, secret_canonical);
	suite_add_tcase(s, tc);
	return s;
}
