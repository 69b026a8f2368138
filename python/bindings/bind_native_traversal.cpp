#include "python/bindings/bindings.hpp"
namespace sg::py_bind {
void bind_native_traversal(py::module_&) {}
}
