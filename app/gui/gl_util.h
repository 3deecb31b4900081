// Small RAII wrappers over the GL objects the views use (programs, textures, buffers,
// framebuffers) and the checks the tests rely on. All calls need a current context.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <imgui.h>
#include "app/gui/gl.h"
#include "core/export/figure.h"

namespace zs::gui {

class GlTarget;

// Drains glGetError; returns the errors as text ("" when there were none).
std::string gl_errors();

// A linked program built from embedded sources; the common GLSL prelude (version line,
// colour scale) is prepended to every stage. Throws zs::Error with the compiler log.
class GlProgram {
 public:
  GlProgram() = default;
  GlProgram(const char* name, const char* vert, const char* frag, const char* geom = nullptr);
  GlProgram(GlProgram&& o) noexcept : id_(o.id_) { o.id_ = 0; }
  GlProgram& operator=(GlProgram&& o) noexcept;
  GlProgram(const GlProgram&) = delete;
  GlProgram& operator=(const GlProgram&) = delete;
  ~GlProgram();
  GLuint id() const { return id_; }
  GLint loc(const char* uniform) const { return glGetUniformLocation(id_, uniform); }

 private:
  GLuint id_ = 0;
};

// Owning handle for objects deleted by a glDelete*(1, &id) function.
template <void (*Delete)(GLsizei, const GLuint*)>
class GlHandle {
 public:
  GlHandle() = default;
  explicit GlHandle(GLuint id) : id_(id) {}
  GlHandle(GlHandle&& o) noexcept : id_(o.id_) { o.id_ = 0; }
  GlHandle& operator=(GlHandle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = 0;
    }
    return *this;
  }
  GlHandle(const GlHandle&) = delete;
  GlHandle& operator=(const GlHandle&) = delete;
  ~GlHandle() { reset(); }
  void reset() {
    if (id_) Delete(1, &id_);
    id_ = 0;
  }
  GLuint id() const { return id_; }
  explicit operator bool() const { return id_ != 0; }
  // Forgets the object without deleting it (it belonged to a context that is gone).
  void release() { id_ = 0; }

 private:
  GLuint id_ = 0;
};

inline void gl_delete_textures(GLsizei n, const GLuint* ids) { glDeleteTextures(n, ids); }
inline void gl_delete_buffers(GLsizei n, const GLuint* ids) { glDeleteBuffers(n, ids); }
inline void gl_delete_vertex_arrays(GLsizei n, const GLuint* ids) { glDeleteVertexArrays(n, ids); }
inline void gl_delete_framebuffers(GLsizei n, const GLuint* ids) { glDeleteFramebuffers(n, ids); }
inline void gl_delete_renderbuffers(GLsizei n, const GLuint* ids) { glDeleteRenderbuffers(n, ids); }
using GlTexture = GlHandle<gl_delete_textures>;
using GlBuffer = GlHandle<gl_delete_buffers>;
using GlVertexArray = GlHandle<gl_delete_vertex_arrays>;
using GlFramebuffer = GlHandle<gl_delete_framebuffers>;
using GlRenderbuffer = GlHandle<gl_delete_renderbuffers>;

GlTexture gl_texture_new();
GlBuffer gl_buffer_new();
GlVertexArray gl_vertex_array_new();

// An offscreen render target: RGBA8 colour texture, optionally a 24-bit depth buffer.
// Used for the 3-D view, the headless "window", cached layers and the export.
class GlTarget {
 public:
  explicit GlTarget(bool depth = false, bool nearest = false) : want_depth_(depth), nearest_(nearest) {}
  // Reallocates only when the size changes. Throws zs::Error if the FBO is incomplete.
  // `nearest` sampling suits targets shown 1:1 on screen: llvmpipe samples it at about
  // twice the speed of bilinear filtering.
  void resize(int w, int h);
  void bind() const;  // binds the FBO and sets the viewport to the whole target
  int width() const { return w_; }
  int height() const { return h_; }
  GLuint framebuffer() const { return fbo_.id(); }
  GLuint colour_texture() const { return colour_.id(); }
  GLuint depth_renderbuffer() const { return depth_.id(); }  // 0 without depth

 private:
  bool want_depth_ = false, nearest_ = false;
  int w_ = 0, h_ = 0;
  GlFramebuffer fbo_;
  GlTexture colour_;
  GlRenderbuffer depth_;
};

// PNG of an opaque image without its alpha channel (a quarter fewer bytes to compress;
// core's png_write keeps RGBA for figures with transparency), written atomically.
void png_write_opaque(const std::string& path, const Image& img);

// Reads the currently bound read framebuffer (w x h from the origin) into an image with
// row 0 at the top, alpha forced opaque.
Image gl_read_pixels(int w, int h);

// Puts an opaque render target's pixels at [p0, p1] of a draw list (in draw order) with a
// framebuffer blit from a draw callback: an unscaled, unscissored blit is a plain copy for
// Mesa's llvmpipe, where drawing the same texture as a quad costs a shaded, sampled pass
// over these layers, which cover most of the window. Clipping is done on the rectangles.
void draw_target_blit(ImDrawList* dl, const GlTarget& target, ImVec2 p0, ImVec2 p1);
// Copies all of `src` into `dst` (same size), with the depth buffer when `depth` (both
// targets must have one).
void gl_copy(const GlTarget& src, GlTarget& dst, bool depth = false);
// Blit records live until the frame is drawn; call once per frame before building it.
void draw_target_blits_reset();

// The embedded GLSL file `name` (e.g. "heatmap.frag"); throws zs::Error if unknown.
const char* shader_source(const std::string& name);

}  // namespace zs::gui
