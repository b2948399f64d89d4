#include "parallel.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <string>
#include <mutex>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DPO_PAUSE() _mm_pause()
#else
#define DPO_PAUSE() std::this_thread::yield()
#endif

namespace dpo {
namespace {

// How long the helper keeps polling for the next job before it sleeps. Kernels come in
// quick succession during a training step or a generation step, and waking a sleeping
// thread costs 10-20 microseconds, more than many of the halves it would run.
constexpr auto kSpin = std::chrono::microseconds(200);

struct Helper {
  std::atomic<const std::function<void(int)>*> job{nullptr};
  std::atomic<bool> finished{true};
  std::mutex mutex;
  std::condition_variable wake;

  Helper() {
    std::thread([this] { loop(); }).detach();
  }

  const std::function<void(int)>* poll() {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (;;) {
      if (const auto* current = job.load(std::memory_order_acquire)) return current;
      if (std::chrono::steady_clock::now() > until) return nullptr;
      for (int i = 0; i < 16; ++i) DPO_PAUSE();
    }
  }

  void loop() {
    for (;;) {
      const std::function<void(int)>* current = poll();
      if (current == nullptr) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return (current = job.load(std::memory_order_acquire)) != nullptr; });
      }
      (*current)(1);
      job.store(nullptr, std::memory_order_relaxed);
      finished.store(true, std::memory_order_release);
    }
  }
};

Helper& helper() {
  static Helper* instance = new Helper();  // never destroyed: the thread outlives static teardown
  return *instance;
}

std::mutex callerMutex;  // one runInTwo at a time (kernels are called from one JS thread)

// DPO_RUN_NATIVE_THREADS=1 runs both halves on the calling thread, one after the other.
bool singleThreaded() {
  static const bool single = [] {
    const char* value = std::getenv("DPO_RUN_NATIVE_THREADS");
    return value != nullptr && std::string(value) == "1";
  }();
  return single;
}

}  // namespace

void runInTwo(const std::function<void(int)>& part) {
  if (singleThreaded()) {
    part(0);
    part(1);
    return;
  }
  std::lock_guard<std::mutex> serial(callerMutex);
  Helper& h = helper();
  h.finished.store(false, std::memory_order_relaxed);
  {
    // Under the mutex, so that a helper about to sleep cannot miss the job.
    std::lock_guard<std::mutex> lock(h.mutex);
    h.job.store(&part, std::memory_order_release);
  }
  h.wake.notify_one();
  part(0);
  while (!h.finished.load(std::memory_order_acquire)) DPO_PAUSE();
}

}  // namespace dpo
