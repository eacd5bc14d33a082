// kiln-word2vec's eval, neighbors and export subcommands: flags, output and exit codes around
// the library functions of analogy.h, similarity.h, embeddings.h and export.h.
#include "word2vec/commands.h"

#include <cmath>
#include <ostream>

// GCC 12 reports a potential null dereference inside CLI11's detail::split (a vector of strings
// growing by emplace_back) when it is emitted out of line in this file: a false positive in the
// library, silenced for its header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "kiln/error.h"
#include "word2vec_eval/analogy.h"
#include "word2vec_eval/embeddings.h"
#include "word2vec_eval/export.h"
#include "word2vec_eval/similarity.h"

namespace word2vec {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;

// Parses argv with CLI11; returns the exit code to stop with, or -1 to go on.
int parse(CLI::App& app, int argc, char** argv, std::ostream& out, std::ostream& err) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << app.get_name() << ": " << e.what() << "\nRun '" << app.get_name()
        << " --help' for the flags.\n";
    return kExitUsage;
  }
  return -1;
}

std::string positive_integer(const std::string& text) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v > 0) return "";
  } catch (const std::exception&) {
  }
  return "must be a whole number > 0, got '" + text + "'";
}

void add_run(CLI::App& app, std::string& run) {
  app.add_option("run", run,
                 "A training run directory (its 'checkpoint' file names the latest\n"
                 "checkpoint) or a checkpoint file")
      ->type_name("DIR|FILE.kckpt")
      ->required();
}

nlohmann::json score_json(const AnalogyScore& s) {
  return {{"section", s.name},
          {"correct", s.correct},
          {"seen", s.seen},
          {"total", s.total},
          {"accuracy", s.accuracy()}};
}

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; }

void print_score(std::ostream& out, const AnalogyScore& s) {
  fmt::print(out, "  {:<28} {:6.2f}%  ({} / {} seen of {})\n", s.name, 100 * s.accuracy(),
             s.correct, s.seen, s.total);
}

}  // namespace

int word2vec_eval(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "Scores a run's embeddings: word-analogy accuracy as word2vec's compute-accuracy\n"
      "computes it, and Spearman's rank correlation with human word-similarity scores.",
      "kiln-word2vec eval");
  std::string run, analogies;
  std::vector<std::string> similarities;
  int64_t restrict_to = 30000;
  bool json = false;
  add_run(app, run);
  app.add_option("--analogies", analogies,
                 "Analogy questions (questions-words.txt: ': section' lines, then 'a b c d')")
      ->type_name("FILE");
  app.add_option("--similarity", similarities,
                 "Word pairs with human scores ('w1<TAB>w2<TAB>score', '#' comments), e.g.\n"
                 "wordsim353.tsv or simlex999.txt; may be given more than once")
      ->type_name("FILE");
  app.add_option("--restrict", restrict_to,
                 "Analogy candidates: the first N words of the vocabulary; questions with a\n"
                 "word outside them are not seen")
      ->type_name("N")
      ->check(CLI::Validator(positive_integer, ""))
      ->capture_default_str();
  app.add_flag("--json", json, "Print the results as one JSON object on stdout, and nothing else");
  if (int code = parse(app, argc, argv, out, err); code >= 0) return code;
  if (analogies.empty() && similarities.empty()) {
    err << app.get_name() << ": nothing to evaluate: give --analogies and/or --similarity\n";
    return kExitUsage;
  }

  nlohmann::json j;
  try {
    // Inputs are read before the checkpoint, so a typo in a path fails at once.
    std::optional<AnalogySet> questions;
    if (!analogies.empty()) questions = read_analogies(analogies);
    std::vector<PairSet> pair_sets;
    for (const std::string& path : similarities) pair_sets.push_back(read_word_pairs(path));
    const Embeddings embeddings = load_embeddings(run);
    j["checkpoint"] = embeddings.checkpoint;
    j["step"] = embeddings.step;
    if (!json)
      fmt::print(out, "{} (step {}): {} words x {}\n", embeddings.checkpoint, embeddings.step,
                 embeddings.rows(), embeddings.dim);
    if (questions) {
      const AnalogyResult r = evaluate_analogies(embeddings, *questions, restrict_to);
      nlohmann::json sections = nlohmann::json::array();
      for (const AnalogyScore& s : r.sections) sections.push_back(score_json(s));
      j["analogies"] = {{"file", analogies},
                        {"restrict", restrict_to},
                        {"sections", sections},
                        {"semantic", score_json(r.semantic)},
                        {"syntactic", score_json(r.syntactic)},
                        {"total", score_json(r.overall)},
                        {"seconds", r.seconds}};
      if (!json) {
        fmt::print(out, "Analogies ({}; candidates: the first {} words):\n", analogies,
                   restrict_to);
        for (const AnalogyScore& s : r.sections) print_score(out, s);
        print_score(out, r.semantic);
        print_score(out, r.syntactic);
        print_score(out, r.overall);
        fmt::print(out, "Questions seen / total: {} / {} ({:.2f}%), in {:.2f} s\n", r.overall.seen,
                   r.overall.total,
                   r.overall.total ? 100.0 * r.overall.seen / r.overall.total : 0.0, r.seconds);
      }
    }
    nlohmann::json sims = nlohmann::json::array();
    for (const PairSet& set : pair_sets) {
      const SimilarityResult r = evaluate_similarity(embeddings, set);
      sims.push_back({{"file", r.path},
                      {"pairs", r.pairs},
                      {"used", r.used},
                      {"spearman", number_or_null(r.spearman)}});
      if (!json)
        fmt::print(out, "{}: Spearman rho {:.4f} ({} of {} pairs; {} with unknown words)\n", r.path,
                   r.spearman, r.used, r.pairs, r.pairs - r.used);
    }
    if (!pair_sets.empty()) j["similarity"] = sims;
  } catch (const InputError& e) {
    err << app.get_name() << ": " << e.what() << "\n";
    return kExitBadInput;
  }
  if (json) out << j.dump() << "\n";
  return kExitOk;
}

int word2vec_neighbors(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app("The nearest words of each word by cosine similarity of their embeddings.",
               "kiln-word2vec neighbors");
  std::string run;
  std::vector<std::string> words;
  int64_t k = 10;
  bool json = false;
  add_run(app, run);
  app.add_option("words", words, "Words to look up (case-insensitive)")
      ->type_name("WORD...")
      ->required();
  app.add_option("-k", k, "Neighbours per word")
      ->type_name("K")
      ->check(CLI::Validator(positive_integer, ""))
      ->capture_default_str();
  app.add_flag("--json", json, "Print the results as one JSON object on stdout, and nothing else");
  if (int code = parse(app, argc, argv, out, err); code >= 0) return code;

  Embeddings embeddings;
  try {
    embeddings = load_embeddings(run);
  } catch (const InputError& e) {
    err << app.get_name() << ": " << e.what() << "\n";
    return kExitBadInput;
  }
  const auto index = case_folded_index(embeddings, embeddings.rows());
  const std::vector<float> unit = unit_rows(embeddings);
  std::vector<std::string> known, unknown;
  std::vector<float> queries;
  std::vector<std::vector<int64_t>> exclude;
  for (const std::string& w : words) {
    auto it = index.find(fold_case(w));
    if (it == index.end()) {
      unknown.push_back(w);
      continue;
    }
    known.push_back(w);
    queries.insert(queries.end(), unit.begin() + it->second * embeddings.dim,
                   unit.begin() + (it->second + 1) * embeddings.dim);
    exclude.push_back({it->second});
  }
  for (const std::string& w : unknown)
    err << app.get_name() << ": '" << w << "' is not in the vocabulary of " << embeddings.checkpoint
        << "\n";
  if (known.empty()) return kExitBadInput;

  const auto found = nearest(queries, static_cast<int64_t>(known.size()), unit, embeddings.dim,
                             embeddings.rows(), k, exclude);
  nlohmann::json j;
  j["checkpoint"] = embeddings.checkpoint;
  j["unknown"] = unknown;
  for (size_t i = 0; i < known.size(); ++i) {
    nlohmann::json list = nlohmann::json::array();
    if (!json) out << known[i] << ":";
    for (const Neighbor& nb : found[i]) {
      const std::string& word = embeddings.words[static_cast<size_t>(nb.id)];
      list.push_back({{"word", word}, {"similarity", nb.similarity}});
      if (!json) fmt::print(out, " {} ({:.3f})", word, nb.similarity);
    }
    if (!json) out << "\n";
    j["neighbors"][known[i]] = list;
  }
  if (json) out << j.dump() << "\n";
  return kExitOk;
}

int word2vec_export(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "Writes a run's embeddings for other tools: the word2vec tool's binary or text format\n"
      "(gensim's KeyedVectors.load_word2vec_format reads both), a directory for\n"
      "TensorBoard's embedding projector, or a self-contained HTML map (PCA and t-SNE) with\n"
      "an SVG of it beside it.",
      "kiln-word2vec export");
  std::string run, format, path;
  int64_t limit = 0;
  add_run(app, run);
  app.add_option("--format", format,
                 "word2vec-bin, word2vec-text, projector (vectors.tsv, metadata.tsv and\n"
                 "projector_config.pbtxt in the directory --out), or html (the page, and the\n"
                 "t-SNE map as an SVG with the same name ending in .svg)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"word2vec-bin", "word2vec-text", "projector", "html"}))
      ->required();
  app.add_option("--out", path, "The file (a directory for projector) to write")
      ->type_name("PATH")
      ->required();
  CLI::Option* limit_option =
      app.add_option("--limit", limit,
                     "Only the first N words (default: all; projector: 3000, as the lecture;\n"
                     "html: 1000, as exact t-SNE is quadratic in N)")
          ->type_name("N")
          ->check(CLI::Validator(positive_integer, ""));
  if (int code = parse(app, argc, argv, out, err); code >= 0) return code;
  if (limit_option->count() == 0)
    limit = format == "projector" ? 3000
            : format == "html"    ? 1000
                                  : std::numeric_limits<int64_t>::max();

  try {
    const Embeddings embeddings = load_embeddings(run);
    const int64_t rows = std::min(limit, embeddings.rows());
    if (format == "word2vec-bin") {
      export_word2vec_binary(embeddings, path, limit);
    } else if (format == "word2vec-text") {
      export_word2vec_text(embeddings, path, limit);
    } else if (format == "html") {
      export_html(embeddings, path, limit);
    } else {
      export_projector(embeddings, path, limit);
    }
    fmt::print(out, "Wrote {} ({}: {} words x {} from {})\n", path, format, rows, embeddings.dim,
               embeddings.checkpoint);
  } catch (const InputError& e) {
    err << app.get_name() << ": " << e.what() << "\n";
    return kExitBadInput;
  } catch (const kiln::Error& e) {  // writing the map: an unwritable path
    err << app.get_name() << ": " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace word2vec
