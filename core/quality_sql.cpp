#include "core/quality_sql.hpp"

#include <cmath>
#include <optional>

#include "core/ascii.hpp"
#include "core/sql_fragment.hpp"

namespace pg_etl {

namespace {

using nlohmann::json;

std::string quote_ident(std::string_view s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? "\"\"" : std::string(1, c);
  return out + "\"";
}

// As PostgreSQL's quote_literal: a value with a backslash becomes E'...' with the
// backslash doubled, which reads the same whatever standard_conforming_strings is.
std::string quote_literal(std::string_view s) {
  bool backslash = s.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out + "'";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); i++) out += (i ? std::string(sep) : "") + parts[i];
  return out;
}

// Whole numbers as JSON integers (RowCount > 5 reads back as 5, not 5.0).
json number_json(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) return static_cast<int64_t>(v);
  return v;
}

json operand_json(const QualityOperand& o) {
  if (!o.history) return number_json(o.number);
  return {{"history", {{"fn", o.history->fn}, {"runs", o.history->runs}}}, {"scale", number_json(o.scale)}};
}

json condition_json(const QualityCondition& c) {
  if (c.op == "between" || c.op == "not between")
    return {{"op", c.op}, {"low", operand_json(c.low)}, {"high", operand_json(c.high)}};
  return {{"op", c.op}, {"value", operand_json(c.value)}};
}

json fixed_condition(std::string_view op) { return {{"op", op}, {"value", 1}}; }

json null_or(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

struct Plan {
  std::string scope = "scan";
  std::optional<std::string> metric, query, fail_count, row_check, sample;
  json condition;
  std::string expected;
  std::string unit;
  bool row_level = false;
  json native;  // the test in a form a native scan can run, or null (see the header)
};

// Builds the SQL of one rule over `target t`.
class RuleCompiler {
 public:
  RuleCompiler(const QualityRule& rule, std::string_view target)
      : r_(rule), target_(target), w_(rule.where ? "(" + *rule.where + ")" : "TRUE") {}

  Plan compile() {
    const std::string& type = r_.type;
    if (type == "RowCount") {
      measured("count(*)" + filter(), "rows");
    } else if (type == "IsComplete" || type == "Completeness") {
      row_checked(col(0) + " IS NOT NULL");
      share_passing();
      p_.row_level = type == "IsComplete";
    } else if (type == "IsUnique" || type == "Uniqueness") {
      measured("coalesce(count(DISTINCT " + col(0) + ")" + filter() + "::float8 / nullif(count(" + col(0) + ")" +
                   filter() + ", 0), 1)",
               "ratio");
      p_.sample = select_rows(w_ + " AND " + duplicated_key());
    } else if (type == "DistinctValuesCount") {
      measured("count(DISTINCT " + col(0) + ")" + filter(), "value");
    } else if (type == "IsPrimaryKey") {
      primary_key();
    } else if (type == "ColumnValues") {
      row_checked("(" + col(0) + " IS NULL OR " + value_test() + ")");
      fraction_passing();
    } else if (type == "ColumnLength") {
      row_checked("(" + col(0) + " IS NULL OR " + condition_sql("length(" + col(0) + "::text)", *r_.condition) + ")");
      fraction_passing();
    } else if (type == "Mean" || type == "Sum" || type == "StandardDeviation") {
      std::string fn = type == "Mean" ? "avg" : type == "Sum" ? "sum" : "stddev_samp";
      measured(fn + "(" + col(0) + ")" + filter(), "value");
    } else if (type == "DataFreshness") {
      measured("extract(epoch FROM now() - max(" + col(0) + "::timestamptz)" + filter() + ")", "seconds");
    } else if (type == "ReferentialIntegrity") {
      referential_integrity();
    } else if (type == "CustomSql") {
      custom_sql();
    } else if (type == "ColumnExists") {
      p_.scope = "catalog";
      p_.unit = "boolean";
    }
    if (p_.scope == "scan" && p_.row_check) p_.fail_count = failing_count();
    if (p_.scope == "scan" && !r_.where) p_.native = native_test();

    // A per-row test (ColumnValues, ColumnLength) measures the fraction of rows passing
    // it, held to the threshold; rules without a condition of their own pass when all
    // rows do.
    bool per_row = type == "ColumnValues" || type == "ColumnLength";
    if (r_.threshold)
      p_.condition = condition_json(*r_.threshold);
    else if (r_.condition && !per_row)
      p_.condition = condition_json(*r_.condition);
    else
      p_.condition = fixed_condition(type == "ColumnExists" ? "=" : ">=");
    if (per_row)
      p_.expected = (r_.value_test ? r_.value_test->text : r_.condition->text) +
                    (r_.threshold ? " with threshold " + r_.threshold->text : "");
    else
      p_.expected = r_.condition ? r_.condition->text : type == "ColumnExists" ? "= 1" : ">= 1";
    return p_;
  }

 private:
  std::string col(size_t i) const { return "t." + quote_ident(r_.columns[i]); }
  // No FILTER without a where: PostgreSQL then computes identical aggregates (count(*))
  // once for all rules, and evaluates nothing extra per row.
  std::string filter() const { return r_.where ? " FILTER (WHERE " + w_ + ")" : ""; }
  std::string failing() const { return (r_.where ? w_ + " AND " : "") + "NOT (" + *p_.row_check + ")"; }
  std::string failing_count() const { return "count(*) FILTER (WHERE " + failing() + ")"; }
  std::string select_rows(const std::string& condition) const {
    return "SELECT t.* FROM " + std::string(target_) + " t WHERE " + condition;
  }

  void measured(std::string metric, std::string unit) {
    p_.metric = std::move(metric);
    p_.unit = std::move(unit);
  }

  void row_checked(std::string check) {
    p_.row_check = std::move(check);
    p_.sample = select_rows(failing());
  }

  // ColumnValues and ColumnLength measure the fraction of rows passing the row check;
  // without a threshold every row must pass.
  void fraction_passing() {
    share_passing();
    p_.row_level = !r_.threshold;
  }

  // The share of rows passing the row check, from the failing rows' count: the same
  // aggregate as fail_count, so the shared scan tests each row once per rule.
  void share_passing() {
    measured("coalesce(1 - " + failing_count() + "::float8 / nullif(count(*)" + filter() + ", 0), 1)", "ratio");
  }

  // The rows (among those where holds) whose key occurs more than once; NULL keys are
  // not duplicates of each other.
  std::string duplicated_key() const {
    std::vector<std::string> cols, not_null;
    for (size_t i = 0; i < r_.columns.size(); i++) {
      cols.push_back(col(i));
      not_null.push_back(col(i) + " IS NOT NULL");
    }
    std::string key = cols.size() == 1 ? cols[0] : "(" + join(cols, ", ") + ")";
    return key + " IN (SELECT " + join(cols, ", ") + " FROM " + std::string(target_) + " t WHERE " + w_ + " AND " +
           join(not_null, " AND ") + " GROUP BY " + join(cols, ", ") + " HAVING count(*) > 1)";
  }

  void primary_key() {
    std::vector<std::string> cols, is_null;
    for (size_t i = 0; i < r_.columns.size(); i++) {
      cols.push_back(col(i));
      is_null.push_back(col(i) + " IS NULL");
    }
    std::string any_null = is_null.size() == 1 ? is_null[0] : "(" + join(is_null, " OR ") + ")";
    std::string distinct = cols.size() == 1 ? cols[0] : "ROW(" + join(cols, ", ") + ")";
    measured("CASE WHEN count(*) FILTER (WHERE " + w_ + " AND " + any_null + ") > 0 THEN 0 ELSE coalesce(count(DISTINCT " +
                 distinct + ")" + filter() + "::float8 / nullif(count(*)" + filter() + ", 0), 1) END",
             "ratio");
    std::string nulls = join(is_null, " OR ");
    p_.sample = select_rows(w_ + " AND (" + nulls + " OR " + duplicated_key() + ")");
  }

  std::string value_test() const {
    const QualityValueTest& v = *r_.value_test;
    std::vector<std::string> lits;
    for (const QualityLiteral& l : v.values) lits.push_back(quote_literal(l.value));
    const std::string c = col(0);
    if (v.op == "in") return c + " IN (" + join(lits, ", ") + ")";
    if (v.op == "not in") return c + " NOT IN (" + join(lits, ", ") + ")";
    if (v.op == "between") return c + " BETWEEN " + lits[0] + " AND " + lits[1];
    if (v.op == "not between") return "NOT (" + c + " BETWEEN " + lits[0] + " AND " + lits[1] + ")";
    if (v.op == "matches") return c + "::text ~ " + lits[0];
    if (v.op == "not matches") return c + "::text !~ " + lits[0];
    return c + " " + v.op + " " + lits[0];
  }

  // lhs compared as c says, with c's numbers as SQL numbers (ColumnLength).
  static std::string condition_sql(const std::string& lhs, const QualityCondition& c) {
    if (c.op == "between") return lhs + " BETWEEN " + c.low.sql + " AND " + c.high.sql;
    if (c.op == "not between") return "NOT (" + lhs + " BETWEEN " + c.low.sql + " AND " + c.high.sql + ")";
    return lhs + " " + (c.op == "!=" ? "<>" : c.op) + " " + c.value.sql;
  }

  void referential_integrity() {
    std::vector<std::string> table;
    for (const std::string& part : r_.ref_table) table.push_back(quote_ident(part));
    row_checked("(" + col(0) + " IS NULL OR EXISTS (SELECT 1 FROM " + join(table, ".") + " r WHERE r." +
                quote_ident(r_.ref_column) + " = " + col(0) + "))");
    p_.scope = "query";
    p_.unit = "ratio";
    p_.query = "SELECT coalesce(avg(CASE WHEN " + *p_.row_check + " THEN 1 ELSE 0 END), 1) FROM " + std::string(target_) +
               " t WHERE " + col(0) + " IS NOT NULL AND " + w_;
    // Only when every value must match can a failing row be routed away on its own.
    const QualityCondition& c = *r_.condition;
    p_.row_level = (c.op == "=" || c.op == ">=") && !c.value.history && c.value.number == 1;
  }

  // The user's query reads the checked rows as `primary`: a CTE named _etl_primary,
  // merged into the query's own WITH when it has one.
  void custom_sql() {
    SqlFragment f = scan_sql_fragment(r_.sql);
    const std::string& text = f.text;
    auto word = [&](size_t i) { return std::string_view(text).substr(f.words[i].begin, f.words[i].end - f.words[i].begin); };
    size_t rest = 0;
    bool with = false, recursive = false;
    if (!f.words.empty() && f.words[0].begin == 0 && ascii_iequals(word(0), "with")) {
      with = true;
      rest = f.words[0].end;
      if (f.words.size() > 1 && ascii_iequals(word(1), "recursive") &&
          ascii_trim(std::string_view(text).substr(rest, f.words[1].begin - rest)).empty()) {
        recursive = true;
        rest = f.words[1].end;
      }
    }
    std::string body;
    size_t copied = rest;
    for (size_t i = 0; i < f.words.size(); i++) {
      if (f.words[i].begin < rest || !ascii_iequals(word(i), "primary")) continue;
      body += text.substr(copied, f.words[i].begin - copied) + "_etl_primary";
      copied = f.words[i].end;
    }
    body += text.substr(copied);
    std::string cte = std::string("WITH ") + (recursive ? "RECURSIVE " : "") + "_etl_primary AS (SELECT * FROM " +
                      std::string(target_) + " t WHERE " + w_ + ")";
    p_.scope = "query";
    p_.unit = "value";
    p_.query = cte + (with ? ", " : " ") + std::string(ascii_trim(body));
  }

  // The rules a native scan can measure: counts of rows and of rows failing a simple
  // per-row test, with the metric following from them ("rows", or "share": the share
  // of rows passing). Anything else, and any rule with a where, stays SQL.
  json native_test() const {
    const std::string& type = r_.type;
    if (type == "RowCount") return {{"test", "rows"}, {"metric", "rows"}};
    if (type == "IsComplete" || type == "Completeness")
      return {{"test", "not_null"}, {"column", r_.columns[0]}, {"metric", "share"}};
    if (type == "ColumnValues" && r_.value_test->op.find("matches") == std::string::npos) {
      json values = json::array();
      for (const QualityLiteral& l : r_.value_test->values) values.push_back(l.value);
      return {{"test", "values"}, {"column", r_.columns[0]}, {"op", r_.value_test->op}, {"values", values}, {"metric", "share"}};
    }
    if (type == "ColumnLength") {
      const QualityCondition& c = *r_.condition;
      if (c.value.history || c.low.history || c.high.history) return nullptr;
      json t = {{"test", "length"}, {"column", r_.columns[0]}, {"op", c.op == "!=" ? "<>" : c.op}, {"metric", "share"}};
      if (c.op == "between" || c.op == "not between")
        t["values"] = {c.low.number, c.high.number};
      else
        t["values"] = {c.value.number};
      return t;
    }
    return nullptr;
  }

  const QualityRule& r_;
  std::string_view target_;
  std::string w_;  // the where expression in parentheses, or TRUE
  Plan p_;
};

}  // namespace

json compile_quality_rules(std::string_view rules, std::string_view target_sql) {
  json out = json::array();
  std::vector<QualityRule> parsed = parse_quality_rules(rules);
  for (size_t i = 0; i < parsed.size(); i++) {
    const QualityRule& r = parsed[i];
    Plan p = RuleCompiler(r, target_sql).compile();
    out.push_back({{"index", i + 1},
                   {"rule", r.source},
                   {"type", r.type},
                   {"severity", r.warn ? "warn" : "fail"},
                   {"columns", r.columns},
                   {"where", null_or(r.where)},
                   {"scope", p.scope},
                   {"metric", null_or(p.metric)},
                   {"query", null_or(p.query)},
                   {"fail_count", null_or(p.fail_count)},
                   {"row_check", null_or(p.row_check)},
                   {"sample", null_or(p.sample)},
                   {"condition", p.condition},
                   {"expected", p.expected},
                   {"unit", p.unit},
                   {"row_level", p.row_level},
                   {"native", p.native}});
  }
  return out;
}

}  // namespace pg_etl
