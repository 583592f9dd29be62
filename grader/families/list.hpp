// The IPC families, one line each: FAMILY(folder, the call table's Family of its rows). A new family is
// its folder and one line here. Read by families/family.hpp and families/registry.cpp only.
FAMILY(sysv_msg, Msg)
FAMILY(sysv_shm, Shm)
FAMILY(sysv_sem, Sem)
FAMILY(pipes, Descriptors)
FAMILY(posix_mq, Mq)
FAMILY(files, Files)
FAMILY(timers, Timers)
