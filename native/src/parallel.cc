#include "parallel.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace dpo {
namespace {

struct Helper {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  const std::function<void(int)>* job = nullptr;
  bool finished = true;

  Helper() {
    std::thread([this] { loop(); }).detach();
  }

  void loop() {
    for (;;) {
      const std::function<void(int)>* current;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [this] { return job != nullptr; });
        current = job;
      }
      (*current)(1);
      {
        std::lock_guard<std::mutex> lock(mutex);
        job = nullptr;
        finished = true;
      }
      done.notify_one();
    }
  }
};

Helper& helper() {
  static Helper* instance = new Helper();  // never destroyed: the thread outlives static teardown
  return *instance;
}

std::mutex callerMutex;  // one runInTwo at a time (kernels are called from one JS thread)

}  // namespace

void runInTwo(const std::function<void(int)>& part) {
  std::lock_guard<std::mutex> serial(callerMutex);
  Helper& h = helper();
  {
    std::lock_guard<std::mutex> lock(h.mutex);
    h.job = &part;
    h.finished = false;
  }
  h.wake.notify_one();
  part(0);
  std::unique_lock<std::mutex> lock(h.mutex);
  h.done.wait(lock, [&h] { return h.finished; });
}

}  // namespace dpo
