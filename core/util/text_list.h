// Lists typed on a command line or into a form (`finetune --lr-factors 1,3,10`, `sweep
// --param NAME=v1,v2`, `landscape --runs A,B`): one reader, so that an empty list, an empty
// item ("1,,2", "1,") or an item that is not a finite number is one line naming the option
// and the exact text given (CLI11 read "" as 0 and "1,,2" as 1,0,2).
#pragma once
#include <string>
#include <vector>

namespace zs {

// The items of `text` split at `sep`, each without surrounding spaces; zs::Error
// "WHERE: "TEXT" ..." when the text or any item is empty.
std::vector<std::string> text_list(const std::string& text, const std::string& where, char sep = ',');
// One finite number (the whole of `item`, surrounding spaces allowed); zs::Error
// "WHERE: "ITEM" is not a finite number" otherwise.
double text_number(const std::string& item, const std::string& where);
// text_list, each item a finite number.
std::vector<double> text_number_list(const std::string& text, const std::string& where, char sep = ',');

}  // namespace zs
