// The IPC families, one line each: FAMILY(folder, the call table's Family of its rows, Blocks when
// some of its calls can wait on another process (its folder then has a blocking.cpp) or NeverBlocks).
// A new family is its folder and one line here. Read by families/family.hpp and families/registry.cpp
// only.
FAMILY(sysv_msg, Msg, Blocks)
FAMILY(sysv_shm, Shm, NeverBlocks)
FAMILY(sysv_sem, Sem, Blocks)
FAMILY(pipes, Descriptors, Blocks)
FAMILY(posix_mq, Mq, Blocks)
FAMILY(files, Files, Blocks)
FAMILY(timers, Timers, NeverBlocks)
