#include "core/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace pg_etl::prometheus {

TEST(PrometheusText, FamiliesAndSamples) {
  TextWriter w;
  w.family("pg_etl_runs_total", "counter", "Runs that ended.");
  w.sample("pg_etl_runs_total", {{"pipeline", "orders"}, {"status", "failed"}}, int64_t{3});
  w.sample("pg_etl_queue_depth", {}, int64_t{0});
  EXPECT_EQ(w.text(),
            "# HELP pg_etl_runs_total Runs that ended.\n# TYPE pg_etl_runs_total counter\n"
            "pg_etl_runs_total{pipeline=\"orders\",status=\"failed\"} 3\npg_etl_queue_depth 0\n");
}

TEST(PrometheusText, LabelValuesEscapeBackslashQuoteAndNewline) {
  std::string out;
  append_label_value(out, "a\\b\"c\nd");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd");
}

TEST(PrometheusText, HelpEscapesBackslashAndNewlineOnly) {
  std::string out;
  append_help(out, "say \"hi\"\\\n");
  EXPECT_EQ(out, "say \"hi\"\\\\\\n");
}

TEST(PrometheusText, ValuesAsPrometheusReadsThem) {
  auto v = [](double d) {
    std::string out;
    append_value(out, d);
    return out;
  };
  EXPECT_EQ(v(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(v(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(v(std::nan("")), "NaN");
  EXPECT_EQ(v(0.25), "0.25");
  std::string big;
  append_value(big, int64_t{9007199254740993});
  EXPECT_EQ(big, "9007199254740993") << "integers are printed exactly";
}

}  // namespace pg_etl::prometheus
