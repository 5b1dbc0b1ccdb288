/* Lexer for linegate.conf: words, quoted strings, braces, commas and
 * statement ends, with '#' comments. Every byte is read through the bounded
 * cursor; positions are 1-based line:column counted in bytes. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "lexer.h"

void lexer_init(struct lexer *lx, const char *buf, size_t len)
{
	cursor_init(&lx->c, buf, len);
	lx->line = 1;
	lx->col = 1;
}

static bool peek(const struct lexer *lx, uint8_t *ch)
{
	return cursor_peek_bytes(&lx->c, ch, 1);
}

static void advance(struct lexer *lx)
{
	uint8_t ch = cursor_get_u8(&lx->c);
	if (ch == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
}

/* Bare words are printable ASCII without the characters that delimit. */
static bool is_word_char(uint8_t ch)
{
	return ch > 0x20 && ch < 0x7f && !strchr("\"#,;{}", ch);
}

static void set_error(struct token *t, const char *msg)
{
	t->kind = TOK_ERROR;
	snprintf(t->text, sizeof(t->text), "%s", msg);
}

static void skip_blank_and_comments(struct lexer *lx)
{
	uint8_t ch;
	while (peek(lx, &ch)) {
		if (ch == ' ' || ch == '\t' || ch == '\r') {
			advance(lx);
		} else if (ch == '#') {
			while (peek(lx, &ch) && ch != '\n')
				advance(lx);
		} else {
			break;
		}
	}
}

static void lex_word(struct lexer *lx, struct token *t)
{
	size_t n = 0;
	uint8_t ch;
	bool too_long = false;
	while (peek(lx, &ch) && is_word_char(ch)) {
		if (n + 1 < sizeof(t->text))
			t->text[n++] = (char)ch;
		else
			too_long = true;
		advance(lx);
	}
	t->text[n] = '\0';
	t->kind = TOK_WORD;
	if (too_long)
		set_error(t, "word too long: expected at most 511 bytes");
}

/* "..." with \" and \\; no control characters, no newline inside. UTF-8 is
 * passed through (names of people and places are often not ASCII). */
static void lex_string(struct lexer *lx, struct token *t)
{
	size_t n = 0;
	uint8_t ch;
	const char *err = NULL;

	advance(lx); /* opening quote */
	for (;;) {
		if (!peek(lx, &ch) || ch == '\n') {
			set_error(t, "unterminated string: expected '\"' before end of line");
			return;
		}
		advance(lx);
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (!peek(lx, &ch) || (ch != '"' && ch != '\\')) {
				err = err ? err : "bad escape in string: expected \\\" or \\\\";
				continue;
			}
			advance(lx);
		} else if (ch < 0x20 || ch == 0x7f) {
			err = err ? err : "control character in string: expected printable text";
			continue;
		}
		if (n + 1 < sizeof(t->text))
			t->text[n++] = (char)ch;
		else
			err = err ? err : "string too long: expected at most 511 bytes";
	}
	t->text[n] = '\0';
	t->kind = TOK_STRING;
	if (err)
		set_error(t, err);
}

static void lex_single(struct lexer *lx, struct token *t, enum tok_kind kind, const char *text)
{
	advance(lx);
	t->kind = kind;
	snprintf(t->text, sizeof(t->text), "%s", text);
}

void lexer_next(struct lexer *lx, struct token *t)
{
	uint8_t ch;

	skip_blank_and_comments(lx);
	t->line = lx->line;
	t->col = lx->col;
	t->text[0] = '\0';
	if (!peek(lx, &ch)) {
		t->kind = TOK_EOF;
		return;
	}
	switch (ch) {
	case '\n':
		lex_single(lx, t, TOK_END, "\n");
		return;
	case ';':
		lex_single(lx, t, TOK_END, ";");
		return;
	case '{':
		lex_single(lx, t, TOK_LBRACE, "{");
		return;
	case '}':
		lex_single(lx, t, TOK_RBRACE, "}");
		return;
	case ',':
		lex_single(lx, t, TOK_COMMA, ",");
		return;
	case '"':
		lex_string(lx, t);
		return;
	default:
		break;
	}
	if (is_word_char(ch)) {
		lex_word(lx, t);
		return;
	}
	t->kind = TOK_ERROR;
	if (ch >= 0x80) {
		/* One message for a whole run of UTF-8, not one per byte. */
		snprintf(t->text, sizeof(t->text), "unexpected byte 0x%02x: non-ASCII text must be quoted", ch);
		while (peek(lx, &ch) && (ch >= 0x80 || is_word_char(ch)))
			advance(lx);
		return;
	}
	advance(lx);
	snprintf(t->text, sizeof(t->text), "unexpected character 0x%02x", ch);
}

const char *token_describe(const struct token *t, char *out, size_t n)
{
	switch (t->kind) {
	case TOK_EOF:
		snprintf(out, n, "end of file");
		break;
	case TOK_END:
		snprintf(out, n, "%s", t->text[0] == ';' ? "';'" : "end of line");
		break;
	case TOK_LBRACE:
	case TOK_RBRACE:
	case TOK_COMMA:
		snprintf(out, n, "'%s'", t->text);
		break;
	case TOK_WORD:
		snprintf(out, n, "'%.40s'", t->text);
		break;
	case TOK_STRING:
		snprintf(out, n, "\"%.40s\"", t->text);
		break;
	case TOK_ERROR:
		snprintf(out, n, "invalid input");
		break;
	}
	return out;
}
