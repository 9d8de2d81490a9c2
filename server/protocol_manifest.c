/*
 * protocol_manifest.c -- manifest_bytes (spec §5): encoder, strict decoder,
 * hashes, syntax checks for identifiers, language tags, UTF-8 and Time,
 * and the voter index.
 *
 * A decoded manifest owns its memory in a few blocks rather than one
 * allocation per string: a roll of 100,000 voters must stay small (the
 * verifier's peak memory budget is 64 MiB), so strings go to one arena and
 * TEXT entries to one pool, both sized by an upper bound derived from the
 * input length (untouched pages of an over-sized malloc cost nothing).
 */
#include "protocol_manifest.h"

#include <stdlib.h>
#include <string.h>

/* Smallest encodings, used to bound counts by the bytes left. */
#define MIN_TEXT_ENTRY 10 /* STR(lang >= 2) + STR(value) */
#define MIN_TEXT       (4 + MIN_TEXT_ENTRY)
#define MIN_ID         5
#define MIN_CANDIDATE  (MIN_ID + MIN_TEXT)
#define MIN_CONTEST    (MIN_ID + MIN_TEXT + 1 + 12 + 4 + MIN_CANDIDATE)
#define MIN_PARTY      (MIN_ID + MIN_TEXT + PCRYPTO_PK_BYTES)

struct owned {
	char *arena;
	size_t arena_len;
	size_t arena_cap;
	struct protocol_text_entry *entries;
	size_t n_entries;
	size_t cap_entries;
	struct protocol_contest *contests;
	uint32_t n_contests;
	struct protocol_party *voters;
	struct protocol_party *trustees;
};

/* ---- syntax ---------------------------------------------------------- */

bool
protocol_id_valid(const char *s, size_t len)
{
	if (len < 1 || len > PROTOCOL_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
protocol_lang_valid(const char *s, size_t len)
{
	size_t i = 0, run = 0;

	while (i < len && is_alpha(s[i])) {
		i++;
		run++;
	}
	if (run < 2 || run > 8)
		return false;
	while (i < len) {
		if (s[i] != '-')
			return false;
		i++;
		run = 0;
		while (i < len && (is_alpha(s[i]) || is_digit(s[i]))) {
			i++;
			run++;
		}
		if (run < 1 || run > 8)
			return false;
	}
	return true;
}

bool
protocol_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		size_t need;
		uint32_t cp, min;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (len - i - 1 < need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static int
two_digits(const char *s)
{
	if (!is_digit(s[0]) || !is_digit(s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

bool
protocol_time_valid(const char *s, size_t len)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year, month, day, hh, mm, ss, dim;

	if (len != PROTOCOL_TIME_LEN)
		return false;
	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return false;
	if (two_digits(s) < 0 || two_digits(s + 2) < 0)
		return false;
	year = two_digits(s) * 100 + two_digits(s + 2);
	month = two_digits(s + 5);
	day = two_digits(s + 8);
	hh = two_digits(s + 11);
	mm = two_digits(s + 14);
	ss = two_digits(s + 17);
	if (month < 1 || month > 12 || day < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
	    ss < 0 || ss > 59)
		return false;
	dim = mdays[month - 1];
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		dim = 29;
	return day <= dim;
}

const char *
protocol_text_get(const struct protocol_text *t, const char *lang)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->entries[i].lang, lang) == 0)
			return t->entries[i].value;
	return NULL;
}

/* ---- encoder --------------------------------------------------------- */

static void
put_cstr(struct encoding_buf *b, const char *s)
{
	encoding_buf_str(b, s, strlen(s));
}

static void
put_text(struct encoding_buf *b, const struct protocol_text *t)
{
	encoding_buf_le32(b, t->n);
	for (uint32_t i = 0; i < t->n; i++) {
		put_cstr(b, t->entries[i].lang);
		put_cstr(b, t->entries[i].value);
	}
}

void
protocol_text_encode(const struct protocol_text *t, struct encoding_buf *out)
{
	put_text(out, t);
}

static void
put_party(struct encoding_buf *b, const struct protocol_party *p)
{
	put_cstr(b, p->id);
	put_text(b, &p->name);
	encoding_buf_append(b, p->pk, PCRYPTO_PK_BYTES);
}

static bool
null_strings(const struct protocol_manifest *m)
{
	/* Checked before encoding so that a missing field is a refusal, not a
	 * crash; the decoder then checks everything else. */
	if (m->election_id == NULL || m->opens_at == NULL || m->closes_at == NULL)
		return true;
	if (m->n_contests > 0 && m->contests == NULL)
		return true;
	if (m->n_voters > 0 && m->voters == NULL)
		return true;
	if (m->n > 0 && m->trustees == NULL)
		return true;
	return false;
}

static bool
text_has_null(const struct protocol_text *t)
{
	if (t->n > 0 && t->entries == NULL)
		return true;
	for (uint32_t i = 0; i < t->n; i++)
		if (t->entries[i].lang == NULL || t->entries[i].value == NULL)
			return true;
	return false;
}

static bool
party_has_null(const struct protocol_party *p)
{
	return p->id == NULL || text_has_null(&p->name);
}

static bool
any_null(const struct protocol_manifest *m)
{
	if (null_strings(m) || text_has_null(&m->title))
		return true;
	for (uint32_t c = 0; c < m->n_contests; c++) {
		const struct protocol_contest *k = &m->contests[c];

		if (k->id == NULL || text_has_null(&k->title))
			return true;
		if (k->n_candidates > 0 && k->candidates == NULL)
			return true;
		for (uint32_t i = 0; i < k->n_candidates; i++)
			if (k->candidates[i].id == NULL || text_has_null(&k->candidates[i].name))
				return true;
	}
	for (uint32_t v = 0; v < m->n_voters; v++)
		if (party_has_null(&m->voters[v]))
			return true;
	for (uint32_t j = 0; j < m->n; j++)
		if (party_has_null(&m->trustees[j]))
			return true;
	return false;
}

bool
protocol_manifest_encode(const struct protocol_manifest *m, struct encoding_buf *out,
                         const char **why)
{
	struct encoding_buf b;
	struct protocol_manifest *check = NULL;
	bool ok = false;

	encoding_buf_init(&b);
	if (any_null(m)) {
		*why = "manifest has a missing (NULL) field";
		goto out;
	}
	put_cstr(&b, m->election_id);
	put_text(&b, &m->title);
	encoding_buf_u8(&b, m->mode);
	encoding_buf_append(&b, m->server_pk, PCRYPTO_PK_BYTES);
	encoding_buf_u8(&b, m->revote);
	put_cstr(&b, m->opens_at);
	put_cstr(&b, m->closes_at);
	encoding_buf_le32(&b, m->n_contests);
	for (uint32_t c = 0; c < m->n_contests; c++) {
		const struct protocol_contest *k = &m->contests[c];

		put_cstr(&b, k->id);
		put_text(&b, &k->title);
		encoding_buf_u8(&b, k->method);
		encoding_buf_le32(&b, k->seats);
		encoding_buf_le32(&b, k->min);
		encoding_buf_le32(&b, k->max);
		encoding_buf_le32(&b, k->n_candidates);
		for (uint32_t i = 0; i < k->n_candidates; i++) {
			put_cstr(&b, k->candidates[i].id);
			put_text(&b, &k->candidates[i].name);
		}
	}
	encoding_buf_le32(&b, m->n_voters);
	for (uint32_t v = 0; v < m->n_voters; v++)
		put_party(&b, &m->voters[v]);
	encoding_buf_le32(&b, m->n);
	encoding_buf_le32(&b, m->t);
	for (uint32_t j = 0; j < m->n; j++)
		put_party(&b, &m->trustees[j]);
	if (b.failed) {
		*why = "out of memory";
		goto out;
	}
	/* The decoder is the single definition of a valid manifest. */
	if (!protocol_manifest_decode(b.data, b.len, &check, why))
		goto out;
	encoding_buf_append(out, b.data, b.len);
	if (out->failed) {
		*why = "out of memory";
		goto out;
	}
	ok = true;
out:
	protocol_manifest_free(check);
	encoding_buf_free(&b);
	return ok;
}

/* ---- decoder --------------------------------------------------------- */

struct dec {
	struct encoding_reader r;
	struct owned *o;
	const char *why;
};

static bool
fail(struct dec *d, const char *why)
{
	if (d->why == NULL)
		d->why = why;
	return false;
}

/* Copies n checked bytes into the arena, NUL-terminated. */
static const char *
arena_put(struct dec *d, const uint8_t *p, size_t n)
{
	char *s;

	if (d->o->arena_cap - d->o->arena_len < n + 1) {
		fail(d, "internal: string arena exhausted");
		return NULL;
	}
	s = d->o->arena + d->o->arena_len;
	memcpy(s, p, n);
	s[n] = '\0';
	d->o->arena_len += n + 1;
	return s;
}

static const char *
read_id(struct dec *d, const char *what)
{
	size_t n;
	const uint8_t *p = encoding_read_str(&d->r, &n);

	if (p == NULL) {
		fail(d, "truncated");
		return NULL;
	}
	if (!protocol_id_valid((const char *)p, n)) {
		fail(d, what);
		return NULL;
	}
	return arena_put(d, p, n);
}

static const char *
read_string(struct dec *d, size_t *len_out)
{
	size_t n;
	const uint8_t *p = encoding_read_str(&d->r, &n);

	if (p == NULL) {
		fail(d, "truncated");
		return NULL;
	}
	if (n > PROTOCOL_STRING_MAX) {
		fail(d, "string longer than 1024 bytes");
		return NULL;
	}
	if (!protocol_utf8_valid(p, n)) {
		fail(d, "string is not valid UTF-8 or contains NUL");
		return NULL;
	}
	if (len_out != NULL)
		*len_out = n;
	return arena_put(d, p, n);
}

static bool
read_text(struct dec *d, struct protocol_text *t)
{
	uint32_t k = encoding_read_le32(&d->r);
	struct protocol_text_entry *e;

	if (d->r.failed)
		return fail(d, "truncated");
	if (k < 1)
		return fail(d, "TEXT with no entry");
	if (k > (d->r.len - d->r.off) / MIN_TEXT_ENTRY || k > d->o->cap_entries - d->o->n_entries)
		return fail(d, "TEXT entry count exceeds the data");
	e = d->o->entries + d->o->n_entries;
	d->o->n_entries += k;
	for (uint32_t i = 0; i < k; i++) {
		size_t ll;

		e[i].lang = read_string(d, &ll);
		if (e[i].lang == NULL)
			return false;
		if (!protocol_lang_valid(e[i].lang, ll))
			return fail(d, "TEXT language tag is not BCP 47 syntax");
		if (i > 0 && strcmp(e[i - 1].lang, e[i].lang) >= 0)
			return fail(d, "TEXT language tags not strictly ascending");
		e[i].value = read_string(d, NULL);
		if (e[i].value == NULL)
			return false;
	}
	t->n = k;
	t->entries = e;
	return true;
}

static bool
read_party(struct dec *d, struct protocol_party *p, const char *idwhy)
{
	const uint8_t *pk;

	p->id = read_id(d, idwhy);
	if (p->id == NULL)
		return false;
	if (!read_text(d, &p->name))
		return false;
	pk = encoding_read_bytes(&d->r, PCRYPTO_PK_BYTES);
	if (pk == NULL)
		return fail(d, "truncated");
	memcpy(p->pk, pk, PCRYPTO_PK_BYTES);
	if (!pcrypto_ed25519_pk_valid(p->pk))
		return fail(d, "key is not a valid Ed25519 point");
	return true;
}

static bool
read_count(struct dec *d, uint32_t *out, size_t min_item)
{
	*out = encoding_read_le32(&d->r);
	if (d->r.failed)
		return fail(d, "truncated");
	if (*out > (d->r.len - d->r.off) / min_item)
		return fail(d, "count exceeds the data");
	return true;
}

static int
cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* True if the n strings are pairwise distinct (sorts a copy of pointers). */
static bool
all_distinct(const char **v, size_t n, bool *oom)
{
	const char **s;
	bool ok = true;

	if (n < 2)
		return true;
	s = malloc(n * sizeof(*s));
	if (s == NULL) {
		*oom = true;
		return false;
	}
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_str_ptr);
	for (size_t i = 1; i < n && ok; i++)
		if (strcmp(s[i - 1], s[i]) == 0)
			ok = false;
	free(s);
	return ok;
}

static int
cmp_party_pk(const void *a, const void *b)
{
	const struct protocol_party *x = *(const struct protocol_party *const *)a;
	const struct protocol_party *y = *(const struct protocol_party *const *)b;

	return memcmp(x->pk, y->pk, PCRYPTO_PK_BYTES);
}

/* Sorts parties by key; fails on a repeated key; optionally returns the
 * sorted positions (the voter index). */
static bool
keys_distinct(struct dec *d, const struct protocol_party *p, uint32_t n, uint32_t **index,
              const char *why)
{
	const struct protocol_party **s;
	bool ok = true;

	if (n == 0)
		return true;
	s = malloc(n * sizeof(*s));
	if (s == NULL)
		return fail(d, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		s[i] = &p[i];
	qsort(s, n, sizeof(*s), cmp_party_pk);
	for (uint32_t i = 1; i < n && ok; i++)
		if (memcmp(s[i - 1]->pk, s[i]->pk, PCRYPTO_PK_BYTES) == 0)
			ok = false;
	if (ok && index != NULL) {
		*index = malloc(n * sizeof(**index));
		if (*index == NULL) {
			ok = false;
			fail(d, "out of memory");
		} else {
			for (uint32_t i = 0; i < n; i++)
				(*index)[i] = (uint32_t)(s[i] - p);
		}
	}
	free(s);
	if (!ok)
		return fail(d, why);
	return true;
}

static bool
ids_distinct(struct dec *d, const char **ids, size_t n, const char *why)
{
	bool oom = false;

	if (all_distinct(ids, n, &oom))
		return true;
	return fail(d, oom ? "out of memory" : why);
}

static bool
party_ids_distinct(struct dec *d, const struct protocol_party *p, uint32_t n, const char *why)
{
	const char **ids;
	bool ok;

	if (n < 2)
		return true;
	ids = malloc(n * sizeof(*ids));
	if (ids == NULL)
		return fail(d, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		ids[i] = p[i].id;
	ok = ids_distinct(d, ids, n, why);
	free(ids);
	return ok;
}

static bool
read_contest(struct dec *d, struct protocol_contest *k)
{
	struct protocol_candidate *cand;
	const char **ids;
	bool ok;

	k->id = read_id(d, "contest id is not [a-z0-9_-]{1,64}");
	if (k->id == NULL || !read_text(d, &k->title))
		return false;
	k->method = encoding_read_u8(&d->r);
	k->seats = encoding_read_le32(&d->r);
	k->min = encoding_read_le32(&d->r);
	k->max = encoding_read_le32(&d->r);
	if (d->r.failed)
		return fail(d, "truncated");
	if (k->method != PROTOCOL_METHOD_TOP_K)
		return fail(d, "contest method is not 1 (top-k)");
	if (!read_count(d, &k->n_candidates, MIN_CANDIDATE))
		return false;
	if (k->n_candidates < 1)
		return fail(d, "contest without candidates");
	if (k->seats < 1 || k->seats > k->n_candidates)
		return fail(d, "contest seats not in 1..n_c");
	if (k->min > k->max || k->max > k->n_candidates)
		return fail(d, "contest needs 0 <= min <= max <= n_c");
	cand = calloc(k->n_candidates, sizeof(*cand));
	if (cand == NULL)
		return fail(d, "out of memory");
	k->candidates = cand;
	for (uint32_t i = 0; i < k->n_candidates; i++) {
		cand[i].id = read_id(d, "candidate id is not [a-z0-9_-]{1,64}");
		if (cand[i].id == NULL || !read_text(d, &cand[i].name))
			return false;
	}
	ids = malloc(k->n_candidates * sizeof(*ids));
	if (ids == NULL)
		return fail(d, "out of memory");
	for (uint32_t i = 0; i < k->n_candidates; i++)
		ids[i] = cand[i].id;
	ok = ids_distinct(d, ids, k->n_candidates, "candidate ids repeat within a contest");
	free(ids);
	return ok;
}

static bool
read_schedule(struct dec *d, const char **out)
{
	size_t n;

	*out = read_string(d, &n);
	if (*out == NULL)
		return false;
	if (n != 0 && !protocol_time_valid(*out, n))
		return fail(d, "opens_at/closes_at is neither empty nor a Time");
	return true;
}

static bool
decode_all(struct dec *d, struct protocol_manifest *m)
{
	struct owned *o = d->o;
	const uint8_t *pk;
	const char **ids;
	bool ok;

	m->election_id = read_id(d, "election id is not [a-z0-9_-]{1,64}");
	if (m->election_id == NULL || !read_text(d, &m->title))
		return false;
	m->mode = encoding_read_u8(&d->r);
	pk = encoding_read_bytes(&d->r, PCRYPTO_PK_BYTES);
	m->revote = encoding_read_u8(&d->r);
	if (d->r.failed)
		return fail(d, "truncated");
	if (m->mode != PROTOCOL_MODE_OPEN && m->mode != PROTOCOL_MODE_SECRET)
		return fail(d, "mode is neither 1 nor 2");
	memcpy(m->server_pk, pk, PCRYPTO_PK_BYTES);
	if (!pcrypto_ed25519_pk_valid(m->server_pk))
		return fail(d, "server key is not a valid Ed25519 point");
	if (m->revote > 1)
		return fail(d, "revote is neither 0 nor 1");
	if (!read_schedule(d, &m->opens_at) || !read_schedule(d, &m->closes_at))
		return false;

	if (!read_count(d, &m->n_contests, MIN_CONTEST))
		return false;
	if (m->n_contests < 1)
		return fail(d, "no contest");
	o->contests = calloc(m->n_contests, sizeof(*o->contests));
	if (o->contests == NULL)
		return fail(d, "out of memory");
	o->n_contests = m->n_contests;
	m->contests = o->contests;
	for (uint32_t c = 0; c < m->n_contests; c++)
		if (!read_contest(d, &o->contests[c]))
			return false;
	ids = malloc(m->n_contests * sizeof(*ids));
	if (ids == NULL)
		return fail(d, "out of memory");
	for (uint32_t c = 0; c < m->n_contests; c++)
		ids[c] = o->contests[c].id;
	ok = ids_distinct(d, ids, m->n_contests, "contest ids repeat");
	free(ids);
	if (!ok)
		return false;

	if (!read_count(d, &m->n_voters, MIN_PARTY))
		return false;
	if (m->n_voters < 1)
		return fail(d, "no voter");
	o->voters = calloc(m->n_voters, sizeof(*o->voters));
	if (o->voters == NULL)
		return fail(d, "out of memory");
	m->voters = o->voters;
	for (uint32_t v = 0; v < m->n_voters; v++)
		if (!read_party(d, &o->voters[v], "voter id is not [a-z0-9_-]{1,64}"))
			return false;
	if (!party_ids_distinct(d, o->voters, m->n_voters, "voter ids repeat"))
		return false;
	if (!keys_distinct(d, o->voters, m->n_voters, &m->voters_by_pk_, "voter keys repeat"))
		return false;

	m->n = encoding_read_le32(&d->r);
	m->t = encoding_read_le32(&d->r);
	if (d->r.failed)
		return fail(d, "truncated");
	if (m->mode == PROTOCOL_MODE_OPEN && (m->n != 0 || m->t != 0))
		return fail(d, "open mode needs n = t = 0");
	if (m->mode == PROTOCOL_MODE_SECRET && (m->t < 1 || m->t > m->n))
		return fail(d, "secret mode needs 1 <= t <= n");
	if (m->n > (d->r.len - d->r.off) / MIN_PARTY)
		return fail(d, "count exceeds the data");
	if (m->n > 0) {
		o->trustees = calloc(m->n, sizeof(*o->trustees));
		if (o->trustees == NULL)
			return fail(d, "out of memory");
		m->trustees = o->trustees;
		for (uint32_t j = 0; j < m->n; j++)
			if (!read_party(d, &o->trustees[j], "trustee id is not [a-z0-9_-]{1,64}"))
				return false;
		if (!party_ids_distinct(d, o->trustees, m->n, "trustee ids repeat"))
			return false;
		if (!keys_distinct(d, o->trustees, m->n, NULL, "trustee keys repeat"))
			return false;
	}
	if (!encoding_reader_done(&d->r))
		return fail(d, "trailing bytes after the manifest");
	return true;
}

bool
protocol_manifest_decode(const uint8_t *bytes, size_t len, struct protocol_manifest **out,
                         const char **why)
{
	struct protocol_manifest *m;
	struct owned *o;
	struct dec d;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	o = calloc(1, sizeof(*o));
	if (m == NULL || o == NULL) {
		free(m);
		free(o);
		*why = "out of memory";
		return false;
	}
	m->owned_ = o;
	/* Upper bounds: every string costs its length + 4 in the input; every
	 * TEXT entry at least MIN_TEXT_ENTRY bytes. */
	o->arena_cap = len + 1;
	o->arena = malloc(o->arena_cap);
	o->cap_entries = len / MIN_TEXT_ENTRY + 1;
	o->entries = malloc(o->cap_entries * sizeof(*o->entries));
	if (o->arena == NULL || o->entries == NULL) {
		protocol_manifest_free(m);
		*why = "out of memory";
		return false;
	}
	memset(&d, 0, sizeof(d));
	encoding_reader_init(&d.r, bytes, len);
	d.o = o;
	if (!decode_all(&d, m)) {
		protocol_manifest_free(m);
		*why = d.why != NULL ? d.why : "invalid manifest";
		return false;
	}
	*out = m;
	return true;
}

void
protocol_manifest_free(struct protocol_manifest *m)
{
	struct owned *o;

	if (m == NULL)
		return;
	o = m->owned_;
	if (o != NULL) {
		for (uint32_t c = 0; c < o->n_contests; c++)
			free((void *)o->contests[c].candidates);
		free(o->contests);
		free(o->voters);
		free(o->trustees);
		free(o->entries);
		free(o->arena);
		free(o);
	}
	free(m->voters_by_pk_);
	free(m);
}

void
protocol_manifest_hash(const uint8_t *bytes, size_t len, uint8_t out[PCRYPTO_HASH_BYTES])
{
	pcrypto_h64("manifest", bytes, len, out);
}

void
protocol_election_hash_open(const uint8_t manifest_hash[PCRYPTO_HASH_BYTES],
                            uint8_t out[PCRYPTO_HASH_BYTES])
{
	struct pcrypto_h64 h;

	pcrypto_h64_init(&h, "election");
	pcrypto_h64_update(&h, manifest_hash, PCRYPTO_HASH_BYTES);
	pcrypto_h64_update_u8(&h, PROTOCOL_MODE_OPEN);
	pcrypto_h64_final(&h, out);
}

int64_t
protocol_manifest_voter_find(const struct protocol_manifest *m, const uint8_t pk[PCRYPTO_PK_BYTES])
{
	size_t lo = 0, hi = m->n_voters;

	if (m->voters_by_pk_ == NULL)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t v = m->voters_by_pk_[mid];
		int c = memcmp(m->voters[v].pk, pk, PCRYPTO_PK_BYTES);

		if (c == 0)
			return v;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

uint32_t
protocol_manifest_total_candidates(const struct protocol_manifest *m)
{
	uint32_t total = 0;

	for (uint32_t c = 0; c < m->n_contests; c++)
		total += m->contests[c].n_candidates;
	return total;
}
