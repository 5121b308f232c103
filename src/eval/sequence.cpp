#include "pitchtrack/eval/sequence.hpp"

namespace pitchtrack::eval {

int64_t EvalSequence::num_boxes() const {
  int64_t n = 0;
  for (const EvalFrame& f : frames) n += static_cast<int64_t>(f.objects.size());
  return n;
}

EvalSequence sequence_from_frame_results(const std::vector<FrameResult>& results) {
  EvalSequence seq;
  seq.has_roles = seq.has_teams = seq.has_pitch = seq.has_ball = seq.has_camera = true;
  seq.marks_processed = true;
  std::vector<char> seen;
  for (const FrameResult& r : results) {
    if (r.frame_index < 0) continue;
    const auto t = static_cast<size_t>(r.frame_index);
    if (t >= seq.frames.size()) {
      seq.frames.resize(t + 1);
      seen.resize(t + 1, 0);
    }
    seen[t] = 1;
    EvalFrame& f = seq.frames[t];
    for (const Track& tr : r.tracks) {
      if (tr.track_id < 1) continue;
      f.objects.push_back(EvalObject{.id = tr.track_id,
                                     .box_px = tr.box_px,
                                     .score = tr.score,
                                     .role = tr.role,
                                     .team = tr.team,
                                     .pitch_m = tr.pitch_m});
    }
    if (r.ball) f.ball = EvalBall{.box_px = r.ball->box_px, .pitch_m = r.ball->pitch_m, .z_m = std::nullopt};
    f.homography = r.homography;
    f.camera_cut = r.camera_cut;
  }
  for (size_t t = 0; t < seq.frames.size(); ++t) seq.frames[t].processed = seen[t] != 0;
  return seq;
}

}  // namespace pitchtrack::eval
