// Label `data`: `pitchtrack eval` and `pitchtrack eval-detect` on the real ground truth. GT given
// as the prediction must score 100 everywhere; a broken prediction file fails with file:line.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "support/test_paths.hpp"

namespace pitchtrack {
namespace {
using testing::run_command;

constexpr const char* kSequence = "sportsmot-football-gt/sportsmot-train/v_1yHWGw8DH4A_c029";

std::string temp_path(const std::string& name) {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() / ("pitchtrack_data_eval_" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

nlohmann::json run_json(const std::string& args) {
  const auto r = run_command(testing::cli_path() + " " + args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.exit_code == 0 ? nlohmann::json::parse(r.output) : nlohmann::json();
}

TEST(DataEval, GroundTruthAsMotPredictionScoresHundred) {
  PT_REQUIRE_SHARED_DATA(seq, kSequence);
  const auto j = run_json("eval --ceiling --gt '" + seq + "' --pred '" + seq + "/gt/gt.txt'");
  ASSERT_FALSE(j.is_null());
  for (const char* key : {"HOTA", "DetA", "AssA", "LocA", "MOTA", "MOTP", "IDF1", "precision", "recall"}) {
    EXPECT_DOUBLE_EQ(j[key].get<double>(), 100.0) << key;
  }
  EXPECT_EQ(j["id_switches"], 0);
  EXPECT_EQ(j["frames"], 725);  // seqinfo.ini seqLength
  EXPECT_EQ(j["gt_boxes"], j["pred_boxes"]);
  EXPECT_DOUBLE_EQ(j["ceiling"]["HOTA"].get<double>(), 100.0);
  EXPECT_FALSE(j.contains("team_accuracy"));  // SportsMOT has no teams
}

TEST(DataEval, GroundTruthAsTracksJsonlScoresHundred) {
  PT_REQUIRE_SHARED_DATA(seq, kSequence);
  // gt.txt -> tracks.jsonl: frame - 1 (0-based source frames), id + 1 (confirmed ids are >= 1).
  std::map<int, nlohmann::json> frames;
  std::ifstream in(seq + "/gt/gt.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ss(line);
    double f, id, x, y, w, h;
    if (!(ss >> f >> id >> x >> y >> w >> h)) continue;
    auto& objects = frames[static_cast<int>(f) - 1];
    objects.push_back({{"id", static_cast<int>(id) + 1},
                       {"role", "player"},
                       {"bbox", {x, y, x + w, y + h}},
                       {"score", 1.0}});
  }
  const std::string path = temp_path("tracks.jsonl");
  {
    std::ofstream out(path);
    for (const auto& [f, objects] : frames)
      out << nlohmann::json{{"frame", f}, {"objects", objects}}.dump() << "\n";
  }
  const auto j = run_json("eval --gt '" + seq + "' --pred '" + path + "'");
  ASSERT_FALSE(j.is_null());
  EXPECT_DOUBLE_EQ(j["HOTA"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["MOTA"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["IDF1"].get<double>(), 100.0);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(DataEval, BrokenPredictionNamesFileAndLine) {
  PT_REQUIRE_SHARED_DATA(seq, kSequence);
  const std::string path = temp_path("tracks.jsonl");
  std::ofstream(path) << R"({"frame": 0, "objects": []})"
                         "\n"
                         R"({"frame": 1, "objects": {}})"
                         "\n";
  const auto r = run_command(testing::cli_path() + " eval --gt '" + seq + "' --pred '" + path + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(path + ":2: 'objects' is not an array"), std::string::npos) << r.output;
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(DataEvalDetect, LabelsAsPredictionsScoreHundred) {
  PT_REQUIRE_SHARED_DATA(data, "football-players-v1/valid");
  const std::string pred_dir = std::filesystem::path(temp_path("x")).parent_path() / "pred";
  std::filesystem::create_directories(pred_dir);
  for (const auto& e : std::filesystem::directory_iterator(data + "/labels")) {
    std::ifstream in(e.path());
    std::ofstream out(pred_dir + "/" + e.path().filename().string());
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out << line << " 1.0\n";
    }
  }
  const auto j = run_json("eval-detect --data '" + data + "' --pred '" + pred_dir + "'");
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["images"], 49);
  EXPECT_DOUBLE_EQ(j["mAP50"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["mAP50_95"].get<double>(), 100.0);
  for (const char* c : {"ball", "goalkeeper", "player", "referee"}) {
    EXPECT_DOUBLE_EQ(j["classes"][c]["AP50"].get<double>(), 100.0) << c;
    EXPECT_DOUBLE_EQ(j["classes"][c]["recall"].get<double>(), 100.0) << c;
  }
  const auto merged = run_json("eval-detect --person --data '" + data + "' --pred '" + pred_dir + "'");
  ASSERT_FALSE(merged.is_null());
  EXPECT_TRUE(merged["classes"].contains("person"));
  EXPECT_DOUBLE_EQ(merged["mAP50"].get<double>(), 100.0);
  std::filesystem::remove_all(std::filesystem::path(pred_dir).parent_path());
}

}  // namespace
}  // namespace pitchtrack
