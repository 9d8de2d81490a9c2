/*
 * fuzz_record.c -- libFuzzer harness for the record line reader
 * (protocol_record_parse_line, spec §14).  The input is one line of a
 * record without its '\n', as the verifier hands it over.
 *
 * Invariants checked on every input:
 *  - a refused line leaves no data buffer behind;
 *  - the reader's shortcut of lifting the `data` hex out of the line before
 *    jansson sees it is invisible: a reference reader written here from
 *    §14 with jansson alone, on the untouched line, accepts exactly the
 *    same lines and finds the same fields;
 *  - an accepted line written again with protocol_record_write_* and read
 *    back gives the same fields (the writers and the reader agree).
 */
#include <jansson.h>

#include "fuzz_common.h"
#include "protocol_record.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(0x6e676f76); /* deterministic key order */
	return 0;
}

static bool
ref_u31(json_t *o, const char *key, uint32_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) >= ((json_int_t)1 << 31))
		return false;
	*out = (uint32_t)json_integer_value(v);
	return true;
}

static bool
ref_hex(json_t *o, const char *key, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) &&
	       encoding_hex_decode(json_string_value(v), json_string_length(v), out, n);
}

/* §14 read with jansson only; fills ref like the reader would. */
static bool
ref_parse(const char *line, size_t len, struct protocol_record_line *ref)
{
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL), *h, *v, *t, *at, *d;
	bool ok = false;

	memset(ref, 0, sizeof(*ref));
	if (!json_is_object(o))
		goto out;
	if (json_object_get(o, "format") != NULL) {
		ref->kind = PROTOCOL_RECORD_HEADER;
		v = json_object_get(o, "format");
		t = json_object_get(o, "election_id");
		if (json_object_size(o) != 3 || !json_is_string(v) || !json_is_string(t) ||
		    json_string_length(v) != strlen(PROTOCOL_RECORD_FORMAT) ||
		    strcmp(json_string_value(v), PROTOCOL_RECORD_FORMAT) != 0 ||
		    !ref_hex(o, "server_pk", ref->server_pk, PCRYPTO_PK_BYTES))
			goto out;
		ref->election_id_valid =
		    protocol_id_valid(json_string_value(t), json_string_length(t));
		if (ref->election_id_valid)
			memcpy(ref->election_id, json_string_value(t), json_string_length(t) + 1);
		ok = true;
	} else if (json_object_get(o, "head") != NULL) {
		ref->kind = PROTOCOL_RECORD_HEAD;
		h = json_object_get(o, "head");
		ok = json_object_size(o) == 1 && json_is_object(h) && json_object_size(h) == 3 &&
		     ref_u31(h, "n", &ref->n) &&
		     ref_hex(h, "hash", ref->hash, PCRYPTO_HASH_BYTES) &&
		     ref_hex(h, "signature", ref->signature, PCRYPTO_SIG_BYTES);
	} else if (json_object_get(o, "n") != NULL) {
		ref->kind = PROTOCOL_RECORD_EVENT;
		t = json_object_get(o, "type");
		at = json_object_get(o, "at");
		d = json_object_get(o, "data");
		if (json_object_size(o) != 5 || !json_is_string(t) || !json_is_string(at) ||
		    !json_is_string(d) || !ref_u31(o, "n", &ref->n) ||
		    !protocol_event_type_parse(json_string_value(t), json_string_length(t),
		                               &ref->type) ||
		    !protocol_time_valid(json_string_value(at), json_string_length(at)) ||
		    !ref_hex(o, "hash", ref->hash, PCRYPTO_HASH_BYTES))
			goto out;
		memcpy(ref->at, json_string_value(at), PROTOCOL_TIME_LEN + 1);
		ref->data = encoding_hex_decode_alloc(json_string_value(d), json_string_length(d),
		                                      &ref->data_len);
		ok = ref->data != NULL;
	}
out:
	json_decref(o);
	return ok;
}

static void
same_line(const struct protocol_record_line *a, const struct protocol_record_line *b)
{
	FUZZ_CHECK(a->kind == b->kind);
	switch (a->kind) {
	case PROTOCOL_RECORD_HEADER:
		FUZZ_CHECK(a->election_id_valid == b->election_id_valid);
		FUZZ_CHECK(strcmp(a->election_id, b->election_id) == 0);
		FUZZ_CHECK(memcmp(a->server_pk, b->server_pk, PCRYPTO_PK_BYTES) == 0);
		break;
	case PROTOCOL_RECORD_HEAD:
		FUZZ_CHECK(a->n == b->n);
		FUZZ_CHECK(memcmp(a->hash, b->hash, PCRYPTO_HASH_BYTES) == 0);
		FUZZ_CHECK(memcmp(a->signature, b->signature, PCRYPTO_SIG_BYTES) == 0);
		break;
	case PROTOCOL_RECORD_EVENT:
		FUZZ_CHECK(a->n == b->n && a->type == b->type);
		FUZZ_CHECK(strcmp(a->at, b->at) == 0);
		FUZZ_CHECK(memcmp(a->hash, b->hash, PCRYPTO_HASH_BYTES) == 0);
		FUZZ_CHECK(a->data_len == b->data_len);
		FUZZ_CHECK(a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0);
		break;
	}
}

/* Writes l with the writer of its kind, reads it back, compares. */
static void
round_trip(const struct protocol_record_line *l)
{
	struct protocol_record_line again;
	struct encoding_buf b;
	const char *why = NULL;

	if (l->kind == PROTOCOL_RECORD_HEADER && !l->election_id_valid)
		return; /* the writer takes only a valid id */
	encoding_buf_init(&b);
	switch (l->kind) {
	case PROTOCOL_RECORD_HEADER:
		protocol_record_write_header(&b, l->election_id, l->server_pk);
		break;
	case PROTOCOL_RECORD_HEAD:
		protocol_record_write_head(&b, l->n, l->hash, l->signature);
		break;
	case PROTOCOL_RECORD_EVENT:
		protocol_record_write_event(&b, l->n, l->type, l->at, l->data, l->data_len,
		                            l->hash);
		break;
	}
	FUZZ_CHECK(!b.failed && b.len > 0 && b.data[b.len - 1] == '\n');
	FUZZ_CHECK(protocol_record_parse_line((char *)b.data, b.len - 1, &again, &why));
	same_line(l, &again);
	protocol_record_line_clear(&again);
	encoding_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_copy(data, size), *orig = fuzz_copy(data, size);
	struct protocol_record_line l, ref;
	const char *why = NULL;
	bool ok, ref_ok;

	ok = protocol_record_parse_line(line, size, &l, &why);
	ref_ok = ref_parse(orig, size, &ref);
	if (!ok) {
		FUZZ_CHECK(why != NULL);
		FUZZ_CHECK(l.data == NULL && l.data_len == 0);
	}
	FUZZ_CHECK(ok == ref_ok);
	if (ok) {
		same_line(&l, &ref);
		round_trip(&l);
	}
	protocol_record_line_clear(&l);
	protocol_record_line_clear(&ref);
	free(line);
	free(orig);
	return 0;
}
