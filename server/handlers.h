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

#endif
