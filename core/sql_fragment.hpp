#pragma once
// A lexical pass over a fragment of PostgreSQL SQL that a user writes inside quality
// rules (a where expression, a CustomSql query). It knows where string constants,
// quoted identifiers, dollar quotes and comments begin and end, which is all pg_etl
// needs to embed the fragment in larger SQL safely: comments are dropped (a -- comment
// would swallow whatever SQL follows the fragment), parentheses must balance (so a
// where expression cannot close the parenthesis it is wrapped in), and bare words are
// listed (so CustomSql's `primary` is replaced outside strings and identifiers only).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

struct SqlFragment {
  struct Word {
    size_t begin, end;  // offsets into text
  };
  struct Semicolon {
    size_t input, text;  // offsets into the scanned input and into text
  };
  struct Problem {
    size_t offset;  // into the scanned input
    std::string message;
  };

  std::string text;  // the input with each comment replaced by one space
  std::vector<Word> words;            // unquoted identifiers and keywords
  std::vector<Semicolon> semicolons;  // ';' outside strings, identifiers and comments
  // An unterminated string, quoted identifier, dollar quote or comment, or an unbalanced
  // parenthesis: the first one found. text is incomplete when this is set.
  std::optional<Problem> problem;
};

SqlFragment scan_sql_fragment(std::string_view sql);

}  // namespace pg_etl
