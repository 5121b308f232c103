#include "support/detection_golden.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "support/test_paths.hpp"

namespace pitchtrack::testing {

std::string golden_path(const std::string& name) { return source_dir() + "/tests/golden/" + name; }

bool update_golden_requested() {
  const char* v = std::getenv("PITCHTRACK_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

Status write_golden(const std::string& path, const std::vector<Detection>& dets, const std::string& comment) {
  std::ofstream out(path);
  if (!out) return internal_error("cannot write golden file '" + path + "'");
  std::istringstream lines(comment);
  for (std::string line; std::getline(lines, line);) out << "# " << line << "\n";
  out << "# class x1 y1 x2 y2 score\n" << std::fixed;
  for (const auto& d : dets) {
    out << to_string(d.class_id) << std::setprecision(2) << " " << d.box_px.x1 << " " << d.box_px.y1 << " "
        << d.box_px.x2 << " " << d.box_px.y2 << std::setprecision(4) << " " << d.score << "\n";
  }
  return out ? Status::ok() : internal_error("write failed: '" + path + "'");
}

Result<std::vector<Detection>> read_golden(const std::string& path) {
  std::ifstream in(path);
  if (!in) return not_found("golden file '" + path + "' not found");
  std::vector<Detection> dets;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string cls;
    Detection d;
    if (!(s >> cls >> d.box_px.x1 >> d.box_px.y1 >> d.box_px.x2 >> d.box_px.y2 >> d.score)) {
      return invalid_argument(path + ":" + std::to_string(line_no) + ": expected 'class x1 y1 x2 y2 score'");
    }
    const auto c = object_class_from_string(cls);
    if (!c) return invalid_argument(path + ":" + std::to_string(line_no) + ": unknown class '" + cls + "'");
    d.class_id = *c;
    dets.push_back(d);
  }
  return dets;
}

namespace {

bool close(const Detection& a, const Detection& b, const GoldenTolerance& tol) {
  return a.class_id == b.class_id && std::abs(a.box_px.x1 - b.box_px.x1) <= tol.box_px &&
         std::abs(a.box_px.y1 - b.box_px.y1) <= tol.box_px &&
         std::abs(a.box_px.x2 - b.box_px.x2) <= tol.box_px &&
         std::abs(a.box_px.y2 - b.box_px.y2) <= tol.box_px && std::abs(a.score - b.score) <= tol.score;
}

std::string describe(const Detection& d) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << to_string(d.class_id) << " [" << d.box_px.x1 << ", "
    << d.box_px.y1 << ", " << d.box_px.x2 << ", " << d.box_px.y2 << "] " << std::setprecision(3) << d.score;
  return s.str();
}

// Each compared detection of `from` needs a partner in `to` (any score: a partner just below
// min_score is fine, it is the same detection on the other side of the cut).
void one_way(const std::vector<Detection>& from, const std::vector<Detection>& to, const GoldenTolerance& tol,
             const char* what, std::vector<std::string>& problems) {
  for (const auto& d : from) {
    if (d.score < tol.min_score) continue;
    bool found = false;
    for (const auto& e : to) found = found || close(d, e, tol);
    if (!found) problems.push_back(std::string(what) + describe(d));
  }
}

}  // namespace

std::vector<std::string> compare_golden(const std::vector<Detection>& actual,
                                        const std::vector<Detection>& golden, const GoldenTolerance& tol) {
  std::vector<std::string> problems;
  one_way(golden, actual, tol, "golden detection not found: ", problems);
  one_way(actual, golden, tol, "detection not in the golden file: ", problems);
  return problems;
}

}  // namespace pitchtrack::testing
