#pragma once
// Column-level lineage of one query, as etl._column_lineage returns it and OpenLineage's
// columnLineage facet wants it (https://openlineage.io/docs/spec/facets/dataset-facets/column_lineage_facet):
//   {"columns": [{"column": name, "sources": [{"relation", "column", "subtype"}, ...]}, ...],
//    "indirect": [{"relation", "column", "subtype"}, ...]}
// The walk over PostgreSQL's Query tree lives in extension/column_lineage.cpp; this is
// the part without PostgreSQL: subtypes, how they combine, and lists in which each
// (relation, column, subtype) appears once, in the order first seen.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace pg_etl {

// Direct subtypes say how an output value is made from a column; indirect ones say how
// a column steers which rows or values come out.
enum class LineageSubtype {
  kIdentity,        // direct: the value as is
  kTransformation,  // direct: through an expression
  kAggregation,     // direct: through an aggregate
  kFilter,          // indirect: WHERE, HAVING, LIMIT, EXCEPT's right side
  kJoin,            // indirect: JOIN ... ON / USING
  kGroupBy,         // indirect: GROUP BY, DISTINCT [ON]
  kSort,            // indirect: ORDER BY
  kWindow,          // indirect: PARTITION BY / ORDER BY of a window
  kConditional,     // indirect: CASE conditions, an aggregate's FILTER
};

// "IDENTITY", "TRANSFORMATION", ... as OpenLineage spells them.
const char* lineage_subtype_name(LineageSubtype subtype);

bool is_direct(LineageSubtype subtype);

// A value made by `outer` from a value made by `inner`: the stronger of the two direct
// subtypes (an aggregate of a transformation is an aggregation).
LineageSubtype combine_direct(LineageSubtype outer, LineageSubtype inner);

struct LineageField {
  std::string relation;  // schema-qualified, quoted as regclass prints it
  std::string column;    // the attribute name, unquoted
  LineageSubtype subtype;
};

// Fields in the order first added, each (relation, column, subtype) once.
class LineageFieldList {
 public:
  // False when the field was already there.
  bool add(LineageField field);
  const std::vector<LineageField>& fields() const { return fields_; }
  nlohmann::json to_json() const;

 private:
  std::vector<LineageField> fields_;
  std::set<std::tuple<std::string, std::string, LineageSubtype>> seen_;
};

class ColumnLineage {
 public:
  // A new output column; returns its index for add_source.
  std::size_t add_output(std::string name);
  // Throws XX000 for an indirect subtype or an unknown output.
  void add_source(std::size_t output, LineageField field);
  // Throws XX000 for a direct subtype.
  void add_indirect(LineageField field);

  std::size_t output_count() const { return outputs_.size(); }
  nlohmann::json to_json() const;

 private:
  struct Output {
    std::string name;
    LineageFieldList sources;
  };
  std::vector<Output> outputs_;
  LineageFieldList indirect_;
};

}  // namespace pg_etl
