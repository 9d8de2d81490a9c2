/*
 * fixture.c -- principals, NGOs, keys and delegate logins on a running
 * test daemon, and database snapshots (see fixture.h).
 */
#include "fixture.h"

#include <check.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "encoding.h"

void
fixture_request(const struct test_daemon *d, const char *method, const char *path,
                const struct fixture_who *who, bool with_csrf, const char *content_type,
                const char *extra_headers, const char *body, size_t body_len, struct test_http *r)
{
	char headers[2048];
	int n = 0;

	headers[0] = '\0';
	if (content_type != NULL)
		n += snprintf(headers + n, sizeof(headers) - (size_t)n, "Content-Type: %s\r\n",
		              content_type);
	if (who != NULL)
		n += snprintf(headers + n, sizeof(headers) - (size_t)n, "Cookie: %s\r\n",
		              who->cookie);
	if (who != NULL && with_csrf)
		n += snprintf(headers + n, sizeof(headers) - (size_t)n, "X-CSRF-Token: %s\r\n",
		              who->csrf);
	if (extra_headers != NULL)
		snprintf(headers + n, sizeof(headers) - (size_t)n, "%s", extra_headers);
	test_http_do(d, method, path, headers, body, body_len, r);
}

void
fixture_get(const struct test_daemon *d, const char *path, const struct fixture_who *who,
            struct test_http *r)
{
	fixture_request(d, "GET", path, who, false, NULL, NULL, NULL, 0, r);
}

void
fixture_post(const struct test_daemon *d, const char *path, const struct fixture_who *who,
             const char *json, struct test_http *r)
{
	fixture_request(d, "POST", path, who, true, json ? "application/json" : NULL, NULL, json,
	                json ? strlen(json) : 0, r);
}

void
fixture_put(const struct test_daemon *d, const char *path, const struct fixture_who *who,
            const char *json, struct test_http *r)
{
	fixture_request(d, "PUT", path, who, true, "application/json", NULL, json, strlen(json), r);
}

void
fixture_expect_field(const struct test_http *r, int status, const char *name, const char *field)
{
	json_t *j, *f;

	test_http_expect_error(r, status, name);
	j = test_http_json(r);
	f = json_object_get(j, "field");
	if (field == NULL)
		ck_assert_msg(f == NULL || json_is_null(f), "unexpected field: %s", r->body);
	else
		ck_assert_msg(json_is_string(f) && strcmp(json_string_value(f), field) == 0,
		              "expected field %s: %s", field, r->body);
	json_decref(j);
}

void
fixture_create_admin(const struct test_daemon *d, const char *email, char token[65])
{
	char bin[1024], cmd[2048], line[1024];
	bool found = false;
	FILE *p;

	test_binary("ngo-voted", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s --db %s --create-admin %s 2>&1", bin, d->db, email);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		char *t = strstr(line, "/setup#token=");

		if (t != NULL && sscanf(t, "/setup#token=%64s", token) == 1)
			found = true;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_msg(found, "no setup link printed");
	ck_assert_uint_eq(strlen(token), 64);
}

void
fixture_setup_password(const struct test_daemon *d, const char *token, const char *password)
{
	char body[512];
	struct test_http r;

	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"%s\"}", token, password);
	fixture_post(d, "/api/setup", NULL, body, &r);
	ck_assert_msg(r.status == 200, "setup: %d %s", r.status, r.body);
	test_http_free(&r);
}

void
fixture_login(const struct test_daemon *d, const char *email, const char *password,
              struct fixture_who *who)
{
	char body[512], set[512], *semi;
	struct test_http r;
	json_t *j;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	fixture_post(d, "/api/login", NULL, body, &r);
	ck_assert_msg(r.status == 200, "login: %d %s", r.status, r.body);
	ck_assert(test_http_header(&r, "Set-Cookie", set, sizeof(set)));
	semi = strchr(set, ';');
	ck_assert_ptr_nonnull(semi);
	*semi = '\0';
	snprintf(who->cookie, sizeof(who->cookie), "%.199s", set);
	j = test_http_json(&r);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "csrf_token")));
	snprintf(who->csrf, sizeof(who->csrf), "%s",
	         json_string_value(json_object_get(j, "csrf_token")));
	ck_assert_uint_eq(strlen(who->csrf), 64);
	json_decref(j);
	test_http_free(&r);
}

void
fixture_secretariat(const struct test_daemon *d, struct fixture_who *sec)
{
	char token[65];

	fixture_create_admin(d, FIXTURE_ADMIN, token);
	fixture_setup_password(d, token, FIXTURE_PASSWORD);
	fixture_login(d, FIXTURE_ADMIN, FIXTURE_PASSWORD, sec);
}

void
fixture_auditor(const struct test_daemon *d, const struct fixture_who *sec, const char *email,
                struct fixture_who *aud)
{
	char body[512], token[65];
	const char *url, *t;
	struct test_http r;
	json_t *j;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"role\":\"auditor\"}", email);
	fixture_post(d, "/api/accounts", sec, body, &r);
	j = fixture_json(&r, 201);
	url = json_string_value(json_object_get(j, "setup_url"));
	ck_assert_ptr_nonnull(url);
	t = strstr(url, "#token=");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(sscanf(t, "#token=%64s", token), 1);
	json_decref(j);
	test_http_free(&r);
	fixture_setup_password(d, token, "auditor password");
	fixture_login(d, email, "auditor password", aud);
}

void
fixture_ngo_create(const struct test_daemon *d, const struct fixture_who *sec, const char *id)
{
	char body[512];
	struct test_http r;

	snprintf(body, sizeof(body),
	         "{\"id\":\"%s\",\"name_en\":\"NGO %s\",\"name_km\":\"" FIXTURE_KM " %s\"}", id, id,
	         id);
	fixture_post(d, "/api/admin/ngos", sec, body, &r);
	ck_assert_msg(r.status == 201, "create %s: %d %s", id, r.status, r.body);
	test_http_free(&r);
}

void
fixture_code_issue(const struct test_daemon *d, const struct fixture_who *sec, const char *ngo_id,
                   char code[40])
{
	char path[200];
	struct test_http r;
	json_t *j;
	const char *c;

	snprintf(path, sizeof(path), "/api/admin/ngos/%s/enrolment-code", ngo_id);
	fixture_post(d, path, sec, NULL, &r);
	j = fixture_json(&r, 201);
	c = json_string_value(json_object_get(j, "code"));
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(strlen(c), 29);
	snprintf(code, 40, "%s", c);
	json_decref(j);
	test_http_free(&r);
}

void
fixture_keypair(struct fixture_key *k)
{
	ck_assert_int_eq(crypto_sign_keypair(k->pk, k->sk), 0);
	sodium_bin2hex(k->pk_hex, sizeof(k->pk_hex), k->pk, 32);
}

void
fixture_enrol(const struct test_daemon *d, const char *code, const char *pk_hex,
              struct test_http *r)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"code\":\"%s\",\"public_key\":\"%s\"}", code, pk_hex);
	fixture_post(d, "/api/enrol", NULL, body, r);
}

void
fixture_enrol_key(const struct test_daemon *d, const struct fixture_who *sec, const char *ngo_id,
                  const struct fixture_key *k)
{
	char code[40];
	struct test_http r;

	fixture_code_issue(d, sec, ngo_id, code);
	fixture_enrol(d, code, k->pk_hex, &r);
	ck_assert_msg(r.status == 201, "enrol %s: %d %s", ngo_id, r.status, r.body);
	test_http_free(&r);
}

void
fixture_fingerprint(const uint8_t pk[32], char out[40])
{
	uint8_t h[32];
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	crypto_hash_sha256(h, pk, 32);
	for (int i = 0; i < 16; i++) {
		if (i > 0 && i % 2 == 0)
			out[o++] = ' ';
		out[o++] = digits[h[i] >> 4];
		out[o++] = digits[h[i] & 15];
	}
	out[o] = '\0';
}

void
fixture_nonce(const struct test_daemon *d, const char *ngo_id, uint8_t nonce[32], char origin[300])
{
	char body[256];
	struct test_http r;
	const char *hex, *o;
	json_t *j;

	snprintf(body, sizeof(body), "{\"ngo_id\":\"%s\"}", ngo_id);
	fixture_post(d, "/api/delegate/nonce", NULL, body, &r);
	j = fixture_json(&r, 200);
	hex = json_string_value(json_object_get(j, "nonce"));
	o = json_string_value(json_object_get(j, "origin"));
	ck_assert_ptr_nonnull(hex);
	ck_assert_ptr_nonnull(o);
	ck_assert(encoding_hex_decode(hex, strlen(hex), nonce, 32));
	snprintf(origin, 300, "%s", o);
	json_decref(j);
	test_http_free(&r);
}

void
fixture_login_sign(const uint8_t sk[64], const uint8_t nonce[32], const char *origin,
                   char sig_hex[129])
{
	struct encoding_buf body;
	uint8_t sig[64];

	encoding_buf_init(&body);
	encoding_buf_append(&body, nonce, 32);
	encoding_buf_str(&body, origin, strlen(origin));
	ck_assert(!body.failed);
	ck_assert(pcrypto_sign(sk, "login", body.data, body.len, sig));
	encoding_buf_free(&body);
	encoding_hex_encode(sig, sizeof(sig), sig_hex);
}

void
fixture_delegate_login_raw(const struct test_daemon *d, const char *ngo_id, const uint8_t nonce[32],
                           const char *sig_hex, struct test_http *r)
{
	char body[512], nonce_hex[65];

	encoding_hex_encode(nonce, 32, nonce_hex);
	snprintf(body, sizeof(body), "{\"ngo_id\":\"%s\",\"nonce\":\"%s\",\"signature\":\"%s\"}",
	         ngo_id, nonce_hex, sig_hex);
	fixture_post(d, "/api/delegate/login", NULL, body, r);
}

void
fixture_delegate_login(const struct test_daemon *d, const char *ngo_id, const struct fixture_key *k,
                       struct fixture_who *who)
{
	uint8_t nonce[32];
	char origin[300], sig[129], set[512], *semi;
	struct test_http r;
	json_t *j;

	fixture_nonce(d, ngo_id, nonce, origin);
	fixture_login_sign(k->sk, nonce, origin, sig);
	fixture_delegate_login_raw(d, ngo_id, nonce, sig, &r);
	ck_assert_msg(r.status == 200, "delegate login: %d %s", r.status, r.body);
	ck_assert(test_http_header(&r, "Set-Cookie", set, sizeof(set)));
	semi = strchr(set, ';');
	ck_assert_ptr_nonnull(semi);
	*semi = '\0';
	snprintf(who->cookie, sizeof(who->cookie), "%.199s", set);
	j = test_http_json(&r);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "csrf_token")));
	snprintf(who->csrf, sizeof(who->csrf), "%s",
	         json_string_value(json_object_get(j, "csrf_token")));
	json_decref(j);
	test_http_free(&r);
}

json_t *
fixture_json(const struct test_http *r, int status)
{
	ck_assert_msg(r->status == status, "status %d, expected %d: %.400s", r->status, status,
	              r->body);
	return test_http_json(r);
}

json_t *
fixture_ngo_find(const struct test_daemon *d, const char *path, const struct fixture_who *who,
                 const char *id)
{
	struct test_http r;
	json_t *j, *ngos, *found = NULL;
	size_t i;
	json_t *n;

	fixture_get(d, path, who, &r);
	j = fixture_json(&r, 200);
	ngos = json_object_get(j, "ngos");
	ck_assert(json_is_array(ngos));
	json_array_foreach(ngos, i, n)
	{
		if (strcmp(json_string_value(json_object_get(n, "id")), id) == 0) {
			found = json_incref(n);
			break;
		}
	}
	json_decref(j);
	test_http_free(&r);
	return found;
}

size_t
fixture_ngo_count(const struct test_daemon *d, const struct fixture_who *who)
{
	struct test_http r;
	json_t *j;
	size_t n;

	fixture_get(d, "/api/admin/ngos", who, &r);
	j = fixture_json(&r, 200);
	ck_assert(json_is_array(json_object_get(j, "ngos")));
	n = json_array_size(json_object_get(j, "ngos"));
	json_decref(j);
	test_http_free(&r);
	return n;
}

json_t *
fixture_audit(const struct test_daemon *d, const struct fixture_who *who)
{
	struct test_http r;
	json_t *j, *entries;

	fixture_get(d, "/api/audit-log?limit=1000", who, &r);
	j = fixture_json(&r, 200);
	entries = json_incref(json_object_get(j, "entries"));
	ck_assert(json_is_array(entries));
	json_decref(j);
	test_http_free(&r);
	return entries;
}

static bool
str_is(const json_t *v, const char *want)
{
	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

bool
fixture_audit_has(const json_t *entries, const char *action, const char *target, const char *detail)
{
	size_t i;
	json_t *e;

	json_array_foreach(entries, i, e)
	{
		if (str_is(json_object_get(e, "action"), action) &&
		    (target == NULL || str_is(json_object_get(e, "target"), target)) &&
		    (detail == NULL || str_is(json_object_get(e, "detail"), detail)))
			return true;
	}
	return false;
}

static sqlite3 *
db_open(const char *path, int flags)
{
	sqlite3 *db = NULL;

	ck_assert_msg(sqlite3_open_v2(path, &db, flags, NULL) == SQLITE_OK, "open %s", path);
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static void
dump_query(sqlite3 *db, const char *sql, struct encoding_buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	              sqlite3_errmsg(db));
	encoding_buf_append(out, sql, strlen(sql));
	encoding_buf_u8(out, '\n');
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			if (sqlite3_column_type(st, c) == SQLITE_BLOB) {
				int n = sqlite3_column_bytes(st, c);
				const uint8_t *b = sqlite3_column_blob(st, c);
				char *hex = encoding_hex_encode_alloc(b, (size_t)n);

				ck_assert_ptr_nonnull(hex);
				encoding_buf_append(out, "x'", 2);
				encoding_buf_append(out, hex, strlen(hex));
				encoding_buf_u8(out, '\'');
				free(hex);
			} else if (sqlite3_column_type(st, c) == SQLITE_NULL) {
				encoding_buf_append(out, "NULL", 4);
			} else {
				const char *t = (const char *)sqlite3_column_text(st, c);

				encoding_buf_append(out, t, strlen(t));
			}
			encoding_buf_u8(out, '|');
		}
		encoding_buf_u8(out, '\n');
	}
	ck_assert_msg(rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

char *
fixture_db_snapshot(const char *db_path)
{
	static const char *const queries[] = {
	    "SELECT * FROM accounts ORDER BY id",
	    "SELECT * FROM setup_tokens ORDER BY token_hash",
	    "SELECT id_hash, kind, account_id, ngo_id, csrf_token, created_at FROM sessions"
	    " ORDER BY id_hash",
	    "SELECT * FROM audit_log ORDER BY id",
	    "SELECT * FROM ngos ORDER BY id",
	    "SELECT * FROM ngo_keys ORDER BY id",
	    "SELECT * FROM enrolment_codes ORDER BY code_hash",
	    "SELECT * FROM login_nonces ORDER BY nonce",
	    "SELECT * FROM elections ORDER BY id",
	    "SELECT * FROM election_roll ORDER BY election_id, ngo_id",
	    "SELECT election_id, n, hash FROM board_events ORDER BY election_id, n",
	    "SELECT * FROM ceremonies ORDER BY election_id, attempt",
	    "SELECT * FROM ceremony_messages ORDER BY election_id, attempt, seq",
	    "SELECT * FROM dry_runs ORDER BY election_id, attempt",
	    "SELECT * FROM dry_run_partials ORDER BY election_id, attempt, trustee",
	    "SELECT * FROM ballot_alphas ORDER BY election_id, alpha",
	};
	sqlite3 *db = db_open(db_path, SQLITE_OPEN_READONLY);
	struct encoding_buf out;
	uint8_t *data;
	size_t len;

	encoding_buf_init(&out);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		dump_query(db, queries[i], &out);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	encoding_buf_u8(&out, 0);
	ck_assert(!out.failed);
	data = encoding_buf_steal(&out, &len);
	ck_assert_ptr_nonnull(data);
	return (char *)data;
}

void
fixture_db_exec(const char *db_path, const char *sql)
{
	sqlite3 *db = db_open(db_path, SQLITE_OPEN_READWRITE);
	char *err = NULL;

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql,
	              err ? err : "?");
	sqlite3_free(err);
	sqlite3_close(db);
}

void
fixture_db_text(const char *db_path, const char *sql, char *out, size_t outsize)
{
	sqlite3 *db = db_open(db_path, SQLITE_OPEN_READONLY);
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	              sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	ck_assert_msg(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(out, outsize, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}
