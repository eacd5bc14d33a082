// The explain report's JSON and HTML forms (see CompileReport.h).
#include "compiler/Pipelines/CompileReport.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace kiln::compiler {

std::string OpOrigin::str() const {
  std::string s = op;
  std::string where = api;
  if (!file.empty()) where += (where.empty() ? "" : ", ") + file + ":" + std::to_string(line);
  if (!where.empty()) s += " (" + where + ")";
  return s;
}

FunctionReport* CompileReport::find(const std::string& name) {
  for (FunctionReport& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

const FunctionReport* CompileReport::find(const std::string& name) const {
  for (const FunctionReport& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

namespace {

nlohmann::ordered_json origin_json(const OpOrigin& o) {
  return {{"op", o.op}, {"api", o.api}, {"file", o.file}, {"line", o.line}};
}

double total_bytes(const FunctionReport& f) {
  double b = 0;
  for (const KernelReport& k : f.kernels) b += k.bytes;
  return b;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string human_bytes(double b) {
  char buf[32];
  if (b >= 1 << 20)
    std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1 << 20));
  else if (b >= 1 << 10)
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / (1 << 10));
  else
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

// Buffers over time: x is the program order, y the arena offset.
std::string memory_svg(const MemoryPlan& plan) {
  const double width = 900, height = 320;
  const double steps = std::max<double>(1, static_cast<double>(plan.steps));
  const double arena = std::max<double>(1, static_cast<double>(plan.arena_bytes));
  std::string svg = "<svg xmlns='http://www.w3.org/2000/svg' width='" + number(width + 60) +
                    "' height='" + number(height + 40) + "'>";
  svg += "<rect x='50' y='10' width='" + number(width) + "' height='" + number(height) +
         "' fill='#f7f7f7' stroke='#999'/>";
  int i = 0;
  for (const PlannedBuffer& b : plan.buffers) {
    const double x = 50 + width * static_cast<double>(b.first) / steps;
    const double w = std::max(1.0, width * static_cast<double>(b.last - b.first + 1) / steps);
    const double y = 10 + height * static_cast<double>(b.offset) / arena;
    const double h = std::max(1.0, height * static_cast<double>(b.bytes) / arena);
    char color[32];
    std::snprintf(color, sizeof color, "hsl(%d,60%%,60%%)", (i++ * 47) % 360);
    svg += "<rect x='" + number(x) + "' y='" + number(y) + "' width='" + number(w) + "' height='" +
           number(h) + "' fill='" + color + "' stroke='#333' stroke-width='0.3'>" + "<title>" +
           escape(b.shape + " at offset " + std::to_string(b.offset) + ", " +
                  human_bytes(static_cast<double>(b.bytes)) + ", live " + std::to_string(b.first) +
                  ".." + std::to_string(b.last) + ", " + b.origin.str()) +
           "</title></rect>";
  }
  svg += "<text x='50' y='" + number(height + 30) + "' font-size='12'>program order &#8594;</text>";
  svg += "<text x='0' y='20' font-size='12'>0</text><text x='0' y='" + number(height + 10) +
         "' font-size='12'>" + escape(human_bytes(arena)) + "</text></svg>";
  return svg;
}

}  // namespace

std::string report_json(const CompileReport& report) {
  nlohmann::ordered_json functions = nlohmann::ordered_json::array();
  for (const FunctionReport& f : report.functions) {
    nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
    for (const KernelReport& k : f.kernels) {
      nlohmann::ordered_json ops = nlohmann::ordered_json::array();
      for (const OpOrigin& o : k.ops) ops.push_back(origin_json(o));
      kernels.push_back({{"index", k.index},
                         {"kind", k.kind},
                         {"ops", ops},
                         {"iterations", k.iterations},
                         {"flops", k.flops},
                         {"bytes", k.bytes},
                         {"in_loop", k.in_loop}});
    }
    nlohmann::ordered_json fusion = nlohmann::ordered_json::array();
    for (const FusionDecision& d : f.fusion)
      fusion.push_back({{"producer", origin_json(d.producer)},
                        {"consumer", origin_json(d.consumer)},
                        {"fused", d.fused},
                        {"reason", d.reason}});
    nlohmann::ordered_json buffers = nlohmann::ordered_json::array();
    for (const PlannedBuffer& b : f.memory.buffers)
      buffers.push_back({{"offset", b.offset},
                         {"bytes", b.bytes},
                         {"first", b.first},
                         {"last", b.last},
                         {"shape", b.shape},
                         {"origin", origin_json(b.origin)}});
    functions.push_back({{"name", f.name},
                         {"kernels", kernels},
                         {"kernel_count", f.kernels.size()},
                         {"bytes_moved", total_bytes(f)},
                         {"kernel_count_unfused", f.kernels_unfused},
                         {"bytes_moved_unfused", f.bytes_unfused},
                         {"fusion", fusion},
                         {"memory_plan",
                          {{"arena_bytes", f.memory.arena_bytes},
                           {"sum_temporaries_bytes", f.memory.sum_temporaries_bytes},
                           {"peak_live_bytes", f.memory.peak_live_bytes},
                           {"steps", f.memory.steps},
                           {"buffers", buffers},
                           {"heap_temporaries", f.memory.heap}}}});
  }
  nlohmann::ordered_json out = {{"optimizations_on", report.optimizations_on},
                                {"optimizations_off", report.optimizations_off},
                                {"compile_seconds", report.compile_seconds},
                                {"functions", functions}};
  return out.dump(2) + "\n";
}

std::string report_html(const CompileReport& report) {
  std::string h =
      "<!DOCTYPE html><html><head><meta charset='utf-8'><title>kiln-compile --explain</title>"
      "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
      "font-size:13px;text-align:left;vertical-align:top}th{background:#eee}"
      ".no{color:#a33}.yes{color:#282}</style></head><body><h1>What kiln-compile did</h1>";
  auto list = [](const std::vector<std::string>& xs) {
    std::string s;
    for (const std::string& x : xs) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("none") : s;
  };
  h += "<p>Optimizations on: " + escape(list(report.optimizations_on)) +
       ". Off: " + escape(list(report.optimizations_off)) + ". Compiled in " +
       number(report.compile_seconds) + " s.</p>";
  for (const FunctionReport& f : report.functions) {
    h += "<h2>" + escape(f.name) + "</h2>";
    h += "<p>" + std::to_string(f.kernels.size()) + " kernels moving about " +
         escape(human_bytes(total_bytes(f))) + " per call";
    if (f.kernels_unfused > 0)
      h += " (without fusion: " + std::to_string(f.kernels_unfused) + " kernels, " +
           escape(human_bytes(f.bytes_unfused)) + ")";
    h += ".</p><h3>Kernels</h3><table><tr><th>#</th><th>kind</th><th>kiln ops</th>"
         "<th>iterations</th><th>FLOPs</th><th>bytes</th></tr>";
    for (const KernelReport& k : f.kernels) {
      std::string ops;
      for (const OpOrigin& o : k.ops) ops += escape(o.str()) + "<br>";
      h += "<tr><td>" + std::to_string(k.index) + "</td><td>" + k.kind +
           (k.in_loop ? " (in a loop)" : "") + "</td><td>" + ops + "</td><td>" +
           std::to_string(k.iterations) + "</td><td>" + number(k.flops) + "</td><td>" +
           escape(human_bytes(k.bytes)) + "</td></tr>";
    }
    h += "</table><h3>Fusion decisions</h3><table><tr><th>producer</th><th>consumer</th>"
         "<th></th><th>why</th></tr>";
    for (const FusionDecision& d : f.fusion)
      h += "<tr><td>" + escape(d.producer.str()) + "</td><td>" + escape(d.consumer.str()) +
           "</td><td class='" + (d.fused ? "yes'>fused" : "no'>kept apart") + "</td><td>" +
           escape(d.reason) + "</td></tr>";
    h += "</table><h3>Memory plan</h3><p>Arena " +
         escape(human_bytes(static_cast<double>(f.memory.arena_bytes))) + " (" +
         std::to_string(f.memory.arena_bytes) + " B) for " +
         std::to_string(f.memory.buffers.size()) + " temporaries that would take " +
         escape(human_bytes(static_cast<double>(f.memory.sum_temporaries_bytes))) +
         " apart; at most " + escape(human_bytes(static_cast<double>(f.memory.peak_live_bytes))) +
         " are live at once (the lower bound).";
    if (!f.memory.heap.empty()) h += " Left on the heap: " + escape(list(f.memory.heap)) + ".";
    h += "</p>";
    if (!f.memory.buffers.empty()) h += memory_svg(f.memory);
  }
  return h + "</body></html>\n";
}

}  // namespace kiln::compiler
