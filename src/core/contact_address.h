/* contact_address.h - the one rule that turns a digital address into the
 * key under which Loket links identities (digital_addresses.address_key).
 *
 * Two inbound messages belong to one party only if their addresses have
 * the same key AND the party verified that address; every writer of
 * digital_addresses (the conversations API, the Klantinteracties API, the
 * channels) must therefore derive the key with lk_address_key(), or the
 * same person becomes two parties.
 *
 * The rule (see docs/conversations.md, "Identity linking"):
 *  - email: surrounding white space removed, ASCII letters lower-cased;
 *    exactly one '@' with a non-empty local part and a domain that holds a
 *    dot; no white space or control characters; at most 254 bytes.
 *    "Jan.Jansen@Example.NL " -> "jan.jansen@example.nl".
 *  - telefoonnummer: international digits with the "00" prefix.  Spaces,
 *    '-', '.', '/', '(' and ')' are dropped; a "(0)" right after the
 *    country code is dropped; a leading '+' becomes "00"; a national
 *    number (one leading 0) is taken as Dutch and becomes "0031" plus the
 *    number without its 0.  The result has 10 to 17 digits.
 *    "+31 (0)6-1234 5678", "06 12345678" and "0031612345678" all give
 *    "0031612345678".
 *  - overig: surrounding white space removed, ASCII lower-cased.
 */
#ifndef LK_CONTACT_ADDRESS_H
#define LK_CONTACT_ADDRESS_H

#include <stddef.h>

#define LK_ADDRESS_MAX 254
#define LK_ADDRESS_KEY_MAX 254

/* Writes the key of `address` of `kind` ("email", "telefoonnummer" or
 * "overig") into `out` of `size` bytes.  Returns 0, or -1 if the address is
 * not a valid one of that kind (or `out` is too small); `out` is then "". */
int lk_address_key(const char *kind, const char *address, char *out,
                   size_t size);

#endif
