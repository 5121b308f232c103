#include "pitchtrack/io/video_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "pitchtrack/io/source.hpp"

namespace pitchtrack {
namespace {
namespace fs = std::filesystem;

// A per-test scratch directory, removed at the end.
class VideoWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pitchtrack_video_writer_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

// Left half red, right half blue, and a green square that moves 4 px per frame.
Frame make_frame(int width, int height, int i) {
  MutableFrame m(width, height);
  for (int y = 0; y < height; ++y) {
    uint8_t* row = m.row(y);
    for (int x = 0; x < width; ++x) {
      const bool square = x >= 8 + 4 * i && x < 40 + 4 * i && y >= 100 && y < 132;
      uint8_t b = x < width / 2 ? 30 : 200, g = 30, r = x < width / 2 ? 200 : 30;
      if (square) b = 30, g = 200, r = 30;
      row[3 * x] = b;
      row[3 * x + 1] = g;
      row[3 * x + 2] = r;
    }
  }
  return std::move(m).freeze();
}

void expect_bgr_near(const Frame& f, int x, int y, int b, int g, int r, int tol) {
  const uint8_t* p = f.row(y) + 3 * x;
  EXPECT_NEAR(p[0], b, tol) << "blue at " << x << "," << y;
  EXPECT_NEAR(p[1], g, tol) << "green at " << x << "," << y;
  EXPECT_NEAR(p[2], r, tol) << "red at " << x << "," << y;
}

TEST_F(VideoWriterTest, WritesFramesThatSourceReadsBack) {
  const std::string path = (dir_ / "out.mp4").string();
  VideoWriterConfig cfg{.width = 320, .height = 240, .fps = 25.0};
  cfg.crf = 18;
  auto writer = VideoWriter::create(path, cfg);
  ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE((*writer)->write(make_frame(320, 240, i)).is_ok());
  EXPECT_EQ((*writer)->frames_written(), 30);
  ASSERT_TRUE((*writer)->close().is_ok());
  EXPECT_TRUE((*writer)->close().is_ok());  // idempotent

  auto src = open_source(path);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ((*src)->info().codec, "h264");
  EXPECT_EQ((*src)->info().width, 320);
  EXPECT_EQ((*src)->info().height, 240);
  EXPECT_NEAR((*src)->info().fps, 25.0, 0.01);
  int n = 0;
  while (true) {
    auto f = (*src)->read();
    if (!f.is_ok()) {
      ASSERT_TRUE(f.status().is_end_of_stream()) << f.status().to_string();
      break;
    }
    EXPECT_NEAR(static_cast<double>(f->pts_us), n * 40000.0, 1000.0);
    if (n == 0 || n == 29) {
      expect_bgr_near(*f, 80, 40, 30, 30, 200, 12);           // red half
      expect_bgr_near(*f, 240, 200, 200, 30, 30, 12);         // blue half
      expect_bgr_near(*f, 24 + 4 * n, 116, 30, 200, 30, 16);  // the moving square's centre
    }
    ++n;
  }
  EXPECT_EQ(n, 30);
}

TEST_F(VideoWriterTest, DestructorFinalisesTheFile) {
  const std::string path = (dir_ / "dtor.mkv").string();
  {
    auto writer = VideoWriter::create(path, {.width = 64, .height = 48, .fps = 10.0});
    ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*writer)->write(make_frame(64, 48, 0)).is_ok());
  }
  auto src = open_source(path);
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  int n = 0;
  while ((*src)->read().is_ok()) ++n;
  EXPECT_EQ(n, 5);
}

TEST_F(VideoWriterTest, MissingDirectoryIsAClearError) {
  const std::string path = (dir_ / "no_such_dir" / "out.mp4").string();
  auto writer = VideoWriter::create(path, {.width = 64, .height = 48});
  ASSERT_FALSE(writer.is_ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kNotFound);
  EXPECT_NE(writer.status().message().find(path), std::string::npos) << writer.status().to_string();
}

TEST_F(VideoWriterTest, BadConfigurationsAreRejected) {
  const std::string path = (dir_ / "bad.mp4").string();
  auto odd = VideoWriter::create(path, {.width = 65, .height = 48});
  ASSERT_FALSE(odd.is_ok());
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(odd.status().message().find("even"), std::string::npos) << odd.status().to_string();

  auto no_size = VideoWriter::create(path, {});
  EXPECT_EQ(no_size.status().code(), StatusCode::kInvalidArgument);

  VideoWriterConfig codec{.width = 64, .height = 48};
  codec.codec = "no_such_encoder";
  auto no_codec = VideoWriter::create(path, codec);
  EXPECT_EQ(no_codec.status().code(), StatusCode::kUnsupported) << no_codec.status().to_string();

  VideoWriterConfig preset{.width = 64, .height = 48};
  preset.preset = "warpspeed";
  auto no_preset = VideoWriter::create(path, preset);
  EXPECT_EQ(no_preset.status().code(), StatusCode::kInvalidArgument) << no_preset.status().to_string();
  EXPECT_NE(no_preset.status().message().find("warpspeed"), std::string::npos);

  auto bad_ext = VideoWriter::create((dir_ / "out.notavideoformat").string(), {.width = 64, .height = 48});
  EXPECT_EQ(bad_ext.status().code(), StatusCode::kInvalidArgument) << bad_ext.status().to_string();

  auto dir = VideoWriter::create(dir_.string(), {.width = 64, .height = 48});
  EXPECT_FALSE(dir.is_ok());
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(VideoWriterTest, WrongFrameSizeAndWriteAfterCloseFail) {
  auto writer = VideoWriter::create((dir_ / "w.mp4").string(), {.width = 64, .height = 48});
  ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
  EXPECT_EQ((*writer)->write(make_frame(32, 48, 0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->write(Frame()).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->write(make_frame(64, 48, 0)).is_ok());
  ASSERT_TRUE((*writer)->close().is_ok());
  EXPECT_EQ((*writer)->write(make_frame(64, 48, 0)).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace pitchtrack
