// The exporter's embedded font (DejaVu Sans, stb_truetype) and the text metrics both
// backends share, so the PNG and SVG layouts measure text identically. Internal header.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct stbtt_fontinfo;

namespace zs {

// The font, parsed once (thread-safe first use). Throws zs::Error if the embedded data
// is not a usable TrueType font.
const stbtt_fontinfo& font_info();
// stb_truetype scale for an em size of `size` pixels (CSS font-size semantics, as in SVG).
float font_scale(double size);
// Height of capital letters and depth of descenders, in em (positive numbers).
double font_cap_height();
double font_descent();
// The font's ascent in em: ascent + descent is the em of a font sized by its pixel height
// (stb_truetype's ScaleForPixelHeight, as Dear ImGui sizes fonts).
double font_ascent();
// Advance width of one code point at em size `size`, in pixels.
double glyph_advance(uint32_t cp, double size);
// Advance width of `s` at em size `size`, in pixels (no kerning, as drawn).
double text_width(const std::string& s, double size);
// UTF-8 to code points; invalid sequences become U+FFFD, control characters are dropped.
std::vector<uint32_t> utf8_decode(const std::string& s);
// Appends the UTF-8 encoding of one code point.
void utf8_append(std::string& out, uint32_t cp);

}  // namespace zs
