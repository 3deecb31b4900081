// GL helpers: program building with readable errors, render targets, readback.
#include "app/gui/gl_util.h"
#include <algorithm>
#include <cstring>
#include <deque>
#include <stb_image_write.h>
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs::gui {

namespace {
struct ShaderRow {
  const char* name;
  const char* text;
};
#include "shader_table.inc"

GLuint compile(const char* program, GLenum stage, const char* src) {
  const GLuint sh = glCreateShader(stage);
  const char* parts[] = {shader_source("common.glsl"), "\n#line 1\n", src};
  glShaderSource(sh, 3, parts, nullptr);
  glCompileShader(sh);
  GLint ok = 0;
  glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048] = {0};
    glGetShaderInfoLog(sh, sizeof log, nullptr, log);
    glDeleteShader(sh);
    fail(std::string("shader ") + program, std::string("compile error: ") + log);
  }
  return sh;
}
}  // namespace

const char* shader_source(const std::string& name) {
  for (const ShaderRow* r = kShaderRows; r->name; ++r)
    if (name == r->name) return r->text;
  fail("shaders", "no embedded shader \"" + name + "\"");
}

std::string gl_errors() {
  std::string out;
  for (GLenum e; (e = glGetError()) != GL_NO_ERROR;) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s0x%04x", out.empty() ? "" : " ", e);
    out += buf;
    if (out.size() > 200) break;  // a lost context can report errors forever
  }
  return out;
}

GlProgram::GlProgram(const char* name, const char* vert, const char* frag, const char* geom) {
  GLuint stages[3] = {compile(name, GL_VERTEX_SHADER, shader_source(vert)),
                      compile(name, GL_FRAGMENT_SHADER, shader_source(frag)),
                      geom ? compile(name, GL_GEOMETRY_SHADER, shader_source(geom)) : 0};
  id_ = glCreateProgram();
  for (GLuint s : stages)
    if (s) glAttachShader(id_, s);
  glLinkProgram(id_);
  for (GLuint s : stages)
    if (s) glDeleteShader(s);
  GLint ok = 0;
  glGetProgramiv(id_, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[2048] = {0};
    glGetProgramInfoLog(id_, sizeof log, nullptr, log);
    glDeleteProgram(id_);
    id_ = 0;
    fail(std::string("shader ") + name, std::string("link error: ") + log);
  }
}

GlProgram& GlProgram::operator=(GlProgram&& o) noexcept {
  if (this != &o) {
    if (id_) glDeleteProgram(id_);
    id_ = o.id_;
    o.id_ = 0;
  }
  return *this;
}

GlProgram::~GlProgram() {
  if (id_) glDeleteProgram(id_);
}

GlTexture gl_texture_new() {
  GLuint id = 0;
  glGenTextures(1, &id);
  return GlTexture(id);
}

GlBuffer gl_buffer_new() {
  GLuint id = 0;
  glGenBuffers(1, &id);
  return GlBuffer(id);
}

GlVertexArray gl_vertex_array_new() {
  GLuint id = 0;
  glGenVertexArrays(1, &id);
  return GlVertexArray(id);
}

void GlTarget::resize(int w, int h) {
  if (w == w_ && h == h_ && fbo_) return;
  GLint max_size = 0;
  glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &max_size);
  if (w < 1 || h < 1 || w > max_size || h > max_size)
    fail("render target", std::to_string(w) + "x" + std::to_string(h) + " outside [1, " + std::to_string(max_size) + "]");
  w_ = w;
  h_ = h;
  if (!fbo_) {
    GLuint id = 0;
    glGenFramebuffers(1, &id);
    fbo_ = GlFramebuffer(id);
    colour_ = gl_texture_new();
    if (want_depth_) {
      glGenRenderbuffers(1, &id);
      depth_ = GlRenderbuffer(id);
    }
  }
  GLint prev_fbo = 0, prev_tex = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo);
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev_tex);
  glBindTexture(GL_TEXTURE_2D, colour_.id());
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  const GLint filter = nearest_ ? GL_NEAREST : GL_LINEAR;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_.id());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, colour_.id(), 0);
  if (want_depth_) {
    glBindRenderbuffer(GL_RENDERBUFFER, depth_.id());
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, w, h);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth_.id());
  }
  const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev_fbo));
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(prev_tex));
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    w_ = h_ = 0;
    fail("render target", "framebuffer incomplete (status " + std::to_string(status) + ")");
  }
}

void GlTarget::bind() const {
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_.id());
  glViewport(0, 0, w_, h_);
}

namespace {
struct Blit {
  GLuint fbo = 0;
  int w = 0, h = 0;
  ImVec2 p0, p1;
};
std::deque<Blit> g_blits;  // stable addresses for the callbacks' user data

void blit_callback(const ImDrawList*, const ImDrawCmd* cmd) {
  const Blit& b = *static_cast<const Blit*>(cmd->UserCallbackData);
  const ImDrawData* dd = ImGui::GetDrawData();
  const ImVec2 sc = dd->FramebufferScale, off = dd->DisplayPos;
  const float fb_h = dd->DisplaySize.y * sc.y;
  // Destination in framebuffer pixels (origin bottom-left), clipped to the command's clip
  // rectangle; the source rectangle follows the clipping (the blit is 1:1).
  const float cx0 = std::max(b.p0.x, cmd->ClipRect.x), cy0 = std::max(b.p0.y, cmd->ClipRect.y);
  const float cx1 = std::min(b.p1.x, cmd->ClipRect.z), cy1 = std::min(b.p1.y, cmd->ClipRect.w);
  if (cx1 <= cx0 || cy1 <= cy0) return;
  const int dx0 = static_cast<int>((cx0 - off.x) * sc.x), dx1 = static_cast<int>((cx1 - off.x) * sc.x);
  const int dy0 = static_cast<int>(fb_h - (cy1 - off.y) * sc.y), dy1 = static_cast<int>(fb_h - (cy0 - off.y) * sc.y);
  const int ox = static_cast<int>((b.p0.x - off.x) * sc.x), oy = static_cast<int>(fb_h - (b.p1.y - off.y) * sc.y);
  GLint read = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, b.fbo);
  glDisable(GL_SCISSOR_TEST);
  glBlitFramebuffer(dx0 - ox, dy0 - oy, dx1 - ox, dy1 - oy, dx0, dy0, dx1, dy1, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  glEnable(GL_SCISSOR_TEST);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(read));
}
}  // namespace

void draw_target_blit(ImDrawList* dl, const GlTarget& target, ImVec2 p0, ImVec2 p1) {
  g_blits.push_back({target.framebuffer(), target.width(), target.height(), p0, p1});
  dl->AddCallback(blit_callback, &g_blits.back());
  dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void draw_target_blits_reset() { g_blits.clear(); }

void gl_copy(const GlTarget& src, GlTarget& dst, bool depth) {
  GLint read = 0, draw = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read);
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, src.framebuffer());
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, dst.framebuffer());
  glDisable(GL_SCISSOR_TEST);
  glBlitFramebuffer(0, 0, src.width(), src.height(), 0, 0, dst.width(), dst.height(),
                    GL_COLOR_BUFFER_BIT | (depth ? GL_DEPTH_BUFFER_BIT : 0u), GL_NEAREST);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(read));
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(draw));
}

void png_write_opaque(const std::string& path, const Image& img) {
  if (img.w <= 0 || img.h <= 0 || img.rgba.size() != static_cast<size_t>(img.w) * img.h * 4) fail(path, "no image to write");
  std::vector<uint8_t> rgb(static_cast<size_t>(img.w) * img.h * 3);
  for (size_t i = 0, n = static_cast<size_t>(img.w) * img.h; i < n; ++i)
    std::memcpy(&rgb[3 * i], &img.rgba[4 * i], 3);
  std::string out;
  const auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size); };
  if (!stbi_write_png_to_func(append, &out, img.w, img.h, 3, rgb.data(), img.w * 3)) fail(path, "PNG encoding failed");
  atomic_write(path, out);
}

Image gl_read_pixels(int w, int h) {
  Image img;
  img.w = w;
  img.h = h;
  img.rgba.resize(static_cast<size_t>(w) * h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
  // GL's origin is the bottom-left corner; images start at the top.
  const size_t row = static_cast<size_t>(w) * 4;
  std::vector<uint8_t> tmp(row);
  for (int y = 0; y < h / 2; ++y) {
    uint8_t* a = img.rgba.data() + static_cast<size_t>(y) * row;
    uint8_t* b = img.rgba.data() + static_cast<size_t>(h - 1 - y) * row;
    std::memcpy(tmp.data(), a, row);
    std::memcpy(a, b, row);
    std::memcpy(b, tmp.data(), row);
  }
  for (size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
  return img;
}

}  // namespace zs::gui
