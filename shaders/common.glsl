#version 330 core
// Prepended to every zoscope shader stage (app/gui/gl_util.cpp). It evaluates, on the GPU,
// the value -> colour mapping of core/export/colormap.h (ColourScale) and the contour
// levels of core/export/contour.h, so the live view and exported figures agree.

// ColourScale: t = (c(v) - c0) * cinv with c(v) = v (linear) or log10(max(v - lo, 0) + shift).
uniform float u_lo;
uniform float u_log;     // 1: log scale
uniform float u_shift;   // kLogShift * (hi - lo), log only
uniform float u_c0;      // c(lo)
uniform float u_cinv;    // 1 / (c(hi) - c(lo)); 0 when hi <= lo (every value maps to 0.5)
uniform sampler2D u_lut; // colormap_table(): 256 x 1 RGBA8

// The loss grid (R32F); node (i, j) sits at x0 + i (x1 - x0) / (nx - 1), so texel centres
// are placed on the nodes and bilinear filtering interpolates between them.
uniform sampler2D u_grid;
uniform vec2 u_grid_size;    // nx, ny
uniform vec4 u_grid_domain;  // x0, x1, y0, y1

// Contours: n levels at t = k / (n + 1), k = 1..n, as contour_levels() picks them.
uniform float u_levels;
uniform float u_line_px;

float colour_t(float v) {
  if (u_cinv == 0.0) return 0.5;
  float c = u_log > 0.5 ? log(max(v - u_lo, 0.0) + u_shift) * 0.43429448190325176 : v;
  return clamp((c - u_c0) * u_cinv, 0.0, 1.0);
}

vec3 colormap(float t) { return texture(u_lut, vec2((t * 255.0 + 0.5) / 256.0, 0.5)).rgb; }

// Grid coordinates (0..1 between the first and last node) of a world point.
vec2 grid_coord(vec2 world) { return (world - u_grid_domain.xz) / (u_grid_domain.yw - u_grid_domain.xz); }

float grid_value(vec2 g) { return textureLod(u_grid, (g * (u_grid_size - 1.0) + 0.5) / u_grid_size, 0.0).r; }

// Isoline colour and coverage at colour coordinate t: white over dark colours, black over
// light ones (the exporter's rule); width from screen-space derivatives, faded out where
// levels crowd closer than a pixel.
vec4 isoline(float t, float w) {
  if (u_levels < 0.5) return vec4(0.0);
  float f = t * (u_levels + 1.0);
  float k = floor(f + 0.5);
  if (k < 1.0 || k > u_levels) return vec4(0.0);
  float d = abs(f - k) / max(w, 1e-6);
  float a = 1.0 - smoothstep(0.5 * u_line_px - 0.5, 0.5 * u_line_px + 0.5, d);
  a *= clamp(2.0 - 2.0 * w, 0.0, 1.0);
  vec3 lc = colormap(k / (u_levels + 1.0));
  float lum = dot(lc, vec3(0.2126, 0.7152, 0.0722));
  return lum < 0.5 ? vec4(1.0, 1.0, 1.0, 0.45 * a) : vec4(0.0, 0.0, 0.0, 0.3 * a);
}
