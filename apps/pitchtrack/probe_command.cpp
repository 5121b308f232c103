// `pitchtrack probe <uri>`: stream info as JSON.
#include <nlohmann/json.hpp>

#include <iostream>

#include "commands.hpp"
#include "pitchtrack/io/source.hpp"

namespace pitchtrack::cli {
namespace {
struct ProbeArgs {
  std::string uri;
  int64_t timeout_ms = 5000;
  bool count_frames = false;
  std::string hwaccel = "none";
};
}  // namespace

void register_probe(CLI::App& app) {
  auto args = std::make_shared<ProbeArgs>();
  CLI::App* sub = app.add_subcommand("probe", "Print stream information of a file or URI as JSON");
  sub->add_option("uri", args->uri, "video file or stream URI")->required();
  sub->add_option("--timeout-ms", args->timeout_ms, "open/read timeout for network inputs (ms)")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--count-frames", args->count_frames, "decode the whole input and count frames");
  sub->add_option("--hwaccel", args->hwaccel, "decoder: none or cuda (falls back to CPU)")
      ->check(CLI::IsMember({"none", "cuda"}));
  on_selected(sub, [args] {
    SourceConfig cfg;
    cfg.open_timeout_ms = args->timeout_ms;
    cfg.read_timeout_ms = args->timeout_ms;
    cfg.hwaccel = args->hwaccel;
    auto source = open_source(args->uri, cfg);
    if (!source.is_ok()) return fail("probe", source.status().to_string());
    const StreamInfo& info = (*source)->info();
    nlohmann::json j = nlohmann::json::parse(to_json(info));
    if (args->count_frames) {
      int64_t n = 0;
      while (true) {
        auto f = (*source)->read();
        if (!f.is_ok()) {
          if (f.status().is_end_of_stream()) break;
          return fail("probe", f.status().to_string());
        }
        ++n;
      }
      j["frames_decoded"] = n;
    }
    std::cout << j.dump(2) << std::endl;
    return 0;
  });
}

}  // namespace pitchtrack::cli
