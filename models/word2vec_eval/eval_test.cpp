// Tests of kiln-word2vec eval, neighbors and export, run in-process on small checkpoints
// whose answers are known by construction, and cross-checked against gensim's own evaluation
// and loaders (eval_crosscheck.py) on the real questions-words.txt and WordSim-353 files.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kiln/checkpoint.h"
#include "kiln/data/vocabulary.h"
#include "word2vec/commands.h"
#include "word2vec_eval/analogy.h"
#include "word2vec_eval/similarity.h"

namespace word2vec {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  int code;
  std::string out, err;
};

using Command = int (*)(int, char**, std::ostream&, std::ostream&);

Outcome run(Command command, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  int code = command(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A checkpoint as kiln-word2vec train writes one: "embed_matrix" and the vocabulary.
void save_run(const fs::path& path, const std::vector<std::string>& words,
              const std::vector<float>& vectors, int64_t dim, int64_t step = 7) {
  std::vector<std::pair<std::string, int64_t>> counts;
  int64_t n = static_cast<int64_t>(words.size());
  for (const std::string& w : words) counts.emplace_back(w, n--);  // falling counts, as trained
  kiln::data::Vocabulary vocabulary = kiln::data::Vocabulary::from_counts(counts);
  const int64_t rows = static_cast<int64_t>(vectors.size()) / dim;  // may differ from words
  kiln::Variable embed("embed_matrix", kiln::constant(vectors, kiln::Shape{rows, dim}));
  kiln::save_checkpoint(path.string(), {embed},
                        kiln::CheckpointOptions().with_step(step).with_metadata(
                            "vocabulary", vocabulary.serialize()));
}

class Word2vecEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("w2v_eval_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "run");
    // A hand-made table: royalty along x, gender along y (+ male), fruit along z.
    const float r = 1 / std::sqrt(2.0f);
    words_ = {"UNK", "king", "queen", "man", "woman", "apple", "pear"};
    vectors_ = {0.1f, 0.1f, 0.1f, 0.9f,  //
                r,    r,    0,    0,     // king
                r,    -r,   0,    0,     // queen
                0,    1,    0,    0,     // man
                0,    -1,   0,    0,     // woman
                0,    0,    1,    0,     // apple
                0,    0.1f, 1,    0};    // pear
    save_run(dir_ / "run" / "ckpt-7.kckpt", words_, vectors_, 4);
    write_text(dir_ / "run" / "checkpoint",
               "model_checkpoint_path: \"ckpt-7.kckpt\"\n"
               "all_model_checkpoint_paths: \"ckpt-7.kckpt\"\n");
    // Section 1 is semantic, the sixth syntactic; the empty ones between only count.
    write_text(dir_ / "questions.txt",
               ": family\n"
               "man king woman queen\n"    // correct
               "king queen man woman\n"    // correct
               ": s2\n: s3\n: s4\n: s5\n"  //
               ": gram-mixed\n"
               "man woman king apple\n"    // wrong: the answer is queen
               "man woman king zebra\n"    // unseen: zebra is unknown
               "MAN King WOMAN queen\n");  // correct: words compare case-insensitively
    write_text(dir_ / "pairs.tsv",
               "# comment\n# w1\tw2\tscore\n"
               "king\tqueen\t8\napple\tpear\t9\nman\tapple\t1\nking\tzebra\t3\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  std::vector<std::string> words_;
  std::vector<float> vectors_;
};

TEST_F(Word2vecEvalTest, AnalogiesFollowComputeAccuracy) {
  Outcome o = run(word2vec_eval, {"eval", path("run"), "--analogies", path("questions.txt"),
                                  "--similarity", path("pairs.tsv"), "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["checkpoint"], path("run/ckpt-7.kckpt"));
  EXPECT_EQ(j["step"], 7);
  const nlohmann::json& a = j["analogies"];
  ASSERT_EQ(a["sections"].size(), 6u);
  EXPECT_EQ(a["sections"][0]["section"], "family");
  EXPECT_EQ(a["sections"][0]["correct"], 2);
  EXPECT_EQ(a["sections"][0]["seen"], 2);
  EXPECT_EQ(a["sections"][5]["correct"], 1);
  EXPECT_EQ(a["sections"][5]["seen"], 2);
  EXPECT_EQ(a["sections"][5]["total"], 3);
  EXPECT_EQ(a["semantic"]["correct"], 2);
  EXPECT_EQ(a["syntactic"]["seen"], 2);
  EXPECT_EQ(a["total"]["correct"], 3);
  EXPECT_EQ(a["total"]["seen"], 4);
  EXPECT_EQ(a["total"]["total"], 5);
  EXPECT_DOUBLE_EQ(a["total"]["accuracy"].get<double>(), 0.75);

  // Only UNK, king, queen, man and woman are candidates: apple makes its question unseen.
  o = run(word2vec_eval, {"eval", path("run/ckpt-7.kckpt"), "--analogies", path("questions.txt"),
                          "--restrict", "5", "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["analogies"]["total"]["seen"], 3);
  EXPECT_EQ(j["analogies"]["total"]["correct"], 3);
  EXPECT_FALSE(j.contains("similarity"));
}

TEST_F(Word2vecEvalTest, SimilaritySkipsUnknownWords) {
  Outcome o =
      run(word2vec_eval, {"eval", path("run"), "--similarity", path("pairs.tsv"), "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  const nlohmann::json s = nlohmann::json::parse(o.out)["similarity"][0];
  EXPECT_EQ(s["pairs"], 4);
  EXPECT_EQ(s["used"], 3);
  // Model: cos(apple, pear) ≈ 0.995 and cos(king, queen) = cos(man, apple) = 0, a tie that
  // ranks both 1.5; human ranks 2, 3, 1.
  EXPECT_NEAR(s["spearman"].get<double>(), spearman({8, 9, 1}, {0, 0.995, 0}), 1e-12);
  EXPECT_NEAR(s["spearman"].get<double>(), 0.8660254037844387, 1e-12);

  o = run(word2vec_eval, {"eval", path("run"), "--similarity", path("pairs.tsv")});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("(3 of 4 pairs; 1 with unknown words)"));
}

TEST(SpearmanTest, MatchesScipyWithTies) {
  // scipy.stats.spearmanr on the same data.
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 0.8207826816681233, 1e-12);
  EXPECT_NEAR(spearman({1, 2, 2, 3, 10, 4}, {3, 1, 1, 4, 9, 2}), 0.5294117647058824, 1e-12);
  EXPECT_TRUE(std::isnan(spearman({1}, {2})));
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
}

TEST_F(Word2vecEvalTest, NeighborsByCosine) {
  Outcome o = run(word2vec_neighbors,
                  {"neighbors", path("run"), "apple", "King", "zebra", "-k", "2", "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("'zebra' is not in the vocabulary"));
  nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["unknown"], nlohmann::json::array({"zebra"}));
  ASSERT_EQ(j["neighbors"]["apple"].size(), 2u);
  EXPECT_EQ(j["neighbors"]["apple"][0]["word"], "pear");
  EXPECT_NEAR(j["neighbors"]["apple"][0]["similarity"].get<double>(), 1 / std::sqrt(1.01), 1e-6);
  // king: man at cos 0.7071, then UNK at 0.154; queen is orthogonal.
  EXPECT_EQ(j["neighbors"]["King"][0]["word"], "man");
  EXPECT_EQ(j["neighbors"]["King"][1]["word"], "UNK");

  o = run(word2vec_neighbors, {"neighbors", path("run"), "apple", "-k", "1"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "apple: pear (0.995)\n");

  o = run(word2vec_neighbors, {"neighbors", path("run"), "zebra", "okapi"});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("'okapi' is not in the vocabulary"));
}

TEST_F(Word2vecEvalTest, ExportsWord2vecText) {
  Outcome o = run(word2vec_export, {"export", path("run"), "--format", "word2vec-text", "--out",
                                    path("vectors.txt")});
  ASSERT_EQ(o.code, 0) << o.err;
  std::ifstream in(path("vectors.txt"));
  int64_t rows = 0, dim = 0;
  in >> rows >> dim;
  ASSERT_EQ(rows, 7);
  ASSERT_EQ(dim, 4);
  for (size_t r = 0; r < 7; ++r) {
    std::string word;
    in >> word;
    EXPECT_EQ(word, words_[r]);
    for (size_t c = 0; c < 4; ++c) {
      std::string value;
      in >> value;
      EXPECT_EQ(std::strtof(value.c_str(), nullptr), vectors_[r * 4 + c]) << word << " " << c;
    }
  }
  EXPECT_THAT(read_bytes(path("vectors.txt")), HasSubstr("\nking 0.70710677 0.70710677 0 0\n"));
}

TEST_F(Word2vecEvalTest, ExportsWord2vecBinary) {
  Outcome o = run(word2vec_export, {"export", path("run"), "--format", "word2vec-bin", "--out",
                                    path("vectors.bin"), "--limit", "3"});
  ASSERT_EQ(o.code, 0) << o.err;
  std::string bytes = read_bytes(path("vectors.bin"));
  std::string expected = "3 4\n";
  for (size_t r = 0; r < 3; ++r) {
    expected += words_[r] + " ";
    expected.append(reinterpret_cast<const char*>(&vectors_[r * 4]), 4 * sizeof(float));
    expected += "\n";
  }
  EXPECT_EQ(bytes, expected);
}

TEST_F(Word2vecEvalTest, ExportsForTheProjector) {
  Outcome o = run(word2vec_export,
                  {"export", path("run"), "--format", "projector", "--out", path("projector/new")});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(read_bytes(path("projector/new/metadata.tsv")),
            "UNK\nking\nqueen\nman\nwoman\napple\npear\n");
  std::string vectors = read_bytes(path("projector/new/vectors.tsv"));
  EXPECT_THAT(vectors, HasSubstr("\n0.70710677\t-0.70710677\t0\t0\n"));
  EXPECT_EQ(std::count(vectors.begin(), vectors.end(), '\n'), 7);
  EXPECT_EQ(read_bytes(path("projector/new/projector_config.pbtxt")),
            "embeddings {\n  tensor_name: \"embed_matrix\"\n  tensor_path: \"vectors.tsv\"\n"
            "  metadata_path: \"metadata.tsv\"\n}\n");
  // Nothing but the three files: the temporaries were renamed into place.
  EXPECT_EQ(std::distance(fs::directory_iterator(path("projector/new")), fs::directory_iterator()),
            3);
}

TEST_F(Word2vecEvalTest, ExportsAnHtmlMapAndItsSvg) {
  Outcome o = run(word2vec_export,
                  {"export", path("run"), "--format", "html", "--out", path("map.html")});
  ASSERT_EQ(o.code, 0) << o.err;
  std::string html = read_bytes(path("map.html"));
  for (const std::string& word : words_) EXPECT_THAT(html, HasSubstr("\"" + word + "\"")) << word;
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  std::string svg = read_bytes(path("map.svg"));
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_THAT(svg, HasSubstr(">queen<"));

  o = run(word2vec_export, {"export", path("run"), "--format", "html", "--out",
                            path("no/such/dir/map.html")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("no/such/dir/map.html"));
}

TEST_F(Word2vecEvalTest, NamesBadInput) {
  Outcome o = run(word2vec_eval, {"eval", path("nowhere"), "--analogies", path("questions.txt")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("'" + path("nowhere") + "' does not exist"));

  fs::create_directories(path("empty"));
  o = run(word2vec_neighbors, {"neighbors", path("empty"), "king"});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("without a 'checkpoint' file"));

  write_text(path("garbage.kckpt"), "not a checkpoint");
  o = run(word2vec_export,
          {"export", path("garbage.kckpt"), "--format", "word2vec-text", "--out", path("x.txt")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("garbage.kckpt"));
  EXPECT_FALSE(fs::exists(path("x.txt")));

  write_text(path("bad-questions.txt"), ": s\na b c d\na b c\n");
  o = run(word2vec_eval, {"eval", path("run"), "--analogies", path("bad-questions.txt")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr(path("bad-questions.txt") + ":3: expected four words"));

  write_text(path("headless.txt"), "a b c d\n");
  o = run(word2vec_eval, {"eval", path("run"), "--analogies", path("headless.txt")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr(path("headless.txt") + ":1: question before the first"));

  write_text(path("bad-pairs.tsv"), "# c\nking\tqueen\tlots\n");
  o = run(word2vec_eval, {"eval", path("run"), "--similarity", path("bad-pairs.tsv")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr(path("bad-pairs.tsv") + ":2: expected 'word1<TAB>word2<TAB>score'"));

  o = run(word2vec_eval, {"eval", path("run"), "--analogies", path("missing.txt")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("cannot read analogy questions '" + path("missing.txt") + "'"));

  o = run(word2vec_export,
          {"export", path("run"), "--format", "word2vec-text", "--out", path("no/such/dir/v.txt")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("v.txt"));

  save_run(path("other.kckpt"), {"UNK", "a"}, {1, 2, 3, 4, 5, 6}, 2);  // 3 rows, 2 words
  o = run(word2vec_eval, {"eval", path("other.kckpt"), "--analogies", path("questions.txt")});
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("for its vocabulary of 2 words"));
}

TEST_F(Word2vecEvalTest, UsageErrors) {
  EXPECT_EQ(run(word2vec_eval, {"eval", path("run")}).code, 2);  // nothing to evaluate
  EXPECT_EQ(run(word2vec_eval,
                {"eval", path("run"), "--analogies", path("questions.txt"), "--restrict", "0"})
                .code,
            2);
  EXPECT_EQ(run(word2vec_neighbors, {"neighbors", path("run")}).code, 2);  // no words
  EXPECT_EQ(run(word2vec_neighbors, {"neighbors", path("run"), "king", "-k", "x"}).code, 2);
  Outcome o = run(word2vec_export, {"export", path("run"), "--format", "csv", "--out", "x"});
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.err, HasSubstr("csv"));
  EXPECT_EQ(run(word2vec_export, {"export", path("run"), "--format", "projector"}).code, 2);
  o = run(word2vec_eval, {"eval", "--help"});
  EXPECT_EQ(o.code, 0);
  EXPECT_THAT(o.out, HasSubstr("--restrict"));
}

// The shared data folder (../shared/data beside the checkout) or $KILN_DATA_DIR.
fs::path shared_data() {
  if (const char* d = std::getenv("KILN_DATA_DIR")) return d;
  return fs::path(KILN_SOURCE_DIR).parent_path() / "shared" / "data";
}

// A table over the words of questions-words.txt (lower-cased) and WordSim-353 where, in each
// section, the second word of a pair is the first plus a section offset plus noise: analogies
// come out right often but not always (words serve in several sections), which is what a
// cross-check needs. Returns the words (UNK first).
std::vector<std::string> structured_table(const fs::path& questions, const fs::path& pairs,
                                          int64_t dim, std::vector<float>& vectors) {
  std::mt19937 rng(20261125);
  std::normal_distribution<float> normal(0, 1);
  std::map<std::string, int64_t> id;
  std::vector<std::string> words = {"UNK"};
  auto add = [&](const std::string& word) -> int64_t {
    auto [it, added] = id.emplace(fold_case(word), static_cast<int64_t>(words.size()));
    if (added) {
      words.push_back(it->first);
      for (int64_t j = 0; j < dim; ++j) vectors.push_back(normal(rng));
    }
    return it->second;
  };
  for (int64_t j = 0; j < dim; ++j) vectors.push_back(normal(rng));  // UNK
  std::vector<float> offset(static_cast<size_t>(dim));
  AnalogySet set = read_analogies(questions.string());
  int64_t section = -1;
  for (const AnalogyQuestion& q : set.questions) {
    if (q.section != section) {
      section = q.section;
      for (float& o : offset) o = 2 * normal(rng);
    }
    for (auto [first, second] : {std::pair{&q.a, &q.b}, std::pair{&q.c, &q.d}}) {
      const bool fresh = !id.count(fold_case(*second));
      const int64_t a = add(*first), b = add(*second);
      if (!fresh) continue;
      for (int64_t j = 0; j < dim; ++j)
        vectors[static_cast<size_t>(b * dim + j)] = vectors[static_cast<size_t>(a * dim + j)] +
                                                    offset[static_cast<size_t>(j)] +
                                                    0.7f * normal(rng);
    }
  }
  // Half of WordSim-353's pairs, so that the rest are skipped as unknown.
  PairSet ws = read_word_pairs(pairs.string());
  for (size_t i = 0; i < ws.pairs.size(); i += 2) {
    add(ws.pairs[i].first);
    add(ws.pairs[i].second);
  }
  return words;
}

TEST_F(Word2vecEvalTest, AgreesWithGensim) {
  const fs::path questions = shared_data() / "questions-words.txt";
  const fs::path pairs = shared_data() / "wordsim353.tsv";
  ASSERT_TRUE(fs::exists(questions) && fs::exists(pairs))
      << "the shared data folder is not at " << shared_data() << "; set KILN_DATA_DIR";
  std::vector<float> vectors;
  const int64_t dim = 16;
  std::vector<std::string> words = structured_table(questions, pairs, dim, vectors);
  save_run(path("big.kckpt"), words, vectors, dim);
  const std::string restrict_to = "700";  // of ~1,100 words: some questions go unseen

  Outcome o =
      run(word2vec_eval, {"eval", path("big.kckpt"), "--analogies", questions.string(),
                          "--similarity", pairs.string(), "--restrict", restrict_to, "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  const nlohmann::json ours = nlohmann::json::parse(o.out);
  for (const char* format : {"word2vec-text", "word2vec-bin"}) {
    ASSERT_EQ(run(word2vec_export,
                  {"export", path("big.kckpt"), "--format", format, "--out", path(format)})
                  .code,
              0);
  }

  const std::string script =
      (fs::path(KILN_SOURCE_DIR) / "models" / "word2vec_eval" / "eval_crosscheck.py").string();
  const std::string command = "python3 " + script + " --text " + path("word2vec-text") +
                              " --binary " + path("word2vec-bin") + " --analogies " +
                              questions.string() + " --similarity " + pairs.string() +
                              " --restrict " + restrict_to + " > " + path("gensim.json");
  const int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << command
                       << "\nfailed; if gensim is missing: python3 -m pip install gensim";
  const nlohmann::json theirs = nlohmann::json::parse(read_bytes(path("gensim.json")));

  // gensim read back exactly the vectors we wrote, in both formats.
  EXPECT_EQ(theirs["words"], static_cast<int64_t>(words.size()));
  EXPECT_EQ(theirs["dim"], dim);
  ASSERT_EQ(theirs["last_row"].size(), static_cast<size_t>(dim));
  for (int64_t j = 0; j < dim; ++j)
    EXPECT_NEAR(theirs["last_row"][static_cast<size_t>(j)].get<double>(),
                vectors[vectors.size() - static_cast<size_t>(dim - j)], 1e-6);

  const nlohmann::json& a = ours["analogies"];
  ASSERT_EQ(theirs["sections"].size(), a["sections"].size());
  for (size_t s = 0; s < a["sections"].size(); ++s) {
    SCOPED_TRACE(a["sections"][s]["section"].get<std::string>());
    EXPECT_EQ(theirs["sections"][s]["section"], a["sections"][s]["section"]);
    EXPECT_EQ(theirs["sections"][s]["correct"], a["sections"][s]["correct"]);
    EXPECT_EQ(theirs["sections"][s]["seen"], a["sections"][s]["seen"]);
  }
  EXPECT_GT(a["total"]["correct"].get<int64_t>(), 0);
  EXPECT_LT(a["total"]["correct"].get<int64_t>(), a["total"]["seen"].get<int64_t>());
  EXPECT_LT(a["total"]["seen"].get<int64_t>(), a["total"]["total"].get<int64_t>());
  EXPECT_NEAR(theirs["accuracy"].get<double>(), a["total"]["accuracy"].get<double>(), 1e-6);
  EXPECT_NEAR(theirs["spearman"].get<double>(), ours["similarity"][0]["spearman"].get<double>(),
              1e-6);
  EXPECT_EQ(theirs["pairs_used"], ours["similarity"][0]["used"]);
}

}  // namespace
}  // namespace word2vec
