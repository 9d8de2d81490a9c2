/*
 * election_build.c -- the roll, the problems and the manifest of a draft
 * (see the header).
 */
#include "election_build.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "dbq_ngos.h"

struct ngo_list {
	struct election_ngo *v;
	size_t n, cap;
	bool failed; /* an NGO could not be kept: the list is not the registry */
};

struct storage {
	struct ngo_list all;
	struct election_ngo *roll; /* entries borrowed from all */
};

static void
ngo_list_free(struct ngo_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].id);
		free((char *)l->v[i].name_en);
		free((char *)l->v[i].name_km);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
ngo_list_add(void *cls, const struct dbq_ngo *n)
{
	struct ngo_list *l = cls;
	struct election_ngo *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct election_ngo *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			l->failed = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	e->id = strdup(n->id);
	e->name_en = strdup(n->name_en);
	e->name_km = strdup(n->name_km);
	e->active = n->active;
	e->enrolled = n->enrolled;
	memcpy(e->pk, n->public_key, 32);
	if (e->id == NULL || e->name_en == NULL || e->name_km == NULL) {
		free((char *)e->id);
		free((char *)e->name_en);
		free((char *)e->name_km);
		l->failed = true;
		return;
	}
	l->n++;
}

static const struct election_ngo *
ngo_lookup(void *cls, const char *id)
{
	const struct ngo_list *l = cls;

	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}

static bool
excluded(const json_t *draft, const char *ngo_id)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(draft, "excluded"), i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "ngo_id")), ngo_id) == 0)
			return true;
	}
	return false;
}

void
election_build_free(struct election_build *b)
{
	struct storage *s = b->storage_;

	if (s != NULL) {
		free(s->roll);
		ngo_list_free(&s->all);
		free(s);
	}
	json_decref(b->problems);
	encoding_buf_free(&b->manifest);
	memset(b, 0, sizeof(*b));
}

enum db_status
election_build(struct db *db, const char *id, const json_t *draft, bool want_manifest,
               struct election_build *out)
{
	struct storage *s = calloc(1, sizeof(*s));
	const char *why = NULL;
	size_t n_roll = 0;
	enum db_status st;

	memset(out, 0, sizeof(*out));
	encoding_buf_init(&out->manifest);
	if (s == NULL)
		return DB_ERROR;
	out->storage_ = s;
	st = dbq_ngos_each(db, (int64_t)time(NULL), ngo_list_add, &s->all);
	if (st == DB_OK && s->all.failed)
		st = DB_ERROR; /* a roll missing an NGO must never be built */
	if (st != DB_OK)
		goto fail;
	s->roll = calloc(s->all.n ? s->all.n : 1, sizeof(*s->roll));
	if (s->roll == NULL) {
		st = DB_ERROR;
		goto fail;
	}
	for (size_t i = 0; i < s->all.n; i++)
		if (s->all.v[i].active && !excluded(draft, s->all.v[i].id))
			s->roll[n_roll++] = s->all.v[i];
	out->roll = s->roll;
	out->n_roll = n_roll;
	out->problems = election_draft_problems(draft, s->roll, n_roll, ngo_lookup, &s->all);
	if (out->problems == NULL) {
		st = DB_ERROR;
		goto fail;
	}
	if (!want_manifest || json_array_size(out->problems) > 0)
		return DB_OK;
	if (!election_draft_manifest(id, draft, app_get()->key.pk, s->roll, n_roll, ngo_lookup,
	                             &s->all, &out->manifest, &why)) {
		json_array_append_new(out->problems,
		                      json_pack("{s:s, s:s, s:s}", "field", "", "problem",
		                                "MANIFEST_INVALID", "detail", why ? why : "?"));
		return DB_OK;
	}
	out->has_manifest = true;
	return DB_OK;
fail:
	election_build_free(out);
	return st;
}
