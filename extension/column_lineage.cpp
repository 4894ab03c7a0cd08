// etl._column_lineage(query text) -> jsonb: which columns of which relations each output
// column of a SELECT comes from, and which columns steer its rows (core/column_lineage.hpp
// has the shape). PostgreSQL's own parser and analyzer resolve every name in the caller's
// session (so pg_temp.input, search_path and views are as the transform will see them);
// this file walks the analyzed Query tree.
//
// How the walk decides:
//   - An output column is walked as an expression with a "sink": its sources (a direct
//     subtype that only grows: a bare Var is IDENTITY, any other node makes what is
//     below it TRANSFORMATION, an aggregate AGGREGATION) or the indirect list (a fixed
//     subtype: FILTER, JOIN, ...).
//   - A Var is followed to where its value is made: a table or view column (reported,
//     views are not expanded), a subquery's or CTE's output column (walked in that query,
//     with the outer levels kept for correlated references), a join's column (USING and
//     NATURAL columns come from both sides), every branch of a set operation, a VALUES
//     column, or the arguments of a function in FROM.
//   - Every query that feeds the result has its clauses read once into the indirect list:
//     WHERE, HAVING and LIMIT (FILTER), JOIN conditions (JOIN), GROUP BY and DISTINCT [ON]
//     (GROUP_BY), ORDER BY (SORT), window PARTITION BY / ORDER BY (WINDOW), EXCEPT's
//     right side (FILTER).
//   - Conditions inside a value (CASE conditions, an aggregate's FILTER, a subquery's
//     WHERE) are sources of that value (TRANSFORMATION, or AGGREGATION under an aggregate)
//     and also indirect (CONDITIONAL, CONDITIONAL, FILTER).
#include "core/column_lineage.hpp"  // nlohmann/json before the PostgreSQL headers
#include "core/column_groups.hpp"

#include <exception>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

using namespace pg_etl;
using namespace pg_etl::pg;

namespace {

using S = LineageSubtype;

// One query level; outer is the level a Var with varlevelsup 1 refers to.
struct Scope {
  Query* query;
  const Scope* outer;
};

// Where the columns an expression reads are recorded.
struct Sink {
  bool direct;
  S subtype;
  // The sink for what is below a node that makes a new value (max of the two).
  Sink under(S made) const { return direct ? Sink{true, combine_direct(subtype, made)} : *this; }
};

constexpr Sink indirect(S subtype) { return Sink{false, subtype}; }

template <typename T>
T* nth(List* list, int i) {
  return static_cast<T*>(list_nth(list, i));
}

const TargetEntry* target_entry(const Query* q, AttrNumber resno) {
  for (int i = 0; i < list_length(q->targetList); i++) {
    const auto* tle = nth<TargetEntry>(q->targetList, i);
    if (tle->resno == resno) return tle;
  }
  return nullptr;
}

const TargetEntry* sortgroup_entry(const Query* q, Index ref) {
  for (int i = 0; i < list_length(q->targetList); i++) {
    const auto* tle = nth<TargetEntry>(q->targetList, i);
    if (tle->ressortgroupref == ref) return tle;
  }
  return nullptr;
}

// The range table index a join input stands for.
int input_rti(Node* node) {
  if (IsA(node, RangeTblRef)) return reinterpret_cast<RangeTblRef*>(node)->rtindex;
  if (IsA(node, JoinExpr)) return reinterpret_cast<JoinExpr*>(node)->rtindex;
  return 0;
}

// A Var, maybe relabelled to another binary-compatible type: the same value.
bool is_plain_var(Node* node) {
  while (node != nullptr && IsA(node, RelabelType)) node = reinterpret_cast<Node*>(reinterpret_cast<RelabelType*>(node)->arg);
  return node != nullptr && IsA(node, Var);
}

class LineageWalker {
 public:
  ColumnLineage walk(Query* top);

  // Public for the expression_tree_walker callback.
  void expr(const Scope* scope, Node* node, Sink sink);

 private:
  void query_clauses(const Scope* scope);
  void join_conditions(const Scope* scope, Node* node, Sink sink);
  void setop_clauses(const Scope* scope, Node* node);
  void conditions(const Scope* scope, Sink sink);
  void sortgroup_list(const Scope* scope, List* clauses, Sink sink);
  void output_column(const Scope* scope, AttrNumber attno, Sink sink);
  void output_row(const Scope* scope, Sink sink);
  void setop_column(const Scope* scope, Node* node, AttrNumber attno, Sink sink);
  void var(const Scope* scope, const Var* v, Sink sink);
  void rte_column(const Scope* scope, int rti, AttrNumber attno, Sink sink);
  void input_column(const Scope* scope, int rti, AttrNumber attno, Sink sink);
  const ColumnGroups& merged_columns(const Query* q);
  void relation_column(const RangeTblEntry* rte, AttrNumber attno, Sink sink);
  void join_column(const Scope* scope, int rti, const RangeTblEntry* rte, AttrNumber attno, Sink sink);
  void function_column(const Scope* scope, const RangeTblEntry* rte, AttrNumber attno, Sink sink);
  void values_column(const Scope* scope, const RangeTblEntry* rte, AttrNumber attno, Sink sink);
  const Scope* cte_scope(const Scope* scope, const RangeTblEntry* rte, Scope* storage);
  void sublink(const Scope* scope, SubLink* link, Sink sink);
  void children(const Scope* scope, Node* node, Sink sink);
  void record(Oid relid, const char* column, Sink sink);
  const std::string& relation_name(Oid relid);

  ColumnLineage lineage_;
  size_t output_ = 0;  // the output column direct sinks record into
  std::set<const Query*> clauses_read_;
  // Output columns of inner queries, by (query, column, sink). A query's outer levels
  // are fixed by the tree, so what a column resolves to does not depend on the caller:
  // each is walked once (a CTE joined to itself level after level would otherwise be
  // walked 2^levels times) and its direct sources replayed.
  using ColumnKey = std::tuple<const Query*, AttrNumber, bool, S>;
  std::set<ColumnKey> resolving_;          // a recursive CTE reaches itself again: cut there
  size_t cuts_ = 0;                        // how often; a cut result is not remembered
  std::map<ColumnKey, LineageFieldList> resolved_;
  std::vector<LineageField> trace_;        // direct sources recorded, in order, repeats too
  void add_direct(const LineageField& field);
  std::map<Oid, std::string> relation_names_;
  std::map<const Query*, ColumnGroups> merged_columns_;
};

struct ChildWalk {
  LineageWalker* walker;
  const Scope* scope;
  Sink sink;
  std::exception_ptr error;  // C++ exceptions must not unwind through expression_tree_walker
};

bool walk_child(Node* node, void* context) {
  auto* walk = static_cast<ChildWalk*>(context);
  if (node == nullptr) return false;
  try {
    walk->walker->expr(walk->scope, node, walk->sink);
  } catch (...) {
    walk->error = std::current_exception();
    return true;  // stops the walk
  }
  return false;
}

ColumnLineage LineageWalker::walk(Query* top) {
  Scope scope{top, nullptr};
  query_clauses(&scope);
  for (int i = 0; i < list_length(top->targetList); i++) {
    const auto* tle = nth<TargetEntry>(top->targetList, i);
    if (tle->resjunk) continue;
    output_ = lineage_.add_output(tle->resname ? tle->resname : "?column?");
    trace_.clear();
    output_column(&scope, tle->resno, Sink{true, S::kIdentity});
  }
  return std::move(lineage_);
}

// The clauses of a query that decide which rows (and groups) come out of it, and of the
// queries in its FROM and WITH that it reads.
void LineageWalker::query_clauses(const Scope* scope) {
  Query* q = scope->query;
  if (!clauses_read_.insert(q).second) return;
  join_conditions(scope, reinterpret_cast<Node*>(q->jointree), indirect(S::kJoin));
  if (q->jointree) expr(scope, q->jointree->quals, indirect(S::kFilter));
  expr(scope, q->havingQual, indirect(S::kFilter));
  expr(scope, q->limitOffset, indirect(S::kFilter));
  expr(scope, q->limitCount, indirect(S::kFilter));
  sortgroup_list(scope, q->groupClause, indirect(S::kGroupBy));
  sortgroup_list(scope, q->distinctClause, indirect(S::kGroupBy));
  sortgroup_list(scope, q->sortClause, indirect(S::kSort));
  for (int i = 0; i < list_length(q->windowClause); i++) {
    const auto* w = nth<WindowClause>(q->windowClause, i);
    sortgroup_list(scope, w->partitionClause, indirect(S::kWindow));
    sortgroup_list(scope, w->orderClause, indirect(S::kWindow));
  }
  setop_clauses(scope, q->setOperations);
  for (int i = 0; i < list_length(q->rtable); i++) {
    const auto* rte = nth<RangeTblEntry>(q->rtable, i);
    if (rte->rtekind == RTE_SUBQUERY) {
      Scope inner{rte->subquery, scope};
      query_clauses(&inner);
    } else if (rte->rtekind == RTE_CTE) {
      Scope storage{};
      if (const Scope* cte = cte_scope(scope, rte, &storage)) query_clauses(cte);
    }
  }
}

// JOIN ... ON / USING / NATURAL conditions (USING and NATURAL are analyzed into ON).
void LineageWalker::join_conditions(const Scope* scope, Node* node, Sink sink) {
  if (node == nullptr) return;
  if (IsA(node, FromExpr)) {
    List* items = reinterpret_cast<FromExpr*>(node)->fromlist;
    for (int i = 0; i < list_length(items); i++) join_conditions(scope, nth<Node>(items, i), sink);
  } else if (IsA(node, JoinExpr)) {
    auto* j = reinterpret_cast<JoinExpr*>(node);
    join_conditions(scope, j->larg, sink);
    join_conditions(scope, j->rarg, sink);
    expr(scope, j->quals, sink);
  }
}

// UNION, INTERSECT and EXCEPT without ALL compare whole rows (GROUP_BY); EXCEPT's right
// side only removes rows (FILTER), it is not a source.
void LineageWalker::setop_clauses(const Scope* scope, Node* node) {
  if (node == nullptr || !IsA(node, SetOperationStmt)) return;
  auto* op = reinterpret_cast<SetOperationStmt*>(node);
  const int columns = list_length(op->colTypes);
  for (AttrNumber attno = 1; attno <= columns; attno++) {
    if (op->op == SETOP_EXCEPT) setop_column(scope, op->rarg, attno, indirect(S::kFilter));
    if (!op->all) setop_column(scope, node, attno, indirect(S::kGroupBy));
  }
  setop_clauses(scope, op->larg);
  setop_clauses(scope, op->rarg);
}

// A query's own conditions, as the value of a subquery depends on them.
void LineageWalker::conditions(const Scope* scope, Sink sink) {
  Query* q = scope->query;
  join_conditions(scope, reinterpret_cast<Node*>(q->jointree), sink);
  if (q->jointree) expr(scope, q->jointree->quals, sink);
  expr(scope, q->havingQual, sink);
}

void LineageWalker::sortgroup_list(const Scope* scope, List* clauses, Sink sink) {
  for (int i = 0; i < list_length(clauses); i++) {
    const auto* clause = nth<SortGroupClause>(clauses, i);
    if (const TargetEntry* tle = sortgroup_entry(scope->query, clause->tleSortGroupRef))
      output_column(scope, tle->resno, sink);
  }
}

// Column attno of the query in scope (a junk column too: ORDER BY and GROUP BY name them).
void LineageWalker::output_column(const Scope* scope, AttrNumber attno, Sink sink) {
  Query* q = scope->query;
  const ColumnKey key{q, attno, sink.direct, sink.subtype};
  if (auto done = resolved_.find(key); done != resolved_.end()) {
    for (const LineageField& field : done->second.fields()) add_direct(field);
    return;
  }
  if (!resolving_.insert(key).second) {
    cuts_++;
    return;
  }
  const size_t first = trace_.size();
  const size_t cuts = cuts_;
  try {
    if (q->setOperations != nullptr) {
      setop_column(scope, q->setOperations, attno, sink);
    } else if (const TargetEntry* tle = target_entry(q, attno)) {
      expr(scope, reinterpret_cast<Node*>(tle->expr), sink);
    }
  } catch (...) {
    resolving_.erase(key);
    throw;
  }
  resolving_.erase(key);
  if (cuts_ != cuts) return;
  LineageFieldList& fields = resolved_[key];  // indirect sinks: empty, their fields are recorded once
  for (size_t i = first; i < trace_.size(); i++) fields.add(trace_[i]);
}

// A whole-row reference: every column, as parts of a new (composite) value.
void LineageWalker::output_row(const Scope* scope, Sink sink) {
  List* tlist = scope->query->targetList;
  for (int i = 0; i < list_length(tlist); i++) {
    const auto* tle = nth<TargetEntry>(tlist, i);
    if (!tle->resjunk) output_column(scope, tle->resno, sink.under(S::kTransformation));
  }
}

// Column attno of a set operation: that column of every branch (not EXCEPT's right one).
void LineageWalker::setop_column(const Scope* scope, Node* node, AttrNumber attno, Sink sink) {
  if (node == nullptr) return;
  if (IsA(node, RangeTblRef)) {
    rte_column(scope, reinterpret_cast<RangeTblRef*>(node)->rtindex, attno, sink);
  } else if (IsA(node, SetOperationStmt)) {
    auto* op = reinterpret_cast<SetOperationStmt*>(node);
    setop_column(scope, op->larg, attno, sink);
    if (op->op != SETOP_EXCEPT) setop_column(scope, op->rarg, attno, sink);
  }
}

void LineageWalker::expr(const Scope* scope, Node* node, Sink sink) {
  if (node == nullptr) return;
  check_for_interrupts();
  pg_guard([] { check_stack_depth(); });
  switch (nodeTag(node)) {
    case T_Var:
      var(scope, reinterpret_cast<Var*>(node), sink);
      return;
    case T_List: {
      List* list = reinterpret_cast<List*>(node);
      for (int i = 0; i < list_length(list); i++) expr(scope, nth<Node>(list, i), sink);
      return;
    }
    case T_TargetEntry:
      expr(scope, reinterpret_cast<Node*>(reinterpret_cast<TargetEntry*>(node)->expr), sink);
      return;
    case T_RelabelType:  // a binary-compatible cast: the same value
      expr(scope, reinterpret_cast<Node*>(reinterpret_cast<RelabelType*>(node)->arg), sink);
      return;
    case T_CollateExpr:
      expr(scope, reinterpret_cast<Node*>(reinterpret_cast<CollateExpr*>(node)->arg), sink);
      return;
    case T_Aggref: {
      auto* agg = reinterpret_cast<Aggref*>(node);
      const Sink inside = sink.under(S::kAggregation);
      expr(scope, reinterpret_cast<Node*>(agg->aggdirectargs), inside);
      expr(scope, reinterpret_cast<Node*>(agg->args), inside);  // ORDER BY and DISTINCT columns are among them
      expr(scope, reinterpret_cast<Node*>(agg->aggfilter), inside);
      if (sink.direct) expr(scope, reinterpret_cast<Node*>(agg->aggfilter), indirect(S::kConditional));
      return;
    }
    case T_WindowFunc: {
      // sum(x) OVER w aggregates; lag, rank, first_value ... compute from other rows' values
      auto* win = reinterpret_cast<WindowFunc*>(node);
      const Sink inside = sink.under(win->winagg ? S::kAggregation : S::kTransformation);
      expr(scope, reinterpret_cast<Node*>(win->args), inside);
      expr(scope, reinterpret_cast<Node*>(win->aggfilter), inside);
      if (sink.direct) expr(scope, reinterpret_cast<Node*>(win->aggfilter), indirect(S::kConditional));
      return;
    }
    case T_CaseExpr: {
      auto* c = reinterpret_cast<CaseExpr*>(node);
      const Sink inside = sink.under(S::kTransformation);
      expr(scope, reinterpret_cast<Node*>(c->arg), inside);
      if (sink.direct) expr(scope, reinterpret_cast<Node*>(c->arg), indirect(S::kConditional));
      for (int i = 0; i < list_length(c->args); i++) {
        auto* when = nth<CaseWhen>(c->args, i);
        expr(scope, reinterpret_cast<Node*>(when->expr), inside);
        if (sink.direct) expr(scope, reinterpret_cast<Node*>(when->expr), indirect(S::kConditional));
        expr(scope, reinterpret_cast<Node*>(when->result), inside);
      }
      expr(scope, reinterpret_cast<Node*>(c->defresult), inside);
      return;
    }
    case T_SubLink:
      sublink(scope, reinterpret_cast<SubLink*>(node), sink);
      return;
    case T_Query:  // only under a SubLink, handled above
      return;
    default:
      children(scope, node, sink.under(S::kTransformation));
      return;
  }
}

// Any other node makes a new value from its children.
void LineageWalker::children(const Scope* scope, Node* node, Sink sink) {
  ChildWalk walk{this, scope, sink, nullptr};
  ChildWalk* context = &walk;
  pg_guard([node, context] {
    // PostgreSQL 15 declares the callback without a prototype; void (*)() casts cleanly
    auto* generic = reinterpret_cast<void (*)()>(walk_child);
    return expression_tree_walker(node, reinterpret_cast<bool (*)()>(generic), context);
  });
  if (walk.error) std::rethrow_exception(walk.error);
}

// A subquery in an expression: its output columns (not EXISTS's) and its own conditions
// make the value; the left side of IN / ANY / ALL and comparisons too.
void LineageWalker::sublink(const Scope* scope, SubLink* link, Sink sink) {
  if (link->subselect == nullptr || !IsA(link->subselect, Query)) return;
  Scope inner{reinterpret_cast<Query*>(link->subselect), scope};
  query_clauses(&inner);
  const Sink value = sink.under(S::kTransformation);
  if (link->subLinkType != EXISTS_SUBLINK) {
    List* tlist = inner.query->targetList;
    for (int i = 0; i < list_length(tlist); i++) {
      const auto* tle = nth<TargetEntry>(tlist, i);
      if (!tle->resjunk) output_column(&inner, tle->resno, value);
    }
  }
  if (sink.direct) conditions(&inner, value);
  expr(scope, link->testexpr, value);  // its Params stand for the subquery's columns, walked above
}

void LineageWalker::var(const Scope* scope, const Var* v, Sink sink) {
  for (Index up = 0; up < v->varlevelsup && scope != nullptr; up++) scope = scope->outer;
  if (scope == nullptr || v->varno < 1) return;  // not a range table reference (none after analysis)
  rte_column(scope, static_cast<int>(v->varno), v->varattno, sink);
}

// Column attno (0: the whole row) of range table entry rti of the query in scope. The
// analyzer resolves an INNER or LEFT JOIN's USING column to its left input's column, so
// any column a USING / NATURAL join merges stands for every input column it merges.
void LineageWalker::rte_column(const Scope* scope, int rti, AttrNumber attno, Sink sink) {
  Query* q = scope->query;
  if (rti < 1 || rti > list_length(q->rtable)) return;
  const std::vector<ColumnGroups::Column>& group = merged_columns(q).group_of({rti, attno});
  if (group.empty() || attno == 0) {
    input_column(scope, rti, attno, sink);
    return;
  }
  const auto* rte = nth<RangeTblEntry>(q->rtable, rti - 1);
  if (rte->rtekind == RTE_JOIN && attno <= list_length(rte->joinaliasvars) &&
      !is_plain_var(nth<Node>(rte->joinaliasvars, attno - 1)))
    sink = sink.under(S::kTransformation);  // a FULL JOIN's COALESCE of both sides
  for (const ColumnGroups::Column& member : group) {
    if (member.first < 1 || member.first > list_length(q->rtable)) continue;
    if (nth<RangeTblEntry>(q->rtable, member.first - 1)->rtekind != RTE_JOIN)
      input_column(scope, member.first, static_cast<AttrNumber>(member.second), sink);
  }
}

// The columns each USING / NATURAL join of the query merges (ColumnGroups), once per query.
const ColumnGroups& LineageWalker::merged_columns(const Query* q) {
  auto found = merged_columns_.find(q);
  if (found != merged_columns_.end()) return found->second;
  ColumnGroups& groups = merged_columns_[q];
  std::vector<Node*> pending{reinterpret_cast<Node*>(q->jointree)};
  while (!pending.empty()) {
    Node* node = pending.back();
    pending.pop_back();
    if (node == nullptr) continue;
    if (IsA(node, FromExpr)) {
      List* items = reinterpret_cast<FromExpr*>(node)->fromlist;
      for (int i = 0; i < list_length(items); i++) pending.push_back(nth<Node>(items, i));
    } else if (IsA(node, JoinExpr)) {
      auto* j = reinterpret_cast<JoinExpr*>(node);
      pending.push_back(j->larg);
      pending.push_back(j->rarg);
      if (j->rtindex < 1 || j->rtindex > list_length(q->rtable)) continue;
      const auto* rte = nth<RangeTblEntry>(q->rtable, j->rtindex - 1);
      for (int k = 0; k < rte->joinmergedcols; k++)
        groups.same({{j->rtindex, k + 1},
                     {input_rti(j->larg), list_nth_int(rte->joinleftcols, k)},
                     {input_rti(j->rarg), list_nth_int(rte->joinrightcols, k)}});
    }
  }
  return groups;
}

// Column attno of range table entry rti, followed to where its value is made.
void LineageWalker::input_column(const Scope* scope, int rti, AttrNumber attno, Sink sink) {
  Query* q = scope->query;
  if (rti < 1 || rti > list_length(q->rtable)) return;
  const auto* rte = nth<RangeTblEntry>(q->rtable, rti - 1);
  switch (rte->rtekind) {
    case RTE_RELATION:
      relation_column(rte, attno, sink);
      return;
    case RTE_SUBQUERY: {
      Scope inner{rte->subquery, scope};
      if (attno == 0) output_row(&inner, sink);
      else output_column(&inner, attno, sink);
      return;
    }
    case RTE_JOIN:
      join_column(scope, rti, rte, attno, sink);
      return;
    case RTE_CTE: {
      Scope storage{};
      const Scope* cte = cte_scope(scope, rte, &storage);
      if (cte == nullptr) return;
      if (attno == 0) output_row(cte, sink);
      else output_column(cte, attno, sink);  // SEARCH / CYCLE columns are past the target list: nothing
      return;
    }
    case RTE_FUNCTION:
      function_column(scope, rte, attno, sink);
      return;
    case RTE_VALUES:
      values_column(scope, rte, attno, sink);
      return;
    case RTE_TABLEFUNC:
      children(scope, reinterpret_cast<Node*>(rte->tablefunc), sink.under(S::kTransformation));
      return;
    default:  // RTE_RESULT, RTE_NAMEDTUPLESTORE: no columns of any relation
      return;
  }
}

void LineageWalker::relation_column(const RangeTblEntry* rte, AttrNumber attno, Sink sink) {
  const Oid relid = rte->relid;
  if (attno != 0) {
    const char* name = pg_guard([relid, attno] { return get_attname(relid, attno, true); });
    if (name != nullptr) record(relid, name, sink);
    return;
  }
  // Whole row: eref lists every column, dropped ones as "" (its names may be aliases).
  const Sink part = sink.under(S::kTransformation);
  for (int i = 0; i < list_length(rte->eref->colnames); i++) {
    if (strVal(list_nth(rte->eref->colnames, i))[0] == '\0') continue;
    const AttrNumber n = static_cast<AttrNumber>(i + 1);
    const char* name = pg_guard([relid, n] { return get_attname(relid, n, true); });
    if (name != nullptr) record(relid, name, part);
  }
}

// A join's column other than a merged one (rte_column took those): an input's column.
void LineageWalker::join_column(const Scope* scope, int rti, const RangeTblEntry* rte, AttrNumber attno, Sink sink) {
  const int columns = list_length(rte->joinaliasvars);
  if (attno == 0) {
    for (AttrNumber n = 1; n <= columns; n++) rte_column(scope, rti, n, sink.under(S::kTransformation));
    return;
  }
  if (attno < 1 || attno > columns) return;
  expr(scope, nth<Node>(rte->joinaliasvars, attno - 1), sink);
}

// A function in FROM (LATERAL or not): its columns are made from its arguments.
void LineageWalker::function_column(const Scope* scope, const RangeTblEntry* rte, AttrNumber attno, Sink sink) {
  const Sink made = sink.under(S::kTransformation);
  int first = 1;
  for (int i = 0; i < list_length(rte->functions); i++) {
    const auto* f = nth<RangeTblFunction>(rte->functions, i);
    if (attno == 0 || (attno >= first && attno < first + f->funccolcount)) expr(scope, f->funcexpr, made);
    first += f->funccolcount;
  }
  // past them: WITH ORDINALITY's counter, made from nothing
}

// VALUES: the column of every row (constants contribute nothing, LATERAL references do).
void LineageWalker::values_column(const Scope* scope, const RangeTblEntry* rte, AttrNumber attno, Sink sink) {
  for (int i = 0; i < list_length(rte->values_lists); i++) {
    List* row = nth<List>(rte->values_lists, i);
    if (attno == 0) expr(scope, reinterpret_cast<Node*>(row), sink.under(S::kTransformation));
    else if (attno <= list_length(row)) expr(scope, nth<Node>(row, attno - 1), sink);
  }
}

// The query a CTE reference reads, in the scope of the query level that defines it.
const Scope* LineageWalker::cte_scope(const Scope* scope, const RangeTblEntry* rte, Scope* storage) {
  const Scope* owner = scope;
  for (Index up = 0; up < rte->ctelevelsup && owner != nullptr; up++) owner = owner->outer;
  if (owner == nullptr) return nullptr;
  List* ctes = owner->query->cteList;
  for (int i = 0; i < list_length(ctes); i++) {
    const auto* cte = nth<CommonTableExpr>(ctes, i);
    if (strcmp(cte->ctename, rte->ctename) != 0) continue;
    if (cte->ctequery == nullptr || !IsA(cte->ctequery, Query)) return nullptr;
    *storage = Scope{reinterpret_cast<Query*>(cte->ctequery), owner};
    return storage;
  }
  return nullptr;
}

void LineageWalker::record(Oid relid, const char* column, Sink sink) {
  LineageField field{relation_name(relid), column, sink.subtype};
  if (sink.direct) add_direct(field);
  else lineage_.add_indirect(std::move(field));
}

void LineageWalker::add_direct(const LineageField& field) {
  lineage_.add_source(output_, field);
  trace_.push_back(field);
}

// schema.table quoted as regclass prints it; this session's temporary schema is pg_temp.
const std::string& LineageWalker::relation_name(Oid relid) {
  auto found = relation_names_.find(relid);
  if (found != relation_names_.end()) return found->second;
  const char* name = pg_guard([relid]() -> const char* {
    const char* rel = get_rel_name(relid);
    const Oid nsp = get_rel_namespace(relid);
    if (rel == nullptr || !OidIsValid(nsp)) return nullptr;
    return quote_qualified_identifier(isTempNamespace(nsp) ? "pg_temp" : get_namespace_name(nsp), rel);
  });
  if (name == nullptr)
    throw Error(sqlstate::kInternalError, "column lineage: relation " + std::to_string(relid) + " disappeared");
  return relation_names_.emplace(relid, name).first->second;
}

// Positions of errors in the query belong to the query, not to the statement that
// called etl._column_lineage (as in PL/pgSQL's EXECUTE: psql shows QUERY and a caret).
void query_error_position(void* arg) {
  const int position = geterrposition();
  if (position > 0) {
    errposition(0);
    internalerrposition(position);
    internalerrquery(static_cast<const char*>(arg));
  }
}

// Parses and analyzes one SELECT; refuses anything else before analyzing it.
Query* analyze_select(const char* sql) {
  List* statements = pg_guard([sql] {
    ErrorContextCallback callback{error_context_stack, query_error_position, const_cast<char*>(sql)};
    error_context_stack = &callback;
    List* parsed = raw_parser(sql, RAW_PARSE_DEFAULT);
    error_context_stack = callback.previous;
    return parsed;
  });
  if (list_length(statements) != 1)
    throw Error(sqlstate::kSyntaxError,
                "etl._column_lineage takes one SELECT statement, got " + std::to_string(list_length(statements)));
  RawStmt* raw = nth<RawStmt>(statements, 0);
  Node* stmt = raw->stmt;
  const auto refuse = [](const std::string& what) {
    throw Error(sqlstate::kFeatureNotSupported, "etl._column_lineage reads SELECT statements only, not " + what,
                {}, "column lineage is derived for the SELECT of a transform");
  };
  if (!IsA(stmt, SelectStmt)) refuse(pg_guard([stmt] { return CreateCommandName(stmt); }));
  auto* select = reinterpret_cast<SelectStmt*>(stmt);
  if (select->intoClause != nullptr) refuse("SELECT INTO");
  if (select->withClause != nullptr) {
    List* ctes = select->withClause->ctes;
    for (int i = 0; i < list_length(ctes); i++) {
      const auto* cte = nth<CommonTableExpr>(ctes, i);
      if (!IsA(cte->ctequery, SelectStmt))
        refuse("a WITH query that modifies data (" + std::string(cte->ctename) + ")");
    }
  }
  Query* query = pg_guard([raw, sql] {
    ErrorContextCallback callback{error_context_stack, query_error_position, const_cast<char*>(sql)};
    error_context_stack = &callback;
    Query* analyzed = parse_analyze_fixedparams(raw, sql, nullptr, 0, nullptr);
    error_context_stack = callback.previous;
    return analyzed;
  });
  if (query->commandType != CMD_SELECT || query->utilityStmt != nullptr || query->hasModifyingCTE)
    refuse("a statement that modifies data");
  return query;
}

}  // namespace

// etl._column_lineage(query text) -> jsonb
PG_ETL_FUNCTION(pg_etl_column_lineage) {
  const std::string sql = text_arg(fcinfo, 0);
  Query* query = analyze_select(sql.c_str());
  return jsonb_datum(LineageWalker().walk(query).to_json().dump());
}
