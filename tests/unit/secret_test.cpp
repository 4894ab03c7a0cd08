#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/secret_box.hpp"
#include "core/secret_refs.hpp"

using namespace pg_etl;

namespace {
SecretKey key_a() { return SecretKey::from_file_text(std::string(64, 'a'), "a.key"); }
}  // namespace

TEST(SecretBox, SealsAndOpens) {
  const SecretKey k = SecretKey::from_file_text(SecretKey::generate_file_text(), "new.key");
  const std::string sealed = k.seal("zendesk", R"({"password": "hunter2"})");
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos) << "encrypted";
  EXPECT_NE(k.seal("zendesk", "x"), k.seal("zendesk", "x")) << "a fresh nonce each time";
  EXPECT_EQ(k.open("zendesk", sealed), R"({"password": "hunter2"})");
  EXPECT_EQ(sealed_fingerprint(sealed), k.fingerprint());
  EXPECT_EQ(k.fingerprint().size(), 16u);
}

TEST(SecretBox, RefusesOtherNamesKeysAndTampering) {
  const SecretKey k = key_a();
  const std::string sealed = k.seal("zendesk", "s3cret");
  EXPECT_THROW(k.open("hubspot", sealed), Error) << "bound to its name";
  try {
    SecretKey::from_file_text(std::string(64, 'b'), "b.key").open("zendesk", sealed);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "F0000");
    EXPECT_NE(std::string(e.what()).find("another key"), std::string::npos);
  }
  std::string tampered = sealed;
  tampered.back() ^= 1;
  EXPECT_THROW(k.open("zendesk", tampered), Error);
  EXPECT_THROW(k.open("zendesk", "PGE1"), Error);
  EXPECT_THROW(SecretKey::from_file_text("abc", "short.key"), Error);
  EXPECT_NO_THROW(SecretKey::from_file_text("  " + std::string(64, 'F') + "\n", "upper.key"));
}

TEST(SecretRefs, MergesObjectsAndReplacesSingleValues) {
  auto lookup = [](const std::string& name) -> std::string {
    if (name == "zendesk") return R"({"username": "etl", "password": "pw"})";
    if (name == "token") return R"("tok-123")";
    throw Error("42704", "secret \"" + name + "\" does not exist");
  };
  EXPECT_EQ(resolve_secret_refs(R"({"secret": "zendesk", "username": "me"})", lookup),
            R"({"password":"pw","username":"me"})")
      << "keys written next to the reference win";
  EXPECT_EQ(resolve_secret_refs(R"({"auth": {"type": "basic", "secret": "zendesk"}})", lookup),
            R"({"auth":{"password":"pw","type":"basic","username":"etl"}})");
  EXPECT_EQ(resolve_secret_refs(R"({"bearer_token": {"secret": "token"}})", lookup), R"({"bearer_token":"tok-123"})");
  EXPECT_THROW(resolve_secret_refs(R"({"bearer_token": {"secret": "token", "x": 1}})", lookup), Error);
  EXPECT_THROW(resolve_secret_refs(R"({"secret": "nope"})", lookup), Error);
  EXPECT_THROW(resolve_secret_refs(R"({"secret": 5})", lookup), Error);
  const std::string plain = R"({"secret_access_key": "k", "delimiter": ";"})";
  EXPECT_EQ(resolve_secret_refs(plain, lookup), plain) << "untouched without a reference";
}
