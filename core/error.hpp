// Typed errors that cross the Python boundary as stepgraph.StepgraphError subclasses.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace sg {

// One kind per Python exception class (see python/stepgraph/errors.py).
enum class ErrorKind { Graph, Format, Parameter, Convergence, Program, State, Memory };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// A malformed input file; `line` is 1-based (0 when the problem is not tied to a line).
class FormatError : public Error {
 public:
  FormatError(std::string path, long line, const std::string& what)
      : Error(ErrorKind::Format,
              line > 0 ? fmt::format("{}:{}: {}", path, line, what) : fmt::format("{}: {}", path, what)),
        line_(line) {}
  long line() const { return line_; }

 private:
  long line_;
};

template <class... Args>
[[noreturn]] void fail(ErrorKind kind, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(kind, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sg
