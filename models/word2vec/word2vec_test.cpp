// Tests of the CS20 skip-gram model on a small synthetic corpus (so they run in seconds and
// without ../shared/data): eager and compiled steps agree, resuming is bit-identical, the loss
// falls, updates are sparse and in place, checkpoints hold what they promise, and the command
// line's usage errors and JSON.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiln/checkpoint.h"
#include "kiln/data/text.h"
#include "word2vec/cli.h"
#include "word2vec/export_mlir.h"
#include "word2vec/model.h"
#include "word2vec/train.h"

namespace word2vec {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "word2vec_test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A synthetic Zipfian corpus of 20,000 tokens in `dir`.
std::string write_corpus(const TempDir& dir) {
  std::string path = dir / "corpus.txt";
  std::ofstream(path) << kiln::data::synthetic_corpus(20000, /*seed=*/7);
  return path;
}

// The CS20 recipe scaled down: 500 words, dimension 16, batch 32, 8 negatives.
TrainOptions small_options(const std::string& corpus, int64_t steps) {
  TrainOptions o;
  o.corpus = corpus;
  o.steps = steps;
  o.seed = 3;
  o.max_vocab_size = 500;
  o.dim = 16;
  o.batch = 32;
  o.num_sampled = 8;
  o.report_every = 10;
  return o;
}

std::vector<uint8_t> bytes_of(const kiln::Variable& v) {
  kiln::Tensor t = v.value();
  const auto* p = static_cast<const uint8_t*>(t.raw());
  return std::vector<uint8_t>(p, p + t.nbytes());
}

// Runs kiln-word2vec in-process; returns the exit code.
int run_cli(std::vector<std::string> args, std::string* out_text = nullptr,
            std::string* err_text = nullptr) {
  args.insert(args.begin(), "kiln-word2vec");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  int code = run_word2vec_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  if (out_text != nullptr) *out_text = out.str();
  if (err_text != nullptr) *err_text = err.str();
  return code;
}

TEST(Word2vecModel, VariablesAreTheLecturesInitialization) {
  kiln::Generator gen(1, 0, "rng");
  SkipGramModel model(/*vocab_size=*/300, /*dim=*/16, gen);
  std::vector<float> embed = model.embed_matrix.value().to_vector<float>();
  std::vector<float> weight = model.nce_weight.value().to_vector<float>();
  ASSERT_EQ(embed.size(), 300u * 16u);
  for (float e : embed) ASSERT_TRUE(e >= 0 && e < 1) << e;
  double bound = 2 / std::sqrt(16.0), sum_sq = 0;
  for (float w : weight) {
    ASSERT_LE(std::abs(w), bound + 1e-6) << w;
    sum_sq += static_cast<double>(w) * w;
  }
  // Truncation at 2 sigma leaves a variance of 0.774 sigma^2.
  EXPECT_NEAR(sum_sq / static_cast<double>(weight.size()), 0.774 / 16, 0.1 / 16);
  for (float b : model.nce_bias.value().to_vector<float>()) ASSERT_EQ(b, 0);
}

TEST(Word2vecModel, StepUpdatesOnlyTouchedRowsInPlace) {
  kiln::Generator gen(1, 0, "rng");
  SkipGramModel model(/*vocab_size=*/300, /*dim=*/8, gen);
  kiln::Tensor centers = kiln::constant<int64_t>({5, 6, 5, 7});
  kiln::Tensor targets = kiln::constant<int64_t>({{6}, {5}, {7}, {5}});
  auto cands = kiln::nn::log_uniform_candidate_sampler(targets, 4, true, 300, gen);
  std::vector<float> before = model.embed_matrix.value().to_vector<float>();
  const void* storage = model.embed_matrix.storage().raw();
  sgd_step(model, /*learning_rate=*/1.0, centers, targets, cands);
  // No copy of the matrix: the same storage, written in place.
  EXPECT_EQ(model.embed_matrix.storage().raw(), storage);
  std::vector<float> after = model.embed_matrix.value().to_vector<float>();
  for (int64_t row = 0; row < 300; ++row) {
    bool touched = row == 5 || row == 6 || row == 7;
    bool changed = false;
    for (int64_t j = 0; j < 8; ++j) changed |= before[row * 8 + j] != after[row * 8 + j];
    EXPECT_EQ(changed, touched) << "row " << row;
  }
}

TEST(Word2vecTrain, EagerAndCompiledStepsAgree) {
  TempDir dir;
  TrainOptions o = small_options(write_corpus(dir), 20);
  TrainResult eager = train(o);
  o.mode = Mode::kCompiled;
  TrainResult compiled = train(o);
  ASSERT_EQ(eager.step_losses.size(), 20u);
  ASSERT_EQ(compiled.step_losses.size(), 20u);
  for (size_t i = 0; i < 20; ++i)
    EXPECT_NEAR(compiled.step_losses[i], eager.step_losses[i],
                1e-4 * std::abs(eager.step_losses[i]))
        << "step " << i;
  std::vector<float> a = eager.variables[0].value().to_vector<float>();
  std::vector<float> b = compiled.variables[0].value().to_vector<float>();
  ASSERT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
  EXPECT_LT(worst, 1e-4) << "embed_matrix after 20 steps";
}

TEST(Word2vecTrain, LossFallsOnASyntheticCorpus) {
  TempDir dir;
  TrainOptions o = small_options(write_corpus(dir), 300);
  o.report_every = 100;
  TrainResult r = train(o);
  ASSERT_EQ(r.average_loss.size(), 3u);
  EXPECT_LT(r.average_loss.at(299), 0.5 * r.average_loss.at(99));
}

TEST(Word2vecTrain, ResumeIsBitIdentical) {
  TempDir dir;
  std::string corpus = write_corpus(dir);
  TrainOptions straight = small_options(corpus, 30);
  straight.report_every = 20;  // a report window that spans the interruption
  TrainResult whole = train(straight);

  TrainOptions first = straight;
  first.steps = 15;
  first.checkpoint_dir = dir / "run";
  TrainResult half = train(first);
  ASSERT_EQ(half.checkpoints.size(), 1u);
  TrainOptions second = straight;
  second.checkpoint_dir = dir / "run";
  second.resume = true;
  TrainResult rest = train(second);
  EXPECT_EQ(rest.first_step, 15);
  ASSERT_EQ(rest.step_losses.size(), 15u);
  for (size_t i = 0; i < 15; ++i) EXPECT_EQ(rest.step_losses[i], whole.step_losses[15 + i]);
  EXPECT_EQ(rest.average_loss, whole.average_loss);
  for (size_t v = 0; v < 3; ++v)
    EXPECT_EQ(bytes_of(rest.variables[v]), bytes_of(whole.variables[v]))
        << whole.variables[v].name();
}

TEST(Word2vecTrain, CheckpointHoldsVariablesStepRngDataAndVocabulary) {
  TempDir dir;
  TrainOptions o = small_options(write_corpus(dir), 12);
  o.checkpoint_dir = dir / "run";
  o.checkpoint_every = 5;
  TrainResult r = train(o);
  ASSERT_EQ(r.checkpoints.size(), 3u);  // steps 5, 10 and the end, 12
  EXPECT_EQ(latest_checkpoint(dir / "run"), dir / "run/ckpt-12.kckpt");
  kiln::CheckpointFile ckpt = kiln::load_checkpoint(latest_checkpoint(dir / "run"));
  EXPECT_EQ(ckpt.step(), 12);
  const int64_t v = r.vocabulary.size();
  EXPECT_EQ(ckpt.tensor("embed_matrix").shape(), kiln::Shape({v, 16}));
  EXPECT_EQ(ckpt.tensor("nce_weight").shape(), kiln::Shape({v, 16}));
  EXPECT_EQ(ckpt.tensor("nce_bias").shape(), kiln::Shape({v}));
  EXPECT_TRUE(ckpt.contains("word2vec/rng"));
  // Nothing else: the runtime restores only checkpoints whose tensors are the model's.
  EXPECT_EQ(ckpt.names().size(), 4u);
  for (const char* key : {"data_position", "window_loss_sum", "recipe"})
    EXPECT_TRUE(ckpt.metadata().contains(key)) << key;
  EXPECT_EQ(bytes_of(r.variables[0]), [&] {
    kiln::Tensor t = ckpt.tensor("embed_matrix");
    const auto* p = static_cast<const uint8_t*>(t.raw());
    return std::vector<uint8_t>(p, p + t.nbytes());
  }());
  kiln::data::Vocabulary vocab =
      kiln::data::Vocabulary::deserialize(ckpt.metadata().at("vocabulary"), "checkpoint");
  EXPECT_TRUE(vocab == r.vocabulary);
  EXPECT_TRUE(kiln::data::Vocabulary::load(dir / "run/vocab.tsv") == r.vocabulary);
}

TEST(Word2vecTrain, ResumeWithoutACheckpointIsNamed) {
  TempDir dir;
  TrainOptions o = small_options(write_corpus(dir), 5);
  o.checkpoint_dir = dir / "empty";
  o.resume = true;
  try {
    train(o);
    FAIL() << "resumed from nothing";
  } catch (const kiln::Error& e) {
    EXPECT_THAT(e.detail(), HasSubstr("checkpoint"));
  }
}

TEST(Word2vecExport, EmitsTrainStepAndBatchedNeighbors) {
  kiln::Generator gen(1, 0, "rng");
  SkipGramModel model(/*vocab_size=*/50, /*dim=*/4, gen);
  std::string mlir = trace_word2vec_functions(model, /*learning_rate=*/1.0, 8, 4).mlir();
  EXPECT_THAT(mlir, HasSubstr("@train_step"));
  EXPECT_THAT(mlir, HasSubstr("@neighbors"));
  EXPECT_THAT(mlir, HasSubstr("kiln.batched"));
  EXPECT_THAT(mlir, HasSubstr("embed_matrix"));
  EXPECT_THAT(mlir, HasSubstr("kiln.top_k"));
  EXPECT_THAT(mlir, HasSubstr("kiln.vocabulary = \"vocabulary\""));
}

TEST(Word2vecExport, NeighborsRanksAWordFirstAgainstItself) {
  kiln::Generator gen(1, 0, "rng");
  SkipGramModel model(/*vocab_size=*/50, /*dim=*/4, gen);
  std::vector<float> sims =
      cosine_similarities(model.embed_matrix, kiln::constant<int64_t>({17})).to_vector<float>();
  ASSERT_EQ(sims.size(), 50u);
  EXPECT_NEAR(sims[17], 1.0, 1e-5);
  for (float s : sims) EXPECT_LE(s, 1.0 + 1e-5);
}

// nearest_neighbors against a float64 oracle written here: cosine similarity of every row,
// the query row left out, sorted descending (ties by the lower id); eager and compiled.
TEST(Word2vecExport, NearestNeighborsMatchAFloat64OracleEagerAndCompiled) {
  kiln::Generator gen(3, 0, "rng");
  SgnsModel model(/*vocab_size=*/60, /*dim=*/8, gen);
  const std::vector<float> e = model.embed_matrix.value().to_vector<float>();
  const std::vector<int64_t> queries = {3, 41};
  const int64_t k = 7, vocab = 60, dim = 8;
  auto norm = [&](int64_t r) {
    double n = 0;
    for (int64_t d = 0; d < dim; ++d) n += double(e[r * dim + d]) * e[r * dim + d];
    return std::sqrt(n);
  };
  std::vector<std::vector<std::pair<double, int64_t>>> expected;
  for (int64_t q : queries) {
    std::vector<std::pair<double, int64_t>> all;
    for (int64_t r = 0; r < vocab; ++r) {
      if (r == q) continue;
      double dot = 0;
      for (int64_t d = 0; d < dim; ++d) dot += double(e[q * dim + d]) * e[r * dim + d];
      all.push_back({dot / (norm(q) * norm(r)), r});
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    all.resize(static_cast<size_t>(k));
    expected.push_back(all);
  }
  kiln::Tensor ids = kiln::constant<int64_t>(queries, {2});
  kiln::TopK eager = nearest_neighbors(model.embed_matrix, ids, k);
  auto compiled_fn = kiln::function("neighbors", [&](kiln::Tensor x) {
    kiln::TopK t = nearest_neighbors(model.embed_matrix, x, k);
    return std::vector<kiln::Tensor>{t.indices, t.values};
  });
  std::vector<kiln::Tensor> compiled = compiled_fn(ids);
  ASSERT_EQ(eager.indices.shape(), (kiln::Shape{2, k}));
  const auto eager_ids = eager.indices.to_vector<int64_t>();
  const auto eager_values = eager.values.to_vector<float>();
  EXPECT_EQ(compiled.at(0).to_vector<int64_t>(), eager_ids);
  const auto compiled_values = compiled.at(1).to_vector<float>();
  for (size_t q = 0; q < queries.size(); ++q)
    for (int64_t j = 0; j < k; ++j) {
      const size_t at = q * static_cast<size_t>(k) + static_cast<size_t>(j);
      EXPECT_EQ(eager_ids[at], expected[q][static_cast<size_t>(j)].second) << q << " " << j;
      EXPECT_NEAR(eager_values[at], expected[q][static_cast<size_t>(j)].first, 1e-5);
      EXPECT_NEAR(compiled_values[at], eager_values[at], 1e-6);
    }
}

TEST(Word2vecCli, UsageErrorsExitTwo) {
  TempDir dir;
  std::string corpus = write_corpus(dir), err;
  EXPECT_EQ(run_cli({}, nullptr, &err), kExitUsage);
  EXPECT_EQ(run_cli({"fly"}, nullptr, &err), kExitUsage);
  EXPECT_THAT(err, HasSubstr("unknown subcommand 'fly'"));
  EXPECT_EQ(run_cli({"train", "--corpus", corpus}, nullptr, &err), kExitUsage);
  EXPECT_THAT(err, HasSubstr("--steps"));
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--mode", "fast"}, nullptr, &err),
            kExitUsage);
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--epochs", "1"}, nullptr, &err),
            kExitUsage);
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "-3"}, nullptr, &err), kExitUsage);
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--resume"}, nullptr, &err),
            kExitUsage);
  EXPECT_THAT(err, HasSubstr("--checkpoint-dir"));
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--bogus"}, nullptr, &err),
            kExitUsage);
}

TEST(Word2vecCli, MissingCorpusExitsOneNamingIt) {
  TempDir dir;
  std::string err;
  EXPECT_EQ(run_cli({"train", "--corpus", dir / "nope.txt", "--steps", "5"}, nullptr, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("nope.txt"));
}

TEST(Word2vecCli, ACorpusWithTooFewWordsExitsOneNamingIt) {
  TempDir dir;
  std::string path = dir / "tiny.txt", err;
  std::ofstream(path) << "a b c d e a b c d e\n";
  EXPECT_EQ(run_cli({"train", "--corpus", path, "--steps", "5"}, nullptr, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("tiny.txt"));
  EXPECT_THAT(err, HasSubstr("too small for 64 sampled classes"));
}

TEST(Word2vecCli, EpochsCountPassesOverTheCorpus) {
  TempDir dir;
  std::string out, err;
  // 20,000 tokens, 64 center words per batch of 128 pairs (window 1): 313 steps an epoch.
  ASSERT_EQ(run_cli({"train", "--corpus", write_corpus(dir), "--epochs", "1", "--vocab-size", "200",
                     "--dim", "8", "--json"},
                    &out, &err),
            kExitOk)
      << err;
  EXPECT_EQ(nlohmann::json::parse(out)["steps"], 313);
}

TEST(Word2vecCli, JsonIsOneObjectWithTheAverageLosses) {
  TempDir dir;
  std::string out, err;
  ASSERT_EQ(run_cli({"train", "--corpus", write_corpus(dir), "--steps", "20", "--report-every",
                     "10", "--vocab-size", "200", "--dim", "8", "--json"},
                    &out, &err),
            kExitOk)
      << err;
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["steps"], 20);
  EXPECT_EQ(j["mode"], "eager");
  EXPECT_TRUE(j["average_loss"].contains("9"));
  EXPECT_TRUE(j["average_loss"].contains("19"));
  EXPECT_GT(j["ms_per_step"].get<double>(), 0);
  EXPECT_GT(j["words_per_second"].get<double>(), 0);
  EXPECT_THAT(err, HasSubstr("Average loss at step 9: "));
}

TEST(Word2vecCli, TrainedRunServesNeighborsAndTensorBoardScalars) {
  TempDir dir;
  std::string out, err;
  ASSERT_EQ(run_cli({"train", "--corpus", write_corpus(dir), "--steps", "20", "--report-every",
                     "10", "--vocab-size", "200", "--dim", "8", "--checkpoint-dir", dir / "run",
                     "--logdir", dir / "logs"},
                    &out, &err),
            kExitOk)
      << err;
  bool events = false;
  for (const auto& entry : fs::directory_iterator(dir / "logs"))
    events |= entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0 &&
              entry.file_size() > 0;
  EXPECT_TRUE(events) << "no TensorBoard event file in " << dir / "logs";
  // The vocabulary's most frequent word, by the run's vocab.tsv.
  kiln::data::Vocabulary vocab = kiln::data::Vocabulary::load(dir / "run/vocab.tsv");
  ASSERT_EQ(run_cli({"neighbors", dir / "run", vocab.word(1)}, &out, &err), kExitOk) << err;
  EXPECT_THAT(out, HasSubstr(vocab.word(1)));
  EXPECT_EQ(run_cli({"neighbors", dir / "nothing", vocab.word(1)}, &out, &err), kExitBadInput);
}

TEST(Word2vecCli, CompiledRunResumedByTheCommandLineMatchesAStraightRun) {
  TempDir dir;
  std::string corpus = write_corpus(dir), err;
  auto train_cli = [&](const std::string& run, const char* steps, bool resume) {
    std::vector<std::string> args = {"train",  "--corpus",     corpus,     "--steps",
                                     steps,    "--vocab-size", "200",      "--dim",
                                     "8",      "--mode",       "compiled", "--checkpoint-dir",
                                     dir / run};
    if (resume) args.push_back("--resume");
    return run_cli(args, nullptr, &err);
  };
  ASSERT_EQ(train_cli("straight", "30", false), kExitOk) << err;
  ASSERT_EQ(train_cli("split", "15", false), kExitOk) << err;
  ASSERT_EQ(train_cli("split", "30", true), kExitOk) << err;
  kiln::CheckpointFile straight = kiln::load_checkpoint(dir / "straight/ckpt-30.kckpt");
  kiln::CheckpointFile split = kiln::load_checkpoint(latest_checkpoint(dir / "split"));
  EXPECT_EQ(split.step(), 30);
  for (const char* name : {"embed_matrix", "nce_weight", "nce_bias", "word2vec/rng"}) {
    kiln::Tensor a = straight.tensor(name), b = split.tensor(name);
    ASSERT_EQ(a.nbytes(), b.nbytes()) << name;
    EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.nbytes()), 0) << name;
  }
}

// The sgns recipe scaled down: dimension 16, batch 32, subsampling 1e-3 (the corpus is small).
TrainOptions sgns_small_options(const std::string& corpus, int64_t steps) {
  TrainOptions o = sgns_options();
  o.corpus = corpus;
  o.steps = steps;
  o.seed = 3;
  o.dim = 16;
  o.batch = 32;
  o.sample = 1e-3;
  o.report_every = 10;
  return o;
}

TEST(Word2vecSgns, VariablesAreWord2vecsInitialization) {
  kiln::Generator gen(1, 0, "rng");
  SgnsModel model(/*vocab_size=*/300, /*dim=*/16, gen);
  for (float e : model.embed_matrix.value().to_vector<float>())
    ASSERT_TRUE(e >= -0.5 / 16 && e < 0.5 / 16) << e;
  for (float c : model.context_matrix.value().to_vector<float>()) ASSERT_EQ(c, 0);
  EXPECT_EQ(model.variables()[0].name(), "embed_matrix");
  EXPECT_EQ(model.variables()[1].name(), "context_matrix");
}

TEST(Word2vecSgns, StepUpdatesOnlyTouchedRowsInPlace) {
  kiln::Generator gen(1, 0, "rng");
  SgnsModel model(/*vocab_size=*/300, /*dim=*/8, gen);
  // Give the context rows something, so the input rows move too.
  model.context_matrix.assign(kiln::random_uniform({300, 8}, gen, -0.1, 0.1));
  const void* embed = model.embed_matrix.storage().raw();
  const void* context = model.context_matrix.storage().raw();
  std::vector<float> e0 = model.embed_matrix.value().to_vector<float>();
  std::vector<float> c0 = model.context_matrix.value().to_vector<float>();
  sgns_step(model, kiln::constant(0.025f), kiln::constant<int64_t>({5, 6, 5}),
            kiln::constant<int64_t>({6, 5, 7}), kiln::constant<int64_t>({9, 10}),
            /*negatives_per_pair=*/1);
  EXPECT_EQ(model.embed_matrix.storage().raw(), embed);
  EXPECT_EQ(model.context_matrix.storage().raw(), context);
  std::vector<float> e1 = model.embed_matrix.value().to_vector<float>();
  std::vector<float> c1 = model.context_matrix.value().to_vector<float>();
  for (int64_t row = 0; row < 300; ++row) {
    bool e_changed = false, c_changed = false;
    for (int64_t j = 0; j < 8; ++j) {
      e_changed |= e0[row * 8 + j] != e1[row * 8 + j];
      c_changed |= c0[row * 8 + j] != c1[row * 8 + j];
    }
    EXPECT_EQ(e_changed, row == 5 || row == 6) << "embed row " << row;
    EXPECT_EQ(c_changed, row == 5 || row == 6 || row == 7 || row == 9 || row == 10)
        << "context row " << row;
  }
}

TEST(Word2vecSgns, SharedNegativesWeighAsNegativesPerPair) {
  kiln::Generator gen(1, 0, "rng");
  SgnsModel model(/*vocab_size=*/20, /*dim=*/4, gen);
  model.context_matrix.assign(kiln::random_uniform({20, 4}, gen, -1, 1));
  std::vector<float> e = model.embed_matrix.value().to_vector<float>();
  std::vector<float> c = model.context_matrix.value().to_vector<float>();
  auto dot = [&](int64_t i, int64_t j) {
    double d = 0;
    for (int64_t k = 0; k < 4; ++k) d += double(e[i * 4 + k]) * c[j * 4 + k];
    return d;
  };
  auto softplus = [](double x) { return std::log1p(std::exp(x)); };
  const std::vector<int64_t> centers = {1, 2}, contexts = {3, 4}, negatives = {5, 6, 7, 5};
  double expected = 0;
  for (size_t b = 0; b < 2; ++b) {
    expected += softplus(-dot(centers[b], contexts[b]));
    for (int64_t n : negatives) expected += 0.5 * softplus(dot(centers[b], n));  // 2 of 4
  }
  double loss = model
                    .loss(kiln::constant(centers, kiln::Shape{2}),
                          kiln::constant(contexts, kiln::Shape{2}),
                          kiln::constant(negatives, kiln::Shape{4}), /*negatives_per_pair=*/2)
                    .item();
  EXPECT_NEAR(loss, expected, 1e-5 * std::abs(expected));
}

TEST(Word2vecSgns, LossFallsAndTheLearningRateDecaysLinearly) {
  TempDir dir;
  TrainOptions o = sgns_small_options(write_corpus(dir), 600);
  // A small corpus and dimension learn slowly from word2vec's tiny initial vectors at 0.025.
  o.learning_rate = 0.1;
  o.report_every = 200;
  TrainResult r = train(o);
  ASSERT_EQ(r.average_loss.size(), 3u);
  EXPECT_LT(r.average_loss.at(599), 0.9 * r.average_loss.at(199));
  EXPECT_LT(r.average_loss.at(199), 4.1);  // -6 log(1/2) = 4.16 at the start
  ASSERT_EQ(r.learning_rates.size(), 600u);
  EXPECT_DOUBLE_EQ(r.learning_rates[0], o.learning_rate);
  EXPECT_NEAR(r.learning_rates[300], o.learning_rate * 0.5, 1e-12);
  for (size_t i = 1; i < 600; ++i) ASSERT_LT(r.learning_rates[i], r.learning_rates[i - 1]);
  EXPECT_GE(r.learning_rates.back(), o.learning_rate * 1e-4);
  ASSERT_EQ(r.variables.size(), 2u);
  EXPECT_EQ(r.variables[1].name(), "context_matrix");
}

TEST(Word2vecSgns, EagerAndCompiledStepsAgree) {
  TempDir dir;
  TrainOptions o = sgns_small_options(write_corpus(dir), 20);
  TrainResult eager = train(o);
  o.mode = Mode::kCompiled;
  TrainResult compiled = train(o);
  ASSERT_EQ(eager.step_losses.size(), 20u);
  ASSERT_EQ(compiled.step_losses.size(), 20u);
  for (size_t i = 0; i < 20; ++i)
    EXPECT_NEAR(compiled.step_losses[i], eager.step_losses[i],
                1e-4 * std::abs(eager.step_losses[i]))
        << "step " << i;
  for (size_t v = 0; v < 2; ++v) {
    std::vector<float> a = eager.variables[v].value().to_vector<float>();
    std::vector<float> b = compiled.variables[v].value().to_vector<float>();
    ASSERT_EQ(a.size(), b.size());
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
    EXPECT_LT(worst, 1e-5) << eager.variables[v].name() << " after 20 steps";
  }
}

TEST(Word2vecSgns, ResumeIsBitIdentical) {
  TempDir dir;
  std::string corpus = write_corpus(dir);
  // The learning rate decays over the planned 40 steps, so the interrupted run is the same run
  // (steps 40) with a checkpoint at step 17: resumed from there, it must redo 17..40 exactly.
  TrainOptions straight = sgns_small_options(corpus, 40);
  straight.report_every = 25;  // a report window that spans the interruption
  straight.checkpoint_dir = dir / "run";
  straight.checkpoint_every = 17;
  TrainResult whole = train(straight);
  ASSERT_EQ(whole.checkpoints.size(), 3u);  // 17, 34, 40
  fs::create_directories(dir / "resumed");
  fs::copy_file(dir / "run/ckpt-17.kckpt", dir / "resumed/ckpt-17.kckpt");
  std::ofstream(dir / "resumed/checkpoint") << "model_checkpoint_path: \"ckpt-17.kckpt\"\n";

  TrainOptions second = straight;
  second.checkpoint_dir = dir / "resumed";
  second.resume = true;
  TrainResult rest = train(second);
  EXPECT_EQ(rest.first_step, 17);
  ASSERT_EQ(rest.step_losses.size(), 23u);
  for (size_t i = 0; i < 23; ++i) {
    EXPECT_EQ(rest.step_losses[i], whole.step_losses[17 + i]) << "step " << 17 + i;
    EXPECT_EQ(rest.learning_rates[i], whole.learning_rates[17 + i]) << "step " << 17 + i;
  }
  EXPECT_EQ(rest.average_loss, whole.average_loss);
  for (size_t v = 0; v < 2; ++v)
    EXPECT_EQ(bytes_of(rest.variables[v]), bytes_of(whole.variables[v]))
        << whole.variables[v].name();

  kiln::CheckpointFile a = kiln::load_checkpoint(dir / "run/ckpt-40.kckpt");
  kiln::CheckpointFile b = kiln::load_checkpoint(latest_checkpoint(dir / "resumed"));
  EXPECT_EQ(b.step(), 40);
  EXPECT_EQ(b.metadata().at("recipe"), "sgns");
  EXPECT_EQ(b.metadata().at("data_position"), a.metadata().at("data_position"));
  ASSERT_EQ(b.names().size(), 3u);  // embed_matrix, context_matrix, word2vec/rng
  for (const char* name : {"embed_matrix", "context_matrix", "word2vec/rng"}) {
    kiln::Tensor x = a.tensor(name), y = b.tensor(name);
    ASSERT_EQ(x.nbytes(), y.nbytes()) << name;
    EXPECT_EQ(std::memcmp(x.raw(), y.raw(), x.nbytes()), 0) << name;
  }
}

// Hogwild: two threads, each on half the corpus with its own negatives and schedule,
// updating the shared variables without locks, learn about as well as one thread, eagerly
// and compiled (each thread its own compiled instance).
TEST(Word2vecSgns, TwoHogwildThreadsLearnAsWellAsOne) {
  TempDir dir;
  TrainOptions o = sgns_small_options(write_corpus(dir), 600);
  o.learning_rate = 0.1;  // as in LossFallsAndTheLearningRateDecaysLinearly
  o.report_every = 200;
  TrainResult one = train(o);
  for (Mode mode : {Mode::kEager, Mode::kCompiled}) {
    SCOPED_TRACE(mode == Mode::kEager ? "eager" : "compiled");
    o.threads = 2;
    o.mode = mode;
    TrainResult two = train(o);
    ASSERT_EQ(two.step_losses.size(), 600u);  // 300 per thread
    EXPECT_EQ(two.last_step, 600);
    ASSERT_EQ(two.average_loss.size(), 3u);
    EXPECT_LT(two.average_loss.at(599), 0.9 * two.average_loss.at(199));
    EXPECT_LT(two.average_loss.at(599), 1.1 * one.average_loss.at(599))
        << "one thread: " << one.average_loss.at(599);
    // Each thread's rate decays over its own 300 steps, from the start to near the floor.
    EXPECT_DOUBLE_EQ(*std::max_element(two.learning_rates.begin(), two.learning_rates.end()),
                     o.learning_rate);
    EXPECT_LT(*std::min_element(two.learning_rates.begin(), two.learning_rates.end()),
              o.learning_rate * 0.01);
    ASSERT_EQ(two.variables.size(), 2u);
    EXPECT_NE(bytes_of(two.variables[0]), bytes_of(one.variables[0]));
  }
  // Under --epochs each thread reads its shard: together about one pass (the word count runs a
  // sentence of up to 1,000 kept words ahead of the pairs, so each thread may leave up to a
  // sentence's pairs of its share untrained: on 20,000 words, some percent).
  o = sgns_small_options(o.corpus, 0);
  o.epochs = 1;
  o.threads = 2;
  o.report_every = 1000;
  TrainResult epoch = train(o);
  o.threads = 1;
  TrainResult single = train(o);
  EXPECT_NEAR(static_cast<double>(epoch.last_step), static_cast<double>(single.last_step),
              0.15 * static_cast<double>(single.last_step));
  // Each thread's rate decays over its share (its last rate is a sentence short of the end).
  EXPECT_LT(*std::min_element(epoch.learning_rates.begin(), epoch.learning_rates.end()),
            0.025 * 0.25);
}

TEST(Word2vecSgns, HogwildCheckpointsServeEvalButNotResume) {
  TempDir dir;
  std::string corpus = write_corpus(dir), out, err;
  ASSERT_EQ(
      run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "40", "--threads", "2",
               "--dim", "8", "--json", "--checkpoint-dir", dir / "h", "--checkpoint-every", "20"},
              &out, &err),
      kExitOk)
      << err;
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["steps"], 40);
  kiln::CheckpointFile ckpt = kiln::load_checkpoint(latest_checkpoint(dir / "h"));
  EXPECT_EQ(ckpt.step(), 40);
  EXPECT_EQ(ckpt.metadata().at("threads"), "2");
  kiln::data::Vocabulary vocab = kiln::data::Vocabulary::load(dir / "h/vocab.tsv");
  ASSERT_EQ(run_cli({"neighbors", dir / "h", vocab.word(1)}, &out, &err), kExitOk) << err;
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "60", "--dim", "8",
                     "--checkpoint-dir", dir / "h", "--resume"},
                    &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("Hogwild run of 2 threads"));
}

TEST(Word2vecSgns, EpochsCountTheCorpusWords) {
  TempDir dir;
  TrainOptions o = sgns_small_options(write_corpus(dir), 0);
  o.epochs = 1;
  o.report_every = 1000;
  TrainResult r = train(o);
  ASSERT_FALSE(r.step_losses.empty());
  EXPECT_EQ(r.last_step, static_cast<int64_t>(r.step_losses.size()));
  // The rate reached about its floor at the end of the one planned epoch.
  EXPECT_LT(r.learning_rates.back(), 0.025 * 0.1);
}

TEST(Word2vecSgns, CommandLineRunsAndRefusesForeignCheckpoints) {
  TempDir dir;
  std::string corpus = write_corpus(dir), out, err;
  ASSERT_EQ(run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "20",
                     "--report-every", "10", "--dim", "8", "--json", "--checkpoint-dir",
                     dir / "sgns"},
                    &out, &err),
            kExitOk)
      << err;
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["steps"], 20);
  EXPECT_EQ(j["recipe"], "sgns");
  EXPECT_GT(j["words_per_second"].get<double>(), 0);
  EXPECT_THAT(err, HasSubstr("Average loss at step 9: "));
  EXPECT_THAT(err, HasSubstr("learning rate "));
  kiln::data::Vocabulary vocab = kiln::data::Vocabulary::load(dir / "sgns/vocab.tsv");
  ASSERT_EQ(run_cli({"neighbors", dir / "sgns", vocab.word(1)}, &out, &err), kExitOk) << err;
  // A cs20 run resumed as sgns, and the other way round: exit 1, naming the recipe.
  ASSERT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--vocab-size", "200", "--dim",
                     "8", "--checkpoint-dir", dir / "cs20"},
                    &out, &err),
            kExitOk)
      << err;
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "10", "--dim",
                     "8", "--checkpoint-dir", dir / "cs20", "--resume"},
                    &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("recipe 'cs20'"));
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "30", "--vocab-size", "200",
                     "--dim", "8", "--checkpoint-dir", dir / "sgns", "--resume"},
                    &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("recipe 'sgns'"));
}

TEST(Word2vecSgns, UsageErrors) {
  TempDir dir;
  std::string corpus = write_corpus(dir), err;
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--recipe", "cbow"}, nullptr,
                    &err),
            kExitUsage);
  EXPECT_THAT(err, HasSubstr("--recipe"));
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--recipe", "sgns"}, nullptr, &err),
            kExitUsage);
  // Hogwild is an sgns setting, and a run of several threads cannot resume.
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--threads", "2"}, nullptr, &err),
            kExitUsage);
  EXPECT_THAT(err, HasSubstr("--threads"));
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "5", "--threads",
                     "2", "--checkpoint-dir", dir / "h", "--resume"},
                    nullptr, &err),
            kExitUsage);
  EXPECT_THAT(err, HasSubstr("--threads 1"));
  EXPECT_EQ(
      run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "5", "--threads", "0"},
              nullptr, &err),
      kExitUsage);
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "5", "--dim",
                     "0"},
                    nullptr, &err),
            kExitUsage);
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--steps", "5", "--shared-negatives", "64"},
                    nullptr, &err),
            kExitUsage);
  EXPECT_THAT(err, HasSubstr("--recipe sgns"));
  EXPECT_EQ(run_cli({"train", "--corpus", corpus, "--recipe", "sgns", "--steps", "5",
                     "--shared-negatives", "4"},
                    nullptr, &err),
            kExitUsage);
  // No word occurs 5 times: bad input, named.
  std::string tiny = dir / "tiny.txt";
  std::ofstream(tiny) << "a b c d e a b c d e\n";
  EXPECT_EQ(run_cli({"train", "--corpus", tiny, "--recipe", "sgns", "--steps", "5"}, nullptr,
                    &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("tiny.txt"));
  TrainOptions o = sgns_small_options(corpus, 5);
  o.sample = -1;
  EXPECT_THROW(check_options(o), std::invalid_argument);
  o = sgns_small_options(corpus, 5);
  o.shared_negatives = 4;
  EXPECT_THROW(check_options(o), std::invalid_argument);
}

TEST(Word2vecCli, PipedOutputHasTheLecturesReportLines) {
  TempDir dir;
  std::string out, err;
  ASSERT_EQ(run_cli({"train", "--corpus", write_corpus(dir), "--steps", "20", "--report-every",
                     "10", "--vocab-size", "200", "--dim", "8", "--emit-mlir", dir / "w2v.mlir"},
                    &out, &err),
            kExitOk)
      << err;
  EXPECT_THAT(out, HasSubstr("Average loss at step 19: "));
  EXPECT_EQ(out.find('\r'), std::string::npos);  // no progress bar when not a terminal
  EXPECT_TRUE(fs::exists(dir / "w2v.mlir"));
}

}  // namespace
}  // namespace word2vec
