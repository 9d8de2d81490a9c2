/*
 * cli.h -- what the two command-line clients, ngo-vote-cast and
 * ngo-vote-trustee, share (the daemon never links it: it has no
 * libcurl): GET and POST to the election server through libcurl (HTTPS
 * in production), reading a file whole, and asking for a passphrase.
 * Messages on stderr start with the program's name.
 */
#ifndef NGO_VOTE_CLI_H
#define NGO_VOTE_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* The largest answer read (a record of a large election). */
#define CLI_ANSWER_MAX ((size_t)512 << 20)

struct cli_response {
	long status; /* HTTP status, 0 when no answer */
	char *data;  /* NUL-terminated; NULL when the answer was empty */
	size_t len;
};

/* Once, before any request: libcurl's global set-up.  program names the
 * messages and is the User-Agent. */
bool cli_init(const char *program);
void cli_cleanup(void);

/* server/api/elections/<election>[/<what>] (what may be ""), with the
 * server's trailing slashes dropped. */
void cli_election_url(const char *server, const char *election, const char *what, char *url,
                      size_t size);
/* GET url, or POST the JSON body when body is not NULL.  Returns the HTTP
 * status, 0 when no answer came (the reason printed).  Release r with
 * cli_response_free. */
long cli_http(const char *url, const char *body, struct cli_response *r);
void cli_response_free(struct cli_response *r);

/* A whole file, at most max bytes, into a NUL-terminated malloc'd buffer
 * (*len without the NUL); NULL with the reason printed.  Every buffer it
 * lets go of is wiped first: the file may hold a passphrase or a seed
 * (the caller wipes the one it gets, with *len). */
char *cli_read_file(const char *path, size_t max, size_t *len);

/* A passphrase into out (outsize bytes, sodium memory): the first line of
 * file (at most file_max bytes) when file is not NULL, else the
 * environment variable env, else typed on the terminal without echo after
 * prompt, and typed again after confirm when confirm is not NULL.  false
 * with the reason printed. */
bool cli_passphrase(const char *file, size_t file_max, const char *env, const char *prompt,
                    const char *confirm, char *out, size_t outsize);

#endif
