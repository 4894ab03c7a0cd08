#pragma once
// E-mail notifications as RFC 5322 text: From, To, Subject (an RFC 2047 encoded-word
// when not plain ASCII), Date, Message-ID <id@pg_etl> (the caller's id, the same on
// every attempt, so mail clients and archives fold duplicates), MIME-Version, a
// text/plain UTF-8 body (7bit when it is plain ASCII, else quoted-printable, which needs
// no 8BITMIME support from the server), Auto-Submitted (no auto-replies), CRLF line ends.
// Header injection is impossible: addresses with line breaks or control characters are
// refused (22023), and they become spaces in the subject, which comes from event data.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

struct MailAddress {
  std::string display_name;  // may be empty; any UTF-8
  std::string address;       // local@domain, as written
};

// "ops@example.com", "Ops <ops@example.com>" or "\"Ops, EU\" <ops@example.com>". Throws
// 22023 naming option (e.g. "to[2]") for anything else.
MailAddress parse_mail_address(std::string_view text, const std::string& option);

// "Ops <ops@example.com>" as a header shows it (quoted or encoded display name).
std::string format_mail_address(const MailAddress& a);

// A Message-ID's left part: 1 to 200 of RFC 5322's atext characters and dots, no dot
// first, last or doubled (so "<id@pg_etl>" is a valid msg-id).
bool is_valid_message_id(std::string_view id);
// Throws 22023 unless is_valid_message_id(id).
void require_message_id(std::string_view id);

struct MailMessage {
  MailAddress from;
  std::vector<MailAddress> to;
  std::string subject;     // UTF-8, one line (line breaks become spaces), at most 250 characters kept
  std::string body;        // UTF-8 text, any line endings
  std::string message_id;  // is_valid_message_id
  int64_t date = 0;        // Unix seconds
};

// The message, headers and body, with CRLF line ends. Throws 22023 for an invalid
// message id or no recipients.
std::string build_mail(const MailMessage& m);

// "Tue, 05 Mar 2024 10:00:00 +0000"
std::string rfc5322_date(int64_t unix_seconds);

// A Subject header's value: ASCII as it is (folded at spaces), otherwise RFC 2047
// encoded-words (UTF-8, base64) of whole characters, one per folded line.
std::string encode_subject(std::string_view subject);

// RFC 2045 quoted-printable of CRLF-separated text: lines of at most 76 characters,
// soft breaks ("=" at the end) inside long ones, trailing blanks encoded.
std::string quoted_printable(std::string_view text);

}  // namespace pg_etl
