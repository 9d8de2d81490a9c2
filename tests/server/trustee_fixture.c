/*
 * trustee_fixture.c -- running ngo-vote-trustee from the tests (see
 * trustee_fixture.h).
 */
#include "trustee_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "helpers.h"

char *
tfx_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

int
tfx_tool(const char *dir, const char *pass, const char *args, char **output)
{
	char bin[1024], cmd[8192], path[600];
	int rc;

	test_binary("ngo-vote-trustee", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && %s%s%s %s %s > tool.out 2>&1; rc=$?; "
	         "{ echo '$ ngo-vote-trustee %s'; cat tool.out; } >> trustee.log; exit $rc",
	         dir, pass ? "NGO_VOTE_TRUSTEE_PASSPHRASE='" : "env -u NGO_VOTE_TRUSTEE_PASSPHRASE",
	         pass ? pass : "", pass ? "'" : "", bin, args, args);
	rc = test_run(cmd);
	if (output != NULL) {
		snprintf(path, sizeof(path), "%s/tool.out", dir);
		*output = tfx_read(path, NULL);
		ck_assert_ptr_nonnull(*output);
	}
	return rc;
}

void
tfx_keygen(const char *dir, const char *file, const char *pass, uint8_t pk[32])
{
	char args[400], *out = NULL, *p, path[600];
	uint8_t filepk[32];
	json_t *j;

	snprintf(args, sizeof(args), "keygen --key %s", file);
	ck_assert_int_eq(tfx_tool(dir, pass, args, &out), 0);
	p = strstr(out, "public key:  ");
	ck_assert_msg(p != NULL, "keygen printed: %s", out);
	ck_assert(encoding_hex_decode(p + 13, 64, pk, 32));
	free(out);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_ptr_nonnull(j);
	p = (char *)json_string_value(json_object_get(j, "pk"));
	ck_assert_ptr_nonnull(p);
	ck_assert(encoding_hex_decode(p, strlen(p), filepk, 32));
	ck_assert_mem_eq(filepk, pk, 32);
	json_decref(j);
}

uint8_t *
tfx_message(const char *path, int *round, size_t *len)
{
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	const char *hex;
	uint8_t *data;

	ck_assert_msg(j != NULL, "no message in %s", path);
	*round = json_is_integer(json_object_get(j, "round"))
	             ? (int)json_integer_value(json_object_get(j, "round"))
	             : -1;
	ck_assert_uint_eq(json_object_size(j), *round >= 0 ? 2 : 1);
	hex = json_string_value(json_object_get(j, "data"));
	ck_assert_ptr_nonnull(hex);
	data = encoding_hex_decode_alloc(hex, strlen(hex), len);
	ck_assert_ptr_nonnull(data);
	json_decref(j);
	return data;
}
