// A C++ program with the classic mistake, built at -O0 and at -O2: msgsnd is passed the whole struct.
#include <sys/ipc.h>
#include <sys/msg.h>

#include <cstring>

namespace relay {
struct Message {
  long mtype;
  char text[32];
};

int send(int queue, const char* word) {
  Message m{};
  m.mtype = 1;
  std::strncpy(m.text, word, sizeof m.text - 1);
  return msgsnd(queue, &m, sizeof m, 0);  // line 17: sizeof m counts the long mtype
}
}  // namespace relay

int main() {
  const int queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  relay::send(queue, "hello");
  msgctl(queue, IPC_RMID, nullptr);
  return 0;
}
