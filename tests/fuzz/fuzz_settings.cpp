// The GUI's settings.json (app/gui/settings.cpp, which needs no GL): any file loads to
// settings (defaults where it is malformed) and never throws.
#include "app/gui/settings.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string p = zs::fuzz::put("settings.json", std::string_view(reinterpret_cast<const char*>(data), size));
  const zs::gui::Settings s = zs::gui::settings_load(p);
  (void)s;
  return 0;
}
