// Surface shading: colormap + isolines, Lambert diffuse, a small Blinn-Phong highlight.
uniform vec3 u_eye;
uniform vec3 u_light;  // direction towards the light
in float v_t;
in vec3 v_normal;
in vec3 v_pos;
out vec4 o_colour;
void main() {
  float w = fwidth(v_t * (u_levels + 1.0));
  vec3 n = normalize(v_normal);
  if (!gl_FrontFacing) n = -n;
  vec4 iso = isoline(v_t, w);
  vec3 base = mix(colormap(v_t), iso.rgb, iso.a);
  vec3 l = normalize(u_light);
  float diff = max(dot(n, l), 0.0);
  vec3 h = normalize(l + normalize(u_eye - v_pos));
  float spec = 0.22 * pow(max(dot(n, h), 0.0), 48.0);
  o_colour = vec4(base * (0.42 + 0.58 * diff) + vec3(spec), 1.0);
}
