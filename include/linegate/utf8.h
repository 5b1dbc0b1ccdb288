/* UTF-8 validation shared by the journal's canonical serializer and the
 * control-plane JSON writer, so both treat the same bytes as invalid. */
#pragma once
#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (RFC 3629 §4 table: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 if invalid. Reads at most
 * up to the first byte that does not fit, so a NUL stops it. */
size_t lg_utf8_len(const unsigned char *s);
