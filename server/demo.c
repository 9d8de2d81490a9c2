/*
 * demo.c -- the demo seed.  Everything goes through the same store
 * functions and use cases as real work (accounts, registry, keys, the
 * election's draft and opening), so the demo election's record verifies
 * like any other.  Its keys are made here, which is exactly what the
 * real product never does: the demo says so in its README.
 */
#include "demo.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth.h"
#include "crypto_backup.h"
#include "dbq_accounts.h"
#include "dbq_audit.h"
#include "dbq_elections.h"
#include "dbq_ngos.h"
#include "election_draft.h"
#include "elections.h"
#include "log.h"

#define DEMO_NGOS     12
#define DEMO_ADMIN    "secretariat@demo.ngo-vote.example"
#define DEMO_ELECTION "hlwg-demo"

static const struct {
	const char *id, *en, *km, *province;
} demo_ngos[DEMO_NGOS] = {
    {"mekong-child-aid", "Mekong Child Aid", "ជំនួយកុមារមេគង្គ", "Phnom Penh"},
    {"tonle-women", "Tonle Women's Network", "បណ្តាញស្ត្រីទន្លេ", "Kandal"},
    {"angkor-rights", "Angkor Rights Watch", "ឃ្លាំមើលសិទ្ធិអង្គរ", "Siem Reap"},
    {"safe-return", "Safe Return Cambodia", "ការវិលត្រឡប់ដោយសុវត្ថិភាពកម្ពុជា", "Battambang"},
    {"lotus-shelter", "Lotus Shelter", "ជម្រកផ្កាឈូក", "Kampong Cham"},
    {"border-watch", "Border Watch Association", "សមាគមឃ្លាំមើលព្រំដែន", "Banteay Meanchey"},
    {"legal-aid-kh", "Legal Aid for Survivors", "ជំនួយផ្លូវច្បាប់សម្រាប់ជនរងគ្រោះ", "Phnom Penh"},
    {"village-voices", "Village Voices", "សំឡេងភូមិ", "Takeo"},
    {"migrant-bridge", "Migrant Bridge", "ស្ពានជនចំណាកស្រុក", "Prey Veng"},
    {"youth-future", "Youth for the Future", "យុវជនដើម្បីអនាគត", "Kampot"},
    {"coastal-care", "Coastal Care", "ការថែទាំឆ្នេរសមុទ្រ", "Preah Sihanouk"},
    {"hope-house", "Hope House", "ផ្ទះក្តីសង្ឃឹម", "Pursat"},
};

static void
random_text(char *out, size_t chars)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";

	for (size_t i = 0; i < chars; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[chars] = '\0';
}

static bool
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return false;
	if (fputs(text, f) < 0) {
		fclose(f);
		return false;
	}
	return fclose(f) == 0;
}

static enum db_status
ngos_txn(struct db *db, void *cls)
{
	(void)cls;
	for (int i = 0; i < DEMO_NGOS; i++) {
		struct dbq_ngo_fields f = {demo_ngos[i].id,
		                           demo_ngos[i].en,
		                           demo_ngos[i].km,
		                           "DEMO-000",
		                           "Demo Delegate",
		                           "+855 12 000 000",
		                           "delegate@demo.ngo-vote.example",
		                           demo_ngos[i].province};
		enum db_status st = dbq_ngo_insert(db, &f);

		if (st != DB_OK)
			return st;
	}
	return dbq_audit_add(db, "demo", "demo.seed", NULL, "12 fictional NGOs");
}

static enum db_status
key_txn(struct db *db, void *cls)
{
	const uint8_t *const *args = cls;

	return dbq_ngo_key_replace(db, (const char *)args[0], args[1]);
}

bool
demo_seed(const struct config *cfg, char *note, size_t notesize)
{
	struct db *db = db_thread();
	FILE *readme;
	char dir[4200], path[4400], pass[13], password[17], token[AUTH_TOKEN_HEX + 1];
	struct dbq_ngo existing;
	struct dbq_account admin;
	json_t *draft, *problems = NULL, *contests, *contest;
	const char *why = NULL, *slash;
	int64_t admin_id = 0;
	size_t ci;
	char *text;
	enum db_status st;

	if (db == NULL)
		return false;
	slash = strrchr(cfg->db_path, '/');
	snprintf(dir, sizeof(dir), "%.*s%sdemo", slash ? (int)(slash - cfg->db_path) : 0,
	         cfg->db_path, slash ? "/" : "");
	if (dbq_ngo_get(db, demo_ngos[0].id, 0, &existing) == DB_OK ||
	    dbq_account_by_email(db, DEMO_ADMIN, &admin) == DB_OK) {
		snprintf(note, notesize, "demo: already seeded; keys and passphrases are in %s/\n",
		         dir);
		return true;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "ngo-voted: cannot create %s: %s\n", dir, strerror(errno));
		return false;
	}
	/* stderr: stdout's first line is the listening URL, for scripts */
	fprintf(stderr, "demo: seeding 12 NGOs with keys (600,000-round key backups take a "
	                "moment)\n");
	if (db_txn_run(db, "demo-ngos", ngos_txn, NULL) != DB_OK)
		return false;
	snprintf(path, sizeof(path), "%s/README.txt", dir);
	readme = fopen(path, "w");
	if (readme == NULL)
		return false;
	fprintf(readme,
	        "ngo-vote demo: the key backup of each demo NGO and its passphrase.\n"
	        "In a real election the key is made in the delegate's browser and the\n"
	        "server never sees it; here the demo made them for you.\n\n"
	        "Vote in the browser: open /restore, pick the NGO's .key.json file and\n"
	        "type its passphrase, then vote from /delegate.\n"
	        "Vote from the command line:\n"
	        "  NGO_VOTE_PASSPHRASE=<passphrase> build/ngo-vote-cast --server "
	        "http://127.0.0.1:%u \\\n    --election " DEMO_ELECTION
	        " --key %s/<ngo>.key.json --choose prevention=<ngo>\n\n",
	        cfg->port, dir);
	for (int i = 0; i < DEMO_NGOS; i++) {
		uint8_t seed[32], pk[32], sk[64];
		const uint8_t *args[2] = {(const uint8_t *)demo_ngos[i].id, pk};
		char *backup;

		randombytes_buf(seed, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		sodium_memzero(sk, sizeof(sk));
		random_text(pass, 12);
		backup = backup_encrypt(seed, demo_ngos[i].id, pass, BACKUP_ITERATIONS, &why);
		sodium_memzero(seed, sizeof(seed));
		snprintf(path, sizeof(path), "%s/%s.key.json", dir, demo_ngos[i].id);
		if (backup == NULL || !write_file(path, backup) ||
		    db_txn_run(db, "demo-key", key_txn, (void *)args) != DB_OK) {
			fprintf(stderr, "ngo-voted: demo key for %s: %s\n", demo_ngos[i].id,
			        why ? why : "cannot write or store it");
			free(backup);
			fclose(readme);
			return false;
		}
		free(backup);
		fprintf(readme, "%-18s %s.key.json  passphrase: %s\n", demo_ngos[i].id,
		        demo_ngos[i].id, pass);
	}
	fclose(readme);
	/* the secretariat, with a printed password */
	random_text(password, 16);
	if (auth_account_create(db, DEMO_ADMIN, "secretariat", 0, "demo", token, &admin_id) !=
	        DB_OK ||
	    auth_setup_password(db, token, password, &admin_id) != DB_OK)
		return false;
	/* the six working groups, four candidates each, opened now */
	draft = election_draft_new("Demo: NGO co-chairs of the HLWG working groups",
	                           "ការបោះឆ្នោតសាកល្បង៖ សហប្រធានក្រុមការងារ", true);
	contests = json_object_get(draft, "contests");
	json_array_foreach(contests, ci, contest)
	{
		json_t *cands = json_object_get(contest, "candidates");

		for (int k = 0; k < 4; k++)
			json_array_append_new(
			    cands, json_string(demo_ngos[(ci * 2 + (size_t)k) % DEMO_NGOS].id));
	}
	text = json_dumps(draft, JSON_COMPACT);
	{
		struct dbq_schedule sched = {"", "", false, false};

		st = text ? dbq_election_create(db, DEMO_ELECTION, text, &sched) : DB_ERROR;
	}
	free(text);
	json_decref(draft);
	if (st != DB_OK)
		return false;
	st = elections_open(db, DEMO_ELECTION, "demo", &problems);
	json_decref(problems);
	if (st != DB_OK) {
		fprintf(stderr, "ngo-voted: demo election did not open\n");
		return false;
	}
	snprintf(note, notesize,
	         "demo: election '" DEMO_ELECTION "' is open with the six working groups.\n"
	         "demo: secretariat login: " DEMO_ADMIN "  password: %s\n"
	         "demo: NGO key backups and passphrases: %s/README.txt\n",
	         password, dir);
	sodium_memzero(password, sizeof(password));
	return true;
}
