// The Node-API argument plumbing the kernel bindings share: typed access to the call's
// arguments, and float pointers checked against the wasm heap before they are formed.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dpo::napi {

struct ArgError {
  std::string message;
};

class Args {
 public:
  Args(napi_env env, napi_callback_info info, size_t expected) : env_(env), values_(expected) {
    size_t count = expected;
    napi_get_cb_info(env, info, &count, values_.data(), nullptr, nullptr);
    if (count < expected) throw ArgError{"expected " + std::to_string(expected) + " arguments"};
  }

  // The heap as bytes: data pointer and length.
  uint8_t* heap(size_t i, size_t* length) {
    napi_typedarray_type type;
    void* data = nullptr;
    napi_value buffer;
    size_t offset;
    if (napi_get_typedarray_info(env_, values_[i], &type, length, &data, &buffer, &offset) != napi_ok ||
        type != napi_uint8_array) {
      throw ArgError{"argument " + std::to_string(i) + " must be the heap as a Uint8Array"};
    }
    return static_cast<uint8_t*>(data);
  }

  double number(size_t i) {
    double value;
    if (napi_get_value_double(env_, values_[i], &value) != napi_ok) {
      throw ArgError{"argument " + std::to_string(i) + " must be a number"};
    }
    return value;
  }

  int64_t integer(size_t i) { return static_cast<int64_t>(number(i)); }

  bool boolean(size_t i) {
    bool value;
    if (napi_get_value_bool(env_, values_[i], &value) != napi_ok) {
      throw ArgError{"argument " + std::to_string(i) + " must be a boolean"};
    }
    return value;
  }

  std::vector<double> numbers(size_t i) {
    napi_typedarray_type type;
    size_t length;
    void* data = nullptr;
    napi_value buffer;
    size_t offset;
    if (napi_get_typedarray_info(env_, values_[i], &type, &length, &data, &buffer, &offset) != napi_ok ||
        type != napi_float64_array) {
      throw ArgError{"argument " + std::to_string(i) + " must be a Float64Array"};
    }
    const double* values = static_cast<const double*>(data);
    return std::vector<double>(values, values + length);
  }

 private:
  napi_env env_;
  std::vector<napi_value> values_;
};

// A float pointer for count floats at byteOffset, after checking they lie inside the heap.
template <typename T>
T* at(uint8_t* heap, size_t heapLength, double byteOffset, int64_t count) {
  if (byteOffset < 0 || count < 0 || static_cast<int64_t>(byteOffset) % 4 != 0 ||
      byteOffset + 4.0 * count > static_cast<double>(heapLength)) {
    throw ArgError{"tensor range outside the wasm heap"};
  }
  return reinterpret_cast<T*>(heap + static_cast<size_t>(byteOffset));
}

template <typename Body>
napi_value guarded(napi_env env, Body body) {
  try {
    return body();
  } catch (const ArgError& error) {
    napi_throw_error(env, "DPO_NATIVE_ARGS", error.message.c_str());
    return nullptr;
  }
}

inline napi_value undefinedValue(napi_env env) {
  napi_value value;
  napi_get_undefined(env, &value);
  return value;
}

}  // namespace dpo::napi
