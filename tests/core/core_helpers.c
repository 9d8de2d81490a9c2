/*
 * core_helpers.c -- deterministic keys, vectors, files and the tamperable
 * in-memory record used by the core suites (see core_helpers.h).
 */
#include "core_helpers.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "crypto_group.h"
#include "encoding.h"
#include "protocol_ballot.h"
#include "protocol_record.h"
#include "protocol_tally.h"
#include "verify.h"

void
th_seed(const char *label, uint8_t seed[32])
{
	pgroup_test_seed(label, seed);
}

void
th_keypair(const char *label, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];

	th_seed(label, seed);
	ck_assert_int_eq(crypto_sign_seed_keypair(pk, sk, seed), 0);
}

char *
th_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	for (;;) {
		if (cap - n < 65536) {
			cap = cap * 2 + 65536;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static char *vectors_text;

const char *
th_vector(const char *name)
{
	static char value[65536];
	size_t nl = strlen(name);
	const char *p;

	if (vectors_text == NULL)
		vectors_text = th_read_file(TH_SPEC_DIR "vectors.txt", NULL);
	for (p = vectors_text; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);

		if (ll > nl + 3 && memcmp(p, name, nl) == 0 && memcmp(p + nl, " = ", 3) == 0) {
			size_t vl = ll - nl - 3;

			ck_assert_uint_lt(vl, sizeof(value));
			memcpy(value, p + nl + 3, vl);
			value[vl] = '\0';
			return value;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

uint8_t *
th_vector_bytes(const char *name, size_t *len)
{
	const char *v = th_vector(name);
	uint8_t *b;

	ck_assert_msg(v != NULL, "vector %s missing", name);
	b = encoding_hex_decode_alloc(v, strlen(v), len);
	ck_assert_msg(b != NULL, "vector %s is not hex", name);
	return b;
}

void
th_assert_vector(const char *name, const uint8_t *bytes, size_t len)
{
	char *hex = encoding_hex_encode_alloc(bytes, len);
	const char *v = th_vector(name);

	ck_assert_msg(v != NULL, "vector %s missing", name);
	ck_assert_msg(strcmp(hex, v) == 0, "vector %s differs:\n got %s\nwant %s", name, hex, v);
	free(hex);
}

void
th_record_load(const char *path, struct th_record *r)
{
	size_t len;
	char *text = th_read_file(path, &len);
	char *p = text;

	memset(r, 0, sizeof(*r));
	while (*p != '\0') {
		char *eol = strchr(p, '\n');
		struct protocol_record_line l;
		const char *why = NULL;

		ck_assert_ptr_nonnull(eol);
		ck_assert_msg(protocol_record_parse_line(p, (size_t)(eol - p), &l, &why), "%s",
		              why);
		if (l.kind == PROTOCOL_RECORD_HEADER) {
			strcpy(r->election_id, l.election_id);
			memcpy(r->server_pk, l.server_pk, 32);
		} else if (l.kind == PROTOCOL_RECORD_HEAD) {
			r->has_head = true;
			r->head_n = l.n;
			memcpy(r->head_hash, l.hash, 64);
			memcpy(r->head_sig, l.signature, 64);
		} else {
			struct th_event *e = &r->ev[r->n_events++];

			ck_assert_uint_le(r->n_events, TH_MAX_EVENTS);
			e->n = l.n;
			e->type = l.type;
			memcpy(e->at, l.at, sizeof(e->at));
			e->data = l.data;
			e->len = l.data_len;
			l.data = NULL;
			memcpy(e->hash, l.hash, 64);
		}
		protocol_record_line_clear(&l);
		p = eol + 1;
	}
	free(text);
}

void
th_record_free(struct th_record *r)
{
	for (size_t i = 0; i < r->n_events; i++)
		free(r->ev[i].data);
	memset(r, 0, sizeof(*r));
}

void
th_event_set_data(struct th_record *r, size_t i, const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n + 1);

	ck_assert_ptr_nonnull(d);
	memcpy(d, p, n);
	free(r->ev[i].data);
	r->ev[i].data = d;
	r->ev[i].len = n;
}

void
th_record_insert_copy(struct th_record *r, size_t at, size_t from)
{
	struct th_event e = r->ev[from];

	ck_assert_uint_lt(r->n_events, TH_MAX_EVENTS);
	e.data = malloc(e.len + 1);
	memcpy(e.data, r->ev[from].data, e.len);
	memmove(&r->ev[at + 1], &r->ev[at], (r->n_events - at) * sizeof(r->ev[0]));
	r->ev[at] = e;
	r->n_events++;
}

void
th_record_remove(struct th_record *r, size_t i)
{
	free(r->ev[i].data);
	memmove(&r->ev[i], &r->ev[i + 1], (r->n_events - i - 1) * sizeof(r->ev[0]));
	r->n_events--;
}

void
th_record_renumber(struct th_record *r)
{
	for (size_t i = 0; i < r->n_events; i++)
		r->ev[i].n = (uint32_t)i;
}

void
th_record_election_hash(const struct th_record *r, uint8_t eh[64])
{
	uint8_t mh[64];

	protocol_manifest_hash(r->ev[0].data, r->ev[0].len, mh);
	protocol_election_hash_open(mh, eh);
}

void
th_record_resign_ballot(struct th_record *r, size_t i, const uint8_t *eh, const char *label)
{
	struct th_event *e = &r->ev[i];
	struct protocol_manifest *m = NULL;
	const char *why = NULL;
	uint8_t pk[32], sk[64], h[64];
	char lab[128];
	size_t blen;

	ck_assert_uint_ge(e->len, 64 + 104);
	blen = e->len - 64;
	if (eh != NULL)
		memcpy(e->data, eh, 64);
	if (label == NULL) {
		int64_t v;

		ck_assert_msg(protocol_manifest_decode(r->ev[0].data, r->ev[0].len, &m, &why), "%s",
		              why);
		v = protocol_manifest_voter_find(m, e->data + 64);
		ck_assert_int_ge(v, 0);
		snprintf(lab, sizeof(lab), "voter/%s", m->voters[v].id);
		protocol_manifest_free(m);
		label = lab;
	}
	th_keypair(label, pk, sk);
	memcpy(e->data + 64, pk, 32);
	protocol_ballot_hash(e->data, blen, h);
	ck_assert(protocol_ballot_sign(sk, h, e->data + blen));
}

void
th_record_recompute(struct th_record *r)
{
	struct protocol_manifest *m = NULL;
	struct protocol_tally *t;
	struct protocol_result *res = NULL;
	const char *why = NULL;
	uint8_t eh[64];
	uint32_t n_ballots = 0;
	bool closed = false;

	ck_assert_msg(protocol_manifest_decode(r->ev[0].data, r->ev[0].len, &m, &why), "%s", why);
	th_record_election_hash(r, eh);
	t = protocol_tally_new(m);
	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < r->n_events; i++) {
		struct th_event *e = &r->ev[i];
		struct encoding_buf b;

		encoding_buf_init(&b);
		if (e->type == PROTOCOL_EVENT_OPEN) {
			protocol_board_open_data(eh, &b);
		} else if (e->type == PROTOCOL_EVENT_CLOSE) {
			protocol_board_close_data(eh, n_ballots, &b);
			closed = true;
		} else if (e->type == PROTOCOL_EVENT_BALLOT && !closed) {
			struct protocol_ballot bal;
			uint8_t h[64];
			int64_t v;

			n_ballots++;
			if (protocol_ballot_parse(m, e->data, e->len - 64, &bal) ==
			    PROTOCOL_BALLOT_OK) {
				v = protocol_manifest_voter_find(m, bal.voter_pk);
				protocol_ballot_hash(e->data, e->len - 64, h);
				if (v >= 0)
					protocol_tally_add(t, (uint32_t)v, e->n, &bal, h);
				protocol_ballot_clear(&bal);
			}
		} else if (e->type == PROTOCOL_EVENT_RESULT) {
			ck_assert(protocol_tally_finish(t, eh, &res));
			encoding_buf_append(&b, res->body, res->body_len);
			protocol_result_free(res);
		} else {
			continue;
		}
		if (b.len > 0)
			th_event_set_data(r, i, b.data, b.len);
		encoding_buf_free(&b);
	}
	protocol_tally_free(t);
	protocol_manifest_free(m);
}

void
th_record_rechain(struct th_record *r)
{
	for (size_t i = 0; i < r->n_events; i++) {
		struct th_event *e = &r->ev[i];

		protocol_event_hash(i == 0 ? NULL : r->ev[i - 1].hash, e->n, e->type, e->at,
		                    e->data, e->len, e->hash);
	}
}

void
th_record_resign_head(struct th_record *r)
{
	uint8_t pk[32], sk[64], eh[64];
	struct th_event *last = &r->ev[r->n_events - 1];

	th_keypair("server", pk, sk);
	th_record_election_hash(r, eh);
	r->has_head = true;
	r->head_n = last->n;
	memcpy(r->head_hash, last->hash, 64);
	ck_assert(protocol_head_sign(sk, eh, r->head_n, r->head_hash, r->head_sig));
}

void
th_record_seal(struct th_record *r)
{
	th_record_rechain(r);
	th_record_resign_head(r);
}

char *
th_record_emit(const struct th_record *r, size_t *len)
{
	struct encoding_buf b;
	char *s;

	encoding_buf_init(&b);
	protocol_record_write_header(&b, r->election_id, r->server_pk);
	for (size_t i = 0; i < r->n_events; i++) {
		const struct th_event *e = &r->ev[i];

		protocol_record_write_event(&b, e->n, e->type, e->at, e->data, e->len, e->hash);
	}
	if (r->has_head)
		protocol_record_write_head(&b, r->head_n, r->head_hash, r->head_sig);
	encoding_buf_u8(&b, 0);
	ck_assert(!b.failed);
	s = (char *)encoding_buf_steal(&b, len);
	*len -= 1;
	return s;
}

struct verify *
th_verify_text(const char *text, size_t len, const char *receipt)
{
	struct verify *v = verify_new();
	size_t off = 0;

	ck_assert_ptr_nonnull(v);
	if (receipt != NULL)
		ck_assert(verify_add_receipt(v, receipt, strlen(receipt)));
	while (off < len) {
		const char *eol = memchr(text + off, '\n', len - off);
		size_t ll = eol ? (size_t)(eol - (text + off)) + 1 : len - off;
		char *line = malloc(ll + 1);

		ck_assert_ptr_nonnull(line);
		memcpy(line, text + off, ll);
		verify_feed_line(v, line, ll);
		free(line);
		off += ll;
	}
	verify_finish(v);
	return v;
}

struct verify *
th_verify_record(const struct th_record *r, const char *receipt)
{
	size_t len;
	char *text = th_record_emit(r, &len);
	struct verify *v = th_verify_text(text, len, receipt);

	free(text);
	return v;
}

void
th_verify_dump(const struct verify *v)
{
	char *t = verify_report_text(v);

	fprintf(stderr, "%s\n", t);
	free(t);
}
