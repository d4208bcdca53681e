// Process hardening at start-up: no core dumps and no ptrace by other processes of the same user (both would
// expose session secrets and the file store's passphrase), undone for the programs kura starts.
#pragma once

namespace kura {

// prctl(PR_SET_DUMPABLE, 0) and a soft RLIMIT_CORE of 0; remembers the caller's core limit for children.
void harden_process();

// In a child between fork and exec (async-signal-safe): gives back the core limit kura was started with, so
// `kura exec prof -- cmd` changes nothing about cmd but its credentials. (Dumpability is restored by execve.)
void restore_limits_for_child();

}  // namespace kura
