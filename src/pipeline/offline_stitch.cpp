#include "pitchtrack/pipeline/offline_stitch.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "pitchtrack/io/tracks_jsonl.hpp"
#include "pitchtrack/pitch/homography.hpp"
#include "pitchtrack/track/interpolation.hpp"

namespace pitchtrack {

Result<OfflineStitchSummary> stitch_tracks_file(const std::string& path, const OfflineStitchConfig& config) {
  if (config.max_interpolation_gap < 0)
    return invalid_argument("offline stitch: max_interpolation_gap must be >= 0");
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
