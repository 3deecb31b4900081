// Embedded DejaVu Sans via stb_truetype (Debian's libstb ships the implementation in
// libstb.so, so only the header is included here). Text metrics for the figure layout.
#include "core/export/font.h"
#include <stb/stb_truetype.h>
#include <cstdint>
#include "core/util/error.h"

extern "C" const unsigned char zs_font_dejavu[];
extern "C" const unsigned char zs_font_dejavu_end[];

namespace zs {

namespace {

struct FontData {
  stbtt_fontinfo info{};
  double units_per_em = 2048;
  double cap_height = 0.73;
  double descent = 0.24;
  double ascent = 0.93;
};

const FontData& font_data() {
  static const FontData data = [] {
    FontData d;
    const auto size = reinterpret_cast<uintptr_t>(zs_font_dejavu_end) - reinterpret_cast<uintptr_t>(zs_font_dejavu);
    if (size < 12 || !stbtt_InitFont(&d.info, zs_font_dejavu, stbtt_GetFontOffsetForIndex(zs_font_dejavu, 0)))
      fail("embedded font", "not a usable TrueType font");
    d.units_per_em = 1.0 / stbtt_ScaleForMappingEmToPixels(&d.info, 1.0f);
    int x0, y0, x1, y1;
    if (stbtt_GetCodepointBox(&d.info, 'H', &x0, &y0, &x1, &y1)) d.cap_height = y1 / d.units_per_em;
    int ascent, descent, gap;
    stbtt_GetFontVMetrics(&d.info, &ascent, &descent, &gap);
    d.descent = -descent / d.units_per_em;
    d.ascent = ascent / d.units_per_em;
    return d;
  }();
  return data;
}

}  // namespace

const stbtt_fontinfo& font_info() { return font_data().info; }

float font_scale(double size) { return stbtt_ScaleForMappingEmToPixels(&font_data().info, static_cast<float>(size)); }

double font_cap_height() { return font_data().cap_height; }

double font_descent() { return font_data().descent; }

double font_ascent() { return font_data().ascent; }

double glyph_advance(uint32_t cp, double size) {
  int advance, bearing;
  stbtt_GetCodepointHMetrics(&font_info(), static_cast<int>(cp), &advance, &bearing);
  return advance * static_cast<double>(font_scale(size));
}

double text_width(const std::string& s, double size) {
  const stbtt_fontinfo& f = font_info();
  int units = 0;
  for (uint32_t cp : utf8_decode(s)) {
    int advance, bearing;
    stbtt_GetCodepointHMetrics(&f, static_cast<int>(cp), &advance, &bearing);
    units += advance;
  }
  return units * static_cast<double>(font_scale(size));
}

std::vector<uint32_t> utf8_decode(const std::string& s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      ok = (p[i + k] & 0xc0) == 0x80;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and out-of-range values are invalid too (XML must not see them).
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok && (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out.push_back(0xfffd);
      i += 1;
      continue;
    }
    i += static_cast<size_t>(len);
    if (cp < 0x20 || cp == 0x7f || cp == 0xfffe || cp == 0xffff) continue;
    out.push_back(cp);
  }
  return out;
}

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace zs
