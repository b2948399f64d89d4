// Node-API bindings of the fused kernels (fused.h), added to the addon's exports.
#pragma once
#include <node_api.h>

namespace dpo {

void defineFusedBindings(napi_env env, napi_value exports);

}  // namespace dpo
