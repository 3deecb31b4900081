// Flat colour for 3-D lines; nothing beyond the surface's edge.
uniform vec4 u_colour;
in vec2 f_g;
out vec4 o_colour;
void main() {
  if (any(lessThan(f_g, vec2(-1e-3))) || any(greaterThan(f_g, vec2(1.001)))) discard;
  o_colour = u_colour;
}
