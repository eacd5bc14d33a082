// Finding, reading and synthesizing the birth-rate / life-expectancy data.
#include "huber/birth_life_data.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "kiln/data/csv.h"

namespace huber {
namespace {

std::optional<std::string> file_in(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path p = dir / kDataFileName;
  if (std::filesystem::is_regular_file(p, ec)) return p.lexically_normal().string();
  return std::nullopt;
}

}  // namespace

DataLookup find_birth_life_data() {
  DataLookup lookup;
  auto try_dir = [&](const std::filesystem::path& dir) {
    lookup.searched.push_back(dir.lexically_normal().string());
    lookup.path = file_in(dir);
    return lookup.path.has_value();
  };
  if (const char* env = std::getenv("KILN_DATA_DIR"); env != nullptr && *env != '\0') {
    try_dir(env);
    return lookup;
  }
#ifdef KILN_SOURCE_DIR
  if (try_dir(std::filesystem::path(KILN_SOURCE_DIR) / ".." / "shared" / "data")) return lookup;
#endif
  try_dir(std::filesystem::path("..") / "shared" / "data");
  return lookup;
}

RegressionData read_birth_life_data(const std::string& path, const kiln::Loc& loc) {
  kiln::detail::ApiScope scope("read_birth_life_data", loc);
  kiln::data::Table table = kiln::data::read_table(path);
  if (table.num_rows() == 0)
    throw kiln::data::DataError("read_birth_life_data", path + ": no data rows after the header",
                                path, 0);
  RegressionData data;
  data.x = table.numeric_column(kXColumn, kiln::f32);
  data.y = table.numeric_column(kYColumn, kiln::f32);
  data.source = path;
  // numeric_column accepts "nan" and "inf"; one of them would turn every weight into NaN.
  for (const kiln::Tensor* column : {&data.x, &data.y}) {
    const float* v = column->data<float>();
    for (int64_t i = 0; i < column->numel(); ++i) {
      if (std::isfinite(v[i])) continue;
      int64_t line = table.row_line(i);
      const char* name = column == &data.x ? kXColumn : kYColumn;
      throw kiln::data::DataError("read_birth_life_data",
                                  path + ":" + std::to_string(line) + ": '" + name + "' is " +
                                      std::to_string(v[i]) +
                                      "; every value must be a finite number",
                                  path, line);
    }
  }
  return data;
}

RegressionData synthetic_birth_life_data(int64_t n, uint64_t seed) {
  kiln::Generator gen(seed);
  RegressionData data;
  data.x = kiln::random_uniform({n}, gen, /*minval=*/1.0, /*maxval=*/7.0);
  kiln::Tensor noise = kiln::random_normal({n}, gen, /*mean=*/0.0, /*stddev=*/5.5);
  data.y = 85.7 - 5.7 * data.x + noise;
  data.source = "synthetic";
  data.synthetic = true;
  return data;
}

LineFit least_squares_fit(const RegressionData& data) {
  std::vector<double> x = data.x.to_vector<double>(), y = data.y.to_vector<double>();
  double n = static_cast<double>(x.size()), mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  double sxy = 0, sxx = 0;  // centered sums: no cancellation
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  LineFit fit;
  fit.w = sxx > 0 ? sxy / sxx : 0.0;
  fit.b = my - fit.w * mx;
  return fit;
}

}  // namespace huber
