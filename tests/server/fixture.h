/*
 * fixture.h -- shared set-up for the registry, enrolment, delegate and
 * authorisation suites: the principals (secretariat, auditor, NGO
 * delegate) of a running test daemon, NGOs with enrolled keys, signed
 * delegate logins, and read-only snapshots of the database tables that
 * hold state, so a test can assert that a refused request changed nothing.
 */
#ifndef NGO_VOTE_TEST_FIXTURE_H
#define NGO_VOTE_TEST_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helpers.h"

#define FIXTURE_ADMIN    "admin@example.org"
#define FIXTURE_PASSWORD "correct horse battery"
/* A Khmer name: "Cambodian NGO" in Khmer script. */
#define FIXTURE_KM "អង្គការកម្ពុជា"

/* A logged-in caller: the Cookie header value and the CSRF token. */
struct fixture_who {
	char cookie[200];
	char csrf[65];
};

/* An Ed25519 key pair made with crypto_sign_keypair. */
struct fixture_key {
	uint8_t pk[32];
	uint8_t sk[64];
	char pk_hex[65];
};

/* Sends method path with an optional session (cookie, and the CSRF token
 * when with_csrf), an optional Content-Type, extra header lines and a
 * body (NULL: none, no Content-Length). */
void fixture_request(const struct test_daemon *d, const char *method, const char *path,
                     const struct fixture_who *who, bool with_csrf, const char *content_type,
                     const char *extra_headers, const char *body, size_t body_len,
                     struct test_http *r);
/* GET with the session (NULL: anonymous). */
void fixture_get(const struct test_daemon *d, const char *path, const struct fixture_who *who,
                 struct test_http *r);
/* POST of a JSON body (NULL: no body) with the session and its token. */
void fixture_post(const struct test_daemon *d, const char *path, const struct fixture_who *who,
                  const char *json, struct test_http *r);
/* PUT of a JSON body with the session and its token. */
void fixture_put(const struct test_daemon *d, const char *path, const struct fixture_who *who,
                 const char *json, struct test_http *r);

/* Asserts an error answer and the field it names (NULL: no "field"). */
void fixture_expect_field(const struct test_http *r, int status, const char *name,
                          const char *field);

/* Runs --create-admin EMAIL on the daemon's database; fills the token. */
void fixture_create_admin(const struct test_daemon *d, const char *email, char token[65]);
/* Sets the first password through a setup token (asserts 200). */
void fixture_setup_password(const struct test_daemon *d, const char *token, const char *password);
/* Logs in (asserts 200) and fills who. */
void fixture_login(const struct test_daemon *d, const char *email, const char *password,
                   struct fixture_who *who);
/* Creates FIXTURE_ADMIN, sets its password and logs it in. */
void fixture_secretariat(const struct test_daemon *d, struct fixture_who *sec);
/* The secretariat creates an auditor account, which sets its password
 * ("auditor password") and logs in. */
void fixture_auditor(const struct test_daemon *d, const struct fixture_who *sec, const char *email,
                     struct fixture_who *aud);

/* Creates an NGO with the minimal fields (asserts 201). */
void fixture_ngo_create(const struct test_daemon *d, const struct fixture_who *sec, const char *id);
/* Issues an enrolment code for the NGO (asserts 201); fills the code. */
void fixture_code_issue(const struct test_daemon *d, const struct fixture_who *sec,
                        const char *ngo_id, char code[40]);
void fixture_keypair(struct fixture_key *k);
/* POST /api/enrol {code, public_key}. */
void fixture_enrol(const struct test_daemon *d, const char *code, const char *pk_hex,
                   struct test_http *r);
/* Issues a code and enrols the key with it (asserts 201). */
void fixture_enrol_key(const struct test_daemon *d, const struct fixture_who *sec,
                       const char *ngo_id, const struct fixture_key *k);
/* The fingerprint computed here, independently of the server:
 * SHA-256(pk)[0..16] as 8 space-separated groups of 4 lowercase hex. */
void fixture_fingerprint(const uint8_t pk[32], char out[40]);

/* POST /api/delegate/nonce for ngo_id (asserts 200); fills the nonce and
 * the origin the server wants signed. */
void fixture_nonce(const struct test_daemon *d, const char *ngo_id, uint8_t nonce[32],
                   char origin[300]);
/* The login signature: the signing rule with T = "login" over
 * nonce || STR(origin); hex into sig_hex. */
void fixture_login_sign(const uint8_t sk[64], const uint8_t nonce[32], const char *origin,
                        char sig_hex[129]);
/* POST /api/delegate/login with a nonce and a signature (both binary). */
void fixture_delegate_login_raw(const struct test_daemon *d, const char *ngo_id,
                                const uint8_t nonce[32], const char *sig_hex, struct test_http *r);
/* Nonce, signature with k, login (asserts 200); fills who. */
void fixture_delegate_login(const struct test_daemon *d, const char *ngo_id,
                            const struct fixture_key *k, struct fixture_who *who);

/* The body of a JSON answer (asserts the status); caller decrefs. */
json_t *fixture_json(const struct test_http *r, int status);
/* One NGO from GET path ("/api/ngos" or "/api/admin/ngos"); caller
 * decrefs; NULL if absent. */
json_t *fixture_ngo_find(const struct test_daemon *d, const char *path,
                         const struct fixture_who *who, const char *id);
/* Number of NGOs in GET /api/admin/ngos. */
size_t fixture_ngo_count(const struct test_daemon *d, const struct fixture_who *who);
/* The newest audit-log entries (GET /api/audit-log); caller decrefs. */
json_t *fixture_audit(const struct test_daemon *d, const struct fixture_who *who);
/* Whether the audit log holds an entry with this action and target
 * (target NULL: any) and, if detail is not NULL, this detail. */
bool fixture_audit_has(const json_t *entries, const char *action, const char *target,
                       const char *detail);

/* Every row of the tables that hold state (sessions without last_seen,
 * which a request may legitimately refresh), as text; caller frees. */
char *fixture_db_snapshot(const char *db_path);
/* Runs SQL on the database (read-write) and asserts it succeeds. */
void fixture_db_exec(const char *db_path, const char *sql);
/* The first column of the first row of a query, as text (empty when no
 * row or NULL); asserts the query succeeds. */
void fixture_db_text(const char *db_path, const char *sql, char *out, size_t outsize);

#endif
