#include "pitchtrack/eval/ground_truth.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <unordered_map>

#include "pitchtrack/io/tracks_jsonl.hpp"

namespace pitchtrack::eval {
namespace {

namespace fs = std::filesystem;

// ---- text helpers ----

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Fields separated by commas (each trimmed) or, without a comma, by whitespace.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  if (line.find(',') != std::string_view::npos) {
    size_t start = 0;
    while (true) {
      const size_t end = line.find(',', start);
      out.push_back(
          trim(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  } else {
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      const size_t start = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (i > start) out.push_back(line.substr(start, i - start));
    }
  }
  return out;
}

std::optional<double> to_double(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// An integer, also written as a float with no fraction ("3.0", as some trackers write ids).
std::optional<int64_t> to_integer(std::string_view s) {
  const auto v = to_double(s);
  if (!v || !std::isfinite(*v) || *v != std::floor(*v) || std::abs(*v) > 9e15) return std::nullopt;
  return static_cast<int64_t>(*v);
}

bool is_unknown(std::string_view s) {
  const std::string l = lower(s);
  return l.empty() || l == "nan" || l == "null" || l == "none" || l == "na";
}

// Reports "<file>:<line>: <message>" errors.
struct LineError {
  const std::string& path;
  int64_t line;
  Status operator()(const std::string& message) const {
    return invalid_argument(path + ":" + std::to_string(line) + ": " + message);
  }
};

Status check_readable_file(const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return not_found("open '" + path + "': no such file");
  if (fs::is_directory(st)) return invalid_argument("open '" + path + "': is a directory, not a file");
  return Status::ok();
}

// Reads `path` line by line (1-based numbers, CR stripped), skipping blank and '#' lines.
Status for_each_line(const std::string& path, const std::function<Status(int64_t, std::string_view)>& fn) {
  PT_RETURN_IF_ERROR(check_readable_file(path));
  std::ifstream in(path);
  if (!in) return not_found("open '" + path + "': cannot read");
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string_view v = trim(line);
    if (v.empty() || v.front() == '#') continue;
    PT_RETURN_IF_ERROR(fn(n, v));
  }
  if (in.bad()) return data_loss(path + ": read error after line " + std::to_string(n));
  return Status::ok();
}

EvalFrame& frame_at(EvalSequence& seq, int64_t frame_1based) {
  const auto t = static_cast<size_t>(frame_1based - 1);
  if (t >= seq.frames.size()) seq.frames.resize(t + 1);
  return seq.frames[t];
}

// ---- CSV with an optional header ----

// Calls fn(line, fields) with the fields in the order of `columns`. A first line whose first
// field is not a number is a header; columns are then found by name (extra columns ignored).
Status read_csv(const std::string& path, const std::vector<std::string>& columns,
                const std::function<Status(const LineError&, const std::vector<std::string_view>&)>& fn) {
  std::vector<size_t> index;
  bool first = true;
  std::vector<std::string_view> picked(columns.size());
  return for_each_line(path, [&](int64_t line_no, std::string_view line) -> Status {
    const LineError err{path, line_no};
    const auto fields = split_fields(line);
    if (first) {
      first = false;
      if (!fields.empty() && !to_double(fields[0])) {
        for (const std::string& c : columns) {
          const auto it =
              std::find_if(fields.begin(), fields.end(), [&](std::string_view f) { return lower(f) == c; });
          if (it == fields.end()) return err("header has no column '" + c + "'");
          index.push_back(static_cast<size_t>(it - fields.begin()));
        }
        return Status::ok();
      }
      for (size_t i = 0; i < columns.size(); ++i) index.push_back(i);
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      if (index[i] >= fields.size()) {
        return err("expected " + std::to_string(columns.size()) + " fields, got " +
                   std::to_string(fields.size()));
      }
      picked[i] = fields[index[i]];
    }
    return fn(err, picked);
  });
}

Result<int64_t> frame_field(const LineError& err, std::string_view s) {
  const auto f = to_integer(s);
  if (!f) return err("frame '" + std::string(s) + "' is not an integer");
  if (*f < 1) return err("frame " + std::to_string(*f) + " is not >= 1 (GT frames are 1-based)");
  return *f;
}

Result<std::optional<double>> optional_number(const LineError& err, const std::string& name,
                                              std::string_view s) {
  if (is_unknown(s)) return std::optional<double>{};
  const auto v = to_double(s);
  if (!v) return err(name + " '" + std::string(s) + "' is not a number");
  if (!std::isfinite(*v)) return std::optional<double>{};
  return std::optional<double>(*v);
}

Result<bool> flag_field(const LineError& err, const std::string& name, std::string_view s) {
  const std::string l = lower(s);
  if (l == "1" || l == "true") return true;
  if (l == "0" || l == "false") return false;
  return err(name + " '" + std::string(s) + "' is not 0/1");
}

// ---- the synthetic GT files ----

Status read_pitch_csv(const std::string& path, EvalSequence& seq) {
  return read_csv(path, {"frame", "id", "role", "team", "x_m", "y_m", "visible"},
                  [&](const LineError& err, const std::vector<std::string_view>& f) -> Status {
                    PT_ASSIGN_OR_RETURN(const int64_t frame, frame_field(err, f[0]));
                    const auto id = to_integer(f[1]);
                    if (!id) return err("id '" + std::string(f[1]) + "' is not an integer");
                    std::optional<ObjectClass> role;
                    if (!is_unknown(f[2])) {
                      if (const auto k = to_integer(f[2])) {
                        if (*k < 1 || *k >= kNumObjectClasses)
                          return err("role " + std::string(f[2]) + " is not 1..3");
                        role = static_cast<ObjectClass>(*k);
                      } else {
                        role = object_class_from_string(lower(f[2]));
                        if (!role || *role == ObjectClass::kBall) {
                          return err("role '" + std::string(f[2]) + "' is not player, goalkeeper or referee");
                        }
                      }
                    }
                    std::optional<int> team;
                    if (!is_unknown(f[3])) {
                      const auto k = to_integer(f[3]);
                      if (!k || (*k != 0 && *k != 1 && *k != -1)) {
                        return err("team '" + std::string(f[3]) + "' is not 0, 1, -1 or empty");
                      }
                      if (*k >= 0) team = static_cast<int>(*k);
                    }
                    PT_ASSIGN_OR_RETURN(const auto x, optional_number(err, "x_m", f[4]));
                    PT_ASSIGN_OR_RETURN(const auto y, optional_number(err, "y_m", f[5]));
                    // Rows of people without a GT box this frame (not visible) carry nothing to match.
                    if (static_cast<size_t>(frame) > seq.frames.size()) return Status::ok();
                    for (EvalObject& o : seq.frames[frame - 1].objects) {
                      if (o.id != *id) continue;
                      o.role = role;
                      o.team = team;
                      if (x && y) o.pitch_m = PitchPoint{*x, *y};
                    }
                    return Status::ok();
                  });
}

Status read_ball_csv(const std::string& path, EvalSequence& seq) {
  return read_csv(path, {"frame", "x_px", "y_px", "w_px", "h_px", "x_m", "y_m", "z_m", "visible"},
                  [&](const LineError& err, const std::vector<std::string_view>& f) -> Status {
                    PT_ASSIGN_OR_RETURN(const int64_t frame, frame_field(err, f[0]));
                    static const char* kNames[] = {"frame", "x_px", "y_px", "w_px",
                                                   "h_px",  "x_m",  "y_m",  "z_m"};
                    std::array<std::optional<double>, 8> v;
                    for (size_t i = 1; i < 8; ++i) {
                      PT_ASSIGN_OR_RETURN(v[i], optional_number(err, kNames[i], f[i]));
                    }
                    PT_ASSIGN_OR_RETURN(const bool visible, flag_field(err, "visible", f[8]));
                    EvalBall ball;
                    if (visible && v[1] && v[2] && v[3] && v[4]) {
                      if (*v[3] < 0 || *v[4] < 0) return err("negative ball box size");
                      ball.box_px = BoxXyxy::from_xywh(static_cast<float>(*v[1]), static_cast<float>(*v[2]),
                                                       static_cast<float>(*v[3]), static_cast<float>(*v[4]));
                    }
                    if (v[5] && v[6]) ball.pitch_m = PitchPoint{*v[5], *v[6]};
                    ball.z_m = v[7];
                    EvalFrame& fr = frame_at(seq, frame);
                    if (fr.ball) return err("frame " + std::to_string(frame) + " given twice");
                    fr.ball = ball;
                    return Status::ok();
                  });
}

Status read_camera_csv(const std::string& path, EvalSequence& seq) {
  return read_csv(path, {"frame", "h00", "h01", "h02", "h10", "h11", "h12", "h20", "h21", "h22"},
                  [&](const LineError& err, const std::vector<std::string_view>& f) -> Status {
                    PT_ASSIGN_OR_RETURN(const int64_t frame, frame_field(err, f[0]));
                    Homography h{};
                    bool valid = true;
                    static const char* kNames[] = {"h00", "h01", "h02", "h10", "h11",
                                                   "h12", "h20", "h21", "h22"};
                    for (size_t i = 0; i < 9; ++i) {
                      PT_ASSIGN_OR_RETURN(const auto x, optional_number(err, kNames[i], f[i + 1]));
                      if (!x) valid = false;
                      h[i] = x.value_or(0.0);
                    }
                    EvalFrame& fr = frame_at(seq, frame);
                    if (fr.homography) return err("frame " + std::to_string(frame) + " given twice");
                    if (valid) fr.homography = h;
                    return Status::ok();
                  });
}

Status read_cuts_csv(const std::string& path, EvalSequence& seq) {
  return read_csv(path, {"frame"},
                  [&](const LineError& err, const std::vector<std::string_view>& f) -> Status {
                    PT_ASSIGN_OR_RETURN(const int64_t frame, frame_field(err, f[0]));
                    frame_at(seq, frame).camera_cut = true;
                    return Status::ok();
                  });
}

struct SeqInfo {
  int64_t length = 0;
  int width = 0;
  int height = 0;
};

Result<SeqInfo> read_seqinfo(const std::string& path) {
  SeqInfo info;
  PT_RETURN_IF_ERROR(for_each_line(path, [&](int64_t line_no, std::string_view line) -> Status {
    if (line.front() == '[' || line.front() == ';') return Status::ok();
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return Status::ok();
    const std::string key = lower(trim(line.substr(0, eq)));
    const std::string_view value = trim(line.substr(eq + 1));
    if (key != "seqlength" && key != "imwidth" && key != "imheight") return Status::ok();
    const auto v = to_integer(value);
    if (!v || *v < 0)
      return LineError{path, line_no}(key + " '" + std::string(value) + "' is not a non-negative integer");
    if (key == "seqlength") info.length = *v;
    if (key == "imwidth") info.width = static_cast<int>(*v);
    if (key == "imheight") info.height = static_cast<int>(*v);
    return Status::ok();
  }));
  return info;
}

// meta.json of `pitchtrack synth`: image size, frame count, pitch size (all optional).
Status read_meta_json(const std::string& path, EvalSequence& seq) {
  std::ifstream in(path);
  if (!in) return not_found("open '" + path + "': cannot read");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument(path + ": invalid JSON: " + e.what());
  }
  auto get = [&](const nlohmann::json& obj, const char* key) -> std::optional<double> {
    if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number()) return std::nullopt;
    return obj[key].get<double>();
  };
  if (const auto w = get(j, "width")) seq.image_width = static_cast<int>(*w);
  if (const auto h = get(j, "height")) seq.image_height = static_cast<int>(*h);
  if (const auto n = get(j, "frames"); n && *n > static_cast<double>(seq.frames.size())) {
    seq.frames.resize(static_cast<size_t>(*n));
  }
  if (j.is_object() && j.contains("pitch")) {
    seq.pitch_length_m = get(j["pitch"], "length_m");
    seq.pitch_width_m = get(j["pitch"], "width_m");
  }
  return Status::ok();
}

}  // namespace

Result<EvalSequence> read_mot_txt(const std::string& path, MotRole role) {
  EvalSequence seq;
  seq.name = path;
  std::unordered_map<int64_t, std::unordered_map<int64_t, int64_t>> line_of;  // frame -> id -> line
  PT_RETURN_IF_ERROR(for_each_line(path, [&](int64_t line_no, std::string_view line) -> Status {
    const LineError err{path, line_no};
    const auto f = split_fields(line);
    if (f.size() < 6) {
      return err("expected at least 6 fields (frame,id,x,y,w,h[,conf,...]), got " + std::to_string(f.size()));
    }
    PT_ASSIGN_OR_RETURN(const int64_t frame, frame_field(err, f[0]));
    const auto id = to_integer(f[1]);
    if (!id) return err("id '" + std::string(f[1]) + "' is not an integer");
    static const char* kNames[] = {"frame", "id", "x", "y", "w", "h", "conf"};
    std::array<double, 7> v{};
    v[6] = 1.0;
    for (size_t i = 2; i < std::min<size_t>(f.size(), 7); ++i) {
      const auto x = to_double(f[i]);
      if (!x || !std::isfinite(*x))
        return err(std::string(kNames[i]) + " '" + std::string(f[i]) + "' is not a number");
      v[i] = *x;
    }
    if (v[4] < 0 || v[5] < 0) return err("negative box size");
    EvalFrame& fr = frame_at(seq, frame);
    if (role == MotRole::kGroundTruth && v[6] == 0.0) return Status::ok();  // MOT17: not evaluated
    const auto [it, inserted] = line_of[frame].emplace(*id, line_no);
    if (!inserted) {
      return err("id " + std::to_string(*id) + " given twice in frame " + std::to_string(frame) +
                 " (first on line " + std::to_string(it->second) + ")" +
                 (*id < 0 ? "; a detection file? tracking predictions need track ids" : ""));
    }
    fr.objects.push_back(
        EvalObject{.id = *id,
                   .box_px = BoxXyxy::from_xywh(static_cast<float>(v[2]), static_cast<float>(v[3]),
                                                static_cast<float>(v[4]), static_cast<float>(v[5])),
                   .score = static_cast<float>(v[6]),
                   .role = {},
                   .team = {},
                   .pitch_m = {}});
    return Status::ok();
  }));
  return seq;
}

Result<EvalSequence> load_ground_truth(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return not_found("ground truth '" + path + "': no such file or folder");
  if (!fs::is_directory(path, ec)) return read_mot_txt(path, MotRole::kGroundTruth);

  const fs::path dir(path);
  fs::path gt_dir;
  if (fs::is_regular_file(dir / "gt" / "gt.txt", ec)) {
    gt_dir = dir / "gt";
  } else if (fs::is_regular_file(dir / "gt.txt", ec)) {
    gt_dir = dir;
  } else {
    return not_found("ground truth '" + path + "': no gt/gt.txt in this folder");
  }
  PT_ASSIGN_OR_RETURN(EvalSequence seq, read_mot_txt((gt_dir / "gt.txt").string(), MotRole::kGroundTruth));
  seq.name = path;
  for (const fs::path& ini : {dir / "seqinfo.ini", gt_dir / "seqinfo.ini"}) {
    if (!fs::is_regular_file(ini, ec)) continue;
    PT_ASSIGN_OR_RETURN(const SeqInfo info, read_seqinfo(ini.string()));
    if (info.length > seq.num_frames()) seq.frames.resize(static_cast<size_t>(info.length));
    seq.image_width = info.width;
    seq.image_height = info.height;
    break;
  }
  if (const fs::path f = gt_dir / "meta.json"; fs::is_regular_file(f, ec)) {
    PT_RETURN_IF_ERROR(read_meta_json(f.string(), seq));
  }
  if (const fs::path f = gt_dir / "pitch.csv"; fs::is_regular_file(f, ec)) {
    PT_RETURN_IF_ERROR(read_pitch_csv(f.string(), seq));
    seq.has_roles = seq.has_teams = seq.has_pitch = true;
  }
  if (const fs::path f = gt_dir / "ball.csv"; fs::is_regular_file(f, ec)) {
    PT_RETURN_IF_ERROR(read_ball_csv(f.string(), seq));
    seq.has_ball = true;
  }
  if (const fs::path f = gt_dir / "camera.csv"; fs::is_regular_file(f, ec)) {
    PT_RETURN_IF_ERROR(read_camera_csv(f.string(), seq));
    seq.has_camera = true;
  }
  if (const fs::path f = gt_dir / "cuts.csv"; fs::is_regular_file(f, ec)) {
    PT_RETURN_IF_ERROR(read_cuts_csv(f.string(), seq));
  }
  return seq;
}

Result<EvalSequence> load_predictions(const std::string& path) {
  PT_RETURN_IF_ERROR(check_readable_file(path));
  std::ifstream in(path);
  char c = 0;
  while (in.get(c) && std::isspace(static_cast<unsigned char>(c))) {
  }
  if (in && c == '{') {
    PT_ASSIGN_OR_RETURN(const std::vector<FrameResult> frames, read_tracks_jsonl(path));
    EvalSequence seq = sequence_from_frame_results(frames);
    seq.name = path;
    return seq;
  }
  return read_mot_txt(path, MotRole::kPrediction);
}

}  // namespace pitchtrack::eval
