/*
 * main.c -- ngo-voted: read the configuration, open the store (running
 * migrations), load the signing key, serve HTTP until SIGTERM/SIGINT.
 */
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "auth.h"
#include "dbq_accounts.h"
#include "dbq_elections.h"
#include "demo.h"
#include "elections.h"
#include "encoding.h"
#include "httpd.h"
#include "log.h"
#include "pwhash.h"

static struct app the_app;

static int
print_server_key(const struct config *cfg)
{
	char path[4096], why[512], hex[65];
	struct server_key key;

	config_key_path(cfg, path, sizeof(path));
	if (!server_key_load_or_create(path, &key, why, sizeof(why))) {
		fprintf(stderr, "ngo-voted: %s\n", why);
		return EXIT_FAILURE;
	}
	encoding_hex_encode(key.pk, sizeof(key.pk), hex);
	printf("%s\n", hex);
	server_key_free(&key);
	return EXIT_SUCCESS;
}

/* --create-admin EMAIL: a secretariat account and its one-time link. */
static int
create_admin(const struct config *cfg)
{
	char why[1024], token[AUTH_TOKEN_HEX + 1], base[512];
	struct dbq_account existing;
	int64_t id;
	struct db *db;
	int ret = EXIT_FAILURE;

	if (!auth_email_valid(cfg->create_admin)) {
		fprintf(stderr, "ngo-voted: '%s' is not a valid email address\n",
		        cfg->create_admin);
		return 2;
	}
	if (!db_init(cfg->db_path, cfg->busy_timeout_ms, why, sizeof(why))) {
		fprintf(stderr, "ngo-voted: database %s: %s\n", cfg->db_path, why);
		return EXIT_FAILURE;
	}
	db = db_thread();
	if (db == NULL)
		goto out;
	if (dbq_account_by_email(db, cfg->create_admin, &existing) == DB_OK) {
		fprintf(stderr, "ngo-voted: an account for %s exists already\n", cfg->create_admin);
		goto out;
	}
	if (auth_account_create(db, cfg->create_admin, "secretariat", 0, "command-line", token,
	                        &id) != DB_OK) {
		fprintf(stderr, "ngo-voted: could not create the account\n");
		goto out;
	}
	config_public_url(cfg, base, sizeof(base));
	printf("Secretariat account %s created.\n"
	       "Open this link within 24 hours to choose its password (it works once):\n"
	       "  %s/setup#token=%s\n",
	       cfg->create_admin, base, token);
	sodium_memzero(token, sizeof(token));
	ret = EXIT_SUCCESS;
out:
	db_shutdown();
	return ret;
}

/* A new key may only be made for a database that has signed nothing yet. */
static bool
key_may_be_created(const char *keypath)
{
	struct db *db;
	bool any = true;

	if (access(keypath, F_OK) == 0)
		return true;
	db = db_thread();
	if (db == NULL || dbq_elections_any_published(db, &any) != DB_OK)
		return false;
	return !any;
}

int
main(int argc, char **argv)
{
	struct config *cfg = &the_app.cfg;
	char why[1024], keypath[4096], demo_note[1024] = "";
	struct httpd *h;
	sigset_t sigs;
	unsigned port;
	int sig;

	/* the database, its WAL and the key file are for our eyes only */
	umask(077);
	/* a child started by pwhash.c for one password operation */
	if (argc == 2 && strcmp(argv[1], "--pwhash-helper") == 0)
		return pwhash_helper_main();
	if (!config_load(cfg, argc, argv, stderr))
		return 2;
	if (cfg->command == CONFIG_HELP) {
		config_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (cfg->command == CONFIG_VERSION) {
		printf("ngo-voted %s\n", NGO_VOTE_VERSION);
		return EXIT_SUCCESS;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ngo-voted: libsodium failed to initialise\n");
		return EXIT_FAILURE;
	}
	if (cfg->command == CONFIG_PRINT_SERVER_KEY)
		return print_server_key(cfg);
	if (cfg->command == CONFIG_CREATE_ADMIN)
		return create_admin(cfg);

	if (!db_init(cfg->db_path, cfg->busy_timeout_ms, why, sizeof(why))) {
		fprintf(stderr, "ngo-voted: database %s: %s\n", cfg->db_path, why);
		return EXIT_FAILURE;
	}
	config_key_path(cfg, keypath, sizeof(keypath));
	if (!key_may_be_created(keypath)) {
		fprintf(stderr,
		        "ngo-voted: the key file %s is missing, but this database already holds "
		        "elections signed with a server key. Restore the key file from your "
		        "backup; a new key would make every receipt and head unverifiable.\n",
		        keypath);
		db_shutdown();
		return EXIT_FAILURE;
	}
	if (!server_key_load_or_create(keypath, &the_app.key, why, sizeof(why))) {
		fprintf(stderr, "ngo-voted: %s\n", why);
		return EXIT_FAILURE;
	}
	if (realpath(cfg->static_dir, the_app.static_root) == NULL) {
		fprintf(stderr, "ngo-voted: static folder %s not found\n", cfg->static_dir);
		server_key_free(&the_app.key);
		return EXIT_FAILURE;
	}
	app_set(&the_app);
	if (cfg->demo && !demo_seed(cfg, demo_note, sizeof(demo_note))) {
		fprintf(stderr, "ngo-voted: the demo could not be seeded\n");
		server_key_free(&the_app.key);
		db_shutdown();
		return EXIT_FAILURE;
	}

	/* Block the stop signals before MHD starts its threads, so that they
	 * inherit the mask and only sigwait() below sees the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	h = httpd_start(cfg, &port, why, sizeof(why));
	if (h == NULL) {
		fprintf(stderr, "ngo-voted: %s\n", why);
		server_key_free(&the_app.key);
		db_shutdown();
		return EXIT_FAILURE;
	}
	app_set_bound_port(port);
	if (!elections_writer_start() || !elections_timer_start()) {
		fprintf(stderr, "ngo-voted: cannot start the election timer\n");
		httpd_stop(h, 0);
		server_key_free(&the_app.key);
		db_shutdown();
		return EXIT_FAILURE;
	}
	printf("listening on http://%s:%u/\n", cfg->listen, port);
	fputs(demo_note, stdout);
	sodium_memzero(demo_note, sizeof(demo_note));
	fflush(stdout);
	LOG_INFO("ngo-voted %s started: db=%s threads=%u max-connections=%u max-per-ip=%u "
	         "timeout=%us",
	         NGO_VOTE_VERSION, cfg->db_path, cfg->threads, cfg->max_connections,
	         cfg->max_per_ip, cfg->connection_timeout);

	if (sigwait(&sigs, &sig) != 0)
		sig = SIGTERM;
	LOG_INFO("signal %d: stopping", sig);
	httpd_stop(h, 10);
	elections_timer_stop();
	elections_writer_stop();
	db_shutdown();
	server_key_free(&the_app.key);
	LOG_INFO("stopped cleanly");
	return EXIT_SUCCESS;
}
