// The canary under /root, pulled in the same way.
#include "sealed.h"

#if __has_include(CANARY_ROOT)
const char root_canary[] =
#include CANARY_ROOT
    ;
#else
const char root_canary[] = "(not there)";
#endif
