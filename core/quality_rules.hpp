#pragma once
// Data-quality rules in a language modelled on AWS Glue Data Quality's DQDL:
//   Rules = [ RowCount > 0, IsComplete "id", ColumnValues "status" in ["new", "paid"] ]
// or the same rules bare, separated by commas or line breaks. This file turns the text
// into rules that remember where they were written (so every error, also one found
// while compiling, points at a line and column); quality_sql.hpp compiles them to SQL.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

// The rule's own measured values in its previous `runs` checks, aggregated by fn.
struct QualityHistory {
  std::string fn;  // "avg", "min" or "max"
  int64_t runs = 0;
};

// One side of a condition: a number, or a history term times a scale.
struct QualityOperand {
  std::optional<QualityHistory> history;
  double number = 0;  // without history; a duration is in seconds
  double scale = 1;   // with history
  std::string sql;    // the number as SQL: as written, or computed (within)
  size_t offset = 0;  // byte offset in the rules text
};

// A condition on a measured value: op value, or [not] between low and high.
struct QualityCondition {
  std::string op;  // "=", "!=", ">", ">=", "<", "<=", "between", "not between"
  QualityOperand value, low, high;
  std::string text;  // as written, with spacing normalised and keywords in lower case
  size_t offset = 0;
};

// A value in a ColumnValues test: a number as written, or a string unescaped.
struct QualityLiteral {
  bool is_string = false;
  std::string value;
};

// ColumnValues' test of each row's value.
struct QualityValueTest {
  // "in", "not in", "between", "not between", "matches", "not matches", or a comparison
  // "=", "<>", ">", ">=", "<", "<=" (!= is spelt <>).
  std::string op;
  std::vector<QualityLiteral> values;  // the list; low and high; or the one operand
  std::string text;                    // as QualityCondition::text
};

struct QualityRule {
  std::string type;    // canonical spelling, e.g. "ColumnValues"
  std::string source;  // the rule's text from its first token to its last
  size_t offset = 0;   // of the rule's first token
  std::vector<std::string> columns;  // in the checked relation
  // ReferentialIntegrity: the referenced table ([schema,] table) and column.
  std::vector<std::string> ref_table;
  std::string ref_column;
  std::string sql;                              // CustomSql: comments removed, no trailing ';'
  std::optional<QualityCondition> condition;    // as written after the arguments
  std::optional<QualityValueTest> value_test;   // ColumnValues
  std::optional<QualityCondition> threshold;    // with threshold
  std::optional<std::string> where;             // comments removed
  bool warn = false;                            // severity warn (the default is fail)
};

// Parses a ruleset. Throws 42601 "syntax error in quality rules at line L, column C:
// ..." with the line and a caret under column C as the detail.
std::vector<QualityRule> parse_quality_rules(std::string_view text);

// The rule types, canonically spelt, in the order the documentation lists them.
std::vector<std::string> quality_rule_types();

}  // namespace pg_etl
