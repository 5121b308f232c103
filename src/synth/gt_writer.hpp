// GroundTruthWriter: the CSV files of DIR/gt/ (columns documented in docs/FORMATS.md,
// "Synthetic ground truth"). One line per object per frame; numbers are printed with fixed
// precision so equal inputs give byte-identical files.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "pitchtrack/core/status.hpp"
#include "synth/camera.hpp"
#include "synth/director.hpp"
#include "synth/match_sim.hpp"
#include "synth/renderer.hpp"

namespace pitchtrack::synth {

class GroundTruthWriter {
 public:
  // Creates `dir` and opens the files (truncating old ones).
  Status open(const std::string& dir);
  // `frame` is 1-based.
  void write(int64_t frame, const MatchSim& sim, const Camera& cam, const Shot& shot,
             const FrameTruth& truth);
  Status close();
  int cuts() const { return cuts_; }

 private:
  std::string dir_;
  std::ofstream gt_, pitch_, ball_, camera_, cuts_file_;
  std::string line_;
  int cuts_ = 0;
};

// Fraction of the ball's pixels that must be seen for ball.csv's visible = 1.
inline constexpr double kBallVisibleFraction = 0.3;

}  // namespace pitchtrack::synth
