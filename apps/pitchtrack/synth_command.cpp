// `pitchtrack synth --out DIR ...`: renders a synthetic broadcast match with ground truth.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "pitchtrack/synth/match_synthesizer.hpp"

namespace pitchtrack::cli {

void register_synth(CLI::App& app) {
  auto cfg = std::make_shared<SynthConfig>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand(
      "synth",
      "Render a synthetic broadcast match: DIR/match.mp4 + ground truth in DIR/gt/ (docs/FORMATS.md)");
  sub->add_option("--out", cfg->out_dir, "output directory (created)")->required();
  sub->add_option("--seconds", cfg->seconds, "video length in seconds")->capture_default_str();
  sub->add_option("--seed", cfg->seed, "random seed (same seed -> same match)")->capture_default_str();
  sub->add_option("--width", cfg->width, "frame width, px (even)")->capture_default_str();
  sub->add_option("--height", cfg->height, "frame height, px (even)")->capture_default_str();
  sub->add_option("--fps", cfg->fps, "frames per second")->capture_default_str();
  sub->add_flag("--cuts", cfg->cuts, "cut to close-up shots now and then");
  sub->add_flag("--overlay", cfg->overlay, "draw a scoreboard overlay");
  sub->add_option("--preview", cfg->previews,
                  "also write N evenly spaced PNG previews DIR/preview_<frame>.png")
      ->capture_default_str();
  sub->add_option("--preset", cfg->preset, "libx264 preset of match.mp4")->capture_default_str();
  sub->add_option("--crf", cfg->crf, "libx264 quality of match.mp4 (0..51, lower is better)")
      ->capture_default_str();
  sub->add_option("--noise", cfg->noise_sigma, "sensor noise, grey levels (0 = none)")->capture_default_str();
  sub->add_option("--encoder-threads", cfg->encoder_threads, "libx264 threads (0 = libx264's choice)")
      ->capture_default_str();
  sub->add_flag("--quiet", *quiet, "no progress on stderr");
  on_selected(sub, [cfg, quiet] {
    auto synth = MatchSynthesizer::create(*cfg);
    if (!synth.is_ok()) return fail("synth", synth.status().to_string());
    auto progress = [quiet](int64_t done, int64_t total) {
      if (*quiet) return;
      std::fprintf(stderr, "\rsynth: frame %lld / %lld", static_cast<long long>(done),
                   static_cast<long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
    auto summary = (*synth)->run(progress);
    if (!summary.is_ok()) return fail("synth", summary.status().to_string());
    const SynthSummary& s = *summary;
    std::printf(
        "synth: %lld frames (%dx%d @ %g fps, seed %llu, %d referees, %d cuts) -> %s, %s/\n"
        "synth: %.2f s wall, %.1f FPS achieved (render %.1f ms/frame, waited %.1f ms/frame for the "
        "encoder)\n",
        static_cast<long long>(s.frames), cfg->width, cfg->height, cfg->fps,
        static_cast<unsigned long long>(cfg->seed), s.referees, s.cuts, s.video_path.c_str(),
        s.gt_dir.c_str(), s.wall_s, s.fps, s.render_ms, s.queue_wait_ms);
    return 0;
  });
}

}  // namespace pitchtrack::cli
