// Loaders: MOT txt, GT folders (SportsMOT layout, synthetic files), predictions; parse errors name
// the file and the line.
#include "pitchtrack/eval/ground_truth.hpp"

#include <gtest/gtest.h>

#include "pitchtrack/io/tracks_jsonl.hpp"
#include "temp_dir.hpp"

namespace pitchtrack::eval {
namespace {

using testing::TempDir;

TEST(MotTxt, ReadsSportsMotStyleGroundTruth) {
  TempDir dir;
  const std::string path = dir.write("gt.txt",
                                     "1, 0, 690, 385, 30, 86, 1, 1, 1\n"
                                     "1, 1, 618, 230, 34, 69, 1, 1, 1\n"
                                     "\n"
                                     "3, 0, 700, 380, 30, 86, 1, 1, 0.5\n"
                                     "3, 7, 10, 10, 5, 5, 0, 1, 1\n");  // conf 0: not evaluated
  const auto seq = read_mot_txt(path, MotRole::kGroundTruth);
  ASSERT_TRUE(seq.is_ok()) << seq.status().to_string();
  ASSERT_EQ(seq->num_frames(), 3);
  ASSERT_EQ(seq->frames[0].objects.size(), 2u);
  EXPECT_EQ(seq->frames[0].objects[0].id, 0);
  EXPECT_EQ(seq->frames[0].objects[0].box_px, (BoxXyxy{690, 385, 720, 471}));
  EXPECT_TRUE(seq->frames[1].objects.empty());
  ASSERT_EQ(seq->frames[2].objects.size(), 1u);
  EXPECT_EQ(seq->num_boxes(), 3);
}

TEST(MotTxt, PredictionsKeepEveryLineAndTheScore) {
  TempDir dir;
  const std::string path =
      dir.write("pred.txt", "1 3 10 20 30 40 0.25 -1 -1 -1\n2,3.0,10,20,30,40,0,-1,-1,-1\n");
  const auto seq = read_mot_txt(path, MotRole::kPrediction);
  ASSERT_TRUE(seq.is_ok()) << seq.status().to_string();
  ASSERT_EQ(seq->num_frames(), 2);
  EXPECT_EQ(seq->frames[0].objects[0].id, 3);
  EXPECT_FLOAT_EQ(seq->frames[0].objects[0].score, 0.25f);
  EXPECT_EQ(seq->frames[1].objects.size(), 1u);  // conf 0 is kept for predictions
}

struct BadMot {
  std::string line;
  std::string message;
};

class MotTxtBadLine : public ::testing::TestWithParam<BadMot> {};

TEST_P(MotTxtBadLine, ErrorNamesFileAndLine) {
  TempDir dir;
  const std::string path = dir.write("gt.txt", "1,1,0,0,10,10,1,1,1\n" + GetParam().line + "\n");
  const auto seq = read_mot_txt(path, MotRole::kGroundTruth);
  ASSERT_FALSE(seq.is_ok());
  EXPECT_EQ(seq.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(seq.status().message().rfind(path + ":2: ", 0), 0u) << seq.status().message();
  EXPECT_NE(seq.status().message().find(GetParam().message), std::string::npos) << seq.status().message();
}

INSTANTIATE_TEST_SUITE_P(Malformed, MotTxtBadLine,
                         ::testing::Values(BadMot{"1,2,3", "expected at least 6 fields"},
                                           BadMot{"0,2,0,0,10,10,1,1,1", "frame 0 is not >= 1"},
                                           BadMot{"x,2,0,0,10,10,1,1,1", "frame 'x' is not an integer"},
                                           BadMot{"1,2.5,0,0,10,10,1,1,1", "id '2.5' is not an integer"},
                                           BadMot{"1,2,0,abc,10,10,1,1,1", "y 'abc' is not a number"},
                                           BadMot{"1,2,0,0,-10,10,1,1,1", "negative box size"},
                                           BadMot{"1,1,5,5,10,10,1,1,1",
                                                  "id 1 given twice in frame 1 (first on line 1)"}));

TEST(MotTxt, MissingFileAndDirectory) {
  TempDir dir;
  const auto missing = read_mot_txt(dir.path("nope.txt"), MotRole::kGroundTruth);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  const auto folder = read_mot_txt(dir.path(), MotRole::kPrediction);
  ASSERT_FALSE(folder.is_ok());
  EXPECT_NE(folder.status().message().find("is a directory"), std::string::npos);
}

TEST(GroundTruth, SportsMotFolderWithSeqinfo) {
  TempDir dir;
  dir.write("seq/gt/gt.txt", "1,0,0,0,10,10,1,1,1\n3,0,0,0,10,10,1,1,1\n");
  dir.write("seq/seqinfo.ini", "[Sequence]\nname=seq\nseqLength=5\nimWidth=1280\nimHeight=720\nimExt=.jpg\n");
  const auto seq = load_ground_truth(dir.path("seq"));
  ASSERT_TRUE(seq.is_ok()) << seq.status().to_string();
  EXPECT_EQ(seq->num_frames(), 5);
  EXPECT_EQ(seq->image_width, 1280);
  EXPECT_EQ(seq->image_height, 720);
  EXPECT_FALSE(seq->has_teams);
  EXPECT_FALSE(seq->has_ball);
  EXPECT_FALSE(seq->has_camera);
}

TEST(GroundTruth, SyntheticFolder) {
  TempDir dir;
  dir.write("syn/gt/gt.txt", "1,1,100,100,20,40,1,1,1\n1,2,300,100,20,40,1,1,1\n2,1,102,100,20,40,1,1,1\n");
  dir.write("syn/gt/pitch.csv",
            "frame,id,role,team,x_m,y_m,visible\n"
            "1,1,player,0,-10.5,3.25,1\n"
            "1,2,referee,-1,0,0,1\n"
            "2,1,player,0,-10.4,3.25,1\n"
            "2,9,player,1,20,1,0\n");  // no GT box: ignored
  dir.write("syn/gt/ball.csv", "1,640,360,8,8,0.5,-1.0,0.0,1\n2,,,,,1.0,-1.0,2.5,0\n");
  dir.write("syn/gt/camera.csv", "1,1,0,0,0,1,0,0,0,1\n2,nan,0,0,0,1,0,0,0,1\n");
  dir.write("syn/gt/cuts.csv", "frame,kind\n2,hard\n");
  dir.write("syn/gt/meta.json",
            R"({"width": 960, "height": 540, "frames": 4, "pitch": {"length_m": 100, "width_m": 64}})");
  const auto seq = load_ground_truth(dir.path("syn"));
  ASSERT_TRUE(seq.is_ok()) << seq.status().to_string();
  EXPECT_TRUE(seq->has_teams && seq->has_pitch && seq->has_ball && seq->has_camera);
  ASSERT_EQ(seq->num_frames(), 4);  // meta.json frames
  EXPECT_EQ(seq->image_width, 960);
  EXPECT_EQ(seq->image_height, 540);
  EXPECT_EQ(seq->pitch_length_m, 100.0);
  EXPECT_EQ(seq->pitch_width_m, 64.0);
  const EvalObject& p1 = seq->frames[0].objects[0];
  EXPECT_EQ(p1.role, ObjectClass::kPlayer);
  EXPECT_EQ(p1.team, 0);
  ASSERT_TRUE(p1.pitch_m.has_value());
  EXPECT_DOUBLE_EQ(p1.pitch_m->x_m, -10.5);
  const EvalObject& ref = seq->frames[0].objects[1];
  EXPECT_EQ(ref.role, ObjectClass::kReferee);
  EXPECT_FALSE(ref.team.has_value());
  ASSERT_TRUE(seq->frames[0].ball && seq->frames[0].ball->box_px);
  EXPECT_EQ(*seq->frames[0].ball->box_px, (BoxXyxy{640, 360, 648, 368}));  // x,y top-left
  ASSERT_TRUE(seq->frames[1].ball.has_value());
  EXPECT_FALSE(seq->frames[1].ball->box_px.has_value());  // not visible
  EXPECT_DOUBLE_EQ(*seq->frames[1].ball->z_m, 2.5);
  ASSERT_TRUE(seq->frames[0].homography.has_value());
  EXPECT_FALSE(seq->frames[1].homography.has_value());  // a nan entry: no GT homography
  EXPECT_FALSE(seq->frames[0].camera_cut);
  EXPECT_TRUE(seq->frames[1].camera_cut);
}

TEST(GroundTruth, CsvErrorsNameFileAndLine) {
  TempDir dir;
  dir.write("syn/gt/gt.txt", "1,1,100,100,20,40,1,1,1\n");
  const std::string pitch = dir.write(
      "syn/gt/pitch.csv", "frame,id,role,team,x_m,y_m,visible\n1,1,player,0,1,2,1\n1,1,player,3,1,2,1\n");
  auto seq = load_ground_truth(dir.path("syn"));
  ASSERT_FALSE(seq.is_ok());
  EXPECT_EQ(seq.status().message().rfind(pitch + ":3: team '3'", 0), 0u) << seq.status().message();

  dir.write("syn/gt/pitch.csv", "frame,id,role,team,x_m,visible\n");
  seq = load_ground_truth(dir.path("syn"));
  ASSERT_FALSE(seq.is_ok());
  EXPECT_NE(seq.status().message().find(pitch + ":1: header has no column 'y_m'"), std::string::npos)
      << seq.status().message();

  dir.write("syn/gt/pitch.csv", "1,1,player,0,1,2,1\n");
  const std::string camera = dir.write("syn/gt/camera.csv", "1,1,0,0,0,1,0,0,0\n");
  seq = load_ground_truth(dir.path("syn"));
  ASSERT_FALSE(seq.is_ok());
  EXPECT_NE(seq.status().message().find(camera + ":1: expected 10 fields, got 9"), std::string::npos)
      << seq.status().message();
}

TEST(GroundTruth, MissingGt) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("empty"));
  const auto seq = load_ground_truth(dir.path("empty"));
  ASSERT_FALSE(seq.is_ok());
  EXPECT_EQ(seq.status().code(), StatusCode::kNotFound);
  EXPECT_NE(seq.status().message().find("no gt/gt.txt"), std::string::npos);
}

TEST(Predictions, TracksJsonlFramesAreZeroBased) {
  TempDir dir;
  FrameResult f;
  f.frame_index = 0;
  Track t;
  t.track_id = 4;
  t.box_px = {1, 2, 3, 4};
  t.team = 1;
  f.tracks = {t};
  std::string content = "\n";  // a leading blank line: detection looks at the first non-blank character
  content += to_jsonl_line(f);
  content += "\n";
  const std::string jsonl = dir.write("tracks.jsonl", content);
  const auto seq = load_predictions(jsonl);
  ASSERT_TRUE(seq.is_ok()) << seq.status().to_string();
  ASSERT_EQ(seq->num_frames(), 1);  // source frame 0 = GT frame 1
  EXPECT_EQ(seq->frames[0].objects[0].id, 4);
  EXPECT_EQ(seq->frames[0].objects[0].team, 1);
  EXPECT_TRUE(seq->has_teams);

  const std::string mot = dir.write("pred.txt", "1,4,1,2,2,2,0.9,-1,-1,-1\n");
  const auto seq2 = load_predictions(mot);
  ASSERT_TRUE(seq2.is_ok()) << seq2.status().to_string();
  ASSERT_EQ(seq2->num_frames(), 1);  // MOT frame 1 = source frame 0
  EXPECT_EQ(seq2->frames[0].objects[0].box_px, (BoxXyxy{1, 2, 3, 4}));

  const std::string bad = dir.write("bad.jsonl", R"({"frame": 0, "objects": 5})"
                                                 "\n");
  const auto seq3 = load_predictions(bad);
  ASSERT_FALSE(seq3.is_ok());
  EXPECT_EQ(seq3.status().message(), bad + ":1: 'objects' is not an array");
}

}  // namespace
}  // namespace pitchtrack::eval
