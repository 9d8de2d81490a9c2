/*
 * config.h -- the daemon's configuration: defaults, then NGO_VOTE_*
 * environment variables, then command-line flags (which win).
 */
#ifndef NGO_VOTE_CONFIG_H
#define NGO_VOTE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#define NGO_VOTE_VERSION "0.1.0"

enum config_command {
	CONFIG_RUN = 0,
	CONFIG_HELP,
	CONFIG_VERSION,
	CONFIG_PRINT_SERVER_KEY,
	CONFIG_CREATE_ADMIN,
};

struct config {
	enum config_command command;
	char listen[64];
	unsigned port;
	char db_path[4096];
	char static_dir[4096];
	char key_file[4096]; /* empty: server.key beside the database */
	unsigned threads;
	unsigned max_connections;
	unsigned max_per_ip;
	unsigned connection_timeout;
	unsigned body_deadline; /* seconds to receive a whole request body */ /* seconds */
	unsigned long connection_memory;                                      /* bytes */
	unsigned long max_body;                                               /* bytes */
	unsigned busy_timeout_ms;
	unsigned session_idle_s;
	unsigned session_max_s;
	unsigned enrol_code_ttl_s;
	char public_url[512]; /* empty: http://LISTEN:PORT */
	char create_admin[256];
	bool tls;
	bool demo;
};

/* Fills cfg from defaults, the environment and argv.  On a bad value it
 * writes a message to err and returns false. */
bool config_load(struct config *cfg, int argc, char **argv, FILE *err);
void config_usage(FILE *out);
/* The key file path: --key-file, or server.key in the database's folder. */
void config_key_path(const struct config *cfg, char *out, size_t outsize);

/* The base URL for links we print or send, without a trailing slash. */
void config_public_url(const struct config *cfg, char *out, size_t outsize);

#endif
