/* The floor of any command that runs another one in its place, as `kura exec` does: a statically linked C
   program that only executes its arguments. Its time is two process images: itself and the command. */
#include <stdio.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  execve(argv[1], argv + 1, environ);
  perror("exec_floor");
  return 127;
}
