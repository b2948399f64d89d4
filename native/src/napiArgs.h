// The Node-API argument plumbing the kernel bindings share. A tensor argument is a
// TypedArray over exactly that tensor's memory, read and written in place: a Float32Array
// or Int32Array of the native-cpu backend (ordinary memory), or a Uint8Array view of the
// wasm heap covering the tensor's bytes. Every pointer a kernel gets is checked first: the
// elements it will touch lie inside that array, aligned, of a compatible element type. A
// write past a tensor's end is then an exception here, not a corrupted heap.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace dpo::napi {

struct ArgError {
  std::string message;
};

// A tensor's bytes as its TypedArray gives them.
struct Span {
  uint8_t* data = nullptr;
  size_t bytes = 0;
  napi_typedarray_type type = napi_uint8_array;
};

// Which TypedArrays may hold elements of T: the matching type, or bytes (a wasm heap view).
template <typename T>
bool holds(napi_typedarray_type type);
template <>
inline bool holds<float>(napi_typedarray_type type) { return type == napi_float32_array || type == napi_uint8_array; }
template <>
inline bool holds<int32_t>(napi_typedarray_type type) { return type == napi_int32_array || type == napi_uint8_array; }
template <>  // 4-byte elements moved as they are (float32 or int32)
inline bool holds<uint32_t>(napi_typedarray_type type) {
  return type == napi_float32_array || type == napi_int32_array || type == napi_uint32_array || type == napi_uint8_array;
}

// count elements of T from element `offset` of span, after checking they lie inside it.
template <typename T>
T* elements(const Span& span, int64_t count, int64_t offset, const std::string& what) {
  if (count < 0 || offset < 0) throw ArgError{what + ": negative size or offset"};
  if (count == 0) return reinterpret_cast<T*>(span.data);
  if (!holds<typename std::remove_const<T>::type>(span.type)) throw ArgError{what + ": a TypedArray of the wrong element type"};
  if (reinterpret_cast<uintptr_t>(span.data) % alignof(T) != 0) throw ArgError{what + ": misaligned tensor memory"};
  const double needed = (static_cast<double>(offset) + static_cast<double>(count)) * sizeof(T);
  if (needed > static_cast<double>(span.bytes)) {
    throw ArgError{what + ": " + std::to_string(offset + count) + " elements needed, the tensor holds " +
                   std::to_string(span.bytes / sizeof(T))};
  }
  return reinterpret_cast<T*>(span.data) + offset;
}

class Args {
 public:
  Args(napi_env env, napi_callback_info info, size_t expected) : env_(env), values_(expected) {
    size_t count = expected;
    napi_get_cb_info(env, info, &count, values_.data(), nullptr, nullptr);
    if (count < expected) throw ArgError{"expected " + std::to_string(expected) + " arguments"};
  }

  double number(size_t i) {
    double value;
    if (napi_get_value_double(env_, values_[i], &value) != napi_ok) throw ArgError{name(i) + " must be a number"};
    return value;
  }

  int64_t integer(size_t i) { return static_cast<int64_t>(number(i)); }

  bool boolean(size_t i) {
    bool value;
    if (napi_get_value_bool(env_, values_[i], &value) != napi_ok) throw ArgError{name(i) + " must be a boolean"};
    return value;
  }

  // The values of a Float64Array argument.
  std::vector<double> numbers(size_t i) {
    const Span s = span(values_[i], name(i));
    if (s.type != napi_float64_array) throw ArgError{name(i) + " must be a Float64Array"};
    const double* values = reinterpret_cast<const double*>(s.data);
    return std::vector<double>(values, values + s.bytes / sizeof(double));
  }

  bool isNull(size_t i) {
    napi_valuetype type;
    napi_typeof(env_, values_[i], &type);
    return type == napi_null || type == napi_undefined;
  }

  // The tensor at argument i: count elements of T (from element offset), checked.
  template <typename T>
  T* tensor(size_t i, int64_t count, int64_t offset = 0) {
    return elements<T>(span(values_[i], name(i)), count, offset, name(i));
  }

  Span tensorSpan(size_t i) { return span(values_[i], name(i)); }

  // The tensors of an Array argument, as spans.
  std::vector<Span> tensors(size_t i) {
    bool isArray = false;
    napi_is_array(env_, values_[i], &isArray);
    if (!isArray) throw ArgError{name(i) + " must be an Array of TypedArrays"};
    uint32_t length = 0;
    napi_get_array_length(env_, values_[i], &length);
    std::vector<Span> spans(length);
    for (uint32_t j = 0; j < length; ++j) {
      napi_value element;
      napi_get_element(env_, values_[i], j, &element);
      spans[j] = span(element, name(i) + "[" + std::to_string(j) + "]");
    }
    return spans;
  }

  static std::string name(size_t i) { return "argument " + std::to_string(i); }

 private:
  Span span(napi_value value, const std::string& what) {
    Span s;
    void* data = nullptr;
    size_t length = 0, offset = 0;
    napi_value buffer;
    bool isTypedArray = false;
    napi_is_typedarray(env_, value, &isTypedArray);
    if (!isTypedArray || napi_get_typedarray_info(env_, value, &s.type, &length, &data, &buffer, &offset) != napi_ok) {
      throw ArgError{what + " must be a TypedArray"};
    }
    s.data = static_cast<uint8_t*>(data);
    s.bytes = length * elementSize(s.type);
    return s;
  }

  static size_t elementSize(napi_typedarray_type type) {
    switch (type) {
      case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
      case napi_int16_array: case napi_uint16_array: return 2;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
      default: return 8;
    }
  }

  napi_env env_;
  std::vector<napi_value> values_;
};

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

inline napi_value booleanValue(napi_env env, bool value) {
  napi_value result;
  napi_get_boolean(env, value, &result);
  return result;
}

}  // namespace dpo::napi
