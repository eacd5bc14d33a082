// kiln-word2vec's subcommands, flags, output formats and exit codes.
#include "word2vec/cli.h"

#include <unistd.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "kiln/data/csv.h"
#include "word2vec/commands.h"
#include "word2vec/train.h"

namespace word2vec {
namespace {

constexpr const char* kUsage =
    "usage: kiln-word2vec train --corpus FILE [flags]\n"
    "       kiln-word2vec eval DIR|FILE.kckpt --analogies FILE [--similarity FILE]\n"
    "       kiln-word2vec neighbors DIR|FILE.kckpt word...\n"
    "       kiln-word2vec export DIR|FILE.kckpt --format FORMAT --out PATH\n"
    "Each subcommand takes --help.\n";

nlohmann::json result_json(const TrainResult& r, const TrainOptions& o) {
  nlohmann::json average = nlohmann::json::object();
  for (const auto& [step, loss] : r.average_loss) average[std::to_string(step)] = loss;
  nlohmann::json j;
  j["average_loss"] = average;
  j["ms_per_step"] = r.ms_per_step();
  j["seconds"] = r.seconds;
  j["epochs"] = o.epochs;
  j["words_per_second"] = r.words_per_second;
  j["steps"] = r.step_losses.size();
  j["first_step"] = r.first_step;
  j["last_step"] = r.last_step;
  j["mode"] = o.mode == Mode::kCompiled ? "compiled" : "eager";
  j["recipe"] = o.recipe == Recipe::kSgns ? "sgns" : "cs20";
  j["threads"] = o.threads;
  j["seed"] = o.seed;
  if (o.recipe == Recipe::kSgns)
    j["learning_rate"] = r.learning_rates.empty() ? nlohmann::json(nullptr)
                                                  : nlohmann::json(r.learning_rates.back());
  j["compile_seconds"] = r.compile_seconds;
  j["vocabulary_size"] = r.vocabulary.size();
  j["checkpoint"] =
      r.checkpoints.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.checkpoints.back());
  return j;
}

int run_train(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "Trains the Stanford CS20 lecture-4 skip-gram model (word2vec_eager): vocabulary 50,000,\n"
      "skip window 1, batch 128, dimension 128, NCE loss with 64 log-uniform negatives, SGD\n"
      "lr 1.0 on the touched rows only. Prints 'Average loss at step N' every 5,000 steps.\n"
      "--recipe sgns: word2vec's skip-gram negative sampling: min count 5, window 5 (dynamic),\n"
      "subsampling 1e-4, 5 unigram^0.75 negatives per pair (64 rows shared per batch of 256\n"
      "pairs), lr 0.025 decaying linearly to 0.025e-4, on --threads N threads (Hogwild).",
      "kiln-word2vec train");
  TrainOptions o;
  std::string mode = "eager", recipe = "cs20";
  bool json = false;
  app.add_option("--corpus", o.corpus, "Whitespace-separated text (text8's format)")
      ->type_name("FILE")
      ->required();
  app.add_option("--recipe", recipe,
                 "cs20: the lecture's model and settings; sgns: word2vec's skip-gram negative\n"
                 "sampling (variables embed_matrix, context_matrix)")
      ->type_name("NAME")
      ->check(CLI::IsMember({"cs20", "sgns"}))
      ->capture_default_str();
  app.add_option("--mode", mode,
                 "eager: op by op with a GradientTape; compiled: the whole step (lookup, loss,\n"
                 "backward, sparse SGD) traced as one function, compiled once, run natively")
      ->type_name("MODE")
      ->check(CLI::IsMember({"eager", "compiled"}))
      ->capture_default_str();
  CLI::Option* steps =
      app.add_option("--steps", o.steps, "Train until global step N (a resumed run continues to N)")
          ->type_name("N")
          ->check(CLI::PositiveNumber);
  CLI::Option* epochs =
      app.add_option("--epochs", o.epochs, "Train for N passes over the corpus' pairs instead")
          ->type_name("N")
          ->check(CLI::PositiveNumber);
  steps->excludes(epochs);
  app.add_option("--seed", o.seed, "Seeds the initial weights and the negative sampler")
      ->type_name("S")
      ->capture_default_str();
  app.add_option("--checkpoint-dir", o.checkpoint_dir,
                 "Write DIR/ckpt-<step>.kckpt (variables, step, RNG and data position,\n"
                 "vocabulary), DIR/checkpoint naming the latest, and DIR/vocab.tsv")
      ->type_name("DIR");
  app.add_option("--checkpoint-every", o.checkpoint_every,
                 "Checkpoint every N steps (and at the end); 0: only at the end")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--resume", o.resume,
               "Continue bit-identically from --checkpoint-dir's latest checkpoint");
  app.add_option("--logdir", o.logdir,
                 "Write TensorBoard scalars (loss, words_per_second, learning_rate) to DIR")
      ->type_name("DIR");
  app.add_option("--emit-mlir", o.emit_mlir,
                 "After training, write train_step and neighbors traced into the kiln dialect\n"
                 "(for kiln-compile; .mlirbc: bytecode)")
      ->type_name("FILE");
  app.add_option("--report-every", o.report_every, "Average the loss over N steps")
      ->type_name("N")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI::Option* vocab_size =
      app.add_option("--vocab-size", o.max_vocab_size,
                     "Words kept, UNK included (sgns: every word seen 5 times unless given)")
          ->type_name("N")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  app.add_option("--dim", o.dim, "Embedding dimension")
      ->type_name("D")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  int64_t shared_negatives = 0;
  CLI::Option* shared =
      app.add_option("--shared-negatives", shared_negatives,
                     "sgns: negative rows drawn per batch and shared by its pairs, each pair\n"
                     "weighing them as 5 negatives (default 64)")
          ->type_name("K")
          ->check(CLI::Range(int64_t{5}, int64_t{1} << 20));
  app.add_option("--threads", o.threads,
                 "sgns: N threads updating the shared vectors without locks (Hogwild, as\n"
                 "word2vec.c), each on its own shard of the corpus with its own negatives and\n"
                 "learning-rate schedule. N > 1 is not bit-reproducible (the result depends on\n"
                 "how the threads interleave) and cannot --resume; its checkpoints are for\n"
                 "eval, neighbors and export")
      ->type_name("N")
      ->check(CLI::Range(int64_t{1}, int64_t{256}))
      ->capture_default_str();
  app.add_flag("--exact-math", o.exact_math,
               "compiled mode: f32 exp and log1p as libm calls, as eager mode computes them,\n"
               "instead of polynomials that vectorize (within a few ulp)");
  app.add_flag("--json", json, "Print the result as one JSON object on stdout, nothing else");

  try {
    app.parse(argc, argv);
    if (steps->count() == 0 && epochs->count() == 0)
      throw CLI::ValidationError("--steps", "give --steps N or --epochs N");
    if (o.resume && o.checkpoint_dir.empty())
      throw CLI::ValidationError("--resume", "needs --checkpoint-dir");
    if (shared->count() > 0 && recipe != "sgns")
      throw CLI::ValidationError("--shared-negatives", "is a setting of --recipe sgns");
    if (o.threads > 1 && recipe != "sgns")
      throw CLI::ValidationError("--threads", "is a setting of --recipe sgns");
    if (o.threads > 1 && o.resume)
      throw CLI::ValidationError("--resume",
                                 "needs --threads 1: a Hogwild run is not reproducible");
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "kiln-word2vec train: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  }
  o.mode = mode == "compiled" ? Mode::kCompiled : Mode::kEager;
  if (recipe == "sgns") {
    TrainOptions sgns = sgns_options();
    o.recipe = sgns.recipe;
    if (vocab_size->count() == 0) o.max_vocab_size = sgns.max_vocab_size;
    o.min_count = sgns.min_count;
    o.batch = sgns.batch;
    o.skip_window = sgns.skip_window;
    o.sample = sgns.sample;
    o.num_sampled = sgns.num_sampled;
    o.shared_negatives = shared->count() > 0 ? shared_negatives : sgns.shared_negatives;
    o.learning_rate = sgns.learning_rate;
  }
  o.log = json ? &err : &out;  // with --json, stdout carries the JSON alone
  o.progress_bar = !json && &out == &std::cout && isatty(STDOUT_FILENO) == 1;
  try {
    TrainResult r = train(o);
    if (json) {
      out << result_json(r, o).dump(2) << "\n";
    } else {
      out << "Trained steps " << r.first_step << " to " << r.last_step << " in " << r.seconds
          << " s (" << r.ms_per_step() << " ms/step, " << r.words_per_second << " words/s)\n";
      if (!r.checkpoints.empty()) out << "Saved " << r.checkpoints.back() << "\n";
      if (!o.emit_mlir.empty()) out << "Wrote " << o.emit_mlir << "\n";
    }
  } catch (const std::invalid_argument& e) {
    err << "kiln-word2vec train: " << e.what() << "\n";
    return kExitUsage;
  } catch (const kiln::data::DataError& e) {
    err << "kiln-word2vec train: " << e.detail() << "\n";
    return kExitBadInput;
  } catch (const kiln::Error& e) {
    err << "kiln-word2vec train: " << e.detail() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {  // file system errors: an unwritable directory
    err << "kiln-word2vec train: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace

int run_word2vec_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  if (argc < 2) {
    err << kUsage;
    return kExitUsage;
  }
  std::string command = argv[1];
  if (command == "--help" || command == "-h") {
    out << kUsage;
    return kExitOk;
  }
  if (command == "train") return run_train(argc - 1, argv + 1, out, err);
  if (command == "eval") return word2vec_eval(argc - 1, argv + 1, out, err);
  if (command == "neighbors") return word2vec_neighbors(argc - 1, argv + 1, out, err);
  if (command == "export") return word2vec_export(argc - 1, argv + 1, out, err);
  err << "kiln-word2vec: unknown subcommand '" << command << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace word2vec
