// The canary under the host's /tmp holds a C string literal: #include makes it this array's value.
#include "sealed.h"

#if __has_include(CANARY_TMP)
const char tmp_canary[] =
#include CANARY_TMP
    ;
#else
const char tmp_canary[] = "(not there)";
#endif
