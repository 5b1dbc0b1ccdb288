/* The control protocol between linegated and linegatectl over a UNIX stream
 * socket. Versioned, line based, bounded (tmux habit: the version is checked
 * on every message, so a ctl of another release gets a clear error instead of
 * a misread answer).
 *
 *   request:  "linegate-ctl/1 <format> <command> [arg ...]\n"
 *             format is "json" or "text"; at most CONTROL_REQUEST_MAX bytes,
 *             at most CONTROL_MAX_ARGS words after the command.
 *   response: "linegate-ctl/1 <code> <body-length>\n" then exactly
 *             body-length bytes (at most CONTROL_BODY_MAX);
 *             or "linegate-ctl/1 200 stream\n" (monitor): lines follow
 *             until either side closes.
 *
 * One request per connection: the daemon closes after the response. A
 * waiting command (up/down --wait) answers when the result is known.
 * Header-only because both linegated and linegatectl (separate libraries)
 * speak it; the functions are pure and covered by tests/unit/test_ctl_proto.c. */
#pragma once
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTROL_MAGIC "linegate-ctl/"
enum {
	CONTROL_VERSION = 1,
	CONTROL_REQUEST_MAX = 1024,      /* whole request line, with '\n' */
	CONTROL_HEADER_MAX = 64,         /* response status line, with '\n' */
	CONTROL_BODY_MAX = 4 << 20,
	CONTROL_MAX_ARGS = 8,
	CONTROL_WORD_MAX = 256,
};

/* Response codes, HTTP-like so they read at a glance. */
enum control_code {
	CONTROL_OK = 200,
	CONTROL_OK_VIOLATIONS = 209,     /* compliance: the report, and violations stand */
	CONTROL_BAD_REQUEST = 400,
	CONTROL_FORBIDDEN = 403,
	CONTROL_UNKNOWN_COMMAND = 404,
	CONTROL_REFUSED = 409,           /* e.g. reload of a bad config */
	CONTROL_NO_SA = 410,             /* down/rekey of a peer without an SA */
	CONTROL_UNAVAILABLE = 503,       /* e.g. every monitor slot taken */
	CONTROL_TIMEOUT = 504,           /* --wait ran out before a result */
	CONTROL_INTERNAL = 500,
	CONTROL_BAD_VERSION = 505,
};

struct control_request {
	bool json;
	char command[CONTROL_WORD_MAX];
	char args[CONTROL_MAX_ARGS][CONTROL_WORD_MAX];
	size_t n_args;
};

/* A protocol word: printable ASCII without spaces, not empty. */
static inline bool control_word_valid(const char *w)
{
	size_t n = strlen(w);
	if (n == 0 || n >= CONTROL_WORD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (w[i] <= ' ' || w[i] > '~')
			return false;
	return true;
}

/* Writes the request line into out (with '\n'). Returns its length or
 * -EINVAL (bad word, too many args) / -ENOSPC. */
static inline int control_request_format(const struct control_request *rq, char *out, size_t n)
{
	if (!control_word_valid(rq->command) || rq->n_args > CONTROL_MAX_ARGS)
		return -EINVAL;
	int len = snprintf(out, n, "%s%d %s %s", CONTROL_MAGIC, CONTROL_VERSION,
			   rq->json ? "json" : "text", rq->command);
	for (size_t i = 0; i < rq->n_args && len >= 0 && (size_t)len < n; i++) {
		if (!control_word_valid(rq->args[i]))
			return -EINVAL;
		len += snprintf(out + len, n - (size_t)len, " %s", rq->args[i]);
	}
	if (len < 0 || (size_t)len + 1 >= n || (size_t)len + 1 > CONTROL_REQUEST_MAX)
		return -ENOSPC;
	out[len++] = '\n';
	out[len] = '\0';
	return len;
}

/* Checks "linegate-ctl/<v>" and returns the version number, or -1. */
static inline int control_parse_magic(const char *word)
{
	size_t m = strlen(CONTROL_MAGIC);
	if (strncmp(word, CONTROL_MAGIC, m) != 0 || word[m] < '0' || word[m] > '9')
		return -1;
	char *end;
	long v = strtol(word + m, &end, 10);
	return (*end == '\0' && v > 0 && v < 1000) ? (int)v : -1;
}

/* Splits the next space-separated word of *s into w. false at the end. */
static inline bool control_next_word(const char **s, char w[CONTROL_WORD_MAX])
{
	const char *p = *s;
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, " ");
	if (n == 0 || n >= CONTROL_WORD_MAX)
		return false;
	memcpy(w, p, n);
	w[n] = '\0';
	*s = p + n;
	return true;
}

/* Parses one request line (without its '\n'). 0, -EPROTO for another
 * protocol version, -EINVAL for anything malformed. */
static inline int control_request_parse(const char *line, struct control_request *rq)
{
	char w[CONTROL_WORD_MAX];
	const char *p = line;

	memset(rq, 0, sizeof(*rq));
	if (strlen(line) >= CONTROL_REQUEST_MAX || !control_next_word(&p, w))
		return -EINVAL;
	int v = control_parse_magic(w);
	if (v < 0)
		return -EINVAL;
	if (v != CONTROL_VERSION)
		return -EPROTO;
	if (!control_next_word(&p, w) || (strcmp(w, "json") && strcmp(w, "text")))
		return -EINVAL;
	rq->json = w[0] == 'j';
	if (!control_next_word(&p, rq->command) || !control_word_valid(rq->command))
		return -EINVAL;
	while (control_next_word(&p, w)) {
		if (rq->n_args == CONTROL_MAX_ARGS || !control_word_valid(w))
			return -EINVAL;
		memcpy(rq->args[rq->n_args++], w, sizeof(w));
	}
	while (*p == ' ')
		p++;
	return *p == '\0' ? 0 : -EINVAL;
}

/* The response status line. Returns its length or -ENOSPC. */
static inline int control_response_header(enum control_code code, size_t body_len,
					  char *out, size_t n)
{
	int len = snprintf(out, n, "%s%d %d %zu\n", CONTROL_MAGIC, CONTROL_VERSION,
			   (int)code, body_len);
	return (len < 0 || (size_t)len >= n) ? -ENOSPC : len;
}

/* The status line of a stream (monitor): lines follow until close. */
#define CONTROL_STREAM_WORD "stream"
#define CONTROL_BODY_STREAM ((size_t)-1)
static inline int control_response_header_stream(char *out, size_t n)
{
	int len = snprintf(out, n, "%s%d %d %s\n", CONTROL_MAGIC, CONTROL_VERSION, (int)CONTROL_OK,
			   CONTROL_STREAM_WORD);
	return (len < 0 || (size_t)len >= n) ? -ENOSPC : len;
}

/* Parses a status line (without '\n'): 0, -EPROTO (other version),
 * -EINVAL (malformed, code out of range, body too large). A stream (only
 * with code 200) gives *body_len = CONTROL_BODY_STREAM. */
static inline int control_response_parse(const char *line, int *code, size_t *body_len)
{
	char w[CONTROL_WORD_MAX];
	const char *p = line;
	char *end;

	if (!control_next_word(&p, w))
		return -EINVAL;
	int v = control_parse_magic(w);
	if (v < 0)
		return -EINVAL;
	if (v != CONTROL_VERSION)
		return -EPROTO;
	if (!control_next_word(&p, w))
		return -EINVAL;
	long c = strtol(w, &end, 10);
	if (*end || c < 100 || c > 599)
		return -EINVAL;
	if (!control_next_word(&p, w))
		return -EINVAL;
	if (strcmp(w, CONTROL_STREAM_WORD) == 0 && c == CONTROL_OK && *p == '\0') {
		*code = (int)c;
		*body_len = CONTROL_BODY_STREAM;
		return 0;
	}
	if (w[0] < '0' || w[0] > '9')
		return -EINVAL;
	unsigned long long b = strtoull(w, &end, 10);
	if (*end || b > CONTROL_BODY_MAX || *p != '\0')
		return -EINVAL;
	*code = (int)c;
	*body_len = (size_t)b;
	return 0;
}
