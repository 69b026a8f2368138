#include "python/bindings/bindings.hpp"
namespace sg::py_bind {
void bind_io(py::module_&) {}
}
