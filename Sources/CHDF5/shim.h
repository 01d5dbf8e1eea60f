// The HDF5 C library (Debian: libhdf5-dev; pkg-config name `hdf5`, linked as `hdf5_serial`).
// Many HDF5 constants are macros that call H5open() and read a global; Swift cannot import
// those, so each one used by the project is wrapped in a static inline function here.
#include <hdf5.h>

static inline hid_t fs_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t fs_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t fs_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t fs_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t fs_H5S_ALL(void) { return H5S_ALL; }
static inline hsize_t fs_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline unsigned fs_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned fs_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned fs_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned fs_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline hid_t fs_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t fs_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t fs_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t fs_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t fs_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t fs_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t fs_H5E_DEFAULT(void) { return H5E_DEFAULT; }
