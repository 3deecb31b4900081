// Trajectories, markers and frame lines of the 3-D view. World points (x, y) are lifted
// onto the surface by sampling the same height texture as the mesh, so paths lie on it.
layout(location = 0) in vec3 a_pos;  // world x, y; model z when not on the surface
uniform mat4 u_mvp;
uniform vec2 u_half;
uniform float u_height;
uniform int u_on_surface;
uniform float u_point_px;
out vec2 v_g;  // grid coordinates: the fragment stages drop what lies off the surface
void main() {
  vec2 g = grid_coord(a_pos.xy);
  v_g = g;
  float z = a_pos.z;
  if (u_on_surface == 1) {
    float v = grid_value(clamp(g, 0.0, 1.0));
    z = (isnan(v) ? 0.0 : colour_t(v)) * u_height;
  }
  gl_Position = u_mvp * vec4((g * 2.0 - 1.0) * u_half, z, 1.0);
  // Pulled towards the camera so that paths are not buried in the (linear) mesh.
  gl_Position.z -= 0.004 * gl_Position.w;
  gl_PointSize = u_point_px;
}
