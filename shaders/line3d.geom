// Wide lines in a core profile: each segment becomes a screen-space quad u_width_px wide.
layout(lines) in;
layout(triangle_strip, max_vertices = 4) out;
uniform vec2 u_viewport;  // pixels
uniform float u_width_px;
in vec2 v_g[];
out vec2 f_g;
void main() {
  vec4 p0 = gl_in[0].gl_Position, p1 = gl_in[1].gl_Position;
  if (p0.w <= 0.0 || p1.w <= 0.0) return;  // behind the camera
  vec2 half_vp = 0.5 * u_viewport;
  vec2 s0 = p0.xy / p0.w * half_vp, s1 = p1.xy / p1.w * half_vp;
  vec2 d = s1 - s0;
  d = dot(d, d) > 1e-12 ? normalize(d) : vec2(1.0, 0.0);
  vec2 off = vec2(-d.y, d.x) * (0.5 * u_width_px) / half_vp;
  // Extend the ends by half a width so consecutive segments overlap at joins.
  vec2 ext = d * (0.5 * u_width_px) / half_vp;
  f_g = v_g[0];
  gl_Position = vec4(p0.xy + (off - ext) * p0.w, p0.zw); EmitVertex();
  gl_Position = vec4(p0.xy + (-off - ext) * p0.w, p0.zw); EmitVertex();
  f_g = v_g[1];
  gl_Position = vec4(p1.xy + (off + ext) * p1.w, p1.zw); EmitVertex();
  gl_Position = vec4(p1.xy + (-off + ext) * p1.w, p1.zw); EmitVertex();
  EndPrimitive();
}
