// Full-viewport quad (triangle strip from gl_VertexID) carrying world coordinates.
uniform vec4 u_extent;  // x0, x1, y0, y1 shown by the viewport
out vec2 v_world;
void main() {
  vec2 c = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
  v_world = vec2(mix(u_extent.x, u_extent.y, c.x), mix(u_extent.z, u_extent.w, c.y));
  gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0);
}
