// Loaders for evaluation inputs: MOT txt (ground truth or predictions), GT sequence folders
// (SportsMOT / MOTChallenge layout and the synthetic GT of `pitchtrack synth`), tracks.jsonl.
//
// Contract:
// - MOT txt: one box per line `frame,id,x,y,w,h[,conf[,class[,visibility[,...]]]]`, frames
//   1-based, x,y the top-left corner in pixels; fields separated by commas and/or whitespace;
//   blank lines skipped. Ground truth: lines with conf == 0 are ignored (MOT17 "not evaluated");
//   every class counts as a person (SportsMOT has persons only). Predictions: conf becomes the
//   score; class and visibility are ignored.
// - A GT folder is DIR with DIR/gt/gt.txt (or DIR/gt.txt). Optional: seqinfo.ini (in DIR or the
//   gt folder: seqLength, imWidth, imHeight) and, in the gt folder, the synthetic files
//   pitch.csv `frame,id,role,team,x_m,y_m,visible`, ball.csv
//   `frame,x_px,y_px,w_px,h_px,x_m,y_m,z_m,visible` (x_px,y_px the top-left corner, like gt.txt),
//   camera.csv `frame,h00,h01,...,h22` (image -> pitch), cuts.csv `frame[,kind]` and meta.json
//   (`width`, `height`, `frames`, `pitch.length_m`, `pitch.width_m`). All frames 1-based.
//   CSV files may start with a header line naming the columns (then columns are found by name).
//   Empty, "nan", "null", "none" or -1 (team) mean "unknown".
// - Predictions: a file whose first non-blank character is '{' is tracks.jsonl (frame k is GT
//   frame k + 1); anything else is MOT txt.
// - Every error is a Status naming the file and the 1-based line ("gt.txt:12: ..."); an id given
//   twice in one frame is an error.
// Threading: free functions, thread-safe.
#pragma once

#include <string>

#include "pitchtrack/core/status.hpp"
#include "pitchtrack/eval/sequence.hpp"

namespace pitchtrack::eval {

enum class MotRole { kGroundTruth, kPrediction };

Result<EvalSequence> read_mot_txt(const std::string& path, MotRole role);
// A MOT txt file or a GT folder (see contract).
Result<EvalSequence> load_ground_truth(const std::string& path);
// tracks.jsonl or MOT txt (see contract).
Result<EvalSequence> load_predictions(const std::string& path);

}  // namespace pitchtrack::eval
