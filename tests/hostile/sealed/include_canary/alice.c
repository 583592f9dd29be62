// Another student's source is not a string literal: .incbin copies its bytes into this program instead.
#include "sealed.h"

#if __has_include(PEER_ALICE)
__asm__(".pushsection .rodata\n.globl alice_source\nalice_source:\n.incbin \"" PEER_ALICE "\"\n.byte 0\n.popsection\n");
#else
const char alice_source[] = "(not there)";
#endif
