#include "pitchtrack/pipeline/offline_stitch.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "pitchtrack/io/tracks_jsonl.hpp"
#include "pitchtrack/pitch/homography.hpp"
#include "pitchtrack/track/interpolation.hpp"

namespace pitchtrack {
namespace {

// A box whose team was not known yet (the team model fits after its first seconds; a new track
// waits for its first vote) takes the team its track has next, when one follows within
// `max_frames`: walked backwards, the last team seen is the next one in time. A longer wait is
// the model's own answer (a kit it puts in neither team), not a wait, and stays unknown.
// Returns the boxes filled.
int64_t fill_unknown_teams(std::vector<FrameResult>& frames, int64_t max_frames) {
  struct Known {
    int team;
    std::optional<float> confidence;
    int64_t frame;
  };
  std::map<int64_t, Known> next;
  int64_t filled = 0;
  for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
    for (Track& t : f->tracks) {
      if (t.team) {
        next[t.track_id] = {*t.team, t.team_confidence, f->frame_index};
      } else if (t.role != ObjectClass::kReferee) {
        if (const auto it = next.find(t.track_id);
            it != next.end() && it->second.frame - f->frame_index <= max_frames) {
          t.team = it->second.team;
          t.team_confidence = it->second.confidence;
          ++filled;
        }
      }
    }
    if (f->camera_cut) next.clear();  // this frame opened its shot: nothing carried further back
  }
  return filled;
}

}  // namespace

Result<OfflineStitchSummary> stitch_tracks_file(const std::string& path, const OfflineStitchConfig& config) {
  if (config.max_interpolation_gap < 0)
    return invalid_argument("offline stitch: max_interpolation_gap must be >= 0");
  if (!(config.max_team_fill_s >= 0)) return invalid_argument("offline stitch: max_team_fill_s must be >= 0");
  PT_ASSIGN_OR_RETURN(std::vector<FrameResult> frames, read_tracks_jsonl(path));
  OfflineStitchSummary summary;
  summary.frames = static_cast<int64_t>(frames.size());
  std::vector<std::vector<Track>> tracks(frames.size());
  std::set<int64_t> before, after;
  size_t boxes_before = 0;
  for (size_t k = 0; k < frames.size(); ++k) {
    tracks[k] = frames[k].tracks;
    boxes_before += tracks[k].size();
    for (const Track& t : tracks[k]) before.insert(t.track_id);
  }
  tracks = interpolate_gaps(stitch_tracklets(tracks, config.stitch), config.max_interpolation_gap);
  size_t boxes_after = 0;
  for (size_t k = 0; k < frames.size(); ++k) {
    for (Track& t : tracks[k]) {
      after.insert(t.track_id);
      if (t.det_index == -1 && !t.pitch_m && frames[k].homography) {
        const auto foot = t.box_px.foot();
        t.pitch_m = image_to_pitch(*frames[k].homography, foot[0], foot[1]);
      }
    }
    boxes_after += tracks[k].size();
    frames[k].tracks = std::move(tracks[k]);
  }
  summary.teams_filled = fill_unknown_teams(
      frames, static_cast<int64_t>(std::llround(config.max_team_fill_s * config.stitch.fps)));
  summary.ids_before = static_cast<int64_t>(before.size());
  summary.ids_after = static_cast<int64_t>(after.size());
  summary.boxes_added = static_cast<int64_t>(boxes_after) - static_cast<int64_t>(boxes_before);

  const std::string tmp = path + ".stitching";
  {
    std::ofstream out(tmp);
    if (!out) return invalid_argument("offline stitch: cannot write '" + tmp + "'");
    for (const FrameResult& f : frames) out << to_jsonl_line(f) << '\n';
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return data_loss("offline stitch: writing '" + tmp + "' failed (disk full?); '" + path +
                       "' is unchanged");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return invalid_argument("offline stitch: cannot replace '" + path + "': " + ec.message());
  }
  return summary;
}

}  // namespace pitchtrack
