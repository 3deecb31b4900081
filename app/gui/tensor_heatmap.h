// The per-tensor view of the Plots panel in Language model mode: which layers move. A
// heatmap of one run, rows = the model's trainable tensors (in block order), columns =
// steps, coloured by log10 of the tensor's mean effective step size or its RMS update in
// that step (RunRecord::tensor_alpha / tensor_rms, from the engine's update pass). Cells
// are averaged (in log10) down to at most one per pixel; hover names the tensor and step.
#pragma once
#include <string>

namespace zs {
struct RunRecord;
}

namespace zs::gui {

class App;

void draw_tensor_heatmap(App& app, float height);
// What the heatmap's box says when the run has no per-tensor statistics: "no steps yet"
// before the first step (it said the CUDA engine records none, on the CPU too), else that
// the run's engine records none.
std::string tensor_heatmap_note(const RunRecord* rec);

}  // namespace zs::gui
