// Round point sprites with a ring, for start/end markers and minima in the 3-D view.
uniform vec4 u_colour;
uniform vec4 u_ring;
in vec2 v_g;
out vec4 o_colour;
void main() {
  if (any(lessThan(v_g, vec2(-1e-3))) || any(greaterThan(v_g, vec2(1.001)))) discard;
  float r = length(gl_PointCoord * 2.0 - 1.0);
  if (r > 1.0) discard;
  o_colour = r > 0.62 ? u_ring : u_colour;
}
