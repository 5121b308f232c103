// Renderer: draws one broadcast frame of the simulated match and measures its ground truth.
//
// Per frame: stadium (background, stands, boards, grass; see Stadium), painted lines as exact
// anti-aliased polygons projected from PitchLines, goals with nets and corner flags, shadows,
// then people and ball far to near (so nearer figures occlude farther ones), horizontal motion
// blur while the camera pans fast, sensor noise from a pre-generated tile at a random offset,
// and the optional scoreboard. Ground truth: each figure's silhouette is also drawn (with its
// index) into an id buffer in the same order, so the pixels a figure keeps at the end are the
// ones not hidden by nearer figures or the scoreboard; visibility = kept pixels / all its
// silhouette pixels (counting those outside the image as hidden).
// Threading: one thread; the frame it draws into is the caller's.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "synth/camera.hpp"
#include "synth/director.hpp"
#include "synth/figure.hpp"
#include "synth/match_sim.hpp"
#include "synth/pitch_lines.hpp"
#include "synth/rng.hpp"
#include "synth/stadium.hpp"

namespace pitchtrack::synth {

struct ObjectTruth {
  bool in_image = false;  // the box overlaps the image
  BoxPx box;              // tight box clipped to the image (valid when in_image)
  double visibility = 0;  // [0, 1]
};

struct FrameTruth {
  std::vector<ObjectTruth> people;  // same order as MatchSim::people()
  ObjectTruth ball;
};

struct RenderTimings {
  double stadium_ms = 0, lines_ms = 0, figures_ms = 0, effects_ms = 0, truth_ms = 0;
  int64_t frames = 0;
};

class Renderer {
 public:
  struct Config {
    int width = 1920;
    int height = 1080;
    bool overlay = false;
    double noise_sigma = 1.2;  // grey levels
    bool motion_blur = true;
    int clock_start_s = 0;       // match clock shown by the scoreboard at t = 0
    std::array<int, 2> score{};  // goals shown by the scoreboard
  };
  Renderer(const Config& config, const PitchLines& lines, const MatchSim& sim, Rng rng);

  // Draws into `frame` (BGR8, width x height) and fills `truth`.
  void render(const MatchSim& sim, const Camera& cam, const Shot& shot, cv::Mat& frame, FrameTruth* truth);

  const RenderTimings& timings() const { return timings_; }
  const Stadium& stadium() const { return stadium_; }

 private:
  void draw_lines(cv::Mat& frame, const Camera& cam) const;
  void draw_goals(cv::Mat& frame, const Camera& cam) const;
  void draw_overlay(cv::Mat& frame, double t) const;
  cv::Rect overlay_rect() const;

  Config config_;
  PitchLines lines_;
  std::vector<std::vector<Contour>> line_polygons_;
  Stadium stadium_;
  std::array<std::string, 2> team_names_;
  std::array<Bgr, 2> team_colours_{};
  cv::Mat noise_;                  // CV_8SC3, (h + kNoiseMargin) x (w + kNoiseMargin)
  std::vector<uint8_t> blur_row_;  // scratch row of the motion blur
  cv::Mat ids_;                    // CV_8U id buffer: 0 nothing, 1..250 people, 255 ball, 254 overlay
  Rng rng_;
  RenderTimings timings_;
};

}  // namespace pitchtrack::synth
