// Paths the tests use: generated clips, the shared real data (optional), the CLI binary.
#pragma once

#include <string>

namespace pitchtrack::testing {

std::string clip(const std::string& name);  // <build>/test_clips/<name>
std::string source_dir();
std::string cli_path();
// ../shared/data/<rel> (PITCHTRACK_SHARED_DATA overrides); empty when it does not exist.
std::string shared_data(const std::string& rel);

// Runs a shell command, returns {exit code, stdout+stderr}.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::string& command);

}  // namespace pitchtrack::testing

// Skips the current test (label `data`) when the shared data is absent.
#define PT_REQUIRE_SHARED_DATA(var, rel)                           \
  const std::string var = ::pitchtrack::testing::shared_data(rel); \
  if (var.empty()) GTEST_SKIP() << "shared data '" << (rel) << "' not found (../shared/data)"
