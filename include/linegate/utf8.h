/* UTF-8 validation shared by the journal's canonical serializer and the
 * control-plane JSON writer, so both treat the same bytes as invalid. */
#pragma once
#include <stddef.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at s (RFC 3629 §4 table: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 if invalid. Reads at most
 * up to the first byte that does not fit, so a NUL stops it. */
size_t lg_utf8_len(const unsigned char *s);

/* Bytes of the longest prefix of s, at most max bytes, that does not cut a
 * UTF-8 sequence: "%.*s" with it never prints half a character (a
 * "%.40s" of a Chinese circuit id did, and the JSON writer then showed
 * U+FFFD). Invalid bytes count as one-byte characters. */
int lg_utf8_clip(const char *s, size_t max);
/* Cuts an incomplete sequence off the end of s (after a snprintf that ran
 * out of room). */
void lg_utf8_trim(char *s);
/* Terminal columns of s: East Asian wide and fullwidth characters (CJK,
 * Hangul, fullwidth forms, emoji) take two, combining marks and zero-width
 * characters none, anything else (an invalid byte too) one. Built in, so
 * the answer does not depend on the locale the daemon or a cron job runs in. */
size_t lg_utf8_width(const char *s);
/* Writes s left-aligned in a field of cols columns (at least s itself). */
void lg_utf8_pad(FILE *to, const char *s, size_t cols);
/* Removes in place every byte of s that is not part of a valid sequence,
 * wherever it is: a value quoted with "%.64s" inside a longer message and
 * cut within a character leaves the start of one mid-string, where
 * lg_utf8_trim does not look. */
void lg_utf8_drop_partial(char *s);
