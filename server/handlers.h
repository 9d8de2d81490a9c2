/*
 * handlers.h -- one function per endpoint, named h_<endpoint>.  Each
 * receives a request whose route, path arguments and (for JSON routes)
 * parsed body are already checked, and answers through reply.h.
 */
#ifndef NGO_VOTE_HANDLERS_H
#define NGO_VOTE_HANDLERS_H

#include "db.h"
#include "request.h"

enum MHD_Result h_healthz(struct request *rq);
enum MHD_Result h_static(struct request *rq);
enum MHD_Result h_record(struct request *rq);
enum MHD_Result h_receipt_check(struct request *rq);

/* accounts and sessions (h_auth.c, h_accounts.c) */
enum MHD_Result h_setup(struct request *rq);
enum MHD_Result h_login(struct request *rq);
enum MHD_Result h_logout(struct request *rq);
enum MHD_Result h_session(struct request *rq);
enum MHD_Result h_accounts_list(struct request *rq);
enum MHD_Result h_accounts_create(struct request *rq);
enum MHD_Result h_account_deactivate(struct request *rq);
enum MHD_Result h_audit_log(struct request *rq);
/* NGO registry (h_ngos.c) */
enum MHD_Result h_ngos_public(struct request *rq);
enum MHD_Result h_admin_ngos_list(struct request *rq);
enum MHD_Result h_admin_ngo_create(struct request *rq);
enum MHD_Result h_admin_ngo_update(struct request *rq);
enum MHD_Result h_admin_ngo_deactivate(struct request *rq);
enum MHD_Result h_admin_ngo_activate(struct request *rq);
enum MHD_Result h_admin_ngos_import(struct request *rq);
enum MHD_Result h_admin_ngos_export(struct request *rq);
/* enrolment (h_enrol.c) and delegate login (h_delegate.c) */
enum MHD_Result h_enrol_code_issue(struct request *rq);
enum MHD_Result h_enrol_code_revoke(struct request *rq);
enum MHD_Result h_enrol_check(struct request *rq);
enum MHD_Result h_enrol(struct request *rq);
enum MHD_Result h_delegate_nonce(struct request *rq);
enum MHD_Result h_delegate_login(struct request *rq);
enum MHD_Result h_delegate_me(struct request *rq);
/* elections: the secretariat's drafts (h_elections_admin.c), the public
 * read API (h_elections.c) and casting (h_ballot.c) */
enum MHD_Result h_admin_elections_list(struct request *rq);
enum MHD_Result h_admin_election_get(struct request *rq);
enum MHD_Result h_admin_election_create(struct request *rq);
enum MHD_Result h_admin_election_update(struct request *rq);
enum MHD_Result h_admin_election_open(struct request *rq);
enum MHD_Result h_admin_election_close(struct request *rq);
enum MHD_Result h_elections_list(struct request *rq);
enum MHD_Result h_election_get(struct request *rq);
enum MHD_Result h_election_board(struct request *rq);
enum MHD_Result h_election_result(struct request *rq);
enum MHD_Result h_ballot_cast(struct request *rq);
/* secret mode: the key ceremony (h_ceremony.c), its dry run (h_dry_run.c)
 * and the tally's partial decryptions (h_decryption.c) */
enum MHD_Result h_ceremony_get(struct request *rq);
enum MHD_Result h_ceremony_start(struct request *rq);
enum MHD_Result h_ceremony_restart(struct request *rq);
enum MHD_Result h_ceremony_cancel(struct request *rq);
enum MHD_Result h_ceremony_message(struct request *rq);
enum MHD_Result h_dry_run_get(struct request *rq);
enum MHD_Result h_dry_run_start(struct request *rq);
enum MHD_Result h_dry_run_partial(struct request *rq);
enum MHD_Result h_partial_decryption(struct request *rq);
/* Opens a session (account or delegate), sets its cookie and answers 200
 * with body (stolen) plus the session's csrf_token. */
enum MHD_Result h_auth_start_session(struct request *rq, struct db *db, int64_t account_id,
                                     const char *ngo_id, json_t *body);
/* Sets (hex) or clears (NULL) the session cookie on the reply. */
void h_auth_set_cookie(struct request *rq, const char *hex);

#endif
