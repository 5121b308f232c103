// pitchtrack CLI: subcommands over the library. Errors print one line naming the input and the
// problem and exit non-zero; nothing here holds logic the library lacks.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "pitchtrack/core/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"pitchtrack: football broadcast video to tracking data"};
  app.set_version_flag("--version", std::string("pitchtrack ") + std::string(pitchtrack::version()));
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  pitchtrack::cli::register_probe(app);
  pitchtrack::cli::register_synth(app);
  pitchtrack::cli::register_eval(app);
  pitchtrack::cli::register_track(app);
  pitchtrack::cli::register_run(app);
  pitchtrack::cli::register_detect(app);
  pitchtrack::cli::register_eval_keypoints(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  return pitchtrack::cli::run_selected(app);
}
