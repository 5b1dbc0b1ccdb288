/* Tokens of linegate.conf. The lexer reads the buffer through the bounded
 * cursor, tracks line:column (1-based, in bytes) and never fails hard: a bad
 * character or string becomes a TOK_ERROR token with a message, so the parser
 * can report it and carry on. */
#pragma once
#include <stddef.h>
#include "linegate/cursor.h"

enum { CONF_TOKEN_MAX = 512 /* longest word or string, incl. NUL */ };

enum tok_kind {
	TOK_EOF,
	TOK_WORD,     /* bare word: 10.0.0.0/8, eth0, 4h, [2001:db8::1]:500 */
	TOK_STRING,   /* "quoted", escapes \" and \\ removed */
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_COMMA,
	TOK_END,      /* newline or ';' */
	TOK_ERROR,    /* text holds the message */
};

struct token {
	enum tok_kind kind;
	int line;
	int col;
	char text[CONF_TOKEN_MAX];
};

struct lexer {
	struct cursor c;
	int line;
	int col;
};

void lexer_init(struct lexer *lx, const char *buf, size_t len);
void lexer_next(struct lexer *lx, struct token *t);
/* "newline", "'{'", "word 'x'": how a token reads in an error message. */
const char *token_describe(const struct token *t, char *out, size_t n);
