#include "pitchtrack/io/tracks_jsonl.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <unordered_map>

namespace pitchtrack {
namespace {

using Json = nlohmann::json;

double round_to(double x, double scale) { return std::round(x * scale) / scale; }
double px(double x) { return round_to(x, 100.0); }
double m3(double x) { return round_to(x, 1000.0); }

Json box_json(const BoxXyxy& b) { return Json::array({px(b.x1), px(b.y1), px(b.x2), px(b.y2)}); }
Json point_json(const std::optional<PitchPoint>& p) {
  return p ? Json::array({m3(p->x_m), m3(p->y_m)}) : Json(nullptr);
}

// ---- parsing helpers: each returns a Status naming the field path ----

Status field_error(const std::string& path, const std::string& what) {
  return invalid_argument("'" + path + "' " + what);
}

Result<double> get_number(const Json& j, const std::string& path) {
  if (!j.is_number()) return field_error(path, "is not a number");
  const double v = j.get<double>();
  if (!std::isfinite(v)) return field_error(path, "is not finite");
  return v;
}

Result<int64_t> get_integer(const Json& j, const std::string& path) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 9e15) return static_cast<int64_t>(v);
  }
  return field_error(path, "is not an integer");
}

Result<bool> get_bool(const Json& j, const std::string& path) {
  if (!j.is_boolean()) return field_error(path, "is not a boolean");
  return j.get<bool>();
}

Result<BoxXyxy> get_box(const Json& j, const std::string& path) {
  if (!j.is_array() || j.size() != 4) return field_error(path, "is not an array of 4 numbers [x1,y1,x2,y2]");
  std::array<double, 4> v{};
  for (size_t i = 0; i < 4; ++i) {
    PT_ASSIGN_OR_RETURN(v[i], get_number(j[i], path + "[" + std::to_string(i) + "]"));
  }
  if (v[2] < v[0] || v[3] < v[1]) return field_error(path, "has x2 < x1 or y2 < y1");
  return BoxXyxy{static_cast<float>(v[0]), static_cast<float>(v[1]), static_cast<float>(v[2]),
                 static_cast<float>(v[3])};
}

Result<std::optional<PitchPoint>> get_point(const Json& j, const std::string& path) {
  if (j.is_null()) return std::optional<PitchPoint>{};
  if (!j.is_array() || j.size() != 2) return field_error(path, "is not null or an array of 2 numbers");
  PT_ASSIGN_OR_RETURN(const double x, get_number(j[0], path + "[0]"));
  PT_ASSIGN_OR_RETURN(const double y, get_number(j[1], path + "[1]"));
  return std::optional<PitchPoint>(PitchPoint{x, y});
}

// Looks up an optional key; nullptr when absent.
const Json* find(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

Result<Track> parse_object(const Json& o, const std::string& path) {
  if (!o.is_object()) return field_error(path, "is not an object");
  Track t;
  t.state = TrackState::kConfirmed;
  const Json* id = find(o, "id");
  if (id == nullptr) return field_error(path + ".id", "is missing");
  PT_ASSIGN_OR_RETURN(t.track_id, get_integer(*id, path + ".id"));
  if (t.track_id < 1) return field_error(path + ".id", "must be >= 1 (only confirmed tracks are written)");
  const Json* bbox = find(o, "bbox");
  if (bbox == nullptr) return field_error(path + ".bbox", "is missing");
  PT_ASSIGN_OR_RETURN(t.box_px, get_box(*bbox, path + ".bbox"));
  if (const Json* role = find(o, "role")) {
    const auto name = role->is_string() ? object_class_from_string(role->get<std::string>()) : std::nullopt;
    if (!name || *name == ObjectClass::kBall) {
      return field_error(path + ".role", "is not one of \"player\", \"goalkeeper\", \"referee\"");
    }
    t.role = *name;
  }
  if (const Json* score = find(o, "score")) {
    PT_ASSIGN_OR_RETURN(const double s, get_number(*score, path + ".score"));
    t.score = static_cast<float>(s);
  }
  if (const Json* team = find(o, "team"); team != nullptr && !team->is_null()) {
    PT_ASSIGN_OR_RETURN(const int64_t k, get_integer(*team, path + ".team"));
    if (k != 0 && k != 1) return field_error(path + ".team", "is not 0, 1 or null");
    t.team = static_cast<int>(k);
  }
  if (const Json* conf = find(o, "team_conf"); conf != nullptr && !conf->is_null()) {
    PT_ASSIGN_OR_RETURN(const double c, get_number(*conf, path + ".team_conf"));
    t.team_confidence = static_cast<float>(c);
  }
  if (const Json* pitch = find(o, "pitch")) {
    PT_ASSIGN_OR_RETURN(t.pitch_m, get_point(*pitch, path + ".pitch"));
  }
  if (const Json* vel = find(o, "vel")) {
    PT_ASSIGN_OR_RETURN(t.velocity_mps, get_point(*vel, path + ".vel"));
  }
  return t;
}

Result<std::optional<BallState>> parse_ball(const Json& b) {
  if (b.is_null()) return std::optional<BallState>{};
  if (!b.is_object()) return field_error("ball", "is not an object or null");
  BallState ball;
  const Json* bbox = find(b, "bbox");
  if (bbox == nullptr) return field_error("ball.bbox", "is missing");
  PT_ASSIGN_OR_RETURN(ball.box_px, get_box(*bbox, "ball.bbox"));
  if (const Json* score = find(b, "score")) {
    PT_ASSIGN_OR_RETURN(const double s, get_number(*score, "ball.score"));
    ball.score = static_cast<float>(s);
  }
  if (const Json* pitch = find(b, "pitch")) {
    PT_ASSIGN_OR_RETURN(ball.pitch_m, get_point(*pitch, "ball.pitch"));
  }
  if (const Json* g = find(b, "ground_projected")) {
    PT_ASSIGN_OR_RETURN(ball.ground_projected, get_bool(*g, "ball.ground_projected"));
  }
  if (const Json* interp = find(b, "interpolated")) {
    PT_ASSIGN_OR_RETURN(ball.interpolated, get_bool(*interp, "ball.interpolated"));
  }
  return std::optional<BallState>(ball);
}

Result<FrameResult> parse_frame(const Json& j) {
  if (!j.is_object()) return invalid_argument("line is not a JSON object");
  FrameResult f;
  const Json* frame = find(j, "frame");
  if (frame == nullptr) return field_error("frame", "is missing");
  PT_ASSIGN_OR_RETURN(f.frame_index, get_integer(*frame, "frame"));
  if (f.frame_index < 0) return field_error("frame", "is negative");
  if (const Json* pts = find(j, "pts_ms")) {
    PT_ASSIGN_OR_RETURN(const double ms, get_number(*pts, "pts_ms"));
    f.pts_us = std::llround(ms * 1000.0);
  }
  const Json* objects = find(j, "objects");
  if (objects == nullptr) return field_error("objects", "is missing");
  if (!objects->is_array()) return field_error("objects", "is not an array");
  f.tracks.reserve(objects->size());
  for (size_t i = 0; i < objects->size(); ++i) {
    PT_ASSIGN_OR_RETURN(Track t, parse_object((*objects)[i], "objects[" + std::to_string(i) + "]"));
    f.tracks.push_back(std::move(t));
  }
  if (const Json* ball = find(j, "ball")) {
    PT_ASSIGN_OR_RETURN(f.ball, parse_ball(*ball));
  }
  if (const Json* h = find(j, "homography"); h != nullptr && !h->is_null()) {
    if (!h->is_array() || h->size() != 9)
      return field_error("homography", "is not null or an array of 9 numbers");
    Homography hm{};
    for (size_t i = 0; i < 9; ++i) {
      PT_ASSIGN_OR_RETURN(hm[i], get_number((*h)[i], "homography[" + std::to_string(i) + "]"));
    }
    f.homography = hm;
  }
  if (const Json* q = find(j, "calib_quality")) {
    PT_ASSIGN_OR_RETURN(f.calibration_quality, get_number(*q, "calib_quality"));
  }
  if (const Json* flags = find(j, "flags")) {
    if (!flags->is_object()) return field_error("flags", "is not an object");
    if (const Json* cut = find(*flags, "cut")) {
      PT_ASSIGN_OR_RETURN(f.camera_cut, get_bool(*cut, "flags.cut"));
    }
  }
  if (const Json* timings = find(j, "timings_ms")) {
    if (!timings->is_object()) return field_error("timings_ms", "is not an object");
    for (const auto& [stage, ms] : timings->items()) {
      PT_ASSIGN_OR_RETURN(f.timings_ms[stage], get_number(ms, "timings_ms." + stage));
    }
  }
  return f;
}

}  // namespace

std::string to_jsonl_line(const FrameResult& frame) {
  Json j;
  j["frame"] = frame.frame_index;
  j["pts_ms"] = m3(static_cast<double>(frame.pts_us) / 1000.0);
  Json objects = Json::array();
  for (const Track& t : frame.tracks) {
    if (t.track_id < 1) continue;
    Json o;
    o["id"] = t.track_id;
    o["role"] = std::string(to_string(t.role));
    o["team"] = t.team ? Json(*t.team) : Json(nullptr);
    o["team_conf"] = t.team_confidence ? Json(m3(*t.team_confidence)) : Json(nullptr);
    o["bbox"] = box_json(t.box_px);
    o["score"] = m3(t.score);
    o["pitch"] = point_json(t.pitch_m);
    o["vel"] = point_json(t.velocity_mps);
    objects.push_back(std::move(o));
  }
  j["objects"] = std::move(objects);
  if (frame.ball) {
    const BallState& b = *frame.ball;
    j["ball"] = {{"bbox", box_json(b.box_px)},
                 {"score", m3(b.score)},
                 {"pitch", point_json(b.pitch_m)},
                 {"ground_projected", b.ground_projected},
                 {"interpolated", b.interpolated}};
  } else {
    j["ball"] = nullptr;
  }
  if (frame.homography) {
    j["homography"] = Json::array();
    for (double h : *frame.homography) j["homography"].push_back(h);
  } else {
    j["homography"] = nullptr;
  }
  j["calib_quality"] = m3(frame.calibration_quality);
  j["flags"] = {{"cut", frame.camera_cut}};
  Json timings = Json::object();
  for (const auto& [stage, ms] : frame.timings_ms) timings[stage] = m3(ms);
  j["timings_ms"] = std::move(timings);
  return j.dump();
}

Result<FrameResult> parse_jsonl_line(std::string_view line) {
  Json j;
  try {
    j = Json::parse(line.begin(), line.end());
  } catch (const Json::exception& e) {
    // nlohmann messages look like "[json.exception.parse_error.101] parse error at line 1, ...".
    std::string msg = e.what();
    if (const auto pos = msg.find("] "); pos != std::string::npos) msg = msg.substr(pos + 2);
    return invalid_argument("invalid JSON: " + msg);
  }
  return parse_frame(j);
}

Result<std::vector<FrameResult>> read_tracks_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) return not_found("open '" + path + "': no such file or not readable");
  std::vector<FrameResult> frames;
  std::unordered_map<int64_t, int64_t> line_of_frame;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto parsed = parse_jsonl_line(line);
    if (!parsed.is_ok()) {
      return Status(parsed.status().code(),
                    path + ":" + std::to_string(line_no) + ": " + parsed.status().message());
    }
    const auto [it, inserted] = line_of_frame.emplace(parsed->frame_index, line_no);
    if (!inserted) {
      return invalid_argument(path + ":" + std::to_string(line_no) + ": frame " +
                              std::to_string(parsed->frame_index) + " already given on line " +
                              std::to_string(it->second));
    }
    frames.push_back(std::move(parsed).value());
  }
  if (in.bad()) return data_loss(path + ": read error after line " + std::to_string(line_no));
  return frames;
}

}  // namespace pitchtrack
