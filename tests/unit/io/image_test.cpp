#include "pitchtrack/io/image.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
namespace fs = std::filesystem;

fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("pt_image_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

Frame pattern(int w, int h) {
  MutableFrame m(w, h);
  for (int y = 0; y < h; ++y) {
    uint8_t* r = m.row(y);
    for (int x = 0; x < w; ++x) {
      r[3 * x] = static_cast<uint8_t>(x * 7 + y);
      r[3 * x + 1] = static_cast<uint8_t>(y * 3);
      r[3 * x + 2] = static_cast<uint8_t>(255 - x);
    }
  }
  return std::move(m).freeze();
}

TEST(Image, PngRoundTripIsExact) {
  const Frame f = pattern(64, 36);
  const std::string path = (temp_dir() / "a.png").string();
  ASSERT_TRUE(write_png(path, f).is_ok());
  auto back = read_image(path);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_EQ(back->width(), 64);
  ASSERT_EQ(back->height(), 36);
  for (int y = 0; y < 36; ++y) {
    ASSERT_EQ(std::memcmp(back->row(y), f.row(y), 64 * 3), 0) << "row " << y;
  }
}

TEST(Image, JpegReadsWithItsColourRange) {
  // A full-range (yuvj420p, BT.601) JPEG of flat colour patches, made by the ffmpeg CLI from a
  // PNG, decodes back to the PNG's BGR within JPEG's error. Decoding it as limited range would
  // shift the colours by 10+ levels.
  MutableFrame m(64, 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      uint8_t* p = m.row(y) + 3 * x;
      p[0] = x < 32 ? 30 : 200;
      p[1] = y < 32 ? 180 : 60;
      p[2] = 120;
    }
  const Frame f = std::move(m).freeze();
  const std::string png = (temp_dir() / "b.png").string();
  const std::string jpg = (temp_dir() / "b.jpg").string();
  ASSERT_TRUE(write_png(png, f).is_ok());
  const auto r =
      testing::run_command("ffmpeg -nostdin -y -loglevel error -i '" + png + "' -q:v 2 '" + jpg + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto back = read_image(jpg);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  for (int y : {8, 48})
    for (int x : {8, 48})
      for (int ch = 0; ch < 3; ++ch)
        EXPECT_NEAR(back->row(y)[3 * x + ch], f.row(y)[3 * x + ch], 6) << x << "," << y << " ch " << ch;
}

TEST(Image, BadInputsAreClearErrors) {
  auto missing = read_image("/nonexistent/x.jpg");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/x.jpg"), std::string::npos);

  const std::string text = (temp_dir() / "not_an_image.jpg").string();
  std::ofstream(text) << "hello";
  auto bad = read_image(text);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("not_an_image.jpg"), std::string::npos) << bad.status().to_string();

  const Status s = write_png("/nonexistent/dir/a.png", pattern(8, 8));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("/nonexistent/dir/a.png"), std::string::npos) << s.to_string();
  EXPECT_FALSE(write_png((temp_dir() / "e.png").string(), Frame{}).is_ok());
}

}  // namespace
}  // namespace pitchtrack
