#include "core/smtp_message.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.hpp"
#include "core/version.hpp"

using namespace pg_etl;

namespace {

MailMessage sample() {
  MailMessage m;
  m.from = {"pg_etl", "etl@example.com"};
  m.to = {{"", "ops@example.com"}, {"Dev Team", "dev@example.com"}};
  m.subject = "[pg_etl] run_failed";
  m.body = "Pipeline orders failed.\nSee etl.runs.";
  m.message_id = "pg_etl-42-abc";
  m.date = 1709632800;  // 2024-03-05 10:00:00 UTC
  return m;
}

// The header block of a message (up to the blank line).
std::string headers_of(const std::string& mail) { return mail.substr(0, mail.find("\r\n\r\n") + 2); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

}  // namespace

TEST(SmtpMessage, HeadersAndBody) {
  const std::string mail = build_mail(sample());
  EXPECT_EQ(headers_of(mail),
            "From: pg_etl <etl@example.com>\r\n"
            "To: ops@example.com, Dev Team <dev@example.com>\r\n"
            "Subject: [pg_etl] run_failed\r\n"
            "Date: Tue, 05 Mar 2024 10:00:00 +0000\r\n"
            "Message-ID: <pg_etl-42-abc@pg_etl>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "User-Agent: pg_etl/" + std::string(kVersion) + "\r\n");
  EXPECT_EQ(mail.substr(mail.find("\r\n\r\n") + 4), "Pipeline orders failed.\r\nSee etl.runs.\r\n")
      << "LF becomes CRLF, and the body ends with one";
}

TEST(SmtpMessage, EveryLineEndsInCrlf) {
  MailMessage m = sample();
  m.body = "a\r\nb\rc\n\nd";
  const std::string mail = build_mail(m);
  for (size_t i = 0; i < mail.size(); i++) {
    if (mail[i] == '\n') {
      EXPECT_TRUE(i > 0 && mail[i - 1] == '\r') << "bare LF at " << i;
    }
    if (mail[i] == '\r') {
      EXPECT_TRUE(i + 1 < mail.size() && mail[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  EXPECT_NE(mail.find("\r\n\r\na\r\nb\r\nc\r\n\r\nd\r\n"), std::string::npos);
}

TEST(SmtpMessage, SameIdSameMessageId) {
  MailMessage a = sample(), b = sample();
  b.date += 600;  // a retry ten minutes later
  EXPECT_NE(build_mail(a), build_mail(b));
  EXPECT_NE(build_mail(b).find("Message-ID: <pg_etl-42-abc@pg_etl>\r\n"), std::string::npos);
}

TEST(SmtpMessage, NonAsciiSubjectIsAnEncodedWord) {
  EXPECT_EQ(encode_subject("Grüße"), "=?UTF-8?B?R3LDvMOfZQ==?=");
  EXPECT_EQ(encode_subject("plain words"), "plain words");
  EXPECT_EQ(encode_subject("looks =?like?= a word"), "=?UTF-8?B?bG9va3MgPT9saWtlPz0gYSB3b3Jk?=") << "=? must not be read as one";
  // long: several words of whole characters, folded, each line under 78
  std::string subject;
  for (int i = 0; i < 30; i++) subject += "é€";
  const std::string v = encode_subject(subject);
  size_t start = 0, words = 0;
  while (start < v.size()) {
    size_t end = v.find("\r\n", start);
    if (end == std::string::npos) end = v.size();
    std::string line = v.substr(start, end - start);
    if (start > 0) {
      ASSERT_EQ(line[0], ' ') << "a folded line starts with a blank";
      line = line.substr(1);
    }
    EXPECT_LE(line.size() + (start == 0 ? 9 : 1), 78u);
    EXPECT_EQ(line.substr(0, 10), "=?UTF-8?B?");
    EXPECT_EQ(line.substr(line.size() - 2), "?=");
    words++;
    start = end + 2;
  }
  EXPECT_GT(words, 3u);
}

TEST(SmtpMessage, SubjectLineBreaksCannotInjectHeaders) {
  MailMessage m = sample();
  m.subject = "failed\r\nBcc: victim@example.com\n\tand more";
  const std::string h = headers_of(build_mail(m));
  EXPECT_NE(h.find("Subject: failed Bcc: victim@example.com and more\r\n"), std::string::npos) << h;
  EXPECT_EQ(h.find("\r\nBcc:"), std::string::npos);
}

TEST(SmtpMessage, LongAsciiSubjectIsFoldedAtBlanks) {
  std::string subject;
  for (int i = 0; i < 20; i++) subject += "word" + std::to_string(i) + " ";
  const std::string v = encode_subject(subject);
  EXPECT_NE(v.find("\r\n "), std::string::npos);
  std::string unfolded = v;
  for (size_t at; (at = unfolded.find("\r\n")) != std::string::npos;) unfolded.erase(at, 2);
  EXPECT_EQ(unfolded + " ", subject) << "unfolding gives the subject back";
}

TEST(SmtpMessage, VeryLongSubjectIsCut) {
  const std::string v = encode_subject(std::string(400, 'x'));
  EXPECT_EQ(v, std::string(250, 'x') + "...");
}

TEST(SmtpMessage, NonAsciiBodyIsQuotedPrintable) {
  MailMessage m = sample();
  m.body = "Grüße = regards  \nnext";
  const std::string mail = build_mail(m);
  EXPECT_NE(mail.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  EXPECT_EQ(mail.substr(mail.find("\r\n\r\n") + 4), "Gr=C3=BC=C3=9Fe =3D regards =20\r\nnext\r\n");
}

TEST(SmtpMessage, QuotedPrintableSoftBreaks) {
  const std::string long_line(200, 'a');
  const std::string qp = quoted_printable(long_line + "\r\nshort");
  size_t start = 0;
  std::string decoded;
  while (start < qp.size()) {
    size_t end = qp.find("\r\n", start);
    if (end == std::string::npos) end = qp.size();
    std::string line = qp.substr(start, end - start);
    EXPECT_LE(line.size(), 76u);
    if (!line.empty() && line.back() == '=') decoded += line.substr(0, line.size() - 1);
    else decoded += line + (end < qp.size() ? "\r\n" : "");
    start = end + 2;
  }
  EXPECT_EQ(decoded, long_line + "\r\nshort");
  EXPECT_EQ(quoted_printable("\xC3\xA9=\t"), "=C3=A9=3D=09") << "a trailing tab is encoded";
}

TEST(SmtpMessage, LongAsciiLinesAreEncodedToo) {
  MailMessage m = sample();
  m.body = std::string(1200, 'x');
  EXPECT_NE(build_mail(m).find("Content-Transfer-Encoding: quoted-printable"), std::string::npos)
      << "RFC 5322 limits lines to 998 characters";
}

TEST(SmtpMessage, Addresses) {
  EXPECT_EQ(parse_mail_address("ops@example.com", "to[0]").address, "ops@example.com");
  MailAddress a = parse_mail_address("  Ops Team <Ops@Example.com> ", "to[0]");
  EXPECT_EQ(a.display_name, "Ops Team");
  EXPECT_EQ(a.address, "Ops@Example.com") << "kept as written";
  a = parse_mail_address("\"Ops, \\\"EU\\\"\" <ops@example.com>", "from");
  EXPECT_EQ(a.display_name, "Ops, \"EU\"");
  EXPECT_EQ(format_mail_address(a), "\"Ops, \\\"EU\\\"\" <ops@example.com>");
  EXPECT_EQ(format_mail_address({"Jürgen", "j@example.com"}), "=?UTF-8?B?SsO8cmdlbg==?= <j@example.com>");
  EXPECT_EQ(format_mail_address({"", "j@example.com"}), "j@example.com");

  EXPECT_EQ(error_of([] { parse_mail_address("ops@example.com\r\nBcc: x@evil.com", "to[1]"); }),
            "option \"to[1]\" must not contain line breaks or control characters");
  for (const char* bad : {"", "ops", "ops@", "mailto:ops@example.com", "<ops@example.com", "a b@example.com",
                          "ops@example.com, dev@example.com", "Ops <ops@example.com> x"})
    EXPECT_NE(error_of([&] { parse_mail_address(bad, "from"); }).find("option \"from\""), std::string::npos) << bad;
}

TEST(SmtpMessage, MessageIds) {
  EXPECT_TRUE(is_valid_message_id("pg_etl-42-0cc175b9c0f1b6a831c399e269772661"));
  EXPECT_TRUE(is_valid_message_id("a.b+c=d"));
  for (const char* bad : {"", ".a", "a.", "a..b", "a b", "a@b", "a<b>", "a\r\nb"}) EXPECT_FALSE(is_valid_message_id(bad)) << bad;
  EXPECT_FALSE(is_valid_message_id(std::string(201, 'a')));
  MailMessage m = sample();
  m.message_id = "x>\r\nBcc: y";
  EXPECT_NE(error_of([&] { build_mail(m); }).find("message_id"), std::string::npos);
}

TEST(SmtpMessage, Rfc5322Dates) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(1709632800), "Tue, 05 Mar 2024 10:00:00 +0000");
  EXPECT_EQ(rfc5322_date(951782400 + 86399), "Tue, 29 Feb 2000 23:59:59 +0000");
}
