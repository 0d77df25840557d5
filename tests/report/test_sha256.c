/* SHA-256 against the FIPS 180-4 / NIST example vectors (csrc.nist.gov,
 * "Cryptographic Standards and Guidelines: Examples with Intermediate
 * Values", SHA256.pdf and the one-million-'a' vector of FIPS 180-2 appendix
 * B.3), split across update calls at every offset of a block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/report.h"
#include "testutil.h"

static void hash(const char *msg, size_t n, size_t chunk, char hex[65]) {
  accq_sha256_t s;
  accq_sha256_init(&s);
  for (size_t i = 0; i < n; i += chunk) accq_sha256_update(&s, msg + i, n - i < chunk ? n - i : chunk);
  accq_sha256_final(&s, hex);
}

START_TEST(test_vectors) {
  const char *msg[] = {"abc", "",
                       "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                       "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"};
  const char *want[] = {
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"};
  char hex[65];
  for (int i = 0; i < 4; i++)
    for (size_t chunk = 1; chunk <= 65; chunk++) {
      hash(msg[i], strlen(msg[i]), chunk, hex);
      ck_assert_msg(!strcmp(hex, want[i]), "vector %d chunk %zu: %s", i, chunk, hex);
    }
  char *a = malloc(1000000);
  memset(a, 'a', 1000000);
  hash(a, 1000000, 4096, hex);
  ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  /* the file form: the same bytes through a file */
  const char *path = accq_tmp_file("abc", ".txt");
  accq_err_t err;
  ck_assert_int_eq(accq_sha256_file(path, hex, &err), 0);
  ck_assert_str_eq(hex, want[0]);
  remove(path);
  ck_assert_int_eq(accq_sha256_file("/nonexistent/x", hex, &err), ACCQ_EIO);
  ck_assert(strstr(err.msg, "/nonexistent/x"));
  free(a);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sha256");
  TCase *tc = tcase_create("fips180");
  tcase_add_test(tc, test_vectors);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
