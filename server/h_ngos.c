/*
 * h_ngos.c -- the NGO registry: the public list, the secretariat's
 * create/edit/deactivate, and CSV import (all or nothing, with a report
 * per row) and export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "dbq_audit.h"
#include "dbq_ngos.h"
#include "dbq_sessions.h"
#include "encoding.h"
#include "handlers.h"
#include "jspec.h"
#include "ngo_fields.h"
#include "reply.h"

#define NGO_CSV_COLUMNS 8
static const char *const csv_columns[NGO_CSV_COLUMNS] = {
    "id", "name_en", "name_km", "registration_no", "contact_name", "phone", "email", "province",
};

static json_t *
fingerprint_json(const struct dbq_ngo *n)
{
	char fp[40];

	if (!n->enrolled)
		return json_null();
	ngo_fields_fingerprint(n->public_key, fp);
	return json_string(fp);
}

static void
add_public(void *cls, const struct dbq_ngo *n)
{
	json_array_append_new(cls, json_pack("{s:s, s:s, s:s, s:b, s:b, s:o}", "id", n->id,
	                                     "name_en", n->name_en, "name_km", n->name_km, "active",
	                                     n->active, "enrolled", n->enrolled, "fingerprint",
	                                     fingerprint_json(n)));
}

static json_t *
ngo_admin_json(const struct dbq_ngo *n)
{
	char pk[65];

	encoding_hex_encode(n->public_key, 32, pk);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:s, s:I}",
	                 "id", n->id, "name_en", n->name_en, "name_km", n->name_km,
	                 "registration_no", n->registration_no, "contact_name", n->contact_name,
	                 "phone", n->phone, "email", n->email, "province", n->province, "active",
	                 n->active, "enrolled", n->enrolled, "fingerprint", fingerprint_json(n),
	                 "public_key", n->enrolled ? json_string(pk) : json_null(), "code_status",
	                 n->code_status, "code_expires_at", (json_int_t)n->code_expires_at);
}

static void
add_admin(void *cls, const struct dbq_ngo *n)
{
	json_array_append_new(cls, ngo_admin_json(n));
}

static enum MHD_Result
list(struct request *rq, void (*add)(void *, const struct dbq_ngo *))
{
	json_t *arr = json_array();
	struct db *db = db_thread();

	if (db == NULL || arr == NULL ||
	    dbq_ngos_each(db, (int64_t)time(NULL), add, arr) != DB_OK) {
		json_decref(arr);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	return reply_json(rq, MHD_HTTP_OK, json_pack("{s:o}", "ngos", arr));
}

enum MHD_Result
h_ngos_public(struct request *rq)
{
	return list(rq, add_public);
}

enum MHD_Result
h_admin_ngos_list(struct request *rq)
{
	return list(rq, add_admin);
}

struct ngo_write {
	struct dbq_ngo_fields f;
	const char *actor;
	bool create;
	const char *action; /* for activate/deactivate */
	bool active;
};

static enum db_status
ngo_write_txn(struct db *db, void *cls)
{
	struct ngo_write *w = cls;
	enum db_status st;

	if (w->action != NULL) {
		st = dbq_ngo_set_active(db, w->f.id, w->active);
		/* a deactivated NGO's delegates are logged out for good */
		if (st == DB_OK && !w->active)
			st = dbq_sessions_delete_ngo(db, w->f.id);
	} else if (w->create)
		st = dbq_ngo_insert(db, &w->f);
	else
		st = dbq_ngo_update(db, &w->f);
	if (st != DB_OK)
		return st;
	return dbq_audit_add(db, w->actor,
	                     w->action ? w->action : (w->create ? "ngo.create" : "ngo.update"),
	                     w->f.id, NULL);
}

static enum MHD_Result
reply_ngo(struct request *rq, unsigned status, const char *id)
{
	struct dbq_ngo n;

	if (dbq_ngo_get(db_thread(), id, (int64_t)time(NULL), &n) != DB_OK)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	return reply_json(rq, status, ngo_admin_json(&n));
}

static enum MHD_Result
write_ngo(struct request *rq, struct ngo_write *w, unsigned ok_status)
{
	struct db *db = db_thread();
	enum db_status st;

	if (db == NULL)
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	st = db_txn_run(db, "ngo-write", ngo_write_txn, w);
	if (st == DB_CONFLICT)
		return reply_error(rq, ERROR_NGO_EXISTS, "id");
	if (st == DB_NOT_FOUND)
		return reply_error(rq, ERROR_NGO_NOT_FOUND, NULL);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_ngo(rq, ok_status, w->f.id);
}

/* Parses the editable fields of the body (and the id when creating). */
static bool
parse_fields(struct request *rq, struct dbq_ngo_fields *f, bool with_id, enum MHD_Result *ret)
{
	bool have[6] = {false};
	struct jspec_field spec[] = {
	    {JSPEC_STRING("name_en", &f->name_en, 1024)},
	    {JSPEC_STRING("name_km", &f->name_km, 1024)},
	    {JSPEC_STRING("registration_no", &f->registration_no, 128), JSPEC_OPTIONAL(&have[0])},
	    {JSPEC_STRING("contact_name", &f->contact_name, 256), JSPEC_OPTIONAL(&have[1])},
	    {JSPEC_STRING("phone", &f->phone, 32), JSPEC_OPTIONAL(&have[2])},
	    {JSPEC_STRING("email", &f->email, 254), JSPEC_OPTIONAL(&have[3])},
	    {JSPEC_STRING("province", &f->province, 128), JSPEC_OPTIONAL(&have[4])},
	    {JSPEC_STRING("id", &f->id, 64), JSPEC_OPTIONAL(&have[5])},
	    {JSPEC_END},
	};
	struct jspec_error jerr;
	const char *field, *why;

	f->registration_no = f->contact_name = f->phone = f->email = f->province = "";
	if (!jspec_parse(rq->json, spec, &jerr)) {
		*ret = reply_error(rq, jerr.code, jerr.field);
		return false;
	}
	if (with_id != have[5]) {
		*ret = reply_error(
		    rq, with_id ? ERROR_JSON_MISSING_FIELD : ERROR_JSON_UNKNOWN_FIELD, "id");
		return false;
	}
	if (!ngo_fields_valid(f, with_id, &field, &why)) {
		*ret = reply_error_hint(rq, ERROR_NGO_FIELD_INVALID, field, why);
		return false;
	}
	return true;
}

enum MHD_Result
h_admin_ngo_create(struct request *rq)
{
	struct ngo_write w = {.actor = rq->session.email, .create = true};
	enum MHD_Result ret;

	if (!parse_fields(rq, &w.f, true, &ret))
		return ret;
	return write_ngo(rq, &w, MHD_HTTP_CREATED);
}

enum MHD_Result
h_admin_ngo_update(struct request *rq)
{
	struct ngo_write w = {.actor = rq->session.email};
	enum MHD_Result ret;

	if (!parse_fields(rq, &w.f, false, &ret))
		return ret;
	w.f.id = rq->args[0];
	return write_ngo(rq, &w, MHD_HTTP_OK);
}

static enum MHD_Result
set_active(struct request *rq, bool active)
{
	struct ngo_write w = {.actor = rq->session.email, .active = active};

	w.f.id = rq->args[0];
	w.action = active ? "ngo.activate" : "ngo.deactivate";
	return write_ngo(rq, &w, MHD_HTTP_OK);
}

enum MHD_Result
h_admin_ngo_deactivate(struct request *rq)
{
	return set_active(rq, false);
}

enum MHD_Result
h_admin_ngo_activate(struct request *rq)
{
	return set_active(rq, true);
}

/* ---- CSV ---- */

struct csv_row {
	unsigned line;
	struct dbq_ngo_fields f;
	char *copy[NGO_CSV_COLUMNS];
};

struct import_ctx {
	struct csv_row *rows;
	size_t n;
	const char *actor;
	json_t *errors;
};

static void
row_error(json_t *errors, unsigned line, const char *field, const char *name, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:I, s:s?, s:s, s:s}", "row", (json_int_t)line,
	                                        "field", field, "error", name, "message", msg));
}

static enum db_status
import_txn(struct db *db, void *cls)
{
	struct import_ctx *c = cls;
	char detail[64];

	json_array_clear(c->errors); /* a retried attempt starts afresh */
	for (size_t i = 0; i < c->n; i++) {
		enum db_status st = dbq_ngo_insert(db, &c->rows[i].f);

		if (st == DB_CONFLICT) {
			row_error(c->errors, c->rows[i].line, "id", "NGO_EXISTS",
			          "an NGO with this id is already registered");
			continue;
		}
		if (st != DB_OK)
			return st;
	}
	if (json_array_size(c->errors) > 0)
		return DB_ROLLBACK;
	snprintf(detail, sizeof(detail), "%zu rows", c->n);
	return dbq_audit_add(db, c->actor, "ngo.import", NULL, detail);
}

static void
free_rows(struct csv_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < NGO_CSV_COLUMNS; k++)
			free(rows[i].copy[k]);
	free(rows);
}

enum MHD_Result
h_admin_ngos_import(struct request *rq)
{
	struct import_ctx c = {.actor = rq->session.email, .errors = json_array()};
	struct csv_reader r;
	const char *fields[CSV_MAX_FIELDS];
	size_t cap = 0;
	int nf;
	struct db *db = db_thread();
	enum db_status st;

	if (c.errors == NULL || db == NULL) {
		json_decref(c.errors);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	csv_init(&r, rq->body ? rq->body : "", rq->body_len);
	nf = csv_next(&r, fields, CSV_MAX_FIELDS);
	if (nf != NGO_CSV_COLUMNS) {
		row_error(c.errors, 1, NULL, "CSV_HEADER",
		          "the first line must be the header "
		          "id,name_en,name_km,registration_no,contact_name,phone,email,province");
		goto report;
	}
	for (int k = 0; k < NGO_CSV_COLUMNS; k++) {
		if (strcmp(fields[k], csv_columns[k]) != 0) {
			row_error(
			    c.errors, 1, csv_columns[k], "CSV_HEADER",
			    "the header's columns must be, in order: "
			    "id,name_en,name_km,registration_no,contact_name,phone,email,province");
			goto report;
		}
	}
	while ((nf = csv_next(&r, fields, CSV_MAX_FIELDS)) != 0) {
		struct csv_row *row;
		const char *field, *why;

		if (nf < 0) {
			row_error(c.errors, r.record_line, NULL, "CSV_SYNTAX",
			          "this line is not valid CSV (check the quotes)");
			break;
		}
		if (nf != NGO_CSV_COLUMNS) {
			row_error(c.errors, r.record_line, NULL, "CSV_COLUMNS",
			          "this line does not have exactly 8 columns");
			continue;
		}
		if (c.n == cap) {
			struct csv_row *grown;

			cap = cap ? cap * 2 : 32;
			grown = realloc(c.rows, cap * sizeof(*c.rows));
			if (grown == NULL)
				break;
			c.rows = grown;
		}
		row = &c.rows[c.n];
		memset(row, 0, sizeof(*row));
		row->line = r.record_line;
		for (int k = 0; k < NGO_CSV_COLUMNS; k++)
			row->copy[k] = strdup(fields[k]);
		c.n++;
		row->f =
		    (struct dbq_ngo_fields){row->copy[0], row->copy[1], row->copy[2], row->copy[3],
		                            row->copy[4], row->copy[5], row->copy[6], row->copy[7]};
		for (int k = 0; k < NGO_CSV_COLUMNS; k++)
			if (row->copy[k] == NULL)
				goto oom;
		if (!ngo_fields_valid(&row->f, true, &field, &why)) {
			row_error(c.errors, r.record_line, field, "NGO_FIELD_INVALID", why);
			continue;
		}
		{
			struct dbq_ngo existing;
			bool dup = false;

			for (size_t i = 0; i + 1 < c.n && !dup; i++)
				dup = strcmp(c.rows[i].f.id, row->f.id) == 0;
			if (dup)
				row_error(c.errors, r.record_line, "id", "NGO_EXISTS",
				          "this id appears twice in the file");
			/* ids registered already are reported now too, so that one
			 * report lists every problem of the file */
			else if (dbq_ngo_get(db, row->f.id, 0, &existing) == DB_OK)
				row_error(c.errors, r.record_line, "id", "NGO_EXISTS",
				          "an NGO with this id is already registered");
		}
	}
	if (json_array_size(c.errors) == 0 && c.n == 0)
		row_error(c.errors, 2, NULL, "CSV_EMPTY", "the file has no NGO rows");
	if (json_array_size(c.errors) > 0)
		goto report;
	st = db_txn_run(db, "ngo-import", import_txn, &c);
	if (st == DB_ROLLBACK)
		goto report;
	csv_free(&r);
	free_rows(c.rows, c.n);
	json_decref(c.errors);
	if (st != DB_OK)
		return reply_error(rq, ERROR_STORAGE_FAILURE, NULL);
	return reply_json(rq, MHD_HTTP_OK, json_pack("{s:I}", "imported", (json_int_t)c.n));
oom:
	csv_free(&r);
	free_rows(c.rows, c.n);
	json_decref(c.errors);
	return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
report:
	csv_free(&r);
	free_rows(c.rows, c.n);
	return reply_error_with(rq, ERROR_CSV_INVALID, NULL, "errors", c.errors);
}

/* A CSV field, quoted when it has to be. */
static void
csv_put(struct encoding_buf *b, const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		encoding_buf_u8(b, '"');
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			encoding_buf_u8(b, '"');
		encoding_buf_u8(b, (uint8_t)*p);
	}
	if (quote)
		encoding_buf_u8(b, '"');
	encoding_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

static void
add_csv(void *cls, const struct dbq_ngo *n)
{
	const char *v[NGO_CSV_COLUMNS] = {
	    n->id,           n->name_en, n->name_km, n->registration_no,
	    n->contact_name, n->phone,   n->email,   n->province};
	char fp[40];

	for (int k = 0; k < NGO_CSV_COLUMNS; k++)
		csv_put(cls, v[k], false);
	csv_put(cls, n->active ? "yes" : "no", false);
	if (n->enrolled)
		ngo_fields_fingerprint(n->public_key, fp);
	csv_put(cls, n->enrolled ? fp : "", true);
}

enum MHD_Result
h_admin_ngos_export(struct request *rq)
{
	struct encoding_buf b;
	struct MHD_Response *resp;
	struct db *db = db_thread();
	uint8_t *data;
	size_t len;

	encoding_buf_init(&b);
	for (int k = 0; k < NGO_CSV_COLUMNS; k++)
		csv_put(&b, csv_columns[k], false);
	csv_put(&b, "active", false);
	csv_put(&b, "fingerprint", true);
	if (db == NULL || dbq_ngos_each(db, (int64_t)time(NULL), add_csv, &b) != DB_OK) {
		encoding_buf_free(&b);
		return reply_error(rq, ERROR_DATABASE_UNAVAILABLE, NULL);
	}
	data = encoding_buf_steal(&b, &len);
	if (data == NULL)
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(data);
		return reply_error(rq, ERROR_INTERNAL_ERROR, NULL);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/csv; charset=utf-8");
	MHD_add_response_header(resp, "Content-Disposition", "attachment; filename=\"ngos.csv\"");
	return reply_queue(rq, MHD_HTTP_OK, resp, REPLY_NO_STORE);
}
