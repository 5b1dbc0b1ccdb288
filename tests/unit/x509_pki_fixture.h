/* The test PKI of tests/lib/x509_pki.sh in a temporary directory, made once
 * per test case (unchecked fixture: make_pki / remove_pki) and named by
 * pki. Header-only, for the X.509 unit tests. */
#pragma once
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static char pki[] = "/tmp/lg-x509-XXXXXX";

static void make_pki(void)
{
	char cmd[1024];
	const char *src = getenv("LG_SOURCE_DIR");

	ck_assert_ptr_nonnull(mkdtemp(pki));
	snprintf(cmd, sizeof(cmd), "sh %s/tests/lib/x509_pki.sh %s >/dev/null", src ? src : "..", pki);
	ck_assert_int_eq(system(cmd), 0);
}

static void remove_pki(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
	ck_assert_int_eq(system(cmd), 0);
}
