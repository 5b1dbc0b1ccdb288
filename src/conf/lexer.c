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

/* Strict UTF-8 (RFC 3629: no overlong forms, surrogates or code points
 * above U+10FFFF), one byte at a time. */
struct utf8_state {
	uint32_t cp;      /* code point being decoded */
	unsigned need;    /* continuation bytes still expected */
	uint8_t lo, hi;   /* allowed range of the next continuation byte */
	int col;          /* column of the sequence's first byte */
};

/* Code points that print nothing or reorder what is shown around them:
 * C1 controls, line/paragraph separators, bidirectional overrides and
 * isolates, zero-width and BOM. A circuit id or name must read as it is. */
static bool cp_unprintable(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

/* NULL, or why the byte at column col breaks the text. */
static const char *utf8_step(struct utf8_state *u, uint8_t ch, int col)
{
	if (u->need) {
		if (ch < u->lo || ch > u->hi)
			return "invalid UTF-8 in string: expected well-formed UTF-8 text";
		u->cp = (u->cp << 6) | (ch & 0x3f);
		u->lo = 0x80;
		u->hi = 0xbf;
		if (--u->need == 0 && cp_unprintable(u->cp))
			return "unprintable character (control, bidirectional or zero-width) in string: "
			       "expected printable text";
		return NULL;
	}
	u->col = col;
	u->lo = 0x80;
	u->hi = 0xbf;
	if (ch < 0x80)
		return NULL;
	if (ch >= 0xc2 && ch <= 0xdf) {
		u->need = 1;
		u->cp = ch & 0x1f;
	} else if (ch >= 0xe0 && ch <= 0xef) {
		u->need = 2;
		u->cp = ch & 0x0f;
		if (ch == 0xe0)
			u->lo = 0xa0;          /* overlong */
		else if (ch == 0xed)
			u->hi = 0x9f;          /* surrogates */
	} else if (ch >= 0xf0 && ch <= 0xf4) {
		u->need = 3;
		u->cp = ch & 0x07;
		if (ch == 0xf0)
			u->lo = 0x90;          /* overlong */
		else if (ch == 0xf4)
			u->hi = 0x8f;          /* above U+10FFFF */
	} else {
		return "invalid UTF-8 in string: expected well-formed UTF-8 text";
	}
	return NULL;
}

/* "..." with \" and \\; no control characters, no newline inside. UTF-8 is
 * passed through (names of people and places are often not ASCII) when it is
 * well formed and printable; an error names the column of the bad character. */
static void lex_string(struct lexer *lx, struct token *t)
{
	size_t n = 0;
	uint8_t ch;
	const char *err = NULL;
	int err_col = 0;
	struct utf8_state u = { 0 };

	advance(lx); /* opening quote */
	for (;;) {
		if (!peek(lx, &ch) || ch == '\n') {
			set_error(t, "unterminated string: expected '\"' before end of line");
			return;
		}
		int col = lx->col;
		advance(lx);
		if (!err && (u.need || ch >= 0x80)) {
			const char *bad = utf8_step(&u, ch, col);
			if (bad) {
				err = bad;
				err_col = u.col;
			}
		}
		if (ch == '"' && !u.need)
			break;
		if (ch == '"') {               /* truncated sequence before the quote */
			err = err ? err : "invalid UTF-8 in string: expected well-formed UTF-8 text";
			err_col = err_col ? err_col : u.col;
			break;
		}
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
	if (err) {
		set_error(t, err);
		if (err_col)
			t->col = err_col;
	}
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
