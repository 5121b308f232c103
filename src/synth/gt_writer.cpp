#include "synth/gt_writer.hpp"

#include <cstdio>
#include <filesystem>
#include <system_error>

namespace pitchtrack::synth {
namespace {

template <typename... Args>
void append(std::string& out, const char* fmt, Args... args) {
  char buf[512];
  const int n = std::snprintf(buf, sizeof(buf), fmt, args...);
  if (n > 0) out.append(buf, static_cast<size_t>(std::min<int>(n, sizeof(buf) - 1)));
}

}  // namespace

Status GroundTruthWriter::open(const std::string& dir) {
  dir_ = dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return invalid_argument("create '" + dir + "': " + ec.message());
  auto open_one = [&](std::ofstream& f, const char* name, const char* header) -> Status {
    const std::string path = dir + "/" + name;
    f.open(path, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!f) return invalid_argument("open '" + path + "' for writing failed");
    if (header != nullptr) f << header << '\n';
    return Status::ok();
  };
  PT_RETURN_IF_ERROR(open_one(gt_, "gt.txt", nullptr));
  PT_RETURN_IF_ERROR(open_one(pitch_, "pitch.csv", "frame,id,role,team,x_m,y_m,visible"));
  PT_RETURN_IF_ERROR(open_one(ball_, "ball.csv", "frame,x_px,y_px,w_px,h_px,x_m,y_m,z_m,visible"));
  PT_RETURN_IF_ERROR(open_one(camera_, "camera.csv", "frame,h00,h01,h02,h10,h11,h12,h20,h21,h22"));
  PT_RETURN_IF_ERROR(open_one(cuts_file_, "cuts.csv", "frame,kind"));
  return Status::ok();
}

void GroundTruthWriter::write(int64_t frame, const MatchSim& sim, const Camera& cam, const Shot& shot,
                              const FrameTruth& truth) {
  const long long f = frame;
  const auto& people = sim.people();
  line_.clear();
  for (size_t i = 0; i < people.size(); ++i) {
    const ObjectTruth& t = truth.people[i];
    if (!t.in_image) continue;
    append(line_, "%lld,%d,%.2f,%.2f,%.2f,%.2f,1,1,%.3f\n", f, people[i].id, t.box.x1, t.box.y1,
           t.box.x2 - t.box.x1, t.box.y2 - t.box.y1, t.visibility);
  }
  gt_ << line_;
  line_.clear();
  for (size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const ObjectTruth& t = truth.people[i];
    append(line_, "%lld,%d,%s,%d,%.4f,%.4f,%d\n", f, p.id, role_name(p.role), p.team, p.pos.x(), p.pos.y(),
           (t.in_image && t.visibility > 0.0) ? 1 : 0);
  }
  pitch_ << line_;
  line_.clear();
  const BallView b = sim.ball();
  const ObjectTruth& bt = truth.ball;
  if (bt.in_image && bt.visibility >= kBallVisibleFraction) {
    append(line_, "%lld,%.2f,%.2f,%.2f,%.2f,%.4f,%.4f,%.4f,1\n", f, bt.box.x1, bt.box.y1,
           bt.box.x2 - bt.box.x1, bt.box.y2 - bt.box.y1, b.pos.x(), b.pos.y(), b.z_m);
  } else {
    append(line_, "%lld,,,,,%.4f,%.4f,%.4f,0\n", f, b.pos.x(), b.pos.y(), b.z_m);
  }
  ball_ << line_;
  line_.clear();
  const Mat3 h = cam.image_to_pitch();
  append(line_, "%lld,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", f, h(0, 0), h(0, 1), h(0, 2),
         h(1, 0), h(1, 1), h(1, 2), h(2, 0), h(2, 1), h(2, 2));
  camera_ << line_;
  if (shot.cut) {
    cuts_file_ << f << ',' << shot_name(shot.kind) << '\n';
    ++cuts_;
  }
}

Status GroundTruthWriter::close() {
  for (std::ofstream* f : {&gt_, &pitch_, &ball_, &camera_, &cuts_file_}) {
    if (!f->is_open()) continue;
    f->flush();
    const bool ok = static_cast<bool>(*f);
    f->close();
    if (!ok) return data_loss("write ground truth in '" + dir_ + "' failed (disk full?)");
  }
  return Status::ok();
}

}  // namespace pitchtrack::synth
