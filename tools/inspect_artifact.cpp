// kiln-inspect for artifacts: verifies the file exactly as the runtime does (nothing is
// loaded or executed) and prints its functions, signatures, variables, error sites, target
// and build information.
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <ostream>

#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/file_util.h"
#include "runtime/src/module.h"
#include "runtime/src/status.h"
#include "tools/inspect.h"

namespace kiln::tools {
namespace {

const char* dtype_name(fb::DType d) { return kiln_dtype_name(static_cast<kiln_dtype>(d)); }

std::string type_of(const fb::TensorSpec& s, bool batched) {
  std::string t = std::string(dtype_name(s.dtype())) + "[";
  if (s.shape())
    for (flatbuffers::uoffset_t i = 0; i < s.shape()->size(); ++i)
      t += (i ? ", " : "") + (batched && i == 0 ? std::string("N") : std::to_string(s.shape()->Get(i)));
  return t + "]";
}

std::string str(const flatbuffers::String* s) { return s ? s->str() : ""; }

}  // namespace

int inspect_artifact(const std::string& path, bool json, std::ostream& out, std::ostream& err) {
  try {
    rt::MappedFile file = rt::MappedFile::open(path, /*populate=*/false);
    const fb::Artifact& a = rt::verify_artifact(file.data(), file.size(), path);
    nlohmann::ordered_json j;
    j["file"] = path;
    j["kind"] = "artifact";
    j["format_version"] = a.format_version();
    j["bytes"] = file.size();
    j["code_bytes"] = a.code()->size();
    char checksum[24];
    std::snprintf(checksum, sizeof checksum, "0x%016" PRIx64, a.code_checksum());
    j["code_checksum"] = checksum;
    const fb::BuildInfo* b = a.build();
    j["build"] = {{"compiler", b ? str(b->compiler_version()) : ""},
                  {"target", b ? str(b->target()) : ""},
                  {"cpu", b ? str(b->cpu()) : ""},
                  {"features", b ? str(b->features()) : ""},
                  {"opt_level", b ? b->opt_level() : 0},
                  {"flags", b ? str(b->flags()) : ""},
                  {"source", b ? str(b->source()) : ""},
                  {"created_unix", b ? b->created_unix() : 0}};
    j["functions"] = nlohmann::ordered_json::array();
    for (const fb::Function* f : *a.functions()) {
      nlohmann::ordered_json fj;
      fj["name"] = f->name()->str();
      fj["symbol"] = f->symbol()->str();
      fj["batched"] = f->batched();
      fj["inputs"] = nlohmann::ordered_json::array();
      fj["variables"] = nlohmann::ordered_json::array();
      if (f->arguments())
        for (const fb::Argument* arg : *f->arguments()) {
          if (arg->variable())
            fj["variables"].push_back(arg->spec()->name()->str());
          else
            fj["inputs"].push_back({{"name", arg->spec()->name()->str()},
                                    {"type", type_of(*arg->spec(), f->batched())}});
        }
      fj["outputs"] = nlohmann::ordered_json::array();
      if (f->outputs())
        for (const fb::TensorSpec* o : *f->outputs())
          fj["outputs"].push_back({{"name", o->name()->str()}, {"type", type_of(*o, f->batched())}});
      fj["updates"] = nlohmann::ordered_json::array();
      if (f->updates())
        for (const flatbuffers::String* u : *f->updates()) fj["updates"].push_back(u->str());
      fj["memory"] = {{"arena_bytes", f->arena_bytes()},
                      {"sum_temporaries_bytes", f->sum_temporaries_bytes()},
                      {"peak_live_bytes", f->peak_live_bytes()},
                      {"heap_temporaries", f->heap_temporaries()}};
      j["functions"].push_back(fj);
    }
    j["variables"] = nlohmann::ordered_json::array();
    if (a.variables())
      for (const fb::Variable* v : *a.variables()) {
        int64_t bytes = static_cast<int64_t>(kiln_dtype_size(static_cast<kiln_dtype>(v->spec()->dtype())));
        if (v->spec()->shape())
          for (int64_t d : *v->spec()->shape()) bytes *= d;
        j["variables"].push_back(
            {{"name", v->spec()->name()->str()}, {"type", type_of(*v->spec(), false)}, {"bytes", bytes}});
      }
    j["error_sites"] = nlohmann::ordered_json::array();
    if (a.error_sites())
      for (const fb::ErrorSite* s : *a.error_sites())
        j["error_sites"].push_back({{"id", s->id()}, {"op", str(s->op())}, {"api", str(s->api())},
                                    {"file", str(s->file())}, {"line", s->line()}});
    if (const fb::CudaProgram* c = a.cuda()) {
      nlohmann::ordered_json cj;
      cj["ptx_arch"] = str(c->ptx_arch());
      cj["ptx_bytes"] = c->ptx()->size();
      cj["cubins"] = nlohmann::ordered_json::array();
      if (c->images())
        for (const fb::CudaImage* image : *c->images())
          cj["cubins"].push_back({{"arch", image->arch()->str()}, {"bytes", image->cubin()->size()}});
      cj["status_symbol"] = str(c->status_symbol());
      cj["plans"] = nlohmann::ordered_json::array();
      if (c->functions())
        for (const fb::CudaFunction* f : *c->functions()) {
          nlohmann::ordered_json pj;
          pj["function"] = f->name()->str();
          pj["arguments"] = f->arguments();
          pj["temporaries"] = nlohmann::ordered_json::array();
          if (f->temporaries())
            for (uint64_t t : *f->temporaries()) pj["temporaries"].push_back(t);
          pj["launches"] = nlohmann::ordered_json::array();
          if (f->launches())
            for (const fb::CudaLaunch* l : *f->launches()) {
              nlohmann::ordered_json lj;
              lj["kernel"] = l->kernel()->str();
              lj["grid"] = std::vector<uint32_t>(l->grid()->begin(), l->grid()->end());
              lj["block"] = std::vector<uint32_t>(l->block()->begin(), l->block()->end());
              lj["buffers"] = l->buffers() ? std::vector<uint32_t>(l->buffers()->begin(), l->buffers()->end())
                                           : std::vector<uint32_t>();
              pj["launches"].push_back(lj);
            }
          cj["plans"].push_back(pj);
        }
      j["cuda"] = cj;
    }
    if (json) {
      out << j.dump(2) << "\n";
      return 0;
    }
    out << path << ": Kiln artifact, format version " << a.format_version() << ", " << file.size()
        << " bytes (" << a.code()->size() << " bytes of code, checksum " << checksum << ")\n";
    out << "  built by " << j["build"]["compiler"].get<std::string>() << " from "
        << j["build"]["source"].get<std::string>() << "\n  target "
        << j["build"]["target"].get<std::string>() << " (cpu " << j["build"]["cpu"].get<std::string>()
        << "), -O" << j["build"]["opt_level"].get<int>() << "\n";
    std::string features = j["build"]["features"].get<std::string>();
    if (!features.empty()) out << "  features " << features << "\n";
    out << "  flags: " << j["build"]["flags"].get<std::string>() << "\n";
    out << "functions:\n";
    for (const auto& f : j["functions"]) {
      out << "  " << f["name"].get<std::string>() << "(";
      bool first = true;
      for (const auto& in : f["inputs"]) {
        out << (first ? "" : ", ") << in["name"].get<std::string>() << ": " << in["type"].get<std::string>();
        first = false;
      }
      out << ") -> (";
      first = true;
      for (const auto& o : f["outputs"]) {
        out << (first ? "" : ", ") << o["name"].get<std::string>() << ": " << o["type"].get<std::string>();
        first = false;
      }
      out << ")";
      if (f["batched"].get<bool>()) out << "  [row-mapped]";
      out << "\n";
      if (!f["variables"].empty()) {
        out << "      reads";
        for (const auto& v : f["variables"]) out << " " << v.get<std::string>();
        out << "\n";
      }
      if (!f["updates"].empty()) {
        out << "      updates";
        for (const auto& v : f["updates"]) out << " " << v.get<std::string>();
        out << "\n";
      }
      const auto& mem = f["memory"];
      out << "      temporaries: arena " << mem["arena_bytes"].get<uint64_t>()
          << " bytes (one buffer each: " << mem["sum_temporaries_bytes"].get<uint64_t>()
          << "; peak live: " << mem["peak_live_bytes"].get<uint64_t>() << ")";
      if (mem["heap_temporaries"].get<uint32_t>() > 0)
        out << ", " << mem["heap_temporaries"].get<uint32_t>() << " on the heap per call";
      out << "\n";
    }
    out << "variables:\n";
    for (const auto& v : j["variables"])
      out << "  " << v["name"].get<std::string>() << ": " << v["type"].get<std::string>() << " ("
          << v["bytes"].get<int64_t>() << " bytes)\n";
    if (j.contains("cuda")) {
      const auto& c = j["cuda"];
      out << "cuda: PTX for " << c["ptx_arch"].get<std::string>() << " ("
          << c["ptx_bytes"].get<size_t>() << " bytes)";
      for (const auto& image : c["cubins"])
        out << ", cubin " << image["arch"].get<std::string>() << " (" << image["bytes"].get<size_t>()
            << " bytes)";
      out << "\n";
      for (const auto& p : c["plans"]) {
        out << "  " << p["function"].get<std::string>() << ": " << p["launches"].size()
            << " launches, " << p["temporaries"].size() << " temporaries\n";
        for (const auto& l : p["launches"]) {
          auto dims = [](const nlohmann::ordered_json& d) {
            return std::to_string(d[0].get<uint32_t>()) + "x" + std::to_string(d[1].get<uint32_t>()) +
                   "x" + std::to_string(d[2].get<uint32_t>());
          };
          out << "    " << l["kernel"].get<std::string>() << " grid " << dims(l["grid"]) << " block "
              << dims(l["block"]) << " buffers";
          for (const auto& buffer : l["buffers"]) out << " " << buffer.get<uint32_t>();
          out << "\n";
        }
      }
    }
    if (!j["error_sites"].empty()) {
      out << "run-time checks:\n";
      for (const auto& s : j["error_sites"])
        out << "  site " << s["id"].get<uint32_t>() << ": " << s["op"].get<std::string>() << " at "
            << s["file"].get<std::string>() << ":" << s["line"].get<uint32_t>() << " in "
            << s["api"].get<std::string>() << "\n";
    }
    return 0;
  } catch (const rt::Error& e) {
    err << "kiln-inspect: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace kiln::tools
