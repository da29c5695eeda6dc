#ifndef SWIFTNET_CLIBCAP_SHIM_H
#define SWIFTNET_CLIBCAP_SHIM_H
#include <sys/capability.h>
#endif
