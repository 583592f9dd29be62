// Another student's source is not a string literal: .incbin copies its bytes into this program instead.
#include "sealed.h"

#if __has_include(PEER_BOB)
__asm__(".pushsection .rodata\n.globl bob_source\nbob_source:\n.incbin \"" PEER_BOB "\"\n.byte 0\n.popsection\n");
#else
const char bob_source[] = "(not there)";
#endif
