#include "core/smtp_message.hpp"

#include <cstring>

#include "core/ascii.hpp"
#include "core/civil_time.hpp"
#include "core/digest.hpp"
#include "core/email_address.hpp"
#include "core/error.hpp"
#include "core/month_names.hpp"
#include "core/option_errors.hpp"
#include "core/sqlstate.hpp"
#include "core/version.hpp"

namespace pg_etl {
namespace {

constexpr size_t kLineLimit = 78;         // RFC 5322's SHOULD for header lines
constexpr size_t kWordBytes = 39;         // UTF-8 bytes per encoded-word: 52 base64 characters, 64 in all
constexpr size_t kMaxSubjectChars = 250;  // an event subject longer than this is cut
constexpr size_t kMaxBodyLine = 998;      // RFC 5322's MUST: longer lines need an encoding

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }
bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

bool is_plain_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80 || is_control(c)) return false;
  return true;
}

// One encoded-word per kWordBytes of whole UTF-8 characters, joined by folding.
std::string encoded_words(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = std::min(s.size(), i + kWordBytes);
    while (end < s.size() && end > i + 1 && is_continuation(static_cast<unsigned char>(s[end]))) end--;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(s.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

// Words joined by spaces, folded (CRLF before a space) so lines stay under the limit;
// first_line_used: what precedes the value on its first line ("Subject: ").
std::string fold_words(const std::vector<std::string>& words, const std::string& separator, size_t first_line_used) {
  std::string out;
  size_t line = first_line_used;
  for (size_t k = 0; k < words.size(); k++) {
    const std::string piece = (k + 1 < words.size() ? words[k] + separator : words[k]);
    if (k > 0 && line + 1 + piece.size() > kLineLimit) {
      out += "\r\n ";
      line = 1;
    } else if (k > 0) {
      out += ' ';
      line++;
    }
    out += piece;
    line += piece.size();
  }
  return out;
}

// The subject as one line: control characters (line breaks, tabs) and runs of blanks
// become one space; at most kMaxSubjectChars characters.
std::string one_line_subject(std::string_view s) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (is_control(c) || c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (!is_continuation(c) && ++chars > kMaxSubjectChars) {
      out += "...";
      break;
    }
    out += static_cast<char>(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// RFC 5322 specials: a display name holding one must be quoted.
bool needs_quotes(std::string_view name) {
  for (char c : name)
    if (std::strchr("()<>[]:;@\\,.\"", c)) return true;
  return false;
}

}  // namespace

MailAddress parse_mail_address(std::string_view text, const std::string& option) {
  for (unsigned char c : text)
    if (is_control(c)) throw_bad_option(option, "must not contain line breaks or control characters");
  text = ascii_trim(text);
  MailAddress a;
  std::string_view addr = text;
  if (!text.empty() && text.back() == '>') {
    const size_t lt = text.rfind('<');
    if (lt == std::string_view::npos) throw_bad_option(option, "has a '>' without '<'");
    addr = text.substr(lt + 1, text.size() - lt - 2);
    std::string_view name = ascii_trim(text.substr(0, lt));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (size_t i = 0; i < name.size(); i++) {
        if (name[i] == '\\' && i + 1 < name.size()) i++;
        a.display_name += name[i];
      }
    } else {
      a.display_name = std::string(name);
    }
  }
  // normalize_email checks the address; it must not have needed to strip anything
  // (mailto:, brackets, blanks) for us to use it as written.
  const auto normal = normalize_email(addr);
  std::string lower(addr);
  for (char& c : lower) c = ascii_tolower(c);
  if (!normal || *normal != lower)
    throw_bad_option(option, "must be an e-mail address such as ops@example.com or \"Ops <ops@example.com>\"");
  a.address = std::string(addr);
  return a;
}

std::string format_mail_address(const MailAddress& a) {
  if (a.display_name.empty()) return a.address;
  std::string name;
  if (!is_plain_ascii(a.display_name) || a.display_name.find("=?") != std::string::npos) {
    name = encoded_words(a.display_name);
  } else if (needs_quotes(a.display_name)) {
    name = "\"";
    for (char c : a.display_name) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    name += '"';
  } else {
    name = a.display_name;
  }
  return name + " <" + a.address + ">";
}

bool is_valid_message_id(std::string_view id) {
  if (id.empty() || id.size() > 200 || id.front() == '.' || id.back() == '.') return false;
  for (size_t i = 0; i < id.size(); i++) {
    const char c = id[i];
    if (c == '.') {
      if (id[i + 1] == '.') return false;
    } else if (!ascii_isalpha(c) && !ascii_isdigit(c) && !std::strchr("!#$%&'*+-/=?^_`{|}~", c)) {
      return false;
    }
  }
  return true;
}

void require_message_id(std::string_view id) {
  if (!is_valid_message_id(id))
    throw Error(sqlstate::kInvalidParameterValue, "message_id must be 1 to 200 letters, digits, dots or !#$%&'*+-/=?^_`{|}~",
                "", "it is sent as X-PgEtl-Delivery and as the Message-ID <message_id@pg_etl>");
}

std::string rfc5322_date(int64_t unix_seconds) {
  static const char* days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const CivilTime t = civil_from_unix(unix_seconds);
  std::string month(kMonthNames[t.month - 1], 3);
  month[0] = ascii_toupper(month[0]);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[t.weekday()], t.day, month.c_str(), t.year,
                t.hour, t.minute, t.second);
  return buf;
}

std::string encode_subject(std::string_view subject) {
  const std::string s = one_line_subject(subject);
  // "=?" in a plain subject would read as an encoded-word: encode those too.
  if (!is_plain_ascii(s) || s.find("=?") != std::string::npos) return encoded_words(s);
  std::vector<std::string> words;
  for (size_t i = 0; i < s.size();) {
    const size_t sp = std::min(s.find(' ', i), s.size());
    words.push_back(s.substr(i, sp - i));
    i = sp + 1;
  }
  return fold_words(words, "", std::strlen("Subject: "));
}

std::string quoted_printable(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    size_t used = 0;
    for (size_t i = 0; i < line.size(); i++) {
      const unsigned char c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      std::string token;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
        token = static_cast<char>(c);
      } else {
        token = {'=', hex[c >> 4], hex[c & 15]};
      }
      if (used + token.size() > 75) {  // a soft break: "=" ends the line at 76 at most
        out += "=\r\n";
        used = 0;
      }
      out += token;
      used += token.size();
    }
    if (end == text.size()) break;
    out += "\r\n";
    start = end + 2;
  }
  return out;
}

std::string build_mail(const MailMessage& m) {
  require_message_id(m.message_id);
  if (m.to.empty()) throw Error(sqlstate::kInvalidParameterValue, "an e-mail needs at least one recipient (\"to\")");
  // the body with CRLF line ends, ending in one
  std::string body;
  for (size_t i = 0; i < m.body.size(); i++) {
    const char c = m.body[i];
    if (c == '\r' || c == '\n') {
      body += "\r\n";
      if (c == '\r' && i + 1 < m.body.size() && m.body[i + 1] == '\n') i++;
    } else {
      body += c;
    }
  }
  if (body.size() < 2 || body.compare(body.size() - 2, 2, "\r\n") != 0) body += "\r\n";
  bool seven_bit = true;
  size_t line = 0;
  for (unsigned char c : body) {
    if (c == '\n') line = 0;
    else if (++line > kMaxBodyLine || c >= 0x80 || c == 0 || (is_control(c) && c != '\r' && c != '\t')) seven_bit = false;
  }
  std::vector<std::string> to;
  for (const MailAddress& a : m.to) to.push_back(format_mail_address(a));
  std::string out;
  out += "From: " + format_mail_address(m.from) + "\r\n";
  out += "To: " + fold_words(to, ",", std::strlen("To: ")) + "\r\n";
  out += "Subject: " + encode_subject(m.subject) + "\r\n";
  out += "Date: " + rfc5322_date(m.date) + "\r\n";
  out += "Message-ID: <" + m.message_id + "@pg_etl>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (seven_bit ? "7bit" : "quoted-printable") + "\r\n";
  out += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no vacation replies to a robot
  out += std::string("User-Agent: pg_etl/") + kVersion + "\r\n";
  out += "\r\n";
  out += seven_bit ? body : quoted_printable(body.substr(0, body.size() - 2)) + "\r\n";
  return out;
}

}  // namespace pg_etl
