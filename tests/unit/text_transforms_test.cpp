// The cores of the data-cleansing functions: booleans, numbers, text, e-mail addresses,
// phone numbers, masking and null tokens.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/boolean_text.hpp"
#include "core/email_address.hpp"
#include "core/error.hpp"
#include "core/mask_text.hpp"
#include "core/null_tokens.hpp"
#include "core/number_text.hpp"
#include "core/phone_number.hpp"
#include "core/text_clean.hpp"

using namespace pg_etl;
using nlohmann::json;

namespace {

// "sqlstate: message | detail | hint" of the Error f throws (fails the test when none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.sqlstate() + ": " + e.what() + " | " + e.detail() + " | " + e.hint();
  }
  ADD_FAILURE() << "no error";
  return {};
}

std::string num(std::string_view s, const NumberTextOptions& o = {}) { return parse_number_text(s, o).value_or("<none>"); }

std::string num_with(std::string_view s, const char* options) { return num(s, number_text_options(json::parse(options))); }

std::string clean(std::string_view s, const char* options = "{}") { return clean_text(s, clean_text_options(json::parse(options))); }

std::string email(std::string_view s) { return normalize_email(s).value_or("<none>"); }

std::string phone(std::string_view s, std::string_view region) { return normalize_phone(s, region).value_or("<none>"); }

}  // namespace

// ---- booleans ------------------------------------------------------------------------

TEST(BooleanText, EveryWordInAnyCase) {
  for (const char* t : {"true", "TRUE", "True", "t", "T", "yes", "YES", "Yes", "y", "Y", "1", "on", "ON", "On"})
    EXPECT_EQ(parse_boolean_text(t), std::optional<bool>(true)) << t;
  for (const char* f : {"false", "FALSE", "False", "f", "F", "no", "NO", "No", "n", "N", "0", "off", "OFF", "Off"})
    EXPECT_EQ(parse_boolean_text(f), std::optional<bool>(false)) << f;
}

TEST(BooleanText, SurroundingWhitespace) {
  EXPECT_EQ(parse_boolean_text("  yes\t"), std::optional<bool>(true));
  EXPECT_EQ(parse_boolean_text("\r\nfalse \n"), std::optional<bool>(false));
}

TEST(BooleanText, AnythingElseIsNothing) {
  for (const char* s : {"", "   ", "tr", "fals", "of", "o", "2", "-1", "01", "10", "yes!", "y e s", "si", "oui", "ja",
                        "null", "1.0", "truee", "\xC3\xBF"})
    EXPECT_EQ(parse_boolean_text(s), std::nullopt) << s;
}

// ---- numbers -------------------------------------------------------------------------

TEST(NumberText, PlainNumbers) {
  EXPECT_EQ(num("0"), "0");
  EXPECT_EQ(num("42"), "42");
  EXPECT_EQ(num("-42"), "-42");
  EXPECT_EQ(num("+42"), "42");
  EXPECT_EQ(num("007"), "7");
  EXPECT_EQ(num("000"), "0");
  EXPECT_EQ(num("3.14159"), "3.14159");
  EXPECT_EQ(num("1.50"), "1.50");
  EXPECT_EQ(num("00.5"), "0.5");
  EXPECT_EQ(num(".5"), "0.5");
  EXPECT_EQ(num("-.5"), "-0.5");
  EXPECT_EQ(num("  12.5 \t"), "12.5");
  EXPECT_EQ(num("\u00A012\u202F"), "12");
  EXPECT_EQ(num("123456789012345678901234567890.123456789"), "123456789012345678901234567890.123456789");
}

TEST(NumberText, ZeroHasNoSign) {
  EXPECT_EQ(num("-0"), "0");
  EXPECT_EQ(num("-0.00"), "0.00");
  EXPECT_EQ(num("(0)"), "0");
  EXPECT_EQ(num("0-"), "0");
}

TEST(NumberText, NegativeSpellings) {
  EXPECT_EQ(num("123-"), "-123");
  EXPECT_EQ(num("1,234.50-"), "-1234.50");
  EXPECT_EQ(num("(1,234.50)"), "-1234.50");
  EXPECT_EQ(num("( 42 )"), "-42");
  EXPECT_EQ(num("($1,234.50)"), "-1234.50");
  EXPECT_EQ(num("$(1,234.50)"), "-1234.50");
  EXPECT_EQ(num("(1 234,50 €)"), "-1234.50");
  EXPECT_EQ(num("-$5"), "-5");
  EXPECT_EQ(num("$-5"), "-5");
  EXPECT_EQ(num("€ -5"), "-5");
  EXPECT_EQ(num("-5 €"), "-5");
}

TEST(NumberText, Currencies) {
  EXPECT_EQ(num("$1,234.56"), "1234.56");
  EXPECT_EQ(num("$ 1,234.56"), "1234.56");
  EXPECT_EQ(num("1.234,56 €"), "1234.56");
  EXPECT_EQ(num("1.234,56€"), "1234.56");
  EXPECT_EQ(num("€1.234,56"), "1234.56");
  EXPECT_EQ(num("£99.99"), "99.99");
  EXPECT_EQ(num("¥1,000"), "1000");
  EXPECT_EQ(num("₹1,23,456.50"), "123456.50");
  EXPECT_EQ(num("₽ 1 500"), "1500");
  EXPECT_EQ(num("₩50,000"), "50000");
  EXPECT_EQ(num("₺12,50"), "12.50");
  EXPECT_EQ(num("₪ 30"), "30");
  EXPECT_EQ(num("50¢"), "50");
  EXPECT_EQ(num("USD 1,234.56"), "1234.56");
  EXPECT_EQ(num("1,234.56 USD"), "1234.56");
  EXPECT_EQ(num("EUR1.234,56"), "1234.56");
  EXPECT_EQ(num("1234.56EUR"), "1234.56");
  EXPECT_EQ(num("CHF 1'234.50"), "1234.50");
  EXPECT_EQ(num("CHF 1’234.50"), "1234.50");
  EXPECT_EQ(num("\u00A0$\u00A05\u00A0"), "5");
}

TEST(NumberText, Percent) {
  EXPECT_EQ(num("12.5%"), "0.125");
  EXPECT_EQ(num("12.5 %"), "0.125");
  EXPECT_EQ(num("5%"), "0.05");
  EXPECT_EQ(num("0.5%"), "0.005");
  EXPECT_EQ(num("100%"), "1.00");
  EXPECT_EQ(num("150.25%"), "1.5025");
  EXPECT_EQ(num("-3%"), "-0.03");
  EXPECT_EQ(num("(3%)"), "-0.03");
  EXPECT_EQ(num("0%"), "0.00");
  EXPECT_EQ(num("12,5 %"), "0.125");
  EXPECT_EQ(num("1,234%"), "12.34");
  // exact however many digits: no floating point involved
  EXPECT_EQ(num("33.333333333333333333333333%"), "0.33333333333333333333333333");
  EXPECT_EQ(num("1.5e3%"), "1.5e1");
  EXPECT_EQ(num("2e1%"), "2e-1");
}

TEST(NumberText, ScientificNotation) {
  EXPECT_EQ(num("1.5e3"), "1.5e3");
  EXPECT_EQ(num("1.5E3"), "1.5e3");
  EXPECT_EQ(num("1.5e+3"), "1.5e3");
  EXPECT_EQ(num("-2.5e-10"), "-2.5e-10");
  EXPECT_EQ(num("6.02e023"), "6.02e23");
  EXPECT_EQ(num("1e-0"), "1e0");
  EXPECT_EQ(num("1,5e3"), "1.5e3");
  EXPECT_EQ(num("1e"), "<none>");
  EXPECT_EQ(num("1e+"), "<none>");
  EXPECT_EQ(num("1e5.5"), "<none>");
}

TEST(NumberText, SeparatorDetection) {
  // both occur: the last is the decimal separator
  EXPECT_EQ(num("1,234,567.89"), "1234567.89");
  EXPECT_EQ(num("1.234.567,89"), "1234567.89");
  EXPECT_EQ(num("1,234.5"), "1234.5");
  EXPECT_EQ(num("1.234,5"), "1234.5");
  // one kind more than once: thousands
  EXPECT_EQ(num("1,234,567"), "1234567");
  EXPECT_EQ(num("1.234.567"), "1234567");
  // a single comma before exactly three digits: thousands, US style
  EXPECT_EQ(num("1,234"), "1234");
  EXPECT_EQ(num("12,345"), "12345");
  EXPECT_EQ(num("123,456"), "123456");
  EXPECT_EQ(num("-1,234"), "-1234");
  // ... but not after a leading zero or more than three digits, nor before other than 3
  EXPECT_EQ(num("0,125"), "0.125");
  EXPECT_EQ(num("1234,567"), "1234.567");
  EXPECT_EQ(num("1,5"), "1.5");
  EXPECT_EQ(num("1,50"), "1.50");
  EXPECT_EQ(num("1,2345"), "1.2345");
  EXPECT_EQ(num(",5"), "0.5");
  // a single dot is the decimal point
  EXPECT_EQ(num("1.234"), "1.234");
  EXPECT_EQ(num("0.125"), "0.125");
  // spaces and apostrophes only group
  EXPECT_EQ(num("1 234 567"), "1234567");
  EXPECT_EQ(num("1 234 567,89"), "1234567.89");
  EXPECT_EQ(num("1\u00A0234,50"), "1234.50");
  EXPECT_EQ(num("1\u202F234.50"), "1234.50");
  EXPECT_EQ(num("1 234,567"), "1234.567");
  EXPECT_EQ(num("1'234'567.50"), "1234567.50");
  // Indian grouping
  EXPECT_EQ(num("12,34,567"), "1234567");
  EXPECT_EQ(num("1,23,45,678.90"), "12345678.90");
}

TEST(NumberText, BadGroupingIsNotANumber) {
  for (const char* s : {"1,2,3", "1.2.3", "1,23,456,7", "1234,567,890", "12,3456,789", "1 23", "1 2345", "0,123,456",
                        "1,234.5,6", "1,234,56", "1.234,567.8", "1 234.567,8", "1'234,567.8", "1,234'567",
                        "1.23.456", "123,45,678.9"})
    EXPECT_EQ(num(s), "<none>") << s;
}

TEST(NumberText, ExplicitSeparators) {
  EXPECT_EQ(num_with("1,234", R"({"decimal_separator": ","})"), "1.234");
  EXPECT_EQ(num_with("1.234", R"({"decimal_separator": ","})"), "1234");
  EXPECT_EQ(num_with("1.234.567,8", R"({"decimal_separator": ","})"), "1234567.8");
  EXPECT_EQ(num_with("1 234,5", R"({"decimal_separator": ","})"), "1234.5");
  EXPECT_EQ(num_with("1,234", R"({"decimal_separator": "."})"), "1234");
  EXPECT_EQ(num_with("1,23", R"({"decimal_separator": "."})"), "<none>");
  EXPECT_EQ(num_with("1.234", R"({"thousands_separator": "."})"), "1234");
  EXPECT_EQ(num_with("1,5", R"({"thousands_separator": "."})"), "1.5");
  EXPECT_EQ(num_with("1.5", R"({"thousands_separator": "."})"), "<none>");
  EXPECT_EQ(num_with("1,234", R"({"thousands_separator": ""})"), "1.234");
  EXPECT_EQ(num_with("1234.5", R"({"thousands_separator": ""})"), "1234.5");
  EXPECT_EQ(num_with("1 234.5", R"({"thousands_separator": ""})"), "<none>");
  EXPECT_EQ(num_with("1,234,567", R"({"thousands_separator": ""})"), "<none>");
  EXPECT_EQ(num_with("1 234,5", R"({"thousands_separator": " "})"), "1234.5");
  EXPECT_EQ(num_with("1\u00A0234.5", R"({"thousands_separator": " "})"), "1234.5");
  EXPECT_EQ(num_with("1,234.5", R"({"thousands_separator": " "})"), "<none>");
  EXPECT_EQ(num_with("1'234.5", R"({"thousands_separator": "'", "decimal_separator": "."})"), "1234.5");
  EXPECT_EQ(num_with("1,234.5", R"({"thousands_separator": "'", "decimal_separator": "."})"), "<none>");
  EXPECT_EQ(num_with("1.234,5", R"({"thousands_separator": ",", "decimal_separator": "."})"), "<none>");
  EXPECT_EQ(num_with("1,234", R"({"decimal_separator": null, "thousands_separator": null})"), "1234");
}

TEST(NumberText, NotNumbers) {
  for (const char* s : {"", "   ", "abc", "12abc", "abc12", "1.2.3x", "--5", "+-5", "-+5", "- 5", "5 -", "-5-", "(-5)",
                        "-(5)", "(5", "5)", "()", "$", "€", "%", "USD", "$%", "$$5", "5 USD EUR", "$5 USD", "5%%",
                        "5 % %", "1..2", "1,,234", "1.", "1,", ".", ",", "e5", "NaN", "Infinity", "inf", "0x1F",
                        "1/2", "1 2/3", "12ab", "12Eur", "12USDX", "five", "١٢٣", "１２", "5 000 000 000 x", "#5"})
    EXPECT_EQ(num(s), "<none>") << s;
}

TEST(NumberText, OptionErrors) {
  EXPECT_EQ(error_of([] { number_text_options(json::parse(R"({"decimal": "."})")); }),
            "22023: unknown option \"decimal\" | known options: decimal_separator, thousands_separator | ");
  EXPECT_EQ(error_of([] { number_text_options(json::parse(R"({"decimal_seperator": "."})")); }),
            "22023: unknown option \"decimal_seperator\" | known options: decimal_separator, thousands_separator | "
            "did you mean \"decimal_separator\"?");
  EXPECT_EQ(error_of([] { number_text_options(json::parse(R"({"decimal_separator": ";"})")); }),
            "22023: option \"decimal_separator\" must be \".\" or \",\" (got \";\") |  | ");
  EXPECT_EQ(error_of([] { number_text_options(json::parse(R"({"decimal_separator": 1})")); }),
            "22023: option \"decimal_separator\" must be \".\" or \",\" (got 1) |  | ");
  EXPECT_EQ(error_of([] { number_text_options(json::parse(R"({"thousands_separator": "_"})")); }),
            "22023: option \"thousands_separator\" must be \",\", \".\", \" \", \"'\" or \"\" for none (got \"_\") |  | ");
  EXPECT_EQ(error_of([] { number_text_options(json::parse(R"({"decimal_separator": ",", "thousands_separator": ","})")); }),
            "22023: option \"thousands_separator\" must differ from decimal_separator (both are \",\") |  | ");
  EXPECT_EQ(error_of([] { number_text_options(json::parse(R"(["."])")); }), "22023: options must be a JSON object |  | ");
  NumberTextOptions none = number_text_options(json());
  EXPECT_EQ(none.decimal, 0);
  EXPECT_EQ(none.thousands, 0);
  NumberTextOptions o = number_text_options(json::parse(R"({"decimal_separator": ",", "thousands_separator": ""})"));
  EXPECT_EQ(o.decimal, ',');
  EXPECT_EQ(o.thousands, NumberTextOptions::kNoSeparator);
}

// ---- text ----------------------------------------------------------------------------

TEST(CleanText, DefaultsTrimCollapseStripNfc) {
  EXPECT_EQ(clean("  hello   world  "), "hello world");
  EXPECT_EQ(clean("a\tb\r\nc"), "a b c");
  EXPECT_EQ(clean("\t\n "), "");
  EXPECT_EQ(clean(""), "");
  EXPECT_EQ(clean("plain"), "plain");
  EXPECT_EQ(clean("a\x01" "b\x7F" "c\x1B"), "abc");
  EXPECT_EQ(clean("e\u0301t\u0065\u0301"), "\u00E9t\u00E9");  // NFC composes
  EXPECT_EQ(clean("Caf\u00E9"), "Caf\u00E9");
}

TEST(CleanText, UnicodeWhitespace) {
  EXPECT_EQ(clean("\u00A0Jos\u00E9\u00A0\u00A0Garc\u00EDa\u00A0"), "Jos\u00E9 Garc\u00EDa");
  EXPECT_EQ(clean("a\u2003b\u3000c\u202Fd\u2028e\u2029f\u0085g\u1680h\u205Fi\u200Aj"), "a b c d e f g h i j");
  EXPECT_EQ(clean("\u3000\u00A0x\u2009\u00A0"), "x");
  // trim without collapsing keeps inner whitespace as written
  EXPECT_EQ(clean("\u00A0 a \u00A0 b\t\u00A0", R"({"collapse_whitespace": false})"), "a \u00A0 b");
  // collapsing without trimming keeps one space at each end
  EXPECT_EQ(clean("\u00A0 a \u00A0 b\t\u00A0", R"({"trim": false})"), " a b ");
  EXPECT_EQ(clean(" a\t\tb ", R"({"trim": false, "collapse_whitespace": false})"), " a\t\tb ");
}

TEST(CleanText, StripsControlAndInvisibleCharacters) {
  EXPECT_EQ(clean("\uFEFFid"), "id");
  EXPECT_EQ(clean("zero\u200Bwidth\u200C\u200Djoin\u2060er"), "zerowidthjoiner");
  EXPECT_EQ(clean("soft\u00ADhyphen"), "softhyphen");
  EXPECT_EQ(clean("c1\u0080\u009Fcontrols"), "c1controls");
  // an invisible character between letter and accent does not keep them apart
  EXPECT_EQ(clean("e\u200B\u0301"), "\u00E9");
  // between spaces, the run still collapses to one space
  EXPECT_EQ(clean("a \u200B b"), "a b");
  // whitespace controls are whitespace, not stripped
  EXPECT_EQ(clean("a\vb\fc", R"({"collapse_whitespace": false})"), "a\vb\fc");
  EXPECT_EQ(clean("a\x01" "b\u200B", R"({"strip_control": false})"), "a\x01" "b\u200B");
  EXPECT_EQ(clean("\uFEFFe\u0301", R"({"strip_control": false, "normalize": "none"})"), "\uFEFFe\u0301");
}

TEST(CleanText, NormalizationForms) {
  const std::string decomposed = "e\u0301", composed = "\u00E9";
  EXPECT_EQ(clean(decomposed, R"({"normalize": "NFC"})"), composed);
  EXPECT_EQ(clean(composed, R"({"normalize": "nfd"})"), decomposed);
  EXPECT_EQ(clean(decomposed, R"({"normalize": "none"})"), decomposed);
  // compatibility forms fold ligatures, full-width forms, superscripts, the Kelvin sign
  EXPECT_EQ(clean("\uFB01le \uFF21\uFF22\uFF23 x\u00B2 \u212A", R"({"normalize": "NFKC"})"), "file ABC x2 K");
  EXPECT_EQ(clean("\uFB01 \u00E9", R"({"normalize": "NFKD"})"), "fi e\u0301");
  EXPECT_EQ(clean("\uFB01", R"({"normalize": "NFC"})"), "\uFB01");
  // Hangul syllables compose from jamo
  EXPECT_EQ(clean("\u1112\u1161\u11AB", R"({"normalize": "NFC"})"), "\uD55C");
  // canonical order of several marks
  EXPECT_EQ(clean("a\u0323\u0302", R"({"normalize": "NFC"})"), clean("a\u0302\u0323", R"({"normalize": "NFC"})"));
  // NFKC turns NBSP into a space; then it is collapsed and trimmed like any other
  EXPECT_EQ(clean("\u00A0a\u00A0\u00A0b", R"({"normalize": "NFKC"})"), "a b");
}

TEST(CleanText, Case) {
  EXPECT_EQ(clean("Hello WORLD", R"({"case": "lower"})"), "hello world");
  EXPECT_EQ(clean("Hello world", R"({"case": "UPPER"})"), "HELLO WORLD");
  EXPECT_EQ(clean("\u00C9COLE \u00C0 PARIS", R"({"case": "lower"})"), "\u00E9cole \u00E0 paris");
  // one code point to one: ß becomes capital sharp s (utf8proc), not "SS"
  EXPECT_EQ(clean("stra\u00DFe", R"({"case": "upper"})"), "STRA\u1E9EE");
  EXPECT_EQ(clean("STRA\u1E9EE", R"({"case": "lower"})"), "stra\u00DFe");
  EXPECT_EQ(clean("\u00D6L \u00DC\u00C4", R"({"case": "lower"})"), "\u00F6l \u00FC\u00E4");
  // Turkish letters: locale-independent mappings
  EXPECT_EQ(clean("\u0130stanbul I\u0131", R"({"case": "lower"})"), "istanbul i\u0131");
  EXPECT_EQ(clean("i\u0131\u015F\u011F", R"({"case": "upper"})"), "II\u015E\u011E");
  EXPECT_EQ(clean("\u0391\u0398\u0397\u039D\u0391", R"({"case": "lower"})"), "\u03B1\u03B8\u03B7\u03BD\u03B1");
  EXPECT_EQ(clean("\u043C\u043E\u0441\u043A\u0432\u0430", R"({"case": "upper"})"), "\u041C\u041E\u0421\u041A\u0412\u0410");
}

TEST(CleanText, TitleCase) {
  const char* title = R"({"case": "title"})";
  EXPECT_EQ(clean("o'neil mcdonald", title), "O'neil Mcdonald");
  EXPECT_EQ(clean("O\u2019NEIL", title), "O\u2019neil");
  EXPECT_EQ(clean("JOHN   SMITH", title), "John Smith");
  EXPECT_EQ(clean("jean-luc picard", title), "Jean-Luc Picard");
  EXPECT_EQ(clean("3rd avenue", title), "3rd Avenue");
  EXPECT_EQ(clean("'quoted' words", title), "'Quoted' Words");
  EXPECT_EQ(clean("hello.world/foo_bar", title), "Hello.World/Foo_Bar");
  EXPECT_EQ(clean("\u00E9MILE zola", title), "\u00C9mile Zola");
  EXPECT_EQ(clean("\u00FCber \u00E4rger", title), "\u00DCber \u00C4rger");
  EXPECT_EQ(clean("\u0130ZM\u0130R", title), "\u0130zmir");
  // a combining mark does not start a word (NFD keeps it separate)
  EXPECT_EQ(clean("cafe\u0301s bar", R"({"case": "title", "normalize": "NFD"})"), "Cafe\u0301s Bar");
  // titlecase mapping of a digraph letter: U+01C6 dž -> U+01C5 Dž
  EXPECT_EQ(clean("\u01C6ungla", title), "\u01C5ungla");
}

TEST(CleanText, InvalidUtf8) {
  EXPECT_EQ(error_of([] { clean_text("abc\xC3\x28", {}); }),
            "22021: invalid byte sequence for encoding \"UTF8\" at byte offset 3: 0xc3 0x28 |  | ");
  EXPECT_EQ(error_of([] { clean_text("\xFF", {}); }),
            "22021: invalid byte sequence for encoding \"UTF8\" at byte offset 0: 0xff |  | ");
  EXPECT_EQ(error_of([] { clean_text(std::string_view("a\0b", 3), {}); }),
            "22021: invalid byte sequence for encoding \"UTF8\" at byte offset 1: 0x00 |  | ");
  // a surrogate encoded in UTF-8, a truncated sequence, an overlong encoding
  EXPECT_EQ(error_of([] { clean_text("\xED\xA0\x80", {}); }).substr(0, 5), "22021");
  EXPECT_EQ(error_of([] { clean_text("\xE2\x82", {}); }).substr(0, 5), "22021");
  EXPECT_EQ(error_of([] { clean_text("\xC0\xAF", {}); }).substr(0, 5), "22021");
}

TEST(CleanText, Options) {
  CleanTextOptions d = clean_text_options(json());
  EXPECT_TRUE(d.trim && d.collapse_whitespace && d.strip_control);
  EXPECT_EQ(d.normalize, CleanTextOptions::Form::kNFC);
  EXPECT_EQ(d.text_case, CleanTextOptions::Case::kNone);
  CleanTextOptions o = clean_text_options(json::parse(
      R"({"trim": false, "collapse_whitespace": false, "strip_control": false, "normalize": "nfkd", "case": "Title"})"));
  EXPECT_FALSE(o.trim || o.collapse_whitespace || o.strip_control);
  EXPECT_EQ(o.normalize, CleanTextOptions::Form::kNFKD);
  EXPECT_EQ(o.text_case, CleanTextOptions::Case::kTitle);
  EXPECT_EQ(clean_text_options(json::parse(R"({"normalize": null})")).normalize, CleanTextOptions::Form::kNFC);

  EXPECT_EQ(error_of([] { clean_text_options(json::parse(R"({"lowercase": true})")); }),
            "22023: unknown option \"lowercase\" | known options: trim, collapse_whitespace, strip_control, normalize, case | ");
  EXPECT_EQ(error_of([] { clean_text_options(json::parse(R"({"trim": "yes"})")); }),
            "22023: option \"trim\" must be true or false (got \"yes\") |  | ");
  EXPECT_EQ(error_of([] { clean_text_options(json::parse(R"({"normalize": "NFX"})")); }),
            "22023: option \"normalize\" must be \"NFC\", \"NFKC\", \"NFD\", \"NFKD\" or \"none\" (got \"NFX\") |  | ");
  EXPECT_EQ(error_of([] { clean_text_options(json::parse(R"({"case": "camel"})")); }),
            "22023: option \"case\" must be \"lower\", \"upper\", \"title\" or \"none\" (got \"camel\") |  | ");
  EXPECT_EQ(error_of([] { clean_text_options(json::parse("42")); }), "22023: options must be a JSON object |  | ");
}

// ---- e-mail addresses ----------------------------------------------------------------

TEST(EmailAddress, Normalizes) {
  EXPECT_EQ(email("John.Smith@Example.COM"), "john.smith@example.com");
  EXPECT_EQ(email("  jane@example.org\t"), "jane@example.org");
  EXPECT_EQ(email("mailto:Info@Example.com"), "info@example.com");
  EXPECT_EQ(email("MAILTO:info@example.com"), "info@example.com");
  EXPECT_EQ(email("<info@example.com>"), "info@example.com");
  EXPECT_EQ(email(" < info@example.com > "), "info@example.com");
  EXPECT_EQ(email("mailto:<info@example.com>"), "info@example.com");
  EXPECT_EQ(email("<mailto:info@example.com>"), "info@example.com");
  EXPECT_EQ(email("user+tag@sub.domain.co.uk"), "user+tag@sub.domain.co.uk");
  EXPECT_EQ(email("o'brien@example.ie"), "o'brien@example.ie");
  EXPECT_EQ(email("a!#$%&'*+/=?^_`{|}~-z@x-y.example.com"), "a!#$%&'*+/=?^_`{|}~-z@x-y.example.com");
  EXPECT_EQ(email("first.middle.last@xn--bcher-kva.ch"), "first.middle.last@xn--bcher-kva.ch");
  EXPECT_EQ(email("x@123.example.com"), "x@123.example.com");
  EXPECT_EQ(email(std::string(64, 'a') + "@example.com"), std::string(64, 'a') + "@example.com");
}

TEST(EmailAddress, Rejects) {
  std::string label63(63, 'a');
  std::string long_domain = label63 + "." + label63 + "." + label63 + "." + std::string(59, 'a') + ".com";  // 255
  for (const std::string& s : std::vector<std::string>{
           "", "   ", "plainaddress", "@example.com", "user@", "user@@example.com", "a@b@example.com",
           ".user@example.com", "user.@example.com", "us..er@example.com", "user@example", "user@.example.com",
           "user@example..com", "user@example.com.", "user@-example.com", "user@example-.com", "user@example.c",
           "user@example.c0m", "user@example.123", "user@[192.168.0.1]", "user@192.168.0.1", "\"quoted\"@example.com",
           "us er@example.com", "user@exa mple.com", "user(comment)@example.com", "user@exa_mple.com",
           "J\u00F6rg@example.de", "user@b\u00FCcher.ch", "John Doe <john@example.com>", "<john@example.com",
           "mailto:", "user@example.com,other@example.com", std::string(65, 'a') + "@example.com",
           "a@" + std::string(64, 'b') + ".com", "a@" + long_domain, "user\n@example.com", "user@exam\x01ple.com"})
    EXPECT_EQ(email(s), "<none>") << s;
}

// ---- phone numbers -------------------------------------------------------------------

TEST(PhoneNumber, WithDefaultRegion) {
  EXPECT_EQ(phone("(415) 555-2671", "US"), "+14155552671");
  EXPECT_EQ(phone("415.555.2671", "us"), "+14155552671");
  EXPECT_EQ(phone("1-415-555-2671", "US"), "+14155552671");
  EXPECT_EQ(phone("+1 415 555 2671", "US"), "+14155552671");
  EXPECT_EQ(phone("020 7946 0958", "GB"), "+442079460958");
  EXPECT_EQ(phone("07911 123456", "GB"), "+447911123456");
  EXPECT_EQ(phone("07700 900123", "GB"), "<none>");  // Ofcom's range for fiction: not assigned
  EXPECT_EQ(phone("030 901820", "DE"), "+4930901820");
  EXPECT_EQ(phone("01 42 68 53 00", "FR"), "+33142685300");
  EXPECT_EQ(phone("011 44 20 7946 0958", "US"), "+442079460958");  // US international prefix
  EXPECT_EQ(phone("0044 20 7946 0958", "DE"), "+442079460958");
  EXPECT_EQ(phone("+49 30 901820", "US"), "+4930901820");
  EXPECT_EQ(phone(" tel:+1-415-555-2671 ", "GB"), "+14155552671");
}

TEST(PhoneNumber, ExtensionsAreDropped) {
  EXPECT_EQ(phone("(415) 555-2671 ext. 123", "US"), "+14155552671");
  EXPECT_EQ(phone("415-555-2671 x45", "US"), "+14155552671");
}

TEST(PhoneNumber, WithoutRegionOnlyInternational) {
  EXPECT_EQ(phone("+44 20 7946 0958", ""), "+442079460958");
  EXPECT_EQ(phone("+1 (415) 555-2671", ""), "+14155552671");
  EXPECT_EQ(phone("(415) 555-2671", ""), "<none>");
  EXPECT_EQ(phone("020 7946 0958", ""), "<none>");
}

TEST(PhoneNumber, InvalidNumbers) {
  for (const char* s : {"", "   ", "abc", "12", "555-2671", "(415) 555-267", "+1 415 555 26711 99", "+999 123456",
                        "123-456-7890", "+1 000 555 2671", "\xC3\x28"})
    EXPECT_EQ(phone(s, "US"), "<none>") << s;
}

TEST(PhoneNumber, UnknownRegion) {
  EXPECT_EQ(error_of([] { normalize_phone("415 555 2671", "XX"); }),
            "22023: unknown region \"XX\" |  | regions are ISO 3166 alpha-2 codes such as US, GB, DE");
  EXPECT_EQ(error_of([] { normalize_phone("415 555 2671", "USA"); }).substr(0, 30), "22023: unknown region \"USA\" | ");
  EXPECT_EQ(error_of([] { normalize_phone("+14155552671", "ZZ"); }).substr(0, 29), "22023: unknown region \"ZZ\" | ");
}

// ---- masking -------------------------------------------------------------------------

TEST(MaskText, KeepsTheLastCharacters) {
  EXPECT_EQ(mask_text("4111111111111111", 4), "************1111");
  EXPECT_EQ(mask_text("4111-1111-1111-1111", 4, "#"), "###############1111");
  EXPECT_EQ(mask_text("secret", 0), "******");
  EXPECT_EQ(mask_text("DE89370400440532013000", 4, "\u2022"), std::string() + [] {
              std::string dots;
              for (int i = 0; i < 18; i++) dots += "\u2022";
              return dots;
            }() + "3000");
  EXPECT_EQ(mask_text("abcdef", 2, "xy"), "xyxyxyxyef");
  EXPECT_EQ(mask_text("abcdef", 2, ""), "ef");
}

TEST(MaskText, NeverRevealsMoreThanHalf) {
  EXPECT_EQ(mask_text("1234", 4), "**34");
  EXPECT_EQ(mask_text("12345", 4), "***45");
  EXPECT_EQ(mask_text("12345678", 4), "****5678");
  EXPECT_EQ(mask_text("123456789", 100), "*****6789");
  EXPECT_EQ(mask_text("7", 4), "*");
  EXPECT_EQ(mask_text("", 4), "");
}

TEST(MaskText, CountsCodePoints) {
  EXPECT_EQ(mask_text("J\u00FCrgen M\u00FCller", 3), "**********ler");
  EXPECT_EQ(mask_text("\u00E9\u00E9\u00E9\u00E9", 2), "**\u00E9\u00E9");
  EXPECT_EQ(mask_text("\u6771\u4EAC\u90FD\u6E2F\u533A", 2), "***\u6E2F\u533A");
  EXPECT_EQ(mask_text("ab\U0001F600\U0001F601", 2, "\u00B7"), "\u00B7\u00B7\U0001F600\U0001F601");
  // a decomposed letter is two code points
  EXPECT_EQ(mask_text("abe\u0301", 1), "***\u0301");
}

TEST(MaskText, Errors) {
  EXPECT_EQ(error_of([] { mask_text("abc", -1); }), "22023: keep_last must not be negative (got -1) |  | ");
  EXPECT_EQ(error_of([] { mask_text("ab\xE9", 1); }),
            "22021: invalid byte sequence for encoding \"UTF8\" at byte offset 2: 0xe9 |  | ");
  EXPECT_EQ(error_of([] { mask_text("abc", 1, "\xFF"); }).substr(0, 5), "22021");
}

// ---- null tokens ---------------------------------------------------------------------

TEST(NullTokens, Defaults) {
  const auto& d = default_null_tokens();
  EXPECT_EQ(d, (std::vector<std::string>{"", "NA", "N/A", "-", "null", "none", "nan", "#N/A"}));
  for (const char* s : {"", "   ", "NA", "na", " n/a ", "N/A", "-", " - ", "NULL", "Null", "None", "NaN", "nan", "#N/A",
                        "#n/a", "\tNULL\n"})
    EXPECT_TRUE(is_null_token(s, d)) << s;
  for (const char* s : {"0", "n", "nil", "--", "N A", "#NA", "nulls", "not available", "\u00A0", "-1"})
    EXPECT_FALSE(is_null_token(s, d)) << s;
}

TEST(NullTokens, CustomTokensAreTrimmedToo) {
  std::vector<std::string> tokens = {" missing ", "?", "(blank)"};
  EXPECT_TRUE(is_null_token("MISSING", tokens));
  EXPECT_TRUE(is_null_token(" ? ", tokens));
  EXPECT_TRUE(is_null_token("(Blank)", tokens));
  EXPECT_FALSE(is_null_token("", tokens));
  EXPECT_FALSE(is_null_token("x", {}));
}
