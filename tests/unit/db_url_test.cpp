#include <gtest/gtest.h>

#include "core/db_url.hpp"
#include "core/error.hpp"
#include "core/mysql_reader.hpp"
#include "core/pg_query_source.hpp"

using namespace pg_etl;

namespace {
// The message and detail of the Error f throws (fails the test when it throws nothing).
template <class F>
std::string error_text(F f, std::string* state = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (state) *state = e.sqlstate();
    return std::string(e.what()) + " | " + e.detail() + " | " + e.hint();
  }
  ADD_FAILURE() << "no error";
  return {};
}
}  // namespace

TEST(MysqlUrl, ParsesEveryPart) {
  MysqlUrl u = parse_mysql_url("mysql://etl:p%40ss%3Aw%2Fd@db.example.com:3307/sales%20db?ssl-mode=verify_identity&ssl-ca=/etc/ca.pem");
  EXPECT_EQ(u.scheme, "mysql");
  EXPECT_EQ(u.user, "etl");
  EXPECT_EQ(u.password, "p@ss:w/d");
  EXPECT_EQ(u.host, "db.example.com");
  EXPECT_EQ(u.port, 3307u);
  EXPECT_EQ(u.database, "sales db");
  EXPECT_EQ(u.ssl_mode, "VERIFY_IDENTITY");
  EXPECT_EQ(u.ssl_ca, "/etc/ca.pem");
}

TEST(MysqlUrl, DefaultsAndVariants) {
  MysqlUrl u = parse_mysql_url("MariaDB://bob@10.0.0.1");
  EXPECT_EQ(u.scheme, "mariadb");
  EXPECT_EQ(u.user, "bob");
  EXPECT_EQ(u.password, "");
  EXPECT_EQ(u.port, 3306u);
  EXPECT_EQ(u.database, "");
  EXPECT_EQ(u.ssl_mode, "");

  MysqlUrl v6 = parse_mysql_url("mysql://u:pw@[::1]:3310/db");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 3310u);
  EXPECT_EQ(v6.database, "db");

  MysqlUrl sock = parse_mysql_url("mysql://u:pw@/db?socket=%2Frun%2Fmysqld%2Fmysqld.sock&ssl_mode=disabled");
  EXPECT_EQ(sock.socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(sock.host, "localhost");
  EXPECT_EQ(sock.ssl_mode, "DISABLED");

  // An unencoded '@' or '/' in the password: the user info ends at the last '@'.
  MysqlUrl raw = parse_mysql_url("mysql://u:a@b/c@h:1/db");
  EXPECT_EQ(raw.password, "a@b/c");
  EXPECT_EQ(raw.host, "h");
  EXPECT_EQ(raw.database, "db");
}

TEST(MysqlUrl, RejectsWithoutShowingThePassword) {
  std::string state;
  for (const char* bad : {"mysql://u:s3cretpw@h:99999/db", "mysql://u:s3cretpw@h/db?bogus=1",
                          "mysql://u:s3cretpw@h/db?ssl-mode=sometimes", "mysql://u:s3cretpw@h/a/b",
                          "mysql://u:s3cretpw@h:x/db", "mysql://u:s3cretpw@[::1/db", "mysql://u:s3cretpw@/db",
                          "mysql://u:s3c%zzretpw@h/db", "mysql://u:s3c?retpw@h/db", "postgresql://u:s3cretpw@h/db"}) {
    std::string text = error_text([&] { parse_mysql_url(bad); }, &state);
    EXPECT_EQ(state, "22023") << bad;
    EXPECT_EQ(text.find("s3c"), std::string::npos) << text;
    EXPECT_EQ(text.find("retpw"), std::string::npos) << text;
  }
}

TEST(DbUrl, Scheme) {
  EXPECT_EQ(db_url_scheme("postgresql://h/db"), "postgresql");
  EXPECT_EQ(db_url_scheme("Postgres://h/db"), "postgres");
  EXPECT_EQ(db_url_scheme("mysql://h"), "mysql");
  EXPECT_EQ(db_url_scheme("mariadb://h"), "mariadb");
  EXPECT_EQ(db_url_scheme("mysqlx://h"), "");
  EXPECT_EQ(db_url_scheme("https://h"), "");
  EXPECT_EQ(db_url_scheme("mysql://"), "");
}

TEST(DbUrl, Redaction) {
  EXPECT_EQ(redact_db_url("postgresql://etl:etl-pass@127.0.0.1:5432/src?sslmode=require", "etl-pass"),
            "postgresql://etl@127.0.0.1:5432/src?sslmode=require");
  EXPECT_EQ(redact_db_url("postgresql://h1:5432,h2:5433/db?user=etl&password=pw", "pw"),
            "postgresql://h1:5432,h2:5433/db?user=etl&password=***");
  EXPECT_EQ(redact_db_url("mysql://etl:p%40ss@db:3306/src", "p@ss"), "mysql://etl@db:3306/src");
  EXPECT_EQ(redact_db_url("mysql://u:a@b/c@h:1/db", "a@b/c"), "mysql://u@h:1/db");
  EXPECT_EQ(redact_db_url("mysql://u@h/db?ssl-key=/k.pem", ""), "mysql://u@h/db?ssl-key=***");
  // Unparsed (no known password): everything up to the last '@' is hidden.
  EXPECT_EQ(redact_db_url("postgresql://u:pa/ss@h/db", ""), "postgresql://***@h/db");
  EXPECT_EQ(redact_db_url("postgresql://u:p?ss@h/db", ""), "postgresql://***@h/db");
  EXPECT_EQ(redact_db_url("postgresql://h/db", ""), "postgresql://h/db");
  // The password wherever it still shows.
  EXPECT_EQ(redact_db_url("postgresql://u:p?x@h/db", "p?x"), "postgresql://u:***@h/db");
}

TEST(DbUrl, ScrubSecret) {
  EXPECT_EQ(scrub_secret("a hunter2 b hunter2", "hunter2"), "a *** b ***");
  EXPECT_EQ(scrub_secret("nothing", ""), "nothing");
  EXPECT_EQ(scrub_secret("aaa", "a"), "*********");
}

TEST(DbUrl, ByteaHex) {
  std::string s = "x=";
  append_bytea_hex(s, std::string_view("\x00\xff\x5c\x78", 4));
  EXPECT_EQ(s, "x=\\x00ff5c78");
  std::string empty;
  append_bytea_hex(empty, "");
  EXPECT_EQ(empty, "\\x");
}

TEST(DbUrl, TrimQuery) {
  EXPECT_EQ(trim_query("  SELECT 1 ;\n; \t"), "SELECT 1");
  EXPECT_EQ(trim_query("SELECT ';'"), "SELECT ';'");
  std::string state;
  error_text([] { trim_query(" ;; "); }, &state);
  EXPECT_EQ(state, "22023");
}

TEST(PgQuery, CopyStatement) {
  const std::string sql = pg_copy_statement("SELECT * FROM t -- all of it\n;");
  EXPECT_NE(sql.find("SET DateStyle = ISO; "), std::string::npos);
  EXPECT_NE(sql.find("SET TimeZone = 'UTC'; "), std::string::npos);
  // the query on its own lines: a trailing comment cannot swallow the closing parenthesis
  EXPECT_NE(sql.find("COPY (\nSELECT * FROM t -- all of it\n) TO STDOUT WITH (FORMAT csv, HEADER true, FORCE_QUOTE *)"),
            std::string::npos)
      << sql;
}

TEST(PgQuery, BadUrlsFailBeforeConnecting) {
  std::string state;
  std::string text = error_text([] { open_pg_query("mysql://u:s3cretpw@h/db", "SELECT 1"); }, &state);
  EXPECT_EQ(state, "22023");
  EXPECT_EQ(text.find("s3cretpw"), std::string::npos) << text;
  // libpq would read "pa" as the port and quote it: refused, password hidden
  text = error_text([] { open_pg_query("postgresql://u:pa/s3cretpw@h/db", "SELECT 1"); }, &state);
  EXPECT_EQ(state, "22023");
  EXPECT_EQ(text.find("pa/"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cretpw"), std::string::npos) << text;
  text = error_text([] { open_pg_query("postgresql://u:s3cretpw@h/db?bogus=1", "SELECT 1"); }, &state);
  EXPECT_EQ(state, "22023");
  EXPECT_NE(text.find("bogus"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cretpw"), std::string::npos) << text;
  PgQueryOptions opt;
  opt.require_password = true;
  text = error_text([&] { open_pg_query("postgresql://u@h/db", "SELECT 1", opt); }, &state);
  EXPECT_EQ(state, "2F003");
  text = error_text([] { open_pg_query("postgresql://u:pw@h/db", "  ;"); }, &state);
  EXPECT_EQ(state, "22023");
}

TEST(MysqlQuery, ErrorNumbersToSqlstates) {
  EXPECT_STREQ(mysql_error_sqlstate(1045, true), "28000");
  EXPECT_STREQ(mysql_error_sqlstate(1146, false), "42P01");
  EXPECT_STREQ(mysql_error_sqlstate(1054, false), "42703");
  EXPECT_STREQ(mysql_error_sqlstate(1064, false), "42601");
  EXPECT_STREQ(mysql_error_sqlstate(1049, true), "3D000");
  EXPECT_STREQ(mysql_error_sqlstate(1317, false), "57014");
  EXPECT_STREQ(mysql_error_sqlstate(2013, false), "08006");
  EXPECT_STREQ(mysql_error_sqlstate(2013, true), "08001");
  EXPECT_STREQ(mysql_error_sqlstate(2003, true), "08001");
  EXPECT_STREQ(mysql_error_sqlstate(1290, false), "HV000");
}
