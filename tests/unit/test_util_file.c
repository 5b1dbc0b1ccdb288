/* util: the bounded whole-file reader against the files it must refuse and
 * the edges it must get exactly: one byte over the limit, the limit itself,
 * empty, missing, a symbolic link with and without LG_READ_NOFOLLOW, a
 * directory and a FIFO (refused at once, no hang), a /proc file whose
 * st_size is 0 (read whole all the same). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/file.h"
#include "check_main.h"

enum { MAX = 1000 };

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lg-util-file-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* dir/name with n bytes of 'x'; returns the path */
static const char *file_of(const char *name, size_t n)
{
	static char path[128];
	char *data = malloc(n + 1);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(data);
	memset(data, 'x', n);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
	free(data);
	return path;
}

static const struct {
	size_t size;
	int rc;
} sizes[] = {
	/* 0 */ { 0, 0 },
	/* 1 */ { 1, 0 },
	/* 2 */ { MAX - 1, 0 },
	/* 3 */ { MAX, 0 },          /* exactly the limit */
	/* 4 */ { MAX + 1, -EFBIG },  /* one byte over */
	/* 5 */ { 3 * MAX, -EFBIG },
};

START_TEST(sizes_against_the_limit)
{
	const char *path = file_of("f", sizes[_i].size);
	struct stat st;
	char *buf = (char *)1;
	size_t len = 99;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(lg_read_file_bounded(path, MAX, LG_READ_NOFOLLOW, &buf, &len, &st),
			 sizes[_i].rc);
	ck_assert_uint_eq((size_t)st.st_size, sizes[_i].size);   /* filled on -EFBIG too */
	if (sizes[_i].rc) {
		ck_assert_ptr_null(buf);
		ck_assert_uint_eq(len, 0);
		return;
	}
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, sizes[_i].size);
	ck_assert_uint_eq(strlen(buf), len);   /* NUL-terminated right after */
	ck_assert(len == 0 || (buf[0] == 'x' && buf[len - 1] == 'x'));
	free(buf);
}
END_TEST

START_TEST(missing_file)
{
	char path[128], *buf = (char *)1;
	size_t len = 99;

	snprintf(path, sizeof(path), "%s/none", dir);
	ck_assert_int_eq(lg_read_file_bounded(path, MAX, 0, &buf, &len, NULL), -ENOENT);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(symlink_refused_only_when_asked)
{
	char link[128], *buf = NULL;
	size_t len = 0;

	snprintf(link, sizeof(link), "%s/link", dir);
	ck_assert_int_eq(symlink(file_of("target", 10), link), 0);
	ck_assert_int_eq(lg_read_file_bounded(link, MAX, LG_READ_NOFOLLOW, &buf, &len, NULL), -ELOOP);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(lg_read_file_bounded(link, MAX, 0, &buf, &len, NULL), 0);
	ck_assert_uint_eq(len, 10);
	free(buf);
}
END_TEST

START_TEST(directory_and_fifo_refused)
{
	char fifo[128], *buf = NULL;
	size_t len = 0;
	struct stat st;

	ck_assert_int_eq(lg_read_file_bounded(dir, MAX, 0, &buf, &len, &st), -EINVAL);
	ck_assert(S_ISDIR(st.st_mode));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);   /* no writer: a blocking open would hang */
	ck_assert_int_eq(lg_read_file_bounded(fifo, MAX, 0, &buf, &len, &st), -EINVAL);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_ptr_null(buf);
}
END_TEST

/* st_size says 0; the reader goes by what read() gives, and still bounds it. */
START_TEST(proc_file_read_to_its_end)
{
	char *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(lg_read_file_bounded("/proc/self/status", 1 << 20, 0, &buf, &len, NULL), 0);
	ck_assert_uint_gt(len, 100);
	ck_assert_ptr_nonnull(strstr(buf, "Name:"));
	free(buf);
	ck_assert_int_eq(lg_read_file_bounded("/proc/self/status", 20, 0, &buf, &len, NULL), -EFBIG);
	ck_assert_ptr_null(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_file");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, sizes_against_the_limit, 0, sizeof(sizes) / sizeof(sizes[0]));
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, symlink_refused_only_when_asked);
	tcase_add_test(tc, directory_and_fifo_refused);
	tcase_add_test(tc, proc_file_read_to_its_end);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
