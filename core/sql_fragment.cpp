#include "core/sql_fragment.hpp"

#include "core/ascii.hpp"

namespace pg_etl {

namespace {

// PostgreSQL's identifier characters; bytes >= 0x80 (UTF-8) count as letters, as in scan.l.
bool ident_start(char c) { return ascii_isalpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool ident_char(char c) { return ident_start(c) || ascii_isdigit(c) || c == '$'; }
bool dollar_tag_char(char c) { return ident_start(c) || ascii_isdigit(c); }

}  // namespace

SqlFragment scan_sql_fragment(std::string_view sql) {
  SqlFragment f;
  std::vector<size_t> open_parens;  // input offsets, to point at one never closed
  const size_t n = sql.size();
  size_t i = 0;
  auto fail = [&](size_t at, std::string message) { f.problem = SqlFragment::Problem{at, std::move(message)}; };
  // Copies a quoted token starting at sql[i] (the opening quote) through its closing quote;
  // a doubled quote is an escaped one, and so is a backslash escape in E'' strings.
  auto copy_quoted = [&](char quote, bool backslashes, const char* what) {
    size_t start = i++;
    for (;;) {
      if (i >= n) return fail(start, std::string("unterminated ") + what);
      if (backslashes && sql[i] == '\\') {
        i += 2;
        continue;
      }
      if (sql[i++] != quote) continue;
      if (i < n && sql[i] == quote) {
        i++;
        continue;
      }
      break;
    }
    f.text.append(sql.substr(start, i - start));
  };

  while (i < n && !f.problem) {
    char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') i++;
      f.text += ' ';
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      // Block comments nest in PostgreSQL.
      size_t start = i;
      int depth = 0;
      while (i < n) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          depth++, i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          i++;
        }
      }
      if (depth > 0) fail(start, "unterminated /* comment");
      f.text += ' ';
    } else if (c == '\'') {
      copy_quoted('\'', false, "string constant");
    } else if (c == '"') {
      copy_quoted('"', false, "quoted identifier");
    } else if (c == '$' && i + 1 < n && ascii_isdigit(sql[i + 1])) {
      size_t start = i++;
      while (i < n && ascii_isdigit(sql[i])) i++;
      f.text.append(sql.substr(start, i - start));
    } else if (c == '$') {
      size_t j = i + 1;
      if (j < n && ident_start(sql[j]))
        while (j < n && dollar_tag_char(sql[j])) j++;
      if (j < n && sql[j] == '$') {
        std::string_view tag = sql.substr(i, j + 1 - i);
        size_t close = sql.find(tag, j + 1);
        if (close == std::string_view::npos) {
          fail(i, "unterminated dollar-quoted string");
        } else {
          f.text.append(sql.substr(i, close + tag.size() - i));
          i = close + tag.size();
        }
      } else {
        f.text += c, i++;
      }
    } else if (ident_start(c)) {
      size_t start = i;
      while (i < n && ident_char(sql[i])) i++;
      std::string_view word = sql.substr(start, i - start);
      if ((word == "e" || word == "E") && i < n && sql[i] == '\'') {
        f.text.append(word);
        copy_quoted('\'', true, "string constant");
      } else {
        f.words.push_back({f.text.size(), f.text.size() + word.size()});
        f.text.append(word);
      }
    } else if (ascii_isdigit(c)) {
      // A number, with whatever letters follow it (1e5, 0x1F), so they are not taken as a word.
      size_t start = i;
      while (i < n && (ascii_isdigit(sql[i]) || ascii_isalpha(sql[i]) || sql[i] == '_' || sql[i] == '.')) i++;
      f.text.append(sql.substr(start, i - start));
    } else {
      if (c == '(') {
        open_parens.push_back(i);
      } else if (c == ')') {
        if (open_parens.empty()) {
          fail(i, "')' without a matching '('");
          break;
        }
        open_parens.pop_back();
      } else if (c == ';') {
        f.semicolons.push_back({i, f.text.size()});
      }
      f.text += c, i++;
    }
  }
  if (!f.problem && !open_parens.empty()) fail(open_parens.back(), "'(' is never closed");
  return f;
}

}  // namespace pg_etl
