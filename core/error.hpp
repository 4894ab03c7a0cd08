#pragma once
// The one exception type of pg_etl's core. It carries the SQLSTATE the Postgres layer
// raises, so a parser deep in the core decides the error code a user sees, and the
// boundary only translates. Core code never includes Postgres headers, so SQLSTATEs
// are five-character strings here (see sqlstate.hpp).
#include <stdexcept>
#include <string>

namespace pg_etl {

class Error : public std::runtime_error {
 public:
  Error(std::string sqlstate, std::string message, std::string detail = {}, std::string hint = {});

  const std::string& sqlstate() const noexcept { return sqlstate_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }

 private:
  std::string sqlstate_;
  std::string detail_;
  std::string hint_;
};

// True when s is a well-formed SQLSTATE: five characters from [0-9A-Z].
bool is_valid_sqlstate(const std::string& s) noexcept;

}  // namespace pg_etl
