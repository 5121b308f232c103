#include "support/test_paths.hpp"

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace pitchtrack::testing {

std::string clip(const std::string& name) { return std::string(PITCHTRACK_TEST_CLIPS_DIR) + "/" + name; }
std::string source_dir() { return PITCHTRACK_SOURCE_DIR; }
std::string cli_path() { return PITCHTRACK_CLI_PATH; }

std::string shared_data(const std::string& rel) {
  const char* env = std::getenv("PITCHTRACK_SHARED_DATA");
  const std::string root = env != nullptr ? env : PITCHTRACK_SHARED_DATA_DIR;
  const std::string path = root + "/" + rel;
  return std::filesystem::exists(path) ? path : std::string();
}

CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace pitchtrack::testing
