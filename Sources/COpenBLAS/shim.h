#ifndef HANDMESH_COPENBLAS_SHIM_H
#define HANDMESH_COPENBLAS_SHIM_H
// pkg-config openblas puts Debian's openblas-pthread include folder on the path.
#include <cblas.h>
#endif
