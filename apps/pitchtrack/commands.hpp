// Subcommand registry of the CLI: each register_* adds a CLI11 subcommand and its handler.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace pitchtrack::cli {

// Registers a handler to run when subcommand `sub` was given; returns the process exit code.
void on_selected(CLI::App* sub, std::function<int()> handler);
int run_selected(CLI::App& app);

// Prints "pitchtrack <command>: <message>" to stderr and returns 1.
int fail(const std::string& command, const std::string& message);

void register_probe(CLI::App& app);
void register_synth(CLI::App& app);
void register_eval(CLI::App& app);
void register_track(CLI::App& app);
void register_run(CLI::App& app);
void register_detect(CLI::App& app);
void register_eval_keypoints(CLI::App& app);

}  // namespace pitchtrack::cli
