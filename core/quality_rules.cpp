#include "core/quality_rules.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/sql_fragment.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

namespace {

// ---- rule types ----------------------------------------------------------------------

enum class Args { kNone, kColumn, kColumns, kColumnAndReference, kSql };
// What the condition after the arguments measures, which decides what it may contain.
enum class Measure { kFixed, kNumber, kRatio, kValues, kLength, kDuration };

struct RuleSpec {
  std::string_view name;
  Args args;
  Measure measure;
  std::string_view example;
  std::string_view graded;  // kFixed: the rule that takes a condition instead
};

constexpr RuleSpec kRuleSpecs[] = {
    {"RowCount", Args::kNone, Measure::kNumber, "RowCount > 0", {}},
    {"IsComplete", Args::kColumn, Measure::kFixed, "IsComplete \"email\"", "Completeness"},
    {"Completeness", Args::kColumn, Measure::kRatio, "Completeness \"email\" >= 0.95", {}},
    {"IsUnique", Args::kColumn, Measure::kFixed, "IsUnique \"id\"", "Uniqueness"},
    {"Uniqueness", Args::kColumn, Measure::kRatio, "Uniqueness \"email\" > 0.99", {}},
    {"DistinctValuesCount", Args::kColumn, Measure::kNumber, "DistinctValuesCount \"country\" between 5 and 50", {}},
    {"IsPrimaryKey", Args::kColumns, Measure::kFixed, "IsPrimaryKey \"order_id\" \"line_no\"", {}},
    {"ColumnValues", Args::kColumn, Measure::kValues, "ColumnValues \"status\" in [\"new\", \"paid\"]", {}},
    {"ColumnLength", Args::kColumn, Measure::kLength, "ColumnLength \"code\" between 2 and 8", {}},
    {"Mean", Args::kColumn, Measure::kNumber, "Mean \"price\" between 10 and 20", {}},
    {"Sum", Args::kColumn, Measure::kNumber, "Sum \"amount\" > 0", {}},
    {"StandardDeviation", Args::kColumn, Measure::kNumber, "StandardDeviation \"price\" < 5", {}},
    {"DataFreshness", Args::kColumn, Measure::kDuration, "DataFreshness \"updated_at\" <= 1 days", {}},
    {"ReferentialIntegrity", Args::kColumnAndReference, Measure::kRatio,
     "ReferentialIntegrity \"customer_id\" \"public.customers.id\" = 1", {}},
    {"CustomSql", Args::kSql, Measure::kNumber, "CustomSql \"SELECT count(*) FROM primary WHERE amount < 0\" = 0", {}},
    {"ColumnExists", Args::kColumn, Measure::kFixed, "ColumnExists \"email\"", {}},
};

// DQDL rule types pg_etl does not implement: named as unsupported rather than unknown.
constexpr std::string_view kUnsupportedDqdl[] = {
    "AggregateMatch", "AllStatistics",  "ColumnCorrelation", "ColumnDataType", "ColumnNamesMatchPattern",
    "DatasetMatch",   "DetectAnomalies", "Entropy",          "FileFreshness",  "FileMatch",
    "FileSize",       "FileUniqueness", "RowCountMatch",     "SchemaMatch"};

std::string rule_type_list() {
  std::string s = "rule types: ";
  for (const RuleSpec& r : kRuleSpecs) s += std::string(r.name) + (&r == std::end(kRuleSpecs) - 1 ? "" : ", ");
  return s;
}

size_t edit_distance_ci(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (ascii_tolower(a[i - 1]) == ascii_tolower(b[j - 1]) ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// ---- numbers -------------------------------------------------------------------------

// Rounds to 15 significant digits: computed bounds (within 10% of 0.95) come out as
// written by hand, not as 0.8550000000000001.
std::string format_number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 15);
  return std::string(buf, r.ptr);
}

double round15(double v) {
  std::string s = format_number(v);
  double out = v;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return out;
}

double duration_factor(std::string_view unit) {
  struct Unit {
    std::string_view singular;
    double seconds;
  };
  static constexpr Unit kUnits[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}, {"week", 604800}};
  for (const Unit& u : kUnits) {
    if (ascii_iequals(unit, u.singular)) return u.seconds;
    if (unit.size() == u.singular.size() + 1 && ascii_iequals(unit.substr(0, u.singular.size()), u.singular) &&
        ascii_tolower(unit.back()) == 's')
      return u.seconds;
  }
  return 0;
}

// ---- positions and errors ------------------------------------------------------------

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

[[noreturn]] void syntax_error(std::string_view text, size_t offset, const std::string& what, const std::string& hint = {}) {
  offset = std::min(offset, text.size());
  size_t line = 1, line_begin = 0;
  for (size_t i = 0; i < offset; i++)
    if (text[i] == '\n') line++, line_begin = i + 1;
  // An editor does not show a byte order mark: it is not a column.
  if (line_begin == 0 && text.starts_with(kBom) && offset >= kBom.size()) line_begin = kBom.size();
  size_t line_end = text.find('\n', line_begin);
  std::string_view line_text = text.substr(line_begin, (line_end == std::string_view::npos ? text.size() : line_end) - line_begin);
  if (line_text.ends_with('\r')) line_text.remove_suffix(1);

  std::vector<size_t> starts;  // byte offset of each code point in line_text
  for (size_t i = 0; i < line_text.size(); i++)
    if (!utf8_continuation(line_text[i])) starts.push_back(i);
  size_t column = 0;  // 0-based, in code points
  for (size_t i = line_begin; i < offset; i++)
    if (!utf8_continuation(text[i])) column++;

  // A long line (a minified one-line ruleset) is shown as a window around the column.
  constexpr size_t kWidth = 120, kBefore = 60;
  size_t from = 0, to = starts.size();
  if (to > kWidth) {
    from = column > kBefore ? column - kBefore : 0;
    to = std::min(starts.size(), from + kWidth);
  }
  auto byte_at = [&](size_t cp) { return cp < starts.size() ? starts[cp] : line_text.size(); };
  std::string shown = from > 0 ? "..." : "";
  shown.append(line_text.substr(byte_at(from), byte_at(to) - byte_at(from)));
  if (to < starts.size()) shown += "...";
  std::string caret = from > 0 ? "   " : "";
  // Tabs stay tabs, so the caret lines up however wide the terminal shows a tab.
  for (size_t cp = from; cp < column && cp < to; cp++) caret += line_text[starts[cp]] == '\t' ? '\t' : ' ';
  caret += '^';

  throw Error(sqlstate::kSyntaxError,
              "syntax error in quality rules at line " + std::to_string(line) + ", column " + std::to_string(column + 1) +
                  ": " + what,
              shown + "\n" + caret, hint);
}

// ---- lexer ---------------------------------------------------------------------------

enum class Tok { kWord, kString, kNumber, kOp, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view lexeme;  // as written
  std::string value;        // a string's text, unescaped
  double number = 0;
  size_t begin = 0, end = 0;
  bool newline_before = false;  // a line break between this token and the previous one
};

// Tokens on demand, so an error early in the text is reported before one later on.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {
    if (text_.starts_with(kBom)) pos_ = last_end_ = kBom.size();
  }

  Token next() {
    const size_t n = text_.size();
    Token t;
    while (pos_ < n) {
      char c = text_[pos_];
      if (c == '\n') {
        t.newline_before = true, pos_++;
      } else if (ascii_isspace(c)) {
        pos_++;
      } else if (c == '#' || (c == '-' && pos_ + 1 < n && text_[pos_ + 1] == '-')) {
        while (pos_ < n && text_[pos_] != '\n') pos_++;
      } else {
        break;
      }
    }
    if (pos_ >= n) {
      t.begin = t.end = last_end_;  // errors at the end point just after the last token
      return t;
    }
    t.begin = pos_;
    char c = text_[pos_];
    auto digit_at = [&](size_t i) { return i < n && ascii_isdigit(text_[i]); };
    if (ascii_isalpha(c) || c == '_') {
      t.kind = Tok::kWord;
      while (pos_ < n && (ascii_isalpha(text_[pos_]) || ascii_isdigit(text_[pos_]) || text_[pos_] == '_')) pos_++;
    } else if (ascii_isdigit(c) || (c == '.' && digit_at(pos_ + 1)) ||
               (c == '-' && (digit_at(pos_ + 1) || (pos_ + 1 < n && text_[pos_ + 1] == '.' && digit_at(pos_ + 2))))) {
      lex_number(t);
    } else if (c == '"') {
      lex_string(t);
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
      t.kind = Tok::kOp;
      char d = pos_ + 1 < n ? text_[pos_ + 1] : '\0';
      if ((c == '<' && (d == '=' || d == '>')) || (c == '>' && d == '=') || (c == '!' && d == '='))
        pos_ += 2;
      else if (c == '!')
        syntax_error(text_, pos_, "unexpected character '!'", "write != for not equal");
      else
        pos_++;
    } else if (c == '[' || c == ']' || c == '(' || c == ')' || c == ',' || c == '%' || c == '*') {
      t.kind = Tok::kPunct, pos_++;
    } else {
      size_t len = 1;
      while (pos_ + len < n && utf8_continuation(text_[pos_ + len])) len++;
      std::string hint;
      if (c == '\'') hint = "column names and strings are written in double quotes: \"status\"";
      if (c == '{' || c == '}') hint = "lists are written in square brackets: in [\"a\", \"b\"]";
      syntax_error(text_, pos_, "unexpected character '" + std::string(text_.substr(pos_, len)) + "'", hint);
    }
    t.end = last_end_ = pos_;
    t.lexeme = text_.substr(t.begin, t.end - t.begin);
    return t;
  }

 private:
  void lex_number(Token& t) {
    const size_t n = text_.size();
    t.kind = Tok::kNumber;
    size_t i = pos_;
    if (text_[i] == '-') i++;
    while (i < n && ascii_isdigit(text_[i])) i++;
    if (i < n && text_[i] == '.') {
      size_t digits = ++i;
      while (i < n && ascii_isdigit(text_[i])) i++;
      if (i == digits) syntax_error(text_, i, "expected a digit after the decimal point");
    }
    if (i < n && (text_[i] == 'e' || text_[i] == 'E')) {
      size_t j = i + 1;
      if (j < n && (text_[j] == '+' || text_[j] == '-')) j++;
      if (j < n && ascii_isdigit(text_[j])) {
        i = j;
        while (i < n && ascii_isdigit(text_[i])) i++;
      }
    }
    auto r = std::from_chars(text_.data() + pos_, text_.data() + i, t.number);
    if (r.ec != std::errc() || !std::isfinite(t.number)) syntax_error(text_, pos_, "number out of range");
    pos_ = i;
  }

  void lex_string(Token& t) {
    const size_t n = text_.size();
    t.kind = Tok::kString;
    size_t start = pos_++;
    for (;;) {
      if (pos_ >= n)
        syntax_error(text_, start, "unterminated string: the closing \" is missing",
                     "write a \" inside a string as \\\" and a backslash as \\\\");
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < n && (text_[pos_ + 1] == '"' || text_[pos_ + 1] == '\\')) {
        t.value += text_[pos_ + 1];
        pos_ += 2;
      } else if (c == '"') {
        pos_++;
        return;
      } else {
        // Other backslashes stay as written, so regular expressions read naturally: "\d+".
        t.value += c;
        pos_++;
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t last_end_ = 0;
};

// ---- parser --------------------------------------------------------------------------

// What a condition may contain where it is being parsed.
struct CondMode {
  bool history = false;   // avg(last(N)) terms
  bool duration = false;  // numbers carry a unit: 2 hours
  bool ratio = false;     // numbers are fractions between 0 and 1
  std::string_view rule;  // for messages
  std::string_view example;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

  std::vector<QualityRule> parse() {
    std::vector<QualityRule> rules;
    if (at_word("rules") && at_op("=", 1)) {
      bare_ = false;
      take(), take();
      if (!at_punct('[')) fail_expected("'[' after Rules =", "write Rules = [ RowCount > 0, IsComplete \"id\" ]");
      take();
      if (at_punct(']')) fail(peek().begin, "no rules between [ and ]", "for example: Rules = [ RowCount > 0 ]");
      for (;;) {
        rules.push_back(parse_rule());
        if (at_punct(',')) {
          take();
          if (at_punct(']')) break;  // a trailing comma
          continue;
        }
        if (at_punct(']')) break;
        fail_expected("',' or ']' after the rule", "rules inside Rules = [ ] are separated by commas");
      }
      take();
      if (peek().kind != Tok::kEnd) fail_expected("the end of the rules after ']'");
      return rules;
    }
    if (peek().kind == Tok::kEnd)
      fail(peek().begin, "no rules: the text is empty or only comments", "for example: RowCount > 0");
    for (;;) {
      rules.push_back(parse_rule());
      if (peek().kind == Tok::kEnd) break;
      if (at_punct(',')) {
        take();
        if (peek().kind == Tok::kEnd) break;  // a trailing comma
        continue;
      }
      if (peek().newline_before) continue;
      fail_expected("',' or a line break after the rule", "write one rule a line, or separate rules with commas");
    }
    return rules;
  }

 private:
  // ---- tokens ----

  const Token& peek(size_t k = 0) {
    while (tokens_.size() <= pos_ + k) {
      if (!tokens_.empty() && tokens_.back().kind == Tok::kEnd) return tokens_.back();
      tokens_.push_back(lexer_.next());
    }
    return tokens_[pos_ + k];
  }

  const Token& take() {
    const Token& t = peek();
    if (t.kind == Tok::kPunct && (t.lexeme == "[" || t.lexeme == "(")) depth_++;
    if (t.kind == Tok::kPunct && (t.lexeme == "]" || t.lexeme == ")")) depth_--;
    if (t.kind != Tok::kEnd) pos_++;
    return t;
  }

  bool at_word(std::string_view w, size_t k = 0) {
    const Token& t = peek(k);
    return t.kind == Tok::kWord && ascii_iequals(t.lexeme, w);
  }
  bool at_punct(char c, size_t k = 0) {
    const Token& t = peek(k);
    return t.kind == Tok::kPunct && t.lexeme[0] == c;
  }
  bool at_op(std::string_view op, size_t k = 0) {
    const Token& t = peek(k);
    return t.kind == Tok::kOp && t.lexeme == op;
  }
  size_t previous_end() const { return pos_ > 0 ? tokens_[pos_ - 1].end : 0; }

  // ---- errors ----

  [[noreturn]] void fail(size_t offset, const std::string& what, const std::string& hint = {}) {
    syntax_error(text_, offset, what, hint);
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::kWord: return "'" + std::string(t.lexeme) + "'";
      case Tok::kNumber: return "number " + std::string(t.lexeme);
      case Tok::kString: {
        std::string_view s = t.lexeme;
        size_t cut = std::min(s.find('\n'), size_t{40});
        return "string " + (cut < s.size() ? std::string(s.substr(0, cut)) + "...\"" : std::string(s));
      }
      case Tok::kEnd: return "end of input";
      default: return "'" + std::string(t.lexeme) + "'";
    }
  }

  // "expected X, found Y" at the next token. Between bare rules a line break ends a rule,
  // so a rule missing its last part is reported at the end of its own line, not at the
  // start of the next rule.
  [[noreturn]] void fail_expected(const std::string& expected, const std::string& hint = {}) {
    const Token& t = peek();
    if (t.kind != Tok::kEnd && bare_ && depth_ == 0 && t.newline_before && pos_ > 0)
      fail(previous_end(), "expected " + expected + ", found end of line", hint);
    fail(t.begin, "expected " + expected + ", found " + describe(t), hint);
  }

  const Token& expect_punct(char c, const std::string& context) {
    if (!at_punct(c)) fail_expected("'" + std::string(1, c) + "' " + context);
    return take();
  }
  const Token& expect_word(std::string_view w, const std::string& context, const std::string& hint = {}) {
    if (!at_word(w)) fail_expected("'" + std::string(w) + "' " + context, hint);
    return take();
  }

  // Condition text for reports: tokens as written, single spaces, keywords in lower case.
  std::string render(size_t from, size_t to) const {
    std::string out;
    for (size_t k = from; k < to; k++) {
      const Token& t = tokens_[k];
      if (k > from) {
        char prev = tokens_[k - 1].kind == Tok::kPunct ? tokens_[k - 1].lexeme[0] : '\0';
        char cur = t.kind == Tok::kPunct ? t.lexeme[0] : '\0';
        bool tight = prev == '(' || prev == '[' || cur == '(' || cur == ')' || cur == ']' || cur == ',' || cur == '%';
        if (!tight) out += ' ';
      }
      if (t.kind == Tok::kWord)
        for (char c : t.lexeme) out += ascii_tolower(c);
      else
        out += t.lexeme;
    }
    return out;
  }

  // The offset in the rules text of byte `index` of a string token's unescaped value.
  size_t offset_in_string(const Token& t, size_t index) const {
    size_t src = t.begin + 1;
    for (size_t k = 0; k < index && src + 1 < t.end; k++)
      src += text_[src] == '\\' && (text_[src + 1] == '"' || text_[src + 1] == '\\') ? 2 : 1;
    return src;
  }

  // ---- rules ----

  const RuleSpec& rule_spec() {
    const Token& t = peek();
    if (t.kind == Tok::kPunct && t.lexeme == "(")
      fail(t.begin, "composite rules such as (rule1) and (rule2) are not supported",
           "write the rules one by one: each must pass (use severity warn for a rule that may fail)");
    if (t.kind != Tok::kWord) fail_expected("a rule type such as RowCount or IsComplete", rule_type_list());
    for (const RuleSpec& r : kRuleSpecs)
      if (ascii_iequals(t.lexeme, r.name)) return r;
    std::string name(t.lexeme);
    for (std::string_view u : kUnsupportedDqdl)
      if (ascii_iequals(name, u)) fail(t.begin, "rule type " + std::string(u) + " is not supported", rule_type_list());
    if (ascii_iequals(name, "rules"))
      fail(t.begin, "unknown rule type 'Rules'", "a list of rules is written Rules = [ rule, rule ]");
    std::string hint = rule_type_list();
    const RuleSpec* best = nullptr;
    size_t best_distance = 3;  // suggest only close spellings
    for (const RuleSpec& r : kRuleSpecs) {
      size_t d = edit_distance_ci(name, r.name);
      if (d < best_distance) best = &r, best_distance = d;
    }
    if (best) hint = "did you mean " + std::string(best->name) + "? " + hint;
    fail(t.begin, "unknown rule type '" + name + "'", hint);
  }

  QualityRule parse_rule() {
    const RuleSpec& spec = rule_spec();
    QualityRule rule;
    rule.type = spec.name;
    rule.offset = take().begin;

    switch (spec.args) {
      case Args::kNone: break;
      case Args::kColumn: parse_column(spec, rule); break;
      case Args::kColumns:
        parse_column(spec, rule);
        while (peek().kind == Tok::kString) parse_column(spec, rule);
        break;
      case Args::kColumnAndReference:
        parse_column(spec, rule);
        parse_reference(rule);
        break;
      case Args::kSql: parse_custom_sql(rule); break;
    }

    switch (spec.measure) {
      case Measure::kFixed:
        if (at_condition()) fail(peek().begin, std::string(spec.name) + " takes no condition", graded_hint(spec, rule));
        break;
      case Measure::kValues: rule.value_test = parse_value_test(spec); break;
      default: {
        CondMode m{.history = spec.measure != Measure::kLength,
                   .duration = spec.measure == Measure::kDuration,
                   .ratio = spec.measure == Measure::kRatio,
                   .rule = spec.name,
                   .example = spec.example};
        rule.condition = parse_condition(m);
      }
    }

    parse_suffixes(spec, rule);
    if (at_word("and") || at_word("or"))
      fail(peek().begin, "composite rules such as (rule1) and (rule2) are not supported",
           "write the rules one by one: each must pass (use severity warn for a rule that may fail)");
    rule.source = std::string(text_.substr(rule.offset, previous_end() - rule.offset));
    return rule;
  }

  // For IsComplete and IsUnique, which hold for all rows: the rule that takes a fraction.
  static std::string graded_hint(const RuleSpec& spec, const QualityRule& rule) {
    if (spec.graded.empty()) return {};
    return "to accept less than all rows, write " + std::string(spec.graded) + " \"" + rule.columns[0] + "\" >= 0.95";
  }

  void parse_column(const RuleSpec& spec, QualityRule& rule) {
    const Token& t = peek();
    if (t.kind != Tok::kString) {
      std::string what = rule.columns.empty() ? "a column name in double quotes after " + std::string(spec.name)
                                              : "another column name in double quotes";
      fail_expected(what, "for example: " + std::string(spec.example));
    }
    take();
    if (t.value.empty()) fail(t.begin, "empty column name");
    if (spec.args == Args::kColumnAndReference && (t.value.find(',') != std::string::npos || t.value.starts_with('{')))
      fail(t.begin, "multi-column references are not supported yet", "check one column per ReferentialIntegrity rule");
    if (std::find(rule.columns.begin(), rule.columns.end(), t.value) != rule.columns.end())
      fail(t.begin, "column \"" + t.value + "\" is named twice");
    rule.columns.push_back(t.value);
  }

  void parse_reference(QualityRule& rule) {
    const Token& t = peek();
    const std::string form = "the referenced column in double quotes, as \"table.column\" or \"schema.table.column\"";
    if (t.kind != Tok::kString) fail_expected(form, "for example: ReferentialIntegrity \"customer_id\" \"public.customers.id\" = 1");
    take();
    const std::string& v = t.value;
    if (v.find_first_of(",{}") != std::string::npos)
      fail(t.begin, "multi-column references are not supported yet", "check one column per ReferentialIntegrity rule");
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t dot = v.find('.', start);
      parts.push_back(v.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    bool empty_part = std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
    if (parts.size() < 2 || parts.size() > 3 || empty_part) fail(t.begin, "expected " + form + ", found \"" + v + "\"");
    rule.ref_column = parts.back();
    parts.pop_back();
    rule.ref_table = parts;
  }

  void parse_custom_sql(QualityRule& rule) {
    const Token& t = peek();
    if (t.kind != Tok::kString)
      fail_expected("a query in double quotes after CustomSql",
                    "for example: CustomSql \"SELECT count(*) FROM primary WHERE amount < 0\" = 0");
    take();
    SqlFragment f = scan_sql_fragment(t.value);
    if (f.problem) fail(offset_in_string(t, f.problem->offset), "in the CustomSql query: " + f.problem->message);
    std::string_view sql = ascii_trim(f.text);
    size_t lead = sql.empty() ? 0 : sql.data() - f.text.data();
    // One trailing ';' is what people type after a query; it goes, others are errors.
    if (!f.semicolons.empty() && f.semicolons.back().text + 1 == lead + sql.size()) {
      sql = ascii_trim(sql.substr(0, sql.size() - 1));
      f.semicolons.pop_back();
    }
    if (!f.semicolons.empty())
      fail(offset_in_string(t, f.semicolons.front().input), "CustomSql takes a single query, without ';' inside it");
    if (sql.empty()) fail(t.begin, "empty CustomSql query");
    bool query = sql.front() == '(';
    if (!query && !f.words.empty() && f.words.front().begin == lead) {
      std::string_view first = std::string_view(f.text).substr(lead, f.words.front().end - f.words.front().begin);
      for (std::string_view k : {"select", "with", "values", "table"}) query = query || ascii_iequals(first, k);
    }
    if (!query)
      fail(t.begin, "CustomSql takes a query (SELECT ...)",
           "for example: CustomSql \"SELECT count(*) FROM primary WHERE amount < 0\" = 0");
    rule.sql = std::string(sql);
  }

  bool at_condition() {
    const Token& t = peek();
    return t.kind == Tok::kOp || at_word("between") || at_word("not") || at_word("within") || at_word("in") ||
           at_word("matches");
  }

  // ---- conditions ----

  QualityCondition parse_condition(const CondMode& m) {
    size_t start = pos_;
    const Token& t = peek();
    QualityCondition c;
    c.offset = t.begin;
    if (t.kind == Tok::kOp) {
      take();
      c.op = t.lexeme == "<>" ? "!=" : std::string(t.lexeme);
      c.value = parse_operand(m);
    } else if (at_word("between") || (at_word("not") && at_word("between", 1))) {
      c.op = at_word("not") ? "not between" : "between";
      if (at_word("not")) take();
      take();
      parse_bounds(c, m);
    } else if (at_word("within")) {
      take();
      parse_within(c, m);
    } else if (at_word("in") || at_word("matches") || (at_word("not") && (at_word("in", 1) || at_word("matches", 1)))) {
      const Token& w = at_word("not") ? peek(1) : t;
      fail(w.begin, "'" + std::string(w.lexeme) + "' is only allowed in ColumnValues rules",
           "for example: " + std::string(m.example));
    } else if (at_word("not")) {
      take();
      fail_expected("between after not");
    } else {
      fail_expected("a condition such as > 0, between 1 and 10 or within 10% of avg(last(5))",
                    "for example: " + std::string(m.example));
    }
    c.text = render(start, pos_);
    return c;
  }

  void parse_bounds(QualityCondition& c, const CondMode& m) {
    c.low = parse_operand(m);
    expect_word("and", "between the bounds", "write between 1 and 10");
    c.high = parse_operand(m);
    if (!c.low.history && !c.high.history && c.low.number > c.high.number)
      fail(c.low.offset, "the low bound of between is greater than its high bound", "write the smaller bound first");
  }

  // within P% of X is between X*(1-P/100) and X*(1+P/100).
  void parse_within(QualityCondition& c, const CondMode& m) {
    const Token& p = peek();
    if (p.kind != Tok::kNumber) fail_expected("a percentage after within", "for example: within 10% of avg(last(5))");
    if (p.number < 0) fail(p.begin, "within takes a percentage of 0 or more");
    take();
    expect_punct('%', "after the percentage");
    expect_word("of", "after the percentage", "for example: within 10% of avg(last(5))");
    QualityOperand x = parse_operand(m);
    double share = p.number / 100;
    c.op = "between";
    c.low = c.high = x;
    double& low = x.history ? c.low.scale : c.low.number;
    double& high = x.history ? c.high.scale : c.high.number;
    double base = x.history ? x.scale : x.number;
    low = round15(base - base * share);
    high = round15(base + base * share);
    if (low > high) std::swap(low, high);
    if (!x.history) c.low.sql = format_number(low), c.high.sql = format_number(high);
  }

  QualityOperand parse_operand(const CondMode& m) {
    const Token& t = peek();
    QualityOperand o;
    o.offset = t.begin;
    if (t.kind == Tok::kNumber) {
      take();
      o.number = t.number;
      o.sql = std::string(t.lexeme);
      const Token& unit = peek();
      double factor = unit.kind == Tok::kWord ? duration_factor(unit.lexeme) : 0;
      if (m.duration) {
        if (factor == 0)
          fail_expected("a unit after " + std::string(t.lexeme) + ": seconds, minutes, hours, days or weeks",
                        "for example: " + std::string(m.example));
        take();
        o.number *= factor;
        o.sql = format_number(o.number);
      } else if (factor != 0) {
        fail(unit.begin, "durations are only allowed in DataFreshness rules");
      }
      if (m.ratio && (o.number < 0 || o.number > 1))
        fail(t.begin, std::string(m.rule) + " measures a fraction of rows, between 0 and 1",
             "write 0.95 for 95%");
      return o;
    }
    bool history_fn = at_word("avg") || at_word("min") || at_word("max");
    if (history_fn && at_punct('(', 1)) {
      if (!m.history)
        fail(t.begin, "history terms such as avg(last(10)) are not allowed in " + std::string(m.rule) + " conditions",
             "for example: " + std::string(m.example));
      take();
      QualityHistory h;
      for (char ch : t.lexeme) h.fn += ascii_tolower(ch);
      expect_punct('(', "after " + h.fn);
      expect_word("last", "in " + h.fn + "(last(N))", "for example: avg(last(10))");
      expect_punct('(', "after last");
      const Token& n = peek();
      if (n.kind != Tok::kNumber) fail_expected("the number of previous runs in last(N)", "for example: avg(last(10))");
      auto r = std::from_chars(n.lexeme.data(), n.lexeme.data() + n.lexeme.size(), h.runs);
      if (r.ec != std::errc() || r.ptr != n.lexeme.data() + n.lexeme.size() || h.runs < 1 || h.runs > 1000000)
        fail(n.begin, "last(N) takes a whole number of runs from 1 to 1000000");
      take();
      expect_punct(')', "after last(N");
      expect_punct(')', "after " + h.fn + "(last(N)");
      o.history = h;
      if (at_punct('*')) {
        take();
        const Token& k = peek();
        if (k.kind != Tok::kNumber) fail_expected("a number after *", "for example: avg(last(10)) * 0.8");
        take();
        o.scale = k.number;
      }
      return o;
    }
    if (at_word("last")) fail(t.begin, "last(N) must be inside avg(), min() or max()", "for example: avg(last(10))");
    fail_expected(m.history ? "a number or a history term such as avg(last(10))" : "a number",
                  "for example: " + std::string(m.example));
  }

  // ---- ColumnValues ----

  QualityValueTest parse_value_test(const RuleSpec& spec) {
    size_t start = pos_;
    QualityValueTest v;
    bool negated = false;
    if (at_word("not")) {
      take();
      negated = true;
      if (!at_word("in") && !at_word("between") && !at_word("matches")) fail_expected("in, between or matches after not");
    }
    const Token& t = peek();
    if (at_word("in")) {
      take();
      v.op = negated ? "not in" : "in";
      expect_punct('[', "after in");
      if (at_punct(']')) fail(peek().begin, "empty list after in", "for example: " + std::string(spec.example));
      for (;;) {
        v.values.push_back(parse_literal());
        if (at_punct(',')) {
          take();
          if (at_punct(']')) break;
          continue;
        }
        if (at_punct(']')) break;
        fail_expected("',' or ']' in the list");
      }
      take();
    } else if (at_word("between")) {
      take();
      v.op = negated ? "not between" : "between";
      const Token& low = peek();
      v.values.push_back(parse_literal());
      expect_word("and", "between the bounds", "write between 1 and 10");
      const Token& high = peek();
      v.values.push_back(parse_literal());
      if (low.kind == Tok::kNumber && high.kind == Tok::kNumber && low.number > high.number)
        fail(low.begin, "the low bound of between is greater than its high bound", "write the smaller bound first");
    } else if (at_word("matches")) {
      take();
      v.op = negated ? "not matches" : "matches";
      if (peek().kind != Tok::kString)
        fail_expected("a regular expression in double quotes after matches", "for example: matches \"^[A-Z]{2}[0-9]+$\"");
      v.values.push_back({true, take().value});
    } else if (t.kind == Tok::kOp) {
      take();
      v.op = t.lexeme == "!=" ? "<>" : std::string(t.lexeme);
      v.values.push_back(parse_literal());
    } else if (at_word("within")) {
      fail(t.begin, "within is not allowed in ColumnValues rules", "write between low and high");
    } else {
      fail_expected("a value condition such as in [...], between a and b, matches \"regex\" or > 5",
                    "for example: " + std::string(spec.example));
    }
    v.text = render(start, pos_);
    return v;
  }

  QualityLiteral parse_literal() {
    const Token& t = peek();
    if (t.kind == Tok::kString) return {true, take().value};
    if (t.kind == Tok::kNumber) return {false, std::string(take().lexeme)};
    fail_expected("a number or a string in double quotes", "write text values in double quotes: \"paid\"");
  }

  // ---- suffixes ----

  void parse_suffixes(const RuleSpec& spec, QualityRule& rule) {
    bool seen_severity = false;
    for (;;) {
      const Token& kw = peek();
      if (at_word("with")) {
        if (spec.measure != Measure::kValues && spec.measure != Measure::kLength) {
          std::string hint = graded_hint(spec, rule);
          if (hint.empty()) hint = "with threshold sets the fraction of rows that must pass a ColumnValues or ColumnLength test";
          fail(kw.begin, "with threshold is only allowed in ColumnValues and ColumnLength rules", hint);
        }
        if (rule.threshold) fail(kw.begin, "with threshold is given twice in this rule");
        take();
        expect_word("threshold", "after with", "for example: with threshold >= 0.9");
        CondMode m{.history = true, .duration = false, .ratio = true, .rule = "with threshold",
                   .example = "with threshold >= 0.9"};
        rule.threshold = parse_condition(m);
      } else if (at_word("where")) {
        if (spec.name == "ColumnExists") fail(kw.begin, "where is not allowed in ColumnExists rules");
        if (rule.where) fail(kw.begin, "where is given twice in this rule");
        take();
        parse_where(rule);
      } else if (at_word("severity")) {
        if (seen_severity) fail(kw.begin, "severity is given twice in this rule");
        take();
        seen_severity = true;
        if (!at_word("warn") && !at_word("fail")) fail_expected("warn or fail after severity");
        rule.warn = at_word("warn");
        take();
      } else {
        return;
      }
    }
  }

  void parse_where(QualityRule& rule) {
    const Token& t = peek();
    if (t.kind != Tok::kString)
      fail_expected("a SQL condition in double quotes after where", "for example: where \"status <> 'test'\"");
    take();
    SqlFragment f = scan_sql_fragment(t.value);
    if (f.problem) fail(offset_in_string(t, f.problem->offset), "in the where expression: " + f.problem->message);
    if (!f.semicolons.empty())
      fail(offset_in_string(t, f.semicolons.front().input), "a where expression cannot contain ';'");
    std::string_view expr = ascii_trim(f.text);
    if (expr.empty()) fail(t.begin, "empty where expression");
    rule.where = std::string(expr);
  }

  std::string_view text_;
  Lexer lexer_;
  std::deque<Token> tokens_;  // a deque: references to tokens stay valid as it grows
  size_t pos_ = 0;            // the next token
  bool bare_ = true;          // rules without Rules = [ ]: line breaks separate them
  int depth_ = 0;             // open brackets and parentheses
};

}  // namespace

std::vector<QualityRule> parse_quality_rules(std::string_view text) { return Parser(text).parse(); }

std::vector<std::string> quality_rule_types() {
  std::vector<std::string> names;
  for (const RuleSpec& r : kRuleSpecs) names.emplace_back(r.name);
  return names;
}

}  // namespace pg_etl
