/* The control protocol codec (control.h) and linegatectl's client against a
 * real UNIX socket served by a thread: version checks, bounds, malformed
 * answers. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "linegate/control.h"
#include "ctl.h"
#include "check_main.h"

static const struct {
	const char *line;
	int rc;
	bool json;
	const char *command;
	size_t n_args;
	const char *arg0;
} request_cases[] = {
	/* 0 */ { "linegate-ctl/1 json status", 0, true, "status", 0, NULL },
	/* 1 */ { "linegate-ctl/1 text peers", 0, false, "peers", 0, NULL },
	/* 2 */ { "linegate-ctl/1 text up  beijing", 0, false, "up", 1, "beijing" },
	/* 3 */ { "linegate-ctl/1 text up beijing ", 0, false, "up", 1, "beijing" },
	/* 4 */ { "linegate-ctl/2 json status", -EPROTO, false, NULL, 0, NULL },
	/* 5 */ { "linegate-ctl/12 json status", -EPROTO, false, NULL, 0, NULL },
	/* 6 */ { "linegate-ctl/ json status", -EINVAL, false, NULL, 0, NULL },
	/* 7 */ { "linegate-ctl/1x json status", -EINVAL, false, NULL, 0, NULL },
	/* 8 */ { "linegate-ctl/1 xml status", -EINVAL, false, NULL, 0, NULL },
	/* 9 */ { "linegate-ctl/1 json", -EINVAL, false, NULL, 0, NULL },
	/* 10 */ { "", -EINVAL, false, NULL, 0, NULL },
	/* 11 */ { "GET / HTTP/1.1", -EINVAL, false, NULL, 0, NULL },
	/* 12 */ { "linegate-ctl/1 json st\tatus", -EINVAL, false, NULL, 0, NULL },
	/* 13 */ { "linegate-ctl/1 json a 1 2 3 4 5 6 7 8", 0, true, "a", 8, "1" },
	/* 14 */ { "linegate-ctl/1 json a 1 2 3 4 5 6 7 8 9", -EINVAL, false, NULL, 0, NULL },
	/* 15 */ { "linegate-ctl/1 json st\x01tus", -EINVAL, false, NULL, 0, NULL },
	/* 16 */ { "linegate-ctl/0 json status", -EINVAL, false, NULL, 0, NULL },
	/* 17 */ { "linegate-ctl/1 json caf\xc3\xa9", -EINVAL, false, NULL, 0, NULL },
};

START_TEST(request_parse_table)
{
	struct control_request rq;
	int rc = control_request_parse(request_cases[_i].line, &rq);
	ck_assert_msg(rc == request_cases[_i].rc, "case %d: rc %d", _i, rc);
	if (rc)
		return;
	ck_assert(rq.json == request_cases[_i].json);
	ck_assert_str_eq(rq.command, request_cases[_i].command);
	ck_assert_uint_eq(rq.n_args, request_cases[_i].n_args);
	if (request_cases[_i].arg0)
		ck_assert_str_eq(rq.args[0], request_cases[_i].arg0);
}
END_TEST

START_TEST(request_too_long)
{
	struct control_request rq;
	char line[CONTROL_REQUEST_MAX + 16];
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "linegate-ctl/1 json x ", 22);
	ck_assert_int_eq(control_request_parse(line, &rq), -EINVAL);
	/* a word too long for a protocol word */
	memset(line, 0, sizeof(line));
	strcpy(line, "linegate-ctl/1 json ");
	memset(line + strlen(line), 'b', CONTROL_WORD_MAX);
	ck_assert_int_eq(control_request_parse(line, &rq), -EINVAL);
}
END_TEST

START_TEST(request_roundtrip)
{
	struct control_request rq = { .json = true }, back;
	char buf[CONTROL_REQUEST_MAX + 1];
	strcpy(rq.command, "down");
	strcpy(rq.args[0], "frankfurt-hq");
	rq.n_args = 1;
	int n = control_request_format(&rq, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "linegate-ctl/1 json down frankfurt-hq\n");
	buf[n - 1] = '\0';
	ck_assert_int_eq(control_request_parse(buf, &back), 0);
	ck_assert_str_eq(back.command, "down");
	ck_assert_str_eq(back.args[0], "frankfurt-hq");
	/* words with spaces cannot be sent: they would split on the wire */
	strcpy(rq.args[0], "two words");
	ck_assert_int_eq(control_request_format(&rq, buf, sizeof(buf)), -EINVAL);
	strcpy(rq.args[0], "x");
	volatile size_t small = 10;
	ck_assert_int_eq(control_request_format(&rq, buf, small), -ENOSPC);
}
END_TEST

static const struct {
	const char *line;
	int rc, code;
	size_t len;
} response_cases[] = {
	/* 0 */ { "linegate-ctl/1 200 0", 0, 200, 0 },
	/* 1 */ { "linegate-ctl/1 409 1234", 0, 409, 1234 },
	/* 2 */ { "linegate-ctl/2 200 5", -EPROTO, 0, 0 },
	/* 3 */ { "linegate-ctl/1 200", -EINVAL, 0, 0 },
	/* 4 */ { "linegate-ctl/1 200 -5", -EINVAL, 0, 0 },
	/* 5 */ { "linegate-ctl/1 200 4194305", -EINVAL, 0, 0 },   /* > CONTROL_BODY_MAX */
	/* 6 */ { "linegate-ctl/1 200 4194304", 0, 200, 4194304 },
	/* 7 */ { "linegate-ctl/1 99 5", -EINVAL, 0, 0 },
	/* 8 */ { "linegate-ctl/1 200 5 x", -EINVAL, 0, 0 },
	/* 9 */ { "linegate-ctl/1 2o0 5", -EINVAL, 0, 0 },
	/* 10 */ { "HTTP/1.1 200 OK", -EINVAL, 0, 0 },
	/* 11 */ { "linegate-ctl/1 200 99999999999999999999999", -EINVAL, 0, 0 },
	/* 12 */ { "linegate-ctl/1 200 stream", 0, 200, CONTROL_BODY_STREAM },
	/* 13 */ { "linegate-ctl/1 409 stream", -EINVAL, 0, 0 },    /* only a 200 streams */
	/* 14 */ { "linegate-ctl/1 200 stream x", -EINVAL, 0, 0 },
	/* 15 */ { "linegate-ctl/1 200 streams", -EINVAL, 0, 0 },
};

START_TEST(response_parse_table)
{
	int code = -1;
	size_t len = 0;
	int rc = control_response_parse(response_cases[_i].line, &code, &len);
	ck_assert_msg(rc == response_cases[_i].rc, "case %d: rc %d", _i, rc);
	if (rc == 0) {
		ck_assert_int_eq(code, response_cases[_i].code);
		ck_assert_uint_eq(len, response_cases[_i].len);
	}
}
END_TEST

START_TEST(response_header_roundtrip)
{
	char hdr[CONTROL_HEADER_MAX];
	int code;
	size_t len;
	int n = control_response_header(CONTROL_REFUSED, 77, hdr, sizeof(hdr));
	ck_assert_str_eq(hdr, "linegate-ctl/1 409 77\n");
	hdr[n - 1] = '\0';
	ck_assert_int_eq(control_response_parse(hdr, &code, &len), 0);
	ck_assert_int_eq(code, 409);
	ck_assert_uint_eq(len, 77);
	volatile size_t small = 8;   /* not a constant: -Wformat-truncation at -O2 */
	ck_assert_int_eq(control_response_header(CONTROL_OK, 1, hdr, small), -ENOSPC);
	n = control_response_header_stream(hdr, sizeof(hdr));
	ck_assert_int_gt(n, 0);
	hdr[n - 1] = '\0';
	ck_assert_int_eq(control_response_parse(hdr, &code, &len), 0);
	ck_assert_uint_eq(len, CONTROL_BODY_STREAM);
}
END_TEST

/* A one-shot server on a real socket: reads the request, sends `answer`. */
struct server {
	int lfd;
	const char *answer;
	size_t answer_len;
	char got[CONTROL_REQUEST_MAX + 1];
};

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	size_t n = 0;
	while (fd >= 0 && n < sizeof(s->got) - 1) {
		ssize_t r = read(fd, s->got + n, 1);
		if (r <= 0 || s->got[n++] == '\n')
			break;
	}
	if (fd >= 0) {
		if (write(fd, s->answer, s->answer_len) < 0)
			perror("write");
		close(fd);
	}
	return NULL;
}

static int run_client(const char *answer, size_t alen, char *out, size_t outn, char *err, size_t errn,
		      char *got)
{
	char path[] = "/tmp/lg-ctl-test-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(path));
	char sock[128];
	snprintf(sock, sizeof(sock), "%s/s", path);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	strcpy(sun.sun_path, sock);
	struct server s = { .answer = answer, .answer_len = alen };
	s.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(s.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(s.lfd, 1), 0);
	pthread_t th;
	pthread_create(&th, NULL, serve, &s);
	struct control_request rq = { .json = true };
	strcpy(rq.command, "status");
	FILE *fo = fmemopen(out, outn, "w"), *fe = fmemopen(err, errn, "w");
	int rc = ctl_request(sock, &rq, fo, fe, 5);
	fclose(fo);
	fclose(fe);
	pthread_join(th, NULL);
	close(s.lfd);
	unlink(sock);
	rmdir(path);
	strcpy(got, s.got);
	return rc;
}

START_TEST(client_ok)
{
	static const char a[] = "linegate-ctl/1 200 12\n{\"ok\":true}\nTRAILING";
	char out[256] = "", err[256] = "", got[CONTROL_REQUEST_MAX + 1];
	ck_assert_int_eq(run_client(a, sizeof(a) - 1, out, sizeof(out), err, sizeof(err), got), 200);
	ck_assert_str_eq(got, "linegate-ctl/1 json status\n");
	ck_assert_str_eq(out, "{\"ok\":true}\n");   /* exactly the announced body */
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(client_refused_body_to_stderr)
{
	static const char a[] = "linegate-ctl/1 409 15\nf.conf:3:7: bad";
	char out[256] = "", err[256] = "", got[CONTROL_REQUEST_MAX + 1];
	ck_assert_int_eq(run_client(a, sizeof(a) - 1, out, sizeof(out), err, sizeof(err), got), 409);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "f.conf:3:7: bad");
}
END_TEST

START_TEST(client_version_mismatch)
{
	static const char a[] = "linegate-ctl/2 200 2\n{}";
	char out[256] = "", err[512] = "", got[CONTROL_REQUEST_MAX + 1];
	ck_assert_int_eq(run_client(a, sizeof(a) - 1, out, sizeof(out), err, sizeof(err), got), -EPROTO);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(strstr(err, "another protocol version"));
}
END_TEST

START_TEST(client_header_unbounded)
{
	char a[200];
	memset(a, 'x', sizeof(a));
	char out[256] = "", err[512] = "", got[CONTROL_REQUEST_MAX + 1];
	ck_assert_int_eq(run_client(a, sizeof(a), out, sizeof(out), err, sizeof(err), got), -EPROTO);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(client_short_body)
{
	static const char a[] = "linegate-ctl/1 200 100\nonly this";
	char out[256] = "", err[512] = "", got[CONTROL_REQUEST_MAX + 1];
	ck_assert_int_eq(run_client(a, sizeof(a) - 1, out, sizeof(out), err, sizeof(err), got), -ECONNRESET);
}
END_TEST

START_TEST(client_no_daemon)
{
	struct control_request rq = { .json = false };
	char err[512] = "";
	strcpy(rq.command, "status");
	FILE *fe = fmemopen(err, sizeof(err), "w");
	int rc = ctl_request("/nonexistent/linegate.sock", &rq, stdout, fe, 1);
	fclose(fe);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "cannot reach linegated"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl_proto");
	TCase *tc = tcase_create("codec");
	tcase_add_loop_test(tc, request_parse_table, 0, sizeof(request_cases) / sizeof(request_cases[0]));
	tcase_add_test(tc, request_too_long);
	tcase_add_test(tc, request_roundtrip);
	tcase_add_loop_test(tc, response_parse_table, 0, sizeof(response_cases) / sizeof(response_cases[0]));
	tcase_add_test(tc, response_header_roundtrip);
	suite_add_tcase(s, tc);
	TCase *tc2 = tcase_create("client");
	tcase_add_test(tc2, client_ok);
	tcase_add_test(tc2, client_refused_body_to_stderr);
	tcase_add_test(tc2, client_version_mismatch);
	tcase_add_test(tc2, client_header_unbounded);
	tcase_add_test(tc2, client_short_body);
	tcase_add_test(tc2, client_no_daemon);
	suite_add_tcase(s, tc2);
	return lg_check_run(s);
}
