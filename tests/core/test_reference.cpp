// The AdaMeZO reference case (docs/optimizers.md#reference-case; official notebook): Beale + 1e-3 from (-1, -1),
// 2500 iterations, directions alternating between two fixed vectors, through the shipped
// preset, the runner and the registries (nothing test-specific).
#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include "core/io/presets.h"
#include "core/run/runner.h"

namespace {

struct Published {
  const char* label;
  double final_loss, path;
};
// docs/optimizers.md#reference-case: final losses Adam 2.4868e-3, MeZO 0.5869, AdaMeZO 1.0001e-3; path lengths
// sum ||theta_t - theta_{t-1}||: 4.3550, 5.5405, 5.3207.
constexpr Published kPublished[] = {{"Adam", 2.4868e-3, 4.3550}, {"MeZO", 0.5869, 5.5405}, {"AdaMeZO", 1.0001e-3, 5.3207}};

double rel(double a, double b) { return std::fabs(a - b) / std::fabs(b); }

const zs::RunRecord& by_label(const std::vector<zs::RunRecord>& runs, const std::string& l) {
  for (const auto& r : runs)
    if (r.label == l) return r;
  throw std::runtime_error("no run " + l);
}

TEST(ReferenceCase, BealeTwoFixedDirections) {
  const zs::Experiment e = zs::experiment_resolve("preset:adamezo_beale");
  const zs::Scene s = zs::scene_make(e);
  const auto runs = zs::run_experiment(e, s, 1);
  for (const auto& p : kPublished) {
    const zs::RunRecord& r = by_label(runs, p.label);
    ASSERT_EQ(r.rows.back().step, 2500);
    const double lerr = rel(r.final_loss(), p.final_loss), perr = rel(r.rows.back().path_length, p.path);
    std::printf("[ reference] %-8s final loss %.6g (published %.6g, %+.3f%%), path %.5f (published %.4f, %+.3f%%)\n",
                p.label, r.final_loss(), p.final_loss, 100 * (r.final_loss() - p.final_loss) / p.final_loss,
                r.rows.back().path_length, p.path, 100 * (r.rows.back().path_length - p.path) / p.path);
    EXPECT_LT(perr, 0.005) << p.label << " path length";
    if (std::string(p.label) != "AdaMeZO") {
      EXPECT_LT(lerr, 0.01) << p.label << " final loss";
      continue;
    }
    // AdaMeZO ends jittering at the floor 1e-3 with steps of ~lr (|m|/sqrt(v) <= 1.48):
    // which point of the jitter the 2500th iterate hits is chaotic (see the next test), so
    // the published 1.0001e-3 is one draw. Robust statement: the iterates of the last 100
    // steps sit within 1% of it (median), and the final iterate within 2%.
    std::vector<double> tail;
    for (size_t i = r.rows.size() - 100; i < r.rows.size(); ++i) tail.push_back(r.rows[i].loss);
    std::nth_element(tail.begin(), tail.begin() + 50, tail.end());
    EXPECT_LT(rel(tail[50], p.final_loss), 0.01) << "median loss of the last 100 iterates " << tail[50];
    EXPECT_LT(lerr, 0.02) << "final iterate";
    // Where they end: Adam and AdaMeZO reach (3, 0.5); MeZO stalls in the valley near (2.1, 0.03).
    EXPECT_NEAR(r.final_x[0], 3.0, 0.01);
    EXPECT_NEAR(r.final_x[1], 0.5, 0.01);
  }
  const zs::RunRecord& mezo = by_label(runs, "MeZO");
  EXPECT_NEAR(mezo.final_x[0], 2.1, 0.05);
  EXPECT_NEAR(mezo.final_x[1], 0.03, 0.02);
}

TEST(ReferenceCase, AdaMezoFinalIterateIsChaoticAdamAndMezoAreNot) {
  // Perturb lr by one part in 1e12: Adam's and MeZO's endpoints move by ~1e-12, AdaMeZO's
  // final loss by percent (its excess over the floor is a sample of the final jitter).
  zs::Experiment e = zs::experiment_resolve("preset:adamezo_beale");
  const zs::Scene s = zs::scene_make(e);
  const auto base = zs::run_experiment(e, s, 1);
  double ada_spread = 0;
  for (double k : {1e-12, 2e-12, 3e-12, 4e-12}) {
    zs::Experiment ek = e;
    for (auto& r : ek.runs) r.hp["lr"] = (r.label == "Adam" ? 0.01 : 0.002) * (1 + k);
    const auto runs = zs::run_experiment(ek, s, 1);
    for (const char* l : {"Adam", "MeZO"})
      EXPECT_LT(rel(by_label(runs, l).final_loss(), by_label(base, l).final_loss()), 1e-8) << l;
    ada_spread = std::max(ada_spread, rel(by_label(runs, "AdaMeZO").final_loss(), by_label(base, "AdaMeZO").final_loss()));
  }
  std::printf("[ reference] AdaMeZO final-loss spread under lr * (1 + 1e-12 .. 4e-12): %.3f%%\n", 100 * ada_spread);
  EXPECT_GT(ada_spread, 1e-3);
}

}  // namespace
