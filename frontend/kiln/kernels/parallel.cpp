// Thread pool behind parallel_for: workers wait on a condition variable for one job
// at a time; the calling thread runs the first chunk itself.
#include "kiln/kernels/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::kernels {
namespace {

class Pool {
 public:
  explicit Pool(int n) : n_(n) {
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i] { loop(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return n_; }

  void run(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    std::lock_guard<std::mutex> serial(run_mu_);  // one parallel job at a time
    {
      std::lock_guard<std::mutex> g(mu_);
      fn_ = &fn;
      total_ = n;
      pending_ = n_ - 1;
      ++generation_;
    }
    cv_.notify_all();
    auto [b, e] = chunk(0, n);
    fn(b, e);
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [this] { return pending_ == 0; });
    fn_ = nullptr;
  }

 private:
  std::pair<int64_t, int64_t> chunk(int i, int64_t n) const {
    int64_t per = (n + n_ - 1) / n_;
    int64_t b = std::min<int64_t>(n, per * i), e = std::min<int64_t>(n, b + per);
    return {b, e};
  }
  void loop(int i) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int64_t, int64_t)>* fn;
      int64_t n;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        fn = fn_;
        n = total_;
      }
      auto [b, e] = chunk(i, n);
      if (b < e) (*fn)(b, e);
      {
        std::lock_guard<std::mutex> g(mu_);
        if (--pending_ == 0) done_cv_.notify_one();
      }
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::mutex mu_, run_mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t total_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

int configured_threads() {
  if (const char* s = std::getenv("KILN_NUM_THREADS")) {
    int n = std::atoi(s);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

Pool& pool() {
  static Pool p(configured_threads());
  return p;
}

thread_local bool t_in_parallel = false;

}  // namespace

int num_threads() { return pool().size(); }

void detail::parallel_for_pool(int64_t n, int64_t grain,
                               const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (n < grain || t_in_parallel || pool().size() == 1) {
    fn(0, n);
    return;
  }
  t_in_parallel = true;
  try {
    pool().run(n, fn);
  } catch (...) {
    t_in_parallel = false;
    throw;
  }
  t_in_parallel = false;
}

}  // namespace kiln::kernels
