// Landscape rendering: heatmap pass (2-D view, export FBO) and surface pass (3-D view).
#include "app/gui/landscape_gl.h"
#include <algorithm>
#include <cmath>

namespace zs::gui {

namespace {

void rgb_floats(uint32_t rgb, float out[3]) {
  out[0] = static_cast<float>((rgb >> 16) & 0xff) / 255.f;
  out[1] = static_cast<float>((rgb >> 8) & 0xff) / 255.f;
  out[2] = static_cast<float>(rgb & 0xff) / 255.f;
}

// Column-major 4x4 matrices for the orbit camera.
struct Mat4 {
  float m[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
};

Mat4 mat_mul(const Mat4& a, const Mat4& b) {
  Mat4 r;
  for (int c = 0; c < 4; ++c)
    for (int row = 0; row < 4; ++row) {
      float s = 0;
      for (int k = 0; k < 4; ++k) s += a.m[k * 4 + row] * b.m[c * 4 + k];
      r.m[c * 4 + row] = s;
    }
  return r;
}

Mat4 perspective(float fovy, float aspect, float zn, float zf) {
  Mat4 p;
  const float f = 1.0f / std::tan(fovy / 2);
  p.m[0] = f / aspect;
  p.m[5] = f;
  p.m[10] = (zf + zn) / (zn - zf);
  p.m[11] = -1;
  p.m[14] = 2 * zf * zn / (zn - zf);
  p.m[15] = 0;
  return p;
}

void normalize3(float v[3]) {
  const float n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  for (int i = 0; i < 3; ++i) v[i] /= n;
}

Mat4 look_at(const float eye[3], const float at[3]) {
  float f[3] = {at[0] - eye[0], at[1] - eye[1], at[2] - eye[2]};
  normalize3(f);
  const float up[3] = {0, 0, 1};
  float s[3] = {f[1] * up[2] - f[2] * up[1], f[2] * up[0] - f[0] * up[2], f[0] * up[1] - f[1] * up[0]};
  normalize3(s);
  const float u[3] = {s[1] * f[2] - s[2] * f[1], s[2] * f[0] - s[0] * f[2], s[0] * f[1] - s[1] * f[0]};
  Mat4 v;
  v.m[0] = s[0]; v.m[4] = s[1]; v.m[8] = s[2];
  v.m[1] = u[0]; v.m[5] = u[1]; v.m[9] = u[2];
  v.m[2] = -f[0]; v.m[6] = -f[1]; v.m[10] = -f[2];
  v.m[12] = -(s[0] * eye[0] + s[1] * eye[1] + s[2] * eye[2]);
  v.m[13] = -(u[0] * eye[0] + u[1] * eye[1] + u[2] * eye[2]);
  v.m[14] = f[0] * eye[0] + f[1] * eye[1] + f[2] * eye[2];
  return v;
}

}  // namespace

// [SECTION] textures

LandscapeTextures::LandscapeTextures() : grid_(gl_texture_new()), lut_(gl_texture_new()) {
  const GLuint ids[2] = {grid_.id(), lut_.id()};
  for (GLuint id : ids) {
    glBindTexture(GL_TEXTURE_2D, id);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  const float nan_grid[4] = {NAN, NAN, NAN, NAN};
  glBindTexture(GL_TEXTURE_2D, grid_.id());
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, 2, 2, 0, GL_RED, GL_FLOAT, nan_grid);
  set_colormap("viridis");
}

void LandscapeTextures::set_grid(const Grid& g) {
  glBindTexture(GL_TEXTURE_2D, grid_.id());
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, g.nx, g.ny, 0, GL_RED, GL_FLOAT, g.v.data());
  nx_ = g.nx;
  ny_ = g.ny;
  std::copy(g.domain, g.domain + 4, domain_);
}

void LandscapeTextures::set_colormap(const std::string& name) {
  if (name == colormap_ || !colormap_known(name)) return;
  colormap_ = name;
  std::vector<uint8_t> texels;
  for (uint32_t rgb : colormap_table(name)) {
    texels.push_back(static_cast<uint8_t>(rgb >> 16));
    texels.push_back(static_cast<uint8_t>(rgb >> 8));
    texels.push_back(static_cast<uint8_t>(rgb));
    texels.push_back(255);
  }
  glBindTexture(GL_TEXTURE_2D, lut_.id());
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 256, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, texels.data());
}

void LandscapeTextures::bind(const GlProgram& p) const {
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, grid_.id());
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, lut_.id());
  glActiveTexture(GL_TEXTURE0);
  glUniform1i(p.loc("u_grid"), 0);
  glUniform1i(p.loc("u_lut"), 1);
  glUniform2f(p.loc("u_grid_size"), static_cast<float>(std::max(nx_, 2)), static_cast<float>(std::max(ny_, 2)));
  glUniform4f(p.loc("u_grid_domain"), static_cast<float>(domain_[0]), static_cast<float>(domain_[1]),
              static_cast<float>(domain_[2]), static_cast<float>(domain_[3]));
}

void colour_uniforms(const GlProgram& p, const ColourScale& sc, int contours, float line_px) {
  const bool valid = sc.hi > sc.lo;
  double c0 = sc.lo, c1 = sc.hi;
  if (sc.log) {
    c0 = std::log10(sc.shift);
    c1 = std::log10(sc.hi - sc.lo + sc.shift);
  }
  glUniform1f(p.loc("u_lo"), static_cast<float>(sc.lo));
  glUniform1f(p.loc("u_log"), sc.log ? 1.f : 0.f);
  glUniform1f(p.loc("u_shift"), static_cast<float>(sc.shift));
  glUniform1f(p.loc("u_c0"), static_cast<float>(c0));
  glUniform1f(p.loc("u_cinv"), valid ? static_cast<float>(1 / (c1 - c0)) : 0.f);
  glUniform1f(p.loc("u_levels"), static_cast<float>(contours));
  glUniform1f(p.loc("u_line_px"), line_px);
}

// [SECTION] heatmap

HeatmapRenderer::HeatmapRenderer() : prog_("heatmap", "heatmap.vert", "heatmap.frag"), vao_(gl_vertex_array_new()) {}

void HeatmapRenderer::draw(const LandscapeTextures& tex, const ColourScale& sc, const int vp[4], const double extent[4],
                           int contours, float line_px, uint32_t background) const {
  glViewport(vp[0], vp[1], vp[2], vp[3]);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_BLEND);
  glDisable(GL_CULL_FACE);
  glUseProgram(prog_.id());
  tex.bind(prog_);
  colour_uniforms(prog_, sc, contours, line_px);
  glUniform4f(prog_.loc("u_extent"), static_cast<float>(extent[0]), static_cast<float>(extent[1]),
              static_cast<float>(extent[2]), static_cast<float>(extent[3]));
  float bg[3];
  rgb_floats(background, bg);
  glUniform3fv(prog_.loc("u_background"), 1, bg);
  glBindVertexArray(vao_.id());
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray(0);
  glUseProgram(0);
}

// [SECTION] surface

int surface_mesh_side(int w, int h) { return std::clamp(std::min(w, h) / 6, 32, SurfaceRenderer::kMaxMesh); }

void SurfaceRenderer::mesh_build(int n) {
  std::vector<float> g;
  g.reserve(static_cast<size_t>(n) * n * 2);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      g.push_back(static_cast<float>(i) / static_cast<float>(n - 1));
      g.push_back(static_cast<float>(j) / static_cast<float>(n - 1));
    }
  std::vector<uint32_t> idx;
  idx.reserve(static_cast<size_t>(n - 1) * (n - 1) * 6);
  for (int j = 0; j + 1 < n; ++j)
    for (int i = 0; i + 1 < n; ++i) {
      const uint32_t a = static_cast<uint32_t>(j * n + i), b = a + 1, c = a + static_cast<uint32_t>(n), d = c + 1;
      const uint32_t quad[6] = {a, b, d, a, d, c};
      idx.insert(idx.end(), quad, quad + 6);
    }
  mesh_indices_ = static_cast<int>(idx.size());
  mesh_side_ = n;
  glBindVertexArray(mesh_vao_.id());
  glBindBuffer(GL_ARRAY_BUFFER, mesh_vbo_.id());
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(g.size() * sizeof(float)), g.data(), GL_STATIC_DRAW);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, mesh_ibo_.id());
  glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(idx.size() * sizeof(uint32_t)), idx.data(), GL_STATIC_DRAW);
  glBindVertexArray(0);
}

SurfaceRenderer::SurfaceRenderer()
    : surface_("surface", "surface.vert", "surface.frag"),
      lines_("line3d", "line3d.vert", "line3d.frag", "line3d.geom"),
      markers_("marker3d", "line3d.vert", "marker3d.frag"),
      mesh_vao_(gl_vertex_array_new()),
      path_vao_(gl_vertex_array_new()),
      mesh_vbo_(gl_buffer_new()),
      mesh_ibo_(gl_buffer_new()),
      path_vbo_(gl_buffer_new()) {
  mesh_build(kMaxMesh);
  glBindVertexArray(path_vao_.id());
  glBindBuffer(GL_ARRAY_BUFFER, path_vbo_.id());
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
  glBindVertexArray(0);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void SurfaceRenderer::draw_surface(const LandscapeTextures& tex, const ColourScale& sc, int contours, const float* mvp,
                                   float hx, float hy, float height, const float eye[3], uint32_t background) {
  float bg[3];
  rgb_floats(background, bg);
  glClearColor(bg[0], bg[1], bg[2], 1);
  glClearDepth(1);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  glEnable(GL_DEPTH_TEST);
  glDepthFunc(GL_LEQUAL);
  // The mesh at about one vertex per 6 pixels of the target (llvmpipe pays per triangle;
  // colours and contours come from the grid texture per fragment, so they stay sharp).
  const int side = surface_mesh_side(static_cast<int>(viewport_[0]), static_cast<int>(viewport_[1]));
  if (side != mesh_side_) mesh_build(side);
  glUseProgram(surface_.id());
  tex.bind(surface_);
  colour_uniforms(surface_, sc, contours, 1.2f);
  glUniformMatrix4fv(surface_.loc("u_mvp"), 1, GL_FALSE, mvp);
  glUniform2f(surface_.loc("u_half"), hx, hy);
  glUniform1f(surface_.loc("u_height"), height);
  glUniform1f(surface_.loc("u_step"), 1.f / static_cast<float>(mesh_side_ - 1));
  glUniform3fv(surface_.loc("u_eye"), 1, eye);
  glUniform3f(surface_.loc("u_light"), 0.35f, -0.45f, 0.85f);
  // The mesh is pushed back a little so paths drawn on it win the depth test.
  glEnable(GL_POLYGON_OFFSET_FILL);
  glPolygonOffset(1.f, 2.f);
  glBindVertexArray(mesh_vao_.id());
  glDrawElements(GL_TRIANGLES, mesh_indices_, GL_UNSIGNED_INT, nullptr);
  glDisable(GL_POLYGON_OFFSET_FILL);
}

bool SurfaceRenderer::project(double x, double y, double t, float out[2]) const {
  if (!drawn_) return false;
  const float p[4] = {static_cast<float>((2 * (x - domain_[0]) / (domain_[1] - domain_[0]) - 1) * half_[0]),
                      static_cast<float>((2 * (y - domain_[2]) / (domain_[3] - domain_[2]) - 1) * half_[1]),
                      static_cast<float>(t) * height_, 1.f};
  float c[4];
  for (int r = 0; r < 4; ++r) c[r] = mvp_[r] * p[0] + mvp_[4 + r] * p[1] + mvp_[8 + r] * p[2] + mvp_[12 + r] * p[3];
  if (c[3] <= 1e-6f) return false;
  out[0] = (c[0] / c[3] * 0.5f + 0.5f) * viewport_[0];
  out[1] = (0.5f - c[1] / c[3] * 0.5f) * viewport_[1];
  return true;
}

void SurfaceRenderer::draw(GlTarget& target, const LandscapeTextures& tex, const ColourScale& sc, int contours,
                           const OrbitCamera& cam, float height, const std::vector<Path3D>& paths, uint32_t background,
                           uint64_t surface_key) {
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_BLEND);
  glDisable(GL_CULL_FACE);
  glEnable(GL_DEPTH_TEST);
  glDepthFunc(GL_LEQUAL);

  // Model: the grid's domain as a rectangle of longer side 2, height `height` for t = 1.
  const double* d = tex.domain();
  const double aspect_dom = (d[3] - d[2]) / (d[1] - d[0]);
  const float hx = aspect_dom <= 1 ? 1.f : static_cast<float>(1 / aspect_dom);
  const float hy = aspect_dom <= 1 ? static_cast<float>(aspect_dom) : 1.f;
  const float at[3] = {0, 0, 0.35f * height};
  const float cp = std::cos(cam.pitch), sp = std::sin(cam.pitch);
  const float aspect = static_cast<float>(target.width()) / static_cast<float>(std::max(1, target.height()));
  // The surface fits on open: the camera distance is relative to the one at which the
  // box's bounding sphere fills the narrower field of view (cam.distance 4.6 = exactly).
  const float fovy = 0.62f, fov = std::min(fovy, 2 * std::atan(aspect * std::tan(fovy / 2)));
  const float radius = std::sqrt(hx * hx + hy * hy + 0.42f * height * height);
  const float dist = cam.distance / OrbitCamera().distance * radius / std::sin(fov / 2);
  const float eye[3] = {at[0] + dist * cp * std::cos(cam.yaw), at[1] + dist * cp * std::sin(cam.yaw), at[2] + dist * sp};
  const Mat4 mvp = mat_mul(perspective(fovy, aspect, 0.05f, 50.f + dist), look_at(eye, at));
  std::copy(mvp.m, mvp.m + 16, mvp_);
  std::copy(d, d + 4, domain_);
  half_[0] = hx;
  half_[1] = hy;
  height_ = height;
  viewport_[0] = static_cast<float>(target.width());
  viewport_[1] = static_cast<float>(target.height());
  drawn_ = true;

  // The surface from the cache when nothing it shows changed.
  if (surface_key != cache_key_ || cache_.width() != target.width() || cache_.height() != target.height()) {
    cache_.resize(target.width(), target.height());
    cache_.bind();
    draw_surface(tex, sc, contours, mvp.m, hx, hy, height, eye, background);
    cache_key_ = surface_key;
    ++surface_renders_;
  }
  // The surface's colour is copied; its depth is not: the paths are drawn through a
  // framebuffer of the target's colour and the cache's depth, tested, never written (one
  // plain copy per frame instead of two on llvmpipe).
  gl_copy(cache_, target);
  if (!paths_fbo_) {
    GLuint id = 0;
    glGenFramebuffers(1, &id);
    paths_fbo_ = GlFramebuffer(id);
  }
  glBindFramebuffer(GL_FRAMEBUFFER, paths_fbo_.id());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target.colour_texture(), 0);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, cache_.depth_renderbuffer());
  glViewport(0, 0, target.width(), target.height());
  glEnable(GL_DEPTH_TEST);
  glDepthFunc(GL_LEQUAL);
  glDepthMask(GL_FALSE);

  // Paths: one buffer upload per frame, one draw per path.
  std::vector<float> xyz;
  std::vector<int> first;
  for (const Path3D& p : paths) {
    first.push_back(static_cast<int>(xyz.size() / 3));
    for (size_t i = 0; i + 1 < p.xy.size(); i += 2) {
      xyz.push_back(p.xy[i]);
      xyz.push_back(p.xy[i + 1]);
      xyz.push_back(0);
    }
  }
  if (!xyz.empty()) {
    glBindVertexArray(path_vao_.id());
    glBindBuffer(GL_ARRAY_BUFFER, path_vbo_.id());
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(xyz.size() * sizeof(float)), xyz.data(), GL_STREAM_DRAW);
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    glEnable(GL_PROGRAM_POINT_SIZE);
    for (const GlProgram* prog : {&lines_, &markers_}) {
      glUseProgram(prog->id());
      tex.bind(*prog);
      colour_uniforms(*prog, sc, contours, 1.f);
      glUniformMatrix4fv(prog->loc("u_mvp"), 1, GL_FALSE, mvp.m);
      glUniform2f(prog->loc("u_half"), hx, hy);
      glUniform1f(prog->loc("u_height"), height);
      glUniform1i(prog->loc("u_on_surface"), 1);
      glUniform2f(prog->loc("u_viewport"), static_cast<float>(target.width()), static_cast<float>(target.height()));
      for (size_t k = 0; k < paths.size(); ++k) {
        const Path3D& p = paths[k];
        const int n = static_cast<int>(p.xy.size() / 2);
        if (p.points != (prog == &markers_) || n == 0) continue;
        float c[3], r[3];
        rgb_floats(p.rgb, c);
        rgb_floats(p.ring_rgb, r);
        glUniform4f(prog->loc("u_colour"), c[0], c[1], c[2], p.alpha);
        glUniform4f(prog->loc("u_ring"), r[0], r[1], r[2], p.alpha);
        glUniform1f(prog->loc("u_width_px"), p.width_px);
        glUniform1f(prog->loc("u_point_px"), p.width_px);
        glDrawArrays(p.points ? GL_POINTS : GL_LINE_STRIP, first[k], n);
      }
    }
    glDisable(GL_PROGRAM_POINT_SIZE);
    glDisable(GL_BLEND);
  }
  glBindVertexArray(0);
  glUseProgram(0);
  glDepthMask(GL_TRUE);
  glDisable(GL_DEPTH_TEST);
}

}  // namespace zs::gui
