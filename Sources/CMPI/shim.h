// Open MPI's C API (Debian: libopenmpi-dev; pkg-config name `ompi-c`). Its handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM …) are macros taking the address of a global, which
// Swift cannot import; each one the project uses is wrapped in a static inline function here.
#include <mpi.h>

static inline MPI_Comm fs_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype fs_MPI_FLOAT(void) { return MPI_FLOAT; }
static inline MPI_Datatype fs_MPI_DOUBLE(void) { return MPI_DOUBLE; }
static inline MPI_Datatype fs_MPI_UINT64_T(void) { return MPI_UINT64_T; }
static inline MPI_Op fs_MPI_SUM(void) { return MPI_SUM; }
static inline MPI_Op fs_MPI_MAX(void) { return MPI_MAX; }
static inline void *fs_MPI_IN_PLACE(void) { return MPI_IN_PLACE; }
