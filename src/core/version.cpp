#include "pitchtrack/core/version.hpp"

namespace pitchtrack {
std::string_view version() { return PITCHTRACK_VERSION; }
}  // namespace pitchtrack
