#include "pitchtrack/io/source.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stop_token>
#include <thread>
#include <vector>

#include "support/silent_server.hpp"
#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::clip;

struct ClipCase {
  std::string file;
  std::string codec;
  int frames;
};

void PrintTo(const ClipCase& c, std::ostream* os) { *os << c.file; }

class SourceClips : public ::testing::TestWithParam<ClipCase> {};

TEST_P(SourceClips, DecodesEveryFrameWithMonotonicPts) {
  const ClipCase& c = GetParam();
  auto src = open_source(clip(c.file));
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  const StreamInfo& info = (*src)->info();
  EXPECT_EQ(info.codec, c.codec);
  EXPECT_EQ(info.width, 320);
  EXPECT_EQ(info.height, 240);
  EXPECT_NEAR(info.fps, 25.0, 0.01);
  EXPECT_FALSE(info.is_live);
  int n = 0;
  int64_t last_pts = -1;
  while (true) {
    auto f = (*src)->read();
    if (!f.is_ok()) {
      ASSERT_TRUE(f.status().is_end_of_stream()) << f.status().to_string();
      break;
    }
    EXPECT_EQ(f->index, n);
    EXPECT_EQ(f->width(), 320);
    EXPECT_GT(f->pts_us, last_pts);
    if (n == 0) {
      EXPECT_EQ(f->pts_us, 0);
    }
    last_pts = f->pts_us;
    ++n;
  }
  EXPECT_EQ(n, c.frames);
  EXPECT_NEAR(static_cast<double>(last_pts), (c.frames - 1) * 40000.0, 1000.0);
  // Reading past the end keeps saying end of stream.
  EXPECT_TRUE((*src)->read().status().is_end_of_stream());
}

INSTANTIATE_TEST_SUITE_P(Containers, SourceClips,
                         ::testing::Values(ClipCase{"h264.mp4", "h264", 50}, ClipCase{"h264.mov", "h264", 50},
                                           ClipCase{"hevc.mkv", "hevc", 50}, ClipCase{"vp9.mkv", "vp9", 50},
                                           ClipCase{"mpeg2.ts", "mpeg2video", 50},
                                           ClipCase{"mpeg4.avi", "mpeg4", 50}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.file;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

TEST(Source, ReportsNtscRateAndFrameCount) {
  auto src = open_source(clip("ntsc.mp4"));
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_NEAR((*src)->info().fps, 29.97, 0.01);
  EXPECT_EQ((*src)->info().frame_count, 60);
  EXPECT_NEAR((*src)->info().duration_s, 60 / 29.97, 0.01);
}

TEST(Source, DecodesRealColours) {
  // testsrc2 draws saturated colour bars: the frame must not be grey.
  auto src = open_source(clip("h264.mp4"));
  ASSERT_TRUE(src.is_ok());
  auto f = (*src)->read();
  ASSERT_TRUE(f.is_ok());
  int max_spread = 0;
  for (int x = 0; x < f->width(); x += 4) {
    const uint8_t* p = f->row(f->height() / 2) + x * 3;
    max_spread = std::max(max_spread, std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}));
  }
  EXPECT_GT(max_spread, 100);
}

void expect_error(const std::string& uri, StatusCode code, const std::string& needle) {
  auto src = open_source(uri);
  ASSERT_FALSE(src.is_ok()) << uri << " opened";
  EXPECT_EQ(src.status().code(), code) << src.status().to_string();
  EXPECT_NE(src.status().message().find(uri), std::string::npos) << src.status().to_string();
  EXPECT_NE(src.status().message().find(needle), std::string::npos) << src.status().to_string();
}

TEST(SourceBadInput, MissingFile) { expect_error(clip("nope.mp4"), StatusCode::kNotFound, "no such file"); }
TEST(SourceBadInput, EmptyFile) { expect_error(clip("empty.mp4"), StatusCode::kInvalidArgument, "empty"); }
TEST(SourceBadInput, RandomBytes) {
  expect_error(clip("garbage.mp4"), StatusCode::kInvalidArgument, "not a readable video");
}
TEST(SourceBadInput, TruncatedMp4) {
  expect_error(clip("truncated.mp4"), StatusCode::kInvalidArgument, "truncated");
}
TEST(SourceBadInput, AudioOnly) {
  expect_error(clip("audio_only.m4a"), StatusCode::kInvalidArgument, "no video stream");
}
TEST(SourceBadInput, Directory) {
  expect_error(clip("a_directory.mp4"), StatusCode::kInvalidArgument, "is a directory");
}
TEST(SourceBadInput, BadConfig) {
  SourceConfig cfg;
  cfg.hwaccel = "quantum";
  auto src = open_source(clip("h264.mp4"), cfg);
  ASSERT_FALSE(src.is_ok());
  EXPECT_NE(src.status().message().find("source.hwaccel"), std::string::npos);
  cfg = {};
  cfg.open_timeout_ms = 0;
  EXPECT_EQ(open_source(clip("h264.mp4"), cfg).status().code(), StatusCode::kInvalidArgument);
  cfg = {};
  cfg.hwaccel_max_decoders = -1;
  src = open_source(clip("h264.mp4"), cfg);
  ASSERT_FALSE(src.is_ok());
  EXPECT_NE(src.status().message().find("source.hwaccel_max_decoders"), std::string::npos);
}

using testing::SilentServer;

TEST(SourceBadInput, UnresponsiveNetworkPeerTimesOut) {
  SilentServer server;
  for (const std::string scheme : {"rtmp", "http"}) {
    const std::string uri = scheme + "://127.0.0.1:" + std::to_string(server.port()) + "/live/stream";
    SourceConfig cfg;
    cfg.open_timeout_ms = 800;
    const auto t0 = std::chrono::steady_clock::now();
    auto src = open_source(uri, cfg);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_FALSE(src.is_ok()) << uri;
    EXPECT_EQ(src.status().code(), StatusCode::kTimeout) << src.status().to_string();
    EXPECT_NE(src.status().message().find(uri), std::string::npos);
    EXPECT_LT(secs, 3.0) << uri;
  }
}

// A cancellation token in the config ends an open in progress at once, long before its timeout
// (StreamProcessor::stop() during a reconnection).
TEST(SourceBadInput, CancelledOpenReturnsPromptly) {
  SilentServer server;
  SourceConfig cfg;
  cfg.open_timeout_ms = 20000;
  cfg.read_timeout_ms = 20000;
  std::stop_source cancel;
  cfg.cancel = cancel.get_token();
  const auto t0 = std::chrono::steady_clock::now();
  auto opening = std::async(std::launch::async, [&] { return open_source(server.uri("rtmp"), cfg); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  cancel.request_stop();
  ASSERT_EQ(opening.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "open ignored the cancellation";
  auto src = opening.get();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(src.is_ok());
  EXPECT_EQ(src.status().code(), StatusCode::kCancelled) << src.status().to_string();
  EXPECT_NE(src.status().message().find(server.uri("rtmp")), std::string::npos) << src.status().message();
  EXPECT_LT(secs, 3.0) << "open ignored the cancellation";
}

TEST(SourceBadInput, RefusedNetworkPortFailsFast) {
  int port;
  {
    SilentServer s;  // grab a free port, then close it
    port = s.port();
  }
  const std::string uri = "rtmp://127.0.0.1:" + std::to_string(port) + "/live/x";
  SourceConfig cfg;
  cfg.open_timeout_ms = 2000;
  auto src = open_source(uri, cfg);
  ASSERT_FALSE(src.is_ok());
  EXPECT_NE(src.status().message().find(uri), std::string::npos);
  EXPECT_TRUE(src.status().code() == StatusCode::kUnavailable || src.status().code() == StatusCode::kTimeout)
      << src.status().to_string();
}

TEST(Source, NetworkSchemesAreLive) {
  EXPECT_TRUE(is_network_uri("rtmp://127.0.0.1/live/a"));
  EXPECT_TRUE(is_network_uri("SRT://127.0.0.1:9000"));
  EXPECT_TRUE(is_network_uri("https://example.invalid/a.m3u8"));
  EXPECT_FALSE(is_network_uri("/tmp/a.mp4"));
  EXPECT_FALSE(is_network_uri("file:///tmp/a.mp4"));
}

TEST(Source, CudaHwaccelFallsBackToCpu) {
  SourceConfig cfg;
  cfg.hwaccel = "cuda";
  auto src = open_source(clip("h264.mp4"), cfg);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  auto f = (*src)->read();
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  EXPECT_EQ(f->width(), 320);
}

// hwaccel_max_decoders: with a cap of 1, exactly one of three sources decodes on NVDEC where a
// CUDA device is (none without), and all three decode; a place given back is taken by the next
// source. (On a machine without CUDA this checks only the fallback.)
TEST(Source, CudaDecoderCapSendsTheRestToTheCpu) {
  SourceConfig cfg;
  cfg.hwaccel = "cuda";
  bool have_cuda = false;
  {
    auto probe = open_source(clip("h264.mp4"), cfg);  // no cap
    ASSERT_TRUE(probe.is_ok()) << probe.status().to_string();
    have_cuda = (*probe)->info().hwaccel == "cuda";
  }
  cfg.hwaccel_max_decoders = 1;
  std::vector<std::unique_ptr<Source>> sources;
  int on_gpu = 0;
  for (int i = 0; i < 3; ++i) {
    auto src = open_source(clip("h264.mp4"), cfg);
    ASSERT_TRUE(src.is_ok()) << src.status().to_string();
    on_gpu += (*src)->info().hwaccel == "cuda" ? 1 : 0;
    auto f = (*src)->read();
    ASSERT_TRUE(f.is_ok()) << f.status().to_string();
    EXPECT_EQ(f->width(), 320);
    sources.push_back(std::move(src).value());
  }
  EXPECT_EQ(on_gpu, have_cuda ? 1 : 0);
  EXPECT_EQ(sources[0]->info().hwaccel == "cuda", have_cuda);  // the first one took the place
  sources.erase(sources.begin());
  auto next = open_source(clip("h264.mp4"), cfg);
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  EXPECT_EQ((*next)->info().hwaccel == "cuda", have_cuda);
}

}  // namespace
}  // namespace pitchtrack
