// kiln-run and standalone executables: load a module, restore a checkpoint, read inputs
// (literals or .npy files), call a function (repeatedly if asked), write outputs as .npy,
// print them (or one JSON object), save the variables. No library beyond the runtime.
#include "runtime/src/cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "runtime/src/npy.h"
#include "runtime/src/status.h"
#include "runtime/src/vocabulary.h"

namespace kiln::rt {
namespace {

constexpr int kExitOk = 0, kExitBadInput = 1, kExitUsage = 2;

struct Options {
  std::string artifact, function, checkpoint, save_checkpoint, output_dir;
  std::string device = "cpu";
  std::vector<std::string> inputs;  // NAME=VALUE or VALUE
  std::vector<std::string> words;   // positional: the values of the input that takes words
  bool json = false, list = false;
  long long repeat = 1;
  long long step = -1;
};

void print_usage(FILE* f, const char* program, bool linked) {
  std::fprintf(f,
               "usage: %s %s[--function NAME] [--checkpoint FILE] [--input NAME=VALUE]...\n"
               "       [--output-dir DIR] [--json] [--repeat N] [--save-checkpoint FILE]\n"
               "       [--step N] [--list] [--device cpu|cuda] [WORD...]\n"
               "\n"
               "  --function NAME        the function to call (optional when there is one)\n"
               "  --checkpoint FILE      restore the variables from a .kckpt checkpoint\n"
               "  --input NAME=VALUE     an input: a literal ([1.8,3.9], 2.5, [[1,2],[3,4]])\n"
               "                         or @file.npy; NAME= may be left out to go in order;\n"
               "                         an input of vocabulary ids takes words (king,france)\n"
               "  WORD...                the words of the one input that takes words (its\n"
               "                         vocabulary is in the --checkpoint; --list shows it);\n"
               "                         outputs of vocabulary ids print as words\n"
               "  --output-dir DIR       write each output as DIR/NAME.npy\n"
               "  --json                 print one JSON object on stdout\n"
               "  --repeat N             call the function N times (variables carry over)\n"
               "  --save-checkpoint FILE save the variables afterwards (atomically)\n"
               "  --step N               the step recorded in --save-checkpoint (default: the\n"
               "                         restored checkpoint's step plus N calls)\n"
               "  --list                 print the functions and variables, then exit\n"
               "  --device cpu|cuda      where to run (cuda: a --target=cuda:sm_XX artifact on\n"
               "                         an NVIDIA GPU, through libcuda.so.1; default cpu)\n"
               "\n"
               "exit codes: 0 success, 1 bad input, 2 usage\n",
               program, linked ? "" : "ARTIFACT.kiln ");
}

// Throws a usage error for a bad command line.
struct UsageError {
  std::string message;
};

long long parse_count(const std::string& flag, const std::string& text, long long min) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < min)
    throw UsageError{flag + " takes an integer >= " + std::to_string(min) + ", got '" + text + "'"};
  return v;
}

Options parse_args(int argc, char** argv, bool linked) {
  Options o;
  auto value = [&](int& i, const std::string& flag) -> std::string {
    std::string arg = argv[i];
    if (arg.size() > flag.size() && arg[flag.size()] == '=') return arg.substr(flag.size() + 1);
    if (i + 1 >= argc) throw UsageError{flag + " needs a value"};
    return argv[++i];
  };
  auto is = [](const std::string& arg, const char* flag) {
    size_t n = std::strlen(flag);
    return arg.compare(0, n, flag) == 0 && (arg.size() == n || arg[n] == '=');
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") throw UsageError{""};
    if (is(arg, "--function")) o.function = value(i, "--function");
    else if (is(arg, "--checkpoint")) o.checkpoint = value(i, "--checkpoint");
    else if (is(arg, "--save-checkpoint")) o.save_checkpoint = value(i, "--save-checkpoint");
    else if (is(arg, "--output-dir")) o.output_dir = value(i, "--output-dir");
    else if (is(arg, "--device")) {
      o.device = value(i, "--device");
      if (o.device != "cpu" && o.device != "cuda")
        throw UsageError{"--device takes cpu or cuda, got '" + o.device + "'"};
    }
    else if (is(arg, "--input")) o.inputs.push_back(value(i, "--input"));
    else if (is(arg, "--repeat")) o.repeat = parse_count("--repeat", value(i, "--repeat"), 1);
    else if (is(arg, "--step")) o.step = parse_count("--step", value(i, "--step"), 0);
    else if (arg == "--json") o.json = true;
    else if (arg == "--list") o.list = true;
    else if (arg.size() > 1 && arg[0] == '-') throw UsageError{"unknown option '" + arg + "'"};
    else if (!linked && o.artifact.empty()) o.artifact = arg;
    else o.words.push_back(arg);
  }
  if (!linked && o.artifact.empty()) throw UsageError{"no artifact given"};
  return o;
}

// Throws the status as an Error (nothing when it is NULL).
void check(kiln_status s) {
  if (!s) return;
  Error e(kiln_status_get_code(s), kiln_status_message(s));
  kiln_status_free(s);
  throw e;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string shape_json(const kiln_tensor_view& v) {
  std::string s = "[";
  for (int i = 0; i < v.rank; ++i) s += (i ? ", " : "") + std::to_string(v.shape[i]);
  return s + "]";
}

int64_t element_count(const kiln_tensor_view& v) {
  int64_t n = 1;
  for (int i = 0; i < v.rank; ++i) n *= v.shape[i];
  return n;
}

// Element i as text: floats with 9 (f32) or 17 (f64) significant digits so that values
// round-trip; JSON has no NaN or infinity, so those become null there.
std::string element(const kiln_tensor_view& v, int64_t i, bool json) {
  char buf[40];
  auto real = [&](double x, int digits) {
    if (!std::isfinite(x)) return std::string(json ? "null" : (std::isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf")));
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    return std::string(buf);
  };
  switch (v.dtype) {
    case KILN_F32: return real(static_cast<const float*>(v.data)[i], json ? 9 : 6);
    case KILN_F64: return real(static_cast<const double*>(v.data)[i], json ? 17 : 6);
    case KILN_I32: return std::to_string(static_cast<const int32_t*>(v.data)[i]);
    case KILN_I64: return std::to_string(static_cast<const int64_t*>(v.data)[i]);
    case KILN_BOOL: return static_cast<const uint8_t*>(v.data)[i] ? "true" : "false";
  }
  return "?";
}

int64_t id_at(const kiln_tensor_view& v, int64_t i) {
  return v.dtype == KILN_I32 ? static_cast<const int32_t*>(v.data)[i]
                             : static_cast<const int64_t*>(v.data)[i];
}

// Element i, or with a vocabulary the token of the id there (quoted in JSON).
std::string element_or_word(const kiln_tensor_view& v, int64_t i, bool json,
                            const Vocabulary* vocabulary) {
  if (!vocabulary) return element(v, i, json);
  std::string token = vocabulary->token(id_at(v, i));
  return json ? "\"" + json_escape(token) + "\"" : token;
}

// Elements [begin, end), flat, NumPy-style abbreviated beyond `limit` elements for people.
std::string values_text(const kiln_tensor_view& v, bool json, int64_t limit, int64_t begin,
                        int64_t end, const Vocabulary* vocabulary = nullptr) {
  if (v.rank == 0) return element_or_word(v, 0, json, vocabulary);
  int64_t n = end - begin;
  std::string s = "[";
  for (int64_t i = 0; i < n; ++i) {
    if (!json && n > limit && i == limit / 2) {
      s += "..., ";
      i = n - limit / 2;
    }
    s += element_or_word(v, begin + i, json, vocabulary) + (i + 1 < n ? ", " : "");
  }
  return s + "]";
}

std::string values_text(const kiln_tensor_view& v, bool json, int64_t limit,
                        const Vocabulary* vocabulary = nullptr) {
  return values_text(v, json, limit, 0, element_count(v), vocabulary);
}

std::string dims(const kiln_tensor_view& v) {
  std::string s = std::string(kiln_dtype_name(v.dtype)) + "[";
  for (int i = 0; i < v.rank; ++i) s += (i ? ", " : "") + std::to_string(v.shape[i]);
  return s + "]";
}

int list_module(const kiln_module* m, bool json) {
  size_t nf = kiln_module_function_count(m);
  std::string out = json ? "{\"functions\": [" : "";
  for (size_t f = 0; f < nf; ++f) {
    // The inputs or outputs of function f: "x: f32[N], ..." and their JSON objects.
    auto tensors = [&](bool outputs, std::string& text, std::string& json_list) {
      size_t n = outputs ? kiln_module_function_output_count(m, f)
                         : kiln_module_function_input_count(m, f);
      for (size_t k = 0; k < n; ++k) {
        const char* name = nullptr;
        kiln_tensor_view spec{};
        check(outputs ? kiln_module_function_output(m, f, k, &name, &spec)
                      : kiln_module_function_input(m, f, k, &name, &spec));
        std::string d = dims(spec);
        if (kiln_module_function_is_batched(m, f)) d.replace(d.find('[') + 1, 1, "N");
        const char* vocabulary = outputs ? kiln_module_function_output_vocabulary(m, f, k)
                                         : kiln_module_function_input_vocabulary(m, f, k);
        text += (k ? ", " : "") + std::string(name) + ": " + d;
        if (vocabulary) text += " (words of '" + std::string(vocabulary) + "')";
        json_list += std::string(k ? ", " : "") + "{\"name\": \"" + json_escape(name) +
                     "\", \"type\": \"" + d + "\"";
        if (vocabulary) json_list += ", \"vocabulary\": \"" + json_escape(vocabulary) + "\"";
        json_list += "}";
      }
    };
    std::string sig = std::string(kiln_module_function_name(m, f)) + "(";
    std::string jin, jout;
    tensors(false, sig, jin);
    sig += ") -> (";
    tensors(true, sig, jout);
    sig += ")";
    if (json)
      out += std::string(f ? ", " : "") + "{\"name\": \"" + json_escape(kiln_module_function_name(m, f)) +
             "\", \"inputs\": [" + jin + "], \"outputs\": [" + jout + "]}";
    else
      out += "function " + sig + "\n";
  }
  if (json) out += "], \"variables\": [";
  for (size_t i = 0; i < kiln_module_variable_count(m); ++i) {
    const char* name = nullptr;
    kiln_tensor_view spec{};
    check(kiln_module_variable(m, i, &name, &spec));
    if (json)
      out += std::string(i ? ", " : "") + "{\"name\": \"" + json_escape(name) + "\", \"type\": \"" + dims(spec) + "\"}";
    else
      out += "variable " + std::string(name) + ": " + dims(spec) + "\n";
  }
  if (json) out += "]}\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int run(const Options& o, const kiln_static_model* linked) {
  kiln_module* module = nullptr;
  kiln_instance* instance = nullptr;
  kiln_checkpoint* checkpoint = nullptr;
  kiln_result* result = nullptr;
  struct Cleanup {
    kiln_module*& m;
    kiln_instance*& i;
    kiln_checkpoint*& c;
    kiln_result*& r;
    ~Cleanup() {
      kiln_result_free(r);
      kiln_checkpoint_close(c);
      kiln_instance_free(i);
      kiln_module_free(m);
    }
  } cleanup{module, instance, checkpoint, result};

  check(linked ? kiln_module_load_static(linked, &module)
               : kiln_module_load(o.artifact.c_str(), &module));
  if (o.list) return list_module(module, o.json);

  int64_t fn = -1;
  size_t nf = kiln_module_function_count(module);
  if (o.function.empty()) {
    if (nf != 1) {
      std::string names;
      for (size_t f = 0; f < nf; ++f) names += (f ? ", " : "") + std::string(kiln_module_function_name(module, f));
      throw UsageError{"the module has " + std::to_string(nf) +
                       " functions; choose one with --function (" + names + ")"};
    }
    fn = 0;
  } else {
    fn = kiln_module_find_function(module, o.function.c_str());
    if (fn < 0) {
      std::string names;
      for (size_t f = 0; f < nf; ++f) names += (f ? ", " : "") + std::string(kiln_module_function_name(module, f));
      throw UsageError{"the module has no function '" + o.function + "' (it has: " + names + ")"};
    }
  }
  auto f = static_cast<size_t>(fn);
  std::string fn_name = kiln_module_function_name(module, f);

  check(kiln_instance_create_on_device(module, o.device.c_str(), &instance));
  if (o.device != "cpu") std::fprintf(stderr, "device: %s\n", kiln_instance_device(instance));
  int64_t step = 0;
  if (!o.checkpoint.empty()) {
    check(kiln_checkpoint_open(o.checkpoint.c_str(), &checkpoint));
    check(kiln_instance_restore(instance, checkpoint, fn_name.c_str()));
    step = kiln_checkpoint_step(checkpoint);
  }

  // Vocabularies of inputs and outputs that hold ids, read from the checkpoint's metadata
  // once each.
  std::map<std::string, Vocabulary> vocabularies;
  auto vocabulary = [&](const char* key, const std::string& what) -> const Vocabulary& {
    auto it = vocabularies.find(key);
    if (it != vocabularies.end()) return it->second;
    if (!checkpoint)
      throw UsageError{what + " holds ids of the vocabulary '" + key +
                       "', which is in the checkpoint's metadata: give --checkpoint FILE"};
    for (size_t k = 0, n = kiln_checkpoint_metadata_count(checkpoint); k < n; ++k) {
      const char* meta_key = nullptr;
      const char* value = nullptr;
      check(kiln_checkpoint_metadata(checkpoint, k, &meta_key, &value));
      if (std::strcmp(meta_key, key) == 0)
        return vocabularies
            .emplace(key, Vocabulary::parse(value ? value : "",
                                            o.checkpoint + ": metadata '" + key + "'"))
            .first->second;
    }
    bad_input(o.checkpoint + " has no metadata '" + key + "' (the vocabulary of " + what + ")");
  };
  // Words to ids: a 1-D tensor of the input's id dtype.
  auto ids_of_words = [&](const std::vector<std::string>& words, size_t index,
                          const std::string& what) {
    const char* key = kiln_module_function_input_vocabulary(module, f, index);
    kiln_tensor_view spec{};
    check(kiln_module_function_input(module, f, index, nullptr, &spec));
    if (spec.rank != 1)
      throw UsageError{what + " has " + std::to_string(spec.rank) +
                       " dimensions; only a 1-D input takes words (give @ids.npy)"};
    const Vocabulary& vocab = vocabulary(key, what);
    HostTensor t;
    t.dtype = spec.dtype;
    t.shape = {static_cast<int64_t>(words.size())};
    t.bytes.resize(words.size() * kiln_dtype_size(spec.dtype));
    for (size_t k = 0; k < words.size(); ++k) {
      int64_t id = vocab.find(words[k]);
      if (id < 0)
        bad_input(what + ": '" + words[k] + "' is not in the vocabulary '" + key + "' of " +
                  o.checkpoint + " (" + std::to_string(vocab.size()) + " words)");
      if (spec.dtype == KILN_I32)
        reinterpret_cast<int32_t*>(t.bytes.data())[k] = static_cast<int32_t>(id);
      else
        reinterpret_cast<int64_t*>(t.bytes.data())[k] = id;
    }
    return t;
  };

  // Inputs by name or in order.
  size_t n_inputs = kiln_module_function_input_count(module, f);
  std::vector<HostTensor> values(n_inputs);
  std::vector<bool> given(n_inputs, false);
  size_t next = 0;
  for (const std::string& text : o.inputs) {
    size_t eq = text.find('=');
    size_t index = n_inputs;
    std::string value = text;
    if (eq != std::string::npos && text[0] != '[' && text[0] != '@') {
      std::string name = text.substr(0, eq);
      value = text.substr(eq + 1);
      for (size_t k = 0; k < n_inputs; ++k) {
        const char* input_name = nullptr;
        check(kiln_module_function_input(module, f, k, &input_name, nullptr));
        if (name == input_name) index = k;
      }
      if (index == n_inputs) {
        std::string names;
        for (size_t k = 0; k < n_inputs; ++k) {
          const char* input_name = nullptr;
          check(kiln_module_function_input(module, f, k, &input_name, nullptr));
          names += (k ? ", " : "") + std::string(input_name);
        }
        throw UsageError{"function '" + fn_name + "' has no input '" + name + "' (its inputs: " +
                         (names.empty() ? "none" : names) + ")"};
      }
    } else {
      while (next < n_inputs && given[next]) ++next;
      index = next;
      if (index >= n_inputs)
        throw UsageError{"function '" + fn_name + "' takes " + std::to_string(n_inputs) +
                         " inputs; too many --input values"};
    }
    if (given[index]) throw UsageError{"input " + std::to_string(index) + " is given twice"};
    const char* input_name = nullptr;
    kiln_tensor_view spec{};
    check(kiln_module_function_input(module, f, index, &input_name, &spec));
    std::string what = std::string("--input ") + input_name;
    values[index] = kiln_module_function_input_vocabulary(module, f, index) && value[0] != '@'
                        ? ids_of_words(split_words(value, what), index, what)
                        : parse_input_value(value, spec.dtype, what);
    given[index] = true;
  }
  // Positional words: the one input that takes words and was not given otherwise.
  std::vector<std::string> row_labels;  // a batched function's rows, named by their words
  if (!o.words.empty()) {
    std::vector<size_t> takers;
    for (size_t k = 0; k < n_inputs; ++k)
      if (!given[k] && kiln_module_function_input_vocabulary(module, f, k)) takers.push_back(k);
    if (takers.size() != 1)
      throw UsageError{"unexpected argument '" + o.words[0] + "': " +
                       (takers.empty()
                            ? "function '" + fn_name + "' has no input that takes words left"
                            : "several inputs of '" + fn_name +
                                  "' take words; give each with --input NAME=word,...")};
    const char* input_name = nullptr;
    check(kiln_module_function_input(module, f, takers[0], &input_name, nullptr));
    values[takers[0]] = ids_of_words(o.words, takers[0], std::string("input ") + input_name);
    given[takers[0]] = true;
    if (kiln_module_function_is_batched(module, f)) row_labels = o.words;
  }
  std::vector<kiln_tensor_view> views;
  for (size_t k = 0; k < n_inputs; ++k) {
    const char* input_name = nullptr;
    check(kiln_module_function_input(module, f, k, &input_name, nullptr));
    if (!given[k])
      throw UsageError{"function '" + fn_name + "' needs input '" + input_name +
                       "' (--input " + input_name + "=...)"};
    views.push_back(values[k].view());
  }

  auto start = std::chrono::steady_clock::now();
  for (long long r = 0; r < o.repeat; ++r) {
    kiln_result_free(result);
    result = nullptr;
    check(kiln_instance_call(instance, fn_name.c_str(), views.data(), views.size(), &result));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t n_out = kiln_result_output_count(result);
  std::vector<std::string> names(n_out);
  std::vector<kiln_tensor_view> outs(n_out);
  std::vector<const Vocabulary*> out_vocabularies(n_out, nullptr);
  for (size_t k = 0; k < n_out; ++k) {
    const char* name = nullptr;
    check(kiln_module_function_output(module, f, k, &name, nullptr));
    names[k] = name;
    check(kiln_result_output(result, k, &outs[k]));
    if (const char* key = kiln_module_function_output_vocabulary(module, f, k))
      out_vocabularies[k] = &vocabulary(key, "output '" + names[k] + "'");
  }
  if (!o.output_dir.empty()) {
    if (mkdir(o.output_dir.c_str(), 0777) != 0 && errno != EEXIST)
      bad_input("cannot create --output-dir '" + o.output_dir + "': " + std::strerror(errno));
    for (size_t k = 0; k < n_out; ++k) write_npy(o.output_dir + "/" + names[k] + ".npy", outs[k]);
  }
  if (!o.save_checkpoint.empty())
    check(kiln_instance_save(instance, o.save_checkpoint.c_str(),
                             o.step >= 0 ? o.step : step + o.repeat));

  if (o.json) {
    std::string s = "{\"function\": \"" + json_escape(fn_name) + "\", \"calls\": " +
                    std::to_string(o.repeat) + ", \"seconds\": " + std::to_string(seconds) +
                    ", \"outputs\": {";
    for (size_t k = 0; k < n_out; ++k)
      s += std::string(k ? ", " : "") + "\"" + json_escape(names[k]) + "\": {\"dtype\": \"" +
           kiln_dtype_name(outs[k].dtype) + "\", \"shape\": " + shape_json(outs[k]) +
           ", \"values\": " + values_text(outs[k], true, 0) +
           (out_vocabularies[k]
                ? ", \"words\": " + values_text(outs[k], true, 0, out_vocabularies[k])
                : std::string()) +
           "}";
    s += "}";
    if (!o.save_checkpoint.empty()) s += ", \"checkpoint\": \"" + json_escape(o.save_checkpoint) + "\"";
    s += "}\n";
    std::fputs(s.c_str(), stdout);
  } else if (!row_labels.empty()) {
    // A batched function asked about words: each word with its row of every output.
    const auto rows = static_cast<int64_t>(row_labels.size());
    for (int64_t r = 0; r < rows; ++r) {
      std::printf("%s\n", row_labels[static_cast<size_t>(r)].c_str());
      for (size_t k = 0; k < n_out; ++k) {
        int64_t per_row = element_count(outs[k]) / rows;
        std::printf(
            "  %s: %s\n", names[k].c_str(),
            values_text(outs[k], false, 20, r * per_row, (r + 1) * per_row, out_vocabularies[k])
                .c_str());
      }
    }
  } else {
    for (size_t k = 0; k < n_out; ++k)
      std::printf("%s: %s = %s\n", names[k].c_str(), dims(outs[k]).c_str(),
                  values_text(outs[k], false, 20, out_vocabularies[k]).c_str());
    if (o.repeat > 1)
      std::printf("%lld calls in %.6f s (%.3f us per call)\n", o.repeat, seconds,
                  seconds * 1e6 / static_cast<double>(o.repeat));
    if (!o.output_dir.empty()) std::printf("outputs written to %s/\n", o.output_dir.c_str());
    if (!o.save_checkpoint.empty()) std::printf("checkpoint saved to %s\n", o.save_checkpoint.c_str());
  }
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv, const kiln_static_model* linked) {
  const char* program = argc > 0 ? argv[0] : (linked ? "model" : "kiln-run");
  if (const char* slash = std::strrchr(program, '/')) program = slash + 1;
  try {
    Options o = parse_args(argc, argv, linked != nullptr);
    return run(o, linked);
  } catch (const UsageError& e) {
    if (e.message.empty()) {
      print_usage(stdout, program, linked != nullptr);
      return kExitOk;
    }
    std::fprintf(stderr, "%s: %s\n", program, e.message.c_str());
    print_usage(stderr, program, linked != nullptr);
    return kExitUsage;
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return e.code() == KILN_USAGE ? kExitUsage : kExitBadInput;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: error: out of memory\n", program);
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return kExitBadInput;
  }
}

}  // namespace kiln::rt
