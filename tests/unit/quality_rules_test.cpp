#include "core/quality_rules.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/quality_sql.hpp"
#include "core/sql_fragment.hpp"

using namespace pg_etl;
using nlohmann::json;

namespace {

constexpr std::string_view kTarget = "public.\"Orders\"";

json compile(std::string_view rules) { return compile_quality_rules(rules, kTarget); }

// The one compiled rule of a one-rule ruleset.
json one(std::string_view rule) {
  json plan = compile(rule);
  EXPECT_EQ(plan.size(), 1u) << rule;
  return plan.at(0);
}

Error error_of(std::string_view rules) {
  try {
    compile(rules);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << rules;
  return Error("XX000", "no error");
}

std::string message_of(std::string_view rules) { return error_of(rules).what(); }

const std::string kPrefix = "syntax error in quality rules at ";

}  // namespace

// ---- rule types and their SQL --------------------------------------------------------

TEST(QualityRuleTypes, CanonicalNamesInDocumentationOrder) {
  std::vector<std::string> types = quality_rule_types();
  ASSERT_EQ(types.size(), 16u);
  EXPECT_EQ(types.front(), "RowCount");
  EXPECT_EQ(types.back(), "ColumnExists");
  // Every listed type parses under its own name.
  for (const std::string& t : types) {
    std::string rule = t;
    if (t == "RowCount") rule += " > 0";
    else if (t == "IsPrimaryKey") rule += " \"a\" \"b\"";
    else if (t == "ReferentialIntegrity") rule += " \"a\" \"r.b\" = 1";
    else if (t == "CustomSql") rule += " \"SELECT 1\" = 1";
    else if (t == "ColumnValues") rule += " \"a\" > 1";
    else if (t == "DataFreshness") rule += " \"a\" < 1 hour";
    else if (t.starts_with("Is") || t == "ColumnExists") rule += " \"a\"";
    else rule += " \"a\" >= 0";
    EXPECT_EQ(one(rule)["type"], t) << rule;
  }
}

TEST(QualitySql, RowCountWholePlan) {
  json expected = {{"index", 1},
                   {"rule", "RowCount > 5"},
                   {"type", "RowCount"},
                   {"severity", "fail"},
                   {"columns", json::array()},
                   {"where", nullptr},
                   {"scope", "scan"},
                   {"metric", "count(*)"},
                   {"query", nullptr},
                   {"fail_count", nullptr},
                   {"row_check", nullptr},
                   {"sample", nullptr},
                   {"condition", {{"op", ">"}, {"value", 5}}},
                   {"expected", "> 5"},
                   {"unit", "rows"},
                   {"row_level", false},
                   {"native", {{"test", "rows"}, {"metric", "rows"}}}};
  EXPECT_EQ(one("RowCount > 5"), expected);
  EXPECT_EQ(one("RowCount >= 1 where \"region = 'EU'\"")["metric"], "count(*) FILTER (WHERE (region = 'EU'))");
}

TEST(QualitySql, CompletenessWithWhereAndSeverity) {
  json r = one("Completeness \"email\" > 0.95 where \"status = 'x'\" severity warn");
  EXPECT_EQ(r["rule"], "Completeness \"email\" > 0.95 where \"status = 'x'\" severity warn");
  EXPECT_EQ(r["type"], "Completeness");
  EXPECT_EQ(r["severity"], "warn");
  EXPECT_EQ(r["columns"], json::array({"email"}));
  EXPECT_EQ(r["where"], "status = 'x'");
  EXPECT_EQ(r["scope"], "scan");
  EXPECT_EQ(r["metric"],
            "coalesce(1 - count(*) FILTER (WHERE (status = 'x') AND NOT (t.\"email\" IS NOT NULL))::float8 / nullif(count(*) FILTER (WHERE (status = 'x')), 0), 1)");
  EXPECT_EQ(r["row_check"], "t.\"email\" IS NOT NULL");
  EXPECT_EQ(r["fail_count"], "count(*) FILTER (WHERE (status = 'x') AND NOT (t.\"email\" IS NOT NULL))");
  EXPECT_EQ(r["sample"], "SELECT t.* FROM public.\"Orders\" t WHERE (status = 'x') AND NOT (t.\"email\" IS NOT NULL)");
  EXPECT_EQ(r["condition"], json({{"op", ">"}, {"value", 0.95}}));
  EXPECT_EQ(r["expected"], "> 0.95");
  EXPECT_EQ(r["unit"], "ratio");
  EXPECT_EQ(r["row_level"], false) << "Completeness accepts a fraction of NULLs";
}

TEST(QualitySql, IsCompleteMustHoldForEveryRow) {
  json r = one("IsComplete \"email\"");
  EXPECT_EQ(r["metric"],
            "coalesce(1 - count(*) FILTER (WHERE NOT (t.\"email\" IS NOT NULL))::float8 / nullif(count(*), 0), 1)");
  EXPECT_EQ(r["condition"], json({{"op", ">="}, {"value", 1}}));
  EXPECT_EQ(r["expected"], ">= 1");
  EXPECT_EQ(r["row_check"], "t.\"email\" IS NOT NULL");
  EXPECT_EQ(r["fail_count"], "count(*) FILTER (WHERE NOT (t.\"email\" IS NOT NULL))");
  EXPECT_EQ(r["sample"], "SELECT t.* FROM public.\"Orders\" t WHERE NOT (t.\"email\" IS NOT NULL)");
  EXPECT_EQ(r["severity"], "fail");
  EXPECT_EQ(r["unit"], "ratio");
  EXPECT_EQ(r["row_level"], true);
}

TEST(QualitySql, IsUniqueAndUniqueness) {
  json r = one("IsUnique \"id\" where \"x > 1\"");
  EXPECT_EQ(r["metric"],
            "coalesce(count(DISTINCT t.\"id\") FILTER (WHERE (x > 1))::float8 / nullif(count(t.\"id\") FILTER (WHERE (x > 1)), 0), 1)");
  EXPECT_EQ(r["sample"],
            "SELECT t.* FROM public.\"Orders\" t WHERE (x > 1) AND t.\"id\" IN (SELECT t.\"id\" FROM public.\"Orders\" t "
            "WHERE (x > 1) AND t.\"id\" IS NOT NULL GROUP BY t.\"id\" HAVING count(*) > 1)");
  EXPECT_EQ(r["condition"], json({{"op", ">="}, {"value", 1}}));
  EXPECT_TRUE(r["row_check"].is_null());
  EXPECT_TRUE(r["fail_count"].is_null());
  EXPECT_EQ(r["row_level"], false);
  EXPECT_EQ(r["unit"], "ratio");

  json u = one("Uniqueness \"email\" between 0.9 and 1");
  EXPECT_EQ(u["metric"],
            "coalesce(count(DISTINCT t.\"email\")::float8 / nullif(count(t.\"email\"), 0), 1)");
  EXPECT_EQ(u["condition"], json({{"op", "between"}, {"low", 0.9}, {"high", 1}}));
  EXPECT_EQ(u["expected"], "between 0.9 and 1");
  EXPECT_FALSE(u["sample"].is_null()) << "duplicates are the sample";
}

TEST(QualitySql, DistinctValuesCount) {
  json r = one("DistinctValuesCount \"country\" between 5 and 50");
  EXPECT_EQ(r["metric"], "count(DISTINCT t.\"country\")");
  EXPECT_EQ(r["unit"], "value");
  EXPECT_TRUE(r["sample"].is_null());
  EXPECT_EQ(r["condition"], json({{"op", "between"}, {"low", 5}, {"high", 50}}));
}

TEST(QualitySql, IsPrimaryKeyOneAndSeveralColumns) {
  json r = one("IsPrimaryKey \"a\" \"b\"");
  EXPECT_EQ(r["columns"], json::array({"a", "b"}));
  EXPECT_EQ(r["metric"],
            "CASE WHEN count(*) FILTER (WHERE TRUE AND (t.\"a\" IS NULL OR t.\"b\" IS NULL)) > 0 THEN 0 ELSE "
            "coalesce(count(DISTINCT ROW(t.\"a\", t.\"b\"))::float8 / nullif(count(*), 0), 1) END");
  EXPECT_EQ(r["sample"],
            "SELECT t.* FROM public.\"Orders\" t WHERE TRUE AND (t.\"a\" IS NULL OR t.\"b\" IS NULL OR (t.\"a\", t.\"b\") IN "
            "(SELECT t.\"a\", t.\"b\" FROM public.\"Orders\" t WHERE TRUE AND t.\"a\" IS NOT NULL AND t.\"b\" IS NOT NULL "
            "GROUP BY t.\"a\", t.\"b\" HAVING count(*) > 1))");
  EXPECT_EQ(r["condition"], json({{"op", ">="}, {"value", 1}}));
  EXPECT_EQ(r["unit"], "ratio");

  json single = one("IsPrimaryKey \"id\" where \"live\"");
  EXPECT_EQ(single["metric"],
            "CASE WHEN count(*) FILTER (WHERE (live) AND t.\"id\" IS NULL) > 0 THEN 0 ELSE "
            "coalesce(count(DISTINCT t.\"id\") FILTER (WHERE (live))::float8 / nullif(count(*) FILTER (WHERE (live)), 0), 1) END");
  EXPECT_EQ(single["sample"],
            "SELECT t.* FROM public.\"Orders\" t WHERE (live) AND (t.\"id\" IS NULL OR t.\"id\" IN (SELECT t.\"id\" FROM "
            "public.\"Orders\" t WHERE (live) AND t.\"id\" IS NOT NULL GROUP BY t.\"id\" HAVING count(*) > 1))");
  EXPECT_EQ(one("IsPrimaryKey \"a\" \"b\" \"c\"")["columns"].size(), 3u);
}

TEST(QualitySql, ColumnValuesTests) {
  auto check = [](std::string_view rule) { return one(rule)["row_check"].get<std::string>(); };
  EXPECT_EQ(check("ColumnValues \"s\" in [\"a\", \"b\"]"), "(t.\"s\" IS NULL OR t.\"s\" IN ('a', 'b'))");
  EXPECT_EQ(check("ColumnValues \"n\" in [1, 2.5, -3,]"), "(t.\"n\" IS NULL OR t.\"n\" IN ('1', '2.5', '-3'))");
  EXPECT_EQ(check("ColumnValues \"s\" NOT IN [\"a\"]"), "(t.\"s\" IS NULL OR t.\"s\" NOT IN ('a'))");
  EXPECT_EQ(check("ColumnValues \"n\" between 1 and 10"), "(t.\"n\" IS NULL OR t.\"n\" BETWEEN '1' AND '10')");
  EXPECT_EQ(check("ColumnValues \"d\" between \"2024-01-01\" and \"2024-12-31\""),
            "(t.\"d\" IS NULL OR t.\"d\" BETWEEN '2024-01-01' AND '2024-12-31')");
  EXPECT_EQ(check("ColumnValues \"n\" not between 1 and 10"), "(t.\"n\" IS NULL OR NOT (t.\"n\" BETWEEN '1' AND '10'))");
  EXPECT_EQ(check("ColumnValues \"c\" matches \"^[A-Z]{2}$\""), "(t.\"c\" IS NULL OR t.\"c\"::text ~ '^[A-Z]{2}$')");
  EXPECT_EQ(check("ColumnValues \"c\" not matches \"x\""), "(t.\"c\" IS NULL OR t.\"c\"::text !~ 'x')");
  EXPECT_EQ(check("ColumnValues \"n\" = 5"), "(t.\"n\" IS NULL OR t.\"n\" = '5')");
  EXPECT_EQ(check("ColumnValues \"n\" != 5"), "(t.\"n\" IS NULL OR t.\"n\" <> '5')");
  EXPECT_EQ(check("ColumnValues \"n\" <> 5"), "(t.\"n\" IS NULL OR t.\"n\" <> '5')");
  EXPECT_EQ(check("ColumnValues \"n\" > 5"), "(t.\"n\" IS NULL OR t.\"n\" > '5')");
  EXPECT_EQ(check("ColumnValues \"n\" >= 5"), "(t.\"n\" IS NULL OR t.\"n\" >= '5')");
  EXPECT_EQ(check("ColumnValues \"n\" < 5"), "(t.\"n\" IS NULL OR t.\"n\" < '5')");
  EXPECT_EQ(check("ColumnValues \"n\" <= \"5\""), "(t.\"n\" IS NULL OR t.\"n\" <= '5')");

  json r = one("ColumnValues \"status\" in [\"new\",\"paid\"] where \"kind = 'x'\"");
  EXPECT_EQ(r["metric"],
            "coalesce(1 - count(*) FILTER (WHERE (kind = 'x') AND NOT ((t.\"status\" IS NULL OR t.\"status\" IN ('new', 'paid'))))::float8 / nullif(count(*) FILTER (WHERE (kind = 'x')), 0), 1)");


  EXPECT_EQ(r["fail_count"],
            "count(*) FILTER (WHERE (kind = 'x') AND NOT ((t.\"status\" IS NULL OR t.\"status\" IN ('new', 'paid'))))");
  EXPECT_EQ(r["sample"],
            "SELECT t.* FROM public.\"Orders\" t WHERE (kind = 'x') AND NOT ((t.\"status\" IS NULL OR t.\"status\" IN ('new', 'paid')))");
  EXPECT_EQ(r["condition"], json({{"op", ">="}, {"value", 1}}));
  EXPECT_EQ(r["expected"], "in [\"new\", \"paid\"]") << "spacing normalised";
  EXPECT_EQ(r["unit"], "ratio");
  EXPECT_EQ(r["row_level"], true);
}

TEST(QualitySql, ColumnValuesWithThreshold) {
  json r = one("ColumnValues \"s\" in [\"a\", \"b\"] with threshold > 0.9");
  EXPECT_EQ(r["condition"], json({{"op", ">"}, {"value", 0.9}}));
  EXPECT_EQ(r["expected"], "in [\"a\", \"b\"] with threshold > 0.9");
  EXPECT_EQ(r["row_level"], false) << "some rows may fail";
  EXPECT_FALSE(r["fail_count"].is_null());

  json h = one("ColumnValues \"s\" matches \"x\" WITH THRESHOLD >= avg(last(7)) * 0.9");
  EXPECT_EQ(h["condition"], json({{"op", ">="}, {"value", {{"history", {{"fn", "avg"}, {"runs", 7}}}, {"scale", 0.9}}}}));
  EXPECT_EQ(h["expected"], "matches \"x\" with threshold >= avg(last(7)) * 0.9");
}

TEST(QualitySql, ColumnLength) {
  json r = one("ColumnLength \"code\" between 2 and 8");
  EXPECT_EQ(r["row_check"], "(t.\"code\" IS NULL OR length(t.\"code\"::text) BETWEEN 2 AND 8)");
  EXPECT_EQ(r["metric"],
            "coalesce(1 - count(*) FILTER (WHERE NOT ((t.\"code\" IS NULL OR length(t.\"code\"::text) BETWEEN 2 AND 8)))::float8 / nullif(count(*), 0), 1)");


  EXPECT_EQ(r["condition"], json({{"op", ">="}, {"value", 1}})) << "the length test is per row; all rows must pass";
  EXPECT_EQ(r["expected"], "between 2 and 8");
  EXPECT_EQ(r["row_level"], true);

  EXPECT_EQ(one("ColumnLength \"c\" <= 10")["row_check"], "(t.\"c\" IS NULL OR length(t.\"c\"::text) <= 10)");
  EXPECT_EQ(one("ColumnLength \"c\" != 3")["row_check"], "(t.\"c\" IS NULL OR length(t.\"c\"::text) <> 3)");
  EXPECT_EQ(one("ColumnLength \"c\" not between 1 and 3")["row_check"],
            "(t.\"c\" IS NULL OR NOT (length(t.\"c\"::text) BETWEEN 1 AND 3))");
  EXPECT_EQ(one("ColumnLength \"c\" within 10% of 20")["row_check"],
            "(t.\"c\" IS NULL OR length(t.\"c\"::text) BETWEEN 18 AND 22)");

  json t = one("ColumnLength \"c\" > 3 with threshold >= 0.99");
  EXPECT_EQ(t["condition"], json({{"op", ">="}, {"value", 0.99}}));
  EXPECT_EQ(t["expected"], "> 3 with threshold >= 0.99");
  EXPECT_EQ(t["row_level"], false);
}

TEST(QualitySql, MeanSumStandardDeviation) {
  json m = one("Mean \"price\" between 10 and 20");
  EXPECT_EQ(m["metric"], "avg(t.\"price\")");
  EXPECT_EQ(m["unit"], "value");
  EXPECT_EQ(one("Sum \"amount\" > 0 where \"paid\"")["metric"], "sum(t.\"amount\") FILTER (WHERE (paid))");
  EXPECT_EQ(one("StandardDeviation \"x\" < 5")["metric"], "stddev_samp(t.\"x\")");
  EXPECT_EQ(one("Mean \"x\" > -12.5")["condition"], json({{"op", ">"}, {"value", -12.5}}));
  EXPECT_EQ(one("Sum \"x\" < 1e3")["condition"], json({{"op", "<"}, {"value", 1000}}));
}

TEST(QualitySql, DataFreshnessInSeconds) {
  json r = one("DataFreshness \"updated_at\" <= 1 days");
  EXPECT_EQ(r["metric"], "extract(epoch FROM now() - max(t.\"updated_at\"::timestamptz))");
  EXPECT_EQ(r["condition"], json({{"op", "<="}, {"value", 86400}}));
  EXPECT_EQ(r["expected"], "<= 1 days");
  EXPECT_EQ(r["unit"], "seconds");
  auto seconds = [](std::string_view d) {
    return one("DataFreshness \"t\" < " + std::string(d))["condition"]["value"].get<double>();
  };
  EXPECT_EQ(seconds("30 seconds"), 30);
  EXPECT_EQ(seconds("1 second"), 1);
  EXPECT_EQ(seconds("2 minutes"), 120);
  EXPECT_EQ(seconds("1 minute"), 60);
  EXPECT_EQ(seconds("3 Hours"), 10800);
  EXPECT_EQ(seconds("1 hour"), 3600);
  EXPECT_EQ(seconds("1 day"), 86400);
  EXPECT_EQ(seconds("2 WEEKS"), 1209600);
  EXPECT_EQ(seconds("1 week"), 604800);
  EXPECT_EQ(seconds("0.5 days"), 43200);
  EXPECT_EQ(one("DataFreshness \"t\" between 30 minutes and 2 hours")["condition"],
            json({{"op", "between"}, {"low", 1800}, {"high", 7200}}));
  EXPECT_EQ(one("DataFreshness \"t\" < avg(last(5)) * 2")["condition"],
            json({{"op", "<"}, {"value", {{"history", {{"fn", "avg"}, {"runs", 5}}}, {"scale", 2}}}}));
  EXPECT_EQ(one("DataFreshness \"t\" within 50% of 2 hours")["condition"],
            json({{"op", "between"}, {"low", 3600}, {"high", 10800}}));
}

TEST(QualitySql, ReferentialIntegrity) {
  json r = one("ReferentialIntegrity \"cid\" \"sales.customers.id\" >= 1 where \"region = 'EU'\"");
  EXPECT_EQ(r["scope"], "query");
  EXPECT_TRUE(r["metric"].is_null());
  EXPECT_EQ(r["columns"], json::array({"cid"})) << "the referenced column is not the checked relation's";
  std::string check = "(t.\"cid\" IS NULL OR EXISTS (SELECT 1 FROM \"sales\".\"customers\" r WHERE r.\"id\" = t.\"cid\"))";
  EXPECT_EQ(r["row_check"], check);
  EXPECT_EQ(r["query"], "SELECT coalesce(avg(CASE WHEN " + check + " THEN 1 ELSE 0 END), 1) FROM public.\"Orders\" t WHERE t.\"cid\" IS NOT NULL AND (region = 'EU')");
  EXPECT_EQ(r["sample"], "SELECT t.* FROM public.\"Orders\" t WHERE (region = 'EU') AND NOT (" + check + ")");
  EXPECT_TRUE(r["fail_count"].is_null()) << "not in the shared scan";
  EXPECT_EQ(r["unit"], "ratio");
  EXPECT_EQ(r["row_level"], true);

  EXPECT_EQ(one("ReferentialIntegrity \"c\" \"Customers.Id\" = 1")["row_check"],
            "(t.\"c\" IS NULL OR EXISTS (SELECT 1 FROM \"Customers\" r WHERE r.\"Id\" = t.\"c\"))");
  EXPECT_EQ(one("ReferentialIntegrity \"c\" \"a.b\" > 0.9")["row_level"], false) << "some rows may not match";
  EXPECT_EQ(one("ReferentialIntegrity \"c\" \"a.b\" >= avg(last(3))")["row_level"], false);
}

TEST(QualitySql, CustomSql) {
  json r = one("CustomSql \"SELECT count(*) FROM primary WHERE amount < 0\" = 0 where \"paid\"");
  EXPECT_EQ(r["scope"], "query");
  EXPECT_EQ(r["query"],
            "WITH _etl_primary AS (SELECT * FROM public.\"Orders\" t WHERE (paid)) SELECT count(*) FROM _etl_primary WHERE amount < 0");
  EXPECT_EQ(r["columns"], json::array());
  EXPECT_EQ(r["unit"], "value");
  EXPECT_TRUE(r["metric"].is_null());
  EXPECT_EQ(r["condition"], json({{"op", "="}, {"value", 0}}));

  auto query = [](std::string_view sql) {
    std::string rule = "CustomSql \"" + std::string(sql) + "\" > 0";
    std::string q = one(rule)["query"];
    const std::string head = "WITH _etl_primary AS (SELECT * FROM public.\"Orders\" t WHERE TRUE) ";
    return q.starts_with(head) ? q.substr(head.size()) : "!" + q;
  };
  // primary is replaced as a whole word, outside strings, identifiers and comments.
  EXPECT_EQ(query("select max(x) from PRIMARY p join Primary q using (id)"),
            "select max(x) from _etl_primary p join _etl_primary q using (id)");
  EXPECT_EQ(query("SELECT count(*) FROM primary WHERE note <> 'primary' AND \\\"primary\\\" AND primary_key AND xprimary"),
            "SELECT count(*) FROM _etl_primary WHERE note <> 'primary' AND \"primary\" AND primary_key AND xprimary");
  EXPECT_EQ(query("SELECT $$primary$$ || E'\\\\'primary' FROM primary"),
            "SELECT $$primary$$ || E'\\'primary' FROM _etl_primary");
  EXPECT_EQ(query("SELECT 1 FROM primary -- from primary\n/* primary */ WHERE true"),
            "SELECT 1 FROM _etl_primary  \n  WHERE true")
      << "comments go: a -- comment would swallow SQL appended after the query";
  EXPECT_EQ(query("SELECT count(*) FROM primary;  "), "SELECT count(*) FROM _etl_primary") << "one trailing ; goes";
  EXPECT_EQ(query("(SELECT 1)"), "(SELECT 1)");

  // The query's own WITH is merged with the one naming primary.
  EXPECT_EQ(one("CustomSql \"WITH x AS (SELECT * FROM primary) SELECT count(*) FROM x\" > 0")["query"],
            "WITH _etl_primary AS (SELECT * FROM public.\"Orders\" t WHERE TRUE), x AS (SELECT * FROM _etl_primary) SELECT count(*) FROM x");
  EXPECT_EQ(one("CustomSql \"with recursive n(i) AS (SELECT 1) SELECT count(*) FROM n, primary\" > 0")["query"],
            "WITH RECURSIVE _etl_primary AS (SELECT * FROM public.\"Orders\" t WHERE TRUE), n(i) AS (SELECT 1) SELECT count(*) FROM n, _etl_primary");
}

TEST(QualitySql, ColumnExistsIsACatalogCheck) {
  json r = one("ColumnExists \"email\" severity warn");
  EXPECT_EQ(r["scope"], "catalog");
  EXPECT_TRUE(r["metric"].is_null());
  EXPECT_TRUE(r["query"].is_null());
  EXPECT_TRUE(r["sample"].is_null());
  EXPECT_EQ(r["condition"], json({{"op", "="}, {"value", 1}}));
  EXPECT_EQ(r["unit"], "boolean");
  EXPECT_EQ(r["columns"], json::array({"email"}));
  EXPECT_EQ(r["severity"], "warn");
  EXPECT_EQ(r["row_level"], false);
}

// ---- conditions ----------------------------------------------------------------------

TEST(QualityConditions, Comparisons) {
  auto cond = [](std::string_view c) { return one("RowCount " + std::string(c))["condition"]; };
  EXPECT_EQ(cond("= 3"), json({{"op", "="}, {"value", 3}}));
  EXPECT_EQ(cond("!= 3"), json({{"op", "!="}, {"value", 3}}));
  EXPECT_EQ(cond("<> 3"), json({{"op", "!="}, {"value", 3}}));
  EXPECT_EQ(cond(">3"), json({{"op", ">"}, {"value", 3}}));
  EXPECT_EQ(cond(">= 3"), json({{"op", ">="}, {"value", 3}}));
  EXPECT_EQ(cond("< 3"), json({{"op", "<"}, {"value", 3}}));
  EXPECT_EQ(cond("<= 3"), json({{"op", "<="}, {"value", 3}}));
  EXPECT_EQ(cond("BETWEEN 1 AND 10"), json({{"op", "between"}, {"low", 1}, {"high", 10}}));
  EXPECT_EQ(cond("not between 1 and 10"), json({{"op", "not between"}, {"low", 1}, {"high", 10}}));
  EXPECT_EQ(cond("between 5 and 5"), json({{"op", "between"}, {"low", 5}, {"high", 5}}));
  EXPECT_EQ(one("RowCount NOT  BETWEEN 1   AND 10")["expected"], "not between 1 and 10");
}

TEST(QualityConditions, HistoryTerms) {
  auto cond = [](std::string_view c) { return one("RowCount " + std::string(c))["condition"]; };
  auto hist = [](const char* fn, int runs, double scale) {
    return json({{"history", {{"fn", fn}, {"runs", runs}}}, {"scale", scale}});
  };
  EXPECT_EQ(cond("> avg(last(10))"), json({{"op", ">"}, {"value", hist("avg", 10, 1)}}));
  EXPECT_EQ(cond("> avg(last(10)) * 0.8"), json({{"op", ">"}, {"value", hist("avg", 10, 0.8)}}));
  EXPECT_EQ(cond("<= MAX(LAST(3))"), json({{"op", "<="}, {"value", hist("max", 3, 1)}}));
  EXPECT_EQ(cond("between min(last(5)) * 0.9 and max(last(5)) * 1.1"),
            json({{"op", "between"}, {"low", hist("min", 5, 0.9)}, {"high", hist("max", 5, 1.1)}}));
  EXPECT_EQ(one("RowCount > avg( last( 10 ) )*0.8")["expected"], "> avg(last(10)) * 0.8");
  EXPECT_EQ(cond("between 0 and avg(last(2))"), json({{"op", "between"}, {"low", 0}, {"high", hist("avg", 2, 1)}}));
}

TEST(QualityConditions, Within) {
  auto cond = [](std::string_view c) { return one("RowCount " + std::string(c))["condition"]; };
  EXPECT_EQ(cond("within 10% of 100"), json({{"op", "between"}, {"low", 90}, {"high", 110}}));
  EXPECT_EQ(cond("within 0% of 7"), json({{"op", "between"}, {"low", 7}, {"high", 7}}));
  EXPECT_EQ(cond("within 10% of -100"), json({{"op", "between"}, {"low", -110}, {"high", -90}})) << "bounds ordered";
  EXPECT_EQ(one("Completeness \"c\" within 5% of 0.95")["condition"],
            json({{"op", "between"}, {"low", 0.9025}, {"high", 0.9975}}))
      << "no floating-point noise";
  EXPECT_EQ(cond("within 20% of avg(last(5))"),
            json({{"op", "between"},
                  {"low", {{"history", {{"fn", "avg"}, {"runs", 5}}}, {"scale", 0.8}}},
                  {"high", {{"history", {{"fn", "avg"}, {"runs", 5}}}, {"scale", 1.2}}}}));
  EXPECT_EQ(cond("within 10% of avg(last(5)) * 0.5"),
            json({{"op", "between"},
                  {"low", {{"history", {{"fn", "avg"}, {"runs", 5}}}, {"scale", 0.45}}},
                  {"high", {{"history", {{"fn", "avg"}, {"runs", 5}}}, {"scale", 0.55}}}}));
  EXPECT_EQ(one("RowCount WITHIN 10 % OF avg(last(5))")["expected"], "within 10% of avg(last(5))");
}

// ---- suffixes, comments, list styles -------------------------------------------------

TEST(QualitySuffixes, AnyOrderEachOnce) {
  json a = one("ColumnValues \"n\" > 0 severity warn where \"x\" with threshold >= 0.5");
  json b = one("ColumnValues \"n\" > 0 with threshold >= 0.5 where \"x\" severity warn");
  for (const json& r : {a, b}) {
    EXPECT_EQ(r["severity"], "warn");
    EXPECT_EQ(r["where"], "x");
    EXPECT_EQ(r["condition"], json({{"op", ">="}, {"value", 0.5}}));
  }
  EXPECT_EQ(one("IsComplete \"a\" severity FAIL")["severity"], "fail");
  EXPECT_EQ(one("IsComplete \"a\" SEVERITY Warn")["severity"], "warn");
  // A where expression keeps its text; comments in it go.
  EXPECT_EQ(one("IsComplete \"a\" where \"  b = 'x -- y' /* z */ AND c > 1  \"")["where"], "b = 'x -- y'   AND c > 1");
  EXPECT_EQ(one("IsComplete \"a\" where \"b -- note\"")["metric"],
            "coalesce(1 - count(*) FILTER (WHERE (b) AND NOT (t.\"a\" IS NOT NULL))::float8 / nullif(count(*) FILTER (WHERE (b)), 0), 1)");

}

TEST(QualityRulesetText, ListStyle) {
  json plan = compile(
      "Rules = [\n"
      "  RowCount > 0,  # at least one row\n"
      "  IsComplete \"id\",\n"
      "  -- a whole-line comment\n"
      "  ColumnValues \"status\" in [\n"
      "    \"new\",\n"
      "    \"paid\"   # a comment inside the list\n"
      "  ]\n"
      "    where \"kind = 'x'\",\n"
      "]\n"
      "# after\n");
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0]["index"], 1);
  EXPECT_EQ(plan[0]["rule"], "RowCount > 0");
  EXPECT_EQ(plan[1]["index"], 2);
  EXPECT_EQ(plan[1]["rule"], "IsComplete \"id\"");
  EXPECT_EQ(plan[2]["index"], 3);
  EXPECT_EQ(plan[2]["rule"],
            "ColumnValues \"status\" in [\n    \"new\",\n    \"paid\"   # a comment inside the list\n  ]\n    where \"kind = 'x'\"");
  EXPECT_EQ(plan[2]["expected"], "in [\"new\", \"paid\"]");
  EXPECT_EQ(compile("rules=[rowcount>0,iscomplete \"a\"]").size(), 2u) << "keywords in any case, no spaces needed";
  EXPECT_EQ(compile("Rules = [ RowCount > 0 ]")[0]["type"], "RowCount");
}

TEST(QualityRulesetText, BareStyle) {
  json plan = compile(
      "# checks for orders\n"
      "RowCount > 0\n"
      "\n"
      "IsComplete \"id\", IsUnique \"id\"   -- two on a line\n"
      "Completeness \"email\"\n"
      "  >= 0.9\n"
      "  severity warn,\n"
      "DataFreshness \"ts\" < 2 hours,\n");
  ASSERT_EQ(plan.size(), 5u);
  EXPECT_EQ(plan[0]["rule"], "RowCount > 0");
  EXPECT_EQ(plan[1]["rule"], "IsComplete \"id\"");
  EXPECT_EQ(plan[2]["rule"], "IsUnique \"id\"");
  EXPECT_EQ(plan[3]["rule"], "Completeness \"email\"\n  >= 0.9\n  severity warn");
  EXPECT_EQ(plan[3]["severity"], "warn");
  EXPECT_EQ(plan[4]["index"], 5);
  EXPECT_EQ(compile("RowCount > 0\r\nIsComplete \"a\"\r\n").size(), 2u) << "CRLF";
  EXPECT_EQ(compile("\xEF\xBB\xBFRowCount > 0").size(), 1u) << "a byte order mark";
  EXPECT_EQ(compile("IsComplete \"# not a comment\"")[0]["columns"][0], "# not a comment");
}

TEST(QualityQuoting, IdentifiersLiteralsAndTarget) {
  json r = one("ColumnValues \"say \\\"hi\\\"\" in [\"it's\", \"a\\\\b\"]");
  EXPECT_EQ(r["columns"][0], "say \"hi\"");
  EXPECT_EQ(r["row_check"], "(t.\"say \"\"hi\"\"\" IS NULL OR t.\"say \"\"hi\"\"\" IN ('it''s', E'a\\\\b'))")
      << "identifiers double their \", literals their ', and a backslash makes an E'' literal";
  EXPECT_EQ(one("ColumnValues \"c\" matches \"^\\d+$\"")["row_check"], "(t.\"c\" IS NULL OR t.\"c\"::text ~ E'^\\\\d+$')")
      << "a backslash other than \\\" and \\\\ stays as written";
  EXPECT_EQ(one("IsComplete \"Ünïcode\"")["row_check"], "t.\"Ünïcode\" IS NOT NULL");
  EXPECT_EQ(compile_quality_rules("IsComplete \"a\"", "\"my schema\".\"t\"\"x\"")[0]["sample"],
            "SELECT t.* FROM \"my schema\".\"t\"\"x\" t WHERE NOT (t.\"a\" IS NOT NULL)");
  EXPECT_EQ(one("ReferentialIntegrity \"c\" \"s\\\"x.t.i'd\" = 1")["row_check"],
            "(t.\"c\" IS NULL OR EXISTS (SELECT 1 FROM \"s\"\"x\".\"t\" r WHERE r.\"i'd\" = t.\"c\"))");
}

// ---- the SQL fragment scanner --------------------------------------------------------

TEST(QualitySqlFragment, StringsIdentifiersCommentsAndParentheses) {
  SqlFragment f = scan_sql_fragment("a = ';' AND \"x;\" = $t$;)$t$ /* ; ( */ -- )\n AND b");
  EXPECT_FALSE(f.problem);
  EXPECT_TRUE(f.semicolons.empty());
  EXPECT_EQ(f.text, "a = ';' AND \"x;\" = $t$;)$t$    \n AND b");
  ASSERT_EQ(f.words.size(), 4u);
  EXPECT_EQ(f.text.substr(f.words[3].begin, f.words[3].end - f.words[3].begin), "b");
  EXPECT_EQ(scan_sql_fragment("f($1) /* a /* nested */ comment */").text, "f($1)  ");
  EXPECT_EQ(scan_sql_fragment("1e5 + 2").words.size(), 0u) << "numbers are not words";

  auto problem = [](std::string_view sql) {
    SqlFragment f = scan_sql_fragment(sql);
    return f.problem ? std::to_string(f.problem->offset) + ": " + f.problem->message : "none";
  };
  EXPECT_EQ(problem("(a"), "0: '(' is never closed");
  EXPECT_EQ(problem("a)"), "1: ')' without a matching '('");
  EXPECT_EQ(problem("x = 'a"), "4: unterminated string constant");
  EXPECT_EQ(problem("x = E'a\\'"), "5: unterminated string constant");
  EXPECT_EQ(problem("\"a"), "0: unterminated quoted identifier");
  EXPECT_EQ(problem("$q$ a $$"), "0: unterminated dollar-quoted string");
  EXPECT_EQ(problem("/* a"), "0: unterminated /* comment");
  EXPECT_EQ(problem("'it''s' || 'a'"), "none");
}

// ---- errors --------------------------------------------------------------------------

TEST(QualityErrors, MissingConditionAtEndOfInput) {
  Error e = error_of("RowCount >");
  EXPECT_EQ(e.sqlstate(), "42601");
  EXPECT_EQ(std::string(e.what()),
            kPrefix + "line 1, column 11: expected a number or a history term such as avg(last(10)), found end of input");
  EXPECT_EQ(e.detail(), "RowCount >\n          ^");
  EXPECT_EQ(e.hint(), "for example: RowCount > 0");
}

TEST(QualityErrors, MissingConditionAtEndOfLine) {
  Error e = error_of("IsComplete \"a\"\nCompleteness \"email\"\nRowCount > 5");
  EXPECT_EQ(std::string(e.what()),
            kPrefix + "line 2, column 21: expected a condition such as > 0, between 1 and 10 or within 10% of "
                      "avg(last(5)), found end of line");
  EXPECT_EQ(e.detail(), "Completeness \"email\"\n                    ^");
  EXPECT_EQ(e.hint(), "for example: Completeness \"email\" >= 0.95");
  // In a list the rule is followed by a token, and the error points at it.
  EXPECT_EQ(message_of("Rules = [\n Completeness \"email\",\n RowCount > 5 ]"),
            kPrefix + "line 2, column 22: expected a condition such as > 0, between 1 and 10 or within 10% of "
                      "avg(last(5)), found ','");
}

TEST(QualityErrors, UnknownAndUnsupportedRuleTypes) {
  Error e = error_of("RowCount > 0\n  IsComplet \"a\"");
  EXPECT_EQ(std::string(e.what()), kPrefix + "line 2, column 3: unknown rule type 'IsComplet'");
  EXPECT_EQ(e.detail(), "  IsComplet \"a\"\n  ^");
  EXPECT_TRUE(e.hint().starts_with("did you mean IsComplete? rule types: RowCount, IsComplete, Completeness,")) << e.hint();
  EXPECT_TRUE(e.hint().ends_with("CustomSql, ColumnExists")) << e.hint();
  Error far = error_of("Frobnicate \"a\"");
  EXPECT_TRUE(far.hint().starts_with("rule types: ")) << "no suggestion for a name far from all";
  EXPECT_EQ(message_of("Entropy \"a\" > 1"), kPrefix + "line 1, column 1: rule type Entropy is not supported");
  EXPECT_EQ(message_of("\"x\" > 1"),
            kPrefix + "line 1, column 1: expected a rule type such as RowCount or IsComplete, found string \"x\"");
  EXPECT_EQ(message_of("Rules [ RowCount > 0 ]"), kPrefix + "line 1, column 1: unknown rule type 'Rules'");
}

TEST(QualityErrors, EmptyRulesets) {
  for (std::string_view text : {"", "   \n", "# only a comment\n-- and another\n"}) {
    Error e = error_of(text);
    EXPECT_EQ(e.sqlstate(), "42601");
    EXPECT_EQ(std::string(e.what()), kPrefix + "line 1, column 1: no rules: the text is empty or only comments");
  }
  EXPECT_EQ(message_of("Rules = [\n]"), kPrefix + "line 2, column 1: no rules between [ and ]");
}

TEST(QualityErrors, SuffixMisuse) {
  Error t = error_of("IsComplete \"a\" with threshold > 0.9");
  EXPECT_EQ(std::string(t.what()),
            kPrefix + "line 1, column 16: with threshold is only allowed in ColumnValues and ColumnLength rules");
  EXPECT_EQ(t.detail(), "IsComplete \"a\" with threshold > 0.9\n               ^");
  EXPECT_EQ(t.hint(), "to accept less than all rows, write Completeness \"a\" >= 0.95");
  EXPECT_EQ(message_of("RowCount > 0 with threshold > 0.9"),
            kPrefix + "line 1, column 14: with threshold is only allowed in ColumnValues and ColumnLength rules");
  EXPECT_EQ(message_of("IsComplete \"a\" where \"x\" where \"y\""),
            kPrefix + "line 1, column 26: where is given twice in this rule");
  EXPECT_EQ(message_of("IsComplete \"a\" severity warn severity fail"),
            kPrefix + "line 1, column 30: severity is given twice in this rule");
  EXPECT_EQ(message_of("ColumnValues \"a\" > 1 with threshold > 0.5 with threshold > 0.6"),
            kPrefix + "line 1, column 43: with threshold is given twice in this rule");
  EXPECT_EQ(message_of("IsComplete \"a\" severity high"),
            kPrefix + "line 1, column 25: expected warn or fail after severity, found 'high'");
  EXPECT_EQ(message_of("ColumnValues \"a\" > 1 with > 0.5"),
            kPrefix + "line 1, column 27: expected 'threshold' after with, found '>'");
  EXPECT_EQ(message_of("ColumnExists \"a\" where \"x\""), kPrefix + "line 1, column 18: where is not allowed in ColumnExists rules");
  EXPECT_EQ(message_of("IsComplete \"a\" where x"),
            kPrefix + "line 1, column 22: expected a SQL condition in double quotes after where, found 'x'");
  EXPECT_EQ(message_of("IsComplete \"a\" where \"  \""), kPrefix + "line 1, column 22: empty where expression");
}

TEST(QualityErrors, WhereAndCustomSqlFragments) {
  EXPECT_EQ(message_of("IsComplete \"a\" where \"x = 1) OR (1 = 1\""),
            kPrefix + "line 1, column 28: in the where expression: ')' without a matching '('");
  EXPECT_EQ(message_of("IsComplete \"a\" where \"x = 'abc\""),
            kPrefix + "line 1, column 27: in the where expression: unterminated string constant");
  EXPECT_EQ(message_of("IsComplete \"a\" where \"\\\"q\\\" = 1; DROP TABLE x\""),
            kPrefix + "line 1, column 32: a where expression cannot contain ';'")
      << "the column counts the escaped quotes as written";
  EXPECT_EQ(message_of("IsComplete \"a\" where \"(x /* y\""),
            kPrefix + "line 1, column 26: in the where expression: unterminated /* comment");
  EXPECT_EQ(message_of("CustomSql \"SELECT 1; SELECT 2\" = 1"),
            kPrefix + "line 1, column 20: CustomSql takes a single query, without ';' inside it");
  EXPECT_EQ(message_of("CustomSql \"SELECT 1;;\" = 1"),
            kPrefix + "line 1, column 20: CustomSql takes a single query, without ';' inside it");
  EXPECT_EQ(message_of("CustomSql \"DELETE FROM primary\" = 0"),
            kPrefix + "line 1, column 11: CustomSql takes a query (SELECT ...)");
  EXPECT_EQ(message_of("CustomSql \" -- nothing\" = 0"), kPrefix + "line 1, column 11: empty CustomSql query");
  EXPECT_EQ(message_of("CustomSql \"SELECT (1\" = 0"),
            kPrefix + "line 1, column 19: in the CustomSql query: '(' is never closed");
  EXPECT_EQ(message_of("CustomSql SELECT = 0"),
            kPrefix + "line 1, column 11: expected a query in double quotes after CustomSql, found 'SELECT'");
}

TEST(QualityErrors, ConditionsOutOfPlace) {
  EXPECT_EQ(message_of("RowCount matches \"x\""), kPrefix + "line 1, column 10: 'matches' is only allowed in ColumnValues rules");
  EXPECT_EQ(message_of("Mean \"x\" not in [1]"), kPrefix + "line 1, column 14: 'in' is only allowed in ColumnValues rules");
  EXPECT_EQ(message_of("ColumnValues \"x\" within 10% of 5"),
            kPrefix + "line 1, column 18: within is not allowed in ColumnValues rules");
  EXPECT_EQ(message_of("RowCount > 5 days"), kPrefix + "line 1, column 14: durations are only allowed in DataFreshness rules");
  Error d = error_of("DataFreshness \"ts\" < 5");
  EXPECT_EQ(std::string(d.what()),
            kPrefix + "line 1, column 23: expected a unit after 5: seconds, minutes, hours, days or weeks, found end of input");
  EXPECT_EQ(d.hint(), "for example: DataFreshness \"updated_at\" <= 1 days");
  EXPECT_EQ(message_of("DataFreshness \"ts\" < 5 fortnights"),
            kPrefix + "line 1, column 24: expected a unit after 5: seconds, minutes, hours, days or weeks, found 'fortnights'");
  Error fixed = error_of("IsComplete \"a\" > 0.9");
  EXPECT_EQ(std::string(fixed.what()), kPrefix + "line 1, column 16: IsComplete takes no condition");
  EXPECT_EQ(fixed.hint(), "to accept less than all rows, write Completeness \"a\" >= 0.95");
  EXPECT_EQ(message_of("IsPrimaryKey \"a\" = 1"), kPrefix + "line 1, column 18: IsPrimaryKey takes no condition");
  EXPECT_EQ(message_of("ColumnLength \"c\" > avg(last(3))"),
            kPrefix + "line 1, column 20: history terms such as avg(last(10)) are not allowed in ColumnLength conditions");
  EXPECT_EQ(message_of("ColumnLength \"c\" > \"5\""), kPrefix + "line 1, column 20: expected a number, found string \"5\"");
  EXPECT_EQ(message_of("ColumnValues \"c\" > avg(last(3))"),
            kPrefix + "line 1, column 20: expected a number or a string in double quotes, found 'avg'");
}

TEST(QualityErrors, BadNumbersAndBounds) {
  Error b = error_of("RowCount between 10 and 1");
  EXPECT_EQ(std::string(b.what()), kPrefix + "line 1, column 18: the low bound of between is greater than its high bound");
  EXPECT_EQ(b.detail(), "RowCount between 10 and 1\n                 ^");
  EXPECT_EQ(message_of("ColumnValues \"n\" not between 10 and 1"),
            kPrefix + "line 1, column 30: the low bound of between is greater than its high bound");
  EXPECT_EQ(message_of("DataFreshness \"t\" between 1 days and 2 hours"),
            kPrefix + "line 1, column 27: the low bound of between is greater than its high bound");
  EXPECT_EQ(message_of("Mean \"x\" > avg(last(0))"),
            kPrefix + "line 1, column 21: last(N) takes a whole number of runs from 1 to 1000000");
  EXPECT_EQ(message_of("Mean \"x\" > avg(last(2.5))"),
            kPrefix + "line 1, column 21: last(N) takes a whole number of runs from 1 to 1000000");
  EXPECT_EQ(message_of("Mean \"x\" > avg(10)"), kPrefix + "line 1, column 16: expected 'last' in avg(last(N)), found number 10");
  EXPECT_EQ(message_of("Mean \"x\" > last(10)"), kPrefix + "line 1, column 12: last(N) must be inside avg(), min() or max()");
  EXPECT_EQ(message_of("Mean \"x\" > avg(last(3)) *"),
            kPrefix + "line 1, column 26: expected a number after *, found end of input");
  Error ratio = error_of("Completeness \"x\" > 95");
  EXPECT_EQ(std::string(ratio.what()), kPrefix + "line 1, column 20: Completeness measures a fraction of rows, between 0 and 1");
  EXPECT_EQ(ratio.hint(), "write 0.95 for 95%");
  EXPECT_EQ(message_of("ColumnValues \"x\" > 1 with threshold > 90"),
            kPrefix + "line 1, column 39: with threshold measures a fraction of rows, between 0 and 1");
  EXPECT_EQ(message_of("RowCount within -5% of 10"), kPrefix + "line 1, column 17: within takes a percentage of 0 or more");
  EXPECT_EQ(message_of("RowCount within 5 of 10"), kPrefix + "line 1, column 19: expected '%' after the percentage, found 'of'");
  EXPECT_EQ(message_of("RowCount > 1e400"), kPrefix + "line 1, column 12: number out of range");
  EXPECT_EQ(message_of("RowCount > 1."), kPrefix + "line 1, column 14: expected a digit after the decimal point");
  EXPECT_EQ(message_of("RowCount not > 1"), kPrefix + "line 1, column 14: expected between after not, found '>'");
  EXPECT_EQ(message_of("RowCount ! 1"), kPrefix + "line 1, column 10: unexpected character '!'");
  EXPECT_EQ(message_of("RowCount between 1 or 2"),
            kPrefix + "line 1, column 20: expected 'and' between the bounds, found 'or'");
}

TEST(QualityErrors, ColumnsAndReferences) {
  Error empty = error_of("IsComplete \"\"");
  EXPECT_EQ(std::string(empty.what()), kPrefix + "line 1, column 12: empty column name");
  EXPECT_EQ(empty.detail(), "IsComplete \"\"\n           ^");
  Error bare = error_of("IsComplete email");
  EXPECT_EQ(std::string(bare.what()),
            kPrefix + "line 1, column 12: expected a column name in double quotes after IsComplete, found 'email'");
  EXPECT_EQ(bare.hint(), "for example: IsComplete \"email\"");
  Error single = error_of("IsComplete 'a'");
  EXPECT_EQ(std::string(single.what()), kPrefix + "line 1, column 12: unexpected character '''");
  EXPECT_EQ(single.hint(), "column names and strings are written in double quotes: \"status\"");
  EXPECT_EQ(message_of("IsPrimaryKey \"a\" \"a\""), kPrefix + "line 1, column 18: column \"a\" is named twice");
  EXPECT_EQ(message_of("IsComplete"),
            kPrefix + "line 1, column 11: expected a column name in double quotes after IsComplete, found end of input");

  for (std::string_view rule : {"ReferentialIntegrity \"a\" \"t.{x,y}\" = 1", "ReferentialIntegrity \"a\" \"t.x,y\" = 1"}) {
    Error e = error_of(rule);
    EXPECT_EQ(std::string(e.what()), kPrefix + "line 1, column 26: multi-column references are not supported yet") << rule;
    EXPECT_EQ(e.hint(), "check one column per ReferentialIntegrity rule");
  }
  EXPECT_EQ(message_of("ReferentialIntegrity \"a,b\" \"t.x\" = 1"),
            kPrefix + "line 1, column 22: multi-column references are not supported yet");
  EXPECT_EQ(message_of("ReferentialIntegrity \"{a,b}\" \"t.x\" = 1"),
            kPrefix + "line 1, column 22: multi-column references are not supported yet");
  const std::string form = "the referenced column in double quotes, as \"table.column\" or \"schema.table.column\"";
  EXPECT_EQ(message_of("ReferentialIntegrity \"a\" \"customers\" = 1"),
            kPrefix + "line 1, column 26: expected " + form + ", found \"customers\"");
  EXPECT_EQ(message_of("ReferentialIntegrity \"a\" \"t.\" = 1"), kPrefix + "line 1, column 26: expected " + form + ", found \"t.\"");
  EXPECT_EQ(message_of("ReferentialIntegrity \"a\" \"a.b.c.d\" = 1"),
            kPrefix + "line 1, column 26: expected " + form + ", found \"a.b.c.d\"");
  EXPECT_EQ(message_of("ReferentialIntegrity \"a\" = 1"), kPrefix + "line 1, column 26: expected " + form + ", found '='");
  EXPECT_NO_THROW(compile("ReferentialIntegrity \"a\" \"t.x\" = 0.5"));
}

TEST(QualityErrors, CompositeRules) {
  Error e = error_of("(IsComplete \"a\") and (IsComplete \"b\")");
  EXPECT_EQ(std::string(e.what()), kPrefix + "line 1, column 1: composite rules such as (rule1) and (rule2) are not supported");
  EXPECT_EQ(e.hint(), "write the rules one by one: each must pass (use severity warn for a rule that may fail)");
  EXPECT_EQ(message_of("IsComplete \"a\" or IsComplete \"b\""),
            kPrefix + "line 1, column 16: composite rules such as (rule1) and (rule2) are not supported");
  EXPECT_EQ(message_of("Rules = [ RowCount > 0, (IsComplete \"a\") ]"),
            kPrefix + "line 1, column 25: composite rules such as (rule1) and (rule2) are not supported");
}

TEST(QualityErrors, Separators) {
  Error list = error_of("Rules = [\n\tIsComplete \"a\"\n\tIsComplete \"b\"\n]");
  EXPECT_EQ(std::string(list.what()), kPrefix + "line 3, column 2: expected ',' or ']' after the rule, found 'IsComplete'");
  EXPECT_EQ(list.detail(), "\tIsComplete \"b\"\n\t^") << "a tab in the line is a tab in the caret line";
  EXPECT_EQ(list.hint(), "rules inside Rules = [ ] are separated by commas");
  Error bare = error_of("IsComplete \"a\" IsComplete \"b\"");
  EXPECT_EQ(std::string(bare.what()), kPrefix + "line 1, column 16: expected ',' or a line break after the rule, found 'IsComplete'");
  EXPECT_EQ(bare.hint(), "write one rule a line, or separate rules with commas");
  EXPECT_EQ(message_of("Rules = [ RowCount > 0 ] RowCount > 1"),
            kPrefix + "line 1, column 26: expected the end of the rules after ']', found 'RowCount'");
  EXPECT_EQ(message_of("Rules = RowCount > 0"), kPrefix + "line 1, column 9: expected '[' after Rules =, found 'RowCount'");
  EXPECT_EQ(message_of("Rules = [ RowCount > 0"), kPrefix + "line 1, column 23: expected ',' or ']' after the rule, found end of input");
  EXPECT_EQ(message_of("RowCount > 0,, IsComplete \"a\""),
            kPrefix + "line 1, column 14: expected a rule type such as RowCount or IsComplete, found ','");
  EXPECT_EQ(message_of("ColumnValues \"a\" in []"), kPrefix + "line 1, column 22: empty list after in");
  EXPECT_EQ(message_of("ColumnValues \"a\" in [\"x\" \"y\"]"),
            kPrefix + "line 1, column 26: expected ',' or ']' in the list, found string \"y\"");
  EXPECT_EQ(message_of("ColumnValues \"a\" in [x]"),
            kPrefix + "line 1, column 22: expected a number or a string in double quotes, found 'x'");
}

TEST(QualityErrors, PositionsCountCodePointsAndLines) {
  // é and ü are two bytes each in UTF-8 but one column.
  Error e = error_of("IsComplete \"é\"\r\nColumnValues \"ü\" in [\"a\" \"b\"]\r\n");
  EXPECT_EQ(std::string(e.what()), kPrefix + "line 2, column 26: expected ',' or ']' in the list, found string \"b\"");
  EXPECT_EQ(e.detail(), "ColumnValues \"ü\" in [\"a\" \"b\"]\n                         ^") << "no \\r in the detail";
  // A string spanning lines moves the line count along.
  EXPECT_EQ(message_of("CustomSql \"SELECT 1\nFROM primary\" = 1 x"),
            kPrefix + "line 2, column 19: expected ',' or a line break after the rule, found 'x'");
  EXPECT_EQ(message_of("IsComplete \"a\" where \"x = 1\n AND (y\""),
            kPrefix + "line 2, column 6: in the where expression: '(' is never closed");
  Error u = error_of("IsComplete \"unterminated\nRowCount > 0");
  EXPECT_EQ(std::string(u.what()), kPrefix + "line 1, column 12: unterminated string: the closing \" is missing");
  EXPECT_EQ(u.detail(), "IsComplete \"unterminated\n           ^");
  EXPECT_EQ(message_of("IsComplete \"a\" §"), kPrefix + "line 1, column 16: unexpected character '§'");
}

TEST(QualityErrors, LongLinesShowAWindow) {
  std::string padding(200, ' ');
  Error e = error_of("RowCount > 0," + padding + "Bogus \"a\"");
  EXPECT_EQ(std::string(e.what()), kPrefix + "line 1, column 214: unknown rule type 'Bogus'");
  std::string expected_line = "..." + std::string(60, ' ') + "Bogus \"a\"";
  std::string expected_caret = "   " + std::string(60, ' ') + "^";
  EXPECT_EQ(e.detail(), expected_line + "\n" + expected_caret);
}

TEST(QualitySql, NativeTestsForSimpleScanRules) {
  EXPECT_EQ(one("IsComplete \"id\"")["native"], json({{"test", "not_null"}, {"column", "id"}, {"metric", "share"}}));
  EXPECT_EQ(one("ColumnValues \"c\" in [\"FR\", 1]")["native"],
            json({{"test", "values"}, {"column", "c"}, {"op", "in"}, {"values", {"FR", "1"}}, {"metric", "share"}}));
  EXPECT_EQ(one("ColumnLength \"e\" between 2 and 40")["native"],
            json({{"test", "length"}, {"column", "e"}, {"op", "between"}, {"values", {2, 40}}, {"metric", "share"}}));
  EXPECT_EQ(one("ColumnLength \"e\" != 3")["native"]["op"], "<>");
  EXPECT_TRUE(one("IsComplete \"id\" where \"a > 1\"")["native"].is_null()) << "a where stays SQL";
  EXPECT_TRUE(one("ColumnValues \"c\" matches \"^a\"")["native"].is_null()) << "regular expressions stay SQL";
  EXPECT_TRUE(one("IsUnique \"id\"")["native"].is_null());
  EXPECT_TRUE(one("Mean \"x\" > 1")["native"].is_null());
}
