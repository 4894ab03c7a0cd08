#include "core/crawl_planner.hpp"

#include <gtest/gtest.h>

using namespace pg_etl;

namespace {
std::vector<FileEntry> files(std::initializer_list<const char*> urls) {
  std::vector<FileEntry> out;
  for (const char* u : urls) out.push_back(FileEntry{u, 10, 0, {}, {}});
  return out;
}
// Files whose path mentions "orders" have one schema, everything else another.
std::string sig(const std::vector<FileEntry>& fs) { return fs[0].url.find("orders") != std::string::npos ? "A" : "B"; }
}  // namespace

TEST(CrawlPlanner, HivePartitionsAreOneDataset) {
  std::vector<CrawlDecision> why;
  auto ds = plan_datasets("s3://b/sales", files({"s3://b/sales/year=2024/month=05/a.csv", "s3://b/sales/year=2024/month=06/b.csv",
                                                 "s3://b/sales/year=2023/month=12/c.csv"}),
                          sig, why);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].name, "sales");
  EXPECT_EQ(ds[0].partition_keys, (std::vector<std::string>{"year", "month"}));
  EXPECT_EQ(ds[0].files[0].partition[1].second, "12") << "files in folder order: year=2023 first";
  EXPECT_NE(why[0].reason.find("hive"), std::string::npos);
}

TEST(CrawlPlanner, AgreeingFoldersAreOneDatasetUnnamedLevelsNumbered) {
  std::vector<CrawlDecision> why;
  auto ds = plan_datasets("/data/landing/", files({"/data/landing/orders_eu/2024/a.csv", "/data/landing/orders_us/2024/b.csv"}), sig,
                          why);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].name, "landing");
  EXPECT_EQ(ds[0].partition_keys, (std::vector<std::string>{"partition_0", "partition_1"}));
  EXPECT_EQ(ds[0].files[1].partition[0].second, "orders_us");
}

TEST(CrawlPlanner, DisagreeingFoldersAreSeparateDatasets) {
  std::vector<CrawlDecision> why;
  auto ds = plan_datasets("/data", files({"/data/orders/year=2024/a.csv", "/data/customers/all.csv", "/data/readme.csv"}), sig, why);
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].name, "customers");
  EXPECT_TRUE(ds[0].partition_keys.empty());
  EXPECT_EQ(ds[1].name, "orders");
  EXPECT_EQ(ds[1].location, "/data/orders/");
  EXPECT_EQ(ds[1].partition_keys, (std::vector<std::string>{"year"}));
  EXPECT_EQ(ds[2].name, "readme");
  EXPECT_EQ(why.size(), 3u);
}

TEST(CrawlPlanner, FilesAtTheRoot) {
  std::vector<CrawlDecision> why;
  auto ds = plan_datasets("ftp://h/drop", files({"ftp://h/drop/a.csv", "ftp://h/drop/b.csv"}), sig, why);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].name, "drop");
  EXPECT_EQ(ds[0].files.size(), 2u);
}

TEST(CrawlPlanner, SqlNames) {
  EXPECT_EQ(sql_name("Sales Data 2024"), "sales_data_2024");
  EXPECT_EQ(sql_name("2024"), "d_2024");
  EXPECT_EQ(sql_name("--"), "dataset");
}

TEST(CrawlPlanner, ExcludePatterns) {
  const std::string root = "s3://b/lake";
  EXPECT_TRUE(crawl_excludes("_SUCCESS", root, "s3://b/lake/sales/year=2024/_SUCCESS"));
  EXPECT_TRUE(crawl_excludes("*.crc", root, "s3://b/lake/x.crc"));
  EXPECT_FALSE(crawl_excludes("*.crc", root, "s3://b/lake/x.csv"));
  EXPECT_TRUE(crawl_excludes("eu_dates.csv", root, "s3://b/lake/eu_dates.csv"));
  // with a slash: relative to the root, * stays in one folder, ** crosses them
  EXPECT_TRUE(crawl_excludes("logs/*.csv", root, "s3://b/lake/logs/a.csv"));
  EXPECT_FALSE(crawl_excludes("logs/*.csv", root, "s3://b/lake/logs/2024/a.csv"));
  EXPECT_FALSE(crawl_excludes("*/a.csv", root, "s3://b/lake/a.csv"));
  EXPECT_TRUE(crawl_excludes("**/_tmp/**", root, "s3://b/lake/_tmp/a.csv"));
  EXPECT_TRUE(crawl_excludes("**/_tmp/**", root, "s3://b/lake/sales/_tmp/x/a.csv"));
  EXPECT_TRUE(crawl_excludes("{logs,tmp}/*", root + "/", "s3://b/lake/tmp/a.csv"));
}

TEST(CrawlPlanner, TheOnlyFolderUnderTheRootIsTheDataset) {
  std::vector<CrawlDecision> why;
  auto ds = plan_datasets("s3://b/lake/", files({"s3://b/lake/sales/year=2024/a.csv", "s3://b/lake/sales/year=2025/b.csv"}), sig, why);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].name, "sales");
  EXPECT_EQ(ds[0].location, "s3://b/lake/sales/");
  EXPECT_EQ(ds[0].partition_keys, (std::vector<std::string>{"year"}));
}
