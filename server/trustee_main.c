/*
 * trustee_main.c -- ngo-vote-trustee, the tool a trustee of a
 * secret-ballot election runs on their own machine: makes the trustee's
 * identity key, takes part in the key ceremony, decrypts the dry run and,
 * after verifying the whole record and recomputing the tally, its part
 * of the result.  Options, --help, keygen and status live here; the rest
 * in trustee_*.c (see trustee.h).
 *
 * Exit status: 0 done, 1 refused or failed (the reason is printed),
 * 2 usage.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "protocol_dkg.h"
#include "trustee.h"

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n"
	    "    ngo-vote-trustee - a trustee's tool for secret-ballot elections\n"
	    "\n"
	    "SYNOPSIS\n"
	    "    ngo-vote-trustee keygen   --key FILE\n"
	    "    ngo-vote-trustee ceremony --election ID --key FILE (--server URL [--wait]\n"
	    "                              [--timeout S] | --in CEREMONY.json) [--out MSG.json]\n"
	    "    ngo-vote-trustee status   --server URL --election ID --key FILE\n"
	    "    ngo-vote-trustee dry-run  --election ID --key FILE (--server URL | --in "
	    "DRYRUN.json\n"
	    "                              --ceremony-in CEREMONY.json) [--out PD.json]\n"
	    "    ngo-vote-trustee decrypt  --election ID --key FILE (--server URL | --in "
	    "RECORD.jsonl)\n"
	    "                              [--min-ballots K] [--out PD.json]\n"
	    "    Every command that opens the key also takes [--passphrase-file F].\n"
	    "\n");
	fprintf(out,
	        "DESCRIPTION\n"
	        "    The votes of a secret-ballot election are encrypted under a key that no\n"
	        "    one holds: each of the n trustees holds a share of it, and any t of them\n"
	        "    together decrypt the totals -- never a single ballot.  This tool does a\n"
	        "    trustee's part.  Everything secret stays in the key FILE, encrypted with\n"
	        "    the trustee's passphrase (Argon2id, XSalsa20-Poly1305); nothing secret\n"
	        "    is ever printed or sent.\n"
	        "\n"
	        "    keygen    Makes the trustee's Ed25519 identity key in a new FILE (mode\n"
	        "              0600; an existing file is never overwritten) and prints its\n"
	        "              public key and fingerprint: give the public key to the\n"
	        "              secretariat, and confirm the fingerprint with it by phone.\n"
	        "\n"
	        "    ceremony  Takes part in the key ceremony (rounds 0 to 3).  Every message\n"
	        "              of the other trustees is checked before it is used; a bad one\n"
	        "              stops the tool, naming the trustee.  Each run does the round\n"
	        "              that is due; --wait goes on, polling every second, until the\n"
	        "              ceremony is complete.  The round secrets and then the share\n"
	        "              are saved in FILE before anything is sent.  If the secretariat\n"
	        "              restarts the ceremony, the old round secrets are discarded.\n"
	        "\n"
	        "    status    Shows the election, the ceremony, which rounds this trustee has\n"
	        "              done, whether FILE holds its share, and the dry run.\n"
	        "\n"
	        "    dry-run   Decrypts the dry run (test ciphertexts of known totals, made\n"
	        "              before the election opens) to show that the share works.  It\n"
	        "              refuses anything that is not a dry run (counted ballots must\n"
	        "              be 0), so a dry run cannot be used to decrypt real ballots.\n"
	        "\n"
	        "    decrypt   After voting closes: downloads the election record, verifies\n"
	        "              all of it (the checks of ngo-vote-verify), recomputes the\n"
	        "              tally from the ballots on the board, and refuses if the\n"
	        "              published tally differs or fewer than K ballots were counted\n"
	        "              (K = --min-ballots, default 2: decrypting a single ballot's\n"
	        "              ciphertexts would reveal that vote).  Then it sends its signed\n"
	        "              partial decryption of the totals, with a proof.\n"
	        "\n");
	fprintf(out,
	        "OPTIONS\n"
	        "    --server URL           the election server, e.g. https://vote.example.org\n"
	        "    --election ID          the election's identifier\n"
	        "    --key FILE             the trustee's key file\n"
	        "    --passphrase-file F    read the passphrase from F (first line); otherwise\n"
	        "                           from $" TRUSTEE_ENV_PASS ", otherwise it\n"
	        "                           is asked on the terminal\n"
	        "    --in FILE              air-gapped: read from FILE what the server would\n"
	        "                           give: for ceremony the ceremony JSON (GET\n"
	        "                           /api/elections/ID/ceremony), for dry-run the dry-run\n"
	        "                           JSON (GET .../dry-run), for decrypt the record (GET\n"
	        "                           .../record)\n"
	        "    --ceremony-in FILE     dry-run, air-gapped: the ceremony JSON as well\n"
	        "    --out FILE             air-gapped: write the message to send to FILE\n"
	        "                           instead of sending it; POST it from a connected\n"
	        "                           machine to the path the tool prints\n"
	        "    --wait                 ceremony: poll until the ceremony is complete\n"
	        "    --timeout S            with --wait: give up after S seconds\n"
	        "    --min-ballots K        decrypt: the fewest counted ballots accepted (2)\n"
	        "    --help                 this text\n"
	        "\n");
	fprintf(out, "EXIT STATUS\n"
	             "    0 done, 1 refused or failed (the reason is printed), 2 usage.\n");
}

static bool
parse_args(int argc, char **argv, struct trustee_options *o)
{
	memset(o, 0, sizeof(*o));
	o->min_ballots = 2;
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a];
		const char *val = a + 1 < argc ? argv[a + 1] : NULL;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 ||
		    strcmp(arg, "help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (arg[0] != '-') {
			if (o->command != NULL) {
				fprintf(stderr, "ngo-vote-trustee: unexpected argument %s\n", arg);
				return false;
			}
			o->command = arg;
			continue;
		}
		if (strcmp(arg, "--wait") == 0) {
			o->wait = true;
			continue;
		}
		if (val == NULL) {
			fprintf(stderr, "ngo-vote-trustee: %s needs a value\n", arg);
			return false;
		}
		a++;
		if (strcmp(arg, "--server") == 0) {
			o->server = val;
		} else if (strcmp(arg, "--election") == 0) {
			o->election = val;
		} else if (strcmp(arg, "--key") == 0) {
			o->key_file = val;
		} else if (strcmp(arg, "--passphrase-file") == 0) {
			o->passphrase_file = val;
		} else if (strcmp(arg, "--in") == 0) {
			o->in = val;
		} else if (strcmp(arg, "--ceremony-in") == 0) {
			o->ceremony_in = val;
		} else if (strcmp(arg, "--out") == 0) {
			o->out = val;
		} else if (strcmp(arg, "--timeout") == 0 || strcmp(arg, "--min-ballots") == 0) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);

			if (*val == '\0' || *end != '\0' || v > 1000000000ul) {
				fprintf(stderr, "ngo-vote-trustee: %s wants a number\n", arg);
				return false;
			}
			if (arg[2] == 't') {
				o->timeout = (unsigned)v;
			} else {
				o->min_ballots = (unsigned)v;
				o->min_ballots_set = true;
			}
		} else {
			fprintf(stderr, "ngo-vote-trustee: unknown option %s\n", arg);
			return false;
		}
	}
	return true;
}

/* What each command needs; false (usage) with a message. */
static bool
check_args(const struct trustee_options *o)
{
	const char *c = o->command;
	bool keygen = strcmp(c, "keygen") == 0, ceremony = strcmp(c, "ceremony") == 0;
	bool decrypt = strcmp(c, "decrypt") == 0, dry = strcmp(c, "dry-run") == 0;

	if (o->key_file == NULL) {
		fprintf(stderr, "ngo-vote-trustee: %s needs --key FILE\n", c);
		return false;
	}
	if (keygen) {
		if (o->server || o->election || o->in || o->out || o->wait) {
			fprintf(stderr, "ngo-vote-trustee: keygen takes only --key and "
			                "--passphrase-file\n");
			return false;
		}
		return true;
	}
	if (o->election == NULL || !protocol_id_valid(o->election, strlen(o->election))) {
		fprintf(stderr, "ngo-vote-trustee: %s needs --election ID (a-z, 0-9, _ and -)\n",
		        c);
		return false;
	}
	if ((ceremony || decrypt || dry) ? (o->server == NULL) == (o->in == NULL)
	                                 : o->server == NULL) {
		fprintf(stderr, "ngo-vote-trustee: %s needs --server URL%s\n", c,
		        ceremony || decrypt || dry ? " or --in FILE (one of them)" : "");
		return false;
	}
	if ((o->ceremony_in != NULL) != (dry && o->in != NULL)) {
		fprintf(stderr, "ngo-vote-trustee: --ceremony-in CEREMONY.json goes with "
		                "`dry-run --in DRYRUN.json`\n");
		return false;
	}
	if (o->wait && (!ceremony || o->in != NULL)) {
		fprintf(stderr, "ngo-vote-trustee: --wait is for `ceremony --server`\n");
		return false;
	}
	if (o->in != NULL && !(ceremony || decrypt || dry)) {
		fprintf(stderr, "ngo-vote-trustee: --in is for ceremony, dry-run and decrypt\n");
		return false;
	}
	if (o->out != NULL && strcmp(c, "status") == 0) {
		fprintf(stderr, "ngo-vote-trustee: status sends nothing (no --out)\n");
		return false;
	}
	if (o->min_ballots_set && !decrypt) {
		fprintf(stderr, "ngo-vote-trustee: --min-ballots is for decrypt\n");
		return false;
	}
	return true;
}

bool
trustee_open_key(const struct trustee_options *o, struct trustee_key **out)
{
	char *pass = sodium_malloc(TRUSTEE_PASS_MAX);
	bool ok = pass != NULL && trustee_passphrase(o, false, pass) &&
	          trustee_key_open(o->key_file, pass, out);

	if (pass != NULL)
		sodium_free(pass);
	return ok;
}

static int
cmd_keygen(const struct trustee_options *o)
{
	char *pass = sodium_malloc(TRUSTEE_PASS_MAX), hex[65], fp[40];
	uint8_t pk[PCRYPTO_PK_BYTES];
	bool ok;

	ok = pass != NULL && trustee_passphrase(o, true, pass) &&
	     trustee_key_create(o->key_file, pass, pk);
	if (pass != NULL)
		sodium_free(pass);
	if (!ok)
		return TRUSTEE_REFUSED;
	encoding_hex_encode(pk, sizeof(pk), hex);
	trustee_fingerprint(pk, fp);
	printf("Trustee key written to %s, encrypted with your passphrase.\n"
	       "public key:  %s\n"
	       "fingerprint: %s\n"
	       "Give the public key to the secretariat and confirm the fingerprint with it\n"
	       "over another channel (in person, by phone).  Keep a backup copy of the file:\n"
	       "without it and its passphrase your share of the election key is lost.\n",
	       o->key_file, hex, fp);
	return TRUSTEE_OK;
}

/* The election's public status: "draft" while GET /api/elections/ID is 404. */
static void
election_status(const struct trustee_options *o, char *out, size_t size)
{
	struct cli_response r = {0};
	json_t *j;

	trustee_get(o, "", &r);
	j = r.status == 200 ? json_loadb(r.data, r.len, 0, NULL) : NULL;
	if (json_is_string(json_object_get(j, "status")))
		snprintf(out, size, "%s", json_string_value(json_object_get(j, "status")));
	else if (r.status == 404)
		snprintf(out, size, "not public (a draft, or no such election)");
	else
		snprintf(out, size, "unknown (HTTP %ld)", r.status);
	json_decref(j);
	cli_response_free(&r);
}

static int
cmd_status(const struct trustee_options *o)
{
	struct trustee_key *key = NULL;
	struct trustee_ceremony c;
	struct cli_response r = {0};
	char status[80], hex[65], fp[40];
	json_t *doc = NULL, *st, *dry = NULL;
	uint8_t eh[PCRYPTO_HASH_BYTES];
	int ret = TRUSTEE_REFUSED;

	if (!trustee_open_key(o, &key))
		return TRUSTEE_REFUSED;
	encoding_hex_encode(key->pk, sizeof(key->pk), hex);
	trustee_fingerprint(key->pk, fp);
	printf("key:       %s\n           public key %s\n           fingerprint %s\n", o->key_file,
	       hex, fp);
	election_status(o, status, sizeof(status));
	printf("election:  %s, %s\n", o->election, status);
	doc = trustee_fetch_json(o, "ceremony", "ceremony");
	if (doc == NULL || !trustee_ceremony_load(o, doc, key->pk, &c))
		goto out;
	if (protocol_dkg_complete(c.k))
		printf("ceremony:  complete (attempt %lld)\n", c.attempt);
	else
		printf("ceremony:  attempt %lld, round %u of 0-3 under way%s%s%s\n", c.attempt,
		       protocol_dkg_round(c.k), c.state[0] ? " (server: " : "", c.state,
		       c.state[0] ? ")" : "");
	if (c.me == 0) {
		printf("trustee:   this key is NOT a trustee of this election\n");
	} else {
		printf("trustee:   %u of %u (%s), threshold %u\n", c.me, c.m->n,
		       c.m->trustees[c.me - 1].id, c.m->t);
		printf("rounds:   ");
		for (uint32_t round = 0; round < DKG_ROUNDS; round++)
			printf(" R%u %s", round,
			       protocol_dkg_has(c.k, round, c.me) ? "done" : "not done");
		printf("\n");
	}
	st = trustee_key_election(key, o->election, false);
	if (st != NULL && trustee_state_get_hex(st, "election_hash", eh, sizeof(eh)) &&
	    json_object_get(st, "z") != NULL) {
		uint8_t now[PCRYPTO_HASH_BYTES];
		bool current = protocol_dkg_election_hash(c.k, now) && memcmp(now, eh, 64) == 0;

		encoding_hex_encode(eh, 8, hex);
		printf("share:     held in the key file (election hash %s...)%s\n", hex,
		       current ? "" : ", but NOT for the ceremony now published");
	} else {
		printf("share:     not held%s\n",
		       st != NULL && json_object_get(st, "a") ? " (round secrets held)" : "");
	}
	trustee_ceremony_clear(&c);
	trustee_get(o, "dry-run", &r);
	dry = r.status == 200 ? json_loadb(r.data, r.len, 0, NULL) : NULL;
	if (json_is_string(json_object_get(dry, "state")))
		printf("dry run:   %s\n", json_string_value(json_object_get(dry, "state")));
	else if (json_is_string(json_object_get(dry, "status")))
		printf("dry run:   %s\n", json_string_value(json_object_get(dry, "status")));
	else
		printf("dry run:   none (HTTP %ld)\n", r.status);
	ret = TRUSTEE_OK;
out:
	json_decref(dry);
	json_decref(doc);
	cli_response_free(&r);
	trustee_key_close(key);
	return ret;
}

int
main(int argc, char **argv)
{
	struct trustee_options o;
	int ret;

	if (!parse_args(argc, argv, &o))
		return TRUSTEE_USAGE;
	if (o.command == NULL) {
		usage(stderr);
		return TRUSTEE_USAGE;
	}
	if (strcmp(o.command, "keygen") != 0 && strcmp(o.command, "ceremony") != 0 &&
	    strcmp(o.command, "status") != 0 && strcmp(o.command, "dry-run") != 0 &&
	    strcmp(o.command, "decrypt") != 0) {
		fprintf(stderr, "ngo-vote-trustee: unknown command %s (see --help)\n", o.command);
		return TRUSTEE_USAGE;
	}
	if (!check_args(&o))
		return TRUSTEE_USAGE;
	if (sodium_init() < 0 || !cli_init("ngo-vote-trustee"))
		return TRUSTEE_REFUSED;
	trustee_json_secure();
	if (strcmp(o.command, "keygen") == 0)
		ret = cmd_keygen(&o);
	else if (strcmp(o.command, "ceremony") == 0)
		ret = trustee_cmd_ceremony(&o);
	else if (strcmp(o.command, "status") == 0)
		ret = cmd_status(&o);
	else if (strcmp(o.command, "dry-run") == 0)
		ret = trustee_cmd_dry_run(&o);
	else
		ret = trustee_cmd_decrypt(&o);
	cli_cleanup();
	fflush(stdout);
	return ret;
}
