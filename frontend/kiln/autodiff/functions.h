// Function-style autodiff, as in tfe (tf.contrib.eager) and JAX:
//
//   auto df = kiln::gradients_function(f);          // df(x, y) -> {df/dx, df/dy}
//   auto vdf = kiln::value_and_gradients_function(f);  // -> {f(x, y), {df/dx, df/dy}}
//   auto g = kiln::implicit_gradients(loss_fn);     // g(args...) -> {(grad, variable)...}
//   auto vg = kiln::implicit_value_and_gradients(loss_fn);
//   auto f = kiln::custom_gradient([](const Tensor& x) {
//     auto y = ...; return std::pair{y, [=](const Tensor& dy) { return dy * ...; }}; });
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "kiln/autodiff/tape.h"

namespace kiln {

// The gradient of a scalar (or summed) function output with respect to each argument.
template <class F> auto gradients_function(F f) {
  return [f](const auto&... args) -> std::vector<Gradient> {
    GradientTape tape(/*persistent=*/false, /*watch_accessed_variables=*/false);
    std::vector<Tensor> xs{stop_gradient(Tensor(args))...};
    for (const Tensor& x : xs) tape.watch(x);
    Tensor y = std::apply(f, [&]<size_t... I>(std::index_sequence<I...>) {
      return std::make_tuple(xs[I]...);
    }(std::index_sequence_for<decltype(args)...>{}));
    return tape.gradient(y, xs);
  };
}

template <class F> auto value_and_gradients_function(F f) {
  return [f](const auto&... args) -> std::pair<Tensor, std::vector<Gradient>> {
    GradientTape tape(/*persistent=*/false, /*watch_accessed_variables=*/false);
    std::vector<Tensor> xs{stop_gradient(Tensor(args))...};
    for (const Tensor& x : xs) tape.watch(x);
    Tensor y = std::apply(f, [&]<size_t... I>(std::index_sequence<I...>) {
      return std::make_tuple(xs[I]...);
    }(std::index_sequence_for<decltype(args)...>{}));
    auto g = tape.gradient(y, xs);
    return {y, std::move(g)};
  };
}

// Gradients with respect to the trainable variables that f reads, in first-read order.
struct GradientAndVariable {
  Gradient gradient;
  Variable variable;
};

template <class F> auto implicit_value_and_gradients(F f) {
  return [f](auto&&... args) -> std::pair<Tensor, std::vector<GradientAndVariable>> {
    GradientTape tape;
    Tensor y = f(std::forward<decltype(args)>(args)...);
    std::vector<Variable> vars = tape.watched_variables();
    std::vector<Gradient> g = tape.gradient(y, vars);
    std::vector<GradientAndVariable> out;
    for (size_t i = 0; i < vars.size(); ++i) out.push_back({g[i], vars[i]});
    return {y, std::move(out)};
  };
}

template <class F> auto implicit_gradients(F f) {
  return [vg = implicit_value_and_gradients(std::move(f))](auto&&... args) {
    return vg(std::forward<decltype(args)>(args)...).second;
  };
}

namespace detail {
// Runs `forward` unrecorded and records one entry whose backward rule is the user's.
Tensor apply_custom_gradient(const std::vector<Tensor>& inputs,
                             const std::function<std::pair<Tensor, BackwardFn>()>& forward);

template <class G> BackwardFn wrap_backward(G g) {
  return [g](const Tensor& dy) -> std::vector<Gradient> {
    auto r = g(dy);
    if constexpr (std::is_convertible_v<decltype(r), Tensor>) return {Gradient(Tensor(r))};
    else return std::vector<Gradient>(r.begin(), r.end());
  };
}
}  // namespace detail

// f(inputs...) returns {output, backward} where backward(dy) gives the gradient of
// each input (a Tensor for one input, a std::vector<Tensor> for several). Inside f
// nothing is recorded; the tape sees one op with the user's rule.
template <class F> auto custom_gradient(F f) {
  return [f](const auto&... args) -> Tensor {
    std::vector<Tensor> xs{Tensor(args)...};
    return detail::apply_custom_gradient(xs, [&]() -> std::pair<Tensor, detail::BackwardFn> {
      auto [y, g] = f(args...);
      return {Tensor(y), detail::wrap_backward(g)};
    });
  };
}

}  // namespace kiln
