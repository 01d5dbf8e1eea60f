// libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev; pkg-config name `libturbojpeg`).
#include <turbojpeg.h>
