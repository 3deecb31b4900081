// 3-D surface: a mesh over the grid displaced by the colour coordinate of the loss (so log
// landscapes keep their shape), with normals from central differences of the same texture.
layout(location = 0) in vec2 a_g;  // grid coordinates 0..1
uniform mat4 u_mvp;
uniform vec2 u_half;     // half size of the model rectangle (x, y)
uniform float u_height;  // model height of t = 1
uniform float u_step;    // mesh spacing in grid coordinates
out float v_t;
out vec3 v_normal;
out vec3 v_pos;

float height_t(vec2 g) {
  float v = grid_value(clamp(g, 0.0, 1.0));
  return isnan(v) ? 0.0 : colour_t(v);
}
vec3 model_pos(vec2 g, float t) { return vec3((g * 2.0 - 1.0) * u_half, t * u_height); }

void main() {
  float t = height_t(a_g);
  vec2 dx = vec2(u_step, 0.0), dy = vec2(0.0, u_step);
  vec3 px = model_pos(a_g + dx, height_t(a_g + dx)) - model_pos(a_g - dx, height_t(a_g - dx));
  vec3 py = model_pos(a_g + dy, height_t(a_g + dy)) - model_pos(a_g - dy, height_t(a_g - dy));
  v_normal = normalize(cross(px, py));
  v_t = t;
  v_pos = model_pos(a_g, t);
  gl_Position = u_mvp * vec4(v_pos, 1.0);
}
