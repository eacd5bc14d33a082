// detail::BackwardFn: a move-only callable holding a primitive's gradient rule.
// Like std::function, but closures of up to 64 bytes (a rule capturing a few
// tensors and shapes) are stored inline: recording an op allocates nothing here.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "kiln/autodiff/gradient.h"

namespace kiln::detail {

class BackwardFn {
 public:
  BackwardFn() = default;
  BackwardFn(std::nullptr_t) {}  // NOLINT: "no rule"
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, BackwardFn> &&
                                              !std::is_same_v<std::decay_t<F>, std::nullptr_t>>>
  BackwardFn(F&& f) {  // NOLINT: implicit from any lambda, like std::function
    using Fn = std::decay_t<F>;
    if constexpr (sizeof(Fn) <= kInline && alignof(Fn) <= alignof(std::max_align_t)) {
      new (buf_) Fn(std::forward<F>(f));
      obj_ = buf_;
    } else {
      obj_ = new Fn(std::forward<F>(f));
    }
    ops_ = &ops_for<Fn, (sizeof(Fn) <= kInline && alignof(Fn) <= alignof(std::max_align_t))>;
  }
  BackwardFn(BackwardFn&& o) noexcept { take(o); }
  BackwardFn& operator=(BackwardFn&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  BackwardFn(const BackwardFn&) = delete;
  BackwardFn& operator=(const BackwardFn&) = delete;
  ~BackwardFn() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  std::vector<Gradient> operator()(const Tensor& dy) const { return ops_->call(obj_, dy); }

 private:
  static constexpr size_t kInline = 64;
  struct Ops {
    std::vector<Gradient> (*call)(void*, const Tensor&);
    void (*destroy)(void*, bool inline_storage);
    void (*move_to)(void* from, void* to_buf);  // inline storage only
    bool is_inline;
  };
  template <class Fn, bool Inline>
  static constexpr Ops ops_for = {
      [](void* o, const Tensor& dy) { return (*static_cast<Fn*>(o))(dy); },
      [](void* o, bool in) {
        if (in) static_cast<Fn*>(o)->~Fn();
        else delete static_cast<Fn*>(o);
      },
      [](void* from, void* to) {
        new (to) Fn(std::move(*static_cast<Fn*>(from)));
        static_cast<Fn*>(from)->~Fn();
      },
      Inline};

  void take(BackwardFn& o) {
    ops_ = o.ops_;
    if (!ops_) return;
    if (ops_->is_inline) {
      ops_->move_to(o.obj_, buf_);
      obj_ = buf_;
    } else {
      obj_ = o.obj_;
    }
    o.ops_ = nullptr;
    o.obj_ = nullptr;
  }
  void reset() {
    if (ops_) ops_->destroy(obj_, ops_->is_inline);
    ops_ = nullptr;
    obj_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char buf_[kInline];
  void* obj_ = nullptr;
  const Ops* ops_ = nullptr;
};

}  // namespace kiln::detail
