// Landscape heatmap: loss grid -> ColourScale -> colormap, with isolines.
uniform vec3 u_background;  // outside the grid's domain (a grid still being computed)
in vec2 v_world;
out vec4 o_colour;
void main() {
  vec2 g = grid_coord(v_world);
  float v = grid_value(clamp(g, 0.0, 1.0));
  float t = colour_t(v);
  float f = t * (u_levels + 1.0);
  float w = fwidth(f);  // before any branch: derivatives need every fragment of the quad
  if (any(lessThan(g, vec2(0.0))) || any(greaterThan(g, vec2(1.0)))) {
    o_colour = vec4(u_background, 1.0);
  } else if (isnan(v)) {
    o_colour = vec4(0.5, 0.5, 0.5, 1.0);
  } else {
    vec4 iso = isoline(t, w);
    o_colour = vec4(mix(colormap(t), iso.rgb, iso.a), 1.0);
  }
}
