// kiln-huber's flags, output formats and exit codes.
#include "huber/cli.h"

#include <cmath>
#include <ostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "huber/compiled_train.h"
#include "huber/export.h"
#include "huber/fit_plot.h"
#include "huber/train.h"
#include "kiln/data/csv.h"

namespace huber {
namespace {

// CLI11 validators run on the text before conversion; these parse it themselves so that
// the message can say what is wrong with the value.
std::string positive_number(const std::string& text) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v) && v > 0) return "";
  } catch (const std::exception&) {
  }
  return "must be a positive number, got '" + text + "'";
}

std::string non_negative_integer(const std::string& text) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return "";
  } catch (const std::exception&) {
  }
  return "must be a whole number >= 0, got '" + text + "'";
}

std::string loss_name(const std::string& text) {
  if (parse_loss_kind(text)) return "";
  std::string known;
  for (std::string_view n : loss_kind_names())
    known += (known.empty() ? "" : ", ") + std::string(n);
  return "'" + text + "' is not a loss; choose one of " + known;
}

nlohmann::json result_json(const TrainResult& r, const TrainOptions& o, const std::string& mode) {
  nlohmann::json j;
  j["mode"] = mode;
  j["w"] = r.w;
  j["b"] = r.b;
  j["epoch_loss"] = r.epoch_loss;
  j["seconds"] = r.seconds;
  j["compile_seconds"] = mode == "compiled" ? nlohmann::json(r.compile_seconds) : nullptr;
  j["loss"] = loss_kind_name(o.loss);
  j["delta"] = o.loss == LossKind::kSquared ? nlohmann::json(nullptr) : nlohmann::json(o.delta);
  j["lr"] = o.learning_rate;
  j["epochs"] = o.epochs;
  j["data"] = r.data.source;
  j["examples"] = r.data.size();
  return j;
}

}  // namespace

int run_huber_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "Trains the Stanford CS20 lecture-4 regression of life expectancy on birth rate with\n"
      "Kiln, eagerly or compiled: per-example SGD in file order from w = b = 0. The defaults\n"
      "reproduce the lecture's eager Huber example.",
      "kiln-huber");
  TrainOptions options;
  std::string loss = "cs20-huber", plot_path;
  bool json = false;
  app.add_option("--data", options.data_path,
                 "Tab-separated table with columns 'Birth rate' and 'Life expectancy'.\n"
                 "Default: birth_life_2010.txt in $KILN_DATA_DIR, else in ../shared/data;\n"
                 "190 synthetic points when it is not there")
      ->type_name("FILE");
  app.add_option("--loss", loss,
                 "cs20-huber: t² if |t| <= m, else m(2|t| - m), as the lecture writes it;\n"
                 "huber: kiln::huber_loss, half of that; squared: t²")
      ->type_name("NAME")
      ->check(CLI::Validator(loss_name, ""))
      ->capture_default_str();
  CLI::Option* delta = app.add_option("--delta", options.delta,
                                      "Where the Huber losses turn linear (m in cs20-huber)")
                           ->type_name("D")
                           ->check(CLI::Validator(positive_number, ""))
                           ->capture_default_str();
  app.add_option("--lr", options.learning_rate, "SGD learning rate")
      ->type_name("LR")
      ->check(CLI::Validator(positive_number, ""))
      ->capture_default_str();
  app.add_option("--epochs", options.epochs,
                 "Passes over the data, in file order (0 with --restore: only evaluate)")
      ->type_name("N")
      ->check(CLI::Validator(non_negative_integer, ""))
      ->capture_default_str();
  std::string checkpoint_path, restore_path;
  app.add_option("--checkpoint", checkpoint_path,
                 "After training, save huber/w and huber/b to FILE (a Kiln checkpoint,\n"
                 "written atomically), with the step and the loss, delta, lr and epochs")
      ->type_name("FILE");
  app.add_option("--restore", restore_path,
                 "Start from the checkpoint FILE's huber/w and huber/b instead of 0")
      ->type_name("FILE");
  app.add_option("--plot", plot_path, "Draw the data, the fitted line and the least-squares line")
      ->type_name("FILE.svg");
  app.add_flag("--json", json,
               "Print the result as one JSON object on stdout, and nothing else there");
  std::string mode = "eager", dump_ir_dir;
  app.add_option("--mode", mode,
                 "eager: op by op, a GradientTape per example; compiled: one epoch traced\n"
                 "as one loop, compiled to native code once, called once per epoch")
      ->type_name("MODE")
      ->check(CLI::IsMember({"eager", "compiled"}))
      ->capture_default_str();
  CLI::Option* dump = app.add_option("--dump-ir-dir", dump_ir_dir,
                                     "With --mode compiled: write every compiler stage to DIR\n"
                                     "(00-traced.mlir, 01-canonicalized.mlir, ..., NN-module.s)")
                          ->type_name("DIR");
  std::string mlir_path;
  app.add_option(
         "--emit-mlir", mlir_path,
         "Also write the model's functions traced into the kiln MLIR dialect\n"
         "(predict, train_step, train, train_epoch) to FILE ('-' for stdout; .mlirbc: bytecode)")
      ->type_name("FILE");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "kiln-huber: " << e.what() << "\nRun 'kiln-huber --help' for the flags.\n";
    return kExitUsage;
  }
  options.loss = *parse_loss_kind(loss);
  if (delta->count() > 0 && options.loss == LossKind::kSquared) {
    err << "kiln-huber: --delta: applies to --loss cs20-huber and huber, not squared\n";
    return kExitUsage;
  }
  if (dump->count() > 0 && mode != "compiled") {
    err << "kiln-huber: --dump-ir-dir: applies to --mode compiled\n";
    return kExitUsage;
  }
  if (options.epochs == 0 && restore_path.empty()) {
    err << "kiln-huber: --epochs: must be a positive whole number, got '0' (0 needs --restore)\n";
    return kExitUsage;
  }
  if (!restore_path.empty()) {
    try {
      options.restore = kiln::load_checkpoint(restore_path);
    } catch (const kiln::Error& e) {
      err << "kiln-huber: --restore: " << e.detail() << "\n";
      return kExitBadInput;
    }
  }

  std::ostream& human = json ? err : out;  // with --json, stdout carries the JSON alone
  options.log = json ? nullptr : &out;
  options.notices = &err;
  try {
    TrainResult result = mode == "compiled"
                             ? train_compiled(load_data(options), options, {dump_ir_dir})
                             : train(options);
    if (!plot_path.empty()) {
      try {
        plot_fit(result, options).save(plot_path);
      } catch (const kiln::Error& e) {
        err << "kiln-huber: --plot: " << e.detail() << "\n";
        return kExitBadInput;
      }
      human << "Wrote " << plot_path << "\n";
    }
    if (!mlir_path.empty()) {
      kiln::TracedModule module =
          trace_huber_functions(options, static_cast<int64_t>(result.data.size()));
      if (mlir_path == "-") {
        human << module.mlir(/*with_locations=*/true);
      } else {
        module.save(mlir_path);
        human << "Wrote " << mlir_path << "\n";
      }
    }
    if (!checkpoint_path.empty()) {
      try {
        save_huber_checkpoint(checkpoint_path, result, options);
      } catch (const kiln::Error& e) {
        err << "kiln-huber: --checkpoint: " << e.detail() << "\n";
        return kExitBadInput;
      }
      human << "Saved " << checkpoint_path << " (step " << result.step << ")\n";
    }
    if (json) {
      nlohmann::json j = result_json(result, options, mode);
      if (!checkpoint_path.empty()) j["checkpoint"] = checkpoint_path;
      out << j.dump(2) << "\n";
    }
  } catch (const kiln::data::DataError& e) {
    err << "kiln-huber: " << e.detail() << "\n";
    return kExitBadInput;
  } catch (const std::invalid_argument& e) {
    err << "kiln-huber: " << e.what() << "\n";
    return kExitUsage;
  } catch (const kiln::Error& e) {
    if (e.op() == "restore_checkpoint") {  // a checkpoint of another model
      err << "kiln-huber: --restore: " << e.detail() << "\n";
      return kExitBadInput;
    }
    // Not expected; reported rather than aborting.
    err << "kiln-huber: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace huber
