// Homography estimation and checks between image pixels and pitch metres.
//
// Contract: a `Homography` (core/result.hpp) is row-major 3x3 and maps image pixels (x, y, 1) to
// pitch metres (DESIGN.md pitch frame). Every homography this file returns is in canonical form:
// Frobenius norm 1 and the sign chosen so that the pitch centre spot lies in front of the camera,
// i.e. w = h31 x + h32 y + h33 > 0 for image points of the visible pitch. Then an image point
// with w <= 0 is above the horizon ("behind the camera") and a pitch point is in front of the
// camera exactly when its image has positive homogeneous scale.
//
// Estimation fits the pitch -> image map with the normalised DLT (Hartley & Zisserman, Alg. 4.2)
// so the algebraic error lives in the image, then inverts it. RANSAC (Fischler & Bolles) samples 4
// pairs with a deterministic seed, skips samples with 3 collinear points and hypotheses that are
// mirrored or put observed points behind the camera, scores inliers by image distance (pixels),
// then refits the DLT on the inliers twice.
//
// Errors: fewer than 4 pairs, non-finite input, degenerate (collinear) configurations and failed
// checks come back as kInvalidArgument naming the problem. Threading: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pitchtrack/core/result.hpp"
#include "pitchtrack/core/status.hpp"
#include "pitchtrack/core/track.hpp"
#include "pitchtrack/pitch/keypoints.hpp"
#include "pitchtrack/pitch/pitch_model.hpp"

namespace pitchtrack {

// One image <-> pitch correspondence.
struct PointPair {
  double x_px = 0.0;
  double y_px = 0.0;
  PitchPoint pitch_m;
};

struct ImagePoint {
  double x_px = 0.0;
  double y_px = 0.0;
};

// Least-squares (normalised DLT) fit of image -> pitch over all pairs (>= 4).
Result<Homography> estimate_homography(std::span<const PointPair> pairs);

struct RansacConfig {
  double inlier_threshold_px = 6.0;  // image distance for an inlier, px
  int max_iterations = 1000;         // upper bound on 4-point samples
  double confidence = 0.999;         // stops early once this probability of an all-inlier sample is reached
  uint64_t seed = 0x5eed1234;        // deterministic sampling
  int min_inliers = 4;               // fewer: an error
};

struct RansacResult {
  Homography image_to_pitch{};
  std::vector<bool> inliers;  // per input pair
  int num_inliers = 0;
  double rms_error_px = 0.0;  // image reprojection error over the inliers
  int iterations = 0;
};

Result<RansacResult> estimate_homography_ransac(std::span<const PointPair> pairs,
                                                const RansacConfig& config = {});

// Frobenius norm 1 and the canonical sign (header comment). Non-finite or zero matrices unchanged.
Homography normalize_homography(const Homography& h);
Result<Homography> invert_homography(const Homography& h);

// Image pixel -> pitch metres; nullopt when the point is on or above the horizon (w <= 0 for a
// canonical homography) or the result is not finite.
std::optional<PitchPoint> image_to_pitch(const Homography& image_to_pitch, double x_px, double y_px);
// Pitch metres -> image pixels through the inverse; nullopt when the pitch point is behind the camera.
std::optional<ImagePoint> pitch_to_image(const Homography& image_to_pitch, PitchPoint p);

// Image distance between the pair's pixel and the pair's pitch point mapped into the image; +inf when
// the pitch point is behind the camera or the homography is singular.
double reprojection_error_px(const Homography& image_to_pitch, const PointPair& pair);
double rms_reprojection_error_px(const Homography& image_to_pitch, std::span<const PointPair> pairs);

struct HomographyChecks {
  double max_condition = 1000.0;  // of the homography between normalised image and pitch coordinates
  int min_corners_in_front = 3;   // of the 4 pitch corners (a zoomed main camera can have one behind it)
  ImageSize image{1920, 1080};    // frame size used to normalise image coordinates
};

// Checks: all entries finite, not singular, orientation preserved (a camera above the pitch never
// sees it mirrored: det > 0 in canonical form), condition number, pitch corners in front of the
// camera, and (when given) every observed image point below the horizon. `field` names the
// configuration field in the error ("calibrator.static_homography").
Status validate_homography(const Homography& image_to_pitch, const PitchModel& pitch,
                           const HomographyChecks& checks, std::string_view field,
                           std::span<const ImagePoint> observed = {});

// Condition number (largest / smallest singular value) of the homography between image
// coordinates normalised by the frame size and pitch coordinates normalised by the half length.
double normalized_condition_number(const Homography& image_to_pitch, const PitchModel& pitch,
                                   ImageSize image);

}  // namespace pitchtrack
