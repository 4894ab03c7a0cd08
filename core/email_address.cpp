#include "core/email_address.hpp"

#include "core/ascii.hpp"

namespace pg_etl {
namespace {

constexpr size_t kMaxLocal = 64, kMaxDomain = 253, kMaxLabel = 63;

bool is_atom_char(char c) {
  if (ascii_isalpha(c) || ascii_isdigit(c)) return true;
  for (char a : std::string_view("!#$%&'*+/=?^_`{|}~-"))
    if (c == a) return true;
  return false;
}

bool valid_local(std::string_view l) {
  if (l.empty() || l.size() > kMaxLocal || l.front() == '.' || l.back() == '.') return false;
  for (size_t i = 0; i < l.size(); i++) {
    if (l[i] == '.') {
      if (l[i - 1] == '.') return false;
    } else if (!is_atom_char(l[i])) {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > kMaxDomain) return false;
  size_t labels = 0;
  std::string_view last;
  while (true) {
    size_t dot = d.find('.');
    std::string_view label = d.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!ascii_isalpha(c) && !ascii_isdigit(c) && c != '-') return false;
    labels++;
    last = label;
    if (dot == std::string_view::npos) break;
    d.remove_prefix(dot + 1);
  }
  if (labels < 2 || last.size() < 2) return false;
  for (char c : last)
    if (!ascii_isalpha(c)) return false;
  return true;
}

std::string_view strip_angle_brackets(std::string_view s) {
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') return ascii_trim(s.substr(1, s.size() - 2));
  return s;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view s) {
  constexpr std::string_view kMailto = "mailto:";
  s = strip_angle_brackets(ascii_trim(s));
  if (s.size() >= kMailto.size() && ascii_iequals(s.substr(0, kMailto.size()), kMailto))
    s = strip_angle_brackets(ascii_trim(s.substr(kMailto.size())));
  std::string out(s);
  for (char& c : out) c = ascii_tolower(c);  // non-ASCII bytes stay and fail the checks below
  size_t at = out.find('@');
  if (at == std::string::npos || out.find('@', at + 1) != std::string::npos) return std::nullopt;
  std::string_view view(out);
  if (!valid_local(view.substr(0, at)) || !valid_domain(view.substr(at + 1))) return std::nullopt;
  return out;
}

}  // namespace pg_etl
