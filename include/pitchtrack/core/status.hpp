// Status and Result<T>: the error currency across module and thread boundaries.
//
// Contract: a Status is a code plus a human message that names the input and the problem
// ("open 'x.mp4': no such file"). kEndOfStream is not an error: it marks the normal end of a
// source or queue. Third-party exceptions and error codes are converted to Status inside the
// adapter that calls the library; only the CLI and Python layers throw.
// Threading: values; safe to copy between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pitchtrack {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad config value, bad input data
  kNotFound,            // file, stream or model missing
  kEndOfStream,         // normal end of a source/queue; not an error
  kTimeout,             // an operation did not finish within its deadline
  kCancelled,           // stopped on request
  kUnavailable,         // network peer unreachable or disconnected; may succeed later
  kUnsupported,         // codec, format or backend not available in this build
  kDataLoss,            // truncated or corrupt data
  kFailedPrecondition,  // called in the wrong state (e.g. classifier not fitted)
  kResourceExhausted,   // memory cap, queue full under a reject policy
  kInternal,            // a bug or an unexpected library failure
};

std::string_view to_string(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  bool is_end_of_stream() const { return code_ == StatusCode::kEndOfStream; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "kind: message", e.g. "not found: open 'a.mp4': No such file or directory".
  std::string to_string() const;

  // Returns a copy with "context: " prepended to the message.
  Status with_context(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status end_of_stream(std::string m = "end of stream") {
  return {StatusCode::kEndOfStream, std::move(m)};
}
inline Status timeout_error(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
inline Status cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status data_loss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status resource_exhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T>: a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).is_ok() && "Result built from an ok Status");
  }

  bool is_ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const {
    static const Status kOkStatus;
    return is_ok() ? kOkStatus : std::get<Status>(data_);
  }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return is_ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace pitchtrack

#define PT_CONCAT_INNER_(a, b) a##b
#define PT_CONCAT_(a, b) PT_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` (a Status) is not ok.
#define PT_RETURN_IF_ERROR(expr)                \
  do {                                          \
    ::pitchtrack::Status pt_status_ = (expr);   \
    if (!pt_status_.is_ok()) return pt_status_; \
  } while (false)

// PT_ASSIGN_OR_RETURN(auto x, make_x()); declares/assigns x or returns the error.
#define PT_ASSIGN_OR_RETURN(lhs, expr) PT_ASSIGN_OR_RETURN_IMPL_(PT_CONCAT_(pt_result_, __LINE__), lhs, expr)
#define PT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.is_ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
