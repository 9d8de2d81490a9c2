/*
 * secret_fixture.c -- a secret-ballot election and its trustees, played
 * with the core builders (see secret_fixture.h).
 */
#include "secret_fixture.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol_ballot.h"
#include "protocol_decrypt.h"
#include "protocol_dryrun.h"
#include "protocol_sballot.h"

const char *const sfx_ngo_ids[SFX_NGOS] = {"ngo-a", "ngo-b", "ngo-c", "ngo-d"};

json_t *
sfx_draft(const struct sfx *s)
{
	static const char *const alpha[] = {"ngo-a", "ngo-b", "ngo-c"};
	json_t *d = efx_draft_new(), *trustees = json_array();

	json_array_append_new(json_object_get(d, "contests"),
	                      efx_contest("alpha", 1, 0, 1, alpha, 3));
	json_array_append_new(json_object_get(d, "contests"),
	                      efx_contest("beta", 2, 1, 2, sfx_ngo_ids, SFX_NGOS));
	for (uint32_t j = 0; j < s->n; j++)
		json_array_append_new(
		    trustees, json_pack("{s:s, s:{s:s, s:s}, s:s}", "id", s->tr[j].id, "name", "en",
		                        "Trustee", "km", FIXTURE_KM, "pk", s->tr[j].key.pk_hex));
	json_object_set_new(d, "mode", json_string("secret"));
	json_object_set_new(d, "trustees", trustees);
	json_object_set_new(d, "threshold", json_integer(s->t));
	json_object_set_new(d, "dry_run", json_boolean(s->dry_run));
	return d;
}

void
sfx_start(struct sfx *s, const char *id, uint32_t n, uint32_t t, bool dry_run)
{
	json_t *d, *j, *p;
	size_t i;

	memset(s, 0, sizeof(*s));
	ck_assert_uint_le(n, SFX_MAX_TRUSTEES);
	efx_start(&s->x);
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->n = n;
	s->t = t;
	for (unsigned v = 0; v < SFX_NGOS; v++)
		efx_ngo_enrolled(&s->x, sfx_ngo_ids[v], &s->ngos[v]);
	for (uint32_t k = 0; k < n; k++) {
		snprintf(s->tr[k].id, sizeof(s->tr[k].id), "trustee-%c", 'a' + (char)k);
		fixture_keypair(&s->tr[k].key);
		encoding_buf_init(&s->tr[k].r1);
	}
	s->dry_run = dry_run;
	json_decref(efx_draft_create(&s->x, id, "empty"));
	d = sfx_draft(s);
	j = efx_draft_put(&s->x, id, d, 200);
	json_array_foreach(json_object_get(j, "problems"), i, p)
	{
		ck_assert_msg(strcmp(json_string_value(json_object_get(p, "problem")),
		                     "CEREMONY_NOT_STARTED") == 0,
		              "unexpected problem %s",
		              json_string_value(json_object_get(p, "problem")));
	}
	ck_assert_uint_eq(json_array_size(json_object_get(j, "problems")), 1);
	json_decref(j);
	json_decref(d);
}

void
sfx_stop(struct sfx *s)
{
	for (uint32_t k = 0; k < SFX_MAX_TRUSTEES; k++) {
		encoding_buf_free(&s->tr[k].r1);
		protocol_dkg_secrets_wipe(&s->tr[k].secrets);
	}
	efx_stop(&s->x);
}

void
sfx_admin_post(struct sfx *s, const char *what, const char *body, struct test_http *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/elections/%s/%s", s->id, what);
	fixture_post(&s->x.d, path, &s->x.sec, body, r);
}

void
sfx_public_post(struct sfx *s, const char *what, const char *body, struct test_http *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/elections/%s/%s", s->id, what);
	test_http_post_json(&s->x.d, path, body, r);
}

json_t *
sfx_get(struct sfx *s, const char *what, int status)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/elections/%s%s%s", s->id, what[0] ? "/" : "", what);
	return efx_get_json(&s->x.d, path, status);
}

static uint8_t *
hex_field(const json_t *o, const char *key, size_t *len)
{
	const char *h = json_string_value(json_object_get(o, key));
	uint8_t *b;

	ck_assert_msg(h != NULL, "no %s", key);
	b = encoding_hex_decode_alloc(h, strlen(h), len);
	ck_assert_ptr_nonnull(b);
	return b;
}

void
sfx_view_load(struct sfx *s, struct sfx_view *v)
{
	const char *why = NULL;
	uint8_t *mb, *mh;
	size_t len, hl, i;
	json_t *msg;

	memset(v, 0, sizeof(*v));
	v->doc = sfx_get(s, "ceremony", 200);
	mb = hex_field(v->doc, "manifest", &len);
	ck_assert_msg(protocol_manifest_decode(mb, len, &v->m, &why), "%s", why);
	protocol_manifest_hash(mb, len, v->manifest_hash);
	mh = hex_field(v->doc, "manifest_hash", &hl);
	ck_assert_uint_eq(hl, 64);
	ck_assert(memcmp(mh, v->manifest_hash, 64) == 0);
	free(mh);
	free(mb);
	v->k = protocol_dkg_new(v->m, v->manifest_hash);
	ck_assert_ptr_nonnull(v->k);
	json_array_foreach(json_object_get(v->doc, "messages"), i, msg)
	{
		uint8_t *data = hex_field(msg, "data", &len);
		uint32_t trustee = 0;

		ck_assert_msg(protocol_dkg_add(
		                  v->k, (uint32_t)json_integer_value(json_object_get(msg, "round")),
		                  data, len, &trustee, &why),
		              "published message %zu: %s", i, why);
		ck_assert_int_eq(trustee, json_integer_value(json_object_get(msg, "trustee")));
		free(data);
	}
}

void
sfx_view_free(struct sfx_view *v)
{
	protocol_dkg_free(v->k);
	protocol_manifest_free(v->m);
	json_decref(v->doc);
	memset(v, 0, sizeof(*v));
}

void
sfx_message(struct sfx *s, const struct sfx_view *v, uint32_t d, uint32_t round,
            struct encoding_buf *out)
{
	struct sfx_trustee *tr = &s->tr[d - 1];
	const char *why = NULL;

	switch (round) {
	case 0:
		encoding_buf_free(&tr->r1);
		encoding_buf_init(&tr->r1);
		ck_assert(protocol_dkg_r1_build(v->m, v->manifest_hash, d, tr->key.sk,
		                                &pgroup_rng_system, &tr->secrets, &tr->r1));
		ck_assert(protocol_dkg_r0_build(v->manifest_hash, d, tr->r1.data, tr->r1.len,
		                                tr->key.sk, out));
		break;
	case 1:
		encoding_buf_append(out, tr->r1.data, tr->r1.len);
		break;
	case 2:
		ck_assert(protocol_dkg_r2_build(v->k, d, &tr->secrets, tr->key.sk,
		                                &pgroup_rng_system, out));
		break;
	default:
		ck_assert_msg(protocol_dkg_r3_build(v->k, d, &tr->secrets, tr->key.sk,
		                                    &pgroup_rng_system, tr->z, out, &why),
		              "%s", why);
		break;
	}
	ck_assert(!out->failed);
}

void
sfx_post_message(struct sfx *s, uint32_t round, const uint8_t *data, size_t len,
                 struct test_http *r)
{
	char *h = encoding_hex_encode_alloc(data, len), *body;
	size_t cap = 2 * len + 64;

	ck_assert_ptr_nonnull(h);
	body = malloc(cap);
	ck_assert_ptr_nonnull(body);
	snprintf(body, cap, "{\"round\":%u,\"data\":\"%s\"}", round, h);
	sfx_public_post(s, "ceremony/messages", body, r);
	free(body);
	free(h);
}

void
sfx_round(struct sfx *s, uint32_t round)
{
	for (uint32_t d = 1; d <= s->n; d++) {
		struct sfx_view v;
		struct encoding_buf msg;
		struct test_http r;
		json_t *j;

		sfx_view_load(s, &v);
		encoding_buf_init(&msg);
		sfx_message(s, &v, d, round, &msg);
		sfx_post_message(s, round, msg.data, msg.len, &r);
		j = fixture_json(&r, 201);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "trustee")), d);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "round")), round);
		json_decref(j);
		test_http_free(&r);
		encoding_buf_free(&msg);
		sfx_view_free(&v);
	}
}

void
sfx_ceremony(struct sfx *s)
{
	struct test_http r;
	json_t *j;

	sfx_admin_post(s, "ceremony/start", "{}", &r);
	j = fixture_json(&r, 201);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "round0");
	json_decref(j);
	test_http_free(&r);
	for (uint32_t round = 0; round < 4; round++)
		sfx_round(s, round);
	j = sfx_get(s, "ceremony", 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "complete");
	json_decref(j);
	for (uint32_t d = 0; d < s->n; d++)
		protocol_dkg_secrets_wipe(&s->tr[d].secrets);
}

void
sfx_pdec(struct sfx *s, const struct sfx_view *v, uint32_t j, const uint8_t tally_hash[64],
         const uint8_t (*ab)[32], struct encoding_buf *out)
{
	uint8_t eh[64];

	ck_assert(protocol_dkg_election_hash(v->k, eh));
	ck_assert(protocol_pdec_build(v->m, eh, j, s->tr[j - 1].z, tally_hash, ab,
	                              s->tr[j - 1].key.sk, &pgroup_rng_system, out));
}

void
sfx_dry_run(struct sfx *s)
{
	struct sfx_view v;
	struct test_http r;
	json_t *doc;
	uint8_t *data, th[64], eh[64], (*ab)[32];
	size_t len;
	const char *why = NULL;

	sfx_admin_post(s, "dry-run", "{}", &r);
	doc = fixture_json(&r, 201);
	test_http_free(&r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "running");
	sfx_view_load(s, &v);
	ck_assert(protocol_dkg_election_hash(v.k, eh));
	data = hex_field(doc, "data", &len);
	ab = calloc(2 * protocol_manifest_total_candidates(v.m), 32);
	ck_assert_msg(protocol_dryrun_parse(v.m, eh, data, len, ab, th, &why), "%s", why);
	for (uint32_t j = 1; j <= s->n; j++) {
		struct encoding_buf pd;
		char *h, *body;
		json_t *a;

		encoding_buf_init(&pd);
		sfx_pdec(s, &v, j, th, (const uint8_t(*)[32])ab, &pd);
		h = encoding_hex_encode_alloc(pd.data, pd.len);
		body = malloc(strlen(h) + 32);
		sprintf(body, "{\"data\":\"%s\"}", h);
		sfx_public_post(s, "dry-run/partial-decryptions", body, &r);
		a = fixture_json(&r, 201);
		ck_assert_str_eq(json_string_value(json_object_get(a, "state")),
		                 j == s->n ? "succeeded" : "running");
		json_decref(a);
		test_http_free(&r);
		free(body);
		free(h);
		encoding_buf_free(&pd);
	}
	free(ab);
	free(data);
	json_decref(doc);
	sfx_view_free(&v);
}

void
sfx_open(struct sfx *s, struct sfx_election *e)
{
	struct efx_election info;
	json_t *j;
	const char *y;

	memset(e, 0, sizeof(*e));
	efx_open(&s->x, s->id, &info);
	memcpy(e->election_hash, info.election_hash, 64);
	sfx_view_load(s, &e->v);
	j = sfx_get(s, "", 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode")), "secret");
	y = json_string_value(json_object_get(j, "y"));
	ck_assert_ptr_nonnull(y);
	ck_assert(encoding_hex_decode(y, strlen(y), e->y, 32));
	/* what the server says is what the published ceremony gives */
	ck_assert(memcmp(e->y, protocol_dkg_y(e->v.k), 32) == 0);
	{
		uint8_t eh[64];

		ck_assert(protocol_dkg_election_hash(e->v.k, eh));
		ck_assert(memcmp(eh, e->election_hash, 64) == 0);
	}
	json_decref(j);
}

void
sfx_election_free(struct sfx_election *e)
{
	sfx_view_free(&e->v);
}

void
sfx_ballot(const struct sfx *s, const struct sfx_election *e, unsigned v, uint32_t seq,
           const char *spec, const struct pgroup_rng *rng, const char *label,
           struct encoding_buf *out)
{
	const struct protocol_manifest *m = e->v.m;
	struct efx_choice ch = efx_choice_parse(spec);
	uint8_t rows[EFX_MAX_CONTESTS][64];
	const uint8_t *choices[EFX_MAX_CONTESTS];

	ck_assert_uint_eq(ch.n_contests, m->n_contests);
	memset(rows, 0, sizeof(rows));
	for (uint32_t c = 0; c < m->n_contests; c++) {
		for (uint32_t k = 0; k < ch.count[c]; k++)
			rows[c][ch.idx[c][k]] = 1;
		choices[c] = rows[c];
	}
	ck_assert(protocol_sballot_build(m, e->election_hash, e->y, s->ngos[v].pk, seq, choices,
	                                 rng, label, out));
}

int
sfx_cast_body(struct sfx *s, unsigned v, const uint8_t *body, size_t len, char *name,
              json_t **receipt)
{
	struct test_http r;
	json_t *j;
	int status;

	efx_post_signed(&s->x.d, s->id, body, len, s->ngos[v].sk, NULL, &r);
	status = r.status;
	j = test_http_json(&r);
	if (receipt != NULL)
		*receipt = status == 201 ? json_incref(json_object_get(j, "receipt")) : NULL;
	if (name != NULL)
		snprintf(name, 64, "%s",
		         status == 201 ? "" : json_string_value(json_object_get(j, "name")));
	json_decref(j);
	test_http_free(&r);
	return status;
}

uint8_t *
sfx_record_event(struct sfx *s, const char *type, size_t *len)
{
	char file[600], *line = NULL;
	size_t cap = 0;
	uint8_t *out = NULL;
	FILE *f;

	/* the verifier's exit status does not matter here: only the file */
	(void)efx_record_verify(&s->x.d, s->id, "record.jsonl");
	snprintf(file, sizeof(file), "%s/record.jsonl", s->x.d.dir);
	f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	while (out == NULL && getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);

		if (j != NULL && json_is_string(json_object_get(j, "type")) &&
		    strcmp(json_string_value(json_object_get(j, "type")), type) == 0)
			out = hex_field(j, "data", len);
		json_decref(j);
	}
	free(line);
	fclose(f);
	ck_assert_msg(out != NULL, "no %s event in the record", type);
	return out;
}
