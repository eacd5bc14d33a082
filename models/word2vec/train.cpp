// The skip-gram training loop shared by eager and compiled steps: batches and negatives come
// from the host (kiln::data::SkipGramBatcher, the log-uniform sampler over one Generator),
// so both modes see the same data, and everything a run depends on is checkpointed.
#include "word2vec/train.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "compiler/CompiledModule.h"
#include "kiln/checkpoint.h"
#include "kiln/data/csv.h"
#include "kiln/data/skipgram.h"
#include "kiln/viz/tensorboard.h"
#include "word2vec/export_mlir.h"
#include "word2vec/model.h"

namespace word2vec {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string format_duration(double seconds) {
  auto s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  return fmt::format("{}m{:02}s", s / 60, s % 60);
}

// The index file TensorFlow's Saver keeps beside its checkpoints, written atomically so a
// crash leaves the previous one.
void write_checkpoint_index(const fs::path& dir, const std::string& name) {
  fs::path tmp = dir / "checkpoint.tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << "model_checkpoint_path: \"" << name << "\"\n";
    if (!f.flush())
      throw kiln::data::DataError("train", "cannot write " + tmp.string(), tmp.string(), 0);
  }
  fs::rename(tmp, dir / "checkpoint");
}

// The loop's own state (where the data stream is, the report window's partial loss sum)
// travels as checkpoint metadata, not as tensors: the runtime and standalone binaries
// restore a checkpoint only when its tensors are exactly the model's variables.
constexpr const char* kDataPositionKey = "data_position";  // SkipGramState, i64 fields
constexpr const char* kWindowLossKey = "window_loss_sum";  // a hexadecimal double
constexpr const char* kThreadsKey = "threads";             // a Hogwild run's thread count (never 1)

std::string encode_data_position(const kiln::data::SkipGramState& state) {
  std::string text;
  for (int64_t v : state.to_tensor().to_vector<int64_t>())
    text += (text.empty() ? "" : " ") + std::to_string(v);
  return text;
}

kiln::data::SkipGramState decode_data_position(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  std::vector<int64_t> fields;
  for (int64_t v; in >> v;) fields.push_back(v);
  if (!in.eof() || fields.size() != kiln::data::SkipGramState::kFields)
    throw kiln::data::DataError(
        "resume", "malformed " + std::string(kDataPositionKey) + " '" + text + "'", origin, 0);
  return kiln::data::SkipGramState::from_tensor(
      kiln::constant(fields, kiln::Shape{kiln::data::SkipGramState::kFields}));
}

std::string encode_double(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::hex);
  return std::string(buf, end);
}

double decode_double(const std::string& text, const std::string& origin) {
  double v = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::hex);
  if (ec != std::errc() || end != text.data() + text.size())
    throw kiln::data::DataError(
        "resume", "malformed " + std::string(kWindowLossKey) + " '" + text + "'", origin, 0);
  return v;
}

const std::string& metadata(const kiln::CheckpointFile& file, const std::string& key) {
  auto it = file.metadata().find(key);
  if (it == file.metadata().end())
    throw kiln::data::DataError("resume", "the checkpoint has no metadata '" + key + "'",
                                file.path(), 0);
  return it->second;
}

// A checkpoint of the other recipe does not fit this model: say so, not which tensor is missing.
void check_recipe(const kiln::CheckpointFile& file, const std::string& recipe) {
  const std::string& saved = metadata(file, "recipe");
  if (saved != recipe)
    throw kiln::data::DataError("resume",
                                "the checkpoint is of recipe '" + saved + "', not '" + recipe + "'",
                                file.path(), 0);
}

std::string encode_sgns_position(const kiln::data::SgnsState& state) {
  std::string text;
  for (int64_t v : state.to_tensor().to_vector<int64_t>())
    text += (text.empty() ? "" : " ") + std::to_string(v);
  return text;
}

kiln::data::SgnsState decode_sgns_position(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  std::vector<int64_t> fields;
  for (int64_t v; in >> v;) fields.push_back(v);
  if (!in.eof() || fields.size() != kiln::data::SgnsState::kFields)
    throw kiln::data::DataError(
        "resume", "malformed " + std::string(kDataPositionKey) + " '" + text + "'", origin, 0);
  return kiln::data::SgnsState::from_tensor(
      kiln::constant(fields, kiln::Shape{kiln::data::SgnsState::kFields}));
}

// One step's inputs, drawn on the host.
struct Batch {
  kiln::Tensor centers, targets;
  kiln::nn::SampledCandidates candidates;
};

// One checkpoint of a run: DIR/ckpt-<step>.kckpt with the variables, the generator, and as
// metadata the vocabulary, the batcher's position, the report window's loss sum and the
// recipe (and `threads` for a Hogwild run of several); then DIR/vocab.tsv and the
// DIR/checkpoint index. Returns the checkpoint's path.
std::string save_run_checkpoint(const std::string& checkpoint_dir, int64_t step,
                                const std::vector<kiln::Variable>& variables,
                                const kiln::Generator& gen, const kiln::data::Vocabulary& vocab,
                                const std::string& data_position, double window_sum,
                                const std::string& recipe, int64_t threads = 1) {
  std::string name = fmt::format("ckpt-{}.kckpt", step);
  fs::path dir(checkpoint_dir);
  kiln::CheckpointOptions options = kiln::CheckpointOptions()
                                        .with_step(step)
                                        .with_generator(gen)
                                        .with_metadata("vocabulary", vocab.serialize())
                                        .with_metadata(kDataPositionKey, data_position)
                                        .with_metadata(kWindowLossKey, encode_double(window_sum))
                                        .with_metadata("recipe", recipe);
  if (threads > 1) options.with_metadata(kThreadsKey, std::to_string(threads));
  kiln::save_checkpoint((dir / name).string(), variables, options);
  vocab.save((dir / "vocab.tsv").string());
  write_checkpoint_index(dir, name);
  return (dir / name).string();
}

}  // namespace

void check_options(const TrainOptions& o) {
  auto positive = [](int64_t v, const char* name) {
    if (v < 1) throw std::invalid_argument(fmt::format("{} must be at least 1, got {}", name, v));
  };
  if (o.corpus.empty()) throw std::invalid_argument("no corpus given");
  if (o.steps < 0 || o.epochs < 0 || (o.steps == 0) == (o.epochs == 0))
    throw std::invalid_argument("give exactly one of steps and epochs, a positive number");
  positive(o.threads, "the number of threads");
  if (o.threads > 1 && o.recipe != Recipe::kSgns)
    throw std::invalid_argument("several threads (Hogwild) are a setting of the sgns recipe");
  if (o.threads > 1 && o.resume)
    throw std::invalid_argument(
        "a run of several threads cannot resume: Hogwild training is not reproducible; resume "
        "with one thread from a one-thread checkpoint");
  if (o.recipe == Recipe::kSgns) {
    if (o.max_vocab_size < 0)
      throw std::invalid_argument(
          fmt::format("the vocabulary size must be >= 0, got {}", o.max_vocab_size));
    if (o.min_count < 0)
      throw std::invalid_argument(fmt::format("the min count must be >= 0, got {}", o.min_count));
    if (o.shared_negatives < o.num_sampled)
      throw std::invalid_argument(
          fmt::format("the shared negatives ({}) must be at least the negatives per pair ({})",
                      o.shared_negatives, o.num_sampled));
    if (!(o.sample >= 0) || !std::isfinite(o.sample))
      throw std::invalid_argument(
          fmt::format("the subsampling threshold must be a number >= 0, got {}", o.sample));
  } else {
    positive(o.max_vocab_size, "the vocabulary size");
  }
  positive(o.dim, "the dimension");
  positive(o.batch, "the batch size");
  positive(o.skip_window, "the skip window");
  positive(o.num_sampled, "the number of sampled classes");
  positive(o.report_every, "the report interval");
  if (o.checkpoint_every < 0)
    throw std::invalid_argument(
        fmt::format("the checkpoint interval must be >= 0, got {}", o.checkpoint_every));
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
    throw std::invalid_argument(
        fmt::format("the learning rate must be a positive number, got {}", o.learning_rate));
  if (o.resume && o.checkpoint_dir.empty())
    throw std::invalid_argument("resuming needs a checkpoint directory");
}

std::string latest_checkpoint(const std::string& dir) {
  fs::path index = fs::path(dir) / "checkpoint";
  std::ifstream f(index);
  if (!f)
    throw kiln::data::DataError("resume", "no checkpoint index " + index.string(), index.string(),
                                0);
  static const std::regex kLine(R"re(model_checkpoint_path:\s*"([^"]+)")re");
  std::string line;
  for (int64_t n = 1; std::getline(f, line); ++n) {
    std::smatch m;
    if (std::regex_search(line, m, kLine)) {
      fs::path p = m[1].str();
      return (p.is_absolute() ? p : fs::path(dir) / p).string();
    }
  }
  throw kiln::data::DataError("resume", "no model_checkpoint_path line", index.string(), 0);
}

TrainOptions sgns_options() {
  TrainOptions o;
  o.recipe = Recipe::kSgns;
  o.max_vocab_size = 0;
  o.min_count = 5;
  o.dim = 128;
  o.batch = 256;
  o.skip_window = 5;
  o.sample = 1e-4;
  o.num_sampled = 5;
  o.shared_negatives = 64;
  o.learning_rate = 0.025;
  return o;
}

namespace {

// One worker of the sgns loop. With one thread it is the run itself: the model's own
// variables, the run's generator (the one that drew the initial weights), the whole corpus,
// and the schedule over the run's global step. With several (Hogwild, as word2vec.c's
// threads), each has its own shard of the corpus, its own negative-sampler stream, its own
// learning-rate schedule over its share of the run, shared views of the model's variables
// (Variable::shared_view: updates land in the shared bytes, unlocked) and, compiled, its
// own compiled instance: calls of one CompiledModule must not run concurrently (they share
// the run-time status word).
struct SgnsWorker {
  explicit SgnsWorker(const SgnsModel& m) : model(m) {}
  SgnsModel model;
  kiln::Generator* gen = nullptr;  // the run's generator, or own_gen
  std::unique_ptr<kiln::Generator> own_gen;
  std::unique_ptr<kiln::data::SgnsBatcher> batcher;
  std::optional<kiln::CompiledModule> compiled;
  std::vector<kiln::Variable> call_variables;  // what compiled calls update
  int64_t step = 0;           // schedule position: steps taken (the global step, one thread)
  int64_t planned_steps = 0;  // under --steps: the schedule's end
  double planned_words = 0;   // under --epochs: the words this worker reads
  int64_t words_done = 0;     // published under the run's lock, for words/s
};

// A thread's own stream of negatives: the run's seed, counters from (thread + 1) * 2^40 on,
// far past anything the initialization or another thread draws.
constexpr uint64_t kThreadCounterStride = uint64_t{1} << 40;

// word2vec's skip-gram negative sampling: pairs from SgnsBatcher (subsampling, dynamic
// window), shared_negatives rows per batch from the unigram^0.75 table, the learning rate
// decaying linearly with the words processed (or the steps, under --steps). One thread: the
// negatives come from the run's one Generator (so eager and compiled runs see the same data)
// and checkpoints hold the batcher's position, so a resumed run continues bit-identically.
// Several threads: Hogwild (SgnsWorker), not reproducible and not resumable.
TrainResult train_sgns(const TrainOptions& o) {
  using kiln::data::Vocabulary;
  TrainResult result;
  std::optional<kiln::CheckpointFile> restored;
  if (o.resume) restored = kiln::load_checkpoint(latest_checkpoint(o.checkpoint_dir));
  if (restored) {
    check_recipe(*restored, "sgns");
    auto threads = restored->metadata().find(kThreadsKey);
    if (threads != restored->metadata().end())
      throw kiln::data::DataError(
          "resume",
          "the checkpoint was written by a Hogwild run of " + threads->second +
              " threads, which cannot be resumed (its threads' data positions and order of "
              "updates are not recorded)",
          restored->path(), 0);
    result.vocabulary =
        Vocabulary::deserialize(metadata(*restored, "vocabulary"), restored->path());
  } else {
    result.vocabulary = Vocabulary::build(o.corpus, o.max_vocab_size, o.min_count);
  }
  const Vocabulary& vocab = result.vocabulary;
  const int64_t vocab_size = vocab.size();
  if (vocab_size < 2 || vocab.total_tokens() - vocab.count(0) < 1)
    throw kiln::data::DataError(
        "train",
        fmt::format("{}: no word occurs at least {} times (the vocabulary is empty)", o.corpus,
                    o.min_count),
        o.corpus, 0);
  std::vector<int64_t> counts(static_cast<size_t>(vocab_size), 0);
  for (int64_t id = 1; id < vocab_size; ++id) counts[static_cast<size_t>(id)] = vocab.count(id);
  kiln::nn::UnigramSampler sampler(counts, 0.75);

  kiln::Generator gen(o.seed, 0, "word2vec/rng");
  SgnsModel model(vocab_size, o.dim, gen);
  const int64_t n_threads = o.threads;
  const bool hogwild = n_threads > 1;
  std::vector<std::unique_ptr<SgnsWorker>> workers;
  for (int64_t k = 0; k < n_threads; ++k) {
    auto w = std::make_unique<SgnsWorker>(model);
    kiln::data::SgnsOptions data = kiln::data::SgnsOptions()
                                       .window(o.skip_window)
                                       .sample(o.sample)
                                       .batch_size(o.batch)
                                       .seed(o.seed + static_cast<uint64_t>(k));
    if (hogwild) {
      data.shard(k, n_threads);
      w->model.embed_matrix = model.embed_matrix.shared_view();
      w->model.context_matrix = model.context_matrix.shared_view();
      w->own_gen = std::make_unique<kiln::Generator>(
          o.seed, static_cast<uint64_t>(k + 1) * kThreadCounterStride, "word2vec/rng");
      w->gen = w->own_gen.get();
    } else {
      w->gen = &gen;
    }
    w->batcher = std::make_unique<kiln::data::SgnsBatcher>(o.corpus, vocab, data);
    w->call_variables = w->model.variables();
    workers.push_back(std::move(w));
  }
  SgnsWorker& first = *workers[0];
  double window_sum = 0;
  if (restored) {
    kiln::restore_checkpoint(*restored, model.variables(),
                             kiln::RestoreOptions().with_generator(gen));
    first.batcher->restore(
        decode_sgns_position(metadata(*restored, kDataPositionKey), restored->path()));
    window_sum = decode_double(metadata(*restored, kWindowLossKey), restored->path());
    result.first_step = restored->step();
  }
  if (o.steps > 0 && o.steps < result.first_step)
    throw std::invalid_argument(fmt::format("the checkpoint is at step {}, past the last step {}",
                                            result.first_step, o.steps));
  // The learning rate decays over the planned words (word2vec: iter * train_words), or over
  // the planned steps when the run is given in steps; each worker over its share.
  const double planned_words =
      static_cast<double>(o.epochs) * static_cast<double>(first.batcher->words_per_epoch());
  for (int64_t k = 0; k < n_threads; ++k) {
    SgnsWorker& w = *workers[static_cast<size_t>(k)];
    w.planned_words = planned_words / static_cast<double>(n_threads);
    if (hogwild) {
      w.planned_steps = o.steps / n_threads + (k < o.steps % n_threads ? 1 : 0);
    } else {
      w.step = result.first_step;
      w.planned_steps = o.steps;
    }
    w.words_done = w.batcher->words_processed();
  }
  auto learning_rate = [&](const SgnsWorker& w) {
    double progress = o.steps > 0
                          ? static_cast<double>(w.step) / static_cast<double>(w.planned_steps)
                          : static_cast<double>(w.batcher->words_processed()) / w.planned_words;
    return o.learning_rate * std::max(1e-4, 1 - progress);
  };
  auto more = [&](const SgnsWorker& w) {
    return o.steps > 0 ? w.step < w.planned_steps
                       : static_cast<double>(w.batcher->words_processed()) < w.planned_words;
  };

  if (o.mode == Mode::kCompiled) {
    auto start = Clock::now();
    kiln::TracedModule traced = trace_sgns_step(model, o.batch, o.shared_negatives, o.num_sampled);
    if (hogwild) {
      // One instance per thread (their status words are their own), each running serially:
      // the threads are the parallelism, as in word2vec.c.
      for (auto& w : workers)
        w->compiled = kiln::compile(
            traced,
            kiln::compiler::CompileOptions().set_parallel(false).set_exact_math(o.exact_math));
    } else {
      first.compiled =
          kiln::compile(traced, kiln::compiler::CompileOptions().set_exact_math(o.exact_math));
      first.call_variables = traced.variables();
    }
    result.compile_seconds = seconds_since(start);
    if (o.log != nullptr)
      *o.log << fmt::format(
          "Compiled sgns_step in {:.2f} seconds{}\n", result.compile_seconds,
          hogwild ? fmt::format(" ({} instances, one per thread)", n_threads) : "");
  }

  std::unique_ptr<kiln::viz::SummaryWriter> summaries;
  if (!o.logdir.empty()) summaries = std::make_unique<kiln::viz::SummaryWriter>(o.logdir);
  if (!o.checkpoint_dir.empty()) fs::create_directories(o.checkpoint_dir);

  // What the workers share, guarded by `mu` when there are several: the global step, the
  // report window, the result's lists, the output and checkpoints.
  std::mutex mu;
  int64_t step = result.first_step;
  int64_t last_saved = -1;
  // A checkpoint holds the position and generator of `w` (the thread that writes it); a
  // Hogwild one also holds `threads`, which --resume refuses, and the weights as they were
  // while the other threads kept writing (for eval, neighbors and export).
  auto save = [&](int64_t at, const SgnsWorker& w) {
    result.checkpoints.push_back(save_run_checkpoint(
        o.checkpoint_dir, at, model.variables(), *w.gen, vocab,
        encode_sgns_position(w.batcher->state()), window_sum, "sgns", n_threads));
    last_saved = at;
  };
  auto words_done = [&] {
    int64_t words = 0;
    for (const auto& w : workers) words += w->words_done;
    return words;
  };
  const bool checkpointing = !o.checkpoint_dir.empty();
  const int64_t first_words = words_done();
  auto start = Clock::now();
  auto last_draw = start;
  // One step's bookkeeping, under `mu`.
  auto record = [&](SgnsWorker& w, double loss, double lr) {
    w.words_done = w.batcher->words_processed();
    result.step_losses.push_back(loss);
    result.learning_rates.push_back(lr);
    window_sum += loss;
    if ((step + 1) % o.report_every == 0) {
      double average = window_sum / static_cast<double>(o.report_every);
      result.average_loss[step] = average;
      window_sum = 0;
      double elapsed = seconds_since(start);
      double words_per_second = static_cast<double>(words_done() - first_words) / elapsed;
      if (o.log != nullptr) {
        if (o.progress_bar) *o.log << "\r\033[K";
        *o.log << fmt::format("Average loss at step {}: {:.4f}  learning rate {:.6f}", step,
                              average, lr)
               << std::endl;
      }
      if (summaries) {
        summaries->add_scalar("loss", average, step);
        summaries->add_scalar("learning_rate", lr, step);
        summaries->add_scalar("words_per_second", words_per_second, step);
        summaries->flush();
      }
    }
    if (checkpointing && o.checkpoint_every > 0 && (step + 1) % o.checkpoint_every == 0)
      save(step + 1, w);
    if (o.progress_bar && o.log != nullptr && seconds_since(last_draw) > 0.2) {
      last_draw = Clock::now();
      double elapsed = seconds_since(start);
      double words = static_cast<double>(words_done() - first_words);
      double total = o.steps > 0 ? static_cast<double>(o.steps) : planned_words;
      double done = o.steps > 0 ? static_cast<double>(step + 1 - result.first_step)
                                : static_cast<double>(words_done());
      double left = o.steps > 0 ? total - static_cast<double>(step + 1) : total - done;
      double rate = o.steps > 0 ? static_cast<double>(step + 1 - result.first_step) / elapsed
                                : words / elapsed;
      *o.log << fmt::format("\r\033[Kstep {}  loss {:.3f}  lr {:.5f}  {:.0f} words/s  ETA {}",
                            step + 1, loss, lr, words / elapsed,
                            format_duration(rate > 0 ? std::max(0.0, left) / rate : 0))
             << std::flush;
    }
    ++step;
  };
  std::atomic<bool> failed{false};
  auto run_worker = [&](SgnsWorker& w) {
    kiln::Tensor centers, contexts;
    const void* embed_bytes = model.embed_matrix.storage().raw();
    const void* context_bytes = model.context_matrix.storage().raw();
    while (!failed.load(std::memory_order_relaxed) && more(w)) {
      double lr = learning_rate(w);
      w.batcher->next(&centers, &contexts);
      kiln::Tensor negatives = sampler.sample(o.shared_negatives, *w.gen);
      kiln::Tensor lr_tensor = kiln::constant(static_cast<float>(lr));
      double loss;
      if (w.compiled) {
        kiln::CallResult r = w.compiled->call(
            "sgns_step", {centers, contexts, negatives, lr_tensor}, w.call_variables);
        loss = r.outputs.at(0).item();
      } else {
        loss = sgns_step(w.model, lr_tensor, centers, contexts, negatives, o.num_sampled).item();
      }
      ++w.step;
      std::unique_lock<std::mutex> lock(mu, std::defer_lock);
      if (hogwild) {
        // A view that copied (a snapshot alive at an update) would train alone, silently.
        if (w.model.embed_matrix.storage().raw() != embed_bytes ||
            w.model.context_matrix.storage().raw() != context_bytes)
          throw std::logic_error("a Hogwild thread's variables left the shared storage");
        lock.lock();
      }
      record(w, loss, lr);
    }
  };
  if (!hogwild) {
    run_worker(first);
  } else {
    std::vector<std::exception_ptr> errors(workers.size());
    std::vector<std::thread> threads;
    for (size_t k = 0; k < workers.size(); ++k)
      threads.emplace_back([&, k] {
        try {
          run_worker(*workers[k]);
        } catch (...) {
          errors[k] = std::current_exception();
          failed = true;
        }
      });
    for (std::thread& t : threads) t.join();
    for (const std::exception_ptr& e : errors)
      if (e) std::rethrow_exception(e);
  }
  result.seconds = seconds_since(start);
  if (o.progress_bar && o.log != nullptr) *o.log << "\r\033[K" << std::flush;
  result.last_step = step;
  if (result.seconds > 0)
    result.words_per_second = static_cast<double>(words_done() - first_words) / result.seconds;
  if (checkpointing && last_saved != step) save(step, first);
  if (!o.emit_mlir.empty()) {
    kiln::TracedModule module = trace_sgns_step(model, o.batch, o.shared_negatives, o.num_sampled);
    module.merge(trace_neighbors(model));
    module.save(o.emit_mlir);
  }
  workers.clear();  // the views, before the model's variables are handed out
  result.variables = model.variables();
  return result;
}

}  // namespace

TrainResult train(const TrainOptions& o) {
  check_options(o);
  if (o.recipe == Recipe::kSgns) return train_sgns(o);
  using kiln::data::Vocabulary;
  TrainResult result;

  std::optional<kiln::CheckpointFile> restored;
  if (o.resume) restored = kiln::load_checkpoint(latest_checkpoint(o.checkpoint_dir));
  if (restored) {
    check_recipe(*restored, "cs20");
    result.vocabulary =
        Vocabulary::deserialize(metadata(*restored, "vocabulary"), restored->path());
  } else {
    result.vocabulary = Vocabulary::build(o.corpus, o.max_vocab_size);
  }
  const Vocabulary& vocab = result.vocabulary;
  const int64_t vocab_size = vocab.size();
  if (vocab_size < o.num_sampled + 1)
    throw kiln::data::DataError(
        "train",
        fmt::format("{}: the vocabulary of {} words is too small for {} sampled classes", o.corpus,
                    vocab_size, o.num_sampled),
        o.corpus, 0);

  kiln::Generator gen(o.seed, 0, "word2vec/rng");
  SkipGramModel model(vocab_size, o.dim, gen);
  kiln::data::SkipGramBatcher batcher(
      o.corpus, vocab,
      kiln::data::SkipGramOptions().window(o.skip_window).batch_size(o.batch).seed(o.seed));
  // The report window's partial sum is state too: a resumed run reports the same averages.
  double window_sum = 0;
  if (restored) {
    kiln::restore_checkpoint(*restored, model.variables(),
                             kiln::RestoreOptions().with_generator(gen));
    batcher.restore(decode_data_position(metadata(*restored, kDataPositionKey), restored->path()));
    window_sum = decode_double(metadata(*restored, kWindowLossKey), restored->path());
    result.first_step = restored->step();
  }
  // Each center word yields 2 * skip_window pairs (fewer only at the corpus' ends).
  const double words_per_step =
      static_cast<double>(o.batch) / static_cast<double>(2 * o.skip_window);
  const int64_t last_step =
      o.steps > 0 ? o.steps
                  : static_cast<int64_t>(std::ceil(static_cast<double>(o.epochs) *
                                                   static_cast<double>(vocab.total_tokens()) /
                                                   words_per_step));
  if (last_step < result.first_step)
    throw std::invalid_argument(fmt::format("the checkpoint is at step {}, past the last step {}",
                                            result.first_step, last_step));

  std::optional<kiln::CompiledModule> compiled;
  std::vector<kiln::Variable> traced_variables;
  if (o.mode == Mode::kCompiled) {
    auto start = Clock::now();
    kiln::TracedModule traced = trace_train_step(model, o.learning_rate, o.batch, o.num_sampled);
    compiled = kiln::compile(traced, kiln::compiler::CompileOptions().set_exact_math(o.exact_math));
    traced_variables = traced.variables();
    result.compile_seconds = seconds_since(start);
    if (o.log != nullptr)
      *o.log << fmt::format("Compiled train_step in {:.2f} seconds\n", result.compile_seconds);
  }

  std::unique_ptr<kiln::viz::SummaryWriter> summaries;
  if (!o.logdir.empty()) summaries = std::make_unique<kiln::viz::SummaryWriter>(o.logdir);
  if (!o.checkpoint_dir.empty()) fs::create_directories(o.checkpoint_dir);

  int64_t last_saved = -1;
  auto save = [&](int64_t step) {
    result.checkpoints.push_back(save_run_checkpoint(o.checkpoint_dir, step, model.variables(), gen,
                                                     vocab, encode_data_position(batcher.state()),
                                                     window_sum, "cs20"));
    last_saved = step;
  };
  Batch b;
  auto start = Clock::now();
  auto last_draw = start;
  const bool checkpointing = !o.checkpoint_dir.empty();
  for (int64_t step = result.first_step; step < last_step; ++step) {
    batcher.next(&b.centers, &b.targets);
    b.candidates = kiln::nn::log_uniform_candidate_sampler(b.targets, o.num_sampled,
                                                           /*unique=*/true, vocab_size, gen);
    double loss;
    if (compiled) {
      kiln::CallResult r =
          compiled->call("train_step",
                         {b.centers, b.targets, b.candidates.sampled,
                          b.candidates.true_expected_count, b.candidates.sampled_expected_count},
                         traced_variables);
      loss = r.outputs.at(0).item();
    } else {
      loss = sgd_step(model, o.learning_rate, b.centers, b.targets, b.candidates).item();
    }
    result.step_losses.push_back(loss);
    window_sum += loss;
    if ((step + 1) % o.report_every == 0) {
      double average = window_sum / static_cast<double>(o.report_every);
      result.average_loss[step] = average;
      window_sum = 0;
      if (o.log != nullptr) {
        if (o.progress_bar) *o.log << "\r\033[K";
        *o.log << fmt::format("Average loss at step {}: {:.1f}", step, average) << std::endl;
      }
      if (summaries) {
        double elapsed = seconds_since(start);
        summaries->add_scalar("loss", average, step);
        summaries->add_scalar("learning_rate", o.learning_rate, step);
        summaries->add_scalar(
            "words_per_second",
            words_per_step * static_cast<double>(step + 1 - result.first_step) / elapsed, step);
        summaries->flush();
      }
    }
    if (checkpointing && o.checkpoint_every > 0 && (step + 1) % o.checkpoint_every == 0)
      save(step + 1);
    if (o.progress_bar && o.log != nullptr && seconds_since(last_draw) > 0.2) {
      last_draw = Clock::now();
      double elapsed = seconds_since(start);
      double done = static_cast<double>(step + 1 - result.first_step);
      *o.log << fmt::format(
                    "\r\033[Kstep {}/{}  loss {:.2f}  {:.0f} words/s  ETA {}", step + 1, last_step,
                    loss, words_per_step * done / elapsed,
                    format_duration(elapsed / done * static_cast<double>(last_step - step - 1)))
             << std::flush;
    }
  }
  result.seconds = seconds_since(start);
  if (o.progress_bar && o.log != nullptr) *o.log << "\r\033[K" << std::flush;
  result.last_step = last_step;
  if (result.seconds > 0)
    result.words_per_second =
        words_per_step * static_cast<double>(result.step_losses.size()) / result.seconds;
  if (checkpointing && last_saved != last_step) save(last_step);
  if (!o.emit_mlir.empty())
    trace_word2vec_functions(model, o.learning_rate, o.batch, o.num_sampled).save(o.emit_mlir);
  result.variables = model.variables();
  return result;
}

}  // namespace word2vec
