#include "pitchtrack/pipeline/offline_stitch.hpp"

#include <algorithm>
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
// waits for its first vote) takes the team its track has next, when one follows within `max_us`
// of stream time: walked backwards, the last team seen is the next one in time. A longer wait is
// the model's own answer (a kit it puts in neither team), not a wait, and stays unknown.
// Returns the boxes filled.
int64_t fill_unknown_teams(std::vector<FrameResult>& frames, double max_us) {
  struct Known {
    int team;
    std::optional<float> confidence;
    int64_t pts_us;
  };
  std::map<int64_t, Known> next;
  int64_t filled = 0;
  for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
    for (Track& t : f->tracks) {
      if (t.team) {
        next[t.track_id] = {*t.team, t.team_confidence, f->pts_us};
      } else if (t.role != ObjectClass::kReferee) {
        if (const auto it = next.find(t.track_id);
            it != next.end() && static_cast<double>(it->second.pts_us - f->pts_us) <= max_us) {
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

// Centred moving average of each track's box over the `half` processed frames before and after
// it, within the track and the shot. The online tracker's boxes can only use the past; offline,
// the detector's frame-to-frame jitter of the foot point averages out both ways. The window is
// kept symmetric (narrower near a track's ends or a cut), so steady motion is not biased.
// Returns the boxes smoothed.
int64_t smooth_boxes(std::vector<std::vector<Track>>& tracks, const std::vector<FrameResult>& frames,
                     int half) {
  if (half <= 0) return 0;
  std::vector<int> shot(frames.size());
  for (size_t k = 0, s = 0; k < frames.size(); ++k) {
    if (frames[k].camera_cut) ++s;
    shot[k] = static_cast<int>(s);
  }
  std::map<int64_t, std::vector<std::pair<size_t, size_t>>> by_id;  // id -> (frame, index), in order
  for (size_t k = 0; k < tracks.size(); ++k) {
    for (size_t i = 0; i < tracks[k].size(); ++i) by_id[tracks[k][i].track_id].emplace_back(k, i);
  }
  int64_t smoothed = 0;
  std::vector<BoxXyxy> out;
  for (const auto& [id, list] : by_id) {
    out.assign(list.size(), {});
    size_t lo = 0;
    for (size_t a = 0; a < list.size(); ++a) {
      const size_t k = list[a].first;
      while (list[lo].first + static_cast<size_t>(half) < k || shot[list[lo].first] != shot[k]) ++lo;
      size_t hi = a;
      while (hi + 1 < list.size() && list[hi + 1].first <= k + static_cast<size_t>(half) &&
             shot[list[hi + 1].first] == shot[k]) {
        ++hi;
      }
      // Only offsets present on both sides (the track may miss frames): the mean of steady
      // motion stays on it.
      const BoxXyxy& own = tracks[k][list[a].second].box_px;
      double x1 = own.x1, y1 = own.y1, x2 = own.x2, y2 = own.y2;
      int n = 1;
      for (size_t d = 1; d <= static_cast<size_t>(half); ++d) {
        const BoxXyxy* before = nullptr;
        const BoxXyxy* after = nullptr;
        for (size_t b = lo; b <= hi; ++b) {
          if (list[b].first + d == k) before = &tracks[list[b].first][list[b].second].box_px;
          if (list[b].first == k + d) after = &tracks[list[b].first][list[b].second].box_px;
        }
        if (before == nullptr || after == nullptr) continue;
        x1 += before->x1 + after->x1;
        y1 += before->y1 + after->y1;
        x2 += before->x2 + after->x2;
        y2 += before->y2 + after->y2;
        n += 2;
      }
      out[a] = {static_cast<float>(x1 / n), static_cast<float>(y1 / n), static_cast<float>(x2 / n),
                static_cast<float>(y2 / n)};
      smoothed += n > 1 ? 1 : 0;
    }
    for (size_t a = 0; a < list.size(); ++a) tracks[list[a].first][list[a].second].box_px = out[a];
  }
  return smoothed;
}

}  // namespace

Result<OfflineStitchSummary> stitch_tracks_file(const std::string& path, const OfflineStitchConfig& config) {
  if (config.max_interpolation_gap < 0)
    return invalid_argument("offline stitch: max_interpolation_gap must be >= 0");
  if (!(config.max_team_fill_s >= 0 && std::isfinite(config.max_team_fill_s))) {
    return invalid_argument("offline stitch: max_team_fill_s must be finite and >= 0");
  }
  if (config.smooth_half_window < 0)
    return invalid_argument("offline stitch: smooth_half_window must be >= 0");
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
  std::vector<bool> cuts(frames.size());
  for (size_t k = 0; k < frames.size(); ++k) cuts[k] = frames[k].camera_cut;
  summary.crossings_exchanged = resolve_crossings(tracks, config.stitch, cuts);
  summary.boxes_smoothed = smooth_boxes(tracks, frames, config.smooth_half_window);
  const bool smoothing = summary.boxes_smoothed > 0;
  size_t boxes_after = 0;
  for (size_t k = 0; k < frames.size(); ++k) {
    for (Track& t : tracks[k]) {
      after.insert(t.track_id);
      // Filled boxes get a pitch position from the frame's homography; a smoothed box that had
      // one online gets it again from its new foot point (one without, e.g. off the pitch or in
      // an uncalibrated frame, keeps none). Velocities stay the online ones.
      const bool filled = t.det_index == -1 && !t.pitch_m;
      if ((filled || (smoothing && t.pitch_m)) && frames[k].homography) {
        const auto foot = t.box_px.foot();
        t.pitch_m = image_to_pitch(normalize_homography(*frames[k].homography), foot[0], foot[1]);
      }
    }
    boxes_after += tracks[k].size();
    frames[k].tracks = std::move(tracks[k]);
  }
  summary.teams_filled = fill_unknown_teams(frames, config.max_team_fill_s * 1e6);
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
