// GPU side of the landscape views: the loss grid as an R32F texture and the colormap as a
// 256-texel lookup texture (shared by the 2-D and 3-D views), the heatmap pass and the 3-D
// surface pass. Colours follow core's ColourScale exactly (shaders/common.glsl).
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "app/gui/gl_util.h"
#include "core/export/colormap.h"
#include "core/run/runner.h"

namespace zs::gui {

class LandscapeTextures {
 public:
  LandscapeTextures();
  void set_grid(const Grid& g);
  void set_colormap(const std::string& name);  // uploads only when the name changes
  bool has_grid() const { return nx_ > 0; }
  const double* domain() const { return domain_; }
  // Binds grid (unit 0) and lookup table (unit 1) and sets the grid uniforms of `p`.
  void bind(const GlProgram& p) const;

 private:
  GlTexture grid_, lut_;
  int nx_ = 0, ny_ = 0;
  double domain_[4] = {0, 1, 0, 1};
  std::string colormap_;
};

// ColourScale and contour uniforms (see common.glsl).
void colour_uniforms(const GlProgram& p, const ColourScale& sc, int contours, float line_px);

class HeatmapRenderer {
 public:
  HeatmapRenderer();
  // Draws the world rectangle `extent` (x0, x1, y0, y1) into the viewport `vp` (x, y, w, h
  // in framebuffer pixels, origin bottom-left) of the bound framebuffer.
  void draw(const LandscapeTextures& tex, const ColourScale& sc, const int vp[4], const double extent[4], int contours,
            float line_px, uint32_t background) const;

 private:
  GlProgram prog_;
  GlVertexArray vao_;
};

struct OrbitCamera {
  float yaw = -2.2f;     // radians around the vertical axis
  float pitch = 0.62f;   // radians above the horizon
  float distance = 4.6f;
};

// A polyline or a set of point markers in world coordinates for the 3-D view.
struct Path3D {
  std::vector<float> xy;   // x0, y0, x1, y1, ...
  uint32_t rgb = 0xffffff;
  float alpha = 1;
  float width_px = 2.5f;
  bool points = false;     // draw as round markers of width_px with a ring
  uint32_t ring_rgb = 0x000000;
};

class SurfaceRenderer {
 public:
  SurfaceRenderer();
  // Renders the surface and `paths` lifted onto it into `target` (cleared first). The
  // surface alone (colour and depth) is kept in a cache target and re-rendered only when
  // `surface_key` (whatever the surface depends on: grid, colour scale, camera, height,
  // contours, colormap) or the size changes; otherwise the cache is copied in and only the
  // paths are drawn (playback changes the paths every frame, the surface never).
  void draw(GlTarget& target, const LandscapeTextures& tex, const ColourScale& sc, int contours, const OrbitCamera& cam,
            float height, const std::vector<Path3D>& paths, uint32_t background, uint64_t surface_key);
  static constexpr int kMaxMesh = 256;  // vertices per side, at most
  // Where the last draw put the world point (x, y) of the grid's domain at colour
  // coordinate t (height t * height): pixels of the target, origin top-left. False when
  // nothing was drawn yet or the point is behind the camera.
  bool project(double x, double y, double t, float out[2]) const;
  const double* drawn_domain() const { return domain_; }    // the grid domain of the last draw (x0, x1, y0, y1)
  int surface_renders() const { return surface_renders_; }  // times the surface itself was rendered

 private:
  void mesh_build(int n);
  void draw_surface(const LandscapeTextures& tex, const ColourScale& sc, int contours, const float* mvp, float hx, float hy,
                    float height, const float eye[3], uint32_t background);
  GlTarget cache_{true};
  GlFramebuffer paths_fbo_;  // the target's colour with the cache's depth: paths test against the surface
  uint64_t cache_key_ = 0;
  int surface_renders_ = 0;
  // The last draw's projection, for project().
  float mvp_[16] = {};
  double domain_[4] = {0, 1, 0, 1};
  float half_[2] = {1, 1}, height_ = 1, viewport_[2] = {0, 0};
  bool drawn_ = false;
  GlProgram surface_, lines_, markers_;
  GlVertexArray mesh_vao_, path_vao_;
  GlBuffer mesh_vbo_, mesh_ibo_, path_vbo_;
  int mesh_indices_ = 0;
  int mesh_side_ = 0;
};

// Vertices per side of the surface mesh for a w x h target: one per 6 pixels of the
// shorter side, within [32, SurfaceRenderer::kMaxMesh].
int surface_mesh_side(int w, int h);

}  // namespace zs::gui
