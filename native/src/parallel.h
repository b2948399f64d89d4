// Runs two halves of a piece of work at once: one on the calling thread, one on a
// persistent helper thread (started on first use, so short work never pays a spawn),
// which polls briefly between jobs before it sleeps.
#pragma once
#include <functional>

namespace dpo {

// Calls part(0) on the calling thread and part(1) on the helper, and returns when both end.
void runInTwo(const std::function<void(int)>& part);

}  // namespace dpo
