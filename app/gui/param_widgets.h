// Widgets generated from parameter declarations (hyperparameters are data: core/params.h): log sliders for
// log-scale reals (lr, eps), linear sliders for other reals, integer sliders, checkboxes
// for Bool and combos for Choice, each with the declaration's help as its tooltip. No
// optimizer or landscape has UI code of its own.
#pragma once
#include <string>
#include <vector>
#include "core/params.h"

namespace zs::gui {

class App;

// One widget for `d`; the value is looked up in (and written to) `values`, defaulting to
// the declaration. Returns true when the user changed it. `item` names the widget for
// App::note_item (tests find it by that name).
bool param_widget(App& app, const ParamDecl& d, ParamValues& values, const std::string& item);

// Every declaration in turn; true if any changed.
bool param_widgets(App& app, const std::vector<ParamDecl>& decls, ParamValues& values, const std::string& item_prefix);

}  // namespace zs::gui
