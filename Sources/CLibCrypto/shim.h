// OpenSSL's libcrypto, for SHA-256 digests (Debian: libssl-dev; pkg-config name `libcrypto`).
#include <openssl/evp.h>
