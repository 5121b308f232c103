#include "pitchtrack/pipeline/annotated_video_sink.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>

namespace pitchtrack {
namespace {

// BGR colours: team 0 blue, team 1 red, referee yellow, unknown grey, ball white.
const cv::Scalar kTeam0(235, 140, 30);
const cv::Scalar kTeam1(40, 40, 230);
const cv::Scalar kReferee(0, 220, 255);
const cv::Scalar kUnknown(170, 170, 170);
const cv::Scalar kBall(255, 255, 255);
const cv::Scalar kBlack(0, 0, 0);

cv::Scalar track_colour(const Track& t) {
  if (t.role == ObjectClass::kReferee) return kReferee;
  if (t.team == 0) return kTeam0;
  if (t.team == 1) return kTeam1;
  return kUnknown;
}

cv::Point to_point(float x, float y) {
  return {static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y))};
}

// Text with a filled background box; `origin` is the baseline's left end.
void label(cv::Mat& img, const std::string& text, cv::Point origin, double scale, int thickness,
           const cv::Scalar& bg, const cv::Scalar& fg) {
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  origin.x = std::clamp(origin.x, 0, std::max(0, img.cols - size.width));
  origin.y = std::clamp(origin.y, size.height + 2, std::max(size.height + 2, img.rows - baseline));
  cv::rectangle(img, cv::Point(origin.x, origin.y - size.height - 2),
                cv::Point(origin.x + size.width + 2, origin.y + baseline), bg, cv::FILLED);
  cv::putText(img, text, cv::Point(origin.x + 1, origin.y), cv::FONT_HERSHEY_SIMPLEX, scale, fg, thickness,
              cv::LINE_AA);
}

class AnnotatedVideoSink final : public Sink {
 public:
  AnnotatedVideoSink(std::string path, AnnotatedVideoConfig config, std::unique_ptr<VideoWriter> writer)
      : path_(std::move(path)),
        config_(config),
        clock_(config.clock != nullptr ? config.clock : &steady_clock()),
        writer_(std::move(writer)) {}
  ~AnnotatedVideoSink() override { (void)close(); }

  Status write(const FrameResult& r, const Frame& frame) override {
    if (closed_) return failed_precondition("write to '" + path_ + "' after close");
    if (frame.empty()) {
      return failed_precondition("annotated video '" + path_ + "': result of frame " +
                                 std::to_string(r.frame_index) + " came without its picture");
    }
    if (!writer_) {
      VideoWriterConfig vc = config_.video;
      vc.width = frame.width() & ~1;  // 4:2:0 needs even sizes; an odd last row/column is cut
      vc.height = frame.height() & ~1;
      auto w = VideoWriter::create(path_, vc);
      if (!w.is_ok()) return w.status();
      writer_ = std::move(w).value();
    }
    std::string hud;
    if (config_.hud) hud = hud_text(r);
    Frame drawn = annotate_frame(frame, r, hud);
    const VideoWriterConfig& wc = writer_->config();
    if (drawn.width() != wc.width || drawn.height() != wc.height) drawn = resized(drawn, wc.width, wc.height);
    return writer_->write(drawn);
  }

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    return writer_ ? writer_->close() : Status::ok();
  }

 private:
  // "frame 123 | 4.92 s | 24.8 fps | 18 tracks | calib 0.82": FPS over the last 25 results.
  std::string hud_text(const FrameResult& r) {
    times_us_.push_back(clock_->now_us());
    if (times_us_.size() > 26) times_us_.pop_front();
    double fps = 0.0;
    if (times_us_.size() >= 2 && times_us_.back() > times_us_.front()) {
      fps = 1e6 * static_cast<double>(times_us_.size() - 1) /
            static_cast<double>(times_us_.back() - times_us_.front());
    }
    int confirmed = 0;
    for (const Track& t : r.tracks) confirmed += t.track_id > 0 ? 1 : 0;
    char buf[160];
    std::snprintf(buf, sizeof buf, "frame %lld | %.2f s | %.1f fps | %d tracks",
                  static_cast<long long>(r.frame_index), static_cast<double>(r.pts_us) / 1e6, fps, confirmed);
    std::string s = buf;
    if (r.homography) {
      std::snprintf(buf, sizeof buf, " | calib %.2f", r.calibration_quality);
      s += buf;
    }
    if (r.camera_cut) s += " | CUT";
    return s;
  }

  static Frame resized(const Frame& f, int width, int height) {
    MutableFrame out(width, height);
    const cv::Mat src(f.height(), f.width(), CV_8UC3, const_cast<uint8_t*>(f.data()),
                      static_cast<size_t>(f.stride_bytes()));
    cv::Mat dst(height, width, CV_8UC3, out.data(), static_cast<size_t>(out.stride_bytes()));
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_AREA);
    Frame result = std::move(out).freeze();
    result.index = f.index;
    result.pts_us = f.pts_us;
    result.arrival_us = f.arrival_us;
    return result;
  }

  std::string path_;
  AnnotatedVideoConfig config_;
  const Clock* clock_;
  std::unique_ptr<VideoWriter> writer_;
  std::deque<int64_t> times_us_;
  bool closed_ = false;
};

}  // namespace

Frame annotate_frame(const Frame& frame, const FrameResult& result, const std::string& hud) {
  if (frame.empty()) return frame;
  MutableFrame out(frame.width(), frame.height());
  cv::Mat img(frame.height(), frame.width(), CV_8UC3, out.data(), static_cast<size_t>(out.stride_bytes()));
  const cv::Mat src(frame.height(), frame.width(), CV_8UC3, const_cast<uint8_t*>(frame.data()),
                    static_cast<size_t>(frame.stride_bytes()));
  src.copyTo(img);

  // Line widths and text follow the picture size (2 px boxes and 0.5 text scale at 1080p).
  const double unit = std::max(0.5, frame.height() / 1080.0);
  const int thick = std::max(1, static_cast<int>(std::lround(2 * unit)));
  const double text_scale = std::max(0.35, 0.5 * unit);
  const int text_thick = std::max(1, static_cast<int>(std::lround(unit)));

  for (const Track& t : result.tracks) {
    if (t.state == TrackState::kRemoved) continue;
    const cv::Scalar colour = track_colour(t);
    const bool firm = t.state == TrackState::kConfirmed && t.track_id > 0;
    cv::rectangle(img, to_point(t.box_px.x1, t.box_px.y1), to_point(t.box_px.x2, t.box_px.y2), colour,
                  firm ? thick : 1, cv::LINE_AA);
    if (t.track_id <= 0) continue;
    std::string text = std::to_string(t.track_id);
    if (t.role == ObjectClass::kGoalkeeper) text += " GK";
    if (t.role == ObjectClass::kReferee) text += " REF";
    const cv::Scalar fg = t.role == ObjectClass::kReferee || !t.team ? kBlack : kBall;
    label(img, text, to_point(t.box_px.x1, t.box_px.y1 - 2), text_scale, text_thick, colour, fg);
  }
  if (result.ball) {
    const BoxXyxy& b = result.ball->box_px;
    const int radius = std::max(4, static_cast<int>(std::lround(0.5f * std::max(b.width(), b.height()))) + 3);
    const cv::Point c = to_point(b.cx(), b.cy());
    cv::circle(img, c, radius + 1, kBlack, thick + 1, cv::LINE_AA);
    cv::circle(img, c, radius, kBall, result.ball->interpolated ? 1 : thick, cv::LINE_AA);
  }
  if (!hud.empty()) label(img, hud, cv::Point(4, 4), text_scale * 1.2, text_thick, kBlack, kBall);

  Frame drawn = std::move(out).freeze();
  drawn.index = frame.index;
  drawn.pts_us = frame.pts_us;
  drawn.arrival_us = frame.arrival_us;
  return drawn;
}

Result<std::unique_ptr<Sink>> make_annotated_video_sink(const std::string& path,
                                                        const AnnotatedVideoConfig& config) {
  std::unique_ptr<VideoWriter> writer;
  if (config.video.width > 0 || config.video.height > 0) {
    auto w = VideoWriter::create(path, config.video);
    if (!w.is_ok()) return w.status();
    writer = std::move(w).value();
  } else if (path.empty()) {
    return invalid_argument("annotated video: empty output path");
  }
  return std::unique_ptr<Sink>(std::make_unique<AnnotatedVideoSink>(path, config, std::move(writer)));
}

}  // namespace pitchtrack
