/* The floor a native command cannot go below: a dynamically linked C program that prints one line. */
#include <stdio.h>

int main(void) {
  puts("hello");
  return 0;
}
