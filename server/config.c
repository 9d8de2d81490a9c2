/*
 * config.c -- flags and NGO_VOTE_* variables.  One table describes every
 * option once: its flag, its variable, its default and its help text.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum opt_kind { OPT_STR, OPT_UINT, OPT_ULONG, OPT_FLAG };

struct opt {
	const char *flag;
	const char *env;
	enum opt_kind kind;
	size_t offset;
	size_t size; /* OPT_STR: buffer size */
	unsigned long lo, hi;
	const char *def;
	const char *help;
};

#define OFF(f) offsetof(struct config, f)

static const struct opt opts[] = {
    {"--listen", "NGO_VOTE_LISTEN", OPT_STR, OFF(listen), sizeof(((struct config *)0)->listen), 0,
     0, "127.0.0.1", "IPv4 address to listen on"},
    {"--port", "NGO_VOTE_PORT", OPT_UINT, OFF(port), 0, 0, 65535, "8080",
     "TCP port; 0 takes any free port (the URL is printed on stdout)"},
    {"--db", "NGO_VOTE_DB", OPT_STR, OFF(db_path), sizeof(((struct config *)0)->db_path), 0, 0,
     "var/ngo-vote.sqlite", "SQLite database file (created if missing)"},
    {"--static", "NGO_VOTE_STATIC", OPT_STR, OFF(static_dir),
     sizeof(((struct config *)0)->static_dir), 0, 0, "static", "folder of the browser client"},
    {"--key-file", "NGO_VOTE_KEY_FILE", OPT_STR, OFF(key_file),
     sizeof(((struct config *)0)->key_file), 0, 0, "",
     "server signing key (default: server.key beside the database; mode 0600)"},
    {"--threads", "NGO_VOTE_THREADS", OPT_UINT, OFF(threads), 0, 1, 256, "4",
     "worker threads of the epoll thread pool"},
    {"--max-connections", "NGO_VOTE_MAX_CONNECTIONS", OPT_UINT, OFF(max_connections), 0, 1, 100000,
     "1000", "connections served at once; more are refused"},
    {"--max-per-ip", "NGO_VOTE_MAX_PER_IP", OPT_UINT, OFF(max_per_ip), 0, 1, 100000, "64",
     "connections from one client address (NGOs may share a NAT)"},
    {"--connection-timeout", "NGO_VOTE_CONNECTION_TIMEOUT", OPT_UINT, OFF(connection_timeout), 0, 1,
     3600, "30", "seconds of inactivity before a connection is closed (slow clients)"},
    {"--body-deadline", "NGO_VOTE_BODY_DEADLINE", OPT_UINT, OFF(body_deadline), 0, 1, 3600, "60",
     "seconds a client may take to send a whole request body (slow drips)"},
    {"--connection-memory", "NGO_VOTE_CONNECTION_MEMORY", OPT_ULONG, OFF(connection_memory), 0,
     8192, 16777216, "32768", "bytes of memory pool per connection (headers, buffers)"},
    {"--max-body", "NGO_VOTE_MAX_BODY", OPT_ULONG, OFF(max_body), 0, 1024, 268435456, "1048576",
     "largest request body any route accepts, in bytes (routes cap lower)"},
    {"--busy-timeout", "NGO_VOTE_BUSY_TIMEOUT", OPT_UINT, OFF(busy_timeout_ms), 0, 0, 600000,
     "5000", "milliseconds SQLite waits for a lock before the request is retried"},
    {"--session-idle", "NGO_VOTE_SESSION_IDLE", OPT_UINT, OFF(session_idle_s), 0, 1, 604800, "1800",
     "seconds without a request after which a session ends"},
    {"--session-max", "NGO_VOTE_SESSION_MAX", OPT_UINT, OFF(session_max_s), 0, 1, 2592000, "43200",
     "seconds after login at which a session ends in any case"},
    {"--enrol-code-ttl", "NGO_VOTE_ENROL_CODE_TTL", OPT_UINT, OFF(enrol_code_ttl_s), 0, 1, 31536000,
     "1209600", "seconds an enrolment code stays valid (default 14 days)"},
    {"--public-url", "NGO_VOTE_PUBLIC_URL", OPT_STR, OFF(public_url),
     sizeof(((struct config *)0)->public_url), 0, 0, "",
     "URL users reach the server at, for links (default http://LISTEN:PORT)"},
    {"--demo", "NGO_VOTE_DEMO", OPT_FLAG, OFF(demo), 0, 0, 0, "0",
     "seed an empty database with a demo election (NGOs, keys, open vote)"},
    {"--tls", "NGO_VOTE_TLS", OPT_FLAG, OFF(tls), 0, 0, 0, "0",
     "deployment is behind TLS: session cookies get the Secure attribute"},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static bool
set_value(struct config *cfg, const struct opt *o, const char *value, const char *source, FILE *err)
{
	char *p = (char *)cfg + o->offset;
	unsigned long v;
	char *end;

	switch (o->kind) {
	case OPT_STR:
		if (strlen(value) >= o->size) {
			fprintf(err, "ngo-voted: %s: value too long\n", source);
			return false;
		}
		memcpy(p, value, strlen(value) + 1);
		return true;
	case OPT_FLAG:
		if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "yes") == 0)
			*(bool *)p = true;
		else if (strcmp(value, "0") == 0 || strcmp(value, "false") == 0 ||
		         strcmp(value, "no") == 0 || value[0] == '\0')
			*(bool *)p = false;
		else {
			fprintf(err, "ngo-voted: %s: expected 0 or 1\n", source);
			return false;
		}
		return true;
	case OPT_UINT:
	case OPT_ULONG:
		errno = 0;
		if (value[0] < '0' || value[0] > '9') {
			fprintf(err, "ngo-voted: %s: expected a number\n", source);
			return false;
		}
		v = strtoul(value, &end, 10);
		if (errno != 0 || *end != '\0' || v < o->lo || v > o->hi) {
			fprintf(err, "ngo-voted: %s: expected a number from %lu to %lu\n", source,
			        o->lo, o->hi);
			return false;
		}
		if (o->kind == OPT_UINT)
			*(unsigned *)p = (unsigned)v;
		else
			*(unsigned long *)p = v;
		return true;
	}
	return false;
}

bool
config_load(struct config *cfg, int argc, char **argv, FILE *err)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NOPTS; i++) {
		const char *env = getenv(opts[i].env);

		if (!set_value(cfg, &opts[i], opts[i].def, opts[i].flag, err))
			return false;
		if (env != NULL && !set_value(cfg, &opts[i], env, opts[i].env, err))
			return false;
	}
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a];
		const struct opt *o = NULL;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			cfg->command = CONFIG_HELP;
			continue;
		}
		if (strcmp(arg, "--version") == 0) {
			cfg->command = CONFIG_VERSION;
			continue;
		}
		if (strcmp(arg, "--create-admin") == 0) {
			if (a + 1 >= argc || strlen(argv[a + 1]) >= sizeof(cfg->create_admin)) {
				fprintf(err, "ngo-voted: --create-admin needs an email address\n");
				return false;
			}
			cfg->command = CONFIG_CREATE_ADMIN;
			snprintf(cfg->create_admin, sizeof(cfg->create_admin), "%s", argv[++a]);
			continue;
		}
		if (strcmp(arg, "--print-server-key") == 0) {
			cfg->command = CONFIG_PRINT_SERVER_KEY;
			continue;
		}
		for (size_t i = 0; i < NOPTS; i++)
			if (strcmp(arg, opts[i].flag) == 0)
				o = &opts[i];
		if (o == NULL) {
			fprintf(err, "ngo-voted: unknown option '%s' (see --help)\n", arg);
			return false;
		}
		if (o->kind == OPT_FLAG) {
			*(bool *)((char *)cfg + o->offset) = true;
			continue;
		}
		if (a + 1 >= argc) {
			fprintf(err, "ngo-voted: %s needs a value\n", arg);
			return false;
		}
		if (!set_value(cfg, o, argv[++a], arg, err))
			return false;
	}
	return true;
}

void
config_usage(FILE *out)
{
	fprintf(out, "Usage: ngo-voted [OPTION]...\n"
	             "The ngo-vote election server.  Every option can also be set with the\n"
	             "environment variable shown; a flag wins over its variable.\n\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];

		fprintf(out, "  %-22s %s (%s%s%s)\n", o->kind == OPT_FLAG ? o->flag : o->flag,
		        o->help, o->env, o->def[0] ? ", default " : "",
		        o->kind == OPT_FLAG ? "off" : o->def);
	}
	fprintf(out,
	        "\nCommands:\n"
	        "  --print-server-key     print the server's Ed25519 public key (hex) and exit\n"
	        "  --create-admin EMAIL   create a secretariat account, print its one-time\n"
	        "                         setup link (valid 24 hours), and exit\n"
	        "  --help                 this text\n"
	        "  --version              the version\n\n"
	        "On start the daemon prints 'listening on http://ADDR:PORT/' as its first\n"
	        "line on stdout.  SIGTERM or SIGINT stop it cleanly.\n");
}

void
config_key_path(const struct config *cfg, char *out, size_t outsize)
{
	const char *slash;

	if (cfg->key_file[0] != '\0') {
		snprintf(out, outsize, "%s", cfg->key_file);
		return;
	}
	slash = strrchr(cfg->db_path, '/');
	if (slash == NULL)
		snprintf(out, outsize, "server.key");
	else
		snprintf(out, outsize, "%.*s/server.key", (int)(slash - cfg->db_path),
		         cfg->db_path);
}

void
config_public_url(const struct config *cfg, char *out, size_t outsize)
{
	size_t n;

	if (cfg->public_url[0] != '\0')
		snprintf(out, outsize, "%s", cfg->public_url);
	else
		snprintf(out, outsize, "http://%s:%u", cfg->listen, cfg->port);
	n = strlen(out);
	if (n > 0 && out[n - 1] == '/')
		out[n - 1] = '\0';
}
