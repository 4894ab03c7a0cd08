#include "core/column_lineage.hpp"

#include <algorithm>
#include <utility>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

const char* lineage_subtype_name(LineageSubtype subtype) {
  switch (subtype) {
    case LineageSubtype::kIdentity: return "IDENTITY";
    case LineageSubtype::kTransformation: return "TRANSFORMATION";
    case LineageSubtype::kAggregation: return "AGGREGATION";
    case LineageSubtype::kFilter: return "FILTER";
    case LineageSubtype::kJoin: return "JOIN";
    case LineageSubtype::kGroupBy: return "GROUP_BY";
    case LineageSubtype::kSort: return "SORT";
    case LineageSubtype::kWindow: return "WINDOW";
    case LineageSubtype::kConditional: return "CONDITIONAL";
  }
  return "TRANSFORMATION";
}

bool is_direct(LineageSubtype subtype) {
  return subtype == LineageSubtype::kIdentity || subtype == LineageSubtype::kTransformation ||
         subtype == LineageSubtype::kAggregation;
}

LineageSubtype combine_direct(LineageSubtype outer, LineageSubtype inner) {
  if (!is_direct(outer) || !is_direct(inner))
    throw Error(sqlstate::kInternalError, "column lineage: only direct subtypes combine");
  return std::max(outer, inner);  // the enum lists them from weakest to strongest
}

bool LineageFieldList::add(LineageField field) {
  if (!seen_.emplace(field.relation, field.column, field.subtype).second) return false;
  fields_.push_back(std::move(field));
  return true;
}

nlohmann::json LineageFieldList::to_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const LineageField& f : fields_)
    out.push_back({{"relation", f.relation}, {"column", f.column}, {"subtype", lineage_subtype_name(f.subtype)}});
  return out;
}

std::size_t ColumnLineage::add_output(std::string name) {
  outputs_.push_back(Output{std::move(name), {}});
  return outputs_.size() - 1;
}

void ColumnLineage::add_source(std::size_t output, LineageField field) {
  if (output >= outputs_.size() || !is_direct(field.subtype))
    throw Error(sqlstate::kInternalError, "column lineage: a source needs an output column and a direct subtype");
  outputs_[output].sources.add(std::move(field));
}

void ColumnLineage::add_indirect(LineageField field) {
  if (is_direct(field.subtype))
    throw Error(sqlstate::kInternalError, "column lineage: an indirect field needs an indirect subtype");
  indirect_.add(std::move(field));
}

nlohmann::json ColumnLineage::to_json() const {
  nlohmann::json columns = nlohmann::json::array();
  for (const Output& o : outputs_) columns.push_back({{"column", o.name}, {"sources", o.sources.to_json()}});
  return {{"columns", std::move(columns)}, {"indirect", indirect_.to_json()}};
}

}  // namespace pg_etl
