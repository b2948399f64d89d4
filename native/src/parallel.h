// Runs two halves of a piece of work at once: one on the calling thread, one on a
// persistent helper thread (started on first use, so short work never pays a spawn),
// which polls briefly between jobs before it sleeps.
#pragma once
#include <cstdint>
#include <functional>

namespace dpo {

// Calls part(0) on the calling thread and part(1) on the helper, and returns when both end.
void runInTwo(const std::function<void(int)>& part);

// Calls body(begin, end) over [0, n): in one call when `split` is false or n < 2, else the
// two halves at once through runInTwo, the split point rounded down to a multiple of
// `align` where n is at least two of them (whole vectors on each side).
template <typename Body>
void splitInTwo(int64_t n, bool split, const Body& body, int64_t align = 1) {
  if (!split || n < 2) {
    body(int64_t{0}, n);
    return;
  }
  int64_t half = n / 2;
  if (n >= 2 * align) half = half / align * align;
  runInTwo([&](int part) { part == 0 ? body(int64_t{0}, half) : body(half, n); });
}

}  // namespace dpo
