#pragma once
// E-mail addresses as they come in contact data, checked and put in one spelling so
// equal addresses compare equal:
//   - surrounding whitespace, a leading "mailto:" (any case) and enclosing <...> go;
//   - the whole address is lower-cased. RFC 5321 lets a server treat the local part
//     case-sensitively, but no real provider does, and duplicates differing only in
//     case are the common problem this solves;
//   - the address must then be local@domain with a dot-atom local part (1-64 of
//     a-z 0-9 !#$%&'*+/=?^_`{|}~.- with no leading, trailing or doubled dot) and a
//     domain name of at most 253 characters with two or more labels of 1-63 [a-z0-9-]
//     not starting or ending with '-', the last one all letters and at least 2 long.
// Quoted local parts, comments, IP-literal domains, display names ("Ann <a@b.org>")
// and non-ASCII addresses (internationalised mail) are rejected: legal, but in data
// they are almost always mistakes, and nothing downstream can use them.
#include <optional>
#include <string>
#include <string_view>

namespace pg_etl {

// The address in its normal spelling, or nothing when s is not an address as above.
std::optional<std::string> normalize_email(std::string_view s);

}  // namespace pg_etl
