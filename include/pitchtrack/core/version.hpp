// Library version ("major.minor.patch"), set by CMake from the project version.
#pragma once

#include <string_view>

namespace pitchtrack {
std::string_view version();
}  // namespace pitchtrack
