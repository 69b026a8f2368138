#include "python/bindings/bindings.hpp"
namespace sg::py_bind {
void bind_generators(py::module_&) {}
}
