/*
 * protocol_record.c -- record lines (spec §14).  Writers print with fixed
 * formats (compact JSON, keys in the order of §14, lowercase hex).
 *
 * The reader uses jansson with JSON_REJECT_DUPLICATES, but first lifts the
 * `data` hex out of the line: jansson would otherwise keep its lexer
 * buffer and a decoded copy of a 20 MB hex string at the same time, which
 * breaks the verifier's 64 MiB budget on a 100,000-voter manifest.  The
 * lifted span must be plain lowercase hex, and jansson must then see
 * `"data":""` as the value of the top-level key, so the result is exactly
 * what parsing the whole line would give.
 */
#include "protocol_record.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
put_hex(struct encoding_buf *b, const uint8_t *p, size_t n)
{
	char chunk[2 * 2048 + 1];

	while (n > 0) {
		size_t k = n < 2048 ? n : 2048;

		encoding_hex_encode(p, k, chunk);
		encoding_buf_append(b, chunk, 2 * k);
		p += k;
		n -= k;
	}
}

static void
put_s(struct encoding_buf *b, const char *s)
{
	encoding_buf_append(b, s, strlen(s));
}

static void
put_u32(struct encoding_buf *b, uint32_t v)
{
	char tmp[16];

	snprintf(tmp, sizeof(tmp), "%lu", (unsigned long)v);
	put_s(b, tmp);
}

void
protocol_record_write_header(struct encoding_buf *b, const char *election_id,
                             const uint8_t server_pk[PCRYPTO_PK_BYTES])
{
	put_s(b, "{\"format\":\"" PROTOCOL_RECORD_FORMAT "\",\"election_id\":\"");
	put_s(b, election_id); /* an id: [a-z0-9_-], nothing to escape */
	put_s(b, "\",\"server_pk\":\"");
	put_hex(b, server_pk, PCRYPTO_PK_BYTES);
	put_s(b, "\"}\n");
}

void
protocol_record_write_event(struct encoding_buf *b, uint32_t n, enum protocol_event_type type,
                            const char *at, const uint8_t *data, size_t len,
                            const uint8_t hash[PCRYPTO_HASH_BYTES])
{
	const char *name = protocol_event_type_name(type);

	put_s(b, "{\"n\":");
	put_u32(b, n);
	put_s(b, ",\"type\":\"");
	put_s(b, name != NULL ? name : "");
	put_s(b, "\",\"at\":\"");
	put_s(b, at);
	put_s(b, "\",\"data\":\"");
	put_hex(b, data, len);
	put_s(b, "\",\"hash\":\"");
	put_hex(b, hash, PCRYPTO_HASH_BYTES);
	put_s(b, "\"}\n");
}

void
protocol_record_write_head(struct encoding_buf *b, uint32_t n,
                           const uint8_t hash[PCRYPTO_HASH_BYTES],
                           const uint8_t sig[PCRYPTO_SIG_BYTES])
{
	put_s(b, "{\"head\":{\"n\":");
	put_u32(b, n);
	put_s(b, ",\"hash\":\"");
	put_hex(b, hash, PCRYPTO_HASH_BYTES);
	put_s(b, "\",\"signature\":\"");
	put_hex(b, sig, PCRYPTO_SIG_BYTES);
	put_s(b, "\"}}\n");
}

void
protocol_record_line_clear(struct protocol_record_line *l)
{
	free(l->data);
	memset(l, 0, sizeof(*l));
}

static bool
is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool
get_u31(json_t *o, const char *key, uint32_t *out)
{
	json_t *v = json_object_get(o, key);
	json_int_t i;

	if (!json_is_integer(v))
		return false;
	i = json_integer_value(v);
	if (i < 0 || i >= ((json_int_t)1 << 31))
		return false;
	*out = (uint32_t)i;
	return true;
}

static bool
get_hex(json_t *o, const char *key, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return false;
	return encoding_hex_decode(json_string_value(v), json_string_length(v), out, n);
}

static bool
parse_header(json_t *o, struct protocol_record_line *out, const char **why)
{
	json_t *f = json_object_get(o, "format");
	json_t *id = json_object_get(o, "election_id");

	out->kind = PROTOCOL_RECORD_HEADER;
	if (json_object_size(o) != 3 || !json_is_string(f) || !json_is_string(id)) {
		*why = "header must have exactly format, election_id, server_pk";
		return false;
	}
	if (strcmp(json_string_value(f), PROTOCOL_RECORD_FORMAT) != 0 ||
	    json_string_length(f) != strlen(PROTOCOL_RECORD_FORMAT)) {
		*why = "header format is not ngo-vote/record/v1";
		return false;
	}
	if (!get_hex(o, "server_pk", out->server_pk, PCRYPTO_PK_BYTES)) {
		*why = "header server_pk is not 64 lowercase hex digits";
		return false;
	}
	/* A bad election_id is a V2 finding (it cannot equal the manifest's). */
	out->election_id_valid = protocol_id_valid(json_string_value(id), json_string_length(id));
	if (out->election_id_valid)
		memcpy(out->election_id, json_string_value(id), json_string_length(id) + 1);
	return true;
}

static bool
parse_head(json_t *o, struct protocol_record_line *out, const char **why)
{
	json_t *h = json_object_get(o, "head");

	out->kind = PROTOCOL_RECORD_HEAD;
	if (json_object_size(o) != 1 || !json_is_object(h) || json_object_size(h) != 3) {
		*why = "head line must be {\"head\":{n, hash, signature}}";
		return false;
	}
	if (!get_u31(h, "n", &out->n)) {
		*why = "head n is not an integer in [0, 2^31)";
		return false;
	}
	if (!get_hex(h, "hash", out->hash, PCRYPTO_HASH_BYTES) ||
	    !get_hex(h, "signature", out->signature, PCRYPTO_SIG_BYTES)) {
		*why = "head hash/signature missing or not lowercase hex of exact length";
		return false;
	}
	return true;
}

static bool
parse_event(json_t *o, uint8_t *lifted, size_t lifted_len, bool have_lifted,
            struct protocol_record_line *out, const char **why)
{
	json_t *type = json_object_get(o, "type");
	json_t *at = json_object_get(o, "at");
	json_t *data = json_object_get(o, "data");

	out->kind = PROTOCOL_RECORD_EVENT;
	if (json_object_size(o) != 5 || !json_is_string(type) || !json_is_string(at) ||
	    !json_is_string(data) || json_object_get(o, "hash") == NULL) {
		*why = "event must have exactly n, type, at, data, hash";
		return false;
	}
	if (!get_u31(o, "n", &out->n)) {
		*why = "event n is not an integer in [0, 2^31)";
		return false;
	}
	if (!protocol_event_type_parse(json_string_value(type), json_string_length(type),
	                               &out->type)) {
		*why = "event type is not one of spec §10";
		return false;
	}
	if (!protocol_time_valid(json_string_value(at), json_string_length(at))) {
		*why = "event at is not a Time YYYY-MM-DDTHH:MM:SSZ";
		return false;
	}
	memcpy(out->at, json_string_value(at), PROTOCOL_TIME_LEN + 1);
	if (!get_hex(o, "hash", out->hash, PCRYPTO_HASH_BYTES)) {
		*why = "event hash is not 128 lowercase hex digits";
		return false;
	}
	if (have_lifted) {
		if (json_string_length(data) != 0) {
			*why = "event data is not lowercase hex";
			return false;
		}
		out->data = lifted;
		out->data_len = lifted_len;
		return true;
	}
	out->data = encoding_hex_decode_alloc(json_string_value(data), json_string_length(data),
	                                      &out->data_len);
	if (out->data == NULL) {
		*why = "event data is not lowercase hex of even length";
		return false;
	}
	return true;
}

/* Finds `"data":"<lowercase hex>"` and decodes it into a new buffer,
 * closing the gap in the line.  Returns false if there is no such span
 * (then the line is parsed as it is). */
static bool
lift_data(char *line, size_t *len, uint8_t **bytes, size_t *n, bool *oom)
{
	static const char key[] = "\"data\":\"";
	size_t kl = sizeof(key) - 1;
	char *p = NULL, *v, *e, *end = line + *len;

	for (char *s = line; s + kl <= end; s++) {
		s = memchr(s, '"', (size_t)(end - s));
		if (s == NULL || s + kl > end)
			break;
		if (memcmp(s, key, kl) == 0) {
			p = s;
			break;
		}
	}
	if (p == NULL)
		return false;
	v = p + kl;
	e = v;
	while (e < end && is_lower_hex(*e))
		e++;
	if (e == end || *e != '"' || (e - v) % 2 != 0)
		return false;
	*n = (size_t)(e - v) / 2;
	*bytes = malloc(*n + 1);
	if (*bytes == NULL) {
		*oom = true;
		return false;
	}
	if (!encoding_hex_decode(v, (size_t)(e - v), *bytes, *n)) {
		free(*bytes);
		*bytes = NULL;
		return false;
	}
	memmove(v, e, (size_t)(end - e));
	*len -= (size_t)(e - v);
	return true;
}

bool
protocol_record_parse_line(char *line, size_t len, struct protocol_record_line *out,
                           const char **why)
{
	uint8_t *lifted = NULL;
	size_t lifted_len = 0;
	bool have_lifted, oom = false, ok = false;
	json_error_t err;
	json_t *o;

	memset(out, 0, sizeof(*out));
	have_lifted = lift_data(line, &len, &lifted, &lifted_len, &oom);
	if (oom) {
		*why = "out of memory";
		return false;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL) {
		*why = "not a JSON object (or a key repeats)";
		goto out;
	}
	if (!json_is_object(o)) {
		*why = "line is not a JSON object";
		goto out;
	}
	if (json_object_get(o, "format") != NULL)
		ok = parse_header(o, out, why);
	else if (json_object_get(o, "head") != NULL)
		ok = parse_head(o, out, why);
	else if (json_object_get(o, "n") != NULL) {
		ok = parse_event(o, lifted, lifted_len, have_lifted, out, why);
		if (ok && have_lifted)
			lifted = NULL; /* now owned by out */
	} else
		*why = "line is neither header, event nor head";
	if (ok && have_lifted && lifted != NULL) {
		*why = "data key outside an event line";
		ok = false;
	}
out:
	json_decref(o);
	free(lifted);
	if (!ok) {
		enum protocol_record_kind k = out->kind;

		protocol_record_line_clear(out);
		out->kind = k;
	}
	return ok;
}
