/*
 * log.h -- the daemon's log: one line per request, and two kinds of
 * other messages: LOG_BUG (our own fault) and LOG_CLIENT (a client's).
 * Everything goes to stderr (journald under systemd).  Untrusted text is
 * always passed through log_escape before it reaches a line.
 */
#ifndef NGO_VOTE_LOG_H
#define NGO_VOTE_LOG_H

#include <stddef.h>
#include <stdint.h>

void log_msg(const char *kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_BUG(...)    log_msg("BUG", __VA_ARGS__)
#define LOG_CLIENT(...) log_msg("CLIENT", __VA_ARGS__)
#define LOG_INFO(...)   log_msg("INFO", __VA_ARGS__)

/* Copies at most max bytes of untrusted input into out (size outsize) with
 * every byte outside printable ASCII, and '"' and '\\', as \xNN. */
void log_escape(const char *in, size_t max, char *out, size_t outsize);

/* The request line: id, method, route, status, latency, escaped URL. */
void log_request(uint64_t id, const char *method, const char *route, unsigned status,
                 double latency_ms, const char *url);

#endif
