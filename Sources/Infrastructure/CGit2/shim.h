#ifndef FORAGER_CGIT2_SHIM_H
#define FORAGER_CGIT2_SHIM_H
#include <git2.h>
#endif
