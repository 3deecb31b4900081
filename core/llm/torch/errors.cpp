// LibTorch errors as one line (see errors.h).
#include "core/llm/torch/errors.h"
#include <c10/util/Exception.h>
#include "core/util/error.h"

namespace zs {

std::string torch_error_line(const std::exception& e) {
  const auto* ce = dynamic_cast<const c10::Error*>(&e);
  if (!ce) return error_line(e);
  // what_without_backtrace(): "<msg>\n" possibly followed by context lines; "[enforce
  // fail at alloc_cpu.cpp:127] . DefaultCPUAllocator: not enough memory: ..." for CAFFE_ENFORCE.
  std::string m = ce->what_without_backtrace();
  const size_t nl = m.find('\n');
  if (nl != std::string::npos) m = m.substr(0, nl);
  // "[enforce fail at FILE:LINE] <condition>. <message>": keep the message.
  if (m.rfind("[enforce fail at ", 0) == 0) {
    const size_t close = m.find("] ");
    if (close != std::string::npos) m = m.substr(close + 2);
    const size_t dot = m.find(". ");
    if (dot != std::string::npos) m = m.substr(dot + 2);
  }
  const bool oom = dynamic_cast<const c10::OutOfMemoryError*>(&e) || m.find("not enough memory") != std::string::npos ||
                   m.find("can't allocate memory") != std::string::npos || m.find("out of memory") != std::string::npos;
  return one_line((oom ? "out of memory: " : "LibTorch: ") + (m.empty() ? std::string("error") : m));
}

}  // namespace zs
