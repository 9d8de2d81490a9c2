/*
 * handlers.h -- one function per endpoint, named h_<endpoint>.  Each
 * receives a request whose route, path arguments and (for JSON routes)
 * parsed body are already checked, and answers through reply.h.
 */
#ifndef NGO_VOTE_HANDLERS_H
#define NGO_VOTE_HANDLERS_H

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
/* Sets (hex) or clears (NULL) the session cookie on the reply. */
void h_auth_set_cookie(struct request *rq, const char *hex);

#endif
