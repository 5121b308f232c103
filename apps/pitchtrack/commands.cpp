#include "commands.hpp"

#include <iostream>
#include <map>

namespace pitchtrack::cli {
namespace {
std::map<CLI::App*, std::function<int()>>& handlers() {
  static std::map<CLI::App*, std::function<int()>> h;
  return h;
}
}  // namespace

void on_selected(CLI::App* sub, std::function<int()> handler) { handlers()[sub] = std::move(handler); }

int run_selected(CLI::App& app) {
  for (auto& [sub, handler] : handlers()) {
    if (sub->parsed()) {
      try {
        return handler();
      } catch (const std::exception& e) {
        return fail(sub->get_name(), e.what());
      }
    }
  }
  std::cerr << app.help();
  return 2;
}

int fail(const std::string& command, const std::string& message) {
  std::cerr << "pitchtrack " << command << ": " << message << "\n";
  return 1;
}

}  // namespace pitchtrack::cli
