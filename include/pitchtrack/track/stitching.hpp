// Offline tracklet stitching: joins the id fragments of one person (left the view, came back
// seconds later with a new id) over a whole sequence, where the future is known.
//
// Camera motion is recovered from the tracks themselves: between consecutive frames, the zoom
// (median height ratio) and shift (median residual of the foot points) of the ids present in
// both frames; chaining them maps every frame into the first frame's pixels (a "panorama"),
// where a person who walked out of view and back reappears near where they left. A fragment B
// may continue fragment A if B starts after A ends, within max_gap_s, and B's first panorama
// position is within reach of A's last one: distance <= (max_speed_mps * gap + slack_m) in
// metres, with pixels per metre from the box height (a person is ~1.8 m tall). Both ends are
// first extrapolated towards each other with their fragment's own panorama velocity (half the
// gap each, at most extrapolate_s in all), so a player running out of view is looked for
// further along his run. An end's point and velocity come from its first / last boxes, passing
// over any that lie off a robust line through them (end_outlier_h). A goalkeeper's fragment
// never continues a field player's, nor one team's the other's (label_share), not even through
// a fragment without a clear team. Links are chosen by optimal assignment on that normalised
// distance; chains of links share the first id.
//
// Crossings (resolve_crossings, after the gaps are filled) are checked with the future known: where two
// tracks' boxes overlap (IoU >= crossing_iou, contacts less than a window apart joined) for at most
// crossing_max_s, each track's panorama foot motion over the window before the contact is fitted with a line,
// and likewise each track's motion over the window after it. If the tracker handed the two identities across
// during the contact, the lines before and after pair up the other way: the cost of a pairing is how far each
// side's line, extrapolated to the other side's window, misses the other's (both directions, metres). The ids
// are exchanged from the frame of closest approach when the crossed pairing costs less than crossing_ratio x
// the kept one and at least crossing_min_gain_m less. A track that ends in the contact (hidden behind the
// other) may be continued by a track that starts there within the window (within a box height of the
// contact); the same test then picks which of the two it continues. Pairings that would give a
// track two clearly different teams or roles are not made. Contacts that last longer (players
// running side by side) are left as they are.
// Pure function of its input; deterministic.
#pragma once

#include <vector>

#include <algorithm>

#include "pitchtrack/core/track.hpp"
#include "pitchtrack/track/tracker.hpp"

namespace pitchtrack {

struct StitchConfig {
  double fps = 25.0;
  double max_gap_s = 30.0;     // longest absence bridged, seconds
  double max_speed_mps = 4.0;  // assumed mean speed while unseen, m/s
  double slack_m = 8.0;        // fixed allowance, metres (4 until the 0.3 s online memory)
  double person_height_m = 1.8;
  int min_length = 3;  // fragments shorter than this (frames) are not stitched
  // Each fragment end is extrapolated with its own panorama velocity (over its last / first
  // velocity_frames frames) towards the other, for at most extrapolate_s (half the gap each).
  double extrapolate_s = 2.0;
  int velocity_frames = 10;
  // An end's point and velocity leave out samples farther than this many box heights (their
  // median there) from a robust (Theil-Sen) line through those frames, e.g. one box over two
  // players entering the view together. Rendered seed 3, detector K7c (not shipped): HOTA
  // 73.03 -> 74.88; shipped detector seed 1 66.20 -> 66.59; SportsMOT GT boxes unchanged,
  // degraded within +0.07 (docs/PERFORMANCE.md, "fragment ends fitted past a bad box"). 0.25
  // lost 1.5 on shipped seed 3. A huge value (every sample kept) is the plain secant of before.
  double end_outlier_h = 0.5;
  // When this stitching runs over the whole sequence afterwards (`pitchtrack track`, and `run` on
  // a file with offline_stitch), the online tracker keeps a lost track for at most this long
  // (TrackerConfig::max_lost_s is lowered to it). A lost track's re-association online takes the
  // first detection that fits its stale prediction; stitching assigns all fragment ends to all
  // fragment starts at once, with both ends' motion. SportsMOT, degraded detections: max_lost_s
  // 10 -> 0.3 s gave IDF1 89.09 -> 91.22, id switches 1.29 -> 1.06 per 1000 GT boxes; GT boxes
  // 94.19 -> 94.05 (docs/PERFORMANCE.md). Gaps of 1-2 frames (dropped detections) stay online.
  double online_max_lost_s = 0.3;
  // Fragments whose frames clearly (in at least this share of them) hold different roles
  // (player, goalkeeper, referee), or different teams, are never linked; 0: labels ignored.
  // Detection files without classes or teams (SportsMOT) are unaffected.
  double label_share = 2.0 / 3.0;
  // Crossings (above); crossing_iou 0: off. Rendered 60 s matches through the shipped detector,
  // seeds 2 / 1 / 3: HOTA 68.56 / 65.12 / 59.32 -> 70.17 / 66.20 / 63.01; SportsMOT, degraded
  // detections: HOTA 79.75 -> 80.10, id switches 1.14 -> 1.11 per 1000 GT boxes (pooled); the
  // other settings tried are in docs/PERFORMANCE.md ("Crossings").
  double crossing_iou = 0.3;
  double crossing_max_s = 2.0;       // longer contacts are not judged
  double crossing_window_s = 0.4;    // motion fitted over this long before and after the contact
  double crossing_ratio = 0.5;       // exchange when crossed cost < ratio x kept cost ...
  double crossing_min_gain_m = 1.0;  // ... and smaller by at least this, metres
};

// The online tracker's settings for a sequence this stitching will finish: lost tracks are kept
// for at most stitch.online_max_lost_s (the lower of it and tracker.max_lost_s).
inline TrackerConfig tracker_config_before_stitching(TrackerConfig tracker, const StitchConfig& stitch) {
  tracker.max_lost_s = std::min(tracker.max_lost_s, stitch.online_max_lost_s);
  return tracker;
}

// frames[k]: the tracks of frame k; returns the same boxes with ids rewritten.
std::vector<std::vector<Track>> stitch_tracklets(const std::vector<std::vector<Track>>& frames,
                                                 const StitchConfig& config);

// Exchanges ids that the tracker handed across where two people met (above), in place; run it
// on stitched tracks whose short gaps are filled (interpolate_gaps), so that a person hidden
// behind another for a few frames still has boxes there. `cuts[k]` true: frame k opens a new
// shot (camera cut); a contact whose windows reach across one is not judged (the panorama does
// not carry over a cut). Empty: no cuts known. Returns the exchanges made.
int resolve_crossings(std::vector<std::vector<Track>>& frames, const StitchConfig& config,
                      const std::vector<bool>& cuts = {});

}  // namespace pitchtrack
