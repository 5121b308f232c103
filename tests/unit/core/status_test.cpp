#include "pitchtrack/core/status.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace pitchtrack {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("value must be > 0, got " + std::to_string(v));
  return v;
}

Result<int> doubled(int v) {
  PT_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Status check_both(int a, int b) {
  PT_RETURN_IF_ERROR(parse_positive(a).status());
  PT_RETURN_IF_ERROR(parse_positive(b).status());
  return Status::ok();
}

TEST(Status, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status::ok().is_ok());
  const Status s = not_found("open 'a.mp4': no such file");
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.to_string(), "not found: open 'a.mp4': no such file");
  EXPECT_EQ(s.with_context("run").message(), "run: open 'a.mp4': no such file");
  EXPECT_TRUE(end_of_stream().is_end_of_stream());
}

TEST(Result, ValueOrStatusAndMacrosPropagate) {
  auto ok = doubled(4);
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(*ok, 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("got -1"), std::string::npos);
  EXPECT_EQ(bad.value_or(7), 7);
  EXPECT_TRUE(check_both(1, 2).is_ok());
  EXPECT_EQ(check_both(1, 0).code(), StatusCode::kInvalidArgument);
}

TEST(Result, HoldsMoveOnlyTypes) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.is_ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

}  // namespace
}  // namespace pitchtrack
