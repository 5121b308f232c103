#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "detect/centernet_model.hpp"
#include "detect/cv_frame.hpp"
#include "pitchtrack/detect/registry.hpp"

namespace pitchtrack {
namespace {
namespace fs = std::filesystem;

const std::string kModel = default_models_dir() + "/football_det.onnx";

// Copies the shipped model's sidecar next to `path`, optionally edited.
void write_sidecar(const std::string& model_path, const std::string& from, const std::string& to) {
  std::ifstream in(fs::path(kModel).replace_extension(".json"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!from.empty()) text.replace(text.find(from), from.size(), to);
  std::ofstream(fs::path(model_path).replace_extension(".json")) << text;
}

DetectorConfig onnx_at(const std::string& path) {
  DetectorConfig c;
  c.backend = "onnx";
  c.model_path = path;
  return c;
}

// The detector's own blob writer gives exactly blobFromImages' numbers (it only adds threads),
// for one and for several images, with a reused output.
TEST(OnnxDetector, BlobFromImagesMatchesOpenCvBitForBit) {
  cv::RNG rng(7);
  std::vector<cv::Mat> images(3);
  for (cv::Mat& m : images) {
    m.create(37, 53, CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
  }
  cv::Mat mine;
  for (const size_t n : {size_t{1}, size_t{3}, size_t{2}}) {
    const std::vector<cv::Mat> batch(images.begin(), images.begin() + static_cast<ptrdiff_t>(n));
    const cv::Mat want = cv::dnn::blobFromImages(batch, 1.0 / 255.0, cv::Size(), cv::Scalar(), false, false);
    detect::blob_from_images(batch, 1.0f / 255.0f, mine);
    ASSERT_EQ(mine.dims, 4);
    ASSERT_EQ(mine.type(), CV_32F);
    for (int d = 0; d < 4; ++d) ASSERT_EQ(mine.size[d], want.size[d]) << "n " << n << " dim " << d;
    EXPECT_EQ(std::memcmp(mine.ptr<float>(), want.ptr<float>(), want.total() * sizeof(float)), 0)
        << "n " << n;
  }
}

TEST(OnnxDetector, ShippedModelRunsBatched) {
  auto det = create_detector(onnx_at(""));
  ASSERT_TRUE(det.is_ok()) << det.status().to_string();
  EXPECT_EQ((*det)->caps().input_width, 1312);
  EXPECT_EQ((*det)->caps().input_height, 736);
  MutableFrame m(1280, 720);
  for (int y = 0; y < 720; ++y) std::fill(m.row(y), m.row(y) + 1280 * 3, static_cast<uint8_t>(y % 200));
  const Frame f = std::move(m).freeze();
  std::vector<Frame> batch(3, f);
  auto out = (*det)->detect(batch);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0].size(), (*out)[2].size());  // same frame, same answer in every batch slot
}

TEST(OnnxDetector, TruncatedModelIsAClearError) {
  const std::string path = (fs::temp_directory_path() / "pt_truncated.onnx").string();
  {
    std::ifstream in(kModel, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  write_sidecar(path, "", "");
  auto det = create_detector(onnx_at(path));
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(path), std::string::npos) << det.status().to_string();
}

TEST(OnnxDetector, MissingOrWrongSidecarIsAClearError) {
  const std::string path = (fs::temp_directory_path() / "pt_nosidecar.onnx").string();
  fs::copy_file(kModel, path, fs::copy_options::overwrite_existing);
  fs::remove(fs::path(path).replace_extension(".json"));
  auto det = create_detector(onnx_at(path));
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find(".json"), std::string::npos);
  write_sidecar(path, "\"referee\"\n", "\"linesman\"\n");
  det = create_detector(onnx_at(path));
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find("linesman"), std::string::npos) << det.status().to_string();
}

// Thresholds follow the input size: the sidecar's top level holds the default size's, and an
// operating point another size's; a size without one keeps the default's.
TEST(OnnxDetector, SidecarOperatingPointsGiveThatSizesThresholds) {
  const std::string path = (fs::temp_directory_path() / "pt_operating_points.onnx").string();
  const std::string classes = R"("classes": ["ball", "goalkeeper", "player", "referee"])";
  std::ofstream(fs::path(path).replace_extension(".json"))
      << R"({"input_width": 1312, "input_height": 736, )" << classes
      << R"(, "recommended_thresholds": {"ball": 0.25, "goalkeeper": 0.3, "player": 0.35, "referee": 0.4},
  "operating_points": [{"input_width": 1152, "input_height": 672,
                        "recommended_thresholds": {"ball": 0.45, "player": 0.5}}]})";
  DetectorConfig c = onnx_at(path);
  // The sidecar's meta with the config asking for width x height (0: the model's size).
  const auto meta_at = [&c](int width, int height) {
    c.input_width = width;
    c.input_height = height;
    return detect::load_centernet_meta(c);
  };
  auto meta = meta_at(0, 0);
  ASSERT_TRUE(meta.is_ok()) << meta.status().to_string();
  EXPECT_EQ(meta->input_width, 1312);
  EXPECT_FLOAT_EQ(meta->thresholds[0], 0.25f);
  EXPECT_FLOAT_EQ(meta->thresholds[2], 0.35f);
  meta = meta_at(1152, 672);
  ASSERT_TRUE(meta.is_ok()) << meta.status().to_string();
  EXPECT_FLOAT_EQ(meta->thresholds[0], 0.45f);
  EXPECT_FLOAT_EQ(meta->thresholds[1], 0.3f);  // not given for this size: the default's
  EXPECT_FLOAT_EQ(meta->thresholds[2], 0.5f);
  EXPECT_FLOAT_EQ(meta->thresholds[3], 0.4f);
  meta = meta_at(1280, 736);
  ASSERT_TRUE(meta.is_ok()) << meta.status().to_string();
  EXPECT_FLOAT_EQ(meta->thresholds[0], 0.25f);
  // The config's own thresholds still win over the operating point's.
  c.thresholds[0] = 0.1f;
  EXPECT_FLOAT_EQ(detect::effective_thresholds(*meta_at(1152, 672), c)[0], 0.1f);

  std::ofstream(fs::path(path).replace_extension(".json"))
      << R"({"input_width": 1312, "input_height": 736, )" << classes
      << R"(, "operating_points": [{"input_width": 1000, "input_height": 672}]})";
  meta = detect::load_centernet_meta(onnx_at(path));
  ASSERT_FALSE(meta.is_ok());
  EXPECT_NE(meta.status().message().find("operating point 1000x672"), std::string::npos)
      << meta.status().to_string();
  EXPECT_NE(meta.status().message().find("pt_operating_points.json"), std::string::npos);
}

TEST(OnnxDetector, WrongInputShapeIsAClearError) {
  DetectorConfig c = onnx_at("");
  c.input_width = 1000;  // not a multiple of 32
  auto det = create_detector(c);
  ASSERT_FALSE(det.is_ok());
  EXPECT_NE(det.status().message().find("multiples of 32"), std::string::npos);
}

TEST(OnnxDetector, EmptyFrameIsAClearError) {
  auto det = create_detector(onnx_at(""));
  ASSERT_TRUE(det.is_ok());
  const Frame empty;
  auto out = (*det)->detect(std::span<const Frame>(&empty, 1));
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("empty"), std::string::npos);
}

}  // namespace
}  // namespace pitchtrack
