// Tests of the CS20 Huber regression: the losses by hand, training against the reference
// numbers of ../shared/data/README.md (two independent implementations), a float64 closed-form
// fit computed here from the raw file, the kiln-huber command line, the synthetic fallback, and
// resuming from checkpoints.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "huber/birth_life_data.h"
#include "huber/cli.h"
#include "huber/compiled_train.h"
#include "huber/fit_plot.h"
#include "huber/huber_model.h"
#include "huber/train.h"
#include "kiln/checkpoint.h"
#include "kiln/data/csv.h"

namespace huber {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The shared data file, from $KILN_SOURCE_DIR (set by CTest) or the build's source tree.
std::string real_data_path() {
  const char* env = std::getenv("KILN_SOURCE_DIR");
  std::string root = env != nullptr && *env != '\0' ? env : KILN_SOURCE_DIR;
  return (fs::path(root) / ".." / "shared" / "data" / kDataFileName).lexically_normal().string();
}

std::string missing(const std::string& path) {
  return "the shared data file " + path + " is missing; the reference tests need it";
}

void expect_relative(double got, double want, double tolerance, const char* what) {
  EXPECT_LE(std::abs(got - want), tolerance * std::abs(want))
      << what << " = " << got << ", want " << want << " within " << tolerance << " relative";
}

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "huber_test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name, const std::string& text = "") const {
    std::string p = (fs::path(path_) / name).string();
    if (!text.empty()) std::ofstream(p) << text;
    return p;
  }

 private:
  std::string path_;
};

// Sets an environment variable for one scope, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { had_ ? ::setenv(name_, old_.c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

struct CliRun {
  int code;
  std::string out, err;
};

CliRun run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> storage = {"kiln-huber"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  int code = run_huber_cli(static_cast<int>(storage.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// --- losses and the model -------------------------------------------------------------------

TEST(HuberModel, Cs20LossByHand) {
  kiln::Tensor y = kiln::constant({0.5f, 3.f, -3.f, 1.f});
  kiln::Tensor zero = kiln::zeros({4});
  // t² inside |t| <= m; m (2|t| - m) outside; continuous at |t| = m.
  EXPECT_EQ(cs20_huber_loss(y, zero).to_vector<double>(), (std::vector<double>{0.25, 5, 5, 1}));
  EXPECT_EQ(cs20_huber_loss(y, zero, /*m=*/2).to_vector<double>(),
            (std::vector<double>{0.25, 8, 8, 1}));
  // Kiln's standard Huber loss is half of it.
  EXPECT_EQ(kiln::huber_loss(y, zero).to_vector<double>(),
            (std::vector<double>{0.125, 2.5, 2.5, 0.5}));
}

TEST(HuberModel, StartsAtZeroAndGradientsAreTheLecturesByHand) {
  HuberRegression model;
  EXPECT_EQ(model.w.name(), "huber/w");
  EXPECT_EQ(model.b.name(), "huber/b");
  EXPECT_EQ(model.w.value().item(), 0.0);
  EXPECT_EQ(model.b.value().item(), 0.0);
  // x = 2, y = 3: t = 3 > m = 1, loss = 2|t| - 1 = 5, d/dŷ = -2 sign(t), so dw = -4, db = -2.
  kiln::GradientTape tape;
  kiln::Tensor loss = model.loss(kiln::constant(2.f), kiln::constant(3.f));
  auto grads = tape.gradient(loss, model.variables());
  EXPECT_EQ(loss.item(), 5.0);
  EXPECT_EQ(grads[0].item(), -4.0);
  EXPECT_EQ(grads[1].item(), -2.0);
}

TEST(HuberModel, EachLossKind) {
  kiln::Tensor x = kiln::constant(2.f), y = kiln::constant(3.f);  // t = 3
  EXPECT_EQ(HuberRegression(LossKind::kCs20Huber).loss(x, y).item(), 5.0);
  EXPECT_EQ(HuberRegression(LossKind::kHuber, /*delta=*/2).loss(x, y).item(), 4.0);
  EXPECT_EQ(HuberRegression(LossKind::kSquared).loss(x, y).item(), 9.0);
}

TEST(HuberModel, LossNamesRoundTrip) {
  for (std::string_view name : loss_kind_names())
    EXPECT_EQ(loss_kind_name(*parse_loss_kind(name)), name);
  EXPECT_EQ(parse_loss_kind("cs20-huber"), LossKind::kCs20Huber);
  EXPECT_FALSE(parse_loss_kind("Huber").has_value());
}

// --- training against the reference numbers -------------------------------------------------

TEST(HuberTrain, DefaultsReproduceTheCs20EagerExample) {
  std::string path = real_data_path();
  if (!fs::is_regular_file(path)) GTEST_SKIP() << missing(path);
  TrainOptions options;
  options.data_path = path;
  std::ostringstream log;
  options.log = &log;
  TrainResult r = train(options);
  expect_relative(r.w, -6.27074, 1e-4, "w");
  expect_relative(r.b, 85.6266, 1e-4, "b");
  ASSERT_EQ(r.epoch_loss.size(), 100u);
  const double want[] = {106.169, 53.648, 42.587, 31.845, 21.576,
                         12.380,  8.386,  7.563,  7.399,  7.383};
  for (int k = 0; k < 10; ++k)
    expect_relative(r.epoch_loss[static_cast<size_t>(10 * k)], want[k], 1e-4, "epoch loss");
  EXPECT_EQ(r.data.size(), 190);
  EXPECT_THAT(log.str(), HasSubstr("Epoch 0: 106.169"));
  EXPECT_THAT(log.str(), HasSubstr("Epoch 90: 7.38"));
  EXPECT_EQ(count(log.str(), "Epoch "), 10u);
  EXPECT_THAT(log.str(), HasSubstr("w = -6.2707"));
}

TEST(HuberTrain, SquaredLossAtLr0001) {
  std::string path = real_data_path();
  if (!fs::is_regular_file(path)) GTEST_SKIP() << missing(path);
  TrainOptions options;
  options.data_path = path;
  options.loss = LossKind::kSquared;
  options.learning_rate = 0.001;
  TrainResult r = train(options);
  expect_relative(r.w, -6.07021, 1e-4, "w");
  expect_relative(r.b, 84.9295, 1e-4, "b");
}

// Normal equations in float64, from the file read line by line here (not by kiln::data).
struct Fit {
  double w, b;
};
Fit closed_form_from_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string country, birth, life;
    std::getline(fields, country, '\t');
    std::getline(fields, birth, '\t');
    std::getline(fields, life, '\t');
    double x = std::stod(birth), y = std::stod(life);
    n += 1, sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  // [sxx sx; sx n] [w; b] = [sxy; sy] by Cramer's rule.
  double det = sxx * n - sx * sx;
  return {(sxy * n - sx * sy) / det, (sxx * sy - sx * sxy) / det};
}

TEST(HuberTrain, ClosedFormLeastSquaresAndALongSquaredRunApproachesIt) {
  std::string path = real_data_path();
  if (!fs::is_regular_file(path)) GTEST_SKIP() << missing(path);
  Fit exact = closed_form_from_file(path);
  expect_relative(exact.w, -5.71882, 1e-5, "closed-form w");
  expect_relative(exact.b, 85.7135, 1e-5, "closed-form b");
  RegressionData data = read_birth_life_data(path);
  LineFit ls = least_squares_fit(data);  // the plot's line, from the float32 data
  expect_relative(ls.w, exact.w, 1e-5, "least_squares_fit w");
  expect_relative(ls.b, exact.b, 1e-5, "least_squares_fit b");

  // Per-example SGD in a fixed order settles on a cycle whose offset from the least-squares
  // solution shrinks with the learning rate: lr 0.001 stops about 0.35 away in w.
  TrainOptions options;
  options.loss = LossKind::kSquared;
  options.learning_rate = 0.001;
  TrainResult coarse = train(data, options);
  options.learning_rate = 0.0002;
  options.epochs = 500;
  TrainResult fine = train(data, options);
  EXPECT_LT(std::abs(fine.w - exact.w), 0.4 * std::abs(coarse.w - exact.w));
  EXPECT_LT(std::abs(fine.b - exact.b), 0.1 * std::abs(coarse.b - exact.b));
  EXPECT_NEAR(fine.w, exact.w, 0.15);  // 2.6%; float64 SGD in Python ends 0.114 away
  EXPECT_NEAR(fine.b, exact.b, 0.08);
}

TEST(HuberTrain, RejectsOptionsOutOfRange) {
  RegressionData data = synthetic_birth_life_data(10);
  TrainOptions options;
  options.learning_rate = -1;
  EXPECT_THROW(train(data, options), std::invalid_argument);
  options = {};
  options.epochs = 0;
  EXPECT_THROW(train(data, options), std::invalid_argument);
}

// --- data -----------------------------------------------------------------------------------

TEST(HuberData, MalformedFilesNameFileAndLine) {
  TempDir dir;
  std::string bad =
      dir.file("bad.txt", "Country\tBirth rate\tLife expectancy\nA\t1.5\t70\nB\tlots\t60\n");
  try {
    read_birth_life_data(bad);
    ADD_FAILURE() << "no error for " << bad;
  } catch (const kiln::data::DataError& e) {
    EXPECT_THAT(e.detail(), HasSubstr("bad.txt:3"));
    EXPECT_EQ(e.data_line(), 3);
  }
  std::string nan = dir.file("nan.txt", "Country\tBirth rate\tLife expectancy\nA\t1.5\tnan\n");
  try {
    read_birth_life_data(nan);
    ADD_FAILURE() << "no error for " << nan;
  } catch (const kiln::data::DataError& e) {
    EXPECT_THAT(e.detail(), HasSubstr("nan.txt:2"));
    EXPECT_THAT(e.detail(), HasSubstr("Life expectancy"));
  }
  std::string empty = dir.file("empty.txt", "Country\tBirth rate\tLife expectancy\n");
  EXPECT_THROW(read_birth_life_data(empty), kiln::data::DataError);
}

TEST(HuberData, SyntheticPointsLookLikeTheRealOnesAndRepeat) {
  RegressionData a = synthetic_birth_life_data(), b = synthetic_birth_life_data();
  EXPECT_TRUE(a.synthetic);
  EXPECT_EQ(a.source, "synthetic");
  ASSERT_EQ(a.size(), 190);
  EXPECT_EQ(a.x.to_vector<float>(), b.x.to_vector<float>());
  EXPECT_EQ(a.y.to_vector<float>(), b.y.to_vector<float>());
  for (float x : a.x.to_vector<float>()) {
    EXPECT_GE(x, 1.f);
    EXPECT_LT(x, 7.f);
  }
  // The generating line y = 85.7 - 5.7 x, recovered within sampling error (σ = 5.5, n = 190).
  LineFit fit = least_squares_fit(a);
  EXPECT_NEAR(fit.w, -5.7, 1.0);
  EXPECT_NEAR(fit.b, 85.7, 4.0);
}

TEST(HuberData, KilnDataDirIsSearchedAloneWhenSet) {
  TempDir dir;
  {
    ScopedEnv env("KILN_DATA_DIR", dir.path());
    DataLookup lookup = find_birth_life_data();
    EXPECT_FALSE(lookup.path.has_value());
    EXPECT_EQ(lookup.searched, std::vector<std::string>{fs::path(dir.path()).string()});
  }
  dir.file(kDataFileName, "Country\tBirth rate\tLife expectancy\nA\t2\t70\n");
  ScopedEnv env("KILN_DATA_DIR", dir.path());
  EXPECT_EQ(find_birth_life_data().path, (fs::path(dir.path()) / kDataFileName).string());
}

// --- the command line -----------------------------------------------------------------------

TEST(HuberCli, HelpListsTheFlags) {
  CliRun r = run_cli({"--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* flag : {"--data", "--loss", "--delta", "--lr", "--epochs", "--plot", "--json",
                           "--mode", "--dump-ir-dir", "--checkpoint", "--restore"})
    EXPECT_THAT(r.out, HasSubstr(flag));
}

TEST(HuberCli, UsageErrorsExitWithTwoAndSayWhy) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--bogus"}, "--bogus"},
      {{"--lr", "-1"}, "--lr"},
      {{"--lr=-1"}, "positive number, got '-1'"},
      {{"--lr", "fast"}, "got 'fast'"},
      {{"--epochs", "0"}, "--epochs"},
      {{"--epochs", "2.5"}, "whole number"},
      {{"--loss", "foo"}, "'foo' is not a loss; choose one of cs20-huber, huber, squared"},
      {{"--delta", "0"}, "--delta"},
      {{"--loss", "squared", "--delta", "2"}, "not squared"},
      {{"--data"}, "--data"},
      {{"--mode", "jit"}, "--mode"},
      {{"--dump-ir-dir", "/tmp/x"}, "applies to --mode compiled"},
  };
  for (const Case& c : cases) {
    CliRun r = run_cli(c.args);
    EXPECT_EQ(r.code, kExitUsage) << c.args[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.args[0];
    EXPECT_EQ(r.out, "") << c.args[0];
  }
}

TEST(HuberCli, BadDataExitsWithOneAndNamesFileAndLine) {
  TempDir dir;
  CliRun missing = run_cli({"--data", dir.path() + "/nothing.txt"});
  EXPECT_EQ(missing.code, kExitBadInput);
  EXPECT_THAT(missing.err, HasSubstr("nothing.txt"));
  std::string bad =
      dir.file("short.txt", "Country\tBirth rate\tLife expectancy\nA\t1.5\t70\nB\t2.5\n");
  CliRun r = run_cli({"--data", bad});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("short.txt:3"));
  CliRun column = run_cli({"--data", dir.file("cols.txt", "Country\tRate\tLife\nA\t1\t2\n")});
  EXPECT_EQ(column.code, kExitBadInput);
  EXPECT_THAT(column.err, HasSubstr("Birth rate"));
  CliRun plot = run_cli({"--data",
                         dir.file("one.txt",
                                  "Country\tBirth rate\tLife expectancy\n"
                                  "A\t2\t70\nB\t3\t65\n"),
                         "--epochs", "1", "--plot", dir.path() + "/no/such/dir/fit.svg"});
  EXPECT_EQ(plot.code, kExitBadInput);
  EXPECT_THAT(plot.err, HasSubstr("no/such/dir"));
}

TEST(HuberCli, DefaultRunPrintsTheCs20Log) {
  std::string path = real_data_path();
  if (!fs::is_regular_file(path)) GTEST_SKIP() << missing(path);
  CliRun r = run_cli({"--data", path});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(count(r.out, "Epoch "), 10u);
  EXPECT_THAT(r.out, HasSubstr("Epoch 90: "));
  EXPECT_THAT(r.out, HasSubstr("w = -6.2707"));
  EXPECT_THAT(r.out, HasSubstr("b = 85.626"));
  EXPECT_EQ(r.err, "");
}

TEST(HuberCli, JsonIsTheOnlyOutput) {
  std::string path = real_data_path();
  if (!fs::is_regular_file(path)) GTEST_SKIP() << missing(path);
  CliRun r = run_cli({"--data", path, "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);  // throws on anything but one JSON value
  ASSERT_EQ(j["epoch_loss"].size(), 100u);
  expect_relative(j["epoch_loss"][0].get<double>(), 106.169, 1e-4, "epoch_loss[0]");
  expect_relative(j["w"].get<double>(), -6.27074, 1e-4, "w");
  expect_relative(j["b"].get<double>(), 85.6266, 1e-4, "b");
  EXPECT_EQ(j["loss"], "cs20-huber");
  EXPECT_EQ(j["lr"], 0.01);
  EXPECT_EQ(j["epochs"], 100);
  EXPECT_EQ(j["data"], path);
  EXPECT_GT(j["seconds"].get<double>(), 0.0);
}

TEST(HuberCli, PlotDrawsEveryPointAndBothLines) {
  std::string path = real_data_path();
  if (!fs::is_regular_file(path)) GTEST_SKIP() << missing(path);
  TempDir dir;
  std::string svg_path = dir.path() + "/fit.svg";
  CliRun r = run_cli({"--data", path, "--plot", svg_path, "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NO_THROW(nlohmann::json::parse(r.out));  // the plot's notice went to stderr
  EXPECT_THAT(r.err, HasSubstr(svg_path));
  std::stringstream text;
  text << std::ifstream(svg_path).rdbuf();
  std::string svg = text.str();
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_EQ(count(svg, "<circle"), 190u + 1);  // the points, and the legend's marker
  EXPECT_EQ(count(svg, "<polyline"), 2u);      // the SGD fit and the least-squares line
  EXPECT_THAT(svg, HasSubstr("Birth rate"));
  EXPECT_THAT(svg, HasSubstr("Life expectancy (years)"));
  EXPECT_THAT(svg, HasSubstr("w = -6.2707"));
  EXPECT_THAT(svg, HasSubstr("least squares: y = -5.719 x + 85.71"));
}

TEST(HuberCli, FallsBackToSyntheticDataAndSaysSo) {
  TempDir empty;
  ScopedEnv env("KILN_DATA_DIR", empty.path());
  CliRun r = run_cli({"--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.err, HasSubstr("data folder not found"));
  EXPECT_THAT(r.err, HasSubstr(empty.path()));
  EXPECT_THAT(r.err, HasSubstr("using 190 synthetic points (seed 2010)"));
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["data"], "synthetic");
  EXPECT_EQ(j["examples"], 190);
  ASSERT_EQ(j["epoch_loss"].size(), 100u);
  // It learns: the loss falls and the line lands near the one the points were drawn from.
  EXPECT_LT(j["epoch_loss"][99].get<double>(), 0.2 * j["epoch_loss"][0].get<double>());
  EXPECT_NEAR(j["w"].get<double>(), -5.7, 1.5);
  EXPECT_NEAR(j["b"].get<double>(), 85.7, 5.0);
}

// --- compiled training -----------------------------------------------------------------------

// --mode compiled: the same log, the same per-epoch losses and, within 1e-5 relative, the same
// w and b as eager training, on the shared data or (without it) the synthetic points.
TEST(HuberCli, CompiledModeMatchesEager) {
  std::string path = real_data_path();
  std::vector<std::string> data;
  if (fs::is_regular_file(path)) data = {"--data", path};
  std::vector<std::string> eager_args = data, compiled_args = data;
  eager_args.push_back("--json");
  compiled_args.insert(compiled_args.end(), {"--json", "--mode", "compiled"});
  CliRun eager = run_cli(eager_args), compiled = run_cli(compiled_args);
  ASSERT_EQ(eager.code, kExitOk) << eager.err;
  ASSERT_EQ(compiled.code, kExitOk) << compiled.err;
  nlohmann::json e = nlohmann::json::parse(eager.out), c = nlohmann::json::parse(compiled.out);
  EXPECT_EQ(e["mode"], "eager");
  EXPECT_TRUE(e["compile_seconds"].is_null());
  EXPECT_EQ(c["mode"], "compiled");
  EXPECT_GT(c["compile_seconds"].get<double>(), 0.0);
  EXPECT_GT(c["seconds"].get<double>(), 0.0);
  expect_relative(c["w"].get<double>(), e["w"].get<double>(), 1e-5, "compiled w");
  expect_relative(c["b"].get<double>(), e["b"].get<double>(), 1e-5, "compiled b");
  ASSERT_EQ(c["epoch_loss"].size(), e["epoch_loss"].size());
  for (size_t k = 0; k < e["epoch_loss"].size(); ++k)
    expect_relative(c["epoch_loss"][k].get<double>(), e["epoch_loss"][k].get<double>(), 1e-5,
                    ("epoch_loss[" + std::to_string(k) + "]").c_str());

  // The human log is the eager one, after a line saying how long compiling took.
  std::vector<std::string> log_args = data;
  log_args.insert(log_args.end(), {"--mode", "compiled", "--epochs", "21"});
  CliRun log = run_cli(log_args);
  ASSERT_EQ(log.code, kExitOk) << log.err;
  EXPECT_THAT(log.out, HasSubstr("Compiled train_epoch in "));
  EXPECT_EQ(count(log.out, "Epoch "), 3u);
  EXPECT_THAT(log.out, HasSubstr("Epoch 20: "));
  EXPECT_THAT(log.out, HasSubstr("Took: "));
}

TEST(HuberCli, DumpIrDirWritesEveryCompilerStage) {
  TempDir dir;
  std::string dump = dir.path() + "/ir";
  CliRun r = run_cli({"--mode", "compiled", "--epochs", "1", "--dump-ir-dir", dump, "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dump)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names.front(), "00-traced.mlir");
  EXPECT_THAT(names.back(), ::testing::EndsWith("-module.s"));
  std::stringstream traced;
  traced << std::ifstream(fs::path(dump) / names.front()).rdbuf();
  EXPECT_THAT(traced.str(), HasSubstr("train_epoch"));
  EXPECT_THAT(traced.str(), HasSubstr("kiln.loop"));
}

// --- checkpoints ----------------------------------------------------------------------------

namespace checkpoints {

// N epochs, a checkpoint, then M more epochs from it: the same numbers as N + M epochs at once.
void expect_resume_matches_straight(TrainResult (*run)(const RegressionData&,
                                                       const TrainOptions&)) {
  TempDir dir;
  RegressionData data = synthetic_birth_life_data(40);
  TrainOptions first;
  first.epochs = 3;
  TrainResult a = run(data, first);
  std::string path = dir.file("huber.kckpt");
  save_huber_checkpoint(path, a, first);

  TrainOptions rest;
  rest.epochs = 4;
  rest.restore = kiln::load_checkpoint(path);
  EXPECT_EQ(rest.restore->step(), 3 * 40);
  EXPECT_EQ(rest.restore->metadata().at("loss"), "cs20-huber");
  EXPECT_EQ(rest.restore->metadata().at("epochs"), "3");
  TrainResult resumed = run(data, rest);
  EXPECT_EQ(resumed.step, 7 * 40);

  TrainOptions all;
  all.epochs = 7;
  TrainResult straight = run(data, all);
  EXPECT_EQ(resumed.w, straight.w);
  EXPECT_EQ(resumed.b, straight.b);
  ASSERT_EQ(resumed.epoch_loss.size(), 4u);
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(resumed.epoch_loss[k], straight.epoch_loss[3 + k]) << k;
}

TrainResult train_eager(const RegressionData& data, const TrainOptions& options) {
  return train(data, options);
}

TrainResult train_compiled_default(const RegressionData& data, const TrainOptions& options) {
  return train_compiled(data, options);
}

TEST(HuberCheckpoint, EagerResumeIsBitIdentical) { expect_resume_matches_straight(train_eager); }

TEST(HuberCheckpoint, CompiledResumeIsBitIdentical) {
  expect_resume_matches_straight(train_compiled_default);
}

TEST(HuberCheckpoint, CliSavesRestoresAndEvaluates) {
  TempDir dir;
  std::string data = dir.file("five.txt",
                              "Country\tBirth rate\tLife expectancy\n"
                              "A\t1.5\t78\nB\t2.5\t72\nC\t4\t65\nD\t5.5\t58\nE\t3\t70\n");
  std::string path = dir.path() + "/huber.kckpt";
  CliRun saved = run_cli({"--data", data, "--epochs", "2", "--checkpoint", path});
  ASSERT_EQ(saved.code, kExitOk) << saved.err;
  EXPECT_THAT(saved.out, HasSubstr("Saved " + path + " (step 10)\n"));

  CliRun json = run_cli({"--data", data, "--epochs", "2", "--checkpoint", path, "--json"});
  ASSERT_EQ(json.code, kExitOk) << json.err;
  nlohmann::json trained = nlohmann::json::parse(json.out);
  EXPECT_EQ(trained["checkpoint"], path);
  EXPECT_THAT(json.err, HasSubstr("Saved " + path));

  // --epochs 0 with --restore: the restored model, as it was saved.
  CliRun eval = run_cli({"--data", data, "--epochs", "0", "--restore", path, "--json"});
  ASSERT_EQ(eval.code, kExitOk) << eval.err;
  nlohmann::json restored = nlohmann::json::parse(eval.out);
  EXPECT_EQ(restored["w"], trained["w"]);
  EXPECT_EQ(restored["b"], trained["b"]);
  EXPECT_TRUE(restored["epoch_loss"].empty());
  EXPECT_FALSE(restored.contains("checkpoint"));

  // The same in compiled mode, which restores into the compiled module's variables.
  CliRun compiled =
      run_cli({"--data", data, "--epochs", "0", "--restore", path, "--json", "--mode", "compiled"});
  ASSERT_EQ(compiled.code, kExitOk) << compiled.err;
  EXPECT_EQ(nlohmann::json::parse(compiled.out)["w"], trained["w"]);
}

TEST(HuberCheckpoint, BadCheckpointsExitWithOneAndSayWhy) {
  TempDir dir;
  std::string data =
      dir.file("two.txt", "Country\tBirth rate\tLife expectancy\nA\t2\t70\nB\t3\t65\n");
  std::string garbage = dir.file("garbage.kckpt", "this is not a checkpoint at all");
  CliRun r = run_cli({"--data", data, "--restore", garbage});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err,
            "kiln-huber: --restore: " + garbage +
                ": not a Kiln checkpoint: starts with \"this is \", expected \"KILNCKPT\"\n");

  std::string other = dir.path() + "/other.kckpt";
  kiln::save_checkpoint(other, {kiln::Variable("huber/w", kiln::zeros({2}))});
  r = run_cli({"--data", data, "--restore", other});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err,
            "kiln-huber: --restore: " + other +
                " does not match the variables to restore; missing from the checkpoint: "
                "'huber/b'; mismatched: huber/w: checkpoint has f32[2], variable is f32[]\n");

  r = run_cli(
      {"--data", data, "--epochs", "1", "--checkpoint", dir.path() + "/no/such/dir/h.kckpt"});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("kiln-huber: --checkpoint: " + dir.path() +
                               "/no/such/dir/h.kckpt: cannot create"));

  r = run_cli({"--data", data, "--epochs", "0"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("0 needs --restore"));
}

}  // namespace checkpoints

}  // namespace
}  // namespace huber
